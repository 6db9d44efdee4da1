//! `chronus live --midi`: what a new user sees about MIDI on a machine with
//! no ALSA sequencer (this one has no /dev/snd), on the null backend and on
//! JACK, where the port `chronus:midi_in` is the way in.

mod common;

use common::child::Child;
use std::time::Duration;

#[test]
fn without_an_alsa_sequencer_midi_says_why_and_the_session_plays_on() {
    if std::path::Path::new("/dev/snd/seq").exists() {
        eprintln!("skipped: this machine has an ALSA sequencer");
        return;
    }
    let dir = common::Scratch::new("cli-midi");
    let mut s = Child::spawn(
        &dir.dir,
        &[
            "live",
            "--backend",
            "null",
            "--osc-port",
            "0",
            "--midi",
            "keystation",
        ],
    );
    let said = s.stderr_line("midi: no ALSA sequencer here", Duration::from_secs(20));
    assert!(
        said.contains("/dev/snd/seq") && said.contains("ALSA MIDI devices are off"),
        "{said}"
    );
    let ports = s.ok("midi ports");
    assert!(ports.contains("ALSA: no ALSA sequencer here"), "{ports}");
    assert!(!ports.contains("JACK input"), "{ports}");
    s.ok("create bass synth; midi bass channel 3");
    let m = s.ok("midi");
    assert!(
        m.contains("bass (channel 3, bend 2)") && m.contains("MIDI in: 0 messages"),
        "{m}"
    );
    let e = s.error("midi bass channel 0");
    assert!(
        e.contains("column 19: expected a MIDI channel 1..16 (or all), got '0'"),
        "{e}"
    );
    let h = s.ok("help map");
    assert!(
        h.contains("map cc N|aftertouch NAME.PARAM [MIN MAX]"),
        "{h}"
    );
    s.ok("quit");
    assert!(s.wait_within(Duration::from_secs(10)).success());
}

#[test]
fn on_jack_midi_ports_names_the_jack_input() {
    if std::env::var_os("JACK_DEFAULT_SERVER").is_none() {
        let required = std::env::var("CHRONUS_REQUIRE_SERVERS").is_ok_and(|v| v == "1");
        assert!(!required, "the private JACK server is not running");
        eprintln!("skipped: no private JACK server");
        return;
    }
    let dir = common::Scratch::new("cli-midi-jack");
    let name = format!("chronus-ports-{}", std::process::id());
    let mut s = Child::spawn(
        &dir.dir,
        &[
            "live",
            "--backend",
            "jack",
            "--no-connect",
            "--client-name",
            &name,
            "--osc-port",
            "0",
        ],
    );
    let ports = s.ok("midi ports");
    assert!(
        ports.contains(&format!("JACK input {name}:midi_in (frame-exact")),
        "{ports}"
    );
    s.ok("quit");
    assert!(s.wait_within(Duration::from_secs(10)).success());
}
