//! The one clock: frames rendered by the audio thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The count of frames the audio thread has rendered, published after each
/// block and read by the sequencer thread, with the length of the last block
/// (the period, which a JACK server may change). Cloning shares them.
#[derive(Clone, Debug, Default)]
pub struct AudioClock(Arc<[AtomicU64; 2]>);

impl AudioClock {
    /// A clock at frame 0.
    pub fn new() -> Self {
        AudioClock::default()
    }

    /// Publish the frame count after a block of `block` frames (audio
    /// thread; lock-free).
    pub fn publish(&self, frames: u64, block: u64) {
        self.0[1].store(block, Ordering::Relaxed);
        self.0[0].store(frames, Ordering::Release);
    }

    /// The latest published frame count.
    pub fn now(&self) -> u64 {
        self.0[0].load(Ordering::Acquire)
    }

    /// The length of the last block rendered (0 before the first).
    pub fn block(&self) -> u64 {
        self.0[1].load(Ordering::Relaxed)
    }
}
