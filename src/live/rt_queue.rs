//! The audio side of the event queue: an rtrb consumer as an [`EventQueue`].

use crate::engine::EventQueue;
use chronus_sequencer::Event;

/// Events arriving from the sequencer thread over an `rtrb` ring buffer.
/// Taking and putting back never allocates or blocks.
pub struct RtQueue {
    consumer: rtrb::Consumer<Event>,
    held: Option<Event>,
}

impl RtQueue {
    /// Wrap the consumer end of the sequencer's queue.
    pub fn new(consumer: rtrb::Consumer<Event>) -> Self {
        RtQueue {
            consumer,
            held: None,
        }
    }
}

impl RtQueue {
    /// Drop every event waiting (they were stamped for another rate).
    /// Control thread, while the audio thread is not rendering.
    pub fn clear(&mut self) {
        self.held = None;
        while self.consumer.pop().is_ok() {}
    }
}

impl EventQueue for RtQueue {
    fn next_before(&mut self, end: u64) -> Option<Event> {
        if let Some(ev) = self.held {
            if ev.frame < end {
                self.held = None;
                return Some(ev);
            }
            return None;
        }
        match self.consumer.peek() {
            Ok(ev) if ev.frame < end => self.consumer.pop().ok(),
            _ => None,
        }
    }

    fn put_back(&mut self, ev: Event) {
        self.held = Some(ev);
    }
}
