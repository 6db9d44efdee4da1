//! The real `chronus` binary as a child process: its stdout read line by
//! line with timeouts, its stderr collected, and killed (and reaped) on drop,
//! so a failing test never leaves a session running.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::UdpSocket;
use std::path::Path;
use std::process::{ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a reply may take before a test gives up (generous: the machine
/// may be busy compiling).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// The binary under test.
pub fn chronus() -> &'static str {
    env!("CARGO_BIN_EXE_chronus")
}

/// A UDP port on 127.0.0.1 that was free a moment ago (bound to port 0, read
/// back, released).
pub fn free_udp_port() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind an ephemeral UDP port");
    socket.local_addr().expect("local address").port()
}

/// Collect everything `from` produces into `into`, one line at a time.
fn collect_lines(from: impl Read + Send + 'static, into: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(from).lines() {
            let Ok(line) = line else { break };
            into.lock().expect("stderr lines").push(line);
        }
    });
}

/// A running `chronus` process.
pub struct Child {
    child: std::process::Child,
    stdin: Option<ChildStdin>,
    stdout: Receiver<String>,
    stderr: Arc<Mutex<Vec<String>>>,
    /// Every stdin line sent and stdout line read, for failure messages.
    log: Vec<String>,
}

impl Child {
    /// Start `chronus ARGS` in `dir` with stdin, stdout and stderr piped.
    pub fn spawn(dir: &Path, args: &[&str]) -> Child {
        Self::start(dir, args, true)
    }

    /// Start `chronus ARGS` in `dir` with stdin closed (for `--headless`).
    pub fn spawn_without_stdin(dir: &Path, args: &[&str]) -> Child {
        Self::start(dir, args, false)
    }

