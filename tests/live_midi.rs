//! MIDI input in a live session, measured on the sound: notes at their
//! exact frame and pitch, velocity, sustain pedal, pitch bend, vibrato,
//! controller maps and `learn`, all-sound-off, malformed bytes, patches
//! that keep their maps, and no allocation on the audio thread throughout.
//! Raw MIDI bytes are handed to the engine at their frame inside a block,
//! exactly as the JACK backend hands it a period's events.

mod common;

use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use chronus::live::manual::ManualLive;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

use common::manual::{ok, play, KEYS};

const BLOCK: usize = common::manual::BLOCK;

fn rig() -> (ManualLive, common::Scratch) {
    common::manual::rig("live-midi")
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

fn peak(x: &[f32]) -> f32 {
    x.iter().fold(0.0f32, |m, v| m.max(v.abs()))
}

fn first_sound(x: &[f32], from: usize) -> usize {
    from + x[from..].iter().position(|v| *v != 0.0).expect("no sound")
}

/// A keys session routed from channel 1, its fade-in done; returns the
/// frame rendering has reached.
fn keys(live: &mut ManualLive, extra: &str) -> u64 {
    ok(live, &format!("{KEYS}; midi keys channel 1 {extra}"));
    play(live, 4_864, &[]);
    live.frame()
}

#[test]
fn notes_sound_at_their_frame_with_their_pitch_and_velocity() {
    let (mut live, _dir) = rig();
    let t0 = keys(&mut live, "");
    // The same synth's own onset delay, from a note the session schedules.
    let r = ok(&mut live, "note keys A4 1 0.25");
    let at = r.frame.expect("a frame") - t0;
    let x = play(&mut live, 24_000, &[]);
    let delay = first_sound(&x, 0) as u64 - at;
    let t1 = live.frame();
    // Notes at odd offsets inside blocks; one on channel 2, which nothing
    // plays.
    let on1 = t1 + 10_037;
    let off1 = on1 + 24_000;
    let on2 = t1 + 48_101;
    let midi: Vec<(u64, &[u8])> = vec![
        (on1, &[0x90, 69, 64]),
        (on1 + 5, &[0x91, 60, 100]),
        (off1, &[0x80, 69, 0]),
        (on2, &[0x90, 81, 32]),
        (on2 + 24_000, &[0x90, 81, 0]),
    ];
    let x = play(&mut live, 96_000, &midi);
    let rel = |f: u64| (f - t1) as usize;
    assert_eq!(
        first_sound(&x, 0) as u64,
        rel(on1) as u64 + delay,
        "frame-exact onset"
    );
    assert_eq!(
        first_sound(&x, rel(off1) + 4_800) as u64,
        rel(on2) as u64 + delay
    );
    let a4 = common::zero_crossing_freq(&x[rel(on1) + 2_400..rel(on1) + 20_000], 48_000.0);
    let a5 = common::zero_crossing_freq(&x[rel(on2) + 2_400..rel(on2) + 20_000], 48_000.0);
    assert!(common::cents(a4, 440.0).abs() < 0.5, "{a4}");
    assert!(common::cents(a5, 880.0).abs() < 0.5, "{a5}");
    // Velocity 32 plays at half the level of velocity 64.
    let ratio =
        rms(&x[rel(on2) + 9_600..rel(on2) + 19_200]) / rms(&x[rel(on1) + 9_600..rel(on1) + 19_200]);
    assert!((ratio - 0.5).abs() < 0.005, "{ratio}");
    // Released: 20 ms of release (to -60 dB), then silence (note-on
    // velocity 0 too).
    assert!(peak(&x[rel(off1) + 1_200..rel(on2)]) < 1e-3);
    assert_eq!(peak(&x[rel(off1) + 9_600..rel(on2)]), 0.0);
    assert_eq!(peak(&x[rel(on2) + 24_000 + 9_600..]), 0.0);
    let status = ok(&mut live, "status").line();
    assert!(status.contains("2 notes played"), "{status}");
    assert!(status.contains("1 on channels nothing plays"), "{status}");
}

#[test]
fn the_sustain_pedal_holds_notes_until_it_lifts() {
    let (mut live, _dir) = rig();
    let t = keys(&mut live, "");
    let midi: Vec<(u64, &[u8])> = vec![
        (t + 100, &[0xB0, 64, 127]),
        (t + 1_000, &[0x90, 69, 100]),
        (t + 5_000, &[0x80, 69, 0]),
        (t + 48_000, &[0xB0, 64, 0]),
    ];
    let x = play(&mut live, 72_000, &midi);
    // Held for the whole second after its key was released.
    let held = rms(&x[20_000..47_000]);
    assert!(held > 0.2, "{held}");
    assert!((rms(&x[20_000..30_000]) / rms(&x[37_000..47_000]) - 1.0).abs() < 0.01);
    // Pedal up: released there.
    assert!(peak(&x[48_000 + 1_200..]) < 1e-3);
    assert_eq!(peak(&x[48_000 + 9_600..]), 0.0);
    assert!(peak(&x[47_800..48_000]) > 0.2);
}

#[test]
fn pitch_bend_reaches_its_range_and_new_notes_start_bent() {
    let (mut live, _dir) = rig();
    let t = keys(&mut live, "bend=12");
    let midi: Vec<(u64, &[u8])> = vec![
        (t, &[0x90, 69, 100]),
        (t + 24_000, &[0xE0, 0x00, 0x00]),
        (t + 48_000, &[0xE0, 0x00, 0x60]),
        (t + 72_000, &[0x80, 69, 0, 0x90, 60, 100]),
    ];
    let x = play(&mut live, 96_000, &midi);
    let at = |a: usize, b: usize| common::zero_crossing_freq(&x[a..b], 48_000.0);
    assert!(common::cents(at(4_800, 23_000), 440.0).abs() < 0.5);
    // Full down: an octave (bend=12).
    assert!(common::cents(at(26_000, 47_000), 220.0).abs() < 0.5);
    // 0x3000 above centre: 12 * 4096/8192 = 6 semitones up.
    let up = common::midi_hz(75.0);
    assert!(common::cents(at(50_000, 71_000), up).abs() < 0.5);
    // A new note under the bent wheel starts bent (C4 + 6 semitones).
    assert!(common::cents(at(76_000, 95_000), common::midi_hz(66.0)).abs() < 0.5);
}

/// Instantaneous pitch in cents against `hz`, per period (rising zero
/// crossings).
fn pitch_track(x: &[f32], hz: f64) -> Vec<f64> {
    let t: Vec<f64> = (1..x.len())
        .filter(|&i| x[i - 1] < 0.0 && x[i] >= 0.0)
        .map(|i| {
            let (a, b) = (f64::from(x[i - 1]), f64::from(x[i]));
            (i - 1) as f64 + a / (a - b)
        })
        .collect();
    t.windows(2)
        .map(|w| common::cents(48_000.0 / (w[1] - w[0]), hz))
        .collect()
}

#[test]
fn the_mod_wheel_and_aftertouch_add_vibrato() {
    let (mut live, _dir) = rig();
    let t = keys(&mut live, "");
    let midi: Vec<(u64, &[u8])> = vec![
        (t, &[0x90, 69, 100]),
        (t + 48_000, &[0xB0, 1, 127]),
        (t + 96_000, &[0xB0, 1, 0]),
        (t + 120_000, &[0xD0, 64]),
    ];
    let x = play(&mut live, 168_000, &midi);
    let still = pitch_track(&x[4_800..47_000], 440.0);
    assert!(
        still.iter().all(|c| c.abs() < 0.5),
        "no vibrato before the wheel"
    );
    let wobble = pitch_track(&x[50_000..96_000], 440.0);
    let (lo, hi) = wobble
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &c| (a.min(c), b.max(c)));
    assert!(
        hi > 45.0 && hi < 52.0 && lo < -45.0 && lo > -52.0,
        "{lo} {hi}"
    );
    // 5.5 Hz: count the upward swings through 0 cents over 0.95 s.
    let ups = wobble
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    assert!((4..=6).contains(&ups), "{ups}");
    let after = pitch_track(&x[98_000..119_000], 440.0);
    assert!(
        after.iter().all(|c| c.abs() < 0.5),
        "the wheel down ends it"
    );
    // Aftertouch half way: about 25 cents.
    let pressed = pitch_track(&x[124_000..167_000], 440.0);
    let top = pressed.iter().fold(0.0f64, |m, c| m.max(c.abs()));
    assert!((top - 25.2).abs() < 3.0, "{top}");
}

