//! Which parameters change live and which need a rebuild.
//!
//! A numeric parameter that only scales or steers (a cutoff, a mix, an
//! envelope time) is set on the running module through `set_param`, smoothed.
//! One that sizes memory or changes the structure (polyphony, a reverb's room
//! size) is applied by building a new module on the control thread and
//! crossfading to it on the audio thread.

use chronus_sequencer::song::{EffectSpec, InstrumentSpec};

/// How a parameter change reaches a running module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamChange {
    /// `set_param` on the running module, smoothed.
    Live,
    /// Build a new module with the new value and crossfade to it.
    Rebuild,
}

/// How a change to instrument parameter `name` is applied (`gain` and `pan`
/// are the mixer's and always live).
pub fn instrument_param(spec: &InstrumentSpec, name: &str) -> ParamChange {
    let _ = spec;
    match name {
        "polyphony" => ParamChange::Rebuild,
        _ => ParamChange::Live,
    }
}

/// How a change to effect parameter `name` is applied.
pub fn effect_param(spec: &EffectSpec, name: &str) -> ParamChange {
    match (spec, name) {
        (EffectSpec::Reverb(_), "size" | "decay" | "damping") => ParamChange::Rebuild,
        _ => ParamChange::Live,
    }
}
