//! Shared helpers for the effect tests.

use crate::noise::WhiteNoise;
use crate::Effect;
use std::f64::consts::TAU;

/// The sample rate every test runs at.
pub const RATE: f32 = 48_000.0;

/// `n` samples of a sine at `freq` Hz with peak `amp`.
pub fn sine(freq: f64, amp: f64, n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (amp * (TAU * freq * i as f64 / f64::from(RATE)).sin()) as f32)
        .collect()
}

/// A unit impulse at frame 0 followed by `n - 1` zeros.
pub fn impulse(n: usize) -> Vec<f32> {
    let mut v = vec![0.0; n];
    v[0] = 1.0;
    v
}

/// Seeded white noise with peak `amp`.
pub fn noise(seed: u32, amp: f32, n: usize) -> Vec<f32> {
    let mut g = WhiteNoise::new(seed);
    (0..n).map(|_| amp * g.next_sample()).collect()
}

/// A varied stereo test signal: loud and quiet noise bursts, sines, silence.
pub fn test_signal(n: usize) -> (Vec<f32>, Vec<f32>) {
    let a = sine(220.0, 1.6, n);
    let b = noise(7, 1.0, n);
    let c = noise(11, 0.3, n);
    let env = |i: usize| match (i / 4800) % 4 {
        0 => 1.0,
        1 => 0.1,
        2 => 0.0,
        _ => 0.5,
    };
    let left = (0..n).map(|i| env(i) * (0.5 * a[i] + b[i])).collect();
    let right = (0..n).map(|i| env(i) * (0.4 * a[i] + c[i])).collect();
    (left, right)
}

/// Run `fx` over the whole signal in blocks of `block` frames.
pub fn run(fx: &mut dyn Effect, left: &[f32], right: &[f32], block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    for (lc, rc) in l.chunks_mut(block).zip(r.chunks_mut(block)) {
        fx.process(lc, rc);
    }
    (l, r)
}

/// A `set_param(index, value, ramp)` at a frame.
pub type Set = (usize, usize, f32, u32);

/// Run `fx` over the signal in blocks of at most `block` frames, also
/// ending a block at the frame of each of `sets` (sorted), which is applied
/// there.
pub fn run_with(
    fx: &mut dyn Effect,
    left: &[f32],
    right: &[f32],
    block: usize,
    sets: &[Set],
) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (left.to_vec(), right.to_vec());
    let (mut f, mut next) = (0, 0);
    while f < l.len() {
        while next < sets.len() && sets[next].0 <= f {
            let (_, index, value, ramp) = sets[next];
            fx.set_param(index, value, ramp);
            next += 1;
        }
        let mut end = (f + block).min(l.len());
        if next < sets.len() {
            end = end.min(sets[next].0);
        }
        fx.process(&mut l[f..end], &mut r[f..end]);
        f = end;
    }
    (l, r)
}

/// Largest absolute difference of two equally long signals.
pub fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Largest absolute sample.
pub fn peak(a: &[f32]) -> f32 {
    a.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Amplitude of the `freq` Hz component of `x` (its length should hold a
/// whole number of periods).
pub fn tone_amplitude(x: &[f32], freq: f64) -> f64 {
    let (mut s, mut c) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        let ph = TAU * freq * i as f64 / f64::from(RATE);
        s += f64::from(*v) * ph.sin();
        c += f64::from(*v) * ph.cos();
    }
    2.0 * (s * s + c * c).sqrt() / x.len() as f64
}

/// Decibels of a linear amplitude ratio.
pub fn db(x: f64) -> f64 {
    20.0 * x.log10()
}

/// Processing 1.5 s of [`test_signal`] in blocks of 64 and of 17 gives the
/// same output (within `tol`).
pub fn assert_block_independent(name: &str, make: impl Fn() -> Box<dyn Effect>, tol: f32) {
    let (l, r) = test_signal(72_000);
    let (l64, r64) = run(make().as_mut(), &l, &r, 64);
    let (l17, r17) = run(make().as_mut(), &l, &r, 17);
    let d = max_diff(&l64, &l17).max(max_diff(&r64, &r17));
    assert!(d <= tol, "{name}: blocks of 64 and 17 differ by {d}");
}

/// The effect leaves the input bit-exactly untouched.
pub fn assert_passes_bit_exactly(mut fx: impl Effect) {
    let (l, r) = test_signal(20_000);
    let (lo, ro) = run(&mut fx, &l, &r, 64);
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&lo), bits(&l));
    assert_eq!(bits(&ro), bits(&r));
}
