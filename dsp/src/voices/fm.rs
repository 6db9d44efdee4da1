//! The two-operator FM synth (phase modulation, DX style).
//!
//! Carrier: a sine at `midi_to_hz(note) * 2^(detune/1200)`. Modulator: a
//! sine at `ratio` times that, optionally fed back on itself (the mean of
//! its last two outputs, up to π/2 radians at `feedback` 1). The carrier's
//! phase is offset by `index * (1 - index_env + index_env * env) * mod`,
//! where `env` is the amplitude ADSR. Phases are 32-bit fixed point
//! (wrapping), so pitch is exact to far below a cent, and reset at note-on.
//!
//! Live parameters: `ratio`, `index`, `index_env`, `feedback` and `detune`
//! ramp per sample on sounding notes (a new `ratio` or `detune` glides the
//! pitch, phases run on); envelope times apply to sounding notes at once and
//! `sustain` glides there ([`Adsr::set_sustain`]); `note`, the pitch of
//! notes without one, applies from the next note. A new note starts at the
//! values last set, without a ramp.

use super::pool::{pitch_of, pool_instrument, velocity_of, voice_count, Pool, Voice};
use crate::envelope::Adsr;
use crate::math::midi_to_hz;
use crate::smooth::Smoothed;
use chronus_sequencer::song::FmSpec;
use std::f32::consts::PI;

/// Feedback (in radians of modulator phase) at `feedback` 1.
const MAX_FEEDBACK: f32 = std::f32::consts::FRAC_PI_2;

/// Fixed-point phase increment for `freq` Hz (one turn = 2^32).
fn phase_inc(freq: f64, rate: f32) -> u32 {
    let turns = (freq / f64::from(rate)).rem_euclid(1.0);
    (turns * 4_294_967_296.0).round() as u64 as u32
}

/// Radians (-π..π) of a fixed-point phase.
#[inline(always)]
fn radians(phase: u32) -> f32 {
    (phase as i32) as f32 * (PI / 2_147_483_648.0)
}

/// One FM voice.
pub struct FmVoice {
    note: f64,
    /// Detune in cents and the modulator ratio, ramped per sample.
    detune: Smoothed,
    /// Pitch bend in semitones (a MIDI wheel), ramped per sample.
    bend: Smoothed,
    ratio: Smoothed,
    /// The ratio at full precision while it rests.
    ratio_rest: f64,
    index: Smoothed,
    index_env: Smoothed,
    feedback: Smoothed,
    rate: f32,
    /// Attack, decay and release times in seconds.
    times: [f64; 3],
    env: Adsr,
    // Per-note state.
    /// The MIDI pitch of the note (before detune).
    pitch: f64,
    carrier: u32,
    modulator: u32,
    carrier_inc: u32,
    modulator_inc: u32,
    last: [f32; 2],
    velocity: f32,
}

impl Voice for FmVoice {
    fn start(&mut self, pitch: Option<f32>, velocity: f32) {
        self.pitch = pitch_of(pitch).unwrap_or(self.note);
        for s in [
            &mut self.detune,
            &mut self.bend,
            &mut self.ratio,
            &mut self.index,
            &mut self.index_env,
            &mut self.feedback,
        ] {
            s.reset_to(s.target());
        }
        self.retune(self.ratio_rest);
        self.carrier = 0;
        self.modulator = 0;
        self.last = [0.0; 2];
        self.velocity = velocity_of(velocity);
        self.env.trigger_from_zero();
    }

    /// Take over a sounding voice without a click: phases and feedback
    /// state run on, the envelope attacks from its current level.
    fn steal(&mut self, pitch: Option<f32>, velocity: f32) {
        let (carrier, modulator, last) = (self.carrier, self.modulator, self.last);
        let env = self.env.clone();
        self.start(pitch, velocity);
        self.carrier = carrier;
        self.modulator = modulator;
        self.last = last;
        self.env = env;
        self.env.trigger();
    }

    fn release(&mut self) {
        self.env.release();
    }

    fn set_param(&mut self, name: &str, value: f32, ramp: u32) {
        let v = f64::from(value);
        let r = f64::from(self.rate);
        match name {
            "note" => self.note = v,
            "detune" => self.detune.set(value, ramp),
            "bend" => self.bend.set(value, ramp),
            "ratio" => {
                self.ratio.set(value, ramp);
                self.ratio_rest = v;
            }
            "index" => self.index.set(value, ramp),
            "index_env" => self.index_env.set(value, ramp),
            "feedback" => self.feedback.set(value, ramp),
            "attack" | "decay" | "release" => {
                let i = ["attack", "decay", "release"]
                    .iter()
                    .position(|n| *n == name)
                    .unwrap_or(0);
                self.times[i] = v;
                let [a, d, rel] = self.times;
                self.env.set_times(a, d, rel, r);
            }
            "sustain" => self.env.set_sustain(v, ramp),
            _ => {}
        }
        let gliding = self.detune.is_smoothing() || self.bend.is_smoothing();
        if !gliding && !self.ratio.is_smoothing() && self.is_active() {
            // A jump (no ramp) in pitch: retune at once.
            self.retune(self.ratio_rest);
        }
    }

