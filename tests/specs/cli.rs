//! Steps that run the real `chronus` binary and inspect what it did.

use crate::common::{onsets, song};
use crate::world::{chronus, Chronus, Wav};
use cucumber::{then, when};
use std::ffi::OsString;
use std::path::PathBuf;

/// Run `chronus render SONG -o OUT OPTIONS…`, remembering the folder's
/// listing before, and read the WAV file back when the run succeeded.
fn run_render(w: &mut Chronus, out: PathBuf, options: &str) {
    let song = w.song_path();
    w.listing_before = w.scratch.as_ref().expect("scratch").listing();
    let mut args: Vec<OsString> = vec!["render".into(), song.into(), "-o".into()];
    args.push(out.clone().into());
    args.extend(options.split_whitespace().map(OsString::from));
    let run = chronus(&args);
    w.wav = (run.code == Some(0) && out.is_file()).then(|| Wav::read(&out));
    w.out_file = Some(out);
    w.run = Some(run);
}

#[when(regex = r#"^I run chronus render with "([^"]*)"$"#)]
fn render_with(w: &mut Chronus, options: String) {
    let out = w.scratch().join("out.wav");
    run_render(w, out, &options);
}

#[when(regex = r#"^I run chronus render to "([^"]*)"$"#)]
fn render_to(w: &mut Chronus, relative: String) {
    let out = w.scratch().join(relative);
    run_render(w, out, "");
}

#[when(regex = r"^I run chronus render on it to out.wav$")]
fn render_on_it(w: &mut Chronus) {
    let out = w.scratch().join("out.wav");
    run_render(w, out, "");
}

#[when(regex = r"^I run chronus render twice to two files$")]
fn render_twice(w: &mut Chronus) {
    let mut bytes = Vec::new();
    for name in ["a.wav", "b.wav"] {
        let out = w.scratch().join(name);
        run_render(w, out.clone(), "");
        let run = w.run();
        assert_eq!(run.code, Some(0), "{}", run.show());
        bytes.push(std::fs::read(&out).expect("read the WAV file"));
    }
    let b = bytes.pop().expect("two files");
    let a = bytes.pop().expect("two files");
    w.pair = Some((a, b));
}

#[when(regex = r"^I run chronus check on it$")]
fn check_it(w: &mut Chronus) {
    let song = w.song_path();
    w.listing_before = w.scratch.as_ref().expect("scratch").listing();
    w.run = Some(chronus(&[OsString::from("check"), song.into()]));
}

#[when(regex = r"^I run chronus check on a song file that does not exist$")]
fn check_missing(w: &mut Chronus) {
    let song = w.scratch().join("no-such-song.yaml");
    w.song_file = Some(song.clone());
    w.listing_before = w.scratch.as_ref().expect("scratch").listing();
    w.run = Some(chronus(&[OsString::from("check"), song.into()]));
}

#[then(regex = r#"^the command succeeds and prints one "ok" line$"#)]
fn succeeds(w: &mut Chronus) {
    let run = w.run();
    assert_eq!(run.code, Some(0), "{}", run.show());
    assert!(run.stderr.is_empty(), "{}", run.show());
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{}", run.show());
    assert!(lines[0].starts_with("ok "), "{}", run.show());
}

#[then(regex = r"^the WAV file is stereo at (\d+) Hz with (\d+)-bit (integer|float) samples$")]
fn wav_format(w: &mut Chronus, rate: u32, bits: u16, format: String) {
    let spec = w.wav().spec;
    assert_eq!(spec.channels, 2);
    assert_eq!(spec.sample_rate, rate);
    assert_eq!(spec.bits_per_sample, bits);
    let expected = if format == "float" {
        hound::SampleFormat::Float
    } else {
        hound::SampleFormat::Int
    };
    assert_eq!(spec.sample_format, expected);
}

#[then(regex = r"^the WAV file holds the (\d+) bars and a tail of at most (\d+) seconds$")]
fn wav_length(w: &mut Chronus, bars: usize, tail: u32) {
    let wav = w.wav();
    let rate = wav.spec.sample_rate;
    let song_frames = (w.song.bar_frames(rate) * bars as f64).round() as usize;
    let frames = wav.frames();
    assert!(frames >= song_frames, "{frames} frames for {song_frames}");
    assert!(
        frames <= song_frames + (tail * rate) as usize,
        "{frames} frames: a tail of more than {tail} s"
    );
    let left = wav.left();
    let peak = left.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak > 0.01, "the file is (nearly) silent: peak {peak}");
}

