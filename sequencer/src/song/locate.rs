//! Finding where a key path sits in the YAML text, for errors found after
//! parsing (an unknown instrument in a pattern, a pattern's syntax error).

use super::Location;

/// Locate the value of `path` (mapping keys, outermost first) in `src`.
///
/// Each key is searched as `key:` (optionally quoted) after the previous
/// key's position, so block and flow mappings both work. Returns the
/// location of the first character of the value (inside its quotes), or of
/// the last key found when the value cannot be seen.
pub(crate) fn locate(src: &str, path: &[&str]) -> Option<Location> {
    let mut pos = 0usize;
    for key in path {
        pos = find_key(src, pos, key)?;
    }
    value_after_key(src, pos).map(|v| location_of(src, v))
}

/// The byte where the value of the key at `pos` starts: past `key:`, the
/// blanks and an opening quote.
fn value_after_key(src: &str, pos: usize) -> Option<usize> {
    let rest = &src[pos..];
    let colon = rest.find(':')?;
    let mut value = pos + colon + 1;
    let bytes = src.as_bytes();
    while value < bytes.len() && (bytes[value] == b' ' || bytes[value] == b'\t') {
        value += 1;
    }
    if value < bytes.len() && (bytes[value] == b'"' || bytes[value] == b'\'') {
        value += 1;
    }
    Some(value)
}

/// One step of a path into the YAML text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PathStep<'a> {
    /// A mapping key.
    Key(&'a str),
    /// The n-th item (0-based) of the list that is the value so far.
    Item(usize),
}

/// The entry of the top-level mapping `section` (`instruments`) whose
/// block holds line `line` (1-based), if any.
pub(crate) fn enclosing_entry(src: &str, section: &str, line: usize) -> Option<String> {
    let mut inside = false;
    let mut entry: Option<String> = None;
    let mut child_indent: Option<usize> = None;
    for (i, text) in src.lines().enumerate() {
        let t = text.trim_start();
        let indent = text.len() - t.len();
        if !t.is_empty() && !t.starts_with('#') && indent == 0 {
            if inside && i + 1 > line {
                break;
            }
            inside = t.starts_with(&format!("{section}:"));
            entry = None;
            child_indent = None;
        } else if inside && !t.is_empty() && !t.starts_with('#') && !text[..indent].contains('\t') {
            let indent = text[..indent].chars().filter(|&c| c == ' ').count();
            if child_indent.is_none_or(|c| indent <= c) {
                child_indent = Some(indent);
                entry = t
                    .split_once(':')
                    .map(|(k, _)| k.trim_matches(['"', '\'']).to_string());
            }
        }
        if i + 1 == line {
            return if inside { entry } else { None };
        }
    }
    None
}

