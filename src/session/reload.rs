//! Reloading a song in place (`chronus live SONG.yaml --watch`): only what
//! changed, at the next bar.
//!
//! The new song is compared with the session: an instrument the song no
//! longer has is removed, a new one created; one whose settings changed
//! gets them as `set` would (live parameters ramp over [`RELOAD_RAMP`],
//! the others rebuild with a crossfade); one whose type or chain of effects
//! changed is built again. The first bar's scene decides what plays: a
//! track whose pattern changed gets the new one, the others play on
//! untouched. Tempo, swing, meter and seed change at the bar too.

use super::model::{LiveTrack, PatternKind, Scene};
use super::plan::settings_planned;
use super::{Action, Draft, Planned, Reply, Session};
use crate::engine::Command as EngineCommand;
use crate::live::timeline::Edit;
use chronus_command::{Param, Word};
use chronus_sequencer::pattern::ParamLane;
use chronus_sequencer::song::InstrumentSpec;
use chronus_sequencer::{ParamTarget, Song};
use serde_yaml_ng::Value;

/// How long a changed live parameter glides, in seconds.
pub const RELOAD_RAMP: f64 = 0.05;

impl Session {
    /// Bring the session to `song`, changing only what differs (see the
    /// module docs); one reply naming what changed.
    pub fn reload_song(&mut self, song: &Song) -> Reply {
        let mut draft = self.draft.clone();
        let planned = plan(self, &mut draft, song).and_then(|p| {
            self.adopt_sources(&mut draft, song)?;
            self.load_definitions(&mut draft).map(|()| p)
        });
        match planned {
            Ok(planned) => {
                let mut reply = self.commit(draft, planned);
                if let Some(e) = self.rotate_journal() {
                    reply.text.push_str(&format!(" (warning: {e})"));
                }
                reply
            }
            Err(e) => Reply::error(e),
        }
    }
}

/// Plan the way from the draft to `target` (whose song is `song`, `None`
/// for a session without instruments), as one part at the next bar: what a
/// reload does, and the mutes and solos a song does not carry.
pub(super) fn plan_to(
    s: &Session,
    d: &mut Draft,
    song: Option<&Song>,
    target: &super::Model,
) -> Result<Planned, String> {
    let empty;
    let song = match song {
        Some(song) => song,
        None => {
            empty = Song {
                title: target.title.clone(),
                tempo: target.tempo,
                meter: target.meter,
                swing: target.swing,
                seed: target.seed,
                master_gain: target.master_db,
                tracks: Vec::new(),
                patterns: Vec::new(),
                bars: chronus_sequencer::song::Bars::new(),
                midi: target.midi.clone(),
                meters: Vec::new(),
                tempo_changes: Vec::new(),
                modulation: chronus_sequencer::song::modulation::Modulation::default(),
            };
            &empty
        }
    };
    let arranged = d.model.arranged;
    d.model.arranged = target.arranged && !target.arrangement.is_empty();
    let parts = plan(s, d, song);
    if parts.is_err() {
        d.model.arranged = arranged;
    }
    let mut parts = parts?;
    for (name, t) in &target.tracks {
        let Some(now) = d.model.tracks.get(name) else {
            continue;
        };
        let (muted, soloed) = (now.muted, now.soloed);
        let one = chronus_command::Targets::Names(vec![word(name)]);
        if muted != t.muted {
            parts.push(super::plan::mute(d, &one, Some(t.muted), None, "mute")?);
        }
        if soloed != t.soloed {
            parts.push(super::plan::mute(d, &one, None, Some(t.soloed), "solo")?);
        }
    }
    let mut merged = Planned {
        quantized: true,
        ..Planned::default()
    };
    let mut said = Vec::new();
    for p in parts {
        merged.actions.extend(p.actions);
        if !p.summary.is_empty() {
            said.push(p.summary);
        }
    }
    merged.summary = said.join(", ").replace("reloaded: ", "");
    Ok(merged)
}

