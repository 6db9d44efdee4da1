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
    if count_not_finite(x) == 0 {
        Cow::Borrowed(x)
    } else {
        Cow::Owned(
            x.iter()
                .map(|&s| if s.is_finite() { s } else { 0.0 })
                .collect(),
        )
    }
}

/// How many samples are NaN or infinite (a branch-free, vectorisable count).
pub(crate) fn count_not_finite(x: &[f32]) -> usize {
    let mut cnt = [0u32; LANES];
    let mut total = 0usize;
    for block in x.chunks(1 << 20) {
        let chunks = block.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for i in 0..LANES {
                cnt[i] += u32::from(c[i].to_bits() & 0x7f80_0000 == 0x7f80_0000);
            }
        }
        total += rest.iter().filter(|v| !v.is_finite()).count();
        total += cnt.iter().map(|&c| c as usize).sum::<usize>();
        cnt = [0; LANES];
    }
    total
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

/// Lanes of the sums below: independent accumulators let the adds overlap
/// and vectorise.
const LANES: usize = 8;
/// Samples summed in `f32` lanes before the block's sum goes into an `f64`:
/// short enough that the `f32` rounding stays near 1e-5 of the block's sum.
const BLOCK: usize = 1024;

/// `x` when finite, else 0 (branch-free, so loops over it vectorise).
#[inline(always)]
fn or_zero(x: f32) -> f32 {
    f32::from_bits(x.to_bits() & finite_mask(x))
}

/// All ones when `x` is finite, else 0.
#[inline(always)]
fn finite_mask(x: f32) -> u32 {
    u32::from(x.to_bits() & 0x7f80_0000 != 0x7f80_0000).wrapping_neg()
}

/// `[Σ l², Σ r², Σ l·r]`, non-finite samples read as 0.
pub(crate) fn stereo_sums(left: &[f32], right: &[f32]) -> [f64; 3] {
    let n = left.len().min(right.len());
    let mut total = [0f64; 3];
    for (lb, rb) in left[..n].chunks(BLOCK).zip(right[..n].chunks(BLOCK)) {
        let mut acc = [[0f32; LANES]; 3];
        let (lc, rc) = (lb.chunks_exact(LANES), rb.chunks_exact(LANES));
        let (lrest, rrest) = (lc.remainder(), rc.remainder());
        for (l, r) in lc.zip(rc) {
            for i in 0..LANES {
                let (a, b) = (or_zero(l[i]), or_zero(r[i]));
                acc[0][i] += a * a;
                acc[1][i] += b * b;
                acc[2][i] += a * b;
            }
        }
        for (&l, &r) in lrest.iter().zip(rrest) {
            let (a, b) = (or_zero(l), or_zero(r));
            acc[0][0] += a * a;
            acc[1][0] += b * b;
            acc[2][0] += a * b;
        }
        for k in 0..3 {
            total[k] += acc[k].iter().map(|&v| f64::from(v)).sum::<f64>();
        }
    }
    total
}

/// `(Σ x, count)` over the finite samples.
pub(crate) fn finite_sum(x: &[f32]) -> (f64, usize) {
    let mut total = 0f64;
    let mut count = 0usize;
    for block in x.chunks(BLOCK) {
        let mut acc = [0f32; LANES];
        let mut cnt = [0u32; LANES];
        let chunks = block.chunks_exact(LANES);
        let rest = chunks.remainder();
        for c in chunks {
            for i in 0..LANES {
                let m = finite_mask(c[i]);
                acc[i] += f32::from_bits(c[i].to_bits() & m);
                cnt[i] += m & 1;
            }
        }
        for &v in rest {
            acc[0] += or_zero(v);
            cnt[0] += u32::from(v.is_finite());
        }
        total += acc.iter().map(|&v| f64::from(v)).sum::<f64>();
        count += cnt.iter().map(|&c| c as usize).sum::<usize>();
    }
    (total, count)
}

/// What one pass over a stereo signal gives: its mono mix and plain statistics.
pub(crate) struct Scan {
    /// `(l + r) / 2`, non-finite samples read as 0.
    pub mono: Vec<f32>,
    /// Non-finite samples over both channels.
    pub not_finite: usize,
    /// Mean of the finite samples of each channel (DC offset).
    pub mean: [f64; 2],
    /// `Σ (l² + r²)` over the finite samples.
    pub energy: f64,
    /// Largest absolute finite sample over both channels.
    pub peak: f32,
}

/// One pass over `left` and `right` (as long as the shorter).
pub(crate) fn scan(left: &[f32], right: &[f32]) -> Scan {
    let n = left.len().min(right.len());
    let mut mono = Vec::with_capacity(n);
    let (mut not_finite, mut total_sq) = (0usize, 0f64);
    let (mut sums, mut counts) = ([0f64; 2], [0usize; 2]);
    let mut peak = 0f32;
    for (lb, rb) in left[..n].chunks(BLOCK).zip(right[..n].chunks(BLOCK)) {
        let (mut s, mut q) = ([0f32; 2], 0f32);
        let mut bad = [0u32; 2];
        for (&l, &r) in lb.iter().zip(rb) {
            let (ml, mr) = (finite_mask(l), finite_mask(r));
            let (a, b) = (
                f32::from_bits(l.to_bits() & ml),
                f32::from_bits(r.to_bits() & mr),
            );
            mono.push(0.5 * (a + b));
            s[0] += a;
            s[1] += b;
            q += a * a + b * b;
            peak = peak.max(a.abs()).max(b.abs());
            bad[0] += !ml & 1;
            bad[1] += !mr & 1;
        }
        for c in 0..2 {
            sums[c] += f64::from(s[c]);
            counts[c] += lb.len() - bad[c] as usize;
            not_finite += bad[c] as usize;
        }
        total_sq += f64::from(q);
    }
    let mean = [0, 1].map(|c| {
        if counts[c] == 0 {
            0.0
        } else {
            sums[c] / counts[c] as f64
        }
    });
    Scan {
        mono,
        not_finite,
        mean,
        energy: total_sq,
        peak,
    }
}
