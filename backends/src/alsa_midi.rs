//! MIDI devices through the ALSA sequencer (midir): the inputs whose names
//! match a pattern are kept open, a virtual input named `chronus` is
//! offered for other programs to connect to, and an input that disappears
//! is reported and opened again by name when it comes back.
//!
//! The device side is a trait, [`MidiSystem`], so that the bookkeeping in
//! [`Inputs`] is tested without a sound card ([`Alsa`] is the real one;
//! this machine has no `/dev/snd`, so only its failure path runs here).
//! Each input's bytes go to a [`Sink`] made by the caller, which parses and
//! stamps them (the live session sends them to the engine's MIDI inbox).

use std::collections::BTreeMap;

/// Receives one input's messages (whole messages, as ALSA decodes them).
pub type Sink = Box<dyn FnMut(&[u8]) + Send>;

/// Something that lists and opens MIDI inputs.
pub trait MidiSystem: Send {
    /// The inputs there are now, by name.
    ///
    /// # Errors
    /// When the system cannot be asked (its message says why).
    fn inputs(&mut self) -> Result<Vec<String>, String>;

    /// Open input `name`, its messages to `sink`; dropping the handle
    /// closes it.
    ///
    /// # Errors
    /// When it cannot be opened.
    fn open(&mut self, name: &str, sink: Sink) -> Result<Box<dyn Send>, String>;

    /// Offer a virtual input called `name` that other programs connect to.
    ///
    /// # Errors
    /// When it cannot be created.
    fn open_virtual(&mut self, name: &str, sink: Sink) -> Result<Box<dyn Send>, String>;

    /// Offer a virtual output called `name` that other programs connect
    /// to; the returned function sends one message through it.
    ///
    /// # Errors
    /// When it cannot be created.
    fn open_virtual_output(&mut self, name: &str) -> Result<Sender, String>;
}

/// Sends one MIDI message (status first) through an output.
pub type Sender = Box<dyn FnMut(&[u8]) -> Result<(), String> + Send>;

/// The ALSA sequencer, through midir.
pub struct Alsa {
    client: String,
}

impl Alsa {
    /// The ALSA sequencer, as client `client`.
    ///
    /// # Errors
    /// When there is no ALSA sequencer (no `/dev/snd/seq`, as on a machine
    /// without sound hardware or the `snd-seq` module), with what to do.
    pub fn new(client: &str) -> Result<Alsa, String> {
        midir::MidiInput::new(client).map_err(|e| {
            format!(
                "no ALSA sequencer here ({e}; is /dev/snd/seq there? `modprobe snd-seq` loads it): ALSA MIDI devices are off"
            )
        })?;
        Ok(Alsa {
            client: client.to_string(),
        })
    }

    fn input(&self) -> Result<midir::MidiInput, String> {
        let mut input = midir::MidiInput::new(&self.client).map_err(|e| e.to_string())?;
        // Clock, start/stop and SysEx too: the parser decides what to keep.
        input.ignore(midir::Ignore::None);
        Ok(input)
    }
}

impl MidiSystem for Alsa {
    fn inputs(&mut self) -> Result<Vec<String>, String> {
        let input = self.input()?;
        Ok(input
            .ports()
            .iter()
            .filter_map(|p| input.port_name(p).ok())
            .collect())
    }

    fn open(&mut self, name: &str, mut sink: Sink) -> Result<Box<dyn Send>, String> {
        let input = self.input()?;
        let port = input
            .ports()
            .into_iter()
            .find(|p| input.port_name(p).is_ok_and(|n| n == name))
            .ok_or_else(|| format!("{name} is gone"))?;
        let conn = input
            .connect(&port, "chronus-in", move |_, bytes, _| sink(bytes), ())
            .map_err(|e| e.to_string())?;
        Ok(Box::new(conn))
    }

    fn open_virtual(&mut self, name: &str, mut sink: Sink) -> Result<Box<dyn Send>, String> {
        use midir::os::unix::VirtualInput;
        let conn = self
            .input()?
            .create_virtual(name, move |_, bytes, _| sink(bytes), ())
            .map_err(|e| e.to_string())?;
        Ok(Box::new(conn))
    }

    fn open_virtual_output(&mut self, name: &str) -> Result<Sender, String> {
        use midir::os::unix::VirtualOutput;
        let out = midir::MidiOutput::new(&self.client).map_err(|e| e.to_string())?;
        let mut conn = out.create_virtual(name).map_err(|e| e.to_string())?;
        Ok(Box::new(move |bytes: &[u8]| {
            conn.send(bytes).map_err(|e| e.to_string())
        }))
    }
}

/// A port's name without ALSA's trailing `client:port` numbers, which
/// change when a device is plugged in again.
pub fn identity(name: &str) -> &str {
    match name.rsplit_once(' ') {
        Some((head, tail))
            if tail.split(':').count() == 2
                && tail
                    .split(':')
                    .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            head
        }
        _ => name,
    }
}

