//! The whole analysis of a span: every building block, put together.

use crate::harmony::{chords, key_estimate};
use crate::notes::{measure_notes, MeasuredNote};
use crate::onsets::{novelty, onset_report, pick};
use crate::problems::{problems, Facts};
use crate::report::{
    Balance, ChordAt, ChordCount, CountersReport, DcOffset, NoteSummary, Report, TrackReport,
};
use crate::spectrum::bands_of_mono;
use crate::tempo::tempo_from;
use crate::util::{amp_db, finite, median, power_db, scan, Scan};
use crate::{dc_offset, loudness, stereo, Audio, Input, NotePlayed, TrackInput};

/// Analyses a span: loudness, spectrum, stereo image, balance, the pitch of
/// the notes of tapped pitched tracks, chords, key, onsets against the
/// schedule, tempo, and problems. Never panics; see [`Report`].
pub fn analyse(input: &Input) -> Report {
    let master = &input.master;
    let mono = master.mono();
    let scans: Vec<Option<Scan>> = input
        .tracks
        .iter()
        .map(|t| t.audio.as_ref().map(|a| scan(a.left, a.right)))
        .collect();
    // the spectra and the master's level and image on a second thread (when
    // one can be had) while this one does the onsets, tempo and notes
    let spectra = || {
        let bands: Vec<Option<crate::Bands>> = input
            .tracks
            .iter()
            .zip(&scans)
            .map(|(t, sc)| Some(bands_of_mono(&sc.as_ref()?.mono, t.audio.as_ref()?.rate)))
            .collect();
        (master_levels(master, &mono), bands)
    };
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .name("chronus-analysis".into())
            .spawn_scoped(scope, spectra)
            .ok();
        let mut rest = rest(input, &mono, &scans);
        let (levels, bands) = helper.and_then(|h| h.join().ok()).unwrap_or_else(spectra);
        for (t, b) in rest.tracks.iter_mut().zip(bands) {
            t.bands = b;
        }
        assemble(input, levels, rest)
    })
}

/// What is measured on the master's own audio alone.
struct Levels {
    loud: crate::Loudness,
    stereo: crate::Stereo,
    bands: crate::Bands,
    dc: DcOffset,
    checks: Vec<crate::AudioError>,
}

/// Loudness, stereo image, bands, DC and checks of the master.
fn master_levels(master: &Audio, mono: &[f32]) -> Levels {
    let n = master.frames();
    Levels {
        loud: loudness(master),
        stereo: stereo(master),
        bands: bands_of_mono(mono, master.rate),
        dc: DcOffset {
            left: dc_offset(&master.left[..n]),
            right: dc_offset(&master.right[..n]),
        },
        checks: master.check(),
    }
}

/// Everything else: onsets, tempo, tracks, balance, key.
struct Rest {
    onsets: Option<crate::OnsetReport>,
    detected: usize,
    tempo_bpm: Option<f64>,
    session: Option<f64>,
    tracks: Vec<TrackReport>,
    track_checks: Vec<(String, Vec<crate::AudioError>, DcOffset)>,
    balance: Vec<Balance>,
    key: Option<crate::Key>,
}

/// Onsets, tempo, the tracks (but their spectra), balance and key.
fn rest(input: &Input, mono: &[f32], scans: &[Option<Scan>]) -> Rest {
    let master = &input.master;
    let n = master.frames();
    let rate = master.rate;
    let span = (master.start, master.start.saturating_add(n as u64));
    let nov = novelty(mono, rate);
    let picked = nov
        .as_ref()
        .map(|v| pick(mono, rate, v))
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
    for (t, measured) in input.tracks.iter().zip(scans) {
        let report = track(t, measured.as_ref(), span, rate);
        if let (Some(a), Some(m)) = (&t.audio, &measured) {
            let mut checks = Vec::new();
            if a.rate == 0 {
                checks.push(crate::AudioError::ZeroRate);
            }
            if a.left.len() != a.right.len() {
                checks.push(crate::AudioError::LengthMismatch {
                    left: a.left.len(),
                    right: a.right.len(),
                });
            }
            if m.not_finite > 0 {
                checks.push(crate::AudioError::NotFinite {
                    count: m.not_finite,
                });
            }
            let dc = DcOffset {
                left: m.mean[0],
                right: m.mean[1],
            };
            track_checks.push((t.name.clone(), checks, dc));
        }
        let measured_energy = measured.as_ref().map(|m| m.energy);
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

    Rest {
        onsets,
        detected: detected.len(),
        tempo_bpm,
        session,
        tracks,
        track_checks,
        balance,
        key: key_estimate(&key_notes),
    }
}

/// Puts the report together and names the problems.
fn assemble(input: &Input, levels: Levels, rest: Rest) -> Report {
    let master = &input.master;
    let n = master.frames();
    let c = input.counters;
    let counters = CountersReport {
        clipped_before_limiter: c.clipped_before_limiter,
        limiter_max_reduction_db: finite(f64::from(c.limiter_max_reduction_db).abs()),
        nan_resets: c.nan_resets,
        xruns: c.xruns,
        late_events: c.late_events,
        panics: c.panics,
    };
    let problems = problems(&Facts {
        what: &input.what,
        checks: &levels.checks,
        loudness: &levels.loud,
        dc: levels.dc,
        stereo: &levels.stereo,
        has_frames: n > 0,
        counters: &counters,
        tracks: &rest.tracks,
        track_checks: &rest.track_checks,
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
        rate_hz: master.rate,
        seconds: master.seconds(),
        loudness: levels.loud,
        bands: levels.bands,
        stereo: levels.stereo,
        dc_offset: levels.dc,
        counters,
        balance: rest.balance,
        tracks: rest.tracks,
        key: rest.key,
        onsets_detected: rest.detected,
        onsets: rest.onsets,
        tempo_bpm: rest.tempo_bpm,
        session_tempo_bpm: rest.session,
        problems,
    }
}

/// One track's report (its spectrum is filled in later), from its audio's
/// scan when it was tapped.
fn track(t: &TrackInput, measured: Option<&Scan>, span: (u64, u64), rate: u32) -> TrackReport {
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
    if let (Some(audio), Some(sc)) = (&t.audio, measured) {
        report.sample_peak_dbfs = amp_db(f64::from(sc.peak));
        if t.pitched {
            report.notes = measure_notes(&sc.mono, audio.rate, audio.start, &in_span);
            report.note_summary = summarise(&report.notes);
        }
    }
    if t.pitched {
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
    report
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
