//! Patches: the whole session saved as a song file (instruments, effects,
//! the patterns playing now, scenes, tempo, levels) under `patches/`, which
//! `chronus render` and `chronus live` load; and loading songs into a
//! session.

use super::model::{LiveTrack, Model, PatternKind, Scene};
use super::{Action, Draft};
use crate::engine::Command as EngineCommand;
use crate::live::timeline::Edit;
use chronus_sequencer::pattern::{self, ParamLane, Pattern};

use chronus_sequencer::{ParamTarget, Song, TrackId};
use indexmap::IndexMap;
use serde::Serialize;
use std::path::{Path, PathBuf};

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

/// The names a patch gives its block of what was playing.
const LIVE_NAMES: [&str; 3] = ["live", "now", "patch"];

/// The file for patch `name` in `dir`.
///
/// # Errors
/// Names that are empty, hidden, or hold path separators, `..` or control
/// characters are refused.
pub fn patch_path(dir: &Path, name: &str) -> Result<PathBuf, String> {
    let bad = name.is_empty()
        || name.starts_with('.')
        || name.contains(['/', '\\'])
        || name.contains("..")
        || name.chars().any(char::is_control)
        || name.len() > 200;
    if bad {
        return Err(format!(
            "patch name '{}': expected a plain name (letters, digits, - and _; no /, \\, .. or control characters)",
            name.escape_default()
        ));
    }
    let file = if name.ends_with(".yaml") {
        name.to_string()
    } else {
        format!("{name}.yaml")
    };
    Ok(dir.join(file))
}

/// The patch names in `dir`.
pub fn list(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.strip_suffix(".yaml").map(str::to_string)
                })
                .filter(|n| !n.starts_with('.'))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

#[derive(Serialize)]
struct ArrangementOut {
    pattern: String,
    repeat: u64,
}

#[derive(Serialize)]
struct SongOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    tempo: f64,
    meter: u32,
    swing: f64,
    seed: u64,
    #[serde(skip_serializing_if = "is_zero")]
    master_gain: f64,
    instruments: IndexMap<&'a str, serde_yaml_ng::Value>,
    patterns: IndexMap<String, IndexMap<&'a str, &'a str>>,
    arrangement: Vec<ArrangementOut>,
    #[serde(skip_serializing_if = "Option::is_none")]
    midi: Option<MidiOut<'a>>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    modules: IndexMap<&'a str, &'a chronus_sequencer::song::modulation::ModuleSpec>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    patches: Vec<PatchOut<'a>>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    sends: IndexMap<&'a str, IndexMap<&'a str, f64>>,
}

/// A cable or a wire as a song writes it.
#[derive(Serialize)]
#[serde(untagged)]
enum PatchOut<'a> {
    /// `{ from: wob, to: bass.cutoff, amount: 600 }`.
    Cable {
        from: &'a str,
        to: String,
        amount: f64,
    },
    /// `{ from: filt1, to: out, effects: [...] }`.
    Wire {
        from: &'a str,
        to: &'a str,
        #[serde(skip_serializing_if = "<[_]>::is_empty")]
        effects: &'a [chronus_sequencer::song::EffectSpec],
    },
}

#[derive(Serialize)]
struct MidiOut<'a> {
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    play: IndexMap<&'a str, RouteOut>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    maps: Vec<MapOut<'a>>,
    #[serde(skip_serializing_if = "IndexMap::is_empty")]
    out: IndexMap<&'a str, SendOut>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    clock: bool,
}

#[derive(Serialize)]
struct SendOut {
    channel: u8,
}

#[derive(Serialize)]
struct RouteOut {
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    bend: Option<f64>,
}

#[derive(Serialize)]
struct MapOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    cc: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    aftertouch: Option<bool>,
    to: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    min: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    curve: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<u8>,
}

