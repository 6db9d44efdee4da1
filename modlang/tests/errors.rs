//! Every mistake is reported as one line, `FILE:LINE:COLUMN: what, expected`.

use chronus_modlang::parse;

fn error(source: &str) -> String {
    match parse(source, "modules/drone.cm", "drone") {
        Ok(_) => panic!("parsed, but should not have:\n{source}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_name_the_exact_line_and_column() {
    let cases: &[(&str, &str)] = &[
        (
            "param freq = 110 in 20..2000\noutput out = sawx(freq)",
            "modules/drone.cm:2:14: unknown unit 'sawx' (did you mean 'saw'?)",
        ),
        (
            "param cutoff = 30000 in 20..20000\noutput out = saw(cutoff)",
            "modules/drone.cm:1:16: default 30000 is outside 20..20000",
        ),
        (
            "param cutoff = 800 in 20..20000\noutput out = saw(110) >> lowpass(cutof, 0.3)",
            "modules/drone.cm:2:34: unknown name 'cutof' (did you mean 'cutoff'?)",
        ),
        (
            "output out = saw(110) >> lowpass(800)",
            "modules/drone.cm:1:26: 'lowpass' takes 3 arguments (lowpass(x, cutoff, q)), \
             but it got 2 (the signal piped in by '>>' counts as the first)",
        ),
        (
            "output out = saw(110, 3)",
            "modules/drone.cm:1:14: 'saw' takes 1 argument (saw(freq)), but it got 2",
        ),
        (
            "let x = (1 + 2",
            "modules/drone.cm:1:15: expected ')' to close the '(', found the end of the file",
        ),
        (
            "input in\nlet in = 1",
            "modules/drone.cm:2:5: 'in' is already defined on line 1; choose another name",
        ),
        (
            "output out = osc\nlet osc = saw(110)",
            "modules/drone.cm:1:14: 'osc' is used before it is defined (on line 2); define it first",
        ),
        (
            "let a = a + 1\noutput out = a",
            "modules/drone.cm:1:9: 'a' refers to itself; a definition can only use names defined above it",
        ),
        (
            "output out = saw(110) >> lowpass(800, 0.3) * 0.5",
            "modules/drone.cm:1:26: the right side of '>>' must be a unit, like lowpass(800, 0.3); \
             to combine the result, use parentheses: (x >> lowpass(800, 0.3)) * 0.5",
        ),
        (
            "let x = 3 $ 4",
            "modules/drone.cm:1:11: unexpected character '$'; expected a name, a number, \
             an operator or '#' for a comment",
        ),
        (
            "param a = 1 in 5..5\noutput out = a",
            "modules/drone.cm:1:16: range 5..5 is empty; the first number must be below the second",
        ),
        (
            "# just a comment\ninput in\n",
            "modules/drone.cm:3:1: this module has no output; add a line like 'output out = saw(110) * 0.2'",
        ),
        (
            "output out = 1e39",
            "modules/drone.cm:1:14: number 1e39 is too large (the largest is about 3.4e38)",
        ),
        (
            "output out = saw",
            "modules/drone.cm:1:14: 'saw' is a unit; call it with its arguments, like saw(freq)",
        ),
        (
            "let osc = saw(1)\noutput out = osc(3)",
            "modules/drone.cm:2:14: 'osc' is a signal, not a unit; only units can be called \
             or piped into (see the unit list)",
        ),
        (
            "param a = 1",
            "modules/drone.cm:1:12: expected 'in' and a range, like 'in 20..2000', found the end of the file",
        ),
        (
            "  foo = 1",
            "modules/drone.cm:1:3: expected a statement ('input', 'param', 'let' or 'output'), found 'foo'",
        ),
        (
            "let saw = 1",
            "modules/drone.cm:1:5: 'saw' is the name of a unit; choose another name",
        ),
        (
            "output out = saw(1) / 0",
            "modules/drone.cm:1:21: division by zero",
        ),
        (
            "param a = 1 in 0..2 \"unclosed\noutput out = a",
            "modules/drone.cm:1:21: this string has no closing '\"' on its line",
        ),
        (
            "output out = 110hz",
            "modules/drone.cm:1:14: '110hz' is not a number; put an operator or a space \
             between a number and a name",
        ),
        (
            "let x = 1 +\noutput out = x",
            "modules/drone.cm:2:1: expected a number, a name, '-' or '(' (a statement keyword \
             cannot start an expression), found 'output'",
        ),
    ];
    for (source, want) in cases {
        let got = error(source);
        assert_eq!(&got, want, "for:\n{source}");
        assert!(!got.contains('\n'), "{got}");
    }
}

#[test]
fn error_locations_are_typed() {
    let e = parse("\n\n   output out = nope", "f.cm", "f").err();
    let at = e.as_ref().map(|e| e.location().clone());
    assert_eq!(at.map(|a| (a.line, a.column)), Some((3, 17)));
    assert!(matches!(
        e,
        Some(chronus_modlang::Error::UnknownName { .. })
    ));
}
