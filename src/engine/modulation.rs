//! Modulation on the audio thread: the modules (LFOs) run on the 64-frame
//! control grid, and each cable sets its parameter to the parameter's own
//! value (its base) plus `amount` times the module's output, glided over the
//! next 64 frames, so the parameter moves in straight segments, never
//! steps.
//!
//! The whole set (a [`Rack`]) is built off the audio thread and swapped in
//! whole ([`Command::Modulation`](super::Command)); the swap carries every
//! LFO's phase and every cable's base over to the new rack (by module name
//! and by target), so an edit never restarts what plays on, and the old
//! rack goes back to be freed. A parameter event for a patched target moves
//! the cable's base (with the event's glide) instead of the parameter.

use chronus_dsp::smooth::Smoothed;
use chronus_sequencer::song::modulation::{CableTarget, LfoShape, ModuleSpec};
use chronus_sequencer::{EffectId, Event, EventKind, ParamTarget, Song, TrackId};

/// Frames between control points.
pub const CONTROL: u32 = chronus_dsp::MAX_BLOCK as u32;

/// One LFO.
struct Lfo {
    /// Its name's hash, to find it again in a new rack.
    key: u64,
    shape: LfoShape,
    /// Cycles per frame.
    inc: f64,
    /// Where in its cycle (0..1).
    phase: f64,
    /// The held value of `random`, and its generator.
    held: f32,
    noise: u32,
    /// Its output now, -1..1.
    out: f32,
}

impl Lfo {
    fn value(&self) -> f32 {
        let p = self.phase;
        match self.shape {
            LfoShape::Sine => (std::f64::consts::TAU * p).sin() as f32,
            // 0 rising at the start of a cycle, as the sine.
            LfoShape::Triangle => (1.0 - 4.0 * ((p + 0.25).fract() - 0.5).abs()) as f32,
            LfoShape::Saw => (2.0 * p - 1.0) as f32,
            LfoShape::Square => {
                if p < 0.5 {
                    1.0
                } else {
                    -1.0
                }
            }
            LfoShape::Random => self.held,
        }
    }

    /// Move `frames` on.
    fn advance(&mut self, frames: u32) {
        let next = self.phase + self.inc * f64::from(frames);
        if next >= 1.0 && self.shape == LfoShape::Random {
            self.noise ^= self.noise << 13;
            self.noise ^= self.noise >> 17;
            self.noise ^= self.noise << 5;
            self.held = (self.noise >> 8) as f32 * (2.0 / 16_777_216.0) - 1.0;
        }
        self.phase = next.fract();
        self.out = self.value();
    }
}

/// One cable.
struct Cable {
    /// Index of its module in the rack.
    module: usize,
    track: TrackId,
    target: ParamTarget,
    amount: f32,
    /// The parameter's own value, glided when it is set.
    base: Smoothed,
}

/// A cable to build: where it goes, and the parameter's value now.
#[derive(Clone, Debug, PartialEq)]
pub struct CableSpec {
    /// The module's name.
    pub module: String,
    /// The track.
    pub track: TrackId,
    /// What it moves.
    pub target: ParamTarget,
    /// What the module's full swing adds.
    pub amount: f64,
    /// The parameter's value before modulation.
    pub base: f64,
}

/// The modules and cables the engine runs.
#[derive(Default)]
pub struct Rack {
    lfos: Vec<Lfo>,
    cables: Vec<Cable>,
}

