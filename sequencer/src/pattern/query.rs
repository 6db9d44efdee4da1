//! Querying the pattern tree, as Strudel and Tidal do.
//!
//! A node is a function from a time span `[begin, end)` (in its own, local
//! cycles) to *haps*: a value with its `whole` (the event's full extent)
//! and its `part` (the piece of the whole inside the query). Parents
//! transform time on the way down and map the haps back on the way up: a
//! sequence maps each cycle's slot onto the child's cycle, `*f` multiplies
//! time by `f`, an alternation is a sequence slowed by its length. An event
//! *starts* in a span when its part begins where its whole does; only those
//! are played. Patterned arguments are joined as Strudel's `innerJoin`: the
//! argument's events cut the query into pieces, each piece is queried with
//! that piece's value, and the structure comes from the result.
//!
//! All time arithmetic is exact; a branch whose arithmetic would overflow
//! `i64` (only reachable at absurd cycle numbers) is skipped rather than
//! panicking.

use std::sync::Arc;

use super::ast::{Arg, Kind, Node, Slot};
use super::euclid::euclid;
use super::rational::Rational;
use super::{number, rand, PatternEvent, Value, MAX_EVENTS_PER_CYCLE};

/// Most haps (fragments included) one query may build before it stops.
const MAX_HAPS: usize = 4 * MAX_EVENTS_PER_CYCLE;

/// A time span `[begin, end)`, in cycles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Span {
    pub begin: Rational,
    pub end: Rational,
}

impl Span {
    fn new(begin: Rational, end: Rational) -> Span {
        Span { begin, end }
    }

    /// The overlap of two spans, if it is not empty.
    fn intersect(self, other: Span) -> Option<Span> {
        let s = Span::new(self.begin.max(other.begin), self.end.min(other.end));
        (s.begin < s.end).then_some(s)
    }

    /// The span with `f` applied to both ends.
    fn map(self, f: impl Fn(Rational) -> Option<Rational>) -> Option<Span> {
        Some(Span::new(f(self.begin)?, f(self.end)?))
    }

    /// The cycles the span touches.
    fn cycles(self) -> std::ops::Range<i64> {
        self.begin.floor()..self.end.ceil()
    }
}

/// A value with its whole and the part of it inside the query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Hap {
    pub whole: Span,
    pub part: Span,
    pub value: Value,
}

/// Events of `root` with onsets in cycle `cycle`, sorted by onset.
pub(crate) fn events(root: &Node, cycle: i64, seed: u64) -> Vec<PatternEvent> {
    let begin = Rational::from_integer(cycle);
    let Some(end) = begin.checked_add(Rational::ONE) else {
        return Vec::new();
    };
    let mut haps = Vec::new();
    let _ = query(root, Span::new(begin, end), seed, &mut haps);
    let mut out: Vec<PatternEvent> = haps
        .into_iter()
        .filter(|h| h.whole.begin == h.part.begin)
        .filter_map(|h| {
            Some(PatternEvent {
                onset: h.whole.begin,
                duration: h.whole.end.checked_sub(h.whole.begin)?,
                value: h.value,
            })
        })
        .take(MAX_EVENTS_PER_CYCLE)
        .collect();
    // Stable: simultaneous events keep their order in the pattern text.
    out.sort_by_key(|e| e.onset);
    out
}