#[then(regex = r"^no partial file is left next to it$")]
fn no_partial(w: &mut Chronus) {
    let listing = w.scratch.as_ref().expect("scratch").listing();
    assert_eq!(
        listing,
        vec!["out.wav".to_string(), "song.yaml".to_string()]
    );
}

#[then(regex = r"^the two files are byte-identical$")]
fn byte_identical(w: &mut Chronus) {
    let (a, b) = w.pair.as_ref().expect("two files");
    assert!(a.len() > 44 + 48_000, "only {} bytes", a.len());
    assert_eq!(a.len(), b.len(), "the files differ in length");
    if let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) {
        panic!("the files differ at byte {i}");
    }
}

#[then(regex = r"^the WAV file's samples equal the library render exactly$")]
fn float_exact(w: &mut Chronus) {
    let wav = w.wav();
    let lib = w.audio();
    assert_eq!(wav.frames(), lib.left.len(), "file and library lengths");
    for (i, frame) in wav.floats.chunks(2).enumerate() {
        assert!(
            frame[0].to_bits() == lib.left[i].to_bits()
                && frame[1].to_bits() == lib.right[i].to_bits(),
            "frame {i}: file {frame:?}, library [{}, {}]",
            lib.left[i],
            lib.right[i]
        );
    }
}

#[then(regex = r"^every 24-bit sample is within one step of the library render$")]
fn int_rounded(w: &mut Chronus) {
    let wav = w.wav();
    let lib = w.audio();
    assert_eq!(wav.spec.bits_per_sample, 24);
    assert_eq!(wav.frames(), lib.left.len(), "file and library lengths");
    let step = 8_388_607.0f64;
    let mut worst = 0.0f64;
    for (i, frame) in wav.ints.chunks(2).enumerate() {
        for (got, x) in frame.iter().zip([lib.left[i], lib.right[i]]) {
            let exact = f64::from(x.clamp(-1.0, 1.0)) * step;
            let err = (f64::from(*got) - exact).abs();
            worst = worst.max(err);
            assert!(err < 1.0, "frame {i}: {got} for {exact}");
        }
    }
    assert!(worst > 0.0, "suspiciously exact");
}

#[then(regex = r"^the WAV file has (\d+) onsets?, one at the start of each bar$")]
fn wav_onsets(w: &mut Chronus, n: usize) {
    let wav = w.wav();
    let rate = wav.spec.sample_rate;
    let bar = w.song.bar_frames(rate);
    let expected: Vec<u64> = (0..n).map(|k| (k as f64 * bar).round() as u64).collect();
    // A 24-bit sound has zero samples of its own (where it crosses zero):
    // count as onsets only the starts after 10 ms of digital silence.
    let gap = rate as usize / 100;
    let left = wav.left();
    let found: Vec<u64> = onsets(&left)
        .into_iter()
        .filter(|&o| {
            let o = o as usize;
            o == 0 || (o >= gap && left[o - gap..o].iter().all(|&s| s == 0.0))
        })
        .collect();
    assert_eq!(found, expected);
    // And the file stops after those bars (plus the kick's short tail).
    let end = (n as f64 * bar).round() as usize;
    assert!(
        wav.frames() >= end && wav.frames() < end + rate as usize,
        "{} frames",
        wav.frames()
    );
}

#[then(regex = r"^the exit status is (\d+)$")]
fn exit_status(w: &mut Chronus, code: i32) {
    let run = w.run();
    assert_eq!(run.code, Some(code), "{}", run.show());
}

fn one_error_line(w: &Chronus, file: &std::path::Path) {
    let run = w.run();
    let lines = run.error_lines();
    assert_eq!(lines.len(), 1, "one error line expected\n{}", run.show());
    let prefix = format!("error: {}", file.display());
    assert!(
        lines[0].starts_with(&prefix),
        "expected {prefix:?}…\n{}",
        run.show()
    );
    let rest = &lines[0][prefix.len()..];
    assert!(rest.starts_with(':'), "{}", run.show());
}

