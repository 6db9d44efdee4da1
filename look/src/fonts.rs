//! The embedded label font (DejaVu Sans, see `fonts/LICENSE`) and the
//! drawing backend that renders text with it.
//!
//! The backend is plotters' bitmap backend with its text drawing replaced:
//! plotters' own `ab_glyph` text rounds each glyph's position on its own,
//! which makes digits and dots hop up and down by a pixel at small sizes.
//! Here glyphs are placed on one shared baseline with sub-pixel advances.

use std::sync::OnceLock;

use ab_glyph::{point, Font, FontRef, PxScale, ScaleFont};
use plotters::backend::BitMapBackend;
use plotters::style::{register_font, FontStyle};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
};

use crate::LookError;

/// Name under which the embedded font is registered with plotters.
pub(crate) const FAMILY: &str = "chronus-look-sans";

static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static FONT: OnceLock<Option<FontRef<'static>>> = OnceLock::new();

fn font() -> Option<&'static FontRef<'static>> {
    FONT.get_or_init(|| {
        let ok = register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok();
        FontRef::try_from_slice(DEJAVU_SANS).ok().filter(|_| ok)
    })
    .as_ref()
}

/// Loads the embedded font once; later calls only report the outcome.
pub(crate) fn ensure() -> Result<(), LookError> {
    font().map(|_| ()).ok_or(LookError::Font)
}

/// Height of a line of text of `size` pixels, as plotters lays it out.
fn line_height(size: f64) -> f64 {
    size / 1.24
}

/// Width in pixels of `text` at `size` (advances and kerning).
fn text_width(font: &FontRef<'static>, size: f64, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size as f32));
    let mut width = 0.0;
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            width += scaled.kern(p, id);
        }
        width += scaled.h_advance(id);
        prev = Some(id);
    }
    width
}

/// Plotters' bitmap backend, drawing text with the embedded font.
pub(crate) struct Canvas<'a>(pub BitMapBackend<'a>);

type Error<'a> = DrawingErrorKind<<BitMapBackend<'a> as DrawingBackend>::ErrorType>;

impl<'a> DrawingBackend for Canvas<'a> {
    type ErrorType = <BitMapBackend<'a> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.0.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Error<'a>> {
        self.0.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Error<'a>> {
        self.0.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Error<'a>> {
        self.0.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.0.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Error<'a>> {
        self.0.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.0.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Error<'a>> {
        self.0.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), Error<'a>> {
        self.0.fill_polygon(vert, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), Error<'a>> {
        self.0.blit_bitmap(pos, size, src)
    }

    fn estimate_text_size<T: BackendTextStyle>(
        &self,
        text: &str,
        style: &T,
    ) -> Result<(u32, u32), Error<'a>> {
        let Some(font) = font() else {
            return Ok((0, 0));
        };
        let w = text_width(font, style.size(), text).ceil() as u32;
        Ok((w, line_height(style.size()) as u32))
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Error<'a>> {
        let colour = style.color();
        let Some(font) = font() else {
            return Ok(());
        };
        if colour.alpha <= 0.0 {
            return Ok(());
        }
        let size = style.size();
        let width = text_width(font, size, text).ceil() as i32;
        let height = line_height(size) as i32;
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let transform = style.transform();
        let scale = PxScale::from(size as f32);
        let scaled = font.as_scaled(scale);
        // Digits and capitals sit centred in the line box.
        let baseline = (0.70 * size) as f32;
        let mut caret = 0.0f32;
        let mut prev = None;
        let mut pixels = Vec::new();
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            if let Some(p) = prev {
                caret += scaled.kern(p, id);
            }
            prev = Some(id);
            let glyph = id.with_scale_and_position(scale, point(caret, baseline));
            caret += scaled.h_advance(id);
            if let Some(outline) = font.outline_glyph(glyph) {
                let b = outline.px_bounds();
                let (x0, y0) = (b.min.x as i32, b.min.y as i32);
                outline.draw(|x, y, cover| {
                    if cover > 0.0 {
                        pixels.push((x0 + x as i32, y0 + y as i32, cover));
                    }
                });
            }
        }
        for (x, y, cover) in pixels {
            let (x, y) = transform.transform(x + dx, y + dy);
            let alpha = colour.alpha * cover.min(1.0) as f64;
            self.0.draw_pixel(
                (pos.0 + x, pos.1 + y),
                BackendColor {
                    alpha,
                    rgb: colour.rgb,
                },
            )?;
        }
        Ok(())
    }
}
