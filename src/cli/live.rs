//! `chronus live [SONG]`: a session played from the terminal, over OSC and
//! with `chronus send`.

use super::play::{
    check_record_path, install_signals, lock_memory, metrics_line, open_backend, ticker,
    BackendArgs,
};
use super::{load_song, Failure, EXIT_FAILURE};
use chronus::backends::Metrics;
use chronus::live::live_session::{run_live, Input, LiveContext, LiveOptions};
use chronus::live::LiveControl;
use chronus::osc::{is_loopback, ntp_now, OscServer, Request, When};
use chronus::session::journal::{self, Journal, Recovered};
use chronus::session::model::{count, shown};
use chronus::session::{Reply, Session};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The default OSC port.
pub const DEFAULT_OSC_PORT: u16 = 57130;

/// Arguments of `chronus live`.
#[derive(clap::Args)]
pub struct LiveArgs {
    /// A song to start from: its instruments, its patterns as scenes.
    song: Option<PathBuf>,
    /// UDP port for OSC (0: none).
    #[arg(long, default_value_t = DEFAULT_OSC_PORT)]
    osc_port: u16,
    /// Address OSC listens on (other than loopback: reachable from the network).
    #[arg(long, default_value = "127.0.0.1")]
    osc_bind: IpAddr,
    /// Also write what is played to this WAV file (32-bit float).
    #[arg(long, value_name = "OUT.wav")]
    record: Option<PathBuf>,
    /// Print each reply as one JSON object.
    #[arg(long)]
    json: bool,
    /// Read no commands from stdin: run until Ctrl-C or `quit` over OSC.
    #[arg(long)]
    headless: bool,
    /// Folder of saved patches (and of the session's journal).
    #[arg(long, default_value = "patches")]
    pub patches: PathBuf,
    /// Rebuild the session the journal in the patch folder describes (after
    /// a crash, a kill or a power cut): everything it held, playing from the
    /// bar after the last one the journal saw.
    #[arg(long, conflicts_with = "song")]
    resume: bool,
    /// Re-read SONG.yaml whenever it changes and apply what changed at the
    /// next bar (a broken edit is reported and the last good version plays on).
    #[arg(long, requires = "song")]
    watch: bool,
    /// Open the ALSA MIDI inputs whose names match (a part of the name, or
    /// a glob with *); a virtual input `chronus` is always offered, and on
    /// JACK the port `chronus:midi_in`.
    #[arg(long, value_name = "PATTERN")]
    midi: Option<String>,
    #[command(flatten)]
    backend: BackendArgs,
}

/// The command line an OSC request stands for.
pub fn request_line(r: &Request) -> String {
    match r {
        Request::Cmd(s) => s.clone(),
        Request::Note {
            track,
            note,
            velocity,
            beats,
        } => {
            let n = match note {
                chronus::osc::NoteArg::Midi(m) => format!("{}", m.clamp(0.0, 127.0)),
                chronus::osc::NoteArg::Name(s) => s.clone(),
            };
            format!("note {} {n} {velocity} {beats}", shown(track))
        }
        Request::Set {
            track,
            param,
            value,
        } => format!("set {} {param}={value}", shown(track)),
        Request::Pattern { track, pattern } => format!("pattern {}: {pattern}", shown(track)),
        Request::Tempo(bpm) => format!("tempo {bpm}"),
        Request::Status => "status".into(),
    }
}

/// Maps OSC time tags to frames through one fixed anchor (the audio clock's
/// estimate of now and the wall clock, taken together once), so that tags
/// 250 ms apart land exactly `0.25 * rate` frames apart.
struct TagClock {
    anchor: Option<(u64, chronus::osc::NtpTime, u32)>,
}

