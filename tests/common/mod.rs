//! Shared helpers for the integration tests: render songs, measure audio.
#![allow(dead_code)]

pub mod child;
pub mod manual;
pub mod pty;
mod scratch;
pub mod wav;
#[allow(unused_imports)]
pub use scratch::Scratch;

use chronus::backends::{AudioSource, Flow};
use chronus::render::{OfflineRender, RenderOptions};
use chronus::sequencer::Song;
use rustfft::{num_complex::Complex, FftPlanner};

/// Whether the private audio server that `var` names (`JACK_DEFAULT_SERVER`,
/// `PULSE_SERVER`, set by `scripts/test.sh`) runs. Without it a test says so
/// and passes, unless `CHRONUS_REQUIRE_SERVERS=1`, where the missing server
/// is a failure.
pub fn servers_available(var: &str) -> bool {
    if std::env::var_os(var).is_some() {
        return true;
    }
    let required = std::env::var("CHRONUS_REQUIRE_SERVERS").is_ok_and(|v| v == "1");
    assert!(
        !required,
        "{var} is not set: the private audio servers are not running"
    );
    eprintln!("skipped: {var} is not set (run scripts/test.sh to start the private servers)");
    false
}

/// Whether the private JACK server runs (see [`servers_available`]).
pub fn jack_server() -> bool {
    servers_available("JACK_DEFAULT_SERVER")
}

/// Parse a song from YAML text (panics with the error: test input is ours).
pub fn song(yaml: &str) -> Song {
    match Song::from_yaml(yaml, "test.yaml".as_ref()) {
        Ok((song, _)) => song,
        Err(e) => panic!("bad test song: {e}"),
    }
}

/// Render a song offline in blocks of `block` frames: (left, right).
pub fn render_blocks(
    song: &Song,
    rate: u32,
    bars: Option<usize>,
    block: usize,
) -> (Vec<f32>, Vec<f32>) {
    let mut source = OfflineRender::new(
        song,
        RenderOptions {
            rate,
            bars,
            jobs: 1,
        },
    );
    drain(&mut source, block)
}

/// Render `source` to its end in blocks of `block` frames: (left, right).
pub fn drain(source: &mut OfflineRender, block: usize) -> (Vec<f32>, Vec<f32>) {
    let (mut l, mut r) = (Vec::new(), Vec::new());
    let mut bl = vec![0.0f32; block];
    let mut br = vec![0.0f32; block];
    loop {
        let flow = source.process(&mut bl, &mut br);
        let n = match flow {
            Flow::Continue => block,
            Flow::Finished { frames } => frames,
        };
        l.extend_from_slice(&bl[..n]);
        r.extend_from_slice(&br[..n]);
        if n < block || matches!(flow, Flow::Finished { .. }) {
            break;
        }
    }
    (l, r)
}

/// Render a song offline at 48 kHz in blocks of 64.
pub fn render(song: &Song) -> (Vec<f32>, Vec<f32>) {
    render_blocks(song, 48_000, None, 64)
}

/// Frames where the signal starts after digital silence (first non-zero
/// sample after a zero, or frame 0 if the signal starts non-zero).
pub fn onsets(x: &[f32]) -> Vec<u64> {
    let mut out = Vec::new();
    let mut silent = true;
    for (i, &s) in x.iter().enumerate() {
        if s != 0.0 && silent {
            out.push(i as u64);
        }
        silent = s == 0.0;
    }
    out
}

/// Frequency by rising zero crossings with linear interpolation over `x`
/// (the one estimator, `chronus_dsp::measure`'s); panics on a signal that
/// crosses fewer than twice.
pub fn zero_crossing_freq(x: &[f32], rate: f64) -> f64 {
    let f = chronus::dsp::measure::zero_crossing_freq(x, rate);
    assert!(f.is_finite(), "no zero crossings");
    f
}

/// Pitch error in cents of `measured` against `expected`.
pub fn cents(measured: f64, expected: f64) -> f64 {
    1200.0 * (measured / expected).log2()
}

/// Equal-tempered frequency of a MIDI note (A4 = 440 Hz).
pub fn midi_hz(note: f64) -> f64 {
    440.0 * 2f64.powf((note - 69.0) / 12.0)
}

/// Magnitude spectrum (linear) of `x` under a 4-term Blackman-Harris window.
pub fn spectrum(x: &[f32]) -> Vec<f64> {
    let n = x.len();
    let mut buf: Vec<Complex<f64>> = x
        .iter()
        .enumerate()
        .map(|(i, &s)| {
            let p = 2.0 * std::f64::consts::PI * i as f64 / n as f64;
            let w =
                0.35875 - 0.48829 * p.cos() + 0.14128 * (2.0 * p).cos() - 0.01168 * (3.0 * p).cos();
            Complex::new(f64::from(s) * w, 0.0)
        })
        .collect();
    FftPlanner::new().plan_fft_forward(n).process(&mut buf);
    buf[..n / 2].iter().map(|c| c.norm()).collect()
}

/// Level in dB of `a` relative to `b`.
pub fn db(a: f64, b: f64) -> f64 {
    20.0 * (a / b).log10()
}

/// Index of the first sample where `a` and `b` differ (over their common
/// length), with both values.
pub fn first_difference(a: &[f32], b: &[f32]) -> Option<(usize, f32, f32)> {
    a.iter()
        .zip(b)
        .position(|(x, y)| x != y)
        .map(|i| (i, a[i], b[i]))
}
