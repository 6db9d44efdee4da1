//! Steps that render through the library and measure the audio.

use crate::common::{cents, midi_hz, onsets, zero_crossing_freq};
use crate::measure::{fractions, peak, sine_noise_floor_db, spectral_peaks, Harmonics};
use crate::world::{render, Audio, Chronus};
use cucumber::{then, when};

/// Frame of `beats` beats into a song at `tempo` BPM and `rate` Hz.
fn beat_frame(beats: f64, tempo: f64, rate: u32) -> u64 {
    (beats * 60.0 / tempo * f64::from(rate)).round() as u64
}

fn seconds(a: &Audio, s: f64) -> usize {
    (s * f64::from(a.rate)).round() as usize
}

/// First differing position of two onset lists, for messages.
fn compare_onsets(found: &[u64], expected: &[u64]) {
    if found == expected {
        return;
    }
    let worst = found
        .iter()
        .zip(expected)
        .map(|(a, b)| a.abs_diff(*b))
        .max()
        .unwrap_or(0);
    let first = found
        .iter()
        .zip(expected)
        .position(|(a, b)| a != b)
        .unwrap_or(found.len().min(expected.len()));
    panic!(
        "{} onsets found, {} expected; worst error {worst} frames; first difference at #{first}: \
         found {:?}, expected {:?}",
        found.len(),
        expected.len(),
        found.get(first),
        expected.get(first)
    );
}

#[when(regex = r"^it is rendered at (\d+) Hz(?: in blocks of (\d+) frames)?$")]
fn rendered(w: &mut Chronus, rate: u32, block: String) {
    let block = block.parse().unwrap_or(64);
    w.audio = Some(render(&w.song, rate, block));
}

#[when(regex = r"^both songs are rendered at (\d+) Hz$")]
fn both_rendered(w: &mut Chronus, rate: u32) {
    w.audio = Some(render(&w.song, rate, 64));
    let second = w.second.as_ref().expect("no second song");
    w.other = Some(render(second, rate, 64));
}

#[when(regex = r"^the song is rendered in blocks of 64 frames and in blocks of (\d+) frames$")]
fn rendered_twice(w: &mut Chronus, block: usize) {
    w.audio = Some(render(&w.song, 48_000, 64));
    w.other = Some(render(&w.song, 48_000, block));
}

#[then(regex = r"^every beat has exactly one onset$")]
fn one_onset_per_beat(w: &mut Chronus) {
    let beats = w.song.bar_count() * w.song.beats_per_bar() as usize;
    let found = onsets(&w.audio().left).len();
    assert_eq!(found, beats, "onsets found for {beats} beats");
}

#[then(regex = r"^every onset is on the frame of its beat, with 0 frames of error$")]
fn onsets_on_beats(w: &mut Chronus) {
    let a = w.audio();
    let found = onsets(&a.left);
    let expected: Vec<u64> = (0..found.len())
        .map(|b| beat_frame(b as f64, w.song.tempo, a.rate))
        .collect();
    compare_onsets(&found, &expected);
}

#[then(regex = r"^the onsets are at (.*) bars$")]
fn onsets_at_bars(w: &mut Chronus, list: String) {
    let a = w.audio();
    let meter = f64::from(w.song.beats_per_bar());
    let expected: Vec<u64> = fractions(&list)
        .iter()
        .map(|bars| beat_frame(bars * meter, w.song.tempo, a.rate))
        .collect();
    compare_onsets(&onsets(&a.left), &expected);
}

#[then(regex = r"^the onsets in every bar are at (.*) of the bar$")]
fn onsets_every_bar(w: &mut Chronus, list: String) {
    let a = w.audio();
    let meter = f64::from(w.song.beats_per_bar());
    let within = fractions(&list);
    let expected: Vec<u64> = (0..w.song.bar_count())
        .flat_map(|bar| {
            within
                .iter()
                .map(move |f| (bar as f64 + f) * meter)
                .collect::<Vec<_>>()
        })
        .map(|beats| beat_frame(beats, w.song.tempo, a.rate))
        .collect();
    compare_onsets(&onsets(&a.left), &expected);
}

#[then(regex = r"^every bar lasts (\d+) beats?$")]
fn bar_length(w: &mut Chronus, beats: u32) {
    let a = w.audio();
    let found = onsets(&a.left);
    let bars = w.song.bar_count();
    assert!(
        bars > 0 && found.len().is_multiple_of(bars),
        "{} onsets in {bars} bars",
        found.len()
    );
    let per_bar = found.len() / bars;
    let starts: Vec<u64> = found.iter().step_by(per_bar).copied().collect();
    let expected: Vec<u64> = (0..bars)
        .map(|k| beat_frame((k as u32 * beats).into(), w.song.tempo, a.rate))
        .collect();
    compare_onsets(&starts, &expected);
}

