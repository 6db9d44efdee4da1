//! The live session's model: the song being played, as the control thread
//! keeps it. Every command is validated against it; `status`, `save patch`
//! and the reply texts are views of it.

use chronus_sequencer::song::{EffectSpec, InstrumentSpec};
use chronus_sequencer::{EffectId, TrackId};
use indexmap::IndexMap;
use serde_yaml_ng::{Mapping, Value};

/// Which command last set a track's pattern (kept for `status` and patches).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatternKind {
    /// `sequence`: a step string.
    Steps,
    /// `melody`: notes sharing the bar.
    Melody,
    /// `pattern` (or a song's lane): mini-notation.
    Mini,
}

/// One instrument of the session: a mixer track.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveTrack {
    /// Its engine id.
    pub id: TrackId,
    /// Type and parameters (the effects among them).
    pub spec: InstrumentSpec,
    /// The id of each effect in `spec.effects()`, in the same order.
    pub effect_ids: Vec<EffectId>,
    /// The pattern text it loops, if any.
    pub pattern: Option<(PatternKind, String)>,
    /// Parameters following patterns (`pattern bass.cutoff: <200 800>`),
    /// driven by its pattern's notes.
    pub params: Vec<chronus_sequencer::pattern::ParamLane>,
    /// Playing its pattern.
    pub playing: bool,
    /// Muted.
    pub muted: bool,
    /// Soloed.
    pub soloed: bool,
}

/// A scene: each named track's pattern text (a song's pattern block).
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// Its name.
    pub name: String,
    /// `(track, pattern)` in file order.
    pub lanes: Vec<(String, String)>,
}

/// The whole session.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    /// Title (from a song or patch).
    pub title: Option<String>,
    /// Beats per minute.
    pub tempo: f64,
    /// Beats per bar.
    pub meter: u32,
    /// Swing 0..0.5.
    pub swing: f64,
    /// Seed of the patterns' random choices.
    pub seed: u64,
    /// Master level in dB.
    pub master_db: f64,
    /// The instruments, in creation order.
    pub tracks: IndexMap<String, LiveTrack>,
    /// Scenes from the loaded song.
    pub scenes: Vec<Scene>,
    /// The loaded song's arrangement: scene indices, one per bar.
    pub arrangement: Vec<usize>,
    /// Instruments played from MIDI, controller maps.
    pub midi: chronus_sequencer::song::MidiSetup,
    /// Following the arrangement (`arrange`) rather than a scene or patterns.
    pub arranged: bool,
    /// Modules (`create wob lfo`), by name.
    pub modules: IndexMap<String, chronus_sequencer::song::modulation::ModuleSpec>,
    /// Cables from modules to parameters (`patch wob > bass.cutoff`).
    pub cables: Vec<chronus_sequencer::song::modulation::Cable>,
    /// Wires of sound between modules and to out (`patch vco1 > filt1 > out`).
    pub wires: Vec<chronus_sequencer::song::modulation::Wire>,
    /// Sends to return buses (`send bass reverb 0.3`).
    pub sends: Vec<chronus_sequencer::song::modulation::Send>,
}

impl Model {
    /// An empty session at 120 BPM in 4/4.
    pub fn new() -> Self {
        Model {
            title: None,
            tempo: 120.0,
            meter: 4,
            swing: 0.0,
            seed: 0,
            master_db: 0.0,
            tracks: IndexMap::new(),
            scenes: Vec::new(),
            arrangement: Vec::new(),
            midi: chronus_sequencer::song::MidiSetup::default(),
            arranged: false,
            modules: IndexMap::new(),
            cables: Vec::new(),
            wires: Vec::new(),
            sends: Vec::new(),
        }
    }

    /// True when the track can be heard (not muted, and soloed if any is).
    pub fn audible(&self, name: &str) -> bool {
        let any_solo = self.tracks.values().any(|t| t.soloed);
        self.tracks
            .get(name)
            .is_some_and(|t| !t.muted && (!any_solo || t.soloed))
    }
}

impl Default for Model {
    fn default() -> Self {
        Model::new()
    }
}

/// The name of each effect of a chain as `set` and `remove` address it:
/// `reverb`, and `reverb2` for a second reverb.
pub fn effect_names(effects: &[EffectSpec]) -> Vec<String> {
    let mut seen: Vec<&str> = Vec::new();
    effects
        .iter()
        .map(|fx| {
            let k = fx.kind();
            let n = seen.iter().filter(|s| **s == k).count() + 1;
            seen.push(k);
            if n == 1 {
                k.to_string()
            } else {
                format!("{k}{n}")
            }
        })
        .collect()
}

/// `n word` or `n words` (`addresses` for `address`).
pub fn count(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else if word.ends_with('s') {
        format!("{n} {word}es")
    } else {
        format!("{n} {word}s")
    }
}

