//! MIDI files: files written by another library (mido) read exactly,
//! songs exported and imported again frame for frame, and broken files
//! refused in one line.

use super::*;
use chronus_sequencer::{Event, EventKind, Schedule, Song};
use std::collections::BTreeMap;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn song(yaml: &str) -> Song {
    Song::from_yaml(yaml, "t.yaml".as_ref())
        .unwrap_or_else(|e| panic!("{e}\n{yaml}"))
        .0
}

/// Per instrument: (frame, on or off, pitch, velocity) of every note
/// event, sorted.
type Notes = BTreeMap<String, Vec<(u64, bool, Option<u32>, u32)>>;

fn notes(s: &Song) -> Notes {
    let mut out: Notes = BTreeMap::new();
    let events: Vec<Event> = Schedule::new(s, 48_000).all_events();
    let mut pitch_of = std::collections::HashMap::new();
    for e in &events {
        let name = s.tracks[usize::from(e.track.slot)].name.clone();
        let entry = out.entry(name).or_default();
        match e.kind {
            EventKind::NoteOn {
                id,
                pitch,
                velocity,
            } => {
                pitch_of.insert(id, pitch);
                entry.push((
                    e.frame,
                    true,
                    pitch.map(|p| p as u32),
                    (velocity * 100.0) as u32,
                ));
            }
            EventKind::NoteOff { id } => {
                let p = pitch_of.get(&id).copied().flatten();
                entry.push((e.frame, false, p.map(|p| p as u32), 0));
            }
            EventKind::Param { .. } | EventKind::Midi { .. } => {}
        }
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

fn onsets(n: &Notes, name: &str) -> Vec<(u64, Option<u32>)> {
    n[name].iter().filter(|e| e.1).map(|e| (e.0, e.2)).collect()
}

fn span(n: &Notes, name: &str, pitch: u32) -> Vec<(u64, u64)> {
    let on: Vec<u64> = n[name]
        .iter()
        .filter(|e| e.1 && e.2 == Some(pitch))
        .map(|e| e.0)
        .collect();
    let off: Vec<u64> = n[name]
        .iter()
        .filter(|e| !e.1 && e.2 == Some(pitch))
        .map(|e| e.0)
        .collect();
    on.into_iter().zip(off).collect()
}

#[test]
fn a_mido_file_with_tempo_changes_a_meter_change_and_a_held_note_reads_exactly() {
    let score = read(&fixture("tempo-changes.mid")).unwrap();
    let text = to_song(&score, "tempo-changes").unwrap();
    let s = song(&text);
    assert_eq!(s.tempo, 120.0);
    assert_eq!(s.tempo_changes, vec![(4.0, 90.0), (10.0, 150.0)], "{text}");
    assert_eq!(s.meters, vec![(3, 3)], "{text}");
    let names: Vec<&str> = s.tracks.iter().map(|t| t.name.as_str()).collect();
    // E4 is held over the bar line where C4 ends: it plays on a companion,
    // so that the tie holds it alone.
    assert_eq!(
        names,
        vec!["piano", "piano_held", "drums_hihat", "drums_kick"],
        "{text}"
    );
    let n = notes(&s);
    let c4: Vec<u64> = onsets(&n, "piano")
        .iter()
        .filter(|o| o.1 == Some(60))
        .map(|o| o.0)
        .collect();
    assert_eq!(
        c4,
        vec![
            0, 24_000, 48_000, 72_000, 96_000, 128_000, 160_000, 192_000, 224_000, 256_000,
            288_000, 307_200, 326_400, 345_600, 364_800
        ]
    );
    // Held over the bar line, and a quintuplet sixteenth: exact.
    assert_eq!(
        span(&n, "piano_held", 64),
        vec![(84_000, 128_000)],
        "{text}"
    );
    let c4_ends: Vec<u64> = span(&n, "piano", 60).iter().map(|s| s.1).collect();
    assert_eq!(
        &c4_ends[..5],
        &[24_000, 48_000, 72_000, 96_000, 128_000],
        "every C4 ends on its beat"
    );
    assert_eq!(span(&n, "piano", 67), vec![(102_400, 108_800)]);
    let kicks: Vec<u64> = onsets(&n, "drums_kick").iter().map(|o| o.0).collect();
    assert_eq!(kicks, vec![0, 48_000]);
    // Hats at velocity 120 are accents.
    let hats = &n["drums_hihat"];
    assert_eq!(hats.iter().filter(|e| e.1).count(), 8);
    assert!(hats.iter().filter(|e| e.1).all(|e| e.3 == 100), "{hats:?}");
}

#[test]
fn running_status_sysex_and_note_on_velocity_zero_read_as_another_library_wrote_them() {
    let score = read(&fixture("running-status.mid")).unwrap();
    assert_eq!(score.ticks_per_quarter, 96);
    let keys: Vec<(u64, u64, u8)> = score.parts[0]
        .notes
        .iter()
        .map(|n| (n.start, n.end, n.key))
        .collect();
    assert_eq!(
        keys,
        vec![(0, 48, 57), (48, 96, 57), (96, 144, 60), (144, 192, 64)]
    );
    let s = song(&to_song(&score, "rs").unwrap());
    assert_eq!(s.tempo, 100.0);
    let n = notes(&s);
    let name = s.tracks[0].name.clone();
    assert_eq!(
        onsets(&n, &name),
        vec![
            (0, Some(57)),
            (14_400, Some(57)),
            (28_800, Some(60)),
            (43_200, Some(64))
        ]
    );
}

const ROUND_TRIP: &str = r#"tempo: 124
meter: 4
swing: 0.1
instruments:
  kick: { type: kick }
  hat: { type: hihat }
  keys: { type: fm }
  bass: { type: synth }
  toms: { type: tom }
patterns:
  a: { kick: "x ~ x ~", hat: "x*8", keys: "[C4,E4,G4] ~ <A3 B3>@2", bass: "C2 [~ Eb2] G2(3,8)", toms: "~ ~ ~ [41 45 48]" }
  b: { kick: "X x x x", keys: "[C4 D4 E4]*2 ~", bass: "F2@3 ~" }
  held: { keys: "_ ~ F4", bass: "_ Bb1*5" }
  three: { kick: "x x x", hat: "x(5,12)" }
arrangement:
  - { pattern: a, repeat: 2 }
  - b
  - held
  - { pattern: three, meter: 3, repeat: 2 }
  - { pattern: a, meter: 4 }
tempo_changes:
  - { bar: 3, beat: 1.5, tempo: 97.5 }
  - { bar: 5, tempo: 140 }
"#;

#[test]
fn a_song_exported_and_imported_again_plays_the_same_notes_frame_for_frame() {
    let original = song(ROUND_TRIP);
    let (bytes, report) = export(&original).unwrap();
    assert!(!report.rounded, "{report:?}");
    assert!(report.notes > 80, "{report:?}");
    let back = song(&to_song(&read(&bytes).unwrap(), "back").unwrap());
    assert_eq!(back.tempo, 124.0);
    assert_eq!(back.tempo_changes, original.tempo_changes);
    assert_eq!(back.meters, original.meters);
    let (a, b) = (notes(&original), notes(&back));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (name, events) in &a {
        assert_eq!(events, &b[name], "{name}");
    }
}

#[test]
fn every_demo_song_survives_the_round_trip() {
    let dir = format!("{}/../songs", env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let original = Song::load(&path).unwrap().0;
        let (bytes, report) = export(&original).unwrap();
        let text = to_song(&read(&bytes).unwrap(), "back").unwrap();
        let back = song(&text);
        let all = |n: Notes| -> Vec<(u64, bool, Option<u32>)> {
            let mut v: Vec<_> = n.into_values().flatten().map(|e| (e.0, e.1, e.2)).collect();
            v.sort();
            v
        };
        let (a, b) = (all(notes(&original)), all(notes(&back)));
        assert_eq!(a.len(), b.len(), "{}", path.display());
        assert!(!report.rounded, "{}: {report:?}", path.display());
        // Pitches: drums come back at their GM notes, so compare frames and
        // on/off only.
        let strip =
            |v: &[(u64, bool, Option<u32>)]| v.iter().map(|e| (e.0, e.1)).collect::<Vec<_>>();
        assert_eq!(strip(&a), strip(&b), "{}", path.display());
        eprintln!(
            "{}: {} notes, {} ticks a quarter",
            path.display(),
            report.notes,
            report.ticks_per_quarter
        );
        checked += 1;
    }
    assert!(checked >= 3, "{checked}");
}

#[test]
fn broken_files_are_refused_in_one_line() {
    let good = fixture("running-status.mid");
    let mut wrong_header = good.clone();
    wrong_header[..4].copy_from_slice(b"RIFF");
    let truncated = good[..good.len() - 10].to_vec();
    let mut absurd = good.clone();
    absurd[18..22].copy_from_slice(&0x7FFF_FFFFu32.to_be_bytes());
    let mut huge = good[..22].to_vec();
    huge[18..22].copy_from_slice(&(100u32 << 20).to_be_bytes());
    let mut no_tracks = good[..14].to_vec();
    no_tracks[10..12].copy_from_slice(&1u16.to_be_bytes());
    let mut smpte = good.clone();
    smpte[12..14].copy_from_slice(&[0xE7, 40]);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            vec![0x4D],
            "not a MIDI file: 1 bytes, shorter than a MIDI header",
        ),
        (vec![], "not a MIDI file: 0 bytes"),
        (wrong_header, "not a MIDI file: it does not start with MThd"),
        (truncated, "track 1 declares 52 bytes but only 42 remain"),
        (
            absurd,
            "track 1 declares 2147483647 bytes but only 52 remain",
        ),
        (huge, "track 1 declares 104857600 bytes but only 0 remain"),
        (no_tracks, "the file has no tracks"),
        (smpte, "counts time in SMPTE frames (25 fps"),
    ];
    for (bytes, says) in cases {
        let e = read(&bytes)
            .and_then(|s| to_song(&s, "x"))
            .expect_err(says)
            .to_string();
        assert!(e.contains(says), "{says}: {e}");
        assert!(!e.contains('\n'), "{e}");
    }
    // A well-formed file with no notes.
    let mut silent = good[..22].to_vec();
    silent.extend_from_slice(&[0, 0xFF, 0x2F, 0]);
    silent[18..22].copy_from_slice(&4u32.to_be_bytes());
    let e = read(&silent)
        .and_then(|s| to_song(&s, "x"))
        .unwrap_err()
        .to_string();
    assert_eq!(e, "the file has no notes");
}

#[test]
fn random_bytes_after_a_good_header_never_panic() {
    let good = fixture("tempo-changes.mid");
    let mut x: u64 = 0x1234_5678;
    for round in 0..2_000 {
        let mut bytes = good.clone();
        for _ in 0..(1 + round % 8) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let at = 14 + (x as usize % (bytes.len() - 14));
            bytes[at] = (x >> 32) as u8;
        }
        if let Ok(s) = read(&bytes) {
            let _ = to_song(&s, "fuzz");
        }
    }
}

#[test]
fn tempi_read_back_as_written() {
    assert_eq!(quarter_bpm(500_000), 120.0);
    assert_eq!(quarter_bpm(483_871), 124.0);
    assert_eq!(quarter_bpm(615_385), 97.5);
    assert!((quarter_bpm(483_000) - 124.223_602).abs() < 1e-5);
}
