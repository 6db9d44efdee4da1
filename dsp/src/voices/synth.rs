//! The subtractive synth voice bank: band-limited oscillator -> filter ->
//! amplifier with an ADSR, for all voices of one `synth` instrument.
//!
//! Layout: the filter state of every voice lives in one array per field
//! ([`LadderBank`], [`SvfBank`]) and the per-sample filter loop runs across
//! voices, which the compiler vectorises. Active voices are packed into the
//! lowest slots (a voice that ends swaps with the last active one), so the
//! loops only touch sounding voices (rounded up to a multiple of [`LANES`]).
//!
//! Live parameters (`set_param`): `cutoff` (in octaves), `resonance` and
//! `filter_env` ramp on the control grid: every voice's filter coefficients
//! are recomputed at each multiple of [`MAX_BLOCK`] frames (absolute frames,
//! so the output does not depend on how the caller splits its blocks), with
//! the ramps advanced by one grid step each time. `detune` glides the pitch
//! of sounding notes on the same grid (phases run on). Envelope times apply
//! to sounding notes at once; `sustain` glides there per sample
//! ([`Adsr::set_sustain`]). `note`, the pitch of notes without one, applies
//! from the next note. A jump (ramp 0) takes effect at once.

use crate::envelope::Adsr;
use crate::filter::ladder::{ladder_feedback, ladder_gain};
use crate::filter::{LadderBank, SvfBank, SvfCoefs, SvfMode};
use crate::live::clamp_param;
use crate::noise::WhiteNoise;
use crate::osc::phase_increment;
use crate::osc::wavetable::{self, read_block, Shape, Wavetables};
use crate::smooth::Smoothed;
use crate::{Instrument, MAX_BLOCK};
use chronus_sequencer::song::{FilterMode, SynthSpec, Waveform};
use std::sync::Arc;

#[cfg(test)]
mod cost;
#[cfg(test)]
pub(crate) mod dc_tests;
mod live;

/// Lanes the voice loops are padded to (the widest vector we target).
pub const LANES: usize = 8;

/// Voices processed together through the chain (a multiple of [`LANES`]):
/// enough independent lanes to hide the filter's latency, few enough that
/// the group's buffers (2 x 64 x 32 floats) stay in the L1 cache.
pub const GROUP: usize = 32;

/// Where the amplitude block starts in the scratch buffer: after the
/// oscillator block plus one cache line, so that the two blocks' rows do not
/// share address bits modulo 4 KiB (which stalls loads behind stores).
const AMP_OFFSET: usize = GROUP * MAX_BLOCK + 16;

/// Output level of one voice at full velocity (-6 dB, leaving headroom for chords).
const VOICE_LEVEL: f32 = 0.5;

/// Per-voice control state (the filter state lives in the banks).
#[derive(Clone, Debug)]
struct Voice {
    id: u32,
    age: u64,
    /// MIDI pitch of the note, before detune.
    note: f64,
    phase: u32,
    inc: u32,
    band: usize,
    env: Adsr,
    velocity: f32,
    noise: WhiteNoise,
}

/// All voices of one `synth` instrument.
pub struct SynthBank {
    spec: SynthSpec,
    rate: f32,
    tables: Arc<Wavetables>,
    voices: Vec<Voice>,
    active: usize,
    clock: u64,
    /// Frames rendered so far: control-rate work (filter coefficients,
    /// voice reaping) happens only on multiples of `MAX_BLOCK`, so the
    /// output does not depend on how the caller splits its blocks.
    frame: u64,
    ladder: LadderBank,
    svf: SvfBank,
    /// Filter cutoff in octaves (log2 Hz), ramped on the control grid.
    octaves: Smoothed,
    /// The base cutoff in Hz used by the filters now (before the envelope).
    cutoff: f32,
    resonance: Smoothed,
    filter_env: Smoothed,
    /// Detune in cents, ramped on the control grid.
    detune: Smoothed,
    /// Pitch bend in semitones (a MIDI wheel), ramped on the control grid.
    bend: Smoothed,
    /// A group's oscillator output, then filter output, sample-major
    /// (`n * GROUP + lane`); from [`AMP_OFFSET`], its envelope times
    /// velocity in the same layout.
    scratch: Vec<f32>,
}

