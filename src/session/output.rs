//! Files a session writes besides patches (`look` pictures, `render` WAV
//! files): only under the session's folder (the patch folder's parent),
//! through a temporary file and a rename.

use super::Session;
use chronus_command::Word;
use std::path::{Component, Path, PathBuf};

/// The session's folder: where `patches/`, `modules/`, `looks/` and
/// `renders/` are.
pub(super) fn folder(s: &Session) -> PathBuf {
    match s.patches.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Where a file goes: `given` (relative to the session's folder, inside it,
/// ending in `.EXT`), or `sub/default.EXT` there.
pub(super) fn path(
    s: &Session,
    given: Option<&Word>,
    sub: &str,
    default: &str,
    ext: &str,
) -> Result<PathBuf, String> {
    let base = folder(s);
    let Some(w) = given else {
        return Ok(base.join(sub).join(format!("{default}.{ext}")));
    };
    let mut p = Path::new(&w.text).to_path_buf();
    if p.is_absolute() {
        // An absolute name inside the folder (as an MCP client gives).
        let root = std::fs::canonicalize(&base).unwrap_or_else(|_| base.clone());
        if let Ok(rest) = p.strip_prefix(&root) {
            p = rest.to_path_buf();
        }
    }
    let inside = p
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
        && p.components().next().is_some();
    if !inside {
        return Err(format!(
            "-o {}: give a file name inside the session's folder ({}), such as {sub}/{default}.{ext}",
            w.text,
            base.display()
        ));
    }
    let ok_ext = p
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case(ext));
    if !ok_ext {
        return Err(format!(
            "-o {}: expected a .{ext} file name (such as {default}.{ext})",
            w.text
        ));
    }
    Ok(base.join(&p))
}

/// `path` shown relative to the session's folder when it is inside it.
pub(super) fn shown(s: &Session, path: &Path) -> String {
    let base = folder(s);
    path.strip_prefix(&base)
        .unwrap_or(path)
        .display()
        .to_string()
}
