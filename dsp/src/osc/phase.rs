//! Fixed-point phase: a `u32` that wraps once per cycle.
//!
//! A 32-bit accumulator gives a frequency resolution of `rate / 2^32`
//! (0.000011 Hz at 48 kHz) and never drifts: the phase after `n` samples is
//! exactly `n * increment mod 2^32`.

/// One full cycle of phase, as `f64` (2^32).
pub const PHASE_ONE: f64 = 4_294_967_296.0;

/// The per-sample increment for `freq` Hz at `rate` Hz. Frequencies at or
/// above Nyquist, and negative ones, give 0 (silence is better than aliasing).
pub fn phase_increment(freq: f64, rate: f64) -> u32 {
    if !(freq > 0.0 && freq < rate * 0.5) {
        return 0;
    }
    (freq / rate * PHASE_ONE).round() as u32
}

/// [`phase_increment`] for a signed frequency: a negative one runs the
/// phase backwards (wrapping); at or above Nyquist either way, 0.
pub fn signed_phase_increment(freq: f64, rate: f64) -> u32 {
    let inc = phase_increment(freq.abs(), rate);
    if freq < 0.0 {
        inc.wrapping_neg()
    } else {
        inc
    }
}

/// Per-sample increments for a frequency that moves every sample (FM):
/// the `f32` form of [`signed_phase_increment`], which it agrees with to
/// within the `f32` rounding (at most 2^7 units in 2^32, near Nyquist),
/// and exactly at and above Nyquist (0) and for NaN (0).
#[derive(Clone, Copy, Debug)]
pub struct Increments {
    scale: f32,
    nyquist: f32,
}

impl Increments {
    /// Increments at `rate` Hz.
    pub fn new(rate: f32) -> Self {
        Increments {
            scale: (PHASE_ONE / f64::from(rate)) as f32,
            nyquist: rate * 0.5,
        }
    }

    /// The increment for `freq` Hz.
    #[inline]
    pub fn of(&self, freq: f32) -> u32 {
        if freq.abs() < self.nyquist {
            (freq * self.scale) as i32 as u32
        } else {
            0
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fast_and_exact_increments_agree_everywhere() {
        for rate in [44_100.0f32, 48_000.0, 96_000.0] {
            let fast = Increments::new(rate);
            let nyquist = rate * 0.5;
            for f in [
                -30_000.0,
                -nyquist,
                -1000.5,
                -1.0,
                0.0,
                1.0,
                440.0,
                1000.5,
                12_345.6,
                nyquist - 1.0,
                nyquist,
                nyquist + 1.0,
                30_000.0,
                f32::NAN,
            ] {
                let exact = signed_phase_increment(f64::from(f), f64::from(rate));
                let got = fast.of(f);
                let off = (got.wrapping_sub(exact) as i32).unsigned_abs();
                assert!(off <= 128, "{f} Hz at {rate}: {got} against {exact}");
                if f.is_nan() || f.abs() >= nyquist {
                    assert_eq!(got, 0, "{f} Hz at {rate}");
                    assert_eq!(exact, 0, "{f} Hz at {rate}");
                }
            }
        }
    }

    #[test]
    fn increment_is_exact_to_a_micro_cent() {
        let inc = phase_increment(440.0, 48_000.0);
        let actual = f64::from(inc) / PHASE_ONE * 48_000.0;
        let cents = 1200.0 * (actual / 440.0).log2();
        assert!(cents.abs() < 1e-4, "{cents}");
        assert_eq!(phase_increment(30_000.0, 48_000.0), 0);
    }
}
