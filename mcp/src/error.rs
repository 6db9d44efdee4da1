//! The crate's typed error.

use std::fmt;

/// Why [`serve_stdio`](crate::serve_stdio) stopped with an error.
///
/// Its `Display` is one line, fit for `error: {e}`.
#[derive(Debug)]
#[non_exhaustive]
pub enum McpError {
    /// The Tokio runtime could not be started.
    Runtime(std::io::Error),
    /// The client broke off, or sent something else, before the MCP
    /// handshake was complete.
    Handshake(String),
    /// The connection task ended abnormally (it panicked or was aborted).
    Connection(String),
}

impl fmt::Display for McpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Runtime(e) => write!(
                f,
                "cannot start the MCP server: {}",
                one_line(&e.to_string())
            ),
            Self::Handshake(why) => write!(f, "MCP handshake failed: {}", one_line(why)),
            Self::Connection(why) => write!(f, "MCP connection failed: {}", one_line(why)),
        }
    }
}

impl std::error::Error for McpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Runtime(e) => Some(e),
            Self::Handshake(_) | Self::Connection(_) => None,
        }
    }
}

/// `text` on one line: line breaks and other control characters become
/// spaces, runs of whitespace one space.
pub(crate) fn one_line(text: &str) -> String {
    let spaced: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_one_line() {
        let e = McpError::Handshake("connection closed:\ninitialize request\r\n".into());
        assert_eq!(
            e.to_string(),
            "MCP handshake failed: connection closed: initialize request"
        );
        let e = McpError::Runtime(std::io::Error::other("no\nthreads"));
        assert_eq!(e.to_string(), "cannot start the MCP server: no threads");
        assert!(std::error::Error::source(&e).is_some());
        let e = McpError::Connection("task panicked".into());
        assert_eq!(e.to_string(), "MCP connection failed: task panicked");
    }
}
