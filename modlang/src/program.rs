//! The compiled form of a module, independent of the sample rate: a flat
//! list of steps over numbered block registers. Each step reads registers
//! numbered below the one it writes (registers are allocated in order), so
//! the runtime can split the register file between a step's inputs and its
//! output without copying.

use chronus_dsp::filter::SvfMode;
use chronus_dsp::osc::Shape;

/// A register number.
pub(crate) type Reg = u32;

/// A step's operand: a register, or a constant known when compiling.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Src {
    Reg(Reg),
    Const(f32),
}

/// A two-operand function with no state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinFn {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
}

impl BinFn {
    /// The function on one pair of values.
    #[inline(always)]
    pub(crate) fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            BinFn::Add => a + b,
            BinFn::Sub => a - b,
            BinFn::Mul => a * b,
            BinFn::Div => a / b,
            BinFn::Min => a.min(b),
            BinFn::Max => a.max(b),
        }
    }

    /// True when `a op b == b op a`.
    pub(crate) fn commutes(self) -> bool {
        !matches!(self, BinFn::Sub | BinFn::Div)
    }
}

/// A one-operand function with no state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MapFn {
    Neg,
    Tanh,
    Clip,
    Abs,
}

impl MapFn {
    /// The function on one value.
    #[inline(always)]
    pub(crate) fn apply(self, x: f32) -> f32 {
        match self {
            MapFn::Neg => -x,
            MapFn::Tanh => x.tanh(),
            MapFn::Clip => x.clamp(-1.0, 1.0),
            MapFn::Abs => x.abs(),
        }
    }
}

/// One step of a compiled module.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    /// The smoothed value of param `slot`.
    Param { slot: usize, dst: Reg },
    /// `dst = a op b`.
    Bin { f: BinFn, a: Reg, b: Reg, dst: Reg },
    /// `dst = a op c`.
    BinC { f: BinFn, a: Reg, c: f32, dst: Reg },
    /// `dst = c op b`.
    CBin { f: BinFn, c: f32, b: Reg, dst: Reg },
    /// `dst = f(a)`.
    Map { f: MapFn, a: Reg, dst: Reg },
    /// `dst = a + (b - a) * t`.
    Mix { a: Reg, b: Reg, t: Reg, dst: Reg },
    /// A band-limited oscillator.
    Osc { shape: Shape, freq: Src, dst: Reg },
    /// White (or pink) noise with its own seed.
    Noise { pink: bool, seed: u32, dst: Reg },
    /// A state-variable filter.
    Filter {
        mode: SvfMode,
        x: Reg,
        cutoff: Src,
        q: Src,
        dst: Reg,
    },
    /// A delay line.
    Delay { x: Reg, time: Src, dst: Reg },
}

impl Step {
    /// The register this step writes.
    pub(crate) fn dst(&self) -> Reg {
        match *self {
            Step::Param { dst, .. }
            | Step::Bin { dst, .. }
            | Step::BinC { dst, .. }
            | Step::CBin { dst, .. }
            | Step::Map { dst, .. }
            | Step::Mix { dst, .. }
            | Step::Osc { dst, .. }
            | Step::Noise { dst, .. }
            | Step::Filter { dst, .. }
            | Step::Delay { dst, .. } => dst,
        }
    }

    /// The registers this step reads.
    pub(crate) fn reads(&self) -> Vec<Reg> {
        let src = |s: Src| match s {
            Src::Reg(r) => Some(r),
            Src::Const(_) => None,
        };
        match *self {
            Step::Param { .. } | Step::Noise { .. } => vec![],
            Step::Bin { a, b, .. } => vec![a, b],
            Step::BinC { a, .. } | Step::Map { a, .. } => vec![a],
            Step::CBin { b, .. } => vec![b],
            Step::Mix { a, b, t, .. } => vec![a, b, t],
            Step::Osc { freq, .. } => src(freq).into_iter().collect(),
            Step::Filter { x, cutoff, q, .. } => std::iter::once(x)
                .chain(src(cutoff))
                .chain(src(q))
                .collect(),
            Step::Delay { x, time, .. } => std::iter::once(x).chain(src(time)).collect(),
        }
    }
}

/// A compiled module.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// How many registers (inputs are registers `0..inputs`).
    pub regs: usize,
    /// How many inputs.
    pub inputs: usize,
    /// Registers holding constants, filled when built.
    pub consts: Vec<(Reg, f32)>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// What each output is.
    pub outputs: Vec<Src>,
}

impl Plan {
    /// Drop the steps no output depends on.
    pub(crate) fn remove_dead_steps(&mut self) {
        let mut live = vec![false; self.regs];
        for o in &self.outputs {
            if let Src::Reg(r) = *o {
                live[r as usize] = true;
            }
        }
        let mut kept = Vec::with_capacity(self.steps.len());
        for step in self.steps.drain(..).rev() {
            if live[step.dst() as usize] {
                for r in step.reads() {
                    live[r as usize] = true;
                }
                kept.push(step);
            }
        }
        kept.reverse();
        self.steps = kept;
        self.consts.retain(|&(r, _)| live[r as usize]);
    }
}
