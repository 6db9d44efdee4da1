//! A track's insert chain, edited while it plays without a click.
//!
//! An effect fully in the chain runs exactly as it always did (bit for
//! bit). Every edit is a fade of the effect's *input*, so that effects with
//! memory (delays, reverbs) never see a signal start or stop abruptly, and
//! their tails ring out instead of being cut:
//!
//! - inserted: its input fades in while the dry signal fades out,
//!   `y = (1 - p) x + E(p x)`, `p` rising 0 to 1 over the fade;
//! - removed: the same with `p` falling; at 0 the effect rings out on
//!   silence (`y = x + E(0)`) until its output is quiet (or for at most
//!   [`RING_SECONDS`], then faded), and is returned;
//! - replaced (a rebuild for a new room size, say): the new instance's
//!   input fades in as the old one's fades out, `y = E_old((1-g) x) +
//!   E_new(g x)`; the old one then rings out on silence, and is returned;
//! - moved: faded out, moved with its state, faded back in.

use super::control::{ControlPort, Garbage};
use super::tail::Tail;
use chronus_dsp::smooth::Smoothed;
use chronus_dsp::{Effect, MAX_BLOCK};
use chronus_sequencer::EffectId;

/// Most effects on one track.
pub const MAX_EFFECTS: usize = 16;

/// Longest a removed or replaced effect rings out before it is faded.
pub const RING_SECONDS: f64 = 10.0;

/// Where an effect is in its life.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// In the chain (possibly still fading in).
    Present,
    /// Fading out; then ringing out; then returned.
    Leaving,
    /// Fading out; then moved to this index and faded back in.
    Moving(usize),
}

/// An effect finishing its tail on silence.
struct Ringing {
    effect: Box<dyn Effect>,
    tail: Tail,
}

struct EffectSlot {
    id: EffectId,
    effect: Box<dyn Effect>,
    /// 1 in the chain, 0 out: ramps on insert, removal and moves.
    presence: Smoothed,
    phase: Phase,
    /// A replacement being faded in, and its share (0 old .. 1 new).
    incoming: Option<(Box<dyn Effect>, Smoothed)>,
    /// A replaced instance ringing out.
    ringing: Option<Ringing>,
    /// An older replaced instance fading out fast, to make way for a newer
    /// one ringing (two rebuilds in a row): faded, never cut.
    dying: Option<Ringing>,
    /// Leaving: its tail once faded out of the chain.
    leaving: Tail,
}

impl EffectSlot {
    fn new(id: EffectId, effect: Box<dyn Effect>, presence: Smoothed) -> Self {
        EffectSlot {
            id,
            effect,
            presence,
            phase: Phase::Present,
            incoming: None,
            ringing: None,
            dying: None,
            leaving: Tail::new(0),
        }
    }
}

/// Scratch blocks for the fades.
struct Scratch {
    dry_l: [f32; MAX_BLOCK],
    dry_r: [f32; MAX_BLOCK],
    alt_l: [f32; MAX_BLOCK],
    alt_r: [f32; MAX_BLOCK],
    p: [f32; MAX_BLOCK],
    g: [f32; MAX_BLOCK],
    /// Tail gains.
    t: [f32; MAX_BLOCK],
}

/// The effects of one track, in order, with their fades.
pub struct Chain {
    slots: Vec<EffectSlot>,
    fade: u32,
    ring_frames: u64,
    s: Box<Scratch>,
}

impl Chain {
    /// A chain of `effects` (all present at once), fading over `fade`
    /// frames when edited, at `rate` Hz. Allocates room for
    /// [`MAX_EFFECTS`].
    pub fn new(effects: Vec<(EffectId, Box<dyn Effect>)>, fade: u32, rate: f32) -> Self {
        // Room for effects still ringing out after their removal too.
        let mut slots = Vec::with_capacity(2 * MAX_EFFECTS.max(effects.len()));
        for (id, effect) in effects {
            slots.push(EffectSlot::new(id, effect, Smoothed::new(1.0)));
        }
        Chain {
            slots,
            fade,
            ring_frames: (RING_SECONDS * f64::from(rate)) as u64,
            s: Box::new(Scratch {
                dry_l: [0.0; MAX_BLOCK],
                dry_r: [0.0; MAX_BLOCK],
                alt_l: [0.0; MAX_BLOCK],
                alt_r: [0.0; MAX_BLOCK],
                p: [0.0; MAX_BLOCK],
                g: [0.0; MAX_BLOCK],
                t: [0.0; MAX_BLOCK],
            }),
        }
    }

