//! `chronus mcp`: the session for an AI agent, over the Model Context
//! Protocol on stdin and stdout. Either its own session (the arguments of
//! `chronus live`; stdout carries MCP, so the session's messages go to
//! stderr), or `--attach PORT`: a running `chronus live`, reached over OSC,
//! which a person plays from its terminal at the same time.

use super::live::LiveArgs;
use super::{Failure, EXIT_FAILURE};
use chronus::live::live_session::Input;
use chronus::live::AudioClock;
use chronus_mcp::{Answer, Link};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

/// How long a tool call waits for the session's reply (a preview of many
/// bars renders first).
const PATIENCE: Duration = Duration::from_secs(60);

/// Arguments of `chronus mcp`.
#[derive(clap::Args)]
pub struct McpArgs {
    /// Attach to the `chronus live` listening for OSC on this port (on this
    /// machine) instead of starting a session.
    #[arg(long, value_name = "PORT")]
    attach: Option<u16>,
    /// The folder pictures and renders go to when attached (the live
    /// session's folder: where its patches/ folder is).
    #[arg(long, value_name = "DIR", requires = "attach", default_value = ".")]
    folder: PathBuf,
    /// The session's own arguments (as `chronus live`'s).
    #[command(flatten)]
    live: LiveArgs,
}

/// The docs an agent can read, as MCP resources.
pub fn docs() -> Vec<(String, String, String)> {
    let doc = |name: &str, title: &str, text: &str| (name.into(), title.into(), text.into());
    vec![
        doc(
            "agents",
            "Playing Chronus as an agent",
            include_str!("../../docs/agents.md"),
        ),
        doc(
            "commands",
            "The command language",
            include_str!("../../docs/commands.md"),
        ),
        doc("songs", "Song files", include_str!("../../docs/songs.md")),
        doc(
            "modules",
            "Modules of your own",
            include_str!("../../docs/modules.md"),
        ),
    ]
}

/// A session in this process, reached through its input channel.
struct Local {
    inputs: Mutex<mpsc::Sender<Input>>,
    clock: AudioClock,
    folder: PathBuf,
}

impl Link for Local {
    fn line(&self, text: &str) -> Answer {
        let (back, reply) = mpsc::channel();
        let input = Input::Line {
            text: text.to_string(),
            at: Some(self.clock.immediate()),
            reply: Some(back),
            who: "mcp".into(),
        };
        let sent = self
            .inputs
            .lock()
            .map(|tx| tx.send(input).is_ok())
            .unwrap_or(false);
        if !sent {
            return Answer {
                ok: false,
                text: "error: the session has ended".into(),
            };
        }
        match reply.recv_timeout(PATIENCE) {
            Ok(r) => Answer {
                ok: r.ok,
                text: r.line(),
            },
            Err(_) => Answer {
                ok: false,
                text: "error: the session did not answer in time".into(),
            },
        }
    }

    fn folder(&self) -> PathBuf {
        self.folder.clone()
    }
}

/// A running `chronus live`, over OSC.
struct Remote {
    to: SocketAddr,
    folder: PathBuf,
}

impl Link for Remote {
    fn line(&self, text: &str) -> Answer {
        match chronus::osc::send_command(self.to, text, PATIENCE) {
            Ok(reply) => Answer {
                ok: reply.starts_with("ok"),
                text: reply,
            },
            Err(e) => Answer {
                ok: false,
                text: format!("error: {e}"),
            },
        }
    }

    fn folder(&self) -> PathBuf {
        self.folder.clone()
    }
}

fn absolute(p: &std::path::Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

/// Serve MCP.
pub fn run(args: &McpArgs) -> Result<(), Failure> {
    let failed = |e: chronus_mcp::McpError| Failure {
        code: EXIT_FAILURE,
        message: e.to_string(),
    };
    if let Some(port) = args.attach {
        let link = Remote {
            to: SocketAddr::from(([127, 0, 0, 1], port)),
            folder: absolute(&args.folder),
        };
        eprintln!("chronus mcp: attached to the session on OSC port {port}");
        return chronus_mcp::serve_stdio(Arc::new(link), docs()).map_err(failed);
    }
    let folder = absolute(
        args.live
            .patches
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new(".")),
    );
    super::live::run_with(
        &args.live,
        super::live::Front::Mcp(Box::new(move |inputs, clock| {
            let link = Local {
                inputs: Mutex::new(inputs.clone()),
                clock,
                folder,
            };
            if let Err(e) = chronus_mcp::serve_stdio(Arc::new(link), docs()) {
                eprintln!("chronus mcp: {e}");
            }
            // The client has gone: so does the session.
            let _ = inputs.send(Input::End);
        })),
    )
}
