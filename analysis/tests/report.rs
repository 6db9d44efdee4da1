//! The whole analysis: the line, the JSON, the problems, and odd input.

mod common;

use chronus_analysis::{analyse, bands, masking, Counters, Input, Report, TrackInput};
use common::{audio, scene, scene_input, synth_note, white, Scene, Wave, RATE, START};
use serde_json::Value;

/// The scene as the engine would hand it over (the pad named keys), the
/// limiter having worked a little.
fn input<'a>(s: &'a Scene, master: &'a [f32], right: &'a [f32]) -> Input<'a> {
    let mut input = scene_input(s, START, "keys", master, right);
    input.counters = Counters {
        limiter_max_reduction_db: 0.8,
        ..Counters::default()
    };
    input
}

/// Paths where two JSON values differ.
fn differences(a: &Value, b: &Value, path: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, v) in x {
                match y.get(k) {
                    Some(w) => differences(v, w, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k} missing")),
                }
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (v, w)) in x.iter().zip(y).enumerate() {
                differences(v, w, &format!("{path}[{i}]"), out);
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            // the text parser may be off by one unit in the last place
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            if (x - y).abs() > 1e-12 * x.abs().max(1.0) {
                out.push(format!("{path}: {x} vs {y}"));
            }
        }
        _ if a != b => out.push(format!("{path}: {a} vs {b}")),
        _ => {}
    }
}

/// Every null in a JSON value, by path.
fn nulls(v: &Value, path: &str, out: &mut Vec<String>) {
    match v {
        Value::Null => out.push(path.to_string()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| nulls(x, &format!("{path}[{i}]"), out)),
        Value::Object(o) => o
            .iter()
            .for_each(|(k, x)| nulls(x, &format!("{path}.{k}"), out)),
        _ => {}
    }
}

#[test]
fn a_full_report() {
    let s = scene(RATE, 120.0, 4, START);
    let r = analyse(&input(&s, &s.master, &s.master));
    let line = r.line();
    println!("{line}");
    assert!(!line.contains('\n'));
    for part in [
        "master bars 13-16 (8.00 s): ",
        " LUFS (short-term ",
        " dBTP, crest ",
        "limiter -0.8 dB, clipped 0; ",
        "balance kick ",
        ", bass ",
        ", keys ",
        "; bands sub ",
        ", centroid ",
        "; stereo corr 1.00, width 0%",
        "; notes bass C2 +0.0c x12, G2 +0.0c x4; ",
        "; chords keys Am7 x4",
        "; key ",
        "; onsets 16/16, worst 1 frame, median 1",
        "; tempo 120.0 bpm",
        "; problems none",
    ] {
        assert!(line.contains(part), "missing {part:?} in {line}");
    }
    // the measured values are the signal's
    let l = &r.loudness;
    let i = l.integrated_lufs.expect("integrated");
    assert!(i < -8.0 && i > -25.0, "{i}");
    assert!(l.true_peak_dbtp.expect("tp") >= l.sample_peak_dbfs.expect("sp") - 1e-9);
    let shares: f64 = r
        .balance
        .iter()
        .map(|b| 10f64.powf(b.share_db.expect("share") / 10.0))
        .sum();
    assert!(
        (shares - 1.0).abs() < 1e-9,
        "balance shares add up to the mix"
    );
    assert!(r.balance[1].measured && !r.balance[0].measured);
    assert_eq!(r.tracks[1].notes.len(), 16);
    assert!(r.tracks[2].notes.is_empty(), "the pad plays chords");
    assert_eq!(r.onsets_detected, 16);

    // JSON: no null where a value exists (only the untapped kick has no
    // spectrum or peak of its own), no NaN, units in the names
    let v = serde_json::to_value(&r).expect("json");
    let mut found = Vec::new();
    nulls(&v, "", &mut found);
    assert_eq!(
        found,
        vec![
            ".tracks[0].bands".to_string(),
            ".tracks[0].sample_peak_dbfs".to_string()
        ]
    );
    let text = serde_json::to_string(&r).expect("json");
    for field in [
        "\"integrated_lufs\"",
        "\"true_peak_dbtp\"",
        "\"centroid_hz\"",
        "\"share_db\"",
        "\"cents_off_expected\"",
        "\"worst_frames\"",
        "\"tempo_bpm\"",
    ] {
        assert!(text.contains(field), "{field}");
    }
    // and back: the Value round-trips through the Report type
    let back: Report = serde_json::from_value(v.clone()).expect("parse");
    let again = serde_json::to_value(&back).expect("json");
    let mut diffs = Vec::new();
    differences(&v, &again, "", &mut diffs);
    assert!(diffs.is_empty(), "{diffs:?}");
    let reparsed: Value = serde_json::from_str(&text).expect("parse text");
    let mut diffs = Vec::new();
    differences(&v, &reparsed, "", &mut diffs);
    assert!(diffs.is_empty(), "{diffs:?}");
}

