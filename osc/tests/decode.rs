//! Decoding every address and argument type; packets are built with rosc, an
//! independent encoder.

use chronus_osc::{
    decode, encode_bundle, encode_reply, encode_request, DecodeError, NoteArg, NtpTime, Request,
    Timed, When, DEFAULT_BEATS, DEFAULT_VELOCITY,
};
use rosc::{OscBundle, OscMessage, OscPacket, OscTime, OscType};

fn msg(addr: &str, args: Vec<OscType>) -> OscPacket {
    OscPacket::Message(OscMessage {
        addr: addr.to_string(),
        args,
    })
}

fn bytes(packet: &OscPacket) -> Vec<u8> {
    rosc::encoder::encode(packet).unwrap()
}

fn s(text: &str) -> OscType {
    OscType::String(text.to_string())
}

/// The one request a packet decodes to, immediate.
fn one(packet: &OscPacket) -> Request {
    let d = decode(&bytes(packet));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    assert_eq!(d.items.len(), 1);
    assert_eq!(d.items[0].time, When::Immediate);
    d.items[0].request.clone()
}

/// The one error a packet decodes to, as text.
fn error(packet: &[u8]) -> DecodeError {
    let d = decode(packet);
    assert!(d.items.is_empty(), "{:?}", d.items);
    assert_eq!(d.errors.len(), 1, "{:?}", d.errors);
    d.errors[0].clone()
}

fn note(track: &str, note: NoteArg, velocity: f32, beats: f32) -> Request {
    Request::Note {
        track: track.into(),
        note,
        velocity,
        beats,
    }
}

#[test]
fn cmd_takes_one_line_or_words() {
    let p = msg("/chronus/cmd", vec![s("tempo 120")]);
    assert_eq!(one(&p), Request::Cmd("tempo 120".into()));
    // Pd and Max send a message box as separate atoms.
    let p = msg(
        "/chronus/cmd",
        vec![
            s("set"),
            s("bass"),
            s("cutoff"),
            OscType::Float(0.5),
            OscType::Int(3),
        ],
    );
    assert_eq!(one(&p), Request::Cmd("set bass cutoff 0.5 3".into()));
    let p = msg(
        "/chronus/cmd",
        vec![s("tempo"), OscType::Double(96.0), OscType::Long(-2)],
    );
    assert_eq!(one(&p), Request::Cmd("tempo 96 -2".into()));
    let p = msg("/chronus/cmd", vec![s("")]);
    assert_eq!(one(&p), Request::Cmd(String::new()));
    let p = msg("/chronus/cmd", vec![s("tempo 120 ♩ ünïcode")]);
    assert_eq!(one(&p), Request::Cmd("tempo 120 ♩ ünïcode".into()));
}

#[test]
fn note_accepts_int_float_and_names() {
    let v = OscType::Float(0.5);
    let b = OscType::Float(1.0);
    let cases = [
        (OscType::Int(60), NoteArg::Midi(60.0)),
        (OscType::Float(60.5), NoteArg::Midi(60.5)),
        (OscType::Long(61), NoteArg::Midi(61.0)),
        (OscType::Double(62.25), NoteArg::Midi(62.25)),
        (s("C4"), NoteArg::Name("C4".into())),
        (s("Eb2"), NoteArg::Name("Eb2".into())),
        (s("F#3"), NoteArg::Name("F#3".into())),
        (s("60"), NoteArg::Midi(60.0)),
        (s(" 63.5 "), NoteArg::Midi(63.5)),
    ];
    for (arg, want) in cases {
        let p = msg("/chronus/note", vec![s("lead"), arg, v.clone(), b.clone()]);
        assert_eq!(one(&p), note("lead", want, 0.5, 1.0));
    }
}

#[test]
fn note_velocity_and_beats_are_optional_and_coerced() {
    let p = msg("/chronus/note", vec![s("bass"), OscType::Int(36)]);
    assert_eq!(
        one(&p),
        note("bass", NoteArg::Midi(36.0), DEFAULT_VELOCITY, DEFAULT_BEATS)
    );
    assert_eq!((DEFAULT_VELOCITY, DEFAULT_BEATS), (0.8, 0.25));
    let p = msg("/chronus/note", vec![s("bass"), s("C2"), OscType::Int(1)]);
    assert_eq!(
        one(&p),
        note("bass", NoteArg::Name("C2".into()), 1.0, DEFAULT_BEATS)
    );
    let p = msg(
        "/chronus/note",
        vec![s("bass"), s("C2"), OscType::Double(0.25), OscType::Int(2)],
    );
    assert_eq!(one(&p), note("bass", NoteArg::Name("C2".into()), 0.25, 2.0));
}

