//! The live session's [`Timeline`]: every track loops its current one-bar
//! pattern (or follows a song's arrangement), and edits land on a musical
//! grid position.
//!
//! An edit is applied at a beat position. When that position lies beyond
//! what has been generated, the edit waits and is applied just before the
//! bar (or the part of a bar) it starts is generated. When it lies inside
//! the window already generated but not yet sent to the audio thread, the
//! edit is applied at once and the affected tracks' note-ons from that frame
//! on are generated again; note-offs of notes already started stay, so a
//! sounding note is never cut.

use super::sequencer::Timeline;
use chronus_sequencer::pattern::Pattern;
use chronus_sequencer::schedule::{sort_events, Bar};
use chronus_sequencer::{Event, EventKind, TempoMap, TrackId};
use std::collections::{HashSet, VecDeque};

/// One track's lane.
#[derive(Clone, Debug)]
struct Lane {
    id: TrackId,
    pattern: Option<Pattern>,
    playing: bool,
    /// Follows the arrangement (until its pattern is set by hand).
    arranged: bool,
}

/// A song's arrangement started at a bar: `bars[i]` gives each track's
/// pattern in the `i`-th bar.
#[derive(Clone, Debug, Default)]
pub struct Arrangement {
    /// The blocks, one per bar: each track's pattern (absent: silent).
    pub bars: Vec<Vec<(TrackId, Pattern)>>,
}

/// A change to the timeline.
#[derive(Clone, Debug)]
pub enum Edit {
    /// A new track (stopped, no pattern).
    AddTrack(TrackId),
    /// A track goes (its sounding notes still get their note-offs).
    RemoveTrack(TrackId),
    /// A track's pattern (`None`: silent).
    Pattern(TrackId, Option<Pattern>),
    /// Start or stop a track's pattern.
    Play(TrackId, bool),
    /// Every track's pattern at once (absent tracks fall silent), playing.
    Scene(Vec<(TrackId, Pattern)>),
    /// Follow an arrangement from here (looping it).
    Arrange(Arrangement),
    /// Another arrangement, at the position the one followed has reached
    /// (a song reloaded in place); as [`Edit::Arrange`] when none is.
    Rearrange(Arrangement),
    /// Beats per minute from here.
    Tempo(f64),
    /// Swing from here.
    Swing(f64),
    /// Beats per bar from here (at a bar line not yet generated).
    Meter(u32),
    /// The seed of the patterns' random choices from here.
    Seed(u64),
    /// MIDI clock out from here (on: song position and continue, or start
    /// at the very beginning; off: stop).
    Clock(bool),
}

impl Edit {
    /// The track a per-track edit touches (`None`: every track).
    pub fn track(&self) -> Option<TrackId> {
        match self {
            Edit::AddTrack(t) | Edit::RemoveTrack(t) | Edit::Pattern(t, _) | Edit::Play(t, _) => {
                Some(*t)
            }
            _ => None,
        }
    }
}

/// The live timeline. Shared (behind a mutex) by the control thread, which
/// edits it, and the sequencer thread, which pumps it.
pub struct LiveTimeline {
    map: TempoMap,
    /// Meter segments: from bar `.0`, which starts at beat `.1`, `.2` beats
    /// per bar.
    meters: Vec<(u64, f64, u32)>,
    swing: f64,
    seed: u64,
    lanes: Vec<Lane>,
    arrangement: Option<(u64, Arrangement)>,
    /// First bar not generated yet.
    next_bar: u64,
    /// Beat up to which events have been generated (the start of `next_bar`).
    generated_beat: f64,
    /// Frames below this have been sent to the audio thread.
    sent_until: u64,
    /// Generated, not yet sent; sorted.
    pending: VecDeque<Event>,
    /// Edits waiting for their beat, in order of beat (then arrival).
    edits: Vec<(f64, Edit)>,
    next_id: u32,
    fresh: Vec<Event>,
    /// Re-rated and waiting for its tracks' new ids: generates nothing.
    held: bool,
    /// MIDI clock pulses: from beat `origin`, pulse `next` is due next, up
    /// to beat `end` when it has been turned off.
    clock: Option<ClockRun>,
}

