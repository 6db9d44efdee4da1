//! A module that panics on the audio thread: caught there (the panic hook
//! only counts it), that track silenced and reported, and the rest of the
//! mix exactly what it would be without it.

use chronus::dsp::Instrument;
use chronus::engine::{Command, ControlMsg, Engine, EngineHandle, Notice, Track, VecQueue};
use chronus::sequencer::song::InstrumentSpec;
use chronus::sequencer::{Event, EventKind, Song, TrackId};
use std::time::Instant;

const RATE: u32 = 48_000;

/// An instrument that panics as soon as it has a note: built only for
/// this test.
struct PanicsOnPurpose(bool);

impl Instrument for PanicsOnPurpose {
    fn note_on(&mut self, _: u32, _: Option<f32>, _: f32) {
        self.0 = true;
    }
    fn note_off(&mut self, _: u32) {}
    fn render(&mut self, out: &mut [f32]) {
        if self.0 {
            panic!("a module that panics on purpose, with {} frames", out.len());
        }
        out.fill(0.0);
    }
    fn active_voices(&self) -> usize {
        usize::from(self.0)
    }
    fn reset(&mut self) {
        self.0 = false;
    }
}

fn sine() -> InstrumentSpec {
    let yaml = "tempo: 120\ninstruments:\n  s: { type: synth, osc: saw, cutoff: 2000, sustain: 1, polyphony: 4, effects: [ { type: delay, time: 0.1, mix: 0.3 } ] }\npatterns:\n  a: { s: \"x\" }\n";
    match Song::from_yaml(yaml, "t.yaml".as_ref()) {
        Ok((song, _)) => song.tracks[0].spec.clone(),
        Err(e) => panic!("{e}"),
    }
}

fn send(h: &mut EngineHandle, msg: ControlMsg) {
    assert!(h.send(msg).is_ok());
}

fn note(h: &mut EngineHandle, frame: u64, track: TrackId, id: u32) {
    let kind = EventKind::NoteOn {
        id,
        pitch: Some(57.0),
        velocity: 0.8,
    };
    send(h, ControlMsg::Event(Event { frame, track, kind }));
}

/// Render `frames` in periods of 256: both channels, and the longest render.
fn run(engine: &mut Engine, frames: usize) -> (Vec<f32>, Vec<f32>, f64) {
    let mut queue = VecQueue::new(Vec::new());
    let (mut l, mut r) = ([0.0f32; 256], [0.0f32; 256]);
    let (mut left, mut right, mut longest) = (Vec::new(), Vec::new(), 0.0f64);
    while left.len() < frames {
        let t = Instant::now();
        engine.render(&mut queue, &mut l, &mut r);
        longest = longest.max(t.elapsed().as_secs_f64());
        left.extend_from_slice(&l);
        right.extend_from_slice(&r);
    }
    (left, right, longest)
}

#[test]
fn a_track_that_panics_is_silenced_and_the_mix_plays_on_as_without_it() {
    // After the good track, and before it (the pass then goes on past the
    // panic to the good one, in the same block).
    panics_beside(TrackId::new(0, 1), TrackId::new(1, 1));
    panics_beside(TrackId::new(1, 1), TrackId::new(0, 1));
}

fn panics_beside(good: TrackId, bad: TrackId) {
    let mut with = Engine::empty(RATE);
    let mut without = Engine::empty(RATE);
    let mut h = with.take_handle().expect("handle");
    let mut h0 = without.take_handle().expect("handle");
    for h in [&mut h, &mut h0] {
        let track = Track::new("good", &sine(), RATE as f32, 0);
        let command = Command::AddTrack {
            id: good,
            track: Box::new(track),
        };
        send(h, ControlMsg::Command { frame: 0, command });
        note(h, 100, good, 1);
    }
    let track = Track::with_instrument("bad", Box::new(PanicsOnPurpose(false)), RATE as f32);
    let command = Command::AddTrack {
        id: bad,
        track: Box::new(track),
    };
    send(&mut h, ControlMsg::Command { frame: 0, command });
    note(&mut h, 2_400, bad, 1);
    note(&mut h, 9_600, bad, 2);
    let (l, r, longest) = run(&mut with, 24_000);
    let (l0, r0, usual) = run(&mut without, 24_000);
    eprintln!(
        "longest render of 256 frames: {:.3} ms with the panic, {:.3} ms without (a period is 5.333 ms)",
        longest * 1e3,
        usual * 1e3
    );
    // The rest of the mix, delay and all, is untouched, sample for sample.
    assert!(l == l0 && r == r0, "the panic changed the mix");
    assert!(l0.iter().fold(0.0f32, |m, v| m.max(v.abs())) > 0.1);
    // Reported once, and the track stays silent (its second note too).
    let mut notices = Vec::new();
    h.collect(|_| {}, &mut notices);
    assert_eq!(notices, vec![Notice::Panic(bad)]);
    assert_eq!(with.stats().faults, 1);
    assert!(chronus::engine::panic_guard::caught() >= 1);
    // Removed, it comes back to the control thread to be freed.
    send(
        &mut h,
        ControlMsg::Command {
            frame: 24_064,
            command: Command::RemoveTrack(bad),
        },
    );
    run(&mut with, 1_024);
    let mut freed = Vec::new();
    h.collect(|id| freed.push(id), &mut notices);
    assert_eq!(freed, vec![bad]);
}
