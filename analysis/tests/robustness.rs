//! Odd input: silence, NaN, empty slices, zero and absurd rates, frames
//! near `u64::MAX`. Nothing may panic, and no NaN may reach the report.

mod common;

use chronus_analysis::{analyse, Audio, Counters, Input, NotePlayed, TrackInput};
use common::{audio, synth_note, Wave, RATE, START};

#[test]
fn silence_nan_and_nothing_never_panic() {
    let zeros = vec![0f32; RATE as usize];
    let mut inp = Input {
        what: "master".into(),
        master: audio(&zeros),
        tracks: vec![],
        bars: vec![],
        first_bar: None,
        tempo_bpm: None,
        scheduled_onsets: vec![START],
        counters: Counters::default(),
    };
    let r = analyse(&inp);
    println!("{}", r.line());
    assert!(r
        .problems
        .iter()
        .any(|p| p == "silence on master (below -60 dBFS)"));
    assert!(r.line().contains("(1.00 s): silent"));
    assert_eq!(r.onsets.as_ref().map(|o| o.missed), Some(1));

    let mut bad = synth_note(Wave::Saw, 220.0, RATE, 1.0, 3000.0, 0.0);
    bad[100] = f32::NAN;
    bad[2000] = f32::INFINITY;
    let short = &bad[..bad.len() - 10];
    inp.master = Audio {
        rate: RATE,
        start: START,
        left: &bad,
        right: short,
    };
    inp.tracks = vec![TrackInput {
        name: "lead".into(),
        audio: Some(Audio {
            rate: RATE,
            start: START,
            left: &bad,
            right: &bad,
        }),
        energy: Some(f64::NAN),
        notes: vec![
            NotePlayed {
                frame: START,
                note: 57.0,
                velocity: f32::NAN,
                end: None,
            },
            NotePlayed {
                frame: START + 10,
                note: f32::NAN,
                velocity: 1.0,
                end: Some(0),
            },
        ],
        pitched: true,
    }];
    inp.counters.limiter_max_reduction_db = f32::NAN;
    inp.tempo_bpm = Some(f64::INFINITY);
    let r = analyse(&inp);
    let line = r.line();
    println!("{line}");
    assert!(
        r.problems
            .iter()
            .any(|p| p.starts_with("not finite samples (4) on master")),
        "{:?}",
        r.problems
    );
    assert!(r
        .problems
        .iter()
        .any(|p| p.starts_with("not finite samples (4) on lead")));
    assert!(r
        .problems
        .iter()
        .any(|p| p.starts_with("left and right differ in length")));
    let text = serde_json::to_string(&r).expect("json");
    assert!(!text.contains("NaN") && !text.contains("inf"));

    for rate in [0u32, 1, 8000, 192_000] {
        for x in [&[][..], &zeros[..10], &bad[..]] {
            let inp = Input {
                what: "x".into(),
                master: Audio {
                    rate,
                    start: 0,
                    left: x,
                    right: x,
                },
                tracks: vec![TrackInput {
                    name: "t".into(),
                    audio: Some(Audio {
                        rate,
                        start: 0,
                        left: x,
                        right: x,
                    }),
                    energy: None,
                    notes: vec![NotePlayed {
                        frame: 0,
                        note: 60.0,
                        velocity: 1.0,
                        end: None,
                    }],
                    pitched: true,
                }],
                bars: vec![0],
                first_bar: Some(1),
                tempo_bpm: Some(120.0),
                scheduled_onsets: vec![0, 5],
                counters: Counters::default(),
            };
            let r = analyse(&inp);
            let _ = r.line();
            assert!(serde_json::to_string(&r).is_ok());
        }
    }
}

#[test]
fn random_odd_inputs_never_panic() {
    let mut noise = common::Noise::new(77);
    let specials = [
        f32::NAN,
        f32::INFINITY,
        f32::NEG_INFINITY,
        0.0,
        1e30,
        -1e30,
        f32::MIN_POSITIVE,
        1.0,
        -1.0,
    ];
    for case in 0..60 {
        let rate = [
            0u32,
            1,
            7,
            8000,
            22_050,
            44_100,
            48_000,
            96_000,
            192_000,
            u32::MAX,
        ][case % 10];
        let len = [0usize, 1, 2, 17, 63, 64, 1000, 4097, 30_000][case % 9];
        let left: Vec<f32> = (0..len)
            .map(|i| {
                if i % 97 == 5 {
                    specials[(i + case) % specials.len()]
                } else {
                    noise.next() as f32 * 0.5
                }
            })
            .collect();
        let right: Vec<f32> = left
            .iter()
            .rev()
            .copied()
            .take(len.saturating_sub(case % 3))
            .collect();
        let start = [0u64, 1, u64::MAX - 10, 1 << 40][case % 4];
        let frames: Vec<u64> = (0..8).map(|k| start.wrapping_add(k * 997)).collect();
        let notes: Vec<NotePlayed> = frames
            .iter()
            .enumerate()
            .map(|(k, &f)| NotePlayed {
                frame: f,
                note: [60.0, f32::NAN, -5.0, 200.0, 60.5][k % 5],
                velocity: 1.0,
                end: [None, Some(0), Some(u64::MAX)][k % 3],
            })
            .collect();
        let inp = Input {
            what: "odd".into(),
            master: Audio {
                rate,
                start,
                left: &left,
                right: &right,
            },
            tracks: vec![TrackInput {
                name: "t".into(),
                audio: Some(Audio {
                    rate,
                    start,
                    left: &right,
                    right: &left,
                }),
                energy: [None, Some(-1.0), Some(f64::INFINITY)][case % 3],
                notes: notes.clone(),
                pitched: case % 2 == 0,
            }],
            bars: frames.clone(),
            first_bar: [None, Some(0), Some(u64::MAX)][case % 3],
            tempo_bpm: [None, Some(0.0), Some(-120.0), Some(f64::NAN), Some(1e9)][case % 5],
            scheduled_onsets: frames.clone(),
            counters: Counters {
                limiter_max_reduction_db: [0.0, f32::NAN, f32::INFINITY][case % 3],
                clipped_before_limiter: u64::MAX,
                ..Counters::default()
            },
        };
        let r = analyse(&inp);
        let line = r.line();
        assert!(!line.contains('\n') && !line.contains("NaN"), "{line}");
        let text = serde_json::to_string(&r).expect("json");
        assert!(!text.contains("NaN"));
        let _ = chronus_analysis::tempo_from_onsets(&frames, rate, Some(120.0));
        let _ = chronus_analysis::onset_report(&frames, &[u64::MAX, 0], rate);
        let _ = chronus_analysis::chords(&notes, rate);
        let _ = chronus_analysis::pitch_hz(&left, rate, Some(1e9));
    }
}
