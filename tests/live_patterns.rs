//! The pattern language live: scale degrees, a scale change at the next
//! bar line, chords, and values that mean nothing to their instrument,
//! measured on the rendered sound of a live session driven block by block.

mod common;

use chronus::live::manual::ManualLive;
use chronus::session::Reply;

const RATE: u32 = 48_000;
/// A bar at 120 BPM in 4/4.
const BAR: u64 = 96_000;

fn rig() -> (ManualLive, common::Scratch) {
    let dir = common::Scratch::new("live-patterns");
    (ManualLive::new(RATE, 256, dir.dir.join("patches")), dir)
}

fn run(live: &mut ManualLive, line: &str) -> Reply {
    live.session.execute(line)
}

fn render(live: &mut ManualLive, frames: u64) -> Vec<f32> {
    let (mut l, mut r) = (Vec::new(), Vec::new());
    live.render(frames, (&mut l, &mut r));
    l
}

/// The pitch of `x[from..to]`, in Hz.
fn pitch(x: &[f32], from: u64, to: u64) -> f64 {
    common::zero_crossing_freq(&x[from as usize..to as usize], f64::from(RATE))
}

const SINE: &str = "create s synth osc=sine filter=none attack=0.005 sustain=1 release=0.05";

#[test]
fn numbers_are_scale_degrees_and_a_new_scale_waits_for_the_bar_line() {
    let (mut live, _dir) = rig();
    let r = run(
        &mut live,
        &format!("{SINE} scale=A:minor; pattern s: 2 _ _ _; play s"),
    );
    assert!(r.ok, "{}", r.line());
    assert!(!r.line().contains("warning"), "{}", r.line());
    let mut l = render(&mut live, BAR + BAR / 2);
    // Degree 2 of A minor (from A3) is C4.
    let c4 = pitch(&l, BAR + 5000, BAR + 40_000);
    assert!(common::cents(c4, common::midi_hz(60.0)).abs() < 1.0, "{c4}");
    let r = run(&mut live, "set s scale=E:minor");
    assert!(r.ok, "{}", r.line());
    assert_eq!(r.frame, Some(2 * BAR), "{}", r.line());
    l.extend(render(&mut live, BAR));
    // Still C4 up to the bar line, then degree 2 of E minor: G3.
    let before = pitch(&l, 2 * BAR - 30_000, 2 * BAR - 2000);
    let after = pitch(&l, 2 * BAR + 5000, 2 * BAR + 40_000);
    assert!(
        common::cents(before, common::midi_hz(60.0)).abs() < 1.0,
        "{before}"
    );
    assert!(
        common::cents(after, common::midi_hz(55.0)).abs() < 1.0,
        "{after}"
    );
}

#[test]
fn bad_scales_and_values_are_refused_and_change_nothing() {
    let (mut live, _dir) = rig();
    assert!(run(&mut live, &format!("{SINE}; pattern s: A3 _ _ _; play s")).ok);
    for (line, says) in [
        ("set s scale=H:minor", "root note"),
        ("set s scale=A:minr", "unknown scale 'minr'"),
        ("pattern s: A3 bd", "'bd' is not a note"),
        ("pattern s: A3 C:nope", "unknown chord 'nope'"),
    ] {
        let r = run(&mut live, line);
        assert!(!r.ok, "{line}: {}", r.line());
        assert!(r.line().contains(says), "{line}: {}", r.line());
    }
    // The column is the column in the whole line.
    let r = run(&mut live, "pattern s: A3 bd");
    assert!(r.line().contains("column 15"), "{}", r.line());
    let l = render(&mut live, 2 * BAR);
    let a3 = pitch(&l, BAR + 5000, BAR + 40_000);
    assert!(common::cents(a3, 220.0).abs() < 1.0, "{a3}");
}

#[test]
fn low_plain_numbers_warn_and_a_scale_silences_the_warning() {
    let (mut live, _dir) = rig();
    let r = run(&mut live, &format!("{SINE}; pattern s: 0 2 4 7"));
    assert!(r.ok, "{}", r.line());
    assert!(
        r.line().contains("warning") && r.line().contains("scale"),
        "{}",
        r.line()
    );
    assert!(run(&mut live, "set s scale=C:major").ok);
    let r = run(&mut live, "pattern s: 0 2 4 7");
    assert!(r.ok && !r.line().contains("warning"), "{}", r.line());
}

