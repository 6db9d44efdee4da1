//! Edits while it plays, measured: a live session driven block by block
//! (the same engine, timeline and session as `chronus live`, faster than
//! real time and deterministic). Onsets land exactly where the replies say;
//! edits never click (largest sample-to-sample jump); failed lines change
//! nothing; the audio thread never allocates, live edits included.

mod common;

use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use chronus::live::manual::ManualLive;
use chronus::session::Reply;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

const RATE: u32 = 48_000;
/// A bar at 120 BPM in 4/4.
const BAR: u64 = 96_000;

fn rig(block: usize) -> (ManualLive, common::Scratch) {
    let dir = common::Scratch::new("live-edits");
    (ManualLive::new(RATE, block, dir.dir.join("patches")), dir)
}

fn ok(live: &mut ManualLive, line: &str) -> Reply {
    let r = live.session.execute(line);
    assert!(r.ok, "{line}: {}", r.line());
    r
}

fn render(live: &mut ManualLive, frames: u64) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (Vec::new(), Vec::new());
    live.render(frames, (&mut l, &mut r));
    (l, r)
}

/// A sine synth holding A3 for every bar from the next one.
const HELD_A3: &str = "create s synth osc=sine filter=none attack=0.005 sustain=1 release=0.05; melody s: A3 _ _ _; play s";

/// Run `line`, render `frames` more and append them to `l`.
fn then(live: &mut ManualLive, l: &mut Vec<f32>, line: &str, frames: u64) {
    ok(live, line);
    let (x, _) = render(live, frames);
    l.extend_from_slice(&x);
}

/// Largest sample-to-sample step in `x[from..to]`.
fn max_step(x: &[f32], from: usize, to: usize) -> f32 {
    x[from..to.min(x.len())]
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0, f32::max)
}

#[test]
fn a_new_pattern_starts_exactly_on_the_next_bar_line() {
    let (mut live, _dir) = rig(256);
    ok(&mut live, "create kick freq=60 decay=0.05");
    render(&mut live, 10_000);
    let r = ok(&mut live, "sequence kick: x...x...x...x...; play kick");
    assert_eq!(r.frame, Some(BAR), "{}", r.line());
    assert_eq!(r.bar, Some(2));
    let (l, _) = render(&mut live, 3 * BAR - 10_000);
    let on: Vec<u64> = common::onsets(&l).into_iter().map(|f| f + 10_000).collect();
    let expected: Vec<u64> = (0..8).map(|i| BAR + i * 24_000).collect();
    assert_eq!(on, expected);
}

#[test]
fn a_pattern_replaced_mid_bar_waits_for_the_bar_line_and_does_not_click() {
    let (mut live, _dir) = rig(128);
    ok(&mut live, HELD_A3);
    // Bar 2 plays A3 held for the whole bar; half way through it, replace it.
    let (mut l, _) = render(&mut live, BAR + BAR / 2);
    let r = ok(&mut live, "melody s: E4 _ _ _");
    assert_eq!(r.frame, Some(2 * BAR), "{}", r.line());
    let (l2, _) = render(&mut live, 2 * BAR);
    l.extend_from_slice(&l2);
    // A3 until the bar line, E4 after: measure the pitch on either side.
    let before = common::zero_crossing_freq(
        &l[(2 * BAR - 20_000) as usize..(2 * BAR - 2000) as usize],
        48_000.0,
    );
    let after = common::zero_crossing_freq(
        &l[(2 * BAR + 5000) as usize..(2 * BAR + 40_000) as usize],
        48_000.0,
    );
    assert!(common::cents(before, 220.0).abs() < 1.0, "before {before}");
    assert!(
        common::cents(after, common::midi_hz(64.0)).abs() < 1.0,
        "after {after}"
    );
    // A sine of peak p at f moves at most 2 pi f p / rate per sample; the
    // envelope's own steps add little. Bound the whole run by 1.2x that.
    let peak = l.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let natural = 2.0 * std::f32::consts::PI * common::midi_hz(64.0) as f32 * peak / 48_000.0;
    let step = max_step(&l, 0, l.len());
    eprintln!("pattern swap: largest step {step:.5}, sine bound {natural:.5}");
    assert!(step < 1.2 * natural, "largest step {step} vs {natural}");
}

