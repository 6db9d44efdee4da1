//! The live session on the control thread: parses each command line,
//! validates it whole against a draft of the [`Model`], and only then applies
//! it, turning the difference into engine commands (built here, off the audio
//! thread), parameter events and timeline edits, all on one frame.
//!
//! Three steps, three places (scsynth's `/done`, `/fail` shape): the text is
//! parsed by `chronus_command`, checked and planned (`plan.rs`) on a draft,
//! and committed (`Session::commit`). A line that fails anywhere changes
//! nothing and gets one `error:` reply naming the failing part.

mod commit;
mod follow;
pub mod history;
mod info;
pub mod journal;
#[cfg(feature = "link")]
mod link;
mod listen;
mod look;
mod midi;
pub mod model;
mod modules;
mod output;
mod patch;
mod plan;
mod preview;
mod reload;
mod reply;
mod sends;
pub mod slots;
mod user_modules;

pub use model::Model;
pub use patch::write_atomic_bytes;
pub use reply::Reply;

use crate::engine::{Command as EngineCommand, ControlMsg, EngineHandle, Notice};
use crate::live::sequencer::lock;
use crate::live::timeline::{Edit, LiveTimeline};
use crate::live::AudioClock;
use chronus_command::{parse_line, Quantize};
use chronus_sequencer::{Event, EventKind, ParamTarget, Song, TrackId};
use slots::Slots;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Default parameter ramp, in seconds (`set ... ramp=` overrides it).
pub const DEFAULT_RAMP: f64 = 0.005;

/// Note ids the control thread uses (the timeline's count up from 0).
const CONTROL_NOTE_IDS: u32 = 0x8000_0000;

/// One change a line makes, planned on the draft and applied on commit.
enum Action {
    /// A structural engine command (built, ready to run).
    Engine(EngineCommand),
    /// A parameter event (ramp in seconds).
    Param {
        track: TrackId,
        target: ParamTarget,
        value: f32,
        ramp: f64,
    },
    /// A note now.
    Note {
        track: TrackId,
        pitch: Option<f32>,
        velocity: f32,
        beats: f64,
    },
    /// A timeline edit.
    Edit(Edit),
    /// Write a patch file.
    Save { path: PathBuf, text: String },
    /// End the session.
    Quit,
}

impl Action {
    /// Messages it sends the engine on commit (a note is on and off).
    fn messages(&self) -> usize {
        match self {
            Action::Engine(_) | Action::Param { .. } => 1,
            Action::Note { .. } => 2,
            Action::Edit(_) | Action::Save { .. } | Action::Quit => 0,
        }
    }

    /// The track the action is for, if one.
    fn track(&self) -> Option<TrackId> {
        match self {
            Action::Engine(c) => Some(match c {
                EngineCommand::MidiRoutes(_) | EngineCommand::Modulation(_) => return None,
                EngineCommand::AddTrack { id, .. } | EngineCommand::RemoveTrack(id) => *id,
                EngineCommand::ReplaceInstrument { track, .. }
                | EngineCommand::InsertEffect { track, .. }
                | EngineCommand::RemoveEffect { track, .. }
                | EngineCommand::MoveEffect { track, .. }
                | EngineCommand::ReplaceEffect { track, .. } => *track,
            }),
            Action::Param { track, .. } | Action::Note { track, .. } => Some(*track),
            Action::Edit(e) => e.track(),
            Action::Save { .. } | Action::Quit => None,
        }
    }
}

/// The state a line is checked against (and, once it passes, becomes).
#[derive(Clone)]
struct Draft {
    model: Model,
    slots: Slots,
    next_effect: u32,
    quantize: Quantize,
    /// A `learn` waiting for a controller.
    learning: Option<midi::Learning>,
    /// User module definitions loaded (`modules/NAME.cm`), by name.
    user: indexmap::IndexMap<String, user_modules::UserDef>,
}

impl Draft {
    /// A slot, effect ids and the built track for instrument `name`: the
    /// `AddTrack` action (the caller adds the timeline's lane). `None` when
    /// every slot is taken.
    fn build_track(
        &mut self,
        name: &str,
        spec: &chronus_sequencer::song::InstrumentSpec,
        rate: u32,
    ) -> Option<(TrackId, Vec<chronus_sequencer::EffectId>, Action)> {
        let id = self.slots.allocate()?;
        let first = self.next_effect;
        self.next_effect += spec.effects().len() as u32;
        let track = crate::engine::Track::new(name, spec, rate as f32, first).fade_in();
        let ids = (first..self.next_effect)
            .map(chronus_sequencer::EffectId)
            .collect();
        let add = Action::Engine(EngineCommand::AddTrack {
            id,
            track: Box::new(track),
        });
        Some((id, ids, add))
    }
}

