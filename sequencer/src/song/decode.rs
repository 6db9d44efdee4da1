//! Instruments and effects from their YAML values, one at a time, so an
//! error names the instrument (and effect) and the key path to the mistake
//! (`instruments.bass.effects[0].size`), which is then located in the text.
//!
//! serde's internally tagged enums buffer the whole mapping and lose both
//! the path and the position; here `type:` is read first and the rest is
//! deserialized into that type's own struct, with the path recorded.

use serde::de::DeserializeOwned;
use serde_yaml_ng::{Mapping, Value};

use super::effect::{
    ChorusSpec, CompressorSpec, DelaySpec, DistortionSpec, EffectSpec, FilterSpec, PhaserSpec,
    ReverbSpec,
};
use super::instrument::{
    ClapSpec, FmSpec, HihatSpec, InstrumentSpec, KickSpec, KitSpec, SamplerSpec, SnareSpec,
    SynthSpec, TomSpec,
};
use super::suggest::did_you_mean;
use super::wording::{in_song_terms, joined_lines_hint};

/// Numeric parameters that take note names as text (`note: C2`,
/// `root: C4`): text there is a note, not a parameter pattern.
const NOTE_KEYS: &[&str] = &["note", "root"];

/// One step of a key path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// A mapping key.
    Key(String),
    /// A list item (0-based).
    Item(usize),
}

/// A mistake: where (below the instrument) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mistake {
    /// Key path below `instruments.NAME`.
    pub path: Vec<Step>,
    /// What is wrong and what was expected, in song terms.
    pub message: String,
}

impl Mistake {
    fn at(path: Vec<Step>, message: String) -> Mistake {
        Mistake { path, message }
    }

