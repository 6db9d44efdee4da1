//! `arrangement:` entries: a pattern name, or `{ pattern: name, repeat: n }`.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// One arrangement entry: play `pattern` for `repeat` bars, in `meter`
/// beats a bar from here on when given.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrangementEntry {
    /// The pattern block's name.
    pub pattern: String,
    /// How many bars (1 when not given).
    pub repeat: u64,
    /// Beats per bar from this entry on (`None`: as before).
    pub meter: Option<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryMap {
    pattern: String,
    #[serde(default = "one")]
    repeat: u64,
    meter: Option<f64>,
}

fn one() -> u64 {
    1
}

impl<'de> Deserialize<'de> for ArrangementEntry {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(EntryVisitor)
    }
}

struct EntryVisitor;

impl<'de> Visitor<'de> for EntryVisitor {
    type Value = ArrangementEntry;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a pattern name or { pattern: NAME, repeat: N, meter: BEATS }")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(ArrangementEntry {
            pattern: v.to_string(),
            repeat: 1,
            meter: None,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let m = EntryMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(ArrangementEntry {
            pattern: m.pattern,
            repeat: m.repeat,
            meter: m.meter,
        })
    }
}
