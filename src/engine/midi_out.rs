//! The engine's MIDI output: raw messages (clock, start, stop, song
//! position) and the notes of tracks sent to external gear, each stamped
//! with the frame it was applied at, collected during a render and handed
//! to the backend after it (the JACK port writes them at their offsets in
//! the period: frame-exact). Fixed capacity; nothing allocates.

use chronus_midi::{OutRoute, MAX_OUTS};
use chronus_sequencer::{Event, EventKind, TrackId};

/// Messages one render can send.
pub const OUT_CAPACITY: usize = 4096;
/// Notes held on the output at once.
pub const HELD_NOTES: usize = 1024;

/// A message waiting to go out: frame, bytes, length.
pub type OutMessage = (u64, [u8; 3], u8);

/// See the module docs.
pub struct MidiOut {
    routes: [Option<OutRoute>; MAX_OUTS],
    /// Notes on: track, note id, channel, key.
    held: Vec<(TrackId, u32, u8, u8)>,
    buf: Vec<OutMessage>,
    /// Messages dropped because the buffer was full.
    pub dropped: u64,
    /// Messages sent so far.
    pub sent: u64,
}

impl Default for MidiOut {
    fn default() -> Self {
        MidiOut {
            routes: [None; MAX_OUTS],
            held: Vec::with_capacity(HELD_NOTES),
            buf: Vec::with_capacity(OUT_CAPACITY),
            dropped: 0,
            sent: 0,
        }
    }
}

impl MidiOut {
    fn push(&mut self, frame: u64, bytes: [u8; 3], len: u8) {
        if self.buf.len() < self.buf.capacity() {
            self.buf.push((frame, bytes, len));
            self.sent += 1;
        } else {
            self.dropped += 1;
        }
    }

    /// Send the tracks in `outs` from `frame` on; notes of tracks no longer
    /// sent are ended there.
    pub fn set_routes(&mut self, outs: &[OutRoute], frame: u64) {
        let mut routes = [None; MAX_OUTS];
        for (slot, r) in routes.iter_mut().zip(outs) {
            *slot = Some(*r);
        }
        let mut i = 0;
        while i < self.held.len() {
            let (track, _, ch, key) = self.held[i];
            if routes
                .iter()
                .flatten()
                .any(|r| r.track == track && r.channel == ch)
            {
                i += 1;
            } else {
                self.push(frame, [0x80 | ch, key, 0], 3);
                self.held.swap_remove(i);
            }
        }
        self.routes = routes;
    }

    /// Take note of an event the engine applied.
    pub fn event(&mut self, ev: &Event) {
        if ev.track == TrackId::MIDI_OUT {
            if let EventKind::Midi { bytes, len } = ev.kind {
                self.push(ev.frame, bytes, len.clamp(1, 3));
            }
            return;
        }
        let Some(route) = self
            .routes
            .iter()
            .flatten()
            .find(|r| r.track == ev.track)
            .copied()
        else {
            return;
        };
        let ch = route.channel & 15;
        match ev.kind {
            EventKind::NoteOn {
                id,
                pitch,
                velocity,
            } => {
                let key = route.key.unwrap_or_else(|| {
                    pitch
                        .filter(|p| p.is_finite())
                        .map_or(60, |p| p.round().clamp(0.0, 127.0) as u8)
                });
                let vel = ((velocity.clamp(0.0, 1.0) * 127.0).round() as u8).max(1);
                if self.held.len() < self.held.capacity() {
                    self.held.push((ev.track, id, ch, key));
                }
                self.push(ev.frame, [0x90 | ch, key, vel], 3);
            }
            EventKind::NoteOff { id } => {
                if let Some(i) = self.held.iter().position(|h| h.0 == ev.track && h.1 == id) {
                    let (_, _, ch, key) = self.held.swap_remove(i);
                    self.push(ev.frame, [0x80 | ch, key, 0], 3);
                }
            }
            _ => {}
        }
    }

    /// The messages of the last render.
    pub fn messages(&self) -> &[OutMessage] {
        &self.buf
    }

    /// Forget the last render's messages (before the next).
    pub fn clear(&mut self) {
        self.buf.clear();
    }
}
