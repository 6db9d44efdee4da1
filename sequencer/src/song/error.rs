//! Errors and warnings from loading a song.

use std::fmt;
use std::path::PathBuf;

/// Where in a song file something is: 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Why a song could not be loaded. Each renders as one line:
/// `FILE:LINE:COLUMN: what is wrong and what was expected`.
#[derive(Debug, thiserror::Error)]
pub enum SongError {
    /// The file could not be read.
    #[error("{}: cannot read song: {source}", path.display())]
    Io {
        /// The song file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The YAML is malformed or does not match the song format.
    #[error("{}{}: {message}", path.display(), loc(location))]
    Invalid {
        /// The song file.
        path: PathBuf,
        /// Where, when known.
        location: Option<Location>,
        /// What is wrong and what was expected.
        message: String,
    },
}

fn loc(location: &Option<Location>) -> String {
    match location {
        Some(l) => format!(":{}:{}", l.line, l.column),
        None => String::new(),
    }
}

impl SongError {
    /// Where the error is, when known.
    pub fn location(&self) -> Option<Location> {
        match self {
            SongError::Io { .. } => None,
            SongError::Invalid { location, .. } => *location,
        }
    }
}

/// A non-fatal problem, such as a value clamped into its range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Warning {
    /// What was changed and why, naming the key.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
