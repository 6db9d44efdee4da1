//! The voice engine: a fixed-capacity table of tracks, mixed and limited,
//! changed while it plays.
//!
//! The [`Engine`] runs on the audio thread (or the offline render loop). It
//! is built on a control thread; after that, [`Engine::render`] never
//! allocates, frees, locks or blocks. Events are applied at their exact
//! frame inside a block: the block is rendered up to the event, the event is
//! applied, rendering goes on. Sub-blocks never cross a multiple of
//! `MAX_BLOCK` frames, so the output does not depend on the caller's block
//! size.
//!
//! Live, the engine also drains a [`ControlPort`]: frame-stamped events and
//! structural [`Command`]s built by the control thread. Tracks live in
//! [`MAX_TRACKS`] slots addressed by [`TrackId`] (slot plus generation), so
//! an event for a removed track is counted as stale and ignored. Whatever a
//! command replaces goes back as [`Garbage`] to be dropped off the audio
//! thread.

pub mod capture;
mod chain;
pub mod control;
pub mod midi;
pub mod midi_out;
pub mod panic_guard;
pub mod prefault;
mod queue;
pub mod rack;
pub mod stems;
mod tail;
mod track;

pub use chain::MAX_EFFECTS;
pub use control::{channel, Command, ControlMsg, ControlPort, EngineHandle, Garbage, Notice};
pub use queue::{EventQueue, VecQueue};
pub use track::{fade_frames, Track};

use chronus_dsp::effects::Limiter;
use chronus_dsp::math::db_to_gain;
use chronus_dsp::smooth::Smoothed;
use chronus_dsp::MAX_BLOCK;
use chronus_sequencer::{EffectId, Event, EventKind, ParamTarget, Song, TrackId};

/// Tracks an engine can hold.
pub const MAX_TRACKS: usize = 128;

/// Most events and commands applied in one call of [`Engine::render`]; the
/// rest wait for the next call (and are counted as deferred).
pub const MAX_EVENTS_PER_RENDER: u32 = 4096;

/// Counters the engine keeps while it renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Frames rendered since the start.
    pub frames: u64,
    /// Events applied.
    pub events: u64,
    /// Events that arrived after their frame (applied at the block start).
    pub late_events: u64,
    /// Events for no track at all (a slot past the table, ignored).
    pub bad_events: u64,
    /// Events for a track that has been removed (ignored, never applied
    /// to the slot's next track).
    pub stale_events: u64,
    /// Renders whose event cap left events due for the next call.
    pub deferred: u64,
    /// Structural commands applied.
    pub commands: u64,
    /// Blocks in which a track's output was not finite (that track reset).
    pub faults: u64,
    /// Returned objects leaked because no ring had room (never freed here).
    pub leaked: u64,
}

struct TrackSlot {
    generation: u16,
    track: Option<Box<Track>>,
    removing: bool,
    /// Its track panicked: it is silent until removed or replaced.
    panicked: bool,
}

/// Every track, a mix bus, the master gain and limiter.
pub struct Engine {
    rate: u32,
    slots: Box<[TrackSlot]>,
    /// One past the highest slot in use (mixing stops there).
    used: usize,
    master: Smoothed,
    limiter: Limiter,
    port: ControlPort,
    handle: Option<EngineHandle>,
    stats: EngineStats,
    /// This render hit the event cap with events still due.
    deferring: bool,
    midi: midi::Midi,
    midi_link: Option<midi::MidiLink>,
    midi_out: midi_out::MidiOut,
    /// Modules and the cables from them to parameters.
    rack: Box<rack::Rack>,
    /// A sending track's block, on its way to the mix and its returns.
    send_buf: Box<SendBuffers>,
    /// The rack's block, checked before it joins the mix.
    rack_buf: Box<SendBuffers>,
    /// What left the engine, for `listen` (when attached).
    capture: Option<Box<capture::Capture>>,
    /// Tracks rendered by other engines, or for another (`--jobs`).
    split: Option<Box<stems::Split>>,
}

/// Left and right scratch blocks.
type SendBuffers = ([f32; MAX_BLOCK], [f32; MAX_BLOCK]);

