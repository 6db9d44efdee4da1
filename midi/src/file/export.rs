//! A Chronus song as a type-1 Standard MIDI File: a first track with the
//! tempo map and the meters, then a track per instrument (drums on channel
//! 10 at their General MIDI notes, every other instrument on a channel of
//! its own).
//!
//! Positions are exact: each note's onset and end are worked out as
//! fractions of a beat from the patterns (swing and `_` ties included), and
//! the file's resolution is the least common multiple of their
//! denominators (at least 480 ticks a quarter), so that reading the file
//! back gives every note on the frame it had. Only when that would pass
//! MIDI's limit of 32767 ticks a quarter are positions rounded to 1/960 of
//! a beat (said in the report).

use super::FileError;
use chronus_sequencer::pattern::Rational;
use chronus_sequencer::pitch::Sound;
use chronus_sequencer::song::InstrumentSpec;
use chronus_sequencer::Song;
use midly::num::{u15, u24, u28, u4, u7};
use midly::{Format, Header, MetaMessage, MidiMessage, Smf, Timing, TrackEvent, TrackEventKind};

/// What an export did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportReport {
    /// Ticks per quarter note used.
    pub ticks_per_quarter: u16,
    /// Notes written.
    pub notes: usize,
    /// Whether positions had to be rounded (a grid too fine for MIDI).
    pub rounded: bool,
}

/// A note in beats from the song's start.
struct Placed {
    track: usize,
    on: Rational,
    off: Rational,
    key: u8,
    velocity: u8,
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a % b)
    }
}

/// `v` as a fraction with a denominator of at most 10^6.
fn rational(v: f64) -> Rational {
    let den = 1_000_000i64;
    Rational::new((v * den as f64).round() as i64, den)
}

/// The General MIDI key a single drum sends its hits on: kick 36, snare
/// 38, hi-hat 42, clap 39 (`None` for toms, kits and pitched instruments,
/// whose notes carry their key). Shared by export and `midi out`.
pub fn gm_drum_key(spec: &InstrumentSpec) -> Option<u8> {
    match spec {
        InstrumentSpec::Kick(_) => Some(36),
        InstrumentSpec::Snare(_) => Some(38),
        InstrumentSpec::Hihat(_) => Some(42),
        InstrumentSpec::Clap(_) => Some(39),
        _ => None,
    }
}

/// The key a drum's hit without a pitch is written on (a tom's 45, a
/// kit's bass drum), or `None` for a pitched instrument.
fn drum_key(spec: &InstrumentSpec) -> Option<u8> {
    gm_drum_key(spec).or(match spec {
        InstrumentSpec::Tom(_) => Some(45),
        InstrumentSpec::Kit(_) => Some(36),
        _ => None,
    })
}

/// Beats that the bars after `bar` hold `track`'s notes ending at its end
/// over (the `_` ties), exactly.
fn tie_after(song: &Song, bar: usize, track: usize) -> Rational {
    let mut beats = Rational::default();
    for next in bar + 1..song.bar_count() {
        let Some(pattern) = song.bars.get(next) else {
            break;
        };
        let tie = song.patterns[pattern]
            .lanes
            .iter()
            .find(|l| l.track == track)
            .and_then(|l| l.pattern.tie());
        let Some(tie) = tie else { break };
        beats = beats + tie * Rational::from(i64::from(song.meter_of(next)));
        if tie < Rational::from(1) {
            break;
        }
    }
    beats
}

fn place(song: &Song) -> Vec<Placed> {
    let mut out = Vec::new();
    let swing = rational(song.swing) * Rational::new(1, 4);
    for bar in 0..song.bar_count() {
        let start = rational(song.bar_beat(bar));
        let meter = Rational::from(i64::from(song.meter_of(bar)));
        let cycle = Rational::from(bar as i64);
        let Some(pattern) = song.bars.get(bar) else {
            continue;
        };
        for lane in &song.patterns[pattern].lanes {
            let spec = &song.tracks[lane.track].spec;
            let tie = tie_after(song, bar, lane.track);
            for ev in lane.pattern.sounds(bar as i64, song.seed) {
                let within = ev.onset - cycle;
                let mut on = start + within * meter;
                // Swing: an onset on an odd sixteenth (a quarter beat).
                let sixteenths = within * meter * Rational::from(4);
                if song.swing != 0.0 && sixteenths.is_integer() && sixteenths.floor() % 2 != 0 {
                    on = on + swing;
                }
                let mut off = start + (within + ev.duration) * meter;
                if ev.onset + ev.duration == cycle + Rational::from(1) {
                    off = off + tie;
                }
                let (keys, velocity): (Vec<u8>, u8) = match (&ev.sound, drum_key(spec)) {
                    (Sound::Hit, Some(k)) => (vec![k], 102),
                    (Sound::Accent, Some(k)) => (vec![k], 127),
                    (Sound::Hit, None) => (vec![60], 102),
                    (Sound::Accent, None) => (vec![60], 127),
                    (Sound::Notes(n), _) => (
                        n.iter()
                            .map(|p| p.round().clamp(0.0, 127.0) as u8)
                            .collect(),
                        102,
                    ),
                };
                for key in keys {
                    out.push(Placed {
                        track: lane.track,
                        on,
                        off,
                        key,
                        velocity,
                    });
                }
            }
        }
    }
    out
}

