//! End-to-end tests: pattern text to events and errors.

use super::*;
use crate::pitch::Sound;

fn r(n: i64, d: i64) -> Rational {
    Rational::new(n, d)
}

fn p(src: &str) -> Pattern {
    match parse(src) {
        Ok(p) => p,
        Err(e) => panic!("{src:?} failed to parse: {e}"),
    }
}

/// `(onset, duration)` of every event in `cycle`.
fn times(src: &str, cycle: i64) -> Vec<(Rational, Rational)> {
    p(src)
        .events(cycle, 0)
        .iter()
        .map(|e| (e.onset, e.duration))
        .collect()
}

fn onsets(src: &str, cycle: i64) -> Vec<Rational> {
    times(src, cycle).into_iter().map(|(o, _)| o).collect()
}

fn values(src: &str, cycle: i64) -> Vec<Sound> {
    p(src)
        .sounds(cycle, 0)
        .into_iter()
        .map(|e| e.sound)
        .collect()
}

fn note(n: f32) -> Sound {
    Sound::Notes(vec![n])
}

/// Render one cycle as a step string on a grid of `steps` (x/X/n for
/// events, `.` otherwise); panics if an event is off the grid.
fn grid(src: &str, cycle: i64, steps: i64) -> String {
    let mut out = vec!['.'; steps as usize];
    for e in p(src).sounds(cycle, 0) {
        let pos = (e.onset - Rational::from(cycle)) * Rational::from(steps);
        assert!(pos.is_integer(), "{src}: onset {} off the grid", e.onset);
        out[pos.num as usize] = match e.sound {
            Sound::Hit => 'x',
            Sound::Accent => 'X',
            Sound::Notes(_) => 'n',
        };
    }
    out.into_iter().collect()
}

fn error(src: &str) -> PatternError {
    match parse(src) {
        Ok(_) => panic!("{src:?} should not parse"),
        Err(e) => e,
    }
}

#[test]
fn sequence_shares_the_cycle() {
    assert_eq!(
        times("C2 C2 G2 Eb2", 0),
        vec![
            (r(0, 1), r(1, 4)),
            (r(1, 4), r(1, 4)),
            (r(1, 2), r(1, 4)),
            (r(3, 4), r(1, 4))
        ]
    );
    assert_eq!(
        values("C2 C2 G2 Eb2", 0),
        vec![note(36.0), note(36.0), note(43.0), note(39.0)]
    );
    // Absolute onsets in later and earlier cycles.
    assert_eq!(onsets("x x x", 5), vec![r(5, 1), r(16, 3), r(17, 3)]);
    assert_eq!(onsets("x [x x]", -1), vec![r(-1, 1), r(-1, 2), r(-1, 4)]);
}

#[test]
fn hits_accents_rests() {
    assert_eq!(
        values("x X . ~ x", 0),
        vec![Sound::Hit, Sound::Accent, Sound::Hit]
    );
    assert_eq!(onsets("x X . ~ x", 0), vec![r(0, 1), r(1, 5), r(4, 5)]);
}

#[test]
fn step_strings() {
    assert_eq!(
        times("x...x...x...x...", 0),
        vec![
            (r(0, 1), r(1, 16)),
            (r(1, 4), r(1, 16)),
            (r(1, 2), r(1, 16)),
            (r(3, 4), r(1, 16))
        ]
    );
    assert_eq!(grid("x.x.x.x.xxxxXXXX", 0, 16), "x.x.x.x.xxxxXXXX");
    assert_eq!(grid("x.x. x.x.", 0, 8), "x.x.x.x.");
    assert_eq!(grid("~x~x", 3, 4), ".x.x");
    // `_` inside a step string lengthens the previous step.
    assert_eq!(
        times("x_.x", 0),
        vec![(r(0, 1), r(1, 2)), (r(3, 4), r(1, 4))]
    );
    // Step strings nest like any other steps.
    assert_eq!(grid("[x.] [x...]", 0, 8), "x...x...");
}

#[test]
fn empty_and_silent_patterns() {
    for src in [
        "", "   ", "~", ". . .", "~~~~", "[]", "[~ ~]", "<>", "[,]", "~*4", "~(3,8)",
    ] {
        let pat = p(src);
        assert!(pat.is_silent(), "{src:?}");
        for c in -2..3 {
            assert!(pat.events(c, 0).is_empty(), "{src:?}");
        }
    }
}

