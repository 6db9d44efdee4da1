//! The commands that take ordinary words (all but `sequence`, `melody` and
//! `pattern`).

use super::args::{
    choice, choice_word, close_to, expect_name, is_bare_name, is_keyword, name, number, targets,
    Args,
};
use crate::command::{
    Command, ListTopic, NoteArg, Quantize, Targets, Word, EFFECTS, INSTRUMENT_TYPES, MODULE_TYPES,
};
use crate::error::{Error, Result};
use crate::lexer::Token;
use chronus_sequencer::pattern::note_name;
use chronus_sequencer::song::suggest::did_you_mean;

/// Parse the words after keyword `a.keyword`.
pub(super) fn parse(mut a: Args) -> Result<Command> {
    let command = match a.keyword {
        "create" => create(&mut a)?,
        "play" => Command::Play(targets(&mut a)?),
        "stop" => Command::Stop(targets(&mut a)?),
        "set" => set(&mut a)?,
        "add" => add(&mut a)?,
        "remove" => remove(&mut a)?,
        "move" => move_effect(&mut a)?,
        "tempo" => tempo(&mut a)?,
        "swing" => swing(&mut a)?,
        "mute" => mute(&mut a)?,
        "solo" => solo(&mut a)?,
        "unmute" => Command::Unmute(targets(&mut a)?),
        "unsolo" => Command::Unsolo,
        "quantize" => quantize(&mut a)?,
        "note" => note(&mut a)?,
        "scene" => Command::Scene {
            name: expect_name(&mut a, "a scene name", "scene")?,
        },
        "arrange" => Command::Arrange,
        "save" => save(&mut a)?,
        "load" => load(&mut a)?,
        "status" => Command::Status,
        "listen" => Command::Listen(super::partner::listening(&mut a, false)?),
        "preview" => super::partner::preview(&mut a)?,
        "look" => super::partner::look(&mut a)?,
        "history" => super::partner::history(&mut a)?,
        "render" => super::partner::render(&mut a)?,
        "undo" => Command::Undo {
            name: a
                .next()
                .map(|t| name(t, "an instrument or module name"))
                .transpose()?,
        },
        "list" => list(&mut a)?,
        "help" => Command::Help {
            topic: a.next().map(|t| Word {
                text: t.shown().to_lowercase(),
                column: t.column,
            }),
        },
        "midi" => super::midi::midi(&mut a)?,
        "map" => super::midi::map(&mut a)?,
        "learn" => Command::Learn(super::midi::map_target(&mut a, "learn")?),
        "unmap" => super::midi::unmap(&mut a)?,
        "patch" => patch(&mut a)?,
        "unpatch" => unpatch(&mut a)?,
        "generate_module" => Command::GenerateModule {
            name: expect_name(
                &mut a,
                "a module name",
                "generate_module (such as generate_module drone)",
            )?,
        },
        "reload" => Command::Reload {
            name: expect_name(&mut a, "a module name", "reload (such as reload drone)")?,
        },
        "send" => send(&mut a)?,
        "quit" => Command::Quit,
        other => {
            return Err(a.missing(format!("the command '{other}' is not implemented")));
        }
    };
    a.finish()?;
    Ok(command)
}

fn create(a: &mut Args) -> Result<Command> {
    let name = expect_name(
        a,
        "a name for the new instrument",
        "create (such as create kick freq=60)",
    )?;
    let types: Vec<&str> = INSTRUMENT_TYPES
        .iter()
        .chain(MODULE_TYPES)
        .copied()
        .collect();
    let ty = match a.next_if(|t| t.pair.is_none()) {
        // Another name may be a user module's (modules/NAME.cm): the
        // session knows, and says what it is not.
        Some(t)
            if !t.quoted
                && is_bare_name(&t.text)
                && !types.contains(&t.text.to_lowercase().as_str()) =>
        {
            Some(Word {
                text: t.text.clone(),
                column: t.column,
            })
        }
        Some(t) => Some(choice_word(&t, &types, "instrument type")?),
        None => None,
    };
    let (params, _) = a.params(false)?;
    Ok(Command::Create { name, ty, params })
}

