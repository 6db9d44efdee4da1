//! The typed commands a line parses into.

pub use chronus_sequencer::song::{MapCurve, MapSource};

/// Instrument type names, as in songs (`type: kick`): the song model's own list.
pub const INSTRUMENT_TYPES: &[&str] = &chronus_sequencer::song::InstrumentSpec::KINDS;

/// Insert effect names, as in songs (`effects: [{ type: reverb }]`): the
/// song model's own list.
pub const EFFECTS: &[&str] = &chronus_sequencer::song::EffectSpec::KINDS;

/// Module types `create` takes besides the instrument types.
pub const MODULE_TYPES: &[&str] = &chronus_sequencer::song::modulation::ModuleSpec::TYPES;

/// One command of a line, with its own text.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// What the text says.
    pub command: Command,
    /// The command's text as typed, trimmed, without the `;` around it.
    pub text: String,
    /// 1-based character column of the text's first character in the line.
    pub column: usize,
}

/// A word of the command (a name, a type, an effect, a topic) and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The text, unquoted. Names keep their case; keywords such as instrument
    /// types, effects and help topics are lower-cased.
    pub text: String,
    /// 1-based character column in the line.
    pub column: usize,
}

/// One `key=value` setting.
///
/// The value stays text: the session knows which keys are numbers and which
/// are choices such as `osc=saw`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The key, lower-cased; may be dotted (`reverb.mix` targets the
    /// instrument's reverb).
    pub key: String,
    /// The value as written, unquoted (`name="x y"` gives `x y`).
    pub value: String,
    /// 1-based column of the key.
    pub column: usize,
    /// 1-based column of the value.
    pub value_column: usize,
}

/// Raw text after a `:` (steps, notes or mini-notation), not tokenized.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternText {
    /// Everything after the first `:`, trimmed; brackets, `<>`, `*` and
    /// spaces kept as typed.
    pub text: String,
    /// 1-based column of its first character in the line: add
    /// `column - 1` to a column inside `text` to point into the line.
    pub column: usize,
}

/// A note to play: a note name (`C4`, `Eb2`, `F#3`) or a MIDI number.
#[derive(Clone, Debug, PartialEq)]
pub struct NoteArg {
    /// The note as typed.
    pub text: String,
    /// 1-based column in the line.
    pub column: usize,
    /// Its MIDI number, 0..=127 (a fraction is a microtone: 60.5 is a
    /// quarter tone above C4).
    pub midi: f32,
}

/// Which instruments a command applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Targets {
    /// Every instrument (`all`, or no names where that is allowed).
    All,
    /// The instruments named, in order (at least one).
    Names(Vec<Word>),
}

/// When a change takes effect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantize {
    /// At the next bar line.
    Bar,
    /// At the next beat.
    Beat,
    /// At the next sixteenth step.
    Step,
    /// At once (the next audio block).
    Now,
}

impl Quantize {
    /// Every value, in the order of [`Quantize::NAMES`].
    pub const ALL: [Quantize; 4] = [Quantize::Bar, Quantize::Beat, Quantize::Step, Quantize::Now];
    /// The values as typed.
    pub const NAMES: [&'static str; 4] = ["bar", "beat", "step", "now"];

    /// The value as typed.
    ///
    /// ```
    /// assert_eq!(chronus_command::Quantize::Step.name(), "step");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Quantize::Bar => "bar",
            Quantize::Beat => "beat",
            Quantize::Step => "step",
            Quantize::Now => "now",
        }
    }
}

/// What `list` lists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListTopic {
    /// The session's instruments (also `list` alone).
    Instruments,
    /// The instrument types that `create` accepts.
    Types,
    /// The effects that `add` accepts.
    Effects,
    /// The parameters of an instrument, an instrument type or an effect.
    Params(Word),
    /// The scenes of the loaded song.
    Scenes,
    /// The saved patches.
    Patches,
    /// The controller maps.
    Maps,
    /// The module types: built in, and those under `modules/`.
    Modules,
}

