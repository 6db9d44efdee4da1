//! Errors: every one names the file, line and column and says, in one line
//! and in the module language's own terms, what is wrong and what was
//! expected.

use std::fmt;

/// A place in a module file: `FILE:LINE:COLUMN` (1-based; columns count
/// characters, not bytes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The file name as given to [`crate::parse`].
    pub file: String,
    /// Line, from 1.
    pub line: u32,
    /// Column, from 1, in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Everything [`crate::parse`] can reject. Each variant's `Display` is one
/// line: `FILE:LINE:COLUMN: what is wrong, what was expected`.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Error {
    /// A character that starts no token.
    #[error("{at}: unexpected character '{found}'; expected a name, a number, an operator or '#' for a comment")]
    BadCharacter {
        /// Where.
        at: Location,
        /// The character.
        found: char,
    },
    /// A `"` string with no closing `"` on its line.
    #[error("{at}: this string has no closing '\"' on its line")]
    UnclosedString {
        /// Where the string starts.
        at: Location,
    },
    /// A number that is malformed, or too large for a sample value.
    #[error("{at}: {what}")]
    BadNumber {
        /// Where.
        at: Location,
        /// What is wrong with it.
        what: String,
    },
    /// The grammar expected something else here.
    #[error("{at}: expected {expected}, found {found}")]
    Syntax {
        /// Where.
        at: Location,
        /// What would have fit, in the language's terms.
        expected: String,
        /// What was there.
        found: String,
    },
    /// A name defined twice.
    #[error("{at}: '{name}' is already defined on line {first_line}; choose another name")]
    Duplicate {
        /// Where the second definition is.
        at: Location,
        /// The name.
        name: String,
        /// Line of the first definition.
        first_line: u32,
    },
    /// A definition named like a built-in unit or a keyword.
    #[error("{at}: '{name}' is the name of a {what}; choose another name")]
    Reserved {
        /// Where.
        at: Location,
        /// The name.
        name: String,
        /// "unit" or "keyword".
        what: &'static str,
    },
    /// A signal name that is not defined anywhere.
    #[error("{at}: unknown name '{name}'{}", hint(suggestion))]
    UnknownName {
        /// Where.
        at: Location,
        /// The name.
        name: String,
        /// The closest defined name, if one is close.
        suggestion: Option<String>,
    },
    /// A signal used on a line before the line defining it.
    #[error(
        "{at}: '{name}' is used before it is defined (on line {defined_line}); define it first"
    )]
    UseBeforeDefinition {
        /// Where it is used.
        at: Location,
        /// The name.
        name: String,
        /// Where it is defined.
        defined_line: u32,
    },
    /// A definition that uses its own name (feedback is not supported).
    #[error("{at}: '{name}' refers to itself; a definition can only use names defined above it")]
    SelfReference {
        /// Where it is used.
        at: Location,
        /// The name.
        name: String,
    },
    /// A call of a unit that does not exist.
    #[error("{at}: unknown unit '{name}'{}", hint(suggestion))]
    UnknownUnit {
        /// Where.
        at: Location,
        /// The name called.
        name: String,
        /// The closest unit name, if one is close.
        suggestion: Option<String>,
    },
    /// A signal (input, param, let or output) called like a unit.
    #[error("{at}: '{name}' is a signal, not a unit; only units can be called or piped into (see the unit list)")]
    NotAUnit {
        /// Where.
        at: Location,
        /// The name.
        name: String,
    },
    /// A unit named where a signal was expected.
    #[error("{at}: '{name}' is a unit; call it with its arguments, like {signature}")]
    UnitAsSignal {
        /// Where.
        at: Location,
        /// The unit.
        name: String,
        /// Its signature.
        signature: &'static str,
    },
    /// A unit called with the wrong number of arguments.
    #[error("{at}: '{unit}' takes {expected} ({signature}), but {found}")]
    Arity {
        /// Where the call is.
        at: Location,
        /// The unit.
        unit: String,
        /// "2 arguments", ...
        expected: String,
        /// Its signature.
        signature: &'static str,
        /// "it got 3", or "it got 1 (the piped signal counts as the first)".
        found: String,
    },
    /// The right side of `>>` is not a unit.
    #[error("{at}: the right side of '>>' must be a unit, like lowpass(800, 0.3); to combine the result, use parentheses: (x >> lowpass(800, 0.3)) * 0.5")]
    PipeTarget {
        /// Where the right side starts.
        at: Location,
    },
    /// A param's default outside its range.
    #[error("{at}: default {default} is outside {min}..{max}")]
    DefaultOutOfRange {
        /// Where the default is.
        at: Location,
        /// The default.
        default: f32,
        /// The range's lower end.
        min: f32,
        /// The range's upper end.
        max: f32,
    },
    /// A param range whose lower end is not below its upper end.
    #[error("{at}: range {min}..{max} is empty; the first number must be below the second")]
    EmptyRange {
        /// Where the range is.
        at: Location,
        /// Lower end.
        min: f32,
        /// Upper end.
        max: f32,
    },
    /// A constant division by zero.
    #[error("{at}: division by zero")]
    DivisionByZero {
        /// Where the `/` is.
        at: Location,
    },
    /// A file with no `output` statement.
    #[error("{at}: this module has no output; add a line like 'output out = saw(110) * 0.2'")]
    NoOutput {
        /// The end of the file.
        at: Location,
    },
    /// Nesting too deep (parentheses, calls, operators).
    #[error(
        "{at}: expression is nested too deeply (more than {limit} levels); split it with 'let'"
    )]
    TooDeep {
        /// Where the limit was crossed.
        at: Location,
        /// The limit.
        limit: usize,
    },
    /// A file or program larger than the language allows.
    #[error("{at}: module is too large: {what}")]
    TooLarge {
        /// Where the limit was crossed.
        at: Location,
        /// Which limit.
        what: String,
    },
}

fn hint(suggestion: &Option<String>) -> String {
    match suggestion {
        Some(s) => format!(" (did you mean '{s}'?)"),
        None => String::new(),
    }
}

impl Error {
    /// Where the error is.
    pub fn location(&self) -> &Location {
        match self {
            Error::BadCharacter { at, .. }
            | Error::UnclosedString { at }
            | Error::BadNumber { at, .. }
            | Error::Syntax { at, .. }
            | Error::Duplicate { at, .. }
            | Error::Reserved { at, .. }
            | Error::UnknownName { at, .. }
            | Error::UseBeforeDefinition { at, .. }
            | Error::SelfReference { at, .. }
            | Error::UnknownUnit { at, .. }
            | Error::NotAUnit { at, .. }
            | Error::UnitAsSignal { at, .. }
            | Error::Arity { at, .. }
            | Error::PipeTarget { at }
            | Error::DefaultOutOfRange { at, .. }
            | Error::EmptyRange { at, .. }
            | Error::DivisionByZero { at }
            | Error::NoOutput { at }
            | Error::TooDeep { at, .. }
            | Error::TooLarge { at, .. } => at,
        }
    }
}

/// Edit distance (Levenshtein), for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidate closest to `name`, if it is close (at most 2 edits, and
/// fewer than the name's length).
pub(crate) fn closest<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    let len = name.chars().count();
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|&(d, _)| d <= 2 && d < len)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.to_string())
}
