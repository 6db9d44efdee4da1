//! The reference load: 64 voices of band-limited saw into a 4-pole resonant
//! low-pass (cutoff 2 kHz) and an ADSR, stereo, 48 kHz, 60 s, in blocks of
//! 64 frames. Prints the real-time factor (audio seconds per CPU second).
//!
//! Run: `cargo bench --bench reference_load` (add `-- --seconds 10` for a
//! quicker run). Figures are comparable only within one run on one machine.

use chronus::dsp::simd::{self, Level};
use chronus::engine::{Engine, VecQueue};
use chronus::sequencer::{Event, EventKind, Song, TrackId};
use std::time::Instant;

const RATE: u32 = 48_000;
const BLOCK: usize = 64;

fn reference_song() -> Song {
    let yaml = "tempo: 120\ninstruments:\n  pad:\n    type: synth\n    osc: saw\n    filter: lowpass\n    cutoff: 2000\n    resonance: 0.5\n    attack: 0.01\n    decay: 0.3\n    sustain: 0.7\n    release: 0.5\n    polyphony: 64\n    gain: -30\npatterns:\n  a: { pad: \"~\" }\n";
    match Song::from_yaml(yaml, "reference.yaml".as_ref()) {
        Ok((song, _)) => song,
        Err(e) => panic!("{e}"),
    }
}

fn run_once(song: &Song, seconds: u64, level: Level) -> f64 {
    let mut engine = Engine::new(song, RATE);
    simd::set(level);
    // 64 notes spread over five octaves, all starting at frame 0, held.
    let events: Vec<Event> = (0..64u32)
        .map(|i| Event {
            frame: 0,
            track: TrackId::of_song_track(0),
            kind: EventKind::NoteOn {
                id: i,
                pitch: Some(36.0 + (i as f32 * 0.93)),
                velocity: 0.8,
            },
        })
        .collect();
    let mut queue = VecQueue::new(events);
    let mut left = [0.0f32; BLOCK];
    let mut right = [0.0f32; BLOCK];
    let blocks = seconds * u64::from(RATE) / BLOCK as u64;
    let mut checksum = 0.0f64;
    let start = Instant::now();
    for _ in 0..blocks {
        engine.render(&mut queue, &mut left, &mut right);
        checksum += f64::from(left[0].abs());
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(engine.active_voices(), 64, "the load must keep 64 voices");
    assert!(checksum > 0.0);
    seconds as f64 / elapsed
}

fn main() {
    let mut seconds = 60u64;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--seconds") {
        seconds = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(60);
    }
    let song = reference_song();
    let default = simd::init();
    let runs: Vec<f64> = (0..3).map(|_| run_once(&song, seconds, default)).collect();
    println!(
        "reference load (64 voices saw -> ladder 2 kHz -> ADSR, {seconds} s, 48 kHz, blocks of {BLOCK}, {}): \
         real-time factor median {:.1}x (runs: {})",
        default.name(),
        median(&runs),
        list(&runs)
    );
    // Every SIMD level the CPU has, taking turns, for the ratios between them.
    let levels: Vec<Level> = [Level::Baseline, Level::Avx2, Level::Avx512]
        .into_iter()
        .filter(|l| *l <= simd::detected())
        .collect();
    let mut by_level = vec![Vec::new(); levels.len()];
    for _ in 0..3 {
        for (level, runs) in levels.iter().zip(&mut by_level) {
            runs.push(run_once(&song, seconds, *level));
        }
    }
    for (level, runs) in levels.iter().zip(&by_level) {
        println!(
            "  at {:8} median {:.1}x (runs: {})",
            level.name(),
            median(runs),
            list(runs)
        );
    }
}

fn median(runs: &[f64]) -> f64 {
    let mut sorted = runs.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted[sorted.len() / 2]
}

fn list(runs: &[f64]) -> String {
    runs.iter()
        .map(|r| format!("{r:.1}x"))
        .collect::<Vec<_>>()
        .join(", ")
}
