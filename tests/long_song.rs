//! A long song renders in bounded memory: twenty minutes and ten million
//! notes (before the schedule was streamed bar by bar, such a song peaked
//! at 314 MB, and `x*1024` repeated 100000 times aborted allocating 4 GB).
//!
//! The real binary renders it under an address-space limit (so a
//! regression fails here rather than swapping the machine), and its peak
//! resident memory, as the kernel counted it, is asserted.

mod common;

use common::Scratch;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

/// The address space the render may map: generous (thread stacks and
/// allocator arenas are reserved, not used), far below what holding the
/// song's events would take.
const ADDRESS_SPACE: u64 = 2 << 30;
/// The peak resident memory allowed, in MB.
const PEAK_MB: f64 = 48.0;

#[test]
fn twenty_minutes_of_ten_million_notes_render_in_a_few_megabytes() {
    let dir = Scratch::new("long-song");
    // 400 BPM: bars of 0.6 s, 2000 of them; 8 x 625 = 5000 notes a bar.
    let song = dir.write(
        "long.yaml",
        "tempo: 400\ninstruments:\n  h: { type: hihat, decay: 0.01 }\npatterns:\n  a: { h: \"x*625 x*625 x*625 x*625 x*625 x*625 x*625 x*625\" }\narrangement:\n  - { pattern: a, repeat: 2000 }\n",
    );
    let out = dir.dir.join("long.wav");
    let log = dir.dir.join("log.txt");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_chronus"));
    // 8 kHz: the notes are what is long here, not the audio (a 58 MB file).
    cmd.arg("render")
        .arg(&song)
        .arg("-o")
        .arg(&out)
        .args(["--rate", "8000"])
        .stdout(Stdio::from(std::fs::File::create(&log).expect("log file")))
        .stderr(Stdio::inherit());
    // SAFETY: between fork and exec the child only calls setrlimit, which
    // is async-signal-safe, on a struct on its own stack.
    unsafe {
        cmd.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: ADDRESS_SPACE,
                rlim_max: ADDRESS_SPACE,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let status = cmd
        .spawn()
        .and_then(|mut child| child.wait())
        .expect("run chronus render");
    let said = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "render failed ({status}): {said}");
    let peak_mb = children_peak_kb() as f64 / 1024.0;
    eprintln!("{}: peak resident memory {peak_mb:.1} MB", said.trim());
    // Every note played: 10 million on, 10 million off.
    assert!(said.contains("20000000 events"), "{said}");
    // The whole twenty minutes was written: 9.6 M frames of 24-bit stereo.
    let bytes = std::fs::metadata(&out).expect("the WAV file").len();
    assert!(bytes >= 1200 * 8000 * 6, "{bytes} bytes");
    assert!(peak_mb < PEAK_MB, "peak resident memory {peak_mb:.1} MB");
}

/// The largest resident set (kB) of any child this process has waited
/// for: the render is the only child this test binary starts.
fn children_peak_kb() -> i64 {
    // SAFETY: rusage is plain data; getrusage fills it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage: {}", std::io::Error::last_os_error());
    usage.ru_maxrss
}
