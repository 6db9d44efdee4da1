//! Strudel's random signal, reproduced exactly, so that `?` and `|` make
//! the same choices as in Strudel.
//!
//! Strudel stretches 300 cycles over `[0, 2^29)`, takes the integer part
//! and scrambles it with one xorshift step; the `n`-th random operator of
//! a pattern text reads the signal `0.0003 * n` cycles early. A non-zero
//! song seed moves the reading to another place in Strudel's 300-cycle
//! stream (a hash of the seed picks it), which gives a different (still
//! reproducible) variation; seed 0 is Strudel's.

use super::rational::Rational;

/// Strudel's 32-bit xorshift step (JavaScript's signed `<<`, `>>`, `^`).
fn xorwise(x: i32) -> i32 {
    let a = x.wrapping_shl(13) ^ x;
    let b = (a >> 17) ^ a;
    b.wrapping_shl(5) ^ b
}

/// SplitMix64's output function: a well-mixed 64-bit hash step.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const SPAN: f64 = 536_870_912.0; // 2^29

/// Strudel's `timeToRand` at time `t` (in cycles), in `[0, 1)`.
pub(crate) fn time_to_rand(t: f64, seed: u64) -> f64 {
    let mut x = t / 300.0;
    if seed != 0 {
        // A fraction of the stream in [0, 1), from the seed's hash.
        x += (splitmix64(seed) >> 11) as f64 / (1u64 << 53) as f64;
    }
    let frac = x - x.trunc();
    // JavaScript's Math.trunc then the implicit ToInt32 of `<<`.
    let int = (frac * SPAN).trunc() as i64 as i32;
    let v = xorwise(int);
    // JavaScript's `%` keeps the sign of the dividend.
    let r = f64::from(v) % SPAN / SPAN;
    r.abs()
}

/// The random value the `stream`-th random operator sees at `t`.
pub(crate) fn at(t: Rational, stream: u32, seed: u64) -> f64 {
    // Strudel's `rand.early(0.0003 * n)`, computed exactly.
    let offset = Rational::new(3 * i64::from(stream), 10_000);
    let t = t
        .checked_add(offset)
        .map_or_else(|| t.to_f64(), Rational::to_f64);
    time_to_rand(t, seed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_in_range_and_spread() {
        let mut sum = 0.0;
        for i in 0..10_000 {
            let r = at(Rational::new(i, 8), 0, 0);
            assert!((0.0..1.0).contains(&r), "{r}");
            sum += r;
        }
        let mean = sum / 10_000.0;
        assert!((mean - 0.5).abs() < 0.02, "mean {mean}");
    }

    #[test]
    fn seed_changes_the_stream() {
        let a: Vec<f64> = (0..16).map(|i| at(Rational::new(i, 4), 0, 0)).collect();
        let b: Vec<f64> = (0..16).map(|i| at(Rational::new(i, 4), 0, 7)).collect();
        assert_ne!(a, b);
        let c: Vec<f64> = (0..16).map(|i| at(Rational::new(i, 4), 0, 7)).collect();
        assert_eq!(b, c);
    }
}
