//! A whole line: comments, `;`-separated parts, and where each part starts.

use crate::command::Part;
use crate::error::{Error, ParseError};
use crate::parser::parse_part;

/// One `;`-separated piece of a line, trimmed and not empty.
struct Piece<'a> {
    text: &'a str,
    column: usize,
}

/// The line without its comment, split at `;` outside quotes.
///
/// A `#` outside quotes starts a comment when it begins a word (at the start
/// of the line or after whitespace or `;`), so `F#3` is a note, not a comment.
fn pieces(line: &str) -> Vec<Piece<'_>> {
    let mut out = Vec::new();
    let mut push = |start: usize, end: usize, column: usize| {
        let raw = &line[start..end];
        let text = raw.trim_start();
        let column = column + raw[..raw.len() - text.len()].chars().count();
        let text = text.trim_end();
        if !text.is_empty() {
            out.push(Piece { text, column });
        }
    };
    let (mut start, mut start_column) = (0, 1);
    let (mut quoted, mut escaped) = (false, false);
    let mut word_start = true;
    let mut end = line.len();
    for (column, (i, c)) in (1..).zip(line.char_indices()) {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else if c == '"' {
            quoted = true;
        } else if c == ';' {
            push(start, i, start_column);
            start = i + 1;
            start_column = column + 1;
        } else if c == '#' && word_start {
            end = i;
            break;
        }
        word_start = !quoted && (c.is_whitespace() || c == ';');
    }
    push(start, end, start_column);
    out
}

/// The first control character (other than whitespace) outside a comment.
fn control_char(line: &str) -> Option<(usize, char)> {
    (1..)
        .zip(line.chars())
        .find(|(_, c)| c.is_control() && !c.is_whitespace())
}

/// Parse one line of commands.
///
/// A line holds one or more commands separated by `;` (one transaction: the
/// session applies all of them at the same frame, or none). A `;` inside
/// double quotes does not separate. Empty commands (`a;;b`, a trailing `;`)
/// are skipped, and a blank line or a comment (`#` at the start of a word, to
/// the end of the line) gives no commands.
///
/// Keywords (`play`, `all`, `to`, instrument types, effects, ...) may be
/// typed in any case; names keep their case.
///
/// # Errors
/// The first syntax error, with the 1-based column in the whole line, the
/// number of the failing command (counting non-empty ones) and a message
/// naming what was expected. Control characters other than whitespace are
/// refused wherever they appear.
///
/// ```
/// use chronus_command::{parse_line, Command};
/// let parts = parse_line("create hat hihat decay=0.05; sequence hat: ..x.; play hat").unwrap();
/// assert_eq!(parts.len(), 3);
/// assert_eq!(parts[1].text, "sequence hat: ..x.");
/// assert_eq!(parts[1].column, 30);
/// let Command::Sequence { steps, .. } = &parts[1].command else { panic!() };
/// assert_eq!((steps.text.as_str(), steps.column), ("..x.", 44));
///
/// let err = parse_line("sequnce kick: x...").unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "column 1: unknown command 'sequnce' (did you mean `sequence`?)"
/// );
/// ```
pub fn parse_line(line: &str) -> Result<Vec<Part>, ParseError> {
    let pieces = pieces(line);
    let parts = pieces.len();
    let mut out = Vec::with_capacity(parts);
    for (index, piece) in (1..).zip(pieces) {
        if let Some((column, c)) = control_char(piece.text) {
            let column = piece.column + column - 1;
            return Err(Error::new(
                column,
                format!(
                    "unexpected control character U+{:04X}: commands are plain text",
                    u32::from(c)
                ),
            )
            .in_part(index, parts));
        }
        let command = parse_part(piece.text, piece.column).map_err(|e| e.in_part(index, parts))?;
        out.push(Part {
            command,
            text: piece.text.to_string(),
            column: piece.column,
        });
    }
    Ok(out)
}
