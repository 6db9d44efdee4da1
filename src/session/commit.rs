//! Committing a checked line: every part on one frame (or, quantized, on
//! one grid position), structural commands, parameter events and notes
//! sent to the engine, timeline edits applied, the draft made the session.

#[allow(clippy::wildcard_imports)]
use super::*;

impl Session {
    /// Apply a checked line: every part on the same frame.
    pub(super) fn commit(&mut self, draft: Draft, planned: Vec<Planned>) -> Reply {
        self.commit_at(draft, planned, None)
    }

    pub(super) fn commit_at(
        &mut self,
        draft: Draft,
        planned: Vec<Planned>,
        at: Option<u64>,
    ) -> Reply {
        if planned.len() == 1 {
            if let Some(text) = &planned[0].info {
                self.draft = draft;
                return Reply::ok(text.clone());
            }
        }
        let messages: usize = planned
            .iter()
            .flat_map(|p| &p.actions)
            .map(Action::messages)
            .sum();
        if messages > self.engine.room() {
            return Reply::error(format!(
                "the engine is busy ({} messages waiting): nothing was changed; try again",
                crate::engine::control::CONTROL_CAPACITY - self.engine.room()
            ));
        }
        // Write files first: a failed save changes nothing else.
        for a in planned.iter().flat_map(|p| &p.actions) {
            if let Action::Save { path, text } = a {
                if let Err(e) = patch::write_atomic(path, text) {
                    return Reply::error(e);
                }
            }
        }
        let quantized = planned.iter().any(|p| p.quantized);
        let mut tl = lock(&self.timeline);
        // An event stamped on arrival (OSC) keeps its stamp as long as its
        // block has not been rendered yet.
        let soonest = self.clock.immediate();
        let immediate = at.map_or(soonest, |f| f.max(self.clock.now() + self.clock.margin()));
        // Nothing may land before the engine could apply it, nor inside the
        // window the sequencer has already sent.
        let earliest = tl.earliest_beat().max(tl.map().beat_at(immediate));
        let mut beat = if quantized {
            grid(&tl, earliest, draft.quantize)
        } else {
            earliest
        };
        // A new meter starts at a bar not generated yet: the whole line
        // waits for it, so that everything in it lands on the same frame.
        let meter_now = tl.meter();
        let new_meter = planned
            .iter()
            .flat_map(|p| &p.actions)
            .any(|a| matches!(a, Action::Edit(Edit::Meter(m)) if *m != meter_now));
        if new_meter {
            beat = beat.max(tl.generated_beat());
        }
        let frame = if quantized {
            tl.map().frame_at(beat).max(immediate)
        } else {
            immediate
        };
        let bpm = tl.map().bpm_at(beat);
        let mut quit = false;
        let mut saved = false;
        let mut summaries = Vec::new();
        for p in planned {
            let mut summary = p.info.unwrap_or(p.summary);
            if let Some(t) = p
                .stopped_hint
                .as_ref()
                .and_then(|n| draft.model.tracks.get(n))
            {
                if !t.playing {
                    summary.push_str(" (stopped: play it with play)");
                }
            }
            summaries.push(summary);
            for a in p.actions {
                // A track whose structural change waits for a later frame
                // (created at the next bar, say) takes everything else on
                // that frame too, so nothing reaches it before it exists.
                let track = a.track();
                let pending = track.and_then(|t| self.pending.get(&t).copied());
                let (frame, beat) =
                    pending.map_or((frame, beat), |(f, b)| (frame.max(f), beat.max(b)));
                match a {
                    Action::Engine(command) => {
                        // Rebuilds of one instrument or effect, one fade
                        // apart: each crossfade finishes before the next.
                        let key = match &command {
                            EngineCommand::ReplaceInstrument { track, .. } => Some((*track, None)),
                            EngineCommand::ReplaceEffect { track, effect, .. } => {
                                Some((*track, Some(*effect)))
                            }
                            _ => None,
                        };
                        let mut frame = frame;
                        if let Some(key) = key {
                            let fade = u64::from(crate::engine::fade_frames(self.rate as f32));
                            if let Some(&last) = self.rebuilds.get(&key) {
                                frame = frame.max(last + fade);
                            }
                            self.rebuilds.insert(key, frame);
                        }
                        if frame > soonest {
                            if let Some(t) = track {
                                self.pending.insert(t, (frame, beat));
                            }
                        }
                        let _ = self.engine.send(ControlMsg::Command { frame, command });
                    }
                    Action::Param {
                        track,
                        target,
                        value,
                        ramp,
                    } => {
                        let ramp = (ramp * f64::from(self.rate)).round() as u32;
                        let ev = Event {
                            frame,
                            track,
                            kind: EventKind::Param {
                                target,
                                value,
                                ramp,
                            },
                        };
                        let _ = self.engine.send(ControlMsg::Event(ev));
                    }
                    Action::Note {
                        track,
                        pitch,
                        velocity,
                        beats,
                    } => {
                        let id = self.next_note;
                        self.next_note = self.next_note.wrapping_add(1) | CONTROL_NOTE_IDS;
                        let len = (beats * 60.0 / bpm * f64::from(self.rate)).round() as u64;
                        let on = EventKind::NoteOn {
                            id,
                            pitch,
                            velocity,
                        };
                        let _ = self.engine.send(ControlMsg::Event(Event {
                            frame,
                            track,
                            kind: on,
                        }));
                        let _ = self.engine.send(ControlMsg::Event(Event {
                            frame: frame.saturating_add(len.max(1)),
                            track,
                            kind: EventKind::NoteOff { id },
                        }));
                    }
                    Action::Edit(e) => {
                        tl.edit_at(beat, e);
                    }
                    Action::Save { .. } => saved = true,
                    Action::Quit => quit = true,
                }
            }
        }
        drop(tl);
        if self.draft.model.tracks.len() != draft.model.tracks.len()
            || self.draft.next_effect != draft.next_effect
            || self.draft.model.scenes.len() != draft.model.scenes.len()
            || self.draft.slots != draft.slots
            || saved
        {
            self.structure += 1;
        }
        self.draft = draft;
        self.send_routes();
        self.send_rack();
        let bar = lock(&self.timeline).bar_at(beat) + 1;
        let mut reply = Reply::ok(if quantized {
            format!("{}: from bar {bar} (frame {frame})", summaries.join("; "))
        } else {
            format!("{}: at frame {frame}", summaries.join("; "))
        });
        if quantized {
            reply.bar = Some(bar);
        }
        reply.frame = Some(frame);
        reply.quit = quit;
        reply
    }
}

/// The first position on `q`'s grid at or after `beat`.
fn grid(tl: &LiveTimeline, beat: f64, q: Quantize) -> f64 {
    let step = match q {
        Quantize::Bar => return tl.next_bar_line(beat),
        Quantize::Beat => 1.0,
        Quantize::Step => 0.25,
        Quantize::Now => return beat,
    };
    // A hair of tolerance: a position computed from frames may sit a
    // rounding error past the grid line it means.
    (beat / step - 1e-9).ceil() * step
}
