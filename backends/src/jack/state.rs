//! Where the source lives between callbacks: a one-slot hand-off (see the
//! module's docs above, "Where the source lives").

use crate::AudioSource;
use std::ptr;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::time::{Duration, Instant};

pub(super) type SourceBox = Box<dyn AudioSource + Send>;

/// The state shared by `play` and the callbacks: the source's home, and the
/// flags the callbacks raise. Atomics only.
pub(super) struct CallbackState {
    /// The boxed source between callbacks; null while a callback renders
    /// with it (or after `play` took it back).
    pub(super) source: AtomicPtr<SourceBox>,
    /// The source returned `Finished`.
    pub(super) finished: AtomicBool,
    /// The source panicked.
    pub(super) panicked: AtomicBool,
    /// The server shut the client down.
    pub(super) gone: AtomicBool,
    /// Frames rendered by the source.
    pub(super) frames: AtomicU64,
}

impl CallbackState {
    pub(super) fn new(source: SourceBox) -> Self {
        CallbackState {
            source: AtomicPtr::new(Box::into_raw(Box::new(source))),
            finished: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
            gone: AtomicBool::new(false),
            frames: AtomicU64::new(0),
        }
    }

    /// Whether the source is at home (no callback holds it).
    pub(super) fn holds_source(&self) -> bool {
        !self.source.load(Ordering::Acquire).is_null()
    }

    /// Wait up to `timeout` for the source to be at home.
    pub(super) fn wait_for_source(&self, timeout: Duration) -> bool {
        let start = Instant::now();
        while !self.holds_source() {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// Run `f` on the source while it is at home (no client is active, so no
    /// callback can take it meanwhile); `None` when it is not at home.
    pub(super) fn with_source<R>(&self, f: impl FnOnce(&mut SourceBox) -> R) -> Option<R> {
        let p = self.source.swap(ptr::null_mut(), Ordering::Acquire);
        if p.is_null() {
            return None;
        }
        // SAFETY: the swap made us the pointer's only holder until we store
        // it back below; it points to a live `SourceBox` owned by the slot.
        let r = f(unsafe { &mut *p });
        self.source.store(p, Ordering::Release);
        Some(r)
    }

    /// Take the source for good (no callback may run any more).
    pub(super) fn take(&self) -> Option<SourceBox> {
        // A stale callback may hold the source for a moment between the
        // check and the swap: retry until the swap itself gets it.
        let start = std::time::Instant::now();
        loop {
            let p = self.source.swap(ptr::null_mut(), Ordering::Acquire);
            if !p.is_null() {
                // SAFETY: a non-null pointer in the slot came from
                // `Box::into_raw` and, swapped out, is owned by us alone.
                return Some(*unsafe { Box::from_raw(p) });
            }
            if start.elapsed() > Duration::from_secs(1) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for CallbackState {
    fn drop(&mut self) {
        let p = *self.source.get_mut();
        if !p.is_null() {
            // SAFETY: as in `take`; nobody else holds the slot any more.
            drop(unsafe { Box::from_raw(p) });
        }
    }
}