/// What one planned part contributes.
#[derive(Default)]
struct Planned {
    actions: Vec<Action>,
    /// Whether it waits for the quantize grid (pattern, tempo, scene edits).
    quantized: bool,
    /// Its summary for the reply.
    summary: String,
    /// A full reply text instead (status, list, help).
    info: Option<String>,
    /// A track whose pattern changed: the reply says when it is not playing
    /// once the whole line has been applied.
    stopped_hint: Option<String>,
}

/// Counters and facts other parts of the program add to `status`.
pub type StatusExtra = Box<dyn Fn() -> String + Send>;

/// A live session.
pub struct Session {
    rate: u32,
    engine: EngineHandle,
    timeline: Arc<Mutex<LiveTimeline>>,
    clock: AudioClock,
    draft: Draft,
    patches: PathBuf,
    next_note: u32,
    notices: Vec<Notice>,
    faults: Vec<String>,
    lines_ok: u64,
    lines_failed: u64,
    extra: Option<StatusExtra>,
    /// Counts lines that changed names, instruments, effects or patches.
    structure: u64,
    /// Tracks with a structural change waiting for a later frame: that
    /// frame and beat (later actions on them wait as long).
    pending: std::collections::HashMap<TrackId, (u64, f64)>,
    /// The frame of the last rebuild of each instrument (`None`) or effect.
    rebuilds: std::collections::HashMap<(TrackId, Option<chronus_sequencer::EffectId>), u64>,
    /// The engine's MIDI counters, once MIDI input is attached.
    midi: Option<std::sync::Arc<crate::engine::midi::MidiCounters>>,
    /// Lists the MIDI ports (`midi ports`), from the part that has them.
    ports: Option<StatusExtra>,
    /// The routing table the engine has.
    sent_routes: Option<chronus_midi::Routes>,
    /// Lines for the user that arrived between commands (a `learn` done).
    messages: Vec<String>,
    /// The MIDI output's name, for replies (`chronus:midi_out`).
    out_port: Option<String>,
    /// Following an external tempo.
    follower: Option<follow::Follower>,
    /// Incoming MIDI clock and transport.
    clock_in: Option<rtrb::Consumer<crate::engine::midi::Timed>>,
    /// The Ableton Link session, while following it.
    #[cfg(feature = "link")]
    link: Option<link::LinkFollower>,
    /// The journal of accepted lines, once started.
    journal: Option<journal::Journal>,
    /// What the engine's rack was built from, last sent.
    sent_rack: Option<crate::engine::rack::RackPlan>,
    /// The frame the last rack was sent for.
    last_rack: Option<u64>,
    /// User module definitions read so far (each read counts).
    loads: u64,
    /// What the engine played, for `listen` (live sessions).
    listener: Option<crate::listen::Listener>,
    /// The recent edits, for `history` and `undo`.
    edits: history::Edits,
    /// Who sent the line being run (`tty`, `osc:ADDRESS`, `mcp`).
    who: String,
}

impl Session {
    /// A session driving the engine behind `engine`, the sequencer thread's
    /// `timeline`, at `rate` Hz; patches are kept in `patches`.
    pub fn new(
        rate: u32,
        engine: EngineHandle,
        timeline: Arc<Mutex<LiveTimeline>>,
        clock: AudioClock,
        patches: PathBuf,
    ) -> Self {
        let tempo = lock(&timeline).map().bpm_at(0.0);
        let mut model = Model::new();
        model.tempo = tempo;
        Session {
            rate,
            engine,
            timeline,
            clock,
            draft: Draft {
                model,
                slots: Slots::default(),
                next_effect: 0,
                quantize: Quantize::Bar,
                learning: None,
                user: indexmap::IndexMap::new(),
            },
            patches,
            next_note: CONTROL_NOTE_IDS,
            notices: Vec::new(),
            faults: Vec::new(),
            lines_ok: 0,
            lines_failed: 0,
            extra: None,
            structure: 0,
            pending: std::collections::HashMap::new(),
            rebuilds: std::collections::HashMap::new(),
            midi: None,
            ports: None,
            sent_routes: None,
            messages: Vec::new(),
            out_port: None,
            follower: None,
            clock_in: None,
            #[cfg(feature = "link")]
            link: None,
            journal: None,
            sent_rack: None,
            last_rack: None,
            loads: 0,
            listener: None,
            edits: history::Edits::default(),
            who: "tty".into(),
        }
    }

