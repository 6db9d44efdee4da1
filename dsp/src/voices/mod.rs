//! Voice banks, one module per instrument type.

mod clap;
mod fm;
mod hihat;
mod kick;
mod pool;
mod snare;
pub mod synth;
mod tom;

use crate::Instrument;
use chronus_sequencer::song::InstrumentSpec;

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
    }
}
