//! Voice banks, one module per instrument type.

mod clap;
mod fm;
mod hihat;
mod kick;
mod kit;
mod pool;
pub mod sampler;
mod snare;
mod sweep;
pub mod synth;
mod tom;

use crate::Instrument;
use chronus_sequencer::song::InstrumentSpec;

/// Output calibration of each instrument type: the factor that brings a
/// typical hit or note at velocity 0.8 and `gain: 0` to about -6 dBFS peak,
/// so that instruments start balanced and a mix has headroom before the
/// master limiter (measured: synth saw through the default filter -13 dB,
/// fm -2 dB, kick 0 dB, snare and tom -1 dB, clap +1 dB, hihat -4 dB,
/// before calibration).
pub fn calibration(spec: &InstrumentSpec) -> f32 {
    match spec {
        InstrumentSpec::Synth(_) => 2.0,
        InstrumentSpec::Fm(_) => 0.5,
        InstrumentSpec::Kick(_)
        | InstrumentSpec::Snare(_)
        | InstrumentSpec::Clap(_)
        | InstrumentSpec::Tom(_) => 0.5,
        InstrumentSpec::Hihat(_) => 0.708,
        // Each drum of a kit carries its own calibration; a sampler plays
        // its file at the file's own level.
        InstrumentSpec::Kit(_) | InstrumentSpec::Sampler(_) => 1.0,
    }
}

/// Build the voice bank for `spec` at `rate` Hz.
pub fn build(spec: &InstrumentSpec, rate: f32) -> Box<dyn Instrument> {
    match spec {
        InstrumentSpec::Synth(s) => Box::new(synth::SynthBank::new(s, rate)),
        InstrumentSpec::Fm(s) => Box::new(fm::FmVoices::new(s, rate)),
        InstrumentSpec::Kick(s) => Box::new(kick::KickVoices::new(s, rate)),
        InstrumentSpec::Snare(s) => Box::new(snare::SnareVoices::new(s, rate)),
        InstrumentSpec::Hihat(s) => Box::new(hihat::HihatVoices::new(s, rate)),
        InstrumentSpec::Clap(s) => Box::new(clap::ClapVoices::new(s, rate)),
        InstrumentSpec::Tom(s) => Box::new(tom::TomVoices::new(s, rate)),
        InstrumentSpec::Kit(s) => Box::new(kit::KitVoices::new(s, rate)),
        InstrumentSpec::Sampler(s) => Box::new(sampler::SamplerVoices::new(s, rate)),
    }
}
