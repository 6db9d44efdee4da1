//! Live-session benchmarks (issue 6, section 7): reported figures, not
//! timed tests. Drives a real `chronus live` child through a running JACK
//! server and measures, on JACK's own microsecond clock:
//!
//! 1. OSC `/chronus/note` sent -> its first sample at `chronus:out_L`
//!    (p50, p99, max, jitter), against the target p99 <= one period + 0.3 ms
//!    and jitter < 0.1 ms;
//! 2. the same for a REPL line (`note s C4 1 0.05` written to stdin);
//! 3. OSC throughput: a flood of `/chronus/set` from one socket while a
//!    pattern plays, none lost, xruns against an idle spell of equal length;
//! 4. `/chronus/set t gain -40` (and back to -6) on a held sine -> the
//!    output level within 1% of its target, split into the latency to the
//!    first change and the ramp's length.
//!
//! A probe JACK client (`live-probe`) has one input connected to
//! `chronus:out_L`. Its process callback finds onsets (the first sample
//! above [`ONSET_LEVEL`] after at least [`SILENT_RUN`] quiet ones) and
//! stamps each with `frames_to_time(last_frame_time + index)`; the sender
//! stamps `Client::time()` right before each `send`/`write`: the same clock.
//!
//! Needs a JACK server (`JACK_DEFAULT_SERVER` names it) and a release build
//! of the `chronus` binary; `scripts/bench-live-session.sh` provides both and
//! runs this at periods 64 and 256. By hand:
//! `cargo bench --bench live_latency -- [--chronus PATH] [--notes 300]
//! [--flood 100000] [--sets 20] [--seed N] [--summary FILE] [--dump DIR]`
//! (`--summary`: the table as tab-separated lines; `--dump`: one row per
//! note into DIR/osc-notes-pPERIOD.tsv and DIR/repl-notes-pPERIOD.tsv).

use anyhow::{anyhow, bail, Context, Result};
use chronus::osc::{decode_reply, encode_request, NoteArg, Request};
use jack::{
    AsyncClient, AudioIn, Client, ClientOptions, Control, Frames, NotificationHandler, Port,
    ProcessHandler, ProcessScope,
};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// A sample louder than this is sound (the engine writes exact zeros when
/// nothing plays).
const ONSET_LEVEL: f32 = 1e-4;
/// Quiet samples that must come before an onset (5 ms at 48 kHz).
const SILENT_RUN: u32 = 240;
/// The instrument of measurements 1 and 2: instant attack, so the note's
/// first sample is loud.
const CLICK_SYNTH: &str =
    "create s synth osc=square filter=none attack=0 sustain=1 release=0.001 gain=0";
/// The note of measurement 2, as typed at the REPL (and sent over OSC).
const NOTE_LINE: &str = "note s C4 1 0.05";
/// The sine of measurement 4, held at A7 (3520 Hz): a high tone keeps the
/// three-sample level estimate ([`sine_level`]) well conditioned.
const SINE_SYNTH: &str =
    "create t synth osc=sine filter=none attack=0 sustain=1 release=0.001 gain=-6";
/// The gains measurement 4 switches between, in dB.
const GAIN_FROM: f32 = -6.0;
const GAIN_TO: f32 = -40.0;
/// The session's default parameter ramp (src/session/mod.rs).
const DEFAULT_RAMP_MS: f64 = chronus::session::DEFAULT_RAMP * 1e3;
/// Bytes of socket receive buffer one small datagram takes on Linux.
const DATAGRAM_TRUESIZE: usize = 832;

// ---------------------------------------------------------------- arguments

struct Args {
    chronus: PathBuf,
    notes: usize,
    flood: usize,
    sets: usize,
    seed: u64,
    summary: Option<PathBuf>,
    dump: Option<PathBuf>,
}

impl Args {
    fn parse() -> Result<Args> {
        let mut args = Args {
            chronus: PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/release/chronus"),
            notes: 300,
            flood: 100_000,
            sets: 20,
            seed: 0x5eed_cafe,
            summary: None,
            dump: None,
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            let mut value = |name: &str| it.next().with_context(|| format!("{name} needs a value"));
            match a.as_str() {
                "--chronus" => args.chronus = PathBuf::from(value("--chronus")?),
                "--notes" => args.notes = value("--notes")?.parse()?,
                "--flood" => args.flood = value("--flood")?.parse()?,
                "--sets" => args.sets = value("--sets")?.parse()?,
                "--seed" => args.seed = value("--seed")?.parse()?,
                "--summary" => args.summary = Some(PathBuf::from(value("--summary")?)),
                "--dump" => args.dump = Some(PathBuf::from(value("--dump")?)),
                // cargo bench passes --bench.
                "--bench" => {}
                other => bail!(
                    "unknown option {other}; options: --chronus PATH, --notes N, --flood N, \
                     --sets N, --seed N, --summary FILE, --dump DIR"
                ),
            }
        }
        if !args.chronus.is_file() {
            bail!(
                "no chronus binary at {} (build it with `cargo build --release --bin chronus`, or pass --chronus PATH)",
                args.chronus.display()
            );
        }
        Ok(args)
    }
}

// ---------------------------------------------------------------- numbers

/// xorshift64*: reproducible intervals without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `lo..hi` milliseconds.
    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_micros(lo * 1000 + self.next() % ((hi - lo) * 1000))
    }
}

/// Order statistics of a sample, in the unit it was given in.
#[derive(Clone, Copy, Debug, Default)]
struct Stats {
    n: usize,
    min: f64,
    p1: f64,
    p50: f64,
    p99: f64,
    max: f64,
    std: f64,
}

