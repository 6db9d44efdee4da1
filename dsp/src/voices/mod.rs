//! Voice banks, one module per instrument type.

mod silent;

use crate::Instrument;
use chronus_sequencer::song::InstrumentSpec;

/// Build the voice bank for `spec` at `rate` Hz.
pub fn build(spec: &InstrumentSpec, rate: f32) -> Box<dyn Instrument> {
    let _ = rate;
    match spec {
        InstrumentSpec::Synth(_) => Box::new(silent::Silent),
        InstrumentSpec::Fm(_) => Box::new(silent::Silent),
        InstrumentSpec::Kick(_) => Box::new(silent::Silent),
        InstrumentSpec::Snare(_) => Box::new(silent::Silent),
        InstrumentSpec::Hihat(_) => Box::new(silent::Silent),
        InstrumentSpec::Clap(_) => Box::new(silent::Silent),
        InstrumentSpec::Tom(_) => Box::new(silent::Silent),
    }
}
