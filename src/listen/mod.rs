//! `listen`: what actually left the engine, measured for a partner who
//! cannot hear. The audio thread copies its output into a ring
//! ([`crate::engine::capture`]); a [`Listener`] thread keeps the last
//! seconds of it in a [`History`]; `listen` takes a span of bars out of it
//! and measures it.

pub mod history;
pub mod listener;
pub mod measure;
pub mod offline;

pub use history::{History, Span};
pub use listener::Listener;
