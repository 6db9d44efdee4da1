//! Tracks rendered on other threads (`chronus render --jobs N`).
//!
//! A worker's engine keeps only its own tracks and records each one's
//! blocks, a chunk at a time, into [`Stems`]; the main engine keeps the
//! others and, where it would have rendered a worker's track, adds that
//! track's recorded block instead. Every engine is fed every event, so each
//! splits its sub-blocks on the very same frames, and the main engine adds
//! the tracks in slot order: the mix is the sum one engine alone makes,
//! sample for sample.

use super::Engine;
use chronus_dsp::MAX_BLOCK;

/// A chunk of some tracks' output, as a worker recorded it.
pub struct Stems {
    /// The chunk's first frame (a multiple of the engine's grid).
    pub start: u64,
    /// The slots whose blocks it holds.
    pub slots: Vec<usize>,
    /// For each of those slots, its left and right samples for the chunk:
    /// what its track added to the mix.
    pub blocks: Vec<(Vec<f32>, Vec<f32>)>,
    /// Voices those tracks held after each grid block of the chunk.
    pub voices: Vec<u32>,
}

impl Stems {
    /// Room for `slots`' blocks over `frames` frames (a multiple of the
    /// grid). Allocates.
    pub fn new(slots: &[usize], frames: usize) -> Self {
        let frames = frames.div_ceil(MAX_BLOCK) * MAX_BLOCK;
        Stems {
            start: 0,
            slots: slots.to_vec(),
            blocks: slots
                .iter()
                .map(|_| {
                    (
                        chronus_dsp::memory::zeroed(frames),
                        chronus_dsp::memory::zeroed(frames),
                    )
                })
                .collect(),
            voices: vec![0; frames / MAX_BLOCK],
        }
    }

    /// Frames in the chunk.
    pub fn frames(&self) -> usize {
        self.voices.len() * MAX_BLOCK
    }

    /// Silence every block, for the chunk from `start`.
    pub fn clear(&mut self, start: u64) {
        self.start = start;
        for (l, r) in &mut self.blocks {
            l.fill(0.0);
            r.fill(0.0);
        }
        self.voices.fill(0);
    }

    /// Voices sounding just before `frame` (inside the chunk or at its
    /// end): as many as after the grid block holding `frame - 1`.
    pub fn voices_before(&self, frame: u64) -> u32 {
        let done = frame.saturating_sub(self.start).div_ceil(MAX_BLOCK as u64) as usize;
        done.checked_sub(1)
            .and_then(|i| self.voices.get(i))
            .copied()
            .unwrap_or(0)
    }
}

/// How an engine shares its tracks with others.
pub(super) struct Split {
    /// True in a worker (its tracks' blocks go into the chunk), false in
    /// the main engine (the chunks' blocks join its mix).
    pub record: bool,
    /// The chunks held now, one per worker (a worker holds its own only).
    pub chunks: Vec<Option<Box<Stems>>>,
    /// For each slot, the chunk and the block its track's output is in.
    pub at: Vec<Option<(usize, usize)>>,
}

impl Split {
    /// Slot `slot`'s block in `[frame, frame + len)`, when another engine
    /// renders it (or, in a worker, records it).
    pub fn block(
        &mut self,
        slot: usize,
        frame: u64,
        len: usize,
    ) -> Option<(&mut [f32], &mut [f32])> {
        let (c, b) = self.at.get(slot).copied().flatten()?;
        let chunk = self.chunks.get_mut(c)?.as_deref_mut()?;
        let off = usize::try_from(frame.checked_sub(chunk.start)?).ok()?;
        let (l, r) = chunk.blocks.get_mut(b)?;
        let (l, r) = (l.get_mut(off..off + len)?, r.get_mut(off..off + len)?);
        Some((l, r))
    }
}

/// The engine's side of the split.
impl Engine {
    /// For `render --jobs`, in a worker: keep only the tracks in `slots`
    /// (the others render elsewhere), and record each kept track's output
    /// into the chunk given with [`Engine::give_chunk`] instead of mixing
    /// it. Its modules run as in the main engine, for their cables to its
    /// tracks. Control thread, before rendering.
    pub fn record_only(&mut self, slots: &[usize]) {
        let mut at = vec![None; self.slots.len()];
        for (i, slot) in self.slots.iter_mut().enumerate() {
            match slots.iter().position(|&s| s == i) {
                Some(b) => at[i] = Some((0, b)),
                None => slot.track = None,
            }
        }
        self.split = Some(Box::new(Split {
            record: true,
            chunks: vec![None],
            at,
        }));
    }

    /// For `render --jobs`, in the main engine: the tracks in `groups[k]`
    /// render on worker `k`, and their output comes from the chunks given
    /// with [`Engine::give_chunk`]. Control thread, before rendering.
    pub fn read_from(&mut self, groups: &[Vec<usize>]) {
        let mut at = vec![None; self.slots.len()];
        for (k, group) in groups.iter().enumerate() {
            for (b, &s) in group.iter().enumerate() {
                if let Some(slot) = self.slots.get_mut(s) {
                    slot.track = None;
                    at[s] = Some((k, b));
                }
            }
        }
        self.split = Some(Box::new(Split {
            record: false,
            chunks: (0..groups.len()).map(|_| None).collect(),
            at,
        }));
    }

    /// Hold `chunk` as worker `k`'s (see [`Engine::read_from`],
    /// [`Engine::record_only`]).
    pub fn give_chunk(&mut self, k: usize, chunk: Box<Stems>) {
        if let Some(c) = self.split.as_deref_mut().and_then(|s| s.chunks.get_mut(k)) {
            *c = Some(chunk);
        }
    }

    /// Voices the workers' tracks held just before `frame` (see
    /// [`Engine::read_from`]; 0 for an engine alone).
    pub fn split_voices_before(&self, frame: u64) -> usize {
        self.split.as_deref().map_or(0, |s| {
            s.chunks
                .iter()
                .flatten()
                .map(|c| c.voices_before(frame) as usize)
                .sum()
        })
    }

    /// Worker `k`'s chunk, given back.
    pub fn take_chunk(&mut self, k: usize) -> Option<Box<Stems>> {
        self.split.as_deref_mut()?.chunks.get_mut(k)?.take()
    }
}
