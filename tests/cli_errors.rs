//! Bad input through the real `chronus` binary, on real files in a scratch
//! folder: every mistake is exit status 2 (1 for failures that are not bad
//! input) and exactly one `error: ` line on stderr, naming the file and,
//! where the YAML position is known, `LINE:COLUMN`; nothing ever panics, and
//! a failed render never clobbers or leaves behind a file.
//!
//! The bad songs are `tests/fixtures/bad/*.yaml`, copied into the scratch
//! folder so that the path in each message is the one we passed.

mod common;

use common::Scratch;
use std::path::Path;
use std::process::Command;

/// What one run of the binary did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Lines of stderr that are not `warning:` lines.
    fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("warning: "))
            .collect()
    }

    fn warning_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("warning: "))
            .collect()
    }

    fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Exit status `code`, no panic, exactly one error line starting with
    /// `error: `; the line.
    fn one_error(&self, code: i32) -> &str {
        assert_eq!(self.code, Some(code), "{}", self.show());
        assert!(!self.stderr.contains("panicked"), "{}", self.show());
        let lines = self.error_lines();
        assert_eq!(lines.len(), 1, "one error line expected\n{}", self.show());
        assert!(lines[0].starts_with("error: "), "{}", self.show());
        lines[0]
    }

    /// Bad input (exit 2) in `file` at `LINE:COLUMN` (when given); the error
    /// line must contain every fragment.
    fn bad_input_at(&self, file: &Path, at: Option<(usize, usize)>, fragments: &[&str]) {
        let line = self.one_error(2);
        let prefix = match at {
            Some((l, c)) => format!("error: {}:{l}:{c}: ", file.display()),
            None => format!("error: {}: ", file.display()),
        };
        assert!(
            line.starts_with(&prefix),
            "expected the line to start with {prefix:?}\n{}",
            self.show()
        );
        for f in fragments {
            assert!(
                line.contains(f),
                "expected {f:?} in the error\n{}",
                self.show()
            );
        }
    }
}

fn chronus<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(args)
        .output()
        .expect("run chronus");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn check(path: &Path) -> Run {
    chronus(&[Path::new("check"), path])
}

fn render(song: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut args: Vec<&std::ffi::OsStr> = vec!["render".as_ref(), song.as_ref()];
    args.push("-o".as_ref());
    args.push(out.as_ref());
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    chronus(&args)
}

/// Check a bad fixture and expect one located error line.
fn bad_fixture(name: &str, at: Option<(usize, usize)>, fragments: &[&str]) {
    let dir = Scratch::new(name.trim_end_matches(".yaml"));
    let path = dir.fixture(name);
    check(&path).bad_input_at(&path, at, fragments);
    // `render` reports the same error and writes nothing.
    let out = dir.dir.join("out.wav");
    render(&path, &out, &[]).bad_input_at(&path, at, fragments);
    assert!(!out.exists(), "a failed render left {}", out.display());
    assert_eq!(dir.listing(), vec![name.to_string()]);
}

/// A small song with several instruments and stateful effects (reverb,
/// delay, chorus) and seeded random drops: the determinism test must really
/// exercise everything that could differ between runs.
const GOOD_SONG: &str = r#"title: determinism
tempo: 128
seed: 7
instruments:
  kick: { type: kick, effects: [ { type: compressor } ] }
  hat: { type: hihat, noise: white, effects: [ { type: delay, time: 0.18, feedback: 0.5 } ] }
  bass: { type: synth, osc: saw, cutoff: 600, resonance: 0.6, effects: [ { type: chorus }, { type: distortion, drive: 6 } ] }
  lead: { type: fm, ratio: 3, index: 4, effects: [ { type: phaser }, { type: reverb, mix: 0.4, decay: 1.5 } ] }
patterns:
  a: { kick: "x(3,8)", hat: "x*8?", bass: "C2 [Eb2 G2] ~ Bb1", lead: "<C5 Eb5> ~ G4 ~" }
arrangement:
  - { pattern: a, repeat: 2 }
"#;