    fn add_to(&mut self, out: &mut [f32]) {
        let mut fixed = self.index.value() * (1.0 - self.index_env.value());
        let mut moving = self.index.value() * self.index_env.value();
        let mut fb = self.feedback.value() * MAX_FEEDBACK * 0.5;
        for o in out.iter_mut() {
            if self.index.is_smoothing() || self.index_env.is_smoothing() {
                let (index, index_env) = (self.index.next(), self.index_env.next());
                fixed = index * (1.0 - index_env);
                moving = index * index_env;
            }
            if self.feedback.is_smoothing() {
                fb = self.feedback.next() * MAX_FEEDBACK * 0.5;
            }
            if self.detune.is_smoothing() || self.ratio.is_smoothing() || self.bend.is_smoothing() {
                self.detune.next();
                self.bend.next();
                let ratio = self.ratio.next();
                let ratio = if self.ratio.is_smoothing() {
                    f64::from(ratio)
                } else {
                    self.ratio_rest
                };
                self.retune(ratio);
            }
            let env = self.env.next_sample();
            if self.env.is_idle() {
                break;
            }
            let m = (radians(self.modulator) + fb * (self.last[0] + self.last[1])).sin();
            self.last = [m, self.last[0]];
            let c = (radians(self.carrier) + (fixed + moving * env) * m).sin();
            *o += self.velocity * env * c;
            self.carrier = self.carrier.wrapping_add(self.carrier_inc);
            self.modulator = self.modulator.wrapping_add(self.modulator_inc);
        }
    }

    fn is_active(&self) -> bool {
        !self.env.is_idle()
    }

    fn stop(&mut self) {
        self.env.reset();
    }
}

impl FmVoice {
    /// Set the phase increments for the note's pitch, the detune now and
    /// modulator `ratio`.
    fn retune(&mut self, ratio: f64) {
        let detune = f64::from(self.detune.value()) + 100.0 * f64::from(self.bend.value());
        let freq =
            (midi_to_hz(self.pitch) * (detune / 1200.0).exp2()).min(0.5 * f64::from(self.rate));
        self.carrier_inc = phase_inc(freq, self.rate);
        self.modulator_inc = phase_inc(freq * ratio, self.rate);
    }
}

/// The voices of an `fm` instrument.
pub struct FmVoices {
    pool: Pool<FmVoice>,
}

impl FmVoices {
    /// All `spec.polyphony` voices for `spec` at `rate` Hz. Allocates.
    pub fn new(spec: &FmSpec, rate: f32) -> Self {
        let r = f64::from(rate);
        FmVoices {
            pool: Pool::new(voice_count(spec.polyphony), |_| FmVoice {
                note: spec.note,
                detune: Smoothed::new(spec.detune as f32),
                bend: Smoothed::new(0.0),
                ratio: Smoothed::new(spec.ratio.max(0.0) as f32),
                ratio_rest: spec.ratio.max(0.0),
                index: Smoothed::new(spec.index.max(0.0) as f32),
                index_env: Smoothed::new(spec.index_env.clamp(0.0, 1.0) as f32),
                feedback: Smoothed::new(spec.feedback.clamp(0.0, 1.0) as f32),
                rate,
                times: [spec.attack, spec.decay, spec.release],
                env: Adsr::new(spec.attack, spec.decay, spec.sustain, spec.release, r),
                pitch: spec.note,
                carrier: 0,
                modulator: 0,
                carrier_inc: 0,
                modulator_inc: 0,
                last: [0.0; 2],
                velocity: 0.0,
            }),
        }
    }
}

pool_instrument!(FmVoices, FmSpec);

#[cfg(test)]
mod tests {
    use super::super::pool::testing::*;
    use super::*;
    use crate::Instrument;

    /// Constant index, full sustain, no attack.
    fn steady(index: f64, ratio: f64) -> FmSpec {
        FmSpec {
            index,
            ratio,
            index_env: 0.0,
            attack: 0.0,
            sustain: 1.0,
            ..FmSpec::default()
        }
    }

    #[test]
    fn pure_carrier_is_exactly_in_tune() {
        let mut fm = FmVoices::new(&steady(0.0, 2.0), RATE);
        fm.note_on(1, Some(69.0), 1.0);
        let out = render(&mut fm, RATE as usize, 64);
        let f = zero_cross_freq(&out, RATE);
        let cents = 1200.0 * (f / 440.0).log2();
        println!("A4 measures {f:.6} Hz, {cents:+.6} cents");
        assert!(cents.abs() < 0.1, "{f} Hz, {cents} cents");
    }