#[test]
fn a_chord_sounds_its_notes_together() {
    let (mut live, _dir) = rig();
    assert!(
        run(
            &mut live,
            &format!("{SINE}; pattern s: C4:maj _ _ _; play s")
        )
        .ok
    );
    let l = render(&mut live, 2 * BAR);
    // C4, E4 and G4 all present: the spectrum peaks at each.
    let window = &l[(BAR + 4800) as usize..(BAR + 4800 + 32_768) as usize];
    let spec = common::spectrum(window);
    let bin = |hz: f64| (hz * 32_768.0 / f64::from(RATE)).round() as usize;
    let level = |hz: f64| {
        (bin(hz) - 2..=bin(hz) + 2)
            .map(|b| spec[b])
            .fold(0.0, f64::max)
    };
    let floor = level(common::midi_hz(62.0)).max(level(common::midi_hz(69.0)));
    for n in [60.0, 64.0, 67.0] {
        let db = common::db(level(common::midi_hz(n)), floor);
        assert!(db > 30.0, "note {n}: {db:.1} dB over the floor");
    }
}

#[test]
fn a_kit_plays_a_beat_in_one_line() {
    let (mut live, _dir) = rig();
    let r = run(
        &mut live,
        "create drums kit decay=0.2; pattern drums: bd*4; play drums",
    );
    assert!(r.ok, "{}", r.line());
    let l = render(&mut live, 3 * BAR);
    let on = common::onsets(&l);
    let quarters: Vec<u64> = (0..8).map(|i| BAR + i * BAR / 4).collect();
    assert_eq!(on, quarters, "bd*4 onsets");
    // The whole beat: kick, clap on the off-half, eighth hats.
    let r = run(&mut live, "pattern drums: bd*4, ~ cp, hh*8");
    assert!(r.ok, "{}", r.line());
    let l = render(&mut live, 2 * BAR);
    let from = 3 * BAR;
    let on: Vec<u64> = common::onsets(&l).into_iter().map(|f| f + from).collect();
    let eighths: Vec<u64> = (0..8).map(|i| 4 * BAR + i * BAR / 8).collect();
    assert!(
        eighths.iter().all(|e| on.contains(e)),
        "onsets {on:?} should hold every eighth of bar 5 {eighths:?}"
    );
    // A name the kit does not have is refused, with a suggestion.
    let r = run(&mut live, "pattern drums: bd sb");
    assert!(!r.ok, "{}", r.line());
    assert!(
        r.line().contains("no sound 'sb'") && r.line().contains("did you mean"),
        "{}",
        r.line()
    );
}

/// Energy above 2 kHz relative to all, in dB, of `x[from..to]`.
fn brightness(x: &[f32], from: u64, to: u64) -> f64 {
    let n = 16_384usize;
    let w = &x[from as usize..(from as usize + n).min(to as usize)];
    let spec = common::spectrum(w);
    let split = (2000.0 * n as f64 / f64::from(RATE)) as usize;
    let hi: f64 = spec[split..].iter().map(|v| v * v).sum();
    let all: f64 = spec.iter().map(|v| v * v).sum();
    10.0 * (hi / all).log10()
}

