//! Level meters over time: short-term RMS and peak per track.

use plotters::prelude::*;

use plotters::coord::types::RangedCoordf64;

use crate::axes::{self, Plot, Span, Ticks};
use crate::canvas::{self, fail};
use crate::colour::{track, BAR, GRID, INK};
use crate::{audio, Audio, Frame, LookError};

/// Length of the RMS window (seconds).
pub(crate) const WINDOW_SECS: f64 = 0.050;
/// Bottom of the level axis (dBFS); quieter levels are drawn on it.
pub(crate) const DB_FLOOR: f64 = -60.0;
/// Top of the level axis (dBFS); louder peaks are drawn on it.
pub(crate) const DB_TOP: f64 = 0.0;

/// Draws level meters over time as a PNG picture: for each track, the
/// short-term RMS level (50 ms windows, half overlapping) in dBFS as a
/// thick line and the peak level as a thin line in the same colour, with a
/// legend of track names. The level axis runs from -60 to 0 dBFS; the time
/// axis is in seconds with the bar lines of `frame`. A full-scale sine has
/// an RMS level of -3 dBFS and a peak of 0 dBFS.
///
/// # Errors
/// [`LookError::NoTracks`], [`LookError::EmptyAudio`] (when every track is
/// empty), [`LookError::ZeroRate`] (when any track has rate 0) or
/// [`LookError::BadSize`].
pub fn levels(tracks: &[(String, Audio)], frame: &Frame) -> Result<Vec<u8>, LookError> {
    draw(tracks, frame).map(|(png, _)| png)
}

/// Draws level curves measured elsewhere (each track's RMS level in dBFS at
/// absolute frames, in order), as [`levels`] draws them from audio but
/// without the peak lines: the Chronus engine meters every track's loudness
/// while only a few tracks' audio is kept.
///
/// # Errors
/// [`LookError::NoTracks`], [`LookError::EmptyAudio`] (when no curve has a
/// point), [`LookError::ZeroRate`] or [`LookError::BadSize`].
pub fn levels_db(
    curves: &[(String, Vec<(u64, f32)>)],
    rate: u32,
    frame: &Frame,
) -> Result<Vec<u8>, LookError> {
    if curves.is_empty() {
        return Err(LookError::NoTracks);
    }
    if rate == 0 {
        return Err(LookError::ZeroRate);
    }
    let first = curves
        .iter()
        .filter_map(|(_, c)| c.first())
        .map(|p| p.0)
        .min();
    let last = curves
        .iter()
        .filter_map(|(_, c)| c.last())
        .map(|p| p.0)
        .max();
    let (Some(first), Some(last)) = (first, last) else {
        return Err(LookError::EmptyAudio);
    };
    let end = frame
        .bars
        .last()
        .copied()
        .unwrap_or(last)
        .max(last)
        .max(first + 1);
    let span = Span {
        start: frame.bars.first().copied().unwrap_or(first).min(first),
        end,
        rate,
    };
    let names: Vec<String> = curves.iter().map(|(n, _)| n.clone()).collect();
    let meters: Vec<Vec<Level>> = curves
        .iter()
        .map(|(_, c)| {
            c.iter()
                .map(|&(f, db)| Level {
                    secs: f as f64 / f64::from(rate),
                    rms_db: if db.is_finite() {
                        f64::from(db)
                    } else {
                        DB_FLOOR
                    },
                    peak_db: f64::NAN,
                })
                .collect()
        })
        .collect();
    draw_meters(&names, &meters, span, frame).map(|(png, _)| png)
}

/// One window of a level meter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Level {
    /// Centre of the window, seconds from frame 0.
    pub secs: f64,
    /// RMS level (dBFS) of both channels together.
    pub rms_db: f64,
    /// Peak level (dBFS) of either channel.
    pub peak_db: f64,
}

/// The level meter of one track.
pub(crate) fn meter(audio: &Audio) -> Vec<Level> {
    let (l, r) = audio::stereo(audio);
    let n = l.len();
    let window = ((audio.rate as f64 * WINDOW_SECS).round() as usize).max(1);
    let hop = (window / 2).max(1);
    let mut out = Vec::with_capacity(n / hop + 1);
    let mut start = 0;
    while start < n {
        let end = (start + window).min(n);
        let (mut sum, mut peak) = (0f64, 0f32);
        for i in start..end {
            sum += (l[i] as f64).powi(2) + (r[i] as f64).powi(2);
            peak = peak.max(l[i].abs()).max(r[i].abs());
        }
        let rms = (sum / (2 * (end - start)) as f64).sqrt();
        let centre = audio.start as f64 + (start + end) as f64 / 2.0;
        out.push(Level {
            secs: centre / audio.rate as f64,
            rms_db: audio::db(rms),
            peak_db: audio::db(peak as f64),
        });
        if end == n {
            break;
        }
        start += hop;
    }
    out
}

/// Where the picture put things, for tests.
#[derive(Debug, Clone)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Layout {
    pub plot: Plot,
}

