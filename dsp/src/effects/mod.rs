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
//! Every effect is a small implementation of our own, for the reasons given
//! in each file (reverb and chorus were fundsp graphs, hosted by
//! `host::FundspStereo`; those designs are kept, for the tests only, as the
//! reference the new ones are measured against).

mod chorus;
mod compressor;
#[cfg(test)]
mod cost;
mod delay;
pub mod distortion;
mod filter;
#[cfg(test)]
mod host;
mod limiter;
mod phaser;
mod reverb;

#[cfg(test)]
pub(crate) mod testutil;

pub use chorus::Chorus;
pub use compressor::Compressor;
pub use delay::Delay;
pub use distortion::Distortion;
pub use filter::Filter;
pub use limiter::Limiter;
pub use phaser::Phaser;
pub use reverb::Reverb;

use crate::smooth::Smoothed;
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

/// A wet/dry crossfade `out = (1 - mix) * dry + mix * wet`, smoothed: a
/// live change of `mix` ramps per frame.
#[derive(Clone, Copy, Debug)]
struct Mix {
    wet: Smoothed,
}

impl Mix {
    /// The crossfade for `mix` 0 (dry) ..= 1 (wet); NaN counts as 0.
    fn new(mix: f64) -> Self {
        let m = if mix > 0.0 { mix.min(1.0) } else { 0.0 };
        Mix {
            wet: Smoothed::new(m as f32),
        }
    }

    /// True when the effect rests fully dry and must leave its input
    /// untouched (it then stands idle).
    fn is_dry(&self) -> bool {
        !self.wet.is_smoothing() && self.wet.value() == 0.0
    }

    /// Ramp to `mix` (already clamped into 0..=1) over `ramp` frames. True
    /// when this leaves a fully dry rest: the effect stood idle and should
    /// start again from a clean state (`reset`), not from stale memory.
    fn set(&mut self, mix: f32, ramp: u32) -> bool {
        let was_dry = self.is_dry();
        self.wet.set(mix, ramp);
        was_dry && !self.is_dry()
    }

    /// Write the wet amount of each of the next `out.len()` frames.
    #[inline]
    fn fill(&mut self, out: &mut [f32]) {
        self.wet.fill(out);
    }

    /// The wet amount of the next frame.
    #[inline(always)]
    fn next(&mut self) -> f32 {
        self.wet.next()
    }
}

