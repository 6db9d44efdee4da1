//! The piano roll: one rectangle per note, coloured by track.

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::axes::{self, Plot, Span, Ticks};
use crate::canvas::{self, fail};
use crate::colour::{track, BAR, GRID, INK};
use crate::{Frame, LookError, RollNote};

const NAMES: [&str; 12] = [
    "C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B",
];

/// The name of a MIDI note number: 60 is "C4", 61 "C#4", 21 "A0".
pub fn note_name(note: i32) -> String {
    format!(
        "{}{}",
        NAMES[note.rem_euclid(12) as usize],
        note.div_euclid(12) - 1
    )
}

fn is_black(note: i32) -> bool {
    matches!(note.rem_euclid(12), 1 | 3 | 6 | 8 | 10)
}

/// Draws a piano roll of `notes` over `span` (absolute frames, start..end,
/// at `rate` frames per second) as a PNG picture.
///
/// Rows are semitones labelled with note names (C4 = MIDI 60) over the
/// range the notes use, padded; black-key rows are shaded. Each note is a
/// rectangle in its track's colour (see the legend), more opaque the higher
/// its velocity, and at least a few pixels wide so drum hits show. Notes
/// outside the span are left out; the time axis is in seconds with the bar
/// lines of `frame`.
///
/// # Errors
/// [`LookError::ZeroRate`], [`LookError::EmptySpan`] or [`LookError::BadSize`].
pub fn roll(
    notes: &[RollNote],
    rate: u32,
    span: (u64, u64),
    frame: &Frame,
) -> Result<Vec<u8>, LookError> {
    draw(notes, rate, span, frame).map(|(png, _)| png)
}

/// Where the picture put things, for tests.
#[derive(Debug, Clone)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Layout {
    pub plot: Plot,
    /// The note rows shown, lowest and highest.
    pub rows: (i32, i32),
}

impl Layout {
    /// The pixel row of the centre of a note row, as plotters maps it.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) fn row_of(&self, note: f64) -> i32 {
        let axis = RangedCoordf64::from(self.rows.0 as f64 - 0.5..self.rows.1 as f64 + 0.5);
        axis.map(&note, (self.plot.y.end - 1, self.plot.y.start))
    }
}

/// Lowest and highest row: the notes used, padded by two semitones, at
/// least an octave.
fn note_range(notes: &[&RollNote]) -> (i32, i32) {
    if notes.is_empty() {
        return (48, 72);
    }
    let lo = notes
        .iter()
        .map(|n| n.note)
        .fold(f32::MAX, f32::min)
        .floor() as i32
        - 2;
    let hi = notes.iter().map(|n| n.note).fold(f32::MIN, f32::max).ceil() as i32 + 2;
    let short = (12 - (hi - lo)).max(0);
    (lo - short / 2, hi + (short - short / 2))
}

/// Labelled rows: every semitone, or every 2nd, 4th or 12th (always the Cs)
/// so that labels do not crowd.
fn label_rows((lo, hi): (i32, i32), row_px: f64, need_px: f64) -> Vec<f64> {
    let step = [1, 2, 4, 12, 24, 48, 96]
        .into_iter()
        .find(|s| row_px * *s as f64 >= need_px)
        .unwrap_or(96);
    (lo..=hi)
        .filter(|n| n.rem_euclid(step) == 0)
        .map(|n| n as f64)
        .collect()
}

