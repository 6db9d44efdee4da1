//! Checking one command against the draft and planning its changes.

use super::model::{
    check_setting, count, effect_names, shown, with_settings, LiveTrack, PatternKind,
};
use super::{info, patch, Action, Draft, Planned, Session, DEFAULT_RAMP};
use crate::engine::{Command as EngineCommand, Track};
use chronus_command::{Command, Param, Part, PatternText, Targets, Word};
use chronus_dsp::live::{effect_param, instrument_param, ParamChange};
use chronus_dsp::{build_effect, build_instrument};
use chronus_sequencer::pattern::{self, Pattern};
use chronus_sequencer::song::suggest::did_you_mean;
use chronus_sequencer::song::{EffectSpec, InstrumentSpec};
use chronus_sequencer::{EffectId, ParamTarget};

type Result<T> = std::result::Result<T, String>;

fn done(actions: Vec<Action>, quantized: bool, summary: String) -> Result<Planned> {
    Ok(Planned {
        actions,
        quantized,
        summary,
        ..Planned::default()
    })
}

/// Names a new instrument may not take.
const RESERVED: &[&str] = &["all", "master"];

/// The track called `name`, or an error with a suggestion.
fn track<'a>(d: &'a Draft, name: &Word) -> Result<&'a LiveTrack> {
    d.model
        .tracks
        .get(&name.text)
        .ok_or_else(|| unknown(d, name))
}

fn unknown(d: &Draft, name: &Word) -> String {
    let known: Vec<&str> = d.model.tracks.keys().map(String::as_str).collect();
    if known.is_empty() {
        format!(
            "no instrument called '{}': there are none yet (create one: create kick)",
            name.text
        )
    } else {
        format!(
            "no instrument called '{}'{}",
            name.text,
            did_you_mean(&name.text, &known)
        )
    }
}

/// Plan one part on the draft.
pub(super) fn plan(s: &mut Session, d: &mut Draft, part: &Part) -> Result<Planned> {
    match &part.command {
        Command::Create { name, ty, params } => create(s, d, name, ty.as_ref(), params),
        Command::Sequence { name, steps } => set_pattern(d, name, steps, PatternKind::Steps),
        Command::Melody { name, notes } => set_pattern(d, name, notes, PatternKind::Melody),
        Command::Pattern { name, pattern } => set_pattern(d, name, pattern, PatternKind::Mini),
        Command::Play(t) => play(d, t, true),
        Command::Stop(t) => play(d, t, false),
        Command::Set { name, params, ramp } => {
            set(s, d, name, params, ramp.unwrap_or(DEFAULT_RAMP))
        }
        Command::Add {
            effect,
            target,
            params,
        } => add_effect(s, d, effect, target, params),
        Command::RemoveEffect { effect, target } => remove_effect(d, effect, target),
        Command::Remove { name } => remove(d, name),
        Command::Tempo { bpm } => {
            if !(20.0..=400.0).contains(bpm) {
                return Err(format!("tempo {bpm}: expected 20..400 BPM"));
            }
            d.model.tempo = *bpm;
            done(
                vec![Action::Edit(super::Edit::Tempo(*bpm))],
                true,
                format!("tempo {bpm}"),
            )
        }
        Command::Swing { amount } => {
            if !(0.0..=0.5).contains(amount) {
                return Err(format!("swing {amount}: expected 0..0.5 (of a sixteenth)"));
            }
            d.model.swing = *amount;
            done(
                vec![Action::Edit(super::Edit::Swing(*amount))],
                true,
                format!("swing {amount}"),
            )
        }
        Command::Mute(t) => mute(d, t, Some(true), None, "mute"),
        Command::Unmute(t) => mute(d, t, Some(false), None, "unmute"),
        Command::Solo(names) => mute(d, &Targets::Names(names.clone()), None, Some(true), "solo"),
        Command::Unsolo => mute(d, &Targets::All, None, Some(false), "unsolo"),
        Command::Quantize(q) => {
            d.quantize = *q;
            Ok(Planned {
                actions: Vec::new(),
                quantized: false,
                summary: String::new(),
                info: Some(format!(
                    "quantize {}: pattern, play, stop, scene, arrange, tempo, swing and load edits now take effect at the next {}",
                    q.name(),
                    match q {
                        chronus_command::Quantize::Bar => "bar",
                        chronus_command::Quantize::Beat => "beat",
                        chronus_command::Quantize::Step => "sixteenth step",
                        chronus_command::Quantize::Now => "block (within the look-ahead)",
                    }
                )),
                ..Planned::default()
            })
        }
        Command::Note {
            name,
            note,
            velocity,
            beats,
        } => {
            let t = track(d, name)?;
            done(
                vec![Action::Note {
                    track: t.id,
                    pitch: Some(note.midi),
                    velocity: velocity.unwrap_or(0.8) as f32,
                    beats: beats.unwrap_or(1.0),
                }],
                false,
                format!("note {} {}", shown(&name.text), note.text),
            )
        }
        Command::Scene { name } => scene(d, name),
        Command::Arrange => arrange(d),
        Command::SavePatch { name, force } => {
            let path = patch::patch_path(&s.patches, &name.text)?;
            if path.exists() && !force {
                return Err(format!(
                    "patch '{}' exists ({}): add --force to overwrite it",
                    name.text,
                    path.display()
                ));
            }
            let text = patch::to_yaml(&d.model)?;
            let summary = format!("save patch {} to {}", name.text, path.display());
            done(vec![Action::Save { path, text }], false, summary)
        }
        Command::LoadPatch { name } => {
            let path = patch::patch_path(&s.patches, &name.text)?;
            if !path.exists() {
                let known = patch::list(&s.patches);
                let known: Vec<&str> = known.iter().map(String::as_str).collect();
                return Err(format!(
                    "no patch called '{}' in {}{}",
                    name.text,
                    s.patches.display(),
                    did_you_mean(&name.text, &known)
                ));
            }
            let (song, _) = chronus_sequencer::Song::load(&path).map_err(|e| e.to_string())?;
            let actions = patch::load_song(d, &song, s.rate)?;
            done(actions, true, format!("load patch {}", name.text))
        }
        Command::Status => info_only(info::status(s, d)),
        Command::List(topic) => info_only(info::list(s, d, topic)?),
        Command::Help { topic } => info_only(info::help(topic.as_ref())?),
        Command::Quit => done(vec![Action::Quit], false, "quit".into()),
    }
}

