//! `chronus render --jobs N`: the tracks spread over threads give the very
//! samples one thread gives, tails and the song's end included.

mod common;

use chronus::render::{OfflineRender, RenderOptions};
use chronus::sequencer::Song;

/// Render `song`'s first `bars` bars (and its tail) on `jobs` threads, in
/// blocks of `block` frames (a multiple of the 64-frame grid, as `chronus
/// render` uses): both channels, and the threads used.
fn render(song: &Song, bars: usize, jobs: usize, block: usize) -> (Vec<f32>, Vec<f32>, usize) {
    let options = RenderOptions {
        rate: 48_000,
        bars: Some(bars),
        jobs,
    };
    let mut source = OfflineRender::new(song, options);
    let threads = source.threads();
    let (l, r) = common::drain(&mut source, block);
    assert!(!source.failed());
    (l, r, threads)
}

fn demo(name: &str) -> Song {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("songs")
        .join(format!("{name}.yaml"));
    match Song::load(&path) {
        Ok((s, _)) => s,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn two_or_three_threads_write_the_same_samples_as_one() {
    // Ambient's pad follows a free-running LFO's cable in every engine.
    for name in ["techno", "breakbeat", "garden", "ambient"] {
        let song = demo(name);
        let (l1, r1, t1) = render(&song, 6, 1, 4096 + 64);
        assert_eq!(t1, 1);
        for jobs in [2, 3] {
            let (l, r, t) = render(&song, 6, jobs, 4096 + 64);
            eprintln!(
                "{name}: {} frames on {t} threads, {} on one",
                l.len(),
                l1.len()
            );
            assert_eq!(t, jobs, "{name}");
            assert_eq!(l.len(), l1.len(), "{name}: the song ends on the same frame");
            let same =
                |a: &[f32], b: &[f32]| a.iter().zip(b).all(|(x, y)| x.to_bits() == y.to_bits());
            assert!(same(&l, &l1) && same(&r, &r1), "{name} on {jobs} threads");
            assert!(l1.iter().any(|v| v.abs() > 0.1), "{name} sounds");
        }
    }
}

/// A song whose module follows a track's notes (an `env`) renders on one
/// thread; one with a free LFO on a cutoff and a drone to out, on two, the
/// same samples.
#[test]
fn modules_split_unless_they_follow_a_track() {
    let song = |module: &str| {
        common::song(&format!(
            "tempo: 120\ninstruments:\n  bass: {{ type: synth, osc: saw }}\n  k: {{ type: kick }}\n\
             modules:\n  m: {module}\n  drone: {{ type: osc, wave: sine, freq: 110, level: 0.05 }}\n\
             patches:\n  - {{ from: m, to: bass.cutoff, amount: 300 }}\n  - {{ from: drone, to: out }}\n\
             patterns:\n  a: {{ bass: \"C2 _ _ _\", k: \"x x x x\" }}\n"
        ))
    };
    for (module, split) in [
        (
            "{ type: env, track: bass, attack: 0.01, release: 0.2 }",
            false,
        ),
        ("{ type: lfo, rate: 2 }", true),
    ] {
        let song = song(module);
        let (l1, r1, _) = render(&song, 4, 1, 512);
        let (l, r, threads) = render(&song, 4, 2, 512);
        assert_eq!(threads, if split { 2 } else { 1 }, "{module}");
        assert!(l == l1 && r == r1, "{module}");
        assert!(l1.iter().any(|v| v.abs() > 0.1));
    }
}
