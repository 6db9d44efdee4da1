//! Loudness and true peak against EBU Tech 3341 (v4, 2016 "EBU Mode" loudness
//! meter test signals), generated here rather than read from the test set.
//!
//! Implemented cases and their expected values (from Tech 3341, Table 1):
//! - Case 1: stereo 1 kHz sine at -23.0 dBFS, 20 s: M, S, I = -23.0 ±0.1 LU.
//! - Case 2: the same at -33.0 dBFS: M, S, I = -33.0 ±0.1 LU.
//! - Case 3: -36.0 / -23.0 / -36.0 dBFS for 10 / 60 / 10 s: I = -23.0 ±0.1.
//! - Case 4: -72 / -36 / -23 / -36 / -72 dBFS for 10 / 10 / 60 / 10 / 10 s: I = -23.0 ±0.1.
//! - Case 5: -26 / -20 / -26 dBFS for 20 / 20.1 / 20 s: I = -23.0 ±0.1.
//! - Case 9: 5 x [1.34 s at -20 dBFS, 1.66 s at -30 dBFS]: S = -23.0 ±0.1, constant after 3 s.
//! - Case 12: 25 x [0.18 s at -20 dBFS, 0.22 s at -30 dBFS]: M = -23.0 ±0.1, constant after 1 s.
//! - Cases 15-19 (true peak, 48 kHz): sine at fs/4, 0.50 FS, 0°; fs/4, 0.50 FS, 45°;
//!   fs/6, 0.50 FS, 60°; fs/8, 0.50 FS, 67.5° → -6.0 dBTP; fs/4, 1.41 FS, 45° → +3.0 dBTP,
//!   all +0.2/-0.4 dB. (Case 19 is the "0 dBFS sine at fs/4 with 45° phase": its samples
//!   peak at 0 dBFS and its true peak is +3.0 dBTP.)

mod common;

use chronus_analysis::{loudness, Audio, Loudness};
use common::tone_segments;
use std::f64::consts::PI;

fn measure(rate: u32, x: &[f32]) -> Loudness {
    loudness(&Audio {
        rate,
        start: 0,
        left: x,
        right: x,
    })
}

fn lu(v: Option<f64>) -> f64 {
    v.expect("a loudness value")
}

fn check(name: &str, got: f64, want: f64, tol: f64) {
    println!(
        "{name}: {got:.3} (expected {want:.1}, error {:+.3})",
        got - want
    );
    assert!((got - want).abs() <= tol, "{name}: {got} vs {want}");
}

#[test]
fn case_1_and_2_steady_sines() {
    for rate in [48_000u32, 44_100] {
        for level in [-23.0, -33.0] {
            let x = tone_segments(rate, &[(level, 20.0)]);
            let l = measure(rate, &x);
            let case = if level == -23.0 { 1 } else { 2 };
            check(
                &format!("3341-{case} I @{rate}"),
                lu(l.integrated_lufs),
                level,
                0.1,
            );
            check(
                &format!("3341-{case} S @{rate}"),
                lu(l.short_term_lufs),
                level,
                0.1,
            );
            check(
                &format!("3341-{case} S max @{rate}"),
                lu(l.short_term_max_lufs),
                level,
                0.1,
            );
            check(
                &format!("3341-{case} M max @{rate}"),
                lu(l.momentary_max_lufs),
                level,
                0.1,
            );
            // a steady sine: RMS is 3.01 dB below its peak
            let peak = lu(l.sample_peak_dbfs);
            assert!((peak - level).abs() < 0.01, "{peak}");
            assert!((lu(l.crest_db) - 3.0103).abs() < 0.01);
        }
    }
}

#[test]
fn cases_3_4_5_gated_sequences() {
    let rate = 48_000;
    let cases: [(&str, Vec<(f64, f64)>); 3] = [
        ("3341-3", vec![(-36.0, 10.0), (-23.0, 60.0), (-36.0, 10.0)]),
        (
            "3341-4",
            vec![
                (-72.0, 10.0),
                (-36.0, 10.0),
                (-23.0, 60.0),
                (-36.0, 10.0),
                (-72.0, 10.0),
            ],
        ),
        ("3341-5", vec![(-26.0, 20.0), (-20.0, 20.1), (-26.0, 20.0)]),
    ];
    for (name, segs) in cases {
        let x = tone_segments(rate, &segs);
        check(name, lu(measure(rate, &x).integrated_lufs), -23.0, 0.1);
    }
}

