//! The tools' argument structs (their JSON schemas come from these types)
//! and the command line each tool builds from them, every argument checked
//! (by [`crate::checks`]): nothing is sent to the session unless every
//! argument passed.

use std::path::Path;

use schemars::JsonSchema;
use serde::Deserialize;

pub(crate) use crate::checks::Checked;
use crate::checks::{bars, command_line, name, optional_name, quoted_path, wav_name};

/// Most edits `history` shows (the session shows no more).
pub(crate) const MAX_HISTORY: i64 = 1000;

/// Arguments of `command`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CommandArgs {
    /// One Chronus command line, such as `create kick` or
    /// `sequence kick: x...x...x...x...`; several commands joined with `;`
    /// apply together, at the same moment, or not at all.
    pub line: String,
}

/// Arguments of `help`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HelpArgs {
    /// What to explain: a command such as `sequence` or `look`, an
    /// instrument type (`fm`), an effect (`reverb`) or a module (`lfo`); omit
    /// it for the list of every command.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub topic: Option<String>,
}

/// Arguments of `listen`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListenArgs {
    /// An instrument (track) name as made with `create`, or `master`;
    /// omit it for the whole mix (the master).
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub track: Option<String>,
    /// How many bars to measure, counting back from now: 1 to 64, default 4.
    #[schemars(range(min = 1, max = 64))]
    pub bars: Option<i64>,
}

/// Arguments of `preview`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct PreviewArgs {
    /// An instrument (track) name, or `master`; omit it for the whole mix.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub track: Option<String>,
    /// How many bars to render from the next bar on: 1 to 64, default 4.
    #[schemars(range(min = 1, max = 64))]
    pub bars: Option<i64>,
    /// A saved patch's name to compare against (as saved with `save_patch`).
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub vs: Option<String>,
}

/// What `look` draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
#[schemars(inline)]
pub(crate) enum Picture {
    Spectrogram,
    Scope,
    Levels,
    Roll,
}

impl Picture {
    /// The word the session knows it by.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Self::Spectrogram => "spectrogram",
            Self::Scope => "scope",
            Self::Levels => "levels",
            Self::Roll => "roll",
        }
    }
}

/// Arguments of `look`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LookArgs {
    /// What to draw: `spectrogram` (frequency over time), `scope` (the
    /// waveform), `levels` (loudness per track over time) or `roll` (a piano
    /// roll of the notes played).
    pub picture: Picture,
    /// An instrument (track) name, or `master`; omit it for the whole mix.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub track: Option<String>,
    /// How many bars to draw, counting back from now: 1 to 64, default 4.
    #[schemars(range(min = 1, max = 64))]
    pub bars: Option<i64>,
}

/// Arguments of `render`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RenderArgs {
    /// How many bars to render from the next bar on: 1 to 64, default 4.
    #[schemars(range(min = 1, max = 64))]
    pub bars: Option<i64>,
    /// A bare file name ending in `.wav` (letters, digits, `_`, `-` and `.`),
    /// written in the session's folder; omit it to let the session pick one
    /// (under `renders/`).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+\.[Ww][Aa][Vv]$"))]
    pub file: Option<String>,
}

/// Arguments of `save_patch`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct SavePatchArgs {
    /// The patch's name: letters, digits, `_` and `-`, starting with a letter.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub name: String,
    /// Overwrite a patch of that name that exists already; default false.
    pub force: Option<bool>,
}

/// Arguments of `load_patch`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoadPatchArgs {
    /// The name of a patch saved before.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub name: String,
}

/// Arguments of `undo`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UndoArgs {
    /// An instrument or module name: revert the last edit to it; omit it to
    /// revert the last edit of all.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_-]*$"))]
    pub name: Option<String>,
}

/// Arguments of `history`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct HistoryArgs {
    /// How many of the last edits to show: 1 to 1000, default 10.
    #[schemars(range(min = 1, max = 1000))]
    pub count: Option<i64>,
}

/// `[ TRACK][ bars=N]`, the words `listen`, `preview` and `look` share.
fn listening(track: &Option<String>, n: Option<i64>) -> Checked<String> {
    let mut out = String::new();
    if let Some(t) = optional_name(track, "a track name (an instrument, or master)")? {
        out.push(' ');
        out.push_str(t);
    }
    if let Some(n) = bars(n)? {
        out.push_str(&format!(" bars={n}"));
    }
    Ok(out)
}

