//! Band-limited oscillators: mipmapped wavetables read by a fixed-point
//! phase accumulator.

pub mod phase;
pub mod wavetable;

pub use phase::{phase_increment, PHASE_ONE};
pub use wavetable::{Shape, Wavetables};
