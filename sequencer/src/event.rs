//! Frame-stamped events: what the sequencer and the control thread send to
//! the audio thread.

/// A mixer track's identity: a slot in the engine's fixed-capacity track
/// table plus the generation of that slot. Removing a track bumps its slot's
/// generation, so an event still addressed to the old track (a late
/// note-off) is recognised as stale and ignored, never applied to the track
/// that takes the slot next.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TrackId {
    /// Index in the engine's track table.
    pub slot: u16,
    /// How many tracks have held the slot before this one.
    pub generation: u16,
}

impl TrackId {
    /// The master bus (its `gain`): not a track slot.
    pub const MASTER: TrackId = TrackId {
        slot: u16::MAX,
        generation: 0,
    };

    /// The MIDI output: [`EventKind::Midi`] events for it (clock, start,
    /// stop) are sent out at their frame. Not a track slot.
    pub const MIDI_OUT: TrackId = TrackId {
        slot: u16::MAX,
        generation: 1,
    };

    /// The id of slot `slot` at `generation`.
    pub const fn new(slot: u16, generation: u16) -> Self {
        TrackId { slot, generation }
    }

    /// The id a song's track `index` has in an engine built from the song.
    pub const fn of_song_track(index: usize) -> Self {
        TrackId {
            slot: index as u16,
            generation: 0,
        }
    }
}

/// An insert effect's identity, unique within a session (effects move in a
/// chain, so they are not addressed by position).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EffectId(pub u32);

/// What a parameter event changes on its track.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamTarget {
    /// The instrument's numeric parameter at this index of its spec's
    /// `PARAMS` table.
    Instrument(u16),
    /// An insert effect's numeric parameter at this index of its spec's
    /// `PARAMS` table.
    Effect {
        /// Which effect of the track.
        effect: EffectId,
        /// Index in the effect spec's `PARAMS` table.
        param: u16,
    },
    /// The track's (or the master's) level, in dB.
    Gain,
    /// The track's stereo position, -1..1.
    Pan,
    /// Mute (1) or sound (0); ramped like any parameter.
    Mute,
    /// Pitch bend of every sounding and later note, in semitones (a MIDI
    /// pitch wheel, vibrato); pitched instruments follow it, drums ignore it.
    Bend,
    /// Silence the track's sounding notes at once, without a click (MIDI's
    /// all-sound-off); the value is ignored.
    Hush,
}

/// One event for the voice engine, stamped with the frame at which it sounds.
///
/// Events are `Copy` and small so that they cross lock-free queues and are
/// applied on the audio thread without allocating.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Event {
    /// Absolute frame (sample index from the start) at which the event applies.
    pub frame: u64,
    /// The track it is for.
    pub track: TrackId,
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
    /// A raw MIDI message to send out at this frame (for
    /// [`TrackId::MIDI_OUT`]: clock, start, stop, song position).
    Midi {
        /// The message, status first.
        bytes: [u8; 3],
        /// How many of `bytes` it has (1..=3).
        len: u8,
    },
    /// Set a parameter, reaching `value` over `ramp` frames.
    Param {
        /// Which parameter.
        target: ParamTarget,
        /// The new value, in the parameter's own unit.
        value: f32,
        /// Frames over which the value moves to it (0: at once).
        ramp: u32,
    },
}

impl EventKind {
    /// Sort key within one frame: note-offs first (a repeated note releases
    /// its predecessor before it starts), then parameter changes (a note
    /// starting on the same frame hears the new value), then note-ons.
    pub fn order(&self) -> u8 {
        match self {
            EventKind::NoteOff { .. } => 0,
            EventKind::Param { .. } | EventKind::Midi { .. } => 1,
            EventKind::NoteOn { .. } => 2,
        }
    }
}
