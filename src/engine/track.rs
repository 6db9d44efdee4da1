//! One mixer track: an instrument (and, after a replacement, the previous
//! one ringing out), its insert chain, and smoothed gain, pan and mute.

use super::chain::Chain;
use super::control::{ControlPort, Garbage};
use super::tail::Tail;
use chronus_dsp::math::{db_to_gain, pan_gains};
use chronus_dsp::smooth::Smoothed;
use chronus_dsp::voices::calibration;
use chronus_dsp::{build_effect, build_instrument, Effect, Instrument, MAX_BLOCK};
use chronus_sequencer::song::InstrumentSpec;
use chronus_sequencer::{EffectId, EventKind, ParamTarget};

/// Longest a replaced instrument may ring out, in seconds.
const RETIRE_SECONDS: f64 = 4.0;

/// Equal-power pan, normalised so that centre is unity gain per side.
const PAN_NORM: f32 = std::f32::consts::SQRT_2;

/// A replaced instrument finishing its sounding notes.
struct Retiring {
    instrument: Box<dyn Instrument>,
    tail: Tail,
}

/// A track as the audio thread holds it: everything allocated up front.
pub struct Track {
    /// The track's name (for reports; never touched on the audio thread).
    pub name: String,
    instrument: Box<dyn Instrument>,
    /// Replaced instruments ringing out: the last one, and the one before
    /// it fading out fast (two replacements in a row: faded, never cut).
    retiring: [Option<Retiring>; 2],
    chain: Chain,
    /// Linear gain, calibration included.
    gain: Smoothed,
    calibration: f64,
    pan: Smoothed,
    /// 1 sounding, 0 muted.
    audible: Smoothed,
    /// 1 in the mix, 0 gone: fades on creation and removal.
    presence: Smoothed,
    /// Left and right gains while nothing ramps.
    gain_left: f32,
    gain_right: f32,
    fade: u32,
    /// Frames left of an all-sound-off fade (then every voice stops).
    hush: Option<u32>,
    /// The instrument has been told the absolute frame it starts at.
    synced: bool,
    rate: f32,
    faults: u64,
    mono: [f32; MAX_BLOCK],
    extra: [f32; MAX_BLOCK],
    left: [f32; MAX_BLOCK],
    right: [f32; MAX_BLOCK],
    ramp: [f32; MAX_BLOCK],
}

/// Frames of the fade used for structural edits (10 ms).
pub fn fade_frames(rate: f32) -> u32 {
    (rate * 0.01).round().max(1.0) as u32
}

impl Track {
    /// Build the track for `spec` at `rate` Hz, its effects numbered from
    /// `first_effect`. Allocates: control thread.
    pub fn new(name: &str, spec: &InstrumentSpec, rate: f32, first_effect: u32) -> Self {
        let effects = spec
            .effects()
            .iter()
            .enumerate()
            .map(|(i, fx)| (EffectId(first_effect + i as u32), build_effect(fx, rate)))
            .collect();
        let calibration = f64::from(calibration(spec));
        let mut t = Track::with_instrument(name, build_instrument(spec, rate), rate);
        t.chain = Chain::new(effects, t.fade, rate);
        t.calibration = calibration;
        t.gain = Smoothed::new((db_to_gain(spec.gain_db()) * calibration) as f32);
        t.pan = Smoothed::new(spec.pan() as f32);
        t.update_static_gains();
        t
    }

    /// A track around a ready-made instrument with no effects, at unity gain
    /// and centred (for instruments that do not come from a song spec).
    /// Allocates: control thread.
    pub fn with_instrument(name: &str, instrument: Box<dyn Instrument>, rate: f32) -> Self {
        let fade = fade_frames(rate);
        let mut t = Track {
            name: name.to_string(),
            instrument,
            retiring: [None, None],
            chain: Chain::new(Vec::new(), fade, rate),
            gain: Smoothed::new(1.0),
            calibration: 1.0,
            pan: Smoothed::new(0.0),
            audible: Smoothed::new(1.0),
            presence: Smoothed::new(1.0),
            gain_left: 0.0,
            gain_right: 0.0,
            fade,
            hush: None,
            synced: false,
            rate,
            faults: 0,
            mono: [0.0; MAX_BLOCK],
            extra: [0.0; MAX_BLOCK],
            left: [0.0; MAX_BLOCK],
            right: [0.0; MAX_BLOCK],
            ramp: [0.0; MAX_BLOCK],
        };
        t.update_static_gains();
        t
    }

