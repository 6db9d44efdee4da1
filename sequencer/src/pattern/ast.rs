//! The parsed pattern tree, with the static bounds used to reject
//! pathological patterns at parse time.
//!
//! Every node knows three bounds, computed from its children when it is
//! built ([`Node::new`]):
//! - `events`: an upper bound on the events it yields for one whole cycle
//!   (used to refuse patterns that would flood the scheduler);
//! - `resolution`: a bound on how finely it divides time (a product of the
//!   numerators and denominators of the time scalings on the way down), so
//!   exact rational arithmetic stays far from `i64` overflow;
//! - `depth`: how deep the tree is, so querying cannot blow the stack.
//!
//! Arguments written as patterns (`a*<2 3>`, `a(<3 5>,8)`) are bounded by
//! the largest value their pattern can take, which is known at parse time:
//! the values are the pattern's atoms.

use std::sync::Arc;

use super::rational::Rational;
use super::{PatternError, Value, MAX_EVENTS_PER_CYCLE};

/// Largest allowed time resolution bound (see the module docs).
pub(crate) const MAX_RESOLUTION: u128 = 1 << 32;
/// Largest allowed node depth (brackets plus stacked modifiers).
pub(crate) const MAX_NODE_DEPTH: u32 = 256;

/// A node of the pattern tree plus its static bounds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Node {
    /// What the node does.
    pub kind: Kind,
    /// Upper bound on events per cycle.
    pub events: u128,
    /// Bound on the time resolution below this node.
    pub resolution: u128,
    /// Depth of the tree below (a leaf is 1).
    pub depth: u32,
}

/// One step slot of a sequence: where it sits inside each cycle.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Slot {
    /// Start of the slot as a fraction of the cycle, in `[0, 1)`.
    pub start: Rational,
    /// Length of the slot as a fraction of the cycle, in `(0, 1]`.
    pub len: Rational,
    /// What plays in the slot (each cycle of the child fills one slot).
    pub node: Arc<Node>,
}

/// A numeric argument: a constant, or a pattern of numbers whose value at
/// each moment applies (Strudel's patterned arguments, joined as
/// `innerJoin`: the structure comes from the pattern being modified).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Arg {
    /// A fixed value.
    Const(Rational),
    /// A pattern of numbers; each value `v` is used as `scale * v` (or
    /// `scale / v` when `recip`).
    Pattern {
        /// The pattern; its atoms are all numbers (checked when parsed).
        node: Arc<Node>,
        /// Use `1 / v` instead of `v` (for `/`).
        recip: bool,
        /// Multiply by this afterwards (polymeter steps per layer).
        scale: Rational,
    },
}

impl Arg {
    /// The argument's value for the number `v` its pattern produced.
    pub fn map(recip: bool, scale: Rational, v: Rational) -> Option<Rational> {
        let v = if recip { v.recip()? } else { v };
        v.checked_mul(scale)
    }

    /// Every value the argument can take (the pattern's atoms, mapped).
    pub fn values(&self) -> Vec<Rational> {
        match self {
            Arg::Const(v) => vec![*v],
            Arg::Pattern { node, recip, scale } => {
                let mut out = Vec::new();
                node.numbers(&mut out);
                out.into_iter()
                    .filter_map(|v| Arg::map(*recip, *scale, v))
                    .collect()
            }
        }
    }

    /// The pattern node, if the argument is patterned.
    fn node(&self) -> Option<&Arc<Node>> {
        match self {
            Arg::Const(_) => None,
            Arg::Pattern { node, .. } => Some(node),
        }
    }

    /// `(events, resolution, depth)` of the argument's own pattern.
    fn bounds(&self) -> (u128, u128, u32) {
        self.node()
            .map_or((1, 1, 0), |n| (n.events.max(1), n.resolution, n.depth))
    }
}

