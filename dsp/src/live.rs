//! Which parameters change live and which need a rebuild.
//!
//! A numeric parameter that only scales or steers (a cutoff, a mix, an
//! envelope time, a delay time) is set on the running module through
//! `set_param`, smoothed. One that sizes memory or changes the structure
//! (polyphony, a reverb's room) is applied by building a new module on the
//! control thread and crossfading to it on the audio thread.
//!
//! The answer for every parameter of every type:
//!
//! | type | live | rebuild |
//! |------|------|---------|
//! | every instrument | all its own parameters, `gain`, `pan` (mixer) | `polyphony` |
//! | `reverb` | `mix`, `decay`, `damping` | `size` (it sets the delay lengths) |
//! | `delay`, `chorus`, `phaser`, `distortion`, `compressor`, `filter` | all | — |
//!
//! Each module's docs say how its live parameters reach sounding notes
//! (some, like a drum's tuning, apply from the next hit on).

use chronus_sequencer::song::{EffectSpec, InstrumentSpec};

/// How a parameter change reaches a running module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamChange {
    /// `set_param` on the running module, smoothed.
    Live,
    /// Build a new module with the new value and crossfade to it.
    Rebuild,
}

/// A spec's parameter table: `(name, default, min, max)` per numeric
/// parameter, in declaration order (`SynthSpec::PARAMS` and the like).
pub type ParamTable = &'static [(&'static str, f64, f64, f64)];

/// How a change to instrument parameter `name` is applied (`gain` and `pan`
/// are the mixer's and always live).
pub fn instrument_param(spec: &InstrumentSpec, name: &str) -> ParamChange {
    if spec.rebuilds(name) {
        ParamChange::Rebuild
    } else {
        ParamChange::Live
    }
}

/// How a change to effect parameter `name` is applied.
pub fn effect_param(spec: &EffectSpec, name: &str) -> ParamChange {
    if spec.rebuilds(name) {
        ParamChange::Rebuild
    } else {
        ParamChange::Live
    }
}

/// The name of parameter `index` of `table` and `value` clamped into its
/// range, or `None` for an unknown index or a NaN value: the first step of
/// every `set_param`. Audio thread safe.
///
/// ```
/// use chronus_dsp::live::clamp_param;
/// use chronus_sequencer::song::DelaySpec;
/// assert_eq!(clamp_param(DelaySpec::PARAMS, 1, 5.0), Some(("feedback", 0.98)));
/// assert_eq!(clamp_param(DelaySpec::PARAMS, 1, f32::NAN), None);
/// assert_eq!(clamp_param(DelaySpec::PARAMS, 99, 0.5), None);
/// ```
pub fn clamp_param(table: ParamTable, index: usize, value: f32) -> Option<(&'static str, f32)> {
    let &(name, _, lo, hi) = table.get(index)?;
    if value.is_nan() {
        return None;
    }
    Some((name, value.clamp(lo as f32, hi as f32)))
}

// `assert_no_alloc` only counts allocations with debug assertions on (its
// counters do not exist in a release build).
#[cfg(all(test, debug_assertions))]
mod no_alloc;
#[cfg(test)]
pub(crate) mod testing;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod zipper;
