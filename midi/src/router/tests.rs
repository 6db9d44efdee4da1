use super::*;
use crate::routes::{Curve, Map};
use crate::Parser;

const BASS: TrackId = TrackId::new(1, 0);
const LEAD: TrackId = TrackId::new(2, 3);
const DRUMS: TrackId = TrackId::new(3, 0);

fn routes() -> Box<Routes> {
    Box::new(Routes {
        routes: vec![
            Route {
                track: BASS,
                channel: Some(0),
                keys: Keys::Pitch,
                bend: 2.0,
            },
            Route {
                track: LEAD,
                channel: Some(1),
                keys: Keys::Pitch,
                bend: 12.0,
            },
            Route {
                track: DRUMS,
                channel: Some(9),
                keys: Keys::Trigger,
                bend: 2.0,
            },
        ],
        maps: vec![Map {
            source: Source::Control(74),
            channel: None,
            track: BASS,
            target: ParamTarget::Instrument(3),
            min: 100.0,
            max: 10_000.0,
            curve: Curve::Exponential,
        }],
        outs: vec![],
    })
}

fn router() -> Router {
    let mut r = Router::new(48_000);
    r.set_routes(routes(), 0, &mut |_| panic!("nothing was playing"));
    r
}

/// Feed raw bytes at successive frames; the events they make.
fn play(r: &mut Router, bytes: &[u8]) -> Vec<Event> {
    let mut p = Parser::new();
    let mut out = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        if let Some(m) = p.push(b) {
            r.message(i as u64, m, &mut |e| out.push(e));
        }
    }
    out
}

fn on_ids(ev: &[Event]) -> Vec<(TrackId, u32, Option<f32>, f32)> {
    ev.iter()
        .filter_map(|e| match e.kind {
            EventKind::NoteOn {
                id,
                pitch,
                velocity,
            } => Some((e.track, id, pitch, velocity)),
            _ => None,
        })
        .collect()
}

fn offs(ev: &[Event]) -> Vec<(TrackId, u32)> {
    ev.iter()
        .filter_map(|e| match e.kind {
            EventKind::NoteOff { id } => Some((e.track, id)),
            _ => None,
        })
        .collect()
}

#[test]
fn notes_go_to_the_track_on_their_channel_with_velocity_and_pitch() {
    let mut r = router();
    let ev = play(
        &mut r,
        &[0x90, 60, 127, 0x91, 72, 64, 0x99, 36, 100, 0x95, 1, 1],
    );
    let on = on_ids(&ev);
    assert_eq!(on.len(), 3);
    assert_eq!((on[0].0, on[0].2, on[0].3), (BASS, Some(60.0), 1.0));
    assert_eq!((on[1].0, on[1].2), (LEAD, Some(72.0)));
    assert!((on[1].3 - 64.0 / 127.0).abs() < 1e-6);
    assert_eq!(
        (on[2].0, on[2].2),
        (DRUMS, None),
        "a drum plays at its own pitch"
    );
    assert_eq!(ev[0].frame, 2, "stamped with the frame its last byte came");
    assert_eq!(r.stats().unrouted, 1, "channel 6 has no track");
    assert!(on.iter().all(|o| o.1 & NOTE_IDS == NOTE_IDS));
}

#[test]
fn note_off_and_note_on_with_velocity_zero_release_the_same_id() {
    let mut r = router();
    let ev = play(&mut r, &[0x90, 60, 100, 62, 100, 0x80, 60, 0, 0x90, 62, 0]);
    let on = on_ids(&ev);
    assert_eq!(offs(&ev), vec![(BASS, on[0].1), (BASS, on[1].1)]);
}

#[test]
fn a_key_struck_again_releases_its_old_note_first() {
    let mut r = router();
    let ev = play(&mut r, &[0x90, 60, 100, 60, 90]);
    let on = on_ids(&ev);
    assert_ne!(on[0].1, on[1].1);
    assert_eq!(offs(&ev), vec![(BASS, on[0].1)]);
    assert!(
        matches!(ev[1].kind, EventKind::NoteOff { .. }),
        "off before the new on"
    );
}

