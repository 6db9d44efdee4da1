//! Rendering a song (a session's state, a saved patch, a song file) offline
//! through the live path, captured as `listen` captures a live session:
//! `preview` and `chronus listen SONG.yaml`. Deterministic, faster than
//! real time, on the caller's thread.

use super::history::History;
use super::listener::drain_into;
use super::measure::TrackInfo;
use crate::engine::capture::MAX_TAPS;
use crate::live::manual::ManualLive;
use chronus_sequencer::Song;
use std::path::PathBuf;

/// Frames rendered between two emptyings of the capture ring (the ring
/// holds 4096 records: 128 blocks of the master and eight taps).
const CHUNK: u64 = 8192;

/// Frames a block of the offline render.
const BLOCK: usize = 512;

/// A song rendered and captured.
pub struct Rendered {
    /// What played.
    pub history: History,
    /// The bar lines from the first bar to the end of the last
    /// (absolute frames).
    pub lines: Vec<u64>,
    /// The instruments, with their ids in this render.
    pub infos: Vec<TrackInfo>,
    /// The tempo at the first bar.
    pub tempo: f64,
}

/// Render `song` at `rate` from bar `start` (0-based) for `bars` bars,
/// tapping `what`'s own sound (or, for the master, the pitched instruments',
/// up to eight); user modules are looked for in `folder`.
///
/// # Errors
/// The song does not load into a session.
pub fn render(
    song: &Song,
    rate: u32,
    start: u64,
    bars: u32,
    what: Option<&str>,
    folder: PathBuf,
) -> Result<Rendered, String> {
    let mut m = ManualLive::new(rate, BLOCK, folder);
    let (mut reader, shared) = m.capture();
    m.start_at_bar(start);
    let reply = m.session.load_song(song);
    if !reply.ok {
        return Err(reply.text);
    }
    m.prime();
    let infos = super::measure::track_infos(m.session.model());
    let taps: Vec<&TrackInfo> = match what {
        Some(name) => infos.iter().filter(|t| t.name == name).collect(),
        None => infos.iter().filter(|t| t.pitched).take(MAX_TAPS).collect(),
    };
    for t in taps {
        shared.tap(t.id);
    }
    let lines: Vec<u64> = (start..=start + u64::from(bars))
        .map(|b| m.bar_frame(b))
        .collect();
    let (from, to) = (lines[0], lines[lines.len() - 1]);
    let seconds = (to - from) as f64 / f64::from(rate) + 1.0;
    let mut history = History::new(rate, seconds);
    let (mut l, mut r) = (Vec::new(), Vec::new());
    while m.frame() < to {
        l.clear();
        r.clear();
        m.render(CHUNK.min(to - m.frame()), (&mut l, &mut r));
        drain_into(&mut reader, &mut history);
    }
    Ok(Rendered {
        history,
        lines,
        infos,
        tempo: song.tempo,
    })
}

/// The session's model as a song (what `save patch` would write), its
/// user modules' definitions taken from `known` (the ones the session
/// plays, wherever their files are).
///
/// # Errors
/// The model cannot be written as a patch (a session without instruments).
pub fn model_song(
    model: &crate::session::Model,
    known: &[chronus_sequencer::song::modulation::ModuleSource],
) -> Result<Song, String> {
    if model.tracks.is_empty() {
        return Err("there is nothing to preview yet: create an instrument first".into());
    }
    let text = crate::session::patch_yaml(model)?;
    Song::from_yaml_with(&text, std::path::Path::new("session"), known)
        .map(|(s, _)| s)
        .map_err(|e| format!("the session does not read back as a song: {e}"))
}