#[test]
fn malformed_yaml_bad_indentation() {
    // Line 4 is indented one space more than its sibling: libyaml finds no key.
    bad_fixture("bad_indent.yaml", Some((4, 4)), &["expected key"]);
}

#[test]
fn malformed_yaml_unclosed_quote() {
    // libyaml only notices at the end of the file (line 6, column 1).
    bad_fixture("unclosed_quote.yaml", Some((6, 1)), &["end of stream"]);
}

#[test]
fn malformed_yaml_unclosed_quote_says_what_is_open() {
    bad_fixture("unclosed_quote.yaml", Some((6, 1)), &["quoted scalar"]);
}

#[test]
fn unknown_top_level_key() {
    bad_fixture(
        "unknown_top_key.yaml",
        Some((2, 1)),
        &["unknown field `tempoo`", "expected one of", "`tempo`"],
    );
}

#[test]
fn unknown_instrument_type() {
    bad_fixture(
        "unknown_instrument_type.yaml",
        Some((4, 11)),
        &[
            "instruments.kick.type",
            "unknown instrument type `kik`",
            "expected one of",
            "`kick`",
        ],
    );
}

#[test]
fn unknown_key_in_an_instrument_lists_the_expected_keys() {
    // At the misspelt key itself (line 5, column 5), with the instrument's
    // path in the message.
    bad_fixture(
        "unknown_instrument_key.yaml",
        Some((5, 5)),
        &[
            "instruments.bass",
            "unknown field `cutof`",
            "expected one of",
            "`cutoff`",
            "`resonance`",
            "`effects`",
        ],
    );
}

#[test]
fn unknown_effect_type() {
    // At `reverbb` (line 6, column 15).
    bad_fixture(
        "unknown_effect_type.yaml",
        Some((6, 15)),
        &[
            "instruments.bass",
            "unknown effect type `reverbb`",
            "expected one of",
            "`reverb`",
        ],
    );
}

#[test]
fn unknown_key_in_an_effect() {
    // At `sise` (line 7, column 9).
    bad_fixture(
        "unknown_effect_key.yaml",
        Some((7, 9)),
        &[
            "instruments.bass",
            "unknown field `sise`",
            "expected one of",
            "`size`",
        ],
    );
}

#[test]
fn bad_note_name_points_inside_the_pattern_string() {
    // `    bass: "C2 H2"`: the string starts at column 12, H2 is its 4th char.
    bad_fixture(
        "bad_note.yaml",
        Some((6, 15)),
        &[
            "pattern `a.bass`",
            "expected a note name",
            "'H2' is not a note",
        ],
    );
}

#[test]
fn bad_note_name_in_an_instrument_parameter() {
    bad_fixture(
        "bad_note_param.yaml",
        Some((5, 11)),
        &[
            "instruments.bass",
            "bad note name `H2`",
            "expected a MIDI number or a note name",
        ],
    );
}

#[test]
fn unparsable_pattern_points_at_the_open_bracket() {
    // `    kick: "x [x x"`: the string starts at column 12, `[` is its 3rd char.
    bad_fixture(
        "unparsable_pattern.yaml",
        Some((6, 14)),
        &["pattern `a.kick`", "unclosed '['"],
    );
}

#[test]
fn pattern_naming_an_unknown_instrument_suggests_one() {
    bad_fixture(
        "unknown_instrument_in_pattern.yaml",
        Some((7, 11)),
        &["unknown instrument `kik`", "did you mean `kick`?"],
    );
}

#[test]
fn arrangement_naming_an_unknown_pattern_suggests_one() {
    bad_fixture(
        "unknown_pattern_in_arrangement.yaml",
        Some((9, 5)),
        &["unknown pattern `vers`", "did you mean `verse`?"],
    );
}

#[test]
fn missing_required_key() {
    bad_fixture(
        "missing_tempo.yaml",
        Some((1, 1)),
        &["missing field `tempo`"],
    );
}

#[test]
fn value_of_the_wrong_type() {
    bad_fixture(
        "wrong_type.yaml",
        Some((1, 8)),
        &["tempo", "expected a number but found the text", "\"fast\""],
    );
}

