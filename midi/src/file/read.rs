//! A Standard MIDI File read into a [`Score`]: notes per track and
//! channel with absolute tick positions, the tempo map and the time
//! signatures. The chunk structure is checked before midly parses it, so a
//! truncated file or an absurd declared length is refused with a one-line
//! reason and never read past its end.

use super::FileError;
use midly::{MetaMessage, MidiMessage, Smf, Timing, TrackEventKind};

/// Largest file read (a MIDI file of a long symphony is a few MB).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Most notes read from one file.
pub const MAX_NOTES: usize = 2_000_000;

/// One note.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Note {
    /// Start, in ticks from the file's start.
    pub start: u64,
    /// End, in ticks (after `start`).
    pub end: u64,
    /// MIDI key.
    pub key: u8,
    /// Velocity 1..=127.
    pub velocity: u8,
}

/// The notes of one channel of one track.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Part {
    /// The track's name (its first TrackName), or empty.
    pub name: String,
    /// The track's index in the file.
    pub track: usize,
    /// Channel 0..=15 (9 is General MIDI's drums).
    pub channel: u8,
    /// The last program change before the first note (General MIDI).
    pub program: Option<u8>,
    /// Notes in order of start.
    pub notes: Vec<Note>,
}

/// What a MIDI file says, in ticks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Score {
    /// Ticks per quarter note.
    pub ticks_per_quarter: u32,
    /// Tempo changes: tick and microseconds per quarter note, from tick 0
    /// (500000, 120 BPM, when the file says nothing there).
    pub tempos: Vec<(u64, u32)>,
    /// Time signatures: tick, numerator, denominator as a power of two,
    /// from tick 0 (4/4 when the file says nothing there).
    pub meters: Vec<(u64, u8, u8)>,
    /// Parts with notes.
    pub parts: Vec<Part>,
    /// The tick at which the last note ends.
    pub end: u64,
}

/// Check the chunks: `MThd` first with its 6 bytes, then chunks whose
/// declared lengths fit in what is left.
fn check_chunks(bytes: &[u8]) -> Result<(), FileError> {
    let bad = |m: String| Err(FileError::Invalid(m));
    if bytes.len() < 14 {
        return bad(format!(
            "not a MIDI file: {} bytes, shorter than a MIDI header (14)",
            bytes.len()
        ));
    }
    if &bytes[..4] != b"MThd" {
        return bad("not a MIDI file: it does not start with MThd".to_string());
    }
    let len = |at: usize| {
        u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as u64
    };
    if len(4) < 6 {
        return bad(format!(
            "the MIDI header declares {} bytes, fewer than the 6 it needs",
            len(4)
        ));
    }
    let declared = u16::from_be_bytes([bytes[10], bytes[11]]);
    let mut at = 8 + len(4);
    let mut tracks = 0u32;
    while at < bytes.len() as u64 {
        let left = bytes.len() as u64 - at;
        if left < 8 {
            return bad(format!(
                "the file ends inside a chunk header at byte {at} (truncated)"
            ));
        }
        let i = at as usize;
        let kind = &bytes[i..i + 4];
        let size = len(i + 4);
        if size > left - 8 {
            let what = if kind == b"MTrk" {
                format!("track {}", tracks + 1)
            } else {
                format!("a chunk at byte {at}")
            };
            return bad(format!(
                "{what} declares {size} bytes but only {} remain (the file is truncated or damaged)",
                left - 8
            ));
        }
        if kind == b"MTrk" {
            tracks += 1;
        }
        at += 8 + size;
    }
    if tracks == 0 {
        return bad("the file has no tracks".to_string());
    }
    if u32::from(declared) > tracks {
        return bad(format!(
            "the header promises {declared} tracks but the file holds {tracks} (truncated)"
        ));
    }
    Ok(())
}

