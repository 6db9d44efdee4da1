//! The JACK backend: a JACK client `chronus` with two output ports, `out_L`
//! and `out_R`, whose process callback renders the source straight into the
//! port buffers, and a MIDI input port `midi_in` whose events reach the
//! source at their frame inside the period ([`AudioSource::midi_in`]).
//!
//! [`JackBackend::open`] registers the client and its ports without
//! activating them, so [`LiveBackend::rate`] and [`LiveBackend::period`]
//! report the server's sample rate and buffer size before the engine is
//! built. [`LiveBackend::play`] activates the client, connects the ports (to
//! the first two physical playback ports unless [`JackOptions::connect`] is
//! off) and blocks until the source returns [`Flow::Finished`].
//!
//! # The audio callback
//!
//! The process callback calls `source.process(left, right)` on the port
//! buffers at whatever length JACK asks for, times it into
//! [`Metrics::callback`], and never allocates, locks, logs or blocks: it
//! only touches atomics. The buffer-size callback (which JACK lets allocate)
//! records the new period with [`Metrics::set_format`]; the xrun notification
//! counts into [`Metrics::xrun`]. The control thread polls every 5 ms for the
//! end of the song and, every 250 ms, reads the playback latency range of
//! `out_L` into [`Metrics::set_latency`] and notes the ports' connections.
//!
//! # Where the source lives: a one-slot hand-off
//!
//! The source is not owned by the process handler (the `jack` crate drops
//! the handler when deactivating a client whose server has died, and a
//! crashed server gives no chance to ask the callback for anything). It
//! lives in a `CallbackState` shared by `play` and the callback: one
//! `AtomicPtr` that holds the boxed source between callbacks. Each callback
//! *swaps the pointer out* (taking exclusive use of the source), renders,
//! and *stores it back* before returning. So, outside the few microseconds
//! of a callback, the source is always at home in the slot; two callbacks
//! (even of two clients) can never hold it at once; and the callback never
//! waits for anyone: when it finds the slot empty it writes silence. When
//! the source finishes, the callback zeroes the rest of the buffers, puts
//! the source back and raises an `AtomicBool` that `play` polls.
//!
//! # Server loss
//!
//! The shutdown notification (async-signal-safe: it only stores an
//! `AtomicBool`) tells `play` that the server has gone. `play` prints one
//! line (`jack: server gone; waiting for it to come back`), closes the dead
//! client (JACK stops its process thread), checks that the source is back in
//! the slot, and then tries every 500 ms to open a client with the same name.
//! Once the server is back it registers the same ports, activates with the
//! same slot, restores the connections noted before the loss (a change of
//! connections is noted only once it has held for two 250 ms looks, so the
//! ports vanishing during a shutdown are not taken for the user's wish) and
//! carries on where the source left off. While the server is away nothing
//! renders: the song's clock simply stops. A libjack process keeps state per
//! server, so the reconnect relies on this process having no other, stale,
//! client of the dead server open (the `chronus` program has only this one).

use crate::{AudioSource, BackendError, Flow, LiveBackend, Metrics, RunReport};
use ::jack::{
    AsyncClient, AudioOut, Client, ClientOptions, ClientStatus, Control, Frames, LatencyType,
    MidiIn, MidiOut, NotificationHandler, Port, PortFlags, ProcessHandler, ProcessScope, RawMidi,
    Unowned,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod state;
use state::CallbackState;

const BACKEND: &str = "jack";
/// The port type of JACK audio ports.
const AUDIO_TYPE: &str = "32 bit float mono audio";
/// How often `play` looks at the callback's flags.
const POLL: Duration = Duration::from_millis(5);
/// How often `play` reads the latency and the connections.
const LOOK: Duration = Duration::from_millis(250);
/// How often `play` looks for a server that has gone.
const RETRY: Duration = Duration::from_millis(500);
/// The output ports' short names.
const PORT_NAMES: [&str; 2] = ["out_L", "out_R"];
/// The MIDI input port's short name.
pub const MIDI_IN: &str = "midi_in";
/// The MIDI output port's short name.
pub const MIDI_OUT: &str = "midi_out";

/// The client's ports: two audio outputs, a MIDI input and output.
struct Ports {
    audio: [Port<AudioOut>; 2],
    midi_in: Port<MidiIn>,
    midi_out: Port<MidiOut>,
}

/// How to open the JACK client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JackOptions {
    /// The client's name (`chronus`); JACK appends `-01` etc. when it is taken.
    pub client_name: String,
    /// Connect `out_L`/`out_R` to the system playback ports when playing
    /// (`--no-connect` turns it off).
    pub connect: bool,
}

impl Default for JackOptions {
    fn default() -> Self {
        JackOptions {
            client_name: "chronus".to_string(),
            connect: true,
        }
    }
}

