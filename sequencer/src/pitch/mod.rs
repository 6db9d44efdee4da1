//! What pattern values mean on a pitched instrument: note names, MIDI
//! numbers, scale degrees and chords.
//!
//! - A note name plays that note; without an octave it is in octave 3, as
//!   in Strudel (`c` is C3, MIDI 48; `C4` is 60).
//! - A number is a MIDI note, or, when the instrument has a scale, a scale
//!   degree (`0 2 4` in `C:minor` is C3 Eb3 G3; negative and large degrees
//!   wrap into other octaves).
//! - `ROOT:CHORD[:MODIFIER...]` (or Tidal's `root'chord'modifier`) plays a
//!   chord: `C:maj`, `Eb4:min7`, `G:7:i1` (see [`chord`]).
//! - `x` and `X` play the instrument's own note, `X` accented.

use crate::pattern::Value;

pub mod chord;
pub mod kit;
mod scale;

pub use scale::{scale_names, Scale, ScaleError, DEFAULT_OCTAVE, SCALES};

/// How an instrument reads the values of its patterns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pitches {
    /// Plain numbers are degrees of this scale; `None`: MIDI notes.
    pub scale: Option<Scale>,
    /// A drum kit: names are sounds (`bd`, `sn:1`), numbers General MIDI
    /// drum notes (see [`kit`]).
    pub kit: bool,
    /// A kit's sample folder: its names play its files.
    pub samples: Option<std::sync::Arc<crate::song::kit_samples::KitSamples>>,
}

/// What one pattern value plays.
#[derive(Clone, Debug, PartialEq)]
pub enum Sound {
    /// The instrument's own note at normal velocity.
    Hit,
    /// The instrument's own note, accented.
    Accent,
    /// One or more MIDI notes (a chord), struck together.
    Notes(Vec<f32>),
}

/// A note name with or without octave (`C4`, `eb`, `F#`) as MIDI; notes
/// without octave are in octave [`DEFAULT_OCTAVE`].
pub fn note_with_default_octave(text: &str) -> Option<f32> {
    if let Some(n) = crate::pattern::note_name(text) {
        return Some(n as f32);
    }
    let mut chars = text.chars();
    let base = crate::pattern::letter_semitone(chars.next()?)?;
    let accidental = match chars.as_str() {
        "" => 0,
        "#" | "s" => 1,
        "b" => -1,
        _ => return None,
    };
    Some(((DEFAULT_OCTAVE + 1) * 12 + base + accidental) as f32)
}

fn in_range(note: f64, text: &str) -> Result<f32, String> {
    if (0.0..=127.0).contains(&note) {
        Ok(note as f32)
    } else {
        Err(format!(
            "{text} is MIDI note {note}, outside the MIDI range 0..127"
        ))
    }
}

/// What `value` plays on an instrument reading numbers through `pitches`.
///
/// # Errors
/// A message in the musician's terms: what the value is not, and what was
/// expected.
pub fn resolve(value: &Value, pitches: &Pitches) -> Result<Sound, String> {
    if pitches.kit {
        return kit::resolve(value, pitches.samples.as_deref());
    }
    match value {
        Value::Hit => Ok(Sound::Hit),
        Value::Accent => Ok(Sound::Accent),
        Value::Number(v) => match &pitches.scale {
            Some(scale) => {
                if v.fract() != 0.0 {
                    return Err(format!(
                        "scale degree {v} is not a whole number (the scale is {}:{})",
                        crate::pattern::note_label(scale.root),
                        scale.name
                    ));
                }
                let note = scale.degree(*v as i64);
                in_range(note as f64, &format!("scale degree {v}")).map(|n| Sound::Notes(vec![n]))
            }
            None => {
                if (0.0..=127.0).contains(v) {
                    Ok(Sound::Notes(vec![*v as f32]))
                } else {
                    Err(format!("note number {v} is out of range 0..127"))
                }
            }
        },
        Value::Word(w) => word(w),
    }
}

