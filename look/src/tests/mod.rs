//! Tests: each picture decodes as a PNG of the asked size and shows what
//! its axes say. The pictures are also written to `examples-out/`.

mod errors;
mod levels;
mod roll;
mod scope;
mod spectrogram;

use std::f64::consts::TAU;

pub(crate) const RATE: u32 = 48_000;

/// A decoded picture.
pub(crate) struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

impl Picture {
    pub(crate) fn pixel(&self, x: i32, y: i32) -> [u8; 3] {
        let i = (y as usize * self.width as usize + x as usize) * 3;
        [self.rgb[i], self.rgb[i + 1], self.rgb[i + 2]]
    }
}

/// Decodes PNG bytes, failing the test if they are not a valid RGB PNG.
pub(crate) fn decode(png_bytes: &[u8]) -> Picture {
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().expect("valid PNG header");
    let mut rgb = vec![0; reader.output_buffer_size().expect("buffer size")];
    let info = reader.next_frame(&mut rgb).expect("valid PNG data");
    assert_eq!(info.color_type, png::ColorType::Rgb);
    assert_eq!(info.bit_depth, png::BitDepth::Eight);
    rgb.truncate(info.buffer_size());
    Picture {
        width: info.width,
        height: info.height,
        rgb,
    }
}

/// Writes a picture to `examples-out/NAME.png` for people to look at.
pub(crate) fn save(name: &str, png_bytes: &[u8]) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples-out");
    std::fs::create_dir_all(&dir).expect("examples-out folder");
    std::fs::write(dir.join(format!("{name}.png")), png_bytes).expect("write example");
}

/// `secs` seconds of a sine of `hz` at `amp`.
pub(crate) fn sine(hz: f64, amp: f64, secs: f64) -> Vec<f32> {
    let n = (secs * RATE as f64) as usize;
    (0..n)
        .map(|i| (amp * (TAU * hz * i as f64 / RATE as f64).sin()) as f32)
        .collect()
}

/// Bar lines every 2 s (4/4 at 120 bpm) from `start` for `count` bars.
pub(crate) fn bars(start: u64, count: u64) -> Vec<u64> {
    (0..=count).map(|i| start + i * 2 * RATE as u64).collect()
}

/// A small deterministic noise source.
pub(crate) struct Noise(u64);

impl Noise {
    pub(crate) fn new() -> Self {
        Noise(0x2545_f491_4f6c_dd1d)
    }
    pub(crate) fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// 8 s of a little song: a bass line, a lead, hi-hats on the 8ths.
pub(crate) fn song() -> (Vec<f32>, Vec<f32>) {
    let n = 8 * RATE as usize;
    let mut noise = Noise::new();
    let bass_notes = [36.0, 36.0, 43.0, 41.0];
    let lead_notes = [72.0, 74.0, 76.0, 79.0, 76.0, 74.0, 72.0, 67.0];
    let hz = |m: f64| 440.0 * 2f64.powf((m - 69.0) / 12.0);
    let (mut l, mut r) = (vec![0f32; n], vec![0f32; n]);
    for i in 0..n {
        let t = i as f64 / RATE as f64;
        let beat = t * 2.0;
        let bass_f = hz(bass_notes[(t / 2.0) as usize % 4]);
        let ph = (t * bass_f).fract();
        let bass = 0.3 * (2.0 * ph - 1.0) * (-(beat.fract()) * 2.0).exp();
        let lead_f = hz(lead_notes[(beat) as usize % 8]);
        let lead = 0.2 * (TAU * lead_f * t).sin() * (1.0 - beat.fract() * 0.7);
        let hat_t = (t * 4.0).fract() / 4.0;
        let hat = 0.15 * noise.next() as f64 * (-hat_t * 120.0).exp();
        l[i] = (bass + 0.8 * lead + hat) as f32;
        r[i] = (bass + 1.2 * lead + 0.6 * hat) as f32;
    }
    (l, r)
}