#[test]
fn a_tempo_change_takes_effect_at_the_bar_and_keeps_every_onset_exact() {
    let (mut live, _dir) = rig(256);
    ok(
        &mut live,
        "create kick freq=60 decay=0.05; sequence kick: x...x...x...x...; play",
    );
    render(&mut live, BAR + 30_000);
    let r = ok(&mut live, "tempo 90");
    assert_eq!(r.frame, Some(2 * BAR));
    let (l, _) = render(&mut live, 2 * BAR);
    let on: Vec<u64> = common::onsets(&l)
        .into_iter()
        .map(|f| f + BAR + 30_000)
        .collect();
    // At 90 BPM a beat is 32000 frames.
    let mut expected = vec![BAR + 48_000, BAR + 72_000];
    expected.extend((0..4).map(|i| 2 * BAR + i * 32_000));
    expected.retain(|&f| f < 3 * BAR + 30_000);
    assert_eq!(&on[..expected.len()], &expected[..]);
}

#[test]
fn a_cutoff_swept_by_100_messages_a_second_does_not_zipper() {
    let (mut live, _dir) = rig(256);
    ok(
        &mut live,
        "create b synth osc=saw cutoff=200 resonance=0.3 attack=0.01 sustain=1 release=0.1; melody b: C2 _ _ _; play b",
    );
    let (mut l, _) = render(&mut live, BAR + 4800);
    // 100 messages a second for one second: 200 Hz up to 4000 Hz.
    for i in 0..100u32 {
        let cutoff = 200.0 * 20f64.powf(f64::from(i + 1) / 100.0);
        ok(&mut live, &format!("set b cutoff={cutoff:.1}"));
        let (x, _) = render(&mut live, 480);
        l.extend_from_slice(&x);
    }
    let swept = max_step(&l, (BAR + 4800) as usize, l.len());
    // The same note with the cutoff at 4000 from the start.
    let (mut still, _d2) = rig(256);
    ok(
        &mut still,
        "create b synth osc=saw cutoff=4000 resonance=0.3 attack=0.01 sustain=1 release=0.1; melody b: C2 _ _ _; play b",
    );
    let (s, _) = render(&mut still, 2 * BAR);
    let steady = max_step(&s, (BAR + 4800) as usize, (BAR + 52_800) as usize);
    eprintln!("cutoff sweep: largest step {swept:.4}, static 4 kHz {steady:.4}");
    assert!(swept <= 1.2 * steady, "swept {swept} vs static {steady}");
}

#[test]
fn an_effect_added_and_removed_mid_note_crossfades() {
    let (mut live, _dir) = rig(64);
    ok(&mut live, HELD_A3);
    let (mut l, _) = render(&mut live, BAR + 20_000);
    then(
        &mut live,
        &mut l,
        "add distortion to s drive=30 mix=1",
        20_000,
    );
    then(&mut live, &mut l, "remove distortion from s", 20_000);
    let clean = max_step(&l, (BAR + 5000) as usize, (BAR + 19_000) as usize);
    let driven = max_step(&l, (BAR + 26_000) as usize, (BAR + 39_000) as usize);
    let edits = max_step(&l, (BAR + 19_000) as usize, (BAR + 60_000) as usize);
    eprintln!(
        "effect add/remove: clean {clean:.4}, distorted {driven:.4}, around the edits {edits:.4}"
    );
    assert!(driven > 1.5 * clean, "the distortion was not heard");
    assert!(edits <= 1.1 * driven.max(clean), "edit step {edits}");
    // Removed: the chain is empty again and the output back to the sine.
    let tail = max_step(&l, (BAR + 52_000) as usize, (BAR + 60_000) as usize);
    assert!(tail <= 1.05 * clean, "after removal {tail} vs {clean}");
}

