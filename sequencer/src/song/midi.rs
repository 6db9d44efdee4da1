//! A song's (or a patch's) MIDI setup: which instruments play from MIDI
//! notes, and which controllers move which parameters.
//!
//! ```yaml
//! midi:
//!   play:
//!     bass: { channel: 1 }      # MIDI channel 1..16; none: every channel
//!     lead: { bend: 12 }        # pitch-wheel range in semitones (default 2)
//!   maps:
//!     - { cc: 74, to: bass.cutoff, min: 200, max: 4000, curve: exp }
//!     - { aftertouch: true, to: lead.reverb.mix }
//! ```
//!
//! Names are checked against the song's instruments here; that a map's
//! parameter exists and can follow a controller is checked where the
//! parameter tables are (the live session), with the same words as `map`.

use serde::Deserialize;

/// What moves a mapped parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapSource {
    /// Controller number 0..=119.
    Control(u8),
    /// Channel aftertouch.
    Aftertouch,
}

impl std::fmt::Display for MapSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MapSource::Control(n) => write!(f, "cc {n}"),
            MapSource::Aftertouch => f.write_str("aftertouch"),
        }
    }
}

/// How a controller's range spreads over the parameter's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapCurve {
    /// `lin`: evenly.
    Linear,
    /// `exp`: evenly in ratio (frequencies, times).
    Exponential,
}

impl MapCurve {
    /// The curve as written: `lin` or `exp`.
    pub fn name(self) -> &'static str {
        match self {
            MapCurve::Linear => "lin",
            MapCurve::Exponential => "exp",
        }
    }

    /// `lin`/`linear` or `exp`/`exponential`.
    pub fn parse(s: &str) -> Option<MapCurve> {
        match s.to_ascii_lowercase().as_str() {
            "lin" | "linear" => Some(MapCurve::Linear),
            "exp" | "exponential" => Some(MapCurve::Exponential),
            _ => None,
        }
    }
}

/// An instrument that plays incoming MIDI notes.
#[derive(Clone, Debug, PartialEq)]
pub struct MidiRoute {
    /// The instrument.
    pub track: String,
    /// MIDI channel 1..=16, `None` for every channel.
    pub channel: Option<u8>,
    /// Pitch-wheel range in semitones, `None` for the default (2).
    pub bend: Option<f64>,
}

/// A controller moving a parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct MidiMap {
    /// What moves it.
    pub source: MapSource,
    /// MIDI channel 1..=16, `None` for every channel.
    pub channel: Option<u8>,
    /// `NAME.PARAM` or `NAME.EFFECT.PARAM`.
    pub to: String,
    /// Values at controller 0 and 127, `None` for the parameter's range.
    pub range: Option<(f64, f64)>,
    /// `None` for the parameter's own curve.
    pub curve: Option<MapCurve>,
}

impl MidiMap {
    /// The instrument the map moves (the part of `to` before the first dot).
    pub fn track(&self) -> &str {
        self.to.split('.').next().unwrap_or("")
    }
}

/// An instrument whose notes go out as MIDI (to external gear).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MidiOutRoute {
    /// The instrument.
    pub track: String,
    /// MIDI channel 1..=16.
    pub channel: u8,
}

/// A song's MIDI setup (empty when the song has no `midi:`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MidiSetup {
    /// Instruments that play from MIDI, in order.
    pub routes: Vec<MidiRoute>,
    /// Controller maps, in order.
    pub maps: Vec<MidiMap>,
    /// Instruments whose notes go out, in order.
    pub outs: Vec<MidiOutRoute>,
    /// MIDI clock goes out (24 a quarter note, with start and stop).
    pub clock: bool,
}

impl MidiSetup {
    /// True when nothing plays from MIDI, nothing is mapped or sent.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty() && self.maps.is_empty() && self.outs.is_empty() && !self.clock
    }
}

