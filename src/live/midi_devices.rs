//! MIDI devices for a live session: ALSA inputs (and the virtual input
//! `chronus`) feeding the engine's MIDI inbox, polled for devices that come
//! and go, and the `midi ports` line.
//!
//! Each input's bytes are parsed on its midir thread and stamped with the
//! audio clock's [`AudioClock::immediate`] frame (one period after their
//! arrival, as an OSC note without a time tag); the engine routes them at
//! that frame. JACK MIDI does not come this way: the JACK backend hands its
//! port's events to the engine inside the period, frame-exact.

use super::AudioClock;
use crate::engine::midi::{MidiCounters, Timed};
use crate::engine::midi_out::OutMessage;
use chronus_backends::alsa_midi::{Alsa, Inputs, MidiSystem, Sender, Sink};
use chronus_midi::Parser;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the inputs are looked at for devices that came or went.
pub const POLL: Duration = Duration::from_millis(500);

/// The inbox every input's sink pushes into.
pub type Inbox = Arc<Mutex<Option<rtrb::Producer<Timed>>>>;

/// What the engine sends out, for the ALSA output (taken once).
pub type Outbox = Arc<Mutex<Option<rtrb::Consumer<OutMessage>>>>;

/// Send what arrives on `ring` through `send` until `stop`; returns the
/// count sent. Messages go out as they are rendered: about one period
/// before they are heard (JACK's port is frame-exact, this is not).
pub fn pump_output(
    mut ring: rtrb::Consumer<OutMessage>,
    mut send: Sender,
    stop: &AtomicBool,
    mut say: impl FnMut(&str),
) -> u64 {
    let mut sent = 0u64;
    let mut failed = false;
    while !stop.load(Ordering::Acquire) {
        let mut any = false;
        while let Ok((_, bytes, len)) = ring.pop() {
            any = true;
            match send(&bytes[..usize::from(len.clamp(1, 3))]) {
                Ok(()) => sent += 1,
                Err(e) if !failed => {
                    failed = true;
                    say(&format!("midi: cannot send to the ALSA output: {e}"));
                }
                Err(_) => {}
            }
        }
        if !any {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    sent
}

/// A sink that parses an input's messages and sends them to `inbox`,
/// stamped one period ahead on `clock`; malformed input is counted in
/// `counters`.
pub fn sink(inbox: Inbox, clock: AudioClock, counters: Option<Arc<MidiCounters>>) -> Sink {
    let mut parser = Parser::new();
    let mut seen = (0u64, 0u64);
    Box::new(move |bytes: &[u8]| {
        let frame = clock.immediate();
        let mut guard = inbox.lock().unwrap_or_else(|e| e.into_inner());
        parser.push_event(bytes, |message| {
            if let Some(p) = guard.as_mut() {
                // A full inbox (the audio side stopped): dropped.
                let _ = p.push(Timed { frame, message });
            }
        });
        drop(guard);
        let s = parser.stats();
        if let Some(c) = &counters {
            c.add_bad(s.bad() - seen.0, s.sysex - seen.1);
        }
        seen = (s.bad(), s.sysex);
    })
}

/// The session's MIDI devices; dropping it closes them.
pub struct Devices {
    inputs: Option<Arc<Mutex<Inputs>>>,
    /// Why there are none (no ALSA sequencer).
    missing: Option<String>,
    /// The JACK port, when the backend is JACK.
    jack_port: Option<String>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    output: Option<std::thread::JoinHandle<u64>>,
    output_open: bool,
}

impl Devices {
    /// Open the ALSA inputs matching `pattern` (and the virtual input
    /// `chronus`) on `system` (ALSA when `None`), feeding `inbox`; lines to
    /// report go to `say` (now and from the polling thread).
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        system: Option<Box<dyn MidiSystem>>,
        pattern: Option<&str>,
        inbox: Inbox,
        outbox: Outbox,
        clock: AudioClock,
        counters: Option<Arc<MidiCounters>>,
        jack_port: Option<String>,
        say: impl Fn(&str) + Send + Sync + 'static,
    ) -> Devices {
        let system = match system {
            Some(s) => Ok(s),
            None => Alsa::new("chronus").map(|a| Box::new(a) as Box<dyn MidiSystem>),
        };
        let stop = Arc::new(AtomicBool::new(false));
        let system = match system {
            Ok(s) => s,
            Err(e) => {
                if pattern.is_some() {
                    say(&format!("midi: {e}"));
                }
                return Devices {
                    inputs: None,
                    missing: Some(e),
                    jack_port,
                    stop,
                    thread: None,
                    output: None,
                    output_open: false,
                };
            }
        };
        let make =
            Box::new(move |_name: &str| sink(Arc::clone(&inbox), clock.clone(), counters.clone()));
        let (mut inputs, said) = Inputs::new(system, pattern, "chronus", make);
        for line in said {
            say(&line);
        }
        let say = Arc::new(say);
        let ring = outbox.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut output = None;
        if let Some(ring) = ring {
            match inputs.open_output("chronus") {
                Ok(send) => {
                    say("midi: virtual output 'chronus' is open (midi out and midi clock go there too)");
                    let (stop, say) = (Arc::clone(&stop), Arc::clone(&say));
                    output = std::thread::Builder::new()
                        .name("chronus-midi-out".into())
                        .spawn(move || pump_output(ring, send, &stop, |l| say(l)))
                        .ok();
                }
                Err(e) => say(&format!(
                    "midi: cannot offer a virtual output 'chronus': {e}"
                )),
            }
        }
        let output_open = output.is_some();
        let inputs = Arc::new(Mutex::new(inputs));
        let (poll_inputs, poll_stop) = (Arc::clone(&inputs), Arc::clone(&stop));
        let thread = std::thread::Builder::new()
            .name("chronus-midi".into())
            .spawn(move || {
                while !poll_stop.load(Ordering::Acquire) {
                    std::thread::sleep(POLL);
                    let said = poll_inputs.lock().unwrap_or_else(|e| e.into_inner()).poll();
                    for line in said {
                        say(&line);
                    }
                }
            })
            .ok();
        Devices {
            inputs: Some(inputs),
            missing: None,
            jack_port,
            stop,
            thread,
            output,
            output_open,
        }
    }

    /// The `midi ports` line.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(p) = &self.jack_port {
            parts.push(format!(
                "JACK input {p} (frame-exact; connect a keyboard to it with jack_connect or a patchbay)"
            ));
        }
        match (&self.inputs, &self.missing) {
            (Some(i), _) => parts.push(i.lock().unwrap_or_else(|e| e.into_inner()).describe()),
            (None, Some(e)) => parts.push(format!("ALSA: {e}")),
            (None, None) => {}
        }
        if self.output_open {
            parts.push("ALSA virtual output 'chronus' open".to_string());
        }
        format!("midi ports: {}", parts.join("; "))
    }
}

