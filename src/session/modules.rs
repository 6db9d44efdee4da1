//! Modules, wires and cables in the session: `create vco1 osc wave=saw`,
//! `patch vco1 > filt1 > reverb > out`, `patch wob > filt1.cutoff
//! amount=600`, `unpatch wob`, `set wob rate=4`, `remove wob`. Every
//! change is checked here (names, types, loops) and then rebuilds the
//! engine's rack off the audio thread and swaps it in
//! ([`Session::send_rack`]); the rack carries the modules' state over and
//! crossfades, so nothing restarts and nothing clicks.

use super::{Draft, Planned, Session};
use crate::engine::rack::{param_target, CableSpec, CableTo, Rack, RackPlan};
use chronus_command::{Param, Word};
use chronus_sequencer::song::modulation::{
    base_value, cable_target, chain_effect_param, chain_wires, module_param, run_order, Cable,
    ModuleKind, ModuleSpec, MAX_CABLES, MAX_MODULES, MAX_WIRES, OUT,
};

type Result<T> = std::result::Result<T, String>;

fn planned(summary: String) -> Planned {
    Planned {
        summary,
        ..Planned::default()
    }
}

/// `key=value` settings onto a module.
fn apply(d: &Draft, spec: &mut ModuleSpec, name: &str, params: &[Param]) -> Result<()> {
    for p in params {
        spec.set(&p.key, &p.value)
            .map_err(|e| format!("{name}: {e}"))?;
    }
    if spec.kind == ModuleKind::User {
        if let Some(u) = d.user.get(&spec.source) {
            super::user_modules::check_settings(&u.def, spec)
                .map_err(|e| format!("{name}: {e}"))?;
        }
    }
    if spec.kind.follows_a_track()
        && !spec.source.is_empty()
        && !d.model.tracks.contains_key(&spec.source)
    {
        let names: Vec<&str> = d.model.tracks.keys().map(String::as_str).collect();
        return Err(format!(
            "{name}: track={}: no instrument called that{}",
            spec.source,
            chronus_sequencer::song::suggest::did_you_mean(&spec.source, &names)
        ));
    }
    Ok(())
}

/// The index of parameter `key` of module `name` (a built-in type's, or
/// its definition's for a user module).
fn param_index(d: &Draft, name: &str, key: &str) -> Result<u16> {
    let Some(m) = d.model.modules.get(name) else {
        return Err(format!("no module called '{name}'"));
    };
    if key.contains('.') {
        return chain_effect(d, name, key).map(|(_, p, _)| p);
    }
    if let Some(i) = module_param(name, m, key)? {
        return Ok(i);
    }
    let Some(u) = d.user.get(&m.source) else {
        return Err(format!("{name}: its definition {} is not loaded", m.source));
    };
    u.def.param_index(key).map(|i| i as u16).ok_or_else(|| {
        let names: Vec<&str> = u.def.params().iter().map(|p| p.name.as_str()).collect();
        format!(
            "{name} ({}) has no number '{key}': it has {}",
            m.source,
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(", ")
            }
        )
    })
}

/// The effect parameter `key` (`reverb.mix`) on module `name`'s chain to
/// out: the effect's place, the parameter, its value.
fn chain_effect(d: &Draft, name: &str, key: &str) -> Result<(usize, u16, f64)> {
    let Some(w) = d.model.wires.iter().find(|w| w.from == name && w.to == OUT) else {
        return Err(format!(
            "{name} has no chain to out with effects (patch {name} > reverb > out)"
        ));
    };
    chain_effect_param(&w.effects, key).map_err(|e| format!("{name}: {e}"))
}

/// The modules as a list, in order.
fn listed(d: &Draft) -> Vec<(String, ModuleSpec)> {
    d.model
        .modules
        .iter()
        .map(|(n, s)| (n.clone(), s.clone()))
        .collect()
}

/// Refuse a set of wires and cables with a loop (naming it).
fn check_loops(d: &Draft) -> Result<()> {
    let modules = listed(d);
    run_order(&modules, &d.model.wires, &d.model.cables).map(|_| ())
}

/// `create NAME TYPE key=value...` for a built-in module type.
pub(super) fn create(d: &mut Draft, name: &Word, kind: &str, params: &[Param]) -> Result<Planned> {
    let mut spec =
        ModuleSpec::default_of(kind).ok_or_else(|| format!("unknown module type '{kind}'"))?;
    apply(d, &mut spec, &name.text, params)?;
    add(d, name, spec, kind)
}

/// A new module `name` of type `kind` (its name checked here).
pub(super) fn add(d: &mut Draft, name: &Word, spec: ModuleSpec, kind: &str) -> Result<Planned> {
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
    if name.text == OUT {
        return Err("'out' is where chains end: give the module another name".into());
    }
    d.model.modules.insert(name.text.clone(), spec);
    Ok(planned(format!("create {} ({kind})", name.text)))
}