#[test]
fn zero_repeat_in_the_arrangement() {
    bad_fixture(
        "repeat_zero.yaml",
        Some((7, 5)),
        &["repeat 0", "expected 1..100000"],
    );
}

#[test]
fn duplicated_instrument_name() {
    bad_fixture(
        "duplicate_instrument.yaml",
        Some((4, 3)),
        &["duplicate name `bass`"],
    );
}

#[test]
fn missing_song_file() {
    let dir = Scratch::new("missing");
    let path = dir.dir.join("no-such-song.yaml");
    check(&path).bad_input_at(&path, None, &["cannot read song", "No such file"]);
    let out = dir.dir.join("out.wav");
    render(&path, &out, &[]).bad_input_at(&path, None, &["cannot read song"]);
    assert!(dir.listing().is_empty());
}

#[test]
fn song_path_that_is_a_folder() {
    let dir = Scratch::new("song-folder");
    check(&dir.dir).bad_input_at(&dir.dir, None, &["cannot read song"]);
}

#[test]
fn unwritable_output_path() {
    let dir = Scratch::new("unwritable");
    let song = dir.write("song.yaml", GOOD_SONG);
    let out = dir.dir.join("nonexistent/dir/x.wav");
    let run = render(&song, &out, &[]);
    let line = run.one_error(2);
    assert!(
        line.starts_with(&format!("error: {}: ", out.display())),
        "{}",
        run.show()
    );
    assert!(line.contains("cannot create"), "{}", run.show());
    // No partial file anywhere: the folder holds only the song.
    assert_eq!(dir.listing(), vec!["song.yaml".to_string()]);

    // And the absolute path from the brief.
    let run = render(&song, Path::new("/nonexistent/dir/x.wav"), &[]);
    let line = run.one_error(2);
    assert!(
        line.starts_with("error: /nonexistent/dir/x.wav: "),
        "{}",
        run.show()
    );
}

#[test]
fn output_path_that_is_a_folder() {
    let dir = Scratch::new("out-folder");
    let song = dir.write("song.yaml", GOOD_SONG);
    let out = dir.dir.join("renders");
    std::fs::create_dir(&out).expect("mkdir");
    let run = render(&song, &out, &[]);
    let line = run.one_error(2);
    assert!(
        line.starts_with(&format!("error: {}: ", out.display())),
        "{}",
        run.show()
    );
    assert!(line.contains("is a folder"), "{}", run.show());
    assert!(line.contains("expected a file name"), "{}", run.show());
    assert!(out.is_dir());
    assert_eq!(std::fs::read_dir(&out).expect("list").count(), 0);
    assert_eq!(
        dir.listing(),
        vec!["renders".to_string(), "song.yaml".to_string()]
    );
}

#[test]
fn bad_rate_option() {
    let dir = Scratch::new("bad-rate");
    let song = dir.write("song.yaml", GOOD_SONG);
    let out = dir.dir.join("out.wav");
    let run = render(&song, &out, &["--rate", "abc"]);
    assert_eq!(run.code, Some(2), "{}", run.show());
    assert!(!run.stderr.contains("panicked"), "{}", run.show());
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{}", run.show());
    assert!(first.contains("--rate abc"), "{}", run.show());
    assert!(first.contains("--rate"), "{}", run.show());
    assert!(!out.exists());
    // Out of range is bad input too.
    let run = render(&song, &out, &["--rate", "1000"]);
    assert_eq!(run.code, Some(2), "{}", run.show());
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.contains("8000..=384000"), "{}", run.show());
    assert!(!out.exists());
}

#[test]
fn bad_rate_option_is_one_line() {
    let dir = Scratch::new("bad-rate-1");
    let song = dir.write("song.yaml", GOOD_SONG);
    let run = render(&song, &dir.dir.join("out.wav"), &["--rate", "abc"]);
    let line = run.one_error(2);
    assert!(line.contains("--rate"), "{}", run.show());
}

