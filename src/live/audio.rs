//! Starting the audio side of a live playback: the source (optionally
//! recorded) moved into the backend on its own thread, and finishing it.

use super::recorder::{Recording, RecordingWriter};
use super::{LiveError, LiveSource};
use chronus_backends::{AudioSource, BackendError, LiveBackend, Metrics, RunReport};
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;

/// The audio thread and the recording's writer.
pub struct Audio {
    thread: JoinHandle<Result<RunReport, BackendError>>,
    writer: Option<RecordingWriter>,
}

/// What the recording did, when there was one.
#[derive(Clone, Copy, Debug, Default)]
pub struct Recorded {
    /// Frames written to the file.
    pub frames: Option<u64>,
    /// Samples dropped because the writer fell behind.
    pub dropped: u64,
}

impl Audio {
    /// Play `live` through `backend` on a new thread, recording it to
    /// `record` when given.
    ///
    /// # Errors
    /// When the recording or the thread cannot be started.
    pub fn start(
        live: LiveSource,
        backend: Box<dyn LiveBackend>,
        record: Option<&Path>,
        metrics: &Arc<Metrics>,
    ) -> Result<Audio, LiveError> {
        let rate = backend.rate();
        let (source, writer): (Box<dyn AudioSource + Send>, _) = match record {
            Some(path) => {
                let (rec, writer) =
                    Recording::start(live, rate, path).map_err(LiveError::Record)?;
                (Box::new(rec), Some(writer))
            }
            None => (Box::new(live), None),
        };
        let thread_metrics = Arc::clone(metrics);
        let thread = std::thread::Builder::new()
            .name("chronus-audio".into())
            .spawn(move || backend.play(source, thread_metrics))
            .map_err(|source| LiveError::Thread {
                what: "audio",
                source,
            })?;
        Ok(Audio { thread, writer })
    }

    /// True once the backend has stopped playing.
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Wait for the backend to stop (ask the source to stop first), then
    /// finish the recording.
    ///
    /// # Errors
    /// When the backend failed, the audio thread panicked, or the recording
    /// could not be finished.
    pub fn finish(self) -> Result<Recorded, LiveError> {
        let played = self
            .thread
            .join()
            .map_err(|_| LiveError::AudioThreadPanicked)?;
        let dropped = self.writer.as_ref().map_or(0, RecordingWriter::dropped);
        let frames = match self.writer {
            Some(w) => Some(w.finish().map_err(LiveError::Record)?),
            None => None,
        };
        played?;
        Ok(Recorded { frames, dropped })
    }
}
