//! The report: its JSON shape and its one-line summary.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::{Bands, Key, Loudness, MeasuredNote, OnsetReport, Stereo};

/// The measured report of a span, as [`crate::analyse`] returns it.
///
/// Serialises (serde) to JSON with snake_case fields and units in the names;
/// a value that does not exist is `null`, never NaN or infinite.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// What was listened to: "master" or a track name.
    pub what: String,
    /// First bar of the span, as the session numbers bars, if known.
    pub first_bar: Option<u64>,
    /// Last bar of the span, if known.
    pub last_bar: Option<u64>,
    /// Bar lines inside the span.
    pub bars: usize,
    /// Absolute frame of the span's first sample.
    pub start_frame: u64,
    /// Frames in the span.
    pub frames: u64,
    /// Sample rate, Hz.
    pub rate_hz: u32,
    /// Length of the span, seconds.
    pub seconds: f64,
    /// Loudness and peaks of the audio listened to.
    pub loudness: Loudness,
    /// Spectral balance of the audio listened to.
    pub bands: Bands,
    /// Stereo image of the audio listened to.
    pub stereo: Stereo,
    /// DC offset of each channel.
    pub dc_offset: DcOffset,
    /// The engine's counters.
    pub counters: CountersReport,
    /// Each track's share of the mix.
    pub balance: Vec<Balance>,
    /// What was measured per track.
    pub tracks: Vec<TrackReport>,
    /// Key of the pitched notes played, if any.
    pub key: Option<Key>,
    /// Onsets detected in the audio listened to.
    pub onsets_detected: usize,
    /// How they matched the scheduled onsets (`None` when none were given).
    pub onsets: Option<OnsetReport>,
    /// Tempo measured from the audio, bpm.
    pub tempo_bpm: Option<f64>,
    /// The session's tempo, bpm.
    pub session_tempo_bpm: Option<f64>,
    /// Problems, each a short phrase ("DC offset 0.012 on master"); empty when none.
    pub problems: Vec<String>,
}

/// DC offset (mean sample value) per channel.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct DcOffset {
    /// Left channel.
    pub left: f64,
    /// Right channel.
    pub right: f64,
}

/// The engine's counters as reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct CountersReport {
    /// Samples over full scale before the master limiter.
    pub clipped_before_limiter: u64,
    /// Largest limiter gain reduction, dB (a magnitude); `None` if the engine's value was not finite.
    pub limiter_max_reduction_db: Option<f64>,
    /// Voices or effects reset after producing NaN.
    pub nan_resets: u64,
    /// Buffer under- or overruns.
    pub xruns: u64,
    /// Events that arrived late.
    pub late_events: u64,
    /// Panics caught in the audio thread.
    pub panics: u64,
}

/// A track's share of the mix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Balance {
    /// Track name.
    pub name: String,
    /// `10·log10(track energy / sum of the tracks' energies)`, dB; `None` when the track is silent.
    pub share_db: Option<f64>,
    /// The energy used (sum of squares over both channels).
    pub energy: f64,
    /// Whether the energy was measured from the track's audio (not given by the engine).
    pub measured: bool,
}

/// What was measured for one track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrackReport {
    /// Track name.
    pub name: String,
    /// Whether its own audio was captured.
    pub tapped: bool,
    /// Whether it plays pitched notes.
    pub pitched: bool,
    /// Notes it played in the span.
    pub notes_played: usize,
    /// Its spectral balance (tapped tracks only).
    pub bands: Option<Bands>,
    /// Its sample peak, dBFS (tapped tracks only).
    pub sample_peak_dbfs: Option<f64>,
    /// Each single note's measured pitch (tapped pitched tracks only).
    pub notes: Vec<MeasuredNote>,
    /// The measured notes grouped by name, in order of first appearance.
    pub note_summary: Vec<NoteSummary>,
    /// Chords it played, at their onsets (absolute frames).
    pub chords: Vec<ChordAt>,
    /// The chords grouped by name, in order of first appearance.
    pub chord_summary: Vec<ChordCount>,
}

