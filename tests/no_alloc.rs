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
    let frames = assert_no_alloc(|| {
        let mut frames = 0u64;
        loop {
            match source.process(&mut left, &mut right) {
                Flow::Continue => frames += 64,
                Flow::Finished { frames: n } => return frames + n as u64,
            }
        }
    });
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
