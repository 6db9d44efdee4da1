//! FM without aliases: for notes A0..C8, ratios across the documented
//! 0.0625..32 and indices up to 50, no component of a steady note other
//! than its sidebands rises above -80 dB of its strongest sideband; and
//! where every sideband fits below Nyquist (all the settings that were
//! clean before the limit) the voice is the phase-modulation formula itself.

use super::bandlimit::index_limit;
use super::tests::steady;
use super::*;
use crate::alias::worst_alias;
use crate::voices::pool::testing::{render, RATE};
use crate::Instrument;

/// The frequencies (Hz, below Nyquist) of the sidebands `|fc + k·fm|`.
fn sidebands(fc: f64, fm: f64) -> Vec<f64> {
    let nyquist = f64::from(RATE) / 2.0;
    let k = ((nyquist + fc) / fm).ceil() as i64 + 1;
    (-k..=k)
        .map(|k| (fc + k as f64 * fm).abs())
        .filter(|f| *f < nyquist)
        .collect()
}

/// One second of a steady note, after a quarter second to settle.
fn steady_second(note: f64, index: f64, ratio: f64) -> Vec<f32> {
    let mut fm = FmVoices::new(&steady(index, ratio), RATE);
    fm.note_on(1, Some(note as f32), 1.0);
    let x = render(&mut fm, 60_000, 64);
    x[12_000..].to_vec()
}

#[test]
fn no_note_ratio_or_index_aliases() {
    let notes = [
        21.0, 33.0, 45.0, 57.0, 69.0, 76.0, 84.0, 93.0, 96.0, 100.0, 105.0, 108.0,
    ];
    let ratios = [0.0625, 0.5, 1.0, 1.414, 2.0, 3.5, 7.0, 14.0, 32.0];
    let indices = [1.0, 3.0, 10.0, 25.0, 50.0];
    let (mut worst, mut checked, mut unresolved) = ((f64::NEG_INFINITY, String::new()), 0, 0);
    for note in notes {
        let fc = midi_to_hz(note);
        for ratio in ratios {
            if fc * ratio < 20.0 {
                // Sidebands closer than 20 Hz leave no gap a 1 s window resolves.
                unresolved += indices.len();
                continue;
            }
            for index in indices {
                let x = steady_second(note, index, ratio);
                let (level, hz) = worst_alias(&x, f64::from(RATE), &sidebands(fc, fc * ratio));
                checked += 1;
                let at =
                    format!("note {note} ratio {ratio} index {index}: {level:.1} dB at {hz:.0} Hz");
                if level > worst.0 {
                    worst = (level, at.clone());
                }
                assert!(level < -80.0, "{at}");
            }
        }
    }
    eprintln!(
        "FM: {checked} settings, worst alias {} ({unresolved} with sidebands under 20 Hz apart not resolvable)",
        worst.1
    );
}

#[test]
fn where_sidebands_fit_the_voice_is_the_formula() {
    let mut checked = 0;
    for (note, index, ratio) in [
        (69.0, 10.0, 2.0),
        (69.0, 5.0, 3.5),
        (69.0, 20.0, 0.5),
        (57.0, 3.0, 2.0),
        (45.0, 30.0, 1.0),
    ] {
        let fc = midi_to_hz(note);
        let limit = index_limit(fc, fc * ratio, f64::from(RATE));
        assert!(
            f64::from(limit) >= index,
            "{note}: limit {limit} under {index}"
        );
        let mut fm = FmVoices::new(&steady(index, ratio), RATE);
        fm.note_on(1, Some(note as f32), 1.0);
        let out = render(&mut fm, 4_800, 64);
        let (wc, wm) = (
            2.0 * std::f64::consts::PI * fc / 48_000.0,
            2.0 * std::f64::consts::PI * fc * ratio / 48_000.0,
        );
        let worst = out.iter().enumerate().fold(0.0f64, |m, (n, &y)| {
            let t = n as f64;
            m.max((f64::from(y) - (wc * t + index * (wm * t).sin()).sin()).abs())
        });
        // f32 phase arithmetic at index 30 costs a few 1e-6 rad.
        assert!(
            worst < 2e-4 * index.max(1.0),
            "{note} {index} {ratio}: {worst}"
        );
        checked += 1;
    }
    assert_eq!(checked, 5);
}

#[test]
fn a_high_note_keeps_what_brightness_fits() {
    // C7 ratio 2 index 10 aliased at -16 dB before; now its index is cut
    // to what fits, which still makes a bright tone, not a sine.
    let fc = midi_to_hz(96.0);
    let limit = index_limit(fc, 2.0 * fc, f64::from(RATE));
    assert!((0.5..10.0).contains(&limit), "{limit}");
    let x = steady_second(96.0, 10.0, 2.0);
    let spec = crate::alias::spectrum(&x);
    let line = |f: f64| spec[f.round() as usize];
    let third = 20.0 * (line(3.0 * fc) / line(fc)).log10();
    assert!(third > -30.0, "the first upper sideband is {third:.1} dB");
}
