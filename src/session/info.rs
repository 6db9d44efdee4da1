//! `status`, `list` and `help`: views of the session and of the tables the
//! song format defines, so that everything is discoverable from `help`.

use super::{Draft, Session};
use crate::live::sequencer::lock;
use chronus_command::{command_help, commands, ListTopic, Word};
use chronus_sequencer::song::suggest::did_you_mean;
use chronus_sequencer::song::{EffectSpec, InstrumentSpec};

/// One line: where the music is, and every track.
pub(super) fn status(s: &Session, d: &Draft) -> String {
    let frame = s.clock.now();
    let tl = lock(&s.timeline);
    let beat = tl.map().beat_at(frame);
    let bpm = tl.map().bpm_at(beat);
    let bar0 = tl.bar_at(beat);
    let meter = tl.meter_of(bar0);
    let beat_in_bar = (beat - tl.bar_start(bar0)).floor() as u64 + 1;
    drop(tl);
    let bar = bar0 + 1;
    let m = &d.model;
    let tracks: Vec<String> = m
        .tracks
        .iter()
        .map(|(n, t)| {
            let state = if !m.audible(n) {
                "muted"
            } else if t.playing && t.pattern.is_some() {
                "playing"
            } else {
                "stopped"
            };
            let fx = super::model::effect_names(t.spec.effects());
            let fx = if fx.is_empty() {
                String::new()
            } else {
                format!(" > {}", fx.join(" > "))
            };
            let pat = t
                .pattern
                .as_ref()
                .map(|(_, p)| format!(" \"{p}\""))
                .unwrap_or_default();
            format!(
                "{} ({}{fx}, {state}{pat})",
                super::model::shown(n),
                t.spec.kind()
            )
        })
        .collect();
    let mut line = format!(
        "status: bar {bar} beat {beat_in_bar}, {bpm} BPM, {meter}/4, swing {}, quantize {}, frame {frame} ({:.1} s); {}{}{}",
        m.swing,
        d.quantize.name(),
        frame as f64 / f64::from(s.rate),
        super::model::count(m.tracks.len(), "instrument"),
        if tracks.is_empty() { String::new() } else { format!(": {}", tracks.join(", ")) },
        if m.scenes.is_empty() {
            String::new()
        } else {
            format!("; scenes: {}", m.scenes.iter().map(|s| s.name.as_str()).collect::<Vec<_>>().join(", "))
        },
    );
    if !m.modules.is_empty() || !m.sends.is_empty() {
        line.push_str(&format!(
            "; {}, {}, {}, {} (list patches)",
            super::model::count(m.modules.len(), "module"),
            super::model::count(m.wires.len(), "wire"),
            super::model::count(m.cables.len(), "cable"),
            super::model::count(m.sends.len(), "send"),
        ));
    }
    line.push_str(&format!(
        "; lines ok {}, failed {}",
        s.lines_ok, s.lines_failed
    ));
    let midi_used =
        !d.model.midi.is_empty() || s.midi.as_ref().is_some_and(|c| c.get().messages > 0);
    if midi_used {
        line.push_str("; ");
        line.push_str(&super::midi::counters_text(s));
    }
    if let Some(f) = super::follow::status(s) {
        line.push_str("; ");
        line.push_str(&f);
    }
    if let Some(extra) = &s.extra {
        line.push_str("; ");
        line.push_str(&extra());
    }
    line
}

/// `list [TOPIC]`.
pub(super) fn list(s: &Session, d: &Draft, topic: &ListTopic) -> Result<String, String> {
    Ok(match topic {
        ListTopic::Modules => super::user_modules::list(s),
        ListTopic::Instruments => {
            if d.model.tracks.is_empty() {
                "instruments: none yet (create kick freq=60 decay=0.5)".into()
            } else {
                let items: Vec<String> = d
                    .model
                    .tracks
                    .iter()
                    .map(|(n, t)| format!("{n} ({})", t.spec.kind()))
                    .collect();
                format!("instruments: {}", items.join(", "))
            }
        }
        ListTopic::Types => format!(
            "types: {} (help TYPE for its settings)",
            InstrumentSpec::KINDS.join(", ")
        ),
        ListTopic::Effects => format!(
            "effects: {} (help EFFECT for its settings)",
            EffectSpec::KINDS.join(", ")
        ),
        ListTopic::Scenes => {
            if d.model.scenes.is_empty() {
                "scenes: none (scenes come from a song or patch)".into()
            } else {
                let names: Vec<&str> = d.model.scenes.iter().map(|s| s.name.as_str()).collect();
                format!("scenes: {}", names.join(", "))
            }
        }
        ListTopic::Patches => {
            let names = super::patch::list(&s.patches);
            let saved = if names.is_empty() {
                format!("patches: none in {}", s.patches.display())
            } else {
                format!("patches in {}: {}", s.patches.display(), names.join(", "))
            };
            format!("{saved}; {}", super::modules::describe(d))
        }
        ListTopic::Maps => super::midi::list_maps(d),
        ListTopic::Params(w) => params_of(d, w)?,
    })
}

