//! `cargo bench`: median time of `analyse` over 4 bars at 120 bpm (8 s,
//! 48 kHz stereo) of a master plus two tapped tracks.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use chronus_analysis::{analyse, Audio, Counters, Input, NotePlayed, TrackInput};

fn main() {
    let rate = 48_000;
    let start = 1_000_000u64;
    let s = common::scene(rate, 120.0, 4, start);
    let audio = |x: &'static [f32]| Audio {
        rate,
        start,
        left: x,
        right: x,
    };
    let master: &'static [f32] = Box::leak(s.master.clone().into_boxed_slice());
    let bass: &'static [f32] = Box::leak(s.bass.clone().into_boxed_slice());
    let pad: &'static [f32] = Box::leak(s.pad.clone().into_boxed_slice());
    let notes = |v: &[(u64, f32, u64)]| -> Vec<NotePlayed> {
        v.iter()
            .map(|&(frame, note, end)| NotePlayed {
                frame,
                note,
                velocity: 0.8,
                end: Some(end),
            })
            .collect()
    };
    let kick_energy: f64 = s
        .kick
        .iter()
        .map(|&v| 2.0 * f64::from(v) * f64::from(v))
        .sum();
    let input = Input {
        what: "master".into(),
        master: audio(master),
        tracks: vec![
            TrackInput {
                name: "kick".into(),
                audio: None,
                energy: Some(kick_energy),
                notes: s
                    .kicks
                    .iter()
                    .map(|&f| NotePlayed {
                        frame: f,
                        note: 36.0,
                        velocity: 1.0,
                        end: None,
                    })
                    .collect(),
                pitched: false,
            },
            TrackInput {
                name: "bass".into(),
                audio: Some(audio(bass)),
                energy: None,
                notes: notes(&s.bass_notes),
                pitched: true,
            },
            TrackInput {
                name: "pad".into(),
                audio: Some(audio(pad)),
                energy: None,
                notes: notes(&s.pad_notes),
                pitched: true,
            },
        ],
        bars: s.bar_frames.clone(),
        first_bar: Some(13),
        tempo_bpm: Some(120.0),
        scheduled_onsets: s.kicks.clone(),
        counters: Counters::default(),
    };
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut line = String::new();
    let _ = analyse(&input); // warm up (FFT plans, caches)
    for _ in 0..20 {
        let c = thread_cpu_ms();
        let t = Instant::now();
        let report = analyse(&input);
        times.push(t.elapsed().as_secs_f64() * 1000.0);
        if let (Some(a), Some(b)) = (c, thread_cpu_ms()) {
            cpu.push(b - a);
        }
        line = report.line();
    }
    times.sort_by(|a, b| a.total_cmp(b));
    cpu.sort_by(|a, b| a.total_cmp(b));
    println!("{line}");
    println!(
        "analyse 8 s 48 kHz stereo, master + 2 tapped tracks: median {:.2} ms (min {:.2}, max {:.2}) over 20 runs",
        times[10], times[0], times[19]
    );
    if cpu.len() == 20 {
        println!("  thread CPU time: median {:.2} ms (the wall time includes waiting for a core on a busy machine)", cpu[10]);
    }
}

/// This thread's CPU time in ms (Linux), to tell work from waiting on a shared machine.
fn thread_cpu_ms() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e6)
}
