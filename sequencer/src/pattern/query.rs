//! Querying the pattern tree: which events start in a time span.
//!
//! This follows Tidal's model. A node is a function from a time span
//! `[begin, end)` (in its own, local cycles) to the events whose onsets fall
//! in that span; an atom has one event per local cycle, lasting the cycle.
//! Parents transform time on the way down: a sequence maps each cycle's slot
//! `[c + start, c + start + len)` onto the child's cycle `c`, `*f` multiplies
//! time by `f`, an alternation is a sequence slowed down by its length. Every
//! such map is affine within one cycle, so the query carries the composed map
//! from local time to absolute cycles and leaves emit absolute events
//! directly. All time arithmetic is exact; a branch whose arithmetic would
//! overflow `i64` (only reachable at absurd cycle numbers) is skipped rather
//! than panicking.

use super::ast::{Kind, Node};
use super::rational::Rational;
use super::{PatternEvent, Value, MAX_EVENTS_PER_CYCLE};

/// `absolute = scale * local + offset`.
#[derive(Clone, Copy, Debug)]
struct Affine {
    scale: Rational,
    offset: Rational,
}

impl Affine {
    const IDENTITY: Affine = Affine {
        scale: Rational::ONE,
        offset: Rational::ZERO,
    };

    fn apply(self, t: Rational) -> Option<Rational> {
        self.scale.checked_mul(t)?.checked_add(self.offset)
    }

    /// `self ∘ (scale * t + offset)`.
    fn compose(self, scale: Rational, offset: Rational) -> Option<Affine> {
        Some(Affine {
            scale: self.scale.checked_mul(scale)?,
            offset: self.apply(offset)?,
        })
    }
}

/// Query state shared down the recursion.
struct Ctx {
    seed: u64,
    /// Enclosing `?` nodes: (drop probability, source column).
    degrade: Vec<(f64, usize)>,
    out: Vec<PatternEvent>,
}

/// SplitMix64's output function: a well-mixed 64-bit hash step.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A deterministic number in `[0, 1)` for (seed, exact onset, `?` column).
pub(crate) fn chance(seed: u64, onset: Rational, column: usize) -> f64 {
    let mut h = splitmix64(seed);
    h = splitmix64(h ^ onset.num as u64);
    h = splitmix64(h ^ onset.den as u64);
    h = splitmix64(h ^ column as u64);
    (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Events of `root` with onsets in cycle `cycle`, sorted by onset.
pub(crate) fn events(root: &Node, cycle: i64, seed: u64) -> Vec<PatternEvent> {
    let mut ctx = Ctx {
        seed,
        degrade: Vec::new(),
        out: Vec::new(),
    };
    let begin = Rational::from_integer(cycle);
    if let Some(end) = begin.checked_add(Rational::ONE) {
        // An overflowing branch is skipped; what was found is still valid.
        let _ = query(root, begin, end, Affine::IDENTITY, &mut ctx);
    }
    // Stable: simultaneous events keep their order in the pattern text.
    ctx.out.sort_by_key(|e| e.onset);
    ctx.out
}

fn emit(ctx: &mut Ctx, onset: Rational, duration: Rational, value: Value) {
    if ctx.out.len() >= MAX_EVENTS_PER_CYCLE {
        return;
    }
    let dropped = ctx
        .degrade
        .iter()
        .any(|&(prob, column)| chance(ctx.seed, onset, column) < prob);
    if !dropped {
        ctx.out.push(PatternEvent {
            onset,
            duration,
            value,
        });
    }
}

/// Query the slot `[c + start, c + start + len)` of every cycle `c`
/// touched by `[b, e)`, with the child seeing cycle `c` in the slot.
fn query_slot(
    child: &Node,
    c: i64,
    start: Rational,
    len: Rational,
    (b, e): (Rational, Rational),
    map: Affine,
    ctx: &mut Ctx,
) -> Option<()> {
    let cycle = Rational::from_integer(c);
    let s0 = cycle.checked_add(start)?;
    let s1 = s0.checked_add(len)?;
    let x = b.max(s0);
    let y = e.min(s1);
    if x >= y {
        return Some(());
    }
    // Local child time t' maps to parent time s0 + (t' - c) * len.
    let cb = cycle.checked_add(x.checked_sub(s0)?.checked_div(len)?)?;
    let ce = cycle.checked_add(y.checked_sub(s0)?.checked_div(len)?)?;
    let inner = map.compose(len, s0.checked_sub(cycle.checked_mul(len)?)?)?;
    query(child, cb, ce, inner, ctx)
}

/// The part of `[b, e)` inside cycle `c`, relative to the cycle start.
fn within_cycle(c: i64, b: Rational, e: Rational) -> Option<(Rational, Rational)> {
    let start = Rational::from_integer(c);
    let end = start.checked_add(Rational::ONE)?;
    Some((
        b.max(start).checked_sub(start)?,
        e.min(end).checked_sub(start)?,
    ))
}

fn query(node: &Node, b: Rational, e: Rational, map: Affine, ctx: &mut Ctx) -> Option<()> {
    if b >= e || ctx.out.len() >= MAX_EVENTS_PER_CYCLE {
        return Some(());
    }
    match &node.kind {
        Kind::Silence => {}
        Kind::Atom(value) => {
            // Onsets are the whole cycles c with b <= c < e.
            for c in b.ceil()..e.ceil() {
                let onset = map.apply(Rational::from_integer(c))?;
                emit(ctx, onset, map.scale, *value);
                if ctx.out.len() >= MAX_EVENTS_PER_CYCLE {
                    break;
                }
            }
        }
        Kind::Seq(slots) => {
            for c in b.floor()..e.ceil() {
                let (lo, hi) = within_cycle(c, b, e)?;
                // Slots are sorted and disjoint: skip straight to the first
                // one ending after `lo`, stop at the first starting at `hi`.
                let first = slots
                    .partition_point(|s| s.start.checked_add(s.len).is_some_and(|end| end <= lo));
                for slot in slots[first..].iter().take_while(|s| s.start < hi) {
                    let _ = query_slot(&slot.node, c, slot.start, slot.len, (b, e), map, ctx);
                }
            }
        }
        Kind::Euclid { hits, steps, child } => {
            let n = i64::from(*steps);
            let len = Rational::new(1, n);
            let step_start = |i: u32| Rational::new(i64::from(i), n);
            for c in b.floor()..e.ceil() {
                let (lo, hi) = within_cycle(c, b, e)?;
                let first = hits.partition_point(|&i| step_start(i + 1) <= lo);
                for &i in hits[first..].iter().take_while(|&&i| step_start(i) < hi) {
                    let _ = query_slot(child, c, step_start(i), len, (b, e), map, ctx);
                }
            }
        }
        Kind::Stack(children) => {
            for child in children {
                let _ = query(child, b, e, map, ctx);
            }
        }
        Kind::Fast { factor, child } => {
            let inner = map.compose(factor.recip()?, Rational::ZERO)?;
            query(
                child,
                b.checked_mul(*factor)?,
                e.checked_mul(*factor)?,
                inner,
                ctx,
            )?;
        }
        Kind::Degrade {
            prob,
            column,
            child,
        } => {
            ctx.degrade.push((*prob, *column));
            let r = query(child, b, e, map, ctx);
            ctx.degrade.pop();
            r?;
        }
    }
    Some(())
}
