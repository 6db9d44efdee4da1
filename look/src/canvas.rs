//! What the four pictures share: the pixel buffer and its PNG encoding,
//! text sizes and margins, the title line and a legend.

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::colour::INK;
use crate::fonts::{self, Canvas};
use crate::{Frame, LookError, MAX_SIZE, MIN_SIZE};

/// The drawing area over the whole picture, in pixels.
pub(crate) type Area<'a> = DrawingArea<Canvas<'a>, plotters::coord::Shift>;

/// Maps any plotters error to [`LookError::Draw`].
pub(crate) fn fail<E>(_: E) -> LookError {
    LookError::Draw
}

/// Checks the picture size.
pub(crate) fn check_frame(frame: &Frame) -> Result<(), LookError> {
    let ok = |v: u32| (MIN_SIZE..=MAX_SIZE).contains(&v);
    if ok(frame.width) && ok(frame.height) {
        Ok(())
    } else {
        Err(LookError::BadSize {
            width: frame.width,
            height: frame.height,
        })
    }
}

/// Sizes of text and margins, scaled with the picture.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// 1.0 for the default 1200x600 picture.
    pub scale: f64,
}

impl Style {
    pub(crate) fn new(frame: &Frame) -> Self {
        let s = (frame.width as f64 / 1200.0).min(frame.height as f64 / 600.0);
        Style {
            scale: s.clamp(0.6, 2.5),
        }
    }

    /// A length of `base` pixels at scale 1, scaled.
    pub(crate) fn px(&self, base: f64) -> i32 {
        (base * self.scale).round().max(1.0) as i32
    }

    /// Text of `base` pixels at scale 1, in ink colour.
    pub(crate) fn text(&self, base: f64) -> TextStyle<'static> {
        (fonts::FAMILY, base * self.scale).into_font().color(&INK)
    }

    /// Tick labels.
    pub(crate) fn label(&self) -> TextStyle<'static> {
        self.text(14.0)
    }

    /// Axis descriptions.
    pub(crate) fn desc(&self) -> TextStyle<'static> {
        self.text(15.0)
    }

    /// Margin round the picture.
    pub(crate) fn pad(&self) -> i32 {
        self.px(12.0)
    }

    /// Distance from the top of the picture to the top of the plot: room
    /// for the title and a row of bar numbers.
    pub(crate) fn top(&self) -> i32 {
        self.px(64.0)
    }

    /// Height of the band under the plot for tick labels and axis name.
    pub(crate) fn x_label_area(&self) -> i32 {
        self.px(50.0)
    }

    /// Width of the band left of the plot for tick labels and axis name.
    pub(crate) fn y_label_area(&self) -> i32 {
        self.px(78.0)
    }
}

/// Draws a picture: makes the buffer, lets `draw` paint it, encodes PNG.
/// `draw` may hand back a value (the layout, for tests).
pub(crate) fn render<T>(
    frame: &Frame,
    draw: impl FnOnce(&Area, &Style) -> Result<T, LookError>,
) -> Result<(Vec<u8>, T), LookError> {
    check_frame(frame)?;
    fonts::ensure()?;
    let (w, h) = (frame.width, frame.height);
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    let out = {
        let root = Canvas(BitMapBackend::with_buffer(&mut buf, (w, h))).into_drawing_area();
        let style = Style::new(frame);
        let out = draw(&root, &style)?;
        root.present().map_err(fail)?;
        out
    };
    Ok((encode(&buf, w, h)?, out))
}

/// Encodes an RGB buffer as PNG.
pub(crate) fn encode(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, LookError> {
    let mut out = Vec::with_capacity(rgb.len() / 8);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().map_err(|_| LookError::Encode)?;
        writer
            .write_image_data(rgb)
            .map_err(|_| LookError::Encode)?;
        writer.finish().map_err(|_| LookError::Encode)?;
    }
    Ok(out)
}

