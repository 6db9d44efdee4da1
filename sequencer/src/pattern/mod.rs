//! The pattern language: Tidal-style mini-notation.
//!
//! One cycle is one bar; the steps of a sequence share the cycle evenly.
//!
//! | Syntax | Meaning |
//! |---|---|
//! | `x`, `X` | a hit, an accented hit |
//! | `.`, `~`, `-` | a rest |
//! | `x...x...` | step string: one step per character of `x X . ~ - _` |
//! | `C2`, `eb`, `60`, `-1`, `bd:3`, `C:maj` | values: the instrument decides what they mean (see [`crate::pitch`]) |
//! | `[a b c]` | a sub-sequence sharing one step |
//! | `a*n`, `a/n` | `n` times as fast / as slow (`n` may be `1.5` or a pattern, `a*<2 3>`) |
//! | `<a b c>` | one per cycle: cycle k plays child k mod 3, which sees cycle k div 3 |
//! | `{a b, c d e}`, `{a b c}%4` | polymeter: layers at the first layer's (or `%n`) steps per cycle |
//! | `a \| b \| c` | one child per cycle, chosen at random (Strudel's choice at seed 0) |
//! | `a(k,n)`, `a(k,n,r)` | Euclidean rhythm, rotated left by `r` steps (numbers may be patterns) |
//! | `a?`, `a?0.3`, `a?<0.2 0.8>` | drop events with probability 0.5 / 0.3 / patterned |
//! | `a@n`, `a _ _` | weight: `@n` adds `n - 1`, each `_` adds one |
//! | `a!n`, `a ! !` | `n` copies of the step; a bare `!` adds one more |
//! | `a .. b` | the whole numbers from `a` to `b`, as one step |
//! | `name:<1 2>` | a patterned tail |
//! | `[a,b,c]`, `a b, c d` | stacked sequences playing together (chords) |
//!
//! The semantics are Strudel's (checked event for event against Strudel
//! 1.2.6 by `tests/strudel_parity.rs`), except that `.` is a rest in step
//! strings and Euclid rotation follows Tidal.
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
mod number;
mod params;
mod parser;
mod query;
mod rand;
mod rational;
pub mod signal;

#[cfg(test)]
mod tests;

pub use params::{ParamLane, Source};
pub use rational::Rational;

pub(crate) use note::letter_semitone;

use crate::pitch::{Pitches, Sound};

/// Largest number allowed after `*`, `/`, `@` and `!`, and for euclid `n`.
pub const MAX_REPEAT: usize = 1024;
/// Deepest allowed nesting of `[...]`, `<...>` and `{...}` groups.
pub const MAX_DEPTH: usize = 64;
/// Most events a pattern may play in one cycle.
pub const MAX_EVENTS_PER_CYCLE: usize = 65536;

/// What one pattern event holds, as written: the instrument that plays
/// it decides what it means (a note, a scale degree, a chord, a sound).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `x`: a hit at normal velocity.
    Hit,
    /// `X`: an accented hit.
    Accent,
    /// A number: a MIDI note, or a scale degree on an instrument with a
    /// scale (`60`, `-1`, `2.5`).
    Number(f64),
    /// A name: a note (`C2`, `eb`), a chord (`C:maj`, `c'min7`), a sound
    /// (`bd`, `bd:3`).
    Word(Arc<str>),
}

impl Value {
    /// The number, if the value is one.
    pub fn number(&self) -> Option<f64> {
        match self {
            Value::Number(v) => Some(*v),
            _ => None,
        }
    }

    /// How the value reads in a message: `'bd'`, `x`, `60`.
    pub fn describe(&self) -> String {
        format!("'{self}'")
    }

    /// The value with `tail` appended after a `:` (`sd` + `1` is `sd:1`).
    pub(crate) fn with_tail(&self, tail: &Value) -> Value {
        Value::Word(format!("{self}:{tail}").into())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Hit => f.write_str("x"),
            Value::Accent => f.write_str("X"),
            Value::Number(v) => write!(f, "{v}"),
            Value::Word(w) => f.write_str(w),
        }
    }
}

/// One event of a pattern: an onset, a length, a value.
#[derive(Clone, Debug, PartialEq)]
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

/// A parsed pattern, and how the instrument playing it reads its numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    root: Arc<ast::Node>,
    pitches: Pitches,
    /// Parameters that follow patterns with this pattern's structure.
    params: Arc<[ParamLane]>,
    /// A leading `_` (`_ _ C4 D4`): the part of the cycle, from its start,
    /// over which the note the previous bar ended with is held.
    tie: Option<Rational>,
}

/// One event as an instrument plays it.
#[derive(Clone, Debug, PartialEq)]
pub struct SoundEvent {
    /// Onset, in absolute cycles.
    pub onset: Rational,
    /// Length in cycles.
    pub duration: Rational,
    /// What sounds.
    pub sound: Sound,
}

