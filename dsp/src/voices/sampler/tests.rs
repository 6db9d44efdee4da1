//! The sampler, measured on files written here.

use super::super::pool::testing::*;
use super::*;
use crate::Instrument;
use std::path::PathBuf;

/// A mono WAV of `f(i)` for `n` samples at `rate`, written once per name.
fn wav(name: &str, rate: u32, n: usize, f: impl Fn(usize) -> f32) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("chronus-sampler-{}-{name}.wav", std::process::id()));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..n {
        w.write_sample(f(i)).unwrap_or_else(|e| panic!("{e}"));
    }
    w.finalize().unwrap_or_else(|e| panic!("{e}"));
    path
}

fn sine(rate: u32, hz: f64) -> impl Fn(usize) -> f32 {
    move |i| (0.5 * (std::f64::consts::TAU * hz * i as f64 / f64::from(rate)).sin()) as f32
}

fn sampler(file: &std::path::Path, edit: impl FnOnce(&mut SamplerSpec)) -> SamplerVoices {
    let mut spec = SamplerSpec {
        file: file.to_string_lossy().into_owned(),
        ..SamplerSpec::default()
    };
    edit(&mut spec);
    SamplerVoices::new(&spec, RATE)
}

fn cents(f: f64, want: f64) -> f64 {
    1200.0 * (f / want).log2()
}

#[test]
fn at_its_root_it_plays_the_file_unchanged_and_notes_transpose() {
    let file = wav("root", 48_000, 48_000, sine(48_000, 440.0));
    let mut s = sampler(&file, |_| {});
    s.note_on(1, Some(60.0), 1.0);
    let out = render(&mut s, 24_000, 64);
    // After the 1 ms attack the output is the file itself.
    let data = load::load(&file, 48_000).unwrap_or_else(|e| panic!("{e}"));
    let diff = (100..24_000)
        .map(|i| (out[i] - data[i]).abs())
        .fold(0.0, f32::max);
    assert!(diff < 1e-6, "{diff}");
    let mut s = sampler(&file, |_| {});
    s.note_on(1, Some(72.0), 1.0);
    let out = render(&mut s, 20_000, 64);
    let f = zero_cross_freq(&out[1000..20_000], RATE);
    assert!(cents(f, 880.0).abs() < 0.1, "{f}");
}

#[test]
fn a_bend_transposes_the_playback() {
    let file = wav("bend", 48_000, 48_000, sine(48_000, 440.0));
    let mut s = sampler(&file, |_| {});
    s.note_on(1, None, 1.0);
    s.set_bend(-12.0, 64);
    let out = render(&mut s, 24_000, 64);
    let f = zero_cross_freq(&out[2000..20_000], RATE);
    assert!(cents(f, 220.0).abs() < 0.05, "{f}");
}

#[test]
fn a_file_at_another_rate_is_resampled_to_the_same_pitch() {
    let file = wav("rate", 44_100, 44_100, sine(44_100, 440.0));
    let mut s = sampler(&file, |_| {});
    s.note_on(1, None, 1.0);
    let out = render(&mut s, 48_000, 64);
    let f = zero_cross_freq(&out[2000..40_000], RATE);
    println!("44.1 kHz file at 48 kHz: {f:.4} Hz");
    assert!(cents(f, 440.0).abs() < 0.05, "{f}");
    // The one-second file lasts one second at the new rate.
    let sounding = out.iter().rposition(|v| *v != 0.0).unwrap_or(0);
    assert!((47_900..=48_000).contains(&sounding), "{sounding}");
}

#[test]
fn negative_speed_plays_backwards_and_begin_end_cut_the_region() {
    let ramp = wav("ramp", 48_000, 4800, |i| i as f32 / 4800.0);
    let mut s = sampler(&ramp, |s| s.speed = -1.0);
    s.note_on(1, None, 1.0);
    let out = render(&mut s, 6000, 64);
    // Falling from the end (after the attack), to silence after 4800.
    assert!(
        out[200] > out[2000] && out[2000] > out[4000],
        "{} {} {}",
        out[200],
        out[2000],
        out[4000]
    );
    assert!(out[4900..].iter().all(|v| *v == 0.0));
    let mut s = sampler(&ramp, |s| {
        s.begin = 0.25;
        s.end = 0.5;
    });
    s.note_on(1, None, 1.0);
    let out = render(&mut s, 6000, 64);
    let last = out.iter().rposition(|v| *v != 0.0).unwrap_or(0);
    assert!((1190..=1200).contains(&last), "{last}");
    // The end fades: no jump to zero.
    assert!(out[last].abs() < 0.02, "{}", out[last]);
}

#[test]
fn a_loop_holds_until_release_and_a_cut_group_fades_the_last_note() {
    let file = wav("loop", 48_000, 4800, sine(48_000, 500.0));
    let mut s = sampler(&file, |s| {
        s.looping = true;
        s.release = 0.01;
    });
    s.note_on(1, None, 1.0);
    let held = render(&mut s, 24_000, 64);
    assert!(peak(&held[20_000..]) > 0.45, "loop keeps sounding");
    s.note_off(1);
    let after = render(&mut s, 4800, 64);
    assert!(peak(&after[2400..]) == 0.0, "released");
    let mut s = sampler(&file, |s| s.cut = 1.0);
    s.note_on(1, None, 1.0);
    let first = render(&mut s, 1000, 64);
    s.note_on(2, None, 1.0);
    assert_eq!(s.active_voices(), 2);
    let both = render(&mut s, 480, 64);
    assert_eq!(s.active_voices(), 1, "the first note faded out within 5 ms");
    // What the first note adds beside the second alone: its level at once,
    // then a straight fade to nothing over the 5 ms, not a cut.
    let mut alone = sampler(&file, |s| s.cut = 1.0);
    alone.note_on(2, None, 1.0);
    let second = render(&mut alone, 480, 64);
    let fading: Vec<f32> = both.iter().zip(&second).map(|(a, b)| a - b).collect();
    let level = peak(&first[500..]);
    let quarter = |q: usize| peak(&fading[q * 60..(q + 1) * 60]);
    assert!(
        quarter(0) > 0.8 * level,
        "cut at once: {} of {level}",
        quarter(0)
    );
    assert!(
        quarter(2) > 0.3 * level && quarter(2) < 0.6 * level,
        "halfway through the fade: {} of {level}",
        quarter(2)
    );
    assert!(peak(&fading[240..]) < 1e-6, "{}", peak(&fading[240..]));
}

#[test]
fn a_missing_file_is_a_silent_sampler_not_a_panic() {
    let mut s = sampler(&PathBuf::from("/nonexistent/x.wav"), |_| {});
    s.note_on(1, None, 1.0);
    assert_eq!(peak(&render(&mut s, 4800, 64)), 0.0);
}
