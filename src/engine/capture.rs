//! What left the engine, for `listen`: the audio thread copies the master
//! output, each track's loudness and the notes it played (and, for the few
//! tracks asked for, their own audio) into a lock-free ring, one record per
//! 64-frame block of the engine's grid. It never waits: when the ring is
//! full the record is dropped and counted. A thread on the other end keeps
//! the last seconds of it (see `crate::listen`).
//!
//! The cost is a copy of the mix and one sum of squares per track per
//! sample; a track's own audio is copied only while it is tapped.

use chronus_dsp::MAX_BLOCK;
use chronus_sequencer::{Event, TrackId};
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;

use super::MAX_TRACKS;

/// Tracks whose own audio can be tapped at once.
pub const MAX_TAPS: usize = 8;

/// Records the ring holds (about 2.7 s of blocks at 48 kHz with no tap).
const RING_RECORDS: usize = 4096;

/// One block of the engine's grid (64 frames).
#[derive(Clone)]
pub struct Block {
    /// The absolute frame of the block's first sample.
    pub frame: u64,
    /// The master output (after the limiter).
    pub left: [f32; MAX_BLOCK],
    /// The master output, right.
    pub right: [f32; MAX_BLOCK],
    /// Samples over full scale before the limiter (either channel).
    pub clipped: u32,
    /// The limiter's largest gain reduction in the block, in dB (>= 0).
    pub reduction_db: f32,
    /// Each slot's sum of squares (left plus right) over the block.
    pub energy: [f32; MAX_TRACKS],
    /// The generation of the track in each slot (whose energy it is).
    pub generation: [u16; MAX_TRACKS],
    /// Slots in use (`energy[used..]` is zero).
    pub used: u16,
    /// The engine's fault count (non-finite output reset) so far.
    pub faults: u64,
    /// The engine's late-event count so far.
    pub late: u64,
}

/// A tapped track's own audio over one block (after its inserts, fader and
/// pan: what it adds to the mix).
#[derive(Clone)]
pub struct TrackBlock {
    /// The track.
    pub id: TrackId,
    /// The absolute frame of the block's first sample.
    pub frame: u64,
    /// Its left output.
    pub left: [f32; MAX_BLOCK],
    /// Its right output.
    pub right: [f32; MAX_BLOCK],
}

/// One record of the ring.
#[derive(Clone)]
#[allow(clippy::large_enum_variant)]
pub enum Captured {
    /// The mix and meters of one block.
    Block(Block),
    /// A tapped track's block.
    Track(TrackBlock),
    /// A note started or released (as applied, at its frame).
    Note(Event),
}

/// What both ends share: which tracks are tapped, and what was dropped.
#[derive(Debug, Default)]
pub struct CaptureShared {
    /// Tapped tracks: `slot << 16 | generation`, plus one (0: free).
    taps: [AtomicU32; MAX_TAPS],
    /// Records dropped because the ring was full.
    pub dropped: AtomicU64,
}

impl CaptureShared {
    /// Tap `id`'s own audio from the next block on; false when every tap
    /// is taken. Any thread.
    pub fn tap(&self, id: TrackId) -> bool {
        let code = tap_code(id);
        if self.taps.iter().any(|t| t.load(Ordering::Acquire) == code) {
            return true;
        }
        self.taps.iter().any(|t| {
            t.compare_exchange(0, code, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        })
    }

    /// Stop tapping `id`. Any thread.
    pub fn untap(&self, id: TrackId) {
        let code = tap_code(id);
        for t in &self.taps {
            let _ = t.compare_exchange(code, 0, Ordering::AcqRel, Ordering::Acquire);
        }
    }

    /// The tracks tapped now.
    pub fn tapped(&self) -> Vec<TrackId> {
        self.taps
            .iter()
            .map(|t| t.load(Ordering::Acquire))
            .filter(|&c| c != 0)
            .map(|c| TrackId::new(((c - 1) >> 16) as u16, ((c - 1) & 0xffff) as u16))
            .collect()
    }
}

fn tap_code(id: TrackId) -> u32 {
    ((u32::from(id.slot) << 16) | u32::from(id.generation)) + 1
}

/// The audio thread's end: stages the current block and pushes it whole.
pub struct Capture {
    ring: rtrb::Producer<Captured>,
    shared: Arc<CaptureShared>,
    block: Box<Block>,
    /// The staged blocks of the tracks tapped at the block's start.
    taps: Box<[TrackBlock; MAX_TAPS]>,
    /// How many of `taps` are in use this block.
    tapping: usize,
    /// The grid block being staged (its first frame), once begun.
    current: Option<u64>,
}

/// The other end of the ring.
pub type CaptureReader = rtrb::Consumer<Captured>;

/// A capture and the reader of its ring. Allocates: control thread.
pub fn capture() -> (Capture, CaptureReader, Arc<CaptureShared>) {
    let (mut ring, mut reader) = rtrb::RingBuffer::new(RING_RECORDS);
    // Every record's page written now, not on the audio thread's first
    // pass through the ring.
    super::prefault::ring(&mut ring, &mut reader, || {
        Captured::Note(Event {
            frame: 0,
            track: TrackId::MASTER,
            kind: chronus_sequencer::EventKind::NoteOff { id: 0 },
        })
    });
    let shared = Arc::new(CaptureShared::default());
    let empty = TrackBlock {
        id: TrackId::MASTER,
        frame: 0,
        left: [0.0; MAX_BLOCK],
        right: [0.0; MAX_BLOCK],
    };
    let capture = Capture {
        ring,
        shared: Arc::clone(&shared),
        block: Box::new(Block {
            frame: 0,
            left: [0.0; MAX_BLOCK],
            right: [0.0; MAX_BLOCK],
            clipped: 0,
            reduction_db: 0.0,
            energy: [0.0; MAX_TRACKS],
            generation: [0; MAX_TRACKS],
            used: 0,
            faults: 0,
            late: 0,
        }),
        taps: Box::new(std::array::from_fn(|_| empty.clone())),
        tapping: 0,
        current: None,
    };
    (capture, reader, shared)
}

impl Capture {
    /// Start a sub-block at `frame` (inside the grid block that begins at
    /// `frame - frame % 64`). Audio thread safe.
    pub fn begin(&mut self, frame: u64) {
        let grid = frame - frame % MAX_BLOCK as u64;
        if self.current == Some(grid) {
            return;
        }
        self.current = Some(grid);
        let b = &mut *self.block;
        b.frame = grid;
        b.left.fill(0.0);
        b.right.fill(0.0);
        b.clipped = 0;
        b.reduction_db = 0.0;
        b.energy.fill(0.0);
        b.used = 0;
        self.tapping = 0;
        for t in &self.shared.taps {
            let code = t.load(Ordering::Acquire);
            if code == 0 {
                continue;
            }
            let code = code - 1;
            let stage = &mut self.taps[self.tapping];
            stage.id = TrackId::new((code >> 16) as u16, (code & 0xffff) as u16);
            stage.frame = grid;
            stage.left.fill(0.0);
            stage.right.fill(0.0);
            self.tapping += 1;
        }
    }

