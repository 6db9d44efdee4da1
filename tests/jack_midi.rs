//! MIDI end to end through the private JACK server: a JACK client here
//! plays notes and a controller sweep into `chronus:midi_in` of a real
//! `chronus live --backend jack`, and another records what chronus plays.
//! Every note must start at the frame it was sent on (JACK frame time) plus
//! one constant latency, at its pitch; the controller sweep must move the
//! level smoothly.
//!
//! Without the server (a plain `cargo test`) this says so and passes,
//! unless CHRONUS_REQUIRE_SERVERS=1 (scripts/test.sh sets it).

mod common;

use common::child::Child;
use jack::{Client, ClientOptions, Control, MidiOut, ProcessScope, RawMidi};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// `chronus live` on the private JACK server as client `name`, its ports
/// left unconnected.
fn live_on_jack(dir: &std::path::Path, name: &str) -> Child {
    Child::spawn(
        dir,
        &[
            "live",
            "--backend",
            "jack",
            "--no-connect",
            "--client-name",
            name,
            "--osc-port",
            "0",
        ],
    )
}

/// Connect port `a` to `b`, waiting up to 5 s for both to exist.
fn connect(client: &Client, a: &str, b: &str) {
    let start = Instant::now();
    while client.connect_ports_by_name(a, b).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "cannot connect {a} to {b}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// What the sender plays: (frame after the start, bytes).
fn score(rate: u64) -> Vec<(u64, Vec<u8>)> {
    let mut s = Vec::new();
    // Eight notes a quarter second apart, at odd offsets in their periods.
    for k in 0..8u64 {
        let at = k * rate / 4 + k * 37 + 11;
        s.push((at, vec![0x90, 60 + k as u8 * 2, 100]));
        s.push((at + rate / 8, vec![0x80, 60 + k as u8 * 2, 0]));
    }
    // Then a held A4 and a sweep of CC 7 (mapped to the level) from 0 to
    // 127 over one second, one step every 375 frames.
    let held = 2 * rate + rate / 2;
    s.push((held, vec![0xB0, 7, 0]));
    s.push((held + 1, vec![0x90, 69, 100]));
    for v in 0..128u64 {
        s.push((held + rate / 2 + v * rate / 128, vec![0xB0, 7, v as u8]));
    }
    s.push((held + 2 * rate, vec![0x80, 69, 0]));
    s
}

#[test]
fn notes_from_a_jack_client_sound_at_their_frame_plus_a_constant_latency() {
    if !common::jack_server() {
        return;
    }
    // This VM stalls threads now and then: a take whose recording lost
    // frames (an xrun, reported) is played again, up to three times.
    for take in 1..=3 {
        if play_and_measure() {
            return;
        }
        eprintln!("take {take}: the recording lost frames (an xrun); again");
    }
    panic!("three takes in a row lost frames");
}

/// One take; false when the recording lost frames.
fn play_and_measure() -> bool {
    let dir = common::Scratch::new("jack-midi");
    let name = format!("chronus-midi-{}", std::process::id());
    let mut chronus = live_on_jack(&dir.dir, &name);
    chronus
        .ok("create keys synth osc=sine filter=none attack=0.002 decay=0.1 sustain=1 release=0.02");
    chronus.ok("midi keys channel 1; map cc 7 keys.gain -40 0");

    // The recorder: (JACK frame time of each sample, sample).
    let (rec, _) =
        Client::new(&format!("{name}-rec"), ClientOptions::NO_START_SERVER).expect("client");
    let rate = u64::from(rec.sample_rate());
    let input = rec
        .register_port("in", jack::AudioIn::default())
        .expect("port");
    let (mut tx, mut rx) = rtrb::RingBuffer::<(u64, f32)>::new(8 * rate as usize);
    let rec = rec
        .activate_async(
            (),
            jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
                let t = u64::from(ps.last_frame_time());
                for (i, x) in input.as_slice(ps).iter().enumerate() {
                    let _ = tx.push((t + i as u64, *x));
                }
                Control::Continue
            }),
        )
        .expect("activate recorder");

    // The sender: the score from the first cycle after `go`, each event
    // written at its offset; the JACK frame of each note-on goes back.
    let (snd, _) =
        Client::new(&format!("{name}-kbd"), ClientOptions::NO_START_SERVER).expect("client");
    let mut out = snd.register_port("out", MidiOut::default()).expect("port");
    let go = Arc::new(AtomicBool::new(false));
    let base = Arc::new(AtomicU64::new(0));
    let events = score(rate);
    let (send_go, send_base) = (Arc::clone(&go), Arc::clone(&base));
    let mut next = 0usize;
    let snd = snd
        .activate_async(
            (),
            jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
                let now = u64::from(ps.last_frame_time());
                if !send_go.load(Ordering::Acquire) {
                    return Control::Continue;
                }
                let mut b = send_base.load(Ordering::Acquire);
                if b == 0 {
                    b = now;
                    send_base.store(b, Ordering::Release);
                }
                let end = now + u64::from(ps.n_frames());
                let mut w = out.writer(ps);
                while let Some((at, bytes)) = events.get(next) {
                    if b + at >= end {
                        break;
                    }
                    let time = (b + at).saturating_sub(now) as u32;
                    let _ = w.write(&RawMidi { time, bytes });
                    next += 1;
                }
                Control::Continue
            }),
        )
        .expect("activate sender");
    let connect = |a: &str, b: &str| connect(snd.as_client(), a, b);
    connect(&format!("{name}-kbd:out"), &format!("{name}:midi_in"));
    connect(&format!("{name}:out_L"), &format!("{name}-rec:in"));
    std::thread::sleep(Duration::from_millis(100));
    go.store(true, Ordering::Release);
    std::thread::sleep(Duration::from_millis(5_600));
    let status = chronus.ok("midi");
    chronus.ok("quit");
    let _ = snd.deactivate();
    let _ = rec.deactivate();

    let mut recorded = Vec::new();
    while let Ok(s) = rx.pop() {
        recorded.push(s);
    }
    let b = base.load(Ordering::Acquire);
    assert!(b > 0, "the sender never ran");
    // Samples by frame after the sender's start.
    let first = recorded
        .iter()
        .position(|(t, _)| *t >= b)
        .expect("recorded after the start");
    let x: Vec<f32> = recorded[first..].iter().map(|s| s.1).collect();
    if recorded[first].0 != b || recorded[first..].windows(2).any(|w| w[1].0 != w[0].0 + 1) {
        return false;
    }
    let score = score(rate);
    let mut latencies = Vec::new();
    for (k, (at, bytes)) in score.iter().filter(|e| e.1[0] == 0x90).take(8).enumerate() {
        let at = *at as usize;
        let onset = at
            + x[at..]
                .iter()
                .position(|v| *v != 0.0)
                .expect("the note sounds");
        latencies.push(onset - at);
        let hz = common::zero_crossing_freq(&x[onset + 1_200..onset + 5_000], rate as f64);
        let cents = common::cents(hz, common::midi_hz(f64::from(bytes[1])));
        assert!(cents.abs() < 0.5, "note {k}: {hz} Hz, {cents} cents off");
        // Silent before it (the previous note has ended).
        assert!(
            x[at.saturating_sub(2_000)..at].iter().all(|v| *v == 0.0),
            "note {k}"
        );
    }
    eprintln!("JACK MIDI note-on to first sample: {latencies:?} frames; {status}");
    assert!(
        latencies.iter().all(|l| *l == latencies[0]),
        "jitter: {latencies:?}"
    );
    assert!(latencies[0] <= 2, "{latencies:?}");
    // The sweep: level in 10 ms windows rises from -40 dB to 0 dB, one
    // small step at a time.
    let held = (2 * rate + rate / 2) as usize;
    let from = held + rate as usize / 2;
    let rms = |a: usize| {
        (x[a..a + 480]
            .iter()
            .map(|v| f64::from(*v).powi(2))
            .sum::<f64>()
            / 480.0)
            .sqrt()
    };
    let levels: Vec<f64> = (0..100).map(|i| rms(from + i * 480)).collect();
    let db = 20.0 * (rms(from + rate as usize + 4_800) / rms(from - 4_800)).log10();
    assert!((db - 40.0).abs() < 0.5, "{db}");
    for w in levels.windows(2) {
        assert!(
            w[1] >= w[0] * 0.98,
            "the level fell during the sweep: {levels:?}"
        );
    }
    let step = |a: usize, b: usize| {
        x[a..b]
            .windows(2)
            .fold(0.0f32, |m, w| m.max((w[1] - w[0]).abs()))
    };
    // No step in the sweep larger than the full-level sine's own.
    let (jump, own) = (
        step(from, from + rate as usize),
        step(from + rate as usize + 2_400, from + rate as usize + 9_600),
    );
    assert!(
        jump <= own * 1.001,
        "a step of {jump} during the sweep, {own} at full level"
    );
    assert!(status.contains("9 notes played"), "{status}");
    true
}

