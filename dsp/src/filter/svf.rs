//! The state-variable filter (trapezoidal, zero-delay feedback; 12 dB/octave).

/// Which output of the [`Svf`] to take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SvfMode {
    /// Low-pass.
    Lowpass,
    /// High-pass.
    Highpass,
    /// Band-pass (peak gain 1 at the centre frequency).
    Bandpass,
}

/// Coefficients of an [`Svf`] for one cutoff and resonance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SvfCoefs {
    a1: f32,
    a2: f32,
    a3: f32,
    k: f32,
}

impl SvfCoefs {
    /// Coefficients for `cutoff` Hz (clamped below Nyquist) and `resonance`
    /// 0..1 (Q from 0.5 to about 25). Cheap enough to call per block.
    pub fn new(cutoff: f32, resonance: f32, rate: f32) -> Self {
        let fc = cutoff.clamp(5.0, rate * 0.49);
        let g = (std::f32::consts::PI * fc / rate).tan();
        let k = 2.0 - 1.96 * resonance.clamp(0.0, 1.0);
        let a1 = 1.0 / (1.0 + g * (g + k));
        let a2 = g * a1;
        let a3 = g * a2;
        SvfCoefs { a1, a2, a3, k }
    }
}

/// A state-variable filter. Audio thread safe.
#[derive(Clone, Debug)]
pub struct Svf {
    coefs: SvfCoefs,
    ic1: f32,
    ic2: f32,
}

impl Svf {
    /// A filter with the given coefficients and cleared state.
    pub fn new(coefs: SvfCoefs) -> Self {
        Svf {
            coefs,
            ic1: 0.0,
            ic2: 0.0,
        }
    }

    /// Replace the coefficients (state is kept, so sweeps are smooth).
    pub fn set_coefs(&mut self, coefs: SvfCoefs) {
        self.coefs = coefs;
    }

    /// Clear the state.
    pub fn reset(&mut self) {
        self.ic1 = 0.0;
        self.ic2 = 0.0;
    }

    /// Filter one sample.
    #[inline(always)]
    pub fn process_sample(&mut self, x: f32, mode: SvfMode) -> f32 {
        let c = self.coefs;
        let v3 = x - self.ic2;
        let v1 = c.a1 * self.ic1 + c.a2 * v3;
        let v2 = self.ic2 + c.a2 * self.ic1 + c.a3 * v3;
        self.ic1 = 2.0 * v1 - self.ic1;
        self.ic2 = 2.0 * v2 - self.ic2;
        match mode {
            SvfMode::Lowpass => v2,
            SvfMode::Bandpass => c.k * v1,
            SvfMode::Highpass => x - c.k * v1 - v2,
        }
    }

    /// Filter a block in place.
    pub fn process(&mut self, buf: &mut [f32], mode: SvfMode) {
        for s in buf {
            *s = self.process_sample(*s, mode);
        }
    }
}

/// State-variable filters for a bank of voices (one array per field), run
/// across voices per sample like [`crate::filter::ladder::LadderBank`].
#[derive(Clone, Debug)]
pub struct SvfBank {
    ic1: Vec<f32>,
    ic2: Vec<f32>,
    a1: Vec<f32>,
    a2: Vec<f32>,
    a3: Vec<f32>,
    k: Vec<f32>,
}

impl SvfBank {
    /// A bank of `capacity` lanes, all silent.
    pub fn new(capacity: usize) -> Self {
        let z = crate::memory::zeroed(capacity);
        SvfBank {
            ic1: z.clone(),
            ic2: z.clone(),
            a1: z.clone(),
            a2: z.clone(),
            a3: z.clone(),
            k: z,
        }
    }

    /// Set the coefficients of lane `v`.
    pub fn set(&mut self, v: usize, c: SvfCoefs) {
        self.a1[v] = c.a1;
        self.a2[v] = c.a2;
        self.a3[v] = c.a3;
        self.k[v] = c.k;
    }

    /// Clear the state of lane `v`.
    pub fn clear(&mut self, v: usize) {
        self.ic1[v] = 0.0;
        self.ic2[v] = 0.0;
    }

    /// Swap lanes `a` and `b`.
    pub fn swap(&mut self, a: usize, b: usize) {
        for f in [
            &mut self.ic1,
            &mut self.ic2,
            &mut self.a1,
            &mut self.a2,
            &mut self.a3,
            &mut self.k,
        ] {
            f.swap(a, b);
        }
    }

