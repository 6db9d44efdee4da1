//! Chronus module language: synth modules written mid-session.
//!
//! A module file (`modules/drone.cm`) declares inputs, params and outputs
//! and defines signals with expressions over built-in units:
//!
//! ```text
//! # drone: two detuned saws through a resonant lowpass.
//! input in
//! param freq   = 110  in 20..2000  "pitch, Hz"
//! param cutoff = 800  in 20..20000 "lowpass cutoff, Hz"
//! param q      = 0.3  in 0..1      "resonance"
//! let osc = saw(freq) + saw(freq * 1.003)
//! output out = (osc * 0.3 + in) >> lowpass(cutoff, q)
//! ```
//!
//! [`parse`] reads, checks and compiles a file into a [`Definition`]
//! (every mistake is an [`Error`] naming `FILE:LINE:COLUMN`);
//! [`Definition::build`] allocates a runnable [`Module`] on a control
//! thread; [`Module::render`] runs it on the audio thread, a block of at
//! most [`chronus_dsp::MAX_BLOCK`] frames at a time, without allocating.
//!
//! The compiled form is a flat list of operations over block registers
//! (one `[f32; 64]` each), run op by op, each op a tight loop over the
//! block: the interpretation costs once per block, not once per sample.
//! Constant subexpressions are folded when compiling.
//!
//! Rendering does not depend on how the frames are split into blocks, with
//! one exception: a saw, square or triangle whose frequency moves picks its
//! wavetable band per block, from the block's highest frequency (so
//! audio-rate FM never aliases), and a different split can pick a different
//! band for some frames (a difference only in harmonics near Nyquist).
#![deny(missing_docs)]

mod compile;
mod error;
mod lexer;
mod parser;
mod program;
mod runtime;
mod stateful;
mod template;
mod units;

pub use compile::{MAX_DELAYS, MAX_STEPS};
pub use error::{Error, Location};
pub use lexer::{MAX_SOURCE, MAX_TOKENS};
pub use parser::MAX_DEPTH;
pub use runtime::{Module, MAX_RATE};
pub use template::template;
pub use units::{MAX_DELAY, UNITS};

/// A param as declared: `param NAME = DEFAULT in MIN..MAX "doc"`.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDef {
    /// Its name.
    pub name: String,
    /// Its value until set.
    pub default: f32,
    /// The lowest value it takes (values set are clamped).
    pub min: f32,
    /// The highest value it takes.
    pub max: f32,
    /// Its description (empty when the file gives none).
    pub doc: String,
}

/// A parsed, checked and compiled module file: its interface, and what
/// [`Definition::build`] turns into a [`Module`].
#[derive(Clone, Debug)]
pub struct Definition {
    name: String,
    doc: String,
    inputs: Vec<String>,
    outputs: Vec<String>,
    params: Vec<ParamDef>,
    plan: program::Plan,
}

/// Parse, check and compile `source`, a module file called `name`; `file`
/// is how errors name it (usually its path). Never panics.
pub fn parse(source: &str, file: &str, name: &str) -> Result<Definition, Error> {
    let tokens = lexer::lex(source, file)?;
    let stmts = parser::parse_tokens(&tokens, file)?;
    let end = tokens.last().map_or((1, 1), |t| (t.line, t.column));
    let compiled = compile::compile(&stmts, file, end)?;
    Ok(Definition {
        name: name.to_string(),
        doc: lexer::description(source),
        inputs: compiled.inputs,
        outputs: compiled.outputs,
        params: compiled.params,
        plan: compiled.plan,
    })
}

impl Definition {
    /// The module's name (as given to [`parse`]).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The module's description: the file's first block of comment lines.
    pub fn doc(&self) -> &str {
        &self.doc
    }

    /// Input names, in file order (the index is [`Module::input_mut`]'s).
    pub fn inputs(&self) -> &[String] {
        &self.inputs
    }

    /// Output names, in file order (the index is [`Module::output`]'s).
    pub fn outputs(&self) -> &[String] {
        &self.outputs
    }

    /// Params, in file order (the index is [`Module::set_param`]'s).
    pub fn params(&self) -> &[ParamDef] {
        &self.params
    }

    /// The index of the param called `name`.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        self.params.iter().position(|p| p.name == name)
    }

    /// How many operations a block runs (after folding constants and
    /// dropping what no output uses).
    pub fn op_count(&self) -> usize {
        self.plan.steps.len()
    }

    /// Build a runnable module for `rate` Hz (a rate below 1 kHz, or not
    /// finite, is taken as 48 kHz; above [`MAX_RATE`], as [`MAX_RATE`]). Allocates everything it will use (the
    /// wavetables are shared between modules of one rate): call on a
    /// control thread.
    pub fn build(&self, rate: f32) -> Module {
        Module::new(&self.plan, &self.params, rate)
    }
}