    /// A track's output for the sub-block at `frame`. Audio thread safe.
    pub fn track(&mut self, id: TrackId, frame: u64, left: &[f32], right: &[f32]) {
        let slot = usize::from(id.slot);
        if slot < MAX_TRACKS {
            let e: f32 = left.iter().chain(right.iter()).map(|v| v * v).sum();
            let b = &mut *self.block;
            b.energy[slot] += e;
            b.generation[slot] = id.generation;
            b.used = b.used.max(slot as u16 + 1);
        }
        let at = (frame % MAX_BLOCK as u64) as usize;
        for stage in self.taps[..self.tapping].iter_mut() {
            if stage.id == id {
                let n = left.len().min(MAX_BLOCK - at);
                stage.left[at..at + n].copy_from_slice(&left[..n]);
                stage.right[at..at + n].copy_from_slice(&right[..n]);
            }
        }
    }

    /// Whether track `id`'s own audio is staged this block.
    pub fn is_tapped(&self, id: TrackId) -> bool {
        self.taps[..self.tapping].iter().any(|t| t.id == id)
    }

    /// Count the samples over full scale before the limiter. Audio thread
    /// safe.
    pub fn before_limiter(&mut self, left: &[f32], right: &[f32]) {
        let over = left
            .iter()
            .chain(right.iter())
            .filter(|v| v.abs() > 1.0)
            .count();
        self.block.clipped += over as u32;
    }

    /// The master output for the sub-block at `frame`, the limiter's gain
    /// reduction after it and the engine's counters; pushes the block once
    /// it is whole. Audio thread safe.
    pub fn master(
        &mut self,
        frame: u64,
        (left, right): (&[f32], &[f32]),
        reduction_db: f32,
        (faults, late): (u64, u64),
    ) {
        let at = (frame % MAX_BLOCK as u64) as usize;
        let n = left.len().min(MAX_BLOCK - at);
        let b = &mut *self.block;
        b.left[at..at + n].copy_from_slice(&left[..n]);
        b.right[at..at + n].copy_from_slice(&right[..n]);
        b.reduction_db = b.reduction_db.max(reduction_db);
        b.faults = faults;
        b.late = late;
        if at + n == MAX_BLOCK {
            self.push();
        }
    }

    /// A note as it is applied. Audio thread safe.
    pub fn note(&mut self, event: Event) {
        if self.ring.push(Captured::Note(event)).is_err() {
            self.shared.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn push(&mut self) {
        self.current = None;
        let dropped = &self.shared.dropped;
        if self.ring.slots() < 1 + self.tapping {
            dropped.fetch_add(1 + self.tapping as u64, Ordering::Relaxed);
            return;
        }
        for stage in self.taps[..self.tapping].iter() {
            if self.ring.push(Captured::Track(stage.clone())).is_err() {
                dropped.fetch_add(1, Ordering::Relaxed);
            }
        }
        if self
            .ring
            .push(Captured::Block((*self.block).clone()))
            .is_err()
        {
            dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}
