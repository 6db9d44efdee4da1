//! A sound finishing on its own (a removed reverb ringing out, a replaced
//! instrument's last notes): it may go on for a while, and is faded out
//! when its time runs out.

use chronus_dsp::smooth::Smoothed;

/// Peak under which a tail counts as quiet (-120 dBFS).
pub const QUIET: f32 = 1e-6;

/// Frames a tail must stay quiet before it counts as finished.
pub const QUIET_FRAMES: u32 = 4096;

/// The time left to a tail, its quiet frames and its output gain.
#[derive(Clone, Copy, Debug)]
pub struct Tail {
    left: u64,
    quiet: u32,
    gain: Smoothed,
}

impl Tail {
    /// A tail that may last `frames` frames before it is faded.
    pub fn new(frames: u64) -> Self {
        Tail {
            left: frames,
            quiet: 0,
            gain: Smoothed::new(1.0),
        }
    }

    /// Advance `gains.len()` frames, filling `gains` with the output gain
    /// of each (1, falling to 0 over `fade` frames once time runs out).
    /// Audio thread safe.
    pub fn gains(&mut self, gains: &mut [f32], fade: u32) {
        self.left = self.left.saturating_sub(gains.len() as u64);
        if self.left == 0 && self.gain.target() > 0.0 {
            self.gain.set(0.0, fade);
        }
        self.gain.fill(gains);
    }

    /// Note a block of `frames` frames whose peak (after the gain) was
    /// `peak`; true once the tail has been quiet long enough or faded out.
    pub fn done(&mut self, peak: f32, frames: usize) -> bool {
        if peak < QUIET {
            self.quiet = self.quiet.saturating_add(frames as u32);
        } else {
            self.quiet = 0;
        }
        self.quiet >= QUIET_FRAMES || self.faded()
    }

    /// Fade out now, over `fade` frames (another sound needs the place).
    pub fn fade_now(&mut self, fade: u32) {
        self.left = 0;
        if self.gain.target() > 0.0 {
            self.gain.set(0.0, fade);
        }
    }

    /// True once the gain has reached 0.
    pub fn faded(&self) -> bool {
        self.gain.value() == 0.0 && !self.gain.is_smoothing()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tail_ends_when_quiet_or_after_its_time_with_a_fade() {
        let mut t = Tail::new(1000);
        let mut g = [0.0f32; 64];
        t.gains(&mut g, 100);
        assert!(g.iter().all(|x| *x == 1.0));
        assert!(!t.done(0.5, 64));
        for _ in 0..64 {
            assert!(!t.done(0.0, 63));
        }
        assert!(t.done(0.0, 64));
        let mut t = Tail::new(64);
        t.gains(&mut g, 100);
        let mut h = [0.0f32; 128];
        t.gains(&mut h, 100);
        assert!(h[0] < 1.0 && h[99] == 0.0, "{:?}", &h[..4]);
        assert!(t.done(1.0, 128));
    }
}
