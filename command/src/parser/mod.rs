//! One command's text to a [`Command`].

mod args;
mod commands;
mod midi;
mod partner;

use crate::command::{Command, PatternText, Word};
use crate::error::{Error, Result};
use crate::help::command_names;
use crate::lexer::{find_unquoted, tokenize};
use args::{name, Args};
use chronus_sequencer::song::suggest::did_you_mean;

/// Parse one command; `text` is trimmed and starts at `column` of the line.
pub(crate) fn parse_part(text: &str, column: usize) -> Result<Command> {
    let kw_len = text
        .find(|c: char| c.is_whitespace() || c == ':' || c == '"')
        .unwrap_or(text.len());
    let typed = &text[..kw_len];
    let rest = &text[kw_len..];
    let rest_column = column + typed.chars().count();
    if typed.is_empty() {
        let first = text.split_whitespace().next().unwrap_or(text);
        return Err(Error::new(
            column,
            format!("expected a command first, got '{first}'{}", commands_hint()),
        ));
    }
    let keyword = typed.to_lowercase();
    let Some(keyword) = command_names().into_iter().find(|k| *k == keyword) else {
        return Err(unknown_command(typed, &keyword, column));
    };
    if let Some(kind) = ColonKind::of(keyword) {
        return colon_command(kind, rest, rest_column);
    }
    let a = Args::new(keyword, tokenize(rest, rest_column)?, rest_column);
    commands::parse(a)
}

/// ` (expected one of: create, ...)`.
fn commands_hint() -> String {
    format!(" (expected one of: {})", command_names().join(", "))
}

/// `unknown command 'x' (did you mean ...)`, with a pointer to `set` for a
/// setting typed on its own.
fn unknown_command(typed: &str, lower: &str, column: usize) -> Error {
    let message = if typed.contains('=') {
        format!("expected a command first, got '{typed}' (to change a setting: set NAME {typed})")
    } else {
        format!(
            "unknown command '{typed}'{}",
            did_you_mean(lower, &command_names())
        )
    };
    Error::new(column, message)
}

/// The commands whose argument is raw text after `NAME:`.
#[derive(Clone, Copy)]
enum ColonKind {
    Sequence,
    Melody,
    Pattern,
}

impl ColonKind {
    fn of(keyword: &str) -> Option<ColonKind> {
        match keyword {
            "sequence" => Some(ColonKind::Sequence),
            "melody" => Some(ColonKind::Melody),
            "pattern" => Some(ColonKind::Pattern),
            _ => None,
        }
    }

    fn keyword(self) -> &'static str {
        match self {
            ColonKind::Sequence => "sequence",
            ColonKind::Melody => "melody",
            ColonKind::Pattern => "pattern",
        }
    }

    /// What follows the colon, in the user's words.
    fn what(self) -> &'static str {
        match self {
            ColonKind::Sequence => "steps",
            ColonKind::Melody => "notes",
            ColonKind::Pattern => "a pattern",
        }
    }

    /// An example of what follows the colon.
    fn example(self) -> &'static str {
        match self {
            ColonKind::Sequence => "x...x...x...x...",
            ColonKind::Melody => "C2 C2 G2 Eb2",
            ColonKind::Pattern => "<[C2 E2] G2*2> ~ A2(3,8)",
        }
    }

    fn build(self, name: Word, text: PatternText) -> Command {
        match self {
            ColonKind::Sequence => Command::Sequence { name, steps: text },
            ColonKind::Melody => Command::Melody { name, notes: text },
            ColonKind::Pattern => Command::Pattern {
                name,
                pattern: text,
            },
        }
    }
}

/// `KEYWORD NAME: TEXT`; `rest` follows the keyword and starts at `column`.
fn colon_command(kind: ColonKind, rest: &str, column: usize) -> Result<Command> {
    let kw = kind.keyword();
    let (what, example) = (kind.what(), kind.example());
    let colon = find_unquoted(rest, ':');
    let head = &rest[..colon.unwrap_or(rest.len())];
    let mut a = Args::new(kw, tokenize(head, column)?, column);
    let colon_column = colon.map(|i| column + rest[..i].chars().count());
    let Some(first) = a.next() else {
        let message = format!("expected an instrument name after {kw} ({kw} NAME: {example})");
        return Err(match colon_column {
            Some(c) => Error::new(c, message),
            None => a.missing(message),
        });
    };
    let name_start = first.start;
    // `pattern bass.cutoff: ...`: a parameter following a pattern.
    let param_target = matches!(kind, ColonKind::Pattern)
        && !first.quoted
        && first.pair.is_none()
        && first.text.split_once('.').is_some_and(|(t, p)| {
            // `bass.cutoff` or `bass.reverb.mix`.
            args::is_bare_name(t)
                && p.split('.').count() <= 2
                && p.split('.').all(args::is_bare_name)
        });
    let name = if param_target {
        Word {
            text: first.text.clone(),
            column: first.column,
        }
    } else {
        name(first, "an instrument name")?
    };
    if let Some(extra) = a.next() {
        let typed_name = head[name_start..extra.start].trim_end();
        return Err(match colon {
            None => Error::new(
                extra.column,
                format!(
                    "expected ':' after '{}', got '{}' (write: {kw} {typed_name}: {})",
                    name.text,
                    extra.shown(),
                    rest[extra.start..].trim()
                ),
            ),
            Some(_) => Error::new(
                extra.column,
                format!(
                    "expected ':' right after the name '{}', got '{}'",
                    name.text,
                    extra.shown()
                ),
            ),
        });
    }
    let (Some(colon), Some(colon_column)) = (colon, colon_column) else {
        return Err(a.missing(format!(
            "expected ':' and {what} after '{}' (such as {kw} {}: {example})",
            name.text, name.text
        )));
    };
    let after = &rest[colon + 1..];
    let body = after.trim_start();
    let body_column = colon_column + 1 + after[..after.len() - body.len()].chars().count();
    let body = body.trim_end();
    if body.is_empty() {
        return Err(Error::new(
            colon_column + 1,
            format!(
                "expected {what} after ':' (such as {kw} {}: {example})",
                name.text
            ),
        ));
    }
    Ok(kind.build(
        name,
        PatternText {
            text: body.to_string(),
            column: body_column,
        },
    ))
}
