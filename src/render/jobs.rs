//! `chronus render --jobs N`: the song's tracks spread over N threads.
//!
//! Each track (or, past [`MAX_GROUPS`] tracks, each group of tracks) gets
//! an engine of its own holding only it, fed the whole schedule, which
//! records its output a chunk at a time. A pool of threads records the
//! chunks, the group furthest behind first; the main thread mixes them in
//! slot order (see [`crate::engine::stems`]) and records a chunk itself
//! when the one it needs is not ready: the work spreads over the threads
//! whichever tracks are busy in a passage, and the file is byte for byte
//! the one a single thread writes.

use super::StreamQueue;
use crate::engine::stems::Stems;
use crate::engine::Engine;
use chronus_dsp::MAX_BLOCK;
use chronus_sequencer::{Schedule, Song};
use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// Frames a worker renders at a time (about 85 ms at 48 kHz).
pub const CHUNK: usize = 64 * MAX_BLOCK;

/// Chunks a group may be recorded ahead of the mix (about 1.4 s at
/// 48 kHz), so memory stays bounded whatever the song's length.
const AHEAD: usize = 16;

/// The most engines a song's tracks are spread over.
pub const MAX_GROUPS: usize = 16;

/// Whether `song` can be split: its tracks must not reach each other
/// during a block. Free-running modules do not (every engine runs them
/// alike, and their cables reach each engine's own tracks), but an `env`
/// or an `arp` follows a track's notes and a send feeds a shared return:
/// a song with those renders on one thread.
pub fn can_split(song: &Song) -> bool {
    let follows = song
        .modulation
        .modules
        .iter()
        .any(|(_, m)| m.kind.follows_a_track());
    !follows && song.modulation.sends.is_empty() && song.tracks.len() > 1
}

/// A rough cost of rendering `spec`, in units of a drum voice (measured
/// on the demo songs: a synth voice through its ladder filter, a reverb,
/// a chorus and the oversampled distortion are the heavy parts).
fn cost(spec: &chronus_sequencer::song::InstrumentSpec) -> usize {
    let voices = match spec.kind() {
        "synth" => 4 + spec.polyphony().min(8),
        "fm" => 3 + spec.polyphony().min(8),
        "sampler" | "kit" => 4,
        _ => 2,
    };
    let effects: usize = spec
        .effects()
        .iter()
        .map(|e| match e.kind() {
            "reverb" | "chorus" => 5,
            "distortion" => 6,
            "phaser" => 3,
            _ => 1,
        })
        .sum();
    voices + effects
}

/// The song's tracks in groups: one a track, or past [`MAX_GROUPS`]
/// tracks, groups of about the same cost (the costliest first, each to the
/// lightest group).
pub fn groups(song: &Song) -> Vec<Vec<usize>> {
    let n = song.tracks.len().min(crate::engine::MAX_TRACKS);
    let count = n.clamp(1, MAX_GROUPS);
    let cost = |i: usize| cost(&song.tracks[i].spec);
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cost(i)));
    let mut groups = vec![(0usize, Vec::new()); count];
    for i in order {
        if let Some(g) = groups.iter_mut().min_by_key(|g| g.0) {
            g.0 += cost(i);
            g.1.push(i);
        }
    }
    groups
        .into_iter()
        .map(|(_, mut g)| {
            g.sort_unstable();
            g
        })
        .collect()
}

/// One group's engine and schedule, and its scratch.
struct Group {
    engine: Engine,
    queue: StreamQueue,
    voices: Vec<u32>,
}

impl Group {
    /// Record the group's next chunk into `chunk`.
    fn record(&mut self, mut chunk: Box<Stems>) -> Box<Stems> {
        let (mut l, mut r) = ([0.0f32; MAX_BLOCK], [0.0f32; MAX_BLOCK]);
        chunk.clear(self.engine.frame());
        let slots = chunk.slots.clone();
        self.engine.give_chunk(0, chunk);
        self.queue.fill_until(self.engine.frame() + CHUNK as u64);
        for v in &mut self.voices {
            self.engine.render(&mut self.queue, &mut l, &mut r);
            *v = u32::try_from(self.engine.active_voices()).unwrap_or(u32::MAX);
        }
        let mut chunk = self
            .engine
            .take_chunk(0)
            .unwrap_or_else(|| Box::new(Stems::new(&slots, CHUNK)));
        chunk.voices.copy_from_slice(&self.voices);
        chunk
    }
}

/// What the threads share, under one lock.
struct State {
    /// Each group's engine, or None while a thread records it.
    groups: Vec<Option<Box<Group>>>,
    /// Each group's recorded chunks, in order, waiting for the mix.
    done: Vec<VecDeque<Box<Stems>>>,
    /// Each group's chunks free to record into (boxed: they move between
    /// threads and engines without copying).
    #[allow(clippy::vec_box)]
    free: Vec<Vec<Box<Stems>>>,
    /// The render is over (or broken): the threads leave.
    stop: bool,
    /// A group's recording panicked: its chunks will never come.
    broken: bool,
}

