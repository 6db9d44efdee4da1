//! `delay`: a feedback echo, our own. Each channel is a circular buffer
//! holding the input plus `feedback ×` the echo; the echo is read `time`
//! seconds back, exactly `round(time × rate)` frames (at least 1), so repeat
//! `k` arrives at `k × round(time × rate)` frames with gain `feedback^(k-1)`.
//!
//! Why not fundsp: a loop around its `delay` needs its `feedback` node, which
//! adds one sample per trip (repeat `k` would land `k - 1` frames late); an
//! exact, sample-accurate echo is a few dozen lines written directly. The
//! feedback path is clean (no filtering or saturation); `feedback` ≤ 0.98
//! keeps it stable.
//!
//! Live: all three parameters. The lines are sized for the longest time (4 s,
//! 192 000 frames per channel at 48 kHz) when the delay is built, so a new
//! `time` needs no memory: the read position glides to it like a tape head
//! (4-point Hermite interpolation while it moves, the exact integer frame
//! again once it arrives), over the ramp asked for or twice the distance in
//! frames, whichever is longer, so the echo's pitch bends by at most half
//! its speed (between an octave down and a fifth up). `feedback` and `mix`
//! ramp per frame.

use super::{blend, Mix};
use crate::live::clamp_param;
use crate::smooth::Smoothed;
use crate::Effect;
use chronus_sequencer::song::DelaySpec;

/// Frames read on each side of the interpolated position (Hermite taps).
const TAPS: usize = 2;

/// Stereo feedback delay. `process` is audio-thread safe.
pub struct Delay {
    lines: [Vec<f32>; 2],
    /// Write position (the frame being processed).
    pos: usize,
    /// Delay in frames: an integer at rest, fractional while gliding.
    time: Smoothed,
    feedback: Smoothed,
    mix: Mix,
    rate: f32,
}

/// Delay in whole frames for `seconds` at `rate` Hz (at least 1).
fn frames_for(seconds: f64, rate: f32) -> f32 {
    (seconds * f64::from(rate)).round().max(1.0) as f32
}

/// Index of the frame written `k` frames before `pos` in a line of `len`.
#[inline(always)]
fn back(pos: usize, k: usize, len: usize) -> usize {
    if pos >= k {
        pos - k
    } else {
        pos + len - k
    }
}

/// The line's signal `d` frames (fractional, at least 2) before `pos`,
/// 4-point Hermite interpolated.
#[inline]
fn read_frac(line: &[f32], pos: usize, d: f32) -> f32 {
    let len = line.len();
    let k = d as usize;
    let t = 1.0 - (d - k as f32);
    let x0 = line[back(pos, k + 2, len)];
    let x1 = line[back(pos, k + 1, len)];
    let x2 = line[back(pos, k, len)];
    let x3 = line[back(pos, k - 1, len)];
    let c1 = 0.5 * (x2 - x0);
    let c2 = x0 - 2.5 * x1 + 2.0 * x2 - 0.5 * x3;
    let c3 = 0.5 * (x3 - x0) + 1.5 * (x1 - x2);
    ((c3 * t + c2) * t + c1) * t + x1
}

impl Delay {
    /// A delay for `spec` at `rate` Hz. Allocates its delay lines, sized for
    /// the longest delay time (4 s): control thread.
    pub fn new(spec: &DelaySpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("delay", &mut Vec::new());
        let max = DelaySpec::PARAMS
            .iter()
            .find(|p| p.0 == "time")
            .map_or(4.0, |p| p.3);
        let len = frames_for(max, rate) as usize + TAPS + 1;
        Delay {
            lines: [crate::memory::zeroed(len), crate::memory::zeroed(len)],
            pos: 0,
            time: Smoothed::new(frames_for(s.time, rate)),
            feedback: Smoothed::new(s.feedback as f32),
            mix: Mix::new(s.mix),
            rate,
        }
    }

    /// The delay time in frames now (rounded while it glides).
    pub fn frames(&self) -> usize {
        self.time.value().round() as usize
    }
}

