//! `chronus import SONG.mid -o SONG.yaml` and `chronus export SONG.yaml -o
//! SONG.mid`: Standard MIDI Files to and from songs.

use super::{load_song, Failure, EXIT_FAILURE};
use std::path::{Path, PathBuf};

/// Arguments of `chronus import`.
#[derive(clap::Args)]
pub struct ImportArgs {
    /// The MIDI file (.mid).
    midi: PathBuf,
    /// The song file to write (default: the MIDI file's name with .yaml).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// Arguments of `chronus export`.
#[derive(clap::Args)]
pub struct ExportArgs {
    /// The song (YAML, or a MIDI file).
    song: PathBuf,
    /// The MIDI file to write (default: the song's name with .mid).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Replace the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// Whether `path` names a MIDI file (by its extension).
pub fn is_midi(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| matches!(e.to_ascii_lowercase().as_str(), "mid" | "midi" | "smf"))
}

/// Where to write: `given`, or `input` with extension `ext`; refused when
/// it exists (without `force`) or is a folder.
fn target(
    given: Option<&PathBuf>,
    input: &Path,
    ext: &str,
    force: bool,
) -> Result<PathBuf, Failure> {
    let out = given.cloned().unwrap_or_else(|| input.with_extension(ext));
    if out.is_dir() {
        return Err(Failure::input(format!(
            "{}: is a folder: expected a file name such as song.{ext}",
            out.display()
        )));
    }
    if out.exists() && !force {
        return Err(Failure::input(format!(
            "{} exists: give --force to replace it, or another name with -o",
            out.display()
        )));
    }
    Ok(out)
}

/// Write `bytes` to `path` through a temporary file, so a failure leaves
/// nothing half written.
fn write(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let temp = path.with_extension("chronus-part");
    std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            Failure {
                code: EXIT_FAILURE,
                message: format!("{}: cannot write: {e}", path.display()),
            }
        })
}

/// `chronus import`.
pub fn import(args: &ImportArgs) -> Result<(), Failure> {
    let text = chronus::midi::file::import_file(&args.midi).map_err(Failure::input)?;
    // What is written must load: checked before anything is written.
    let (song, _) = chronus::sequencer::Song::from_yaml(&text, &args.midi).map_err(|e| {
        Failure::input(format!(
            "{}: the imported song does not load: {e}",
            args.midi.display()
        ))
    })?;
    let out = target(args.output.as_ref(), &args.midi, "yaml", args.force)?;
    write(&out, text.as_bytes())?;
    let notes: usize = chronus::sequencer::Schedule::new(&song, 48_000)
        .all_events()
        .iter()
        .filter(|e| matches!(e.kind, chronus::sequencer::EventKind::NoteOn { .. }))
        .count();
    println!(
        "ok {}: {} instruments, {} bars, {} notes, {} tempo changes",
        out.display(),
        song.tracks.len(),
        song.bar_count(),
        notes,
        song.tempo_changes.len()
    );
    Ok(())
}

/// `chronus export`.
pub fn export(args: &ExportArgs) -> Result<(), Failure> {
    let song = load_song(&args.song)?;
    let (bytes, report) = chronus::midi::file::export(&song).map_err(Failure::input)?;
    let out = target(args.output.as_ref(), &args.song, "mid", args.force)?;
    write(&out, &bytes)?;
    println!(
        "ok {}: {} tracks, {} notes, {} ticks a quarter{}",
        out.display(),
        song.tracks.len() + 1,
        report.notes,
        report.ticks_per_quarter,
        if report.rounded {
            " (positions rounded to 1/960 beat: the song's grid is finer than MIDI can hold)"
        } else {
            ""
        }
    );
    Ok(())
}
