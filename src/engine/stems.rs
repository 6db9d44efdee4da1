//! Tracks rendered on other threads (`chronus render --jobs N`).
//!
//! A worker's engine keeps only its own tracks and records each one's
//! blocks, a chunk at a time, into [`Stems`]; the main engine keeps the
//! others and, where it would have rendered a worker's track, adds that
//! track's recorded block instead. Every engine is fed every event, so each
//! splits its sub-blocks on the very same frames, and the main engine adds
//! the tracks in slot order: the mix is the sum one engine alone makes,
//! sample for sample.

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
