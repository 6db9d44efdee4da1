//! The template a new module file starts from.

use crate::units::UNITS;

/// A commented module file called `name` that parses, builds and already
/// makes sound (a filtered, detuned saw drone), explaining the syntax and
/// listing every unit.
pub fn template(name: &str) -> String {
    // A name with a line break would end its comment line early.
    let name: String = name
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut units = String::new();
    for (sig, doc) in UNITS {
        units.push_str(&format!("#   {sig:<24} {doc}\n"));
    }
    format!(
        "# {name}: two detuned saws through a resonant low-pass.
# (The first block of comment lines is the module's description.)

# Syntax, one statement per line (an expression may go on over lines):
#   input NAME                              an audio input (silence if unpatched)
#   param NAME = DEFAULT in MIN..MAX \"doc\"  a smoothed control, set live
#   let NAME = EXPR                         a named signal
#   output NAME = EXPR                      an output (at least one)
# Expressions are signals, one value per sample: numbers, names, + - * /,
# parentheses, unit calls like saw(110), and 'x >> lowpass(800, 0.3)',
# which means lowpass(x, 800, 0.3): '>>' pipes the signal on its left
# into the first input of the unit on its right (lowest precedence, so
# to scale a piped result, parenthesise it: 0.5 * (x >> tanh)).
# Each unit call has its own state; a 'let' name is one shared signal.
#
# Units:
{units}
input in
param freq   = 110 in 20..2000   \"pitch, Hz\"
param cutoff = 900 in 20..20000  \"low-pass cutoff, Hz\"
param q      = 0.3 in 0..1       \"resonance\"
param level  = 0.3 in 0..1       \"output level\"

let osc = saw(freq) + saw(freq * 1.003)
let wobble = cutoff * (1 + 0.25 * sine(0.2))
output out = level * ((osc * 0.5 + in) >> lowpass(wobble, q) >> tanh)
"
    )
}
