//! Modules: the free parts of the patch, beside the instruments.
//!
//! Sound makers and shapers (`osc`, `filter`, `noise`, `delay`, and user
//! modules) are wired into chains that end at `out`; modulators (`lfo`,
//! `env`, `step`, `sh`, and `noise` again) are patched onto any numeric
//! parameter of an instrument, an effect or another module.
//!
//! ```yaml
//! modules:
//!   vco1: { type: osc, wave: saw, freq: 110 }
//!   filt1: { type: filter, mode: lowpass, cutoff: 800 }
//!   wob: { type: lfo, rate: 2, shape: sine }
//! patches:
//!   - vco1 > filt1 > reverb > out
//!   - { from: wob, to: filt1.cutoff, amount: 600 }
//! ```
//!
//! Every type's settings are one table ([`KindInfo`]): numbers with their
//! ranges, and at most one choice (`wave`, `mode`, `shape`, `color`), so
//! that commands, song files and `help` read the same registry.

use serde::de::{Deserializer, Error as _};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

/// A module's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ModuleKind {
    /// Low-frequency oscillator (a modulator).
    Lfo,
    /// Band-limited audio oscillator.
    Osc,
    /// State-variable filter of its input.
    Filter,
    /// White, pink or brown noise (sound, or a random modulator).
    Noise,
    /// One block (64 frames) of delay: what lets a chain feed back.
    Delay,
    /// A step sequencer of values.
    Step,
    /// Sample and hold of its input (or of its own noise).
    Sh,
    /// An ADSR envelope triggered by a track's notes.
    Env,
    /// An arpeggiator of the chord a track plays.
    Arp,
    /// A module written in a file under `modules/`.
    User,
}

/// A numeric setting: name, default, range, unit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Number {
    /// Its key.
    pub name: &'static str,
    /// Its value until set.
    pub default: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// What it is, for help.
    pub doc: &'static str,
}

const fn n(name: &'static str, default: f64, min: f64, max: f64, doc: &'static str) -> Number {
    Number {
        name,
        default,
        min,
        max,
        doc,
    }
}

