//! The hi-hat: a metallic or noise source through a steep high-pass.
//!
//! The metallic source is the 808's: six square waves at inharmonic
//! frequencies (205.3 … 800 Hz), band-limited with PolyBLEP, whose dense
//! upper partials make the metal once two cascaded 12 dB/octave high-passes
//! at `freq` remove the fundamentals. `white` and `pink` use noise instead.
//! The amplitude starts at full level and falls 60 dB in `decay`. A note
//! shifts the oscillators and the cutoff by `2^((note - 60)/12)`.
//!
//! Live parameters: both reach sounding hits: `decay` at once (it sets a
//! rate), `freq` ramped per sample in octaves.

use super::pool::{pitch_of, pool_instrument, seed, velocity_of, voice_count, Pool, Voice};
use crate::envelope::SILENCE;
use crate::filter::svf::{Svf, SvfCoefs, SvfMode};
use crate::math::fall_60db;
use crate::noise::{PinkNoise, WhiteNoise};
use crate::smooth::Smoothed;
use chronus_sequencer::song::{HatSource, HihatSpec};

/// The 808's six oscillator frequencies in Hz.
const METAL: [f32; 6] = [205.3, 304.4, 369.6, 522.7, 540.0, 800.0];
/// Start phases of the six squares (+1 plateau below 0.5).
const START_PHASES: [f32; 6] = [0.25, 0.75, 0.25, 0.25, 0.75, 0.25];
/// Resonance of the two high-pass stages (a slight edge at the cutoff).
const RESONANCE: f32 = 0.2;

/// Output level for each source at the default 8 kHz cutoff, so all three
/// sound about equally loud (the metal has little energy up there).
fn source_gain(source: HatSource) -> f32 {
    match source {
        HatSource::Metallic => 7.0,
        HatSource::White => 0.53,
        HatSource::Pink => 1.75,
    }
}

/// PolyBLEP residual for a step at phase 0 (`t` in 0..1, increment `dt`).
#[inline(always)]
fn poly_blep(t: f32, dt: f32) -> f32 {
    if t < dt {
        let x = t / dt;
        x + x - x * x - 1.0
    } else if t > 1.0 - dt {
        let x = (t - 1.0) / dt;
        x * x + x + x + 1.0
    } else {
        0.0
    }
}

/// Band-limited square wave (+1 for the first half period) at phase `t`.
#[inline(always)]
pub(super) fn square(t: f32, dt: f32) -> f32 {
    let naive = if t < 0.5 { 1.0 } else { -1.0 };
    let half = if t < 0.5 { t + 0.5 } else { t - 0.5 };
    naive + poly_blep(t, dt) - poly_blep(half, dt)
}

/// One hi-hat voice.
pub struct HihatVoice {
    source: HatSource,
    /// High-pass cutoff in Hz, and in octaves (ramped).
    freq: f32,
    octaves: Smoothed,
    /// The current hit's note shift.
    shift: f32,
    rate: f32,
    gain: f32,
    decay_coef: f32,
    white: WhiteNoise,
    pink: PinkNoise,
    hp1: Svf,
    hp2: Svf,
    // Per-hit state.
    active: bool,
    first: bool,
    phases: [f32; 6],
    incs: [f32; 6],
    amp: f32,
    velocity: f32,
}