/// Share of energy above `hz`.
fn bright(x: &[f32], hz: f64) -> f64 {
    let s = common::spectrum(x);
    let bin = (hz / 48_000.0 * x.len() as f64) as usize;
    let all: f64 = s.iter().map(|v| v * v).sum();
    s[bin..].iter().map(|v| v * v).sum::<f64>() / all
}

#[test]
fn a_mapped_controller_moves_its_parameter_smoothly() {
    let (mut live, _dir) = rig();
    ok(
        &mut live,
        "create bass synth osc=saw cutoff=200 resonance=0 sustain=1; midi bass",
    );
    let r = ok(&mut live, "map cc 74 bass.cutoff 200 8000 curve=exp");
    assert!(
        r.line().contains("cc 74 > bass.cutoff 200 8000 curve=exp"),
        "{}",
        r.line()
    );
    play(&mut live, 4_864, &[]);
    let t = live.frame();
    let midi: Vec<(u64, &[u8])> = vec![
        (t, &[0x92, 45, 100]),
        (t + 24_000, &[0xB2, 74, 127]),
        (t + 48_000, &[0xB2, 74, 0]),
    ];
    let x = play(&mut live, 72_000, &midi);
    let dark = bright(&x[8_192..16_384], 1_000.0);
    let open = bright(&x[32_768..40_960], 1_000.0);
    let closed = bright(&x[57_344..65_536], 1_000.0);
    assert!(open > 20.0 * dark, "{dark} {open}");
    assert!(
        closed < 1.5 * dark && closed > dark / 1.5,
        "{dark} {closed}"
    );
    // Smoothed: the jump from 200 Hz to 8 kHz makes no step larger than the
    // bright sound's own steps.
    let step = |a: usize, b: usize| {
        x[a..b]
            .windows(2)
            .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()))
    };
    assert!(step(23_900, 24_600) <= 1.05 * step(30_000, 40_000));
    let maps = ok(&mut live, "list maps").line();
    assert!(maps.contains("maps (1): cc 74 > bass.cutoff"), "{maps}");
}

