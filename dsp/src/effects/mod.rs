//! Insert effects (one file each) and the master [`Limiter`].
//!
//! Every effect is built on a control thread by [`build`] (which allocates
//! all its memory) and then runs on the audio thread: each `process` and
//! `reset` is audio-thread safe (no allocation, locks, logging or system
//! calls) and deterministic (any randomness is seeded).
//!
//! Parameters are the song file's documented meanings (see
//! `chronus_sequencer::song::effect`); out-of-range values are clamped into
//! the documented ranges. Wherever an effect has a `mix`, it is a wet/dry
//! crossfade `out = (1 - mix) * dry + mix * wet`, and `mix = 0` passes the
//! input through bit-exactly.
//!
//! Reverb and chorus are fundsp graphs (hosted by `host::FundspStereo`); the
//! others are small implementations of our own, for the reasons given in each
//! file.

mod chorus;
mod compressor;
mod delay;
mod distortion;
mod filter;
mod host;
mod limiter;
mod phaser;
mod reverb;

#[cfg(test)]
mod testutil;

pub use chorus::Chorus;
pub use compressor::Compressor;
pub use delay::Delay;
pub use distortion::Distortion;
pub use filter::Filter;
pub use limiter::Limiter;
pub use phaser::Phaser;
pub use reverb::Reverb;

use crate::Effect;
use chronus_sequencer::song::EffectSpec;

/// Build the effect for `spec` at `rate` Hz, with all its memory allocated.
/// Not audio-thread safe (it allocates); call it on a control thread.
pub fn build(spec: &EffectSpec, rate: f32) -> Box<dyn Effect> {
    match spec {
        EffectSpec::Reverb(s) => Box::new(Reverb::new(s, rate)),
        EffectSpec::Delay(s) => Box::new(Delay::new(s, rate)),
        EffectSpec::Chorus(s) => Box::new(Chorus::new(s, rate)),
        EffectSpec::Phaser(s) => Box::new(Phaser::new(s, rate)),
        EffectSpec::Distortion(s) => Box::new(Distortion::new(s, rate)),
        EffectSpec::Compressor(s) => Box::new(Compressor::new(s, rate)),
        EffectSpec::Filter(s) => Box::new(Filter::new(s, rate)),
    }
}

/// A wet/dry crossfade: `out = dry_gain * dry + wet_gain * wet`.
#[derive(Clone, Copy, Debug)]
struct Mix {
    dry: f32,
    wet: f32,
}

impl Mix {
    /// The crossfade for `mix` 0 (dry) ..= 1 (wet); NaN counts as 0.
    fn new(mix: f64) -> Self {
        let m = if mix > 0.0 { mix.min(1.0) } else { 0.0 };
        Mix {
            dry: (1.0 - m) as f32,
            wet: m as f32,
        }
    }

    /// True when the effect is fully dry and must leave its input untouched.
    fn is_dry(self) -> bool {
        self.wet == 0.0
    }

    /// Blend one sample.
    #[inline(always)]
    fn apply(self, dry: f32, wet: f32) -> f32 {
        self.dry * dry + self.wet * wet
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::*;
    use super::*;
    use chronus_sequencer::song::*;

    fn all_specs() -> Vec<EffectSpec> {
        vec![
            EffectSpec::Reverb(ReverbSpec::default()),
            EffectSpec::Delay(DelaySpec::default()),
            EffectSpec::Chorus(ChorusSpec::default()),
            EffectSpec::Phaser(PhaserSpec::default()),
            EffectSpec::Distortion(DistortionSpec::default()),
            EffectSpec::Compressor(CompressorSpec::default()),
            EffectSpec::Filter(FilterSpec::default()),
        ]
    }

    #[test]
    fn build_makes_every_effect_and_they_are_block_size_independent() {
        for spec in all_specs() {
            assert_block_independent(spec.kind(), || build(&spec, RATE), 1e-6);
        }
    }

    #[test]
    fn out_of_range_parameters_are_clamped() {
        let spec = EffectSpec::Delay(DelaySpec {
            time: 100.0,
            feedback: 7.0,
            mix: f64::NAN,
        });
        let mut fx = build(&spec, RATE);
        let (l, _) = run(fx.as_mut(), &impulse(1000), &impulse(1000), 64);
        assert_eq!(l[0], 1.0);
    }
}
