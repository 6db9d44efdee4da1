//! The sound must be exact: timing, pitch, alias, phase, noise floor.
//! Each test renders audio through the real engine and measures it.

mod common;
use common::*;

/// MUS-02: every onset lands on round(beats * 60 / tempo * rate), here after
/// 100 bars at 133 BPM, measured as the first non-zero sample of each kick.
#[test]
fn onsets_are_frame_exact_after_100_bars() {
    let s = song(
        "tempo: 133\ninstruments:\n  kick: { type: kick, decay: 0.08, click: 0 }\n\
         patterns:\n  four: { kick: \"x x x x\" }\narrangement:\n  - { pattern: four, repeat: 100 }\n",
    );
    let (l, _) = render(&s);
    let found = onsets(&l);
    let expected: Vec<u64> = (0..400)
        .map(|beat| (f64::from(beat) * 60.0 / 133.0 * 48_000.0).round() as u64)
        .collect();
    assert_eq!(found.len(), 400, "onsets found: {}", found.len());
    let worst = found
        .iter()
        .zip(&expected)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap_or(u64::MAX);
    eprintln!("worst onset error over 100 bars at 133 BPM: {worst} frames");
    assert_eq!(found, expected);
}

/// Swing delays every second sixteenth by that fraction of a sixteenth.
#[test]
fn swing_moves_only_odd_sixteenths() {
    let s = song(
        "tempo: 120\nswing: 0.25\ninstruments:\n  hat: { type: kick, decay: 0.02, click: 0 }\n\
         patterns:\n  a: { hat: \"xxxxxxxxxxxxxxxx\" }\n",
    );
    let (l, _) = render(&s);
    let sixteenth = 0.25 * 60.0 / 120.0 * 48_000.0; // 6000 frames
    let expected: Vec<u64> = (0..16)
        .map(|i| {
            let shift = if i % 2 == 1 { 0.25 } else { 0.0 };
            ((f64::from(i) + shift) * sixteenth).round() as u64
        })
        .collect();
    assert_eq!(onsets(&l), expected);
}

/// Euclidean rhythms, subdivision and elongation place onsets exactly.
#[test]
fn pattern_structure_places_onsets() {
    let s = song(
        "tempo: 120\ninstruments:\n  k: { type: kick, decay: 0.03, click: 0 }\n\
         patterns:\n  a: { k: \"x(3,8)\" }\n  b: { k: \"x@3 [x x]\" }\n",
    );
    let (l, _) = render(&s);
    let bar = 96_000.0; // 4 beats at 120 BPM
    let at = |c: f64| (c * bar).round() as u64;
    let expected = vec![
        at(0.0),
        at(3.0 / 8.0),
        at(6.0 / 8.0),
        at(1.0),
        at(1.0 + 3.0 / 4.0),
        at(1.0 + 7.0 / 8.0),
    ];
    assert_eq!(onsets(&l), expected);
}

fn sine_song(note: &str, osc: &str) -> String {
    format!(
        "tempo: 60\ninstruments:\n  s: {{ type: synth, osc: {osc}, filter: none, gain: -6, attack: 0, decay: 0, sustain: 1, release: 0.01, polyphony: 1 }}\n\
         patterns:\n  a: {{ s: \"{note}\" }}\n"
    )
}

/// MUS-01: a sine note measured over one second is within 0.1 cent.
#[test]
fn sine_pitch_within_a_tenth_of_a_cent() {
    let mut worst: f64 = 0.0;
    for (name, midi) in [
        ("A4", 69.0),
        ("C2", 36.0),
        ("E1", 28.0),
        ("C7", 96.0),
        ("F#5", 78.0),
    ] {
        let s = song(&sine_song(name, "sine"));
        let (l, _) = render(&s);
        let f = zero_crossing_freq(&l[1000..49_000], 48_000.0);
        let err = cents(f, midi_hz(midi));
        worst = worst.max(err.abs());
        assert!(err.abs() < 0.1, "{name}: {f} Hz, {err} cents");
    }
    eprintln!("worst sine pitch error: {worst:.5} cents");
}

/// A saw at 1760 Hz, 48 kHz: no alias component above -80 dB.
#[test]
fn saw_1760_has_no_alias_above_minus_80_db() {
    let s = song(&sine_song("A6", "saw"));
    let (l, _) = render(&s);
    let seg = &l[12_000..60_000]; // 48000 frames: 1 Hz bins, harmonics on bins
    let spec = spectrum(seg);
    let fund = spec[1760];
    let mut worst = f64::NEG_INFINITY;
    let mut worst_bin = 0;
    for (bin, &m) in spec.iter().enumerate() {
        let near_harmonic = (1..=13).any(|k| bin.abs_diff(k * 1760) <= 4) || bin <= 4;
        if !near_harmonic {
            let level = db(m, fund);
            if level > worst {
                worst = level;
                worst_bin = bin;
            }
        }
    }
    eprintln!("strongest alias of a 1760 Hz saw: {worst:.1} dB at {worst_bin} Hz");
    assert!(worst < -80.0, "alias {worst:.1} dB at {worst_bin} Hz");
    // And the harmonics are there: the 5th at -14 dB (1/5).
    let fifth = db(spec[5 * 1760], fund);
    assert!((fifth + 14.0).abs() < 0.5, "5th harmonic {fifth} dB");
}

