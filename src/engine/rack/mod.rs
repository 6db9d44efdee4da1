//! The rack: the free modules beside the tracks, as the audio thread runs
//! them.
//!
//! Modules run in an order where each comes after what feeds it (a
//! `delay` module passes the last block on, so a loop may go through
//! one), every sample, with their parameters modulated per sample by the
//! cables into them (an oscillator's `freq` for FM). Wires into `out` pass
//! through their effects into the mix. Cables to a track's parameters are
//! sent on the engine's 64-frame control grid: the parameter's own value
//! (its base) plus `amount` times the module's output, glided over the
//! next 64 frames.
//!
//! A whole rack is built off the audio thread and swapped in
//! ([`Command::Modulation`](super::Command)). The new rack takes over the
//! old one's state by module name (phases, filter memory, parameters,
//! which then glide to their new values) and its running effects on the
//! wires to `out` that did not change, and crossfades from the old one's
//! sound over 10 ms; the old rack goes back to be freed.

pub mod arp;
mod node;
#[cfg(test)]
mod tests;

use chronus_dsp::{build_effect, Effect, MAX_BLOCK};
use chronus_sequencer::song::modulation::{
    base_value, cable_target, chain_effect_param, module_param, CableTarget, ModuleKind,
    ModuleSpec, Wire, OUT,
};
use chronus_sequencer::{EffectId, Event, EventKind, ParamTarget, Song, TrackId};
use node::Node;

/// Frames between control points.
pub const CONTROL: u32 = chronus_dsp::MAX_BLOCK as u32;

/// Where a cable goes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CableTo {
    /// A track's parameter, set on the control grid.
    Track {
        /// The track.
        track: TrackId,
        /// What it moves.
        target: ParamTarget,
    },
    /// A parameter of an effect on a module's chain to out (by the
    /// module's index), set on the control grid.
    Effect {
        /// The module whose chain it is.
        module: usize,
        /// The effect's place in the chain.
        effect: usize,
        /// The parameter's index.
        param: u16,
    },
    /// A module's parameter (by its index in the rack's modules), summed
    /// per sample.
    Module {
        /// The module's index.
        module: usize,
        /// The parameter's index.
        param: u16,
    },
}

/// A cable to build.
#[derive(Clone, Debug, PartialEq)]
pub struct CableSpec {
    /// The module's name.
    pub module: String,
    /// Where it goes.
    pub to: CableTo,
    /// What the module's full swing adds.
    pub amount: f64,
    /// The track parameter's value before modulation (unused for a
    /// module's: its own value is its base).
    pub base: f64,
}

/// Everything a rack is built from; two equal plans build the same rack.
#[derive(Clone, Debug, Default)]
pub struct RackPlan {
    /// The modules, in the session's order.
    pub modules: Vec<(String, ModuleSpec)>,
    /// For each module, the track whose notes trigger it (an `env`).
    pub triggers: Vec<Option<TrackId>>,
    /// The cables.
    pub cables: Vec<CableSpec>,
    /// The wires (between modules, and to `out`).
    pub wires: Vec<Wire>,
    /// For each module, its definition when it is a user module.
    pub users: Vec<Option<std::sync::Arc<chronus_modlang::Definition>>>,
    /// For each module, which load of its definition (two plans with the
    /// same versions hold the same definitions).
    pub versions: Vec<u64>,
    /// Sends: a track, the return's effect type, how much.
    pub sends: Vec<(TrackId, String, f64)>,
}

impl PartialEq for RackPlan {
    fn eq(&self, other: &Self) -> bool {
        self.modules == other.modules
            && self.triggers == other.triggers
            && self.cables == other.cables
            && self.wires == other.wires
            && self.versions == other.versions
            && self.sends == other.sends
    }
}

impl RackPlan {
    /// Nothing in it.
    pub fn is_empty(&self) -> bool {
        self.modules.is_empty()
    }
}

/// One cable to a parameter of an effect on a chain to out.
struct EffectCable {
    module: usize,
    line: usize,
    effect: usize,
    param: usize,
    amount: f32,
    base: f32,
}