/// The node kinds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// Nothing.
    Silence,
    /// One event per cycle, lasting the cycle. `column` is where the atom
    /// was written, for errors found when values are resolved.
    Atom {
        /// What sounds.
        value: Value,
        /// 1-based column of the atom in the pattern text.
        column: usize,
    },
    /// Steps sharing each cycle; only sounding steps are stored.
    Seq(Vec<Slot>),
    /// Steps whose weights are patterns (`a@<1 2>`): the layout is worked
    /// out again each cycle from the weights' values at the cycle's start.
    WeightedSeq(Vec<(Arg, Arc<Node>)>),
    /// Children playing at the same time.
    Stack(Vec<Arc<Node>>),
    /// Time scaled: the child runs `factor` times as fast (`*n`; `/n` is
    /// `factor = 1/n`). Alternation `<...>` is a sequence slowed down by its
    /// total weight, polymeter `{...}` a stack of sped-up sequences.
    Fast {
        /// Speed factor; a value <= 0 plays nothing.
        factor: Arg,
        /// The scaled child.
        child: Arc<Node>,
    },
    /// Euclidean rhythm `child(k, n, r)`: `k` hits spread over `n` steps,
    /// rotated left by `r`; each hit plays what the child plays at the
    /// hit's start (Strudel's `struct`), for the length of the step.
    Euclid {
        /// Hits (negative: the complement of `-k` hits).
        k: Arg,
        /// Steps per cycle.
        n: Arg,
        /// Left rotation in steps.
        r: Arg,
        /// The pattern the hits take their values from.
        child: Arc<Node>,
    },
    /// `?`: each event is dropped when Strudel's random signal at its onset
    /// (offset by the `?`'s seed) is not above `amount`.
    Degrade {
        /// Drop probability in `[0, 1]`.
        amount: Arg,
        /// Which random stream: the n-th `?` or `|` of the pattern text.
        seed: u32,
        /// The thinned child.
        child: Arc<Node>,
    },
    /// `a | b | c`: one child per cycle, picked at random (seeded).
    Choose {
        /// Which random stream (see `Degrade`).
        seed: u32,
        /// The candidates.
        children: Vec<Arc<Node>>,
    },
    /// `name:<...>`: the tail's value at each event's onset is appended to
    /// the name (`sd:<1 2>` plays `sd:1`, then `sd:2`); the structure comes
    /// from the name.
    Tail {
        /// The name part.
        left: Arc<Node>,
        /// The patterned tail.
        right: Arc<Node>,
    },
    /// `a .. b`: the whole numbers from `a` to `b` as a sequence squeezed
    /// into each event of `from`.
    Range {
        /// Where each run starts.
        from: Arc<Node>,
        /// Where it ends (inclusive).
        to: Arc<Node>,
        /// 1-based column of the `..`, for errors about the numbers it lists.
        column: usize,
    },
}

