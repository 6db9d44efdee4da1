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

/// rmcp's refusal of arguments that do not fit a tool's schema (serde's
/// words: `failed to deserialize parameters: invalid type: string "two",
/// expected i64`) in the user's terms, without Rust's type names.
pub(crate) fn plain_arguments(text: &str) -> String {
    let Some(rest) = text.strip_prefix("failed to deserialize parameters: ") else {
        return text.to_string();
    };
    let mut out = rest
        .replace("invalid type: string", "got the text")
        .replace("invalid type: integer", "got the number")
        .replace("invalid type: floating point", "got the number")
        .replace("invalid type: boolean", "got")
        .replace("invalid type: map", "got an object")
        .replace("invalid type: sequence", "got a list")
        .replace("invalid value: integer", "got the number");
    for (rust, plain) in [
        ("expected i64", "expected a whole number"),
        ("expected u64", "expected a whole number"),
        ("expected i32", "expected a whole number"),
        ("expected u32", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
        ("expected a string", "expected text"),
        ("expected a boolean", "expected true or false"),
    ] {
        out = out.replace(rust, plain);
    }
    out = out.replace("missing field `", "missing the argument `");
    out = out.replace("unknown field `", "no argument called `");
    format!("the arguments do not fit the tool: {out}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argument_errors_use_no_rust_type_names() {
        let said = plain_arguments(
            "failed to deserialize parameters: invalid type: string \"two\", expected i64",
        );
        assert_eq!(
            said,
            "the arguments do not fit the tool: got the text \"two\", expected a whole number"
        );
        let said = plain_arguments("failed to deserialize parameters: missing field `line`");
        assert_eq!(
            said,
            "the arguments do not fit the tool: missing the argument `line`"
        );
        assert_eq!(plain_arguments("no instrument"), "no instrument");
    }

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
