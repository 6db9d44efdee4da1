//! Measured listening reports for the Chronus synthesizer.
//!
//! Chronus's `listen` command tells an agent who cannot hear what the music
//! sounded like. This crate takes captured audio (the master mix, plus the
//! audio of the tracks that were tapped) and the notes the engine played, and
//! returns a measured [`Report`]: one compact human-readable line
//! ([`Report::line`]) and JSON (`serde_json::to_string(&report)`).
//!
//! Every building block is public and usable on its own:
//!
//! | idea | functions |
//! | --- | --- |
//! | loudness (EBU R128 via the `ebur128` crate) | [`loudness`] |
//! | spectrum | [`bands`] |
//! | stereo image, DC | [`stereo`], [`dc_offset`] |
//! | pitch | [`pitch_hz`], [`measure_notes`], [`note_name`] |
//! | harmony | [`chord_name`], [`chords`], [`key_estimate`] |
//! | timing | [`onsets`], [`onset_report`], [`tempo_bpm`], [`tempo_from_onsets`] |
//! | problems | [`masking`], and the list in [`Report::problems`] |
//!
//! No function here panics on any input: empty slices, a zero sample rate and
//! non-finite samples are handled (non-finite samples are read as silence and
//! reported as the problem "not finite samples").

#![warn(missing_docs)]

mod analyse;
mod audio;
mod fft;
mod harmony;
mod loudness;
mod notes;
mod onsets;
mod pitch;
mod problems;
mod refine;
mod report;
mod spectrum;
mod stereo;
mod tempo;
mod util;

pub use analyse::analyse;
pub use audio::{Audio, AudioError, Counters, Input, NotePlayed, TrackInput};
pub use harmony::{chord_name, chords, key_estimate, Key};
pub use loudness::{loudness, Loudness};
pub use notes::{measure_notes, note_hz, note_name, MeasuredNote};
pub use onsets::{onset_report, onsets, OnsetReport};
pub use pitch::pitch_hz;
pub use problems::masking;
pub use report::{
    Balance, ChordAt, ChordCount, CountersReport, DcOffset, NoteSummary, Report, TrackReport,
};
pub use spectrum::{bands, Band, Bands};
pub use stereo::{dc_offset, stereo, Stereo};
pub use tempo::{tempo_bpm, tempo_from_onsets};
