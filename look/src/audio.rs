//! Reading samples: checks, NaN cleaning, mono mix.

use crate::{Audio, LookError};

/// A sample as a finite number; NaN and infinities become silence.
pub(crate) fn clean(x: f32) -> f32 {
    if x.is_finite() {
        x
    } else {
        0.0
    }
}

/// Checks that the audio can be looked at.
pub(crate) fn check(audio: &Audio) -> Result<(), LookError> {
    if audio.rate == 0 {
        return Err(LookError::ZeroRate);
    }
    if audio.is_empty() {
        return Err(LookError::EmptyAudio);
    }
    Ok(())
}

/// Both channels, cleaned and of equal length (see [`Audio`] for the rules).
pub(crate) fn stereo(audio: &Audio) -> (Vec<f32>, Vec<f32>) {
    let n = audio.len();
    let (l, r) = match (audio.left.is_empty(), audio.right.is_empty()) {
        (true, false) => (audio.right, audio.right),
        (false, true) => (audio.left, audio.left),
        _ => (audio.left, audio.right),
    };
    let read = |ch: &[f32]| -> Vec<f32> {
        let mut out = vec![0.0; n];
        for (o, s) in out.iter_mut().zip(ch) {
            *o = clean(*s);
        }
        out
    };
    (read(l), read(r))
}

/// The mono mix (mean of the two channels), cleaned.
pub(crate) fn mono(audio: &Audio) -> Vec<f32> {
    let (l, r) = stereo(audio);
    l.iter().zip(&r).map(|(a, b)| 0.5 * (a + b)).collect()
}

/// Level in dBFS of an amplitude, with a floor for silence.
pub(crate) fn db(amplitude: f64) -> f64 {
    if amplitude > 1e-10 {
        20.0 * amplitude.log10()
    } else {
        -200.0
    }
}

/// A complex FFT of a power-of-two `size` (radix 4). rustfft's planner
/// would pick SIMD code, a few times faster, but compiles every algorithm
/// for every instruction set: about a minute more of release build.
pub(crate) fn fft(
    size: usize,
    direction: rustfft::FftDirection,
) -> rustfft::algorithm::Radix4<f32> {
    rustfft::algorithm::Radix4::new(size, direction)
}
