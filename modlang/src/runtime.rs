//! The runtime: a built module runs its steps one block at a time, each step
//! a tight loop over the block, so interpretation costs once per block, not
//! once per sample.

use crate::program::{BinFn, MapFn, Plan, Reg, Src, Step};
use crate::stateful::{Block, Delay, Filter, Noise, Osc};
use crate::ParamDef;
use chronus_dsp::osc::wavetable::shared;
use chronus_dsp::smooth::Smoothed;
use chronus_dsp::MAX_BLOCK;

mod reload;

/// The highest sample rate a module is built for (higher is taken as this).
pub const MAX_RATE: f32 = 768_000.0;

/// One runnable step, owning its unit's state.
#[derive(Clone, Debug)]
enum Op {
    Param {
        slot: usize,
        dst: Reg,
    },
    Bin {
        f: BinFn,
        a: Reg,
        b: Reg,
        dst: Reg,
    },
    BinC {
        f: BinFn,
        a: Reg,
        c: f32,
        dst: Reg,
    },
    CBin {
        f: BinFn,
        c: f32,
        b: Reg,
        dst: Reg,
    },
    Map {
        f: MapFn,
        a: Reg,
        dst: Reg,
    },
    Mix {
        a: Reg,
        b: Reg,
        t: Reg,
        dst: Reg,
    },
    Osc {
        osc: Osc,
        freq: Option<Reg>,
        dst: Reg,
    },
    Noise {
        noise: Noise,
        dst: Reg,
    },
    Filter {
        filter: Filter,
        x: Reg,
        cutoff: Option<Reg>,
        q: Option<Reg>,
        dst: Reg,
    },
    Delay {
        delay: Delay,
        x: Reg,
        time: Option<Reg>,
        dst: Reg,
    },
}

#[derive(Clone, Debug)]
struct Param {
    name: String,
    min: f32,
    max: f32,
    value: Smoothed,
}

/// A built module: its registers, its units' state and its params. Made
/// by [`crate::Definition::build`] on a control thread; every method but
/// `clone` is then audio-thread safe (no allocation, no locks).
#[derive(Clone, Debug)]
pub struct Module {
    regs: Vec<Block>,
    ops: Vec<Op>,
    params: Vec<Param>,
    inputs: usize,
    outputs: Vec<Block>,
    output_srcs: Vec<Src>,
    len: usize,
    /// What an unknown input index writes to.
    scratch: Block,
}

fn reg(s: Src) -> Option<Reg> {
    match s {
        Src::Reg(r) => Some(r),
        Src::Const(_) => None,
    }
}

impl Module {
    pub(crate) fn new(plan: &Plan, params: &[ParamDef], rate: f32) -> Self {
        let rate = if rate.is_finite() && rate >= 1000.0 {
            rate.min(MAX_RATE)
        } else {
            48_000.0
        };
        let tables = shared(f64::from(rate));
        let mut regs = vec![[0.0f32; MAX_BLOCK]; plan.regs];
        for &(r, c) in &plan.consts {
            regs[r as usize] = [c; MAX_BLOCK];
        }
        let ops = plan
            .steps
            .iter()
            .map(|s| match *s {
                Step::Param { slot, dst } => Op::Param { slot, dst },
                Step::Bin { f, a, b, dst } => Op::Bin { f, a, b, dst },
                Step::BinC { f, a, c, dst } => Op::BinC { f, a, c, dst },
                Step::CBin { f, c, b, dst } => Op::CBin { f, c, b, dst },
                Step::Map { f, a, dst } => Op::Map { f, a, dst },
                Step::Mix { a, b, t, dst } => Op::Mix { a, b, t, dst },
                Step::Osc { shape, freq, dst } => Op::Osc {
                    osc: Osc::new(tables.clone(), shape, freq, rate),
                    freq: reg(freq),
                    dst,
                },
                Step::Noise { pink, seed, dst } => Op::Noise {
                    noise: Noise::new(pink, seed),
                    dst,
                },
                Step::Filter {
                    mode,
                    x,
                    cutoff,
                    q,
                    dst,
                } => Op::Filter {
                    filter: Filter::new(mode, cutoff, q, rate),
                    x,
                    cutoff: reg(cutoff),
                    q: reg(q),
                    dst,
                },
                Step::Delay { x, time, dst } => Op::Delay {
                    delay: Delay::new(time, rate),
                    x,
                    time: reg(time),
                    dst,
                },
            })
            .collect();
        Module {
            regs,
            ops,
            params: params
                .iter()
                .map(|p| Param {
                    name: p.name.clone(),
                    min: p.min,
                    max: p.max,
                    value: Smoothed::new(p.default),
                })
                .collect(),
            inputs: plan.inputs,
            outputs: vec![[0.0; MAX_BLOCK]; plan.outputs.len()],
            output_srcs: plan.outputs.clone(),
            len: 0,
            scratch: [0.0; MAX_BLOCK],
        }
    }

