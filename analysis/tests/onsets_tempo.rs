//! Onsets to the sample, the match against the schedule, and tempo.

mod common;

use chronus_analysis::{onset_report, onsets, tempo_bpm, tempo_from_onsets};
use common::{add_at, click, hat, hz, kick, scene, synth_note, white, Wave};

const RATE: u32 = 48_000;

/// Frames at irregular spacings (so a grid cannot pass the test by luck).
fn irregular_frames(count: usize, first: usize) -> Vec<usize> {
    (0..count)
        .map(|i| first + i * 14_000 + (i * 7919 % 6000))
        .collect()
}

/// Detected onset nearest to each frame, as signed errors.
fn errors(detected: &[u64], truth: &[usize]) -> Vec<i64> {
    truth
        .iter()
        .map(|&t| {
            detected
                .iter()
                .map(|&d| d as i64 - t as i64)
                .min_by_key(|e| e.abs())
                .unwrap_or(i64::MAX)
        })
        .collect()
}

#[test]
fn clicks_and_kicks_to_two_frames_over_a_noise_floor() {
    for (name, sound) in [("click", click(0.8)), ("kick", kick(RATE, 0.8, 0.3))] {
        let truth = irregular_frames(24, 3000);
        let len = truth[truth.len() - 1] + 20_000;
        let mut x = white(RATE, len as f64 / f64::from(RATE), -60.0, 5);
        for &t in &truth {
            add_at(&mut x, t, &sound);
        }
        let found = onsets(&x, RATE);
        let e = errors(&found, &truth);
        let worst = e.iter().map(|v| v.abs()).max().unwrap_or(0);
        println!(
            "{name}: {} onsets for {} hits, errors {e:?}, worst {worst} frames",
            found.len(),
            truth.len()
        );
        assert_eq!(found.len(), truth.len(), "{name}: {found:?} vs {truth:?}");
        assert!(worst <= 2, "{name}: worst {worst}");
    }
}

#[test]
fn hats_and_kicks_together() {
    // hats between kicks, and some hats right on top of a kick's tail
    let kicks = irregular_frames(12, 2000);
    let hats: Vec<usize> = kicks.iter().map(|&k| k + 6000 + (k % 1500)).collect();
    let len = kicks[kicks.len() - 1] + 20_000;
    let mut x = white(RATE, len as f64 / f64::from(RATE), -60.0, 9);
    for (i, (&k, &h)) in kicks.iter().zip(&hats).enumerate() {
        add_at(&mut x, k, &kick(RATE, 0.8, 0.3));
        add_at(&mut x, h, &hat(RATE, 0.3, i as u64 + 1));
    }
    let found = onsets(&x, RATE);
    let ek = errors(&found, &kicks);
    let eh = errors(&found, &hats);
    println!("kicks {ek:?}\nhats {eh:?}");
    assert_eq!(found.len(), kicks.len() + hats.len(), "{found:?}");
    assert!(ek.iter().all(|e| e.abs() <= 2), "{ek:?}");
    assert!(eh.iter().all(|e| e.abs() <= 3), "{eh:?}");
}

#[test]
fn note_starts_in_a_mix() {
    // kick, bass and a pad: each beat's onset is found within a few frames
    let s = scene(RATE, 120.0, 2, 0);
    let found = onsets(&s.master, RATE);
    let truth: Vec<usize> = s.kicks.iter().map(|&k| k as usize).collect();
    let e = errors(&found, &truth);
    println!("mix onsets {found:?}, errors {e:?}");
    assert!(e.iter().all(|v| v.abs() <= 3), "{e:?}");
    assert_eq!(found.len(), truth.len());
    // legato saw notes with no gap: each new note is an onset
    let mut x = vec![0f32; RATE as usize * 2];
    let starts: Vec<usize> = (0..6).map(|i| 1000 + i * 15_000).collect();
    for (i, &at) in starts.iter().enumerate() {
        let tone = synth_note(
            Wave::Saw,
            hz(48.0 + 3.0 * i as f64),
            RATE,
            15_000.0 / 48_000.0,
            3000.0,
            0.0,
        );
        add_at(&mut x, at, &tone);
    }
    let found = onsets(&x, RATE);
    let e = errors(&found, &starts);
    println!("legato errors {e:?}");
    assert_eq!(found.len(), starts.len(), "{found:?}");
    assert!(e.iter().all(|v| v.abs() <= 24), "{e:?}");
}

