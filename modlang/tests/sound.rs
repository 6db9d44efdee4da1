//! What the units sound like, measured.

mod common;
use common::*;

/// Frequency from interpolated rising zero crossings (skipping the start).
fn pitch(x: &[f32]) -> f64 {
    let mut crossings = Vec::new();
    for i in 1..x.len() {
        let (a, b) = (f64::from(x[i - 1]), f64::from(x[i]));
        if a < 0.0 && b >= 0.0 {
            crossings.push((i - 1) as f64 + a / (a - b));
        }
    }
    let (first, last) = (crossings[1], crossings[crossings.len() - 1]);
    (crossings.len() - 2) as f64 / (last - first) * f64::from(RATE)
}

fn cents(f: f64, want: f64) -> f64 {
    1200.0 * (f / want).log2()
}

#[test]
fn sine_440_is_440_within_a_cent() {
    for src in [
        "output out = sine(440)",
        // Through the audio-rate path: the frequency is a signal.
        "param f = 440 in 20..2000\noutput out = sine(f)",
        "output out = sine(400 + 40 * (sine(0.0001) * 0 + 1))",
    ] {
        let x = render(src, 48_000);
        let f = pitch(&x);
        assert!(cents(f, 440.0).abs() < 1.0, "{src}: {f} Hz");
        assert!(
            (rms(&x) - 0.5f64.sqrt()).abs() < 0.01,
            "{src}: rms {}",
            rms(&x)
        );
    }
}

#[test]
fn saw_at_5khz_has_no_alias_above_minus_60_db() {
    // One second at 48 kHz: 1 Hz bins, every harmonic and every alias of a
    // 5 kHz saw falls on a whole bin.
    for src in [
        "output out = saw(5000)",
        "param f = 5000 in 20..20000\noutput out = saw(f)",
        "output out = square(5000)",
    ] {
        let s = spectrum(&render(src, 48_000));
        let fundamental = s[5000];
        assert!(fundamental > 0.5, "{src}: {fundamental}");
        let mut worst = (0.0f64, 0usize);
        for (bin, &a) in s.iter().enumerate().skip(20) {
            let harmonic = bin % 5000 <= 2 || bin % 5000 >= 4998;
            if !harmonic && a > worst.0 {
                worst = (a, bin);
            }
        }
        let db = 20.0 * (worst.0 / fundamental).log10();
        eprintln!("{src}: worst alias {db:.1} dB at {} Hz", worst.1);
        assert!(db < -60.0, "{src}: alias {db:.1} dB at {} Hz", worst.1);
    }
}

#[test]
fn audio_rate_fm_stays_clean() {
    // A saw swept by a fast sine up to 9 kHz: the band is chosen per block
    // from the block's highest frequency, so nothing folds below 1 kHz.
    let x = render("output out = saw(5000 + 4000 * sine(3))", 48_000);
    let s = spectrum(&x);
    let total = rms(&x);
    let low: f64 = s[20..900].iter().map(|a| a * a / 2.0).sum::<f64>().sqrt();
    let db = 20.0 * (low / total).log10();
    assert!(db < -50.0, "energy below 900 Hz: {db:.1} dB");
}

fn level_db(src: &str) -> f64 {
    let x = render(src, 48_000);
    20.0 * (rms(&x[24_000..]) / 0.5f64.sqrt()).log10()
}

#[test]
fn lowpass_at_1khz_cuts_10khz_and_passes_100hz() {
    for q in ["0", "0.3"] {
        let cut = level_db(&format!("output out = sine(10000) >> lowpass(1000, {q})"));
        let pass = level_db(&format!("output out = sine(100) >> lowpass(1000, {q})"));
        eprintln!("q {q}: 10 kHz {cut:.1} dB, 100 Hz {pass:.2} dB");
        assert!(cut < -30.0, "q {q}: 10 kHz at {cut:.1} dB");
        assert!(pass.abs() < 1.0, "q {q}: 100 Hz at {pass:.2} dB");
    }
    // The same through a param cutoff (coefficients follow the signal).
    let src = "param c = 1000 in 20..20000\noutput out = sine(10000) >> lowpass(c, 0)";
    assert!(level_db(src) < -30.0);
    // High-pass mirrors it; band-pass passes its centre.
    assert!(level_db("output out = sine(100) >> highpass(1000, 0)") < -30.0);
    assert!(level_db("output out = sine(10000) >> highpass(1000, 0)").abs() < 1.0);
    assert!(level_db("output out = sine(1000) >> bandpass(1000, 0.5)").abs() < 1.0);
}