#[test]
fn learn_maps_the_next_controller_moved() {
    let (mut live, _dir) = rig();
    let t = keys(&mut live, "");
    let r = ok(&mut live, "learn keys.gain -30 0");
    assert!(r.line().contains("move a controller"), "{}", r.line());
    play(&mut live, 2_048, &[(t + 100, &[0xB4, 21, 5])]);
    let said = live.session.take_messages();
    assert_eq!(
        said,
        vec!["learned: cc 21 > keys.gain -30 0 channel=5"],
        "{said:?}"
    );
    assert!(ok(&mut live, "list maps")
        .line()
        .contains("cc 21 > keys.gain"));
    // The learned controller now moves the level: -30 dB, then 0 dB.
    let t = live.frame();
    let midi: Vec<(u64, &[u8])> = vec![
        (t, &[0xB4, 21, 0]),
        (t + 100, &[0x90, 69, 100]),
        (t + 24_000, &[0xB4, 21, 127]),
    ];
    let x = play(&mut live, 48_000, &midi);
    let db = common::db(rms(&x[30_000..46_000]), rms(&x[6_000..22_000]));
    assert!((db - 30.0).abs() < 0.1, "{db}");
}

#[test]
fn all_sound_off_silences_within_the_fade_and_all_notes_off_releases() {
    let (mut live, _dir) = rig();
    let t = keys(&mut live, "");
    let midi: Vec<(u64, &[u8])> = vec![
        (t, &[0xB0, 64, 127]),
        (t + 10, &[0x90, 60, 100]),
        (t + 20, &[0x90, 64, 100]),
        (t + 24_000, &[0xB0, 120, 0]),
        (t + 48_000, &[0x90, 67, 100]),
        (t + 72_000, &[0xB0, 123, 0]),
    ];
    let x = play(&mut live, 96_000, &midi);
    assert!(peak(&x[20_000..24_000]) > 0.2);
    // 10 ms fade, then silence (the pedal is still down: all-sound-off
    // wins).
    assert_eq!(peak(&x[24_000 + 480 + BLOCK..47_000]), 0.0);
    let jump = x[23_900..25_000]
        .windows(2)
        .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()));
    assert!(jump < 0.1, "no click: {jump}");
    // A new note plays; all-notes-off releases it despite the pedal.
    assert!(peak(&x[50_000..72_000]) > 0.2);
    assert!(peak(&x[72_000 + 1_200..]) < 1e-3);
    assert_eq!(peak(&x[72_000 + 9_600..]), 0.0);
}

