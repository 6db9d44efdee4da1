//! `midi`, `map`, `learn` and `unmap`: the session's MIDI setup (part of
//! the model, saved with patches) and the routing table built from it for
//! the engine's router.

use super::model::shown;
use super::plan::instruments::find_effect;
use super::plan::{done, track};
use super::{Draft, Planned, Session};
use chronus_command::{MapTarget, MidiCommand, Unmap, Word};
use chronus_midi::{
    Curve, Keys, Map, OutRoute, Route, Routes, Source, MAX_MAPS, MAX_OUTS, MAX_ROUTES,
};
use chronus_sequencer::song::{MapCurve, MapSource, MidiMap, MidiRoute, MidiSetup};
use chronus_sequencer::ParamTarget;

type Result<T> = std::result::Result<T, String>;

/// A `learn` waiting for a controller to move.
#[derive(Clone, Debug, PartialEq)]
pub struct Learning {
    /// What the controller will move.
    pub to: MapTarget,
    /// The controller count when it started (a later move is the one).
    pub since: u64,
}

/// A map's parameter, resolved on the session's instruments.
struct Resolved {
    track: chronus_sequencer::TrackId,
    target: ParamTarget,
    lo: f64,
    hi: f64,
    curve: MapCurve,
}

/// Parameters whose natural curve is exponential (when their range is
/// positive and wide).
const EXPONENTIAL: &[&str] = &[
    "cutoff", "freq", "attack", "decay", "release", "rate", "time",
];

/// Resolve `to` (`bass.cutoff`, `bass.reverb.mix`, `bass.gain`).
fn resolve(d: &Draft, to: &str) -> Result<Resolved> {
    let (name, key) = to
        .split_once('.')
        .ok_or_else(|| format!("'{to}': expected NAME.PARAM (such as bass.cutoff)"))?;
    let word = Word {
        text: name.to_string(),
        column: 0,
    };
    let t = track(d, &word)?;
    let table_range = |table: &[(&str, f64, f64, f64)], key: &str, what: &str| {
        let names: Vec<&str> = table.iter().map(|p| p.0).collect();
        table
            .iter()
            .position(|p| p.0 == key)
            .map(|i| (i as u16, table[i].2, table[i].3))
            .ok_or_else(|| {
                format!(
                    "{what} has no parameter '{key}' to map{}: expected one of {}",
                    chronus_sequencer::song::suggest::did_you_mean(key, &names),
                    names.join(", ")
                )
            })
    };
    let (target, lo, hi, param) = match key.split_once('.') {
        Some((fx, param)) => {
            let i = find_effect(t, fx, name)?;
            let spec = &t.spec.effects()[i];
            if spec.rebuilds(param) {
                return Err(format!(
                    "{to} cannot follow a controller: changing it rebuilds the {fx} (set it with set {name} {fx}.{param}=...)"
                ));
            }
            let (p, lo, hi) = table_range(spec.params(), param, &format!("the {fx} of {name}"))?;
            (
                ParamTarget::Effect {
                    effect: t.effect_ids[i],
                    param: p,
                },
                lo,
                hi,
                param,
            )
        }
        None => match key {
            "gain" => (ParamTarget::Gain, -60.0, 0.0, key),
            "pan" => (ParamTarget::Pan, -1.0, 1.0, key),
            _ => {
                if t.spec.rebuilds(key) {
                    return Err(format!(
                        "{to} cannot follow a controller: changing it rebuilds the instrument (set it with set {name} {key}=...)"
                    ));
                }
                let (p, lo, hi) =
                    table_range(t.spec.params(), key, &format!("{name} ({})", t.spec.kind()))?;
                (ParamTarget::Instrument(p), lo, hi, key)
            }
        },
    };
    let curve = if EXPONENTIAL.contains(&param) && lo > 0.0 && hi / lo >= 10.0 {
        MapCurve::Exponential
    } else {
        MapCurve::Linear
    };
    Ok(Resolved {
        track: t.id,
        target,
        lo,
        hi,
        curve,
    })
}

/// Check a map's range and curve against its parameter; the map as kept.
fn checked(d: &Draft, source: MapSource, to: &MapTarget) -> Result<MidiMap> {
    let r = resolve(d, &to.target.text)?;
    if let Some((a, b)) = to.range {
        let (lo, hi) = (a.min(b), a.max(b));
        if lo < r.lo || hi > r.hi {
            return Err(format!(
                "{} {a}..{b} is outside its range {}..{}",
                to.target.text, r.lo, r.hi
            ));
        }
    }
    if to.curve == Some(MapCurve::Exponential) {
        let (a, b) = to.range.unwrap_or((r.lo, r.hi));
        if a * b <= 0.0 {
            return Err(format!(
                "curve=exp needs MIN and MAX of the same sign, not 0 ({} runs {a}..{b}): give a range such as 20 20000, or curve=lin",
                to.target.text
            ));
        }
    }
    Ok(MidiMap {
        source,
        channel: to.channel,
        to: to.target.text.clone(),
        range: to.range,
        curve: to.curve,
    })
}