/// The clock and a track's notes from `chronus:midi_out`, recorded by a
/// JACK client for 60 s: every pulse 1000 frames after the one before at
/// 120 BPM (or, across an xrun of this VM, a whole number of periods
/// more), the kick's notes on the beat's pulse, no drift.
#[test]
fn clock_and_notes_out_of_chronus_midi_out_are_frame_exact_for_a_minute() {
    if !common::jack_server() {
        return;
    }
    let dir = common::Scratch::new("jack-midi-out");
    let name = format!("chronus-clk-{}", std::process::id());
    let mut chronus = live_on_jack(&dir.dir, &name);
    let (rec, _) =
        Client::new(&format!("{name}-rec"), ClientOptions::NO_START_SERVER).expect("client");
    let period = u64::from(rec.buffer_size());
    let input = rec
        .register_port("in", jack::MidiIn::default())
        .expect("port");
    let (mut tx, mut rx) = rtrb::RingBuffer::<(u64, [u8; 3])>::new(1 << 16);
    let xruns = Arc::new(AtomicU64::new(0));
    let rec = rec
        .activate_async(
            Xruns(Arc::clone(&xruns)),
            jack::contrib::ClosureProcessHandler::new(move |_, ps: &ProcessScope| {
                let t = u64::from(ps.last_frame_time());
                for ev in input.iter(ps) {
                    let mut b = [0u8; 3];
                    for (d, s) in b.iter_mut().zip(ev.bytes) {
                        *d = *s;
                    }
                    let _ = tx.push((t + u64::from(ev.time), b));
                }
                Control::Continue
            }),
        )
        .expect("activate recorder");
    connect(
        rec.as_client(),
        &format!("{name}:midi_out"),
        &format!("{name}-rec:in"),
    );
    chronus.ok("create kick; pattern kick: x x x x; play kick; midi out kick channel 10");
    chronus.ok("midi clock on");
    std::thread::sleep(Duration::from_secs(62));
    let status = chronus.ok("status");
    chronus.ok("quit");
    let _ = rec.deactivate();
    let mut got = Vec::new();
    while let Ok(m) = rx.pop() {
        got.push(m);
    }
    let (got, repeats) = without_repeats(got, period);
    let pulses: Vec<u64> = got.iter().filter(|m| m.1[0] == 0xF8).map(|m| m.0).collect();
    let kicks: Vec<u64> = got
        .iter()
        .filter(|m| m.1 == [0x99, 36, 102])
        .map(|m| m.0)
        .collect();
    assert!(
        pulses.len() > 60 * 48 - 100,
        "{} pulses in 60 s",
        pulses.len()
    );
    let first = got
        .iter()
        .position(|m| m.1[0] == 0xFB || m.1[0] == 0xFA)
        .expect("continue or start");
    assert_eq!(
        got[first].0, pulses[0],
        "the pulses start with the continue"
    );
    let mut exact = 0usize;
    let mut skips = 0usize;
    // Frames the pulses are off the 1000-frame grid, summed: whole periods
    // that xruns cost (late, or early again after one late pulse).
    let mut late = 0i64;
    for w in pulses.windows(2) {
        let d = (w[1] - w[0]) as i64;
        if d == 1_000 {
            exact += 1;
            continue;
        }
        // An xrun stops chronus's clock for whole periods (the pulses after
        // it are late by exactly that), makes the recorder miss a period's
        // events (whole pulses missing), or hand one pulse over a period
        // late (the next is then a period early), or several of these at
        // once: never a fraction of a period.
        let Some(shift) = xrun_shift(d, period) else {
            panic!("a pulse {d} frames after the last");
        };
        late += shift;
        skips += 1;
    }
    let xruns = xruns.load(Ordering::Relaxed) as usize;
    assert!(
        skips <= 2 * xruns,
        "{skips} irregular pulses but {xruns} xruns"
    );
    assert!(
        repeats <= xruns,
        "{repeats} pulses repeated but {xruns} xruns"
    );
    // No drift: every pulse sits on 1000-frame steps from the first, apart
    // from whole periods lost to xruns.
    let span = (pulses[pulses.len() - 1] - pulses[0]) as i64;
    assert_eq!(
        (span - late) % 1_000,
        0,
        "drift: {span} frames, {late} of them xruns"
    );
    // Every kick on a beat's pulse (every 24th, counted in frames: a pulse
    // the recorder lost to an xrun must not shift the count), apart from
    // the whole periods xruns cost before it.
    for k in &kicks {
        assert!(pulses.contains(k), "a kick at {k} off every pulse");
        let late: i64 = pulses
            .windows(2)
            .take_while(|w| w[1] <= *k)
            .filter_map(|w| xrun_shift((w[1] - w[0]) as i64, period))
            .sum();
        let beat = (*k as i64 - pulses[0] as i64 - late) as f64 / 24_000.0;
        assert_eq!(
            beat.fract(),
            0.0,
            "a kick {beat} beats after the first pulse"
        );
    }
    eprintln!(
        "midi clock out: {} pulses over {:.1} s, {exact} exactly 1000 frames apart, {skips} across {xruns} xruns, {repeats} read twice; {} kicks; {status}",
        pulses.len(),
        span as f64 / 48_000.0,
        kicks.len()
    );
}

