//! The session's journal: every accepted line that changes the session,
//! appended with the frame and bar it took effect and flushed to disk
//! (fsync) before its `ok` is printed, so that `chronus live --resume`
//! rebuilds the session after a `kill -9` or a power cut.
//!
//! Two files in the patch folder (hidden from `list patches`: patch names
//! cannot start with a dot):
//! - `.session.yaml`, the base: the whole session as a patch (empty for a
//!   session without instruments), written at
//!   the start and again (rotated) whenever the session is saved or a
//!   patch or song is loaded, through a temporary file, fsync and rename;
//! - `.session.journal`, the lines since the base, one per line:
//!   `cmd FRAME BAR "LINE"` (the line as a JSON string) and, once a bar,
//!   `at FRAME BAR`: where the music was.
//!
//! Resuming loads the base and runs the lines again in order; the music
//! starts at the bar after the last one the journal saw. A torn last line
//! (the crash came mid-write) is ignored and reported.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The base's file name in the patch folder.
pub const BASE: &str = ".session.yaml";
/// The journal's file name in the patch folder.
pub const JOURNAL: &str = ".session.journal";
/// The first line of every journal.
const HEADER: &str = "# chronus session journal 1";

/// An open journal.
pub struct Journal {
    dir: PathBuf,
    file: File,
    /// The last bar written with `at`.
    last_bar: Option<u64>,
}

/// What a journal on disk holds.
#[derive(Debug, Default)]
pub struct Recovered {
    /// The base session (a patch), if one was written.
    pub base: Option<String>,
    /// The lines since, in order.
    pub lines: Vec<String>,
    /// The last bar the journal knows the music reached (0-based).
    pub bar: u64,
    /// A last line cut short, with its line number.
    pub torn: Option<(usize, String)>,
}

fn io(path: &Path, what: &str, e: &std::io::Error) -> String {
    format!("{}: cannot {what}: {e}", path.display())
}

impl Journal {
    /// Start a journal in `dir` whose base is `base` (a patch's text): the
    /// base is written first, then the journal is emptied.
    ///
    /// # Errors
    /// A message naming the file and the OS error.
    pub fn start(dir: &Path, base: &str) -> Result<Self, String> {
        super::patch::write_atomic(&dir.join(BASE), base)?;
        let path = dir.join(JOURNAL);
        let mut file = File::create(&path).map_err(|e| io(&path, "create the journal", &e))?;
        writeln!(file, "{HEADER}").map_err(|e| io(&path, "write", &e))?;
        file.sync_all().map_err(|e| io(&path, "flush", &e))?;
        sync_dir(dir);
        Ok(Journal {
            dir: dir.to_path_buf(),
            file,
            last_bar: None,
        })
    }

    /// Start again from `base` (the session was saved, or a patch loaded).
    ///
    /// # Errors
    /// As [`Journal::start`].
    pub fn rotate(&mut self, base: &str) -> Result<(), String> {
        *self = Journal::start(&self.dir, base)?;
        Ok(())
    }

    fn write(&mut self, text: &str) -> Result<(), String> {
        let path = self.dir.join(JOURNAL);
        self.file
            .write_all(text.as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| io(&path, "write", &e))
    }

    /// Append an accepted `line` that took effect at `frame`, in `bar`
    /// (0-based), and flush it to disk.
    ///
    /// # Errors
    /// A message naming the journal and the OS error.
    pub fn command(&mut self, frame: u64, bar: u64, line: &str) -> Result<(), String> {
        let quoted = serde_json::to_string(line).unwrap_or_else(|_| "\"\"".into());
        self.write(&format!("cmd {frame} {bar} {quoted}\n"))
    }

    /// Note that the music has reached `bar` (0-based) at `frame`; once a
    /// bar at most.
    ///
    /// # Errors
    /// A message naming the journal and the OS error.
    pub fn position(&mut self, frame: u64, bar: u64) -> Result<(), String> {
        if self.last_bar.is_some_and(|b| b >= bar) {
            return Ok(());
        }
        self.last_bar = Some(bar);
        self.write(&format!("at {frame} {bar}\n"))
    }

