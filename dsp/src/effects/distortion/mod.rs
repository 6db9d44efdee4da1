//! `distortion`: a `tanh` soft clipper, our own: `wet = level × tanh(drive × x)`,
//! oversampled 8 times, anti-aliased and AC-coupled.
//!
//! The driven input is raised to 8 times the rate (`oversample.rs`), shaped
//! by `tanh` with antiderivative anti-aliasing (`shaper.rs`) and brought back
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
//! Two savings, both exact: while left and right have been the same since
//! rest (a mono track's first insert), only one channel is computed; and
//! once the input has been silent long enough to empty the oversampler,
//! it rests until sound returns.
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

/// Input frames of silence after which the oversampler's lines hold only
/// zeros (they hold 144 frames' worth), so its output is exactly zero and
/// it can rest until the input returns.
const QUIET: usize = 256;

/// The gains of one block: drive, level and wet amount per frame.
struct Gains {
    drive: [f64; MAX_BLOCK],
    level: [f64; MAX_BLOCK],
    wet: [f32; MAX_BLOCK],
}

/// One channel: its oversampler, shaper, coupling and dry delay.
#[derive(Clone)]
struct Channel {
    over: Oversampler,
    shaper: Shaper,
    coupling: DcBlocker,
    /// The last [`LATENCY`] inputs, a ring.
    dry: [f32; LATENCY],
    /// Consecutive silent input frames so far.
    quiet: usize,
}

impl Channel {
    fn new(rate: f32) -> Self {
        Channel {
            over: Oversampler::new(),
            shaper: Shaper::default(),
            coupling: DcBlocker::new(f64::from(rate)),
            dry: [0.0; LATENCY],
            quiet: 0,
        }
    }

    /// The wet path at rest (the dry delay runs on).
    fn clear(&mut self) {
        self.over.clear();
        self.shaper = Shaper::default();
        self.coupling.reset();
    }

    /// Take on `other`'s state, without allocating.
    fn copy_from(&mut self, other: &Channel) {
        self.over.copy_from(&other.over);
        self.shaper = other.shaper;
        self.coupling = other.coupling;
        self.dry = other.dry;
        self.quiet = other.quiet;
    }

    /// Process one block (at most [`MAX_BLOCK`] frames) in place; `dry`
    /// when the mix rests at 0 (only the delay runs), `pos` where the dry
    /// ring is written next.
    fn process(&mut self, buf: &mut [f32], gains: &Gains, dry: bool, pos: usize) {
        let n = buf.len();
        let mut shaped = [0.0f32; MAX_BLOCK];
        if !dry {
            let silent = buf.iter().all(|v| *v == 0.0);
            if !silent || self.quiet < QUIET {
                let mut driven = [0.0f32; MAX_BLOCK];
                for ((d, x), g) in driven.iter_mut().zip(buf.iter()).zip(&gains.drive[..n]) {
                    *d = (g * f64::from(*x)) as f32;
                }
                let mut high = [0.0f32; FACTOR * MAX_BLOCK];
                self.over.up(&driven[..n], &mut high);
                for h in &mut high[..FACTOR * n] {
                    *h = self.shaper.tick(f64::from(*h)) as f32;
                }
                self.over.down(&high[..FACTOR * n], &mut shaped);
            }
            self.quiet = if silent { self.quiet + n } else { 0 };
        }
        let mut pos = pos;
        for (i, x) in buf.iter_mut().enumerate() {
            let delayed = std::mem::replace(&mut self.dry[pos], *x);
            pos = (pos + 1) % LATENCY;
            *x = if dry {
                delayed
            } else {
                let y = gains.level[i] * f64::from(self.coupling.tick(shaped[i]));
                blend(delayed, y as f32, gains.wet[i])
            };
        }
    }
}

/// Stereo soft-clipping distortion. `process` is audio-thread safe.
pub struct Distortion {
    channels: [Channel; 2],
    /// Both channels have had the same input since they were at rest, so
    /// their states are the same and only the left one is kept (a mono
    /// track's insert costs half).
    lockstep: bool,
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
            lockstep: true,
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
        let mut gains = Gains {
            drive: [0.0; MAX_BLOCK],
            level: [0.0; MAX_BLOCK],
            wet: [0.0; MAX_BLOCK],
        };
        for (l, r) in left.chunks_mut(MAX_BLOCK).zip(right.chunks_mut(MAX_BLOCK)) {
            let n = l.len();
            let dry = self.mix.is_dry();
            if !dry {
                fill_gains(&mut self.drive_db, &mut self.drive, &mut gains.drive[..n]);
                fill_gains(&mut self.level_db, &mut self.level, &mut gains.level[..n]);
                self.mix.fill(&mut gains.wet[..n]);
            }
            let [cl, cr] = &mut self.channels;
            if self.lockstep && l == r {
                cl.process(l, &gains, dry, self.dry_pos);
                r.copy_from_slice(l);
            } else {
                if self.lockstep {
                    // The channels part: the right takes up the left's state.
                    cr.copy_from(cl);
                    self.lockstep = false;
                }
                cl.process(l, &gains, dry, self.dry_pos);
                cr.process(r, &gains, dry, self.dry_pos);
            }
            self.dry_pos = (self.dry_pos + n) % LATENCY;
        }
    }

    fn reset(&mut self) {
        for ch in &mut self.channels {
            ch.clear();
            ch.dry = [0.0; LATENCY];
            ch.quiet = 0;
        }
        self.lockstep = true;
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
