//! `tempo follow midi|link|off`: the session's tempo taken from outside.
//!
//! Following MIDI clock: every clock pulse arrives with the frame it came
//! at (frame-exact from JACK, one period after arrival from ALSA). The
//! tempo is the least-squares slope of the last four beats of pulses (96),
//! which averages away the sender's and the transport's jitter; the
//! session's tempo moves to it (at once, from the first beat not yet
//! scheduled) whenever it differs by more than 0.02 BPM. The pulses'
//! scatter around that line is the measured jitter. Start and continue
//! play every instrument, stop stops them (on the session's quantize grid,
//! as `play` and `stop`).

use super::{Draft, Planned, Session};
use crate::live::sequencer::lock;
use crate::live::timeline::Edit;
use chronus_command::Follow;
use chronus_midi::Message;
use std::collections::VecDeque;

type Result<T> = std::result::Result<T, String>;

/// Pulses the tempo is measured over (four beats).
pub const WINDOW: usize = 96;
/// Pulses needed before the tempo is followed (one beat).
pub const MIN_PULSES: usize = 24;
/// The least change of tempo that is followed, in BPM.
pub const DEADBAND: f64 = 0.02;

/// What the session follows, and what it has measured.
pub struct Follower {
    /// The source.
    pub source: Follow,
    pulses: VecDeque<u64>,
    /// The measured tempo.
    pub bpm: Option<f64>,
    /// The RMS scatter of the pulses around a steady clock, in ms.
    pub jitter_ms: f64,
    applied: Option<f64>,
    /// Start and stop seen.
    pub starts: u64,
    /// Stops seen.
    pub stops: u64,
}

impl Follower {
    fn new(source: Follow) -> Self {
        Follower {
            source,
            pulses: VecDeque::with_capacity(WINDOW + 1),
            bpm: None,
            jitter_ms: 0.0,
            applied: None,
            starts: 0,
            stops: 0,
        }
    }

    /// Take in a pulse at `frame`; a gap of more than two seconds (the
    /// clock stopped) starts the measurement again.
    fn pulse(&mut self, frame: u64, rate: u32) {
        if self
            .pulses
            .back()
            .is_some_and(|&last| frame < last || frame - last > 2 * u64::from(rate))
        {
            self.pulses.clear();
        }
        self.pulses.push_back(frame);
        if self.pulses.len() > WINDOW {
            self.pulses.pop_front();
        }
        if self.pulses.len() >= MIN_PULSES {
            let (frames_per_pulse, rms) = fit(&self.pulses);
            if frames_per_pulse > 0.0 {
                self.bpm = Some(60.0 * f64::from(rate) / (24.0 * frames_per_pulse));
                self.jitter_ms = rms / f64::from(rate) * 1e3;
            }
        }
    }
}

/// Least-squares line through the pulses (frame against pulse number):
/// its slope in frames a pulse, and the RMS distance of the pulses from it.
fn fit(pulses: &VecDeque<u64>) -> (f64, f64) {
    let n = pulses.len() as f64;
    let first = pulses.front().copied().unwrap_or(0) as f64;
    let ys: Vec<f64> = pulses.iter().map(|&p| p as f64 - first).collect();
    let mx = (n - 1.0) / 2.0;
    let my = ys.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (i, y) in ys.iter().enumerate() {
        let dx = i as f64 - mx;
        sxy += dx * (y - my);
        sxx += dx * dx;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let rms = (ys
        .iter()
        .enumerate()
        .map(|(i, y)| (y - (my + slope * (i as f64 - mx))).powi(2))
        .sum::<f64>()
        / n)
        .sqrt();
    (slope, rms)
}

/// `tempo follow ...`.
pub(super) fn follow(s: &mut Session, _d: &mut Draft, f: Follow) -> Result<Planned> {
    let text = match f {
        Follow::Off => {
            s.follower = None;
            #[cfg(feature = "link")]
            {
                s.link = None;
            }
            "tempo follow off: the session keeps its own tempo".to_string()
        }
        Follow::Midi => {
            if s.clock_in.is_none() {
                return Err("tempo follow midi needs MIDI input, and this session has none".into());
            }
            // Pulses from before are not this clock's.
            if let Some(c) = s.clock_in.as_mut() {
                while c.pop().is_ok() {}
            }
            s.follower = Some(Follower::new(Follow::Midi));
            "tempo follow midi: the tempo follows incoming MIDI clock (24 pulses a beat); start, continue and stop play and stop".to_string()
        }
        #[cfg(feature = "link")]
        Follow::Link => {
            s.follower = None;
            s.link = Some(super::link::LinkFollower::join(s.draft.model.tempo));
            "tempo follow link: joined the Ableton Link session on this network (tempo and bar phase follow it)".to_string()
        }
        #[cfg(not(feature = "link"))]
        Follow::Link => {
            return Err(
                "tempo follow link needs a build with the `link` feature (Ableton Link, GPL-2.0-or-later), which this build does not have".into(),
            )
        }
    };
    Ok(Planned {
        info: Some(text),
        ..Planned::default()
    })
}

/// The `status` part, when following.
pub(super) fn status(s: &Session) -> Option<String> {
    #[cfg(feature = "link")]
    if let Some(l) = &s.link {
        return Some(l.status());
    }
    let f = s.follower.as_ref()?;
    let what = match f.source {
        Follow::Midi => "MIDI clock",
        Follow::Link | Follow::Off => "Link",
    };
    Some(match f.bpm {
        Some(bpm) => format!(
            "following {what}: {bpm:.2} BPM measured, jitter {:.3} ms RMS, {} starts, {} stops",
            f.jitter_ms, f.starts, f.stops
        ),
        None => format!("following {what}: no clock yet"),
    })
}

impl Session {
    /// Take in the clock and transport that arrived; follow the tempo.
    pub(super) fn follow_poll(&mut self) {
        let Some(ring) = self.clock_in.as_mut() else {
            return;
        };
        let mut transport = Vec::new();
        let rate = self.rate;
        match self.follower.as_mut() {
            None => while ring.pop().is_ok() {},
            Some(f) => {
                while let Ok(t) = ring.pop() {
                    match t.message {
                        Message::Clock => f.pulse(t.frame, rate),
                        Message::Start | Message::Continue => {
                            f.starts += 1;
                            transport.push(true);
                        }
                        Message::Stop => {
                            f.stops += 1;
                            transport.push(false);
                        }
                        _ => {}
                    }
                }
            }
        }
        let Some(f) = self.follower.as_mut() else {
            return;
        };
        let change = f
            .bpm
            .filter(|b| (20.0..=400.0).contains(b))
            .filter(|b| f.applied.is_none_or(|a| (a - b).abs() > DEADBAND));
        if let Some(bpm) = change {
            f.applied = Some(bpm);
            let bpm = (bpm * 1000.0).round() / 1000.0;
            let mut tl = lock(&self.timeline);
            let beat = tl
                .earliest_beat()
                .max(tl.map().beat_at(self.clock.immediate()));
            tl.edit_at(beat, Edit::Tempo(bpm));
            drop(tl);
            self.draft.model.tempo = bpm;
        }
        for play in transport {
            let line = if play { "play all" } else { "stop all" };
            let reply = self.execute(line);
            self.messages.push(format!(
                "midi clock {}: {}",
                if play { "start" } else { "stop" },
                reply.line()
            ));
        }
    }
}