fn set(a: &mut Args) -> Result<Command> {
    let name = expect_name(
        a,
        "an instrument name (or master)",
        "set (such as set bass cutoff=900)",
    )?;
    let (params, ramp) = a.params(true)?;
    if params.is_empty() {
        return Err(a.missing(format!(
            "expected key=value after '{}' (such as set {} cutoff=900)",
            name.text, name.text
        )));
    }
    Ok(Command::Set { name, params, ramp })
}

/// The word `word` (`to`, `from`) between two names of `add`/`remove`.
fn linking_word(a: &mut Args, word: &str, before: &Word, example: &str) -> Result<()> {
    let t = a.expect(|| {
        format!(
            "expected '{word} NAME' after '{}' (such as {example})",
            before.text
        )
    })?;
    if is_keyword(&t, word) {
        return Ok(());
    }
    let mut hint = close_to(&t.text, &[word]);
    if hint.is_empty() {
        hint = format!(
            " (write: {} {} {word} {})",
            a.keyword,
            before.text,
            t.shown()
        );
    }
    Err(Error::new(
        t.column,
        format!(
            "expected '{word}' after '{}', got '{}'{hint}",
            before.text,
            t.shown(),
        ),
    ))
}

fn add(a: &mut Args) -> Result<Command> {
    let t = a.expect(|| {
        format!(
            "expected an effect after add (one of: {})",
            EFFECTS.join(", ")
        )
    })?;
    let effect = choice_word(&t, EFFECTS, "effect")?;
    let example = format!("add {} to bass", effect.text);
    linking_word(a, "to", &effect, &example)?;
    let target = expect_name(a, "an instrument name", "to")?;
    let (params, _) = a.params(false)?;
    Ok(Command::Add {
        effect,
        target,
        params,
    })
}

fn remove(a: &mut Args) -> Result<Command> {
    let first = a.expect(|| {
        "expected an instrument, or an effect and 'from NAME', after remove".to_string()
    })?;
    let from = a.peek().is_some_and(|t| is_keyword(t, "from"));
    let is_effect = EFFECTS.contains(&without_number(&first.text.to_lowercase()));
    let effect_removal = from || (is_effect && a.peek().is_some());
    if !effect_removal {
        // `remove NAME`; anything after it is reported by `finish`.
        return Ok(Command::Remove {
            name: name(first, "an instrument name")?,
        });
    }
    let effect = numbered_effect(&first)?;
    let example = format!("remove {} from bass", effect.text);
    linking_word(a, "from", &effect, &example)?;
    let target = expect_name(a, "an instrument name", "from")?;
    Ok(Command::RemoveEffect { effect, target })
}

fn move_effect(a: &mut Args) -> Result<Command> {
    let t = a.expect(|| {
        format!(
            "expected an effect after move (such as move reverb on bass to 1; effects: {})",
            EFFECTS.join(", ")
        )
    })?;
    let effect = numbered_effect(&t)?;
    let example = format!("move {} on bass to 1", effect.text);
    linking_word(a, "on", &effect, &example)?;
    let target = expect_name(a, "an instrument name", "on")?;
    linking_word(a, "to", &target, &example)?;
    const WHERE: &str = "expected a position in the chain after to (1 is first)";
    let t = a.expect(|| WHERE.to_string())?;
    let position = number(&t, WHERE, "")?;
    if position < 1.0 || position.fract() != 0.0 || position > 1000.0 {
        return Err(Error::new(t.column, format!("{WHERE}, got '{}'", t.text)));
    }
    Ok(Command::Move {
        effect,
        target,
        position: position as usize,
    })
}