pub(crate) fn draw(
    notes: &[RollNote],
    rate: u32,
    (from, to): (u64, u64),
    frame: &Frame,
) -> Result<(Vec<u8>, Layout), LookError> {
    if rate == 0 {
        return Err(LookError::ZeroRate);
    }
    if to <= from {
        return Err(LookError::EmptySpan);
    }
    canvas::check_frame(frame)?;
    let span = Span {
        start: from,
        end: to,
        rate,
    };
    // Tracks in order of first appearance; notes inside the span.
    let mut tracks: Vec<&str> = Vec::new();
    for n in notes {
        if !tracks.contains(&n.track.as_str()) {
            tracks.push(&n.track);
        }
    }
    let shown: Vec<&RollNote> = notes
        .iter()
        .filter(|n| n.note.is_finite() && n.end.max(n.start) > from && n.start < to)
        .collect();
    let rows = note_range(&shown);
    let midi_velocity = shown.iter().any(|n| n.velocity > 1.0);
    canvas::render(frame, |root, style| {
        let (w, _) = root.dim_in_pixel();
        let names: Vec<(&str, RGBColor)> = tracks
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, track(i)))
            .collect();
        let side_w = canvas::legend_width(root, style, &tracks).min(w as i32 / 4);
        let (main, _) = root.split_horizontally(w as i32 - side_w);
        let note = format!(
            "piano roll: {} notes, {}..{}",
            shown.len(),
            note_name(rows.0),
            note_name(rows.1)
        );
        canvas::header(root, style, &frame.title, &note)?;
        let y_range = rows.0 as f64 - 0.5..rows.1 as f64 + 0.5;
        // Plot height is known before building: the builder's margins.
        let (_, h) = main.dim_in_pixel();
        let plot_h = h as i32 - style.top() - style.pad() - style.x_label_area();
        let row_px = plot_h as f64 / (rows.1 - rows.0 + 1) as f64;
        let ticks = label_rows(rows, row_px, style.px(16.0) as f64);
        let mut chart = canvas::builder(&main, style)
            .build_cartesian_2d(span.range(), Ticks::<RangedCoordf64>::new(y_range, ticks))
            .map_err(fail)?;
        let plot = Plot::of(&chart);
        let layout = Layout {
            plot: plot.clone(),
            rows,
        };
        let (t0, t1) = (plot.t.start, plot.t.end);
        // Shade black-key rows, mark each octave (B|C) boundary.
        let shade = (rows.0..=rows.1).filter(|n| is_black(*n)).map(|n| {
            Rectangle::new(
                [(t0, n as f64 - 0.5), (t1, n as f64 + 0.5)],
                RGBColor(236, 236, 240).filled(),
            )
        });
        chart.draw_series(shade).map_err(fail)?;
        let octaves = (rows.0..=rows.1)
            .filter(|n| n.rem_euclid(12) == 0)
            .map(|n| {
                PathElement::new(
                    vec![(t0, n as f64 - 0.5), (t1, n as f64 - 0.5)],
                    RGBColor(190, 190, 200),
                )
            });
        chart.draw_series(octaves).map_err(fail)?;
        let time_label = axes::tick_label(t1 - t0);
        let px_w = (plot.x.end - plot.x.start) as usize;
        let note_label = |v: &f64| note_name(v.round() as i32);
        chart
            .configure_mesh()
            .set_all_tick_mark_size(style.px(5.0))
            .disable_y_mesh()
            .bold_line_style(GRID)
            .max_light_lines(0)
            .axis_style(INK)
            .x_labels((px_w / style.px(110.0) as usize).max(2))
            .x_label_formatter(&time_label)
            .y_label_formatter(&note_label)
            .label_style(style.label())
            .axis_desc_style(style.desc())
            .x_desc("time (s)")
            .y_desc("note")
            .draw()
            .map_err(fail)?;
        axes::bar_lines(root, style, frame, &span, &plot, BAR.mix(0.7))?;
        // At least 3 pixels wide, so that short drum hits show.
        let min_secs = 3.0 * (t1 - t0) / px_w.max(1) as f64;
        let half = 0.42;
        for n in &shown {
            let i = tracks.iter().position(|t| *t == n.track).unwrap_or(0);
            let colour = track(i);
            let v = if n.velocity.is_finite() {
                n.velocity
            } else {
                1.0
            };
            let v = if midi_velocity { v / 127.0 } else { v }.clamp(0.0, 1.0) as f64;
            let a = span.secs(n.start.max(from));
            let b = span
                .secs(n.end.max(n.start).min(to))
                .max(a + min_secs)
                .min(t1);
            let a = a.min(b - min_secs).max(t0);
            let y = n.note as f64;
            let corners = [(a, y - half), (b, y + half)];
            let fill = Rectangle::new(corners, colour.mix(0.25 + 0.75 * v).filled());
            let edge = Rectangle::new(corners, colour.stroke_width(1));
            chart.draw_series([fill, edge]).map_err(fail)?;
        }
        if shown.is_empty() {
            let st = style.text(18.0).pos(Pos::new(HPos::Center, VPos::Center));
            let c = (
                (plot.x.start + plot.x.end) / 2,
                (plot.y.start + plot.y.end) / 2,
            );
            root.draw_text("no notes in this span", &st, c)
                .map_err(fail)?;
        }
        let x = w as i32 - side_w + style.px(4.0);
        canvas::legend(root, style, &names, (x, plot.y.start), plot.y.end)?;
        Ok(layout)
    })
}
