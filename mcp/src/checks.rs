//! The checks on each argument: every one fails with the one line a person
//! would see, starting with `error: `.

use std::path::Path;

/// Most bars `listen`, `preview`, `look` and `render` take (as the session).
pub(crate) const MAX_BARS: i64 = 64;
/// Longest command line `command` sends, in characters.
pub(crate) const MAX_LINE: usize = 10_000;

/// A checked value, or the one-line `error: ...` message refusing it.
pub(crate) type Checked<T> = Result<T, String>;

/// `value` as a person would see it quoted back: escaped, and cut short.
fn shown(value: &str) -> String {
    const MOST: usize = 40;
    let escaped: String = value.escape_debug().collect();
    if escaped.chars().count() > MOST {
        let cut: String = escaped.chars().take(MOST).collect();
        format!("{cut}...")
    } else {
        escaped
    }
}

/// Whether `s` is a bare name: an ASCII letter, then letters, digits, `_`
/// and `-`.
pub(crate) fn is_bare_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// `value` checked as a bare name; `what` says which kind (`a track name`).
pub(crate) fn name<'a>(value: &'a str, what: &str) -> Checked<&'a str> {
    if is_bare_name(value) {
        Ok(value)
    } else {
        Err(format!(
            "error: expected {what}, got '{}': names use letters, digits, _ and -, and start with a letter",
            shown(value)
        ))
    }
}

/// An optional name: absent, or empty or blank (taken as absent), or a
/// bare name.
pub(crate) fn optional_name<'a>(value: &'a Option<String>, what: &str) -> Checked<Option<&'a str>> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => name(v, what).map(Some),
    }
}

/// `bars` checked to be 1 to [`MAX_BARS`].
pub(crate) fn bars(value: Option<i64>) -> Checked<Option<i64>> {
    match value {
        Some(n) if !(1..=MAX_BARS).contains(&n) => Err(format!(
            "error: expected bars=1 to bars={MAX_BARS}, got 'bars={n}'"
        )),
        _ => Ok(value),
    }
}

/// A command line checked to be one line, not blank, and not too long.
pub(crate) fn command_line(line: &str) -> Checked<&str> {
    let line = line.trim();
    if line.is_empty() {
        return Err("error: expected a command line, such as create kick (help lists them)".into());
    }
    if line.chars().any(|c| c.is_control() && c != '\t') {
        return Err(
            "error: a command line is one line: no line breaks or control characters (join commands with ;)"
                .into(),
        );
    }
    let length = line.chars().count();
    if length > MAX_LINE {
        return Err(format!(
            "error: the command line is too long ({length} characters, at most {MAX_LINE})"
        ));
    }
    Ok(line)
}

/// A render file name checked to be bare and end in `.wav`.
pub(crate) fn wav_name(file: &str) -> Checked<&str> {
    let bare = !file.is_empty()
        && file
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
        && !file.contains("..")
        && !file.starts_with('.');
    let lower = file.to_ascii_lowercase();
    if bare && lower.ends_with(".wav") && lower.len() > ".wav".len() {
        Ok(file)
    } else {
        Err(format!(
            "error: expected a bare file name ending in .wav (letters, digits, _, - and ., no folders), such as groove.wav, got '{}'",
            shown(file)
        ))
    }
}

/// `path` as one quoted word of a command line (`"` and `\` escaped).
pub(crate) fn quoted_path(path: &Path) -> Checked<String> {
    let Some(text) = path.to_str().filter(|t| !t.chars().any(char::is_control)) else {
        return Err(format!(
            "error: the session's folder has a name a command line cannot hold: {}",
            shown(&path.to_string_lossy())
        ));
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    Ok(out)
}