    /// Start silent and fade in over the edit fade (a track added live).
    pub fn fade_in(mut self) -> Self {
        self.presence = Smoothed::new(0.0);
        self.presence.set(1.0, self.fade);
        self
    }

    fn update_static_gains(&mut self) {
        let (pl, pr) = pan_gains(f64::from(self.pan.value()));
        let g = self.gain.value() * (self.audible.value() * self.presence.value());
        self.gain_left = g * pl * PAN_NORM;
        self.gain_right = g * pr * PAN_NORM;
    }

    fn ramping(&self) -> bool {
        self.gain.is_smoothing()
            || self.pan.is_smoothing()
            || self.audible.is_smoothing()
            || self.presence.is_smoothing()
    }

    /// The instrument, to apply events to. Audio thread safe.
    pub fn instrument(&mut self) -> &mut dyn Instrument {
        self.instrument.as_mut()
    }

    /// Apply a note or parameter event. Audio thread safe.
    pub fn apply(&mut self, kind: EventKind) {
        match kind {
            EventKind::NoteOn {
                id,
                pitch,
                velocity,
            } => self.instrument.note_on(id, pitch, velocity),
            EventKind::NoteOff { id } => {
                self.instrument.note_off(id);
                for r in self.retiring.iter_mut().flatten() {
                    r.instrument.note_off(id);
                }
            }
            EventKind::Param {
                target,
                value,
                ramp,
            } => self.set(target, value, ramp),
            // Raw MIDI is for the MIDI output, not a track.
            EventKind::Midi { .. } => {}
        }
    }

    fn set(&mut self, target: ParamTarget, value: f32, ramp: u32) {
        if !value.is_finite() {
            return;
        }
        match target {
            ParamTarget::Instrument(p) => self.instrument.set_param(usize::from(p), value, ramp),
            ParamTarget::Effect { effect, param } => {
                self.chain
                    .set_param(effect, usize::from(param), value, ramp);
            }
            ParamTarget::Gain => {
                let g = db_to_gain(f64::from(value.clamp(-60.0, 24.0))) * self.calibration;
                self.gain.set(g as f32, ramp);
            }
            ParamTarget::Pan => self.pan.set(value.clamp(-1.0, 1.0), ramp),
            ParamTarget::Bend => {
                self.instrument.set_bend(value, ramp);
                for r in self.retiring.iter_mut().flatten() {
                    r.instrument.set_bend(value, ramp);
                }
            }
            ParamTarget::Hush => {
                if self.hush.is_none() {
                    self.hush = Some(self.fade);
                }
            }
            ParamTarget::Mute => {
                let on = if value >= 0.5 { 0.0 } else { 1.0 };
                // A track not heard yet (just added) is muted at once; one
                // sounding fades, so that a mute never clicks.
                let silent = self.presence.value() == 0.0;
                self.audible
                    .set(on, if silent { 0 } else { ramp.max(self.fade) });
            }
        }
        self.update_static_gains();
    }

    /// Play new notes on `instrument`; the current one rings out (at most
    /// four seconds, then a short fade) and is returned. Audio thread safe.
    pub fn replace_instrument(&mut self, instrument: Box<dyn Instrument>, port: &mut ControlPort) {
        let old = std::mem::replace(&mut self.instrument, instrument);
        self.synced = false;
        let retiring = Retiring {
            instrument: old,
            tail: Tail::new((RETIRE_SECONDS * f64::from(self.rate)) as u64),
        };
        if let Some(mut older) = self.retiring[0].replace(retiring) {
            older.tail.fade_now(self.fade);
            if let Some(d) = self.retiring[1].replace(older) {
                port.discard(Garbage::Instrument(d.instrument));
            }
        }
    }

    /// Insert an effect at `index`. Audio thread safe.
    pub fn insert_effect(
        &mut self,
        index: usize,
        id: EffectId,
        effect: Box<dyn Effect>,
        port: &mut ControlPort,
    ) -> bool {
        self.chain.insert(index, id, effect, port)
    }

    /// The insert chain, for structural edits. Audio thread safe.
    pub fn chain(&mut self) -> &mut Chain {
        &mut self.chain
    }

    /// Fade out for removal.
    pub fn start_removal(&mut self) {
        self.presence.set(0.0, self.fade);
        self.update_static_gains();
    }

    /// True once a removal fade has finished.
    pub fn is_gone(&self) -> bool {
        self.presence.target() == 0.0 && !self.presence.is_smoothing()
    }

    /// NaN or infinity faults so far.
    pub fn faults(&self) -> u64 {
        self.faults
    }

