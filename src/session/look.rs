//! `look`: pictures of the last bars that played, written as PNG files
//! under the session's folder (`looks/` unless `-o` says where): a
//! spectrogram, an oscilloscope, each instrument's level over time, a piano
//! roll of the notes played.

use super::listen::{catch_up, ensure_tap, last_bars, target, Last, DEFAULT_BARS};
use super::{output, patch, Draft, Session};
use crate::listen::measure::{self, TrackInfo};
use crate::listen::Span;
use chronus_command::{Listening, Picture, Word};
use chronus_sequencer::EventKind;
use std::collections::HashMap;

/// The picture's size in pixels.
const SIZE: (u32, u32) = (1200, 600);

/// Frames of one point of the level curves (about 21 ms at 48 kHz).
const LEVEL_BLOCKS: usize = 16;

/// `look PICTURE [NAME|master] [bars=N] [-o FILE.png]`.
pub(super) fn look(
    s: &Session,
    d: &Draft,
    picture: Picture,
    l: &Listening,
    out: Option<&Word>,
) -> Result<String, String> {
    let Some(listener) = s.listener.as_ref() else {
        return Err(
            "look draws what a live session played; for a song: chronus render SONG.yaml -o OUT.wav --spectrogram OUT.png"
                .into(),
        );
    };
    let bars = l.bars.map_or(DEFAULT_BARS, |b| b.0);
    let infos = measure::track_infos(&d.model);
    let what: Option<&TrackInfo> = target(d, &infos, l.what.as_ref())?;
    let Last {
        lines,
        first_bar,
        current,
        ..
    } = last_bars(s, bars);
    let name = what.map_or("master", |t| t.name.as_str());
    // The spectrogram and scope of one instrument need its own sound.
    let own = matches!(picture, Picture::Spectrogram | Picture::Scope);
    if let (true, Some(t)) = (own, what) {
        if !ensure_tap(listener, &infos, t.id)? {
            return Ok(format!(
                "look {} {name}: tapping its own sound from now (bar {}): ask again from bar {} for {bars} bars of it",
                picture.name(),
                current + 1,
                current + 2 + u64::from(bars)
            ));
        }
    }
    let (from, to) = (lines[0], lines[lines.len() - 1]);
    catch_up(listener, to);
    let span = listener.span(from, to);
    if span.left.is_empty() {
        return Err("nothing has been captured yet: ask again in a moment".into());
    }
    let last_bar = first_bar + lines.len().saturating_sub(2) as u64;
    let frame = chronus_look::Frame {
        title: format!("{name}, bars {first_bar}-{last_bar}"),
        bars: lines[..lines.len() - 1].to_vec(),
        first_bar,
        width: SIZE.0,
        height: SIZE.1,
    };
    let began = std::time::Instant::now();
    let png = draw(s.rate, picture, what, &infos, &span, &frame).map_err(|e| e.to_string())?;
    let took = began.elapsed().as_secs_f64() * 1e3;
    let default = format!("{}-{name}-bar{first_bar}", picture.name());
    let path = output::path(s, out, "looks", &default, "png")?;
    patch::write_atomic_bytes(&path, &png)?;
    Ok(format!(
        "look {} {name}: bars {first_bar}-{last_bar} drawn to {} ({}x{} PNG, {took:.0} ms)",
        picture.name(),
        output::shown(s, &path),
        SIZE.0,
        SIZE.1
    ))
}

/// Draw one picture of `span`.
fn draw(
    rate: u32,
    picture: Picture,
    what: Option<&TrackInfo>,
    infos: &[TrackInfo],
    span: &Span,
    frame: &chronus_look::Frame,
) -> Result<Vec<u8>, chronus_look::LookError> {
    let (left, right) = match what.and_then(|t| span.taps.get(&t.id)) {
        Some((l, r)) => (l.as_slice(), r.as_slice()),
        None => (span.left.as_slice(), span.right.as_slice()),
    };
    let audio = chronus_look::Audio {
        rate,
        start: span.start,
        left,
        right,
    };
    match picture {
        Picture::Spectrogram => chronus_look::spectrogram(&audio, frame),
        Picture::Scope => {
            let hz = what.filter(|t| t.pitched).and_then(|t| median_hz(span, t));
            chronus_look::scope(&audio, frame, hz)
        }
        Picture::Levels => {
            let shown: Vec<&TrackInfo> = infos
                .iter()
                .filter(|t| what.is_none_or(|w| w.id == t.id))
                .collect();
            chronus_look::levels_db(&level_curves(span, &shown), rate, frame)
        }
        Picture::Roll => {
            let notes = roll_notes(span, infos, what);
            let end = span.start + span.left.len() as u64;
            chronus_look::roll(&notes, rate, (span.start, end), frame)
        }
    }
}

/// The median frequency of `t`'s notes in the span.
fn median_hz(span: &Span, t: &TrackInfo) -> Option<f64> {
    let mut notes: Vec<f32> = span
        .notes
        .iter()
        .filter(|e| e.track == t.id && e.frame >= span.start)
        .filter_map(|e| match e.kind {
            EventKind::NoteOn { pitch, .. } => Some(pitch.unwrap_or(t.own_note)),
            _ => None,
        })
        .collect();
    notes.sort_by(f32::total_cmp);
    let n = *notes.get(notes.len() / 2)?;
    Some(440.0 * 2f64.powf((f64::from(n) - 69.0) / 12.0))
}

/// Each instrument's level over time (dBFS RMS, a point every
/// [`LEVEL_BLOCKS`] blocks), from the capture's meters.
fn level_curves(span: &Span, shown: &[&TrackInfo]) -> Vec<(String, Vec<(u64, f32)>)> {
    shown
        .iter()
        .map(|t| {
            let points = span
                .blocks
                .chunks(LEVEL_BLOCKS)
                .map(|chunk| {
                    let e: f64 = chunk
                        .iter()
                        .flat_map(|(_, es)| es.iter().filter(|(id, _)| *id == t.id))
                        .map(|(_, e)| f64::from(*e))
                        .sum();
                    let samples = (chunk.len() * chronus_dsp::MAX_BLOCK * 2) as f64;
                    let db = 10.0 * (e / samples).max(1e-12).log10();
                    (chunk[0].0, db as f32)
                })
                .collect();
            (t.name.clone(), points)
        })
        .collect()
}

/// The notes played in the span, per instrument (one, or all).
fn roll_notes(
    span: &Span,
    infos: &[TrackInfo],
    what: Option<&TrackInfo>,
) -> Vec<chronus_look::RollNote> {
    let end = span.start + span.left.len() as u64;
    let mut out = Vec::new();
    for t in infos.iter().filter(|t| what.is_none_or(|w| w.id == t.id)) {
        let mut open: HashMap<u32, usize> = HashMap::new();
        for e in span.notes.iter().filter(|e| e.track == t.id) {
            match e.kind {
                EventKind::NoteOn {
                    id,
                    pitch,
                    velocity,
                } if e.frame < end => {
                    open.insert(id, out.len());
                    out.push(chronus_look::RollNote {
                        track: t.name.clone(),
                        start: e.frame,
                        end,
                        note: pitch.unwrap_or(t.own_note),
                        velocity,
                    });
                }
                EventKind::NoteOff { id } => {
                    if let Some(i) = open.remove(&id) {
                        out[i].end = e.frame;
                    }
                }
                _ => {}
            }
        }
    }
    out.retain(|n: &chronus_look::RollNote| n.end > span.start);
    out
}
