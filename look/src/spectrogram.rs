//! The spectrogram: frequency (log scale) over time, coloured by level.

use plotters::prelude::*;
use rustfft::num_complex::Complex;
use rustfft::{Fft, FftDirection};

use plotters::coord::types::RangedCoordf64;

use crate::axes::{self, Plot, Span, Ticks};
use crate::canvas::{self, fail};
use crate::colour::{magma, magma_table};
use crate::{audio, Audio, Frame, LookError};

/// FFT size of the analysis (samples).
pub(crate) const FFT: usize = 2048;
/// Hop between analysis frames (samples), unless the span is so long that
/// fewer frames are enough for the width of the picture.
pub(crate) const HOP: usize = 256;
/// Lowest frequency shown (Hz).
pub(crate) const F_MIN: f64 = 20.0;
/// Level shown darkest (dBFS).
pub(crate) const DB_FLOOR: f64 = -100.0;
/// Level shown brightest (dBFS).
pub(crate) const DB_TOP: f64 = 0.0;

/// Draws the spectrogram of the mono mix of `audio` as a PNG picture.
///
/// The frequency axis is logarithmic from 20 Hz up to half the sample rate;
/// the time axis is in seconds from frame 0, with the bar lines of `frame`
/// drawn and numbered. Colour shows the level in dBFS from -100 (black) to
/// 0 (pale yellow), explained by a colour bar on the right. A full-scale
/// sine reads 0 dBFS. The analysis is a short-time Fourier transform with
/// a 2048-sample Hann window every 256 samples.
///
/// # Errors
/// [`LookError::EmptyAudio`], [`LookError::ZeroRate`],
/// [`LookError::LowRate`] (under 100 Hz), or [`LookError::BadSize`].
pub fn spectrogram(audio: &Audio, frame: &Frame) -> Result<Vec<u8>, LookError> {
    draw(audio, frame).map(|(png, _)| png)
}

/// Where the picture put things, for tests.
#[derive(Debug, Clone)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Layout {
    pub plot: Plot,
    pub nyquist: f64,
}

/// The frequency axis: log scale with labelled round numbers.
pub(crate) fn freq_axis(nyquist: f64) -> Ticks<LogCoord<f64>> {
    let mut ticks = vec![50.0, 100.0, 200.0, 500.0, 1e3, 2e3, 5e3, 1e4];
    if nyquist >= 22e3 {
        ticks.push(2e4);
    }
    ticks.retain(|&f| f < nyquist);
    Ticks::new((F_MIN..nyquist).log_scale(), ticks)
}

fn hz_label(f: &f64) -> String {
    if *f >= 1000.0 {
        format!("{}k", f / 1000.0)
    } else {
        format!("{f}")
    }
}

pub(crate) fn draw(audio: &Audio, frame: &Frame) -> Result<(Vec<u8>, Layout), LookError> {
    audio::check(audio)?;
    canvas::check_frame(frame)?;
    if audio.rate < 100 {
        return Err(LookError::LowRate);
    }
    let mono = audio::mono(audio);
    let nyquist = audio.rate as f64 / 2.0;
    let span = Span {
        start: audio.start,
        end: audio.end(),
        rate: audio.rate,
    };
    canvas::render(frame, |root, style| {
        let (w, _) = root.dim_in_pixel();
        let (main, side) = root.split_horizontally(w as i32 - style.px(96.0));
        canvas::header(root, style, &frame.title, "spectrogram, mono mix")?;
        let mut chart = canvas::builder(&main, style)
            .build_cartesian_2d(span.range(), freq_axis(nyquist))
            .map_err(fail)?;
        let plot = Plot::of(&chart);
        let pw = (plot.x.end - plot.x.start) as usize;
        let ph = (plot.y.end - plot.y.start) as usize;
        let img = image(&mono, audio.rate, nyquist, pw, ph);
        let elem = BitMapElement::with_owned_buffer(
            (plot.x.start, plot.y.start),
            (pw as u32, ph as u32),
            img,
        )
        .ok_or(LookError::Draw)?;
        root.draw(&elem).map_err(fail)?;

        let time_label = axes::tick_label(plot.t.end - plot.t.start);
        chart
            .configure_mesh()
            .set_all_tick_mark_size(style.px(5.0))
            .bold_line_style(WHITE.mix(0.18))
            .max_light_lines(0)
            .axis_style(crate::colour::INK)
            .x_labels((pw / style.px(110.0) as usize).max(2))
            .x_label_formatter(&time_label)
            .y_label_formatter(&hz_label)
            .label_style(style.label())
            .axis_desc_style(style.desc())
            .x_desc("time (s)")
            .y_desc("frequency (Hz)")
            .draw()
            .map_err(fail)?;
        axes::bar_lines(root, style, frame, &span, &plot, WHITE.mix(0.6))?;
        colour_bar(&side, style)?;
        Ok(Layout { plot, nyquist })
    })
}

