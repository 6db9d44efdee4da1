//! One module of the rack as the audio thread runs it: its parameters
//! (smoothed, modulated per sample), what is wired into it, and its
//! signal processing. Built off the audio thread; `render` never
//! allocates.

use chronus_dsp::envelope::Adsr;
use chronus_dsp::filter::svf::{Svf, SvfCoefs, SvfMode};
use chronus_dsp::noise::{PinkNoise, WhiteNoise};
use chronus_dsp::osc::phase::Increments;
use chronus_dsp::osc::wavetable::{read, Shape, Wavetables};
use chronus_dsp::smooth::Smoothed;
use chronus_dsp::MAX_BLOCK;
use chronus_sequencer::song::modulation::{ModuleKind, ModuleSpec};
use chronus_sequencer::TrackId;
use std::sync::Arc;

/// One parameter: its own value (glided when set) and, per block, its
/// value with the cables into it added.
#[derive(Clone)]
pub(super) struct Param {
    pub base: Smoothed,
    pub min: f32,
    pub max: f32,
    pub buf: [f32; MAX_BLOCK],
}

/// What a module does, and the state it keeps.
pub(super) enum Dsp {
    Lfo {
        phase: f64,
        held: f32,
        noise: u32,
    },
    Osc {
        tables: Arc<Wavetables>,
        phase: u32,
        band: usize,
    },
    Filter {
        svf: Svf,
    },
    Noise {
        white: WhiteNoise,
        pink: PinkNoise,
        brown: f32,
    },
    Delay {
        ring: [f32; MAX_BLOCK],
        pos: usize,
    },
    Step {
        values: Vec<f32>,
        index: usize,
        phase: f64,
    },
    Sh {
        held: f32,
        phase: f64,
        noise: WhiteNoise,
    },
    /// A module whose definition is missing: silent.
    Silent,
    /// A module written in the module language.
    User {
        module: Box<chronus_modlang::Module>,
        /// It has an input (what is wired into it goes there).
        input: bool,
    },
    Env {
        adsr: Adsr,
        trigger: Option<TrackId>,
        held: u32,
        /// The times and level it was last set to.
        set: [f32; 4],
    },
}

/// A module in the rack.
pub(super) struct Node {
    /// Its name's hash, to find it again in a new rack.
    pub key: u64,
    pub kind: ModuleKind,
    pub choice: usize,
    pub params: Vec<Param>,
    /// The modules wired into it (indices into the rack).
    pub inputs: Vec<usize>,
    /// Cables into its parameters: (module, parameter, amount).
    pub cables: Vec<(usize, usize, f32)>,
    pub dsp: Dsp,
    pub input: [f32; MAX_BLOCK],
    pub out: [f32; MAX_BLOCK],
    /// Its output's last sample (what control cables read).
    pub last: f32,
    /// Which load of its definition it runs (a user module's; 0 for a
    /// built-in).
    pub version: u64,
    /// It panicked on the audio thread: silent (its output zeros) from
    /// then on, in this rack and in the racks that replace it, until it is
    /// removed or its definition changes.
    pub dead: bool,
    /// Built only for tests: the frame from which `process` panics on
    /// purpose.
    #[cfg(test)]
    pub panic_at: Option<u64>,
    rate: f32,
}