fn info_only(text: String) -> Result<Planned> {
    Ok(Planned {
        actions: Vec::new(),
        quantized: false,
        summary: String::new(),
        info: Some(text),
        ..Planned::default()
    })
}

/// The type a `create` without one means: the name itself (`kick`, `hat`),
/// else what its keys belong to.
fn infer_type(name: &str, params: &[Param]) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let by_name = match lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_') {
        "kick" | "bd" | "bassdrum" => Some("kick"),
        "snare" | "sd" => Some("snare"),
        "hihat" | "hat" | "hh" | "openhat" | "closedhat" => Some("hihat"),
        "clap" | "cp" => Some("clap"),
        "tom" | "lowtom" | "hitom" => Some("tom"),
        "fm" | "bell" | "epiano" => Some("fm"),
        "synth" | "bass" | "lead" | "pad" | "pluck" | "acid" | "stab" | "arp" | "keys" => {
            Some("synth")
        }
        _ => None,
    };
    if by_name.is_some() {
        return by_name;
    }
    let keys: Vec<&str> = params.iter().map(|p| p.key.as_str()).collect();
    let has = |k: &str| keys.contains(&k);
    if has("osc") || has("filter") || has("cutoff") || has("filter_env") {
        Some("synth")
    } else if has("index") || has("ratio") {
        Some("fm")
    } else if has("noise") {
        Some("hihat")
    } else {
        None
    }
}

fn settings(params: &[Param]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|p| {
            let key = if p.key == "amount" { "mix" } else { &p.key };
            (key.to_string(), p.value.clone())
        })
        .collect()
}

