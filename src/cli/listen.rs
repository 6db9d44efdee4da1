//! `chronus listen FILE.wav|SONG.yaml`: the `listen` analysis offline, of
//! any WAV file, or of a song rendered first (then with every instrument's
//! notes, pitch and share of the mix).

use super::{load_song, Failure};
use chronus::listen::measure::{self, Request};
use chronus::listen::offline;
use std::path::{Path, PathBuf};

/// Arguments of `chronus listen`.
#[derive(clap::Args)]
pub struct ListenArgs {
    /// A WAV file, or a song (YAML or MIDI) to render and measure.
    file: PathBuf,
    /// Measure one instrument's own sound (songs only).
    #[arg(long, value_name = "NAME")]
    track: Option<String>,
    /// Bars to measure (songs: from --from-bar; default the whole
    /// arrangement, at most 64).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    bars: Option<u32>,
    /// The first bar to measure (1-based, songs only).
    #[arg(long, value_name = "BAR", default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..))]
    from_bar: u64,
    /// The tempo of a WAV file, for its bar lines and the tempo check.
    #[arg(long, value_name = "BPM")]
    tempo: Option<f64>,
    /// Sample rate of the render (songs).
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=384_000))]
    rate: u32,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

fn is_wav(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("wav"))
}

/// A WAV file as stereo floats (mono is copied to both sides; more
/// channels: the first two).
fn read_wav(path: &Path) -> Result<(u32, Vec<f32>, Vec<f32>), Failure> {
    let (rate, channels, samples) =
        chronus::dsp::voices::sampler::load::read(path).map_err(Failure::input)?;
    let frames = samples.len() / channels;
    let left: Vec<f32> = (0..frames).map(|f| samples[f * channels]).collect();
    let right: Vec<f32> = if channels > 1 {
        (0..frames).map(|f| samples[f * channels + 1]).collect()
    } else {
        left.clone()
    };
    Ok((rate, left, right))
}

/// Measure the file and print the report.
pub fn run(args: &ListenArgs) -> Result<(), Failure> {
    let report = if is_wav(&args.file) {
        if args.track.is_some() {
            return Err(Failure::input(
                "--track needs a song: a WAV file holds only the mix",
            ));
        }
        if let Some(t) = args.tempo.filter(|t| !(20.0..=400.0).contains(t)) {
            return Err(Failure::input(format!("--tempo {t}: expected 20..400 BPM")));
        }
        let (rate, left, right) = read_wav(&args.file)?;
        if left.is_empty() {
            return Err(Failure::input(format!(
                "{}: holds no samples",
                args.file.display()
            )));
        }
        let mut span = chronus::listen::Span {
            start: 0,
            left,
            right,
            ..Default::default()
        };
        span.start = 0;
        let bars = match args.tempo {
            Some(bpm) => {
                let bar = 4.0 * 60.0 / bpm * f64::from(rate);
                (0..)
                    .map(|k| (k as f64 * bar).round() as u64)
                    .take_while(|&f| f < span.left.len() as u64)
                    .collect()
            }
            None => vec![0],
        };
        let req = Request {
            what: None,
            tracks: &[],
            bars,
            first_bar: 1,
            tempo: args.tempo,
        };
        measure::analyse(&span, rate, &req)
    } else {
        let song = load_song(&args.file)?;
        let start = args.from_bar - 1;
        let total = song.bar_count() as u64;
        if start >= total {
            return Err(Failure::input(format!(
                "--from-bar {}: the song has {total} bars",
                args.from_bar
            )));
        }
        let bars = args
            .bars
            .unwrap_or_else(|| (total - start).min(64) as u32)
            .min((total - start) as u32);
        if let Some(t) = &args.track {
            if !song.tracks.iter().any(|x| &x.name == t) {
                let known: Vec<&str> = song.tracks.iter().map(|x| x.name.as_str()).collect();
                return Err(Failure::input(format!(
                    "--track {t}: the song has no such instrument (it has {})",
                    known.join(", ")
                )));
            }
        }
        let folder = args
            .file
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let r = offline::render(&song, args.rate, start, bars, args.track.as_deref(), folder)
            .map_err(Failure::input)?;
        let what = args
            .track
            .as_ref()
            .and_then(|t| r.infos.iter().find(|i| &i.name == t));
        let span = r.history.span(r.lines[0], r.lines[r.lines.len() - 1]);
        let req = Request {
            what,
            tracks: &r.infos,
            bars: r.lines[..r.lines.len() - 1].to_vec(),
            first_bar: args.from_bar,
            tempo: Some(r.tempo),
        };
        measure::analyse(&span, args.rate, &req)
    };
    if args.json {
        println!(
            "{}",
            serde_json::to_string(&report).map_err(|e| Failure::input(e.to_string()))?
        );
    } else {
        println!("{}", report.line());
    }
    Ok(())
}