impl Node {
    /// The module `spec` at `rate` Hz. Allocates: control thread.
    pub fn new(
        key: u64,
        spec: &ModuleSpec,
        rate: u32,
        trigger: Option<TrackId>,
        user: Option<&chronus_modlang::Definition>,
    ) -> Node {
        let info = spec.kind.info();
        let user_params = user.map(|def| {
            def.params()
                .iter()
                .map(|p| {
                    let v = spec
                        .user
                        .iter()
                        .find(|(k, _)| *k == p.name)
                        .map_or(p.default, |(_, v)| *v as f32);
                    Param {
                        base: Smoothed::new(v),
                        min: p.min,
                        max: p.max,
                        buf: [0.0; MAX_BLOCK],
                    }
                })
                .collect::<Vec<_>>()
        });
        let params = info
            .map(|i| {
                i.numbers
                    .iter()
                    .zip(&spec.numbers)
                    .map(|(def, v)| Param {
                        base: Smoothed::new(*v as f32),
                        min: def.min as f32,
                        max: def.max as f32,
                        buf: [0.0; MAX_BLOCK],
                    })
                    .collect()
            })
            .or(user_params)
            .unwrap_or_default();
        let r = rate.max(1) as f32;
        let seed = (key as u32) | 1;
        let number = |i: usize| spec.numbers.get(i).copied().unwrap_or(0.0);
        let dsp = match spec.kind {
            ModuleKind::Lfo => Dsp::Lfo {
                phase: number(1).clamp(0.0, 1.0).fract(),
                held: 0.0,
                noise: seed,
            },
            ModuleKind::Osc => Dsp::Osc {
                tables: chronus_dsp::osc::wavetable::shared(f64::from(rate.max(1))),
                phase: 0,
                band: 0,
            },
            ModuleKind::Filter => Dsp::Filter {
                svf: Svf::new(SvfCoefs::new(number(0) as f32, number(1) as f32, r)),
            },
            ModuleKind::Noise => Dsp::Noise {
                white: WhiteNoise::new(seed),
                pink: PinkNoise::new(seed),
                brown: 0.0,
            },
            ModuleKind::Delay => Dsp::Delay {
                ring: [0.0; MAX_BLOCK],
                pos: 0,
            },
            ModuleKind::Step => Dsp::Step {
                values: spec.values.iter().map(|v| *v as f32).collect(),
                index: 0,
                phase: 0.0,
            },
            ModuleKind::Sh => Dsp::Sh {
                held: 0.0,
                phase: 0.0,
                noise: WhiteNoise::new(seed),
            },
            ModuleKind::User => match user {
                Some(def) => {
                    let mut module = Box::new(def.build(r));
                    for (i, p) in params.iter().enumerate() {
                        module.set_param(i, p.base.value(), 0);
                    }
                    Dsp::User {
                        module,
                        input: !def.inputs().is_empty(),
                    }
                }
                None => Dsp::Silent,
            },
            // It plays notes (the rack's arpeggiators); as a signal, 0.
            ModuleKind::Arp => Dsp::Silent,
            ModuleKind::Env => {
                let s = [number(0), number(1), number(2), number(3)];
                Dsp::Env {
                    adsr: Adsr::new(s[0], s[1], s[2], s[3], f64::from(r)),
                    trigger,
                    held: 0,
                    set: s.map(|v| v as f32),
                }
            }
        };
        let mut node = Node {
            key,
            kind: spec.kind,
            choice: spec.choice,
            params,
            inputs: Vec::new(),
            cables: Vec::new(),
            dsp,
            input: [0.0; MAX_BLOCK],
            out: [0.0; MAX_BLOCK],
            last: 0.0,
            version: 0,
            dead: false,
            #[cfg(test)]
            panic_at: None,
            rate: r,
        };
        if let Dsp::Lfo { phase, .. } = node.dsp {
            node.last = lfo_value(node.choice, phase, 0.0);
        }
        node
    }

    /// Take over `old`'s state (a module of the same name and type in the
    /// rack this one replaces): phases, filter memory, held values, and
    /// each parameter's value, which then glides to this rack's over
    /// `ramp` frames. Audio thread safe.
    pub fn carry_over(&mut self, old: &Node, ramp: u32) {
        if old.kind != self.kind {
            return;
        }
        if old.dead && old.version == self.version {
            self.dead = true;
            return;
        }
        if let (Dsp::User { module, .. }, Dsp::User { module: o, .. }) = (&mut self.dsp, &old.dsp) {
            // Its own state, unit by unit; its settings are this rack's
            // (kept by name in the session), so nothing else to carry.
            module.take_state_from(o);
            self.last = old.last;
            return;
        }
        for (p, o) in self.params.iter_mut().zip(&old.params) {
            let target = p.base.target();
            p.base = o.base;
            if o.base.target() != target {
                p.base.set(target, ramp);
            }
        }
        self.last = old.last;
        self.out = old.out;
        match (&mut self.dsp, &old.dsp) {
            (
                Dsp::Lfo { phase, held, noise },
                Dsp::Lfo {
                    phase: p,
                    held: h,
                    noise: n,
                },
            ) => {
                (*phase, *held, *noise) = (*p, *h, *n);
            }
            (
                Dsp::Osc { phase, band, .. },
                Dsp::Osc {
                    phase: p, band: b, ..
                },
            ) => {
                (*phase, *band) = (*p, *b);
            }
            (Dsp::Filter { svf }, Dsp::Filter { svf: s }) => *svf = s.clone(),
            (
                Dsp::Noise { white, pink, brown },
                Dsp::Noise {
                    white: w,
                    pink: p,
                    brown: b,
                },
            ) => {
                (*white, *pink, *brown) = (w.clone(), p.clone(), *b);
            }
            (Dsp::Delay { ring, pos }, Dsp::Delay { ring: r, pos: p }) => {
                (*ring, *pos) = (*r, *p);
            }
            (
                Dsp::Step {
                    index,
                    phase,
                    values,
                },
                Dsp::Step {
                    index: i, phase: p, ..
                },
            ) => {
                *index = (*i).min(values.len().saturating_sub(1));
                *phase = *p;
            }
            (
                Dsp::Sh { held, phase, noise },
                Dsp::Sh {
                    held: h,
                    phase: p,
                    noise: n,
                },
            ) => {
                (*held, *phase, *noise) = (*h, *p, n.clone());
            }
            (
                Dsp::Env {
                    adsr, held, set, ..
                },
                Dsp::Env {
                    adsr: a, held: h, ..
                },
            ) => {
                // Where it is in its stages, with this rack's times.
                *adsr = a.clone();
                let [at, d, s, r] = set.map(f64::from);
                adsr.set(at, d, s, r, f64::from(self.rate));
                *held = *h;
            }
            _ => {}
        }
    }

