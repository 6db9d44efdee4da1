//! From a captured [`Span`] to the analysis' input: the notes each track
//! played (their ends matched by note id), the grid's onsets, the tracks'
//! loudness shares and the engine's counters.

use super::history::Span;
use chronus_analysis::{Audio, Counters, Input, NotePlayed, Report, TrackInput};
use chronus_sequencer::{EventKind, TrackId};
use std::collections::HashMap;

/// What the analysis needs to know of one instrument.
#[derive(Clone, Debug)]
pub struct TrackInfo {
    /// Its engine id.
    pub id: TrackId,
    /// Its name.
    pub name: String,
    /// A pitched instrument (synth, FM, sampler), not a drum.
    pub pitched: bool,
    /// The note it plays when a note names none (its `note` setting).
    pub own_note: f32,
}

/// What the analysis needs to know of each instrument of `model`.
pub fn track_infos(model: &crate::session::Model) -> Vec<TrackInfo> {
    model
        .tracks
        .iter()
        .map(|(name, t)| {
            let own = serde_yaml_ng::to_value(&t.spec)
                .ok()
                .and_then(|v| v.get("note").and_then(serde_yaml_ng::Value::as_f64))
                .unwrap_or(48.0);
            TrackInfo {
                id: t.id,
                name: name.clone(),
                pitched: t.spec.is_pitched(),
                own_note: own as f32,
            }
        })
        .collect()
}

/// What to measure.
pub struct Request<'a> {
    /// One instrument (its own sound, tapped), or `None` for the master.
    pub what: Option<&'a TrackInfo>,
    /// Every instrument.
    pub tracks: &'a [TrackInfo],
    /// The bar lines inside the span (absolute frames; the first is its
    /// start).
    pub bars: Vec<u64>,
    /// The first bar's number (1-based).
    pub first_bar: u64,
    /// The session's tempo.
    pub tempo: Option<f64>,
}

/// The notes of `id` started in `from..to`, with their ends.
fn notes_of(span: &Span, id: TrackId, own: f32, from: u64, to: u64) -> Vec<NotePlayed> {
    let mut started: HashMap<u32, usize> = HashMap::new();
    let mut out: Vec<NotePlayed> = Vec::new();
    for e in span.notes.iter().filter(|e| e.track == id) {
        match e.kind {
            EventKind::NoteOn {
                id: n,
                pitch,
                velocity,
            } if e.frame >= from && e.frame < to => {
                started.insert(n, out.len());
                out.push(NotePlayed {
                    frame: e.frame,
                    note: pitch.unwrap_or(own),
                    velocity,
                    end: None,
                });
            }
            EventKind::NoteOff { id: n } => {
                if let Some(i) = started.remove(&n) {
                    out[i].end = Some(e.frame);
                }
            }
            _ => {}
        }
    }
    out
}

/// Measure `span` (at `rate`) as `req` asks.
pub fn analyse(span: &Span, rate: u32, req: &Request) -> Report {
    let (from, to) = (span.start, span.start + span.left.len() as u64);
    fn audio(rate: u32, start: u64, (l, r): &(Vec<f32>, Vec<f32>)) -> Audio<'_> {
        Audio {
            rate,
            start,
            left: l.as_slice(),
            right: r.as_slice(),
        }
    }
    let master = match req.what.and_then(|t| span.taps.get(&t.id)) {
        Some(tap) => audio(rate, from, tap),
        None => Audio {
            rate,
            start: from,
            left: &span.left,
            right: &span.right,
        },
    };
    let mut tracks = Vec::new();
    let mut onsets = Vec::new();
    for t in req.tracks {
        let mine = req.what.is_none_or(|w| w.id == t.id);
        let notes = notes_of(span, t.id, t.own_note, from, to);
        let energy = span.energy.get(&t.id).copied();
        // The grid's onsets: of the instrument asked for, or of every
        // drum heard in the mix (a pad's slow attack has no onset).
        if mine && energy.is_some_and(|e| e > 0.0) && (req.what.is_some() || !t.pitched) {
            onsets.extend(notes.iter().map(|n| n.frame));
        }
        tracks.push(TrackInput {
            name: t.name.clone(),
            audio: if mine {
                span.taps.get(&t.id).map(|tap| audio(rate, from, tap))
            } else {
                None
            },
            energy,
            notes: if mine { notes } else { Vec::new() },
            pitched: t.pitched,
        });
    }
    onsets.sort_unstable();
    onsets.dedup();
    let input = Input {
        what: req.what.map_or("master".into(), |t| t.name.clone()),
        master,
        tracks,
        bars: req.bars.clone(),
        first_bar: Some(req.first_bar),
        tempo_bpm: req.tempo,
        scheduled_onsets: onsets,
        counters: Counters {
            clipped_before_limiter: span.clipped,
            limiter_max_reduction_db: span.reduction_db,
            nan_resets: span.faults,
            xruns: span.xruns,
            late_events: span.late,
            panics: 0,
        },
    };
    chronus_analysis::analyse(&input)
}
