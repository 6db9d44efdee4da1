//! Modulation: modules that make control signals (`lfo` so far) and the
//! cables that patch them onto instrument and effect parameters.
//!
//! ```yaml
//! modules:
//!   wobble: { type: lfo, rate: 2, shape: sine }
//! patches:
//!   - { from: wobble, to: bass.cutoff, amount: 600 }
//!   - { from: wobble, to: bass.reverb.mix, amount: 0.2 }
//! ```
//!
//! A cable adds `amount` times the module's output (-1..1) to the
//! parameter's own value, on the engine's 64-frame control grid and glided
//! between grid points, so the parameter moves smoothly.

use super::unique_map::UniqueMap;
use super::{EffectSpec, InstrumentSpec, Track};
use serde::Deserialize;

pub use super::modules::{ModuleKind, ModuleSpec};

fn one() -> f64 {
    1.0
}

/// What a cable moves on its track.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CableTarget {
    /// The instrument's numeric parameter at this index of its `PARAMS`.
    Instrument(u16),
    /// The numeric parameter `param` of the effect at `effect` in the chain.
    Effect {
        /// Its place in the chain.
        effect: usize,
        /// Index in its `PARAMS`.
        param: u16,
    },
    /// The track's level (dB).
    Gain,
    /// The track's position (-1..1).
    Pan,
}

/// The names the chain's effects answer to: `reverb`, then `reverb2`, ...
pub fn effect_names(spec: &InstrumentSpec) -> Vec<String> {
    effect_names_of(spec.effects())
}

/// The names `effects` answer to: `reverb`, then `reverb2`, ...
pub fn effect_names_of(effects: &[EffectSpec]) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    effects
        .iter()
        .map(|fx| {
            let k = fx.kind();
            let n = seen.iter().filter(|s| **s == k).count();
            seen.push(k);
            if n == 0 {
                k.to_string()
            } else {
                format!("{k}{}", n + 1)
            }
        })
        .collect()
}

/// The parameter `key` (`cutoff`, `reverb.mix`, `gain`) of an instrument
/// `spec`, as a cable target.
///
/// # Errors
/// A key the instrument (or that effect) has no number for, saying what it has.
pub fn cable_target(spec: &InstrumentSpec, key: &str) -> Result<CableTarget, String> {
    match key {
        "gain" => return Ok(CableTarget::Gain),
        "pan" => return Ok(CableTarget::Pan),
        _ => {}
    }
    if let Some((fx, param)) = key.split_once('.') {
        let names = effect_names(spec);
        let Some(i) = names.iter().position(|n| n == fx) else {
            return Err(if names.is_empty() {
                format!("'{fx}': the instrument has no effects")
            } else {
                format!("'{fx}': the instrument has {}", names.join(", "))
            });
        };
        let table = spec.effects()[i].params();
        let param = if param == "amount" { "mix" } else { param };
        return match table.iter().position(|p| p.0 == param) {
            Some(p) => Ok(CableTarget::Effect {
                effect: i,
                param: p as u16,
            }),
            None => Err(format!(
                "{fx} has no number '{param}': it has {}",
                table.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
            )),
        };
    }
    let table = spec.params();
    match table.iter().position(|p| p.0 == key) {
        Some(p) => Ok(CableTarget::Instrument(p as u16)),
        None => Err(format!(
            "{} has no number '{key}': it has {}, gain, pan",
            spec.kind(),
            table.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
        )),
    }
}

/// The value an instrument `spec` gives the parameter `key` (as
/// [`cable_target`] reads it): a cable's base. Off the audio thread.
pub fn base_value(spec: &InstrumentSpec, key: &str) -> f64 {
    match key {
        "gain" => return spec.gain_db(),
        "pan" => return spec.pan(),
        _ => {}
    }
    let number = |v: serde_yaml_ng::Value, k: &str| v.get(k).and_then(serde_yaml_ng::Value::as_f64);
    let (value, k, table) = match key.split_once('.') {
        Some((fx, param)) => {
            let names = effect_names(spec);
            let Some(i) = names.iter().position(|n| n == fx) else {
                return 0.0;
            };
            let param = if param == "amount" { "mix" } else { param };
            let fx = &spec.effects()[i];
            (
                serde_yaml_ng::to_value(fx).unwrap_or_default(),
                param,
                fx.params(),
            )
        }
        None => (
            serde_yaml_ng::to_value(spec).unwrap_or_default(),
            key,
            spec.params(),
        ),
    };
    number(value, k)
        .or_else(|| table.iter().find(|p| p.0 == k).map(|p| p.1))
        .unwrap_or(0.0)
}