/// `set MODULE key=value...`.
pub(super) fn set(d: &mut Draft, name: &Word, params: &[Param]) -> Result<Planned> {
    let Some(mut spec) = d.model.modules.get(&name.text).cloned() else {
        return Err(format!("no module called '{}'", name.text));
    };
    apply(d, &mut spec, &name.text, params)?;
    d.model.modules.insert(name.text.clone(), spec);
    let text: Vec<String> = params
        .iter()
        .map(|p| format!("{}={}", p.key, p.value))
        .collect();
    Ok(planned(format!("set {} {}", name.text, text.join(" "))))
}

/// `remove MODULE`: it, its cables and its wires.
pub(super) fn remove(d: &mut Draft, name: &Word) -> Result<Planned> {
    let n = &name.text;
    d.model.modules.shift_remove(n);
    let before = d.model.cables.len() + d.model.wires.len();
    d.model.cables.retain(|c| c.from != *n && c.to != *n);
    d.model.wires.retain(|w| w.from != *n && w.to != *n);
    let gone = before - d.model.cables.len() - d.model.wires.len();
    Ok(planned(if gone > 0 {
        format!("remove {} and its {gone} cable(s) and wire(s)", name.text)
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

/// `patch MODULE > NAME.PARAM [amount=N]`, or a chain of sound
/// `patch MODULE > MODULE... [> EFFECT...] [> out]`.
pub(super) fn patch(
    d: &mut Draft,
    from: &Word,
    to: &[Word],
    amount: Option<f64>,
) -> Result<Planned> {
    module(d, from)?;
    let [only] = to else {
        return chain(d, from, to, amount);
    };
    let Some((target, key)) = only.text.split_once('.') else {
        return chain(d, from, to, amount);
    };
    if d.model.modules.contains_key(target) {
        param_index(d, target, key).map_err(|e| format!("{}: {e}", only.text))?;
    } else if let Some(t) = d.model.tracks.get(target) {
        cable_target(&t.spec, key).map_err(|e| format!("{}: {e}", only.text))?;
    } else {
        let mut names: Vec<&str> = d.model.tracks.keys().map(String::as_str).collect();
        names.extend(d.model.modules.keys().map(String::as_str));
        return Err(format!(
            "no instrument or module called '{target}'{}",
            chronus_sequencer::song::suggest::did_you_mean(target, &names)
        ));
    }
    let amount = amount.unwrap_or(1.0);
    let cable = Cable {
        from: from.text.clone(),
        to: target.to_string(),
        key: key.to_string(),
        amount,
    };
    // One cable per module and parameter: patching again changes its amount.
    if let Some(c) = d
        .model
        .cables
        .iter_mut()
        .find(|c| c.from == cable.from && c.to == cable.to && c.key == cable.key)
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
    check_loops(d)?;
    Ok(planned(format!(
        "patch {} > {} amount={amount}",
        from.text, only.text
    )))
}

/// `patch vco1 > filt1 > reverb > out`: wires of sound.
fn chain(d: &mut Draft, from: &Word, to: &[Word], amount: Option<f64>) -> Result<Planned> {
    if amount.is_some() {
        return Err(
            "amount= is for a cable to a parameter (patch wob > filt1.cutoff amount=600); a chain of sound takes none"
                .into(),
        );
    }
    let modules = listed(d);
    let mut names = vec![from.text.as_str()];
    names.extend(to.iter().map(|w| w.text.as_str()));
    if let Some(t) = names.iter().find(|n| d.model.tracks.contains_key(**n)) {
        return Err(format!(
            "{t} is an instrument: patch a module to one of its parameters, as in {} > {t}.cutoff amount=300",
            from.text
        ));
    }
    let wires = chain_wires(&names, &modules)?;
    for w in wires {
        // One wire per pair: patching again replaces its effects.
        match d
            .model
            .wires
            .iter_mut()
            .find(|x| x.from == w.from && x.to == w.to)
        {
            Some(x) => *x = w,
            None => d.model.wires.push(w),
        }
    }
    if d.model.wires.len() > MAX_WIRES {
        return Err(format!(
            "a session holds {MAX_WIRES} wires: unpatch one first"
        ));
    }
    check_loops(d)?;
    Ok(planned(format!("patch {}", names.join(" > "))))
}

/// `unpatch MODULE [> NAME.PARAM | > MODULE | > out]`.
pub(super) fn unpatch(d: &mut Draft, from: &Word, to: Option<&Word>) -> Result<Planned> {
    module(d, from)?;
    let before = d.model.cables.len() + d.model.wires.len();
    let f = &from.text;
    d.model
        .cables
        .retain(|c| c.from != *f || to.is_some_and(|to| format!("{}.{}", c.to, c.key) != to.text));
    d.model
        .wires
        .retain(|w| w.from != *f || to.is_some_and(|to| w.to != to.text));
    let gone = before - d.model.cables.len() - d.model.wires.len();
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

/// The modules, wires and cables, for `list patches`.
pub(super) fn describe(d: &Draft) -> String {
    let m = &d.model;
    if m.modules.is_empty() {
        return format!(
            "no modules (create vco1 osc, then patch vco1 > out; create wob lfo rate=2, then patch wob > NAME.PARAM amount=N); {}",
            super::sends::describe(d)
        );
    }
    let modules: Vec<String> = m
        .modules
        .iter()
        .map(|(n, s)| format!("{n} ({})", s.describe()))
        .collect();
    let wires: Vec<String> = m
        .wires
        .iter()
        .map(|w| {
            let fx: String = w
                .effects
                .iter()
                .map(|e| format!(" > {}", e.kind()))
                .collect();
            format!("{}{fx} > {}", w.from, w.to)
        })
        .collect();
    let cables: Vec<String> = m
        .cables
        .iter()
        .map(|c| format!("{} > {}.{} amount={}", c.from, c.to, c.key, c.amount))
        .collect();
    let or_none = |v: Vec<String>| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(", ")
        }
    };
    format!(
        "modules: {}; wires: {}; cables: {}; {}",
        modules.join(", "),
        or_none(wires),
        or_none(cables),
        super::sends::describe(d)
    )
}

impl Session {
    /// The rack the session's modules, wires and cables make now.
    fn rack_plan(&self) -> RackPlan {
        let m = &self.draft.model;
        let modules = listed(&self.draft);
        let mut cables = Vec::new();
        for c in &m.cables {
            if let Some(to) = m.modules.get_index_of(&c.to) {
                if c.key.contains('.') {
                    let Ok((effect, param, base)) = chain_effect(&self.draft, &c.to, &c.key) else {
                        continue;
                    };
                    cables.push(CableSpec {
                        module: c.from.clone(),
                        to: CableTo::Effect {
                            module: to,
                            effect,
                            param,
                        },
                        amount: c.amount,
                        base,
                    });
                    continue;
                }
                let Ok(param) = param_index(&self.draft, &c.to, &c.key) else {
                    continue;
                };
                cables.push(CableSpec {
                    module: c.from.clone(),
                    to: CableTo::Module { module: to, param },
                    amount: c.amount,
                    base: 0.0,
                });
                continue;
            }
            let Some(t) = m.tracks.get(&c.to) else {
                continue;
            };
            let Ok(target) = cable_target(&t.spec, &c.key) else {
                continue;
            };
            let Some(target) = param_target(target, &t.effect_ids) else {
                continue;
            };
            cables.push(CableSpec {
                module: c.from.clone(),
                to: CableTo::Track {
                    track: t.id,
                    target,
                },
                amount: c.amount,
                base: base_value(&t.spec, &c.key),
            });
        }
        let triggers = modules
            .iter()
            .map(|(_, s)| {
                s.kind
                    .follows_a_track()
                    .then(|| m.tracks.get(&s.source).map(|t| t.id))
                    .flatten()
            })
            .collect();
        let users = modules
            .iter()
            .map(|(_, s)| {
                (s.kind == ModuleKind::User)
                    .then(|| self.draft.user.get(&s.source).cloned())
                    .flatten()
                    .map(|u| u.def)
            })
            .collect();
        let versions = modules
            .iter()
            .map(|(_, s)| self.draft.user.get(&s.source).map_or(0, |u| u.version))
            .collect();
        RackPlan {
            modules,
            triggers,
            cables,
            wires: m.wires.clone(),
            users,
            versions,
            sends: m
                .sends
                .iter()
                .filter_map(|s| Some((m.tracks.get(&s.track)?.id, s.effect.clone(), s.amount)))
                .collect(),
        }
    }

    /// Send the engine a new rack when the modules, the wires, the cables
    /// or the tracks they reach have changed since the last one sent.
    pub(super) fn send_rack(&mut self) {
        let plan = self.rack_plan();
        if self.sent_rack.as_ref() == Some(&plan) {
            return;
        }
        if self.sent_rack.is_none() && plan.is_empty() {
            // The engine starts with an empty rack.
            self.sent_rack = Some(plan);
            return;
        }
        // After the tracks it names exist (a track created at the next bar).
        let tracks = plan.cables.iter().filter_map(|c| match c.to {
            CableTo::Track { track, .. } => Some(track),
            CableTo::Module { .. } | CableTo::Effect { .. } => None,
        });
        let frame = tracks
            .chain(plan.triggers.iter().flatten().copied())
            .filter_map(|t| self.pending.get(&t).map(|p| p.0))
            .fold(self.clock.immediate(), u64::max);
        // One crossfade at a time: a rack follows the last one sent by at
        // least its fade.
        let fade = u64::from(crate::engine::fade_frames(self.rate as f32));
        let frame = self.last_rack.map_or(frame, |f| frame.max(f + fade));
        let rack = Rack::new(&plan, self.rate);
        let command = crate::engine::Command::Modulation(Box::new(rack));
        if self
            .engine
            .send(crate::engine::ControlMsg::Command { frame, command })
            .is_ok()
        {
            self.sent_rack = Some(plan);
            self.last_rack = Some(frame);
        }
    }
}
