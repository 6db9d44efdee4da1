//! Note names: `C2`, `Eb2`, `F#3`, `Bs1`, `Bb-1` to MIDI numbers.
//!
//! A name is a letter `A`..`G` (either case), an optional accidental (`#` or
//! `s` sharp, `b` flat) and a required octave -1..9. `C-1` is MIDI 0, `C4` is
//! 60 and `A4` is 69. Accidentals may cross the octave line (`B#3` is 60,
//! `Cb4` is 59); the result must be a valid MIDI note 0..=127.

/// Lowest octave a note name may use.
pub(crate) const MIN_OCTAVE: i32 = -1;
/// Highest octave a note name may use.
pub(crate) const MAX_OCTAVE: i32 = 9;

/// Why a note name did not parse; `offset` is the char index inside the name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoteNameError {
    /// Char offset (0-based) of the offending character within the name.
    pub offset: usize,
    /// What was found and what was expected.
    pub message: String,
}

/// Semitone of a note letter above C, or `None` if it is not `A`..`G`.
pub(crate) fn letter_semitone(c: char) -> Option<i32> {
    match c.to_ascii_uppercase() {
        'C' => Some(0),
        'D' => Some(2),
        'E' => Some(4),
        'F' => Some(5),
        'G' => Some(7),
        'A' => Some(9),
        'B' => Some(11),
        _ => None,
    }
}

fn describe(c: Option<&char>) -> String {
    match c {
        Some(c) => format!("'{c}'"),
        None => "the end of the name".to_string(),
    }
}

/// Parse a complete note name, reporting where and why it is malformed.
pub(crate) fn parse_note_name(s: &str) -> Result<i32, NoteNameError> {
    let chars: Vec<char> = s.chars().collect();
    let err = |offset: usize, message: String| Err(NoteNameError { offset, message });
    let Some(&letter) = chars.first() else {
        return err(0, "expected a note name but found nothing".to_string());
    };
    let Some(base) = letter_semitone(letter) else {
        return err(
            0,
            format!("expected a note letter A-G but found '{letter}'"),
        );
    };
    let mut i = 1;
    let accidental = match chars.get(i) {
        Some('#') | Some('s') => {
            i += 1;
            1
        }
        Some('b') => {
            i += 1;
            -1
        }
        _ => 0,
    };
    let name: String = chars[..i].iter().collect();
    let octave_start = i;
    let negative = chars.get(i) == Some(&'-');
    if negative {
        i += 1;
    }
    let digits_start = i;
    while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    if i == digits_start {
        return err(
            i,
            format!(
                "expected an octave number ({MIN_OCTAVE}..{MAX_OCTAVE}) after '{}' but found {}",
                chars[..i].iter().collect::<String>(),
                describe(chars.get(i))
            ),
        );
    }
    let digits: String = chars[digits_start..i].iter().collect();
    // Anything longer than two digits is out of range anyway; don't overflow.
    let magnitude: i32 = if digits.len() > 2 {
        100
    } else {
        digits.parse().unwrap_or(100)
    };
    let octave = if negative { -magnitude } else { magnitude };
    if !(MIN_OCTAVE..=MAX_OCTAVE).contains(&octave) {
        let shown: String = chars[octave_start..i].iter().collect();
        return err(
            octave_start,
            format!("octave {shown} is out of range {MIN_OCTAVE}..{MAX_OCTAVE}"),
        );
    }
    if let Some(c) = chars.get(i) {
        return err(
            i,
            format!(
                "unexpected '{c}' after note {}: separate steps with spaces",
                chars[..i].iter().collect::<String>()
            ),
        );
    }
    let midi = (octave + 1) * 12 + base + accidental;
    if !(0..=127).contains(&midi) {
        return err(
            0,
            format!("note {name}{octave} (MIDI {midi}) is outside the MIDI range 0..127"),
        );
    }
    Ok(midi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> Option<i32> {
        parse_note_name(s).ok()
    }

    #[test]
    fn reference_points() {
        assert_eq!(n("C-1"), Some(0));
        assert_eq!(n("C4"), Some(60));
        assert_eq!(n("A4"), Some(69));
        assert_eq!(n("G9"), Some(127));
        assert_eq!(n("C2"), Some(36));
    }

    #[test]
    fn accidentals() {
        assert_eq!(n("Eb2"), Some(39));
        assert_eq!(n("F#3"), Some(54));
        assert_eq!(n("Fs3"), Some(54));
        assert_eq!(n("B#3"), Some(60));
        assert_eq!(n("Cb4"), Some(59));
        assert_eq!(n("Bb-1"), Some(10));
        assert_eq!(n("bb2"), Some(46));
        assert_eq!(n("b2"), Some(47));
        assert_eq!(n("e2"), Some(40));
    }

    #[test]
    fn rejects() {
        for bad in [
            "",
            "H2",
            "C",
            "Cb",
            "C10",
            "C-2",
            "C#",
            "C2x",
            "G#9",
            "Cb-1",
            "x2",
            "C123456789012",
            "C#-",
            "Cbb2",
        ] {
            assert_eq!(n(bad), None, "{bad}");
        }
    }

    #[test]
    fn error_positions() {
        let e = parse_note_name("C12").unwrap_err();
        assert_eq!(e.offset, 1);
        assert_eq!(e.message, "octave 12 is out of range -1..9");
        let e = parse_note_name("Eb").unwrap_err();
        assert_eq!(e.offset, 2);
        assert!(
            e.message.contains("expected an octave number"),
            "{}",
            e.message
        );
        let e = parse_note_name("H2").unwrap_err();
        assert_eq!(e.offset, 0);
    }
}