/// How a map reads in `list maps` and replies.
fn describe(m: &MidiMap) -> String {
    let mut s = format!("{} > {}", m.source, m.to);
    if let Some((a, b)) = m.range {
        s.push_str(&format!(" {a} {b}"));
    }
    if let Some(c) = m.curve {
        s.push_str(&format!(" curve={}", c.name()));
    }
    if let Some(c) = m.channel {
        s.push_str(&format!(" channel={c}"));
    }
    s
}

/// `midi ...`.
pub(super) fn midi(s: &Session, d: &mut Draft, c: &MidiCommand) -> Result<Planned> {
    match c {
        MidiCommand::Out { name, channel } => {
            track(d, name)?;
            let outs = &mut d.model.midi.outs;
            outs.retain(|o| o.track != name.text);
            if outs.len() >= MAX_OUTS {
                return Err(format!(
                    "{MAX_OUTS} instruments already go out: take one off first (midi out NAME off)"
                ));
            }
            outs.push(chronus_sequencer::song::MidiOutRoute {
                track: name.text.clone(),
                channel: *channel,
            });
            let port = s.out_port.as_deref().unwrap_or("the MIDI output");
            done(
                Vec::new(),
                false,
                format!(
                    "midi out {}: its notes go to {port} on channel {channel}",
                    shown(&name.text)
                ),
            )
        }
        MidiCommand::OutOff(name) => {
            track(d, name)?;
            let before = d.model.midi.outs.len();
            d.model.midi.outs.retain(|o| o.track != name.text);
            if d.model.midi.outs.len() == before {
                return Err(format!("{} does not go out as MIDI (see midi)", name.text));
            }
            done(
                Vec::new(),
                false,
                format!("midi out {} off", shown(&name.text)),
            )
        }
        MidiCommand::Clock(on) => {
            d.model.midi.clock = *on;
            let port = s.out_port.as_deref().unwrap_or("the MIDI output");
            done(
                vec![super::Action::Edit(crate::live::timeline::Edit::Clock(*on))],
                true,
                if *on {
                    format!("midi clock on: 24 pulses a beat to {port}, with song position and continue")
                } else {
                    "midi clock off: stop".to_string()
                },
            )
        }
        MidiCommand::Show => Ok(info(show(s, d))),
        MidiCommand::Ports => Ok(info(ports(s))),
        MidiCommand::Off(None) => {
            let n = d.model.midi.routes.len();
            d.model.midi.routes.clear();
            done(
                Vec::new(),
                false,
                format!("midi off ({n} instruments no longer play from MIDI)"),
            )
        }
        MidiCommand::Off(Some(name)) => {
            track(d, name)?;
            let before = d.model.midi.routes.len();
            d.model.midi.routes.retain(|r| r.track != name.text);
            if d.model.midi.routes.len() == before {
                return Err(format!("{} does not play from MIDI (see midi)", name.text));
            }
            done(Vec::new(), false, format!("midi {} off", shown(&name.text)))
        }
        MidiCommand::Route {
            name,
            channel,
            bend,
        } => {
            track(d, name)?;
            let routes = &mut d.model.midi.routes;
            routes.retain(|r| r.track != name.text);
            if routes.len() >= MAX_ROUTES {
                return Err(format!(
                    "{MAX_ROUTES} instruments already play from MIDI: take one off first (midi NAME off)"
                ));
            }
            routes.push(MidiRoute {
                track: name.text.clone(),
                channel: *channel,
                bend: *bend,
            });
            let on = channel.map_or("every channel".to_string(), |c| format!("channel {c}"));
            let bend = bend.unwrap_or(f64::from(chronus_midi::DEFAULT_BEND));
            done(
                Vec::new(),
                false,
                format!(
                    "midi {}: plays notes from {on}, bend {bend} semitones",
                    shown(&name.text)
                ),
            )
        }
    }
}

fn info(text: String) -> Planned {
    Planned {
        info: Some(text),
        ..Planned::default()
    }
}