/// The session's MIDI setup as song text (`None` when empty).
fn midi_out(model: &Model) -> Option<MidiOut<'_>> {
    let m = &model.midi;
    if m.is_empty() {
        return None;
    }
    Some(MidiOut {
        play: m
            .routes
            .iter()
            .map(|r| {
                (
                    r.track.as_str(),
                    RouteOut {
                        channel: r.channel,
                        bend: r.bend,
                    },
                )
            })
            .collect(),
        maps: m
            .maps
            .iter()
            .map(|x| MapOut {
                cc: match x.source {
                    chronus_sequencer::song::MapSource::Control(n) => Some(n),
                    chronus_sequencer::song::MapSource::Aftertouch => None,
                },
                aftertouch: (x.source == chronus_sequencer::song::MapSource::Aftertouch)
                    .then_some(true),
                to: &x.to,
                min: x.range.map(|r| r.0),
                max: x.range.map(|r| r.1),
                curve: x.curve.map(|c| c.name()),
                channel: x.channel,
            })
            .collect(),
        out: m
            .outs
            .iter()
            .map(|o| (o.track.as_str(), SendOut { channel: o.channel }))
            .collect(),
        clock: m.clock,
    })
}

/// The session as song text: the patterns playing now as the first
/// pattern block (`live`, what the patch plays when loaded), then the
/// song's scenes; the arrangement plays `live`.
///
/// # Errors
/// When the model cannot be written (should not happen).
pub fn to_yaml(model: &Model) -> Result<String, String> {
    // A session loaded from a patch starts its arrangement with that
    // patch's own block of what was playing: this save replaces it rather
    // than adding another bar each round trip.
    let previous = model
        .arrangement
        .first()
        .copied()
        .filter(|&i| LIVE_NAMES.contains(&model.scenes[i].name.as_str()));
    let live_name = match previous {
        Some(i) => model.scenes[i].name.as_str(),
        None => LIVE_NAMES
            .into_iter()
            .find(|n| !model.scenes.iter().any(|s| s.name == *n))
            .unwrap_or("live_now"),
    };
    let mut patterns = IndexMap::new();
    let live: IndexMap<&str, &str> = model
        .tracks
        .iter()
        .filter(|(_, t)| t.playing)
        .filter_map(|(n, t)| t.pattern.as_ref().map(|(_, p)| (n.as_str(), p.as_str())))
        .collect();
    patterns.insert(live_name.to_string(), live);
    for (i, s) in model.scenes.iter().enumerate() {
        if Some(i) == previous {
            continue;
        }
        let lanes = s
            .lanes
            .iter()
            .filter(|(t, _)| model.tracks.contains_key(t))
            .map(|(t, p)| (t.as_str(), p.as_str()))
            .collect();
        patterns.insert(s.name.clone(), lanes);
    }
    let out = SongOut {
        title: model.title.as_deref(),
        tempo: model.tempo,
        meter: model.meter,
        swing: model.swing,
        seed: model.seed,
        master_gain: model.master_db,
        instruments: model
            .tracks
            .iter()
            .map(|(n, t)| (n.as_str(), instrument_out(t)))
            .collect(),
        patterns,
        arrangement: arrangement_out(model, live_name, previous),
        midi: midi_out(model),
        modules: model.modules.iter().map(|(n, m)| (n.as_str(), m)).collect(),
        patches: model
            .wires
            .iter()
            .map(|w| PatchOut::Wire {
                from: &w.from,
                to: &w.to,
                effects: &w.effects,
            })
            .chain(model.cables.iter().map(|c| PatchOut::Cable {
                from: &c.from,
                to: format!("{}.{}", c.to, c.key),
                amount: c.amount,
            }))
            .collect(),
        sends: {
            let mut m: IndexMap<&str, IndexMap<&str, f64>> = IndexMap::new();
            for s in &model.sends {
                m.entry(s.track.as_str())
                    .or_default()
                    .insert(s.effect.as_str(), s.amount);
            }
            m
        },
    };
    if out.instruments.is_empty() {
        return Err("nothing to save: the session has no instruments yet".into());
    }
    let body =
        serde_yaml_ng::to_string(&out).map_err(|e| format!("cannot write the patch: {e}"))?;
    Ok(format!(
        "# A Chronus patch: a song file. Play it with `chronus live FILE` or\n# render it with `chronus render FILE -o OUT.wav`.\n{body}"
    ))
}