    /// True when there is no effect at all.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Number of effects (including those on their way out).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    fn find(&self, id: EffectId) -> Option<usize> {
        self.slots
            .iter()
            .position(|s| s.id == id && s.phase != Phase::Leaving)
    }

    /// Insert `effect` at `index`, fading in. Audio thread safe; when the
    /// chain is full the effect goes back as garbage (false).
    pub fn insert(
        &mut self,
        index: usize,
        id: EffectId,
        effect: Box<dyn Effect>,
        port: &mut ControlPort,
    ) -> bool {
        if self.slots.len() >= self.slots.capacity() {
            port.discard(Garbage::Effect(effect));
            return false;
        }
        let mut presence = Smoothed::new(0.0);
        presence.set(1.0, self.fade);
        // Positions count the effects that stay, not those on their way out.
        let mut at = self.slots.len();
        let mut seen = 0;
        for (i, s) in self.slots.iter().enumerate() {
            if s.phase == Phase::Leaving {
                continue;
            }
            if seen == index {
                at = i;
                break;
            }
            seen += 1;
        }
        self.slots.insert(at, EffectSlot::new(id, effect, presence));
        true
    }

    /// Fade effect `id` out, let it ring out, remove it. Audio thread safe.
    pub fn remove(&mut self, id: EffectId) -> bool {
        let Some(i) = self.find(id) else { return false };
        let s = &mut self.slots[i];
        s.presence.set(0.0, self.fade);
        s.phase = Phase::Leaving;
        s.leaving = Tail::new(self.ring_frames);
        true
    }

    /// Fade effect `id` out, move it to `index`, fade it in. Audio thread safe.
    pub fn move_to(&mut self, id: EffectId, index: usize) -> bool {
        let Some(i) = self.find(id) else { return false };
        let s = &mut self.slots[i];
        s.presence.set(0.0, self.fade);
        s.phase = Phase::Moving(index);
        true
    }

    /// Fade effect `id` over to `with` (its id stays). Audio thread safe.
    pub fn replace(&mut self, id: EffectId, with: Box<dyn Effect>, port: &mut ControlPort) -> bool {
        let Some(i) = self.find(id) else {
            port.discard(Garbage::Effect(with));
            return false;
        };
        let mut g = Smoothed::new(0.0);
        g.set(1.0, self.fade);
        let s = &mut self.slots[i];
        if let Some((older, _)) = s.incoming.replace((with, g)) {
            // A replacement of a replacement: the one half faded in goes.
            port.discard(Garbage::Effect(older));
        }
        true
    }

    /// Set a parameter of effect `id` (on its incoming replacement while
    /// one fades in). Audio thread safe.
    pub fn set_param(&mut self, id: EffectId, param: usize, value: f32, ramp: u32) -> bool {
        let Some(i) = self.find(id) else { return false };
        let s = &mut self.slots[i];
        match &mut s.incoming {
            Some((fx, _)) => fx.set_param(param, value, ramp),
            None => s.effect.set_param(param, value, ramp),
        }
        true
    }

    /// Move every effect that has faded out for a move to its new place
    /// (and start it fading back in), before the block runs: each effect
    /// then runs exactly once per block. Audio thread safe.
    fn finish_moves(&mut self) {
        let mut i = 0;
        while i < self.slots.len() {
            let s = &self.slots[i];
            let faded = !s.presence.is_smoothing() && s.presence.value() == 0.0;
            match s.phase {
                Phase::Moving(to) if faded => {
                    let mut s = self.slots.remove(i);
                    s.phase = Phase::Present;
                    s.presence.set(1.0, self.fade);
                    let to = to.min(self.slots.len());
                    self.slots.insert(to, s);
                    // Whatever now sits at `i` has not been looked at yet
                    // unless the moved one went before it.
                    if to <= i {
                        i += 1;
                    }
                }
                _ => i += 1,
            }
        }
    }

    /// Run the chain over a stereo block in place. Audio thread safe.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32], port: &mut ControlPort) {
        let n = left.len().min(MAX_BLOCK);
        let (left, right) = (&mut left[..n], &mut right[..n]);
        self.finish_moves();
        let mut i = 0;
        while i < self.slots.len() {
            let fade = self.fade;
            let slot = &mut self.slots[i];
            let fading = slot.presence.is_smoothing();
            let out = !fading && slot.presence.value() == 0.0;
            let plain = !fading
                && !out
                && slot.incoming.is_none()
                && slot.ringing.is_none()
                && slot.dying.is_none();
            if plain {
                slot.effect.process(left, right);
                i += 1;
                continue;
            }
            let done =
                Self::process_fading(slot, &mut self.s, left, right, fade, self.ring_frames, port);
            if done {
                let s = self.slots.remove(i);
                port.discard(Garbage::Effect(s.effect));
                if let Some((fx, _)) = s.incoming {
                    port.discard(Garbage::Effect(fx));
                }
                if let Some(r) = s.ringing {
                    port.discard(Garbage::Effect(r.effect));
                }
                if let Some(r) = s.dying {
                    port.discard(Garbage::Effect(r.effect));
                }
                continue;
            }
            i += 1;
        }
    }

    /// One slot that is fading, being replaced or ringing out. True when a
    /// leaving effect has finished ringing and can go.
    fn process_fading(
        slot: &mut EffectSlot,
        s: &mut Scratch,
        left: &mut [f32],
        right: &mut [f32],
        fade: u32,
        ring_frames: u64,
        port: &mut ControlPort,
    ) -> bool {
        let n = left.len();
        s.dry_l[..n].copy_from_slice(left);
        s.dry_r[..n].copy_from_slice(right);
        slot.presence.fill(&mut s.p[..n]);
        match &mut slot.incoming {
            Some((_, g)) => g.fill(&mut s.g[..n]),
            None => s.g[..n].fill(0.0),
        }
        // The main instance: input scaled by p (1 - g).
        for k in 0..n {
            let a = s.p[k] * (1.0 - s.g[k]);
            left[k] = s.dry_l[k] * a;
            right[k] = s.dry_r[k] * a;
        }
        slot.effect.process(left, right);
        let rung_out = if slot.phase == Phase::Leaving && !slot.presence.is_smoothing() {
            // Faded out: the effect rings on silence until quiet.
            slot.leaving.gains(&mut s.t[..n], fade);
            let mut peak = 0.0f32;
            for k in 0..n {
                left[k] *= s.t[k];
                right[k] *= s.t[k];
                peak = peak.max(left[k].abs()).max(right[k].abs());
            }
            slot.leaving.done(peak, n)
        } else {
            false
        };
        // The dry signal the fade leaves: (1 - p) x.
        for k in 0..n {
            let d = 1.0 - s.p[k];
            left[k] += d * s.dry_l[k];
            right[k] += d * s.dry_r[k];
        }
        // A replaced instance ringing out on silence (before a swap below
        // can start another: each instance runs once per block).
        if let Some(r) = &mut slot.ringing {
            if ring_out(r, s, n, fade, left, right) {
                if let Some(r) = slot.ringing.take() {
                    port.discard(Garbage::Effect(r.effect));
                }
            }
        }
        if let Some(r) = &mut slot.dying {
            if ring_out(r, s, n, fade, left, right) {
                if let Some(r) = slot.dying.take() {
                    port.discard(Garbage::Effect(r.effect));
                }
            }
        }
        // A replacement fading in: input scaled by p g.
        if let Some((fx, g)) = &mut slot.incoming {
            for k in 0..n {
                let b = s.p[k] * s.g[k];
                s.alt_l[k] = s.dry_l[k] * b;
                s.alt_r[k] = s.dry_r[k] * b;
            }
            fx.process(&mut s.alt_l[..n], &mut s.alt_r[..n]);
            for k in 0..n {
                left[k] += s.alt_l[k];
                right[k] += s.alt_r[k];
            }
            if !g.is_smoothing() {
                if let Some((fx, _)) = slot.incoming.take() {
                    let old = std::mem::replace(&mut slot.effect, fx);
                    let ring = Ringing {
                        effect: old,
                        tail: Tail::new(ring_frames),
                    };
                    if let Some(mut r) = slot.ringing.replace(ring) {
                        // Two rebuilds in a row: the older tail fades fast.
                        r.tail.fade_now(fade);
                        if let Some(d) = slot.dying.replace(r) {
                            port.discard(Garbage::Effect(d.effect));
                        }
                    }
                }
            }
        }
        rung_out && slot.incoming.is_none() && slot.ringing.is_none() && slot.dying.is_none()
    }
}

