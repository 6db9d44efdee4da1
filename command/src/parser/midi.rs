//! `midi`, `map`, `learn` and `unmap`.

use super::args::{is_keyword, name, number, unexpected, Args};
use crate::command::{Command, MapCurve, MapSource, MapTarget, MidiCommand, Unmap, Word};
use crate::error::{Error, Result};
use crate::lexer::Token;

/// `midi`, `midi ports`, `midi off`, `midi NAME [channel N|all] [bend=N]`,
/// `midi NAME off`.
pub(super) fn midi(a: &mut Args) -> Result<Command> {
    let Some(first) = a.next() else {
        return Ok(Command::Midi(MidiCommand::Show));
    };
    if is_keyword(&first, "ports") {
        return Ok(Command::Midi(MidiCommand::Ports));
    }
    if is_keyword(&first, "off") {
        return Ok(Command::Midi(MidiCommand::Off(None)));
    }
    if is_keyword(&first, "clock") {
        let t = a.expect(|| "expected on or off after midi clock".to_string())?;
        return match t.text.to_lowercase().as_str() {
            "on" => Ok(Command::Midi(MidiCommand::Clock(true))),
            "off" => Ok(Command::Midi(MidiCommand::Clock(false))),
            _ => Err(Error::new(
                t.column,
                format!("expected on or off after midi clock, got '{}'", t.shown()),
            )),
        };
    }
    if is_keyword(&first, "out") {
        let name = name(
            a.expect(|| {
                "expected an instrument name after midi out (such as midi out bass channel 2)"
                    .to_string()
            })?,
            "an instrument name",
        )?;
        let mut channel = 1;
        while let Some(t) = a.next() {
            if is_keyword(&t, "off") {
                return Ok(Command::Midi(MidiCommand::OutOff(name)));
            }
            if is_keyword(&t, "channel") {
                let c = a.expect(|| "expected a channel 1..16 after channel".to_string())?;
                channel = channel_number(&c, &c.text)?;
                continue;
            }
            match &t.pair {
                Some(p) if p.key.eq_ignore_ascii_case("channel") => {
                    channel = channel_number(&t, &p.value)?;
                }
                _ => return Err(unexpected(&t, "midi")),
            }
        }
        return Ok(Command::Midi(MidiCommand::Out { name, channel }));
    }
    let name = name(first, "an instrument name, ports or off")?;
    let mut channel = None;
    let mut bend = None;
    while let Some(t) = a.next() {
        if is_keyword(&t, "off") {
            return Ok(Command::Midi(MidiCommand::Off(Some(name))));
        }
        if is_keyword(&t, "all") {
            channel = None;
            continue;
        }
        if is_keyword(&t, "channel") {
            let c = a.expect(|| "expected a channel 1..16 or all after channel".to_string())?;
            channel = if is_keyword(&c, "all") {
                None
            } else {
                Some(channel_number(&c, &c.text)?)
            };
            continue;
        }
        match &t.pair {
            Some(p) if p.key.eq_ignore_ascii_case("channel") => {
                channel = if p.value.eq_ignore_ascii_case("all") {
                    None
                } else {
                    Some(channel_number(&t, &p.value)?)
                };
            }
            Some(p) if p.key.eq_ignore_ascii_case("bend") => {
                let v = p.value.trim().parse::<f64>().ok().filter(|v| v.is_finite());
                match v {
                    Some(v) if (0.0..=48.0).contains(&v) => bend = Some(v),
                    _ => {
                        return Err(Error::new(
                            p.value_column,
                            format!(
                                "expected a bend range in semitones 0..48 after bend=, got '{}'",
                                p.value
                            ),
                        ))
                    }
                }
            }
            _ => return Err(unexpected(&t, "midi")),
        }
    }
    Ok(Command::Midi(MidiCommand::Route {
        name,
        channel,
        bend,
    }))
}

/// A MIDI channel as the user counts them, 1..=16.
fn channel_number(t: &Token, text: &str) -> Result<u8> {
    match text.trim().parse::<u8>() {
        Ok(c @ 1..=16) => Ok(c),
        _ => Err(Error::new(
            t.pair.as_ref().map_or(t.column, |p| p.value_column),
            format!("expected a MIDI channel 1..16 (or all), got '{text}'"),
        )),
    }
}

