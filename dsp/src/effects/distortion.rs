//! `distortion`: a `tanh` soft clipper, our own: `wet = level × tanh(drive × x)`.
//!
//! The waveshaper is anti-aliased with first-order antiderivative
//! anti-aliasing (ADAA): each output is the mean of `tanh` over the straight
//! line between the previous and the current driven input, i.e. the
//! difference quotient of `ln cosh`, computed in `f64`. That suppresses most
//! of the aliasing a hard-driven `tanh` produces (drive goes to 48 dB) at the
//! cost of half a sample of delay in the wet signal; a mean of `tanh` never
//! exceeds 1, so at `level` 0 dB the output stays within ±1. Silence stays
//! exactly silent.
//!
//! Live: all three parameters ramp per frame, `drive` and `level` in dB (so
//! a sweep is even in loudness).
//!
//! fundsp's `shape(Tanh)` has neither the drive/level
//! parameters nor anti-aliasing, so this is a few lines of our own.

use super::{blend, Mix};
use crate::live::clamp_param;
use crate::math::db_to_gain;
use crate::smooth::Smoothed;
use crate::{Effect, MAX_BLOCK};
use chronus_sequencer::song::DistortionSpec;

/// Below this step (in driven units) the difference quotient is replaced by
/// `tanh` at the midpoint, which is accurate to second order.
const MIN_STEP: f64 = 1e-6;

/// `ln cosh u`, without overflow for large `|u|`.
fn log_cosh(u: f64) -> f64 {
    let a = u.abs();
    a + (-2.0 * a).exp().ln_1p() - std::f64::consts::LN_2
}

/// One channel's ADAA state: the previous driven input and its `ln cosh`.
#[derive(Clone, Copy, Default)]
struct Shaper {
    u: f64,
    f: f64,
}

impl Shaper {
    /// A shaper whose previous input was `u` (as if it had been there).
    fn at(u: f64) -> Self {
        Shaper { u, f: log_cosh(u) }
    }

    #[inline(always)]
    fn tick(&mut self, u: f64) -> f64 {
        let f = log_cosh(u);
        let du = u - self.u;
        let y = if du.abs() > MIN_STEP {
            (f - self.f) / du
        } else {
            (0.5 * (u + self.u)).tanh()
        };
        self.u = u;
        self.f = f;
        y.clamp(-1.0, 1.0)
    }
}

/// Stereo soft-clipping distortion. `process` is audio-thread safe.
pub struct Distortion {
    shapers: [Shaper; 2],
    /// Drive and level gains while they rest.
    drive: f64,
    level: f64,
    drive_db: Smoothed,
    level_db: Smoothed,
    mix: Mix,
    /// Start the shapers from the next input (set when the mix leaves 0, so
    /// the first wet sample does not average `tanh` up from silence).
    prime: bool,
}

/// Write the gain of each of the next `out.len()` frames of `db` into
/// `out`; `rest` is the gain while it does not ramp (updated when a ramp ends).
#[inline]
fn fill_gains(db: &mut Smoothed, rest: &mut f64, out: &mut [f64]) {
    if db.is_smoothing() {
        for o in out.iter_mut() {
            *o = db_to_gain(f64::from(db.next()));
        }
        if !db.is_smoothing() {
            *rest = db_to_gain(f64::from(db.value()));
        }
    } else {
        out.fill(*rest);
    }
}

impl Distortion {
    /// A distortion for `spec` at `rate` Hz.
    pub fn new(spec: &DistortionSpec, _rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("distortion", &mut Vec::new());
        Distortion {
            shapers: [Shaper::default(); 2],
            drive: db_to_gain(s.drive),
            level: db_to_gain(s.level),
            drive_db: Smoothed::new(s.drive as f32),
            level_db: Smoothed::new(s.level as f32),
            mix: Mix::new(s.mix),
            prime: false,
        }
    }
}

