//! The thread that empties the capture ring into the [`History`], so the
//! audio thread never waits and `listen` always has the last seconds.

use super::history::{History, Span};
use crate::engine::capture::{CaptureReader, CaptureShared};
use chronus_sequencer::TrackId;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::Duration;

/// How often the ring is emptied.
const PERIOD: Duration = Duration::from_millis(10);

/// Reads a number from elsewhere (the backend's xrun count).
pub type Counter = Box<dyn Fn() -> u64 + Send>;

/// The capture's reading end, running.
pub struct Listener {
    history: Arc<Mutex<History>>,
    shared: Arc<CaptureShared>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// The history, even if a thread panicked holding it.
pub fn lock(h: &Mutex<History>) -> MutexGuard<'_, History> {
    h.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Listener {
    /// Start reading `reader` into a history of [`super::history::SECONDS`]
    /// at `rate`; `xruns` is sampled as records arrive.
    ///
    /// # Errors
    /// The thread cannot start.
    pub fn start(
        reader: CaptureReader,
        shared: Arc<CaptureShared>,
        rate: u32,
        xruns: Counter,
    ) -> std::io::Result<Self> {
        let history = Arc::new(Mutex::new(History::new(rate, super::history::SECONDS)));
        let stop = Arc::new(AtomicBool::new(false));
        let (h, s, sh) = (Arc::clone(&history), Arc::clone(&stop), Arc::clone(&shared));
        let thread = std::thread::Builder::new()
            .name("chronus-listen".into())
            .spawn(move || drain_loop(reader, &h, &s, &sh, &xruns))?;
        Ok(Listener {
            history,
            shared,
            stop,
            thread: Some(thread),
        })
    }

    /// A listener with no thread: the caller empties the ring into the
    /// returned history itself (a session rendered block by block).
    pub fn manual(shared: Arc<CaptureShared>, rate: u32) -> (Self, Arc<Mutex<History>>) {
        let history = Arc::new(Mutex::new(History::new(rate, super::history::SECONDS)));
        let listener = Listener {
            history: Arc::clone(&history),
            shared,
            stop: Arc::new(AtomicBool::new(true)),
            thread: None,
        };
        (listener, history)
    }

    /// Tap `id`'s own audio from now on; false when every tap is taken.
    pub fn tap(&self, id: TrackId) -> bool {
        self.shared.tap(id)
    }

    /// Stop tapping `id`.
    pub fn untap(&self, id: TrackId) {
        self.shared.untap(id);
    }

    /// The tracks tapped now.
    pub fn tapped(&self) -> Vec<TrackId> {
        self.shared.tapped()
    }

    /// The frames of master output held.
    pub fn held(&self) -> (u64, u64) {
        lock(&self.history).held()
    }

    /// The frames of `id`'s own audio held.
    pub fn tap_held(&self, id: TrackId) -> Option<(u64, u64)> {
        lock(&self.history).tap_held(id)
    }

    /// What played over `from..to`.
    pub fn span(&self, from: u64, to: u64) -> Span {
        lock(&self.history).span(from, to)
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn drain_loop(
    mut reader: CaptureReader,
    history: &Mutex<History>,
    stop: &AtomicBool,
    shared: &CaptureShared,
    xruns: &Counter,
) {
    let mut batch = Vec::new();
    while !stop.load(Ordering::Acquire) {
        while let Ok(record) = reader.pop() {
            batch.push(record);
        }
        if !batch.is_empty() {
            let mut h = lock(history);
            for record in batch.drain(..) {
                h.push(record);
            }
            h.counters(xruns(), shared.dropped.load(Ordering::Relaxed));
        }
        std::thread::sleep(PERIOD);
    }
}

/// Empty `reader` into `history` now (an offline render, between blocks).
pub fn drain_into(reader: &mut CaptureReader, history: &mut History) {
    while let Ok(record) = reader.pop() {
        history.push(record);
    }
}
