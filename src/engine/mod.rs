//! The voice engine: every track of a song, mixed and limited.
//!
//! The [`Engine`] runs on the audio thread (or the offline render loop).
//! It is built, with every buffer it will ever use, on a control thread by
//! [`Engine::new`]; after that, [`Engine::render`] never allocates, frees,
//! locks or blocks. Events are applied at their exact frame inside a block:
//! the block is rendered up to the event, the event is applied, rendering
//! goes on. Sub-blocks never cross a multiple of `MAX_BLOCK` frames, so the
//! output does not depend on the caller's block size.

mod queue;
mod track;

pub use queue::{EventQueue, VecQueue};
pub use track::Track;

use chronus_dsp::effects::Limiter;
use chronus_dsp::MAX_BLOCK;
use chronus_sequencer::{Event, EventKind, Song};

/// Counters the engine keeps while it renders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    /// Frames rendered since the start.
    pub frames: u64,
    /// Events applied.
    pub events: u64,
    /// Events that arrived after their frame (applied at the block start).
    pub late_events: u64,
    /// Events for a track that does not exist (ignored).
    pub bad_events: u64,
}

/// Every track of a song, a mix bus and the master limiter.
pub struct Engine {
    rate: u32,
    tracks: Vec<Track>,
    limiter: Limiter,
    stats: EngineStats,
}

impl Engine {
    /// Build the engine for `song` at `rate` Hz. Allocates: control thread.
    pub fn new(song: &Song, rate: u32) -> Self {
        let r = rate as f32;
        Engine {
            rate,
            tracks: song.tracks.iter().map(|t| Track::new(t, r)).collect(),
            limiter: Limiter::new(r),
            stats: EngineStats::default(),
        }
    }

    /// Sample rate in Hz.
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The frame the next render starts at (the audio clock).
    pub fn frame(&self) -> u64 {
        self.stats.frames
    }

    /// Counters so far.
    pub fn stats(&self) -> EngineStats {
        self.stats
    }

    /// The tracks, in song order.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// Voices sounding on all tracks.
    pub fn active_voices(&self) -> usize {
        self.tracks.iter().map(Track::active_voices).sum()
    }

    /// Render `left.len()` frames (any length; `right` the same length),
    /// overwriting both, and apply each event from `events` at its frame.
    /// Audio thread safe.
    pub fn render(&mut self, events: &mut dyn EventQueue, left: &mut [f32], right: &mut [f32]) {
        chronus_dsp::math::prevent_denormals();
        let total = left.len().min(right.len());
        let mut done = 0usize;
        while done < total {
            let start = self.stats.frames;
            // Sub-blocks follow the absolute grid of MAX_BLOCK frames (and
            // split at events), whatever the caller's block size: control-
            // rate updates (filter envelopes, voice reaping) then happen on
            // the same frames offline and live, at any period.
            let to_grid = MAX_BLOCK - (start % MAX_BLOCK as u64) as usize;
            let mut len = (total - done).min(to_grid);
            let end = start + len as u64;
            // Apply every event due at the current frame (or late); stop the
            // sub-block at the next one inside it.
            while let Some(ev) = events.next_before(end) {
                if ev.frame > start {
                    len = (ev.frame - start) as usize;
                    events.push_back(ev);
                    break;
                }
                if ev.frame < start {
                    self.stats.late_events += 1;
                }
                self.apply(ev);
            }
            let (l, r) = (&mut left[done..done + len], &mut right[done..done + len]);
            l.fill(0.0);
            r.fill(0.0);
            for track in &mut self.tracks {
                track.render_add(l, r);
            }
            self.limiter.process(l, r);
            self.stats.frames += len as u64;
            done += len;
        }
    }

    /// Apply one event now. Audio thread safe.
    pub fn apply(&mut self, ev: Event) {
        let Some(track) = self.tracks.get_mut(usize::from(ev.track)) else {
            self.stats.bad_events += 1;
            return;
        };
        self.stats.events += 1;
        let inst = track.instrument();
        match ev.kind {
            EventKind::NoteOn {
                id,
                pitch,
                velocity,
            } => inst.note_on(id, pitch, velocity),
            EventKind::NoteOff { id } => inst.note_off(id),
        }
    }

    /// Silence every voice and effect tail at once.
    pub fn reset(&mut self) {
        for t in &mut self.tracks {
            t.reset();
        }
        self.limiter.reset();
    }
}
