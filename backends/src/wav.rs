//! The offline backend: render as fast as possible into a WAV file.
//!
//! The file is written to a temporary name in the same folder and renamed
//! over the target only when complete, so a failed render never leaves a
//! half-written file nor clobbers an existing one.

use crate::{AudioSource, Backend, BackendError, Flow, RunReport};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Sample format of the WAV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SampleFormat {
    /// 24-bit integer PCM (rounded, no dither: deterministic, silence stays 0).
    Int24,
    /// 32-bit IEEE float (the engine's samples, bit for bit).
    Float32,
}

/// Renders a source into a WAV file.
pub struct WavBackend {
    path: PathBuf,
    rate: u32,
    format: SampleFormat,
    block: usize,
    progress: Option<Box<dyn FnMut(u64)>>,
}

impl WavBackend {
    /// A backend writing `path` at `rate` Hz in `format`, in blocks of 64 frames.
    pub fn new(path: &Path, rate: u32, format: SampleFormat) -> Self {
        WavBackend {
            path: path.to_path_buf(),
            rate,
            format,
            block: 64,
            progress: None,
        }
    }

    /// Render in blocks of `frames` (1..=4096).
    pub fn with_block(mut self, frames: usize) -> Self {
        self.block = frames.clamp(1, 4096);
        self
    }

    /// Call `f(frames_done)` every 0.1 s of audio or so.
    pub fn with_progress(mut self, f: impl FnMut(u64) + 'static) -> Self {
        self.progress = Some(Box::new(f));
        self
    }

    fn error(&self, message: impl std::fmt::Display) -> BackendError {
        BackendError::Output {
            path: self.path.display().to_string(),
            message: message.to_string(),
        }
    }

    fn temp_path(&self) -> PathBuf {
        temp_path(&self.path)
    }

    fn write(&mut self, temp: &Path, source: &mut dyn AudioSource) -> Result<u64, BackendError> {
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: self.rate,
            bits_per_sample: match self.format {
                SampleFormat::Int24 => 24,
                SampleFormat::Float32 => 32,
            },
            sample_format: match self.format {
                SampleFormat::Int24 => hound::SampleFormat::Int,
                SampleFormat::Float32 => hound::SampleFormat::Float,
            },
        };
        let file = File::create(temp).map_err(|e| self.error(format!("cannot create: {e}")))?;
        let mut writer = hound::WavWriter::new(BufWriter::new(file), spec)
            .map_err(|e| self.error(format!("cannot write: {e}")))?;
        let mut left = vec![0.0f32; self.block];
        let mut right = vec![0.0f32; self.block];
        let mut frames = 0u64;
        let mut next_report = 0u64;
        let report_every = u64::from(self.rate / 10).max(1);
        loop {
            let flow = source.process(&mut left, &mut right);
            let valid = match flow {
                Flow::Continue => self.block,
                Flow::Finished { frames } => frames.min(self.block),
            };
            for i in 0..valid {
                let result = match self.format {
                    SampleFormat::Float32 => writer
                        .write_sample(left[i])
                        .and_then(|_| writer.write_sample(right[i])),
                    SampleFormat::Int24 => writer
                        .write_sample(to_i24(left[i]))
                        .and_then(|_| writer.write_sample(to_i24(right[i]))),
                };
                result.map_err(|e| self.error(format!("cannot write: {e}")))?;
            }
            frames += valid as u64;
            if frames >= next_report {
                if let Some(p) = self.progress.as_mut() {
                    p(frames);
                }
                next_report = frames + report_every;
            }
            if matches!(flow, Flow::Finished { .. }) {
                break;
            }
        }
        writer
            .finalize()
            .map_err(|e| self.error(format!("cannot finish: {e}")))?;
        Ok(frames)
    }
}

/// A float sample to 24-bit PCM, correctly rounded (in f64) and clipped.
fn to_i24(x: f32) -> i32 {
    const FULL: f64 = 8_388_607.0;
    (f64::from(x).clamp(-1.0, 1.0) * FULL).round() as i32
}

impl Backend for WavBackend {
    fn run(&mut self, source: &mut dyn AudioSource) -> Result<RunReport, BackendError> {
        if self.path.is_dir() {
            return Err(self.error("is a folder: expected a file name such as out.wav"));
        }
        let temp = self.temp_path();
        match self.write(&temp, source) {
            Ok(frames) => {
                std::fs::rename(&temp, &self.path).map_err(|e| {
                    let _ = std::fs::remove_file(&temp);
                    self.error(format!("cannot move the finished file into place: {e}"))
                })?;
                Ok(RunReport { frames })
            }
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                Err(e)
            }
        }
    }
}

