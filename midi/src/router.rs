//! The audio thread's MIDI state: messages in, engine events out.
//!
//! Per channel it keeps the keys held (each with the note id the engine
//! knows it by), the notes the sustain pedal holds, the pitch wheel, the mod
//! wheel and channel pressure. A message becomes events for every track
//! routed to its channel, stamped with the message's frame:
//!
//! - note-on (velocity 1..127 as 0..1) and note-off; a key struck again
//!   while it still sounds releases the old note first;
//! - sustain (CC 64 at 64 or more): a released key keeps sounding until the
//!   pedal lifts;
//! - pitch bend: `bend` semitones of the route at full throw;
//! - mod wheel (CC 1) and channel aftertouch: vibrato (5.5 Hz, up to 50
//!   cents), unless a map takes them for a parameter;
//! - all-notes-off (CC 123, and the mode messages 124-127), all-sound-off
//!   (CC 120: notes cut within the track's 10 ms fade), reset-all-controllers
//!   (CC 121);
//! - mapped controllers: the parameter's value, smoothed over 5 ms as `set`
//!   smooths it.
//!
//! Nothing here allocates; the routing table is replaced whole with
//! [`Router::set_routes`], which releases what the old one was playing.

use crate::message::cc;
use crate::routes::{Keys, Route, Routes, Source};
use crate::Message;
use chronus_sequencer::{Event, EventKind, ParamTarget, TrackId};

/// Vibrato depth at full mod wheel or pressure, in cents.
pub const VIBRATO_CENTS: f32 = 50.0;
/// Vibrato rate in Hz.
pub const VIBRATO_HZ: f32 = 5.5;
/// Note ids of MIDI notes (the sequencer's count from 0, the command line's
/// from `0x8000_0000`).
pub const NOTE_IDS: u32 = 0xC000_0000;
/// Seconds over which a mapped parameter moves to a controller's value
/// (the same default as `set`).
pub const SMOOTHING: f32 = 0.005;

/// What the router has done. Counts only grow.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RouterStats {
    /// Messages taken in.
    pub messages: u64,
    /// Note-ons played on at least one track.
    pub notes: u64,
    /// Note-ons on a channel no track listens to.
    pub unrouted: u64,
    /// Controller moves and aftertouch that moved a mapped parameter.
    pub mapped: u64,
    /// The last controller moved (0..=119): a count that grows with each
    /// move, its channel and its number (for `learn`).
    pub last_control: Option<(u64, u8, u8)>,
}

/// One channel's state.
#[derive(Clone, Copy)]
struct Channel {
    /// Note id per key (0: not sounding).
    held: [u32; 128],
    /// Keys released while the pedal is down (bit per key).
    sustained: u128,
    pedal: bool,
    /// Pitch wheel, -1..1.
    bend: f32,
    wheel: f32,
    pressure: f32,
    /// Vibrato phase in turns.
    phase: f32,
    /// Vibrato was applied at the last tick.
    vibrating: bool,
}

impl Default for Channel {
    fn default() -> Self {
        Channel {
            held: [0; 128],
            sustained: 0,
            pedal: false,
            bend: 0.0,
            wheel: 0.0,
            pressure: 0.0,
            phase: 0.0,
            vibrating: false,
        }
    }
}

/// See the module docs.
pub struct Router {
    routes: Box<Routes>,
    channels: Box<[Channel; 16]>,
    next_id: u32,
    rate: f32,
    smoothing: u32,
    stats: RouterStats,
    controls: u64,
}

