//! Pictures of sound for Chronus.
//!
//! Chronus is a live-coded synthesizer; an agent that plays it cannot hear,
//! so it *looks* at what it plays. This crate draws four pictures as PNG
//! images with axes and labels, using [`plotters`]:
//!
//! - [`spectrogram`]: frequency (log scale) over time, coloured by level;
//! - [`scope`]: an oscilloscope view of a few cycles of the waveform;
//! - [`levels`]: short-term RMS and peak level of each track over time;
//! - [`roll`]: a piano roll of the notes played, one colour per track.
//!
//! Every function returns the PNG file as bytes, or a [`LookError`] whose
//! message is one plain sentence.
//!
//! ```
//! use chronus_look::{spectrogram, Audio, Frame};
//!
//! let rate = 48_000;
//! let tone: Vec<f32> = (0..rate)
//!     .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin() * 0.5)
//!     .collect();
//! let audio = Audio { rate, start: 0, left: &tone, right: &tone };
//! let png = spectrogram(&audio, &Frame::new("master, bar 1")).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```

#![warn(missing_docs)]

mod audio;
mod axes;
mod canvas;
mod colour;
mod error;
mod fonts;
mod levels;
mod roll;
mod scope;
mod spectrogram;

#[cfg(test)]
mod tests;

pub use error::LookError;
pub use levels::{levels, levels_db};
pub use roll::{note_name, roll};
pub use scope::scope;
pub use spectrogram::spectrogram;

/// Smallest width or height of a picture, in pixels.
pub const MIN_SIZE: u32 = 200;
/// Largest width or height of a picture, in pixels.
pub const MAX_SIZE: u32 = 4000;
/// Default width of a picture, in pixels.
pub const DEFAULT_WIDTH: u32 = 1200;
/// Default height of a picture, in pixels.
pub const DEFAULT_HEIGHT: u32 = 600;

/// A span of stereo audio, borrowed from the caller.
///
/// If one channel is empty the other is used for both (mono); if the two
/// differ in length the shorter one is taken as silent past its end.
/// Samples that are not finite (NaN, infinity) are read as silence.
#[derive(Debug, Clone, Copy)]
pub struct Audio<'a> {
    /// Sample rate in frames per second.
    pub rate: u32,
    /// Absolute frame number of `left[0]` (and `right[0]`).
    pub start: u64,
    /// Left channel samples, nominally in -1..1.
    pub left: &'a [f32],
    /// Right channel samples, nominally in -1..1.
    pub right: &'a [f32],
}

impl<'a> Audio<'a> {
    /// Audio with one channel, used for both left and right.
    pub fn mono(rate: u32, start: u64, samples: &'a [f32]) -> Self {
        Audio {
            rate,
            start,
            left: samples,
            right: samples,
        }
    }

    /// Number of frames (the longer of the two channels).
    pub fn len(&self) -> usize {
        self.left.len().max(self.right.len())
    }

    /// True if both channels are empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Absolute frame just past the last sample.
    pub fn end(&self) -> u64 {
        self.start.saturating_add(self.len() as u64)
    }
}

/// One note of a piano roll.
#[derive(Debug, Clone, PartialEq)]
pub struct RollNote {
    /// Name of the track that played the note; each track gets a colour.
    pub track: String,
    /// Absolute frame where the note starts.
    pub start: u64,
    /// Absolute frame where the note ends.
    pub end: u64,
    /// MIDI note number; 60 is C4 (middle C). Fractions are drawn between rows.
    pub note: f32,
    /// Loudness, 0..1 (values above 1 are read as MIDI 0..127); shown as opacity.
    pub velocity: f32,
}

/// What every picture shares: its title, its bar lines and its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// Title written at the top, e.g. `"master, bars 13-16"`.
    pub title: String,
    /// Absolute frames of the bar lines; the first is the start of the span.
    /// May be empty, in which case no bar lines are drawn.
    pub bars: Vec<u64>,
    /// Number of the first bar line (the bar that starts at `bars[0]`).
    pub first_bar: u64,
    /// Width of the picture in pixels ([`MIN_SIZE`]..=[`MAX_SIZE`]).
    pub width: u32,
    /// Height of the picture in pixels ([`MIN_SIZE`]..=[`MAX_SIZE`]).
    pub height: u32,
}

impl Frame {
    /// A frame with a title, no bar lines and the default size (1200x600).
    pub fn new(title: impl Into<String>) -> Self {
        Frame {
            title: title.into(),
            ..Frame::default()
        }
    }

    /// The same frame with bar lines at `bars`, numbered from `first_bar`.
    pub fn with_bars(mut self, bars: Vec<u64>, first_bar: u64) -> Self {
        self.bars = bars;
        self.first_bar = first_bar;
        self
    }

    /// The same frame with another size in pixels.
    pub fn with_size(mut self, width: u32, height: u32) -> Self {
        self.width = width;
        self.height = height;
        self
    }
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            title: String::new(),
            bars: Vec::new(),
            first_bar: 1,
            width: DEFAULT_WIDTH,
            height: DEFAULT_HEIGHT,
        }
    }
}
