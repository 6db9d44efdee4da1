//! A sampler's file: found relative to the song, and checked to be a WAV
//! file that can be read, so a song with a missing sample fails on load
//! with the file's name rather than playing silence.

use std::path::{Path, PathBuf};

/// The absolute path of `file` (relative paths are relative to `base`, the
/// song file's folder), checked to open as a WAV file.
///
/// # Errors
/// A one-line message naming the file and what is wrong with it.
pub fn resolve(file: &str, base: &Path) -> Result<PathBuf, String> {
    if file.trim().is_empty() {
        return Err("no file: a sampler needs `file: PATH.wav`".to_string());
    }
    let path = if Path::new(file).is_absolute() {
        PathBuf::from(file)
    } else {
        base.join(file)
    };
    match hound::WavReader::open(&path) {
        Ok(r) => {
            let spec = r.spec();
            if r.duration() == 0 {
                return Err(format!("'{file}' holds no audio"));
            }
            if spec.channels == 0 || spec.sample_rate == 0 {
                return Err(format!("'{file}' has no channels or no sample rate"));
            }
            Ok(path)
        }
        Err(hound::Error::IoError(e)) => Err(match e.kind() {
            std::io::ErrorKind::NotFound => format!("cannot find '{}'", path.display()),
            std::io::ErrorKind::PermissionDenied => {
                format!("cannot read '{}': permission denied", path.display())
            }
            _ => format!("cannot read '{}': {e}", path.display()),
        }),
        Err(e) => Err(format!(
            "'{}' is not a WAV file Chronus can read ({e}): expected PCM or float WAV",
            path.display()
        )),
    }
}
