//! `filter`: the crate's own state-variable filter ([`crate::filter::Svf`],
//! trapezoidal zero-delay feedback, 12 dB/octave), one per channel, at a
//! fixed cutoff and resonance. The spec has no `mix`: the output is always
//! the filtered signal.

use crate::filter::svf::SvfCoefs;
use crate::filter::{Svf, SvfMode};
use crate::Effect;
use chronus_sequencer::song::{EffectFilterMode, FilterSpec};

/// Stereo resonant filter. `process` is audio-thread safe.
pub struct Filter {
    svfs: [Svf; 2],
    mode: SvfMode,
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
        }
    }
}

impl Effect for Filter {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let [svf_l, svf_r] = &mut self.svfs;
        svf_l.process(left, self.mode);
        svf_r.process(right, self.mode);
    }

    fn reset(&mut self) {
        for svf in &mut self.svfs {
            svf.reset();
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
