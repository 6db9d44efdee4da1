//! `chronus mcp` driven by the official MCP Python SDK (installed, pinned,
//! by scripts/test.sh; `CHRONUS_MCP_PYTHON` names its Python): a real
//! session on the null backend, played as an agent would play it.

mod common;

use common::child::{chronus, free_udp_port};
use common::pty::PtyChild;
use common::Scratch;
use std::process::Command;
use std::time::Duration;

/// The Python that has the MCP SDK, or `None` (the test is skipped, unless
/// CHRONUS_REQUIRE_SERVERS=1 says everything must run).
fn python() -> Option<String> {
    let found = std::env::var("CHRONUS_MCP_PYTHON").ok();
    if found.is_none() {
        let required = std::env::var("CHRONUS_REQUIRE_SERVERS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "CHRONUS_MCP_PYTHON is not set: scripts/test.sh installs the MCP client"
        );
        eprintln!("skipped: CHRONUS_MCP_PYTHON is not set (run scripts/test.sh)");
    }
    found
}

#[test]
fn an_agent_plays_a_whole_groove_over_mcp() {
    let Some(python) = python() else {
        return;
    };
    let dir = Scratch::new("mcp-groove");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp_client.py");
    let out = Command::new(&python)
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_chronus"))
        .args(["mcp", "--backend", "null", "--osc-port", "0", "--patches"])
        .arg(dir.dir.join("patches"))
        .current_dir(&dir.dir)
        .output()
        .expect("python runs");
    let transcript = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!("{transcript}");
    assert!(
        out.status.success(),
        "the MCP client failed: {stderr}\n{transcript}"
    );
    for want in [
        "< server chronus",
        "tools/call preview",
        "integrated_lufs",
        "tapping",
        "image/png 1200x600",
        "save patch groove",
        "tool error: error:",
        "< closed",
    ] {
        assert!(transcript.contains(want), "no {want:?} in the transcript");
    }
    assert!(dir.dir.join("patches").join("groove.yaml").is_file());
    let looks = std::fs::read_dir(dir.dir.join("looks")).map_or(0, Iterator::count);
    assert_eq!(looks, 2, "two pictures under looks/");
}

/// A person at the REPL (a real pty) and an agent over MCP attached by OSC
/// play one session at once: each gets its own replies, and the history
/// names who made each edit.
#[test]
fn a_person_and_an_agent_play_one_session() {
    let Some(python) = python() else {
        return;
    };
    let dir = Scratch::new("mcp-together");
    let port = free_udp_port().to_string();
    let wait = Duration::from_secs(20);
    let mut term = PtyChild::spawn(
        chronus(),
        &["live", "--backend", "null", "--osc-port", &port],
        &dir.dir,
    );
    term.expect("chronus> ", wait);
    term.type_line(
        "create kick freq=55 decay=0.25 click=0; sequence kick: x...x...x...x...; play kick",
    );
    term.expect("ok ", wait);
    term.expect("chronus> ", wait);
    let agent = {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/mcp_together.py");
        let mut c = Command::new(&python);
        c.arg(script)
            .arg(chronus())
            .args(["mcp", "--attach", &port, "--folder"])
            .arg(&dir.dir)
            .current_dir(&dir.dir);
        std::thread::spawn(move || c.output().expect("python runs"))
    };
    // The person plays on while the agent works.
    std::thread::sleep(Duration::from_secs(2));
    term.type_line("set kick gain=-2");
    term.expect("ok set kick", wait);
    term.expect("chronus> ", wait);
    let out = agent.join().expect("the agent's thread");
    let transcript = String::from_utf8_lossy(&out.stdout);
    println!("{transcript}");
    assert!(
        out.status.success(),
        "the MCP client failed: {}\n{transcript}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        "tools/call listen",
        "note_name",
        "image/png 1200x600",
        "tty: create kick",
    ] {
        assert!(transcript.contains(want), "no {want:?} in the transcript");
    }
    term.type_line("history 20");
    let shown = term.expect("chronus> ", wait);
    println!("{shown}");
    assert!(shown.contains("tty: set kick gain=-2"), "{shown}");
    assert!(shown.contains(": create bass synth"), "{shown}");
    // The agent's replies went to the agent, not to the person's terminal.
    let screen = term.screen();
    assert!(!screen.contains("ok create bass"), "{screen}");
    assert!(!screen.contains("nobody"), "{screen}");
    term.type_line("quit");
    term.expect("ok quit", wait);
    let status = term.wait_within(wait);
    assert!(status.success(), "exit {status}");
}
