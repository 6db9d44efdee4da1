use super::*;

fn spec(kind: &str, settings: &[(&str, &str)]) -> ModuleSpec {
    let mut s = ModuleSpec::default_of(kind).expect("a type");
    for (k, v) in settings {
        s.set(k, v).expect("a setting");
    }
    s
}

fn track_cable(module: &str) -> CableSpec {
    CableSpec {
        module: module.into(),
        to: CableTo::Track {
            track: TrackId::new(0, 1),
            target: ParamTarget::Instrument(0),
        },
        amount: 100.0,
        base: 1000.0,
    }
}

fn plan(modules: &[(&str, ModuleSpec)], cables: Vec<CableSpec>) -> RackPlan {
    RackPlan {
        modules: modules
            .iter()
            .map(|(n, s)| (n.to_string(), s.clone()))
            .collect(),
        triggers: modules
            .iter()
            .map(|(_, s)| s.kind.follows_a_track().then_some(TrackId::new(0, 1)))
            .collect(),
        cables,
        wires: Vec::new(),
        users: Vec::new(),
        versions: Vec::new(),
        sends: Vec::new(),
    }
}

/// The values the cable sends over `n` control points (the rack run a
/// block between them, as the engine does).
fn values(r: &mut Rack, n: usize) -> Vec<f32> {
    let mut out = Vec::new();
    let (mut l, mut rr) = ([0.0; 64], [0.0; 64]);
    for i in 0..n {
        r.tick(i as u64 * 64, |e| {
            if let EventKind::Param { value, .. } = e.kind {
                out.push(value);
            }
        });
        r.render_add(&mut l, &mut rr, i as u64 * 64);
    }
    out
}

fn lfo(shape: &str) -> Rack {
    let m = [("l", spec("lfo", &[("shape", shape), ("rate", "7.5")]))];
    Rack::new(&plan(&m, vec![track_cable("l")]), 48_000)
}

#[test]
fn each_lfo_shape_swings_the_parameter_around_its_base() {
    // 7.5 Hz: a cycle is exactly 100 control points at 48 kHz.
    for shape in ["sine", "triangle", "saw", "square", "random"] {
        let v = values(&mut lfo(shape), 1000);
        let (lo, hi) = v
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), x| (a.min(*x), b.max(*x)));
        let mean = v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64;
        eprintln!("{shape}: {lo:.1}..{hi:.1}, mean {mean:.1}");
        assert!(
            lo >= 900.0 - 1e-3 && hi <= 1100.0 + 1e-3,
            "{shape}: {lo} {hi}"
        );
        if shape != "random" {
            assert!(lo < 905.0 && hi > 1095.0, "{shape}: full swing {lo} {hi}");
            assert!((mean - 1000.0).abs() < 2.0, "{shape}: centred {mean}");
        } else {
            assert!(hi - lo > 50.0, "random moves: {lo} {hi}");
        }
    }
    // The sine a quarter cycle in (25 control points) is at its top.
    let v = values(&mut lfo("sine"), 26);
    assert!((v[25] - 1100.0).abs() < 0.01, "{}", v[25]);
}

#[test]
fn a_set_moves_the_base_and_a_new_rack_carries_on() {
    let mut r = lfo("sine");
    values(&mut r, 10);
    assert!(r.intercept(TrackId::new(0, 1), ParamTarget::Instrument(0), 2000.0, 0));
    assert!(!r.intercept(TrackId::new(0, 1), ParamTarget::Instrument(1), 5.0, 0));
    let v = values(&mut r, 100);
    let mean = v.iter().map(|x| f64::from(*x)).sum::<f64>() / v.len() as f64;
    assert!((mean - 2000.0).abs() < 2.0, "{mean}");
    // A new rack takes over the phase and the base: it goes on exactly as
    // an untouched twin of the old one does.
    let mut twin = lfo("sine");
    values(&mut twin, 110);
    twin.intercept(TrackId::new(0, 1), ParamTarget::Instrument(0), 2000.0, 0);
    let mut next = lfo("sine");
    assert!(next.take_over(Box::new(r), 480, 0).is_none());
    assert_eq!(values(&mut next, 5), values(&mut twin, 5));
    values(&mut next, 10);
    assert!(
        next.retired().is_some(),
        "the old rack goes back after the fade"
    );
}