/// A gap of `d` frames between two clock pulses (1000 frames apart when
/// nothing went wrong) as `m` pulses' worth of frames (`m - 1` of them lost
/// by the recorder) plus a shift of whole periods (less than 4000 frames
/// either way, so at most one `m` fits): the shift, or `None` when no whole
/// number of periods explains the gap.
fn xrun_shift(d: i64, period: u64) -> Option<i64> {
    (1..=d / 1_000 + 4)
        .map(|m| d - 1_000 * m)
        .find(|r| r.abs() < 4_000 && r % period as i64 == 0)
}

/// `got` without the messages the recorder read a second time: in a cycle
/// the server ran chronus's client late or not at all (an xrun), the
/// recorder reads the port buffer chronus filled for an earlier cycle
/// again, so that cycle's messages come back a whole number of periods
/// later than they were sent. A clock pulse is never less than 1000 frames
/// after the one before, so one that is, by whole periods, is such a
/// repeat (and the messages on its frame with it). Also how many there were.
fn without_repeats(got: Vec<(u64, [u8; 3])>, period: u64) -> (Vec<(u64, [u8; 3])>, usize) {
    let mut last_pulse: Option<u64> = None;
    let mut repeated: Vec<u64> = Vec::new();
    for m in got.iter().filter(|m| m.1[0] == 0xF8) {
        if let Some(p) = last_pulse {
            let d = m.0 - p;
            if d < 1_000 && d % period == 0 {
                repeated.push(m.0);
                continue;
            }
        }
        last_pulse = Some(m.0);
    }
    let n = repeated.len();
    let kept = got
        .into_iter()
        .filter(|m| !repeated.contains(&m.0))
        .collect();
    (kept, n)
}

/// Counts the xruns the server reports.
struct Xruns(Arc<AtomicU64>);

impl jack::NotificationHandler for Xruns {
    fn xrun(&mut self, _: &Client) -> Control {
        self.0.fetch_add(1, Ordering::Relaxed);
        Control::Continue
    }
}
