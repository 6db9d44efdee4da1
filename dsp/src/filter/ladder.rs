//! The 4-pole resonant ladder low-pass.
