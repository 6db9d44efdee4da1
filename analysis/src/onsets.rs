//! Onsets: where hits and notes start, to a few samples, and how they match
//! the frames the notes were scheduled on.
//!
//! Detection is a band-wise spectral flux: Hann frames of about 43 ms (2048
//! samples at 44.1/48 kHz) every quarter frame, the power grouped into about
//! 30 bands (at least two bins, a quarter octave wide above that), and the
//! summed rise of each band's log power (floored 60 dB below the loudest)
//! over the louder of the two frames before. Peaks of that novelty above a
//! moving median, whose frame brings a real share of new power (not the
//! splash of a sound ending), are onsets; each is then placed on the sample
//! where its rise begins (see `refine.rs`: an AIC change-point picker on the
//! signal and on a linear predictor's residual).

use serde::{Deserialize, Serialize};

use crate::fft::RealPower;
use crate::refine::{refine, StartLevel, MIN_RISE};
use crate::util::{clean, median, ms_frames};

/// Onsets closer than this merge into one, ms.
const MIN_GAP_MS: f64 = 25.0;
/// A scheduled onset is matched to a detected one at most this far away, ms.
const MATCH_MS: f64 = 30.0;
/// The new power an onset's frame must bring, as a share of the total power
/// (of that frame or of those before it, whichever is more; -25 dB): less is
/// the splash of a sound ending, or a change of colour.
const MIN_RISE_SHARE: f64 = 0.003_16;
/// Scheduled onsets closer than this count as one (a chord, a kick with bass), ms.
const SAME_ONSET_MS: f64 = 10.0;

/// The onset novelty of a signal: one value per hop.
pub(crate) struct Novelty {
    /// Summed log-power rise (in bels, summed over bands) per frame.
    pub values: Vec<f64>,
    /// Samples between frames.
    pub hop: usize,
    /// Frame length in samples; frame `i` covers samples `i·hop − len .. i·hop`.
    pub len: usize,
    /// Each frame's rise in power (summed over the bands that grew, against
    /// the louder of the two frames before) as a share of the total power of
    /// that frame or of those before it, whichever is more.
    pub rise_share: Vec<f64>,
}

/// Computes the band-wise spectral-flux novelty of `x`.
pub(crate) fn novelty(x: &[f32], rate: u32) -> Option<Novelty> {
    if rate == 0 || x.len() < 64 {
        return None;
    }
    let len = ((f64::from(rate) * 0.042).round() as usize)
        .next_power_of_two()
        .clamp(64, 16384);
    let hop = len / 4;
    let window: Vec<f32> = (0..len)
        .map(|i| (0.5 - 0.5 * (2.0 * std::f64::consts::PI * i as f64 / len as f64).cos()) as f32)
        .collect();
    // band edges in bins: single bins at the bottom, then quarter octaves
    let half = len / 2;
    let mut edges = vec![1usize];
    while let Some(&last) = edges.last() {
        if last >= half {
            break;
        }
        let next = ((last as f64 * 2f64.powf(0.25)).round() as usize)
            .max(last + 2)
            .min(half);
        edges.push(next);
    }
    let frames = x.len().div_ceil(hop) + 1;
    let mut rp = RealPower::new(len);
    let mut pa = vec![0f64; rp.bins()];
    let mut pb = vec![0f64; rp.bins()];
    let nb = edges.len() - 1;
    let mut bands = vec![0f64; frames * nb];
    let mut i = 0;
    while i < frames {
        pa.iter_mut().for_each(|v| *v = 0.0);
        pb.iter_mut().for_each(|v| *v = 0.0);
        // frame i ends at sample i·hop (zeros before the signal starts)
        rp.add_frames(x, (i * hop, (i + 1) * hop), &window, &mut pa, &mut pb);
        for (k, p) in [(i, &pa), (i + 1, &pb)] {
            if k < frames {
                for b in 0..nb {
                    bands[k * nb + b] = p[edges[b]..edges[b + 1]].iter().sum();
                }
            }
        }
        i += 2;
    }
    let loudest = bands.iter().copied().fold(0.0, f64::max);
    if loudest <= 0.0 || !loudest.is_finite() {
        return None;
    }
    let floor = loudest * 1e-6; // 60 dB below the loudest band
    let logs: Vec<f64> = bands.iter().map(|&e| (e + floor).log10()).collect();
    let mut values = vec![0f64; frames];
    let mut rise_share = vec![0f64; frames];
    for f in 1..frames {
        let (mut sum, mut grew, mut now, mut then) = (0.0, 0.0, 0.0, 0.0);
        let earlier = if f >= 2 { f - 2 } else { f - 1 };
        for b in 0..nb {
            let prev = logs[(f - 1) * nb + b].max(logs[earlier * nb + b]);
            sum += (logs[f * nb + b] - prev).max(0.0);
            let e = bands[f * nb + b];
            let before = bands[(f - 1) * nb + b].max(bands[earlier * nb + b]);
            grew += (e - before).max(0.0);
            now += e;
            then += before;
        }
        values[f] = sum;
        let total = now.max(then);
        rise_share[f] = if total > 0.0 { grew / total } else { 0.0 };
    }
    Some(Novelty {
        values,
        hop,
        len,
        rise_share,
    })
}

