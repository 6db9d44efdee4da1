//! The ADSR envelope.

use crate::smooth::Smoothed;

/// Stage of an [`Adsr`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Silent; the voice can be reused.
    Idle,
    /// Rising linearly to 1.
    Attack,
    /// Falling exponentially towards the sustain level.
    Decay,
    /// Holding the sustain level (exponential approach continues).
    Sustain,
    /// Falling exponentially to silence after the gate closed.
    Release,
}

/// Level below which a releasing envelope ends (-100 dB): the voice then
/// outputs exact zeros.
pub const SILENCE: f32 = 1e-5;

/// Attack-decay-sustain-release envelope, one per voice.
///
/// Attack is a linear ramp from the current level (so a re-triggered voice
/// does not jump) to 1 in `attack` seconds; decay and release are
/// exponential and fall 60 dB in `decay`/`release` seconds.
///
/// All four settings can change while the envelope runs: new times apply at
/// once (a stage in progress continues from its level at the new rate, which
/// never jumps), and a new sustain level is reached over a ramp
/// ([`Adsr::set_sustain`]), so a held note glides to it.
#[derive(Clone, Debug)]
pub struct Adsr {
    stage: Stage,
    level: f32,
    /// In the decay stage: level minus sustain.
    offset: f32,
    attack_step: f32,
    decay_coef: f32,
    /// Advanced per sample in the attack, decay and sustain stages.
    sustain: Smoothed,
    release_coef: f32,
}

use crate::math::fall_60db;

impl Adsr {
    /// An idle envelope with the given times (seconds) and sustain level.
    pub fn new(attack: f64, decay: f64, sustain: f64, release: f64, rate: f64) -> Self {
        let mut env = Adsr {
            stage: Stage::Idle,
            level: 0.0,
            offset: 0.0,
            attack_step: 1.0,
            decay_coef: 0.0,
            sustain: Smoothed::new(0.0),
            release_coef: 0.0,
        };
        env.set(attack, decay, sustain, release, rate);
        env
    }

    /// Change the times and sustain level (takes effect at once).
    /// Audio thread safe.
    pub fn set(&mut self, attack: f64, decay: f64, sustain: f64, release: f64, rate: f64) {
        self.set_times(attack, decay, release, rate);
        self.set_sustain(sustain, 0);
    }

    /// Change the attack, decay and release times (seconds) at once: a stage
    /// in progress continues from its current level at the new rate.
    /// Audio thread safe.
    pub fn set_times(&mut self, attack: f64, decay: f64, release: f64, rate: f64) {
        self.attack_step = if attack <= 0.0 {
            1.0
        } else {
            (1.0 / (attack * rate)) as f32
        };
        self.decay_coef = fall_60db(decay, rate);
        self.release_coef = fall_60db(release, rate);
    }

    /// Move the sustain level to `sustain` (clamped into 0..=1; NaN is
    /// ignored) over `frames` frames of the attack, decay and sustain stages:
    /// a held note glides to it, a decay in progress approaches the moving
    /// level. An idle envelope takes it at once. Audio thread safe.
    pub fn set_sustain(&mut self, sustain: f64, frames: u32) {
        if sustain.is_nan() {
            return;
        }
        // (An idle envelope takes it at once: `trigger` lands the glide.)
        self.sustain.set(sustain.clamp(0.0, 1.0) as f32, frames);
    }

    /// The sustain level being moved to (or held).
    pub fn sustain(&self) -> f32 {
        self.sustain.target()
    }

    /// Open the gate: start the attack from the current level.
    pub fn trigger(&mut self) {
        if self.stage == Stage::Idle {
            self.sustain.reset_to(self.sustain.target());
        }
        self.stage = Stage::Attack;
    }

    /// Open the gate from silence (the level jumps to 0 first).
    pub fn trigger_from_zero(&mut self) {
        self.level = 0.0;
        self.sustain.reset_to(self.sustain.target());
        self.stage = Stage::Attack;
    }

    /// Close the gate: start the release (unless idle).
    pub fn release(&mut self) {
        if self.stage != Stage::Idle {
            self.stage = Stage::Release;
        }
    }