/// Query `node` over `span`, appending haps to `out`.
pub(crate) fn query(node: &Node, span: Span, seed: u64, out: &mut Vec<Hap>) -> Option<()> {
    if span.begin >= span.end || out.len() >= MAX_HAPS {
        return Some(());
    }
    match &node.kind {
        Kind::Silence => {}
        Kind::Atom { value, .. } => {
            for c in span.cycles() {
                let b = Rational::from_integer(c);
                let whole = Span::new(b, b.checked_add(Rational::ONE)?);
                if let Some(part) = whole.intersect(span) {
                    out.push(Hap {
                        whole,
                        part,
                        value: value.clone(),
                    });
                }
            }
        }
        Kind::Seq(slots) => {
            for c in span.cycles() {
                let _ = query_slots(slots, c, span, seed, out);
            }
        }
        Kind::WeightedSeq(steps) => {
            for c in span.cycles() {
                let _ = query_weighted(steps, c, span, seed, out);
            }
        }
        Kind::Stack(children) => {
            for child in children {
                let _ = query(child, span, seed, out);
            }
        }
        Kind::Fast { factor, child } => {
            for (values, part) in arg_combos(&[factor], span, seed)? {
                let _ = fast(child, values[0], part, seed, out);
            }
        }
        Kind::Euclid { k, n, r, child } => {
            for (values, part) in arg_combos(&[k, n, r], span, seed)? {
                if let [k, n, r] = values[..] {
                    let _ = euclid_struct(child, (k, n, r), part, seed, out);
                }
            }
        }
        Kind::Degrade {
            amount,
            seed: stream,
            child,
        } => {
            for (values, part) in arg_combos(&[amount], span, seed)? {
                let start = out.len();
                let _ = query(child, part, seed, out);
                let amount = values[0].to_f64();
                let mut keep = start;
                for i in start..out.len() {
                    if rand::at(out[i].whole.begin, *stream, seed) > amount {
                        out.swap(keep, i);
                        keep += 1;
                    }
                }
                out.truncate(keep);
            }
        }
        Kind::Choose {
            seed: stream,
            children,
        } => {
            for c in span.cycles() {
                let b = Rational::from_integer(c);
                let whole = Span::new(b, b.checked_add(Rational::ONE)?);
                let Some(part) = whole.intersect(span) else {
                    continue;
                };
                let r = rand::at(b, *stream, seed);
                let n = children.len();
                let i = ((r * n as f64).floor() as usize).min(n.saturating_sub(1));
                if let Some(child) = children.get(i) {
                    let _ = query(child, part, seed, out);
                }
            }
        }
        Kind::Range { from, to, column } => range(from, to, *column, span, seed, out)?,
        Kind::Tail { left, right } => {
            let mut lefts = Vec::new();
            query(left, span, seed, &mut lefts)?;
            let mut rights = Vec::new();
            for l in lefts {
                rights.clear();
                let _ = query(right, l.whole, seed, &mut rights);
                for r in &rights {
                    if let Some(part) = l.part.intersect(r.part) {
                        out.push(Hap {
                            whole: l.whole,
                            part,
                            value: l.value.with_tail(&r.value),
                        });
                    }
                }
            }
        }
    }
    Some(())
}

/// Query the slots of one cycle `c` of a sequence.
fn query_slots(slots: &[Slot], c: i64, span: Span, seed: u64, out: &mut Vec<Hap>) -> Option<()> {
    let cycle = Rational::from_integer(c);
    let within = Span::new(cycle, cycle.checked_add(Rational::ONE)?).intersect(span)?;
    let lo = within.begin.checked_sub(cycle)?;
    let hi = within.end.checked_sub(cycle)?;
    // Slots are sorted and disjoint: skip straight to the first one ending
    // after `lo`, stop at the first starting at `hi`.
    let first = slots.partition_point(|s| s.start.checked_add(s.len).is_some_and(|e| e <= lo));
    for slot in slots[first..].iter().take_while(|s| s.start < hi) {
        let _ = query_slot(&slot.node, cycle, slot.start, slot.len, span, seed, out);
    }
    Some(())
}

/// Query the slot `[c + start, c + start + len)` of cycle `c`, with the
/// child seeing its cycle `c` squeezed into the slot.
fn query_slot(
    child: &Node,
    cycle: Rational,
    start: Rational,
    len: Rational,
    span: Span,
    seed: u64,
    out: &mut Vec<Hap>,
) -> Option<()> {
    let s0 = cycle.checked_add(start)?;
    let slot = Span::new(s0, s0.checked_add(len)?);
    let part = slot.intersect(span)?;
    // Local time t' <-> parent time s0 + (t' - c) * len.
    let local = part.map(|t| cycle.checked_add(t.checked_sub(s0)?.checked_div(len)?))?;
    let first = out.len();
    query(child, local, seed, out)?;
    map_from(out, first, |t| {
        s0.checked_add(t.checked_sub(cycle)?.checked_mul(len)?)
    })
}

/// Map the haps from `first` on through `f`, in place; drop those that
/// overflow.
fn map_from(
    out: &mut Vec<Hap>,
    first: usize,
    f: impl Fn(Rational) -> Option<Rational>,
) -> Option<()> {
    let mut keep = first;
    for i in first..out.len() {
        let h = &out[i];
        if let (Some(whole), Some(part)) = (h.whole.map(&f), h.part.map(&f)) {
            out.swap(keep, i);
            out[keep].whole = whole;
            out[keep].part = part;
            keep += 1;
        }
    }
    out.truncate(keep);
    Some(())
}

