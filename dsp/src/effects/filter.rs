//! `filter`: the crate's own state-variable filter ([`crate::filter::Svf`],
//! trapezoidal zero-delay feedback, 12 dB/octave), one per channel, at a
//! cutoff and resonance. The spec has no `mix`: the output is always the
//! filtered signal.
//!
//! Live: `cutoff` ramps in octaves and `resonance` linearly, both per frame
//! (new coefficients every frame while either moves; the trapezoidal SVF
//! keeps its state across coefficient changes, so a sweep is smooth).

use crate::filter::svf::SvfCoefs;
use crate::filter::{Svf, SvfMode};
use crate::live::clamp_param;
use crate::smooth::Smoothed;
use crate::Effect;
use chronus_sequencer::song::{EffectFilterMode, FilterSpec};

/// Stereo resonant filter. `process` is audio-thread safe.
pub struct Filter {
    svfs: [Svf; 2],
    mode: SvfMode,
    /// Cutoff in octaves (log2 Hz).
    octaves: Smoothed,
    /// Cutoff in Hz once `octaves` rests.
    cutoff: f32,
    resonance: Smoothed,
    rate: f32,
}

impl Filter {
    /// A filter for `spec` at `rate` Hz (the cutoff is kept below Nyquist).
    pub fn new(spec: &FilterSpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("filter", &mut Vec::new());
        let coefs = SvfCoefs::new(s.cutoff as f32, s.resonance as f32, rate);
        let mode = match s.mode {
            EffectFilterMode::Lowpass => SvfMode::Lowpass,
            EffectFilterMode::Highpass => SvfMode::Highpass,
            EffectFilterMode::Bandpass => SvfMode::Bandpass,
        };
        Filter {
            svfs: [Svf::new(coefs), Svf::new(coefs)],
            mode,
            octaves: Smoothed::new((s.cutoff as f32).log2()),
            cutoff: s.cutoff as f32,
            resonance: Smoothed::new(s.resonance as f32),
            rate,
        }
    }

    fn ramping(&self) -> bool {
        self.octaves.is_smoothing() || self.resonance.is_smoothing()
    }

    /// Step the ramps one frame and set the coefficients for it.
    #[inline]
    fn step(&mut self) {
        let octaves = self.octaves.next();
        let cutoff = if self.octaves.is_smoothing() {
            octaves.exp2()
        } else {
            self.cutoff
        };
        let coefs = SvfCoefs::new(cutoff, self.resonance.next(), self.rate);
        for svf in &mut self.svfs {
            svf.set_coefs(coefs);
        }
    }
}

impl Effect for Filter {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.ramping() {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                self.step();
                let [svf_l, svf_r] = &mut self.svfs;
                *l = svf_l.process_sample(*l, self.mode);
                *r = svf_r.process_sample(*r, self.mode);
            }
            return;
        }
        let [svf_l, svf_r] = &mut self.svfs;
        svf_l.process(left, self.mode);
        svf_r.process(right, self.mode);
    }

    fn reset(&mut self) {
        for svf in &mut self.svfs {
            svf.reset();
        }
    }

    /// `cutoff` and `resonance` ramp over `ramp` frames. Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(FilterSpec::PARAMS, param, value) {
            Some(("cutoff", v)) => {
                self.cutoff = v;
                self.octaves.set(v.log2(), ramp);
            }
            Some(("resonance", v)) => self.resonance.set(v, ramp),
            _ => return,
        }
        if !self.ramping() {
            // A jump (no ramp): set the coefficients now.
            self.octaves.reset_to(self.octaves.target());
            self.step();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    /// Steady-state gain in dB of the filter at `freq` Hz.
    fn gain_db(mode: EffectFilterMode, freq: f64) -> f64 {
        let spec = FilterSpec {
            cutoff: 1000.0,
            resonance: 0.2,
            mode,
        };
        let x = sine(freq, 1.0, 24_000);
        let (l, r) = run(&mut Filter::new(&spec, RATE), &x, &x, 64);
        assert_eq!(l, r);
        db(tone_amplitude(&l[4800..], freq))
    }

    #[test]
    fn lowpass_at_1k_cuts_8k_by_more_than_20_db() {
        let cut = gain_db(EffectFilterMode::Lowpass, 8000.0);
        println!("filter: lowpass 1 kHz, 8 kHz at {cut:.1} dB");
        assert!(cut < -20.0, "{cut}");
        assert!(gain_db(EffectFilterMode::Lowpass, 100.0).abs() < 0.5);
    }

    #[test]
    fn highpass_and_bandpass_respond() {
        assert!(gain_db(EffectFilterMode::Highpass, 125.0) < -20.0);
        assert!(gain_db(EffectFilterMode::Highpass, 10_000.0).abs() < 0.5);
        assert!(gain_db(EffectFilterMode::Bandpass, 1000.0).abs() < 0.5);
        assert!(gain_db(EffectFilterMode::Bandpass, 8000.0) < -12.0);
    }

    #[test]
    fn block_size_independent() {
        let spec = FilterSpec::default();
        assert_block_independent("filter", || Box::new(Filter::new(&spec, RATE)), 0.0);
    }
}
