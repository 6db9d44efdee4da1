//! Tempo measured from the audio.
//!
//! 1. The autocorrelation of the onset novelty (see [`crate::onsets`]) over
//!    lags of 0.3-1 s (200-60 bpm); its highest peak is the beat period, and
//!    the peaks near 2, 3 and 4 times it sharpen the estimate.
//! 2. The detected onsets that fall on that beat grid (within 15%, then 5%,
//!    of a beat) are fitted with a straight line `t = a + b·period`, which
//!    gives the period to a small fraction of a percent.
//! 3. The result is folded into 60-200 bpm, or, when the session has a tempo,
//!    into the octave (×2, ×½) nearest to it.

use crate::onsets::{novelty, pick, Novelty};
use crate::util::{clean, parabolic};

/// Slowest tempo reported, bpm.
const MIN_BPM: f64 = 60.0;
/// Fastest tempo reported, bpm.
const MAX_BPM: f64 = 200.0;
/// Below this normalised autocorrelation there is no steady beat.
const MIN_PERIODICITY: f64 = 0.1;

/// Measures the tempo of `mono` in bpm; `session_bpm` (the session's tempo,
/// if any) picks the octave. `None` without a steady beat (fewer than four
/// onsets, or a novelty that does not repeat).
pub fn tempo_bpm(mono: &[f32], rate: u32, session_bpm: Option<f64>) -> Option<f64> {
    let x = clean(mono);
    let nov = novelty(&x, rate)?;
    let onsets = pick(&x, rate, &nov);
    tempo_from(&nov, &onsets, rate, session_bpm)
}

/// Measures the tempo from onset frames alone (all weighted alike), e.g. from
/// [`crate::onsets`]; `session_bpm` picks the octave. Onsets more than 10
/// minutes after the first are left out.
pub fn tempo_from_onsets(onsets: &[u64], rate: u32, session_bpm: Option<f64>) -> Option<f64> {
    if rate == 0 || onsets.len() < 4 {
        return None;
    }
    let hop = (rate as usize / 200).max(1); // 5 ms
                                            // relative to the first onset, and at most 10 minutes of them
    let first = onsets.iter().copied().min()?;
    let limit = u64::from(rate) * 600;
    let rel: Vec<u64> = onsets
        .iter()
        .map(|&o| o - first)
        .filter(|&o| o <= limit)
        .collect();
    let last = rel.iter().copied().max()? as usize;
    let mut values = vec![0f64; last / hop + 2];
    for &o in &rel {
        let i = o as usize / hop;
        values[i] += 1.0;
        // a little width so neighbouring lags overlap
        values[i + 1] += 0.5;
        if i > 0 {
            values[i - 1] += 0.5;
        }
    }
    let rise_share = vec![1.0; values.len()];
    let nov = Novelty {
        values,
        hop,
        len: hop,
        rise_share,
    };
    let weighted: Vec<(u64, f64)> = rel.iter().map(|&o| (o, 1.0)).collect();
    tempo_from(&nov, &weighted, rate, session_bpm)
}

/// Tempo from a novelty and the refined onsets `(sample, strength)`.
pub(crate) fn tempo_from(
    nov: &Novelty,
    onsets: &[(u64, f64)],
    rate: u32,
    session_bpm: Option<f64>,
) -> Option<f64> {
    if rate == 0 || onsets.len() < 4 {
        return None;
    }
    let fs = f64::from(rate);
    let hop_s = nov.hop as f64 / fs;
    let mean = nov.values.iter().sum::<f64>() / nov.values.len().max(1) as f64;
    let v: Vec<f64> = nov.values.iter().map(|x| x - mean).collect();
    let n = v.len();
    let lag_lo = (60.0 / MAX_BPM / hop_s).floor().max(1.0) as usize;
    let lag_hi = ((60.0 / MIN_BPM / hop_s).ceil() as usize).min(n / 2);
    if lag_hi <= lag_lo + 2 {
        return None;
    }
    let acf = |lag: usize| -> f64 { v[..n - lag].iter().zip(&v[lag..]).map(|(a, b)| a * b).sum() };
    let zero = acf(0);
    if zero <= 0.0 {
        return None;
    }
    let values: Vec<f64> = (lag_lo - 1..=lag_hi + 1).map(acf).collect();
    let (best, &peak) = values
        .iter()
        .enumerate()
        .skip(1)
        .take(values.len() - 2)
        .max_by(|a, b| a.1.total_cmp(b.1))?;
    if peak / zero < MIN_PERIODICITY {
        return None;
    }
    let lag = (lag_lo - 1 + best) as f64 + parabolic(values[best - 1], peak, values[best + 1]);
    // sharpen with the peaks at 2, 3 and 4 periods
    let mut period = lag;
    for k in 2..=4usize {
        let centre = (period * k as f64).round() as usize;
        if centre < 3 || centre + 3 >= n * 3 / 4 {
            break;
        }
        let around: Vec<(usize, f64)> = (centre - 2..=centre + 2).map(|l| (l, acf(l))).collect();
        let Some(&(l, p)) = around.iter().max_by(|a, b| a.1.total_cmp(&b.1)) else {
            break;
        };
        if l == centre - 2 || l == centre + 2 || p <= 0.0 {
            break;
        }
        let off = parabolic(acf(l - 1), p, acf(l + 1));
        period = (l as f64 + off) / k as f64;
    }
    let period_s = fit_grid(onsets, period * hop_s * fs, fs).unwrap_or(period * hop_s);
    if period_s <= 0.0 {
        return None;
    }
    Some(fold(60.0 / period_s, session_bpm))
}

