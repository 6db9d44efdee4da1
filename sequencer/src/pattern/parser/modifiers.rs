//! Modifiers: `* / @ ! ? %` and Euclid's `(k,n,r)` applied to the element
//! before them.

use std::rc::Rc;
use std::sync::Arc;

use super::super::ast::{Arg, Kind, Node};
use super::super::lexer::Tok;
use super::super::rational::Rational;
use super::super::{PatternError, MAX_REPEAT};
use super::element::{
    add_weight, decimal, numbers_only, positive_up_to_max, whole_numbers, Element,
};
use super::{describe, err, Parser};

impl Parser {
    /// Apply a modifier token to the last element.
    pub(super) fn modifier(
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
    pub(super) fn euclid_args(
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
