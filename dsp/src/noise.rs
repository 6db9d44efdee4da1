//! Deterministic noise sources (seeded, so renders are reproducible).

/// White noise from a xorshift32 generator, uniform in [-1, 1).
#[derive(Clone, Debug)]
pub struct WhiteNoise {
    state: u32,
}

impl WhiteNoise {
    /// A generator with the given seed (0 is replaced by a fixed non-zero seed).
    pub fn new(seed: u32) -> Self {
        WhiteNoise {
            state: if seed == 0 { 0x9E37_79B9 } else { seed },
        }
    }

    /// Next sample. Audio thread safe.
    #[inline(always)]
    pub fn next_sample(&mut self) -> f32 {
        let mut x = self.state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.state = x;
        // Top 24 bits to [-1, 1).
        (x >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0
    }
}

/// Pink (-3 dB/octave) noise: white noise through Paul Kellet's economy filter.
#[derive(Clone, Debug)]
pub struct PinkNoise {
    white: WhiteNoise,
    b: [f32; 3],
}

impl PinkNoise {
    /// A generator with the given seed.
    pub fn new(seed: u32) -> Self {
        PinkNoise {
            white: WhiteNoise::new(seed),
            b: [0.0; 3],
        }
    }

    /// Next sample, roughly within [-1, 1]. Audio thread safe.
    #[inline(always)]
    pub fn next_sample(&mut self) -> f32 {
        let w = self.white.next_sample();
        self.b[0] = 0.99765 * self.b[0] + w * 0.099_046;
        self.b[1] = 0.963 * self.b[1] + w * 0.296_516_4;
        self.b[2] = 0.57 * self.b[2] + w * 1.052_691_3;
        (self.b[0] + self.b[1] + self.b[2] + w * 0.1848) * 0.25
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn white_noise_is_zero_mean_and_bounded() {
        let mut n = WhiteNoise::new(1);
        let mut sum = 0.0f64;
        for _ in 0..100_000 {
            let s = n.next_sample();
            assert!((-1.0..1.0).contains(&s));
            sum += f64::from(s);
        }
        assert!((sum / 100_000.0).abs() < 0.01);
    }
}
