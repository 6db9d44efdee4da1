//! `chronus live` end to end, through the real binary on the null backend
//! (paced in real time, no device): the prototype's workflow through a pipe
//! with its recording measured, the REPL on a real pty, bad input of every
//! class leaving the session as it was, and `chronus send` against a
//! headless session. Each test has its own scratch folder and OSC port, and
//! bounds its run time (a child that hangs is killed).

mod common;

use common::child::{
    chronus, free_udp_port, from_bar, status_frame, status_lines, status_state, Child,
};
use common::pty::PtyChild;
use common::{cents, midi_hz, wav, Scratch};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Frames in a bar at the empty session's 120 BPM, 48 kHz, 4/4.
const BAR: u64 = 96_000;
/// Frames in a beat (one kick of `x...x...x...x...`).
const BEAT: u64 = 24_000;
/// How long any one session may run before the test gives up.
const SESSION_TIMEOUT: Duration = Duration::from_secs(60);

/// The prototype's "Session Workflow", word for word.
const WORKFLOW: [&str; 10] = [
    "create kick freq=60 decay=0.5",
    "create hihat noise=white decay=0.05",
    "sequence kick: x...x...x...x...",
    "sequence hihat: ..x...x...x...x.",
    "play",
    "create bass osc=saw filter=lowpass cutoff=500",
    "melody bass: C2 C2 G2 Eb2",
    "play all",
    "add reverb to bass amount=0.3",
    "save patch \"deep_groove\"",
];

/// Start `chronus live --backend null` in `dir` with its own OSC port and
/// the extra arguments.
fn live(dir: &Path, extra: &[&str]) -> Child {
    let port = free_udp_port().to_string();
    let mut args = vec!["live", "--backend", "null", "--osc-port", &port];
    args.extend_from_slice(extra);
    Child::spawn(dir, &args)
}

/// What one groove session announced and recorded.
struct Groove {
    /// Each line sent and its reply.
    replies: Vec<(String, String)>,
    /// The frame `stop all` announced.
    stop: u64,
    recording: wav::Wav,
}

impl Groove {
    fn reply(&self, line: &str) -> &str {
        &self
            .replies
            .iter()
            .find(|(l, _)| l == line)
            .unwrap_or_else(|| panic!("no reply for {line:?}"))
            .1
    }
}

/// Run `lines` (each must be answered `ok`), let the patterns play until the
/// middle of their second bar, `stop all`, let one more second play, and
/// quit; `during` runs while the session plays (after the lines).
fn groove(dir: &Path, lines: &[&str], during: impl FnOnce(&mut Child)) -> Groove {
    let mut s = live(dir, &["--record", "rec.wav"]);
    let mut replies = Vec::new();
    for line in lines {
        let reply = s.ok(line);
        replies.push((line.to_string(), reply));
    }
    let (_, start) = from_bar(&replies[2].1).expect("sequence kick announces its bar");
    during(&mut s);
    s.wait_for_frame(start + BAR + BAR / 2, SESSION_TIMEOUT);
    let (_, stop) = from_bar(&s.ok("stop all")).expect("stop announces its bar");
    s.wait_for_frame(stop + BAR / 2 + BEAT, SESSION_TIMEOUT);
    let bye = s.ok("quit");
    assert!(bye.starts_with("ok quit"), "{bye}");
    let status = s.wait_within(SESSION_TIMEOUT);
    assert!(status.success(), "exit {status}\n{}", s.transcript());
    s.stderr_line("recorded ", Duration::from_secs(2));
    Groove {
        replies,
        stop,
        recording: wav::read(&dir.join("rec.wav")),
    }
}