/// What a type of module is and takes.
#[derive(Clone, Copy, Debug)]
pub struct KindInfo {
    /// The type.
    pub kind: ModuleKind,
    /// Its name in commands and files.
    pub name: &'static str,
    /// One line of what it does.
    pub doc: &'static str,
    /// Its numeric settings, in order (the engine's parameter indices).
    pub numbers: &'static [Number],
    /// Its choice setting: key and the names (the first is the default).
    pub choice: Option<(&'static str, &'static [&'static str])>,
    /// It makes sound that can be wired on (`vco1 > filt1 > out`).
    pub audio_out: bool,
    /// It takes what is wired into it.
    pub audio_in: bool,
}

/// Every built-in type.
pub const KINDS: &[KindInfo] = &[
    KindInfo {
        kind: ModuleKind::Lfo,
        name: "lfo",
        doc: "low-frequency oscillator, -1..1",
        numbers: &[
            n("rate", 1.0, 0.01, 50.0, "cycles per second"),
            n("phase", 0.0, 0.0, 1.0, "where a cycle starts, 0..1"),
        ],
        choice: Some(("shape", &["sine", "triangle", "saw", "square", "random"])),
        audio_out: false,
        audio_in: false,
    },
    KindInfo {
        kind: ModuleKind::Osc,
        name: "osc",
        doc: "band-limited oscillator; freq can be modulated at audio rate (FM)",
        numbers: &[
            n("freq", 110.0, 0.0, 20_000.0, "Hz"),
            n("level", 0.5, 0.0, 1.0, "output level"),
        ],
        choice: Some(("wave", &["saw", "sine", "square", "triangle"])),
        audio_out: true,
        audio_in: false,
    },
    KindInfo {
        kind: ModuleKind::Filter,
        name: "filter",
        doc: "state-variable filter of what is wired into it",
        numbers: &[
            n("cutoff", 800.0, 20.0, 20_000.0, "Hz"),
            n("q", 0.3, 0.0, 1.0, "resonance, 0..1"),
        ],
        choice: Some(("mode", &["lowpass", "highpass", "bandpass"])),
        audio_out: true,
        audio_in: true,
    },
    KindInfo {
        kind: ModuleKind::Noise,
        name: "noise",
        doc: "noise: sound through out, or a random modulator",
        numbers: &[n("level", 0.5, 0.0, 1.0, "output level")],
        choice: Some(("color", &["white", "pink", "brown"])),
        audio_out: true,
        audio_in: false,
    },
    KindInfo {
        kind: ModuleKind::Delay,
        name: "delay",
        doc: "64 frames of delay: a chain may loop back through one",
        numbers: &[n("feedback", 1.0, -1.0, 1.0, "gain of what passes")],
        choice: None,
        audio_out: true,
        audio_in: true,
    },
    KindInfo {
        kind: ModuleKind::Step,
        name: "step",
        doc: "steps through its values, one per step, looping",
        numbers: &[n("rate", 4.0, 0.01, 1_000.0, "steps per second")],
        choice: None,
        audio_out: false,
        audio_in: false,
    },
    KindInfo {
        kind: ModuleKind::Sh,
        name: "sh",
        doc: "sample and hold of what is wired into it (its own noise if nothing)",
        numbers: &[n("rate", 4.0, 0.01, 1_000.0, "samples per second")],
        choice: None,
        audio_out: false,
        audio_in: true,
    },
    KindInfo {
        kind: ModuleKind::Env,
        name: "env",
        doc: "ADSR envelope, 0..1, triggered by a track's notes (track=NAME)",
        numbers: &[
            n("attack", 0.01, 0.0, 20.0, "seconds"),
            n("decay", 0.2, 0.0, 20.0, "seconds"),
            n("sustain", 0.5, 0.0, 1.0, "level, 0..1"),
            n("release", 0.3, 0.0, 20.0, "seconds"),
        ],
        choice: None,
        audio_out: false,
        audio_in: false,
    },
    KindInfo {
        kind: ModuleKind::Arp,
        name: "arp",
        doc: "plays the chord a track is given one note at a time (track=NAME)",
        numbers: &[
            n("rate", 8.0, 0.1, 50.0, "steps per second"),
            n("octaves", 1.0, 1.0, 4.0, "octaves the chord spans upward"),
            n("gate", 0.5, 0.05, 1.0, "how much of a step a note lasts"),
        ],
        choice: Some(("mode", &["up", "down", "updown", "random"])),
        audio_out: false,
        audio_in: false,
    },
];

/// The most values a `step` module holds.
pub const MAX_STEPS: usize = 64;

/// A module: its type and settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ModuleSpec {
    /// Its type.
    pub kind: ModuleKind,
    /// Its numbers, in its type's order (for a user module, its
    /// definition's parameters as set, by name).
    pub numbers: Vec<f64>,
    /// Its choice, an index into its type's names.
    pub choice: usize,
    /// A `step` module's values.
    pub values: Vec<f64>,
    /// An `env` module's trigger track, or a user module's definition.
    pub source: String,
    /// A user module's settings, by parameter name.
    pub user: Vec<(String, f64)>,
}

impl ModuleKind {
    /// Its table, or `None` for a user module.
    pub fn info(self) -> Option<&'static KindInfo> {
        KINDS.iter().find(|k| k.kind == self)
    }

    /// Its name.
    pub fn name(self) -> &'static str {
        self.info().map_or("user", |i| i.name)
    }

    /// It follows a track's notes (`track=NAME`): an envelope or an
    /// arpeggiator.
    pub fn follows_a_track(self) -> bool {
        matches!(self, ModuleKind::Env | ModuleKind::Arp)
    }
}

impl ModuleSpec {
    /// The built-in type names.
    pub const TYPES: [&'static str; 9] = [
        "lfo", "osc", "filter", "noise", "delay", "step", "sh", "env", "arp",
    ];

    /// A built-in module of type `kind` with its defaults.
    pub fn default_of(kind: &str) -> Option<ModuleSpec> {
        let info = KINDS.iter().find(|k| k.name == kind)?;
        Some(ModuleSpec {
            kind: info.kind,
            numbers: info.numbers.iter().map(|n| n.default).collect(),
            choice: 0,
            values: if info.kind == ModuleKind::Step {
                vec![0.0, 0.5, 1.0, 0.25]
            } else {
                Vec::new()
            },
            source: String::new(),
            user: Vec::new(),
        })
    }

    /// A user module of the definition `module`, at its defaults.
    pub fn user(module: &str) -> ModuleSpec {
        ModuleSpec {
            kind: ModuleKind::User,
            numbers: Vec::new(),
            choice: 0,
            values: Vec::new(),
            source: module.to_string(),
            user: Vec::new(),
        }
    }

