//! The instrument interface: a bank of voices of one instrument type.

use chronus_sequencer::song::InstrumentSpec;

/// A polyphonic sound source: one per track, owning all of its voices.
///
/// Built on a control thread by [`build_instrument`]; every method below is
/// audio-thread safe (no allocation, locks or system calls).
pub trait Instrument: Send {
    /// Start a note. `pitch` is a MIDI note number, or `None` for the
    /// instrument's own pitch. When every voice sounds, the oldest is stolen.
    fn note_on(&mut self, id: u32, pitch: Option<f32>, velocity: f32);

    /// Release the note started with `id` (ignored if it already ended).
    fn note_off(&mut self, id: u32);

    /// Render the next `out.len()` frames (at most [`crate::MAX_BLOCK`]),
    /// overwriting `out` with the mono sum of all voices.
    fn render(&mut self, out: &mut [f32]);

    /// Number of voices currently sounding.
    fn active_voices(&self) -> usize;

    /// Silence every voice at once.
    fn reset(&mut self);

    /// Fade every sounding voice out quickly (a few ms, no click): an open
    /// hi-hat choked by a closed one. By default nothing.
    fn choke(&mut self) {}

    /// The absolute frame the next render starts at: called once before an
    /// instrument's first render, so that control-rate work happens on the
    /// engine's grid of [`crate::MAX_BLOCK`] frames even for an instrument
    /// added at any frame. By default ignored. Audio thread safe.
    fn sync(&mut self, frame: u64) {
        let _ = frame;
    }

    /// Bend the pitch of sounding and later notes by `semitones` (a pitch
    /// wheel, or vibrato riding on it), reached over `ramp` frames. Pitched
    /// instruments follow it; drums ignore it (the default). Audio thread
    /// safe.
    fn set_bend(&mut self, semitones: f32, ramp: u32) {
        let _ = (semitones, ramp);
    }

    /// Set the numeric parameter at index `param` of the instrument's spec
    /// table (`SynthSpec::PARAMS` and the like) to `value`, reached over
    /// `ramp` frames (smoothed: no zipper noise; sounding voices follow).
    /// Only parameters for which [`crate::live::instrument_param`] says
    /// [`crate::live::ParamChange::Live`] come here; `gain` and `pan` are the
    /// mixer's. Out-of-range values are clamped; unknown indices ignored.
    /// Audio thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        let _ = (param, value, ramp);
    }
}

/// Build the instrument for `spec` at `rate` Hz, all buffers allocated.
pub fn build_instrument(spec: &InstrumentSpec, rate: f32) -> Box<dyn Instrument> {
    crate::voices::build(spec, rate)
}
