//! The whole analysis of a span: every building block, put together.

use crate::harmony::{chords, key_estimate};
use crate::loudness::peak_and_energy;
use crate::notes::{measure_notes, MeasuredNote};
use crate::onsets::{novelty, onset_report, pick};
use crate::problems::{problems, Facts};
use crate::report::{
    Balance, ChordAt, ChordCount, CountersReport, DcOffset, NoteSummary, Report, TrackReport,
};
use crate::tempo::tempo_from;
use crate::util::{amp_db, clean, finite, median, power_db};
use crate::{bands, dc_offset, loudness, stereo, Audio, Input, NotePlayed, TrackInput};

/// Analyses a span: loudness, spectrum, stereo image, balance, the pitch of
/// the notes of tapped pitched tracks, chords, key, onsets against the
/// schedule, tempo, and problems. Never panics; see [`Report`].
pub fn analyse(input: &Input) -> Report {
    let master = &input.master;
    let n = master.frames();
    let rate = master.rate;
    let span = (master.start, master.start.saturating_add(n as u64));
    let mono = master.mono();
    let nov = novelty(&mono, rate);
    let picked = nov
        .as_ref()
        .map(|v| pick(&mono, rate, v))
        .unwrap_or_default();
    let detected: Vec<u64> = picked
        .iter()
        .map(|p| p.0.saturating_add(master.start))
        .collect();
    let onsets = (!input.scheduled_onsets.is_empty())
        .then(|| onset_report(&detected, &input.scheduled_onsets, rate));
    let session = input.tempo_bpm.and_then(finite).filter(|t| *t > 0.0);
    let tempo_bpm = nov
        .as_ref()
        .and_then(|v| tempo_from(v, &picked, rate, session));

    let mut track_checks = Vec::new();
    let mut tracks = Vec::with_capacity(input.tracks.len());
    let mut energies: Vec<(String, Option<f64>, bool)> = Vec::new();
    let mut key_notes: Vec<(f32, f64)> = Vec::new();
    for t in &input.tracks {
        let (report, measured_energy) = track(t, span);
        if let Some(a) = &t.audio {
            let m = a.frames();
            let dc = DcOffset {
                left: dc_offset(&a.left[..m]),
                right: dc_offset(&a.right[..m]),
            };
            track_checks.push((t.name.clone(), a.check(), dc));
        }
        let given = t.energy.and_then(finite).filter(|e| *e >= 0.0);
        energies.push((t.name.clone(), given.or(measured_energy), given.is_none()));
        if t.pitched {
            key_notes.extend(sounding(&t.notes, span, rate));
        }
        tracks.push(report);
    }
    let total: f64 = energies.iter().filter_map(|e| e.1).sum();
    let balance: Vec<Balance> = energies
        .into_iter()
        .filter_map(|(name, energy, measured)| {
            let energy = energy?;
            Some(Balance {
                name,
                share_db: if total > 0.0 {
                    power_db(energy / total)
                } else {
                    None
                },
                energy,
                measured,
            })
        })
        .collect();

    let c = input.counters;
    let counters = CountersReport {
        clipped_before_limiter: c.clipped_before_limiter,
        limiter_max_reduction_db: finite(f64::from(c.limiter_max_reduction_db).abs()),
        nan_resets: c.nan_resets,
        xruns: c.xruns,
        late_events: c.late_events,
        panics: c.panics,
    };
    let loud = loudness(master);
    let st = stereo(master);
    let dc = DcOffset {
        left: dc_offset(&master.left[..n]),
        right: dc_offset(&master.right[..n]),
    };
    let checks = master.check();
    let problems = problems(&Facts {
        what: &input.what,
        checks: &checks,
        loudness: &loud,
        dc,
        stereo: &st,
        has_frames: n > 0,
        counters: &counters,
        tracks: &tracks,
        track_checks: &track_checks,
    });
    let bars = input.bars.len();
    Report {
        what: input.what.clone(),
        first_bar: input.first_bar,
        last_bar: input
            .first_bar
            .map(|b| b.saturating_add(bars.saturating_sub(1) as u64)),
        bars,
        start_frame: master.start,
        frames: n as u64,
        rate_hz: rate,
        seconds: master.seconds(),
        loudness: loud,
        bands: bands(master),
        stereo: st,
        dc_offset: dc,
        counters,
        balance,
        tracks,
        key: key_estimate(&key_notes),
        onsets_detected: detected.len(),
        onsets,
        tempo_bpm,
        session_tempo_bpm: session,
        problems,
    }
}

