//! The mutable engine on its own: track ids that outlive their tracks,
//! per-track faults, the per-render event cap, and instrument replacement,
//! measured on what the engine renders.

mod common;

use chronus::dsp::Instrument;
use chronus::engine::VecQueue;
use chronus::engine::{Command, ControlMsg, Engine, EngineHandle, Notice, Track};
use chronus::sequencer::song::InstrumentSpec;
use chronus::sequencer::{Event, EventKind, TrackId};

const RATE: u32 = 48_000;

fn sine() -> InstrumentSpec {
    common::song(
        "tempo: 120\ninstruments:\n  s: { type: synth, osc: sine, filter: none, attack: 0.002, decay: 0.1, sustain: 1, release: 0.01, polyphony: 4 }\npatterns:\n  a: { s: \"x\" }\n",
    )
    .tracks[0]
    .spec
    .clone()
}

fn add(h: &mut EngineHandle, id: TrackId, track: Track) {
    let msg = ControlMsg::Command {
        frame: 0,
        command: Command::AddTrack {
            id,
            track: Box::new(track),
        },
    };
    assert!(h.send(msg).is_ok());
}

fn event(h: &mut EngineHandle, frame: u64, track: TrackId, kind: EventKind) {
    assert!(h
        .send(ControlMsg::Event(Event { frame, track, kind }))
        .is_ok());
}

fn note_on(id: u32, pitch: f32) -> EventKind {
    EventKind::NoteOn {
        id,
        pitch: Some(pitch),
        velocity: 0.8,
    }
}

/// Render `frames` in blocks of 256, returning the left channel.
fn run(engine: &mut Engine, frames: usize) -> Vec<f32> {
    let mut queue = VecQueue::new(Vec::new());
    let (mut l, mut r) = (vec![0.0f32; 256], vec![0.0f32; 256]);
    let mut out = Vec::new();
    let mut done = 0;
    while done < frames {
        let n = (frames - done).min(256);
        engine.render(&mut queue, &mut l[..n], &mut r[..n]);
        out.extend_from_slice(&l[..n]);
        done += n;
    }
    out
}

fn rms(x: &[f32]) -> f64 {
    (x.iter().map(|s| f64::from(*s).powi(2)).sum::<f64>() / x.len().max(1) as f64).sqrt()
}

#[test]
fn a_note_off_for_a_removed_track_never_reaches_the_slots_next_track() {
    let mut engine = Engine::empty(RATE);
    let mut h = engine.take_handle().expect("handle");
    let old = TrackId::new(0, 1);
    add(&mut h, old, Track::new("a", &sine(), RATE as f32, 0));
    event(&mut h, 0, old, note_on(7, 69.0));
    run(&mut engine, 4800);
    assert!(h
        .send(ControlMsg::Command {
            frame: 4800,
            command: Command::RemoveTrack(old)
        })
        .is_ok());
    run(&mut engine, 4800);
    let mut freed = Vec::new();
    let mut notices = Vec::new();
    h.collect(|id| freed.push(id), &mut notices);
    assert_eq!(
        freed,
        vec![old],
        "the removed track came back to be dropped here"
    );
    // The slot's next track plays a note with the same note id...
    let new = TrackId::new(0, 2);
    add(&mut h, new, Track::new("b", &sine(), RATE as f32, 0));
    event(&mut h, 9600, new, note_on(7, 69.0));
    // ...and the old track's late note-off for id 7 arrives.
    event(&mut h, 12_000, old, EventKind::NoteOff { id: 7 });
    let out = run(&mut engine, 24_000);
    let stats = engine.stats();
    assert_eq!(stats.stale_events, 1, "{stats:?}");
    // The new note sustains: same level after the stale note-off as before.
    // (`out` starts at frame 9600, where the note starts.)
    let before = rms(&out[1200..2400]);
    let after = rms(&out[10_400..12_800]);
    assert!(before > 0.05, "no note {before}");
    assert!(
        (after / before - 1.0).abs() < 0.01,
        "released by a stale note-off: {before} -> {after}"
    );
}

/// An instrument that turns out NaN once a note starts.
struct Broken(bool);

