//! The oscilloscope: a few cycles of the waveform, both channels.

use plotters::prelude::*;
use rustfft::num_complex::Complex;
use rustfft::Fft;

use plotters::coord::types::RangedCoordf64;

use crate::axes::{self, Ticks};
use crate::canvas::{self, fail};
use crate::colour::{INK, LEFT, RIGHT};
use crate::{audio, Audio, Frame, LookError};

/// Cycles shown when the period is known.
pub(crate) const CYCLES: f64 = 3.0;
/// Time shown when no period is found (seconds).
pub(crate) const FALLBACK_SECS: f64 = 0.020;
/// Lowest frequency the period estimate looks for (Hz).
const MIN_HZ: f64 = 20.0;
/// Highest frequency the period estimate looks for (Hz).
const MAX_HZ: f64 = 5000.0;

/// Draws an oscilloscope view of `audio` as a PNG picture.
///
/// The view starts at a rising zero crossing of the mono mix near the
/// middle of the span and shows about three cycles. The period is taken
/// from `hz` when given, else estimated by autocorrelation; with no clear
/// period (noise, silence) 20 ms are shown. Left and right are drawn in two
/// colours (one trace if they are the same), amplitude -1..1, time in ms
/// from the trigger.
///
/// # Errors
/// [`LookError::EmptyAudio`], [`LookError::ZeroRate`] or [`LookError::BadSize`].
pub fn scope(audio: &Audio, frame: &Frame, hz: Option<f64>) -> Result<Vec<u8>, LookError> {
    draw(audio, frame, hz).map(|(png, _)| png)
}

/// Where the period came from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Period {
    /// Given by the caller (samples).
    Given(f64),
    /// Estimated by autocorrelation (samples).
    Estimated(f64),
    /// No clear period.
    None,
}

/// The samples shown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Window {
    /// First sample (index into the audio).
    pub start: usize,
    /// Number of samples.
    pub len: usize,
    /// The period used to size the window.
    pub period: Period,
    /// Whether `start` is a rising zero crossing.
    pub triggered: bool,
}

/// Picks the samples to show: see [`scope`].
pub(crate) fn pick_window(mono: &[f32], rate: u32, hz: Option<f64>) -> Window {
    let n = mono.len();
    let period = match hz {
        Some(h) if h.is_finite() && h > 0.0 => Period::Given(rate as f64 / h),
        _ => estimate_period(mono, rate).map_or(Period::None, Period::Estimated),
    };
    let len = match period {
        Period::Given(p) | Period::Estimated(p) => (p * CYCLES).round() as usize,
        Period::None => (rate as f64 * FALLBACK_SECS).round() as usize,
    }
    .clamp(2, n.max(2))
    .min(n);
    let room = n - len;
    let target = room / 2;
    // The rising zero crossing nearest the target that leaves room for the window.
    let crossing = (1..=room)
        .filter(|&i| mono[i - 1] < 0.0 && mono[i] >= 0.0)
        .min_by_key(|&i| i.abs_diff(target));
    Window {
        start: crossing.unwrap_or(target),
        len,
        period,
        triggered: crossing.is_some(),
    }
}

/// The period in samples of the segment round the middle, by normalised
/// autocorrelation; `None` when nothing repeats clearly.
pub(crate) fn estimate_period(mono: &[f32], rate: u32) -> Option<f64> {
    let max_lag = (rate as f64 / MIN_HZ).ceil() as usize;
    let min_lag = ((rate as f64 / MAX_HZ).floor() as usize).max(2);
    let seg = mono.len().min(3 * max_lag);
    if seg < 4 * min_lag {
        return None;
    }
    let from = (mono.len() - seg) / 2;
    let x = &mono[from..from + seg];
    let mean = x.iter().sum::<f32>() / seg as f32;
    let size = (2 * seg).next_power_of_two();
    let mut buf: Vec<Complex<f32>> = x.iter().map(|v| Complex::new(v - mean, 0.0)).collect();
    buf.resize(size, Complex::new(0.0, 0.0));
    crate::audio::fft(size, rustfft::FftDirection::Forward).process(&mut buf);
    for c in buf.iter_mut() {
        *c = Complex::new(c.norm_sqr(), 0.0);
    }
    crate::audio::fft(size, rustfft::FftDirection::Inverse).process(&mut buf);
    let r0 = buf[0].re;
    if r0 <= 1e-9 * size as f32 {
        return None;
    }
    let max_lag = max_lag.min(seg / 2);
    // Unbiased, normalised: 1.0 means the signal repeats exactly at that lag.
    let r: Vec<f32> = (0..=max_lag + 1)
        .map(|lag| buf[lag].re / r0 * seg as f32 / (seg - lag) as f32)
        .collect();
    let first_dip = (1..=max_lag).find(|&l| r[l] < 0.0)?;
    let lo = first_dip.max(min_lag);
    if lo >= max_lag {
        return None;
    }
    let best = (lo..=max_lag).map(|l| r[l]).fold(f32::MIN, f32::max);
    if best < 0.5 {
        return None;
    }
    // The first peak close to the best one avoids picking a multiple of the period.
    let lag =
        (lo..=max_lag).find(|&l| r[l] >= 0.9 * best && r[l] >= r[l - 1] && r[l] >= r[l + 1])?;
    let (a, b, c) = (r[lag - 1] as f64, r[lag] as f64, r[lag + 1] as f64);
    let denom = a - 2.0 * b + c;
    let shift = if denom.abs() > 1e-12 {
        0.5 * (a - c) / denom
    } else {
        0.0
    };
    Some(lag as f64 + shift.clamp(-0.5, 0.5))
}