#[test]
fn drums_on_channel_10_play_the_kit_by_general_midi_number() {
    let (mut live, _dir) = rig();
    ok(&mut live, "create drums kit; midi drums channel 10");
    play(&mut live, 4_864, &[]);
    let t = live.frame();
    let midi: Vec<(u64, &[u8])> = vec![
        (t + 1_000, &[0x99, 36, 127]),
        (t + 30_000, &[0x99, 42, 127]),
    ];
    let x = play(&mut live, 60_000, &midi);
    assert_eq!(common::onsets(&x).first().copied(), Some(1_000));
    // The hat starts on its frame, over the kick's tail.
    let before = rms(&x[29_744..30_000]);
    assert!(rms(&x[30_000..30_256]) > 4.0 * before, "{before}");
    // The kick is low, the closed hat high.
    assert!(bright(&x[1_000..9_192], 2_000.0) < 0.05);
    assert!(bright(&x[30_000..34_096], 2_000.0) > 0.5);
}

#[test]
fn malformed_bytes_are_counted_and_the_next_message_plays() {
    let (mut live, _dir) = rig();
    let t = keys(&mut live, "");
    let midi: Vec<(u64, &[u8])> = vec![
        (t, &[0x90, 69]),
        (t + 1, &[69, 100]),
        (t + 2, &[0xF0, 0x7E, 0x7F, 0x09, 0x01, 0xF7]),
        (t + 3, &[0xF4, 0xFD]),
        (t + 4, &[0xF8, 0x90, 0xFE, 69, 100]),
    ];
    let x = play(&mut live, 24_000, &midi);
    assert!(peak(&x[2_000..]) > 0.2, "the last note plays");
    let line = ok(&mut live, "midi").line();
    assert!(line.contains("keys (channel 1, bend 2)"), "{line}");
    assert!(line.contains("1 notes played"), "{line}");
    // A cut-off note, two orphan data bytes, two undefined bytes.
    assert!(line.contains("5 malformed, 1 SysEx skipped"), "{line}");
}

#[test]
fn bad_midi_commands_are_refused_and_change_nothing() {
    let (mut live, _dir) = rig();
    ok(&mut live, "create bass synth; add delay to bass");
    for (line, says) in [
        ("midi nobody", "no instrument called 'nobody'"),
        ("midi bass channel 17", "expected a MIDI channel 1..16"),
        (
            "midi bass bend=99",
            "expected a bend range in semitones 0..48",
        ),
        (
            "map cc 200 bass.cutoff",
            "expected a controller number 0..119",
        ),
        ("map cc 123 bass.cutoff", "channel mode message"),
        ("map cc 74 bass", "expected NAME.PARAM"),
        (
            "map cc 74 bass.cutof",
            "has no parameter 'cutof' to map (did you mean",
        ),
        ("map cc 74 bass.polyphony", "rebuilds the instrument"),
        ("map cc 74 bass.cutoff 10 90000", "outside its range"),
        (
            "map cc 74 bass.resonance curve=exp",
            "curve=exp needs MIN and MAX",
        ),
        ("map cc 74 bass.delay.time 0.1", "expected two numbers"),
        ("map knob 74 bass.cutoff", "expected cc N or aftertouch"),
        ("unmap cc 74", "nothing is mapped for cc 74"),
        ("midi bass off", "does not play from MIDI"),
        ("learn bass.nothing", "has no parameter 'nothing'"),
    ] {
        let r = live.session.execute(line);
        assert!(!r.ok, "{line}: {}", r.line());
        assert!(r.line().contains(says), "{line}: {}", r.line());
    }
    assert!(ok(&mut live, "list maps").line().contains("none"));
    assert!(ok(&mut live, "map cc 12 bass.delay.feedback").ok);
}