/// Peaks of the novelty, refined to samples: `(sample, strength)` in order.
pub(crate) fn pick(x: &[f32], rate: u32, nov: &Novelty) -> Vec<(u64, f64)> {
    let v = &nov.values;
    let n = v.len();
    let top = v.iter().copied().fold(0.0, f64::max);
    if n < 3 || top <= 0.0 {
        return Vec::new();
    }
    let delta = (0.06 * top).max(1.5);
    let half_med = (0.1 * f64::from(rate) / nov.hop as f64).ceil() as usize; // ±100 ms
    let mut peaks: Vec<(usize, f64)> = Vec::new();
    for i in 1..n {
        let lo = i.saturating_sub(3);
        let hi = (i + 3).min(n - 1);
        if v[i] < v[lo..=hi].iter().copied().fold(0.0, f64::max) || v[i] <= v[i - 1] {
            continue;
        }
        // a sound ending splashes a little into quiet bands, which the log
        // flux sees as rises: an onset must bring a real share of power
        if nov.rise_share.get(i).is_none_or(|&r| r < MIN_RISE_SHARE) {
            continue;
        }
        let local: Vec<f64> = v[i.saturating_sub(half_med)..(i + half_med).min(n - 1) + 1].to_vec();
        if v[i] > median(&local).unwrap_or(0.0) + delta {
            peaks.push((i, v[i]));
        }
    }
    let gap = ms_frames(rate, MIN_GAP_MS) as u64;
    let start = StartLevel::of(x, rate);
    let mut out: Vec<(u64, f64)> = Vec::new();
    let mut prev_end = 0usize;
    for (i, strength) in peaks {
        let end = i * nov.hop; // the frame's last sample
        let lo = end.saturating_sub(nov.len + nov.hop).max(prev_end);
        let hi = (end + nov.hop).min(x.len());
        let found = refine(x, lo, hi).filter(|r| r.1 >= MIN_RISE);
        let at = if lo == 0 && start.playing && start.loud {
            // loud from the first sample: the span starts on an onset,
            // unless a clear one follows well inside the first stretch
            match found {
                Some((at, _)) if at >= ms_frames(rate, 20.0) => at,
                _ => 0,
            }
        } else {
            match found {
                Some((at, _)) => at,
                None => continue,
            }
        };
        match out.last_mut() {
            Some(last) if (at as u64) < last.0 + gap => {
                if strength > last.1 {
                    *last = (at as u64, strength);
                }
            }
            _ => out.push((at as u64, strength)),
        }
        prev_end = at + ms_frames(rate, 5.0);
    }
    out
}

