#![doc = include_str!("../README.md")]
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod client;
mod decode;
mod encode;
mod request;
mod server;
mod sockopt;
mod time;
mod wire;

pub use client::send_command;
pub use decode::{decode, Decoded, Timed};
pub use encode::{decode_reply, encode_bundle, encode_reply, encode_request, MAX_REPLY_BYTES};
pub use request::{
    address, DecodeError, ErrorKind, NoteArg, Request, DEFAULT_BEATS, DEFAULT_VELOCITY,
};
pub use server::{is_loopback, Incoming, OscServer, OscStats, RECV_BUFFER_BYTES};
pub use time::{ntp_now, NtpTime, When};

use std::net::SocketAddr;
use std::time::Duration;

/// What can go wrong running the server or sending a command.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OscError {
    /// The server could not bind its address. Usually the port is taken (by
    /// another Chronus session or another OSC program): choose another port,
    /// or stop the other program. Retrying the same port only helps once the
    /// other program has exited.
    #[error("cannot listen for OSC on {addr}: {source} (is another program using the port? choose another one)")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The OS's reason.
        source: std::io::Error,
    },
    /// No reply came in time. Check that a session is running with OSC on
    /// that port; a retry helps if the session was only busy.
    #[error("no Chronus session answered at {to} within {} ms (is one running with OSC on that port?)", .timeout.as_millis())]
    Timeout {
        /// Where the command went.
        to: SocketAddr,
        /// How long we waited.
        timeout: Duration,
    },
    /// The OS reported that nothing listens on that port: start a session
    /// with OSC enabled, or check the port number.
    #[error("nothing is listening for OSC at {to} (start a Chronus session with OSC enabled, or check the port)")]
    NoListener {
        /// Where the command went.
        to: SocketAddr,
    },
    /// Some other socket or thread operation failed; `what` says which.
    #[error("cannot {what}: {source}")]
    Io {
        /// What was being done, e.g. "send the command".
        what: &'static str,
        /// The OS's reason.
        source: std::io::Error,
    },
}
