//! Note names and the measured pitch of each note a track played.

use serde::{Deserialize, Serialize};

use crate::pitch::pitch_hz;
use crate::util::{finite, ms_frames};
use crate::NotePlayed;

/// Pitch-class names with sharps, C first.
const NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];

/// Longest stretch of a note that is measured, ms: 12 periods of the note,
/// at least 100 ms and at most 300 ms (more adds time, not accuracy).
const MAX_WINDOW_MS: f64 = 300.0;
/// See [`MAX_WINDOW_MS`].
const MIN_WINDOW_MS: f64 = 100.0;
/// See [`MAX_WINDOW_MS`].
const WINDOW_PERIODS: f64 = 12.0;
/// Notes whose onsets are this close form a chord and are not measured alone, ms.
pub(crate) const CHORD_MS: f64 = 10.0;

/// The name of a pitch class 0..11 ("C", "C#", … "B").
pub(crate) fn pitch_class_name(pc: u8) -> &'static str {
    NAMES[usize::from(pc % 12)]
}

/// The name of the equal-tempered note nearest to a MIDI note number, with
/// sharps and the octave (60 → "C4", 61.2 → "C#4", 21 → "A0"); "?" when not finite.
pub fn note_name(note: f32) -> String {
    if !note.is_finite() || note.abs() > 1000.0 {
        return "?".into();
    }
    let n = note.round() as i32;
    format!(
        "{}{}",
        NAMES[n.rem_euclid(12) as usize],
        n.div_euclid(12) - 1
    )
}

/// The frequency of a MIDI note number in Hz, A4 (69) = 440 Hz.
pub fn note_hz(note: f64) -> f64 {
    440.0 * 2f64.powf((note - 69.0) / 12.0)
}

/// One note as measured from a track's own audio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasuredNote {
    /// Absolute frame the note started on.
    pub frame: u64,
    /// The MIDI note number played.
    pub note: f32,
    /// Its nearest equal-tempered name, e.g. "C#4".
    pub note_name: String,
    /// The frequency the note number asks for, Hz.
    pub expected_hz: f64,
    /// The measured fundamental, Hz; `None` when it could not be measured
    /// (too short, silent, not periodic).
    pub measured_hz: Option<f64>,
    /// Measured against the nearest equal-tempered note, cents.
    pub cents_off_et: Option<f64>,
    /// Measured against `expected_hz`, cents.
    pub cents_off_expected: Option<f64>,
    /// Length of the stretch that was measured, ms.
    pub window_ms: f64,
}

/// Measures the pitch of each single note in `mono` (a track's own audio,
/// whose first sample is the absolute frame `start`).
///
/// Each note is measured from its onset plus an attack skip (20 ms, or 10% of
/// the note when that is shorter, but at least 5 ms) up to the next onset or
/// its release, whichever comes first, and at most 12 periods of the note (but
/// 100 ms at least and 300 ms at most). Notes whose onsets
/// lie within 10 ms of another's form a chord and are left out (see
/// [`crate::chords`]); notes that do not start inside the audio are left out.
/// The result is in onset order.
pub fn measure_notes(
    mono: &[f32],
    rate: u32,
    start: u64,
    notes: &[NotePlayed],
) -> Vec<MeasuredNote> {
    let len = mono.len() as u64;
    let span_end = start.saturating_add(len);
    let mut sorted: Vec<&NotePlayed> = notes.iter().filter(|n| n.note.is_finite()).collect();
    sorted.sort_by_key(|n| n.frame);
    let tol = ms_frames(rate, CHORD_MS) as u64;
    let mut out = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let first = sorted[i].frame;
        let mut j = i + 1;
        while j < sorted.len() && sorted[j].frame - first <= tol {
            j += 1;
        }
        let single = j == i + 1;
        let note = sorted[i];
        i = j;
        if !single || note.frame < start || note.frame >= span_end {
            continue;
        }
        let next = sorted.get(j).map_or(u64::MAX, |n| n.frame);
        let release = note.end.filter(|&e| e > note.frame).unwrap_or(u64::MAX);
        let end = next.min(release).min(span_end);
        out.push(measure_one(mono, rate, start, note, end));
    }
    out
}

/// Measures one note sounding from `note.frame` to the absolute frame `end`.
fn measure_one(mono: &[f32], rate: u32, start: u64, note: &NotePlayed, end: u64) -> MeasuredNote {
    let expected_hz = note_hz(f64::from(note.note));
    let length = end.saturating_sub(note.frame);
    let skip = (ms_frames(rate, 20.0) as u64)
        .min(length / 10)
        .max(ms_frames(rate, 5.0) as u64);
    let from = note.frame.saturating_add(skip).saturating_sub(start) as usize;
    let max_ms = (1000.0 * WINDOW_PERIODS / expected_hz).clamp(MIN_WINDOW_MS, MAX_WINDOW_MS);
    let max_len = ms_frames(rate, max_ms);
    let to = (end.saturating_sub(start) as usize)
        .min(from.saturating_add(max_len))
        .min(mono.len());
    let window = mono.get(from..to).unwrap_or(&[]);
    let measured_hz = if rate == 0 || window.is_empty() {
        None
    } else {
        pitch_hz(window, rate, Some(expected_hz))
    };
    let cents_off_expected = measured_hz.and_then(|m| finite(1200.0 * (m / expected_hz).log2()));
    let cents_off_et = measured_hz.and_then(|m| {
        let midi = 69.0 + 12.0 * (m / 440.0).log2();
        finite(100.0 * (midi - midi.round()))
    });
    let window_ms = if rate == 0 {
        0.0
    } else {
        1000.0 * window.len() as f64 / f64::from(rate)
    };
    MeasuredNote {
        frame: note.frame,
        note: note.note,
        note_name: note_name(note.note),
        expected_hz,
        measured_hz,
        cents_off_et,
        cents_off_expected,
        window_ms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_use_sharps_and_octaves() {
        assert_eq!(note_name(60.0), "C4");
        assert_eq!(note_name(61.2), "C#4");
        assert_eq!(note_name(21.0), "A0");
        assert_eq!(note_name(-1.0), "B-2");
        assert_eq!(note_name(f32::NAN), "?");
        assert!((note_hz(60.0) - 261.625_565).abs() < 1e-5);
    }
}
