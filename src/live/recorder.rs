//! `--record`: a copy of what the audio thread plays, written to a WAV file
//! by a writer thread. The audio side only pushes samples into a lock-free
//! ring buffer; if the writer falls behind, samples are dropped and counted,
//! never waited for.

use chronus_backends::wav::temp_path;
use chronus_backends::{AudioSource, Flow};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

/// Seconds of audio the ring buffer holds.
const BUFFER_SECONDS: usize = 10;

/// Wraps a source and copies its output (interleaved stereo) to a writer.
pub struct Recording<S> {
    inner: S,
    producer: rtrb::Producer<f32>,
    shared: Arc<RecShared>,
}

#[derive(Debug, Default)]
struct RecShared {
    dropped: AtomicU64,
    done: AtomicBool,
}

/// The writer side: a thread that writes the WAV file.
pub struct RecordingWriter {
    shared: Arc<RecShared>,
    thread: Option<JoinHandle<Result<u64, String>>>,
}

impl<S: AudioSource> Recording<S> {
    /// Record `inner` at `rate` into `path` (32-bit float WAV, written to a
    /// temporary name and renamed when finished).
    ///
    /// # Errors
    /// When the file cannot be created or the thread cannot start.
    pub fn start(inner: S, rate: u32, path: &Path) -> Result<(Self, RecordingWriter), String> {
        let (mut producer, mut consumer) =
            rtrb::RingBuffer::new(BUFFER_SECONDS * rate as usize * 2);
        crate::engine::prefault::ring(&mut producer, &mut consumer, || 0.0f32);
        let shared = Arc::new(RecShared::default());
        let target = path.to_path_buf();
        let temp = temp_path(path);
        let spec = hound::WavSpec {
            channels: 2,
            sample_rate: rate,
            bits_per_sample: 32,
            sample_format: hound::SampleFormat::Float,
        };
        let writer = hound::WavWriter::create(&temp, spec)
            .map_err(|e| format!("{}: cannot create: {e}", path.display()))?;
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("chronus-recorder".into())
            .spawn(move || write_loop(writer, consumer, &thread_shared, &temp, &target))
            .map_err(|e| format!("cannot start the recorder: {e}"))?;
        Ok((
            Recording {
                inner,
                producer,
                shared: Arc::clone(&shared),
            },
            RecordingWriter {
                shared,
                thread: Some(thread),
            },
        ))
    }
}

fn write_loop(
    mut writer: hound::WavWriter<std::io::BufWriter<std::fs::File>>,
    mut consumer: rtrb::Consumer<f32>,
    shared: &RecShared,
    temp: &Path,
    target: &Path,
) -> Result<u64, String> {
    let mut samples = 0u64;
    let fail = |e: &dyn std::fmt::Display| {
        let _ = std::fs::remove_file(temp);
        format!("{}: {e}", target.display())
    };
    loop {
        let done = shared.done.load(Ordering::Acquire);
        while let Ok(s) = consumer.pop() {
            writer.write_sample(s).map_err(|e| fail(&e))?;
            samples += 1;
        }
        if done {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    writer.finalize().map_err(|e| fail(&e))?;
    std::fs::rename(temp, target).map_err(|e| fail(&e))?;
    Ok(samples / 2)
}

impl RecordingWriter {
    /// Samples dropped because the writer fell behind.
    pub fn dropped(&self) -> u64 {
        self.shared.dropped.load(Ordering::Acquire)
    }

    /// Finish the file after playback has stopped; frames written.
    ///
    /// # Errors
    /// When the file could not be written or moved into place.
    pub fn finish(mut self) -> Result<u64, String> {
        self.shared.done.store(true, Ordering::Release);
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(result)) => result,
            _ => Err("the recorder thread failed".into()),
        }
    }
}

impl<S: AudioSource> AudioSource for Recording<S> {
    /// Audio thread safe.
    fn cycle_began(&mut self, ago: std::time::Duration) {
        self.inner.cycle_began(ago);
    }

    /// Audio thread safe.
    fn midi_in(&mut self, offset: u32, bytes: &[u8]) {
        self.inner.midi_in(offset, bytes);
    }

    /// Audio thread safe.
    fn midi_out(&mut self, out: &mut dyn FnMut(u32, &[u8])) {
        self.inner.midi_out(out);
    }

    /// Follows the source; the file keeps the rate it started at (a WAV
    /// file has one rate), which is said once here.
    fn set_rate(&mut self, rate: u32) -> bool {
        let ok = self.inner.set_rate(rate);
        if ok {
            eprintln!(
                "warning: the device now runs at {rate} Hz: the recording goes on, but its file keeps the rate it started at"
            );
        }
        ok
    }

    /// Audio thread safe: pushes into a preallocated ring buffer.
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
        let flow = self.inner.process(left, right);
        let n = match flow {
            Flow::Continue => left.len(),
            Flow::Finished { frames } => frames.min(left.len()),
        };
        if self.producer.slots() < 2 * n {
            self.shared
                .dropped
                .fetch_add(2 * n as u64, Ordering::AcqRel);
            return flow;
        }
        for (l, r) in left[..n].iter().zip(&right[..n]) {
            // Cannot fail: the slots were counted above.
            let _ = self.producer.push(*l);
            let _ = self.producer.push(*r);
        }
        flow
    }
}
