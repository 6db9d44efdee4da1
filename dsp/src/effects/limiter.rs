//! The master limiter: stereo-linked, zero latency (no lookahead), ceiling
//! -1 dBFS; our own (fundsp's `limiter_stereo` delays the signal by its
//! lookahead, which would move every onset).
//!
//! Per frame: the gain first recovers towards 1 (one-pole on the amount of
//! reduction, 100 ms time constant); if the louder channel times that gain
//! would exceed the ceiling, the gain drops at once to `ceiling / peak`. The
//! output is clamped to the ceiling as a guard against rounding. Once the
//! reduction has decayed below 1e-6 (-0.00001 dB) the gain snaps to exactly
//! 1, and with no reduction samples at or below the ceiling are passed
//! through untouched: quiet material is bit-exact and digital silence stays
//! exactly zero.

use crate::math::one_pole_coef;
use crate::Effect;

/// The output ceiling: -1 dBFS.
const CEILING: f32 = Limiter::CEILING;
/// Recovery time constant in seconds.
const RELEASE: f64 = 0.1;
/// Reductions smaller than this snap to none.
const SNAP: f32 = 1e-6;

/// Stereo-linked zero-latency peak limiter. `process` is audio-thread safe.
#[derive(Clone, Debug)]
pub struct Limiter {
    /// `1 - gain`, in 0..1.
    reduction: f32,
    release_coef: f32,
}

impl Limiter {
    /// The output ceiling, -1 dBFS (`10^(-1/20)`).
    pub const CEILING: f32 = 0.891_250_9;

    /// A limiter at `rate` Hz with no gain reduction.
    pub fn new(rate: f32) -> Self {
        Limiter {
            reduction: 0.0,
            release_coef: one_pole_coef(RELEASE, f64::from(rate)),
        }
    }

    /// Limit a stereo block in place (any length; `left.len() == right.len()`).
    /// Frames whose samples are not finite are replaced by silence.
    /// Audio-thread safe.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            if !(l.is_finite() && r.is_finite()) {
                (*l, *r) = (0.0, 0.0);
                continue;
            }
            let peak = l.abs().max(r.abs());
            self.reduction *= self.release_coef;
            if self.reduction < SNAP {
                self.reduction = 0.0;
            }
            let mut gain = 1.0 - self.reduction;
            if peak * gain > CEILING {
                gain = CEILING / peak;
                self.reduction = 1.0 - gain;
            }
            if self.reduction != 0.0 {
                *l = (*l * gain).clamp(-CEILING, CEILING);
                *r = (*r * gain).clamp(-CEILING, CEILING);
            }
        }
    }

    /// Clear the gain reduction. Audio-thread safe.
    pub fn reset(&mut self) {
        self.reduction = 0.0;
    }

    /// The current gain reduction in dB, as a non-negative number
    /// (0 = passing through, 6 = the gain is -6 dB).
    pub fn gain_reduction_db(&self) -> f32 {
        if self.reduction == 0.0 {
            return 0.0;
        }
        -20.0 * (1.0 - self.reduction).log10()
    }
}

impl Effect for Limiter {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        Limiter::process(self, left, right);
    }

    fn reset(&mut self) {
        Limiter::reset(self);
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    fn bits(v: &[f32]) -> Vec<u32> {
        v.iter().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn ceiling_is_minus_one_dbfs() {
        assert!((db(f64::from(CEILING)) + 1.0).abs() < 1e-6);
        const { assert!(CEILING < 0.8913) };
    }

    #[test]
    fn loud_sine_never_exceeds_the_ceiling() {
        let mut lim = Limiter::new(RATE);
        for freq in [50.0, 1000.0, 9000.0] {
            let x = sine(freq, 2.0, 48_000); // +6 dBFS
            let y = sine(freq * 1.01, 2.0, 48_000);
            let (l, r) = run(&mut lim, &x, &y, 64);
            let p = peak(&l).max(peak(&r));
            println!(
                "limiter: +6 dBFS {freq} Hz -> peak {p}, reduction {:.2} dB",
                lim.gain_reduction_db()
            );
            assert!(p <= CEILING, "{p}");
            assert!(p > 0.85);
        }
        assert!(lim.gain_reduction_db() > 5.0);
    }

    #[test]
    fn quiet_material_and_silence_pass_bit_exactly() {
        let mut lim = Limiter::new(RATE);
        let x = sine(440.0, 0.316, 48_000); // -10 dBFS
        let n = noise(5, 0.3, 48_000);
        let (l, r) = run(&mut lim, &x, &n, 64);
        assert_eq!(bits(&l), bits(&x));
        assert_eq!(bits(&r), bits(&n));
        let (l, r) = run(&mut lim, &[0.0; 4800], &[-0.0; 4800], 64);
        assert_eq!(bits(&l), bits(&[0.0; 4800]));
        assert_eq!(bits(&r), bits(&[-0.0; 4800]));
        assert_eq!(lim.gain_reduction_db(), 0.0);
    }

    #[test]
    fn gain_drops_on_the_exact_frame_and_recovers_to_exactly_one() {
        let mut lim = Limiter::new(RATE);
        let mut l = vec![0.5f32; 96_000];
        l[1000] = 4.0;
        let r = l.clone();
        let (out, _) = run(&mut lim, &l, &r, 64);
        assert_eq!(&out[..1000], &l[..1000], "untouched before the peak");
        assert!(
            (out[1000] - CEILING).abs() < 1e-6,
            "limited on its own frame"
        );
        let g = |i: usize| out[i] / 0.5;
        assert!((g(1001) - CEILING / 4.0).abs() < 1e-3);
        // About 63% of the reduction recovered after 100 ms, smoothly.
        let recovered = (g(1000 + 4800) - g(1001)) / (1.0 - g(1001));
        assert!((recovered - 0.632).abs() < 0.01, "{recovered}");
        assert!((1002..20_000).all(|i| g(i) >= g(i - 1)));
        // After about 1.3 s the gain is exactly 1 again.
        assert_eq!(bits(&out[70_000..]), bits(&l[70_000..]));
        assert_eq!(lim.gain_reduction_db(), 0.0);
    }

    #[test]
    fn non_finite_input_becomes_silence() {
        let mut lim = Limiter::new(RATE);
        let (mut l, mut r) = ([f32::NAN, f32::INFINITY, 0.5], [0.1, 0.1, 0.5]);
        lim.process(&mut l, &mut r);
        assert_eq!((l, r), ([0.0, 0.0, 0.5], [0.0, 0.0, 0.5]));
    }

    #[test]
    fn block_size_independent() {
        assert_block_independent("limiter", || Box::new(Limiter::new(RATE)), 0.0);
    }
}
