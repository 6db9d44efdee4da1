//! Chronus audio backends.
#![deny(missing_docs)]