/// A registered (not yet active) JACK client with ports `out_L` and `out_R`.
pub struct JackBackend {
    client: Client,
    ports: Ports,
    options: JackOptions,
    rate: u32,
    period: usize,
}

impl std::fmt::Debug for JackBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JackBackend")
            .field("client", &self.client.name())
            .field("options", &self.options)
            .field("rate", &self.rate)
            .field("period", &self.period)
            .finish()
    }
}

impl JackBackend {
    /// Register the client and its ports with the running JACK server (no
    /// activation yet): `rate()` and `period()` then tell the server's format.
    ///
    /// # Errors
    /// [`BackendError::Unavailable`] when there is no JACK server (or no
    /// libjack), saying how to start one or what to use instead;
    /// [`BackendError::Failed`] when the ports cannot be registered.
    pub fn open(options: JackOptions) -> Result<JackBackend, BackendError> {
        let (client, ports) = open_client(&options.client_name)?;
        let rate = client.sample_rate();
        let period = client.buffer_size() as usize;
        Ok(JackBackend {
            client,
            ports,
            options,
            rate,
            period,
        })
    }

    /// The client's name as JACK knows it (ports are `<name>:out_L`, `<name>:out_R`).
    pub fn client_name(&self) -> &str {
        self.client.name()
    }
}

/// Open a client named `name` (never starting a server) and register the ports.
fn open_client(name: &str) -> Result<(Client, Ports), BackendError> {
    let (client, _status) =
        Client::new(name, ClientOptions::NO_START_SERVER).map_err(|e| unavailable(&e))?;
    let register = |short: &str| {
        client
            .register_port(short, AudioOut::default())
            .map_err(|e| BackendError::Failed {
                backend: BACKEND,
                message: format!("cannot register port {short}: {e}"),
            })
    };
    let audio = [register(PORT_NAMES[0])?, register(PORT_NAMES[1])?];
    let midi_in = client
        .register_port(MIDI_IN, MidiIn::default())
        .map_err(|e| BackendError::Failed {
            backend: BACKEND,
            message: format!("cannot register port {MIDI_IN}: {e}"),
        })?;
    let midi_out = client
        .register_port(MIDI_OUT, MidiOut::default())
        .map_err(|e| BackendError::Failed {
            backend: BACKEND,
            message: format!("cannot register port {MIDI_OUT}: {e}"),
        })?;
    Ok((
        client,
        Ports {
            audio,
            midi_in,
            midi_out,
        },
    ))
}

/// The one-line explanation of why no client could be opened.
fn unavailable(err: &::jack::Error) -> BackendError {
    const ELSE: &str = "or use `--backend pulse`, or `chronus render` to write a file";
    let message = match err {
        ::jack::Error::LibraryError(_) => {
            format!("libjack is not installed (install JACK, e.g. `apt install jackd2`), {ELSE}")
        }
        ::jack::Error::ClientError(status)
            if status.intersects(ClientStatus::SERVER_FAILED | ClientStatus::SERVER_ERROR) =>
        {
            format!(
                "no JACK server running: start one with `jackd -d alsa` \
                 (or `jackd -d dummy` without a sound card), {ELSE}"
            )
        }
        other => format!("cannot open a JACK client ({other}), {ELSE}"),
    };
    BackendError::Unavailable {
        backend: BACKEND,
        message,
    }
}

/// The process handler: renders the source into the ports.
struct Process {
    ports: [Port<AudioOut>; 2],
    midi_in: Port<MidiIn>,
    midi_out: Port<MidiOut>,
    slot: Arc<CallbackState>,
    metrics: Arc<Metrics>,
}