#[test]
fn a_line_that_fails_in_its_third_part_changes_nothing() {
    let (mut live, _dir) = rig(256);
    ok(&mut live, "create kick");
    render(&mut live, 4096);
    let before = live.session.model().clone();
    let commands = live.engine().stats().commands;
    let r = live
        .session
        .execute("create hat hihat decay=0.05; sequence hat: ..x.; play hta");
    assert!(!r.ok);
    assert!(r.text.starts_with("part 3 (play hta)"), "{}", r.text);
    assert!(r.text.contains("did you mean `hat`"), "{}", r.text);
    render(&mut live, 4096);
    assert_eq!(live.session.model(), &before);
    assert_eq!(
        live.engine().stats().commands,
        commands,
        "an engine command was sent"
    );
    assert_eq!(live.engine().tracks().count(), 1);
}

#[test]
fn every_part_of_a_line_takes_effect_on_the_same_frame() {
    let (mut live, _dir) = rig(256);
    render(&mut live, 5000);
    let r = ok(
        &mut live,
        "create hat hihat decay=0.02; sequence hat: x...; play hat",
    );
    assert_eq!(r.frame, Some(BAR));
    let (l, _) = render(&mut live, BAR);
    let on: Vec<u64> = common::onsets(&l).into_iter().map(|f| f + 5000).collect();
    assert_eq!(on.first(), Some(&BAR));
}

#[test]
fn a_live_session_never_allocates_on_the_audio_thread() {
    let (mut live, _dir) = rig(256);
    // What plays is captured for `listen` (and a tapped instrument's own
    // sound too), on the audio thread, without allocating.
    live.listen();
    let script = [
        "create kick freq=55 decay=0.3; sequence kick: x...x...x...x...; play kick",
        "create bass osc=saw cutoff=400 resonance=0.5; melody bass: C2 C2 G2 Eb2; play bass",
        "add reverb to bass amount=0.3",
        "listen bass",
        "add delay to bass time=0.25 feedback=0.4",
        "set bass cutoff=1200 ramp=0.5",
        "set bass delay.mix=0.5 gain=-3 pan=0.3",
        "create hat hihat decay=0.05; sequence hat: ..x...x...x...x.; play hat",
        "set bass osc=square",
        "set bass reverb.size=0.9",
        "note bass C3 1 0.5",
        "mute hat",
        "solo bass",
        "unsolo",
        "tempo 133",
        "remove delay from bass",
        "pattern hat: x*8",
        // The pattern language's instruments and parameter patterns: a kit,
        // a sampler (its file read and resampled while the audio plays,
        // then read again by a rebuild), a signal and a parameter pattern.
        "create drums kit; pattern drums: bd*4, ~ cp, hh*8?; play drums",
        "create pluck sampler file=songs/samples/pluck.wav scale=C4:major; pattern pluck: 0 2 4 <7 9>; play pluck",
        "pattern bass.cutoff: sine.range(300, 3000).slow(2)",
        "pattern bass.pan: -0.5 0.5",
        "set pluck speed=-1",
        "set pluck file=songs/samples/pluck.wav begin=0.1 loop=true",
        "remove kick",
        "create kick freq=60 decay=0.4; sequence kick: x..x..x.; play kick",
        "set master gain=-6",
        // Free modules: a chain to out through an effect, an LFO on its
        // filter, an envelope on a track's notes, audio-rate FM, a loop
        // through a delay; each edit a new rack swapped in.
        "create vco1 osc wave=saw freq=110 level=0.3; create filt1 filter cutoff=900",
        "patch vco1 > filt1 > reverb > out",
        "create wob lfo rate=3; patch wob > filt1.cutoff amount=400",
        "create fm osc wave=sine freq=55 level=1; patch fm > vco1.freq amount=30",
        "create e1 env track=kick; patch e1 > filt1.q amount=0.5",
        "create arp1 arp track=kick rate=12 mode=random octaves=2",
        // A module of one's own, written, played, reloaded.
        "generate_module hum",
        "create hum1 hum level=0.2; patch hum1 > filt1; send kick reverb 0.3",
        "reload hum",
        "create d1 delay feedback=0.3; patch filt1 > d1 > filt1",
        "set filt1 mode=bandpass; set wob shape=random",
        "unpatch fm; remove d1",
        // A cable to a track's parameter, set, then removed (its value
        // given back at the next control point).
        "patch wob > bass.cutoff amount=300; set bass cutoff=1200",
        "unpatch wob > bass.cutoff; set bass cutoff=900",
        "listen bass bars=1",
        "listen",
        "stop all",
    ];
    let (mut l, mut r) = (Vec::new(), Vec::new());
    reset_violation_count();
    for line in script {
        ok(&mut live, line);
        live.render_with(30_000, (&mut l, &mut r), |render| assert_no_alloc(render));
    }
    live.render_with(200_000, (&mut l, &mut r), |render| assert_no_alloc(render));
    let violations = violation_count();
    let stats = live.engine().stats();
    eprintln!(
        "live session: {:.1} s, {} commands, {} events, {violations} allocations",
        l.len() as f64 / 48_000.0,
        stats.commands,
        stats.events
    );
    // Ten structural edits before, plus two creates and the sampler
    // rebuild, plus one rack for each of the thirteen module lines (a
    // template written is not one).
    assert_eq!(stats.commands, 26, "{stats:?}");
    // Only the note-offs of the removed kick's last notes may come late.
    assert!(stats.stale_events <= 2, "{stats:?}");
    assert_eq!(stats.bad_events, 0, "{stats:?}");
    assert_eq!(violations, 0);
    assert!(l.iter().chain(&r).all(|s| s.is_finite()));
    assert!(l.iter().any(|s| s.abs() > 0.01), "silent");
}