#[test]
fn whitespace_is_flexible() {
    assert_eq!(times(" \tx   x\t\n", 0), times("x x", 0));
    assert_eq!(times("[ x  x ]", 0), times("[x x]", 0));
    // As in Strudel, spaces may separate a modifier from its step and
    // from its argument: `x * 2`, `x *2` and `x* 2` are all `x*2`.
    for src in ["x* 2", "x *2", "x * 2", "x\t*\t2"] {
        assert_eq!(times(src, 0), times("x*2", 0), "{src:?}");
    }
    // A number after `@` or `!` must touch it, as in Strudel: `x @ 3` is
    // `x@2` followed by a step `3`.
    assert_eq!(values("C4 @ 60", 0), values("C4@2 60", 0));
    assert_eq!(times("x @2 x", 0), times("x@2 x", 0));
}

#[test]
fn subdivision_nests() {
    assert_eq!(
        times("x [x x] [x [x x]]", 0),
        vec![
            (r(0, 1), r(1, 3)),
            (r(1, 3), r(1, 6)),
            (r(1, 2), r(1, 6)),
            (r(2, 3), r(1, 6)),
            (r(5, 6), r(1, 12)),
            (r(11, 12), r(1, 12)),
        ]
    );
    assert_eq!(times("[[[x]]]", 2), vec![(r(2, 1), r(1, 1))]);
}

#[test]
fn notes_and_numbers() {
    assert_eq!(
        values("C-1 C4 A4 Eb2 F#3 Fs3 B#3 Cb4 bb2 G9", 0),
        [0.0, 60.0, 69.0, 39.0, 54.0, 54.0, 60.0, 59.0, 46.0, 127.0]
            .map(note)
            .to_vec()
    );
    assert_eq!(
        values("60 62.5 0 127", 0),
        [60.0, 62.5, 0.0, 127.0].map(note).to_vec()
    );
    assert_eq!(values("C2_ E2", 0), vec![note(36.0), note(40.0)]);
    assert_eq!(onsets("C2_ E2", 0), vec![r(0, 1), r(2, 3)]);
}

#[test]
fn note_name_function() {
    assert_eq!(note_name("C-1"), Some(0));
    assert_eq!(note_name("C4"), Some(60));
    assert_eq!(note_name("A4"), Some(69));
    assert_eq!(note_name("Eb2"), Some(39));
    assert_eq!(note_name("F#3"), Some(54));
    assert_eq!(note_name("B#3"), Some(60));
    assert_eq!(note_name("Cb4"), Some(59));
    assert_eq!(note_name(" C3 "), Some(48));
    assert_eq!(note_name("c3"), Some(48));
    assert_eq!(note_name("H3"), None);
    assert_eq!(note_name("C"), None);
    assert_eq!(note_name("C10"), None);
    assert_eq!(note_name("60"), None);
}

#[test]
fn fast() {
    assert_eq!(
        times("x*4", 0),
        vec![
            (r(0, 1), r(1, 4)),
            (r(1, 4), r(1, 4)),
            (r(1, 2), r(1, 4)),
            (r(3, 4), r(1, 4))
        ]
    );
    assert_eq!(grid("[x X]*2", 0, 4), "xXxX");
    assert_eq!(grid("x [x x]*2", 0, 8), "x...xxxx");
    assert_eq!(
        times("x*3", 7),
        vec![(r(7, 1), r(1, 3)), (r(22, 3), r(1, 3)), (r(23, 3), r(1, 3))]
    );
    // Fractional speeds: one event every 2/3 cycle.
    assert_eq!(
        times("x*1.5", 0),
        vec![(r(0, 1), r(2, 3)), (r(2, 3), r(2, 3))]
    );
    assert_eq!(onsets("x*1.5", 1), vec![r(4, 3)]);
    assert_eq!(onsets("x*1.5", 2), vec![r(2, 1), r(8, 3)]);
    assert_eq!(times("x*3/2", 1), times("x*1.5", 1));
    assert_eq!(onsets("x*1.5", -1), vec![r(-2, 3)]);
}

