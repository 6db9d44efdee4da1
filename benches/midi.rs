//! MIDI benchmarks (issue 8, section 4): reported figures, not timed tests.
//!
//! 1. JACK MIDI note-on -> first sample: a sender client plays notes into
//!    `chronus:midi_in` at chosen frames (odd offsets inside the period), a
//!    probe client on `chronus:out_L` finds each note's first sample; both
//!    on JACK's frame clock. p50, p99, max and jitter (max - min) in frames
//!    and ms. Target: exactly the port latency, zero jitter.
//! 2. MIDI clock out: `midi clock on`, the pulses recorded from
//!    `chronus:midi_out`; each pulse's distance from the ideal grid of the
//!    first pulse plus 1000 frames (120 BPM), max and RMS in ms.
//! 3. MIDI file import: a 10,000-note file read and turned into a song,
//!    median of 20.
//!
//! Needs a JACK server (`JACK_DEFAULT_SERVER`) and the release `chronus`
//! binary; `scripts/bench-midi.sh` gives both and runs this at periods 64
//! and 256. By hand: `cargo bench --bench midi -- [--chronus PATH]
//! [--notes 200] [--clock-seconds 20]`.

use anyhow::{anyhow, bail, Context, Result};
use jack::{Client, ClientOptions, Control, MidiIn, MidiOut, ProcessScope, RawMidi};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

struct Args {
    chronus: PathBuf,
    notes: usize,
    clock_seconds: u64,
}

fn args() -> Result<Args> {
    let mut a = Args {
        chronus: PathBuf::from("target/release/chronus"),
        notes: 200,
        clock_seconds: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        let mut v = || it.next().ok_or_else(|| anyhow!("{k} needs a value"));
        match k.as_str() {
            "--chronus" => a.chronus = PathBuf::from(v()?),
            "--notes" => a.notes = v()?.parse()?,
            "--clock-seconds" => a.clock_seconds = v()?.parse()?,
            "--bench" => {}
            other => bail!("unknown argument {other}"),
        }
    }
    // The child runs in a scratch folder: the path must not be relative.
    a.chronus = a
        .chronus
        .canonicalize()
        .with_context(|| format!("{} (build it: cargo build --release)", a.chronus.display()))?;
    Ok(a)
}

/// A `chronus live` child answering lines.
struct Recording {
    child: std::process::Child,
    lines: mpsc::Receiver<String>,
}