impl Pattern {
    /// The same pattern read through `pitches` (a scale for its numbers).
    pub fn with_pitches(mut self, pitches: Pitches) -> Pattern {
        self.pitches = pitches;
        self
    }

    /// How the pattern's numbers are read.
    pub fn pitches(&self) -> &Pitches {
        &self.pitches
    }

    /// The same pattern driving `params`: each of its events also sets
    /// those parameters to their patterns' values at the event's onset.
    pub fn with_params(mut self, params: Vec<ParamLane>) -> Pattern {
        self.params = params.into();
        self
    }

    /// How much of its cycle a leading `_` holds the previous bar's last
    /// note over (`_ _ C4 D4`: half), if it starts with one.
    pub fn tie(&self) -> Option<Rational> {
        self.tie
    }

    /// The parameters this pattern drives.
    pub fn params(&self) -> &[ParamLane] {
        &self.params
    }

    /// The number `self` holds at time `t` (cycles), if any: what a
    /// parameter following this pattern is set to by an event at `t`.
    pub fn value_at(&self, t: Rational, seed: u64) -> Option<f64> {
        params::value_at(self, t, seed)
    }

    /// Check that every value the pattern can play means something to a
    /// pitched (`pitched`) or unpitched instrument, and return warnings:
    /// plain numbers below 12 without a scale on a pitched instrument,
    /// which would sound as 8-16 Hz tones.
    ///
    /// # Errors
    /// The first value that means nothing, with its column.
    pub fn check(&self, pitched: bool) -> Result<Vec<String>, PatternError> {
        let mut warnings = Vec::new();
        for (value, column) in self.values() {
            crate::pitch::resolve(&value, &self.pitches).map_err(|message| {
                // A malformed note name points at the offending character.
                let offset = match &value {
                    Value::Word(w) if note_name_error(w).is_some() => {
                        note::parse_note_name(w).err().map_or(0, |e| e.offset)
                    }
                    _ => 0,
                };
                PatternError {
                    column: column + offset,
                    message,
                }
            })?;
            if let (Value::Number(v), true, None) = (&value, pitched, &self.pitches.scale) {
                if *v < 12.0 && warnings.is_empty() {
                    warnings.push(format!(
                        "column {column}: {v} is MIDI note {v} (below 12, a {:.0} Hz tone): \
                         plain numbers are MIDI notes; give the instrument a scale \
                         (scale: C:minor) to play them as scale degrees",
                        440.0 * 2f64.powf((v - 69.0) / 12.0)
                    ));
                }
            }
        }
        Ok(warnings)
    }

    /// The events of cycle `cycle` as the instrument plays them (see
    /// [`Pattern::events`]). Values that mean nothing are skipped (they
    /// were reported by [`Pattern::check`]).
    pub fn sounds(&self, cycle: i64, seed: u64) -> Vec<SoundEvent> {
        self.events(cycle, seed)
            .into_iter()
            .filter_map(|e| {
                Some(SoundEvent {
                    onset: e.onset,
                    duration: e.duration,
                    sound: crate::pitch::resolve(&e.value, &self.pitches).ok()?,
                })
            })
            .collect()
    }

    /// Events whose onsets fall in cycle `cycle` (that is `[cycle, cycle+1)`),
    /// sorted by onset. `seed` varies the random choices of `?` and `|`
    /// (seed 0 makes exactly Strudel's choices).
    ///
    /// Simultaneous events keep the order in which the pattern text lists
    /// them (`[C4,E4,G4]` gives C4, E4, G4). Random operators read
    /// Strudel's random signal at each event's onset, in their own local
    /// time, so the same pattern and seed always give the same events.
    pub fn events(&self, cycle: i64, seed: u64) -> Vec<PatternEvent> {
        query::events(&self.root, cycle, seed)
    }

    /// Whether the pattern can never play anything (empty or all rests).
    pub fn is_silent(&self) -> bool {
        self.root.is_silent()
    }

    /// Every value the pattern can play, with the column where it is
    /// written (numbers listed by a range `a .. b` carry the column of the
    /// `..`), in text order. Tails written as patterns (`sd:<1 2>`) give
    /// each combination.
    pub fn values(&self) -> Vec<(Value, usize)> {
        let mut out = Vec::new();
        collect_values(&self.root, &mut out);
        out
    }
}