/// Blend one sample: `(1 - wet) * dry + wet * processed`.
#[inline(always)]
fn blend(dry: f32, processed: f32, wet: f32) -> f32 {
    (1.0 - wet) * dry + wet * processed
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
    fn live_changes_are_block_size_independent() {
        // Every parameter of every effect set (ramped, then jumped back) at
        // frames where blocks of 64 and of 17 both end.
        let (l, r) = test_signal(72_000);
        for spec in all_specs() {
            let table = spec.params();
            let mut sets = Vec::new();
            for (i, &(name, default, lo, hi)) in table.iter().enumerate() {
                let far = if name == "time" {
                    0.05
                } else {
                    lo + 0.8 * (hi - lo)
                };
                sets.push((1088 * (2 * i + 1), i, far as f32, 240));
                sets.push((1088 * (2 * i + 2), i, default as f32, 0));
            }
            let (l64, r64) = run_with(build(&spec, RATE).as_mut(), &l, &r, 64, &sets);
            let (l17, r17) = run_with(build(&spec, RATE).as_mut(), &l, &r, 17, &sets);
            let d = max_diff(&l64, &l17).max(max_diff(&r64, &r17));
            assert!(
                d <= 1e-6,
                "{}: blocks of 64 and 17 differ by {d}",
                spec.kind()
            );
            let (l0, _) = run(build(&spec, RATE).as_mut(), &l, &r, 64);
            assert!(
                max_diff(&l0, &l64) > 1e-3,
                "{}: the changes are heard",
                spec.kind()
            );
        }
    }

    #[test]
    fn out_of_range_parameters_are_clamped() {
        // 100 s and 7x feedback clamp to the table's 4 s and 0.98; wet only,
        // so the echoes show both: the first at 4 s at full level, the
        // second 4 s later at 0.98 of it, nothing in between, and it decays.
        let spec = EffectSpec::Delay(DelaySpec {
            time: 100.0,
            feedback: 7.0,
            mix: 1.0,
        });
        let mut fx = build(&spec, RATE);
        let n = 8 * RATE as usize + 4_800;
        let (l, _) = run(fx.as_mut(), &impulse(n), &impulse(n), 64);
        let t = 4 * RATE as usize;
        let peak = |a: usize, b: usize| l[a..b].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        assert!(peak(0, t - 10) < 1e-6, "nothing before the first echo");
        let first = peak(t - 10, t + 10);
        let second = peak(2 * t - 10, 2 * t + 10);
        assert!((first - 1.0).abs() < 0.02, "{first}");
        assert!((second / first - 0.98).abs() < 0.01, "{first} {second}");
        assert!(
            peak(t + 10, 2 * t - 10) < 1e-3,
            "nothing between the echoes"
        );
    }

    /// A saw chord (C2 G2 C3 Eb3, naive saws: asymmetric waveforms with no
    /// DC), 5 s, through `spec`: the Blackman-weighted mean of each
    /// channel's last second (by then echoes of the start have died away:
    /// a note starting inside the window would read as DC).
    fn effect_dc(spec: &EffectSpec) -> (f64, f64) {
        let n = 5 * RATE as usize;
        let x: Vec<f32> = (0..n)
            .map(|i| {
                [65.406, 97.999, 130.81, 155.56]
                    .iter()
                    .map(|f| {
                        let p = (i as f64 * f / f64::from(RATE)).fract();
                        (0.2 * (2.0 * p - 1.0)) as f32
                    })
                    .sum()
            })
            .collect();
        let mut fx = build(spec, RATE);
        let (l, r) = run(fx.as_mut(), &x, &x, 64);
        let dc = crate::voices::synth::dc_tests::dc;
        let from = n - RATE as usize;
        (dc(&l[from..]), dc(&r[from..]))
    }

    #[test]
    fn no_effect_at_any_setting_adds_dc() {
        let mut specs = vec![
            EffectSpec::Reverb(ReverbSpec::default()),
            EffectSpec::Delay(DelaySpec::default()),
            EffectSpec::Chorus(ChorusSpec::default()),
            EffectSpec::Phaser(PhaserSpec::default()),
            EffectSpec::Compressor(CompressorSpec::default()),
            EffectSpec::Compressor(CompressorSpec {
                threshold: -40.0,
                ratio: 20.0,
                makeup: 12.0,
                ..CompressorSpec::default()
            }),
        ];
        // The distortion here only undriven: driven, this equal-tempered
        // chord's intermodulation beats at 0.2 Hz, which a one-second window
        // reads as DC. Its own test (`a_driven_saw_chord_leaves_no_dc`)
        // measures DC exactly, on a chord that repeats every 0.4 s.
        specs.push(EffectSpec::Distortion(DistortionSpec {
            drive: 0.0,
            ..DistortionSpec::default()
        }));
        for mode in [
            EffectFilterMode::Lowpass,
            EffectFilterMode::Highpass,
            EffectFilterMode::Bandpass,
        ] {
            for cutoff in [20.0, 400.0, 5_000.0, 20_000.0] {
                for resonance in [0.0, 0.5, 1.0] {
                    specs.push(EffectSpec::Filter(FilterSpec {
                        cutoff,
                        resonance,
                        mode,
                    }));
                }
            }
        }
        let mut worst = 0.0f64;
        for spec in &specs {
            let (l, r) = effect_dc(spec);
            worst = worst.max(l.abs()).max(r.abs());
            assert!(
                l.abs() < 1e-4 && r.abs() < 1e-4,
                "{spec:?}: DC {l:.6} {r:.6}"
            );
        }
        eprintln!("{} effect settings, worst DC {worst:.2e}", specs.len());
    }

    #[test]
    fn a_nan_setting_is_ignored_not_applied() {
        // Live: NaN sent to any parameter of any effect changes nothing.
        let (l, r) = test_signal(24_000);
        for spec in all_specs() {
            let sets: Vec<_> = (0..spec.params().len())
                .map(|i| (1088 * (i + 1), i, f32::NAN, 0))
                .collect();
            let (a, b) = run_with(build(&spec, RATE).as_mut(), &l, &r, 64, &sets);
            let (c, d) = run(build(&spec, RATE).as_mut(), &l, &r, 64);
            assert!(a == c && b == d, "{}: a NaN was applied", spec.kind());
        }
        // In a song, NaN is out of range and takes the bottom of it: a delay
        // of NaN seconds, fully wet, echoes once at the shortest time, 1 ms.
        let spec = EffectSpec::Delay(DelaySpec {
            time: f64::NAN,
            feedback: 0.0,
            mix: 1.0,
        });
        let (l, _) = run(
            build(&spec, RATE).as_mut(),
            &impulse(4_800),
            &impulse(4_800),
            64,
        );
        assert!((l[48] - 1.0).abs() < 1e-6, "{}", l[48]);
        let rest: f32 = l
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != 48)
            .map(|(_, v)| v.abs())
            .sum();
        assert!(rest < 1e-6, "{rest}");
    }
}