/// Fits `t = a + b·period` to the onsets on the beat grid; the period in seconds.
fn fit_grid(onsets: &[(u64, f64)], period: f64, fs: f64) -> Option<f64> {
    if period <= 0.0 || onsets.len() < 3 {
        return None;
    }
    let times: Vec<(f64, f64)> = onsets
        .iter()
        .map(|&(t, w)| (t as f64, w.max(0.0)))
        .collect();
    // the anchor: the onset with the most weight on its grid
    let anchor = times
        .iter()
        .map(|&(a, _)| {
            let w: f64 = times
                .iter()
                .filter(|&&(t, _)| grid_offset(t - a, period).abs() < 0.1)
                .map(|p| p.1)
                .sum();
            (a, w)
        })
        .max_by(|x, y| x.1.total_cmp(&y.1))?
        .0;
    let mut p = period;
    let mut a = anchor;
    for tol in [0.15, 0.05, 0.05] {
        let pts: Vec<(f64, f64)> = times
            .iter()
            .filter(|&&(t, _)| grid_offset(t - a, p).abs() < tol)
            .map(|&(t, _)| (((t - a) / p).round(), t))
            .collect();
        let (b_min, b_max) = pts.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |m, q| {
            (m.0.min(q.0), m.1.max(q.0))
        });
        if pts.len() < 3 || b_max - b_min < 2.0 {
            return None;
        }
        let m = pts.len() as f64;
        let mb = pts.iter().map(|q| q.0).sum::<f64>() / m;
        let mt = pts.iter().map(|q| q.1).sum::<f64>() / m;
        let sbb: f64 = pts.iter().map(|q| (q.0 - mb) * (q.0 - mb)).sum();
        let sbt: f64 = pts.iter().map(|q| (q.0 - mb) * (q.1 - mt)).sum();
        if sbb <= 0.0 {
            return None;
        }
        let slope = sbt / sbb;
        if !(slope.is_finite() && slope > 0.5 * period && slope < 2.0 * period) {
            return None;
        }
        a = mt - slope * mb;
        p = slope;
    }
    Some(p / fs)
}

/// Offset of `dt` from the nearest multiple of `period`, in periods (-0.5..0.5).
fn grid_offset(dt: f64, period: f64) -> f64 {
    let x = dt / period;
    x - x.round()
}

/// Folds a tempo into 60-200 bpm, or into the octave nearest the session's.
fn fold(bpm: f64, session: Option<f64>) -> f64 {
    let mut t = bpm;
    match session.filter(|s| s.is_finite() && *s > 0.0) {
        Some(s) => {
            while t / s > std::f64::consts::SQRT_2 {
                t /= 2.0;
            }
            while s / t > std::f64::consts::SQRT_2 {
                t *= 2.0;
            }
        }
        None => {
            while t >= MAX_BPM {
                t /= 2.0;
            }
            while t < MIN_BPM {
                t *= 2.0;
            }
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_prefers_the_session_octave() {
        assert!((fold(174.0, None) - 174.0).abs() < 1e-9);
        assert!((fold(174.0, Some(87.0)) - 87.0).abs() < 1e-9);
        assert!((fold(240.0, None) - 120.0).abs() < 1e-9);
        assert!((fold(45.0, Some(180.0)) - 180.0).abs() < 1e-9);
    }

    #[test]
    fn grid_fit_recovers_the_period() {
        let onsets: Vec<(u64, f64)> = (0..16).map(|i| (1000 + i * 24000 + (i % 3), 1.0)).collect();
        let p = fit_grid(&onsets, 24100.0, 48000.0).expect("fit");
        assert!((p - 0.5).abs() < 1e-4, "{p}");
    }
}
