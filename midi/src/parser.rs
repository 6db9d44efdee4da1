//! Raw MIDI bytes into [`Message`]s, whatever arrives.
//!
//! The parser is a byte-at-a-time state machine (the MIDI 1.0 wire rules):
//!
//! - **Running status**: data bytes after a complete channel message start
//!   another one with the same status.
//! - **Real-time bytes** (`F8`..`FF`) may sit anywhere, even between the
//!   data bytes of another message or inside SysEx: they are returned at
//!   once and change nothing else.
//! - **SysEx** (`F0` .. `F7`) is skipped, whatever its length; any status
//!   byte but real-time ends it.
//! - **Truncated** messages (a status byte before the data was complete, or
//!   an event that ends early) are dropped and counted; **data bytes with no
//!   status** are dropped and counted; the undefined bytes `F4`, `F5`, `F9`
//!   and `FD` are dropped and counted.
//!
//! Nothing here allocates, so it runs on the audio thread.

use crate::Message;

/// What a parser has seen. Counts only grow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ParserStats {
    /// Complete messages returned.
    pub messages: u64,
    /// SysEx messages skipped (ended by `F7` or cut off by another status).
    pub sysex: u64,
    /// Messages cut short (a status byte or the end of an event came first).
    pub truncated: u64,
    /// Data bytes that belonged to no message (no status before them).
    pub orphan_bytes: u64,
    /// Undefined status bytes (`F4`, `F5`, `F9`, `FD`) and stray `F7`s.
    pub undefined: u64,
}

impl ParserStats {
    /// Everything that was not a clean message: truncated messages, orphan
    /// data bytes and undefined bytes.
    pub fn bad(&self) -> u64 {
        self.truncated + self.orphan_bytes + self.undefined
    }
}

/// A MIDI byte-stream parser. See the module docs.
#[derive(Clone, Debug, Default)]
pub struct Parser {
    /// The status in force (0: none); channel statuses persist as running
    /// status, system common ones only until complete.
    status: u8,
    data: [u8; 2],
    have: u8,
    /// A status byte came and no message has completed since.
    fresh: bool,
    sysex: bool,
    stats: ParserStats,
}

/// Data bytes a status takes (`None`: not a message start).
fn data_len(status: u8) -> Option<u8> {
    match status {
        0x80..=0xBF | 0xE0..=0xEF => Some(2),
        0xC0..=0xDF => Some(1),
        0xF1 | 0xF3 => Some(1),
        0xF2 => Some(2),
        0xF6 => Some(0),
        _ => None,
    }
}

impl Parser {
    /// A parser with no running status.
    pub fn new() -> Self {
        Parser::default()
    }

    /// Counters so far.
    pub fn stats(&self) -> ParserStats {
        self.stats
    }

    /// Feed one byte; a message when it completes one.
    pub fn push(&mut self, byte: u8) -> Option<Message> {
        if byte >= 0xF8 {
            let m = match byte {
                0xF8 => Message::Clock,
                0xFA => Message::Start,
                0xFB => Message::Continue,
                0xFC => Message::Stop,
                0xFE => Message::ActiveSensing,
                0xFF => Message::Reset,
                _ => {
                    self.stats.undefined += 1;
                    return None;
                }
            };
            return Some(self.done(m));
        }
        if byte >= 0x80 {
            return self.status_byte(byte);
        }
        if self.sysex {
            return None;
        }
        let Some(need) = data_len(self.status) else {
            self.stats.orphan_bytes += 1;
            return None;
        };
        self.data[usize::from(self.have.min(1))] = byte;
        self.have += 1;
        if self.have < need {
            return None;
        }
        self.have = 0;
        self.fresh = false;
        let status = self.status;
        if status >= 0xF0 {
            // System common messages have no running status.
            self.status = 0;
        }
        let m = self.decode(status, self.data);
        Some(self.done(m))
    }

    /// Feed a whole event (one JACK MIDI event, one ALSA message): every
    /// message completed inside it goes to `each`; whatever is left
    /// incomplete at its end is dropped and counted, and running status
    /// does not carry into the next event.
    pub fn push_event(&mut self, bytes: &[u8], mut each: impl FnMut(Message)) {
        for &b in bytes {
            if let Some(m) = self.push(b) {
                each(m);
            }
        }
        self.end_event();
    }

    /// End of an event: drop a partial message (counted) and any SysEx in
    /// progress, and forget the running status.
    pub fn end_event(&mut self) {
        if self.waiting() {
            self.stats.truncated += 1;
        }
        if self.sysex {
            self.stats.sysex += 1;
            self.sysex = false;
        }
        self.have = 0;
        self.status = 0;
        self.fresh = false;
    }

    /// A message has begun and is not complete.
    fn waiting(&self) -> bool {
        self.have > 0 || self.fresh
    }

    fn status_byte(&mut self, byte: u8) -> Option<Message> {
        if self.sysex {
            self.stats.sysex += 1;
            self.sysex = false;
            if byte == 0xF7 {
                return None;
            }
        } else if byte == 0xF7 {
            self.stats.undefined += 1;
            return None;
        }
        if self.waiting() {
            // The previous message never got its data.
            self.stats.truncated += 1;
        }
        self.have = 0;
        self.status = 0;
        self.fresh = false;
        match byte {
            0xF0 => {
                self.sysex = true;
                None
            }
            0xF6 => Some(self.done(Message::TuneRequest)),
            b if data_len(b).is_some() => {
                self.status = b;
                self.fresh = true;
                None
            }
            _ => {
                self.stats.undefined += 1;
                None
            }
        }
    }

    fn done(&mut self, m: Message) -> Message {
        self.stats.messages += 1;
        m
    }

    fn decode(&self, status: u8, [a, b]: [u8; 2]) -> Message {
        let channel = status & 0x0F;
        match status & 0xF0 {
            0x80 => Message::NoteOff {
                channel,
                note: a,
                velocity: b,
            },
            0x90 if b == 0 => Message::NoteOff {
                channel,
                note: a,
                velocity: 64,
            },
            0x90 => Message::NoteOn {
                channel,
                note: a,
                velocity: b,
            },
            0xA0 => Message::PolyPressure {
                channel,
                note: a,
                value: b,
            },
            0xB0 => Message::Control {
                channel,
                controller: a,
                value: b,
            },
            0xC0 => Message::Program {
                channel,
                program: a,
            },
            0xD0 => Message::ChannelPressure { channel, value: a },
            0xE0 => Message::PitchBend {
                channel,
                value: ((i16::from(b) << 7) | i16::from(a)) - 8192,
            },
            _ => match status {
                0xF1 => Message::QuarterFrame(a),
                0xF2 => Message::SongPosition((u16::from(b) << 7) | u16::from(a)),
                _ => Message::SongSelect(a),
            },
        }
    }
}

#[cfg(test)]
mod tests;