impl TagClock {
    /// The frame for wall-clock time `at`. The anchor is taken anew when
    /// the device changes its rate, and when the audio clock has moved away
    /// from it by more than 5 ms or two blocks (the server stopped for a
    /// while, or the clocks drifted).
    fn frame(&mut self, clock: &chronus::live::AudioClock, at: chronus::osc::NtpTime) -> i64 {
        let rate = clock.rate();
        let now = ntp_now();
        if let Some((f0, t0, r)) = self.anchor {
            let expected = f0 as f64 + now.secs_after(t0) * f64::from(r);
            let off = (expected - clock.estimate() as f64).abs();
            let tolerance = (f64::from(rate) * 0.005).max(2.0 * clock.block() as f64);
            if r != rate || off > tolerance {
                self.anchor = None;
            }
        }
        let (f0, t0, _) = *self
            .anchor
            .get_or_insert_with(|| (clock.estimate(), now, rate));
        f0 as i64 + (at.secs_after(t0) * f64::from(rate)).round() as i64
    }
}

/// How far ahead a time tag may be (a tag further out is refused: it would
/// hold a place in the engine's schedule for that long).
const MAX_AHEAD_SECONDS: f64 = 60.0;

/// Prints bad packets, at most five a second (a flood of garbage would
/// otherwise drown the pane); the rest are counted in `status`.
#[derive(Default)]
struct ErrorLog {
    second: Option<std::time::Instant>,
    this_second: u32,
}

impl ErrorLog {
    fn say(&mut self, line: &str) {
        let now = std::time::Instant::now();
        if self
            .second
            .is_none_or(|s| now.duration_since(s) >= Duration::from_secs(1))
        {
            if self.this_second > 5 {
                eprintln!(
                    "osc: ... and {} more bad packets (see status)",
                    self.this_second - 5
                );
            }
            self.second = Some(now);
            self.this_second = 0;
        }
        self.this_second += 1;
        if self.this_second <= 5 {
            eprintln!("{line}");
        }
    }
}

fn start_osc(
    args: &LiveArgs,
    ctx: &LiveContext,
    late: Arc<std::sync::atomic::AtomicU64>,
) -> Result<Option<OscServer>, String> {
    if args.osc_port == 0 {
        return Ok(None);
    }
    let addr = SocketAddr::new(args.osc_bind, args.osc_port);
    if !is_loopback(addr) {
        eprintln!("warning: OSC listens on {addr}: any machine that can reach it can play and change this session");
    }
    let tx = ctx.inputs.clone();
    let clock = ctx.clock.clone();
    let mut tags = TagClock { anchor: None };
    let mut said = ErrorLog::default();
    let server = OscServer::spawn(addr, move |incoming| {
        for e in &incoming.errors {
            said.say(&format!("warning: OSC from {}: {e}", incoming.from));
        }
        let mut first_reply = None;
        for item in incoming.items {
            let at = match item.time {
                // Stamped on arrival, not when the session gets to it.
                When::Immediate => Some(clock.immediate()),
                When::At(t) if t.secs_after(ntp_now()) > MAX_AHEAD_SECONDS => {
                    said.say(&format!(
                        "warning: OSC from {}: a bundle tagged {:.0} s ahead was refused (at most {MAX_AHEAD_SECONDS} s)",
                        incoming.from,
                        t.secs_after(ntp_now())
                    ));
                    continue;
                }
                When::At(t) => {
                    let f = tags.frame(&clock, t);
                    if f < clock.immediate() as i64 {
                        late.fetch_add(1, Ordering::Relaxed);
                        None
                    } else {
                        Some(f as u64)
                    }
                }
            };
            let line = request_line(&item.request);
            // Only a command or a status request is answered; notes, sets,
            // patterns and tempi go on without waiting for the session (a
            // failure among them is counted in `status`).
            if !item.request.wants_reply() || first_reply.is_some() {
                let input = Input::Line {
                    text: line,
                    at,
                    reply: None,
                    who: format!("osc:{}", incoming.from),
                };
                if tx.send(input).is_err() {
                    return None;
                }
                continue;
            }
            let (back, reply) = mpsc::channel();
            let input = Input::Line {
                text: line,
                at,
                reply: Some(back),
                who: format!("osc:{}", incoming.from),
            };
            if tx.send(input).is_err() {
                return None;
            }
            let r: Option<Reply> = reply.recv_timeout(Duration::from_secs(10)).ok();
            first_reply = Some(r.map_or_else(
                || "error: the session did not answer in time".to_string(),
                |r| r.line(),
            ));
        }
        first_reply
    })
    .map_err(|e| e.to_string())?;
    eprintln!("OSC on {}", server.local_addr());
    Ok(Some(server))
}