/// The colour bar legend: the colour map with its dB scale.
fn colour_bar(area: &canvas::Area, style: &canvas::Style) -> Result<(), LookError> {
    let mut chart = ChartBuilder::on(area)
        .margin_top(style.top())
        .margin_bottom(style.pad() + style.x_label_area())
        .margin_left(style.px(6.0))
        .margin_right(style.pad())
        .right_y_label_area_size(style.px(62.0))
        .build_cartesian_2d(
            0f64..1f64,
            Ticks::<RangedCoordf64>::new(
                DB_FLOOR..DB_TOP,
                (0..=5).map(|i| DB_FLOOR + 20.0 * i as f64).collect(),
            ),
        )
        .map_err(fail)?;
    let (xr, yr) = chart.plotting_area().get_pixel_range();
    let (cw, ch) = ((xr.end - xr.start) as usize, (yr.end - yr.start) as usize);
    let mut img = Vec::with_capacity(cw * ch * 3);
    for r in 0..ch {
        let t = 1.0 - r as f64 / (ch.max(2) - 1) as f64;
        let c = magma(t);
        for _ in 0..cw {
            img.extend_from_slice(&c);
        }
    }
    // Placed by chart coordinates: its top left corner is (0, 0 dB).
    let elem = BitMapElement::with_owned_buffer((0.0, DB_TOP), (cw as u32, ch as u32), img)
        .ok_or(LookError::Draw)?;
    chart.draw_series(std::iter::once(elem)).map_err(fail)?;
    chart
        .configure_mesh()
        .set_all_tick_mark_size(style.px(5.0))
        .disable_mesh()
        .disable_x_axis()
        .axis_style(crate::colour::INK)
        .label_style(style.label())
        .axis_desc_style(style.desc())
        .y_label_formatter(&|v: &f64| format!("{v:.0}"))
        .y_desc("level (dBFS)")
        .draw()
        .map_err(fail)?;
    Ok(())
}

/// How one pixel row reads the spectrum.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RowMap {
    /// Cubic interpolation at a fractional bin (the row is narrower than a bin).
    Interp(usize, f32),
    /// Maximum over a range of bins (the row spans several bins).
    Max(usize, usize),
}

/// Frequency at the centre of pixel row `r` (0 = top) of a plot `ph` rows
/// high, the inverse of the plotters log axis mapping.
pub(crate) fn row_freq(r: f64, ph: usize, nyquist: f64) -> f64 {
    let t = 1.0 - r / (ph.max(2) - 1) as f64;
    (F_MIN.ln() + t * (nyquist.ln() - F_MIN.ln())).exp()
}

pub(crate) fn row_maps(rate: u32, nyquist: f64, ph: usize) -> Vec<RowMap> {
    let bin = |f: f64| f * FFT as f64 / rate as f64;
    let last = FFT / 2;
    (0..ph)
        .map(|r| {
            let lo = bin(row_freq(r as f64 + 0.5, ph, nyquist));
            let hi = bin(row_freq(r as f64 - 0.5, ph, nyquist));
            if hi - lo > 1.0 {
                let a = (lo.ceil() as usize).min(last);
                let b = (hi.floor() as usize).clamp(a, last);
                RowMap::Max(a, b)
            } else {
                let c = bin(row_freq(r as f64, ph, nyquist)).min(last as f64);
                RowMap::Interp(c.floor() as usize, c.fract() as f32)
            }
        })
        .collect()
}

/// 10 log10(p) for a power, to about 0.02 dB, much faster than `log10`.
/// Powers of 1e-20 and below (and NaN) read as -200 dB.
pub(crate) fn fast_db(p: f32) -> f32 {
    if p.is_nan() || p <= 1e-20 {
        return -200.0;
    }
    let bits = p.to_bits();
    let exp = ((bits >> 23) & 0xff) as i32 - 127;
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000);
    // log2 of the mantissa in 1..2, a quadratic fit.
    let log2 = exp as f32 + (-0.344_848_43 * m + 2.024_665_8) * m - 1.674_877_6;
    std::f32::consts::LOG10_2 * 10.0 * log2
}

/// The magnitude at fractional bin `i + t`: a Catmull-Rom spline through
/// the magnitudes of the four neighbouring bins. Interpolating magnitudes,
/// not levels in dB, keeps the deep nulls of the window from throwing the
/// curve far above the bins; it never dips below the lower of the two
/// bins either side (a dip would show as a false black line).
fn interp(mag: &[f32], i: usize, t: f32) -> f32 {
    let at = |k: isize| mag[k.clamp(0, mag.len() as isize - 1) as usize];
    let i = i as isize;
    let (p0, p1, p2, p3) = (at(i - 1), at(i), at(i + 1), at(i + 2));
    let v = p1
        + 0.5
            * t
            * (p2 - p0
                + t * (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3 + t * (3.0 * (p1 - p2) + p3 - p0)));
    v.clamp(p1.min(p2), 1.25 * p1.max(p2))
}

