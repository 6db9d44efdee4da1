//! The hand clap: quick bursts of band-passed noise, then a tail.
//!
//! Noise goes through a band-pass at `freq`; the amplitude envelope gives
//! three bursts `spread` seconds apart (each re-triggered at full level and
//! falling to 5 % before the next), and a fourth that becomes the tail,
//! falling 60 dB in `decay`. A note shifts `freq` by `2^((note - 60)/12)`.
//! The noise's first sample is a unit impulse so every hit starts with a
//! clearly non-zero sample.
//!
//! Live parameters: all reach sounding hits: `decay` at once (it sets a
//! rate), `spread` from the next burst on, `freq` ramped per sample in
//! octaves with its loudness compensation.

use super::pool::{pitch_of, pool_instrument, seed, velocity_of, voice_count, Pool, Voice};
use crate::envelope::SILENCE;
use crate::filter::svf::{Svf, SvfCoefs, SvfMode};
use crate::math::fall_60db;
use crate::noise::WhiteNoise;
use crate::smooth::Smoothed;
use chronus_sequencer::song::ClapSpec;

/// Bursts before the tail.
const BURSTS: u32 = 3;
/// Resonance of the band-pass (Q about 1.2).
const RESONANCE: f32 = 0.6;
/// Output level at the reference band (1200 Hz); other bands are scaled by
/// the square root of the bandwidth ratio to keep loudness even.
const GAIN: f32 = 3.0;

/// One clap voice.
pub struct ClapVoice {
    /// Centre of the band in Hz, and in octaves (ramped).
    freq: f32,
    octaves: Smoothed,
    /// The current hit's note shift.
    shift: f32,
    rate: f32,
    burst_len: u32,
    burst_coef: f32,
    tail_coef: f32,
    noise: WhiteNoise,
    band: Svf,
    // Per-hit state.
    active: bool,
    first: bool,
    /// Samples left in the current burst.
    countdown: u32,
    /// Bursts left before the tail.
    bursts_left: u32,
    amp: f32,
    gain: f32,
    velocity: f32,
}