#[test]
fn sustain_pedal_holds_released_notes_until_it_lifts() {
    let mut r = router();
    let ev = play(
        &mut r,
        &[
            0xB0, 64, 127, 0x90, 60, 100, 0x80, 60, 0, 0x90, 64, 100, 0x80, 64, 0,
        ],
    );
    assert!(offs(&ev).is_empty(), "the pedal holds them");
    let on = on_ids(&ev);
    let up = play(&mut r, &[0xB0, 64, 0]);
    let mut released = offs(&up);
    released.sort_by_key(|o| o.1);
    assert_eq!(released, vec![(BASS, on[0].1), (BASS, on[1].1)]);
    assert!(
        offs(&play(&mut r, &[0xB0, 64, 0])).is_empty(),
        "released once"
    );
}

#[test]
fn a_note_held_by_a_key_is_not_released_by_the_pedal() {
    let mut r = router();
    let ev = play(&mut r, &[0xB0, 64, 127, 0x90, 60, 100]);
    let up = play(&mut r, &[0xB0, 64, 0]);
    assert!(offs(&up).is_empty(), "the key is still down");
    let off = play(&mut r, &[0x80, 60, 0]);
    assert_eq!(offs(&off), vec![(BASS, on_ids(&ev)[0].1)]);
}

#[test]
fn pitch_bend_reaches_the_route_range() {
    let mut r = router();
    let ev = play(&mut r, &[0xE0, 0x7F, 0x7F, 0xE1, 0, 0, 0xE0, 0, 0x40]);
    let bends: Vec<(TrackId, f32)> = ev
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Param {
                target: ParamTarget::Bend,
                value,
                ..
            } => Some((e.track, value)),
            _ => None,
        })
        .collect();
    assert_eq!(bends.len(), 3);
    assert_eq!(bends[0].0, BASS);
    assert!((bends[0].1 - 2.0 * 8191.0 / 8192.0).abs() < 1e-4);
    assert_eq!(bends[1], (LEAD, -12.0));
    assert_eq!(bends[2], (BASS, 0.0));
}

