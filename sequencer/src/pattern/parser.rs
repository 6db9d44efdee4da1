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
use super::{number, PatternError, Value, MAX_DEPTH, MAX_REPEAT};

/// Parse pattern text into its tree.
pub(crate) fn parse_pattern(src: &str) -> Result<Arc<Node>, PatternError> {
    let mut p = Parser {
        toks: lex(src),
        pos: 0,
        seed: 0,
    };
    p.pattern(None, 0)
}

/// One element of a sequence being built.
struct Element {
    /// What plays in the element.
    node: Arc<Node>,
    /// Its weight among its siblings (all copies together).
    weight: Rational,
    /// A patterned weight (`@<1 2>`), read at the start of each cycle.
    weight_pattern: Option<Arc<Node>>,
    /// How many copies (`!`).
    reps: u32,
    /// Modifiers written after the last `!`: they apply to the group of
    /// copies, not to each copy (Strudel applies ops in written order,
    /// with the replication where the last `!` stands).
    post: Vec<Op>,
    /// Where it starts.
    column: usize,
}

/// A modifier waiting to be applied to a node.
type Op = Rc<dyn Fn(Arc<Node>) -> Result<Arc<Node>, PatternError>>;

impl Element {
    fn new(node: Arc<Node>, column: usize) -> Element {
        Element {
            node,
            weight: Rational::ONE,
            weight_pattern: None,
            reps: 1,
            post: Vec::new(),
            column,
        }
    }

    /// Apply a modifier: to the node, or after the copies when it follows
    /// a `!`.
    fn apply(&mut self, op: Op) -> Result<(), PatternError> {
        if self.reps > 1 {
            self.post.push(op);
        } else {
            self.node = op(self.node.clone())?;
        }
        Ok(())
    }

    /// A new `!`: the modifiers written since the last one now apply to
    /// the node itself, and the copies come last.
    fn settle(&mut self) -> Result<(), PatternError> {
        for op in std::mem::take(&mut self.post) {
            self.node = op(self.node.clone())?;
        }
        Ok(())
    }
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

/// The sequence of one layer and its total weight.
fn layer(elements: Vec<Element>, column: usize) -> Result<(Arc<Node>, Rational), PatternError> {
    let total = elements
        .iter()
        .try_fold(Rational::ZERO, |acc, e| acc.checked_add(e.weight))
        .ok_or_else(|| PatternError {
            column,
            message: "the step weights of this sequence are too large".to_string(),
        })?;
    if elements.iter().any(|e| e.weight_pattern.is_some()) {
        let mut steps = Vec::new();
        for e in elements {
            let w = match e.weight_pattern {
                Some(node) => Arg::Pattern {
                    node,
                    recip: false,
                    scale: Rational::ONE,
                },
                None => Arg::Const(e.weight),
            };
            for _ in 0..e.reps {
                steps.push((w.clone(), e.node.clone()));
            }
        }
        return Ok((Node::new(Kind::WeightedSeq(steps), column)?, total));
    }
    let mut flat = Vec::new();
    for e in &elements {
        if !e.post.is_empty() {
            // `[a b]!2?`: the modifiers after `!` act on the copies as a
            // group, which fills the element's weight.
            let copies: Vec<(Rational, Arc<Node>)> = (0..e.reps)
                .map(|_| (Rational::ONE, e.node.clone()))
                .collect();
            let mut node = Node::seq(&copies, e.column)?;
            for op in &e.post {
                node = op(node)?;
            }
            flat.push((e.weight, node));
            continue;
        }
        // Strudel plays the copies of `a!n@w` in the element's weight.
        let each = e
            .weight
            .checked_div(Rational::from_integer(i64::from(e.reps)))
            .unwrap_or(e.weight);
        for _ in 0..e.reps {
            flat.push((each, e.node.clone()));
        }
    }
    Ok((Node::seq(&flat, column)?, total))
}

/// Parse the decimal argument of a modifier (`2`, `1.5`, `0.25`).
fn decimal(text: &str, column: usize, op: char) -> Result<Rational, PatternError> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.len() > 12 || frac.len() > 6 {
        return err(
            column,
            format!("'{op}{text}' has too many digits (at most 12 before and 6 after the point)"),
        );
    }
    let bad = || PatternError {
        column,
        message: format!("expected a number after '{op}' but found '{text}'"),
    };
    let scale = 10i64.pow(frac.len() as u32);
    let int: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| bad())?
    };
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| bad())?
    };
    int.checked_mul(scale)
        .and_then(|n| n.checked_add(frac))
        .and_then(|n| Rational::checked_new(n, scale))
        .ok_or_else(bad)
}