    /// A module that joins the music at `frame` (not carried over from a
    /// rack before): its cycle is placed where it would be had it run at
    /// its rate since frame 0, so a module's phase follows the timeline,
    /// not the moment it was typed (a resumed session's LFOs are where the
    /// crashed one's were, to the rounding of a sum of per-sample steps).
    /// A held random value (`sh`, the random LFO) is not: it is drawn anew.
    /// Audio thread safe.
    pub fn start_at(&mut self, frame: u64) {
        let seconds = frame as f64 / f64::from(self.rate);
        let rate = self
            .params
            .first()
            .map_or(0.0, |p| f64::from(p.base.value().max(0.0)));
        match &mut self.dsp {
            Dsp::Lfo { phase, .. } | Dsp::Sh { phase, .. } => {
                *phase = (*phase + rate * seconds).rem_euclid(1.0);
            }
            Dsp::Step {
                phase,
                index,
                values,
            } => {
                let at = *phase + rate * seconds;
                *phase = at.rem_euclid(1.0);
                *index = (at.floor() as u64 % values.len().max(1) as u64) as usize;
            }
            Dsp::Osc { phase, .. } => {
                // The increment `process` adds each frame, `frame` times
                // (a negative frequency runs backwards).
                let freq = self.params.first().map_or(0.0, |p| p.base.value());
                let inc = Increments::new(self.rate).of(freq);
                *phase = phase.wrapping_add((u64::from(inc).wrapping_mul(frame)) as u32);
            }
            _ => {}
        }
        if let Dsp::Lfo { phase, .. } = self.dsp {
            self.last = lfo_value(self.choice, phase, 0.0);
        }
    }

    /// A note started (`on`) or ended on `track`: an envelope triggered by
    /// it follows. Audio thread safe.
    pub fn note(&mut self, track: TrackId, on: bool) {
        if let Dsp::Env {
            adsr,
            trigger: Some(t),
            held,
            ..
        } = &mut self.dsp
        {
            if *t != track {
                return;
            }
            if on {
                *held += 1;
                adsr.trigger();
            } else if *held > 0 {
                *held -= 1;
                if *held == 0 {
                    adsr.release();
                }
            }
        }
    }