impl SynthBank {
    /// A bank for `spec` at `rate` Hz with `spec.polyphony` voices.
    /// Allocates; call on a control thread.
    pub fn new(spec: &SynthSpec, rate: f32) -> Self {
        let capacity = super::pool::voice_count(spec.polyphony);
        let lanes = capacity.div_ceil(LANES) * LANES;
        let r = f64::from(rate);
        let voice = Voice {
            id: 0,
            age: 0,
            note: spec.note,
            phase: 0,
            inc: 0,
            band: 0,
            env: Adsr::new(spec.attack, spec.decay, spec.sustain, spec.release, r),
            velocity: 0.0,
            noise: WhiteNoise::new(1),
        };
        SynthBank {
            spec: spec.clone(),
            rate,
            tables: wavetable::shared(r),
            voices: vec![voice; capacity],
            active: 0,
            clock: 0,
            frame: 0,
            ladder: LadderBank::new(lanes, rate),
            svf: SvfBank::new(lanes),
            octaves: Smoothed::new((spec.cutoff as f32).log2()),
            cutoff: spec.cutoff as f32,
            resonance: Smoothed::new(spec.resonance as f32),
            filter_env: Smoothed::new(spec.filter_env as f32),
            detune: Smoothed::new(spec.detune as f32),
            bend: Smoothed::new(0.0),
            scratch: crate::memory::zeroed(AMP_OFFSET + GROUP * MAX_BLOCK),
        }
    }

    fn shape(&self) -> Option<Shape> {
        match self.spec.osc {
            Waveform::Sine => Some(Shape::Sine),
            Waveform::Saw => Some(Shape::Saw),
            Waveform::Square => Some(Shape::Square),
            Waveform::Triangle => Some(Shape::Triangle),
            Waveform::Noise => None,
        }
    }

    /// Cutoff of voice `v` now (base cutoff moved by the filter envelope).
    fn cutoff(&self, v: usize) -> f32 {
        let base = self.cutoff;
        let depth = self.filter_env.value();
        if depth == 0.0 {
            base
        } else {
            let octaves = depth * self.voices[v].env.level();
            (base * octaves.exp2()).clamp(20.0, 20_000.0)
        }
    }

    fn update_filters(&mut self) {
        for v in 0..self.active {
            self.update_filter(v);
        }
    }

    /// Set voice `v`'s filter coefficients from its cutoff now.
    fn update_filter(&mut self, v: usize) {
        let res = self.resonance.value();
        let fc = self.cutoff(v);
        match self.spec.filter {
            FilterMode::Lowpass => {
                self.ladder
                    .set(v, ladder_gain(fc, self.rate), ladder_feedback(res));
            }
            FilterMode::Highpass | FilterMode::Bandpass => {
                self.svf.set(v, SvfCoefs::new(fc, res, self.rate));
            }
            FilterMode::None => {}
        }
    }

    /// Move voice `from` into slot `to` (both active), keeping filter state.
    fn swap_voices(&mut self, a: usize, b: usize) {
        self.voices.swap(a, b);
        self.ladder.swap(a, b);
        self.svf.swap(a, b);
    }

    /// Render voices `base..base + count` and add them into `out`.
    fn render_group(&mut self, base: usize, count: usize, out: &mut [f32]) {
        render_group(self, base, count, out);
    }

    /// Drop voices whose envelope has finished, keeping the active ones packed.
    fn reap(&mut self) {
        let mut v = 0;
        while v < self.active {
            if self.voices[v].env.is_idle() {
                self.active -= 1;
                self.swap_voices(v, self.active);
                self.ladder.clear(self.active);
                self.svf.clear(self.active);
            } else {
                v += 1;
            }
        }
    }
}

