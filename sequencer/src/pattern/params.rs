//! Parameter patterns: a numeric parameter that follows a pattern, as
//! Tidal's `# cutoff "<200 800>"` does. The structure comes from the notes:
//! each note event sets the parameter to the value its pattern holds at the
//! note's onset, on the note's own frame.

use super::signal::Signal;
use super::{query, Pattern, PatternError, Rational, Value};
use crate::event::{EffectId, ParamTarget};
use crate::song::{EffectSpec, InstrumentSpec};

/// What a parameter follows.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    /// A pattern of numbers, read at each note's onset.
    Pattern(Pattern),
    /// A continuous signal, read on the 64-frame control grid.
    Signal(Signal),
}

/// One parameter following a pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamLane {
    /// The parameter's name as written (`cutoff`, `gain`).
    pub key: String,
    /// Which parameter the events set.
    pub target: ParamTarget,
    /// Where the values come from, numbers in the parameter's unit.
    pub source: Source,
    /// The pattern text as written.
    pub text: String,
    /// For an effect's parameter, which of the instrument's effects it is
    /// (its index when the lane was made).
    pub effect: Option<usize>,
}

/// The value `pattern` holds at time `t` (cycles): the first event whose
/// whole contains `t`, if it is a number.
pub(crate) fn value_at(pattern: &Pattern, t: Rational, seed: u64) -> Option<f64> {
    let eps = Rational::new(1, 1 << 24);
    let span = query::Span {
        begin: t,
        end: t.checked_add(eps)?,
    };
    let mut haps = Vec::new();
    query::query(&pattern.root, span, seed, &mut haps)?;
    haps.iter()
        .find(|h| h.whole.begin <= t)
        .and_then(|h| h.value.number())
}

impl ParamLane {
    /// Parameter `key` of `spec` following the pattern `text`.
    ///
    /// # Errors
    /// An unknown parameter, one that cannot follow a pattern (it rebuilds
    /// the instrument), a pattern that does not parse, or a value that is
    /// not a number in the parameter's range, with its column (column 0
    /// when the key itself is at fault).
    pub fn new(spec: &InstrumentSpec, key: &str, text: &str) -> Result<ParamLane, PatternError> {
        let (target, lo, hi) = match key {
            "gain" => (ParamTarget::Gain, -60.0, 24.0),
            "pan" => (ParamTarget::Pan, -1.0, 1.0),
            _ => {
                let (i, lo, hi) = lookup(
                    (spec.kind(), "instrument"),
                    spec.params(),
                    key,
                    text,
                    spec.rebuilds(key),
                )?;
                (ParamTarget::Instrument(i), lo, hi)
            }
        };
        Ok(ParamLane {
            key: key.to_string(),
            target,
            source: source(key, text, lo, hi)?,
            text: text.to_string(),
            effect: None,
        })
    }

    /// Parameter `key` of effect `fx` (the instrument's `index`-th, engine
    /// id `id`) following the pattern `text`.
    ///
    /// # Errors
    /// As [`ParamLane::new`].
    pub fn for_effect(
        fx: &EffectSpec,
        index: usize,
        id: EffectId,
        key: &str,
        text: &str,
    ) -> Result<ParamLane, PatternError> {
        let (i, lo, hi) = lookup(
            (fx.kind(), "effect"),
            fx.params(),
            key,
            text,
            fx.rebuilds(key),
        )?;
        Ok(ParamLane {
            key: key.to_string(),
            target: ParamTarget::Effect {
                effect: id,
                param: i,
            },
            source: source(key, text, lo, hi)?,
            text: text.to_string(),
            effect: Some(index),
        })
    }
}

/// Parameter `key` of a `(kind, instrument or effect)` with table `params`:
/// its index and range, unless it is unknown or `rebuilds`.
fn lookup(
    (kind, what): (&str, &str),
    params: &[(&'static str, f64, f64, f64)],
    key: &str,
    text: &str,
    rebuilds: bool,
) -> Result<(u16, f64, f64), PatternError> {
    let keyed = |message: String| PatternError { column: 0, message };
    let Some(i) = params.iter().position(|p| p.0 == key) else {
        let names: Vec<&str> = params.iter().map(|p| p.0).collect();
        return Err(keyed(format!(
            "{kind} has no parameter '{key}' to pattern: expected one of {}",
            names.join(", ")
        )));
    };
    if rebuilds {
        return Err(keyed(format!(
            "{key} takes a number, not the text \"{text}\" (changing it rebuilds the {what}, so it cannot follow a pattern)"
        )));
    }
    let (_, _, lo, hi) = params[i];
    Ok((i as u16, lo, hi))
}

/// The signal or pattern `text`, checked to stay in `lo..=hi`.
fn source(key: &str, text: &str, lo: f64, hi: f64) -> Result<Source, PatternError> {
    if let Some(signal) = Signal::parse(text) {
        let signal = signal?;
        let (a, b) = signal.bounds();
        if a < lo || b > hi {
            return Err(PatternError {
                column: 1,
                message: format!(
                    "{key} runs from {a} to {b}, out of its range {lo}..{hi}: give the signal a .range(lo, hi) inside it"
                ),
            });
        }
        return Ok(Source::Signal(signal));
    }
    let pattern = super::parse(text)?;
    for (value, column) in pattern.values() {
        match value {
            Value::Number(v) if (lo..=hi).contains(&v) => {}
            Value::Number(v) => {
                return Err(PatternError {
                    column,
                    message: format!("{key} {v} is out of range: expected {lo}..{hi}"),
                })
            }
            other => {
                return Err(PatternError {
                    column,
                    message: format!(
                        "{key} follows numbers: expected a number in {lo}..{hi} but found {}",
                        other.describe()
                    ),
                })
            }
        }
    }
    Ok(Source::Pattern(pattern))
}
