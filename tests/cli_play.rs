//! `chronus play` as a user runs it: signals, metrics lines, the Ctrl-C
//! fade-out, `--loop` and `--record` (on the device-free null backend).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(start.elapsed() < within, "chronus did not exit");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// SIGUSR1 prints the metrics while playing; Ctrl-C fades out over about
/// 10 ms, exits 0, prints them again, and the recording ends in the fade.
#[test]
fn usr1_reports_and_ctrl_c_fades_out_cleanly() {
    let dir = std::env::temp_dir().join(format!("chronus-play-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let song = dir.join("drone.yaml");
    std::fs::write(
        &song,
        "tempo: 120\ninstruments:\n  s: { type: synth, osc: sine, filter: none, attack: 0, decay: 0, sustain: 1, release: 1, gain: -6 }\npatterns:\n  a: { s: \"A3\" }\n",
    )
    .expect("song");
    let record = dir.join("rec.wav");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args([
            "play",
            song.to_str().expect("path"),
            "--backend",
            "null",
            "--loop",
            "--record",
        ])
        .arg(&record)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chronus");
    std::thread::sleep(Duration::from_millis(1500));
    signal(&child, "USR1");
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, "INT");
    let status = wait_exit(&mut child, Duration::from_secs(3));
    let mut stderr = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read stderr");
    assert!(status.success(), "{status:?}\n{stderr}");
    let metrics: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("null: frames"))
        .collect();
    assert_eq!(
        metrics.len(),
        2,
        "one line on SIGUSR1, one on exit:\n{stderr}"
    );
    for line in &metrics {
        for field in [
            "xruns",
            "callback mean",
            "p99",
            "max",
            "period",
            "output latency",
            "late events",
            "events",
        ] {
            assert!(line.contains(field), "{field} missing: {line}");
        }
    }
    // The same fields on SIGUSR1 as on exit.
    assert!(metrics[0].contains("late events 0"), "{stderr}");
    assert!(metrics[1].contains("late events 0"), "{stderr}");

    // Looping kept the drone going past its one bar (2 s)? No: stopped at
    // about 1.8 s; the recording holds the tone, then the fade to silence.
    let reader = hound::WavReader::open(&record).expect("recording");
    let left: Vec<f32> = reader
        .into_samples::<f32>()
        .step_by(2)
        .map(|s| s.expect("sample"))
        .collect();
    let _ = std::fs::remove_dir_all(&dir);
    let n = left.len();
    assert!(n > 48_000, "{n} frames recorded");
    let peak = |s: &[f32]| s.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let before = peak(&left[n - 4_000..n - 1_000]);
    assert!(before > 0.2, "the tone was playing: {before}");
    // The last 10 ms ramp down: the final millisecond is almost silent.
    let end = peak(&left[n - 48..]);
    assert!(end < 0.05 * before, "no fade: {end} vs {before}");
}

/// `--loop` plays the arrangement again: a one-bar song keeps playing well
/// past its end until stopped.
#[test]
fn loop_keeps_playing() {
    let dir = std::env::temp_dir().join(format!("chronus-loop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let song = dir.join("short.yaml");
    std::fs::write(
        &song,
        "tempo: 400\ninstruments:\n  k: { type: kick, decay: 0.05 }\npatterns:\n  a: { k: \"x x x x\" }\n",
    )
    .expect("song");
    let mut child = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args([
            "play",
            song.to_str().expect("path"),
            "--backend",
            "null",
            "--loop",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chronus");
    // One bar is 0.6 s: after 1.5 s a non-looping play would have ended.
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().expect("wait").is_none(),
        "stopped without --loop's repeat"
    );
    signal(&child, "INT");
    let status = wait_exit(&mut child, Duration::from_secs(3));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(status.success());
    let mut stderr = String::new();
    use std::io::Read;
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    // 10 beats in 1.5 s at 400 BPM: 4 bars queued ahead, at least 16 events.
    let events: u64 = stderr
        .split("events ")
        .last()
        .and_then(|s| s.trim().parse().ok())
        .expect("events count");
    assert!(events >= 16, "{stderr}");
}
