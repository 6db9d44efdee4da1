//! The offline renderer: a whole song, block by block, through the engine.
//!
//! The schedule of the whole arrangement is computed up front (allocating),
//! then [`OfflineRender`] feeds it to the very same [`Engine`] the live
//! backends use, with no thread in between: the same song always gives the
//! same samples. After the last bar it renders the release and effect tails
//! until the output has been silent (below -96 dBFS, no voice sounding) for
//! half a second, or for at most [`MAX_TAIL_SECONDS`].

use crate::engine::{Engine, VecQueue};
use chronus_backends::{AudioSource, Flow};
use chronus_sequencer::schedule::sort_events;
use chronus_sequencer::{Schedule, Song};

/// The longest tail rendered after the last bar, in seconds.
pub const MAX_TAIL_SECONDS: u64 = 30;
/// Peak level under which the tail counts as silent (-96 dBFS).
const QUIET: f32 = 1.584_893e-5;
/// How long the tail must stay silent before the render ends, in seconds.
const QUIET_SECONDS: f64 = 0.5;

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
    max_frame: u64,
    quiet_frames: u64,
    quiet_needed: u64,
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
        let rate = u64::from(options.rate);
        OfflineRender {
            engine: Engine::new(song, options.rate),
            queue: VecQueue::new(events),
            end_frame,
            max_frame: end_frame + MAX_TAIL_SECONDS * rate,
            quiet_frames: 0,
            quiet_needed: (QUIET_SECONDS * options.rate as f64) as u64,
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
        let peak = left
            .iter()
            .chain(right.iter())
            .fold(0.0f32, |m, s| m.max(s.abs()));
        if peak < QUIET && self.engine.active_voices() == 0 {
            self.quiet_frames += left.len() as u64;
        } else {
            self.quiet_frames = 0;
        }
        if self.quiet_frames >= self.quiet_needed || now >= self.max_frame {
            self.finished = true;
            return Flow::Finished { frames: left.len() };
        }
        Flow::Continue
    }

    fn total_frames_hint(&self) -> Option<u64> {
        Some(self.end_frame + self.quiet_needed)
    }
}
