//! Words of one command: bare words, `key=value` pairs and double-quoted
//! strings, each with its column.

use crate::error::{Error, Result};

/// One whitespace-separated word, quotes removed and escapes resolved.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    /// The word's text, unquoted (`"a b"` gives `a b`).
    pub text: String,
    /// Column of its first character in the line.
    pub column: usize,
    /// Column just past its last character.
    pub end_column: usize,
    /// Byte offset of its first character in the lexed text.
    pub start: usize,
    /// Whether any of it was quoted.
    pub quoted: bool,
    /// Set when the word is `key=value` with a bare key.
    pub pair: Option<Pair>,
}

/// The two halves of a `key=value` word.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pair {
    /// Text before the first `=` (may be empty: `=5`).
    pub key: String,
    /// Text after it, unquoted (may be empty: `key=`).
    pub value: String,
    /// Column of the value's first character (just past the `=`).
    pub value_column: usize,
}

impl Token {
    /// The word as the user should see it quoted back in a message.
    pub fn shown(&self) -> String {
        match &self.pair {
            Some(p) => format!("{}={}", p.key, p.value),
            None => self.text.clone(),
        }
    }
}

/// Split `src` into words; `base` is the column of its first character.
///
/// `=` splits a word into a pair only when it is outside quotes and nothing
/// before it was quoted (`name="x y"` is a pair, `"a=b"` a plain word).
/// Inside quotes `\"` is a quote and `\\` a backslash; any other backslash is
/// kept as written. Words may mix bare and quoted text (`a"b c"` is `ab c`).
///
/// # Errors
/// An unterminated quote, at the column of the opening `"`.
pub(crate) fn tokenize(src: &str, base: usize) -> Result<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = src.char_indices().peekable();
    let mut column = base;
    while let Some(&(start, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            column += 1;
            continue;
        }
        let first = column;
        let mut text = String::new();
        let mut quoted = false;
        let mut split: Option<(usize, usize)> = None;
        while let Some(&(_, c)) = chars.peek() {
            if c.is_whitespace() {
                break;
            }
            chars.next();
            column += 1;
            match c {
                '"' => {
                    quoted = true;
                    let open = column - 1;
                    loop {
                        let Some((_, c)) = chars.next() else {
                            return Err(Error::new(
                                open,
                                "unterminated quote: add a closing \" to end the text",
                            ));
                        };
                        column += 1;
                        match c {
                            '"' => break,
                            '\\' => match chars.peek() {
                                Some(&(_, e @ ('"' | '\\'))) => {
                                    chars.next();
                                    column += 1;
                                    text.push(e);
                                }
                                _ => text.push('\\'),
                            },
                            c => text.push(c),
                        }
                    }
                }
                '=' if split.is_none() && !quoted => {
                    split = Some((text.len(), column));
                    text.push('=');
                }
                c => text.push(c),
            }
        }
        let pair = split.map(|(at, value_column)| Pair {
            key: text[..at].to_string(),
            value: text[at + 1..].to_string(),
            value_column,
        });
        tokens.push(Token {
            text,
            column: first,
            end_column: column,
            start,
            quoted,
            pair,
        });
    }
    Ok(tokens)
}

/// Byte offset of the first `target` outside double quotes (a `\"` inside
/// quotes does not end them).
pub(crate) fn find_unquoted(src: &str, target: char) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in src.char_indices() {
        if quoted {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => quoted = false,
                _ => {}
            }
        } else if c == '"' {
            quoted = true;
        } else if c == target {
            return Some(i);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(src: &str) -> Vec<(String, usize)> {
        tokenize(src, 1)
            .unwrap()
            .into_iter()
            .map(|t| (t.text, t.column))
            .collect()
    }

    #[test]
    fn splits_on_whitespace_with_columns() {
        assert_eq!(
            words("  play \tkick hat"),
            vec![("play".into(), 3), ("kick".into(), 9), ("hat".into(), 14)]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let t = tokenize("ä \"ö ü\" x", 5).unwrap();
        assert_eq!(t[0].column, 5);
        assert_eq!(t[1].column, 7);
        assert_eq!(t[1].end_column, 12);
        assert_eq!(t[2].column, 13);
        assert_eq!(t[2].start, "ä \"ö ü\" ".len());
    }

    #[test]
    fn quotes_and_escapes() {
        let t = tokenize(r#""a \"b\" \\ c" "x\ny" """#, 1).unwrap();
        assert_eq!(t[0].text, r#"a "b" \ c"#);
        assert!(t[0].quoted);
        assert_eq!(t[1].text, r"x\ny");
        assert_eq!(t[2].text, "");
        assert!(t[2].quoted);
    }

    #[test]
    fn pairs_split_at_the_first_bare_equals() {
        let t = tokenize(r#"name="x y" a=b=c "k=v" =5 key="#, 1).unwrap();
        let p = t[0].pair.as_ref().unwrap();
        assert_eq!(
            (p.key.as_str(), p.value.as_str(), p.value_column),
            ("name", "x y", 6)
        );
        let p = t[1].pair.as_ref().unwrap();
        assert_eq!((p.key.as_str(), p.value.as_str()), ("a", "b=c"));
        assert!(t[2].pair.is_none());
        assert_eq!(t[3].pair.as_ref().unwrap().key, "");
        assert_eq!(t[4].pair.as_ref().unwrap().value, "");
    }

    #[test]
    fn mixed_bare_and_quoted_text_is_one_word() {
        assert_eq!(
            words(r#"a"b c"d e"#),
            vec![("ab cd".into(), 1), ("e".into(), 9)]
        );
    }

    #[test]
    fn finds_separators_outside_quotes() {
        assert_eq!(find_unquoted(r#"a "b:\":" c:d"#, ':'), Some(11));
        assert_eq!(find_unquoted(r#""x:y""#, ':'), None);
    }

    #[test]
    fn unterminated_quote_points_at_the_opening_quote() {
        let err = tokenize(r#"save patch "deep"#, 1).unwrap_err();
        assert_eq!(err.column, 12);
        assert!(err.message.contains("unterminated quote"));
        let err = tokenize(r#"x "a\""#, 3).unwrap_err();
        assert_eq!(err.column, 5);
    }
}
