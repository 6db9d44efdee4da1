//! Render time of every demo song in songs/ (no file I/O): real-time
//! factor on one thread and with `--jobs` at every core, measured in the
//! same run (best of three each, interleaved), and the same for a song of
//! eight busy tracks.
//!
//! Run: `cargo bench --bench demo_songs`.

use chronus::backends::{AudioSource, Flow};
use chronus::render::{OfflineRender, RenderOptions};
use chronus::sequencer::Song;
use std::time::Instant;

/// Eight busy tracks: four saw pads through chorus and reverb, two FM
/// leads through delay, a kick and hats.
const EIGHT: &str = "tempo: 124
instruments:
  p1: { type: synth, osc: saw, polyphony: 8, release: 0.5, effects: [ { type: chorus }, { type: reverb } ] }
  p2: { type: synth, osc: saw, polyphony: 8, release: 0.5, detune: 7, effects: [ { type: chorus }, { type: reverb } ] }
  p3: { type: synth, osc: square, polyphony: 8, release: 0.5, effects: [ { type: distortion, drive: 6 }, { type: reverb } ] }
  p4: { type: synth, osc: saw, polyphony: 8, release: 0.5, cutoff: 2000, effects: [ { type: phaser }, { type: reverb } ] }
  f1: { type: fm, ratio: 3.5, index: 3, polyphony: 4, effects: [ { type: delay, time: 0.24 } ] }
  f2: { type: fm, ratio: 2, index: 2, polyphony: 4, effects: [ { type: delay, time: 0.36 } ] }
  k: { type: kick }
  h: { type: hihat }
patterns:
  a:
    p1: \"[C3,Eb3,G3,Bb3] _ [Ab2,C3,Eb3,G3] _\"
    p2: \"[C4,Eb4,G4] [Bb3,D4,F4] [Ab3,C4,Eb4] [G3,Bb3,D4]\"
    p3: \"C2*8\"
    p4: \"[G4,C5] _ [F4,Bb4] _\"
    f1: \"C5 Eb5 G5 Bb5 C6 Bb5 G5 Eb5\"
    f2: \"G4*4\"
    k: \"x x x x\"
    h: \"x*16\"
arrangement:
  - { pattern: a, repeat: 32 }
";

/// Seconds of audio and the best of three render times for each `jobs`.
fn time(song: &Song, jobs: &[usize]) -> (f64, Vec<f64>) {
    let mut best = vec![f64::INFINITY; jobs.len()];
    let mut frames = 0u64;
    for _ in 0..3 {
        for (b, &j) in best.iter_mut().zip(jobs) {
            let options = RenderOptions {
                jobs: j,
                ..RenderOptions::default()
            };
            let mut source = OfflineRender::new(song, options);
            let (mut l, mut r) = ([0.0f32; 64], [0.0f32; 64]);
            frames = 0;
            let start = Instant::now();
            loop {
                match source.process(&mut l, &mut r) {
                    Flow::Continue => frames += 64,
                    Flow::Finished { frames: n } => {
                        frames += n as u64;
                        break;
                    }
                }
            }
            *b = b.min(start.elapsed().as_secs_f64());
        }
    }
    (frames as f64 / 48_000.0, best)
}

fn report(name: &str, song: &Song, cores: usize) {
    let (seconds, best) = time(song, &[1, cores]);
    println!(
        "{name}: {seconds:.1} s of audio: {:.0}x real time on one thread, {:.0}x with --jobs {cores} ({:.2}x faster)",
        seconds / best[0],
        seconds / best[1],
        best[0] / best[1]
    );
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("songs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    paths.sort();
    match Song::from_yaml(EIGHT, "eight.yaml".as_ref()) {
        Ok((song, _)) => report("eight busy tracks", &song, cores),
        Err(e) => println!("{e}"),
    }
    for path in paths {
        let song = match Song::load(&path) {
            Ok((s, _)) => s,
            Err(e) => {
                println!("{e}");
                continue;
            }
        };
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        report(&name, &song, cores);
    }
}