/// A sequence whose weights are patterns: the weights' values at the
/// cycle's start lay out cycle `c`.
fn query_weighted(
    steps: &[(Arg, Arc<Node>)],
    c: i64,
    span: Span,
    seed: u64,
    out: &mut Vec<Hap>,
) -> Option<()> {
    let cycle = Rational::from_integer(c);
    let mut weights = Vec::with_capacity(steps.len());
    for (w, _) in steps {
        weights.push(match w {
            Arg::Const(v) => *v,
            Arg::Pattern { node, recip, scale } => {
                let at = Span::new(cycle, cycle.checked_add(Rational::ONE)?);
                let mut haps = Vec::new();
                query(node, at, seed, &mut haps)?;
                let v = haps
                    .iter()
                    .find(|h| h.whole.begin <= cycle)
                    .or(haps.first())
                    .and_then(|h| h.value.number())
                    .and_then(number::to_rational)
                    .unwrap_or(Rational::ONE);
                Arg::map(*recip, *scale, v).unwrap_or(Rational::ONE)
            }
        });
    }
    let total = weights
        .iter()
        .try_fold(Rational::ZERO, |a, w| a.checked_add(*w))?;
    let mut acc = Rational::ZERO;
    for ((_, node), w) in steps.iter().zip(weights) {
        if w > Rational::ZERO && !node.is_silent() {
            let start = acc.checked_div(total)?;
            let len = w.checked_div(total)?;
            let _ = query_slot(node, cycle, start, len, span, seed, out);
        }
        acc = acc.checked_add(w)?;
    }
    Some(())
}

/// `child` at `factor` times the speed over `span`.
fn fast(child: &Node, factor: Rational, span: Span, seed: u64, out: &mut Vec<Hap>) -> Option<()> {
    if factor <= Rational::ZERO {
        return Some(());
    }
    let local = span.map(|t| t.checked_mul(factor))?;
    let first = out.len();
    query(child, local, seed, out)?;
    map_from(out, first, |t| t.checked_div(factor))
}

/// The argument values in force over the pieces of `span`: Strudel's
/// patternified arguments, combined left to right with `appLeft` (each
/// later argument is read over the first one's events).
fn arg_combos(args: &[&Arg], span: Span, seed: u64) -> Option<Vec<(Vec<Rational>, Span)>> {
    if let Some(values) = args
        .iter()
        .map(|a| match a {
            Arg::Const(v) => Some(*v),
            Arg::Pattern { .. } => None,
        })
        .collect::<Option<Vec<_>>>()
    {
        return Some(vec![(values, span)]);
    }
    // (values so far, part, whole of the first argument's event)
    let mut combos: Vec<(Vec<Rational>, Span, Span)> = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        let haps_over = |s: Span| -> Option<Vec<(Rational, Span, Span)>> {
            Some(match arg {
                Arg::Const(v) => {
                    let mut out = Vec::new();
                    for c in s.cycles() {
                        let b = Rational::from_integer(c);
                        let whole = Span::new(b, b.checked_add(Rational::ONE)?);
                        if let Some(part) = whole.intersect(s) {
                            out.push((*v, part, whole));
                        }
                    }
                    out
                }
                Arg::Pattern { node, recip, scale } => {
                    let mut haps = Vec::new();
                    query(node, s, seed, &mut haps)?;
                    haps.into_iter()
                        .filter_map(|h| {
                            let v = number::to_rational(h.value.number()?)?;
                            Some((Arg::map(*recip, *scale, v)?, h.part, h.whole))
                        })
                        .collect()
                }
            })
        };
        if i == 0 {
            combos = haps_over(span)?
                .into_iter()
                .map(|(v, part, whole)| (vec![v], part, whole))
                .collect();
            continue;
        }
        let mut next = Vec::new();
        for (values, part, whole) in combos {
            for (v, p, _) in haps_over(whole)? {
                if let Some(p) = part.intersect(p) {
                    let mut vs = values.clone();
                    vs.push(v);
                    next.push((vs, p, whole));
                }
            }
        }
        combos = next;
    }
    Some(combos.into_iter().map(|(v, p, _)| (v, p)).collect())
}

