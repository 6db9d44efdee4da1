//! MIDI inside the engine: raw JACK events and messages from other threads
//! (ALSA) become frame-stamped engine events through the router.
//!
//! ```text
//!  JACK port ─ bytes at their frame ─► Parser ─┐
//!  ALSA (midir thread) ─rtrb<Timed>───────────┼─► Router ─► pending ─► render
//!  control thread ─Command::MidiRoutes────────┘   (sorted by frame, merged
//!                                                  with the sequencer's events)
//! ```
//!
//! A JACK event at offset `k` of a period is applied at frame `k` of the
//! period rendered in the same callback: MIDI in to sound out is then the
//! port latency, exactly, with no jitter. Messages from the ALSA thread
//! carry the frame the audio clock gave their arrival (one period ahead of
//! now, as an immediate OSC note). Nothing here allocates once built.

use super::queue::EventQueue;
use chronus_midi::{Message, Parser, Router, Routes};
use chronus_sequencer::Event;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Engine events from MIDI waiting for their frame.
pub const PENDING_CAPACITY: usize = 4096;
/// Messages from other threads waiting for the audio thread.
pub const INBOX_CAPACITY: usize = 4096;

/// A message from another thread and the frame it applies at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timed {
    /// Absolute frame.
    pub frame: u64,
    /// The message.
    pub message: Message,
}

/// Counters the audio thread publishes (atomics; read anywhere).
#[derive(Debug, Default)]
pub struct MidiCounters {
    messages: AtomicU64,
    notes: AtomicU64,
    unrouted: AtomicU64,
    mapped: AtomicU64,
    bad: AtomicU64,
    sysex: AtomicU64,
    dropped: AtomicU64,
    /// Count, channel and number of the last controller moved, packed as
    /// `count << 16 | channel << 8 | controller` (0: none yet).
    last_control: AtomicU64,
}

/// A snapshot of [`MidiCounters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MidiStats {
    /// Messages taken in (clock and sensing included).
    pub messages: u64,
    /// Notes played on a track.
    pub notes: u64,
    /// Notes on a channel no track plays.
    pub unrouted: u64,
    /// Controller moves that moved a mapped parameter.
    pub mapped: u64,
    /// Malformed input: truncated messages, data bytes with no status,
    /// undefined bytes.
    pub bad: u64,
    /// SysEx messages skipped.
    pub sysex: u64,
    /// Events dropped because too many were waiting.
    pub dropped: u64,
    /// The last controller moved: count, channel 0..=15, number.
    pub last_control: Option<(u64, u8, u8)>,
}

impl MidiCounters {
    /// Read every counter.
    pub fn get(&self) -> MidiStats {
        let l = self.last_control.load(Ordering::Acquire);
        MidiStats {
            messages: self.messages.load(Ordering::Relaxed),
            notes: self.notes.load(Ordering::Relaxed),
            unrouted: self.unrouted.load(Ordering::Relaxed),
            mapped: self.mapped.load(Ordering::Relaxed),
            bad: self.bad.load(Ordering::Relaxed),
            sysex: self.sysex.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            last_control: (l != 0).then_some((l >> 16, (l >> 8) as u8, l as u8)),
        }
    }

    /// Add malformed input found off the audio thread (an ALSA port's parser).
    pub fn add_bad(&self, bad: u64, sysex: u64) {
        self.bad.fetch_add(bad, Ordering::Relaxed);
        self.sysex.fetch_add(sysex, Ordering::Relaxed);
    }
}

/// What other threads hold of the engine's MIDI side.
pub struct MidiLink {
    /// The counters.
    pub counters: Arc<MidiCounters>,
    /// Where other threads (ALSA input) send messages; taken once.
    pub inbox: Option<rtrb::Producer<Timed>>,
    /// Incoming clock and transport (clock, start, stop, continue, song
    /// position) with the frame each came at, for `tempo follow midi`.
    pub clock: Option<rtrb::Consumer<Timed>>,
}

/// Clock messages waiting for the control thread (about 20 s at 120 BPM).
pub const CLOCK_CAPACITY: usize = 1024;

fn is_clock(m: &Message) -> bool {
    matches!(
        m,
        Message::Clock
            | Message::Start
            | Message::Stop
            | Message::Continue
            | Message::SongPosition(_)
    )
}

/// The engine's MIDI side (audio thread).
pub struct Midi {
    router: Router,
    parser: Parser,
    pending: VecDeque<Event>,
    inbox: rtrb::Consumer<Timed>,
    clock: rtrb::Producer<Timed>,
    counters: Arc<MidiCounters>,
    dropped: u64,
    /// ALSA-side malformed counts are added to the counters directly.
    bad_offset: (u64, u64),
}

impl Midi {
    /// The MIDI side of an engine at `rate` Hz and its link. Allocates.
    pub fn new(rate: u32) -> (Midi, MidiLink) {
        let (tx, rx) = rtrb::RingBuffer::new(INBOX_CAPACITY);
        let (clock_tx, clock_rx) = rtrb::RingBuffer::new(CLOCK_CAPACITY);
        let counters = Arc::new(MidiCounters::default());
        let midi = Midi {
            router: Router::new(rate),
            parser: Parser::new(),
            pending: VecDeque::with_capacity(PENDING_CAPACITY),
            inbox: rx,
            clock: clock_tx,
            counters: Arc::clone(&counters),
            dropped: 0,
            bad_offset: (0, 0),
        };
        let link = MidiLink {
            counters,
            inbox: Some(tx),
            clock: Some(clock_rx),
        };
        (midi, link)
    }

