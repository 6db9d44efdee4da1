//! Compiling a unit call: arity, folding, and the step that owns the
//! unit's state.

use super::{count, Compiler, MAX_DELAYS};
use crate::error::{closest, Error};
use crate::parser::Expr;
use crate::program::{BinFn, MapFn, Src, Step};
use crate::units::{self, Kind};

impl Compiler<'_> {
    pub(super) fn call(
        &mut self,
        name: &str,
        args: &[Expr],
        piped: bool,
        e: &Expr,
    ) -> Result<Src, Error> {
        let at = self.at(e.line, e.column);
        let Some(unit) = units::lookup(name) else {
            if self.symbols.contains_key(name) {
                return Err(Error::NotAUnit {
                    at,
                    name: name.into(),
                });
            }
            return Err(Error::UnknownUnit {
                at,
                name: name.into(),
                suggestion: closest(name, units::names()),
            });
        };
        if args.len() != unit.arity {
            let found = if piped {
                format!(
                    "it got {} (the signal piped in by '>>' counts as the first)",
                    args.len()
                )
            } else {
                format!("it got {}", args.len())
            };
            return Err(Error::Arity {
                at,
                unit: name.into(),
                expected: count(unit.arity, "argument"),
                signature: unit.signature,
                found,
            });
        }
        let mut v = Vec::with_capacity(args.len());
        for a in args {
            v.push(self.expr(a)?);
        }
        let consts: Option<Vec<f32>> = v
            .iter()
            .map(|s| match s {
                Src::Const(c) => Some(*c),
                Src::Reg(_) => None,
            })
            .collect();
        if let Some(value) = consts.and_then(|k| unit.kind.fold(&k)) {
            return self.constant(value, e);
        }
        let step = match unit.kind {
            Kind::Tanh | Kind::Clip | Kind::Abs => {
                let f = match unit.kind {
                    Kind::Tanh => MapFn::Tanh,
                    Kind::Clip => MapFn::Clip,
                    _ => MapFn::Abs,
                };
                let a = self.in_reg(v[0]);
                return self.map(f, a, e);
            }
            Kind::Min => return self.bin(BinFn::Min, v[0], v[1], e),
            Kind::Max => return self.bin(BinFn::Max, v[0], v[1], e),
            Kind::Mix => {
                let (a, b, t) = (self.in_reg(v[0]), self.in_reg(v[1]), self.in_reg(v[2]));
                Step::Mix {
                    a,
                    b,
                    t,
                    dst: self.reg(),
                }
            }
            Kind::Osc(shape) => Step::Osc {
                shape,
                freq: v[0],
                dst: self.reg(),
            },
            Kind::Noise | Kind::Pink => {
                self.seeds += 1;
                Step::Noise {
                    pink: unit.kind == Kind::Pink,
                    seed: self.seeds.wrapping_mul(0x9E37_79B9),
                    dst: self.reg(),
                }
            }
            Kind::Filter(mode) => Step::Filter {
                mode,
                x: self.in_reg(v[0]),
                cutoff: v[1],
                q: v[2],
                dst: self.reg(),
            },
            Kind::Delay if self.delays >= MAX_DELAYS => {
                return Err(Error::TooLarge {
                    at,
                    what: format!("more than {MAX_DELAYS} delay lines"),
                })
            }
            Kind::Delay => Step::Delay {
                x: self.in_reg(v[0]),
                time: v[1],
                dst: self.reg(),
            },
        };
        self.delays += usize::from(matches!(step, Step::Delay { .. }));
        let dst = step.dst();
        self.push(step, e.line, e.column)?;
        Ok(Src::Reg(dst))
    }
}
