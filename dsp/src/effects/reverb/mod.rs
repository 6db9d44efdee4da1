//! `reverb`: our own 16-line feedback delay network (FDN) with input
//! diffusion, written for cost: 6 to 10 times cheaper than the fundsp graph
//! it replaces, with a more exact decay (see "Measured" below).
//!
//! Design ([`fdn`]):
//!
//! - Each channel's input passes four Schroeder all-passes (1.5 to 6 ms,
//!   gain 0.6), which turn an impulse into a dense burst, so the tail is
//!   noise-like from its first echoes instead of building up from sparse
//!   ones.
//! - Sixteen delay lines (fundsp's `reverb_stereo` delay times, every other
//!   one of its 32 sorted: 36 to 82 ms for a 10 m room), each rounded to a
//!   distinct prime number of samples, so no two share a period; line `i`
//!   takes channel `i % 2`'s diffused input.
//! - In every loop a 3-tap FIR (unity at DC) damps the highs, and its gain
//!   is set from that line's own length, so every mode decays at the rate
//!   asked for: the RT60 is exact by construction, not on average. The HF
//!   ratio, too, is scaled per line, so the highs decay at one rate in all
//!   lines.
//! - A 16-point Walsh-Hadamard matrix (normalised, so lossless) mixes the
//!   lines' outputs back into their inputs.
//! - Stereo: the even lines go to the left and the odd lines to the right,
//!   each with a zero-sum sign pattern (+ + − − …), which cancels the
//!   common mode: a mono source's tail comes out decorrelated.
//!
//! Every delay is at least a chunk long, so the network runs a whole chunk
//! (up to 64 frames) per stage in array loops that the compiler
//! vectorises; per sample the result is the same however the frames are
//! chunked.
//!
//! Rest: values below -150 dBFS are stored as exact zeros (no denormals
//! either), so a tail that has died away leaves the network exactly zero.
//! Once every value stored for a whole loop was zero and the input stays
//! below -150 dBFS, the reverb skips its work and its wet output is exact
//! zeros; this is exactly what running it would give, so resting changes
//! no output (a reverb on a bus that is silent between songs costs
//! nothing).
//!
//! Parameters: `size` 0..1 scales the delay lines for a room of 5..20 m,
//! exponentially (0.5 = a 10 m room; the tail starts 18, 36 and 72 ms after
//! the input at sizes 0, 0.5 and 1: there are no separate early
//! reflections); `decay` is the RT60 in seconds; `damping` 0..1 sets the
//! loop gain at Nyquist to `1 - damping` relative to DC, for a loop of the
//! mean length (0 = bright, 1 = dark).
//!
//! Its process path only runs buffers allocated (and written once, so no
//! page is first touched on the audio thread) in `new`.
//!
//! Live: `mix` ramps per frame; `decay` (in octaves of seconds) and
//! `damping` ramp on a grid of 64 frames of the reverb's own clock (so the
//! output does not depend on how blocks are split): the loop filters'
//! weights are recomputed at those grid points. A change reshapes the tail
//! from then on, as turning the knob on a hardware reverb does. `size` sets
//! the delay lengths, so it changes by a rebuild
//! ([`crate::live::effect_param`]) and `set_param` ignores it.
//!
//! Measured (48 kHz, release build), against the fundsp design it replaced
//! (kept as `legacy` for the tests); `tests.rs` asserts looser bounds on
//! each (RT60 within 10 %, correlation below 0.1, echo density 0.9 within
//! 100 ms, wet level within 1.5 dB of fundsp's):
//!
//! - Cost (`effects::cost`, fastest of nine 20 s runs on a shared 2-core
//!   machine): 0.13 % of one core against fundsp's 0.92 to 1.4 % (7 to
//!   10x). Resting, nothing.
//! - RT60 (Schroeder T30): 0.300, 1.000 and 8.000 s broadband for 0.3, 1
//!   and 8 s undamped (fundsp's 0.313, 1.028, 8.166); below 500 Hz within
//!   1 % of `decay` at every setting tested, damped or not. Damped, the
//!   broadband RT60 is shorter (1.79 s for 2 s at damping 0.5), as the
//!   highs die sooner.
//! - |L/R correlation| of a mono impulse's tail: below 0.02.
//! - Echo density (Abel & Huang, 20 ms window) reaches 0.9 within 14, 61,
//!   42 and 93 ms of the onset at sizes 0, 0.5, 0.7, 1 (fundsp's: 71, 133,
//!   190, 390 ms) and averages 0.97 to 1.01 after 100 ms.
//! - Largest excess of the late tail's fine spectrum over its 1/3-octave
//!   smoothing: 2.2 to 4.2 dB from size 0.7 up (fundsp's 3.0 to 5.6), 5.9
//!   dB at size 0 (fundsp's 4.8: 16 short lines have half the modes of 32).
//! - Wet level within 0.2 dB of fundsp's; tail onset 18, 36, 48 and 72 ms
//!   at sizes 0, 0.5, 0.7 and 1 (fundsp's 19, 38, 50, 76 ms).

