//! Reading recordings back and measuring them: onsets by sample jumps, RMS
//! levels, and peak frequencies to a small fraction of a cent.

use rustfft::{num_complex::Complex, FftPlanner};
use std::path::Path;

/// A stereo recording.
pub struct Wav {
    /// Sample rate in Hz.
    pub rate: u32,
    /// Left channel.
    pub left: Vec<f32>,
    /// Right channel.
    pub right: Vec<f32>,
}

impl Wav {
    /// Frames in the recording.
    pub fn frames(&self) -> usize {
        self.left.len()
    }
}

/// Read a 32-bit float stereo WAV file (what `--record` writes); panics with
/// the path when it is anything else.
pub fn read(path: &Path) -> Wav {
    let mut reader = hound::WavReader::open(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let spec = reader.spec();
    assert_eq!(spec.channels, 2, "{}: {spec:?}", path.display());
    assert_eq!(
        (spec.sample_format, spec.bits_per_sample),
        (hound::SampleFormat::Float, 32),
        "{}: {spec:?}",
        path.display()
    );
    let samples: Vec<f32> = reader
        .samples::<f32>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    assert_eq!(samples.len() % 2, 0, "{}: odd sample count", path.display());
    let (left, right) = samples.chunks_exact(2).map(|f| (f[0], f[1])).unzip();
    Wav {
        rate: spec.sample_rate,
        left,
        right,
    }
}

/// Onsets as sample jumps: the frames `n` where `|x[n] - x[n-1]|` exceeds
/// `threshold`, each at least `refractory` frames after the previous one.
///
/// A drum that starts at its loudest sample (the kick starts on a cosine
/// peak plus its click) is found on the exact frame of its first sample,
/// even over other sounds, as long as those never move that far between two
/// samples (a low-passed bass moves a few hundredths per sample).
pub fn jumps(x: &[f32], threshold: f32, refractory: usize) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    let mut prev = 0.0f32;
    for (i, &s) in x.iter().enumerate() {
        let d = (s - prev).abs();
        prev = s;
        if d > threshold
            && out
                .last()
                .is_none_or(|&l| i as u64 >= l + refractory as u64)
        {
            out.push(i as u64);
        }
    }
    out
}

/// The largest `|x[n] - x[n-1]|` in `x`.
pub fn largest_jump(x: &[f32]) -> f32 {
    x.windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

/// Root mean square of `x`.
pub fn rms(x: &[f32]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    (x.iter().map(|&s| f64::from(s) * f64::from(s)).sum::<f64>() / x.len() as f64).sqrt()
}

/// A level in dB relative to full scale (-inf for silence).
pub fn dbfs(level: f64) -> f64 {
    20.0 * level.log10()
}

/// The frequency of the strongest spectral peak of `x` between `lo` and
/// `hi` Hz: a Blackman-Harris window over `x`, zero-padded to 8 times its
/// length (at least), and a parabola through the log magnitudes of the
/// largest bin and its neighbours. For a steady tone over one second the
/// error is well under 0.01 Hz.
pub fn peak_freq(x: &[f32], rate: f64, lo: f64, hi: f64) -> f64 {
    let n = x.len();
    let size = (8 * n).next_power_of_two();
    let mut buf: Vec<Complex<f64>> = vec![Complex::new(0.0, 0.0); size];
    for (i, &s) in x.iter().enumerate() {
        let p = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
        let w = 0.35875 - 0.48829 * p.cos() + 0.14128 * (2.0 * p).cos() - 0.01168 * (3.0 * p).cos();
        buf[i] = Complex::new(f64::from(s) * w, 0.0);
    }
    FftPlanner::new().plan_fft_forward(size).process(&mut buf);
    let bin = rate / size as f64;
    let first = (lo / bin).ceil() as usize;
    let last = ((hi / bin).floor() as usize).min(size / 2 - 2);
    assert!(first >= 1 && first < last, "band {lo}..{hi} Hz is empty");
    let mag = |k: usize| buf[k].norm().max(1e-300).ln();
    let k = (first..=last)
        .max_by(|&a, &b| mag(a).total_cmp(&mag(b)))
        .expect("non-empty band");
    let (a, b, c) = (mag(k - 1), mag(k), mag(k + 1));
    let shift = 0.5 * (a - c) / (a - 2.0 * b + c);
    (k as f64 + shift) * bin
}
