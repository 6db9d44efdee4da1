//! Chord names: `C:maj`, `Eb:min7`, `G:7`, `F:sus4`, `D:dim`, with
//! modifiers (`C:maj:i1`), and Tidal's spelling `c'maj'ii`.
//!
//! The names are Tidal's chord table (with its aliases) plus the short
//! forms Strudel users write (`7`, `m7`, `m7b5`). Modifiers, applied in
//! order: `i`/`ii`/`iii` or `iN` (N-th inversion: the lowest note moves
//! up an octave N times), `o` (open: first and third notes down an
//! octave), `dN` (drop the N-th note from the top an octave) and a bare
//! number `N` (N notes, extending the chord into higher octaves).

/// Tidal's chord table: names (first is shown) and semitones.
pub const CHORDS: &[(&[&str], &[i32])] = &[
    (&["major", "maj", "M"], &[0, 4, 7]),
    (&["aug", "plus", "sharp5", "+"], &[0, 4, 8]),
    (&["six", "6"], &[0, 4, 7, 9]),
    (
        &["sixNine", "six9", "sixby9", "6by9", "69"],
        &[0, 4, 7, 9, 14],
    ),
    (&["major7", "maj7", "M7", "^7"], &[0, 4, 7, 11]),
    (&["major9", "maj9", "M9", "^9"], &[0, 4, 7, 11, 14]),
    (&["add9", "major9add"], &[0, 4, 7, 14]),
    (&["major11", "maj11", "M11"], &[0, 4, 7, 11, 14, 17]),
    (&["add11"], &[0, 4, 7, 17]),
    (&["major13", "maj13", "M13"], &[0, 4, 7, 11, 14, 21]),
    (&["add13"], &[0, 4, 7, 21]),
    (&["dom7", "7"], &[0, 4, 7, 10]),
    (&["dom9"], &[0, 4, 7, 14]),
    (&["dom11"], &[0, 4, 7, 17]),
    (&["dom13"], &[0, 4, 7, 21]),
    (&["sevenFlat5", "7f5", "7b5"], &[0, 4, 6, 10]),
    (&["sevenSharp5", "7s5", "7#5"], &[0, 4, 8, 10]),
    (&["sevenFlat9", "7f9", "7b9"], &[0, 4, 7, 10, 13]),
    (&["nine", "9"], &[0, 4, 7, 10, 14]),
    (&["eleven", "11"], &[0, 4, 7, 10, 14, 17]),
    (&["thirteen", "13"], &[0, 4, 7, 10, 14, 17, 21]),
    (&["minor", "min", "m", "-"], &[0, 3, 7]),
    (&["diminished", "dim", "o"], &[0, 3, 6]),
    (&["minorSharp5", "msharp5", "mS5", "m#5"], &[0, 3, 8]),
    (&["minor6", "min6", "m6"], &[0, 3, 7, 9]),
    (
        &[
            "minorSixNine",
            "minor69",
            "min69",
            "minSixNine",
            "m69",
            "mSixNine",
            "m6by9",
        ],
        &[0, 3, 9, 7, 14],
    ),
    (
        &[
            "minor7flat5",
            "min7flat5",
            "m7flat5",
            "m7f5",
            "m7b5",
            "half",
            "h7",
        ],
        &[0, 3, 6, 10],
    ),
    (&["minorMajor7", "minMaj7", "mmaj7", "mM7"], &[0, 3, 7, 11]),
    (&["diminished7", "dim7", "o7"], &[0, 3, 6, 9]),
    (&["minor7", "min7", "m7", "-7"], &[0, 3, 7, 10]),
    (&["minor9", "min9", "m9"], &[0, 3, 7, 10, 14]),
    (&["minor11", "min11", "m11"], &[0, 3, 7, 10, 14, 17]),
    (&["minor13", "min13", "m13"], &[0, 3, 7, 10, 14, 17, 21]),
    (&["minorMajor9", "minMaj9", "mmaj9"], &[0, 3, 7, 11, 14]),
    (&["one", "1"], &[0]),
    (&["five", "5"], &[0, 7]),
    (&["sus2"], &[0, 2, 7]),
    (&["sus4", "sus"], &[0, 5, 7]),
    (&["sevenSus2", "7sus2"], &[0, 2, 7, 10]),
    (&["sevenSus4", "7sus4", "7sus"], &[0, 5, 7, 10]),
    (
        &["nineSus4", "ninesus4", "9sus4", "9sus"],
        &[0, 5, 7, 10, 14],
    ),
    (&["sevenFlat10", "7f10"], &[0, 4, 7, 10, 15]),
    (&["nineSharp5", "9sharp5", "9s5"], &[0, 1, 13]),
    (
        &[
            "minor9sharp5",
            "minor9s5",
            "min9sharp5",
            "min9s5",
            "m9sharp5",
            "m9s5",
        ],
        &[0, 1, 14],
    ),
    (&["sevenSharp5flat9", "7s5f9"], &[0, 4, 8, 10, 13]),
    (&["minor7sharp5", "m7sharp5", "m7s5"], &[0, 3, 8, 10]),
    (&["elevenSharp", "11s", "11#"], &[0, 4, 7, 10, 14, 18]),
    (
        &["minor11sharp", "m11sharp", "m11s"],
        &[0, 3, 7, 10, 14, 18],
    ),
];