#[test]
fn problems_are_named() {
    let s = scene(RATE, 120.0, 2, START);
    // DC on the left, and too hot: clipping
    let left: Vec<f32> = s.master.iter().map(|v| v * 2.5 + 0.012).collect();
    let mut inp = input(&s, &left, &s.master);
    inp.counters = Counters {
        clipped_before_limiter: 120,
        limiter_max_reduction_db: -7.5,
        nan_resets: 3,
        xruns: 1,
        late_events: 2,
        panics: 1,
    };
    let r = analyse(&inp);
    let line = r.line();
    println!("{line}");
    let dc = left.iter().map(|&v| f64::from(v)).sum::<f64>() / left.len() as f64;
    let dc_problem = format!("DC offset {dc:.3} on master");
    assert!(dc > 0.012);
    for p in [
        "1 panic",
        "3 NaN resets",
        "1 xrun",
        "2 late events",
        dc_problem.as_str(),
        "clipping: true peak +",
        "clipping: 120 samples over full scale before the limiter",
        "heavy limiting (-7.5 dB)",
    ] {
        assert!(
            r.problems.iter().any(|x| x.starts_with(p)),
            "missing {p:?} in {:?}",
            r.problems
        );
    }
    assert!(line.contains("; problems 1 panic, "));
}

#[test]
fn masking_is_found_and_named() {
    // a quiet bass under a loud low pad: the bass is masked in "low"
    let bass = synth_note(Wave::Sine, 90.0, RATE, 2.0, 500.0, 0.0)
        .iter()
        .map(|v| v * 0.05)
        .collect::<Vec<_>>();
    let pad = synth_note(Wave::Saw, 110.0, RATE, 2.0, 400.0, 0.0);
    let (bb, bp) = (bands(&audio(&bass)), bands(&audio(&pad)));
    let m = masking(&[("bass", &bb), ("pad", &bp)]);
    assert_eq!(m, vec!["bass masked by pad in low (60-250 Hz)".to_string()]);
    // a hat up top is not masked by the pad
    let hat = white(RATE, 2.0, -30.0, 4)
        .windows(2)
        .map(|w| w[1] - w[0])
        .collect::<Vec<_>>();
    let bh = bands(&audio(&hat));
    assert!(masking(&[("hat", &bh), ("pad", &bp)]).is_empty());
    // and in a report
    let mix: Vec<f32> = bass.iter().zip(&pad).map(|(a, b)| a + b).collect();
    let inp = Input {
        what: "master".into(),
        master: audio(&mix),
        tracks: vec![
            TrackInput {
                name: "bass".into(),
                audio: Some(audio(&bass)),
                energy: None,
                notes: vec![],
                pitched: true,
            },
            TrackInput {
                name: "pad".into(),
                audio: Some(audio(&pad)),
                energy: None,
                notes: vec![],
                pitched: true,
            },
        ],
        bars: vec![START],
        first_bar: None,
        tempo_bpm: None,
        scheduled_onsets: vec![],
        counters: Counters::default(),
    };
    let r = analyse(&inp);
    println!("{}", r.line());
    assert!(r
        .problems
        .contains(&"bass masked by pad in low (60-250 Hz)".to_string()));
    assert!(r.line().starts_with("master 1 bars (2.00 s): "));
    assert!(
        !r.line().contains("onsets "),
        "no schedule, no onset section"
    );
    assert!(
        !r.line().contains("notes "),
        "no notes played, no notes section"
    );
}