#[test]
fn inputs_delay_and_pure_units_do_what_they_say() {
    let def = def(
        "input in\noutput d = delay(in, 0.01)\noutput c = clip(in * 3)\n\
                   output m = mix(in, -in, 0.25)\noutput a = abs(min(in, 0) + max(in, 0))",
    );
    let mut m = def.build(RATE);
    let x: Vec<f32> = (0..2048).map(|i| ((i as f32) * 0.05).sin()).collect();
    let mut outs = vec![Vec::new(); 4];
    for chunk in x.chunks(64) {
        m.input_mut(0)[..chunk.len()].copy_from_slice(chunk);
        m.render(chunk.len());
        for (o, v) in outs.iter_mut().enumerate() {
            v.extend_from_slice(m.output(o));
        }
    }
    // 10 ms at 48 kHz: 480 samples late.
    for i in 480..2048 {
        assert!((outs[0][i] - x[i - 480]).abs() < 1e-6, "delay at {i}");
        assert!((outs[1][i] - (x[i] * 3.0).clamp(-1.0, 1.0)).abs() < 1e-6);
        assert!((outs[2][i] - x[i] * 0.5).abs() < 1e-6);
        assert!((outs[3][i] - x[i].abs()).abs() < 1e-6);
    }
    assert!(outs[0][..480].iter().all(|&s| s == 0.0));
}

#[test]
fn block_size_does_not_change_the_sound() {
    let src = "param g = 0.5 in 0..1\nparam f = 220 in 20..2000\n\
               let lfo = sine(3)\n\
               let fm = sine(220 + 150 * sine(331))\n\
               let n = noise() * 0.1 + pink() * 0.1\n\
               let s = saw(f) + square(110) * 0.5 + triangle(55)\n\
               let filtered = (s + n) >> lowpass(800 + 600 * lfo, 0.5) >> highpass(40, 0.1)\n\
               let echo = delay(filtered, 0.02 + 0.01 * lfo)\n\
               output out = tanh((filtered + echo * 0.5 + fm) * g)\n\
               output side = bandpass(n, 2000, 0.2)";
    let d = def(src);
    // Both outputs, frame by frame, in blocks of the given sizes; the param
    // ramp starts at frame 5440 whatever the block sizes.
    let frames = |blocks: &[usize]| {
        let mut m = d.build(RATE);
        let (mut out, mut side) = (Vec::new(), Vec::new());
        let mut k = 0;
        for (end, ramp) in [(5_440, true), (20_000, false)] {
            while out.len() < end {
                let n = blocks[k % blocks.len()].min(end - out.len());
                k += 1;
                m.render(n);
                out.extend_from_slice(m.output(0));
                side.extend_from_slice(m.output(1));
            }
            if ramp {
                m.set_param(0, 1.0, 3000);
            }
        }
        (out, side)
    };
    let reference = frames(&[64]);
    assert!(rms(&reference.0) > 0.05);
    for blocks in [&[17, 47][..], &[1], &[63, 5, 30, 64, 2], &[32]] {
        let got = frames(blocks);
        assert_eq!(got.0.len(), reference.0.len());
        for (i, (a, b)) in got.0.iter().zip(&reference.0).enumerate().take(20_000) {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "blocks {blocks:?}: out differs at {i}"
            );
        }
        for (i, (a, b)) in got.1.iter().zip(&reference.1).enumerate().take(20_000) {
            assert_eq!(
                a.to_bits(),
                b.to_bits(),
                "blocks {blocks:?}: side differs at {i}"
            );
        }
    }
}

#[test]
fn the_template_parses_builds_and_sounds() {
    let t = chronus_modlang::template("drone");
    let d =
        chronus_modlang::parse(&t, "modules/drone.cm", "drone").unwrap_or_else(|e| panic!("{e}"));
    assert!(d.doc().starts_with("drone: "), "{}", d.doc());
    assert_eq!(d.inputs(), ["in"]);
    assert_eq!(d.outputs(), ["out"]);
    assert_eq!(d.param_index("cutoff"), Some(1));
    for (sig, _) in chronus_modlang::UNITS {
        assert!(t.contains(sig), "the template lists {sig}");
    }
    assert!(chronus_modlang::parse(&chronus_modlang::template("a\nb"), "t.cm", "t").is_ok());
    let mut m = d.build(RATE);
    let x = render_blocks(&mut m, 0, 48_000, &[64]);
    assert!(x.iter().all(|s| s.is_finite()));
    let r = rms(&x[4800..]);
    assert!(r > 0.05 && r < 1.0, "rms {r}");
}
