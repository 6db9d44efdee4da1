//! The scheduler: song bars to frame-stamped note events.

use crate::event::{Event, EventKind};
use crate::pattern::{Rational, Value};
use crate::song::Song;
use crate::tempo::TempoMap;

/// Velocity of `x` and of notes.
pub const HIT_VELOCITY: f32 = 0.8;
/// Velocity of `X`.
pub const ACCENT_VELOCITY: f32 = 1.0;

/// Turns a song's bars into [`Event`]s at exact frames.
///
/// Each onset sits at `round(beats_from_song_start * 60 / tempo * rate)`,
/// computed from its absolute position (see [`TempoMap`]), so there is no
/// drift however long the song. Runs on the sequencer (or control) thread:
/// it allocates.
#[derive(Clone, Debug)]
pub struct Schedule {
    song: Song,
    map: TempoMap,
    next_id: u32,
    looping: bool,
}

impl Schedule {
    /// A schedule for `song` at `rate` frames per second.
    pub fn new(song: &Song, rate: u32) -> Self {
        Schedule {
            song: song.clone(),
            map: TempoMap::constant(song.tempo, rate),
            next_id: 0,
            looping: false,
        }
    }

    /// Loop the arrangement: bar `b` plays arrangement bar `b mod bars`
    /// (patterns still see cycle `b`, so alternations keep turning).
    pub fn set_looping(&mut self, looping: bool) {
        self.looping = looping;
    }

    /// The song being scheduled.
    pub fn song(&self) -> &Song {
        &self.song
    }

    /// The tempo map in use.
    pub fn tempo_map(&self) -> &TempoMap {
        &self.map
    }

    /// Frame at which bar `bar` (0-based) starts.
    pub fn bar_frame(&self, bar: usize) -> u64 {
        self.map.frame_at(bar as f64 * f64::from(self.song.meter))
    }

    /// Frame at which the arrangement ends (the start of the bar after the last).
    pub fn end_frame(&self) -> u64 {
        self.bar_frame(self.song.bar_count())
    }

    /// Append the events of arrangement bar `bar` to `out`: every note-on
    /// whose onset lies in the bar, and the note-off that ends it (which may
    /// fall in a later bar). `out` is not sorted; see [`sort_events`].
    pub fn bar_events(&mut self, bar: usize, out: &mut Vec<Event>) {
        let arranged = if self.looping && !self.song.bars.is_empty() {
            bar % self.song.bars.len()
        } else {
            bar
        };
        let Some(&pattern_index) = self.song.bars.get(arranged) else {
            return;
        };
        let meter = i64::from(self.song.meter);
        let pattern = &self.song.patterns[pattern_index];
        for lane in &pattern.lanes {
            for ev in lane.pattern.events(bar as i64, self.song.seed) {
                let onset_beats = ev.onset.to_f64() * meter as f64;
                let swung = onset_beats + self.swing_offset(ev.onset, meter);
                let end_beats = (ev.onset.to_f64() + ev.duration.to_f64()) * meter as f64;
                let on = self.map.frame_at(swung);
                let off = self.map.frame_at(end_beats).max(on + 1);
                let (pitch, velocity) = match ev.value {
                    Value::Hit => (None, HIT_VELOCITY),
                    Value::Accent => (None, ACCENT_VELOCITY),
                    Value::Note(n) => (Some(n), HIT_VELOCITY),
                };
                let id = self.next_id;
                self.next_id = self.next_id.wrapping_add(1);
                let track = lane.track as u16;
                out.push(Event {
                    frame: on,
                    track,
                    kind: EventKind::NoteOn {
                        id,
                        pitch,
                        velocity,
                    },
                });
                out.push(Event {
                    frame: off,
                    track,
                    kind: EventKind::NoteOff { id },
                });
            }
        }
    }

    /// All events of the whole arrangement, sorted (see [`sort_events`]).
    pub fn all_events(&mut self) -> Vec<Event> {
        let mut out = Vec::new();
        for bar in 0..self.song.bar_count() {
            self.bar_events(bar, &mut out);
        }
        sort_events(&mut out);
        out
    }

    /// Swing: onsets exactly on an odd sixteenth move late by
    /// `swing` sixteenths (a sixteenth is a quarter beat).
    fn swing_offset(&self, onset: Rational, meter: i64) -> f64 {
        if self.song.swing == 0.0 {
            return 0.0;
        }
        // sixteenths from song start = onset (cycles) * meter * 4
        let num = i128::from(onset.num) * i128::from(meter) * 4;
        let den = i128::from(onset.den);
        if num % den == 0 && (num / den) % 2 != 0 {
            self.song.swing * 0.25
        } else {
            0.0
        }
    }
}

/// Sort events by frame; within a frame, note-offs first, then by track.
pub fn sort_events(events: &mut [Event]) {
    events.sort_by_key(|e| (e.frame, e.kind.order(), e.track));
}