/// Locate the end of a path of keys and list items; when part of it cannot
/// be seen, the deepest part that can. `at_key`: the last key itself rather
/// than its value.
pub(crate) fn locate_path(src: &str, path: &[PathStep<'_>], at_key: bool) -> Option<Location> {
    let mut found: Option<usize> = None;
    let mut key_pos = 0usize;
    for step in path {
        let next = match *step {
            PathStep::Key(k) => find_key(src, found.unwrap_or(0), k).inspect(|&p| key_pos = p),
            PathStep::Item(i) => found.and_then(|_| item_offset(src, key_pos, i)),
        };
        match next {
            Some(p) => found = Some(p),
            None => break,
        }
    }
    let at = found?;
    let value = match path.last() {
        Some(PathStep::Key(_)) if at == key_pos && !at_key => {
            value_after_key(src, at).unwrap_or(at)
        }
        _ => at,
    };
    Some(location_of(src, value))
}

/// Locate the `index`-th item (0-based) of the block or flow sequence under
/// the top-level `key`.
pub(crate) fn locate_item(src: &str, key: &str, index: usize) -> Option<Location> {
    let start = find_key(src, 0, key)?;
    item_offset(src, start, index).map(|b| location_of(src, b))
}

/// The byte where the `index`-th item of the list under the key at
/// `key_pos` starts (a block list of `- ` lines, or a flow `[...]`).
fn item_offset(src: &str, key_pos: usize, index: usize) -> Option<usize> {
    let line_start = src[..key_pos].rfind('\n').map_or(0, |n| n + 1);
    let key_indent = key_pos - line_start;
    let after = key_pos + src[key_pos..].find(':')? + 1;
    let rest = &src[after..];
    let trimmed = rest.trim_start();
    if trimmed.starts_with('[') {
        // Flow sequence: count commas at depth 1.
        let open = after + (rest.len() - trimmed.len());
        let mut depth = 0i32;
        let mut item = 0usize;
        for (i, ch) in src[open..].char_indices() {
            match ch {
                '[' | '{' => {
                    depth += 1;
                    if depth == 1 && item == index {
                        return Some(open + i + 1);
                    }
                }
                ']' | '}' => depth -= 1,
                ',' if depth == 1 => {
                    item += 1;
                    if item == index {
                        let skip =
                            src[open + i + 1..].len() - src[open + i + 1..].trim_start().len();
                        return Some(open + i + 1 + skip);
                    }
                }
                _ => {}
            }
            if depth == 0 && i > 0 {
                break;
            }
        }
        return None;
    }
    let mut item = 0usize;
    let mut offset = after;
    for (n, line) in rest.split_inclusive('\n').enumerate() {
        let t = line.trim_start();
        let indent = line.len() - t.len();
        if t.starts_with("- ") || t == "-\n" || t == "-" {
            if item == index {
                return Some((offset + indent + 2).min(src.len()));
            }
            item += 1;
        } else if n > 0 && !t.is_empty() && !t.starts_with('#') && indent <= key_indent {
            break; // the next key of the mapping the list is in
        }
        offset += line.len();
    }
    None
}

/// Sharpen a serde error located at the start of a mapping entry (serde
/// reports errors inside an instrument at the instrument, since tagged enums
/// are buffered before they are read): find the offending token that the
/// message names (a backticked key or variant, or a quoted value) inside
/// that entry, and name the entry in the message's path.
/// Returns the improved location and message, or `None` to keep them.
pub(crate) fn refine(src: &str, at: Location, message: &str) -> Option<(Location, String)> {
    let start = offset_of(src, at)?;
    // The entry's own key, e.g. `bass` at `  bass:`.
    let rest = &src[start..];
    let key_len = rest.find(':')?;
    let key = rest[..key_len].trim().trim_matches(['"', '\'']);
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    // The entry ends at the next line indented no deeper than it.
    let indent = at.column - 1;
    let mut end = src.len();
    let mut line_start = start + rest.find('\n').map_or(rest.len(), |n| n + 1);
    while line_start < src.len() {
        let line = &src[line_start..];
        let line_end = line.find('\n').map_or(line.len(), |n| n + 1);
        let text = &line[..line_end];
        let depth = text.len() - text.trim_start().len();
        let blank = text.trim().is_empty() || text.trim_start().starts_with('#');
        if !blank && depth <= indent {
            end = line_start;
            break;
        }
        line_start += line_end;
    }
    let token = named_token(message)?;
    let entry = &src[start..end];
    let mut from = key_len + 1;
    let found = loop {
        let i = entry[from..].find(token.as_str())? + from;
        let before = entry[..i].chars().next_back();
        let after = entry[i + token.len()..].chars().next();
        let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !word(before) && !word(after) {
            break i;
        }
        from = i + token.len();
    };
    let (path, what) = match message.split_once(": ") {
        Some((p, w)) if !p.contains(' ') => (p, w),
        _ => ("", message),
    };
    let path = if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    };
    Some((location_of(src, start + found), format!("{path}: {what}")))
}