impl ProcessHandler for Process {
    fn process(&mut self, client: &Client, scope: &ProcessScope) -> Control {
        let [left, right] = &mut self.ports;
        let left = left.as_mut_slice(scope);
        let right = right.as_mut_slice(scope);
        let slot = &*self.slot;
        if slot.finished.load(Ordering::Relaxed) || slot.panicked.load(Ordering::Relaxed) {
            left.fill(0.0);
            right.fill(0.0);
            return Control::Continue;
        }
        let p = slot.source.swap(ptr::null_mut(), Ordering::Acquire);
        if p.is_null() {
            left.fill(0.0);
            right.fill(0.0);
            return Control::Continue;
        }
        let t0 = Instant::now();
        // SAFETY: the swap made us the pointer's only holder until we store
        // it back below; it points to a live `SourceBox` owned by the slot.
        let source = unsafe { &mut *p };
        // MIDI that arrived during the last period, at its offset in this
        // one: applied there, it sounds one period after it came, always.
        for ev in self.midi_in.iter(scope) {
            source.midi_in(ev.time, ev.bytes);
        }
        // When this cycle began on JACK's clock (both calls are meant for
        // the process thread).
        if let Ok(times) = scope.cycle_times() {
            let ago = client.time().saturating_sub(times.current_usecs);
            source.cycle_began(Duration::from_micros(ago));
        }
        let flow = catch_unwind(AssertUnwindSafe(|| source.process(left, right)));
        // What the cycle sends out, at its offsets (a port's buffer is
        // cleared by the writer even when there is nothing).
        let mut writer = self.midi_out.writer(scope);
        if flow.is_ok() {
            let _ = catch_unwind(AssertUnwindSafe(|| {
                source.midi_out(&mut |time, bytes| {
                    let _ = writer.write(&RawMidi { time, bytes });
                });
            }));
        }
        slot.source.store(p, Ordering::Release);
        let n = match flow {
            Ok(Flow::Continue) => left.len(),
            Ok(Flow::Finished { frames }) => frames.min(left.len()),
            Err(_) => {
                left.fill(0.0);
                right.fill(0.0);
                slot.panicked.store(true, Ordering::Release);
                return Control::Continue;
            }
        };
        self.metrics.callback(n, t0.elapsed());
        slot.frames.fetch_add(n as u64, Ordering::Relaxed);
        if let Ok(Flow::Finished { .. }) = flow {
            left[n..].fill(0.0);
            right[n..].fill(0.0);
            slot.finished.store(true, Ordering::Release);
        }
        Control::Continue
    }

    fn buffer_size(&mut self, client: &Client, size: Frames) -> Control {
        self.metrics.set_format(client.sample_rate(), size as usize);
        Control::Continue
    }
}

/// The notification handler: counts xruns, notes the server's departure.
struct Notify {
    slot: Arc<CallbackState>,
    metrics: Arc<Metrics>,
}

impl NotificationHandler for Notify {
    unsafe fn shutdown(&mut self, _status: ClientStatus, _reason: &str) {
        self.slot.gone.store(true, Ordering::Release);
    }

    fn xrun(&mut self, _: &Client) -> Control {
        self.metrics.xrun();
        Control::Continue
    }
}

/// The connections of `out_L` and `out_R` to restore after a reconnect.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Links {
    /// What the ports are connected to (full port names).
    current: [Vec<String>; 2],
    /// The last look, not yet confirmed by a second one.
    seen: Option<[Vec<String>; 2]>,
}

impl Links {
    /// The first physical playback ports (or nothing, when `connect` is off).
    fn initial(client: &Client, connect: bool) -> Links {
        let mut links = Links::default();
        if !connect {
            return links;
        }
        let playback = client.ports(
            None,
            Some(AUDIO_TYPE),
            PortFlags::IS_INPUT | PortFlags::IS_PHYSICAL,
        );
        match playback.as_slice() {
            [] => eprintln!(
                "jack: no playback ports to connect to; connect {}:out_L/out_R by hand",
                client.name()
            ),
            [only] => links.current = [vec![only.clone()], vec![only.clone()]],
            [l, r, ..] => links.current = [vec![l.clone()], vec![r.clone()]],
        }
        links
    }

    /// Note what the ports are connected to now; a change counts once two
    /// looks in a row agree.
    fn look(&mut self, now: [Vec<String>; 2]) {
        if now == self.current {
            self.seen = None;
        } else if self.seen.as_ref() == Some(&now) {
            self.current = now;
            self.seen = None;
        } else {
            self.seen = Some(now);
        }
    }
}

/// An active client.
struct ActiveClient {
    active: AsyncClient<Notify, Process>,
    /// Handles on our own ports, for the control thread's queries.
    ports: [Port<Unowned>; 2],
}

impl ActiveClient {
    /// Activate `client` with the shared slot and connect its ports.
    fn start(
        client: Client,
        ports: Ports,
        slot: &Arc<CallbackState>,
        metrics: &Arc<Metrics>,
        links: &Links,
    ) -> Result<ActiveClient, BackendError> {
        let Ports {
            audio: ports,
            midi_in,
            midi_out,
        } = ports;
        let handles = [ports[0].clone_unowned(), ports[1].clone_unowned()];
        let names = [port_name(&client, 0), port_name(&client, 1)];
        metrics.set_format(client.sample_rate(), client.buffer_size() as usize);
        slot.gone.store(false, Ordering::Release);
        let notify = Notify {
            slot: Arc::clone(slot),
            metrics: Arc::clone(metrics),
        };
        let process = Process {
            ports,
            midi_in,
            midi_out,
            slot: Arc::clone(slot),
            metrics: Arc::clone(metrics),
        };
        let active = client
            .activate_async(notify, process)
            .map_err(|e| BackendError::Failed {
                backend: BACKEND,
                message: format!("cannot activate the client: {e}"),
            })?;
        for (name, targets) in names.iter().zip(&links.current) {
            for target in targets {
                if let Err(e) = active.as_client().connect_ports_by_name(name, target) {
                    eprintln!("jack: cannot connect {name} to {target}: {e}");
                }
            }
        }
        Ok(ActiveClient {
            active,
            ports: handles,
        })
    }

