//! The sampler: one WAV file played from notes.
//!
//! The file is read and resampled to the engine's rate when the instrument
//! is built (on a control thread; see [`load`]); voices then read it with
//! 4-point Hermite interpolation at `speed * 2^((note - root)/12)` samples
//! per frame, from `begin` to `end` (backwards from `end` when `speed` is
//! negative), once or looping while the note is held, shaped by an ADSR.
//! The last 32 samples before a one-shot's end fade out, so an `end` in
//! the middle of the sound does not click. A note in a `cut` group fades
//! out (in 5 ms) the sounding notes of its instrument, like Tidal's `cut`.
//!
//! Live parameters: `speed` and the envelope reach sounding notes; `begin`,
//! `end`, `root` and `cut` apply from the next note.

pub mod load;

use std::sync::Arc;

use super::pool::{pitch_of, pool_instrument, velocity_of, voice_count, Pool, Voice};
use crate::envelope::Adsr;
use chronus_sequencer::song::SamplerSpec;

/// Samples over which a one-shot fades out at its end.
const END_FADE: f64 = 32.0;
/// Seconds over which a cut note fades out.
const CUT_FADE: f32 = 0.005;

/// One sampler voice.
pub struct SamplerVoice {
    data: Arc<[f32]>,
    rate: f32,
    begin: f32,
    end: f32,
    speed: f32,
    root: f32,
    /// Pitch bend as a speed factor, `2^(semitones/12)`.
    bend: f64,
    looping: bool,
    cut_group: f32,
    times: (f64, f64, f64),
    env: Adsr,
    // Per-note state.
    ratio: f64,
    pos: f64,
    lo: f64,
    hi: f64,
    velocity: f32,
    cut_gain: f32,
    cut_step: f32,
    active: bool,
}

/// 4-point, 3rd-order Hermite interpolation of `x` at `pos` (clamped).
#[inline]
fn hermite(x: &[f32], pos: f64) -> f32 {
    let n = x.len() as i64;
    let i = pos.floor() as i64;
    let t = (pos - pos.floor()) as f32;
    let at = |k: i64| x[k.clamp(0, n - 1) as usize];
    let (xm1, x0, x1, x2) = (at(i - 1), at(i), at(i + 1), at(i + 2));
    let c1 = 0.5 * (x1 - xm1);
    let c2 = xm1 - 2.5 * x0 + 2.0 * x1 - 0.5 * x2;
    let c3 = 0.5 * (x2 - xm1) + 1.5 * (x0 - x1);
    ((c3 * t + c2) * t + c1) * t + x0
}

impl SamplerVoice {
    fn new(spec: &SamplerSpec, data: Arc<[f32]>, rate: f32) -> Self {
        SamplerVoice {
            data,
            rate,
            begin: spec.begin as f32,
            end: spec.end as f32,
            speed: spec.speed as f32,
            root: spec.root as f32,
            bend: 1.0,
            looping: spec.looping,
            cut_group: spec.cut.round() as f32,
            times: (spec.attack, spec.decay, spec.release),
            env: Adsr::new(
                spec.attack,
                spec.decay,
                spec.sustain,
                spec.release,
                f64::from(rate),
            ),
            ratio: 1.0,
            pos: 0.0,
            lo: 0.0,
            hi: 0.0,
            velocity: 0.0,
            cut_gain: 1.0,
            cut_step: 0.0,
            active: false,
        }
    }

    /// Samples per frame now.
    fn inc(&self) -> f64 {
        f64::from(self.speed) * self.ratio * self.bend
    }

    /// In a cut group, a new note of the instrument fades this one out.
    fn cut_if_grouped(&mut self) {
        if self.cut_group > 0.0 && self.active && self.cut_step == 0.0 {
            self.cut_step = 1.0 / (CUT_FADE * self.rate);
        }
    }
}

