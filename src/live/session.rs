//! One live playback: sequencer thread, engine in the backend's callback,
//! optional recording, until the song ends or a stop is requested.

use super::audio::Audio;
use super::sequencer::lock;
use super::song_timeline::SongTimeline;
use super::LiveError;
use super::Timeline;
use super::{AudioClock, LiveControl, LiveSource, RtQueue, SequencerHandle, SequencerOptions};
use crate::engine::{Engine, EngineStats};
use chronus_backends::{LiveBackend, Metrics, MetricsReport};
use chronus_sequencer::{Event, Song};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Capacity of the event queue from the sequencer to the audio thread.
const QUEUE_EVENTS: usize = 16_384;

/// How to play.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlayOptions {
    /// Play the arrangement again and again (until stopped).
    pub looping: bool,
    /// Also write what is played to this WAV file (32-bit float).
    pub record: Option<PathBuf>,
    /// Look-ahead of the sequencer in frames (default: 50 ms, at least
    /// four periods).
    pub lookahead: Option<u64>,
}

/// What a playback did.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct PlayReport {
    /// The backend's counters (frames, xruns, callback times, latency).
    pub metrics: MetricsReport,
    /// The engine's counters (events, late events).
    pub engine: EngineStats,
    /// Times the event queue was full (events then waited, never dropped).
    pub queue_full: u64,
    /// Frames written to the recording, if any.
    pub recorded_frames: Option<u64>,
    /// Recorded samples dropped because the writer fell behind.
    pub record_dropped: u64,
}

/// Play `song` through `backend` until it ends (after its tails) or
/// `control.request_stop()` is called. `tick` runs on the calling thread
/// about every 20 ms while playing (for signals and status lines).
///
/// # Errors
/// A [`LiveError`] when a thread, the recording or the backend fails.
pub fn play(
    song: &Song,
    backend: Box<dyn LiveBackend>,
    options: &PlayOptions,
    control: &LiveControl,
    metrics: &Arc<Metrics>,
    mut tick: impl FnMut(&Arc<Metrics>, &LiveControl),
) -> Result<PlayReport, LiveError> {
    let rate = backend.rate();
    let period = backend.period() as u64;
    let engine = Engine::new(song, rate);
    let (producer, consumer) = rtrb::RingBuffer::<Event>::new(QUEUE_EVENTS);
    let clock = AudioClock::with_rate(rate);
    let mut seq_options = SequencerOptions::for_rate(rate);
    seq_options.lookahead = options
        .lookahead
        .unwrap_or_else(|| seq_options.lookahead.max(4 * period));
    let timeline = Arc::new(Mutex::new(SongTimeline::new(song, rate, options.looping)));
    let hook_timeline = Arc::clone(&timeline);
    let hook: super::source::RateHook = Box::new(move |rate, drain| {
        let mut tl = lock(&hook_timeline);
        let frame = tl.rerate(rate);
        let mut engine = Engine::new(tl.song(), rate);
        drain();
        drop(tl);
        engine.set_frame(frame);
        Some(engine)
    });
    let end_frame = lock(&timeline).end_frame().unwrap_or(u64::MAX);
    let end_timeline = Arc::clone(&timeline);
    let mut sequencer = SequencerHandle::spawn(timeline, clock.clone(), producer, seq_options)
        .map_err(|source| LiveError::Thread {
            what: "sequencer",
            source,
        })?;
    sequencer.wait_primed(Duration::from_secs(2));
    let live = LiveSource::new(engine, RtQueue::new(consumer), clock, control.clone())
        .with_rate_hook(hook);
    let audio = Audio::start(live, backend, options.record.as_deref(), metrics)?;
    let mut told_done = false;
    while !audio.is_finished() {
        if !told_done && sequencer.finished() {
            // Read now: a change of rate moves the end.
            let end = lock(&end_timeline).end_frame().unwrap_or(end_frame);
            control.song_done(end);
            told_done = true;
        }
        tick(metrics, control);
        std::thread::sleep(Duration::from_millis(20));
    }
    let recorded = audio.finish();
    sequencer.stop();
    let recorded = recorded?;
    Ok(PlayReport {
        metrics: metrics.report(),
        engine: control.stats(),
        queue_full: sequencer.queue_full_count(),
        recorded_frames: recorded.frames,
        record_dropped: recorded.dropped,
    })
}
