//! `chorus`: a 5-voice chorus per channel (the dry signal plus four taps of
//! a cubic-interpolated delay line, each swept by its own fractal-noise
//! LFO), the two channels with different seeds so a mono source comes out
//! wide; our own code, with fundsp's sound: the same kind of LFO, the same
//! tap layout and interpolation.
//!
//! Cost: measured by `effects::cost` at 0.053 % of one core (fundsp's graph
//! it replaced: 0.169 % in the same run, fastest of nine runs each). The
//! eight cubic taps a frame are most of it. A tap's whole-sample delay
//! moves by one only every few dozen frames (its sweep is a fraction of a
//! sample a frame), so each tap is read in runs of frames over which it
//! stays put: its four spline points are then four plain contiguous slices
//! of the line, read with vector loads, where a per-frame index had made
//! every read a scalar load (0.136 % before, the same samples bit for bit).
//!
//! Mapping: `rate` Hz → the LFOs' base modulation frequency (the four taps
//! at `rate` + 0, 0.02, 0.04 and 0.06 Hz); `depth` 0..1 → the delay sweep of
//! each tap, 0..10 ms. Taps sit at 10, 20, 30 and 40 ms plus their sweep.
//! Output = (input + the four taps) / 5.
//!
//! Control rate: the LFOs (fractal spline noise built as fundsp's
//! `fractal_noise` builds it, 8 octaves, roughness 0.45, with each octave's
//! seed and points cached, which made it several times cheaper; its random
//! draws are our own, so the sweeps are not fundsp's sample for sample) are
//! evaluated at control points about 10 ms apart (each interval
//! drawn from 7.5..12.5 ms by a seeded hash, as fundsp's `lfo` jitters
//! them, so the points leave no periodic trace), and each tap's delay moves
//! linearly between them (a fixed-point position, 16 fractional bits,
//! stepped by an integer per frame), read through a 4-point cubic spline
//! (fundsp's `spline`) from a delay line stored twice end to end, so the
//! four points never wrap.
//!
//! The LFO clock is exact however long it runs: control points fall on
//! whole frames counted in integers, and the noise phases are `f64`
//! (fundsp's own `chorus` keeps LFO time in `f32`, which after an hour can
//! no longer advance by one 64-frame block exactly: the rate would wobble
//! by several per cent).
//!
//! Live: all three. `mix` ramps per frame over the ramp asked for. `rate`
//! and `depth` are read by the LFOs at their next control point and the
//! taps move linearly between control points, so a change arrives as a ramp
//! of about 10 ms whatever the `ramp` argument; a new rate changes the LFO's
//! speed, never its phase. Block splitting changes nothing (the control
//! points are on the chorus's own clock).

#[cfg(test)]
pub(super) mod legacy;
#[cfg(test)]
mod tests;

use super::{blend, Mix};
use crate::live::clamp_param;
use crate::Effect;
use chronus_sequencer::song::ChorusSpec;
use fundsp::math::{hash1, hash2, rnd1, spline};

/// Spacing of the four taps, in seconds.
const SEPARATION: f64 = 0.010;
/// Delay sweep at `depth = 1`, in seconds.
const MAX_VARIATION: f64 = 0.010;
/// Mean interval between control points, in seconds.
const INTERVAL: f64 = 0.010;
/// LFO seeds of the left and right voices.
const SEEDS: [u64; 2] = [0x0C40_5E11, 0x51DE_CA75];
/// Offsets of the four taps' LFO frequencies from `rate`, in Hz (fundsp's).
const TAP_DF: [f64; 4] = [0.0, 0.02, 0.04, 0.06];
/// Taps per channel.
const TAPS: usize = 4;

/// Fractional bits of the tap positions (fixed point, so a tap moves by
/// exact steps: nothing drifts however long it runs).
const FRAC_BITS: u32 = 16;
/// The fractional part of a tap position.
const FRAC_MASK: i32 = (1 << FRAC_BITS) - 1;

/// Octaves of the LFO noise, and the weight of each relative to the last.
const OCTAVES: usize = 8;
const ROUGHNESS: f64 = 0.45;

/// One tap's LFO: fractal spline noise as fundsp's `fractal_noise` builds
/// it (octaves of cubic-interpolated random points, each octave twice the
/// frequency at 0.45 times the weight, each at its own random offset), in
/// -1..1, with every octave's random offset and seed drawn once in `new`
/// and its four current points kept until the noise moves into the next
/// cell: an evaluation costs a few dozen flops, not hashing.
struct FractalNoise {
    /// Per octave: seed, offset, the cell the points are of, the points.
    seeds: [u64; OCTAVES],
    offsets: [f64; OCTAVES],
    cells: [i64; OCTAVES],
    points: [[f64; 4]; OCTAVES],
}