/// An instrument as song text: its settings, with each parameter that
/// follows a pattern written as that pattern's text.
fn instrument_out(t: &LiveTrack) -> serde_yaml_ng::Value {
    use serde_yaml_ng::Value;
    let mut value = serde_yaml_ng::to_value(&t.spec).unwrap_or(Value::Null);
    for lane in &t.params {
        let key = Value::String(lane.key.clone());
        let text = Value::String(lane.text.clone());
        // An effect's parameter goes into that effect's entry, wherever
        // the effect is in the chain now.
        let entry = match lane.target {
            ParamTarget::Effect { effect, .. } => t
                .effect_ids
                .iter()
                .position(|&id| id == effect)
                .and_then(|i| value.get_mut("effects")?.get_mut(i)),
            _ => Some(&mut value),
        };
        if let Some(Value::Mapping(map)) = entry {
            map.insert(key, text);
        }
    }
    value
}

/// The bar playing now, then the loaded song's arrangement (its runs of a
/// scene as repeats), so the patch renders what was playing and then the
/// song, and `arrange` still works after loading it.
fn arrangement_out(model: &Model, live_name: &str, previous: Option<usize>) -> Vec<ArrangementOut> {
    let mut out = vec![ArrangementOut {
        pattern: live_name.to_string(),
        repeat: 1,
    }];
    let mut run: Option<(usize, u64)> = None;
    let skip = model
        .arrangement
        .iter()
        .take_while(|&&i| Some(i) == previous)
        .count();
    for &i in &model.arrangement[skip..] {
        match &mut run {
            Some((scene, n)) if *scene == i => *n += 1,
            _ => {
                if let Some((scene, n)) = run.take() {
                    out.push(ArrangementOut {
                        pattern: model.scenes[scene].name.clone(),
                        repeat: n,
                    });
                }
                run = Some((i, 1));
            }
        }
    }
    if let Some((scene, n)) = run {
        out.push(ArrangementOut {
            pattern: model.scenes[scene].name.clone(),
            repeat: n,
        });
    }
    out
}

/// Write `text` to `path` through a temporary file and a rename, so a
/// failure never leaves half a file (nor touches an existing one).
///
/// # Errors
/// A message naming the path and the OS error.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), String> {
    write_atomic_bytes(path, text.as_bytes())
}

/// `write_atomic` for bytes (a picture, a WAV file).
///
/// # Errors
/// A message naming the path and the OS error.
pub fn write_atomic_bytes(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("{}: cannot create the folder: {e}", dir.display()))?;
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    let temp = path.with_file_name(format!(
        ".{}.partial-{}",
        name.unwrap_or_default(),
        std::process::id()
    ));
    // Written and flushed before the rename, and the folder flushed after,
    // so a power cut leaves the old file or the new one, never an empty one.
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&temp)?;
        std::io::Write::write_all(&mut f, bytes)?;
        f.sync_all()?;
        std::fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        format!("{}: cannot save: {e}", path.display())
    })?;
    if let Some(dir) = path.parent() {
        super::journal::sync_dir(dir);
    }
    Ok(())
}

/// Each track of `scene` with its parsed pattern.
///
/// # Errors
/// A scene pattern that does not parse (cannot happen for a loaded song).
pub fn scene_lanes(d: &Draft, scene: &Scene) -> Result<Vec<(TrackId, Pattern)>, String> {
    let mut out = Vec::new();
    for (track, text) in &scene.lanes {
        let Some(t) = d.model.tracks.get(track) else {
            continue;
        };
        let at = |e: pattern::PatternError| {
            format!(
                "scene {} {track}: column {}: {}",
                scene.name, e.column, e.message
            )
        };
        let pitches = t
            .spec
            .pitches()
            .map_err(|e| format!("scene {} {track}: {e}", scene.name))?;
        let p = pattern::parse(text)
            .map_err(at)?
            .with_pitches(pitches)
            .with_params(t.params.clone());
        p.check(t.spec.is_pitched()).map_err(at)?;
        out.push((t.id, p));
    }
    Ok(out)
}

