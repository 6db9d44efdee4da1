//! What crosses between the control thread and the engine on the audio
//! thread, one typed ring per direction (rtrb's contrib controller shape):
//!
//! ```text
//!  control ──ControlMsg──►  engine (audio thread)
//!  control ◄──Garbage────   (replaced objects, to be dropped off the audio thread)
//!  control ◄──Notice─────   (faults, freed slots)
//! ```
//!
//! Everything a structural change needs (a track, an instrument, an effect)
//! is built on the control thread and sent ready to run; whatever it replaces
//! comes back as [`Garbage`] and is dropped by [`EngineHandle::collect`],
//! never on the audio thread.

use super::Track;
use chronus_dsp::{Effect, Instrument};
use chronus_sequencer::{EffectId, Event, EventKind, TrackId};

/// Capacity of the control-to-engine ring.
pub const CONTROL_CAPACITY: usize = 8192;
/// Capacity of the garbage and notice rings.
pub const RETURN_CAPACITY: usize = 1024;
/// Garbage the engine can hold when the return ring is full (preallocated).
const HELD_CAPACITY: usize = 256;

/// A structural change, built off the audio thread and applied at its frame.
pub enum Command {
    /// Install a new track in its slot (it fades in).
    AddTrack {
        /// Its id (slot and generation, chosen by the control thread).
        id: TrackId,
        /// The track, ready to render.
        track: Box<Track>,
    },
    /// Fade a track out, then return it.
    RemoveTrack(TrackId),
    /// Play new notes on `instrument`; the old one rings out its sounding
    /// notes (they still get their note-offs), then is returned.
    ReplaceInstrument {
        /// Which track.
        track: TrackId,
        /// The new instrument.
        instrument: Box<dyn Instrument>,
    },
    /// Insert an effect at `index` of the chain (it fades in).
    InsertEffect {
        /// Which track.
        track: TrackId,
        /// Position in the chain (clamped to its length).
        index: usize,
        /// The effect's id.
        id: EffectId,
        /// The effect, ready to run.
        effect: Box<dyn Effect>,
    },
    /// Fade an effect out of the chain, then return it.
    RemoveEffect {
        /// Which track.
        track: TrackId,
        /// Which effect.
        effect: EffectId,
    },
    /// Fade an effect out, move it to `index`, fade it back in.
    MoveEffect {
        /// Which track.
        track: TrackId,
        /// Which effect.
        effect: EffectId,
        /// Its new position.
        index: usize,
    },
    /// Put a new MIDI routing table in force (what the old one played is
    /// released), then return the old.
    MidiRoutes(Box<chronus_midi::Routes>),
    /// Put a new set of modules and cables in force, carrying over the old
    /// one's LFO phases and parameter bases, then return the old.
    Modulation(Box<super::rack::Rack>),
    /// Crossfade an effect to a new instance (same id), then return the old.
    ReplaceEffect {
        /// Which track.
        track: TrackId,
        /// Which effect.
        effect: EffectId,
        /// The new instance.
        with: Box<dyn Effect>,
    },
}

/// One message from the control thread: an event or a structural command,
/// each applied at its frame (or at once when that frame has passed).
pub enum ControlMsg {
    /// A note or parameter event.
    Event(Event),
    /// A structural change at `frame`.
    Command {
        /// When it applies.
        frame: u64,
        /// What changes.
        command: Command,
    },
}

impl ControlMsg {
    /// The frame the message applies at.
    pub fn frame(&self) -> u64 {
        match self {
            ControlMsg::Event(e) => e.frame,
            ControlMsg::Command { frame, .. } => *frame,
        }
    }
}

