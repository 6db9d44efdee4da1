//! `chronus live SONG.yaml --watch`: the song file edited while it plays,
//! saved both ways editors save (a new file renamed over it, and the file
//! truncated and written again), each change applied at the next bar and
//! only there; a broken edit reported with line:column while the last good
//! version plays on. Measured on the recording: the kick's onsets, frame
//! for frame, before and after each reload, and the largest step around it.

mod common;

use common::child::{free_udp_port, status_frame, Child};
use common::{wav, Scratch};
use std::path::Path;
use std::time::{Duration, Instant};

const BAR: u64 = 96_000;
const BEAT: u64 = 24_000;
const TIMEOUT: Duration = Duration::from_secs(60);

fn song(kick: &str, cutoff: u32) -> String {
    format!(
        "tempo: 120\ninstruments:\n  k: {{ type: kick, freq: 50 }}\n  bass: {{ type: synth, osc: saw, cutoff: {cutoff}, sustain: 1, release: 0.05, gain: -14 }}\npatterns:\n  a: {{ k: \"{kick}\", bass: \"C2 C2 G2 C2\" }}\narrangement:\n  - a\n"
    )
}

/// Save by writing a new file and renaming it over the song.
fn save_by_rename(path: &Path, text: &str) {
    let temp = path.with_extension("yaml.partial");
    std::fs::write(&temp, text).expect("write the new file");
    std::fs::rename(&temp, path).expect("rename it over the song");
}

/// Save by truncating the song and writing it again.
fn save_in_place(path: &Path, text: &str) {
    std::fs::write(path, text).expect("write the song in place");
}

