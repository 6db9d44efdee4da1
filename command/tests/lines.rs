//! Whole lines: transactions, quoting, comments, the prototype's session.

mod common;

use chronus_command::{parse_line, Command, Targets};
use common::{one, w};

#[test]
fn blank_and_comment_lines_are_empty() {
    for line in [
        "",
        "   ",
        "\t",
        "# a comment",
        "   # indented; with a semicolon",
        ";",
        " ; ;; ",
    ] {
        assert_eq!(parse_line(line), Ok(vec![]), "{line:?}");
    }
}

#[test]
fn trailing_comment_is_ignored() {
    let parts =
        parse_line("create hat hihat; sequence hat: ..x.; play hat   # one transaction").unwrap();
    assert_eq!(parts.len(), 3);
    assert_eq!(parts[2].text, "play hat");
    assert_eq!(
        parts[2].command,
        Command::Play(Targets::Names(vec![w("hat", 44)]))
    );
}

#[test]
fn hash_inside_a_word_or_quotes_is_not_a_comment() {
    let Command::Set { params, .. } = one(r#"set bass name="a # b" x=F#3"#) else {
        panic!()
    };
    assert_eq!(params[0].value, "a # b");
    assert_eq!(params[1].value, "F#3");
}

#[test]
fn transaction_parts_have_text_and_columns() {
    let line = "create hat hihat decay=0.05; sequence hat: ..x.; play hat";
    let parts = parse_line(line).unwrap();
    let got: Vec<(&str, usize)> = parts.iter().map(|p| (p.text.as_str(), p.column)).collect();
    assert_eq!(
        got,
        vec![
            ("create hat hihat decay=0.05", 1),
            ("sequence hat: ..x.", 30),
            ("play hat", 50)
        ]
    );
    let Command::Sequence { steps, .. } = &parts[1].command else {
        panic!()
    };
    assert_eq!(
        &line[steps.column - 1..steps.column - 1 + steps.text.len()],
        "..x."
    );
}

#[test]
fn empty_parts_are_skipped() {
    let parts = parse_line("play;; stop ;").unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[1].command, Command::Stop(Targets::All));
    assert_eq!(parts[1].column, 8);
}

#[test]
fn semicolon_inside_quotes_does_not_split() {
    let parts = parse_line(r#"set bass name="a;b"; play"#).unwrap();
    assert_eq!(parts.len(), 2);
    let Command::Set { params, .. } = &parts[0].command else {
        panic!()
    };
    assert_eq!(params[0].value, "a;b");
}

#[test]
fn escaped_quote_does_not_end_quotes() {
    let parts = parse_line(r#"set bass name="say \"hi;\" \\"; play"#).unwrap();
    assert_eq!(parts.len(), 2);
    let Command::Set { params, .. } = &parts[0].command else {
        panic!()
    };
    assert_eq!(params[0].value, r#"say "hi;" \"#);
}

#[test]
fn quoted_names_may_hold_spaces() {
    assert_eq!(
        one(r#"save patch "deep groove""#),
        Command::SavePatch {
            name: w("deep groove", 12),
            force: false
        }
    );
}

#[test]
fn columns_count_characters() {
    let parts = parse_line(r#"set bass name="ä"; play ö"#).unwrap();
    assert_eq!(parts[1].column, 20);
    assert_eq!(
        parts[1].command,
        Command::Play(Targets::Names(vec![w("ö", 25)]))
    );
}

#[test]
fn keywords_are_case_insensitive() {
    assert_eq!(one("QUANTIZE Beat"), one("quantize beat"));
    assert_eq!(one("Add REVERB To bass"), one("add reverb to bass"));
    assert_eq!(one("CREATE k KICK"), one("create k kick"));
    assert_eq!(one("Sequence kick: x"), one("sequence kick: x"));
}

#[test]
fn names_are_case_sensitive() {
    assert_ne!(one("play Kick"), one("play kick"));
}

#[test]
fn carriage_returns_and_unicode_spaces_are_whitespace() {
    assert_eq!(one("play kick\r\n"), one("play kick"));
    assert_eq!(one("play\u{3000}kick"), one("play kick"));
}

#[test]
fn tabs_separate_words() {
    assert_eq!(one("play\tkick"), one("play kick"));
}

#[test]
fn prototype_session_parses_word_for_word() {
    let session = [
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
    let names: Vec<&str> = session.iter().map(|l| one(l).name()).collect();
    assert_eq!(
        names,
        [
            "create", "create", "sequence", "sequence", "play", "create", "melody", "play", "add",
            "save"
        ]
    );
    let Command::Create { name, ty, params } = one(session[5]) else {
        panic!()
    };
    assert_eq!((name.text.as_str(), ty), ("bass", None));
    let keys: Vec<(&str, &str)> = params
        .iter()
        .map(|p| (p.key.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(
        keys,
        [("osc", "saw"), ("filter", "lowpass"), ("cutoff", "500")]
    );
    let Command::Sequence { steps, .. } = one(session[3]) else {
        panic!()
    };
    assert_eq!(steps.text, "..x...x...x...x.");
    assert_eq!(
        one(session[9]),
        Command::SavePatch {
            name: w("deep_groove", 12),
            force: false
        }
    );
}
