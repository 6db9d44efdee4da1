//! Modules and cables in the session: `create wob lfo rate=2`,
//! `patch wob > bass.cutoff amount=600`, `unpatch wob`, `set wob rate=4`,
//! `remove wob`. Every change rebuilds the engine's rack off the audio
//! thread and swaps it in ([`Session::send_rack`]), which carries the LFOs'
//! phases and the parameters' bases over, so nothing restarts.

use super::{Draft, Planned, Session};
use chronus_command::{Param, Word};
use chronus_sequencer::song::modulation::{
    base_value, cable_target, Cable, LfoShape, ModuleSpec, MAX_CABLES, MAX_MODULES,
};
use chronus_sequencer::TrackId;

type Result<T> = std::result::Result<T, String>;

/// What a rack is built from: its modules and cables (the last one sent is
/// kept, to send only changes).
pub(super) type RackKey = (
    Vec<(String, ModuleSpec)>,
    Vec<crate::engine::modulation::CableSpec>,
);

fn planned(summary: String) -> Planned {
    Planned {
        summary,
        ..Planned::default()
    }
}

/// `key=value` settings onto an LFO.
fn apply(spec: &mut ModuleSpec, name: &str, params: &[Param]) -> Result<()> {
    let ModuleSpec::Lfo(l) = spec;
    for p in params {
        match p.key.as_str() {
            "rate" | "phase" => {
                let v: f64 = p
                    .value
                    .parse()
                    .map_err(|_| format!("{name}: {}={}: expected a number", p.key, p.value))?;
                if p.key == "rate" {
                    l.rate = v;
                } else {
                    l.phase = v;
                }
            }
            "shape" => {
                l.shape = LfoShape::parse(&p.value).ok_or_else(|| {
                    format!(
                        "{name}: shape={}: expected one of {}",
                        p.value,
                        LfoShape::NAMES.join(", ")
                    )
                })?;
            }
            other => {
                return Err(format!(
                "lfo '{name}' has no setting '{other}': it has rate (Hz), shape ({}), phase (0..1)",
                LfoShape::NAMES.join("|")
            ))
            }
        }
    }
    l.check().map_err(|e| format!("{name}: {e}"))
}

/// `create NAME lfo key=value...`.
pub(super) fn create(d: &mut Draft, name: &Word, kind: &str, params: &[Param]) -> Result<Planned> {
    if d.model.tracks.contains_key(&name.text) || d.model.modules.contains_key(&name.text) {
        return Err(format!(
            "there is already something called '{}': change it with set, or remove it first",
            name.text
        ));
    }
    if d.model.modules.len() >= MAX_MODULES {
        return Err(format!(
            "a session holds {MAX_MODULES} modules: remove one first"
        ));
    }
    let mut spec =
        ModuleSpec::default_of(kind).ok_or_else(|| format!("unknown module type '{kind}'"))?;
    apply(&mut spec, &name.text, params)?;
    d.model.modules.insert(name.text.clone(), spec);
    Ok(planned(format!("create {} ({kind})", name.text)))
}

/// `set MODULE key=value...`.
pub(super) fn set(d: &mut Draft, name: &Word, params: &[Param]) -> Result<Planned> {
    let Some(spec) = d.model.modules.get_mut(&name.text) else {
        return Err(format!("no module called '{}'", name.text));
    };
    apply(spec, &name.text, params)?;
    let text: Vec<String> = params
        .iter()
        .map(|p| format!("{}={}", p.key, p.value))
        .collect();
    Ok(planned(format!("set {} {}", name.text, text.join(" "))))
}

/// `remove MODULE`: it and its cables.
pub(super) fn remove(d: &mut Draft, name: &Word) -> Result<Planned> {
    d.model.modules.shift_remove(&name.text);
    let before = d.model.cables.len();
    d.model.cables.retain(|c| c.from != name.text);
    let gone = before - d.model.cables.len();
    Ok(planned(if gone > 0 {
        format!("remove {} and its {gone} cable(s)", name.text)
    } else {
        format!("remove {}", name.text)
    }))
}

/// A known module's name, or a message naming those there are.
fn module<'a>(d: &'a Draft, name: &Word) -> Result<&'a ModuleSpec> {
    d.model.modules.get(&name.text).ok_or_else(|| {
        let names: Vec<&str> = d.model.modules.keys().map(String::as_str).collect();
        if names.is_empty() {
            format!(
                "no module called '{}': make one first (create {} lfo rate=2)",
                name.text, name.text
            )
        } else {
            format!(
                "no module called '{}'{}",
                name.text,
                chronus_sequencer::song::suggest::did_you_mean(&name.text, &names)
            )
        }
    })
}