/// The `n`th stderr line containing `needle` (0-based), waiting for it.
fn nth_line(s: &Child, needle: &str, n: usize) -> String {
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let found: Vec<String> = s
            .stderr_lines()
            .into_iter()
            .filter(|l| l.contains(needle))
            .collect();
        if found.len() > n {
            return found[n].clone();
        }
        assert!(
            Instant::now() < deadline,
            "no {needle:?} #{n}\n{}",
            s.transcript()
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// `(bar, frame)` of a `... from bar B (frame F)` line.
fn bar_frame(line: &str) -> (u64, u64) {
    common::child::from_bar(line).unwrap_or_else(|| panic!("no bar in {line:?}"))
}

#[test]
fn an_edited_song_changes_at_the_next_bar_and_only_where_it_changed() {
    let dir = Scratch::new("watch");
    let path = dir.dir.join("song.yaml");
    save_in_place(&path, &song("x . x .", 600));
    let port = free_udp_port().to_string();
    let mut s = Child::spawn(
        &dir.dir,
        &[
            "live",
            "song.yaml",
            "--watch",
            "--backend",
            "null",
            "--osc-port",
            &port,
            "--record",
            "rec.wav",
        ],
    );
    let (_, start) = bar_frame(&nth_line(&s, "ok loaded", 0));
    s.wait_for_frame(start + BAR / 2, TIMEOUT);

    // A new kick pattern and a brighter bass, saved by rename.
    let now = status_frame(&s.ok("status")).expect("frame");
    let t0 = Instant::now();
    save_by_rename(&path, &song("x . . .", 1200));
    let first = nth_line(&s, "ok reloaded", 0);
    let took = t0.elapsed();
    let (bar1, f1) = bar_frame(&first);
    assert!(
        first.contains("pattern k") && first.contains("set bass cutoff=1200"),
        "{first}"
    );
    assert!(
        !first.contains("pattern bass"),
        "the bass pattern did not change: {first}"
    );
    assert_eq!(f1, (bar1 - 1) * BAR);
    eprintln!(
        "save to reply {:.1} ms; the new sound {:.3} s after the save, at the next bar line ({bar1})",
        took.as_secs_f64() * 1e3,
        (f1 - now) as f64 / 48_000.0
    );
    s.wait_for_frame(f1 + BAR, TIMEOUT);

    // A broken edit, saved in place: reported where it broke; the music
    // plays on as it was.
    save_in_place(
        &path,
        "tempo: 120\ninstruments:\n  k: { type: kick, freq: [\n",
    );
    let broken = nth_line(&s, "error: ", 0);
    assert!(
        broken.contains("song.yaml:4:") && broken.contains("the last good version plays on"),
        "{broken}"
    );
    s.wait_for_frame(f1 + 2 * BAR, TIMEOUT);

    // Fixed, in place, with another kick pattern.
    save_in_place(&path, &song("x x . .", 1200));
    let second = nth_line(&s, "ok reloaded", 1);
    let (bar2, f2) = bar_frame(&second);
    assert!(
        second.contains("pattern k") && !second.contains("cutoff"),
        "{second}"
    );
    s.wait_for_frame(f2 + BAR + BEAT, TIMEOUT);
    s.ok("quit");
    assert!(s.wait_within(TIMEOUT).success(), "{}", s.transcript());
    s.stderr_line("recorded ", Duration::from_secs(5));

    let rec = wav::read(&dir.dir.join("rec.wav"));
    let end = (f2 + BAR) as usize;
    let kicks = wav::jumps(&rec.left[..end], 0.25, 4_000);
    let mut want: Vec<u64> = Vec::new();
    // (The song's very first hit fades in, as every new track does.)
    let mut f = start + BEAT;
    while f < end as u64 {
        let beat = (f - start) / BEAT % 4;
        let on = if f < f1 {
            beat.is_multiple_of(2)
        } else if f < f2 {
            beat == 0
        } else {
            beat < 2
        };
        if on {
            want.push(f);
        }
        f += BEAT;
    }
    assert_eq!(
        kicks, want,
        "kick onsets (reloads at bars {bar1} and {bar2})"
    );
    // No step around a reload larger than the music's own (the kick's
    // first 50 ms, its fast pitch sweep, aside): the bass's cutoff glides.
    let step = |a: u64, b: u64| {
        let x = &rec.left[a as usize..b as usize];
        let mut worst = 0.0f32;
        for i in 1..x.len() {
            let near_kick = kicks
                .iter()
                .any(|&k| (k..k + 2_400).contains(&(a + i as u64)));
            if !near_kick {
                worst = worst.max((x[i] - x[i - 1]).abs());
            }
        }
        worst
    };
    let (before, around, after) = (
        step(f1 - BAR, f1 - 100),
        step(f1 - 100, f1 + 4_800),
        step(f1 + 4_800, f1 + BAR),
    );
    eprintln!(
        "largest step: {before:.4} the bar before, {around:.4} across the reload, {after:.4} after"
    );
    assert!(
        around <= 1.1 * before.max(after),
        "{around} vs {before} / {after}"
    );
}

/// `chronus play SONG --watch` follows the arrangement, and a saved edit
/// comes in at the next bar with the arrangement going on from where it
/// was (not from its start).
#[test]
fn play_watch_keeps_the_arrangement_going() {
    let dir = Scratch::new("play-watch");
    let path = dir.dir.join("song.yaml");
    let text = |b: &str| {
        format!(
            "tempo: 120\ninstruments:\n  k: {{ type: kick, freq: 50 }}\npatterns:\n  a: {{ k: \"x . . .\" }}\n  b: {{ k: \"{b}\" }}\narrangement:\n  - a\n  - b\n"
        )
    };
    save_in_place(&path, &text("x . x ."));
    let mut s = Child::spawn_without_stdin(
        &dir.dir,
        &[
            "play",
            "song.yaml",
            "--watch",
            "--backend",
            "null",
            "--record",
            "rec.wav",
        ],
    );
    let (bar, start) = bar_frame(&nth_line(&s, "ok arrange", 0));
    assert_eq!((bar, start), (2, BAR));
    nth_line(&s, "watching", 0);
    // Bar 2 (scene a) plays; b gets four kicks, saved by rename.
    std::thread::sleep(Duration::from_millis(2_300));
    save_by_rename(&path, &text("x x x x"));
    let reloaded = nth_line(&s, "ok reloaded", 0);
    assert!(reloaded.contains("arrangement"), "{reloaded}");
    let (bar, at) = bar_frame(&reloaded);
    assert_eq!((bar, at), (3, 2 * BAR), "{reloaded}");
    std::thread::sleep(Duration::from_millis(9_000));
    // SAFETY: signalling our own child process.
    unsafe {
        libc::kill(s.id() as i32, libc::SIGINT);
    }
    assert!(s.wait_within(TIMEOUT).success(), "{}", s.transcript());
    let rec = wav::read(&dir.dir.join("rec.wav"));
    assert!(
        rec.frames() as u64 > 5 * BAR + BEAT,
        "{} frames",
        rec.frames()
    );
    let kicks = wav::jumps(&rec.left, 0.25, 4_000);
    // Bar 2: a; bar 3: the new b (the arrangement's second bar, not a
    // again); bar 4: a; bar 5: b; bar 6 (from frame 5 BAR): a.
    let mut want = vec![];
    for (bar, steps) in [(3u64, 4u64), (4, 1), (5, 4)] {
        for i in 0..steps {
            want.push((bar - 1) * BAR + i * BEAT);
        }
    }
    let seen: Vec<u64> = kicks
        .into_iter()
        .filter(|&f| (2 * BAR..5 * BAR).contains(&f))
        .collect();
    assert_eq!(seen, want);
}

const TONE: &str = "param freq = 220 in 20..2000\noutput out = 0.5 * sine(freq)\n";

/// A module file saved while `chronus live` plays is reloaded by itself:
/// the new definition where the module plays, crossfaded, its settings
/// kept; a broken save is reported with file:line:column and the old one
/// plays on. Measured on the recording: the pitch either side of the
/// reload's frame, and the largest step across it.
#[test]
fn a_saved_module_file_reloads_itself_while_it_plays() {
    let dir = Scratch::new("watch-modules");
    let modules = dir.dir.join("modules");
    std::fs::create_dir_all(&modules).unwrap();
    let file = modules.join("tone.cm");
    std::fs::write(&file, TONE).unwrap();
    let port = free_udp_port().to_string();
    let mut s = Child::spawn(
        &dir.dir,
        &[
            "live",
            "--backend",
            "null",
            "--patches",
            "patches",
            "--osc-port",
            &port,
            "--record",
            "rec.wav",
        ],
    );
    s.ok("create t1 tone freq=330; patch t1 > out");
    let now = status_frame(&s.ok("status")).expect("frame");
    s.wait_for_frame(now + BAR / 2, TIMEOUT);

    let t0 = Instant::now();
    save_by_rename(&file, &TONE.replace("sine(freq)", "sine(freq * 2)"));
    let line = nth_line(&s, "tone.cm changed: ok reload tone", 0);
    let took = t0.elapsed();
    let at = common::child::at_frame(&line).unwrap_or_else(|| panic!("{line}"));
    let heard = status_frame(&s.ok("status")).expect("frame");
    eprintln!("save to reload {:.1} ms; {line}", took.as_secs_f64() * 1e3);
    s.wait_for_frame(heard.max(at) + BAR / 2, TIMEOUT);

    save_in_place(
        &file,
        "param freq = 220 in 20..2000\noutput out = 0.5 * sine(freq\n",
    );
    let broken = nth_line(&s, "tone.cm changed: error", 0);
    assert!(broken.contains("modules/tone.cm:3:1"), "{broken}");
    let later = status_frame(&s.ok("status")).expect("frame");
    s.wait_for_frame(later + BAR / 2, TIMEOUT);
    s.ok("quit");
    assert!(s.wait_within(TIMEOUT).success(), "{}", s.transcript());
    s.stderr_line("recorded ", Duration::from_secs(5));

    let rec = wav::read(&dir.dir.join("rec.wav"));
    let at = at as usize;
    let pitch = |a: usize, b: usize| common::zero_crossing_freq(&rec.left[a..b], 48_000.0);
    let (before, after) = (pitch(at - 12_000, at - 100), pitch(at + 1_000, at + 12_000));
    let step = |a: usize, b: usize| {
        rec.left[a..b]
            .windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max)
    };
    let across = step(at - 4_800, at + 4_800);
    let tail = pitch(later as usize, rec.left.len().min(later as usize + 12_000));
    eprintln!(
        "module reload under watch: {before:.3} Hz before frame {at}, {after:.3} Hz after, {tail:.3} Hz after the broken save; largest step across {across:.4} (660 Hz at 0.5 steps by {:.4})",
        0.5 * std::f32::consts::TAU * 660.0 / 48_000.0
    );
    assert!(common::cents(before, 330.0).abs() < 0.1, "{before}");
    assert!(common::cents(after, 660.0).abs() < 0.1, "{after}");
    assert!(
        common::cents(tail, 660.0).abs() < 0.1,
        "the old one plays on: {tail}"
    );
    assert!(
        across < 1.2 * 0.5 * std::f32::consts::TAU * 660.0 / 48_000.0,
        "{across}"
    );
}

/// A session started with no modules/ folder makes none; `generate_module`
/// makes it, and from then on a saved file reloads itself.
#[test]
fn the_modules_folder_is_watched_once_generate_module_makes_it() {
    let dir = Scratch::new("watch-modules-new");
    let port = free_udp_port().to_string();
    let mut s = Child::spawn(
        &dir.dir,
        &[
            "live",
            "--backend",
            "null",
            "--patches",
            "patches",
            "--osc-port",
            &port,
        ],
    );
    s.ok("status");
    assert!(!dir.dir.join("modules").exists(), "nothing made at start");
    s.ok("generate_module hum");
    s.ok("create h1 hum; patch h1 > out");
    let file = dir.dir.join("modules/hum.cm");
    // The folder's watch is added when it appears.
    std::thread::sleep(Duration::from_millis(300));
    let text = std::fs::read_to_string(&file).unwrap();
    save_in_place(&file, &text.replace("output out = ", "output out = 0.5 * "));
    let line = nth_line(&s, "modules/hum.cm changed: ok reload hum", 0);
    assert!(line.contains("in h1"), "{line}");
    s.ok("quit");
    assert!(s.wait_within(TIMEOUT).success(), "{}", s.transcript());
}