#[then(regex = r#"^stderr is one line starting with "error: " that names the song file$"#)]
fn one_line_song(w: &mut Chronus) {
    let file = w.song_file.clone().expect("no song file");
    one_error_line(w, &file);
}

#[then(regex = r#"^stderr is one line starting with "error: " that names "([^"]*)"$"#)]
fn one_line_named(w: &mut Chronus, relative: String) {
    let file = w.scratch().join(relative);
    one_error_line(w, &file);
}

#[then(regex = r"^the error is at line (\d+), column (\d+)$")]
fn error_at(w: &mut Chronus, line: usize, column: usize) {
    let file = w.song_file.clone().expect("no song file");
    let run = w.run();
    let prefix = format!("error: {}:{line}:{column}: ", file.display());
    assert!(
        run.error_lines()
            .first()
            .is_some_and(|l| l.starts_with(&prefix)),
        "expected {prefix:?}…\n{}",
        run.show()
    );
}

#[then(regex = r#"^the error says "(.*)"$"#)]
fn error_says(w: &mut Chronus, text: String) {
    let run = w.run();
    assert!(
        run.error_lines().first().is_some_and(|l| l.contains(&text)),
        "expected {text:?} in the error\n{}",
        run.show()
    );
}

#[then(regex = r"^nothing panicked$")]
fn no_panic(w: &mut Chronus) {
    let run = w.run();
    assert!(run.code.is_some(), "killed by a signal\n{}", run.show());
    assert_ne!(run.code, Some(101), "{}", run.show());
    assert!(!run.stderr.contains("panicked"), "{}", run.show());
    assert!(!run.stderr.contains("RUST_BACKTRACE"), "{}", run.show());
}

#[then(regex = r"^out.wav is unchanged$")]
fn unchanged(w: &mut Chronus) {
    let before = w.out_before.as_ref().expect("no out.wav was made");
    let now = std::fs::read(w.scratch.as_ref().expect("scratch").dir.join("out.wav"))
        .expect("out.wav is gone");
    assert!(&now == before, "out.wav was changed");
}

#[then(regex = r"^no other file was created$")]
fn nothing_new(w: &mut Chronus) {
    let listing = w.scratch.as_ref().expect("scratch").listing();
    assert_eq!(listing, w.listing_before);
}

#[then(regex = r#"^stderr is one warning naming "([^"]*)"$"#)]
fn one_warning(w: &mut Chronus, key: String) {
    let file = w.song_file.clone().expect("no song file");
    let run = w.run();
    assert!(run.error_lines().is_empty(), "{}", run.show());
    let warnings: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(warnings.len(), 1, "{}", run.show());
    assert!(
        warnings[0].starts_with(&format!("warning: {}", file.display())),
        "{}",
        run.show()
    );
    assert!(warnings[0].contains(&key), "{}", run.show());
}

#[then(
    regex = r#"^the song renders exactly like the same song with "([^"]*)" instead of "([^"]*)"$"#
)]
fn renders_like(w: &mut Chronus, instead: String, original: String) {
    let file = w.song_file.clone().expect("no song file");
    let text = std::fs::read_to_string(file).expect("read song");
    assert!(text.contains(&original), "the song has no {original:?}");
    let clamped = chronus::sequencer::Song::from_yaml(&text, "clamped.yaml".as_ref())
        .unwrap_or_else(|e| panic!("{e}"))
        .0;
    let reference = song(&text.replace(&original, &instead));
    let (a, _) = crate::common::render(&clamped);
    let (b, _) = crate::common::render(&reference);
    assert!(a.iter().any(|&x| x != 0.0), "silent render");
    assert!(a == b, "the clamped song does not sound like {instead:?}");
}

#[then(regex = r#"^stderr starts with "error: " and mentions "([^"]*)"$"#)]
fn starts_with_error(w: &mut Chronus, text: String) {
    let run = w.run();
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with("error: "), "{}", run.show());
    assert!(first.contains(&text), "{}", run.show());
}

#[then(regex = r"^no WAV file was written$")]
fn no_wav(w: &mut Chronus) {
    let out = w.out_file.clone().expect("no output path");
    assert!(!out.exists(), "{} exists", out.display());
    nothing_new(w);
}