impl Drop for Devices {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(t) = self.output.take() {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chronus_midi::Message;

    #[test]
    fn an_alsa_message_reaches_the_inbox_stamped_one_period_ahead() {
        let (tx, mut rx) = rtrb::RingBuffer::new(16);
        let inbox: Inbox = Arc::new(Mutex::new(Some(tx)));
        let clock = AudioClock::with_rate(48_000);
        clock.publish_untimed(96_000, 256);
        let counters = Arc::new(MidiCounters::default());
        let mut s = sink(inbox, clock, Some(Arc::clone(&counters)));
        s(&[0x91, 60, 99]);
        s(&[0x91, 60]);
        s(&[0xF0, 1, 2, 0xF7]);
        let t = rx.pop().expect("a message");
        assert_eq!(t.frame, 96_006, "now plus the 0.125 ms margin");
        assert_eq!(
            t.message,
            Message::NoteOn {
                channel: 1,
                note: 60,
                velocity: 99
            }
        );
        assert!(rx.pop().is_err());
        let c = counters.get();
        assert_eq!((c.bad, c.sysex), (1, 1));
    }

    #[test]
    fn what_the_engine_sends_out_reaches_the_alsa_output_in_order() {
        let (mut tx, rx) = rtrb::RingBuffer::new(64);
        let got = Arc::new(Mutex::new(Vec::new()));
        let g = Arc::clone(&got);
        let send: Sender = Box::new(move |b: &[u8]| {
            g.lock().unwrap().push(b.to_vec());
            Ok(())
        });
        let stop = Arc::new(AtomicBool::new(false));
        let s2 = Arc::clone(&stop);
        let t = std::thread::spawn(move || pump_output(rx, send, &s2, |_| {}));
        for m in [
            (1, [0xF8, 0, 0], 1),
            (2, [0x92, 60, 100], 3),
            (3, [0xF2, 32, 0], 3),
        ] {
            tx.push(m).unwrap();
        }
        std::thread::sleep(Duration::from_millis(50));
        stop.store(true, Ordering::Release);
        assert_eq!(t.join().unwrap(), 3);
        assert_eq!(
            *got.lock().unwrap(),
            vec![vec![0xF8], vec![0x92, 60, 100], vec![0xF2, 32, 0]]
        );
    }
}
