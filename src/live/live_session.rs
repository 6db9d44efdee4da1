//! `chronus live`: a session that plays while it is edited. The engine runs
//! in the backend's callback, the sequencer thread pumps a [`LiveTimeline`],
//! and one control thread (the caller's) owns the [`Session`] and answers
//! every command line, whether it came from the terminal or over OSC.
//!
//! ```text
//!  stdin reader ──┐                      ┌─► engine (audio thread)
//!  OSC server ────┼─► control: Session ──┤
//!                 │   (one reply a line) └─► LiveTimeline ◄── sequencer thread
//! ```

use super::audio::Audio;
use super::sequencer::lock;
use super::timeline::LiveTimeline;
use super::SequencerOptions;
use super::{AudioClock, LiveControl, LiveError, LiveSource, RtQueue, SequencerHandle};
use crate::engine::Engine;
use crate::session::{Reply, Session};
use chronus_backends::{LiveBackend, Metrics, MetricsReport};
use chronus_sequencer::{Event, Song};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Capacity of the event queue from the sequencer to the audio thread.
const QUEUE_EVENTS: usize = 16_384;

/// How a live session runs.
#[derive(Clone, Debug, Default)]
pub struct LiveOptions {
    /// Also write what is played to this WAV file (32-bit float).
    pub record: Option<PathBuf>,
    /// Where `save patch` and `load patch` keep patches.
    pub patches: PathBuf,
    /// Look-ahead of the sequencer in frames (default: 50 ms, at least
    /// four periods).
    pub lookahead: Option<u64>,
    /// Start the music at this bar (0-based) instead of the first: a
    /// resumed session.
    pub start_bar: Option<u64>,
}

/// A line for the session, from wherever it came.
pub enum Input {
    /// A command line; the reply goes back on `reply` when given.
    Line {
        /// The text.
        text: String,
        /// The frame for its immediate changes (an OSC time tag), if any.
        at: Option<u64>,
        /// Where the reply goes.
        reply: Option<mpsc::Sender<Reply>>,
        /// Who sent it (`tty`, `osc:ADDRESS`, `mcp`), for `history`.
        who: String,
    },
    /// The song file changed (`--watch`): the new song, or why it does
    /// not load (`file:line:column: ...`).
    Song(Result<Box<Song>, String>),
    /// No more input (end of stdin).
    End,
}

/// What a live session did.
#[derive(Clone, Copy, Debug, Default)]
pub struct LiveReport {
    /// The backend's counters.
    pub metrics: MetricsReport,
    /// Frames written to the recording, if any.
    pub recorded_frames: Option<u64>,
    /// Recorded samples dropped because the writer fell behind.
    pub record_dropped: u64,
}

/// The parts a session's front ends need while it runs.
pub struct LiveContext {
    /// Send lines to the session.
    pub inputs: mpsc::Sender<Input>,
    /// The audio clock (frames rendered, now).
    pub clock: AudioClock,
    /// The sample rate.
    pub rate: u32,
    /// Instrument names and setting keys the session knows now, kept up to
    /// date after every line (for completion).
    pub words: Arc<Mutex<Vec<String>>>,
    /// Where MIDI input from other threads (ALSA ports) goes, shared by
    /// every port's callback.
    pub midi_inbox: Arc<Mutex<Option<rtrb::Producer<crate::engine::midi::Timed>>>>,
    /// The engine's MIDI counters (malformed input found off the audio
    /// thread is added there).
    pub midi_counters: Option<Arc<crate::engine::midi::MidiCounters>>,
    /// What the engine sends out as MIDI, for an ALSA output (taken once).
    pub midi_out: super::midi_devices::Outbox,
}