    /// Filter `frames` samples of voices `base..base + lanes` in place
    /// (sample-major: voice `base + v` of frame `n` is `buf[n * stride + v]`).
    /// Audio thread safe.
    pub fn process(
        &mut self,
        buf: &mut [f32],
        stride: usize,
        base: usize,
        lanes: usize,
        frames: usize,
        mode: SvfMode,
    ) {
        let r = base..base + lanes;
        let (ic1, ic2) = (&mut self.ic1[r.clone()], &mut self.ic2[r.clone()]);
        let (a1, a2, a3, k) = (
            &self.a1[r.clone()],
            &self.a2[r.clone()],
            &self.a3[r.clone()],
            &self.k[r],
        );
        for n in 0..frames {
            let row = &mut buf[n * stride..n * stride + lanes];
            for v in 0..lanes {
                let x = row[v];
                let v3 = x - ic2[v];
                let v1 = a1[v] * ic1[v] + a2[v] * v3;
                let v2 = ic2[v] + a2[v] * ic1[v] + a3[v] * v3;
                ic1[v] = 2.0 * v1 - ic1[v];
                ic2[v] = 2.0 * v2 - ic2[v];
                row[v] = match mode {
                    SvfMode::Lowpass => v2,
                    SvfMode::Bandpass => k[v] * v1,
                    SvfMode::Highpass => x - k[v] * v1 - v2,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gain_at(freq: f32, mode: SvfMode) -> f32 {
        let rate = 48_000.0;
        let mut f = Svf::new(SvfCoefs::new(1000.0, 0.0, rate));
        let mut peak = 0.0f32;
        for i in 0..48_000 {
            let x = (2.0 * std::f32::consts::PI * freq * i as f32 / rate).sin();
            let y = f.process_sample(x, mode);
            if i > 24_000 {
                peak = peak.max(y.abs());
            }
        }
        peak
    }

    #[test]
    fn responses_have_the_right_slopes() {
        let db = |f: f32, mode| 20.0 * gain_at(f, mode).log10();
        // Low-pass: flat below, -12 dB/octave above (about -24 dB two octaves up).
        assert!(db(100.0, SvfMode::Lowpass).abs() < 0.2);
        let g = db(4000.0, SvfMode::Lowpass);
        assert!((-27.0..-21.0).contains(&g), "{g}");
        // High-pass mirrors it: flat above, -24 dB two octaves below.
        assert!(db(10_000.0, SvfMode::Highpass).abs() < 0.5);
        let g = db(250.0, SvfMode::Highpass);
        assert!((-27.0..-21.0).contains(&g), "{g}");
        // Band-pass peaks at 1 at the centre and falls either side: at Q 0.5
        // (resonance 0), a decade away 1 / sqrt(1 + 0.25 * 9.9²) = -14 dB.
        assert!(db(1000.0, SvfMode::Bandpass).abs() < 0.2);
        for f in [100.0, 10_000.0] {
            let g = db(f, SvfMode::Bandpass);
            assert!((-15.5..-12.5).contains(&g), "band-pass at {f} Hz: {g}");
        }
    }

    #[test]
    fn bank_matches_single_filter() {
        // Every mode, lanes at an offset, blocks of several frames.
        for mode in [SvfMode::Lowpass, SvfMode::Bandpass, SvfMode::Highpass] {
            let c = SvfCoefs::new(700.0, 0.5, 48_000.0);
            let mut one = Svf::new(c);
            let mut bank = SvfBank::new(8);
            bank.set(5, c);
            let (stride, frames) = (4, 10);
            let mut buf = [0.0f32; 4 * 10];
            for block in 0..100 {
                let x: Vec<f32> = (0..frames)
                    .map(|n| (((block * frames + n) * 7919) % 113) as f32 / 113.0 - 0.5)
                    .collect();
                for n in 0..frames {
                    buf[n * stride + 1] = x[n];
                }
                bank.process(&mut buf, stride, 4, 4, frames, mode);
                for n in 0..frames {
                    assert_eq!(
                        buf[n * stride + 1],
                        one.process_sample(x[n], mode),
                        "{mode:?}"
                    );
                }
            }
        }
    }
}
