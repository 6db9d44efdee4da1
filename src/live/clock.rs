//! The one clock: frames rendered by the audio thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The count of frames the audio thread has rendered, published after each
/// block and read by the sequencer thread. Cloning shares the same counter.
#[derive(Clone, Debug, Default)]
pub struct AudioClock(Arc<AtomicU64>);

impl AudioClock {
    /// A clock at frame 0.
    pub fn new() -> Self {
        AudioClock::default()
    }

    /// Publish the frame count (audio thread; lock-free).
    pub fn publish(&self, frames: u64) {
        self.0.store(frames, Ordering::Release);
    }

    /// The latest published frame count.
    pub fn now(&self) -> u64 {
        self.0.load(Ordering::Acquire)
    }
}