/// `midi:` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with play, maps, out and clock"
)]
pub(super) struct MidiFile {
    #[serde(default)]
    play: super::UniqueMap<RouteFile>,
    #[serde(default)]
    maps: Vec<MapFile>,
    #[serde(default)]
    out: super::UniqueMap<OutFile>,
    #[serde(default)]
    clock: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a mapping with channel (1..16)")]
struct OutFile {
    channel: u8,
}

#[derive(Debug, Default, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a mapping with channel and bend (or {})"
)]
struct RouteFile {
    channel: Option<u8>,
    bend: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a map: { cc: N, to: NAME.PARAM } with min, max, curve, channel if wanted"
)]
struct MapFile {
    cc: Option<u8>,
    aftertouch: Option<bool>,
    to: String,
    min: Option<f64>,
    max: Option<f64>,
    curve: Option<String>,
    channel: Option<u8>,
}

impl MidiFile {
    /// Check it against the song's instrument names; `Err` holds the path
    /// of the faulty entry (`midi.maps[2]`) and what is wrong.
    pub(super) fn compile(self, names: &[&str]) -> Result<MidiSetup, (String, String)> {
        let known = |name: &str, at: &str| {
            if names.contains(&name) {
                Ok(())
            } else {
                Err((
                    at.to_string(),
                    format!(
                        "no instrument called '{name}'{}",
                        super::suggest::did_you_mean(name, names)
                    ),
                ))
            }
        };
        let channel = |c: Option<u8>, at: &str| match c {
            None => Ok(None),
            Some(c @ 1..=16) => Ok(Some(c)),
            Some(c) => Err((
                at.to_string(),
                format!("channel {c}: expected a MIDI channel 1..16"),
            )),
        };
        let mut routes = Vec::new();
        for (track, r) in self.play.0 {
            let at = format!("midi.play.{track}");
            known(&track, &at)?;
            if let Some(b) = r
                .bend
                .filter(|b| !(0.0..=48.0).contains(b) || !b.is_finite())
            {
                return Err((at, format!("bend {b}: expected 0..48 semitones")));
            }
            routes.push(MidiRoute {
                channel: channel(r.channel, &at)?,
                track,
                bend: r.bend,
            });
        }
        let mut maps = Vec::new();
        for (i, m) in self.maps.into_iter().enumerate() {
            let at = format!("midi.maps[{i}]");
            let source = match (m.cc, m.aftertouch) {
                (Some(n), None | Some(false)) if n < 120 => MapSource::Control(n),
                (Some(n), None | Some(false)) => {
                    return Err((
                        at,
                        format!(
                        "cc {n}: expected a controller 0..119 (120..127 are channel mode messages)"
                    ),
                    ))
                }
                (None, Some(true)) => MapSource::Aftertouch,
                _ => return Err((at, "expected either cc: N or aftertouch: true".to_string())),
            };
            let track = m.to.split('.').next().unwrap_or("");
            if !m.to.contains('.') {
                return Err((
                    at,
                    format!("to: '{}': expected NAME.PARAM (such as bass.cutoff)", m.to),
                ));
            }
            known(track, &at)?;
            let range = match (m.min, m.max) {
                (None, None) => None,
                (Some(a), Some(b)) if a.is_finite() && b.is_finite() => Some((a, b)),
                _ => return Err((at, "expected both min and max, or neither".to_string())),
            };
            let curve = match m.curve.as_deref() {
                None => None,
                Some(c) => Some(
                    MapCurve::parse(c)
                        .ok_or_else(|| (at.clone(), format!("curve '{c}': expected lin or exp")))?,
                ),
            };
            maps.push(MidiMap {
                source,
                channel: channel(m.channel, &at)?,
                to: m.to.to_lowercase(),
                range,
                curve,
            });
        }
        let mut outs = Vec::new();
        for (track, o) in self.out.0 {
            let at = format!("midi.out.{track}");
            known(&track, &at)?;
            let channel = channel(Some(o.channel), &at)?.unwrap_or(1);
            outs.push(MidiOutRoute { track, channel });
        }
        Ok(MidiSetup {
            routes,
            maps,
            outs,
            clock: self.clock,
        })
    }
}
