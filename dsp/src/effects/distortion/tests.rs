//! The distortion's tests: harmonics, level, latency, aliases, DC.

use super::super::testutil::*;
use super::*;
use crate::alias::worst_alias;

fn wet(drive: f64) -> DistortionSpec {
    DistortionSpec {
        drive,
        mix: 1.0,
        level: 0.0,
    }
}

#[test]
fn hard_drive_makes_odd_harmonics_and_stays_within_full_scale() {
    let x = sine(1000.0, 1.0, 48_000);
    let (l, r) = run(&mut Distortion::new(&wet(24.0), RATE), &x, &x, 64);
    let h = |k: f64| tone_amplitude(&l[4800..], 1000.0 * k);
    let (h1, h2, h3, h4, h5) = (h(1.0), h(2.0), h(3.0), h(4.0), h(5.0));
    println!(
        "distortion 24 dB: H3 {:.1} dB, H5 {:.1} dB, H2 {:.1} dB, H4 {:.1} dB re H1; peak {}",
        db(h3 / h1),
        db(h5 / h1),
        db(h2 / h1),
        db(h4 / h1),
        peak(&l)
    );
    assert!(db(h3 / h1) > -15.0 && db(h5 / h1) > -20.0);
    assert!(db(h2 / h1) < -80.0 && db(h4 / h1) < -80.0);
    // A band-limited clipped wave rings at its edges (Gibbs): 3% over here.
    assert!(peak(&l) <= 1.04 && peak(&r) <= 1.04, "{}", peak(&l));
}

#[test]
fn peaks_stay_within_30_percent_over_level() {
    // The overshoot of the band-limited edges (Gibbs: 9% of each edge) and
    // the coupling's tilt (a 5 Hz corner tilts a 50 Hz square by 27%): the
    // most over full scale a full-scale sine is taken, anywhere from 50 Hz
    // to C7 and 0 to 48 dB of drive, onsets included.
    let mut worst = (0.0f32, 0.0, 0.0);
    for f in [50.0, 100.0, 440.0, 1_000.0, 2_093.0] {
        for drive in [0.0, 12.0, 24.0, 36.0, 48.0] {
            let x = sine(f, 1.0, 24_000);
            let (l, _) = run(&mut Distortion::new(&wet(drive), RATE), &x, &x, 64);
            let p = peak(&l);
            if p > worst.0 {
                worst = (p, f, drive);
            }
        }
    }
    eprintln!(
        "distortion: highest peak {:.3} ({} Hz, drive {} dB)",
        worst.0, worst.1, worst.2
    );
    assert!(worst.0 > 1.0 && worst.0 < 1.3, "{worst:?}");
}

#[test]
fn level_scales_and_silence_stays_silent() {
    let spec = DistortionSpec {
        level: -6.0,
        ..wet(48.0)
    };
    let mut fx = Distortion::new(&spec, RATE);
    let (l, _) = run(&mut fx, &[0.0; 1000], &[0.0; 1000], 64);
    assert!(l.iter().all(|&x| x == 0.0));
    let x = sine(100.0, 1.0, 9600);
    let (l, _) = run(&mut fx, &x, &x, 64);
    let (full, _) = run(&mut Distortion::new(&wet(48.0), RATE), &x, &x, 64);
    for (a, b) in l.iter().zip(&full) {
        assert!((a - 0.501_187 * b).abs() < 1e-6, "{a} vs {b}");
    }
    assert!(peak(&full[4800..]) > 0.99);
}

#[test]
fn mix_zero_is_the_input_delayed_exactly() {
    let spec = DistortionSpec {
        mix: 0.0,
        ..Default::default()
    };
    let mut fx = Distortion::new(&spec, RATE);
    let (l, r) = test_signal(20_000);
    let (lo, ro) = run(&mut fx, &l, &r, 64);
    assert!(lo[..LATENCY]
        .iter()
        .chain(&ro[..LATENCY])
        .all(|v| *v == 0.0));
    for (out, input) in [(&lo, &l), (&ro, &r)] {
        for (o, x) in out[LATENCY..].iter().zip(input.iter()) {
            assert_eq!(o.to_bits(), x.to_bits());
        }
    }
}

#[test]
fn dry_and_wet_are_aligned_so_they_mix_without_a_comb() {
    // Drive 0 dB on a quiet signal is nearly linear (tanh x = x - x³/3), so
    // half dry, half wet is the delayed input: were the two paths a sample
    // apart, tones near 12 kHz would cancel.
    let spec = DistortionSpec {
        drive: 0.0,
        mix: 0.5,
        level: 0.0,
    };
    for f in [100.0, 1_000.0, 6_000.0, 12_000.0, 18_000.0] {
        let x = sine(f, 0.01, 24_000);
        let (l, _) = run(&mut Distortion::new(&spec, RATE), &x, &x, 64);
        let gain = tone_amplitude(&l[12_000..], f) / 0.01;
        // A frame apart, 12 kHz would lose 3 dB and 18 kHz 8 dB; the
        // shaper's averaging (a one-sample mean at 8x) and its lag take
        // 0.03 and 0.07 dB there.
        assert!((db(gain)).abs() < 0.1, "{f} Hz: {:.3} dB", db(gain));
        // What is left is the wet half's phase: the coupling's lead (2.9
        // degrees at 100 Hz), the shaper's lag of a sixteenth of a frame (7
        // degrees at 18 kHz), and the cubic term.
        let err = (12_000..24_000)
            .map(|i| (l[i] - x[i - LATENCY]).abs())
            .fold(0.0f32, f32::max);
        let lag = 2.0 * std::f64::consts::PI * f / f64::from(RATE) / 16.0;
        let allowed = 0.01 * 0.5 * (5.0 / f + lag) * 1.1 + 1e-6;
        assert!(err < allowed as f32, "{f} Hz: {err}");
    }
}

