//! Chronus: a live-codable modular synthesizer.
//!
//! - [`engine`]: the voice engine (tracks, mixer, master limiter) that runs
//!   on the audio thread;
//! - [`render`]: the offline renderer that drives it block by block;
//! - the song model, pattern language and scheduler are in
//!   [`chronus_sequencer`]; the DSP modules in [`chronus_dsp`]; the audio
//!   backends in [`chronus_backends`].
#![deny(missing_docs)]

pub mod engine;
pub mod listen;
pub mod live;
pub mod render;
pub mod session;
pub mod song_end;

pub use chronus_backends as backends;
pub use chronus_command as command;
pub use chronus_dsp as dsp;
pub use chronus_midi as midi;
pub use chronus_osc as osc;
pub use chronus_sequencer as sequencer;