/// Where a WAV file is written before it is renamed to `path` when
/// complete: a hidden name beside it, this process's id in it
/// (`.out.wav.partial-1234`), so a failed or killed write never leaves a
/// half file under the real name.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "out.wav".into());
    path.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Ramp {
        n: u64,
        total: u64,
    }

    impl AudioSource for Ramp {
        fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                *l = (self.n % 100) as f32 / 100.0;
                *r = -*l;
                self.n += 1;
            }
            if self.n >= self.total {
                Flow::Finished {
                    frames: left.len() - (self.n - self.total) as usize,
                }
            } else {
                Flow::Continue
            }
        }
    }

    #[test]
    fn writes_exactly_the_frames_and_renames() {
        let dir = std::env::temp_dir().join(format!("chronus-wav-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ramp.wav");
        let mut backend = WavBackend::new(&path, 48_000, SampleFormat::Float32);
        let report = backend.run(&mut Ramp { n: 0, total: 1000 }).unwrap();
        assert_eq!(report.frames, 1000);
        let reader = hound::WavReader::open(&path).unwrap();
        assert_eq!(reader.duration(), 1000);
        let samples: Vec<f32> = reader.into_samples().map(|s| s.unwrap()).collect();
        assert_eq!(samples[2 * 42], 0.42);
        assert_eq!(samples[2 * 42 + 1], -0.42);
        // No temporary file left behind.
        let leftovers = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(leftovers, 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_header_is_wave_format_extensible_where_the_format_needs_it() {
        // 24-bit PCM and 32-bit float both need WAVE_FORMAT_EXTENSIBLE
        // (more than 16 bits): valid bits, the stereo channel mask and the
        // subformat's GUID say exactly what the samples are.
        let dir = std::env::temp_dir().join(format!("chronus-wavx-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for (format, bits, subformat) in [
            (SampleFormat::Int24, 24u16, 1u16),
            (SampleFormat::Float32, 32, 3),
        ] {
            let path = dir.join(format!("{bits}.wav"));
            WavBackend::new(&path, 44_100, format)
                .run(&mut Ramp { n: 0, total: 10 })
                .unwrap();
            let b = std::fs::read(&path).unwrap();
            let u16_at = |i: usize| u16::from_le_bytes([b[i], b[i + 1]]);
            let u32_at = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
            assert_eq!(&b[12..16], b"fmt ");
            assert_eq!(u32_at(16), 40, "{bits}: the extensible fmt chunk");
            assert_eq!(u16_at(20), 0xFFFE, "{bits}: WAVE_FORMAT_EXTENSIBLE");
            assert_eq!((u16_at(22), u32_at(24)), (2, 44_100));
            assert_eq!(u16_at(32), 2 * bits / 8, "{bits}: block align");
            assert_eq!(u16_at(34), bits);
            assert_eq!(u16_at(36), 22, "{bits}: cbSize");
            assert_eq!(u16_at(38), bits, "{bits}: valid bits");
            assert_eq!(u32_at(40), 3, "{bits}: front left and right");
            assert_eq!(u16_at(44), subformat, "{bits}: PCM or IEEE float");
            assert_eq!(
                &b[46..60],
                b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
            );
            assert_eq!(&b[60..64], b"data");
            assert_eq!(u32_at(64), 10 * u32::from(2 * bits / 8));
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn unwritable_path_fails_cleanly() {
        let mut backend = WavBackend::new(
            Path::new("/nonexistent-dir/x.wav"),
            48_000,
            SampleFormat::Int24,
        );
        let err = backend.run(&mut Ramp { n: 0, total: 10 }).unwrap_err();
        assert!(err.to_string().contains("cannot create"), "{err}");
    }

    #[test]
    fn i24_rounds_and_clips() {
        assert_eq!(to_i24(0.0), 0);
        assert_eq!(to_i24(2.0), 8_388_607);
        assert_eq!(to_i24(-2.0), -8_388_607);
        // Rounded in f64: f32 arithmetic would give 6050925.
        let x = (6_050_924.28_f64 / 8_388_607.0) as f32;
        assert_eq!(to_i24(x), 6_050_924);
    }
}