/// MUS-03: the noise floor of a sine is below -120 dB (residual after
/// removing the best-fitting sinusoid at the note's exact frequency).
#[test]
fn sine_noise_floor_below_minus_120_db() {
    let s = song(&sine_song("A4", "sine"));
    let (l, _) = render(&s);
    let seg = &l[4_800..52_800];
    // Exact oscillator frequency: the fixed-point increment.
    let inc = (440.0 / 48_000.0 * 4_294_967_296.0f64).round();
    let w = 2.0 * std::f64::consts::PI * inc / 4_294_967_296.0;
    let (mut ss, mut sc, mut cc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &x) in seg.iter().enumerate() {
        let t = (i + 4_800) as f64 * w;
        let (s, c) = t.sin_cos();
        let x = f64::from(x);
        ss += s * s;
        sc += s * c;
        cc += c * c;
        xs += x * s;
        xc += x * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    let (mut sig, mut res) = (0.0, 0.0);
    for (i, &x) in seg.iter().enumerate() {
        let t = (i + 4_800) as f64 * w;
        let fit = a * t.sin() + b * t.cos();
        sig += fit * fit;
        res += (f64::from(x) - fit).powi(2);
    }
    let floor = 10.0 * (res / sig).log10();
    eprintln!("sine noise floor: {floor:.1} dB");
    assert!(floor < -120.0, "noise floor {floor:.1} dB");
}

/// MUS-04: two voices of the same note started on the same frame are
/// phase-identical: their sum is exactly twice one voice, through the ladder.
#[test]
fn same_note_same_frame_is_phase_identical() {
    let inst = "{ type: synth, osc: saw, cutoff: 1200, resonance: 0.5, gain: -12, release: 0.01 }";
    let one = song(&format!(
        "tempo: 120\ninstruments:\n  s: {inst}\npatterns:\n  a: {{ s: \"A3 ~ C4 ~\" }}\n"
    ));
    let two = song(&format!(
        "tempo: 120\ninstruments:\n  s: {inst}\npatterns:\n  a: {{ s: \"[A3,A3] ~ [C4,C4] ~\" }}\n"
    ));
    let (l1, _) = render(&one);
    let (l2, _) = render(&two);
    // The louder render may run a few blocks longer before its tail is quiet.
    let n = l1.len().min(l2.len());
    assert!(n > 48_000);
    let (l1, l2) = (&l1[..n], &l2[..n]);
    let peak = l1.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!(peak > 0.02, "too quiet to compare: {peak}");
    for (i, (a, b)) in l1.iter().zip(l2).enumerate() {
        assert_eq!(2.0 * a, *b, "frame {i}");
    }
}

/// Silence is digital zero: before the first note and after the tail.
#[test]
fn silence_is_digital_zero() {
    let s = song(
        "tempo: 120\ninstruments:\n  s: { type: synth, osc: saw, release: 0.05 }\n\
         patterns:\n  a: { s: \"~ C3 ~ ~\" }\n",
    );
    let (l, r) = render(&s);
    assert!(l[..24_000].iter().chain(&r[..24_000]).all(|&x| x == 0.0));
    assert!(l[24_000..30_000].iter().any(|&x| x != 0.0));
    let tail = &l[l.len() - 12_000..];
    assert!(tail.iter().all(|&x| x == 0.0));
}

/// Rendering in blocks of 64, 100, 240 or 7 gives the same samples: events
/// are applied at their frame, and control-rate updates (the filter
/// envelope here) happen on the same absolute frames at any block size.
#[test]
fn block_size_does_not_change_the_sound() {
    let s = song(
        "tempo: 127\ninstruments:\n  k: { type: kick }\n  b: { type: synth, osc: saw, cutoff: 300, resonance: 0.6, filter_env: 3, decay: 0.1, polyphony: 2 }\n\
         patterns:\n  a: { k: \"x . x x(3,8)\", b: \"C2 [Eb2 G2] [C3,Eb3,G3] Bb1*3\" }\n",
    );
    let (a, _) = render_blocks(&s, 48_000, None, 64);
    for block in [100, 240, 7] {
        let (b, _) = render_blocks(&s, 48_000, None, block);
        let n = a.len().min(b.len());
        assert!(n > 100_000);
        assert_eq!(
            first_difference(&a[..n], &b[..n]),
            None,
            "blocks of {block}"
        );
    }
}
