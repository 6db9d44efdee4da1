//! The sequencer thread: keeps a [`Timeline`] a look-ahead window ahead of
//! the audio clock and pushes its frame-stamped events over the lock-free
//! queue to the audio thread.
//!
//! The timeline sits behind a mutex shared with the control thread (which
//! edits a live one); the audio thread never touches it. Edits take effect
//! at the next bar (or beat, step) by construction: they are applied to the
//! timeline before it generates that bar, or regenerate the part of the
//! window it has generated but not yet sent.

use super::AudioClock;
use chronus_sequencer::Event;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Something that produces events in frame order, ahead of time.
pub trait Timeline: Send {
    /// Generate everything that sounds before `horizon` and offer it, in
    /// frame order, to `push`; an event `push` refuses (queue full) is
    /// offered again next time. Returns true when the timeline has nothing
    /// more, ever (a song played to its end).
    fn pump(&mut self, horizon: u64, push: &mut dyn FnMut(Event) -> bool) -> bool;

    /// The frame at which the music ends, when it does.
    fn end_frame(&self) -> Option<u64>;
}

/// How the sequencer thread runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SequencerOptions {
    /// How far ahead of the audio clock events are sent, in frames.
    pub lookahead: u64,
    /// How often the thread wakes up.
    pub poll: Duration,
}

impl SequencerOptions {
    /// Defaults for `rate`: 50 ms of look-ahead, waking every 2 ms.
    pub fn for_rate(rate: u32) -> Self {
        SequencerOptions {
            lookahead: u64::from(rate) / 20,
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
}

/// The running sequencer thread. Dropping it stops the thread.
pub struct SequencerHandle {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Lock a timeline, whether or not a holder panicked (its state is plain
/// data that every edit leaves consistent).
pub fn lock<T: ?Sized>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SequencerHandle {
    /// Start the thread for `timeline`, pushing into `producer`.
    ///
    /// # Errors
    /// The OS error when the thread cannot be spawned.
    pub fn spawn<T: Timeline + 'static>(
        timeline: Arc<Mutex<T>>,
        clock: AudioClock,
        mut producer: rtrb::Producer<Event>,
        options: SequencerOptions,
    ) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("chronus-sequencer".into())
            .spawn(move || run(&timeline, &clock, &mut producer, options, &thread_shared))?;
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

    /// True when every event has been sent (a song played to its end).
    pub fn finished(&self) -> bool {
        self.shared.finished.load(Ordering::Acquire)
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

fn run<T: Timeline>(
    timeline: &Mutex<T>,
    clock: &AudioClock,
    producer: &mut rtrb::Producer<Event>,
    options: SequencerOptions,
    shared: &Shared,
) {
    while !shared.stop.load(Ordering::Acquire) {
        let mut full = false;
        let mut tl = lock(timeline);
        // The clock is read under the lock: a rate change re-rates the
        // timeline and the clock together.
        let period = clock.block();
        let horizon = clock.now() + options.lookahead.max(4 * period);
        let done = tl.pump(horizon, &mut |ev| {
            if producer.push(ev).is_ok() {
                true
            } else {
                full = true;
                false
            }
        });
        drop(tl);
        if full {
            shared.full.fetch_add(1, Ordering::AcqRel);
        }
        shared.primed.store(true, Ordering::Release);
        if done {
            shared.finished.store(true, Ordering::Release);
            return;
        }
        std::thread::sleep(options.poll);
    }
}