impl Instrument for Broken {
    fn note_on(&mut self, _: u32, _: Option<f32>, _: f32) {
        self.0 = true;
    }
    fn note_off(&mut self, _: u32) {}
    fn render(&mut self, out: &mut [f32]) {
        out.fill(if self.0 { f32::NAN } else { 0.0 });
    }
    fn active_voices(&self) -> usize {
        usize::from(self.0)
    }
    fn reset(&mut self) {
        self.0 = false;
    }
}

#[test]
fn a_track_that_turns_out_nan_is_reset_and_the_mix_plays_on() {
    let mut engine = Engine::empty(RATE);
    let mut h = engine.take_handle().expect("handle");
    let good = TrackId::new(0, 1);
    let bad = TrackId::new(1, 1);
    add(&mut h, good, Track::new("good", &sine(), RATE as f32, 0));
    add(
        &mut h,
        bad,
        Track::with_instrument("bad", Box::new(Broken(false)), RATE as f32),
    );
    event(&mut h, 0, good, note_on(1, 69.0));
    event(&mut h, 2400, bad, note_on(1, 60.0));
    event(&mut h, 9600, bad, note_on(2, 60.0));
    let out = run(&mut engine, 14_400);
    assert!(out.iter().all(|s| s.is_finite()), "NaN reached the mix");
    let level = rms(&out[4800..9600]);
    assert!(level > 0.05, "the good track went silent: {level}");
    let freq = common::zero_crossing_freq(&out[2400..14_400], 48_000.0);
    assert!(common::cents(freq, 440.0).abs() < 1.0, "{freq} Hz");
    assert_eq!(engine.stats().faults, 2, "{:?}", engine.stats());
    let mut notices = Vec::new();
    h.collect(|_| {}, &mut notices);
    assert_eq!(notices, vec![Notice::Fault(bad), Notice::Fault(bad)]);
}

#[test]
fn a_flood_of_events_is_capped_per_render_and_carried_over() {
    let mut engine = Engine::empty(RATE);
    let mut h = engine.take_handle().expect("handle");
    let t = TrackId::new(0, 1);
    add(&mut h, t, Track::new("a", &sine(), RATE as f32, 0));
    for i in 0..8000u32 {
        let kind = if i % 2 == 0 {
            note_on(i, 60.0)
        } else {
            EventKind::NoteOff { id: i - 1 }
        };
        event(&mut h, 0, t, kind);
    }
    run(&mut engine, 256);
    let first = engine.stats();
    assert_eq!(first.events, 4095, "{first:?}");
    assert_eq!(first.deferred, 1);
    run(&mut engine, 2560);
    let later = engine.stats();
    assert_eq!(later.events, 8000, "{later:?}");
    assert!(later.late_events >= 3904, "{later:?}");
}

#[test]
fn a_replaced_instrument_rings_out_its_note_and_new_notes_play_on_the_new_one() {
    let mut engine = Engine::empty(RATE);
    let mut h = engine.take_handle().expect("handle");
    let t = TrackId::new(0, 1);
    add(&mut h, t, Track::new("a", &sine(), RATE as f32, 0));
    event(&mut h, 0, t, note_on(1, 69.0));
    let early = run(&mut engine, 9600);
    let mut square = sine();
    if let InstrumentSpec::Synth(s) = &mut square {
        s.osc = chronus::sequencer::song::Waveform::Square;
    }
    let msg = ControlMsg::Command {
        frame: 9600,
        command: Command::ReplaceInstrument {
            track: t,
            instrument: chronus::dsp::build_instrument(&square, RATE as f32),
        },
    };
    assert!(h.send(msg).is_ok());
    event(&mut h, 19_200, t, EventKind::NoteOff { id: 1 });
    event(&mut h, 24_000, t, note_on(2, 69.0));
    let out = run(&mut engine, 48_000);
    // The old sine note goes on, unbroken and at the same level, until its
    // note-off at frame 19200 (`out` starts at 9600).
    let mut held = early[4800..].to_vec();
    held.extend_from_slice(&out[..9500]);
    let step = held
        .windows(2)
        .map(|w| (w[1] - w[0]).abs())
        .fold(0.0f32, f32::max);
    let peak = held.iter().fold(0.0f32, |m, s| m.max(s.abs()));
    assert!(peak > 0.1);
    let bound = 2.0 * std::f32::consts::PI * 440.0 * peak / 48_000.0;
    assert!(step < 1.05 * bound, "click {step} vs {bound}");
    let ratio = rms(&out[4800..9500]) / rms(&early[4800..9600]);
    assert!((ratio - 1.0).abs() < 0.01, "level changed by {ratio}");
    // The new note is a square: strong odd harmonics.
    let s = common::spectrum(&out[26_000..26_000 + 16_384]);
    let bin = |f: f64| (f * 16_384.0 / 48_000.0).round() as usize;
    let third = s[bin(1320.0) - 2..bin(1320.0) + 3]
        .iter()
        .fold(0.0f64, |m, v| m.max(*v));
    let first = s[bin(440.0) - 2..bin(440.0) + 3]
        .iter()
        .fold(0.0f64, |m, v| m.max(*v));
    assert!(third / first > 0.2, "not a square: {}", third / first);
    let mut freed = Vec::new();
    let mut notices = Vec::new();
    h.collect(|id| freed.push(id), &mut notices);
    assert!(notices.is_empty());
}

