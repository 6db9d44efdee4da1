//! `--watch`: re-read a song when its file changes, however the editor
//! saves it (a new file renamed over it, or the file truncated and written
//! again), and hand the new song (or why it does not load) to the session.

use chronus::live::live_session::Input;
use notify::{RecursiveMode, Watcher};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// Quiet time after a change before the file is read: an editor's save is
/// several events (truncate, write, close; or create, write, rename).
const SETTLE: Duration = Duration::from_millis(50);

/// The watch on a song file; dropping it stops it.
pub struct SongWatch {
    _watcher: notify::RecommendedWatcher,
}

/// Watch `song`: each change, once the file has settled, is read with
/// `load` and sent to `inputs` as [`Input::Song`].
///
/// # Errors
/// The folder cannot be watched.
pub fn watch(
    song: &Path,
    inputs: mpsc::Sender<Input>,
    load: impl Fn(&Path) -> Result<chronus::sequencer::Song, String> + Send + 'static,
) -> Result<SongWatch, String> {
    let path = std::path::absolute(song).unwrap_or_else(|_| song.to_path_buf());
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let name = path.file_name().map(ToOwned::to_owned);
    let (tx, rx) = mpsc::channel::<()>();
    // The folder, not the file: a save by rename replaces the file (and
    // its inode) under a watch on the file itself.
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let ours = event.paths.iter().any(|p| p.file_name() == name.as_deref());
        let relevant = !matches!(event.kind, notify::EventKind::Access(_));
        if ours && relevant {
            let _ = tx.send(());
        }
    })
    .map_err(|e| format!("--watch {}: cannot watch: {e}", song.display()))?;
    watcher
        .watch(&dir, RecursiveMode::NonRecursive)
        .map_err(|e| {
            format!(
                "--watch {}: cannot watch {}: {e}",
                song.display(),
                dir.display()
            )
        })?;
    std::thread::Builder::new()
        .name("chronus-watch".into())
        .spawn(move || {
            let mut last: Option<Vec<u8>> = std::fs::read(&path).ok();
            while rx.recv().is_ok() {
                while rx.recv_timeout(SETTLE).is_ok() {}
                let Ok(bytes) = std::fs::read(&path) else {
                    // Gone for a moment (a save by rename): the rename's
                    // own event follows.
                    continue;
                };
                if last.as_ref() == Some(&bytes) {
                    continue;
                }
                last = Some(bytes);
                let song = load(&path).map(Box::new);
                if inputs.send(Input::Song(song)).is_err() {
                    return;
                }
            }
        })
        .map_err(|e| format!("--watch: cannot start the watcher thread: {e}"))?;
    Ok(SongWatch { _watcher: watcher })
}

/// The watch on a modules folder; dropping it stops it.
pub struct ModulesWatch {
    _watcher: std::sync::Arc<std::sync::Mutex<notify::RecommendedWatcher>>,
}

/// Watch the module files (`*.cm`) in `dir`: each one that changes, once
/// it has settled, is reloaded into the session (`reload NAME`, as if
/// typed) and the reply printed. A folder not there yet is watched for
/// from its parent (nothing is made here; `generate_module` makes it).
///
/// # Errors
/// The folder (or its parent) cannot be watched.
pub fn watch_modules(dir: &Path, inputs: mpsc::Sender<Input>) -> Result<ModulesWatch, String> {
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    let (tx, rx) = mpsc::channel::<PathBuf>();
    let folder = dir.clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for p in event.paths {
            // A module file, or the folder itself appearing.
            if p.extension().is_some_and(|e| e == "cm") || p == folder {
                let _ = tx.send(p);
            }
        }
    })
    .map_err(|e| format!("cannot watch {}: {e}", dir.display()))?;
    let watcher = std::sync::Arc::new(std::sync::Mutex::new(watcher));
    let watch = |w: &std::sync::Mutex<notify::RecommendedWatcher>, path: &Path| {
        let mut w = match w.lock() {
            Ok(w) => w,
            Err(poisoned) => poisoned.into_inner(),
        };
        w.watch(path, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", path.display()))
    };
    if dir.is_dir() {
        watch(&watcher, &dir)?;
    } else {
        let parent = dir
            .parent()
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        watch(&watcher, &parent)?;
    }
    let shared = std::sync::Arc::clone(&watcher);
    std::thread::Builder::new()
        .name("chronus-watch-modules".into())
        .spawn(move || {
            let mut last: std::collections::HashMap<PathBuf, Vec<u8>> =
                std::collections::HashMap::new();
            let mut watching = dir.is_dir();
            while let Ok(first) = rx.recv() {
                let mut changed = vec![first];
                while let Ok(p) = rx.recv_timeout(SETTLE) {
                    if !changed.contains(&p) {
                        changed.push(p);
                    }
                }
                for path in changed {
                    if path == dir {
                        if !watching && dir.is_dir() && watch(&shared, &dir).is_ok() {
                            watching = true;
                        }
                        continue;
                    }
                    // Gone for a moment (a save by rename): its rename's
                    // own event follows.
                    let Ok(bytes) = std::fs::read(&path) else {
                        continue;
                    };
                    if last.get(&path) == Some(&bytes) {
                        continue;
                    }
                    last.insert(path.clone(), bytes);
                    let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
                        continue;
                    };
                    let (back, reply) = mpsc::channel();
                    let line = Input::Line {
                        text: format!("reload {name}"),
                        at: None,
                        reply: Some(back),
                        who: "watch".into(),
                    };
                    if inputs.send(line).is_err() {
                        return;
                    }
                    if let Ok(r) = reply.recv_timeout(Duration::from_secs(5)) {
                        eprintln!("modules/{name}.cm changed: {}", r.line());
                    }
                }
            }
        })
        .map_err(|e| format!("cannot start the modules watcher thread: {e}"))?;
    Ok(ModulesWatch { _watcher: watcher })
}