/// `map SOURCE TARGET ...`.
pub(super) fn map(d: &mut Draft, source: MapSource, to: &MapTarget) -> Result<Planned> {
    let m = checked(d, source, to)?;
    let maps = &mut d.model.midi.maps;
    // A controller moves one thing per target: mapping it again replaces.
    maps.retain(|x| !(x.source == m.source && x.to == m.to && x.channel == m.channel));
    if maps.len() >= MAX_MAPS {
        return Err(format!(
            "{MAX_MAPS} maps already: remove some first (unmap)"
        ));
    }
    let text = describe(&m);
    maps.push(m);
    done(Vec::new(), false, format!("map {text}"))
}

/// `learn TARGET ...`: checked now, mapped when a controller moves.
pub(super) fn learn(s: &Session, d: &mut Draft, to: &MapTarget) -> Result<Planned> {
    // Checked with a stand-in controller: the target and range must be good.
    checked(d, MapSource::Control(0), to)?;
    let Some(counters) = &s.midi else {
        return Err("learn needs MIDI input, and this session has none".to_string());
    };
    let since = counters.get().last_control.map_or(0, |(n, _, _)| n);
    d.learning = Some(Learning {
        to: to.clone(),
        since,
    });
    Ok(info(format!(
        "learn {}: move a controller to map it",
        to.target.text
    )))
}

/// `unmap ...`.
pub(super) fn unmap(d: &mut Draft, u: &Unmap) -> Result<Planned> {
    let maps = &mut d.model.midi.maps;
    let before = maps.len();
    let what = match u {
        Unmap::All => {
            maps.clear();
            "all".to_string()
        }
        Unmap::Source(src) => {
            maps.retain(|m| m.source != *src);
            src.to_string()
        }
        Unmap::Target(t) => {
            maps.retain(|m| m.to != t.text);
            t.text.clone()
        }
    };
    let n = before - maps.len();
    if n == 0 && !matches!(u, Unmap::All) {
        return Err(format!("nothing is mapped for {what} (see list maps)"));
    }
    done(
        Vec::new(),
        false,
        format!("unmap {what} ({})", super::model::count(n, "map")),
    )
}

/// `list maps`.
pub(super) fn list_maps(d: &Draft) -> String {
    let maps = &d.model.midi.maps;
    if maps.is_empty() {
        return "maps: none (map cc 74 bass.cutoff, or learn bass.cutoff)".to_string();
    }
    let all: Vec<String> = maps.iter().map(describe).collect();
    format!("maps ({}): {}", maps.len(), all.join("; "))
}

/// `midi` alone: what plays from MIDI, the maps, and what has arrived.
fn show(s: &Session, d: &Draft) -> String {
    let routes: Vec<String> = d
        .model
        .midi
        .routes
        .iter()
        .map(|r| {
            let ch = r.channel.map_or("all".to_string(), |c| c.to_string());
            format!(
                "{} (channel {ch}, bend {})",
                shown(&r.track),
                r.bend.unwrap_or(f64::from(chronus_midi::DEFAULT_BEND))
            )
        })
        .collect();
    let mut line = if routes.is_empty() {
        "midi: nothing plays from MIDI (midi NAME [channel N])".to_string()
    } else {
        format!("midi: {}", routes.join(", "))
    };
    line.push_str(&format!(
        "; {}",
        super::model::count(d.model.midi.maps.len(), "map")
    ));
    if let Some(l) = &d.learning {
        line.push_str(&format!("; learning {}", l.to.target.text));
    }
    line.push_str(&format!("; {}", counters_text(s)));
    line
}

/// What MIDI has arrived, for `midi` and `status`.
pub(super) fn counters_text(s: &Session) -> String {
    let Some(c) = &s.midi else {
        return "no MIDI input".to_string();
    };
    let m = c.get();
    let mut t = format!("MIDI in: {} messages, {} notes played", m.messages, m.notes);
    if m.unrouted > 0 {
        t.push_str(&format!(", {} on channels nothing plays", m.unrouted));
    }
    if m.bad > 0 || m.sysex > 0 {
        t.push_str(&format!(", {} malformed, {} SysEx skipped", m.bad, m.sysex));
    }
    if m.dropped > 0 {
        t.push_str(&format!(", {} dropped (too many at once)", m.dropped));
    }
    t
}

/// `midi ports`.
fn ports(s: &Session) -> String {
    match &s.ports {
        Some(f) => f(),
        None => "midi ports: none (no MIDI backend in this session)".to_string(),
    }
}

/// Drop what names an instrument no longer there (or an effect gone).
pub(super) fn prune(d: &mut Draft) {
    let keep: Vec<bool> = d
        .model
        .midi
        .maps
        .iter()
        .map(|m| resolve(d, &m.to).is_ok())
        .collect();
    let mut k = keep.iter();
    d.model.midi.maps.retain(|_| *k.next().unwrap_or(&false));
    let names: Vec<String> = d.model.tracks.keys().cloned().collect();
    d.model.midi.routes.retain(|r| names.contains(&r.track));
}

