//! The state of one scenario: the song being built, the last render, the
//! last run of the binary and its scratch folder.

use crate::common;
use crate::common::Scratch;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// A song assembled by the Given steps, written out as YAML when needed.
#[derive(Clone, Debug, Default)]
pub struct SongText {
    pub tempo: f64,
    pub meter: Option<u32>,
    pub swing: Option<f64>,
    pub seed: Option<u64>,
    /// `(name, flow mapping body without braces)`.
    pub instruments: Vec<(String, String)>,
    /// `(pattern name, [(instrument, pattern text)])`.
    pub patterns: Vec<(String, Vec<(String, String)>)>,
    /// `(pattern name, repeat)`; none means each pattern once.
    pub arrangement: Vec<(String, u32)>,
}

impl SongText {
    /// One instrument playing one pattern called `a`.
    pub fn single(tempo: f64, name: &str, body: &str, pattern: &str) -> Self {
        SongText {
            tempo,
            instruments: vec![(name.into(), body.into())],
            patterns: vec![("a".into(), vec![(name.into(), pattern.into())])],
            ..SongText::default()
        }
    }

    /// Append `, extra` to the body of instrument `name`.
    pub fn add_param(&mut self, name: &str, extra: &str) {
        let body = &mut self
            .instruments
            .iter_mut()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("no instrument {name}"))
            .1;
        body.push_str(", ");
        body.push_str(extra);
    }

    /// Beats per bar.
    pub fn beats_per_bar(&self) -> u32 {
        self.meter.unwrap_or(4)
    }

    /// Number of bars the arrangement plays.
    pub fn bar_count(&self) -> usize {
        if self.arrangement.is_empty() {
            self.patterns.len()
        } else {
            self.arrangement.iter().map(|(_, r)| *r as usize).sum()
        }
    }

    /// Frames per bar at `rate` (not rounded).
    pub fn bar_frames(&self, rate: u32) -> f64 {
        f64::from(self.beats_per_bar()) * 60.0 / self.tempo * f64::from(rate)
    }

    /// The song file. Patterns go one lane per line, so that a pattern's
    /// text starts at a known column: line 6, column 12 for a single
    /// instrument playing a single pattern.
    pub fn yaml(&self) -> String {
        let mut y = format!("tempo: {}\n", self.tempo);
        let mut extra = String::new();
        if let Some(m) = self.meter {
            extra.push_str(&format!("meter: {m}\n"));
        }
        if let Some(s) = self.swing {
            extra.push_str(&format!("swing: {s}\n"));
        }
        if let Some(s) = self.seed {
            extra.push_str(&format!("seed: {s}\n"));
        }
        y.push_str("instruments:\n");
        for (name, body) in &self.instruments {
            y.push_str(&format!("  {name}: {{ {body} }}\n"));
        }
        y.push_str("patterns:\n");
        for (name, lanes) in &self.patterns {
            y.push_str(&format!("  {name}:\n"));
            for (inst, text) in lanes {
                y.push_str(&format!("    {inst}: \"{text}\"\n"));
            }
        }
        if !self.arrangement.is_empty() {
            y.push_str("arrangement:\n");
            for (name, repeat) in &self.arrangement {
                y.push_str(&format!("  - {{ pattern: {name}, repeat: {repeat} }}\n"));
            }
        }
        // Song-level extras after everything, so that line numbers above
        // stay put.
        y.push_str(&extra);
        y
    }

    /// Parse it through the library (the song is ours: panics if invalid).
    pub fn song(&self) -> chronus::sequencer::Song {
        common::song(&self.yaml())
    }
}

/// What one run of the binary did.
#[derive(Debug, Clone)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn show(&self) -> String {
        format!(
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }

    /// Lines of stderr that are not `warning:` lines.
    pub fn error_lines(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| !l.starts_with("warning: "))
            .collect()
    }
}

/// Run the real `chronus` binary.
pub fn chronus<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_chronus"))
        .args(args)
        .output()
        .expect("run chronus");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A WAV file read back.