/// The measured notes of one name on one track.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NoteSummary {
    /// Note name, e.g. "C2".
    pub note_name: String,
    /// How many were played.
    pub played: usize,
    /// How many of them were measured.
    pub measured: usize,
    /// Median deviation from the requested pitch, cents.
    pub median_cents_off_expected: Option<f64>,
    /// Largest deviation (signed) from the requested pitch, cents.
    pub worst_cents_off_expected: Option<f64>,
}

/// A chord at an onset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChordAt {
    /// Absolute frame of its first note.
    pub frame: u64,
    /// Its name, e.g. "Am7" or "C/E".
    pub name: String,
}

/// How often a chord was played.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChordCount {
    /// Chord name.
    pub name: String,
    /// Times played.
    pub count: usize,
}

impl Report {
    /// The report as one compact line (no newline) for a terminal and an
    /// agent: sections separated by "; ", those that do not apply left out.
    pub fn line(&self) -> String {
        let mut parts: Vec<String> = vec![self.header()];
        if !self.balance.is_empty() {
            let items: Vec<String> = self
                .balance
                .iter()
                .map(|b| match b.share_db {
                    Some(db) => format!("{} {} dB", b.name, num(db, 1)),
                    None => format!("{} silent", b.name),
                })
                .collect();
            parts.push(format!("balance {}", items.join(", ")));
        }
        if self.bands.centroid_hz.is_some() {
            let mut s = String::from("bands ");
            for (name, band) in self.bands.iter() {
                match band.share_db {
                    Some(db) => {
                        let _ = write!(s, "{name} {} dB, ", num(db, 0));
                    }
                    None => {
                        let _ = write!(s, "{name} none, ");
                    }
                }
            }
            let _ = write!(
                s,
                "centroid {:.0} Hz",
                self.bands.centroid_hz.unwrap_or(0.0)
            );
            parts.push(s);
        }
        if let Some(stereo) = self.stereo_part() {
            parts.push(stereo);
        }
        let notes: Vec<String> = self
            .tracks
            .iter()
            .filter(|t| !t.note_summary.is_empty())
            .map(|t| {
                let items: Vec<String> = t.note_summary.iter().map(note_item).collect();
                format!("{} {}", t.name, items.join(", "))
            })
            .collect();
        if !notes.is_empty() {
            parts.push(format!("notes {}", notes.join(", ")));
        }
        let chords: Vec<String> = self
            .tracks
            .iter()
            .filter(|t| !t.chord_summary.is_empty())
            .map(|t| {
                let items: Vec<String> = t
                    .chord_summary
                    .iter()
                    .map(|c| format!("{} x{}", c.name, c.count))
                    .collect();
                format!("{} {}", t.name, items.join(", "))
            })
            .collect();
        if !chords.is_empty() {
            parts.push(format!("chords {}", chords.join(", ")));
        }
        if let Some(key) = &self.key {
            parts.push(format!("key {}", key.name));
        }
        if let Some(o) = &self.onsets {
            let mut s = format!("onsets {}/{}", o.found, o.scheduled);
            if let (Some(w), Some(m)) = (o.worst_frames, o.median_frames) {
                let unit = if w.abs() == 1 { "frame" } else { "frames" };
                let _ = write!(s, ", worst {w} {unit}, median {m}");
            }
            if o.extra > 0 {
                let _ = write!(s, ", {} extra", o.extra);
            }
            parts.push(s);
        }
        if let Some(t) = self.tempo_bpm {
            let mut s = format!("tempo {t:.1} bpm");
            if let Some(session) = self.session_tempo_bpm {
                if (t / session - 1.0).abs() > 0.01 {
                    let _ = write!(s, " (session {session:.1})");
                }
            }
            parts.push(s);
        }
        if self.problems.is_empty() {
            parts.push("problems none".into());
        } else {
            parts.push(format!("problems {}", self.problems.join(", ")));
        }
        parts.join("; ").replace(['\n', '\r'], " ")
    }

