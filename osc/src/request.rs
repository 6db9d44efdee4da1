//! Typed requests: what each Chronus OSC address means, and why a message
//! to one of them can be refused.

use crate::wire::{tag_name, RawMessage, Value};

/// The OSC addresses Chronus understands, and the one it replies on.
pub mod address {
    /// `/chronus/cmd s:line` — any command line.
    pub const CMD: &str = "/chronus/cmd";
    /// `/chronus/note s:track i|f|s:note [f:velocity] [f:beats]`.
    pub const NOTE: &str = "/chronus/note";
    /// `/chronus/set s:track s:param f:value`.
    pub const SET: &str = "/chronus/set";
    /// `/chronus/pattern s:track s:pattern`.
    pub const PATTERN: &str = "/chronus/pattern";
    /// `/chronus/tempo f:bpm`.
    pub const TEMPO: &str = "/chronus/tempo";
    /// `/chronus/status` (no arguments).
    pub const STATUS: &str = "/chronus/status";
    /// `/chronus/reply s:text` — what Chronus sends back.
    pub const REPLY: &str = "/chronus/reply";
    /// Every address Chronus accepts, in the order the docs list them.
    pub const ALL: [&str; 6] = [CMD, NOTE, SET, PATTERN, TEMPO, STATUS];
}

/// Velocity of a `/chronus/note` that gives none.
pub const DEFAULT_VELOCITY: f32 = 0.8;
/// Length in beats of a `/chronus/note` that gives none.
pub const DEFAULT_BEATS: f32 = 0.25;

/// One decoded request. Decoding checks only the shape of the message;
/// whether the track, parameter or pattern exists is for the session to say.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// `/chronus/cmd`: a command line, exactly as typed at the REPL.
    Cmd(String),
    /// `/chronus/note`: play one note on a track.
    Note {
        /// Track name.
        track: String,
        /// Which note.
        note: NoteArg,
        /// Velocity (default [`DEFAULT_VELOCITY`]).
        velocity: f32,
        /// Length in beats (default [`DEFAULT_BEATS`]).
        beats: f32,
    },
    /// `/chronus/set`: set one parameter of a track.
    Set {
        /// Track name.
        track: String,
        /// Parameter name.
        param: String,
        /// New value.
        value: f32,
    },
    /// `/chronus/pattern`: replace a track's pattern (pattern-language text).
    Pattern {
        /// Track name.
        track: String,
        /// The new pattern, e.g. `"x... x..."` or `"C2 Eb2 G2"`.
        pattern: String,
    },
    /// `/chronus/tempo`: set the tempo in beats per minute.
    Tempo(f32),
    /// `/chronus/status`: ask for the session's status line.
    Status,
}

impl Request {
    /// The OSC address this request arrives on.
    pub fn address(&self) -> &'static str {
        match self {
            Request::Cmd(_) => address::CMD,
            Request::Note { .. } => address::NOTE,
            Request::Set { .. } => address::SET,
            Request::Pattern { .. } => address::PATTERN,
            Request::Tempo(_) => address::TEMPO,
            Request::Status => address::STATUS,
        }
    }

    /// Whether the sender expects a `/chronus/reply` (true for
    /// `/chronus/cmd` and `/chronus/status`).
    pub fn wants_reply(&self) -> bool {
        matches!(self, Request::Cmd(_) | Request::Status)
    }
}

/// The note of a `/chronus/note`.
#[derive(Debug, Clone, PartialEq)]
pub enum NoteArg {
    /// A MIDI note number; fractions are microtonal (60.5 is a quarter tone
    /// above middle C). Sent as `i`, `f`, `h`, `d`, or a string holding a
    /// number (`"60"`).
    Midi(f32),
    /// A note name such as `"C4"` or `"Eb2"`, to be read by the session with
    /// the pattern language's rules (C4 = 60); not checked here.
    Name(String),
}

