//! `listen`: the last bars that left the engine, measured. Which bars, which
//! sound (the master, or one instrument's own, tapped from the first time
//! it is asked for), and the reply: one line, or JSON.

use super::plan::unknown;
use super::{Draft, Session};
use crate::listen::measure::{self, Request};
use crate::live::sequencer::lock;
use chronus_command::Listening;
use std::time::{Duration, Instant};

/// Bars measured when none are asked for.
pub const DEFAULT_BARS: u32 = 4;

/// How long `listen` waits for the capture to catch up with the bar line.
const CATCH_UP: Duration = Duration::from_millis(250);

/// The report as the reply text: one line, or JSON.
pub(super) fn reply_text(report: &chronus_analysis::Report, json: bool) -> String {
    if json {
        serde_json::to_string(report).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    } else {
        report.line()
    }
}

/// The last bars that played.
pub(super) struct Last {
    /// Their bar lines (absolute frames), the end of the last included.
    pub lines: Vec<u64>,
    /// The first one's number (1-based).
    pub first_bar: u64,
    /// The tempo now.
    pub tempo: f64,
    /// The bar playing now (0-based).
    pub current: u64,
}

/// The last `bars` whole bars before now (or, before a whole bar has
/// played, the bar so far).
pub(super) fn last_bars(s: &Session, bars: u32) -> Last {
    let now = s.clock.now();
    let tl = lock(&s.timeline);
    let map = tl.map();
    let current = tl.bar_at(map.beat_at(now));
    let from = current.saturating_sub(u64::from(bars));
    let mut lines: Vec<u64> = (from..=current)
        .map(|b| map.frame_at(tl.bar_start(b)))
        .collect();
    if current == from {
        lines.push(now);
    }
    Last {
        lines,
        first_bar: from + 1,
        tempo: map.bpm_at(map.beat_at(now)),
        current,
    }
}

/// The instrument a `listen`/`look` line names (`None`: the master), or
/// the error naming an unknown one.
pub(super) fn target<'a>(
    d: &Draft,
    infos: &'a [crate::listen::measure::TrackInfo],
    what: Option<&chronus_command::Word>,
) -> Result<Option<&'a crate::listen::measure::TrackInfo>, String> {
    match what {
        None => Ok(None),
        Some(w) => infos
            .iter()
            .find(|t| t.name == w.text)
            .map(Some)
            .ok_or_else(|| unknown(d, w)),
    }
}

/// Make sure `id` is tapped: `Ok(true)` when it already was, `Ok(false)`
/// when its tap begins now.
pub(super) fn ensure_tap(
    listener: &crate::listen::Listener,
    infos: &[crate::listen::measure::TrackInfo],
    id: chronus_sequencer::TrackId,
) -> Result<bool, String> {
    if listener.tapped().contains(&id) {
        return Ok(true);
    }
    // Taps of instruments no longer there make room.
    for old in listener.tapped() {
        if !infos.iter().any(|i| i.id == old) {
            listener.untap(old);
        }
    }
    if !listener.tap(id) {
        return Err(format!(
            "{} instruments are tapped already (the most at once): ask about the master, or one of them",
            crate::engine::capture::MAX_TAPS
        ));
    }
    Ok(false)
}

/// Wait (briefly) until the capture holds everything before `to`.
pub(super) fn catch_up(listener: &crate::listen::Listener, to: u64) {
    let waited = Instant::now();
    while listener.held().1 < to && waited.elapsed() < CATCH_UP {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `listen [NAME|master] [bars=N] [--json]`.
pub(super) fn listen(s: &Session, d: &Draft, l: &Listening) -> Result<String, String> {
    let Some(listener) = s.listener.as_ref() else {
        return Err(
            "listen hears a live session; for a file or a song: chronus listen FILE.wav (or SONG.yaml)"
                .into(),
        );
    };
    let bars = l.bars.map_or(DEFAULT_BARS, |b| b.0);
    let infos = measure::track_infos(&d.model);
    let what = target(d, &infos, l.what.as_ref())?;
    let Last {
        mut lines,
        first_bar,
        tempo,
        current,
    } = last_bars(s, bars);
    let mut from = lines[0];
    let to = *lines.last().unwrap_or(&from);
    let mut skipped = 0;
    if let Some(t) = what {
        if !ensure_tap(listener, &infos, t.id)? {
            return Ok(format!(
                "listen {}: tapping its own sound from now (bar {}): ask again from bar {} for {bars} bars of it; `listen` measures the master now",
                t.name,
                current + 1,
                current + 2 + u64::from(bars),
            ));
        }
        // Only the bars the tap has heard whole.
        let held = listener.tap_held(t.id).map_or(to, |h| h.0);
        while from < held && lines.len() > 2 {
            lines.remove(0);
            from = lines[0];
            skipped += 1;
        }
        if from < held {
            return Err(format!(
                "{} has been tapped for less than a bar: ask again at the next bar",
                t.name
            ));
        }
    }
    catch_up(listener, to);
    let span = listener.span(from, to);
    if span.left.is_empty() {
        return Err("nothing has been captured yet: ask again in a moment".into());
    }
    let req = Request {
        what,
        tracks: &infos,
        bars: lines[..lines.len() - 1].to_vec(),
        first_bar: first_bar + skipped,
        tempo: Some(tempo),
    };
    let report = measure::analyse(&span, s.rate, &req);
    let mut text = reply_text(&report, l.json);
    if !l.json && skipped > 0 {
        text.push_str(&format!(
            " (the last {} bars: the tap began since)",
            lines.len() - 1
        ));
    }
    if !l.json && span.dropped > 0 {
        text.push_str(&format!(
            " (warning: {} capture blocks were dropped: the listening thread fell behind)",
            span.dropped
        ));
    }
    Ok(text)
}
