//! One smoothing mechanism for every live parameter.
//!
//! A [`Smoothed`] value moves linearly from where it is to a new target over
//! a given number of frames (nih-plug's `Smoother` shape: a target, a step
//! and the steps left). Modules read it per sample ([`Smoothed::next`]) or
//! once per control block ([`Smoothed::advance`]); either way a change never
//! jumps, so a parameter swept by many messages a second makes no zipper
//! noise. Everything here is audio-thread safe.

/// A parameter value that ramps linearly to its target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Smoothed {
    current: f32,
    target: f32,
    step: f32,
    left: u32,
}

impl Smoothed {
    /// A value resting at `value`.
    pub fn new(value: f32) -> Self {
        Smoothed {
            current: value,
            target: value,
            step: 0.0,
            left: 0,
        }
    }

    /// Ramp to `target` over `frames` frames (0: jump at once). A new target
    /// while ramping starts a new ramp from the current value.
    pub fn set(&mut self, target: f32, frames: u32) {
        self.target = target;
        if frames == 0 || !self.current.is_finite() {
            self.current = target;
            self.left = 0;
            self.step = 0.0;
        } else {
            self.left = frames;
            self.step = (target - self.current) / frames as f32;
        }
    }

    /// Jump to `value` at once (no ramp).
    pub fn reset_to(&mut self, value: f32) {
        self.set(value, 0);
    }

    /// The value now.
    #[inline]
    pub fn value(&self) -> f32 {
        self.current
    }

    /// The value being ramped to.
    #[inline]
    pub fn target(&self) -> f32 {
        self.target
    }

    /// True while ramping.
    #[inline]
    pub fn is_smoothing(&self) -> bool {
        self.left > 0
    }

    /// Advance one frame; the value for that frame.
    // Not an `Iterator`: a ramp never ends, and `next` is its natural name.
    #[allow(clippy::should_implement_trait)]
    #[inline]
    pub fn next(&mut self) -> f32 {
        if self.left > 0 {
            self.left -= 1;
            self.current = if self.left == 0 {
                self.target
            } else {
                self.current + self.step
            };
        }
        self.current
    }

    /// Advance `frames` frames at once (control-rate use); the value after them.
    #[inline]
    pub fn advance(&mut self, frames: u32) -> f32 {
        if self.left > 0 {
            if frames >= self.left {
                self.left = 0;
                self.current = self.target;
            } else {
                self.left -= frames;
                self.current += self.step * frames as f32;
            }
        }
        self.current
    }

    /// Fill `out` with the next `out.len()` per-frame values.
    #[inline]
    pub fn fill(&mut self, out: &mut [f32]) {
        if self.left == 0 {
            out.fill(self.current);
        } else {
            for o in out {
                *o = self.next();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramps_linearly_and_lands_exactly() {
        let mut s = Smoothed::new(0.0);
        s.set(1.0, 4);
        let v: Vec<f32> = (0..6).map(|_| s.next()).collect();
        assert_eq!(v, vec![0.25, 0.5, 0.75, 1.0, 1.0, 1.0]);
        assert!(!s.is_smoothing());
    }

    #[test]
    fn advance_equals_stepping() {
        let mut a = Smoothed::new(100.0);
        let mut b = a;
        a.set(900.0, 240);
        b.set(900.0, 240);
        for _ in 0..64 {
            a.next();
        }
        assert!((b.advance(64) - a.value()).abs() < 1e-3);
        assert_eq!(b.advance(1000), 900.0);
    }

    #[test]
    fn retarget_mid_ramp_starts_from_where_it_is() {
        let mut s = Smoothed::new(0.0);
        s.set(1.0, 10);
        for _ in 0..5 {
            s.next();
        }
        let here = s.value();
        s.set(0.0, 5);
        assert!((s.next() - (here - here / 5.0)).abs() < 1e-6);
    }

    #[test]
    fn zero_frames_jumps() {
        let mut s = Smoothed::new(3.0);
        s.set(5.0, 0);
        assert_eq!(s.value(), 5.0);
        assert_eq!(s.next(), 5.0);
    }
}