/// Most notes a chord may have after modifiers.
pub const MAX_CHORD_NOTES: usize = 16;

/// The semitones of a chord name, if it is one (names are case-sensitive
/// where Tidal's are: `M` is major, `m` minor; otherwise any case).
pub fn chord(name: &str) -> Option<&'static [i32]> {
    CHORDS
        .iter()
        .find(|(names, _)| names.contains(&name))
        .or_else(|| {
            CHORDS.iter().find(|(names, _)| {
                names
                    .iter()
                    .any(|n| n.len() > 1 && n.eq_ignore_ascii_case(name))
            })
        })
        .map(|(_, steps)| *steps)
}

/// Apply one modifier (`i`, `ii`, `i2`, `o`, `d1`, `5`) to chord notes.
///
/// # Errors
/// A message saying what modifiers exist.
pub fn modify(notes: &mut Vec<i32>, modifier: &str) -> Result<(), String> {
    let bad = || {
        format!(
            "unknown chord modifier '{modifier}': expected i, ii, iii or iN (inversion), \
             o (open), dN (drop) or a number of notes"
        )
    };
    let count =
        |s: &str| -> Option<usize> { s.parse().ok().filter(|n| (1..=MAX_CHORD_NOTES).contains(n)) };
    if let Some(n) = count(modifier) {
        // Range: N notes, the chord repeated in higher octaves.
        let base = notes.clone();
        notes.clear();
        for i in 0..n {
            let octave = (i / base.len()) as i32;
            notes.push(base[i % base.len()] + 12 * octave);
        }
        return Ok(());
    }
    let inversions = match modifier {
        "i" => Some(1),
        "ii" => Some(2),
        "iii" => Some(3),
        m => m.strip_prefix('i').and_then(count),
    };
    if let Some(k) = inversions {
        for _ in 0..k {
            notes.sort_unstable();
            if let Some(low) = notes.first_mut() {
                *low += 12;
            }
        }
        notes.sort_unstable();
        return Ok(());
    }
    if modifier == "o" {
        if notes.len() > 2 {
            notes.sort_unstable();
            let first = notes.remove(0) - 12;
            let third = notes.remove(1) - 12;
            notes.insert(0, third);
            notes.insert(0, first);
            notes.sort_unstable();
        }
        return Ok(());
    }
    if let Some(k) = modifier.strip_prefix('d').and_then(count) {
        notes.sort_unstable();
        if k <= notes.len() {
            let i = notes.len() - k;
            notes[i] -= 12;
            notes.sort_unstable();
        }
        return Ok(());
    }
    Err(bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(name: &str, mods: &[&str]) -> Vec<i32> {
        let mut n = chord(name).unwrap_or_else(|| panic!("{name}")).to_vec();
        for m in mods {
            modify(&mut n, m).unwrap_or_else(|e| panic!("{e}"));
        }
        n
    }

    #[test]
    fn names() {
        assert_eq!(c("maj", &[]), vec![0, 4, 7]);
        assert_eq!(c("min7", &[]), vec![0, 3, 7, 10]);
        assert_eq!(c("7", &[]), vec![0, 4, 7, 10]);
        assert_eq!(c("sus4", &[]), vec![0, 5, 7]);
        assert_eq!(c("dim", &[]), vec![0, 3, 6]);
        assert_eq!(c("M", &[]), vec![0, 4, 7]);
        assert_eq!(c("m", &[]), vec![0, 3, 7]);
        assert_eq!(c("MAJ7", &[]), vec![0, 4, 7, 11]);
        assert!(chord("nope").is_none());
    }

    #[test]
    fn modifiers() {
        assert_eq!(c("maj", &["i1"]), vec![4, 7, 12]);
        assert_eq!(c("maj", &["i"]), vec![4, 7, 12]);
        assert_eq!(c("maj", &["ii"]), vec![7, 12, 16]);
        assert_eq!(c("maj", &["5"]), vec![0, 4, 7, 12, 16]);
        assert_eq!(c("maj7", &["o"]), vec![-12, -5, 4, 11]);
        assert_eq!(c("maj7", &["d1"]), vec![-1, 0, 4, 7]);
        assert_eq!(c("maj7", &["i1"]), vec![4, 7, 11, 12]);
        let mut n = vec![0, 4, 7];
        assert!(modify(&mut n, "q").unwrap_err().contains("inversion"));
    }
}
