//! The song model: YAML song files, validated and compiled.
//!
//! See `docs/songs.md` for the format. Loading checks everything a render
//! needs (types, keys, note names, patterns, references) and reports the
//! first problem as one line with `file:line:column`; out-of-range values are
//! clamped with a [`Warning`].

mod arrangement;
pub mod bars;
mod decode;
mod effect;
mod error;
mod instrument;
pub mod kit_samples;
mod locate;
mod midi;
pub mod modulation;
pub mod modules;
mod note_value;
pub(crate) mod params;
pub mod sample_file;
pub mod suggest;
pub use bars::Bars;
mod timing;
mod unique_map;
mod wording;

use unique_map::UniqueMap;

pub use arrangement::ArrangementEntry;
pub use effect::*;
pub use error::{Location, SongError, Warning};
pub use instrument::*;
pub use midi::{MapCurve, MapSource, MidiMap, MidiOutRoute, MidiRoute, MidiSetup};

use crate::event::EffectId;
use crate::pattern::{self, ParamLane, Pattern};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The file as written, before validation.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a song: a mapping with tempo, instruments, patterns and arrangement"
)]
struct SongFile {
    title: Option<String>,
    tempo: f64,
    #[serde(default = "default_meter")]
    meter: f64,
    #[serde(default)]
    swing: f64,
    #[serde(default)]
    seed: u64,
    #[serde(default)]
    master_gain: f64,
    /// Read one by one (see `decode`), so errors name the instrument.
    instruments: UniqueMap<serde_yaml_ng::Value>,
    #[serde(default)]
    patterns: UniqueMap<UniqueMap<String>>,
    arrangement: Option<Vec<ArrangementEntry>>,
    /// Instruments played from MIDI, controller maps.
    #[serde(default)]
    midi: midi::MidiFile,
    /// Changes of tempo after the start, in order.
    #[serde(default)]
    tempo_changes: Vec<timing::TempoChangeFile>,
    /// Modules: sound makers, shapers and modulators.
    #[serde(default)]
    modules: UniqueMap<serde_yaml_ng::Value>,
    /// Chains of modules to out, and cables from modules to parameters.
    #[serde(default)]
    patches: Vec<modulation::PatchFile>,
    /// Sends to return buses: `{ bass: { reverb: 0.3 } }`.
    #[serde(default)]
    sends: UniqueMap<UniqueMap<f64>>,
}

fn default_meter() -> f64 {
    4.0
}

/// One instrument of a song, with its name: a mixer track.
#[derive(Clone, Debug, PartialEq)]
pub struct Track {
    /// The instrument's name (its key under `instruments:`).
    pub name: String,
    /// Its type and parameters (clamped into range).
    pub spec: InstrumentSpec,
    /// Parameters that follow patterns (`cutoff: "<200 800>"`), with the
    /// text as written; every pattern of the track drives them.
    pub params: Vec<ParamLane>,
}

/// One lane of a pattern block: which track plays which pattern.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    /// Index into [`Song::tracks`].
    pub track: usize,
    /// The pattern text as written.
    pub source: String,
    /// The parsed pattern.
    pub pattern: Pattern,
}

/// A named block of lanes, one bar (cycle) long: an entry of `patterns:`.
#[derive(Clone, Debug, PartialEq)]
pub struct SongPattern {
    /// The block's name.
    pub name: String,
    /// Its lanes, in file order.
    pub lanes: Vec<Lane>,
}

/// A validated song, ready to schedule.
#[derive(Clone, Debug, PartialEq)]
pub struct Song {
    /// Title, when given.
    pub title: Option<String>,
    /// Beats per minute (20..400).
    pub tempo: f64,
    /// Beats per bar (1..32).
    pub meter: u32,
    /// Swing 0..0.5: every second sixteenth is delayed by this fraction of a sixteenth.
    pub swing: f64,
    /// Seed for `?` (random drops) in patterns.
    pub seed: u64,
    /// Level of the master bus in dB (-60..24), before the limiter.
    pub master_gain: f64,
    /// Instruments in file order.
    pub tracks: Vec<Track>,
    /// Pattern blocks in file order.
    pub patterns: Vec<SongPattern>,
    /// The bars in order: each entry indexes [`Song::patterns`].
    pub bars: Bars,
    /// Instruments played from MIDI, controller maps.
    pub midi: MidiSetup,
    /// Where the meter changes: `(bar, beats per bar)` from that bar
    /// (0-based) on, in bar order; bars before the first use `meter`.
    pub meters: Vec<(usize, u32)>,
    /// Tempo changes after the start: `(beat from the song's start, BPM)`,
    /// in order.
    pub tempo_changes: Vec<(f64, f64)>,
    /// Modules and the cables from them to parameters.
    pub modulation: modulation::Modulation,
}

