//! The two-operator FM synth (phase modulation, DX style).
//!
//! Carrier: a sine at `midi_to_hz(note) * 2^(detune/1200)`. Modulator: a
//! sine at `ratio` times that, optionally fed back on itself (the mean of
//! its last two outputs, up to π/2 radians at `feedback` 1). The carrier's
//! phase is offset by `index * (1 - index_env + index_env * env) * mod`,
//! where `env` is the amplitude ADSR, and limited per voice to the largest
//! index whose sidebands past Nyquist stay below -90 dB of its strongest
//! line ([`bandlimit`]): a voice whose sidebands fit is untouched, a high
//! note with a large index is as bright as it can be without aliasing.
//! Phases are 32-bit fixed point
//! (wrapping), so pitch is exact to far below a cent, and reset at note-on.
//!
//! Live parameters: `ratio`, `index`, `index_env`, `feedback` and `detune`
//! ramp per sample on sounding notes (a new `ratio` or `detune` glides the
//! pitch, phases run on); envelope times apply to sounding notes at once and
//! `sustain` glides there ([`Adsr::set_sustain`]); `note`, the pitch of
//! notes without one, applies from the next note. A new note starts at the
//! values last set, without a ramp.

mod bandlimit;

use super::pool::{pitch_of, pool_instrument, velocity_of, voice_count, Pool, Voice};
use crate::envelope::Adsr;
use crate::math::midi_to_hz;
use crate::smooth::Smoothed;
use chronus_sequencer::song::FmSpec;
use std::f32::consts::PI;

/// Feedback (in radians of modulator phase) at `feedback` 1.
const MAX_FEEDBACK: f32 = std::f32::consts::FRAC_PI_2;

/// Fixed-point phase increment for `freq` Hz (one turn = 2^32).
fn phase_inc(freq: f64, rate: f32) -> u32 {
    let turns = (freq / f64::from(rate)).rem_euclid(1.0);
    (turns * 4_294_967_296.0).round() as u64 as u32
}

/// Radians (-π..π) of a fixed-point phase.
#[inline(always)]
fn radians(phase: u32) -> f32 {
    (phase as i32) as f32 * (PI / 2_147_483_648.0)
}

/// One FM voice.
pub struct FmVoice {
    note: f64,
    /// Detune in cents and the modulator ratio, ramped per sample.
    detune: Smoothed,
    /// Pitch bend in semitones (a MIDI wheel), ramped per sample.
    bend: Smoothed,
    ratio: Smoothed,
    /// The ratio at full precision while it rests.
    ratio_rest: f64,
    index: Smoothed,
    index_env: Smoothed,
    feedback: Smoothed,
    rate: f32,
    /// Attack, decay and release times in seconds.
    times: [f64; 3],
    env: Adsr,
    // Per-note state.
    /// The MIDI pitch of the note (before detune).
    pitch: f64,
    carrier: u32,
    modulator: u32,
    carrier_inc: u32,
    modulator_inc: u32,
    last: [f32; 2],
    velocity: f32,
    /// The largest index this voice's pitch and ratio allow.
    limit: f32,
}

impl Voice for FmVoice {
    fn start(&mut self, pitch: Option<f32>, velocity: f32) {
        self.pitch = pitch_of(pitch).unwrap_or(self.note);
        for s in [
            &mut self.detune,
            &mut self.bend,
            &mut self.ratio,
            &mut self.index,
            &mut self.index_env,
            &mut self.feedback,
        ] {
            s.reset_to(s.target());
        }
        self.retune(self.ratio_rest);
        self.carrier = 0;
        self.modulator = 0;
        self.last = [0.0; 2];
        self.velocity = velocity_of(velocity);
        self.env.trigger_from_zero();
    }

    /// Take over a sounding voice without a click: phases and feedback
    /// state run on, the envelope attacks from its current level.
    fn steal(&mut self, pitch: Option<f32>, velocity: f32) {
        let (carrier, modulator, last) = (self.carrier, self.modulator, self.last);
        let env = self.env.clone();
        self.start(pitch, velocity);
        self.carrier = carrier;
        self.modulator = modulator;
        self.last = last;
        self.env = env;
        self.env.trigger();
    }

