//! Hostile input: random bytes, truncations, wrong tags, non-UTF-8. Nothing
//! panics, every packet yields at least one item or error, and each error
//! lands in the right class.

use chronus_osc::{
    decode, encode_bundle, encode_request, DecodeError, ErrorKind, NoteArg, NtpTime, Request,
};

/// A deterministic xorshift64 generator.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Whether a packet is bundles holding nothing but (empty) bundles: valid
/// OSC that carries no message, the only packet that decodes to nothing.
fn empty_bundles(p: &[u8]) -> bool {
    if !p.starts_with(b"#bundle\0") || p.len() < 16 {
        return false;
    }
    let mut rest = &p[16..];
    while !rest.is_empty() {
        let Some(size) = rest.get(..4) else {
            return false;
        };
        let size = u32::from_be_bytes([size[0], size[1], size[2], size[3]]) as usize;
        let Some(element) = rest.get(4..4 + size) else {
            return false;
        };
        if !empty_bundles(element) {
            return false;
        }
        rest = &rest[4 + size..];
    }
    true
}

fn kinds(packet: &[u8]) -> Vec<ErrorKind> {
    let d = decode(packet);
    assert!(
        !d.items.is_empty() || !d.errors.is_empty() || empty_bundles(packet),
        "a packet vanished without a trace: {packet:?}"
    );
    d.errors.iter().map(DecodeError::kind).collect()
}

fn valid_packets() -> Vec<Vec<u8>> {
    let requests = [
        Request::Cmd("tempo 120".into()),
        Request::Note {
            track: "bass".into(),
            note: NoteArg::Name("Eb2".into()),
            velocity: 0.7,
            beats: 0.5,
        },
        Request::Set {
            track: "lead".into(),
            param: "cutoff".into(),
            value: 1000.0,
        },
        Request::Pattern {
            track: "drums".into(),
            pattern: "x... x...".into(),
        },
        Request::Tempo(128.0),
        Request::Status,
    ];
    let mut out: Vec<Vec<u8>> = requests.iter().map(encode_request).collect();
    out.push(encode_bundle(
        NtpTime {
            seconds: 4_000_000_000,
            fraction: 0,
        },
        &requests,
    ));
    let inner = encode_bundle(NtpTime::IMMEDIATELY, &requests[..2]);
    let mut nested = b"#bundle\0".to_vec();
    nested.extend(1_u64.to_be_bytes());
    nested.extend((inner.len() as u32).to_be_bytes());
    nested.extend(&inner);
    out.push(nested);
    out
}

#[test]
fn ten_thousand_random_packets_are_malformed_and_harmless() {
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    let mut malformed = 0;
    for _ in 0..10_000 {
        let len = rng.below(300);
        let mut packet = rng.bytes(len);
        // Keep random packets from looking like OSC by chance.
        if let Some(first) = packet.first_mut() {
            if *first == b'/' || *first == b'#' {
                *first = b'x';
            }
        }
        let k = kinds(&packet);
        assert_eq!(k, [ErrorKind::Malformed], "{packet:?}");
        malformed += 1;
    }
    assert_eq!(malformed, 10_000);
}

#[test]
fn random_bytes_behind_osc_headers_never_panic() {
    let mut rng = XorShift(12345);
    let heads: [&[u8]; 4] = [
        b"/chronus/note\0\0\0",
        b"/chronus/cmd\0\0\0\0,",
        b"#bundle\0",
        b"#bundle\0\0\0\0\0\0\0\0\x01\0\0\0\x10#bundle\0",
    ];
    for i in 0..10_000 {
        let mut packet = heads[i % heads.len()].to_vec();
        let len = rng.below(200);
        packet.extend(rng.bytes(len));
        kinds(&packet);
    }
}

#[test]
fn mutated_valid_packets_never_panic() {
    let mut rng = XorShift(777);
    let valid = valid_packets();
    for i in 0..10_000 {
        let mut packet = valid[i % valid.len()].clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(packet.len());
            packet[at] = rng.next() as u8;
        }
        kinds(&packet);
    }
}

#[test]
fn every_truncation_of_a_valid_packet_is_malformed() {
    for packet in valid_packets() {
        let whole = decode(&packet);
        assert!(whole.errors.is_empty(), "{:?}", whole.errors);
        // OSC 1.0 lets old senders leave out the type tags, so a message cut
        // right after its address is a message without arguments.
        let address_end = packet.iter().position(|&b| b == 0).map(|n| (n + 4) & !3);
        for cut in 0..packet.len() {
            if packet[0] == b'/' && Some(cut) == address_end {
                continue;
            }
            let d = decode(&packet[..cut]);
            assert!(
                d.errors.iter().any(|e| e.kind() == ErrorKind::Malformed)
                    || d.items.len() < whole.items.len(),
                "cut at {cut} of {} went unnoticed",
                packet.len()
            );
            // A message cut anywhere else is malformed, never half-read.
            if packet[0] == b'/' && cut > 0 {
                assert_eq!(kinds(&packet[..cut]), [ErrorKind::Malformed], "cut {cut}");
            }
        }
    }
}