    /// Render `frames` frames and add them into `left`/`right`. A block
    /// that is not finite resets the track (and is not added): true then.
    /// Audio thread safe.
    pub fn render_add(
        &mut self,
        left: &mut [f32],
        right: &mut [f32],
        port: &mut ControlPort,
        frame: u64,
    ) -> bool {
        if !self.synced {
            // Its control grid on the engine's (a track added live lands
            // at any frame).
            self.instrument.sync(frame);
            self.synced = true;
        }
        let frames = left.len().min(MAX_BLOCK);
        let ramping = self.ramping();
        let mono = &mut self.mono[..frames];
        self.instrument.render(mono);
        for k in 0..self.retiring.len() {
            let Some(r) = &mut self.retiring[k] else {
                continue;
            };
            let extra = &mut self.extra[..frames];
            r.instrument.render(extra);
            let gains = &mut self.ramp[..frames];
            r.tail.gains(gains, self.fade);
            for ((m, e), g) in mono.iter_mut().zip(extra.iter()).zip(gains.iter()) {
                *m += e * g;
            }
            if r.instrument.active_voices() == 0 || r.tail.faded() {
                if let Some(r) = self.retiring[k].take() {
                    port.discard(Garbage::Instrument(r.instrument));
                }
            }
        }
        if self.hush.is_some() {
            self.hush_block(frames);
        }
        let mono = &mut self.mono[..frames];
        if self.chain.is_empty() && !ramping {
            if !is_finite(mono) {
                self.fault();
                return true;
            }
            for ((l, r), m) in left.iter_mut().zip(right.iter_mut()).zip(mono.iter()) {
                *l += m * self.gain_left;
                *r += m * self.gain_right;
            }
            return false;
        }
        let (tl, tr) = (&mut self.left[..frames], &mut self.right[..frames]);
        tl.copy_from_slice(mono);
        tr.copy_from_slice(mono);
        self.chain.process(tl, tr, port);
        if !is_finite(tl) || !is_finite(tr) {
            self.fault();
            return true;
        }
        if ramping {
            self.mix_ramped(left, right, frames);
        } else {
            for (i, (l, r)) in left.iter_mut().zip(right.iter_mut()).enumerate() {
                *l += tl[i] * self.gain_left;
                *r += tr[i] * self.gain_right;
            }
        }
        false
    }

    /// Fade this block's voices towards silence (all-sound-off); once the
    /// fade is over every voice stops, and new notes sound again.
    fn hush_block(&mut self, frames: usize) {
        let Some(mut left) = self.hush else { return };
        let fade = self.fade.max(1) as f32;
        for m in self.mono[..frames].iter_mut() {
            *m *= left as f32 / fade;
            left = left.saturating_sub(1);
        }
        if left == 0 {
            self.instrument.reset();
            for r in self.retiring.iter_mut().flatten() {
                r.instrument.reset();
            }
            self.hush = None;
        } else {
            self.hush = Some(left);
        }
    }

    /// Add the track's block with gain, pan, mute and presence ramping.
    fn mix_ramped(&mut self, left: &mut [f32], right: &mut [f32], frames: usize) {
        let ramp = &mut self.ramp[..frames];
        for g in ramp.iter_mut() {
            *g = self.gain.next() * self.audible.next() * self.presence.next();
        }
        let panning = self.pan.is_smoothing();
        let (mut pl, mut pr) = pan_gains(f64::from(self.pan.value()));
        for i in 0..frames {
            if panning {
                (pl, pr) = pan_gains(f64::from(self.pan.next()));
            }
            let g = ramp[i] * PAN_NORM;
            left[i] += self.left[i] * g * pl;
            right[i] += self.right[i] * g * pr;
        }
        self.update_static_gains();
    }

    fn fault(&mut self) {
        self.faults += 1;
        self.reset();
    }

    /// Voices sounding now (a ringing-out instrument's included).
    pub fn active_voices(&self) -> usize {
        self.instrument.active_voices()
            + self
                .retiring
                .iter()
                .flatten()
                .map(|r| r.instrument.active_voices())
                .sum::<usize>()
    }

    /// Silence everything: voices and effect tails.
    pub fn reset(&mut self) {
        self.instrument.reset();
        for r in self.retiring.iter_mut().flatten() {
            r.instrument.reset();
        }
        self.chain.reset();
    }
}

/// True when every sample is finite (a NaN or infinity poisons the sum).
fn is_finite(x: &[f32]) -> bool {
    x.iter().fold(0.0f32, |a, s| a + s * 0.0) == 0.0
}
