//! The offline renderer: a whole song, block by block, through the engine.
//!
//! The schedule is made a bar at a time as the render reaches it
//! ([`StreamQueue`]: memory stays bounded whatever the song's length), and
//! [`OfflineRender`] feeds it to the very same [`Engine`] the live backends
//! use, with no thread in between: the same song always gives the same
//! samples. After the last bar it renders the release and effect tails
//! until the song is over ([`SongEnd`]: silent for half a second, or at most
//! [`MAX_TAIL_SECONDS`]).

mod stream;

pub use stream::StreamQueue;

use crate::engine::Engine;
use chronus_backends::{AudioSource, Flow};
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
    queue: StreamQueue,
    end_frame: u64,
    end: SongEnd,
    finished: bool,
}

impl OfflineRender {
    /// Build the engine for `song` and its schedule. Allocates: call
    /// before rendering.
    pub fn new(song: &Song, options: RenderOptions) -> Self {
        let schedule = Schedule::new(song, options.rate);
        let bars = options
            .bars
            .map_or(song.bar_count(), |b| b.min(song.bar_count()));
        let end_frame = schedule.bar_frame(bars);
        OfflineRender {
            engine: Engine::new(song, options.rate),
            queue: StreamQueue::new(schedule, bars),
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

    /// The schedule's queue (how many events it holds).
    pub fn queue(&self) -> &StreamQueue {
        &self.queue
    }

    /// Make the schedule's events for the next `frames` frames (allocates;
    /// [`AudioSource::process`] does this itself).
    pub fn prepare(&mut self, frames: usize) {
        self.queue.fill_until(self.engine.frame() + frames as u64);
    }

    /// Render the next block from what [`OfflineRender::prepare`] made:
    /// allocates nothing (what an audio thread could run).
    pub fn render_prepared(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
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
}

impl AudioSource for OfflineRender {
    /// Makes the schedule's next events (allocating), then renders them.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
        self.prepare(left.len().min(right.len()));
        self.render_prepared(left, right)
    }

    fn total_frames_hint(&self) -> Option<u64> {
        Some(self.end_frame + self.end.quiet_needed())
    }
}
