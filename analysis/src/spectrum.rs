//! Spectral balance: energy in five bands and the spectral centroid.

use serde::{Deserialize, Serialize};

use crate::fft::RealPower;
use crate::util::{finite, power_db};
use crate::Audio;

/// Welch segment length at 44.1 and 48 kHz (shorter signals use a shorter one).
const SEGMENT: usize = 4096;

/// Band edges in Hz: sub, low, low-mid, high-mid, high (up to Nyquist).
pub(crate) const EDGES_HZ: [f64; 4] = [60.0, 250.0, 2000.0, 6000.0];

/// One frequency band of a [`Bands`] measurement.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Band {
    /// Lower edge, Hz.
    pub low_hz: f64,
    /// Upper edge, Hz (the highest band ends at Nyquist).
    pub high_hz: f64,
    /// The band's share of the total energy, dB (0 is everything, -3 half);
    /// `None` when the band holds no energy at all.
    pub share_db: Option<f64>,
    /// The band's share of the total energy, percent.
    pub share_pct: f64,
    /// The band's own level: the mean-square power it contributes, dBFS
    /// (a full-scale sine inside the band reads -3.01). `None` when empty.
    pub level_dbfs: Option<f64>,
}

/// Spectral balance of the mono mix `(left + right) / 2`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Bands {
    /// Below 60 Hz.
    pub sub: Band,
    /// 60 to 250 Hz.
    pub low: Band,
    /// 250 Hz to 2 kHz.
    pub low_mid: Band,
    /// 2 to 6 kHz.
    pub high_mid: Band,
    /// Above 6 kHz.
    pub high: Band,
    /// Power-weighted mean frequency of the spectrum, Hz; `None` for silence.
    pub centroid_hz: Option<f64>,
}