fn key_of(name: &str) -> u64 {
    // FNV-1a: names to stable keys, with no allocation later.
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The engine's target for a cable's `target` on a track whose effects have
/// ids `effects`.
pub fn param_target(target: CableTarget, effects: &[EffectId]) -> Option<ParamTarget> {
    Some(match target {
        CableTarget::Instrument(i) => ParamTarget::Instrument(i),
        CableTarget::Effect { effect, param } => ParamTarget::Effect {
            effect: *effects.get(effect)?,
            param,
        },
        CableTarget::Gain => ParamTarget::Gain,
        CableTarget::Pan => ParamTarget::Pan,
    })
}

impl Rack {
    /// A rack of `modules` and `cables` at `rate` Hz. Allocates: build it
    /// off the audio thread.
    pub fn new(modules: &[(String, ModuleSpec)], cables: &[CableSpec], rate: u32) -> Rack {
        let lfos: Vec<Lfo> = modules
            .iter()
            .map(|(name, m)| match m {
                ModuleSpec::Lfo(l) => {
                    let mut lfo = Lfo {
                        key: key_of(name),
                        shape: l.shape,
                        inc: l.rate / f64::from(rate.max(1)),
                        phase: l.phase.clamp(0.0, 1.0).fract(),
                        held: 0.0,
                        noise: (key_of(name) as u32) | 1,
                        out: 0.0,
                    };
                    lfo.advance(0);
                    lfo
                }
            })
            .collect();
        let cables = cables
            .iter()
            .filter_map(|c| {
                let module = modules.iter().position(|(n, _)| *n == c.module)?;
                Some(Cable {
                    module,
                    track: c.track,
                    target: c.target,
                    amount: c.amount as f32,
                    base: Smoothed::new(c.base as f32),
                })
            })
            .collect();
        Rack { lfos, cables }
    }

    /// True when it has no cables (nothing to do).
    pub fn is_idle(&self) -> bool {
        self.cables.is_empty()
    }

    /// Take over what `old` was doing: LFO phases (by name), cable bases
    /// (by target). Audio thread safe.
    pub fn carry_over(&mut self, old: &Rack) {
        for lfo in &mut self.lfos {
            if let Some(o) = old.lfos.iter().find(|o| o.key == lfo.key) {
                lfo.phase = o.phase;
                lfo.held = o.held;
                lfo.noise = o.noise;
                lfo.out = lfo.value();
            }
        }
        for c in &mut self.cables {
            if let Some(o) = old
                .cables
                .iter()
                .find(|o| o.track == c.track && o.target == c.target)
            {
                c.base = o.base;
            }
        }
    }

    /// A parameter event for a patched target moves its cables' base; true
    /// when it did (the event is then not applied itself). Audio thread safe.
    pub fn intercept(
        &mut self,
        track: TrackId,
        target: ParamTarget,
        value: f32,
        ramp: u32,
    ) -> bool {
        let mut hit = false;
        for c in &mut self.cables {
            if c.track == track && c.target == target {
                c.base.set(value, ramp);
                hit = true;
            }
        }
        hit
    }

    /// One control point at `frame`: advance the modules, and send each
    /// cable's parameter (its base plus the module's output times its
    /// amount, glided over the next 64 frames) through `apply`. Audio
    /// thread safe.
    pub fn tick(&mut self, frame: u64, mut apply: impl FnMut(Event)) {
        for lfo in &mut self.lfos {
            lfo.advance(CONTROL);
        }
        for c in &mut self.cables {
            let mut base = c.base.value();
            for _ in 0..CONTROL {
                if !c.base.is_smoothing() {
                    break;
                }
                base = c.base.next();
            }
            let value = base + c.amount * self.lfos[c.module].out;
            apply(Event {
                frame,
                track: c.track,
                kind: EventKind::Param {
                    target: c.target,
                    value,
                    ramp: CONTROL,
                },
            });
        }
    }
}

/// The rack of `song`'s modules and cables, its track `i` being the
/// engine's `ids(i)` (its id and its effects' ids). Allocates.
pub fn song_rack(song: &Song, rate: u32, ids: impl Fn(usize) -> (TrackId, Vec<EffectId>)) -> Rack {
    use chronus_sequencer::song::modulation::{base_value, cable_target};
    let m = &song.modulation;
    let cables: Vec<CableSpec> = m
        .cables
        .iter()
        .filter_map(|c| {
            let i = song.tracks.iter().position(|t| t.name == c.track)?;
            let spec = &song.tracks[i].spec;
            let (track, effects) = ids(i);
            let target = param_target(cable_target(spec, &c.key).ok()?, &effects)?;
            Some(CableSpec {
                module: c.from.clone(),
                track,
                target,
                amount: c.amount,
                base: base_value(spec, &c.key),
            })
        })
        .collect();
    Rack::new(&m.modules, &cables, rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chronus_sequencer::song::modulation::LfoSpec;

    fn rack(shape: LfoShape, rate: f64) -> Rack {
        let modules = vec![(
            "l".to_string(),
            ModuleSpec::Lfo(LfoSpec {
                rate,
                shape,
                phase: 0.0,
            }),
        )];
        let cable = CableSpec {
            module: "l".into(),
            track: TrackId::new(0, 1),
            target: ParamTarget::Instrument(0),
            amount: 100.0,
            base: 1000.0,
        };
        Rack::new(&modules, &[cable], 48_000)
    }

    /// The values the cable sends over `n` control points.
    fn values(r: &mut Rack, n: usize) -> Vec<f32> {
        let mut out = Vec::new();
        for i in 0..n {
            r.tick(i as u64 * 64, |e| {
                if let EventKind::Param { value, .. } = e.kind {
                    out.push(value);
                }
            });
        }
        out
    }

    #[test]
    fn each_shape_swings_the_parameter_around_its_base() {
        // 7.5 Hz: a cycle is exactly 100 control points at 48 kHz.
        for shape in [
            LfoShape::Sine,
            LfoShape::Triangle,
            LfoShape::Saw,
            LfoShape::Square,
            LfoShape::Random,
        ] {
            let v = values(&mut rack(shape, 7.5), 1000);
            let (lo, hi) = v
                .iter()
                .fold((f32::MAX, f32::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
            let mean = v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64;
            eprintln!("{shape:?}: {lo:.1}..{hi:.1}, mean {mean:.1}");
            assert!(
                lo >= 900.0 - 1e-3 && hi <= 1100.0 + 1e-3,
                "{shape:?}: {lo} {hi}"
            );
            if shape != LfoShape::Random {
                assert!(lo < 905.0 && hi > 1095.0, "{shape:?}: full swing {lo} {hi}");
                assert!((mean - 1000.0).abs() < 2.0, "{shape:?}: centred {mean}");
            } else {
                assert!(hi - lo > 50.0, "random moves: {lo} {hi}");
            }
        }
        // The sine at its quarter cycle is at its top.
        let v = values(&mut rack(LfoShape::Sine, 7.5), 25);
        assert!((v[24] - 1100.0).abs() < 0.01, "{}", v[24]);
    }

    #[test]
    fn a_set_moves_the_base_and_a_new_rack_carries_on() {
        let mut r = rack(LfoShape::Sine, 7.5);
        values(&mut r, 10);
        assert!(r.intercept(TrackId::new(0, 1), ParamTarget::Instrument(0), 2000.0, 0));
        assert!(!r.intercept(TrackId::new(0, 1), ParamTarget::Instrument(1), 5.0, 0));
        let v = values(&mut r, 100);
        let mean = v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64;
        assert!((mean - 2000.0).abs() < 2.0, "{mean}");
        // A new rack takes over the phase and the base.
        let mut next = rack(LfoShape::Sine, 7.5);
        next.carry_over(&r);
        let (a, b) = (values(&mut r, 5), values(&mut next, 5));
        assert_eq!(a, b);
    }
}
