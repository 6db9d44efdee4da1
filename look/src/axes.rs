//! Axes shared by the pictures: the time axis and its plot rectangle, bar
//! lines with numbers, and axes with chosen tick marks.

use std::ops::Range;

use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::canvas::{fail, Area, Style};
use crate::fonts::Canvas;
use crate::{Frame, LookError};

/// The pixel rectangle of a plot and the time shown across it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plot {
    /// Pixel columns of the plot (end exclusive).
    pub x: Range<i32>,
    /// Pixel rows of the plot (end exclusive).
    pub y: Range<i32>,
    /// Time shown, in seconds, left to right.
    pub t: Range<f64>,
}

impl Plot {
    /// The plot rectangle of a chart whose x axis is time in seconds.
    pub(crate) fn of<Y: Ranged>(
        chart: &ChartContext<'_, Canvas<'_>, Cartesian2d<RangedCoordf64, Y>>,
    ) -> Plot {
        let (x, y) = chart.plotting_area().get_pixel_range();
        let t = chart.x_range();
        Plot { x, y, t }
    }

    /// The pixel column of a time in seconds, as plotters maps it.
    pub(crate) fn column(&self, secs: f64) -> i32 {
        RangedCoordf64::from(self.t.clone()).map(&secs, (self.x.start, self.x.end - 1))
    }
}

/// A time span in frames, shown in seconds from frame 0.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span {
    pub start: u64,
    pub end: u64,
    pub rate: u32,
}

impl Span {
    /// Seconds at a frame.
    pub(crate) fn secs(&self, frame: u64) -> f64 {
        frame as f64 / self.rate as f64
    }

    /// The span in seconds.
    pub(crate) fn range(&self) -> Range<f64> {
        self.secs(self.start)..self.secs(self.end)
    }
}

/// Tick label text for an axis spanning `span` units, with as many
/// decimals as the ticks need.
pub(crate) fn tick_label(span: f64) -> impl Fn(&f64) -> String {
    let decimals = if span < 0.5 {
        3
    } else if span < 5.0 {
        2
    } else if span < 50.0 {
        1
    } else {
        0
    };
    move |v: &f64| format!("{:.*}", decimals, v)
}

/// Draws the bar lines of `frame` across `plot` in `colour`, and their
/// numbers just above the plot. Numbers are thinned out (every 2nd, 4th ...
/// bar) where they would crowd each other.
pub(crate) fn bar_lines(
    root: &Area,
    style: &Style,
    frame: &Frame,
    span: &Span,
    plot: &Plot,
    colour: RGBAColor,
) -> Result<(), LookError> {
    let bars: Vec<(u64, i32)> = frame
        .bars
        .iter()
        .enumerate()
        .filter(|(_, &f)| f >= span.start && f <= span.end)
        .map(|(i, &f)| {
            (
                frame.first_bar.saturating_add(i as u64),
                plot.column(span.secs(f)),
            )
        })
        .collect();
    if bars.is_empty() {
        return Ok(());
    }
    let label = style.text(13.0);
    let widest = bars
        .iter()
        .map(|(n, _)| {
            root.estimate_text_size(&n.to_string(), &label)
                .map_or(30, |s| s.0)
        })
        .max()
        .unwrap_or(30) as f64;
    let spacing = if bars.len() > 1 {
        (plot.x.end - plot.x.start) as f64 / (bars.len() - 1) as f64
    } else {
        f64::INFINITY
    };
    let mut every = 1usize;
    while spacing * (every as f64) < widest + style.px(10.0) as f64 {
        every *= 2;
    }
    let anchored = label.pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, (n, x)) in bars.iter().enumerate() {
        let labelled = i % every == 0;
        if labelled || spacing >= 4.0 {
            let line = PathElement::new(vec![(*x, plot.y.start), (*x, plot.y.end - 1)], colour);
            root.draw(&line).map_err(fail)?;
        }
        if labelled {
            root.draw_text(
                &n.to_string(),
                &anchored,
                (*x, plot.y.start - style.px(5.0)),
            )
            .map_err(fail)?;
        }
    }
    Ok(())
}

/// An axis with tick marks at chosen values, labelled by the formatter
/// given to the mesh (plotters' own `WithKeyPoints` cannot take one for
/// `f64` axes).
pub(crate) struct Ticks<R: Ranged> {
    inner: R,
    points: Vec<R::ValueType>,
}

impl<R: Ranged> Ticks<R> {
    pub(crate) fn new(inner: impl Into<R>, points: Vec<R::ValueType>) -> Self {
        Ticks {
            inner: inner.into(),
            points,
        }
    }
}

impl<R: Ranged> Ranged for Ticks<R>
where
    R::ValueType: Clone,
{
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = R::ValueType;

    fn map(&self, value: &Self::ValueType, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(
        &self,
        hint: H,
    ) -> Vec<Self::ValueType> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.points.clone()
        }
    }

    fn range(&self) -> Range<Self::ValueType> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}