#[test]
fn case_9_short_term_and_case_12_momentary() {
    let rate = 48_000;
    let segs: Vec<(f64, f64)> = (0..5)
        .flat_map(|_| [(-20.0, 1.34), (-30.0, 1.66)])
        .collect();
    let l = measure(rate, &tone_segments(rate, &segs));
    check("3341-9 S", lu(l.short_term_lufs), -23.0, 0.1);
    check("3341-9 S max", lu(l.short_term_max_lufs), -23.0, 0.1);
    let segs: Vec<(f64, f64)> = (0..25)
        .flat_map(|_| [(-20.0, 0.18), (-30.0, 0.22)])
        .collect();
    let l = measure(rate, &tone_segments(rate, &segs));
    check("3341-12 M max", lu(l.momentary_max_lufs), -23.0, 0.1);
    // the momentary maximum is a maximum: louder than the integrated level here
    assert!(lu(l.momentary_max_lufs) > -23.2);
}

/// A stereo sine at `rate / div` with peak `amp` and start phase `deg`.
fn tp_signal(rate: u32, div: f64, amp: f64, deg: f64) -> Vec<f32> {
    let phase = deg * PI / 180.0;
    (0..rate as usize)
        .map(|i| (amp * (2.0 * PI * i as f64 / div + phase).sin()) as f32)
        .collect()
}

#[test]
fn cases_15_to_19_true_peak() {
    let rate = 48_000;
    let cases = [
        ("3341-15 fs/4 0.50 0°", 4.0, 0.5, 0.0, -6.0),
        ("3341-16 fs/4 0.50 45°", 4.0, 0.5, 45.0, -6.0),
        ("3341-17 fs/6 0.50 60°", 6.0, 0.5, 60.0, -6.0),
        ("3341-18 fs/8 0.50 67.5°", 8.0, 0.5, 67.5, -6.0),
        ("3341-19 fs/4 1.41 45°", 4.0, 1.41, 45.0, 3.0),
    ];
    for (name, div, amp, deg, want) in cases {
        let x = tp_signal(rate, div, amp, deg);
        let l = measure(rate, &x);
        let tp = lu(l.true_peak_dbtp);
        let sp = lu(l.sample_peak_dbfs);
        println!(
            "{name}: true peak {tp:+.3} dBTP (spec {want:+.1}, error {:+.3}; exact {:+.3}), sample peak {sp:+.2} dBFS",
            tp - want,
            20.0 * amp.log10()
        );
        assert!(tp - want <= 0.2 && tp - want >= -0.4, "{name}: {tp}");
        assert!((tp - want).abs() <= 0.3, "{name}: {tp}");
    }
    // and the sample peak alone would have missed case 19's overs by 3 dB
    let x = tp_signal(rate, 4.0, 1.41, 45.0);
    let l = measure(rate, &x);
    assert!(lu(l.sample_peak_dbfs).abs() < 0.05);
}

#[test]
fn true_peak_of_a_short_burst_in_quiet() {
    // an inter-sample peak inside a quiet programme is still found
    let rate = 48_000;
    let mut x = tone_segments(rate, &[(-40.0, 2.0)]);
    let burst = tp_signal(rate, 4.0, 0.7, 45.0);
    for (v, b) in x.iter_mut().skip(48_000).zip(burst.iter().take(480)) {
        *v += *b;
    }
    let l = measure(rate, &x);
    let want = 20.0 * 0.7f64.log10();
    let tp = lu(l.true_peak_dbtp);
    println!("burst true peak {tp:.3} dBTP, expected about {want:.3}");
    assert!((tp - want).abs() < 0.3, "{tp}");
    assert!(lu(l.sample_peak_dbfs) < want - 2.0);
}

#[test]
fn silence_and_bad_input_give_no_values() {
    let zeros = vec![0f32; 48_000];
    let l = measure(48_000, &zeros);
    assert_eq!(l, Loudness::default());
    assert_eq!(measure(48_000, &[]), Loudness::default());
    let x = tone_segments(48_000, &[(-20.0, 1.0)]);
    assert!(measure(0, &x).integrated_lufs.is_none());
    let mut bad = x.clone();
    bad[100] = f32::NAN;
    bad[200] = f32::INFINITY;
    let l = measure(48_000, &bad);
    let json = serde_json::to_string(&l).expect("json");
    assert!(!json.contains("NaN") && !json.contains("inf"), "{json}");
    assert!((lu(l.integrated_lufs) + 20.0).abs() < 0.2);
}
