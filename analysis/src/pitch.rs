//! Fundamental frequency: YIN for the period, then a phase-based refinement.
//!
//! 1. **Period (YIN).** The difference function `d(τ)` of the first few
//!    thousand samples (computed by FFT), its cumulative-mean-normalised form,
//!    the first dip in the search range that is below 0.15 (its depth read
//!    from a parabola, since a period between two lags is deeper than both)
//!    and has a dip at twice or three times its lag too (else the deepest
//!    point),
//!    and a parabola through `d` around it. This is good to a few tenths of a
//!    percent and, searched in the right range, free of octave errors.
//! 2. **Refinement (phase).** Two Hann windows of the signal, one at its start
//!    and one at its end, `D` samples apart. The phase of harmonic `k` (a
//!    Goertzel DFT at `k·f`) advances by `2π·k·f₀·D/fs` between them, which
//!    gives `f₀` to a small fraction of a cent: an exponentially decaying
//!    envelope scales both windows alike and leaves the phase advance
//!    untouched, and a static filter shifts both phases equally. Passes over
//!    growing distances (4, 16, 64, … periods, with 2, 4, 8 harmonics) make
//!    the unwrapping safe; the full-distance pass over up to 8 harmonics is
//!    iterated up to three times. Harmonics are combined by a weighted mean
//!    (weight `(k·amp)²`) of
//!    those within 3 cents of the weighted median, so a harmonic whose phase
//!    jumps (an FM sideband crossing zero) does not pull the result; when
//!    those hold less than 60% of the weight (harmonics drifting on their own,
//!    as with a sweeping FM index) the step is skipped, and a result further
//!    from YIN's than a third of a sample of the period is not taken.
//!
//! Window length: the refinement puts two windows of at least 4 periods in
//! the signal (overlapping when it is short). Measured on band-limited saw,
//! square and sine notes: 1 cent holds with 100 ms or 10 periods, whichever is
//! longer (**306 ms at C1 = 32.7 Hz, 153 ms at C2**; this is what the tests
//! use); 4-5 periods (150 ms at C1) stay within about 0.5 cent; at 3 periods
//! (a C1 sine in 100 ms) the error can pass 1 cent. High notes are accurate
//! in 100 ms.

use crate::fft::{cross_correlation, goertzel, hann};
use crate::util::parabolic;

/// Half width of the search range around `expected_hz`: 7 semitones each way.
const SEARCH_RATIO: f64 = 1.498_307_076_876_681_5;
/// Lowest frequency searched without an expected pitch, Hz.
const MIN_HZ: f64 = 25.0;
/// Highest frequency searched without an expected pitch, Hz.
const MAX_HZ: f64 = 5000.0;
/// YIN's absolute threshold on the normalised difference.
const THRESHOLD: f64 = 0.15;
/// Above this normalised difference the signal is not periodic enough.
const MAX_APERIODICITY: f64 = 0.5;
/// Share of the harmonics' weight that must agree for a refinement step.
const CONSENSUS: f64 = 0.6;
/// Harmonics the refinement reads at most.
const MAX_HARMONICS: usize = 8;

/// Estimates the fundamental frequency of `mono` in Hz.
///
/// `expected_hz` (e.g. from the note number) only sets the search range, 7
/// semitones either side of it, which decides the octave; the value returned
/// is always measured. Without it the range is 25 Hz to 5 kHz (or a quarter
/// of the rate). Returns `None` for silence, noise, a zero rate, or a signal
/// shorter than two periods of the lowest frequency searched. See the module
/// docs for the minimum window. Non-finite samples read as 0.
pub fn pitch_hz(mono: &[f32], rate: u32, expected_hz: Option<f64>) -> Option<f64> {
    if rate == 0 || mono.len() < 32 {
        return None;
    }
    let fs = f64::from(rate);
    let mut x: Vec<f64> = mono
        .iter()
        .map(|&s| if s.is_finite() { f64::from(s) } else { 0.0 })
        .collect();
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    x.iter_mut().for_each(|v| *v -= mean);
    if x.iter().all(|&v| v.abs() < 1e-12) {
        return None;
    }
    let expected = expected_hz.filter(|&f| f.is_finite() && f > 0.0 && f < fs / 2.0);
    let (fmin, fmax) = match expected {
        Some(e) => (e / SEARCH_RATIO, (e * SEARCH_RATIO).min(fs / 2.5)),
        None => (MIN_HZ, MAX_HZ.min(fs / 4.0)),
    };
    let coarse = yin(&x, fs, fmin, fmax)?;
    let fine = refine(&x, fs, coarse);
    // the refinement may only move as far as YIN can be wrong: a third of a
    // sample of the period, and at least 3 cents
    let tolerance = (1.0 + 0.33 * coarse / fs)
        .ln()
        .max(3.0 / 1200.0 * std::f64::consts::LN_2);
    Some(if (fine / coarse).ln().abs() <= tolerance {
        fine
    } else {
        coarse
    })
}