    /// Take `old`'s inbox and counters (control thread).
    pub fn take_links_from(&mut self, old: &mut Midi) {
        std::mem::swap(&mut self.inbox, &mut old.inbox);
        std::mem::swap(&mut self.clock, &mut old.clock);
        std::mem::swap(&mut self.counters, &mut old.counters);
    }

    /// One raw event (a JACK MIDI event) at `frame`.
    pub fn raw(&mut self, frame: u64, bytes: &[u8]) {
        let Midi {
            router,
            parser,
            pending,
            dropped,
            clock,
            ..
        } = self;
        parser.push_event(bytes, |m| {
            if is_clock(&m) && clock.push(Timed { frame, message: m }).is_err() {
                *dropped += 1;
            }
            router.message(frame, m, &mut |e| push(pending, dropped, e));
        });
    }

    /// Route the messages other threads sent; none is applied before `now`.
    pub fn drain_inbox(&mut self, now: u64) {
        while let Ok(t) = self.inbox.pop() {
            let frame = t.frame.max(now);
            if is_clock(&t.message) && self.clock.push(Timed { frame, ..t }).is_err() {
                self.dropped += 1;
            }
            let (router, pending, dropped) =
                (&mut self.router, &mut self.pending, &mut self.dropped);
            router.message(frame, t.message, &mut |e| push(pending, dropped, e));
        }
    }

    /// Add `e` to `pending` in frame order (counted as dropped when full).
    /// Audio thread safe.
    pub fn push(&mut self, pending: &mut VecDeque<Event>, e: Event) {
        push(pending, &mut self.dropped, e);
    }

    /// Vibrato for the control block starting at `frame`.
    pub fn tick(&mut self, frame: u64, frames: u32, pending: &mut VecDeque<Event>) {
        let dropped = &mut self.dropped;
        self.router
            .tick(frame, frames, &mut |e| push(pending, dropped, e));
    }

    /// Put `routes` in force at `frame`; the events it makes (note-offs,
    /// bends back) go to `apply` at once. Returns the old table.
    pub fn set_routes(
        &mut self,
        routes: Box<Routes>,
        frame: u64,
        apply: &mut dyn FnMut(Event),
    ) -> Box<Routes> {
        self.router.set_routes(routes, frame, apply)
    }

    /// The waiting events, taken out for a render (put them back with
    /// [`Midi::restore`]). Never allocates.
    pub fn take_pending(&mut self) -> VecDeque<Event> {
        std::mem::take(&mut self.pending)
    }

    /// Put the waiting events back after a render.
    pub fn restore(&mut self, pending: VecDeque<Event>) {
        self.pending = pending;
    }

    /// Publish the counters (audio thread: atomic stores only).
    pub fn publish(&mut self) {
        let r = self.router.stats();
        let p = self.parser.stats();
        let c = &self.counters;
        c.messages.store(r.messages, Ordering::Relaxed);
        c.notes.store(r.notes, Ordering::Relaxed);
        c.unrouted.store(r.unrouted, Ordering::Relaxed);
        c.mapped.store(r.mapped, Ordering::Relaxed);
        // The parser's counts join what the ALSA side added.
        let (bad, sysex) = (p.bad(), p.sysex);
        c.bad.fetch_add(bad - self.bad_offset.0, Ordering::Relaxed);
        c.sysex
            .fetch_add(sysex - self.bad_offset.1, Ordering::Relaxed);
        self.bad_offset = (bad, sysex);
        c.dropped.store(self.dropped, Ordering::Relaxed);
        if let Some((n, ch, cc)) = r.last_control {
            let packed = (n << 16) | (u64::from(ch) << 8) | u64::from(cc);
            c.last_control.store(packed, Ordering::Release);
        }
    }
}

/// Insert `e` in frame order (from the back: MIDI mostly comes in order),
/// within the preallocated capacity; beyond it, count and drop.
pub fn push(pending: &mut VecDeque<Event>, dropped: &mut u64, e: Event) {
    if pending.len() >= pending.capacity().max(1) {
        *dropped += 1;
        return;
    }
    let at = pending
        .iter()
        .rposition(|p| p.frame <= e.frame)
        .map_or(0, |i| i + 1);
    pending.insert(at, e);
}

/// The sequencer's queue and the MIDI events, in frame order (the
/// sequencer's first within a frame).
pub struct Merged<'a> {
    /// The sequencer's events.
    pub events: &'a mut dyn EventQueue,
    /// MIDI's.
    pub midi: &'a mut VecDeque<Event>,
    /// Where the last event taken came from (for `put_back`).
    pub last_midi: bool,
}

impl EventQueue for Merged<'_> {
    fn next_before(&mut self, end: u64) -> Option<Event> {
        let seq = self.events.next_before(end);
        let midi = self.midi.front().copied().filter(|e| e.frame < end);
        match (seq, midi) {
            (Some(s), Some(m)) if m.frame < s.frame => {
                self.events.put_back(s);
                self.last_midi = true;
                self.midi.pop_front()
            }
            (Some(s), _) => {
                self.last_midi = false;
                Some(s)
            }
            (None, Some(_)) => {
                self.last_midi = true;
                self.midi.pop_front()
            }
            (None, None) => None,
        }
    }

    fn put_back(&mut self, ev: Event) {
        if self.last_midi {
            // Taken from the front within capacity: room for it again.
            self.midi.push_front(ev);
        } else {
            self.events.put_back(ev);
        }
    }
}