    /// Set param `index` to `value` (clamped to its range), gliding there
    /// over `ramp` frames (0: at once). An unknown index or a NaN value is
    /// ignored.
    pub fn set_param(&mut self, index: usize, value: f32, ramp: u32) {
        if let Some(p) = self.params.get_mut(index) {
            if !value.is_nan() {
                p.value.set(value.clamp(p.min, p.max), ramp);
            }
        }
    }

    /// The value param `index` was last set to (its target while it
    /// glides); 0 for an unknown index.
    pub fn param(&self, index: usize) -> f32 {
        self.params.get(index).map_or(0.0, |p| p.value.target())
    }

    /// Input `index`'s buffer, [`MAX_BLOCK`] long: write the first `len`
    /// frames before [`Module::render`]. It keeps what was written (silence
    /// until then). An unknown index gives a scratch buffer nothing reads.
    pub fn input_mut(&mut self, index: usize) -> &mut [f32] {
        if index < self.inputs {
            &mut self.regs[index]
        } else {
            &mut self.scratch
        }
    }

    /// Render `len` frames (at most [`MAX_BLOCK`]; more is treated as
    /// [`MAX_BLOCK`]). Never allocates or locks. Outputs are always finite
    /// (a non-finite sample becomes 0).
    pub fn render(&mut self, len: usize) {
        let len = len.min(MAX_BLOCK);
        self.len = len;
        let Module {
            regs, ops, params, ..
        } = self;
        for op in ops.iter_mut() {
            run(op, regs, params, len);
        }
        for (out, src) in self.outputs.iter_mut().zip(&self.output_srcs) {
            let out = &mut out[..len];
            match *src {
                Src::Const(c) => out.fill(c),
                Src::Reg(r) => {
                    for (o, &v) in out.iter_mut().zip(&self.regs[r as usize][..len]) {
                        *o = if v.is_finite() { v } else { 0.0 };
                    }
                }
            }
        }
    }

    /// Output `index` of the last render (`len` frames long); empty for an
    /// unknown index.
    pub fn output(&self, index: usize) -> &[f32] {
        self.outputs.get(index).map_or(&[], |o| &o[..self.len])
    }

    /// Clear every unit's state (phases, filters, delay lines, noise seeds);
    /// params jump to their targets. Inputs are left as written.
    pub fn reset(&mut self) {
        for op in &mut self.ops {
            match op {
                Op::Osc { osc, .. } => osc.reset(),
                Op::Noise { noise, .. } => noise.reset(),
                Op::Filter { filter, .. } => filter.reset(),
                Op::Delay { delay, .. } => delay.reset(),
                _ => {}
            }
        }
        for p in &mut self.params {
            let t = p.value.target();
            p.value.reset_to(t);
        }
    }
}

/// The registers below `dst` (to read) and `dst` itself (to write).
#[inline(always)]
fn split(regs: &mut [Block], dst: Reg, len: usize) -> (&[Block], &mut [f32]) {
    let (lo, hi) = regs.split_at_mut(dst as usize);
    (lo, &mut hi[0][..len])
}

