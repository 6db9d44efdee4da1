//! Patterns, transport, mutes, scenes and the arrangement.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Parse pattern text, with errors pointing into the whole line (the
/// column in front, and any column the message itself names).
pub(super) fn parse_pattern(text: &PatternText) -> Result<Pattern> {
    pattern::parse(&text.text).map_err(|e| {
        let shift = text.column.saturating_sub(1);
        format!(
            "column {}: {}",
            e.column + shift,
            shift_columns(&e.message, shift)
        )
    })
}

/// Check what a parsed pattern plays means something to its instrument;
/// the warnings (low plain numbers on a pitched instrument) come back.
pub(super) fn check_pattern(p: &Pattern, text: &PatternText, pitched: bool) -> Result<Vec<String>> {
    let shift = text.column.saturating_sub(1);
    let warnings = p.check(pitched).map_err(|e| {
        format!(
            "column {}: {}",
            e.column + shift,
            shift_columns(&e.message, shift)
        )
    })?;
    Ok(warnings
        .into_iter()
        .map(|w| shift_columns(&w, shift))
        .collect())
}

/// `message` with every "column N" it holds moved by `shift`.
pub(super) fn shift_columns(message: &str, shift: usize) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(i) = rest.find("column ") {
        let (head, tail) = rest.split_at(i + "column ".len());
        out.push_str(head);
        let digits = tail.chars().take_while(char::is_ascii_digit).count();
        match tail[..digits].parse::<usize>() {
            Ok(n) => out.push_str(&(n + shift).to_string()),
            Err(_) => out.push_str(&tail[..digits]),
        }
        rest = &tail[digits..];
    }
    out.push_str(rest);
    out
}

pub(super) fn set_pattern(
    d: &mut Draft,
    name: &Word,
    text: &PatternText,
    kind: PatternKind,
) -> Result<Planned> {
    if let Some((track_name, key)) = name.text.split_once('.') {
        if !d.model.tracks.contains_key(&name.text) {
            return set_param_pattern(d, name, track_name, key, text);
        }
    }
    let live = track(d, name)?;
    let id = live.id;
    let pitches = live
        .spec
        .pitches()
        .map_err(|e| format!("{}: {e}", name.text))?;
    let p = parse_pattern(text)?
        .with_pitches(pitches)
        .with_params(live.params.clone());
    let warnings = check_pattern(&p, text, live.spec.is_pitched())?;
    let verb = match kind {
        PatternKind::Steps => "sequence",
        PatternKind::Melody => "melody",
        PatternKind::Mini => "pattern",
    };
    let t = d.model.tracks.get_mut(&name.text).ok_or_else(String::new)?;
    t.pattern = Some((kind, text.text.clone()));
    Ok(Planned {
        actions: vec![Action::Edit(crate::live::timeline::Edit::Pattern(
            id,
            Some(p),
        ))],
        quantized: true,
        summary: format!(
            "{verb} {}{}",
            shown(&name.text),
            warnings
                .iter()
                .map(|w| format!(" (warning: {w})"))
                .collect::<String>()
        ),
        stopped_hint: Some(name.text.clone()),
        ..Planned::default()
    })
}

/// The track's pattern again, driving `params` (after they change), if it
/// has one.
pub(super) fn track_pattern(
    live: &LiveTrack,
    track_name: &str,
    params: &[ParamLane],
) -> Result<Option<Pattern>> {
    let Some((_, notes)) = &live.pattern else {
        return Ok(None);
    };
    let p = chronus_sequencer::pattern::parse(notes)
        .map_err(|e| format!("{track_name}: column {}: {}", e.column, e.message))?
        .with_pitches(
            live.spec
                .pitches()
                .map_err(|e| format!("{track_name}: {e}"))?,
        )
        .with_params(params.to_vec());
    Ok(Some(p))
}

