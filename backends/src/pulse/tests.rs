use super::*;
use std::ffi::OsString;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// The environment is process-wide: PulseAudio tests run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const RATE: u32 = 48_000;
const SINK: &str = "chronus_null";
const RECORDER: &str = "chronus-test-recorder";

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

/// Sets environment variables, putting the old values back on drop.
#[derive(Default)]
struct Env(Vec<(&'static str, Option<OsString>)>);

impl Env {
    fn set(&mut self, key: &'static str, value: impl Into<OsString>) {
        if !self.0.iter().any(|(k, _)| *k == key) {
            self.0.push((key, std::env::var_os(key)));
        }
        std::env::set_var(key, value.into());
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        for (key, value) in self.0.drain(..).rev() {
            match value {
                Some(v) => std::env::set_var(key, v),
                None => std::env::remove_var(key),
            }
        }
    }
}

fn temp_dir(tag: &str) -> PathBuf {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    // Unix socket paths must stay short: always under /tmp.
    let dir = PathBuf::from(format!(
        "/tmp/chronus-{tag}.{}.{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pactl(args: &[&str]) -> Option<String> {
    let out = Command::new("pactl")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// TERM, wait up to 3 s, then KILL.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    for _ in 0..30 {
        if matches!(child.try_wait(), Ok(Some(_))) {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// A PulseAudio server with a `chronus_null` sink: the one
/// scripts/servers.sh started (PULSE_SERVER set and the sink there), or
/// a private one started here and stopped on drop.
struct Server {
    child: Option<Child>,
    dir: Option<PathBuf>,
    _env: Env,
}

impl Server {
    fn start() -> Server {
        let mut env = Env::default();
        if std::env::var_os("PULSE_SERVER").is_some()
            && pactl(&["list", "short", "sinks"]).is_some_and(|s| s.contains(SINK))
        {
            return Server {
                child: None,
                dir: None,
                _env: env,
            };
        }
        let dir = temp_dir("pulse-test");
        let pulse = dir.join("pulse");
        let home = dir.join("home");
        std::fs::create_dir_all(&pulse).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let conf = pulse.join("daemon.conf");
        std::fs::write(
            &conf,
            "daemonize = no\nexit-idle-time = -1\nrealtime-scheduling = no\n\
             high-priority = no\ndefault-sample-format = s16le\n\
             default-sample-rate = 48000\nalternate-sample-rate = 48000\n\
             default-sample-channels = 2\navoid-resampling = yes\n",
        )
        .unwrap();
        let client_conf = pulse.join("client.conf");
        std::fs::write(&client_conf, "autospawn = no\n").unwrap();
        let sock = pulse.join("native");
        let cookie = pulse.join("cookie");
        let nobus = format!("unix:path={}/no-dbus", dir.display());
        let log = std::fs::File::create(dir.join("pulse.log")).unwrap();
        let child = Command::new("pulseaudio")
            .args([
                "-n",
                "--system=no",
                "--daemonize=no",
                "--use-pid-file=no",
                "--exit-idle-time=-1",
                "--realtime=no",
                "--high-priority=no",
                "--disable-shm=yes",
                "--log-target=stderr",
                "-L",
                "module-null-sink sink_name=chronus_null format=float32le rate=48000 channels=2",
                "-L",
                &format!(
                    "module-native-protocol-unix socket={} auth-anonymous=1 cookie={}",
                    sock.display(),
                    cookie.display()
                ),
            ])
            .env_remove("DISPLAY")
            .env("HOME", &home)
            .env("XDG_CONFIG_HOME", home.join(".config"))
            .env("XDG_RUNTIME_DIR", &dir)
            .env("PULSE_CONFIG", &conf)
            .env("PULSE_RUNTIME_PATH", &pulse)
            .env("PULSE_STATE_PATH", &pulse)
            .env("PULSE_COOKIE", &cookie)
            .env("DBUS_SESSION_BUS_ADDRESS", &nobus)
            .env("DBUS_SYSTEM_BUS_ADDRESS", &nobus)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("pulseaudio must be installed (scripts/servers.sh servers_install)");
        env.set("PULSE_SERVER", format!("unix:{}", sock.display()));
        env.set("PULSE_COOKIE", &cookie);
        env.set("PULSE_CLIENTCONFIG", &client_conf);
        env.set("PULSE_SINK", SINK);
        let mut server = Server {
            child: Some(child),
            dir: Some(dir.clone()),
            _env: env,
        };
        let start = Instant::now();
        while pactl(&["info"]).is_none() {
            let exited = server
                .child
                .as_mut()
                .is_some_and(|c| matches!(c.try_wait(), Ok(Some(_))));
            if exited || start.elapsed() > Duration::from_secs(10) {
                let log = std::fs::read_to_string(dir.join("pulse.log")).unwrap_or_default();
                panic!("private PulseAudio did not start:\n{log}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(pactl(&["set-default-sink", SINK]).is_some());
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            stop(child);
        }
        if let Some(dir) = self.dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// Records the null sink's monitor (stereo float32 at 48 kHz) with parec.
struct Recorder {
    child: Child,
    reader: std::thread::JoinHandle<Vec<u8>>,
}

impl Recorder {
    fn start() -> Recorder {
        let mut child = Command::new("parec")
            .args([
                "-d",
                "chronus_null.monitor",
                "--rate=48000",
                "--format=float32le",
                "--channels=2",
                "--raw",
                "--latency-msec=10",
                &format!("--client-name={RECORDER}"),
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .expect("parec must be installed");
        let mut out = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            let mut data = Vec::new();
            let _ = out.read_to_end(&mut data);
            data
        });
        // Wait for the recording stream, then restart the sink's clock at
        // its short block size (see scripts/servers.sh).
        let start = Instant::now();
        while !pactl(&["list", "source-outputs"]).is_some_and(|s| s.contains(RECORDER)) {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "parec did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = pactl(&["suspend-sink", SINK, "1"]);
        let _ = pactl(&["suspend-sink", SINK, "0"]);
        Recorder { child, reader }
    }

    /// Stop and return the left channel.
    fn finish(mut self) -> Vec<f32> {
        stop(&mut self.child);
        let data = self.reader.join().unwrap();
        data.chunks_exact(8)
            .map(|f| f32::from_le_bytes([f[0], f[1], f[2], f[3]]))
            .collect()
    }
}

/// A sine on both channels for a fixed number of frames.
struct Sine {
    freq: f64,
    amp: f32,
    phase: f64,
    left: u64,
}

impl Sine {
    fn new(freq: f64, amp: f32, frames: u64) -> Sine {
        Sine {
            freq,
            amp,
            phase: 0.0,
            left: frames,
        }
    }
}

impl AudioSource for Sine {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
        let step = self.freq / f64::from(RATE);
        for (l, r) in left.iter_mut().zip(right.iter_mut()) {
            let v = self.amp * (std::f64::consts::TAU * self.phase).sin() as f32;
            self.phase = (self.phase + step).fract();
            *l = v;
            *r = v;
        }
        let n = left.len() as u64;
        if self.left <= n {
            let frames = self.left as usize;
            self.left = 0;
            Flow::Finished { frames }
        } else {
            self.left -= n;
            Flow::Continue
        }
    }
}

fn test_options() -> PulseOptions {
    PulseOptions {
        sink: Some(SINK.to_string()),
        stream_name: "chronus test".to_string(),
        ..PulseOptions::default()
    }
}

#[test]
fn open_reports_the_rate() {
    let _serial = serial();
    let _server = Server::start();
    let backend = PulseBackend::open(test_options()).unwrap();
    assert_eq!(backend.name(), "pulse");
    assert_eq!(backend.rate(), 48_000);
    assert_eq!(backend.period(), 240, "a quarter of 20 ms at 48 kHz");
    let backend = PulseBackend::open(PulseOptions {
        rate: 44_100,
        period: Some(128),
        ..test_options()
    })
    .unwrap();
    assert_eq!(backend.rate(), 44_100);
    assert_eq!(backend.period(), 128);
    assert!(matches!(
        PulseBackend::open(PulseOptions {
            rate: 0,
            ..test_options()
        }),
        Err(BackendError::Failed { .. })
    ));
}

#[test]
fn no_server_is_unavailable() {
    let _serial = serial();
    let dir = temp_dir("pulse-none");
    let mut env = Env::default();
    env.set(
        "PULSE_SERVER",
        format!("unix:{}/no-such-socket", dir.display()),
    );
    env.set("PULSE_COOKIE", dir.join("cookie"));
    env.set("PULSE_CLIENTCONFIG", dir.join("client.conf"));
    let err = PulseBackend::open(PulseOptions::default()).unwrap_err();
    drop(env);
    let _ = std::fs::remove_dir_all(&dir);
    match &err {
        BackendError::Unavailable { backend, message } => {
            assert_eq!(*backend, "pulse");
            assert!(!message.contains('\n'), "{message}");
            assert!(message.contains("no-such-socket"), "{message}");
            assert!(message.contains("unix:/mnt/wslg/PulseServer"), "{message}");
            assert!(message.contains("--backend jack"), "{message}");
        }
        other => panic!("expected Unavailable, got {other:?}"),
    }
}

/// Frequency from interpolated upward zero crossings.
fn pitch(x: &[f32]) -> f64 {
    let mut first = None;
    let mut last = 0.0;
    let mut count = 0u32;
    for i in 1..x.len() {
        let (a, b) = (f64::from(x[i - 1]), f64::from(x[i]));
        if a < 0.0 && b >= 0.0 {
            let t = (i - 1) as f64 + a / (a - b);
            first.get_or_insert(t);
            last = t;
            count += 1;
        }
    }
    let first = first.expect("no zero crossing");
    f64::from(count - 1) * f64::from(RATE) / (last - first)
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len() as f64).sqrt()
}

#[test]
fn plays_a_sine_in_real_time() {
    let _serial = serial();
    let _server = Server::start();
    let backend = Box::new(PulseBackend::open(test_options()).unwrap());
    let recorder = Recorder::start();
    let metrics = Arc::new(Metrics::new());
    let amp = 0.5f32;
    let start = Instant::now();
    let report = backend
        .play(
            Box::new(Sine::new(440.0, amp, 2 * 48_000)),
            Arc::clone(&metrics),
        )
        .unwrap();
    let took = start.elapsed();
    std::thread::sleep(Duration::from_millis(300));
    let x = recorder.finish();

    let m = metrics.report();
    eprintln!("pulse: played 2 s in {took:?}; {m:?}");
    assert_eq!(report.frames, 96_000);
    assert_eq!(m.frames, 96_000);
    assert!(m.callbacks >= 96_000 / 240, "{m:?}");
    assert!(m.latency_frames > 0, "{m:?}");
    assert_eq!(m.rate, 48_000);
    assert_eq!(m.period_frames, 240);
    assert!(took >= Duration::from_millis(1900), "{took:?}");

    // The tone in the recording: from its first to its last loud sample.
    let onset = x
        .iter()
        .position(|v| v.abs() > 0.1)
        .expect("no tone recorded");
    let end = x.iter().rposition(|v| v.abs() > 0.1).unwrap();
    let len = end - onset;
    eprintln!(
        "recorded {} frames, tone {len} frames from {onset}",
        x.len()
    );
    assert!(len >= 72_000, "only {len} frames of tone recorded");
    let mid = (onset + end) / 2;
    let stretch = &x[mid - 12_000..mid + 12_000];
    let f = pitch(stretch);
    let cents = 1200.0 * (f / 440.0).log2();
    let db = 20.0 * (rms(stretch) / (f64::from(amp) / 2f64.sqrt())).log10();
    eprintln!("pitch {f:.4} Hz ({cents:+.4} cents), level {db:+.4} dB");
    assert!(cents.abs() < 1.0, "pitch {f} Hz is {cents} cents off");
    assert!(db.abs() < 0.5, "level {db} dB off");

    // Continuity: no quiet run over 1 ms and no jump a 440 Hz sine
    // cannot make, from 10 ms after the onset to 10 ms before the end.
    let body = &x[onset + 480..end - 480];
    let max_step = f64::from(amp) * std::f64::consts::TAU * 440.0 / f64::from(RATE);
    let (mut run, mut longest, mut jumps) = (0usize, 0usize, 0usize);
    for (i, v) in body.iter().enumerate() {
        run = if v.abs() < 0.01 { run + 1 } else { 0 };
        longest = longest.max(run);
        if i > 0 && f64::from((v - body[i - 1]).abs()) > 1.5 * max_step {
            jumps += 1;
        }
    }
    assert!(
        longest <= 48,
        "a quiet run of {longest} frames inside the tone"
    );
    assert_eq!(jumps, 0, "{jumps} discontinuities inside the tone");
}

/// Measurement, not a check: `cargo test -p chronus-backends --lib
/// pulse::tests::measure -- --ignored --nocapture`.
#[test]
#[ignore]
fn measure_ten_seconds() {
    let _serial = serial();
    let _server = Server::start();
    for ms in [20, 5] {
        let backend = Box::new(
            PulseBackend::open(PulseOptions {
                latency: Duration::from_millis(ms),
                ..test_options()
            })
            .unwrap(),
        );
        let metrics = Arc::new(Metrics::new());
        backend
            .play(
                Box::new(Sine::new(440.0, 0.5, 10 * 48_000)),
                Arc::clone(&metrics),
            )
            .unwrap();
        let m = metrics.report();
        eprintln!(
            "latency target {ms} ms: period {} frames, {} callbacks, mean {:?}, p99 {:?}, \
             max {:?}, xruns {}, reported latency {} frames ({:.1} ms)",
            m.period_frames,
            m.callbacks,
            m.mean,
            m.p99,
            m.max,
            m.xruns,
            m.latency_frames,
            m.latency_frames as f64 / 48.0
        );
    }
}
