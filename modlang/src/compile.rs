//! Checking and compiling: statements to a [`Plan`]. Names are resolved
//! (with "did you mean" for typos), arities and param ranges checked,
//! constant subexpressions folded, and every unit call becomes a step that
//! owns its own state.

use crate::error::{closest, Error, Location};
use crate::parser::{BinOp, Expr, ExprKind, Name, Stmt};
use crate::program::{BinFn, MapFn, Plan, Reg, Src, Step};
use crate::units;
use crate::ParamDef;
use std::collections::HashMap;

mod call;

/// The most steps a module may compile to.
pub const MAX_STEPS: usize = 4096;
/// The most delay lines a module may have (each holds 2 s of samples).
pub const MAX_DELAYS: usize = 32;

/// A module's checked interface and its compiled plan.
pub(crate) struct Compiled {
    pub inputs: Vec<String>,
    pub outputs: Vec<String>,
    pub params: Vec<ParamDef>,
    pub plan: Plan,
}

struct Symbol {
    line: u32,
    /// Index of the defining statement.
    stmt: usize,
    /// The value, once its statement has been compiled.
    value: Option<Src>,
}

struct Compiler<'a> {
    file: &'a str,
    symbols: HashMap<String, Symbol>,
    plan: Plan,
    consts: HashMap<u32, Reg>,
    /// The statement being compiled.
    current: usize,
    seeds: u32,
    delays: usize,
}

/// Check and compile a parsed file. `end` is where the file ends (for the
/// "no output" error).
pub(crate) fn compile(stmts: &[Stmt], file: &str, end: (u32, u32)) -> Result<Compiled, Error> {
    let mut c = Compiler {
        file,
        symbols: HashMap::new(),
        plan: Plan::default(),
        consts: HashMap::new(),
        current: 0,
        seeds: 0,
        delays: 0,
    };
    let mut out = Compiled {
        inputs: Vec::new(),
        outputs: Vec::new(),
        params: Vec::new(),
        plan: Plan::default(),
    };
    // Every name first, so a later definition reads "used before defined".
    for (i, stmt) in stmts.iter().enumerate() {
        let name = match stmt {
            Stmt::Input(n) | Stmt::Let(n, _) | Stmt::Output(n, _) => n,
            Stmt::Param { name, .. } => name,
        };
        c.declare(name, i)?;
        if let Stmt::Input(n) = stmt {
            let r = c.plan.inputs as Reg;
            c.plan.inputs += 1;
            c.plan.regs += 1;
            out.inputs.push(n.text.clone());
            c.bind(&n.text, Src::Reg(r));
        }
    }
    for (i, stmt) in stmts.iter().enumerate() {
        c.current = i;
        match stmt {
            Stmt::Input(_) => {}
            Stmt::Param {
                name,
                default,
                default_at,
                min,
                max,
                range_at,
                doc,
            } => {
                let (default, min, max) = (*default as f32, *min as f32, *max as f32);
                if min >= max {
                    return Err(Error::EmptyRange {
                        at: c.at(range_at.0, range_at.1),
                        min,
                        max,
                    });
                }
                if !(min..=max).contains(&default) {
                    return Err(Error::DefaultOutOfRange {
                        at: c.at(default_at.0, default_at.1),
                        default,
                        min,
                        max,
                    });
                }
                let slot = out.params.len();
                out.params.push(ParamDef {
                    name: name.text.clone(),
                    default,
                    min,
                    max,
                    doc: doc.clone(),
                });
                let dst = c.reg();
                c.push(Step::Param { slot, dst }, name.line, name.column)?;
                c.bind(&name.text, Src::Reg(dst));
            }
            Stmt::Let(name, e) | Stmt::Output(name, e) => {
                let v = c.expr(e)?;
                c.bind(&name.text, v);
                if matches!(stmt, Stmt::Output(..)) {
                    out.outputs.push(name.text.clone());
                    c.plan.outputs.push(v);
                }
            }
        }
    }
    if out.outputs.is_empty() {
        return Err(Error::NoOutput {
            at: c.at(end.0, end.1),
        });
    }
    c.plan.remove_dead_steps();
    out.plan = c.plan;
    Ok(out)
}

fn count(n: usize, what: &str) -> String {
    match n {
        0 => format!("no {what}s"),
        1 => format!("1 {what}"),
        _ => format!("{n} {what}s"),
    }
}

