//! The sequencer thread: turns the song into events a look-ahead window
//! ahead of the audio clock and pushes them over the lock-free queue.

use super::AudioClock;
use chronus_sequencer::schedule::sort_events;
use chronus_sequencer::{Event, Schedule, Song};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How the sequencer thread runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequencerOptions {
    /// How far ahead of the audio clock events are sent, in frames.
    pub lookahead: u64,
    /// Play the arrangement again and again.
    pub looping: bool,
    /// How often the thread wakes up.
    pub poll: Duration,
}

impl SequencerOptions {
    /// Defaults for `rate`: 50 ms of look-ahead, waking every 2 ms.
    pub fn for_rate(rate: u32) -> Self {
        SequencerOptions {
            lookahead: u64::from(rate) / 20,
            looping: false,
            poll: Duration::from_millis(2),
        }
    }
}

/// Shared state between the sequencer thread and its owner.
#[derive(Debug, Default)]
struct Shared {
    stop: AtomicBool,
    primed: AtomicBool,
    finished: AtomicBool,
    full: AtomicU64,
    end_frame: AtomicU64,
}

/// The running sequencer thread. Dropping it stops the thread.
pub struct SequencerHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl SequencerHandle {
    /// Start the thread for `song` at `rate`, pushing into `producer`.
    ///
    /// # Errors
    /// The OS error when the thread cannot be spawned.
    pub fn spawn(
        song: &Song,
        rate: u32,
        clock: AudioClock,
        mut producer: rtrb::Producer<Event>,
        options: SequencerOptions,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let mut schedule = Schedule::new(song, rate);
        schedule.set_looping(options.looping);
        shared
            .end_frame
            .store(schedule.end_frame(), Ordering::Release);
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("chronus-sequencer".into())
            .spawn(move || {
                run(
                    &mut schedule,
                    &clock,
                    &mut producer,
                    options,
                    &thread_shared,
                )
            })?;
        Ok(SequencerHandle {
            shared,
            thread: Some(thread),
        })
    }

    /// Wait (up to `timeout`) until the thread has filled its first
    /// look-ahead window, so that playback starts with its events queued.
    /// True when primed.
    pub fn wait_primed(&self, timeout: Duration) -> bool {
        let start = std::time::Instant::now();
        while !self.shared.primed.load(Ordering::Acquire) {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// True when every event of the arrangement has been sent (never when looping).
    pub fn finished(&self) -> bool {
        self.shared.finished.load(Ordering::Acquire)
    }

    /// Frame at which the arrangement's last bar ends.
    pub fn end_frame(&self) -> u64 {
        self.shared.end_frame.load(Ordering::Acquire)
    }

    /// Times the queue was full and an event had to wait for the next wake-up.
    pub fn queue_full_count(&self) -> u64 {
        self.shared.full.load(Ordering::Acquire)
    }

    /// Stop the thread and wait for it.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SequencerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}

fn run(
    schedule: &mut Schedule,
    clock: &AudioClock,
    producer: &mut rtrb::Producer<Event>,
    options: SequencerOptions,
    shared: &Shared,
) {
    let total = schedule.song().bar_count();
    let mut next_bar = 0usize;
    // Sorted as the offline renderer sorts (stable, by frame, note-offs
    // first, then track), so simultaneous events apply in the same order.
    let mut pending: VecDeque<Event> = VecDeque::new();
    let mut fresh: Vec<Event> = Vec::new();
    while !shared.stop.load(Ordering::Acquire) {
        let period = clock.block();
        let horizon = clock.now() + options.lookahead.max(4 * period);
        let mut added = false;
        while (options.looping || next_bar < total) && schedule.bar_frame(next_bar) < horizon {
            schedule.bar_events(next_bar, &mut fresh);
            next_bar += 1;
            added = true;
        }
        if added {
            pending.extend(fresh.drain(..));
            sort_events(pending.make_contiguous());
        }
        while let Some(&ev) = pending.front() {
            if ev.frame >= horizon {
                break;
            }
            if producer.push(ev).is_err() {
                shared.full.fetch_add(1, Ordering::AcqRel);
                break;
            }
            pending.pop_front();
        }
        shared.primed.store(true, Ordering::Release);
        if !options.looping && next_bar >= total && pending.is_empty() {
            shared.finished.store(true, Ordering::Release);
            return;
        }
        std::thread::sleep(options.poll);
    }
}