#[test]
fn the_empty_packet_is_malformed() {
    let d = decode(&[]);
    assert_eq!(
        d.errors,
        [DecodeError::Malformed("the packet is empty".into())]
    );
}

#[test]
fn wrong_type_tags_are_classified() {
    // Valid OSC, wrong arguments: BadArguments.
    let mut p = b"/chronus/tempo\0\0,s\0\0".to_vec();
    p.extend(b"fast\0\0\0\0");
    assert_eq!(kinds(&p), [ErrorKind::BadArguments]);
    // An unknown type tag: the message cannot be read, so it is Malformed.
    let mut p = b"/chronus/tempo\0\0,q\0\0".to_vec();
    p.extend(1_i32.to_be_bytes());
    let d = decode(&p);
    assert_eq!(
        d.errors[0].to_string(),
        "malformed OSC: message to /chronus/tempo: argument 1 (q) is not an OSC type tag"
    );
    // Type tags that claim more data than there is.
    let p = b"/chronus/set\0\0\0\0,ssf\0\0\0\0a\0\0\0b\0\0\0".to_vec();
    let d = decode(&p);
    assert_eq!(
        d.errors[0].to_string(),
        "malformed OSC: message to /chronus/set: argument 3 (f) is cut short"
    );
    // No comma.
    assert_eq!(kinds(b"/chronus/status\0s\0\0\0"), [ErrorKind::Malformed]);
    // A non-printable tag is shown as a byte.
    let d = decode(b"/chronus/status\0,\x01\0\0");
    assert!(d.errors[0].to_string().contains("argument 1 (byte 0x01)"));
}

#[test]
fn non_utf8_strings_are_classified() {
    // In the address: the message cannot be read at all.
    let d = decode(b"/chr\xffnus\0\0\0\0,\0\0\0");
    assert_eq!(
        d.errors,
        [DecodeError::Malformed(
            "the address is not valid UTF-8 text".into()
        )]
    );
    // In an argument of a Chronus address: wrong arguments.
    let d = decode(b"/chronus/cmd\0\0\0\0,s\0\0tempo \xff\0\0");
    assert_eq!(
        d.errors[0].to_string(),
        "/chronus/cmd expects s:line (or several s|i|f words, joined with spaces), \
         got s; the line is not valid UTF-8 text"
    );
    let d = decode(b"/chronus/pattern\0\0\0\0,ss\0a\0\0\0\xc3\x28\0\0");
    assert_eq!(
        d.errors[0].to_string(),
        "/chronus/pattern expects s:track s:pattern, got s s; pattern is not valid UTF-8 text"
    );
    // In an argument of an unknown address: unknown address.
    assert_eq!(
        kinds(b"/what\0\0\0,s\0\0\xff\0\0\0"),
        [ErrorKind::UnknownAddress]
    );
}

#[test]
fn hostile_bundles_are_classified() {
    // Cut in the time tag.
    assert_eq!(kinds(b"#bundle\0\0\0\0\x01"), [ErrorKind::Malformed]);
    // An element that claims more bytes than exist.
    let mut p = b"#bundle\0\0\0\0\0\0\0\0\x01".to_vec();
    p.extend(u32::MAX.to_be_bytes());
    p.extend(b"/chronus/status\0");
    assert_eq!(kinds(&p), [ErrorKind::Malformed]);
    // A zero-size element, then a good one.
    let good = encode_request(&Request::Status);
    let mut p = b"#bundle\0\0\0\0\0\0\0\0\x01\0\0\0\0".to_vec();
    p.extend((good.len() as u32).to_be_bytes());
    p.extend(&good);
    let d = decode(&p);
    assert_eq!(d.items.len(), 1);
    assert_eq!(d.errors[0].kind(), ErrorKind::Malformed);
    // "#bundl" is not a bundle.
    assert_eq!(kinds(b"#bundl\0\0"), [ErrorKind::Malformed]);
    // Deep nesting is refused, not followed to a stack overflow.
    let mut p = encode_request(&Request::Status);
    for _ in 0..5_000 {
        let mut outer = b"#bundle\0\0\0\0\0\0\0\0\x01".to_vec();
        outer.extend((p.len() as u32).to_be_bytes());
        outer.extend(&p);
        p = outer;
    }
    let d = decode(&p);
    assert!(d.items.is_empty());
    assert_eq!(
        d.errors,
        [DecodeError::Malformed(
            "bundles are nested more than 8 deep".into()
        )]
    );
}
