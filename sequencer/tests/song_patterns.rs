//! Patterns in songs: the Strudel notation plays, values that mean nothing
//! to their instrument are errors at their line and column, and plain low
//! numbers on a synth warn.

use chronus_sequencer::{EventKind, Schedule, Song};
use std::path::Path;

fn song(patterns: &str) -> Result<(Song, Vec<String>), String> {
    let src = format!(
        "tempo: 120\ninstruments:\n  kick: {{ type: kick }}\n  bass: {{ type: synth }}\npatterns:\n  a:\n{patterns}"
    );
    Song::from_yaml(&src, Path::new("t.yaml"))
        .map(|(s, w)| (s, w.into_iter().map(|w| w.to_string()).collect()))
        .map_err(|e| e.to_string())
}

/// Every event of `track` in the first `bars` bars (looping), sorted.
fn events(song: &Song, track: usize, bars: usize) -> Vec<chronus_sequencer::Event> {
    let mut s = Schedule::new(song, 48_000);
    s.set_looping(true);
    let mut out = Vec::new();
    for bar in 0..bars {
        s.bar_events(bar, &mut out);
    }
    chronus_sequencer::schedule::sort_events(&mut out);
    out.retain(|e| e.track == chronus_sequencer::TrackId::of_song_track(track));
    out
}

/// (frame, pitch) of every note-on of `track` in the first `bars` bars.
fn notes(song: &Song, track: usize, bars: usize) -> Vec<(u64, Option<f32>)> {
    events(song, track, bars)
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::NoteOn { pitch, .. } => Some((e.frame, pitch)),
            _ => None,
        })
        .collect()
}

#[test]
fn strudel_notation_plays_in_songs() {
    let (s, w) = song("    bass: \"{C2 Eb2 G2}%4 [C:maj | F:sus4]\"\n    kick: \"x(<3 5>,8)\"\n")
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{w:?}");
    // Bar 0 of 2 s: the polymeter's four steps fill the first half (0.25 s
    // each quarter of the half), then a three-note chord at 1 s.
    let bass = notes(&s, 1, 1);
    let frames: Vec<u64> = bass.iter().map(|n| n.0).collect();
    assert_eq!(frames[..4], [0, 12_000, 24_000, 36_000]);
    let pitches: Vec<Option<f32>> = bass.iter().map(|n| n.1).collect();
    assert_eq!(
        pitches[..4],
        [Some(36.0), Some(39.0), Some(43.0), Some(36.0)]
    );
    assert_eq!(&frames[4..], &[48_000, 48_000, 48_000]);
    // Euclid with a patterned pulse count: 3 hits in bar 0, 5 in bar 1.
    let kick = notes(&s, 0, 2);
    assert_eq!(kick.iter().filter(|n| n.0 < 96_000).count(), 3);
    assert_eq!(kick.iter().filter(|n| n.0 >= 96_000).count(), 5);
}

#[test]
fn values_that_mean_nothing_are_errors_at_their_place() {
    let e = song("    kick: \"x\"\n    bass: \"C2 bd sn\"\n").unwrap_err();
    assert!(
        e.starts_with("t.yaml:8:15: pattern `a.bass`: 'bd' is not a note"),
        "{e}"
    );
    assert!(e.contains("kit"), "{e}");
    let e = song("    bass: \"C:maj E:mni7\"\n").unwrap_err();
    assert!(
        e.contains("t.yaml:7:18:") && e.contains("unknown chord 'mni7'"),
        "{e}"
    );
}

#[test]
fn low_plain_numbers_on_a_synth_warn() {
    let (_, w) =
        song("    bass: \"0 2 4 7\"\n    kick: \"0 2\"\n").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("pattern `a.bass`") && w[0].contains("scale"),
        "{w:?}"
    );
}

#[test]
fn an_instrument_scale_makes_numbers_degrees() {
    let src = "tempo: 120\ninstruments:\n  bass: { type: synth, scale: \"D:dorian\" }\npatterns:\n  a:\n    bass: \"0 2 -1 7\"\n";
    let (s, w) = Song::from_yaml(src, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{w:?}");
    let pitches: Vec<Option<f32>> = notes(&s, 0, 1).into_iter().map(|n| n.1).collect();
    // D3 dorian: D3 F3, one degree below is C3, seven above is D4.
    assert_eq!(pitches, [Some(50.0), Some(53.0), Some(48.0), Some(62.0)]);
    let bad = src.replace("D:dorian", "D:dorain");
    let e = Song::from_yaml(&bad, Path::new("t.yaml"))
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("t.yaml:3:"), "{e}");
    assert!(
        e.contains("instruments.bass.scale: unknown scale 'dorain'"),
        "{e}"
    );
}

/// (frame, target, value) of every parameter event of `track` in `bars`.
fn params(
    song: &Song,
    track: usize,
    bars: usize,
) -> Vec<(u64, chronus_sequencer::ParamTarget, f32)> {
    events(song, track, bars)
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Param { target, value, .. } => Some((e.frame, target, value)),
            _ => None,
        })
        .collect()
}

