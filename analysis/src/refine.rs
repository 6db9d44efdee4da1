//! Placing an onset on the sample where its rise begins.
//!
//! The novelty (see [`crate::onsets`]) says an onset lies in a stretch of
//! about 50 ms; here the AIC change-point picker (the split that best divides
//! the stretch into a quieter part and a louder part) finds the sample, on
//! the signal and on the residual of a linear predictor fitted to the sound
//! just before the stretch (which takes out a steady tone, pad or decaying
//! tail underneath, so a hit or a note starting under it shows from its first
//! sample).

use crate::fft::hann;
use crate::util::ms_frames;

/// How the signal starts: whether it sounds from its first samples, and if
/// so whether that start is loud (within 15 dB of the loudest 20 ms).
pub(crate) struct StartLevel {
    /// Sound from the first samples.
    pub playing: bool,
    /// Within 15 dB of the loudest 20 ms.
    pub loud: bool,
}

impl StartLevel {
    /// Measures the start of `x`.
    pub(crate) fn of(x: &[f32], rate: u32) -> StartLevel {
        let block = ms_frames(rate, 20.0).max(1);
        let power = |b: &[f32]| {
            b.iter().map(|&v| f64::from(v) * f64::from(v)).sum::<f64>() / b.len() as f64
        };
        let loudest = x.chunks(block).map(power).fold(0.0, f64::max);
        let first = x.get(..block.min(x.len())).map_or(0.0, power);
        let peak = x.iter().fold(0f32, |m, v| m.max(v.abs()));
        let head = x.iter().take(8).fold(0f32, |m, v| m.max(v.abs()));
        StartLevel {
            playing: peak > 0.0 && head > 1e-3 * peak,
            loud: first > 0.0 && first >= loudest * 10f64.powf(-1.5),
        }
    }
}

/// Places an onset inside `x[lo..hi]`: the clearer rise of the signal and of
/// the residual of a linear predictor fitted to the 20 ms before `lo` (which
/// takes out a steady tone, pad or decaying tail underneath), by the AIC
/// picker; a rise found on the signal moves up to 1 ms earlier when the
/// residual shows it starting there. The position and how clear the rise is
/// (log variance ratio).
pub(crate) fn refine(x: &[f32], lo: usize, hi: usize) -> Option<(usize, f64)> {
    if hi <= lo + 32 {
        return None;
    }
    let (raw, resid) = variants(x, lo, hi);
    // a tone is uneven within its period (and its residual spiky once a
    // period): the "before" must hold some periods, or a stretch near a zero
    // crossing looks like a quiet before
    let r = aic(&raw, MIN_BEFORE.min((hi - lo) / 4));
    let q = resid.as_deref().and_then(|y| aic(y, MIN_BEFORE));
    // the residual's rise must not be the signal falling silent (a sound
    // ending leaves the predictor's error behind it)
    let q = q.filter(|q| log_ratio_at(&raw, q.0) > -1.0);
    match (r, q) {
        (_, Some(q)) if r.is_none_or(|r| q.1 > r.1) => Some((lo + q.0, q.1)),
        (Some(r), _) => {
            let centre = lo + r.0;
            let a = centre.saturating_sub(EARLIER_MAX + MIN_BEFORE).max(lo);
            let b = (centre + 64).min(hi);
            let earlier = variants(x, a, b)
                .1
                .as_deref()
                .and_then(|y| aic(y, (centre - a).saturating_sub(EARLIER_MAX).max(8)))
                .filter(|p| p.1 >= RESIDUAL_LOG_RATIO)
                .map(|p| a + p.0)
                .filter(|&p| p <= centre && centre - p <= EARLIER_MAX);
            Some((earlier.unwrap_or(centre), r.1))
        }
        _ => None,
    }
}

/// Samples the picker keeps before its split (5.3 ms at 48 kHz).
const MIN_BEFORE: usize = 256;
/// The residual's earlier start counts when its variance rises at least
/// this much (natural log: e^0.4 ≈ 1.5 times)…
const RESIDUAL_LOG_RATIO: f64 = 0.4;
/// …and is at most this many samples before the signal's own.
const EARLIER_MAX: usize = 48;
/// A rise less clear than this (log variance ratio; e^0.5 ≈ 1.65 times) is
/// no onset: the novelty saw a change in colour, not a new sound starting.
pub(crate) const MIN_RISE: f64 = 0.5;

/// The stretch `x[lo..hi]`, and the residual of a linear predictor fitted to
/// the sound just before `lo` (when there is enough of it).
fn variants(x: &[f32], lo: usize, hi: usize) -> (Vec<f64>, Option<Vec<f64>>) {
    let raw = x[lo..hi].iter().map(|&s| f64::from(s)).collect();
    let resid = predictor(x, lo).map(|a| {
        (lo..hi)
            .map(|i| {
                let mut e = f64::from(x[i]);
                for (k, &c) in a.iter().enumerate() {
                    e -= c * f64::from(x[i - 1 - k]);
                }
                e
            })
            .collect()
    });
    (raw, resid)
}