/// `reverb` without its number (`reverb2` is a track's second reverb).
fn without_number(word: &str) -> &str {
    word.trim_end_matches(|c: char| c.is_ascii_digit())
}

/// An effect name, possibly numbered (`reverb2`: the second reverb).
fn numbered_effect(t: &Token) -> Result<Word> {
    let lower = t.text.to_lowercase();
    let base = without_number(&lower);
    if base.len() < lower.len() && EFFECTS.contains(&base) && t.pair.is_none() {
        return Ok(Word {
            text: lower,
            column: t.column,
        });
    }
    choice_word(t, EFFECTS, "effect")
}

fn tempo(a: &mut Args) -> Result<Command> {
    const HINT: &str = " (beats per minute, such as 120)";
    let t = a.expect(|| format!("expected a number after tempo{HINT}"))?;
    if is_keyword(&t, "follow") {
        let what = a.expect(|| "expected midi, link or off after tempo follow".to_string())?;
        let follow = match what.text.to_lowercase().as_str() {
            "midi" => crate::command::Follow::Midi,
            "link" => crate::command::Follow::Link,
            "off" => crate::command::Follow::Off,
            _ => {
                return Err(Error::new(
                    what.column,
                    format!(
                        "expected midi, link or off after tempo follow, got '{}'",
                        what.shown()
                    ),
                ))
            }
        };
        return Ok(Command::TempoFollow(follow));
    }
    let bpm = number(&t, "expected a number after tempo", HINT)?;
    if bpm <= 0.0 {
        return Err(Error::new(
            t.column,
            format!(
                "expected a tempo above 0 beats per minute, got '{}'",
                t.text
            ),
        ));
    }
    Ok(Command::Tempo { bpm })
}

fn swing(a: &mut Args) -> Result<Command> {
    const HINT: &str = " (sixteenths: 0 is straight, 0.1 to 0.2 a light shuffle)";
    let t = a.expect(|| format!("expected a number after swing{HINT}"))?;
    let amount = number(&t, "expected a number after swing", HINT)?;
    if amount < 0.0 {
        return Err(Error::new(
            t.column,
            format!("expected a swing of 0 or more, got '{}'", t.text),
        ));
    }
    Ok(Command::Swing { amount })
}

fn mute(a: &mut Args) -> Result<Command> {
    if a.peek().is_none() {
        return Err(a.missing("expected instrument names (or all) after mute"));
    }
    Ok(Command::Mute(targets(a)?))
}

fn solo(a: &mut Args) -> Result<Command> {
    if let Some(t) = a.next_if(|t| is_keyword(t, "all")) {
        return Err(Error::new(
            t.column,
            "solo takes instrument names, not all (to hear everything again: unsolo)",
        ));
    }
    match targets(a)? {
        Targets::Names(names) => Ok(Command::Solo(names)),
        Targets::All => Err(a.missing("expected instrument names after solo")),
    }
}

fn quantize(a: &mut Args) -> Result<Command> {
    let t = a.expect(|| "expected bar, beat, step or now after quantize".to_string())?;
    let value = choice(&t, &Quantize::NAMES, "quantize value")?;
    let q = Quantize::ALL
        .into_iter()
        .find(|q| q.name() == value)
        .unwrap_or(Quantize::Bar);
    Ok(Command::Quantize(q))
}