/// The parameter `key` (`reverb.mix`) of one of `effects` (a module's
/// chain to out): the effect's place, the parameter's index, its value.
///
/// # Errors
/// An effect or parameter the chain does not have, saying what it has.
pub fn chain_effect_param(effects: &[EffectSpec], key: &str) -> Result<(usize, u16, f64), String> {
    let (fx, param) = key.split_once('.').unwrap_or((key, ""));
    let names = effect_names_of(effects);
    let Some(i) = names.iter().position(|n| n == fx) else {
        return Err(if names.is_empty() {
            format!("'{fx}': its chain to out has no effects")
        } else {
            format!("'{fx}': its chain to out has {}", names.join(", "))
        });
    };
    let table = effects[i].params();
    let param = if param == "amount" { "mix" } else { param };
    let Some(p) = table.iter().position(|p| p.0 == param) else {
        return Err(format!(
            "{fx} has no number '{param}': it has {}",
            table.iter().map(|p| p.0).collect::<Vec<_>>().join(", ")
        ));
    };
    let value = serde_yaml_ng::to_value(&effects[i])
        .ok()
        .and_then(|v| v.get(param).and_then(serde_yaml_ng::Value::as_f64))
        .unwrap_or(table[p].1);
    Ok((i, p as u16, value))
}

/// A cable from a module to a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Cable {
    /// The module's name.
    pub from: String,
    /// The instrument or module it reaches.
    pub to: String,
    /// The parameter (`cutoff`, `reverb.mix`).
    pub key: String,
    /// What the module's full swing (±1) adds, in the parameter's units.
    pub amount: f64,
}

/// Where a wire's sound goes.
pub const OUT: &str = "out";

/// A wire of sound from one module into another, or to `out` through
/// effects: one hop of `vco1 > filt1 > reverb > out`.
#[derive(Clone, Debug, PartialEq)]
pub struct Wire {
    /// The module it comes from.
    pub from: String,
    /// The module it feeds, or [`OUT`].
    pub to: String,
    /// The effects between a module and `out`, in order.
    pub effects: Vec<EffectSpec>,
}

/// A track's send to the shared return bus of one effect type.
#[derive(Clone, Debug, PartialEq)]
pub struct Send {
    /// The instrument.
    pub track: String,
    /// The return's effect type (`reverb`).
    pub effect: String,
    /// How much of the track goes to it, 0..1.
    pub amount: f64,
}

/// The return bus an effect type's sends feed: the effect, fully wet.
pub fn return_effect(kind: &str) -> Option<EffectSpec> {
    let spec = EffectSpec::default_of(kind)?;
    let mut value = serde_yaml_ng::to_value(&spec).ok()?;
    if spec.params().iter().any(|p| p.0 == "mix") {
        if let Some(m) = value.as_mapping_mut() {
            m.insert("mix".into(), 1.0.into());
        }
    }
    serde_yaml_ng::from_value(value).ok()
}

/// A song's modules, cables and wires.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Modulation {
    /// Modules in file order, by name.
    pub modules: Vec<(String, ModuleSpec)>,
    /// Cables in file order.
    pub cables: Vec<Cable>,
    /// Wires in file order.
    pub wires: Vec<Wire>,
    /// Sends to return buses.
    pub sends: Vec<Send>,
    /// The files of the user modules' definitions, read with the song.
    pub sources: Vec<ModuleSource>,
}

/// A user module's definition file as the song found it
/// (`modules/NAME.cm` beside the song), to be parsed by the engine's side.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleSource {
    /// The definition's name.
    pub name: String,
    /// Its file, as messages show it.
    pub file: String,
    /// Its file's path.
    pub path: std::path::PathBuf,
    /// Its text.
    pub text: String,
}

/// The most modules a song or session holds.
pub const MAX_MODULES: usize = 64;
/// The most cables a song or session holds.
pub const MAX_CABLES: usize = 256;
/// The most wires a song or session holds.
pub const MAX_WIRES: usize = 256;
/// The most effects between a module and `out`.
pub const MAX_OUT_EFFECTS: usize = 8;