#[test]
fn an_envelope_follows_its_tracks_notes() {
    let m = [(
        "e",
        spec(
            "env",
            &[
                ("attack", "0.01"),
                ("decay", "0.05"),
                ("sustain", "0.5"),
                ("release", "0.02"),
            ],
        ),
    )];
    let mut r = Rack::new(&plan(&m, vec![track_cable("e")]), 48_000);
    let track = TrackId::new(0, 1);
    let at = |r: &mut Rack, frames: usize| *values(r, frames / 64).last().unwrap_or(&0.0);
    assert!((at(&mut r, 640) - 1000.0).abs() < 1e-3, "idle: at its base");
    r.note(TrackId::new(1, 1), true);
    assert!(
        (at(&mut r, 640) - 1000.0).abs() < 1e-3,
        "another track's note"
    );
    r.note(track, true);
    let peak = values(&mut r, 15).into_iter().fold(0.0f32, f32::max);
    // (Read every 64 frames: the top at 480 frames is passed by 512.)
    assert!(
        peak > 1090.0 && peak <= 1100.0,
        "attack reaches full: {peak}"
    );
    let sustain = at(&mut r, 9600);
    assert!((sustain - 1050.0).abs() < 1.0, "sustain 0.5: {sustain}");
    r.note(track, false);
    let after = at(&mut r, 4800);
    assert!((after - 1000.0).abs() < 1.0, "released: {after}");
}

#[test]
fn a_step_module_steps_through_its_values_and_sh_holds() {
    // 750 steps/s: one per control point.
    let m = [(
        "s",
        spec("step", &[("values", "0 1 -1 0.5"), ("rate", "750")]),
    )];
    let mut r = Rack::new(&plan(&m, vec![track_cable("s")]), 48_000);
    let v = values(&mut r, 9);
    let want = [0.0, 1.0, -1.0, 0.5, 0.0, 1.0, -1.0, 0.5, 0.0].map(|x| 1000.0 + 100.0 * x);
    // The cable reads the module's output at the end of the block before.
    assert_eq!(v, want);
    // Sample and hold of its own noise, at 75 Hz: 10 points per value.
    let m = [("h", spec("sh", &[("rate", "75")]))];
    let mut r = Rack::new(&plan(&m, vec![track_cable("h")]), 48_000);
    let v = values(&mut r, 200);
    let changes = v.windows(2).filter(|w| w[0] != w[1]).count();
    assert!(
        (18..=21).contains(&changes),
        "{changes} changes in 200 points"
    );
    // Every value is held for 10 points (the first and last runs cut).
    let mut runs = vec![1];
    for w in v.windows(2) {
        if w[0] == w[1] {
            *runs.last_mut().unwrap() += 1;
        } else {
            runs.push(1);
        }
    }
    let inner = &runs[1..runs.len() - 1];
    assert!(inner.iter().all(|n| (9..=11).contains(n)), "{runs:?}");
}

/// The notes an arpeggiator plays over `frames`, as (frame, pitch) for
/// note-ons and (frame, -1) for note-offs.
fn arp_notes(r: &mut Rack, from: u64, frames: u64) -> Vec<(u64, f32)> {
    let mut out = Vec::new();
    let mut f = from;
    while f < from + frames {
        r.tick_notes(f, 64, |e| match e.kind {
            EventKind::NoteOn { pitch, .. } => out.push((e.frame, pitch.unwrap_or(0.0))),
            EventKind::NoteOff { .. } => out.push((e.frame, -1.0)),
            _ => {}
        });
        f += 64;
    }
    out
}

fn arp(settings: &[(&str, &str)]) -> Rack {
    let mut s = settings.to_vec();
    s.push(("rate", "8"));
    Rack::new(&plan(&[("a", spec("arp", &s))], Vec::new()), 48_000)
}

fn chord(r: &mut Rack, pitches: &[f32], on: bool) {
    for (i, p) in pitches.iter().enumerate() {
        let kind = if on {
            EventKind::NoteOn {
                id: i as u32,
                pitch: Some(*p),
                velocity: 0.8,
            }
        } else {
            EventKind::NoteOff { id: i as u32 }
        };
        assert!(r.arp_note(TrackId::new(0, 1), kind, 0));
    }
}

