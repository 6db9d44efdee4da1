//! The snare drum: a tuned body plus band-passed noise.
//!
//! The body is two cosines at `freq` and 1.5 × `freq`, both dropping a
//! little in pitch at the start and decaying faster than the noise (-60 dB
//! in half and 0.4 × `decay`). The noise (the snares) goes through a
//! band-pass at `cutoff` and falls 60 dB in `decay`. `tone` cross-fades
//! noise (0) and body (1). The noise source's first sample is a unit
//! impulse (the stick), so every hit starts with a clearly non-zero sample.
//!
//! Live parameters: `decay` reaches sounding hits at once (it sets rates);
//! `cutoff` moves the noise band of sounding hits too, ramped per sample in
//! octaves with its loudness compensation; `freq` and `tone` shape a hit's
//! onset and apply from the next hit.

use super::pool::{pitch_of, pool_instrument, seed, velocity_of, voice_count, Pool, Voice};
use crate::envelope::SILENCE;
use crate::filter::svf::{Svf, SvfCoefs, SvfMode};
use crate::math::midi_to_hz;
use crate::math::{fall_60db, one_pole_coef};
use crate::noise::WhiteNoise;
use crate::smooth::Smoothed;
use chronus_sequencer::song::SnareSpec;
use std::f32::consts::TAU;

/// Frequency of the body's upper partial relative to its fundamental.
const PARTIAL: f32 = 1.5;
/// Level of the upper partial relative to the fundamental.
const PARTIAL_LEVEL: f32 = 0.6;
/// How far above its resting pitch the body starts (fraction of frequency).
const BODY_DROP: f32 = 0.3;
/// Time constant of the body's pitch drop, in seconds.
const BODY_DROP_TAU: f64 = 0.012;
/// Resonance of the noise band-pass (Q about 0.8).
const NOISE_RESONANCE: f32 = 0.4;
/// Noise level at the reference band (3 kHz); other bands are scaled by
/// the square root of the bandwidth ratio to keep loudness even.
const NOISE_GAIN: f32 = 2.0;

/// The noise band's coefficients and loudness compensation for `cutoff` Hz.
fn noise_band(cutoff: f32, rate: f32) -> (SvfCoefs, f32) {
    let cutoff = cutoff.clamp(20.0, 0.45 * rate);
    let coefs = SvfCoefs::new(cutoff, NOISE_RESONANCE, rate);
    (coefs, NOISE_GAIN * (3000.0 / cutoff).sqrt())
}

/// One snare voice.
pub struct SnareVoice {
    freq: f64,
    rate: f32,
    tone: f32,
    /// Centre of the noise band in Hz, and in octaves (ramped).
    cutoff: f32,
    octaves: Smoothed,
    noise_gain: f32,
    body1_coef: f32,
    body2_coef: f32,
    noise_coef: f32,
    drop_coef: f32,
    noise: WhiteNoise,
    band: Svf,
    // Per-hit state.
    active: bool,
    first: bool,
    inc: f32,
    phase1: f32,
    phase2: f32,
    drop: f32,
    body1: f32,
    body2: f32,
    snares: f32,
    velocity: f32,
}

impl Voice for SnareVoice {
    fn start(&mut self, pitch: Option<f32>, velocity: f32) {
        let freq = pitch_of(pitch)
            .map(midi_to_hz)
            .unwrap_or(self.freq)
            .clamp(1.0, 0.15 * f64::from(self.rate));
        self.inc = (freq / f64::from(self.rate)) as f32;
        self.phase1 = 0.0;
        self.phase2 = 0.0;
        self.drop = 1.0;
        self.body1 = self.tone / (1.0 + PARTIAL_LEVEL);
        self.body2 = self.body1 * PARTIAL_LEVEL;
        self.snares = 1.0 - self.tone;
        if self.octaves.is_smoothing() {
            self.octaves.reset_to(self.octaves.target());
            self.retune(self.cutoff);
        }
        self.band.reset();
        self.first = true;
        self.velocity = velocity_of(velocity);
        self.active = true;
    }

    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        let v = f64::from(value).max(1e-3);
        match name {
            "freq" => self.freq = f64::from(value),
            "tone" => self.tone = value.clamp(0.0, 1.0),
            "decay" => {
                self.body1_coef = fall_60db(v * 0.5, f64::from(self.rate));
                self.body2_coef = fall_60db(v * 0.4, f64::from(self.rate));
                self.noise_coef = fall_60db(v, f64::from(self.rate));
            }
            "cutoff" => {
                self.cutoff = value;
                self.octaves
                    .set(value.log2(), if self.active { ramp } else { 0 });
                if !self.octaves.is_smoothing() {
                    self.retune(value);
                }
            }
            _ => {}
        }
    }

    fn add_to(&mut self, out: &mut [f32]) {
        for o in out.iter_mut() {
            if self.octaves.is_smoothing() {
                let octaves = self.octaves.next();
                let cutoff = if self.octaves.is_smoothing() {
                    octaves.exp2()
                } else {
                    self.cutoff
                };
                self.retune(cutoff);
            }
            let body =
                self.body1 * (self.phase1 * TAU).cos() + self.body2 * (self.phase2 * TAU).cos();
            let white = if self.first {
                self.first = false;
                1.0
            } else {
                self.noise.next_sample()
            };
            let snares =
                self.snares * self.noise_gain * self.band.process_sample(white, SvfMode::Bandpass);
            *o += self.velocity * (body + snares);

            let inc = self.inc * (1.0 + BODY_DROP * self.drop);
            self.phase1 += inc;
            if self.phase1 >= 1.0 {
                self.phase1 -= 1.0;
            }
            self.phase2 += inc * PARTIAL;
            if self.phase2 >= 1.0 {
                self.phase2 -= 1.0;
            }
            self.drop *= self.drop_coef;
            self.body1 *= self.body1_coef;
            self.body2 *= self.body2_coef;
            self.snares *= self.noise_coef;
            if self.body1 < SILENCE {
                self.body1 = 0.0;
            }
            if self.body2 < SILENCE {
                self.body2 = 0.0;
            }
            if self.drop < 1e-7 {
                self.drop = 0.0;
            }
            if self.snares < SILENCE {
                self.snares = 0.0;
                if self.body1 == 0.0 && self.body2 == 0.0 {
                    self.stop();
                    break;
                }
            }
        }
    }

    fn is_active(&self) -> bool {
        self.active
    }

    fn stop(&mut self) {
        self.active = false;
        self.body1 = 0.0;
        self.body2 = 0.0;
        self.snares = 0.0;
    }
}

