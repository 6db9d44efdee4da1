//! Exact rational time.
//!
//! Pattern time is kept exact: one cycle (bar) split into thirds, fifths or
//! sixteenths never drifts. Values are `i64 / i64` in lowest terms with a
//! positive denominator; every operation works on `i128` intermediates and
//! reduces before narrowing back, so only results that genuinely do not fit in
//! `i64` overflow. The `checked_*` methods report that as `None`; the operator
//! traits panic on it, like integer arithmetic does in debug builds.

use std::cmp::Ordering;
use std::fmt;
use std::ops::{Add, Div, Mul, Neg, Sub};

/// An exact rational time in cycles (one cycle is one bar).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rational {
    /// Numerator.
    pub num: i64,
    /// Denominator, always > 0; the fraction is kept in lowest terms.
    pub den: i64,
}

/// Greatest common divisor of two non-negative `i128`s (0 when both are 0).
fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

impl Rational {
    /// Zero.
    pub const ZERO: Rational = Rational { num: 0, den: 1 };
    /// One.
    pub const ONE: Rational = Rational { num: 1, den: 1 };

    /// `num / den` in lowest terms.
    ///
    /// # Panics
    /// If `den` is zero (use [`Rational::checked_new`] for untrusted input).
    pub fn new(num: i64, den: i64) -> Rational {
        match Rational::checked_new(num, den) {
            Some(r) => r,
            None => panic!("Rational::new: zero denominator"),
        }
    }

    /// `num / den` in lowest terms, or `None` if `den` is zero.
    pub fn checked_new(num: i64, den: i64) -> Option<Rational> {
        Rational::from_i128(i128::from(num), i128::from(den))
    }

    /// The integer `n` as a rational.
    pub const fn from_integer(n: i64) -> Rational {
        Rational { num: n, den: 1 }
    }

    /// Reduce `num / den` and narrow it to `i64`; `None` on a zero
    /// denominator or when the reduced fraction does not fit.
    pub(crate) fn from_i128(num: i128, den: i128) -> Option<Rational> {
        if den == 0 {
            return None;
        }
        let g = gcd(num, den);
        let (mut n, mut d) = (num / g, den / g);
        if d < 0 {
            n = n.checked_neg()?;
            d = d.checked_neg()?;
        }
        Some(Rational {
            num: i64::try_from(n).ok()?,
            den: i64::try_from(d).ok()?,
        })
    }

    /// `self + rhs`, or `None` on overflow.
    pub fn checked_add(self, rhs: Rational) -> Option<Rational> {
        let (a, b) = (i128::from(self.num), i128::from(self.den));
        let (c, d) = (i128::from(rhs.num), i128::from(rhs.den));
        // |a*d|, |c*b| < 2^126, so the sum fits in i128.
        Rational::from_i128(a * d + c * b, b * d)
    }

    /// `self - rhs`, or `None` on overflow.
    pub fn checked_sub(self, rhs: Rational) -> Option<Rational> {
        let (a, b) = (i128::from(self.num), i128::from(self.den));
        let (c, d) = (i128::from(rhs.num), i128::from(rhs.den));
        Rational::from_i128(a * d - c * b, b * d)
    }

    /// `self * rhs`, or `None` on overflow.
    pub fn checked_mul(self, rhs: Rational) -> Option<Rational> {
        let (a, b) = (i128::from(self.num), i128::from(self.den));
        let (c, d) = (i128::from(rhs.num), i128::from(rhs.den));
        Rational::from_i128(a * c, b * d)
    }

    /// `self / rhs`, or `None` on overflow or division by zero.
    pub fn checked_div(self, rhs: Rational) -> Option<Rational> {
        let (a, b) = (i128::from(self.num), i128::from(self.den));
        let (c, d) = (i128::from(rhs.num), i128::from(rhs.den));
        Rational::from_i128(a * d, b * c)
    }

    /// `1 / self`, or `None` for zero.
    pub fn recip(self) -> Option<Rational> {
        Rational::ONE.checked_div(self)
    }

    /// The largest integer `<= self`.
    pub fn floor(self) -> i64 {
        self.num.div_euclid(self.den)
    }

    /// The smallest integer `>= self`.
    pub fn ceil(self) -> i64 {
        let f = self.floor();
        if self.num.rem_euclid(self.den) == 0 {
            f
        } else {
            f + 1
        }
    }

    /// Whether the value is a whole number.
    pub fn is_integer(self) -> bool {
        self.den == 1
    }

