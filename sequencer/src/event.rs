//! Frame-stamped events: what the sequencer sends to the audio thread.

/// One event for the voice engine, stamped with the frame at which it sounds.
///
/// Events are `Copy` and small so that they cross lock-free queues and are
/// applied on the audio thread without allocating.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// Absolute frame (sample index from song start) at which the event applies.
    pub frame: u64,
    /// Index of the track (instrument) in song order.
    pub track: u16,
    /// What happens.
    pub kind: EventKind,
}

/// What an [`Event`] does.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum EventKind {
    /// Start a note. `id` is unique per note and matches the later `NoteOff`.
    NoteOn {
        /// Note identifier, matched by the `NoteOff` that ends it.
        id: u32,
        /// MIDI note number (fractional allowed); `None` plays the instrument's
        /// own pitch (`note` on synths, `freq` on drums).
        pitch: Option<f32>,
        /// Velocity 0..1 (`x` is 0.8, `X` is 1.0).
        velocity: f32,
    },
    /// Release the note started with the same `id`.
    NoteOff {
        /// Note identifier given by the `NoteOn`.
        id: u32,
    },
}

impl EventKind {
    /// Sort key within one frame: note-offs before note-ons, so a repeated
    /// note releases its predecessor before it starts.
    pub fn order(&self) -> u8 {
        match self {
            EventKind::NoteOff { .. } => 0,
            EventKind::NoteOn { .. } => 1,
        }
    }
}
