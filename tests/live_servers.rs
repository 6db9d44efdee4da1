//! End to end through real audio servers: the private JACK server (dummy
//! driver) and PulseAudio server (null sink) that `scripts/test.sh` starts.
//! What the server received is recorded (a JACK client here; `parec` from
//! the null sink's monitor) and checked against the offline render.
//!
//! Without those servers (a plain `cargo test`) these tests say so and pass,
//! unless CHRONUS_REQUIRE_SERVERS=1 (set by scripts/test.sh), where a
//! missing server is a failure.

mod common;

use chronus::backends::jack::{JackBackend, JackOptions};
use chronus::backends::{LiveBackend, Metrics};
use chronus::live::{play, LiveControl, PlayOptions};
use jack::{Client, ClientOptions, Control, ProcessScope};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Serialises the tests: they share the servers (and JACK client names).
static SERVERS: Mutex<()> = Mutex::new(());

const CLICK_SONG: &str = "tempo: 120\ninstruments:\n  k: { type: kick, decay: 0.05, click: 0.5 }\n  \
    b: { type: synth, osc: saw, cutoff: 900, resonance: 0.4, release: 0.02, gain: -6 }\n\
    patterns:\n  a: { k: \"~ x x x\", b: \"~ [C3 G3] ~ Eb3\" }\narrangement:\n  - { pattern: a, repeat: 2 }\n";

/// A song played through the JACK server arrives at another client's port
/// sample for sample as the offline render has it, after a constant latency.
#[test]
fn jack_delivers_the_offline_samples() {
    let _guard = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    if !common::servers_available("JACK_DEFAULT_SERVER") {
        return;
    }
    let song = common::song(CLICK_SONG);
    let backend = JackBackend::open(JackOptions {
        client_name: "chronus-e2e".into(),
        connect: false,
    })
    .expect("open JACK");
    let rate = backend.rate();
    let out_l = format!("{}:out_L", backend.client_name());

    // A recording client: the first 8 s that arrive at its input port.
    let (rec, _) = Client::new("chronus-e2e-rec", ClientOptions::NO_START_SERVER).expect("client");
    let input = rec
        .register_port("in", jack::AudioIn::default())
        .expect("port");
    let (mut tx, mut rx) = rtrb::RingBuffer::<f32>::new(8 * rate as usize);
    let rec = rec
        .activate_async(
            (),
            jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
                for x in input.as_slice(ps) {
                    let _ = tx.push(*x);
                }
                Control::Continue
            }),
        )
        .expect("activate");

    let control = LiveControl::default();
    let metrics = Arc::new(Metrics::new());
    let player_metrics = Arc::clone(&metrics);
    let player_control = control.clone();
    let player = std::thread::spawn(move || {
        let backend: Box<dyn LiveBackend> = Box::new(backend);
        play(
            &song_for_thread(),
            backend,
            &PlayOptions::default(),
            &player_control,
            &player_metrics,
            |_, _| {},
        )
    });
    // The first beat is a rest (0.5 s): connect before the first sound.
    let start = Instant::now();
    while rec
        .as_client()
        .connect_ports_by_name(&out_l, "chronus-e2e-rec:in")
        .is_err()
    {
        assert!(
            start.elapsed() < Duration::from_millis(400),
            "cannot connect {out_l}"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let report = player.join().expect("player thread").expect("play");
    std::thread::sleep(Duration::from_millis(50));
    let _ = rec.deactivate();
    let mut recorded = Vec::new();
    while let Ok(x) = rx.pop() {
        recorded.push(x);
    }

    let (offline, _) = common::render_blocks(&song, rate, None, 64);
    let rec_onsets = common::onsets(&recorded);
    let off_onsets = common::onsets(&offline);
    assert!(off_onsets.len() >= 4, "{off_onsets:?}");
    assert_eq!(
        rec_onsets.len(),
        off_onsets.len(),
        "recorded {rec_onsets:?}, offline {off_onsets:?}"
    );
    let offset = rec_onsets[0] as i64 - off_onsets[0] as i64;
    eprintln!(
        "JACK: {} onsets, latency offset {offset} frames, xruns {}, callback p99 {:?} of {:?}, reported latency {} frames",
        rec_onsets.len(),
        report.metrics.xruns,
        report.metrics.p99,
        report.metrics.budget(),
        report.metrics.latency_frames
    );
    assert_eq!(report.engine.late_events, 0);
    // Between consecutive onsets, every sample equals the offline render's,
    // bit for bit, at that onset's offset. An xrun drops whole periods and so
    // shifts the later offsets by multiples of the period, and can break the
    // segment it falls in: allow one broken segment per xrun, no more.
    let period = report.metrics.period_frames.max(1) as i64;
    let mut exact = 0usize;
    for i in 0..off_onsets.len() {
        let o = off_onsets[i] as usize;
        let d = rec_onsets[i] as i64 - off_onsets[i] as i64;
        assert_eq!(
            (d - offset) % period,
            0,
            "onset {i} moved by {} frames",
            d - offset
        );
        let end = off_onsets.get(i + 1).map_or(offline.len(), |&e| e as usize);
        let start_rec = (o as i64 + d) as usize;
        let len = (end - o).min(recorded.len().saturating_sub(start_rec));
        if recorded[start_rec..start_rec + len] == offline[o..o + len] {
            exact += 1;
        }
    }
    let xruns = report.metrics.xruns as usize;
    assert!(
        exact + xruns >= off_onsets.len(),
        "{exact} of {} segments bit-exact with {xruns} xruns",
        off_onsets.len()
    );
    if xruns == 0 {
        assert_eq!(exact, off_onsets.len());
    }
}

fn song_for_thread() -> chronus::sequencer::Song {
    common::song(CLICK_SONG)
}

/// Through the PulseAudio null sink: the binary plays a tone, `parec` records
/// the monitor; pitch, level and continuity match the offline render.
#[test]
fn pulse_plays_the_song_through_the_server() {
    let _guard = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    if !common::servers_available("PULSE_SERVER") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("chronus-pulse-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let song_path = dir.join("tone.yaml");
    let song_text = "tempo: 240\ninstruments:\n  s: { type: synth, osc: sine, filter: none, attack: 0.01, decay: 0, sustain: 1, release: 0.02, gain: -6, polyphony: 1 }\npatterns:\n  a: { s: \"A4\" }\narrangement:\n  - { pattern: a, repeat: 2 }\n";
    std::fs::write(&song_path, song_text).expect("write song");
    let capture = dir.join("capture.raw");
    let mut parec = Command::new("parec")
        .args([
            "-d",
            "chronus_null.monitor",
            "--rate=48000",
            "--format=float32le",
            "--channels=2",
            "--raw",
            "--latency-msec=10",
        ])
        .stdout(std::fs::File::create(&capture).expect("capture file"))
        .stderr(Stdio::null())
        .spawn()
        .expect("parec (pulseaudio-utils)");
    std::thread::sleep(Duration::from_millis(300));
    let out = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args([
            "play",
            song_path.to_str().expect("path"),
            "--backend",
            "pulse",
        ])
        .output()
        .expect("run chronus");
    std::thread::sleep(Duration::from_millis(300));
    let _ = parec.kill();
    let _ = parec.wait();
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stderr}");
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("through pulse"), "{stderr}");
    assert!(stderr.contains("late events 0"), "{stderr}");

    let bytes = std::fs::read(&capture).expect("capture");
    let _ = std::fs::remove_dir_all(&dir);
    let left: Vec<f32> = bytes
        .chunks_exact(8)
        .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    // The tone: from the first to the last sample above -40 dBFS.
    let first = left
        .iter()
        .position(|x| x.abs() > 0.01)
        .expect("the tone arrived");
    let last = left.iter().rposition(|x| x.abs() > 0.01).expect("tone end");
    let seconds = (last - first) as f64 / 48_000.0;
    eprintln!("PulseAudio: captured {seconds:.3} s of tone (expected 2.0 s)");
    assert!(seconds > 1.5, "only {seconds:.3} s of tone captured");
    let middle = &left[first + 12_000..first + 36_000];
    let f = common::zero_crossing_freq(middle, 48_000.0);
    let cents = common::cents(f, 440.0);
    let peak = middle.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    let (offline, _) = common::render(&common::song(song_text));
    let off_peak = offline[12_000..36_000]
        .iter()
        .fold(0.0f32, |m, x| m.max(x.abs()));
    let level = 20.0 * f64::from(peak / off_peak).log10();
    eprintln!("PulseAudio: {f:.4} Hz ({cents:+.4} cents), level {level:+.3} dB against the offline render");
    assert!(cents.abs() < 1.0, "{cents} cents");
    assert!(level.abs() < 0.5, "{level} dB");
    // Continuity: no run of near-zero samples longer than 1 ms inside the tone.
    let mut run = 0usize;
    for x in &left[first..last] {
        run = if x.abs() < 1e-4 { run + 1 } else { 0 };
        assert!(run < 48, "a gap of {run} frames in the tone");
    }
}

