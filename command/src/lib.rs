//! Chronus's command language (work in progress).
#![deny(missing_docs)]
