//! Mipmapped band-limited wavetables.
//!
//! Each waveform is stored as a set of single-cycle tables, three per
//! octave. The table for a band holds exactly the harmonics that stay below
//! Nyquist for the highest fundamental of that band, so nothing aliases; a
//! note reads the table of its band with linear interpolation. Tables are
//! 4096 samples long: the interpolation images of harmonic `h` are
//! attenuated by about `(h / 4096)^2`, below -100 dB for the top bands.
//! Built once per sample rate (by inverse FFT) on a control thread.

use rustfft::num_complex::Complex;
use rustfft::{Fft, FftDirection};
use std::sync::{Arc, Mutex, OnceLock};

/// log2 of the table length.
pub const TABLE_BITS: u32 = 12;
/// Samples per table.
pub const TABLE_LEN: usize = 1 << TABLE_BITS;
/// Bands per octave.
const BANDS_PER_OCTAVE: f64 = 3.0;
/// Highest fundamental of the lowest band.
const LOWEST_BAND_TOP: f64 = 20.0;
/// One band's table with its guard sample: a fixed size, so reads need no
/// bounds checks (`phase >> 20` is always below `TABLE_LEN`).
pub type Table = [f32; TABLE_LEN + 1];

/// Bits of the phase below the table index.
const FRAC_BITS: u32 = 32 - TABLE_BITS;
const FRAC_SCALE: f32 = 1.0 / (1u32 << FRAC_BITS) as f32;

/// A waveform the tables can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shape {
    /// Sine (one table: it has one harmonic).
    Sine,
    /// Sawtooth rising from -1 to 1.
    Saw,
    /// Square.
    Square,
    /// Triangle.
    Triangle,
}

impl Shape {
    /// Amplitude of harmonic `k` (sine phase), `k >= 1`.
    fn harmonic(self, k: usize) -> f64 {
        use std::f64::consts::PI;
        let kf = k as f64;
        match self {
            Shape::Sine => f64::from(u8::from(k == 1)),
            Shape::Saw => {
                let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
                2.0 / PI * sign / kf
            }
            Shape::Square if k % 2 == 1 => 4.0 / PI / kf,
            Shape::Triangle if k % 2 == 1 => {
                let sign = if (k / 2).is_multiple_of(2) { 1.0 } else { -1.0 };
                8.0 / (PI * PI) * sign / (kf * kf)
            }
            _ => 0.0,
        }
    }
}

/// The band tables of every [`Shape`] for one sample rate.
#[derive(Clone, Debug)]
pub struct Wavetables {
    rate: f64,
    /// Highest fundamental of each band.
    band_tops: Vec<f64>,
    /// `tables[shape][band]`, each `TABLE_LEN + 1` samples (a guard sample
    /// repeats the first, so interpolation never wraps).
    tables: [Vec<Box<Table>>; 4],
}

impl Wavetables {
    /// Build all tables for `rate` Hz. Allocates; call on a control thread.
    pub fn new(rate: f64) -> Self {
        let nyquist = rate * 0.5;
        let mut band_tops = Vec::new();
        let mut top = LOWEST_BAND_TOP;
        while top < nyquist {
            band_tops.push(top);
            top *= 2f64.powf(1.0 / BANDS_PER_OCTAVE);
        }
        band_tops.push(nyquist);
        // Radix 4 alone: rustfft's planner compiles every algorithm for
        // every instruction set (most of this crate's build time), and the
        // tables are built once, off the audio thread.
        let fft = rustfft::algorithm::Radix4::new(TABLE_LEN, FftDirection::Inverse);
        let build = |shape: Shape| -> Vec<Box<Table>> {
            band_tops
                .iter()
                .map(|&top| {
                    // Harmonics strictly below Nyquist for the band's top note.
                    let max_h = ((nyquist / top).ceil() as usize).saturating_sub(1);
                    let max_h = max_h.clamp(1, TABLE_LEN / 2 - 1);
                    let mut spectrum = vec![Complex::new(0.0f64, 0.0); TABLE_LEN];
                    for k in 1..=max_h {
                        // sin(k x) = (e^{ikx} - e^{-ikx}) / 2i
                        let a = shape.harmonic(k);
                        spectrum[k] = Complex::new(0.0, -a / 2.0);
                        spectrum[TABLE_LEN - k] = Complex::new(0.0, a / 2.0);
                    }
                    fft.process(&mut spectrum);
                    let mut table = Box::new([0.0f32; TABLE_LEN + 1]);
                    for (t, c) in table.iter_mut().zip(&spectrum) {
                        *t = c.re as f32;
                    }
                    table[TABLE_LEN] = table[0];
                    table
                })
                .collect()
        };
        let sine = build(Shape::Sine);
        Wavetables {
            rate,
            tables: [
                sine,
                build(Shape::Saw),
                build(Shape::Square),
                build(Shape::Triangle),
            ],
            band_tops,
        }
    }

    /// Sample rate the tables were built for.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// The band whose table plays `freq` Hz without aliasing.
    pub fn band_for(&self, freq: f64) -> usize {
        self.band_tops
            .iter()
            .position(|&top| freq <= top)
            .unwrap_or(self.band_tops.len() - 1)
    }