/// YIN period estimate in `[fmin, fmax]`, as a frequency.
fn yin(x: &[f64], fs: f64, fmin: f64, fmax: f64) -> Option<f64> {
    let n = x.len();
    let tau_min = (fs / fmax).floor().max(2.0) as usize;
    let mut tau_max = (fs / fmin).ceil() as usize;
    tau_max = tau_max.min(n / 2 - 1);
    if tau_max < tau_min + 2 {
        return None;
    }
    let mut w = (2 * tau_max).clamp(1024, 4096).min(n - tau_max - 1);
    // lags up to twice the range, where the signal allows, to confirm a dip
    let mut lag_max = (2 * tau_max + 2).min(n - w - 1);
    // shrink the window (to no less than 1.5 of the longest period) when that
    // halves the FFT
    let size = (w + lag_max).next_power_of_two();
    if size / 2 >= lag_max + tau_max * 3 / 2 && size / 2 < w + lag_max {
        w = size / 2 - lag_max;
        lag_max = lag_max.min(n - w - 1);
    }
    let r = cross_correlation(x, w, lag_max);
    let mut prefix = Vec::with_capacity(w + lag_max + 2);
    prefix.push(0.0);
    let mut acc = 0.0;
    for &v in &x[..w + lag_max] {
        acc += v * v;
        prefix.push(acc);
    }
    let e0 = prefix[w];
    let d: Vec<f64> = (0..=lag_max)
        .map(|t| {
            let et = prefix.get(t + w).copied().unwrap_or(acc) - prefix[t];
            (e0 + et - 2.0 * r.get(t).copied().unwrap_or(0.0)).max(0.0)
        })
        .collect();
    let mut cmnd = vec![1.0; d.len()];
    let mut running = 0.0;
    for t in 1..d.len() {
        running += d[t];
        cmnd[t] = if running > 0.0 {
            d[t] * t as f64 / running
        } else {
            1.0
        };
    }
    // the depth of the dip at a local minimum, read from the parabola through
    // it and its neighbours (a period between two lags is deeper than either)
    let depth = |t: usize| -> f64 {
        if t == 0 || t + 1 >= cmnd.len() {
            return cmnd[t];
        }
        let (a, b, c) = (cmnd[t - 1], cmnd[t], cmnd[t + 1]);
        if b > a || b > c {
            return b;
        }
        let den = a - 2.0 * b + c;
        if den <= 0.0 {
            b
        } else {
            (b - (a - c) * (a - c) / (8.0 * den)).max(0.0)
        }
    };
    // the first dip below the threshold that has a dip at twice or three
    // times its lag too: a partial dip at a fraction of the period (from a
    // strong upper harmonic, e.g. at 2/5 of it) has none there, a period does
    let dip_near = |t: usize| {
        let (lo, hi) = (t.saturating_sub(2), (t + 2).min(cmnd.len() - 1));
        (lo..=hi).map(depth).fold(f64::INFINITY, f64::min)
    };
    let range = tau_min..=tau_max;
    let mut pick = None;
    for t in range.clone() {
        let local_min = cmnd[t] <= cmnd[t - 1] && t + 1 < cmnd.len() && cmnd[t] <= cmnd[t + 1];
        if !local_min || depth(t) >= THRESHOLD {
            continue;
        }
        let confirmed = 2 * t + 2 >= cmnd.len()
            || [2, 3]
                .iter()
                .any(|&k| k * t + 2 < cmnd.len() && dip_near(k * t) < THRESHOLD);
        if confirmed {
            pick = Some(t);
            break;
        }
    }
    let t = match pick {
        Some(t) => t,
        None => range.min_by(|&a, &b| cmnd[a].total_cmp(&cmnd[b]))?,
    };
    if depth(t) > MAX_APERIODICITY {
        return None;
    }
    let off = if t > 1 && t + 1 < d.len() {
        parabolic(d[t - 1], d[t], d[t + 1])
    } else {
        0.0
    };
    let period = t as f64 + off;
    (period > 0.0).then(|| fs / period)
}