    /// Measure what the engine plays through `listener` (`listen`).
    pub fn attach_listener(&mut self, listener: crate::listen::Listener) {
        self.listener = Some(listener);
    }

    /// The recent edits (`history`).
    pub fn edits(&self) -> &history::Edits {
        &self.edits
    }

    /// Keep a journal in the patch folder from now on, starting from the
    /// session as it stands (see [`journal`]).
    ///
    /// # Errors
    /// The journal or its base cannot be written.
    pub fn start_journal(&mut self) -> Result<(), String> {
        let base = self.journal_base()?;
        self.journal = Some(journal::Journal::start(&self.patches, &base)?);
        Ok(())
    }

    /// The session as a patch, for the journal's base: empty for a session
    /// without instruments (which a patch cannot be).
    fn journal_base(&self) -> Result<String, String> {
        if self.draft.model.tracks.is_empty() {
            Ok(String::new())
        } else {
            patch::to_yaml(&self.draft.model)
        }
    }

    /// Start the journal again from the session as it stands; a message
    /// when that failed.
    fn rotate_journal(&mut self) -> Option<String> {
        self.journal.as_ref()?;
        let result = self
            .journal_base()
            .and_then(|base| match self.journal.as_mut() {
                Some(j) => j.rotate(&base),
                None => Ok(()),
            });
        result.err().map(journal_failed)
    }

    /// Journal an accepted `line` (its reply `reply`), when it changed the
    /// session (`before`: the model and grid it started from): appended
    /// and flushed, or, for a save or a load, the journal rotated. A
    /// failure is added to the reply.
    fn journal_line(
        &mut self,
        line: &str,
        rotates: bool,
        before: &(Model, Quantize),
        reply: &mut Reply,
    ) {
        let changed = self.draft.model != before.0 || self.draft.quantize != before.1;
        let failed = if rotates {
            self.rotate_journal()
        } else if changed {
            let frame = reply.frame.unwrap_or_else(|| self.clock.now());
            let bar = {
                let tl = lock(&self.timeline);
                tl.bar_at(tl.map().beat_at(frame))
            };
            let j = self.journal.as_mut();
            j.and_then(|j| j.command(frame, bar, line).err().map(journal_failed))
        } else {
            None
        };
        if let Some(e) = failed {
            reply.text.push_str(&format!(" (warning: {e})"));
        }
    }

    /// Note in the journal the bar the music has reached (once a bar).
    fn journal_position(&mut self) {
        if self.journal.is_none() {
            return;
        }
        let now = self.clock.now();
        let bar = {
            let tl = lock(&self.timeline);
            tl.bar_at(tl.map().beat_at(now))
        };
        if let Some(Err(e)) = self.journal.as_mut().map(|j| j.position(now, bar)) {
            self.messages.push(journal_failed(e));
            self.journal = None;
        }
    }

    /// Name the MIDI output in replies (`chronus:midi_out`).
    pub fn set_midi_out_port(&mut self, name: String) {
        self.out_port = Some(name);
    }

    /// Read MIDI counters from `counters` (the engine's), for `status`,
    /// `midi` and `learn`.
    pub fn attach_midi(&mut self, counters: std::sync::Arc<crate::engine::midi::MidiCounters>) {
        self.midi = Some(counters);
    }

    /// Read incoming MIDI clock and transport from `clock` (the engine's),
    /// for `tempo follow midi`.
    pub fn attach_midi_clock(&mut self, clock: rtrb::Consumer<crate::engine::midi::Timed>) {
        self.clock_in = Some(clock);
    }

    /// Answer `midi ports` with `ports`.
    pub fn set_midi_ports(&mut self, ports: StatusExtra) {
        self.ports = Some(ports);
    }

    /// Lines for the user that arrived since the last call (a `learn`
    /// that found its controller).
    pub fn take_messages(&mut self) -> Vec<String> {
        std::mem::take(&mut self.messages)
    }

    /// Add a line from elsewhere (OSC counters, xruns) to `status`.
    pub fn set_status_extra(&mut self, extra: StatusExtra) {
        self.extra = Some(extra);
    }

    /// A count that changes whenever a line changes what [`Session::words`]
    /// would say.
    pub fn structure(&self) -> u64 {
        self.structure
    }

