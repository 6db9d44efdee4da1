//! The pattern language: Tidal-style mini-notation.
//!
//! One cycle is one bar; the steps of a sequence share the cycle evenly.
//!
//! | Syntax | Meaning |
//! |---|---|
//! | `x`, `X` | a hit, an accented hit |
//! | `.`, `~` | a rest |
//! | `x...x...` | step string: one step per character of `x X . ~ _` |
//! | `C2`, `Eb2`, `F#3`, `Bs1`, `Bb-1` | note names (octave -1..9, C4 = 60) |
//! | `60`, `62.5` | MIDI note numbers |
//! | `[a b c]` | a sub-sequence sharing one step |
//! | `a*n`, `a/n` | `n` times as fast / as slow (`n` may be `1.5`) |
//! | `<a b c>` | one per cycle: cycle k plays child k mod 3, which sees cycle k div 3 |
//! | `a(k,n)`, `a(k,n,r)` | Euclidean rhythm, rotated left by `r` steps |
//! | `a?`, `a?0.3` | drop each event with probability 0.5 / 0.3 (seeded) |
//! | `a@n`, `a _ _` | step weight `n`; each `_` adds one to the previous step |
//! | `a!n`, `a ! !` | `n` copies of the step; a bare `!` repeats the previous step |
//! | `[a,b,c]`, `a b, c d` | stacked sequences playing together (chords) |
//!
//! Modifiers apply to the step right before them; in a step string such as
//! `x..x`, that is its last character. Errors carry the 1-based column of
//! the offending text. To keep every query cheap and panic-free, parsing
//! rejects patterns that could play more than [`MAX_EVENTS_PER_CYCLE`]
//! events per cycle, `*`/`/`/`@`/`!`/euclid numbers above [`MAX_REPEAT`],
//! groups nested deeper than [`MAX_DEPTH`], and absurdly fine subdivisions.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

mod ast;
mod euclid;
mod lexer;
mod note;
mod parser;
mod query;
mod rational;

#[cfg(test)]
mod tests;

pub use rational::Rational;

/// Largest number allowed after `*`, `/`, `@` and `!`, and for euclid `n`.
pub const MAX_REPEAT: usize = 1024;
/// Deepest allowed nesting of `[...]` and `<...>` groups.
pub const MAX_DEPTH: usize = 64;
/// Most events a pattern may play in one cycle.
pub const MAX_EVENTS_PER_CYCLE: usize = 65536;

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
pub struct Pattern {
    root: Arc<ast::Node>,
}

impl Pattern {
    /// Events whose onsets fall in cycle `cycle` (that is `[cycle, cycle+1)`),
    /// sorted by onset. `seed` makes `?` drops reproducible.
    ///
    /// Simultaneous events keep the order in which the pattern text lists
    /// them (`[C4,E4,G4]` gives C4, E4, G4). Each `?` decides from a hash of
    /// `seed`, the event's exact onset and the `?`'s column, so the same
    /// pattern and seed always give the same events.
    pub fn events(&self, cycle: i64, seed: u64) -> Vec<PatternEvent> {
        query::events(&self.root, cycle, seed)
    }

    /// Whether the pattern can never play anything (empty or all rests).
    pub fn is_silent(&self) -> bool {
        self.root.is_silent()
    }
}

impl FromStr for Pattern {
    type Err = PatternError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

/// Parse a pattern.
///
/// # Errors
/// A [`PatternError`] with the column and what was expected.
pub fn parse(src: &str) -> Result<Pattern, PatternError> {
    Ok(Pattern {
        root: parser::parse_pattern(src)?,
    })
}

/// Parse a note name (`C2`, `Eb2`, `F#3`, octaves -1..9) to its MIDI number.
///
/// The letter may be either case; `#` or `s` is sharp, `b` flat. Returns
/// `None` for anything else, including notes outside MIDI 0..=127.
/// Surrounding whitespace is ignored.
pub fn note_name(s: &str) -> Option<i32> {
    note::parse_note_name(s.trim()).ok()
}
