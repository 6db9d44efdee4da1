//! Scales: `C:minor`, `D4:dorian`, `F#:minor:pentatonic`.

use std::fmt;

/// A scale: a root note and the semitones of its degrees within an octave.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scale {
    /// MIDI note of degree 0.
    pub root: i32,
    /// Semitones above the root of each degree, ascending, first 0.
    pub steps: &'static [i32],
    /// The scale's name as listed in [`SCALES`].
    pub name: &'static str,
}

/// Every scale by name (first name of each row is the one shown), with the
/// semitones of its degrees.
pub const SCALES: &[(&[&str], &[i32])] = &[
    (&["major", "ionian"], &[0, 2, 4, 5, 7, 9, 11]),
    (
        &["minor", "aeolian", "natural minor"],
        &[0, 2, 3, 5, 7, 8, 10],
    ),
    (&["dorian"], &[0, 2, 3, 5, 7, 9, 10]),
    (&["phrygian"], &[0, 1, 3, 5, 7, 8, 10]),
    (&["lydian"], &[0, 2, 4, 6, 7, 9, 11]),
    (&["mixolydian"], &[0, 2, 4, 5, 7, 9, 10]),
    (&["locrian"], &[0, 1, 3, 5, 6, 8, 10]),
    (&["harmonic minor"], &[0, 2, 3, 5, 7, 8, 11]),
    (&["melodic minor"], &[0, 2, 3, 5, 7, 9, 11]),
    (&["harmonic major"], &[0, 2, 4, 5, 7, 8, 11]),
    (&["phrygian dominant"], &[0, 1, 4, 5, 7, 8, 10]),
    (&["major pentatonic", "pentatonic"], &[0, 2, 4, 7, 9]),
    (&["minor pentatonic"], &[0, 3, 5, 7, 10]),
    (&["blues", "minor blues"], &[0, 3, 5, 6, 7, 10]),
    (&["major blues"], &[0, 2, 3, 4, 7, 9]),
    (&["chromatic"], &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    (&["whole tone", "whole"], &[0, 2, 4, 6, 8, 10]),
];

/// Octave of a root written without one (`C:minor` is rooted on C3), as in
/// Strudel.
pub const DEFAULT_OCTAVE: i32 = 3;

/// Why a scale name did not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScaleError(pub String);

impl fmt::Display for ScaleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScaleError {}

/// The names of every scale, for messages and help.
pub fn scale_names() -> Vec<&'static str> {
    SCALES.iter().map(|(names, _)| names[0]).collect()
}

impl Scale {
    /// Parse `ROOT:NAME`: a note with or without octave (`C`, `Eb4`,
    /// `f#`) and a scale name whose words are separated by `:`, spaces,
    /// `-` or `_` (`C:minor`, `A:harmonic:minor`, `D minor-pentatonic`).
    ///
    /// # Errors
    /// A message naming what is wrong and what was expected.
    pub fn parse(text: &str) -> Result<Scale, ScaleError> {
        let text = text.trim();
        let (root, name) = text.split_once([':', ' ']).ok_or_else(|| {
            ScaleError(format!(
                "expected a scale as ROOT:NAME, like C:minor or D:dorian, but found '{text}'"
            ))
        })?;
        let root = super::note_with_default_octave(root).ok_or_else(|| {
            ScaleError(format!(
                "expected a root note like C, Eb or F#4 before ':' but found '{root}'"
            ))
        })?;
        let key: String = name
            .chars()
            .map(|c| match c {
                ':' | '-' | '_' => ' ',
                c => c.to_ascii_lowercase(),
            })
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let squash = |s: &str| s.replace(' ', "");
        for (names, steps) in SCALES {
            if names.iter().any(|n| *n == key || squash(n) == squash(&key)) {
                return Ok(Scale {
                    root: root.round() as i32,
                    steps,
                    name: names[0],
                });
            }
        }
        Err(ScaleError(format!(
            "unknown scale '{name}': expected one of {}",
            scale_names().join(", ")
        )))
    }

    /// The MIDI note of scale degree `degree` (negative and large degrees
    /// wrap into lower and higher octaves).
    pub fn degree(&self, degree: i64) -> i64 {
        let n = self.steps.len() as i64;
        let octave = degree.div_euclid(n);
        let step = self.steps[degree.rem_euclid(n) as usize];
        i64::from(self.root) + 12 * octave + i64::from(step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> Scale {
        Scale::parse(t).unwrap_or_else(|e| panic!("{t}: {e}"))
    }

    #[test]
    fn degrees() {
        let c = s("C:minor");
        assert_eq!(c.root, 48);
        let got: Vec<i64> = [0, 2, 4, 7, -1, -7, 14]
            .iter()
            .map(|&d| c.degree(d))
            .collect();
        assert_eq!(got, vec![48, 51, 55, 60, 46, 36, 72]);
        assert_eq!(s("D4:dorian").degree(1), 64);
        assert_eq!(s("C:major:pentatonic").degree(5), 60);
        assert_eq!(s("A:harmonic minor").degree(6), 57 + 11);
        assert_eq!(s("c:Minor-Pentatonic").name, "minor pentatonic");
        assert_eq!(s("C:chromatic").degree(13), 61);
    }

    #[test]
    fn errors() {
        assert!(Scale::parse("minor").is_err());
        assert!(Scale::parse("H:minor").unwrap_err().0.contains("root note"));
        let e = Scale::parse("C:minr").unwrap_err().0;
        assert!(
            e.contains("unknown scale 'minr'") && e.contains("dorian"),
            "{e}"
        );
    }
}
