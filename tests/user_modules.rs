//! Modules written mid-session, measured in a live session: a generated
//! template sounds at once; a module file's pitch is what it says; a
//! reload swaps the new definition in where it plays, keeping its
//! settings, without a click; a broken file is refused with
//! file:line:column and the old definition plays on. Sends feed a shared
//! return.

mod common;

use common::manual::{error, max_step, ok, render, rig, RATE};
use common::wav::rms;

#[test]
fn a_generated_module_sounds_and_shows_its_settings() {
    let (mut live, dir) = rig("user-template");
    let r = ok(&mut live, "generate_module drone").line();
    let file = dir.dir.join("modules/drone.cm");
    assert!(file.exists() && r.contains("modules/drone.cm"), "{r}");
    let text = std::fs::read_to_string(&file).unwrap();
    let e = error(&mut live, "generate_module drone");
    assert!(
        e.contains("exists") && e.contains("nothing was written"),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text, "untouched");

    ok(&mut live, "create d1 drone cutoff=1200; patch d1 > out");
    let x = render(&mut live, 48_000);
    let level = rms(&x[4_800..]);
    eprintln!("the template drone: RMS {level:.4}");
    assert!(level > 0.02 && x.iter().all(|v| v.is_finite()), "{level}");
    let list = ok(&mut live, "list modules").line();
    assert!(
        list.contains("osc") && list.contains("drone (freq 110 (20..2000"),
        "{list}"
    );
    let help = ok(&mut live, "help drone").line();
    assert!(
        help.contains("your module") && help.contains("cutoff"),
        "{help}"
    );
    let help = ok(&mut live, "help osc").line();
    assert!(help.contains("wave=saw|sine|square|triangle"), "{help}");
    let e = error(&mut live, "set d1 cutof=500");
    assert!(
        e.contains("drone has no setting 'cutof'") && e.contains("cutoff"),
        "{e}"
    );
    let e = error(&mut live, "set d1 cutoff=50000");
    assert!(e.contains("cutoff 50000: expected 20..20000"), "{e}");
    let e = error(&mut live, "create d2 dronee");
    assert!(
        e.contains("dronee") && e.contains("generate_module dronee"),
        "{e}"
    );
    // A module patched onto its setting reaches it.
    ok(
        &mut live,
        "create wob lfo rate=2; patch wob > d1.cutoff amount=800",
    );
    let e = error(&mut live, "patch wob > d1.cutof");
    assert!(e.contains("has no number 'cutof'"), "{e}");
}

const TONE: &str = "# a sine\nparam freq = 220 in 20..2000 \"Hz\"\noutput out = 0.5 * sine(freq)\n";

#[test]
fn a_reload_swaps_the_new_definition_in_keeping_its_settings_without_a_click() {
    let (mut live, dir) = rig("user-reload");
    let file = dir.dir.join("modules/tone.cm");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, TONE).unwrap();
    ok(&mut live, "create t1 tone freq=330; patch t1 > out");
    let x = render(&mut live, 24_000);
    let f = common::zero_crossing_freq(&x[4_800..], f64::from(RATE));
    assert!(common::cents(f, 330.0).abs() < 0.05, "{f}");
    let steady = max_step(&x[4_800..]);

    // Twice the pitch in the new definition; freq=330 kept.
    std::fs::write(&file, TONE.replace("sine(freq)", "sine(freq * 2)")).unwrap();
    let r = ok(&mut live, "reload tone");
    let at = r.frame.expect("a frame");
    let start = live.engine().frame();
    let y = render(&mut live, 24_000);
    let f = common::zero_crossing_freq(&y[4_800..], f64::from(RATE));
    eprintln!(
        "after reload: {f:.3} Hz ({:+.4} cents off 660); {}",
        common::cents(f, 660.0),
        r.line()
    );
    assert!(common::cents(f, 660.0).abs() < 0.05, "{f}");
    // The new sound starts at the reply's frame and is whole one fade
    // (10 ms) later; nothing clicks on the way.
    let across = max_step(&y);
    let off = (at - start) as usize;
    let before_change = &y[..off];
    assert!(
        before_change.is_empty() || max_step(before_change) <= steady * 1.01,
        "nothing changes before frame {at}"
    );
    eprintln!(
        "reload: new sound from frame {at} ({:.2} ms after the command), largest step {across:.4} (steady {steady:.4}, 660 Hz alone {:.4})",
        (at - start) as f64 * 1000.0 / f64::from(RATE),
        0.5 * std::f32::consts::TAU * 660.0 / RATE as f32
    );
    assert!(
        across < 0.5 * std::f32::consts::TAU * 660.0 / RATE as f32 * 1.2,
        "{across}"
    );

    // A broken definition is refused where it is wrong; the old one plays on.
    std::fs::write(
        &file,
        "param freq = 220 in 20..2000\noutput out = 0.5 * sinx(freq)\n",
    )
    .unwrap();
    let e = error(&mut live, "reload tone");
    assert!(
        e.contains("modules/tone.cm:2:20") && e.contains("sinx"),
        "{e}"
    );
    let z = render(&mut live, 24_000);
    let f = common::zero_crossing_freq(&z[2_400..], f64::from(RATE));
    assert!(
        common::cents(f, 660.0).abs() < 0.05,
        "the old one plays on: {f}"
    );
    // One that drops a setting a module uses is refused too.
    std::fs::write(&file, "output out = 0.5 * sine(440)\n").unwrap();
    let e = error(&mut live, "reload tone");
    assert!(e.contains("t1: tone has no setting 'freq'"), "{e}");
}