impl Engine {
    /// Build the engine for `song` at `rate` Hz: track `i` of the song in
    /// slot `i`. Allocates: control thread.
    pub fn new(song: &Song, rate: u32) -> Self {
        let mut engine = Engine::empty(rate);
        if song.master_gain != 0.0 {
            engine.master = Smoothed::new(db_to_gain(song.master_gain) as f32);
        }
        let mut next_effect = 0u32;
        let mut effect_ids = Vec::new();
        for (i, t) in song.tracks.iter().enumerate().take(MAX_TRACKS) {
            let track = Track::new(&t.name, &t.spec, rate as f32, next_effect);
            let n = t.spec.effects().len() as u32;
            effect_ids.push(
                (next_effect..next_effect + n)
                    .map(EffectId)
                    .collect::<Vec<_>>(),
            );
            next_effect += n;
            engine.slots[i].track = Some(Box::new(track));
            engine.used = i + 1;
        }
        engine.rack = Box::new(rack::song_rack(song, rate, |i| {
            (
                TrackId::of_song_track(i),
                effect_ids.get(i).cloned().unwrap_or_default(),
            )
        }));
        engine
    }

    /// An engine with no track. Allocates: control thread.
    pub fn empty(rate: u32) -> Self {
        panic_guard::install();
        // The SIMD level the kernels run at (reads CHRONUS_SIMD, once per
        // engine; off the audio thread).
        chronus_dsp::simd::init();
        let slots = (0..MAX_TRACKS)
            .map(|_| TrackSlot {
                generation: 0,
                track: None,
                removing: false,
                panicked: false,
            })
            .collect();
        let (handle, port) = channel();
        let (midi, midi_link) = midi::Midi::new(rate);
        Engine {
            rate,
            slots,
            used: 0,
            master: Smoothed::new(1.0),
            limiter: Limiter::new(rate as f32),
            port,
            handle: Some(handle),
            stats: EngineStats::default(),
            deferring: false,
            midi,
            midi_link: Some(midi_link),
            midi_out: midi_out::MidiOut::default(),
            rack: Box::default(),
            send_buf: Box::new(([0.0; MAX_BLOCK], [0.0; MAX_BLOCK])),
            rack_buf: Box::new(([0.0; MAX_BLOCK], [0.0; MAX_BLOCK])),
            capture: None,
            split: None,
        }
    }

    /// Copy what the engine plays into `capture` from now on (see
    /// [`capture`]). Control thread, before the engine moves.
    pub fn set_capture(&mut self, capture: capture::Capture) {
        self.capture = Some(Box::new(capture));
    }

    /// The MIDI messages the last render sent (frames absolute), for the
    /// backend's MIDI output. Audio thread safe.
    pub fn midi_out(&self) -> &[midi_out::OutMessage] {
        self.midi_out.messages()
    }

    /// Forget the last render's MIDI output (call before a render whose
    /// output is read). Audio thread safe.
    pub fn clear_midi_out(&mut self) {
        self.midi_out.clear();
    }

    /// MIDI messages sent and dropped (the output buffer was full).
    pub fn midi_out_counts(&self) -> (u64, u64) {
        (self.midi_out.sent, self.midi_out.dropped)
    }

    /// The MIDI counters and the inbox other threads send messages to
    /// (once: `None` after). Take it before the engine moves to the audio
    /// thread.
    pub fn take_midi_link(&mut self) -> Option<midi::MidiLink> {
        self.midi_link.take()
    }

    /// Carry `old`'s MIDI inbox and counters over to this engine (one that
    /// replaces it after a change of sample rate): the threads that feed
    /// and read them keep working. Control thread.
    pub fn take_midi_from(&mut self, old: &mut Engine) {
        self.midi.take_links_from(&mut old.midi);
    }

    /// Take in one raw MIDI event (a JACK MIDI event) at `offset` frames
    /// into the next render: it sounds exactly there. Call before
    /// [`Engine::render`], offsets in order. Audio thread safe.
    pub fn midi_in(&mut self, offset: u32, bytes: &[u8]) {
        self.midi.raw(self.stats.frames + u64::from(offset), bytes);
    }

    /// The control thread's end of the engine's rings (once: `None` after).
    /// Take it before the engine moves to the audio thread.
    pub fn take_handle(&mut self) -> Option<EngineHandle> {
        self.handle.take()
    }

    /// Sample rate in Hz.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The frame the next render starts at (the audio clock).
    pub fn frame(&self) -> u64 {
        self.stats.frames
    }

    /// Start counting frames at `frame` (an engine that takes over from
    /// another, as after a change of sample rate). Control thread.
    pub fn set_frame(&mut self, frame: u64) {
        self.stats.frames = frame;
    }

