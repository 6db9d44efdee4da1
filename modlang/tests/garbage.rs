//! No input makes `parse`, `build` or `render` panic: garbage, every
//! truncation of a real file, huge numbers, deep nesting and huge programs
//! are either accepted (and then run) or rejected with a one-line error.

use chronus_modlang::{parse, template, MAX_DEPTH};

/// Parse; if accepted, build and render a few blocks. The error, if any.
fn survive(source: &str) -> Option<String> {
    match parse(source, "g.cm", "g") {
        Ok(def) => {
            let mut m = def.build(48_000.0);
            for len in [64, 1, 0, 63, 200] {
                m.render(len);
                for o in 0..def.outputs().len() {
                    assert!(m.output(o).iter().all(|s| s.is_finite()), "{source}");
                }
            }
            None
        }
        Err(e) => {
            let text = e.to_string();
            assert!(text.starts_with("g.cm:"), "{text}");
            assert!(!text.contains('\n'), "{text}");
            Some(text)
        }
    }
}

#[test]
fn garbage_never_panics() {
    // Pseudo-random text from the language's own alphabet and beyond.
    let alphabet: Vec<char> = "abcinoutpramlesw()+-*/>.,=\"#0123456789 \n\té€\u{0}"
        .chars()
        .collect();
    let mut x = 0x1234_5678u32;
    for _ in 0..3000 {
        let len = (x % 80) as usize;
        let s: String = (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                alphabet[x as usize % alphabet.len()]
            })
            .collect();
        survive(&s);
    }
}

#[test]
fn every_truncation_of_the_template_is_handled() {
    let t = template("drone");
    let mut accepted = 0;
    for (i, _) in t.char_indices() {
        if survive(&t[..i]).is_none() {
            accepted += 1;
        }
    }
    assert!(survive(&t).is_none(), "the whole template parses");
    assert!(accepted > 0);
}

#[test]
fn huge_numbers_and_deep_nesting_are_errors() {
    let deep = |open: &str, close: &str, n: usize| {
        format!("output out = {}1{}", open.repeat(n), close.repeat(n))
    };
    let too_deep = format!("more than {MAX_DEPTH} levels");
    for src in [
        deep("(", ")", 10_000),
        deep("tanh(", ")", 10_000),
        deep("-", "", 10_000),
        deep("sine(", ")", MAX_DEPTH + 5),
        format!("output out = 1{}", " + 1".repeat(20_000)),
        format!("output out = saw(1){}", " >> tanh".repeat(500)),
    ] {
        let e = survive(&src).unwrap_or_else(|| panic!("accepted {}", &src[..40]));
        assert!(e.contains(&too_deep), "{e}");
    }
    // Nesting within the limit is fine.
    assert_eq!(survive(&deep("(", ")", 50)), None);
    for src in [
        "output out = 99999999999999999999999999999999999999999",
        "output out = 1e300",
        "param a = 1e39 in 0..1\noutput out = a",
        "output out = 3e38 * 10",
    ] {
        assert!(
            survive(src).is_some_and(|e| e.contains("too large")),
            "{src}"
        );
    }
}

#[test]
fn huge_programs_are_errors() {
    let many = (0..5000)
        .map(|i| format!("let a{i} = saw({i})\n"))
        .collect::<String>()
        + "output out = a1";
    assert!(survive(&many).is_some_and(|e| e.contains("more than 4096 operations")));
    let one = "input in\nlet d = delay(in, 1)\noutput out = d";
    assert_eq!(survive(one), None);
    let echoes: String = (0..40)
        .map(|i| format!("let d{i} = delay(in, 1)\n"))
        .collect();
    let echoes = format!("input in\n{echoes}output out = d39");
    assert!(survive(&echoes).is_some_and(
        |e| e.starts_with("g.cm:34:11: module is too large: more than 32 delay lines")
    ));
    let big = "#".repeat(300_000);
    assert!(survive(&big).is_some_and(|e| e.starts_with("g.cm:1:1: module is too large")));
    let tokens = "output out = 1".to_string() + &" +1".repeat(40_000);
    assert!(survive(&tokens).is_some_and(|e| e.contains("tokens")));
}
