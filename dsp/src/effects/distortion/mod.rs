//! `distortion`: a `tanh` soft clipper, our own: `wet = level × tanh(drive × x)`,
//! oversampled 8 times, anti-aliased and AC-coupled.
//!
//! The driven input is raised to 8 times the rate ([`oversample`]), shaped
//! by `tanh` with antiderivative anti-aliasing ([`shaper`]) and brought back
//! down; together they keep every alias of a sine up to C7 (2093 Hz) at any
//! drive up to 48 dB below -70 dB of the fundamental (the sweep in the
//! tests). The wet signal is then AC-coupled at 5 Hz, as analog clippers
//! are: `tanh` of an asymmetric wave (a saw chord) has a mean, which the
//! coupling removes. Its peak is therefore `level` times 1 plus the tilt the
//! coupling puts on a clipped wave (1.003 for a clipped 1 kHz tone).
//!
//! The effect delays the signal by [`LATENCY`] frames (1.8 ms at 48 kHz),
//! dry and wet alike, so the two mix without comb filtering; at `mix` 0 the
//! output is the input delayed, exactly. Silence stays exactly silent.
//!
//! Live: all three parameters ramp per frame, `drive` and `level` in dB (so
//! a sweep is even in loudness).
//!
//! fundsp's `shape(Tanh)` has neither the drive/level parameters nor
//! anti-aliasing, and its `oversample` is a 2x half-band filter centred on
//! Nyquist (it lets 24-28 kHz fold back into 20-24 kHz), so this is our own.

mod oversample;
mod shaper;

pub use oversample::LATENCY;

use super::{blend, Mix};
use crate::filter::DcBlocker;
use crate::live::clamp_param;
use crate::math::db_to_gain;
use crate::smooth::Smoothed;
use crate::{Effect, MAX_BLOCK};
use chronus_sequencer::song::DistortionSpec;
use oversample::{Oversampler, FACTOR};
use shaper::Shaper;

/// One channel: its oversampler, shaper, coupling and dry delay.
#[derive(Clone)]
struct Channel {
    over: Oversampler,
    shaper: Shaper,
    coupling: DcBlocker,
    /// The last [`LATENCY`] inputs, a ring.
    dry: [f32; LATENCY],
}

impl Channel {
    fn new(rate: f32) -> Self {
        Channel {
            over: Oversampler::new(),
            shaper: Shaper::default(),
            coupling: DcBlocker::new(f64::from(rate)),
            dry: [0.0; LATENCY],
        }
    }

    /// The wet path at rest (the dry delay runs on).
    fn clear(&mut self) {
        self.over.clear();
        self.shaper = Shaper::default();
        self.coupling.reset();
    }
}

/// Stereo soft-clipping distortion. `process` is audio-thread safe.
pub struct Distortion {
    channels: [Channel; 2],
    /// Where the dry rings are written next.
    dry_pos: usize,
    /// Drive and level gains while they rest.
    drive: f64,
    level: f64,
    drive_db: Smoothed,
    level_db: Smoothed,
    mix: Mix,
}

/// Write the gain of each of the next `out.len()` frames of `db` into
/// `out`; `rest` is the gain while it does not ramp (updated when a ramp ends).
#[inline]
fn fill_gains(db: &mut Smoothed, rest: &mut f64, out: &mut [f64]) {
    if db.is_smoothing() {
        for o in out.iter_mut() {
            *o = db_to_gain(f64::from(db.next()));
        }
        if !db.is_smoothing() {
            *rest = db_to_gain(f64::from(db.value()));
        }
    } else {
        out.fill(*rest);
    }
}

impl Distortion {
    /// A distortion for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &DistortionSpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("distortion", &mut Vec::new());
        let channel = Channel::new(rate);
        Distortion {
            channels: [channel.clone(), channel],
            dry_pos: 0,
            drive: db_to_gain(s.drive),
            level: db_to_gain(s.level),
            drive_db: Smoothed::new(s.drive as f32),
            level_db: Smoothed::new(s.level as f32),
            mix: Mix::new(s.mix),
        }
    }
}

impl Effect for Distortion {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        let (mut drive, mut level) = ([0.0f64; MAX_BLOCK], [0.0f64; MAX_BLOCK]);
        let mut wet = [0.0f32; MAX_BLOCK];
        let mut driven = [0.0f32; MAX_BLOCK];
        let mut high = [0.0f32; FACTOR * MAX_BLOCK];
        let mut shaped = [0.0f32; MAX_BLOCK];
        for (l, r) in left.chunks_mut(MAX_BLOCK).zip(right.chunks_mut(MAX_BLOCK)) {
            let n = l.len();
            let dry = self.mix.is_dry();
            if !dry {
                fill_gains(&mut self.drive_db, &mut self.drive, &mut drive[..n]);
                fill_gains(&mut self.level_db, &mut self.level, &mut level[..n]);
                self.mix.fill(&mut wet[..n]);
            }
            for (buf, ch) in [l, r].into_iter().zip(&mut self.channels) {
                if !dry {
                    for ((d, x), g) in driven.iter_mut().zip(buf.iter()).zip(&drive[..n]) {
                        *d = (g * f64::from(*x)) as f32;
                    }
                    ch.over.up(&driven[..n], &mut high);
                    for h in &mut high[..FACTOR * n] {
                        *h = ch.shaper.tick(f64::from(*h)) as f32;
                    }
                    ch.over.down(&high[..FACTOR * n], &mut shaped);
                }
                let mut pos = self.dry_pos;
                for (i, x) in buf.iter_mut().enumerate() {
                    let delayed = std::mem::replace(&mut ch.dry[pos], *x);
                    pos = (pos + 1) % LATENCY;
                    *x = if dry {
                        delayed
                    } else {
                        let y = level[i] * f64::from(ch.coupling.tick(shaped[i]));
                        blend(delayed, y as f32, wet[i])
                    };
                }
            }
            self.dry_pos = (self.dry_pos + n) % LATENCY;
        }
    }

    fn reset(&mut self) {
        for ch in &mut self.channels {
            ch.clear();
            ch.dry = [0.0; LATENCY];
        }
    }

    /// Every parameter ramps over `ramp` frames. Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(DistortionSpec::PARAMS, param, value) {
            Some(("drive", v)) => {
                self.drive_db.set(v, ramp);
                if !self.drive_db.is_smoothing() {
                    self.drive = db_to_gain(f64::from(v));
                }
            }
            Some(("level", v)) => {
                self.level_db.set(v, ramp);
                if !self.level_db.is_smoothing() {
                    self.level = db_to_gain(f64::from(v));
                }
            }
            Some(("mix", v)) => {
                let leaves_rest = self.mix.set(v, ramp);
                // The wet path stood idle: start it from rest.
                for ch in self.channels.iter_mut().filter(|_| leaves_rest) {
                    ch.clear();
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