impl Compiler<'_> {
    fn at(&self, line: u32, column: u32) -> Location {
        Location {
            file: self.file.to_string(),
            line,
            column,
        }
    }

    fn declare(&mut self, name: &Name, stmt: usize) -> Result<(), Error> {
        if units::lookup(&name.text).is_some() {
            return Err(Error::Reserved {
                at: self.at(name.line, name.column),
                name: name.text.clone(),
                what: "unit",
            });
        }
        if let Some(first) = self.symbols.get(&name.text) {
            return Err(Error::Duplicate {
                at: self.at(name.line, name.column),
                name: name.text.clone(),
                first_line: first.line,
            });
        }
        let sym = Symbol {
            line: name.line,
            stmt,
            value: None,
        };
        self.symbols.insert(name.text.clone(), sym);
        Ok(())
    }

    fn bind(&mut self, name: &str, v: Src) {
        if let Some(s) = self.symbols.get_mut(name) {
            s.value = Some(v);
        }
    }

    fn reg(&mut self) -> Reg {
        self.plan.regs += 1;
        (self.plan.regs - 1) as Reg
    }

    fn push(&mut self, step: Step, line: u32, column: u32) -> Result<(), Error> {
        if self.plan.steps.len() >= MAX_STEPS {
            return Err(Error::TooLarge {
                at: self.at(line, column),
                what: format!("more than {MAX_STEPS} operations"),
            });
        }
        self.plan.steps.push(step);
        Ok(())
    }

    /// A register holding `src` (constants get a shared register).
    fn in_reg(&mut self, src: Src) -> Reg {
        match src {
            Src::Reg(r) => r,
            Src::Const(c) => {
                if let Some(&r) = self.consts.get(&c.to_bits()) {
                    return r;
                }
                let r = self.reg();
                self.plan.consts.push((r, c));
                self.consts.insert(c.to_bits(), r);
                r
            }
        }
    }

    fn constant(&self, v: f32, e: &Expr) -> Result<Src, Error> {
        if v.is_finite() {
            Ok(Src::Const(v))
        } else {
            Err(Error::BadNumber {
                at: self.at(e.line, e.column),
                what: "this constant expression is too large for a sample value".into(),
            })
        }
    }

    fn expr(&mut self, e: &Expr) -> Result<Src, Error> {
        match &e.kind {
            ExprKind::Num(n) => Ok(Src::Const(*n as f32)),
            ExprKind::Name(name) => self.name(name, e),
            ExprKind::Neg(inner) => match self.expr(inner)? {
                Src::Const(c) => Ok(Src::Const(-c)),
                Src::Reg(a) => self.map(MapFn::Neg, a, e),
            },
            ExprKind::Bin(op, l, r) => {
                let (a, b) = (self.expr(l)?, self.expr(r)?);
                let f = match op {
                    BinOp::Add => BinFn::Add,
                    BinOp::Sub => BinFn::Sub,
                    BinOp::Mul => BinFn::Mul,
                    BinOp::Div => BinFn::Div,
                };
                if f == BinFn::Div && b == Src::Const(0.0) {
                    return Err(Error::DivisionByZero {
                        at: self.at(e.line, e.column),
                    });
                }
                self.bin(f, a, b, e)
            }
            ExprKind::Call { name, args, piped } => self.call(name, args, *piped, e),
        }
    }

    fn name(&mut self, name: &str, e: &Expr) -> Result<Src, Error> {
        let at = self.at(e.line, e.column);
        if let Some(u) = units::lookup(name) {
            return Err(Error::UnitAsSignal {
                at,
                name: name.into(),
                signature: u.signature,
            });
        }
        match self.symbols.get(name) {
            Some(Symbol { value: Some(v), .. }) => Ok(*v),
            Some(s) if s.stmt == self.current => Err(Error::SelfReference {
                at,
                name: name.into(),
            }),
            Some(s) => Err(Error::UseBeforeDefinition {
                at,
                name: name.into(),
                defined_line: s.line,
            }),
            None => {
                let known = self
                    .symbols
                    .iter()
                    .filter(|(_, s)| s.value.is_some())
                    .map(|(n, _)| n.as_str());
                Err(Error::UnknownName {
                    at,
                    name: name.into(),
                    suggestion: closest(name, known),
                })
            }
        }
    }

    fn map(&mut self, f: MapFn, a: Reg, e: &Expr) -> Result<Src, Error> {
        let dst = self.reg();
        self.push(Step::Map { f, a, dst }, e.line, e.column)?;
        Ok(Src::Reg(dst))
    }

    fn bin(&mut self, f: BinFn, a: Src, b: Src, e: &Expr) -> Result<Src, Error> {
        let step = match (a, b) {
            (Src::Const(x), Src::Const(y)) => return self.constant(f.apply(x, y), e),
            // Identities: x + 0, x - 0, x * 1, x / 1.
            (x, Src::Const(0.0)) if matches!(f, BinFn::Add | BinFn::Sub) => return Ok(x),
            (Src::Const(0.0), x) if f == BinFn::Add => return Ok(x),
            (x, Src::Const(1.0)) if matches!(f, BinFn::Mul | BinFn::Div) => return Ok(x),
            (Src::Const(1.0), x) if f == BinFn::Mul => return Ok(x),
            (Src::Reg(a), Src::Const(c)) => Step::BinC { f, a, c, dst: 0 },
            (Src::Const(c), Src::Reg(a)) if f.commutes() => Step::BinC { f, a, c, dst: 0 },
            (Src::Const(c), Src::Reg(b)) => Step::CBin { f, c, b, dst: 0 },
            (Src::Reg(a), Src::Reg(b)) => Step::Bin { f, a, b, dst: 0 },
        };
        let dst = self.reg();
        let step = match step {
            Step::BinC { f, a, c, .. } => Step::BinC { f, a, c, dst },
            Step::CBin { f, c, b, .. } => Step::CBin { f, c, b, dst },
            Step::Bin { f, a, b, .. } => Step::Bin { f, a, b, dst },
            other => other,
        };
        self.push(step, e.line, e.column)?;
        Ok(Src::Reg(dst))
    }
}