impl State {
    /// The group furthest behind that is here and has room.
    fn behind(&self) -> Option<usize> {
        (0..self.groups.len())
            .filter(|&g| !self.free[g].is_empty())
            .filter_map(|g| Some((self.groups[g].as_ref()?.engine.frame(), g)))
            .min()
            .map(|(_, g)| g)
    }

    /// Take group `g` and a free chunk of its to record, if both are here.
    fn take(&mut self, g: usize) -> Option<(Box<Group>, Box<Stems>)> {
        if self.groups.get(g)?.is_none() || self.free.get(g)?.is_empty() {
            return None;
        }
        let chunk = self.free[g].pop()?;
        Some((self.groups[g].take()?, chunk))
    }
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed
            .wait(guard)
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Record `chunk` of group `g` with the lock released, then hand it
    /// over.
    fn record<'a>(
        &'a self,
        guard: MutexGuard<'a, State>,
        g: usize,
        mut group: Box<Group>,
        chunk: Box<Stems>,
    ) -> MutexGuard<'a, State> {
        drop(guard);
        let recorded = catch_unwind(AssertUnwindSafe(|| group.record(chunk)));
        let mut st = self.lock();
        match recorded {
            Ok(chunk) => {
                st.groups[g] = Some(group);
                st.done[g].push_back(chunk);
            }
            Err(_) => st.broken = true,
        }
        self.changed.notify_all();
        st
    }
}

/// The threads recording the groups of one render.
pub struct Workers {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
}

impl Workers {
    /// An engine for each of `groups` (each with its own schedule for
    /// `song`), recorded by `threads` threads besides the caller's; None
    /// when a thread could not be started.
    pub fn start(
        song: &Song,
        rate: u32,
        bars: usize,
        groups: &[Vec<usize>],
        threads: usize,
    ) -> Option<Self> {
        let mut state = State {
            groups: Vec::new(),
            done: Vec::new(),
            free: Vec::new(),
            stop: false,
            broken: false,
        };
        for slots in groups {
            let mut engine = Engine::new(song, rate);
            engine.record_only(slots);
            state.groups.push(Some(Box::new(Group {
                engine,
                queue: StreamQueue::new(Schedule::new(song, rate), bars),
                voices: vec![0; CHUNK / MAX_BLOCK],
            })));
            state.done.push(VecDeque::with_capacity(AHEAD));
            state.free.push(
                (0..AHEAD)
                    .map(|_| Box::new(Stems::new(slots, CHUNK)))
                    .collect(),
            );
        }
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            changed: Condvar::new(),
        });
        let mut workers = Workers {
            shared,
            threads: Vec::new(),
        };
        for _ in 0..threads {
            let shared = Arc::clone(&workers.shared);
            let t = std::thread::Builder::new()
                .name("chronus-render".into())
                .spawn(move || work(&shared))
                .ok()?;
            workers.threads.push(t);
        }
        Some(workers)
    }

    /// Threads rendering besides the caller's.
    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// How many groups there are.
    pub fn len(&self) -> usize {
        self.shared.lock().groups.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Group `k`'s next chunk, recorded here if no thread has it yet
    /// (None: a recording failed).
    pub fn next(&mut self, k: usize) -> Option<Box<Stems>> {
        let shared = &*self.shared;
        let mut st = shared.lock();
        loop {
            if st.broken {
                return None;
            }
            if let Some(c) = st.done.get_mut(k)?.pop_front() {
                return Some(c);
            }
            // Not recorded yet: record it, or while another thread does,
            // the group furthest behind.
            let g = if st.groups.get(k).is_some_and(Option::is_some) {
                Some(k)
            } else {
                st.behind()
            };
            st = match g.and_then(|g| st.take(g).map(|t| (g, t))) {
                Some((g, (group, chunk))) => shared.record(st, g, group, chunk),
                None => shared.wait(st),
            };
        }
    }

    /// Give group `k` back a chunk to record into.
    pub fn give_back(&mut self, k: usize, chunk: Box<Stems>) {
        let mut st = self.shared.lock();
        if let Some(free) = st.free.get_mut(k) {
            free.push(chunk);
        }
        self.shared.changed.notify_all();
    }
}

impl Drop for Workers {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// A pool thread: record the chunk of the group furthest behind that has
/// room, until the render is over.
fn work(shared: &Shared) {
    let mut st = shared.lock();
    loop {
        if st.stop || st.broken {
            return;
        }
        st = match st.behind().and_then(|g| st.take(g).map(|t| (g, t))) {
            Some((g, (group, chunk))) => shared.record(st, g, group, chunk),
            None => shared.wait(st),
        };
    }
}
