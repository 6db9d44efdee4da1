//! Parse errors: where the line went wrong and what was expected.

use std::fmt;

/// Why a command line could not be parsed.
///
/// Columns count characters (not bytes) from 1 and refer to the whole line,
/// so a reply can point at the exact spot even in the third command of a
/// transaction. The message is written in the user's terms: it names what was
/// expected and quotes what was typed.
///
/// ```
/// let err = chronus_command::parse_line("play; tempo fast").unwrap_err();
/// assert_eq!((err.part, err.column), (2, 13));
/// assert_eq!(
///     err.to_string(),
///     "part 2, column 13: expected a number after tempo, got 'fast' (beats per minute, such as 120)"
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// 1-based character column in the whole line (at most its length + 1,
    /// which points just past the end when something is missing).
    pub column: usize,
    /// 1-based index of the failing command among the line's non-empty
    /// `;`-separated commands.
    pub part: usize,
    /// How many non-empty commands the line holds.
    pub parts: usize,
    /// What went wrong, without the location.
    pub message: String,
}

impl fmt::Display for ParseError {
    /// `part 3, column 42: message`, or `column 42: message` when the line
    /// holds a single command.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.parts > 1 {
            write!(f, "part {}, ", self.part)?;
        }
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// An error inside one part, before it is placed in the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Error {
    /// 1-based character column in the whole line.
    pub column: usize,
    /// What went wrong.
    pub message: String,
}

impl Error {
    /// An error at `column`.
    pub fn new(column: usize, message: impl Into<String>) -> Error {
        Error {
            column,
            message: message.into(),
        }
    }

    /// Place the error in part `part` of `parts`.
    pub fn in_part(self, part: usize, parts: usize) -> ParseError {
        ParseError {
            column: self.column,
            part,
            parts,
            message: self.message,
        }
    }
}

/// Shorthand for results inside the crate.
pub(crate) type Result<T> = std::result::Result<T, Error>;