impl FractalNoise {
    fn new(seed: u64) -> Self {
        let seeds = std::array::from_fn(|o| hash2(seed.wrapping_add(o as u64)));
        let offsets = std::array::from_fn(|o| rnd1(hash1(seed ^ (o as u64) << 32)));
        let mut noise = FractalNoise {
            seeds,
            offsets,
            cells: [i64::MIN; OCTAVES],
            points: [[0.0; 4]; OCTAVES],
        };
        noise.value(0.0);
        noise
    }

    /// The random point `i` of octave `o`, in -1..1.
    fn point(&self, o: usize, i: i64) -> f64 {
        2.0 * rnd1(self.seeds[o].wrapping_add(i as u64)) - 1.0
    }

    /// The noise at `x`.
    fn value(&mut self, x: f64) -> f64 {
        let (mut sum, mut weight, mut total) = (0.0, 1.0, 0.0);
        let mut scale = 1.0;
        for o in 0..OCTAVES {
            let xo = x * scale + self.offsets[o];
            let cell = xo.floor();
            let i = cell as i64;
            if i != self.cells[o] {
                self.points[o] = if i == self.cells[o].wrapping_add(1) {
                    let p = self.points[o];
                    [p[1], p[2], p[3], self.point(o, i + 2)]
                } else {
                    std::array::from_fn(|k| self.point(o, i + k as i64 - 1))
                };
                self.cells[o] = i;
            }
            let p = self.points[o];
            // fundsp's `spline_noise` scaling brings the spline into -1..1.
            sum += weight * spline(p[0], p[1], p[2], p[3], xo - cell) / 1.25;
            total += weight;
            weight *= ROUGHNESS;
            scale *= 2.0;
        }
        sum / total
    }
}

/// One channel: its delay line and its four taps' LFOs.
struct Voice {
    /// The delay line, `len` samples stored twice end to end (so the four
    /// points a tap reads are always contiguous).
    line: Vec<f32>,
    len: usize,
    /// Each tap's noise and position in it.
    noise: [FractalNoise; TAPS],
    phases: [f64; TAPS],
    /// Each tap's delay in samples, fixed point ([`FRAC_BITS`]), and its
    /// change per frame until the next control point.
    delay: [i32; TAPS],
    step: [i32; TAPS],
}

/// `samples` in fixed point.
fn fixed(samples: f64) -> i32 {
    (samples * f64::from(1 << FRAC_BITS)).round() as i32
}

impl Voice {
    fn new(seed: u64, len: usize) -> Self {
        let mut line = Vec::with_capacity(2 * len);
        line.resize(2 * len, 0.0);
        // Pre-fault: write every page now, not first on the audio thread.
        for x in line.iter_mut() {
            *x = std::hint::black_box(0.0);
        }
        Voice {
            line,
            len,
            noise: [seed, hash1(seed), hash2(seed), hash1(seed ^ 0xfedcba)].map(FractalNoise::new),
            phases: [0.0; TAPS],
            delay: [0; TAPS],
            step: [0; TAPS],
        }
    }

    /// The taps' delays in samples (fixed point) at the current phases.
    fn delays(&mut self, depth: f32, rate: f64) -> [i32; TAPS] {
        let variation = f64::from(depth) * MAX_VARIATION;
        std::array::from_fn(|k| {
            let base = SEPARATION * (k + 1) as f64;
            let u = (self.noise[k].value(self.phases[k]) + 1.0) * 0.5;
            fixed((base + variation * u) * rate)
        })
    }

    /// Process `x` in place (wet amounts `amount`), the first frame
    /// written at `w` (the span must not wrap: `w + x.len() <= len`). One
    /// tap at a time over the span, so the position arithmetic and the
    /// spline vectorise along time.
    #[inline]
    fn run(&mut self, x: &mut [f32], amount: &[f32], w: usize) {
        let (n, len) = (x.len(), self.len);
        let line = &mut self.line[..2 * len];
        line[w..w + n].copy_from_slice(x);
        line[w + len..w + len + n].copy_from_slice(x);
        let mut sum = [0.0f32; crate::MAX_BLOCK];
        let sum = &mut sum[..n];
        sum.copy_from_slice(x);
        add_taps(line, len, w, &mut self.delay, &self.step, sum);
        for ((x, s), wet) in x.iter_mut().zip(sum.iter()).zip(amount) {
            *x = blend(*x, 0.2 * s, *wet);
        }
    }
}