impl CommandArgs {
    /// The line as sent.
    pub(crate) fn line(&self) -> Checked<String> {
        command_line(&self.line).map(str::to_owned)
    }
}

impl HelpArgs {
    /// `help [TOPIC]`.
    pub(crate) fn line(&self) -> Checked<String> {
        Ok(
            match optional_name(&self.topic, "a command name as the topic")? {
                Some(t) => format!("help {t}"),
                None => "help".into(),
            },
        )
    }
}

impl ListenArgs {
    /// `listen [TRACK] [bars=N] --json`.
    pub(crate) fn line(&self) -> Checked<String> {
        Ok(format!(
            "listen{} --json",
            listening(&self.track, self.bars)?
        ))
    }
}

impl PreviewArgs {
    /// `preview [TRACK] [bars=N] [vs=PATCH] --json`.
    pub(crate) fn line(&self) -> Checked<String> {
        let mut out = format!("preview{}", listening(&self.track, self.bars)?);
        if let Some(p) = optional_name(&self.vs, "a saved patch's name after vs")? {
            out.push_str(&format!(" vs={p}"));
        }
        out.push_str(" --json");
        Ok(out)
    }
}

impl LookArgs {
    /// Every argument checked (before the picture's file is chosen).
    pub(crate) fn check(&self) -> Checked<()> {
        listening(&self.track, self.bars).map(drop)
    }

    /// `look PICTURE [TRACK] [bars=N] -o "OUT"`.
    pub(crate) fn line(&self, out: &Path) -> Checked<String> {
        Ok(format!(
            "look {}{} -o {}",
            self.picture.word(),
            listening(&self.track, self.bars)?,
            quoted_path(out)?
        ))
    }
}

impl RenderArgs {
    /// The file name asked for, checked (`None`: the session picks one).
    pub(crate) fn file(&self) -> Checked<Option<&str>> {
        match self.file.as_deref().map(str::trim) {
            None | Some("") => Ok(None),
            Some(f) => wav_name(f).map(Some),
        }
    }

    /// Every argument checked (before the session's folder is asked for).
    pub(crate) fn check(&self) -> Checked<()> {
        bars(self.bars)?;
        self.file().map(drop)
    }

    /// `render [bars=N] [-o "FOLDER/FILE"]`.
    pub(crate) fn line(&self, folder: &Path) -> Checked<String> {
        let mut out = String::from("render");
        if let Some(n) = bars(self.bars)? {
            out.push_str(&format!(" bars={n}"));
        }
        if let Some(f) = self.file()? {
            out.push_str(" -o ");
            out.push_str(&quoted_path(&folder.join(f))?);
        }
        Ok(out)
    }
}

impl SavePatchArgs {
    /// `save patch NAME [--force]`.
    pub(crate) fn line(&self) -> Checked<String> {
        let n = name(self.name.trim(), "a patch name")?;
        Ok(if self.force.unwrap_or(false) {
            format!("save patch {n} --force")
        } else {
            format!("save patch {n}")
        })
    }
}

impl LoadPatchArgs {
    /// `load patch NAME`.
    pub(crate) fn line(&self) -> Checked<String> {
        Ok(format!(
            "load patch {}",
            name(self.name.trim(), "a patch name")?
        ))
    }
}

impl UndoArgs {
    /// `undo [NAME]`.
    pub(crate) fn line(&self) -> Checked<String> {
        Ok(
            match optional_name(&self.name, "an instrument or module name")? {
                Some(n) => format!("undo {n}"),
                None => "undo".into(),
            },
        )
    }
}

impl HistoryArgs {
    /// `history [N]`.
    pub(crate) fn line(&self) -> Checked<String> {
        match self.count {
            None => Ok("history".into()),
            Some(n) if (1..=MAX_HISTORY).contains(&n) => Ok(format!("history {n}")),
            Some(n) => Err(format!(
                "error: expected a count of edits from 1 to {MAX_HISTORY}, got {n}"
            )),
        }
    }
}

#[cfg(test)]
mod tests;