#[then(
    regex = r"^the even sixteenths are on the grid and the odd ones are ([\d.]+) of a sixteenth late$"
)]
fn swung(w: &mut Chronus, swing: f64) {
    let a = w.audio();
    let sixteenths = w.song.bar_count() * w.song.beats_per_bar() as usize * 4;
    let expected: Vec<u64> = (0..sixteenths)
        .map(|i| {
            let late = if i % 2 == 1 { swing } else { 0.0 };
            beat_frame((i as f64 + late) * 0.25, w.song.tempo, a.rate)
        })
        .collect();
    compare_onsets(&onsets(&a.left), &expected);
}

/// Pitch error in cents of `x[from..to]` (seconds) against MIDI `midi`.
fn pitch_error(a: &Audio, from: f64, to: f64, midi: f64) -> (f64, f64) {
    let seg = &a.left[seconds(a, from)..seconds(a, to)];
    let f = zero_crossing_freq(seg, f64::from(a.rate));
    (f, cents(f, midi_hz(midi)))
}

#[then(
    regex = r"^the pitch measured from zero crossings is within ([\d.]+) cents? of MIDI note ([\d.]+)$"
)]
fn pitch(w: &mut Chronus, tolerance: f64, midi: f64) {
    let a = w.audio();
    let bar = w.song.bar_frames(1);
    let (f, err) = pitch_error(a, 0.1, bar - 0.1, midi);
    assert!(
        err.abs() < tolerance,
        "measured {f:.5} Hz, {err:+.4} cents from MIDI {midi} ({:.5} Hz)",
        midi_hz(midi)
    );
}

#[then(regex = r"^the steps play MIDI notes (.*), each within ([\d.]+) cents?$")]
fn step_pitches(w: &mut Chronus, notes: String, tolerance: f64) {
    let a = w.audio();
    let notes = fractions(&notes);
    let step = w.song.bar_frames(1) / notes.len() as f64;
    for (k, &midi) in notes.iter().enumerate() {
        let start = k as f64 * step;
        let (f, err) = pitch_error(a, start + 0.05, start + step - 0.05, midi);
        assert!(
            err.abs() < tolerance,
            "step {}: measured {f:.5} Hz, {err:+.4} cents from MIDI {midi}",
            k + 1
        );
    }
}

#[then(regex = r"^the spectrum's peaks are MIDI notes (.*), each within ([\d.]+) cents?$")]
fn chord_peaks(w: &mut Chronus, notes: String, tolerance: f64) {
    let a = w.audio();
    let seg = &a.left[seconds(a, 0.5)..seconds(a, 1.5)];
    let found = spectral_peaks(seg, f64::from(a.rate), 40.0);
    let expected: Vec<f64> = fractions(&notes).into_iter().map(midi_hz).collect();
    assert_eq!(
        found.len(),
        expected.len(),
        "peaks found at {found:.2?} Hz, expected {expected:.2?} Hz"
    );
    for (f, e) in found.iter().zip(&expected) {
        let err = cents(*f, *e);
        assert!(
            err.abs() < tolerance,
            "peak at {f:.3} Hz is {err:+.3} cents from {e:.3} Hz (all: {found:.3?})"
        );
    }
}

/// The tone's harmonics over one second from 0.25 s: its frequency must be
/// a whole number of Hz so that every harmonic falls on a bin.
fn harmonics(a: &Audio) -> Harmonics {
    let seg = &a.left[seconds(a, 0.25)..seconds(a, 1.25)];
    let f = zero_crossing_freq(seg, f64::from(a.rate));
    let bin = f.round();
    assert!(
        (f - bin).abs() < 0.01,
        "the tone is at {f} Hz: alias measurement needs a whole number of Hz"
    );
    Harmonics::new(seg, bin as usize)
}

#[then(regex = r"^no alias component is above (-?[\d.]+) dB relative to the fundamental$")]
fn no_alias(w: &mut Chronus, limit: f64) {
    let (level, hz) = harmonics(w.audio()).worst_alias();
    assert!(
        level < limit,
        "strongest alias {level:.1} dB at {hz} Hz (limit {limit} dB)"
    );
}

