//! The commands for a partner who cannot hear: `listen`, `preview`,
//! `look`, `history` (and `undo`, in `commands.rs`).

use super::args::{choice, name, number, Args};
use crate::command::{Command, Listening, Picture, Word};
use crate::error::{Error, Result};
use crate::lexer::Token;

/// Most bars `listen`, `preview` and `look` take.
pub const MAX_BARS: u32 = 64;

/// `[NAME|master] [bars=N] [--json]` (and, for `preview`, `vs=PATCH`,
/// returned through `vs`; for `look`, `-o FILE`).
fn words(
    a: &mut Args,
    extra: &mut dyn FnMut(&mut Args, &Token) -> Result<bool>,
) -> Result<Listening> {
    let mut l = Listening::default();
    while let Some(t) = a.next() {
        if extra(a, &t)? {
            continue;
        }
        if !t.quoted && t.pair.is_none() && t.text == "--json" {
            l.json = true;
            continue;
        }
        if let Some(p) = &t.pair {
            if p.key.eq_ignore_ascii_case("bars") {
                let v = Token {
                    text: p.value.clone(),
                    column: p.value_column,
                    pair: None,
                    ..t.clone()
                };
                let n = number(
                    &v,
                    "expected a whole number of bars after bars=",
                    " (such as bars=4)",
                )?;
                if n.fract() != 0.0 || n < 1.0 || n > f64::from(MAX_BARS) {
                    return Err(Error::new(
                        v.column,
                        format!("expected bars=1 to bars={MAX_BARS}, got 'bars={}'", p.value),
                    ));
                }
                l.bars = Some((n as u32, v.column));
                continue;
            }
            return Err(Error::new(
                t.column,
                format!(
                    "unexpected '{}' (syntax: {})",
                    t.shown(),
                    crate::help::command_help(a.keyword).map_or(a.keyword, |h| h.syntax)
                ),
            ));
        }
        if l.what.is_some() {
            return Err(super::args::unexpected(&t, a.keyword));
        }
        let w = name(t, "an instrument name or master")?;
        if !w.text.eq_ignore_ascii_case("master") {
            l.what = Some(w);
        }
    }
    Ok(l)
}

/// `listen [NAME|master] [bars=N] [--json]`.
pub(super) fn listening(a: &mut Args, _preview: bool) -> Result<Listening> {
    words(a, &mut |_, _| Ok(false))
}

/// `preview [NAME|master] [bars=N] [vs=PATCH] [--json]`.
pub(super) fn preview(a: &mut Args) -> Result<Command> {
    let mut vs: Option<Word> = None;
    let listening = words(a, &mut |_, t| {
        let Some(p) = t.pair.as_ref().filter(|p| p.key.eq_ignore_ascii_case("vs")) else {
            return Ok(false);
        };
        let v = Token {
            text: p.value.clone(),
            column: p.value_column,
            pair: None,
            ..t.clone()
        };
        vs = Some(name(v, "a saved patch's name after vs=")?);
        Ok(true)
    })?;
    Ok(Command::Preview { listening, vs })
}

/// `-o FILE` as a word (the file name after it), when `t` is `-o`.
fn out_file(a: &mut Args, t: &Token, example: &str) -> Result<Option<Word>> {
    if t.quoted || t.pair.is_some() || t.text != "-o" {
        return Ok(None);
    }
    let file = a.expect(|| format!("expected a file name after -o (such as -o {example})"))?;
    if file.pair.is_some() || file.text.is_empty() {
        return Err(Error::new(
            file.column,
            format!("expected a file name after -o, got '{}'", file.shown()),
        ));
    }
    Ok(Some(Word {
        text: file.text,
        column: file.column,
    }))
}

/// `render [bars=N] [-o FILE.wav]`.
pub(super) fn render(a: &mut Args) -> Result<Command> {
    let mut out: Option<Word> = None;
    let l = words(a, &mut |a, t| {
        let file = out_file(a, t, "groove.wav")?;
        let found = file.is_some();
        if found {
            out = file;
        }
        Ok(found)
    })?;
    if let Some(w) = l.what {
        return Err(Error::new(
            w.column,
            format!(
                "render writes the whole mix: unexpected '{}' (syntax: render [bars=N] [-o FILE.wav])",
                w.text
            ),
        ));
    }
    if l.json {
        return Err(a.missing("render writes a WAV file: --json is for listen and preview"));
    }
    Ok(Command::Render { bars: l.bars, out })
}

/// `look spectrogram|scope|levels|roll [NAME|master] [bars=N] [-o FILE.png]`.
pub(super) fn look(a: &mut Args) -> Result<Command> {
    let t = a.expect(|| {
        format!(
            "expected what to draw after look: {} (such as look spectrogram)",
            Picture::NAMES.join(", ")
        )
    })?;
    let picture = match choice(&t, Picture::NAMES, "picture")? {
        "spectrogram" => Picture::Spectrogram,
        "scope" => Picture::Scope,
        "levels" => Picture::Levels,
        _ => Picture::Roll,
    };
    let mut out: Option<Word> = None;
    let listening = words(a, &mut |a, t| {
        let file = out_file(a, t, "groove.png")?;
        let found = file.is_some();
        if found {
            out = file;
        }
        Ok(found)
    })?;
    if listening.json {
        return Err(a.missing("look draws a picture: --json is for listen and preview"));
    }
    Ok(Command::Look {
        picture,
        listening,
        out,
    })
}

/// `history [N]`.
pub(super) fn history(a: &mut Args) -> Result<Command> {
    let count = match a.next() {
        None => None,
        Some(t) => {
            let n = number(
                &t,
                "expected how many edits after history",
                " (such as history 5)",
            )?;
            if n.fract() != 0.0 || n < 1.0 {
                return Err(Error::new(
                    t.column,
                    format!(
                        "expected a whole number of edits, 1 or more, got '{}'",
                        t.text
                    ),
                ));
            }
            Some(n.min(1000.0) as usize)
        }
    };
    Ok(Command::History { count })
}
