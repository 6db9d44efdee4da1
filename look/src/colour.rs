//! Colours: the magma colour map for levels and a palette for tracks.

use plotters::style::RGBColor;

/// Coefficients of a degree-6 polynomial fit of matplotlib's magma map
/// (Matt Zucker's public-domain fit), lowest degree first, per channel.
const MAGMA: [[f64; 3]; 7] = [
    [
        -0.002136485053939582,
        -0.000749655052795221,
        -0.005386127855323933,
    ],
    [0.2516605407371642, 0.6775232436837668, 2.494026599312351],
    [8.353717279216625, -3.577719514958484, 0.3144679030132573],
    [-27.66873308576866, 14.26473078096533, -13.64921318813922],
    [52.17613981234068, -27.94360607168351, 12.94416944238394],
    [-50.76852536473588, 29.04658282127291, 4.23415299384598],
    [18.65570506591883, -11.48977351997711, -5.601961508734096],
];

/// The magma colour at `t` in 0..1 (black through purple and orange to
/// pale yellow); `t` outside that range is clamped, NaN reads as 0.
pub(crate) fn magma(t: f64) -> [u8; 3] {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let mut out = [0u8; 3];
    for (c, o) in out.iter_mut().enumerate() {
        let v = MAGMA.iter().rev().fold(0.0, |acc, k| acc * t + k[c]);
        *o = (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    }
    out
}

/// A table of 256 magma colours, for fast lookup by level.
pub(crate) fn magma_table() -> Vec<[u8; 3]> {
    (0..256).map(|i| magma(i as f64 / 255.0)).collect()
}

/// Distinct colours for tracks (Tableau 10), readable on white.
const TRACKS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of the `i`-th track; colours repeat after ten tracks.
pub(crate) fn track(i: usize) -> RGBColor {
    TRACKS[i % TRACKS.len()]
}

/// Colours of the two scope channels (left, right).
pub(crate) const LEFT: RGBColor = RGBColor(31, 119, 180);
/// See [`LEFT`].
pub(crate) const RIGHT: RGBColor = RGBColor(214, 39, 40);
/// Text and axis colour.
pub(crate) const INK: RGBColor = RGBColor(20, 20, 20);
/// Grid lines on white.
pub(crate) const GRID: RGBColor = RGBColor(225, 225, 225);
/// Bar lines on white.
pub(crate) const BAR: RGBColor = RGBColor(90, 90, 90);
