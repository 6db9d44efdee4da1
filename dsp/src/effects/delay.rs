//! `delay`: a feedback echo, our own. Each channel is a circular buffer of
//! exactly `round(time × rate)` frames (at least 1) holding the input plus
//! `feedback ×` the echo, so repeat `k` arrives at `k × round(time × rate)`
//! frames with gain `feedback^(k-1)`.
//!
//! Why not fundsp: a loop around its `delay` needs its `feedback` node, which
//! adds one sample per trip (repeat `k` would land `k - 1` frames late); an
//! exact, sample-accurate echo is a dozen lines written directly. Memory is
//! sized for this instance's time only (a 4 s delay at 48 kHz is 192 000
//! frames per channel). The feedback path is clean (no filtering or
//! saturation); `feedback` ≤ 0.98 keeps it stable.

use super::Mix;
use crate::Effect;
use chronus_sequencer::song::DelaySpec;

/// Stereo feedback delay. `process` is audio-thread safe.
pub struct Delay {
    lines: [Vec<f32>; 2],
    pos: usize,
    feedback: f32,
    mix: Mix,
}

impl Delay {
    /// A delay for `spec` at `rate` Hz (allocates its delay lines).
    pub fn new(spec: &DelaySpec, rate: f32) -> Self {
        let mut s = spec.clone();
        s.clamp("delay", &mut Vec::new());
        let frames = ((s.time * f64::from(rate)).round() as usize).max(1);
        Delay {
            lines: [vec![0.0; frames], vec![0.0; frames]],
            pos: 0,
            feedback: s.feedback as f32,
            mix: Mix::new(s.mix),
        }
    }

    /// The delay time in frames.
    pub fn frames(&self) -> usize {
        self.lines[0].len()
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
            let (echo_l, echo_r) = (line_l[pos], line_r[pos]);
            line_l[pos] = *l + self.feedback * echo_l;
            line_r[pos] = *r + self.feedback * echo_r;
            *l = self.mix.apply(*l, echo_l);
            *r = self.mix.apply(*r, echo_r);
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
}
