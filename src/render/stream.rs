//! The schedule of a song, made a bar at a time as the render reaches it,
//! so memory holds about two bars of events whatever the song's length
//! (the live sequencer works the same way).

use crate::engine::{EventQueue, VecQueue};
use chronus_sequencer::{Event, Schedule};

/// Bars made ahead of the frame being rendered (a bar's events never start
/// before the bar; a note-off may end far after it).
const AHEAD: usize = 1;

/// The events of bars `0..bars` of a schedule, made on demand, in the
/// order the whole schedule sorted at once would give (a stable sort by
/// frame, kind and track, bars made in order).
pub struct StreamQueue {
    schedule: Schedule,
    bars: usize,
    /// The next bar to make.
    next_bar: usize,
    /// Made and not yet taken.
    queue: VecQueue,
}

impl StreamQueue {
    /// The events of `schedule`'s first `bars` bars.
    pub fn new(schedule: Schedule, bars: usize) -> Self {
        StreamQueue {
            schedule,
            bars,
            next_bar: 0,
            queue: VecQueue::default(),
        }
    }

    /// Make the bars that start before `end` (and one more), so every
    /// event before `end` is here. Allocates: not on the audio thread.
    pub fn fill_until(&mut self, end: u64) {
        let first = self.next_bar;
        while self.next_bar < self.bars
            && self.schedule.bar_frame(self.next_bar.saturating_sub(AHEAD)) < end
        {
            self.next_bar += 1;
        }
        if self.next_bar > first {
            let (schedule, bars) = (&mut self.schedule, first..self.next_bar);
            // Stable: equal keys keep the order the bars were made in.
            self.queue.extend_with(|events| {
                for bar in bars {
                    schedule.bar_events(bar, events);
                }
            });
        }
    }

    /// Events made and not yet taken.
    pub fn pending(&self) -> usize {
        self.queue.remaining()
    }

    /// The most events it has held at once.
    pub fn capacity(&self) -> usize {
        self.queue.capacity()
    }
}

impl EventQueue for StreamQueue {
    fn next_before(&mut self, end: u64) -> Option<Event> {
        self.queue.next_before(end)
    }

    fn put_back(&mut self, ev: Event) {
        self.queue.put_back(ev);
    }
}