/// Read a MIDI file's bytes.
///
/// # Errors
/// A [`FileError::Invalid`] saying what is wrong, in one line.
pub fn read(bytes: &[u8]) -> Result<Score, FileError> {
    check_chunks(bytes)?;
    let smf = Smf::parse(bytes)
        .map_err(|e| FileError::Invalid(format!("not a readable MIDI file: {e}")))?;
    let tpq = match smf.header.timing {
        Timing::Metrical(t) if t.as_int() > 0 => u32::from(t.as_int()),
        Timing::Metrical(_) => {
            return Err(FileError::Invalid(
                "the file's time division is 0 ticks per quarter note".to_string(),
            ))
        }
        Timing::Timecode(fps, sub) => {
            return Err(FileError::Invalid(format!(
                "the file counts time in SMPTE frames ({} fps, {sub} per frame), not in beats: export it from the program again with beats (PPQ)",
                fps.as_f32()
            )))
        }
    };
    let mut score = Score {
        ticks_per_quarter: tpq,
        ..Score::default()
    };
    let sequential = matches!(smf.header.format, midly::Format::Sequential);
    let mut offset = 0u64;
    let mut count = 0usize;
    for (ti, track) in smf.tracks.iter().enumerate() {
        let mut tick = offset;
        let mut name = String::new();
        let mut programs = [None::<u8>; 16];
        // Held notes per channel and key: (start, velocity), first in first out.
        let mut held: Vec<Vec<(u64, u8)>> = vec![Vec::new(); 16 * 128];
        let mut parts: Vec<Part> = Vec::new();
        for ev in track {
            tick += u64::from(ev.delta.as_int());
            match ev.kind {
                TrackEventKind::Meta(MetaMessage::TrackName(n)) if name.is_empty() => {
                    name = String::from_utf8_lossy(n).trim().to_string();
                }
                TrackEventKind::Meta(MetaMessage::Tempo(t)) => {
                    score.tempos.push((tick, t.as_int().max(1)));
                }
                TrackEventKind::Meta(MetaMessage::TimeSignature(num, den, _, _)) => {
                    score.meters.push((tick, num.max(1), den.min(6)));
                }
                TrackEventKind::Midi { channel, message } => {
                    let ch = channel.as_int();
                    match message {
                        MidiMessage::ProgramChange { program } => {
                            programs[usize::from(ch)] = Some(program.as_int());
                        }
                        MidiMessage::NoteOn { key, vel } if vel.as_int() > 0 => {
                            held[usize::from(ch) * 128 + usize::from(key.as_int())]
                                .push((tick, vel.as_int()));
                        }
                        MidiMessage::NoteOn { key, .. } | MidiMessage::NoteOff { key, .. } => {
                            let slot = &mut held[usize::from(ch) * 128 + usize::from(key.as_int())];
                            if slot.is_empty() {
                                continue;
                            }
                            let (start, velocity) = slot.remove(0);
                            count += 1;
                            if count > MAX_NOTES {
                                return Err(FileError::Invalid(format!(
                                    "more than {MAX_NOTES} notes: too many to import"
                                )));
                            }
                            let part = part_of(&mut parts, ti, ch, programs[usize::from(ch)]);
                            part.notes.push(Note {
                                start,
                                end: tick.max(start + 1),
                                key: key.as_int(),
                                velocity,
                            });
                            score.end = score.end.max(tick);
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        // Notes never released end with their track.
        for (i, slot) in held.iter().enumerate() {
            for &(start, velocity) in slot {
                let ch = (i / 128) as u8;
                let end = tick.max(start + 1);
                let part = part_of(&mut parts, ti, ch, programs[usize::from(ch)]);
                part.notes.push(Note {
                    start,
                    end,
                    key: (i % 128) as u8,
                    velocity,
                });
                score.end = score.end.max(end);
            }
        }
        for mut p in parts {
            p.name.clone_from(&name);
            p.notes.sort_by_key(|n| (n.start, n.key));
            score.parts.push(p);
        }
        if sequential {
            offset = tick;
        }
    }
    normalise(&mut score.tempos, |_| (0, 500_000));
    normalise(&mut score.meters, |_| (0, 4, 2));
    Ok(score)
}

/// The part of `track` for `channel`, made (with `program`) at its first
/// note.
fn part_of(parts: &mut Vec<Part>, track: usize, channel: u8, program: Option<u8>) -> &mut Part {
    let i = match parts.iter().position(|p| p.channel == channel) {
        Some(i) => i,
        None => {
            parts.push(Part {
                track,
                channel,
                program,
                ..Part::default()
            });
            parts.len() - 1
        }
    };
    &mut parts[i]
}

/// Sort by tick, keep the last of several at one tick, and start at tick 0.
fn normalise<T: Copy + Tick>(v: &mut Vec<T>, default: impl Fn(()) -> T) {
    v.sort_by_key(|x| x.tick());
    let mut out: Vec<T> = Vec::with_capacity(v.len() + 1);
    for &x in v.iter() {
        if out.last().is_some_and(|l| l.tick() == x.tick()) {
            out.pop();
        }
        out.push(x);
    }
    if out.first().is_none_or(|f| f.tick() > 0) {
        out.insert(0, default(()));
    }
    *v = out;
}

trait Tick {
    fn tick(&self) -> u64;
}

impl Tick for (u64, u32) {
    fn tick(&self) -> u64 {
        self.0
    }
}

impl Tick for (u64, u8, u8) {
    fn tick(&self) -> u64 {
        self.0
    }
}
