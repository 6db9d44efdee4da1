//! RT-04: after setup, rendering allocates nothing. The demo songs (which
//! together use every instrument type and effect) are rendered whole inside
//! `assert_no_alloc`, which counts every allocation and free on the thread.

use assert_no_alloc::{assert_no_alloc, reset_violation_count, violation_count, AllocDisabler};
use chronus::backends::{AudioSource, Flow};
use chronus::render::{OfflineRender, RenderOptions};
use chronus::sequencer::song::InstrumentSpec;
use chronus::sequencer::Song;
use std::collections::BTreeSet;
use std::path::PathBuf;

#[global_allocator]
static ALLOCATOR: AllocDisabler = AllocDisabler;

fn demo_songs() -> Vec<(PathBuf, Song)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("songs");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("songs/ folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let song = match Song::load(&p) {
                Ok((s, _)) => s,
                Err(e) => panic!("{e}"),
            };
            (p, song)
        })
        .collect()
}

/// Render `song` whole inside `assert_no_alloc`; returns (frames, violations).
fn render_counting(song: &Song) -> (u64, u32) {
    let mut source = OfflineRender::new(song, RenderOptions::default());
    let mut left = vec![0.0f32; 64];
    let mut right = vec![0.0f32; 64];
    reset_violation_count();
    // The schedule is made a bar at a time off the counted part (it
    // allocates, as the live sequencer thread does); the engine renders
    // inside it.
    let mut frames = 0u64;
    loop {
        source.prepare(64);
        match assert_no_alloc(|| source.render_prepared(&mut left, &mut right)) {
            Flow::Continue => frames += 64,
            Flow::Finished { frames: n } => break frames += n as u64,
        }
    }
    (frames, violation_count())
}

#[test]
fn demo_songs_render_without_allocating() {
    let songs = demo_songs();
    assert!(songs.len() >= 3, "expected at least three demo songs");
    for (path, song) in &songs {
        let (frames, violations) = render_counting(song);
        let seconds = frames as f64 / 48_000.0;
        eprintln!(
            "{}: {seconds:.1} s rendered, {violations} allocations",
            path.display()
        );
        assert!(seconds >= 30.0, "{}: only {seconds:.1} s", path.display());
        assert_eq!(
            violations,
            0,
            "{} allocated while rendering",
            path.display()
        );
    }
}

/// The check itself works: an allocation inside is counted.
#[test]
fn an_allocation_inside_is_counted() {
    reset_violation_count();
    assert_no_alloc(|| {
        let v = std::hint::black_box(vec![1u8; 16]);
        drop(v);
    });
    assert!(violation_count() >= 1);
}

/// Together the demo songs use every instrument type and every effect, so
/// the test above covers every module.
#[test]
fn demo_songs_use_every_instrument_and_effect() {
    let mut kinds = BTreeSet::new();
    let mut effects = BTreeSet::new();
    for (_, song) in demo_songs() {
        for t in &song.tracks {
            kinds.insert(t.spec.kind());
            for fx in t.spec.effects() {
                effects.insert(fx.kind());
            }
            if let InstrumentSpec::Synth(s) = &t.spec {
                kinds.insert(match s.filter {
                    chronus::sequencer::song::FilterMode::Lowpass => "synth/lowpass",
                    chronus::sequencer::song::FilterMode::Highpass => "synth/highpass",
                    chronus::sequencer::song::FilterMode::Bandpass => "synth/bandpass",
                    chronus::sequencer::song::FilterMode::None => "synth/none",
                });
            }
        }
    }
    for k in InstrumentSpec::KINDS {
        assert!(kinds.contains(k), "no demo song uses instrument type {k}");
    }
    for k in [
        "reverb",
        "delay",
        "chorus",
        "phaser",
        "distortion",
        "compressor",
        "filter",
    ] {
        assert!(effects.contains(k), "no demo song uses effect {k}");
    }
}

