//! Chronus: a live-codable modular synthesizer.
#![deny(missing_docs)]