/// Objects the audio thread is done with, dropped on the control thread.
pub enum Garbage {
    /// A removed track and the slot it freed.
    Track {
        /// The id it had.
        id: TrackId,
        /// The track.
        track: Box<Track>,
    },
    /// A replaced instrument.
    Instrument(Box<dyn Instrument>),
    /// A removed or replaced effect.
    Effect(Box<dyn Effect>),
    /// A replaced MIDI routing table.
    Routes(Box<chronus_midi::Routes>),
    /// A command that could not be applied (its track was gone).
    Command(Command),
    /// A replaced set of modules and cables.
    Rack(Box<super::rack::Rack>),
    /// What a track's panic carried (freed here, not on the audio thread).
    Panic(Box<dyn std::any::Any + Send>),
}

/// Something the audio thread reports (small and `Copy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Notice {
    /// A track produced a NaN or infinity: it was reset and silenced for
    /// that block; the rest of the mix played on.
    Fault(TrackId),
    /// A command named a track that does not exist (or no longer does).
    StaleCommand(TrackId),
    /// A track panicked on the audio thread: it is silent from then on
    /// (until removed or replaced); the rest of the mix played on.
    Panic(TrackId),
    /// A module (by its name's [`rack::key_of`](super::rack::key_of))
    /// panicked on the audio thread: it is silent from then on (until
    /// removed or its definition changes); everything else played on.
    ModulePanic(u64),
}

/// Messages the engine holds for a later frame (preallocated; beyond it
/// messages wait in the ring).
pub const SCHEDULED_CAPACITY: usize = 4096;

/// A message waiting for its frame, in arrival order within a frame.
struct Scheduled {
    frame: u64,
    seq: u64,
    msg: ControlMsg,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.frame, self.seq) == (other.frame, other.seq)
    }
}
impl Eq for Scheduled {}
impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scheduled {
    /// Reversed: the max-heap then yields the earliest frame first.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (other.frame, other.seq).cmp(&(self.frame, self.seq))
    }
}

/// The audio-thread end: what the engine drains and fills.
pub struct ControlPort {
    messages: rtrb::Consumer<ControlMsg>,
    /// Messages taken from the ring, by frame (scsynth's scheduled bundles):
    /// a message for a later frame never holds up one for an earlier frame.
    scheduled: std::collections::BinaryHeap<Scheduled>,
    seq: u64,
    garbage: rtrb::Producer<Garbage>,
    notices: rtrb::Producer<Notice>,
    /// Garbage waiting for room in the return ring (never grows past its
    /// preallocated capacity).
    held: Vec<Garbage>,
    /// Garbage that found no room at all, deliberately leaked rather than
    /// freed on the audio thread.
    pub(super) leaked: u64,
    /// Notices dropped because the ring was full.
    pub(super) notices_dropped: u64,
}

impl ControlPort {
    /// Move messages from the ring into the schedule (within its capacity).
    /// Audio thread safe: never allocates.
    pub fn receive(&mut self) {
        while self.scheduled.len() < SCHEDULED_CAPACITY {
            let Ok(msg) = self.messages.pop() else { break };
            self.seq += 1;
            self.scheduled.push(Scheduled {
                frame: msg.frame(),
                seq: self.seq,
                msg,
            });
        }
    }

    /// The frame of the earliest scheduled message.
    pub fn next_frame(&self) -> Option<u64> {
        self.scheduled.peek().map(|s| s.frame)
    }

    /// Take the earliest scheduled message.
    pub fn take_next(&mut self) -> Option<ControlMsg> {
        self.scheduled.pop().map(|s| s.msg)
    }

    /// Messages scheduled for later.
    pub fn scheduled(&self) -> usize {
        self.scheduled.len()
    }

    /// Hand `g` back to the control thread. Audio thread safe: never frees.
    pub fn discard(&mut self, g: Garbage) {
        self.flush();
        let g = match self.garbage.push(g) {
            Ok(()) => return,
            Err(rtrb::PushError::Full(g)) => g,
        };
        if self.held.len() < self.held.capacity() {
            self.held.push(g);
        } else {
            // Never free on the audio thread: leak and count it.
            std::mem::forget(g);
            self.leaked += 1;
        }
    }