impl Song {
    /// Read and validate a song file.
    ///
    /// # Errors
    /// [`SongError::Io`] when the file cannot be read, [`SongError::Invalid`]
    /// (with line and column where known) when it is not a valid song.
    pub fn load(path: &Path) -> Result<(Song, Vec<Warning>), SongError> {
        let src = std::fs::read_to_string(path).map_err(|source| SongError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Song::from_yaml(&src, path)
    }

    /// Parse and validate song text; `path` is only used in messages.
    ///
    /// # Errors
    /// [`SongError::Invalid`] naming `path`, line and column, and what was expected.
    ///
    /// ```
    /// use chronus_sequencer::Song;
    /// let src = "tempo: 120\ninstruments:\n  kick: { type: kick }\npatterns:\n  a: { kick: \"x x x x\" }\n";
    /// let (song, warnings) = Song::from_yaml(src, "demo.yaml".as_ref()).unwrap();
    /// assert_eq!(song.bars, vec![0]);
    /// assert!(warnings.is_empty());
    /// ```
    pub fn from_yaml(src: &str, path: &Path) -> Result<(Song, Vec<Warning>), SongError> {
        Song::from_yaml_with(src, path, &[])
    }

    /// [`Song::from_yaml`], with user module definitions already at hand
    /// (a session's, written out as a song): a module whose definition is
    /// in `known` is not looked for in a file.
    ///
    /// # Errors
    /// As [`Song::from_yaml`].
    pub fn from_yaml_with(
        src: &str,
        path: &Path,
        known: &[modulation::ModuleSource],
    ) -> Result<(Song, Vec<Warning>), SongError> {
        let file: SongFile = serde_yaml_ng::from_str(src).map_err(|e| yaml_error(src, path, &e))?;
        Compiler { src, path, known }.compile(file)
    }

    /// Number of bars in the arrangement.
    pub fn bar_count(&self) -> usize {
        self.bars.len()
    }

    /// Index of the track called `name`.
    pub fn track_index(&self, name: &str) -> Option<usize> {
        self.tracks.iter().position(|t| t.name == name)
    }
}

fn yaml_error(src: &str, path: &Path, e: &serde_yaml_ng::Error) -> SongError {
    let mut message = e.to_string();
    let mut location = e.location().map(|l| Location {
        line: l.line(),
        column: l.column(),
    });
    if let Some(l) = location {
        // serde_yaml appends " at line L column C"; we print it first. (An
        // earlier " at line" belongs to libyaml's context: keep it.)
        let here = format!(" at line {} column {}", l.line, l.column);
        if let Some(i) = message.find(&here) {
            message.replace_range(i..i + here.len(), "");
        }
        // A slip inside an instrument (a tab, a line indented too far)
        // names the instrument.
        if !message.starts_with("instruments") {
            if let Some(name) = locate::enclosing_entry(src, "instruments", l.line) {
                message = format!("instruments.{name}: {message}");
            }
        }
        if let Some(dup) = locate::duplicate_key(src, l, &message) {
            location = Some(dup);
        } else if let Some((better, text)) = locate::refine(src, l, &message) {
            location = Some(better);
            message = text;
        }
    }
    SongError::Invalid {
        path: path.to_path_buf(),
        location,
        message: wording::in_song_terms(&message),
    }
}

struct Compiler<'a> {
    src: &'a str,
    path: &'a Path,
    /// User module definitions given, not to be read from files.
    known: &'a [modulation::ModuleSource],
}

