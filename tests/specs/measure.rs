//! Measurements the specs need beyond `tests/common`: the residual noise
//! floor of a sine, alias and harmonic levels, spectral peaks, hit levels.

use crate::common::{db, spectrum, zero_crossing_freq};
use std::f64::consts::PI;

/// Residual of the least-squares fit of `a sin(wt) + b cos(wt)` to `x`,
/// relative to the fitted sine's power. Time is centred on the segment so
/// that phase and frequency are decoupled.
fn sine_fit_residual(x: &[f32], w: f64) -> f64 {
    let mid = (x.len() as f64 - 1.0) / 2.0;
    let (mut ss, mut sc, mut cc, mut xs, mut xc) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let (s, c) = ((i as f64 - mid) * w).sin_cos();
        let v = f64::from(v);
        ss += s * s;
        sc += s * c;
        cc += c * c;
        xs += v * s;
        xc += v * c;
    }
    let det = ss * cc - sc * sc;
    let a = (xs * cc - xc * sc) / det;
    let b = (xc * ss - xs * sc) / det;
    let (mut sig, mut res) = (0.0, 0.0);
    for (i, &v) in x.iter().enumerate() {
        let (s, c) = ((i as f64 - mid) * w).sin_cos();
        let fit = a * s + b * c;
        sig += fit * fit;
        res += (f64::from(v) - fit).powi(2);
    }
    res / sig
}

/// Noise floor of a steady sine in dB: everything that is not the
/// best-fitting sinusoid (its frequency found from the zero crossings, then
/// refined by a golden-section search on the residual), relative to it.
pub fn sine_noise_floor_db(x: &[f32], rate: f64) -> (f64, f64) {
    let f0 = zero_crossing_freq(x, rate);
    let w0 = 2.0 * PI * f0 / rate;
    let (mut lo, mut hi) = (w0 * (1.0 - 2e-6), w0 * (1.0 + 2e-6));
    let g = (5f64.sqrt() - 1.0) / 2.0;
    let mut a = hi - g * (hi - lo);
    let mut b = lo + g * (hi - lo);
    let (mut fa, mut fb) = (sine_fit_residual(x, a), sine_fit_residual(x, b));
    for _ in 0..60 {
        if fa < fb {
            hi = b;
            b = a;
            fb = fa;
            a = hi - g * (hi - lo);
            fa = sine_fit_residual(x, a);
        } else {
            lo = a;
            a = b;
            fa = fb;
            b = lo + g * (hi - lo);
            fb = sine_fit_residual(x, b);
        }
    }
    let w = (lo + hi) / 2.0;
    let floor = 10.0 * sine_fit_residual(x, w).log10();
    (floor, w * rate / (2.0 * PI))
}

/// Alias and harmonics of a periodic tone at an integer frequency `f` Hz,
/// from a segment of exactly `rate` frames (1 Hz bins, every harmonic on a
/// bin).
pub struct Harmonics {
    spec: Vec<f64>,
    f: usize,
}

impl Harmonics {
    pub fn new(x: &[f32], f: usize) -> Self {
        Harmonics {
            spec: spectrum(x),
            f,
        }
    }

    /// Level of harmonic `k` relative to the fundamental, in dB.
    pub fn harmonic_db(&self, k: usize) -> f64 {
        db(self.spec[k * self.f], self.spec[self.f])
    }

    /// The strongest component that is not a harmonic (nor DC), relative to
    /// the fundamental: `(dB, Hz)`.
    pub fn worst_alias(&self) -> (f64, usize) {
        let fund = self.spec[self.f];
        let mut worst = (f64::NEG_INFINITY, 0);
        for (bin, &m) in self.spec.iter().enumerate() {
            let k = (bin as f64 / self.f as f64).round() as usize;
            let near_harmonic = bin <= 4 || bin.abs_diff(k * self.f) <= 4;
            if !near_harmonic {
                let level = db(m, fund);
                if level > worst.0 {
                    worst = (level, bin);
                }
            }
        }
        worst
    }
}

/// Frequencies of the spectral peaks of `x` (rate `rate`) within
/// `range_db` of the strongest, by parabolic interpolation on the dB
/// magnitudes of a Blackman-Harris spectrum.
pub fn spectral_peaks(x: &[f32], rate: f64, range_db: f64) -> Vec<f64> {
    let spec = spectrum(x);
    let max = spec.iter().copied().fold(0.0, f64::max);
    let floor = max * 10f64.powf(-range_db / 20.0);
    let bin_hz = rate / x.len() as f64;
    let mut peaks = Vec::new();
    for i in 8..spec.len() - 8 {
        let m = spec[i];
        if m < floor || spec[i - 8..=i + 8].iter().any(|&o| o > m) {
            continue;
        }
        let (a, b, c) = (spec[i - 1].log10(), spec[i].log10(), spec[i + 1].log10());
        let p = 0.5 * (a - c) / (a - 2.0 * b + c);
        peaks.push((i as f64 + p) * bin_hz);
    }
    peaks
}

/// Peak level of `x[from..to]`.
pub fn peak(x: &[f32], from: usize, to: usize) -> f64 {
    x[from.min(x.len())..to.min(x.len())]
        .iter()
        .fold(0.0f64, |m, &s| m.max(f64::from(s.abs())))
}

/// Parse `0, 1/4, 3/2, 0.5` into numbers.
pub fn fractions(list: &str) -> Vec<f64> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once('/') {
            Some((n, d)) => {
                n.trim().parse::<f64>().expect("numerator")
                    / d.trim().parse::<f64>().expect("denominator")
            }
            None => s
                .parse::<f64>()
                .unwrap_or_else(|_| panic!("not a number: {s}")),
        })
        .collect()
}