fn collect_values(node: &ast::Node, out: &mut Vec<(Value, usize)>) {
    match &node.kind {
        ast::Kind::Atom { value, column } => out.push((value.clone(), *column)),
        ast::Kind::Range { column, .. } => {
            let mut numbers = Vec::new();
            node.numbers(&mut numbers);
            out.extend(
                numbers
                    .into_iter()
                    .map(|n| (Value::Number(n.to_f64()), *column)),
            );
        }
        ast::Kind::Tail { left, right } => {
            let (mut l, mut r) = (Vec::new(), Vec::new());
            collect_values(left, &mut l);
            collect_values(right, &mut r);
            for (lv, lc) in &l {
                for (rv, _) in &r {
                    out.push((lv.with_tail(rv), *lc));
                }
            }
        }
        // Argument patterns hold numbers for modifiers, not sounds.
        ast::Kind::Fast { child, .. }
        | ast::Kind::Euclid { child, .. }
        | ast::Kind::Degrade { child, .. } => collect_values(child, out),
        ast::Kind::WeightedSeq(steps) => {
            for (_, n) in steps {
                collect_values(n, out);
            }
        }
        _ => node.for_each_child(|c| collect_values(c, out)),
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
    let (text, ties) = leading_ties(src, "~");
    let root = parser::parse_pattern(&text)?;
    let tie = if ties.is_empty() {
        None
    } else {
        Some(tie_length(src)?)
    };
    Ok(Pattern {
        root,
        pitches: Pitches::default(),
        params: Arc::new([]),
        tie,
    })
}

/// The marker a tie is probed with (see [`tie_length`]).
const TIE_MARK: &str = "chronustiemark";

/// `src` with its leading standalone `_` words replaced by `with`, and
/// the byte offsets of those words.
fn leading_ties(src: &str, with: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(src.len());
    let mut ties = Vec::new();
    let mut rest = src;
    let mut offset = 0;
    loop {
        let trimmed = rest.trim_start();
        let ws = rest.len() - trimmed.len();
        out.push_str(&rest[..ws]);
        offset += ws;
        // `_`, or `_@N` (a tie of weight N).
        let word_end = trimmed
            .find(|c: char| c.is_whitespace() || c == ',')
            .unwrap_or(trimmed.len());
        let word = &trimmed[..word_end];
        let standalone = word == "_"
            || word.strip_prefix("_@").is_some_and(|w| {
                !w.is_empty() && w.chars().all(|c| c.is_ascii_digit() || c == '.')
            });
        if !standalone {
            out.push_str(trimmed);
            return (out, ties);
        }
        ties.push(offset);
        out.push_str(with);
        offset += 1;
        rest = &trimmed[1..];
    }
}

/// How much of the cycle the leading `_`s of `src` hold over: the leading
/// `_` words are made marker atoms, and their events, contiguous from the
/// cycle's start, give the length.
fn tie_length(src: &str) -> Result<Rational, PatternError> {
    let (probe, _) = leading_ties(src, TIE_MARK);
    let root = parser::parse_pattern(&probe)?;
    let p = Pattern {
        root,
        pitches: Pitches::default(),
        params: Arc::new([]),
        tie: None,
    };
    let mut marks: Vec<PatternEvent> = p
        .events(0, 0)
        .into_iter()
        .filter(|e| matches!(&e.value, Value::Word(w) if &**w == TIE_MARK))
        .collect();
    marks.sort_by_key(|e| e.onset);
    let mut end = Rational::default();
    for m in marks {
        if m.onset != end {
            break;
        }
        end = m.onset + m.duration;
    }
    if end == Rational::default() {
        return Err(PatternError {
            column: src.find('_').map_or(1, |i| i + 1),
            message: "a leading '_' holds the previous bar's note: it must start the pattern's first step".into(),
        });
    }
    Ok(end)
}

/// Parse a note name (`C2`, `Eb2`, `F#3`, octaves -1..9) to its MIDI number.
///
/// The letter may be either case; `#` or `s` is sharp, `b` flat. Returns
/// `None` for anything else, including notes outside MIDI 0..=127.
/// Surrounding whitespace is ignored.
pub fn note_name(s: &str) -> Option<i32> {
    note::parse_note_name(s.trim()).ok()
}

/// Why `s` is not a note name, when it looks like one with an octave
/// (`C12`, `Eb2x`); `None` for words that are not note attempts at all.
pub fn note_name_error(s: &str) -> Option<String> {
    let looks_like_note = s
        .chars()
        .next()
        .is_some_and(|c| note::letter_semitone(c).is_some())
        && s.chars().any(|c| c.is_ascii_digit())
        && !s.contains([':', '\'']);
    if !looks_like_note {
        return None;
    }
    note::parse_note_name(s).err().map(|e| e.message)
}

/// The name of MIDI note `midi` (`60` is `C4`, sharps as `#`).
pub fn note_label(midi: i32) -> String {
    const NAMES: [&str; 12] = [
        "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
    ];
    format!(
        "{}{}",
        NAMES[midi.rem_euclid(12) as usize],
        midi.div_euclid(12) - 1
    )
}