    /// Counters so far.
    pub fn stats(&self) -> EngineStats {
        let mut s = self.stats;
        s.leaked = self.port.leaked;
        s
    }

    /// The tracks present, in slot order.
    pub fn tracks(&self) -> impl Iterator<Item = &Track> {
        self.slots.iter().filter_map(|s| s.track.as_deref())
    }

    /// Voices sounding on all tracks.
    pub fn active_voices(&self) -> usize {
        self.tracks().map(Track::active_voices).sum()
    }

    /// Render `left.len()` frames (any length; `right` the same length),
    /// overwriting both, and apply each event from `events` (and from the
    /// attached control port) at its frame. Audio thread safe.
    pub fn render(&mut self, events: &mut dyn EventQueue, left: &mut [f32], right: &mut [f32]) {
        chronus_dsp::math::prevent_denormals();
        self.port.flush();
        self.port.receive();
        self.midi.drain_inbox(self.stats.frames);
        let mut pending = self.midi.take_pending();
        let total = left.len().min(right.len());
        let mut done = 0usize;
        let mut budget = MAX_EVENTS_PER_RENDER;
        self.deferring = false;
        while done < total {
            let start = self.stats.frames;
            // Sub-blocks follow the absolute grid of MAX_BLOCK frames (and
            // split at events), whatever the caller's block size: control-
            // rate updates (filter envelopes, voice reaping) then happen on
            // the same frames offline and live, at any period.
            let to_grid = MAX_BLOCK - (start % MAX_BLOCK as u64) as usize;
            let mut len = (total - done).min(to_grid);
            let end = start + len as u64;
            if start.is_multiple_of(MAX_BLOCK as u64) {
                self.midi.tick(start, MAX_BLOCK as u32, &mut pending);
                let midi = &mut self.midi;
                self.rack
                    .tick_notes(start, MAX_BLOCK as u32, |e| midi.push(&mut pending, e));
                if !self.rack.is_idle() {
                    let Engine {
                        slots,
                        master,
                        stats,
                        midi_out,
                        rack,
                        ..
                    } = self;
                    rack.tick(start, |e| apply_event(slots, master, stats, midi_out, e));
                }
            }
            let mut merged = midi::Merged {
                events: &mut *events,
                midi: &mut pending,
                last_midi: false,
            };
            if let Some(until) = self.apply_due(&mut merged, start, end, &mut budget) {
                len = (until - start) as usize;
            }
            let (l, r) = (&mut left[done..done + len], &mut right[done..done + len]);
            self.mix(l, r);
            self.stats.frames += len as u64;
            done += len;
        }
        self.midi.restore(pending);
        self.midi.publish();
        if self.deferring {
            self.stats.deferred += 1;
        }
    }

    /// Apply every event and command due before `end` (or late), in frame
    /// order, control messages first within a frame. Returns the frame of
    /// the first one due later inside the sub-block, where it must split.
    fn apply_due(
        &mut self,
        events: &mut dyn EventQueue,
        start: u64,
        end: u64,
        budget: &mut u32,
    ) -> Option<u64> {
        loop {
            if *budget == 0 {
                self.port.receive();
                let more = events.next_before(end).inspect(|&ev| events.put_back(ev));
                let ctl = self.port.next_frame();
                if more.is_some() || ctl.is_some_and(|f| f < end) {
                    self.deferring = true;
                }
                return None;
            }
            if self.port.scheduled() == 0 {
                self.port.receive();
            }
            let ctl_frame = self.port.next_frame().filter(|&f| f < end);
            let ev = events.next_before(end);
            let take_ctl = match (ctl_frame, ev) {
                (None, None) => return None,
                (Some(c), Some(e)) => c <= e.frame,
                (Some(_), None) => true,
                (None, Some(_)) => false,
            };
            let frame = if take_ctl {
                if let Some(e) = ev {
                    events.put_back(e);
                }
                ctl_frame.unwrap_or(start)
            } else {
                ev.map_or(start, |e| e.frame)
            };
            if frame > start {
                if let (false, Some(e)) = (take_ctl, ev) {
                    events.put_back(e);
                }
                return Some(frame);
            }
            if frame < start {
                self.stats.late_events += 1;
            }
            *budget -= 1;
            if take_ctl {
                match self.port.take_next() {
                    Some(ControlMsg::Event(e)) => self.apply(e),
                    Some(ControlMsg::Command { command, .. }) => self.command(command),
                    None => {}
                }
            } else if let Some(e) = ev {
                self.apply(e);
            }
        }
    }