    fn start(dir: &Path, args: &[&str], stdin: bool) -> Child {
        let mut child = Command::new(chronus())
            .args(args)
            .current_dir(dir)
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start chronus");
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(Vec::new()));
        collect_lines(child.stderr.take().expect("stderr"), Arc::clone(&stderr));
        Child {
            stdin: child.stdin.take(),
            child,
            stdout: rx,
            stderr,
            log: Vec::new(),
        }
    }

    /// What was sent and read so far, and stderr: for failure messages.
    pub fn transcript(&self) -> String {
        format!(
            "--- session\n{}\n--- stderr\n{}",
            self.log.join("\n"),
            self.stderr_lines().join("\n")
        )
    }

    /// Write one line to stdin.
    pub fn send(&mut self, line: &str) {
        self.log.push(format!("> {line}"));
        let stdin = self.stdin.as_mut().expect("stdin is open");
        writeln!(stdin, "{line}").expect("write to chronus");
        stdin.flush().expect("flush to chronus");
    }

    /// The next stdout line, waiting at most `timeout`; panics (and so kills
    /// the child) when none comes.
    pub fn line_within(&mut self, timeout: Duration) -> String {
        match self.stdout.recv_timeout(timeout) {
            Ok(line) => {
                self.log.push(format!("< {line}"));
                line
            }
            Err(RecvTimeoutError::Timeout) => {
                panic!("no reply within {timeout:?}\n{}", self.transcript())
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("chronus closed its stdout\n{}", self.transcript())
            }
        }
    }

    /// Send one line and return its one reply line.
    pub fn ask(&mut self, line: &str) -> String {
        self.send(line);
        self.line_within(REPLY_TIMEOUT)
    }

    /// Send one line and return its reply, which must start with `ok`.
    pub fn ok(&mut self, line: &str) -> String {
        let reply = self.ask(line);
        assert!(
            reply == "ok" || reply.starts_with("ok "),
            "expected ok for {line:?}, got {reply:?}\n{}",
            self.transcript()
        );
        reply
    }

    /// Send one line and return its reply, which must start with `error: `.
    pub fn error(&mut self, line: &str) -> String {
        let reply = self.ask(line);
        assert!(
            reply.starts_with("error: "),
            "expected an error for {line:?}, got {reply:?}\n{}",
            self.transcript()
        );
        reply
    }

    /// Close stdin (end of input).
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Wait for the process to exit, at most `timeout`; panics (killing it)
    /// when it does not.
    pub fn wait_within(&mut self, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for chronus") {
                // Let the reader threads take the last lines.
                std::thread::sleep(Duration::from_millis(50));
                return status;
            }
            if Instant::now() >= deadline {
                panic!(
                    "chronus did not exit within {timeout:?}\n{}",
                    self.transcript()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The stderr lines so far.
    pub fn stderr_lines(&self) -> Vec<String> {
        self.stderr.lock().expect("stderr lines").clone()
    }

    /// The first stderr line containing `needle`, waiting at most `timeout`.
    pub fn stderr_line(&self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(l) = self.stderr_lines().into_iter().find(|l| l.contains(needle)) {
                return l;
            }
            if Instant::now() >= deadline {
                panic!(
                    "no stderr line with {needle:?} within {timeout:?}\n{}",
                    self.transcript()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Kill the process at once (SIGKILL: no handler runs, nothing is
    /// flushed), as a crash would, and wait for it.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

impl Child {
    /// Ask `status` until the audio clock has passed `frame`, for at most
    /// `timeout`.
    pub fn wait_for_frame(&mut self, frame: u64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let now = status_frame(&self.ok("status")).expect("status has a frame");
            if now >= frame {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the session never reached frame {frame}\n{}",
                self.transcript()
            );
            let left = Duration::from_secs_f64((frame - now) as f64 / 48_000.0);
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
    }
}

/// The `(bar, frame)` a reply announces: `from bar N (frame F)`.
pub fn from_bar(reply: &str) -> Option<(u64, u64)> {
    let rest = &reply[reply.rfind("from bar ")? + "from bar ".len()..];
    let (bar, rest) = rest.split_once(" (frame ")?;
    let frame = rest.split_once(')')?.0;
    Some((bar.parse().ok()?, frame.parse().ok()?))
}

/// The frame an immediate reply announces: `at frame F`.
pub fn at_frame(reply: &str) -> Option<u64> {
    let rest = &reply[reply.rfind("at frame ")? + "at frame ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The audio clock's frame in a `status` reply (`frame F (T s)`).
pub fn status_frame(status: &str) -> Option<u64> {
    let rest = &status[status.find(", frame ")? + ", frame ".len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The session's state in a `status` reply, without what changes by itself
/// (position, frame, counters): tempo, meter, swing, quantize and every
/// instrument with its pattern.
pub fn status_state(status: &str) -> String {
    let parts: Vec<&str> = status.split("; ").collect();
    assert!(parts.len() >= 3, "not a status reply: {status:?}");
    let head: Vec<&str> = parts[0]
        .split(", ")
        .filter(|f| !f.starts_with("frame ") && !f.starts_with("ok status: bar "))
        .collect();
    format!("{}; {}", head.join(", "), parts[1])
}

/// The `lines ok N, failed M` counters of a `status` reply.
pub fn status_lines(status: &str) -> (u64, u64) {
    let rest = &status[status.find("lines ok ").expect("lines ok") + "lines ok ".len()..];
    let (ok, rest) = rest.split_once(", failed ").expect("failed");
    let failed: String = rest.chars().take_while(char::is_ascii_digit).collect();
    (
        ok.parse().expect("ok count"),
        failed.parse().expect("failed count"),
    )
}

/// The counters of the `osc: N packets, N messages, ...` stderr line, by
/// name (`packets`, `messages`, `malformed`, `unknown addresses`, `bad
/// arguments`).
pub fn osc_counters(line: &str) -> Vec<(String, u64)> {
    let rest = line.strip_prefix("osc: ").expect("an osc: line");
    rest.split(", ")
        .map(|part| {
            let (n, name) = part.split_once(' ').expect("N name");
            (name.to_string(), n.parse().expect("a count"))
        })
        .collect()
}
