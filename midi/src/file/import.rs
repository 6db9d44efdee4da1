//! A [`Score`] as a Chronus song (YAML text): each track and channel an
//! instrument (General MIDI drums on channel 10 split into kick, snare,
//! hihat, clap, tom and a kit for the rest), its notes a pattern per bar
//! with exact onsets, the time signatures as meters on the arrangement and
//! every tempo change kept.
//!
//! A bar's notes are written as weighted steps on the bar's finest grid
//! (the greatest common divisor of the bar's length and every onset and
//! end in it, in ticks), so `~@3 C4@2 ~@3` puts C4 exactly at 3/8 of the
//! bar for 2/8 of it: nothing is ever rounded. Overlapping notes go to
//! layers (`a, b`); notes starting and ending together are one chord. A note
//! held over a bar line is continued with a leading `_` in the next bar.

use super::read::{Note, Part, Score};
use super::FileError;
use chronus_sequencer::pattern::note_label;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Velocity from which a drum hit is an accent (`X`).
pub const ACCENT_VELOCITY: u8 = 115;

/// One bar of the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Bar {
    start: u64,
    len: u64,
    /// Song beats in it.
    meter: u32,
    /// Ticks per song beat.
    unit: u64,
}

/// What a drum note becomes: the five drums by General MIDI note, the
/// cymbals as hi-hats, what the kit plays (rim, cowbell) on a kit, and any
/// other note as a tom at that pitch.
fn drum_kind(key: u8) -> &'static str {
    match key {
        35 | 36 => "kick",
        37 | 38 | 40 => "snare",
        39 => "clap",
        42 | 44 | 46 | 49 | 51 | 52 | 53 | 55 | 57 | 59 => "hihat",
        41 | 43 | 45 | 47 | 48 | 50 => "tom",
        k if chronus_sequencer::pitch::kit::notes().any(|n| n == k) => "perc",
        _ => "tom",
    }
}

/// Instrument settings for a General MIDI program.
fn program_spec(program: Option<u8>) -> &'static str {
    match program.unwrap_or(0) {
        0..=7 => "{ type: fm, ratio: 1, index: 2, index_env: 1, attack: 0.002, decay: 0.9, sustain: 0.15, release: 0.4 }",
        32..=39 => "{ type: synth, osc: saw, cutoff: 700, resonance: 0.2, decay: 0.3, sustain: 0.6, release: 0.08 }",
        40..=55 => "{ type: synth, osc: saw, cutoff: 2500, attack: 0.08, sustain: 0.9, release: 0.3 }",
        80..=87 => "{ type: synth, osc: square, cutoff: 3000, sustain: 0.8, release: 0.1 }",
        88..=95 => "{ type: synth, osc: triangle, cutoff: 4000, attack: 0.3, sustain: 1, release: 0.8 }",
        _ => "{ type: synth, osc: saw, cutoff: 2000, sustain: 0.8, release: 0.1 }",
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The bars covering the score, from its time signatures.
fn bars(score: &Score) -> Result<Vec<Bar>, FileError> {
    let tpq = u64::from(score.ticks_per_quarter);
    let mut out = Vec::new();
    let end = score.end.max(1);
    for (i, &(tick, num, den)) in score.meters.iter().enumerate() {
        let next = score.meters.get(i + 1).map_or(u64::MAX, |m| m.0);
        let whole = tpq * 4 * u64::from(num);
        let scale = 1u64 << den;
        if whole % scale != 0 {
            return Err(FileError::Invalid(format!(
                "time signature {num}/{} at tick {tick}: its bar is not a whole number of ticks at {tpq} per quarter",
                scale
            )));
        }
        let len = whole / scale;
        let unit = if len.is_multiple_of(tpq) {
            tpq
        } else {
            tpq * 4 / scale
        };
        let mut at = tick;
        while at < next && at < end {
            let this = len.min(next - at);
            if !this.is_multiple_of(unit) {
                return Err(FileError::Invalid(format!(
                    "bar {} is cut short by a time signature at tick {next}: {this} ticks, not a whole number of beats",
                    out.len() + 1
                )));
            }
            let meter = this / unit;
            if !(1..=32).contains(&meter) {
                return Err(FileError::Invalid(format!(
                    "bar {} has {meter} beats (time signature {num}/{scale}): Chronus bars hold 1..32",
                    out.len() + 1
                )));
            }
            out.push(Bar {
                start: at,
                len: this,
                meter: meter as u32,
                unit,
            });
            at += this;
        }
    }
    if out.is_empty() {
        out.push(Bar {
            start: 0,
            len: tpq * 4,
            meter: 4,
            unit: tpq,
        });
    }
    Ok(out)
}

/// A name usable as an instrument name.
fn clean(name: &str, fallback: &str) -> String {
    let mut s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_matches('_').to_string();
    match s.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => s,
        Some(_) => format!("t_{s}"),
        None => fallback.to_string(),
    }
}