/// A run of MIDI clock pulses (24 a beat).
#[derive(Clone, Copy, Debug, PartialEq)]
struct ClockRun {
    origin: f64,
    next: u64,
    end: Option<f64>,
}

/// MIDI clock pulses per beat (quarter note).
pub const CLOCK_PPQ: u64 = 24;

fn midi_event(frame: u64, bytes: [u8; 3], len: u8) -> Event {
    Event {
        frame,
        track: TrackId::MIDI_OUT,
        kind: EventKind::Midi { bytes, len },
    }
}

impl LiveTimeline {
    /// An empty timeline at `bpm`, `meter` beats per bar.
    pub fn new(rate: u32, bpm: f64, meter: u32, swing: f64, seed: u64) -> Self {
        LiveTimeline {
            map: TempoMap::constant(bpm, rate),
            meters: vec![(0, 0.0, meter.max(1))],
            swing,
            seed,
            lanes: Vec::new(),
            arrangement: None,
            next_bar: 0,
            generated_beat: 0.0,
            sent_until: 0,
            pending: VecDeque::new(),
            edits: Vec::new(),
            next_id: 0,
            fresh: Vec::new(),
            held: false,
            clock: None,
        }
    }

    /// Whether MIDI clock goes out (or will, from a bar to come).
    pub fn clock_on(&self) -> bool {
        self.clock.is_some_and(|c| c.end.is_none())
    }

    /// Put the clock pulses due before `horizon` into the pending events.
    fn clock_pulses(&mut self, horizon: u64) {
        let Some(mut run) = self.clock else { return };
        loop {
            let beat = run.origin + run.next as f64 / CLOCK_PPQ as f64;
            if run.end.is_some_and(|e| beat >= e - 1e-9) {
                self.clock = None;
                return;
            }
            let frame = self.map.frame_at(beat);
            if frame >= horizon {
                break;
            }
            let at = self.pending.partition_point(|e| e.frame <= frame);
            self.pending.insert(at, midi_event(frame, [0xF8, 0, 0], 1));
            run.next += 1;
        }
        self.clock = Some(run);
    }

    fn segment_of_bar(&self, bar: u64) -> (u64, f64, u32) {
        self.meters
            .iter()
            .rev()
            .find(|m| m.0 <= bar)
            .copied()
            .unwrap_or(self.meters[0])
    }

    /// Beats per bar in bar `bar`.
    pub fn meter_of(&self, bar: u64) -> u32 {
        self.segment_of_bar(bar).2
    }

    /// Beats per bar where the sequencer is generating now.
    pub fn meter(&self) -> u32 {
        self.meter_of(self.next_bar)
    }

    /// The beat at which bar `bar` (0-based) starts.
    pub fn bar_start(&self, bar: u64) -> f64 {
        let (b, beat, m) = self.segment_of_bar(bar);
        beat + (bar - b) as f64 * f64::from(m)
    }

    /// The bar (0-based) that `beat` falls in.
    pub fn bar_at(&self, beat: f64) -> u64 {
        let (b, start, m) = self
            .meters
            .iter()
            .rev()
            .find(|m| m.1 <= beat + 1e-9)
            .copied()
            .unwrap_or(self.meters[0]);
        b + ((beat - start) / f64::from(m) + 1e-9).floor().max(0.0) as u64
    }

    /// The first bar line at or after `beat`.
    pub fn next_bar_line(&self, beat: f64) -> f64 {
        let bar = self.bar_at(beat);
        let start = self.bar_start(bar);
        if start >= beat - 1e-9 {
            start
        } else {
            self.bar_start(bar + 1)
        }
    }

    /// The tempo map (frames of every beat).
    pub fn map(&self) -> &TempoMap {
        &self.map
    }

    /// The earliest beat an edit can still take effect at: the position of
    /// the first frame not yet sent to the audio thread.
    pub fn earliest_beat(&self) -> f64 {
        self.map.beat_at(self.sent_until)
    }

    /// The beat up to which bars have been generated (a new meter can start
    /// no earlier).
    pub fn generated_beat(&self) -> f64 {
        self.generated_beat
    }

    /// Frames below this have been sent to the audio thread.
    pub fn sent_until(&self) -> u64 {
        self.sent_until
    }

