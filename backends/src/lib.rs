//! Chronus audio backends behind one small trait.
//!
//! A [`Backend`] drives an [`AudioSource`] block by block: the offline
//! [`wav::WavBackend`] as fast as it can into a WAV file; live backends
//! (JACK, PulseAudio, a device-free real-time `null`) from their audio
//! callbacks.
#![deny(missing_docs)]

pub mod wav;

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
