//! Measuring a rendered signal, for tests and benchmarks: one estimator of
//! a periodic signal's frequency.

/// The times (in samples, linearly interpolated between the two samples
/// around each) of `x`'s rising zero crossings.
pub fn rising_crossings(x: &[f32]) -> Vec<f64> {
    let mut t = Vec::new();
    for i in 1..x.len() {
        let (a, b) = (f64::from(x[i - 1]), f64::from(x[i]));
        if a < 0.0 && b >= 0.0 {
            t.push((i - 1) as f64 + a / (a - b));
        }
    }
    t
}

/// The frequency of `x` (sampled at `rate` Hz) from its rising zero
/// crossings: cycles between the first and the last, over the time between
/// them. NaN when it crosses fewer than twice.
pub fn zero_crossing_freq(x: &[f32], rate: f64) -> f64 {
    let t = rising_crossings(x);
    match (t.first(), t.last()) {
        (Some(first), Some(last)) if t.len() >= 2 => (t.len() - 1) as f64 * rate / (last - first),
        _ => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sine_measures_its_own_frequency() {
        let rate = 48_000.0;
        let x: Vec<f32> = (0..48_000)
            .map(|i| (2.0 * std::f64::consts::PI * 441.3 * f64::from(i) / rate).sin() as f32)
            .collect();
        let f = zero_crossing_freq(&x, rate);
        assert!((f - 441.3).abs() < 1e-3, "{f}");
        assert!(zero_crossing_freq(&[0.5; 100], rate).is_nan());
    }
}