#[test]
fn slow() {
    assert_eq!(times("x/2", 0), vec![(r(0, 1), r(2, 1))]);
    assert!(times("x/2", 1).is_empty());
    assert_eq!(times("x/2", 2), vec![(r(2, 1), r(2, 1))]);
    assert!(times("x/2", -1).is_empty());
    assert_eq!(times("x/2", -2), vec![(r(-2, 1), r(2, 1))]);
    // A two-step sequence spread over two cycles.
    assert_eq!(times("[C4 D4]/2", 0), vec![(r(0, 1), r(1, 1))]);
    assert_eq!(values("[C4 D4]/2", 0), vec![note(60.0)]);
    assert_eq!(times("[C4 D4]/2", 1), vec![(r(1, 1), r(1, 1))]);
    assert_eq!(values("[C4 D4]/2", 1), vec![note(62.0)]);
    assert_eq!(values("[C4 D4]/2", 2), vec![note(60.0)]);
    // In a step: x/2 sounds in even cycles, with twice the step's length.
    assert_eq!(
        times("x x/2", 0),
        vec![(r(0, 1), r(1, 2)), (r(1, 2), r(1, 1))]
    );
    assert_eq!(times("x x/2", 1), vec![(r(1, 1), r(1, 2))]);
    // Three steps over two cycles: the middle one starts mid-cycle... none
    // start in cycle 1 except the one at 4/3.
    assert_eq!(
        times("[x x x]/2", 0),
        vec![(r(0, 1), r(2, 3)), (r(2, 3), r(2, 3))]
    );
    assert_eq!(times("[x x x]/2", 1), vec![(r(4, 3), r(2, 3))]);
    assert_eq!(times("x/1.5", 1), vec![(r(3, 2), r(3, 2))]);
}

#[test]
fn alternation() {
    let cycle_values = |src: &str, cycles: std::ops::Range<i64>| -> Vec<Vec<f32>> {
        let notes = |src: &str, c: i64| -> Vec<f32> {
            values(src, c)
                .into_iter()
                .flat_map(|s| match s {
                    Sound::Notes(n) => n,
                    _ => vec![],
                })
                .collect()
        };
        cycles.map(|c| notes(src, c)).collect()
    };
    let (c, d, e) = (60.0, 62.0, 64.0);
    assert_eq!(
        cycle_values("<C4 D4 E4>", 0..4),
        vec![vec![c], vec![d], vec![e], vec![c]]
    );
    // Negative cycles use floored modulo.
    assert_eq!(
        cycle_values("<C4 D4 E4>", -4..0),
        vec![vec![e], vec![c], vec![d], vec![e]]
    );
    assert_eq!(times("<C4 D4 E4>", -1), vec![(r(-1, 1), r(1, 1))]);
    // Nested alternations advance once per visit.
    assert_eq!(
        cycle_values("<C4 <D4 E4>>", 0..6),
        vec![vec![c], vec![d], vec![c], vec![e], vec![c], vec![d]]
    );
    assert_eq!(
        cycle_values("<C4 <D4 E4>>", -4..0),
        vec![vec![c], vec![d], vec![c], vec![e]]
    );
    // Inside a sequence step.
    assert_eq!(
        times("x <C4 D4>", 1),
        vec![(r(1, 1), r(1, 2)), (r(3, 2), r(1, 2))]
    );
    assert_eq!(values("x <C4 D4>", 1), vec![Sound::Hit, note(d)]);
    // The chosen child is a full pattern.
    assert_eq!(onsets("<x x*2>", 1), vec![r(1, 1), r(3, 2)]);
    assert_eq!(onsets("<[x x] x>", 2), vec![r(2, 1), r(5, 2)]);
    // Stacked alternations, and `_` lengthening an alternative.
    assert_eq!(values("<C4 D4, E4>", 1), vec![note(d), note(e)]);
    assert_eq!(times("<C4 _ D4>", 0), vec![(r(0, 1), r(2, 1))]);
    assert!(times("<C4 _ D4>", 1).is_empty());
    assert_eq!(values("<C4 _ D4>", 2), vec![note(d)]);
    assert_eq!(values("<C4!2 D4>", 1), vec![note(c)]);
    assert_eq!(values("<C4!2 D4>", 2), vec![note(d)]);
}

