//! Chronus sequencer: the song model (YAML), the pattern language, the tempo
//! map and the scheduler that turns them into frame-stamped [`Event`]s.
//!
//! This crate has no audio dependencies. Everything here runs on control or
//! sequencer threads and may allocate; the [`Event`] values it produces are
//! small `Copy` values the audio thread consumes.
#![deny(missing_docs)]

pub mod event;
pub mod pattern;
pub mod pitch;
pub mod schedule;
pub mod song;
pub mod tempo;

pub use event::{EffectId, Event, EventKind, ParamTarget, TrackId};
pub use schedule::Schedule;
pub use song::{Song, SongError, Warning};
pub use tempo::TempoMap;
