//! DC after every oscillator and filter setting: a chord of four notes
//! (C2 G2 C3 Eb3, as the issue measured) through every waveform, every
//! filter mode, resonance 0..1 and cutoff 20..20000 Hz, must leave less than
//! 1e-4 of DC (-80 dBFS) in its steady second. DC is measured as the
//! Blackman-weighted mean of that second, which no note of the chord (65 Hz
//! and up) leaks into by more than 1e-7.
//!
//! The noise oscillator is not in the sweep: a window's mean of noise
//! wanders by chance (2.6e-3 in a second), so its DC is the mean of the
//! generator's whole period, -5.9e-8 (walked in full by
//! `white_noise_has_no_dc_over_its_whole_period` in `noise.rs`), times the
//! voice's gain at DC: at most 1 unfiltered or through the (AC-coupled)
//! low-pass, 0 through the high-pass and band-pass.

use super::SynthBank;
use crate::live::testing::RATE;
use crate::voices::pool::testing::render;
use crate::Instrument;
use chronus_sequencer::song::{FilterMode, SynthSpec, Waveform};

/// The Blackman-weighted mean of `x`.
pub(crate) fn dc(x: &[f32]) -> f64 {
    let n = x.len() as f64;
    let (mut sum, mut weights) = (0.0, 0.0);
    for (i, v) in x.iter().enumerate() {
        let p = 2.0 * std::f64::consts::PI * i as f64 / n;
        let w = 0.42 - 0.5 * p.cos() + 0.08 * (2.0 * p).cos();
        sum += w * f64::from(*v);
        weights += w;
    }
    sum / weights
}

fn chord_dc(osc: Waveform, filter: FilterMode, cutoff: f64, resonance: f64) -> (f64, f64) {
    let spec = SynthSpec {
        osc,
        filter,
        cutoff,
        resonance,
        sustain: 1.0,
        ..SynthSpec::default()
    };
    let mut bank = SynthBank::new(&spec, RATE);
    for (i, n) in [36.0, 43.0, 48.0, 51.0].iter().enumerate() {
        bank.note_on(i as u32 + 1, Some(*n), 1.0);
    }
    let x = render(&mut bank, 72_000, 64);
    let tail = &x[24_000..];
    let rms = (tail.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / tail.len() as f64).sqrt();
    (dc(tail), rms)
}

#[test]
fn the_measure_sees_dc_and_not_the_notes() {
    let tone: Vec<f32> = (0..48_000)
        .map(|i| (2.0 * std::f32::consts::PI * 65.4 * i as f32 / RATE).sin())
        .collect();
    assert!(dc(&tone).abs() < 1e-6, "{}", dc(&tone));
    let offset: Vec<f32> = tone.iter().map(|v| v + 2e-4).collect();
    assert!((dc(&offset) - 2e-4).abs() < 1e-6);
}

#[test]
fn no_oscillator_or_filter_setting_leaves_dc() {
    let mut worst = (0.0f64, String::new());
    let mut checked = 0;
    for osc in [
        Waveform::Sine,
        Waveform::Saw,
        Waveform::Square,
        Waveform::Triangle,
    ] {
        let mut settings = vec![(FilterMode::None, 1000.0, 0.0)];
        for filter in [
            FilterMode::Lowpass,
            FilterMode::Highpass,
            FilterMode::Bandpass,
        ] {
            for cutoff in [20.0, 100.0, 400.0, 2_000.0, 8_000.0, 20_000.0] {
                for resonance in [0.0, 0.25, 0.5, 0.75, 1.0] {
                    settings.push((filter, cutoff, resonance));
                }
            }
        }
        for (filter, cutoff, resonance) in settings {
            let (d, rms) = chord_dc(osc, filter, cutoff, resonance);
            checked += 1;
            // The chord sounds, however far the filter is from it (least: a
            // sine chord through a 20 kHz high-pass, 3.4e-6).
            assert!(
                rms > 1e-6,
                "{osc:?} {filter:?} cutoff {cutoff}: silent ({rms})"
            );
            if d.abs() > worst.0 {
                worst = (
                    d.abs(),
                    format!(
                        "{osc:?} {filter:?} cutoff {cutoff} resonance {resonance} (RMS {rms:.4})"
                    ),
                );
            }
            assert!(
                d.abs() < 1e-4,
                "{osc:?} {filter:?} cutoff {cutoff} resonance {resonance}: DC {d:.6} (RMS {rms:.4})"
            );
        }
    }
    eprintln!("{checked} settings, worst DC {:.2e}: {}", worst.0, worst.1);
}
