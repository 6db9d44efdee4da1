//! `chronus play SONG`: live playback through JACK, PulseAudio or the null
//! device.

use super::{load_song, Failure, EXIT_FAILURE};
#[cfg(feature = "jack")]
use chronus::backends::jack::{JackBackend, JackOptions};
use chronus::backends::null::NullBackend;
#[cfg(feature = "pulse")]
use chronus::backends::pulse::{PulseBackend, PulseOptions};
use chronus::backends::{BackendError, LiveBackend, Metrics, MetricsReport};
use chronus::live::{play, LiveControl, PlayOptions};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Which audio backend to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BackendChoice {
    /// JACK if a server runs, else PulseAudio (or PipeWire/WSLg's), else stop.
    Auto,
    /// A JACK server.
    Jack,
    /// A PulseAudio server (PULSE_SERVER is honoured).
    Pulse,
    /// No device, real-time paced (for tests and headless use).
    Null,
}

/// `chronus play SONG --watch`: a live session (no commands, no journal)
/// that loads the song, follows its arrangement, and takes each saved
/// version of the file as it comes.
fn play_watched(
    args: &PlayArgs,
    song: &chronus::sequencer::Song,
    backend: Box<dyn LiveBackend>,
    control: &LiveControl,
    metrics: &Arc<Metrics>,
    mut tick: impl FnMut(&Arc<Metrics>, &LiveControl),
) -> Result<(), Failure> {
    let name = backend.name();
    let options = chronus::live::live_session::LiveOptions {
        record: args.record.clone(),
        patches: PathBuf::from("."),
        lookahead: None,
        start_bar: None,
    };
    let mut watch = None;
    let mut failed = None;
    let report = chronus::live::live_session::run_live(
        Some(song),
        backend,
        &options,
        control,
        metrics,
        |ctx, session| {
            eprintln!("{}", session.execute("arrange").line());
            let load = |p: &std::path::Path| load_song(p).map_err(|f| f.message);
            match super::watch::watch(&args.song, ctx.inputs.clone(), load) {
                Ok(w) => {
                    eprintln!("watching {} (Ctrl-C to stop)", args.song.display());
                    watch = Some(w);
                }
                Err(e) => {
                    failed = Some(e);
                    control.request_stop();
                }
            }
        },
        move |m, c, _| tick(m, c),
    )
    .map_err(|e| Failure {
        code: EXIT_FAILURE,
        message: e.to_string(),
    })?;
    drop(watch);
    if let Some(message) = failed {
        return Err(Failure {
            code: EXIT_FAILURE,
            message,
        });
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

/// Arguments of `chronus play`.
#[derive(clap::Args)]
pub struct PlayArgs {
    /// The song file (YAML, or a MIDI file).
    song: PathBuf,
    /// Play the arrangement again and again, until Ctrl-C.
    #[arg(long = "loop")]
    looping: bool,
    /// Re-read the song whenever its file changes and apply what changed at
    /// the next bar, the arrangement going on from where it is (a broken
    /// edit is reported and the last good version plays on); loops, until
    /// Ctrl-C.
    #[arg(long)]
    watch: bool,
    /// Also write what is played to this WAV file (32-bit float).
    #[arg(long, value_name = "OUT.wav")]
    record: Option<PathBuf>,
    #[command(flatten)]
    backend: BackendArgs,
}

/// The audio backend options, shared by `play` and `live`.
#[derive(clap::Args)]
pub struct BackendArgs {
    /// Audio backend.
    #[arg(long, value_enum, default_value_t = BackendChoice::Auto)]
    backend: BackendChoice,
    /// Frames per period (null and PulseAudio; JACK uses the server's).
    #[arg(long, value_name = "FRAMES", value_parser = clap::value_parser!(u32).range(16..=8192))]
    period: Option<u32>,
    /// Sample rate in Hz (null and PulseAudio; JACK uses the server's).
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=384_000))]
    rate: u32,
    /// JACK: do not connect the output ports to the system playback ports.
    #[arg(long)]
    no_connect: bool,
    /// JACK client name.
    #[arg(long, default_value = "chronus")]
    client_name: String,
    /// PulseAudio latency target in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=2000))]
    latency: u32,
}

impl BackendArgs {
    /// The JACK client name asked for.
    pub fn client_name(&self) -> &str {
        &self.client_name
    }
}

#[cfg(feature = "jack")]
fn open_jack(args: &BackendArgs) -> Result<Box<dyn LiveBackend>, BackendError> {
    let options = JackOptions {
        client_name: args.client_name.clone(),
        connect: !args.no_connect,
    };
    Ok(Box::new(JackBackend::open(options)?))
}