fn note(a: &mut Args) -> Result<Command> {
    const NOTE: &str =
        "a note name such as C4, Eb2 or F#3, or a MIDI number 0 to 127 (fractions are microtones)";
    let name = expect_name(a, "an instrument name", "note (such as note bass C3)")?;
    let t = a.expect(|| format!("expected a note after '{}' ({NOTE})", name.text))?;
    let midi = match t.text.parse::<f32>() {
        Ok(n) if (0.0..=127.0).contains(&n) => Some(n),
        Ok(_) => None,
        Err(_) => note_name(&t.text)
            .filter(|n| (0..=127).contains(n))
            .map(|n| n as f32),
    };
    let Some(midi) = midi.filter(|_| t.pair.is_none()) else {
        return Err(Error::new(
            t.column,
            format!("expected {NOTE}, got '{}'", t.shown()),
        ));
    };
    let note = NoteArg {
        text: t.text,
        column: t.column,
        midi,
    };
    let velocity = match a.next() {
        None => None,
        Some(t) => {
            const V: &str = "expected a velocity from 0 to 1 after the note";
            let v = number(&t, V, "")?;
            if !(0.0..=1.0).contains(&v) {
                return Err(Error::new(t.column, format!("{V}, got '{}'", t.text)));
            }
            Some(v)
        }
    };
    let beats = match a.next() {
        None => None,
        Some(t) => {
            const B: &str =
                "expected a length in beats, above 0 and at most 10000, after the velocity";
            let b = number(&t, B, "")?;
            if b <= 0.0 || b > 10_000.0 {
                return Err(Error::new(t.column, format!("{B}, got '{}'", t.text)));
            }
            Some(b)
        }
    };
    Ok(Command::Note {
        name,
        note,
        velocity,
        beats,
    })
}

/// The word `patch` after `save` or `load`.
fn patch_word(a: &mut Args) -> Result<()> {
    let kw = a.keyword;
    let t = a.expect(|| format!("expected 'patch' after {kw} (such as {kw} patch deep_groove)"))?;
    if is_keyword(&t, "patch") {
        return Ok(());
    }
    let hint = close_to(&t.text, &["patch"]);
    let hint = if hint.is_empty() {
        format!(" (write: {kw} patch {})", t.shown())
    } else {
        hint
    };
    Err(Error::new(
        t.column,
        format!("expected 'patch' after {kw}, got '{}'{hint}", t.shown()),
    ))
}

/// Whether `t` looks like an option (`--force`).
fn is_option(t: &Token) -> bool {
    !t.quoted && t.pair.is_none() && t.text.starts_with('-')
}

fn save(a: &mut Args) -> Result<Command> {
    patch_word(a)?;
    let mut name_word = None;
    let mut force = false;
    while let Some(t) = a.next_if(|t| name_word.is_none() || is_option(t)) {
        if !is_option(&t) {
            name_word = Some(name(t, "a patch name")?);
        } else if t.text.eq_ignore_ascii_case("--force") {
            force = true;
        } else {
            return Err(Error::new(
                t.column,
                format!(
                    "unknown option '{}'{}",
                    t.text,
                    did_you_mean(&t.text.to_lowercase(), &["--force"])
                ),
            ));
        }
    }
    let name = name_word.ok_or_else(|| {
        a.missing("expected a patch name after save patch (such as save patch deep_groove)")
    })?;
    Ok(Command::SavePatch { name, force })
}

fn load(a: &mut Args) -> Result<Command> {
    patch_word(a)?;
    let name = expect_name(
        a,
        "a patch name",
        "load patch (such as load patch deep_groove)",
    )?;
    Ok(Command::LoadPatch { name })
}

/// `list` topics as typed.
const TOPICS: &[&str] = &[
    "instruments",
    "types",
    "effects",
    "params",
    "scenes",
    "patches",
    "maps",
    "modules",
];

fn list(a: &mut Args) -> Result<Command> {
    let Some(t) = a.next() else {
        return Ok(Command::List(ListTopic::Instruments));
    };
    let topic = match choice(&t, TOPICS, "list topic")? {
        "types" => ListTopic::Types,
        "effects" => ListTopic::Effects,
        "scenes" => ListTopic::Scenes,
        "patches" => ListTopic::Patches,
        "maps" => ListTopic::Maps,
        "modules" => ListTopic::Modules,
        "params" => ListTopic::Params(expect_name(
            a,
            "an instrument, instrument type or effect",
            "list params (such as list params bass)",
        )?),
        _ => ListTopic::Instruments,
    };
    Ok(Command::List(topic))
}

