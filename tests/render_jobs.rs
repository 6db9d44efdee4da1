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
    for name in ["techno", "breakbeat", "garden"] {
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

#[test]
fn a_song_with_modules_renders_on_one_thread() {
    let song = common::song(
        "tempo: 120\ninstruments:\n  bass: { type: synth, osc: saw }\n  k: { type: kick }\n\
         modules:\n  wob: { type: lfo, rate: 2 }\npatches:\n  - { from: wob, to: bass.cutoff, amount: 300 }\n\
         patterns:\n  a: { bass: \"C2 _ _ _\", k: \"x x x x\" }\n",
    );
    let (l1, _, _) = render(&song, 2, 1, 512);
    let (l, _, threads) = render(&song, 2, 2, 512);
    assert_eq!(threads, 1);
    assert_eq!(l, l1);
}