#[test]
fn an_arpeggiator_plays_the_chord_one_note_at_a_time() {
    let ons = |v: &[(u64, f32)]| {
        v.iter()
            .filter(|n| n.1 >= 0.0)
            .map(|n| n.1)
            .collect::<Vec<_>>()
    };
    let mut r = arp(&[("mode", "up")]);
    // Held in any order: played in pitch order.
    chord(&mut r, &[67.0, 60.0, 64.0], true);
    let v = arp_notes(&mut r, 0, 48_000);
    assert_eq!(ons(&v), [60.0, 64.0, 67.0, 60.0, 64.0, 67.0, 60.0, 64.0]);
    // A step every 6000 frames (8 a second), each half a step long.
    let on_frames: Vec<u64> = v.iter().filter(|n| n.1 >= 0.0).map(|n| n.0).collect();
    assert_eq!(on_frames, (0..8).map(|k| k * 6_000).collect::<Vec<_>>());
    let offs: Vec<u64> = v.iter().filter(|n| n.1 < 0.0).map(|n| n.0).collect();
    assert_eq!(&offs[..3], &[3_000, 9_000, 15_000]);
    // Released: the last note ends, no new one starts.
    chord(&mut r, &[67.0, 60.0, 64.0], false);
    let v = arp_notes(&mut r, 48_000, 48_000);
    assert!(v.iter().all(|n| n.1 < 0.0), "{v:?}");
    // A note-off for a note it never held goes on to the instrument.
    assert!(!r.arp_note(TrackId::new(0, 1), EventKind::NoteOff { id: 99 }, 0));
    // Down, up and down, over two octaves.
    let mut r = arp(&[("mode", "down")]);
    chord(&mut r, &[60.0, 64.0, 67.0], true);
    assert_eq!(ons(&arp_notes(&mut r, 0, 24_000)), [67.0, 64.0, 60.0, 67.0]);
    let mut r = arp(&[("mode", "updown"), ("octaves", "2")]);
    chord(&mut r, &[60.0, 64.0, 67.0], true);
    assert_eq!(
        ons(&arp_notes(&mut r, 0, 72_000)),
        [60.0, 64.0, 67.0, 72.0, 76.0, 79.0, 76.0, 72.0, 67.0, 64.0, 60.0, 64.0]
    );
    let mut r = arp(&[("mode", "random")]);
    chord(&mut r, &[60.0, 64.0, 67.0], true);
    let v = ons(&arp_notes(&mut r, 0, 48_000 * 4));
    for p in [60.0, 64.0, 67.0] {
        let n = v.iter().filter(|x| **x == p).count();
        assert!((5..=19).contains(&n), "{p}: {n} of {}", v.len());
    }
}

/// Two oscillators to out, `bad` built to panic from frame 1000 on
/// (`bad_first`: it runs before the good one).
fn pair(bad_first: bool, bad_panics: bool, versions: Vec<u64>) -> Rack {
    let good = (
        "good",
        spec(
            "osc",
            &[("wave", "sine"), ("freq", "440"), ("level", "0.2")],
        ),
    );
    let bad = (
        "bad",
        spec("osc", &[("wave", "saw"), ("freq", "220"), ("level", "0.2")]),
    );
    let m = if bad_first { [bad, good] } else { [good, bad] };
    let mut p = plan(&m, Vec::new());
    p.versions = versions;
    p.wires = ["good", "bad"]
        .iter()
        .map(|n| Wire {
            from: n.to_string(),
            to: OUT.to_string(),
            effects: Vec::new(),
        })
        .collect();
    let mut r = Rack::new(&p, 48_000);
    if bad_panics {
        let i = usize::from(!bad_first);
        r.nodes[i].panic_at = Some(1000);
    }
    r
}

/// `blocks` blocks of 64 frames of the rack's output (left).
fn play(r: &mut Rack, from: u64, blocks: u64) -> Vec<f32> {
    let mut out = Vec::new();
    for b in 0..blocks {
        let (mut l, mut rr) = ([0.0; 64], [0.0; 64]);
        r.render_add(&mut l, &mut rr, from + b * 64);
        out.extend_from_slice(&l);
    }
    out
}

#[test]
fn a_module_that_panics_falls_silent_and_the_others_play_on() {
    crate::engine::panic_guard::install();
    // The good one alone, for reference.
    let alone = play(&mut good_alone(), 0, 100);
    for bad_first in [true, false] {
        let mut r = pair(bad_first, true, Vec::new());
        let out = play(&mut r, 0, 100);
        // Before the panicking block the two sound together.
        let before = out[..960]
            .iter()
            .zip(&alone)
            .any(|(a, b)| (a - b).abs() > 0.01);
        assert!(before, "the saw sounded before its panic");
        // From the block it panicked in (frames 960..1024), the good one
        // alone, sample for sample.
        let w = worst(&out[960..], &alone[960..]);
        assert!(w == 0.0, "bad first: {bad_first}: off by {w}");
        let (key, _payload) = r.take_panic().expect("the panic is reported");
        assert_eq!(key, key_of("bad"));
        assert!(r.take_panic().is_none(), "reported once");
        assert!(r.nodes.iter().filter(|n| n.dead).count() == 1);
        // A graph edit keeps it silent; a new version of it brings it back.
        let mut next = pair(bad_first, false, Vec::new());
        assert!(next.take_over(Box::new(r), 480, 6400).is_none());
        let edited = play(&mut next, 6400, 100);
        // (the crossfade's two halves of one sine round by an ulp or so)
        let w = worst(&edited, &alone_from(6400));
        assert!(w < 1e-6, "kept silent across an edit: off by {w}");
        let mut fresh = pair(bad_first, false, vec![1, 1]);
        fresh.take_over(Box::new(next), 480, 12_800);
        assert!(fresh.nodes.iter().all(|n| !n.dead), "a new definition runs");
        let sound = play(&mut fresh, 12_800, 100);
        let w = worst(&sound, &alone_from(12_800));
        assert!(w > 0.05, "the new version sounds: {w}");
    }
}