    /// Read the output latency into `metrics` and note the connections.
    fn look(&self, metrics: &Metrics, links: &mut Links, slot: &CallbackState) {
        let (_, max) = self.ports[0].get_latency_range(LatencyType::Playback);
        metrics.set_latency(u64::from(max));
        let now = [
            self.ports[0].get_connections(),
            self.ports[1].get_connections(),
        ];
        if !slot.gone.load(Ordering::Acquire) {
            links.look(now);
        }
    }

    /// Deactivate and close the client (also when its server has died).
    fn close(self) {
        // A dead server makes deactivation fail; the client is closed either way.
        let _ = self.active.deactivate();
    }
}

fn port_name(client: &Client, i: usize) -> String {
    format!("{}:{}", client.name(), PORT_NAMES[i])
}

/// Try once to open the client again and resume playing. A server that
/// came back at another sample rate has the source rebuilt for it first
/// (`rate` then follows it).
fn reopen(
    name: &str,
    rate: &mut u32,
    slot: &Arc<CallbackState>,
    metrics: &Arc<Metrics>,
    links: &Links,
) -> Option<ActiveClient> {
    let (client, ports) = open_client(name).ok()?;
    let now = client.sample_rate();
    if now != *rate {
        // No client is active: the source is at home and no callback runs.
        match slot.with_source(|s| s.set_rate(now)) {
            Some(true) => {
                eprintln!("jack: the server now runs at {now} Hz (was {rate} Hz): rebuilt for it");
                *rate = now;
            }
            _ => eprintln!(
                "jack: the server now runs at {now} Hz, but the source was built for {rate} Hz and cannot follow (wrong pitch and tempo)"
            ),
        }
    }
    ActiveClient::start(client, ports, slot, metrics, links).ok()
}

fn lost_source() -> BackendError {
    BackendError::Failed {
        backend: BACKEND,
        message: "the audio source was lost with the JACK client".to_string(),
    }
}

impl LiveBackend for JackBackend {
    fn name(&self) -> &'static str {
        BACKEND
    }

    fn rate(&self) -> u32 {
        self.rate
    }

    fn period(&self) -> usize {
        self.period
    }

    fn play(
        self: Box<Self>,
        source: Box<dyn AudioSource + Send>,
        metrics: Arc<Metrics>,
    ) -> Result<RunReport, BackendError> {
        let JackBackend {
            client,
            ports,
            options,
            mut rate,
            ..
        } = *self;
        let name = client.name().to_string();
        let slot = Arc::new(CallbackState::new(source));
        let mut links = Links::initial(&client, options.connect);
        let mut session = Some(ActiveClient::start(client, ports, &slot, &metrics, &links)?);
        let mut last_look = Instant::now();
        let mut last_try = Instant::now();
        let result = loop {
            std::thread::sleep(POLL);
            if slot.panicked.load(Ordering::Acquire) {
                break Err(BackendError::Failed {
                    backend: BACKEND,
                    message: "the audio source panicked".to_string(),
                });
            }
            if slot.finished.load(Ordering::Acquire) {
                break Ok(());
            }
            match session.take() {
                Some(s) if slot.gone.load(Ordering::Acquire) => {
                    eprintln!("jack: server gone; waiting for it to come back");
                    s.close();
                    if !slot.wait_for_source(Duration::from_secs(1)) {
                        break Err(lost_source());
                    }
                    last_try = Instant::now();
                }
                Some(s) => {
                    if last_look.elapsed() >= LOOK {
                        s.look(&metrics, &mut links, &slot);
                        last_look = Instant::now();
                    }
                    session = Some(s);
                }
                None => {
                    if last_try.elapsed() >= RETRY {
                        last_try = Instant::now();
                        session = reopen(&name, &mut rate, &slot, &metrics, &links);
                        if session.is_some() {
                            eprintln!("jack: server back; playing on");
                            last_look = Instant::now();
                        }
                    }
                }
            }
        };
        if let Some(s) = session.take() {
            s.close();
        }
        let frames = slot.frames.load(Ordering::Relaxed);
        // Drop the source here, on the control thread.
        let source = slot.take();
        result?;
        source.ok_or_else(lost_source)?;
        Ok(RunReport { frames })
    }
}

#[cfg(test)]
mod tests;