mod fdn;
#[cfg(test)]
pub(super) mod legacy;
#[cfg(test)]
mod tests;

use super::{blend, Mix};
use crate::live::clamp_param;
use crate::smooth::Smoothed;
use crate::{Effect, MAX_BLOCK};
use chronus_sequencer::song::ReverbSpec;
use fdn::{Fdn, CHUNK, FLOOR, LINES};

/// The lines' lengths for a 10 m room, in seconds: every other one of
/// fundsp's `reverb_stereo` delay times, sorted (the left (even) and right
/// (odd) lines alternate along them, so each channel gets a spread).
const DELAYS: [f64; LINES] = [
    0.036084, 0.043646, 0.045961, 0.047529, 0.050961, 0.052918, 0.056194, 0.058934, 0.066238,
    0.067741, 0.070121, 0.072972, 0.075900, 0.076725, 0.079315, 0.081859,
];

/// Output gain: the wet level of fundsp's design (measured in the tests).
const OUT_GAIN: f32 = 0.245;

/// Stereo algorithmic reverb. `process` is audio-thread safe.
pub struct Reverb {
    fdn: Fdn,
    mix: Mix,
    rate: f32,
    /// RT60 in octaves of seconds (log2 s), and in seconds at rest.
    decay: Smoothed,
    decay_s: f64,
    damping: Smoothed,
    /// Frames processed: the ramps step on multiples of [`MAX_BLOCK`].
    frame: u64,
}

impl Reverb {
    /// A reverb for `spec` at `rate` Hz (allocates its delay lines).
    pub fn new(spec: &ReverbSpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("reverb", &mut Vec::new());
        // Room size / 10 m.
        let scale = 2f64.powf(2.0 * s.size - 1.0);
        let mut fdn = Fdn::new(&DELAYS.map(|d| d * scale), rate);
        fdn.set_decay(s.decay, s.damping as f32, rate);
        Reverb {
            fdn,
            mix: Mix::new(s.mix),
            rate,
            decay: Smoothed::new((s.decay as f32).log2()),
            decay_s: s.decay,
            damping: Smoothed::new(s.damping as f32),
            frame: 0,
        }
    }

    /// Step the decay and damping ramps one grid step and set the weights.
    fn step(&mut self) {
        const STEP: u32 = MAX_BLOCK as u32;
        let octaves = self.decay.advance(STEP);
        let decay = if self.decay.is_smoothing() {
            f64::from(octaves.exp2())
        } else {
            self.decay_s
        };
        let damping = self.damping.advance(STEP);
        self.fdn.set_decay(decay, damping, self.rate);
    }

    /// One chunk (inside one grid step, at most `max_chunk` frames).
    fn chunk(&mut self, left: &mut [f32], right: &mut [f32]) {
        let n = left.len();
        let mut wet = [[0.0f32; CHUNK]; 2];
        let [wet_l, wet_r] = &mut wet;
        let (wet_l, wet_r) = (&mut wet_l[..n], &mut wet_r[..n]);
        let loud = |x: &[f32]| x.iter().any(|v| v.abs() >= FLOOR);
        if !self.fdn.is_silent() || loud(left) || loud(right) {
            self.fdn.process(left, right, wet_l, wet_r);
        }
        let mut amount = [0.0f32; CHUNK];
        self.mix.fill(&mut amount[..n]);
        for t in 0..n {
            left[t] = blend(left[t], OUT_GAIN * wet_l[t], amount[t]);
            right[t] = blend(right[t], OUT_GAIN * wet_r[t], amount[t]);
        }
    }
}

impl Effect for Reverb {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.mix.is_dry() {
            return;
        }
        let mut start = 0;
        while start < left.len() {
            let grid = MAX_BLOCK - (self.frame % MAX_BLOCK as u64) as usize;
            let end = left.len().min(start + grid.min(self.fdn.max_chunk));
            if grid == MAX_BLOCK && (self.decay.is_smoothing() || self.damping.is_smoothing()) {
                self.step();
            }
            self.chunk(&mut left[start..end], &mut right[start..end]);
            self.frame += (end - start) as u64;
            start = end;
        }
    }

    fn reset(&mut self) {
        self.fdn.reset();
    }

    /// `mix` ramps per frame, `decay` and `damping` on the 64-frame grid;
    /// `size` is ignored (rebuild). Audio-thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(ReverbSpec::PARAMS, param, value) {
            Some(("mix", v)) => {
                let was_idle = self.mix.set(v, ramp);
                if was_idle {
                    self.fdn.reset();
                }
            }
            Some(("decay", v)) => {
                self.decay_s = f64::from(v);
                self.decay.set(v.log2(), ramp);
            }
            Some(("damping", v)) => self.damping.set(v, ramp),
            _ => return,
        }
        if !self.decay.is_smoothing() && !self.damping.is_smoothing() {
            // A jump: the new weights now.
            self.fdn
                .set_decay(self.decay_s, self.damping.value(), self.rate);
        }
    }
}
