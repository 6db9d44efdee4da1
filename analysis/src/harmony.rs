//! Harmony: chord names for stacks of notes, and the key of a passage.

use serde::{Deserialize, Serialize};

use crate::notes::pitch_class_name;
use crate::NotePlayed;

/// Chord qualities as pitch-class sets above the root, in order of preference
/// when a stack can be read more than one way.
const QUALITIES: [(&str, &[u8]); 21] = [
    ("", &[0, 4, 7]),
    ("m", &[0, 3, 7]),
    ("7", &[0, 4, 7, 10]),
    ("maj7", &[0, 4, 7, 11]),
    ("m7", &[0, 3, 7, 10]),
    ("dim", &[0, 3, 6]),
    ("aug", &[0, 4, 8]),
    ("sus4", &[0, 5, 7]),
    ("sus2", &[0, 2, 7]),
    ("m7b5", &[0, 3, 6, 10]),
    ("dim7", &[0, 3, 6, 9]),
    ("6", &[0, 4, 7, 9]),
    ("m6", &[0, 3, 7, 9]),
    ("add9", &[0, 2, 4, 7]),
    ("9", &[0, 2, 4, 7, 10]),
    ("maj9", &[0, 2, 4, 7, 11]),
    ("m9", &[0, 2, 3, 7, 10]),
    ("madd9", &[0, 2, 3, 7]),
    ("7sus4", &[0, 5, 7, 10]),
    ("mmaj7", &[0, 3, 7, 11]),
    ("5", &[0, 7]),
];

/// Names the chord a stack of simultaneous notes (MIDI numbers, any order,
/// any octaves; rounded to the nearest semitone) forms.
///
/// Returns root + quality ("C", "Cm", "Cdim", "Caug", "Csus2", "Csus4", "C7",
/// "Cmaj7", "Cm7", "Cm7b5", "Cdim7", "C6", "Cm6", "Cadd9", "C9", and "Cmaj9",
/// "Cm9", "Cmadd9", "C7sus4", "Cmmaj7", "C5"), with a slash and the bass note
/// when the lowest note is not the root ("C/E"). Chords with a seventh may
/// leave out their fifth. A reading with the bass as root is preferred, then
/// the simpler quality. `None` for fewer than two pitch classes or a stack
/// that is no chord of this list.
pub fn chord_name(notes: &[f32]) -> Option<String> {
    let mut midi: Vec<i32> = notes
        .iter()
        .filter(|n| n.is_finite() && n.abs() < 1000.0)
        .map(|n| n.round() as i32)
        .collect();
    midi.sort_unstable();
    let bass = *midi.first()?;
    let mut classes: Vec<u8> = midi.iter().map(|m| m.rem_euclid(12) as u8).collect();
    classes.sort_unstable();
    classes.dedup();
    if classes.len() < 2 {
        return None;
    }
    let bass_pc = bass.rem_euclid(12) as u8;
    let mut best: Option<(usize, u8, &str)> = None; // (rank, root, quality)
    for &root in &classes {
        let mut rel: Vec<u8> = classes.iter().map(|&c| (c + 12 - root) % 12).collect();
        rel.sort_unstable();
        for (i, (name, set)) in QUALITIES.iter().enumerate() {
            let exact = rel.as_slice() == *set;
            // a seventh or ninth chord without its fifth
            let no_fifth = (set.contains(&10) || set.contains(&11))
                && set.contains(&7)
                && !rel.contains(&7)
                && rel.len() + 1 == set.len()
                && rel.iter().all(|r| set.contains(r));
            if !(exact || no_fifth) {
                continue;
            }
            let rank = i + if no_fifth { 100 } else { 0 } + if root == bass_pc { 0 } else { 1000 };
            if best.is_none_or(|b| rank < b.0) {
                best = Some((rank, root, name));
            }
        }
    }
    let (_, root, quality) = best?;
    let mut out = format!("{}{}", pitch_class_name(root), quality);
    if root != bass_pc {
        out.push('/');
        out.push_str(pitch_class_name(bass_pc));
    }
    Some(out)
}