/// The wires of a chain `a > b > reverb > out` (names as written): each
/// module into the next; effects only between the last module and `out`.
///
/// # Errors
/// A name that is neither a module nor an effect, a module that takes no
/// sound or makes none where the chain needs it, an effect not followed by
/// `out`.
pub fn chain_wires(names: &[&str], modules: &[(String, ModuleSpec)]) -> Result<Vec<Wire>, String> {
    let module = |n: &str| modules.iter().find(|(m, _)| m == n).map(|(_, s)| s);
    let mut wires: Vec<Wire> = Vec::new();
    let mut last: Option<&str> = None;
    let mut effects: Vec<EffectSpec> = Vec::new();
    if names.len() < 2 {
        return Err("a chain needs two names or more, as in vco1 > filt1 > out".into());
    }
    for (i, &name) in names.iter().enumerate() {
        if name == OUT {
            if i + 1 != names.len() {
                return Err("out ends a chain: nothing comes after it".into());
            }
            let Some(from) = last else {
                return Err("out needs a module before it, as in vco1 > out".into());
            };
            if effects.len() > MAX_OUT_EFFECTS {
                return Err(format!("at most {MAX_OUT_EFFECTS} effects before out"));
            }
            wires.push(Wire {
                from: from.to_string(),
                to: OUT.into(),
                effects: std::mem::take(&mut effects),
            });
            return Ok(wires);
        }
        if let Some(spec) = module(name) {
            if !effects.is_empty() {
                return Err(format!(
                    "'{name}' comes after an effect: effects go between the last module and out"
                ));
            }
            let takes = spec.kind.info().is_none_or(|k| k.audio_in);
            let makes = spec.kind.info().is_none_or(|k| k.audio_out);
            if let Some(from) = last {
                if !takes {
                    return Err(format!(
                        "{name} ({}) takes no sound in: patch it to a parameter, as in {name} > {from}.PARAM",
                        spec.kind()
                    ));
                }
                wires.push(Wire {
                    from: from.to_string(),
                    to: name.to_string(),
                    effects: Vec::new(),
                });
            }
            if !makes && i + 1 < names.len() {
                return Err(format!(
                    "{name} ({}) makes a control signal, not sound: patch it to a parameter, as in {name} > NAME.cutoff",
                    spec.kind()
                ));
            }
            last = Some(name);
            continue;
        }
        if let Some(fx) = EffectSpec::default_of(name) {
            if last.is_none() {
                return Err(format!("{name}: an effect needs a module before it"));
            }
            effects.push(fx);
            continue;
        }
        let mut known: Vec<&str> = modules.iter().map(|(n, _)| n.as_str()).collect();
        known.extend(EffectSpec::KINDS);
        known.push(OUT);
        return Err(format!(
            "no module or effect called '{name}'{}",
            super::suggest::did_you_mean(name, &known)
        ));
    }
    if !effects.is_empty() {
        return Err("an effect's sound goes to out: end the chain with > out".into());
    }
    Ok(wires)
}

/// The order the modules run in (indices into `modules`): each after what
/// wires or cables feed it, except that a `delay` module passes the last
/// block on, so a loop through one is allowed.
///
/// # Errors
/// The loop, named in order (`vco1 > filt1 > vco1`).
pub fn run_order(
    modules: &[(String, ModuleSpec)],
    wires: &[Wire],
    cables: &[Cable],
) -> Result<Vec<usize>, String> {
    let index = |n: &str| modules.iter().position(|(m, _)| m == n);
    let m = modules.len();
    let mut feeds: Vec<Vec<usize>> = vec![Vec::new(); m];
    let edges = wires
        .iter()
        .map(|w| (&w.from, &w.to))
        .chain(cables.iter().map(|c| (&c.from, &c.to)));
    for (from, to) in edges {
        if let (Some(a), Some(b)) = (index(from), index(to)) {
            if modules[b].1.kind != ModuleKind::Delay && !feeds[b].contains(&a) {
                feeds[b].push(a);
            }
        }
    }
    // Depth-first, with the path kept to name a loop.
    let mut state = vec![0u8; m];
    let mut order = Vec::with_capacity(m);
    fn visit(
        v: usize,
        feeds: &[Vec<usize>],
        state: &mut [u8],
        path: &mut Vec<usize>,
        order: &mut Vec<usize>,
    ) -> Result<(), Vec<usize>> {
        match state[v] {
            2 => return Ok(()),
            1 => {
                let at = path.iter().position(|&p| p == v).unwrap_or(0);
                let mut cycle = path[at..].to_vec();
                cycle.push(v);
                return Err(cycle);
            }
            _ => {}
        }
        state[v] = 1;
        path.push(v);
        for &u in &feeds[v] {
            visit(u, feeds, state, path, order)?;
        }
        path.pop();
        state[v] = 2;
        order.push(v);
        Ok(())
    }
    for v in 0..m {
        let mut path = Vec::new();
        if let Err(cycle) = visit(v, &feeds, &mut state, &mut path, &mut order) {
            // The path runs against the sound's flow: name it along it.
            let names: Vec<&str> = cycle.iter().rev().map(|&i| modules[i].0.as_str()).collect();
            return Err(format!(
                "{} is a loop: put a delay module in it (create d1 delay, then patch through d1)",
                names.join(" > ")
            ));
        }
    }
    Ok(order)
}

