//! The swept-sine drum voice the kick and the tom share.
//!
//! The oscillator's frequency starts at `freq * 2^(pitch/12)` and falls
//! exponentially (time constant `pitch_decay`) to `freq`; the amplitude
//! starts at full level and falls 60 dB in `decay`. The sine starts at 90°
//! (a cosine), so the first sample of a hit is its loudest. The kick adds a
//! click and drive; the tom plays it without them.
//!
//! Live parameters: `decay` and `pitch_decay` reach sounding hits at once
//! (they set rates, so the level and the sweep carry on from where they are);
//! `drive` ramps per sample on sounding hits too; `freq`, `pitch` and `click`
//! shape a hit's onset and apply from the next hit (a drum is retuned
//! between strokes).

use super::pool::{pitch_of, velocity_of, Voice};
use crate::envelope::SILENCE;
use crate::math::{fall_60db, one_pole_coef};
use crate::math::{midi_to_hz, tanh_approx};
use crate::noise::WhiteNoise;
use crate::smooth::Smoothed;
use std::f32::consts::TAU;

/// Time constant of the click's pulse, in seconds.
const CLICK_PULSE_TAU: f64 = 0.0004;
/// Time constant of the click's noise burst, in seconds.
const CLICK_NOISE_TAU: f64 = 0.0015;
/// Envelope level below which the click is over.
const CLICK_END: f32 = 1e-6;

/// The settings of a swept-sine drum voice.
#[derive(Clone, Copy, Debug)]
pub struct SweepParams {
    /// Resting frequency in Hz (when no note is given).
    pub freq: f64,
    /// Start of the sweep in semitones above the resting frequency.
    pub pitch: f64,
    /// Sweep time constant in seconds.
    pub pitch_decay: f64,
    /// Amplitude decay (-60 dB) time in seconds.
    pub decay: f64,
    /// Click level 0..1.
    pub click: f32,
    /// Saturation 0..1.
    pub drive: f32,
}

/// One swept-sine drum voice (kick or tom).
pub struct SweepVoice {
    p: SweepParams,
    rate: f32,
    sweep_coef: f32,
    amp_coef: f32,
    pulse_coef: f32,
    noise_coef: f32,
    /// Saturation 0..1, ramped per sample on a sounding hit.
    drive: Smoothed,
    noise: WhiteNoise,
    // Per-hit state.
    active: bool,
    phase: f32,
    base_inc: f32,
    excess: f32,
    sweep: f32,
    amp: f32,
    pulse: f32,
    burst: f32,
    velocity: f32,
}

impl SweepVoice {
    /// An idle voice; `noise_seed` seeds the click noise.
    pub fn new(p: SweepParams, rate: f32, noise_seed: u32) -> Self {
        SweepVoice {
            p,
            rate,
            sweep_coef: one_pole_coef(p.pitch_decay.max(1e-4), f64::from(rate)),
            amp_coef: fall_60db(p.decay.max(1e-3), f64::from(rate)),
            pulse_coef: one_pole_coef(CLICK_PULSE_TAU, f64::from(rate)),
            noise_coef: one_pole_coef(CLICK_NOISE_TAU, f64::from(rate)),
            drive: Smoothed::new(p.drive.clamp(0.0, 1.0)),
            noise: WhiteNoise::new(noise_seed),
            active: false,
            phase: 0.0,
            base_inc: 0.0,
            excess: 0.0,
            sweep: 0.0,
            amp: 0.0,
            pulse: 0.0,
            burst: 0.0,
            velocity: 0.0,
        }
    }
}

impl Voice for SweepVoice {
    fn start(&mut self, pitch: Option<f32>, velocity: f32) {
        let nyquist = 0.5 * f64::from(self.rate);
        let freq = pitch_of(pitch)
            .map(midi_to_hz)
            .unwrap_or(self.p.freq)
            .clamp(1.0, 0.45 * nyquist);
        // Start of the sweep, kept below Nyquist.
        let top = (freq * (self.p.pitch.max(0.0) / 12.0).exp2()).min(0.9 * nyquist);
        self.base_inc = (freq / f64::from(self.rate)) as f32;
        self.excess = (top / freq - 1.0).max(0.0) as f32;
        self.sweep = 1.0;
        self.phase = 0.0;
        self.amp = 1.0;
        let click = self.p.click.clamp(0.0, 1.0);
        self.pulse = 0.7 * click;
        self.burst = 0.35 * click;
        self.velocity = velocity_of(velocity);
        self.drive.reset_to(self.drive.target());
        self.active = true;
    }

    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        let v = f64::from(value);
        match name {
            "freq" => self.p.freq = v,
            "pitch" => self.p.pitch = v,
            "click" => self.p.click = value,
            "decay" => {
                self.p.decay = v;
                self.amp_coef = fall_60db(v.max(1e-3), f64::from(self.rate));
            }
            "pitch_decay" => {
                self.p.pitch_decay = v;
                self.sweep_coef = one_pole_coef(v.max(1e-4), f64::from(self.rate));
            }
            "drive" => {
                self.p.drive = value;
                self.drive.set(value.clamp(0.0, 1.0), ramp);
            }
            _ => {}
        }
    }

    fn add_to(&mut self, out: &mut [f32]) {
        for o in out.iter_mut() {
            let drive = self.drive.next();
            let mut x = (self.phase * TAU).cos() * self.amp;
            if self.pulse > 0.0 {
                x += self.pulse + self.burst * self.noise.next_sample();
                self.pulse *= self.pulse_coef;
                self.burst *= self.noise_coef;
                if self.pulse < CLICK_END {
                    self.pulse = 0.0;
                    self.burst = 0.0;
                }
            }
            if drive > 0.0 {
                let gain = 1.0 + 8.0 * drive;
                x = (1.0 - drive) * x + drive * tanh_approx(gain * x);
            }
            *o += self.velocity * x;

            self.phase += self.base_inc * (1.0 + self.excess * self.sweep);
            if self.phase >= 1.0 {
                self.phase -= 1.0;
            }
            self.sweep *= self.sweep_coef;
            if self.sweep < 1e-7 {
                self.sweep = 0.0;
            }
            self.amp *= self.amp_coef;
            if self.amp < SILENCE {
                self.stop();
                break;
            }
        }
    }

    fn is_active(&self) -> bool {
        self.active
    }

    fn stop(&mut self) {
        self.active = false;
        self.amp = 0.0;
        self.pulse = 0.0;
        self.burst = 0.0;
    }
}