impl Stats {
    fn of(values: &[f64]) -> Stats {
        if values.is_empty() {
            return Stats::default();
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        // Nearest rank.
        let pct = |p: f64| v[((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1];
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        Stats {
            n: v.len(),
            min: v[0],
            p1: pct(1.0),
            p50: pct(50.0),
            p99: pct(99.0),
            max: v[v.len() - 1],
            std: var.sqrt(),
        }
    }

    fn jitter(&self) -> f64 {
        self.p99 - self.p1
    }
}

/// The median of the values that are not NaN (NaN if none).
fn median(values: &[f64]) -> f64 {
    let v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        f64::NAN
    } else {
        Stats::of(&v).p50
    }
}

// ---------------------------------------------------------------- the probe

/// An onset found by the probe's callback.
#[derive(Clone, Copy, Debug)]
struct Onset {
    /// JACK frame time of the onset sample.
    frame: Frames,
    /// `frames_to_time(frame)`: JACK microseconds.
    usecs: u64,
}

/// One process cycle of the probe.
#[derive(Clone, Copy, Debug, Default)]
struct Cycle {
    /// `frames_to_time(last_frame_time)` and `frames_to_time(last_frame_time + n)`.
    usecs: u64,
    end_usecs: u64,
    n: u32,
    /// `Client::time()` when the callback started.
    entered: u64,
    /// Whether its samples follow in the sample ring.
    samples: bool,
}

/// The probe's process handler: owns every buffer it writes (three rtrb
/// producers), never allocates or locks.
struct ProbeProcess {
    port: Port<AudioIn>,
    onsets: rtrb::Producer<Onset>,
    cycles: rtrb::Producer<Cycle>,
    samples: rtrb::Producer<f32>,
    recording: Arc<AtomicBool>,
    overflows: Arc<AtomicU64>,
    quiet: u32,
}

impl ProcessHandler for ProbeProcess {
    fn process(&mut self, client: &Client, ps: &ProcessScope) -> Control {
        let entered = client.time();
        let frame = ps.last_frame_time();
        let n = ps.n_frames();
        let input = self.port.as_slice(ps);
        for (i, &x) in input.iter().enumerate() {
            if x.abs() > ONSET_LEVEL {
                if self.quiet >= SILENT_RUN {
                    let at = frame.wrapping_add(i as Frames);
                    let onset = Onset {
                        frame: at,
                        usecs: client.frames_to_time(at),
                    };
                    if self.onsets.push(onset).is_err() {
                        self.overflows.fetch_add(1, Ordering::Relaxed);
                    }
                }
                self.quiet = 0;
            } else {
                self.quiet = self.quiet.saturating_add(1);
            }
        }
        let record = self.recording.load(Ordering::Relaxed)
            && self.samples.slots() >= input.len()
            && !self.cycles.is_full();
        let cycle = Cycle {
            usecs: client.frames_to_time(frame),
            end_usecs: client.frames_to_time(frame.wrapping_add(n)),
            n,
            entered,
            samples: record,
        };
        if record {
            for &x in input {
                let _ = self.samples.push(x);
            }
        } else if self.recording.load(Ordering::Relaxed) {
            self.overflows.fetch_add(1, Ordering::Relaxed);
        }
        if self.cycles.push(cycle).is_err() {
            self.overflows.fetch_add(1, Ordering::Relaxed);
        }
        Control::Continue
    }
}

/// Notes when JACK reports an xrun (on the notification thread, which may
/// lock and allocate).
struct ProbeNotify {
    xruns: Arc<Mutex<Vec<u64>>>,
}

impl NotificationHandler for ProbeNotify {
    fn xrun(&mut self, client: &Client) -> Control {
        lock(&self.xruns).push(client.time());
        Control::Continue
    }
}

/// What the drain thread has taken out of the rings.
#[derive(Default)]
struct Tape {
    onsets: Vec<Onset>,
    /// Every cycle, with the index of its first sample in `samples` when it
    /// was recorded.
    cycles: Vec<(Cycle, Option<usize>)>,
    samples: Vec<f32>,
}

/// The probe client, its input connected to the session's `out_L`.
struct Probe {
    client: AsyncClient<ProbeNotify, ProbeProcess>,
    tape: Arc<Mutex<Tape>>,
    recording: Arc<AtomicBool>,
    overflows: Arc<AtomicU64>,
    xruns: Arc<Mutex<Vec<u64>>>,
    stop: Arc<AtomicBool>,
    drain: Option<std::thread::JoinHandle<()>>,
}

impl Probe {
    fn open() -> Result<Probe> {
        let (client, _) = Client::new("live-probe", ClientOptions::NO_START_SERVER)
            .map_err(|e| anyhow!("cannot open a JACK client (is a JACK server running, JACK_DEFAULT_SERVER set?): {e}"))?;
        let port = client
            .register_port("in", AudioIn::default())
            .map_err(|e| anyhow!("cannot register the probe's port: {e}"))?;
        let rate = client.sample_rate() as usize;
        let (onsets, mut onsets_rx) = rtrb::RingBuffer::new(4096);
        let (cycles, mut cycles_rx) = rtrb::RingBuffer::new(65_536);
        let (samples, mut samples_rx) = rtrb::RingBuffer::new(rate * 4);
        let recording = Arc::new(AtomicBool::new(false));
        let overflows = Arc::new(AtomicU64::new(0));
        let xruns = Arc::new(Mutex::new(Vec::new()));
        let process = ProbeProcess {
            port,
            onsets,
            cycles,
            samples,
            recording: Arc::clone(&recording),
            overflows: Arc::clone(&overflows),
            quiet: 0,
        };
        let notify = ProbeNotify {
            xruns: Arc::clone(&xruns),
        };
        let client = client
            .activate_async(notify, process)
            .map_err(|e| anyhow!("cannot activate the probe: {e}"))?;
        let tape = Arc::new(Mutex::new(Tape::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (t, s) = (Arc::clone(&tape), Arc::clone(&stop));
        let drain = std::thread::Builder::new()
            .name("probe-drain".into())
            .spawn(move || {
                while !s.load(Ordering::Acquire) {
                    {
                        let mut tape = lock(&t);
                        while let Ok(o) = onsets_rx.pop() {
                            tape.onsets.push(o);
                        }
                        while let Ok(c) = cycles_rx.pop() {
                            let start = c.samples.then_some(tape.samples.len());
                            if c.samples {
                                for _ in 0..c.n {
                                    if let Ok(x) = samples_rx.pop() {
                                        tape.samples.push(x);
                                    }
                                }
                            }
                            tape.cycles.push((c, start));
                        }
                    }
                    std::thread::sleep(Duration::from_millis(2));
                }
            })
            .context("cannot start the probe's drain thread")?;
        Ok(Probe {
            client,
            tape,
            recording,
            overflows,
            xruns,
            stop,
            drain: Some(drain),
        })
    }

    fn jack(&self) -> &Client {
        self.client.as_client()
    }

    /// JACK's microsecond clock, the one the onsets are stamped on.
    fn now(&self) -> u64 {
        self.jack().time()
    }

    fn period(&self) -> u32 {
        self.jack().buffer_size()
    }

    fn rate(&self) -> u32 {
        self.jack().sample_rate()
    }

    /// Connect `port` (e.g. `chronus:out_L`) to the probe, waiting for it to
    /// appear.
    fn connect(&self, port: &str) -> Result<()> {
        let ours = format!("{}:in", self.jack().name());
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            if self.jack().connect_ports_by_name(port, &ours).is_ok() {
                return Ok(());
            }
            if Instant::now() > deadline {
                bail!("cannot connect {port} to {ours} within 5 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn disconnect_all(&self) {
        let ours = format!("{}:in", self.jack().name());
        if let Some(p) = self.jack().port_by_name(&ours) {
            let _ = self.jack().disconnect(&p);
        }
    }

    fn tape(&self) -> MutexGuard<'_, Tape> {
        // Let the drain thread catch up with the last cycles first.
        std::thread::sleep(Duration::from_millis(10));
        lock(&self.tape)
    }

    /// Onsets found from index `from` on.
    fn onsets_from(&self, from: usize) -> Vec<Onset> {
        self.tape().onsets.get(from..).unwrap_or(&[]).to_vec()
    }

    fn onset_count(&self) -> usize {
        self.tape().onsets.len()
    }

    fn cycle_count(&self) -> usize {
        self.tape().cycles.len()
    }

    /// Start recording samples (forgetting earlier ones).
    fn record(&self) {
        {
            let mut tape = self.tape();
            tape.samples.clear();
            for c in &mut tape.cycles {
                c.1 = None;
            }
        }
        self.recording.store(true, Ordering::Release);
    }

    /// Stop recording; the samples with their JACK times in microseconds.
    fn recorded(&self) -> (Vec<f32>, Vec<f64>) {
        self.recording.store(false, Ordering::Release);
        let tape = self.tape();
        let mut times = vec![f64::NAN; tape.samples.len()];
        for (c, start) in &tape.cycles {
            let Some(start) = *start else { continue };
            let step = (c.end_usecs as f64 - c.usecs as f64) / f64::from(c.n.max(1));
            for i in 0..c.n as usize {
                if let Some(t) = times.get_mut(start + i) {
                    *t = c.usecs as f64 + step * i as f64;
                }
            }
        }
        (tape.samples.clone(), times)
    }

    /// How long after the cycle's start the probe's callback ran, in ms,
    /// for the cycles from index `from` on.
    fn wake_ms(&self, from: usize) -> Stats {
        let tape = self.tape();
        let v: Vec<f64> = tape.cycles[from.min(tape.cycles.len())..]
            .iter()
            .map(|(c, _)| (c.entered as f64 - c.usecs as f64) / 1e3)
            .collect();
        Stats::of(&v)
    }

    /// When JACK reported each xrun so far (JACK microseconds).
    fn xrun_times(&self) -> Vec<u64> {
        lock(&self.xruns).clone()
    }

    fn xruns(&self) -> u64 {
        lock(&self.xruns).len() as u64
    }

    fn overflows(&self) -> u64 {
        self.overflows.load(Ordering::Relaxed)
    }

    fn close(mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(d) = self.drain.take() {
            let _ = d.join();
        }
        let _ = self.client.deactivate();
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

// ---------------------------------------------------------------- the session

/// A `chronus live` child process.
struct Live {
    child: Child,
    stdin: Option<ChildStdin>,
    stdout: Option<mpsc::Receiver<String>>,
    stderr: Arc<Mutex<Vec<String>>>,
    client_name: String,
}

impl Live {
    /// Start `chronus live` on JACK without connecting its outputs; OSC on
    /// `osc_port` (0: none); stdin piped unless `headless`.
    fn start(bin: &PathBuf, osc_port: u16, headless: bool) -> Result<Live> {
        let client_name = "chronus".to_string();
        let patches = std::env::temp_dir().join(format!("chronus-bench-{}", std::process::id()));
        let mut cmd = Command::new(bin);
        cmd.args(["live", "--backend", "jack", "--no-connect"])
            .args(["--client-name", &client_name])
            .args(["--osc-port", &osc_port.to_string()])
            .arg("--patches")
            .arg(&patches)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if headless {
            cmd.arg("--headless").stdin(Stdio::null());
        } else {
            cmd.stdin(Stdio::piped());
        }
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {}", bin.display()))?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if let Some(err) = child.stderr.take() {
            let lines = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for line in BufReader::new(err).lines() {
                    let Ok(line) = line else { break };
                    lock(&lines).push(line);
                }
            });
        }
        let stdout = child.stdout.take().map(|out| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            rx
        });
        let stdin = child.stdin.take();
        let live = Live {
            child,
            stdin,
            stdout,
            stderr,
            client_name,
        };
        live.wait_stderr("chronus live through", Duration::from_secs(10))?;
        if osc_port != 0 {
            live.wait_stderr("OSC on", Duration::from_secs(5))?;
        }
        Ok(live)
    }

    fn out_l(&self) -> String {
        format!("{}:out_L", self.client_name)
    }

    /// Wait for a stderr line containing `needle`.
    fn wait_stderr(&self, needle: &str, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = lock(&self.stderr).iter().find(|l| l.contains(needle)) {
                return Ok(l.clone());
            }
            if Instant::now() > deadline {
                bail!(
                    "chronus live printed no `{needle}` within {timeout:?}; its stderr:\n{}",
                    lock(&self.stderr).join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Wait for the child to exit (killing it after `timeout`); its status
    /// and stderr.
    fn finish(mut self, timeout: Duration) -> Result<(ExitStatus, Vec<String>)> {
        drop(self.stdin.take());
        let deadline = Instant::now() + timeout;
        let status = loop {
            if let Some(s) = self.child.try_wait()? {
                break s;
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                bail!(
                    "chronus live did not exit within {timeout:?}: killed; its stderr:\n{}",
                    lock(&self.stderr).join("\n")
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Let the reader thread take the last lines.
        std::thread::sleep(Duration::from_millis(50));
        let lines = lock(&self.stderr).clone();
        Ok((status, lines))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Where command lines go: OSC or the REPL's stdin.
enum Link {
    Osc {
        sock: UdpSocket,
        sent: u64,
    },
    Repl {
        stdin: ChildStdin,
        replies: mpsc::Receiver<String>,
        pending: usize,
        seen: Vec<String>,
    },
}

impl Link {
    fn osc(port: u16) -> Result<Link> {
        let sock = UdpSocket::bind("127.0.0.1:0").context("cannot bind a UDP socket")?;
        let to: SocketAddr = ([127, 0, 0, 1], port).into();
        sock.connect(to).context("cannot address the session")?;
        Ok(Link::Osc { sock, sent: 0 })
    }

    fn repl(live: &mut Live) -> Result<Link> {
        Ok(Link::Repl {
            stdin: live.stdin.take().context("the session has no stdin")?,
            replies: live.stdout.take().context("the session has no stdout")?,
            pending: 0,
            seen: Vec::new(),
        })
    }

    /// Send one OSC request (no reply expected unless it asks for one).
    fn send(&mut self, r: &Request) -> Result<()> {
        self.send_packet(&encode_request(r))
    }

    /// Send one encoded OSC message.
    fn send_packet(&mut self, packet: &[u8]) -> Result<()> {
        let Link::Osc { sock, sent } = self else {
            bail!("not an OSC link");
        };
        sock.send(packet).context("cannot send OSC")?;
        *sent += 1;
        Ok(())
    }

    /// Write one line to the REPL without waiting for its reply.
    fn write_line(&mut self, line: &str) -> Result<()> {
        match self {
            Link::Repl { stdin, pending, .. } => {
                stdin.write_all(format!("{line}\n").as_bytes())?;
                stdin.flush()?;
                *pending += 1;
                Ok(())
            }
            Link::Osc { .. } => self.send(&Request::Cmd(line.to_string())),
        }
    }

    /// Wait for one reply.
    fn reply(&mut self, timeout: Duration) -> Result<String> {
        match self {
            Link::Osc { sock, .. } => {
                sock.set_read_timeout(Some(timeout))?;
                let mut buf = vec![0u8; 65_536];
                let deadline = Instant::now() + timeout;
                loop {
                    let n = sock.recv(&mut buf).context("no OSC reply")?;
                    if let Ok(text) = decode_reply(&buf[..n]) {
                        return Ok(text);
                    }
                    if Instant::now() > deadline {
                        bail!("no OSC reply within {timeout:?}");
                    }
                }
            }
            Link::Repl {
                replies,
                pending,
                seen,
                ..
            } => {
                let line = replies
                    .recv_timeout(timeout)
                    .map_err(|_| anyhow!("no REPL reply within {timeout:?}"))?;
                *pending = pending.saturating_sub(1);
                seen.push(line.clone());
                Ok(line)
            }
        }
    }

    /// Send a command line and return its reply (earlier REPL replies are
    /// collected first).
    fn ask(&mut self, line: &str) -> Result<String> {
        self.drain_replies()?;
        self.write_line(line)?;
        self.reply(Duration::from_secs(2))
    }

    /// Like [`Link::ask`], and the reply must start with `ok`.
    fn ok(&mut self, line: &str) -> Result<String> {
        let r = self.ask(line)?;
        if !r.starts_with("ok") {
            bail!("`{line}` was answered `{r}`");
        }
        Ok(r)
    }

    /// Wait for the replies to REPL lines written without waiting.
    fn drain_replies(&mut self) -> Result<()> {
        let owed = match self {
            Link::Repl { pending, .. } => *pending,
            Link::Osc { .. } => 0,
        };
        for _ in 0..owed {
            self.reply(Duration::from_secs(2))?;
        }
        Ok(())
    }

    /// REPL replies collected so far (taken).
    fn take_replies(&mut self) -> Result<Vec<String>> {
        self.drain_replies()?;
        Ok(match self {
            Link::Repl { seen, .. } => std::mem::take(seen),
            Link::Osc { .. } => Vec::new(),
        })
    }

    fn sent(&self) -> u64 {
        match self {
            Link::Osc { sent, .. } => *sent,
            Link::Repl { .. } => 0,
        }
    }
}

/// The number after `key` in `text` (`"xruns 3"` -> 3).
fn number_after(text: &str, key: &str) -> Option<u64> {
    let at = text.find(key)? + key.len();
    let digits: String = text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The 1, 5 and 15 minute load averages (other work on the machine shows
/// in the figures).
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A free UDP port on loopback (for the session's OSC).
fn free_port() -> Result<u16> {
    let s = UdpSocket::bind("127.0.0.1:0")?;
    Ok(s.local_addr()?.port())
}

// ---------------------------------------------------------------- measurements

/// How long before a send an xrun may disturb its measurement (JACK
/// microseconds).
const XRUN_BEFORE_US: u64 = 20_000;
/// How long after an xrun JACK's frame/time mapping is unreliable: JACK2
/// restarts its clock filter (DLL) at an xrun, and `frames_to_time` drifts
/// by up to about a period while it settles (seen in per-note dumps).
const XRUN_AFTER_US: u64 = 1_000_000;

/// Whether one of the `xruns` (JACK microseconds) falls between
/// [`XRUN_AFTER_US`] before `send` and [`XRUN_BEFORE_US`] after `end`.
fn near_xrun(xruns: &[u64], send: u64, end: u64) -> bool {
    xruns
        .iter()
        .any(|&x| x + XRUN_AFTER_US >= send && x <= end + XRUN_BEFORE_US)
}

/// Per-note latencies: for each send, the first onset after it and before
/// the next send (at most 50 ms later).
fn match_onsets(sends: &[u64], onsets: &[Onset]) -> Vec<Option<(f64, Onset)>> {
    let mut j = 0;
    let mut out = Vec::with_capacity(sends.len());
    for (k, &s) in sends.iter().enumerate() {
        let limit = sends
            .get(k + 1)
            .copied()
            .unwrap_or(u64::MAX)
            .min(s + 50_000);
        while j < onsets.len() && onsets[j].usecs <= s {
            j += 1;
        }
        if j < onsets.len() && onsets[j].usecs < limit {
            out.push(Some(((onsets[j].usecs - s) as f64 / 1e3, onsets[j])));
            j += 1;
        } else {
            out.push(None);
        }
    }
    out
}

/// The JACK frame offset of the engine's frame count as seen by the probe,
/// and whether the probe hears chronus in the same cycle.
#[derive(Clone, Copy, Debug, Default)]
struct GraphOrder {
    /// Onset frame (JACK) minus the frame the reply named (engine), median.
    observed: i64,
    /// Periods the probe hears chronus's output later than the cycle that
    /// rendered it (0: chronus runs first in each cycle), the most common
    /// answer of `agree` out of `asked` warm-up notes (those away from
    /// xruns, if any).
    extra_periods: i64,
    agree: usize,
    asked: usize,
}

/// The most common value (the smallest of those tied).
fn mode(values: &[i64]) -> Option<(i64, usize)> {
    let mut v = values.to_vec();
    v.sort_unstable();
    let mut best: Option<(i64, usize)> = None;
    for run in v.chunk_by(|a, b| a == b) {
        if best.is_none_or(|(_, n)| run.len() > n) {
            best = Some((run[0], run.len()));
        }
    }
    best
}

/// The frame in an `ok ...: at frame N` reply.
fn reply_frame(r: &str) -> Option<u64> {
    number_after(r, "at frame ")
}

/// Measure [`GraphOrder`] with `count` notes sent as command lines (the
/// reply names the engine frame each was stamped with), each just after a
/// `status` that tells where the engine's frame count stands against JACK's
/// frame clock.
///
/// If chronus's callback runs before the probe's in every cycle, the probe
/// sees engine frame `F` at JACK frame `F + C`, where `C` is the JACK frame
/// of the cycle that rendered engine frame 0. At any moment in a cycle,
/// JACK's current frame minus the engine's frames rendered so far lies in
/// `[C - period, C)` (the engine has rendered this cycle's block, which
/// JACK's clock reaches only by the cycle's end), give or take the few
/// microseconds before chronus's callback finishes. Each period the graph
/// makes the probe wait adds one period to the onset's offset.
fn graph_order(link: &mut Link, probe: &Probe, count: usize) -> Result<GraphOrder> {
    let period = f64::from(probe.period());
    let mark = probe.onset_count();
    let mut sends = Vec::new();
    let mut stamps = Vec::new();
    for _ in 0..count {
        std::thread::sleep(Duration::from_millis(80));
        let j0 = probe.jack().frame_time();
        let r = link.ask("status")?;
        let j1 = probe.jack().frame_time();
        let rendered = number_after(&r, " frame ").with_context(|| format!("no frame in `{r}`"))?;
        let now_offset = (f64::from(j0) + f64::from(j1)) / 2.0 - rendered as f64;
        sends.push(probe.now());
        let r = link.ask(NOTE_LINE)?;
        let f = reply_frame(&r).with_context(|| format!("no frame in `{r}`"))?;
        stamps.push((f, now_offset));
    }
    std::thread::sleep(Duration::from_millis(100));
    let onsets = probe.onsets_from(mark);
    let xruns = probe.xrun_times();
    let mut offsets = Vec::new();
    let mut extras = Vec::new();
    // Notes near an xrun only if there are no others.
    for keep_near in [false, true] {
        for (m, (&(f, now_offset), &s)) in match_onsets(&sends, &onsets)
            .iter()
            .zip(stamps.iter().zip(&sends))
        {
            let Some((_, o)) = m else { continue };
            if !keep_near && near_xrun(&xruns, s, o.usecs) {
                continue;
            }
            let c = i64::from(o.frame) - f as i64;
            offsets.push(c);
            extras.push(((c as f64 - now_offset) / period - 0.5).round() as i64);
        }
        if !offsets.is_empty() {
            break;
        }
    }
    let (observed, _) = mode(&offsets).context("no warm-up note was heard")?;
    let (extra_periods, agree) = mode(&extras).context("no warm-up note was heard")?;
    Ok(GraphOrder {
        observed,
        extra_periods,
        agree,
        asked: extras.len(),
    })
}

/// One note sent by a latency run.
#[derive(Clone, Copy, Debug)]
struct NoteSent {
    /// `Client::time()` right before the send.
    usecs: u64,
    /// `Client::frame_time()` right after it (JACK's estimate of its
    /// current frame).
    jack_frame: Frames,
    /// Its onset, if heard; latency in ms.
    heard: Option<(f64, Onset)>,
    /// Whether JACK reported an xrun from 1 s before the send to 20 ms
    /// after the onset ([`near_xrun`]).
    near_xrun: bool,
    /// The engine frame the reply named (REPL).
    frame: Option<u64>,
}

/// Result of a latency run (measurement 1 or 2).
struct Latency {
    notes: Vec<NoteSent>,
    /// Every note heard.
    all: Stats,
    /// The notes with no xrun near them.
    clean: Stats,
    order: GraphOrder,
    /// Notes whose onset frame minus reply frame equals the usual offset,
    /// out of those compared (REPL only).
    exact: Option<(usize, usize)>,
    wake: Stats,
    xruns: usize,
}

impl Latency {
    fn missed(&self) -> usize {
        self.notes.iter().filter(|n| n.heard.is_none()).count()
    }

    fn near_xrun(&self) -> usize {
        self.notes
            .iter()
            .filter(|n| n.heard.is_some() && n.near_xrun)
            .count()
    }
}

/// Send `notes` notes over OSC (`/chronus/note`) or as REPL lines at random
/// intervals of 50-150 ms and time each to its onset.
fn latency_run(
    link: &mut Link,
    probe: &Probe,
    rng: &mut Rng,
    notes: usize,
    repl: bool,
) -> Result<Latency> {
    link.ok(CLICK_SYNTH)?;
    std::thread::sleep(Duration::from_millis(200));
    let order = graph_order(link, probe, 12)?;
    let packet = encode_request(&Request::Note {
        track: "s".into(),
        note: NoteArg::Name("C4".into()),
        velocity: 1.0,
        beats: 0.05,
    });
    let line = format!("{NOTE_LINE}\n");
    let mark = probe.onset_count();
    let cycles = probe.cycle_count();
    let xruns = probe.xrun_times().len();
    let mut sends = Vec::with_capacity(notes);
    let mut jack_frames = Vec::with_capacity(notes);
    let _ = link.take_replies()?;
    for _ in 0..notes {
        std::thread::sleep(rng.millis(50, 150));
        match link {
            Link::Repl { stdin, pending, .. } if repl => {
                let t = probe.now();
                let j = probe.jack().frame_time();
                stdin.write_all(line.as_bytes())?;
                stdin.flush()?;
                sends.push(t);
                jack_frames.push(j);
                *pending += 1;
            }
            Link::Osc { sock, sent } if !repl => {
                let t = probe.now();
                let j = probe.jack().frame_time();
                sock.send(&packet)?;
                sends.push(t);
                jack_frames.push(j);
                *sent += 1;
            }
            _ => bail!("the link does not match the run"),
        }
    }
    std::thread::sleep(Duration::from_millis(150));
    let onsets = probe.onsets_from(mark);
    let xrun_times = probe.xrun_times();
    let frames: Vec<Option<u64>> = if repl {
        let replies = link.take_replies()?;
        if replies.len() != sends.len() {
            bail!("{} replies for {} notes", replies.len(), sends.len());
        }
        replies.iter().map(|r| reply_frame(r)).collect()
    } else {
        vec![None; sends.len()]
    };
    let notes: Vec<NoteSent> = match_onsets(&sends, &onsets)
        .into_iter()
        .zip(sends.iter().zip(jack_frames).zip(frames))
        .map(|(heard, ((&usecs, jack_frame), frame))| {
            let end = heard.map_or(usecs + 50_000, |(_, o)| o.usecs);
            let near_xrun = near_xrun(&xrun_times, usecs, end);
            NoteSent {
                usecs,
                jack_frame,
                heard,
                near_xrun,
                frame,
            }
        })
        .collect();
    let heard = |clean: bool| -> Vec<f64> {
        notes
            .iter()
            .filter(|n| !(clean && n.near_xrun))
            .filter_map(|n| n.heard.map(|(l, _)| l))
            .collect()
    };
    let exact = repl.then(|| {
        let compared: Vec<i64> = notes
            .iter()
            .filter_map(|n| Some(i64::from(n.heard?.1.frame) - n.frame? as i64))
            .collect();
        let usual = mode(&compared).map_or(0, |(c, _)| c);
        (
            compared.iter().filter(|&&c| c == usual).count(),
            compared.len(),
        )
    });
    Ok(Latency {
        all: Stats::of(&heard(false)),
        clean: Stats::of(&heard(true)),
        notes,
        order,
        exact,
        wake: probe.wake_ms(cycles),
        xruns: xrun_times.len() - xruns,
    })
}

/// Write one row per note (for a closer look at a run).
fn dump_notes(path: &std::path::Path, l: &Latency) -> Result<()> {
    let mut text = String::from(
        "send_usecs\tsend_frame\tonset_usecs\tlatency_ms\tnear_xrun\treply_frame\tonset_frame\n",
    );
    for n in &l.notes {
        let (onset, ms, frame) = n
            .heard
            .map_or((String::new(), String::new(), String::new()), |(ms, o)| {
                (o.usecs.to_string(), format!("{ms:.4}"), o.frame.to_string())
            });
        let reply = n.frame.map(|f| f.to_string()).unwrap_or_default();
        text.push_str(&format!(
            "{}\t{}\t{onset}\t{ms}\t{}\t{reply}\t{frame}\n",
            n.usecs, n.jack_frame, n.near_xrun
        ));
    }
    std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))
}

/// Result of measurement 3.
struct Throughput {
    sent: usize,
    window: usize,
    seconds: f64,
    per_second: f64,
    lines_ok: u64,
    lines_failed: u64,
    expected_ok: u64,
    xruns_flood: u64,
    xruns_idle: u64,
    probe_xruns_flood: u64,
    probe_xruns_idle: u64,
}

/// Parse `xruns N`, `lines ok N`, `failed N` out of a status line.
fn status_counts(r: &str) -> Result<(u64, u64, u64)> {
    let get = |k: &str| number_after(r, k).with_context(|| format!("no `{k}` in `{r}`"));
    Ok((get("xruns ")?, get("lines ok ")?, get(", failed ")?))
}

/// Flood the session with `/chronus/set` while a pattern plays.
fn throughput(link: &mut Link, probe: &Probe, flood: usize) -> Result<Throughput> {
    for line in [
        "quantize now",
        "create k kick",
        "sequence k: x...x...x...x...",
        "melody s: C4 E4 G4 C5",
        "play k s",
    ] {
        link.ok(line)?;
    }
    std::thread::sleep(Duration::from_millis(300));
    // At most `window` sets in flight (sent, not yet acknowledged by a
    // `status` reply), so that the kernel's receive buffer (which the
    // server enlarges up to net.core.rmem_max) can never overflow: the
    // session, not the kernel, sets the pace.
    let rmem = std::fs::read_to_string("/proc/sys/net/core/rmem_max")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(212_992);
    let capacity = (2 * rmem.min(8 << 20)) / DATAGRAM_TRUESIZE;
    let window = (capacity / 2).clamp(64, 4096);
    let ack_every = (window / 4).max(16);
    let (x0, ok0, failed0) = status_counts(&link.ask("status")?)?;
    let p0 = probe.xruns();
    let start = Instant::now();
    // For each `status` in flight: how many sets were sent before it.
    let mut marks = std::collections::VecDeque::new();
    let mut acked = 0usize;
    let mut sent = 0usize;
    let mut statuses = 0u64;
    let mut last = String::new();
    // Encoded once, so that the sender spends its time in `send`.
    let sets = [-6.0, -12.0].map(|value| {
        encode_request(&Request::Set {
            track: "s".into(),
            param: "gain".into(),
            value,
        })
    });
    let status = encode_request(&Request::Status);
    while sent < flood {
        link.send_packet(&sets[sent % 2])?;
        sent += 1;
        if sent.is_multiple_of(ack_every) || sent == flood {
            link.send_packet(&status)?;
            statuses += 1;
            marks.push_back(sent);
        }
        while sent - acked > window {
            last = link.reply(Duration::from_secs(5))?;
            acked = marks
                .pop_front()
                .context("a reply with no status in flight")?;
        }
    }
    while let Some(m) = marks.pop_front() {
        last = link.reply(Duration::from_secs(5))?;
        acked = m;
    }
    let seconds = start.elapsed().as_secs_f64();
    if acked != flood {
        bail!("the flood ended with {acked} of {flood} sets acknowledged");
    }
    let (x1, ok1, failed1) = status_counts(&last)?;
    let p1 = probe.xruns();
    // An idle spell of the same length, the pattern still playing.
    std::thread::sleep(Duration::from_secs_f64(seconds));
    let (x2, _, _) = status_counts(&link.ask("status")?)?;
    let p2 = probe.xruns();
    Ok(Throughput {
        sent: flood,
        window,
        seconds,
        per_second: flood as f64 / seconds,
        lines_ok: ok1 - ok0,
        lines_failed: failed1 - failed0,
        // The first status counts once its text is made, the last (whose
        // text we read) not yet: every set and one status per status sent.
        expected_ok: flood as u64 + statuses,
        xruns_flood: x1 - x0,
        xruns_idle: x2 - x1,
        probe_xruns_flood: p1 - p0,
        probe_xruns_idle: p2 - p1,
    })
}

/// One set -> level measurement of measurement 4.
struct SetTiming {
    first_ms: f64,
    target_ms: f64,
    ramp_ms: f64,
    db: f64,
}

/// Result of measurement 4.
struct SetResult {
    down: Vec<SetTiming>,
    up: Vec<SetTiming>,
    missed: usize,
    peak: f32,
}

/// The level of a sine at each sample (three-sample energy estimate,
/// proportional to the amplitude; exact for a steady sine).
fn sine_level(x: &[f32]) -> Vec<f64> {
    let mut l = vec![f64::NAN; x.len()];
    for (i, w) in x.windows(3).enumerate() {
        let (a, b, c) = (f64::from(w[0]), f64::from(w[1]), f64::from(w[2]));
        l[i + 1] = (b * b - a * c).max(0.0).sqrt();
    }
    l
}

/// Hold a sine and switch its gain `sets` times each way.
fn set_to_target(link: &mut Link, probe: &Probe, sets: usize) -> Result<SetResult> {
    link.ok(SINE_SYNTH)?;
    link.ok("note t A7 1 10000")?;
    std::thread::sleep(Duration::from_millis(150));
    probe.record();
    let mut sends = Vec::new();
    for _ in 0..sets {
        for gain in [GAIN_TO, GAIN_FROM] {
            std::thread::sleep(Duration::from_millis(60));
            let packet = encode_request(&Request::Set {
                track: "t".into(),
                param: "gain".into(),
                value: gain,
            });
            let Link::Osc { sock, sent } = link else {
                bail!("not an OSC link");
            };
            let t = probe.now();
            sock.send(&packet)?;
            *sent += 1;
            sends.push((t as f64, gain));
        }
    }
    std::thread::sleep(Duration::from_millis(60));
    let (x, times) = probe.recorded();
    link.ok("remove t")?;
    let level = sine_level(&x);
    let peak = x.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let index_at = |t: f64| times.partition_point(|&u| u.is_nan() || u < t);
    let steady = |from: f64, to: f64| {
        let (a, b) = (index_at(from), index_at(to));
        median(&level[a.min(level.len())..b.min(level.len())])
    };
    let mut res = SetResult {
        down: Vec::new(),
        up: Vec::new(),
        missed: 0,
        peak,
    };
    for (k, &(s, gain)) in sends.iter().enumerate() {
        let next = sends.get(k + 1).map_or(s + 60_000.0, |n| n.0);
        let before = steady(s - 20_000.0, s);
        let after = steady(next - 15_000.0, next);
        let (a, b) = (index_at(s), index_at(next).min(level.len()));
        if before.is_nan() || after.is_nan() || b <= a + 2 {
            res.missed += 1;
            continue;
        }
        // First change: 0.2% away from the level before (far above the
        // estimate's ripple on a steady sine, well under one ramp step).
        let first = (a..b).find(|&i| (level[i] - before).abs() > 0.002 * before);
        // Reached: from this sample on, within 1% of the level after.
        let reach = (a..b)
            .rev()
            .find(|&i| (level[i] - after).abs() > 0.01 * after)
            .map(|i| i + 1);
        let (Some(first), Some(reach)) = (first, reach) else {
            res.missed += 1;
            continue;
        };
        let t = SetTiming {
            first_ms: (times[first] - s) / 1e3,
            target_ms: (times[reach.min(b - 1)] - s) / 1e3,
            ramp_ms: (times[reach.min(b - 1)] - times[first]) / 1e3,
            db: 20.0 * (after / before).log10(),
        };
        if gain == GAIN_TO {
            res.down.push(t);
        } else {
            res.up.push(t);
        }
    }
    Ok(res)
}

// ---------------------------------------------------------------- report

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "NOT met"
    }
}

fn print_latency(what: &str, l: &Latency, period_ms: f64) -> Vec<(String, String)> {
    let target = period_ms + 0.3;
    let extra = l.order.extra_periods as f64 * period_ms;
    println!(
        "  {what} -> first sample at chronus:out_L: {} sent, {} heard ({} missed); \
         JACK reported {} xruns during the run, {} heard notes fall from 1 s after one to 20 ms before one \
         (JACK restarts its clock filter at an xrun)",
        l.notes.len(),
        l.all.n,
        l.missed(),
        l.xruns,
        l.near_xrun()
    );
    println!(
        "    graph order: the probe hears chronus {} ({} periods later; {} of {} warm-up notes away from xruns agree; \
         engine frame F is heard at JACK frame F + {})",
        if l.order.extra_periods == 0 {
            "in the same cycle"
        } else {
            "in a later cycle"
        },
        l.order.extra_periods,
        l.order.agree,
        l.order.asked,
        l.order.observed
    );
    let line = |name: &str, st: &Stats| {
        println!(
            "    {name:<22} p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms (min {:.3}); jitter p99-p1 {:.3} ms, std dev {:.3} ms",
            st.p50 - extra,
            st.p99 - extra,
            st.max - extra,
            st.min - extra,
            st.jitter(),
            st.std
        );
    };
    line(&format!("all {} notes:", l.all.n), &l.all);
    line(&format!("{} away from xruns:", l.clean.n), &l.clean);
    if extra != 0.0 {
        println!("    (the graph's extra {extra:.3} ms is removed above: engine-side latency)");
    }
    if let Some((exact, of)) = l.exact {
        println!(
            "    {exact} of {of} notes sounded exactly on the frame their reply named (plus the fixed offset){}",
            if exact < of {
                "; the others moved by whole periods across xruns"
            } else {
                ""
            }
        );
    }
    println!(
        "    the probe's callback began {:.3} ms (p50; p99 {:.3} ms) after its cycle's start on JACK's clock",
        l.wake.p50, l.wake.p99
    );
    println!(
        "    model: an immediate note is stamped at AudioClock::estimate() + one period, and estimate() counts the \
         frames already rendered (a period ahead of JACK's frame clock): about two periods = {:.3} ms, \
         less how far into its cycle chronus publishes, plus send -> stamp",
        2.0 * period_ms
    );
    let (p99, clean_p99) = (l.all.p99 - extra, l.clean.p99 - extra);
    println!(
        "    target p99 <= one period + 0.3 ms = {target:.3} ms: {} (all {p99:.3} ms, away from xruns {clean_p99:.3} ms); \
         jitter < 0.1 ms: {} (all {:.3} ms, away from xruns {:.3} ms)",
        verdict(clean_p99 <= target),
        verdict(l.clean.jitter() < 0.1),
        l.all.jitter(),
        l.clean.jitter()
    );
    vec![
        (
            format!("{what}: p50 (ms)"),
            format!("{:.3}", l.all.p50 - extra),
        ),
        (
            format!("{what}: p99 all / no-xrun (ms)"),
            format!("{p99:.3} / {clean_p99:.3}"),
        ),
        (
            format!("{what}: max (ms)"),
            format!("{:.3}", l.all.max - extra),
        ),
        (
            format!("{what}: jitter p99-p1 all / no-xrun (ms)"),
            format!("{:.3} / {:.3}", l.all.jitter(), l.clean.jitter()),
        ),
        (
            format!("{what}: std dev all / no-xrun (ms)"),
            format!("{:.3} / {:.3}", l.all.std, l.clean.std),
        ),
        (
            format!("{what}: p99 <= period+0.3 ms / jitter < 0.1 ms"),
            format!(
                "{} ({target:.3}) / {}",
                verdict(clean_p99 <= target),
                verdict(l.clean.jitter() < 0.1)
            ),
        ),
        (
            format!("{what}: heard / sent (near xrun)"),
            format!("{} / {} ({})", l.all.n, l.notes.len(), l.near_xrun()),
        ),
    ]
}

fn print_throughput(t: &Throughput) -> Vec<(String, String)> {
    let lost = t.expected_ok as i64 - t.lines_ok as i64;
    println!(
        "  OSC throughput: {} /chronus/set from one socket in {:.3} s = {:.0} messages/s \
         (at most {} in flight, acknowledged by a /chronus/status every quarter of that; pattern playing; \
         the sender shares the 2 cores, so this is a lower bound)",
        t.sent, t.seconds, t.per_second, t.window
    );
    println!(
        "    applied: lines ok +{} (expected +{}), failed +{}: {} lost",
        t.lines_ok, t.expected_ok, t.lines_failed, lost
    );
    println!(
        "    xruns (session's count) during the flood {}, in an idle spell of equal length {}; probe's {} / {}",
        t.xruns_flood, t.xruns_idle, t.probe_xruns_flood, t.probe_xruns_idle
    );
    println!(
        "    floor 20,000/s: {}; aim 100,000/s: {}",
        verdict(t.per_second >= 20_000.0),
        verdict(t.per_second >= 100_000.0)
    );
    vec![
        (
            "OSC throughput (msg/s)".into(),
            format!("{:.0}", t.per_second),
        ),
        ("OSC messages lost".into(), format!("{lost}")),
        (
            "xruns flood / idle".into(),
            format!("{} / {}", t.xruns_flood, t.xruns_idle),
        ),
    ]
}

fn print_sets(r: &SetResult) -> Vec<(String, String)> {
    let mut rows = Vec::new();
    println!(
        "  set -> target on a held sine (peak {:.3}; {} transitions not measured); default ramp {DEFAULT_RAMP_MS:.1} ms",
        r.peak, r.missed
    );
    for (name, v) in [
        (format!("gain {GAIN_FROM} -> {GAIN_TO} dB"), &r.down),
        (format!("gain {GAIN_TO} -> {GAIN_FROM} dB"), &r.up),
    ] {
        let f = Stats::of(&v.iter().map(|t| t.first_ms).collect::<Vec<_>>());
        let g = Stats::of(&v.iter().map(|t| t.target_ms).collect::<Vec<_>>());
        let ramp = Stats::of(&v.iter().map(|t| t.ramp_ms).collect::<Vec<_>>());
        let db = Stats::of(&v.iter().map(|t| t.db).collect::<Vec<_>>());
        println!(
            "    {name} ({} times, measured change {:+.2} dB): send -> within 1% of target p50 {:.3} ms, max {:.3} ms \
             = latency to first change p50 {:.3} ms (max {:.3}) + ramp p50 {:.3} ms (min {:.3}, max {:.3})",
            v.len(),
            db.p50,
            g.p50,
            g.max,
            f.p50,
            f.max,
            ramp.p50,
            ramp.min,
            ramp.max
        );
        rows.push((
            format!("set {name}: to target p50 (ms)"),
            format!("{:.3}", g.p50),
        ));
        rows.push((
            format!("set {name}: first change + ramp (ms)"),
            format!("{:.3} + {:.3}", f.p50, ramp.p50),
        ));
    }
    rows
}

// ---------------------------------------------------------------- main

fn run(args: &Args) -> Result<Vec<(String, String)>> {
    let probe = Probe::open()?;
    let period = probe.period();
    let rate = probe.rate();
    let period_ms = f64::from(period) * 1e3 / f64::from(rate);
    println!(
        "== chronus live on JACK '{}': {rate} Hz, period {period} frames ({period_ms:.3} ms)",
        std::env::var("JACK_DEFAULT_SERVER").unwrap_or_else(|_| "default".into())
    );
    println!("  load average at start: {}", load_average());
    let mut rng = Rng(args.seed | 1);
    let mut rows = vec![
        ("period (frames)".to_string(), period.to_string()),
        ("load average at start".to_string(), load_average()),
    ];

    // Run A: headless, OSC only: measurements 1, 4, 3.
    let port = free_port()?;
    let live = Live::start(&args.chronus, port, true)?;
    probe.connect(&live.out_l())?;
    let mut osc = Link::osc(port)?;
    let t0 = Instant::now();
    let l1 = latency_run(&mut osc, &probe, &mut rng, args.notes, false)?;
    rows.extend(print_latency("OSC /chronus/note", &l1, period_ms));
    if let Some(dir) = &args.dump {
        dump_notes(&dir.join(format!("osc-notes-p{period}.tsv")), &l1)?;
    }
    let sets = set_to_target(&mut osc, &probe, args.sets)?;
    rows.extend(print_sets(&sets));
    let t = throughput(&mut osc, &probe, args.flood)?;
    rows.extend(print_throughput(&t));
    let _ = osc.ask("quit")?;
    let sent = osc.sent();
    let (status, stderr) = live.finish(Duration::from_secs(10))?;
    let osc_line = stderr
        .iter()
        .find(|l| l.starts_with("osc: "))
        .cloned()
        .unwrap_or_default();
    let received = number_after(&osc_line, " packets, ").unwrap_or(0);
    println!(
        "    session's own count at exit: `{osc_line}`; this client sent {sent} messages: {}",
        if received == sent {
            "none lost".to_string()
        } else {
            format!("{} NOT received", sent as i64 - received as i64)
        }
    );
    rows.push((
        "OSC messages sent / received by session".into(),
        format!("{sent} / {received}"),
    ));
    println!(
        "    run A: {:.1} s, exit {status}",
        t0.elapsed().as_secs_f64()
    );
    probe.disconnect_all();

    // Run B: the REPL on a pipe: measurement 2.
    let mut live = Live::start(&args.chronus, 0, false)?;
    probe.connect(&live.out_l())?;
    let mut repl = Link::repl(&mut live)?;
    let t0 = Instant::now();
    let l2 = latency_run(&mut repl, &probe, &mut rng, args.notes, true)?;
    rows.extend(print_latency("REPL line", &l2, period_ms));
    if let Some(dir) = &args.dump {
        dump_notes(&dir.join(format!("repl-notes-p{period}.tsv")), &l2)?;
    }
    let _ = repl.ask("quit")?;
    drop(repl);
    let (status, _) = live.finish(Duration::from_secs(10))?;
    println!(
        "    run B: {:.1} s, exit {status}",
        t0.elapsed().as_secs_f64()
    );
    rows.push(("probe ring overflows".into(), probe.overflows().to_string()));
    rows.push(("load average at end".into(), load_average()));
    probe.close();
    Ok(rows)
}

fn main() {
    let args = match Args::parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("live_latency: {e:#}");
            std::process::exit(1);
        }
    };
    match run(&args) {
        Ok(rows) => {
            println!("\n  summary:");
            let w = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
            for (k, v) in &rows {
                println!("  {k:<w$}  {v}");
            }
            if let Some(path) = &args.summary {
                let text: String = rows.iter().map(|(k, v)| format!("{k}\t{v}\n")).collect();
                if let Err(e) = std::fs::write(path, text) {
                    eprintln!("live_latency: cannot write {}: {e}", path.display());
                    std::process::exit(1);
                }
            }
        }
        Err(e) => {
            eprintln!("live_latency: {e:#}");
            std::process::exit(1);
        }
    }
}
