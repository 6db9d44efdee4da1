//! What a kit plays: Tidal's and Strudel's sound names, mapped onto the
//! General MIDI drum notes the kit's voices answer to.
//!
//! | Name | Sound | GM notes (`:0`, `:1`) |
//! |---|---|---|
//! | `bd`, `kick` | bass drum | 36, 35 |
//! | `sn`, `sd`, `snare` | snare | 38, 40 |
//! | `rim`, `rs` | rim shot (side stick) | 37 |
//! | `cp`, `clap` | hand clap | 39 |
//! | `hh`, `ch` | closed hi-hat | 42, 44 (pedal) |
//! | `oh` | open hi-hat (choked by `hh`) | 46 |
//! | `lt` | low tom | 41, 43 |
//! | `mt` | mid tom | 45, 47 |
//! | `ht` | high tom | 48, 50 |
//! | `cb`, `cowbell` | cowbell | 56 |
//!
//! `name:n` picks variant `n`, wrapping around the variants as Tidal wraps
//! sample indices. A number plays that GM drum note; `x` and `X` play the
//! bass drum.

use super::Sound;
use crate::pattern::Value;
use crate::song::kit_samples::KitSamples;

/// Every sound name (aliases first-listed shown) and its GM notes.
pub const SOUNDS: &[(&[&str], &[u8])] = &[
    (&["bd", "kick"], &[36, 35]),
    (&["sn", "sd", "snare"], &[38, 40]),
    (&["rim", "rs"], &[37]),
    (&["cp", "clap"], &[39]),
    (&["hh", "ch"], &[42, 44]),
    (&["oh"], &[46]),
    (&["lt"], &[41, 43]),
    (&["mt"], &[45, 47]),
    (&["ht"], &[48, 50]),
    (&["cb", "cowbell"], &[56]),
];

/// The GM drum notes the kit plays.
pub fn notes() -> impl Iterator<Item = u8> {
    SOUNDS.iter().flat_map(|(_, n)| n.iter().copied())
}

/// The first name of each sound, for messages.
pub fn names() -> Vec<&'static str> {
    SOUNDS.iter().map(|(n, _)| n[0]).collect()
}

/// What `value` plays on a kit.
///
/// # Errors
/// An unknown name or a GM note without a drum.
pub fn resolve(value: &Value, samples: Option<&KitSamples>) -> Result<Sound, String> {
    match value {
        Value::Hit | Value::Accent => Ok(if matches!(value, Value::Hit) {
            Sound::Hit
        } else {
            Sound::Accent
        }),
        Value::Number(n) => {
            let known = n.fract() == 0.0 && notes().any(|g| f64::from(g) == *n);
            if known {
                Ok(Sound::Notes(vec![*n as f32]))
            } else {
                Err(format!(
                    "the kit has no drum on General MIDI note {n}: it plays {} and the sound names {}",
                    notes().map(|g| g.to_string()).collect::<Vec<_>>().join(", "),
                    names().join(", ")
                ))
            }
        }
        Value::Word(w) => {
            let (name, index) = match w.split_once(':') {
                Some((name, tail)) => {
                    let i: usize = tail.parse().map_err(|_| {
                        format!("'{w}': expected a sound name with a variant number, like bd:1")
                    })?;
                    (name, i)
                }
                None => (w.as_ref(), 0),
            };
            if let Some(note) = samples.and_then(|s| s.note(name, index)) {
                return Ok(Sound::Notes(vec![note as f32]));
            }
            let Some((_, gm)) = SOUNDS.iter().find(|(names, _)| names.contains(&name)) else {
                let all: Vec<&str> = SOUNDS.iter().flat_map(|(n, _)| n.iter().copied()).collect();
                return Err(format!(
                    "the kit has no sound '{name}': expected one of {}{}",
                    names().join(", "),
                    crate::song::suggest::did_you_mean(name, &all)
                ));
            };
            Ok(Sound::Notes(vec![f32::from(gm[index % gm.len()])]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(w: &str) -> f32 {
        match resolve(&Value::Word(w.into()), None) {
            Ok(Sound::Notes(n)) => n[0],
            other => panic!("{w}: {other:?}"),
        }
    }

    #[test]
    fn names_variants_and_numbers() {
        assert_eq!(note("bd"), 36.0);
        assert_eq!(note("bd:1"), 35.0);
        assert_eq!(note("bd:2"), 36.0);
        assert_eq!(note("sd"), 38.0);
        assert_eq!(note("hh:1"), 44.0);
        assert_eq!(note("cb"), 56.0);
        assert!(matches!(resolve(&Value::Number(42.0), None), Ok(Sound::Notes(n)) if n == [42.0]));
        assert!(resolve(&Value::Number(60.0), None)
            .unwrap_err()
            .contains("no drum"));
        let e = resolve(&Value::Word("sb".into()), None).unwrap_err();
        assert!(
            e.contains("no sound 'sb'") && e.contains("did you mean"),
            "{e}"
        );
        assert!(resolve(&Value::Word("bd:x".into()), None).is_err());
    }
}
