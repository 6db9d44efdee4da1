//! Signal generators shared by the integration tests.
#![allow(dead_code)]

use std::f64::consts::PI;

/// The tests' sample rate.
pub const RATE: u32 = 48_000;
/// Where their audio starts: bar 13 at 120 bpm.
pub const START: u64 = 2_304_000;

/// Mono audio at [`RATE`] from [`START`].
pub fn audio(x: &[f32]) -> chronus_analysis::Audio<'_> {
    chronus_analysis::Audio {
        rate: RATE,
        start: START,
        left: x,
        right: x,
    }
}

/// MIDI note number to Hz (A4 = 440).
pub fn hz(note: f64) -> f64 {
    440.0 * 2f64.powf((note - 69.0) / 12.0)
}

/// Cents from `b` to `a`.
pub fn cents(a: f64, b: f64) -> f64 {
    1200.0 * (a / b).log2()
}

/// A tiny deterministic noise source (xorshift), uniform in -1..1.
pub struct Noise(u64);

impl Noise {
    pub fn new(seed: u64) -> Self {
        Noise(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
    /// Approximately Gaussian (sum of 4 uniforms), unit variance.
    pub fn gauss(&mut self) -> f64 {
        (self.next() + self.next() + self.next() + self.next()) * (3.0f64 / 4.0).sqrt() * 1.0
    }
}

/// Waveforms of the synth-note tests.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Wave {
    Sine,
    Saw,
    Square,
}

/// A band-limited oscillator note with an attack/decay envelope, through a
/// two-pole low-pass at `cutoff_hz`, `secs` long (the last 3 ms fading out),
/// starting at harmonic phase `phase`.
pub fn synth_note(
    wave: Wave,
    f0: f64,
    rate: u32,
    secs: f64,
    cutoff_hz: f64,
    phase: f64,
) -> Vec<f32> {
    let fs = f64::from(rate);
    let n = (secs * fs) as usize;
    let nyq = fs / 2.0;
    let kmax = ((nyq * 0.95) / f0).floor().max(1.0) as usize;
    let mut out = Vec::with_capacity(n);
    // biquad low-pass (RBJ), Q = 0.707
    let w0 = 2.0 * PI * cutoff_hz.min(nyq * 0.9) / fs;
    let alpha = w0.sin() / (2.0 * 0.707);
    let cw = w0.cos();
    let a0 = 1.0 + alpha;
    let (b0, b1, b2) = (
        (1.0 - cw) / 2.0 / a0,
        (1.0 - cw) / a0,
        (1.0 - cw) / 2.0 / a0,
    );
    let (a1, a2) = (-2.0 * cw / a0, (1.0 - alpha) / a0);
    let (mut x1, mut x2, mut y1, mut y2) = (0.0, 0.0, 0.0, 0.0);
    // each harmonic as a rotating phasor (cheaper than sin() per sample)
    let mut parts: Vec<(f64, f64, f64, f64, f64)> = Vec::new(); // amp, re, im, cos, sin
    for k in 1..=kmax {
        let kf = k as f64;
        let amp = match wave {
            Wave::Sine => {
                if k == 1 {
                    1.0
                } else {
                    0.0
                }
            }
            Wave::Saw => 1.0 / kf,
            Wave::Square => {
                if k % 2 == 1 {
                    1.0 / kf
                } else {
                    0.0
                }
            }
        };
        if amp != 0.0 {
            let w = 2.0 * PI * kf * f0 / fs;
            parts.push((
                amp,
                (kf * phase).cos(),
                (kf * phase).sin(),
                w.cos(),
                w.sin(),
            ));
        }
    }
    for i in 0..n {
        let t = i as f64 / fs;
        let mut v = 0.0;
        for p in parts.iter_mut() {
            v += p.0 * p.2; // sin of the phase
            let (re, im) = (p.1 * p.3 - p.2 * p.4, p.2 * p.3 + p.1 * p.4);
            p.1 = re;
            p.2 = im;
        }
        // a 3 ms release at the end, so a note does not stop with a click
        let tail = (n - i) as f64 / fs;
        let env = envelope(t) * (tail / 0.003).min(1.0);
        let x = v * env * 0.5;
        let y = b0 * x + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2;
        x2 = x1;
        x1 = x;
        y2 = y1;
        y1 = y;
        out.push(y as f32);
    }
    out
}

/// 5 ms linear attack, then an exponential decay (time constant 0.4 s) to a
/// sustain of 0.3.
pub fn envelope(t: f64) -> f64 {
    if t < 0.005 {
        t / 0.005
    } else {
        0.3 + 0.7 * (-(t - 0.005) / 0.4).exp()
    }
}

/// A two-operator FM note: carrier at `c·f0`, modulator at `m·f0`, index
/// `index`, with the amplitude envelope.
pub fn fm_note(f0: f64, c: f64, m: f64, index: f64, rate: u32, secs: f64) -> Vec<f32> {
    let fs = f64::from(rate);
    let n = (secs * fs) as usize;
    (0..n)
        .map(|i| {
            let t = i as f64 / fs;
            let modu = index * (2.0 * PI * m * f0 * t).sin();
            ((2.0 * PI * c * f0 * t + modu).sin() * envelope(t) * 0.5) as f32
        })
        .collect()
}

/// A stereo 1 kHz sine in segments of (dBFS peak level, seconds), both channels alike.
pub fn tone_segments(rate: u32, segments: &[(f64, f64)]) -> Vec<f32> {
    let fs = f64::from(rate);
    let mut out = Vec::new();
    let mut i = 0usize;
    for &(db, secs) in segments {
        let amp = 10f64.powf(db / 20.0);
        let n = (secs * fs).round() as usize;
        for _ in 0..n {
            out.push((amp * (2.0 * PI * 1000.0 * i as f64 / fs).sin()) as f32);
            i += 1;
        }
    }
    out
}

/// A synth kick: a sine sweeping 150 → 50 Hz, exponential decay, starting at
/// phase 0 (so its first sample is exactly 0), `secs` long (the last 5 ms
/// fading out).
pub fn kick(rate: u32, amp: f64, secs: f64) -> Vec<f32> {
    let fs = f64::from(rate);
    let n = (secs * fs) as usize;
    let mut phase = 0.0f64;
    (0..n)
        .map(|i| {
            let t = i as f64 / fs;
            let f = 50.0 + 100.0 * (-t / 0.03).exp();
            let fade = ((n - i) as f64 / (0.005 * fs)).min(1.0); // 5 ms fade at the end
            let v = amp * phase.sin() * (-t / 0.15).exp() * fade;
            phase += 2.0 * PI * f / fs;
            v as f32
        })
        .collect()
}

/// A click: a short decaying burst (a few samples) of alternating sign.
pub fn click(amp: f64) -> Vec<f32> {
    (0..6)
        .map(|i| (amp * (-(i as f64) / 1.5).exp() * if i % 2 == 0 { 1.0 } else { -0.6 }) as f32)
        .collect()
}

/// A closed hi-hat: white noise, high-passed by a first difference, 40 ms decay.
pub fn hat(rate: u32, amp: f64, seed: u64) -> Vec<f32> {
    let fs = f64::from(rate);
    let mut noise = Noise::new(seed);
    let mut prev = 0.0;
    (0..(0.1 * fs) as usize)
        .map(|i| {
            let w = noise.next();
            let v = (w - prev) * 0.5;
            prev = w;
            (amp * v * (-(i as f64) / fs / 0.015).exp()) as f32
        })
        .collect()
}

/// Adds `sound` into `buf` from `at`, clipping at the end of `buf`.
pub fn add_at(buf: &mut [f32], at: usize, sound: &[f32]) {
    for (b, s) in buf.iter_mut().skip(at).zip(sound) {
        *b += *s;
    }
}

/// `secs` of white noise at `db_rms` dBFS RMS.
pub fn white(rate: u32, secs: f64, db_rms: f64, seed: u64) -> Vec<f32> {
    let amp = 10f64.powf(db_rms / 20.0) * 3f64.sqrt(); // uniform: rms = amp/sqrt(3)
    let mut noise = Noise::new(seed);
    (0..(secs * f64::from(rate)) as usize)
        .map(|_| (amp * noise.next()) as f32)
        .collect()
}

/// `secs` of pink noise (Paul Kellet's filter on white noise), peak around 0.5.
pub fn pink(rate: u32, secs: f64, seed: u64) -> Vec<f32> {
    let mut noise = Noise::new(seed);
    let (mut b0, mut b1, mut b2, mut b3, mut b4, mut b5, mut b6) =
        (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    (0..(secs * f64::from(rate)) as usize)
        .map(|_| {
            let w = noise.next();
            b0 = 0.99886 * b0 + w * 0.0555179;
            b1 = 0.99332 * b1 + w * 0.0750759;
            b2 = 0.96900 * b2 + w * 0.1538520;
            b3 = 0.86650 * b3 + w * 0.3104856;
            b4 = 0.55000 * b4 + w * 0.5329522;
            b5 = -0.7616 * b5 - w * 0.0168980;
            let v = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
            b6 = w * 0.115926;
            (v * 0.1) as f32
        })
        .collect()
}

/// A short scene: `bars` bars of 4/4 at `bpm`, four-on-the-floor kick, a
/// saw bass on the beat pattern C2 C2 G2 C2 (tapped), an A minor 7 pad chord
/// per bar (tapped), a little noise floor. Returns the master, the kick, the
/// bass and the pad (mono each), the bass notes, the pad notes and the kick frames.
pub struct Scene {
    pub rate: u32,
    pub master: Vec<f32>,
    pub kick: Vec<f32>,
    pub bass: Vec<f32>,
    pub pad: Vec<f32>,
    pub bass_notes: Vec<(u64, f32, u64)>,
    pub pad_notes: Vec<(u64, f32, u64)>,
    pub kicks: Vec<u64>,
    pub bar_frames: Vec<u64>,
}

pub fn scene(rate: u32, bpm: f64, bars: usize, start: u64) -> Scene {
    let fs = f64::from(rate);
    let beat = (60.0 / bpm * fs).round() as usize;
    let n = beat * 4 * bars;
    let mut k = vec![0f32; n];
    let mut b = vec![0f32; n];
    let mut p = vec![0f32; n];
    let kick_sound = kick(rate, 0.5, 0.4);
    let mut kicks = Vec::new();
    let mut bass_notes = Vec::new();
    let mut pad_notes = Vec::new();
    let pattern = [36.0f32, 36.0, 43.0, 36.0];
    for i in 0..bars * 4 {
        let at = i * beat;
        add_at(&mut k, at, &kick_sound);
        kicks.push(start + at as u64);
        let note = pattern[i % 4];
        let len = beat * 3 / 4;
        let tone = synth_note(
            Wave::Saw,
            hz(f64::from(note)),
            rate,
            len as f64 / fs,
            900.0,
            0.0,
        );
        add_at(
            &mut b,
            at,
            &tone.iter().map(|v| v * 0.5).collect::<Vec<_>>(),
        );
        bass_notes.push((start + at as u64, note, start + (at + len) as u64));
    }
    for bar in 0..bars {
        let at = bar * beat * 4;
        let len = beat * 4 - beat / 8;
        for (j, &note) in [57.0f32, 60.0, 64.0, 67.0].iter().enumerate() {
            let tone = synth_note(
                Wave::Saw,
                hz(f64::from(note)),
                rate,
                len as f64 / fs,
                2500.0,
                j as f64,
            );
            add_at(
                &mut p,
                at,
                &tone.iter().map(|v| v * 0.12).collect::<Vec<_>>(),
            );
            pad_notes.push((start + at as u64, note, start + (at + len) as u64));
        }
    }
    let floor = white(rate, n as f64 / fs, -70.0, 7);
    let master: Vec<f32> = (0..n)
        .map(|i| k[i] + b[i] + p[i] + floor.get(i).copied().unwrap_or(0.0))
        .collect();
    Scene {
        rate,
        master,
        kick: k,
        bass: b,
        pad: p,
        bass_notes,
        pad_notes,
        kicks,
        bar_frames: (0..bars).map(|i| start + (i * beat * 4) as u64).collect(),
    }
}

/// Notes as the engine reports them: (frame, note, end).
pub fn played(v: &[(u64, f32, u64)]) -> Vec<chronus_analysis::NotePlayed> {
    v.iter()
        .map(|&(frame, note, end)| chronus_analysis::NotePlayed {
            frame,
            note,
            velocity: 0.8,
            end: Some(end),
        })
        .collect()
}

/// The scene as the engine would hand it over, starting at frame `start`
/// (bar 13 at 120 bpm): kick not tapped (energy known), bass and the pad
/// (named `pad`) tapped; the master is `left`/`right`.
pub fn scene_input<'a>(
    s: &'a Scene,
    start: u64,
    pad: &str,
    left: &'a [f32],
    right: &'a [f32],
) -> chronus_analysis::Input<'a> {
    use chronus_analysis::{Audio, Counters, Input, NotePlayed, TrackInput};
    let audio = |x: &'a [f32]| Audio {
        rate: s.rate,
        start,
        left: x,
        right: x,
    };
    let kick_energy: f64 = s
        .kick
        .iter()
        .map(|&v| 2.0 * f64::from(v) * f64::from(v))
        .sum();
    Input {
        what: "master".into(),
        master: Audio {
            rate: s.rate,
            start,
            left,
            right,
        },
        tracks: vec![
            TrackInput {
                name: "kick".into(),
                audio: None,
                energy: Some(kick_energy),
                notes: s
                    .kicks
                    .iter()
                    .map(|&f| NotePlayed {
                        frame: f,
                        note: 36.0,
                        velocity: 1.0,
                        end: None,
                    })
                    .collect(),
                pitched: false,
            },
            TrackInput {
                name: "bass".into(),
                audio: Some(audio(&s.bass)),
                energy: None,
                notes: played(&s.bass_notes),
                pitched: true,
            },
            TrackInput {
                name: pad.into(),
                audio: Some(audio(&s.pad)),
                energy: None,
                notes: played(&s.pad_notes),
                pitched: true,
            },
        ],
        bars: s.bar_frames.clone(),
        first_bar: Some(13),
        tempo_bpm: Some(120.0),
        scheduled_onsets: s.kicks.clone(),
        counters: Counters::default(),
    }
}