/// The prototype's workflow word for word through a pipe: every reply `ok`,
/// exit status 0, and in the recording the kick on the announced frames,
/// the bass at C2 within a cent, and a reverb tail that a session without
/// the reverb does not have. Then the saved patch renders, and is never
/// overwritten without `--force`.
#[test]
fn prototype_workflow_through_a_pipe() {
    let wet_dir = Scratch::new("live-groove");
    let dry_dir = Scratch::new("live-groove-dry");
    let dry_lines: Vec<&str> = WORKFLOW[..8].to_vec();
    let patch = wet_dir.dir.join("patches/deep_groove.yaml");
    let t0 = Instant::now();
    let (wet, dry) = std::thread::scope(|scope| {
        let dry = scope.spawn(|| groove(&dry_dir.dir, &dry_lines, |_| {}));
        let wet = groove(&wet_dir.dir, &WORKFLOW, |s| {
            let saved = std::fs::read(&patch).expect("the patch was saved");
            let again = s.error("save patch deep_groove");
            assert!(again.contains("--force"), "{again}");
            assert_eq!(
                std::fs::read(&patch).expect("patch"),
                saved,
                "a refused save changed the file"
            );
            s.ok("save patch deep_groove --force");
        });
        (wet, dry.join().expect("the dry session"))
    });
    eprintln!("two sessions in {:.1} s", t0.elapsed().as_secs_f64());

    // Every pattern edit of the workflow starts on the same bar line.
    let (bar, start) = from_bar(wet.reply("sequence kick: x...x...x...x...")).expect("bar");
    assert_eq!(start, (bar - 1) * BAR, "bar {bar} starts at frame {start}");
    assert_eq!(from_bar(wet.reply("play")), Some((bar, start)));
    assert_eq!(
        from_bar(wet.reply("sequence hihat: ..x...x...x...x.")),
        Some((bar, start))
    );
    let (bass_bar, bass_start) = from_bar(wet.reply("melody bass: C2 C2 G2 Eb2")).expect("bar");
    assert_eq!(
        from_bar(wet.reply("play all")),
        Some((bass_bar, bass_start))
    );

    let rec = &wet.recording;
    assert_eq!(rec.rate, 48_000);
    assert!(
        rec.frames() as u64 >= wet.stop + BAR / 2,
        "{}",
        rec.frames()
    );
    // Nothing sounds before the first bar the patterns play.
    assert_eq!(
        common::onsets(&rec.left).first().copied(),
        Some(start),
        "first sound"
    );

    // The kick: a jump on its first sample (a cosine peak plus the click),
    // found by `wav::jumps` with tolerance 0 frames. The bass (a low-passed
    // saw) and the reverb never move 0.3 between two samples (measured:
    // at most ~0.08, against ~0.45 for each kick); the hihat's noise burst
    // does, within the 50 ms after its step (12000 frames after each
    // kick), where the detector finds it a few samples in.
    let hits = wav::jumps(&rec.left[..wet.stop as usize], 0.3, 4_800);
    let kicks: Vec<u64> = (start..wet.stop).step_by(BEAT as usize).collect();
    let hats: Vec<u64> = (start + BEAT / 2..wet.stop)
        .step_by(BEAT as usize)
        .collect();
    let found_kicks: Vec<u64> = hits
        .iter()
        .copied()
        .filter(|&f| kicks.iter().any(|&k| f.abs_diff(k) < BEAT / 4))
        .collect();
    eprintln!("kick onsets announced {kicks:?}, measured {found_kicks:?}");
    assert_eq!(found_kicks, kicks, "kick onsets (all jumps: {hits:?})");
    let mut hat_delays = Vec::new();
    for &f in hits.iter().filter(|f| !found_kicks.contains(f)) {
        let hat = hats.iter().find(|&&h| f >= h && f < h + 64);
        let Some(h) = hat else {
            panic!("a jump at frame {f} is neither a kick nor a hihat (hihats at {hats:?})");
        };
        hat_delays.push(f - h);
    }
    // The detector's margin: the kick's first-sample jumps against the
    // largest jump anywhere else but in a hihat's 50 ms.
    let kick_jumps: Vec<f32> = kicks
        .iter()
        .map(|&k| (rec.left[k as usize] - rec.left[k as usize - 1]).abs())
        .collect();
    let mut elsewhere = 0.0f32;
    for (i, w) in rec.left[..wet.stop as usize].windows(2).enumerate() {
        let n = i as u64 + 1;
        if !kicks.contains(&n) && !hats.iter().any(|&h| n >= h && n < h + 2_400) {
            elsewhere = elsewhere.max((w[1] - w[0]).abs());
        }
    }
    eprintln!(
        "kick jumps {kick_jumps:.3?}; largest jump elsewhere {elsewhere:.3}; hihat found {hat_delays:?} frames after its step"
    );
    assert!(
        elsewhere < 0.3,
        "the detector's threshold is not clear of the mix"
    );

    // The bass: its first note is C2, one beat long (the second C2 starts a
    // new voice whose phase differs, so a window over both would not hold
    // one steady tone). Its 2nd and 4th harmonics (130.8 and 261.6 Hz) are
    // clear of the kick's 60 Hz.
    let c2 = midi_hz(36.0);
    let window = &rec.left[bass_start as usize..(bass_start + BEAT) as usize];
    let harmonic = |k: f64| wav::peak_freq(window, 48_000.0, k * c2 - 4.0, k * c2 + 4.0) / k;
    for k in 1..=6 {
        eprint!(" h{k} {:+.3}", cents(harmonic(f64::from(k)), c2));
    }
    eprintln!();
    let (second, fourth) = (harmonic(2.0), harmonic(4.0));
    eprintln!(
        "bass C2: {second:.4} Hz from the 2nd harmonic ({:+.3} cents), {fourth:.4} Hz from the 4th ({:+.3} cents); expected {c2:.4} Hz",
        cents(second, c2),
        cents(fourth, c2)
    );
    assert_bass_at_c2(window);

    // The reverb tail: 0.3 s after `stop all` every dry sound is over (bass
    // release 0.2 s, kick 60 dB down 0.5 s after its last hit, hihat 50 ms);
    // what still sounds for the next half second is the reverb, decaying.
    let tail = |g: &Groove, from: f64, to: f64| {
        let a = (g.stop as f64 + from * 48_000.0) as usize;
        let b = (g.stop as f64 + to * 48_000.0) as usize;
        wav::dbfs(wav::rms(&g.recording.left[a..b]))
    };
    let (early, late) = (tail(&wet, 0.3, 0.55), tail(&wet, 0.55, 0.8));
    let dry_tail = tail(&dry, 0.3, 0.8);
    eprintln!(
        "reverb tail after stop: {early:.1} dBFS (0.3-0.55 s), {late:.1} dBFS (0.55-0.8 s); without reverb {dry_tail:.1} dBFS"
    );
    assert!(late > -60.0, "the tail is gone by 0.55 s: {late:.1} dBFS");
    assert!(
        early > late + 1.0,
        "the tail does not decay: {early:.1} then {late:.1}"
    );
    assert!(
        dry_tail < late - 30.0,
        "without reverb it is not quieter: {dry_tail:.1} dBFS"
    );

    // The saved patch is a song `chronus render` plays.
    let out = Command::new(chronus())
        .args(["render", "patches/deep_groove.yaml", "-o", "x.wav"])
        .current_dir(&wet_dir.dir)
        .output()
        .expect("run chronus render");
    assert!(
        out.status.success(),
        "render failed: {}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let rendered = hound::WavReader::open(wet_dir.dir.join("x.wav")).expect("x.wav");
    assert!(rendered.duration() > 0, "x.wav is empty");
}

/// The REPL on a real terminal: the rustyline prompt, replies to typed
/// lines (help, a near miss with its suggestion), `quit`; then a second
/// session ended by Ctrl-D at the prompt. Both exit 0.
#[test]
fn repl_on_a_real_pty() {
    let dir = Scratch::new("live-pty");
    let port = free_udp_port().to_string();
    let args = ["live", "--backend", "null", "--osc-port", &port];
    let wait = Duration::from_secs(20);
    let t0 = Instant::now();

    let mut term = PtyChild::spawn(chronus(), &args, &dir.dir);
    term.expect("chronus> ", wait);
    term.type_line("create kick");
    term.expect("ok create kick (kick): at frame ", wait);
    term.expect("chronus> ", wait);
    term.type_line("help kick");
    term.expect("Example: create kick", wait);
    term.expect("chronus> ", wait);
    term.type_line("sequnce kick: x...");
    let shown = term.expect("did you mean `sequence`?", wait);
    assert!(
        shown.contains("error: column 1: unknown command 'sequnce'"),
        "the near miss is not answered as an error:\n{shown}"
    );
    term.expect("chronus> ", wait);
    term.type_line("quit");
    term.expect("ok quit", wait);
    let status = term.wait_within(wait);
    assert!(status.success(), "exit {status}\n{}", term.screen());

    let mut term = PtyChild::spawn(chronus(), &args, &dir.dir);
    term.expect("chronus> ", wait);
    term.type_line("create kick");
    term.expect("ok create kick", wait);
    term.expect("chronus> ", wait);
    term.type_bytes(&[0x04]);
    let status = term.wait_within(wait);
    assert!(
        status.success(),
        "exit {status} after Ctrl-D\n{}",
        term.screen()
    );
    eprintln!("two pty sessions in {:.2} s", t0.elapsed().as_secs_f64());
}

/// The prototype's workflow typed on a real terminal: every line answered
/// `ok` with what it did, and the recording's first sound on the frame the
/// `sequence kick` reply announced.
#[test]
fn prototype_workflow_on_a_real_pty() {
    let dir = Scratch::new("live-pty-groove");
    let port = free_udp_port().to_string();
    let args = [
        "live",
        "--backend",
        "null",
        "--osc-port",
        &port,
        "--record",
        "rec.wav",
    ];
    let wait = Duration::from_secs(20);
    let answers = [
        "ok create kick (kick): at frame ",
        "ok create hihat (hihat): at frame ",
        "ok sequence kick (stopped: play it with play): from bar ",
        "ok sequence hihat (stopped: play it with play): from bar ",
        "ok play all: from bar ",
        "ok create bass (synth): at frame ",
        "ok melody bass (stopped: play it with play): from bar ",
        "ok play all: from bar ",
        "ok add reverb to bass amount=0.3: at frame ",
        "ok save patch deep_groove to patches/deep_groove.yaml: at frame ",
    ];
    let mut term = PtyChild::spawn(chronus(), &args, &dir.dir);
    term.expect("chronus> ", wait);
    let mut start = None;
    let mut bass = None;
    for (line, answer) in WORKFLOW.iter().zip(answers) {
        term.type_line(line);
        term.expect(answer, wait);
        let rest = term.expect("\n", wait);
        if line.starts_with("sequence kick") {
            start = from_bar(&format!("from bar {rest}"));
        }
        if line.starts_with("melody bass") {
            bass = from_bar(&format!("from bar {rest}"));
        }
        term.expect("chronus> ", wait);
    }
    let (_, bass_start) = bass.expect("melody bass announced its bar");
    let (bar, start) = start.expect("sequence kick announced its bar");
    assert_eq!(start, (bar - 1) * BAR);
    // Let the first bar of the patterns play (the null backend runs in
    // real time: 48000 frames a second).
    let deadline = Instant::now() + SESSION_TIMEOUT;
    loop {
        term.type_line("status");
        term.expect("ok status: ", wait);
        let rest = term.expect("\n", wait);
        let now = status_frame(&format!("ok status: {rest}")).expect("a frame");
        term.expect("chronus> ", wait);
        if now > bass_start.max(start) + BAR {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the session stopped at frame {now}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Stop, and let the reverb ring for most of a second.
    term.type_line("quantize now; stop all");
    term.expect("ok quantize now", wait);
    let rest = term.expect("\n", wait);
    let stop = from_bar(&format!(
        "from bar {}",
        rest.rsplit("from bar ").next().unwrap_or("")
    ))
    .map(|(_, f)| f)
    .expect("stop announced its frame");
    term.expect("chronus> ", wait);
    std::thread::sleep(Duration::from_millis(1000));
    term.type_line("quit");
    term.expect("ok quit", wait);
    let status = term.wait_within(wait);
    assert!(status.success(), "exit {status}\n{}", term.screen());
    assert!(dir.dir.join("patches/deep_groove.yaml").exists());
    let rec = wav::read(&dir.dir.join("rec.wav"));
    assert_eq!(common::onsets(&rec.left).first().copied(), Some(start));
    let kicks = wav::jumps(&rec.left, 0.3, 4_800);
    assert_eq!(kicks.first().copied(), Some(start), "{kicks:?}");
    assert!(kicks.contains(&(start + BEAT)), "{kicks:?}");
    // The bass at its pitch, from the harmonics of its first C2.
    let window = &rec.left[bass_start as usize..(bass_start + BEAT) as usize];
    assert_bass_at_c2(window);
    // The reverb tail after the stop: present and decaying.
    let tail = |from: f64, to: f64| {
        let a = (stop as f64 + from * 48_000.0) as usize;
        let b = ((stop as f64 + to * 48_000.0) as usize).min(rec.left.len());
        wav::dbfs(wav::rms(&rec.left[a..b]))
    };
    let (early, late) = (tail(0.3, 0.55), tail(0.55, 0.8));
    eprintln!("pty session: reverb tail {early:.1} then {late:.1} dBFS after the stop");
    assert!(
        late > -60.0 && early > late + 1.0,
        "{early:.1} then {late:.1} dBFS"
    );
}

/// A session with a kick playing a pattern; its status.
fn kick_session(dir: &Path) -> (Child, String) {
    let mut s = live(dir, &[]);
    s.ok("create kick freq=60 decay=0.5");
    s.ok("sequence kick: x...x...x...x...");
    s.ok("play");
    let status = s.ok("status");
    (s, status)
}

/// Send each bad line: an `error:` reply containing every fragment; then
/// `status` shows the same state, one more failed line per bad one, and
/// the session ends cleanly.
fn refused(name: &str, bad: &[(&str, &[&str])]) -> Vec<String> {
    let dir = Scratch::new(name);
    let (mut s, before) = kick_session(&dir.dir);
    let (_, failed) = status_lines(&before);
    let mut errors = Vec::new();
    for (line, fragments) in bad {
        let e = s.error(line);
        for f in *fragments {
            assert!(e.contains(f), "{f:?} not in the error for {line:?}: {e}");
        }
        errors.push(e);
    }
    let after = s.ok("status");
    assert_eq!(status_state(&after), status_state(&before), "state changed");
    assert_eq!(status_lines(&after).1, failed + bad.len() as u64, "{after}");
    assert!(
        dir.listing() == ["patches"] || dir.listing().is_empty(),
        "files appeared: {:?}",
        dir.listing()
    );
    s.ok("quit");
    let status = s.wait_within(SESSION_TIMEOUT);
    assert!(status.success(), "exit {status}\n{}", s.transcript());
    errors
}

#[test]
fn unknown_command_is_refused() {
    refused(
        "live-bad-command",
        &[
            ("frobnicate kick", &["unknown command 'frobnicate'"]),
            ("sequnce kick: x.x.", &["did you mean `sequence`?"]),
        ],
    );
}

#[test]
fn unknown_name_is_refused_with_a_suggestion() {
    refused(
        "live-bad-name",
        &[
            (
                "sequence kik: x.x.",
                &["no instrument called 'kik'", "did you mean `kick`?"],
            ),
            ("set kikc decay=0.2", &["did you mean `kick`?"]),
            (
                "create snare snaer",
                &["unknown instrument type", "did you mean `snare`?"],
            ),
            (
                "add reverbb to kick",
                &["unknown effect", "did you mean `reverb`?"],
            ),
            ("set kick decy=0.2", &["did you mean `decay`?"]),
        ],
    );
}

#[test]
fn bad_values_are_refused() {
    let dir = Scratch::new("live-bad-value");
    let (mut s, _) = kick_session(&dir.dir);
    let params = s.ok("list params kick");
    assert!(params.contains("decay=0.5 "), "{params}");
    let e = s.error("set kick decay=abc");
    assert!(
        e.contains("decay=abc") && e.contains("expected a number"),
        "{e}"
    );
    let e = s.error("set kick decay=99");
    assert!(e.contains("out of range") && e.contains("0.01..4"), "{e}");
    let e = s.error("tempo 9000");
    assert!(e.contains("20..400"), "{e}");
    assert_eq!(
        s.ok("list params kick"),
        params,
        "a refused set changed kick"
    );
    s.ok("quit");
    assert!(s.wait_within(SESSION_TIMEOUT).success());
}

#[test]
fn bad_pattern_names_its_column_in_the_whole_line() {
    // "sequence kick: x[.." — the '[' is column 17 of the line.
    let e = refused(
        "live-bad-pattern",
        &[("sequence kick: x[..", &["column 17", "unclosed '['"])],
    );
    assert!(e[0].starts_with("error: column 17: "), "{}", e[0]);
}

/// Every column a pattern error mentions is a column of the whole line.
#[test]
fn bad_pattern_mentions_no_pattern_relative_column() {
    let e = refused(
        "live-bad-pattern-detail",
        &[("sequence kick: x[..", &["column 17"])],
    );
    assert!(e[0].contains("(opened at column 17)"), "{}", e[0]);
}

#[test]
fn transaction_failing_in_its_third_part_changes_nothing() {
    let e = refused(
        "live-bad-transaction",
        &[(
            "create hat hihat; sequence hat: ..x.; play hta",
            &["part 3", "play hta", "nothing was changed"],
        )],
    );
    assert!(e[0].contains("did you mean `hat`?"), "{}", e[0]);
}

#[test]
fn bad_patch_names_and_missing_patches_are_refused() {
    let dir = Scratch::new("live-bad-patch");
    let (mut s, before) = kick_session(&dir.dir);
    for name in ["../x", "a/b", "\"a\\\\b\"", "\"..\""] {
        let e = s.error(&format!("save patch {name}"));
        assert!(e.contains("patch name"), "{name}: {e}");
    }
    let e = s.error("load patch nothere");
    assert!(e.contains("no patch called 'nothere'"), "{e}");
    // A damaged patch (cut short mid-line, and one that is not YAML at all)
    // is refused with where it broke, and left as it was.
    let patches = dir.dir.join("patches");
    std::fs::create_dir_all(&patches).expect("patches");
    let damaged = [
        (
            "cut",
            "tempo: 120\ninstruments:\n  kick: { type: kick, freq: 6",
        ),
        ("noise", "\u{0}\u{1}garbage: [\n"),
    ];
    for (name, text) in damaged {
        let path = patches.join(format!("{name}.yaml"));
        std::fs::write(&path, text).expect("write the damaged patch");
        let e = s.error(&format!("load patch {name}"));
        let at = e
            .find(&format!("{name}.yaml:"))
            .map(|i| &e[i + name.len() + 6..]);
        assert!(
            at.is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit())),
            "{e}"
        );
        assert_eq!(std::fs::read_to_string(&path).expect("still there"), text);
        std::fs::remove_file(&path).expect("remove");
    }
    let after = s.ok("status");
    assert_eq!(status_state(&after), status_state(&before));
    s.ok("quit");
    assert!(s.wait_within(SESSION_TIMEOUT).success());
    // Nothing was written anywhere: not x next to patches/, not patches/a/.
    assert!(
        dir.listing().iter().all(|n| n == "patches"),
        "{:?}",
        dir.listing()
    );
    let patches = dir.dir.join("patches");
    if patches.exists() {
        let names: Vec<_> = std::fs::read_dir(&patches)
            .expect("patches")
            .map(|e| e.expect("entry").file_name())
            .collect();
        // Only the REPL's history and the session's journal.
        let known = [".history", ".session.journal", ".session.yaml"];
        assert!(
            names.iter().all(|n| known.iter().any(|k| n == k)),
            "{names:?}"
        );
    }
}

/// Run `chronus send ARGS`: (exit code, stdout, stderr, how long it took).
fn send(args: &[&str]) -> (Option<i32>, String, String, Duration) {
    let t0 = Instant::now();
    let mut child = Command::new(chronus())
        .arg("send")
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run chronus send");
    let deadline = t0 + Duration::from_secs(10);
    while child.try_wait().expect("wait").is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("chronus send {args:?} did not finish");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let took = t0.elapsed();
    let out = child.wait_with_output().expect("send output");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        took,
    )
}