/// The good oscillator of [`pair`] alone, to out.
fn good_alone() -> Rack {
    let good = (
        "good",
        spec(
            "osc",
            &[("wave", "sine"), ("freq", "440"), ("level", "0.2")],
        ),
    );
    let mut p = plan(&[good], Vec::new());
    p.wires = vec![Wire {
        from: "good".into(),
        to: OUT.into(),
        effects: Vec::new(),
    }];
    Rack::new(&p, 48_000)
}

/// The good oscillator alone for 100 blocks from `frame` (its phase where
/// a rack running since frame 0 has it).
fn alone_from(frame: u64) -> Vec<f32> {
    let mut r = good_alone();
    play(&mut r, 0, frame / 64);
    play(&mut r, frame, 100)
}

#[test]
fn a_module_joining_later_starts_where_the_timeline_puts_its_cycle() {
    // An LFO created at frame 97 600 (a quarter into its 16th cycle) is
    // where one running since frame 0 is: what a resumed session relies on.
    let running = {
        let mut r = lfo("triangle");
        values(&mut r, 1525);
        values(&mut r, 20)
    };
    let mut late = lfo("triangle");
    late.take_over(Box::new(Rack::default()), 1, 1525 * 64);
    let joined: Vec<f32> = {
        let (mut out, (mut l, mut rr)) = (Vec::new(), ([0.0; 64], [0.0; 64]));
        for i in 1525..1545u64 {
            late.tick(i * 64, |e| {
                if let EventKind::Param { value, .. } = e.kind {
                    out.push(value);
                }
            });
            late.render_add(&mut l, &mut rr, i * 64);
        }
        out
    };
    assert_eq!(running.len(), joined.len());
    let w = worst(&running, &joined);
    assert!(w < 1e-3, "off by {w} (of a 200 swing)");
}

/// The largest difference between `a` and `b`, sample by sample.
fn worst(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

/// An engine with a sine track playing a note and the rack `rack`;
/// `frames` of its left channel, and what it reported.
fn engine_with(rack: Rack, frames: usize) -> (Vec<f32>, Vec<crate::engine::Notice>, u64) {
    use crate::engine::{Command, ControlMsg, Engine, Track, VecQueue};
    let yaml = "tempo: 120\ninstruments:\n  s: { type: synth, osc: sine, sustain: 1 }\npatterns:\n  a: { s: \"x\" }\n";
    let song = match Song::from_yaml(yaml, "t.yaml".as_ref()) {
        Ok((song, _)) => song,
        Err(e) => panic!("{e}"),
    };
    let mut engine = Engine::empty(48_000);
    let mut h = engine.take_handle().expect("a handle");
    let id = TrackId::new(0, 1);
    let track = Box::new(Track::new("s", &song.tracks[0].spec, 48_000.0, 0));
    let msgs = [
        ControlMsg::Command {
            frame: 0,
            command: Command::AddTrack { id, track },
        },
        ControlMsg::Command {
            frame: 0,
            command: Command::Modulation(Box::new(rack)),
        },
        ControlMsg::Event(Event {
            frame: 10,
            track: id,
            kind: EventKind::NoteOn {
                id: 1,
                pitch: Some(69.0),
                velocity: 0.3,
            },
        }),
    ];
    for m in msgs {
        assert!(h.send(m).is_ok());
    }
    let mut queue = VecQueue::new(Vec::new());
    let (mut l, mut r) = ([0.0f32; 256], [0.0f32; 256]);
    let mut out = Vec::new();
    while out.len() < frames {
        engine.render(&mut queue, &mut l, &mut r);
        out.extend_from_slice(&l);
    }
    let mut notices = Vec::new();
    h.collect(|_| {}, &mut notices);
    (out, notices, engine.stats().faults)
}

#[test]
fn in_the_engine_a_panicking_module_is_reported_and_the_rest_plays_on() {
    crate::engine::panic_guard::install();
    let (alone, quiet, no_faults) = engine_with(good_alone(), 24_000);
    let (out, notices, faults) = engine_with(pair(true, true, Vec::new()), 24_000);
    assert!(quiet.is_empty() && no_faults == 0);
    assert!(
        worst(&out[..960], &alone[..960]) > 0.01,
        "the saw sounded first"
    );
    let w = worst(&out[960..], &alone[960..]);
    assert!(
        w == 0.0,
        "from the panic on, the track and the good module as without it: {w}"
    );
    assert!(alone.iter().fold(0.0f32, |m, v| m.max(v.abs())) > 0.2);
    assert_eq!(
        notices,
        vec![crate::engine::Notice::ModulePanic(key_of("bad"))]
    );
    assert_eq!(faults, 1);
}
