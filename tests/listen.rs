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
    let keys = v["tracks"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "keys"))
        .expect("keys in the report");
    let notes = keys["notes"].as_array().expect("notes");
    assert!(!notes.is_empty(), "{v}");
    let mut measured = 0;
    for n in notes {
        if let Some(c) = n["cents_off_expected"].as_f64() {
            assert!(c.abs() < 1.0, "{n}");
            measured += 1;
        }
    }
    assert!(measured >= 12, "{measured} notes measured: {v}");
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