/// `NAME.PARAM` (or `NAME.EFFECT.PARAM`) after `>`.
/// A name after `>`: a module, an effect, `out`, or `NAME.PARAM`.
fn target_word(a: &mut Args, example: &str) -> Result<Word> {
    let t = a.expect(|| format!("expected a name after '>' (such as {example})"))?;
    let ok =
        t.pair.is_none() && !t.quoted && t.text != ">" && t.text.split('.').all(|p| !p.is_empty());
    if !ok {
        return Err(Error::new(
            t.column,
            format!(
                "expected a module, an effect, out or NAME.PARAM after '>', got '{}' (such as {example})",
                t.shown()
            ),
        ));
    }
    Ok(Word {
        text: t.text.clone(),
        column: t.column,
    })
}

/// The `>` between a module and what it moves.
fn arrow(a: &mut Args, from: &Word, example: &str) -> Result<()> {
    let t = a.expect(|| {
        format!(
            "expected '> NAME' after '{}' (such as {example})",
            from.text
        )
    })?;
    if t.text == ">" && !t.quoted {
        return Ok(());
    }
    Err(Error::new(
        t.column,
        format!(
            "expected '>' after '{}', got '{}' (such as {example})",
            from.text,
            t.shown()
        ),
    ))
}

fn send(a: &mut Args) -> Result<Command> {
    let example = "send bass reverb 0.3";
    let track = expect_name(a, "an instrument name", example)?;
    let t = a.expect(|| {
        format!(
            "expected an effect after '{}' (such as {example})",
            track.text
        )
    })?;
    let effect = choice_word(&t, EFFECTS, "effect")?;
    let t = a.expect(|| {
        format!(
            "expected an amount 0..1 after '{}' (such as {example})",
            effect.text
        )
    })?;
    let v = number(
        &t,
        "expected an amount 0..1",
        &format!(" (such as {example})"),
    )?;
    if !(0.0..=1.0).contains(&v) {
        return Err(Error::new(
            t.column,
            format!("amount {v}: expected 0..1 (0 stops the send)"),
        ));
    }
    Ok(Command::Send {
        track,
        effect,
        amount: (v, t.column),
    })
}

fn patch(a: &mut Args) -> Result<Command> {
    let example = "patch wob > bass.cutoff amount=600, or patch vco1 > filt1 > out";
    let from = expect_name(a, "a module name", example)?;
    let mut to = Vec::new();
    loop {
        let last = to.last().unwrap_or(&from).clone();
        arrow(a, &last, example)?;
        to.push(target_word(a, example)?);
        if a.peek().is_none_or(|t| t.text != ">" || t.quoted) {
            break;
        }
    }
    if let Some(w) = to.iter().rev().skip(1).find(|w| w.text.contains('.')) {
        return Err(Error::new(
            w.column,
            format!(
                "'{}' is a parameter: it ends a patch (such as {example})",
                w.text
            ),
        ));
    }
    let (params, _) = a.params(false)?;
    let mut amount = None;
    for p in params {
        if p.key != "amount" {
            return Err(Error::new(
                p.column,
                format!("patch takes amount=N, not '{}' (such as {example})", p.key),
            ));
        }
        let v: f64 = p
            .value
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite())
            .ok_or_else(|| {
                Error::new(
                    p.value_column,
                    format!("amount={}: expected a number", p.value),
                )
            })?;
        amount = Some((v, p.value_column));
    }
    Ok(Command::Patch { from, to, amount })
}

fn unpatch(a: &mut Args) -> Result<Command> {
    let example = "unpatch wob > bass.cutoff, or unpatch vco1 > filt1";
    let from = expect_name(a, "a module name", example)?;
    let to = if a.peek().is_some() {
        arrow(a, &from, example)?;
        Some(target_word(a, example)?)
    } else {
        None
    };
    Ok(Command::Unpatch { from, to })
}