/// Run a live session through `backend` until `quit`, the end of input, or
/// `control.request_stop()`. `start` runs once everything plays (start the
/// OSC server and the stdin reader there); `tick` about every 20 ms on the
/// control thread; `on_reply` for every reply (print it).
///
/// # Errors
/// A [`LiveError`] when a thread, the recording or the backend fails.
#[allow(clippy::too_many_arguments)]
pub fn run_live(
    song: Option<&Song>,
    backend: Box<dyn LiveBackend>,
    options: &LiveOptions,
    control: &LiveControl,
    metrics: &Arc<Metrics>,
    start: impl FnOnce(&LiveContext, &mut Session),
    mut tick: impl FnMut(&Arc<Metrics>, &LiveControl, &mut Session),
) -> Result<LiveReport, LiveError> {
    let rate = backend.rate();
    let period = backend.period() as u64;
    let mut engine = Engine::empty(rate);
    let Some(handle) = engine.take_handle() else {
        return Err(LiveError::Record(
            "the engine's control handle is gone".into(),
        ));
    };
    let midi_link = engine.take_midi_link();
    let (capture, reader, shared) = crate::engine::capture::capture();
    engine.set_capture(capture);
    let xrun_metrics = Arc::clone(metrics);
    let listener = crate::listen::Listener::start(
        reader,
        shared,
        rate,
        Box::new(move || xrun_metrics.report().xruns),
    )
    .map_err(|source| LiveError::Thread {
        what: "listener",
        source,
    })?;
    let (producer, consumer) = rtrb::RingBuffer::<Event>::new(QUEUE_EVENTS);
    let clock = AudioClock::with_rate(rate);
    let mut seq_options = SequencerOptions::for_rate(rate);
    seq_options.lookahead = options
        .lookahead
        .unwrap_or_else(|| seq_options.lookahead.max(4 * period));
    let (tempo, meter, swing, seed) =
        song.map_or((120.0, 4, 0.0, 0), |s| (s.tempo, s.meter, s.swing, s.seed));
    let timeline = Arc::new(Mutex::new(LiveTimeline::new(
        rate, tempo, meter, swing, seed,
    )));
    if let Some(bar) = options.start_bar {
        let frame = lock(&timeline).start_at_bar(bar);
        engine.set_frame(frame);
        clock.publish_untimed(frame, clock.block());
    }
    let mut sequencer =
        SequencerHandle::spawn(Arc::clone(&timeline), clock.clone(), producer, seq_options)
            .map_err(|source| LiveError::Thread {
                what: "sequencer",
                source,
            })?;
    sequencer.wait_primed(Duration::from_secs(2));
    let mut session = Session::new(
        rate,
        handle,
        Arc::clone(&timeline),
        clock.clone(),
        options.patches.clone(),
    );
    session.attach_listener(listener);
    let mut midi_inbox = None;
    let mut midi_counters = None;
    if let Some(link) = midi_link {
        session.attach_midi(Arc::clone(&link.counters));
        if let Some(c) = link.clock {
            session.attach_midi_clock(c);
        }
        midi_counters = Some(link.counters);
        midi_inbox = link.inbox;
    }
    // A device that comes back at another rate: the audio side builds an
    // empty engine at it, re-rates the timeline, and hands the engine's
    // handle to the control thread, which rebuilds every instrument.
    let adopt: Arc<Mutex<Option<(crate::engine::EngineHandle, u32)>>> = Arc::default();
    let hook_timeline = Arc::clone(&timeline);
    let hook_adopt = Arc::clone(&adopt);
    let hook_clock = clock.clone();
    let hook: super::source::RateHook = Box::new(move |rate, drain| {
        let mut engine = Engine::empty(rate);
        let handle = engine.take_handle()?;
        let mut tl = lock(&hook_timeline);
        let frame = tl.rerate(rate);
        drain();
        engine.set_frame(frame);
        hook_clock.set_rate(rate);
        hook_clock.publish_untimed(frame, hook_clock.block());
        drop(tl);
        *lock(&hook_adopt) = Some((handle, rate));
        Some(engine)
    });
    let (out_tx, out_rx) = rtrb::RingBuffer::new(crate::engine::midi_out::OUT_CAPACITY);
    let live = LiveSource::new(
        engine,
        RtQueue::new(consumer),
        clock.clone(),
        control.clone(),
    )
    .with_rate_hook(hook)
    .with_midi_out(out_tx);
    let audio = Audio::start(live, backend, options.record.as_deref(), metrics)?;
    if let Some(song) = song {
        let reply = session.load_song(song);
        eprintln!("{}", reply.line());
    }
    let (tx, rx) = mpsc::channel::<Input>();
    let words: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(session.words()));
    let context = LiveContext {
        inputs: tx,
        clock: clock.clone(),
        rate,
        words: Arc::clone(&words),
        midi_inbox: Arc::new(Mutex::new(midi_inbox)),
        midi_counters,
        midi_out: Arc::new(Mutex::new(Some(out_rx))),
    };
    start(&context, &mut session);
    drop(context);
    loop {
        if audio.is_finished() || control.finished() {
            break;
        }
        // Every line waiting, then the housekeeping.
        let mut next = rx.recv_timeout(Duration::from_millis(20));
        let mut quit = false;
        let mut changed = false;
        loop {
            match next {
                Ok(Input::Line {
                    text,
                    at,
                    reply,
                    who,
                }) => {
                    let before = session.structure();
                    let r = session.execute_from(&text, at, &who);
                    changed |= session.structure() != before;
                    quit = r.quit;
                    match reply {
                        Some(back) => {
                            let _ = back.send(r);
                        }
                        // Nobody waits for this reply (an OSC note, set,
                        // pattern or tempo): say a refusal where the
                        // session's messages go.
                        None if !r.ok => {
                            eprintln!("warning: OSC request `{text}` refused: {}", r.text)
                        }
                        None => {}
                    }
                }
                Ok(Input::Song(Ok(song))) => {
                    let before = session.structure();
                    let r = session.reload_song(&song);
                    changed |= session.structure() != before;
                    eprintln!("{}", r.line());
                }
                Ok(Input::Song(Err(e))) => {
                    eprintln!("error: {e} (the last good version plays on)");
                }
                Ok(Input::End) | Err(mpsc::RecvTimeoutError::Disconnected) => quit = true,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
            if quit {
                break;
            }
            match rx.try_recv() {
                Ok(input) => next = Ok(input),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => {
                    next = Err(mpsc::RecvTimeoutError::Disconnected);
                }
            }
        }
        if changed {
            *lock(&words) = session.words();
        }
        if quit {
            break;
        }
        let adopted = lock(&adopt).take();
        if let Some((handle, rate)) = adopted {
            let reply = session.adopt_engine(handle, rate);
            eprintln!("{}", reply.line());
        }
        session.collect();
        for line in session.take_messages() {
            eprintln!("{line}");
        }
        for name in session.take_faults() {
            eprintln!(
                "warning: {name} produced a NaN or infinity: it was reset (the mix played on)"
            );
        }
        tick(metrics, control, &mut session);
    }
    control.request_stop();
    let recorded = audio.finish();
    sequencer.stop();
    session.collect();
    let recorded = recorded?;
    Ok(LiveReport {
        metrics: metrics.report(),
        recorded_frames: recorded.frames,
        record_dropped: recorded.dropped,
    })
}