/// Check every map of a loaded song or patch against its instruments.
pub(super) fn validate(d: &Draft) -> Result<()> {
    for (i, m) in d.model.midi.maps.iter().enumerate() {
        let to = MapTarget {
            target: Word {
                text: m.to.clone(),
                column: 0,
            },
            range: m.range,
            curve: m.curve,
            channel: m.channel,
        };
        checked(d, m.source, &to).map_err(|e| format!("midi.maps[{i}]: {e}"))?;
    }
    Ok(())
}

/// The routing table for the engine.
pub(super) fn routes(d: &Draft) -> Routes {
    let setup: &MidiSetup = &d.model.midi;
    let routes = setup
        .routes
        .iter()
        .filter_map(|r| {
            let t = d.model.tracks.get(&r.track)?;
            let keys =
                if t.spec.is_pitched() || t.spec.kind() == "kit" || t.spec.kind() == "sampler" {
                    Keys::Pitch
                } else {
                    Keys::Trigger
                };
            Some(Route {
                track: t.id,
                channel: r.channel.map(|c| c - 1),
                keys,
                bend: r.bend.unwrap_or(f64::from(chronus_midi::DEFAULT_BEND)) as f32,
            })
        })
        .collect();
    let maps = setup
        .maps
        .iter()
        .filter_map(|m| {
            let r = resolve(d, &m.to).ok()?;
            let (min, max) = m.range.unwrap_or((r.lo, r.hi));
            let curve = match m.curve.unwrap_or(r.curve) {
                MapCurve::Exponential if min * max > 0.0 => Curve::Exponential,
                _ => Curve::Linear,
            };
            Some(Map {
                source: match m.source {
                    MapSource::Control(n) => Source::Control(n),
                    MapSource::Aftertouch => Source::Pressure,
                },
                channel: m.channel.map(|c| c - 1),
                track: r.track,
                target: r.target,
                min: min as f32,
                max: max as f32,
                curve,
            })
        })
        .collect();
    let outs = setup
        .outs
        .iter()
        .filter_map(|o| {
            let t = d.model.tracks.get(&o.track)?;
            Some(OutRoute {
                track: t.id,
                channel: o.channel.saturating_sub(1) & 15,
                key: chronus_midi::file::gm_drum_key(&t.spec),
            })
        })
        .collect();
    Routes { routes, maps, outs }
}

impl Session {
    /// A `learn` in progress takes the controller that moved since it began.
    pub(super) fn learn_poll(&mut self) {
        let Some(l) = &self.draft.learning else {
            return;
        };
        let Some(c) = &self.midi else { return };
        let Some((n, channel, cc)) = c.get().last_control else {
            return;
        };
        if n <= l.since {
            return;
        }
        let l = l.clone();
        let mut draft = self.draft.clone();
        draft.learning = None;
        let mut to = l.to;
        // The channel it moved on: a second keyboard's knob 74 stays its own.
        to.channel = Some(channel + 1);
        let line = match map(&mut draft, MapSource::Control(cc), &to) {
            Ok(p) => {
                self.draft = draft;
                self.send_routes();
                // No line made this map: the journal starts again from it.
                if let Some(e) = self.rotate_journal() {
                    self.messages.push(e);
                }
                format!("learned: {}", p.summary.trim_start_matches("map "))
            }
            Err(e) => {
                self.draft.learning = None;
                format!("learn {}: {e}", to.target.text)
            }
        };
        self.messages.push(line);
    }

    /// Send the routing table when it differs from what the engine has.
    pub(super) fn send_routes(&mut self) {
        prune(&mut self.draft);
        let routes = routes(&self.draft);
        if self.sent_routes.as_ref() == Some(&routes) {
            return;
        }
        if self.sent_routes.is_none() && routes == Routes::default() {
            self.sent_routes = Some(routes);
            return;
        }
        // After the tracks it names exist (a track created at the next bar).
        let frame = routes
            .routes
            .iter()
            .map(|r| r.track)
            .chain(routes.maps.iter().map(|m| m.track))
            .filter_map(|t| self.pending.get(&t).map(|p| p.0))
            .fold(self.clock.immediate(), u64::max);
        let command = crate::engine::Command::MidiRoutes(Box::new(routes.clone()));
        if self
            .engine
            .send(crate::engine::ControlMsg::Command { frame, command })
            .is_ok()
        {
            self.sent_routes = Some(routes);
        }
    }
}
