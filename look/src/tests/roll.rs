use super::*;
use crate::colour::track;
use crate::roll::draw;
use crate::{note_name, Frame, RollNote};

fn note(track: &str, start_s: f64, len_s: f64, note: f32, velocity: f32) -> RollNote {
    let f = |s: f64| (s * RATE as f64) as u64;
    RollNote {
        track: track.into(),
        start: f(start_s),
        end: f(start_s + len_s),
        note,
        velocity,
    }
}

#[test]
fn note_names() {
    assert_eq!(note_name(60), "C4");
    assert_eq!(note_name(61), "C#4");
    assert_eq!(note_name(69), "A4");
    assert_eq!(note_name(21), "A0");
    assert_eq!(note_name(0), "C-1");
}

#[test]
fn a_c4_note_sits_on_the_c4_row() {
    let notes = vec![
        note("lead", 1.0, 2.0, 60.0, 1.0),
        note("bass", 0.0, 1.0, 43.0, 0.8),
        note("lead", 3.0, 1.0, 67.0, 0.5),
    ];
    let frame = Frame::new("lead and bass, bars 1-2").with_bars(bars(0, 2), 1);
    let (png, layout) = draw(&notes, RATE, (0, 4 * RATE as u64), &frame).unwrap();
    let pic = decode(&png);
    assert_eq!((pic.width, pic.height), (1200, 600));
    let col = layout.plot.column(2.0);
    let edge = track(0);
    let rows: Vec<i32> = (layout.plot.y.start..layout.plot.y.end)
        .filter(|&y| pic.pixel(col, y) == [edge.0, edge.1, edge.2])
        .collect();
    assert!(!rows.is_empty(), "the C4 note is drawn");
    let centre = (rows[0] + rows[rows.len() - 1]) / 2;
    let expected = layout.row_of(60.0);
    assert!(
        (centre - expected).abs() <= 2,
        "note centre row {centre}, C4 row {expected}"
    );
    // And not on the row of a neighbour.
    assert!((centre - layout.row_of(61.0)).abs() > 2);
}

#[test]
fn roll_of_a_song_with_drums() {
    let mut notes = Vec::new();
    for bar in 0..4 {
        let t0 = bar as f64 * 2.0;
        for (i, n) in [36.0, 36.0, 43.0, 41.0].iter().enumerate() {
            if i == bar {
                notes.push(note("bass", t0, 1.9, *n, 0.9));
            }
        }
        for beat in 0..4 {
            let t = t0 + beat as f64 * 0.5;
            notes.push(note(
                "lead",
                t,
                0.45,
                [72.0, 74.0, 76.0, 79.0][(beat + bar) % 4],
                0.4 + 0.15 * beat as f32,
            ));
            notes.push(note("kick", t, 0.01, 36.0, 1.0));
            notes.push(note("hat", t + 0.25, 0.01, 42.0, 0.6));
        }
    }
    let start = 24 * RATE as u64;
    for n in notes.iter_mut() {
        n.start += start;
        n.end += start;
    }
    let frame = Frame::new("all tracks, bars 13-16").with_bars(bars(start, 4), 13);
    let png = crate::roll(&notes, RATE, (start, start + 8 * RATE as u64), &frame).unwrap();
    save("roll", &png);
    let pic = decode(&png);
    assert_eq!((pic.width, pic.height), (1200, 600));
    let empty = crate::roll(&[], RATE, (0, RATE as u64), &Frame::new("nothing")).unwrap();
    assert_eq!(decode(&empty).width, 1200);
}
