//! What the server tells an agent: the instructions sent at the handshake
//! and each tool's description.

/// The instructions of the server: the loop an agent plays in.
pub(crate) const INSTRUCTIONS: &str = "\
Chronus is a live-coded synthesizer that is playing now: you change it with command lines, and \
each line answers with one reply (`ok ...`, or a tool error with `error: ...`). The loop: \
edit with `command` (create instruments, give them patterns, set parameters, add effects); \
check an edit with `preview` before the bar arrives (it renders the next bars offline, nothing \
heard, and measures them); `listen` after it has played (it measures what really came out); \
`look` for pictures (spectrogram, scope, levels, piano roll); `undo` to revert an edit; \
`history` to see who changed what (a person at the terminal, OSC, or you over mcp) and when. \
Changes take effect at the next bar by default, so a person may be playing along: keep edits \
small and musical. `help` lists every command; the resources chronus://docs/... hold the \
manual. Save what you like with `save_patch`.";

/// `command`.
pub(crate) const COMMAND: &str = "\
Run one Chronus command line, exactly as a person would type it, and return the session's reply \
(`ok ...`; a refused line is a tool error `error: ...` that says why). Examples: \
`create kick` (an instrument; the type comes from the name: kick, snare, hihat, ... or keys: \
`create bass osc=saw filter=lowpass cutoff=500`); \
`sequence kick: x...x...x...x...` (a one-bar drum pattern of 16 steps: x hit, X accent, . rest); \
`melody bass: C2 C2 G2 Eb2` (notes sharing the bar evenly, ~ or . rests); \
`pattern bass: <[C2 E2] G2*2> ~ A2(3,8)` (Strudel/Tidal mini-notation); \
`set bass cutoff=900 ramp=2` (change settings, cutoff in Hz, gliding over ramp seconds); \
`add reverb to bass amount=0.3` (an insert effect, amount 0..1); \
`play all`, `stop bass`, `mute bass`, `solo bass`; \
`tempo 128` (beats per minute); `swing 0.1`; `quantize bar|beat|step|now` (when edits land, \
default the next bar). Several commands joined with `;` apply together, at the same moment, or \
none of them (`create hat hihat; sequence hat: ..x...x...x...x.; play hat`). `help` lists every \
command with its syntax and `help NAME` explains one. One line only: no line breaks.";

/// `status`.
pub(crate) const STATUS: &str = "\
Show what the session is doing now (line `status`): bar and beat, tempo in BPM, meter, swing, \
quantize, each instrument with its type, effects, pattern and whether it plays, scenes, the \
count of lines that worked and failed, voices, xruns and engine counters. Changes nothing.";

/// `help`.
pub(crate) const HELP: &str = "\
Show help (line `help [TOPIC]`): without a topic, every command with its syntax, a summary \
and an example that works as typed; with a topic (a command such as `sequence` or `look`, an \
instrument type such as `fm`, an effect such as `reverb`, or a module such as `lfo`), that one. \
Changes nothing.";

/// `listen`.
pub(crate) const LISTEN: &str = "\
Measure what really played over the last bars (line `listen [TRACK] [bars=N] --json`) and \
return the JSON report: loudness (integrated LUFS, true peak), the balance of the instruments, \
energy per frequency band (and the spectral centroid in Hz), stereo image, the notes heard with \
their deviation in cents, chords, the key, onsets against the step grid (scheduled, found, \
worst error), the tempo in BPM, and the problems found. TRACK is an instrument name or \
`master` (default: the master, the whole mix); bars is 1 to 64 (default 4). The first listen \
to an instrument starts tapping its own sound: that reply says from which bar to ask again \
(`listen` of the master measures at once). Changes nothing.";

/// `preview`.
pub(crate) const PREVIEW: &str = "\
Render the session offline from the next bar on, nothing heard, and measure it as `listen` does \
(line `preview [TRACK] [bars=N] [vs=PATCH] --json`), returning the same JSON report: use it to \
check an edit before the bar arrives. TRACK is an instrument name or `master` (default the \
whole mix); bars is 1 to 64 (default 4); vs=PATCH also measures a saved patch and compares the \
two. Changes nothing.";

/// `look`.
pub(crate) const LOOK: &str = "\
Draw the last bars as a PNG picture (line `look PICTURE [TRACK] [bars=N] -o FILE`) and return \
it as an image, with the session's reply as text. PICTURE is `spectrogram` (frequency over \
time), `scope` (the waveform), `levels` (the level of each instrument over time) or `roll` (a \
piano roll of the notes played). TRACK is an instrument name or `master` (default the whole \
mix); bars is 1 to 64 (default 4). The file is written under the session's folder, in looks/. \
Changes nothing in the sound.";

/// `render`.
pub(crate) const RENDER: &str = "\
Render the next bars of the whole session offline now, nothing heard, to a 32-bit WAV file \
(line `render [bars=N] [-o FILE.wav]`), and return the reply (which says where the file is). \
bars is 1 to 64 (default 4). file is a bare file name ending in .wav (such as groove.wav) \
written in the session's folder; omit it to let the session pick one under renders/. Changes \
nothing in the sound.";

/// `save_patch`.
pub(crate) const SAVE_PATCH: &str = "\
Save the whole session as a patch (line `save patch NAME [--force]`): instruments, patterns, \
effects, settings, tempo. name uses letters, digits, _ and -, starting with a letter; an \
existing patch of that name is kept (a tool error) unless force is true.";

/// `load_patch`.
pub(crate) const LOAD_PATCH: &str = "\
Replace the whole session with a saved patch (line `load patch NAME`), at the next bar. `undo` \
reverts it.";

/// `undo`.
pub(crate) const UNDO: &str = "\
Revert the last edit (line `undo`), or the last edit to one instrument or module (line \
`undo NAME`), at the next bar. `history` shows what would be undone.";

/// `history`.
pub(crate) const HISTORY: &str = "\
Show the last edits (line `history [N]`, count 1 to 1000, default 10), newest last: who made \
each (tty for the person at the terminal, osc:ADDRESS, mcp for an agent like you), the line, \
and the bar it took effect. Changes nothing.";
