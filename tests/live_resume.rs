//! A session that survives `kill -9`: a real `chronus live` is killed in
//! the middle of a groove, `chronus live --resume` rebuilds it from the
//! journal in its patch folder, and its `status`, its MIDI maps and the
//! sound of the next four bars are those of the same session left running.

mod common;

use common::child::{chronus, free_udp_port, status_state, Child};
use common::{wav, Scratch};
use std::path::Path;
use std::time::{Duration, Instant};

/// Frames in a bar at 120 BPM, 48 kHz, 4/4.
const BAR: u64 = 96_000;
const TIMEOUT: Duration = Duration::from_secs(60);

/// A groove without tails across bar lines (the last step rests, the kick
/// dies within its bar) and quiet enough to leave the limiter alone, so the
/// bars after a restart can match the uninterrupted ones sample for sample.
/// Without noise: a noise source's state depends on how long it has run,
/// so after a restart it plays other (equally loud) noise.
/// Free modules follow the timeline (an LFO or an oscillator created at
/// any frame is where one running since frame 0 is), so the patched LFO
/// and the drone chain come back in phase too. (The drone once made this
/// test flaky: replayed at once, the `set bass cutoff` reached the bass
/// before the LFO's cable did and was lost; typed, it came after. Now a
/// cable takes up the value set while it was on its way.)
const GROOVE: [&str; 14] = [
    "create bass synth osc=saw cutoff=900 resonance=0.3 attack=0.002 decay=0.2 sustain=0.5 release=0.02",
    "melody bass: C2 Eb2 G2 ~",
    "create k kick freq=55 decay=0.2 click=0",
    "sequence k: x . x .",
    "add filter to bass cutoff=3000",
    "set bass pan=-0.3 gain=-8",
    "set k gain=-8",
    "map cc 74 bass.cutoff",
    "create wob lfo rate=0.75 shape=triangle",
    "patch wob > bass.cutoff amount=400",
    "create drone osc wave=sine freq=110 level=0.05",
    "create dfilt filter mode=lowpass cutoff=2000",
    "patch drone > dfilt > out",
    "play all",
];

fn live(dir: &Path, extra: &[&str]) -> Child {
    let port = free_udp_port().to_string();
    let mut args = vec![
        "live",
        "--backend",
        "null",
        "--osc-port",
        &port,
        "--patches",
        "patches",
    ];
    args.extend_from_slice(extra);
    Child::spawn(dir, &args)
}

/// The number after `word ` in `line`.
fn number_after(line: &str, word: &str) -> u64 {
    let rest = &line[line
        .find(word)
        .unwrap_or_else(|| panic!("no {word:?} in {line:?}"))
        + word.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits
        .parse()
        .unwrap_or_else(|_| panic!("no number after {word:?} in {line:?}"))
}

#[test]
fn a_killed_session_resumes_as_it_was() {
    assert!(Path::new(chronus()).exists());
    let (a, b) = (Scratch::new("resume-a"), Scratch::new("resume-b"));
    // The same groove twice: one left to run, one killed in its fourth bar.
    let mut left = live(&a.dir, &["--record", "a.wav"]);
    let mut killed = live(&b.dir, &[]);
    for line in GROOVE {
        left.ok(line);
        killed.ok(line);
    }
    // A line that changes nothing is not journaled; a later edit is.
    killed.ok("note bass C3");
    killed.ok("set bass cutoff=1100");
    left.ok("set bass cutoff=1100");
    killed.wait_for_frame(3 * BAR + BAR / 2, TIMEOUT);
    killed.kill();
    let journal = std::fs::read_to_string(b.dir.join("patches/.session.journal")).expect("journal");
    assert!(
        journal.lines().filter(|l| l.starts_with("cmd ")).count() == GROOVE.len() + 1,
        "{journal}"
    );
    assert!(!journal.contains("note bass"), "{journal}");
    assert!(
        journal
            .lines()
            .any(|l| l.starts_with("at ") && l.ends_with(" 3")),
        "{journal}"
    );
    // The crash came as a line was being written: the torn line is left
    // out, and said so.
    let path = b.dir.join("patches/.session.journal");
    std::fs::write(&path, format!("{journal}cmd 400000 4 \"set bass cut"))
        .expect("tear the journal");

    // Resumed: the music from the bar after the last one the journal saw.
    let started = Instant::now();
    let mut resumed = live(&b.dir, &["--resume", "--record", "b.wav"]);
    let torn = resumed.stderr_line("cut short by the crash", TIMEOUT);
    assert!(
        torn.contains("line ") && torn.contains("set bass cut"),
        "{torn}"
    );
    let line = resumed.stderr_line("resumed the session", TIMEOUT);
    let music = number_after(&line, "the music from bar ");
    let session = number_after(&line, "the session from bar ");
    eprintln!(
        "{line} ({:.2} s after the restart)",
        started.elapsed().as_secs_f64()
    );
    assert!(music >= 5 && session > music, "{line}");
    assert_eq!(
        status_state(&resumed.ok("status")),
        status_state(&left.ok("status")),
        "the same session"
    );
    assert_eq!(resumed.ok("list maps"), left.ok("list maps"));
    let patches = resumed.ok("list patches");
    assert_eq!(patches, left.ok("list patches"));
    assert!(
        patches.contains("wob") && patches.contains("dfilt"),
        "{patches}"
    );

    // Four bars from the resumed session's first, against the same bars of
    // the uninterrupted one.
    let end = (session - 1 + 4) * BAR;
    resumed.wait_for_frame(end + BAR / 4, TIMEOUT);
    left.wait_for_frame(end + BAR / 4, TIMEOUT);
    for s in [&mut resumed, &mut left] {
        s.ok("quit");
        assert!(s.wait_within(TIMEOUT).success(), "{}", s.transcript());
        s.stderr_line("recorded ", Duration::from_secs(5));
    }
    let (ra, rb) = (
        wav::read(&a.dir.join("a.wav")),
        wav::read(&b.dir.join("b.wav")),
    );
    let from_a = ((session - 1) * BAR) as usize;
    // The resumed recording starts at its first bar, `music`.
    let from_b = ((session - music) * BAR) as usize;
    let n = (4 * BAR) as usize;
    let (mut worst, mut level) = (0.0f32, 0.0f32);
    for (x, y) in [(&ra.left, &rb.left), (&ra.right, &rb.right)] {
        for i in 0..n {
            worst = worst.max((x[from_a + i] - y[from_b + i]).abs());
            level = level.max(x[from_a + i].abs());
        }
    }
    eprintln!("bars {session}..{}: peak {level:.3}, largest difference from the uninterrupted session {worst:.2e}", session + 3);
    assert!(level > 0.05, "the groove sounds: {level}");
    assert!(worst < 1e-4, "resumed bars differ by {worst}");
    // And before the session's first bar, only the drone (a free module,
    // which plays whether the transport does or not) sounded in the
    // resumed one: no track.
    let lead_in = rb.left[..from_b].iter().fold(0.0f32, |m, v| m.max(v.abs()));
    assert!(lead_in > 0.01 && lead_in < 0.06, "lead-in peak {lead_in}");
}
