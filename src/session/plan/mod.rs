//! Checking one command against the draft and planning its changes: the
//! dispatch here, instruments and effects in `instruments.rs`, patterns,
//! transport and scenes in `music.rs`.

use super::model::{
    check_setting, count, effect_names, shown, with_settings, LiveTrack, PatternKind,
};
use super::{info, patch, Action, Draft, Planned, Session, DEFAULT_RAMP};
use crate::engine::Command as EngineCommand;
use chronus_command::{Command, Param, Part, PatternText, Targets, Word};
use chronus_dsp::live::{effect_param, instrument_param, ParamChange};
use chronus_dsp::{build_effect, build_instrument};
use chronus_sequencer::pattern::{self, ParamLane, Pattern};
use chronus_sequencer::song::suggest::did_you_mean;
use chronus_sequencer::song::{EffectSpec, InstrumentSpec};
use chronus_sequencer::{EffectId, ParamTarget};

pub(super) mod instruments;
mod music;

use instruments::*;
pub(super) use music::mute;
use music::*;

type Result<T> = std::result::Result<T, String>;

pub(super) fn done(actions: Vec<Action>, quantized: bool, summary: String) -> Result<Planned> {
    Ok(Planned {
        actions,
        quantized,
        summary,
        ..Planned::default()
    })
}

/// Names a new instrument may not take.
pub(super) const RESERVED: &[&str] = &["all", "master"];

/// The track called `name`, or an error with a suggestion.
pub(super) fn track<'a>(d: &'a Draft, name: &Word) -> Result<&'a LiveTrack> {
    d.model
        .tracks
        .get(&name.text)
        .ok_or_else(|| unknown(d, name))
}

pub(super) fn unknown(d: &Draft, name: &Word) -> String {
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
        Command::Create { name, ty, params }
            if ty
                .as_ref()
                .is_some_and(|t| chronus_command::MODULE_TYPES.contains(&t.text.as_str())) =>
        {
            let kind = ty.as_ref().map_or("lfo", |t| t.text.as_str());
            super::modules::create(d, name, kind, params)
        }
        Command::Create {
            name,
            ty: Some(ty),
            params,
        } if !chronus_command::INSTRUMENT_TYPES.contains(&ty.text.as_str()) => {
            super::user_modules::create(s, d, name, ty, params)
        }
        Command::GenerateModule { name } => super::user_modules::generate(s, name),
        Command::Reload { name } => super::user_modules::reload(s, d, name),
        Command::Send {
            track,
            effect,
            amount,
        } => super::sends::send(d, track, effect, amount.0),
        Command::Create { name, ty, params } => create(s, d, name, ty.as_ref(), params),
        Command::Patch { from, to, amount } => {
            super::modules::patch(d, from, to, amount.map(|a| a.0))
        }
        Command::Unpatch { from, to } => super::modules::unpatch(d, from, to.as_ref()),
        Command::Set { name, params, .. } if d.model.modules.contains_key(&name.text) => {
            super::modules::set(d, name, params)
        }
        Command::Remove { name } if d.model.modules.contains_key(&name.text) => {
            super::modules::remove(d, name)
        }
        Command::Midi(c) => super::midi::midi(s, d, c),
        Command::TempoFollow(f) => super::follow::follow(s, d, *f),
        Command::Map { source, to } => super::midi::map(d, *source, to),
        Command::Learn(to) => super::midi::learn(s, d, to),
        Command::Unmap(u) => super::midi::unmap(d, u),
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
        Command::Move {
            effect,
            target,
            position,
        } => move_effect(d, effect, target, *position),
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
            s.adopt_sources(d, &song)?;
            s.load_definitions(d)?;
            done(actions, true, format!("load patch {}", name.text))
        }
        Command::Status => info_only(info::status(s, d)),
        Command::Listen(l) => info_only(super::listen::listen(s, d, l)?),
        Command::Preview { listening, vs } => {
            info_only(super::preview::preview(s, d, listening, vs.as_ref())?)
        }
        Command::Look {
            picture,
            listening,
            out,
        } => info_only(super::look::look(s, d, *picture, listening, out.as_ref())?),
        Command::Render { bars, out } => info_only(super::preview::render(
            s,
            d,
            bars.map(|b| b.0),
            out.as_ref(),
        )?),
        Command::History { count } => info_only(super::history::history(s, *count)),
        Command::Undo { name } => super::history::undo(s, d, name.as_ref()),
        Command::List(topic) => info_only(info::list(s, d, topic)?),
        Command::Help { topic } => {
            let module = topic
                .as_ref()
                .and_then(|t| super::user_modules::help(s, &t.text));
            info_only(match (info::help(topic.as_ref()), module) {
                (Ok(text), Some(m)) if topic.is_some() => format!("{text} Also {m}"),
                (Ok(text), _) => text,
                (Err(_), Some(m)) => m,
                (Err(e), None) => return Err(e),
            })
        }
        Command::Quit => done(vec![Action::Quit], false, "quit".into()),
    }
}

pub(super) fn info_only(text: String) -> Result<Planned> {
    Ok(Planned {
        actions: Vec::new(),
        quantized: false,
        summary: String::new(),
        info: Some(text),
        ..Planned::default()
    })
}

/// Plan `set NAME PARAMS` with glide `ramp` (seconds) on the draft, as the
/// command would: for a song reloaded in place.
///
/// # Errors
/// A setting the instrument does not take.
pub(in crate::session) fn settings_planned(
    s: &Session,
    d: &mut Draft,
    name: &chronus_command::Word,
    params: &[chronus_command::Param],
    ramp: f64,
) -> Result<Planned> {
    instruments::set(s, d, name, params, ramp)
}

/// The draft's arrangement as the timeline plays it.
///
/// # Errors
/// A scene pattern that does not parse.
pub(in crate::session) fn arrangement_of(d: &Draft) -> Result<crate::live::timeline::Arrangement> {
    music::arrangement(d)
}