    /// "master bars 13-16 (8.00 s): -14.2 LUFS (short-term -13.9), peak …".
    fn header(&self) -> String {
        let mut s = self.what.clone();
        match (self.first_bar, self.last_bar) {
            (Some(a), Some(b)) if a != b => {
                let _ = write!(s, " bars {a}-{b}");
            }
            (Some(a), _) => {
                let _ = write!(s, " bar {a}");
            }
            _ if self.bars > 0 => {
                let _ = write!(s, " {} bars", self.bars);
            }
            _ => {}
        }
        let _ = write!(s, " ({:.2} s): ", self.seconds);
        let l = &self.loudness;
        let mut items: Vec<String> = Vec::new();
        match (l.integrated_lufs, l.sample_peak_dbfs, l.rms_dbfs) {
            (Some(i), _, _) => {
                let mut v = format!("{} LUFS", num(i, 1));
                if let Some(st) = l.short_term_lufs {
                    let _ = write!(v, " (short-term {})", num(st, 1));
                }
                items.push(v);
            }
            (None, None, _) => items.push("silent".into()),
            (None, Some(_), Some(rms)) => items.push(format!("{} dBFS RMS", num(rms, 1))),
            (None, Some(_), None) => {}
        }
        if let Some(tp) = l.true_peak_dbtp.or(l.sample_peak_dbfs) {
            let unit = if l.true_peak_dbtp.is_some() {
                "dBTP"
            } else {
                "dBFS"
            };
            items.push(format!("peak {} {unit}", num(tp, 1)));
        }
        if let Some(c) = l.crest_db {
            items.push(format!("crest {} dB", num(c, 1)));
        }
        match self.counters.limiter_max_reduction_db {
            Some(r) if r >= 0.05 => items.push(format!("limiter -{r:.1} dB")),
            Some(_) => items.push("limiter 0 dB".into()),
            None => {}
        }
        items.push(format!("clipped {}", self.counters.clipped_before_limiter));
        s.push_str(&items.join(", "));
        s
    }

    /// "stereo corr 0.97, width 12%".
    fn stereo_part(&self) -> Option<String> {
        let st = &self.stereo;
        if st.correlation.is_none() && st.width_pct.is_none() {
            return None;
        }
        let mut items = Vec::new();
        match st.correlation {
            Some(c) => items.push(format!("corr {}", num(c, 2))),
            None => items.push("one channel silent".into()),
        }
        if let Some(w) = st.width_pct {
            items.push(format!("width {w:.0}%"));
        }
        if let Some(b) = st.balance_db.filter(|b| b.abs() >= 1.0) {
            let side = if b > 0.0 { "L" } else { "R" };
            items.push(format!("{side} +{:.1} dB", b.abs()));
        }
        Some(format!("stereo {}", items.join(", ")))
    }
}

/// `x` with `d` decimals, never "-0.0".
fn num(x: f64, d: usize) -> String {
    let s = format!("{x:.d$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// `x` with `d` decimals and a sign, "+0.0" for zero.
fn signed(x: f64, d: usize) -> String {
    let s = num(x, d);
    if s.starts_with('-') {
        s
    } else {
        format!("+{s}")
    }
}

/// "C2 +0.1c x8".
fn note_item(n: &NoteSummary) -> String {
    match n.median_cents_off_expected {
        Some(c) => {
            let mut s = format!("{} {}c x{}", n.note_name, signed(c, 1), n.measured);
            if n.measured < n.played {
                let _ = write!(s, " ({} unmeasured)", n.played - n.measured);
            }
            s
        }
        None => format!("{} unmeasured x{}", n.note_name, n.played),
    }
}