#[test]
fn parameters_follow_patterns_on_the_notes_frames() {
    use chronus_sequencer::ParamTarget;
    let src = "tempo: 120\ninstruments:\n  bass:\n    type: synth\n    cutoff: \"<200 800>\"\n    pan: \"-1 1\"\n    gain: \"0 -6 -3 -6\"\npatterns:\n  a:\n    bass: \"C2*4\"\n";
    let (s, w) = Song::from_yaml(src, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{w:?}");
    let p = params(&s, 0, 2);
    let cutoff_index = chronus_sequencer::song::SynthSpec::PARAMS
        .iter()
        .position(|q| q.0 == "cutoff")
        .map(|i| i as u16);
    let of = |t: ParamTarget| -> Vec<(u64, f32)> {
        p.iter().filter(|x| x.1 == t).map(|x| (x.0, x.2)).collect()
    };
    let q = 24_000;
    // One value per note, on the note's frame; the structure is the notes'.
    let cutoff = of(ParamTarget::Instrument(cutoff_index.unwrap_or(0)));
    let expect: Vec<(u64, f32)> = (0..8)
        .map(|i| (i * q, if i < 4 { 200.0 } else { 800.0 }))
        .collect();
    assert_eq!(cutoff, expect);
    let pan = of(ParamTarget::Pan);
    let expect: Vec<(u64, f32)> = (0..8)
        .map(|i| (i * q, if i % 4 < 2 { -1.0 } else { 1.0 }))
        .collect();
    assert_eq!(pan, expect);
    let gain: Vec<f32> = of(ParamTarget::Gain).iter().map(|g| g.1).collect();
    assert_eq!(gain, [0.0, -6.0, -3.0, -6.0, 0.0, -6.0, -3.0, -6.0]);
    // The notes are still there, after their parameters on the same frame.
    assert_eq!(notes(&s, 0, 2).len(), 8);
}

#[test]
fn bad_parameter_patterns_are_located() {
    let base = "tempo: 120\ninstruments:\n  bass:\n    type: synth\n    cutoff: \"<200 x>\"\npatterns:\n  a:\n    bass: \"C2\"\n";
    let e = Song::from_yaml(base, Path::new("t.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("t.yaml:5:19: instruments.bass.cutoff:"),
        "{e}"
    );
    assert!(e.contains("expected a number"), "{e}");
    let e = Song::from_yaml(&base.replace("<200 x>", "<200 99999>"), Path::new("t.yaml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("out of range"), "{e}");
    let e = Song::from_yaml(
        &base.replace("cutoff: \"<200 x>\"", "polyphony: \"<2 4>\""),
        Path::new("t.yaml"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("rebuilds the instrument"), "{e}");
}

#[test]
fn signals_are_read_on_the_control_grid() {
    use chronus_sequencer::ParamTarget;
    let src = "tempo: 120\ninstruments:\n  bass:\n    type: synth\n    cutoff: \"sine.range(200, 2000).slow(2)\"\n    pan: saw.range(-1, 1)\npatterns:\n  a:\n    bass: \"C2\"\n";
    let (s, w) = Song::from_yaml(src, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{w:?}");
    let p = params(&s, 0, 2);
    let cutoff: Vec<(u64, f32)> = p
        .iter()
        .filter(|x| matches!(x.1, ParamTarget::Instrument(_)))
        .map(|x| (x.0, x.2))
        .collect();
    // Two bars of 96000 frames: 3000 readings, every 64 frames.
    assert_eq!(cutoff.len(), 3000);
    assert!(cutoff.iter().enumerate().all(|(i, c)| c.0 == i as u64 * 64));
    let at = |frame: u64| cutoff[(frame / 64) as usize].1;
    // sine over two bars: mid at 0, top at half a bar, bottom at 1.5 bars.
    assert!((at(0) - 1100.0).abs() < 0.01, "{}", at(0));
    assert!((at(48_000) - 2000.0).abs() < 0.01, "{}", at(48_000));
    assert!((at(144_000) - 200.0).abs() < 0.01, "{}", at(144_000));
    let pan: Vec<f32> = p
        .iter()
        .filter(|x| x.1 == ParamTarget::Pan)
        .map(|x| x.2)
        .collect();
    assert!(
        (pan[0] + 1.0).abs() < 1e-6 && (pan[750] - 0.0).abs() < 1e-3,
        "{} {}",
        pan[0],
        pan[750]
    );
    let e = Song::from_yaml(
        &src.replace("range(200, 2000)", "range(200, 99999)"),
        Path::new("t.yaml"),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("out of its range"), "{e}");
}

#[test]
fn a_sampler_file_is_found_beside_the_song_or_named_in_the_error() {
    let dir = std::env::temp_dir().join(format!("chronus-sampler-song-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let src = "tempo: 120\ninstruments:\n  p:\n    type: sampler\n    file: missing.wav\npatterns:\n  a:\n    p: \"C4\"\n";
    let song = dir.join("s.yaml");
    let e = Song::from_yaml(src, &song).unwrap_err().to_string();
    assert!(
        e.contains("s.yaml:5:11: instruments.p.file: cannot find"),
        "{e}"
    );
    assert!(e.contains("missing.wav"), "{e}");
    // Beside the song it is found, whatever the working folder.
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w =
        hound::WavWriter::create(dir.join("missing.wav"), spec).unwrap_or_else(|e| panic!("{e}"));
    for i in 0..100 {
        w.write_sample((i * 100) as i16)
            .unwrap_or_else(|e| panic!("{e}"));
    }
    w.finalize().unwrap_or_else(|e| panic!("{e}"));
    let (s, _) = Song::from_yaml(src, &song).unwrap_or_else(|e| panic!("{e}"));
    match &s.tracks[0].spec {
        chronus_sequencer::song::InstrumentSpec::Sampler(p) => {
            assert!(std::path::Path::new(&p.file).is_absolute(), "{}", p.file);
        }
        other => panic!("{other:?}"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A folder in Dirt-Samples layout: `bd/` with two files, `sn/` and `zap/`
/// with one each (tiny 16-bit WAVs).
fn sample_folder(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("chronus-kit-{tag}-{}", std::process::id()));
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    for (name, file) in [
        ("bd", "b.wav"),
        ("bd", "a.wav"),
        ("sn", "x.wav"),
        ("zap", "y.wav"),
    ] {
        let sub = dir.join(name);
        std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
        let mut w =
            hound::WavWriter::create(sub.join(file), spec).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..480 {
            w.write_sample(((i % 48) * 500) as i16)
                .unwrap_or_else(|e| panic!("{e}"));
        }
        w.finalize().unwrap_or_else(|e| panic!("{e}"));
    }
    std::fs::write(dir.join("bd").join("notes.txt"), "not a sample")
        .unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn a_kit_sample_folder_adds_and_overrides_names() {
    let dir = sample_folder("song");
    let src = format!(
        "tempo: 120\ninstruments:\n  drums: {{ type: kit, samples: {} }}\npatterns:\n  a:\n    drums: \"bd:1 sn zap hh bd:2\"\n",
        dir.display()
    );
    let (s, w) = Song::from_yaml(&src, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{w:?}");
    let pitches: Vec<Option<f32>> = notes(&s, 0, 1).into_iter().map(|n| n.1).collect();
    // Files in name order: bd/a.wav 128, bd/b.wav 129, sn/x.wav 130,
    // zap/y.wav 131; hh is not in the folder and stays the kit's own (42);
    // bd:2 wraps to bd:0.
    assert_eq!(
        pitches,
        [
            Some(129.0),
            Some(130.0),
            Some(131.0),
            Some(42.0),
            Some(128.0)
        ]
    );
    let e = Song::from_yaml(
        &src.replace(&dir.display().to_string(), "/nope/none"),
        Path::new("t.yaml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("instruments.drums.samples: cannot find the folder"),
        "{e}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn effect_parameters_follow_patterns_with_the_engines_effect_ids() {
    use chronus_sequencer::{EffectId, ParamTarget};
    let src = "tempo: 120\ninstruments:\n  a:\n    type: synth\n    effects:\n      - { type: delay }\n      - { type: reverb }\n  b:\n    type: synth\n    effects:\n      - type: filter\n        cutoff: \"<300 3000>\"\npatterns:\n  p:\n    a: \"C2\"\n    b: \"C2*2\"\n";
    let (s, w) = Song::from_yaml(src, Path::new("t.yaml")).unwrap_or_else(|e| panic!("{e}"));
    assert!(w.is_empty(), "{w:?}");
    let cutoff = chronus_sequencer::song::FilterSpec::PARAMS
        .iter()
        .position(|q| q.0 == "cutoff")
        .unwrap_or(0) as u16;
    // b's filter is the song's third effect (a has two): id 2.
    let target = ParamTarget::Effect {
        effect: EffectId(2),
        param: cutoff,
    };
    let p: Vec<(u64, f32)> = params(&s, 1, 2)
        .into_iter()
        .filter(|x| x.1 == target)
        .map(|x| (x.0, x.2))
        .collect();
    assert_eq!(
        p,
        [
            (0, 300.0),
            (48_000, 300.0),
            (96_000, 3000.0),
            (144_000, 3000.0)
        ]
    );
    let bad = src.replace("cutoff: \"<300 3000>\"", "cutoff: \"<300 x>\"");
    let e = Song::from_yaml(&bad, Path::new("t.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.starts_with("t.yaml:12:23: instruments.b.effects[0].cutoff:"),
        "{e}"
    );
    let bad = src.replace(
        "- { type: reverb }",
        "- { type: reverb, size: \"<0.2 0.9>\" }",
    );
    let e = Song::from_yaml(&bad, Path::new("t.yaml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("instruments.a.effects[1].size") && e.contains("rebuilds the effect"),
        "{e}"
    );
}
