//! Effect specifications (`effects:` lists in songs).

use super::params::spec;
use super::Warning;
use serde::{Deserialize, Serialize};

/// One insert effect, selected by `type:`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum EffectSpec {
    /// Stereo algorithmic reverb.
    Reverb(ReverbSpec),
    /// Feedback delay (echo).
    Delay(DelaySpec),
    /// Modulated-delay chorus.
    Chorus(ChorusSpec),
    /// All-pass phaser.
    Phaser(PhaserSpec),
    /// Waveshaping distortion.
    Distortion(DistortionSpec),
    /// Feed-forward RMS compressor.
    Compressor(CompressorSpec),
    /// Resonant state-variable filter.
    Filter(FilterSpec),
}

impl EffectSpec {
    /// Whether changing numeric parameter `name` rebuilds the effect (its
    /// memory is sized from it) rather than reaching it while it runs: a
    /// reverb's `size`.
    pub fn rebuilds(&self, name: &str) -> bool {
        matches!((self, name), (EffectSpec::Reverb(_), "size"))
    }

    /// The effect's name as written in songs.
    pub fn kind(&self) -> &'static str {
        match self {
            EffectSpec::Reverb(_) => "reverb",
            EffectSpec::Delay(_) => "delay",
            EffectSpec::Chorus(_) => "chorus",
            EffectSpec::Phaser(_) => "phaser",
            EffectSpec::Distortion(_) => "distortion",
            EffectSpec::Compressor(_) => "compressor",
            EffectSpec::Filter(_) => "filter",
        }
    }

    /// Every effect name, in the order of the enum.
    pub const KINDS: [&'static str; 7] = [
        "reverb",
        "delay",
        "chorus",
        "phaser",
        "distortion",
        "compressor",
        "filter",
    ];

    /// The default effect called `kind` (`None` for an unknown one).
    pub fn default_of(kind: &str) -> Option<EffectSpec> {
        Some(match kind {
            "reverb" => EffectSpec::Reverb(ReverbSpec::default()),
            "delay" => EffectSpec::Delay(DelaySpec::default()),
            "chorus" => EffectSpec::Chorus(ChorusSpec::default()),
            "phaser" => EffectSpec::Phaser(PhaserSpec::default()),
            "distortion" => EffectSpec::Distortion(DistortionSpec::default()),
            "compressor" => EffectSpec::Compressor(CompressorSpec::default()),
            "filter" => EffectSpec::Filter(FilterSpec::default()),
            _ => return None,
        })
    }

    /// The numeric parameters as `(name, default, min, max)`.
    pub fn params(&self) -> &'static [(&'static str, f64, f64, f64)] {
        match self {
            EffectSpec::Reverb(_) => ReverbSpec::PARAMS,
            EffectSpec::Delay(_) => DelaySpec::PARAMS,
            EffectSpec::Chorus(_) => ChorusSpec::PARAMS,
            EffectSpec::Phaser(_) => PhaserSpec::PARAMS,
            EffectSpec::Distortion(_) => DistortionSpec::PARAMS,
            EffectSpec::Compressor(_) => CompressorSpec::PARAMS,
            EffectSpec::Filter(_) => FilterSpec::PARAMS,
        }
    }

    /// The settings that are choices, as `(key, choices, default)`.
    pub fn choices(&self) -> &'static [(&'static str, &'static [&'static str], &'static str)] {
        match self {
            EffectSpec::Filter(_) => &[("mode", &["lowpass", "highpass", "bandpass"], "lowpass")],
            _ => &[],
        }
    }

    /// Clamp all parameters into range, with a warning per change.
    pub fn clamp(&mut self, path: &str, warnings: &mut Vec<Warning>) {
        match self {
            EffectSpec::Reverb(s) => s.clamp(path, warnings),
            EffectSpec::Delay(s) => s.clamp(path, warnings),
            EffectSpec::Chorus(s) => s.clamp(path, warnings),
            EffectSpec::Phaser(s) => s.clamp(path, warnings),
            EffectSpec::Distortion(s) => s.clamp(path, warnings),
            EffectSpec::Compressor(s) => s.clamp(path, warnings),
            EffectSpec::Filter(s) => s.clamp(path, warnings),
        }
    }
}