fn word(w: &str) -> Result<Sound, String> {
    let parts: Vec<&str> = w.split([':', '\'']).collect();
    let root_text = parts[0];
    let Some(root) = note_with_default_octave(root_text) else {
        if let Some(e) = crate::pattern::note_name_error(root_text) {
            return Err(e);
        }
        return Err(format!(
            "'{w}' is not a note: expected a note name like C4, eb or F#2, a number, x, \
             or a chord like C:maj (sound names like bd play on a kit instrument)"
        ));
    };
    if parts.len() == 1 {
        return in_range(f64::from(root), &format!("note {w}")).map(|n| Sound::Notes(vec![n]));
    }
    let Some(steps) = chord::chord(parts[1]) else {
        return Err(format!(
            "unknown chord '{}' in '{w}': expected a chord name such as maj, min, 7, maj7, min7, \
             dim, aug, sus2, sus4, six, nine",
            parts[1]
        ));
    };
    let mut notes = steps.to_vec();
    for m in &parts[2..] {
        chord::modify(&mut notes, m).map_err(|e| format!("in '{w}': {e}"))?;
    }
    notes
        .iter()
        .map(|s| in_range(f64::from(root) + f64::from(*s), &format!("a note of {w}")))
        .collect::<Result<Vec<f32>, String>>()
        .map(Sound::Notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(v: Value, p: &Pitches) -> Vec<f32> {
        match resolve(&v, p) {
            Ok(Sound::Notes(n)) => n,
            other => panic!("{v:?}: {other:?}"),
        }
    }

    fn w(s: &str) -> Value {
        Value::Word(s.into())
    }

    #[test]
    fn notes_numbers_degrees_chords() {
        let none = Pitches::default();
        assert_eq!(notes(w("C4"), &none), vec![60.0]);
        assert_eq!(notes(w("c"), &none), vec![48.0]);
        assert_eq!(notes(w("eb"), &none), vec![51.0]);
        assert_eq!(notes(Value::Number(62.5), &none), vec![62.5]);
        assert_eq!(notes(w("C:maj"), &none), vec![48.0, 52.0, 55.0]);
        assert_eq!(notes(w("Eb4:min7"), &none), vec![63.0, 66.0, 70.0, 73.0]);
        assert_eq!(notes(w("G:7"), &none), vec![55.0, 59.0, 62.0, 65.0]);
        assert_eq!(notes(w("F:sus4"), &none), vec![53.0, 58.0, 60.0]);
        assert_eq!(notes(w("D:dim"), &none), vec![50.0, 53.0, 56.0]);
        assert_eq!(notes(w("C:maj:i1"), &none), vec![52.0, 55.0, 60.0]);
        assert_eq!(notes(w("c'maj'ii"), &none), vec![55.0, 60.0, 64.0]);
        let minor = Pitches {
            scale: Some(Scale::parse("C:minor").unwrap_or_else(|e| panic!("{e}"))),
            kit: false,
            samples: None,
        };
        let degrees: Vec<f32> = [0.0, 2.0, 4.0, 7.0, -1.0]
            .iter()
            .map(|&d| notes(Value::Number(d), &minor)[0])
            .collect();
        assert_eq!(degrees, vec![48.0, 51.0, 55.0, 60.0, 46.0]);
        assert_eq!(notes(w("C4"), &minor), vec![60.0]);
    }

    #[test]
    fn errors() {
        let none = Pitches::default();
        let e = resolve(&w("bd"), &none).unwrap_err();
        assert!(e.contains("kit"), "{e}");
        assert!(resolve(&w("C:blah"), &none)
            .unwrap_err()
            .contains("unknown chord 'blah'"));
        assert!(resolve(&Value::Number(200.0), &none).is_err());
        assert!(resolve(&w("C:maj:q"), &none)
            .unwrap_err()
            .contains("modifier"));
        assert!(resolve(&w("G9:maj"), &none)
            .unwrap_err()
            .contains("MIDI range"));
    }
}
