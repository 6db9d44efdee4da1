//! Each command parses into the right typed value.

mod common;

use chronus_command::{Command, ListTopic, NoteArg, Param, PatternText, Quantize, Targets};
use common::{one, w};

fn p(key: &str, value: &str, column: usize, value_column: usize) -> Param {
    Param {
        key: key.into(),
        value: value.into(),
        column,
        value_column,
    }
}

#[test]
fn create_with_inferred_type() {
    assert_eq!(
        one("create kick freq=60 decay=0.5"),
        Command::Create {
            name: w("kick", 8),
            ty: None,
            params: vec![p("freq", "60", 13, 18), p("decay", "0.5", 21, 27)],
        }
    );
}

#[test]
fn create_with_explicit_type() {
    assert_eq!(
        one("create hat HiHat decay=0.05"),
        Command::Create {
            name: w("hat", 8),
            ty: Some(w("hihat", 12)),
            params: vec![p("decay", "0.05", 18, 24)],
        }
    );
}

#[test]
fn create_with_name_only() {
    assert_eq!(
        one("create snare"),
        Command::Create {
            name: w("snare", 8),
            ty: None,
            params: vec![]
        }
    );
}

#[test]
fn sequence_keeps_raw_steps_and_column() {
    assert_eq!(
        one("sequence kick:   x...x...x...x...  "),
        Command::Sequence {
            name: w("kick", 10),
            steps: PatternText {
                text: "x...x...x...x...".into(),
                column: 18
            },
        }
    );
}

#[test]
fn sequence_colon_may_follow_a_space_or_touch_the_steps() {
    let Command::Sequence { name, steps } = one("sequence kick :x.x.") else {
        panic!()
    };
    assert_eq!(name, w("kick", 10));
    assert_eq!(steps.text, "x.x.");
    assert_eq!(steps.column, 16);
}

#[test]
fn melody_keeps_spaces() {
    assert_eq!(
        one("melody bass: C2 C2 G2 Eb2"),
        Command::Melody {
            name: w("bass", 8),
            notes: PatternText {
                text: "C2 C2 G2 Eb2".into(),
                column: 14
            },
        }
    );
}

#[test]
fn pattern_keeps_brackets_and_later_colons() {
    let Command::Pattern { name, pattern } = one("pattern lead: <[C4 E4] G4*2> ~ A4(3,8) x:y")
    else {
        panic!()
    };
    assert_eq!(name, w("lead", 9));
    assert_eq!(pattern.text, "<[C4 E4] G4*2> ~ A4(3,8) x:y");
    assert_eq!(pattern.column, 15);
}

#[test]
fn pattern_name_may_be_quoted() {
    let Command::Pattern { name, .. } = one(r#"pattern "lead:1": x"#) else {
        panic!()
    };
    assert_eq!(name, w("lead:1", 9));
}

#[test]
fn play_and_stop_targets() {
    assert_eq!(one("play"), Command::Play(Targets::All));
    assert_eq!(one("play all"), Command::Play(Targets::All));
    assert_eq!(one("PLAY ALL"), Command::Play(Targets::All));
    assert_eq!(
        one("play kick hat"),
        Command::Play(Targets::Names(vec![w("kick", 6), w("hat", 11)]))
    );
    assert_eq!(one("stop"), Command::Stop(Targets::All));
    assert_eq!(
        one("stop bass"),
        Command::Stop(Targets::Names(vec![w("bass", 6)]))
    );
}

