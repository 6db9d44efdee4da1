use super::*;
use crate::{levels, roll, scope, spectrogram, Audio, Frame, LookError};

fn plain(e: &LookError) {
    let m = e.to_string();
    assert!(
        !m.contains('\n') && !m.contains("::") && !m.contains("Look"),
        "{m}"
    );
    assert!(m.chars().next().unwrap().is_lowercase(), "{m}");
}

#[test]
fn bad_input_gives_plain_errors() {
    let tone = sine(440.0, 0.5, 0.1);
    let ok = Audio::mono(RATE, 0, &tone);
    let empty = Audio::mono(RATE, 0, &[]);
    let zero = Audio::mono(0, 0, &tone);
    let frame = Frame::new("x");
    let errors = [
        (spectrogram(&empty, &frame), LookError::EmptyAudio),
        (spectrogram(&zero, &frame), LookError::ZeroRate),
        (
            spectrogram(&Audio::mono(50, 0, &tone), &frame),
            LookError::LowRate,
        ),
        (scope(&empty, &frame, None), LookError::EmptyAudio),
        (scope(&zero, &frame, Some(440.0)), LookError::ZeroRate),
        (levels(&[], &frame), LookError::NoTracks),
        (
            levels(&[("a".into(), empty)], &frame),
            LookError::EmptyAudio,
        ),
        (levels(&[("a".into(), zero)], &frame), LookError::ZeroRate),
        (roll(&[], 0, (0, 10), &frame), LookError::ZeroRate),
        (roll(&[], RATE, (10, 10), &frame), LookError::EmptySpan),
    ];
    for (got, want) in errors {
        let e = got.unwrap_err();
        assert_eq!(e, want);
        plain(&e);
    }
    for (w, h) in [(199, 600), (1200, 4001), (0, 0), (4001, 200)] {
        let f = frame.clone().with_size(w, h);
        let e = spectrogram(&ok, &f).unwrap_err();
        assert_eq!(
            e,
            LookError::BadSize {
                width: w,
                height: h
            }
        );
        plain(&e);
        assert_eq!(scope(&ok, &f, None).unwrap_err(), e);
        assert_eq!(levels(&[("a".into(), ok)], &f).unwrap_err(), e);
        assert_eq!(roll(&[], RATE, (0, 10), &f).unwrap_err(), e);
    }
}

#[test]
fn extreme_input_does_not_panic() {
    let mut wild = sine(440.0, 0.5, 0.5);
    for (i, s) in wild.iter_mut().enumerate() {
        match i % 7 {
            0 => *s = f32::NAN,
            3 => *s = f32::INFINITY,
            5 => *s = 4.0,
            _ => {}
        }
    }
    let all_nan = vec![f32::NAN; 3000];
    let one = [0.5f32];
    let sizes = [(200, 200), (4000, 200), (200, 4000)];
    for (samples, sizes) in [
        (&wild[..], &sizes[..]),
        (&all_nan[..], &sizes[..1]),
        (&one[..], &sizes[..1]),
    ] {
        let a = Audio::mono(RATE, 7, samples);
        for &(w, h) in sizes {
            let f = Frame::new("a very long title that will not fit in a narrow picture at all")
                .with_bars(vec![7, 100, 2000, 1 << 40], 1)
                .with_size(w, h);
            decode(&spectrogram(&a, &f).unwrap());
            decode(&scope(&a, &f, None).unwrap());
            decode(&scope(&a, &f, Some(f64::NAN)).unwrap());
            decode(&scope(&a, &f, Some(1e-9)).unwrap());
            decode(&levels(&[("n".into(), a)], &f).unwrap());
        }
    }
    let notes = vec![
        crate::RollNote {
            track: "x".into(),
            start: 5,
            end: 2,
            note: f32::NAN,
            velocity: 1.0,
        },
        crate::RollNote {
            track: "x".into(),
            start: 0,
            end: 1 << 40,
            note: 127.0,
            velocity: f32::NAN,
        },
        crate::RollNote {
            track: "y".into(),
            start: 3,
            end: 4,
            note: -3.5,
            velocity: 127.0,
        },
    ];
    for (w, h) in [(200, 200), (4000, 200), (200, 4000)] {
        decode(&roll(&notes, 1, (0, 10), &Frame::new("r").with_size(w, h)).unwrap());
    }
    // Frames near the end of time.
    let tone = sine(440.0, 0.5, 0.01);
    for start in [u64::MAX - 5, 1 << 62] {
        let a = Audio::mono(RATE, start, &tone);
        let f = Frame::new("late")
            .with_bars(vec![start, u64::MAX], u64::MAX)
            .with_size(300, 200);
        decode(&spectrogram(&a, &f).unwrap());
        decode(&scope(&a, &f, None).unwrap());
        decode(&levels(&[("n".into(), a)], &f).unwrap());
        let n = crate::RollNote {
            track: "x".into(),
            start,
            end: u64::MAX,
            note: 60.0,
            velocity: 1.0,
        };
        decode(&roll(&[n], RATE, (start, u64::MAX), &f).unwrap());
    }
    // Different channel lengths and one empty channel.
    let left = sine(100.0, 0.5, 0.2);
    let a = Audio {
        rate: RATE,
        start: 0,
        left: &left,
        right: &left[..100],
    };
    decode(&scope(&a, &Frame::new("s"), None).unwrap());
    let a = Audio {
        rate: RATE,
        start: 0,
        left: &[],
        right: &left,
    };
    decode(&spectrogram(&a, &Frame::new("s")).unwrap());
}