/// Rebuild the session `r` describes: its base, then its lines again.
fn resume(session: &mut Session, r: &Recovered, dir: &std::path::Path) {
    let journal = dir.join(journal::JOURNAL);
    if let Some((n, line)) = &r.torn {
        eprintln!(
            "resume: {}: line {n} was cut short by the crash and is left out: {}",
            journal.display(),
            line.chars().take(80).collect::<String>()
        );
    }
    let mut bar = None;
    if let Some(base) = r.base.as_ref().filter(|b| !b.trim().is_empty()) {
        let path = dir.join(journal::BASE);
        match chronus::sequencer::Song::from_yaml(base, &path) {
            Ok((song, _)) => bar = session.load_song(&song).bar,
            Err(e) => eprintln!("resume: {e}: starting from an empty session"),
        }
    }
    let mut failed = 0;
    for line in &r.lines {
        let reply = session.execute(line);
        if reply.ok {
            bar = bar.max(reply.bar);
        } else {
            failed += 1;
            eprintln!("resume: '{line}': {}", reply.line());
        }
    }
    let from = bar.map_or(String::new(), |b| format!(", the session from bar {b}"));
    let refused = if failed > 0 {
        format!(", {failed} refused")
    } else {
        String::new()
    };
    eprintln!(
        "resumed the session in {} ({} lines{refused}): the music from bar {}{from}",
        journal.display(),
        r.lines.len(),
        r.bar + 2
    );
}

/// What reads the session's lines besides OSC.
pub enum Front {
    /// The terminal (unless `--headless`).
    Repl,
    /// An MCP server on stdin/stdout, run on its own thread with the
    /// session's input channel and clock (`chronus mcp`).
    Mcp(Box<dyn FnOnce(mpsc::Sender<Input>, chronus::live::AudioClock) + Send>),
}

/// Run a live session.
pub fn run(args: &LiveArgs) -> Result<(), Failure> {
    run_with(args, Front::Repl)
}

