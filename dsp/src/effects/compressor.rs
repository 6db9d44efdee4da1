//! `compressor`: a feed-forward, stereo-linked RMS compressor, our own
//! (fundsp has no threshold/ratio/makeup compressor).
//!
//! 1. Level: the mean square of both channels, averaged over a 5 ms window,
//!    in dB referenced so that a sine of peak `A` reads `20 log10 A` dBFS
//!    (i.e. RMS + 3 dB): the threshold compares directly with a tone's peak.
//! 2. Gain computer (hard knee): `reduction = (level - threshold) × (1 - 1/ratio)`
//!    dB above the threshold, 0 below.
//! 3. Ballistics on the reduction in dB: one-pole towards a larger reduction
//!    with time constant `attack`, towards a smaller one with `release`.
//! 4. `out = x × 10^((makeup - reduction) / 20)` (the spec has no `mix`),
//!    so silence stays exactly silent.
//! 5. AC coupling: a one-pole high-pass at [`crate::filter::DC_CORNER`] Hz. A gain that
//!    follows the level within a few milliseconds moves with the signal's
//!    low notes and their beats, and a gain moving at a frequency the signal
//!    has, times the signal, is DC: a saw chord on C2 at the defaults
//!    measured 3.3e-4 (-70 dBFS) of it. The corner leaves the audible band
//!    untouched (-0.26 dB at 20 Hz).
//!
//! Live: `threshold`, `ratio` (as the slope `1 - 1/ratio`) and `makeup` ramp
//! per frame; new `attack` and `release` times apply at once (the ballistics
//! carry on from the current reduction at the new rate, which never jumps).

use crate::live::clamp_param;
use crate::math::one_pole_coef;
use crate::smooth::Smoothed;
use crate::Effect;
use chronus_sequencer::song::CompressorSpec;

/// Averaging time of the RMS detector, in seconds.
const RMS_WINDOW: f64 = 0.005;

/// The gain computer's slope `1 - 1/ratio` for `ratio` ≥ 1.
fn slope(ratio: f64) -> f32 {
    (1.0 - 1.0 / ratio) as f32
}

/// Stereo compressor. `process` is audio-thread safe.
pub struct Compressor {
    threshold_db: Smoothed,
    /// `1 - 1/ratio`.
    slope: Smoothed,
    makeup_db: Smoothed,
    rate: f64,
    rms_coef: f32,
    attack_coef: f32,
    release_coef: f32,
    /// Mean square (times 2, so a sine reads its peak level).
    mean_square: f32,
    /// Current gain reduction in dB (≥ 0).
    reduction_db: f32,
    /// The output's DC blockers, left and right.
    dc: [crate::filter::DcBlocker; 2],
}

impl Compressor {
    /// A compressor for `spec` at `rate` Hz.
    pub fn new(spec: &CompressorSpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("compressor", &mut Vec::new());
        let rate = f64::from(rate);
        Compressor {
            threshold_db: Smoothed::new(s.threshold as f32),
            slope: Smoothed::new(slope(s.ratio)),
            makeup_db: Smoothed::new(s.makeup as f32),
            rate,
            rms_coef: one_pole_coef(RMS_WINDOW, rate),
            attack_coef: one_pole_coef(s.attack, rate),
            release_coef: one_pole_coef(s.release, rate),
            mean_square: 0.0,
            reduction_db: 0.0,
            dc: [crate::filter::DcBlocker::new(rate); 2],
        }
    }

    /// The current gain reduction in dB (0 when not compressing).
    pub fn gain_reduction_db(&self) -> f32 {
        self.reduction_db
    }
}

impl Effect for Compressor {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        const DB_TO_LN: f32 = std::f32::consts::LN_10 / 20.0;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let square = *l * *l + *r * *r; // = 2 × mean of the two squares
            self.mean_square = square + self.rms_coef * (self.mean_square - square);
            let level_db = 10.0 * self.mean_square.max(1e-20).log10();
            let threshold_db = self.threshold_db.next();
            let slope = self.slope.next();
            let makeup_db = self.makeup_db.next();
            let target = (level_db - threshold_db).max(0.0) * slope;
            let coef = if target > self.reduction_db {
                self.attack_coef
            } else {
                self.release_coef
            };
            self.reduction_db = target + coef * (self.reduction_db - target);
            let gain = ((makeup_db - self.reduction_db) * DB_TO_LN).exp();
            *l = self.dc[0].tick(*l * gain);
            *r = self.dc[1].tick(*r * gain);
        }
    }

    fn reset(&mut self) {
        self.mean_square = 0.0;
        self.reduction_db = 0.0;
        self.dc.iter_mut().for_each(crate::filter::DcBlocker::reset);
    }

    /// `threshold`, `ratio` and `makeup` ramp over `ramp` frames; `attack`
    /// and `release` apply at once. Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(CompressorSpec::PARAMS, param, value) {
            Some(("threshold", v)) => self.threshold_db.set(v, ramp),
            Some(("ratio", v)) => self.slope.set(slope(f64::from(v)), ramp),
            Some(("makeup", v)) => self.makeup_db.set(v, ramp),
            Some(("attack", v)) => self.attack_coef = one_pole_coef(f64::from(v), self.rate),
            Some(("release", v)) => self.release_coef = one_pole_coef(f64::from(v), self.rate),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    /// Output/input level in dB of a steady 1 kHz sine of peak `amp` after 1 s.
    fn steady_gain_db(spec: &CompressorSpec, amp: f64) -> f64 {
        let x = sine(1000.0, amp, 48_000);
        let (l, r) = run(&mut Compressor::new(spec, RATE), &x, &x, 64);
        assert_eq!(l, r);
        db(tone_amplitude(&l[38_400..], 1000.0) / amp)
    }

    #[test]
    fn sine_20_db_over_threshold_at_4_to_1_loses_15_db() {
        let spec = CompressorSpec {
            threshold: -20.0,
            ratio: 4.0,
            attack: 0.005,
            release: 0.1,
            makeup: 0.0,
        };
        let g = steady_gain_db(&spec, 1.0);
        println!("compressor: 0 dBFS sine, threshold -20, 4:1 -> {g:.2} dB");
        assert!((g + 15.0).abs() < 1.5, "{g}");
        let with_makeup = steady_gain_db(
            &CompressorSpec {
                makeup: 6.0,
                ..spec.clone()
            },
            1.0,
        );
        assert!((with_makeup + 9.0).abs() < 1.5, "{with_makeup}");
        let below = steady_gain_db(&spec, 0.05);
        assert!(below.abs() < 0.05, "{below}");
    }

    #[test]
    fn attack_and_release_take_their_time() {
        let spec = CompressorSpec {
            threshold: -20.0,
            ratio: 20.0,
            attack: 0.05,
            release: 0.5,
            makeup: 0.0,
        };
        let mut fx = Compressor::new(&spec, RATE);
        let x = sine(1000.0, 1.0, 24_000);
        run(&mut fx, &x[..480], &x[..480], 64);
        let early = fx.gain_reduction_db();
        run(&mut fx, &x, &x, 64);
        let settled = fx.gain_reduction_db();
        run(&mut fx, &[0.0; 4800], &[0.0; 4800], 64);
        let released = fx.gain_reduction_db();
        assert!(early < 0.5 * settled, "{early} {settled}");
        assert!(
            settled > 18.0 && released > 0.5 * settled && released < 0.9 * settled,
            "{settled} {released}"
        );
    }

    #[test]
    fn block_size_independent() {
        let spec = CompressorSpec::default();
        assert_block_independent("compressor", || Box::new(Compressor::new(&spec, RATE)), 0.0);
    }
}
