//! `note:` values: a MIDI number or a note name such as `C3` or `Eb2`.

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// Deserialise a MIDI note given as a number (`48`) or a name (`C3`).
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    d.deserialize_any(NoteVisitor)
}

struct NoteVisitor;

impl Visitor<'_> for NoteVisitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a MIDI note number or a note name such as C3, Eb2 or F#4")
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
        Ok(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
        Ok(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
        crate::pattern::note_name(v.trim())
            .map(f64::from)
            .ok_or_else(|| E::custom(format!("bad note name `{v}`: expected a MIDI number or a note name such as C3, Eb2 or F#4 (octaves -1..9)")))
    }
}