/// One cable to a track's parameter.
struct TrackCable {
    module: usize,
    track: TrackId,
    target: ParamTarget,
    amount: f32,
    /// The parameter's own value, glided when it is set.
    base: chronus_dsp::smooth::Smoothed,
    /// The value the session gave it when this rack was built.
    planned: f32,
}

/// A wire to `out`: a module's sound through effects into the mix.
struct Line {
    /// The module it comes from.
    source: usize,
    /// Its source's key and its effects' settings, to find it again.
    key: u64,
    effects: Vec<Box<dyn Effect>>,
    /// The old rack's line it takes over (during a crossfade).
    prev: Option<usize>,
    /// A newer rack's line took this one's effects (and its sound) over.
    given: bool,
    left: [f32; MAX_BLOCK],
    right: [f32; MAX_BLOCK],
}

impl Line {
    /// Its sound for `len` frames (`value(i)` for frame `i`) through its
    /// effects, added into `l`/`r`. Audio thread safe.
    fn play(&mut self, len: usize, l: &mut [f32], r: &mut [f32], value: impl Fn(usize) -> f32) {
        let (ll, rr) = (&mut self.left[..len], &mut self.right[..len]);
        for (i, (a, b)) in ll.iter_mut().zip(rr.iter_mut()).enumerate() {
            *a = value(i);
            *b = *a;
        }
        for fx in &mut self.effects {
            fx.process(ll, rr);
        }
        add(&mut l[..len], ll, 1.0);
        add(&mut r[..len], rr, 1.0);
    }
}

impl Return {
    /// Its bus (times `input`) through its effect, times `gain(i)`, added
    /// into `l`/`r`; the bus is cleared for the next sub-block. Audio
    /// thread safe.
    fn play(
        &mut self,
        len: usize,
        l: &mut [f32],
        r: &mut [f32],
        input: f32,
        gain: impl Fn(usize) -> f32,
    ) {
        let (ll, rr) = (&mut self.left[..len], &mut self.right[..len]);
        if input != 1.0 {
            ll.iter_mut().chain(rr.iter_mut()).for_each(|v| *v *= input);
        }
        self.effect.process(ll, rr);
        for (i, ((a, b), (x, y))) in l
            .iter_mut()
            .zip(r.iter_mut())
            .zip(ll.iter_mut().zip(rr.iter_mut()))
            .enumerate()
        {
            let g = gain(i);
            *a += *x * g;
            *b += *y * g;
            *x = 0.0;
            *y = 0.0;
        }
    }
}

/// `dst += k * src`, frame by frame.
fn add(dst: &mut [f32], src: &[f32], k: f32) {
    for (d, s) in dst.iter_mut().zip(src) {
        *d += k * s;
    }
}

/// A return bus: what the tracks send it, through its effect (fully
/// wet), into the mix.
struct Return {
    /// Its effect type's key, to find it again.
    key: u64,
    effect: Box<dyn Effect>,
    /// Who sends, and how much (glided).
    sends: Vec<(TrackId, chronus_dsp::smooth::Smoothed)>,
    left: [f32; MAX_BLOCK],
    right: [f32; MAX_BLOCK],
    /// A newer rack's return took this one's effect over.
    given: bool,
}

/// The modules, cables and wires the engine runs.
#[derive(Default)]
pub struct Rack {
    nodes: Vec<Node>,
    order: Vec<usize>,
    cables: Vec<TrackCable>,
    effect_cables: Vec<EffectCable>,
    lines: Vec<Line>,
    returns: Vec<Return>,
    arps: Vec<arp::Arp>,
    /// Notes left sounding by arpeggiators a swap removed: ended at the
    /// next control point.
    hanging: [Option<(TrackId, u32)>; 8],
    /// Parameters whose cables a swap removed, with the value each comes
    /// back to (set at the next control point). Room for every cable, so
    /// pushing never allocates.
    released: Vec<(TrackId, ParamTarget, f32)>,
    /// The rack this one replaced, sounding out during the crossfade.
    old: Option<Box<Rack>>,
    /// Frames of the crossfade done, and its length.
    fade_at: u32,
    fade_len: u32,
    /// Its output was not finite, or its chains or returns panicked: the
    /// rack is silent.
    pub(super) panicked: bool,
    /// Modules that panicked on the audio thread since the engine last
    /// looked, by key, with the panic's payload (to be freed off the audio
    /// thread). Room for every module, so pushing never allocates.
    panics: Vec<(u64, Box<dyn std::any::Any + Send>)>,
}

