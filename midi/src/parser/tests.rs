use super::*;
use crate::Message::*;

fn parse(bytes: &[u8]) -> (Vec<Message>, ParserStats) {
    let mut p = Parser::new();
    let out = bytes.iter().filter_map(|&b| p.push(b)).collect();
    (out, p.stats())
}

#[test]
fn channel_messages_and_running_status() {
    let (m, s) = parse(&[0x90, 60, 100, 64, 90, 0xB3, 74, 10, 11, 0xE1, 0, 64]);
    assert_eq!(
        m,
        vec![
            NoteOn {
                channel: 0,
                note: 60,
                velocity: 100
            },
            NoteOn {
                channel: 0,
                note: 64,
                velocity: 90
            },
            Control {
                channel: 3,
                controller: 74,
                value: 10
            },
            // 11 starts a running-status controller message that E1
            // cuts off: dropped and counted.
            PitchBend {
                channel: 1,
                value: 0
            },
        ]
    );
    assert_eq!(s.messages, 4);
    assert_eq!(s.truncated, 1, "the lone 11 was cut off by E1");
}

#[test]
fn note_on_with_velocity_zero_is_a_note_off() {
    let (m, _) = parse(&[0x95, 61, 0]);
    assert_eq!(
        m,
        vec![NoteOff {
            channel: 5,
            note: 61,
            velocity: 64
        }]
    );
}

#[test]
fn pitch_bend_spans_its_whole_range() {
    let (m, _) = parse(&[0xE0, 0, 0, 0x7F, 0x7F, 0, 0x40]);
    assert_eq!(
        m,
        vec![
            PitchBend {
                channel: 0,
                value: -8192
            },
            PitchBend {
                channel: 0,
                value: 8191
            },
            PitchBend {
                channel: 0,
                value: 0
            },
        ]
    );
}

#[test]
fn real_time_bytes_interleave_without_breaking_a_message() {
    let (m, s) = parse(&[0x90, 0xF8, 60, 0xFE, 100, 0xFA, 62, 0xFC, 101]);
    assert_eq!(
        m,
        vec![
            Clock,
            ActiveSensing,
            NoteOn {
                channel: 0,
                note: 60,
                velocity: 100
            },
            Start,
            Stop,
            NoteOn {
                channel: 0,
                note: 62,
                velocity: 101
            },
        ]
    );
    assert_eq!(s.bad(), 0);
}

#[test]
fn sysex_is_skipped_whatever_its_length_and_clock_inside_it_still_ticks() {
    let mut bytes = vec![0xF0];
    bytes.extend(std::iter::repeat_n(0x11, 10_000));
    bytes.push(0xF8);
    bytes.extend([0x22, 0x33, 0xF7, 0x80, 60, 0]);
    let (m, s) = parse(&bytes);
    assert_eq!(
        m,
        vec![
            Clock,
            NoteOff {
                channel: 0,
                note: 60,
                velocity: 0
            }
        ]
    );
    assert_eq!(s.sysex, 1);
    assert_eq!(s.bad(), 0);
}

#[test]
fn sysex_cut_off_by_a_status_byte_ends_there() {
    let (m, s) = parse(&[0xF0, 1, 2, 3, 0x90, 60, 1]);
    assert_eq!(
        m,
        vec![NoteOn {
            channel: 0,
            note: 60,
            velocity: 1
        }]
    );
    assert_eq!(s.sysex, 1);
}

#[test]
fn sysex_clears_running_status() {
    let (m, s) = parse(&[0x90, 60, 1, 0xF0, 5, 0xF7, 61, 2]);
    assert_eq!(
        m,
        vec![NoteOn {
            channel: 0,
            note: 60,
            velocity: 1
        }]
    );
    assert_eq!(s.orphan_bytes, 2);
}

#[test]
fn data_bytes_with_no_status_are_dropped_and_counted() {
    let (m, s) = parse(&[60, 100, 7, 0x80, 60, 0]);
    assert_eq!(
        m,
        vec![NoteOff {
            channel: 0,
            note: 60,
            velocity: 0
        }]
    );
    assert_eq!(s.orphan_bytes, 3);
}

#[test]
fn a_truncated_message_is_dropped_and_the_next_one_read() {
    let (m, s) = parse(&[0x90, 60, 0x80, 61, 0, 0xB0, 0xC0, 5]);
    assert_eq!(
        m,
        vec![
            NoteOff {
                channel: 0,
                note: 61,
                velocity: 0
            },
            Program {
                channel: 0,
                program: 5
            },
        ]
    );
    assert_eq!(s.truncated, 2);
}

#[test]
fn system_common_messages_have_no_running_status() {
    let (m, s) = parse(&[0xF2, 0x10, 0x01, 0x05, 0xF3, 3, 0xF1, 0x21, 0xF6]);
    assert_eq!(
        m,
        vec![
            SongPosition(0x90),
            SongSelect(3),
            QuarterFrame(0x21),
            TuneRequest
        ]
    );
    assert_eq!(s.orphan_bytes, 1, "0x05 after a song position");
}

