//! The built-in units: their signatures, docs and what each one compiles to.

use crate::program::MapFn;
use chronus_dsp::filter::SvfMode;
use chronus_dsp::osc::Shape;

/// Every built-in unit as `(signature, one-line doc)`, for help screens.
/// The first argument of a unit that takes a signal is what `>>` fills:
/// `x >> lowpass(800, 0.3)` is `lowpass(x, 800, 0.3)`.
pub const UNITS: &[(&str, &str)] = &[
    (
        "sine(freq)",
        "band-limited sine oscillator; freq in Hz, may change every sample (FM)",
    ),
    ("saw(freq)", "band-limited sawtooth rising from -1 to 1"),
    ("square(freq)", "band-limited square wave"),
    ("triangle(freq)", "band-limited triangle wave"),
    ("noise()", "white noise in -1..1"),
    ("pink()", "pink noise (-3 dB per octave), about -1..1"),
    (
        "lowpass(x, cutoff, q)",
        "12 dB/octave state-variable low-pass; cutoff in Hz, q (resonance) 0..1",
    ),
    (
        "highpass(x, cutoff, q)",
        "12 dB/octave state-variable high-pass; cutoff in Hz, q 0..1",
    ),
    (
        "bandpass(x, cutoff, q)",
        "state-variable band-pass (gain 1 at cutoff); q 0..1",
    ),
    (
        "delay(x, seconds)",
        "delay line, 0 to 2 seconds, interpolated (the time may change)",
    ),
    ("tanh(x)", "soft saturation"),
    ("clip(x)", "hard clip to -1..1"),
    ("abs(x)", "absolute value"),
    ("min(a, b)", "the smaller of two signals"),
    ("max(a, b)", "the larger of two signals"),
    (
        "mix(a, b, t)",
        "crossfade: a when t is 0, b when t is 1 (a + (b - a) * t)",
    ),
];

/// The longest delay, in seconds.
pub const MAX_DELAY: f32 = 2.0;

/// What a unit compiles to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Kind {
    Osc(Shape),
    Noise,
    Pink,
    Filter(SvfMode),
    Delay,
    Tanh,
    Clip,
    Abs,
    Min,
    Max,
    Mix,
}

impl Kind {
    /// The value of a unit without state on constant arguments (`None`
    /// for units with state, which never fold).
    pub(crate) fn fold(self, k: &[f32]) -> Option<f32> {
        let arg = |i: usize| k.get(i).copied().unwrap_or(0.0);
        Some(match self {
            Kind::Tanh => MapFn::Tanh.apply(arg(0)),
            Kind::Clip => MapFn::Clip.apply(arg(0)),
            Kind::Abs => MapFn::Abs.apply(arg(0)),
            Kind::Min => arg(0).min(arg(1)),
            Kind::Max => arg(0).max(arg(1)),
            Kind::Mix => arg(0) + (arg(1) - arg(0)) * arg(2),
            _ => return None,
        })
    }
}

/// A unit's name (the signature up to its parenthesis).
pub(crate) fn name_of(signature: &str) -> &str {
    signature.split('(').next().unwrap_or(signature)
}

/// How many arguments a signature takes.
fn arity_of(signature: &str) -> usize {
    let inner = signature
        .split_once('(')
        .map(|(_, rest)| rest.trim_end_matches(')'))
        .unwrap_or("");
    if inner.trim().is_empty() {
        0
    } else {
        inner.split(',').count()
    }
}

/// A unit found by name.
pub(crate) struct Unit {
    pub kind: Kind,
    pub arity: usize,
    pub signature: &'static str,
}

/// The unit called `name`, if there is one.
pub(crate) fn lookup(name: &str) -> Option<Unit> {
    let &(signature, _) = UNITS.iter().find(|(s, _)| name_of(s) == name)?;
    let kind = match name {
        "sine" => Kind::Osc(Shape::Sine),
        "saw" => Kind::Osc(Shape::Saw),
        "square" => Kind::Osc(Shape::Square),
        "triangle" => Kind::Osc(Shape::Triangle),
        "noise" => Kind::Noise,
        "pink" => Kind::Pink,
        "lowpass" => Kind::Filter(SvfMode::Lowpass),
        "highpass" => Kind::Filter(SvfMode::Highpass),
        "bandpass" => Kind::Filter(SvfMode::Bandpass),
        "delay" => Kind::Delay,
        "tanh" => Kind::Tanh,
        "clip" => Kind::Clip,
        "abs" => Kind::Abs,
        "min" => Kind::Min,
        "max" => Kind::Max,
        _ => Kind::Mix,
    };
    Some(Unit {
        kind,
        arity: arity_of(signature),
        signature,
    })
}

/// Every unit name.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    UNITS.iter().map(|(s, _)| name_of(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_unit_resolves_with_its_arity() {
        for (sig, doc) in UNITS {
            let u = lookup(name_of(sig)).unwrap_or_else(|| panic!("{sig}"));
            assert_eq!(u.signature, *sig);
            assert!(!doc.is_empty());
            assert_eq!(
                u.arity,
                sig.matches(',').count() + usize::from(!sig.contains("()"))
            );
        }
        assert_eq!(lookup("mix").map(|u| u.kind), Some(Kind::Mix));
        assert!(lookup("sawx").is_none());
    }
}
