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
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

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

type SourceBox = Box<dyn AudioSource + Send>;

/// The state shared by `play` and the callbacks: the source's home, and the
/// flags the callbacks raise. Atomics only.
struct CallbackState {
    /// The boxed source between callbacks; null while a callback renders
    /// with it (or after `play` took it back).
    source: AtomicPtr<SourceBox>,
    /// The source returned `Finished`.
    finished: AtomicBool,
    /// The source panicked.
    panicked: AtomicBool,
    /// The server shut the client down.
    gone: AtomicBool,
    /// Frames rendered by the source.
    frames: AtomicU64,
}

impl CallbackState {
    fn new(source: SourceBox) -> Self {
        CallbackState {
            source: AtomicPtr::new(Box::into_raw(Box::new(source))),
            finished: AtomicBool::new(false),
            panicked: AtomicBool::new(false),
            gone: AtomicBool::new(false),
            frames: AtomicU64::new(0),
        }
    }

    /// Whether the source is at home (no callback holds it).
    fn holds_source(&self) -> bool {
        !self.source.load(Ordering::Acquire).is_null()
    }

    /// Wait up to `timeout` for the source to be at home.
    fn wait_for_source(&self, timeout: Duration) -> bool {
        let start = Instant::now();
        while !self.holds_source() {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// Run `f` on the source while it is at home (no client is active, so no
    /// callback can take it meanwhile); `None` when it is not at home.
    fn with_source<R>(&self, f: impl FnOnce(&mut SourceBox) -> R) -> Option<R> {
        let p = self.source.swap(ptr::null_mut(), Ordering::Acquire);
        if p.is_null() {
            return None;
        }
        // SAFETY: the swap made us the pointer's only holder until we store
        // it back below; it points to a live `SourceBox` owned by the slot.
        let r = f(unsafe { &mut *p });
        self.source.store(p, Ordering::Release);
        Some(r)
    }

    /// Take the source for good (no callback may run any more).
    fn take(&self) -> Option<SourceBox> {
        // A stale callback may hold the source for a moment between the
        // check and the swap: retry until the swap itself gets it.
        let start = std::time::Instant::now();
        loop {
            let p = self.source.swap(ptr::null_mut(), Ordering::Acquire);
            if !p.is_null() {
                // SAFETY: a non-null pointer in the slot came from
                // `Box::into_raw` and, swapped out, is owned by us alone.
                return Some(*unsafe { Box::from_raw(p) });
            }
            if start.elapsed() > Duration::from_secs(1) {
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

impl Drop for CallbackState {
    fn drop(&mut self) {
        let p = *self.source.get_mut();
        if !p.is_null() {
            // SAFETY: as in `take`; nobody else holds the slot any more.
            drop(unsafe { Box::from_raw(p) });
        }
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

/// Tests against real JACK servers: each test starts its own private jackd
/// (dummy driver, 48 kHz, no realtime, period 256 or
/// `CHRONUS_JACK_TEST_PERIOD`) under a name unique to this test process, and
/// stops it at the end; they are skipped when jackd is not installed.
#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Child, Command, Stdio};
    use std::sync::{Mutex, MutexGuard, OnceLock};

    /// The JACK tests share one server name (an environment variable, set
    /// once) and run one at a time.
    fn serial() -> MutexGuard<'static, ()> {
        static LOCK: Mutex<()> = Mutex::new(());
        let guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
        server_name();
        guard
    }

    /// A private server name for this test process, exported once in
    /// `JACK_DEFAULT_SERVER` so every client here finds that server only.
    fn server_name() -> &'static str {
        static NAME: OnceLock<String> = OnceLock::new();
        NAME.get_or_init(|| {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let name = format!("chronus-test-{}-{nanos}", std::process::id());
            std::env::set_var("JACK_DEFAULT_SERVER", &name);
            std::env::set_var("JACK_NO_START_SERVER", "1");
            name
        })
    }

    /// The test server's period: 256 unless `CHRONUS_JACK_TEST_PERIOD` says.
    fn test_period() -> usize {
        std::env::var("CHRONUS_JACK_TEST_PERIOD")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(256)
    }

    /// A private jackd (dummy driver, 48 kHz, no realtime). Stopped with
    /// SIGTERM, so that it leaves its slot in JACK's shared server registry
    /// (eight slots per user); after a [`Server::crash`] only a restart under
    /// the same name reclaims the slot, which `drop` does if the test did not.
    struct Server {
        period: usize,
        rate: u32,
        child: Option<Child>,
        crashed: bool,
    }

    impl Server {
        /// Start it, or `None` (with a note) when jackd is not installed.
        fn start(period: usize) -> Option<Server> {
            if Command::new("jackd")
                .arg("--version")
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_err()
            {
                let required = std::env::var("CHRONUS_REQUIRE_SERVERS").is_ok_and(|v| v == "1");
                assert!(
                    !required,
                    "jackd is not installed but CHRONUS_REQUIRE_SERVERS=1"
                );
                eprintln!("jackd not installed: JACK test skipped (see scripts/servers.sh)");
                return None;
            }
            let mut server = Server {
                period,
                rate: 48_000,
                child: None,
                crashed: false,
            };
            server.launch().unwrap();
            Some(server)
        }

        /// Start jackd and wait until it has its playback ports.
        fn launch(&mut self) -> Result<(), String> {
            let nobus = "unix:path=/nonexistent/chronus-no-dbus";
            let child = Command::new("jackd")
                .args(["--no-realtime", "-n", server_name(), "-d", "dummy"])
                .args([
                    "-r",
                    &self.rate.to_string(),
                    "-p",
                    &self.period.to_string(),
                    "-C",
                    "2",
                    "-P",
                    "2",
                ])
                .env("JACK_NO_AUDIO_RESERVATION", "1")
                .env("DBUS_SESSION_BUS_ADDRESS", nobus)
                .env("DBUS_SYSTEM_BUS_ADDRESS", nobus)
                .env_remove("DISPLAY")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("cannot spawn jackd: {e}"))?;
            self.child = Some(child);
            let start = Instant::now();
            loop {
                if let Ok((probe, _)) = Client::new("probe", ClientOptions::NO_START_SERVER) {
                    let ports = probe.ports(Some("system:playback_"), None, PortFlags::empty());
                    if ports.len() >= 2 {
                        self.crashed = false;
                        return Ok(());
                    }
                }
                if let Some(Ok(Some(status))) = self.child.as_mut().map(Child::try_wait) {
                    self.child = None;
                    return Err(format!("jackd exited: {status}"));
                }
                if start.elapsed() > Duration::from_secs(10) {
                    self.stop();
                    return Err("jackd did not come up within 10 s".to_string());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }

        /// SIGKILL it (a crash) and remove the files it left in /dev/shm.
        fn crash(&mut self) {
            if let Some(mut child) = self.child.take() {
                let _ = child.kill();
                let _ = child.wait();
                self.crashed = true;
            }
            let tag = format!("_{}_", server_name());
            if let Ok(dir) = std::fs::read_dir("/dev/shm") {
                for entry in dir.flatten() {
                    let file = entry.file_name().to_string_lossy().into_owned();
                    if file.starts_with("jack") && file.contains(&tag) {
                        let _ = std::fs::remove_file(entry.path());
                    }
                }
            }
        }

        /// SIGTERM it (it unregisters itself), SIGKILL after 5 s.
        fn stop(&mut self) {
            let Some(child) = self.child.as_mut() else {
                return;
            };
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let start = Instant::now();
            while start.elapsed() < Duration::from_secs(5) {
                if let Ok(Some(_)) = child.try_wait() {
                    self.child = None;
                    return;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            self.crash();
        }
    }

    impl Drop for Server {
        fn drop(&mut self) {
            if self.crashed && self.child.is_none() {
                let _ = self.launch();
            }
            self.stop();
        }
    }

    fn wait_until(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
        let start = Instant::now();
        while !done() {
            if start.elapsed() > timeout {
                return false;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        true
    }

    /// An impulse every 4800 frames (from frame 4800 on), both channels, for
    /// `total` frames.
    struct Clicks {
        frame: u64,
        total: u64,
        calls: Arc<AtomicU64>,
    }

    impl AudioSource for Clicks {
        fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let n = left.len().min((self.total - self.frame) as usize);
            for i in 0..n {
                let f = self.frame + i as u64;
                let x = if f > 0 && f.is_multiple_of(4800) {
                    1.0
                } else {
                    0.0
                };
                left[i] = x;
                right[i] = x;
            }
            self.frame += n as u64;
            if self.frame >= self.total {
                Flow::Finished { frames: n }
            } else {
                Flow::Continue
            }
        }
    }

    /// Counts its calls and block sizes; finishes when told.
    struct Counter {
        calls: Arc<AtomicU64>,
        last_len: Arc<AtomicU64>,
        stop: Arc<AtomicBool>,
    }

    impl AudioSource for Counter {
        fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
            self.calls.fetch_add(1, Ordering::Relaxed);
            self.last_len.store(left.len() as u64, Ordering::Relaxed);
            left.fill(0.0);
            right.fill(0.0);
            if self.stop.load(Ordering::Relaxed) {
                Flow::Finished { frames: 0 }
            } else {
                Flow::Continue
            }
        }
    }

    #[test]
    fn jack_without_server_is_unavailable() {
        let _serial = serial();
        // No server runs under this process's private name.
        match JackBackend::open(JackOptions::default()) {
            Err(BackendError::Unavailable { backend, message }) => {
                assert_eq!(backend, "jack");
                assert!(message.contains("jackd -d"), "{message}");
                assert!(message.contains("--backend pulse"), "{message}");
                assert!(!message.contains('\n'), "{message}");
            }
            other => panic!("expected Unavailable, got {other:?}"),
        }
    }

    #[test]
    fn jack_click_train_arrives_frame_exact() {
        let _serial = serial();
        let period = test_period();
        let Some(_server) = Server::start(period) else {
            return;
        };
        let backend = JackBackend::open(JackOptions::default()).unwrap();
        assert_eq!(backend.rate(), 48_000);
        assert_eq!(backend.period(), period);
        assert_eq!(backend.name(), "jack");
        let name = backend.client_name().to_string();

        // A second client records what arrives from chronus:out_L.
        let (rec, _) = Client::new("recorder", ClientOptions::NO_START_SERVER).unwrap();
        let input = rec.register_port("in", ::jack::AudioIn::default()).unwrap();
        let hits = Arc::new(Mutex::new(Vec::<u64>::with_capacity(1000)));
        let rec_hits = Arc::clone(&hits);
        let rec = rec
            .activate_async(
                (),
                ::jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
                    let t = u64::from(ps.last_frame_time());
                    let mut hits = rec_hits.lock().unwrap();
                    for (i, x) in input.as_slice(ps).iter().enumerate() {
                        if *x > 0.5 {
                            hits.push(t + i as u64);
                        }
                    }
                    Control::Continue
                }),
            )
            .unwrap();

        let calls = Arc::new(AtomicU64::new(0));
        let metrics = Arc::new(Metrics::new());
        let source = Clicks {
            frame: 0,
            total: 48_000,
            calls: Arc::clone(&calls),
        };
        let player_metrics = Arc::clone(&metrics);
        let start = Instant::now();
        let player =
            std::thread::spawn(move || Box::new(backend).play(Box::new(source), player_metrics));
        let out_l = format!("{name}:out_L");
        assert!(wait_until(Duration::from_secs(2), || rec
            .as_client()
            .connect_ports_by_name(&out_l, "recorder:in")
            .is_ok()));
        let report = player.join().unwrap().unwrap();
        let took = start.elapsed();
        let _ = rec.deactivate();

        let r = metrics.report();
        let hits = hits.lock().unwrap().clone();
        eprintln!(
            "jack p{period}: {took:?} for 1 s; callbacks {} mean {:?} p99 {:?} max {:?}; \
             xruns {}; latency {} frames; impulses at {hits:?}",
            r.callbacks, r.mean, r.p99, r.max, r.xruns, r.latency_frames
        );
        assert_eq!(report.frames, 48_000);
        assert_eq!(r.frames, 48_000);
        let expected_calls = 48_000u64.div_ceil(period as u64);
        assert_eq!(r.callbacks, expected_calls);
        assert_eq!(calls.load(Ordering::Relaxed), expected_calls);
        assert_eq!(r.rate, 48_000);
        assert_eq!(r.period_frames, period as u64);
        assert!(r.latency_frames > 0, "latency {}", r.latency_frames);
        assert!(took >= Duration::from_millis(950), "{took:?}");
        assert!(took < Duration::from_secs(3), "{took:?}");
        // Impulses at 4800, 9600, ..., 43200: nine, exactly 4800 apart. An
        // xrun (a skipped cycle, common at period 64 without realtime
        // priority) moves the server's frame clock on by whole periods.
        assert_eq!(hits.len(), 9, "{hits:?}");
        for pair in hits.windows(2) {
            let gap = pair[1] - pair[0];
            if r.xruns == 0 {
                assert_eq!(gap, 4800, "{hits:?}");
            } else {
                assert!(gap >= 4800 && (gap - 4800) % period as u64 == 0, "{hits:?}");
            }
        }
    }

    /// A 1 kHz sine at whatever rate it was last told; finishes when told.
    struct Sine {
        phase: f64,
        rate: u32,
        stop: Arc<AtomicBool>,
    }

    impl AudioSource for Sine {
        fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
            let step = 1000.0 / f64::from(self.rate);
            for (l, r) in left.iter_mut().zip(right.iter_mut()) {
                let x = (self.phase * std::f64::consts::TAU).sin() as f32 * 0.5;
                *l = x;
                *r = x;
                self.phase = (self.phase + step).fract();
            }
            if self.stop.load(Ordering::Relaxed) {
                Flow::Finished { frames: left.len() }
            } else {
                Flow::Continue
            }
        }

        fn set_rate(&mut self, rate: u32) -> bool {
            self.rate = rate;
            true
        }
    }

    /// Frequency by rising zero crossings with linear interpolation.
    fn frequency(x: &[f32], rate: f64) -> f64 {
        let mut crossings = Vec::new();
        for i in 1..x.len() {
            if x[i - 1] < 0.0 && x[i] >= 0.0 {
                let t = f64::from(-x[i - 1]) / f64::from(x[i] - x[i - 1]);
                crossings.push(i as f64 - 1.0 + t);
            }
        }
        let n = crossings.len().saturating_sub(1).max(1) as f64;
        rate * n / (crossings.last().unwrap_or(&0.0) - crossings.first().unwrap_or(&0.0))
    }

    #[test]
    fn jack_rebuilds_the_source_when_the_server_returns_at_another_rate() {
        let _serial = serial();
        let period = test_period();
        let Some(mut server) = Server::start(period) else {
            return;
        };
        let backend = JackBackend::open(JackOptions::default()).unwrap();
        let name = backend.client_name().to_string();
        let stop = Arc::new(AtomicBool::new(false));
        let source = Sine {
            phase: 0.0,
            rate: backend.rate(),
            stop: Arc::clone(&stop),
        };
        let metrics = Arc::new(Metrics::new());
        let player_metrics = Arc::clone(&metrics);
        let player =
            std::thread::spawn(move || Box::new(backend).play(Box::new(source), player_metrics));
        assert!(wait_until(Duration::from_secs(5), || metrics
            .report()
            .frames
            > 4800));
        server.crash();
        std::thread::sleep(Duration::from_millis(300));
        server.rate = 44_100;
        server.launch().unwrap();
        assert!(wait_until(Duration::from_secs(5), || metrics.report().rate == 44_100));
        // Record chronus's output on the new server.
        let (rec, _) = Client::new("recorder", ClientOptions::NO_START_SERVER).unwrap();
        assert_eq!(rec.sample_rate(), 44_100);
        let input = rec.register_port("in", ::jack::AudioIn::default()).unwrap();
        let got = Arc::new(Mutex::new(Vec::<f32>::with_capacity(1 << 16)));
        let rec_got = Arc::clone(&got);
        let rec = rec
            .activate_async(
                (),
                ::jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
                    let mut got = rec_got.lock().unwrap();
                    if got.len() + ps.n_frames() as usize <= got.capacity() {
                        got.extend_from_slice(input.as_slice(ps));
                    }
                    Control::Continue
                }),
            )
            .unwrap();
        rec.as_client()
            .connect_ports_by_name(&format!("{name}:out_L"), "recorder:in")
            .unwrap();
        assert!(wait_until(Duration::from_secs(5), || got
            .lock()
            .unwrap()
            .len()
            > 30_000));
        let _ = rec.deactivate();
        let x = got.lock().unwrap().clone();
        let first = x.iter().position(|s| s.abs() > 0.1).unwrap_or(0);
        let f = frequency(&x[first..], 44_100.0);
        let cents = 1200.0 * (f / 1000.0).log2();
        eprintln!(
            "jack rate change 48000 -> 44100 Hz: sine measured at {f:.3} Hz ({cents:+.4} cents)"
        );
        assert!(
            cents.abs() < 0.1,
            "{f} Hz: the source did not follow the new rate"
        );
        stop.store(true, Ordering::Relaxed);
        player.join().unwrap().unwrap();
        // Leave the server as the other tests expect it.
        server.stop();
        server.rate = 48_000;
    }

    #[test]
    fn jack_survives_a_server_restart() {
        let _serial = serial();
        let period = test_period();
        let Some(mut server) = Server::start(period) else {
            return;
        };
        let backend = JackBackend::open(JackOptions::default()).unwrap();
        let name = backend.client_name().to_string();
        let calls = Arc::new(AtomicU64::new(0));
        let last_len = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let source = Counter {
            calls: Arc::clone(&calls),
            last_len: Arc::clone(&last_len),
            stop: Arc::clone(&stop),
        };
        let metrics = Arc::new(Metrics::new());
        let player_metrics = Arc::clone(&metrics);
        let player =
            std::thread::spawn(move || Box::new(backend).play(Box::new(source), player_metrics));
        assert!(wait_until(Duration::from_secs(5), || calls
            .load(Ordering::Relaxed)
            > 50));
        // Let `play` note the connections (two looks, 250 ms apart).
        std::thread::sleep(Duration::from_millis(700));

        server.crash();
        std::thread::sleep(Duration::from_millis(300));
        let before = calls.load(Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(700));
        assert_eq!(
            calls.load(Ordering::Relaxed),
            before,
            "rendered with no server"
        );
        assert!(!player.is_finished());

        let restart = Instant::now();
        server.launch().unwrap();
        let up = restart.elapsed();
        let back_at = Instant::now();
        assert!(
            wait_until(Duration::from_secs(5), || calls.load(Ordering::Relaxed)
                > before),
            "no process calls after the restart"
        );
        let reconnect = back_at.elapsed();
        assert!(wait_until(Duration::from_secs(5), || calls
            .load(Ordering::Relaxed)
            > before + 50));

        // The ports are back and connected as before.
        {
            let (probe, _) = Client::new("probe", ClientOptions::NO_START_SERVER).unwrap();
            for (port, target) in [
                ("out_L", "system:playback_1"),
                ("out_R", "system:playback_2"),
            ] {
                let full = format!("{name}:{port}");
                let p = probe
                    .port_by_name(&full)
                    .unwrap_or_else(|| panic!("{full} missing after the restart"));
                assert!(p.is_connected_to(target).unwrap(), "{full} not on {target}");
            }
            // The new server's buffer size is followed.
            probe.set_buffer_size(512).unwrap();
            assert!(wait_until(Duration::from_secs(5), || {
                last_len.load(Ordering::Relaxed) == 512 && metrics.report().period_frames == 512
            }));
        }

        stop.store(true, Ordering::Relaxed);
        let report = player.join().unwrap().unwrap();
        let r = metrics.report();
        eprintln!(
            "jack restart: server up in {up:?}, first callback {reconnect:?} after; \
             {} callbacks, xruns {}, latency {} frames",
            r.callbacks, r.xruns, r.latency_frames
        );
        assert_eq!(r.callbacks, calls.load(Ordering::Relaxed));
        assert_eq!(report.frames, r.frames);
    }
}
