//! Insert effects and the master limiter. STUB: being written.

use crate::Effect;
use chronus_sequencer::song::EffectSpec;

/// Pass-through placeholder.
struct Bypass;

impl Effect for Bypass {
    fn process(&mut self, _left: &mut [f32], _right: &mut [f32]) {}
    fn reset(&mut self) {}
}

/// Build the effect for `spec`.
pub fn build(_spec: &EffectSpec, _rate: f32) -> Box<dyn Effect> {
    Box::new(Bypass)
}
