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
}

/// Build the effect for `spec` at `rate` Hz, all buffers allocated.
pub fn build_effect(spec: &EffectSpec, rate: f32) -> Box<dyn Effect> {
    crate::effects::build(spec, rate)
}
