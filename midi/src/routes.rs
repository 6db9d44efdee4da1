//! The routing table: which tracks play which channel, and which controllers
//! move which parameters. Built off the audio thread (it allocates), sent to
//! the audio thread whole, and read there as is.

use chronus_sequencer::{ParamTarget, TrackId};

/// Most tracks that can play from MIDI at once.
pub const MAX_ROUTES: usize = 16;
/// Most controller maps.
pub const MAX_MAPS: usize = 128;
/// Pitch-bend range of a route unless told otherwise (`bend=2`).
pub const DEFAULT_BEND: f32 = 2.0;

/// How a route plays a note's key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keys {
    /// The key is the note's pitch (synths, FM, samplers) or picks the drum
    /// (a kit, by General MIDI number).
    Pitch,
    /// Every key plays the instrument at its own pitch (a single drum).
    Trigger,
}

/// A track that plays incoming notes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Route {
    /// The track.
    pub track: TrackId,
    /// The channel it listens to (0..=15), or `None` for every channel.
    pub channel: Option<u8>,
    /// What a key does.
    pub keys: Keys,
    /// Semitones at full pitch-wheel throw.
    pub bend: f32,
}

/// What moves a mapped parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// A controller number 0..=119.
    Control(u8),
    /// Channel aftertouch.
    Pressure,
}

/// How a controller's 0..127 spreads over the parameter's range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Curve {
    /// Evenly.
    Linear,
    /// Evenly in ratio (min times (max/min) to the power x): for
    /// frequencies and times. Needs min and max of the same sign, not 0.
    Exponential,
}

impl Curve {
    /// The value at `x` (0..=1) between `min` and `max`.
    ///
    /// ```
    /// use chronus_midi::Curve;
    /// assert_eq!(Curve::Linear.at(0.5, 0.0, 10.0), 5.0);
    /// assert!((Curve::Exponential.at(0.5, 100.0, 10_000.0) - 1000.0).abs() < 1e-3);
    /// ```
    pub fn at(self, x: f32, min: f32, max: f32) -> f32 {
        let x = x.clamp(0.0, 1.0);
        match self {
            Curve::Linear => min + (max - min) * x,
            Curve::Exponential if min * max > 0.0 => min * (max / min).powf(x),
            Curve::Exponential => min + (max - min) * x,
        }
    }
}

/// A controller moving one parameter of one track.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Map {
    /// What moves it.
    pub source: Source,
    /// The channel it listens to, or `None` for every channel.
    pub channel: Option<u8>,
    /// The track.
    pub track: TrackId,
    /// The parameter.
    pub target: ParamTarget,
    /// The value at controller 0.
    pub min: f32,
    /// The value at controller 127.
    pub max: f32,
    /// How the range is spread.
    pub curve: Curve,
}

/// A track whose notes also go out as MIDI (to external gear).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutRoute {
    /// The track.
    pub track: TrackId,
    /// The channel 0..=15 its notes go out on.
    pub channel: u8,
    /// For a drum, the key its hits play (General MIDI); `None`: the
    /// note's pitch (60 when it has none).
    pub key: Option<u8>,
}

/// Most tracks sent to the MIDI output.
pub const MAX_OUTS: usize = 16;

/// Everything the router needs to know about where MIDI goes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Routes {
    /// Tracks that play notes (at most [`MAX_ROUTES`]).
    pub routes: Vec<Route>,
    /// Controller maps (at most [`MAX_MAPS`]).
    pub maps: Vec<Map>,
    /// Tracks whose notes go out (at most [`MAX_OUTS`]).
    pub outs: Vec<OutRoute>,
}

impl Routes {
    /// The routes that hear `channel`.
    pub fn hearing(&self, channel: u8) -> impl Iterator<Item = &Route> {
        self.routes
            .iter()
            .take(MAX_ROUTES)
            .filter(move |r| r.channel.is_none_or(|c| c == channel))
    }

    /// The maps moved by `source` on `channel`.
    pub fn moved_by(&self, source: Source, channel: u8) -> impl Iterator<Item = &Map> {
        self.maps
            .iter()
            .take(MAX_MAPS)
            .filter(move |m| m.source == source && m.channel.is_none_or(|c| c == channel))
    }
}