impl Effect for Delay {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) {
        if self.mix.is_dry() {
            return;
        }
        let len = self.lines[0].len();
        let [line_l, line_r] = &mut self.lines;
        let mut pos = self.pos;
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let (echo_l, echo_r) = if self.time.is_smoothing() {
                let d = self.time.next().max(TAPS as f32);
                (read_frac(line_l, pos, d), read_frac(line_r, pos, d))
            } else {
                let i = back(pos, self.time.value() as usize, len);
                (line_l[i], line_r[i])
            };
            let feedback = self.feedback.next();
            line_l[pos] = *l + feedback * echo_l;
            line_r[pos] = *r + feedback * echo_r;
            let wet = self.mix.next();
            *l = blend(*l, echo_l, wet);
            *r = blend(*r, echo_r, wet);
            pos += 1;
            if pos == len {
                pos = 0;
            }
        }
        self.pos = pos;
    }

    fn reset(&mut self) {
        for line in &mut self.lines {
            line.fill(0.0);
        }
        self.pos = 0;
    }

    /// `time` glides (see the module docs), `feedback` and `mix` ramp over
    /// `ramp` frames. Audio-thread safe (a mix leaving 0 clears the lines).
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        match clamp_param(DelaySpec::PARAMS, param, value) {
            Some(("time", v)) => {
                let target = frames_for(f64::from(v), self.rate);
                let distance = (target - self.time.value()).abs();
                let frames = (2.0 * distance).min(u32::MAX as f32) as u32;
                self.time.set(target, ramp.max(frames));
            }
            Some(("feedback", v)) => self.feedback.set(v, ramp),
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

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use super::*;

    #[test]
    fn echoes_arrive_on_exact_frames_with_feedback_gain() {
        for time in [0.01, 0.0123, 0.375, 4.0] {
            let spec = DelaySpec {
                time,
                feedback: 0.5,
                mix: 1.0,
            };
            let mut fx = Delay::new(&spec, RATE);
            let d = (time * f64::from(RATE)).round() as usize;
            assert_eq!(fx.frames(), d);
            let n = 3 * d + 10;
            let (l, r) = run(&mut fx, &impulse(n), &impulse(n), 64);
            for (i, (&a, &b)) in l.iter().zip(&r).enumerate() {
                let expect = match i {
                    _ if i == d => 1.0,
                    _ if i == 2 * d => 0.5,
                    _ if i == 3 * d => 0.25,
                    _ => 0.0,
                };
                assert_eq!((a, b), (expect, expect), "time {time}, frame {i}");
            }
        }
    }

    #[test]
    fn mix_blends_dry_and_echo() {
        let spec = DelaySpec {
            time: 0.001,
            feedback: 0.0,
            mix: 0.25,
        };
        let (l, _) = run(
            &mut Delay::new(&spec, RATE),
            &impulse(100),
            &impulse(100),
            64,
        );
        assert_eq!(l[0], 0.75);
        assert_eq!(l[48], 0.25);
        assert_eq!(l[96], 0.0);
    }

    #[test]
    fn mix_zero_is_bit_exact() {
        let spec = DelaySpec {
            mix: 0.0,
            ..Default::default()
        };
        assert_passes_bit_exactly(Delay::new(&spec, RATE));
    }

    #[test]
    fn block_size_independent() {
        let spec = DelaySpec {
            time: 0.0101,
            feedback: 0.9,
            mix: 0.5,
        };
        assert_block_independent("delay", || Box::new(Delay::new(&spec, RATE)), 0.0);
    }

    fn index(name: &str) -> usize {
        DelaySpec::PARAMS
            .iter()
            .position(|p| p.0 == name)
            .unwrap_or(usize::MAX)
    }

    fn echo(time: f64) -> Delay {
        let spec = DelaySpec {
            time,
            feedback: 0.0,
            mix: 1.0,
        };
        Delay::new(&spec, RATE)
    }

    #[test]
    fn a_new_time_glides_there_then_echoes_on_exact_frames() {
        let mut fx = echo(0.1);
        // 0.1 s -> 0.2 s: 4800 frames further, glided over 9600 frames.
        let sets = [(1000, index("time"), 0.2, 240)];
        let n = 40_000;
        let mut x = vec![0.0f32; n];
        x[30_000] = 1.0;
        let (l, r) = run_with(&mut fx, &x, &x, 64, &sets);
        assert_eq!(fx.frames(), 9600);
        for (i, (&a, &b)) in l.iter().zip(&r).enumerate().skip(20_000) {
            let want = if i == 39_600 { 1.0 } else { 0.0 };
            assert_eq!((a, b), (want, want), "frame {i}");
        }
        // Half-way through the glide it is half-way there.
        let mut fx = echo(0.1);
        run_with(&mut fx, &x[..5800], &x[..5800], 64, &sets);
        assert_eq!(fx.frames(), 7200);
    }

    #[test]
    fn a_glide_bends_the_pitch_without_steps() {
        // The read head moves at 1 -/+ 0.5 frames per frame: a sine comes
        // out an octave down while the delay grows, a fifth up while it
        // shrinks, so its steps are at most 1.5 times the input's (plus a
        // little interpolation error); no step beyond that.
        let x = sine(440.0, 0.5, 48_000);
        let input_step = x
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max);
        for (from, to) in [(0.1, 0.3), (0.3, 0.1)] {
            let mut fx = echo(from);
            let sets = [(19_200, index("time"), to as f32, 240)];
            let (l, _) = run_with(&mut fx, &x, &x, 64, &sets);
            let out = &l[19_200..];
            let step = out
                .windows(2)
                .map(|w| (w[1] - w[0]).abs())
                .fold(0.0, f32::max);
            let glide = &out[4800..14_400];
            // Frequency from the rising zero crossings.
            let ups: Vec<usize> = (1..glide.len())
                .filter(|&i| glide[i - 1] < 0.0 && glide[i] >= 0.0)
                .collect();
            let f = (ups.len() - 1) as f64 * f64::from(RATE) / (ups[ups.len() - 1] - ups[0]) as f64;
            println!(
                "delay {from} -> {to} s: echo at {f:.1} Hz while gliding, largest step {step:.4} (input {input_step:.4})"
            );
            let want = if to > from { 220.0 } else { 660.0 };
            assert!((f / want - 1.0).abs() < 0.01, "{f}");
            assert!(step <= 1.5 * input_step * 1.01, "{step}");
        }
    }
}