#[test]
fn an_effect_moved_in_the_chain_crossfades_and_changes_the_order() {
    let spec = common::song(
        "tempo: 120\ninstruments:\n  s: { type: synth, osc: sine, filter: none, attack: 0.002, sustain: 1, release: 0.01, effects: [ { type: distortion, drive: 24, mix: 1 }, { type: filter, mode: lowpass, cutoff: 400, resonance: 0 } ] }\npatterns:\n  a: { s: \"x\" }\n",
    )
    .tracks[0]
    .spec
    .clone();
    let mut engine = Engine::empty(RATE);
    let mut h = engine.take_handle().expect("handle");
    let t = TrackId::new(0, 1);
    // Effects 0 (distortion) and 1 (filter): distortion, then a low-pass.
    add(&mut h, t, Track::new("s", &spec, RATE as f32, 0));
    event(&mut h, 0, t, note_on(1, 57.0));
    let before = run(&mut engine, 24_000);
    let msg = ControlMsg::Command {
        frame: 24_000,
        command: Command::MoveEffect {
            track: t,
            effect: chronus::sequencer::EffectId(1),
            index: 0,
        },
    };
    assert!(h.send(msg).is_ok());
    let after = run(&mut engine, 24_000);
    let step = |x: &[f32]| {
        x.windows(2)
            .map(|w| (w[1] - w[0]).abs())
            .fold(0.0f32, f32::max)
    };
    let (steady_before, around, steady_after) = (
        step(&before[12_000..]),
        step(&after[..4000]),
        step(&after[8000..]),
    );
    // While it moves the filter is out of the chain for a moment: the
    // distortion alone is the third state the output passes through.
    let alone = common::song(
        "tempo: 120\ninstruments:\n  s: { type: synth, osc: sine, filter: none, attack: 0.002, sustain: 1, release: 0.01, effects: [ { type: distortion, drive: 24, mix: 1 } ] }\npatterns:\n  a: { s: \"x\" }\n",
    )
    .tracks[0]
    .spec
    .clone();
    let mut solo = Engine::empty(RATE);
    let mut hs = solo.take_handle().expect("handle");
    add(&mut hs, t, Track::new("s", &alone, RATE as f32, 0));
    event(&mut hs, 0, t, note_on(1, 57.0));
    let distorted = step(&run(&mut solo, 24_000)[12_000..]);
    eprintln!(
        "effect move: steps {steady_before:.4} before, {around:.4} around, {steady_after:.4} after, {distorted:.4} with the moved effect out"
    );
    assert!(
        around <= 1.1 * steady_before.max(steady_after).max(distorted),
        "{around}"
    );
    // Low-passed then distorted is brighter than distorted then low-passed.
    let bright = |x: &[f32]| {
        let s = common::spectrum(&x[..16_384]);
        let bin = |f: f64| (f * 16_384.0 / 48_000.0) as usize;
        s[bin(2000.0)..bin(8000.0)].iter().sum::<f64>()
            / s[bin(100.0)..bin(500.0)].iter().sum::<f64>()
    };
    let (b0, b1) = (bright(&before[4000..]), bright(&after[6000..]));
    assert!(b1 > 2.0 * b0, "the order did not change: {b0} -> {b1}");
}
