//! Tokens to the pattern tree, following Strudel's mini-notation grammar.
//!
//! ```text
//! pattern  := sequence ((',' sequence)* | ('|' sequence)*)   // stack or random choice
//! sequence := element*
//! element  := slice modifier*
//! slice    := word | '[' pattern ']' | '<' layers '>' | '{' layers '}' ['%' slice]
//! layers   := sequence (',' sequence)*
//! modifier := '*' slice | '/' slice | '@' [num | <..> | [..]] | '_' | '!' [int]
//!           | '?' [num | <..> | [..]] | '(' element ',' element [',' element] ')'
//!           | '..' slice
//! word     := step string (x X . ~ - _ only) | number | name, then '_'*
//! ```
//!
//! Modifiers apply to the element just before them (for a step string like
//! `x..x`, its last character), in the order written; `!` always applies
//! last, as in Strudel. Weights follow Strudel's arithmetic: `@n` adds
//! `n - 1`, `_` adds one, `!n` makes `n` copies and sets the weight to the
//! copy count. Random operators (`?` and `|`) are numbered in the order
//! Strudel's parser numbers them, so they draw the same random values.

use std::rc::Rc;
use std::sync::Arc;

use super::ast::{Arg, Kind, Node};
use super::lexer::{lex, Tok, Token};
use super::rational::Rational;
use super::{number, PatternError, Value, MAX_DEPTH};

mod element;
mod modifiers;

use element::{
    decimal, layer, numbers_only, positive_up_to_max, push_word, whole_numbers, Element,
};

/// Parse pattern text into its tree.
pub(crate) fn parse_pattern(src: &str) -> Result<Arc<Node>, PatternError> {
    let mut p = Parser {
        toks: lex(src),
        pos: 0,
        seed: 0,
    };
    p.pattern(None, 0)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    /// The next random operator's number.
    seed: u32,
}

fn err<T>(column: usize, message: impl Into<String>) -> Result<T, PatternError> {
    Err(PatternError {
        column,
        message: message.into(),
    })
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Word(w) => format!("'{w}'"),
        Tok::Open(c) | Tok::Close(c) => format!("'{c}'"),
        Tok::Comma => "','".to_string(),
        Tok::Pipe => "'|'".to_string(),
        Tok::Op(c, Some((n, _))) => format!("'{c}{n}'"),
        Tok::Op(c, None) => format!("'{c}'"),
    }
}

/// How many characters a token spans.
fn token_len(tok: &Tok) -> usize {
    match tok {
        Tok::Word(w) => w.chars().count(),
        Tok::Op(_, Some((n, _))) => 1 + n.chars().count(),
        _ => 1,
    }
}

