//! Where the engine takes its events from.

use chronus_sequencer::Event;

/// A source of frame-ordered events for [`super::Engine::render`].
/// Implementations used on the audio thread must not allocate or block.
pub trait EventQueue {
    /// The next event if its frame is before `end`, removing it.
    fn next_before(&mut self, end: u64) -> Option<Event>;
    /// Put back the event just taken (it is due later in the block).
    fn put_back(&mut self, ev: Event);
}

/// A whole song's events, sorted by frame (the offline renderer's queue).
#[derive(Clone, Debug, Default)]
pub struct VecQueue {
    events: Vec<Event>,
    cursor: usize,
}

impl VecQueue {
    /// A queue over `events`, which must be sorted by frame
    /// (see [`chronus_sequencer::schedule::sort_events`]).
    pub fn new(events: Vec<Event>) -> Self {
        VecQueue { events, cursor: 0 }
    }

    /// Events not yet taken.
    pub fn remaining(&self) -> usize {
        self.events.len() - self.cursor
    }

    /// Drop the events taken, let `more` append new ones, and sort what is
    /// left (stably: equal keys keep the order they came in). Allocates.
    pub fn extend_with(&mut self, more: impl FnOnce(&mut Vec<Event>)) {
        self.events.drain(..self.cursor);
        self.cursor = 0;
        more(&mut self.events);
        chronus_sequencer::schedule::sort_events(&mut self.events);
    }

    /// The most events it has held at once (its capacity).
    pub fn capacity(&self) -> usize {
        self.events.capacity()
    }
}

impl EventQueue for VecQueue {
    fn next_before(&mut self, end: u64) -> Option<Event> {
        let ev = *self.events.get(self.cursor)?;
        if ev.frame < end {
            self.cursor += 1;
            Some(ev)
        } else {
            None
        }
    }

    fn put_back(&mut self, _ev: Event) {
        self.cursor -= 1;
    }
}
