//! The synth's live parameters: ramps on the control grid, retuning, and
//! `set_param` by name (see the parent module's docs).

use super::SynthBank;
use crate::math::midi_to_hz;
use crate::osc::phase_increment;
use crate::MAX_BLOCK;

impl SynthBank {
    /// Advance the grid-rate ramps by one grid step (at a multiple of
    /// [`MAX_BLOCK`] frames); retune sounding voices if the detune moved.
    pub(super) fn advance_params(&mut self) {
        const STEP: u32 = MAX_BLOCK as u32;
        if self.octaves.is_smoothing() {
            let octaves = self.octaves.advance(STEP);
            if self.octaves.is_smoothing() {
                self.cutoff = octaves.exp2();
            } else {
                self.cutoff = self.spec.cutoff as f32;
            }
        }
        self.resonance.advance(STEP);
        self.filter_env.advance(STEP);
        if self.detune.is_smoothing() || self.bend.is_smoothing() {
            self.detune.advance(STEP);
            self.bend.advance(STEP);
            self.retune_voices();
        }
    }

    /// Frequency in Hz of MIDI pitch `note` with the detune now.
    pub(super) fn freq(&self, note: f64) -> f64 {
        midi_to_hz(note + f64::from(self.detune.value()) / 100.0 + f64::from(self.bend.value()))
    }

    /// Set every sounding voice's pitch from its note and the detune now.
    pub(super) fn retune_voices(&mut self) {
        let rate = f64::from(self.rate);
        for v in 0..self.active {
            let freq = self.freq(self.voices[v].note);
            let band = self.tables.band_for(freq);
            let voice = &mut self.voices[v];
            voice.inc = phase_increment(freq, rate);
            voice.band = band;
        }
    }

    /// Bend every sounding and later note by `semitones`, over `ramp`
    /// frames on the control grid (at once when `ramp` is 0).
    pub(super) fn bend_to(&mut self, semitones: f32, ramp: u32) {
        if !semitones.is_finite() {
            return;
        }
        self.bend.set(semitones.clamp(-48.0, 48.0), ramp);
        if ramp == 0 {
            self.retune_voices();
        }
    }