fn params_of(d: &Draft, w: &Word) -> Result<String, String> {
    if let Some(t) = d.model.tracks.get(&w.text) {
        let spec = &t.spec;
        let mut items: Vec<String> = spec
            .params()
            .iter()
            .map(|&(n, _, lo, hi)| {
                let v = current(spec, n);
                format!("{n}={v} ({lo}..{hi})")
            })
            .collect();
        for &(n, choices, _) in spec.choices() {
            items.push(format!(
                "{n}={} ({})",
                current_choice(spec, n),
                choices.join("|")
            ));
        }
        let names = super::model::effect_names(spec.effects());
        for (fx, fx_name) in spec.effects().iter().zip(&names) {
            for &(n, _, lo, hi) in fx.params() {
                let v = fx_current(fx, n);
                items.push(format!("{fx_name}.{n}={v} ({lo}..{hi})"));
            }
        }
        return Ok(format!(
            "params of {} ({}): {}",
            super::model::shown(&w.text),
            spec.kind(),
            items.join(", ")
        ));
    }
    if InstrumentSpec::default_of(&w.text).is_some() || EffectSpec::default_of(&w.text).is_some() {
        return help_topic(&w.text);
    }
    let mut known: Vec<&str> = d.model.tracks.keys().map(String::as_str).collect();
    known.extend(InstrumentSpec::KINDS);
    known.extend(EffectSpec::KINDS);
    Err(format!(
        "no instrument, type or effect called '{}'{}",
        w.text,
        did_you_mean(&w.text, &known)
    ))
}

fn value_of<T: serde::Serialize>(spec: &T, key: &str) -> String {
    match serde_yaml_ng::to_value(spec) {
        Ok(serde_yaml_ng::Value::Mapping(m)) => match m.get(key) {
            Some(serde_yaml_ng::Value::Number(n)) => match n.as_f64() {
                Some(v) if v.fract() == 0.0 && v.abs() < 1e15 => format!("{}", v as i64),
                _ => n.to_string(),
            },
            Some(serde_yaml_ng::Value::String(s)) => s.clone(),
            _ => "?".into(),
        },
        _ => "?".into(),
    }
}

fn current(spec: &InstrumentSpec, key: &str) -> String {
    value_of(spec, key)
}

fn current_choice(spec: &InstrumentSpec, key: &str) -> String {
    value_of(spec, key)
}

fn fx_current(spec: &EffectSpec, key: &str) -> String {
    value_of(spec, key)
}

/// Each setting with its range (or choices) and default.
fn settings_help(
    numbers: &[(&str, f64, f64, f64)],
    choices: &[(&str, &[&str], &str)],
) -> Vec<String> {
    let mut items: Vec<String> = numbers
        .iter()
        .map(|&(n, def, lo, hi)| format!("{n} {lo}..{hi} (default {def})"))
        .collect();
    for &(n, list, def) in choices {
        items.push(format!("{n} {} (default {def})", list.join("|")));
    }
    items
}

/// `help [TOPIC]`.
pub(super) fn help(topic: Option<&Word>) -> Result<String, String> {
    let Some(t) = topic else {
        let names: Vec<&str> = commands().iter().map(|c| c.name).collect();
        return Ok(format!(
            "commands: {}. Types: {}. Effects: {}. Modules: {} (and yours: list modules). `help COMMAND`, `help TYPE`, `help EFFECT` or `help MODULE` for more; separate commands with ; to apply them together.",
            names.join(", "),
            InstrumentSpec::KINDS.join(", "),
            EffectSpec::KINDS.join(", "),
            chronus_sequencer::song::modulation::ModuleSpec::TYPES.join(", ")
        ));
    };
    help_topic(&t.text)
}

fn help_topic(topic: &str) -> Result<String, String> {
    if let Some(c) = command_help(topic) {
        return Ok(format!(
            "{}: {} {} Example: {}",
            c.name, c.syntax, c.summary, c.example
        ));
    }
    if let Some(spec) = InstrumentSpec::default_of(topic) {
        let items = settings_help(spec.params(), spec.choices());
        let example = match topic {
            "synth" => "create bass synth osc=saw cutoff=500 resonance=0.4",
            "fm" => "create bell fm ratio=3.5 index=4",
            "kick" => "create kick freq=60 decay=0.5",
            "snare" => "create snare tone=0.4 decay=0.2",
            "hihat" => "create hihat noise=white decay=0.05",
            "clap" => "create clap decay=0.2",
            _ => "create tom freq=110",
        };
        return Ok(format!(
            "{topic} (instrument): settings {}. Example: {example}",
            items.join(", ")
        ));
    }
    if let Some(spec) = EffectSpec::default_of(topic) {
        let items = settings_help(spec.params(), spec.choices());
        return Ok(format!(
            "{topic} (effect; amount= means mix=): settings {}. Example: add {topic} to bass amount=0.3, then set bass {topic}.mix=0.5",
            items.join(", ")
        ));
    }
    let mut known: Vec<&str> = commands().iter().map(|c| c.name).collect();
    known.extend(InstrumentSpec::KINDS);
    known.extend(EffectSpec::KINDS);
    known.extend(chronus_sequencer::song::modulation::ModuleSpec::TYPES);
    Err(format!(
        "no help on '{topic}'{}",
        did_you_mean(topic, &known)
    ))
}
