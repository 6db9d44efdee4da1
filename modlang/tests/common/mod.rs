//! Helpers shared by the tests.
#![allow(dead_code)]

use chronus_modlang::{parse, Definition, Module};

/// The sample rate the tests run at.
pub const RATE: f32 = 48_000.0;

/// Parse `source` or fail the test with the error.
pub fn def(source: &str) -> Definition {
    parse(source, "test.cm", "test").unwrap_or_else(|e| panic!("{e}"))
}

/// Render `frames` frames of output `out` in blocks of the sizes in
/// `blocks`, repeated.
pub fn render_blocks(m: &mut Module, out: usize, frames: usize, blocks: &[usize]) -> Vec<f32> {
    let mut v = Vec::with_capacity(frames);
    let mut k = 0;
    while v.len() < frames {
        let n = blocks[k % blocks.len()].min(frames - v.len());
        k += 1;
        m.render(n);
        v.extend_from_slice(m.output(out));
    }
    v
}

/// Render `frames` frames of the first output of `source`.
pub fn render(source: &str, frames: usize) -> Vec<f32> {
    let mut m = def(source).build(RATE);
    render_blocks(&mut m, 0, frames, &[64])
}

/// Root mean square.
pub fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|&s| f64::from(s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

/// Amplitude spectrum of `x` (rectangular window), bin k at k * rate / len Hz.
pub fn spectrum(x: &[f32]) -> Vec<f64> {
    use rustfft::{num_complex::Complex, FftPlanner};
    let mut buf: Vec<Complex<f64>> = x.iter().map(|&s| Complex::new(f64::from(s), 0.0)).collect();
    FftPlanner::new()
        .plan_fft_forward(buf.len())
        .process(&mut buf);
    let n = buf.len() as f64;
    buf[..buf.len() / 2]
        .iter()
        .map(|c| 2.0 * c.norm() / n)
        .collect()
}
