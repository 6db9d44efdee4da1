//! `chronus mcp` driven by the official MCP Python SDK (installed, pinned,
//! by scripts/test.sh; `CHRONUS_MCP_PYTHON` names its Python): a real
//! session on the null backend, played as an agent would play it.

mod common;

use common::Scratch;
use std::process::Command;

#[test]
fn an_agent_plays_a_whole_groove_over_mcp() {
    let Ok(python) = std::env::var("CHRONUS_MCP_PYTHON") else {
        let required = std::env::var("CHRONUS_REQUIRE_SERVERS").is_ok_and(|v| v == "1");
        assert!(
            !required,
            "CHRONUS_MCP_PYTHON is not set: scripts/test.sh installs the MCP client"
        );
        eprintln!("skipped: CHRONUS_MCP_PYTHON is not set (run scripts/test.sh)");
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
