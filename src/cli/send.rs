//! `chronus send "COMMAND"`: one command line to a running session over OSC;
//! prints its reply. Exit status 0 for `ok`, 2 for an error reply, 1 when no
//! session answers.

use super::{Failure, EXIT_BAD_INPUT, EXIT_FAILURE};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// Arguments of `chronus send`.
#[derive(clap::Args)]
pub struct SendArgs {
    /// The command line (quote it).
    command: String,
    /// The session's OSC port.
    #[arg(long, default_value_t = super::live::DEFAULT_OSC_PORT)]
    port: u16,
    /// The session's address.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Print the reply as one JSON object.
    #[arg(long)]
    json: bool,
}

/// The bar and frame a reply names (`from bar 17 (frame 1566720)`, `at
/// frame 820`), as `chronus live --json` gives them.
fn where_it_lands(text: &str) -> Option<(Option<u64>, u64)> {
    let number_after = |key: &str| -> Option<u64> {
        let i = text.rfind(key)? + key.len();
        let digits: String = text[i..].chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    };
    let frame = number_after("(frame ").or_else(|| number_after("at frame "))?;
    Some((number_after("from bar "), frame))
}

/// Send the line and print the reply.
pub fn run(args: &SendArgs) -> Result<(), Failure> {
    let to = SocketAddr::new(args.host, args.port);
    let reply =
        chronus::osc::send_command(to, &args.command, Duration::from_secs(1)).map_err(|e| {
            Failure {
                code: EXIT_FAILURE,
                message: e.to_string(),
            }
        })?;
    let ok = reply.starts_with("ok");
    if args.json {
        let text = reply
            .strip_prefix("ok ")
            .or_else(|| reply.strip_prefix("error: "))
            .unwrap_or(if ok { "" } else { &reply });
        let mut v = serde_json::json!({ "ok": ok, "reply": text });
        if let Some((bar, frame)) = where_it_lands(text) {
            if let Some(b) = bar {
                v["bar"] = b.into();
            }
            v["frame"] = frame.into();
        }
        println!("{v}");
    } else {
        println!("{reply}");
    }
    if ok {
        Ok(())
    } else {
        Err(Failure {
            code: EXIT_BAD_INPUT,
            message: String::new(),
        })
    }
}