impl SnareVoice {
    /// Move the noise band to `cutoff` Hz (state kept).
    fn retune(&mut self, cutoff: f32) {
        let (coefs, gain) = noise_band(cutoff, self.rate);
        self.band.set_coefs(coefs);
        self.noise_gain = gain;
    }
}

/// The voices of a `snare` instrument.
pub struct SnareVoices {
    pool: Pool<SnareVoice>,
}

impl SnareVoices {
    /// All `spec.polyphony` voices for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &SnareSpec, rate: f32) -> Self {
        let cutoff = spec.cutoff as f32;
        let (coefs, noise_gain) = noise_band(cutoff, rate);
        let decay = spec.decay.max(1e-3);
        let tone = (spec.tone as f32).clamp(0.0, 1.0);
        SnareVoices {
            pool: Pool::new(voice_count(spec.polyphony), |i| SnareVoice {
                freq: spec.freq,
                rate,
                tone,
                cutoff,
                octaves: Smoothed::new(cutoff.log2()),
                noise_gain,
                body1_coef: fall_60db(decay * 0.5, f64::from(rate)),
                body2_coef: fall_60db(decay * 0.4, f64::from(rate)),
                noise_coef: fall_60db(decay, f64::from(rate)),
                drop_coef: one_pole_coef(BODY_DROP_TAU, f64::from(rate)),
                noise: WhiteNoise::new(seed(0x534E, i)),
                band: Svf::new(coefs),
                active: false,
                first: false,
                inc: 0.0,
                phase1: 0.0,
                phase2: 0.0,
                drop: 0.0,
                body1: 0.0,
                body2: 0.0,
                snares: 0.0,
                velocity: 0.0,
            }),
        }
    }
}

pool_instrument!(SnareVoices, SnareSpec);

#[cfg(test)]
mod tests {
    use super::super::pool::testing::*;
    use super::*;
    use crate::Instrument;

    fn snare_with(tone: f64) -> impl Fn(usize) -> Box<dyn Instrument> {
        move |poly| {
            let spec = SnareSpec {
                polyphony: poly as f64,
                tone,
                ..SnareSpec::default()
            };
            Box::new(SnareVoices::new(&spec, RATE)) as Box<dyn Instrument>
        }
    }

    #[test]
    fn snare_passes_the_drum_checks() {
        for tone in [0.0, 0.4, 1.0] {
            // Noise: -100 dB in 5/3 of 0.2 s; body alone: half that.
            let len = drum_checks(&snare_with(tone), 0.35);
            let secs = len as f32 / RATE;
            let want = if tone == 1.0 { 0.15..0.18 } else { 0.3..0.34 };
            assert!(want.contains(&secs), "tone {tone}: {secs}");
        }
    }

    #[test]
    fn body_is_tuned_and_noise_is_in_band() {
        // All body: the fundamental (after the drop) and the partial.
        let spec = SnareSpec {
            tone: 1.0,
            decay: 2.0,
            ..SnareSpec::default()
        };
        let mut s = SnareVoices::new(&spec, RATE);
        s.note_on(1, Some(57.0), 1.0); // 220 Hz
        let out = render(&mut s, RATE as usize, 64);
        let tail = &out[(0.2 * RATE) as usize..(0.6 * RATE) as usize];
        let f0 = goertzel(tail, 220.0, RATE);
        let f1 = goertzel(tail, 330.0, RATE);
        let off = goertzel(tail, 275.0, RATE);
        assert!(f0 > 10.0 * off && f1 > 10.0 * off, "{f0} {f1} {off}");

        // All noise: more energy at the cutoff than two octaves away.
        let spec = SnareSpec {
            tone: 0.0,
            cutoff: 3000.0,
            ..SnareSpec::default()
        };
        let mut s = SnareVoices::new(&spec, RATE);
        s.note_on(1, None, 1.0);
        let out = render(&mut s, 4800, 64);
        let band = |f: f64| {
            (0..20)
                .map(|k| goertzel(&out, f + 23.0 * k as f64, RATE))
                .sum::<f64>()
        };
        let (at, below, above) = (band(3000.0), band(500.0), band(15000.0));
        assert!(at > 2.0 * below && at > 2.0 * above, "{at} {below} {above}");
        let p = peak(&out);
        assert!((0.3..2.0).contains(&p), "{p}");
    }
}
