//! A fixed song as a [`Timeline`]: its arrangement bar by bar, once or
//! looping (`chronus play`). The events are exactly the offline render's.

use super::sequencer::Timeline;
use chronus_sequencer::schedule::sort_events;
use chronus_sequencer::{Event, Schedule, Song};
use std::collections::VecDeque;

/// A song's arrangement, generated a bar at a time.
pub struct SongTimeline {
    schedule: Schedule,
    looping: bool,
    next_bar: usize,
    /// Sorted as the offline renderer sorts (stable, by frame, note-offs
    /// first, then track), so simultaneous events apply in the same order.
    pending: VecDeque<Event>,
    fresh: Vec<Event>,
}

impl SongTimeline {
    /// The timeline of `song` at `rate`; `looping` plays it again and again.
    pub fn new(song: &Song, rate: u32, looping: bool) -> Self {
        let mut schedule = Schedule::new(song, rate);
        schedule.set_looping(looping);
        SongTimeline {
            schedule,
            looping,
            next_bar: 0,
            pending: VecDeque::new(),
            fresh: Vec::new(),
        }
    }
}

impl SongTimeline {
    /// Count at `rate` from now on: resume at the bar after the last one
    /// generated; its frame at the new rate.
    pub fn rerate(&mut self, rate: u32) -> u64 {
        let song = self.schedule.song().clone();
        self.schedule = Schedule::new(&song, rate);
        self.schedule.set_looping(self.looping);
        self.pending.clear();
        self.schedule.bar_frame(self.next_bar)
    }

    /// The song.
    pub fn song(&self) -> &Song {
        self.schedule.song()
    }
}

impl Timeline for SongTimeline {
    fn pump(&mut self, horizon: u64, push: &mut dyn FnMut(Event) -> bool) -> bool {
        let total = self.schedule.song().bar_count();
        let mut added = false;
        while (self.looping || self.next_bar < total)
            && self.schedule.bar_frame(self.next_bar) < horizon
        {
            self.schedule.bar_events(self.next_bar, &mut self.fresh);
            self.next_bar += 1;
            added = true;
        }
        if added {
            self.pending.extend(self.fresh.drain(..));
            sort_events(self.pending.make_contiguous());
        }
        while let Some(&ev) = self.pending.front() {
            if ev.frame >= horizon || !push(ev) {
                break;
            }
            self.pending.pop_front();
        }
        !self.looping && self.next_bar >= total && self.pending.is_empty()
    }

    fn end_frame(&self) -> Option<u64> {
        (!self.looping).then(|| self.schedule.end_frame())
    }
}
