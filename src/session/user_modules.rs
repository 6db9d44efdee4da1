//! Modules written mid-session: definitions read from `modules/NAME.cm`
//! (the module language, `chronus_modlang`), `generate_module NAME`,
//! `reload NAME`, `list modules` and `help NAME`.
//!
//! A definition is parsed and checked here, off the audio thread; every
//! module made from it (`create d1 drone`) is built into the next rack,
//! which takes over the old module's state (`Module::take_state_from`) and
//! crossfades, so a reload never stops or clicks the sound. A definition
//! with an error is refused with `modules/NAME.cm:LINE:COLUMN` and the old
//! one plays on.

use super::{Draft, Planned, Session};
use chronus_command::Word;
use chronus_modlang::Definition;
use chronus_sequencer::song::modules::{keys, ModuleKind, ModuleSpec, KINDS};
use std::path::{Path, PathBuf};
use std::sync::Arc;

type Result<T> = std::result::Result<T, String>;

/// A loaded definition and the number of its load (each reload counts
/// up, so a rack built from an older one is told apart).
#[derive(Clone, Debug)]
pub struct UserDef {
    /// Which load this is.
    pub version: u64,
    /// The definition.
    pub def: Arc<Definition>,
    /// The file it came from (`reload` reads it again).
    pub path: PathBuf,
    /// Its text as it was read (what a preview renders).
    pub text: Arc<str>,
}

impl PartialEq for UserDef {
    fn eq(&self, other: &Self) -> bool {
        self.version == other.version
    }
}

/// The file of definition `name` in `dir`.
pub(super) fn file_of(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.cm"))
}

/// How the file is named in messages: `modules/drone.cm`.
fn shown(dir: &Path, name: &str) -> String {
    let folder = dir
        .file_name()
        .map_or_else(|| "modules".into(), |f| f.to_string_lossy().into_owned());
    format!("{folder}/{name}.cm")
}

/// Read and check definition `name` from `dir`.
fn read(dir: &Path, name: &str) -> Result<Definition> {
    read_file(&file_of(dir, name), dir, name).map(|(def, _)| def)
}

/// Read and check definition `name` from `path` (in `dir`): it, and its
/// text.
fn read_file(path: &Path, dir: &Path, name: &str) -> Result<(Definition, Arc<str>)> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!(
                "no module type '{name}': {} does not exist (generate_module {name} writes one)",
                shown(dir, name)
            )
        } else {
            format!("{}: cannot read it: {e}", shown(dir, name))
        }
    })?;
    let def = chronus_modlang::parse(&text, &shown(dir, name), name).map_err(|e| e.to_string())?;
    Ok((def, text.into()))
}

impl Session {
    /// The folder of user modules (beside the patches folder).
    pub(super) fn modules_dir(&self) -> PathBuf {
        self.patches.with_file_name("modules")
    }

    /// Definition `name`, loaded into the draft if it is not yet.
    pub(super) fn definition(&mut self, d: &mut Draft, name: &str) -> Result<UserDef> {
        if let Some(u) = d.user.get(name) {
            return Ok(u.clone());
        }
        let path = file_of(&self.modules_dir(), name);
        let (def, text) = read_file(&path, &self.modules_dir(), name)?;
        self.loads += 1;
        let u = UserDef {
            version: self.loads,
            def: Arc::new(def),
            path,
            text,
        };
        d.user.insert(name.to_string(), u.clone());
        Ok(u)
    }

    /// Take the definitions a song brought (read beside it): they, and
    /// their files, are the ones its modules use.
    pub(super) fn adopt_sources(
        &mut self,
        d: &mut Draft,
        song: &chronus_sequencer::Song,
    ) -> Result<()> {
        for s in &song.modulation.sources {
            let def =
                chronus_modlang::parse(&s.text, &s.file, &s.name).map_err(|e| e.to_string())?;
            self.loads += 1;
            d.user.insert(
                s.name.clone(),
                UserDef {
                    version: self.loads,
                    def: Arc::new(def),
                    path: s.path.clone(),
                    text: s.text.as_str().into(),
                },
            );
        }
        Ok(())
    }