    /// Names and setting keys the session knows now (`bass`, `cutoff=`,
    /// `reverb.mix=`, scene and patch names), for completion.
    pub fn words(&self) -> Vec<String> {
        let m = &self.draft.model;
        let mut w: Vec<String> = m.tracks.keys().cloned().collect();
        for t in m.tracks.values() {
            w.extend(t.spec.params().iter().map(|p| format!("{}=", p.0)));
            w.extend(t.spec.choices().iter().map(|c| format!("{}=", c.0)));
            let names = model::effect_names(t.spec.effects());
            for (fx, n) in t.spec.effects().iter().zip(&names) {
                w.extend(fx.params().iter().map(|p| format!("{n}.{}=", p.0)));
            }
        }
        w.extend(m.scenes.iter().map(|s| s.name.clone()));
        w.extend(patch::list(&self.patches));
        w.sort();
        w.dedup();
        w
    }

    /// The session's model as it stands.
    pub fn model(&self) -> &Model {
        &self.draft.model
    }

    /// Bring in a song: its instruments, its patterns as scenes, the first
    /// bar's scene playing. Replaces whatever the session held.
    pub fn load_song(&mut self, song: &Song) -> Reply {
        let mut draft = self.draft.clone();
        let loaded = patch::load_song(&mut draft, song, self.rate).and_then(|a| {
            self.adopt_sources(&mut draft, song)?;
            self.load_definitions(&mut draft).map(|()| a)
        });
        match loaded {
            Ok(actions) => {
                let planned = Planned {
                    actions,
                    quantized: true,
                    summary: format!(
                        "loaded {} ({} instruments, {} scenes)",
                        song.title.as_deref().unwrap_or("song"),
                        song.tracks.len(),
                        song.patterns.len()
                    ),
                    ..Planned::default()
                };
                let mut reply = self.commit(draft, vec![planned]);
                if let Some(e) = self.rotate_journal() {
                    reply.text.push_str(&format!(" (warning: {e})"));
                }
                reply
            }
            Err(e) => Reply::error(e),
        }
    }

    /// Take over a new engine (the device changed its sample rate and the
    /// audio side rebuilt an empty engine at `rate`): every instrument is
    /// built again at the new rate and the timeline's lanes follow their new
    /// ids; patterns, mutes and levels carry over.
    pub fn adopt_engine(&mut self, engine: EngineHandle, rate: u32) -> Reply {
        self.engine = engine;
        self.sent_routes = None;
        self.sent_rack = None;
        self.last_rack = None;
        self.rate = rate;
        let mut draft = self.draft.clone();
        draft.slots = Slots::default();
        draft.next_effect = 0;
        let mut map = Vec::new();
        let mut actions = Vec::new();
        let specs: Vec<(String, _)> = draft
            .model
            .tracks
            .iter()
            .map(|(n, t)| (n.clone(), t.spec.clone()))
            .collect();
        for (name, spec) in specs {
            let Some((id, effect_ids, add)) = draft.build_track(&name, &spec, rate) else {
                break;
            };
            actions.push(add);
            if let Some(t) = draft.model.tracks.get_mut(&name) {
                map.push((t.id, id));
                t.id = id;
                t.effect_ids = effect_ids;
            }
        }
        for (name, t) in &draft.model.tracks {
            if !draft.model.audible(name) {
                actions.push(Action::Param {
                    track: t.id,
                    target: ParamTarget::Mute,
                    value: 1.0,
                    ramp: 0.0,
                });
            }
        }
        if draft.model.master_db != 0.0 {
            actions.push(Action::Param {
                track: TrackId::MASTER,
                target: ParamTarget::Gain,
                value: draft.model.master_db as f32,
                ramp: 0.0,
            });
        }
        lock(&self.timeline).remap(&map, self.clock.now());
        let planned = Planned {
            actions,
            quantized: false,
            summary: format!("rebuilt for {rate} Hz"),
            ..Planned::default()
        };
        self.commit(draft, vec![planned])
    }

