//! Stereo image (correlation, width, balance) and DC offset.

use serde::{Deserialize, Serialize};

use crate::util::{finite, finite_sum, power_db, stereo_sums};
use crate::Audio;

/// The stereo image of a signal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Stereo {
    /// Pearson-style correlation of left and right about zero,
    /// `Σ l·r / sqrt(Σ l² · Σ r²)`, -1..1: 1 is mono, 0 unrelated, -1 inverted.
    /// `None` when either channel is silent.
    pub correlation: Option<f64>,
    /// Width as a percentage: `100 · rms(side) / rms(mid)` with
    /// `mid = (l + r) / 2` and `side = (l − r) / 2`. 0 is mono, 100 is as much
    /// side as mid (e.g. independent channels). `None` when the mid is silent
    /// (silence, or channels exactly inverted).
    pub width_pct: Option<f64>,
    /// Level of left over right, dB: `10·log10(Σ l² / Σ r²)`; positive means
    /// the left is louder. `None` when either channel is silent.
    pub balance_db: Option<f64>,
}

/// Measures the stereo image of `audio` (non-finite samples are skipped).
pub fn stereo(audio: &Audio) -> Stereo {
    let n = audio.frames();
    let [ll, rr, lr] = stereo_sums(&audio.left[..n], &audio.right[..n]);
    let mut out = Stereo::default();
    if ll > 0.0 && rr > 0.0 {
        out.correlation = finite((lr / (ll * rr).sqrt()).clamp(-1.0, 1.0));
        out.balance_db = power_db(ll / rr);
    }
    // Σ mid² = (ll + rr + 2 lr) / 4, Σ side² = (ll + rr − 2 lr) / 4
    let mid = (ll + rr + 2.0 * lr).max(0.0);
    let side = (ll + rr - 2.0 * lr).max(0.0);
    if mid > 1e-30 * (ll + rr) && mid > 0.0 {
        out.width_pct = finite(100.0 * (side / mid).sqrt());
    }
    out
}

/// The mean of the samples (DC offset), skipping non-finite ones; 0 when empty.
pub fn dc_offset(samples: &[f32]) -> f64 {
    let (sum, count) = finite_sum(samples);
    if count == 0 {
        0.0
    } else {
        sum / count as f64
    }
}
