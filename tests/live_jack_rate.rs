//! A JACK server that comes back at another sample rate: `chronus live`
//! rebuilds its engine and every instrument for it, so pitch and tempo stay
//! right. Uses its own private jackd (dummy driver), which it crashes and
//! restarts at 44.1 kHz; what chronus plays is recorded by a JACK client.

mod common;

use jack::{Client, ClientOptions, Control, ProcessScope};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn jackd_installed() -> bool {
    let ok = Command::new("jackd")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok();
    if !ok {
        let required = std::env::var("CHRONUS_REQUIRE_SERVERS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "jackd is not installed but CHRONUS_REQUIRE_SERVERS=1"
        );
        eprintln!("jackd not installed: skipped");
    }
    ok
}

struct Jackd {
    name: String,
    child: Option<Child>,
    /// Where its output goes (shown when the test fails).
    log: std::path::PathBuf,
}

impl Jackd {
    fn start(name: &str, rate: u32) -> Jackd {
        let nobus = "unix:path=/nonexistent/chronus-no-dbus";
        let log = std::env::temp_dir().join(format!("{name}-{rate}.log"));
        let file = std::fs::File::create(&log).expect("jackd's log");
        let child = Command::new("jackd")
            .args([
                "--no-realtime",
                "-n",
                name,
                "-d",
                "dummy",
                "-r",
                &rate.to_string(),
                "-p",
                "256",
            ])
            .env("JACK_NO_AUDIO_RESERVATION", "1")
            .env("DBUS_SESSION_BUS_ADDRESS", nobus)
            .env("DBUS_SYSTEM_BUS_ADDRESS", nobus)
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("jackd's log"))
            .stderr(file)
            .spawn()
            .expect("spawn jackd");
        let j = Jackd {
            name: name.to_string(),
            child: Some(child),
            log,
        };
        let start = Instant::now();
        loop {
            if let Ok((c, _)) = Client::new("probe", ClientOptions::NO_START_SERVER) {
                if c.sample_rate() == rate {
                    return j;
                }
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "jackd did not come up"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL (a crash) and clean its shared-memory files.
    fn crash(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
        let tag = format!("_{}_", self.name);
        if let Ok(dir) = std::fs::read_dir("/dev/shm") {
            for e in dir.flatten() {
                let f = e.file_name().to_string_lossy().into_owned();
                if f.starts_with("jack") && f.contains(&tag) {
                    let _ = std::fs::remove_file(e.path());
                }
            }
        }
    }
}

impl Drop for Jackd {
    fn drop(&mut self) {
        if let Some(c) = self.child.as_mut() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let _ = c.wait();
        }
        let _ = std::fs::remove_file(&self.log);
    }
}

/// Record `frames` frames of `port` through a JACK client on the server,
/// or say how far it got in 10 s.
fn record_once(port: &str, frames: usize) -> Result<(Vec<f32>, u32), String> {
    let (client, _) = Client::new("rate-recorder", ClientOptions::NO_START_SERVER)
        .map_err(|e| format!("no recording client: {e}"))?;
    let rate = client.sample_rate();
    let input = client
        .register_port("in", jack::AudioIn::default())
        .map_err(|e| format!("no recording port: {e}"))?;
    let got = Arc::new(Mutex::new(Vec::<f32>::with_capacity(frames + 8192)));
    let sink = Arc::clone(&got);
    // The waiting thread reads this count, never the lock, so that the
    // callback always gets it and no period is lost (a lost period would
    // splice the sine and move its measured pitch).
    let count = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = Arc::clone(&count);
    let active = client
        .activate_async(
            (),
            jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
                if let Ok(mut g) = sink.lock() {
                    if g.len() + ps.n_frames() as usize <= g.capacity() {
                        g.extend_from_slice(input.as_slice(ps));
                        counted.store(g.len(), std::sync::atomic::Ordering::Release);
                    }
                }
                Control::Continue
            }),
        )
        .map_err(|e| format!("the recorder does not activate: {e}"))?;
    let me = format!("{}:in", active.as_client().name());
    active
        .as_client()
        .connect_ports_by_name(port, &me)
        .map_err(|e| format!("cannot connect {port}: {e}"))?;
    let start = Instant::now();
    while count.load(std::sync::atomic::Ordering::Acquire) < frames {
        if start.elapsed() > Duration::from_secs(10) {
            let n = count.load(std::sync::atomic::Ordering::Acquire);
            let _ = active.deactivate();
            return Err(format!("recording stalled at {n} of {frames} frames"));
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = active.deactivate();
    let x = got.lock().map_err(|_| "the recording's lock")?.clone();
    Ok((x, rate))
}

/// [`record_once`], tried again (with a new recording client) when the
/// first stalls: on a loaded machine a client that is not real-time can be
/// left out of the server's cycle. Every failure is printed.
fn record(port: &str, frames: usize) -> Result<(Vec<f32>, u32), String> {
    let mut failures = Vec::new();
    for _ in 0..3 {
        match record_once(port, frames) {
            Ok(x) => return Ok(x),
            Err(e) => {
                eprintln!("record {port}: {e}");
                failures.push(e);
            }
        }
    }
    Err(failures.join("; "))
}

/// The median of the pitch over 0.1 s windows: the held note is struck
/// again at each bar line (a new voice, a new phase), and a window across
/// that seam would read off.
fn pitch(x: &[f32], rate: f64) -> f64 {
    let n = (rate / 10.0) as usize;
    let mut f: Vec<f64> = x
        .chunks_exact(n)
        .map(|w| common::zero_crossing_freq(w, rate))
        .collect();
    f.sort_by(f64::total_cmp);
    f[f.len() / 2]
}

#[test]
fn a_server_back_at_another_rate_gets_an_engine_built_for_it() {
    if !jackd_installed() {
        return;
    }
    let name = format!("chronus-rate-{}", std::process::id());
    // SAFETY: set before any thread of this test binary talks to JACK.
    unsafe {
        std::env::set_var("JACK_DEFAULT_SERVER", &name);
        std::env::set_var("JACK_NO_START_SERVER", "1");
    }
    let mut server = Jackd::start(&name, 48_000);
    // Its patch folder (and journal) in a scratch folder, not the checkout.
    let patches = std::env::temp_dir().join(format!("chronus-jack-rate-{}", std::process::id()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args([
            "live",
            "--backend",
            "jack",
            "--no-connect",
            "--osc-port",
            "0",
            "--client-name",
            "ratetest",
            "--patches",
        ])
        .arg(&patches)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chronus live");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    writeln!(
        stdin,
        "create s synth osc=sine filter=none attack=0 sustain=1 release=0.01; melody s: A4 _ _ _; play s"
    )
    .expect("write");
    let reply = rx.recv_timeout(Duration::from_secs(10)).expect("a reply");
    assert!(
        reply.starts_with("ok") && reply.contains("from bar 2 (frame 96000)"),
        "{reply}"
    );
    // Bar 2 starts 2 s in.
    std::thread::sleep(Duration::from_millis(2300));
    let (x, rate) = record("ratetest:out_L", 24_000).expect("a recording at 48 kHz");
    let first = x.iter().position(|s| s.abs() > 0.05).unwrap_or(0);
    let f48 = pitch(&x[first..], f64::from(rate));
    server.crash();
    std::thread::sleep(Duration::from_millis(300));
    let server2 = Jackd::start(&name, 44_100);
    // Reconnection polls every few hundred ms; then the session rebuilds.
    std::thread::sleep(Duration::from_millis(2500));
    let (y, rate2) = match record("ratetest:out_L", 22_050) {
        Ok(y) => y,
        Err(e) => {
            let _ = child.kill();
            let out = child.wait_with_output().expect("wait");
            panic!(
                "no recording after the restart: {e}\nchronus said:\n{}\njackd said:\n{}",
                String::from_utf8_lossy(&out.stderr),
                std::fs::read_to_string(&server2.log).unwrap_or_default()
            );
        }
    };
    let first = y.iter().position(|s| s.abs() > 0.05).unwrap_or(y.len());
    assert!(first < y.len(), "silent after the restart");
    let f44 = pitch(&y[first..], f64::from(rate2));
    let _ = writeln!(stdin, "quit");
    drop(stdin);
    let out = child.wait_with_output().expect("wait");
    let replies: Vec<String> = rx.try_iter().collect();
    assert!(
        replies.iter().any(|r| r.starts_with("ok quit")),
        "{replies:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let c48 = common::cents(f48, 440.0);
    let c44 = common::cents(f44, 440.0);
    eprintln!(
        "rate change: {rate} Hz: {f48:.4} Hz ({c48:+.4} c); {rate2} Hz: {f44:.4} Hz ({c44:+.4} c)"
    );
    assert_eq!((rate, rate2), (48_000, 44_100));
    assert!(c48.abs() < 0.1, "{f48} Hz at 48 kHz");
    assert!(
        c44.abs() < 0.1,
        "{f44} Hz at 44.1 kHz: the engine was not rebuilt\n{err}"
    );
    assert!(err.contains("rebuilt for 44100 Hz"), "{err}");
    assert!(out.status.success(), "{err}");
}