    /// Its type's name.
    pub fn kind(&self) -> &'static str {
        self.kind.name()
    }

    /// The choice's name (`saw`), if the type has one.
    pub fn choice_name(&self) -> Option<&'static str> {
        let (_, names) = self.kind.info()?.choice?;
        names.get(self.choice).copied()
    }

    /// Its numeric setting `key`, if it has one.
    pub fn number(&self, key: &str) -> Option<f64> {
        if self.kind == ModuleKind::User {
            return self.user.iter().find(|(k, _)| k == key).map(|(_, v)| *v);
        }
        let i = self
            .kind
            .info()?
            .numbers
            .iter()
            .position(|n| n.name == key)?;
        self.numbers.get(i).copied()
    }

    /// Set `key` from its text (`freq=220`, `wave=square`, `values=0 1`).
    /// A user module's keys are checked by the session, which knows its
    /// definition.
    ///
    /// # Errors
    /// The key it does not have or the value it does not take, saying
    /// what it has (the caller says which module).
    pub fn set(&mut self, key: &str, text: &str) -> Result<(), String> {
        let number = |text: &str| -> Result<f64, String> {
            text.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| format!("{key}={text}: expected a number"))
        };
        if self.kind == ModuleKind::User {
            let v = number(text)?;
            match self.user.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = v,
                None => self.user.push((key.to_string(), v)),
            }
            return Ok(());
        }
        let Some(info) = self.kind.info() else {
            return Err("unknown module type".into());
        };
        if let Some(i) = info.numbers.iter().position(|n| n.name == key) {
            let def = info.numbers[i];
            let v = number(text)?;
            if !(def.min..=def.max).contains(&v) {
                return Err(format!(
                    "{key} {v}: expected {}..{} ({})",
                    def.min, def.max, def.doc
                ));
            }
            self.numbers[i] = v;
            return Ok(());
        }
        if let Some((k, names)) = info.choice {
            if k == key {
                self.choice = names
                    .iter()
                    .position(|c| *c == text)
                    .ok_or_else(|| format!("{key}={text}: expected one of {}", names.join(", ")))?;
                return Ok(());
            }
        }
        match (info.kind, key) {
            (ModuleKind::Step, "values") => {
                let values: Vec<f64> = text
                    .split([' ', ','])
                    .filter(|s| !s.is_empty())
                    .map(number)
                    .collect::<Result<_, _>>()?;
                if values.is_empty() || values.len() > MAX_STEPS {
                    return Err(format!(
                        "values: expected 1..{MAX_STEPS} numbers, as in values=0 0.5 1 0.25"
                    ));
                }
                self.values = values;
                Ok(())
            }
            (ModuleKind::Env | ModuleKind::Arp, "track") => {
                self.source = text.to_string();
                Ok(())
            }
            _ => Err(format!(
                "{} has no setting '{key}': it has {}",
                info.name,
                keys(info).join(", ")
            )),
        }
    }

    /// Every setting as text, in order (`type` first): what a file holds.
    pub fn settings(&self) -> Vec<(String, String)> {
        let mut out = vec![("type".to_string(), self.kind().to_string())];
        if self.kind == ModuleKind::User {
            out.push(("module".into(), self.source.clone()));
            out.extend(self.user.iter().map(|(k, v)| (k.clone(), v.to_string())));
            return out;
        }
        let Some(info) = self.kind.info() else {
            return out;
        };
        if let (Some((k, _)), Some(c)) = (info.choice, self.choice_name()) {
            out.push((k.to_string(), c.to_string()));
        }
        for (def, v) in info.numbers.iter().zip(&self.numbers) {
            out.push((def.name.to_string(), v.to_string()));
        }
        if self.kind == ModuleKind::Step {
            let v: Vec<String> = self.values.iter().map(f64::to_string).collect();
            out.push(("values".into(), v.join(" ")));
        }
        if self.kind.follows_a_track() && !self.source.is_empty() {
            out.push(("track".into(), self.source.clone()));
        }
        out
    }

    /// One line for `list patches`: `vco1 (osc saw freq=110 level=0.5)`.
    pub fn describe(&self) -> String {
        let s: Vec<String> = self
            .settings()
            .into_iter()
            .skip(1)
            .map(|(k, v)| {
                if self
                    .kind
                    .info()
                    .and_then(|i| i.choice)
                    .is_some_and(|c| c.0 == k)
                {
                    v
                } else {
                    format!("{k}={v}")
                }
            })
            .collect();
        format!("{} {}", self.kind(), s.join(" "))
    }
}

