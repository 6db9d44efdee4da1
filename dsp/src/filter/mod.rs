//! Filters: the 4-pole ladder (per-voice low-pass) and the state-variable filter.

pub mod dc;
pub mod ladder;
pub mod svf;

pub use dc::{DcBlocker, DC_CORNER};
pub use ladder::LadderBank;
pub use svf::{Svf, SvfBank, SvfCoefs, SvfMode};