    /// The path as written in messages: `effects[0].size`.
    pub fn shown(&self) -> String {
        let mut s = String::new();
        for step in &self.path {
            match step {
                Step::Key(k) if s.is_empty() => s.push_str(k),
                Step::Key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Step::Item(i) => s.push_str(&format!("[{i}]")),
            }
        }
        s
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}

/// Take `type:` out of a mapping, checked against `kinds`.
fn take_type(
    value: Value,
    kinds: &[&str],
    what: &str,
    prefix: &[Step],
) -> Result<(String, Mapping), Mistake> {
    let Value::Mapping(mut map) = value else {
        return Err(Mistake::at(
            prefix.to_vec(),
            format!(
                "expected a mapping with `type:` and the {what}'s settings but found {}",
                describe(&value)
            ),
        ));
    };
    let Some(kind) = map.remove("type") else {
        return Err(Mistake::at(
            prefix.to_vec(),
            format!("missing `type:`: expected one of {}", kinds.join(", ")),
        ));
    };
    let mut here = prefix.to_vec();
    here.push(Step::Key("type".into()));
    let Value::String(kind) = kind else {
        return Err(Mistake::at(
            here,
            format!(
                "expected a {what} type ({}) but found {}",
                kinds.join(", "),
                describe(&kind)
            ),
        ));
    };
    if !kinds.contains(&kind.as_str()) {
        return Err(Mistake::at(
            here,
            format!(
                "unknown {what} type `{kind}`, expected one of {}{}{}",
                kinds.join(", "),
                did_you_mean(&kind, kinds),
                joined_lines_hint(&kind)
            ),
        ));
    }
    Ok((kind, map))
}

/// Deserialize `map` as `T`, with the path of any error below `prefix`.
fn typed<T: DeserializeOwned>(map: Mapping, prefix: &[Step]) -> Result<T, Mistake> {
    serde_path_to_error::deserialize(Value::Mapping(map)).map_err(|e| {
        let mut path = prefix.to_vec();
        for seg in e.path().iter() {
            match seg {
                serde_path_to_error::Segment::Seq { index } => path.push(Step::Item(*index)),
                serde_path_to_error::Segment::Map { key } => path.push(Step::Key(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    path.push(Step::Key(variant.clone()));
                }
                serde_path_to_error::Segment::Unknown => {}
            }
        }
        let inner = e.into_inner().to_string();
        // serde_yaml_ng's value errors carry no position; drop any suffix.
        let inner = inner
            .split(" at line ")
            .next()
            .unwrap_or(&inner)
            .to_string();
        let mut message = in_song_terms(&inner);
        if let Some(v) = message
            .strip_prefix("unknown choice `")
            .and_then(|r| r.split('`').next())
        {
            message.push_str(joined_lines_hint(v));
        }
        Mistake::at(path, message)
    })
}

/// Take out of `map` the text values of the numeric keys `numeric` (not
/// note keys): parameter patterns.
fn take_patterns(map: &mut Mapping, numeric: &[&str]) -> Vec<(String, String)> {
    let keys: Vec<String> = map
        .iter()
        .filter_map(|(k, v)| match (k, v) {
            (Value::String(k), Value::String(_))
                if !NOTE_KEYS.contains(&k.as_str()) && numeric.contains(&k.as_str()) =>
            {
                Some(k.clone())
            }
            _ => None,
        })
        .collect();
    keys.into_iter()
        .filter_map(|k| match map.remove(k.as_str()) {
            Some(Value::String(text)) => Some((k, text)),
            _ => None,
        })
        .collect()
}

/// A parameter pattern written in an instrument: `(effect index, key,
/// text)`, the index `None` for the instrument's own parameters.
pub(crate) type PatternText = (Option<usize>, String, String);

fn effect(value: Value, index: usize) -> Result<(EffectSpec, Vec<(String, String)>), Mistake> {
    let prefix = [Step::Key("effects".into()), Step::Item(index)];
    let (kind, mut map) = take_type(value, &EffectSpec::KINDS, "effect", &prefix)?;
    let numeric: Vec<&str> = EffectSpec::default_of(&kind)
        .map(|s| s.params().iter().map(|p| p.0).collect())
        .unwrap_or_default();
    let patterns = take_patterns(&mut map, &numeric);
    let spec = match kind.as_str() {
        "reverb" => EffectSpec::Reverb(typed::<ReverbSpec>(map, &prefix)?),
        "delay" => EffectSpec::Delay(typed::<DelaySpec>(map, &prefix)?),
        "chorus" => EffectSpec::Chorus(typed::<ChorusSpec>(map, &prefix)?),
        "phaser" => EffectSpec::Phaser(typed::<PhaserSpec>(map, &prefix)?),
        "distortion" => EffectSpec::Distortion(typed::<DistortionSpec>(map, &prefix)?),
        "compressor" => EffectSpec::Compressor(typed::<CompressorSpec>(map, &prefix)?),
        _ => EffectSpec::Filter(typed::<FilterSpec>(map, &prefix)?),
    };
    Ok((spec, patterns))
}

/// One instrument from its YAML value, and the numeric parameters written
/// as pattern text (`cutoff: "<200 800>"`), in file order.
pub(crate) fn instrument(value: Value) -> Result<(InstrumentSpec, Vec<PatternText>), Mistake> {
    let (kind, mut map) = take_type(value, &InstrumentSpec::KINDS, "instrument", &[])?;
    // Text where a number belongs is a parameter pattern (`note` takes note
    // names as text, so it is not one).
    let numeric: Vec<&str> = InstrumentSpec::default_of(&kind)
        .map(|s| s.params().iter().map(|p| p.0).collect())
        .unwrap_or_default();
    let mut patterns: Vec<PatternText> = take_patterns(&mut map, &numeric)
        .into_iter()
        .map(|(k, t)| (None, k, t))
        .collect();
    let mut effects = Vec::new();
    if let Some(list) = map.remove("effects") {
        let Value::Sequence(items) = list else {
            return Err(Mistake::at(
                vec![Step::Key("effects".into())],
                format!(
                    "expected a list of effects (one `- type: reverb` item per line) but found {}",
                    describe(&list)
                ),
            ));
        };
        for (i, item) in items.into_iter().enumerate() {
            let (fx, texts) = effect(item, i)?;
            patterns.extend(texts.into_iter().map(|(k, t)| (Some(i), k, t)));
            effects.push(fx);
        }
    }
    let mut spec = match kind.as_str() {
        "synth" => InstrumentSpec::Synth(typed::<SynthSpec>(map, &[])?),
        "fm" => InstrumentSpec::Fm(typed::<FmSpec>(map, &[])?),
        "kick" => InstrumentSpec::Kick(typed::<KickSpec>(map, &[])?),
        "snare" => InstrumentSpec::Snare(typed::<SnareSpec>(map, &[])?),
        "hihat" => InstrumentSpec::Hihat(typed::<HihatSpec>(map, &[])?),
        "clap" => InstrumentSpec::Clap(typed::<ClapSpec>(map, &[])?),
        "tom" => InstrumentSpec::Tom(typed::<TomSpec>(map, &[])?),
        "sampler" => InstrumentSpec::Sampler(typed::<SamplerSpec>(map, &[])?),
        _ => InstrumentSpec::Kit(typed::<KitSpec>(map, &[])?),
    };
    *spec.effects_mut() = effects;
    Ok((spec, patterns))
}