#[derive(Clone)]
pub struct Wav {
    pub spec: hound::WavSpec,
    /// Interleaved samples, as read (24-bit integers or float bits).
    pub ints: Vec<i32>,
    pub floats: Vec<f32>,
}

impl Wav {
    pub fn read(path: &Path) -> Wav {
        let mut reader = hound::WavReader::open(path)
            .unwrap_or_else(|e| panic!("{} is not a WAV file: {e}", path.display()));
        let spec = reader.spec();
        let (ints, floats) = match spec.sample_format {
            hound::SampleFormat::Int => (
                reader
                    .samples::<i32>()
                    .map(|s| s.expect("sample"))
                    .collect(),
                Vec::new(),
            ),
            hound::SampleFormat::Float => (
                Vec::new(),
                reader
                    .samples::<f32>()
                    .map(|s| s.expect("sample"))
                    .collect(),
            ),
        };
        Wav { spec, ints, floats }
    }

    /// Frames in the file.
    pub fn frames(&self) -> usize {
        (self.ints.len() + self.floats.len()) / usize::from(self.spec.channels)
    }

    /// The left channel as floats (integers scaled to -1..1).
    pub fn left(&self) -> Vec<f32> {
        let ch = usize::from(self.spec.channels);
        if self.floats.is_empty() {
            let full = ((1i64 << (self.spec.bits_per_sample - 1)) - 1) as f32;
            self.ints
                .iter()
                .step_by(ch)
                .map(|&s| s as f32 / full)
                .collect()
        } else {
            self.floats.iter().step_by(ch).copied().collect()
        }
    }
}

impl fmt::Debug for Wav {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Wav({:?}, {} frames)", self.spec, self.frames())
    }
}

/// Audio rendered through the library.
#[derive(Clone, Default)]
pub struct Audio {
    pub rate: u32,
    pub left: Vec<f32>,
    pub right: Vec<f32>,
}

impl fmt::Debug for Audio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Audio({} frames at {} Hz)", self.left.len(), self.rate)
    }
}

/// Render a song through the library at `rate` in blocks of `block`.
pub fn render(song: &SongText, rate: u32, block: usize) -> Audio {
    let (left, right) = common::render_blocks(&song.song(), rate, None, block);
    Audio { rate, left, right }
}

/// One scenario's state.
#[derive(Debug, Default, cucumber::World)]
pub struct Chronus {
    /// The song the Given steps built.
    pub song: SongText,
    /// A second song, for comparisons.
    pub second: Option<SongText>,
    /// The last library render (and the second one, when there are two).
    pub audio: Option<Audio>,
    pub other: Option<Audio>,
    /// Scratch folder for files and runs of the binary.
    pub scratch: Option<Scratch>,
    /// The song file given to the binary, when it is a fixture.
    pub song_file: Option<PathBuf>,
    /// The output file passed with `-o`.
    pub out_file: Option<PathBuf>,
    /// Bytes written to the output file before the run.
    pub out_before: Option<Vec<u8>>,
    /// Entries of the scratch folder before the run.
    pub listing_before: Vec<String>,
    /// The last run of the binary.
    pub run: Option<Run>,
    /// The WAV file it wrote.
    pub wav: Option<Wav>,
    /// Two files rendered from the same song.
    pub pair: Option<(Vec<u8>, Vec<u8>)>,
}

impl Chronus {
    pub fn scratch(&mut self) -> &Path {
        &self
            .scratch
            .get_or_insert_with(|| Scratch::new("specs"))
            .dir
    }

    /// The song file for the binary: the fixture, or the built song written out.
    pub fn song_path(&mut self) -> PathBuf {
        if let Some(p) = &self.song_file {
            return p.clone();
        }
        let yaml = self.song.yaml();
        let path = self.scratch().join("song.yaml");
        std::fs::write(&path, yaml).expect("write song");
        self.song_file = Some(path.clone());
        path
    }

    pub fn audio(&self) -> &Audio {
        self.audio.as_ref().expect("nothing was rendered")
    }

    pub fn run(&self) -> &Run {
        self.run.as_ref().expect("chronus was not run")
    }

    pub fn wav(&self) -> &Wav {
        self.wav.as_ref().expect("no WAV file was read")
    }
}
