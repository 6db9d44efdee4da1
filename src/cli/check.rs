//! `chronus check SONG`: validate without rendering.

use super::{load_song, Failure};
use chronus::sequencer::Schedule;
use std::path::Path;

/// Validate `path` and print a one-line summary.
pub fn run(path: &Path) -> Result<(), Failure> {
    let song = load_song(path)?;
    let schedule = Schedule::new(&song, 48_000);
    let seconds = schedule.end_frame() as f64 / 48_000.0;
    let count = chronus::session::model::count;
    println!(
        "ok {}: {}, {}, {} at {} BPM ({:.1} s)",
        path.display(),
        count(song.tracks.len(), "track"),
        count(song.patterns.len(), "pattern"),
        count(song.bar_count(), "bar"),
        song.tempo,
        seconds
    );
    Ok(())
}