impl Voice for SamplerVoice {
    fn start(&mut self, pitch: Option<f32>, velocity: f32) {
        let len = self.data.len() as f64;
        let (a, b) = (f64::from(self.begin) * len, f64::from(self.end) * len);
        self.lo = a.min(b);
        self.hi = a.max(b);
        let note = pitch_of(pitch).unwrap_or(f64::from(self.root));
        self.ratio = ((note - f64::from(self.root)) / 12.0).exp2();
        if self.hi - self.lo < 2.0 || self.speed == 0.0 {
            self.active = false;
            return;
        }
        self.pos = if self.inc() >= 0.0 {
            self.lo
        } else {
            self.hi - 1.0
        };
        self.velocity = velocity_of(velocity);
        self.cut_gain = 1.0;
        self.cut_step = 0.0;
        self.env.trigger_from_zero();
        self.active = true;
    }

    fn release(&mut self) {
        self.env.release();
    }

    fn add_to(&mut self, out: &mut [f32]) {
        let inc = self.inc();
        for o in out.iter_mut() {
            if self.looping {
                let span = self.hi - self.lo;
                if self.pos >= self.hi {
                    self.pos -= span * ((self.pos - self.lo) / span).floor();
                } else if self.pos < self.lo {
                    self.pos += span * ((self.hi - self.pos) / span).floor();
                }
            } else if self.pos < self.lo || self.pos > self.hi - 1.0 {
                self.stop();
                break;
            }
            let left = if inc >= 0.0 {
                self.hi - 1.0 - self.pos
            } else {
                self.pos - self.lo
            };
            let fade = if self.looping {
                1.0
            } else {
                (left / END_FADE).min(1.0) as f32
            };
            let level = self.env.next_sample();
            *o += self.velocity * level * self.cut_gain * fade * hermite(&self.data, self.pos);
            self.pos += inc;
            if self.cut_step > 0.0 {
                self.cut_gain -= self.cut_step;
                if self.cut_gain <= 0.0 {
                    self.stop();
                    break;
                }
            }
            if self.env.is_idle() {
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
        self.env.reset();
    }

    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        let rate = f64::from(self.rate);
        let v = f64::from(value);
        match name {
            "speed" => self.speed = value,
            "begin" => self.begin = value,
            "end" => self.end = value,
            "root" => self.root = value,
            "bend" => {
                // Ramps come every control block from the router, so a jump
                // per block is smooth enough for a sample's pitch.
                self.bend = (f64::from(value) / 12.0).exp2();
                return;
            }
            "cut" => self.cut_group = value.round(),
            "attack" => self.times.0 = v,
            "decay" => self.times.1 = v,
            "release" => self.times.2 = v,
            "sustain" => self.env.set_sustain(v, ramp),
            _ => return,
        }
        let (a, d, r) = self.times;
        self.env.set_times(a, d, r, rate);
    }
}

/// The voices of a `sampler` instrument.
pub struct SamplerVoices {
    pool: Pool<SamplerVoice>,
}

impl SamplerVoices {
    /// All `spec.polyphony` voices, with the file read and resampled to
    /// `rate` Hz. Allocates and reads the file: call off the audio thread.
    /// A file that cannot be read gives a silent sampler (songs check their
    /// files when they load).
    pub fn new(spec: &SamplerSpec, rate: f32) -> Self {
        let data: Arc<[f32]> = load::load(std::path::Path::new(&spec.file), rate.round() as u32)
            .unwrap_or_else(|_| Arc::new([]));
        SamplerVoices {
            pool: Pool::new(voice_count(spec.polyphony), |_| {
                SamplerVoice::new(spec, data.clone(), rate)
            }),
        }
    }
}

pool_instrument!(SamplerVoices, SamplerSpec, |pool: &mut Pool<
    SamplerVoice,
>| {
    pool.each_voice(SamplerVoice::cut_if_grouped);
});

#[cfg(test)]
mod tests;
