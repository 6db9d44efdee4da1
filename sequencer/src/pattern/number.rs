//! Numbers in patterns: which words are numbers, and exact rationals for
//! the numbers that scale time.

use super::rational::Rational;

/// Whether `text` is a number as Strudel's grammar writes one: an optional
/// `-`, digits, an optional fraction `.digits` and an optional exponent
/// (`60`, `-1`, `2.5`, `1e3`).
pub(crate) fn parse(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    let mut i = 0;
    if b.first() == Some(&b'-') {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let s = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > s
    };
    if !digits(&mut i) {
        return None;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if !digits(&mut i) {
            return None;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !digits(&mut i) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    text.parse().ok().filter(|v: &f64| v.is_finite())
}

/// The exact rational a float stands for as written: its shortest decimal
/// form (`0.1` is 1/10, not the binary fraction nearest it). `None` for
/// values with more than 12 digits before or 9 after the point.
pub(crate) fn to_rational(v: f64) -> Option<Rational> {
    if !v.is_finite() {
        return None;
    }
    let text = format!("{v}");
    let (neg, text) = match text.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, text.as_str()),
    };
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.len() > 12 || frac.len() > 9 {
        return None;
    }
    let scale = 10i64.pow(frac.len() as u32);
    let int: i64 = int.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let num = int.checked_mul(scale)?.checked_add(frac)?;
    Rational::checked_new(if neg { -num } else { num }, scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse("60"), Some(60.0));
        assert_eq!(parse("-1"), Some(-1.0));
        assert_eq!(parse("2.5"), Some(2.5));
        assert_eq!(parse("1e3"), Some(1000.0));
        for bad in ["", "-", "1.", ".5", "1e", "c3", "1x", "--1", "1e400"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn exact_rationals() {
        assert_eq!(to_rational(0.1), Some(Rational::new(1, 10)));
        assert_eq!(to_rational(1.5), Some(Rational::new(3, 2)));
        assert_eq!(to_rational(-0.25), Some(Rational::new(-1, 4)));
        assert_eq!(to_rational(3.0), Some(Rational::from_integer(3)));
        assert_eq!(to_rational(f64::NAN), None);
        assert_eq!(to_rational(1e30), None);
    }
}