    /// The definitions the draft's modules use, as a song carries them
    /// (so that a song written from the session reads back without
    /// looking for their files).
    pub(super) fn sources(d: &Draft) -> Vec<chronus_sequencer::song::modulation::ModuleSource> {
        d.user
            .iter()
            .map(
                |(name, u)| chronus_sequencer::song::modulation::ModuleSource {
                    name: name.clone(),
                    file: format!("modules/{name}.cm"),
                    path: u.path.clone(),
                    text: u.text.to_string(),
                },
            )
            .collect()
    }

    /// Load the definition of every user module in the draft (a patch or
    /// song just loaded).
    pub(super) fn load_definitions(&mut self, d: &mut Draft) -> Result<()> {
        let names: Vec<(String, String)> = d
            .model
            .modules
            .iter()
            .filter(|(_, s)| s.kind == ModuleKind::User)
            .map(|(n, s)| (n.clone(), s.source.clone()))
            .collect();
        for (module, def) in names {
            let u = self
                .definition(d, &def)
                .map_err(|e| format!("{module}: {e}"))?;
            if let Some(spec) = d.model.modules.get(&module) {
                check_settings(&u.def, spec).map_err(|e| format!("{module}: {e}"))?;
            }
        }
        Ok(())
    }
}

/// Refuse a user module's settings its definition does not take.
pub(super) fn check_settings(def: &Definition, spec: &ModuleSpec) -> Result<()> {
    for (key, value) in &spec.user {
        let Some(p) = def.params().iter().find(|p| p.name == *key) else {
            let names: Vec<&str> = def.params().iter().map(|p| p.name.as_str()).collect();
            return Err(format!(
                "{} has no setting '{key}': it has {}",
                def.name(),
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ));
        };
        let v = *value as f32;
        if !(p.min..=p.max).contains(&v) {
            return Err(format!("{key} {value}: expected {}..{}", p.min, p.max));
        }
    }
    Ok(())
}

/// `create NAME DEF key=value...` for a user module.
pub(super) fn create(
    s: &mut Session,
    d: &mut Draft,
    name: &Word,
    def: &Word,
    params: &[chronus_command::Param],
) -> Result<Planned> {
    let u = s.definition(d, &def.text).map_err(|e| {
        if e.starts_with("no module type") {
            let mut known: Vec<&str> = chronus_command::INSTRUMENT_TYPES.to_vec();
            known.extend(chronus_command::MODULE_TYPES);
            let hint = chronus_sequencer::song::suggest::did_you_mean(&def.text, &known);
            let hint = if hint.starts_with(" (did you mean") {
                hint
            } else {
                format!(" (expected one of {})", known.join(", "))
            };
            format!(
                "unknown instrument type '{}'{hint}, and {}",
                def.text,
                e.split_once(": ").map_or(e.as_str(), |x| x.1)
            )
        } else {
            e
        }
    })?;
    let mut spec = ModuleSpec::user(&def.text);
    for p in params {
        spec.set(&p.key, &p.value)
            .map_err(|e| format!("{}: {e}", name.text))?;
    }
    check_settings(&u.def, &spec).map_err(|e| format!("{}: {e}", name.text))?;
    super::modules::add(d, name, spec, &def.text)
}

/// `generate_module NAME`: the template, never over an existing file.
pub(super) fn generate(s: &Session, name: &Word) -> Result<Planned> {
    let dir = s.modules_dir();
    let path = file_of(&dir, &name.text);
    if path.exists() {
        return Err(format!(
            "{} exists: edit it, then reload {} (nothing was written)",
            shown(&dir, &name.text),
            name.text
        ));
    }
    super::patch::write_atomic(&path, &chronus_modlang::template(&name.text))?;
    Ok(Planned {
        info: Some(format!(
            "wrote {}: create x {} then patch x > out to hear it; edit the file, then reload {}",
            shown(&dir, &name.text),
            name.text,
            name.text
        )),
        ..Planned::default()
    })
}

