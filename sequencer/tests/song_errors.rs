//! Song errors point at the mistake: for each kind of mistake, put it in
//! the first, a middle and the last instrument, and check that the error
//! names that instrument (and effect), gives the line and column of the
//! offending key or value, and speaks in the song's terms (no Rust type
//! names).

use chronus_sequencer::Song;
use std::path::Path;

const NAMES: [&str; 3] = ["one", "two", "three"];

/// A song of three synths; instrument `at` gets `extra` lines after its
/// `type:` line (or, when `replace_type`, instead of it). Returns the text
/// and the line number of the first extra line.
fn song(at: usize, extra: &str, replace_type: bool) -> (String, usize) {
    let mut src = String::from("tempo: 120\ninstruments:\n");
    let mut line_of_extra = 0;
    for (i, name) in NAMES.iter().enumerate() {
        src.push_str(&format!("  {name}:\n"));
        if i == at {
            if !replace_type {
                src.push_str("    type: synth\n");
            }
            line_of_extra = src.lines().count() + 1;
            src.push_str(extra);
        } else {
            src.push_str("    type: synth\n");
        }
        src.push_str("    release: 0.2\n");
    }
    src.push_str("patterns:\n  a:\n    one: \"C2\"\n");
    (src, line_of_extra)
}

fn error(src: &str) -> String {
    match Song::from_yaml(src, Path::new("s.yaml")) {
        Ok(_) => panic!("should not load:\n{src}"),
        Err(e) => e.to_string(),
    }
}

/// Each case: the extra lines, whether they replace `type:`, the line
/// offset (from the first extra line) and column of the error, what the
/// message names after `instruments.NAME`, and a fragment it says.
const CASES: &[(&str, bool, usize, usize, &str, &str)] = &[
    (
        "    osc: sawtooth\n",
        false,
        0,
        10,
        ".osc: ",
        "unknown choice `sawtooth`",
    ),
    (
        "    cutof: 3\n",
        false,
        0,
        5,
        ".cutof: ",
        "unknown field `cutof`",
    ),
    (
        "    cutoff: high\n",
        false,
        0,
        13,
        ".cutoff: ",
        "expected a number in 20..20000 but found 'high'",
    ),
    (
        "    attack: [1, 2]\n",
        false,
        0,
        13,
        ".attack: ",
        "expected a number but found a list",
    ),
    (
        "    effects: { type: reverb }\n",
        false,
        0,
        14,
        ".effects: ",
        "expected a list of effects",
    ),
    (
        "    effects:\n      - type: reverb\n        size: big\n",
        false,
        2,
        15,
        ".effects[0].size: ",
        "size takes a number, not the text \"big\"",
    ),
    (
        "    effects:\n      - type: reverb\n      - type: delai\n",
        false,
        2,
        15,
        ".effects[1].type: ",
        "unknown effect type `delai`",
    ),
    (
        "    type: sinth\n",
        true,
        0,
        11,
        ".type: ",
        "did you mean `synth`?",
    ),
    (
        "    typ: synth\n",
        true,
        -1i64 as usize,
        3,
        ": ",
        "missing `type:`",
    ),
    (
        "\tgain: 3\n",
        false,
        0,
        1,
        ": ",
        "indent with spaces, not tabs",
    ),
    (
        "      gain: 3\n",
        false,
        0,
        11,
        ": ",
        "check the indentation",
    ),
    (
        "    gain: 1\n    gain: 2\n",
        false,
        1,
        5,
        ": ",
        "the key `gain` appears twice",
    ),
];

#[test]
fn every_mistake_names_its_instrument_and_place_wherever_it_is() {
    for &(extra, replace, dline, col, names, says) in CASES {
        for (at, name) in NAMES.iter().enumerate() {
            let (src, first) = song(at, extra, replace);
            let e = error(&src);
            // "missing type" points at the instrument's own key, one line up.
            let line = first.wrapping_add(dline);
            let place = format!("s.yaml:{line}:{col}: instruments.{name}{names}");
            assert!(e.starts_with(&place), "expected {place:?}\n got {e}\n{src}");
            assert!(e.contains(says), "expected {says:?} in {e}");
            for rust in [
                "f64", "u64", "struct ", "enum ", "variant", "sequence", "Spec",
            ] {
                assert!(!e.contains(rust), "{rust:?} in {e}");
            }
        }
    }
}
