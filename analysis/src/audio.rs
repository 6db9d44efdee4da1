//! The inputs: audio, notes, tracks and engine counters.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::util::count_not_finite;

/// Stereo audio at a sample rate.
///
/// Frames are relative to `start`, the absolute frame of `left[0]`. When the
/// two channels differ in length only the frames both have are read.
#[derive(Debug, Clone, Copy)]
pub struct Audio<'a> {
    /// Sample rate in Hz.
    pub rate: u32,
    /// Absolute frame of `left[0]` and `right[0]`.
    pub start: u64,
    /// Left channel.
    pub left: &'a [f32],
    /// Right channel.
    pub right: &'a [f32],
}

/// What is wrong with an [`Audio`] that the analysis can still read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AudioError {
    /// The sample rate is zero.
    #[error("sample rate is zero")]
    ZeroRate,
    /// The channels differ in length; the shorter length is analysed.
    #[error("left and right differ in length ({left} vs {right} frames)")]
    LengthMismatch {
        /// Frames in the left channel.
        left: usize,
        /// Frames in the right channel.
        right: usize,
    },
    /// Some samples are NaN or infinite; they are read as silence.
    #[error("not finite samples ({count})")]
    NotFinite {
        /// How many samples (over both channels) are not finite.
        count: usize,
    },
}

impl<'a> Audio<'a> {
    /// Frames both channels have.
    pub fn frames(&self) -> usize {
        self.left.len().min(self.right.len())
    }

    /// Duration in seconds (0 when the rate is zero).
    pub fn seconds(&self) -> f64 {
        if self.rate == 0 {
            0.0
        } else {
            self.frames() as f64 / f64::from(self.rate)
        }
    }

    /// The mono mix `(left + right) / 2`, with non-finite samples read as 0.
    pub fn mono(&self) -> Vec<f32> {
        let n = self.frames();
        self.left[..n]
            .iter()
            .zip(&self.right[..n])
            .map(|(&l, &r)| {
                let l = if l.is_finite() { l } else { 0.0 };
                let r = if r.is_finite() { r } else { 0.0 };
                0.5 * (l + r)
            })
            .collect()
    }

    /// Everything wrong with this audio, in the order zero rate, length
    /// mismatch, non-finite samples. Empty when it is fine.
    pub fn check(&self) -> Vec<AudioError> {
        let mut out = Vec::new();
        if self.rate == 0 {
            out.push(AudioError::ZeroRate);
        }
        if self.left.len() != self.right.len() {
            out.push(AudioError::LengthMismatch {
                left: self.left.len(),
                right: self.right.len(),
            });
        }
        let count = count_not_finite(self.left) + count_not_finite(self.right);
        if count > 0 {
            out.push(AudioError::NotFinite { count });
        }
        out
    }
}

/// A note the engine started.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct NotePlayed {
    /// Absolute frame the note started on.
    pub frame: u64,
    /// MIDI note number, may be fractional: 60.0 is C4 = 261.626 Hz (A4 = 440 Hz).
    pub note: f32,
    /// Velocity, 0..1.
    pub velocity: f32,
    /// Absolute frame the note was released on, if known.
    pub end: Option<u64>,
}

/// One track of the session, as the analysis sees it.
#[derive(Debug, Clone)]
pub struct TrackInput<'a> {
    /// The track's name, as the report spells it.
    pub name: String,
    /// The track's own audio over the span; `None` when it was not tapped.
    pub audio: Option<Audio<'a>>,
    /// Sum of squares of the track's output over the span (both channels), if
    /// the engine knows it; used for the balance. When `None` and the track is
    /// tapped, the energy is measured from its audio.
    pub energy: Option<f64>,
    /// Notes the track played in the span.
    pub notes: Vec<NotePlayed>,
    /// Whether the track plays pitched notes (drums are not pitched).
    pub pitched: bool,
}

/// Counters the engine kept over the span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Counters {
    /// Samples that were over full scale before the master limiter.
    pub clipped_before_limiter: u64,
    /// The limiter's largest gain reduction in dB (its magnitude is used, so
    /// 0.8 and -0.8 both mean 0.8 dB of reduction).
    pub limiter_max_reduction_db: f32,
    /// Times a voice or effect was reset because it produced NaN.
    pub nan_resets: u64,
    /// Audio buffer under- or overruns.
    pub xruns: u64,
    /// Events that reached the engine after their scheduled frame.
    pub late_events: u64,
    /// Panics caught in the audio thread.
    pub panics: u64,
}

/// Everything [`crate::analyse`] reads.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    /// What was listened to: `"master"` or a track name. `master` holds its audio.
    pub what: String,
    /// The audio listened to (the master mix, or the track named by `what`).
    pub master: Audio<'a>,
    /// The tracks of the session.
    pub tracks: Vec<TrackInput<'a>>,
    /// Absolute frames of the bar lines inside the span (the first is the span start).
    pub bars: Vec<u64>,
    /// Number of the first bar of the span (as the session counts bars), if known.
    pub first_bar: Option<u64>,
    /// The session's tempo in beats per minute, if it has one.
    pub tempo_bpm: Option<f64>,
    /// Absolute frames notes were scheduled on, for the onset check; empty skips it.
    pub scheduled_onsets: Vec<u64>,
    /// The engine's counters over the span.
    pub counters: Counters,
}