/// Order of the linear predictor of the background.
const LPC_ORDER: usize = 24;
/// Samples before the search stretch it is fitted on.
const LPC_SPAN: usize = 1024;

/// Coefficients `a` of `x[i] ≈ Σ a[k]·x[i−1−k]` fitted (autocorrelation
/// method, Hann window, Levinson-Durbin) to the samples just before `end`.
fn predictor(x: &[f32], end: usize) -> Option<Vec<f64>> {
    let start = end.checked_sub(LPC_SPAN)?;
    let seg: Vec<f64> = x[start..end]
        .iter()
        .zip(hann(LPC_SPAN))
        .map(|(&v, w)| f64::from(v) * w)
        .collect();
    let p = LPC_ORDER;
    let r: Vec<f64> = (0..=p)
        .map(|lag| {
            seg[..seg.len() - lag]
                .iter()
                .zip(&seg[lag..])
                .map(|(a, b)| a * b)
                .sum()
        })
        .collect();
    if r[0] <= 0.0 || !r[0].is_finite() {
        return None;
    }
    // a little white noise keeps the recursion well conditioned
    let mut r = r;
    r[0] *= 1.0 + 1e-9;
    let mut a = vec![0f64; p];
    let mut err = r[0];
    for i in 0..p {
        let mut acc = r[i + 1];
        for k in 0..i {
            acc -= a[k] * r[i - k];
        }
        let refl = acc / err;
        if !refl.is_finite() || refl.abs() >= 1.0 {
            break;
        }
        let prev = a.clone();
        a[i] = refl;
        for k in 0..i {
            a[k] = prev[k] - refl * prev[i - 1 - k];
        }
        err *= 1.0 - refl * refl;
        if err <= 0.0 {
            break;
        }
    }
    Some(a)
}

/// `ln(var(y[k..]) / var(y[..k]))`, -inf when the after part is silent.
fn log_ratio_at(y: &[f64], k: usize) -> f64 {
    let var = |s: &[f64]| {
        let m = s.len().max(1) as f64;
        let mean = s.iter().sum::<f64>() / m;
        s.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / m
    };
    let (b, a) = (var(&y[..k.min(y.len())]), var(&y[k.min(y.len())..]));
    if b <= 0.0 {
        f64::INFINITY
    } else if a <= 0.0 {
        f64::NEG_INFINITY
    } else {
        (a / b).ln()
    }
}

/// AIC change point of `y`: the split `k`, among those where the variance
/// rises, minimising `k·ln var(y[..k]) + (n−k)·ln var(y[k..])`, and the log
/// variance ratio (after over before) at it, which says how clear the rise is.
fn aic(y: &[f64], before: usize) -> Option<(usize, f64)> {
    let n = y.len();
    let margin = 8;
    let first = before.max(margin);
    if n < first + margin + 2 {
        return None;
    }
    let mut s1 = vec![0.0; n + 1];
    let mut s2 = vec![0.0; n + 1];
    for (i, &v) in y.iter().enumerate() {
        s1[i + 1] = s1[i] + v;
        s2[i + 1] = s2[i] + v * v;
    }
    let scale = s2[n] / n as f64;
    let eps = scale.max(1e-30) * 1e-12 + 1e-30;
    let var = |a: usize, b: usize| {
        let m = (b - a) as f64;
        let mean = (s1[b] - s1[a]) / m;
        ((s2[b] - s2[a]) / m - mean * mean).max(0.0) + eps
    };
    // only splits where the sound gets louder count: after a click the
    // split behind it (loud before, quiet after) would otherwise win
    let score = |k: usize| {
        let (vb, va) = (var(0, k), var(k, n));
        let ratio = (va / vb).ln();
        let s = k as f64 * vb.ln() + (n - k) as f64 * va.ln();
        (if ratio > 0.0 { s } else { f64::INFINITY }, ratio)
    };
    // every 4th split first, then every split around the best of those
    let step = 4;
    let mut best: Option<(usize, f64, f64)> = None;
    let consider = |k: usize, best: &mut Option<(usize, f64, f64)>| {
        let (s, ratio) = score(k);
        if best.is_none_or(|b| s < b.1) {
            *best = Some((k, s, ratio));
        }
    };
    for k in (first..=n - margin).step_by(step) {
        consider(k, &mut best);
    }
    let centre = best.filter(|b| b.1.is_finite()).map(|b| b.0)?;
    for k in centre.saturating_sub(step).max(first)..=(centre + step).min(n - margin) {
        consider(k, &mut best);
    }
    best.filter(|b| b.1.is_finite() && b.2 > 0.0)
        .map(|b| (b.0, b.2))
}
