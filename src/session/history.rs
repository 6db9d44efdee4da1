//! `history` and `undo`: the session's recent edits, who made them (the
//! terminal, an OSC peer, an MCP agent) and where they took effect, and the
//! way back.
//!
//! Each accepted line that changed the session is kept with the model as it
//! was before it (the last [`KEEP`]). `undo` brings back the model before
//! the last edit (or, with a name, only that instrument's or module's part
//! of it, with its patches and sends), through the same difference-at-the-
//! next-bar path as a song reloaded by `--watch`. An undo is an edit too:
//! it can itself be undone.

use super::model::Model;
use super::{patch, Draft, Planned, Session};
use chronus_command::Word;
use std::collections::VecDeque;

/// Edits kept for `history` and `undo`.
pub const KEEP: usize = 256;

/// One accepted edit.
#[derive(Clone, Debug)]
pub struct EditRecord {
    /// Its number in the session (1 for the first).
    pub number: u64,
    /// Who sent it: `tty`, `osc:ADDRESS`, `mcp`, `song`.
    pub who: String,
    /// The line as typed.
    pub line: String,
    /// The bar (1-based) it took effect in, when it has one.
    pub bar: Option<u64>,
    /// The names it changed (instruments, modules; `tempo`, `swing`,
    /// `master` for the session's own settings).
    pub names: Vec<String>,
    /// The model before it.
    before: Model,
}

/// The edits kept.
#[derive(Clone, Debug, Default)]
pub struct Edits {
    list: VecDeque<EditRecord>,
    count: u64,
}

impl Edits {
    /// Keep an edit `line` by `who` that took the model from `before` to
    /// `after`, in `bar`.
    pub fn record(
        &mut self,
        who: &str,
        line: &str,
        bar: Option<u64>,
        before: Model,
        after: &Model,
    ) {
        self.count += 1;
        let names = touched(&before, after);
        self.list.push_back(EditRecord {
            number: self.count,
            who: who.to_string(),
            line: line.to_string(),
            bar,
            names,
            before,
        });
        while self.list.len() > KEEP {
            self.list.pop_front();
        }
    }

    /// The last `n` edits, oldest first.
    pub fn last(&self, n: usize) -> impl Iterator<Item = &EditRecord> {
        self.list.iter().skip(self.list.len().saturating_sub(n))
    }

    /// Edits since the session began.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The last edit, or the last that changed `name`.
    fn find(&self, name: Option<&str>) -> Option<&EditRecord> {
        self.list
            .iter()
            .rev()
            .find(|e| name.is_none_or(|n| e.names.iter().any(|x| x == n)))
    }
}

/// The names whose part of the model differs between `a` and `b`.
fn touched(a: &Model, b: &Model) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    let mut add = |n: &str| {
        if !names.iter().any(|x| x == n) {
            names.push(n.to_string());
        }
    };
    for n in a.tracks.keys().chain(b.tracks.keys()) {
        let (x, y) = (a.tracks.get(n), b.tracks.get(n));
        let same = match (x, y) {
            (Some(x), Some(y)) => {
                x.spec == y.spec
                    && x.pattern == y.pattern
                    && x.params == y.params
                    && x.playing == y.playing
                    && x.muted == y.muted
                    && x.soloed == y.soloed
            }
            (None, None) => true,
            _ => false,
        };
        if !same || part(a, n) != part(b, n) {
            add(n);
        }
    }
    for n in a.modules.keys().chain(b.modules.keys()) {
        if a.modules.get(n) != b.modules.get(n) || part(a, n) != part(b, n) {
            add(n);
        }
    }
    if a.tempo != b.tempo {
        add("tempo");
    }
    if a.swing != b.swing {
        add("swing");
    }
    if a.master_db != b.master_db {
        add("master");
    }
    names
}

/// The patches and sends that involve `name`, as text (for comparing and
/// for carrying them over).
fn part(m: &Model, name: &str) -> String {
    let mut out = String::new();
    for c in m.cables.iter().filter(|c| cable_has(c, name)) {
        out.push_str(&format!("{c:?};"));
    }
    for w in m.wires.iter().filter(|w| wire_has(w, name)) {
        out.push_str(&format!("{w:?};"));
    }
    for s in m.sends.iter().filter(|s| s.track == name) {
        out.push_str(&format!("{s:?};"));
    }
    out
}