    /// Drop what the audio thread returned and take in its notices. Call
    /// often (every command, and from an idle timer).
    pub fn collect(&mut self) {
        let now = self.clock.now();
        self.pending.retain(|_, (f, _)| *f > now);
        self.rebuilds.retain(|_, f| *f + 48_000 > now);
        let slots = &mut self.draft.slots;
        self.engine
            .collect(|id| slots.returned(id), &mut self.notices);
        let notices = std::mem::take(&mut self.notices);
        for &n in &notices {
            let name_of = |id| {
                self.draft
                    .model
                    .tracks
                    .iter()
                    .find(|(_, t)| t.id == id)
                    .map_or("a removed track".to_string(), |(n, _)| n.clone())
            };
            match n {
                Notice::Fault(id) if id == TrackId::MASTER => {
                    self.messages.push(
                        "warning: the modules' sound was not finite: they are silent now (the tracks play on) until the next patch edit".into(),
                    );
                }
                Notice::Fault(id) => {
                    let name = name_of(id);
                    self.faults.push(name);
                }
                Notice::Panic(id) if id == TrackId::MASTER => {
                    self.messages.push(
                        "warning: a module panicked on the audio thread: the modules are silent now (the tracks play on) until the next patch edit".into(),
                    );
                }
                Notice::ModulePanic(key) => {
                    let model = &self.draft.model;
                    let message = match model
                        .modules
                        .iter()
                        .find(|(n, _)| crate::engine::rack::key_of(n) == key)
                    {
                        Some((name, m))
                            if m.kind == chronus_sequencer::song::modulation::ModuleKind::User =>
                        format!(
                            "warning: module {name} ({}) panicked on the audio thread: it is silent now (everything else plays on); mend modules/{}.cm and reload {}, or remove it",
                            m.source, m.source, m.source
                        ),
                        Some((name, _)) => format!(
                            "warning: module {name} panicked on the audio thread: it is silent now (everything else plays on); remove it and create it again"
                        ),
                        None => "warning: a removed module panicked on the audio thread (everything else plays on)".to_string(),
                    };
                    self.messages.push(message);
                }
                Notice::Panic(id) => {
                    let name = name_of(id);
                    self.messages.push(format!(
                        "warning: {name} panicked on the audio thread: it is silent now (the mix plays on); remove it and create it again"
                    ));
                }
                Notice::StaleCommand(_) => {}
            }
        }
        self.notices = notices;
        self.notices.clear();
        self.learn_poll();
        self.journal_position();
        self.follow_poll();
        #[cfg(feature = "link")]
        self.link_poll();
    }

    /// Faults (non-finite output) reported since the last call, by track.
    pub fn take_faults(&mut self) -> Vec<String> {
        std::mem::take(&mut self.faults)
    }

    /// Run one command line; exactly one reply.
    pub fn execute(&mut self, line: &str) -> Reply {
        self.execute_at(line, None)
    }

    /// Run one command line from `who` (`tty`, `osc:ADDRESS`, `mcp`: what
    /// `history` says), as [`Session::execute_at`].
    pub fn execute_from(&mut self, line: &str, at: Option<u64>, who: &str) -> Reply {
        self.who = who.to_string();
        let reply = self.execute_at(line, at);
        self.who = "tty".into();
        reply
    }

    /// Run one command line whose immediate changes (notes, parameters,
    /// structural edits) happen at frame `at` (an OSC bundle's time tag
    /// mapped through the audio clock) instead of as soon as possible. A
    /// frame already passed plays as soon as possible. Quantized edits
    /// still wait for their grid position.
    pub fn execute_at(&mut self, line: &str, at: Option<u64>) -> Reply {
        self.collect();
        let model_before = self.draft.model.clone();
        let parts = match parse_line(line) {
            Ok(p) => p,
            Err(e) => {
                self.lines_failed += 1;
                return Reply::error(e.to_string());
            }
        };
        if parts.is_empty() {
            return Reply::ok("");
        }
        let many = parts.len() > 1;
        let before = self
            .journal
            .is_some()
            .then(|| (self.draft.model.clone(), self.draft.quantize));
        let rotates = parts.iter().any(|p| {
            matches!(
                p.command,
                chronus_command::Command::SavePatch { .. }
                    | chronus_command::Command::LoadPatch { .. }
            )
        });
        let mut draft = self.draft.clone();
        let mut planned = Vec::new();
        for (i, part) in parts.iter().enumerate() {
            match plan::plan(self, &mut draft, part) {
                Ok(p) => planned.push(p),
                Err(e) => {
                    self.lines_failed += 1;
                    return Reply::error(if many {
                        format!("part {} ({}): {e}; nothing was changed", i + 1, part.text)
                    } else {
                        e
                    });
                }
            }
        }
        let mut reply = self.commit_at(draft, planned, at);
        if reply.ok {
            self.lines_ok += 1;
            if self.draft.model != model_before {
                let who = self.who.clone();
                self.edits
                    .record(&who, line, reply.bar, model_before, &self.draft.model);
            }
            if let Some(before) = before {
                self.journal_line(line, rotates, &before, &mut reply);
            }
        } else {
            self.lines_failed += 1;
        }
        reply
    }
}

/// The session `model` as a patch's text (what `save patch` writes).
///
/// # Errors
/// A session without instruments, which a patch cannot be.
pub fn patch_yaml(model: &Model) -> Result<String, String> {
    patch::to_yaml(model)
}

/// The warning a journal failure gives: the session plays on, unsaved.
fn journal_failed(e: String) -> String {
    format!("journal: {e}; the session is not being journaled, so --resume would lose what follows")
}