spec! {
    /// `reverb`: stereo algorithmic reverb.
    ReverbSpec {
        /// Wet/dry mix, 0 dry .. 1 wet (alias `amount`).
        #[serde(alias = "amount")]
        mix = 0.3, 0.0 => 1.0;
        /// Room size, 0 small .. 1 large.
        size = 0.7, 0.0 => 1.0;
        /// Decay time (RT60) in seconds.
        decay = 2.0, 0.1 => 30.0;
        /// High-frequency damping, 0 bright .. 1 dark.
        damping = 0.5, 0.0 => 1.0;
    } + {}
}

spec! {
    /// `delay`: feedback echo.
    DelaySpec {
        /// Delay time in seconds.
        time = 0.375, 0.001 => 4.0;
        /// Feedback gain 0..0.98.
        feedback = 0.35, 0.0 => 0.98;
        /// Wet/dry mix (alias `amount`).
        #[serde(alias = "amount")]
        mix = 0.25, 0.0 => 1.0;
    } + {}
}

spec! {
    /// `chorus`: modulated short delays, widened to stereo.
    ChorusSpec {
        /// Modulation rate in Hz.
        rate = 0.5, 0.01 => 10.0;
        /// Modulation depth 0..1.
        depth = 0.5, 0.0 => 1.0;
        /// Wet/dry mix (alias `amount`).
        #[serde(alias = "amount")]
        mix = 0.5, 0.0 => 1.0;
    } + {}
}

spec! {
    /// `phaser`: swept all-pass notches.
    PhaserSpec {
        /// Sweep rate in Hz.
        rate = 0.3, 0.01 => 10.0;
        /// Sweep depth 0..1.
        depth = 0.7, 0.0 => 1.0;
        /// Feedback 0..0.95.
        feedback = 0.5, 0.0 => 0.95;
        /// Wet/dry mix (alias `amount`).
        #[serde(alias = "amount")]
        mix = 0.5, 0.0 => 1.0;
    } + {}
}

spec! {
    /// `distortion`: soft-clipping waveshaper.
    DistortionSpec {
        /// Input drive in dB.
        drive = 12.0, 0.0 => 48.0;
        /// Wet/dry mix (alias `amount`).
        #[serde(alias = "amount")]
        mix = 1.0, 0.0 => 1.0;
        /// Output level in dB.
        level = 0.0, -48.0 => 12.0;
    } + {}
}

spec! {
    /// `compressor`: feed-forward compressor.
    CompressorSpec {
        /// Threshold in dBFS.
        threshold = -18.0, -60.0 => 0.0;
        /// Compression ratio n:1.
        ratio = 4.0, 1.0 => 20.0;
        /// Attack time in seconds.
        attack = 0.005, 0.0001 => 0.5;
        /// Release time in seconds.
        release = 0.1, 0.01 => 2.0;
        /// Make-up gain in dB.
        makeup = 0.0, 0.0 => 24.0;
    } + {}
}

spec! {
    /// `filter`: resonant state-variable filter (12 dB/octave).
    FilterSpec {
        /// Cutoff or centre frequency in Hz.
        cutoff = 1000.0, 20.0 => 20000.0;
        /// Resonance 0..1.
        resonance = 0.2, 0.0 => 1.0;
    } + {
        /// Response: `lowpass`, `highpass` or `bandpass`.
        mode: EffectFilterMode = EffectFilterMode::Lowpass;
    }
}

/// Response of the `filter` effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EffectFilterMode {
    /// Low-pass.
    Lowpass,
    /// High-pass.
    Highpass,
    /// Band-pass.
    Bandpass,
}