impl Router {
    /// A router with no routes, for an engine at `rate` Hz. Allocates.
    pub fn new(rate: u32) -> Self {
        Router {
            routes: Box::default(),
            channels: Box::new([Channel::default(); 16]),
            next_id: 0,
            rate: rate.max(1) as f32,
            smoothing: (SMOOTHING * rate as f32).round() as u32,
            stats: RouterStats::default(),
            controls: 0,
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> RouterStats {
        self.stats
    }

    /// The routing table in force.
    pub fn routes(&self) -> &Routes {
        &self.routes
    }

    /// Put `routes` in force at `frame`: every note the old table was
    /// playing is released, and tracks it bent are bent back. Returns the
    /// old table (to be dropped off the audio thread).
    pub fn set_routes(
        &mut self,
        routes: Box<Routes>,
        frame: u64,
        out: &mut dyn FnMut(Event),
    ) -> Box<Routes> {
        for ch in 0..16u8 {
            self.release_all(ch, frame, out);
            let c = &mut self.channels[usize::from(ch)];
            if c.bend != 0.0 || c.vibrating {
                c.vibrating = false;
                for r in self.routes.hearing(ch) {
                    out(param(frame, r.track, ParamTarget::Bend, 0.0, 0));
                }
            }
        }
        let old = std::mem::replace(&mut self.routes, routes);
        for ch in 0..16u8 {
            let bend = self.channels[usize::from(ch)].bend;
            if bend != 0.0 {
                for r in self.routes.hearing(ch) {
                    out(param(frame, r.track, ParamTarget::Bend, bend * r.bend, 0));
                }
            }
        }
        old
    }

    /// Take in one message at `frame`; its events go to `out`.
    pub fn message(&mut self, frame: u64, m: Message, out: &mut dyn FnMut(Event)) {
        self.stats.messages += 1;
        match m {
            Message::NoteOn {
                channel,
                note,
                velocity,
            } => self.note_on(channel, note, velocity, frame, out),
            Message::NoteOff { channel, note, .. } => {
                let ch = &mut self.channels[usize::from(channel & 15)];
                let key = usize::from(note & 127);
                if ch.held[key] == 0 {
                    return;
                }
                if ch.pedal {
                    ch.sustained |= 1 << key;
                } else {
                    self.release(channel, note, frame, out);
                }
            }
            Message::Control {
                channel,
                controller,
                value,
            } => self.control(channel & 15, controller & 127, value & 127, frame, out),
            Message::ChannelPressure { channel, value } => {
                let channel = channel & 15;
                self.channels[usize::from(channel)].pressure = f32::from(value & 127) / 127.0;
                self.mapped(Source::Pressure, channel, value, frame, out);
            }
            Message::PitchBend { channel, value } => {
                let channel = channel & 15;
                let bend = (f32::from(value) / 8192.0).clamp(-1.0, 1.0);
                let ch = &mut self.channels[usize::from(channel)];
                ch.bend = bend;
                if !ch.vibrating {
                    let ramp = (self.rate / 750.0) as u32;
                    for r in self.routes.hearing(channel) {
                        out(param(
                            frame,
                            r.track,
                            ParamTarget::Bend,
                            bend * r.bend,
                            ramp,
                        ));
                    }
                }
            }
            _ => {}
        }
    }

    /// Advance the vibrato by `frames` (one control block, at `frame`):
    /// channels with the mod wheel or pressure up get their bend again, a
    /// point of a sine ramped over the block.
    pub fn tick(&mut self, frame: u64, frames: u32, out: &mut dyn FnMut(Event)) {
        for channel in 0..16u8 {
            let ch = &self.channels[usize::from(channel)];
            // Most channels, most of the time: nothing to do, no map lookup.
            if ch.wheel == 0.0 && ch.pressure == 0.0 && !ch.vibrating {
                continue;
            }
            let depth = self.vibrato_depth(channel);
            let ch = &mut self.channels[usize::from(channel)];
            if depth == 0.0 && !ch.vibrating {
                continue;
            }
            ch.phase = (ch.phase + VIBRATO_HZ * frames as f32 / self.rate).fract();
            let wobble = if depth == 0.0 {
                ch.vibrating = false;
                ch.phase = 0.0;
                0.0
            } else {
                ch.vibrating = true;
                depth / 100.0 * (std::f32::consts::TAU * ch.phase).sin()
            };
            let bend = ch.bend;
            for r in self.routes.hearing(channel) {
                let value = bend * r.bend + wobble;
                out(param(frame, r.track, ParamTarget::Bend, value, frames));
            }
        }
    }

    /// Vibrato depth in cents now on `channel`: the wheel's and the
    /// pressure's, each unless mapped elsewhere.
    fn vibrato_depth(&self, channel: u8) -> f32 {
        let ch = &self.channels[usize::from(channel)];
        let wheel = if self.is_mapped(Source::Control(cc::MOD_WHEEL), channel) {
            0.0
        } else {
            ch.wheel
        };
        let pressure = if self.is_mapped(Source::Pressure, channel) {
            0.0
        } else {
            ch.pressure
        };
        wheel.max(pressure) * VIBRATO_CENTS
    }

    fn is_mapped(&self, source: Source, channel: u8) -> bool {
        self.routes.moved_by(source, channel).next().is_some()
    }

    fn note_on(
        &mut self,
        channel: u8,
        note: u8,
        velocity: u8,
        frame: u64,
        out: &mut dyn FnMut(Event),
    ) {
        let (channel, note) = (channel & 15, note & 127);
        if self.routes.hearing(channel).next().is_none() {
            self.stats.unrouted += 1;
            return;
        }
        let key = usize::from(note);
        if self.channels[usize::from(channel)].held[key] != 0 {
            self.release(channel, note, frame, out);
        }
        self.next_id = (self.next_id + 1) & 0x3FFF_FFFF;
        let id = NOTE_IDS | self.next_id;
        self.channels[usize::from(channel)].held[key] = id;
        self.stats.notes += 1;
        let velocity = f32::from(velocity & 127) / 127.0;
        for r in self.routes.hearing(channel) {
            let pitch = match r.keys {
                Keys::Pitch => Some(f32::from(note)),
                Keys::Trigger => None,
            };
            out(Event {
                frame,
                track: r.track,
                kind: EventKind::NoteOn {
                    id,
                    pitch,
                    velocity,
                },
            });
        }
    }

    /// End the note on `key` of `channel` now (pedal or not).
    fn release(&mut self, channel: u8, key: u8, frame: u64, out: &mut dyn FnMut(Event)) {
        let ch = &mut self.channels[usize::from(channel)];
        let k = usize::from(key & 127);
        let id = std::mem::take(&mut ch.held[k]);
        ch.sustained &= !(1u128 << k);
        if id == 0 {
            return;
        }
        for r in self.routes.hearing(channel) {
            out(note_off(frame, r, id));
        }
    }

    fn release_all(&mut self, channel: u8, frame: u64, out: &mut dyn FnMut(Event)) {
        for key in 0..128u8 {
            if self.channels[usize::from(channel)].held[usize::from(key)] != 0 {
                self.release(channel, key, frame, out);
            }
        }
    }

    fn control(
        &mut self,
        channel: u8,
        controller: u8,
        value: u8,
        frame: u64,
        out: &mut dyn FnMut(Event),
    ) {
        if controller < 120 {
            self.controls += 1;
            self.stats.last_control = Some((self.controls, channel, controller));
        }
        if controller == cc::ALL_SOUND_OFF {
            self.release_all(channel, frame, out);
            for r in self.routes.hearing(channel) {
                out(param(frame, r.track, ParamTarget::Hush, 0.0, 0));
            }
            return;
        }
        if controller == cc::ALL_NOTES_OFF || cc::MODE_MESSAGES.contains(&controller) {
            self.release_all(channel, frame, out);
            return;
        }
        if controller == cc::RESET_CONTROLLERS {
            let ch = &mut self.channels[usize::from(channel)];
            let was_bent = ch.bend != 0.0 || ch.vibrating;
            (ch.bend, ch.wheel, ch.pressure, ch.vibrating) = (0.0, 0.0, 0.0, false);
            self.pedal(channel, false, frame, out);
            if was_bent {
                for r in self.routes.hearing(channel) {
                    out(param(frame, r.track, ParamTarget::Bend, 0.0, 0));
                }
            }
            return;
        }
        let source = Source::Control(controller);
        if self.is_mapped(source, channel) {
            self.mapped(source, channel, value, frame, out);
            if controller == cc::MOD_WHEEL {
                self.channels[usize::from(channel)].wheel = f32::from(value) / 127.0;
            }
            return;
        }
        match controller {
            cc::SUSTAIN => self.pedal(channel, value >= 64, frame, out),
            cc::MOD_WHEEL => self.channels[usize::from(channel)].wheel = f32::from(value) / 127.0,
            _ => {}
        }
    }

    fn pedal(&mut self, channel: u8, down: bool, frame: u64, out: &mut dyn FnMut(Event)) {
        let ch = &mut self.channels[usize::from(channel)];
        ch.pedal = down;
        if down {
            return;
        }
        let mut held = std::mem::take(&mut ch.sustained);
        while held != 0 {
            let key = held.trailing_zeros() as u8;
            held &= held - 1;
            self.release(channel, key, frame, out);
        }
    }

    fn mapped(
        &mut self,
        source: Source,
        channel: u8,
        value: u8,
        frame: u64,
        out: &mut dyn FnMut(Event),
    ) {
        let x = f32::from(value & 127) / 127.0;
        let mut any = false;
        for m in self.routes.moved_by(source, channel) {
            any = true;
            let v = m.curve.at(x, m.min, m.max);
            out(param(frame, m.track, m.target, v, self.smoothing));
        }
        if any {
            self.stats.mapped += 1;
        }
    }
}

fn param(frame: u64, track: TrackId, target: ParamTarget, value: f32, ramp: u32) -> Event {
    Event {
        frame,
        track,
        kind: EventKind::Param {
            target,
            value,
            ramp,
        },
    }
}

fn note_off(frame: u64, r: &Route, id: u32) -> Event {
    Event {
        frame,
        track: r.track,
        kind: EventKind::NoteOff { id },
    }
}

#[cfg(test)]
mod tests;
