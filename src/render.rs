//! The offline renderer: a whole song, block by block, through the engine.
//!
//! The schedule of the whole arrangement is computed up front (allocating),
//! then [`OfflineRender`] feeds it to the very same [`Engine`] the live
//! backends use, with no thread in between: the same song always gives the
//! same samples. After the last bar it renders the release and effect tails
//! until the song is over ([`SongEnd`]: silent for half a second, or at most
//! [`MAX_TAIL_SECONDS`]).

use crate::engine::{Engine, VecQueue};
use chronus_backends::{AudioSource, Flow};
use chronus_sequencer::schedule::sort_events;
use chronus_sequencer::{Schedule, Song};

pub use crate::song_end::{SongEnd, MAX_TAIL_SECONDS};

/// Options for an offline render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenderOptions {
    /// Sample rate in Hz.
    pub rate: u32,
    /// Render only the first `bars` bars of the arrangement.
    pub bars: Option<usize>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            rate: 48_000,
            bars: None,
        }
    }
}

/// A song being rendered offline. Implements [`AudioSource`].
pub struct OfflineRender {
    engine: Engine,
    queue: VecQueue,
    end_frame: u64,
    end: SongEnd,
    finished: bool,
}

impl OfflineRender {
    /// Schedule `song` and build its engine. Allocates: call before rendering.
    pub fn new(song: &Song, options: RenderOptions) -> Self {
        let mut schedule = Schedule::new(song, options.rate);
        let bars = options
            .bars
            .map_or(song.bar_count(), |b| b.min(song.bar_count()));
        let mut events = Vec::new();
        for bar in 0..bars {
            schedule.bar_events(bar, &mut events);
        }
        sort_events(&mut events);
        let end_frame = schedule.bar_frame(bars);
        OfflineRender {
            engine: Engine::new(song, options.rate),
            queue: VecQueue::new(events),
            end_frame,
            end: SongEnd::new(options.rate),
            finished: false,
        }
    }

    /// The engine (for its counters).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Frame at which the arrangement's last bar ends (tails follow).
    pub fn end_frame(&self) -> u64 {
        self.end_frame
    }
}

impl AudioSource for OfflineRender {
    /// Audio thread safe: renders without allocating.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
        if self.finished {
            left.fill(0.0);
            right.fill(0.0);
            return Flow::Finished { frames: 0 };
        }
        self.engine.render(&mut self.queue, left, right);
        let now = self.engine.frame();
        if now <= self.end_frame {
            return Flow::Continue;
        }
        let voices = self.engine.active_voices();
        if self.end.over(now - self.end_frame, left, right, voices) {
            self.finished = true;
            return Flow::Finished { frames: left.len() };
        }
        Flow::Continue
    }

    fn total_frames_hint(&self) -> Option<u64> {
        Some(self.end_frame + self.end.quiet_needed())
    }
}
