//! The pieces commands are made of: names, keywords, numbers, `key=value`
//! settings, each read from the words after the command keyword.

use crate::command::{Param, Targets, Word};
use crate::error::{Error, Result};
use crate::help::command_help;
use crate::lexer::Token;
use chronus_sequencer::song::suggest::did_you_mean;
use std::iter::Peekable;
use std::vec::IntoIter;

/// The words after a command's keyword, read from left to right.
pub(super) struct Args {
    /// The command's keyword, for messages.
    pub keyword: &'static str,
    tokens: Peekable<IntoIter<Token>>,
    /// Column just past the last word read (where a missing word belongs).
    end: usize,
}

impl Args {
    /// The words `tokens` of command `keyword`; `end` is the column just past
    /// the keyword.
    pub fn new(keyword: &'static str, tokens: Vec<Token>, end: usize) -> Args {
        Args {
            keyword,
            tokens: tokens.into_iter().peekable(),
            end,
        }
    }

    /// The next word.
    pub fn next(&mut self) -> Option<Token> {
        let t = self.tokens.next()?;
        self.end = t.end_column;
        Some(t)
    }

    /// The next word if `pred` accepts it.
    pub fn next_if(&mut self, pred: impl FnOnce(&Token) -> bool) -> Option<Token> {
        let t = self.tokens.next_if(pred)?;
        self.end = t.end_column;
        Some(t)
    }

    /// The next word, without reading it.
    pub fn peek(&mut self) -> Option<&Token> {
        self.tokens.peek()
    }

    /// The next word, or an error saying `missing` just past the last one.
    pub fn expect(&mut self, missing: impl FnOnce() -> String) -> Result<Token> {
        let end = self.end;
        self.next().ok_or_else(|| Error::new(end, missing()))
    }

    /// An error just past the last word read.
    pub fn missing(&self, message: impl Into<String>) -> Error {
        Error::new(self.end, message)
    }

    /// Fail on any word left over, quoting the command's syntax.
    pub fn finish(mut self) -> Result<()> {
        match self.next() {
            None => Ok(()),
            Some(t) => Err(unexpected(&t, self.keyword)),
        }
    }

    /// The remaining words as `key=value` settings (see [`params`]).
    pub fn params(&mut self, ramp: bool) -> Result<(Vec<Param>, Option<f64>)> {
        params(std::iter::from_fn(|| self.next()), ramp)
    }
}

/// `unexpected 'x' (syntax: ...)`.
pub(super) fn unexpected(t: &Token, keyword: &str) -> Error {
    let syntax = command_help(keyword).map_or(keyword, |h| h.syntax);
    Error::new(
        t.column,
        format!("unexpected '{}' (syntax: {syntax})", t.shown()),
    )
}

/// Whether `t` is the bare keyword `word` (any case).
pub(super) fn is_keyword(t: &Token, word: &str) -> bool {
    !t.quoted && t.pair.is_none() && t.text.eq_ignore_ascii_case(word)
}

/// Whether `s` is a bare name: letters, digits, `_` and `-`, starting with
/// a letter.
pub(super) fn is_bare_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(char::is_alphabetic)
        && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

/// Word `t` as a name; `what` says which kind (`an instrument name`).
pub(super) fn name(t: Token, what: &str) -> Result<Word> {
    if t.pair.is_some() {
        return Err(Error::new(
            t.column,
            format!("expected {what}, got '{}'", t.shown()),
        ));
    }
    if t.quoted {
        if t.text.is_empty() {
            return Err(Error::new(
                t.column,
                format!("expected {what}, got empty quotes"),
            ));
        }
    } else if !is_bare_name(&t.text) {
        return Err(Error::new(
            t.column,
            format!(
                "expected {what}, got '{}': names use letters, digits, _ and -, and start with a letter",
                t.text
            ),
        ));
    }
    Ok(Word {
        text: t.text,
        column: t.column,
    })
}

/// The next word as a name; `what` says which kind, `after` what it follows.
pub(super) fn expect_name(a: &mut Args, what: &str, after: &str) -> Result<Word> {
    let t = a.expect(|| format!("expected {what} after {after}"))?;
    name(t, what)
}