/// `reload NAME`: read it again; the next rack carries it.
pub(super) fn reload(s: &mut Session, d: &mut Draft, name: &Word) -> Result<Planned> {
    let dir = s.modules_dir();
    let path = d
        .user
        .get(&name.text)
        .map_or_else(|| file_of(&dir, &name.text), |u| u.path.clone());
    let (def, text) = read_file(&path, path.parent().unwrap_or(&dir), &name.text)?;
    // Settings made for the old definition must still fit the new one.
    for (module, spec) in &d.model.modules {
        if spec.kind == ModuleKind::User && spec.source == name.text {
            check_settings(&def, spec).map_err(|e| {
                format!(
                    "{module}: {e}; the old definition plays on (change {module}'s settings first)"
                )
            })?;
        }
    }
    s.loads += 1;
    let users: Vec<&str> = d
        .model
        .modules
        .iter()
        .filter(|(_, m)| m.kind == ModuleKind::User && m.source == name.text)
        .map(|(n, _)| n.as_str())
        .collect();
    let summary = format!(
        "reload {} ({} ops; {})",
        name.text,
        def.op_count(),
        if users.is_empty() {
            "no module uses it yet".to_string()
        } else {
            format!("in {}", users.join(", "))
        }
    );
    d.user.insert(
        name.text.clone(),
        UserDef {
            version: s.loads,
            def: Arc::new(def),
            path,
            text,
        },
    );
    Ok(Planned {
        summary,
        ..Planned::default()
    })
}

/// `list modules`: the built-in types, then the files under `modules/`.
pub(super) fn list(s: &Session) -> String {
    let built: Vec<&str> = KINDS.iter().map(|k| k.name).collect();
    let dir = s.modules_dir();
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| {
                    let p = e.ok()?.path();
                    if p.extension()? != "cm" {
                        return None;
                    }
                    Some(p.file_stem()?.to_string_lossy().into_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let user: Vec<String> = files
        .iter()
        .map(|n| match read(&dir, n) {
            Ok(def) => format!("{n} ({})", params_text(&def)),
            Err(e) => format!("{n} (does not load: {e})"),
        })
        .collect();
    format!(
        "module types: {}; yours in {}: {}",
        built.join(", "),
        dir.display(),
        if user.is_empty() {
            "none (generate_module NAME writes one)".to_string()
        } else {
            user.join(", ")
        }
    )
}

/// `freq 110 (20..2000, pitch, Hz), cutoff ...`.
fn params_text(def: &Definition) -> String {
    let p: Vec<String> = def
        .params()
        .iter()
        .map(|p| {
            let doc = if p.doc.is_empty() {
                String::new()
            } else {
                format!(", {}", p.doc)
            };
            format!("{} {} ({}..{}{doc})", p.name, p.default, p.min, p.max)
        })
        .collect();
    if p.is_empty() {
        "no settings".into()
    } else {
        p.join(", ")
    }
}

/// `help NAME` for a module type, built in or a file under `modules/`.
pub(super) fn help(s: &Session, topic: &str) -> Option<String> {
    if let Some(k) = KINDS.iter().find(|k| k.name == topic) {
        let mut items: Vec<String> = Vec::new();
        if let Some((key, names)) = k.choice {
            items.push(format!("{key}={}", names.join("|")));
        }
        for n in k.numbers {
            items.push(format!(
                "{} {} ({}..{}, {})",
                n.name, n.default, n.min, n.max, n.doc
            ));
        }
        let extra: Vec<&str> = keys(k)
            .into_iter()
            .filter(|x| *x == "values" || *x == "track")
            .collect();
        items.extend(extra.iter().map(|x| x.to_string()));
        return Some(format!(
            "{topic} (module): {}; settings {}. Example: create m1 {topic}, then {}",
            k.doc,
            items.join(", "),
            if k.audio_out {
                "patch m1 > out"
            } else {
                "patch m1 > NAME.cutoff amount=300"
            }
        ));
    }
    let dir = s.modules_dir();
    if !file_of(&dir, topic).exists() {
        return None;
    }
    Some(match read(&dir, topic) {
        Ok(def) => format!(
            "{topic} (your module, {}): {}; inputs {}; outputs {}; settings {}. Example: create m1 {topic}, then patch m1 > out",
            shown(&dir, topic),
            if def.doc().is_empty() { "no description" } else { def.doc() },
            if def.inputs().is_empty() { "none".to_string() } else { def.inputs().join(", ") },
            def.outputs().join(", "),
            params_text(&def)
        ),
        Err(e) => format!("{topic} (your module) does not load: {e}"),
    })
}
