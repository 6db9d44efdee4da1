//! Small numeric helpers shared by the modules.

/// Frequency in Hz of MIDI note `note` (A4 = 69 = 440 Hz, equal temperament).
/// Computed in `f64` so that pitch is exact to far below a cent.
pub fn midi_to_hz(note: f64) -> f64 {
    440.0 * ((note - 69.0) / 12.0).exp2()
}

/// Linear gain of `db` decibels.
pub fn db_to_gain(db: f64) -> f64 {
    10f64.powf(db / 20.0)
}

/// A rational approximation of `tanh`, exact at 0, odd, monotonic, and
/// saturating at ±1 beyond |x| = 3 (error below 0.024 everywhere, far cheaper
/// than `tanhf`). Audio thread safe.
#[inline(always)]
pub fn tanh_approx(x: f32) -> f32 {
    let x = x.clamp(-3.0, 3.0);
    let x2 = x * x;
    x * (27.0 + x2) / (27.0 + 9.0 * x2)
}

/// Make the calling thread flush denormal numbers to zero (FTZ/DAZ on x86),
/// as every audio thread should: recursive filters and reverb tails would
/// otherwise slow down by orders of magnitude as they decay, and results
/// would depend on whether some earlier code had set the flags. Cheap; the
/// engine calls it at the start of every render. Audio thread safe.
pub fn prevent_denormals() {
    fundsp::denormal::prevent_denormals();
}

/// Equal-power pan law: `(left, right)` gains for `pan` in -1..1.
pub fn pan_gains(pan: f64) -> (f32, f32) {
    let angle = (pan.clamp(-1.0, 1.0) + 1.0) * std::f64::consts::FRAC_PI_4;
    (angle.cos() as f32, angle.sin() as f32)
}

/// Per-sample multiplier of an exponential that falls 60 dB in `seconds`
/// (0 for no time at all).
pub fn fall_60db(seconds: f64, rate: f64) -> f32 {
    if seconds <= 0.0 {
        0.0
    } else {
        (0.001f64.ln() / (seconds * rate)).exp() as f32
    }
}

/// One-pole smoothing coefficient for a time constant of `seconds`: the
/// per-sample multiplier of an exponential with that time constant.
pub fn one_pole_coef(seconds: f64, rate: f64) -> f32 {
    if seconds <= 0.0 {
        0.0
    } else {
        (-1.0 / (seconds * rate)).exp() as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a4_is_440_and_octaves_double() {
        assert_eq!(midi_to_hz(69.0), 440.0);
        assert!((midi_to_hz(81.0) - 880.0).abs() < 1e-9);
        assert!((midi_to_hz(60.0) - 261.625_565_300_6).abs() < 1e-6);
    }

    #[test]
    fn tanh_approx_is_close_and_bounded() {
        for i in -600..=600 {
            let x = i as f32 / 100.0;
            let e = (tanh_approx(x) - x.tanh()).abs();
            assert!(e < 0.025, "x={x} err={e}");
            assert!(tanh_approx(x).abs() <= 1.0 + 1e-6);
        }
    }

    #[test]
    fn equal_power_pan() {
        for pan in [-1.0, -0.5, 0.0, 0.5, 1.0] {
            let (l, r) = pan_gains(pan);
            assert!((l * l + r * r - 1.0).abs() < 1e-6, "{pan}");
        }
        let (l, r) = pan_gains(0.0);
        assert!((l - r).abs() < 1e-7, "the centre is centred");
        assert!(pan_gains(-1.0).1.abs() < 1e-7 && pan_gains(1.0).0.abs() < 1e-7);
        let (l, r) = pan_gains(0.5);
        assert!(r > l && l > 0.0, "half right: {l} {r}");
    }
}
