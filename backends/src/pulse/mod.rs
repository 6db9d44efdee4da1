//! The PulseAudio backend: one stereo float32 playback stream through
//! libpulse's asynchronous API, driven by a standard (single-threaded)
//! mainloop on the thread that calls [`LiveBackend::play`].
//!
//! The asynchronous API (rather than `pa_simple`) because it is the only one
//! that reports underruns: the server's underflow notifications are counted
//! with [`Metrics::xrun`]. The loop waits for the server's requests, then
//! asks the source for one period at a time while the server has room for a
//! whole period, and writes each period as it is rendered. The server buffer
//! is sized for the latency target (`tlength`), requests come a period at a
//! time (`minreq`), and playback starts once the buffer is full (`prebuf`).
//!
//! The server is found the way every libpulse client finds it (`PULSE_SERVER`,
//! `client.conf`, the default socket); no server is ever autospawned.

use crate::{AudioSource, BackendError, Flow, LiveBackend, Metrics, RunReport};
use libpulse_binding as pa;
use pa::context::{Context, FlagSet as ContextFlags, State as ContextState};
use pa::def::BufferAttr;
use pa::mainloop::standard::Mainloop;
use pa::operation::State as OperationState;
use pa::proplist::{properties, Proplist};
use pa::sample::{Format, Spec};
use pa::stream::{FlagSet as StreamFlags, Latency, SeekMode, State as StreamState, Stream};
use pa::time::MicroSeconds;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

const NAME: &str = "pulse";
/// Bytes in one stereo float32 frame.
const FRAME_BYTES: usize = 8;
/// How long to wait for a server to accept the connection or the stream.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest single wait in the mainloop (so a dead server is noticed).
const POLL_SLICE: Duration = Duration::from_millis(100);
/// How often the reported latency is refreshed.
const LATENCY_EVERY: Duration = Duration::from_millis(50);

/// How to open the PulseAudio output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PulseOptions {
    /// Stream sample rate in Hz (the server resamples if its sink differs).
    pub rate: u32,
    /// Target output latency: the server-side buffer (`tlength`).
    pub latency: Duration,
    /// Frames rendered per call of the source (`minreq`); `None` for a
    /// quarter of the latency target.
    pub period: Option<usize>,
    /// Client name the server shows.
    pub app_name: String,
    /// Stream name the server shows.
    pub stream_name: String,
    /// Sink to play to; `None` for the server's default (or `PULSE_SINK`).
    pub sink: Option<String>,
}

impl Default for PulseOptions {
    fn default() -> Self {
        PulseOptions {
            rate: 48_000,
            latency: Duration::from_millis(20),
            period: None,
            app_name: "chronus".to_string(),
            stream_name: "chronus output".to_string(),
            sink: None,
        }
    }
}

/// Plays through a PulseAudio server.
#[derive(Clone, Debug)]
pub struct PulseBackend {
    options: PulseOptions,
    period: usize,
    /// Server buffer target in frames.
    target: usize,
}

impl PulseBackend {
    /// Check the options and that a server answers (the connection is closed
    /// again: [`LiveBackend::play`] opens its own on the thread that plays).
    ///
    /// # Errors
    /// [`BackendError::Unavailable`] when no server answers;
    /// [`BackendError::Failed`] for impossible options.
    pub fn open(options: PulseOptions) -> Result<PulseBackend, BackendError> {
        let spec = spec(options.rate);
        if !spec.is_valid() {
            return Err(failed(format!(
                "unsupported sample rate {} Hz",
                options.rate
            )));
        }
        if options.latency.is_zero() || options.latency > Duration::from_secs(2) {
            return Err(failed(format!(
                "latency target {:?} out of range (0, 2 s]",
                options.latency
            )));
        }
        let latency_frames =
            (options.latency.as_secs_f64() * f64::from(options.rate)).round() as usize;
        let period = options.period.unwrap_or(latency_frames / 4).clamp(16, 8192);
        let target = latency_frames.max(2 * period);
        let probe = Connection::open(&options.app_name)?;
        drop(probe);
        Ok(PulseBackend {
            options,
            period,
            target,
        })
    }

    /// The options this backend was opened with.
    pub fn options(&self) -> &PulseOptions {
        &self.options
    }
}