    /// Start at bar `bar` (0-based) instead of bar 0, before anything was
    /// generated (a resumed session): returns that bar's frame, where the
    /// engine's clock starts.
    pub fn start_at_bar(&mut self, bar: u64) -> u64 {
        self.next_bar = bar;
        self.generated_beat = self.bar_start(bar);
        let frame = self.map.frame_at(self.generated_beat);
        self.sent_until = frame;
        frame
    }

    /// Count at `rate` from now on (the device changed its rate): what was
    /// generated but not sent is dropped, and the music resumes at the next
    /// bar line after the first frame not yet sent. Returns that bar's frame
    /// at the new rate: the engine's clock continues from there.
    pub fn rerate(&mut self, rate: u32) -> u64 {
        let beat = self.map.beat_at(self.sent_until);
        self.map = self.map.rescaled(rate);
        self.pending.clear();
        // Nothing more until the tracks have their new ids (`remap`).
        self.held = true;
        let bar = self.bar_at(beat) + 1;
        self.next_bar = bar;
        self.generated_beat = self.bar_start(bar);
        let frame = self.map.frame_at(self.generated_beat);
        self.sent_until = frame;
        frame
    }

    /// Give the tracks new ids (their engine was rebuilt): `map` pairs each
    /// old id with its new one; a lane or waiting edit for a track not in
    /// it goes. A timeline held by [`Self::rerate`] resumes at the first
    /// bar line after `now` (the frame the engine is at).
    pub fn remap(&mut self, map: &[(TrackId, TrackId)], now: u64) {
        // An id nobody has: what was for a track that is gone stays inert.
        const GONE: TrackId = TrackId::new(u16::MAX - 1, u16::MAX);
        let new = |id: TrackId| map.iter().find(|(o, _)| *o == id).map_or(GONE, |(_, n)| *n);
        self.lanes.retain(|l| map.iter().any(|(o, _)| *o == l.id));
        for l in &mut self.lanes {
            l.id = new(l.id);
        }
        if self.held {
            self.held = false;
            let beat = self.map.beat_at(now.max(self.sent_until));
            let bar = self.bar_at(beat) + 1;
            self.next_bar = bar;
            self.generated_beat = self.bar_start(bar);
            self.sent_until = self.map.frame_at(self.generated_beat);
        }
        if let Some((_, a)) = &mut self.arrangement {
            for bar in &mut a.bars {
                for (id, _) in bar.iter_mut() {
                    *id = new(*id);
                }
            }
        }
        for (_, e) in &mut self.edits {
            match e {
                Edit::AddTrack(t)
                | Edit::RemoveTrack(t)
                | Edit::Pattern(t, _)
                | Edit::Play(t, _) => *t = new(*t),
                Edit::Scene(lanes) => lanes.iter_mut().for_each(|(t, _)| *t = new(*t)),
                Edit::Arrange(a) | Edit::Rearrange(a) => a
                    .bars
                    .iter_mut()
                    .for_each(|b| b.iter_mut().for_each(|(t, _)| *t = new(*t))),
                Edit::Tempo(_)
                | Edit::Swing(_)
                | Edit::Meter(_)
                | Edit::Seed(_)
                | Edit::Clock(_) => {}
            }
        }
    }

    /// Apply `edit` at `beat` (never earlier than [`Self::earliest_beat`]);
    /// the frame it takes effect at.
    pub fn edit_at(&mut self, beat: f64, edit: Edit) -> u64 {
        let mut beat = beat.max(self.earliest_beat());
        if matches!(edit, Edit::Meter(_)) {
            // Bars already generated keep their meter.
            beat = self.next_bar_line(beat.max(self.generated_beat));
        }
        if beat >= self.generated_beat {
            let at = self.edits.partition_point(|(b, _)| *b <= beat);
            self.edits.insert(at, (beat, edit));
            return self.map.frame_at(beat);
        }
        // Inside the generated window: apply now, regenerate from there
        // (never from a frame already sent, which rounding could give).
        let frame = self.map.frame_at(beat).max(self.sent_until);
        let touched = edit.track();
        self.apply(beat, edit);
        self.regenerate(beat, frame, touched);
        frame
    }

