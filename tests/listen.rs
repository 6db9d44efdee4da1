//! `listen`, `preview`, `render`, `history` and `undo` on a live session
//! rendered block by block: what the capture measured against what the
//! session scheduled (onset frames, pitch in cents, tempo), a preview
//! against the bars that then play, and edits undone at the next bar.

mod common;

use common::manual::{error, ok, render, rig, KEYS, RATE};
use serde_json::Value;

/// Frames in a bar at 120 BPM, 48 kHz, 4/4.
const BAR: u64 = 96_000;

/// The JSON report of a `listen`/`preview ... --json` reply.
fn report(live: &mut chronus::live::manual::ManualLive, line: &str) -> Value {
    let r = ok(live, line);
    let text = r.text.trim_start_matches("preview ");
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{line}: not JSON ({e}): {}", r.text))
}

fn num(v: &Value, path: &[&str]) -> f64 {
    let mut at = v;
    for p in path {
        at = &at[*p];
    }
    at.as_f64()
        .unwrap_or_else(|| panic!("no number at {path:?} in {v}"))
}

/// The measured pitch (cents off the note asked for) of each note of
/// `name` in a report.
fn cents_of(v: &Value, name: &str) -> Vec<f64> {
    let track = v["tracks"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == name))
        .unwrap_or_else(|| panic!("{name} in the report: {v}"));
    track["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n["cents_off_expected"].as_f64())
        .collect()
}

/// A kick on every beat and the keys playing a C major arpeggio.
fn groove(live: &mut chronus::live::manual::ManualLive) {
    ok(live, "create kick freq=55 decay=0.25 click=0");
    ok(live, "sequence kick: x...x...x...x...");
    ok(live, KEYS);
    ok(live, "melody keys: C4 E4 G4 C5");
    ok(live, "set keys gain=-6");
    ok(live, "play all");
}

#[test]
fn listen_measures_what_played_against_the_grid() {
    let (mut live, _dir) = rig("listen-master");
    live.listen();
    groove(&mut live);
    // The kick leads the mix, as it does in a groove.
    ok(&mut live, "set keys gain=-24");
    render(&mut live, 5 * BAR + BAR / 2);
    let r = ok(&mut live, "listen");
    println!("{}", r.text);
    assert!(r.text.contains("LUFS"), "{}", r.text);
    let v = report(&mut live, "listen bars=4 --json");
    println!("{v}");
    let lufs = num(&v, &["loudness", "integrated_lufs"]);
    assert!((-40.0..-3.0).contains(&lufs), "integrated {lufs} LUFS");
    let onsets = &v["onsets"];
    assert_eq!(num(onsets, &["scheduled"]), 16.0, "{onsets}");
    assert_eq!(num(onsets, &["found"]), 16.0, "{onsets}");
    assert!(num(onsets, &["worst_frames"]).abs() <= 2.0, "{onsets}");
    let tempo = num(&v, &["tempo_bpm"]);
    assert!((tempo - 120.0).abs() < 0.6, "tempo {tempo}");
}

#[test]
fn listening_to_an_instrument_taps_it_and_measures_its_pitch() {
    let (mut live, _dir) = rig("listen-keys");
    live.listen();
    groove(&mut live);
    render(&mut live, BAR / 2);
    let first = ok(&mut live, "listen keys");
    assert!(first.text.contains("tapping"), "{}", first.text);
    render(&mut live, 5 * BAR + BAR / 4);
    let v = report(&mut live, "listen keys bars=4 --json");
    println!("{v}");
    let cents = cents_of(&v, "keys");
    let worst = cents.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    println!(
        "synth notes: {} measured, worst {worst:.4} cents",
        cents.len()
    );
    assert!(cents.len() >= 12, "{} notes measured: {v}", cents.len());
    assert!(worst < 1.0, "worst {worst} cents: {v}");
    let unknown = error(&mut live, "listen nobody");
    assert!(
        unknown.contains("no instrument called 'nobody'"),
        "{unknown}"
    );
}

#[test]
fn a_preview_sounds_as_the_bars_that_then_play() {
    let (mut live, _dir) = rig("listen-preview");
    live.listen();
    groove(&mut live);
    render(&mut live, BAR + BAR / 2);
    let ahead = report(&mut live, "preview bars=2 --json");
    println!("preview: {ahead}");
    let when = num(&ahead, &["first_bar"]) as u64;
    assert_eq!(when, 3, "{ahead}");
    // Play up to the end of bar 4, then listen to bars 3-4.
    let to = 4 * BAR - live.frame();
    render(&mut live, to + 64);
    let heard = report(&mut live, "listen bars=2 --json");
    println!("heard: {heard}");
    let (a, b) = (
        num(&ahead, &["loudness", "integrated_lufs"]),
        num(&heard, &["loudness", "integrated_lufs"]),
    );
    println!("preview {a:.3} LUFS, then heard {b:.3} LUFS");
    assert!((a - b).abs() < 0.1, "preview {a} vs heard {b}");
    let (a, b) = (
        num(&ahead, &["bands", "centroid_hz"]),
        num(&heard, &["bands", "centroid_hz"]),
    );
    assert!((a - b).abs() < 0.02 * b, "centroid {a} vs {b}");
}