/// The same bars the old way: the whole schedule made and sorted at once.
fn render_scheduled_whole(song: &Song, bars: usize, frames: usize) -> Vec<f32> {
    use chronus::engine::{Engine, VecQueue};
    let mut schedule = chronus::sequencer::Schedule::new(song, 48_000);
    let mut events = Vec::new();
    for bar in 0..bars {
        schedule.bar_events(bar, &mut events);
    }
    chronus::sequencer::schedule::sort_events(&mut events);
    let mut engine = Engine::new(song, 48_000);
    let mut queue = VecQueue::new(events);
    let (mut l, mut r) = (vec![0.0f32; 64], vec![0.0f32; 64]);
    let mut out = Vec::with_capacity(2 * frames);
    while out.len() < 2 * frames {
        engine.render(&mut queue, &mut l, &mut r);
        for (a, b) in l.iter().zip(&r) {
            out.extend_from_slice(&[*a, *b]);
        }
    }
    out.truncate(2 * frames);
    out
}

#[test]
fn a_schedule_made_bar_by_bar_plays_as_the_whole_one_sample_for_sample() {
    for (path, song) in &demo_songs() {
        let bars = song.bar_count().min(12);
        let options = RenderOptions {
            rate: 48_000,
            bars: Some(bars),
            jobs: 1,
        };
        let mut source = OfflineRender::new(song, options);
        let frames = source.end_frame() as usize;
        let (mut l, mut r) = (vec![0.0f32; 64], vec![0.0f32; 64]);
        let mut streamed = Vec::with_capacity(2 * frames);
        while streamed.len() < 2 * frames {
            assert!(matches!(source.process(&mut l, &mut r), Flow::Continue));
            for (a, b) in l.iter().zip(&r) {
                streamed.extend_from_slice(&[*a, *b]);
            }
        }
        streamed.truncate(2 * frames);
        let whole = render_scheduled_whole(song, bars, frames);
        let same = streamed
            .iter()
            .zip(&whole)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "{}: the streamed render differs", path.display());
        let events = source.engine().stats().events;
        eprintln!(
            "{}: {bars} bars, {events} events, at most {} held at once",
            path.display(),
            source.queue().capacity()
        );
        assert!(events > 100);
    }
}

#[test]
fn the_events_held_do_not_grow_with_the_song() {
    // A fast hat: 64 notes a bar, bars of 0.3 s (800 BPM, the fastest).
    let yaml = "tempo: 800\ninstruments:\n  h: { type: hihat, decay: 0.01 }\npatterns:\n  a: { h: \"x*64\" }\narrangement:\n  - { pattern: a, repeat: 100000 }\n";
    let song = match Song::from_yaml(yaml, "long.yaml".as_ref()) {
        Ok((s, _)) => s,
        Err(e) => panic!("{e}"),
    };
    let mut source = OfflineRender::new(&song, RenderOptions::default());
    let (mut l, mut r) = (vec![0.0f32; 1024], vec![0.0f32; 1024]);
    let held_after = |source: &mut OfflineRender, bars: u64, l: &mut [f32], r: &mut [f32]| {
        while source.engine().frame() < bars * 14_400 {
            source.process(l, r);
        }
        source.queue().capacity()
    };
    let at_10 = held_after(&mut source, 10, &mut l, &mut r);
    let at_400 = held_after(&mut source, 400, &mut l, &mut r);
    eprintln!("100000-bar song: {at_10} events held after 10 bars, {at_400} after 400 (the whole song has 12.8 million)");
    assert!(at_400 == at_10, "{at_10} then {at_400}");
    assert!(at_400 < 1000, "{at_400}");
    // Every event of the schedule so far was played (the last block
    // reaches a little past bar 400).
    let now = source.engine().frame();
    let mut schedule = chronus::sequencer::Schedule::new(&song, 48_000);
    let mut all = Vec::new();
    for bar in 0..402 {
        schedule.bar_events(bar, &mut all);
    }
    let due = all.iter().filter(|e| e.frame < now).count() as u64;
    assert_eq!(source.engine().stats().events, due);
    assert!(due > 399 * 64, "{due}");
}
