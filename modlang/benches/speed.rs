//! A user module against the same graph written in Rust on the same dsp
//! primitives: two detuned saws, a resonant low-pass, tanh and a gain, with
//! four params (the pitch glides to a new note every second). Each renders
//! 10 s at 48 kHz in 64-frame blocks; the two run back to back, in
//! alternating order, for several rounds, and the median of the rounds'
//! ratios is the figure (the medians and the fastest runs are shown too). The requirement: the module within 2x.
//!
//! `cargo bench -p chronus-modlang --bench speed`

use chronus_dsp::filter::{Svf, SvfCoefs, SvfMode};
use chronus_dsp::osc::phase_increment;
use chronus_dsp::osc::wavetable::{read, shared, Shape, Wavetables};
use chronus_dsp::smooth::Smoothed;
use chronus_dsp::MAX_BLOCK;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

const RATE: f32 = 48_000.0;
const FRAMES: usize = 480_000;
const ROUNDS: usize = 21;

const SOURCE: &str = "\
param freq   = 110  in 20..2000
param cutoff = 1200 in 20..20000
param q      = 0.4  in 0..1
param gain   = 0.5  in 0..2
let osc = saw(freq) + saw(freq * 1.003)
output out = tanh(osc >> lowpass(cutoff, q)) * gain
";

/// The same graph by hand: params read once per block, as the engine's
/// own modules do.
struct Hand {
    tables: Arc<Wavetables>,
    phases: [u32; 2],
    svf: Svf,
    made_for: (f32, f32),
    freq: Smoothed,
    cutoff: Smoothed,
    q: Smoothed,
    gain: Smoothed,
    out: [f32; MAX_BLOCK],
}

impl Hand {
    fn new() -> Self {
        Hand {
            tables: shared(f64::from(RATE)),
            phases: [0; 2],
            svf: Svf::new(SvfCoefs::new(1200.0, 0.4, RATE)),
            made_for: (1200.0, 0.4),
            freq: Smoothed::new(110.0),
            cutoff: Smoothed::new(1200.0),
            q: Smoothed::new(0.4),
            gain: Smoothed::new(0.5),
            out: [0.0; MAX_BLOCK],
        }
    }

    fn render(&mut self, len: usize) {
        let n = len as u32;
        let f = self.freq.advance(n);
        let (c, q, g) = (
            self.cutoff.advance(n),
            self.q.advance(n),
            self.gain.advance(n),
        );
        if (c, q) != self.made_for {
            self.made_for = (c, q);
            self.svf.set_coefs(SvfCoefs::new(c, q, RATE));
        }
        let rate = f64::from(RATE);
        let (f1, f2) = (f64::from(f), f64::from(f * 1.003));
        let (i1, i2) = (phase_increment(f1, rate), phase_increment(f2, rate));
        let t1 = self.tables.table(Shape::Saw, self.tables.band_for(f1));
        let t2 = self.tables.table(Shape::Saw, self.tables.band_for(f2));
        let [mut p1, mut p2] = self.phases;
        for o in &mut self.out[..len] {
            let s = read(t1, p1) + read(t2, p2);
            p1 = p1.wrapping_add(i1);
            p2 = p2.wrapping_add(i2);
            *o = self.svf.process_sample(s, SvfMode::Lowpass).tanh() * g;
        }
        self.phases = [p1, p2];
    }
}

/// Render 10 s through `render` (given the new pitch at each second);
/// the time and a checksum.
fn time(mut render: impl FnMut(Option<f32>) -> f32) -> (Duration, f64) {
    let start = Instant::now();
    let mut sum = 0.0f64;
    for block in 0..FRAMES / MAX_BLOCK {
        let note = (block % 750 == 0).then_some(if block % 1500 == 0 { 110.0 } else { 165.0 });
        sum += f64::from(render(note));
    }
    (start.elapsed(), black_box(sum))
}

fn median<T: PartialOrd + Copy>(mut v: Vec<T>) -> T {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal));
    v[v.len() / 2]
}

fn main() {
    let def = chronus_modlang::parse(SOURCE, "speed.cm", "speed").unwrap_or_else(|e| panic!("{e}"));
    let (mut module_times, mut hand_times, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    let mut sums = (0.0, 0.0);
    let run_module = || {
        let mut m = def.build(RATE);
        time(|note| {
            if let Some(f) = note {
                m.set_param(0, f, 480);
            }
            m.render(MAX_BLOCK);
            m.output(0)[7]
        })
    };
    let run_hand = || {
        let mut h = Hand::new();
        time(|note| {
            if let Some(f) = note {
                h.freq.set(f, 480);
            }
            h.render(MAX_BLOCK);
            h.out[7]
        })
    };
    for round in 0..ROUNDS {
        // Back to back, in alternating order: the machine is shared, and a
        // pair measured together sees the same load.
        let ((tm, a), (th, b)) = if round % 2 == 0 {
            let m = run_module();
            (m, run_hand())
        } else {
            let h = run_hand();
            (run_module(), h)
        };
        module_times.push(tm);
        hand_times.push(th);
        ratios.push(tm.as_secs_f64() / th.as_secs_f64());
        sums = (a, b);
    }
    let min = |v: &[Duration]| v.iter().copied().min().unwrap_or_default();
    let (min_m, min_h) = (min(&module_times), min(&hand_times));
    let (m, h) = (median(module_times), median(hand_times));
    let realtime = |d: Duration| FRAMES as f64 / f64::from(RATE) / d.as_secs_f64();
    println!(
        "speed: 10 s at 48 kHz, {} ops per block, {ROUNDS} rounds",
        def.op_count()
    );
    for (what, med, least) in [("module", m, min_m), ("Rust  ", h, min_h)] {
        println!(
            "  {what}: median {:>7.2} ms ({:.0}x real time), fastest {:>7.2} ms",
            med.as_secs_f64() * 1e3,
            realtime(med),
            least.as_secs_f64() * 1e3
        );
    }
    // Not bit-equal: the module glides its params per sample, the Rust
    // graph per block.
    println!("  checksums: module {:.3}, Rust {:.3}", sums.0, sums.1);
    println!(
        "  ratio: {:.2}x (median of the rounds' ratios; of the medians {:.2}x, \
         of the fastest {:.2}x; requirement: under 2x)",
        median(ratios),
        m.as_secs_f64() / h.as_secs_f64(),
        min_m.as_secs_f64() / min_h.as_secs_f64()
    );
}