/// `cc N` or `aftertouch` (also `pressure`).
fn source(a: &mut Args, keyword: &str) -> Result<MapSource> {
    let t = a.expect(|| format!("expected cc N or aftertouch after {keyword}"))?;
    if is_keyword(&t, "aftertouch") || is_keyword(&t, "pressure") {
        return Ok(MapSource::Aftertouch);
    }
    if !is_keyword(&t, "cc") {
        return Err(Error::new(
            t.column,
            format!(
                "expected cc N or aftertouch after {keyword}, got '{}' (such as {keyword} cc 74)",
                t.shown()
            ),
        ));
    }
    let n = a.expect(|| "expected a controller number 0..119 after cc".to_string())?;
    let v = number(&n, "expected a controller number 0..119 after cc", "")?;
    if v.fract() != 0.0 || !(0.0..=127.0).contains(&v) {
        return Err(Error::new(
            n.column,
            format!(
                "expected a controller number 0..119 after cc, got '{}'",
                n.text
            ),
        ));
    }
    if v >= 120.0 {
        return Err(Error::new(
            n.column,
            format!(
                "controller {v} is a channel mode message (120 all sound off, 121 reset, 123 all notes off...), not a controller to map: use 0..119"
            ),
        ));
    }
    Ok(MapSource::Control(v as u8))
}

/// `map SOURCE TARGET [MIN MAX] [curve=...] [channel=N]`.
pub(super) fn map(a: &mut Args) -> Result<Command> {
    let source = source(a, "map")?;
    let to = map_target(a, "map")?;
    Ok(Command::Map { source, to })
}

/// `NAME.PARAM [MIN MAX] [curve=lin|exp] [channel=N]`, the rest of `map`
/// and `learn`.
pub(super) fn map_target(a: &mut Args, keyword: &str) -> Result<MapTarget> {
    let t = a.expect(|| {
        format!("expected NAME.PARAM after {keyword} (such as {keyword} bass.cutoff)")
    })?;
    if t.pair.is_some() || t.quoted || !t.text.contains('.') || t.text.ends_with('.') {
        return Err(Error::new(
            t.column,
            format!(
                "expected NAME.PARAM (such as bass.cutoff or bass.reverb.mix), got '{}'",
                t.shown()
            ),
        ));
    }
    let target = Word {
        text: t.text.to_lowercase(),
        column: t.column,
    };
    let mut numbers = Vec::new();
    let mut curve = None;
    let mut channel = None;
    while let Some(t) = a.next() {
        match &t.pair {
            None if numbers.len() < 2 => {
                numbers.push(number(&t, "expected MIN MAX numbers or key=value", "")?);
            }
            Some(p) if p.key.eq_ignore_ascii_case("curve") => {
                curve = Some(MapCurve::parse(&p.value).ok_or_else(|| {
                    Error::new(
                        p.value_column,
                        format!("expected curve=lin or curve=exp, got '{}'", p.value),
                    )
                })?);
            }
            Some(p) if p.key.eq_ignore_ascii_case("channel") => {
                channel = Some(channel_number(&t, &p.value)?);
            }
            _ => return Err(unexpected(&t, keyword)),
        }
    }
    let range = match numbers.as_slice() {
        [] => None,
        [min, max] => Some((*min, *max)),
        _ => {
            return Err(a.missing(format!(
                "expected two numbers, MIN and MAX, after {} (such as {keyword} {} 200 4000)",
                target.text, target.text
            )))
        }
    };
    Ok(MapTarget {
        target,
        range,
        curve,
        channel,
    })
}

/// `unmap cc N|aftertouch|NAME.PARAM|all`.
pub(super) fn unmap(a: &mut Args) -> Result<Command> {
    let Some(t) = a.peek() else {
        return Err(a.missing("expected cc N, aftertouch, NAME.PARAM or all after unmap"));
    };
    if is_keyword(t, "all") {
        a.next();
        return Ok(Command::Unmap(Unmap::All));
    }
    if is_keyword(t, "cc") || is_keyword(t, "aftertouch") || is_keyword(t, "pressure") {
        return Ok(Command::Unmap(Unmap::Source(source(a, "unmap")?)));
    }
    let t = a.expect(String::new)?;
    if t.pair.is_some() || !t.text.contains('.') {
        return Err(Error::new(
            t.column,
            format!(
                "expected cc N, aftertouch, NAME.PARAM or all after unmap, got '{}'",
                t.shown()
            ),
        ));
    }
    Ok(Command::Unmap(Unmap::Target(Word {
        text: t.text.to_lowercase(),
        column: t.column,
    })))
}