/// Strudel's `struct` with a Euclidean rhythm: each hit of `(k, n, r)`
/// plays what `child` plays at that moment, for the step's length.
fn euclid_struct(
    child: &Node,
    (k, n, r): (Rational, Rational, Rational),
    span: Span,
    seed: u64,
    out: &mut Vec<Hap>,
) -> Option<()> {
    let (k, n, r) = (k.floor(), n.floor(), r.floor());
    if n <= 0 || k.abs() > n || n > super::MAX_REPEAT as i64 {
        return Some(());
    }
    let mut steps = euclid(k.unsigned_abs() as usize, n as usize, r);
    if k < 0 {
        steps.iter_mut().for_each(|b| *b = !*b);
    }
    let hits: Vec<i64> = (0..n).filter(|&i| steps[i as usize]).collect();
    let step = |c: i64, i: i64| Rational::checked_new(c.checked_mul(n)?.checked_add(i)?, n);
    let mut inner = Vec::new();
    for c in span.cycles() {
        let cycle = Rational::from_integer(c);
        let lo = span.begin.max(cycle);
        let first = hits.partition_point(|&i| step(c, i + 1).is_some_and(|e| e <= lo));
        for &i in &hits[first..] {
            let whole = Span::new(step(c, i)?, step(c, i + 1)?);
            if whole.begin >= span.end {
                break;
            }
            let Some(part) = whole.intersect(span) else {
                continue;
            };
            inner.clear();
            let _ = query(child, whole, seed, &mut inner);
            for h in &inner {
                if let Some(p) = part.intersect(h.part) {
                    out.push(Hap {
                        whole,
                        part: p,
                        value: h.value.clone(),
                    });
                }
            }
        }
    }
    Some(())
}

/// `from .. to`: for each event of `from`, the numbers up to `to` (read in
/// the event's own time) as a sequence squeezed into the event (Strudel's
/// `squeezeBind` then `bind`).
fn range(
    from: &Node,
    to: &Node,
    column: usize,
    span: Span,
    seed: u64,
    out: &mut Vec<Hap>,
) -> Option<()> {
    let mut starts = Vec::new();
    query(from, span, seed, &mut starts)?;
    for f in starts {
        let Some(a) = f.value.number() else { continue };
        let w = f.whole;
        let len = w.end.checked_sub(w.begin)?;
        let base = Rational::from_integer(w.begin.floor());
        // Inner time u <-> outer time w.begin + (u - base) * len.
        let to_inner = |t: Rational| base.checked_add(t.checked_sub(w.begin)?.checked_div(len)?);
        let to_outer = |u: Rational| w.begin.checked_add(u.checked_sub(base)?.checked_mul(len)?);
        let Some(inner_part) = f.part.map(to_inner) else {
            continue;
        };
        let mut ends = Vec::new();
        query(to, inner_part, seed, &mut ends)?;
        for e in ends {
            let Some(b) = e.value.number() else { continue };
            let (a, b) = (a.round() as i64, b.round() as i64);
            if a.abs_diff(b) >= super::ast::MAX_RANGE as u64 {
                continue;
            }
            let values: Vec<(Rational, Arc<Node>)> = if a <= b {
                (a..=b)
                    .map(|v| (Rational::ONE, Node::atom(Value::Number(v as f64), column)))
                    .collect()
            } else {
                (b..=a)
                    .rev()
                    .map(|v| (Rational::ONE, Node::atom(Value::Number(v as f64), column)))
                    .collect()
            };
            let Ok(seq) = Node::seq(&values, column) else {
                continue;
            };
            let mut inner = Vec::new();
            let _ = query(&seq, e.part, seed, &mut inner);
            for h in inner {
                let (Some(whole), Some(part)) =
                    (h.whole.intersect(e.whole), h.part.intersect(e.part))
                else {
                    continue;
                };
                let (Some(whole), Some(part)) = (whole.map(to_outer), part.map(to_outer)) else {
                    continue;
                };
                let (Some(whole), Some(part)) = (whole.intersect(w), part.intersect(f.part)) else {
                    continue;
                };
                out.push(Hap {
                    whole,
                    part,
                    value: h.value,
                });
            }
        }
    }
    Some(())
}
