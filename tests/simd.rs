//! The kernels compiled for each SIMD level (`chronus_dsp::simd`) sound the
//! same bit for bit: the real binary renders every demo song with
//! `CHRONUS_SIMD` capped at each level this CPU has, and the WAV files are
//! compared byte for byte.

mod common;

use chronus::dsp::simd::{detected, Level};
use common::Scratch;
use std::path::PathBuf;
use std::process::Command;

#[test]
fn every_simd_level_renders_the_demo_songs_byte_for_byte_alike() {
    let levels: Vec<Level> = [Level::Baseline, Level::Avx2, Level::Avx512]
        .into_iter()
        .filter(|l| *l <= detected())
        .collect();
    eprintln!(
        "levels compared: {}",
        levels
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(", ")
    );
    let dir = Scratch::new("simd");
    let songs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("songs");
    for song in ["ambient", "breakbeat", "garden", "modular", "techno"] {
        let path = songs.join(format!("{song}.yaml"));
        let mut files = Vec::new();
        for level in &levels {
            let out = dir.dir.join(format!("{song}-{}.wav", level.name()));
            let run = Command::new(env!("CARGO_BIN_EXE_chronus"))
                .arg("render")
                .arg(&path)
                .arg("-o")
                .arg(&out)
                .args(["--bars", "6", "--float"])
                .env("CHRONUS_SIMD", level.name())
                .output()
                .expect("run chronus render");
            assert!(
                run.status.success(),
                "{song} at {}: {}",
                level.name(),
                String::from_utf8_lossy(&run.stderr)
            );
            // The cap took effect: the render says which level it ran at.
            let said = String::from_utf8_lossy(&run.stdout);
            assert!(
                said.contains(&format!(", {})", level.name())),
                "{song} at {}: {said}",
                level.name()
            );
            files.push(std::fs::read(&out).expect("the rendered file"));
        }
        let first = common::wav::read(&dir.dir.join(format!("{song}-baseline.wav")));
        let peak = first
            .left
            .iter()
            .chain(&first.right)
            .fold(0.0f32, |m, x| m.max(x.abs()));
        assert!(peak > 0.01, "{song}: silent (peak {peak})");
        for (level, file) in levels.iter().zip(&files).skip(1) {
            let first = files[0].iter().zip(file).position(|(a, b)| a != b);
            assert!(
                file.len() == files[0].len() && first.is_none(),
                "{song}: {} differs from baseline (first at byte {first:?})",
                level.name()
            );
        }
        eprintln!("{song}: {} bytes, the same at every level", files[0].len());
    }
}

#[test]
fn an_unknown_simd_level_is_named_and_the_cpus_is_used() {
    let run = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(["check", "songs/techno.yaml"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CHRONUS_SIMD", "sse9")
        .output()
        .expect("run chronus check");
    let said = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{said}");
    assert!(
        said.contains(&format!(
            "warning: CHRONUS_SIMD=sse9: expected baseline, avx2 or avx512; using {}",
            chronus::dsp::simd::preferred().name()
        )),
        "{said}"
    );
}