impl Compiler<'_> {
    /// The parameter patterns of instrument `name`, each located at its
    /// key when it is wrong; effects numbered from `first_effect`.
    fn param_lanes(
        &self,
        name: &str,
        spec: &InstrumentSpec,
        texts: Vec<decode::PatternText>,
        first_effect: u32,
    ) -> Result<Vec<ParamLane>, SongError> {
        let mut lanes = Vec::new();
        for (fx, key, text) in texts {
            let (lane, shown, path) = match fx {
                None => (
                    ParamLane::new(spec, &key, &text),
                    key.clone(),
                    vec![locate::PathStep::Key(&key)],
                ),
                Some(i) => (
                    ParamLane::for_effect(
                        &spec.effects()[i],
                        i,
                        EffectId(first_effect + i as u32),
                        &key,
                        &text,
                    ),
                    format!("effects[{i}].{key}"),
                    vec![
                        locate::PathStep::Key("effects"),
                        locate::PathStep::Item(i),
                        locate::PathStep::Key(&key),
                    ],
                ),
            };
            let lane = lane.map_err(|e| {
                let mut full = vec![
                    locate::PathStep::Key("instruments"),
                    locate::PathStep::Key(name),
                ];
                full.extend(path);
                let location = locate::locate_path(self.src, &full, false).map(|l| Location {
                    line: l.line,
                    column: l.column + e.column.saturating_sub(1),
                });
                self.error(
                    location,
                    format!("instruments.{name}.{shown}: {}", e.message),
                )
            })?;
            lanes.push(lane);
        }
        Ok(lanes)
    }

    /// A mistake inside instrument `name`, located at its key path.
    fn mistake(&self, name: &str, m: &decode::Mistake) -> SongError {
        let mut path = vec![
            locate::PathStep::Key("instruments"),
            locate::PathStep::Key(name),
        ];
        path.extend(m.path.iter().map(|s| match s {
            decode::Step::Key(k) => locate::PathStep::Key(k),
            decode::Step::Item(i) => locate::PathStep::Item(*i),
        }));
        let shown = m.shown();
        let key = if shown.is_empty() {
            format!("instruments.{name}")
        } else {
            format!("instruments.{name}.{shown}")
        };
        // An unknown key, or a whole entry that is wrong, is shown at the
        // key; a bad value at the value.
        let at_key = m.path.is_empty() || m.message.starts_with("unknown field");
        self.error(
            locate::locate_path(self.src, &path, at_key),
            format!("{key}: {}", m.message),
        )
    }

    fn error(&self, location: Option<Location>, message: String) -> SongError {
        SongError::Invalid {
            path: PathBuf::from(self.path),
            location,
            message,
        }
    }

    fn compile(&self, file: SongFile) -> Result<(Song, Vec<Warning>), SongError> {
        let mut warnings = Vec::new();
        let mut tempo = file.tempo;
        params::clamp_param(&mut tempo, 20.0, 400.0, "song", "tempo", &mut warnings);
        let mut meter = file.meter;
        params::clamp_param(&mut meter, 1.0, 32.0, "song", "meter", &mut warnings);
        if meter.fract() != 0.0 {
            let whole = meter.round();
            warnings.push(Warning {
                message: format!(
                    "song.meter = {meter} is not a whole number of beats; using {whole}"
                ),
            });
            meter = whole;
        }
        let mut swing = file.swing;
        params::clamp_param(&mut swing, 0.0, 0.5, "song", "swing", &mut warnings);
        let mut master_gain = file.master_gain;
        params::clamp_param(
            &mut master_gain,
            -60.0,
            24.0,
            "song",
            "master_gain",
            &mut warnings,
        );

        if file.instruments.0.is_empty() {
            return Err(self.error(
                locate::locate(self.src, &["instruments"]),
                "no instruments: expected at least one entry under `instruments:`".into(),
            ));
        }
        let mut tracks: Vec<Track> = Vec::with_capacity(file.instruments.0.len());
        // Effects are numbered across the song's tracks, as the engine
        // numbers them when it builds the song.
        let mut first_effect = 0u32;
        for (name, value) in file.instruments.0 {
            let (mut spec, texts) =
                decode::instrument(value).map_err(|m| self.mistake(&name, &m))?;
            spec.clamp(&format!("instruments.{name}"), &mut warnings);
            if let InstrumentSpec::Sampler(s) = &mut spec {
                let base = self.path.parent().unwrap_or(Path::new("."));
                let path = sample_file::resolve(&s.file, base).map_err(|e| {
                    self.error(
                        locate::locate(self.src, &["instruments", &name, "file"])
                            .or_else(|| locate::locate(self.src, &["instruments", &name])),
                        format!("instruments.{name}.file: {e}"),
                    )
                })?;
                s.file = path.to_string_lossy().into_owned();
            }
            if let InstrumentSpec::Kit(k) = &mut spec {
                if let Some(dir) = &k.samples {
                    let base = self.path.parent().unwrap_or(Path::new("."));
                    let dir = if Path::new(dir).is_absolute() {
                        PathBuf::from(dir)
                    } else {
                        base.join(dir)
                    };
                    kit_samples::scan(&dir).map_err(|e| {
                        self.error(
                            locate::locate(self.src, &["instruments", &name, "samples"]),
                            format!("instruments.{name}.samples: {e}"),
                        )
                    })?;
                    k.samples = Some(dir.to_string_lossy().into_owned());
                }
            }
            let params = self.param_lanes(&name, &spec, texts, first_effect)?;
            first_effect += spec.effects().len() as u32;
            tracks.push(Track { name, spec, params });
        }
        let names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
        let mut pitches = Vec::with_capacity(tracks.len());
        for t in &tracks {
            pitches.push(t.spec.pitches().map_err(|e| {
                self.error(
                    locate::locate(self.src, &["instruments", &t.name, "scale"]),
                    format!("instruments.{}.scale: {e}", t.name),
                )
            })?);
        }

        if file.patterns.0.is_empty() {
            return Err(self.error(
                None,
                "no patterns: expected a `patterns:` mapping with at least one pattern".into(),
            ));
        }
        let mut patterns = Vec::new();
        for (pname, lanes_in) in file.patterns.0 {
            let mut lanes = Vec::new();
            for (iname, source) in lanes_in.0 {
                let here = locate::locate(self.src, &["patterns", &pname, &iname]);
                let Some(track) = names.iter().position(|n| *n == iname) else {
                    return Err(self.error(
                        here,
                        format!(
                            "pattern `{pname}` names unknown instrument `{iname}`{}",
                            suggest::did_you_mean(&iname, &names)
                        ),
                    ));
                };
                let at = |e: pattern::PatternError| {
                    let location = here.map(|l| Location {
                        line: l.line,
                        column: l.column + e.column.saturating_sub(1),
                    });
                    self.error(
                        location,
                        format!("pattern `{pname}.{iname}`: {}", e.message),
                    )
                };
                let pattern = pattern::parse(&source)
                    .map_err(at)?
                    .with_pitches(pitches[track].clone())
                    .with_params(tracks[track].params.clone());
                let pitched = tracks[track].spec.is_pitched();
                for w in pattern.check(pitched).map_err(at)? {
                    warnings.push(Warning {
                        message: format!("pattern `{pname}.{iname}`: {w}"),
                    });
                }
                lanes.push(Lane {
                    track,
                    source,
                    pattern,
                });
            }
            patterns.push(SongPattern { name: pname, lanes });
        }

        let mut meters = Vec::new();
        let bars = match file.arrangement {
            None => Bars::from((0..patterns.len()).collect::<Vec<_>>()),
            Some(entries) => {
                self.arrange(&entries, &patterns, meter.round() as u32, &mut meters)?
            }
        };

        let names: Vec<&str> = tracks.iter().map(|t| t.name.as_str()).collect();
        let midi = file.midi.compile(&names).map_err(|(at, message)| {
            self.error(
                locate::locate(self.src, &["midi"]),
                format!("{at}: {message}"),
            )
        })?;
        let modulation = modulation::compile(
            file.modules,
            file.patches,
            file.sends,
            &tracks,
            self.path.parent().unwrap_or(Path::new(".")),
            self.known,
        )
        .map_err(|(at, message)| {
            let depth = if at.starts_with("modules.") || at.starts_with("sends.") {
                2
            } else {
                1
            };
            let path: Vec<&str> = at.split(['.', '[']).take(depth).collect();
            self.error(locate::locate(self.src, &path), format!("{at}: {message}"))
        })?;
        let mut song = Song {
            modulation,
            midi,
            meters,
            tempo_changes: Vec::new(),
            title: file.title,
            tempo,
            meter: meter.round() as u32,
            swing,
            seed: file.seed,
            master_gain,
            tracks,
            patterns,
            bars,
        };
        song.tempo_changes = self.tempo_changes(&file.tempo_changes, &song)?;
        Ok((song, warnings))
    }

    fn arrange(
        &self,
        entries: &[ArrangementEntry],
        patterns: &[SongPattern],
        first_meter: u32,
        meters: &mut Vec<(usize, u32)>,
    ) -> Result<Bars, SongError> {
        let mut current = first_meter;
        let names: Vec<&str> = patterns.iter().map(|p| p.name.as_str()).collect();
        let mut bars = Bars::new();
        for (i, entry) in entries.iter().enumerate() {
            let Some(index) = names.iter().position(|n| *n == entry.pattern) else {
                return Err(self.error(
                    locate::locate_item(self.src, "arrangement", i),
                    format!(
                        "arrangement names unknown pattern `{}`{}",
                        entry.pattern,
                        suggest::did_you_mean(&entry.pattern, &names)
                    ),
                ));
            };
            if entry.repeat == 0 || entry.repeat > 100_000 {
                return Err(self.error(
                    locate::locate_item(self.src, "arrangement", i),
                    format!(
                        "repeat {} for `{}`: expected 1..100000",
                        entry.repeat, entry.pattern
                    ),
                ));
            }
            if let Some(m) = entry.meter {
                if !(1.0..=32.0).contains(&m) || m.fract() != 0.0 {
                    return Err(self.error(
                        locate::locate_item(self.src, "arrangement", i),
                        format!(
                            "meter {m} for `{}`: expected a whole number of beats 1..32",
                            entry.pattern
                        ),
                    ));
                }
                if m as u32 != current {
                    current = m as u32;
                    meters.push((bars.len(), current));
                }
            }
            bars.push_run(index, entry.repeat as usize);
        }
        Ok(bars)
    }
}
