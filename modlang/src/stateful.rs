//! The units with state: oscillators, noise, filters and delays. Each
//! processes one block of registers at a time; none allocates after it is
//! built.

use crate::program::Src;
use crate::units::MAX_DELAY;
use chronus_dsp::filter::{Svf, SvfCoefs, SvfMode};
use chronus_dsp::noise::{PinkNoise, WhiteNoise};
use chronus_dsp::osc::phase::{signed_phase_increment, Increments};
use chronus_dsp::osc::wavetable::{read, Shape, Wavetables};
use std::sync::Arc;

/// A block-long register.
pub(crate) type Block = [f32; chronus_dsp::MAX_BLOCK];

/// Samples between filter coefficient updates when cutoff or q move.
pub(crate) const COEF_INTERVAL: u32 = 16;

/// A band-limited wavetable oscillator.
#[derive(Clone, Debug)]
pub(crate) struct Osc {
    tables: Arc<Wavetables>,
    shape: Shape,
    phase: u32,
    /// Increment and band for a constant frequency.
    fixed: Option<(u32, usize)>,
    rate: f32,
}

/// The (signed, wrapping) phase increment for `freq` Hz: negative
/// frequencies run the phase backwards; at or above Nyquist, silence.
fn increment(freq: f32, rate: f32) -> u32 {
    signed_phase_increment(f64::from(freq), f64::from(rate))
}

impl Osc {
    pub(crate) fn new(tables: Arc<Wavetables>, shape: Shape, freq: Src, rate: f32) -> Self {
        let fixed = match freq {
            Src::Const(f) => Some((increment(f, rate), tables.band_for(f64::from(f.abs())))),
            Src::Reg(_) => None,
        };
        Osc {
            tables,
            shape,
            phase: 0,
            fixed,
            rate,
        }
    }

    pub(crate) fn reset(&mut self) {
        self.phase = 0;
    }

    /// 0 to 3: sine, saw, square, triangle.
    pub(crate) fn shape_index(&self) -> u8 {
        self.shape as u8
    }

    /// Take over `old`'s phase.
    pub(crate) fn continue_from(&mut self, old: &Osc) {
        self.phase = old.phase;
    }

    /// Fill `out` (with `freq`, one value per sample, unless the frequency
    /// is constant).
    #[inline]
    pub(crate) fn run(&mut self, freq: Option<&[f32]>, out: &mut [f32]) {
        let mut phase = self.phase;
        if let Some((inc, band)) = self.fixed {
            let table = self.tables.table(self.shape, band);
            for o in out.iter_mut() {
                *o = read(table, phase);
                phase = phase.wrapping_add(inc);
            }
        } else if let Some(freq) = freq {
            // The band that keeps the block's highest frequency clean.
            let top = freq.iter().fold(0.0f32, |m, f| m.max(f.abs()));
            let table = self
                .tables
                .table(self.shape, self.tables.band_for(f64::from(top)));
            // Wrapping signed increment; NaN and >= Nyquist: 0.
            let increments = Increments::new(self.rate);
            let inc_of = |f: f32| increments.of(f);
            let first = freq.first().map_or(0, |f| f.to_bits());
            if freq
                .iter()
                .fold(true, |same, f| same & (f.to_bits() == first))
            {
                // A steady frequency (a param at rest): the same increments
                // as sample by sample, computed once.
                let inc = inc_of(f32::from_bits(first));
                for o in out.iter_mut() {
                    *o = read(table, phase);
                    phase = phase.wrapping_add(inc);
                }
            } else {
                for (o, &f) in out.iter_mut().zip(freq) {
                    *o = read(table, phase);
                    phase = phase.wrapping_add(inc_of(f));
                }
            }
        } else {
            out.fill(0.0);
        }
        self.phase = phase;
    }
}

/// White or pink noise.
#[derive(Clone, Debug)]
pub(crate) enum Noise {
    White(WhiteNoise, u32),
    Pink(PinkNoise, u32),
}

impl Noise {
    pub(crate) fn new(pink: bool, seed: u32) -> Self {
        if pink {
            Noise::Pink(PinkNoise::new(seed), seed)
        } else {
            Noise::White(WhiteNoise::new(seed), seed)
        }
    }

    pub(crate) fn reset(&mut self) {
        *self = match self {
            Noise::White(_, s) => Noise::new(false, *s),
            Noise::Pink(_, s) => Noise::new(true, *s),
        };
    }

    pub(crate) fn is_pink(&self) -> bool {
        matches!(self, Noise::Pink(..))
    }

    #[inline]
    pub(crate) fn run(&mut self, out: &mut [f32]) {
        match self {
            Noise::White(n, _) => out.iter_mut().for_each(|o| *o = n.next_sample()),
            Noise::Pink(n, _) => out.iter_mut().for_each(|o| *o = n.next_sample()),
        }
    }
}

/// A state-variable filter whose cutoff and q may be signals: the
/// coefficients follow them every [`COEF_INTERVAL`] samples (counted across
/// blocks, so the result does not depend on the block size), and only when
/// they change.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    svf: Svf,
    mode: SvfMode,
    rate: f32,
    /// The cutoff and q the coefficients were made for.
    made_for: (f32, f32),
    /// Samples until the next check.
    until_check: u32,
    fixed: bool,
}

