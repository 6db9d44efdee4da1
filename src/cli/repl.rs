//! The terminal side of `chronus live`: lines from stdin, one reply printed
//! per line. On a terminal: line editing, history (kept in the patches
//! folder) and Tab completion of commands, instruments, types, effects and
//! settings; from a pipe (tmux `send-keys`, scripts): plain lines.

use chronus::live::live_session::Input;
use chronus::live::AudioClock;
use chronus::session::Reply;
use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::Validator;
use rustyline::{Context, Editor, Helper};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

/// Words the session knows now (names and settings), for completion.
pub type Words = Arc<Mutex<Vec<String>>>;

/// Completes the word before the cursor.
struct Complete {
    words: Words,
}

/// Words every session knows.
fn fixed_words() -> Vec<String> {
    let mut w: Vec<String> = chronus::command::commands()
        .iter()
        .map(|c| c.name.to_string())
        .collect();
    w.extend(
        chronus::command::INSTRUMENT_TYPES
            .iter()
            .map(|s| s.to_string()),
    );
    w.extend(chronus::command::EFFECTS.iter().map(|s| s.to_string()));
    for extra in [
        "all",
        "master",
        "to",
        "from",
        "patch",
        "bar",
        "beat",
        "step",
        "now",
        "instruments",
        "types",
        "effects",
        "params",
        "scenes",
        "patches",
        "--force",
    ] {
        w.push(extra.to_string());
    }
    w
}

impl Completer for Complete {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let head = &line[..pos];
        // After the separator, whatever its width in bytes (a no-break
        // space is two).
        let start = head
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace() || *c == ';')
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &head[start..];
        let mut all = fixed_words();
        if let Ok(w) = self.words.lock() {
            all.extend(w.iter().cloned());
        }
        all.sort();
        all.dedup();
        let found = all
            .into_iter()
            .filter(|w| w.starts_with(word) && w != word)
            .map(|w| Pair {
                display: w.clone(),
                replacement: w,
            })
            .collect();
        Ok((start, found))
    }
}

impl Hinter for Complete {
    type Hint = String;
}
impl Highlighter for Complete {}
impl Validator for Complete {}
impl Helper for Complete {}

/// Send `text` to the session and print its reply; false when the session
/// is gone or the line was `quit`.
fn ask(tx: &mpsc::Sender<Input>, clock: &AudioClock, text: String, json: bool) -> bool {
    let (back, reply) = mpsc::channel::<Reply>();
    // Stamped as it arrives: what the session does before it gets to the
    // line does not move when the line's notes sound.
    let line = Input::Line {
        text,
        at: Some(clock.immediate()),
        reply: Some(back),
        who: "tty".into(),
    };
    if tx.send(line).is_err() {
        return false;
    }
    match reply.recv() {
        Ok(r) => {
            let out = if json { r.json() } else { r.line() };
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{out}");
            let _ = stdout.flush();
            !r.quit
        }
        Err(_) => false,
    }
}

/// Read stdin on its own thread until its end or `quit`.
pub fn start(
    tx: mpsc::Sender<Input>,
    clock: AudioClock,
    json: bool,
    history: PathBuf,
    words: Words,
) {
    let spawn = std::thread::Builder::new().name("chronus-stdin".into());
    let _ = spawn.spawn(move || {
        if std::io::stdin().is_terminal() {
            terminal(&tx, &clock, json, &history, words);
        } else {
            for line in std::io::stdin().lock().lines() {
                let Ok(line) = line else { break };
                if !ask(&tx, &clock, line, json) {
                    return;
                }
            }
        }
        let _ = tx.send(Input::End);
    });
}

fn terminal(
    tx: &mpsc::Sender<Input>,
    clock: &AudioClock,
    json: bool,
    history: &PathBuf,
    words: Words,
) {
    let Ok(mut editor) = Editor::<Complete, rustyline::history::DefaultHistory>::new() else {
        return;
    };
    editor.set_helper(Some(Complete { words }));
    let _ = editor.load_history(history);
    loop {
        match editor.readline("chronus> ") {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                    if let Some(dir) = history.parent() {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    let _ = editor.save_history(history);
                }
                if !ask(tx, clock, line, json) {
                    return;
                }
            }
            // Ctrl-C at the prompt clears the line (the session plays on;
            // `quit` or Ctrl-D ends it).
            Err(rustyline::error::ReadlineError::Interrupted) => continue,
            Err(_) => return,
        }
    }
}