    /// Stop at once, silent.
    pub fn reset(&mut self) {
        self.stage = Stage::Idle;
        self.level = 0.0;
    }

    /// Current stage.
    pub fn stage(&self) -> Stage {
        self.stage
    }

    /// Current level 0..1.
    pub fn level(&self) -> f32 {
        self.level
    }

    /// True when the envelope has finished (the voice is free).
    pub fn is_idle(&self) -> bool {
        self.stage == Stage::Idle
    }

    /// Advance one sample and return the level. Audio thread safe.
    #[inline]
    pub fn next_sample(&mut self) -> f32 {
        match self.stage {
            Stage::Idle => {}
            Stage::Attack => {
                let sustain = self.sustain.next();
                self.level += self.attack_step;
                if self.level >= 1.0 {
                    self.level = 1.0;
                    self.offset = 1.0 - sustain;
                    self.stage = Stage::Decay;
                }
            }
            Stage::Decay => {
                // Decay the distance to the sustain level, not the level
                // itself: `s + (l - s) * c` stalls in f32 short of `s`.
                let sustain = self.sustain.next();
                self.offset *= self.decay_coef;
                self.level = sustain + self.offset;
                if self.offset.abs() < SILENCE {
                    self.level = sustain;
                    self.stage = Stage::Sustain;
                    if sustain == 0.0 && !self.sustain.is_smoothing() {
                        self.reset();
                    }
                }
            }
            Stage::Sustain => {
                self.level = self.sustain.next();
                if self.level == 0.0 && !self.sustain.is_smoothing() {
                    self.reset();
                }
            }
            Stage::Release => {
                self.level *= self.release_coef;
                if self.level < SILENCE {
                    self.reset();
                }
            }
        }
        self.level
    }

    /// Fill `out` with the next `out.len()` levels: exactly the values
    /// [`Adsr::next_sample`] would give, with the stage decided once per
    /// run of samples rather than per sample. Audio thread safe.
    pub fn process(&mut self, out: &mut [f32]) {
        let mut n = 0;
        while n < out.len() {
            match self.stage {
                Stage::Idle => {
                    out[n..].fill(self.level);
                    return;
                }
                Stage::Sustain if !self.sustain.is_smoothing() && self.sustain.value() > 0.0 => {
                    self.level = self.sustain.value();
                    out[n..].fill(self.level);
                    return;
                }
                Stage::Release => {
                    let mut level = self.level;
                    while n < out.len() {
                        level *= self.release_coef;
                        if level < SILENCE {
                            break;
                        }
                        out[n] = level;
                        n += 1;
                    }
                    self.level = level;
                    if n < out.len() {
                        out[n] = self.next_sample_release_end();
                        n += 1;
                    }
                }
                _ => {
                    out[n] = self.next_sample();
                    n += 1;
                }
            }
        }
    }