impl LiveBackend for PulseBackend {
    fn name(&self) -> &'static str {
        NAME
    }

    fn rate(&self) -> u32 {
        self.options.rate
    }

    fn period(&self) -> usize {
        self.period
    }

    fn play(
        self: Box<Self>,
        mut source: Box<dyn AudioSource + Send>,
        metrics: Arc<Metrics>,
    ) -> Result<RunReport, BackendError> {
        let rate = self.options.rate;
        let period = self.period;
        let mut conn = Connection::open(&self.options.app_name)?;
        let draining = Rc::new(Cell::new(false));
        conn.open_stream(&self.options, self.target, period, &metrics, &draining)?;
        metrics.set_format(rate, period);

        // Everything the loop needs, allocated up front.
        let mut left = vec![0.0f32; period];
        let mut right = vec![0.0f32; period];
        let mut bytes = vec![0u8; period * FRAME_BYTES];
        let mut frames = 0u64;
        let mut last_latency: Option<Instant> = None;

        'play: loop {
            conn.iterate(POLL_SLICE)?;
            conn.check_stream()?;
            while conn.writable()? >= period * FRAME_BYTES {
                let t0 = Instant::now();
                let flow = source.process(&mut left, &mut right);
                let n = match flow {
                    Flow::Continue => period,
                    Flow::Finished { frames } => frames.min(period),
                };
                metrics.callback(n, t0.elapsed());
                for ((frame, l), r) in bytes
                    .chunks_exact_mut(FRAME_BYTES)
                    .zip(&left[..n])
                    .zip(&right[..n])
                {
                    frame[..4].copy_from_slice(&l.to_ne_bytes());
                    frame[4..].copy_from_slice(&r.to_ne_bytes());
                }
                if n > 0 {
                    conn.write(&bytes[..n * FRAME_BYTES])?;
                }
                frames += n as u64;
                if matches!(flow, Flow::Finished { .. }) {
                    break 'play;
                }
            }
            if last_latency.is_none_or(|t| t.elapsed() >= LATENCY_EVERY) {
                if let Some(latency) = conn.latency_frames(rate) {
                    metrics.set_latency(latency);
                    last_latency = Some(Instant::now());
                }
            }
        }
        if last_latency.is_none() {
            if let Some(latency) = conn.latency_frames(rate) {
                metrics.set_latency(latency);
            }
        }
        draining.set(true);
        conn.drain(self.options.latency)?;
        Ok(RunReport { frames })
    }
}

/// The stream's sample format: interleaved stereo float32 at `rate`.
fn spec(rate: u32) -> Spec {
    Spec {
        format: Format::FLOAT32NE,
        channels: 2,
        rate,
    }
}

fn failed(message: String) -> BackendError {
    BackendError::Failed {
        backend: NAME,
        message,
    }
}

/// The one-line "no server" error, with what to do about it.
fn unavailable(why: &str) -> BackendError {
    let server = match std::env::var("PULSE_SERVER") {
        Ok(s) if !s.is_empty() => format!("PULSE_SERVER={s}"),
        _ => "the default socket".to_string(),
    };
    BackendError::Unavailable {
        backend: NAME,
        message: format!(
            "no PulseAudio server answered at {server} ({why}); start one \
             (`pulseaudio --start`), on WSL set PULSE_SERVER=unix:/mnt/wslg/PulseServer, \
             or use `--backend jack` or `chronus render`"
        ),
    }
}

fn pa_text(err: pa::error::PAErr) -> String {
    err.to_string()
        .unwrap_or_else(|| format!("PulseAudio error {}", err.0))
}

/// A context (and at most one stream) on its own standard mainloop. Fields
/// drop in order: the stream and the context go before their mainloop.
struct Connection {
    stream: Option<Stream>,
    context: Context,
    mainloop: Mainloop,
}

impl Connection {
    /// Connect to the server (never autospawning one), waiting until ready.
    fn open(app_name: &str) -> Result<Connection, BackendError> {
        let mainloop = Mainloop::new().ok_or_else(|| failed("cannot create a mainloop".into()))?;
        let mut props =
            Proplist::new().ok_or_else(|| failed("cannot create a property list".into()))?;
        // Only fails for an invalid key.
        let _ = props.set_str(properties::APPLICATION_NAME, app_name);
        let context = Context::new_with_proplist(&mainloop, app_name, &props)
            .ok_or_else(|| failed("cannot create a PulseAudio context".into()))?;
        let mut conn = Connection {
            stream: None,
            context,
            mainloop,
        };
        conn.context
            .connect(None, ContextFlags::NOAUTOSPAWN, None)
            .map_err(|e| unavailable(&pa_text(e)))?;
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        loop {
            match conn.context.get_state() {
                ContextState::Ready => return Ok(conn),
                ContextState::Failed | ContextState::Terminated => {
                    return Err(unavailable(&pa_text(conn.context.errno())));
                }
                _ => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(unavailable("no answer within 5 s"));
            }
            conn.iterate((deadline - now).min(POLL_SLICE))
                .map_err(|e| unavailable(&e.to_string()))?;
        }
    }

    /// One mainloop iteration, waiting at most `max` for an event.
    fn iterate(&mut self, max: Duration) -> Result<(), BackendError> {
        let us = MicroSeconds(u64::try_from(max.as_micros()).unwrap_or(u64::MAX));
        let lost = |e| failed(format!("the server connection failed: {}", pa_text(e)));
        self.mainloop.prepare(Some(us)).map_err(lost)?;
        self.mainloop.poll().map_err(lost)?;
        self.mainloop.dispatch().map_err(lost)?;
        Ok(())
    }

