//! The one clock: frames rendered by the audio thread.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

/// The process's monotonic epoch for clock stamps.
fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Nanoseconds since the process epoch (monotonic; vDSO, no system call).
pub fn monotonic_nanos() -> u64 {
    epoch().elapsed().as_nanos() as u64
}

/// The count of frames the audio thread has rendered, published after each
/// block with the length of the last block (the period, which a JACK server
/// may change) and the monotonic time of the publication, so that other
/// threads can estimate the frame playing now. Cloning shares them.
#[derive(Clone, Debug)]
pub struct AudioClock {
    /// Frames, block, time stamp, rate, and a sequence count (odd while a
    /// publication is being written: a seqlock, so that frames and their
    /// time stamp are always read as a pair).
    shared: Arc<[AtomicU64; 5]>,
}

impl Default for AudioClock {
    fn default() -> Self {
        AudioClock::new()
    }
}

impl AudioClock {
    /// A clock at frame 0 (48 kHz until [`AudioClock::with_rate`]).
    pub fn new() -> Self {
        AudioClock::with_rate(48_000)
    }

    /// A clock at frame 0 for `rate` Hz.
    pub fn with_rate(rate: u32) -> Self {
        let _ = epoch();
        AudioClock {
            shared: Arc::new([
                AtomicU64::new(0),
                AtomicU64::new(0),
                AtomicU64::new(0),
                AtomicU64::new(u64::from(rate.max(1))),
                AtomicU64::new(0),
            ]),
        }
    }

    /// The rate the clock counts at.
    pub fn rate(&self) -> u32 {
        self.shared[3].load(Ordering::Relaxed) as u32
    }

    /// Count at `rate` from now on (the device changed its rate).
    pub fn set_rate(&self, rate: u32) {
        self.shared[3].store(u64::from(rate.max(1)), Ordering::Relaxed);
    }

    /// Publish the frame count after a block of `block` frames (audio
    /// thread; lock-free), stamped now.
    pub fn publish(&self, frames: u64, block: u64) {
        self.publish_at(frames, block, monotonic_nanos());
    }

    /// Publish the frame count after a block of `block` frames that began
    /// at `started` ([`monotonic_nanos`]): the next block is due one block
    /// after that. Audio thread; lock-free.
    pub fn publish_at(&self, frames: u64, block: u64, started: u64) {
        self.write(frames, block, started.max(1));
    }

    /// One publication, as a seqlock's single writer (the audio thread).
    fn write(&self, frames: u64, block: u64, at: u64) {
        let seq = self.shared[4].load(Ordering::Relaxed);
        self.shared[4].store(seq.wrapping_add(1), Ordering::Relaxed);
        std::sync::atomic::fence(Ordering::Release);
        self.shared[2].store(at, Ordering::Relaxed);
        self.shared[1].store(block, Ordering::Relaxed);
        self.shared[0].store(frames, Ordering::Relaxed);
        self.shared[4].store(seq.wrapping_add(2), Ordering::Release);
    }

    /// Publish without a time stamp, for a driver that renders faster than
    /// real time (a test or an offline session): the estimate of now is
    /// then exactly the frames rendered.
    pub fn publish_untimed(&self, frames: u64, block: u64) {
        self.write(frames, block, 0);
    }

    /// The latest published frame count.
    pub fn now(&self) -> u64 {
        self.read().0
    }

    /// Frames, block and time stamp of one publication.
    /// Readers are never the audio thread: one caught mid-publication (the
    /// writer stalled) waits, spinning briefly, then yielding.
    fn read(&self) -> (u64, u64, u64) {
        let mut tries = 0u32;
        loop {
            let s1 = self.shared[4].load(Ordering::Acquire);
            if s1 % 2 == 1 {
                tries += 1;
                if tries > 64 {
                    std::thread::yield_now();
                } else {
                    std::hint::spin_loop();
                }
                continue;
            }
            let frames = self.shared[0].load(Ordering::Relaxed);
            let block = self.shared[1].load(Ordering::Relaxed);
            let at = self.shared[2].load(Ordering::Relaxed);
            std::sync::atomic::fence(Ordering::Acquire);
            if self.shared[4].load(Ordering::Relaxed) == s1 {
                return (frames, block, at);
            }
        }
    }

    /// The length of the last block rendered (0 before the first).
    pub fn block(&self) -> u64 {
        self.read().1
    }

    /// Where "now" is on the frame clock, for stamping an event that should
    /// sound as soon as possible: the first frame not yet rendered plus the
    /// time since the last block began, never more than one block ahead.
    /// A frame stamped so lands in the next block to be rendered, at the
    /// offset the event's arrival had in the current one: one period of
    /// latency, constant whatever the arrival's phase.
    pub fn estimate(&self) -> u64 {
        let (frames, block, at) = self.read();
        if at == 0 || block == 0 {
            return frames;
        }
        let elapsed = monotonic_nanos().saturating_sub(at);
        let ahead = (elapsed as u128 * u128::from(self.rate()) / 1_000_000_000) as u64;
        frames + ahead.min(block)
    }

    /// Where an immediate event (a note with no time) is stamped: the
    /// estimate of now plus a margin of 0.125 ms (for the way from here to
    /// the engine's ring), so that it lands in a block not yet rendered, one
    /// period after its arrival (VCV Rack's way with MIDI).
    pub fn immediate(&self) -> u64 {
        self.estimate() + self.margin()
    }

    /// 0.125 ms in frames (at least one).
    pub fn margin(&self) -> u64 {
        (u64::from(self.rate()) / 8000).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_immediate_event_lands_just_ahead_of_the_estimate_of_now() {
        let clock = AudioClock::with_rate(48_000);
        clock.publish_untimed(48_000, 256);
        assert_eq!(clock.estimate(), 48_000);
        assert_eq!(clock.immediate(), 48_000 + 6);
        clock.publish(96_000, 256);
        std::thread::sleep(std::time::Duration::from_millis(2));
        // About 96 frames have passed since the publication (2 ms), never
        // more than one block.
        let e = clock.estimate();
        assert!((96_000..=96_256).contains(&e), "{e}");
        assert!(e >= 96_000 + 90, "{e}");
        std::thread::sleep(std::time::Duration::from_millis(20));
        assert_eq!(clock.estimate(), 96_256, "capped at one block");
        clock.set_rate(44_100);
        assert_eq!(clock.rate(), 44_100);
    }
}
