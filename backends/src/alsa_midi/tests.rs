//! The input bookkeeping over a fake MIDI system: what is opened, what is
//! reported, what comes back.

use super::*;
use std::sync::{Arc, Mutex};

/// A MIDI system whose inputs the test sets; each open input's sink is
/// kept so the test can play into it.
#[derive(Clone, Default)]
struct Fake {
    names: Arc<Mutex<Vec<String>>>,
    sinks: Arc<Mutex<Vec<(String, Sink)>>>,
    refuse: Arc<Mutex<Vec<String>>>,
    virtual_ok: bool,
    sent: Got,
}

struct Handle(String, Arc<Mutex<Vec<(String, Sink)>>>);

impl Drop for Handle {
    fn drop(&mut self) {
        self.1.lock().unwrap().retain(|(n, _)| *n != self.0);
    }
}

impl MidiSystem for Fake {
    fn inputs(&mut self) -> Result<Vec<String>, String> {
        Ok(self.names.lock().unwrap().clone())
    }
    fn open(&mut self, name: &str, sink: Sink) -> Result<Box<dyn Send>, String> {
        if self.refuse.lock().unwrap().iter().any(|r| r == name) {
            return Err("busy".into());
        }
        self.sinks.lock().unwrap().push((name.to_string(), sink));
        Ok(Box::new(Handle(name.to_string(), Arc::clone(&self.sinks))))
    }
    fn open_virtual_output(&mut self, name: &str) -> Result<Sender, String> {
        let sent = Arc::clone(&self.sent);
        let name = name.to_string();
        Ok(Box::new(move |bytes: &[u8]| {
            sent.lock().unwrap().push((name.clone(), bytes.to_vec()));
            Ok(())
        }))
    }
    fn open_virtual(&mut self, name: &str, sink: Sink) -> Result<Box<dyn Send>, String> {
        if !self.virtual_ok {
            return Err("no sequencer".into());
        }
        self.sinks
            .lock()
            .unwrap()
            .push((format!("virtual {name}"), sink));
        Ok(Box::new(()))
    }
}

type Got = Arc<Mutex<Vec<(String, Vec<u8>)>>>;

fn rig(names: &[&str], pattern: Option<&str>) -> (Fake, Inputs, Vec<String>, Got) {
    let fake = Fake {
        virtual_ok: true,
        ..Fake::default()
    };
    *fake.names.lock().unwrap() = names.iter().map(|s| s.to_string()).collect();
    let got: Got = Arc::default();
    let g = Arc::clone(&got);
    let make: Box<dyn FnMut(&str) -> Sink + Send> = Box::new(move |name: &str| {
        let (g, name) = (Arc::clone(&g), name.to_string());
        Box::new(move |bytes: &[u8]| g.lock().unwrap().push((name.clone(), bytes.to_vec())))
    });
    let (inputs, said) = Inputs::new(Box::new(fake.clone()), pattern, "chronus", make);
    (fake, inputs, said, got)
}

fn open_names(fake: &Fake) -> Vec<String> {
    let mut n: Vec<String> = fake
        .sinks
        .lock()
        .unwrap()
        .iter()
        .map(|s| s.0.clone())
        .collect();
    n.sort();
    n
}

#[test]
fn matching_inputs_open_and_the_virtual_port_is_offered() {
    let (fake, inputs, said, _) = rig(
        &[
            "Keystation 49:Keystation MIDI 1 20:0",
            "Midi Through:Port-0 14:0",
            "nanoKONTROL2:CTRL 24:0",
        ],
        Some("key"),
    );
    assert_eq!(
        open_names(&fake),
        vec!["Keystation 49:Keystation MIDI 1 20:0", "virtual chronus"]
    );
    assert!(
        said.iter()
            .any(|l| l.contains("opened input 'Keystation 49:Keystation MIDI 1'")),
        "{said:?}"
    );
    let d = inputs.describe();
    assert!(
        d.contains(
            "Keystation 49:Keystation MIDI 1 (open), Midi Through:Port-0, nanoKONTROL2:CTRL"
        ),
        "{d}"
    );
    assert!(d.contains("virtual input 'chronus' open"), "{d}");
}

#[test]
fn without_a_pattern_only_the_virtual_port_opens() {
    let (fake, _, said, _) = rig(&["Keystation 20:0"], None);
    assert_eq!(open_names(&fake), vec!["virtual chronus"]);
    assert_eq!(said.len(), 1, "{said:?}");
}

