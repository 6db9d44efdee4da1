//! The last seconds of what the engine played, kept off the audio thread
//! from the capture ring (`crate::engine::capture`): the master output,
//! each block's meters and every track's loudness, the notes, and the
//! tapped tracks' own audio.

use crate::engine::capture::{Captured, TrackBlock};
use chronus_dsp::MAX_BLOCK;
use chronus_sequencer::{Event, TrackId};
use std::collections::{HashMap, VecDeque};

/// Seconds of history kept live.
pub const SECONDS: f64 = 32.0;

/// Stereo audio in a circular buffer addressed by absolute frame.
pub struct Ring {
    left: Vec<f32>,
    right: Vec<f32>,
    /// One past the last frame written.
    end: u64,
    /// The first frame written (nothing before it is held).
    first: Option<u64>,
}

impl Ring {
    /// A ring holding `frames` frames. Allocates.
    pub fn new(frames: usize) -> Self {
        Ring {
            left: vec![0.0; frames.max(MAX_BLOCK)],
            right: vec![0.0; frames.max(MAX_BLOCK)],
            end: 0,
            first: None,
        }
    }

    fn len(&self) -> usize {
        self.left.len()
    }

    /// Write `left`/`right` at absolute frame `frame` (a gap since the
    /// last write is filled with silence).
    pub fn write(&mut self, frame: u64, left: &[f32], right: &[f32]) {
        let n = self.len() as u64;
        if self.first.is_none() {
            self.first = Some(frame);
            self.end = frame;
        }
        if frame > self.end {
            let gap = (frame - self.end).min(n);
            for f in frame - gap..frame {
                let i = (f % n) as usize;
                self.left[i] = 0.0;
                self.right[i] = 0.0;
            }
        }
        for (k, (l, r)) in left.iter().zip(right).enumerate() {
            let i = ((frame + k as u64) % n) as usize;
            self.left[i] = *l;
            self.right[i] = *r;
        }
        self.end = self.end.max(frame + left.len().min(right.len()) as u64);
    }

    /// The frames held: from the oldest to one past the newest.
    pub fn held(&self) -> (u64, u64) {
        let Some(first) = self.first else {
            return (0, 0);
        };
        (
            first.max(self.end.saturating_sub(self.len() as u64)),
            self.end,
        )
    }

    /// Frames `from..to` (clamped to what is held), and the frame the
    /// copy starts at.
    pub fn read(&self, from: u64, to: u64) -> (u64, Vec<f32>, Vec<f32>) {
        let (lo, hi) = self.held();
        let (from, to) = (from.max(lo), to.min(hi));
        if to <= from {
            return (from, Vec::new(), Vec::new());
        }
        let n = self.len() as u64;
        let idx = (from..to).map(|f| (f % n) as usize);
        let left = idx.clone().map(|i| self.left[i]).collect();
        let right = idx.map(|i| self.right[i]).collect();
        (from, left, right)
    }
}

/// One block's meters.
#[derive(Clone, Debug)]
struct Meter {
    frame: u64,
    clipped: u32,
    reduction_db: f32,
    faults: u64,
    late: u64,
    energy: Vec<(TrackId, f32)>,
}

/// What was played over a span, taken out of the history.
#[derive(Clone, Debug, Default)]
pub struct Span {
    /// The span's first frame (absolute; the start of `left`).
    pub start: u64,
    /// The master output.
    pub left: Vec<f32>,
    /// The master output, right.
    pub right: Vec<f32>,
    /// Tapped tracks' own audio (starting at `start`, zero where the tap
    /// had not begun).
    pub taps: HashMap<TrackId, (Vec<f32>, Vec<f32>)>,
    /// Each track's sum of squares over the span.
    pub energy: HashMap<TrackId, f64>,
    /// Each block's frame and every track's sum of squares in it (levels
    /// over time without a tap).
    pub blocks: Vec<(u64, Vec<(TrackId, f32)>)>,
    /// Notes started and released in the span (and notes still sounding
    /// when it began), in order.
    pub notes: Vec<Event>,
    /// Samples over full scale before the limiter.
    pub clipped: u64,
    /// The limiter's largest gain reduction, dB.
    pub reduction_db: f32,
    /// Tracks reset for non-finite output.
    pub faults: u64,
    /// Events that arrived late.
    pub late: u64,
    /// Backend xruns.
    pub xruns: u64,
    /// Capture records dropped (the reading thread fell behind).
    pub dropped: u64,
}

/// The history itself.
pub struct History {
    rate: u32,
    frames: usize,
    master: Ring,
    meters: VecDeque<Meter>,
    taps: HashMap<TrackId, Ring>,
    notes: VecDeque<Event>,
    /// (frame, xruns so far), sampled as records arrive.
    xruns: VecDeque<(u64, u64)>,
    /// (frame, records dropped so far).
    dropped: VecDeque<(u64, u64)>,
}

impl History {
    /// A history of `seconds` at `rate`. Allocates (about 0.4 MB a
    /// second, and as much again per tapped track).
    pub fn new(rate: u32, seconds: f64) -> Self {
        let frames = (seconds.max(0.1) * f64::from(rate)) as usize;
        History {
            rate,
            frames,
            master: Ring::new(frames),
            meters: VecDeque::new(),
            taps: HashMap::new(),
            notes: VecDeque::new(),
            xruns: VecDeque::new(),
            dropped: VecDeque::new(),
        }
    }

    /// The sample rate.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The frames of master output held.
    pub fn held(&self) -> (u64, u64) {
        self.master.held()
    }