const SONG: &str = "tempo: 120\ninstruments:\n  k: { type: kick, decay: 0.05 }\n  h: { type: hihat, decay: 0.01 }\npatterns:\n  a: { k: \"x . . .\" }\n  b: { k: \"x x . .\", h: \". . x .\" }\narrangement:\n  - a\n  - { pattern: b, repeat: 2 }\n";

#[test]
fn a_song_brings_its_scenes_and_plays_its_arrangement_from_the_next_bar() {
    let (mut live, _dir) = rig(256);
    let song = common::song(SONG);
    let r = live.session.load_song(&song);
    assert!(r.ok, "{}", r.line());
    assert_eq!(r.frame, Some(BAR), "{}", r.line());
    // The first bar's scene loops: a kick on each bar line.
    let (l, _) = render(&mut live, 3 * BAR);
    assert_eq!(common::onsets(&l), vec![BAR, 2 * BAR]);
    let r = ok(&mut live, "scene b");
    assert_eq!(r.frame, Some(4 * BAR));
    let (l, _) = render(&mut live, BAR);
    let on: Vec<u64> = common::onsets(&l)
        .into_iter()
        .map(|f| f + 3 * BAR)
        .collect();
    assert_eq!(on, vec![3 * BAR]);
    let (l, _) = render(&mut live, BAR);
    let on: Vec<u64> = common::onsets(&l)
        .into_iter()
        .map(|f| f + 4 * BAR)
        .collect();
    // Scene b: kicks on beats 1 and 2, the hat on beat 3.
    assert_eq!(on, vec![4 * BAR, 4 * BAR + 24_000, 4 * BAR + 48_000]);
    // Asked on the bar line, `arrange` waits for the bar after (the one
    // starting now is already sent): bar 7. From there the same onsets as the
    // offline render's, shifted by six bars, and then again (it loops).
    let r = ok(&mut live, "arrange");
    assert_eq!(r.frame, Some(6 * BAR), "{}", r.line());
    let (l, _) = render(&mut live, 7 * BAR);
    let live_on: Vec<u64> = common::onsets(&l)
        .into_iter()
        .map(|f| f + 5 * BAR)
        .filter(|&f| f >= 6 * BAR)
        .collect();
    let (offline, _) = common::render_blocks(&song, RATE, None, 256);
    let mut expected: Vec<u64> = common::onsets(&offline[..(3 * BAR) as usize])
        .into_iter()
        .map(|f| f + 6 * BAR)
        .collect();
    let again: Vec<u64> = expected.iter().map(|f| f + 3 * BAR).collect();
    expected.extend(again);
    assert_eq!(live_on, expected);
}

