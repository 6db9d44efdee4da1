//! Panics on the audio thread, caught per track: a module that panics is
//! silenced and reported, and everything else plays on.
//!
//! [`guarded`] runs a track's render inside `catch_unwind`. While it does,
//! the process's panic hook (installed once by [`install`]) only counts the
//! panic: no message is formatted, nothing is locked or printed on the audio
//! thread. Panics anywhere else go to the hook that was there before. The
//! payload the unwinding carries is handed back to the caller, to be freed
//! off the audio thread.

use std::any::Any;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Once;

thread_local! {
    /// True while this thread runs a guarded render.
    static GUARDED: Cell<bool> = const { Cell::new(false) };
}

/// Panics caught by [`guarded`] since the process started.
static CAUGHT: AtomicU64 = AtomicU64::new(0);

/// Install the panic hook (once per process; allocates, so call it off the
/// audio thread: the engine's constructors do).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if GUARDED.with(Cell::get) {
                CAUGHT.fetch_add(1, Ordering::Relaxed);
                return;
            }
            previous(info);
        }));
    });
}

/// Panics caught so far.
pub fn caught() -> u64 {
    CAUGHT.load(Ordering::Relaxed)
}

/// Run `f`; a panic in it comes back as its payload. Audio thread safe
/// while nothing panics (a panic itself allocates its payload).
pub fn guarded<R>(f: impl FnOnce() -> R) -> Result<R, Box<dyn Any + Send>> {
    let was = GUARDED.with(|g| g.replace(true));
    let result = catch_unwind(AssertUnwindSafe(f));
    GUARDED.with(|g| g.set(was));
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_guarded_panic_comes_back_and_the_hook_only_counts_it() {
        install();
        let before = caught();
        let r = guarded(|| -> u32 { panic!("on purpose") });
        assert!(r.is_err());
        assert_eq!(caught(), before + 1);
        assert_eq!(guarded(|| 7).ok(), Some(7));
        assert!(!GUARDED.with(Cell::get));
    }
}
