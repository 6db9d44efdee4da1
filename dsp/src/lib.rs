//! Chronus voice engine modules.
#![deny(missing_docs)]
