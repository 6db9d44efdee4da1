//! The OSC 1.0 byte format: reading messages and bundles without trusting
//! the input, and writing the few packets Chronus sends.
//!
//! Reading never panics and never recurses without bound: every length is
//! checked against the bytes that are left, and bundles nest at most
//! [`MAX_BUNDLE_DEPTH`] deep. It is lenient where senders differ: padding
//! bytes are not checked, bytes after a message's last argument are ignored,
//! and a message without a type tag string (allowed by OSC 1.0 for old
//! senders) has no arguments.

use crate::time::{NtpTime, When};

/// How deep bundles may nest inside one another.
pub(crate) const MAX_BUNDLE_DEPTH: usize = 8;

/// The 8 bytes every bundle starts with.
pub(crate) const BUNDLE_TAG: &[u8; 8] = b"#bundle\0";

/// One argument of a message, as far as Chronus cares about its value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Value<'a> {
    /// `i` (int32).
    Int(i32),
    /// `h` (int64).
    Long(i64),
    /// `f` (float32).
    Float(f32),
    /// `d` (float64).
    Double(f64),
    /// `s` or `S`: the raw bytes, not yet checked for UTF-8.
    Str(&'a [u8]),
    /// Any other well-formed argument (`b`, `t`, `c`, `r`, `m`, `T`, `F`,
    /// `N`, `I`, `[`, `]`); only its tag matters.
    Other,
}

/// A message whose structure is valid OSC.
#[derive(Debug)]
pub(crate) struct RawMessage<'a> {
    /// The address, e.g. `/chronus/cmd`.
    pub(crate) address: &'a str,
    /// The type tags without the leading comma (empty for no arguments).
    pub(crate) tags: &'a [u8],
    /// One value per tag.
    pub(crate) args: Vec<Value<'a>>,
}

/// Reads big-endian OSC fields from a byte slice, checking every length.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0 }
    }

    fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    fn word(&mut self) -> Option<[u8; 4]> {
        self.take(4)?.try_into().ok()
    }

    fn dword(&mut self) -> Option<[u8; 8]> {
        self.take(8)?.try_into().ok()
    }

    /// A NUL-terminated string padded to a multiple of 4 bytes. The padding
    /// bytes are not checked (some senders leave garbage there).
    fn string(&mut self) -> Option<&'a [u8]> {
        let rest = self.bytes.get(self.pos..)?;
        let len = rest.iter().position(|&b| b == 0)?;
        let padded = (len + 4) & !3;
        self.take(padded)?.get(..len)
    }

    /// A blob: an int32 size, then that many bytes padded to 4.
    fn blob(&mut self) -> Option<&'a [u8]> {
        let len = u32::from_be_bytes(self.word()?) as usize;
        let padded = len.checked_add(3)? & !3;
        self.take(padded)?.get(..len)
    }
}

/// Shows a type tag byte the way a user would write it.
pub(crate) fn tag_name(tag: u8) -> String {
    if tag.is_ascii_graphic() {
        char::from(tag).to_string()
    } else {
        format!("byte 0x{tag:02x}")
    }
}

/// Parses one message. The caller has checked that `bytes` starts with `/`.
pub(crate) fn parse_message(bytes: &[u8]) -> Result<RawMessage<'_>, String> {
    let mut r = Reader::new(bytes);
    let address = r
        .string()
        .ok_or_else(|| "the address is not NUL-terminated and padded to 4 bytes".to_string())?;
    let address = std::str::from_utf8(address)
        .map_err(|_| "the address is not valid UTF-8 text".to_string())?;
    // OSC 1.0 allows old senders to omit the type tag string entirely.
    if r.at_end() {
        return Ok(RawMessage {
            address,
            tags: &[],
            args: Vec::new(),
        });
    }
    let tags = r.string().ok_or_else(|| {
        format!("message to {address} has a type tag string that is not NUL-terminated")
    })?;
    let Some((&b',', tags)) = tags.split_first() else {
        return Err(format!(
            "message to {address} has no type tag string (it must start with ',')"
        ));
    };
    let mut args = Vec::with_capacity(tags.len());
    for (i, &tag) in tags.iter().enumerate() {
        let value = read_arg(&mut r, tag).map_err(|problem| {
            format!(
                "message to {address}: argument {} ({}) {problem}",
                i + 1,
                tag_name(tag)
            )
        })?;
        args.push(value);
    }
    Ok(RawMessage {
        address,
        tags,
        args,
    })
}

fn read_arg<'a>(r: &mut Reader<'a>, tag: u8) -> Result<Value<'a>, &'static str> {
    const SHORT: &str = "is cut short";
    let value = match tag {
        b'i' => Value::Int(i32::from_be_bytes(r.word().ok_or(SHORT)?)),
        b'f' => Value::Float(f32::from_be_bytes(r.word().ok_or(SHORT)?)),
        b'h' => Value::Long(i64::from_be_bytes(r.dword().ok_or(SHORT)?)),
        b'd' => Value::Double(f64::from_be_bytes(r.dword().ok_or(SHORT)?)),
        b's' | b'S' => Value::Str(r.string().ok_or("is not a NUL-terminated string")?),
        b'b' => r.blob().map(|_| Value::Other).ok_or(SHORT)?,
        b't' => r.dword().map(|_| Value::Other).ok_or(SHORT)?,
        b'c' | b'r' | b'm' => r.word().map(|_| Value::Other).ok_or(SHORT)?,
        b'T' | b'F' | b'N' | b'I' | b'[' | b']' => Value::Other,
        _ => return Err("is not an OSC type tag"),
    };
    Ok(value)
}