/// `chronus send` against a headless session: 0 for ok, 2 for an error
/// reply, 1 (within ~1.5 s, with a message) when nothing answers; `quit`
/// ends the session.
#[test]
fn send_to_a_headless_session() {
    let dir = Scratch::new("live-send");
    let port = free_udp_port();
    let p = port.to_string();
    let mut s = Child::spawn_without_stdin(
        &dir.dir,
        &["live", "--headless", "--backend", "null", "--osc-port", &p],
    );
    s.stderr_line(&format!("OSC on 127.0.0.1:{port}"), Duration::from_secs(20));

    let (code, out, err, took) = send(&["--port", &p, "create kick"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("ok create kick"), "{out}");
    let (code, out, err, took_status) = send(&["--port", &p, "status"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("ok status: "), "{out}");
    assert!(out.contains("1 instrument: kick"), "{out}");
    eprintln!(
        "send round trips: {:.1} ms, {:.1} ms",
        took.as_secs_f64() * 1e3,
        took_status.as_secs_f64() * 1e3
    );

    let (code, out, err, _) = send(&["--port", &p, "bogus"]);
    assert_eq!(code, Some(2), "{out}{err}");
    assert!(out.starts_with("error: "), "{out}");
    let (code, out, _, _) = send(&["--port", &p, "--json", "bogus"]);
    assert_eq!(code, Some(2), "{out}");
    assert!(out.starts_with("{\"ok\":false,"), "{out}");

    let (code, out, err, took) = send(&["--port", "1", "status"]);
    eprintln!("send to port 1: exit {code:?} in {took:?}: {}", err.trim());
    assert_eq!(code, Some(1), "{out}{err}");
    assert!(took < Duration::from_millis(1500), "took {took:?}");
    assert!(
        err.contains("127.0.0.1:1") && (err.contains("no Chronus") || err.contains("nothing")),
        "{err}"
    );

    let (code, out, err, _) = send(&["--port", &p, "quit"]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.starts_with("ok quit"), "{out}");
    let status = s.wait_within(Duration::from_secs(10));
    assert!(status.success(), "exit {status}\n{}", s.transcript());
}

/// `--json`: one JSON object per reply, with the bar and frame.
#[test]
fn json_replies_carry_bar_and_frame() {
    let dir = Scratch::new("live-json");
    let mut s = live(&dir.dir, &["--json"]);
    let create = s.ask("create kick");
    assert!(
        create.starts_with('{') && create.contains("\"ok\":true"),
        "{create}"
    );
    assert!(create.contains("\"frame\":"), "{create}");
    let seq = s.ask("sequence kick: x...");
    let (bar, frame) = from_bar(&seq).expect("from bar");
    assert!(
        seq.contains(&format!("\"bar\":{bar},")) && seq.contains(&format!("\"frame\":{frame},")),
        "{seq}"
    );
    let bad = s.ask("sequence kik: x...");
    assert!(bad.starts_with("{\"ok\":false,"), "{bad}");
    let bye = s.ask("quit");
    assert!(bye.contains("\"quit\":true"), "{bye}");
    assert!(s.wait_within(SESSION_TIMEOUT).success());
}

/// End of input (no `quit`) ends the session cleanly: exit 0, a sounding
/// note faded out (no click at the end), and the recording finished with
/// the frame count the session reports.
#[test]
fn end_of_input_fades_out_and_finishes_the_recording() {
    let dir = Scratch::new("live-eof");
    let mut s = live(&dir.dir, &["--record", "rec.wav"]);
    s.ok("create pad synth");
    s.ok("note pad C4 0.8 8");
    s.wait_for_frame(24_000, SESSION_TIMEOUT);
    s.close_stdin();
    let status = s.wait_within(SESSION_TIMEOUT);
    assert!(status.success(), "exit {status}\n{}", s.transcript());
    let line = s.stderr_line("recorded ", Duration::from_secs(2));
    let frames: usize = line
        .split(' ')
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{line}"));
    let rec = wav::read(&dir.dir.join("rec.wav"));
    assert_eq!(rec.frames(), frames, "{line}");
    let end = rec.frames();
    let before = wav::rms(&rec.left[end - 4_800..end - 960]);
    let last = rec.left[end - 1].abs().max(rec.right[end - 1].abs());
    let steady = wav::largest_jump(&rec.left[end - 4_800..end - 960]);
    let fade = wav::largest_jump(&rec.left[end - 960..]);
    eprintln!(
        "end of input: {frames} frames; level before the fade {:.1} dBFS, last sample {last:.5}, \
         largest step {steady:.4} before and {fade:.4} in the fade",
        wav::dbfs(before)
    );
    assert!(wav::dbfs(before) > -30.0, "the note was not sounding");
    assert!(last < 0.01, "not faded out: last sample {last}");
    assert!(
        fade <= steady * 1.5,
        "a click at the end: {fade} > {steady}"
    );
}

/// The bass's first note (one beat in `window`, in the mix with the kick,
/// the hat and the reverb's build-up) is C2 within a cent: the median of
/// its pitch read from the 2nd, 4th and 6th harmonics (130.8, 261.6 and
/// 392.4 Hz, clear of the kick's 60 Hz), each within 2 cents. One harmonic's
/// peak alone can be pulled about a cent by the reverb's response to the
/// note's onset (its modes near that harmonic), not by the bass's pitch.
fn assert_bass_at_c2(window: &[f32]) {
    let c2 = midi_hz(36.0);
    let mut off: Vec<f64> = [2.0, 4.0, 6.0]
        .iter()
        .map(|k| {
            cents(
                wav::peak_freq(window, 48_000.0, k * c2 - 4.0, k * c2 + 4.0) / k,
                c2,
            )
        })
        .collect();
    assert!(
        off.iter().all(|c| c.abs() < 2.0),
        "bass harmonics off C2 by {off:?} cents"
    );
    off.sort_by(f64::total_cmp);
    assert!(
        off[1].abs() < 1.0,
        "bass {:+.3} cents off C2 ({off:?})",
        off[1]
    );
}