crate::simd::versions! {
    /// [`SynthBank::render_group`], compiled for each SIMD level:
    /// oscillators and envelopes voice by voice, then the filters and the
    /// amplifier across the group's voices.
    fn render_group(bank: &mut SynthBank, base: usize, count: usize, out: &mut [f32]) {
        let frames = out.len();
        let shape = bank.shape();
        // Oscillators and envelopes, voice by voice, into local blocks, then
        // into the group's sample-major buffers.
        let mut env = [0.0f32; MAX_BLOCK];
        let (buf, amp) = bank.scratch.split_at_mut(AMP_OFFSET);
        for lane in 0..count {
            let v = base + lane;
            let rows = buf.chunks_exact_mut(GROUP).take(frames);
            if v < bank.active {
                let voice = &mut bank.voices[v];
                match shape {
                    Some(shape) => {
                        let table = bank.tables.table(shape, voice.band);
                        let mut osc = [0.0f32; MAX_BLOCK];
                        let osc = &mut osc[..frames];
                        voice.phase = read_block(table, voice.phase, voice.inc, osc);
                        for (row, x) in rows.zip(osc.iter()) {
                            row[lane] = *x;
                        }
                    }
                    None => {
                        for row in rows {
                            row[lane] = voice.noise.next_sample();
                        }
                    }
                }
                voice.env.process(&mut env[..frames]);
                let gain = voice.velocity * VOICE_LEVEL;
                for (row, e) in amp.chunks_exact_mut(GROUP).zip(&env[..frames]) {
                    row[lane] = e * gain;
                }
            } else {
                for row in rows {
                    row[lane] = 0.0;
                }
                for row in amp.chunks_exact_mut(GROUP).take(frames) {
                    row[lane] = 0.0;
                }
            }
        }
        // Filters, across the group's voices.
        let (buf, amp) = bank.scratch.split_at_mut(AMP_OFFSET);
        let buf = &mut buf[..frames * GROUP];
        match bank.spec.filter {
            FilterMode::Lowpass => bank.ladder.process(buf, GROUP, base, count, frames),
            FilterMode::Highpass => {
                bank.svf
                    .process(buf, GROUP, base, count, frames, SvfMode::Highpass)
            }
            FilterMode::Bandpass => {
                bank.svf
                    .process(buf, GROUP, base, count, frames, SvfMode::Bandpass)
            }
            FilterMode::None => {}
        }
        // Amplifier and sum, in LANES-wide partial sums.
        for (n, o) in out.iter_mut().enumerate() {
            let row = &buf[n * GROUP..n * GROUP + count];
            let amp = &amp[n * GROUP..n * GROUP + count];
            let mut acc = [0.0f32; LANES];
            for (r, a) in row.chunks_exact(LANES).zip(amp.chunks_exact(LANES)) {
                for j in 0..LANES {
                    acc[j] += r[j] * a[j];
                }
            }
            *o += acc.iter().sum::<f32>();
        }
    }
}

impl Instrument for SynthBank {
    /// Audio thread safe.
    fn set_bend(&mut self, semitones: f32, ramp: u32) {
        self.bend_to(semitones, ramp);
    }

    /// Audio thread safe.
    fn sync(&mut self, frame: u64) {
        self.frame = frame;
    }

    /// Audio thread safe.
    fn note_on(&mut self, id: u32, pitch: Option<f32>, velocity: f32) {
        let finished = (0..self.active).find(|&v| self.voices[v].env.is_idle());
        let (slot, stolen) = if let Some(v) = finished {
            // Ended since the last reap: a free voice, started fresh.
            (v, false)
        } else if self.active < self.voices.len() {
            self.active += 1;
            (self.active - 1, false)
        } else {
            // Steal the oldest voice.
            let oldest = (0..self.active)
                .min_by_key(|&v| self.voices[v].age)
                .unwrap_or(0);
            (oldest, true)
        };
        let note = pitch.map_or(self.spec.note, f64::from);
        let freq = self.freq(note);
        let rate = f64::from(self.rate);
        self.clock += 1;
        let voice = &mut self.voices[slot];
        voice.id = id;
        voice.age = self.clock;
        voice.note = note;
        voice.inc = phase_increment(freq, rate);
        voice.band = self.tables.band_for(freq);
        voice.velocity = velocity.clamp(0.0, 1.0);
        if stolen {
            // Take over a sounding voice without a click: phase and filter
            // state run on, the envelope attacks from its current level.
            voice.env.trigger();
        } else {
            // A fresh note starts from a clean state, so two notes started
            // on the same frame are phase-identical.
            voice.phase = 0;
            voice.noise = WhiteNoise::new(id.wrapping_mul(0x9E37_79B9) | 1);
            voice.env.trigger_from_zero();
            self.ladder.clear(slot);
            self.svf.clear(slot);
        }
        self.update_filter(slot);
    }

    /// Audio thread safe.
    fn note_off(&mut self, id: u32) {
        for voice in &mut self.voices[..self.active] {
            if voice.id == id {
                voice.env.release();
            }
        }
    }

    /// Audio thread safe.
    fn render(&mut self, out: &mut [f32]) {
        let frames = out.len().min(MAX_BLOCK);
        out.fill(0.0);
        let on_grid = self.frame.is_multiple_of(MAX_BLOCK as u64);
        self.frame += frames as u64;
        if on_grid {
            self.advance_params();
        }
        if self.active == 0 {
            return;
        }
        if on_grid {
            self.update_filters();
        }
        let lanes = self.active.div_ceil(LANES) * LANES;
        // Voices go through the whole chain a group at a time, so that the
        // group's buffers stay in the L1 cache.
        for base in (0..lanes).step_by(GROUP) {
            let count = GROUP.min(lanes - base);
            self.render_group(base, count, &mut out[..frames]);
        }
        if self.frame.is_multiple_of(MAX_BLOCK as u64) {
            self.reap();
        }
    }

