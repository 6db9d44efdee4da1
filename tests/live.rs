//! The live path on the device-free real-time backend: the sequencer thread
//! feeding the engine in the audio callback gives the very samples of the
//! offline render, on time, without allocating.

mod common;

use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use chronus::backends::null::NullBackend;
use chronus::backends::{AudioSource, Flow, LiveBackend, Metrics};
use chronus::engine::Engine;
use chronus::live::{
    play, AudioClock, LiveControl, LiveSource, PlayOptions, RtQueue, SequencerHandle,
    SequencerOptions,
};
use chronus::sequencer::{Event, Song};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

fn temp(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("chronus-live-{}-{name}", std::process::id()))
}

fn read_wav(path: &std::path::Path) -> (Vec<f32>, Vec<f32>) {
    let reader = hound::WavReader::open(path).expect("recorded file");
    let samples: Vec<f32> = reader.into_samples().map(|s| s.expect("sample")).collect();
    let left = samples.iter().step_by(2).copied().collect();
    let right = samples.iter().skip(1).step_by(2).copied().collect();
    (left, right)
}

/// A live play and an offline render of the same song give the same samples.
#[test]
fn live_play_equals_offline_render() {
    let song = common::song(
        "tempo: 240\ninstruments:\n  k: { type: kick, decay: 0.1 }\n  h: { type: hihat }\n\
         \x20 b: { type: synth, osc: saw, cutoff: 400, resonance: 0.5, filter_env: 3, release: 0.05, polyphony: 2, effects: [ { type: delay, time: 0.05, feedback: 0.3, mix: 0.3 } ] }\n\
         patterns:\n  a: { k: \"x x x x\", h: \"x(5,8)\", b: \"C2 [Eb2 G2] [C3,Eb3,G3] Bb1\" }\n",
    );
    let path = temp("equal.wav");
    let control = LiveControl::default();
    let metrics = Arc::new(Metrics::new());
    let options = PlayOptions {
        record: Some(path.clone()),
        ..PlayOptions::default()
    };
    // A period that is not a multiple of the engine's 64-frame grid.
    let backend: Box<dyn LiveBackend> = Box::new(NullBackend::new(48_000, 240));
    let report = play(&song, backend, &options, &control, &metrics, |_, _| {}).expect("play");
    assert_eq!(report.engine.late_events, 0, "events arrived late");
    assert_eq!(report.record_dropped, 0);
    let (live_l, live_r) = read_wav(&path);
    let _ = std::fs::remove_file(&path);
    let (off_l, off_r) = common::render(&song);
    let n = live_l.len().min(off_l.len());
    assert!(n > 48_000, "only {n} frames recorded");
    assert_eq!(
        common::first_difference(&live_l[..n], &off_l[..n]),
        None,
        "left"
    );
    assert_eq!(
        common::first_difference(&live_r[..n], &off_r[..n]),
        None,
        "right"
    );
    // Whatever one has beyond the other is the quiet end of the tail (both
    // stop after half a second below -96 dBFS, counted in their own blocks).
    let rest = live_l[n..].iter().chain(&off_l[n..]);
    assert!(rest.fold(0.0f32, |m, x| m.max(x.abs())) < 1.6e-5);
}

/// Wraps the live source: runs every callback inside `assert_no_alloc` and
/// counts violations (the counter is per thread: the audio thread's).
struct NoAlloc<S> {
    inner: S,
    violations: Arc<AtomicU32>,
}

impl<S: AudioSource> AudioSource for NoAlloc<S> {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
        let flow = assert_no_alloc(|| self.inner.process(left, right));
        self.violations.store(violation_count(), Ordering::Release);
        flow
    }
}

/// RT-04 on the live path: 10 s of each demo song through the sequencer
/// thread and the real-time callback, with no allocation in the callback.
#[test]
fn live_path_allocates_nothing() {
    for name in ["techno", "breakbeat"] {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("songs")
            .join(format!("{name}.yaml"));
        let song = match Song::load(&path) {
            Ok((s, _)) => s,
            Err(e) => panic!("{e}"),
        };
        let rate = 48_000;
        let engine = Engine::new(&song, rate);
        let (producer, consumer) = rtrb::RingBuffer::<Event>::new(16_384);
        let clock = AudioClock::with_rate(rate);
        let timeline = std::sync::Arc::new(std::sync::Mutex::new(
            chronus::live::song_timeline::SongTimeline::new(&song, rate, false),
        ));
        let seq = SequencerHandle::spawn(
            timeline,
            clock.clone(),
            producer,
            SequencerOptions::for_rate(rate),
        )
        .expect("sequencer");
        assert!(seq.wait_primed(Duration::from_secs(2)));
        let control = LiveControl::default();
        let violations = Arc::new(AtomicU32::new(0));
        let source = NoAlloc {
            inner: LiveSource::new(engine, RtQueue::new(consumer), clock, control.clone()),
            violations: Arc::clone(&violations),
        };
        // Ten seconds of sound, however long they take: after a stall
        // (an xrun, which this VM has now and then) the backend's clock
        // starts again from then, as a device's does, rather than rushing.
        let stopper = control.clone();
        let timer = std::thread::spawn(move || {
            let began = Instant::now();
            while stopper.stats().frames < 10 * 48_000 && began.elapsed() < Duration::from_secs(60)
            {
                std::thread::sleep(Duration::from_millis(5));
            }
            stopper.request_stop();
        });
        let metrics = Arc::new(Metrics::new());
        let start = Instant::now();
        reset_violation_count();
        Box::new(NullBackend::new(rate, 128))
            .play(Box::new(source), Arc::clone(&metrics))
            .expect("play");
        timer.join().expect("timer");
        let m = metrics.report();
        let stats = control.stats();
        eprintln!(
            "{name}: {:.1} s live in {:.2} s, {} callbacks, {} xruns, {} events, {} late, callback p99 {:?}, {} allocations",
            m.frames as f64 / 48_000.0,
            start.elapsed().as_secs_f64(),
            m.callbacks,
            m.xruns,
            stats.events,
            stats.late_events,
            m.p99,
            violations.load(Ordering::Acquire)
        );
        // Paced as a device is, never faster than real time.
        assert!(start.elapsed() >= Duration::from_millis(9_990));
        assert!(m.frames >= 10 * 48_000, "{} frames", m.frames);
        assert!(stats.events > 100, "{} events", stats.events);
        assert_eq!(stats.late_events, 0);
        assert_eq!(
            violations.load(Ordering::Acquire),
            0,
            "the callback allocated"
        );
    }
}
