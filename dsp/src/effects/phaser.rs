//! `phaser`: six first-order all-pass stages per channel with a swept corner
//! frequency and feedback from the last stage to the input; our own.
//!
//! The corner frequency follows a sine LFO at `rate` Hz around 800 Hz,
//! `± 2.5 × depth` octaves (depth 1 sweeps about 140 Hz .. 4.5 kHz); the right
//! channel's LFO runs a quarter cycle ahead, so a mono source comes out wide.
//! Six stages give three notches (at 0.27, 1 and 3.7 × the corner) where the
//! all-passed signal cancels the dry one: `mix` 0.5 gives the deepest notches,
//! `mix` 1 is the pure all-pass (audible through the feedback resonances).
//!
//! Live: all four parameters ramp per frame (`rate` changes the LFO's speed,
//! never its phase, so a new rate does not jump the sweep).
//!
//! Why not fundsp: its `phaser` ties the wet level to the feedback amount
//! (feedback 0 outputs only the dry signal) and sweeps a delay given in
//! samples, so it cannot honour separate `feedback` and `mix` parameters.

use super::{blend, Mix};
use crate::live::clamp_param;
use crate::smooth::Smoothed;
use crate::Effect;
use chronus_sequencer::song::PhaserSpec;
use std::f64::consts::TAU;

/// Number of all-pass stages per channel.
const STAGES: usize = 6;
/// Centre of the sweep in Hz.
const CENTRE_HZ: f32 = 800.0;
/// Sweep half-width in octaves at `depth = 1`.
const MAX_OCTAVES: f32 = 2.5;
/// Frames between the points where the all-pass coefficients are computed
/// exactly; between them they move in a straight line. At the fastest
/// rate (10 Hz) a segment is 1/300 of a cycle, and the line strays from
/// the curve by less than 4e-5 in the coefficient (tested); computing
/// `sin`, `cos`, `exp2` and `tan` per sample cost 13% of the ambient demo
/// song's render.
const SEGMENT: u32 = 16;

/// One channel's all-pass chain.
#[derive(Clone, Copy, Default)]
struct Chain {
    state: [f32; STAGES],
    last: f32,
}

impl Chain {
    /// Filter one sample through all stages with coefficient `a`, feeding
    /// back `feedback ×` the previous output.
    #[inline(always)]
    fn tick(&mut self, x: f32, a: f32, feedback: f32) -> f32 {
        let mut v = x + feedback * self.last;
        for s in &mut self.state {
            let y = a * v + *s;
            *s = v - a * y;
            v = y;
        }
        self.last = v;
        v
    }
}

/// Stereo phaser. `process` is audio-thread safe.
pub struct Phaser {
    chains: [Chain; 2],
    /// LFO phase in cycles, 0..1.
    phase: f64,
    /// LFO phase increment per frame while `rate` rests.
    step: f64,
    /// LFO rate in Hz.
    rate: Smoothed,
    /// Sample rate in Hz.
    sample_rate: f64,
    /// Sweep half-width in octaves.
    octaves: Smoothed,
    feedback: Smoothed,
    /// π / sample rate, for the corner-frequency warping.
    pi_over_rate: f32,
    /// Highest corner frequency, kept below Nyquist.
    max_hz: f32,
    mix: Mix,
    /// This frame's all-pass coefficient per channel, and its step a frame
    /// towards the next segment point.
    a: [f32; 2],
    da: [f32; 2],
    /// Frames until the next segment point (0: compute it now).
    until: u32,
}

impl Phaser {
    /// A phaser for `spec` at `rate` Hz.
    pub fn new(spec: &PhaserSpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("phaser", &mut Vec::new());
        Phaser {
            chains: [Chain::default(); 2],
            phase: 0.0,
            step: s.rate / f64::from(rate),
            rate: Smoothed::new(s.rate as f32),
            sample_rate: f64::from(rate),
            octaves: Smoothed::new(s.depth as f32 * MAX_OCTAVES),
            feedback: Smoothed::new(s.feedback as f32),
            pi_over_rate: std::f32::consts::PI / rate,
            max_hz: 0.45 * rate,
            mix: Mix::new(s.mix),
            a: [0.0; 2],
            da: [0.0; 2],
            until: 0,
        }
    }

    /// The coefficients (left, right) at LFO phase `phase` (cycles).
    fn coefs(&self, phase: f64, octaves: f32) -> [f32; 2] {
        let (sin, cos) = (TAU * phase).sin_cos();
        [
            self.coef(sin as f32, octaves),
            self.coef(cos as f32, octaves),
        ]
    }

    /// Start a segment: the coefficients now, exact, and their steps
    /// towards where the LFO will be `SEGMENT` frames on at today's rate.
    fn start_segment(&mut self, octaves: f32) {
        let now = self.coefs(self.phase, octaves);
        let ahead = self.coefs(self.phase + self.step * f64::from(SEGMENT), octaves);
        self.a = now;
        for c in 0..2 {
            self.da[c] = (ahead[c] - now[c]) / SEGMENT as f32;
        }
        self.until = SEGMENT;
    }

