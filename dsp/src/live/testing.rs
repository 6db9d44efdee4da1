//! Measuring helpers shared by the live-parameter tests.

use crate::Instrument;
use rustfft::num_complex::Complex;
use rustfft::FftPlanner;

/// Sample rate of the tests.
pub const RATE: f32 = 48_000.0;

/// Something that happens to an instrument at a frame.
#[derive(Clone, Copy, Debug)]
pub enum Event {
    /// Note 1 on at this pitch (or the instrument's), velocity 0.8.
    On(Option<f32>),
    /// Note 1 off.
    Off,
    /// `set_param(index, value, ramp)`.
    Set(usize, f32, u32),
}

/// Render `n` frames of `inst`, applying `events` (sorted by frame) at their
/// frames, in blocks that never cross a multiple of 64 frames (as the engine
/// does).
pub fn play(inst: &mut dyn Instrument, n: usize, events: &[(usize, Event)]) -> Vec<f32> {
    let mut out = vec![0.0; n];
    let mut next = 0;
    let mut f = 0;
    while f < n {
        while next < events.len() && events[next].0 <= f {
            match events[next].1 {
                Event::On(pitch) => inst.note_on(1, pitch, 0.8),
                Event::Off => inst.note_off(1),
                Event::Set(p, v, ramp) => inst.set_param(p, v, ramp),
            }
            next += 1;
        }
        let mut end = (f / 64 + 1) * 64;
        if next < events.len() {
            end = end.min(events[next].0);
        }
        let end = end.min(n);
        inst.render(&mut out[f..end]);
        f = end;
    }
    out
}

/// Largest absolute difference of two signals.
pub fn max_abs(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// Mean magnitude spectrum of `x` (Hann windows of 4096, hop 2048).
pub fn spectrum(x: &[f32]) -> Vec<f64> {
    const N: usize = 4096;
    let fft = FftPlanner::new().plan_fft_forward(N);
    let mut sum = vec![0.0f64; N / 2];
    let mut buf = vec![Complex::new(0.0, 0.0); N];
    let mut start = 0;
    while start + N <= x.len() {
        for (i, b) in buf.iter_mut().enumerate() {
            let w = 0.5 - 0.5 * (std::f64::consts::TAU * i as f64 / N as f64).cos();
            *b = Complex::new(f64::from(x[start + i]) * w, 0.0);
        }
        fft.process(&mut buf);
        for (s, b) in sum.iter_mut().zip(&buf) {
            *s += b.norm();
        }
        start += N / 2;
    }
    sum
}

/// Energy of `x` in `lo..hi` Hz relative to all of it, in dB.
pub fn band_db(x: &[f32], lo: f64, hi: f64) -> f64 {
    let spec = spectrum(x);
    let bin = f64::from(RATE) / 4096.0;
    let energy = |lo: f64, hi: f64| {
        let bins = spec.iter().enumerate();
        bins.filter(|(i, _)| (lo..hi).contains(&(*i as f64 * bin)))
            .map(|(_, v)| v * v)
            .sum::<f64>()
    };
    10.0 * (energy(lo, hi) / energy(0.0, f64::from(RATE))).log10()
}

/// How far the spectrum of `a` is from that of `b`, relative to `b`'s:
/// `Σ | |A| - |B| | / Σ |B|` over mean magnitude spectra. Blind to phase, so
/// it compares timbre, pitch and level of sounds whose phases drifted apart.
pub fn distance(a: &[f32], b: &[f32]) -> f64 {
    relative_l1(&spectrum(a), &spectrum(b))
}

/// `Σ |a - b| / Σ |b|`.
pub fn relative_l1(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum();
    diff / b.iter().map(|y| y.abs()).sum::<f64>().max(1e-12)
}

/// How a steady 1 kHz tone is modulated: its mean amplitude over 10 ms
/// windows and (times 10, to weigh alike) the mean change from one window
/// to the next, which grows with a modulation's rate and depth.
pub fn modulation(x: &[f32]) -> Vec<f64> {
    let amps: Vec<f64> = x
        .chunks_exact(480)
        .map(|c| crate::effects::testutil::tone_amplitude(c, 1000.0))
        .collect();
    let n = amps.len().max(1) as f64;
    let mean = amps.iter().sum::<f64>() / n;
    let speed = amps.windows(2).map(|w| (w[1] - w[0]).abs()).sum::<f64>() / n;
    vec![mean, 10.0 * speed]
}