    /// The frames of `id`'s own audio held (none when never tapped).
    pub fn tap_held(&self, id: TrackId) -> Option<(u64, u64)> {
        self.taps.get(&id).map(Ring::held)
    }

    /// Take in one record.
    pub fn push(&mut self, record: Captured) {
        match record {
            Captured::Block(b) => {
                self.master.write(b.frame, &b.left, &b.right);
                let energy = (0..usize::from(b.used))
                    .filter(|&s| b.energy[s] > 0.0)
                    .map(|s| (TrackId::new(s as u16, b.generation[s]), b.energy[s]))
                    .collect();
                self.meters.push_back(Meter {
                    frame: b.frame,
                    clipped: b.clipped,
                    reduction_db: b.reduction_db,
                    faults: b.faults,
                    late: b.late,
                    energy,
                });
                self.prune(b.frame);
            }
            Captured::Track(t) => self.track(&t),
            Captured::Note(e) => self.notes.push_back(e),
        }
    }

    fn track(&mut self, t: &TrackBlock) {
        let frames = self.frames;
        self.taps
            .entry(t.id)
            .or_insert_with(|| Ring::new(frames))
            .write(t.frame, &t.left, &t.right);
    }

    /// Note the backend's xrun count and the dropped records so far.
    pub fn counters(&mut self, xruns: u64, dropped: u64) {
        let at = self.master.end;
        self.xruns.push_back((at, xruns));
        self.dropped.push_back((at, dropped));
    }

    /// Forget what is older than the history's length.
    fn prune(&mut self, now: u64) {
        let oldest = now.saturating_sub(self.frames as u64);
        while self.meters.front().is_some_and(|m| m.frame < oldest) {
            self.meters.pop_front();
        }
        // Keep note-ons that may still sound: a minute further back.
        let notes_from = oldest.saturating_sub(60 * u64::from(self.rate));
        while self.notes.front().is_some_and(|e| e.frame < notes_from) {
            self.notes.pop_front();
        }
        for q in [&mut self.xruns, &mut self.dropped] {
            while q.len() > 1 && q[1].0 < oldest {
                q.pop_front();
            }
        }
        self.taps.retain(|_, r| r.held().1 >= oldest);
    }

    /// What played over frames `from..to` (clamped to what is held).
    pub fn span(&self, from: u64, to: u64) -> Span {
        let (start, left, right) = self.master.read(from, to);
        let end = start + left.len() as u64;
        let mut span = Span {
            start,
            left,
            right,
            ..Span::default()
        };
        for (id, ring) in &self.taps {
            let (at, l, r) = ring.read(start, end);
            if l.is_empty() {
                continue;
            }
            // Aligned with the master: silence before the tap began.
            let pad = (at - start) as usize;
            let mut left = vec![0.0; pad];
            left.extend_from_slice(&l);
            left.resize(span.left.len(), 0.0);
            let mut right = vec![0.0; pad];
            right.extend_from_slice(&r);
            right.resize(span.left.len(), 0.0);
            span.taps.insert(*id, (left, right));
        }
        let mut first: Option<&Meter> = None;
        let mut last: Option<&Meter> = None;
        for m in self
            .meters
            .iter()
            .filter(|m| m.frame + MAX_BLOCK as u64 > start && m.frame < end)
        {
            first.get_or_insert(m);
            last = Some(m);
            span.clipped += u64::from(m.clipped);
            span.reduction_db = span.reduction_db.max(m.reduction_db);
            for (id, e) in &m.energy {
                *span.energy.entry(*id).or_default() += f64::from(*e);
            }
            span.blocks.push((m.frame, m.energy.clone()));
        }
        if let (Some(a), Some(b)) = (first, last) {
            // Counters are totals so far: the span's share is the growth
            // from the block before it.
            let before = self
                .meters
                .iter()
                .rev()
                .find(|m| m.frame < a.frame)
                .unwrap_or(a);
            span.faults = b.faults - before.faults.min(b.faults);
            span.late = b.late - before.late.min(b.late);
        }
        span.xruns = growth(&self.xruns, start, end);
        span.dropped = growth(&self.dropped, start, end);
        span.notes = self
            .notes
            .iter()
            .filter(|e| e.frame < end)
            .copied()
            .collect();
        span
    }
}

/// How much a running total sampled at frames grew between `from` and
/// `to`.
fn growth(samples: &VecDeque<(u64, u64)>, from: u64, to: u64) -> u64 {
    let at = |frame: u64| {
        samples
            .iter()
            .rev()
            .find(|(f, _)| *f <= frame)
            .map_or(0, |s| s.1)
    };
    let a = at(from);
    let b = at(to);
    b.saturating_sub(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_reads_back_what_was_written_across_the_wrap() {
        let mut r = Ring::new(100);
        for block in 0..5u64 {
            let l: Vec<f32> = (0..64).map(|k| (block * 64 + k) as f32).collect();
            r.write(block * 64, &l, &l);
        }
        assert_eq!(r.held(), (220, 320));
        let (at, l, _) = r.read(0, 400);
        assert_eq!(at, 220);
        assert_eq!(l.len(), 100);
        assert!(l.iter().enumerate().all(|(k, v)| *v == (220 + k) as f32));
    }

    #[test]
    fn a_gap_reads_as_silence() {
        let mut r = Ring::new(1000);
        r.write(0, &[1.0; 64], &[1.0; 64]);
        r.write(128, &[2.0; 64], &[2.0; 64]);
        let (_, l, _) = r.read(0, 192);
        assert_eq!(l[63], 1.0);
        assert_eq!(l[64], 0.0);
        assert_eq!(l[128], 2.0);
    }
}