    /// Set parameter `name` (clamped) on the bank; see the module docs.
    pub(super) fn set_named(&mut self, name: &str, value: f32, ramp: u32) {
        let v = f64::from(value);
        let rate = f64::from(self.rate);
        match name {
            "cutoff" => {
                self.spec.cutoff = v;
                self.octaves.set(value.log2(), ramp);
                if !self.octaves.is_smoothing() {
                    self.cutoff = value;
                }
            }
            "resonance" => self.resonance.set(value, ramp),
            "filter_env" => self.filter_env.set(value, ramp),
            "attack" | "decay" | "release" => {
                match name {
                    "attack" => self.spec.attack = v,
                    "decay" => self.spec.decay = v,
                    _ => self.spec.release = v,
                }
                let s = &self.spec;
                let (a, d, r) = (s.attack, s.decay, s.release);
                for voice in &mut self.voices {
                    voice.env.set_times(a, d, r, rate);
                }
            }
            "sustain" => {
                self.spec.sustain = v;
                for voice in &mut self.voices {
                    voice.env.set_sustain(v, ramp);
                }
            }
            "note" => self.spec.note = v,
            "detune" => {
                self.spec.detune = v;
                self.detune.set(value, ramp);
                if ramp == 0 {
                    self.retune_voices();
                }
            }
            _ => return,
        }
        if ramp == 0 {
            self.update_filters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::live::testing::{band_db, max_abs, play, Event, RATE};
    use crate::Instrument;
    use chronus_sequencer::song::SynthSpec;

    /// Index of `name` in the synth's parameter table.
    fn index(name: &str) -> usize {
        SynthSpec::PARAMS
            .iter()
            .position(|p| p.0 == name)
            .unwrap_or(usize::MAX)
    }

    fn bank(cutoff: f64) -> SynthBank {
        let spec = SynthSpec {
            cutoff,
            ..SynthSpec::default()
        };
        SynthBank::new(&spec, RATE)
    }

    fn rms(x: &[f32]) -> f64 {
        (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
    }

    /// Largest sample-to-sample step.
    fn max_step(x: &[f32]) -> f32 {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn cutoff_set_mid_note_lands_on_a_fresh_banks_sound() {
        // A saw C3 at cutoff 500 Hz, set to 2000 Hz 0.2 s in; a bank built
        // at 2000 plays the same note. Same oscillator phase, so once the
        // filter's memory of the old cutoff has died away (its impulse
        // response at 2 kHz lasts well under 5 ms, the output's AC coupling
        // forgets with a 32 ms time constant: 200 ms is six of them) the
        // waveforms agree.
        let n = 48_000;
        let on = (0, Event::On(Some(48.0)));
        let set = (9600, Event::Set(index("cutoff"), 2000.0, 240));
        let a = play(&mut bank(500.0), n, &[on, set]);
        let b = play(&mut bank(2000.0), n, &[on]);
        let c = play(&mut bank(500.0), n, &[on]);
        let w = 9600 + 9600..n;
        // Brightness: RMS of the first difference (weights harmonic k by k).
        let bright = |x: &[f32]| {
            let d: Vec<f32> = x[w.clone()].windows(2).map(|p| p[1] - p[0]).collect();
            rms(&d)
        };
        let (ra, rb, rc) = (rms(&a[w.clone()]), rms(&b[w.clone()]), rms(&c[w.clone()]));
        let (ba, bb, bc) = (bright(&a), bright(&b), bright(&c));
        let diff = max_abs(&a[w.clone()], &b[w.clone()]);
        println!(
            "synth cutoff 500 -> 2000: rms {ra:.5} vs fresh 2000 {rb:.5} (500: {rc:.5}); \
             brightness {ba:.5} vs {bb:.5} (500: {bc:.5}); max |a-b| {diff:.2e}"
        );
        assert!((ra / rb - 1.0).abs() < 1e-3, "{ra} {rb}");
        assert!((ba / bb - 1.0).abs() < 1e-3, "{ba} {bb}");
        assert!(diff < 1e-4, "{diff}");
        assert!(bc < 0.5 * bb, "the test must hear the cutoff: {bc} {bb}");
    }

    /// A saw C3 for 1 s, the cutoff swept from `from` by `ratio` (evenly in
    /// octaves) by 100 `set_param` calls a second with ramp `ramp`, or held
    /// at `from` if `ratio` is 1.
    fn sweep(from: f32, ratio: f32, ramp: u32) -> Vec<f32> {
        let mut events = vec![(0, Event::On(Some(48.0)))];
        if ratio != 1.0 {
            for k in 1..=100 {
                let hz = from * ratio.powf(k as f32 / 100.0);
                events.push((480 * k - 473, Event::Set(index("cutoff"), hz, ramp)));
            }
        }
        play(&mut bank(f64::from(from)), 48_000, &events)
    }

    #[test]
    fn a_cutoff_sweep_makes_no_zipper_steps() {
        // Bound: a low-pass's output moves fastest at its highest cutoff, so
        // no sample step of the sweep (cutoff <= 4000 Hz throughout) may
        // exceed the static 4000 Hz note's largest step by more than the
        // 20 % allowed for the few frames a moving filter overshoots; a
        // zipper (coefficients jumping) would add steps on top.
        let skip = 480; // the attack
        let swept = max_step(&sweep(200.0, 20.0, 240)[skip..]);
        let jumped = max_step(&sweep(200.0, 20.0, 0)[skip..]);
        let fixed = max_step(&sweep(4000.0, 1.0, 240)[skip..]);
        println!(
            "synth cutoff sweep 200 -> 4000 Hz: largest step {swept:.4} (ramp 240), \
             {jumped:.4} (ramp 0), static 4000 Hz {fixed:.4}"
        );
        assert!(swept <= 1.2 * fixed, "{swept} vs {fixed}");

        // The trapezoidal ladder keeps its state through coefficient jumps,
        // so even unsmoothed steps hardly show as sample steps. Zipper noise
        // shows as energy where the note has none: swept 200 -> 400 Hz, a
        // 24 dB/octave low-pass leaves next to nothing of the saw above
        // 8 kHz (the static 400 Hz note has -135 dB there), so what is there
        // is the stepping; it must stay 100 dB below the note, and below
        // what unsmoothed steps leave.
        let zipper = |ramp| band_db(&sweep(200.0, 2.0, ramp)[skip..], 8000.0, 24_000.0);
        let (smooth, stepped) = (zipper(240), zipper(0));
        let fixed = band_db(&sweep(400.0, 1.0, 240)[skip..], 8000.0, 24_000.0);
        println!(
            "synth cutoff sweep 200 -> 400 Hz: energy above 8 kHz {smooth:.1} dB (ramp 240), \
             {stepped:.1} dB (ramp 0), static 400 Hz {fixed:.1} dB"
        );
        assert!(
            smooth < -100.0 && smooth < stepped - 3.0,
            "{smooth} {stepped}"
        );
    }

    #[test]
    fn output_does_not_depend_on_block_splitting_around_a_change() {
        let run = |sizes: &[usize]| {
            let spec = SynthSpec {
                filter_env: 2.0,
                ..SynthSpec::default()
            };
            let mut b = SynthBank::new(&spec, RATE);
            b.note_on(1, Some(50.0), 0.8);
            let mut out = vec![0.0f32; 24_000];
            let (mut f, mut k) = (0, 0);
            while f < out.len() {
                if f == 1000 {
                    b.set_param(index("cutoff"), 300.0, 240);
                    b.set_param(index("detune"), 50.0, 240);
                    b.set_param(index("sustain"), 0.3, 240);
                    b.set_param(index("resonance"), 0.8, 240);
                }
                if f == 12_000 {
                    b.note_off(1);
                }
                // Never cross a multiple of 64 (as the engine), nor frame 1000.
                let mut end = (f / 64 + 1) * 64;
                end = end.min(f + sizes[k % sizes.len()]);
                if f < 1000 {
                    end = end.min(1000);
                }
                let end = end.min(out.len());
                b.render(&mut out[f..end]);
                f = end;
                k += 1;
            }
            out
        };
        assert_eq!(run(&[64]), run(&[7, 13, 44, 1]));
    }

    #[test]
    fn sustain_glides_on_a_held_note() {
        let spec = SynthSpec {
            filter: chronus_sequencer::song::FilterMode::None,
            osc: chronus_sequencer::song::Waveform::Sine,
            decay: 0.01,
            ..SynthSpec::default()
        };
        let mut b = SynthBank::new(&spec, RATE);
        let on = (0, Event::On(Some(69.0)));
        let set = (24_000, Event::Set(index("sustain"), 0.2, 240));
        let out = play(&mut b, 48_000, &[on, set]);
        let peak = |r: std::ops::Range<usize>| out[r].iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let (before, after) = (peak(20_000..24_000), peak(40_000..48_000));
        println!("synth sustain 0.7 -> 0.2: peak {before:.4} -> {after:.4}");
        assert!(
            (after / before - 0.2 / 0.7).abs() < 1e-3,
            "{before} {after}"
        );
        // A 440 Hz sine at peak 0.28 moves at most 0.016 per sample; the
        // glide (0.5 over 240 frames of the envelope) adds at most 0.001.
        let step = max_step(&out[20_000..]);
        assert!(step < 0.0175, "{step}");
    }
}

#[cfg(test)]
mod bend_tests {
    use crate::live::testing::RATE;
    use crate::voices::pool::testing::{render, rising_crossings};
    use crate::Instrument;
    use chronus_sequencer::song::{FilterMode, SynthSpec, Waveform};

    fn freq(x: &[f32]) -> f64 {
        let t = rising_crossings(x);
        (t.len() - 1) as f64 / (t[t.len() - 1] - t[0]) * f64::from(RATE)
    }

    #[test]
    fn bend_retunes_sounding_and_new_notes() {
        let spec = SynthSpec {
            osc: Waveform::Sine,
            filter: FilterMode::None,
            sustain: 1.0,
            ..SynthSpec::default()
        };
        let mut bank = super::SynthBank::new(&spec, RATE);
        bank.note_on(1, Some(69.0), 1.0);
        let a = render(&mut bank, 9_600, 64);
        bank.set_bend(-12.0, 64);
        let b = render(&mut bank, 9_600, 64);
        let (fa, fb) = (freq(&a[2_400..]), freq(&b[2_400..]));
        assert!((fa - 440.0).abs() < 0.01, "{fa}");
        assert!((fb - 220.0).abs() < 0.01, "{fb}");
        // A note started while bent starts bent: A3 an octave down.
        bank.note_off(1);
        render(&mut bank, 48_000, 64);
        bank.note_on(2, Some(57.0), 1.0);
        let c = render(&mut bank, 9_600, 64);
        let fc = freq(&c[2_400..]);
        assert!((fc - 110.0).abs() < 0.01, "a new note: {fc}");
    }
}
