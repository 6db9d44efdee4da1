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
use super::{InstrumentSpec, Track};
use serde::{Deserialize, Serialize};

/// An LFO's waveform.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LfoShape {
    /// Sine.
    #[default]
    Sine,
    /// Triangle.
    Triangle,
    /// Rising saw.
    Saw,
    /// Square.
    Square,
    /// A new random value each cycle, held (sample and hold).
    Random,
}

impl LfoShape {
    /// Every shape's name, in order.
    pub const NAMES: [&'static str; 5] = ["sine", "triangle", "saw", "square", "random"];

    /// The shape called `name`.
    pub fn parse(name: &str) -> Option<LfoShape> {
        let all = [
            LfoShape::Sine,
            LfoShape::Triangle,
            LfoShape::Saw,
            LfoShape::Square,
            LfoShape::Random,
        ];
        Self::NAMES.iter().position(|n| *n == name).map(|i| all[i])
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

fn one() -> f64 {
    1.0
}

/// `lfo`: a low-frequency oscillator whose output runs -1..1.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LfoSpec {
    /// Cycles per second, 0.01..50.
    #[serde(default = "one")]
    pub rate: f64,
    /// Waveform.
    #[serde(default)]
    pub shape: LfoShape,
    /// Where a cycle starts, 0..1 of it.
    #[serde(default)]
    pub phase: f64,
}

impl Default for LfoSpec {
    fn default() -> Self {
        LfoSpec {
            rate: 1.0,
            shape: LfoShape::Sine,
            phase: 0.0,
        }
    }
}

impl LfoSpec {
    /// The range of `rate`, in Hz.
    pub const RATE: (f64, f64) = (0.01, 50.0);

    /// Refuse a rate or phase out of range.
    ///
    /// # Errors
    /// What is wrong, in the user's terms.
    pub fn check(&self) -> Result<(), String> {
        if !(Self::RATE.0..=Self::RATE.1).contains(&self.rate) {
            return Err(format!("rate {}: expected 0.01..50 (Hz)", self.rate));
        }
        if !(0.0..=1.0).contains(&self.phase) {
            return Err(format!("phase {}: expected 0..1 (of a cycle)", self.phase));
        }
        Ok(())
    }
}

/// A module.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ModuleSpec {
    /// A low-frequency oscillator.
    Lfo(LfoSpec),
}

impl ModuleSpec {
    /// The module types there are.
    pub const TYPES: [&'static str; 1] = ["lfo"];

    /// A module of type `kind` with its defaults.
    pub fn default_of(kind: &str) -> Option<ModuleSpec> {
        (kind == "lfo").then(|| ModuleSpec::Lfo(LfoSpec::default()))
    }

    /// Its type's name.
    pub fn kind(&self) -> &'static str {
        match self {
            ModuleSpec::Lfo(_) => "lfo",
        }
    }
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
    let mut seen: Vec<&str> = Vec::new();
    spec.effects()
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

/// A cable from a module to a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct Cable {
    /// The module's name.
    pub from: String,
    /// The instrument's name.
    pub track: String,
    /// The parameter (`cutoff`, `reverb.mix`).
    pub key: String,
    /// What the module's full swing (±1) adds, in the parameter's units.
    pub amount: f64,
}

/// A song's modules and cables.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Modulation {
    /// Modules in file order, by name.
    pub modules: Vec<(String, ModuleSpec)>,
    /// Cables in file order.
    pub cables: Vec<Cable>,
}

/// The most modules a song or session holds.
pub const MAX_MODULES: usize = 64;
/// The most cables a song or session holds.
pub const MAX_CABLES: usize = 256;

/// A cable as written: `{ from: lfo1, to: bass.cutoff, amount: 600 }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct CableFile {
    from: String,
    to: String,
    #[serde(default = "one")]
    amount: f64,
}

/// Check a song's `modules:` and `patches:` against its instruments; `Err`
/// holds where (`patches[1]`) and what is wrong.
pub(super) fn compile(
    modules: UniqueMap<ModuleSpec>,
    cables: Vec<CableFile>,
    tracks: &[Track],
) -> Result<Modulation, (String, String)> {
    let mut out = Modulation::default();
    if modules.0.len() > MAX_MODULES {
        return Err((
            "modules".into(),
            format!("{} modules: at most {MAX_MODULES}", modules.0.len()),
        ));
    }
    for (name, m) in modules.0 {
        if tracks.iter().any(|t| t.name == name) {
            return Err((
                format!("modules.{name}"),
                format!("'{name}' is an instrument's name too: give the module another"),
            ));
        }
        match &m {
            ModuleSpec::Lfo(l) => l.check().map_err(|e| (format!("modules.{name}"), e))?,
        }
        out.modules.push((name, m));
    }
    if cables.len() > MAX_CABLES {
        return Err((
            "patches".into(),
            format!("{} cables: at most {MAX_CABLES}", cables.len()),
        ));
    }
    for (i, c) in cables.into_iter().enumerate() {
        let at = format!("patches[{i}]");
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
        let Some((track, key)) = c.to.split_once('.') else {
            return Err((
                at,
                format!(
                    "to: '{}': expected INSTRUMENT.PARAMETER, as in bass.cutoff",
                    c.to
                ),
            ));
        };
        let Some(t) = tracks.iter().find(|t| t.name == track) else {
            let names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
            return Err((
                at,
                format!(
                    "to: no instrument called '{track}'{}",
                    super::suggest::did_you_mean(track, &names)
                ),
            ));
        };
        cable_target(&t.spec, key).map_err(|e| (at.clone(), format!("to: {e}")))?;
        if !c.amount.is_finite() {
            return Err((at, format!("amount {}: expected a number", c.amount)));
        }
        out.cables.push(Cable {
            from: c.from,
            track: track.to_string(),
            key: key.to_string(),
            amount: c.amount,
        });
    }
    Ok(out)
}
