//! Standard MIDI Files in and out (midly): `chronus import`, `chronus
//! export`, and `chronus render`/`play` of a `.mid` file.

mod export;
mod import;
mod read;

pub use export::{export, gm_drum_key, ExportReport};
pub use import::{quarter_bpm, to_song, ACCENT_VELOCITY};
pub use read::{read, Note, Part, Score, MAX_FILE_BYTES, MAX_NOTES};

use std::path::Path;

/// Why a MIDI file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    /// The file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// What the system said.
        message: String,
    },
    /// The file's content is not what a MIDI file must be (or cannot be a
    /// Chronus song).
    #[error("{0}")]
    Invalid(String),
}

/// Read the MIDI file at `path` (at most [`MAX_FILE_BYTES`]) as song text.
///
/// # Errors
/// A [`FileError`] naming the file and what is wrong, in one line.
pub fn import_file(path: &Path) -> Result<String, FileError> {
    let shown = path.display().to_string();
    let io = |e: std::io::Error| FileError::Io {
        path: shown.clone(),
        message: e.to_string(),
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_FILE_BYTES {
        return Err(FileError::Invalid(format!(
            "{shown}: {len} bytes, larger than the {} MB a MIDI file may be here",
            MAX_FILE_BYTES >> 20
        )));
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let title = path
        .file_stem()
        .map_or("imported".to_string(), |s| s.to_string_lossy().to_string());
    let located = |e: FileError| match e {
        FileError::Invalid(m) => FileError::Invalid(format!("{shown}: {m}")),
        other => other,
    };
    let score = read(&bytes).map_err(located)?;
    to_song(&score, &title).map_err(located)
}

#[cfg(test)]
mod tests;