    fn release(&mut self) {
        self.env.release();
    }

    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        let v = f64::from(value);
        let r = f64::from(self.rate);
        match name {
            "note" => self.note = v,
            "detune" => self.detune.set(value, ramp),
            "bend" => self.bend.set(value, ramp),
            "ratio" => {
                self.ratio.set(value, ramp);
                self.ratio_rest = v;
            }
            "index" => self.index.set(value, ramp),
            "index_env" => self.index_env.set(value, ramp),
            "feedback" => self.feedback.set(value, ramp),
            "attack" | "decay" | "release" => {
                let i = ["attack", "decay", "release"]
                    .iter()
                    .position(|n| *n == name)
                    .unwrap_or(0);
                self.times[i] = v;
                let [a, d, rel] = self.times;
                self.env.set_times(a, d, rel, r);
            }
            "sustain" => self.env.set_sustain(v, ramp),
            _ => {}
        }
        let gliding = self.detune.is_smoothing() || self.bend.is_smoothing();
        if !gliding && !self.ratio.is_smoothing() && self.is_active() {
            // A jump (no ramp) in pitch: retune at once.
            self.retune(self.ratio_rest);
        }
    }

    fn add_to(&mut self, out: &mut [f32]) {
        let mut fixed = self.index.value() * (1.0 - self.index_env.value());
        let mut moving = self.index.value() * self.index_env.value();
        let mut fb = self.feedback.value() * MAX_FEEDBACK * 0.5;
        for o in out.iter_mut() {
            if self.index.is_smoothing() || self.index_env.is_smoothing() {
                let (index, index_env) = (self.index.next(), self.index_env.next());
                fixed = index * (1.0 - index_env);
                moving = index * index_env;
            }
            if self.feedback.is_smoothing() {
                fb = self.feedback.next() * MAX_FEEDBACK * 0.5;
            }
            if self.detune.is_smoothing() || self.ratio.is_smoothing() || self.bend.is_smoothing() {
                self.detune.next();
                self.bend.next();
                let ratio = self.ratio.next();
                let ratio = if self.ratio.is_smoothing() {
                    f64::from(ratio)
                } else {
                    self.ratio_rest
                };
                self.retune(ratio);
            }
            let env = self.env.next_sample();
            if self.env.is_idle() {
                break;
            }
            let m = (radians(self.modulator) + fb * (self.last[0] + self.last[1])).sin();
            self.last = [m, self.last[0]];
            let c = (radians(self.carrier) + (fixed + moving * env).min(self.limit) * m).sin();
            *o += self.velocity * env * c;
            self.carrier = self.carrier.wrapping_add(self.carrier_inc);
            self.modulator = self.modulator.wrapping_add(self.modulator_inc);
        }
    }

    fn is_active(&self) -> bool {
        !self.env.is_idle()
    }

    fn stop(&mut self) {
        self.env.reset();
    }
}

impl FmVoice {
    /// Set the phase increments for the note's pitch, the detune now and
    /// modulator `ratio`.
    fn retune(&mut self, ratio: f64) {
        let detune = f64::from(self.detune.value()) + 100.0 * f64::from(self.bend.value());
        let freq =
            (midi_to_hz(self.pitch) * (detune / 1200.0).exp2()).min(0.5 * f64::from(self.rate));
        self.carrier_inc = phase_inc(freq, self.rate);
        self.modulator_inc = phase_inc(freq * ratio, self.rate);
        self.limit = bandlimit::index_limit(freq, freq * ratio, f64::from(self.rate));
    }
}

/// The voices of an `fm` instrument.
pub struct FmVoices {
    pool: Pool<FmVoice>,
}

impl FmVoices {
    /// All `spec.polyphony` voices for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &FmSpec, rate: f32) -> Self {
        let r = f64::from(rate);
        bandlimit::limits(); // Built here, off the audio thread.
        FmVoices {
            pool: Pool::new(voice_count(spec.polyphony), |_| FmVoice {
                note: spec.note,
                detune: Smoothed::new(spec.detune as f32),
                bend: Smoothed::new(0.0),
                ratio: Smoothed::new(spec.ratio.max(0.0) as f32),
                ratio_rest: spec.ratio.max(0.0),
                index: Smoothed::new(spec.index.max(0.0) as f32),
                index_env: Smoothed::new(spec.index_env.clamp(0.0, 1.0) as f32),
                feedback: Smoothed::new(spec.feedback.clamp(0.0, 1.0) as f32),
                rate,
                times: [spec.attack, spec.decay, spec.release],
                env: Adsr::new(spec.attack, spec.decay, spec.sustain, spec.release, r),
                pitch: spec.note,
                carrier: 0,
                modulator: 0,
                carrier_inc: 0,
                modulator_inc: 0,
                last: [0.0; 2],
                velocity: 0.0,
                limit: f32::MAX,
            }),
        }
    }
}

pool_instrument!(FmVoices, FmSpec);

#[cfg(test)]
mod alias_tests;
#[cfg(test)]
mod tests;