/// A patch entry as written: a chain `"vco1 > filt1 > out"`, or a map
/// `{ from: lfo1, to: bass.cutoff, amount: 600 }` (a cable) or
/// `{ from: filt1, to: out, effects: [...] }` (a wire). Read in
/// [`compile`], so that its errors name the entry.
#[derive(Debug, Deserialize)]
#[serde(transparent)]
pub(super) struct PatchFile(serde_yaml_ng::Value);

/// A cable or wire as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CableFile {
    from: String,
    to: String,
    #[serde(default = "one")]
    amount: f64,
    #[serde(default)]
    effects: Vec<EffectSpec>,
}

/// The parameter `key` of a module `spec`: its index (built-in types;
/// a user module's keys are checked against its definition later).
///
/// # Errors
/// A key the module has no number for, saying what it has.
pub fn module_param(name: &str, spec: &ModuleSpec, key: &str) -> Result<Option<u16>, String> {
    let Some(info) = spec.kind.info() else {
        return Ok(None);
    };
    match info.numbers.iter().position(|n| n.name == key) {
        Some(i) => Ok(Some(i as u16)),
        None => Err(format!(
            "{name} ({}) has no number '{key}': it has {}",
            info.name,
            info.numbers
                .iter()
                .map(|n| n.name)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Check a song's `modules:` and `patches:` against its instruments; `Err`
/// holds where (`patches[1]`) and what is wrong.
pub(super) fn compile(
    modules: UniqueMap<serde_yaml_ng::Value>,
    patches: Vec<PatchFile>,
    sends: UniqueMap<UniqueMap<f64>>,
    tracks: &[Track],
    base: &std::path::Path,
    known: &[ModuleSource],
) -> Result<Modulation, (String, String)> {
    let mut out = Modulation::default();
    for (track, to) in sends.0 {
        if !tracks.iter().any(|t| t.name == track) {
            let names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
            return Err((
                format!("sends.{track}"),
                format!(
                    "no instrument called '{track}'{}",
                    super::suggest::did_you_mean(&track, &names)
                ),
            ));
        }
        for (effect, amount) in to.0 {
            let at = format!("sends.{track}.{effect}");
            if EffectSpec::default_of(&effect).is_none() {
                return Err((
                    at,
                    format!(
                        "no effect called '{effect}'{}",
                        super::suggest::did_you_mean(&effect, &EffectSpec::KINDS)
                    ),
                ));
            }
            if !(0.0..=1.0).contains(&amount) {
                return Err((at, format!("amount {amount}: expected 0..1")));
            }
            out.sends.push(Send {
                track: track.clone(),
                effect,
                amount,
            });
        }
    }
    if modules.0.len() > MAX_MODULES {
        return Err((
            "modules".into(),
            format!("{} modules: at most {MAX_MODULES}", modules.0.len()),
        ));
    }
    for (name, m) in modules.0 {
        let m = ModuleSpec::from_yaml(&m).map_err(|e| (format!("modules.{name}"), e))?;
        if tracks.iter().any(|t| t.name == name) || name == OUT {
            return Err((
                format!("modules.{name}"),
                format!("'{name}' is an instrument's name too: give the module another"),
            ));
        }
        if m.kind.follows_a_track()
            && !m.source.is_empty()
            && !tracks.iter().any(|t| t.name == m.source)
        {
            return Err((
                format!("modules.{name}"),
                format!("track: no instrument called '{}'", m.source),
            ));
        }
        let given = known.iter().find(|k| k.name == m.source);
        if let (ModuleKind::User, Some(k)) = (m.kind, given) {
            if !out.sources.iter().any(|s| s.name == m.source) {
                out.sources.push(k.clone());
            }
        } else if m.kind == ModuleKind::User && !out.sources.iter().any(|s| s.name == m.source) {
            // Beside the song, or beside its folder (a patch in patches/).
            let name_cm = format!("{}.cm", m.source);
            let here = base.join("modules").join(&name_cm);
            let up = base.join("..").join("modules").join(&name_cm);
            let file = if !here.exists() && up.exists() {
                up
            } else {
                here
            };
            let shown = format!("modules/{name_cm}");
            let text = std::fs::read_to_string(&file).map_err(|e| {
                (
                    format!("modules.{name}"),
                    if e.kind() == std::io::ErrorKind::NotFound {
                        format!("{shown} does not exist beside the song (nor beside its folder)")
                    } else {
                        format!("{shown}: cannot read it: {e}")
                    },
                )
            })?;
            out.sources.push(ModuleSource {
                name: m.source.clone(),
                file: shown,
                text,
                path: file,
            });
        }
        out.modules.push((name, m));
    }
    let mut cables = 0;
    for (i, entry) in patches.into_iter().enumerate() {
        let at = format!("patches[{i}]");
        if let Some(text) = entry.0.as_str() {
            let names: Vec<&str> = text.split('>').map(str::trim).collect();
            let wires = chain_wires(&names, &out.modules).map_err(|e| (at.clone(), e))?;
            out.wires.extend(wires);
            continue;
        }
        let c: CableFile = serde_yaml_ng::from_value(entry.0).map_err(|e| {
            (
                at.clone(),
                format!("{e}: expected a chain (vco1 > filt1 > out) or {{ from: MODULE, to: NAME.PARAM, amount: N }}"),
            )
        })?;
        if !out.modules.iter().any(|(n, _)| *n == c.from) {
            let names: Vec<&str> = out.modules.iter().map(|(n, _)| n.as_str()).collect();
            return Err((
                at,
                format!(
                    "from: no module called '{}'{}",
                    c.from,
                    super::suggest::did_you_mean(&c.from, &names)
                ),
            ));
        }
        if !c.to.contains('.') {
            let mut names = vec![c.from.as_str()];
            let kinds: Vec<&str> = c.effects.iter().map(EffectSpec::kind).collect();
            if !kinds.is_empty() && c.to != OUT {
                return Err((at, "effects: only a wire to out has effects".into()));
            }
            names.push(c.to.as_str());
            let mut wires = chain_wires(&names, &out.modules).map_err(|e| (at.clone(), e))?;
            if let Some(w) = wires.last_mut() {
                w.effects = c.effects;
            }
            out.wires.extend(wires);
            continue;
        }
        cables += 1;
        if cables > MAX_CABLES {
            return Err((at, format!("more than {MAX_CABLES} cables")));
        }
        let Some((target, key)) = c.to.split_once('.') else {
            return Err((at, format!("to: '{}': expected NAME.PARAMETER", c.to)));
        };
        if let Some((_, m)) = out.modules.iter().find(|(n, _)| n == target) {
            if key.contains('.') {
                let Some(w) = out.wires.iter().find(|w| w.from == target && w.to == OUT) else {
                    return Err((
                        at,
                        format!(
                            "to: {target} has no chain to out with effects (earlier in patches)"
                        ),
                    ));
                };
                chain_effect_param(&w.effects, key)
                    .map_err(|e| (at.clone(), format!("to: {target}: {e}")))?;
            } else {
                module_param(target, m, key).map_err(|e| (at.clone(), format!("to: {e}")))?;
            }
        } else {
            let Some(t) = tracks.iter().find(|t| t.name == target) else {
                let mut names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
                names.extend(out.modules.iter().map(|(n, _)| n.as_str()));
                return Err((
                    at,
                    format!(
                        "to: no instrument or module called '{target}'{}",
                        super::suggest::did_you_mean(target, &names)
                    ),
                ));
            };
            cable_target(&t.spec, key).map_err(|e| (at.clone(), format!("to: {e}")))?;
        }
        if !c.amount.is_finite() {
            return Err((at, format!("amount {}: expected a number", c.amount)));
        }
        out.cables.push(Cable {
            from: c.from,
            to: target.to_string(),
            key: key.to_string(),
            amount: c.amount,
        });
    }
    if out.wires.len() > MAX_WIRES {
        return Err(("patches".into(), format!("more than {MAX_WIRES} wires")));
    }
    run_order(&out.modules, &out.wires, &out.cables).map_err(|e| ("patches".into(), e))?;
    Ok(out)
}