/// Run `$loop` with `$g` bound to the closure of binary function `$f`
/// (one monomorphised loop per function, no per-sample branch).
macro_rules! bin_loop {
    ($f:expr, $g:ident => $loop:expr) => {
        match $f {
            BinFn::Add => {
                let $g = |x: f32, y: f32| x + y;
                $loop
            }
            BinFn::Sub => {
                let $g = |x: f32, y: f32| x - y;
                $loop
            }
            BinFn::Mul => {
                let $g = |x: f32, y: f32| x * y;
                $loop
            }
            BinFn::Div => {
                let $g = |x: f32, y: f32| x / y;
                $loop
            }
            BinFn::Min => {
                let $g = |x: f32, y: f32| x.min(y);
                $loop
            }
            BinFn::Max => {
                let $g = |x: f32, y: f32| x.max(y);
                $loop
            }
        }
    };
}

#[inline(always)]
fn zip2(out: &mut [f32], a: &[f32], b: &[f32], g: impl Fn(f32, f32) -> f32) {
    for ((o, &x), &y) in out.iter_mut().zip(a).zip(b) {
        *o = g(x, y);
    }
}

#[inline(always)]
fn zip1(out: &mut [f32], a: &[f32], g: impl Fn(f32) -> f32) {
    for (o, &x) in out.iter_mut().zip(a) {
        *o = g(x);
    }
}

fn run(op: &mut Op, regs: &mut [Block], params: &mut [Param], len: usize) {
    match op {
        Op::Param { slot, dst } => {
            let (_, out) = split(regs, *dst, len);
            match params.get_mut(*slot) {
                Some(p) => p.value.fill(out),
                None => out.fill(0.0),
            }
        }
        Op::Bin { f, a, b, dst } => {
            let (lo, out) = split(regs, *dst, len);
            let (a, b) = (&lo[*a as usize][..len], &lo[*b as usize][..len]);
            bin_loop!(*f, g => zip2(out, a, b, g));
        }
        Op::BinC { f, a, c, dst } => {
            let (lo, out) = split(regs, *dst, len);
            let (a, c) = (&lo[*a as usize][..len], *c);
            bin_loop!(*f, g => zip1(out, a, |x| g(x, c)));
        }
        Op::CBin { f, c, b, dst } => {
            let (lo, out) = split(regs, *dst, len);
            let (b, c) = (&lo[*b as usize][..len], *c);
            bin_loop!(*f, g => zip1(out, b, |y| g(c, y)));
        }
        Op::Map { f, a, dst } => {
            let (lo, out) = split(regs, *dst, len);
            let a = &lo[*a as usize][..len];
            match f {
                MapFn::Neg => zip1(out, a, |x| -x),
                MapFn::Tanh => zip1(out, a, f32::tanh),
                MapFn::Clip => zip1(out, a, |x| x.clamp(-1.0, 1.0)),
                MapFn::Abs => zip1(out, a, f32::abs),
            }
        }
        Op::Mix { a, b, t, dst } => {
            let (lo, out) = split(regs, *dst, len);
            let (a, b, t) = (&lo[*a as usize], &lo[*b as usize], &lo[*t as usize]);
            for (((o, &a), &b), &t) in out.iter_mut().zip(a).zip(b).zip(t) {
                *o = a + (b - a) * t;
            }
        }
        Op::Osc { osc, freq, dst } => {
            let (lo, out) = split(regs, *dst, len);
            osc.run(freq.map(|r| &lo[r as usize][..len]), out);
        }
        Op::Noise { noise, dst } => {
            let (_, out) = split(regs, *dst, len);
            noise.run(out);
        }
        Op::Filter {
            filter,
            x,
            cutoff,
            q,
            dst,
        } => {
            let (lo, out) = split(regs, *dst, len);
            let at = |r: Option<Reg>| r.map(|r| &lo[r as usize][..len]);
            filter.run(&lo[*x as usize][..len], at(*cutoff), at(*q), out);
        }
        Op::Delay {
            delay,
            x,
            time,
            dst,
        } => {
            let (lo, out) = split(regs, *dst, len);
            let t = time.map(|r| &lo[r as usize][..len]);
            delay.run(&lo[*x as usize][..len], t, out);
        }
    }
}
