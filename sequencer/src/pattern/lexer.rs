//! Pattern text to tokens, each with its 1-based character column.
//!
//! Whitespace only separates tokens. Brackets, commas, `|` and the
//! modifier characters `* / @ ! ? %` are tokens of their own; a number
//! written right after a modifier (`*2`, `?0.3`, `@1.5`) is lexed as that
//! modifier's argument. Everything else forms words (`x...x...`, `Eb2`,
//! `62.5`, `bd:3`, `c'maj`, `_`, `..`), which the parser splits into steps.

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// A run of word characters.
    Word(String),
    /// `[`, `<`, `{` or `(`.
    Open(char),
    /// `]`, `>`, `}` or `)`.
    Close(char),
    /// `,`.
    Comma,
    /// `|`.
    Pipe,
    /// A modifier `* / @ ! ? %` with the number written right after it, if
    /// any (the argument text and its column).
    Op(char, Option<(String, usize)>),
}

/// A token and where it starts.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    /// The token.
    pub tok: Tok,
    /// 1-based character column of its first character.
    pub column: usize,
}

/// Characters that are tokens on their own.
fn is_special(c: char) -> bool {
    matches!(
        c,
        '[' | ']'
            | '<'
            | '>'
            | '{'
            | '}'
            | '('
            | ')'
            | ','
            | '|'
            | '*'
            | '/'
            | '@'
            | '!'
            | '?'
            | '%'
    )
}

/// Split pattern text into tokens. Lexing itself cannot fail; malformed
/// words are reported by the parser, which knows what it expected.
pub(crate) fn lex(src: &str) -> Vec<Token> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let tok = match c {
            '[' | '<' | '{' | '(' => {
                i += 1;
                Tok::Open(c)
            }
            ']' | '>' | '}' | ')' => {
                i += 1;
                Tok::Close(c)
            }
            ',' => {
                i += 1;
                Tok::Comma
            }
            '|' => {
                i += 1;
                Tok::Pipe
            }
            '*' | '/' | '@' | '!' | '?' | '%' => {
                i += 1;
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                // A fraction part only if a digit follows the point, so
                // `x*2.` stays `x*2` followed by a rest.
                if i > start
                    && chars.get(i) == Some(&'.')
                    && chars.get(i + 1).is_some_and(char::is_ascii_digit)
                {
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let arg = (i > start).then(|| (chars[start..i].iter().collect(), start + 1));
                Tok::Op(c, arg)
            }
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !is_special(chars[i]) {
                    i += 1;
                }
                Tok::Word(chars[start..i].iter().collect())
            }
        };
        out.push(Token { tok, column });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<(Tok, usize)> {
        lex(s).into_iter().map(|t| (t.tok, t.column)).collect()
    }

    fn w(s: &str) -> Tok {
        Tok::Word(s.to_string())
    }

    #[test]
    fn words_and_columns() {
        assert_eq!(
            toks("  x...x... \tEb2"),
            vec![(w("x...x..."), 3), (w("Eb2"), 13)]
        );
        assert_eq!(toks(""), vec![]);
        assert_eq!(toks("   "), vec![]);
    }

    #[test]
    fn modifiers_take_adjacent_numbers() {
        assert_eq!(
            toks("x*2 y?0.3 z? 4"),
            vec![
                (w("x"), 1),
                (Tok::Op('*', Some(("2".into(), 3))), 2),
                (w("y"), 5),
                (Tok::Op('?', Some(("0.3".into(), 7))), 6),
                (w("z"), 11),
                (Tok::Op('?', None), 12),
                (w("4"), 14),
            ]
        );
        assert_eq!(
            toks("x*2."),
            vec![
                (w("x"), 1),
                (Tok::Op('*', Some(("2".into(), 3))), 2),
                (w("."), 4)
            ]
        );
    }

    #[test]
    fn brackets() {
        assert_eq!(
            toks("[C4,E4]<a>x(3,8)"),
            vec![
                (Tok::Open('['), 1),
                (w("C4"), 2),
                (Tok::Comma, 4),
                (w("E4"), 5),
                (Tok::Close(']'), 7),
                (Tok::Open('<'), 8),
                (w("a"), 9),
                (Tok::Close('>'), 10),
                (w("x"), 11),
                (Tok::Open('('), 12),
                (w("3"), 13),
                (Tok::Comma, 14),
                (w("8"), 15),
                (Tok::Close(')'), 16),
            ]
        );
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(toks("é x"), vec![(w("é"), 1), (w("x"), 3)]);
    }
}
