//! A track's insert chain: effects that fade in when inserted, fade out
//! before they are removed or moved, and crossfade to a new instance when
//! replaced. An effect fully in the chain runs exactly as it always did
//! (bit for bit); only while it fades is its output blended with its input.

use super::control::{ControlPort, Garbage};
use chronus_dsp::smooth::Smoothed;
use chronus_dsp::{Effect, MAX_BLOCK};
use chronus_sequencer::EffectId;

/// Most effects on one track.
pub const MAX_EFFECTS: usize = 16;

/// Where an effect is in its life.
enum Phase {
    /// In the chain (possibly still fading in).
    Present,
    /// Fading out; then returned to the control thread.
    Leaving,
    /// Fading out; then moved to this index and faded back in.
    Moving(usize),
}

struct Slot {
    id: EffectId,
    effect: Box<dyn Effect>,
    /// 1 in the chain, 0 bypassed; ramps on insert and removal.
    presence: Smoothed,
    phase: Phase,
    /// A replacement being crossfaded to, and the crossfade (0 old .. 1 new).
    incoming: Option<(Box<dyn Effect>, Smoothed)>,
}

/// The effects of one track, in order, with their fades.
pub struct Chain {
    slots: Vec<Slot>,
    fade: u32,
    dry_l: [f32; MAX_BLOCK],
    dry_r: [f32; MAX_BLOCK],
    alt_l: [f32; MAX_BLOCK],
    alt_r: [f32; MAX_BLOCK],
    ramp: [f32; MAX_BLOCK],
}

impl Chain {
    /// A chain of `effects` (all present at once), fading over `fade`
    /// frames when edited. Allocates room for [`MAX_EFFECTS`].
    pub fn new(effects: Vec<(EffectId, Box<dyn Effect>)>, fade: u32) -> Self {
        let mut slots = Vec::with_capacity(MAX_EFFECTS.max(effects.len()));
        for (id, effect) in effects {
            slots.push(Slot {
                id,
                effect,
                presence: Smoothed::new(1.0),
                phase: Phase::Present,
                incoming: None,
            });
        }
        Chain {
            slots,
            fade,
            dry_l: [0.0; MAX_BLOCK],
            dry_r: [0.0; MAX_BLOCK],
            alt_l: [0.0; MAX_BLOCK],
            alt_r: [0.0; MAX_BLOCK],
            ramp: [0.0; MAX_BLOCK],
        }
    }

    /// True when there is no effect at all.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// Number of effects (including those fading out).
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    fn find(&self, id: EffectId) -> Option<usize> {
        self.slots.iter().position(|s| s.id == id)
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
        let index = index.min(self.slots.len());
        self.slots.insert(
            index,
            Slot {
                id,
                effect,
                presence,
                phase: Phase::Present,
                incoming: None,
            },
        );
        true
    }

    /// Fade effect `id` out and remove it. Audio thread safe.
    pub fn remove(&mut self, id: EffectId) -> bool {
        let Some(i) = self.find(id) else { return false };
        let s = &mut self.slots[i];
        s.presence.set(0.0, self.fade);
        s.phase = Phase::Leaving;
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

    /// Crossfade effect `id` to `with`. Audio thread safe.
    pub fn replace(&mut self, id: EffectId, with: Box<dyn Effect>, port: &mut ControlPort) -> bool {
        let Some(i) = self.find(id) else {
            port.discard(Garbage::Effect(with));
            return false;
        };
        let mut x = Smoothed::new(0.0);
        x.set(1.0, self.fade);
        let s = &mut self.slots[i];
        if let Some((older, _)) = s.incoming.replace((with, x)) {
            // A replacement of a replacement: the one half faded in goes.
            port.discard(Garbage::Effect(older));
        }
        true
    }

    /// Set a parameter of effect `id` (on its incoming replacement while
    /// crossfading). Audio thread safe.
    pub fn set_param(&mut self, id: EffectId, param: usize, value: f32, ramp: u32) -> bool {
        let Some(i) = self.find(id) else { return false };
        let s = &mut self.slots[i];
        match &mut s.incoming {
            Some((fx, _)) => fx.set_param(param, value, ramp),
            None => s.effect.set_param(param, value, ramp),
        }
        true
    }

    /// Run the chain over a stereo block in place. Audio thread safe.
    pub fn process(&mut self, left: &mut [f32], right: &mut [f32], port: &mut ControlPort) {
        let n = left.len().min(MAX_BLOCK);
        let mut i = 0;
        while i < self.slots.len() {
            let slot = &mut self.slots[i];
            let fading = slot.presence.is_smoothing();
            if !fading && slot.presence.value() == 0.0 {
                // Faded out: finish what the fade was for.
                match slot.phase {
                    Phase::Leaving => {
                        let s = self.slots.remove(i);
                        port.discard(Garbage::Effect(s.effect));
                        if let Some((fx, _)) = s.incoming {
                            port.discard(Garbage::Effect(fx));
                        }
                        continue;
                    }
                    Phase::Moving(to) => {
                        let mut s = self.slots.remove(i);
                        s.phase = Phase::Present;
                        s.presence.set(1.0, self.fade);
                        let to = to.min(self.slots.len());
                        self.slots.insert(to, s);
                        if to <= i {
                            // Already past its new place: it runs next block.
                            i += 1;
                        }
                        continue;
                    }
                    Phase::Present => {
                        i += 1;
                        continue;
                    }
                }
            }
            let (l, r) = (&mut left[..n], &mut right[..n]);
            if !fading && slot.incoming.is_none() {
                slot.effect.process(l, r);
                i += 1;
                continue;
            }
            self.dry_l[..n].copy_from_slice(l);
            self.dry_r[..n].copy_from_slice(r);
            slot.effect.process(l, r);
            if let Some((fx, x)) = &mut slot.incoming {
                let (al, ar) = (&mut self.alt_l[..n], &mut self.alt_r[..n]);
                al.copy_from_slice(&self.dry_l[..n]);
                ar.copy_from_slice(&self.dry_r[..n]);
                fx.process(al, ar);
                x.fill(&mut self.ramp[..n]);
                for k in 0..n {
                    let g = self.ramp[k];
                    l[k] += g * (al[k] - l[k]);
                    r[k] += g * (ar[k] - r[k]);
                }
                if !x.is_smoothing() {
                    if let Some((fx, _)) = slot.incoming.take() {
                        let old = std::mem::replace(&mut slot.effect, fx);
                        port.discard(Garbage::Effect(old));
                    }
                }
            }
            if fading {
                slot.presence.fill(&mut self.ramp[..n]);
                for k in 0..n {
                    let p = self.ramp[k];
                    l[k] = self.dry_l[k] + p * (l[k] - self.dry_l[k]);
                    r[k] = self.dry_r[k] + p * (r[k] - self.dry_r[k]);
                }
            }
            i += 1;
        }
    }

    /// Clear every effect's state. Audio thread safe.
    pub fn reset(&mut self) {
        for s in &mut self.slots {
            s.effect.reset();
            if let Some((fx, _)) = &mut s.incoming {
                fx.reset();
            }
        }
    }

    /// Give every effect back (the track is going away). Audio thread safe.
    pub fn discard_all(&mut self, port: &mut ControlPort) {
        while let Some(s) = self.slots.pop() {
            port.discard(Garbage::Effect(s.effect));
            if let Some((fx, _)) = s.incoming {
                port.discard(Garbage::Effect(fx));
            }
        }
    }
}