/// Word `t` as one of `known` (any case), else `unknown {what} 'x' (did you
/// mean ...)`.
pub(super) fn choice(t: &Token, known: &[&'static str], what: &str) -> Result<&'static str> {
    let lower = t.text.to_lowercase();
    match known.iter().find(|k| **k == lower) {
        Some(k) if t.pair.is_none() => Ok(k),
        _ => Err(Error::new(
            t.column,
            format!(
                "unknown {what} '{}'{}",
                t.shown(),
                did_you_mean(&lower, known)
            ),
        )),
    }
}

/// [`choice`] as a [`Word`] holding the canonical spelling.
pub(super) fn choice_word(t: &Token, known: &[&'static str], what: &str) -> Result<Word> {
    Ok(Word {
        text: choice(t, known, what)?.to_string(),
        column: t.column,
    })
}

/// ` (did you mean `x`?)` when `word` is close to one of `known`, else empty.
pub(super) fn close_to(word: &str, known: &[&str]) -> String {
    let hint = did_you_mean(&word.to_lowercase(), known);
    if hint.starts_with(" (did you mean") {
        hint
    } else {
        String::new()
    }
}

/// Word `t` as a finite number; `expected` is the message without the
/// `, got 'x'` (`expected a number after tempo`), `hint` follows it.
pub(super) fn number(t: &Token, expected: &str, hint: &str) -> Result<f64> {
    match t.text.trim().parse::<f64>() {
        Ok(v) if v.is_finite() && t.pair.is_none() => Ok(v),
        _ => Err(Error::new(
            t.column,
            format!("{expected}, got '{}'{hint}", t.shown()),
        )),
    }
}

/// Words for the names after `play`, `stop`, `mute` and `unmute`: `all`,
/// or names. No words give `Targets::All`.
pub(super) fn targets(a: &mut Args) -> Result<Targets> {
    let mut names: Vec<Word> = Vec::new();
    let mut all: Option<Token> = None;
    while let Some(t) = a.next() {
        if is_keyword(&t, "all") {
            if let Some(first) = names.first() {
                return Err(Error::new(
                    t.column,
                    format!(
                        "'all' cannot follow a name ('{}'): give names or all",
                        first.text
                    ),
                ));
            }
            all = Some(t);
        } else if all.is_some() {
            return Err(Error::new(
                t.column,
                format!("unexpected '{}' after all: give names or all", t.shown()),
            ));
        } else {
            names.push(name(t, "an instrument name")?);
        }
    }
    Ok(if names.is_empty() {
        Targets::All
    } else {
        Targets::Names(names)
    })
}

/// Whether `key` is a valid setting key: dot-separated parts of letters,
/// digits and `_`, each starting with a letter (`cutoff`, `reverb.mix`).
fn is_key(key: &str) -> bool {
    key.split('.').all(|part| {
        let mut chars = part.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// Read `key=value` settings; with `ramp`, `ramp=SECONDS` is taken out as a
/// number of seconds (0 or more).
fn params(tokens: impl Iterator<Item = Token>, ramp: bool) -> Result<(Vec<Param>, Option<f64>)> {
    let mut out: Vec<Param> = Vec::new();
    let mut ramp_value = None;
    let mut ramp_seen = false;
    for t in tokens {
        // A list of numbers after a key: `values=0 0.5 1 0.25`.
        let numeric = !t.quoted && t.text.parse::<f64>().is_ok();
        if let (None, true, Some(last)) = (&t.pair, numeric, out.last_mut()) {
            if last.key == "values" {
                last.value.push(' ');
                last.value.push_str(&t.text);
                continue;
            }
        }
        let Some(pair) = &t.pair else {
            return Err(Error::new(
                t.column,
                format!("expected key=value (such as cutoff=900), got '{}'", t.text),
            ));
        };
        let key = pair.key.to_ascii_lowercase();
        if key.is_empty() {
            return Err(Error::new(
                t.column,
                format!(
                    "expected a key before '=' (such as cutoff=900), got '{}'",
                    t.shown()
                ),
            ));
        }
        if !is_key(&key) {
            return Err(Error::new(
                t.column,
                format!(
                    "'{}' is not a key: keys use letters, digits and _ (and . for an effect's key, as in reverb.mix)",
                    pair.key
                ),
            ));
        }
        if pair.value.is_empty() && !t.quoted {
            return Err(Error::new(
                pair.value_column,
                format!("expected a value after '{}='", pair.key),
            ));
        }
        if out.iter().any(|p| p.key == key) || (key == "ramp" && ramp_seen) {
            return Err(Error::new(
                t.column,
                format!("'{}' is given twice", pair.key),
            ));
        }
        if ramp && key == "ramp" {
            ramp_seen = true;
            let v = Token {
                text: pair.value.clone(),
                column: pair.value_column,
                pair: None,
                ..t.clone()
            };
            let secs = number(&v, "expected a number of seconds after ramp=", "")?;
            if secs < 0.0 {
                return Err(Error::new(
                    v.column,
                    format!("expected a ramp of 0 seconds or more, got '{}'", v.text),
                ));
            }
            ramp_value = Some(secs);
            continue;
        }
        out.push(Param {
            key,
            value: pair.value.clone(),
            column: t.column,
            value_column: pair.value_column,
        });
    }
    Ok((out, ramp_value))
}