fn gcd(a: u128, b: u128) -> u128 {
    let (mut a, mut b) = (a, b);
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

pub(crate) fn abs_u128(x: i64) -> u128 {
    u128::from(x.unsigned_abs())
}

/// Most numbers one range `a .. b` may list.
pub(crate) const MAX_RANGE: u128 = 1024;

/// How many cycles of a child one cycle at speed `factor` touches.
fn cycles_touched(factor: Rational) -> u128 {
    if factor <= Rational::ZERO {
        return 0;
    }
    let (p, q) = (abs_u128(factor.num), abs_u128(factor.den));
    if q == 1 {
        p
    } else if p == 1 {
        1
    } else {
        p.div_ceil(q) + 1
    }
}

impl Node {
    /// The silent node.
    pub fn silence() -> Arc<Node> {
        Arc::new(Node {
            kind: Kind::Silence,
            events: 0,
            resolution: 1,
            depth: 1,
        })
    }

    /// A single value every cycle, written at `column`.
    pub fn atom(value: Value, column: usize) -> Arc<Node> {
        Arc::new(Node {
            kind: Kind::Atom { value, column },
            events: 1,
            resolution: 1,
            depth: 1,
        })
    }

    /// Whether the node never sounds.
    pub fn is_silent(&self) -> bool {
        matches!(self.kind, Kind::Silence)
    }

    /// The constant number this node always plays, if it is one atom.
    pub fn constant(&self) -> Option<Rational> {
        match &self.kind {
            Kind::Atom {
                value: Value::Number(v),
                ..
            } => super::number::to_rational(*v),
            _ => None,
        }
    }

    /// Append every number the node's atoms hold (ranges included).
    pub fn numbers(&self, out: &mut Vec<Rational>) {
        match &self.kind {
            Kind::Silence => {}
            Kind::Atom { value, .. } => {
                if let Value::Number(v) = value {
                    out.extend(super::number::to_rational(*v));
                }
            }
            Kind::Range { from, to, .. } => {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                from.numbers(&mut a);
                to.numbers(&mut b);
                let lo = a.iter().chain(&b).min().copied();
                let hi = a.iter().chain(&b).max().copied();
                if let (Some(lo), Some(hi)) = (lo, hi) {
                    let (lo, hi) = (lo.floor(), hi.ceil());
                    let span = hi.saturating_sub(lo);
                    if span >= 0 && (span as u128) < MAX_RANGE {
                        out.extend((lo..=hi).map(Rational::from_integer));
                    }
                }
            }
            _ => self.for_each_child(|c| c.numbers(out)),
        }
    }

    /// The largest number the node's atoms hold, if any.
    pub fn numbers_max(&self) -> Option<Rational> {
        let mut out = Vec::new();
        self.numbers(&mut out);
        out.into_iter().max()
    }

    /// Call `f` on every child node (argument patterns included).
    pub fn for_each_child(&self, mut f: impl FnMut(&Arc<Node>)) {
        let mut kids: Vec<&Arc<Node>> = Vec::new();
        fn arg<'a>(a: &'a Arg, kids: &mut Vec<&'a Arc<Node>>) {
            if let Arg::Pattern { node, .. } = a {
                kids.push(node);
            }
        }
        match &self.kind {
            Kind::Silence | Kind::Atom { .. } => {}
            Kind::Seq(slots) => kids.extend(slots.iter().map(|s| &s.node)),
            Kind::WeightedSeq(steps) => {
                for (w, n) in steps {
                    arg(w, &mut kids);
                    kids.push(n);
                }
            }
            Kind::Stack(children) | Kind::Choose { children, .. } => kids.extend(children),
            Kind::Fast { factor, child } => {
                arg(factor, &mut kids);
                kids.push(child);
            }
            Kind::Euclid { k, n, r, child } => {
                arg(k, &mut kids);
                arg(n, &mut kids);
                arg(r, &mut kids);
                kids.push(child);
            }
            Kind::Degrade { amount, child, .. } => {
                arg(amount, &mut kids);
                kids.push(child);
            }
            Kind::Range { from, to, .. } => kids.extend([from, to]),
            Kind::Tail { left, right } => kids.extend([left, right]),
        }
        for k in kids {
            f(k);
        }
    }

    /// Build a node, computing its bounds and checking them; `column`
    /// locates the error.
    pub fn new(kind: Kind, column: usize) -> Result<Arc<Node>, PatternError> {
        let mut depth = 0;
        let mut max_res: u128 = 1;
        let mut sum_events: u128 = 0;
        let mut max_events: u128 = 0;
        let mut each = |n: &Arc<Node>| {
            depth = depth.max(n.depth);
            max_res = max_res.max(n.resolution);
            sum_events = sum_events.saturating_add(n.events);
            max_events = max_events.max(n.events);
        };
        match &kind {
            Kind::Seq(slots) => slots.iter().for_each(|s| each(&s.node)),
            Kind::WeightedSeq(steps) => steps.iter().for_each(|(_, n)| each(n)),
            Kind::Stack(c) | Kind::Choose { children: c, .. } => c.iter().for_each(&mut each),
            Kind::Fast { child, .. } | Kind::Euclid { child, .. } | Kind::Degrade { child, .. } => {
                each(child)
            }
            Kind::Range { from, to, .. }
            | Kind::Tail {
                left: from,
                right: to,
            } => {
                each(from);
                each(to);
            }
            Kind::Silence | Kind::Atom { .. } => {}
        }
        let child = |n: &Arc<Node>| (n.events, n.resolution);
        let (events, resolution, arg_depth) = match &kind {
            Kind::Silence => (0, 1, 0),
            Kind::Atom { .. } => (1, 1, 0),
            Kind::Seq(slots) => {
                let mut grid: u128 = 1;
                let mut max_num: u128 = 1;
                for s in slots {
                    for d in [abs_u128(s.start.den), abs_u128(s.len.den)] {
                        grid = grid
                            .saturating_mul(d / gcd(grid, d).max(1))
                            .min(MAX_RESOLUTION + 1);
                    }
                    max_num = max_num.max(abs_u128(s.len.num));
                }
                (
                    sum_events,
                    grid.saturating_mul(max_num).saturating_mul(max_res),
                    0,
                )
            }
            Kind::WeightedSeq(steps) => {
                let mut res = max_res;
                let mut d = 0;
                for (w, _) in steps {
                    let (_, r, wd) = w.bounds();
                    d = d.max(wd);
                    let big = w
                        .values()
                        .iter()
                        .map(|v| abs_u128(v.num).saturating_mul(abs_u128(v.den)))
                        .max()
                        .unwrap_or(1);
                    res = res.saturating_mul(big).saturating_mul(r);
                }
                (sum_events, res, d)
            }
            Kind::Stack(_) => (sum_events, max_res, 0),
            Kind::Choose { .. } => (max_events, max_res, 0),
            Kind::Fast { factor, child: c } => {
                let (ce, cr) = child(c);
                let (ae, ar, ad) = factor.bounds();
                let values = factor.values();
                let cycles = values.iter().map(|&v| cycles_touched(v)).max().unwrap_or(0);
                let pq = values
                    .iter()
                    .map(|v| abs_u128(v.num).saturating_mul(abs_u128(v.den)))
                    .max()
                    .unwrap_or(1);
                let mut events = ce.saturating_mul(cycles);
                // A slowed sequence (`<a b c>`): one cycle sees a window of
                // the child's cycle, so only the slots in that window play.
                let f_max = values.iter().max().copied().unwrap_or(Rational::ONE);
                if let (Kind::Seq(slots), true) = (&c.kind, f_max < Rational::ONE) {
                    let min_len = slots.iter().map(|s| s.len).min().unwrap_or(Rational::ONE);
                    let per_slot = slots.iter().map(|s| s.node.events).max().unwrap_or(0);
                    let window = f_max
                        .checked_div(min_len)
                        .map_or(u128::MAX, |w| abs_u128(w.ceil()));
                    events = events.min(window.saturating_add(1).saturating_mul(per_slot));
                }
                let mut res = cr.saturating_mul(pq).saturating_mul(ar);
                // An alternation of whole weights (`<a b c>`, `<a@2 b>`):
                // each cycle plays part of one child, only shifted in time
                // (and stretched by its weight), so time gets no finer.
                if let (Kind::Seq(slots), Arg::Const(f)) = (&c.kind, factor) {
                    let whole = |r: Rational| r.checked_div(*f).is_some_and(Rational::is_integer);
                    if f.num == 1 && slots.iter().all(|s| whole(s.start) && whole(s.len)) {
                        let max_w = slots
                            .iter()
                            .filter_map(|s| s.len.checked_div(*f))
                            .map(|w| abs_u128(w.num))
                            .max()
                            .unwrap_or(1);
                        let child_res = slots.iter().map(|s| s.node.resolution).max().unwrap_or(1);
                        res = res.min(max_w.saturating_mul(child_res));
                    }
                }
                (events.saturating_mul(ae), res, ad)
            }
            Kind::Euclid { k, n, r, child: c } => {
                let (ce, cr) = child(c);
                let steps = n
                    .values()
                    .iter()
                    .map(|v| abs_u128(v.floor()))
                    .max()
                    .unwrap_or(0);
                let mut events = ce.saturating_mul(steps);
                let mut res = cr.saturating_mul(steps.max(1));
                let mut d = 0;
                for a in [k, n, r] {
                    let (ae, ar, ad) = a.bounds();
                    events = events.saturating_mul(ae);
                    res = res.saturating_mul(ar);
                    d = d.max(ad);
                }
                (events, res, d)
            }
            Kind::Degrade {
                amount, child: c, ..
            } => {
                let (ce, cr) = child(c);
                let (ae, ar, ad) = amount.bounds();
                (ce.saturating_mul(ae), cr.saturating_mul(ar), ad)
            }
            Kind::Tail { left, right } => (
                left.events.saturating_mul(right.events.max(1)),
                left.resolution.saturating_mul(right.resolution),
                0,
            ),
            Kind::Range { from, to, .. } => {
                let mut values = Vec::new();
                from.numbers(&mut values);
                to.numbers(&mut values);
                let lo = values.iter().min().map_or(0, |v| v.floor());
                let hi = values.iter().max().map_or(0, |v| v.ceil());
                let len = u128::from(hi.abs_diff(lo)).saturating_add(1);
                if len > MAX_RANGE {
                    return Err(PatternError {
                        column,
                        message: format!(
                            "this range lists up to {len} numbers; the limit is {MAX_RANGE}"
                        ),
                    });
                }
                (
                    from.events.saturating_mul(to.events).saturating_mul(len),
                    from.resolution
                        .saturating_mul(to.resolution)
                        .saturating_mul(len),
                    0,
                )
            }
        };
        let depth = 1 + depth.max(arg_depth);
        if events > MAX_EVENTS_PER_CYCLE as u128 {
            return Err(PatternError {
                column,
                message: format!(
                    "this would play up to {} events per cycle; the limit is {MAX_EVENTS_PER_CYCLE}",
                    if events >= u128::from(u64::MAX) {
                        "too many".to_string()
                    } else {
                        events.to_string()
                    }
                ),
            });
        }
        if resolution > MAX_RESOLUTION {
            return Err(PatternError {
                column,
                message: "this divides time too finely: use fewer nested subdivisions or \
                          simpler speed factors"
                    .to_string(),
            });
        }
        if depth > MAX_NODE_DEPTH {
            return Err(PatternError {
                column,
                message: format!(
                    "the pattern nests too deeply (more than {MAX_NODE_DEPTH} levels of groups and modifiers)"
                ),
            });
        }
        Ok(Arc::new(Node {
            kind,
            events,
            resolution,
            depth,
        }))
    }

    /// A sequence of weighted steps sharing each cycle (weights > 0).
    pub fn seq(steps: &[(Rational, Arc<Node>)], column: usize) -> Result<Arc<Node>, PatternError> {
        if steps.iter().all(|(_, n)| n.is_silent()) {
            return Ok(Node::silence());
        }
        if let [(_, only)] = steps {
            return Ok(only.clone());
        }
        let overflow = || PatternError {
            column,
            message: "the step weights of this sequence are too large or too fine".to_string(),
        };
        let mut total = Rational::ZERO;
        for (w, _) in steps {
            total = total.checked_add(*w).ok_or_else(overflow)?;
        }
        let mut slots = Vec::new();
        let mut acc = Rational::ZERO;
        for (w, node) in steps {
            if !node.is_silent() {
                slots.push(Slot {
                    start: acc.checked_div(total).ok_or_else(overflow)?,
                    len: w.checked_div(total).ok_or_else(overflow)?,
                    node: node.clone(),
                });
            }
            acc = acc.checked_add(*w).ok_or_else(overflow)?;
        }
        Node::new(Kind::Seq(slots), column)
    }

    /// Children playing together.
    pub fn stack(children: Vec<Arc<Node>>, column: usize) -> Result<Arc<Node>, PatternError> {
        let mut children: Vec<Arc<Node>> =
            children.into_iter().filter(|n| !n.is_silent()).collect();
        match children.len() {
            0 => Ok(Node::silence()),
            1 => Ok(children.remove(0)),
            _ => Node::new(Kind::Stack(children), column),
        }
    }

    /// `child` played `factor` times as fast.
    pub fn fast(child: Arc<Node>, factor: Arg, column: usize) -> Result<Arc<Node>, PatternError> {
        match factor {
            _ if child.is_silent() => Ok(child),
            Arg::Const(f) if f == Rational::ONE => Ok(child),
            Arg::Const(f) if f <= Rational::ZERO => Ok(Node::silence()),
            factor => Node::new(Kind::Fast { factor, child }, column),
        }
    }
}