#[test]
fn a_parameter_follows_a_pattern_from_the_next_bar() {
    let (mut live, dir) = rig();
    let r = run(
        &mut live,
        "create s synth osc=saw cutoff=1000 attack=0.002 sustain=1 release=0.02; pattern s: C3*4; play s",
    );
    assert!(r.ok, "{}", r.line());
    let r = run(&mut live, "pattern s.cutoff: <200 8000>");
    assert!(r.ok, "{}", r.line());
    assert_eq!(r.frame, Some(BAR), "{}", r.line());
    let l = render(&mut live, 3 * BAR);
    // Alternation counts the session's bars from bar 1: bar 2 (frame BAR)
    // takes 8000 Hz and is bright, bar 3 takes 200 Hz and is dark.
    let bright = brightness(&l, BAR + 2000, 2 * BAR);
    let dark = brightness(&l, 2 * BAR + 2000, 3 * BAR);
    assert!(
        bright - dark > 30.0,
        "dark {dark:.1} dB, bright {bright:.1} dB"
    );
    // Saved with the patch as pattern text, loaded back the same.
    assert!(run(&mut live, "save patch bright").ok);
    let text = std::fs::read_to_string(dir.dir.join("patches").join("bright.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("cutoff: <200 8000>"), "{text}");
    // Off again: back to the setting (1000 Hz) from the next bar.
    let r = run(&mut live, "pattern s.cutoff: ~");
    assert!(r.ok && r.line().contains("off"), "{}", r.line());
    let l = render(&mut live, 3 * BAR);
    // Bars 5 and 6 (after the bar line) stay at the setting, between the
    // two patterned values and no longer alternating.
    let steady_a = brightness(&l, BAR + 2000, 2 * BAR);
    let steady_b = brightness(&l, 2 * BAR + 2000, 3 * BAR);
    assert!(
        (steady_a - steady_b).abs() < 1.0,
        "{steady_a:.1} {steady_b:.1}"
    );
    assert!(
        steady_a > dark + 20.0 && steady_a < bright - 20.0,
        "{steady_a:.1}"
    );
    for (line, says) in [
        ("pattern s.polyphony: <2 4>", "rebuilds the instrument"),
        ("pattern s.cutof: <200 800>", "no parameter 'cutof'"),
        ("pattern s.cutoff: <200 x>", "column 24"),
        ("pattern s.cutoff: <200 99999>", "out of range"),
    ] {
        let r = run(&mut live, line);
        assert!(!r.ok && r.line().contains(says), "{line}: {}", r.line());
    }
}

#[test]
fn a_signal_sweeps_a_parameter_smoothly() {
    let (mut live, _dir) = rig();
    let r = run(
        &mut live,
        "create s synth osc=saw cutoff=1000 attack=0.002 sustain=1 release=0.02; melody s: C3 _ _ _; play s; pattern s.cutoff: saw.range(200, 8000)",
    );
    assert!(r.ok, "{}", r.line());
    let l = render(&mut live, 3 * BAR);
    // Within bar 3 the cutoff rises from 200 to 8000 Hz: each quarter is
    // brighter than the one before.
    let quarters: Vec<f64> = (0..4)
        .map(|q| {
            let from = 2 * BAR + q * BAR / 4 + 2000;
            brightness(&l, from, from + 16_384)
        })
        .collect();
    assert!(
        quarters.windows(2).all(|w| w[1] > w[0] + 1.0) && quarters[3] - quarters[0] > 20.0,
        "brightness by quarter: {quarters:?}"
    );
}

/// The fundamental of a harmonically rich tone (a plucked string), from
/// the first autocorrelation peak within 10% of the highest between 100 and
/// 1000 Hz, refined by a
/// parabola through the peak and its neighbours.
fn autocorrelation_pitch(x: &[f32]) -> f64 {
    let rate = f64::from(RATE);
    let ac = |lag: usize| -> f64 {
        x.iter()
            .zip(&x[lag..])
            .map(|(a, b)| f64::from(*a) * f64::from(*b))
            .sum::<f64>()
            / (x.len() - lag) as f64
    };
    let (lo, hi) = ((rate / 1000.0) as usize, (rate / 100.0) as usize);
    let values: Vec<f64> = (lo - 1..=hi + 1).map(ac).collect();
    let top = values.iter().copied().fold(f64::MIN, f64::max);
    // The first peak nearly as high as the highest: the period, not a
    // multiple of it.
    let best = (1..values.len() - 1)
        .find(|&i| {
            values[i] >= 0.9 * top && values[i] >= values[i - 1] && values[i] >= values[i + 1]
        })
        .map_or(lo, |i| i + lo - 1);
    let (y0, y1, y2) = (ac(best - 1), ac(best), ac(best + 1));
    let shift = 0.5 * (y0 - y2) / (y0 - 2.0 * y1 + y2);
    rate / (best as f64 + shift)
}

#[test]
fn a_sampler_plays_its_file_at_the_notes_pitch() {
    let (mut live, _dir) = rig();
    let r = run(
        &mut live,
        "create p sampler file=songs/samples/pluck.wav; pattern p: C4 _ G4 _; play p",
    );
    assert!(r.ok, "{}", r.line());
    let l = render(&mut live, 2 * BAR);
    // The file is a C4 string at 44.1 kHz (261.72 Hz, +0.6 cents):
    // resampled to 48 kHz it keeps its pitch, and G4 is a fifth above.
    let c4 = autocorrelation_pitch(&l[(BAR + 2000) as usize..(BAR + 20_000) as usize]);
    let g4 = autocorrelation_pitch(
        &l[(BAR + BAR / 2 + 2000) as usize..(BAR + BAR / 2 + 20_000) as usize],
    );
    println!("pluck at C4 {c4:.3} Hz, at G4 {g4:.3} Hz");
    assert!(common::cents(c4, 261.72).abs() < 2.0, "{c4}");
    assert!(
        common::cents(g4, 261.72 * 2f64.powf(7.0 / 12.0)).abs() < 2.0,
        "{g4}"
    );
    for (line, says) in [
        ("create q sampler", "needs `file: PATH.wav`"),
        ("create q sampler file=nope.wav", "cannot find"),
        ("create q sampler file=songs/garden.yaml", "not a WAV file"),
    ] {
        let r = run(&mut live, line);
        assert!(!r.ok && r.line().contains(says), "{line}: {}", r.line());
    }
}

#[test]
fn a_kit_plays_a_sample_folder_by_name() {
    let (mut live, dir) = rig();
    // zap/one.wav: a 1 kHz sine, 0.2 s; bd/ is not there, so bd stays the
    // kit's own drum.
    let zap = dir.dir.join("samples").join("zap");
    std::fs::create_dir_all(&zap).unwrap_or_else(|e| panic!("{e}"));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w =
        hound::WavWriter::create(zap.join("one.wav"), spec).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..8820 {
        let v = (std::f64::consts::TAU * 1000.0 * f64::from(i) / 44_100.0).sin();
        w.write_sample((v * 16_000.0) as i16)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    w.finalize().unwrap_or_else(|e| panic!("{e}"));
    let line = format!(
        "create drums kit samples={}; pattern drums: zap ~ bd ~; play drums",
        dir.dir.join("samples").display()
    );
    let r = run(&mut live, &line);
    assert!(r.ok, "{}", r.line());
    let l = render(&mut live, 2 * BAR);
    // The sample, resampled from 44.1 kHz, at its own pitch: 1 kHz.
    let f = pitch(&l, BAR + 1000, BAR + 9000);
    assert!(common::cents(f, 1000.0).abs() < 1.0, "{f}");
    // It lasts its 0.2 s (a one-shot: not cut at the note's end).
    assert!(l[(BAR + 9700) as usize..(BAR + 10_000) as usize]
        .iter()
        .all(|v| *v == 0.0));
    assert!(l[(BAR + 9000) as usize..(BAR + 9500) as usize]
        .iter()
        .any(|v| v.abs() > 0.1));
    // The bass drum at the half bar is the kit's own synthesized kick.
    assert!(l[(BAR + BAR / 2) as usize..(BAR + BAR / 2 + 4800) as usize]
        .iter()
        .any(|v| v.abs() > 0.05));
    let r = run(&mut live, "create more kit samples=/nope/none");
    assert!(
        !r.ok && r.line().contains("cannot find the folder"),
        "{}",
        r.line()
    );
}

#[test]
fn an_effect_parameter_follows_a_pattern_and_ends_with_its_effect() {
    let (mut live, dir) = rig();
    let r = run(
        &mut live,
        "create s synth osc=saw cutoff=20000 filter=none attack=0.002 sustain=1 release=0.02; add filter to s cutoff=1000; pattern s: C3*4; play s",
    );
    assert!(r.ok, "{}", r.line());
    let r = run(&mut live, "pattern s.filter.cutoff: <8000 200>");
    assert!(r.ok, "{}", r.line());
    let l = render(&mut live, 3 * BAR);
    // Bar 2 (frame BAR) is the alternation's second step, 200 Hz; bar 3
    // its first, 8000 Hz.
    let dark = brightness(&l, BAR + 2000, 2 * BAR);
    let bright = brightness(&l, 2 * BAR + 2000, 3 * BAR);
    assert!(
        bright - dark > 30.0,
        "bright {bright:.1} dB, dark {dark:.1} dB"
    );
    assert!(run(&mut live, "save patch fx").ok);
    let text = std::fs::read_to_string(dir.dir.join("patches").join("fx.yaml"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(text.contains("cutoff: <8000 200>"), "{text}");
    // Removing the effect ends its pattern: no events for it afterwards.
    let before = live.engine().stats();
    assert!(run(&mut live, "remove filter from s").ok);
    render(&mut live, 3 * BAR);
    let after = live.engine().stats();
    assert_eq!(after.stale_events, before.stale_events, "{after:?}");
    assert_eq!(after.bad_events, 0, "{after:?}");
    for (line, says) in [
        ("pattern s.reverb.mix: <0 1>", "has no effects"),
        ("pattern s.filter.cutoff: <1 2>", "has no effects"),
    ] {
        let r = run(&mut live, line);
        assert!(!r.ok && r.line().contains(says), "{line}: {}", r.line());
    }
    assert!(run(&mut live, "add reverb to s").ok);
    let r = run(&mut live, "pattern s.reverb.size: <0.2 0.9>");
    assert!(
        !r.ok && r.line().contains("rebuilds the effect"),
        "{}",
        r.line()
    );
}
