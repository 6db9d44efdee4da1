//! Every class of syntax error: the column and the message.

mod common;

use common::{err, fails};

#[test]
fn unknown_command_suggests_the_closest() {
    let e = fails("sequnce kick: x...", 1, "unknown command 'sequnce'");
    assert_eq!(
        e.to_string(),
        "column 1: unknown command 'sequnce' (did you mean `sequence`?)"
    );
    fails("  Plya", 3, "unknown command 'Plya' (did you mean `play`?)");
}

#[test]
fn unknown_command_far_from_any_lists_them() {
    fails("xyzzyq", 1, "(expected one of: create, sequence,");
}

#[test]
fn a_setting_alone_points_at_set() {
    fails(
        "cutoff=900",
        1,
        "(to change a setting: set NAME cutoff=900)",
    );
}

#[test]
fn line_starting_with_a_quote_or_colon() {
    fails(r#""play""#, 1, "expected a command first");
    fails(": x...", 1, "expected a command first, got ':'");
}

#[test]
fn missing_names() {
    fails(
        "create",
        7,
        "expected a name for the new instrument after create",
    );
    fails(
        "play kick; sequence",
        20,
        "expected an instrument name after sequence",
    );
    fails(
        "sequence : x...",
        10,
        "expected an instrument name after sequence",
    );
    fails(
        "set",
        4,
        "expected an instrument name (or master) after set",
    );
    fails("scene", 6, "expected a scene name after scene");
    fails("load patch", 11, "expected a patch name after load patch");
    fails(
        "save patch --force",
        19,
        "expected a patch name after save patch",
    );
    fails(
        "list params",
        12,
        "expected an instrument, instrument type or effect",
    );
    fails("note", 5, "expected an instrument name after note");
    fails(
        "remove",
        7,
        "expected an instrument, or an effect and 'from NAME'",
    );
}

#[test]
fn invalid_names() {
    fails(
        "play 3kick",
        6,
        "expected an instrument name, got '3kick': names use letters",
    );
    fails("create k/ck", 8, "names use letters, digits, _ and -");
    fails(
        "play cutoff=3",
        6,
        "expected an instrument name, got 'cutoff=3'",
    );
    fails(r#"scene """#, 7, "expected a scene name, got empty quotes");
}

#[test]
fn missing_colon_suggests_the_fix() {
    fails(
        "sequence kick x...x...",
        15,
        "expected ':' after 'kick', got 'x...x...' (write: sequence kick: x...x...)",
    );
    fails(
        "melody bass C2 C2 G2 Eb2",
        13,
        "(write: melody bass: C2 C2 G2 Eb2)",
    );
    fails(
        "pattern lead",
        13,
        "expected ':' and a pattern after 'lead'",
    );
    fails(
        "sequence kick hat: x",
        15,
        "expected ':' right after the name 'kick', got 'hat'",
    );
}

#[test]
fn empty_pattern_text() {
    fails("sequence kick:", 15, "expected steps after ':'");
    fails("melody bass:   ", 13, "expected notes after ':'");
}

#[test]
fn bad_numbers() {
    let e = fails("tempo fast", 7, "expected a number after tempo, got 'fast'");
    assert_eq!(
        e.to_string(),
        "column 7: expected a number after tempo, got 'fast' (beats per minute, such as 120)"
    );
    fails("tempo", 6, "expected a number after tempo");
    fails(
        "tempo 0",
        7,
        "expected a tempo above 0 beats per minute, got '0'",
    );
    fails("tempo inf", 7, "expected a number after tempo, got 'inf'");
    fails("tempo NaN", 7, "expected a number after tempo, got 'NaN'");
    fails(
        "tempo 120 fast",
        11,
        "unexpected 'fast' (syntax: tempo BPM | tempo follow midi|link|off)",
    );
    fails("swing lots", 7, "expected a number after swing, got 'lots'");
    fails("swing -0.1", 7, "expected a swing of 0 or more");
    fails(
        "note bass C4 loud",
        14,
        "expected a velocity from 0 to 1 after the note, got 'loud'",
    );
    fails("note bass C4 1.5", 14, "expected a velocity from 0 to 1");
    fails(
        "note bass C4 1 0",
        16,
        "expected a length in beats, above 0 and at most 10000, after the velocity, got '0'",
    );
    fails(
        "note bass C4 1 x",
        16,
        "expected a length in beats, above 0",
    );
    fails(
        "set bass cutoff=9 ramp=slow",
        24,
        "expected a number of seconds after ramp=, got 'slow'",
    );
    fails(
        "set bass cutoff=9 ramp=-1",
        24,
        "expected a ramp of 0 seconds or more",
    );
}

#[test]
fn bad_notes() {
    fails(
        "note bass H3",
        11,
        "expected a note name such as C4, Eb2 or F#3, or a MIDI number 0 to 127 (fractions are microtones), got 'H3'",
    );
    fails("note bass 128", 11, "got '128'");
    fails("note bass", 10, "expected a note after 'bass'");
}

#[test]
fn unterminated_quote_points_at_it() {
    fails(r#"save patch "deep_groove"#, 12, "unterminated quote");
    let e = fails(r#"play; set bass name="x"#, 21, "unterminated quote");
    assert_eq!(e.part, 2);
    fails(r#"sequence "kick: x"#, 10, "unterminated quote");
}

#[test]
fn bad_quantize_value_suggests() {
    fails(
        "quantize bars",
        10,
        "unknown quantize value 'bars' (did you mean `bar`?)",
    );
    fails(
        "quantize",
        9,
        "expected bar, beat, step or now after quantize",
    );
    fails(
        "quantize soon-ish",
        10,
        "(expected one of: bar, beat, step, now)",
    );
}

#[test]
fn unknown_list_topic() {
    fails(
        "list instrumnts",
        6,
        "unknown list topic 'instrumnts' (did you mean `instruments`?)",
    );
    fails("list foo", 6, "unknown list topic 'foo' (expected one of: instruments, types, effects, params, scenes, patches, maps, modules)");
}

#[test]
fn unknown_type_and_effect_suggest() {
    // Another word may name a user module (modules/NAME.cm): the session
    // checks it (tests/user_modules.rs).
    assert!(chronus_command::parse_line("create hat hihatt").is_ok());
    fails("create hat 'hihat'", 12, "unknown instrument type");
    fails(
        "add reverbb to bass",
        5,
        "unknown effect 'reverbb' (did you mean `reverb`?)",
    );
    fails(
        "add",
        4,
        "expected an effect after add (one of: reverb, delay,",
    );
    fails(
        "remove dealy from bass",
        8,
        "unknown effect 'dealy' (did you mean `delay`?)",
    );
}

#[test]
fn missing_or_wrong_linking_words() {
    fails(
        "add reverb bass",
        12,
        "expected 'to' after 'reverb', got 'bass'",
    );
    fails("add reverb ot bass", 12, "(did you mean `to`?)");
    fails(
        "add reverb",
        11,
        "expected 'to NAME' after 'reverb' (such as add reverb to bass)",
    );
    fails("add reverb to", 14, "expected an instrument name after to");
    fails(
        "remove reverb bass",
        15,
        "expected 'from' after 'reverb', got 'bass'",
    );
    fails(
        "remove bass kick",
        13,
        "unexpected 'kick' (syntax: remove EFFECT from NAME | remove NAME)",
    );
    fails("save", 5, "expected 'patch' after save");
    fails(
        "save pach x",
        6,
        "expected 'patch' after save, got 'pach' (did you mean `patch`?)",
    );
    fails("save groove", 6, "(write: save patch groove)");
    fails("load x", 6, "expected 'patch' after load, got 'x'");
    fails(
        "save patch x --forse",
        14,
        "unknown option '--forse' (did you mean `--force`?)",
    );
}

#[test]
fn bad_settings() {
    fails(
        "set bass cutoff 900",
        10,
        "expected key=value (such as cutoff=900), got 'cutoff'",
    );
    fails("set bass", 9, "expected key=value after 'bass'");
    fails("set bass ramp=2", 16, "expected key=value after 'bass'");
    fails("set bass cutoff=", 17, "expected a value after 'cutoff='");
    fails("create k =5", 10, "expected a key before '='");
    fails("set bass 2x=1", 10, "'2x' is not a key");
    fails("set bass reverb..mix=1", 10, "'reverb..mix' is not a key");
    fails("set bass cutoff=1 Cutoff=2", 19, "'Cutoff' is given twice");
    fails("set bass ramp=1 ramp=2", 17, "'ramp' is given twice");
    fails("create kick hihat kick", 19, "expected key=value");
}

#[test]
fn targets_mixing_all_and_names() {
    fails("play kick all", 11, "'all' cannot follow a name");
    fails("stop all kick", 10, "unexpected 'kick' after all");
    fails("mute", 5, "expected instrument names (or all) after mute");
    fails("solo", 5, "expected instrument names after solo");
    fails(
        "solo all",
        6,
        "solo takes instrument names, not all (to hear everything again: unsolo)",
    );
}

#[test]
fn commands_without_arguments_refuse_extras() {
    fails("status now", 8, "unexpected 'now' (syntax: status)");
    fails("unsolo bass", 8, "unexpected 'bass' (syntax: unsolo)");
    fails("quit please", 6, "unexpected 'please' (syntax: quit)");
    fails("arrange x", 9, "unexpected 'x' (syntax: arrange)");
    fails("help a b", 8, "unexpected 'b' (syntax: help [TOPIC])");
    fails("list types x", 12, "unexpected 'x'");
}

#[test]
fn failure_in_third_part_reports_part_and_line_column() {
    let line = "create hat hihat; sequence hat: ..x.; quantize bars";
    let e = err(line);
    assert_eq!((e.part, e.parts, e.column), (3, 3, 48));
    assert_eq!(&line[e.column - 1..], "bars");
    assert_eq!(
        e.to_string(),
        "part 3, column 48: unknown quantize value 'bars' (did you mean `bar`?)"
    );
}

#[test]
fn part_numbers_skip_empty_parts() {
    let e = err(";; play ;; tempo x");
    assert_eq!((e.part, e.parts, e.column), (2, 2, 18));
}

#[test]
fn the_first_failing_part_is_reported() {
    let e = err("tempo x; swing y");
    assert_eq!((e.part, e.column), (1, 7));
}

#[test]
fn control_characters_are_refused() {
    let e = fails("play \u{7}kick", 6, "unexpected control character U+0007");
    assert_eq!(
        e.to_string(),
        "column 6: unexpected control character U+0007: commands are plain text"
    );
    fails("play; stop \u{1b}[A", 12, "U+001B");
}

#[test]
fn error_display_omits_part_for_one_command() {
    assert!(err("tempo x").to_string().starts_with("column 7: "));
    assert!(err("tempo x;").to_string().starts_with("column 7: "));
    assert!(err("play; tempo x")
        .to_string()
        .starts_with("part 2, column 13: "));
}