/// An instrument's settings as `key=value` texts, effects as
/// `EFFECT.key=value` (their names as `set` knows them), without the
/// effects list itself.
fn settings(spec: &InstrumentSpec) -> Vec<(String, String)> {
    let value = serde_yaml_ng::to_value(spec).unwrap_or(Value::Null);
    let mut out = Vec::new();
    if let Value::Mapping(map) = &value {
        for (k, v) in map {
            let Some(k) = k.as_str() else { continue };
            if k == "type" || k == "effects" {
                continue;
            }
            if let Some(text) = scalar(v) {
                out.push((k.to_string(), text));
            }
        }
    }
    let names = super::model::effect_names(spec.effects());
    for (fx, name) in spec.effects().iter().zip(&names) {
        if let Value::Mapping(map) = serde_yaml_ng::to_value(fx).unwrap_or(Value::Null) {
            for (k, v) in &map {
                let Some(k) = k.as_str().filter(|k| *k != "type") else {
                    continue;
                };
                if let Some(text) = scalar(v) {
                    out.push((format!("{name}.{k}"), text));
                }
            }
        }
    }
    out
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether `a` can become `b` by settings alone (same type, same chain).
fn settable(a: &InstrumentSpec, b: &InstrumentSpec) -> bool {
    let kinds = |s: &InstrumentSpec| s.effects().iter().map(|e| e.kind()).collect::<Vec<_>>();
    a.kind() == b.kind() && kinds(a) == kinds(b)
}

fn word(text: &str) -> Word {
    Word {
        text: text.to_string(),
        column: 1,
    }
}

/// The new song's parameter lanes for a track, on the session's effect ids.
fn lanes(
    t: &chronus_sequencer::song::Track,
    effect_ids: &[chronus_sequencer::EffectId],
) -> Vec<ParamLane> {
    t.params
        .iter()
        .map(|lane| match lane.effect {
            Some(i) if i < effect_ids.len() => ParamLane::for_effect(
                &t.spec.effects()[i],
                i,
                effect_ids[i],
                &lane.key,
                &lane.text,
            )
            .unwrap_or_else(|_| lane.clone()),
            _ => lane.clone(),
        })
        .collect()
}

fn plan(s: &Session, d: &mut Draft, song: &Song) -> Result<Vec<Planned>, String> {
    let mut actions = Vec::new();
    let mut changed: Vec<String> = Vec::new();
    // Gone from the song.
    let gone: Vec<String> = d
        .model
        .tracks
        .keys()
        .filter(|n| !song.tracks.iter().any(|t| &t.name == *n))
        .cloned()
        .collect();
    for name in gone {
        if let Some(t) = d.model.tracks.shift_remove(&name) {
            d.slots.release(t.id);
            actions.push(Action::Engine(EngineCommand::RemoveTrack(t.id)));
            actions.push(Action::Edit(Edit::RemoveTrack(t.id)));
            changed.push(format!("removed {name}"));
        }
    }
    // New, rebuilt or reset.
    let mut repattern: Vec<String> = Vec::new();
    for t in &song.tracks {
        let old = d.model.tracks.get(&t.name).cloned();
        match old {
            Some(old) if old.spec == t.spec => {
                let new_lanes = lanes(t, &old.effect_ids);
                if new_lanes != old.params {
                    if let Some(lt) = d.model.tracks.get_mut(&t.name) {
                        lt.params = new_lanes;
                    }
                    repattern.push(t.name.clone());
                    changed.push(format!("{} parameter patterns", t.name));
                }
            }
            Some(old) if settable(&old.spec, &t.spec) => {
                let (before, after) = (settings(&old.spec), settings(&t.spec));
                let params: Vec<Param> = after
                    .iter()
                    .filter(|kv| !before.contains(kv))
                    .map(|(key, value)| Param {
                        key: key.clone(),
                        value: value.clone(),
                        column: 1,
                        value_column: 1,
                    })
                    .collect();
                if !params.is_empty() {
                    let p = settings_planned(s, d, &word(&t.name), &params, RELOAD_RAMP)?;
                    changed.push(p.summary.clone());
                    actions.extend(p.actions);
                }
                if let Some(lt) = d.model.tracks.get_mut(&t.name) {
                    lt.spec = t.spec.clone();
                    let new_lanes = lanes(t, &lt.effect_ids);
                    if new_lanes != lt.params {
                        lt.params = new_lanes;
                        repattern.push(t.name.clone());
                    }
                }
            }
            old => {
                // New, or another type or chain: built (again).
                if let Some(o) = &old {
                    d.slots.release(o.id);
                    actions.push(Action::Engine(EngineCommand::RemoveTrack(o.id)));
                    actions.push(Action::Edit(Edit::RemoveTrack(o.id)));
                }
                let (id, effect_ids, add) =
                    d.build_track(&t.name, &t.spec, s.rate).ok_or_else(|| {
                        format!(
                            "no room for {}: a session holds {} instruments",
                            t.name,
                            crate::engine::MAX_TRACKS
                        )
                    })?;
                actions.push(add);
                actions.push(Action::Edit(Edit::AddTrack(id)));
                let params = lanes(t, &effect_ids);
                let track = LiveTrack {
                    id,
                    spec: t.spec.clone(),
                    effect_ids,
                    pattern: None,
                    params,
                    playing: false,
                    // A song says nothing of mutes: a rebuilt track plays.
                    muted: false,
                    soloed: false,
                };
                changed.push(if old.is_some() {
                    format!("rebuilt {}", t.name)
                } else {
                    format!("added {}", t.name)
                });
                d.model.tracks.insert(t.name.clone(), track);
                repattern.push(t.name.clone());
            }
        }
    }
    // Keep the song's order.
    let order: Vec<String> = song.tracks.iter().map(|t| t.name.clone()).collect();
    d.model.tracks.sort_by(|a, _, b, _| {
        order
            .iter()
            .position(|n| n == a)
            .cmp(&order.iter().position(|n| n == b))
    });
    // Scenes, arrangement, and what the first bar plays.
    let before = (d.model.scenes.clone(), d.model.arrangement.clone());
    d.model.scenes = super::patch::song_scenes(song);
    d.model.arrangement = song.bars.to_vec();
    if d.model.arranged {
        // Following the arrangement (`chronus play --watch`, or `arrange`):
        // the new one, from where the old one has got to.
        let arrangement = super::plan::arrangement_of(d)?;
        for t in d.model.tracks.values_mut() {
            t.playing = true;
        }
        if before != (d.model.scenes.clone(), d.model.arrangement.clone()) {
            changed.push("arrangement".into());
        }
        actions.push(Action::Edit(Edit::Rearrange(arrangement)));
        return finish(d, song, actions, changed);
    }
    let first: Vec<(String, String)> = song
        .bars
        .first()
        .map(|i| d.model.scenes[i].lanes.clone())
        .unwrap_or_default();
    let scene = Scene {
        name: String::new(),
        lanes: first.clone(),
    };
    let parsed = super::patch::scene_lanes(d, &scene)?;
    let names: Vec<String> = d.model.tracks.keys().cloned().collect();
    for name in names {
        let Some(t) = d.model.tracks.get(&name).cloned() else {
            continue;
        };
        match first.iter().position(|(n, _)| *n == name) {
            Some(i) => {
                let text = &first[i].1;
                let same = t.playing && t.pattern.as_ref().is_some_and(|(_, p)| p == text);
                if !same || repattern.contains(&name) {
                    actions.push(Action::Edit(Edit::Pattern(t.id, Some(parsed[i].1.clone()))));
                    actions.push(Action::Edit(Edit::Play(t.id, true)));
                    if let Some(lt) = d.model.tracks.get_mut(&name) {
                        lt.pattern = Some((PatternKind::Mini, text.clone()));
                        lt.playing = true;
                    }
                    if !same {
                        changed.push(format!("pattern {name}"));
                    }
                }
            }
            None if t.playing => {
                actions.push(Action::Edit(Edit::Play(t.id, false)));
                if let Some(lt) = d.model.tracks.get_mut(&name) {
                    lt.playing = false;
                }
                changed.push(format!("stopped {name}"));
            }
            None => {}
        }
    }
    finish(d, song, actions, changed)
}

/// The song's timing, master and MIDI setup, and the one planned part.
fn finish(
    d: &mut Draft,
    song: &Song,
    mut actions: Vec<Action>,
    mut changed: Vec<String>,
) -> Result<Vec<Planned>, String> {
    if d.model.tempo != song.tempo {
        d.model.tempo = song.tempo;
        actions.push(Action::Edit(Edit::Tempo(song.tempo)));
        changed.push(format!("tempo {}", song.tempo));
    }
    if d.model.swing != song.swing {
        d.model.swing = song.swing;
        actions.push(Action::Edit(Edit::Swing(song.swing)));
        changed.push(format!("swing {}", song.swing));
    }
    if d.model.meter != song.meter {
        d.model.meter = song.meter;
        actions.push(Action::Edit(Edit::Meter(song.meter)));
        changed.push(format!("meter {}", song.meter));
    }
    if d.model.seed != song.seed {
        d.model.seed = song.seed;
        actions.push(Action::Edit(Edit::Seed(song.seed)));
        changed.push(format!("seed {}", song.seed));
    }
    if d.model.master_db != song.master_gain {
        d.model.master_db = song.master_gain;
        actions.push(Action::Param {
            track: chronus_sequencer::TrackId::MASTER,
            target: ParamTarget::Gain,
            value: song.master_gain as f32,
            ramp: RELOAD_RAMP,
        });
        changed.push(format!("master gain {}", song.master_gain));
    }
    d.model.title = song.title.clone();
    d.model.midi = song.midi.clone();
    let modulation = (
        song.modulation.modules.iter().cloned().collect(),
        song.modulation.cables.clone(),
        song.modulation.wires.clone(),
        song.modulation.sends.clone(),
    );
    if (
        d.model.modules.clone(),
        d.model.cables.clone(),
        d.model.wires.clone(),
        d.model.sends.clone(),
    ) != modulation
    {
        (
            d.model.modules,
            d.model.cables,
            d.model.wires,
            d.model.sends,
        ) = modulation;
        changed.push("modulation".into());
    }
    super::midi::validate(d)?;
    let summary = if changed.is_empty() {
        "reloaded: nothing changed".to_string()
    } else {
        format!("reloaded: {}", changed.join(", "))
    };
    Ok(vec![Planned {
        actions,
        quantized: true,
        summary,
        ..Planned::default()
    }])
}
