//! `live.rs` tells the truth: for every instrument and effect type and every
//! entry of its `PARAMS` table, a parameter it calls live changes the sound
//! of a running module when set to a distinct value, towards what a module
//! built with that value plays, and one it calls a rebuild (or the mixer's
//! `gain` and `pan`) leaves the module's output bit for bit unchanged.
//!
//! Three instances per parameter: `a` (built with the base settings, then
//! `set_param` to the test value), `b` (built with the test value) and `c`
//! (the base settings, untouched). Instruments are checked twice:
//!
//! - A note started after the change and its ramp must play as `b`'s, to
//!   1e-4 of its peak (they are in fact bit-identical), and differ from
//!   `c`'s by more than 1 % of the peak (the test value matters).
//! - On a note sounding through the change, the mean magnitude spectrum
//!   ([`distance`]: blind to phase, which drifts apart once a pitch or a
//!   time changed) of a window after the ramp must be nearer `b`'s than
//!   `c`'s is: `d(a, b) < 0.8 d(c, b)`. A change mid-note can only move the
//!   rest of the note (a level already decayed stays decayed), so "nearer"
//!   is the honest claim; most parameters land exactly (`d(a, b)` = 0).
//!   Parameters documented to apply from the next note must leave the
//!   sounding note bit-identical to `c`'s.
//!
//! Effects run 1.5 s of a varied test signal with the change at 0.25 s; the
//! last 0.34 s must be much nearer `b`'s than `c`'s: `d(a, b) < 0.25 d(c, b)`
//! (memory of the old setting has decayed by then; LFO effects are measured
//! on a tone by [`modulation`], since their spectra depend on the phase of
//! the LFO, which `a` and `b` do not share after a rate change).

use super::testing::{distance, max_abs, modulation, play, relative_l1, Event, RATE};
use super::{effect_param, instrument_param, ParamChange, ParamTable};
use crate::effects::build as build_effect;
use crate::voices::build as build_instrument;
use chronus_sequencer::song::*;

/// The ramp every test asks for (the engine's default, 5 ms).
const RAMP: u32 = 240;

const INSTRUMENTS: [&str; 9] = InstrumentSpec::KINDS;
const EFFECTS: [&str; 7] = EffectSpec::KINDS;

/// Parameters documented to apply from the next note or hit only.
const NEXT_NOTE_ONLY: &[(&str, &str)] = &[
    ("synth", "note"),
    ("fm", "note"),
    ("kick", "freq"),
    ("kick", "pitch"),
    ("kick", "click"),
    ("tom", "freq"),
    ("tom", "pitch"),
    ("snare", "freq"),
    ("snare", "tone"),
    ("sampler", "begin"),
    ("sampler", "end"),
    ("sampler", "root"),
];

/// Parameters that act only between notes (a sampler's cut group): one
/// note sounds the same, as if the parameter were ignored.
const BETWEEN_NOTES: &[(&str, &str)] = &[("sampler", "cut")];

/// Parameters that retime a sounding hit rather than colour it (measured by
/// the module's own tests; here only checked to reach the sounding hit).
const TIMING: &[(&str, &str)] = &[("clap", "spread")];

/// Parameters the mixer applies (never the module's).
const MIXER: &[&str] = &["gain", "pan"];

fn instrument_table(kind: &str) -> ParamTable {
    match kind {
        "synth" => SynthSpec::PARAMS,
        "fm" => FmSpec::PARAMS,
        "kick" => KickSpec::PARAMS,
        "snare" => SnareSpec::PARAMS,
        "hihat" => HihatSpec::PARAMS,
        "clap" => ClapSpec::PARAMS,
        "kit" => KitSpec::PARAMS,
        "sampler" => SamplerSpec::PARAMS,
        _ => TomSpec::PARAMS,
    }
}

fn effect_table(kind: &str) -> ParamTable {
    match kind {
        "reverb" => ReverbSpec::PARAMS,
        "delay" => DelaySpec::PARAMS,
        "chorus" => ChorusSpec::PARAMS,
        "phaser" => PhaserSpec::PARAMS,
        "distortion" => DistortionSpec::PARAMS,
        "compressor" => CompressorSpec::PARAMS,
        _ => FilterSpec::PARAMS,
    }
}

/// YAML for a spec of type `kind` with `settings` (later entries win).
fn yaml(kind: &str, settings: &[(&str, f64)]) -> String {
    let mut yaml = format!("type: {kind}\n");
    for (i, (name, value)) in settings.iter().enumerate() {
        if !settings[i + 1..].iter().any(|(n, _)| n == name) {
            yaml += &format!("{name}: {value}\n");
        }
    }
    yaml
}

