//! The offline renderer: a whole song, block by block, through the engine.
//!
//! The schedule is made a bar at a time as the render reaches it
//! ([`StreamQueue`]: memory stays bounded whatever the song's length), and
//! [`OfflineRender`] feeds it to the very same [`Engine`] the live backends
//! use, with no thread in between: the same song always gives the same
//! samples. After the last bar it renders the release and effect tails
//! until the song is over ([`SongEnd`]: silent for half a second, or at most
//! [`MAX_TAIL_SECONDS`]).

pub mod jobs;
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
    /// Threads to spread the tracks over (1: the calling thread alone; a
    /// song with sends, or an env or arp module, always renders on one). The samples are
    /// the same whatever the number, for blocks that are multiples of the
    /// engine's 64-frame grid (as `chronus render` asks for): the threads
    /// render on the grid, and a block edge off it splits a sub-block that
    /// one thread would split there too.
    pub jobs: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            rate: 48_000,
            bars: None,
            jobs: 1,
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
    /// The other threads rendering tracks (`jobs` > 1), until the end.
    workers: Option<jobs::Workers>,
    /// Threads rendering, this one included.
    threads: usize,
    /// A worker stopped before the song's end.
    failed: bool,
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
        let mut engine = Engine::new(song, options.rate);
        let groups = jobs::groups(song);
        let threads = options.jobs.saturating_sub(1).min(groups.len());
        let workers = (threads > 0 && jobs::can_split(song))
            .then(|| jobs::Workers::start(song, options.rate, bars, &groups, threads))
            .flatten();
        if workers.is_some() {
            engine.read_from(&groups);
        }
        OfflineRender {
            engine,
            queue: StreamQueue::new(schedule, bars),
            end_frame,
            end: SongEnd::new(options.rate),
            finished: false,
            threads: 1 + workers.as_ref().map_or(0, jobs::Workers::threads),
            workers,
            failed: false,
        }
    }

    /// Threads rendering (1 when the song renders on the calling thread
    /// alone).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// True when a rendering thread stopped before the end (the render
    /// then ends early).
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// Events applied so far (on every thread).
    pub fn events(&self) -> u64 {
        let s = self.engine.stats();
        if self.threads > 1 {
            // The main engine is fed every event; the workers' tracks'
            // find their slots empty there.
            s.events + s.stale_events
        } else {
            s.events
        }
    }

    /// With workers: render `left`/`right` in pieces that stay inside one
    /// chunk, swapping in the workers' next chunks at each chunk's start.
    fn render_split(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len().min(right.len());
        let mut done = 0;
        while done < n {
            let frame = self.engine.frame();
            let pos = (frame % jobs::CHUNK as u64) as usize;
            if pos == 0 {
                let Some(w) = self.workers.as_mut() else {
                    return;
                };
                for k in 0..w.len() {
                    if let Some(old) = self.engine.take_chunk(k) {
                        w.give_back(k, old);
                    }
                    match w.next(k) {
                        Some(chunk) => self.engine.give_chunk(k, chunk),
                        None => {
                            self.failed = true;
                            left[done..].fill(0.0);
                            right[done..].fill(0.0);
                            return;
                        }
                    }
                }
            }
            let len = (n - done).min(jobs::CHUNK - pos);
            let (l, r) = (&mut left[done..done + len], &mut right[done..done + len]);
            self.engine.render(&mut self.queue, l, r);
            done += len;
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
        if self.workers.is_some() {
            self.render_split(left, right);
            if self.failed {
                self.finished = true;
                return Flow::Finished { frames: 0 };
            }
        } else {
            self.engine.render(&mut self.queue, left, right);
        }
        let now = self.engine.frame();
        if now <= self.end_frame {
            return Flow::Continue;
        }
        let voices = self.engine.active_voices() + self.engine.split_voices_before(now);
        if self.end.over(now - self.end_frame, left, right, voices) {
            self.finished = true;
            // The threads stop now, not when this is dropped.
            self.workers = None;
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