impl Voice for HihatVoice {
    fn start(&mut self, pitch: Option<f32>, velocity: f32) {
        let shift = pitch_of(pitch).map_or(1.0, |n| ((n - 60.0) / 12.0).exp2() as f32);
        self.shift = shift;
        self.octaves.reset_to(self.octaves.target());
        self.set_cutoff(self.freq);
        self.hp1.reset();
        self.hp2.reset();
        for (inc, f) in self.incs.iter_mut().zip(METAL) {
            // Keep PolyBLEP valid: at most a quarter of the rate.
            *inc = (f * shift / self.rate).min(0.25);
        }
        // Mid-plateau starts, four high and two low: a clear but modest
        // first step.
        self.phases = START_PHASES;
        self.first = true;
        self.amp = self.gain;
        self.velocity = velocity_of(velocity);
        self.active = true;
    }

    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        match name {
            "decay" => {
                self.decay_coef = fall_60db(f64::from(value).max(1e-3), f64::from(self.rate))
            }
            "freq" => {
                self.freq = value;
                self.octaves
                    .set(value.log2(), if self.active { ramp } else { 0 });
                if !self.octaves.is_smoothing() {
                    self.set_cutoff(value);
                }
            }
            _ => {}
        }
    }

    fn add_to(&mut self, out: &mut [f32]) {
        for o in out.iter_mut() {
            if self.octaves.is_smoothing() {
                let octaves = self.octaves.next();
                let freq = if self.octaves.is_smoothing() {
                    octaves.exp2()
                } else {
                    self.freq
                };
                self.set_cutoff(freq);
            }
            let x = match self.source {
                HatSource::Metallic => {
                    let mut sum = 0.0;
                    for (t, &dt) in self.phases.iter_mut().zip(&self.incs) {
                        sum += square(*t, dt);
                        *t += dt;
                        if *t >= 1.0 {
                            *t -= 1.0;
                        }
                    }
                    sum * (1.0 / 6.0)
                }
                // The noise sources start with a unit impulse: a clear onset.
                HatSource::White if self.first => 1.0,
                HatSource::Pink if self.first => 1.0,
                HatSource::White => self.white.next_sample(),
                HatSource::Pink => self.pink.next_sample(),
            };
            self.first = false;
            let y = self.hp2.process_sample(
                self.hp1.process_sample(x, SvfMode::Highpass),
                SvfMode::Highpass,
            );
            *o += self.velocity * self.amp * y;
            self.amp *= self.decay_coef;
            if self.amp < SILENCE * self.gain {
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
    }

    /// Fall the remaining way to silence in 5 ms: the open hat a closed
    /// hat cuts off.
    fn choke(&mut self) {
        self.decay_coef = self
            .decay_coef
            .min(fall_60db(CHOKE_SECONDS, f64::from(self.rate)));
    }
}

/// How fast a choked hat falls 60 dB.
const CHOKE_SECONDS: f64 = 0.005;

impl HihatVoice {
    /// Set both high-passes to `freq` Hz times the hit's note shift (state kept).
    fn set_cutoff(&mut self, freq: f32) {
        let coefs = SvfCoefs::new(freq * self.shift, RESONANCE, self.rate);
        self.hp1.set_coefs(coefs);
        self.hp2.set_coefs(coefs);
    }
}

/// The voices of a `hihat` instrument.
pub struct HihatVoices {
    pool: Pool<HihatVoice>,
}

impl HihatVoices {
    /// All `spec.polyphony` voices for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &HihatSpec, rate: f32) -> Self {
        let coefs = SvfCoefs::new(spec.freq as f32, RESONANCE, rate);
        HihatVoices {
            pool: Pool::new(voice_count(spec.polyphony), |i| {
                let s = seed(0x4848, i);
                HihatVoice {
                    source: spec.noise,
                    freq: spec.freq as f32,
                    octaves: Smoothed::new((spec.freq as f32).log2()),
                    shift: 1.0,
                    rate,
                    gain: source_gain(spec.noise),
                    decay_coef: fall_60db(spec.decay.max(1e-3), f64::from(rate)),
                    white: WhiteNoise::new(s),
                    pink: PinkNoise::new(s),
                    hp1: Svf::new(coefs),
                    hp2: Svf::new(coefs),
                    active: false,
                    first: false,
                    phases: [0.0; 6],
                    incs: [0.0; 6],
                    amp: 0.0,
                    velocity: 0.0,
                }
            }),
        }
    }
}

pool_instrument!(HihatVoices, HihatSpec);

#[cfg(test)]
mod tests {
    use super::super::pool::testing::*;
    use super::*;
    use crate::Instrument;

    fn hat_with(noise: HatSource, decay: f64) -> impl Fn(usize) -> Box<dyn Instrument> {
        move |poly| {
            let spec = HihatSpec {
                polyphony: poly as f64,
                noise,
                decay,
                ..HihatSpec::default()
            };
            Box::new(HihatVoices::new(&spec, RATE)) as Box<dyn Instrument>
        }
    }

    fn rms(x: &[f32]) -> f32 {
        (x.iter().map(|v| v * v).sum::<f32>() / x.len() as f32).sqrt()
    }

    #[test]
    fn hihat_passes_the_drum_checks() {
        for noise in [HatSource::Metallic, HatSource::White, HatSource::Pink] {
            // -100 dB in 5/3 of the 0.05 s decay: 83 ms.
            let len = drum_checks(&hat_with(noise, 0.05), 0.1);
            let secs = len as f32 / RATE;
            assert!((0.075..0.09).contains(&secs), "{noise:?}: {secs}");
        }
    }

    #[test]
    fn sources_are_high_passed_and_comparably_loud() {
        for noise in [HatSource::Metallic, HatSource::White, HatSource::Pink] {
            let mut h = hat_with(noise, 4.0)(1);
            h.note_on(1, None, 1.0);
            let out = render(h.as_mut(), 9600, 64);
            let hi = goertzel(&out, 12_000.0, RATE) + goertzel(&out, 12_345.0, RATE);
            let lo = goertzel(&out, 800.0, RATE) + goertzel(&out, 540.0, RATE);
            let level = rms(&out[..4800]);
            println!(
                "{noise:?}: rms {level:.3} peak {:.3} later peak {:.3} first {:.3}",
                peak(&out),
                peak(&out[10..]),
                out[0]
            );
            assert!(lo < 0.1 * hi, "{noise:?}: {lo} {hi}");
        }
        for noise in [HatSource::Metallic, HatSource::White, HatSource::Pink] {
            let mut h = hat_with(noise, 4.0)(1);
            h.note_on(1, None, 1.0);
            let out = render(h.as_mut(), 9600, 64);
            let level = rms(&out[..4800]);
            assert!((0.1..0.5).contains(&level), "{noise:?}: {level}");
        }
    }

    #[test]
    fn a_note_shifts_the_cutoff() {
        // An octave down lets through more low energy.
        let spec = HihatSpec {
            noise: HatSource::White,
            decay: 1.0,
            ..HihatSpec::default()
        };
        let mut a = HihatVoices::new(&spec, RATE);
        let mut b = HihatVoices::new(&spec, RATE);
        a.note_on(1, Some(60.0), 1.0);
        b.note_on(1, Some(48.0), 1.0);
        let ra = render(&mut a, 9600, 64);
        let rb = render(&mut b, 9600, 64);
        let band = |x: &[f32]| {
            (0..20)
                .map(|k| goertzel(x, 4000.0 + 37.0 * k as f64, RATE))
                .sum::<f64>()
        };
        assert!(band(&rb) > 3.0 * band(&ra), "{} {}", band(&rb), band(&ra));
    }
}