/// Why a message (or a part of a packet) was not turned into a [`Request`].
///
/// Every variant is counted separately by the server
/// ([`OscStats`](crate::OscStats)), and its `Display` text says, in OSC type
/// tags, what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not valid OSC (empty, cut short, bad padding, an unknown
    /// type tag, a non-UTF-8 address, bundles nested too deep…). Fix the
    /// sender; nothing in this part of the packet was used.
    #[error("malformed OSC: {0}")]
    Malformed(String),
    /// Valid OSC sent to an address Chronus does not have.
    #[error(
        "unknown OSC address {0}; Chronus understands /chronus/cmd, /chronus/note, \
         /chronus/set, /chronus/pattern, /chronus/tempo and /chronus/status"
    )]
    UnknownAddress(String),
    /// A Chronus address with arguments of the wrong number or type.
    #[error("{address} expects {expected}, got {got}")]
    BadArguments {
        /// The address, e.g. `/chronus/set`.
        address: &'static str,
        /// The arguments it takes, e.g. `s:track s:param f:value`.
        expected: &'static str,
        /// What arrived, as type tags (`s s s`, `no arguments`), with the
        /// problem when the tags were right but a value was not (`f; bpm is
        /// not a finite number`).
        got: String,
    },
}

impl DecodeError {
    /// Which of the three classes this error belongs to.
    pub fn kind(&self) -> ErrorKind {
        match self {
            DecodeError::Malformed(_) => ErrorKind::Malformed,
            DecodeError::UnknownAddress(_) => ErrorKind::UnknownAddress,
            DecodeError::BadArguments { .. } => ErrorKind::BadArguments,
        }
    }
}

/// The class of a [`DecodeError`], for counting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// [`DecodeError::Malformed`].
    Malformed,
    /// [`DecodeError::UnknownAddress`].
    UnknownAddress,
    /// [`DecodeError::BadArguments`].
    BadArguments,
}

/// What each address takes, in the words its errors use.
struct Signature {
    address: &'static str,
    expected: &'static str,
}

const CMD: Signature = Signature {
    address: address::CMD,
    expected: "s:line (or several s|i|f words, joined with spaces)",
};
const NOTE: Signature = Signature {
    address: address::NOTE,
    expected: "s:track i|f|s:note [f:velocity] [f:beats]",
};
const SET: Signature = Signature {
    address: address::SET,
    expected: "s:track s:param f:value",
};
const PATTERN: Signature = Signature {
    address: address::PATTERN,
    expected: "s:track s:pattern",
};
const TEMPO: Signature = Signature {
    address: address::TEMPO,
    expected: "f:bpm",
};
const STATUS: Signature = Signature {
    address: address::STATUS,
    expected: "no arguments",
};

/// Turns a structurally valid message into a request.
pub(crate) fn to_request(msg: &RawMessage<'_>) -> Result<Request, DecodeError> {
    match msg.address {
        address::CMD => cmd(msg),
        address::NOTE => note(msg),
        address::SET => {
            let sig = &SET;
            match msg.args[..] {
                [track, param, value] => Ok(Request::Set {
                    track: text(sig, msg, track, "track")?,
                    param: text(sig, msg, param, "param")?,
                    value: number(sig, msg, value, "value")?,
                }),
                _ => Err(bad(sig, msg, None)),
            }
        }
        address::PATTERN => {
            let sig = &PATTERN;
            match msg.args[..] {
                [track, pattern] => Ok(Request::Pattern {
                    track: text(sig, msg, track, "track")?,
                    pattern: text(sig, msg, pattern, "pattern")?,
                }),
                _ => Err(bad(sig, msg, None)),
            }
        }
        address::TEMPO => match msg.args[..] {
            [bpm] => Ok(Request::Tempo(number(&TEMPO, msg, bpm, "bpm")?)),
            _ => Err(bad(&TEMPO, msg, None)),
        },
        address::STATUS if msg.args.is_empty() => Ok(Request::Status),
        address::STATUS => Err(bad(&STATUS, msg, None)),
        other => Err(DecodeError::UnknownAddress(other.to_string())),
    }
}

