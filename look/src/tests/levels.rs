use super::*;
use crate::colour::track;
use crate::levels::{draw, meter, Level};
use crate::{Audio, Frame};

#[test]
fn a_track_silent_for_the_first_half_reads_below_minus_60_db_there() {
    let mut half = vec![0f32; 2 * RATE as usize];
    half.extend(sine(220.0, 0.5, 2.0));
    let audio = Audio::mono(RATE, 0, &half);
    let levels = meter(&audio);
    let (quiet, loud): (Vec<&Level>, Vec<&Level>) = levels.iter().partition(|l| l.secs < 2.0);
    let window = crate::levels::WINDOW_SECS;
    for l in quiet.iter().filter(|l| l.secs < 2.0 - window) {
        assert!(l.rms_db < -60.0 && l.peak_db < -60.0, "{l:?}");
    }
    for l in loud.iter().filter(|l| l.secs > 2.0 + window) {
        assert!(
            (l.rms_db - (-9.03)).abs() < 0.2,
            "RMS of a 0.5 sine is -9 dBFS: {l:?}"
        );
        assert!(
            (l.peak_db - (-6.02)).abs() < 0.2,
            "peak of a 0.5 sine is -6 dBFS: {l:?}"
        );
    }

    // In the picture, the line of that track lies on the -60 dB floor there.
    let tracks = vec![("pad".to_string(), audio)];
    let frame = Frame::new("pad, bars 1-2").with_bars(bars(0, 2), 1);
    let (png, layout) = draw(&tracks, &frame).unwrap();
    let pic = decode(&png);
    assert_eq!((pic.width, pic.height), (1200, 600));
    let plot = &layout.plot;
    let floor_row = plot.y.end - 1;
    let colour = track(0);
    let near = |p: [u8; 3]| {
        let d = |a: u8, b: u8| (a as i32 - b as i32).abs();
        d(p[0], colour.0) + d(p[1], colour.1) + d(p[2], colour.2) < 40
    };
    let quarter = plot.column(1.0);
    let rows: Vec<i32> = (plot.y.start..plot.y.end)
        .filter(|&y| near(pic.pixel(quarter, y)))
        .collect();
    assert!(!rows.is_empty(), "the level line is drawn");
    assert!(
        rows.iter().all(|&y| y >= floor_row - 4),
        "rows {rows:?}, floor {floor_row}"
    );
    let three_quarters = plot.column(3.0);
    let rows: Vec<i32> = (plot.y.start..plot.y.end)
        .filter(|&y| near(pic.pixel(three_quarters, y)))
        .collect();
    assert!(
        rows.iter().all(|&y| y < floor_row - 100),
        "loud half is high up: {rows:?}"
    );
}

#[test]
fn levels_of_a_song() {
    let (l, r) = song();
    let start = 24 * RATE as u64;
    let zeros = vec![0f32; l.len()];
    let bass: Vec<f32> = l.iter().zip(&r).map(|(a, b)| (a + b) * 0.3).collect();
    let tracks = vec![
        (
            "master".to_string(),
            Audio {
                rate: RATE,
                start,
                left: &l,
                right: &r,
            },
        ),
        ("bass".to_string(), Audio::mono(RATE, start, &bass)),
        ("silent pad".to_string(), Audio::mono(RATE, start, &zeros)),
    ];
    let frame = Frame::new("all tracks, bars 13-16").with_bars(bars(start, 4), 13);
    let png = crate::levels(&tracks, &frame).unwrap();
    save("levels", &png);
    let pic = decode(&png);
    assert_eq!((pic.width, pic.height), (1200, 600));
}