/// One track's report, and its energy measured from its audio (if tapped).
fn track(t: &TrackInput, span: (u64, u64)) -> (TrackReport, Option<f64>) {
    let in_span: Vec<NotePlayed> = t
        .notes
        .iter()
        .filter(|n| n.frame >= span.0 && n.frame < span.1)
        .copied()
        .collect();
    let mut report = TrackReport {
        name: t.name.clone(),
        tapped: t.audio.is_some(),
        pitched: t.pitched,
        notes_played: in_span.len(),
        bands: None,
        sample_peak_dbfs: None,
        notes: Vec::new(),
        note_summary: Vec::new(),
        chords: Vec::new(),
        chord_summary: Vec::new(),
    };
    let mut energy = None;
    if let Some(audio) = &t.audio {
        let (e, peak) = energy_and_peak(audio);
        energy = Some(e);
        report.sample_peak_dbfs = amp_db(peak);
        report.bands = Some(bands(audio));
        if t.pitched {
            let mono = audio.mono();
            report.notes = measure_notes(&mono, audio.rate, audio.start, &in_span);
            report.note_summary = summarise(&report.notes);
        }
    }
    if t.pitched {
        let rate = t.audio.as_ref().map_or(48_000, |a| a.rate);
        for (frame, name) in chords(&in_span, rate) {
            match report.chord_summary.iter_mut().find(|c| c.name == name) {
                Some(c) => c.count += 1,
                None => report.chord_summary.push(ChordCount {
                    name: name.clone(),
                    count: 1,
                }),
            }
            report.chords.push(ChordAt { frame, name });
        }
    }
    (report, energy)
}

/// Sum of squares over both channels, and the sample peak (finite samples only).
fn energy_and_peak(a: &Audio) -> (f64, f64) {
    let m = a.frames();
    let (l, r) = (clean(&a.left[..m]), clean(&a.right[..m]));
    let (peak, e) = peak_and_energy(&l, &r);
    (e, f64::from(peak))
}

/// Groups measured notes by name, in order of first appearance.
fn summarise(notes: &[MeasuredNote]) -> Vec<NoteSummary> {
    let mut names: Vec<&str> = Vec::new();
    for n in notes {
        if !names.contains(&n.note_name.as_str()) {
            names.push(&n.note_name);
        }
    }
    names
        .into_iter()
        .map(|name| {
            let group: Vec<&MeasuredNote> = notes.iter().filter(|n| n.note_name == name).collect();
            let cents: Vec<f64> = group.iter().filter_map(|n| n.cents_off_expected).collect();
            NoteSummary {
                note_name: name.to_string(),
                played: group.len(),
                measured: cents.len(),
                median_cents_off_expected: median(&cents),
                worst_cents_off_expected: cents
                    .iter()
                    .copied()
                    .max_by(|a, b| a.abs().total_cmp(&b.abs())),
            }
        })
        .collect()
}

/// `(note, seconds sounding inside the span)` for the key estimate: until the
/// release, or else the next onset of the track, or else the span's end.
fn sounding(notes: &[NotePlayed], span: (u64, u64), rate: u32) -> Vec<(f32, f64)> {
    if rate == 0 {
        return Vec::new();
    }
    let mut onsets: Vec<u64> = notes.iter().map(|n| n.frame).collect();
    onsets.sort_unstable();
    onsets.dedup();
    notes
        .iter()
        .filter_map(|n| {
            let next = onsets
                .iter()
                .copied()
                .find(|&f| f > n.frame)
                .unwrap_or(span.1);
            let end = n.end.filter(|&e| e > n.frame).unwrap_or(next).min(span.1);
            let from = n.frame.max(span.0);
            (end > from).then(|| (n.note, (end - from) as f64 / f64::from(rate)))
        })
        .collect()
}
