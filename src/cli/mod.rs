//! Command-line front end: argument parsing, one-line errors, exit codes
//! (0 ok, 1 failure, 2 bad input).

mod args_error;
mod check;
mod listen;
mod live;
mod mcp;
mod midifile;
mod play;
mod render;
mod repl;
mod send;
mod watch;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Exit status for bad input (song, options, paths).
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit status for other failures.
pub const EXIT_FAILURE: i32 = 1;

#[derive(Parser)]
#[command(
    name = "chronus",
    version,
    about = "A live-codable modular synthesizer"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a song to a WAV file (24-bit, or 32-bit float with --float).
    Render(render::RenderArgs),
    /// Play a song live (JACK, PulseAudio, or the device-free null backend).
    Play(play::PlayArgs),
    /// Start a live session (empty, or from a song) played from stdin and OSC.
    Live(live::LiveArgs),
    /// Measure a WAV file, or a song rendered first: loudness, balance,
    /// bands, notes, onsets, tempo, problems (what `listen` says live).
    Listen(listen::ListenArgs),
    /// Serve the session to an AI agent over MCP (stdio): its own session,
    /// or --attach PORT to a running `chronus live`.
    Mcp(mcp::McpArgs),
    /// Send one command line to a running session and print its reply.
    Send(send::SendArgs),
    /// Validate a song without rendering it.
    Check {
        /// The song file (YAML, or a MIDI file).
        song: PathBuf,
    },
    /// Turn a MIDI file into a song file.
    Import(midifile::ImportArgs),
    /// Write a song as a MIDI file (type 1, a track per instrument).
    Export(midifile::ExportArgs),
}

/// A failure with its exit status; printed as one line.
pub struct Failure {
    /// Exit status.
    pub code: i32,
    /// The message (without the `error: ` prefix).
    pub message: String,
}

impl Failure {
    /// Bad input: exit status 2.
    pub fn input(message: impl std::fmt::Display) -> Self {
        Failure {
            code: EXIT_BAD_INPUT,
            message: message.to_string(),
        }
    }
}

/// Parse the arguments, run the command, print any error; the exit status.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if e.use_stderr() => {
            let cli = <Cli as clap::CommandFactory>::command();
            let names: Vec<&str> = cli.get_subcommands().map(clap::Command::get_name).collect();
            eprintln!(
                "error: {} (see chronus --help)",
                args_error::one_line(&e, &names)
            );
            return EXIT_BAD_INPUT;
        }
        Err(e) => {
            let _ = e.print();
            return 0;
        }
    };
    if let Some(warning) = chronus::dsp::simd::env_warning() {
        eprintln!("warning: {warning}");
    }
    let result = match cli.command {
        Command::Render(args) => render::run(&args),
        Command::Play(args) => play::run(&args),
        Command::Check { song } => check::run(&song),
        Command::Live(args) => live::run(&args),
        Command::Send(args) => send::run(&args),
        Command::Listen(args) => listen::run(&args),
        Command::Mcp(args) => mcp::run(&args),
        Command::Import(args) => midifile::import(&args),
        Command::Export(args) => midifile::export(&args),
    };
    match result {
        Ok(()) => 0,
        Err(f) => {
            if !f.message.is_empty() {
                eprintln!("error: {}", f.message.replace('\n', " "));
            }
            f.code
        }
    }
}

/// Load a song, printing its warnings; bad input becomes a [`Failure`].
pub fn load_song(path: &std::path::Path) -> Result<chronus::sequencer::Song, Failure> {
    let (song, warnings) = if midifile::is_midi(path) {
        // A MIDI file plays as the song `chronus import` makes of it.
        let text = chronus::midi::file::import_file(path).map_err(Failure::input)?;
        chronus::sequencer::Song::from_yaml(&text, path).map_err(|e| {
            Failure::input(format!(
                "{}: the imported song does not load: {e}",
                path.display()
            ))
        })?
    } else {
        chronus::sequencer::Song::load(path).map_err(Failure::input)?
    };
    for w in warnings {
        eprintln!("warning: {}: {w}", path.display());
    }
    chronus::engine::rack::song_definitions(&song)
        .map_err(|e| Failure::input(format!("{}: {e}", path.display())))?;
    Ok(song)
}