/// Points of a trace in (ms, amplitude), reduced to a min/max pair per
/// pixel column when there are many more samples than columns.
fn trace(samples: &[f32], rate: u32, columns: usize) -> Vec<(f64, f64)> {
    let ms = |i: f64| i * 1000.0 / rate as f64;
    let clip = |v: f32| v.clamp(-1.0, 1.0) as f64;
    if samples.len() <= 3 * columns.max(1) {
        return samples
            .iter()
            .enumerate()
            .map(|(i, v)| (ms(i as f64), clip(*v)))
            .collect();
    }
    let per = samples.len() as f64 / columns as f64;
    let mut out = Vec::with_capacity(2 * columns);
    for c in 0..columns {
        let (a, b) = (
            (c as f64 * per) as usize,
            (((c + 1) as f64 * per) as usize).min(samples.len()),
        );
        let chunk = &samples[a..b.max(a + 1)];
        let lo = chunk.iter().copied().fold(f32::MAX, f32::min);
        let hi = chunk.iter().copied().fold(f32::MIN, f32::max);
        out.push((ms(a as f64), clip(lo)));
        out.push((ms(a as f64), clip(hi)));
    }
    out
}

pub(crate) fn draw(
    audio: &Audio,
    frame: &Frame,
    hz: Option<f64>,
) -> Result<(Vec<u8>, Window), LookError> {
    audio::check(audio)?;
    canvas::check_frame(frame)?;
    let (left, right) = audio::stereo(audio);
    let mono: Vec<f32> = left
        .iter()
        .zip(&right)
        .map(|(a, b)| 0.5 * (a + b))
        .collect();
    let win = pick_window(&mono, audio.rate, hz);
    let rate = audio.rate as f64;
    let note = {
        let at = audio.start.saturating_add(win.start as u64) as f64 / rate;
        let cycles = match win.period {
            Period::Given(p) => format!(
                "{:.1} Hz (given), {:.0} cycles",
                rate / p,
                win.len as f64 / p
            ),
            Period::Estimated(p) => format!(
                "{:.1} Hz (estimated), {:.0} cycles",
                rate / p,
                win.len as f64 / p
            ),
            Period::None => "no clear period, 20 ms".to_string(),
        };
        let how = if win.triggered {
            "rising zero crossing"
        } else {
            "no zero crossing"
        };
        format!("scope: {cycles}, from {how} at {at:.3} s")
    };
    let l = &left[win.start..win.start + win.len];
    let r = &right[win.start..win.start + win.len];
    let same = l == r;
    let span_ms = (win.len.max(2) - 1) as f64 * 1000.0 / rate;
    canvas::render(frame, |root, style| {
        let (w, _) = root.dim_in_pixel();
        let names: Vec<(&str, RGBColor)> = if same {
            vec![("left = right", LEFT)]
        } else {
            vec![("left", LEFT), ("right", RIGHT)]
        };
        let side_w =
            canvas::legend_width(root, style, &names.iter().map(|e| e.0).collect::<Vec<_>>());
        let (main, _) = root.split_horizontally(w as i32 - side_w);
        canvas::header(root, style, &frame.title, &note)?;
        let ticks = vec![-1.0, -0.5, 0.0, 0.5, 1.0];
        let mut chart = canvas::builder(&main, style)
            .build_cartesian_2d(
                0.0..span_ms,
                Ticks::<RangedCoordf64>::new(-1.0f64..1.0, ticks),
            )
            .map_err(fail)?;
        let ms_label = axes::tick_label(span_ms);
        chart
            .configure_mesh()
            .set_all_tick_mark_size(style.px(5.0))
            .bold_line_style(crate::colour::GRID)
            .max_light_lines(0)
            .axis_style(INK)
            .x_labels(10)
            .x_label_formatter(&ms_label)
            .y_label_formatter(&|v: &f64| format!("{v:.1}"))
            .label_style(style.label())
            .axis_desc_style(style.desc())
            .x_desc("time from trigger (ms)")
            .y_desc("amplitude")
            .draw()
            .map_err(fail)?;
        let (xr, yr) = chart.plotting_area().get_pixel_range();
        let cols = (xr.end - xr.start) as usize;
        let zero = PathElement::new(vec![(0.0, 0.0), (span_ms, 0.0)], RGBColor(150, 150, 150));
        chart.draw_series(std::iter::once(zero)).map_err(fail)?;
        let thick = style.px(2.0) as u32;
        let traces: Vec<(&[f32], RGBColor)> = if same {
            vec![(l, LEFT)]
        } else {
            vec![(l, LEFT), (r, RIGHT)]
        };
        for (samples, colour) in traces {
            let path =
                PathElement::new(trace(samples, audio.rate, cols), colour.stroke_width(thick));
            chart.draw_series(std::iter::once(path)).map_err(fail)?;
        }
        let x = w as i32 - side_w + style.px(4.0);
        canvas::legend(root, style, &names, (x, yr.start), yr.end)?;
        Ok(())
    })
    .map(|(png, ())| (png, win))
}
