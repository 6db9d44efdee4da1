//! Small numeric helpers shared by the modules.

use std::borrow::Cow;

/// `Some(x)` when `x` is finite.
pub(crate) fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

/// Power ratio to dB, `None` for zero, negative or non-finite input.
pub(crate) fn power_db(p: f64) -> Option<f64> {
    if p > 0.0 && p.is_finite() {
        finite(10.0 * p.log10())
    } else {
        None
    }
}

/// Amplitude ratio to dB, `None` for zero, negative or non-finite input.
pub(crate) fn amp_db(a: f64) -> Option<f64> {
    if a > 0.0 && a.is_finite() {
        finite(20.0 * a.log10())
    } else {
        None
    }
}

/// The samples with non-finite values replaced by 0 (borrowed when all are finite).
pub(crate) fn clean(x: &[f32]) -> Cow<'_, [f32]> {
    if x.iter().all(|s| s.is_finite()) {
        Cow::Borrowed(x)
    } else {
        Cow::Owned(
            x.iter()
                .map(|&s| if s.is_finite() { s } else { 0.0 })
                .collect(),
        )
    }
}

/// Median of the values (`None` when empty); NaNs sort last.
pub(crate) fn median(values: &[f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 {
        v[m]
    } else {
        0.5 * (v[m - 1] + v[m])
    })
}

/// Interpolated position of an extremum from three neighbouring values:
/// the offset (-0.5..0.5 when the middle one is the extremum) of the vertex
/// of the parabola through `(−1, a)`, `(0, b)`, `(1, c)`.
pub(crate) fn parabolic(a: f64, b: f64, c: f64) -> f64 {
    let den = a - 2.0 * b + c;
    if den.abs() < 1e-300 || !den.is_finite() {
        0.0
    } else {
        (0.5 * (a - c) / den).clamp(-1.0, 1.0)
    }
}

/// Frames in `ms` milliseconds at `rate`.
pub(crate) fn ms_frames(rate: u32, ms: f64) -> usize {
    (f64::from(rate) * ms / 1000.0).round().max(0.0) as usize
}

/// Lanes of the sums below: independent accumulators let the adds overlap.
const LANES: usize = 8;

/// `Σ f(i)` for `i` in `0..n`, each term a few values summed in `LANES`
/// interleaved accumulators (faster than one serial sum, and as accurate).
pub(crate) fn sums<const K: usize>(n: usize, f: impl Fn(usize) -> [f64; K]) -> [f64; K] {
    let mut acc = [[0f64; K]; LANES];
    let full = n / LANES * LANES;
    let mut i = 0;
    while i < full {
        for (lane, a) in acc.iter_mut().enumerate() {
            let v = f(i + lane);
            for k in 0..K {
                a[k] += v[k];
            }
        }
        i += LANES;
    }
    for j in full..n {
        let v = f(j);
        for k in 0..K {
            acc[0][k] += v[k];
        }
    }
    let mut out = [0f64; K];
    for a in &acc {
        for k in 0..K {
            out[k] += a[k];
        }
    }
    out
}