#[then(regex = r"^harmonic (\d+) is within 0.5 dB of (-?[\d.]+) dB$")]
fn harmonic_level(w: &mut Chronus, k: usize, level: f64) {
    let found = harmonics(w.audio()).harmonic_db(k);
    assert!(
        (found - level).abs() < 0.5,
        "harmonic {k} at {found:.2} dB, expected {level} dB"
    );
}

#[then(regex = r"^the second render is exactly twice the first, sample for sample$")]
fn twice(w: &mut Chronus) {
    let one = w.audio();
    let two = w.other.as_ref().expect("no second render");
    // The louder render may run a few blocks longer before its tail is quiet.
    let n = one.left.len().min(two.left.len());
    let bars = w.song.bar_frames(one.rate) as usize * w.song.bar_count();
    assert!(n >= bars, "renders too short: {n} frames");
    let p = peak(&one.left, 0, n);
    assert!(p > 0.02, "too quiet to compare: peak {p}");
    assert!(
        p < 0.44,
        "too loud: the limiter would act on the doubled render ({p})"
    );
    for ch in 0..2 {
        let (a, b) = if ch == 0 {
            (&one.left, &two.left)
        } else {
            (&one.right, &two.right)
        };
        if let Some(i) = (0..n).find(|&i| 2.0 * a[i] != b[i]) {
            panic!(
                "channel {ch}, frame {i}: twice the single voice is {} but the two voices give {}",
                2.0 * a[i],
                b[i]
            );
        }
    }
}

#[then(regex = r"^the noise floor after removing the best-fitting sine is below (-?[\d.]+) dB$")]
fn noise_floor(w: &mut Chronus, limit: f64) {
    let a = w.audio();
    let seg = &a.left[seconds(a, 0.5)..seconds(a, 1.5)];
    let (floor, f) = sine_noise_floor_db(seg, f64::from(a.rate));
    assert!(
        floor < limit,
        "noise floor {floor:.1} dB (sine fitted at {f:.6} Hz), limit {limit} dB"
    );
}

#[then(regex = r"^the two renders are sample-identical$")]
fn identical(w: &mut Chronus) {
    let a = w.audio();
    let b = w.other.as_ref().expect("no second render");
    let bars = (w.song.bar_frames(a.rate) * w.song.bar_count() as f64) as usize;
    let n = a.left.len().min(b.left.len());
    assert!(n > bars, "renders shorter than the song: {n} frames");
    // Blocks decide only where the quiet tail is cut: at most one block.
    assert!(a.left.len().abs_diff(b.left.len()) <= 4096);
    for (name, x, y) in [("left", &a.left, &b.left), ("right", &a.right, &b.right)] {
        if let Some(i) = (0..n).find(|&i| x[i] != y[i]) {
            panic!("{name} channel differs at frame {i}: {} vs {}", x[i], y[i]);
        }
    }
}

#[then(regex = r"^the two renders differ by less than (-?[\d.]+) dB of their peak$")]
fn nearly_identical(w: &mut Chronus, limit: f64) {
    let a = w.audio();
    let b = w.other.as_ref().expect("no second render");
    let n = a.left.len().min(b.left.len());
    let top = peak(&a.left, 0, n).max(peak(&a.right, 0, n));
    let diff = (0..n)
        .map(|i| {
            (a.left[i] - b.left[i])
                .abs()
                .max((a.right[i] - b.right[i]).abs())
        })
        .fold(0.0f32, f32::max);
    let level = 20.0 * (f64::from(diff) / top).log10();
    assert!(
        level < limit,
        "the renders differ by {level:.1} dB of their peak {top}"
    );
}

#[then(regex = r"^the audio is digital zero from ([\d.]+) to ([\d.]+) seconds$")]
fn zero_between(w: &mut Chronus, from: f64, to: f64) {
    let a = w.audio();
    let (s, e) = (seconds(a, from), seconds(a, to));
    let bad = (s..e).find(|&i| a.left[i] != 0.0 || a.right[i] != 0.0);
    assert!(bad.is_none(), "non-zero sample at frame {bad:?}");
}

#[then(regex = r"^there is sound between ([\d.]+) and ([\d.]+) seconds$")]
fn sound_between(w: &mut Chronus, from: f64, to: f64) {
    let a = w.audio();
    let p = peak(&a.left, seconds(a, from), seconds(a, to));
    assert!(p > 1e-3, "peak {p} between {from} and {to} s");
}

