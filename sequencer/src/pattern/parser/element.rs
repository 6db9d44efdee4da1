//! Elements of a sequence as they are built: steps from words, their
//! weights and copies, the modifiers waiting for the copies, and a layer
//! of elements turned into a sequence node.

use std::rc::Rc;
use std::sync::Arc;

use super::super::ast::{Arg, Kind, Node};
use super::super::rational::Rational;
use super::super::{number, PatternError, Value, MAX_REPEAT};
use super::err;

/// One element of a sequence being built.
pub(super) struct Element {
    /// What plays in the element.
    pub(super) node: Arc<Node>,
    /// Its weight among its siblings (all copies together).
    pub(super) weight: Rational,
    /// A patterned weight (`@<1 2>`), read at the start of each cycle.
    pub(super) weight_pattern: Option<Arc<Node>>,
    /// How many copies (`!`).
    pub(super) reps: u32,
    /// Modifiers written after the last `!`: they apply to the group of
    /// copies, not to each copy (Strudel applies ops in written order,
    /// with the replication where the last `!` stands).
    pub(super) post: Vec<Op>,
    /// Where it starts.
    pub(super) column: usize,
}

/// A modifier waiting to be applied to a node.
pub(super) type Op = Rc<dyn Fn(Arc<Node>) -> Result<Arc<Node>, PatternError>>;

impl Element {
    pub(super) fn new(node: Arc<Node>, column: usize) -> Element {
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
    pub(super) fn apply(&mut self, op: Op) -> Result<(), PatternError> {
        if self.reps > 1 {
            self.post.push(op);
        } else {
            self.node = op(self.node.clone())?;
        }
        Ok(())
    }

    /// A new `!`: the modifiers written since the last one now apply to
    /// the node itself, and the copies come last.
    pub(super) fn settle(&mut self) -> Result<(), PatternError> {
        for op in std::mem::take(&mut self.post) {
            self.node = op(self.node.clone())?;
        }
        Ok(())
    }
}

/// The sequence of one layer and its total weight.
pub(super) fn layer(
    elements: Vec<Element>,
    column: usize,
) -> Result<(Arc<Node>, Rational), PatternError> {
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
pub(super) fn decimal(text: &str, column: usize, op: char) -> Result<Rational, PatternError> {
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
pub(super) fn numbers_only(node: &Node, what: &str) -> Result<(), PatternError> {
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
pub(super) fn whole_numbers(node: &Node, what: &str, column: usize) -> Result<(), PatternError> {
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

/// Check a modifier's constant: above 0 (else it would `what`) and at
/// most [`MAX_REPEAT`].
pub(super) fn positive_up_to_max(
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
pub(super) fn add_weight(
    last: &mut Element,
    extra: Rational,
    column: usize,
) -> Result<(), PatternError> {
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

pub(super) fn is_step_char(c: char) -> bool {
    matches!(c, 'x' | 'X' | '.' | '~' | '_' | '-')
}

/// Split a word into elements: a step string, or one value (optionally
/// followed by `_`s).
pub(super) fn push_word(
    word: &str,
    column: usize,
    elements: &mut Vec<Element>,
) -> Result<(), PatternError> {
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
pub(super) fn extend(last: &mut Element, column: usize) -> Result<(), PatternError> {
    add_weight(last, Rational::ONE, column)
}
