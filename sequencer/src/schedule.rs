//! The scheduler: song bars to frame-stamped note events.

use crate::event::{Event, EventKind, TrackId};
use crate::pattern::{Pattern, Rational, Source};
use crate::pitch::Sound;
use crate::song::Song;
use crate::tempo::TempoMap;

/// Velocity of `x` and of notes.
pub const HIT_VELOCITY: f32 = 0.8;
/// Velocity of `X`.
pub const ACCENT_VELOCITY: f32 = 1.0;
/// The engine's control grid in frames: signals are read on it.
pub const CONTROL_GRID: u64 = 64;
/// Seconds over which a parameter following a pattern glides to each new
/// value (the engine's own default smoothing).
pub const PARAM_PATTERN_RAMP: f64 = 0.005;

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
            map: song.tempo_map(rate),
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
        self.map.frame_at(self.song.bar_beat(bar))
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
        let Some(pattern_index) = self.song.bars.get(arranged) else {
            return;
        };
        let pattern = &self.song.patterns[pattern_index];
        let bar_ctx = Bar {
            start: self.song.bar_beat(bar),
            cycle: bar as i64,
            meter: self.song.meter_of(bar),
            swing: self.song.swing,
            seed: self.song.seed,
        };
        for lane in &pattern.lanes {
            let tie = self.tie_after(bar, lane.track);
            bar_ctx.events_tied(
                &lane.pattern,
                &self.map,
                TrackId::of_song_track(lane.track),
                &mut self.next_id,
                (0, tie),
                out,
            );
        }
    }

    /// Beats that the bars after `bar` hold `track`'s last note over: each
    /// following bar whose lane for the track starts with `_` adds its tie,
    /// and a tie over a whole bar carries on into the next.
    fn tie_after(&self, bar: usize, track: usize) -> f64 {
        const MOST_BARS: usize = 4096;
        let mut beats = 0.0;
        for next in bar + 1..bar + 1 + MOST_BARS {
            let arranged = if self.looping && !self.song.bars.is_empty() {
                next % self.song.bars.len()
            } else {
                next
            };
            let Some(p) = self.song.bars.get(arranged) else {
                break;
            };
            let tie = self.song.patterns[p]
                .lanes
                .iter()
                .find(|l| l.track == track)
                .and_then(|l| l.pattern.tie());
            let Some(tie) = tie else { break };
            beats += tie.to_f64() * f64::from(self.song.meter_of(next));
            if tie < Rational::from(1) {
                break;
            }
        }
        beats
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
}

/// One bar as the scheduler sees it: where it is, which cycle of the
/// patterns it plays, and the timing that applies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bar {
    /// The beat at which the bar starts (`bar * meter` while the meter has
    /// not changed).
    pub start: f64,
    /// The pattern cycle it plays (alternations `<a b>` turn with it).
    pub cycle: i64,
    /// Beats per bar.
    pub meter: u32,
    /// Swing 0..0.5 (see [`Song::swing`]).
    pub swing: f64,
    /// Seed for random drops.
    pub seed: u64,
}

impl Bar {
    /// Append to `out` the note-on (with onset frame at least `from`) and
    /// matching note-off of every event `pattern` plays in this bar, for
    /// `track`, numbering notes from `next_id`. Frames come from absolute
    /// beat positions through `map`: no drift.
    pub fn events(
        &self,
        pattern: &Pattern,
        map: &TempoMap,
        track: TrackId,
        next_id: &mut u32,
        from: u64,
        out: &mut Vec<Event>,
    ) {
        self.events_tied(pattern, map, track, next_id, (from, 0.0), out);
    }

