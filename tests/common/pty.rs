//! A real pseudo-terminal for driving the REPL as a person (or tmux) would:
//! the child gets the slave side as its stdin, stdout and stderr; the test
//! types on the master side and reads everything the terminal would show.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A child process on a pty, killed (and reaped) on drop.
pub struct PtyChild {
    child: std::process::Child,
    master: File,
    screen: Arc<Mutex<Vec<u8>>>,
    /// How much of `screen` earlier waits have consumed, in bytes.
    seen: usize,
}

/// Open a pty pair with an 80x24 window: (master, slave).
fn open_pty() -> (OwnedFd, OwnedFd) {
    let mut master: libc::c_int = -1;
    let mut slave: libc::c_int = -1;
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 80,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two file descriptors into the two live c_ints;
    // the name buffer may be null, the termios pointer is null (defaults) and
    // the winsize pointer points to a live winsize that openpty only reads.
    let rc = unsafe {
        libc::openpty(
            &raw mut master,
            &raw mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &raw const size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    for fd in [master, slave] {
        // SAFETY: `fd` is open (just returned by openpty); F_SETFD only sets
        // its close-on-exec flag, so that children other tests start at the
        // same time do not inherit it (which would keep the pty open).
        let rc = unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) };
        assert_eq!(rc, 0, "fcntl: {}", std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors were just opened by openpty and are owned by
    // nothing else; each OwnedFd closes its own exactly once.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Replace terminal escape sequences (CSI `ESC [ ... final`, and other
/// two-byte `ESC x` sequences) by nothing and carriage returns by nothing,
/// so that what the terminal shows can be searched as text.
pub fn plain(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                if chars.next() == Some('[') {
                    for c in chars.by_ref() {
                        if ('@'..='~').contains(&c) {
                            break;
                        }
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

impl PtyChild {
    /// Start `program ARGS` in `dir` on a fresh pty.
    pub fn spawn(program: &str, args: &[&str], dir: &std::path::Path) -> PtyChild {
        let (master, slave) = open_pty();
        let out = slave.try_clone().expect("dup the pty slave");
        let err = slave.try_clone().expect("dup the pty slave");
        let child = Command::new(program)
            .args(args)
            .current_dir(dir)
            .env("TERM", "xterm")
            .stdin(Stdio::from(slave))
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("start the program on the pty");
        // The Command (and with it our copies of the slave) is gone: once
        // the child exits, reading the master ends (EIO on Linux).
        let master = File::from(master);
        let mut reader = master.try_clone().expect("dup the pty master");
        let mut answer = master.try_clone().expect("dup the pty master");
        let screen = Arc::new(Mutex::new(Vec::new()));
        let into = Arc::clone(&screen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match reader.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        // Answer a cursor-position query as a terminal
                        // would (top-left), so line editing never waits.
                        if buf[..n].windows(4).any(|w| w == b"\x1b[6n") {
                            let _ = answer.write_all(b"\x1b[1;1R");
                        }
                        into.lock()
                            .expect("pty screen")
                            .extend_from_slice(&buf[..n]);
                    }
                }
            }
        });
        PtyChild {
            child,
            master,
            screen,
            seen: 0,
        }
    }

    /// Everything shown so far, as plain text.
    pub fn screen(&self) -> String {
        plain(&self.screen.lock().expect("pty screen"))
    }

    /// Wait until `needle` is written to the terminal after everything
    /// earlier waits found; return what was shown up to and including it
    /// (as plain text). Panics after `timeout`.
    ///
    /// The needle is searched in the raw bytes, so it must be written in
    /// one piece (a reply line, the prompt), not split by escape sequences.
    pub fn expect(&mut self, needle: &str, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        let want = needle.as_bytes();
        loop {
            {
                let raw = self.screen.lock().expect("pty screen");
                let new = &raw[self.seen.min(raw.len())..];
                if let Some(at) = new.windows(want.len()).position(|w| w == want) {
                    let end = at + want.len();
                    let text = plain(&new[..end]);
                    self.seen += end;
                    return text;
                }
            }
            if Instant::now() >= deadline {
                panic!(
                    "{needle:?} did not appear within {timeout:?}; the terminal shows:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Type bytes on the keyboard.
    pub fn type_bytes(&mut self, bytes: &[u8]) {
        self.master.write_all(bytes).expect("write to the pty");
        self.master.flush().expect("flush the pty");
    }

    /// Type a line and press Enter.
    pub fn type_line(&mut self, line: &str) {
        self.type_bytes(line.as_bytes());
        self.type_bytes(b"\r");
    }

    /// Wait for the process to exit, at most `timeout`; panics (killing it)
    /// when it does not.
    pub fn wait_within(&mut self, timeout: Duration) -> std::process::ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the child") {
                return status;
            }
            if Instant::now() >= deadline {
                panic!(
                    "the program did not exit within {timeout:?}; the terminal shows:\n{}",
                    self.screen()
                );
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for PtyChild {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}
