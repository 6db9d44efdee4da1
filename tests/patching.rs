//! Free modules in a live session, measured: an oscillator patched to out
//! sounds at its pitch, a filter in the chain filters, a second oscillator
//! on the first one's frequency modulates it at audio rate, loops are
//! refused unless they pass through a delay, and no edit of the graph
//! clicks (largest sample-to-sample jump across every swap).

mod common;

use common::manual::{error, max_step, ok, render, rig, RATE};
use common::wav::rms;

#[test]
fn an_oscillator_to_out_sounds_at_its_pitch_and_a_filter_filters_it() {
    let (mut live, _dir) = rig("patch-osc");
    ok(&mut live, "create vco1 osc wave=sine freq=440 level=0.5");
    ok(&mut live, "patch vco1 > out");
    let x = render(&mut live, 48_000);
    let tone = &x[4_800..];
    let f = common::zero_crossing_freq(tone, f64::from(RATE));
    let level = rms(tone) * 2f64.sqrt();
    eprintln!(
        "vco1: {f:.4} Hz ({:+.5} cents), peak level {level:.4}",
        common::cents(f, 440.0)
    );
    assert!(common::cents(f, 440.0).abs() < 0.01, "{f}");
    assert!((level - 0.5).abs() < 0.005, "{level}");

    // At 5 kHz through a 500 Hz low-pass: down by more than 30 dB.
    ok(&mut live, "set vco1 freq=5000");
    ok(&mut live, "create filt1 filter mode=lowpass cutoff=500 q=0");
    ok(&mut live, "unpatch vco1 > out; patch vco1 > filt1 > out");
    let x = render(&mut live, 24_000);
    let db = 20.0 * (rms(&x[4_800..]) / (0.5 / 2f64.sqrt())).log10();
    eprintln!("5 kHz through a 500 Hz low-pass: {db:.1} dB");
    assert!(db < -30.0, "{db}");
    // And 100 Hz passes within 1 dB.
    ok(&mut live, "set vco1 freq=100");
    let x = render(&mut live, 48_000);
    let db = 20.0 * (rms(&x[9_600..]) / (0.5 / 2f64.sqrt())).log10();
    eprintln!("100 Hz through it: {db:.2} dB");
    assert!(db.abs() < 1.0, "{db}");
    let list = ok(&mut live, "list patches").line();
    assert!(
        list.contains("vco1 > filt1") && list.contains("filt1 > out"),
        "{list}"
    );
}

#[test]
fn an_oscillator_on_another_ones_frequency_modulates_it_at_audio_rate() {
    let (mut live, _dir) = rig("patch-fm");
    ok(
        &mut live,
        "create car osc wave=sine freq=440 level=0.5; patch car > out",
    );
    ok(&mut live, "create modu osc wave=sine freq=50 level=1");
    ok(&mut live, "patch modu > car.freq amount=200");
    let x = render(&mut live, 48_000);
    // The period between rising zero crossings swings between 1/640 and
    // 1/240 s, once per modulator cycle (20 ms).
    let rises: Vec<f64> = x[4_800..]
        .windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] < 0.0 && w[1] >= 0.0)
        .map(|(i, w)| i as f64 + f64::from(-w[0] / (w[1] - w[0])))
        .collect();
    let freqs: Vec<f64> = rises
        .windows(2)
        .map(|p| f64::from(RATE) / (p[1] - p[0]))
        .collect();
    let (lo, hi) = freqs
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, h), f| (l.min(*f), h.max(*f)));
    eprintln!("carrier's instantaneous frequency: {lo:.0}..{hi:.0} Hz");
    assert!(lo < 270.0 && lo > 230.0, "{lo}");
    assert!(hi > 610.0 && hi < 650.0, "{hi}");
}

