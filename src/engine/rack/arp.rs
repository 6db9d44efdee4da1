//! The arpeggiator: takes the notes a track is given (a chord from a
//! pattern, MIDI or `note`), and plays them one at a time instead, up,
//! down, up and down or at random, over one to four octaves, `rate` steps
//! a second, each held for `gate` of its step. Steps are stamped on their
//! exact frames, a grid block ahead.

use chronus_sequencer::{Event, EventKind, TrackId};

/// Notes an arpeggiator holds at once.
pub const MAX_HELD: usize = 16;

/// The ids of the notes an arpeggiator plays (so that they are not taken
/// in again).
pub const ARP_IDS: u32 = 0xA000_0000;

/// Whether note `id` is one an arpeggiator played.
pub fn is_arp_note(id: u32) -> bool {
    id & 0xF000_0000 == ARP_IDS
}

/// A held note: its id, pitch and velocity.
#[derive(Clone, Copy, Default)]
struct Held {
    id: u32,
    pitch: f32,
    velocity: f32,
}

/// One arpeggiator on one track.
pub(super) struct Arp {
    /// Its name's key, to find it again in a new rack.
    pub key: u64,
    pub track: TrackId,
    /// 0 up, 1 down, 2 updown, 3 random.
    mode: usize,
    octaves: usize,
    /// Frames a step.
    step: f64,
    gate: f64,
    held: [Held; MAX_HELD],
    count: usize,
    /// Where it is in its sequence.
    index: usize,
    /// The frame of the next step, once a note is held.
    next: Option<f64>,
    /// The note sounding and the frame it ends.
    sounding: Option<(u32, u64)>,
    next_id: u32,
    noise: u32,
}

impl Arp {
    /// An arpeggiator on `track` at `rate` Hz: `numbers` are its rate
    /// (steps a second), octaves and gate. Control thread.
    pub fn new(key: u64, track: TrackId, mode: usize, numbers: &[f64], rate: u32) -> Arp {
        let n = |i: usize, d: f64| numbers.get(i).copied().unwrap_or(d);
        Arp {
            key,
            track,
            mode,
            octaves: n(1, 1.0).round().clamp(1.0, 4.0) as usize,
            step: f64::from(rate.max(1)) / n(0, 8.0).max(0.01),
            gate: n(2, 0.5).clamp(0.01, 1.0),
            held: [Held::default(); MAX_HELD],
            count: 0,
            index: 0,
            next: None,
            sounding: None,
            next_id: 0,
            noise: (key as u32) | 1,
        }
    }

    /// Take over `old`'s chord and place in it (a rack that replaces
    /// another). Audio thread safe.
    pub fn carry_over(&mut self, old: &Arp) {
        self.held = old.held;
        self.count = old.count;
        self.index = old.index;
        self.next = old.next;
        self.sounding = old.sounding;
        self.next_id = old.next_id;
        self.noise = old.noise;
    }

    /// A note given to its track at `frame`; whether the arpeggiator took
    /// it (a note-off for a note it never held goes on to the
    /// instrument). Audio thread safe.
    pub fn note(&mut self, kind: EventKind, frame: u64) -> bool {
        match kind {
            EventKind::NoteOn {
                id,
                pitch,
                velocity,
            } => {
                if self.count == MAX_HELD {
                    return true;
                }
                let pitch = pitch.unwrap_or(60.0);
                // Kept in pitch order.
                let at = self.held[..self.count]
                    .iter()
                    .position(|h| h.pitch > pitch)
                    .unwrap_or(self.count);
                self.held.copy_within(at..self.count, at + 1);
                self.held[at] = Held {
                    id,
                    pitch,
                    velocity,
                };
                self.count += 1;
                if self.next.is_none() {
                    // The first note of a chord starts the steps.
                    self.next = Some(frame as f64);
                    self.index = 0;
                }
                true
            }
            EventKind::NoteOff { id } => {
                let Some(i) = self.held[..self.count].iter().position(|h| h.id == id) else {
                    return false;
                };
                self.held.copy_within(i + 1..self.count, i);
                self.count -= 1;
                if self.count == 0 {
                    self.next = None;
                }
                true
            }
            _ => false,
        }
    }

    /// The note it has sounding, if any (to end when it goes away).
    pub fn sounding(&self) -> Option<u32> {
        self.sounding.map(|(id, _)| id)
    }

    /// The notes of the sequence: held pitches over the octaves.
    fn len(&self) -> usize {
        self.count * self.octaves
    }

    /// The `k`th note of the ascending sequence.
    fn nth(&self, k: usize) -> Held {
        let h = self.held[k % self.count];
        Held {
            pitch: h.pitch + 12.0 * (k / self.count) as f32,
            ..h
        }
    }

    /// The next note to play.
    fn pick(&mut self) -> Held {
        let n = self.len();
        let k = match self.mode {
            1 => n - 1 - self.index % n,
            2 if n > 1 => {
                // Up then down, the ends not repeated.
                let p = self.index % (2 * n - 2);
                if p < n {
                    p
                } else {
                    2 * n - 2 - p
                }
            }
            3 => {
                self.noise ^= self.noise << 13;
                self.noise ^= self.noise >> 17;
                self.noise ^= self.noise << 5;
                self.noise as usize % n
            }
            _ => self.index % n,
        };
        self.index = self.index.wrapping_add(1);
        self.nth(k)
    }

    /// The notes to play in `[start, start + frames)`, each through `emit`
    /// at its frame (a frame already passed plays at `start`). Audio
    /// thread safe.
    pub fn tick(&mut self, start: u64, frames: u32, mut emit: impl FnMut(Event)) {
        let end = start + u64::from(frames);
        loop {
            let off = self.sounding.map(|(_, f)| f);
            let step = self.next.map(|f| (f.round() as u64).max(start));
            let (Some(at), first) = (match (off, step) {
                (Some(o), Some(s)) if o <= s => (Some(o), true),
                (_, Some(s)) => (Some(s), false),
                (Some(o), None) => (Some(o), true),
                (None, None) => (None, false),
            }) else {
                return;
            };
            if at >= end {
                return;
            }
            let at = at.max(start);
            if first {
                if let Some((id, _)) = self.sounding.take() {
                    emit(self.event(at, EventKind::NoteOff { id }));
                }
                continue;
            }
            if let Some((id, _)) = self.sounding.take() {
                emit(self.event(at, EventKind::NoteOff { id }));
            }
            let h = self.pick();
            let id = ARP_IDS | (self.next_id & 0x0FFF_FFFF);
            self.next_id = self.next_id.wrapping_add(1);
            emit(self.event(
                at,
                EventKind::NoteOn {
                    id,
                    pitch: Some(h.pitch),
                    velocity: h.velocity,
                },
            ));
            let len = (self.step * self.gate).round().max(1.0) as u64;
            self.sounding = Some((id, at + len));
            self.next = self.next.map(|f| f + self.step);
        }
    }

    fn event(&self, frame: u64, kind: EventKind) -> Event {
        Event {
            frame,
            track: self.track,
            kind,
        }
    }
}
