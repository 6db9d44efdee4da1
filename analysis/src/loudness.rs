//! Loudness and peaks: EBU R128 / ITU-R BS.1770 through the `ebur128` crate.

use ebur128::{EbuR128, Mode};
use serde::{Deserialize, Serialize};

use crate::util::{amp_db, clean, finite, power_db, stereo_sums};
use crate::Audio;

/// Loudness and level of a stereo signal.
///
/// Every value is `None` where it does not exist: silence has no loudness and
/// no peak, a span shorter than 3 s has no short-term values and one shorter
/// than 400 ms no momentary maximum. No value is ever NaN or infinite.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Loudness {
    /// Gated integrated loudness over the span, LUFS (BS.1770 / EBU mode I).
    pub integrated_lufs: Option<f64>,
    /// Short-term loudness of the last 3 s of the span, LUFS (EBU mode S).
    pub short_term_lufs: Option<f64>,
    /// Largest short-term loudness, 3 s windows every 100 ms, LUFS.
    pub short_term_max_lufs: Option<f64>,
    /// Largest momentary loudness, 400 ms windows every 100 ms, LUFS.
    pub momentary_max_lufs: Option<f64>,
    /// Largest true peak (4x oversampled below 96 kHz, by `ebur128`) over both
    /// channels, dBTP, and never below the sample peak. Only the stretches
    /// within 6 dB of the sample peak are oversampled (that is where an
    /// inter-sample peak above the sample peak forms), and the first 32
    /// frames of the span only by their sample peak (the span's start is a
    /// cut, whose jump would ring in the interpolator).
    pub true_peak_dbtp: Option<f64>,
    /// Largest absolute sample over both channels, dBFS.
    pub sample_peak_dbfs: Option<f64>,
    /// RMS over both channels, dBFS, with a full-scale sine at -3.01 dBFS
    /// (no AES17 +3 dB correction).
    pub rms_dbfs: Option<f64>,
    /// Crest factor: `sample_peak_dbfs - rms_dbfs`, dB.
    pub crest_db: Option<f64>,
}

/// Converts a loudness in LUFS back to the BS.1770 weighted mean-square energy.
fn energy_of(lufs: f64) -> f64 {
    if lufs.is_finite() {
        10f64.powf((lufs + 0.691) / 10.0)
    } else {
        0.0
    }
}

/// Converts a BS.1770 weighted mean-square energy to LUFS.
fn lufs_of(energy: f64) -> Option<f64> {
    power_db(energy).map(|db| db - 0.691)
}

/// Measures the loudness and levels of `audio`.
///
/// The signal goes through `ebur128` (modes I, S and M) in 100 ms
/// blocks. After each block the loudness of that block is read from the meter
/// (`loudness_window(100)`); the momentary (400 ms) and short-term (3 s)
/// maxima are the means of 4 and 30 consecutive block energies, which is what
/// the meter would read at that instant, measured at 10 Hz as EBU Tech 3341
/// asks. The true peak is `ebur128`'s TRUE_PEAK mode over the stretches near
/// the sample peak (see [`Loudness::true_peak_dbtp`]).
/// Non-finite samples are read as 0. Rates the meter does not take
/// (below 16 Hz) give only the sample peak, RMS and crest.
pub fn loudness(audio: &Audio) -> Loudness {
    let n = audio.frames();
    let left = clean(&audio.left[..n]);
    let right = clean(&audio.right[..n]);
    let mut out = Loudness::default();
    if n == 0 {
        return out;
    }

    let (peak, sum_sq) = peak_and_energy(&left, &right);
    out.sample_peak_dbfs = amp_db(f64::from(peak));
    out.rms_dbfs = power_db(sum_sq / (2 * n) as f64);
    out.crest_db = match (out.sample_peak_dbfs, out.rms_dbfs) {
        (Some(p), Some(r)) => finite(p - r),
        _ => None,
    };
    if out.sample_peak_dbfs.is_none() {
        return out; // digital silence: no loudness, no peak
    }

    let mode = Mode::I | Mode::S | Mode::M;
    let Ok(mut meter) = EbuR128::new(2, audio.rate, mode) else {
        return out;
    };
    let block = audio.rate as usize / 10;
    if block == 0 {
        return out;
    }
    let mut energies: Vec<f64> = Vec::with_capacity(n / block + 1);
    let mut pos = 0;
    while pos < n {
        let end = (pos + block).min(n);
        if meter
            .add_frames_planar_f32(&[&left[pos..end], &right[pos..end]])
            .is_err()
        {
            return out;
        }
        if end - pos == block {
            if let Ok(l) = meter.loudness_window(100) {
                energies.push(energy_of(l));
            }
        }
        pos = end;
    }

    out.integrated_lufs = meter.loudness_global().ok().and_then(finite);
    out.momentary_max_lufs = max_window_mean(&energies, 4).and_then(lufs_of);
    out.short_term_max_lufs = max_window_mean(&energies, 30).and_then(lufs_of);
    if n >= 3 * audio.rate as usize {
        out.short_term_lufs = meter.loudness_shortterm().ok().and_then(finite);
    }
    out.true_peak_dbtp = true_peak(&left, &right, audio.rate, peak).and_then(amp_db);
    out
}