#[test]
fn a_send_feeds_the_shared_return_and_its_tail_rings_on() {
    let (mut live, _dir) = rig("user-sends");
    ok(
        &mut live,
        "create s synth osc=sine filter=none attack=0.002 sustain=1 release=0.01",
    );
    ok(&mut live, "melody s: C4 ~ ~ ~; play s");
    // Bar 2's note and what follows it, without and with the send.
    let x = render(&mut live, 2 * 96_000);
    let dry_tail = rms(&x[96_000 + 30_000..96_000 + 48_000]);
    ok(&mut live, "send s reverb 0.5");
    let list = ok(&mut live, "list patches").line();
    assert!(list.contains("s > reverb return 0.5"), "{list}");
    let y = render(&mut live, 96_000);
    let wet_tail = rms(&y[30_000..48_000]);
    eprintln!("after the note: dry {dry_tail:.5}, with a 0.5 send to reverb {wet_tail:.5}");
    assert!(dry_tail < 1e-4 && wet_tail > 0.003, "{dry_tail} {wet_tail}");
    // The send set to 0 fades the input, and the tail rings on.
    ok(&mut live, "send s reverb 0");
    let z = render(&mut live, 96_000);
    assert!(max_step(&z) < 0.2, "{}", max_step(&z));
    assert!(live
        .session
        .execute("send nobody reverb 0.2")
        .line()
        .contains("no instrument called 'nobody'"));
}

#[test]
fn a_patch_and_a_song_bring_their_user_modules() {
    let (mut live, dir) = rig("user-songs");
    let modules = dir.dir.join("modules");
    std::fs::create_dir_all(&modules).unwrap();
    std::fs::write(modules.join("tone.cm"), TONE).unwrap();
    ok(
        &mut live,
        "create k kick; create t1 tone freq=440; patch t1 > out",
    );
    ok(&mut live, "save patch toned; remove t1");
    ok(&mut live, "load patch toned");
    let x = render(&mut live, 2 * 96_000);
    let f = common::zero_crossing_freq(&x[96_000 + 4_800..], f64::from(RATE));
    assert!(
        common::cents(f, 440.0).abs() < 0.05,
        "after loading the patch: {f}"
    );

    // A song beside its modules/ folder renders its user module offline.
    let song = dir.dir.join("song.yaml");
    std::fs::write(
        &song,
        "tempo: 120\ninstruments:\n  k: { type: kick }\npatterns:\n  a: { k: \"~\" }\nmodules:\n  t: { type: user, module: tone, freq: 330 }\npatches:\n  - t > out\n",
    )
    .unwrap();
    let (s, _) = chronus::sequencer::Song::load(&song).unwrap();
    let (l, _) = common::render(&s);
    let f = common::zero_crossing_freq(&l[4_800..], f64::from(RATE));
    eprintln!("offline, the song's user module: {f:.4} Hz");
    assert!(common::cents(f, 330.0).abs() < 0.05, "{f}");
    // A broken one is refused before rendering, where it is wrong.
    std::fs::write(modules.join("tone.cm"), "output out = sine(\n").unwrap();
    let out = std::process::Command::new(common::child::chronus())
        .args(["render", song.to_str().unwrap(), "-o"])
        .arg(dir.dir.join("x.wav"))
        .output()
        .unwrap();
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{e}");
    assert!(e.contains("modules/tone.cm:2:1"), "{e}");
    assert!(!dir.dir.join("x.wav").exists());
    let gone = dir.dir.join("other.yaml");
    std::fs::write(
        &gone,
        std::fs::read_to_string(&song)
            .unwrap()
            .replace("module: tone", "module: nothere"),
    )
    .unwrap();
    let e = chronus::sequencer::Song::load(&gone)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("modules.t: modules/nothere.cm does not exist"),
        "{e}"
    );
}
