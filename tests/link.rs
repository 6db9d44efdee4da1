//! `tempo follow link` with a real Ableton Link peer in this process
//! (only with `--features link`: `cargo test --features link --test link`).
#![cfg(feature = "link")]

mod common;

use common::child::Child;
use rusty_link::{AblLink, SessionState};
use std::time::Duration;

fn field(status: &str, after: &str) -> f64 {
    status
        .split(after)
        .nth(1)
        .and_then(|s| s.split([' ', ',']).next())
        .and_then(|s| s.trim_start_matches('+').parse().ok())
        .unwrap_or_else(|| panic!("no {after:?} in {status}"))
}

fn set_tempo(peer: &AblLink, bpm: f64) {
    let mut st = SessionState::new();
    peer.capture_app_session_state(&mut st);
    st.set_tempo(bpm, peer.clock_micros());
    peer.commit_app_session_state(&st);
}

/// The status once the session plays at `bpm` with its bars on Link's
/// (a phase correction takes a bar); at most 12 s.
fn settled(s: &mut Child, bpm: &str) -> String {
    let start = std::time::Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let status = s.ok("status");
        let offset = field(&status, "phase offset ");
        if status.contains(&format!(", {bpm} BPM,")) && offset.abs() < 0.02 {
            return status;
        }
        assert!(
            start.elapsed() < Duration::from_secs(12),
            "not settled: {status}"
        );
    }
}

#[test]
fn the_session_joins_a_link_peer_and_follows_its_tempo_and_bar_phase() {
    let peer = AblLink::new(97.0);
    peer.enable(true);
    let dir = common::Scratch::new("link");
    let mut s = Child::spawn(&dir.dir, &["live", "--backend", "null", "--osc-port", "0"]);
    s.ok("create kick; pattern kick: x x x x; play kick");
    let r = s.ok("tempo follow link");
    assert!(r.contains("joined the Ableton Link session"), "{r}");
    // When two peers meet, Link keeps one tempo (either may win): the peer
    // sets 97 once they see each other, as a player turning the knob.
    let start = std::time::Instant::now();
    while peer.num_peers() == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the peers never met"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    set_tempo(&peer, 97.0);
    let status = settled(&mut s, "97");
    assert!(
        status.contains("following Link: 97.00 BPM, 1 peer,"),
        "{status}"
    );
    // The peer changes the tempo: followed.
    set_tempo(&peer, 123.0);
    let status = settled(&mut s, "123");
    assert!(status.contains("following Link: 123.00 BPM"), "{status}");
    eprintln!("{status}");
    s.ok("tempo follow off");
    s.ok("quit");
}
