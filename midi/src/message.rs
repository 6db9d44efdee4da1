//! MIDI messages as Chronus reads them.

/// Controller numbers with a meaning of their own.
pub mod cc {
    /// Modulation wheel (coarse).
    pub const MOD_WHEEL: u8 = 1;
    /// Sustain (damper) pedal: 64 or more is down.
    pub const SUSTAIN: u8 = 64;
    /// All sound off: silence at once.
    pub const ALL_SOUND_OFF: u8 = 120;
    /// Reset all controllers (bend, wheel, pressure, pedal).
    pub const RESET_CONTROLLERS: u8 = 121;
    /// All notes off: release every note.
    pub const ALL_NOTES_OFF: u8 = 123;
    /// Omni off, omni on, mono on, poly on: these also end every note.
    pub const MODE_MESSAGES: std::ops::RangeInclusive<u8> = 124..=127;
}

/// One complete MIDI message. Channels are 0..=15 (MIDI's 1..=16 minus one);
/// every data value is 0..=127 (bend: -8192..=8191).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Message {
    /// A key released.
    NoteOff {
        /// Channel 0..=15.
        channel: u8,
        /// Key 0..=127.
        note: u8,
        /// Release velocity.
        velocity: u8,
    },
    /// A key pressed (velocity above 0: a note-on with velocity 0 is read
    /// as a [`Message::NoteOff`]).
    NoteOn {
        /// Channel 0..=15.
        channel: u8,
        /// Key 0..=127.
        note: u8,
        /// 1..=127.
        velocity: u8,
    },
    /// Polyphonic key pressure.
    PolyPressure {
        /// Channel 0..=15.
        channel: u8,
        /// Key 0..=127.
        note: u8,
        /// Pressure.
        value: u8,
    },
    /// A controller moved.
    Control {
        /// Channel 0..=15.
        channel: u8,
        /// Controller number 0..=127 (see [`cc`]).
        controller: u8,
        /// Its new value.
        value: u8,
    },
    /// Program change.
    Program {
        /// Channel 0..=15.
        channel: u8,
        /// Program 0..=127.
        program: u8,
    },
    /// Channel (mono) aftertouch.
    ChannelPressure {
        /// Channel 0..=15.
        channel: u8,
        /// Pressure.
        value: u8,
    },
    /// The pitch wheel, -8192..=8191 (0 is centre).
    PitchBend {
        /// Channel 0..=15.
        channel: u8,
        /// Position.
        value: i16,
    },
    /// MIDI time code quarter frame (system common).
    QuarterFrame(u8),
    /// Song position in sixteenths (MIDI beats) since the start.
    SongPosition(u16),
    /// Song select.
    SongSelect(u8),
    /// Tune request.
    TuneRequest,
    /// Timing clock: 24 a quarter note.
    Clock,
    /// Start from the beginning.
    Start,
    /// Continue from the song position.
    Continue,
    /// Stop.
    Stop,
    /// Active sensing.
    ActiveSensing,
    /// System reset.
    Reset,
}

impl Message {
    /// The channel of a channel message.
    pub fn channel(&self) -> Option<u8> {
        match *self {
            Message::NoteOff { channel, .. }
            | Message::NoteOn { channel, .. }
            | Message::PolyPressure { channel, .. }
            | Message::Control { channel, .. }
            | Message::Program { channel, .. }
            | Message::ChannelPressure { channel, .. }
            | Message::PitchBend { channel, .. } => Some(channel),
            _ => None,
        }
    }

    /// The message as bytes (status first); `len` of the returned array
    /// are valid.
    ///
    /// ```
    /// use chronus_midi::Message;
    /// let (bytes, len) = Message::NoteOn { channel: 9, note: 36, velocity: 100 }.to_bytes();
    /// assert_eq!(&bytes[..len], &[0x99, 36, 100]);
    /// ```
    pub fn to_bytes(&self) -> ([u8; 3], usize) {
        let d = |v: u8| v & 0x7F;
        match *self {
            Message::NoteOff {
                channel,
                note,
                velocity,
            } => ([0x80 | (channel & 15), d(note), d(velocity)], 3),
            Message::NoteOn {
                channel,
                note,
                velocity,
            } => ([0x90 | (channel & 15), d(note), d(velocity)], 3),
            Message::PolyPressure {
                channel,
                note,
                value,
            } => ([0xA0 | (channel & 15), d(note), d(value)], 3),
            Message::Control {
                channel,
                controller,
                value,
            } => ([0xB0 | (channel & 15), d(controller), d(value)], 3),
            Message::Program { channel, program } => ([0xC0 | (channel & 15), d(program), 0], 2),
            Message::ChannelPressure { channel, value } => {
                ([0xD0 | (channel & 15), d(value), 0], 2)
            }
            Message::PitchBend { channel, value } => {
                let v = (i32::from(value).clamp(-8192, 8191) + 8192) as u16;
                ([0xE0 | (channel & 15), (v & 0x7F) as u8, (v >> 7) as u8], 3)
            }
            Message::QuarterFrame(v) => ([0xF1, d(v), 0], 2),
            Message::SongPosition(p) => {
                let p = p & 0x3FFF;
                ([0xF2, (p & 0x7F) as u8, (p >> 7) as u8], 3)
            }
            Message::SongSelect(s) => ([0xF3, d(s), 0], 2),
            Message::TuneRequest => ([0xF6, 0, 0], 1),
            Message::Clock => ([0xF8, 0, 0], 1),
            Message::Start => ([0xFA, 0, 0], 1),
            Message::Continue => ([0xFB, 0, 0], 1),
            Message::Stop => ([0xFC, 0, 0], 1),
            Message::ActiveSensing => ([0xFE, 0, 0], 1),
            Message::Reset => ([0xFF, 0, 0], 1),
        }
    }
}
