//! An MCP server over stdio that lets an AI agent play a Chronus session.
//!
//! The crate knows nothing of the session's internals: it reaches the session
//! through a [`Link`], which runs one command line and returns its reply
//! (in the same process, or a running `chronus live` over OSC). On top of it,
//! [`serve_stdio`] offers the Model Context Protocol on stdin and stdout:
//!
//! - tools: `command` (any command line), `status`, `help`, `listen`,
//!   `preview`, `look` (the picture comes back as a PNG image), `render`,
//!   `save_patch`, `load_patch`, `undo` and `history`;
//! - resources: each document given to [`serve_stdio`], as
//!   `chronus://docs/NAME` (`text/markdown`).
//!
//! Every argument is checked before anything is sent, so a tool call can
//! never slip a second command (a `;`) into the line it builds. A refused
//! argument, and an `error: ...` reply of the session, come back as a tool
//! error (`isError: true`) whose text is the one line a person would see,
//! starting with `error: `.
//!
//! ```no_run
//! use std::path::PathBuf;
//! use std::sync::Arc;
//! use chronus_mcp::{Answer, Link};
//!
//! struct Echo;
//!
//! impl Link for Echo {
//!     fn line(&self, text: &str) -> Answer {
//!         Answer { ok: true, text: format!("ok {text}") }
//!     }
//!     fn folder(&self) -> PathBuf {
//!         std::env::temp_dir()
//!     }
//! }
//!
//! fn main() -> Result<(), chronus_mcp::McpError> {
//!     let docs = vec![("commands".into(), "Commands".into(), "# Commands\n".into())];
//!     chronus_mcp::serve_stdio(Arc::new(Echo), docs)
//! }
//! ```

#![warn(missing_docs)]

mod checks;
mod describe;
mod error;
mod looks;
mod resources;
mod server;
mod tools;

use std::path::PathBuf;
use std::sync::Arc;

pub use error::McpError;

/// One reply of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// Whether the line was carried out (`ok ...`) rather than refused
    /// (`error: ...`).
    pub ok: bool,
    /// The reply as the session prints it to a person: one line such as
    /// `ok created kick` or `error: no instrument named kick`, or the JSON
    /// report of `listen --json` and `preview --json`.
    pub text: String,
}

/// How the server reaches a session (in the same process, or a running
/// `chronus live` over OSC).
///
/// An in-process session must not write to stdout: stdout carries the MCP
/// messages.
pub trait Link: Send + Sync + 'static {
    /// Run one command line and return its reply (blocking is fine: the
    /// server calls it via `tokio::task::spawn_blocking`, one line at a time,
    /// in the order the calls arrive).
    fn line(&self, text: &str) -> Answer;
    /// The folder the session may write to (look pictures, renders),
    /// absolute.
    fn folder(&self) -> PathBuf;
}

/// Serve MCP over stdin/stdout until the client closes; `docs` are
/// (name, title, markdown text) served as resources `chronus://docs/NAME`.
///
/// Runs its own current-thread Tokio runtime, so call it from plain
/// (non-async) code. A line that is already running when the client closes
/// is waited for (its reply goes nowhere); lines still queued then are not
/// run.
///
/// # Errors
///
/// [`McpError`] when the runtime cannot start, the client breaks off before
/// the MCP handshake is complete, or the connection ends abnormally. A
/// client that simply closes stdin ends the serving with `Ok(())`.
pub fn serve_stdio(
    link: Arc<dyn Link>,
    docs: Vec<(String, String, String)>,
) -> Result<(), McpError> {
    server::serve_stdio(link, docs)
}