fn closer(open: char) -> char {
    match open {
        '[' => ']',
        '<' => '>',
        '{' => '}',
        _ => ')',
    }
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn next_seed(&mut self) -> u32 {
        let s = self.seed;
        self.seed = self.seed.wrapping_add(1);
        s
    }

    /// Whether the token at `pos` starts right after the one before it.
    fn adjacent(&self, pos: usize, after_column: usize, after_len: usize) -> bool {
        self.toks
            .get(pos)
            .is_some_and(|t| t.column == after_column + after_len)
    }

    /// A stack (`,`) or random choice (`|`) of sequences, up to the
    /// closing bracket of `open` (consumed) or the end of the text.
    fn pattern(
        &mut self,
        open: Option<(char, usize)>,
        depth: usize,
    ) -> Result<Arc<Node>, PatternError> {
        let column = open.map_or(1, |(_, c)| c);
        let mut layers = vec![self.sequence(depth)?];
        let mut sep: Option<Tok> = None;
        loop {
            let Some(t) = self.peek().cloned() else {
                if let Some((c, col)) = open {
                    return err(col, format!("unclosed '{c}' (opened at column {col})"));
                }
                break;
            };
            match (&t.tok, open) {
                (Tok::Comma | Tok::Pipe, _) => {
                    if let Some(s) = &sep {
                        if *s != t.tok {
                            return err(
                                t.column,
                                "a group is either stacked with ',' or a random choice with '|', \
                                 not both: put one of them in [ ]",
                            );
                        }
                    }
                    sep = Some(t.tok.clone());
                    self.pos += 1;
                    layers.push(self.sequence(depth)?);
                }
                (Tok::Close(c), Some((o, _))) if *c == closer(o) => {
                    self.pos += 1;
                    break;
                }
                (Tok::Close(c), Some((o, col))) => {
                    return err(
                        t.column,
                        format!(
                            "expected '{}' to close '{o}' (opened at column {col}) but found '{c}'",
                            closer(o)
                        ),
                    );
                }
                (Tok::Close(c), None) => {
                    return err(t.column, format!("unexpected '{c}': nothing to close"));
                }
                _ => return err(t.column, format!("unexpected {}", describe(&t.tok))),
            }
        }
        let mut nodes = Vec::with_capacity(layers.len());
        for l in layers {
            nodes.push(layer(l, column)?.0);
        }
        if sep == Some(Tok::Pipe) {
            let seed = self.next_seed();
            return Node::new(
                Kind::Choose {
                    seed,
                    children: nodes,
                },
                column,
            );
        }
        Node::stack(nodes, column)
    }

    /// Comma-separated sequences up to the closer of `open` (consumed):
    /// the layers of `<...>` and `{...}`.
    fn layers(
        &mut self,
        open: char,
        column: usize,
        depth: usize,
    ) -> Result<Vec<Vec<Element>>, PatternError> {
        let mut layers = vec![self.sequence(depth)?];
        loop {
            let Some(t) = self.peek().cloned() else {
                return err(
                    column,
                    format!("unclosed '{open}' (opened at column {column})"),
                );
            };
            match t.tok {
                Tok::Comma => {
                    self.pos += 1;
                    layers.push(self.sequence(depth)?);
                }
                Tok::Close(c) if c == closer(open) => {
                    self.pos += 1;
                    return Ok(layers);
                }
                Tok::Close(c) => {
                    return err(
                        t.column,
                        format!(
                            "expected '{}' to close '{open}' (opened at column {column}) but found '{c}'",
                            closer(open)
                        ),
                    );
                }
                Tok::Pipe => {
                    return err(
                        t.column,
                        format!(
                            "'|' chooses at random only inside [ ]: write [a | b] inside '{open}'"
                        ),
                    );
                }
                _ => return err(t.column, format!("unexpected {}", describe(&t.tok))),
            }
        }
    }

    /// Elements up to a comma, a pipe, a closing bracket or the end (not
    /// consumed).
    fn sequence(&mut self, depth: usize) -> Result<Vec<Element>, PatternError> {
        let mut elements: Vec<Element> = Vec::new();
        while let Some(t) = self.peek().cloned() {
            let column = t.column;
            match t.tok {
                Tok::Comma | Tok::Pipe | Tok::Close(_) => break,
                // `..` after a number is a range (`0 .. 7`); anywhere
                // else it is a step string of two rests (`x ..`).
                Tok::Word(w)
                    if w == ".."
                        && elements.last().is_some_and(|l| {
                            !l.node.is_silent() && numbers_only(&l.node, "").is_ok()
                        }) =>
                {
                    self.pos += 1;
                    let Some(last) = elements.last_mut() else {
                        return err(column, "'..' needs a number before it, as in 0 .. 7");
                    };
                    let to = self.slice(depth, column, "'..'")?;
                    numbers_only(&to, "a range")?;
                    whole_numbers(&to, "a range", column)?;
                    last.apply(Rc::new(move |from: Arc<Node>| {
                        numbers_only(&from, "a range")?;
                        whole_numbers(&from, "a range", column)?;
                        Node::new(
                            Kind::Range {
                                from,
                                to: to.clone(),
                                column,
                            },
                            column,
                        )
                    }))?;
                }
                Tok::Word(w)
                    if w.len() > 1
                        && w.ends_with(':')
                        && matches!(
                            self.toks.get(self.pos + 1),
                            Some(Token {
                                tok: Tok::Open('<' | '['),
                                ..
                            })
                        )
                        && self.adjacent(self.pos + 1, column, w.chars().count()) =>
                {
                    // `sd:<1 2>`: a patterned tail.
                    self.pos += 1;
                    let name = &w[..w.len() - 1];
                    let left = Node::atom(Value::Word(name.into()), column);
                    let right = self.group(depth)?;
                    let node = Node::new(Kind::Tail { left, right }, column)?;
                    elements.push(Element::new(node, column));
                }
                Tok::Word(w)
                    if w.starts_with(':')
                        && !elements.is_empty()
                        && self.pos > 0
                        && self.toks[self.pos - 1].column
                            + token_len(&self.toks[self.pos - 1].tok)
                            == column =>
                {
                    // `<bd sd>:3`, `<bd sd>:<1 2>`: a tail after a group.
                    self.pos += 1;
                    let right = if w == ":" {
                        self.group(depth)?
                    } else {
                        let text = &w[1..];
                        let value = match number::parse(text) {
                            Some(v) => Value::Number(v),
                            None => Value::Word(text.into()),
                        };
                        Node::atom(value, column + 1)
                    };
                    if let Some(last) = elements.last_mut() {
                        last.apply(Rc::new(move |left| {
                            Node::new(
                                Kind::Tail {
                                    left,
                                    right: right.clone(),
                                },
                                column,
                            )
                        }))?;
                    }
                }
                Tok::Word(w) => {
                    self.pos += 1;
                    push_word(&w, column, &mut elements)?;
                }
                Tok::Open('(') => {
                    self.pos += 1;
                    let (k, n, r) = self.euclid_args(column, depth)?;
                    let Some(last) = elements.last_mut() else {
                        return err(column, "'(' must follow a step, as in x(3,8)");
                    };
                    last.apply(Rc::new(move |child: Arc<Node>| {
                        if child.is_silent() {
                            return Ok(child);
                        }
                        Node::new(
                            Kind::Euclid {
                                k: k.clone(),
                                n: n.clone(),
                                r: r.clone(),
                                child,
                            },
                            column,
                        )
                    }))?;
                }
                Tok::Open(_) => {
                    let node = self.group(depth)?;
                    elements.push(Element::new(node, column));
                }
                Tok::Op(op, arg) => {
                    self.pos += 1;
                    self.modifier(op, arg, column, depth, &mut elements)?;
                }
            }
        }
        Ok(elements)
    }

    /// A bracket group at the current token: `[...]`, `<...>` or `{...}`
    /// (with its `%` steps).
    fn group(&mut self, depth: usize) -> Result<Arc<Node>, PatternError> {
        let Some(Token {
            tok: Tok::Open(c),
            column,
        }) = self.peek().cloned()
        else {
            return err(self.peek().map_or(1, |t| t.column), "expected a group");
        };
        self.pos += 1;
        if depth + 1 > MAX_DEPTH {
            return err(
                column,
                format!("groups nest more than {MAX_DEPTH} levels deep"),
            );
        }
        match c {
            '[' => self.pattern(Some(('[', column)), depth + 1),
            '<' => {
                let layers = self.layers('<', column, depth + 1)?;
                let mut nodes = Vec::new();
                for l in layers {
                    let (seq, weight) = layer(l, column)?;
                    let Some(slow) = weight.recip() else {
                        continue;
                    };
                    nodes.push(Node::fast(seq, Arg::Const(slow), column)?);
                }
                Node::stack(nodes, column)
            }
            '{' => {
                let layers = self.layers('{', column, depth + 1)?;
                let steps = self.polymeter_steps(depth)?;
                let mut parts = Vec::new();
                for l in layers {
                    let (seq, weight) = layer(l, column)?;
                    parts.push((seq, weight));
                }
                let steps = match steps {
                    Some(arg) => arg,
                    None => Arg::Const(parts.first().map_or(Rational::ONE, |p| p.1)),
                };
                let mut nodes = Vec::new();
                for (seq, weight) in parts {
                    if weight == Rational::ZERO {
                        continue;
                    }
                    let per = weight.recip().unwrap_or(Rational::ONE);
                    let factor = match &steps {
                        Arg::Const(s) => {
                            Arg::Const(s.checked_mul(per).ok_or_else(|| PatternError {
                                column,
                                message: "this polymeter's step counts are too large".to_string(),
                            })?)
                        }
                        Arg::Pattern { node, .. } => Arg::Pattern {
                            node: node.clone(),
                            recip: false,
                            scale: per,
                        },
                    };
                    nodes.push(Node::fast(seq, factor, column)?);
                }
                Node::stack(nodes, column)
            }
            _ => err(column, "'(' must follow a step, as in x(3,8)"),
        }
    }

    /// The `%steps` after a `{...}`, if any.
    fn polymeter_steps(&mut self, depth: usize) -> Result<Option<Arg>, PatternError> {
        let Some(Token {
            tok: Tok::Op('%', arg),
            column,
        }) = self.peek().cloned()
        else {
            return Ok(None);
        };
        self.pos += 1;
        let arg = self.number_arg('%', arg, column, depth, "steps per cycle")?;
        if let Arg::Const(v) = arg {
            positive_up_to_max(v, '%', &v.to_string(), "have no steps", column)?;
        }
        Ok(Some(arg))
    }

    /// One slice after an operator at `column`: a word or a group, no
    /// modifiers.
    fn slice(
        &mut self,
        depth: usize,
        column: usize,
        what: &str,
    ) -> Result<Arc<Node>, PatternError> {
        match self.peek().cloned() {
            Some(Token {
                tok: Tok::Word(w),
                column: wc,
            }) if w != ".." => {
                self.pos += 1;
                let mut els = Vec::new();
                push_word(&w, wc, &mut els)?;
                match els.as_slice() {
                    [one] if one.reps == 1 && one.weight == Rational::ONE => Ok(one.node.clone()),
                    _ => err(
                        wc,
                        format!("expected one value after {what} but found '{w}'"),
                    ),
                }
            }
            Some(Token {
                tok: Tok::Open('[' | '<' | '{'),
                ..
            }) => self.group(depth),
            Some(t) => err(
                t.column,
                format!(
                    "expected a number or a group after {what} but found {}",
                    describe(&t.tok)
                ),
            ),
            None => err(column, format!("expected a number after {what}")),
        }
    }

    /// A numeric argument: the number lexed with the operator, or a slice.
    fn number_arg(
        &mut self,
        op: char,
        arg: Option<(String, usize)>,
        column: usize,
        depth: usize,
        what: &str,
    ) -> Result<Arg, PatternError> {
        if let Some((text, col)) = arg {
            return Ok(Arg::Const(decimal(&text, col, op)?));
        }
        let node = self.slice(depth, column, &format!("'{op}'"))?;
        numbers_only(&node, what)?;
        Ok(match node.constant() {
            Some(v) => Arg::Const(v),
            None => Arg::Pattern {
                node,
                recip: false,
                scale: Rational::ONE,
            },
        })
    }

    /// An optional argument that must be written right after `op` (at
    /// `column`): a number, `<...>` or `[...]`.
    fn adjacent_arg(
        &mut self,
        op: char,
        arg: Option<(String, usize)>,
        column: usize,
        depth: usize,
        what: &str,
    ) -> Result<Option<Arg>, PatternError> {
        if arg.is_some() {
            return self.number_arg(op, arg, column, depth, what).map(Some);
        }
        let group_follows = matches!(
            self.peek(),
            Some(Token {
                tok: Tok::Open('<' | '['),
                ..
            })
        ) && self.adjacent(self.pos, column, 1);
        if group_follows {
            return self.number_arg(op, None, column, depth, what).map(Some);
        }
        Ok(None)
    }
}