/// Run a live session read by `front`.
pub fn run_with(args: &LiveArgs, front: Front) -> Result<(), Failure> {
    let mut front = Some(front);
    let song = match &args.song {
        Some(p) => Some(load_song(p)?),
        None => None,
    };
    check_record_path(args.record.as_deref())?;
    let backend = open_backend(&args.backend)?;
    lock_memory();
    let name = backend.name();
    let (interrupted, usr1) = install_signals()?;
    eprintln!(
        "chronus live through {name} at {} Hz, {} frames per period; type `help` (quit: `quit` or Ctrl-D)",
        backend.rate(),
        backend.period()
    );
    let control = LiveControl::default();
    let metrics = Arc::new(Metrics::new());
    let recovered = if args.resume {
        Some(Journal::read(&args.patches).map_err(Failure::input)?)
    } else {
        None
    };
    let options = LiveOptions {
        record: args.record.clone(),
        patches: args.patches.clone(),
        lookahead: None,
        start_bar: recovered.as_ref().map(|r| r.bar + 1),
    };
    let late = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let osc: Arc<Mutex<Option<OscServer>>> = Arc::new(Mutex::new(None));
    let mut osc_error = None;
    let history = args.patches.join(".history");
    let mut song_watch = None;
    let mut modules_watch = None;
    let report = run_live(
        song.as_ref(),
        backend,
        &options,
        &control,
        &metrics,
        |ctx, session: &mut Session| {
            if let Some(r) = &recovered {
                resume(session, r, &args.patches);
            }
            if let (true, Some(path)) = (args.watch, &args.song) {
                let load = |p: &std::path::Path| super::load_song(p).map_err(|f| f.message);
                match super::watch::watch(path, ctx.inputs.clone(), load) {
                    Ok(w) => song_watch = Some(w),
                    Err(e) => eprintln!("warning: {e}"),
                }
            }
            // Module files reload themselves when saved.
            let modules = args.patches.with_file_name("modules");
            match super::watch::watch_modules(&modules, ctx.inputs.clone()) {
                Ok(w) => modules_watch = Some(w),
                Err(e) => eprintln!("warning: {e}; reload NAME after editing a module"),
            }
            if let Err(e) = session.start_journal() {
                eprintln!("warning: {e}; the session is not journaled (--resume could not rebuild it)");
            }
            match start_osc(args, ctx, Arc::clone(&late)) {
                Ok(s) => *osc.lock().unwrap_or_else(|e| e.into_inner()) = s,
                Err(e) => osc_error = Some(e),
            }
            if osc_error.is_some() {
                control.request_stop();
                return;
            }
            let jack_port = (name == "jack").then(|| format!("{}:midi_in", args.backend.client_name()));
            let jack_out = (name == "jack").then(|| format!("{}:midi_out", args.backend.client_name()));
            let devices = Arc::new(chronus::live::midi_devices::Devices::start(
                None,
                args.midi.as_deref(),
                Arc::clone(&ctx.midi_inbox),
                Arc::clone(&ctx.midi_out),
                ctx.clock.clone(),
                ctx.midi_counters.clone(),
                jack_port,
                |line| eprintln!("{line}"),
            ));
            if let Some(p) = jack_out {
                session.set_midi_out_port(p);
            }
            session.set_midi_ports(Box::new(move || devices.describe()));
            let m = Arc::clone(&metrics);
            let late = Arc::clone(&late);
            let engine = control.clone();
            let server = Arc::clone(&osc);
            session.set_status_extra(Box::new(move || {
                let r = m.report();
                let e = engine.stats();
                let mut line = format!(
                    "voices {}, xruns {}, callback p99 {:.3} ms of {:.3} ms; engine: {} events, {} late, {} stale, {} deferred, {} commands, {} faults",
                    engine.voices(),
                    r.xruns,
                    r.p99.as_secs_f64() * 1e3,
                    r.budget().as_secs_f64() * 1e3,
                    e.events,
                    e.late_events,
                    e.stale_events,
                    e.deferred,
                    e.commands,
                    e.faults,
                );
                if let Some(s) = server.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                    let o = s.stats();
                    line.push_str(&format!(
                        "; osc on {}: {}, {}, {} malformed, {}, {}, late OSC bundles {}",
                        s.local_addr(),
                        count(o.packets as usize, "packet"),
                        count(o.messages as usize, "message"),
                        o.malformed,
                        count(o.unknown_address as usize, "unknown address"),
                        count(o.bad_arguments as usize, "bad argument"),
                        late.load(Ordering::Relaxed)
                    ));
                }
                line
            }));
            if let Some(Front::Mcp(serve)) = front.take() {
                let (inputs, clock) = (ctx.inputs.clone(), ctx.clock.clone());
                let spawned = std::thread::Builder::new()
                    .name("chronus-mcp".into())
                    .spawn(move || serve(inputs, clock));
                if let Err(e) = spawned {
                    eprintln!("error: cannot start the MCP thread: {e}");
                    control.request_stop();
                }
            } else if !args.headless {
                super::repl::start(
                    ctx.inputs.clone(),
                    ctx.clock.clone(),
                    args.json,
                    history.clone(),
                    ctx.words.clone(),
                );
            }
        },
        {
            let mut tick = ticker(interrupted, usr1, name);
            move |m, c, _| tick(m, c)
        },
    )
    .map_err(|e| Failure {
        code: EXIT_FAILURE,
        message: e.to_string(),
    })?;
    drop(song_watch);
    drop(modules_watch);
    if let Some(e) = osc_error {
        return Err(Failure {
            code: EXIT_FAILURE,
            message: e,
        });
    }
    let server = osc.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(s) = server {
        let st = s.stop();
        eprintln!(
            "osc: {} packets, {} messages, {} malformed, {} unknown addresses, {} bad arguments",
            st.packets, st.messages, st.malformed, st.unknown_address, st.bad_arguments
        );
    }
    eprintln!(
        "{name}: {}",
        metrics_line(&report.metrics, &control.stats())
    );
    if let (Some(path), Some(frames)) = (&args.record, report.recorded_frames) {
        eprintln!("recorded {frames} frames to {}", path.display());
    }
    Ok(())
}