    /// Render `len` frames starting at absolute `frame`, its inputs and
    /// parameter buffers already filled. Audio thread safe.
    pub fn process(&mut self, len: usize, frame: u64) {
        #[cfg(test)]
        if self.panic_at.is_some_and(|f| frame + len as u64 > f) {
            panic!("a module that panics on purpose at frame {frame}");
        }
        let rate = self.rate;
        let Node {
            params,
            dsp,
            input,
            out,
            choice,
            inputs,
            ..
        } = self;
        let out = &mut out[..len];
        match dsp {
            Dsp::Lfo { phase, held, noise } => {
                let rates = &params[0].buf;
                for (i, o) in out.iter_mut().enumerate() {
                    let next = *phase + f64::from(rates[i].max(0.0)) / f64::from(rate);
                    if next >= 1.0 && *choice == 4 {
                        *noise ^= *noise << 13;
                        *noise ^= *noise >> 17;
                        *noise ^= *noise << 5;
                        *held = (*noise >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0;
                    }
                    *phase = next.fract();
                    *o = lfo_value(*choice, *phase, *held);
                }
            }
            Dsp::Osc {
                tables,
                phase,
                band,
            } => {
                let shape = match *choice {
                    1 => Shape::Sine,
                    2 => Shape::Square,
                    3 => Shape::Triangle,
                    _ => Shape::Saw,
                };
                let increments = Increments::new(rate);
                let (freq, level) = (&params[0].buf, &params[1].buf);
                let mut table = tables.table(shape, *band);
                for (i, o) in out.iter_mut().enumerate() {
                    let f = freq[i];
                    // The band follows the pitch on a fixed grid of frames.
                    if (frame + i as u64).is_multiple_of(16) {
                        *band = tables.band_for(f64::from(f.abs()));
                        table = tables.table(shape, *band);
                    }
                    *o = read(table, *phase) * level[i];
                    *phase = phase.wrapping_add(increments.of(f));
                }
            }
            Dsp::Filter { svf } => {
                let mode = match *choice {
                    1 => SvfMode::Highpass,
                    2 => SvfMode::Bandpass,
                    _ => SvfMode::Lowpass,
                };
                let (cut, q) = (&params[0].buf, &params[1].buf);
                for (i, o) in out.iter_mut().enumerate() {
                    if (frame + i as u64).is_multiple_of(8) {
                        svf.set_coefs(SvfCoefs::new(cut[i], q[i], rate));
                    }
                    *o = svf.process_sample(input[i], mode);
                }
            }
            Dsp::Noise { white, pink, brown } => {
                let level = &params[0].buf;
                for (i, o) in out.iter_mut().enumerate() {
                    let v = match *choice {
                        1 => pink.next_sample(),
                        2 => {
                            *brown = (*brown + 0.02 * white.next_sample()) * 0.998;
                            *brown * 3.5
                        }
                        _ => white.next_sample(),
                    };
                    *o = v * level[i];
                }
            }
            Dsp::Delay { ring, pos } => {
                for (i, o) in out.iter_mut().enumerate() {
                    *o = ring[(*pos + i) % MAX_BLOCK];
                }
            }
            Dsp::Step {
                values,
                index,
                phase,
            } => {
                let rates = &params[0].buf;
                for (i, o) in out.iter_mut().enumerate() {
                    *phase += f64::from(rates[i].max(0.0)) / f64::from(rate);
                    if *phase >= 1.0 {
                        *phase = phase.fract();
                        *index = (*index + 1) % values.len().max(1);
                    }
                    *o = values.get(*index).copied().unwrap_or(0.0);
                }
            }
            Dsp::Sh { held, phase, noise } => {
                let rates = &params[0].buf;
                let own = inputs.is_empty();
                for (i, o) in out.iter_mut().enumerate() {
                    *phase += f64::from(rates[i].max(0.0)) / f64::from(rate);
                    if *phase >= 1.0 {
                        *phase = phase.fract();
                        *held = if own { noise.next_sample() } else { input[i] };
                    }
                    *o = *held;
                }
            }
            Dsp::Silent => out.fill(0.0),
            Dsp::User {
                module,
                input: has_input,
            } => {
                // Each parameter glides to where its buffer ends.
                for (i, p) in params.iter().enumerate() {
                    module.set_param(i, p.buf[len - 1], len as u32);
                }
                if *has_input {
                    module.input_mut(0)[..len].copy_from_slice(&input[..len]);
                }
                module.render(len);
                let o = module.output(0);
                let n = o.len().min(len);
                out[..n].copy_from_slice(&o[..n]);
                out[n..].fill(0.0);
            }
            Dsp::Env { adsr, set, .. } => {
                let now = [
                    params[0].buf[0],
                    params[1].buf[0],
                    params[2].buf[0],
                    params[3].buf[0],
                ];
                if now != *set {
                    *set = now;
                    let [a, d, s, r] = now.map(f64::from);
                    adsr.set(a, d, s, r, f64::from(rate));
                }
                for o in out.iter_mut() {
                    *o = adsr.next_sample();
                }
            }
        }
        if let Some(&v) = out.last() {
            self.last = v;
        }
    }

    /// After every module has run: a delay keeps what was wired into it
    /// for the next block. Audio thread safe.
    pub fn store(&mut self, len: usize) {
        if let Dsp::Delay { ring, pos } = &mut self.dsp {
            let gain = &self.params[0].buf;
            for i in 0..len {
                ring[(*pos + i) % MAX_BLOCK] = bounded(self.input[i] * gain[i]);
            }
            *pos = (*pos + len) % MAX_BLOCK;
        }
    }
}

/// `x` itself up to ±1, then bent softly towards ±2 (tanh beyond 1, with
/// a matching slope): a loop through a delay whose gain is above 1 grows
/// loud and rough, never without bound.
fn bounded(x: f32) -> f32 {
    let a = x.abs();
    if a <= 1.0 {
        x
    } else {
        (1.0 + (a - 1.0).tanh()).copysign(x)
    }
}

/// An LFO's value at `phase` for shape `choice` (`held`: random's value).
fn lfo_value(choice: usize, phase: f64, held: f32) -> f32 {
    let p = phase;
    match choice {
        // 0 rising at the start of a cycle, as the sine.
        1 => (1.0 - 4.0 * ((p + 0.25).fract() - 0.5).abs()) as f32,
        2 => (2.0 * p - 1.0) as f32,
        3 => {
            if p < 0.5 {
                1.0
            } else {
                -1.0
            }
        }
        4 => held,
        _ => (std::f64::consts::TAU * p).sin() as f32,
    }
}
