//! Mini-notation parity with Strudel: every case in
//! `fixtures/strudel_mini.txt` (events written down once from Strudel
//! 1.2.6 by `scripts/strudel/generate.mjs`; Strudel is never run here) must
//! give exactly the same events: onsets, ends and values.

use chronus_sequencer::pattern::{self, Rational};

struct Case {
    line: usize,
    pattern: String,
    cycles: i64,
    events: Vec<(Rational, Rational, String)>,
}

fn rational(text: &str, line: usize) -> Rational {
    let (n, d) = text.split_once('/').unwrap_or((text, "1"));
    match (n.parse::<i64>(), d.parse::<i64>()) {
        (Ok(n), Ok(d)) if d != 0 => Rational::new(n, d),
        _ => panic!("fixture line {line}: bad time '{text}'"),
    }
}

fn cases() -> Vec<Case> {
    let text = include_str!("fixtures/strudel_mini.txt");
    let mut out: Vec<Case> = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let line = i + 1;
        if let Some(p) = l.strip_prefix("pattern: ") {
            out.push(Case {
                line,
                pattern: p.to_string(),
                cycles: 4,
                events: Vec::new(),
            });
        } else if let Some(c) = l.strip_prefix("cycles: ") {
            if let Some(last) = out.last_mut() {
                last.cycles = c.trim().parse().unwrap_or(4);
            }
        } else if l.starts_with('#') || l.starts_with("strudel: ") || l.trim().is_empty() {
            continue;
        } else {
            let mut parts = l.splitn(3, ' ');
            let (b, e, v) = (parts.next(), parts.next(), parts.next());
            let (Some(b), Some(e), Some(v), Some(case)) = (b, e, v, out.last_mut()) else {
                panic!("fixture line {line}: expected 'begin end value'");
            };
            case.events
                .push((rational(b, line), rational(e, line), v.to_string()));
        }
    }
    out
}

fn chronus_events(src: &str, cycles: i64) -> Result<Vec<(Rational, Rational, String)>, String> {
    let p = pattern::parse(src).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for c in 0..cycles {
        for e in p.events(c, 0) {
            out.push((e.onset, e.onset + e.duration, e.value.to_string()));
        }
    }
    out.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    Ok(out)
}

#[test]
fn every_fixture_case_matches_strudel() {
    let cases = cases();
    assert!(cases.len() >= 200, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        match chronus_events(&case.pattern, case.cycles) {
            Ok(got) if got == case.events => {}
            Ok(got) => {
                let show = |v: &[(Rational, Rational, String)]| {
                    v.iter()
                        .take(12)
                        .map(|(b, e, s)| format!("{b}-{e} {s}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                failures.push(format!(
                    "line {}: {:?}\n    strudel ({}): {}\n    chronus ({}): {}",
                    case.line,
                    case.pattern,
                    case.events.len(),
                    show(&case.events),
                    got.len(),
                    show(&got)
                ));
            }
            Err(e) => failures.push(format!("line {}: {:?}: {e}", case.line, case.pattern)),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases differ from Strudel:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