/// Onset frames of `mono` (relative to its first sample), in order.
///
/// Accurate to a few samples for percussive hits and note starts that rise
/// out of quieter sound; onsets closer than 25 ms merge. A sound already
/// playing at the first sample counts as an onset there (frame 0) when it is
/// within 15 dB of the loudest 20 ms of the signal; a quieter bed (a noise
/// floor, a pad carried over from before the span) does not. Non-finite samples
/// read as 0; a zero rate or fewer than 64 samples give none.
pub fn onsets(mono: &[f32], rate: u32) -> Vec<u64> {
    let x = clean(mono);
    match novelty(&x, rate) {
        Some(nov) => pick(&x, rate, &nov).into_iter().map(|o| o.0).collect(),
        None => Vec::new(),
    }
}

/// How the detected onsets matched the scheduled ones.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OnsetReport {
    /// Distinct scheduled onsets (those within 10 ms of each other count once).
    pub scheduled: usize,
    /// Scheduled onsets with a detected onset within 30 ms.
    pub found: usize,
    /// Scheduled onsets without one.
    pub missed: usize,
    /// Detected onsets matched to nothing scheduled.
    pub extra: usize,
    /// The error (detected − scheduled, frames) of largest magnitude, signed.
    pub worst_frames: Option<i64>,
    /// Median of the signed errors, frames (a steady latency shows here).
    pub median_frames: Option<f64>,
    /// `worst_frames` in milliseconds.
    pub worst_ms: Option<f64>,
    /// The scheduled frames that were missed (at most 16, earliest first).
    pub missed_frames: Vec<u64>,
}

/// Matches each scheduled onset (absolute frames) to the nearest detected one
/// (same frame base) within 30 ms, one to one, closest pairs first.
pub fn onset_report(detected: &[u64], scheduled: &[u64], rate: u32) -> OnsetReport {
    let same = ms_frames(rate, SAME_ONSET_MS) as u64;
    let window = ms_frames(rate, MATCH_MS) as u64;
    let mut sched: Vec<u64> = scheduled.to_vec();
    sched.sort_unstable();
    let mut distinct: Vec<u64> = Vec::with_capacity(sched.len());
    for s in sched {
        if distinct.last().is_none_or(|&l| s > l.saturating_add(same)) {
            distinct.push(s);
        }
    }
    let mut det: Vec<u64> = detected.to_vec();
    det.sort_unstable();
    det.dedup();
    let mut pairs: Vec<(u64, usize, usize)> = Vec::new();
    for (si, &s) in distinct.iter().enumerate() {
        let from = det.partition_point(|&d| d.saturating_add(window) < s);
        for (di, &d) in det.iter().enumerate().skip(from) {
            if d > s.saturating_add(window) {
                break;
            }
            pairs.push((d.abs_diff(s), si, di));
        }
    }
    pairs.sort_unstable();
    let mut s_used = vec![false; distinct.len()];
    let mut d_used = vec![false; det.len()];
    let mut errors: Vec<i64> = Vec::new();
    for (_, si, di) in pairs {
        if s_used[si] || d_used[di] {
            continue;
        }
        s_used[si] = true;
        d_used[di] = true;
        let e = i128::from(det[di]) - i128::from(distinct[si]);
        errors.push(e.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64);
    }
    let worst = errors.iter().copied().max_by_key(|e| e.unsigned_abs());
    let as_f: Vec<f64> = errors.iter().map(|&e| e as f64).collect();
    OnsetReport {
        scheduled: distinct.len(),
        found: errors.len(),
        missed: distinct.len() - errors.len(),
        extra: det.len() - errors.len(),
        worst_frames: worst,
        median_frames: median(&as_f),
        worst_ms: worst
            .filter(|_| rate > 0)
            .map(|w| 1000.0 * w as f64 / f64::from(rate)),
        missed_frames: distinct
            .iter()
            .zip(&s_used)
            .filter(|(_, &u)| !u)
            .map(|(&s, _)| s)
            .take(16)
            .collect(),
    }
}
