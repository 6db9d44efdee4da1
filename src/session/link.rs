//! `tempo follow link` (the `link` feature): the session joins an Ableton
//! Link session on the local network and follows its tempo and its bar
//! phase. Every poll (each command and about every 20 ms) reads Link's
//! tempo and the phase of its beat in the bar (quantum = the session's
//! meter) against the session's own beat at the frame playing now. A new
//! tempo is taken at once (from the first beat not yet scheduled); a phase
//! more than 0.01 beat off is closed over the next bar by playing it a
//! little faster or slower, so the bars line up without a jump.

use super::Session;
use crate::live::sequencer::lock;
use crate::live::timeline::Edit;
use rusty_link::{AblLink, SessionState};

/// Phase error (in beats) left alone.
pub const PHASE_TOLERANCE: f64 = 0.01;

/// The Link session and what was measured.
pub struct LinkFollower {
    link: AblLink,
    state: SessionState,
    tempo: f64,
    peers: u64,
    offset: f64,
    /// A phase correction runs until this beat.
    correcting_until: Option<f64>,
}

impl LinkFollower {
    /// Join (enable Link) at `bpm`.
    pub fn join(bpm: f64) -> Self {
        let link = AblLink::new(bpm);
        link.enable(true);
        LinkFollower {
            link,
            state: SessionState::new(),
            tempo: bpm,
            peers: 0,
            offset: 0.0,
            correcting_until: None,
        }
    }

    /// The `status` part.
    pub fn status(&self) -> String {
        format!(
            "following Link: {:.2} BPM, {}, phase offset {:+.3} beats",
            self.tempo,
            super::model::count(self.peers as usize, "peer"),
            self.offset
        )
    }
}

impl Drop for LinkFollower {
    fn drop(&mut self) {
        self.link.enable(false);
    }
}

impl Session {
    /// Follow Link's tempo and bar phase.
    pub(super) fn link_poll(&mut self) {
        let meter = f64::from(self.draft.model.meter.max(1));
        let Some(l) = self.link.as_mut() else { return };
        l.link.capture_app_session_state(&mut l.state);
        let now = l.link.clock_micros();
        l.peers = l.link.num_peers();
        let tempo = l.state.tempo();
        let mut tl = lock(&self.timeline);
        let frame = self.clock.estimate();
        let beat = tl.map().beat_at(frame);
        // Compared where a correction would begin (the first beat not yet
        // scheduled): the session's beat there, Link's phase at that time.
        let from = tl
            .earliest_beat()
            .max(tl.map().beat_at(self.clock.immediate()));
        let ahead = tl.map().frame_at(from).saturating_sub(frame) as f64 / f64::from(self.rate);
        let link_phase = l.state.phase_at_time(now + (ahead * 1e6) as i64, meter);
        let ours = from.rem_euclid(meter);
        let mut offset = ours - link_phase;
        if offset > meter / 2.0 {
            offset -= meter;
        } else if offset < -meter / 2.0 {
            offset += meter;
        }
        l.offset = offset;
        if l.correcting_until.is_some_and(|b| beat >= b) {
            l.correcting_until = None;
        }
        let retempo = (tempo - self.draft.model.tempo).abs() > 0.005;
        if l.correcting_until.is_none() && (retempo || offset.abs() > PHASE_TOLERANCE) {
            let bpm = (tempo * 1000.0).round() / 1000.0;
            if offset.abs() > PHASE_TOLERANCE {
                // Ahead by `offset` beats: play the next bar's worth of
                // Link's time as `meter - offset` beats, then its tempo.
                let span = meter - offset;
                let corrected = (bpm * span / meter).clamp(20.0, 400.0);
                tl.edit_at(from, Edit::Tempo(corrected));
                tl.edit_at(from + span, Edit::Tempo(bpm));
                l.correcting_until = Some(from + span);
            } else {
                tl.edit_at(from, Edit::Tempo(bpm));
            }
            drop(tl);
            l.tempo = tempo;
            self.draft.model.tempo = bpm;
        }
    }
}