/// Frames of context fed around each stretch the true-peak meter reads.
const TP_CONTEXT: usize = 32;

/// True peak (linear) by `ebur128`'s TRUE_PEAK mode, run only over the
/// stretches where a channel comes within 6 dB of the sample peak `peak`,
/// each with 32 frames of context before and after.
///
/// In practice an inter-sample peak above the sample peak forms between
/// samples that are near it themselves, so this reads what metering
/// everything would, at a fraction of the cost on music whose peaks are
/// sparse. The meter is reset before each stretch and its first 32 frames
/// only warm the interpolator up (its ringing after the jump from an empty
/// state is not in the signal); so the first 32 frames of the span, where the
/// capture was cut, count with their sample peak only.
fn true_peak(left: &[f32], right: &[f32], rate: u32, peak: f32) -> Option<f64> {
    let mut meter = EbuR128::new(2, rate, Mode::TRUE_PEAK).ok()?;
    let level = peak * 0.5;
    let n = left.len().min(right.len());
    let loud = |i: usize| left[i].abs() >= level || right[i].abs() >= level;
    let mut best = f64::from(peak);
    let mut i = 0;
    while i < n {
        // skip quiet blocks of 64 frames with a vectorisable maximum
        if i % 64 == 0 && i + 64 <= n {
            let m = left[i..i + 64]
                .iter()
                .chain(&right[i..i + 64])
                .fold(0f32, |m, x| m.max(x.abs()));
            if m < level {
                i += 64;
                continue;
            }
        }
        if !loud(i) {
            i += 1;
            continue;
        }
        // a stretch of loud frames, joined across gaps shorter than 2 contexts
        let from = i;
        let mut last = i;
        let mut j = i + 1;
        while j < n && j <= last + 2 * TP_CONTEXT {
            if loud(j) {
                last = j;
            }
            j += 1;
        }
        let (a, b) = (
            from.saturating_sub(TP_CONTEXT),
            (last + TP_CONTEXT + 1).min(n),
        );
        // the first frames only warm the interpolator up: its ringing after
        // the jump from its empty state is not the signal's
        let warm = (a + TP_CONTEXT).min(b);
        meter.reset();
        meter
            .add_frames_planar_f32(&[&left[a..warm], &right[a..warm]])
            .ok()?;
        if warm < b {
            meter
                .add_frames_planar_f32(&[&left[warm..b], &right[warm..b]])
                .ok()?;
            for c in 0..2 {
                best = best.max(meter.prev_true_peak(c).ok()?);
            }
        }
        i = last + 1;
    }
    Some(best)
}

/// Sample peak over both channels and `Σ (l² + r²)`.
fn peak_and_energy(left: &[f32], right: &[f32]) -> (f32, f64) {
    let n = left.len().min(right.len());
    let peak = left[..n]
        .iter()
        .chain(&right[..n])
        .fold(0f32, |p, &x| p.max(x.abs()));
    let [ll, rr, _] = stereo_sums(&left[..n], &right[..n]);
    (peak, ll + rr)
}

/// Largest mean of `w` consecutive values, `None` when there are fewer than `w`.
fn max_window_mean(values: &[f64], w: usize) -> Option<f64> {
    if w == 0 || values.len() < w {
        return None;
    }
    let mut sum: f64 = values[..w].iter().sum();
    let mut best = sum;
    for i in w..values.len() {
        sum += values[i] - values[i - w];
        best = best.max(sum);
    }
    Some(best / w as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_mean_picks_the_loudest_run() {
        let v = [1.0, 1.0, 5.0, 5.0, 1.0];
        assert_eq!(max_window_mean(&v, 2), Some(5.0));
        assert_eq!(max_window_mean(&v, 6), None);
    }

    #[test]
    fn energy_and_lufs_are_inverse() {
        let e = energy_of(-23.0);
        assert!((lufs_of(e).unwrap_or(0.0) + 23.0).abs() < 1e-9);
        assert_eq!(lufs_of(energy_of(f64::NEG_INFINITY)), None);
    }
}