/// `patch MODULE > NAME.PARAM [amount=N]`.
pub(super) fn patch(d: &mut Draft, from: &Word, to: &Word, amount: Option<f64>) -> Result<Planned> {
    module(d, from)?;
    let (track, key) = to.text.split_once('.').unwrap_or((&to.text, ""));
    let Some(t) = d.model.tracks.get(track) else {
        let names: Vec<&str> = d.model.tracks.keys().map(String::as_str).collect();
        return Err(format!(
            "no instrument called '{track}'{}",
            chronus_sequencer::song::suggest::did_you_mean(track, &names)
        ));
    };
    cable_target(&t.spec, key).map_err(|e| format!("{}: {e}", to.text))?;
    let amount = amount.unwrap_or(1.0);
    let cable = Cable {
        from: from.text.clone(),
        track: track.to_string(),
        key: key.to_string(),
        amount,
    };
    // One cable per module and parameter: patching again changes its amount.
    if let Some(c) = d
        .model
        .cables
        .iter_mut()
        .find(|c| c.from == cable.from && c.track == cable.track && c.key == cable.key)
    {
        c.amount = amount;
    } else {
        if d.model.cables.len() >= MAX_CABLES {
            return Err(format!(
                "a session holds {MAX_CABLES} cables: unpatch one first"
            ));
        }
        d.model.cables.push(cable);
    }
    Ok(planned(format!(
        "patch {} > {} amount={amount}",
        from.text, to.text
    )))
}

/// `unpatch MODULE [> NAME.PARAM]`.
pub(super) fn unpatch(d: &mut Draft, from: &Word, to: Option<&Word>) -> Result<Planned> {
    module(d, from)?;
    let before = d.model.cables.len();
    d.model.cables.retain(|c| {
        c.from != from.text || to.is_some_and(|to| format!("{}.{}", c.track, c.key) != to.text)
    });
    let gone = before - d.model.cables.len();
    if gone == 0 {
        return Err(match to {
            Some(to) => format!("'{}' is not patched to {}", from.text, to.text),
            None => format!("'{}' is not patched to anything", from.text),
        });
    }
    Ok(planned(format!(
        "unpatch {}{} ({gone} cable{})",
        from.text,
        to.map_or(String::new(), |t| format!(" > {}", t.text)),
        if gone == 1 { "" } else { "s" }
    )))
}

/// The modules and cables, for `list patches`.
pub(super) fn describe(d: &Draft) -> String {
    let m = &d.model;
    if m.modules.is_empty() {
        return "no modules (create wob lfo rate=2, then patch wob > NAME.PARAM amount=N)".into();
    }
    let modules: Vec<String> = m
        .modules
        .iter()
        .map(|(n, s)| match s {
            ModuleSpec::Lfo(l) => format!("{n} (lfo {} Hz {})", l.rate, l.shape.name()),
        })
        .collect();
    let cables: Vec<String> = m
        .cables
        .iter()
        .map(|c| format!("{} > {}.{} amount={}", c.from, c.track, c.key, c.amount))
        .collect();
    format!(
        "modules: {}; cables: {}",
        modules.join(", "),
        if cables.is_empty() {
            "none".into()
        } else {
            cables.join(", ")
        }
    )
}

impl Session {
    /// Send the engine a new rack when the modules, the cables or the
    /// tracks they reach have changed since the last one sent.
    pub(super) fn send_rack(&mut self) {
        let m = &self.draft.model;
        let mut cables = Vec::new();
        for c in &m.cables {
            let Some(t) = m.tracks.get(&c.track) else {
                continue;
            };
            let Ok(target) = cable_target(&t.spec, &c.key) else {
                continue;
            };
            let Some(target) = crate::engine::modulation::param_target(target, &t.effect_ids)
            else {
                continue;
            };
            cables.push(crate::engine::modulation::CableSpec {
                module: c.from.clone(),
                track: t.id,
                target,
                amount: c.amount,
                base: base_value(&t.spec, &c.key),
            });
        }
        let modules: Vec<(String, ModuleSpec)> = m
            .modules
            .iter()
            .map(|(n, s)| (n.clone(), s.clone()))
            .collect();
        let key = (modules, cables);
        if self.sent_rack.as_ref() == Some(&key) {
            return;
        }
        let (modules, cables) = &key;
        if self.sent_rack.is_none() && modules.is_empty() && cables.is_empty() {
            // The engine starts with an empty rack.
            self.sent_rack = Some(key);
            return;
        }
        // After the tracks it names exist (a track created at the next bar).
        let frame = cables
            .iter()
            .map(|c| c.track)
            .filter_map(|t: TrackId| self.pending.get(&t).map(|p| p.0))
            .fold(self.clock.immediate(), u64::max);
        let rack = crate::engine::modulation::Rack::new(modules, cables, self.rate);
        let command = crate::engine::Command::Modulation(Box::new(rack));
        if self
            .engine
            .send(crate::engine::ControlMsg::Command { frame, command })
            .is_ok()
        {
            self.sent_rack = Some(key);
        }
    }
}