/// `pattern bass.cutoff: <200 800>`: a parameter follows a pattern, set by
/// each note of the track's pattern from the next bar; a silent pattern
/// (`~`) ends it and puts the parameter back to its setting.
fn set_param_pattern(
    d: &mut Draft,
    name: &Word,
    track_name: &str,
    key: &str,
    text: &PatternText,
) -> Result<Planned> {
    let word = Word {
        text: track_name.to_string(),
        column: name.column,
    };
    let live = track(d, &word)?.clone();
    let silent = chronus_sequencer::pattern::parse(&text.text).is_ok_and(|p| p.is_silent());
    let effect = match key.split_once('.') {
        Some((fx, param)) => Some((find_effect(&live, fx, track_name)?, param)),
        None => None,
    };
    let shift = text.column.saturating_sub(1);
    let located = |e: chronus_sequencer::pattern::PatternError| {
        if e.column == 0 {
            format!("{}: {}", name.text, e.message)
        } else {
            format!("column {}: {}", e.column + shift, e.message)
        }
    };
    // A silent pattern (`~`) still names its parameter: the lane built from
    // it gives the target to end.
    let probe = text.text.as_str();
    let lane = match effect {
        Some((i, param)) => {
            ParamLane::for_effect(&live.spec.effects()[i], i, live.effect_ids[i], param, probe)
        }
        None => ParamLane::new(&live.spec, key, probe),
    };
    let lane = lane.map_err(located)?;
    let mut params = live.params.clone();
    params.retain(|l| l.target != lane.target);
    let mut actions = Vec::new();
    if silent {
        // Back to the parameter's own setting.
        let value = match (effect, key) {
            (_, "gain") => Some(live.spec.gain_db()),
            (_, "pan") => Some(live.spec.pan()),
            (Some((i, param)), _) => serde_yaml_ng::to_value(&live.spec.effects()[i])
                .ok()
                .and_then(|v| v.get(param)?.as_f64()),
            (None, _) => serde_yaml_ng::to_value(&live.spec)
                .ok()
                .and_then(|v| v.get(key)?.as_f64()),
        };
        if let Some(value) = value {
            actions.push(Action::Param {
                track: live.id,
                target: lane.target,
                value: value as f32,
                ramp: DEFAULT_RAMP,
            });
        }
    } else {
        params.push(lane);
    }
    if let Some(p) = track_pattern(&live, track_name, &params)? {
        actions.push(Action::Edit(crate::live::timeline::Edit::Pattern(
            live.id,
            Some(p),
        )));
    }
    let hint = if live.pattern.is_none() {
        " (it follows the notes of a pattern: give it one with pattern)"
    } else {
        ""
    };
    if let Some(t) = d.model.tracks.get_mut(track_name) {
        t.params = params;
    }
    Ok(Planned {
        actions,
        quantized: true,
        summary: format!(
            "pattern {}.{key}{}{hint}",
            shown(track_name),
            if silent { " off" } else { "" }
        ),
        ..Planned::default()
    })
}

pub(super) fn names<'a>(d: &'a Draft, t: &'a Targets) -> Result<Vec<String>> {
    match t {
        Targets::All => Ok(d.model.tracks.keys().cloned().collect()),
        Targets::Names(ws) => ws
            .iter()
            .map(|w| track(d, w).map(|_| w.text.clone()))
            .collect(),
    }
}

pub(super) fn play(d: &mut Draft, t: &Targets, on: bool) -> Result<Planned> {
    let list = names(d, t)?;
    if list.is_empty() {
        return Err(format!(
            "nothing to {}: there are no instruments yet (create kick; sequence kick: x...x...x...x...; play)",
            if on { "play" } else { "stop" }
        ));
    }
    let mut actions = Vec::new();
    let mut silent = Vec::new();
    for n in &list {
        if let Some(tr) = d.model.tracks.get_mut(n) {
            tr.playing = on;
            if on && tr.pattern.is_none() {
                silent.push(shown(n));
            }
            actions.push(Action::Edit(crate::live::timeline::Edit::Play(tr.id, on)));
        }
    }
    let what = if matches!(t, Targets::All) {
        "all".to_string()
    } else {
        list.iter().map(|n| shown(n)).collect::<Vec<_>>().join(" ")
    };
    let mut summary = format!("{} {what}", if on { "play" } else { "stop" });
    if !silent.is_empty() {
        let verb = if silent.len() == 1 { "has" } else { "have" };
        summary.push_str(&format!(" ({} {verb} no pattern yet)", silent.join(", ")));
    }
    done(actions, true, summary)
}

