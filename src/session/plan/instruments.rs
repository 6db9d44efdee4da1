//! `create`, `set`, `add`, `remove`: instruments and their effects.

#[allow(clippy::wildcard_imports)]
use super::*;
use crate::session::model::count as count_of;

/// The type a `create` without one means: the name itself (`kick`, `hat`),
/// else what its keys belong to.
pub(super) fn infer_type(name: &str, params: &[Param]) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let by_name = match lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '_') {
        "kick" | "bd" | "bassdrum" => Some("kick"),
        "snare" | "sd" => Some("snare"),
        "hihat" | "hat" | "hh" | "openhat" | "closedhat" => Some("hihat"),
        "clap" | "cp" => Some("clap"),
        "tom" | "lowtom" | "hitom" => Some("tom"),
        "fm" | "bell" | "epiano" => Some("fm"),
        "sampler" | "sample" | "smp" => Some("sampler"),
        "kit" | "drums" | "drum" | "beat" | "perc" => Some("kit"),
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

/// A sampler's file as an absolute path (it was given relative to where
/// the session runs), so patches find it from anywhere; a sampler must
/// have one. The file is read when the instrument is built, here on the
/// control thread, before it plays.
fn absolute_sample(spec: &mut InstrumentSpec, name: &str) -> Result<()> {
    if let InstrumentSpec::Sampler(s) = spec {
        let path =
            chronus_sequencer::song::sample_file::resolve(&s.file, std::path::Path::new("."))
                .map_err(|e| {
                    format!("sampler '{name}': {e} (as in create {name} sampler file=piano.wav)")
                })?;
        s.file = std::fs::canonicalize(&path)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned();
    }
    if let InstrumentSpec::Kit(k) = spec {
        if let Some(dir) = &k.samples {
            let path = std::path::PathBuf::from(dir);
            k.samples = Some(
                std::fs::canonicalize(&path)
                    .unwrap_or(path)
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    Ok(())
}

pub(super) fn settings(params: &[Param]) -> Vec<(String, String)> {
    params
        .iter()
        .map(|p| {
            let key = if p.key == "amount" { "mix" } else { &p.key };
            (key.to_string(), p.value.clone())
        })
        .collect()
}

pub(super) fn create(
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
    let mut spec = with_settings(&base, &settings(params), &format!("{kind} '{}'", name.text))?;
    absolute_sample(&mut spec, &name.text)?;
    let (id, effect_ids, add) = d.build_track(&name.text, &spec, s.rate).ok_or_else(|| {
        format!(
            "no room for another instrument: {} is the most a session holds; remove one first",
            crate::engine::MAX_TRACKS
        )
    })?;
    let mut actions = vec![add, Action::Edit(crate::live::timeline::Edit::AddTrack(id))];
    let any_solo = d.model.tracks.values().any(|t| t.soloed);
    d.model.tracks.insert(
        name.text.clone(),
        LiveTrack {
            id,
            effect_ids,
            spec,
            pattern: None,
            params: Vec::new(),
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

/// `reverb` or `reverb2` (the second reverb) on `t`: its index in the chain.
pub(in crate::session) fn find_effect(
    t: &LiveTrack,
    name: &str,
    track_name: &str,
) -> Result<usize> {
    // The names `effect_names` gives the chain are the names it answers to.
    let have = effect_names(t.spec.effects());
    if let Some(i) = have.iter().position(|n| n == name) {
        return Ok(i);
    }
    let kind = name.trim_end_matches(|c: char| c.is_ascii_digit());
    Err(if have.is_empty() {
        format!("'{track_name}' has no effects (add one: add reverb to {track_name})")
    } else if matches!(&name[kind.len()..], "0" | "1") {
        format!("'{name}': expected {kind} (the first) or {kind}2, {kind}3, ... (the second, third ...)")
    } else {
        format!("'{track_name}' has no {name}: it has {}", have.join(", "))
    })
}

pub(super) fn set(
    s: &Session,
    d: &mut Draft,
    name: &Word,
    params: &[Param],
    ramp: f64,
) -> Result<Planned> {
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
    let mut rescaled = false;
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
        absolute_sample(&mut spec, &name.text)?;
        let number = spec.params().iter().position(|q| q.0 == p.key);
        match (p.key.as_str(), number) {
            ("scale", _) => rescaled = true,
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
    let mut quantized = false;
    if rescaled {
        // The pattern reads its numbers through the new scale from the
        // next bar on, like a pattern edit.
        if let Some((_, text)) = &t.pattern {
            let pitches = spec
                .pitches()
                .map_err(|e| format!("set {}: {e}", name.text))?;
            let p = pattern::parse(text)
                .map_err(|e| format!("set {}: column {}: {}", name.text, e.column, e.message))?
                .with_pitches(pitches)
                .with_params(t.params.clone());
            p.check(spec.is_pitched()).map_err(|e| {
                format!(
                    "set {}: the pattern does not fit the new scale: column {}: {}",
                    name.text, e.column, e.message
                )
            })?;
            actions.push(Action::Edit(crate::live::timeline::Edit::Pattern(
                t.id,
                Some(p),
            )));
            quantized = true;
        }
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
        quantized,
        format!("set {}{}{glide}", shown(&name.text), settings_text(params)),
    )
}

/// How a `set` moves, when not by the default ramp.
pub(super) fn glide_text(ramp: f64) -> String {
    if ramp == 0.0 {
        " (at once)".into()
    } else if (ramp - DEFAULT_RAMP).abs() > 1e-12 {
        format!(" (over {ramp} s)")
    } else {
        String::new()
    }
}

pub(super) fn settings_text(params: &[Param]) -> String {
    params
        .iter()
        .map(|p| format!(" {}={}", p.key, p.value))
        .collect()
}

pub(super) fn add_effect(
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

pub(super) fn remove_effect(d: &mut Draft, effect: &Word, target: &Word) -> Result<Planned> {
    let t = track(d, target)?.clone();
    let i = find_effect(&t, &effect.text, &target.text)?;
    let id = t.effect_ids[i];
    let mut actions = vec![Action::Engine(EngineCommand::RemoveEffect {
        track: t.id,
        effect: id,
    })];
    // Its parameters no longer follow patterns.
    let mut params = t.params.clone();
    params.retain(|l| !matches!(l.target, ParamTarget::Effect { effect, .. } if effect == id));
    if params.len() != t.params.len() {
        if let Some(p) = super::music::track_pattern(&t, &target.text, &params)? {
            actions.push(Action::Edit(crate::live::timeline::Edit::Pattern(
                t.id,
                Some(p),
            )));
        }
    }
    if let Some(tr) = d.model.tracks.get_mut(&target.text) {
        tr.spec.effects_mut().remove(i);
        tr.effect_ids.remove(i);
        tr.params = params;
    }
    done(
        actions,
        false,
        format!("remove {} from {}", effect.text, shown(&target.text)),
    )
}

pub(super) fn remove(d: &mut Draft, name: &Word) -> Result<Planned> {
    let id = track(d, name)?.id;
    d.model.tracks.shift_remove(&name.text);
    // Its cables go with it.
    d.model.cables.retain(|c| c.to != name.text);
    d.model.sends.retain(|s| s.track != name.text);
    d.slots.release(id);
    done(
        vec![
            Action::Engine(EngineCommand::RemoveTrack(id)),
            Action::Edit(crate::live::timeline::Edit::RemoveTrack(id)),
        ],
        false,
        format!("remove {}", shown(&name.text)),
    )
}

pub(super) fn move_effect(
    d: &mut Draft,
    effect: &Word,
    target: &Word,
    position: usize,
) -> Result<Planned> {
    let t = track(d, target)?.clone();
    let from = find_effect(&t, &effect.text, &target.text)?;
    let count = t.spec.effects().len();
    if position > count {
        return Err(format!(
            "'{}' has {}: expected a position from 1 to {count}",
            target.text,
            count_of(count, "effect")
        ));
    }
    let to = position - 1;
    if let Some(tr) = d.model.tracks.get_mut(&target.text) {
        let fx = tr.spec.effects_mut().remove(from);
        tr.spec.effects_mut().insert(to, fx);
        let id = tr.effect_ids.remove(from);
        tr.effect_ids.insert(to, id);
    }
    let order = d
        .model
        .tracks
        .get(&target.text)
        .map(|tr| effect_names(tr.spec.effects()).join(" > "))
        .unwrap_or_default();
    done(
        vec![Action::Engine(EngineCommand::MoveEffect {
            track: t.id,
            effect: t.effect_ids[from],
            index: to,
        })],
        false,
        format!(
            "move {} on {} to {position} ({order})",
            effect.text,
            shown(&target.text)
        ),
    )
}