#[test]
fn a_vanished_input_is_reported_and_reopened_by_name_when_back() {
    let (fake, mut inputs, _, got) = rig(&["Keystation 49:MIDI 1 20:0"], Some("*keystation*"));
    // It plays into its sink.
    for (name, sink) in fake.sinks.lock().unwrap().iter_mut() {
        if name.starts_with("Key") {
            sink(&[0x90, 60, 100]);
        }
    }
    assert_eq!(
        got.lock().unwrap()[0],
        ("Keystation 49:MIDI 1".to_string(), vec![0x90, 60, 100])
    );
    fake.names.lock().unwrap().clear();
    let said = inputs.poll();
    assert_eq!(
        said,
        vec![
            "midi: input 'Keystation 49:MIDI 1' disappeared; it is opened again when it comes back"
        ]
    );
    assert_eq!(open_names(&fake), vec!["virtual chronus"], "closed");
    assert!(inputs
        .describe()
        .contains("waiting for Keystation 49:MIDI 1"));
    assert!(inputs.poll().is_empty(), "said once");
    // Plugged in again, at another ALSA client number.
    fake.names
        .lock()
        .unwrap()
        .push("Keystation 49:MIDI 1 28:0".into());
    let said = inputs.poll();
    assert_eq!(
        said,
        vec!["midi: input 'Keystation 49:MIDI 1' is back and open again"]
    );
    assert_eq!(
        open_names(&fake),
        vec!["Keystation 49:MIDI 1 28:0", "virtual chronus"]
    );
    assert!(inputs.poll().is_empty());
}

#[test]
fn an_input_that_fails_to_open_is_reported_once_and_retried() {
    let fake = Fake {
        virtual_ok: false,
        ..Fake::default()
    };
    fake.names.lock().unwrap().push("Pads 20:0".into());
    fake.refuse.lock().unwrap().push("Pads 20:0".into());
    let make: Box<dyn FnMut(&str) -> Sink + Send> = Box::new(|_| Box::new(|_: &[u8]| {}));
    let (mut inputs, said) = Inputs::new(Box::new(fake.clone()), Some("pads"), "chronus", make);
    assert!(
        said[0].contains("cannot offer a virtual input 'chronus': no sequencer"),
        "{said:?}"
    );
    assert!(
        said[1].contains("cannot open input 'Pads': busy (trying again)"),
        "{said:?}"
    );
    assert!(inputs.poll().is_empty(), "reported once");
    fake.refuse.lock().unwrap().clear();
    assert_eq!(inputs.poll(), vec!["midi: opened input 'Pads'"]);
}

#[test]
fn our_own_ports_are_never_opened_as_inputs() {
    let (fake, _inputs, said, _) = rig(&["chronus:chronus 128:0", "Keys 20:0"], Some("*"));
    assert_eq!(said.len(), 2, "{said:?}");
    assert_eq!(open_names(&fake), vec!["Keys 20:0", "virtual chronus"]);
}

#[test]
fn the_virtual_output_sends_through_the_system() {
    let (fake, mut inputs, _, _) = rig(&[], None);
    let mut send = inputs.open_output("chronus").unwrap();
    send(&[0xF8]).unwrap();
    send(&[0x90, 60, 100]).unwrap();
    assert_eq!(
        *fake.sent.lock().unwrap(),
        vec![
            ("chronus".to_string(), vec![0xF8]),
            ("chronus".to_string(), vec![0x90, 60, 100])
        ]
    );
}

#[test]
fn names_and_patterns() {
    assert_eq!(
        identity("Keystation 49:Keystation MIDI 1 20:0"),
        "Keystation 49:Keystation MIDI 1"
    );
    assert_eq!(identity("Port 1"), "Port 1");
    assert_eq!(identity("a b:c"), "a b:c");
    assert!(matches("KEY", "Keystation"));
    assert!(matches("*station*", "Keystation 49"));
    assert!(matches("key*49", "Keystation 49"));
    assert!(!matches("key*48", "Keystation 49"));
    assert!(matches("*", "anything"));
    assert!(!matches("nano", "Keystation"));
}

#[test]
fn alsa_without_a_sequencer_says_so() {
    // This machine has no /dev/snd: the real system must refuse cleanly.
    if std::path::Path::new("/dev/snd/seq").exists() {
        return;
    }
    let e = Alsa::new("chronus-test").err().expect("no sequencer here");
    assert!(
        e.contains("no ALSA sequencer here") && e.contains("/dev/snd/seq"),
        "{e}"
    );
}
