//! Chronus audio backends behind one small trait.
//!
//! A [`Backend`] drives an [`AudioSource`] block by block: the offline
//! [`wav::WavBackend`] as fast as it can into a WAV file; live backends
//! (JACK, PulseAudio, a device-free real-time `null`) from their audio
//! callbacks.
#![deny(missing_docs)]

pub mod alsa_midi;
#[cfg(feature = "jack")]
pub mod jack;
pub mod metrics;
pub mod null;
#[cfg(feature = "pulse")]
pub mod pulse;
pub mod wav;

pub use metrics::{Metrics, MetricsReport};

use std::sync::Arc;

/// What a source says after each block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    /// More to come.
    Continue,
    /// The source has finished; the block just rendered is its last
    /// (only the first `frames` of it are valid).
    Finished {
        /// Valid frames in the last block.
        frames: usize,
    },
}

/// Something that renders stereo audio a block at a time (the engine).
pub trait AudioSource {
    /// Render the next `left.len()` frames into `left` and `right`.
    /// Called on the audio thread: must not allocate, lock or block.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow;

    /// Estimated total frames, for progress reports (`None` if unknown).
    fn total_frames_hint(&self) -> Option<u64> {
        None
    }

    /// The device's current cycle began `ago` before this call (called on
    /// the audio thread just before [`AudioSource::process`] by backends
    /// that know it, such as JACK), so that a source can time events from
    /// the cycle rather than from when its callback happened to run.
    /// Audio thread safe.
    fn cycle_began(&mut self, ago: std::time::Duration) {
        let _ = ago;
    }

    /// A MIDI event that arrived `offset` frames into the cycle about to be
    /// rendered (JACK MIDI in): called for each, in order, just before
    /// [`AudioSource::process`] renders that cycle, so the source can apply
    /// it at exactly that frame. Audio thread safe. By default ignored.
    fn midi_in(&mut self, offset: u32, bytes: &[u8]) {
        let _ = (offset, bytes);
    }

    /// The MIDI messages the cycle just rendered sends out, each with its
    /// offset in the cycle, in order, given to `out` (the JACK MIDI output
    /// port writes them there). Called just after [`AudioSource::process`].
    /// Audio thread safe. By default none.
    fn midi_out(&mut self, out: &mut dyn FnMut(u32, &[u8])) {
        let _ = out;
    }

    /// The device now runs at `rate` Hz (a JACK server that came back at
    /// another rate): rebuild for it. Called off the audio thread while no
    /// callback runs, so it may allocate. False when the source cannot
    /// follow (it then plays on at its old rate, at the wrong pitch).
    fn set_rate(&mut self, rate: u32) -> bool {
        let _ = rate;
        false
    }
}

/// What a backend run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Frames delivered to the output.
    pub frames: u64,
}

/// Why a backend failed.
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    /// The output could not be created or written (bad path, permissions,
    /// full disk). Retrying with another path can help.
    #[error("{path}: {message}")]
    Output {
        /// The output path.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The audio server is not running or refused us. Starting it (or
    /// choosing another backend) can help.
    #[error("{backend}: {message}")]
    Unavailable {
        /// The backend's name.
        backend: &'static str,
        /// What went wrong and what to do.
        message: String,
    },
    /// The audio thread could not be started.
    #[error("{backend}: {message}")]
    Failed {
        /// The backend's name.
        backend: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// A way to get a source's audio somewhere.
pub trait Backend {
    /// Run `source` until it finishes (or the backend stops).
    ///
    /// # Errors
    /// A [`BackendError`] saying what failed; a failed run leaves no partial
    /// output behind.
    fn run(&mut self, source: &mut dyn AudioSource) -> Result<RunReport, BackendError>;
}

/// A backend that plays in real time, calling the source from its own audio
/// thread (or callback) once per period.
pub trait LiveBackend: Send {
    /// The backend's name: `jack`, `pulse` or `null`.
    fn name(&self) -> &'static str;

    /// The sample rate the device runs at: build the engine for it.
    fn rate(&self) -> u32;

    /// Frames per period (the callback's size, when fixed).
    fn period(&self) -> usize;

    /// Play `source` until it returns [`Flow::Finished`]; blocks the caller.
    /// The source's `process` runs on the audio thread: it must not
    /// allocate, lock or block. Counters go to `metrics`.
    ///
    /// # Errors
    /// A [`BackendError`] when the device cannot be opened or fails for good.
    fn play(
        self: Box<Self>,
        source: Box<dyn AudioSource + Send>,
        metrics: Arc<Metrics>,
    ) -> Result<RunReport, BackendError>;
}
