use super::*;
use crate::scope::{draw, pick_window, Period};
use crate::{Audio, Frame};

/// Sign changes in a run of samples.
fn crossings(s: &[f32]) -> usize {
    s.windows(2)
        .filter(|w| (w[0] < 0.0) != (w[1] < 0.0))
        .count()
}

#[test]
fn scope_of_440_hz_shows_three_cycles() {
    let tone = sine(440.0, 0.8, 1.0);
    for hz in [None, Some(440.0)] {
        let win = pick_window(&tone, RATE, hz);
        let period = match win.period {
            Period::Given(p) | Period::Estimated(p) => p,
            Period::None => panic!("no period found for a 440 Hz sine"),
        };
        assert!(
            (RATE as f64 / period - 440.0).abs() < 1.0,
            "period {period} samples"
        );
        assert!(win.triggered);
        let shown = &tone[win.start..win.start + win.len];
        assert!(
            shown[0] >= 0.0 && tone[win.start - 1] < 0.0,
            "starts at a rising zero crossing"
        );
        // Half cycles: the trigger crossing and those inside the window.
        let cycles = (crossings(shown) + 1) as f64 / 2.0;
        assert!((2.5..=3.5).contains(&cycles), "{cycles} cycles shown");
        // Near the middle of the span.
        let mid = tone.len() / 2;
        assert!(win.start.abs_diff(mid - win.len / 2) <= period as usize);
    }
    let (png, win) = draw(&Audio::mono(RATE, 0, &tone), &Frame::new("lead"), None).unwrap();
    let pic = decode(&png);
    assert_eq!((pic.width, pic.height), (1200, 600));
    assert_eq!(win.len, (3.0 * RATE as f64 / 440.0).round() as usize);
}

#[test]
fn noise_and_silence_show_20_ms() {
    let mut noise = Noise::new();
    let hiss: Vec<f32> = (0..RATE).map(|_| noise.next() * 0.3).collect();
    let win = pick_window(&hiss, RATE, None);
    assert_eq!(win.period, Period::None);
    assert_eq!(win.len, 960);
    let silence = vec![0f32; 4800];
    let win = pick_window(&silence, RATE, None);
    assert_eq!(
        (win.period, win.len, win.triggered),
        (Period::None, 960, false)
    );
}

#[test]
fn scope_of_a_stereo_song() {
    let (l, r) = song();
    // 0.7..1.5 s: the middle is inside one bass note.
    let (a, b) = (RATE as usize * 7 / 10, RATE as usize * 15 / 10);
    let start = 24 * RATE as u64 + a as u64;
    let audio = Audio {
        rate: RATE,
        start,
        left: &l[a..b],
        right: &r[a..b],
    };
    let png = crate::scope(&audio, &Frame::new("master, bar 13"), None).unwrap();
    save("scope", &png);
    let pic = decode(&png);
    assert_eq!((pic.width, pic.height), (1200, 600));
}