#[test]
fn loops_are_refused_unless_they_pass_through_a_delay() {
    let (mut live, _dir) = rig("patch-loops");
    ok(
        &mut live,
        "create vco1 osc wave=saw freq=110; create f1 filter; create f2 filter",
    );
    ok(&mut live, "patch vco1 > f1 > f2 > out");
    let before = ok(&mut live, "list patches").line();
    let e = error(&mut live, "patch f2 > f1");
    assert!(
        e.contains("f1 > f2 > f1 is a loop") && e.contains("delay"),
        "{e}"
    );
    let e = error(&mut live, "patch f1 > vco1");
    assert!(e.contains("takes no sound in"), "{e}");
    let e = error(&mut live, "patch vco1 > reverb > f1 > out");
    assert!(e.contains("after an effect"), "{e}");
    let e = error(&mut live, "patch vco1 > f1 > nothere > out");
    assert!(e.contains("no module or effect called 'nothere'"), "{e}");
    let e = error(&mut live, "patch f1 > f2.cutof amount=3");
    assert!(
        e.contains("has no number 'cutof'") && e.contains("cutoff"),
        "{e}"
    );
    assert_eq!(
        ok(&mut live, "list patches").line(),
        before,
        "nothing changed"
    );
    // Through a delay the loop is allowed, and it sounds (and stays finite).
    ok(
        &mut live,
        "create d1 delay feedback=0.5; patch f2 > d1 > f1",
    );
    let x = render(&mut live, 48_000);
    assert!(x.iter().all(|v| v.is_finite()));
    assert!(rms(&x[24_000..]) > 0.01, "{}", rms(&x[24_000..]));
    // A loop whose gain is far above 1 (a resonant low-pass, about 20 dB
    // up at its cutoff, fed back inverted at full) grows loud and rough,
    // never without bound.
    ok(
        &mut live,
        "set f1 mode=lowpass cutoff=110 q=0.97; set d1 feedback=-1",
    );
    let x = render(&mut live, 5 * 48_000);
    let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let late = rms(&x[4 * 48_000..]);
    eprintln!("a runaway loop through a delay: peak {peak:.3}, RMS {late:.3} in its fifth second");
    assert!(late > 0.3, "it does run away: {late}");
    assert!(x.iter().all(|v| v.is_finite()) && peak < 1.5, "{peak}");
}

#[test]
fn graph_edits_crossfade_without_clicks() {
    let (mut live, _dir) = rig("patch-clicks");
    ok(&mut live, "create vco1 osc wave=sine freq=220 level=0.5");
    ok(
        &mut live,
        "create filt1 filter mode=lowpass cutoff=4000 q=0",
    );
    ok(&mut live, "patch vco1 > filt1 > out");
    let mut x = render(&mut live, 24_000);
    let steady = max_step(&x[4_800..]);
    let edits = [
        "set filt1 cutoff=300",
        "set filt1 mode=highpass",
        "set filt1 mode=lowpass cutoff=2000",
        "patch filt1 > reverb > out",
        "set vco1 freq=330",
        "create vco2 osc wave=sine freq=110 level=0.4; patch vco2 > filt1",
        "create wob lfo rate=5; patch wob > filt1.cutoff amount=1500",
        "unpatch vco2",
        "remove wob",
        "patch filt1 > out",
        "unpatch filt1 > out",
        "patch vco1 > out",
    ];
    let mut worst = (0.0f32, "");
    for e in edits {
        ok(&mut live, e);
        let y = render(&mut live, 12_000);
        let s = max_step(&y);
        if s > worst.0 {
            worst = (s, e);
        }
        x.extend_from_slice(&y);
    }
    eprintln!(
        "largest step: steady {steady:.4}, across {} graph edits {:.4} (at '{}')",
        edits.len(),
        worst.0,
        worst.1
    );
    // A sine of 0.5 at 330 Hz steps by 0.022 at most; the sum of two
    // oscillators by 0.028; the reverb's wet sound, fading out under the
    // dry line that replaces it, brings its own brighter content (0.051
    // with our reverb, 0.023 with fundsp's). A cut would step by up to 1.
    assert!(worst.0 < 0.06, "{worst:?}");
    assert!(x.iter().all(|v| v.is_finite()));
}

