//! Chronus's OSC interface (work in progress).
#![deny(missing_docs)]