#[test]
fn out_of_range_value_is_a_warning_not_an_error() {
    let dir = Scratch::new("range");
    let path = dir.fixture("out_of_range.yaml");
    let run = check(&path);
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert!(!run.stderr.contains("panicked"), "{}", run.show());
    assert!(run.error_lines().is_empty(), "{}", run.show());
    let warnings = run.warning_lines();
    assert_eq!(warnings.len(), 1, "{}", run.show());
    let w = warnings[0];
    assert!(w.contains(&path.display().to_string()), "{}", run.show());
    assert!(w.contains("instruments.bass.cutoff"), "{}", run.show());
    assert!(w.contains("99999"), "{}", run.show());
    assert!(w.contains("20000"), "{}", run.show());
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.show());
    assert!(run.stdout.starts_with("ok "), "{}", run.show());
}

#[test]
fn failed_render_never_clobbers_the_existing_output() {
    let dir = Scratch::new("clobber");
    let bad = dir.fixture("bad_note.yaml");
    let out = dir.dir.join("out.wav");
    let before: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
    std::fs::write(&out, &before).expect("write out.wav");
    let run = render(&bad, &out, &[]);
    run.bad_input_at(&bad, Some((6, 15)), &["expected a note name"]);
    assert_eq!(std::fs::read(&out).expect("read out.wav"), before);
    // A bad option neither.
    let good = dir.write("good.yaml", GOOD_SONG);
    let run = render(&good, &out, &["--rate", "abc"]);
    assert_eq!(run.code, Some(2), "{}", run.show());
    assert_eq!(std::fs::read(&out).expect("read out.wav"), before);
    assert_eq!(
        dir.listing(),
        vec![
            "bad_note.yaml".to_string(),
            "good.yaml".to_string(),
            "out.wav".to_string()
        ]
    );
}

#[test]
fn failed_render_leaves_no_partial_file() {
    let dir = Scratch::new("partial");
    let good = dir.write("good.yaml", GOOD_SONG);
    // The output folder does not exist: the render must fail before writing
    // anything, and leave nothing behind next to it or in the song's folder.
    let out = dir.dir.join("missing").join("x.wav");
    let run = render(&good, &out, &[]);
    run.one_error(2);
    assert_eq!(dir.listing(), vec!["good.yaml".to_string()]);
}

#[test]
fn rendering_twice_gives_identical_files() {
    let dir = Scratch::new("determinism");
    let song = dir.write("song.yaml", GOOD_SONG);
    for (name, extra) in [("int", &[][..]), ("float", &["--float"][..])] {
        let a = dir.dir.join(format!("a-{name}.wav"));
        let b = dir.dir.join(format!("b-{name}.wav"));
        for out in [&a, &b] {
            let run = render(&song, out, extra);
            assert_eq!(run.code, Some(0), "{}", run.show());
            assert!(run.stderr.is_empty(), "{}", run.show());
            assert_eq!(run.stdout.lines().count(), 1, "{}", run.show());
            assert!(
                run.stdout.starts_with(&format!("ok {}", out.display())),
                "{}",
                run.show()
            );
        }
        let (a, b) = (
            std::fs::read(&a).expect("read a"),
            std::fs::read(&b).expect("read b"),
        );
        // Two bars at 128 BPM are 3.75 s; with the tails, more.
        let bits = if name == "float" { 32 } else { 24 };
        let min_bytes = (3.75 * 48_000.0) as usize * 2 * bits / 8;
        assert!(a.len() > min_bytes, "{name}: only {} bytes", a.len());
        assert!(a == b, "{name}: two renders of the same song differ");
        let reader = hound::WavReader::new(std::io::Cursor::new(a)).expect("a WAV file");
        let spec = reader.spec();
        assert_eq!(spec.channels, 2);
        assert_eq!(spec.sample_rate, 48_000);
        assert_eq!(usize::from(spec.bits_per_sample), bits);
    }
    // Nothing else left in the folder (no partial files).
    assert_eq!(
        dir.listing(),
        vec![
            "a-float.wav",
            "a-int.wav",
            "b-float.wav",
            "b-int.wav",
            "song.yaml"
        ]
    );
}