#[test]
fn undefined_and_stray_bytes_are_counted() {
    let (m, s) = parse(&[0xF4, 0xF5, 0xF9, 0xFD, 0xF7, 0xC1, 9]);
    assert_eq!(
        m,
        vec![Program {
            channel: 1,
            program: 9
        }]
    );
    assert_eq!(s.undefined, 5);
}

#[test]
fn an_event_is_complete_in_itself() {
    let mut p = Parser::new();
    let mut out = Vec::new();
    // A cut-off event, then a data-only event: neither joins the other.
    p.push_event(&[0x90, 60], |m| out.push(m));
    p.push_event(&[100], |m| out.push(m));
    p.push_event(&[0xB0], |m| out.push(m));
    p.push_event(&[0xF0, 1, 2], |m| out.push(m));
    p.push_event(&[0x90, 61, 90, 62, 91], |m| out.push(m));
    assert_eq!(
        out,
        vec![
            NoteOn {
                channel: 0,
                note: 61,
                velocity: 90
            },
            NoteOn {
                channel: 0,
                note: 62,
                velocity: 91
            },
        ]
    );
    let s = p.stats();
    assert_eq!((s.truncated, s.orphan_bytes, s.sysex), (2, 1, 1));
}

#[test]
fn every_message_survives_its_own_bytes() {
    let all = [
        NoteOff {
            channel: 15,
            note: 127,
            velocity: 127,
        },
        NoteOn {
            channel: 3,
            note: 0,
            velocity: 1,
        },
        PolyPressure {
            channel: 2,
            note: 5,
            value: 6,
        },
        Control {
            channel: 1,
            controller: 64,
            value: 127,
        },
        Program {
            channel: 9,
            program: 33,
        },
        ChannelPressure {
            channel: 4,
            value: 99,
        },
        PitchBend {
            channel: 7,
            value: -1234,
        },
        QuarterFrame(0x35),
        SongPosition(16_000),
        SongSelect(2),
        TuneRequest,
        Clock,
        Start,
        Continue,
        Stop,
        ActiveSensing,
        Reset,
    ];
    for m in all {
        let (b, n) = m.to_bytes();
        let mut p = Parser::new();
        let mut out = Vec::new();
        p.push_event(&b[..n], |x| out.push(x));
        assert_eq!(out, vec![m], "{:02X?}", &b[..n]);
        assert_eq!(p.stats().bad(), 0);
    }
}

/// A corpus of hostile events: none panics, and every byte is accounted
/// for as a message, a SysEx or a counted fault.
#[test]
fn malformed_corpus_parses_without_panicking() {
    // Each event, and the messages, SysEx and faults it should count.
    type Case = (&'static [u8], (u64, u64, u64));
    let corpus: &[Case] = &[
        (&[], (0, 0, 0)),
        (&[0x80], (0, 0, 1)),
        (&[0xFF; 64], (64, 0, 0)),
        (&[0x7F; 64], (0, 0, 64)),
        (&[0xF0], (0, 1, 0)),
        (&[0xF7, 0xF7, 0xF0, 0xF0, 0xF7], (0, 2, 2)),
        (&[0x90, 0x90, 0x90, 60, 0x90], (0, 0, 4)),
        (&[0xE0, 0x7F], (0, 0, 1)),
        (&[0xF2, 0x7F], (0, 0, 1)),
        (&[0xC0, 0xD0, 0xE0, 0xF1, 0xF2, 0xF3], (0, 0, 6)),
        (&[0x90, 128, 129, 130], (0, 0, 4)),
        (&[0xB0, 123, 0, 0xB0, 120, 0, 0xB0, 121, 0], (3, 0, 0)),
    ];
    for (bytes, want) in corpus {
        let mut p = Parser::new();
        p.push_event(bytes, check_ranges);
        let s = p.stats();
        assert_eq!((s.messages, s.sysex, s.bad()), *want, "{bytes:02X?}");
    }
}

/// Property: random bytes, a million of them, never panic, never produce a
/// data value above 127 or a channel above 15, and a clean message after
/// any garbage (once a status byte resynchronises) is read exactly.
#[test]
fn random_bytes_never_panic_and_resynchronise() {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut p = Parser::new();
    for round in 0..2_000 {
        let len = (next() % 1000) as usize;
        for _ in 0..len {
            if let Some(m) = p.push(next() as u8) {
                check_ranges(m);
            }
        }
        // Resynchronise: end any SysEx, then a full message.
        let note = (round % 128) as u8;
        let mut got = Vec::new();
        for b in [0xF7, 0x92, note, 77] {
            if let Some(m) = p.push(b) {
                got.push(m);
            }
        }
        assert_eq!(
            got.last(),
            Some(&NoteOn {
                channel: 2,
                note,
                velocity: 77
            }),
            "round {round}"
        );
    }
}

fn check_ranges(m: Message) {
    if let Some(c) = m.channel() {
        assert!(c < 16);
    }
    match m {
        NoteOn { note, velocity, .. } | NoteOff { note, velocity, .. } => {
            assert!(note < 128 && velocity < 128)
        }
        Control {
            controller, value, ..
        } => assert!(controller < 128 && value < 128),
        PitchBend { value, .. } => assert!((-8192..=8191).contains(&value)),
        SongPosition(p) => assert!(p < 16384),
        _ => {}
    }
}