    /// Create the playback stream and wait until the server accepts it.
    fn open_stream(
        &mut self,
        options: &PulseOptions,
        target: usize,
        period: usize,
        metrics: &Arc<Metrics>,
        draining: &Rc<Cell<bool>>,
    ) -> Result<(), BackendError> {
        let mut props =
            Proplist::new().ok_or_else(|| failed("cannot create a property list".into()))?;
        let _ = props.set_str(properties::MEDIA_ROLE, "music");
        let mut stream = Stream::new_with_proplist(
            &mut self.context,
            &options.stream_name,
            &spec(options.rate),
            None,
            &mut props,
        )
        .ok_or_else(|| failed(format!("cannot create a stream: {}", self.error())))?;
        let bytes = |frames: usize| u32::try_from(frames * FRAME_BYTES).unwrap_or(u32::MAX);
        let attr = BufferAttr {
            maxlength: u32::MAX,
            tlength: bytes(target),
            prebuf: bytes(target),
            minreq: bytes(period),
            fragsize: u32::MAX,
        };
        let xruns = Arc::clone(metrics);
        let draining = Rc::clone(draining);
        stream.set_underflow_callback(Some(Box::new(move || {
            if !draining.get() {
                xruns.xrun();
            }
        })));
        let flags = StreamFlags::ADJUST_LATENCY
            | StreamFlags::INTERPOLATE_TIMING
            | StreamFlags::AUTO_TIMING_UPDATE;
        stream
            .connect_playback(options.sink.as_deref(), Some(&attr), flags, None, None)
            .map_err(|e| failed(format!("cannot connect the stream: {}", pa_text(e))))?;
        self.stream = Some(stream);
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        loop {
            match self.stream().get_state() {
                StreamState::Ready => return Ok(()),
                StreamState::Failed | StreamState::Terminated => {
                    let sink = options.sink.as_deref().unwrap_or("the default sink");
                    return Err(failed(format!(
                        "the server refused a stream on {sink}: {}",
                        self.error()
                    )));
                }
                _ => {}
            }
            let now = Instant::now();
            if now >= deadline {
                return Err(failed(
                    "the server did not accept the stream within 5 s".into(),
                ));
            }
            self.iterate((deadline - now).min(POLL_SLICE))?;
        }
    }

    fn stream(&mut self) -> &mut Stream {
        self.stream.as_mut().expect("stream opened")
    }

    fn error(&self) -> String {
        pa_text(self.context.errno())
    }

    /// Fail if the stream or the connection died.
    fn check_stream(&mut self) -> Result<(), BackendError> {
        let state = self.stream().get_state();
        if state == StreamState::Ready && self.context.get_state() == ContextState::Ready {
            Ok(())
        } else {
            Err(failed(format!("the stream was lost: {}", self.error())))
        }
    }

    /// Bytes the server has room for now.
    fn writable(&mut self) -> Result<usize, BackendError> {
        match self.stream().writable_size() {
            Some(n) => Ok(n),
            None => Err(failed(format!("the stream was lost: {}", self.error()))),
        }
    }

    fn write(&mut self, data: &[u8]) -> Result<(), BackendError> {
        self.stream()
            .write(data, None, 0, SeekMode::Relative)
            .map_err(|e| failed(format!("write failed: {}", pa_text(e))))
    }

    /// The stream's current total output latency in frames, if known.
    fn latency_frames(&mut self, rate: u32) -> Option<u64> {
        match self.stream().get_latency() {
            Ok(Latency::Positive(MicroSeconds(us))) if us > 0 => {
                Some(us * u64::from(rate) / 1_000_000)
            }
            _ => None,
        }
    }

    /// Play out what was written, then disconnect.
    fn drain(&mut self, latency: Duration) -> Result<(), BackendError> {
        let done = Rc::new(Cell::new(None));
        let flag = Rc::clone(&done);
        let mut op = self
            .stream()
            .drain(Some(Box::new(move |ok| flag.set(Some(ok)))));
        // The buffer holds about `latency`; allow the sink's own latency too.
        let deadline = Instant::now() + latency * 2 + Duration::from_secs(2);
        while done.get().is_none() && op.get_state() == OperationState::Running {
            let now = Instant::now();
            if now >= deadline {
                op.cancel();
                return Err(failed("draining the stream timed out".into()));
            }
            self.iterate((deadline - now).min(POLL_SLICE))?;
            self.check_stream()?;
        }
        if done.get() == Some(false) {
            return Err(failed(format!("draining failed: {}", self.error())));
        }
        Ok(())
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(stream) = self.stream.as_mut() {
            if stream.get_state().is_good() {
                let _ = stream.disconnect();
            }
        }
        self.context.disconnect();
    }
}

#[cfg(test)]
mod tests;
