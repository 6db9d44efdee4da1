//! What the AI partner's ears cost, on every demo song in songs/: `listen`
//! of the last 4 bars of the master (and of one tapped instrument), and
//! `preview bars=4` (the session rendered offline from the next bar through
//! the live engine, then measured). Each command is timed as a session runs
//! it, reply text included. Targets: listen under 50 ms, preview under
//! 300 ms.
//!
//! Run: `cargo bench --bench partner`.

use chronus::live::manual::ManualLive;
use chronus::sequencer::Song;
use std::time::Instant;

/// Times each command is run; the median and the best are reported.
const RUNS: usize = 7;

/// Run `line` `RUNS` times: (median, best) in ms.
fn time(live: &mut ManualLive, line: &str) -> (f64, f64) {
    let mut ms: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            let reply = live.session.execute(line);
            let took = start.elapsed().as_secs_f64() * 1e3;
            assert!(reply.ok, "{line}: {}", reply.line());
            took
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[0])
}

fn main() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("songs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    paths.sort();
    let scratch =
        std::env::temp_dir().join(format!("chronus-bench-partner-{}", std::process::id()));
    println!("median (best) of {RUNS} runs, ms");
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let song = match Song::load(&path) {
            Ok((s, _)) => s,
            Err(e) => {
                println!("{name}: {e}");
                continue;
            }
        };
        let mut live = ManualLive::new(48_000, 256, scratch.join("patches"));
        live.listen();
        let reply = live.session.load_song(&song);
        assert!(reply.ok, "{name}: {}", reply.line());
        // A pitched instrument to tap, when the song has one.
        let tapped = song
            .tracks
            .iter()
            .find(|t| t.spec.is_pitched())
            .map(|t| t.name.clone());
        if let Some(t) = &tapped {
            let reply = live.session.execute(&format!("listen {t}"));
            assert!(reply.ok, "{name}: {}", reply.line());
        }
        // Five bars in: four whole ones behind the last bar line.
        let to = live.bar_frame(5) + 4800;
        let (mut l, mut r) = (Vec::new(), Vec::new());
        while live.frame() < to {
            l.clear();
            r.clear();
            live.render(48_000.min(to - live.frame()), (&mut l, &mut r));
        }
        let (lm, lb) = time(&mut live, "listen bars=4");
        let track = tapped
            .as_ref()
            .map(|t| time(&mut live, &format!("listen {t} bars=4")));
        let (pm, pb) = time(&mut live, "preview bars=4");
        // Of which: the render alone (the same bars, no analysis).
        let mut render_ms: Vec<f64> = (0..3)
            .map(|_| {
                let start = Instant::now();
                let r =
                    chronus::listen::offline::render(&song, 48_000, 6, 4, None, scratch.clone());
                assert!(r.is_ok(), "{name}: the render");
                start.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        render_ms.sort_by(f64::total_cmp);
        let four_bars = (live.bar_frame(10) - live.bar_frame(6)) as f64 / 48.0;
        let track = track.map_or(String::new(), |(m, b)| {
            format!(
                ", listen {} bars=4 {m:.1} ({b:.1})",
                tapped.as_deref().unwrap_or_default()
            )
        });
        println!(
            "{name}: {} tracks, 4 bars {:.2} s; listen bars=4 {lm:.1} ({lb:.1}){track}; preview bars=4 {pm:.1} ({pb:.1}), its render alone {:.1}",
            song.tracks.len(),
            four_bars / 1e3,
            render_ms[1]
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