    /// Render one sub-block of every track into `l`/`r`, then the master.
    fn mix(&mut self, l: &mut [f32], r: &mut [f32]) {
        l.fill(0.0);
        r.fill(0.0);
        let frame = self.stats.frames;
        let used = self.used;
        let Engine {
            slots,
            port,
            stats,
            rack,
            send_buf,
            capture,
            split,
            ..
        } = self;
        if let Some(c) = capture.as_deref_mut() {
            c.begin(frame);
        }
        // One guard over the whole pass (a guard per track cost 5% of the
        // reference load): a track that panics is marked, and the pass goes
        // on from the next one. What it had added was not (tracks add last).
        let mut next = 0;
        while next < used {
            let mut current = next;
            let pass = panic_guard::guarded(|| {
                mix_tracks(
                    &mut slots[..used],
                    next,
                    &mut current,
                    (l, r),
                    port,
                    stats,
                    frame,
                    (rack, send_buf),
                    capture.as_deref_mut(),
                    split.as_deref_mut(),
                );
            });
            let Err(payload) = pass else { break };
            let slot = &mut slots[current];
            slot.panicked = true;
            stats.faults += 1;
            port.notify(Notice::Panic(TrackId::new(current as u16, slot.generation)));
            port.discard(Garbage::Panic(payload));
            next = current + 1;
        }
        if !self.rack.is_idle() {
            // Into its own block first: what is not finite never reaches
            // the mix.
            let n = l.len();
            let (rl, rr) = (&mut self.rack_buf.0[..n], &mut self.rack_buf.1[..n]);
            rl.fill(0.0);
            rr.fill(0.0);
            let rack = &mut self.rack;
            let pass = panic_guard::guarded(|| rack.render_add(rl, rr, frame));
            if pass.is_ok() {
                if rl.iter().chain(rr.iter()).all(|v| v.is_finite()) {
                    for ((a, b), (x, y)) in
                        l.iter_mut().zip(r.iter_mut()).zip(rl.iter().zip(rr.iter()))
                    {
                        *a += x;
                        *b += y;
                    }
                } else {
                    // Silent until the next patch edit, and reported.
                    self.rack.panicked = true;
                    self.stats.faults += 1;
                    self.port.notify(Notice::Fault(TrackId::MASTER));
                }
            }
            while let Some((key, payload)) = self.rack.take_panic() {
                // That module fell silent; the others and the tracks play
                // on.
                self.port.discard(Garbage::Panic(payload));
                self.stats.faults += 1;
                self.port.notify(Notice::ModulePanic(key));
            }
            if let Err(payload) = pass {
                // A chain or a return panicked: the modules fall silent,
                // the tracks play on.
                self.rack.panicked = true;
                self.port.discard(Garbage::Panic(payload));
                self.stats.faults += 1;
                self.port.notify(Notice::Panic(TrackId::MASTER));
            }
            if let Some(old) = self.rack.retired() {
                self.port.discard(Garbage::Rack(old));
            }
        }
        if self.split.as_deref().is_some_and(|s| s.record) {
            // A worker's mix is not heard: its tracks went into the chunk
            // (its modules ran for their cables to them).
            return;
        }
        if self.master.is_smoothing() || self.master.value() != 1.0 {
            for (a, b) in l.iter_mut().zip(r.iter_mut()) {
                let g = self.master.next();
                *a *= g;
                *b *= g;
            }
        }
        let Some(c) = self.capture.as_deref_mut() else {
            self.limiter.process(l, r);
            return;
        };
        c.before_limiter(l, r);
        self.limiter.process(l, r);
        let s = &self.stats;
        c.master(
            frame,
            (l, r),
            self.limiter.gain_reduction_db(),
            (s.faults, s.late_events),
        );
    }