/// Whether input `name` matches `pattern`, in any case: with a `*` the
/// pattern is a glob over the whole name (`*keystation*`), without one a
/// part of the name (`keystation`).
pub fn matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.to_lowercase(), name.to_lowercase());
    if !p.contains('*') {
        return n.contains(&p);
    }
    let (p, n) = (p.as_bytes(), n.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ni));
            pi += 1;
        } else if pi < p.len() && p[pi] == n[ni] {
            pi += 1;
            ni += 1;
        } else if let Some((s, mark)) = star {
            pi = s + 1;
            ni = mark + 1;
            star = Some((s, mark + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

/// The inputs a session keeps open. See the module docs.
pub struct Inputs {
    system: Box<dyn MidiSystem>,
    pattern: Option<String>,
    virtual_name: String,
    make_sink: Box<dyn FnMut(&str) -> Sink + Send>,
    /// Open inputs by identity: their full name and handle.
    open: BTreeMap<String, (String, Box<dyn Send>)>,
    /// Inputs that were open and went away (by identity).
    gone: Vec<String>,
    /// Inputs that failed to open, and why (reported once).
    failed: BTreeMap<String, String>,
    virtual_port: Option<Box<dyn Send>>,
    virtual_error: Option<String>,
    last: Vec<String>,
}

impl Inputs {
    /// Keep the inputs matching `pattern` (none: only the virtual port)
    /// open on `system`, and offer a virtual input `virtual_name`;
    /// `make_sink(name)` gives each input's sink. Returns the lines to
    /// report (what was opened, what failed).
    pub fn new(
        system: Box<dyn MidiSystem>,
        pattern: Option<&str>,
        virtual_name: &str,
        mut make_sink: Box<dyn FnMut(&str) -> Sink + Send>,
    ) -> (Inputs, Vec<String>) {
        let mut system = system;
        let mut said = Vec::new();
        let (virtual_port, virtual_error) =
            match system.open_virtual(virtual_name, make_sink(virtual_name)) {
                Ok(h) => {
                    said.push(format!(
                        "midi: virtual input '{virtual_name}' is open for other programs"
                    ));
                    (Some(h), None)
                }
                Err(e) => {
                    said.push(format!(
                        "midi: cannot offer a virtual input '{virtual_name}': {e}"
                    ));
                    (None, Some(e))
                }
            };
        let mut inputs = Inputs {
            system,
            pattern: pattern.map(str::to_string),
            virtual_name: virtual_name.to_string(),
            make_sink,
            open: BTreeMap::new(),
            gone: Vec::new(),
            failed: BTreeMap::new(),
            virtual_port,
            virtual_error,
            last: Vec::new(),
        };
        said.extend(inputs.poll());
        if let Some(p) = &inputs.pattern {
            if inputs.open.is_empty() && inputs.failed.is_empty() {
                said.push(format!(
                    "midi: no input matches '{p}' yet (opened when one appears; midi ports lists them)"
                ));
            }
        }
        (inputs, said)
    }

    /// Look at the inputs there are now: open new matches, report and
    /// close those gone, reopen those back. Returns the lines to report.
    pub fn poll(&mut self) -> Vec<String> {
        let mut said = Vec::new();
        let now = match self.system.inputs() {
            Ok(n) => n,
            Err(e) => return vec![format!("midi: cannot list the inputs: {e}")],
        };
        let own = self.virtual_name.to_lowercase();
        let now: Vec<String> = now
            .into_iter()
            .filter(|n| !identity(n).to_lowercase().contains(&own))
            .collect();
        let present: Vec<&str> = now.iter().map(|n| identity(n)).collect();
        let gone: Vec<String> = self
            .open
            .keys()
            .filter(|id| !present.contains(&id.as_str()))
            .cloned()
            .collect();
        for id in gone {
            self.open.remove(&id);
            said.push(format!(
                "midi: input '{id}' disappeared; it is opened again when it comes back"
            ));
            self.gone.push(id);
        }
        if let Some(p) = self.pattern.clone() {
            for name in &now {
                let id = identity(name).to_string();
                if self.open.contains_key(&id) || !matches(&p, name) {
                    continue;
                }
                let sink = (self.make_sink)(&id);
                match self.system.open(name, sink) {
                    Ok(h) => {
                        let back = self.gone.contains(&id);
                        self.gone.retain(|g| *g != id);
                        self.failed.remove(&id);
                        said.push(if back {
                            format!("midi: input '{id}' is back and open again")
                        } else {
                            format!("midi: opened input '{id}'")
                        });
                        self.open.insert(id, (name.clone(), h));
                    }
                    Err(e) => {
                        if self.failed.get(&id) != Some(&e) {
                            said.push(format!(
                                "midi: cannot open input '{id}': {e} (trying again)"
                            ));
                        }
                        self.failed.insert(id, e);
                    }
                }
            }
        }
        self.last = now;
        said
    }

    /// Offer a virtual output called `name` on the same system.
    ///
    /// # Errors
    /// When it cannot be created.
    pub fn open_output(&mut self, name: &str) -> Result<Sender, String> {
        self.system.open_virtual_output(name)
    }

    /// One line for `midi ports`: the inputs there are, which are open,
    /// the virtual port.
    pub fn describe(&self) -> String {
        let listed: Vec<String> = self
            .last
            .iter()
            .map(|n| {
                let id = identity(n);
                if self.open.contains_key(id) {
                    format!("{id} (open)")
                } else {
                    id.to_string()
                }
            })
            .collect();
        let mut line = if listed.is_empty() {
            "ALSA inputs: none".to_string()
        } else {
            format!("ALSA inputs: {}", listed.join(", "))
        };
        if !self.gone.is_empty() {
            line.push_str(&format!("; waiting for {}", self.gone.join(", ")));
        }
        match (&self.virtual_port, &self.virtual_error) {
            (Some(_), _) => line.push_str(&format!("; virtual input '{}' open", self.virtual_name)),
            (None, Some(e)) => line.push_str(&format!("; no virtual input ({e})")),
            (None, None) => {}
        }
        match &self.pattern {
            Some(p) => line.push_str(&format!("; opening inputs matching '{p}'")),
            None => line.push_str("; chronus live --midi PATTERN opens devices"),
        }
        line
    }
}

#[cfg(test)]
mod tests;