/// The spectrogram pixels: `pw` x `ph` RGB, row 0 at the top (Nyquist).
pub(crate) fn image(mono: &[f32], rate: u32, nyquist: f64, pw: usize, ph: usize) -> Vec<u8> {
    let len = mono.len();
    let hop = HOP.max(len.div_ceil(4 * pw.max(1)));
    let frames = len / hop + 1;
    let rows = analyse(mono, hop, frames, &row_maps(rate, nyquist, ph));
    let table = magma_table();
    let mut img = vec![0u8; pw * ph * 3];
    let mut col = vec![0f32; ph];
    let per_col = len as f64 / (pw.max(2) - 1) as f64;
    for c in 0..pw {
        let s = c as f64 * per_col;
        let last = frames as isize - 1;
        let clamp = |v: f64| (v as isize).clamp(0, last) as usize;
        let (mut k0, mut k1) = (
            clamp(((s - per_col / 2.0) / hop as f64).ceil()),
            clamp(((s + per_col / 2.0) / hop as f64).floor()),
        );
        if k0 > k1 {
            k0 = clamp((s / hop as f64).round());
            k1 = k0;
        }
        col.fill(f32::MIN);
        for k in k0..=k1 {
            for (v, x) in col.iter_mut().zip(&rows[k * ph..(k + 1) * ph]) {
                *v = v.max(*x);
            }
        }
        for (r, v) in col.iter().enumerate() {
            let t = (*v as f64 - DB_FLOOR) / (DB_TOP - DB_FLOOR);
            let i = (t.clamp(0.0, 1.0) * 255.0).round() as usize;
            let o = (r * pw + c) * 3;
            img[o..o + 3].copy_from_slice(&table[i]);
        }
    }
    img
}

/// The level (dB) of each pixel row for each analysis frame, frame-major.
/// Frame `k` is centred on sample `k * hop`. Two real frames share one
/// complex FFT (one as the real part, one as the imaginary part).
pub(crate) fn analyse(mono: &[f32], hop: usize, frames: usize, maps: &[RowMap]) -> Vec<f32> {
    let (len, ph, half) = (mono.len(), maps.len(), FFT / 2);
    let fft = crate::audio::fft(FFT, FftDirection::Forward);
    let window: Vec<f32> = (0..FFT)
        .map(|i| 0.5 - 0.5 * (std::f32::consts::TAU * i as f32 / FFT as f32).cos())
        .collect();
    // Amplitude of a full-scale sine reads 1: divide by the window sum / 2;
    // the extra half undoes the sharing of one FFT by two frames.
    let norm = 2.0 / window.iter().sum::<f32>() * 0.5;
    let scale = norm * norm;
    let mut buf = vec![Complex::new(0.0f32, 0.0); FFT];
    let mut scratch = vec![Complex::new(0.0f32, 0.0); fft.get_inplace_scratch_len()];
    let mut power = [vec![0f32; half + 1], vec![0f32; half + 1]];
    // Bins read by interpolated rows, which need magnitudes.
    let interp_bins = maps
        .iter()
        .filter_map(|m| match m {
            RowMap::Interp(i, _) => Some(i + 3),
            RowMap::Max(..) => None,
        })
        .max()
        .unwrap_or(0)
        .min(half + 1);
    let mut mag = vec![0f32; interp_bins];
    let mut rows = vec![0f32; frames * ph];
    let sample = |k: usize, i: usize| {
        let s = (k * hop + i) as isize - half as isize;
        if k < frames && s >= 0 && (s as usize) < len {
            mono[s as usize] * window[i]
        } else {
            0.0
        }
    };
    for pair in (0..frames).step_by(2) {
        for (i, b) in buf.iter_mut().enumerate() {
            *b = Complex::new(sample(pair, i), sample(pair + 1, i));
        }
        fft.process_with_scratch(&mut buf, &mut scratch);
        for k in 0..=half {
            let (z, w) = (buf[k], buf[(FFT - k) % FFT].conj());
            power[0][k] = (z + w).norm_sqr() * scale;
            power[1][k] = (z - w).norm_sqr() * scale;
        }
        for (f, p) in power.iter().enumerate().filter(|(f, _)| pair + f < frames) {
            for (m, v) in mag.iter_mut().zip(p) {
                *m = v.sqrt();
            }
            let out = &mut rows[(pair + f) * ph..(pair + f + 1) * ph];
            for (o, map) in out.iter_mut().zip(maps) {
                *o = match *map {
                    RowMap::Max(a, b) => fast_db(p[a..=b].iter().copied().fold(0.0, f32::max)),
                    RowMap::Interp(i, t) => fast_db(interp(&mag, i, t).powi(2)),
                };
            }
        }
    }
    rows
}