#[test]
fn a_saved_patch_renders_and_loads_back() {
    let (mut live, dir) = rig(256);
    ok(
        &mut live,
        "create kick freq=60 decay=0.05; sequence kick: x.x.; play kick",
    );
    ok(&mut live, "create bass osc=saw cutoff=700; melody bass: C2 G2; play bass; add delay to bass time=0.25 mix=0.2");
    ok(&mut live, "set bass cutoff=900 gain=-4");
    ok(&mut live, "set master gain=-3");
    let r = ok(&mut live, "save patch groove");
    assert!(r.text.contains("groove"), "{}", r.text);
    let path = dir.dir.join("patches").join("groove.yaml");
    let text = std::fs::read_to_string(&path).expect("patch file");
    // Saving again without --force is refused and the file is untouched.
    let again = live.session.execute("save patch groove");
    assert!(
        !again.ok && again.text.contains("--force"),
        "{}",
        again.line()
    );
    assert_eq!(std::fs::read_to_string(&path).expect("patch"), text);
    for bad in ["../x", "a/b", ".hidden", "a\\\\b"] {
        let r = live.session.execute(&format!("save patch \"{bad}\""));
        assert!(!r.ok, "{bad}: {}", r.line());
    }
    // The patch is a song: it loads, and holds what was set.
    let (song, warnings) = chronus::sequencer::Song::load(&path).expect("a song");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(song.tracks.len(), 2);
    let bass = &song.tracks[1].spec;
    assert_eq!(bass.gain_db(), -4.0);
    assert_eq!(song.master_gain, -3.0);
    assert_eq!(bass.effects().len(), 1);
    let (l, _) = common::render_blocks(&song, RATE, Some(1), 256);
    assert!(l.iter().any(|s| s.abs() > 0.05));
    // Loading it into another session gives the same model.
    let (mut other, _d2) = rig(256);
    std::fs::create_dir_all(_d2.dir.join("patches")).expect("dir");
    std::fs::copy(&path, _d2.dir.join("patches").join("groove.yaml")).expect("copy");
    let r = ok(&mut other, "load patch groove");
    assert!(r.bar.is_some(), "{}", r.line());
    let a: Vec<_> = live
        .session
        .model()
        .tracks
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                t.spec.clone(),
                t.pattern.as_ref().map(|p| p.1.clone()),
            )
        })
        .collect();
    let b: Vec<_> = other
        .session
        .model()
        .tracks
        .iter()
        .map(|(n, t)| {
            (
                n.clone(),
                t.spec.clone(),
                t.pattern.as_ref().map(|p| p.1.clone()),
            )
        })
        .collect();
    assert_eq!(a, b);
    assert_eq!(other.session.model().master_db, -3.0);
    // Saving the loaded patch again gives the same song: no extra bar per
    // round trip.
    let again = ok(&mut other, "save patch groove2");
    assert!(again.ok);
    let (song2, _) = chronus::sequencer::Song::load(&_d2.dir.join("patches").join("groove2.yaml"))
        .expect("a song");
    assert_eq!(song2.bars.len(), song.bars.len());
    assert_eq!(song2.patterns.len(), song.patterns.len());
}