impl Voice for ClapVoice {
    fn start(&mut self, pitch: Option<f32>, velocity: f32) {
        self.shift = pitch_of(pitch).map_or(1.0, |n| ((n - 60.0) / 12.0).exp2() as f32);
        self.octaves.reset_to(self.octaves.target());
        self.set_centre(self.freq);
        self.band.reset();
        self.countdown = self.burst_len;
        self.bursts_left = BURSTS;
        self.amp = 1.0;
        self.first = true;
        self.velocity = velocity_of(velocity);
        self.active = true;
    }

    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        match name {
            "decay" => self.tail_coef = fall_60db(f64::from(value).max(1e-3), f64::from(self.rate)),
            "spread" => {
                (self.burst_len, self.burst_coef) = bursts(f64::from(value), self.rate);
            }
            "freq" => {
                self.freq = value;
                self.octaves
                    .set(value.log2(), if self.active { ramp } else { 0 });
                if !self.octaves.is_smoothing() {
                    self.set_centre(value);
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
                self.set_centre(freq);
            }
            let white = if self.first {
                self.first = false;
                1.0
            } else {
                self.noise.next_sample()
            };
            let y = self.band.process_sample(white, SvfMode::Bandpass);
            *o += self.velocity * self.gain * self.amp * y;
            if self.bursts_left > 0 {
                self.amp *= self.burst_coef;
                self.countdown -= 1;
                if self.countdown == 0 {
                    // Next burst (the last one is the tail).
                    self.bursts_left -= 1;
                    self.countdown = self.burst_len;
                    self.amp = 1.0;
                }
            } else {
                self.amp *= self.tail_coef;
                if self.amp < SILENCE {
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
        self.amp = 0.0;
    }
}

impl ClapVoice {
    /// Centre the band on `freq` Hz times the hit's note shift (state kept),
    /// with the matching loudness compensation.
    fn set_centre(&mut self, freq: f32) {
        let centre = (freq * self.shift).clamp(20.0, 0.45 * self.rate);
        self.band
            .set_coefs(SvfCoefs::new(centre, RESONANCE, self.rate));
        self.gain = GAIN * (1200.0 / centre).sqrt();
    }
}

/// Burst length in samples and the per-sample fall within a burst for a
/// `spread` of seconds: each burst falls to 5 % (e^-3) by the next.
fn bursts(spread: f64, rate: f32) -> (u32, f32) {
    let len = (spread * f64::from(rate)).round().max(1.0) as u32;
    (len, (-3.0 / f64::from(len)).exp() as f32)
}

/// The voices of a `clap` instrument.
pub struct ClapVoices {
    pool: Pool<ClapVoice>,
}

impl ClapVoices {
    /// All `spec.polyphony` voices for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &ClapSpec, rate: f32) -> Self {
        let (burst_len, burst_coef) = bursts(spec.spread, rate);
        let freq = spec.freq as f32;
        let coefs = SvfCoefs::new(freq, RESONANCE, rate);
        ClapVoices {
            pool: Pool::new(voice_count(spec.polyphony), |i| ClapVoice {
                freq,
                octaves: Smoothed::new(freq.log2()),
                shift: 1.0,
                rate,
                burst_len,
                burst_coef,
                tail_coef: fall_60db(spec.decay.max(1e-3), f64::from(rate)),
                noise: WhiteNoise::new(seed(0x434C, i)),
                band: Svf::new(coefs),
                active: false,
                first: false,
                countdown: 0,
                bursts_left: 0,
                amp: 0.0,
                gain: 0.0,
                velocity: 0.0,
            }),
        }
    }
}

pool_instrument!(ClapVoices, ClapSpec);

#[cfg(test)]
mod tests {
    use super::super::pool::testing::*;
    use super::*;
    use crate::Instrument;

    fn clap(poly: usize) -> Box<dyn Instrument> {
        let spec = ClapSpec {
            polyphony: poly as f64,
            ..ClapSpec::default()
        };
        Box::new(ClapVoices::new(&spec, RATE))
    }

    #[test]
    fn clap_passes_the_drum_checks() {
        // Three 10 ms bursts, then -100 dB in 5/3 of the 0.2 s tail.
        let len = drum_checks(&clap, 0.4);
        let secs = len as f32 / RATE;
        assert!((0.34..0.37).contains(&secs), "{secs}");
    }

    #[test]
    fn bursts_are_spread_apart() {
        let spec = ClapSpec {
            spread: 0.02,
            ..ClapSpec::default()
        };
        let mut c = ClapVoices::new(&spec, RATE);
        c.note_on(1, None, 1.0);
        let out = render(&mut c, 9600, 64);
        // Peak level in 2 ms windows: high at each burst start, low at the
        // end of each burst.
        let win = |ms: f32| peak(&out[(ms * 48.0) as usize..((ms + 2.0) * 48.0) as usize]);
        for k in 0..4 {
            let start = win(20.0 * k as f32 + 0.5);
            let end = if k < 3 {
                win(20.0 * k as f32 + 17.5)
            } else {
                start
            };
            println!("burst {k}: start {start:.3} end {end:.3}");
            assert!(start > 0.2, "{k} {start}");
            if k < 3 {
                assert!(end < 0.4 * start, "{k} {start} {end}");
            }
        }
    }

    #[test]
    fn noise_is_centred_on_freq() {
        let spec = ClapSpec {
            freq: 2000.0,
            decay: 1.0,
            ..ClapSpec::default()
        };
        let mut c = ClapVoices::new(&spec, RATE);
        c.note_on(1, Some(48.0), 1.0); // an octave down: 1 kHz
        let out = render(&mut c, 24_000, 64);
        let band = |f: f64| {
            (0..20)
                .map(|k| goertzel(&out, f + 13.0 * k as f64, RATE))
                .sum::<f64>()
        };
        let (at, low, high) = (band(900.0), band(150.0), band(7000.0));
        assert!(at > 3.0 * low && at > 3.0 * high, "{at} {low} {high}");
    }

    #[test]
    fn a_new_spread_reaches_the_next_bursts_of_a_sounding_clap() {
        let spec = ClapSpec {
            decay: 1.0,
            ..ClapSpec::default()
        };
        let spread = ClapSpec::PARAMS
            .iter()
            .position(|p| p.0 == "spread")
            .unwrap_or(usize::MAX);
        let mut c = ClapVoices::new(&spec, RATE);
        c.note_on(1, None, 1.0);
        let mut out = render(&mut c, 192, 64);
        c.set_param(spread, 0.03, 240);
        out.extend(render(&mut c, 9600, 64));
        // The first burst ends on its old time (10 ms); the next two last
        // 30 ms each; the tail starts at 70 ms.
        let win = |ms: f32| peak(&out[(ms * 48.0) as usize..((ms + 2.0) * 48.0) as usize]);
        for start in [10.0, 40.0] {
            let (top, end) = (win(start + 0.5), win(start + 27.5));
            println!("burst at {start} ms: start {top:.3}, end {end:.3}");
            assert!(top > 0.2 && end < 0.3 * top, "{start}: {top} {end}");
        }
        assert!(win(70.5) > 0.2 && win(97.5) > 0.5 * win(70.5), "the tail");
    }
}