/// What `midi` does.
#[derive(Clone, Debug, PartialEq)]
pub enum MidiCommand {
    /// `midi NAME [channel N|all] [bend=N]`: play NAME from incoming notes.
    Route {
        /// The instrument.
        name: Word,
        /// MIDI channel 1..=16, or `None` for every channel.
        channel: Option<u8>,
        /// Pitch-bend range in semitones, `None` for the default (2).
        bend: Option<f64>,
    },
    /// `midi NAME off` (one instrument) or `midi off` (all): stop playing
    /// from MIDI.
    Off(Option<Word>),
    /// `midi ports`: the MIDI ports there are and what is connected.
    Ports,
    /// `midi out NAME [channel N]`: send an instrument's notes out.
    Out {
        /// The instrument.
        name: Word,
        /// MIDI channel 1..=16 (1 when not given).
        channel: u8,
    },
    /// `midi out NAME off`: stop sending them.
    OutOff(Word),
    /// `midi clock on|off`: send MIDI clock (24 a quarter note) with start,
    /// stop and song position, from the next bar.
    Clock(bool),
    /// `midi` alone: what plays from MIDI and what MIDI has arrived.
    Show,
}

/// Where `tempo follow` takes the tempo from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    /// Incoming MIDI clock.
    Midi,
    /// An Ableton Link session.
    Link,
    /// Nothing: the session's own tempo.
    Off,
}

/// The parameter side of `map` and `learn`.
#[derive(Clone, Debug, PartialEq)]
pub struct MapTarget {
    /// `NAME.PARAM` or `NAME.EFFECT.PARAM`, as typed.
    pub target: Word,
    /// The values at controller 0 and 127, `None` for the parameter's range.
    pub range: Option<(f64, f64)>,
    /// `None` for the parameter's own curve.
    pub curve: Option<MapCurve>,
    /// MIDI channel 1..=16, `None` for every channel.
    pub channel: Option<u8>,
}

/// What `unmap` removes.
#[derive(Clone, Debug, PartialEq)]
pub enum Unmap {
    /// Every map of a controller or of aftertouch.
    Source(MapSource),
    /// Every map onto a parameter (`bass.cutoff`).
    Target(Word),
    /// Every map.
    All,
}