/// An instrument to write: name, settings, and what its notes play.
struct Instrument {
    name: String,
    spec: String,
    /// How a note is written: `Pitch` (note names), `Number` (MIDI numbers,
    /// for toms and the kit), `Hit` (x or X).
    write: Write,
    notes: Vec<Note>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Write {
    Pitch,
    Number,
    Hit,
}

fn instruments(score: &Score) -> Vec<Instrument> {
    let mut out: Vec<Instrument> = Vec::new();
    let mut taken: BTreeMap<String, usize> = BTreeMap::new();
    let mut unique = |base: String| {
        let n = taken.entry(base.clone()).or_insert(0);
        *n += 1;
        if *n == 1 {
            base
        } else {
            format!("{base}{n}")
        }
    };
    for part in &score.parts {
        if part.notes.is_empty() {
            continue;
        }
        if part.channel == 9 {
            drums(part, &mut out, &mut unique);
            continue;
        }
        let fallback = format!("ch{}", part.channel + 1);
        out.push(Instrument {
            name: unique(clean(&part.name, &fallback)),
            spec: program_spec(part.program).to_string(),
            write: Write::Pitch,
            notes: part.notes.clone(),
        });
    }
    out
}

fn drums(part: &Part, out: &mut Vec<Instrument>, unique: &mut impl FnMut(String) -> String) {
    let mut kinds: Vec<&str> = part.notes.iter().map(|n| drum_kind(n.key)).collect();
    kinds.sort();
    kinds.dedup();
    let base = clean(&part.name, "drums");
    for kind in &kinds {
        let name = if kinds.len() == 1 && part.name.is_empty() {
            (*kind).to_string()
        } else if kinds.len() == 1 {
            base.clone()
        } else {
            format!("{base}_{kind}")
        };
        let (spec, write) = match *kind {
            "kick" => ("{ type: kick }", Write::Hit),
            "snare" => ("{ type: snare }", Write::Hit),
            "clap" => ("{ type: clap }", Write::Hit),
            "hihat" => ("{ type: hihat }", Write::Hit),
            "tom" => ("{ type: tom }", Write::Number),
            _ => ("{ type: kit }", Write::Number),
        };
        out.push(Instrument {
            name: unique(name),
            spec: spec.to_string(),
            write,
            notes: part
                .notes
                .iter()
                .filter(|n| drum_kind(n.key) == *kind)
                .copied()
                .collect(),
        });
    }
}

/// A `_` tie holds every note of its instrument that ends on the bar line:
/// where a bar line has notes held over it and others ending on it, the
/// held ones move to a companion instrument (`piano_held`), until no bar
/// line mixes the two.
fn separate_ties(insts: Vec<Instrument>, bars: &[Bar]) -> Vec<Instrument> {
    let lines: Vec<u64> = bars.iter().skip(1).map(|b| b.start).collect();
    let mut out = Vec::new();
    for mut inst in insts {
        let mut round = 0;
        loop {
            let crossing = |n: &Note, l: u64| n.start < l && n.end > l;
            let conflict: Vec<u64> = lines
                .iter()
                .copied()
                .filter(|&l| {
                    inst.notes.iter().any(|n| crossing(n, l))
                        && inst.notes.iter().any(|n| n.end == l)
                })
                .collect();
            if conflict.is_empty() || round == 8 {
                out.push(inst);
                break;
            }
            let (held, kept): (Vec<Note>, Vec<Note>) = inst
                .notes
                .iter()
                .partition(|n| conflict.iter().any(|&l| crossing(n, l)));
            round += 1;
            let name = if round == 1 {
                format!("{}_held", inst.name)
            } else {
                format!("{}_held{round}", inst.name)
            };
            out.push(Instrument {
                name: inst.name.clone(),
                spec: inst.spec.clone(),
                write: inst.write,
                notes: kept,
            });
            inst = Instrument {
                name,
                spec: inst.spec,
                write: inst.write,
                notes: held,
            };
        }
    }
    out
}

/// One step of a layer: where it starts and ends in the bar, and what.
struct Step {
    start: u64,
    end: u64,
    text: String,
}

fn symbol(write: Write, notes: &[Note]) -> String {
    let one = |n: &Note| match write {
        Write::Pitch => note_label(i32::from(n.key)),
        Write::Number => n.key.to_string(),
        Write::Hit if n.velocity >= ACCENT_VELOCITY => "X".to_string(),
        Write::Hit => "x".to_string(),
    };
    if notes.len() == 1 {
        one(&notes[0])
    } else {
        let all: Vec<String> = notes.iter().map(one).collect();
        format!("[{}]", all.join(","))
    }
}

/// The pattern of `inst` in `bar`, or `None` when it plays nothing there.
fn bar_pattern(inst: &Instrument, bar: &Bar) -> Option<String> {
    let (b0, b1) = (bar.start, bar.start + bar.len);
    // Notes carried over the bar line: the tie.
    let tie = inst
        .notes
        .iter()
        .filter(|n| n.start < b0 && n.end > b0)
        .map(|n| n.end.min(b1) - b0)
        .max();
    // Notes starting here, chords grouped (same start and end).
    let mut groups: Vec<(u64, u64, Vec<Note>)> = Vec::new();
    for n in inst.notes.iter().filter(|n| n.start >= b0 && n.start < b1) {
        let (s, e) = (n.start - b0, n.end.min(b1) - b0);
        match groups.iter_mut().find(|g| g.0 == s && g.1 == e) {
            Some(g) => g.2.push(*n),
            None => groups.push((s, e, vec![*n])),
        }
    }
    if groups.is_empty() && tie.is_none() {
        return None;
    }
    // Layers: each group in the first layer free at its start (the tie
    // holds the first layer until it ends).
    let mut layers: Vec<Vec<Step>> = vec![Vec::new()];
    let mut free: Vec<u64> = vec![tie.unwrap_or(0)];
    for (s, e, notes) in groups {
        let text = symbol(inst.write, &notes);
        let step = Step {
            start: s,
            end: e,
            text,
        };
        match free.iter().position(|f| *f <= s) {
            Some(i) => {
                free[i] = e;
                layers[i].push(step);
            }
            None => {
                free.push(e);
                layers.push(vec![step]);
            }
        }
    }
    let texts: Vec<String> = layers
        .iter()
        .enumerate()
        .map(|(i, steps)| layer_text(steps, bar.len, if i == 0 { tie } else { None }))
        .collect();
    Some(texts.join(", "))
}

/// One layer as weighted steps on its finest grid.
fn layer_text(steps: &[Step], len: u64, tie: Option<u64>) -> String {
    let mut g = len;
    for s in steps {
        g = gcd(gcd(g, s.start), s.end);
    }
    if let Some(t) = tie {
        g = gcd(g, t);
    }
    let g = g.max(1);
    let mut out = String::new();
    let mut at = 0u64;
    let push = |out: &mut String, text: &str, ticks: u64| {
        if !out.is_empty() {
            out.push(' ');
        }
        let w = ticks / g;
        if w == 1 {
            out.push_str(text);
        } else {
            let _ = write!(out, "{text}@{w}");
        }
    };
    if let Some(t) = tie {
        push(&mut out, "_", t);
        at = t;
    }
    for s in steps {
        if s.start > at {
            push(&mut out, "~", s.start - at);
        }
        push(&mut out, &s.text, s.end - s.start);
        at = s.end;
    }
    if at < len {
        push(&mut out, "~", len - at);
    }
    out
}

/// Quarter notes a minute of a tempo event: the shortest decimal (whole,
/// then one or two places) that gives back the same microseconds, as the
/// tempo a song or a program wrote, else the exact value.
pub fn quarter_bpm(us_per_quarter: u32) -> f64 {
    let exact = 60_000_000.0 / f64::from(us_per_quarter.max(1));
    for scale in [1.0, 10.0, 100.0] {
        let c = (exact * scale).round() / scale;
        if (60_000_000.0 / c).round() as u32 == us_per_quarter {
            return c;
        }
    }
    exact
}

/// Song beats per minute at `tick` in `bar` (tempo events are per quarter).
fn bpm(us_per_quarter: u32, bar: &Bar, tpq: u64) -> f64 {
    quarter_bpm(us_per_quarter) * tpq as f64 / bar.unit as f64
}

fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The score as song text; `title` names it.
///
/// # Errors
/// When its bars or tempi cannot be a Chronus song (a bar of more than 32
/// beats, a tempo outside 20..400 in the bar's beats).
pub fn to_song(score: &Score, title: &str) -> Result<String, FileError> {
    let bars = bars(score)?;
    let tpq = u64::from(score.ticks_per_quarter);
    let insts = separate_ties(instruments(score), &bars);
    if insts.is_empty() {
        return Err(FileError::Invalid("the file has no notes".to_string()));
    }
    // Tempo: at the start, then at each tempo event and each bar whose
    // beat unit differs from the one before.
    let tempo_at = |tick: u64| {
        score
            .tempos
            .iter()
            .rev()
            .find(|t| t.0 <= tick)
            .map_or(500_000, |t| t.1)
    };
    let bar_of = |tick: u64| bars.iter().rposition(|b| b.start <= tick).unwrap_or(0);
    let mut changes: Vec<(usize, u64, f64)> = Vec::new();
    let first = bpm(tempo_at(0), &bars[0], tpq);
    let mut last = first;
    let mut points: Vec<u64> = score
        .tempos
        .iter()
        .map(|t| t.0)
        .filter(|&t| t > 0)
        .collect();
    points.extend(
        bars.windows(2)
            .filter(|w| w[0].unit != w[1].unit)
            .map(|w| w[1].start),
    );
    points.sort_unstable();
    points.dedup();
    for tick in points {
        let i = bar_of(tick);
        if i >= bars.len() || tick >= bars[i].start + bars[i].len {
            continue;
        }
        let b = &bars[i];
        let value = bpm(tempo_at(tick), b, tpq);
        if value != last {
            changes.push((i, tick - b.start, value));
            last = value;
        }
    }
    let check = |v: f64, at: &str| {
        if (20.0..=400.0).contains(&v) {
            Ok(())
        } else {
            Err(FileError::Invalid(format!(
                "tempo {v:.3} beats a minute {at}: Chronus plays 20..400"
            )))
        }
    };
    check(first, "at the start")?;
    for (i, _, v) in &changes {
        check(*v, &format!("in bar {}", i + 1))?;
    }

    // Pattern blocks, one per distinct bar.
    let mut blocks: Vec<(String, Vec<(String, String)>)> = Vec::new();
    let mut arrangement: Vec<(usize, u32)> = Vec::new();
    for bar in &bars {
        let lanes: Vec<(String, String)> = insts
            .iter()
            .filter_map(|inst| bar_pattern(inst, bar).map(|p| (inst.name.clone(), p)))
            .collect();
        let index = match blocks.iter().position(|b| b.1 == lanes) {
            Some(i) => i,
            None => {
                blocks.push((format!("p{}", blocks.len() + 1), lanes));
                blocks.len() - 1
            }
        };
        arrangement.push((index, bar.meter));
    }

    let mut y = String::new();
    let _ = writeln!(
        y,
        "# Imported from a MIDI file by `chronus import`: {} bars, {} instruments.",
        bars.len(),
        insts.len()
    );
    let _ = writeln!(y, "title: {}", quoted(title));
    let _ = writeln!(y, "tempo: {}", fmt_num(first));
    let _ = writeln!(y, "meter: {}", bars[0].meter);
    let _ = writeln!(y, "instruments:");
    for inst in &insts {
        let _ = writeln!(y, "  {}: {}", inst.name, inst.spec);
    }
    let _ = writeln!(y, "patterns:");
    for (name, lanes) in &blocks {
        if lanes.is_empty() {
            let _ = writeln!(y, "  {name}: {{}}");
            continue;
        }
        let _ = writeln!(y, "  {name}:");
        for (inst, p) in lanes {
            let _ = writeln!(y, "    {inst}: {}", quoted(p));
        }
    }
    let _ = writeln!(y, "arrangement:");
    let mut meter = bars[0].meter;
    let mut i = 0;
    while i < arrangement.len() {
        let (block, m) = arrangement[i];
        let mut n = 1;
        while i + n < arrangement.len() && arrangement[i + n] == (block, m) {
            n += 1;
        }
        let name = &blocks[block].0;
        let mut entry = format!("pattern: {name}");
        if n > 1 {
            let _ = write!(entry, ", repeat: {n}");
        }
        if m != meter {
            let _ = write!(entry, ", meter: {m}");
            meter = m;
        }
        let _ = writeln!(y, "  - {{ {entry} }}");
        i += n;
    }
    if !changes.is_empty() {
        let _ = writeln!(y, "tempo_changes:");
        for (bar, offset, v) in &changes {
            let b = &bars[*bar];
            let beat = *offset as f64 / b.unit as f64;
            let _ = writeln!(
                y,
                "  - {{ bar: {}, beat: {}, tempo: {} }}",
                bar + 1,
                fmt_num(beat),
                fmt_num(*v)
            );
        }
    }
    Ok(y)
}

/// A number as short as it reads back exactly.
fn fmt_num(v: f64) -> String {
    let s = format!("{v}");
    if s.contains('e') {
        format!("{v:.12}")
    } else {
        s
    }
}