    fn apply(&mut self, beat: f64, edit: Edit) {
        match edit {
            Edit::AddTrack(id) => {
                if !self.lanes.iter().any(|l| l.id == id) {
                    self.lanes.push(Lane {
                        id,
                        pattern: None,
                        playing: false,
                        arranged: false,
                    });
                }
            }
            Edit::RemoveTrack(id) => self.lanes.retain(|l| l.id != id),
            Edit::Pattern(id, p) => {
                if let Some(l) = self.lanes.iter_mut().find(|l| l.id == id) {
                    l.pattern = p;
                    l.arranged = false;
                }
            }
            Edit::Play(id, on) => {
                if let Some(l) = self.lanes.iter_mut().find(|l| l.id == id) {
                    l.playing = on;
                }
            }
            Edit::Scene(lanes) => {
                self.arrangement = None;
                for l in &mut self.lanes {
                    l.arranged = false;
                    l.pattern = lanes
                        .iter()
                        .find(|(id, _)| *id == l.id)
                        .map(|(_, p)| p.clone());
                    if l.pattern.is_some() {
                        l.playing = true;
                    }
                }
            }
            Edit::Arrange(a) => {
                let bar = self.bar_at(beat);
                for l in &mut self.lanes {
                    l.arranged = true;
                    l.playing = true;
                }
                self.arrangement = Some((bar, a));
            }
            Edit::Rearrange(a) => {
                let start = self
                    .arrangement
                    .as_ref()
                    .map_or_else(|| self.bar_at(beat), |(start, _)| *start);
                for l in &mut self.lanes {
                    l.arranged = true;
                    l.playing = true;
                }
                self.arrangement = Some((start, a));
            }
            Edit::Tempo(bpm) => self.map.set_tempo_from(beat, bpm),
            Edit::Swing(s) => self.swing = s,
            Edit::Seed(s) => self.seed = s,
            Edit::Clock(on) => {
                let frame = self.map.frame_at(beat);
                match (on, self.clock) {
                    (true, None) | (true, Some(ClockRun { end: Some(_), .. })) => {
                        if beat <= 0.0 {
                            self.fresh.push(midi_event(frame, [0xFA, 0, 0], 1));
                        } else {
                            let pos = ((beat * 4.0).round() as u64).min(0x3FFF) as u16;
                            let spp = [0xF2, (pos & 0x7F) as u8, (pos >> 7) as u8];
                            self.fresh.push(midi_event(frame, spp, 3));
                            self.fresh.push(midi_event(frame, [0xFB, 0, 0], 1));
                        }
                        self.clock = Some(ClockRun {
                            origin: beat,
                            next: 0,
                            end: None,
                        });
                    }
                    (false, Some(mut run)) if run.end.is_none() => {
                        self.fresh.push(midi_event(frame, [0xFC, 0, 0], 1));
                        run.end = Some(beat);
                        self.clock = Some(run);
                    }
                    _ => {}
                }
            }
            Edit::Meter(m) => {
                let bar = self.bar_at(beat);
                let start = self.bar_start(bar);
                self.meters.retain(|seg| seg.0 < bar);
                self.meters.push((bar, start, m.max(1)));
            }
        }
    }

