//! The pattern language (Tidal-style mini-notation). STUB: being written.

use std::fmt;

/// An exact rational time in cycles (one cycle is one bar).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    /// Numerator.
    pub num: i64,
    /// Denominator, always > 0; the fraction is kept in lowest terms.
    pub den: i64,
}

impl Rational {
    /// As a float.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

/// What one pattern event plays.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value {
    /// `x`: a hit at normal velocity.
    Hit,
    /// `X`: an accented hit.
    Accent,
    /// A note: MIDI number (`C2`, `Eb2`, `60`).
    Note(f32),
}

/// One event of a pattern: an onset, a length, a value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatternEvent {
    /// Onset, in absolute cycles.
    pub onset: Rational,
    /// Length in cycles.
    pub duration: Rational,
    /// What sounds.
    pub value: Value,
}

/// A parse error: 1-based column in the pattern text and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternError {
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// What was found and what was expected.
    pub message: String,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for PatternError {}

/// A parsed pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {}

impl Pattern {
    /// Events whose onsets fall in cycle `cycle` (that is `[cycle, cycle+1)`),
    /// sorted by onset. `seed` makes `?` drops reproducible.
    pub fn events(&self, _cycle: i64, _seed: u64) -> Vec<PatternEvent> {
        Vec::new()
    }
}

/// Parse a pattern.
///
/// # Errors
/// A [`PatternError`] with the column and what was expected.
pub fn parse(_src: &str) -> Result<Pattern, PatternError> {
    Ok(Pattern {})
}

/// Parse a note name (`C2`, `Eb2`, `F#3`, octaves -1..9) to its MIDI number.
pub fn note_name(_s: &str) -> Option<i32> {
    None
}
