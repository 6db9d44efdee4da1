//! Band-limited oscillators.