fn cmd(msg: &RawMessage<'_>) -> Result<Request, DecodeError> {
    let sig = &CMD;
    if msg.args.is_empty() {
        return Err(bad(sig, msg, None));
    }
    let mut line = String::new();
    for (i, &arg) in msg.args.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        match arg {
            Value::Str(bytes) => match std::str::from_utf8(bytes) {
                Ok(s) => line.push_str(s),
                Err(_) => return Err(bad(sig, msg, Some("the line is not valid UTF-8 text"))),
            },
            Value::Int(v) => line.push_str(&v.to_string()),
            Value::Long(v) => line.push_str(&v.to_string()),
            Value::Float(v) => line.push_str(&v.to_string()),
            Value::Double(v) => line.push_str(&v.to_string()),
            Value::Other => return Err(bad(sig, msg, None)),
        }
    }
    Ok(Request::Cmd(line))
}

fn note(msg: &RawMessage<'_>) -> Result<Request, DecodeError> {
    let sig = &NOTE;
    let (track, note, velocity, beats) = match msg.args[..] {
        [t, n] => (t, n, None, None),
        [t, n, v] => (t, n, Some(v), None),
        [t, n, v, b] => (t, n, Some(v), Some(b)),
        _ => return Err(bad(sig, msg, None)),
    };
    let track = text(sig, msg, track, "track")?;
    let note = match note {
        Value::Str(_) => {
            let name = text(sig, msg, note, "note")?;
            match name.trim().parse::<f32>() {
                Ok(n) if n.is_finite() => NoteArg::Midi(n),
                _ => NoteArg::Name(name),
            }
        }
        _ => NoteArg::Midi(number(sig, msg, note, "note")?),
    };
    let velocity = match velocity {
        Some(v) => number(sig, msg, v, "velocity")?,
        None => DEFAULT_VELOCITY,
    };
    let beats = match beats {
        Some(b) => number(sig, msg, b, "beats")?,
        None => DEFAULT_BEATS,
    };
    Ok(Request::Note {
        track,
        note,
        velocity,
        beats,
    })
}

/// A string argument as UTF-8 text.
fn text(
    sig: &Signature,
    msg: &RawMessage<'_>,
    value: Value<'_>,
    name: &str,
) -> Result<String, DecodeError> {
    match value {
        Value::Str(bytes) => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => Err(bad_owned(
                sig,
                msg,
                format!("{name} is not valid UTF-8 text"),
            )),
        },
        _ => Err(bad(sig, msg, None)),
    }
}

/// A number argument: `f`, `i`, `h` or `d`, finite, as f32.
fn number(
    sig: &Signature,
    msg: &RawMessage<'_>,
    value: Value<'_>,
    name: &str,
) -> Result<f32, DecodeError> {
    let n = match value {
        Value::Float(v) => v,
        Value::Int(v) => v as f32,
        Value::Long(v) => v as f32,
        Value::Double(v) => v as f32,
        Value::Str(_) | Value::Other => return Err(bad(sig, msg, None)),
    };
    if n.is_finite() {
        Ok(n)
    } else {
        Err(bad_owned(
            sig,
            msg,
            format!("{name} is not a finite number"),
        ))
    }
}

/// What arrived, as space-separated type tags.
fn got(msg: &RawMessage<'_>) -> String {
    if msg.tags.is_empty() {
        return "no arguments".to_string();
    }
    let tags: Vec<String> = msg.tags.iter().map(|&t| tag_name(t)).collect();
    tags.join(" ")
}

fn bad(sig: &Signature, msg: &RawMessage<'_>, problem: Option<&str>) -> DecodeError {
    bad_owned(sig, msg, problem.map(str::to_string).unwrap_or_default())
}

fn bad_owned(sig: &Signature, msg: &RawMessage<'_>, problem: String) -> DecodeError {
    let mut got = got(msg);
    if !problem.is_empty() {
        got.push_str("; ");
        got.push_str(&problem);
    }
    DecodeError::BadArguments {
        address: sig.address,
        expected: sig.expected,
        got,
    }
}