impl Effect for Distortion {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.mix.is_dry() {
            return;
        }
        let (mut drive, mut level) = ([0.0f64; MAX_BLOCK], [0.0f64; MAX_BLOCK]);
        let mut wet = [0.0f32; MAX_BLOCK];
        for (l, r) in left.chunks_mut(MAX_BLOCK).zip(right.chunks_mut(MAX_BLOCK)) {
            let n = l.len();
            fill_gains(&mut self.drive_db, &mut self.drive, &mut drive[..n]);
            fill_gains(&mut self.level_db, &mut self.level, &mut level[..n]);
            self.mix.fill(&mut wet[..n]);
            for (buf, shaper) in [l, r].into_iter().zip(&mut self.shapers) {
                if self.prime {
                    *shaper = Shaper::at(drive[0] * f64::from(buf[0]));
                }
                for (i, x) in buf.iter_mut().enumerate() {
                    let y = level[i] * shaper.tick(drive[i] * f64::from(*x));
                    *x = blend(*x, y as f32, wet[i]);
                }
            }
            self.prime = false;
        }
    }

    fn reset(&mut self) {
        self.shapers = [Shaper::default(); 2];
    }

    /// Every parameter ramps over `ramp` frames. Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(DistortionSpec::PARAMS, param, value) {
            Some(("drive", v)) => {
                self.drive_db.set(v, ramp);
                if !self.drive_db.is_smoothing() {
                    self.drive = db_to_gain(f64::from(v));
                }
            }
            Some(("level", v)) => {
                self.level_db.set(v, ramp);
                if !self.level_db.is_smoothing() {
                    self.level = db_to_gain(f64::from(v));
                }
            }
            Some(("mix", v)) => {
                let was_idle = self.mix.set(v, ramp);
                if was_idle {
                    self.prime = true;
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn hard_drive_makes_odd_harmonics_and_stays_within_full_scale() {
        let spec = DistortionSpec {
            drive: 24.0,
            mix: 1.0,
            level: 0.0,
        };
        let x = sine(1000.0, 1.0, 48_000);
        let (l, r) = run(&mut Distortion::new(&spec, RATE), &x, &x, 64);
        let h = |k: f64| tone_amplitude(&l[4800..], 1000.0 * k);
        let (h1, h2, h3, h4, h5) = (h(1.0), h(2.0), h(3.0), h(4.0), h(5.0));
        println!(
            "distortion 24 dB: H3 {:.1} dB, H5 {:.1} dB, H2 {:.1} dB, H4 {:.1} dB re H1; peak {}",
            db(h3 / h1),
            db(h5 / h1),
            db(h2 / h1),
            db(h4 / h1),
            peak(&l)
        );
        assert!(db(h3 / h1) > -15.0 && db(h5 / h1) > -20.0);
        assert!(db(h2 / h1) < -80.0 && db(h4 / h1) < -80.0);
        assert!(peak(&l) <= 1.0 && peak(&r) <= 1.0);
    }

    #[test]
    fn level_scales_and_silence_stays_silent() {
        let spec = DistortionSpec {
            drive: 48.0,
            mix: 1.0,
            level: -6.0,
        };
        let mut fx = Distortion::new(&spec, RATE);
        let (l, _) = run(&mut fx, &[0.0; 1000], &[0.0; 1000], 64);
        assert!(l.iter().all(|&x| x == 0.0));
        let x = sine(100.0, 1.0, 4800);
        let (l, _) = run(&mut fx, &x, &x, 64);
        assert!((peak(&l) - 0.501).abs() < 0.01, "{}", peak(&l));
    }

    #[test]
    fn mix_zero_is_bit_exact() {
        let spec = DistortionSpec {
            mix: 0.0,
            ..Default::default()
        };
        assert_passes_bit_exactly(Distortion::new(&spec, RATE));
    }

    #[test]
    fn block_size_independent() {
        let spec = DistortionSpec {
            mix: 0.7,
            ..Default::default()
        };
        assert_block_independent("distortion", || Box::new(Distortion::new(&spec, RATE)), 0.0);
    }
}
