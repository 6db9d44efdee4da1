//! Songs whose time changes: meters on arrangement entries, tempo changes
//! at any beat, and notes tied over bar lines with a leading `_`, checked
//! frame for frame.

use chronus_sequencer::{Event, EventKind, Schedule, Song};
use std::path::Path;

fn song(body: &str) -> Result<Song, String> {
    let src = format!(
        "tempo: 120\ninstruments:\n  kick: {{ type: kick }}\n  bass: {{ type: synth }}\n{body}"
    );
    Song::from_yaml(&src, Path::new("t.yaml"))
        .map(|(s, _)| s)
        .map_err(|e| e.to_string())
}

fn all(song: &Song) -> Vec<Event> {
    Schedule::new(song, 48_000).all_events()
}

fn ons(ev: &[Event]) -> Vec<u64> {
    ev.iter()
        .filter(|e| matches!(e.kind, EventKind::NoteOn { .. }))
        .map(|e| e.frame)
        .collect()
}

/// (on, off) frames of each note, in order of onset.
fn spans(ev: &[Event]) -> Vec<(u64, u64)> {
    ev.iter()
        .filter_map(|e| match e.kind {
            EventKind::NoteOn { id, .. } => {
                let off = ev
                    .iter()
                    .find(|o| matches!(o.kind, EventKind::NoteOff { id: i } if i == id))?;
                Some((e.frame, off.frame))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_meter_on_an_arrangement_entry_holds_from_there() {
    let s = song(
        "patterns:\n  four: { kick: \"x x x x\" }\n  three: { kick: \"x x x\" }\n\
         arrangement:\n  - { pattern: four, repeat: 2 }\n  - { pattern: three, repeat: 2, meter: 3 }\n  - four\n",
    )
    .unwrap();
    assert_eq!(s.meters, vec![(2, 3)]);
    assert_eq!((s.meter_of(1), s.meter_of(2), s.meter_of(4)), (4, 3, 3));
    let sched = Schedule::new(&s, 48_000);
    let bars: Vec<u64> = (0..6).map(|b| sched.bar_frame(b)).collect();
    assert_eq!(bars, vec![0, 96_000, 192_000, 264_000, 336_000, 408_000]);
    let on = ons(&all(&s));
    // Bar 3 (three beats of 24000), then the last bar in 3 too: `four`
    // squeezes its four steps into three beats.
    assert_eq!(
        &on[8..14],
        &[192_000, 216_000, 240_000, 264_000, 288_000, 312_000]
    );
    assert_eq!(&on[14..], &[336_000, 354_000, 372_000, 390_000]);
}

#[test]
fn tempo_changes_land_on_their_beat() {
    let s = song(
        "patterns:\n  a: { kick: \"x x x x\" }\narrangement:\n  - { pattern: a, repeat: 3 }\n\
         tempo_changes:\n  - { bar: 2, tempo: 60 }\n  - { bar: 3, beat: 2, tempo: 240 }\n",
    )
    .unwrap();
    assert_eq!(s.tempo_changes, vec![(4.0, 60.0), (10.0, 240.0)]);
    let on = ons(&all(&s));
    assert_eq!(
        on,
        vec![
            0, 24_000, 48_000, 72_000, // 120 BPM
            96_000, 144_000, 192_000, 240_000, // 60 BPM
            288_000, 336_000, // 60 BPM to beat 2 of bar 3
            384_000, 396_000, // 240 BPM
        ]
    );
    assert_eq!(Schedule::new(&s, 48_000).end_frame(), 408_000);
}

#[test]
fn a_leading_underscore_holds_the_last_note_over_the_bar_line() {
    let s = song(
        "patterns:\n  a: { bass: \"~ C3\" }\n  held: { bass: \"_\" }\n  b: { bass: \"_ _ D3 E3\" }\n\
         arrangement:\n  - a\n  - held\n  - b\n",
    )
    .unwrap();
    let ev = all(&s);
    // C3 from beat 2 over the whole next bar and half of the one after;
    // D3 and E3 after it, in their places.
    assert_eq!(
        spans(&ev),
        vec![
            (48_000, 96_000 + 96_000 + 48_000),
            (240_000, 264_000),
            (264_000, 288_000)
        ]
    );
}

#[test]
fn a_tie_with_nothing_before_it_is_a_rest() {
    let s = song("patterns:\n  b: { bass: \"_ C3\" }\n").unwrap();
    assert_eq!(spans(&all(&s)), vec![(48_000, 96_000)]);
}

#[test]
fn bad_meters_and_tempo_changes_are_refused_where_they_are() {
    for (body, says) in [
        (
            "patterns:\n  a: { kick: x }\narrangement:\n  - { pattern: a, meter: 3.5 }\n",
            "t.yaml:8:5: meter 3.5 for `a`: expected a whole number of beats 1..32",
        ),
        (
            "patterns:\n  a: { kick: x }\ntempo_changes:\n  - { bar: 1, beat: 4, tempo: 90 }\n",
            "beat 4: expected a bar from 1 and a beat from 0 to below 4",
        ),
        (
            "patterns:\n  a: { kick: x }\ntempo_changes:\n  - { bar: 2, tempo: 90 }\n  - { bar: 1, beat: 1, tempo: 80 }\n",
            "tempo_changes[1]: bar 1 beat 1 is not after the change before it",
        ),
        (
            "patterns:\n  a: { kick: x }\ntempo_changes:\n  - { bar: 1, tempo: 900 }\n",
            "tempo 900 is outside 20..400 BPM",
        ),
        (
            "patterns:\n  a: { kick: x }\ntempo_changes:\n  - { bar: 1, bpm: 90 }\n",
            "unknown field `bpm`",
        ),
    ] {
        let e = song(body).expect_err(body);
        assert!(e.contains(says), "{body}\n{e}");
    }
}