#[cfg(not(feature = "jack"))]
fn open_jack(_: &BackendArgs) -> Result<Box<dyn LiveBackend>, BackendError> {
    Err(left_out("jack"))
}

#[cfg(feature = "pulse")]
fn open_pulse(args: &BackendArgs) -> Result<Box<dyn LiveBackend>, BackendError> {
    let options = PulseOptions {
        rate: args.rate,
        latency: std::time::Duration::from_millis(u64::from(args.latency.max(1))),
        period: args.period.map(|p| p as usize),
        ..PulseOptions::default()
    };
    Ok(Box::new(PulseBackend::open(options)?))
}

#[cfg(not(feature = "pulse"))]
fn open_pulse(_: &BackendArgs) -> Result<Box<dyn LiveBackend>, BackendError> {
    Err(left_out("pulse"))
}

/// A backend this binary was built without (`cargo build
/// --no-default-features`): unavailable, saying how to get it.
#[cfg(not(all(feature = "jack", feature = "pulse")))]
fn left_out(name: &'static str) -> BackendError {
    BackendError::Unavailable {
        backend: name,
        message: format!(
            "this chronus was built without it (build with `cargo build --release --features {name}`); --backend null plays without a device, and chronus render writes a file"
        ),
    }
}

fn unavailable(e: BackendError) -> Failure {
    Failure {
        code: EXIT_FAILURE,
        message: e.to_string(),
    }
}

/// Open the chosen backend; `auto` tries JACK, then PulseAudio.
pub fn open_backend(args: &BackendArgs) -> Result<Box<dyn LiveBackend>, Failure> {
    match args.backend {
        BackendChoice::Null => {
            let period = args.period.unwrap_or(256) as usize;
            Ok(Box::new(NullBackend::new(args.rate, period)))
        }
        BackendChoice::Jack => open_jack(args).map_err(unavailable),
        BackendChoice::Pulse => open_pulse(args).map_err(unavailable),
        #[cfg(not(any(feature = "jack", feature = "pulse")))]
        BackendChoice::Auto => Err(Failure {
            code: EXIT_FAILURE,
            message: "this chronus was built without JACK and PulseAudio (cargo build --no-default-features): play with --backend null, or write a file with `chronus render SONG -o OUT.wav`".into(),
        }),
        #[cfg(any(feature = "jack", feature = "pulse"))]
        BackendChoice::Auto => match open_jack(args) {
            Ok(b) => Ok(b),
            Err(BackendError::Unavailable { .. }) => match open_pulse(args) {
                Ok(b) => Ok(b),
                Err(BackendError::Unavailable { .. }) => Err(Failure {
                    code: EXIT_FAILURE,
                    message: "no audio server answered: start JACK (`jackd -d alsa`) or \
                              PulseAudio (`pulseaudio --start`; under WSL set \
                              PULSE_SERVER=unix:/mnt/wslg/PulseServer), or write a file \
                              with `chronus render SONG -o OUT.wav`"
                        .into(),
                }),
                Err(e) => Err(unavailable(e)),
            },
            Err(e) => Err(unavailable(e)),
        },
    }
}

/// One line of the metrics, as printed on exit and on SIGUSR1 (the same
/// fields: the backend's, then the engine's counters).
pub fn metrics_line(m: &MetricsReport, engine: &chronus::engine::EngineStats) -> String {
    let budget = m.budget().as_secs_f64() * 1e3;
    let pct = |d: std::time::Duration| {
        if budget > 0.0 {
            100.0 * d.as_secs_f64() * 1e3 / budget
        } else {
            0.0
        }
    };
    let mut line = format!(
        "frames {} ({:.1} s), xruns {}, callback mean {:.3} ms ({:.1}%), p99 {:.3} ms ({:.1}%), max {:.3} ms ({:.1}%) of a {:.3} ms period, output latency {} frames ({:.1} ms)",
        m.frames,
        m.frames as f64 / m.rate.max(1) as f64,
        m.xruns,
        m.mean.as_secs_f64() * 1e3,
        pct(m.mean),
        m.p99.as_secs_f64() * 1e3,
        pct(m.p99),
        m.max.as_secs_f64() * 1e3,
        pct(m.max),
        budget,
        m.latency_frames,
        m.latency_frames as f64 * 1e3 / m.rate.max(1) as f64,
    );
    line.push_str(&format!(
        ", late events {}, events {}",
        engine.late_events, engine.events
    ));
    line
}