/// Check that every atom of an argument pattern is a number.
fn numbers_only(node: &Node, what: &str) -> Result<(), PatternError> {
    if let Kind::Atom { value, column } = &node.kind {
        if !matches!(value, Value::Number(_)) {
            return err(
                *column,
                format!("{what}: expected a number but found {}", value.describe()),
            );
        }
    }
    let mut result = Ok(());
    node.for_each_child(|c| {
        if result.is_ok() {
            result = numbers_only(c, what);
        }
    });
    result
}

/// Check that every number an argument pattern can give is whole.
fn whole_numbers(node: &Node, what: &str, column: usize) -> Result<(), PatternError> {
    let mut values = Vec::new();
    node.numbers(&mut values);
    match values.iter().find(|v| !v.is_integer()) {
        Some(v) => err(
            column,
            format!("{what}: expected a whole number but found {v}"),
        ),
        None => Ok(()),
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
            if v <= Rational::ZERO {
                return err(
                    column,
                    format!("'%{v}': expected a number of steps per cycle > 0"),
                );
            }
            if v > Rational::from_integer(MAX_REPEAT as i64) {
                return err(
                    column,
                    format!("'%{v}' is too large: expected a number up to {MAX_REPEAT}"),
                );
            }
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

    /// Apply a modifier token to the last element.
    fn modifier(
        &mut self,
        op: char,
        arg: Option<(String, usize)>,
        column: usize,
        depth: usize,
        elements: &mut [Element],
    ) -> Result<(), PatternError> {
        if elements.is_empty() {
            return match op {
                '!' => err(column, "'!' has nothing to repeat: it must follow a step"),
                '%' => err(
                    column,
                    "'%' sets the steps per cycle of a polymeter, as in {a b c}%4",
                ),
                _ => err(column, format!("'{op}' must follow a step, as in x{op}2")),
            };
        }
        let max = Rational::from_integer(MAX_REPEAT as i64);
        match op {
            '*' | '/' => {
                let shown = arg.as_ref().map_or(String::new(), |(t, _)| t.clone());
                let factor = self.number_arg(op, arg, column, depth, &format!("'{op}'"))?;
                let factor = match factor {
                    Arg::Const(n) => {
                        positive_up_to_max(n, op, &shown, "never play", column)?;
                        Arg::Const(if op == '/' {
                            n.recip().unwrap_or(Rational::ONE)
                        } else {
                            n
                        })
                    }
                    Arg::Pattern { node, .. } => {
                        if node.numbers_max().is_some_and(|m| m > max) {
                            return err(
                                column,
                                format!("'{op}' is too large: expected numbers up to {MAX_REPEAT}"),
                            );
                        }
                        Arg::Pattern {
                            node,
                            recip: op == '/',
                            scale: Rational::ONE,
                        }
                    }
                };
                let Some(last) = elements.last_mut() else {
                    return Ok(());
                };
                last.apply(Rc::new(move |node| {
                    Node::fast(node, factor.clone(), column)
                }))?;
            }
            '@' => {
                let shown = arg.as_ref().map_or(String::new(), |(t, _)| t.clone());
                let weight = self.adjacent_arg('@', arg, column, depth, "a weight")?;
                let Some(last) = elements.last_mut() else {
                    return Ok(());
                };
                match weight {
                    None => add_weight(last, Rational::ONE, column)?,
                    Some(Arg::Const(n)) => {
                        positive_up_to_max(n, '@', &shown, "take no time", column)?;
                        add_weight(last, n - Rational::ONE, column)?;
                    }
                    Some(Arg::Pattern { node, .. }) => {
                        if last.weight != Rational::ONE || last.reps != 1 {
                            return err(
                                column,
                                "a patterned weight '@<...>' cannot be combined with other \
                                 weights, '_' or '!' on the same step",
                            );
                        }
                        let mut values = Vec::new();
                        node.numbers(&mut values);
                        if values.iter().any(|v| *v <= Rational::ZERO || *v > max) {
                            return err(
                                column,
                                format!("'@' weights must be numbers > 0 and up to {MAX_REPEAT}"),
                            );
                        }
                        last.weight = values.iter().max().copied().unwrap_or(Rational::ONE);
                        last.weight_pattern = Some(node);
                    }
                }
            }
            '!' => {
                let n = match &arg {
                    None => 2,
                    Some((text, col)) => {
                        let n = decimal(text, *col, '!')?;
                        if !n.is_integer() || n < Rational::ONE {
                            return err(
                                column,
                                format!("expected a whole number > 0 after '!' but found {n}"),
                            );
                        }
                        n.num
                    }
                };
                let Some(last) = elements.last_mut() else {
                    return Ok(());
                };
                if last.weight_pattern.is_some() {
                    return err(
                        column,
                        "'!' cannot repeat a step with a patterned weight '@<...>'",
                    );
                }
                let reps = i64::from(last.reps) + n - 1;
                if reps as usize > MAX_REPEAT {
                    return err(
                        column,
                        format!("a step can repeat at most {MAX_REPEAT} times"),
                    );
                }
                last.settle()?;
                // 1 <= reps <= MAX_REPEAT.
                last.reps = reps as u32;
                last.weight = Rational::from_integer(reps);
            }
            '?' => {
                let shown = arg.as_ref().map_or(String::new(), |(t, _)| t.clone());
                let amount = self
                    .adjacent_arg('?', arg, column, depth, "a probability")?
                    .unwrap_or(Arg::Const(Rational::new(1, 2)));
                let bad = amount.values().iter().any(|v| *v > Rational::ONE);
                if bad {
                    return err(
                        column,
                        format!("'?{shown}' is not a probability: expected a number from 0 to 1"),
                    );
                }
                let seed = self.next_seed();
                let Some(last) = elements.last_mut() else {
                    return Ok(());
                };
                last.apply(Rc::new(move |child: Arc<Node>| {
                    if child.is_silent() {
                        return Ok(child);
                    }
                    Node::new(
                        Kind::Degrade {
                            amount: amount.clone(),
                            seed,
                            child,
                        },
                        column,
                    )
                }))?;
            }
            _ => {
                return err(
                    column,
                    "'%' sets the steps per cycle of a polymeter, as in {a b c}%4",
                )
            }
        }
        Ok(())
    }

    /// `(k,n)` or `(k,n,r)` after the `(` at `column`.
    fn euclid_args(
        &mut self,
        column: usize,
        depth: usize,
    ) -> Result<(Arg, Arg, Arg), PatternError> {
        const USAGE: &str = "euclid needs (k,n) or (k,n,r) with 0<=k<=n";
        let mut args: Vec<(Arc<Node>, usize)> = Vec::new();
        loop {
            let Some(t) = self.peek().cloned() else {
                return err(
                    column,
                    format!("unclosed '(' (opened at column {column}): {USAGE}"),
                );
            };
            let elements = self.sequence(depth)?;
            match elements.as_slice() {
                [one] => args.push((one.node.clone(), t.column)),
                [] => return err(t.column, format!("{USAGE}, but found {}", describe(&t.tok))),
                [_, second, ..] => {
                    return err(
                        second.column,
                        format!("{USAGE}: expected ',' or ')' after one number"),
                    )
                }
            }
            let Some(t) = self.peek().cloned() else {
                return err(
                    column,
                    format!("unclosed '(' (opened at column {column}): {USAGE}"),
                );
            };
            match t.tok {
                Tok::Comma if args.len() < 3 => self.pos += 1,
                Tok::Close(')') if args.len() >= 2 => {
                    self.pos += 1;
                    break;
                }
                other => {
                    return err(t.column, format!("{USAGE}, but found {}", describe(&other)));
                }
            }
        }
        let mut out = Vec::new();
        for (node, col) in &args {
            numbers_only(node, USAGE).map_err(|e| PatternError {
                column: e.column,
                message: format!("{USAGE}: expected a whole number here"),
            })?;
            whole_numbers(node, USAGE, *col)?;
            out.push(match node.constant() {
                Some(v) => Arg::Const(v),
                None => Arg::Pattern {
                    node: node.clone(),
                    recip: false,
                    scale: Rational::ONE,
                },
            });
        }
        let r = out.get(2).cloned().unwrap_or(Arg::Const(Rational::ZERO));
        let n = out[1].clone();
        let k = out[0].clone();
        let max = MAX_REPEAT as i64;
        for v in n.values() {
            if !(0..=max).contains(&v.num) {
                return err(
                    column,
                    format!("{USAGE}; the number of steps n must be 1..{max}, found {v}"),
                );
            }
        }
        if let (Arg::Const(k), Arg::Const(n)) = (&k, &n) {
            if k.num.abs() > n.num {
                return err(column, format!("{USAGE}, found k={k}, n={n}"));
            }
        }
        for v in k.values() {
            if v.num.abs() > max {
                return err(column, format!("{USAGE}; k must be within -{max}..{max}"));
            }
        }
        Ok((k, n, r))
    }
}

/// Check a modifier's constant: above 0 (else it would `what`) and at
/// most [`MAX_REPEAT`].
fn positive_up_to_max(
    n: Rational,
    op: char,
    shown: &str,
    what: &str,
    column: usize,
) -> Result<(), PatternError> {
    if n <= Rational::ZERO {
        return err(
            column,
            format!("'{op}{shown}' would {what}: expected a number > 0"),
        );
    }
    if n > Rational::from_integer(MAX_REPEAT as i64) {
        return err(
            column,
            format!("'{op}{shown}' is too large: expected a number up to {MAX_REPEAT}"),
        );
    }
    Ok(())
}

/// Add `extra` to an element's weight (`@n` adds `n - 1`, `_` adds 1).
fn add_weight(last: &mut Element, extra: Rational, column: usize) -> Result<(), PatternError> {
    if last.weight_pattern.is_some() {
        return err(
            column,
            "a patterned weight '@<...>' cannot be combined with other weights or '_'",
        );
    }
    last.weight = last
        .weight
        .checked_add(extra)
        .filter(|w| *w <= Rational::from_integer(MAX_REPEAT as i64 * 2))
        .ok_or_else(|| PatternError {
            column,
            message: "this step is too long".to_string(),
        })?;
    Ok(())
}

fn is_step_char(c: char) -> bool {
    matches!(c, 'x' | 'X' | '.' | '~' | '_' | '-')
}

/// Split a word into elements: a step string, or one value (optionally
/// followed by `_`s).
fn push_word(word: &str, column: usize, elements: &mut Vec<Element>) -> Result<(), PatternError> {
    let chars: Vec<char> = word.chars().collect();
    let Some(&first) = chars.first() else {
        return Ok(());
    };
    // `_` and `_n`: lengthen the previous element.
    if first == '_' && chars.len() > 1 && chars[1..].iter().all(char::is_ascii_digit) {
        let Some(last) = elements.last_mut() else {
            return err(column, "'_' has nothing to lengthen: it must follow a step");
        };
        let n: i64 = word[1..].parse().unwrap_or(i64::MAX);
        if n < 1 || n as usize > MAX_REPEAT {
            return err(
                column,
                format!("expected '_' or '_n' with n from 1 to {MAX_REPEAT}"),
            );
        }
        return add_weight(last, Rational::from_integer(n - 1), column);
    }
    let step_string = chars.iter().all(|&c| is_step_char(c)) && number::parse(word).is_none();
    if step_string {
        for (i, &c) in chars.iter().enumerate() {
            match c {
                'x' => elements.push(Element::new(Node::atom(Value::Hit, column + i), column + i)),
                'X' => elements.push(Element::new(
                    Node::atom(Value::Accent, column + i),
                    column + i,
                )),
                '_' => {
                    let Some(last) = elements.last_mut() else {
                        return err(
                            column + i,
                            "'_' has nothing to lengthen: it must follow a step",
                        );
                    };
                    extend(last, column + i)?;
                }
                _ => elements.push(Element::new(Node::silence(), column + i)),
            }
        }
        return Ok(());
    }
    if matches!(first, '.' | '~' | '_') {
        let bad = chars.iter().position(|&c| !is_step_char(c)).unwrap_or(0);
        return err(
            column + bad,
            format!(
                "expected x, X, ., ~, - or _ in the step string '{word}' but found '{}' \
                 (separate steps with spaces)",
                chars[bad]
            ),
        );
    }
    // One value, then optional `_`s.
    let end = chars
        .iter()
        .rposition(|&c| c != '_')
        .map_or(chars.len(), |i| i + 1);
    let text: String = chars[..end].iter().collect();
    let value = match number::parse(&text) {
        Some(v) => Value::Number(v),
        None => Value::Word(text.as_str().into()),
    };
    elements.push(Element::new(Node::atom(value, column), column));
    for (i, _) in chars.iter().enumerate().skip(end) {
        let Some(last) = elements.last_mut() else {
            break;
        };
        extend(last, column + i)?;
    }
    Ok(())
}

/// `_` inside a word: one more unit of weight for the element before.
fn extend(last: &mut Element, column: usize) -> Result<(), PatternError> {
    add_weight(last, Rational::ONE, column)
}
