//! The one error type of the crate.

use thiserror::Error;

/// Why a picture could not be drawn.
///
/// Each message is one sentence in plain words, fit to show to the user.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LookError {
    /// The audio has no samples.
    #[error("there is no audio to look at: the span has no samples")]
    EmptyAudio,
    /// The sample rate is zero.
    #[error("the sample rate is zero, so time cannot be measured")]
    ZeroRate,
    /// The picture is too small or too large.
    #[error(
        "a picture of {width}x{height} pixels is out of range: width and height must each be between {min} and {max}",
        min = crate::MIN_SIZE,
        max = crate::MAX_SIZE
    )]
    BadSize {
        /// The width asked for.
        width: u32,
        /// The height asked for.
        height: u32,
    },
    /// The sample rate is too low to show any frequency above 20 Hz.
    #[error("the sample rate is too low: a spectrogram needs at least 100 samples per second")]
    LowRate,
    /// The time span to show ends at or before its start.
    #[error("the time span is empty: it must end after it starts")]
    EmptySpan,
    /// No track was given.
    #[error("there are no tracks to look at")]
    NoTracks,
    /// The embedded font could not be loaded.
    #[error("the font for the labels could not be loaded")]
    Font,
    /// Drawing failed inside the plotting library.
    #[error("the picture could not be drawn")]
    Draw,
    /// The picture could not be encoded as PNG.
    #[error("the picture could not be written as PNG")]
    Encode,
}
