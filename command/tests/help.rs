//! The help table agrees with the parser and the sequencer.

use chronus_command::{command_help, commands, parse_line, Command, EFFECTS, INSTRUMENT_TYPES};
use chronus_sequencer::{pattern, Song};
use std::collections::HashSet;

#[test]
fn every_example_parses_to_its_own_command() {
    for help in commands() {
        let parts = parse_line(help.example)
            .unwrap_or_else(|e| panic!("{}: {:?}: {e}", help.name, help.example));
        assert_eq!(parts.len(), 1, "{}", help.name);
        assert_eq!(parts[0].command.name(), help.name, "{}", help.example);
    }
}

#[test]
fn every_syntax_starts_with_its_name_and_parts_are_filled() {
    let mut seen = HashSet::new();
    for help in commands() {
        assert!(seen.insert(help.name), "{} twice", help.name);
        assert!(help.syntax.starts_with(help.name), "{}", help.syntax);
        assert!(help.summary.ends_with('.'), "{}", help.summary);
        assert!(help.example.starts_with(help.name), "{}", help.example);
    }
}

#[test]
fn the_table_has_every_command() {
    let names: Vec<&str> = commands().iter().map(|h| h.name).collect();
    for name in [
        "create",
        "sequence",
        "melody",
        "pattern",
        "play",
        "stop",
        "set",
        "add",
        "remove",
        "tempo",
        "swing",
        "mute",
        "solo",
        "unmute",
        "unsolo",
        "quantize",
        "note",
        "scene",
        "arrange",
        "save",
        "load",
        "status",
        "list",
        "help",
        "quit",
        "midi",
        "map",
        "learn",
        "unmap",
        "patch",
        "unpatch",
        "send",
        "generate_module",
        "reload",
        "listen",
        "preview",
        "look",
        "render",
        "history",
        "undo",
    ] {
        assert!(names.contains(&name), "{name}");
    }
    assert_eq!(names.len(), 41);
}

#[test]
fn help_lookup_ignores_case() {
    assert_eq!(command_help("SEQUENCE").map(|h| h.name), Some("sequence"));
    assert!(command_help("sequnce").is_none());
}

#[test]
fn pattern_examples_are_valid_patterns() {
    for help in commands() {
        let Ok(parts) = parse_line(help.example) else {
            continue;
        };
        let text = match &parts[0].command {
            Command::Sequence { steps: t, .. }
            | Command::Melody { notes: t, .. }
            | Command::Pattern { pattern: t, .. } => t,
            _ => continue,
        };
        if let Err(e) = pattern::parse(&text.text) {
            panic!("{}: {e}", help.example);
        }
    }
}

#[test]
fn type_and_effect_names_match_the_sequencer() {
    // A sampler needs its file: the demo song's pluck.
    let pluck = concat!(env!("CARGO_MANIFEST_DIR"), "/../songs/samples/pluck.wav");
    for ty in INSTRUMENT_TYPES {
        let file = if *ty == "sampler" {
            format!(", file: {pluck}")
        } else {
            String::new()
        };
        let src = format!(
            "tempo: 120\ninstruments:\n  a: {{ type: {ty}{file} }}\npatterns:\n  p: {{ a: \"x\" }}\n"
        );
        assert!(Song::from_yaml(&src, "t.yaml".as_ref()).is_ok(), "{ty}");
    }
    for fx in EFFECTS {
        let src = format!(
            "tempo: 120\ninstruments:\n  a: {{ type: synth, effects: [{{ type: {fx} }}] }}\npatterns:\n  p: {{ a: \"x\" }}\n"
        );
        assert!(Song::from_yaml(&src, "t.yaml".as_ref()).is_ok(), "{fx}");
    }
    let bad = "tempo: 120\ninstruments:\n  a: { type: organ }\npatterns:\n  p: { a: \"x\" }\n";
    assert!(Song::from_yaml(bad, "t.yaml".as_ref()).is_err());
}
