//! The cost of the band-limited FM voice and the oversampled distortion.
//!
//! - FM: 64 voices (the reference polyphony) of `fm` at ratio 2, index 10,
//!   notes spread over C2..B6 (so most are high enough for the index limit
//!   to act), stereo, 48 kHz, in blocks of 64.
//! - Distortion: one sine voice through a `distortion` insert at drive 12
//!   and 48 dB, against the same voice without it; the insert's cost is the
//!   difference, as a share of one core at 48 kHz.
//!
//! Run: `cargo bench --bench dsp_cost` (add `-- --seconds 10` for a quicker
//! run). Each figure is the median of three runs; compare figures only
//! within one run on one machine.

use chronus::engine::{Engine, VecQueue};
use chronus::sequencer::{Event, EventKind, Song, TrackId};
use std::time::Instant;

const RATE: u32 = 48_000;
const BLOCK: usize = 64;

fn song(yaml: &str) -> Song {
    match Song::from_yaml(yaml, "bench.yaml".as_ref()) {
        Ok((song, _)) => song,
        Err(e) => panic!("{e}"),
    }
}

/// CPU seconds to render `seconds` of `song` with `notes` held from frame 0.
fn cpu_seconds(song: &Song, notes: &[f32], seconds: u64) -> f64 {
    let mut engine = Engine::new(song, RATE);
    let events: Vec<Event> = notes
        .iter()
        .enumerate()
        .map(|(i, p)| Event {
            frame: 0,
            track: TrackId::of_song_track(0),
            kind: EventKind::NoteOn {
                id: i as u32,
                pitch: Some(*p),
                velocity: 0.8,
            },
        })
        .collect();
    let mut queue = VecQueue::new(events);
    let (mut left, mut right) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    let blocks = seconds * u64::from(RATE) / BLOCK as u64;
    let mut checksum = 0.0f64;
    let start = Instant::now();
    for _ in 0..blocks {
        engine.render(&mut queue, &mut left, &mut right);
        checksum += f64::from(left[0].abs());
    }
    let elapsed = start.elapsed().as_secs_f64();
    assert!(checksum > 0.0, "the bench must make sound");
    elapsed
}

fn median(mut runs: Vec<f64>) -> f64 {
    runs.sort_by(f64::total_cmp);
    runs[runs.len() / 2]
}

fn main() {
    let mut seconds = 30u64;
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--seconds") {
        seconds = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(30);
    }
    let fm = song("tempo: 120\ninstruments:\n  bells: { type: fm, ratio: 2, index: 10, index_env: 0, attack: 0.01, sustain: 1, polyphony: 64, gain: -30 }\npatterns:\n  a: { bells: \"~\" }\n");
    let notes: Vec<f32> = (0..64).map(|i| 36.0 + i as f32 * 0.93).collect();
    let t = median((0..3).map(|_| cpu_seconds(&fm, &notes, seconds)).collect());
    println!(
        "fm, 64 voices, ratio 2, index 10, C2..B6: real-time factor {:.1}x ({:.2} us per frame)",
        seconds as f64 / t,
        t / (seconds * u64::from(RATE)) as f64 * 1e6
    );
    let voice = "tempo: 120\ninstruments:\n  s: { type: synth, osc: sine, filter: none, sustain: 1";
    let plain = song(&format!("{voice} }}\npatterns:\n  a: {{ s: \"~\" }}\n"));
    let base = median(
        (0..3)
            .map(|_| cpu_seconds(&plain, &[45.0], seconds))
            .collect(),
    );
    for drive in [12, 48] {
        let driven = song(&format!(
            "{voice}, effects: [ {{ type: distortion, drive: {drive} }} ] }}\npatterns:\n  a: {{ s: \"~\" }}\n"
        ));
        let t = median(
            (0..3)
                .map(|_| cpu_seconds(&driven, &[45.0], seconds))
                .collect(),
        );
        println!(
            "distortion insert, drive {drive} dB: {:.3}% of one core at 48 kHz (voice alone {:.3}%, with it {:.3}%)",
            100.0 * (t - base) / seconds as f64,
            100.0 * base / seconds as f64,
            100.0 * t / seconds as f64
        );
    }
}
