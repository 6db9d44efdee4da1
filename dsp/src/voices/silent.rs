//! A placeholder instrument that outputs silence.

use crate::Instrument;

/// Outputs digital silence.
pub(crate) struct Silent;

impl Instrument for Silent {
    fn note_on(&mut self, _id: u32, _pitch: Option<f32>, _velocity: f32) {}
    fn note_off(&mut self, _id: u32) {}
    fn render(&mut self, out: &mut [f32]) {
        out.fill(0.0);
    }
    fn active_voices(&self) -> usize {
        0
    }
    fn reset(&mut self) {}
}
