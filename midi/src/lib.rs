#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

pub mod file;
mod message;
mod parser;

pub use message::{cc, Message};
pub use parser::{Parser, ParserStats};
mod router;
mod routes;

pub use router::{Router, RouterStats, NOTE_IDS, SMOOTHING, VIBRATO_CENTS, VIBRATO_HZ};
pub use routes::{
    Curve, Keys, Map, OutRoute, Route, Routes, Source, DEFAULT_BEND, MAX_MAPS, MAX_OUTS, MAX_ROUTES,
};