/// One command, checked for syntax only: names, types and keys are checked
/// against the live session later.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// `patch MODULE > NAME.PARAM [amount=N]`: a cable from a module to a
    /// parameter; `patch MODULE > MODULE > EFFECT > out`: a chain of sound.
    Patch {
        /// The module.
        from: Word,
        /// What follows, in order: modules, effects, `out`, or one
        /// parameter (`NAME.PARAM`, `NAME.EFFECT.PARAM`).
        to: Vec<Word>,
        /// What the module's full swing adds, and its column.
        amount: Option<(f64, usize)>,
    },
    /// `unpatch MODULE [> NAME.PARAM]`: remove a cable, or all of a module's.
    Unpatch {
        /// The module.
        from: Word,
        /// The parameter or module, or every one the module reaches.
        to: Option<Word>,
    },
    /// `create NAME [TYPE] key=value...`: a new instrument.
    Create {
        /// The new instrument's name.
        name: Word,
        /// Its type (one of [`INSTRUMENT_TYPES`]); `None` lets the session
        /// infer it from the name (`kick`) or the keys (`osc=` is a synth).
        ty: Option<Word>,
        /// Its settings, in order.
        params: Vec<Param>,
    },
    /// `sequence NAME: STEPS`: a one-bar drum pattern (`x` hit, `X`
    /// accent, `.` rest).
    Sequence {
        /// The instrument.
        name: Word,
        /// The steps.
        steps: PatternText,
    },
    /// `melody NAME: NOTES`: notes sharing the bar evenly.
    Melody {
        /// The instrument.
        name: Word,
        /// The notes.
        notes: PatternText,
    },
    /// `pattern NAME: MINI-NOTATION`: a Tidal-style pattern.
    Pattern {
        /// The instrument.
        name: Word,
        /// The mini-notation.
        pattern: PatternText,
    },
    /// `play [NAME...|all]`: start instruments (no names: all).
    Play(Targets),
    /// `stop [NAME...|all]`: stop instruments (no names: all).
    Stop(Targets),
    /// `set NAME key=value... [ramp=SECONDS]`: change settings of an
    /// instrument or of `master`.
    Set {
        /// The instrument, or `master` for the master bus.
        name: Word,
        /// The settings (at least one), `ramp` excluded.
        params: Vec<Param>,
        /// Seconds to glide to the new values (`ramp=2`), `None` for the
        /// default.
        ramp: Option<f64>,
    },
    /// `add EFFECT to NAME key=value...`: append an insert effect.
    Add {
        /// The effect (one of [`EFFECTS`]).
        effect: Word,
        /// The instrument (or `master`).
        target: Word,
        /// The effect's settings (`amount` is an alias of `mix`, resolved
        /// by the session).
        params: Vec<Param>,
    },
    /// `remove EFFECT from NAME`: take an effect off an instrument.
    RemoveEffect {
        /// The effect (one of [`EFFECTS`]).
        effect: Word,
        /// The instrument (or `master`).
        target: Word,
    },
    /// `move EFFECT on NAME to POSITION`: reorder an instrument's effects
    /// (position 1 is first in the chain).
    Move {
        /// The effect (`reverb`, `reverb2`).
        effect: Word,
        /// The instrument.
        target: Word,
        /// Its new place, 1-based.
        position: usize,
    },
    /// `remove NAME`: delete an instrument.
    Remove {
        /// The instrument.
        name: Word,
    },
    /// `tempo BPM`.
    Tempo {
        /// Beats per minute, above 0.
        bpm: f64,
    },
    /// `tempo follow midi|link|off`: take the tempo from an external clock.
    TempoFollow(Follow),
    /// `swing X`: delay every second sixteenth by X sixteenths.
    Swing {
        /// The amount, 0 or more (songs allow 0..0.5).
        amount: f64,
    },
    /// `mute NAME...|all`.
    Mute(Targets),
    /// `solo NAME...`: hear only these instruments.
    Solo(Vec<Word>),
    /// `unmute [NAME...|all]` (no names: all).
    Unmute(Targets),
    /// `unsolo`: hear every unmuted instrument again.
    Unsolo,
    /// `quantize bar|beat|step|now`: when later changes take effect.
    Quantize(Quantize),
    /// `note NAME NOTE [VELOCITY] [BEATS]`: play one note now.
    Note {
        /// The instrument.
        name: Word,
        /// The note.
        note: NoteArg,
        /// 0..=1, `None` for the default.
        velocity: Option<f64>,
        /// Length in beats, above 0, `None` for the default.
        beats: Option<f64>,
    },
    /// `scene NAME`: switch to a scene of the loaded song.
    Scene {
        /// The scene.
        name: Word,
    },
    /// `arrange`: play the loaded song's arrangement.
    Arrange,
    /// `save patch NAME [--force]`: save the session as a patch.
    SavePatch {
        /// The patch name.
        name: Word,
        /// Overwrite an existing patch.
        force: bool,
    },
    /// `load patch NAME`: replace the session with a saved patch.
    LoadPatch {
        /// The patch name.
        name: Word,
    },
    /// `generate_module NAME`: write `modules/NAME.cm`, a commented
    /// template that already makes sound.
    GenerateModule {
        /// The module's name.
        name: Word,
    },
    /// `reload NAME`: read `modules/NAME.cm` again and swap the new
    /// definition into every module made from it.
    Reload {
        /// The definition's name.
        name: Word,
    },
    /// `send TRACK EFFECT AMOUNT`: feed a track into a shared return bus
    /// through `EFFECT` (0 stops the send).
    Send {
        /// The track.
        track: Word,
        /// The return's effect (`reverb`, `delay`, ...).
        effect: Word,
        /// How much of the track goes to it, 0..1, and its column.
        amount: (f64, usize),
    },
    /// `listen [NAME|master] [bars=N] [--json]`: measure what played.
    Listen(Listening),
    /// `preview [NAME|master] [bars=N] [vs=PATCH] [--json]`: render the
    /// next bars offline now and measure them (against a saved patch).
    Preview {
        /// What to measure.
        listening: Listening,
        /// A saved patch to compare with.
        vs: Option<Word>,
    },
    /// `look spectrogram|scope|levels|roll [NAME|master] [bars=N] [-o FILE.png]`.
    Look {
        /// Which picture.
        picture: Picture,
        /// What to draw (`json` unused).
        listening: Listening,
        /// Where to write it (default: under the session's folder).
        out: Option<Word>,
    },
    /// `render [bars=N] [-o FILE.wav]`: the next N bars, rendered offline
    /// now, to a WAV file under the session's folder.
    Render {
        /// How many bars (default 4), and the column of the number.
        bars: Option<(u32, usize)>,
        /// Where to write it (default: under `renders/`).
        out: Option<Word>,
    },
    /// `history [N]`: the last edits, who made them, where they took effect.
    History {
        /// How many (default 10).
        count: Option<usize>,
    },
    /// `undo [NAME]`: revert the last edit (to NAME) at the next bar.
    Undo {
        /// The instrument or module whose last edit to revert.
        name: Option<Word>,
    },
    /// `status`: tempo, position and instruments.
    Status,
    /// `list [TOPIC]`.
    List(ListTopic),
    /// `help [TOPIC]`.
    Help {
        /// A command, instrument type, effect or other topic, lower-cased.
        topic: Option<Word>,
    },
    /// `midi ...`: play instruments from MIDI, see the ports.
    Midi(MidiCommand),
    /// `map cc N|aftertouch NAME.PARAM [MIN MAX] [curve=lin|exp] [channel=N]`.
    Map {
        /// The controller.
        source: MapSource,
        /// The parameter and range.
        to: MapTarget,
    },
    /// `learn NAME.PARAM [MIN MAX] [curve=lin|exp]`: map the next
    /// controller moved.
    Learn(MapTarget),
    /// `unmap cc N|aftertouch|NAME.PARAM|all`.
    Unmap(Unmap),
    /// `quit`: stop the session.
    Quit,
}