/// Refines `f0` from the phase advance of its harmonics across the signal.
fn refine(x: &[f64], fs: f64, f0: f64) -> f64 {
    let n = x.len();
    let period = fs / f0;
    let mut l = n / 2;
    let min_l = (4.0 * period).ceil() as usize;
    if l < min_l {
        l = min_l.min(n * 3 / 4);
    }
    let d_full = n - l;
    if (d_full as f64) < period || l < 8 {
        return f0;
    }
    let win = hann(l);
    // a ladder of distances, each 4x the last, makes the unwrapping safe
    let mut f = f0;
    let mut dist = 4.0 * period;
    let mut kmax = 2;
    while dist < d_full as f64 {
        f = phase_step(x, fs, f, &win, dist.round() as usize, kmax).unwrap_or(f);
        dist *= 4.0;
        kmax = (kmax * 2).min(MAX_HARMONICS);
    }
    for _ in 0..3 {
        match phase_step(x, fs, f, &win, d_full, MAX_HARMONICS) {
            Some(g) => {
                let done = (g / f - 1.0).abs() < 1e-6;
                f = g;
                if done {
                    break;
                }
            }
            None => break,
        }
    }
    f
}

/// One refinement pass: windows at 0 and `d`, harmonics `1..=kmax`.
fn phase_step(x: &[f64], fs: f64, f: f64, win: &[f64], d: usize, kmax: usize) -> Option<f64> {
    let l = win.len();
    let b_seg = x.get(d..d + l)?;
    let a_seg = x.get(..l)?;
    let kmax = kmax.min((0.45 * fs / f).floor() as usize);
    if kmax == 0 {
        return None;
    }
    let omegas: Vec<f64> = (1..=kmax)
        .map(|k| 2.0 * std::f64::consts::PI * k as f64 * f / fs)
        .collect();
    let xa = goertzel(a_seg, win, &omegas);
    let xb = goertzel(b_seg, win, &omegas);
    let amps: Vec<f64> = xa
        .iter()
        .zip(&xb)
        .map(|(a, b)| (a.0.hypot(a.1) * b.0.hypot(b.1)).sqrt())
        .collect();
    let top = amps.iter().copied().fold(0.0, f64::max);
    if top <= 0.0 || !top.is_finite() {
        return None;
    }
    let mut cands: Vec<(f64, f64)> = Vec::with_capacity(kmax);
    for (i, ((a, b), &amp)) in xa.iter().zip(&xb).zip(&amps).enumerate() {
        if amp < 0.01 * top {
            continue;
        }
        let k = (i + 1) as f64;
        // arg(b · conj(a))
        let re = b.0 * a.0 + b.1 * a.1;
        let im = b.1 * a.0 - b.0 * a.1;
        let dphi = im.atan2(re);
        let pred = omegas[i] * d as f64;
        let dev = wrap(dphi - pred);
        let fk = f + dev * fs / (2.0 * std::f64::consts::PI * d as f64 * k);
        cands.push((fk, (k * amp) * (k * amp)));
    }
    robust_mean(cands)
}

/// Weighted mean of the estimates within 3 cents of their weighted median,
/// `None` unless those hold most of the weight.
fn robust_mean(mut cands: Vec<(f64, f64)>) -> Option<f64> {
    cands.retain(|c| c.0.is_finite() && c.1.is_finite() && c.1 > 0.0);
    if cands.is_empty() {
        return None;
    }
    cands.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f64 = cands.iter().map(|c| c.1).sum();
    let mut acc = 0.0;
    let mut median = cands[0].0;
    for c in cands.iter() {
        acc += c.1;
        median = c.0;
        if acc >= total / 2.0 {
            break;
        }
    }
    let tol = median * (2f64.powf(3.0 / 1200.0) - 1.0);
    let (mut sw, mut swf) = (0.0, 0.0);
    for c in cands.iter().filter(|c| (c.0 - median).abs() <= tol) {
        sw += c.1;
        swf += c.1 * c.0;
    }
    // without a consensus (most of the weight agreeing) the harmonics' phases
    // are moving on their own (e.g. an FM index sweeping): no estimate
    (sw > CONSENSUS * total).then(|| swf / sw)
}

/// Wraps a phase to (-π, π].
fn wrap(p: f64) -> f64 {
    let tau = 2.0 * std::f64::consts::PI;
    let mut q = p % tau;
    if q > std::f64::consts::PI {
        q -= tau;
    } else if q <= -std::f64::consts::PI {
        q += tau;
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_stays_in_range() {
        for p in [-10.0, -3.2, 0.0, 3.2, 10.0, 100.0] {
            let q = wrap(p);
            assert!(q > -std::f64::consts::PI - 1e-12 && q <= std::f64::consts::PI + 1e-12);
            assert!(
                ((p - q) / (2.0 * std::f64::consts::PI)).fract().abs() < 1e-9
                    || ((p - q) / (2.0 * std::f64::consts::PI)).fract().abs() > 1.0 - 1e-9
            );
        }
    }

    #[test]
    fn robust_mean_ignores_an_outlier() {
        let c = vec![(100.0, 1.0), (100.0, 1.0), (120.0, 1.0), (f64::NAN, 1.0)];
        let m = robust_mean(c).expect("some");
        assert!((m - 100.0).abs() < 1e-9);
    }
}
