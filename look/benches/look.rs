//! Times each picture for 4 bars at 120 bpm (8 s of 48 kHz stereo):
//! median of 10 runs, in milliseconds. Run with `cargo bench`.

use std::f64::consts::TAU;
use std::time::Instant;

use chronus_look::{levels, roll, scope, spectrogram, Audio, Frame, RollNote};

const RATE: u32 = 48_000;

fn median_ms(mut run: impl FnMut() -> usize) -> (f64, usize) {
    let mut bytes = run(); // warm up: font loading, FFT planning
    let mut times: Vec<f64> = (0..10)
        .map(|_| {
            let t = Instant::now();
            bytes = run();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    ((times[4] + times[5]) / 2.0, bytes)
}

fn main() {
    let n = 8 * RATE as usize;
    let mut seed = 1u32;
    let mut noise = move || {
        seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        (seed >> 8) as f64 / (1u32 << 24) as f64 - 0.5
    };
    let (mut left, mut right) = (vec![0f32; n], vec![0f32; n]);
    for i in 0..n {
        let t = i as f64 / RATE as f64;
        let bass = 0.3 * (2.0 * (t * 55.0).fract() - 1.0) * (-(t * 2.0).fract() * 3.0).exp();
        let lead = 0.2 * (TAU * 660.0 * t).sin();
        let hat = 0.2 * noise() * (-(t * 4.0).fract() * 30.0).exp();
        left[i] = (bass + lead + hat) as f32;
        right[i] = (bass + 0.7 * lead + hat) as f32;
    }
    let start = 24 * RATE as u64;
    let audio = Audio {
        rate: RATE,
        start,
        left: &left,
        right: &right,
    };
    let bars: Vec<u64> = (0..=4).map(|b| start + b * 2 * RATE as u64).collect();
    let frame = Frame::new("master, bars 13-16").with_bars(bars, 13);
    let tracks: Vec<(String, Audio)> = ["master", "bass", "lead", "hats"]
        .iter()
        .map(|name| (name.to_string(), audio))
        .collect();
    let notes: Vec<RollNote> = (0..64)
        .map(|i| RollNote {
            track: ["bass", "lead", "kick", "hat"][i % 4].to_string(),
            start: start + i as u64 * RATE as u64 / 8,
            end: start + (i as u64 + 1) * RATE as u64 / 8,
            note: [36.0, 72.0, 35.0, 42.0][i % 4] + (i % 5) as f32,
            velocity: 0.5 + (i % 3) as f32 * 0.25,
        })
        .collect();
    let span = (start, start + n as u64);

    println!("picture       median of 10 (ms)   PNG size");
    let results = [
        (
            "spectrogram",
            median_ms(|| spectrogram(&audio, &frame).unwrap().len()),
        ),
        (
            "scope",
            median_ms(|| scope(&audio, &frame, None).unwrap().len()),
        ),
        (
            "levels (4)",
            median_ms(|| levels(&tracks, &frame).unwrap().len()),
        ),
        (
            "roll (64)",
            median_ms(|| roll(&notes, RATE, span, &frame).unwrap().len()),
        ),
    ];
    for (name, (ms, bytes)) in results {
        println!("{name:<13} {ms:>10.1}          {:>6} KiB", bytes / 1024);
    }
}
