//! Helpers shared by the tests.
#![allow(dead_code)]

use chronus_command::{parse_line, Command, ParseError, Word};

/// The single command of `line`.
pub fn one(line: &str) -> Command {
    let mut parts = parse_line(line).unwrap_or_else(|e| panic!("{line:?}: {e}"));
    assert_eq!(parts.len(), 1, "{line:?}");
    parts.remove(0).command
}

/// The error for `line`.
pub fn err(line: &str) -> ParseError {
    match parse_line(line) {
        Ok(parts) => panic!("{line:?} parsed: {parts:?}"),
        Err(e) => e,
    }
}

/// Assert that `line` fails at `column` with a message containing `needle`.
pub fn fails(line: &str, column: usize, needle: &str) -> ParseError {
    let e = err(line);
    assert_eq!(e.column, column, "{line:?}: {e}");
    assert!(
        e.message.contains(needle),
        "{line:?}: {e}\nwanted: {needle}"
    );
    e
}

/// A word.
pub fn w(text: &str, column: usize) -> Word {
    Word {
        text: text.to_string(),
        column,
    }
}