#[test]
fn quoted_all_is_a_name() {
    assert_eq!(
        one(r#"play "all""#),
        Command::Play(Targets::Names(vec![w("all", 6)]))
    );
}

#[test]
fn set_with_ramp_and_dotted_keys() {
    assert_eq!(
        one("set bass cutoff=900 reverb.mix=0.4 ramp=2"),
        Command::Set {
            name: w("bass", 5),
            params: vec![p("cutoff", "900", 10, 17), p("reverb.mix", "0.4", 21, 32)],
            ramp: Some(2.0),
        }
    );
}

#[test]
fn set_master_without_ramp() {
    assert_eq!(
        one("set master gain=-3"),
        Command::Set {
            name: w("master", 5),
            params: vec![p("gain", "-3", 12, 17)],
            ramp: None,
        }
    );
}

#[test]
fn set_keys_are_lower_cased_and_values_kept() {
    let Command::Set { params, .. } = one(r#"set Bass Osc=Saw name="x y""#) else {
        panic!()
    };
    assert_eq!(params[0].key, "osc");
    assert_eq!(params[0].value, "Saw");
    assert_eq!(params[1].value, "x y");
}

#[test]
fn set_allows_an_empty_quoted_value() {
    let Command::Set { params, .. } = one(r#"set bass name="""#) else {
        panic!()
    };
    assert_eq!(params[0].value, "");
}

#[test]
fn add_effect_with_params() {
    assert_eq!(
        one("add Reverb TO bass amount=0.3"),
        Command::Add {
            effect: w("reverb", 5),
            target: w("bass", 15),
            params: vec![p("amount", "0.3", 20, 27)],
        }
    );
}

#[test]
fn remove_effect_and_instrument() {
    assert_eq!(
        one("remove delay from bass"),
        Command::RemoveEffect {
            effect: w("delay", 8),
            target: w("bass", 19)
        }
    );
    assert_eq!(one("remove bass"), Command::Remove { name: w("bass", 8) });
    // An instrument may be called like an effect.
    assert_eq!(
        one("remove reverb"),
        Command::Remove {
            name: w("reverb", 8)
        }
    );
}

#[test]
fn tempo_and_swing() {
    assert_eq!(one("tempo 128"), Command::Tempo { bpm: 128.0 });
    assert_eq!(one("tempo 97.5"), Command::Tempo { bpm: 97.5 });
    assert_eq!(one("swing 0.1"), Command::Swing { amount: 0.1 });
    assert_eq!(one("swing 0"), Command::Swing { amount: 0.0 });
}

#[test]
fn mute_solo_unmute_unsolo() {
    assert_eq!(
        one("mute hat"),
        Command::Mute(Targets::Names(vec![w("hat", 6)]))
    );
    assert_eq!(one("mute all"), Command::Mute(Targets::All));
    assert_eq!(
        one("solo bass kick"),
        Command::Solo(vec![w("bass", 6), w("kick", 11)])
    );
    assert_eq!(one("unmute"), Command::Unmute(Targets::All));
    assert_eq!(
        one("unmute hat"),
        Command::Unmute(Targets::Names(vec![w("hat", 8)]))
    );
    assert_eq!(one("unsolo"), Command::Unsolo);
}

#[test]
fn quantize_values() {
    for (text, q) in [
        ("bar", Quantize::Bar),
        ("beat", Quantize::Beat),
        ("step", Quantize::Step),
        ("NOW", Quantize::Now),
    ] {
        assert_eq!(one(&format!("quantize {text}")), Command::Quantize(q));
    }
}

#[test]
fn note_with_name_velocity_and_beats() {
    assert_eq!(
        one("note bass Eb2 0.8 0.5"),
        Command::Note {
            name: w("bass", 6),
            note: NoteArg {
                text: "Eb2".into(),
                column: 11,
                midi: 39.0
            },
            velocity: Some(0.8),
            beats: Some(0.5),
        }
    );
}

#[test]
fn note_with_midi_number_only() {
    let Command::Note {
        note,
        velocity,
        beats,
        ..
    } = one("note lead 60")
    else {
        panic!()
    };
    assert_eq!((note.text.as_str(), note.midi), ("60", 60.0));
    assert_eq!((velocity, beats), (None, None));
}

#[test]
fn note_sharp_is_not_a_comment() {
    let Command::Note { note, .. } = one("note lead F#3 1") else {
        panic!()
    };
    assert_eq!(note.midi, 54.0);
}

#[test]
fn scene_and_arrange() {
    assert_eq!(
        one("scene verse"),
        Command::Scene {
            name: w("verse", 7)
        }
    );
    assert_eq!(one("arrange"), Command::Arrange);
}

#[test]
fn save_and_load_patch() {
    assert_eq!(
        one(r#"save patch "deep_groove""#),
        Command::SavePatch {
            name: w("deep_groove", 12),
            force: false
        }
    );
    assert_eq!(
        one("save patch deep_groove --force"),
        Command::SavePatch {
            name: w("deep_groove", 12),
            force: true
        }
    );
    assert_eq!(
        one("Save Patch --FORCE groove"),
        Command::SavePatch {
            name: w("groove", 20),
            force: true
        }
    );
    assert_eq!(
        one("load patch deep_groove"),
        Command::LoadPatch {
            name: w("deep_groove", 12)
        }
    );
}

#[test]
fn status_list_help_quit() {
    assert_eq!(one("status"), Command::Status);
    assert_eq!(one("list"), Command::List(ListTopic::Instruments));
    assert_eq!(
        one("list instruments"),
        Command::List(ListTopic::Instruments)
    );
    assert_eq!(one("list types"), Command::List(ListTopic::Types));
    assert_eq!(one("list Effects"), Command::List(ListTopic::Effects));
    assert_eq!(one("list scenes"), Command::List(ListTopic::Scenes));
    assert_eq!(one("list patches"), Command::List(ListTopic::Patches));
    assert_eq!(
        one("list params reverb"),
        Command::List(ListTopic::Params(w("reverb", 13)))
    );
    assert_eq!(one("help"), Command::Help { topic: None });
    assert_eq!(
        one("help Sequence"),
        Command::Help {
            topic: Some(w("sequence", 6))
        }
    );
    assert_eq!(one("quit"), Command::Quit);
}

#[test]
fn names_keep_their_case_and_may_hold_digits_dashes_underscores() {
    assert_eq!(
        one("stop Bass-2 lead_A"),
        Command::Stop(Targets::Names(vec![w("Bass-2", 6), w("lead_A", 13)]))
    );
}

#[test]
fn command_name_matches_keyword() {
    assert_eq!(one("remove reverb from bass").name(), "remove");
    assert_eq!(one("save patch x").name(), "save");
    assert_eq!(one("unsolo").name(), "unsolo");
}

#[test]
fn numbered_effects_and_microtones() {
    let parts = chronus_command::parse_line("remove reverb2 from bass").unwrap();
    match &parts[0].command {
        chronus_command::Command::RemoveEffect { effect, .. } => assert_eq!(effect.text, "reverb2"),
        other => panic!("{other:?}"),
    }
    let parts = chronus_command::parse_line("note bass 60.5").unwrap();
    match &parts[0].command {
        chronus_command::Command::Note { note, .. } => assert_eq!(note.midi, 60.5),
        other => panic!("{other:?}"),
    }
    assert!(chronus_command::parse_line("remove reverbx2 from bass").is_err());
}
