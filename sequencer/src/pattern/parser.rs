//! Tokens to the pattern tree.
//!
//! Grammar (whitespace separates steps and is otherwise ignored):
//!
//! ```text
//! layers   := sequence (',' sequence)*          // stacked, played together
//! sequence := (word | group | modifier | euclid)*
//! group    := '[' layers ']' | '<' layers '>'
//! modifier := '*' num | '/' num | '@' num | '!' [int] | '?' [num]
//! euclid   := '(' int ',' int [',' int] ')'
//! word     := step string (x X . ~ _ only) | note name | number, then '_'*
//! ```
//!
//! Modifiers and euclid arguments apply to the step just before them (for a
//! step string like `x..x`, its last character). `*`, `/`, `?` and euclid
//! wrap the step's content, `@` sets its weight, `!n` makes it `n` steps,
//! and a bare `!` or `_` repeats or lengthens the previous step.

use std::sync::Arc;

use super::ast::Node;
use super::euclid::euclid;
use super::lexer::{lex, Tok, Token};
use super::note::{letter_semitone, parse_note_name};
use super::rational::Rational;
use super::{PatternError, Value, MAX_DEPTH, MAX_REPEAT};

/// Parse pattern text into its tree.
pub(crate) fn parse_pattern(src: &str) -> Result<Arc<Node>, PatternError> {
    let mut p = Parser {
        toks: lex(src),
        pos: 0,
    };
    let layers = p.layers(None, 0)?;
    build_group('[', layers, 1)
}

/// One step of a sequence being built.
struct Step {
    /// What plays in the step.
    node: Arc<Node>,
    /// Its weight among its siblings.
    weight: Rational,
    /// How many consecutive copies (`!`).
    count: u32,
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
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
        Tok::Op(c, Some((n, _))) => format!("'{c}{n}'"),
        Tok::Op(c, None) => format!("'{c}'"),
    }
}

fn closer(open: char) -> char {
    match open {
        '[' => ']',
        '<' => '>',
        _ => ')',
    }
}