    /// Apply one event now. Audio thread safe.
    pub fn apply(&mut self, ev: Event) {
        if let EventKind::Param {
            target,
            value,
            ramp,
        } = ev.kind
        {
            // A patched parameter: the set moves the cable's base.
            if value.is_finite() && self.rack.intercept(ev.track, target, value, ramp) {
                self.stats.events += 1;
                return;
            }
        }
        match ev.kind {
            EventKind::NoteOn { .. } | EventKind::NoteOff { .. }
                if self.rack.arp_note(ev.track, ev.kind, ev.frame) =>
            {
                // An arpeggiator plays it its own way.
                self.stats.events += 1;
                return;
            }
            EventKind::NoteOn { .. } => self.rack.note(ev.track, true),
            EventKind::NoteOff { .. } => self.rack.note(ev.track, false),
            _ => {}
        }
        if let Some(c) = self.capture.as_deref_mut() {
            if matches!(
                ev.kind,
                EventKind::NoteOn { .. } | EventKind::NoteOff { .. }
            ) {
                c.note(ev);
            }
        }
        apply_event(
            &mut self.slots,
            &mut self.master,
            &mut self.stats,
            &mut self.midi_out,
            ev,
        );
    }

    /// Apply one structural command now. Audio thread safe.
    fn command(&mut self, command: Command) {
        self.stats.commands += 1;
        let command = match command {
            Command::MidiRoutes(routes) => {
                let Engine {
                    slots,
                    master,
                    stats,
                    midi,
                    midi_out,
                    port,
                    ..
                } = self;
                let frame = stats.frames;
                midi_out.set_routes(&routes.outs, frame);
                let old = midi.set_routes(routes, frame, &mut |e| {
                    apply_event(slots, master, stats, midi_out, e);
                });
                port.discard(Garbage::Routes(old));
                return;
            }
            Command::Modulation(rack) => {
                let old = std::mem::replace(&mut self.rack, rack);
                let fade = fade_frames(self.rate as f32);
                let frame = self.stats.frames;
                if let Some(older) = self.rack.take_over(old, fade, frame) {
                    self.port.discard(Garbage::Rack(older));
                }
                return;
            }
            c => c,
        };
        let port = &mut self.port;
        let id = match &command {
            Command::AddTrack { id, .. } | Command::RemoveTrack(id) => *id,
            Command::ReplaceInstrument { track, .. }
            | Command::InsertEffect { track, .. }
            | Command::RemoveEffect { track, .. }
            | Command::MoveEffect { track, .. }
            | Command::ReplaceEffect { track, .. } => *track,
            Command::MidiRoutes(_) | Command::Modulation(_) => return,
        };
        let Some(slot) = self.slots.get_mut(usize::from(id.slot)) else {
            port.notify(Notice::StaleCommand(id));
            port.discard(Garbage::Command(command));
            return;
        };
        if let Command::AddTrack { id, track } = command {
            if let Some(old) = slot.track.take() {
                // The control thread reuses a slot only once it came back;
                // anything still there is returned rather than dropped.
                let old_id = TrackId::new(id.slot, slot.generation);
                port.discard(Garbage::Track {
                    id: old_id,
                    track: old,
                });
            }
            slot.generation = id.generation;
            slot.track = Some(track);
            slot.removing = false;
            slot.panicked = false;
            self.used = self.used.max(usize::from(id.slot) + 1);
            return;
        }
        let live = slot.generation == id.generation && !slot.removing;
        let Some(track) = slot.track.as_deref_mut().filter(|_| live) else {
            port.notify(Notice::StaleCommand(id));
            port.discard(Garbage::Command(command));
            return;
        };
        match command {
            // Handled above; were it ever here, its track goes back.
            c @ (Command::AddTrack { .. } | Command::MidiRoutes(_) | Command::Modulation(_)) => {
                port.discard(Garbage::Command(c));
            }
            Command::RemoveTrack(_) => {
                track.start_removal();
                slot.removing = true;
            }
            Command::ReplaceInstrument { instrument, .. } => {
                track.replace_instrument(instrument, port);
            }
            Command::InsertEffect {
                index, id, effect, ..
            } => {
                track.insert_effect(index, id, effect, port);
            }
            Command::RemoveEffect { effect, .. } => {
                track.chain().remove(effect);
            }
            Command::MoveEffect { effect, index, .. } => {
                track.chain().move_to(effect, index);
            }
            Command::ReplaceEffect { effect, with, .. } => {
                track.chain().replace(effect, with, port);
            }
        }
    }

    /// Silence every voice and effect tail at once.
    pub fn reset(&mut self) {
        for t in self.slots.iter_mut().filter_map(|s| s.track.as_deref_mut()) {
            t.reset();
        }
        self.limiter.reset();
    }
}

