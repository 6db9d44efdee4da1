//! Bands, centroid, stereo image and DC offset on generated signals.

mod common;

use chronus_analysis::{bands, dc_offset, stereo, Audio};
use common::{pink, white, Noise};
use std::f64::consts::PI;

const RATE: u32 = 48_000;

fn sine(f: f64, amp: f64, secs: f64) -> Vec<f32> {
    (0..(secs * f64::from(RATE)) as usize)
        .map(|i| (amp * (2.0 * PI * f * i as f64 / f64::from(RATE)).sin()) as f32)
        .collect()
}

fn mono(x: &[f32]) -> Audio<'_> {
    Audio {
        rate: RATE,
        start: 0,
        left: x,
        right: x,
    }
}

#[test]
fn a_40_hz_sine_is_sub() {
    let x = sine(40.0, 0.5, 2.0);
    let b = bands(&mono(&x));
    println!(
        "40 Hz: sub {:.3}%, low {:.3}%, centroid {:?}",
        b.sub.share_pct, b.low.share_pct, b.centroid_hz
    );
    assert!(b.sub.share_pct > 99.0, "{b:?}");
    let c = b.centroid_hz.expect("centroid");
    assert!((c - 40.0).abs() < 3.0, "{c}");
    // its level is the sine's mean square: 0.5 peak → -9.03 dBFS
    let level = b.sub.level_dbfs.expect("level");
    assert!((level - (-9.03)).abs() < 0.2, "{level}");
}

#[test]
fn each_band_holds_its_own_sine() {
    for (f, band) in [
        (30.0, "sub"),
        (120.0, "low"),
        (1000.0, "low-mid"),
        (4000.0, "high-mid"),
        (10_000.0, "high"),
    ] {
        let x = sine(f, 0.5, 1.0);
        let b = bands(&mono(&x));
        let (name, top) = b
            .iter()
            .into_iter()
            .max_by(|a, c| a.1.share_pct.total_cmp(&c.1.share_pct))
            .expect("bands");
        assert_eq!(name, band, "{f} Hz");
        assert!(top.share_pct > 98.0, "{f} Hz: {}", top.share_pct);
        assert!(top.share_db.expect("db") > -0.1);
        let total: f64 = b.iter().iter().map(|(_, x)| x.share_pct).sum();
        assert!((total - 100.0).abs() < 1e-6);
    }
}

#[test]
fn noise_centroids_and_shares() {
    let w = white(RATE, 4.0, -20.0, 3);
    let bw = bands(&mono(&w));
    let p = pink(RATE, 4.0, 4);
    let bp = bands(&mono(&p));
    let (cw, cp) = (bw.centroid_hz.expect("c"), bp.centroid_hz.expect("c"));
    println!(
        "white centroid {cw:.0} Hz, pink {cp:.0} Hz; white high {:.1}%, pink high {:.1}%",
        bw.high.share_pct, bp.high.share_pct
    );
    // white noise: flat to 24 kHz, centroid at 12 kHz, shares by bandwidth
    assert!((cw - 12_000.0).abs() < 500.0, "{cw}");
    assert!((bw.high.share_pct - 75.0).abs() < 2.0);
    assert!((bw.low_mid.share_pct - 100.0 * 1750.0 / 24_000.0).abs() < 1.0);
    // pink noise: equal energy per octave, centroid a few kHz
    assert!(cp > 1500.0 && cp < 5000.0, "{cp}");
    assert!(bp.high.share_pct < bw.high.share_pct);
    assert!(bp.low.share_pct > 5.0 * bw.low.share_pct);
}

#[test]
fn silence_and_short_input() {
    let z = vec![0f32; 10_000];
    let b = bands(&mono(&z));
    assert!(b.centroid_hz.is_none() && b.sub.share_db.is_none());
    assert_eq!(b.sub.share_pct, 0.0);
    let short = bands(&mono(&[0.1, 0.2]));
    assert!(short.centroid_hz.is_none());
    let zero_rate = bands(&Audio {
        rate: 0,
        start: 0,
        left: &z,
        right: &z,
    });
    assert!(zero_rate.centroid_hz.is_none());
}

#[test]
fn correlation_width_and_balance() {
    let x = sine(440.0, 0.5, 1.0);
    let s = stereo(&mono(&x));
    assert!((s.correlation.expect("corr") - 1.0).abs() < 1e-9);
    assert!(s.width_pct.expect("width").abs() < 1e-6);
    assert!(s.balance_db.expect("balance").abs() < 1e-9);

    let inv: Vec<f32> = x.iter().map(|v| -v).collect();
    let s = stereo(&Audio {
        rate: RATE,
        start: 0,
        left: &x,
        right: &inv,
    });
    assert!((s.correlation.expect("corr") + 1.0).abs() < 1e-9);
    assert_eq!(s.width_pct, None, "no mid at all");

    let (a, b) = (white(RATE, 4.0, -20.0, 1), white(RATE, 4.0, -20.0, 2));
    let s = stereo(&Audio {
        rate: RATE,
        start: 0,
        left: &a,
        right: &b,
    });
    println!("independent noise: {s:?}");
    assert!(s.correlation.expect("corr").abs() < 0.02);
    assert!((s.width_pct.expect("width") - 100.0).abs() < 3.0);

    // left 6 dB up, a little of the other in each
    let mut noise = Noise::new(9);
    let common: Vec<f32> = (0..48_000).map(|_| noise.next() as f32 * 0.3).collect();
    let l: Vec<f32> = common.iter().map(|v| v * 2.0).collect();
    let s = stereo(&Audio {
        rate: RATE,
        start: 0,
        left: &l,
        right: &common,
    });
    assert!((s.balance_db.expect("balance") - 6.0206).abs() < 1e-3);
    assert!((s.correlation.expect("corr") - 1.0).abs() < 1e-9);
    // side/mid of (2x, x): side x/2, mid 3x/2 → 33%
    assert!((s.width_pct.expect("width") - 100.0 / 3.0).abs() < 1e-3);

    let silent = vec![0f32; 100];
    let s = stereo(&Audio {
        rate: RATE,
        start: 0,
        left: &x[..100],
        right: &silent,
    });
    assert_eq!(s.correlation, None);
    assert_eq!(s.balance_db, None);
}

#[test]
fn dc_offsets() {
    let mut x = sine(100.0, 0.5, 1.0);
    x.iter_mut().for_each(|v| *v += 0.012);
    assert!((dc_offset(&x) - 0.012).abs() < 1e-5);
    x[10] = f32::NAN;
    x[11] = f32::INFINITY;
    assert!((dc_offset(&x) - 0.012).abs() < 1e-5);
    assert_eq!(dc_offset(&[]), 0.0);
    assert_eq!(dc_offset(&[f32::NAN]), 0.0);
}