fn cable_has(c: &chronus_sequencer::song::modulation::Cable, name: &str) -> bool {
    c.from == name || c.to == name
}

fn wire_has(w: &chronus_sequencer::song::modulation::Wire, name: &str) -> bool {
    w.from == name || w.to == name
}

/// `model` with `name`'s part as it is in `old`: the instrument or module
/// itself (gone if `old` has none), its cables, wires and sends.
fn with_part_of(model: &Model, old: &Model, name: &str) -> Model {
    let mut m = model.clone();
    match name {
        "tempo" => m.tempo = old.tempo,
        "swing" => m.swing = old.swing,
        "master" => m.master_db = old.master_db,
        _ => {}
    }
    match old.tracks.get(name) {
        Some(t) => {
            let at = m.tracks.get_index_of(name);
            m.tracks.insert(name.to_string(), t.clone());
            if at.is_none() {
                // Back in its old place among the others.
                let want = old.tracks.get_index_of(name).unwrap_or(0);
                let last = m.tracks.len() - 1;
                m.tracks.move_index(last, want.min(last));
            }
        }
        None => {
            m.tracks.shift_remove(name);
        }
    }
    match old.modules.get(name) {
        Some(spec) => {
            m.modules.insert(name.to_string(), spec.clone());
        }
        None => {
            m.modules.shift_remove(name);
        }
    }
    m.cables.retain(|c| !cable_has(c, name));
    m.cables
        .extend(old.cables.iter().filter(|c| cable_has(c, name)).cloned());
    m.wires.retain(|w| !wire_has(w, name));
    m.wires
        .extend(old.wires.iter().filter(|w| wire_has(w, name)).cloned());
    m.sends.retain(|s| s.track != name);
    m.sends
        .extend(old.sends.iter().filter(|s| s.track == name).cloned());
    m
}

/// `history [N]`.
pub(super) fn history(s: &Session, count: Option<usize>) -> String {
    let n = count.unwrap_or(10);
    let edits = &s.edits;
    if edits.count() == 0 {
        return "history: no edits yet".into();
    }
    let shown: Vec<String> = edits
        .last(n)
        .map(|e| {
            let bar = e.bar.map_or(String::new(), |b| format!(" bar {b}"));
            format!("#{}{bar} {}: {}", e.number, e.who, e.line)
        })
        .collect();
    format!(
        "history (last {} of {}): {}",
        shown.len(),
        edits.count(),
        shown.join("; ")
    )
}

/// `undo [NAME]`: plan the way back on the draft.
pub(super) fn undo(s: &Session, d: &mut Draft, name: Option<&Word>) -> Result<Planned, String> {
    let Some(edit) = s.edits.find(name.map(|w| w.text.as_str())) else {
        return Err(match name {
            Some(w) => format!(
                "nothing to undo for '{}': no edit kept changed it (history shows the edits)",
                w.text
            ),
            None => "nothing to undo: no edits yet".into(),
        });
    };
    let target = match name {
        Some(w) => with_part_of(&d.model, &edit.before, &w.text),
        None => edit.before.clone(),
    };
    if target == d.model {
        return Err(format!(
            "nothing to undo: the session is already as it was before #{} ({})",
            edit.number, edit.line
        ));
    }
    let song = if target.tracks.is_empty() {
        None
    } else {
        let text = patch::to_yaml(&target)?;
        let path = std::path::Path::new("undo");
        Some(
            chronus_sequencer::Song::from_yaml(&text, path)
                .map_err(|e| format!("cannot undo #{}: {e}", edit.number))?
                .0,
        )
    };
    let mut planned = super::reload::plan_to(s, d, song.as_ref(), &target)?;
    let what = match name {
        Some(w) => format!("{}'s part of ", w.text),
        None => String::new(),
    };
    planned.summary = format!(
        "undo {what}#{} ({}: {}): {}",
        edit.number,
        edit.who,
        edit.line,
        if planned.summary.is_empty() {
            "as it was".into()
        } else {
            planned.summary.clone()
        }
    );
    Ok(planned)
}
