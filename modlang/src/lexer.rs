//! The lexer: source text to tokens, each with its line and column.
//! Newlines are white space (statements start with a keyword, so an
//! expression may continue on the next line); `#` starts a comment that runs
//! to the end of the line.

use crate::error::{Error, Location};

/// The largest source file accepted, in bytes.
pub const MAX_SOURCE: usize = 256 * 1024;
/// The most tokens a file may have.
pub const MAX_TOKENS: usize = 65_536;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A name or keyword.
    Ident(String),
    /// A number (already checked to fit a sample value).
    Number(f64),
    /// A `"..."` string (a param's description).
    Str(String),
    Plus,
    Minus,
    Star,
    Slash,
    LParen,
    RParen,
    Comma,
    Equals,
    /// `>>`
    Pipe,
    /// `..`
    DotDot,
    /// The end of the file.
    End,
}

impl Tok {
    /// How an error message names this token.
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("'{s}'"),
            Tok::Number(n) => format!("the number {n}"),
            Tok::Str(_) => "a string".into(),
            Tok::Plus => "'+'".into(),
            Tok::Minus => "'-'".into(),
            Tok::Star => "'*'".into(),
            Tok::Slash => "'/'".into(),
            Tok::LParen => "'('".into(),
            Tok::RParen => "')'".into(),
            Tok::Comma => "','".into(),
            Tok::Equals => "'='".into(),
            Tok::Pipe => "'>>'".into(),
            Tok::DotDot => "'..'".into(),
            Tok::End => "the end of the file".into(),
        }
    }
}

/// A token and where it starts.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub tok: Tok,
    pub line: u32,
    pub column: u32,
}

/// The module description: the first block of comment lines (before any
/// code), with the `#` and one following space removed, joined by newlines.
pub(crate) fn description(source: &str) -> String {
    let mut lines = Vec::new();
    for line in source.lines() {
        let t = line.trim();
        if let Some(text) = t.strip_prefix('#') {
            lines.push(text.strip_prefix(' ').unwrap_or(text).trim_end());
        } else if t.is_empty() && lines.is_empty() {
            continue;
        } else {
            break;
        }
    }
    lines.join("\n")
}

/// Split `source` into tokens, ending with [`Tok::End`].
pub(crate) fn lex(source: &str, file: &str) -> Result<Vec<Token>, Error> {
    let at = |line: u32, column: u32| Location {
        file: file.to_string(),
        line,
        column,
    };
    if source.len() > MAX_SOURCE {
        return Err(Error::TooLarge {
            at: at(1, 1),
            what: format!(
                "the file has {} bytes, more than the {MAX_SOURCE} allowed",
                source.len()
            ),
        });
    }
    let chars: Vec<char> = source.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1u32, 1u32);
    while i < chars.len() {
        let c = chars[i];
        let (tl, tc) = (line, col);
        let next = chars.get(i + 1).copied();
        if out.len() >= MAX_TOKENS {
            return Err(Error::TooLarge {
                at: at(tl, tc),
                what: format!("more than {MAX_TOKENS} tokens"),
            });
        }
        let single = match c {
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '*' => Some(Tok::Star),
            '/' => Some(Tok::Slash),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '=' => Some(Tok::Equals),
            _ => None,
        };
        if let Some(tok) = single {
            out.push(Token {
                tok,
                line: tl,
                column: tc,
            });
            i += 1;
            col += 1;
            continue;
        }
        if c == '\n' {
            i += 1;
            line += 1;
            col = 1;
        } else if c.is_whitespace() {
            i += 1;
            col += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '>' && next == Some('>') {
            out.push(Token {
                tok: Tok::Pipe,
                line: tl,
                column: tc,
            });
            i += 2;
            col += 2;
        } else if c == '.' && next == Some('.') {
            out.push(Token {
                tok: Tok::DotDot,
                line: tl,
                column: tc,
            });
            i += 2;
            col += 2;
        } else if c == '"' {
            let start = i + 1;
            let mut j = start;
            while j < chars.len() && chars[j] != '"' && chars[j] != '\n' {
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                return Err(Error::UnclosedString { at: at(tl, tc) });
            }
            let text: String = chars[start..j].iter().collect();
            out.push(Token {
                tok: Tok::Str(text),
                line: tl,
                column: tc,
            });
            col += (j + 1 - i) as u32;
            i = j + 1;
        } else if c.is_ascii_digit() || (c == '.' && next.is_some_and(|n| n.is_ascii_digit())) {
            let start = i;
            let digits = |j: &mut usize| {
                while *j < chars.len() && chars[*j].is_ascii_digit() {
                    *j += 1;
                }
            };
            let mut j = i;
            digits(&mut j);
            // A fraction, but not the `..` of a range.
            if chars.get(j) == Some(&'.') && chars.get(j + 1) != Some(&'.') {
                j += 1;
                digits(&mut j);
            }
            if matches!(chars.get(j), Some('e' | 'E')) {
                let mut k = j + 1;
                if matches!(chars.get(k), Some('+' | '-')) {
                    k += 1;
                }
                if chars.get(k).is_some_and(|d| d.is_ascii_digit()) {
                    j = k;
                    digits(&mut j);
                }
            }
            let mut end = j;
            while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                end += 1;
            }
            let text: String = chars[start..end].iter().collect();
            if end > j {
                return Err(Error::BadNumber {
                    at: at(tl, tc),
                    what: format!(
                        "'{text}' is not a number; put an operator or a space between a number and a name"
                    ),
                });
            }
            let value = match text.parse::<f64>() {
                Ok(v) if v.is_finite() && v <= f64::from(f32::MAX) => v,
                _ => {
                    return Err(Error::BadNumber {
                        at: at(tl, tc),
                        what: format!("number {text} is too large (the largest is about 3.4e38)"),
                    })
                }
            };
            out.push(Token {
                tok: Tok::Number(value),
                line: tl,
                column: tc,
            });
            col += (end - i) as u32;
            i = end;
        } else if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            col += (i - start) as u32;
            out.push(Token {
                tok: Tok::Ident(text),
                line: tl,
                column: tc,
            });
        } else {
            return Err(Error::BadCharacter {
                at: at(tl, tc),
                found: c,
            });
        }
    }
    out.push(Token {
        tok: Tok::End,
        line,
        column: col,
    });
    Ok(out)
}