/// Run a ringing instance on silence and add it in; true when done.
fn ring_out(
    r: &mut Ringing,
    s: &mut Scratch,
    n: usize,
    fade: u32,
    left: &mut [f32],
    right: &mut [f32],
) -> bool {
    s.alt_l[..n].fill(0.0);
    s.alt_r[..n].fill(0.0);
    r.effect.process(&mut s.alt_l[..n], &mut s.alt_r[..n]);
    r.tail.gains(&mut s.t[..n], fade);
    let mut peak = 0.0f32;
    for k in 0..n {
        let (a, b) = (s.alt_l[k] * s.t[k], s.alt_r[k] * s.t[k]);
        peak = peak.max(a.abs()).max(b.abs());
        left[k] += a;
        right[k] += b;
    }
    r.tail.done(peak, n)
}

impl Chain {
    /// Clear every effect's state (a fault, or silence at once); what was
    /// ringing out falls quiet and is returned soon after. Audio thread safe.
    pub fn reset(&mut self) {
        for s in &mut self.slots {
            s.effect.reset();
            if let Some((fx, _)) = &mut s.incoming {
                fx.reset();
            }
            if let Some(r) = &mut s.ringing {
                r.effect.reset();
            }
            if let Some(r) = &mut s.dying {
                r.effect.reset();
            }
        }
    }
}