/// The keys a type takes.
pub fn keys(info: &KindInfo) -> Vec<&'static str> {
    let mut k: Vec<&str> = info.choice.iter().map(|c| c.0).collect();
    k.extend(info.numbers.iter().map(|n| n.name));
    match info.kind {
        ModuleKind::Step => k.push("values"),
        ModuleKind::Env | ModuleKind::Arp => k.push("track"),
        _ => {}
    }
    k
}

/// The text of one YAML value as a command would write it.
fn text_of(v: &serde_yaml_ng::Value) -> Option<String> {
    use serde_yaml_ng::Value;
    Some(match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Sequence(items) => items
            .iter()
            .map(text_of)
            .collect::<Option<Vec<_>>>()?
            .join(" "),
        _ => return None,
    })
}

impl ModuleSpec {
    /// A module as a song file writes it
    /// (`{ type: osc, wave: saw, freq: 110 }`).
    ///
    /// # Errors
    /// What is wrong, in the user's terms.
    pub fn from_yaml(value: &serde_yaml_ng::Value) -> Result<ModuleSpec, String> {
        let Some(map) = value.as_mapping() else {
            return Err("expected a mapping such as { type: lfo, rate: 2 }".into());
        };
        let get = |k: &str| map.get(k).and_then(serde_yaml_ng::Value::as_str);
        let Some(kind) = get("type") else {
            return Err(format!(
                "a module needs a type: one of {}, or user",
                ModuleSpec::TYPES.join(", ")
            ));
        };
        let mut spec = if kind == "user" {
            let module = get("module").ok_or(
                "a user module names its file: module: NAME (modules/NAME.cm)".to_string(),
            )?;
            ModuleSpec::user(module)
        } else {
            ModuleSpec::default_of(kind).ok_or_else(|| {
                format!(
                    "unknown module type '{kind}': expected one of {}, or user",
                    ModuleSpec::TYPES.join(", ")
                )
            })?
        };
        for (k, v) in map {
            let Some(k) = k.as_str() else {
                return Err("setting names are words, such as rate".into());
            };
            if k == "type" || (kind == "user" && k == "module") {
                continue;
            }
            let text = text_of(v).ok_or_else(|| format!("{k}: expected a number or a name"))?;
            spec.set(k, &text)?;
        }
        Ok(spec)
    }
}

impl<'de> Deserialize<'de> for ModuleSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = serde_yaml_ng::Value::deserialize(d)?;
        ModuleSpec::from_yaml(&value).map_err(D::Error::custom)
    }
}

impl Serialize for ModuleSpec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let settings = self.settings();
        let mut map = s.serialize_map(Some(settings.len()))?;
        for (k, v) in &settings {
            if let Ok(x) = v.parse::<f64>() {
                map.serialize_entry(k, &x)?;
            } else {
                map.serialize_entry(k, v)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_through_yaml() {
        let mut s = ModuleSpec::default_of("osc").unwrap();
        s.set("wave", "square").unwrap();
        s.set("freq", "220").unwrap();
        let text = serde_yaml_ng::to_string(&s).unwrap();
        let back: ModuleSpec = serde_yaml_ng::from_str(&text).unwrap();
        assert_eq!(back, s, "{text}");
        let mut st = ModuleSpec::default_of("step").unwrap();
        st.set("values", "0 1 0.5").unwrap();
        let back: ModuleSpec =
            serde_yaml_ng::from_str(&serde_yaml_ng::to_string(&st).unwrap()).unwrap();
        assert_eq!(back.values, vec![0.0, 1.0, 0.5]);
    }

    #[test]
    fn bad_settings_say_what_is_expected() {
        let mut s = ModuleSpec::default_of("filter").unwrap();
        let e = s.set("cutoff", "30000").unwrap_err();
        assert!(e.contains("20..20000"), "{e}");
        let e = s.set("mode", "lowpas").unwrap_err();
        assert!(e.contains("lowpass, highpass, bandpass"), "{e}");
        let e = s.set("freq", "1").unwrap_err();
        assert!(e.contains("mode, cutoff, q"), "{e}");
        let e = serde_yaml_ng::from_str::<ModuleSpec>("{ type: vco }").unwrap_err();
        assert!(e.to_string().contains("unknown module type 'vco'"), "{e}");
        assert_eq!(s, ModuleSpec::default_of("filter").unwrap(), "unchanged");
    }
}