crate::simd::versions! {
    /// Add the taps of the line (`len` samples stored twice, the block's
    /// first frame written at `w`) into `sum`, advancing each tap's delay
    /// by its step a frame; compiled for each SIMD level.
    fn add_taps(
        line: &[f32],
        len: usize,
        w: usize,
        delay: &mut [i32; TAPS],
        step: &[i32; TAPS],
        sum: &mut [f32],
    ) {
        let n = sum.len();
        for (delay, &step) in delay.iter_mut().zip(step) {
            let mut d = *delay;
            let mut t = 0;
            while t < n {
                // A run of frames over which the tap's whole delay stays
                // put: its four points then slide along the line one
                // sample a frame, read as plain contiguous slices.
                let whole = d >> FRAC_BITS;
                let frames = if step > 0 {
                    (((whole + 1) << FRAC_BITS) - d + step - 1) / step
                } else if step < 0 {
                    (d - (whole << FRAC_BITS)) / -step + 1
                } else {
                    i32::MAX
                };
                let run = (frames.max(1) as usize).min(n - t);
                // Oldest first: the points at delays whole + 2, + 1, + 0, - 1.
                let base = (w + t + len - whole as usize - 2).min(2 * len - run - 3);
                let (p0, p1) = (&line[base..base + run], &line[base + 1..base + 1 + run]);
                let (p2, p3) = (&line[base + 2..base + 2 + run], &line[base + 3..base + 3 + run]);
                let sum = &mut sum[t..t + run];
                for k in 0..run {
                    let frac = (d & FRAC_MASK) as f32 * (1.0 / (1 << FRAC_BITS) as f32);
                    sum[k] += spline(p3[k], p2[k], p1[k], p0[k], frac);
                    d += step;
                }
                t += run;
            }
            *delay = d;
        }
    }
}

/// Stereo chorus. `process` is audio-thread safe.
pub struct Chorus {
    voices: [Voice; 2],
    mix: Mix,
    /// LFO rate in Hz and depth 0..1, read at each control point.
    rate: f32,
    depth: f32,
    /// Sample rate in Hz.
    sample_rate: f64,
    /// Write position in the delay lines.
    w: usize,
    /// Frames into the current control interval, and its length.
    t: u32,
    interval: u32,
    /// The jitter's hash state.
    hash: u64,
}

impl Chorus {
    /// A chorus for `spec` at `rate` Hz (allocates its delay lines).
    pub fn new(spec: &ChorusSpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("chorus", &mut Vec::new());
        let sample_rate = f64::from(rate);
        let len = ((SEPARATION * 4.0 + MAX_VARIATION) * sample_rate).ceil() as usize + 4;
        let mut chorus = Chorus {
            voices: SEEDS.map(|seed| Voice::new(seed, len)),
            mix: Mix::new(s.mix),
            rate: s.rate as f32,
            depth: s.depth as f32,
            sample_rate,
            w: 0,
            t: 0,
            interval: 0,
            hash: 0,
        };
        chorus.reset();
        chorus
    }

    /// Start the next control interval: its length, and each tap's delay
    /// at its end (the LFO phases advanced by it at the rate of now).
    fn next_interval(&mut self) {
        self.hash = self
            .hash
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let jitter = 0.75 + 0.5 * (self.hash >> 40) as f64 / (1u64 << 24) as f64;
        let frames = (INTERVAL * jitter * self.sample_rate).round().max(1.0);
        let seconds = frames / self.sample_rate;
        for v in &mut self.voices {
            for (p, df) in v.phases.iter_mut().zip(TAP_DF) {
                *p += seconds * (f64::from(self.rate) + df);
            }
            let to = v.delays(self.depth, self.sample_rate);
            for ((step, delay), to) in v.step.iter_mut().zip(&v.delay).zip(to) {
                // From where the tap is (exactly), to land on `to` (to
                // 2^-16 sample per frame of the interval).
                *step = (to - delay) / frames as i32;
            }
        }
        self.t = 0;
        self.interval = frames as u32;
    }
}

impl Effect for Chorus {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.mix.is_dry() {
            return;
        }
        let len = self.voices[0].len;
        let mut start = 0;
        while start < left.len() {
            if self.t == self.interval {
                self.next_interval();
            }
            let n = (left.len() - start)
                .min((self.interval - self.t) as usize)
                .min(len - self.w)
                .min(crate::MAX_BLOCK);
            let mut amount = [0.0f32; crate::MAX_BLOCK];
            let amount = &mut amount[..n];
            self.mix.fill(amount);
            let [vl, vr] = &mut self.voices;
            vl.run(&mut left[start..start + n], amount, self.w);
            vr.run(&mut right[start..start + n], amount, self.w);
            self.w = (self.w + n) % len;
            self.t += n as u32;
            start += n;
        }
    }

    fn reset(&mut self) {
        self.w = 0;
        self.hash = 0;
        for v in &mut self.voices {
            v.line.fill(0.0);
            v.phases = [0.0; TAPS];
            v.delay = v.delays(self.depth, self.sample_rate);
            v.step = [0; TAPS];
        }
        // The first control interval starts at the next frame.
        self.t = 0;
        self.interval = 0;
    }

    /// `mix` ramps over `ramp` frames; `rate` and `depth` reach the LFOs at
    /// their next control point (see the module docs). Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(ChorusSpec::PARAMS, param, value) {
            Some(("rate", v)) => self.rate = v,
            Some(("depth", v)) => self.depth = v,
            Some(("mix", v)) => {
                let was_idle = self.mix.set(v, ramp);
                if was_idle {
                    self.reset();
                }
            }
            _ => {}
        }
    }
}