/// A name's stable key (FNV-1a), to find a module again with no
/// allocation.
pub fn key_of(name: &str) -> u64 {
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
    /// The rack of `plan` at `rate` Hz, its parameters gliding over `ramp`
    /// frames from the rack it replaces. Allocates: build it off the
    /// audio thread.
    pub fn new(plan: &RackPlan, rate: u32) -> Rack {
        let modules = &plan.modules;
        let index = |n: &str| modules.iter().position(|(m, _)| m == n);
        let mut nodes: Vec<Node> = modules
            .iter()
            .enumerate()
            .map(|(i, (name, spec))| {
                let trigger = plan.triggers.get(i).copied().flatten();
                let user = plan.users.get(i).and_then(Option::as_deref);
                let mut node = Node::new(key_of(name), spec, rate, trigger, user);
                node.version = plan.versions.get(i).copied().unwrap_or(0);
                node
            })
            .collect();
        let mut lines = Vec::new();
        for w in &plan.wires {
            let Some(from) = index(&w.from) else { continue };
            if w.to == OUT {
                let effects = w
                    .effects
                    .iter()
                    .map(|fx| build_effect(fx, rate as f32))
                    .collect();
                lines.push(Line {
                    source: from,
                    key: key_of(&format!("{}{:?}", w.from, w.effects)),
                    effects,
                    prev: None,
                    given: false,
                    left: [0.0; MAX_BLOCK],
                    right: [0.0; MAX_BLOCK],
                });
            } else if let Some(to) = index(&w.to) {
                if !nodes[to].inputs.contains(&from) {
                    nodes[to].inputs.push(from);
                }
            }
        }
        let mut cables = Vec::new();
        let mut effect_cables = Vec::new();
        for c in &plan.cables {
            let Some(module) = index(&c.module) else {
                continue;
            };
            match c.to {
                CableTo::Track { track, target } => cables.push(TrackCable {
                    module,
                    track,
                    target,
                    amount: c.amount as f32,
                    base: chronus_dsp::smooth::Smoothed::new(c.base as f32),
                    planned: c.base as f32,
                }),
                CableTo::Effect {
                    module: to,
                    effect,
                    param,
                } => {
                    let line = lines.iter().position(|l: &Line| l.source == to);
                    if let Some(line) = line.filter(|&l| effect < lines[l].effects.len()) {
                        effect_cables.push(EffectCable {
                            module,
                            line,
                            effect,
                            param: usize::from(param),
                            amount: c.amount as f32,
                            base: c.base as f32,
                        });
                    }
                }
                CableTo::Module { module: to, param } => {
                    if let Some(n) = nodes.get_mut(to) {
                        if usize::from(param) < n.params.len() {
                            n.cables.push((module, usize::from(param), c.amount as f32));
                        }
                    }
                }
            }
        }
        let mut returns: Vec<Return> = Vec::new();
        for (track, kind, amount) in &plan.sends {
            let key = key_of(kind);
            let i = match returns.iter().position(|r| r.key == key) {
                Some(i) => i,
                None => {
                    let Some(spec) = chronus_sequencer::song::modulation::return_effect(kind)
                    else {
                        continue;
                    };
                    returns.push(Return {
                        key,
                        effect: build_effect(&spec, rate as f32),
                        sends: Vec::new(),
                        left: [0.0; MAX_BLOCK],
                        right: [0.0; MAX_BLOCK],
                        given: false,
                    });
                    returns.len() - 1
                }
            };
            returns[i]
                .sends
                .push((*track, chronus_dsp::smooth::Smoothed::new(*amount as f32)));
        }
        let arps = modules
            .iter()
            .zip(&plan.triggers)
            .filter(|((_, s), _)| s.kind == ModuleKind::Arp)
            .filter_map(|((name, s), t)| {
                Some(arp::Arp::new(
                    key_of(name),
                    (*t)?,
                    s.choice,
                    &s.numbers,
                    rate,
                ))
            })
            .collect();
        // Loops were refused by the session and the song (`run_order`);
        // were one here, it would run in the modules' own order.
        let order = run_order_of(&nodes);
        let panics = Vec::with_capacity(nodes.len());
        Rack {
            nodes,
            order,
            cables,
            effect_cables,
            lines,
            returns,
            arps,
            hanging: [None; 8],
            released: Vec::with_capacity(chronus_sequencer::song::modulation::MAX_CABLES),
            old: None,
            fade_at: 0,
            fade_len: 0,
            panicked: false,
            panics,
        }
    }

    /// A note for `track` at `frame`: an arpeggiator on that track takes
    /// it (true), to play it its own way. Audio thread safe.
    pub fn arp_note(&mut self, track: TrackId, kind: EventKind, frame: u64) -> bool {
        if let EventKind::NoteOn { id, .. } | EventKind::NoteOff { id } = kind {
            if arp::is_arp_note(id) {
                return false;
            }
        }
        let mut taken = false;
        for a in self.arps.iter_mut().filter(|a| a.track == track) {
            taken |= a.note(kind, frame);
        }
        taken
    }

    /// The arpeggiators' notes for `[start, start + frames)`, through
    /// `emit` at their frames. Audio thread safe.
    pub fn tick_notes(&mut self, start: u64, frames: u32, mut emit: impl FnMut(Event)) {
        for h in &mut self.hanging {
            if let Some((track, id)) = h.take() {
                emit(Event {
                    frame: start,
                    track,
                    kind: EventKind::NoteOff { id },
                });
            }
        }
        for a in &mut self.arps {
            a.tick(start, frames, &mut emit);
        }
    }

    /// True when it has no modules and no returns (nothing to do).
    pub fn is_idle(&self) -> bool {
        self.nodes.is_empty()
            && self.returns.is_empty()
            && self.old.is_none()
            && self.hanging.iter().all(Option::is_none)
            && self.released.is_empty()
    }

    /// Whether `track` sends to a return (its output then comes here too,
    /// through [`Rack::feed`]). Audio thread safe.
    pub fn sends_from(&self, track: TrackId) -> bool {
        self.returns
            .iter()
            .any(|r| r.sends.iter().any(|(t, _)| *t == track))
    }

    /// `track`'s output for this sub-block, into the returns it sends to.
    /// Audio thread safe.
    pub fn feed(&mut self, track: TrackId, l: &[f32], r: &[f32]) {
        for ret in &mut self.returns {
            for (t, amount) in &mut ret.sends {
                if *t != track {
                    continue;
                }
                for (i, (a, b)) in l.iter().zip(r).enumerate().take(MAX_BLOCK) {
                    let g = amount.next();
                    ret.left[i] += a * g;
                    ret.right[i] += b * g;
                }
            }
        }
    }

    /// Take over from `old` (the rack this one replaces) at `frame`: its
    /// modules' state by name, its cables' bases by target, its unchanged
    /// lines' effects; `old` then sounds out under a crossfade of `fade`
    /// frames, its own parameters gliding for as long. A module new in
    /// this rack starts where the timeline puts its cycle (see
    /// `Node::start_at`). Audio thread safe.
    pub fn take_over(&mut self, mut old: Box<Rack>, fade: u32, frame: u64) -> Option<Box<Rack>> {
        // A rack still fading out from before goes back now.
        let older = old.old.take();
        for n in &mut self.nodes {
            match old
                .nodes
                .iter()
                .find(|o| o.key == n.key && o.kind == n.kind)
            {
                Some(o) => n.carry_over(o, fade),
                None => n.start_at(frame),
            }
        }
        for c in &mut self.cables {
            if let Some(o) = old
                .cables
                .iter()
                .find(|o| o.track == c.track && o.target == c.target)
            {
                c.base = o.base;
                // The session set the parameter while this rack was on its
                // way (its event reached the track before the cable did):
                // the cable glides to that value.
                // (Unless a newer set reached the old cable meanwhile.)
                if c.planned != o.planned && o.base.target() == o.planned {
                    c.base.set(c.planned, fade);
                }
            }
        }
        // A cable removed leaves its parameter at its own value, not
        // where the module last swung it.
        for o in &old.cables {
            let kept = self
                .cables
                .iter()
                .any(|c| c.track == o.track && c.target == o.target);
            if !kept && self.released.len() < self.released.capacity() {
                self.released.push((o.track, o.target, o.base.target()));
            }
        }
        // And so do those a rack still on its way had released.
        for r in old.released.drain(..) {
            let kept = self
                .cables
                .iter()
                .any(|c| c.track == r.0 && c.target == r.1);
            if !kept && self.released.len() < self.released.capacity() {
                self.released.push(r);
            }
        }
        for a in &mut self.arps {
            if let Some(o) = old
                .arps
                .iter()
                .find(|o| o.key == a.key && o.track == a.track)
            {
                a.carry_over(o);
            }
        }
        // An arpeggiator gone leaves no note hanging.
        let gone = old.arps.iter().filter(|o| {
            !self
                .arps
                .iter()
                .any(|a| a.key == o.key && a.track == o.track)
        });
        let mut slots = self.hanging.iter_mut().filter(|h| h.is_none());
        for o in gone {
            if let (Some(id), Some(slot)) = (o.sounding(), slots.next()) {
                *slot = Some((o.track, id));
            }
        }
        for ret in &mut self.returns {
            let Some(o) = old
                .returns
                .iter_mut()
                .find(|o| o.key == ret.key && !o.given)
            else {
                continue;
            };
            std::mem::swap(&mut ret.effect, &mut o.effect);
            o.given = true;
            for (t, amount) in &mut ret.sends {
                let target = amount.target();
                // A send kept glides from where it was; a new one fades in.
                *amount = o
                    .sends
                    .iter()
                    .find(|(x, _)| x == t)
                    .map_or(chronus_dsp::smooth::Smoothed::new(0.0), |(_, a)| *a);
                amount.set(target, fade);
            }
        }
        for line in &mut self.lines {
            let Some(p) = old.lines.iter().position(|o| o.key == line.key && !o.given) else {
                continue;
            };
            line.prev = Some(p);
            std::mem::swap(&mut line.effects, &mut old.lines[p].effects);
            old.lines[p].given = true;
        }
        // So does an effect's parameter on a chain kept.
        for o in &old.effect_cables {
            let Some(j) = self.lines.iter().position(|l| l.prev == Some(o.line)) else {
                continue;
            };
            let kept = self
                .effect_cables
                .iter()
                .any(|c| c.line == j && c.effect == o.effect && c.param == o.param);
            if let (false, Some(fx)) = (kept, self.lines[j].effects.get_mut(o.effect)) {
                fx.set_param(o.param, o.base, fade);
            }
        }
        self.panicked = false;
        self.fade_at = 0;
        self.fade_len = fade.max(1);
        self.old = Some(old);
        older
    }

    /// The rack it replaced, once its crossfade is over (to be freed off
    /// the audio thread).
    pub fn retired(&mut self) -> Option<Box<Rack>> {
        if self.fade_at >= self.fade_len {
            self.old.take()
        } else {
            None
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
        // A cable just removed gives its parameter back at the next
        // control point: the value set since, not the one before.
        for r in &mut self.released {
            if r.0 == track && r.1 == target {
                r.2 = value;
            }
        }
        hit
    }

    /// A note started or ended on `track`: envelopes triggered by it
    /// follow. Audio thread safe.
    pub fn note(&mut self, track: TrackId, on: bool) {
        for n in &mut self.nodes {
            n.note(track, on);
        }
        if let Some(old) = &mut self.old {
            old.note(track, on);
        }
    }

    /// One control point at `frame`: send each cable's parameter (its base
    /// plus the module's output times its amount, glided over the next 64
    /// frames) through `apply`. Audio thread safe.
    pub fn tick(&mut self, frame: u64, mut apply: impl FnMut(Event)) {
        for (track, target, value) in self.released.drain(..) {
            apply(Event {
                frame,
                track,
                kind: EventKind::Param {
                    target,
                    value,
                    ramp: CONTROL,
                },
            });
        }
        for c in &self.effect_cables {
            let value = c.base + c.amount * self.nodes[c.module].last;
            if let Some(fx) = self.lines[c.line].effects.get_mut(c.effect) {
                fx.set_param(c.param, value, CONTROL);
            }
        }
        for c in &mut self.cables {
            let base = c.base.advance(CONTROL);
            let value = base + c.amount * self.nodes[c.module].last;
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

    /// Run every module for `l.len()` frames (at most [`MAX_BLOCK`], not
    /// crossing the grid) from `frame`, and add the wires to `out` into
    /// `l`/`r`. Audio thread safe.
    pub fn render_add(&mut self, l: &mut [f32], r: &mut [f32], frame: u64) {
        let len = l.len().min(r.len()).min(MAX_BLOCK);
        if let Some(old) = &mut self.old {
            old.run(len, frame);
        }
        self.run(len, frame);
        if self.panicked {
            return;
        }
        let (at, fade) = (self.fade_at, self.fade_len);
        let gain = |i: usize| {
            if fade == 0 {
                1.0
            } else {
                ((at as usize + i) as f32 / fade as f32).min(1.0)
            }
        };
        let Rack {
            nodes,
            lines,
            returns,
            old,
            ..
        } = self;
        for line in lines.iter_mut() {
            let src = &nodes[line.source].out;
            let prev = match (old.as_deref(), line.prev) {
                (Some(o), Some(p)) => o.lines.get(p).map(|pl| &o.nodes[pl.source].out),
                _ => None,
            };
            line.play(len, l, r, |i| {
                let g = gain(i);
                src[i] * g + prev.map_or(0.0, |p| p[i] * (1.0 - g))
            });
        }
        for ret in returns.iter_mut() {
            ret.play(len, l, r, 1.0, |_| 1.0);
        }
        // The old rack's lines that nothing took over fade out through
        // their own effects.
        if let Some(o) = old.as_deref_mut().filter(|o| !o.panicked) {
            let Rack {
                nodes: on,
                lines: ol,
                ..
            } = o;
            for line in ol.iter_mut().filter(|l| !l.given) {
                let src = &on[line.source].out;
                line.play(len, l, r, |i| src[i] * (1.0 - gain(i)));
            }
            // Its returns that nothing took over ring out under the fade.
            for ret in o.returns.iter_mut().filter(|r| !r.given) {
                ret.play(len, l, r, 0.0, |i| 1.0 - gain(i));
            }
        }
        if self.old.is_some() {
            self.fade_at = self.fade_at.saturating_add(len as u32);
        }
    }

    /// Modules that panicked since the last call: each one's key and its
    /// panic's payload, to be freed off the audio thread (this rack's
    /// first, then the one fading out). Audio thread safe.
    pub fn take_panic(&mut self) -> Option<(u64, Box<dyn std::any::Any + Send>)> {
        if let Some(p) = self.panics.pop() {
            return Some(p);
        }
        let (key, payload) = self.old.as_deref_mut()?.panics.pop()?;
        // It panicked in the rack fading out: its successor here (which
        // took its state) falls silent too, so it is not reported twice.
        for n in self.nodes.iter_mut().filter(|n| n.key == key) {
            n.dead = true;
            n.out = [0.0; MAX_BLOCK];
            n.last = 0.0;
        }
        Some((key, payload))
    }

    /// Run the modules (no output), each module's panic caught: that one
    /// falls silent, the others run on. One guard over the whole pass,
    /// resumed past a module that panics (as the engine does for tracks).
    /// Audio thread safe.
    fn run(&mut self, len: usize, frame: u64) {
        if self.panicked {
            return;
        }
        let mut next = 0;
        while next < self.order.len() {
            let mut current = next;
            let pass = crate::engine::panic_guard::guarded(|| {
                self.run_from(next, &mut current, len, frame);
            });
            let Err(payload) = pass else { break };
            let node = &mut self.nodes[self.order[current]];
            node.dead = true;
            node.out = [0.0; MAX_BLOCK];
            node.last = 0.0;
            if self.panics.len() < self.panics.capacity() {
                self.panics.push((node.key, payload));
            } else {
                // Never: each module panics once. Kept rather than freed here.
                std::mem::forget(payload);
            }
            next = current + 1;
        }
        // Delays: take in what was wired into them this block.
        for i in 0..self.nodes.len() {
            if self.nodes[i].kind != ModuleKind::Delay || self.nodes[i].dead {
                continue;
            }
            let mut input = [0.0f32; MAX_BLOCK];
            for &src in &self.nodes[i].inputs {
                add(&mut input[..len], &self.nodes[src].out[..len], 1.0);
            }
            self.nodes[i].input = input;
            self.nodes[i].store(len);
        }
    }

    /// Run the modules from place `from` in the run order on, `current`
    /// following the one running.
    fn run_from(&mut self, from: usize, current: &mut usize, len: usize, frame: u64) {
        for k in from..self.order.len() {
            *current = k;
            let i = self.order[k];
            if self.nodes[i].dead {
                continue;
            }
            // Its parameters: own value, then the cables into it.
            let (before, rest) = self.nodes.split_at_mut(i);
            let (node, after) = rest.split_first_mut().expect("index in range");
            for p in &mut node.params {
                p.base.fill(&mut p.buf[..len]);
            }
            for &(src, param, amount) in &node.cables {
                let out = if src < i {
                    &before[src].out
                } else if src > i {
                    &after[src - i - 1].out
                } else {
                    continue;
                };
                add(&mut node.params[param].buf[..len], &out[..len], amount);
            }
            for p in &mut node.params {
                for v in &mut p.buf[..len] {
                    *v = v.clamp(p.min, p.max);
                }
            }
            // Its input: the sum of what is wired into it.
            node.input[..len].fill(0.0);
            for &src in &node.inputs {
                let out = if src < i {
                    &before[src].out
                } else if src > i {
                    &after[src - i - 1].out
                } else {
                    &node.out
                };
                add(&mut node.input[..len], &out[..len], 1.0);
            }
            // (A delay's input is complete only after every module ran:
            // it is taken in by `run`.)
            node.process(len, frame);
        }
    }
}

/// The order to run `nodes` in: each after the modules wired or cabled
/// into it (a delay's inputs excepted), depth first.
fn run_order_of(nodes: &[Node]) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::with_capacity(nodes.len());
    let mut placed = vec![false; nodes.len()];
    fn place(v: usize, nodes: &[Node], placed: &mut [bool], out: &mut Vec<usize>) {
        if placed[v] {
            return;
        }
        placed[v] = true;
        let n = &nodes[v];
        let wired = n.inputs.iter().filter(|_| n.kind != ModuleKind::Delay);
        for &u in wired.chain(n.cables.iter().map(|c| &c.0)) {
            place(u, nodes, placed, out);
        }
        out.push(v);
    }
    for v in 0..nodes.len() {
        place(v, nodes, &mut placed, &mut out);
    }
    out
}

/// The user module definitions `song` brought, parsed; and its modules'
/// settings checked against them.
///
/// # Errors
/// The first definition with a mistake (`modules/drone.cm:3:5: ...`), or
/// a module's setting its definition does not take.
#[allow(clippy::type_complexity)]
pub fn song_definitions(
    song: &Song,
) -> Result<Vec<(String, std::sync::Arc<chronus_modlang::Definition>)>, String> {
    let mut out = Vec::new();
    for s in &song.modulation.sources {
        let def = chronus_modlang::parse(&s.text, &s.file, &s.name).map_err(|e| e.to_string())?;
        out.push((s.name.clone(), std::sync::Arc::new(def)));
    }
    for c in &song.modulation.cables {
        let Some((_, m)) = song.modulation.modules.iter().find(|(n, _)| *n == c.to) else {
            continue;
        };
        if let Some((_, def)) = out
            .iter()
            .find(|(n, _)| *n == m.source && m.kind == ModuleKind::User)
        {
            if def.param_index(&c.key).is_none() {
                return Err(format!(
                    "patches: {}.{}: {} has no number '{}'",
                    c.to, c.key, m.source, c.key
                ));
            }
        }
    }
    for (name, m) in &song.modulation.modules {
        if let Some((_, def)) = out
            .iter()
            .find(|(n, _)| *n == m.source && m.kind == ModuleKind::User)
        {
            for (key, v) in &m.user {
                let Some(p) = def.params().iter().find(|p| p.name == *key) else {
                    return Err(format!(
                        "modules.{name}: {} has no setting '{key}'",
                        m.source
                    ));
                };
                if !(p.min..=p.max).contains(&(*v as f32)) {
                    return Err(format!(
                        "modules.{name}: {key} {v}: expected {}..{}",
                        p.min, p.max
                    ));
                }
            }
        }
    }
    Ok(out)
}

/// The rack of `song`'s modules, cables and wires, its track `i` being
/// the engine's `ids(i)` (its id and its effects' ids). Allocates.
pub fn song_rack(song: &Song, rate: u32, ids: impl Fn(usize) -> (TrackId, Vec<EffectId>)) -> Rack {
    let m = &song.modulation;
    let definitions = song_definitions(song).unwrap_or_default();
    let definition = |spec: &ModuleSpec| {
        definitions
            .iter()
            .find(|(n, _)| *n == spec.source && spec.kind == ModuleKind::User)
            .map(|(_, d)| std::sync::Arc::clone(d))
    };
    let index = |n: &str| m.modules.iter().position(|(x, _)| x == n);
    let cables: Vec<CableSpec> = m
        .cables
        .iter()
        .filter_map(|c| {
            if let Some(to) = index(&c.to) {
                if c.key.contains('.') {
                    let w = m.wires.iter().find(|w| w.from == c.to && w.to == OUT)?;
                    let (effect, param, base) = chain_effect_param(&w.effects, &c.key).ok()?;
                    return Some(CableSpec {
                        module: c.from.clone(),
                        to: CableTo::Effect {
                            module: to,
                            effect,
                            param,
                        },
                        amount: c.amount,
                        base,
                    });
                }
                let spec = &m.modules[to].1;
                let param = match module_param(&c.to, spec, &c.key).ok()? {
                    Some(p) => p,
                    None => definition(spec)?.param_index(&c.key)? as u16,
                };
                return Some(CableSpec {
                    module: c.from.clone(),
                    to: CableTo::Module { module: to, param },
                    amount: c.amount,
                    base: 0.0,
                });
            }
            let i = song.tracks.iter().position(|t| t.name == c.to)?;
            let spec = &song.tracks[i].spec;
            let (track, effects) = ids(i);
            let target = param_target(cable_target(spec, &c.key).ok()?, &effects)?;
            Some(CableSpec {
                module: c.from.clone(),
                to: CableTo::Track { track, target },
                amount: c.amount,
                base: base_value(spec, &c.key),
            })
        })
        .collect();
    let triggers = m
        .modules
        .iter()
        .map(|(_, s)| {
            let i = song.tracks.iter().position(|t| t.name == s.source)?;
            s.kind.follows_a_track().then(|| ids(i).0)
        })
        .collect();
    let users = m.modules.iter().map(|(_, s)| definition(s)).collect();
    let plan = RackPlan {
        modules: m.modules.clone(),
        triggers,
        cables,
        wires: m.wires.clone(),
        users,
        versions: Vec::new(),
        sends: m
            .sends
            .iter()
            .filter_map(|s| {
                let i = song.tracks.iter().position(|t| t.name == s.track)?;
                Some((ids(i).0, s.effect.clone(), s.amount))
            })
            .collect(),
    };
    Rack::new(&plan, rate)
}