#[test]
fn euclid_table() {
    assert_eq!(grid("x(3,8)", 0, 8), "x..x..x.");
    assert_eq!(grid("x(5,8)", 0, 8), "x.xx.xx.");
    assert_eq!(grid("x(3,8,2)", 0, 8), ".x..x.x.");
    assert_eq!(grid("x(7,16)", 0, 16), "x..x.x.x..x.x.x.");
    assert_eq!(grid("X(3,8,-1)", 0, 8), ".X..X..X");
    assert_eq!(grid("x(0,8)", 0, 8), "........");
    assert_eq!(grid("x(4,4)", 0, 4), "xxxx");
    assert_eq!(
        times("C4(3,8)", 2),
        vec![(r(2, 1), r(1, 8)), (r(19, 8), r(1, 8)), (r(11, 4), r(1, 8))]
    );
    // Each hit takes what the group plays at that moment (Strudel's
    // `struct`), and a euclid in one step of a sequence.
    assert_eq!(grid("[x X](3,8)", 0, 8), "x..x..X.");
    assert_eq!(grid("x(3,4) X", 0, 8), "xxx.X...");
}

#[test]
fn elongation() {
    assert_eq!(
        times("C4@3 D4", 0),
        vec![(r(0, 1), r(3, 4)), (r(3, 4), r(1, 4))]
    );
    assert_eq!(times("x _ _ x", 0), times("x@3 x", 0));
    assert_eq!(times("x__x", 0), times("x@3 x", 0));
    assert_eq!(
        times("x@1.5 x", 0),
        vec![(r(0, 1), r(3, 5)), (r(3, 5), r(2, 5))]
    );
    assert_eq!(times("[x@3 x]*2", 0).len(), 4);
    assert_eq!(
        times("x . _ x", 0),
        vec![(r(0, 1), r(1, 4)), (r(3, 4), r(1, 4))]
    );
}

#[test]
fn replicate() {
    assert_eq!(grid("x!3 X", 0, 4), "xxxX");
    assert_eq!(grid("x ! ! X", 0, 4), "xxxX");
    assert_eq!(grid("x! X", 0, 3), "xxX");
    assert_eq!(grid("[x X]!2", 0, 4), "xXxX");
    // As in Strudel, `_` lengthens the group of copies: `x!2 _` has
    // weight 3, shared by its two copies.
    assert_eq!(grid("x!2 _ X", 0, 8), "x..x..X.");
    assert_eq!(
        times("x!2 _", 0),
        vec![(r(0, 1), r(1, 2)), (r(1, 2), r(1, 2))]
    );
}

#[test]
fn stacks() {
    assert_eq!(
        p("[C4,E4,G4]").events(0, 0),
        vec![
            PatternEvent {
                onset: r(0, 1),
                duration: r(1, 1),
                value: Value::Word("C4".into())
            },
            PatternEvent {
                onset: r(0, 1),
                duration: r(1, 1),
                value: Value::Word("E4".into())
            },
            PatternEvent {
                onset: r(0, 1),
                duration: r(1, 1),
                value: Value::Word("G4".into())
            },
        ]
    );
    assert_eq!(
        times("x*4, ~ x", 0),
        vec![
            (r(0, 1), r(1, 4)),
            (r(1, 4), r(1, 4)),
            (r(1, 2), r(1, 4)),
            (r(1, 2), r(1, 2)),
            (r(3, 4), r(1, 4)),
        ]
    );
    assert_eq!(
        onsets("[x x, x x x]", 0),
        vec![r(0, 1), r(0, 1), r(1, 3), r(1, 2), r(2, 3)]
    );
    assert_eq!(
        values("C2 [C4,E4]", 0),
        [36.0, 60.0, 64.0].map(note).to_vec()
    );
}

#[test]
fn degrade_is_seeded_and_reproducible() {
    let pat = p("x*16?");
    for c in 0..20 {
        assert_eq!(pat.events(c, 42), pat.events(c, 42));
        assert_eq!(pat.events(c, 42), p("x*16?").events(c, 42));
    }
    let all =
        |seed: u64| -> Vec<Vec<PatternEvent>> { (0..20).map(|c| pat.events(c, seed)).collect() };
    assert_ne!(all(1), all(2));
    // Each `?` decides independently.
    assert_ne!(
        (0..20)
            .map(|c| p("x?*16").events(c, 3).len())
            .collect::<Vec<_>>(),
        (0..20)
            .map(|c| p("x*16?").events(c, 3).len())
            .collect::<Vec<_>>()
    );
}

