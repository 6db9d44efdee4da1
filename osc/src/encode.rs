//! Requests and replies to packets.

use crate::request::{address, DecodeError, NoteArg, Request};
use crate::time::NtpTime;
use crate::wire::{bundle, parse_message, MessageWriter, Value};

/// The longest reply text, in bytes, that [`encode_reply`] sends whole; it
/// keeps the datagram under the 65,507-byte UDP limit.
pub const MAX_REPLY_BYTES: usize = 65_000;

/// Encodes a `/chronus/reply s:text` message.
///
/// Text longer than [`MAX_REPLY_BYTES`] is cut at a character boundary and
/// ends with `…`; NUL characters (which OSC strings cannot hold) are left out.
///
/// ```
/// let packet = chronus_osc::encode_reply("ok tempo 120");
/// assert_eq!(chronus_osc::decode_reply(&packet).unwrap(), "ok tempo 120");
/// ```
pub fn encode_reply(text: &str) -> Vec<u8> {
    let message = MessageWriter::new(address::REPLY);
    if text.len() <= MAX_REPLY_BYTES {
        return message.string(text).finish();
    }
    let mut cut = MAX_REPLY_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let mut short = String::with_capacity(cut + 3);
    short.push_str(&text[..cut]);
    short.push('…');
    message.string(&short).finish()
}

/// Reads the text of a `/chronus/reply s:text` packet.
///
/// # Errors
///
/// [`DecodeError::Malformed`] if the packet is not an OSC message,
/// [`DecodeError::UnknownAddress`] if it is some other message, and
/// [`DecodeError::BadArguments`] if its argument is not one UTF-8 string.
///
/// ```
/// use chronus_osc::{decode_reply, encode_request, Request};
/// assert!(decode_reply(&encode_request(&Request::Status)).is_err());
/// ```
pub fn decode_reply(packet: &[u8]) -> Result<String, DecodeError> {
    if packet.first() != Some(&b'/') {
        return Err(DecodeError::Malformed(
            "a reply must be a single OSC message".to_string(),
        ));
    }
    let msg = parse_message(packet).map_err(DecodeError::Malformed)?;
    if msg.address != address::REPLY {
        return Err(DecodeError::UnknownAddress(msg.address.to_string()));
    }
    let bad = |got: &str| DecodeError::BadArguments {
        address: address::REPLY,
        expected: "s:text",
        got: got.to_string(),
    };
    match msg.args[..] {
        [Value::Str(bytes)] => std::str::from_utf8(bytes)
            .map(str::to_string)
            .map_err(|_| bad("s; text is not valid UTF-8")),
        _ => Err(bad(&String::from_utf8_lossy(msg.tags))),
    }
}

/// Encodes one request as the OSC message Chronus would decode back to it.
///
/// `/chronus/note` is always sent with all four arguments; a
/// [`NoteArg::Midi`] goes as `f`, a [`NoteArg::Name`] as `s`.
///
/// ```
/// use chronus_osc::{decode, encode_request, NoteArg, Request};
/// let note = Request::Note {
///     track: "bass".into(),
///     note: NoteArg::Name("Eb2".into()),
///     velocity: 0.9,
///     beats: 0.5,
/// };
/// assert_eq!(decode(&encode_request(&note)).items[0].request, note);
/// ```
pub fn encode_request(request: &Request) -> Vec<u8> {
    let m = MessageWriter::new(request.address());
    match request {
        Request::Cmd(line) => m.string(line),
        Request::Note {
            track,
            note,
            velocity,
            beats,
        } => {
            let m = m.string(track);
            let m = match note {
                NoteArg::Midi(n) => m.float(*n),
                NoteArg::Name(name) => m.string(name),
            };
            m.float(*velocity).float(*beats)
        }
        Request::Set {
            track,
            param,
            value,
        } => m.string(track).string(param).float(*value),
        Request::Pattern { track, pattern } => m.string(track).string(pattern),
        Request::Tempo(bpm) => m.float(*bpm),
        Request::Status => m,
    }
    .finish()
}

/// Encodes requests as one bundle with time tag `at`, so that they take
/// effect together (use [`NtpTime::IMMEDIATELY`] for "now").
///
/// ```
/// use chronus_osc::{decode, encode_bundle, NtpTime, Request, When};
/// let at = NtpTime { seconds: 4_000_000_000, fraction: 0 };
/// let packet = encode_bundle(at, &[Request::Tempo(90.0), Request::Status]);
/// let items = decode(&packet).items;
/// assert_eq!(items.len(), 2);
/// assert!(items.iter().all(|t| t.time == When::At(at)));
/// ```
pub fn encode_bundle(at: NtpTime, requests: &[Request]) -> Vec<u8> {
    let messages: Vec<Vec<u8>> = requests.iter().map(encode_request).collect();
    bundle(at, &messages)
}