impl Filter {
    pub(crate) fn new(mode: SvfMode, cutoff: Src, q: Src, rate: f32) -> Self {
        let start = |s: Src, default: f32| match s {
            Src::Const(c) => c,
            Src::Reg(_) => default,
        };
        let made_for = (start(cutoff, 1000.0), start(q, 0.0));
        Filter {
            svf: Svf::new(SvfCoefs::new(made_for.0, made_for.1, rate)),
            mode,
            rate,
            made_for,
            until_check: 0,
            fixed: matches!((cutoff, q), (Src::Const(_), Src::Const(_))),
        }
    }

    pub(crate) fn reset(&mut self) {
        self.svf.reset();
        self.until_check = 0;
    }

    /// 0 to 2: low-pass, high-pass, band-pass.
    pub(crate) fn mode_index(&self) -> u8 {
        match self.mode {
            SvfMode::Lowpass => 0,
            SvfMode::Highpass => 1,
            SvfMode::Bandpass => 2,
        }
    }

    /// Take over `old`'s memory (and, when this filter's cutoff or q is a
    /// signal, where its coefficient updates are).
    pub(crate) fn continue_from(&mut self, old: &Filter) {
        if old.rate != self.rate {
            return;
        }
        self.svf = old.svf.clone();
        if self.fixed {
            let (c, q) = self.made_for;
            self.svf.set_coefs(SvfCoefs::new(c, q, self.rate));
        } else {
            self.made_for = old.made_for;
            self.until_check = old.until_check;
        }
    }

    /// Filter `x` into `out`; `cutoff` and `q` are `None` when constant.
    #[inline]
    pub(crate) fn run(
        &mut self,
        x: &[f32],
        cutoff: Option<&[f32]>,
        q: Option<&[f32]>,
        out: &mut [f32],
    ) {
        match self.mode {
            SvfMode::Lowpass => self.run_mode(x, cutoff, q, out, SvfMode::Lowpass),
            SvfMode::Highpass => self.run_mode(x, cutoff, q, out, SvfMode::Highpass),
            SvfMode::Bandpass => self.run_mode(x, cutoff, q, out, SvfMode::Bandpass),
        }
        // Recover from a non-finite input instead of staying NaN forever.
        if out.last().is_some_and(|y| !y.is_finite()) {
            self.svf.reset();
        }
    }

    #[inline(always)]
    fn run_mode(
        &mut self,
        x: &[f32],
        cutoff: Option<&[f32]>,
        q: Option<&[f32]>,
        out: &mut [f32],
        mode: SvfMode,
    ) {
        let n = out.len().min(x.len());
        if self.fixed {
            for (o, &s) in out[..n].iter_mut().zip(&x[..n]) {
                *o = self.svf.process_sample(s, mode);
            }
            return;
        }
        let mut i = 0;
        while i < n {
            if self.until_check == 0 {
                let c = cutoff
                    .and_then(|c| c.get(i).copied())
                    .unwrap_or(self.made_for.0);
                let r = q.and_then(|q| q.get(i).copied()).unwrap_or(self.made_for.1);
                if (c, r) != self.made_for && c.is_finite() && r.is_finite() {
                    self.made_for = (c, r);
                    self.svf.set_coefs(SvfCoefs::new(c, r, self.rate));
                }
                self.until_check = COEF_INTERVAL;
            }
            let end = n.min(i + self.until_check as usize);
            for (o, &s) in out[i..end].iter_mut().zip(&x[i..end]) {
                *o = self.svf.process_sample(s, mode);
            }
            self.until_check -= (end - i) as u32;
            i = end;
        }
    }
}

/// A delay line of up to [`MAX_DELAY`] seconds, read with linear
/// interpolation.
#[derive(Clone, Debug)]
pub(crate) struct Delay {
    buf: Box<[f32]>,
    pos: usize,
    rate: f32,
    /// The delay in samples when the time is constant.
    fixed: Option<f32>,
}

impl Delay {
    pub(crate) fn new(time: Src, rate: f32) -> Self {
        let len = (MAX_DELAY * rate).ceil() as usize + 2;
        let max = (len - 2) as f32;
        Delay {
            buf: chronus_dsp::memory::zeroed(len).into_boxed_slice(),
            pos: 0,
            rate,
            fixed: match time {
                Src::Const(t) => Some((t * rate).clamp(0.0, max)),
                Src::Reg(_) => None,
            },
        }
    }

    pub(crate) fn reset(&mut self) {
        self.buf.fill(0.0);
        self.pos = 0;
    }

    /// Take over `old`'s line (when both hold the same length).
    pub(crate) fn continue_from(&mut self, old: &Delay) {
        if old.buf.len() == self.buf.len() {
            self.buf.copy_from_slice(&old.buf);
            self.pos = old.pos;
        }
    }

    #[inline]
    pub(crate) fn run(&mut self, x: &[f32], time: Option<&[f32]>, out: &mut [f32]) {
        let len = self.buf.len();
        let max = (len - 2) as f32;
        for (i, (o, &s)) in out.iter_mut().zip(x).enumerate() {
            self.buf[self.pos] = if s.is_finite() { s } else { 0.0 };
            let d = match (self.fixed, time) {
                (Some(d), _) => d,
                (None, Some(t)) => (t.get(i).copied().unwrap_or(0.0) * self.rate).clamp(0.0, max),
                (None, None) => 0.0,
            };
            // NaN clamps to NaN: treat as no delay.
            let d = if d.is_nan() { 0.0 } else { d };
            let whole = d as usize;
            let frac = d - whole as f32;
            let a = (self.pos + len - whole) % len;
            let b = (a + len - 1) % len;
            *o = self.buf[a] + (self.buf[b] - self.buf[a]) * frac;
            self.pos += 1;
            if self.pos == len {
                self.pos = 0;
            }
        }
    }
}
