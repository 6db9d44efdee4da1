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
use chronus_backends::alsa_midi::{Alsa, Inputs, MidiSystem, Sink};
use chronus_midi::Parser;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the inputs are looked at for devices that came or went.
pub const POLL: Duration = Duration::from_millis(500);

/// The inbox every input's sink pushes into.
pub type Inbox = Arc<Mutex<Option<rtrb::Producer<Timed>>>>;

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
}

impl Devices {
    /// Open the ALSA inputs matching `pattern` (and the virtual input
    /// `chronus`) on `system` (ALSA when `None`), feeding `inbox`; lines to
    /// report go to `say` (now and from the polling thread).
    pub fn start(
        system: Option<Box<dyn MidiSystem>>,
        pattern: Option<&str>,
        inbox: Inbox,
        clock: AudioClock,
        counters: Option<Arc<MidiCounters>>,
        jack_port: Option<String>,
        say: impl Fn(&str) + Send + 'static,
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
                };
            }
        };
        let make =
            Box::new(move |_name: &str| sink(Arc::clone(&inbox), clock.clone(), counters.clone()));
        let (inputs, said) = Inputs::new(system, pattern, "chronus", make);
        for line in said {
            say(&line);
        }
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
        format!("midi ports: {}", parts.join("; "))
    }
}

impl Drop for Devices {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(t) = self.thread.take() {
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
}