#[test]
fn mapped_controller_moves_its_parameter_along_the_curve() {
    let mut r = router();
    let ev = play(&mut r, &[0xB5, 74, 0, 74, 127, 74, 64]);
    let values: Vec<f32> = ev
        .iter()
        .map(|e| match e.kind {
            EventKind::Param {
                target: ParamTarget::Instrument(3),
                value,
                ramp,
            } => {
                assert_eq!(ramp, 240, "smoothed over 5 ms");
                assert_eq!(e.track, BASS);
                value
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert!((values[0] - 100.0).abs() < 1e-3);
    assert!((values[1] - 10_000.0).abs() < 0.5);
    let mid = 100.0 * 100f32.powf(64.0 / 127.0);
    assert!((values[2] - mid).abs() < 0.5, "{values:?}");
    assert_eq!(r.stats().mapped, 3);
    assert_eq!(r.stats().last_control, Some((3, 5, 74)));
}

#[test]
fn mod_wheel_adds_vibrato_at_the_control_rate() {
    let mut r = router();
    play(&mut r, &[0xB0, 1, 127]);
    let mut bends = Vec::new();
    for k in 0..750u64 {
        r.tick(k * 64, 64, &mut |e| {
            if let EventKind::Param {
                target: ParamTarget::Bend,
                value,
                ramp,
            } = e.kind
            {
                assert_eq!((e.track, ramp), (BASS, 64));
                bends.push(value);
            }
        });
    }
    // One second of ticks: 5.5 cycles of +-50 cents.
    assert_eq!(bends.len(), 750);
    let max = bends.iter().fold(f32::MIN, |m, &b| m.max(b));
    let min = bends.iter().fold(f32::MAX, |m, &b| m.min(b));
    assert!(
        (max - 0.5).abs() < 0.01 && (min + 0.5).abs() < 0.01,
        "{min} {max}"
    );
    let crossings = bends
        .windows(2)
        .filter(|w| w[0] < 0.0 && w[1] >= 0.0)
        .count();
    assert!((5..=6).contains(&crossings), "{crossings}");
    // The wheel down: one last bend back to the wheel's pitch, then quiet.
    play(&mut r, &[0xB0, 1, 0]);
    let mut after = Vec::new();
    for k in 0..10u64 {
        r.tick(k * 64, 64, &mut |e| after.push(e));
    }
    assert_eq!(after.len(), 1);
    assert!(matches!(after[0].kind, EventKind::Param { value, .. } if value == 0.0));
}

#[test]
fn all_notes_off_all_sound_off_and_reset_controllers() {
    let mut r = router();
    let ev = play(
        &mut r,
        &[0xB0, 64, 127, 0x90, 60, 100, 61, 100, 0x80, 60, 0],
    );
    let on = on_ids(&ev);
    let off = play(&mut r, &[0xB0, 123, 0]);
    let mut ids: Vec<u32> = offs(&off).iter().map(|o| o.1).collect();
    ids.sort();
    assert_eq!(
        ids,
        vec![on[0].1, on[1].1],
        "held and sustained notes alike"
    );
    play(&mut r, &[0x90, 62, 100]);
    let hush = play(&mut r, &[0xB0, 120, 0]);
    assert_eq!(offs(&hush).len(), 1);
    assert!(hush.iter().any(|e| matches!(
        e.kind,
        EventKind::Param {
            target: ParamTarget::Hush,
            ..
        }
    )));
    play(&mut r, &[0xE0, 0, 0x60]);
    let reset = play(&mut r, &[0xB0, 121, 0]);
    assert!(reset
        .iter()
        .any(|e| matches!(e.kind, EventKind::Param { target: ParamTarget::Bend, value, .. } if value == 0.0)));
    // The pedal is up after a reset: a released key ends at once.
    let ev = play(&mut r, &[0x90, 63, 100, 0x80, 63, 0]);
    assert_eq!(offs(&ev).len(), 1);
}

#[test]
fn new_routes_release_what_the_old_ones_played() {
    let mut r = router();
    let ev = play(&mut r, &[0x90, 60, 100, 0xE0, 0, 0x60]);
    let id = on_ids(&ev)[0].1;
    let mut out = Vec::new();
    let moved = Box::new(Routes {
        routes: vec![Route {
            track: LEAD,
            channel: None,
            keys: Keys::Pitch,
            bend: 2.0,
        }],
        maps: vec![],
        outs: vec![],
    });
    let old = r.set_routes(moved, 500, &mut |e| out.push(e));
    assert_eq!(old.routes.len(), 3);
    assert_eq!(offs(&out), vec![(BASS, id)]);
    assert!(out.iter().all(|e| e.frame == 500));
    // The wheel is still up: the new track gets its bend, the old one none.
    let bends: Vec<(TrackId, f32)> = out
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Param {
                target: ParamTarget::Bend,
                value,
                ..
            } => Some((e.track, value)),
            _ => None,
        })
        .collect();
    assert_eq!(bends, vec![(BASS, 0.0), (LEAD, 1.0)]);
    // Every channel now reaches the lead.
    assert_eq!(on_ids(&play(&mut r, &[0x9C, 50, 1]))[0].0, LEAD);
}

#[test]
fn random_messages_never_panic_and_every_note_ends() {
    let mut r = router();
    let mut x: u32 = 12345;
    let mut sounding = std::collections::HashSet::new();
    let mut p = Parser::new();
    for i in 0..200_000u64 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        // Mostly channels 0, 1 and 9, statuses 8x..Ex and data.
        let b = match x % 4 {
            0 => 0x80 | ((x >> 8) as u8 & 0x70) | [0, 1, 9][(x >> 16) as usize % 3],
            _ => (x >> 8) as u8 & 0x7F,
        };
        if let Some(m) = p.push(b) {
            r.message(i, m, &mut |e| match e.kind {
                EventKind::NoteOn { id, .. } => {
                    sounding.insert((e.track, id));
                }
                EventKind::NoteOff { id } => {
                    sounding.remove(&(e.track, id));
                }
                EventKind::Param { value, .. } => assert!(value.is_finite()),
                EventKind::Midi { .. } => {}
            });
        }
    }
    for (ch, cc) in [(0u8, 64u8), (1, 64), (9, 64)] {
        r.message(
            0,
            Message::Control {
                channel: ch,
                controller: cc,
                value: 0,
            },
            &mut |_| {},
        );
        r.message(
            0,
            Message::Control {
                channel: ch,
                controller: 123,
                value: 0,
            },
            &mut |e| {
                if let EventKind::NoteOff { id } = e.kind {
                    sounding.remove(&(e.track, id));
                }
            },
        );
    }
    assert!(sounding.is_empty(), "{} notes hang", sounding.len());
}
