//! Chord names, chord grouping and key estimates.

use chronus_analysis::{chord_name, chords, key_estimate, NotePlayed};

fn name(notes: &[f32]) -> Option<String> {
    chord_name(notes)
}

#[test]
fn the_four_chords_of_the_brief() {
    assert_eq!(name(&[60.0, 64.0, 67.0]).as_deref(), Some("C"));
    assert_eq!(name(&[57.0, 60.0, 64.0, 67.0]).as_deref(), Some("Am7"));
    assert_eq!(name(&[64.0, 67.0, 72.0]).as_deref(), Some("C/E"));
    assert_eq!(name(&[59.0, 62.0, 65.0, 69.0]).as_deref(), Some("Bm7b5"));
}

#[test]
fn every_quality_in_root_position() {
    let cases: [(&[i32], &str); 15] = [
        (&[0, 3, 7], "m"),
        (&[0, 3, 6], "dim"),
        (&[0, 4, 8], "aug"),
        (&[0, 2, 7], "sus2"),
        (&[0, 5, 7], "sus4"),
        (&[0, 4, 7, 10], "7"),
        (&[0, 4, 7, 11], "maj7"),
        (&[0, 3, 7, 10], "m7"),
        (&[0, 3, 6, 10], "m7b5"),
        (&[0, 3, 6, 9], "dim7"),
        (&[0, 4, 7, 9], "6"),
        (&[0, 3, 7, 9], "m6"),
        (&[0, 4, 7, 14], "add9"),
        (&[0, 4, 7, 10, 14], "9"),
        (&[0, 7], "5"),
    ];
    for root in [48, 53, 58, 61] {
        let root_name = [
            "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
        ][root as usize % 12];
        for (intervals, quality) in cases {
            let notes: Vec<f32> = intervals.iter().map(|i| (root + i) as f32).collect();
            let want = format!("{root_name}{quality}");
            assert_eq!(name(&notes).as_deref(), Some(want.as_str()), "{notes:?}");
        }
    }
}

#[test]
fn inversions_doublings_and_order() {
    assert_eq!(name(&[67.0, 72.0, 76.0]).as_deref(), Some("C/G"));
    assert_eq!(
        name(&[76.0, 60.0, 67.0, 48.0, 72.0]).as_deref(),
        Some("C"),
        "order and doublings"
    );
    assert_eq!(name(&[64.0, 67.0, 69.0, 72.0]).as_deref(), Some("Am7/E"));
    assert_eq!(
        name(&[60.0, 64.0, 70.0]).as_deref(),
        Some("C7"),
        "seventh without its fifth"
    );
    assert_eq!(
        name(&[60.1, 63.9, 67.2]).as_deref(),
        Some("C"),
        "rounded to semitones"
    );
    assert_eq!(name(&[60.0]), None);
    assert_eq!(name(&[60.0, 72.0]), None, "an octave is no chord");
    assert_eq!(name(&[60.0, 61.0, 62.0]), None);
    assert_eq!(name(&[]), None);
    assert_eq!(name(&[f32::NAN, 60.0, 64.0, 67.0]).as_deref(), Some("C"));
}

fn played(frame: u64, note: f32) -> NotePlayed {
    NotePlayed {
        frame,
        note,
        velocity: 0.8,
        end: None,
    }
}

#[test]
fn chords_group_onsets_within_ten_ms() {
    let rate = 48_000;
    let notes = vec![
        played(1000, 57.0),
        played(1100, 60.0),
        played(1400, 64.0), // 8.3 ms after the first: same chord
        played(1200, 67.0),
        played(50_000, 53.0),
        played(50_000, 57.0),
        played(50_000, 60.0),
        played(60_000, 40.0), // a single note: no chord
        played(70_000, 60.0),
        played(70_600, 64.0), // 12.5 ms apart: not a chord
        played(90_000, 60.0),
        played(90_000, 61.0),
        played(90_000, 62.0),
    ];
    let got = chords(&notes, rate);
    assert_eq!(
        got,
        vec![
            (1000, "Am7".to_string()),
            (50_000, "F".to_string()),
            (90_000, "(C C# D)".to_string())
        ]
    );
    assert!(chords(&[], rate).is_empty());
}

#[test]
fn key_of_a_c_major_scale() {
    // each scale note for a beat, the tonic and dominant as a melody would
    let weights = [
        (60.0, 1.0),
        (62.0, 0.5),
        (64.0, 0.75),
        (65.0, 0.5),
        (67.0, 1.0),
        (69.0, 0.5),
        (71.0, 0.5),
        (72.0, 1.0),
    ];
    let key = key_estimate(&weights).expect("key");
    println!("{key:?}");
    assert_eq!(key.name, "C major");
    // evenly weighted too
    let even: Vec<(f32, f64)> = [60.0, 62.0, 64.0, 65.0, 67.0, 69.0, 71.0]
        .iter()
        .map(|&n| (n, 1.0))
        .collect();
    assert_eq!(key_estimate(&even).expect("key").name, "C major");
}

#[test]
fn key_of_a_natural_minor_with_tonic_emphasis() {
    let weights = [
        (57.0, 3.0),
        (59.0, 1.0),
        (60.0, 1.5),
        (62.0, 1.0),
        (64.0, 2.0),
        (65.0, 1.0),
        (67.0, 1.0),
        (69.0, 2.0),
    ];
    let key = key_estimate(&weights).expect("key");
    println!("{key:?}");
    assert_eq!(key.name, "A minor");
    assert!(key.confidence > 0.7 && key.margin > 0.0);
    // transposed up a tritone: D# minor
    let up: Vec<(f32, f64)> = weights.iter().map(|&(n, w)| (n + 6.0, w)).collect();
    assert_eq!(key_estimate(&up).expect("key").name, "D# minor");
}

#[test]
fn no_key_without_enough_notes() {
    assert!(key_estimate(&[]).is_none());
    assert!(key_estimate(&[(60.0, 1.0), (67.0, 1.0)]).is_none());
    assert!(key_estimate(&[(60.0, 0.0), (64.0, -1.0), (67.0, f64::NAN)]).is_none());
}
