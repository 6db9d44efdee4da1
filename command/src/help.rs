//! One line of help per command: syntax, summary and an example.

/// Help for one command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CommandHelp {
    /// The keyword (`create`).
    pub name: &'static str,
    /// The syntax, with placeholders in capitals and options in brackets.
    pub syntax: &'static str,
    /// What it does, in one sentence.
    pub summary: &'static str,
    /// A line that works as typed (after the examples before it have run).
    pub example: &'static str,
}

/// Every command, in the order `help` lists them.
const COMMANDS: &[CommandHelp] = &[
    CommandHelp {
        name: "create",
        syntax: "create NAME [TYPE] key=value...",
        summary: "Create an instrument, or a module (TYPE lfo: rate=, shape=sine|triangle|saw|square|random); without a TYPE it is taken from the name (kick, hihat, ...) or the keys (osc= makes a synth).",
        example: "create bass osc=saw filter=lowpass cutoff=500",
    },
    CommandHelp {
        name: "sequence",
        syntax: "sequence NAME: STEPS",
        summary: "Give an instrument a one-bar drum pattern: x hit, X accent, . rest.",
        example: "sequence kick: x...x...x...x...",
    },
    CommandHelp {
        name: "melody",
        syntax: "melody NAME: NOTES",
        summary: "Give an instrument notes that share the bar evenly (~ or . rests).",
        example: "melody bass: C2 C2 G2 Eb2",
    },
    CommandHelp {
        name: "pattern",
        syntax: "pattern NAME[.PARAM]: MINI-NOTATION",
        summary: "Give an instrument a Strudel/Tidal pattern ([] groups, <> per bar, {} polymeter, *N, (k,n) euclid, a|b, 0 .. 7, bd:3, C:maj); NAME.PARAM makes a parameter follow one (bass.cutoff, bass.reverb.mix, or a signal: sine.range(200, 2000)).",
        example: "pattern bass: <[C2 E2] G2*2> ~ A2(3,8)",
    },
    CommandHelp {
        name: "play",
        syntax: "play [NAME...|all]",
        summary: "Start instruments playing their patterns; with no names, all of them.",
        example: "play all",
    },
    CommandHelp {
        name: "stop",
        syntax: "stop [NAME...|all]",
        summary: "Stop instruments; with no names, all of them.",
        example: "stop bass",
    },
    CommandHelp {
        name: "set",
        syntax: "set NAME key=value... [ramp=SECONDS]",
        summary: "Change settings of an instrument, its effects (reverb.mix=0.4) or the master bus, optionally gliding over ramp seconds.",
        example: "set bass cutoff=900 ramp=2",
    },
    CommandHelp {
        name: "add",
        syntax: "add EFFECT to NAME key=value...",
        summary: "Add an insert effect to an instrument (amount= sets its mix); a second one of a kind is reverb2.",
        example: "add reverb to bass amount=0.3",
    },
    CommandHelp {
        name: "remove",
        syntax: "remove EFFECT from NAME | remove NAME",
        summary: "Take an effect off an instrument, or delete an instrument.",
        example: "remove reverb from bass",
    },
    CommandHelp {
        name: "move",
        syntax: "move EFFECT on NAME to POSITION",
        summary: "Reorder an instrument's effects (position 1 is first); it fades out, moves and fades back in.",
        example: "move reverb on bass to 1",
    },
    CommandHelp {
        name: "tempo",
        syntax: "tempo BPM | tempo follow midi|link|off",
        summary: "Set the tempo in beats per minute, or follow an external MIDI clock (or an Ableton Link session, in a build with the link feature).",
        example: "tempo 128",
    },
    CommandHelp {
        name: "swing",
        syntax: "swing AMOUNT",
        summary: "Delay every second sixteenth by AMOUNT sixteenths (0 straight, 0.1-0.2 a light shuffle, at most 0.5).",
        example: "swing 0.1",
    },
    CommandHelp {
        name: "mute",
        syntax: "mute NAME...|all",
        summary: "Silence instruments without stopping them.",
        example: "mute bass",
    },
    CommandHelp {
        name: "solo",
        syntax: "solo NAME...",
        summary: "Hear only these instruments.",
        example: "solo bass",
    },
    CommandHelp {
        name: "unmute",
        syntax: "unmute [NAME...|all]",
        summary: "Hear muted instruments again; with no names, all of them.",
        example: "unmute bass",
    },
    CommandHelp {
        name: "unsolo",
        syntax: "unsolo",
        summary: "End solo: hear every unmuted instrument again.",
        example: "unsolo",
    },
    CommandHelp {
        name: "quantize",
        syntax: "quantize bar|beat|step|now",
        summary: "Choose when later changes take effect: the next bar, beat or sixteenth step, or at once.",
        example: "quantize bar",
    },
    CommandHelp {
        name: "note",
        syntax: "note NAME NOTE [VELOCITY] [BEATS]",
        summary: "Play one note now: a note name (C4, Eb2, F#3) or MIDI number, velocity 0..1, length in beats.",
        example: "note bass C3 0.8 0.5",
    },
    CommandHelp {
        name: "scene",
        syntax: "scene NAME",
        summary: "Switch to a scene (a pattern set) of the loaded song.",
        example: "scene a",
    },
    CommandHelp {
        name: "arrange",
        syntax: "arrange",
        summary: "Play the loaded song's arrangement from the next bar.",
        example: "arrange",
    },
    CommandHelp {
        name: "save",
        syntax: "save patch NAME [--force]",
        summary: "Save the session as a patch; --force overwrites one that exists.",
        example: "save patch deep_groove",
    },
    CommandHelp {
        name: "load",
        syntax: "load patch NAME",
        summary: "Replace the session with a saved patch.",
        example: "load patch deep_groove",
    },
    CommandHelp {
        name: "midi",
        syntax: "midi NAME [channel N|all] [bend=N] | midi NAME off | midi off | midi out NAME [channel N] | midi out NAME off | midi clock on|off | midi ports | midi",
        summary: "Play an instrument from incoming MIDI notes (every channel unless one is given; pitch wheel bend=N semitones, default 2; sustain pedal, mod wheel and aftertouch as vibrato); midi out sends an instrument's notes to external gear; midi clock sends 24 pulses a beat with start and stop; midi ports lists the ports, midi alone what plays and what arrived.",
        example: "midi bass channel 1",
    },
    CommandHelp {
        name: "map",
        syntax: "map cc N|aftertouch NAME.PARAM [MIN MAX] [curve=lin|exp] [channel=N]",
        summary: "Let a MIDI controller (or aftertouch) move a parameter, smoothed as set is, over the parameter's range or MIN..MAX; saved with the patch.",
        example: "map cc 74 bass.cutoff 200 4000 curve=exp",
    },
    CommandHelp {
        name: "learn",
        syntax: "learn NAME.PARAM [MIN MAX] [curve=lin|exp]",
        summary: "Map the next MIDI controller that moves to a parameter.",
        example: "learn bass.resonance",
    },
    CommandHelp {
        name: "unmap",
        syntax: "unmap cc N|aftertouch|NAME.PARAM|all",
        summary: "Remove controller maps: those of a controller, those onto a parameter, or all.",
        example: "unmap cc 74",
    },
    CommandHelp {
        name: "patch",
        syntax: "patch MODULE > NAME.PARAM [amount=N] | patch MODULE > MODULE... [> EFFECT...] > out",
        summary: "Let a module (create wob lfo rate=2) move a parameter of an instrument, its effect or another module (its value plus amount times the module's output), or wire modules' sound into each other and through effects to out.",
        example: "patch wob > bass.cutoff amount=600",
    },
    CommandHelp {
        name: "unpatch",
        syntax: "unpatch MODULE [> NAME.PARAM | > MODULE | > out]",
        summary: "Remove a module's cable or wire, or all of them.",
        example: "unpatch wob > bass.cutoff",
    },
    CommandHelp {
        name: "send",
        syntax: "send NAME EFFECT AMOUNT",
        summary: "Feed an instrument into the shared return bus through EFFECT (one bus per effect type, shared by every sender); 0 stops the send.",
        example: "send bass reverb 0.3",
    },
    CommandHelp {
        name: "generate_module",
        syntax: "generate_module NAME",
        summary: "Write modules/NAME.cm, a commented template of your own module that already makes sound: create x NAME, patch x > out, edit the file, reload NAME.",
        example: "generate_module drone",
    },
    CommandHelp {
        name: "reload",
        syntax: "reload NAME",
        summary: "Read modules/NAME.cm again and swap it into every module made from it, crossfaded, parameters kept; an error leaves the old one playing.",
        example: "reload drone",
    },
    CommandHelp {
        name: "listen",
        syntax: "listen [NAME|master] [bars=N] [--json]",
        summary: "Measure what really played over the last N bars (default 4): loudness (LUFS, true peak), balance, bands, stereo, notes in cents, chords, key, onsets against the grid, tempo, and problems; the first listen to an instrument starts tapping it.",
        example: "listen",
    },
    CommandHelp {
        name: "preview",
        syntax: "preview [NAME|master] [bars=N] [vs=PATCH] [--json]",
        summary: "Render the session offline from the next bar (nothing is heard) and measure it as listen does; vs=PATCH compares with a saved patch.",
        example: "preview bars=2",
    },
    CommandHelp {
        name: "look",
        syntax: "look spectrogram|scope|levels|roll [NAME|master] [bars=N] [-o FILE.png]",
        summary: "Draw the last N bars as a PNG picture (a spectrogram, an oscilloscope, levels per track, or a piano roll of the notes) and say where it is.",
        example: "look roll bars=2",
    },
    CommandHelp {
        name: "render",
        syntax: "render [bars=N] [-o FILE.wav]",
        summary: "Render the next N bars of the session (default 4) offline now, nothing heard, to a 32-bit WAV file under the session's folder (default renders/).",
        example: "render bars=2",
    },
    CommandHelp {
        name: "history",
        syntax: "history [N]",
        summary: "Show the last N edits (default 10): who made them (tty, osc:ADDRESS, mcp), the line, and the bar they took effect.",
        example: "history 5",
    },
    CommandHelp {
        name: "undo",
        syntax: "undo [NAME]",
        summary: "Revert the last edit, or the last edit to NAME, at the next bar.",
        example: "undo",
    },
    CommandHelp {
        name: "status",
        syntax: "status",
        summary: "Show the tempo, the position and every instrument.",
        example: "status",
    },
    CommandHelp {
        name: "list",
        syntax: "list [instruments|types|effects|params NAME|scenes|patches|maps|modules]",
        summary: "List instruments (the default), instrument types, effects, the parameters of an instrument, type or effect, scenes, saved patches with the session's modules, controller maps, or module types (built in and under modules/).",
        example: "list params bass",
    },
    CommandHelp {
        name: "help",
        syntax: "help [TOPIC]",
        summary: "Show every command, or help on one command, instrument type or effect.",
        example: "help sequence",
    },
    CommandHelp {
        name: "quit",
        syntax: "quit",
        summary: "Stop the session.",
        example: "quit",
    },
];

/// Help for every command, in the order `help` lists them.
///
/// Help on instrument types, effects and their parameters comes from the
/// sequencer's parameter tables, not from here.
///
/// ```
/// let create = &chronus_command::commands()[0];
/// assert_eq!(create.name, "create");
/// assert!(chronus_command::parse_line(create.example).is_ok());
/// ```
pub fn commands() -> &'static [CommandHelp] {
    COMMANDS
}

/// Help for the command `name` (a keyword, any case).
///
/// ```
/// assert_eq!(chronus_command::command_help("Tempo").map(|h| h.syntax), Some("tempo BPM | tempo follow midi|link|off"));
/// ```
pub fn command_help(name: &str) -> Option<&'static CommandHelp> {
    COMMANDS.iter().find(|c| c.name.eq_ignore_ascii_case(name))
}

/// The keywords, for "did you mean".
pub(crate) fn command_names() -> Vec<&'static str> {
    COMMANDS.iter().map(|c| c.name).collect()
}