    /// All-pass coefficient for LFO value `lfo` in -1..1 and a sweep of
    /// `octaves`.
    #[inline(always)]
    fn coef(&self, lfo: f32, octaves: f32) -> f32 {
        let hz = (CENTRE_HZ * (octaves * lfo).exp2()).min(self.max_hz);
        let t = (self.pi_over_rate * hz).tan();
        (t - 1.0) / (t + 1.0)
    }
}

impl Effect for Phaser {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.mix.is_dry() {
            return;
        }
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let octaves = self.octaves.next();
            let feedback = self.feedback.next();
            let wet = self.mix.next();
            if self.until == 0 {
                self.start_segment(octaves);
            }
            let [a_l, a_r] = self.a;
            let [chain_l, chain_r] = &mut self.chains;
            *l = blend(*l, chain_l.tick(*l, a_l, feedback), wet);
            *r = blend(*r, chain_r.tick(*r, a_r, feedback), wet);
            self.a = [a_l + self.da[0], a_r + self.da[1]];
            self.until -= 1;
            if self.rate.is_smoothing() {
                self.step = f64::from(self.rate.next()) / self.sample_rate;
            }
            self.phase += self.step;
            if self.phase >= 1.0 {
                self.phase -= 1.0;
            }
        }
    }

    fn reset(&mut self) {
        self.chains = [Chain::default(); 2];
        self.phase = 0.0;
        self.until = 0;
    }

    /// Every parameter ramps over `ramp` frames. Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(PhaserSpec::PARAMS, param, value) {
            Some(("rate", v)) => {
                self.rate.set(v, ramp);
                if !self.rate.is_smoothing() {
                    self.step = f64::from(v) / self.sample_rate;
                }
            }
            Some(("depth", v)) => self.octaves.set(v * MAX_OCTAVES, ramp),
            Some(("feedback", v)) => self.feedback.set(v, ramp),
            Some(("mix", v)) => {
                let was_idle = self.mix.set(v, ramp);
                if was_idle {
                    self.reset();
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
    fn notches_sweep_through_a_steady_tone() {
        // A 1 kHz tone through a 1 Hz sweep, amplitude measured every 10 ms:
        // the notch passes over it (deep dips) and moves away (near unity).
        let spec = PhaserSpec {
            rate: 1.0,
            depth: 1.0,
            feedback: 0.0,
            mix: 0.5,
        };
        let x = sine(1000.0, 1.0, 96_000);
        let (l, r) = run(&mut Phaser::new(&spec, RATE), &x, &x, 64);
        let amps: Vec<f64> = l[48_000..]
            .chunks(480)
            .map(|c| tone_amplitude(c, 1000.0))
            .collect();
        let max = amps.iter().cloned().fold(0.0, f64::max);
        let min = amps.iter().cloned().fold(f64::MAX, f64::min);
        println!("phaser: 1 kHz tone amplitude over a sweep {min:.3} .. {max:.3}");
        assert!(max > 0.9 && min < 0.1, "{min} {max}");
        assert!(max_diff(&l, &r) > 0.1, "channels sweep in quadrature");
        assert!(
            peak(&l) <= 1.02 && peak(&r) <= 1.02,
            "{} {}",
            peak(&l),
            peak(&r)
        );
    }

    #[test]
    fn feedback_stays_bounded() {
        let spec = PhaserSpec {
            rate: 5.0,
            depth: 1.0,
            feedback: 0.95,
            mix: 1.0,
        };
        let x = noise(3, 1.0, 96_000);
        let (l, r) = run(&mut Phaser::new(&spec, RATE), &x, &x, 64);
        let p = peak(&l).max(peak(&r));
        println!("phaser: peak with feedback 0.95 on full-scale noise {p:.2}");
        assert!(p.is_finite() && p > 0.5 && p < 40.0, "{p}");
        assert!(max_diff(&l, &x) > 0.1);
    }

    #[test]
    fn segments_follow_the_exact_sweep() {
        // The fastest, widest sweep: the straight segments against the
        // coefficient computed exactly at every frame.
        let spec = PhaserSpec {
            rate: 10.0,
            depth: 1.0,
            feedback: 0.5,
            mix: 0.5,
        };
        let mut fx = Phaser::new(&spec, RATE);
        let octaves = MAX_OCTAVES;
        let mut worst = 0.0f32;
        for _ in 0..48_000 {
            if fx.until == 0 {
                fx.start_segment(octaves);
            }
            let exact = fx.coefs(fx.phase, octaves);
            for (a, e) in fx.a.iter().zip(exact) {
                worst = worst.max((a - e).abs());
            }
            fx.a = [fx.a[0] + fx.da[0], fx.a[1] + fx.da[1]];
            fx.until -= 1;
            fx.phase = (fx.phase + fx.step).fract();
        }
        println!("phaser: largest coefficient error of the segments {worst:.2e}");
        assert!(worst < 4e-5, "{worst}");
    }

    #[test]
    fn mix_zero_is_bit_exact() {
        let spec = PhaserSpec {
            mix: 0.0,
            ..Default::default()
        };
        assert_passes_bit_exactly(Phaser::new(&spec, RATE));
    }

    #[test]
    fn block_size_independent() {
        let spec = PhaserSpec::default();
        assert_block_independent("phaser", || Box::new(Phaser::new(&spec, RATE)), 0.0);
    }
}
