//! `cargo bench`: median time of `analyse` over 4 bars at 120 bpm (8 s,
//! 48 kHz stereo) of a master plus two tapped tracks.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use chronus_analysis::analyse;

fn main() {
    let rate = 48_000;
    let start = 1_000_000u64;
    let s = common::scene(rate, 120.0, 4, start);
    let input = common::scene_input(&s, start, "pad", &s.master, &s.master);
    let mut times = Vec::new();
    let mut cpu = Vec::new();
    let mut line = String::new();
    let _ = analyse(&input); // warm up (caches)
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
