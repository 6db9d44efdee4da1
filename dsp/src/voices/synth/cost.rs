//! What the reference load's voice bank costs at each SIMD level, in one
//! run: `cargo test -p chronus-dsp --release --lib synth_bank_cost --
//! --ignored --nocapture`. 64 held saw notes over five octaves through the
//! ladder at 2 kHz (the root crate's `benches/reference_load.rs`, without
//! the engine around it), then the first four of them; 4 s of audio at 48 kHz in blocks of 64, nine
//! times per level, the levels taking turns; the figures are the fastest
//! and the median run's real-time factor (audio time over wall time).
//! Compare figures only within one run.

use super::{SynthBank, SynthSpec};
use crate::simd::{self, Level};
use crate::Instrument;
use std::time::Instant;

const RATE: f32 = 48_000.0;

fn reference_bank(voices: u32) -> SynthBank {
    let yaml = "osc: saw\nfilter: lowpass\ncutoff: 2000\nresonance: 0.5\nattack: 0.01\n\
                decay: 0.3\nsustain: 0.7\nrelease: 0.5\npolyphony: 64\n";
    let spec: SynthSpec = match serde_yaml_ng::from_str(yaml) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    let mut bank = SynthBank::new(&spec, RATE);
    for i in 0..voices {
        bank.note_on(i, Some(36.0 + i as f32 * 0.93), 0.8);
    }
    bank
}

/// Real-time factor of one run of `voices` voices at `level`.
fn run(level: Level, voices: u32) -> f64 {
    const SECONDS: usize = 4;
    let mut bank = reference_bank(voices);
    simd::set(level);
    let mut out = [0.0f32; 64];
    let mut check = 0.0f64;
    let start = Instant::now();
    for _ in 0..SECONDS * RATE as usize / 64 {
        out.fill(0.0);
        bank.render(&mut out);
        check += f64::from(out[0].abs());
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(bank.active_voices(), voices as usize);
    assert!(check > 0.0);
    SECONDS as f64 / elapsed
}

#[test]
#[ignore = "a measurement: run it alone, in release"]
fn synth_bank_cost() {
    crate::math::prevent_denormals();
    let levels: Vec<Level> = [Level::Baseline, Level::Avx2, Level::Avx512]
        .into_iter()
        .filter(|l| *l <= simd::detected())
        .collect();
    // The reference load, and a four-note pad (one vector of lanes: the
    // filter's recursion, not its arithmetic, sets the pace).
    for voices in [64, 4] {
        let mut runs = vec![Vec::new(); levels.len()];
        for _ in 0..9 {
            for (level, runs) in levels.iter().zip(&mut runs) {
                runs.push(run(*level, voices));
            }
        }
        for (level, mut runs) in levels.iter().zip(runs) {
            runs.sort_by(f64::total_cmp);
            println!(
                "{voices:2} voices at {:8}: fastest {:7.1}x real time, median {:7.1}x",
                level.name(),
                runs[runs.len() - 1],
                runs[runs.len() / 2]
            );
        }
    }
    simd::init();
}
