//! The FM voice's unit tests: pitch, sidebands, envelopes, stealing, live changes.

use super::super::pool::testing::*;
use super::*;
use crate::Instrument;

/// Constant index, full sustain, no attack.
pub(super) fn steady(index: f64, ratio: f64) -> FmSpec {
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
    // The largest index and feedback, where the index limit leaves them
    // whole (C4, ratio 1) and where it cuts the index (C2, ratio 32).
    for (note, ratio) in [(60.0, 1.0), (36.0, 32.0)] {
        let spec = FmSpec {
            feedback: 1.0,
            index: 50.0,
            ratio,
            ..FmSpec::default()
        };
        let mut fm = FmVoices::new(&spec, RATE);
        fm.note_on(1, Some(note), 1.0);
        let out = render(&mut fm, 48_000, 64);
        assert!(out.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
        assert!(peak(&out) > 0.5, "{note}: {}", peak(&out));
    }
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
    // And each note took the voice over: each part plays its own pitch.
    for (i, note) in [60.0, 64.0, 67.0, 72.0].into_iter().enumerate() {
        let f = zero_cross_freq(&out[i * 12_032 + 4_800..(i + 1) * 12_032], 48_000.0);
        let want = midi_to_hz(note);
        assert!(
            (1200.0 * (f / want).log2()).abs() < 1.0,
            "part {i}: {f} Hz, not {want}"
        );
    }
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