    /// Retry held garbage. Audio thread safe.
    pub fn flush(&mut self) {
        while let Some(g) = self.held.pop() {
            if let Err(rtrb::PushError::Full(g)) = self.garbage.push(g) {
                self.held.push(g);
                return;
            }
        }
    }

    /// Report `n`. Audio thread safe.
    pub fn notify(&mut self, n: Notice) {
        if self.notices.push(n).is_err() {
            self.notices_dropped += 1;
        }
    }
}

/// The control-thread end: send messages, collect garbage and notices.
pub struct EngineHandle {
    messages: rtrb::Producer<ControlMsg>,
    garbage: rtrb::Consumer<Garbage>,
    notices: rtrb::Consumer<Notice>,
}

/// Why a message was not sent.
#[derive(thiserror::Error)]
#[error("the engine's control queue is full ({CONTROL_CAPACITY} messages waiting): try again")]
pub struct QueueFull(
    /// The message that did not fit.
    pub Box<ControlMsg>,
);

impl std::fmt::Debug for QueueFull {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QueueFull")
    }
}

impl EngineHandle {
    /// Send one message.
    ///
    /// # Errors
    /// [`QueueFull`] (with the message) when the ring is full.
    pub fn send(&mut self, msg: ControlMsg) -> Result<(), QueueFull> {
        self.messages
            .push(msg)
            .map_err(|rtrb::PushError::Full(m)| QueueFull(Box::new(m)))
    }

    /// Free slots in the control ring.
    pub fn room(&self) -> usize {
        self.messages.slots()
    }

    /// Drop everything the audio thread returned, calling `freed` with the
    /// id of each track that came back (its slot is free again), and return
    /// the notices that arrived.
    pub fn collect(&mut self, mut freed: impl FnMut(TrackId), notices: &mut Vec<Notice>) {
        while let Ok(g) = self.garbage.pop() {
            if let Garbage::Track { id, .. } = &g {
                freed(*id);
            }
            drop(g);
        }
        while let Ok(n) = self.notices.pop() {
            notices.push(n);
        }
    }
}

/// A connected pair: the control thread's handle and the engine's port.
pub fn channel() -> (EngineHandle, ControlPort) {
    let (mut mp, mut mc) = rtrb::RingBuffer::new(CONTROL_CAPACITY);
    let (mut gp, mut gc) = rtrb::RingBuffer::new(RETURN_CAPACITY);
    let (mut np, mut nc) = rtrb::RingBuffer::new(RETURN_CAPACITY);
    // Touched now, so the audio thread's first writes do not page-fault.
    let nothing = || {
        ControlMsg::Event(Event {
            frame: 0,
            track: TrackId::MASTER,
            kind: EventKind::NoteOff { id: 0 },
        })
    };
    super::prefault::ring(&mut mp, &mut mc, nothing);
    // (a box of nothing: no allocation)
    super::prefault::ring(&mut gp, &mut gc, || Garbage::Panic(Box::new(())));
    super::prefault::ring(&mut np, &mut nc, || Notice::StaleCommand(TrackId::MASTER));
    let mut scheduled = std::collections::BinaryHeap::with_capacity(SCHEDULED_CAPACITY);
    let mut seq = 0;
    while scheduled.len() < SCHEDULED_CAPACITY {
        seq += 1;
        scheduled.push(Scheduled {
            frame: 0,
            seq,
            msg: nothing(),
        });
    }
    scheduled.clear();
    let mut held = Vec::with_capacity(HELD_CAPACITY);
    super::prefault::vec(&mut held, || Garbage::Panic(Box::new(())));
    (
        EngineHandle {
            messages: mp,
            garbage: gc,
            notices: nc,
        },
        ControlPort {
            messages: mc,
            scheduled,
            seq: 0,
            garbage: gp,
            notices: np,
            held,
            leaked: 0,
            notices_dropped: 0,
        },
    )
}
