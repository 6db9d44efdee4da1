//! The parsed pattern tree, with the static bounds used to reject
//! pathological patterns at parse time.
//!
//! Every node knows three bounds, computed bottom-up when it is built:
//! - `events`: an upper bound on the events it yields for one whole cycle
//!   (used to refuse patterns that would flood the scheduler);
//! - `resolution`: a bound on how finely it divides time (a product of the
//!   numerators and denominators of the time scalings on the way down), so
//!   exact rational arithmetic stays far from `i64` overflow;
//! - `depth`: how deep the tree is, so querying cannot blow the stack.

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

/// The node kinds.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Kind {
    /// Nothing.
    Silence,
    /// One event per cycle, lasting the cycle.
    Atom(Value),
    /// Steps sharing each cycle; only sounding steps are stored.
    Seq(Vec<Slot>),
    /// Children playing at the same time.
    Stack(Vec<Arc<Node>>),
    /// Time scaled: the child runs `factor` times as fast (`*n`; `/n` is
    /// `factor = 1/n`). Alternation `<...>` is a sequence slowed down by its
    /// total weight.
    Fast {
        /// Speed factor, > 0.
        factor: Rational,
        /// The scaled child.
        child: Arc<Node>,
    },
    /// Euclidean rhythm: the child plays in the hit steps of `steps`
    /// equal steps per cycle.
    Euclid {
        /// Indices of the hit steps (after rotation), ascending.
        hits: Vec<u32>,
        /// Number of steps per cycle, >= 1.
        steps: u32,
        /// What plays in each hit step.
        child: Arc<Node>,
    },
    /// `?`: each event is dropped with probability `prob`.
    Degrade {
        /// Drop probability in `[0, 1]`.
        prob: f64,
        /// Source column of the `?`, mixed into the random decision.
        column: usize,
        /// The thinned child.
        child: Arc<Node>,
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

fn abs_u128(x: i64) -> u128 {
    u128::from(x.unsigned_abs())
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

    /// A single value every cycle.
    pub fn atom(value: Value) -> Arc<Node> {
        Arc::new(Node {
            kind: Kind::Atom(value),
            events: 1,
            resolution: 1,
            depth: 1,
        })
    }

    /// Whether the node never sounds.
    pub fn is_silent(&self) -> bool {
        matches!(self.kind, Kind::Silence)
    }

    /// Check the bounds and wrap into an `Arc`; `column` locates the error.
    fn checked(
        kind: Kind,
        events: u128,
        resolution: u128,
        depth: u32,
        column: usize,
    ) -> Result<Arc<Node>, PatternError> {
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

    /// Slots for a weighted sequence, the common-denominator weights
    /// `(a_i, A)` and the resolution factor `A * max a_i`.
    fn layout(
        steps: &[(Rational, Arc<Node>)],
        column: usize,
    ) -> Result<(Vec<Slot>, Rational, u128), PatternError> {
        let overflow = || PatternError {
            column,
            message: "the step weights of this sequence are too large or too fine".to_string(),
        };
        let mut total = Rational::ZERO;
        let mut common_den: u128 = 1;
        for (w, _) in steps {
            total = total.checked_add(*w).ok_or_else(overflow)?;
            let d = abs_u128(w.den);
            common_den = common_den
                .checked_mul(d / gcd(common_den, d))
                .filter(|&c| c <= MAX_RESOLUTION)
                .ok_or_else(overflow)?;
        }
        let mut slots = Vec::new();
        let mut acc = Rational::ZERO;
        let mut max_a: u128 = 1;
        for (w, node) in steps {
            // a_i = w * common_den, an integer.
            let a = abs_u128(w.num) * (common_den / abs_u128(w.den));
            max_a = max_a.max(a);
            if !node.is_silent() {
                let start = acc.checked_div(total).ok_or_else(overflow)?;
                let len = w.checked_div(total).ok_or_else(overflow)?;
                slots.push(Slot {
                    start,
                    len,
                    node: node.clone(),
                });
            }
            acc = acc.checked_add(*w).ok_or_else(overflow)?;
        }
        // A = total * common_den.
        let big_a = abs_u128(total.num).saturating_mul(common_den / abs_u128(total.den));
        Ok((slots, total, big_a.saturating_mul(max_a)))
    }

    /// A sequence of weighted steps sharing each cycle (weights > 0).
    pub fn seq(steps: &[(Rational, Arc<Node>)], column: usize) -> Result<Arc<Node>, PatternError> {
        if steps.iter().all(|(_, n)| n.is_silent()) {
            return Ok(Node::silence());
        }
        if let [(_, only)] = steps {
            return Ok(only.clone());
        }
        let (slots, _, factor) = Node::layout(steps, column)?;
        let events = slots
            .iter()
            .fold(0u128, |acc, s| acc.saturating_add(s.node.events));
        let child_res = slots.iter().map(|s| s.node.resolution).max().unwrap_or(1);
        let depth = 1 + slots.iter().map(|s| s.node.depth).max().unwrap_or(0);
        Node::checked(
            Kind::Seq(slots),
            events,
            factor.saturating_mul(child_res),
            depth,
            column,
        )
    }

    /// Alternation `<a b c>`: one step per cycle, the sequence slowed down
    /// by its total weight.
    pub fn alternation(
        steps: &[(Rational, Arc<Node>)],
        column: usize,
    ) -> Result<Arc<Node>, PatternError> {
        if steps.iter().all(|(_, n)| n.is_silent()) {
            return Ok(Node::silence());
        }
        let (slots, total, factor) = Node::layout(steps, column)?;
        let slow = total.recip().ok_or_else(|| PatternError {
            column,
            message: "alternation has no length".to_string(),
        })?;
        let child_res = slots.iter().map(|s| s.node.resolution).max().unwrap_or(1);
        let whole_weights = steps.iter().all(|(w, _)| w.is_integer());
        let (events, res) = if whole_weights {
            // Each cycle sees (part of) one child only, and the child's
            // time is just shifted (and stretched by its whole-number
            // weight): no finer division of time.
            let max_w = steps
                .iter()
                .map(|(w, _)| abs_u128(w.num))
                .max()
                .unwrap_or(1);
            (
                slots.iter().map(|s| s.node.events).max().unwrap_or(0),
                max_w.saturating_mul(child_res),
            )
        } else {
            (
                slots
                    .iter()
                    .fold(0u128, |acc, s| acc.saturating_add(s.node.events)),
                factor
                    .saturating_mul(child_res)
                    .saturating_mul(abs_u128(slow.num).saturating_mul(abs_u128(slow.den))),
            )
        };
        let depth = 1 + slots.iter().map(|s| s.node.depth).max().unwrap_or(0);
        let seq = Node::checked(Kind::Seq(slots), events, res, depth, column)?;
        Node::checked(
            Kind::Fast {
                factor: slow,
                child: seq,
            },
            events,
            res,
            depth + 1,
            column,
        )
    }

    /// Children playing together.
    pub fn stack(children: Vec<Arc<Node>>, column: usize) -> Result<Arc<Node>, PatternError> {
        let mut children: Vec<Arc<Node>> =
            children.into_iter().filter(|n| !n.is_silent()).collect();
        match children.len() {
            0 => return Ok(Node::silence()),
            1 => return Ok(children.remove(0)),
            _ => {}
        }
        let events = children
            .iter()
            .fold(0u128, |acc, n| acc.saturating_add(n.events));
        let res = children.iter().map(|n| n.resolution).max().unwrap_or(1);
        let depth = 1 + children.iter().map(|n| n.depth).max().unwrap_or(0);
        Node::checked(Kind::Stack(children), events, res, depth, column)
    }

    /// `child` played `factor` times as fast (`factor > 0`).
    pub fn fast(
        child: Arc<Node>,
        factor: Rational,
        column: usize,
    ) -> Result<Arc<Node>, PatternError> {
        if child.is_silent() || factor == Rational::ONE {
            return Ok(child);
        }
        let p = abs_u128(factor.num);
        let q = abs_u128(factor.den);
        // A cycle of the result covers `factor` cycles of the child: exactly
        // p whole cycles if factor = p, part of one cycle if factor = 1/q,
        // else at most ceil(factor) + 1 partial cycles.
        let cycles = if q == 1 {
            p
        } else if p == 1 {
            1
        } else {
            p.div_ceil(q) + 1
        };
        Node::checked(
            Kind::Fast {
                factor,
                child: child.clone(),
            },
            child.events.saturating_mul(cycles),
            child.resolution.saturating_mul(p.saturating_mul(q)),
            child.depth + 1,
            column,
        )
    }

    /// `child(k, n, r)`: the child in the hit steps of a rotated Euclidean
    /// rhythm.
    pub fn euclid(
        child: Arc<Node>,
        pattern: &[bool],
        column: usize,
    ) -> Result<Arc<Node>, PatternError> {
        let hits: Vec<u32> = pattern
            .iter()
            .enumerate()
            .filter(|(_, &b)| b)
            .filter_map(|(i, _)| u32::try_from(i).ok())
            .collect();
        let steps = u32::try_from(pattern.len()).unwrap_or(u32::MAX);
        if child.is_silent() || hits.is_empty() || steps == 0 {
            return Ok(Node::silence());
        }
        let n = u128::from(steps);
        let hit_count = hits.len() as u128;
        Node::checked(
            Kind::Euclid {
                hits,
                steps,
                child: child.clone(),
            },
            child.events.saturating_mul(hit_count),
            child.resolution.saturating_mul(n),
            child.depth + 1,
            column,
        )
    }

    /// `child?prob`: drop each event with probability `prob`.
    pub fn degrade(child: Arc<Node>, prob: f64, column: usize) -> Result<Arc<Node>, PatternError> {
        if child.is_silent() {
            return Ok(child);
        }
        Node::checked(
            Kind::Degrade {
                prob,
                column,
                child: child.clone(),
            },
            child.events,
            child.resolution,
            child.depth + 1,
            column,
        )
    }
}