/// Apply one event now to the track it names (or the master). Audio thread
/// safe.
fn apply_event(
    slots: &mut [TrackSlot],
    master: &mut Smoothed,
    stats: &mut EngineStats,
    out: &mut midi_out::MidiOut,
    ev: Event,
) {
    if ev.track == TrackId::MIDI_OUT {
        out.event(&ev);
        stats.events += 1;
        return;
    }
    if ev.track == TrackId::MASTER {
        if let EventKind::Param {
            target: ParamTarget::Gain,
            value,
            ramp,
        } = ev.kind
        {
            if value.is_finite() {
                let g = db_to_gain(f64::from(value.clamp(-60.0, 24.0))) as f32;
                master.set(g, ramp);
            }
            stats.events += 1;
        } else {
            stats.bad_events += 1;
        }
        return;
    }
    let Some(slot) = slots.get_mut(usize::from(ev.track.slot)) else {
        stats.bad_events += 1;
        return;
    };
    // Another generation, or the track was removed (its slot is
    // empty): an event that outlived its track.
    let track = slot
        .track
        .as_deref_mut()
        .filter(|_| slot.generation == ev.track.generation);
    let Some(track) = track else {
        stats.stale_events += 1;
        return;
    };
    stats.events += 1;
    if matches!(
        ev.kind,
        EventKind::NoteOn { .. } | EventKind::NoteOff { .. }
    ) {
        out.event(&ev);
    }
    track.apply(ev.kind);
}

/// Render and add tracks `from..` of `slots` into `l`/`r`, noting each
/// one's index in `current` before it renders (so a panic names it).
#[allow(clippy::too_many_arguments)]
fn mix_tracks(
    slots: &mut [TrackSlot],
    from: usize,
    current: &mut usize,
    (l, r): (&mut [f32], &mut [f32]),
    port: &mut control::ControlPort,
    stats: &mut EngineStats,
    frame: u64,
    (rack, buf): (&mut rack::Rack, &mut SendBuffers),
    mut capture: Option<&mut capture::Capture>,
    mut split: Option<&mut stems::Split>,
) {
    for (i, slot) in slots.iter_mut().enumerate().skip(from) {
        *current = i;
        let id = TrackId::new(i as u16, slot.generation);
        if let Some(sp) = split.as_deref_mut() {
            let record = sp.record;
            if let Some((bl, br)) = sp.block(i, frame, l.len()) {
                if record {
                    // A worker: the track's output into its block only.
                    if let Some(track) = slot.track.as_deref_mut().filter(|_| !slot.panicked) {
                        if track.render_add(bl, br, port, frame) {
                            stats.faults += 1;
                            port.notify(Notice::Fault(id));
                        }
                    }
                    continue;
                }
                // The main engine: another engine rendered it.
                if rack.sends_from(id) {
                    rack.feed(id, bl, br);
                }
                if let Some(c) = capture.as_deref_mut() {
                    c.track(id, frame, bl, br);
                }
                for ((a, b), (x, y)) in l.iter_mut().zip(r.iter_mut()).zip(bl.iter().zip(br.iter()))
                {
                    *a += x;
                    *b += y;
                }
                continue;
            }
        }
        let Some(track) = slot.track.as_deref_mut() else {
            continue;
        };
        let sends = !slot.panicked && rack.sends_from(id);
        let fault = if slot.panicked {
            false
        } else if sends || capture.is_some() {
            // Rendered on its own first: its output goes to the returns
            // it sends to (and the capture) as well as into the mix.
            let n = l.len();
            let (sl, sr) = (&mut buf.0[..n], &mut buf.1[..n]);
            sl.fill(0.0);
            sr.fill(0.0);
            let fault = track.render_add(sl, sr, port, frame);
            if sends {
                rack.feed(id, sl, sr);
            }
            if let Some(c) = capture.as_deref_mut() {
                c.track(id, frame, sl, sr);
            }
            for ((a, b), (x, y)) in l.iter_mut().zip(r.iter_mut()).zip(sl.iter().zip(sr.iter())) {
                *a += x;
                *b += y;
            }
            fault
        } else {
            track.render_add(l, r, port, frame)
        };
        if fault {
            stats.faults += 1;
            port.notify(Notice::Fault(id));
        }
        if slot.removing && (slot.panicked || track.is_gone()) {
            if let Some(t) = slot.track.take() {
                let id = TrackId::new(i as u16, slot.generation);
                port.discard(Garbage::Track { id, track: t });
            }
            slot.removing = false;
        }
    }
}