/// A one-second, harmonically rich 220 Hz tone as a WAV file, written
/// once: what the sampler plays here (looped, so notes sustain).
fn sample_file() -> String {
    static FILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("chronus-live-{}.wav", std::process::id()));
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: 48_000,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let mut w = hound::WavWriter::create(&path, spec).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..48_000 {
            let t = i as f64 / 48_000.0;
            let v: f64 = (1..8)
                // 220.5 Hz: a begin at a quarter of the file is not a
                // whole number of periods in.
                .map(|k| (std::f64::consts::TAU * 220.5 * k as f64 * t).sin() / k as f64)
                .sum();
            w.write_sample((0.3 * v) as f32)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        w.finalize().unwrap_or_else(|e| panic!("{e}"));
        path.to_string_lossy().into_owned()
    })
    .clone()
}

fn instrument_spec(kind: &str, settings: &[(&str, f64)]) -> InstrumentSpec {
    let mut text = yaml(kind, settings);
    if kind == "sampler" {
        text += &format!("file: {}\nloop: true\n", sample_file());
    }
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn effect_spec(kind: &str, settings: &[(&str, f64)]) -> EffectSpec {
    let text = yaml(kind, settings);
    serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// A value far from `base` in `lo..=hi`: a quarter or three quarters up.
fn far_from(base: f64, lo: f64, hi: f64) -> f32 {
    let mid = 0.5 * (lo + hi);
    let v = if base < mid {
        lo + 0.75 * (hi - lo)
    } else {
        lo + 0.25 * (hi - lo)
    };
    v as f32
}

/// How one instrument parameter is exercised mid-sound.
struct Scenario {
    /// Settings of every instance (the one under test and the references).
    base: Vec<(&'static str, f64)>,
    value: f32,
    set_at: usize,
    release_at: Option<usize>,
    /// Start of the measured window (8192 frames).
    window: usize,
}

const WINDOW: usize = 8192;

fn instrument_scenario(kind: &str, entry: (&'static str, f64, f64, f64)) -> Scenario {
    let (name, default, lo, hi) = entry;
    let mut base: Vec<(&'static str, f64)> = match kind {
        "kick" | "tom" => vec![("decay", 2.0)],
        "snare" | "hihat" | "clap" => vec![("decay", 1.0)],
        // A short loop, so that where it ends shows within the window.
        "sampler" => vec![("end", 0.1), ("sustain", 0.5)],
        _ => vec![],
    };
    let from = base
        .iter()
        .find(|(n, _)| *n == name)
        .map_or(default, |p| p.1);
    let mut s = Scenario {
        value: far_from(from, lo, hi),
        base: Vec::new(),
        set_at: 2432,
        release_at: None,
        window: 3456,
    };
    let gated = matches!(kind, "synth" | "fm" | "sampler");
    match (gated, name) {
        // Envelope settings, each set in the stage it shapes.
        (true, "attack") => {
            base.push(("attack", 1.0));
            s.value = 0.2;
            s.window = 14_400;
        }
        (true, "decay") => {
            base.push(("decay", 2.0));
            s.value = 0.3;
            s.window = 14_400;
        }
        (true, "sustain") => {
            base.push(("decay", 0.05));
            s.set_at = 14_400;
            s.window = 15_360;
        }
        (true, "release") => {
            base.push(("release", 2.0));
            s.value = 0.2;
            s.release_at = Some(9600);
            s.set_at = 12_032;
            s.window = 13_440;
        }
        (false, "spread") => {
            // The bursts come first: change them during the first.
            s.set_at = 192;
            s.window = 1024;
        }
        (false, "pitch_decay") => {
            s.set_at = 64;
            s.window = 960;
        }
        (_, "decay") => s.value = 0.3,
        _ => {}
    }
    s.base = base;
    s
}

fn pitch(kind: &str) -> Option<f32> {
    match kind {
        "synth" => Some(48.0),
        "fm" | "sampler" => Some(60.0),
        _ => None,
    }
}

#[test]
fn every_instrument_parameter_is_classified_truthfully() {
    for kind in INSTRUMENTS {
        let table = instrument_table(kind);
        for (index, &entry) in table.iter().enumerate() {
            let name = entry.0;
            let s = instrument_scenario(kind, entry);
            let with_value = |value: f32| {
                let mut settings = s.base.clone();
                settings.push((name, f64::from(value)));
                instrument_spec(kind, &settings)
            };
            let base = instrument_spec(kind, &s.base);
            let change = instrument_param(&base, name);
            let build = |spec: &InstrumentSpec| build_instrument(spec, RATE);

            // A note started after the change (and its ramp).
            let n = 1280 + 9600;
            // `note` is the pitch of notes that have none.
            let on = Event::On(if name == "note" { None } else { pitch(kind) });
            let set = Event::Set(index, s.value, RAMP);
            let off = (1280 + 4800, Event::Off);
            let a = play(build(&base).as_mut(), n, &[(256, set), (1280, on), off]);
            let b = play(build(&with_value(s.value)).as_mut(), n, &[(1280, on), off]);
            let c = play(build(&base).as_mut(), n, &[(1280, on), off]);

            // A sounding note.
            let total = s.window + WINDOW;
            let mut events = vec![(0, on)];
            if let Some(at) = s.release_at {
                events.push((at, Event::Off));
            }
            let reference = events.clone();
            events.push((s.set_at, set));
            let ma = play(build(&base).as_mut(), total, &events);
            let mb = play(build(&with_value(s.value)).as_mut(), total, &reference);
            let mc = play(build(&base).as_mut(), total, &reference);
            let w = s.window..total;
            let (d_ab, d_cb) = (
                distance(&ma[w.clone()], &mb[w.clone()]),
                distance(&mc[w.clone()], &mb[w.clone()]),
            );
            println!(
                "{kind}.{name} -> {}: next note |a-b| {:.2e} |c-b| {:.2e}; sounding d(a,b) {d_ab:.3} d(c,b) {d_cb:.3}",
                s.value,
                max_abs(&a, &b),
                max_abs(&c, &b)
            );

            let ignored = MIXER.contains(&name)
                || change == ParamChange::Rebuild
                || BETWEEN_NOTES.contains(&(kind, name));
            if ignored {
                assert_eq!(a, c, "{kind}.{name}: set_param must ignore it");
                assert_eq!(ma, mc, "{kind}.{name}: set_param must ignore it");
                continue;
            }
            let scale = max_abs(&b, &vec![0.0; n]).max(1e-3);
            assert!(
                max_abs(&a, &b) <= 1e-4 * scale,
                "{kind}.{name}: a note after set_param plays as a fresh instance's"
            );
            assert!(
                max_abs(&c, &b) > 1e-2 * scale,
                "{kind}.{name}: the test value must make a difference"
            );
            if NEXT_NOTE_ONLY.contains(&(kind, name)) {
                assert_eq!(
                    ma, mc,
                    "{kind}.{name}: documented to leave sounding notes alone"
                );
            } else if TIMING.contains(&(kind, name)) {
                assert!(
                    max_abs(&ma, &mc) > 1e-2 * scale,
                    "{kind}.{name}: reaches the sounding hit"
                );
            } else {
                assert!(
                    d_ab < 0.8 * d_cb,
                    "{kind}.{name}: a sounding note moves towards the new value ({d_ab} vs {d_cb})"
                );
            }
        }
    }
}

#[test]
fn every_effect_parameter_is_classified_truthfully() {
    let n = 72_000;
    let set_at = 12_032;
    let window = n - 4 * WINDOW / 2..n;
    for kind in EFFECTS {
        let table = effect_table(kind);
        // LFO effects are heard on a steady tone, measured by how it is
        // modulated (their spectra depend on the LFO's phase of the moment).
        let lfo = matches!(kind, "chorus" | "phaser");
        let (l, r) = if lfo {
            let x = crate::effects::testutil::sine(1000.0, 0.5, n);
            (x.clone(), x)
        } else {
            crate::effects::testutil::test_signal(n)
        };
        for (index, &(name, default, lo, hi)) in table.iter().enumerate() {
            let value = match (kind, name) {
                // A glide across seconds would outlast the test.
                ("delay", "time") => 0.2,
                _ => far_from(default, lo, hi),
            };
            let base = effect_spec(kind, &[]);
            let fresh = effect_spec(kind, &[(name, f64::from(value))]);
            let change = effect_param(&base, name);
            let run = |spec: &EffectSpec, set: Option<usize>| {
                let mut fx = build_effect(spec, RATE);
                let (mut lo, mut ro) = (l.clone(), r.clone());
                for (i, (lc, rc)) in lo.chunks_mut(64).zip(ro.chunks_mut(64)).enumerate() {
                    if set == Some(i * 64) {
                        fx.set_param(index, value, RAMP);
                    }
                    fx.process(lc, rc);
                }
                lo.extend(ro);
                lo
            };
            let a = run(&base, Some(set_at));
            let b = run(&fresh, None);
            let c = run(&base, None);
            let half = |x: &[f32]| -> Vec<f32> {
                let (left, right) = x.split_at(n);
                left[window.clone()]
                    .iter()
                    .chain(&right[window.clone()])
                    .copied()
                    .collect()
            };
            let (a, b, c) = (half(&a), half(&b), half(&c));
            let (d_ab, d_cb) = if lfo {
                // Each channel has its own LFO: measure the left alone.
                let m = |x: &[f32]| modulation(&x[..x.len() / 2]);
                (relative_l1(&m(&a), &m(&b)), relative_l1(&m(&c), &m(&b)))
            } else {
                (distance(&a, &b), distance(&c, &b))
            };
            println!("{kind}.{name} -> {value}: d(a,b) {d_ab:.3} d(c,b) {d_cb:.3}");
            if change == ParamChange::Rebuild {
                assert_eq!(a, c, "{kind}.{name}: set_param must ignore it");
                continue;
            }
            assert!(
                d_cb > 0.01,
                "{kind}.{name}: the test value must make a difference"
            );
            assert!(
                d_ab < 0.25 * d_cb,
                "{kind}.{name}: the output moves to the new value's ({d_ab} vs {d_cb})"
            );
        }
    }
}
