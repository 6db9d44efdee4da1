//! What the reverb and chorus inserts cost, against the fundsp designs they
//! replaced: `cargo test -p chronus-dsp --release cost -- --ignored
//! --nocapture`. Each insert renders 20 s of a steady stereo signal (noise
//! and a sine, never silent, so the reverb never rests) at 48 kHz in blocks
//! of 64, nine times, the old and new designs taking turns; the figures are
//! the fastest and the median run's wall time over the audio time, as a
//! share of one core (the fastest is the least disturbed by other work on
//! the machine). Compare figures only within one run.

use super::testutil::{noise, sine, RATE};
use super::{chorus, reverb, Chorus, Reverb};
use crate::Effect;
use chronus_sequencer::song::{ChorusSpec, ReverbSpec};
use std::time::Instant;

/// Percent of one core `fx` takes on a steady signal, in one run.
fn cost(fx: &mut dyn Effect) -> f64 {
    const SECONDS: usize = 20;
    let n = 48_000;
    let a = noise(3, 0.3, n);
    let b = sine(220.0, 0.3, n);
    let (mut l, mut r) = ([0.0f32; 64], [0.0f32; 64]);
    let mut check = 0.0f64;
    let start = Instant::now();
    for block in 0..SECONDS * n / 64 {
        let at = (block * 64) % n;
        l.copy_from_slice(&a[at..at + 64]);
        for (r, (x, y)) in r.iter_mut().zip(a[at..at + 64].iter().zip(&b[at..at + 64])) {
            *r = y - 0.5 * x;
        }
        fx.process(&mut l, &mut r);
        check += f64::from(l[0].abs() + r[0].abs());
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert!(check > 0.0);
    100.0 * elapsed / SECONDS as f64
}

/// (fastest, median) of nine runs of each of `new` and `old`, alternating.
fn compare(
    new: impl Fn() -> Box<dyn Effect>,
    old: impl Fn() -> Box<dyn Effect>,
) -> [(f64, f64); 2] {
    let mut runs = [Vec::new(), Vec::new()];
    for _ in 0..9 {
        runs[0].push(cost(new().as_mut()));
        runs[1].push(cost(old().as_mut()));
    }
    runs.map(|mut r| {
        r.sort_by(f64::total_cmp);
        (r[0], r[r.len() / 2])
    })
}

#[test]
#[ignore = "a measurement: run it alone, in release"]
fn reverb_and_chorus_cost() {
    crate::math::prevent_denormals();
    println!("SIMD level: {}", crate::simd::init().name());
    let r = ReverbSpec {
        mix: 0.5,
        ..Default::default()
    };
    let c = ChorusSpec::default();
    let [new_r, old_r] = compare(
        || Box::new(Reverb::new(&r, RATE)),
        || Box::new(reverb::legacy::Reverb::new(&r, RATE)),
    );
    let [new_c, old_c] = compare(
        || Box::new(Chorus::new(&c, RATE)),
        || Box::new(chorus::legacy::Chorus::new(&c, RATE)),
    );
    for (name, new, old) in [("reverb", new_r, old_r), ("chorus", new_c, old_c)] {
        println!(
            "{name}: {:.4} % of one core (median {:.4} %); fundsp's {:.4} % (median {:.4} %): \
             {:.1}x cheaper",
            new.0,
            new.1,
            old.0,
            old.1,
            old.0 / new.0
        );
    }
}
