//! Packets to timed requests.

use crate::request::{to_request, DecodeError, Request};
use crate::time::When;
use crate::wire::{parse_message, walk_packet, Element};

/// A request and when it should take effect.
#[derive(Debug, Clone, PartialEq)]
pub struct Timed {
    /// What to do.
    pub request: Request,
    /// When to do it.
    pub time: When,
}

/// Everything one packet held: the requests that decoded, in packet order,
/// and an error for every message (or unreadable part) that did not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decoded {
    /// The good requests.
    pub items: Vec<Timed>,
    /// What went wrong with the rest.
    pub errors: Vec<DecodeError>,
}

impl Decoded {
    /// All or nothing: the requests if every part of the packet decoded,
    /// otherwise the first error.
    ///
    /// # Errors
    ///
    /// The first [`DecodeError`] found in the packet, if any.
    ///
    /// ```
    /// let packet = chronus_osc::encode_reply("hi"); // not a request
    /// let err = chronus_osc::decode(&packet).into_result().unwrap_err();
    /// assert!(err.to_string().starts_with("unknown OSC address /chronus/reply"));
    /// ```
    pub fn into_result(self) -> Result<Vec<Timed>, DecodeError> {
        match self.errors.into_iter().next() {
            Some(first) => Err(first),
            None => Ok(self.items),
        }
    }
}

/// Decodes one UDP packet (a message or a bundle) into timed requests.
///
/// Never panics, whatever the bytes. A bundle with one bad message still
/// yields its good ones; each bad message adds a [`DecodeError`] to
/// [`Decoded::errors`]. Every packet yields at least one item or one error,
/// except a bundle that holds no messages (valid, and empty).
///
/// Times: a plain message, a bundle tagged "immediately" (0, 1) or an unset
/// tag (0, 0) is [`When::Immediate`]; any other bundle tag is
/// [`When::At`], past or future. In nested bundles the innermost tag applies,
/// but never earlier than the enclosing bundle's (OSC 1.0 requires inner tags
/// to be no earlier; Chronus clamps those that are).
///
/// Use [`Decoded::into_result`] for all-or-nothing decoding. Decoding
/// allocates (strings, vectors): call it off the audio thread.
///
/// ```
/// use chronus_osc::{decode, encode_request, Request, When};
///
/// let packet = encode_request(&Request::Tempo(128.0));
/// let decoded = decode(&packet);
/// assert_eq!(decoded.items[0].request, Request::Tempo(128.0));
/// assert_eq!(decoded.items[0].time, When::Immediate);
/// assert!(decoded.errors.is_empty());
///
/// assert_eq!(decode(b"garbage!").errors.len(), 1);
/// ```
pub fn decode(packet: &[u8]) -> Decoded {
    let mut out = Decoded::default();
    walk_packet(packet, &mut |element| match element {
        Element::Malformed(why) => out.errors.push(DecodeError::Malformed(why)),
        Element::Message(bytes, tag) => {
            let result = parse_message(bytes)
                .map_err(DecodeError::Malformed)
                .and_then(|msg| to_request(&msg));
            match result {
                Ok(request) => out.items.push(Timed {
                    request,
                    time: tag.map_or(When::Immediate, When::from_tag),
                }),
                Err(e) => out.errors.push(e),
            }
        }
    });
    out
}