    /// As [`Bar::events`], with notes that end exactly at the bar's end
    /// held `tie` beats longer (the next bar starts with a `_`).
    pub fn events_tied(
        &self,
        pattern: &Pattern,
        map: &TempoMap,
        track: TrackId,
        next_id: &mut u32,
        (from, tie): (u64, f64),
        out: &mut Vec<Event>,
    ) {
        let meter = f64::from(self.meter);
        let bar_end = Rational::from(self.cycle + 1);
        // Beats between where the pattern's cycle would start and the bar's
        // start: 0 when cycle `k` plays in bar `k` at a constant meter.
        let shift = self.start - self.cycle as f64 * meter;
        for ev in pattern.sounds(self.cycle, self.seed) {
            let onset = ev.onset.to_f64();
            let onset_beats = onset * meter + shift;
            let swung = onset_beats + self.swing_offset(ev.onset);
            let mut end_beats = (onset + ev.duration.to_f64()) * meter + shift;
            if tie > 0.0 && ev.onset + ev.duration == bar_end {
                end_beats += tie;
            }
            let on = map.frame_at(swung);
            if on < from {
                continue;
            }
            let off = map.frame_at(end_beats).max(on + 1);
            let (pitches, velocity): (&[f32], f32) = match &ev.sound {
                Sound::Hit => (&[], HIT_VELOCITY),
                Sound::Accent => (&[], ACCENT_VELOCITY),
                Sound::Notes(n) => (n, HIT_VELOCITY),
            };
            // Parameters following patterns change on the note's frame,
            // before it sounds (Tidal's `#`: the notes give the structure).
            let ramp = (PARAM_PATTERN_RAMP * map.rate()).round() as u32;
            for lane in pattern.params() {
                let Source::Pattern(values) = &lane.source else {
                    continue;
                };
                if let Some(v) = values.value_at(ev.onset, self.seed) {
                    out.push(Event {
                        frame: on,
                        track,
                        kind: EventKind::Param {
                            target: lane.target,
                            value: v as f32,
                            ramp,
                        },
                    });
                }
            }
            let strikes = pitches.len().max(1);
            for i in 0..strikes {
                let pitch = pitches.get(i).copied();
                let id = *next_id;
                *next_id = next_id.wrapping_add(1);
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
        self.signals(pattern, map, track, from, out);
    }

    /// Parameters following continuous signals: one reading per frame of
    /// the engine's 64-frame control grid inside the bar (from `from`),
    /// each gliding to the next over the 64 frames.
    fn signals(
        &self,
        pattern: &Pattern,
        map: &TempoMap,
        track: TrackId,
        from: u64,
        out: &mut Vec<Event>,
    ) {
        let meter = f64::from(self.meter);
        let begin = map.frame_at(self.start).max(from);
        let end = map.frame_at(self.start + meter);
        let first = begin.div_ceil(CONTROL_GRID) * CONTROL_GRID;
        for lane in pattern.params() {
            let Source::Signal(signal) = &lane.source else {
                continue;
            };
            let mut frame = first;
            while frame < end {
                let beat = map.beat_at(frame);
                let t = self.cycle as f64 + (beat - self.start) / meter;
                out.push(Event {
                    frame,
                    track,
                    kind: EventKind::Param {
                        target: lane.target,
                        value: signal.value(t, self.seed) as f32,
                        ramp: CONTROL_GRID as u32,
                    },
                });
                frame += CONTROL_GRID;
            }
        }
    }

    /// Swing: onsets exactly on an odd sixteenth move late by `swing`
    /// sixteenths (a sixteenth is a quarter beat).
    fn swing_offset(&self, onset: Rational) -> f64 {
        if self.swing == 0.0 {
            return 0.0;
        }
        // sixteenths from the cycle's start = onset (cycles) * meter * 4
        let num = i128::from(onset.num) * i128::from(self.meter) * 4;
        let den = i128::from(onset.den);
        if num % den == 0 && (num / den) % 2 != 0 {
            self.swing * 0.25
        } else {
            0.0
        }
    }
}

/// Sort events by frame; within a frame, note-offs first, then by track.
pub fn sort_events(events: &mut [Event]) {
    events.sort_by_key(|e| (e.frame, e.kind.order(), e.track));
}