/// Groups notes whose onsets fall within 10 ms of the group's first note and
/// names each group of two or more pitch classes: `(frame of the first
/// onset, name)`. A stack that is no known chord is spelled out as its notes
/// in parentheses, e.g. "(C C# D)". With a zero `rate` onsets must be equal.
pub fn chords(notes: &[NotePlayed], rate: u32) -> Vec<(u64, String)> {
    let tol = u64::from(rate) / 100;
    let mut sorted: Vec<&NotePlayed> = notes.iter().filter(|n| n.note.is_finite()).collect();
    sorted.sort_by_key(|n| n.frame);
    let mut out = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let first = sorted[i].frame;
        let mut j = i;
        while j < sorted.len() && sorted[j].frame - first <= tol {
            j += 1;
        }
        let stack: Vec<f32> = sorted[i..j].iter().map(|n| n.note).collect();
        let mut classes: Vec<u8> = stack
            .iter()
            .map(|n| (n.round() as i32).rem_euclid(12) as u8)
            .collect();
        classes.sort_unstable();
        classes.dedup();
        if classes.len() >= 2 {
            let name = chord_name(&stack).unwrap_or_else(|| {
                let names: Vec<&str> = classes.iter().map(|&c| pitch_class_name(c)).collect();
                format!("({})", names.join(" "))
            });
            out.push((first, name));
        }
        i = j;
    }
    out
}

/// An estimated key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Key {
    /// Tonic and mode, e.g. "A minor", "F# major".
    pub name: String,
    /// Pearson correlation of the weighted pitch-class profile with the best
    /// key's Krumhansl-Kessler profile, -1..1 (above about 0.7 is a clear key).
    pub confidence: f64,
    /// How far the best key's correlation is above the runner-up's.
    pub margin: f64,
}

/// Krumhansl-Kessler probe-tone profiles, tonic first.
const MAJOR: [f64; 12] = [
    6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88,
];
const MINOR: [f64; 12] = [
    6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17,
];

/// Estimates the key of `(MIDI note, weight)` pairs, the weight being how long
/// the note sounded in seconds (or any positive weight), by the
/// Krumhansl-Schmuckler method: the pitch-class histogram is correlated with
/// the 24 rotated major and minor profiles and the best one wins.
///
/// `None` when there is no weight or fewer than three pitch classes.
pub fn key_estimate(notes: &[(f32, f64)]) -> Option<Key> {
    let mut hist = [0f64; 12];
    for &(note, w) in notes {
        if note.is_finite() && note.abs() < 1000.0 && w.is_finite() && w > 0.0 {
            hist[(note.round() as i32).rem_euclid(12) as usize] += w;
        }
    }
    if hist.iter().filter(|&&h| h > 0.0).count() < 3 {
        return None;
    }
    let mut scores: Vec<(f64, usize, bool)> = Vec::with_capacity(24);
    for tonic in 0..12 {
        for (minor, profile) in [(false, &MAJOR), (true, &MINOR)] {
            let rotated: Vec<f64> = (0..12).map(|pc| profile[(pc + 12 - tonic) % 12]).collect();
            if let Some(r) = pearson(&hist, &rotated) {
                scores.push((r, tonic, minor));
            }
        }
    }
    scores.sort_by(|a, b| b.0.total_cmp(&a.0));
    let &(r, tonic, minor) = scores.first()?;
    let second = scores.get(1).map_or(r, |s| s.0);
    Some(Key {
        name: format!(
            "{} {}",
            pitch_class_name(tonic as u8),
            if minor { "minor" } else { "major" }
        ),
        confidence: r,
        margin: r - second,
    })
}

/// Pearson correlation of two equally long series, `None` if either is flat.
fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len()) as f64;
    if n == 0.0 {
        return None;
    }
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    let den = (saa * sbb).sqrt();
    (den > 0.0 && den.is_finite()).then(|| sab / den)
}
