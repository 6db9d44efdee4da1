//! `chronus render SONG -o OUT.wav`: the offline renderer.

use super::{load_song, Failure};
use chronus::backends::wav::{SampleFormat, WavBackend};
use chronus::backends::{AudioSource, Backend};
use chronus::render::{OfflineRender, RenderOptions};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `chronus render`.
#[derive(clap::Args)]
pub struct RenderArgs {
    /// The song file (YAML, or a MIDI file).
    song: PathBuf,
    /// The WAV file to write (replaced only when the render succeeds).
    #[arg(short, long)]
    output: PathBuf,
    /// Sample rate in Hz.
    #[arg(long, default_value_t = 48_000, value_parser = clap::value_parser!(u32).range(8_000..=384_000))]
    rate: u32,
    /// Render only the first N bars of the arrangement.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    bars: Option<u32>,
    /// Write 32-bit float samples instead of 24-bit integers.
    #[arg(long)]
    float: bool,
}

/// Render the song to the output file.
pub fn run(args: &RenderArgs) -> Result<(), Failure> {
    let song = load_song(&args.song)?;
    if args.output.is_dir() {
        return Err(Failure::input(format!(
            "{}: is a folder: expected a file name such as out.wav",
            args.output.display()
        )));
    }
    let options = RenderOptions {
        rate: args.rate,
        bars: args.bars.map(|b| b as usize),
    };
    let mut source = OfflineRender::new(&song, options);
    let total = source.total_frames_hint().unwrap_or(0);
    let bar = ProgressBar::new(total);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {percent:>3}% {elapsed} rendering") {
        bar.set_style(style);
    }
    let progress = bar.clone();
    let format = if args.float {
        SampleFormat::Float32
    } else {
        SampleFormat::Int24
    };
    let mut backend = WavBackend::new(&args.output, args.rate, format)
        .with_progress(move |frames| progress.set_position(frames));
    let started = Instant::now();
    let result = backend.run(&mut source);
    bar.finish_and_clear();
    let report = result.map_err(Failure::input)?;
    let elapsed = started.elapsed().as_secs_f64();
    let seconds = report.frames as f64 / f64::from(args.rate);
    let stats = source.engine().stats();
    if stats.late_events > 0 {
        // Cannot happen offline (every event is queued before rendering).
        eprintln!("warning: {} events were late", stats.late_events);
    }
    println!(
        "ok {}: {:.2} s of audio in {:.2} s ({:.0}x real time), {} events",
        args.output.display(),
        seconds,
        elapsed,
        seconds / elapsed.max(1e-9),
        stats.events
    );
    Ok(())
}
