//! The 4-pole (24 dB/octave) resonant ladder low-pass, for a bank of voices.
//!
//! Four trapezoidal (zero-delay feedback) one-pole stages with global
//! feedback `k` solved exactly each sample (Zavalishin's linear ladder), and
//! a rational `tanh` on the stage input for analog-style saturation that also
//! bounds self-oscillation. State and coefficients are kept as one array per
//! field across voices (structure of arrays), and the per-sample loop runs
//! across voices eight at a time (as `simd::lanes::F8` values), one vector
//! operation for eight voices.
//!
//! The output is AC-coupled, as an analog ladder's is: a one-pole high-pass
//! at [`super::DC_CORNER`] Hz. The saturation is odd, but what it saturates is not
//! symmetric: the input minus the resonant feedback of a low-passed saw
//! rings one way after each reset of the saw, so `tanh` takes more off one
//! side than the other, and the difference is DC (a saw chord at cutoff
//! 400 Hz and resonance 0.5 measured 0.033 at the output, 16% of its RMS;
//! a square, whose feedback is symmetric, none). That DC is an even-order
//! product of the saturation and cannot be removed in it without changing
//! its sound; at the output a 5 Hz corner removes it and leaves the audible
//! band untouched (-0.26 dB at 20 Hz, -0.01 dB at 100 Hz).

use crate::math::tanh_approx;
use crate::simd::lanes::F8;

/// Ladder state and coefficients for up to `capacity` voices (lanes).
#[derive(Clone, Debug)]
pub struct LadderBank {
    s: [Vec<f32>; 4],
    /// The DC blocker's last input and output, per lane.
    dc_x: Vec<f32>,
    dc_y: Vec<f32>,
    /// Its pole, `1 - 2 pi DC_CORNER / rate`.
    dc_r: f32,
    g: Vec<f32>,
    k: Vec<f32>,
    /// Derived per block from `g` and `k`.
    c: [Vec<f32>; 4],
    norm: Vec<f32>,
    /// `k * norm`, derived per block.
    kn: Vec<f32>,
    /// `G^2`, `G^3`, `G^4`, derived per block.
    gp: [Vec<f32>; 3],
}

/// The one-pole gain `G = g / (1 + g)`, `g = tan(pi fc / fs)`, for a cutoff.
pub fn ladder_gain(cutoff: f32, rate: f32) -> f32 {
    let fc = cutoff.clamp(5.0, rate * 0.45);
    let g = (std::f32::consts::PI * fc / rate).tan();
    g / (1.0 + g)
}

/// Feedback amount for `resonance` 0..1 (the ladder self-oscillates at 1).
pub fn ladder_feedback(resonance: f32) -> f32 {
    4.0 * resonance.clamp(0.0, 1.0)
}

impl LadderBank {
    /// A bank of `capacity` lanes at `rate` Hz, all silent.
    pub fn new(capacity: usize, rate: f32) -> Self {
        LadderBank {
            s: std::array::from_fn(|_| crate::memory::zeroed(capacity)),
            dc_x: crate::memory::zeroed(capacity),
            dc_y: crate::memory::zeroed(capacity),
            dc_r: super::dc::dc_pole(f64::from(rate)),
            g: crate::memory::zeroed(capacity),
            k: crate::memory::zeroed(capacity),
            c: std::array::from_fn(|_| crate::memory::zeroed(capacity)),
            norm: crate::memory::zeroed(capacity),
            kn: crate::memory::zeroed(capacity),
            gp: std::array::from_fn(|_| crate::memory::zeroed(capacity)),
        }
    }

    /// Set the coefficients of lane `v`.
    pub fn set(&mut self, v: usize, gain: f32, feedback: f32) {
        self.g[v] = gain;
        self.k[v] = feedback;
    }

    /// Clear the state of lane `v`.
    pub fn clear(&mut self, v: usize) {
        for s in &mut self.s {
            s[v] = 0.0;
        }
        self.dc_x[v] = 0.0;
        self.dc_y[v] = 0.0;
    }