#[test]
fn check_on_a_good_song_prints_one_ok_line() {
    let dir = Scratch::new("check-ok");
    let song = dir.write("song.yaml", GOOD_SONG);
    let run = check(&song);
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert!(run.stderr.is_empty(), "{}", run.show());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.show());
    assert!(
        lines[0].starts_with(&format!("ok {}", song.display())),
        "{}",
        run.show()
    );
    assert!(lines[0].contains("4 tracks"), "{}", run.show());
    assert!(lines[0].contains("2 bars"), "{}", run.show());
    assert_eq!(dir.listing(), vec!["song.yaml".to_string()]);
}

#[test]
fn unknown_subcommand_is_bad_input() {
    let run = chronus(&["frobnicate"]);
    assert_eq!(run.code, Some(2), "{}", run.show());
    assert!(!run.stderr.contains("panicked"), "{}", run.show());
    assert!(run.stderr.starts_with("error: "), "{}", run.show());
}

#[test]
fn command_line_mistakes_say_what_is_missing_or_wrong() {
    let dir = Scratch::new("cli-args");
    let song = dir.write("song.yaml", GOOD_SONG);
    let s = song.to_str().expect("a UTF-8 path");
    let mp3 = dir.dir.join("out.mp3");
    let mp3 = mp3.to_str().expect("a UTF-8 path");
    let cases: [(&[&str], &[&str]); 10] = [
        (&["render", s, "-o"], &["-o OUT.wav needs a value"]),
        (
            &["render", s, "-o", "x.wav", "--rate"],
            &["--rate needs a value"],
        ),
        (&["render", s], &["-o OUT.wav is required"]),
        (&["render"], &["-o OUT.wav and SONG are required"]),
        (
            &["render", s, "-o", "x.wav", "--bar", "2"],
            &["no option --bar", "did you mean --bars?"],
        ),
        (
            &["play", s, "--backend", "alsa"],
            &["--backend alsa", "expected one of auto, jack, pulse, null"],
        ),
        (
            &["render", s, "-o", "x.wav", "--rate", "abc"],
            &["--rate abc: expected a whole number"],
        ),
        (
            &["render", s, "-o", "x.wav", "--rate", "5"],
            &["--rate 5:", "8000..=384000"],
        ),
        (&["rendr", s], &["no command rendr: did you mean render?"]),
        (&["render", s, "-o", mp3], &["out.mp3", "ending in .wav"]),
    ];
    for (args, fragments) in cases {
        let run = chronus(args);
        let line = run.one_error(2);
        assert_eq!(line.matches("error:").count(), 1, "{line}");
        for f in fragments {
            assert!(line.contains(f), "{args:?}: {f:?} not in {line:?}");
        }
        assert!(
            !line.contains('<'),
            "{args:?}: clap's placeholders in {line:?}"
        );
    }
    // Nothing was written (the refused mp3 least of all).
    assert_eq!(dir.listing(), vec!["song.yaml".to_string()]);
}

#[test]
fn more_bars_than_the_song_has_says_how_many_it_rendered() {
    let dir = Scratch::new("cli-bars");
    let song = dir.write("song.yaml", GOOD_SONG);
    let out = dir.dir.join("out.wav");
    let run = render(&song, &out, &["--bars", "100"]);
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert!(
        run.stdout
            .contains("(--bars 100: the song has 2 bars, so all 2 were rendered)"),
        "{}",
        run.show()
    );
}

#[test]
fn a_render_past_the_wav_limit_is_refused_before_it_starts() {
    let dir = Scratch::new("cli-4gb");
    let song = dir.write(
        "long.yaml",
        "tempo: 120\ninstruments:\n  k: { type: kick }\npatterns:\n  a: { k: \"x*1024\" }\narrangement:\n  - { pattern: a, repeat: 100000 }\n",
    );
    let out = dir.dir.join("out.wav");
    let run = render(&song, &out, &[]);
    let line = run.one_error(2);
    assert!(
        line.contains("55.6 hours") && line.contains("4 GB limit"),
        "{line}"
    );
    assert!(line.contains("--bars"), "{line}");
    assert!(!out.exists());
    assert_eq!(dir.listing(), vec!["long.yaml".to_string()]);
}