#[test]
fn block_size_independent() {
    let spec = DistortionSpec {
        mix: 0.7,
        ..Default::default()
    };
    assert_block_independent("distortion", || Box::new(Distortion::new(&spec, RATE)), 0.0);
}

/// One second of a full-scale sine at `f` Hz through `drive` dB, after the
/// onset: the strongest component that is not a harmonic, re the fundamental.
fn alias_of(f: f64, drive: f64) -> (f64, f64) {
    let x = sine(f, 1.0, 60_000);
    let (l, _) = run(&mut Distortion::new(&wet(drive), RATE), &x, &x, 64);
    let harmonics: Vec<f64> = (1..)
        .map(|k| f * f64::from(k))
        .take_while(|h| *h < 24_000.0)
        .collect();
    worst_alias(&l[12_000..], f64::from(RATE), &harmonics)
}

#[test]
fn no_note_up_to_c7_at_any_drive_aliases() {
    let mut worst = (f64::NEG_INFINITY, String::new());
    let mut checked = 0;
    for note in [
        21.0, 33.0, 45.0, 57.0, 69.0, 76.0, 81.0, 84.0, 88.0, 93.0, 96.0,
    ] {
        let f = crate::math::midi_to_hz(note);
        for drive in [0.0, 6.0, 12.0, 18.0, 24.0, 30.0, 36.0, 42.0, 48.0] {
            let (level, hz) = alias_of(f, drive);
            checked += 1;
            let at = format!("note {note} drive {drive} dB: {level:.1} dB at {hz:.0} Hz");
            if level > worst.0 {
                worst = (level, at.clone());
            }
            assert!(level < -70.0, "{at}");
        }
    }
    eprintln!("distortion: {checked} settings, worst alias {}", worst.1);
}

#[test]
fn a_driven_saw_chord_leaves_no_dc() {
    // tanh of an asymmetric wave has a mean; the coupling removes it. The
    // chord's notes are whole multiples of 2.5 Hz (C2, a just G2, C3 and
    // Eb3 near enough), so everything distortion makes of it repeats every
    // 0.4 s and its plain mean over whole periods is its DC, exactly: an
    // equal-tempered chord's intermodulation beats at 0.2 Hz, which no
    // one-second window can tell from DC.
    let n = 6 * RATE as usize;
    let x: Vec<f32> = (0..n)
        .map(|i| {
            [65.0, 97.5, 130.0, 155.0]
                .iter()
                .map(|f| (0.2 * (2.0 * (i as f64 * f / f64::from(RATE)).fract() - 1.0)) as f32)
                .sum()
        })
        .collect();
    let mut worst = 0.0f64;
    for drive in [0.0, 12.0, 24.0, 36.0, 48.0] {
        let (l, _) = run(&mut Distortion::new(&wet(drive), RATE), &x, &x, 64);
        let tail = &l[n - 96_000..];
        let d = tail.iter().map(|v| f64::from(*v)).sum::<f64>() / tail.len() as f64;
        assert!(peak(tail) > 0.3, "drive {drive}: silent");
        worst = worst.max(d.abs());
        assert!(d.abs() < 1e-4, "drive {drive}: DC {d:.2e}");
    }
    eprintln!("distortion: worst DC of a driven saw chord {worst:.2e}");
}

/// A tone with silent gaps: 0.3 s on, 0.3 s off, 0.3 s on, 0.3 s off.
fn gapped() -> Vec<f32> {
    let mut x = sine(220.0, 0.8, 57_600);
    x[14_400..28_800].fill(0.0);
    x[43_200..].fill(0.0);
    x
}

#[test]
fn resting_through_silence_changes_nothing() {
    // Through silence the oversampler rests once its lines hold only zeros;
    // where that starts depends on the blocks, so blocks of 64 and of 17
    // give the same output only if resting is exact.
    let x = gapped();
    let (a, _) = run(&mut Distortion::new(&wet(30.0), RATE), &x, &x, 64);
    let (b, _) = run(&mut Distortion::new(&wet(30.0), RATE), &x, &x, 17);
    assert_eq!(a, b);
    // And the tail dies away through the coupling, untouched.
    assert!(peak(&a[14_400 + 200..28_800]) < 0.05);
    assert!(peak(&a[28_800 + 200..43_200]) > 0.9);
}

#[test]
fn a_mono_input_is_shaped_once_and_parts_cleanly() {
    // Left and right alike, then the right changes: the left is what it
    // would be alone, and the right, until it changes, is the left.
    let x = gapped();
    let mut y = x.clone();
    for v in &mut y[20_000..] {
        *v *= 0.5;
    }
    let (l, r) = run(&mut Distortion::new(&wet(24.0), RATE), &x, &y, 64);
    let (alone, _) = run(
        &mut Distortion::new(&wet(24.0), RATE),
        &x,
        &[0.0; 57_600],
        64,
    );
    assert_eq!(l, alone);
    assert_eq!(l[..20_000], r[..20_000]);
    let (right_alone, _) = run(&mut Distortion::new(&wet(24.0), RATE), &y, &x, 64);
    assert_eq!(r, right_alone);
}