#[test]
fn routes_and_maps_are_saved_with_the_patch_and_come_back() {
    let (mut live, dir) = rig();
    ok(
        &mut live,
        "create bass synth; add reverb to bass; create drums kit",
    );
    ok(
        &mut live,
        "midi bass channel 2 bend=7; midi drums channel 10",
    );
    ok(
        &mut live,
        "map cc 74 bass.cutoff 200 4000 curve=exp; map aftertouch bass.reverb.mix channel=2",
    );
    let before = ok(&mut live, "list maps").line();
    ok(&mut live, "save patch keys");
    let text = std::fs::read_to_string(dir.dir.join("patches/keys.yaml")).expect("saved");
    assert!(text.contains("midi:"), "{text}");
    ok(&mut live, "remove bass; remove drums");
    assert!(
        ok(&mut live, "list maps").line().contains("none"),
        "maps of a removed track go"
    );
    ok(&mut live, "load patch keys");
    assert_eq!(ok(&mut live, "list maps").line(), before);
    let m = ok(&mut live, "midi").line();
    assert!(
        m.contains("bass (channel 2, bend 7), drums (channel 10, bend 2)"),
        "{m}"
    );
    // And they work: channel 2 plays the bass.
    play(&mut live, 96_000 + 4_864, &[]);
    let t = live.frame();
    let x = play(&mut live, 24_000, &[(t + 10, &[0x91, 45, 100])]);
    assert!(peak(&x) > 0.05);
}

#[test]
fn midi_input_and_route_changes_never_allocate_on_the_audio_thread() {
    let (mut live, _dir) = rig();
    ok(
        &mut live,
        "create bass synth osc=saw; create lead fm; create drums kit",
    );
    ok(
        &mut live,
        "midi bass channel 1; midi lead channel 2; midi drums channel 10",
    );
    ok(
        &mut live,
        "map cc 74 bass.cutoff; map aftertouch lead.index",
    );
    ok(
        &mut live,
        "midi out lead channel 4; midi out drums channel 10; midi clock on",
    );
    let (mut l, mut r) = (Vec::new(), Vec::new());
    live.render_with(9_600, (&mut l, &mut r), |f| f());
    reset_violation_count();
    let mut stream: Vec<(u64, Vec<u8>)> = Vec::new();
    let t = live.frame();
    for k in 0..400u64 {
        let f = t + k * 211;
        let note = 40 + (k % 24) as u8;
        stream.push((f, vec![0x90 | (k % 2) as u8, note, 100]));
        stream.push((f + 50, vec![0xB0, 74, (k * 7 % 128) as u8]));
        stream.push((f + 60, vec![0xE1, 0, (k % 128) as u8]));
        stream.push((f + 70, vec![0xD1, (k % 128) as u8, 0xB0, 1, 90]));
        stream.push((f + 80, vec![0x99, 36 + (k % 10) as u8, 90]));
        stream.push((f + 90, vec![0xB0, 64, if k % 8 < 4 { 127 } else { 0 }]));
        stream.push((
            f + 150,
            vec![0x80 | (k % 2) as u8, note, 0, 0xF0, 1, 2, 3, 0xF7],
        ));
    }
    let events: Vec<(u64, &[u8])> = stream.iter().map(|(f, b)| (*f, b.as_slice())).collect();
    let third = events.len() / 3;
    let span = 400 * 211 / 3 + 1;
    live.render_midi_with(span, &events[..third], (&mut l, &mut r), |f| {
        assert_no_alloc(f)
    });
    // Route and map edits while notes sound.
    ok(
        &mut live,
        "midi bass channel 2 bend=12; unmap cc 74; map cc 74 lead.ratio",
    );
    live.render_midi_with(span, &events[third..2 * third], (&mut l, &mut r), |f| {
        assert_no_alloc(f)
    });
    ok(&mut live, "midi off");
    live.render_midi_with(span + 48_000, &events[2 * third..], (&mut l, &mut r), |f| {
        assert_no_alloc(f)
    });
    let violations = violation_count();
    let s = ok(&mut live, "midi").line();
    eprintln!(
        "midi stream: {} events, {violations} allocations; {s}",
        events.len()
    );
    assert_eq!(violations, 0);
    assert!(s.contains("notes played"), "{s}");
    assert!(l.iter().all(|v| v.is_finite()));
    let (sent, dropped) = live.engine().midi_out_counts();
    assert!(sent > 500 && dropped == 0, "{sent} {dropped}");
}