    /// Swap lanes `a` and `b` (state and coefficients).
    pub fn swap(&mut self, a: usize, b: usize) {
        for s in &mut self.s {
            s.swap(a, b);
        }
        self.dc_x.swap(a, b);
        self.dc_y.swap(a, b);
        self.g.swap(a, b);
        self.k.swap(a, b);
    }

    /// Filter `frames` samples of voices `base..base + lanes` in place.
    /// `buf` is sample-major: voice `base + v` of frame `n` is
    /// `buf[n * stride + v]`.
    ///
    /// The loop over voices is innermost, eight lanes at a time: each lane
    /// is independent, so eight are one vector operation, and groups of
    /// eight hide each other's latency (the per-lane recursion is a long
    /// dependency chain). Lanes past the last whole eight run one at a
    /// time. Audio thread safe.
    pub fn process(
        &mut self,
        buf: &mut [f32],
        stride: usize,
        base: usize,
        lanes: usize,
        frames: usize,
    ) {
        run(self, buf, stride, base, lanes, frames);
    }
}

crate::simd::versions! {
    /// [`LadderBank::process`], compiled for each SIMD level.
    fn run(
        bank: &mut LadderBank,
        buf: &mut [f32],
        stride: usize,
        base: usize,
        lanes: usize,
        frames: usize,
    ) {
        let r = base..base + lanes;
        // Per-lane constants for this block: the state weights of the output
        // estimate, and the feedback normaliser 1 / (1 + k G^4).
        for v in r.clone() {
            let g = bank.g[v];
            let b = 1.0 - g;
            bank.c[3][v] = b;
            bank.c[2][v] = g * b;
            bank.c[1][v] = g * g * b;
            bank.c[0][v] = g * g * g * b;
            bank.norm[v] = 1.0 / (1.0 + bank.k[v] * g * g * g * g);
            bank.kn[v] = bank.k[v] * bank.norm[v];
            bank.gp[0][v] = g * g;
            bank.gp[1][v] = g * g * g;
            bank.gp[2][v] = g * g * g * g;
        }
        let [s1, s2, s3, s4] = &mut bank.s;
        let (s1, s2, s3, s4) = (
            &mut s1[r.clone()],
            &mut s2[r.clone()],
            &mut s3[r.clone()],
            &mut s4[r.clone()],
        );
        let [c0, c1, c2, c3] = &bank.c;
        let (c0, c1, c2, c3) = (
            &c0[r.clone()],
            &c1[r.clone()],
            &c2[r.clone()],
            &c3[r.clone()],
        );
        let [g2, g3, g4] = &bank.gp;
        let (g2, g3, g4) = (&g2[r.clone()], &g3[r.clone()], &g4[r.clone()]);
        let g = &bank.g[r.clone()];
        let kn = &bank.kn[r.clone()];
        let dc_x = &mut bank.dc_x[r.clone()];
        let dc_y = &mut bank.dc_y[r.clone()];
        let dc_r = F8([bank.dc_r; 8]);
        let norm = &bank.norm[r];
        // Eight lanes at a time as one value of eight, so that eight lanes
        // are one vector at every level (a plain loop over the lanes was
        // vectorised 32 wide at AVX2, and a bank of eight or sixteen lanes
        // ran one lane at a time).
        let whole = lanes - lanes % 8;
        for n in 0..frames {
            let row = &mut buf[n * stride..n * stride + lanes];
            for o in (0..whole).step_by(8) {
                let (t1, t2, t3, t4) = (F8::at(s1, o), F8::at(s2, o), F8::at(s3, o), F8::at(s4, o));
                let (gg, b) = (F8::at(g, o), F8::at(c3, o));
                let sum = F8::at(c0, o) * t1 + F8::at(c1, o) * t2 + F8::at(c2, o) * t3 + b * t4;
                let p1 = b * t1;
                let p2 = gg * p1 + b * t2;
                let p3 = gg * p2 + b * t3;
                let u = (F8::at(row, o) * F8::at(norm, o) - F8::at(kn, o) * sum).tanh();
                let y1 = gg * u + p1;
                let y2 = F8::at(g2, o) * u + p2;
                let y3 = F8::at(g3, o) * u + p3;
                let y4 = F8::at(g4, o) * u + sum;
                (y1 + (y1 - t1)).put(s1, o);
                (y2 + (y2 - t2)).put(s2, o);
                (y3 + (y3 - t3)).put(s3, o);
                (y4 + (y4 - t4)).put(s4, o);
                // AC coupling (see the module docs).
                let out = y4 - F8::at(dc_x, o) + dc_r * F8::at(dc_y, o);
                y4.put(dc_x, o);
                out.put(dc_y, o);
                out.put(row, o);
            }
            for v in whole..lanes {
                let (gg, b) = (g[v], c3[v]);
                let (t1, t2, t3, t4) = (s1[v], s2[v], s3[v], s4[v]);
                let sum = c0[v] * t1 + c1[v] * t2 + c2[v] * t3 + b * t4;
                let p1 = b * t1;
                let p2 = gg * p1 + b * t2;
                let p3 = gg * p2 + b * t3;
                let u = tanh_approx(row[v] * norm[v] - kn[v] * sum);
                let y1 = gg * u + p1;
                let y2 = g2[v] * u + p2;
                let y3 = g3[v] * u + p3;
                let y4 = g4[v] * u + sum;
                s1[v] = y1 + (y1 - t1);
                s2[v] = y2 + (y2 - t2);
                s3[v] = y3 + (y3 - t3);
                s4[v] = y4 + (y4 - t4);
                let out = y4 - dc_x[v] + dc_r.0[0] * dc_y[v];
                dc_x[v] = y4;
                dc_y[v] = out;
                row[v] = out;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_past_the_last_eight_filter_alike() {
        // Eleven lanes: lane 2 goes through the eight-lane path, lane 9
        // one at a time; the same input and settings give the same bits.
        let rate = 48_000.0;
        let mut bank = LadderBank::new(11, rate);
        for v in [2, 9] {
            bank.set(v, ladder_gain(900.0, rate), ladder_feedback(0.8));
        }
        let mut buf = vec![0.0f32; 11 * 64];
        for block in 0..20 {
            for n in 0..64 {
                let t = (block * 64 + n) as f32;
                let x = (t * 0.05).sin() + 0.3 * (t * 0.31).sin();
                buf[n * 11 + 2] = x;
                buf[n * 11 + 9] = x;
            }
            bank.process(&mut buf, 11, 0, 11, 64);
            for n in 0..64 {
                assert_eq!(buf[n * 11 + 2].to_bits(), buf[n * 11 + 9].to_bits());
            }
        }
        assert!(buf.iter().any(|x| x.abs() > 0.1));
    }

    fn response(freq: f32, cutoff: f32, resonance: f32) -> f32 {
        let rate = 48_000.0;
        let mut bank = LadderBank::new(8, rate);
        bank.set(0, ladder_gain(cutoff, rate), ladder_feedback(resonance));
        let mut peak = 0.0f32;
        let mut buf = vec![0.0f32; 8];
        for i in 0..48_000 {
            buf[0] = 0.1 * (2.0 * std::f32::consts::PI * freq * i as f32 / rate).sin();
            bank.process(&mut buf, 8, 0, 8, 1);
            if i > 24_000 {
                peak = peak.max(buf[0].abs());
            }
        }
        20.0 * (peak / 0.1).log10()
    }

    #[test]
    fn falls_24_db_per_octave() {
        let pass = response(100.0, 1000.0, 0.0);
        assert!(pass.abs() < 0.5, "{pass}");
        let one = response(4000.0, 1000.0, 0.0);
        let two = response(8000.0, 1000.0, 0.0);
        // Two octaves above cutoff: about -48 dB; the next octave about -24 dB more.
        assert!((-54.0..-42.0).contains(&one), "{one}");
        assert!((-30.0..-18.0).contains(&(two - one)), "{}", two - one);
    }

    #[test]
    fn resonance_peaks_at_cutoff() {
        let flat = response(1000.0, 1000.0, 0.0);
        let peaked = response(1000.0, 1000.0, 0.8);
        assert!(peaked > flat + 6.0, "{flat} {peaked}");
    }
}
