//! Render time of every demo song in songs/ (no file I/O): real-time factor.
//!
//! Run: `cargo bench --bench demo_songs`.

use chronus::backends::{AudioSource, Flow};
use chronus::render::{OfflineRender, RenderOptions};
use chronus::sequencer::Song;
use std::time::Instant;

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("songs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    paths.sort();
    for path in paths {
        let song = match Song::load(&path) {
            Ok((s, _)) => s,
            Err(e) => {
                println!("{e}");
                continue;
            }
        };
        let mut best = f64::INFINITY;
        let mut frames = 0u64;
        for _ in 0..3 {
            let mut source = OfflineRender::new(&song, RenderOptions::default());
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
            best = best.min(start.elapsed().as_secs_f64());
        }
        let seconds = frames as f64 / 48_000.0;
        println!(
            "{}: {:.1} s of audio rendered in {:.3} s: {:.0}x real time",
            path.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default(),
            seconds,
            best,
            seconds / best
        );
    }
}