#[test]
fn degrade_rates() {
    let rate = |src: &str, seed: u64| -> f64 {
        let pat = p(src);
        let kept: usize = (0..1000).map(|c| pat.events(c, seed).len()).sum();
        1.0 - kept as f64 / 16000.0
    };
    for seed in [0, 1, 12345] {
        let half = rate("x*16?", seed);
        assert!((0.45..=0.55).contains(&half), "x*16? dropped {half}");
        let third = rate("x*16?0.3", seed);
        assert!((0.25..=0.35).contains(&third), "x*16?0.3 dropped {third}");
        let inner = rate("x?*16", seed);
        assert!((0.45..=0.55).contains(&inner), "x?*16 dropped {inner}");
    }
    assert_eq!(rate("x*16?0", 7), 0.0);
    assert_eq!(rate("x*16?1", 7), 1.0);
    // Kept events are untouched.
    for e in p("x*4?").events(3, 9) {
        assert_eq!(e.duration, r(1, 4));
        assert!(e.onset >= r(3, 1) && e.onset < r(4, 1));
    }
}

#[test]
fn events_are_sorted_by_onset() {
    for src in [
        "[x*3, x*2]",
        "x*5, x*7, x*3",
        "<x*3 x>, [x x]/3",
        "x(5,8), X(3,8,1)",
    ] {
        for c in -3..3 {
            let ev = p(src).events(c, 0);
            assert!(ev.windows(2).all(|w| w[0].onset <= w[1].onset), "{src}");
            assert!(ev.iter().all(|e| e.onset.floor() == c), "{src} cycle {c}");
        }
    }
}

