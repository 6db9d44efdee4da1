//! `arrangement:` entries: a pattern name, or `{ pattern: name, repeat: n }`.

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use std::fmt;

/// One arrangement entry: play `pattern` for `repeat` bars.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArrangementEntry {
    /// The pattern block's name.
    pub pattern: String,
    /// How many bars (1 when not given).
    pub repeat: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryMap {
    pattern: String,
    #[serde(default = "one")]
    repeat: u64,
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
        f.write_str("a pattern name or { pattern: NAME, repeat: N }")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(ArrangementEntry {
            pattern: v.to_string(),
            repeat: 1,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        let m = EntryMap::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(ArrangementEntry {
            pattern: m.pattern,
            repeat: m.repeat,
        })
    }
}
