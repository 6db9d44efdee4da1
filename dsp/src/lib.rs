//! Chronus voice engine modules: band-limited oscillators, filters,
//! envelopes, the voice banks of every instrument type, and effects.
//!
//! Everything here is built (allocated) on a control thread and then runs on
//! the audio thread, where it only reads and writes memory it already owns:
//! every `process`/`render`/`note_on` method is audio-thread safe (no
//! allocation, no locks, no system calls) unless its docs say otherwise.
#![deny(missing_docs)]

#[cfg(test)]
mod alias;
pub mod effect;
pub mod effects;
pub mod envelope;
pub mod filter;
pub mod instrument;
pub mod live;
pub mod math;
pub mod measure;
pub mod memory;
pub mod noise;
pub mod osc;
pub mod simd;
pub mod smooth;
pub mod voices;

pub use effect::{build_effect, Effect};
pub use instrument::{build_instrument, Instrument};

/// The largest block any module is asked to process at once, in frames.
/// The engine splits longer periods (and splits blocks at event frames).
pub const MAX_BLOCK: usize = 64;
