//! The chorus's tests, with figures compared against the fundsp design it
//! replaced ([`super::legacy`]) measured the same way in the same run.

use super::super::testutil::*;
use super::*;

fn spec(rate: f64, depth: f64) -> ChorusSpec {
    ChorusSpec {
        rate,
        depth,
        mix: 1.0,
    }
}

#[test]
fn changes_the_signal_widens_it_and_stays_bounded() {
    let spec = ChorusSpec {
        mix: 1.0,
        ..Default::default()
    };
    let x = sine(440.0, 1.0, 96_000);
    let (l, r) = run(&mut Chorus::new(&spec, RATE), &x, &x, 64);
    let (l, r, x) = (&l[4800..], &r[4800..], &x[4800..]);
    let (dl, dlr) = (max_diff(l, x), max_diff(l, r));
    println!(
        "chorus: max |wet - dry| {dl:.3}, max |L - R| {dlr:.3}, peak {:.3}",
        peak(l)
    );
    assert!(dl > 0.1 && dlr > 0.1);
    assert!(peak(l) <= 1.05 && peak(r) <= 1.05);
}

/// Correlation of two signals.
fn correlation(a: &[f32], b: &[f32]) -> f64 {
    let dot = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| f64::from(x * y)).sum::<f64>();
    dot(a, b) / (dot(a, a) * dot(b, b)).sqrt()
}

#[test]
fn a_mono_source_comes_out_as_wide_as_from_fundsps() {
    // Noise in both channels: only the dry fifth of each output is common.
    for (rate, depth) in [(0.5, 0.5), (3.0, 1.0), (0.1, 0.2)] {
        let x = noise(5, 0.5, 96_000);
        let (l, r) = run(&mut Chorus::new(&spec(rate, depth), RATE), &x, &x, 64);
        let (ol, or) = run(
            &mut legacy::Chorus::new(&spec(rate, depth), RATE),
            &x,
            &x,
            64,
        );
        let corr = correlation(&l[4800..], &r[4800..]);
        let old = correlation(&ol[4800..], &or[4800..]);
        println!("chorus rate {rate} depth {depth}: L/R correlation of mono noise {corr:.3} (fundsp's {old:.3})");
        assert!(corr < 0.35 && corr < old + 0.05, "{corr}");
    }
}

/// The share of a 1 kHz tone's output power farther than 300 Hz from it
/// (the chorus's sweep moves it by far less), in dB: zipper noise or an
/// interpolation error would raise it.
fn spread_db(x: &[f32]) -> f64 {
    use rustfft::{num_complex::Complex, FftPlanner};
    const N: usize = 16_384;
    let fft = FftPlanner::new().plan_fft_forward(N);
    let (mut near, mut far) = (0.0, 0.0);
    for c in x.chunks_exact(N) {
        let mut buf: Vec<Complex<f64>> = c
            .iter()
            .enumerate()
            .map(|(k, v)| {
                let w = (std::f64::consts::PI * k as f64 / N as f64).sin().powi(2);
                Complex::new(f64::from(*v) * w, 0.0)
            })
            .collect();
        fft.process(&mut buf);
        for (k, v) in buf[..N / 2].iter().enumerate() {
            let f = k as f64 * f64::from(RATE) / N as f64;
            if (f - 1000.0).abs() < 300.0 {
                near += v.norm_sqr();
            } else {
                far += v.norm_sqr();
            }
        }
    }
    10.0 * (far / (near + far)).log10()
}

#[test]
fn the_sweep_is_smooth() {
    for (rate, depth) in [(0.5, 0.5), (3.0, 1.0), (10.0, 1.0)] {
        let x = sine(1000.0, 0.5, 48_000 * 4);
        let (l, r) = run(&mut Chorus::new(&spec(rate, depth), RATE), &x, &x, 64);
        let (ol, _) = run(
            &mut legacy::Chorus::new(&spec(rate, depth), RATE),
            &x,
            &x,
            64,
        );
        let (new, old) = (spread_db(&l[4800..]), spread_db(&ol[4800..]));
        println!(
            "chorus rate {rate} depth {depth}: 1 kHz tone's power beyond ±300 Hz {new:.1} dB \
             (right {:.1} dB; fundsp's {old:.1} dB)",
            spread_db(&r[4800..])
        );
        assert!(new < old + 1.0 && new < -40.0, "{new} dB");
    }
}

#[test]
fn deeper_modulation_moves_the_taps_more() {
    // With depth 0 the taps are static: a steady sine stays a steady sine
    // (constant amplitude); with depth 1 the amplitude beats.
    let spread = |depth: f64| {
        let x = sine(1000.0, 1.0, 96_000);
        let (l, _) = run(&mut Chorus::new(&spec(2.0, depth), RATE), &x, &x, 64);
        let amps: Vec<f64> = l[9600..]
            .chunks(480)
            .map(|c| tone_amplitude(c, 1000.0))
            .collect();
        let max = amps.iter().cloned().fold(0.0, f64::max);
        let min = amps.iter().cloned().fold(f64::MAX, f64::min);
        max - min
    };
    assert!(spread(0.0) < 1e-3, "{}", spread(0.0));
    assert!(spread(1.0) > 0.2, "{}", spread(1.0));
}

#[test]
fn mix_zero_is_bit_exact() {
    let spec = ChorusSpec {
        mix: 0.0,
        ..Default::default()
    };
    assert_passes_bit_exactly(Chorus::new(&spec, RATE));
}

#[test]
fn block_size_independent() {
    assert_block_independent(
        "chorus",
        || Box::new(Chorus::new(&spec(3.0, 1.0), RATE)),
        0.0,
    );
}

#[test]
fn reset_starts_again_from_the_beginning() {
    let x = noise(9, 0.5, 24_000);
    let mut fx = Chorus::new(&spec(1.0, 0.7), RATE);
    let (a, b) = run(&mut fx, &x, &x, 64);
    fx.reset();
    let (c, d) = run(&mut fx, &x, &x, 64);
    assert!(a == c && b == d);
}