fn create(
    s: &Session,
    d: &mut Draft,
    name: &Word,
    ty: Option<&Word>,
    params: &[Param],
) -> Result<Planned> {
    if d.model.tracks.contains_key(&name.text) {
        return Err(format!(
            "there is already an instrument called '{}': change it with set, or remove it first",
            name.text
        ));
    }
    if RESERVED.contains(&name.text.as_str()) {
        return Err(format!("'{}' is reserved: choose another name", name.text));
    }
    let kind = match ty {
        Some(t) => t.text.clone(),
        None => infer_type(&name.text, params)
            .ok_or_else(|| {
                format!(
                    "cannot tell what kind of instrument '{}' is: give its type, as in create {} synth (types: {})",
                    name.text,
                    name.text,
                    InstrumentSpec::KINDS.join(", ")
                )
            })?
            .to_string(),
    };
    let base = InstrumentSpec::default_of(&kind).ok_or_else(|| {
        format!(
            "unknown instrument type '{kind}'{}",
            did_you_mean(&kind, &InstrumentSpec::KINDS)
        )
    })?;
    let spec = with_settings(&base, &settings(params), &format!("{kind} '{}'", name.text))?;
    let id = d.slots.allocate().ok_or_else(|| {
        format!(
            "no room for another instrument: {} is the most a session holds; remove one first",
            crate::engine::MAX_TRACKS
        )
    })?;
    let first = d.next_effect;
    d.next_effect += spec.effects().len() as u32;
    let track = Track::new(&name.text, &spec, s.rate as f32, first).fade_in();
    let mut actions = vec![
        Action::Engine(EngineCommand::AddTrack {
            id,
            track: Box::new(track),
        }),
        Action::Edit(super::Edit::AddTrack(id)),
    ];
    let any_solo = d.model.tracks.values().any(|t| t.soloed);
    d.model.tracks.insert(
        name.text.clone(),
        LiveTrack {
            id,
            effect_ids: (first..d.next_effect).map(EffectId).collect(),
            spec,
            pattern: None,
            playing: false,
            muted: false,
            soloed: false,
        },
    );
    if any_solo {
        actions.push(mute_event(id, true));
    }
    done(
        actions,
        false,
        format!("create {} ({kind})", shown(&name.text)),
    )
}

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

/// `message` with every "column N" it holds moved by `shift`.
fn shift_columns(message: &str, shift: usize) -> String {
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

fn set_pattern(
    d: &mut Draft,
    name: &Word,
    text: &PatternText,
    kind: PatternKind,
) -> Result<Planned> {
    let id = track(d, name)?.id;
    let p = parse_pattern(text)?;
    let verb = match kind {
        PatternKind::Steps => "sequence",
        PatternKind::Melody => "melody",
        PatternKind::Mini => "pattern",
    };
    let t = d.model.tracks.get_mut(&name.text).ok_or_else(String::new)?;
    t.pattern = Some((kind, text.text.clone()));
    Ok(Planned {
        actions: vec![Action::Edit(super::Edit::Pattern(id, Some(p)))],
        quantized: true,
        summary: format!("{verb} {}", shown(&name.text)),
        stopped_hint: Some(name.text.clone()),
        ..Planned::default()
    })
}

fn names<'a>(d: &'a Draft, t: &'a Targets) -> Result<Vec<String>> {
    match t {
        Targets::All => Ok(d.model.tracks.keys().cloned().collect()),
        Targets::Names(ws) => ws
            .iter()
            .map(|w| track(d, w).map(|_| w.text.clone()))
            .collect(),
    }
}

