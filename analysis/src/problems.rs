//! Problems, named plainly: each a short phrase for the report.

use crate::report::{CountersReport, DcOffset, TrackReport};
use crate::{AudioError, Bands, Loudness, Stereo};

/// Whole span below this sample peak is silence, dBFS.
const SILENCE_DBFS: f64 = -60.0;
/// DC offset above this (absolute mean) is a problem.
const DC_LIMIT: f64 = 0.005;
/// Limiter gain reduction above this is heavy limiting, dB.
const HEAVY_LIMITING_DB: f64 = 6.0;
/// A masked track is at least this much quieter in its own main band, dB.
const MASKED_DB: f64 = 10.0;
/// The masker holds at least this share of its own energy in that band, percent.
const MASKER_SHARE_PCT: f64 = 25.0;
/// A note group this far off its requested pitch is off pitch, cents.
const OFF_PITCH_CENTS: f64 = 20.0;
/// Correlation below this is out of phase.
const OUT_OF_PHASE: f64 = -0.2;

/// What the problem check reads.
pub(crate) struct Facts<'a> {
    /// What was listened to.
    pub what: &'a str,
    /// Checks of the audio listened to.
    pub checks: &'a [AudioError],
    /// Its loudness.
    pub loudness: &'a Loudness,
    /// Its DC offset.
    pub dc: DcOffset,
    /// Its stereo image.
    pub stereo: &'a Stereo,
    /// Whether it has any frames at all.
    pub has_frames: bool,
    /// The engine's counters.
    pub counters: &'a CountersReport,
    /// The per-track reports.
    pub tracks: &'a [TrackReport],
    /// Checks and DC offsets of the tapped tracks' audio.
    pub track_checks: &'a [(String, Vec<AudioError>, DcOffset)],
}

/// Every problem found, in a fixed order (engine faults first).
pub(crate) fn problems(f: &Facts) -> Vec<String> {
    let mut out = Vec::new();
    let c = f.counters;
    let count = |n: u64, one: &str, many: &str| {
        (n > 0).then(|| format!("{n} {}", if n == 1 { one } else { many }))
    };
    out.extend(count(c.panics, "panic", "panics"));
    out.extend(count(c.nan_resets, "NaN reset", "NaN resets"));
    out.extend(count(c.xruns, "xrun", "xruns"));
    out.extend(count(c.late_events, "late event", "late events"));
    for e in f.checks {
        out.push(format!("{e} on {}", f.what));
    }
    for (name, checks, dc) in f.track_checks {
        for e in checks {
            out.push(format!("{e} on {name}"));
        }
        out.extend(dc_problem(*dc, name));
    }
    if !f.has_frames {
        out.push(format!("no audio on {}", f.what));
    } else if f.loudness.sample_peak_dbfs.is_none_or(|p| p < SILENCE_DBFS) {
        out.push(format!("silence on {} (below -60 dBFS)", f.what));
    }
    out.extend(dc_problem(f.dc, f.what));
    if let Some(tp) = f.loudness.true_peak_dbtp.filter(|&tp| tp > 0.0) {
        out.push(format!("clipping: true peak {tp:+.1} dBTP on {}", f.what));
    }
    if c.clipped_before_limiter > 0 {
        out.push(format!(
            "clipping: {} samples over full scale before the limiter",
            c.clipped_before_limiter
        ));
    }
    if let Some(r) = c
        .limiter_max_reduction_db
        .filter(|&r| r > HEAVY_LIMITING_DB)
    {
        out.push(format!("heavy limiting (-{r:.1} dB)"));
    }
    if let Some(corr) = f.stereo.correlation.filter(|&c| c < OUT_OF_PHASE) {
        out.push(format!("{} out of phase (corr {corr:.2})", f.what));
    }
    for t in f.tracks {
        if t.tapped && t.notes_played > 0 && t.sample_peak_dbfs.is_none_or(|p| p < SILENCE_DBFS) {
            out.push(format!(
                "{} silent ({} notes played)",
                t.name, t.notes_played
            ));
        }
        for n in &t.note_summary {
            if let Some(c) = n
                .median_cents_off_expected
                .filter(|c| c.abs() > OFF_PITCH_CENTS)
            {
                out.push(format!("{} {} off pitch {c:+.0}c", t.name, n.note_name));
            }
        }
    }
    let tapped: Vec<(&str, &Bands)> = f
        .tracks
        .iter()
        .filter_map(|t| t.bands.as_ref().map(|b| (t.name.as_str(), b)))
        .collect();
    out.extend(masking(&tapped));
    out
}

/// "DC offset 0.012 on master" when either channel is past the limit.
fn dc_problem(dc: DcOffset, what: &str) -> Option<String> {
    let worst = if dc.left.abs() >= dc.right.abs() {
        dc.left
    } else {
        dc.right
    };
    (worst.abs() > DC_LIMIT).then(|| format!("DC offset {worst:.3} on {what}"))
}

/// Finds tracks masked by others, from their own (tapped) spectra.
///
/// Track A is masked by track B in a band when that band holds the largest
/// share of A's energy, B's level there is at least 10 dB above A's, and that
/// band holds at least 25% of B's own energy. Only the strongest masker of
/// each track is named: "bass masked by pad in low (60-250 Hz)".
pub fn masking(tracks: &[(&str, &Bands)]) -> Vec<String> {
    let mut out = Vec::new();
    for (ai, (a_name, a)) in tracks.iter().enumerate() {
        let Some((home, a_band)) = a
            .iter()
            .into_iter()
            .filter(|(_, b)| b.level_dbfs.is_some())
            .max_by(|x, y| x.1.share_pct.total_cmp(&y.1.share_pct))
        else {
            continue;
        };
        let Some(a_level) = a_band.level_dbfs else {
            continue;
        };
        let mut strongest: Option<(&str, f64)> = None;
        for (bi, (b_name, b)) in tracks.iter().enumerate() {
            if bi == ai {
                continue;
            }
            let Some((_, b_band)) = b.iter().into_iter().find(|(n, _)| *n == home) else {
                continue;
            };
            let Some(b_level) = b_band.level_dbfs else {
                continue;
            };
            let louder = b_level - a_level;
            if louder >= MASKED_DB
                && b_band.share_pct >= MASKER_SHARE_PCT
                && strongest.is_none_or(|s| louder > s.1)
            {
                strongest = Some((b_name, louder));
            }
        }
        if let Some((b_name, _)) = strongest {
            out.push(format!(
                "{a_name} masked by {b_name} in {}",
                Bands::label(home)
            ));
        }
    }
    out
}