impl Recording {
    fn start(path: &PathBuf, name: &str) -> Result<Recording> {
        let dir = std::env::temp_dir().join(format!("chronus-bench-midi-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let mut child = Command::new(path)
            .args([
                "live",
                "--backend",
                "jack",
                "--no-connect",
                "--client-name",
                name,
                "--osc-port",
                "0",
            ])
            .current_dir(&dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("start {}", path.display()))?;
        let out = child.stdout.take().ok_or_else(|| anyhow!("no stdout"))?;
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Ok(Recording { child, lines: rx })
    }

    fn ask(&mut self, line: &str) -> Result<String> {
        let stdin = self
            .child
            .stdin
            .as_mut()
            .ok_or_else(|| anyhow!("no stdin"))?;
        writeln!(stdin, "{line}")?;
        stdin.flush()?;
        let reply = self.lines.recv_timeout(Duration::from_secs(20))?;
        if !reply.starts_with("ok") {
            bail!("{line}: {reply}");
        }
        Ok(reply)
    }
}

impl Drop for Recording {
    fn drop(&mut self) {
        let _ = self.ask("quit");
        let _ = self.child.wait();
    }
}

fn connect(c: &Client, a: &str, b: &str) -> Result<()> {
    let start = Instant::now();
    while c.connect_ports_by_name(a, b).is_err() {
        if start.elapsed() > Duration::from_secs(5) {
            bail!("cannot connect {a} to {b}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Ok(())
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[((s.len() - 1) as f64 * p).round() as usize]
}

/// Measurement 1: (latencies in frames, period, rate, xruns).
fn note_latency(a: &Args) -> Result<(Vec<u64>, u64, u64, u64)> {
    let name = format!("bench-midi-{}", std::process::id());
    let mut s = Recording::start(&a.chronus, &name)?;
    s.ask("create s synth osc=square filter=none attack=0 sustain=1 release=0.001 gain=0")?;
    s.ask("midi s channel 1")?;
    let (probe, _) = Client::new(&format!("{name}-probe"), ClientOptions::NO_START_SERVER)?;
    let rate = u64::from(probe.sample_rate());
    let period = u64::from(probe.buffer_size());
    let input = probe.register_port("in", jack::AudioIn::default())?;
    let (mut tx, mut rx) = rtrb::RingBuffer::<u64>::new(1 << 16);
    let mut quiet = 0u32;
    let probe = probe.activate_async(
        (),
        jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
            let t = u64::from(ps.last_frame_time());
            for (i, x) in input.as_slice(ps).iter().enumerate() {
                if x.abs() > 1e-4 {
                    if quiet >= 240 {
                        let _ = tx.push(t + i as u64);
                    }
                    quiet = 0;
                } else {
                    quiet = quiet.saturating_add(1);
                }
            }
            Control::Continue
        }),
    )?;
    let (snd, _) = Client::new(&format!("{name}-kbd"), ClientOptions::NO_START_SERVER)?;
    let mut out = snd.register_port("out", MidiOut::default())?;
    // Notes 0.1 s apart at offsets that walk through the period.
    let score: Vec<(u64, [u8; 3])> = (0..a.notes as u64)
        .flat_map(|k| {
            let at = k * rate / 10 + (k * 37) % period;
            [(at, [0x90, 60, 100]), (at + rate / 20, [0x80, 60, 0])]
        })
        .collect();
    let sent: Vec<u64> = score
        .iter()
        .filter(|e| e.1[0] == 0x90)
        .map(|e| e.0)
        .collect();
    let go = Arc::new(AtomicBool::new(false));
    let base = Arc::new(AtomicU64::new(0));
    let (g, b) = (Arc::clone(&go), Arc::clone(&base));
    let mut next = 0usize;
    let snd = snd.activate_async(
        (),
        jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
            if !g.load(Ordering::Acquire) {
                return Control::Continue;
            }
            let now = u64::from(ps.last_frame_time());
            let mut b0 = b.load(Ordering::Acquire);
            if b0 == 0 {
                b0 = now + 2 * u64::from(ps.n_frames());
                b.store(b0, Ordering::Release);
            }
            let end = now + u64::from(ps.n_frames());
            let mut w = out.writer(ps);
            while let Some((at, bytes)) = score.get(next) {
                if b0 + at >= end {
                    break;
                }
                let _ = w.write(&RawMidi {
                    time: (b0 + at).saturating_sub(now) as u32,
                    bytes,
                });
                next += 1;
            }
            Control::Continue
        }),
    )?;
    connect(
        snd.as_client(),
        &format!("{name}-kbd:out"),
        &format!("{name}:midi_in"),
    )?;
    connect(
        snd.as_client(),
        &format!("{name}:out_L"),
        &format!("{name}-probe:in"),
    )?;
    std::thread::sleep(Duration::from_millis(200));
    go.store(true, Ordering::Release);
    std::thread::sleep(Duration::from_millis(100 * a.notes as u64 + 500));
    let status = s.ask("status")?;
    drop(s);
    let _ = snd.deactivate();
    let _ = probe.deactivate();
    let b0 = base.load(Ordering::Acquire);
    let mut onsets = Vec::new();
    while let Ok(o) = rx.pop() {
        onsets.push(o);
    }
    let mut lat = Vec::new();
    for at in sent {
        let want = b0 + at;
        if let Some(o) = onsets.iter().find(|&&o| o >= want && o < want + rate / 20) {
            lat.push(o - want);
        }
    }
    let xruns = status
        .split("xruns ")
        .nth(1)
        .and_then(|s| s.split(',').next())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    Ok((lat, period, rate, xruns))
}

/// Measurement 2: each pulse's distance from the ideal grid, in frames.
fn clock_out(a: &Args, period: u64) -> Result<(Vec<i64>, usize)> {
    let name = format!("bench-clk-{}", std::process::id());
    let mut s = Recording::start(&a.chronus, &name)?;
    let (rec, _) = Client::new(&format!("{name}-rec"), ClientOptions::NO_START_SERVER)?;
    let input = rec.register_port("in", MidiIn::default())?;
    let (mut tx, mut rx) = rtrb::RingBuffer::<u64>::new(1 << 17);
    let rec = rec.activate_async(
        (),
        jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
            let t = u64::from(ps.last_frame_time());
            for ev in input.iter(ps) {
                if ev.bytes == [0xF8] {
                    let _ = tx.push(t + u64::from(ev.time));
                }
            }
            Control::Continue
        }),
    )?;
    connect(
        rec.as_client(),
        &format!("{name}:midi_out"),
        &format!("{name}-rec:in"),
    )?;
    s.ask("midi clock on")?;
    std::thread::sleep(Duration::from_secs(a.clock_seconds + 2));
    drop(s);
    let _ = rec.deactivate();
    let mut pulses = Vec::new();
    while let Ok(p) = rx.pop() {
        pulses.push(p);
    }
    if pulses.len() < 2 {
        bail!("no clock recorded");
    }
    // Against the grid from the first pulse; an xrun shifts the rest by
    // whole periods (a nonzero multiple of the period): measured from the
    // grid re-anchored there, and counted.
    let mut dev = Vec::new();
    let mut anchor = (pulses[0], 0u64);
    let mut shifts = 0;
    for (k, &p) in pulses.iter().enumerate() {
        let ideal = anchor.0 + (k as u64 - anchor.1) * 1_000;
        let d = p as i64 - ideal as i64;
        if d != 0 && d.unsigned_abs().is_multiple_of(period) {
            anchor = (p, k as u64);
            shifts += 1;
            dev.push(0);
        } else {
            dev.push(d);
        }
    }
    Ok((dev, shifts))
}