#[test]
fn a_patch_saves_and_loads_its_modules_wires_and_cables() {
    let (mut live, _dir) = rig("patch-save");
    ok(
        &mut live,
        "create bass synth; create vco1 osc wave=square freq=220",
    );
    ok(
        &mut live,
        "create filt1 filter mode=bandpass cutoff=1200 q=0.6",
    );
    ok(
        &mut live,
        "create s1 step values=0 0.5 1 rate=8; create e1 env track=bass",
    );
    ok(&mut live, "patch vco1 > filt1 > delay > reverb > out");
    ok(
        &mut live,
        "patch s1 > filt1.cutoff amount=800; patch e1 > bass.cutoff amount=300",
    );
    // (What follows the list of saved patches.)
    let modules = |live: &mut chronus::live::manual::ManualLive| {
        let l = ok(live, "list patches").line();
        l[l.find("modules:").unwrap_or(0)..].to_string()
    };
    let before = modules(&mut live);
    let x = render(&mut live, 24_000);
    let level = rms(&x[4_800..]);
    ok(&mut live, "save patch modular");
    ok(&mut live, "remove vco1; remove filt1; remove s1; remove e1");
    assert!(!modules(&mut live).contains("(osc"), "removed");
    ok(&mut live, "load patch modular");
    assert_eq!(modules(&mut live), before);
    assert!(before.contains("filt1 > delay > reverb > out"), "{before}");
    // From the next bar (a load's tracks start there, and the rack with
    // them), it sounds as before.
    let x = render(&mut live, 2 * 96_000);
    let after = rms(&x[x.len() - 48_000..]);
    eprintln!("level before saving {level:.4}, after loading {after:.4}");
    assert!(
        level > 0.01 && (after / level - 1.0).abs() < 0.5,
        "{level} {after}"
    );
}

#[test]
fn an_arpeggiator_plays_a_patterns_chord_one_note_at_a_time() {
    let (mut live, _dir) = rig("patch-arp");
    ok(
        &mut live,
        "create keys synth osc=sine filter=none attack=0.002 decay=0.1 sustain=1 release=0.005",
    );
    ok(
        &mut live,
        "create a1 arp track=keys rate=8 gate=0.9 mode=updown",
    );
    ok(&mut live, "pattern keys: [C4,E4,G4]; play keys");
    // The chord from bar 2 (frame 96000): a step every 6000 frames.
    let x = render(&mut live, 2 * 96_000);
    let want = [60, 64, 67, 64, 60, 64, 67, 64];
    let mut heard = Vec::new();
    for (k, note) in want.iter().enumerate() {
        let at = 96_000 + k * 6_000;
        // (The first step waits for the next control point: up to 64
        // frames.)
        let f = common::zero_crossing_freq(&x[at + 500..at + 5_000], f64::from(RATE));
        let expected = 440.0 * 2f64.powf((f64::from(*note) - 69.0) / 12.0);
        heard.push(f);
        assert!(
            common::cents(f, expected).abs() < 1.0,
            "step {k}: {f} Hz, wanted {expected}"
        );
    }
    eprintln!("arp steps (Hz): {heard:.1?}");
    let e = error(&mut live, "create a2 arp track=nobody");
    assert!(e.contains("no instrument called that"), "{e}");
}

#[test]
fn a_cable_reaches_an_effect_on_a_modules_chain_to_out() {
    let (mut live, _dir) = rig("patch-chain-fx");
    ok(&mut live, "create vco1 osc wave=sine freq=1000 level=0.5");
    ok(&mut live, "patch vco1 > filter > out");
    // A 2 Hz square swings the effect's cutoff between 150 and 3850 Hz.
    ok(&mut live, "create sq lfo rate=2 shape=square");
    ok(&mut live, "patch sq > vco1.filter.cutoff amount=1850");
    let x = render(&mut live, 48_000);
    // Half cycles of 12000 frames: bright (3850), dark (150), ...
    let level = |k: usize| 20.0 * rms(&x[k * 12_000 + 3_000..(k + 1) * 12_000 - 1_000]).log10();
    let (bright, dark) = (level(0), level(1));
    eprintln!(
        "1 kHz through the chain's filter: {bright:.1} dB at cutoff 3850, {dark:.1} dB at 150"
    );
    assert!(bright - dark > 20.0, "{bright} {dark}");
    assert!((level(2) - bright).abs() < 1.0 && (level(3) - dark).abs() < 1.0);
    let e = error(&mut live, "patch sq > vco1.reverb.mix");
    assert!(e.contains("its chain to out has filter"), "{e}");
}
