//! `chronus render SONG -o OUT.wav [--spectrogram OUT.png]`: the offline
//! renderer.

use super::{load_song, Failure};
use chronus::backends::wav::{SampleFormat, WavBackend};
use chronus::backends::{AudioSource, Backend, Flow};
use chronus::render::{OfflineRender, RenderOptions};
use chronus::sequencer::{Schedule, Song};
use chronus_look::{Audio, Frame};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::{Path, PathBuf};
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
    /// Also draw the render's spectrogram (log frequency, dB colours, bar
    /// lines) into this PNG file.
    #[arg(long, value_name = "OUT.png")]
    spectrogram: Option<PathBuf>,
    /// Threads to spread the song's tracks over (default: every core); the
    /// file is the same byte for byte whatever the number. A song with
    /// sends, or an env or arp module, renders on one.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    jobs: Option<u32>,
}

/// The longest render a spectrogram is drawn of (its mono copy is kept in
/// memory: 4 bytes a frame, 230 MB at 48 kHz).
const SPECTROGRAM_MAX_MINUTES: u64 = 20;

/// The offline render, keeping a mono copy of what it renders when a
/// spectrogram is asked for.
struct Tee<'a> {
    source: &'a mut OfflineRender,
    mono: Option<Vec<f32>>,
}

impl AudioSource for Tee<'_> {
    fn process(&mut self, left: &mut [f32], right: &mut [f32]) -> Flow {
        let flow = self.source.process(left, right);
        if let Some(mono) = self.mono.as_mut() {
            let n = match flow {
                Flow::Continue => left.len(),
                Flow::Finished { frames } => frames,
            };
            mono.extend(
                left[..n]
                    .iter()
                    .zip(&right[..n])
                    .map(|(l, r)| 0.5 * (l + r)),
            );
        }
        flow
    }

    fn total_frames_hint(&self) -> Option<u64> {
        self.source.total_frames_hint()
    }
}

/// Check the spectrogram's file name and the render's length before
/// anything is rendered.
fn check_picture(args: &RenderArgs, path: &Path, total: u64) -> Result<(), Failure> {
    if path == args.output {
        return Err(Failure::input(format!(
            "--spectrogram {}: the same file as -o",
            path.display()
        )));
    }
    if !path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        return Err(Failure::input(format!(
            "--spectrogram {}: expected a file name ending in .png",
            path.display()
        )));
    }
    let minutes = total / u64::from(args.rate) / 60;
    if minutes >= SPECTROGRAM_MAX_MINUTES {
        return Err(Failure::input(format!(
            "--spectrogram draws at most {SPECTROGRAM_MAX_MINUTES} minutes and this render is {minutes}: give --bars N"
        )));
    }
    Ok(())
}

/// Draw the spectrogram of `mono` with the song's bar lines into `path`.
fn draw(song: &Song, args: &RenderArgs, mono: &[f32], path: &Path) -> Result<(), Failure> {
    let schedule = Schedule::new(song, args.rate);
    let bars = args
        .bars
        .map_or(song.bar_count(), |b| (b as usize).min(song.bar_count()));
    let lines: Vec<u64> = (0..=bars).map(|b| schedule.bar_frame(b)).collect();
    let name = args
        .song
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let frame = Frame::new(format!("{name}, bars 1-{bars}")).with_bars(lines, 1);
    let png = chronus_look::spectrogram(&Audio::mono(args.rate, 0, mono), &frame)
        .map_err(|e| Failure::input(format!("--spectrogram {}: {e}", path.display())))?;
    chronus::session::write_atomic_bytes(path, &png).map_err(Failure::input)
}

/// Refuse a render whose WAV file could pass the format's 4 GB limit
/// (`frames` of the arrangement, and the longest tail after it), before
/// anything is rendered or written.
fn check_size(args: &RenderArgs, frames: u64) -> Result<(), Failure> {
    let bytes_per_frame = if args.float { 8 } else { 6 };
    // The tail ends on a block boundary (the writer's blocks are 64
    // frames): a generous margin.
    let most = frames + chronus::render::MAX_TAIL_SECONDS * u64::from(args.rate) + 8192;
    let bytes = most * bytes_per_frame + 80;
    if bytes <= u64::from(u32::MAX) {
        return Ok(());
    }
    let hours = frames as f64 / f64::from(args.rate) / 3600.0;
    Err(Failure::input(format!(
        "-o {}: this render is {hours:.1} hours long, a WAV file of up to {:.1} GB, over the format's 4 GB limit: render part of it with --bars N",
        args.output.display(),
        bytes as f64 / 1e9
    )))
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
    if !args
        .output
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("wav"))
    {
        return Err(Failure::input(format!(
            "-o {}: chronus writes WAV files: give a name ending in .wav",
            args.output.display()
        )));
    }
    let total_bars = song.bar_count();
    let options = RenderOptions {
        rate: args.rate,
        bars: args.bars.map(|b| b as usize),
        jobs: args.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
            |j| j as usize,
        ),
    };
    // Said in the render's own line.
    let short = args
        .bars
        .filter(|&b| b as usize > total_bars)
        .map_or(String::new(), |b| {
            format!(
                " (--bars {b}: the song has {total_bars} bars, so all {total_bars} were rendered)"
            )
        });
    let mut source = OfflineRender::new(&song, options);
    let total = source.total_frames_hint().unwrap_or(0);
    check_size(args, source.end_frame())?;
    if let Some(path) = &args.spectrogram {
        check_picture(args, path, total)?;
    }
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
    let mut tee = Tee {
        source: &mut source,
        mono: args
            .spectrogram
            .as_ref()
            .map(|_| Vec::with_capacity(usize::try_from(total).unwrap_or(0))),
    };
    let result = backend.run(&mut tee);
    let mono = tee.mono.take();
    bar.finish_and_clear();
    let report = result.map_err(Failure::input)?;
    if source.failed() {
        return Err(Failure::input(format!(
            "{}: a rendering thread stopped after {:.2} s of audio; render again with --jobs 1",
            args.output.display(),
            report.frames as f64 / f64::from(args.rate)
        )));
    }
    let elapsed = started.elapsed().as_secs_f64();
    let seconds = report.frames as f64 / f64::from(args.rate);
    let stats = source.engine().stats();
    if stats.late_events > 0 {
        // Cannot happen offline (every event is queued before rendering).
        eprintln!("warning: {} events were late", stats.late_events);
    }
    let threads = match source.threads() {
        1 => String::new(),
        n => format!(" on {n} threads"),
    };
    println!(
        "ok {}: {:.2} s of audio in {:.2} s ({:.0}x real time{threads}, {}), {} events{short}",
        args.output.display(),
        seconds,
        elapsed,
        seconds / elapsed.max(1e-9),
        chronus::dsp::simd::level().name(),
        source.events()
    );
    if let (Some(path), Some(mono)) = (&args.spectrogram, mono) {
        let started = Instant::now();
        draw(&song, args, &mono, path)?;
        println!(
            "ok {}: spectrogram in {:.0} ms",
            path.display(),
            started.elapsed().as_secs_f64() * 1e3
        );
    }
    Ok(())
}