    /// As a float.
    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl Default for Rational {
    fn default() -> Self {
        Rational::ZERO
    }
}

impl From<i64> for Rational {
    fn from(n: i64) -> Self {
        Rational::from_integer(n)
    }
}

impl Ord for Rational {
    fn cmp(&self, other: &Self) -> Ordering {
        // Denominators are positive, so cross-multiplying keeps the order.
        (i128::from(self.num) * i128::from(other.den))
            .cmp(&(i128::from(other.num) * i128::from(self.den)))
    }
}

impl PartialOrd for Rational {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Rational {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

impl Add for Rational {
    type Output = Rational;
    /// # Panics
    /// If the result does not fit in `i64 / i64`.
    fn add(self, rhs: Rational) -> Rational {
        self.checked_add(rhs).expect("Rational addition overflowed")
    }
}

impl Sub for Rational {
    type Output = Rational;
    /// # Panics
    /// If the result does not fit in `i64 / i64`.
    fn sub(self, rhs: Rational) -> Rational {
        self.checked_sub(rhs)
            .expect("Rational subtraction overflowed")
    }
}

impl Mul for Rational {
    type Output = Rational;
    /// # Panics
    /// If the result does not fit in `i64 / i64`.
    fn mul(self, rhs: Rational) -> Rational {
        self.checked_mul(rhs)
            .expect("Rational multiplication overflowed")
    }
}

impl Div for Rational {
    type Output = Rational;
    /// # Panics
    /// On division by zero or if the result does not fit in `i64 / i64`.
    fn div(self, rhs: Rational) -> Rational {
        self.checked_div(rhs)
            .expect("Rational division by zero or overflow")
    }
}

impl Neg for Rational {
    type Output = Rational;
    /// # Panics
    /// For `i64::MIN / 1`, whose negation does not fit.
    fn neg(self) -> Rational {
        Rational::from_i128(-i128::from(self.num), i128::from(self.den))
            .expect("Rational negation overflowed")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(n: i64, d: i64) -> Rational {
        Rational::new(n, d)
    }

    #[test]
    fn lowest_terms_and_sign() {
        assert_eq!(r(2, 4), Rational { num: 1, den: 2 });
        assert_eq!(r(3, -6), Rational { num: -1, den: 2 });
        assert_eq!(r(-3, -6), Rational { num: 1, den: 2 });
        assert_eq!(r(0, -5), Rational::ZERO);
        assert_eq!(Rational::checked_new(1, 0), None);
        assert_eq!(Rational::from(7), Rational { num: 7, den: 1 });
    }

    #[test]
    fn arithmetic() {
        assert_eq!(r(1, 3) + r(1, 6), r(1, 2));
        assert_eq!(r(1, 3) - r(1, 2), r(-1, 6));
        assert_eq!(r(2, 3) * r(9, 4), r(3, 2));
        assert_eq!(r(2, 3) / r(4, 9), r(3, 2));
        assert_eq!(-r(2, 3), r(-2, 3));
        assert_eq!(r(1, 2).checked_div(Rational::ZERO), None);
        assert_eq!(r(4, 1).recip(), Some(r(1, 4)));
    }

    #[test]
    fn floor_ceil() {
        assert_eq!(r(7, 2).floor(), 3);
        assert_eq!(r(7, 2).ceil(), 4);
        assert_eq!(r(-7, 2).floor(), -4);
        assert_eq!(r(-7, 2).ceil(), -3);
        assert_eq!(r(-4, 1).floor(), -4);
        assert_eq!(r(-4, 1).ceil(), -4);
        assert!(r(6, 3).is_integer());
    }

    #[test]
    fn ordering() {
        assert!(r(1, 3) < r(1, 2));
        assert!(r(-1, 2) < r(-1, 3));
        assert_eq!(r(2, 4).cmp(&r(1, 2)), Ordering::Equal);
        let mut v = vec![r(3, 4), r(-1, 1), r(1, 8), r(1, 2)];
        v.sort();
        assert_eq!(v, vec![r(-1, 1), r(1, 8), r(1, 2), r(3, 4)]);
    }

    #[test]
    fn overflow_is_reported_not_panicking() {
        let big = Rational::from_integer(i64::MAX);
        assert_eq!(big.checked_add(Rational::ONE), None);
        assert_eq!(big.checked_mul(Rational::from_integer(2)), None);
        // Large intermediates that reduce back into range are exact.
        let a = r(i64::MAX, 3);
        assert_eq!(a.checked_mul(r(3, i64::MAX)), Some(Rational::ONE));
        assert_eq!(
            r(1, i64::MAX).checked_sub(r(1, i64::MAX)),
            Some(Rational::ZERO)
        );
    }

    #[test]
    fn display() {
        assert_eq!(r(3, 4).to_string(), "3/4");
        assert_eq!(r(-2, 1).to_string(), "-2");
        assert!((r(1, 4).to_f64() - 0.25).abs() < 1e-12);
    }
}