    #[test]
    fn a_bend_moves_sounding_and_later_notes() {
        let mut fm = FmVoices::new(&steady(0.0, 2.0), RATE);
        fm.note_on(1, Some(69.0), 1.0);
        fm.set_bend(7.0, 64);
        let out = render(&mut fm, RATE as usize / 2, 64);
        let f = zero_cross_freq(&out[1_000..], RATE);
        let want = 440.0 * (7.0f64 / 12.0).exp2();
        assert!((1200.0 * (f / want).log2()).abs() < 0.1, "{f}");
        fm.note_off(1);
        render(&mut fm, RATE as usize, 64);
        fm.note_on(2, Some(57.0), 1.0);
        let out = render(&mut fm, RATE as usize / 2, 64);
        let f = zero_cross_freq(&out[1_000..], RATE);
        let want = 220.0 * (7.0f64 / 12.0).exp2();
        assert!(
            (1200.0 * (f / want).log2()).abs() < 0.1,
            "a new note starts bent: {f}"
        );
    }

    #[test]
    fn default_note_and_detune() {
        let spec = FmSpec {
            detune: 1200.0,
            ..steady(0.0, 1.0)
        };
        let mut fm = FmVoices::new(&spec, RATE);
        fm.note_on(1, None, 1.0); // C4 up an octave: C5
        let out = render(&mut fm, RATE as usize, 64);
        let f = zero_cross_freq(&out, RATE);
        let want = midi_to_hz(72.0);
        assert!((1200.0 * (f / want).log2()).abs() < 0.1, "{f} vs {want}");
    }

    #[test]
    fn sidebands_follow_the_bessel_functions() {
        // Carrier 440 Hz, modulator 660 Hz, index 1: lines at 440 (J0),
        // 1100 and |440 - 660| = 220 (J1), 1760 and 880 (J2).
        let mut fm = FmVoices::new(&steady(1.0, 1.5), RATE);
        fm.note_on(1, Some(69.0), 1.0);
        let out = render(&mut fm, RATE as usize, 64);
        let (j0, j1, j2) = (0.765_197_7, 0.440_050_6, 0.114_903_5);
        for (f, want) in [
            (440.0, j0),
            (1100.0, j1),
            (220.0, j1),
            (1760.0, j2),
            (880.0, j2),
        ] {
            let got = goertzel(&out, f, RATE);
            println!("{f} Hz: {got:.5} (Bessel {want:.5})");
            assert!((got - want).abs() < 0.01, "{f} Hz: {got} vs {want}");
        }
        assert!(goertzel(&out, 660.0, RATE) < 1e-3);
        assert!(goertzel(&out, 700.0, RATE) < 1e-3);
    }

    #[test]
    fn matches_the_phase_modulation_formula() {
        let mut fm = FmVoices::new(&steady(3.0, 2.0), RATE);
        fm.note_on(1, Some(57.0), 0.5);
        let out = render(&mut fm, 4800, 64);
        let (wc, wm) = (
            2.0 * std::f64::consts::PI * 220.0 / 48_000.0,
            2.0 * std::f64::consts::PI * 440.0 / 48_000.0,
        );
        for (n, &y) in out.iter().enumerate() {
            let t = n as f64;
            let want = 0.5 * (wc * t + 3.0 * (wm * t).sin()).sin();
            assert!((f64::from(y) - want).abs() < 1e-4, "{n}: {y} vs {want}");
        }
    }

    #[test]
    fn same_note_same_frame_is_phase_identical() {
        let spec = FmSpec {
            feedback: 0.5,
            ..FmSpec::default()
        };
        let mut one = FmVoices::new(&spec, RATE);
        one.note_on(1, Some(60.0), 1.0);
        let single = render(&mut one, 4800, 64);
        let mut two = FmVoices::new(&spec, RATE);
        render(&mut two, 100, 64);
        two.note_on(1, Some(60.0), 1.0);
        two.note_on(2, Some(60.0), 1.0);
        let double = render(&mut two, 4800, 64);
        for (a, b) in single.iter().zip(&double) {
            assert_eq!(2.0 * a, *b);
        }
    }

    #[test]
    fn release_ends_in_exact_silence() {
        let mut fm = FmVoices::new(&FmSpec::default(), RATE);
        assert!(render(&mut fm, 64, 64).iter().all(|&v| v == 0.0));
        fm.note_on(5, Some(60.0), 1.0);
        fm.note_off(77);
        let held = render(&mut fm, 24_000, 64);
        assert_eq!(fm.active_voices(), 1);
        assert!(peak(&held[20_000..]) > 0.3, "sustains while held");
        fm.note_off(5);
        // -100 dB in 5/3 of the 0.3 s release.
        let rel = render(&mut fm, 24_000, 7);
        assert_eq!(fm.active_voices(), 0);
        let end = last_nonzero(&rel).unwrap() as f32 / RATE;
        assert!((0.45..0.52).contains(&end), "{end}");
        assert!(render(&mut fm, 640, 64).iter().all(|&v| v == 0.0));
        fm.note_off(5);
    }