/// Measurement 3: ms to import a 10,000-note file (median of 20).
fn import_time() -> Result<(f64, usize)> {
    let notes: Vec<String> = (0..16).map(|i| format!("{}", 48 + (i * 5) % 24)).collect();
    let yaml = format!(
        "tempo: 120\ninstruments:\n  a: {{ type: synth }}\n  b: {{ type: fm }}\n  k: {{ type: kick }}\npatterns:\n  p: {{ a: \"{n}\", b: \"[{n}]*2\", k: \"x*4\" }}\narrangement:\n  - {{ pattern: p, repeat: 194 }}\n",
        n = notes.join(" ")
    );
    let song = chronus::sequencer::Song::from_yaml(&yaml, "bench.yaml".as_ref())
        .map_err(|e| anyhow!("{e}"))?
        .0;
    let (bytes, report) = chronus::midi::file::export(&song).map_err(|e| anyhow!("{e}"))?;
    let mut times = Vec::new();
    for _ in 0..20 {
        let t = Instant::now();
        let score = chronus::midi::file::read(&bytes).map_err(|e| anyhow!("{e}"))?;
        let text = chronus::midi::file::to_song(&score, "bench").map_err(|e| anyhow!("{e}"))?;
        std::hint::black_box(text);
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    Ok((percentile(&times, 0.5), report.notes))
}

fn main() -> Result<()> {
    let a = args()?;
    let (ms, notes) = import_time()?;
    println!("midi file import: {notes} notes in {ms:.2} ms (median of 20)");
    if std::env::var_os("JACK_DEFAULT_SERVER").is_none() {
        println!(
            "no JACK server (JACK_DEFAULT_SERVER): run scripts/bench-midi.sh for the JACK figures"
        );
        return Ok(());
    }
    let (lat, period, rate, xruns) = note_latency(&a)?;
    if lat.is_empty() {
        bail!("no note was heard");
    }
    let f: Vec<f64> = lat.iter().map(|&l| l as f64).collect();
    let ms = |frames: f64| frames / rate as f64 * 1e3;
    let (min, max) = (
        f.iter().copied().fold(f64::MAX, f64::min),
        f.iter().copied().fold(0.0, f64::max),
    );
    println!(
        "period {period}: JACK MIDI note-on -> first sample over {} of {} notes: p50 {} frames ({:.3} ms), p99 {} ({:.3} ms), max {}, jitter {} frames ({:.3} ms); {xruns} xruns",
        lat.len(),
        a.notes,
        percentile(&f, 0.5),
        ms(percentile(&f, 0.5)),
        percentile(&f, 0.99),
        ms(percentile(&f, 0.99)),
        max,
        max - min,
        ms(max - min),
    );
    let (dev, shifts) = clock_out(&a, period)?;
    let mut hist = std::collections::BTreeMap::new();
    for d in &dev {
        *hist.entry(*d).or_insert(0usize) += 1;
    }
    let off: Vec<usize> = dev
        .iter()
        .enumerate()
        .filter(|(_, d)| **d != 0)
        .map(|(i, _)| i)
        .collect();
    println!(
        "period {period}: clock deviations (frames: count) {hist:?}; off-grid pulses from {:?} to {:?}",
        off.first(),
        off.last()
    );
    let worst = dev.iter().map(|d| d.abs()).max().unwrap_or(0);
    let rms = (dev.iter().map(|d| (*d as f64).powi(2)).sum::<f64>() / dev.len() as f64).sqrt();
    println!(
        "period {period}: MIDI clock out over {} pulses: worst {} frames ({:.3} ms) off the grid, RMS {:.3} ms, {shifts} re-anchored across xruns",
        dev.len(),
        worst,
        ms(worst as f64),
        ms(rms)
    );
    Ok(())
}