#[test]
fn a_reverb_rebuilt_for_a_new_size_crossfades_without_a_click() {
    let (mut live, _dir) = rig(64);
    ok(
        &mut live,
        &format!("{HELD_A3}; add reverb to s mix=0.5 size=0.2"),
    );
    let (mut l, _) = render(&mut live, BAR + 30_000);
    let r = ok(&mut live, "set s reverb.size=0.95 reverb.decay=6");
    assert!(r.ok);
    let (x, _) = render(&mut live, 30_000);
    l.extend_from_slice(&x);
    let before = max_step(&l, (BAR + 10_000) as usize, (BAR + 29_000) as usize);
    let around = max_step(&l, (BAR + 29_000) as usize, (BAR + 40_000) as usize);
    let after = max_step(&l, (BAR + 40_000) as usize, l.len());
    eprintln!(
        "reverb rebuild: largest step before {before:.5}, around {around:.5}, after {after:.5}"
    );
    assert!(around <= 1.1 * before.max(after), "crossfade step {around}");
    let model = live.session.model();
    let fx = &model.tracks["s"].spec.effects()[0];
    assert_eq!(
        fx.params().iter().position(|p| p.0 == "size").map(|_| ()),
        Some(())
    );
}

#[test]
fn a_removed_reverb_rings_out_its_tail_instead_of_being_cut() {
    const GROOVE: &str = "create s synth osc=sine filter=none attack=0.005 sustain=1 release=0.02; melody s: A3 ~ ~ ~; play s; add reverb to s mix=0.5 decay=2";
    let (mut live, _dir) = rig(64);
    ok(&mut live, GROOVE);
    // The note sounds for a beat from bar 2; remove the reverb in its tail.
    let (mut l, _) = render(&mut live, BAR + 24_000 + 4800);
    then(&mut live, &mut l, "remove reverb from s", 48_000);
    let at = (BAR + 24_000 + 4800) as usize;
    let before = max_step(&l, at - 4000, at);
    let around = max_step(&l, at, at + 4000);
    // The same tail left alone: its own steps over those frames (the
    // echoes of the note's end arrive in them).
    let (mut twin, _twin_dir) = rig(64);
    ok(&mut twin, GROOVE);
    let (mut alone, _) = render(&mut twin, BAR + 24_000 + 4800);
    alone.extend_from_slice(&render(&mut twin, 48_000).0);
    let own = max_step(&alone, at, at + 4000);
    let tail_rms = |from: usize, to: usize| {
        (l[from..to]
            .iter()
            .map(|s| f64::from(*s).powi(2))
            .sum::<f64>()
            / (to - from) as f64)
            .sqrt()
    };
    // Still ringing a quarter second after the removal (a 2 s reverb decays
    // 7.5 dB in 0.25 s), decaying, and no step bigger than the tail's own.
    let just = tail_rms(at, at + 2400);
    let later = tail_rms(at + 12_000, at + 14_400);
    eprintln!("reverb removal: tail rms {just:.5} then {later:.5}; steps {before:.5} before, {around:.5} after ({own:.5} left alone)");
    assert!(later > 0.1 * just && later < just, "{just} -> {later}");
    assert!(
        around <= 1.1 * before.max(own),
        "{around} vs {before} before and {own} left alone"
    );
    // Once quiet it is gone from the chain and the track is plain again.
    let (x, _) = render(&mut live, 10 * 48_000);
    assert!(
        x[x.len() - 4800..].iter().all(|s| *s == 0.0),
        "still ringing after 10 s"
    );
}

#[test]
fn a_song_in_another_meter_changes_the_bar_length_at_a_bar_line() {
    let (mut live, _dir) = rig(256);
    ok(
        &mut live,
        "create kick decay=0.05; sequence kick: x; play kick",
    );
    render(&mut live, BAR + 10_000);
    let waltz = common::song(
        "tempo: 120\nmeter: 3\ninstruments:\n  k: { type: kick, decay: 0.05 }\npatterns:\n  a: { k: \"x x x\" }\n",
    );
    let r = live.session.load_song(&waltz);
    assert!(r.ok, "{}", r.line());
    let at = r.frame.expect("a frame");
    assert_eq!(at, 2 * BAR, "{}", r.line());
    let (l, _) = render(&mut live, 3 * BAR);
    let on: Vec<u64> = common::onsets(&l)
        .into_iter()
        .map(|f| f + BAR + 10_000)
        .collect();
    // From bar 3 on, bars of three beats (72000 frames), a kick on each beat.
    let expected: Vec<u64> = (0..9).map(|i| 2 * BAR + i * 24_000).collect();
    assert_eq!(&on[..9], &expected[..]);
    let s = live.session.execute("status");
    assert!(s.text.contains("3/4"), "{}", s.text);
}