/// `name` as a command line takes it: quoted unless it is a plain word.
pub fn shown(name: &str) -> String {
    let plain = name.chars().next().is_some_and(|c| c.is_alphabetic())
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

/// A `key=value` from the command line as a YAML value: a number when it
/// reads as one, else text (so `cutoff=500` is 500, `osc=saw` is "saw").
pub fn yaml_value(text: &str) -> Value {
    match text.parse::<f64>() {
        Ok(n) if n.is_finite() => Value::Number(n.into()),
        _ => match text {
            "true" | "yes" | "on" => Value::Bool(true),
            "false" | "no" | "off" => Value::Bool(false),
            _ => Value::String(text.to_string()),
        },
    }
}

/// `spec` with the settings `changes` applied, checked as a song file would
/// check them: unknown keys and bad choices are errors, and numbers must lie
/// in their range (live edits are refused rather than clamped).
///
/// # Errors
/// A message naming the key, what was given and what was expected.
pub fn with_settings<T>(spec: &T, changes: &[(String, String)], what: &str) -> Result<T, String>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Params,
{
    let mut map = match serde_yaml_ng::to_value(spec) {
        Ok(Value::Mapping(m)) => m,
        _ => Mapping::new(),
    };
    for (key, value) in changes {
        check_setting(spec, key, value, what)?;
        map.insert(Value::String(key.clone()), yaml_value(value));
    }
    serde_yaml_ng::from_value(Value::Mapping(map)).map_err(|e| {
        let msg = e.to_string();
        format!("{what}: {}", msg.split(" at line").next().unwrap_or(&msg))
    })
}

/// What a spec knows about its settings.
pub trait Params {
    /// Numeric settings: `(name, default, min, max)`.
    fn numbers(&self) -> &'static [(&'static str, f64, f64, f64)];
    /// Choice settings: `(name, choices, default)`.
    fn choice_list(&self) -> &'static [(&'static str, &'static [&'static str], &'static str)];
    /// Whether it takes a `scale` setting (instruments do, effects not).
    fn has_scale(&self) -> bool {
        false
    }
    /// Settings that are a file or a yes/no (a sampler's `file`, `loop`).
    fn text_keys(&self) -> &'static [&'static str] {
        &[]
    }
}

impl Params for InstrumentSpec {
    fn numbers(&self) -> &'static [(&'static str, f64, f64, f64)] {
        self.params()
    }
    fn choice_list(&self) -> &'static [(&'static str, &'static [&'static str], &'static str)] {
        self.choices()
    }
    fn has_scale(&self) -> bool {
        true
    }
    fn text_keys(&self) -> &'static [&'static str] {
        match self {
            InstrumentSpec::Sampler(_) => &["file", "loop"],
            InstrumentSpec::Kit(_) => &["samples"],
            _ => &[],
        }
    }
}

impl Params for EffectSpec {
    fn numbers(&self) -> &'static [(&'static str, f64, f64, f64)] {
        self.params()
    }
    fn choice_list(&self) -> &'static [(&'static str, &'static [&'static str], &'static str)] {
        self.choices()
    }
}

/// Check one `key=value` against `spec`'s tables.
///
/// # Errors
/// Unknown key (with a suggestion), a number out of range, a bad choice.
pub fn check_setting(spec: &dyn Params, key: &str, value: &str, what: &str) -> Result<(), String> {
    use chronus_sequencer::song::suggest::did_you_mean;
    if let Some(&(_, _, lo, hi)) = spec.numbers().iter().find(|p| p.0 == key) {
        let v = if key == "note" {
            chronus_sequencer::pattern::note_name(value)
                .map(f64::from)
                .or_else(|| value.parse().ok())
        } else {
            value.parse::<f64>().ok()
        };
        return match v {
            Some(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(()),
            Some(v) if v.is_finite() => Err(format!(
                "{what}: {key}={value} is out of range: expected {lo}..{hi}"
            )),
            _ => Err(format!(
                "{what}: {key}={value}: expected a number in {lo}..{hi}{}",
                if key == "note" {
                    " or a note name such as C3"
                } else {
                    ""
                }
            )),
        };
    }
    if spec.text_keys().contains(&key) {
        return match key {
            "file" => {
                chronus_sequencer::song::sample_file::resolve(value, std::path::Path::new("."))
                    .map(|_| ())
                    .map_err(|e| format!("{what}: file={value}: {e}"))
            }
            "samples" => chronus_sequencer::song::kit_samples::scan(std::path::Path::new(value))
                .map(|_| ())
                .map_err(|e| format!("{what}: samples={value}: {e}")),
            _ => match value {
                "true" | "yes" | "on" | "false" | "no" | "off" => Ok(()),
                _ => Err(format!("{what}: {key}={value}: expected true or false")),
            },
        };
    }
    if key == "scale" && spec.has_scale() {
        if value == "none" {
            return Ok(());
        }
        return chronus_sequencer::pitch::Scale::parse(value)
            .map(|_| ())
            .map_err(|e| format!("{what}: scale={value}: {e}"));
    }
    if let Some(&(_, choices, _)) = spec.choice_list().iter().find(|c| c.0 == key) {
        if choices.contains(&value) {
            return Ok(());
        }
        return Err(format!(
            "{what}: {key}={value}: expected one of {}{}",
            choices.join(", "),
            did_you_mean(value, choices)
                .split(" (did you mean")
                .nth(1)
                .map(|s| format!(" (did you mean{s}"))
                .unwrap_or_default()
        ));
    }
    let mut known: Vec<&str> = spec.numbers().iter().map(|p| p.0).collect();
    known.extend(spec.choice_list().iter().map(|c| c.0));
    if spec.has_scale() {
        known.push("scale");
    }
    known.extend(spec.text_keys());
    Err(format!(
        "{what} has no setting '{key}'{}",
        did_you_mean(key, &known)
    ))
}