#[test]
fn set_pattern_tempo_status() {
    let p = msg(
        "/chronus/set",
        vec![s("bass"), s("cutoff"), OscType::Float(880.0)],
    );
    let want = Request::Set {
        track: "bass".into(),
        param: "cutoff".into(),
        value: 880.0,
    };
    assert_eq!(one(&p), want);
    let p = msg(
        "/chronus/set",
        vec![s("bass"), s("cutoff"), OscType::Int(880)],
    );
    assert_eq!(one(&p), want);

    let p = msg("/chronus/pattern", vec![s("drums"), s("x... x...")]);
    let want = Request::Pattern {
        track: "drums".into(),
        pattern: "x... x...".into(),
    };
    assert_eq!(one(&p), want);

    assert_eq!(
        one(&msg("/chronus/tempo", vec![OscType::Float(128.5)])),
        Request::Tempo(128.5)
    );
    assert_eq!(
        one(&msg("/chronus/tempo", vec![OscType::Int(90)])),
        Request::Tempo(90.0)
    );
    assert_eq!(one(&msg("/chronus/status", vec![])), Request::Status);
}

#[test]
fn a_message_without_type_tags_has_no_arguments() {
    // OSC 1.0 lets old senders omit the type tag string.
    assert_eq!(
        decode(b"/chronus/status\0").items[0].request,
        Request::Status
    );
}

#[test]
fn every_request_round_trips_through_encode_request() {
    let requests = [
        Request::Cmd("play".into()),
        note("a", NoteArg::Midi(60.0), 0.1, 4.0),
        note("b", NoteArg::Name("Bb-1".into()), 1.0, 0.125),
        Request::Set {
            track: "t".into(),
            param: "p".into(),
            value: -1.5,
        },
        Request::Pattern {
            track: "t".into(),
            pattern: "C2 Eb2 G2 _".into(),
        },
        Request::Tempo(174.0),
        Request::Status,
    ];
    for r in &requests {
        let ours = encode_request(r);
        assert_eq!(decode(&ours).items[0].request, *r);
        // rosc reads what we write.
        assert!(rosc::decoder::decode_udp(&ours).is_ok(), "{r:?}");
    }
}

#[test]
fn wrong_arguments_are_explained_in_type_tags() {
    let cases: Vec<(OscPacket, &str)> = vec![
        (
            msg("/chronus/set", vec![s("a"), s("b"), s("c")]),
            "/chronus/set expects s:track s:param f:value, got s s s",
        ),
        (
            msg("/chronus/set", vec![s("a"), s("b")]),
            "/chronus/set expects s:track s:param f:value, got s s",
        ),
        (
            msg("/chronus/tempo", vec![]),
            "/chronus/tempo expects f:bpm, got no arguments",
        ),
        (
            msg("/chronus/tempo", vec![OscType::Bool(true)]),
            "/chronus/tempo expects f:bpm, got T",
        ),
        (
            msg("/chronus/tempo", vec![OscType::Float(f32::NAN)]),
            "/chronus/tempo expects f:bpm, got f; bpm is not a finite number",
        ),
        (
            msg("/chronus/tempo", vec![OscType::Double(1e300)]),
            "/chronus/tempo expects f:bpm, got d; bpm is not a finite number",
        ),
        (
            msg("/chronus/status", vec![OscType::Int(1)]),
            "/chronus/status expects no arguments, got i",
        ),
        (
            msg("/chronus/cmd", vec![]),
            "/chronus/cmd expects s:line (or several s|i|f words, joined with spaces), got no arguments",
        ),
        (
            msg("/chronus/cmd", vec![OscType::Blob(vec![1, 2, 3])]),
            "/chronus/cmd expects s:line (or several s|i|f words, joined with spaces), got b",
        ),
        (
            msg("/chronus/note", vec![s("bass")]),
            "/chronus/note expects s:track i|f|s:note [f:velocity] [f:beats], got s",
        ),
        (
            msg("/chronus/note", vec![OscType::Int(1), OscType::Int(60)]),
            "/chronus/note expects s:track i|f|s:note [f:velocity] [f:beats], got i i",
        ),
        (
            msg("/chronus/note", vec![s("a"), OscType::Int(60), s("loud")]),
            "/chronus/note expects s:track i|f|s:note [f:velocity] [f:beats], got s i s",
        ),
        (
            msg("/chronus/pattern", vec![s("a"), OscType::Nil]),
            "/chronus/pattern expects s:track s:pattern, got s N",
        ),
    ];
    for (packet, want) in cases {
        let e = error(&bytes(&packet));
        assert!(matches!(e, DecodeError::BadArguments { .. }), "{e:?}");
        assert_eq!(e.to_string(), want);
    }
}

#[test]
fn unknown_addresses_are_named() {
    let e = error(&bytes(&msg("/chronus/tempoo", vec![OscType::Int(1)])));
    assert_eq!(e, DecodeError::UnknownAddress("/chronus/tempoo".into()));
    assert!(e.to_string().contains("/chronus/tempo and /chronus/status"));
    // Our own replies are not requests (so two sessions cannot loop).
    let e = error(&encode_reply("ok"));
    assert_eq!(e, DecodeError::UnknownAddress("/chronus/reply".into()));
}

fn bundle(tag: (u32, u32), content: Vec<OscPacket>) -> OscPacket {
    OscPacket::Bundle(OscBundle {
        timetag: OscTime::from(tag),
        content,
    })
}

fn at(seconds: u32, fraction: u32) -> When {
    When::At(NtpTime { seconds, fraction })
}

