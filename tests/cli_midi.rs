//! `chronus live --midi`: what a new user sees about MIDI on a machine with
//! no ALSA sequencer (this one has no /dev/snd), on the null backend and on
//! JACK, where the port `chronus:midi_in` is the way in.

mod common;

use common::child::Child;
use std::time::Duration;

#[test]
fn without_an_alsa_sequencer_midi_says_why_and_the_session_plays_on() {
    if std::path::Path::new("/dev/snd/seq").exists() {
        eprintln!("skipped: this machine has an ALSA sequencer");
        return;
    }
    let dir = common::Scratch::new("cli-midi");
    let mut s = Child::spawn(
        &dir.dir,
        &[
            "live",
            "--backend",
            "null",
            "--osc-port",
            "0",
            "--midi",
            "keystation",
        ],
    );
    let said = s.stderr_line("midi: no ALSA sequencer here", Duration::from_secs(20));
    assert!(
        said.contains("/dev/snd/seq") && said.contains("ALSA MIDI devices are off"),
        "{said}"
    );
    let ports = s.ok("midi ports");
    assert!(ports.contains("ALSA: no ALSA sequencer here"), "{ports}");
    assert!(!ports.contains("JACK input"), "{ports}");
    s.ok("create bass synth; midi bass channel 3");
    let m = s.ok("midi");
    assert!(
        m.contains("bass (channel 3, bend 2)") && m.contains("MIDI in: 0 messages"),
        "{m}"
    );
    let e = s.error("midi bass channel 0");
    assert!(
        e.contains("column 19: expected a MIDI channel 1..16 (or all), got '0'"),
        "{e}"
    );
    let h = s.ok("help map");
    assert!(
        h.contains("map cc N|aftertouch NAME.PARAM [MIN MAX]"),
        "{h}"
    );
    s.ok("quit");
    assert!(s.wait_within(Duration::from_secs(10)).success());
}

#[test]
fn on_jack_midi_ports_names_the_jack_input() {
    if !common::jack_server() {
        return;
    }
    let dir = common::Scratch::new("cli-midi-jack");
    let name = format!("chronus-ports-{}", std::process::id());
    let mut s = Child::spawn(
        &dir.dir,
        &[
            "live",
            "--backend",
            "jack",
            "--no-connect",
            "--client-name",
            &name,
            "--osc-port",
            "0",
        ],
    );
    let ports = s.ok("midi ports");
    assert!(
        ports.contains(&format!("JACK input {name}:midi_in (frame-exact")),
        "{ports}"
    );
    s.ok("quit");
    assert!(s.wait_within(Duration::from_secs(10)).success());
}

/// Run the binary in `dir`: (exit status, stdout, stderr).
fn run(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(common::child::chronus())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run chronus");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/midi/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("fixture")
}

#[test]
fn import_export_render_and_play_midi_files() {
    let dir = common::Scratch::new("cli-midi-files");
    let d = &dir.dir;
    std::fs::write(d.join("tc.mid"), fixture("tempo-changes.mid")).expect("write");
    let (code, out, err) = run(d, &["import", "tc.mid"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        out.trim(),
        "ok tc.yaml: 4 instruments, 4 bars, 27 notes, 2 tempo changes"
    );
    // Not replaced without --force; replaced with it.
    let (code, _, err) = run(d, &["import", "tc.mid"]);
    assert_eq!(code, Some(2));
    assert_eq!(
        err.trim(),
        "error: tc.yaml exists: give --force to replace it, or another name with -o"
    );
    assert_eq!(run(d, &["import", "tc.mid", "--force"]).0, Some(0));
    // The imported song and the MIDI file itself render the same.
    assert_eq!(run(d, &["render", "tc.yaml", "-o", "a.wav"]).0, Some(0));
    assert_eq!(run(d, &["render", "tc.mid", "-o", "b.wav"]).0, Some(0));
    let a = std::fs::read(d.join("a.wav")).expect("a.wav");
    assert!(a.len() > 400_000, "{}", a.len());
    assert_eq!(a, std::fs::read(d.join("b.wav")).expect("b.wav"));
    // A song out as MIDI and back.
    let song = format!("{}/songs/techno.yaml", env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = run(d, &["export", &song, "-o", "techno.mid"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.starts_with("ok techno.mid: 11 tracks, 1694 notes"),
        "{out}"
    );
    let (code, out, _) = run(d, &["check", "techno.mid"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("48 bars at 128 BPM (90.0 s)"), "{out}");
    let (code, _, err) = run(d, &["play", "tc.mid", "--backend", "null"]);
    assert_eq!(code, Some(0), "{err}");
}

#[test]
fn broken_midi_files_are_one_line_errors_with_status_2() {
    let dir = common::Scratch::new("cli-midi-bad");
    let d = &dir.dir;
    let good = fixture("running-status.mid");
    let mut huge = good[..22].to_vec();
    huge[18..22].copy_from_slice(&(100u32 << 20).to_be_bytes());
    let files: Vec<(&str, Vec<u8>, &str)> = vec![
        ("one.mid", vec![b'M'], "one.mid: not a MIDI file: 1 bytes"),
        (
            "text.mid",
            b"tempo: 120\ninstruments: {}\n".to_vec(),
            "text.mid: not a MIDI file: it does not start with MThd",
        ),
        (
            "cut.mid",
            good[..40].to_vec(),
            "cut.mid: track 1 declares 52 bytes but only 18 remain",
        ),
        (
            "huge.mid",
            huge,
            "huge.mid: track 1 declares 104857600 bytes but only 0 remain",
        ),
    ];
    for (name, bytes, says) in files {
        std::fs::write(d.join(name), bytes).expect("write");
        for cmd in [
            &["import", name][..],
            &["render", name, "-o", "x.wav"],
            &["check", name],
        ] {
            let (code, _, err) = run(d, cmd);
            assert_eq!(code, Some(2), "{cmd:?}: {err}");
            assert_eq!(err.lines().count(), 1, "{err}");
            assert!(
                err.starts_with("error: ") && err.contains(says),
                "{cmd:?}: {err}"
            );
            assert!(!err.contains("panicked"));
        }
        assert!(!d.join("x.wav").exists() && !d.join(name).with_extension("yaml").exists());
    }
}
