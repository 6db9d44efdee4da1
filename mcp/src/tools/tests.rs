//! The argument checks and the line each tool builds.

use std::path::Path;

use super::*;
use crate::checks::*;

fn some(s: &str) -> Option<String> {
    Some(s.to_owned())
}

#[test]
fn bare_names() {
    for good in ["kick", "bass2", "deep_groove", "a-b", "X"] {
        assert!(is_bare_name(good), "{good}");
    }
    for bad in [
        "", "2bass", "_a", "a;b", "a b", "a\nb", "a=b", "a\"b", "a#b", "bäss", "-x",
    ] {
        assert!(!is_bare_name(bad), "{bad:?}");
    }
}

#[test]
fn a_bad_name_is_refused_with_one_line() {
    let e = name("a;b", "a track name").unwrap_err();
    assert_eq!(
        e,
        "error: expected a track name, got 'a;b': names use letters, digits, _ and -, and start with a letter"
    );
    let e = name("a\nplay all", "a track name").unwrap_err();
    assert!(!e.contains('\n'), "{e}");
    assert!(e.contains("a\\nplay all"), "{e}");
    let long = "x;".repeat(100);
    let e = name(&long, "a track name").unwrap_err();
    assert!(e.len() < 200, "{e}");
}

#[test]
fn optional_names_take_blank_as_absent() {
    assert_eq!(optional_name(&None, "x"), Ok(None));
    assert_eq!(optional_name(&some(""), "x"), Ok(None));
    assert_eq!(optional_name(&some("  "), "x"), Ok(None));
    assert_eq!(optional_name(&some(" kick "), "x"), Ok(Some("kick")));
    assert!(optional_name(&some("kick; stop all"), "x").is_err());
}

#[test]
fn bars_are_one_to_sixty_four() {
    assert_eq!(bars(None), Ok(None));
    assert_eq!(bars(Some(1)), Ok(Some(1)));
    assert_eq!(bars(Some(64)), Ok(Some(64)));
    assert_eq!(
        bars(Some(0)),
        Err("error: expected bars=1 to bars=64, got 'bars=0'".into())
    );
    assert!(bars(Some(65)).is_err());
    assert!(bars(Some(-3)).is_err());
    assert!(bars(Some(i64::MAX)).is_err());
}

#[test]
fn command_lines() {
    let line = |l: &str| CommandArgs { line: l.into() }.line();
    assert_eq!(line("create kick"), Ok("create kick".into()));
    assert_eq!(line("  tempo 128 \t"), Ok("tempo 128".into()));
    assert_eq!(
        line("create kick; sequence kick: x...x...x...x...; play all"),
        Ok("create kick; sequence kick: x...x...x...x...; play all".into())
    );
    assert_eq!(
        line("set bass\tcutoff=900"),
        Ok("set bass\tcutoff=900".into())
    );
    assert!(line("").is_err());
    assert!(line("   ").is_err());
    assert!(line("create kick\nplay all").is_err());
    assert!(line("create kick\rplay all").is_err());
    assert!(line("create \u{0}kick").is_err());
    assert!(line(&"a".repeat(MAX_LINE + 1)).is_err());
    assert!(line(&"a".repeat(MAX_LINE)).is_ok());
}

#[test]
fn help_lines() {
    assert_eq!(HelpArgs::default().line(), Ok("help".into()));
    let topic = |t: &str| HelpArgs { topic: some(t) }.line();
    assert_eq!(topic("sequence"), Ok("help sequence".into()));
    assert_eq!(topic("generate_module"), Ok("help generate_module".into()));
    assert!(topic("look; quit").is_err());
}

#[test]
fn listen_lines() {
    let listen = |track: Option<String>, bars: Option<i64>| ListenArgs { track, bars }.line();
    assert_eq!(listen(None, None), Ok("listen --json".into()));
    assert_eq!(listen(some("kick"), None), Ok("listen kick --json".into()));
    assert_eq!(
        listen(some("master"), Some(2)),
        Ok("listen master bars=2 --json".into())
    );
    assert_eq!(listen(None, Some(8)), Ok("listen bars=8 --json".into()));
    assert!(listen(some("a;b"), None).is_err());
    assert!(listen(None, Some(0)).is_err());
}

#[test]
fn preview_lines() {
    let preview = |track, bars, vs| PreviewArgs { track, bars, vs }.line();
    assert_eq!(preview(None, None, None), Ok("preview --json".into()));
    assert_eq!(
        preview(some("bass"), Some(2), some("old_groove")),
        Ok("preview bass bars=2 vs=old_groove --json".into())
    );
    assert_eq!(
        preview(None, None, some("a")),
        Ok("preview vs=a --json".into())
    );
    assert!(preview(None, None, some("x y")).is_err());
    assert!(preview(None, Some(99), None).is_err());
}