pub(super) fn mute_event(id: chronus_sequencer::TrackId, muted: bool) -> Action {
    Action::Param {
        track: id,
        target: ParamTarget::Mute,
        value: if muted { 1.0 } else { 0.0 },
        ramp: DEFAULT_RAMP,
    }
}

pub(in crate::session) fn mute(
    d: &mut Draft,
    t: &Targets,
    mute: Option<bool>,
    solo: Option<bool>,
    verb: &str,
) -> Result<Planned> {
    let list = names(d, t)?;
    let before: Vec<(String, bool)> = d
        .model
        .tracks
        .keys()
        .map(|n| (n.clone(), d.model.audible(n)))
        .collect();
    for n in &list {
        if let Some(tr) = d.model.tracks.get_mut(n) {
            if let Some(m) = mute {
                tr.muted = m;
            }
            if let Some(s) = solo {
                tr.soloed = s;
            }
        }
    }
    let mut actions = Vec::new();
    for (n, was) in before {
        let now = d.model.audible(&n);
        if now != was {
            if let Some(tr) = d.model.tracks.get(&n) {
                actions.push(mute_event(tr.id, !now));
            }
        }
    }
    let what = if matches!(t, Targets::All) && verb != "unsolo" {
        " all".to_string()
    } else if verb == "unsolo" {
        String::new()
    } else {
        format!(
            " {}",
            list.iter().map(|n| shown(n)).collect::<Vec<_>>().join(" ")
        )
    };
    done(actions, false, format!("{verb}{what}"))
}

pub(super) fn scene(d: &mut Draft, name: &Word) -> Result<Planned> {
    let Some(scene) = d.model.scenes.iter().find(|s| s.name == name.text).cloned() else {
        let known: Vec<&str> = d.model.scenes.iter().map(|s| s.name.as_str()).collect();
        return Err(if known.is_empty() {
            format!("no scene called '{}': scenes come from a song (chronus live SONG.yaml, or load patch NAME)", name.text)
        } else {
            format!(
                "no scene called '{}'{}",
                name.text,
                did_you_mean(&name.text, &known)
            )
        });
    };
    let lanes = patch::scene_lanes(d, &scene)?;
    d.model.arranged = false;
    d.model.tracks.values_mut().for_each(|t| t.pattern = None);
    for (track, text) in &scene.lanes {
        if let Some(t) = d.model.tracks.get_mut(track) {
            t.pattern = Some((PatternKind::Mini, text.clone()));
            t.playing = true;
        }
    }
    done(
        vec![Action::Edit(crate::live::timeline::Edit::Scene(lanes))],
        true,
        format!("scene {}", shown(&name.text)),
    )
}

/// The draft's arrangement as the timeline plays it: each bar's patterns.
///
/// # Errors
/// A scene pattern that does not parse (cannot happen for a loaded song).
pub(in crate::session) fn arrangement(d: &Draft) -> Result<crate::live::timeline::Arrangement> {
    let mut blocks = Vec::new();
    let scenes = &d.model.scenes;
    let mut cache: Vec<Option<Vec<(chronus_sequencer::TrackId, Pattern)>>> =
        vec![None; scenes.len()];
    for &i in &d.model.arrangement {
        if cache[i].is_none() {
            cache[i] = Some(patch::scene_lanes(d, &scenes[i])?);
        }
        blocks.push(cache[i].clone().unwrap_or_default());
    }
    Ok(crate::live::timeline::Arrangement { bars: blocks })
}

pub(super) fn arrange(d: &mut Draft) -> Result<Planned> {
    if d.model.arrangement.is_empty() {
        return Err("no arrangement: load a song (chronus live SONG.yaml) or a patch first".into());
    }
    let blocks = arrangement(d)?;
    for t in d.model.tracks.values_mut() {
        t.playing = true;
    }
    d.model.arranged = true;
    done(
        vec![Action::Edit(crate::live::timeline::Edit::Arrange(blocks))],
        true,
        format!(
            "arrange ({}, looping)",
            count(d.model.arrangement.len(), "bar")
        ),
    )
}