/// Lock the process's memory (current and future) into RAM, as live audio
/// programs do: otherwise the first write to a fresh page of a delay line
/// page-faults inside the audio callback. Only as root or with an unlimited
/// memlock limit (an audio group's limits): under a finite limit, locking
/// future mappings would make later allocations fail. Otherwise playback
/// goes on, with one warning.
pub fn lock_memory() {
    #[cfg(target_os = "linux")]
    {
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes into the struct we pass, nothing else.
        let rc = unsafe { libc::getrlimit(libc::RLIMIT_MEMLOCK, &mut limit) };
        // SAFETY: geteuid has no preconditions. Root (CAP_IPC_LOCK) is not
        // bound by the limit.
        let root = unsafe { libc::geteuid() } == 0;
        if !root && (rc != 0 || limit.rlim_cur != libc::RLIM_INFINITY) {
            eprintln!(
                "warning: memory not locked (memlock limit {} bytes): the first pass through delay lines may page-fault in the audio thread",
                limit.rlim_cur
            );
            return;
        }
        // SAFETY: mlockall takes flags only and touches no Rust-managed state.
        let rc = unsafe { libc::mlockall(libc::MCL_CURRENT | libc::MCL_FUTURE) };
        if rc != 0 {
            eprintln!(
                "warning: cannot lock memory ({}): the first pass through delay lines may page-fault in the audio thread",
                std::io::Error::last_os_error()
            );
        }
    }
}

/// Refuse a `--record` path that cannot be written.
pub fn check_record_path(path: Option<&std::path::Path>) -> Result<(), Failure> {
    if let Some(path) = path {
        let folder = path.parent().filter(|p| !p.as_os_str().is_empty());
        if path.is_dir() || folder.is_some_and(|f| !f.is_dir()) {
            return Err(Failure::input(format!(
                "{}: cannot record there: expected a file name in an existing folder",
                path.display()
            )));
        }
    }
    Ok(())
}

/// Flags raised by Ctrl-C and by SIGUSR1 (print the metrics).
pub fn install_signals() -> Result<(Arc<AtomicBool>, Arc<AtomicBool>), Failure> {
    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    ctrlc::set_handler(move || flag.store(true, Ordering::Release)).map_err(|e| Failure {
        code: EXIT_FAILURE,
        message: format!("cannot install the Ctrl-C handler: {e}"),
    })?;
    let usr1 = Arc::new(AtomicBool::new(false));
    #[cfg(unix)]
    signal_hook::flag::register(signal_hook::consts::SIGUSR1, Arc::clone(&usr1)).map_err(|e| {
        Failure {
            code: EXIT_FAILURE,
            message: format!("cannot install the SIGUSR1 handler: {e}"),
        }
    })?;
    Ok((interrupted, usr1))
}

/// What runs about every 20 ms while playing: Ctrl-C asks for the fade
/// out, SIGUSR1 prints the metrics.
pub fn ticker(
    interrupted: Arc<AtomicBool>,
    usr1: Arc<AtomicBool>,
    name: &'static str,
) -> impl FnMut(&Arc<Metrics>, &LiveControl) {
    move |m, c| {
        if interrupted.swap(false, Ordering::AcqRel) {
            c.request_stop();
        }
        if usr1.swap(false, Ordering::AcqRel) {
            eprintln!("{name}: {}", metrics_line(&m.report(), &c.stats()));
        }
    }
}

/// Play the song.
pub fn run(args: &PlayArgs) -> Result<(), Failure> {
    let song = load_song(&args.song)?;
    check_record_path(args.record.as_deref())?;
    let backend = open_backend(&args.backend)?;
    lock_memory();
    let name = backend.name();
    let control = LiveControl::default();
    let metrics = Arc::new(Metrics::new());
    let (interrupted, usr1) = install_signals()?;
    eprintln!(
        "playing {} through {name} at {} Hz, {} frames per period{}",
        args.song.display(),
        backend.rate(),
        backend.period(),
        if args.looping { ", looping" } else { "" }
    );
    if args.watch {
        return play_watched(
            args,
            &song,
            backend,
            &control,
            &metrics,
            ticker(interrupted, usr1, name),
        );
    }
    let options = PlayOptions {
        looping: args.looping,
        record: args.record.clone(),
        lookahead: None,
    };
    let report = play(
        &song,
        backend,
        &options,
        &control,
        &metrics,
        ticker(interrupted, usr1, name),
    )
    .map_err(|e| Failure {
        code: EXIT_FAILURE,
        message: e.to_string(),
    })?;
    eprintln!("{name}: {}", metrics_line(&report.metrics, &report.engine));
    if let (Some(path), Some(frames)) = (&args.record, report.recorded_frames) {
        eprintln!(
            "recorded {} frames to {}{}",
            frames,
            path.display(),
            if report.record_dropped > 0 {
                format!(" ({} samples dropped)", report.record_dropped)
            } else {
                String::new()
            }
        );
    }
    Ok(())
}
