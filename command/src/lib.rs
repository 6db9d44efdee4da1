//! Chronus's command language: one line of text to typed [`Command`]s.
//!
//! The same text arrives from the terminal, OSC (`/chronus/cmd`), `chronus
//! send` and MCP. This crate checks syntax only and keeps every column, so
//! the session can validate names, types and keys against its live state and
//! still point its errors at the right spot:
//!
//! 1. [`parse_line`] turns a line into [`Part`]s (`;` separates the commands
//!    of one transaction), or a [`ParseError`] with a column and a message
//!    saying what was expected (with "did you mean" for misspelt keywords).
//! 2. The session validates each [`Command`] and applies the transaction.
//!
//! # Syntax
//!
//! - A line holds commands separated by `;` (one transaction). A `#` that
//!   starts a word begins a comment to the end of the line (`F#3` is a note).
//! - Words are bare (`kick`), `key=value` settings (`cutoff=500`) or double
//!   quoted (`"deep groove"`, with `\"` and `\\` escapes; other backslashes
//!   are kept). A quoted value belongs to its key (`name="x y"`). Where a
//!   name may stand, quoting makes a word a name (`play "all"` plays an
//!   instrument called `all`).
//! - Keywords, instrument types, effects and setting keys may be typed in any
//!   case and come out lower-cased; names keep their case.
//! - A bare name is letters, digits, `_` and `-`, starting with a letter;
//!   quoted names may hold anything but must not be empty.
//! - `sequence`, `melody` and `pattern` take everything after their `:` as
//!   raw text ([`PatternText`]) for the pattern parser, with its column.
//! - Numbers that must be numbers (tempo, swing, velocity, beats, `ramp=`)
//!   are checked here; other values stay text for the session, which knows
//!   which keys are numbers and which are choices (`osc=saw`). `ramp=` of
//!   `set` is taken out of the settings into [`Command::Set`]'s `ramp`.
//!
//! [`commands`] holds the help for each command, with an example.
//!
//! ```
//! use chronus_command::{parse_line, Command, Targets};
//! let parts = parse_line("play all").unwrap();
//! assert_eq!(parts[0].command, Command::Play(Targets::All));
//! ```
#![deny(missing_docs)]

mod command;
mod error;
mod help;
mod lexer;
mod line;
mod parser;

pub use command::{
    Command, Follow, ListTopic, Listening, MapCurve, MapSource, MapTarget, MidiCommand, NoteArg,
    Param, Part, PatternText, Picture, Quantize, Targets, Unmap, Word, EFFECTS, INSTRUMENT_TYPES,
    MODULE_TYPES,
};
pub use error::ParseError;
pub use help::{command_help, commands, CommandHelp};
pub use line::parse_line;