#[test]
fn look_lines() {
    let out = Path::new("/tmp/s/looks/spectrogram-1.png");
    let look = LookArgs {
        picture: Picture::Spectrogram,
        track: None,
        bars: None,
    };
    assert_eq!(
        look.line(out),
        Ok("look spectrogram -o \"/tmp/s/looks/spectrogram-1.png\"".into())
    );
    let look = LookArgs {
        picture: Picture::Roll,
        track: some("bass"),
        bars: Some(2),
    };
    assert_eq!(
        look.line(Path::new("/tmp/my \"odd\" dir\\x/roll-3.png")),
        Ok(r#"look roll bass bars=2 -o "/tmp/my \"odd\" dir\\x/roll-3.png""#.into())
    );
    for (p, word) in [
        (Picture::Scope, "scope"),
        (Picture::Levels, "levels"),
        (Picture::Spectrogram, "spectrogram"),
        (Picture::Roll, "roll"),
    ] {
        assert_eq!(p.word(), word);
    }
    let bad = LookArgs {
        picture: Picture::Scope,
        track: some("kick;quit"),
        bars: None,
    };
    assert!(bad.line(out).is_err());
    let bad_folder = LookArgs {
        picture: Picture::Scope,
        track: None,
        bars: None,
    };
    assert!(bad_folder.line(Path::new("/tmp/a\nb/x.png")).is_err());
}

#[test]
fn pictures_deserialize_from_their_words() {
    let p: Picture = serde_json::from_str("\"levels\"").unwrap();
    assert_eq!(p, Picture::Levels);
    assert!(serde_json::from_str::<Picture>("\"Levels; quit\"").is_err());
}

#[test]
fn wav_names() {
    for good in ["groove.wav", "take-2.WAV", "a_b.c.wav", "x.wav"] {
        assert_eq!(wav_name(good), Ok(good), "{good}");
    }
    for bad in [
        "",
        ".wav",
        "../x.wav",
        "..wav",
        "a..b.wav",
        "/tmp/x.wav",
        "dir/x.wav",
        "dir\\x.wav",
        "x.mp3",
        "x.wav;quit",
        "x y.wav",
        ".hidden.wav",
        "x.wav\n",
    ] {
        assert!(wav_name(bad).is_err(), "{bad:?}");
    }
    let e = wav_name("../../etc/x.wav").unwrap_err();
    assert!(
        e.starts_with("error: expected a bare file name ending in .wav"),
        "{e}"
    );
}

#[test]
fn render_lines() {
    let folder = Path::new("/srv/session");
    let render = |bars, file: Option<String>| RenderArgs { bars, file }.line(folder);
    assert_eq!(render(None, None), Ok("render".into()));
    assert_eq!(render(Some(2), None), Ok("render bars=2".into()));
    assert_eq!(render(None, some("")), Ok("render".into()));
    assert_eq!(
        render(Some(8), some("groove.wav")),
        Ok("render bars=8 -o \"/srv/session/groove.wav\"".into())
    );
    assert!(render(None, some("../groove.wav")).is_err());
    assert!(render(None, some("/etc/groove.wav")).is_err());
    assert!(render(Some(0), None).is_err());
}

#[test]
fn patch_lines() {
    let save = |n: &str, force| {
        SavePatchArgs {
            name: n.into(),
            force,
        }
        .line()
    };
    assert_eq!(
        save("deep_groove", None),
        Ok("save patch deep_groove".into())
    );
    assert_eq!(
        save("deep_groove", Some(false)),
        Ok("save patch deep_groove".into())
    );
    assert_eq!(
        save("deep", Some(true)),
        Ok("save patch deep --force".into())
    );
    assert!(save("", None).is_err());
    assert!(save("a;b", None).is_err());
    let load = |n: &str| LoadPatchArgs { name: n.into() }.line();
    assert_eq!(load("deep_groove"), Ok("load patch deep_groove".into()));
    assert!(load("../x").is_err());
}

#[test]
fn undo_and_history_lines() {
    assert_eq!(UndoArgs::default().line(), Ok("undo".into()));
    assert_eq!(
        UndoArgs { name: some("bass") }.line(),
        Ok("undo bass".into())
    );
    assert!(UndoArgs {
        name: some("bass;undo")
    }
    .line()
    .is_err());
    assert_eq!(HistoryArgs::default().line(), Ok("history".into()));
    assert_eq!(
        HistoryArgs { count: Some(5) }.line(),
        Ok("history 5".into())
    );
    assert!(HistoryArgs { count: Some(0) }.line().is_err());
    assert!(HistoryArgs { count: Some(1001) }.line().is_err());
}

#[test]
fn arguments_deny_unknown_fields_and_wrong_types() {
    assert!(serde_json::from_str::<ListenArgs>(r#"{"track":"kick","bar":2}"#).is_err());
    assert!(serde_json::from_str::<ListenArgs>(r#"{"bars":"2"}"#).is_err());
    assert!(serde_json::from_str::<CommandArgs>("{}").is_err());
    let a: ListenArgs = serde_json::from_str(r#"{"track":null,"bars":3}"#).unwrap();
    assert_eq!(a.line(), Ok("listen bars=3 --json".into()));
}

#[test]
fn every_error_is_one_line_starting_with_error() {
    let errors = [
        name("a\r\nb", "x").unwrap_err(),
        bars(Some(0)).unwrap_err(),
        command_line("").unwrap_err(),
        command_line("a\nb").unwrap_err(),
        wav_name("a\nb.wav").unwrap_err(),
        quoted_path(Path::new("/a\nb")).unwrap_err(),
        HistoryArgs { count: Some(-1) }.line().unwrap_err(),
    ];
    for e in errors {
        assert!(e.starts_with("error: "), "{e}");
        assert!(!e.chars().any(char::is_control), "{e:?}");
    }
}