fn times(packet: &OscPacket) -> Vec<When> {
    let d = decode(&bytes(packet));
    assert!(d.errors.is_empty(), "{:?}", d.errors);
    d.items.iter().map(|t| t.time).collect()
}

#[test]
fn bundles_carry_their_time_tag() {
    let tempo = msg("/chronus/tempo", vec![OscType::Int(100)]);
    let status = msg("/chronus/status", vec![]);
    let b = bundle((0, 1), vec![tempo.clone(), status.clone()]);
    assert_eq!(times(&b), [When::Immediate, When::Immediate]);
    let b = bundle((0, 0), vec![tempo.clone()]);
    assert_eq!(times(&b), [When::Immediate]);
    let future = (4_000_000_000, 123);
    let b = bundle(future, vec![tempo.clone(), status.clone()]);
    assert_eq!(times(&b), [at(4_000_000_000, 123), at(4_000_000_000, 123)]);
    let d = decode(&bytes(&b));
    assert_eq!(d.items[0].request, Request::Tempo(100.0));
    assert_eq!(d.items[1].request, Request::Status);
    // A past tag is still a time: the session decides what late means.
    let b = bundle((3_000_000_000, 0), vec![status.clone()]);
    assert_eq!(times(&b), [at(3_000_000_000, 0)]);
    // An empty bundle is fine and holds nothing.
    assert_eq!(decode(&bytes(&bundle((0, 1), vec![]))), Default::default());
}

#[test]
fn nested_bundles_use_the_inner_tag_but_never_earlier() {
    let status = msg("/chronus/status", vec![]);
    let outer = (4_000_000_000, 0);
    let later = bundle((4_000_000_005, 7), vec![status.clone()]);
    let earlier = bundle((3_999_999_000, 0), vec![status.clone()]);
    let immediate = bundle((0, 1), vec![status.clone()]);
    let b = bundle(outer, vec![status.clone(), later, earlier, immediate]);
    assert_eq!(
        times(&b),
        [
            at(4_000_000_000, 0),
            at(4_000_000_005, 7),
            at(4_000_000_000, 0),
            at(4_000_000_000, 0)
        ]
    );
    // An immediate outer bundle lets the inner tag through.
    let inner = bundle((4_000_000_001, 0), vec![status.clone()]);
    let b = bundle((0, 1), vec![inner, status.clone()]);
    assert_eq!(times(&b), [at(4_000_000_001, 0), When::Immediate]);
    // Three deep.
    let deep = bundle(
        (4_000_000_001, 0),
        vec![bundle(
            (4_000_000_002, 0),
            vec![bundle((4_000_000_003, 0), vec![status])],
        )],
    );
    assert_eq!(times(&deep), [at(4_000_000_003, 0)]);
}

#[test]
fn a_bad_message_in_a_bundle_does_not_hide_the_good_ones() {
    let b = bundle(
        (0, 1),
        vec![
            msg("/chronus/tempo", vec![OscType::Int(100)]),
            msg("/chronus/set", vec![s("a"), s("b"), s("c")]),
            msg("/nope", vec![]),
            msg("/chronus/status", vec![]),
        ],
    );
    let d = decode(&bytes(&b));
    let requests: Vec<&Request> = d.items.iter().map(|t: &Timed| &t.request).collect();
    assert_eq!(requests, [&Request::Tempo(100.0), &Request::Status]);
    assert!(matches!(d.errors[0], DecodeError::BadArguments { .. }));
    assert_eq!(d.errors[1], DecodeError::UnknownAddress("/nope".into()));
    assert!(d.clone().into_result().is_err());

    // A malformed element (bad type tag) in the middle, with a valid size.
    let mut bad = b"/chronus/tempo\0\0,x\0\0".to_vec();
    bad.extend(1_i32.to_be_bytes());
    let good = encode_request(&Request::Status);
    let mut packet = b"#bundle\0".to_vec();
    packet.extend(1_u64.to_be_bytes());
    for element in [&bad, &good] {
        packet.extend((element.len() as u32).to_be_bytes());
        packet.extend(element);
    }
    let d = decode(&packet);
    assert_eq!(d.items.len(), 1);
    assert_eq!(d.items[0].request, Request::Status);
    assert_eq!(
        d.errors[0].to_string(),
        "malformed OSC: message to /chronus/tempo: argument 1 (x) is not an OSC type tag"
    );
}

#[test]
fn encode_bundle_round_trips() {
    let t = NtpTime {
        seconds: 3_950_000_000,
        fraction: 99,
    };
    let requests = [Request::Tempo(120.0), Request::Cmd("play".into())];
    let d = decode(&encode_bundle(t, &requests));
    assert_eq!(d.items.len(), 2);
    assert!(d.items.iter().all(|i| i.time == When::At(t)));
    let d = decode(&encode_bundle(NtpTime::IMMEDIATELY, &requests));
    assert!(d.items.iter().all(|i| i.time == When::Immediate));
    assert!(rosc::decoder::decode_udp(&encode_bundle(t, &requests)).is_ok());
}
