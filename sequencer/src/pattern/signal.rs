//! Continuous signals for parameters, written as in Strudel:
//! `sine.range(200, 2000).slow(4)`.
//!
//! | Signal | Value at cycle position `t` (0..1 before `range`) |
//! |---|---|
//! | `sine`, `cosine` | `(sin(2 pi t) + 1) / 2`, and a quarter cycle earlier |
//! | `saw`, `isaw` | rising `t mod 1`, falling `1 - t mod 1` |
//! | `tri` | up in the first half cycle, down in the second |
//! | `square` | 0 in the first half cycle, 1 in the second |
//! | `rand` | Strudel's random signal (a new value at every reading) |
//! | `perlin` | Strudel's smooth random: a new random point each cycle, joined by a smootherstep curve |
//!
//! Methods, in any order: `.range(lo, hi)` maps 0..1 onto `lo..hi`;
//! `.slow(n)` and `.fast(n)` stretch time. The scheduler reads a signal on
//! the engine's 64-frame control grid, each reading gliding to the next.

use super::{rand, PatternError};

/// The signal shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Sine, 0..1.
    Sine,
    /// Sine a quarter cycle ahead.
    Cosine,
    /// Rising ramp.
    Saw,
    /// Falling ramp.
    Isaw,
    /// Triangle.
    Tri,
    /// Square: low, then high.
    Square,
    /// Strudel's `rand`.
    Rand,
    /// Strudel's `perlin`.
    Perlin,
}

const SHAPES: &[(&str, Shape)] = &[
    ("sine", Shape::Sine),
    ("cosine", Shape::Cosine),
    ("saw", Shape::Saw),
    ("isaw", Shape::Isaw),
    ("tri", Shape::Tri),
    ("square", Shape::Square),
    ("rand", Shape::Rand),
    ("perlin", Shape::Perlin),
];

/// A continuous signal, scaled and stretched.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Signal {
    /// Its shape.
    pub shape: Shape,
    /// Value at 0.
    pub lo: f64,
    /// Value at 1.
    pub hi: f64,
    /// Cycles of the signal per cycle of music (`fast`; `slow(n)` is 1/n).
    pub speed: f64,
}

fn smootherstep(x: f64) -> f64 {
    6.0 * x.powi(5) - 15.0 * x.powi(4) + 10.0 * x.powi(3)
}

impl Signal {
    /// The signal's value at cycle position `t`.
    pub fn value(&self, t: f64, seed: u64) -> f64 {
        let t = t * self.speed;
        let frac = t - t.floor();
        let unit = match self.shape {
            Shape::Sine => (f64::sin(std::f64::consts::TAU * t) + 1.0) / 2.0,
            Shape::Cosine => (f64::sin(std::f64::consts::TAU * (t + 0.25)) + 1.0) / 2.0,
            Shape::Saw => frac,
            Shape::Isaw => 1.0 - frac,
            Shape::Tri => 1.0 - (2.0 * frac - 1.0).abs(),
            Shape::Square => (frac * 2.0).floor(),
            Shape::Rand => rand::time_to_rand(t, seed),
            Shape::Perlin => {
                let a = t.floor();
                let (ra, rb) = (
                    rand::time_to_rand(a, seed),
                    rand::time_to_rand(a + 1.0, seed),
                );
                ra + smootherstep(t - a) * (rb - ra)
            }
        };
        self.lo + unit * (self.hi - self.lo)
    }