impl Bands {
    /// The bands with their short names ("sub", "low", "low-mid", "high-mid", "high").
    pub fn iter(&self) -> [(&'static str, &Band); 5] {
        [
            ("sub", &self.sub),
            ("low", &self.low),
            ("low-mid", &self.low_mid),
            ("high-mid", &self.high_mid),
            ("high", &self.high),
        ]
    }

    /// A band's range as the report spells it, e.g. "low (60-250 Hz)".
    pub fn label(name: &str) -> String {
        match name {
            "sub" => "sub (<60 Hz)".into(),
            "low" => "low (60-250 Hz)".into(),
            "low-mid" => "low-mid (250 Hz-2 kHz)".into(),
            "high-mid" => "high-mid (2-6 kHz)".into(),
            "high" => "high (>6 kHz)".into(),
            other => other.into(),
        }
    }
}

/// Measures the spectral balance of `audio`.
///
/// A Welch average of Hann-windowed segments (4096 frames, side by side, the
/// last one aligned to the end; a shorter power of two when the signal is
/// shorter) of the mono mix gives
/// the power spectrum, normalised so that it sums to the signal's mean square.
/// The DC bin is left out of every band and of the centroid. Non-finite
/// samples read as 0. Fewer than 16 frames or a zero rate give empty bands.
pub fn bands(audio: &Audio) -> Bands {
    bands_of_mono(&audio.mono(), audio.rate)
}

/// [`bands`] of a mono signal already mixed, as [`Audio::mono`] gives it
/// (all samples finite).
pub(crate) fn bands_of_mono(mono: &[f32], rate_hz: u32) -> Bands {
    let rate = f64::from(rate_hz);
    let mut out = empty(rate);
    if rate_hz == 0 {
        return out;
    }
    let Some((power, n)) = welch(mono) else {
        return out;
    };
    let bin_hz = rate / n as f64;
    let mut sums = [0f64; 5];
    let mut total = 0f64;
    let mut moment = 0f64;
    for (k, &p) in power.iter().enumerate().skip(1) {
        let f = k as f64 * bin_hz;
        let band = EDGES_HZ.iter().filter(|&&e| f >= e).count();
        sums[band] += p;
        total += p;
        moment += p * f;
    }
    if total <= 0.0 || !total.is_finite() {
        return out;
    }
    out.centroid_hz = finite(moment / total);
    let slots = [
        &mut out.sub,
        &mut out.low,
        &mut out.low_mid,
        &mut out.high_mid,
        &mut out.high,
    ];
    for (slot, &sum) in slots.into_iter().zip(&sums) {
        slot.share_pct = 100.0 * sum / total;
        slot.share_db = power_db(sum / total);
        slot.level_dbfs = power_db(sum);
    }
    out
}

/// Bands with their edges set and nothing in them.
fn empty(rate: f64) -> Bands {
    let nyquist = (rate / 2.0).max(EDGES_HZ[3]);
    let band = |low_hz, high_hz| Band {
        low_hz,
        high_hz,
        ..Band::default()
    };
    Bands {
        sub: band(0.0, EDGES_HZ[0]),
        low: band(EDGES_HZ[0], EDGES_HZ[1]),
        low_mid: band(EDGES_HZ[1], EDGES_HZ[2]),
        high_mid: band(EDGES_HZ[2], EDGES_HZ[3]),
        high: band(EDGES_HZ[3], nyquist),
        centroid_hz: None,
    }
}

/// One-sided Welch power spectrum of `x` (bins `0..=n/2`), scaled so that its
/// sum is the mean square of `x`, and the segment length `n`.
pub(crate) fn welch(x: &[f32]) -> Option<(Vec<f64>, usize)> {
    if x.len() < 16 {
        return None;
    }
    let n = if x.len() >= SEGMENT {
        SEGMENT
    } else {
        // largest power of two not above the length
        1usize << (usize::BITS - 1 - x.len().leading_zeros())
    };
    let hop = n;
    let window: Vec<f32> = (0..n)
        .map(|i| {
            let ph = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
            (0.5 - 0.5 * ph.cos()) as f32
        })
        .collect();
    let win_sq: f64 = window.iter().map(|&w| f64::from(w * w)).sum();
    let mut starts: Vec<usize> = (0..=(x.len() - n) / hop).map(|i| i * hop).collect();
    if let Some(&last) = starts.last() {
        if last + n < x.len() {
            starts.push(x.len() - n); // cover the tail too
        }
    }
    let mut rp = RealPower::new(n);
    let mut acc = vec![0f64; rp.bins()];
    let mut spare = vec![0f64; rp.bins()];
    let mut fa = vec![0f32; n];
    let mut fb = vec![0f32; n];
    for pair in starts.chunks(2) {
        for (f, w) in fa.iter_mut().zip(&window).zip(&x[pair[0]..pair[0] + n]) {
            *f.0 = f.1 * w;
        }
        if let Some(&s) = pair.get(1) {
            for (f, w) in fb.iter_mut().zip(&window).zip(&x[s..s + n]) {
                *f.0 = f.1 * w;
            }
            rp.add_pair(&fa, &fb, &mut acc, &mut spare);
            for (a, s) in acc.iter_mut().zip(spare.iter_mut()) {
                *a += *s;
                *s = 0.0;
            }
        } else {
            fb.iter_mut().for_each(|v| *v = 0.0);
            rp.add_pair(&fa, &fb, &mut acc, &mut spare);
        }
    }
    let half = n / 2;
    let scale = 1.0 / (n as f64 * win_sq * starts.len() as f64);
    for (k, a) in acc.iter_mut().enumerate() {
        let one_sided = if k == 0 || k == half { 1.0 } else { 2.0 };
        *a *= scale * one_sided;
    }
    Some((acc, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_sums_to_the_mean_square() {
        let x: Vec<f32> = (0..10000)
            .map(|i| (2.0 * std::f64::consts::PI * 1000.0 * i as f64 / 48000.0).sin() as f32 * 0.5)
            .collect();
        let (p, _) = welch(&x).expect("long enough");
        let total: f64 = p.iter().sum();
        assert!((total - 0.125).abs() < 0.125 * 0.02, "{total}");
    }

    #[test]
    fn short_input_has_no_spectrum() {
        assert!(welch(&[0.0; 8]).is_none());
    }
}