    #[test]
    fn block_size_does_not_matter() {
        let spec = FmSpec {
            feedback: 0.7,
            ..FmSpec::default()
        };
        let run = |block: usize| {
            let mut fm = FmVoices::new(&spec, RATE);
            fm.note_on(1, Some(50.0), 0.9);
            let mut out = render(&mut fm, 3000, block);
            fm.note_on(2, Some(57.0), 0.6);
            fm.note_off(1);
            out.extend(render(&mut fm, 30_000, block));
            out
        };
        assert_eq!(run(64), run(7));
    }

    #[test]
    fn steals_the_oldest_note() {
        let spec = FmSpec {
            polyphony: 2.0,
            ..FmSpec::default()
        };
        let mut fm = FmVoices::new(&spec, RATE);
        fm.note_on(1, Some(60.0), 1.0);
        render(&mut fm, 64, 64);
        fm.note_on(2, Some(64.0), 1.0);
        render(&mut fm, 64, 64);
        fm.note_on(3, Some(67.0), 1.0);
        assert_eq!(fm.active_voices(), 2);
        assert_eq!(fm.pool.ids(), vec![Some(3), Some(2)]);
        // Note 1 is gone: its note-off releases nothing.
        fm.note_off(1);
        render(&mut fm, 48_000, 64);
        assert_eq!(fm.active_voices(), 2);
        fm.note_off(2);
        fm.note_off(3);
        render(&mut fm, 48_000, 64);
        assert_eq!(fm.active_voices(), 0);
    }

    #[test]
    fn feedback_stays_bounded() {
        let spec = FmSpec {
            feedback: 1.0,
            index: 50.0,
            ratio: 32.0,
            ..FmSpec::default()
        };
        let mut fm = FmVoices::new(&spec, RATE);
        fm.note_on(1, Some(127.0), 1.0);
        let out = render(&mut fm, 48_000, 64);
        assert!(out.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
    }

    #[test]
    fn stealing_a_sounding_voice_does_not_click() {
        let spec = FmSpec {
            index: 0.0,
            attack: 0.005,
            release: 0.5,
            polyphony: 1.0,
            ..FmSpec::default()
        };
        let mut fm = FmVoices::new(&spec, 48_000.0);
        let mut out = vec![0.0f32; 4 * 12_032];
        let mut n = 0;
        for (i, note) in [60.0, 64.0, 67.0, 72.0].into_iter().enumerate() {
            fm.note_on(i as u32, Some(note), 0.8);
            let end = n + 12_032;
            while n < end {
                fm.render(&mut out[n..n + 64]);
                n += 64;
            }
        }
        // A C5 sine at 0.8 peak moves at most 2*pi*523/48000*0.8 = 0.055 per sample.
        let step = out
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max);
        assert!(step < 0.06, "largest step {step}");
    }

    #[test]
    fn live_changes_do_not_depend_on_block_size() {
        let spec = FmSpec {
            feedback: 0.3,
            ..FmSpec::default()
        };
        let index = |name: &str| {
            FmSpec::PARAMS
                .iter()
                .position(|p| p.0 == name)
                .unwrap_or(usize::MAX)
        };
        let changes = [
            ("ratio", 3.5, 240),
            ("index", 8.0, 240),
            ("detune", 30.0, 240),
            ("feedback", 0.8, 240),
            ("sustain", 0.2, 240),
            ("index_env", 0.9, 240),
            ("decay", 0.05, 0),
            ("detune", -700.0, 0),
            ("ratio", 1.0, 0),
        ];
        let run = |block: usize| {
            let mut fm = FmVoices::new(&spec, RATE);
            fm.note_on(1, Some(50.0), 0.9);
            let mut out = render(&mut fm, 448 * 5, block);
            for (name, value, ramp) in changes {
                fm.set_param(index(name), value, ramp);
                out.extend(render(&mut fm, 448 * 3, block));
            }
            fm.note_off(1);
            out.extend(render(&mut fm, 448 * 80, block));
            out
        };
        let a = run(64);
        assert_eq!(a, run(7));
        assert_eq!(fm_active_after(&a), 0);
    }

    /// Frames of sound at the end of `x` (0 when the note ended).
    fn fm_active_after(x: &[f32]) -> usize {
        x.iter().rev().take_while(|v| **v != 0.0).count()
    }
}
