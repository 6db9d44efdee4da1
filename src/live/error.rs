//! What can go wrong in a live playback.

use chronus_backends::BackendError;

/// Why a live playback failed. Each renders as one line.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// A thread (sequencer, audio, recorder) could not be started.
    #[error("cannot start the {what} thread: {source}")]
    Thread {
        /// Which thread.
        what: &'static str,
        /// The OS error.
        source: std::io::Error,
    },
    /// The recording could not be created or finished.
    #[error("{0}")]
    Record(String),
    /// The backend failed.
    #[error(transparent)]
    Backend(#[from] BackendError),
    /// The audio thread panicked (a bug).
    #[error("the audio thread panicked")]
    AudioThreadPanicked,
}