    /// The release has just fallen below [`SILENCE`]: end the envelope.
    fn next_sample_release_end(&mut self) -> f32 {
        self.reset();
        self.level
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_decays_reach_sustain() {
        for decay in [0.3, 10.0] {
            let mut a = Adsr::new(0.01, decay, 0.7, 0.5, 48_000.0);
            a.trigger();
            let mut block = [0.0f32; 64];
            for _ in 0..(decay * 2.0 * 750.0) as usize {
                a.process(&mut block);
            }
            assert_eq!(a.stage(), Stage::Sustain, "decay {decay}");
            assert_eq!(a.level(), 0.7);
        }
    }

    #[test]
    fn block_processing_equals_sample_processing() {
        let mut a = Adsr::new(0.002, 0.01, 0.6, 0.02, 48_000.0);
        let mut b = a.clone();
        a.trigger();
        b.trigger();
        let mut block = [0.0f32; 64];
        for i in 0..200 {
            if i == 60 {
                a.release();
                b.release();
            }
            a.process(&mut block);
            for (n, x) in block.iter().enumerate() {
                assert_eq!(*x, b.next_sample(), "block {i} sample {n}");
            }
            assert_eq!(a.stage(), b.stage());
        }
        assert!(a.is_idle());
    }

    #[test]
    fn zero_attack_starts_at_full_level() {
        let mut env = Adsr::new(0.0, 0.1, 0.5, 0.1, 48_000.0);
        env.trigger();
        assert_eq!(env.next_sample(), 1.0);
    }

    #[test]
    fn attack_is_linear_and_reaches_one_on_time() {
        let mut env = Adsr::new(0.01, 0.1, 0.5, 0.1, 48_000.0);
        env.trigger();
        let mut n = 0;
        while env.stage() == Stage::Attack {
            let level = env.next_sample();
            n += 1;
            // A straight line: n / 480 of the way at sample n.
            if n <= 479 {
                assert!(
                    (level - n as f32 / 480.0).abs() < 2.0 / 480.0,
                    "{n}: {level}"
                );
            }
        }
        assert!((479..=481).contains(&n), "{n}");
    }

    #[test]
    fn decays_to_sustain_and_releases_to_exact_zero() {
        let rate = 48_000.0;
        let mut env = Adsr::new(0.0, 0.05, 0.5, 0.05, rate);
        env.trigger();
        for _ in 0..48_000 {
            env.next_sample();
        }
        assert!((env.level() - 0.5).abs() < 1e-4);
        env.release();
        // -60 dB in 0.05 s, -100 dB (the end) in about 0.083 s (4000 frames).
        let mut n = 0;
        while !env.is_idle() {
            let level = env.next_sample();
            n += 1;
            if n == 2400 {
                assert!((20.0 * (level / 0.5).log10() + 60.0).abs() < 0.5, "{level}");
            }
        }
        assert!((3500..4500).contains(&n), "{n}");
        assert_eq!(env.next_sample(), 0.0);
    }

    #[test]
    fn a_new_sustain_is_glided_to_and_block_processing_agrees() {
        let mut a = Adsr::new(0.001, 0.01, 0.8, 0.05, 48_000.0);
        a.trigger();
        let mut b = a.clone();
        let mut block = [0.0f32; 64];
        for i in 0..200 {
            if i == 30 {
                // In the sustain stage: glide to 0.2 over 100 frames.
                assert_eq!(a.stage(), Stage::Sustain);
                a.set_sustain(0.2, 100);
                b.set_sustain(0.2, 100);
            }
            if i == 31 {
                // A ramp in progress; the decay will chase it when re-triggered.
                a.trigger();
                b.trigger();
                a.set_sustain(0.5, 1000);
                b.set_sustain(0.5, 1000);
            }
            if i == 80 {
                a.release();
                b.release();
            }
            a.process(&mut block[..37]);
            let mut expect: Vec<f32> = (0..37).map(|_| b.next_sample()).collect();
            a.process(&mut block[37..]);
            expect.extend((37..64).map(|_| b.next_sample()));
            assert_eq!(&block[..], &expect[..], "block {i}");
        }
        assert!(a.is_idle());
    }

    #[test]
    fn sustain_glides_linearly_and_lands_exactly() {
        let mut env = Adsr::new(0.0, 0.001, 0.8, 0.1, 48_000.0);
        env.trigger();
        for _ in 0..4800 {
            env.next_sample();
        }
        assert_eq!(env.level(), 0.8);
        env.set_sustain(0.4, 4);
        for want in [0.7, 0.6, 0.5, 0.4, 0.4] {
            assert!((env.next_sample() - want).abs() < 1e-6);
        }
        assert_eq!(env.level(), 0.4);
        assert_eq!(env.sustain(), 0.4);
        // To zero: the held note ends once the glide arrives.
        env.set_sustain(0.0, 10);
        for _ in 0..10 {
            env.next_sample();
        }
        assert!(env.is_idle());
        // An idle envelope takes a new sustain at once (when triggered).
        env.set_sustain(0.3, 1000);
        env.set_times(0.0, 0.0, 0.1, 48_000.0);
        env.trigger();
        env.next_sample();
        assert_eq!(env.next_sample(), 0.3);
        env.set_sustain(f64::NAN, 0);
        assert_eq!(env.sustain(), 0.3);
    }
}
