//! Tests against real JACK servers: each test starts its own private jackd
//! (dummy driver, 48 kHz, no realtime, period 256 or
//! `CHRONUS_JACK_TEST_PERIOD`) under a name unique to this test process, and
//! stops it at the end; they are skipped when jackd is not installed.

use super::*;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64};
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

use chronus_dsp::measure::zero_crossing_freq as frequency;

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
    eprintln!("jack rate change 48000 -> 44100 Hz: sine measured at {f:.3} Hz ({cents:+.4} cents)");
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
