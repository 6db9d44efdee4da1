//! Fundamental frequency: YIN for the period, then a phase-based refinement.
//!
//! 1. **Period (YIN).** The difference function `d(τ)` of the first few
//!    thousand samples (computed by FFT), its cumulative-mean-normalised form,
//!    the first dip in the search range that is below 0.15 and has a dip at
//!    twice or three times its lag too (else the deepest point),
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
//! Window length: the refinement wants at least 4 periods in each of its two
//! windows, i.e. a signal of **at least 8 periods, and 10 or more for 1-cent
//! accuracy** (250-300 ms at C1 = 32.7 Hz, 150 ms at C2). High notes are
//! accurate in 100 ms.

use crate::fft::cross_correlation;
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
    let t0 = std::time::Instant::now();
    let coarse = yin(&x, fs, fmin, fmax)?;
    let t1 = t0.elapsed();
    let fine = refine(&x, fs, coarse);
    if std::env::var("PT").is_ok() {
        eprintln!("yin {:?} refine {:?}", t1, t0.elapsed() - t1);
    }
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
    let w = (3 * tau_max).clamp(1024, 4096).min(n - tau_max - 1);
    // lags up to twice the range, where the signal allows, to confirm a dip
    let lag_max = (2 * tau_max + 2).min(n - w - 1);
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
    let range = tau_min..=tau_max;
    // the first dip below the threshold that has a dip at twice or three times
    // its lag too: a partial dip at a fraction of the period (from a strong
    // upper harmonic, e.g. at 2/5 of it) has none there, a true period does
    let dip_at = |t: usize| {
        let (lo, hi) = (t.saturating_sub(2), (t + 2).min(cmnd.len() - 1));
        (lo <= hi).then(|| cmnd[lo..=hi].iter().copied().fold(f64::INFINITY, f64::min))
    };
    let mut pick = None;
    for t in range.clone() {
        let confirmed = 2 * t + 2 >= cmnd.len()
            || [2, 3]
                .iter()
                .any(|&k| k * t + 2 < cmnd.len() && dip_at(k * t).is_some_and(|v| v < THRESHOLD));
        if cmnd[t] < THRESHOLD && confirmed {
            let mut m = t;
            while m < tau_max && cmnd[m + 1] < cmnd[m] {
                m += 1;
            }
            pick = Some(m);
            break;
        }
    }
    let t = match pick {
        Some(t) => t,
        None => range.min_by(|&a, &b| cmnd[a].total_cmp(&cmnd[b]))?,
    };
    if cmnd[t] > MAX_APERIODICITY {
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

/// A symmetric Hann window of `l` points (sampled at half-sample offsets),
/// built by rotating a phasor instead of calling `cos` per point.
fn hann(l: usize) -> Vec<f64> {
    let step = 2.0 * std::f64::consts::PI / l as f64;
    let (sin_s, cos_s) = step.sin_cos();
    let (mut c, mut s) = ((0.5 * step).cos(), (0.5 * step).sin());
    (0..l)
        .map(|_| {
            let w = 0.5 - 0.5 * c;
            (c, s) = (c * cos_s - s * sin_s, s * cos_s + c * sin_s);
            w
        })
        .collect()
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

/// DTFT `Σ y[j]·w[j]·e^{-iωj}` at each `ω` (Goertzel), as (re, im).
fn goertzel(y: &[f64], win: &[f64], omegas: &[f64]) -> Vec<(f64, f64)> {
    const LANES: usize = 8;
    let u: Vec<f64> = y.iter().zip(win).map(|(v, w)| v * w).collect();
    let last = u.len().saturating_sub(1) as f64;
    let mut out = Vec::with_capacity(omegas.len());
    for chunk in omegas.chunks(LANES) {
        let mut coef = [0.0; LANES];
        for (c, w) in coef.iter_mut().zip(chunk) {
            *c = 2.0 * w.cos();
        }
        let (mut s1, mut s2) = ([0.0f64; LANES], [0.0f64; LANES]);
        for &v in &u {
            for i in 0..LANES {
                let s0 = v + coef[i] * s1[i] - s2[i];
                s2[i] = s1[i];
                s1[i] = s0;
            }
        }
        for (i, &w) in chunk.iter().enumerate() {
            // y(L-1) = s1 - e^{-iω} s2, then X = e^{-iω(L-1)} y(L-1)
            let (yr, yi) = (s1[i] - w.cos() * s2[i], w.sin() * s2[i]);
            let (c, s) = ((w * last).cos(), -(w * last).sin());
            out.push((yr * c - yi * s, yr * s + yi * c));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goertzel_matches_a_direct_dft() {
        let y: Vec<f64> = (0..200)
            .map(|i| ((i * 13 % 29) as f64 - 14.0) / 14.0)
            .collect();
        let win = vec![1.0; 200];
        let w = 0.3_f64;
        let got = goertzel(&y, &win, &[w])[0];
        let (mut re, mut im) = (0.0, 0.0);
        for (j, &v) in y.iter().enumerate() {
            re += v * (w * j as f64).cos();
            im -= v * (w * j as f64).sin();
        }
        assert!(
            (got.0 - re).abs() < 1e-9 && (got.1 - im).abs() < 1e-9,
            "{got:?} vs {re},{im}"
        );
    }

    #[test]
    fn hann_matches_the_cosine_formula() {
        let l = 5000;
        for (i, w) in hann(l).iter().enumerate() {
            let exact =
                0.5 - 0.5 * (2.0 * std::f64::consts::PI * (i as f64 + 0.5) / l as f64).cos();
            assert!((w - exact).abs() < 1e-12, "{i}");
        }
    }

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