/// A song's pattern blocks as the session's scenes.
pub fn song_scenes(song: &Song) -> Vec<Scene> {
    song.patterns
        .iter()
        .map(|p| Scene {
            name: p.name.clone(),
            lanes: p
                .lanes
                .iter()
                .map(|l| (song.tracks[l.track].name.clone(), l.source.clone()))
                .collect(),
        })
        .collect()
}

/// Replace the draft's session with `song`: remove every track, add the
/// song's, take its patterns as scenes and play the first bar's scene.
///
/// # Errors
/// When the song has more instruments than a session holds.
pub fn load_song(d: &mut Draft, song: &Song, rate: u32) -> Result<Vec<Action>, String> {
    let mut actions = Vec::new();
    for t in d.model.tracks.values() {
        d.slots.release(t.id);
        actions.push(Action::Engine(EngineCommand::RemoveTrack(t.id)));
        actions.push(Action::Edit(Edit::RemoveTrack(t.id)));
    }
    if d.model.master_db != song.master_gain {
        // The master takes the song's level (0 dB unless it says).
        actions.push(Action::Param {
            track: TrackId::MASTER,
            target: chronus_sequencer::ParamTarget::Gain,
            value: song.master_gain as f32,
            ramp: super::DEFAULT_RAMP,
        });
    }
    let mut model = Model::new();
    model.title = song.title.clone();
    model.tempo = song.tempo;
    model.meter = song.meter;
    model.swing = song.swing;
    model.seed = song.seed;
    model.master_db = song.master_gain;
    for t in &song.tracks {
        let (id, effect_ids, add) = d.build_track(&t.name, &t.spec, rate).ok_or_else(|| {
            format!(
                "no room for the song's {} instruments: a session holds {} (and removed ones take a moment to be freed)",
                song.tracks.len(),
                crate::engine::MAX_TRACKS
            )
        })?;
        actions.push(add);
        actions.push(Action::Edit(Edit::AddTrack(id)));
        model.tracks.insert(
            t.name.clone(),
            LiveTrack {
                id,
                spec: t.spec.clone(),
                effect_ids: effect_ids.clone(),
                pattern: None,
                // Effect parameters follow the session's own effect ids.
                params: t
                    .params
                    .iter()
                    .map(|lane| match lane.effect {
                        Some(i) => ParamLane::for_effect(
                            &t.spec.effects()[i],
                            i,
                            effect_ids[i],
                            &lane.key,
                            &lane.text,
                        )
                        .unwrap_or_else(|_| lane.clone()),
                        None => lane.clone(),
                    })
                    .collect(),
                playing: false,
                muted: false,
                soloed: false,
            },
        );
    }
    model.scenes = song_scenes(song);
    model.arrangement = song.bars.to_vec();
    model.midi = song.midi.clone();
    model.modules = song.modulation.modules.iter().cloned().collect();
    model.cables = song.modulation.cables.clone();
    model.wires = song.modulation.wires.clone();
    model.sends = song.modulation.sends.clone();
    d.model = model;
    super::midi::validate(d)?;
    actions.push(Action::Edit(Edit::Meter(song.meter)));
    actions.push(Action::Edit(Edit::Seed(song.seed)));
    actions.push(Action::Edit(Edit::Tempo(song.tempo)));
    actions.push(Action::Edit(Edit::Swing(song.swing)));
    if song.midi.clock {
        actions.push(Action::Edit(Edit::Clock(true)));
    }
    if let Some(first) = song.bars.first() {
        let scene = d.model.scenes[first].clone();
        let lanes = scene_lanes(d, &scene)?;
        for (track, text) in &scene.lanes {
            if let Some(t) = d.model.tracks.get_mut(track) {
                t.pattern = Some((PatternKind::Mini, text.clone()));
                t.playing = true;
            }
        }
        actions.push(Action::Edit(Edit::Scene(lanes)));
    }
    Ok(actions)
}