/// One element found while walking a packet.
#[derive(Debug)]
pub(crate) enum Element<'a> {
    /// A message's bytes and the time tag that applies to it (`None` outside
    /// any bundle).
    Message(&'a [u8], Option<NtpTime>),
    /// A part of the packet that is not valid OSC, and why.
    Malformed(String),
}

/// Walks a whole packet, calling `visit` for every message (in order) and for
/// every part that cannot be read. A bad element inside a bundle does not
/// hide the elements after it, as long as its size field could be read.
pub(crate) fn walk_packet<'a>(bytes: &'a [u8], visit: &mut dyn FnMut(Element<'a>)) {
    walk(bytes, None, 0, visit);
}

fn walk<'a>(
    bytes: &'a [u8],
    outer: Option<NtpTime>,
    depth: usize,
    visit: &mut dyn FnMut(Element<'a>),
) {
    match bytes.first() {
        None => visit(Element::Malformed(if depth == 0 {
            "the packet is empty".to_string()
        } else {
            "a bundle contains an empty element".to_string()
        })),
        Some(b'/') => visit(Element::Message(bytes, outer)),
        Some(b'#') if bytes.starts_with(BUNDLE_TAG) => {
            if depth >= MAX_BUNDLE_DEPTH {
                visit(Element::Malformed(format!(
                    "bundles are nested more than {MAX_BUNDLE_DEPTH} deep"
                )));
                return;
            }
            walk_bundle(bytes, outer, depth, visit);
        }
        Some(_) => visit(Element::Malformed(if depth == 0 {
            "not an OSC packet: it must start with '/' (a message) or '#bundle'".to_string()
        } else {
            "a bundle element is neither a message ('/...') nor a bundle".to_string()
        })),
    }
}

fn walk_bundle<'a>(
    bytes: &'a [u8],
    outer: Option<NtpTime>,
    depth: usize,
    visit: &mut dyn FnMut(Element<'a>),
) {
    let mut r = Reader::new(bytes);
    let _ = r.take(BUNDLE_TAG.len());
    let Some(tag) = r.dword() else {
        visit(Element::Malformed(
            "the bundle is cut short in its time tag".to_string(),
        ));
        return;
    };
    let tag = NtpTime::from_bits(u64::from_be_bytes(tag));
    while !r.at_end() {
        let Some(size) = r.word() else {
            visit(Element::Malformed(
                "a bundle element's size is cut short".to_string(),
            ));
            return;
        };
        let size = u32::from_be_bytes(size) as usize;
        let Some(element) = r.take(size) else {
            visit(Element::Malformed(format!(
                "a bundle element claims {size} bytes but only {} are left",
                bytes.len() - r.pos
            )));
            return;
        };
        walk(element, Some(tag_after(outer, tag)), depth + 1, visit);
    }
}

/// The time tag that applies inside a bundle tagged `inner` that sits in a
/// bundle whose effective tag is `outer`: the inner one, never earlier.
fn tag_after(outer: Option<NtpTime>, inner: NtpTime) -> NtpTime {
    let outer = outer.map_or(When::Immediate, When::from_tag);
    match outer.later_of(When::from_tag(inner)) {
        When::Immediate => NtpTime::IMMEDIATELY,
        When::At(t) => t,
    }
}

/// Builds OSC messages (only the argument types Chronus sends).
pub(crate) struct MessageWriter {
    tags: Vec<u8>,
    data: Vec<u8>,
    address: Vec<u8>,
}

/// Appends an OSC string: the bytes, a NUL, and padding to 4. NUL bytes
/// inside `s` would end the string early, so they are left out.
fn push_string(out: &mut Vec<u8>, s: &[u8]) {
    out.extend(s.iter().copied().filter(|&b| b != 0));
    let pad = 4 - out.len() % 4;
    out.extend(std::iter::repeat_n(0, pad));
}

impl MessageWriter {
    pub(crate) fn new(address: &str) -> Self {
        MessageWriter {
            tags: vec![b','],
            data: Vec::new(),
            address: address.as_bytes().to_vec(),
        }
    }

    pub(crate) fn string(mut self, s: &str) -> Self {
        self.tags.push(b's');
        push_string(&mut self.data, s.as_bytes());
        self
    }

    pub(crate) fn float(mut self, f: f32) -> Self {
        self.tags.push(b'f');
        self.data.extend(f.to_be_bytes());
        self
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(self.address.len() + self.tags.len() + self.data.len() + 8);
        push_string(&mut out, &self.address);
        push_string(&mut out, &self.tags);
        out.extend(self.data);
        out
    }
}

/// Wraps already-encoded messages in one bundle with time tag `tag`.
pub(crate) fn bundle(tag: NtpTime, elements: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(16 + elements.iter().map(|e| e.len() + 4).sum::<usize>());
    out.extend(BUNDLE_TAG);
    out.extend(tag.to_bits().to_be_bytes());
    for element in elements {
        out.extend((element.len() as u32).to_be_bytes());
        out.extend(element);
    }
    out
}