impl Command {
    /// The command's keyword as typed (`create`; `remove` for both kinds of
    /// removal, `save`/`load` for patches), for replies such as `ok create`.
    ///
    /// ```
    /// let parts = chronus_command::parse_line("remove reverb from bass").unwrap();
    /// assert_eq!(parts[0].command.name(), "remove");
    /// ```
    pub fn name(&self) -> &'static str {
        match self {
            Command::Create { .. } => "create",
            Command::Sequence { .. } => "sequence",
            Command::Melody { .. } => "melody",
            Command::Pattern { .. } => "pattern",
            Command::Play(_) => "play",
            Command::Stop(_) => "stop",
            Command::Set { .. } => "set",
            Command::Add { .. } => "add",
            Command::RemoveEffect { .. } | Command::Remove { .. } => "remove",
            Command::Move { .. } => "move",
            Command::Tempo { .. } | Command::TempoFollow(_) => "tempo",
            Command::Swing { .. } => "swing",
            Command::Mute(_) => "mute",
            Command::Solo(_) => "solo",
            Command::Unmute(_) => "unmute",
            Command::Unsolo => "unsolo",
            Command::Quantize(_) => "quantize",
            Command::Note { .. } => "note",
            Command::Scene { .. } => "scene",
            Command::Arrange => "arrange",
            Command::SavePatch { .. } => "save",
            Command::LoadPatch { .. } => "load",
            Command::Listen(_) => "listen",
            Command::Preview { .. } => "preview",
            Command::Look { .. } => "look",
            Command::History { .. } => "history",
            Command::Render { .. } => "render",
            Command::Undo { .. } => "undo",
            Command::Status => "status",
            Command::List(_) => "list",
            Command::Help { .. } => "help",
            Command::Midi(_) => "midi",
            Command::Map { .. } => "map",
            Command::Learn(_) => "learn",
            Command::Unmap(_) => "unmap",
            Command::Patch { .. } => "patch",
            Command::Unpatch { .. } => "unpatch",
            Command::GenerateModule { .. } => "generate_module",
            Command::Reload { .. } => "reload",
            Command::Send { .. } => "send",
            Command::Quit => "quit",
        }
    }
}

/// What `listen`, `preview` and `look` measure or draw.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Listening {
    /// An instrument, or `None` for the master.
    pub what: Option<Word>,
    /// How many bars (default 4), and the column of the number.
    pub bars: Option<(u32, usize)>,
    /// Answer in JSON.
    pub json: bool,
}

/// The pictures `look` draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Picture {
    /// Log-frequency spectrogram with bar lines.
    Spectrogram,
    /// A few cycles of the waveform.
    Scope,
    /// Each track's level over time.
    Levels,
    /// The notes played, per track.
    Roll,
}

impl Picture {
    /// Every picture's name, as typed.
    pub const NAMES: &'static [&'static str] = &["spectrogram", "scope", "levels", "roll"];

    /// The name as typed.
    pub fn name(self) -> &'static str {
        match self {
            Picture::Spectrogram => "spectrogram",
            Picture::Scope => "scope",
            Picture::Levels => "levels",
            Picture::Roll => "roll",
        }
    }
}