    /// The table of `shape` for band `band` (`TABLE_LEN + 1` samples).
    pub fn table(&self, shape: Shape, band: usize) -> &Table {
        let set = &self.tables[shape as usize];
        &set[band.min(set.len() - 1)]
    }
}

/// The tables for `rate`, built on first use and shared afterwards.
/// Allocates (and locks a cache) on first use: call on a control thread.
pub fn shared(rate: f64) -> Arc<Wavetables> {
    static CACHE: OnceLock<Mutex<Vec<Arc<Wavetables>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut cache = match cache.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    if let Some(t) = cache.iter().find(|t| t.rate == rate) {
        return Arc::clone(t);
    }
    let t = Arc::new(Wavetables::new(rate));
    cache.push(Arc::clone(&t));
    t
}

/// Read `table` at fixed-point `phase` with linear interpolation.
/// Audio thread safe.
#[inline(always)]
pub fn read(table: &Table, phase: u32) -> f32 {
    let i = (phase >> FRAC_BITS) as usize;
    let frac = (phase & ((1 << FRAC_BITS) - 1)) as f32 * FRAC_SCALE;
    let a = table[i];
    let b = table[i + 1];
    a + (b - a) * frac
}

crate::simd::versions! {
    /// Fill `out` with `table` read from fixed-point `phase` on, stepping by
    /// `inc` a sample (linear interpolation, as [`read`]); the phase after.
    /// Vectorised along time (gathers where the CPU has them). Audio thread
    /// safe.
    pub fn read_block(table: &Table, phase: u32, inc: u32, out: &mut [f32]) -> u32 {
        let mut p = phase;
        for o in out.iter_mut() {
            *o = read(table, p);
            p = p.wrapping_add(inc);
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_match_their_waveforms() {
        let w = Wavetables::new(48_000.0);
        let (q, h, e) = (TABLE_LEN / 4, TABLE_LEN / 2, TABLE_LEN / 8);
        // The lowest bands are close to the ideal waves away from any jump.
        let saw = w.table(Shape::Saw, 0);
        for (i, want) in [(q, 0.5), (3 * q, -0.5), (e, 0.25)] {
            assert!((saw[i] - want).abs() < 0.01, "saw at {i}: {}", saw[i]);
        }
        let square = w.table(Shape::Square, 0);
        for (i, want) in [(q, 1.0), (3 * q, -1.0), (e, 1.0), (h + e, -1.0)] {
            assert!(
                (square[i] - want).abs() < 0.01,
                "square at {i}: {}",
                square[i]
            );
        }
        let triangle = w.table(Shape::Triangle, 0);
        for (i, want) in [(0, 0.0), (e, 0.5), (q, 1.0), (h, 0.0), (3 * q, -1.0)] {
            assert!(
                (triangle[i] - want).abs() < 0.01,
                "triangle at {i}: {}",
                triangle[i]
            );
        }
        let sine = w.table(Shape::Sine, 5);
        assert!((sine[TABLE_LEN / 4] - 1.0).abs() < 1e-6);
        assert!(sine[0].abs() < 1e-6);
    }

    /// Harmonic amplitudes of a table (index k: harmonic k).
    fn harmonics(table: &Table) -> Vec<f64> {
        let mut buf: Vec<Complex<f64>> = table[..TABLE_LEN]
            .iter()
            .map(|v| Complex::new(f64::from(*v), 0.0))
            .collect();
        rustfft::algorithm::Radix4::new(TABLE_LEN, FftDirection::Forward).process(&mut buf);
        buf[..TABLE_LEN / 2]
            .iter()
            .map(|c| 2.0 * c.norm() / TABLE_LEN as f64)
            .collect()
    }

    #[test]
    fn bands_keep_every_harmonic_below_nyquist() {
        let w = Wavetables::new(48_000.0);
        let nyquist = 24_000.0;
        for shape in [Shape::Saw, Shape::Square, Shape::Triangle] {
            for (band, &top) in w.band_tops.iter().enumerate() {
                let h = harmonics(w.table(shape, band));
                for (k, a) in h.iter().enumerate().skip(1) {
                    let want = shape.harmonic(k).abs();
                    if k > 1 && k as f64 * top >= nyquist {
                        // Would alias at the band's top note: absent (the
                        // fundamental always stays, even in the top band).
                        assert!(*a < 1e-6 * h[1], "{shape:?} band {band} harmonic {k}: {a}");
                    } else {
                        // Every harmonic that fits is there, at its level.
                        assert!(
                            (a - want).abs() < 1e-5,
                            "{shape:?} band {band} harmonic {k}: {a} vs {want}"
                        );
                    }
                }
            }
        }
        // Each note gets the band with the most harmonics that fit.
        for &f in &[20.0, 21.0, 110.0, 1760.0, 5000.0, 15_000.0] {
            let band = w.band_for(f);
            assert!(w.band_tops[band] >= f);
            assert!(
                band == 0 || w.band_tops[band - 1] < f,
                "{f} Hz: band {band}"
            );
        }
        assert_eq!(w.band_for(23_999.0), w.band_tops.len() - 1);
    }
}