/// `--backend auto` picks JACK when it runs, else PulseAudio, else says how
/// to start one.
#[test]
fn auto_prefers_jack_then_pulse() {
    let _guard = SERVERS.lock().unwrap_or_else(|e| e.into_inner());
    if !common::servers_available("JACK_DEFAULT_SERVER")
        || !common::servers_available("PULSE_SERVER")
    {
        return;
    }
    let dir = std::env::temp_dir().join(format!("chronus-auto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let song = dir.join("short.yaml");
    std::fs::write(&song, "tempo: 400\ninstruments:\n  k: { type: kick, decay: 0.05 }\npatterns:\n  a: { k: \"x\" }\n").expect("song");
    let run = |jack: Option<&str>, pulse: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_chronus"));
        cmd.args(["play", song.to_str().expect("path")]);
        match jack {
            Some(j) => cmd.env("JACK_DEFAULT_SERVER", j),
            None => cmd.env_remove("JACK_DEFAULT_SERVER"),
        };
        if let Some(p) = pulse {
            cmd.env("PULSE_SERVER", p);
        }
        cmd.output().expect("run chronus")
    };
    let jack_name = std::env::var("JACK_DEFAULT_SERVER").unwrap_or_default();
    let out = run(Some(&jack_name), None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("through jack"),
        "{err}"
    );
    let out = run(Some("no-such-jack-server"), None);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && err.contains("through pulse"),
        "{err}"
    );
    let out = run(
        Some("no-such-jack-server"),
        Some("unix:/nonexistent/socket"),
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: no audio server answered"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}