/// Write `song` as a type-1 MIDI file.
///
/// # Errors
/// When the song is empty or the file cannot be encoded.
pub fn export(song: &Song) -> Result<(Vec<u8>, ExportReport), FileError> {
    let notes = place(song);
    // The resolution: every position a whole number of ticks.
    let mut lcm: i64 = 480;
    let mut rounded = false;
    let positions = notes
        .iter()
        .flat_map(|n| [n.on, n.off])
        .chain(song.tempo_changes.iter().map(|t| rational(t.0)));
    for p in positions {
        let d = p.den.abs().max(1);
        let next = lcm / gcd(lcm, d) * d;
        if next > 32_767 {
            rounded = true;
            break;
        }
        lcm = next;
    }
    let tpq: i64 = if rounded { 960 } else { lcm };
    let tick = |r: Rational| -> u64 {
        let t =
            (i128::from(r.num) * i128::from(tpq) * 2 + i128::from(r.den)) / (2 * i128::from(r.den));
        t.max(0) as u64
    };
    let beat_tick = |b: f64| tick(rational(b));

    let title = song.title.clone().unwrap_or_default().into_bytes();
    let names: Vec<Vec<u8>> = song
        .tracks
        .iter()
        .map(|t| t.name.clone().into_bytes())
        .collect();
    let mut tracks: Vec<Vec<(u64, u8, TrackEventKind<'_>)>> = Vec::new();
    // Track 0: name, meters, tempi.
    let mut conductor = Vec::new();
    conductor.push((0, 0, TrackEventKind::Meta(MetaMessage::TrackName(&title))));
    let meter_event =
        |m: u32| TrackEventKind::Meta(MetaMessage::TimeSignature(m.min(255) as u8, 2, 24, 8));
    conductor.push((0, 0, meter_event(song.meter)));
    for &(bar, m) in &song.meters {
        conductor.push((beat_tick(song.bar_beat(bar)), 0, meter_event(m)));
    }
    let us = |bpm: f64| u24::new(((60_000_000.0 / bpm).round() as u32).min(0xFF_FFFF));
    conductor.push((
        0,
        1,
        TrackEventKind::Meta(MetaMessage::Tempo(us(song.tempo))),
    ));
    for &(beat, bpm) in &song.tempo_changes {
        conductor.push((
            beat_tick(beat),
            1,
            TrackEventKind::Meta(MetaMessage::Tempo(us(bpm))),
        ));
    }
    tracks.push(conductor);
    // A track per instrument.
    let mut next_channel = 0u8;
    for (i, t) in song.tracks.iter().enumerate() {
        let channel = if drum_key(&t.spec).is_some() {
            9
        } else {
            let c = next_channel;
            next_channel = (next_channel + 1) % 15;
            if c >= 9 {
                c + 1
            } else {
                c
            }
        };
        let ch = u4::new(channel);
        let mut evs = vec![(
            0,
            0,
            TrackEventKind::Meta(MetaMessage::TrackName(&names[i])),
        )];
        for n in notes.iter().filter(|n| n.track == i) {
            let (on, off) = (tick(n.on), tick(n.off).max(tick(n.on) + 1));
            let key = u7::new(n.key);
            evs.push((
                on,
                2,
                TrackEventKind::Midi {
                    channel: ch,
                    message: MidiMessage::NoteOn {
                        key,
                        vel: u7::new(n.velocity),
                    },
                },
            ));
            evs.push((
                off,
                1,
                TrackEventKind::Midi {
                    channel: ch,
                    message: MidiMessage::NoteOff {
                        key,
                        vel: u7::new(0),
                    },
                },
            ));
        }
        tracks.push(evs);
    }
    let mut smf = Smf::new(Header::new(
        Format::Parallel,
        Timing::Metrical(u15::new(tpq as u16)),
    ));
    for mut evs in tracks {
        evs.sort_by_key(|e| (e.0, e.1));
        let mut last = 0u64;
        let mut track: Vec<TrackEvent<'_>> = Vec::with_capacity(evs.len() + 1);
        for (t, _, kind) in evs {
            let delta = (t - last).min(0x0FFF_FFFF) as u32;
            last = t;
            track.push(TrackEvent {
                delta: u28::new(delta),
                kind,
            });
        }
        track.push(TrackEvent {
            delta: u28::new(0),
            kind: TrackEventKind::Meta(MetaMessage::EndOfTrack),
        });
        smf.tracks.push(track);
    }
    let mut bytes = Vec::new();
    smf.write_std(&mut bytes)
        .map_err(|e| FileError::Invalid(format!("cannot encode the MIDI file: {e}")))?;
    Ok((
        bytes,
        ExportReport {
            ticks_per_quarter: tpq as u16,
            notes: notes.len(),
            rounded,
        },
    ))
}