#[test]
fn a_tempo_change_under_a_held_note_does_not_click() {
    let (mut live, _dir) = rig(128);
    ok(&mut live, HELD_A3);
    let (mut l, _) = render(&mut live, BAR + 20_000);
    let r = ok(&mut live, "tempo 137");
    assert_eq!(r.frame, Some(2 * BAR));
    let (x, _) = render(&mut live, 2 * BAR);
    l.extend_from_slice(&x);
    let peak = l.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let natural = 2.0 * std::f32::consts::PI * 220.0 * peak / 48_000.0;
    let step = max_step(&l, (BAR + 10_000) as usize, l.len());
    eprintln!("tempo change: largest step {step:.5}, sine bound {natural:.5}");
    assert!(step < 1.2 * natural, "{step} vs {natural}");
    // The held A3 is re-struck on the new grid: at 137 BPM bar 4 starts
    // 84088 frames (4 beats) after bar 3.
    let on = (2 * BAR + 84_088) as usize;
    assert!(
        l[on - 2000..on - 100].iter().any(|s| s.abs() > 0.1),
        "note cut before the bar"
    );
}

#[test]
fn edits_to_a_track_that_waits_for_the_bar_wait_with_it() {
    let (mut live, _dir) = rig(256);
    render(&mut live, 10_000);
    ok(
        &mut live,
        "create a synth osc=sine filter=none; melody a: A3*4; play a",
    );
    ok(
        &mut live,
        "create b synth osc=sine filter=none; melody b: E4*4; play b",
    );
    // Immediate edits while both still wait for bar 2.
    ok(&mut live, "mute a");
    ok(&mut live, "remove b");
    let (l, _) = render(&mut live, 2 * BAR);
    let bar2 = (BAR - 10_000) as usize;
    assert!(l[..bar2].iter().all(|s| *s == 0.0));
    assert!(
        l[bar2..].iter().all(|s| *s == 0.0),
        "a muted track or a removed one sounded"
    );
    let stats = live.engine().stats();
    assert_eq!(live.engine().tracks().count(), 1, "{stats:?}");
    // The muted one is there: unmuted, it plays from the next bar's notes.
    ok(&mut live, "unmute a");
    let (l, _) = render(&mut live, BAR);
    assert!(l.iter().any(|s| s.abs() > 0.05));
    let freq = common::zero_crossing_freq(&l[30_000..46_000], 48_000.0);
    assert!(common::cents(freq, 220.0).abs() < 2.0, "{freq}");
}

#[test]
fn absurd_note_lengths_and_effect_numbers_are_refused() {
    let (mut live, _dir) = rig(256);
    ok(&mut live, "create bass; add reverb to bass");
    for bad in [
        "note bass C2 1 1e15",
        "set bass reverb0.mix=0.5",
        "set bass reverb99999999999999999999.mix=0.5",
        "set bass reverb2.mix=0.5",
    ] {
        let r = live.session.execute(bad);
        assert!(!r.ok, "{bad}: {}", r.line());
    }
    ok(&mut live, "add reverb to bass; set bass reverb2.mix=0.5");
}