/// For a "duplicate name `K`" error reported at the first `K:` of a
/// mapping, the location of the second one (same indentation, later).
pub(crate) fn duplicate_key(src: &str, at: Location, message: &str) -> Option<Location> {
    let start = offset_of(src, at)?;
    if let Some((_, rest)) = message.split_once("duplicate entry with key \"") {
        // Inside an instrument: `at` is the mapping's first key; the
        // duplicate is the second line with this key at that indentation.
        let key = rest.split_once('"')?.0;
        let line_start = src[..start].rfind('\n').map_or(0, |n| n + 1);
        let indent = &src[line_start..start];
        let needle = format!("\n{indent}{key}:");
        let hay = &src[line_start.saturating_sub(1)..];
        let first = hay.find(&needle)?;
        let second = first + 1 + hay[first + 1..].find(&needle)?;
        return Some(location_of(
            src,
            line_start.saturating_sub(1) + second + 1 + indent.len(),
        ));
    }
    let key = message.split_once("duplicate name `")?.1.split_once('`')?.0;
    let needle = format!("\n{}{key}:", " ".repeat(at.column - 1));
    let i = src[start..].find(&needle)?;
    Some(location_of(src, start + i + 1 + at.column - 1))
}

/// The token an error message complains about: the first `backticked`
/// word, or the first "quoted" string.
fn named_token(message: &str) -> Option<String> {
    for quote in ['`', '"'] {
        if let Some(a) = message.find(quote) {
            let rest = &message[a + 1..];
            if let Some(b) = rest.find(quote) {
                if b > 0 {
                    return Some(rest[..b].to_string());
                }
            }
        }
    }
    None
}

/// Byte offset of a 1-based line and column.
fn offset_of(src: &str, at: Location) -> Option<usize> {
    let mut offset = 0;
    for (i, line) in src.split_inclusive('\n').enumerate() {
        if i + 1 == at.line {
            let col: usize = line.chars().take(at.column - 1).map(char::len_utf8).sum();
            return Some(offset + col);
        }
        offset += line.len();
    }
    None
}

fn find_key(src: &str, from: usize, key: &str) -> Option<usize> {
    let hay = &src[from..];
    let candidates = [
        format!("{key}:"),
        format!("\"{key}\":"),
        format!("'{key}':"),
    ];
    let mut best: Option<usize> = None;
    for pat in &candidates {
        let mut start = 0;
        while let Some(i) = hay[start..].find(pat.as_str()) {
            let at = start + i;
            let before = hay[..at].chars().next_back();
            let boundary = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '-'));
            let line_start = hay[..at].rfind('\n').map_or(0, |n| n + 1);
            let in_comment = hay[line_start..at].contains('#');
            if boundary && !in_comment {
                best = Some(best.map_or(at, |b: usize| b.min(at)));
                break;
            }
            start = at + pat.len();
        }
    }
    best.map(|b| from + b)
}

fn location_of(src: &str, byte: usize) -> Location {
    let before = &src[..byte.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let column = before[line_start..].chars().count() + 1;
    Location { line, column }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "tempo: 120\npatterns:\n  groove:\n    kick: \"x...\"\n    hat: { a: 1 }\n  fill: { kick: \"xx\" }\narrangement:\n  - groove\n  - { pattern: fill, repeat: 2 }\n";

    #[test]
    fn refines_errors_inside_an_entry() {
        let src = "tempo: 1\ninstruments:\n  bass:\n    type: synth\n    cutof: 500\n  kick: { type: kick, decay: fast }\n";
        let (l, m) = refine(
            src,
            Location { line: 3, column: 3 },
            "instruments: unknown field `cutof`, expected one of `cutoff`",
        )
        .unwrap();
        assert_eq!((l.line, l.column), (5, 5));
        assert!(
            m.starts_with("instruments.bass: unknown field `cutof`"),
            "{m}"
        );
        let (l, _) = refine(
            src,
            Location { line: 6, column: 3 },
            "instruments: invalid type: string \"fast\", expected f64",
        )
        .unwrap();
        assert_eq!((l.line, l.column), (6, 30));
    }

    #[test]
    fn finds_block_and_flow_keys() {
        assert_eq!(
            locate(SRC, &["patterns", "groove", "kick"]),
            Some(Location {
                line: 4,
                column: 12
            })
        );
        assert_eq!(
            locate(SRC, &["patterns", "fill", "kick"]),
            Some(Location {
                line: 6,
                column: 18
            })
        );
        assert_eq!(
            locate_item(SRC, "arrangement", 1),
            Some(Location { line: 9, column: 5 })
        );
        assert_eq!(
            locate_item("arrangement: [a, b]\n", "arrangement", 1),
            Some(Location {
                line: 1,
                column: 18
            })
        );
    }
}