#[test]
fn history_names_who_and_undo_goes_back_at_the_next_bar() {
    let (mut live, dir) = rig("listen-undo");
    ok(&mut live, "create bass synth osc=saw cutoff=2000");
    ok(&mut live, "melody bass: C2 C2 G2 Eb2");
    let r = live
        .session
        .execute_from("set bass cutoff=400", None, "mcp");
    assert!(r.ok, "{}", r.line());
    let r = live
        .session
        .execute_from("create hat hihat", None, "osc:127.0.0.1:9000");
    assert!(r.ok, "{}", r.line());
    let h = ok(&mut live, "history");
    println!("{}", h.text);
    assert!(h.text.contains("#3"), "{}", h.text);
    assert!(h.text.contains("mcp: set bass cutoff=400"), "{}", h.text);
    assert!(
        h.text.contains("osc:127.0.0.1:9000: create hat hihat"),
        "{}",
        h.text
    );
    assert!(h.text.contains("tty: create bass"), "{}", h.text);
    // Undo the bass's last edit: the hat stays.
    let u = ok(&mut live, "undo bass");
    println!("{}", u.text);
    assert!(u.bar.is_some(), "undo takes effect at a bar: {}", u.line());
    let cutoff = |live: &chronus::live::manual::ManualLive| {
        serde_yaml_ng::to_value(&live.session.model().tracks["bass"].spec).unwrap()["cutoff"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(cutoff(&live), 2000.0);
    assert!(live.session.model().tracks.contains_key("hat"));
    // Undo the undo, then the last edit (the hat).
    ok(&mut live, "undo");
    assert_eq!(cutoff(&live), 400.0);
    ok(&mut live, "undo hat");
    assert!(!live.session.model().tracks.contains_key("hat"));
    let none = error(&mut live, "undo nobody");
    assert!(none.contains("nothing to undo for 'nobody'"), "{none}");
    drop(dir);
}

#[test]
fn render_writes_the_next_bars_under_the_session_folder() {
    let (mut live, dir) = rig("listen-render");
    groove(&mut live);
    render(&mut live, BAR / 2);
    let r = ok(&mut live, "render bars=2");
    println!("{}", r.text);
    let path = dir.dir.join("renders").join("bar2-3.wav");
    let reader = hound::WavReader::open(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    assert_eq!(reader.spec().sample_rate, RATE);
    assert_eq!(reader.duration() as u64, 2 * BAR);
    let outside = error(&mut live, "render -o ../escape.wav");
    assert!(outside.contains("inside the session's folder"), "{outside}");
    let mp3 = error(&mut live, "render -o x.mp3");
    assert!(mp3.contains("expected a .wav file name"), "{mp3}");
}

#[test]
fn a_preview_compares_with_a_saved_patch() {
    let (mut live, _dir) = rig("listen-vs");
    live.listen();
    groove(&mut live);
    ok(&mut live, "save patch loud");
    ok(&mut live, "set keys gain=-30");
    render(&mut live, BAR / 2);
    // The keys' own sound: 24 dB quieter than in the saved patch.
    let r = ok(&mut live, "preview keys bars=2 vs=loud --json");
    let v: Value = serde_json::from_str(&r.text).expect("JSON");
    let ours = num(&v, &["preview", "loudness", "integrated_lufs"]);
    let theirs = num(&v, &["vs", "report", "loudness", "integrated_lufs"]);
    println!("keys now {ours:.3} LUFS, in 'loud' {theirs:.3} LUFS");
    assert!(
        ((theirs - ours) - 24.0).abs() < 0.1,
        "{ours} vs {theirs}: 24 dB apart"
    );
    let line = ok(&mut live, "preview bars=1 vs=loud");
    assert!(line.text.contains("| vs loud: "), "{}", line.text);
    let missing = error(&mut live, "preview vs=nothing");
    assert!(missing.contains("no patch called 'nothing'"), "{missing}");
    let bad = error(&mut live, "preview vs=../x");
    assert!(bad.contains("'../x'"), "{bad}");
}

#[test]
fn a_quiet_part_under_a_loud_one_in_its_band_is_named_masked() {
    let (mut live, _dir) = rig("listen-masked");
    live.listen();
    ok(
        &mut live,
        "create pad synth osc=saw cutoff=900 attack=0.01 sustain=1 release=0.05",
    );
    ok(&mut live, "melody pad: C3 _ _ _");
    ok(&mut live, KEYS);
    ok(&mut live, "melody keys: C3 E3 G3 E3");
    ok(&mut live, "set keys gain=-30");
    ok(&mut live, "play all");
    let v = report(&mut live, "preview bars=2 --json");
    let problems = v["problems"].to_string();
    println!("{problems}");
    assert!(problems.contains("keys masked by pad"), "{v}");
    // Heard live, once both are tapped.
    ok(&mut live, "listen pad");
    ok(&mut live, "listen keys");
    render(&mut live, 4 * BAR);
    let heard = report(&mut live, "listen bars=2 --json");
    let problems = heard["problems"].to_string();
    assert!(problems.contains("keys masked by pad"), "{heard}");
    // Brought up level with the pad, it is not masked any more.
    ok(&mut live, "set keys gain=0");
    let v = report(&mut live, "preview bars=2 --json");
    assert!(!v["problems"].to_string().contains("masked"), "{v}");
}

#[test]
fn an_fm_instrument_is_heard_in_tune() {
    let (mut live, _dir) = rig("listen-fm");
    live.listen();
    ok(&mut live, "create bell fm ratio=2 index=3 sustain=0.8");
    ok(&mut live, "melody bell: A3 C4 E4 A4");
    ok(&mut live, "play bell");
    render(&mut live, BAR / 2);
    ok(&mut live, "listen bell");
    render(&mut live, 3 * BAR);
    let v = report(&mut live, "listen bell bars=2 --json");
    let cents = cents_of(&v, "bell");
    let worst = cents.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    println!("FM notes: {} measured, worst {worst:.4} cents", cents.len());
    assert!(cents.len() >= 6, "{} notes measured: {v}", cents.len());
    assert!(worst < 5.0, "worst {worst} cents: {v}");
}

/// PNG width and height (from its IHDR chunk).
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "a PNG file");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be =
        |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (be(16), be(20))
}

fn chronus(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("chronus runs")
}

#[test]
fn render_draws_a_spectrogram_and_listen_measures_the_file() {
    let dir = common::Scratch::new("render-spectrogram");
    let song = concat!(env!("CARGO_MANIFEST_DIR"), "/songs/techno.yaml");
    let out = chronus(
        &dir.dir,
        &[
            "render",
            song,
            "--bars",
            "2",
            "-o",
            "t.wav",
            "--spectrogram",
            "t.png",
        ],
    );
    let said = String::from_utf8_lossy(&out.stdout);
    println!("{said}");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("ok t.png: spectrogram in "), "{said}");
    let png = std::fs::read(dir.dir.join("t.png")).expect("t.png");
    assert_eq!(png_size(&png), (1200, 600));
    // The file measured offline as the song is: the same loudness.
    let wav = chronus(&dir.dir, &["listen", "t.wav", "--json"]);
    assert!(
        wav.status.success(),
        "{}",
        String::from_utf8_lossy(&wav.stderr)
    );
    let wav: Value = serde_json::from_slice(&wav.stdout).expect("JSON");
    let sung = chronus(&dir.dir, &["listen", song, "--bars", "2", "--json"]);
    assert!(
        sung.status.success(),
        "{}",
        String::from_utf8_lossy(&sung.stderr)
    );
    let sung: Value = serde_json::from_slice(&sung.stdout).expect("JSON");
    let (a, b) = (
        num(&wav, &["loudness", "integrated_lufs"]),
        num(&sung, &["loudness", "integrated_lufs"]),
    );
    println!("t.wav {a:.3} LUFS, the song's 2 bars {b:.3} LUFS");
    assert!((a - b).abs() < 0.2, "{a} vs {b}");
    // Refused before anything is rendered: nothing is written.
    for (args, says) in [
        (
            &["--spectrogram", "x.jpg"][..],
            "expected a file name ending in .png",
        ),
        (&["--spectrogram", "x.wav"][..], "the same file as -o"),
    ] {
        let mut all = vec!["render", song, "--bars", "1", "-o", "x.wav"];
        all.extend_from_slice(args);
        let out = chronus(&dir.dir, &all);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(says), "{err}");
        assert!(!dir.dir.join("x.wav").exists() && !dir.dir.join("x.jpg").exists());
    }
}

#[test]
fn a_song_with_user_modules_from_another_folder_previews() {
    let (mut live, _dir) = rig("listen-modular");
    live.listen();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/songs/modular.yaml");
    let (song, _) =
        chronus::sequencer::Song::load(std::path::Path::new(path)).expect("modular.yaml");
    let r = live.session.load_song(&song);
    assert!(r.ok, "{}", r.line());
    // Its module (songs/modules/drift.cm) is not beside this session's
    // folder: the preview renders the definition the session plays.
    let v = report(&mut live, "preview bars=1 --json");
    let lufs = num(&v, &["loudness", "integrated_lufs"]);
    assert!((-40.0..-3.0).contains(&lufs), "{v}");
}