#[test]
fn effects_are_reordered_while_playing() {
    let (mut live, _dir) = rig(256);
    ok(
        &mut live,
        "create bass; melody bass: C2*4; play bass; add delay to bass; add reverb to bass",
    );
    render(&mut live, BAR + 10_000);
    let r = ok(&mut live, "move reverb on bass to 1");
    assert!(r.text.contains("(reverb > delay)"), "{}", r.line());
    let kinds: Vec<&str> = live.session.model().tracks["bass"]
        .spec
        .effects()
        .iter()
        .map(|f| f.kind())
        .collect();
    assert_eq!(kinds, ["reverb", "delay"]);
    // The moved effect keeps its identity: its settings still reach it.
    ok(&mut live, "set bass reverb.mix=0.6");
    let (l, _) = render(&mut live, BAR);
    assert!(l.iter().all(|s| s.is_finite()) && l.iter().any(|s| s.abs() > 0.01));
    assert_eq!(live.engine().stats().stale_events, 0);
    for bad in [
        "move reverb on bass to 3",
        "move chorus on bass to 1",
        "move reverb on bass to 0",
    ] {
        let r = live.session.execute(bad);
        assert!(!r.ok, "{bad}: {}", r.line());
    }
}

#[test]
fn rebuilds_in_quick_succession_fade_instead_of_cutting() {
    // Two instrument rebuilds 0.2 s apart under a held note: the first old
    // instrument, still ringing, fades out over 10 ms instead of stopping.
    let (mut live, _dir) = rig(64);
    ok(&mut live, HELD_A3);
    let (mut l, _) = render(&mut live, BAR + 10_000);
    then(&mut live, &mut l, "set s osc=triangle", 9600);
    then(&mut live, &mut l, "set s osc=sine", 20_000);
    let peak = l.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    let natural = 2.0 * std::f32::consts::PI * 220.0 * peak / 48_000.0;
    let step = max_step(&l, (BAR + 5000) as usize, l.len());
    eprintln!("two rebuilds: largest step {step:.5}, sine bound {natural:.5}");
    assert!(step < 1.3 * natural, "{step} vs {natural}");
    // A reverb's size swept by 20 messages, 20 ms apart, under a held note.
    let (mut live, _d2) = rig(64);
    ok(
        &mut live,
        &format!("{HELD_A3}; add reverb to s mix=0.4 size=0.3"),
    );
    let (mut l, _) = render(&mut live, BAR + 20_000);
    let before = max_step(&l, (BAR + 5000) as usize, l.len());
    for i in 0..20 {
        ok(
            &mut live,
            &format!("set s reverb.size={:.2}", 0.3 + 0.03 * f64::from(i)),
        );
        let (x, _) = render(&mut live, 960);
        l.extend_from_slice(&x);
    }
    let (x, _) = render(&mut live, 20_000);
    l.extend_from_slice(&x);
    let after = max_step(&l, l.len() - 10_000, l.len());
    let sweep = max_step(&l, (BAR + 20_000) as usize, l.len());
    eprintln!("reverb size sweep: largest step {sweep:.5} (before {before:.5}, after {after:.5})");
    assert!(sweep <= 1.2 * before.max(after), "{sweep}");
}

#[test]
fn moves_ringing_tails_and_rebuilds_in_a_row_never_allocate() {
    let (mut live, _dir) = rig(64);
    let script = [
        "add delay to s time=0.2 feedback=0.5; add reverb to s mix=0.4 size=0.3",
        "move reverb on s to 1",
        "set s osc=triangle",
        "set s osc=saw",
        "set s reverb.size=0.6",
        "set s reverb.size=0.9",
        "remove reverb from s",
        "add chorus to s; move chorus on s to 1",
        "remove s",
    ];
    let (mut l, mut r) = (Vec::new(), Vec::new());
    ok(&mut live, HELD_A3);
    reset_violation_count();
    live.render_with(BAR + 30_000, (&mut l, &mut r), |render| {
        assert_no_alloc(render)
    });
    for line in script {
        ok(&mut live, line);
        live.render_with(2_400, (&mut l, &mut r), |render| assert_no_alloc(render));
    }
    live.render_with(12 * 48_000, (&mut l, &mut r), |render| {
        assert_no_alloc(render)
    });
    let violations = violation_count();
    eprintln!(
        "moves, tails and rebuilds: {} commands, {violations} allocations",
        live.engine().stats().commands
    );
    assert_eq!(violations, 0);
    assert_eq!(
        live.engine().tracks().count(),
        0,
        "the removed track came back"
    );
    assert!(l.iter().any(|s| s.abs() > 0.01));
}
