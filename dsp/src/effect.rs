//! The insert-effect interface.

use chronus_sequencer::song::EffectSpec;

/// A stereo in-place processor on a track's insert chain.
///
/// Built on a control thread by [`build_effect`]; `process` and `reset` are
/// audio-thread safe (no allocation, locks or system calls).
pub trait Effect: Send {
    /// Process a stereo block in place (at most [`crate::MAX_BLOCK`] frames;
    /// `left.len() == right.len()`).
    fn process(&mut self, left: &mut [f32], right: &mut [f32]);

    /// Clear all internal state (delay lines, envelopes).
    fn reset(&mut self);

    /// Set the numeric parameter at index `param` of the effect's spec
    /// table (`DelaySpec::PARAMS` and the like) to `value`, reached over
    /// `ramp` frames (smoothed). Only parameters for which
    /// [`crate::live::effect_param`] says [`crate::live::ParamChange::Live`]
    /// come here. Out-of-range values are clamped; unknown indices ignored.
    /// Audio thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        let _ = (param, value, ramp);
    }
}

/// Build the effect for `spec` at `rate` Hz, all buffers allocated.
pub fn build_effect(spec: &EffectSpec, rate: f32) -> Box<dyn Effect> {
    crate::effects::build(spec, rate)
}
