//! `preview`: the session rendered offline from the next bar, nothing
//! heard, and measured as `listen` measures what played; `vs=PATCH`
//! measures a saved patch over the same bars beside it.

use super::listen::{reply_text, DEFAULT_BARS};
use super::plan::unknown;
use super::{patch, Draft, Session};
use crate::listen::measure::{self, Request};
use crate::listen::offline::{self, Rendered};
use crate::live::sequencer::lock;
use chronus_command::{Listening, Word};
use chronus_sequencer::Song;

/// Render `song` from bar `start` and measure it.
fn measured(
    s: &Session,
    song: &Song,
    start: u64,
    bars: u32,
    what: Option<&str>,
) -> Result<chronus_analysis::Report, String> {
    let Rendered {
        history,
        lines,
        infos,
        tempo,
    } = offline::render(song, s.rate, start, bars, what, s.patches.clone())?;
    let target = match what {
        Some(name) => Some(
            infos
                .iter()
                .find(|t| t.name == name)
                .ok_or_else(|| format!("{name} is not in what was rendered"))?,
        ),
        None => None,
    };
    let span = history.span(lines[0], lines[lines.len() - 1]);
    let req = Request {
        what: target,
        tracks: &infos,
        bars: lines[..lines.len() - 1].to_vec(),
        first_bar: start + 1,
        tempo: Some(tempo),
    };
    Ok(measure::analyse(&span, s.rate, &req))
}

/// `preview [NAME|master] [bars=N] [vs=PATCH] [--json]`.
pub(super) fn preview(
    s: &Session,
    d: &Draft,
    l: &Listening,
    vs: Option<&Word>,
) -> Result<String, String> {
    let bars = l.bars.map_or(DEFAULT_BARS, |b| b.0);
    if let Some(w) = &l.what {
        if !d.model.tracks.contains_key(&w.text) {
            return Err(unknown(d, w));
        }
    }
    let what = l.what.as_ref().map(|w| w.text.as_str());
    let start = {
        let tl = lock(&s.timeline);
        tl.bar_at(tl.map().beat_at(s.clock.now())) + 1
    };
    let song = offline::model_song(&d.model, &Session::sources(d))?;
    let ours = measured(s, &song, start, bars, what)?;
    let Some(vs) = vs else {
        return Ok(format!("preview {}", reply_text(&ours, l.json)));
    };
    let path = patch::patch_path(&s.patches, &vs.text)?;
    if !path.exists() {
        return Err(format!(
            "no patch called '{}' in {} to compare with",
            vs.text,
            s.patches.display()
        ));
    }
    let (theirs_song, _) = Song::load(&path).map_err(|e| e.to_string())?;
    if what.is_some_and(|n| !theirs_song.tracks.iter().any(|t| t.name == n)) {
        return Err(format!(
            "patch '{}' has no instrument called '{}' to compare",
            vs.text,
            what.unwrap_or_default()
        ));
    }
    let theirs = measured(s, &theirs_song, start, bars, what)?;
    if l.json {
        let v =
            serde_json::json!({ "preview": ours, "vs": { "patch": vs.text, "report": theirs } });
        return Ok(v.to_string());
    }
    Ok(format!(
        "preview {} | vs {}: {}",
        ours.line(),
        vs.text,
        theirs.line()
    ))
}

/// `render [bars=N] [-o FILE.wav]`: the next bars to a WAV file.
pub(super) fn render(
    s: &Session,
    d: &Draft,
    bars: Option<u32>,
    out: Option<&Word>,
) -> Result<String, String> {
    let bars = bars.unwrap_or(DEFAULT_BARS);
    let start = {
        let tl = lock(&s.timeline);
        tl.bar_at(tl.map().beat_at(s.clock.now())) + 1
    };
    let path = super::output::path(
        s,
        out,
        "renders",
        &format!("bar{}-{}", start + 1, start + u64::from(bars)),
        "wav",
    )?;
    let song = offline::model_song(&d.model, &Session::sources(d))?;
    let began = std::time::Instant::now();
    let r = offline::render(&song, s.rate, start, bars, None, s.patches.clone())?;
    let span = r.history.span(r.lines[0], r.lines[r.lines.len() - 1]);
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: s.rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut bytes = std::io::Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut bytes, spec).map_err(|e| e.to_string())?;
        for (l, r) in span.left.iter().zip(&span.right) {
            w.write_sample(*l).map_err(|e| e.to_string())?;
            w.write_sample(*r).map_err(|e| e.to_string())?;
        }
        w.finalize().map_err(|e| e.to_string())?;
    }
    patch::write_atomic_bytes(&path, bytes.get_ref())?;
    let seconds = span.left.len() as f64 / f64::from(s.rate);
    let took = began.elapsed().as_secs_f64();
    Ok(format!(
        "render: bars {}-{} ({seconds:.2} s) to {} in {took:.2} s ({:.0}x real time)",
        start + 1,
        start + u64::from(bars),
        super::output::shown(s, &path),
        seconds / took.max(1e-9)
    ))
}