    /// Parse a signal expression; `None` when `text` does not start with a
    /// signal name (it is then a pattern).
    ///
    /// # Errors
    /// A malformed method chain, with its column.
    pub fn parse(text: &str) -> Option<Result<Signal, PatternError>> {
        let trimmed = text.trim_start();
        let lead = text.len() - trimmed.len();
        let name_len = trimmed
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(trimmed.len());
        let shape = SHAPES.iter().find(|(n, _)| *n == &trimmed[..name_len])?.1;
        let mut s = Signal {
            shape,
            lo: 0.0,
            hi: 1.0,
            speed: 1.0,
        };
        let mut rest = &trimmed[name_len..];
        let mut at = lead + name_len + 1;
        let err = |column: usize, message: String| Some(Err(PatternError { column, message }));
        while !rest.trim().is_empty() {
            let Some(r) = rest.strip_prefix('.') else {
                return err(
                    at,
                    format!(
                        "expected .range(lo, hi), .slow(n) or .fast(n) but found '{}'",
                        rest.trim()
                    ),
                );
            };
            let open = r.find('(');
            let close = r.find(')');
            let (Some(open), Some(close)) = (open, close) else {
                return err(
                    at + 1,
                    "expected a method with its numbers in ( ), like .slow(4)".into(),
                );
            };
            if close < open {
                return err(at + 1, "expected '(' before ')'".into());
            }
            let method = &r[..open];
            let args: Result<Vec<f64>, _> = r[open + 1..close]
                .split(',')
                .map(|a| a.trim().parse::<f64>())
                .collect();
            let Ok(args) = args else {
                return err(
                    at + 1 + open + 1,
                    format!(
                        "expected numbers in .{method}( ) but found '{}'",
                        &r[open + 1..close]
                    ),
                );
            };
            match (method, args.as_slice()) {
                ("range", [lo, hi]) if lo.is_finite() && hi.is_finite() => {
                    s.lo = *lo;
                    s.hi = *hi;
                }
                ("slow", [n]) if *n > 0.0 && n.is_finite() => s.speed /= n,
                ("fast", [n]) if *n > 0.0 && n.is_finite() => s.speed *= n,
                ("range" | "slow" | "fast", _) => {
                    return err(
                        at + 1,
                        format!(
                            ".{method} takes {}",
                            if method == "range" {
                                "two numbers, .range(lo, hi)"
                            } else {
                                "one number > 0"
                            }
                        ),
                    )
                }
                _ => {
                    return err(
                        at + 1,
                        format!(
                        "unknown method .{method}: expected .range(lo, hi), .slow(n) or .fast(n)"
                    ),
                    )
                }
            }
            at += 1 + close + 1;
            rest = &r[close + 1..];
        }
        Some(Ok(s))
    }

    /// The smallest and largest values the signal takes.
    pub fn bounds(&self) -> (f64, f64) {
        (self.lo.min(self.hi), self.lo.max(self.hi))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(t: &str) -> Signal {
        match Signal::parse(t) {
            Some(Ok(s)) => s,
            other => panic!("{t}: {other:?}"),
        }
    }

    #[test]
    fn shapes_and_methods() {
        let s = sig("sine.range(200, 2000).slow(4)");
        assert_eq!(s.value(0.0, 0), 1100.0);
        assert!((s.value(1.0, 0) - 2000.0).abs() < 1e-9);
        assert!((s.value(3.0, 0) - 200.0).abs() < 1e-9);
        assert_eq!(sig("saw").value(0.25, 0), 0.25);
        assert_eq!(sig("isaw").value(0.25, 0), 0.75);
        assert_eq!(sig("tri").value(0.25, 0), 0.5);
        assert_eq!(sig("tri").value(0.5, 0), 1.0);
        assert_eq!(sig("square").value(0.25, 0), 0.0);
        assert_eq!(sig("square").value(0.75, 0), 1.0);
        assert_eq!(sig("saw.fast(2)").value(0.75, 0), 0.5);
        let p = sig("perlin");
        assert!((p.value(2.0, 0) - rand::time_to_rand(2.0, 0)).abs() < 1e-12);
        assert!((0.0..1.0).contains(&sig("rand").value(0.3, 0)));
    }

    #[test]
    fn not_signals_and_errors() {
        assert!(Signal::parse("<200 800>").is_none());
        assert!(Signal::parse("sines").is_none());
        let e = Signal::parse("sine.rang(1, 2)")
            .and_then(Result::err)
            .map(|e| e.column);
        assert_eq!(e, Some(6));
        assert!(Signal::parse("sine.slow(0)").is_some_and(|r| r.is_err()));
        assert!(Signal::parse("sine.range(1)").is_some_and(|r| r.is_err()));
        assert!(Signal::parse("sine x").is_some_and(|r| r.is_err()));
    }
}