    /// Read the journal in `dir`.
    ///
    /// # Errors
    /// A journal that is there but unreadable, or not a journal.
    pub fn read(dir: &Path) -> Result<Recovered, String> {
        let path = dir.join(JOURNAL);
        let mut out = Recovered::default();
        let base = dir.join(BASE);
        if base.exists() {
            out.base =
                Some(std::fs::read_to_string(&base).map_err(|e| io(&base, "read the base", &e))?);
        }
        let text = match std::fs::read(&path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(format!(
                "{}: no session journal to resume (chronus live writes one in its patch folder)",
                path.display()
            ))
            }
            Err(e) => return Err(io(&path, "read the journal", &e)),
        };
        let complete = text.ends_with('\n');
        let lines: Vec<&str> = text.lines().collect();
        match lines.first() {
            Some(first) if *first == HEADER => {}
            _ => {
                return Err(format!(
                    "{}: line 1: expected '{HEADER}': not a session journal",
                    path.display()
                ))
            }
        }
        for (i, line) in lines.iter().enumerate().skip(1) {
            let last = i + 1 == lines.len();
            match parse(line) {
                Some(Entry::Command { bar, line }) => {
                    out.bar = out.bar.max(bar);
                    if last && !complete {
                        out.torn = Some((i + 1, line.clone()));
                    } else {
                        out.lines.push(line);
                    }
                }
                Some(Entry::At { bar }) => out.bar = out.bar.max(bar),
                None if last => out.torn = Some((i + 1, (*line).to_string())),
                None => {
                    return Err(format!(
                    "{}: line {}: expected 'cmd FRAME BAR \"LINE\"' or 'at FRAME BAR', found '{}'",
                    path.display(),
                    i + 1,
                    line.chars().take(60).collect::<String>()
                ))
                }
            }
        }
        Ok(out)
    }
}

/// One journal line.
enum Entry {
    Command { bar: u64, line: String },
    At { bar: u64 },
}

fn parse(line: &str) -> Option<Entry> {
    let mut words = line.splitn(4, ' ');
    let kind = words.next()?;
    let _frame: u64 = words.next()?.parse().ok()?;
    let bar: u64 = words.next()?.trim().parse().ok()?;
    match kind {
        "cmd" => {
            let text: String = serde_json::from_str(words.next()?).ok()?;
            Some(Entry::Command { bar, line: text })
        }
        "at" if words.next().is_none() => Some(Entry::At { bar }),
        _ => None,
    }
}

/// Flush `dir`'s entries (a rename or a new file) to disk, where the OS
/// allows it.
pub fn sync_dir(dir: &Path) {
    if let Ok(d) = OpenOptions::new().read(true).open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("chronus-journal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).ok();
        d
    }

    #[test]
    fn lines_and_positions_come_back_in_order() {
        let d = dir("order");
        let mut j = Journal::start(&d, "tempo: 120\n").expect("start");
        j.command(100, 0, "create kick").expect("write");
        j.position(96_000, 1).expect("write");
        j.position(96_100, 1).expect("write"); // once a bar
        j.command(97_000, 1, "sequence kick: \"x . x .\"; play kick")
            .expect("write");
        let r = Journal::read(&d).expect("read");
        assert_eq!(r.base.as_deref(), Some("tempo: 120\n"));
        assert_eq!(
            r.lines,
            vec!["create kick", "sequence kick: \"x . x .\"; play kick"]
        );
        assert_eq!(r.bar, 1);
        assert!(r.torn.is_none());
        let text = std::fs::read_to_string(d.join(JOURNAL)).expect("text");
        assert_eq!(text.lines().filter(|l| l.starts_with("at ")).count(), 1);
    }

    #[test]
    fn a_torn_last_line_is_ignored_and_reported() {
        let d = dir("torn");
        let mut j = Journal::start(&d, "").expect("start");
        j.command(1, 0, "create kick").expect("write");
        j.command(2, 3, "create bass").expect("write");
        drop(j);
        // The crash came halfway through writing the second line.
        let path = d.join(JOURNAL);
        let text = std::fs::read_to_string(&path).expect("text");
        std::fs::write(&path, &text[..text.len() - 6]).expect("tear");
        let r = Journal::read(&d).expect("read");
        assert_eq!(r.lines, vec!["create kick"]);
        let (n, line) = r.torn.expect("torn");
        assert_eq!(n, 3);
        assert!(line.starts_with("cmd 2 3"), "{line}");
    }

    #[test]
    fn rotating_starts_from_the_new_base() {
        let d = dir("rotate");
        let mut j = Journal::start(&d, "a\n").expect("start");
        j.command(1, 0, "create kick").expect("write");
        j.rotate("b\n").expect("rotate");
        j.command(2, 0, "create bass").expect("write");
        let r = Journal::read(&d).expect("read");
        assert_eq!(r.base.as_deref(), Some("b\n"));
        assert_eq!(r.lines, vec!["create bass"]);
    }

    #[test]
    fn damage_in_the_middle_is_refused_with_its_line() {
        let d = dir("damage");
        let mut j = Journal::start(&d, "").expect("start");
        j.command(1, 0, "create kick").expect("write");
        j.command(2, 0, "create bass").expect("write");
        drop(j);
        let path = d.join(JOURNAL);
        let text = std::fs::read_to_string(&path)
            .expect("text")
            .replacen("cmd 1 0", "cmd x", 1);
        std::fs::write(&path, text).expect("damage");
        let e = Journal::read(&d).expect_err("damaged");
        assert!(e.contains("line 2: expected 'cmd FRAME BAR"), "{e}");
        assert!(Journal::read(&dir("none"))
            .expect_err("none")
            .contains("no session journal"));
    }
}
