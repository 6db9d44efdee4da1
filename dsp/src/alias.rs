//! Alias measurement for the DSP tests: a spectrum whose window leaks less
//! than -160 dB outside its main lobe, and the strongest component that is
//! not one of the lines a signal should contain.

use rustfft::{num_complex::Complex, FftPlanner};

/// Half the width of the window's main lobe, in bins.
const LOBE: usize = 7;

/// Magnitudes (amplitude units: a full-scale sine reads 1) of the
/// positive-frequency bins of `x`, under a 7-term Blackman-Harris window
/// (highest sidelobe about -180 dB, main lobe ±7 bins), so lines 80 dB and
/// more apart are measured without one leaking into the other.
pub fn spectrum(x: &[f32]) -> Vec<f64> {
    const A: [f64; 7] = [
        0.271_051_400_693_42,
        -0.433_297_939_234_48,
        0.218_122_999_543_11,
        -0.065_925_446_388_03,
        0.010_811_742_098_37,
        -0.000_776_584_825_22,
        0.000_013_887_217_35,
    ];
    let n = x.len();
    let mut buf: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let p = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
            let w: f64 = A
                .iter()
                .enumerate()
                .map(|(k, a)| a * (k as f64 * p).cos())
                .sum();
            Complex::new(f64::from(s) * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    let gain = 2.0 / (A[0] * n as f64);
    buf[..n / 2].iter().map(|c| c.norm() * gain).collect()
}

/// The strongest component of `x` (at `rate` Hz) that is neither DC nor
/// within the window's main lobe of one of `lines` (Hz): `(dB relative to
/// the strongest line, Hz)`.
pub fn worst_alias(x: &[f32], rate: f64, lines: &[f64]) -> (f64, f64) {
    let spec = spectrum(x);
    let bin_hz = rate / x.len() as f64;
    let mut expected = vec![false; spec.len()];
    for b in expected.iter_mut().take(LOBE + 2) {
        *b = true;
    }
    let mut strongest = 0.0f64;
    for &f in lines {
        let centre = (f / bin_hz).round() as isize;
        for b in centre - LOBE as isize - 1..=centre + LOBE as isize + 1 {
            if let Some(e) = usize::try_from(b).ok().and_then(|b| expected.get_mut(b)) {
                *e = true;
                strongest = strongest.max(spec[b as usize]);
            }
        }
    }
    assert!(strongest > 1e-6, "nothing to measure: the lines are silent");
    let mut worst = (f64::NEG_INFINITY, 0.0);
    for (b, &m) in spec.iter().enumerate() {
        if !expected[b] {
            let level = 20.0 * (m / strongest).log10();
            if level > worst.0 {
                worst = (level, b as f64 * bin_hz);
            }
        }
    }
    worst
}

#[test]
fn the_measure_finds_a_weak_tone_beside_strong_ones() {
    let rate = 48_000.0;
    let tone = |f: f64, a: f64| {
        move |i: usize| a * (2.0 * std::f64::consts::PI * f * i as f64 / rate).sin()
    };
    let (a, b, c) = (tone(440.0, 1.0), tone(880.5, 0.3), tone(1_000.25, 1e-5));
    let x: Vec<f32> = (0..48_000).map(|i| (a(i) + b(i) + c(i)) as f32).collect();
    let (level, hz) = worst_alias(&x, rate, &[440.0, 880.5]);
    assert!(
        (level + 100.0).abs() < 1.0 && (hz - 1_000.0).abs() < 2.0,
        "{level} dB at {hz}"
    );
    let clean: Vec<f32> = (0..48_000).map(|i| (a(i) + b(i)) as f32).collect();
    let (level, _) = worst_alias(&clean, rate, &[440.0, 880.5]);
    assert!(level < -140.0, "{level}");
}
