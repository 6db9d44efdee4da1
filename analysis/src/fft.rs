//! Transforms: power spectra of real frames on top of `rustfft` (two frames
//! per complex transform), a cross-correlation by FFT, and a Goertzel DFT at
//! arbitrary frequencies with its Hann window, for pitch.

use rustfft::algorithm::Radix4;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftDirection, FftNum};

/// A transform of a power-of-two `n` points. Radix 4 alone: rustfft's
/// planner would pick SIMD code but compiles every algorithm for every
/// instruction set, for f32 and f64 (most of this crate's build time);
/// the analysis spends little of its time in FFTs.
fn radix4<T: FftNum>(n: usize, direction: FftDirection) -> Radix4<T> {
    debug_assert!(n.is_power_of_two(), "an FFT of {n} points");
    Radix4::new(n, direction)
}

/// Power spectra of real frames of one length, two frames per complex FFT.
pub(crate) struct RealPower {
    n: usize,
    fft: Radix4<f32>,
    buf: Vec<Complex<f32>>,
    scratch: Vec<Complex<f32>>,
}

impl RealPower {
    /// A transform of `n` points (`n` >= 2).
    pub(crate) fn new(n: usize) -> Self {
        let n = n.max(2);
        let fft = radix4(n, FftDirection::Forward);
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

    /// Power spectra of the two frames of `x` ending (exclusive) at `end_a` and
    /// `end_b`, each `n` long and multiplied by `window`; samples outside `x`
    /// read as 0. Added into `out_a` and `out_b` like [`RealPower::add_pair`].
    pub(crate) fn add_frames(
        &mut self,
        x: &[f32],
        (end_a, end_b): (usize, usize),
        window: &[f32],
        out_a: &mut [f64],
        out_b: &mut [f64],
    ) {
        let n = self.n;
        self.buf.iter_mut().for_each(|z| *z = Complex::default());
        for (end, imag) in [(end_a, false), (end_b, true)] {
            // frame sample j is x[end - n + j]
            let first = n.saturating_sub(end).min(n); // first j inside x
            let start = (end + first).saturating_sub(n).min(x.len());
            let count = (n - first).min(x.len() - start);
            let src = &x[start..start + count];
            let dst = &mut self.buf[first..first + count];
            let win = window.get(first..).unwrap_or(&[]);
            for ((z, &v), &w) in dst.iter_mut().zip(src).zip(win) {
                if imag {
                    z.im = v * w;
                } else {
                    z.re = v * w;
                }
            }
        }
        self.transform_into(out_a, out_b);
    }

    /// Like [`RealPower::add_pair`], with the frames' samples given by index.
    pub(crate) fn add_pair_with(
        &mut self,
        a: impl Fn(usize) -> f32,
        b: impl Fn(usize) -> f32,
        out_a: &mut [f64],
        out_b: &mut [f64],
    ) {
        for (j, z) in self.buf.iter_mut().enumerate() {
            *z = Complex::new(a(j), b(j));
        }
        self.transform_into(out_a, out_b);
    }

    /// Transforms the loaded buffer and adds both frames' power spectra.
    fn transform_into(&mut self, out_a: &mut [f64], out_b: &mut [f64]) {
        let n = self.n;
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
    let (fwd, inv) = (
        radix4::<f64>(size, FftDirection::Forward),
        radix4::<f64>(size, FftDirection::Inverse),
    );
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

/// A symmetric Hann window of `l` points (sampled at half-sample offsets),
/// built by rotating a phasor instead of calling `cos` per point.
pub(crate) fn hann(l: usize) -> Vec<f64> {
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

/// DTFT `Σ y[j]·w[j]·e^{-iωj}` at each `ω` (Goertzel), as (re, im).
pub(crate) fn goertzel(y: &[f64], win: &[f64], omegas: &[f64]) -> Vec<(f64, f64)> {
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
    fn windowed_frames_match_copied_frames() {
        let n = 32;
        let x: Vec<f32> = (0..50).map(|i| ((i * 7 % 11) as f32 - 5.0) / 5.0).collect();
        let window: Vec<f32> = (0..n).map(|j| 0.5 + j as f32 / 64.0).collect();
        let frame = |end: usize| -> Vec<f32> {
            (0..n)
                .map(|j| {
                    let p = end as isize - n as isize + j as isize;
                    if p >= 0 && (p as usize) < x.len() {
                        x[p as usize] * window[j]
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        let mut rp = RealPower::new(n);
        for (ea, eb) in [(0, 8), (10, 40), (32, 64), (60, 90), (100, 120)] {
            let (mut a1, mut b1) = (vec![0.0; rp.bins()], vec![0.0; rp.bins()]);
            let (mut a2, mut b2) = (vec![0.0; rp.bins()], vec![0.0; rp.bins()]);
            rp.add_frames(&x, (ea, eb), &window, &mut a1, &mut b1);
            rp.add_pair(&frame(ea), &frame(eb), &mut a2, &mut b2);
            for k in 0..rp.bins() {
                assert!(
                    (a1[k] - a2[k]).abs() < 1e-6 && (b1[k] - b2[k]).abs() < 1e-6,
                    "{ea} {eb} {k}"
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