    /// Drop the not-yet-sent note-ons from `frame` on (of `track`, or of
    /// every track) with their note-offs, and generate them again.
    fn regenerate(&mut self, beat: f64, frame: u64, track: Option<TrackId>) {
        let hit = |e: &Event| track.is_none_or(|t| e.track == t);
        let dropped: HashSet<u32> = self
            .pending
            .iter()
            .filter(|e| e.frame >= frame && hit(e))
            .filter_map(|e| match e.kind {
                EventKind::NoteOn { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        self.pending.retain(|e| match e.kind {
            EventKind::NoteOn { id, .. } | EventKind::NoteOff { id } => !dropped.contains(&id),
            EventKind::Param { .. } | EventKind::Midi { .. } => true,
        });
        let first = self.bar_at(beat);
        for bar in first..self.next_bar {
            self.bar_events(bar, frame, track);
        }
        self.flush_fresh();
    }

    /// Generate bar `bar`'s note events with onsets at `from` or later.
    fn bar_events(&mut self, bar: u64, from: u64, only: Option<TrackId>) {
        let (cycle, block) = match &self.arrangement {
            Some((start, a)) if bar >= *start && !a.bars.is_empty() => {
                let i = (bar - start) as usize % a.bars.len();
                ((bar - start) as i64, Some(&a.bars[i]))
            }
            _ => (bar as i64, None),
        };
        let ctx = Bar {
            start: self.bar_start(bar),
            cycle,
            meter: self.meter_of(bar),
            swing: self.swing,
            seed: self.seed,
        };
        for lane in &self.lanes {
            if !lane.playing || only.is_some_and(|t| t != lane.id) {
                continue;
            }
            let pattern = match (lane.arranged, block) {
                (true, Some(b)) => b.iter().find(|(id, _)| *id == lane.id).map(|(_, p)| p),
                _ => lane.pattern.as_ref(),
            };
            if let Some(p) = pattern {
                ctx.events(
                    p,
                    &self.map,
                    lane.id,
                    &mut self.next_id,
                    from,
                    &mut self.fresh,
                );
            }
        }
    }

    fn flush_fresh(&mut self) {
        if self.fresh.is_empty() {
            return;
        }
        self.pending.extend(self.fresh.drain(..));
        sort_events(self.pending.make_contiguous());
    }

    /// Generate bar `next_bar`, applying the edits due inside it where they
    /// fall (an edit mid-bar splits it).
    fn generate_next_bar(&mut self) {
        let bar = self.next_bar;
        let start = self.bar_start(bar);
        // Edits due at the bar line first: a new meter sets where it ends.
        while self.edits.first().is_some_and(|(b, _)| *b <= start + 1e-9) {
            let (b, e) = self.edits.remove(0);
            self.apply(b.max(start), e);
        }
        let end = self.bar_start(bar + 1);
        let mut from_beat = start;
        loop {
            while self.edits.first().is_some_and(|(b, _)| *b <= from_beat) {
                let (b, e) = self.edits.remove(0);
                self.apply(b.max(start), e);
            }
            let next_edit = self.edits.first().map(|(b, _)| *b).filter(|b| *b < end);
            let from = self.map.frame_at(from_beat);
            let until = next_edit.map(|b| self.map.frame_at(b));
            let mark = self.fresh.len();
            self.bar_events(bar, from, None);
            if let Some(until) = until {
                // Keep only the onsets before the next edit (and their offs).
                let cut: HashSet<u32> = self.fresh[mark..]
                    .iter()
                    .filter_map(|e| match e.kind {
                        EventKind::NoteOn { id, .. } if e.frame >= until => Some(id),
                        _ => None,
                    })
                    .collect();
                let mut i = mark;
                while i < self.fresh.len() {
                    let id = match self.fresh[i].kind {
                        EventKind::NoteOn { id, .. } | EventKind::NoteOff { id } => Some(id),
                        EventKind::Param { .. } | EventKind::Midi { .. } => None,
                    };
                    if id.is_some_and(|id| cut.contains(&id)) {
                        self.fresh.swap_remove(i);
                    } else {
                        i += 1;
                    }
                }
            }
            match next_edit {
                Some(b) => from_beat = b,
                None => break,
            }
        }
        self.next_bar += 1;
        self.generated_beat = end;
        self.flush_fresh();
    }
}

impl Timeline for LiveTimeline {
    fn pump(&mut self, horizon: u64, push: &mut dyn FnMut(Event) -> bool) -> bool {
        if self.held {
            return false;
        }
        while self.map.frame_at(self.generated_beat) < horizon {
            self.generate_next_bar();
        }
        self.clock_pulses(horizon);
        let mut all = true;
        while let Some(&ev) = self.pending.front() {
            if ev.frame >= horizon {
                break;
            }
            if !push(ev) {
                all = false;
                break;
            }
            self.pending.pop_front();
        }
        if all {
            self.sent_until = self.sent_until.max(horizon);
        } else if let Some(ev) = self.pending.front() {
            self.sent_until = self.sent_until.max(ev.frame);
        }
        false
    }

    fn end_frame(&self) -> Option<u64> {
        None
    }
}