/// Build the node for a bracket group (or the whole pattern, `'['`).
fn build_group(
    open: char,
    layers: Vec<Vec<Step>>,
    column: usize,
) -> Result<Arc<Node>, PatternError> {
    let mut nodes = Vec::with_capacity(layers.len());
    for steps in layers {
        let mut flat = Vec::new();
        for s in &steps {
            for _ in 0..s.count {
                flat.push((s.weight, s.node.clone()));
            }
        }
        nodes.push(if open == '<' {
            Node::alternation(&flat, column)?
        } else {
            Node::seq(&flat, column)?
        });
    }
    Node::stack(nodes, column)
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
    let scale = 10i64.pow(frac.len() as u32);
    let parse = |s: &str| -> Result<i64, PatternError> {
        if s.is_empty() {
            return Ok(0);
        }
        s.parse::<i64>().or_else(|_| {
            err(
                column,
                format!("expected a number after '{op}' but found '{text}'"),
            )
        })
    };
    let num = parse(int)?
        .checked_mul(scale)
        .and_then(|n| n.checked_add(parse(frac).ok()?));
    num.and_then(|n| Rational::checked_new(n, scale))
        .ok_or_else(|| PatternError {
            column,
            message: format!("expected a number after '{op}' but found '{text}'"),
        })
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    /// Comma-separated sequences up to the closing bracket of `open`
    /// (`None`: up to the end of the text), which is consumed.
    fn layers(
        &mut self,
        open: Option<(char, usize)>,
        depth: usize,
    ) -> Result<Vec<Vec<Step>>, PatternError> {
        let mut layers = vec![self.sequence(depth)?];
        loop {
            let Some(t) = self.peek().cloned() else {
                return match open {
                    None => Ok(layers),
                    Some((c, col)) => err(col, format!("unclosed '{c}' (opened at column {col})")),
                };
            };
            match (&t.tok, open) {
                (Tok::Comma, _) => {
                    self.pos += 1;
                    layers.push(self.sequence(depth)?);
                }
                (Tok::Close(c), Some((o, _))) if *c == closer(o) => {
                    self.pos += 1;
                    return Ok(layers);
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
                // `sequence` only stops at commas, closers and the end.
                _ => return err(t.column, format!("unexpected {}", describe(&t.tok))),
            }
        }
    }

    /// Steps up to a comma, a closing bracket or the end (not consumed).
    fn sequence(&mut self, depth: usize) -> Result<Vec<Step>, PatternError> {
        let mut steps: Vec<Step> = Vec::new();
        while let Some(t) = self.peek().cloned() {
            let column = t.column;
            match t.tok {
                Tok::Comma | Tok::Close(_) => break,
                Tok::Word(w) => {
                    self.pos += 1;
                    push_word(&w, column, &mut steps)?;
                }
                Tok::Open(c @ ('[' | '<')) => {
                    self.pos += 1;
                    if depth + 1 > MAX_DEPTH {
                        return err(
                            column,
                            format!("groups nest more than {MAX_DEPTH} levels deep"),
                        );
                    }
                    let layers = self.layers(Some((c, column)), depth + 1)?;
                    steps.push(Step {
                        node: build_group(c, layers, column)?,
                        weight: Rational::ONE,
                        count: 1,
                    });
                }
                Tok::Open(_) => {
                    self.pos += 1;
                    let pattern = self.euclid_args(column)?;
                    let Some(last) = steps.last_mut() else {
                        return err(column, "'(' must follow a step, as in x(3,8)");
                    };
                    last.node = Node::euclid(last.node.clone(), &pattern, column)?;
                }
                Tok::Op(op, arg) => {
                    self.pos += 1;
                    apply_op(op, arg, column, &mut steps)?;
                }
            }
        }
        Ok(steps)
    }

    /// `(k,n)` or `(k,n,r)` after the `(` at `column`: the rotated rhythm.
    fn euclid_args(&mut self, column: usize) -> Result<Vec<bool>, PatternError> {
        const USAGE: &str = "euclid needs (k,n) or (k,n,r) with 0<=k<=n";
        let mut args: Vec<i64> = Vec::new();
        loop {
            // A number...
            let Some(t) = self.peek().cloned() else {
                return err(
                    column,
                    format!("unclosed '(' (opened at column {column}): {USAGE}"),
                );
            };
            let Tok::Word(w) = &t.tok else {
                return err(t.column, format!("{USAGE}, but found {}", describe(&t.tok)));
            };
            let digits = w.strip_prefix('-').unwrap_or(w);
            if digits.is_empty() || digits.len() > 18 || !digits.chars().all(|c| c.is_ascii_digit())
            {
                return err(
                    t.column,
                    format!("{USAGE}: expected a whole number but found '{w}'"),
                );
            }
            let value: i64 = w.parse().or_else(|_| {
                err(
                    t.column,
                    format!("{USAGE}: expected a whole number but found '{w}'"),
                )
            })?;
            args.push(value);
            self.pos += 1;
            // ...then ',' or ')'.
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
        let (k, n) = (args[0], args[1]);
        let r = args.get(2).copied().unwrap_or(0);
        let max = MAX_REPEAT as i64;
        if !(1..=max).contains(&n) {
            return err(
                column,
                format!("{USAGE}; the number of steps n must be 1..{max}, found {n}"),
            );
        }
        if !(0..=n).contains(&k) {
            return err(column, format!("{USAGE}, found k={k}, n={n}"));
        }
        // 0 <= k <= n <= MAX_REPEAT, so these fit usize.
        Ok(euclid(k as usize, n as usize, r))
    }
}

fn is_step_char(c: char) -> bool {
    matches!(c, 'x' | 'X' | '.' | '~' | '_')
}

/// `_`: lengthen the previous step by one unit of weight.
fn extend(steps: &mut Vec<Step>, column: usize) -> Result<(), PatternError> {
    let Some(last) = steps.last_mut() else {
        return err(column, "'_' has nothing to lengthen: it must follow a step");
    };
    if last.count > 1 {
        // Only the last copy of a replicated step gets longer.
        last.count -= 1;
        let (node, weight) = (last.node.clone(), last.weight);
        steps.push(Step {
            node,
            weight,
            count: 1,
        });
    }
    if let Some(last) = steps.last_mut() {
        last.weight = last
            .weight
            .checked_add(Rational::ONE)
            .ok_or_else(|| PatternError {
                column,
                message: "this step is too long".to_string(),
            })?;
    }
    Ok(())
}

/// Split a word into steps: a step string, or one note or number
/// (optionally followed by `_`s).
fn push_word(word: &str, column: usize, steps: &mut Vec<Step>) -> Result<(), PatternError> {
    let chars: Vec<char> = word.chars().collect();
    let Some(&first) = chars.first() else {
        return Ok(());
    };
    let atom = |node| Step {
        node,
        weight: Rational::ONE,
        count: 1,
    };
    if is_step_char(first) {
        for (i, &c) in chars.iter().enumerate() {
            match c {
                'x' => steps.push(atom(Node::atom(Value::Hit))),
                'X' => steps.push(atom(Node::atom(Value::Accent))),
                '.' | '~' => steps.push(atom(Node::silence())),
                '_' => extend(steps, column + i)?,
                _ => {
                    return err(
                        column + i,
                        format!(
                            "expected x, X, ., ~ or _ in the step string '{word}' but found '{c}' \
                             (separate steps with spaces)"
                        ),
                    )
                }
            }
        }
        return Ok(());
    }
    // One note or number, then optional `_`s.
    let end = chars.iter().position(|&c| c == '_').unwrap_or(chars.len());
    let text: String = chars[..end].iter().collect();
    let value = if first.is_ascii_digit() {
        number(&text, column)?
    } else if letter_semitone(first).is_some() {
        match parse_note_name(&text) {
            Ok(midi) => midi as f32,
            Err(e) => return err(column + e.offset, e.message),
        }
    } else {
        return err(
            column,
            format!("expected a note name, number, x, X, ~ or [ but found '{first}'"),
        );
    };
    steps.push(atom(Node::atom(Value::Note(value))));
    for (i, &c) in chars.iter().enumerate().skip(end) {
        if c != '_' {
            return err(
                column + i,
                format!("unexpected '{c}' after '{text}': separate steps with spaces"),
            );
        }
        extend(steps, column + i)?;
    }
    Ok(())
}

/// A bare MIDI note number: `60` or `62.5`, within 0..127.
fn number(text: &str, column: usize) -> Result<f32, PatternError> {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() && chars[i].is_ascii_digit() {
        i += 1;
    }
    if chars.get(i) == Some(&'.') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
        i += 1;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
    }
    if let Some(c) = chars.get(i) {
        let shown: String = chars[..i].iter().collect();
        return err(
            column + i,
            format!("unexpected '{c}' after '{shown}': separate steps with spaces"),
        );
    }
    let value: f64 = text.parse().or_else(|_| {
        err(
            column,
            format!("expected a MIDI note number but found '{text}'"),
        )
    })?;
    if !(0.0..=127.0).contains(&value) {
        return err(column, format!("note number {text} is out of range 0..127"));
    }
    Ok(value as f32)
}

/// Apply a modifier token to the last step.
fn apply_op(
    op: char,
    arg: Option<(String, usize)>,
    column: usize,
    steps: &mut [Step],
) -> Result<(), PatternError> {
    // A bare `!` repeats the previous step.
    if op == '!' && arg.is_none() {
        let Some(last) = steps.last_mut() else {
            return err(column, "'!' has nothing to repeat: it must follow a step");
        };
        if last.count as usize >= MAX_REPEAT {
            return err(
                column,
                format!("a step can repeat at most {MAX_REPEAT} times"),
            );
        }
        last.count += 1;
        return Ok(());
    }
    let Some(last) = steps.last_mut() else {
        return err(column, format!("'{op}' must follow a step, as in x{op}2"));
    };
    let max = Rational::from_integer(MAX_REPEAT as i64);
    let number = |what: &str| -> Result<Rational, PatternError> {
        let Some((text, col)) = &arg else {
            return err(column, format!("expected a number after '{op}'"));
        };
        let n = decimal(text, *col, op)?;
        if n == Rational::ZERO {
            return err(
                column,
                format!("'{op}{text}' would {what}: expected a number > 0"),
            );
        }
        if n > max {
            return err(
                column,
                format!("'{op}{text}' is too large: expected a number up to {MAX_REPEAT}"),
            );
        }
        Ok(n)
    };
    match op {
        '*' => {
            let n = number("never play")?;
            last.node = Node::fast(last.node.clone(), n, column)?;
        }
        '/' => {
            let n = number("never play")?;
            let factor = n.recip().unwrap_or(Rational::ONE);
            last.node = Node::fast(last.node.clone(), factor, column)?;
        }
        '@' => last.weight = number("take no time")?,
        '!' => {
            let n = number("remove the step")?;
            if !n.is_integer() {
                return err(
                    column,
                    format!("expected a whole number after '!' but found {n}"),
                );
            }
            // 1 <= n <= MAX_REPEAT.
            last.count = n.num as u32;
        }
        _ => {
            // '?'
            let prob = match &arg {
                None => 0.5,
                Some((text, col)) => {
                    let p = decimal(text, *col, op)?;
                    if p > Rational::ONE {
                        return err(
                            column,
                            format!(
                                "'?{text}' is not a probability: expected a number from 0 to 1"
                            ),
                        );
                    }
                    p.to_f64()
                }
            };
            last.node = Node::degrade(last.node.clone(), prob, column)?;
        }
    }
    Ok(())
}