#[test]
fn spans_cover_every_cycle_exactly_once() {
    // Events from successive cycles tile time: x/3 in a sequence of three
    // steps played slowly still produces each onset exactly once.
    let src = "[x x/3 [x x]*1.5]/2.5";
    let all: Vec<Rational> = (-10..10).flat_map(|c| onsets(src, c)).collect();
    let mut dedup = all.clone();
    dedup.dedup();
    assert_eq!(all, dedup);
    assert!(all.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn large_cycle_numbers() {
    let c = 1_000_000_000_000;
    assert_eq!(
        onsets("x [x x] <x x*2>", c),
        vec![
            Rational::from(c),
            r(3 * c + 1, 3),
            r(2 * c + 1, 2),
            r(3 * c + 2, 3)
        ]
    );
    assert_eq!(
        onsets("x [x x] <x x*2>", c + 1),
        vec![
            Rational::from(c + 1),
            r(3 * c + 4, 3),
            r(2 * c + 3, 2),
            r(3 * c + 5, 3),
            r(6 * c + 11, 6)
        ]
    );
    assert!(p("x*3").events(i64::MAX, 0).is_empty());
    assert_eq!(onsets("x", i64::MIN), vec![Rational::from(i64::MIN)]);
}

/// The first value error `check` finds in a pattern that parses.
fn value_error(src: &str) -> PatternError {
    match p(src).check(true) {
        Ok(_) => panic!("{src:?} should not pass the check"),
        Err(e) => e,
    }
}

#[test]
fn error_columns() {
    let e = error("x x [x x");
    assert_eq!(e.column, 5);
    assert_eq!(e.message, "unclosed '[' (opened at column 5)");
    let e = error("x*");
    assert_eq!(
        (e.column, e.message.as_str()),
        (2, "expected a number after '*'")
    );
    let e = error("x*0");
    assert_eq!(
        (e.column, e.message.as_str()),
        (2, "'*0' would never play: expected a number > 0")
    );
    let e = error("x x(5,3)");
    assert_eq!(e.column, 4);
    assert!(e
        .message
        .starts_with("euclid needs (k,n) or (k,n,r) with 0<=k<=n"));
    let e = error("x(3)");
    assert_eq!(e.column, 4);
    assert!(e
        .message
        .starts_with("euclid needs (k,n) or (k,n,r) with 0<=k<=n"));
    let e = error("x(3,y)");
    assert_eq!(e.column, 5);
    let e = error("x(3,8");
    assert_eq!(e.column, 2);
    assert_eq!(error("<x x").column, 1);
    assert_eq!(error("[x x>").column, 5);
    assert_eq!(error("x x]").column, 4);
    assert_eq!(error("x )").column, 3);
    // A leading `_` is a tie over the bar line (see song_timing); inside a
    // group it has nothing to lengthen.
    assert_eq!(error("[_ x]").column, 2);
    assert_eq!(p("_ x").tie(), Some(Rational::new(1, 2)));
    assert_eq!(p("_ _ x@2").tie(), Some(Rational::new(1, 2)));
    assert_eq!(p("_@3 x ~@4").tie(), Some(Rational::new(3, 8)));
    assert_eq!(p("_, [C4,E4]").tie(), Some(Rational::from(1)));
    assert_eq!(p("x _").tie(), None);
    assert_eq!(error("! x").column, 1);
    assert_eq!(error("*2").column, 1);
    assert_eq!(error("(3,8)").column, 1);
    assert_eq!(error("x*a").column, 3);
    assert_eq!(error("x*<2 a>").column, 6);
    assert_eq!(error("a | b, c").column, 6);
    assert_eq!(error("<a | b>").column, 4);
    assert_eq!(error("x%2").column, 2);
    // `..` after something that is not a number is two rests.
    assert_eq!(times("x .. x", 0), times("x . . x", 0));
    assert_eq!(error("[..").column, 1);
    assert_eq!(error("0 .. 2.5").column, 3);
    assert_eq!(
        error("x/0").message,
        "'/0' would never play: expected a number > 0"
    );
    assert_eq!(
        error("x@0").message,
        "'@0' would take no time: expected a number > 0"
    );
    assert_eq!(error("x?2").column, 2);
    assert_eq!(error("x!1.5").column, 2);
    assert_eq!(error("x*2000").column, 2);
    assert!(error("x x [x x").to_string().starts_with("column 5: "));

    // Values that parse but mean nothing to a pitched instrument are
    // reported by `check`, at their column.
    let e = value_error("C2 H2");
    assert_eq!(e.column, 4);
    assert!(e.message.starts_with("'H2' is not a note"), "{}", e.message);
    assert!(e.message.contains("kit"), "{}", e.message);
    assert_eq!(value_error("x #").column, 3);
    let e = value_error("x C12");
    assert_eq!(
        (e.column, e.message.as_str()),
        (4, "octave 12 is out of range -1..9")
    );
    assert_eq!(value_error("x x2").column, 3);
    let e = value_error("C2x");
    assert_eq!(
        (e.column, e.message.as_str()),
        (
            3,
            "unexpected 'x' after note C2: separate steps with spaces"
        )
    );
    assert_eq!(value_error("60x").column, 1);
    assert_eq!(
        value_error("200").message,
        "note number 200 is out of range 0..127"
    );
    assert_eq!(value_error("  é").column, 3);
    assert_eq!(value_error("C4 bd:3").column, 4);
    assert!(value_error("C:nope")
        .message
        .contains("unknown chord 'nope'"));
    assert_eq!(value_error("[0 .. 200]").column, 4);
    // What used to be errors and is Strudel's notation now.
    assert_eq!(p("Eb").check(true), Ok(vec![]));
    assert_eq!(times("{x}", 0), times("x", 0));
}

#[test]
fn low_numbers_warn_on_pitched_instruments() {
    let w = p("0 2 4 7").check(true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("scale degrees"), "{}", w[0]);
    assert_eq!(p("0 2 4 7").check(false), Ok(vec![]));
    assert_eq!(p("36 48").check(true), Ok(vec![]));
    let scale = crate::pitch::Scale::parse("C:minor").unwrap_or_else(|e| panic!("{e}"));
    let minor = p("0 2 4 7").with_pitches(crate::pitch::Pitches {
        scale: Some(scale),
        kit: false,
        samples: None,
    });
    assert_eq!(minor.check(true), Ok(vec![]));
    let notes: Vec<Sound> = minor.sounds(0, 0).into_iter().map(|e| e.sound).collect();
    assert_eq!(notes, vec![note(48.0), note(51.0), note(55.0), note(60.0)]);
}

#[test]
fn pathological_inputs_are_rejected_quickly() {
    // Too many events per cycle.
    let e = error("[x*1024]*1024");
    assert_eq!(e.column, 9);
    assert!(e.message.contains("events per cycle"), "{}", e.message);
    assert!(error("x*1024!65").message.contains("events per cycle"));
    assert!(error("x(1024,1024)*65")
        .message
        .contains("events per cycle"));
    // Repeat counts and euclid sizes.
    assert!(error("x(3,1025)").message.contains("1..1024"));
    assert!(error("x!1025").message.contains("1024"));
    // Nesting depth.
    let deep_ok = format!("{}x{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert_eq!(times(&deep_ok, 0), vec![(r(0, 1), r(1, 1))]);
    let too_deep = format!(
        "{}x{}",
        "[".repeat(MAX_DEPTH + 1),
        "]".repeat(MAX_DEPTH + 1)
    );
    assert_eq!(error(&too_deep).column, MAX_DEPTH + 1);
    let unclosed = "[".repeat(100_000);
    assert_eq!(error(&unclosed).column, MAX_DEPTH + 1);
    let modifiers = format!("x{}", "?".repeat(10_000));
    assert!(error(&modifiers).message.contains("nests too deeply"));
    // Absurdly fine time.
    assert!(error("x*1.000001").message.contains("too finely"));
    // Big but allowed: exactly the cap.
    let pat = p("x*1024!64");
    assert_eq!(pat.events(0, 0).len(), MAX_EVENTS_PER_CYCLE);
    // Many nested subdivisions stay exact.
    let nested = format!("{}x{}", "[x ".repeat(30), "]".repeat(30));
    let ev = p(&nested).events(0, 0);
    assert_eq!(ev.len(), 31);
    assert_eq!(ev[30].onset, r((1 << 30) - 1, 1 << 30));
}

#[test]
fn from_str_matches_parse() {
    let a: Pattern = "x [x x]".parse().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(a, p("x [x x]"));
    assert!("x [".parse::<Pattern>().is_err());
}

#[test]
fn deepest_allowed_tree_queries_fine() {
    // `?0` keeps an event when the random value is above 0, which it is
    // everywhere but at time 0 (as in Strudel).
    let src = format!("x{}", "?0".repeat(255));
    assert_eq!(times(&src, 1), vec![(r(1, 1), r(1, 1))]);
    let mixed = format!("{}x{}", "<[".repeat(32), "]*2>".repeat(32));
    // 64 groups deep, each `*2` doubling: 2^32 events per cycle is refused.
    assert!(error(&mixed).message.contains("events per cycle"));
    let mixed = format!("{}x{}", "<[".repeat(32), "]/2>".repeat(32));
    let hits: usize = (0..64).map(|c| p(&mixed).events(c, 0).len()).sum();
    assert!(hits > 0);
}

#[test]
fn random_inputs_never_panic() {
    // Deterministic fuzzing: parse must return Ok or Err, and queries must
    // stay within their cycle and the event cap.
    const ALPHABET: &[char] = &[
        'x', 'X', '.', '~', '_', '[', ']', '<', '>', '(', ')', ',', '*', '/', '@', '!', '?', '0',
        '1', '2', '3', '8', '.', ' ', ' ', 'C', 'E', 'b', '#', '-', '4', '9',
    ];
    let mut state: u64 = 0x1234_5678;
    let mut next = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut parsed = 0;
    for _ in 0..20_000 {
        let len = (next() % 24) as usize;
        let src: String = (0..len)
            .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
            .collect();
        match parse(&src) {
            Ok(pat) => {
                parsed += 1;
                for c in [-3, 0, 1, 7] {
                    let ev = pat.events(c, 1);
                    assert!(ev.len() <= MAX_EVENTS_PER_CYCLE, "{src:?}");
                    assert!(ev.iter().all(|e| e.onset.floor() == c), "{src:?}");
                    assert!(ev.iter().all(|e| e.duration > Rational::ZERO), "{src:?}");
                }
            }
            Err(e) => {
                assert!(
                    e.column >= 1 && e.column <= src.chars().count() + 1,
                    "{src:?}: {e}"
                );
            }
        }
    }
    assert!(parsed > 1000, "only {parsed} random patterns parsed");
}

#[test]
fn sparse_queries_skip_unused_slots() {
    // 1000 alternatives played 1024 times per cycle: each query only visits
    // the slot it needs (this would be ~10^6 slot visits otherwise).
    let kids = vec!["x"; 1000].join(" ");
    let src = format!("[<{kids}>*1024]!8 <{kids}>(1000,1000)");
    let pat = p(&src);
    for c in 0..4 {
        assert_eq!(pat.events(c, 0).len(), 8 * 1024 + 1000);
    }
}