#[test]
fn onset_report_matches_one_to_one() {
    let scheduled = [1000u64, 1000, 1100, 20_000, 40_000, 60_000];
    let detected = [1003u64, 19_990, 40_500, 90_000];
    let r = onset_report(&detected, &scheduled, RATE);
    // 1000/1000/1100 are one onset (within 10 ms); 40_000 is 500 frames off (10.4 ms: found)
    assert_eq!(r.scheduled, 4);
    assert_eq!(r.found, 3);
    assert_eq!(r.missed, 1);
    assert_eq!(r.extra, 1);
    assert_eq!(r.worst_frames, Some(500));
    assert_eq!(r.median_frames, Some(3.0));
    assert_eq!(r.missed_frames, vec![60_000]);
    assert!((r.worst_ms.unwrap_or(0.0) - 10.4167).abs() < 1e-3);
    let none = onset_report(&[], &[], RATE);
    assert_eq!(
        (none.scheduled, none.found, none.worst_frames),
        (0, 0, None)
    );
    let z = onset_report(&detected, &scheduled, 0);
    assert_eq!(z.worst_ms, None);
}

/// `secs` of four-on-the-floor kicks at `bpm`, over noise, from frame 1500.
fn four_on_the_floor(bpm: f64, secs: f64, hats: bool) -> (Vec<f32>, Vec<u64>) {
    let n = (secs * f64::from(RATE)) as usize;
    let mut x = white(RATE, secs, -60.0, 21);
    let beat = 60.0 / bpm * f64::from(RATE);
    let mut frames = Vec::new();
    let mut k = 0;
    loop {
        let at = 1500 + (k as f64 * beat).round() as usize;
        if at >= n {
            break;
        }
        add_at(&mut x, at, &kick(RATE, 0.8, 0.3));
        frames.push(at as u64);
        if hats {
            let off = 1500 + ((k as f64 + 0.5) * beat).round() as usize;
            add_at(&mut x, off, &hat(RATE, 0.25, k as u64 + 3));
        }
        k += 1;
    }
    (x, frames)
}

#[test]
fn tempo_of_a_steady_kick() {
    for bpm in [90.0, 120.0, 128.0, 174.0] {
        let (x, frames) = four_on_the_floor(bpm, 8.0, false);
        let got = tempo_bpm(&x, RATE, None).expect("tempo");
        let err = 100.0 * (got / bpm - 1.0);
        println!("{bpm} bpm: measured {got:.3} ({err:+.4}%)");
        assert!(err.abs() < 0.5, "{bpm}: {got}");
        let from_onsets = tempo_from_onsets(&frames, RATE, None).expect("tempo");
        assert!((from_onsets / bpm - 1.0).abs() < 0.005, "{from_onsets}");
        // the session's tempo picks the octave, not the value
        let half = tempo_bpm(&x, RATE, Some(bpm / 2.0 * 1.01)).expect("tempo");
        assert!((half / (bpm / 2.0) - 1.0).abs() < 0.005, "{half}");
    }
}

#[test]
fn tempo_with_offbeat_hats_and_an_ambiguous_octave() {
    let (x, _) = four_on_the_floor(120.0, 8.0, true);
    let got = tempo_bpm(&x, RATE, None).expect("tempo");
    println!("120 with hats: {got:.3}");
    assert!((got / 120.0 - 1.0).abs() < 0.005);
    let (x, _) = four_on_the_floor(87.0, 10.0, true);
    let with_session = tempo_bpm(&x, RATE, Some(87.0)).expect("tempo");
    println!("87 with hats, session 87: {with_session:.3}");
    assert!((with_session / 87.0 - 1.0).abs() < 0.005);
}

#[test]
fn no_tempo_without_a_beat() {
    let tone = synth_note(Wave::Saw, 220.0, RATE, 4.0, 2000.0, 0.0);
    assert_eq!(tempo_bpm(&tone, RATE, None), None);
    assert_eq!(tempo_bpm(&[], RATE, None), None);
    assert_eq!(tempo_bpm(&tone, 0, None), None);
    assert_eq!(tempo_from_onsets(&[100, 200], RATE, None), None);
    assert!(onsets(&[], RATE).is_empty());
    assert!(onsets(&tone, 0).is_empty());
    let mut nan = tone.clone();
    nan[1000] = f32::NAN;
    let _ = onsets(&nan, RATE);
    let _ = tempo_bpm(&nan, RATE, Some(f64::NAN));
}