fn play(d: &mut Draft, t: &Targets, on: bool) -> Result<Planned> {
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
            actions.push(Action::Edit(super::Edit::Play(tr.id, on)));
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

fn mute_event(id: chronus_sequencer::TrackId, muted: bool) -> Action {
    Action::Param {
        track: id,
        target: ParamTarget::Mute,
        value: if muted { 1.0 } else { 0.0 },
        ramp: DEFAULT_RAMP,
    }
}

fn mute(
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

/// `reverb` or `reverb2` (the second reverb) on `t`: its index in the chain.
fn find_effect(t: &LiveTrack, name: &str, track_name: &str) -> Result<usize> {
    let kind = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let digits = &name[kind.len()..];
    let nth: usize = match digits.parse::<usize>() {
        _ if digits.is_empty() => 1,
        Ok(n) if n >= 2 => n,
        _ => {
            return Err(format!(
                "'{name}': expected {kind} (the first) or {kind}2, {kind}3, ... (the second, third ...)"
            ))
        }
    };
    t.spec
        .effects()
        .iter()
        .enumerate()
        .filter(|(_, fx)| fx.kind() == kind)
        .nth(nth - 1)
        .map(|(i, _)| i)
        .ok_or_else(|| {
            let have = effect_names(t.spec.effects());
            if have.is_empty() {
                format!("'{track_name}' has no effects (add one: add reverb to {track_name})")
            } else {
                format!("'{track_name}' has no {name}: it has {}", have.join(", "))
            }
        })
}

fn set(s: &Session, d: &mut Draft, name: &Word, params: &[Param], ramp: f64) -> Result<Planned> {
    if params.is_empty() {
        return Err(format!(
            "set {}: expected key=value settings, as in set {} gain=-6",
            name.text, name.text
        ));
    }
    if name.text == "master" {
        let mut actions = Vec::new();
        for p in params {
            if p.key != "gain" {
                return Err(format!(
                    "master has no setting '{}': it has only gain (dB), as in set master gain=-3",
                    p.key
                ));
            }
            let v: f64 = p
                .value
                .parse()
                .ok()
                .filter(|v: &f64| (-60.0..=24.0).contains(v))
                .ok_or_else(|| {
                    format!("master gain={}: expected a number in -60..24 (dB)", p.value)
                })?;
            d.model.master_db = v;
            actions.push(Action::Param {
                track: chronus_sequencer::TrackId::MASTER,
                target: ParamTarget::Gain,
                value: v as f32,
                ramp,
            });
        }
        return done(
            actions,
            false,
            format!("set master{}{}", settings_text(params), glide_text(ramp)),
        );
    }
    let t = track(d, name)?.clone();
    let mut spec = t.spec.clone();
    let mut actions = Vec::new();
    let mut rebuild = false;
    let mut rebuilt_effects: Vec<usize> = Vec::new();
    for p in params {
        if let Some((fx_name, key)) = p.key.split_once('.') {
            let i = find_effect(&t, fx_name, &name.text)?;
            let key = if key == "amount" { "mix" } else { key };
            let fx = spec.effects()[i].clone();
            let what = format!("{} on '{}'", fx.kind(), name.text);
            let new = with_settings(&fx, &[(key.to_string(), p.value.clone())], &what)?;
            match fx.params().iter().position(|q| q.0 == key) {
                Some(index) if effect_param(&fx, key) == ParamChange::Live => {
                    let value = p.value.parse::<f64>().unwrap_or(0.0) as f32;
                    actions.push(Action::Param {
                        track: t.id,
                        target: ParamTarget::Effect {
                            effect: t.effect_ids[i],
                            param: index as u16,
                        },
                        value,
                        ramp,
                    });
                }
                _ => rebuilt_effects.push(i),
            }
            spec.effects_mut()[i] = new;
            continue;
        }
        let what = format!("{} '{}'", spec.kind(), name.text);
        check_setting(&spec, &p.key, &p.value, &what)?;
        spec = with_settings(&spec, &[(p.key.clone(), p.value.clone())], &what)?;
        let number = spec.params().iter().position(|q| q.0 == p.key);
        match (p.key.as_str(), number) {
            ("gain", _) | ("pan", _) => {
                let value = p.value.parse::<f64>().unwrap_or(0.0) as f32;
                let target = if p.key == "gain" {
                    ParamTarget::Gain
                } else {
                    ParamTarget::Pan
                };
                actions.push(Action::Param {
                    track: t.id,
                    target,
                    value,
                    ramp,
                });
            }
            (key, Some(index)) if instrument_param(&spec, key) == ParamChange::Live => {
                let value = if key == "note" {
                    pattern::note_name(&p.value)
                        .map(f64::from)
                        .unwrap_or_else(|| p.value.parse().unwrap_or(48.0))
                } else {
                    p.value.parse::<f64>().unwrap_or(0.0)
                } as f32;
                actions.push(Action::Param {
                    track: t.id,
                    target: ParamTarget::Instrument(index as u16),
                    value,
                    ramp,
                });
            }
            _ => rebuild = true,
        }
    }
    if rebuild {
        actions.push(Action::Engine(EngineCommand::ReplaceInstrument {
            track: t.id,
            instrument: build_instrument(&spec, s.rate as f32),
        }));
    }
    rebuilt_effects.sort_unstable();
    rebuilt_effects.dedup();
    let rebuilt_any = !rebuilt_effects.is_empty();
    for i in rebuilt_effects {
        actions.push(Action::Engine(EngineCommand::ReplaceEffect {
            track: t.id,
            effect: t.effect_ids[i],
            with: build_effect(&spec.effects()[i], s.rate as f32),
        }));
    }
    if let Some(tr) = d.model.tracks.get_mut(&name.text) {
        tr.spec = spec;
    }
    let glide = if rebuild || rebuilt_any {
        // A rebuild crossfades over the edit fade, whatever the ramp.
        String::new()
    } else {
        glide_text(ramp)
    };
    done(
        actions,
        false,
        format!("set {}{}{glide}", shown(&name.text), settings_text(params)),
    )
}

/// How a `set` moves, when not by the default ramp.
fn glide_text(ramp: f64) -> String {
    if ramp == 0.0 {
        " (at once)".into()
    } else if (ramp - DEFAULT_RAMP).abs() > 1e-12 {
        format!(" (over {ramp} s)")
    } else {
        String::new()
    }
}

fn settings_text(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| format!(" {}={}", p.key, p.value))
        .collect()
}

fn add_effect(
    s: &Session,
    d: &mut Draft,
    effect: &Word,
    target: &Word,
    params: &[Param],
) -> Result<Planned> {
    let t = track(d, target)?.clone();
    if t.spec.effects().len() >= crate::engine::MAX_EFFECTS {
        return Err(format!(
            "'{}' already has {} effects, the most a track holds: remove one first",
            target.text,
            crate::engine::MAX_EFFECTS
        ));
    }
    let base = EffectSpec::default_of(&effect.text).ok_or_else(|| {
        format!(
            "unknown effect '{}'{}",
            effect.text,
            did_you_mean(&effect.text, &EffectSpec::KINDS)
        )
    })?;
    let fx = with_settings(
        &base,
        &settings(params),
        &format!("{} on '{}'", effect.text, target.text),
    )?;
    let id = EffectId(d.next_effect);
    d.next_effect += 1;
    let index = t.spec.effects().len();
    let built = build_effect(&fx, s.rate as f32);
    if let Some(tr) = d.model.tracks.get_mut(&target.text) {
        tr.spec.effects_mut().push(fx);
        tr.effect_ids.push(id);
    }
    done(
        vec![Action::Engine(EngineCommand::InsertEffect {
            track: t.id,
            index,
            id,
            effect: built,
        })],
        false,
        format!(
            "add {} to {}{}",
            effect.text,
            shown(&target.text),
            settings_text(params)
        ),
    )
}

fn remove_effect(d: &mut Draft, effect: &Word, target: &Word) -> Result<Planned> {
    let t = track(d, target)?.clone();
    let i = find_effect(&t, &effect.text, &target.text)?;
    if let Some(tr) = d.model.tracks.get_mut(&target.text) {
        tr.spec.effects_mut().remove(i);
        tr.effect_ids.remove(i);
    }
    done(
        vec![Action::Engine(EngineCommand::RemoveEffect {
            track: t.id,
            effect: t.effect_ids[i],
        })],
        false,
        format!("remove {} from {}", effect.text, shown(&target.text)),
    )
}

fn remove(d: &mut Draft, name: &Word) -> Result<Planned> {
    let id = track(d, name)?.id;
    d.model.tracks.shift_remove(&name.text);
    d.slots.release(id);
    done(
        vec![
            Action::Engine(EngineCommand::RemoveTrack(id)),
            Action::Edit(super::Edit::RemoveTrack(id)),
        ],
        false,
        format!("remove {}", shown(&name.text)),
    )
}

fn scene(d: &mut Draft, name: &Word) -> Result<Planned> {
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
    d.model.tracks.values_mut().for_each(|t| t.pattern = None);
    for (track, text) in &scene.lanes {
        if let Some(t) = d.model.tracks.get_mut(track) {
            t.pattern = Some((PatternKind::Mini, text.clone()));
            t.playing = true;
        }
    }
    done(
        vec![Action::Edit(super::Edit::Scene(lanes))],
        true,
        format!("scene {}", shown(&name.text)),
    )
}

fn arrange(d: &mut Draft) -> Result<Planned> {
    if d.model.arrangement.is_empty() {
        return Err("no arrangement: load a song (chronus live SONG.yaml) or a patch first".into());
    }
    let mut blocks = Vec::new();
    let scenes = d.model.scenes.clone();
    let mut cache: Vec<Option<Vec<(chronus_sequencer::TrackId, Pattern)>>> =
        vec![None; scenes.len()];
    for &i in &d.model.arrangement.clone() {
        if cache[i].is_none() {
            cache[i] = Some(patch::scene_lanes(d, &scenes[i])?);
        }
        blocks.push(cache[i].clone().unwrap_or_default());
    }
    for t in d.model.tracks.values_mut() {
        t.playing = true;
    }
    done(
        vec![Action::Edit(super::Edit::Arrange(
            crate::live::timeline::Arrangement { bars: blocks },
        ))],
        true,
        format!(
            "arrange ({}, looping)",
            count(d.model.arrangement.len(), "bar")
        ),
    )
}
