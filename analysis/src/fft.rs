//! FFT helpers on top of `rustfft`: power spectra of real frames (two frames
//! per complex transform) and a windowed cross-correlation for pitch.

use std::cell::RefCell;
use std::sync::Arc;

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftPlanner};

thread_local! {
    /// FFT planners (they cache their plans) for this thread.
    static PLAN32: RefCell<FftPlanner<f32>> = RefCell::new(FftPlanner::new());
    static PLAN64: RefCell<FftPlanner<f64>> = RefCell::new(FftPlanner::new());
}

/// Power spectra of real frames of one length, two frames per complex FFT.
pub(crate) struct RealPower {
    n: usize,
    fft: Arc<dyn Fft<f32>>,
    buf: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl RealPower {
    /// A transform of `n` points (`n` >= 2).
    pub(crate) fn new(n: usize) -> Self {
        let n = n.max(2);
        let fft = PLAN32.with(|p| p.borrow_mut().plan_fft_forward(n));
        let scratch = vec![Complex::default(); fft.get_inplace_scratch_len()];
        RealPower {
            n,
            fft,
            buf: vec![Complex::default(); n],
            scratch,
        }
    }

    /// Bins of the one-sided spectrum, `n / 2 + 1`.
    pub(crate) fn bins(&self) -> usize {
        self.n / 2 + 1
    }

    /// `|X_k|²` for `k` in `0..=n/2` of the frames `a` and `b` (each `n` long,
    /// already windowed), added into `out_a` and `out_b`.
    pub(crate) fn add_pair(&mut self, a: &[f32], b: &[f32], out_a: &mut [f64], out_b: &mut [f64]) {
        self.add_pair_with(
            |j| a.get(j).copied().unwrap_or(0.0),
            |j| b.get(j).copied().unwrap_or(0.0),
            out_a,
            out_b,
        );
    }

    /// Like [`RealPower::add_pair`], with the frames' samples given by index.
    pub(crate) fn add_pair_with(
        &mut self,
        a: impl Fn(usize) -> f32,
        b: impl Fn(usize) -> f32,
        out_a: &mut [f64],
        out_b: &mut [f64],
    ) {
        let n = self.n;
        for (j, z) in self.buf.iter_mut().enumerate() {
            *z = Complex::new(a(j), b(j));
        }
        self.fft
            .process_with_scratch(&mut self.buf, &mut self.scratch);
        let half = n / 2;
        let bins = (half + 1).min(out_a.len()).min(out_b.len());
        let (out_a, out_b) = (&mut out_a[..bins], &mut out_b[..bins]);
        for k in 0..bins {
            let zk = self.buf[k];
            let zn = self.buf[if k == 0 { 0 } else { n - k }].conj();
            out_a[k] += f64::from((zk + zn).norm_sqr() * 0.25);
            out_b[k] += f64::from((zk - zn).norm_sqr() * 0.25);
        }
    }
}

/// `r(τ) = Σ_{j<w} x[j]·x[j+τ]` for `τ` in `0..=max_lag`, by FFT.
///
/// Needs `x.len() >= w + max_lag`; shorter input is read as zero-padded.
pub(crate) fn cross_correlation(x: &[f64], w: usize, max_lag: usize) -> Vec<f64> {
    let len = w + max_lag;
    let size = len.next_power_of_two().max(2);
    let (fwd, inv) = PLAN64.with(|p| {
        let mut p = p.borrow_mut();
        (p.plan_fft_forward(size), p.plan_fft_inverse(size))
    });
    // a = x[..w] in the real part, b = x[..w+max_lag] in the imaginary part.
    let mut buf: Vec<Complex<f64>> = (0..size)
        .map(|j| {
            let v = if j < len {
                x.get(j).copied().unwrap_or(0.0)
            } else {
                0.0
            };
            Complex::new(if j < w { v } else { 0.0 }, v)
        })
        .collect();
    fwd.process(&mut buf);
    let mut prod = vec![Complex::default(); size];
    for (k, p) in prod.iter_mut().enumerate() {
        let zk = buf[k];
        let zn = buf[(size - k) % size].conj();
        let a = (zk + zn) * 0.5;
        let b = (zk - zn) * Complex::new(0.0, -0.5);
        *p = a.conj() * b;
    }
    inv.process(&mut prod);
    let scale = 1.0 / size as f64;
    prod.iter()
        .take(max_lag + 1)
        .map(|c| c.re * scale)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pair_spectra_match_a_direct_dft() {
        let n = 64;
        let a: Vec<f32> = (0..n).map(|i| ((i * 7 % 13) as f32 - 6.0) / 6.0).collect();
        let b: Vec<f32> = (0..n).map(|i| ((i * 5 % 11) as f32 - 5.0) / 5.0).collect();
        let mut rp = RealPower::new(n);
        let mut pa = vec![0.0; rp.bins()];
        let mut pb = vec![0.0; rp.bins()];
        rp.add_pair(&a, &b, &mut pa, &mut pb);
        for k in 0..=n / 2 {
            for (x, p) in [(&a, pa[k]), (&b, pb[k])] {
                let (mut re, mut im) = (0f64, 0f64);
                for (j, &v) in x.iter().enumerate() {
                    let ph = -2.0 * std::f64::consts::PI * (k * j) as f64 / n as f64;
                    re += f64::from(v) * ph.cos();
                    im += f64::from(v) * ph.sin();
                }
                let direct = re * re + im * im;
                assert!(
                    (direct - p).abs() < 1e-3 * (1.0 + direct),
                    "bin {k}: {direct} vs {p}"
                );
            }
        }
    }

    #[test]
    fn cross_correlation_matches_direct_sums() {
        let x: Vec<f64> = (0..100)
            .map(|i| ((i * 37 % 17) as f64 - 8.0) / 8.0)
            .collect();
        let r = cross_correlation(&x, 60, 30);
        for (tau, &v) in r.iter().enumerate() {
            let direct: f64 = (0..60).map(|j| x[j] * x[j + tau]).sum();
            assert!((direct - v).abs() < 1e-9, "lag {tau}");
        }
    }
}
