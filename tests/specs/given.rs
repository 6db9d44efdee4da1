//! Given steps: songs built from parts, and the bad fixture files.

use crate::world::{Chronus, SongText};
use cucumber::given;
use std::path::Path;

/// A short kick: its tail is digital zero long before the next hit, so each
/// hit is one onset; quiet enough that the master limiter never acts.
const KICK: &str = "type: kick, decay: 0.02, click: 0, gain: -12";

/// A steady tone: no filter, no envelope shape, at -12 dB so that chords
/// and doubled voices stay below the master limiter's ceiling.
fn tone(osc: &str, filter: &str) -> String {
    format!(
        "type: synth, osc: {osc}, filter: {filter}, attack: 0, decay: 0, sustain: 1, \
         release: 0.01, polyphony: 8, gain: -12"
    )
}

#[given(
    regex = r#"^the demo song: a kick, a hi-hat with a delay, a saw bass with a chorus and an FM lead with a reverb, 2 bars at 128 BPM$"#
)]
fn demo_song(w: &mut Chronus) {
    w.song = SongText {
        tempo: 128.0,
        seed: Some(7),
        instruments: vec![
            ("kick".into(), "type: kick, effects: [ { type: compressor } ]".into()),
            (
                "hat".into(),
                "type: hihat, noise: white, effects: [ { type: delay, time: 0.18, feedback: 0.5 } ]"
                    .into(),
            ),
            (
                "bass".into(),
                "type: synth, osc: saw, cutoff: 600, resonance: 0.6, \
                 effects: [ { type: chorus }, { type: distortion, drive: 6 } ]"
                    .into(),
            ),
            (
                "lead".into(),
                "type: fm, ratio: 3, index: 4, gain: -6, \
                 effects: [ { type: phaser }, { type: reverb, mix: 0.4, decay: 1.5 } ]"
                    .into(),
            ),
        ],
        patterns: vec![(
            "a".into(),
            vec![
                ("kick".into(), "x(3,8)".into()),
                ("hat".into(), "x*8?".into()),
                ("bass".into(), "C2 [Eb2 G2] ~ Bb1".into()),
                ("lead".into(), "<C5 Eb5> ~ G4 ~".into()),
            ],
        )],
        arrangement: vec![("a".into(), 2)],
        ..SongText::default()
    };
}

#[given(regex = r#"^a song at ([\d.]+) BPM with a kick playing "([^"]*)"(?: for (\d+) bars)?$"#)]
fn kick_song(w: &mut Chronus, tempo: f64, pattern: String, bars: String) {
    w.song = SongText::single(tempo, "kick", KICK, &pattern);
    if let Ok(bars) = bars.parse::<u32>() {
        w.song.arrangement = vec![("a".into(), bars)];
    }
}

#[given(
    regex = r#"^a song at ([\d.]+) BPM in (\d+)/4 with a kick playing "([^"]*)" for (\d+) bars$"#
)]
fn kick_song_meter(w: &mut Chronus, tempo: f64, meter: u32, pattern: String, bars: u32) {
    w.song = SongText::single(tempo, "kick", KICK, &pattern);
    w.song.meter = Some(meter);
    w.song.arrangement = vec![("a".into(), bars)];
}

#[given(regex = r#"^a song at ([\d.]+) BPM with a kick playing "([^"]*)" as pattern "(\w+)"$"#)]
fn kick_song_named(w: &mut Chronus, tempo: f64, pattern: String, name: String) {
    w.song = SongText::single(tempo, "kick", KICK, &pattern);
    w.song.patterns[0].0 = name;
}

#[given(regex = r#"^the kick playing "([^"]*)" as pattern "(\w+)"$"#)]
fn another_pattern(w: &mut Chronus, pattern: String, name: String) {
    w.song.patterns.push((name, vec![("kick".into(), pattern)]));
}

/// `one, two x2, one`: pattern names, each optionally repeated.
#[given(regex = r#"^the arrangement "([^"]*)"$"#)]
fn arrangement(w: &mut Chronus, list: String) {
    w.song.arrangement = list
        .split(',')
        .map(|entry| {
            let mut parts = entry.split_whitespace();
            let name = parts.next().expect("a pattern name").to_string();
            let repeat = parts
                .next()
                .map_or(1, |r| r.trim_start_matches('x').parse().expect("xN"));
            (name, repeat)
        })
        .collect();
}

#[given(regex = r"^swing ([\d.]+)$")]
fn song_swing(w: &mut Chronus, swing: f64) {
    w.song.swing = Some(swing);
}

#[given(regex = r"^seed (\d+)$")]
fn song_seed(w: &mut Chronus, seed: u64) {
    w.song.seed = Some(seed);
}

#[given(regex = r#"^a song at ([\d.]+) BPM with a saw synth playing "([^"]*)"$"#)]
fn saw_song(w: &mut Chronus, tempo: f64, pattern: String) {
    w.song = SongText::single(
        tempo,
        "synth",
        "type: synth, osc: saw, release: 0.05",
        &pattern,
    );
}

#[given(
    regex = r#"^a song at ([\d.]+) BPM with a saw synth with a ([\d.]+) second reverb playing "([^"]*)"$"#
)]
fn reverb_song(w: &mut Chronus, tempo: f64, decay: f64, pattern: String) {
    let body = format!(
        "type: synth, osc: saw, release: 0.05, effects: [ {{ type: reverb, mix: 0.5, decay: {decay} }} ]"
    );
    w.song = SongText::single(tempo, "synth", &body, &pattern);
}

#[given(
    regex = r#"^a synth with a (sine|saw|square|triangle) oscillator and (no|a lowpass|a highpass|a bandpass) filter playing "([^"]*)" at ([\d.]+) BPM$"#
)]
fn tone_song(w: &mut Chronus, osc: String, filter: String, pattern: String, tempo: f64) {
    let filter = filter.trim_start_matches("a ").replace("no", "none");
    w.song = SongText::single(tempo, "synth", &tone(&osc, &filter), &pattern);
}

#[given(regex = r"^the synth is detuned by (-?[\d.]+) cents$")]
fn detune(w: &mut Chronus, cents: f64) {
    w.song.add_param("synth", &format!("detune: {cents}"));
}

#[given(regex = r"^the synth's note is (\S+)$")]
fn synth_note(w: &mut Chronus, note: String) {
    w.song.add_param("synth", &format!("note: {note}"));
}

#[given(regex = r#"^the instrument \{(.*)\} playing "([^"]*)" at ([\d.]+) BPM$"#)]
fn instrument_song(w: &mut Chronus, body: String, pattern: String, tempo: f64) {
    w.song = SongText::single(tempo, "inst", body.trim(), &pattern);
}

#[given(regex = r#"^the same instrument playing "([^"]*)" in a second song$"#)]
fn second_song(w: &mut Chronus, pattern: String) {
    let mut second = w.song.clone();
    second.patterns = vec![("a".into(), vec![("inst".into(), pattern)])];
    w.second = Some(second);
}

#[given(regex = r#"^the bad song file "([^"]*)"$"#)]
fn bad_file(w: &mut Chronus, name: String) {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bad")
        .join(&name);
    let text =
        std::fs::read_to_string(&src).unwrap_or_else(|e| panic!("fixture {}: {e}", src.display()));
    let path = w.scratch().join(&name);
    std::fs::write(&path, text).expect("copy fixture");
    w.song_file = Some(path);
}

#[given(regex = r"^an existing out.wav next to it$")]
fn existing_output(w: &mut Chronus) {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let path = w.scratch().join("out.wav");
    std::fs::write(&path, &bytes).expect("write out.wav");
    w.out_before = Some(bytes);
}