    fn active_voices(&self) -> usize {
        self.active
    }

    fn reset(&mut self) {
        for v in 0..self.voices.len() {
            self.voices[v].env.reset();
            self.ladder.clear(v);
            self.svf.clear(v);
        }
        self.active = 0;
    }

    /// See the module docs for how each parameter reaches sounding notes.
    /// Audio thread safe.
    fn set_param(&mut self, param: usize, value: f32, ramp: u32) {
        if let Some((name, v)) = clamp_param(SynthSpec::PARAMS, param, value) {
            self.set_named(name, v, ramp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> SynthSpec {
        match serde_yaml_ng::from_str(yaml) {
            Ok(s) => s,
            Err(e) => panic!("{e}"),
        }
    }

    /// Largest sample-to-sample step of `x`.
    fn max_step(x: &[f32]) -> f32 {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn stealing_a_sounding_voice_does_not_click() {
        let s = spec("{ osc: sine, filter: none, attack: 0.005, release: 0.5, polyphony: 1 }");
        let mut bank = SynthBank::new(&s, 48_000.0);
        let mut out = vec![0.0f32; 4 * 12_032];
        let mut n = 0;
        for (i, note) in [60.0, 64.0, 67.0, 72.0].into_iter().enumerate() {
            bank.note_on(i as u32, Some(note), 0.8);
            let end = n + 12_032;
            while n < end {
                bank.render(&mut out[n..n + 64]);
                n += 64;
            }
        }
        // A C5 sine at 0.4 peak moves at most 2*pi*523/48000*0.4 = 0.027 per sample.
        let step = max_step(&out);
        assert!(step < 0.03, "largest step {step}");
        assert_eq!(bank.active_voices(), 1);
        // And each note took the voice over: each part plays its own pitch.
        for (i, note) in [60.0, 64.0, 67.0, 72.0].into_iter().enumerate() {
            let part = &out[i * 12_032 + 4_800..(i + 1) * 12_032];
            let f = crate::voices::pool::testing::zero_cross_freq(part, 48_000.0);
            let want = crate::math::midi_to_hz(note);
            assert!(
                (1200.0 * (f / want).log2()).abs() < 1.0,
                "part {i}: {f} Hz, not {want}"
            );
        }
    }

    #[test]
    fn a_voice_started_beside_sounding_ones_plays_as_in_a_fresh_bank() {
        // Bank `a` plays a held note and a short one that ends; then a new
        // note takes the ended one's slot, whose filter and envelope once
        // rang. `b` plays the same first two notes, `c` only the new one,
        // fresh. Voices add, so `a - b` is the new note: it must be `c`.
        let s = spec("{ osc: saw, cutoff: 900, resonance: 0.95, release: 0.002 }");
        let mut a = SynthBank::new(&s, 48_000.0);
        let mut b = SynthBank::new(&s, 48_000.0);
        let mut c = SynthBank::new(&s, 48_000.0);
        let (mut x, mut y, mut z) = ([0.0f32; 64], [0.0f32; 64], [0.0f32; 64]);
        for bank in [&mut a, &mut b] {
            bank.note_on(1, Some(50.0), 0.8);
            bank.note_on(5, Some(62.0), 0.8);
        }
        // Frame by frame after the release: the new note comes on the frame
        // the short note ends, off the control grid, so its voice is not yet
        // reaped (its lanes not yet cleared) when the new note takes it, as
        // when events split the engine's blocks.
        let mut worst = 0.0f32;
        let mut level = 0.0f32;
        let mut started = false;
        let mut frame = 0;
        while frame < 8_000 {
            if frame == 256 {
                a.note_off(5);
                b.note_off(5);
            }
            let n = if (256..1_024).contains(&frame) { 1 } else { 64 };
            a.render(&mut x[..n]);
            b.render(&mut y[..n]);
            c.render(&mut z[..n]);
            for i in 0..n {
                worst = worst.max((x[i] - y[i] - z[i]).abs());
                level = level.max(z[i].abs());
            }
            frame += n;
            if !started && a.voices[1].env.is_idle() {
                assert!(frame % 64 != 0 && a.active_voices() == 2, "reaped already");
                a.note_on(2, Some(57.0), 0.8);
                c.note_on(2, Some(57.0), 0.8);
                started = true;
            }
        }
        assert!(started);
        assert!(level > 0.1, "{level}");
        assert!(
            worst < 1e-5,
            "the new voice differs from a fresh one by {worst}"
        );
    }
}