pub(crate) fn draw(
    tracks: &[(String, Audio)],
    frame: &Frame,
) -> Result<(Vec<u8>, Layout), LookError> {
    if tracks.is_empty() {
        return Err(LookError::NoTracks);
    }
    if tracks.iter().any(|(_, a)| a.rate == 0) {
        return Err(LookError::ZeroRate);
    }
    if tracks.iter().all(|(_, a)| a.is_empty()) {
        return Err(LookError::EmptyAudio);
    }
    canvas::check_frame(frame)?;
    let audible: Vec<&(String, Audio)> = tracks.iter().filter(|(_, a)| !a.is_empty()).collect();
    // The span covers every track; bar lines are placed at the first track's rate.
    let rate = audible[0].1.rate;
    let secs0 = audible
        .iter()
        .map(|(_, a)| a.start as f64 / a.rate as f64)
        .fold(f64::MAX, f64::min);
    let secs1 = audible
        .iter()
        .map(|(_, a)| a.end() as f64 / a.rate as f64)
        .fold(f64::MIN, f64::max);
    let start = (secs0 * rate as f64).round() as u64;
    let span = Span {
        start,
        end: ((secs1 * rate as f64).round() as u64).max(start.saturating_add(1)),
        rate,
    };
    let meters: Vec<Vec<Level>> = tracks.iter().map(|(_, a)| meter(a)).collect();
    let names: Vec<String> = tracks.iter().map(|(n, _)| n.clone()).collect();
    draw_meters(&names, &meters, span, frame)
}

/// Draw `meters` (one per name) over `span`.
fn draw_meters(
    names: &[String],
    meters: &[Vec<Level>],
    span: Span,
    frame: &Frame,
) -> Result<(Vec<u8>, Layout), LookError> {
    canvas::check_frame(frame)?;
    let clipped: Vec<&str> = names
        .iter()
        .zip(meters)
        .filter(|(_, m)| m.iter().any(|l| l.peak_db > 0.0))
        .map(|(name, _)| name.as_str())
        .collect();
    let peaks = meters.iter().flatten().any(|l| l.peak_db.is_finite());
    let note = if !peaks {
        "levels: RMS of each track".to_string()
    } else if clipped.is_empty() {
        "levels: RMS (thick) and peak (thin)".to_string()
    } else {
        format!("peaks above 0 dBFS (clipping): {}", clipped.join(", "))
    };
    canvas::render(frame, |root, style| {
        let (w, _) = root.dim_in_pixel();
        let names: Vec<(&str, RGBColor)> = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), track(i)))
            .collect();
        let side_w =
            canvas::legend_width(root, style, &names.iter().map(|e| e.0).collect::<Vec<_>>())
                .min(w as i32 / 4);
        let (main, _) = root.split_horizontally(w as i32 - side_w);
        canvas::header(root, style, &frame.title, &note)?;
        let ticks: Vec<f64> = (0..=6).map(|i| DB_FLOOR + 10.0 * i as f64).collect();
        let mut chart = canvas::builder(&main, style)
            .build_cartesian_2d(
                span.range(),
                Ticks::<RangedCoordf64>::new(DB_FLOOR..DB_TOP, ticks),
            )
            .map_err(fail)?;
        let plot = Plot::of(&chart);
        let time_label = axes::tick_label(plot.t.end - plot.t.start);
        let px_w = (plot.x.end - plot.x.start) as usize;
        chart
            .configure_mesh()
            .set_all_tick_mark_size(style.px(5.0))
            .bold_line_style(GRID)
            .max_light_lines(0)
            .axis_style(INK)
            .x_labels((px_w / style.px(110.0) as usize).max(2))
            .x_label_formatter(&time_label)
            .y_label_formatter(&|v: &f64| format!("{v:.0}"))
            .label_style(style.label())
            .axis_desc_style(style.desc())
            .x_desc("time (s)")
            .y_desc("level (dBFS)")
            .draw()
            .map_err(fail)?;
        axes::bar_lines(root, style, frame, &span, &plot, BAR.mix(0.7))?;
        let clamp = |v: f64| v.clamp(DB_FLOOR, DB_TOP);
        let (thick, thin) = (style.px(2.5) as u32, style.px(1.0) as u32);
        for (i, m) in meters.iter().enumerate() {
            let colour = track(i);
            let peak: Vec<(f64, f64)> = m.iter().map(|l| (l.secs, clamp(l.peak_db))).collect();
            let rms: Vec<(f64, f64)> = m.iter().map(|l| (l.secs, clamp(l.rms_db))).collect();
            if peaks {
                let peak_line = PathElement::new(peak, colour.mix(0.55).stroke_width(thin));
                chart
                    .draw_series(std::iter::once(peak_line))
                    .map_err(fail)?;
            }
            let rms_line = PathElement::new(rms, colour.stroke_width(thick));
            chart.draw_series(std::iter::once(rms_line)).map_err(fail)?;
        }
        let x = w as i32 - side_w + style.px(4.0);
        canvas::legend(root, style, &names, (x, plot.y.start), plot.y.end)?;
        Ok(Layout { plot })
    })
}