#[then(regex = r"^the last ([\d.]+) seconds are digital zero$")]
fn last_zero(w: &mut Chronus, tail: f64) {
    let a = w.audio();
    let n = a.left.len();
    let from = n - seconds(a, tail);
    let bad = (from..n).find(|&i| a.left[i] != 0.0 || a.right[i] != 0.0);
    assert!(bad.is_none(), "non-zero sample at frame {bad:?} of {n}");
}

#[then(regex = r"^there is sound after the end of the last bar$")]
fn tail_sounds(w: &mut Chronus) {
    let a = w.audio();
    let end = (w.song.bar_frames(a.rate) * w.song.bar_count() as f64).round() as usize;
    assert!(a.left.len() > end, "the render stops at the last bar");
    let p = peak(&a.left, end, a.left.len()).max(peak(&a.right, end, a.right.len()));
    assert!(p > 1e-3, "the tail is silent: peak {p}");
}

#[then(
    regex = r"^the render ends within (\d+) seconds of the last bar, after at least ([\d.]+) seconds below (-[\d.]+) dBFS$"
)]
fn tail_ends(w: &mut Chronus, within: f64, quiet: f64, limit: f64) {
    let a = w.audio();
    let n = a.left.len();
    let end = (w.song.bar_frames(a.rate) * w.song.bar_count() as f64).round() as usize;
    assert!(
        n <= end + seconds(a, within),
        "{} s of tail",
        (n - end) as f64 / f64::from(a.rate)
    );
    let from = n - seconds(a, quiet);
    let p = peak(&a.left, from, n).max(peak(&a.right, from, n));
    assert!(
        20.0 * p.log10() < limit,
        "the last {quiet} s peak at {:.1} dBFS",
        20.0 * p.log10()
    );
}

/// Peak level in dBFS of each hit (50 ms from its onset).
fn hit_levels(a: &Audio) -> Vec<f64> {
    let found = onsets(&a.left);
    let len = seconds(a, 0.05);
    found
        .iter()
        .map(|&o| 20.0 * peak(&a.left, o as usize, o as usize + len).log10())
        .collect()
}

#[then(regex = r"^hits (.*) are at least ([\d.]+) dB louder than hits (.*)$")]
fn accents(w: &mut Chronus, loud: String, margin: f64, soft: String) {
    let levels = hit_levels(w.audio());
    let pick = |list: &str| -> Vec<(usize, f64)> {
        fractions(list)
            .into_iter()
            .map(|n| {
                let i = n as usize;
                (i, *levels.get(i - 1).expect("no such hit"))
            })
            .collect()
    };
    for (li, l) in pick(&loud) {
        for (si, s) in pick(&soft) {
            assert!(
                l - s >= margin,
                "hit {li} at {l:.2} dBFS is not {margin} dB louder than hit {si} at {s:.2} dBFS"
            );
        }
    }
}

#[then(regex = r"^between (\d+) and (\d+) of the (\d+) hits sound$")]
fn drop_count(w: &mut Chronus, lo: usize, hi: usize, _all: usize) {
    let n = onsets(&w.audio().left).len();
    assert!((lo..=hi).contains(&n), "{n} hits sound");
}

#[then(regex = r"^rendering again with seed (\d+) gives the same onsets$")]
fn same_seed(w: &mut Chronus, seed: u64) {
    let mut song = w.song.clone();
    song.seed = Some(seed);
    let again = render(&song, w.audio().rate, 64);
    assert_eq!(onsets(&again.left), onsets(&w.audio().left));
}

#[then(regex = r"^rendering with seed (\d+) instead gives different onsets$")]
fn other_seed(w: &mut Chronus, seed: u64) {
    let mut song = w.song.clone();
    song.seed = Some(seed);
    let again = render(&song, w.audio().rate, 64);
    assert_ne!(onsets(&again.left), onsets(&w.audio().left));
}

#[then(regex = r"^the render is digital zero throughout$")]
fn all_zero(w: &mut Chronus) {
    let a = w.audio();
    assert!(!a.left.is_empty(), "nothing was rendered");
    let bad = a
        .left
        .iter()
        .zip(&a.right)
        .position(|(l, r)| *l != 0.0 || *r != 0.0);
    assert!(bad.is_none(), "non-zero sample at frame {bad:?}");
    // And the whole arrangement was rendered.
    let bars = w.song.bar_frames(a.rate) * w.song.bar_count() as f64;
    assert!(a.left.len() as f64 >= bars, "{} frames", a.left.len());
}