/// Writes the title at the top left and an optional note at the top right.
pub(crate) fn header(root: &Area, style: &Style, title: &str, note: &str) -> Result<(), LookError> {
    let (w, _) = root.dim_in_pixel();
    let pad = style.pad();
    let y = style.px(8.0);
    let title_style = style.text(20.0);
    let title = fit_text(root, &title_style, title, w as i32 - 2 * pad);
    root.draw_text(&title, &title_style, (pad, y))
        .map_err(fail)?;
    let width = |t: &str, s: &TextStyle| root.estimate_text_size(t, s).map_or(0, |d| d.0 as i32);
    let note_style = style.text(14.0);
    let fits = width(&title, &title_style) + width(note, &note_style) + 3 * pad <= w as i32;
    if !note.is_empty() && fits {
        let st = note_style
            .color(&RGBColor(90, 90, 90))
            .pos(Pos::new(HPos::Right, VPos::Top));
        root.draw_text(note, &st, (w as i32 - pad, y + style.px(4.0)))
            .map_err(fail)?;
    }
    Ok(())
}

/// A chart builder with the shared margins and label areas on `area`.
pub(crate) fn builder<'a, 'b>(
    area: &'a Area<'b>,
    style: &Style,
) -> ChartBuilder<'a, 'b, Canvas<'b>> {
    let mut b = ChartBuilder::on(area);
    b.margin_top(style.top())
        .margin_bottom(style.pad())
        .margin_left(style.pad())
        .margin_right(style.pad())
        .x_label_area_size(style.x_label_area())
        .y_label_area_size(style.y_label_area());
    b
}

/// Width needed by a legend of these names.
pub(crate) fn legend_width(root: &Area, style: &Style, names: &[&str]) -> i32 {
    let font = style.label();
    let text = names
        .iter()
        .map(|n| root.estimate_text_size(n, &font).map_or(0, |s| s.0 as i32))
        .max()
        .unwrap_or(0);
    text + style.px(44.0)
}

/// Draws a legend, one line per entry (a colour swatch and a name),
/// starting at pixel `(x, y)`. Entries that do not fit above `bottom` are
/// summed up as "+N more".
pub(crate) fn legend(
    root: &Area,
    style: &Style,
    entries: &[(&str, RGBColor)],
    (x, y): (i32, i32),
    bottom: i32,
) -> Result<(), LookError> {
    let font = style.label().pos(Pos::new(HPos::Left, VPos::Center));
    let line = style.px(22.0);
    let swatch = style.px(16.0);
    let fit = ((bottom - y) / line).max(1) as usize;
    for (i, (name, colour)) in entries.iter().enumerate() {
        let cy = y + i as i32 * line + line / 2;
        if i + 1 == fit && entries.len() > fit {
            let more = format!("+{} more", entries.len() - i);
            root.draw_text(&more, &font, (x, cy)).map_err(fail)?;
            break;
        }
        let rect = Rectangle::new(
            [(x, cy - swatch / 4), (x + swatch, cy + swatch / 4)],
            colour.filled(),
        );
        root.draw(&rect).map_err(fail)?;
        let tx = x + swatch + style.px(8.0);
        let room = root.dim_in_pixel().0 as i32 - tx - style.px(2.0);
        root.draw_text(&fit_text(root, &font, name, room), &font, (tx, cy))
            .map_err(fail)?;
    }
    Ok(())
}

/// `text`, cut short with an ellipsis if it is wider than `room` pixels.
pub(crate) fn fit_text(root: &Area, font: &TextStyle, text: &str, room: i32) -> String {
    let width = |t: &str| root.estimate_text_size(t, font).map_or(0, |s| s.0 as i32);
    if width(text) <= room {
        return text.to_string();
    }
    let mut cut: Vec<char> = text.chars().collect();
    while !cut.is_empty() {
        cut.pop();
        let t: String = cut.iter().chain(std::iter::once(&'\u{2026}')).collect();
        if width(&t) <= room {
            return t;
        }
    }
    String::new()
}
