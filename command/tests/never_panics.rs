//! Property test: arbitrary input never panics, and error columns stay on
//! the line.

use chronus_command::parse_line;

/// xorshift64*: small, deterministic, good enough to spray inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Pieces that make inputs look like commands often enough to reach deep
/// into the parser.
const PIECES: &[&str] = &[
    "create", "sequence", "melody", "pattern", "play", "stop", "set", "add", "remove", "tempo",
    "swing", "mute", "solo", "unmute", "unsolo", "quantize", "note", "scene", "arrange", "save",
    "load", "status", "list", "help", "quit", "patch", "to", "from", "all", "params", "--force",
    "kick", "bass", "reverb", "hihat", "C4", "F#3", "0.5", "-1", "1e999", "x...", "cutoff=", "=",
    "ramp=2", "\"", "\\\"", "\\", ";", ":", "#", " ", "  ", "\t", "ä", "日本", "🎹", "\u{0}",
    "\u{7}", "\u{1b}", "\r", "\n", "\u{200b}", "\u{3000}", "\u{85}",
];

fn random_line(rng: &mut Rng) -> String {
    let mut s = String::new();
    let len = rng.below(24);
    for _ in 0..len {
        match rng.below(4) {
            0 => s.push_str(PIECES[rng.below(PIECES.len())]),
            1 => {
                // Any Unicode scalar value, control characters included.
                let c = char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('\u{fffd}');
                s.push(c);
            }
            2 => s.push(char::from(rng.below(128) as u8)),
            _ => {
                s.push(' ');
                s.push_str(PIECES[rng.below(PIECES.len())]);
            }
        }
    }
    s
}

/// Check one line; true when it parsed.
fn check(line: &str) -> bool {
    let chars = line.chars().count();
    match parse_line(line) {
        Ok(parts) => {
            for p in parts {
                assert!(
                    p.column >= 1 && p.column <= chars,
                    "{line:?}: part at {}",
                    p.column
                );
                assert!(!p.text.is_empty());
            }
            true
        }
        Err(e) => {
            assert!(
                (1..=chars + 1).contains(&e.column),
                "{line:?}: column {} of {chars}: {e}",
                e.column
            );
            assert!((1..=e.parts).contains(&e.part), "{line:?}: {e:?}");
            assert!(!e.message.is_empty());
            false
        }
    }
}

#[test]
fn arbitrary_strings_never_panic_and_columns_stay_on_the_line() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for _ in 0..10_000 {
        parsed += usize::from(check(&random_line(&mut rng)));
    }
    // Both paths are exercised.
    assert!((100..9_900).contains(&parsed), "{parsed} of 10000 parsed");
}

#[test]
fn arbitrary_bytes_never_panic() {
    let mut rng = Rng(42);
    for _ in 0..10_000 {
        let len = rng.below(40);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = check(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn every_prefix_of_valid_lines_never_panics() {
    let lines = [
        r#"create hat hihat decay=0.05; sequence hat: ..x.; play hat # c"#,
        r#"set bass name="a \"b\" ;c" reverb.mix=0.4 ramp=2"#,
        "note bäss F#3 0.8 0.5; save patch \"dé ep\" --force",
    ];
    for line in lines {
        for (i, _) in line.char_indices() {
            let _ = check(&line[..i]);
        }
        assert!(check(line), "{line}");
    }
}
