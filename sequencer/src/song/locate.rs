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
    // Skip past `key:` and blanks, then an opening quote.
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
    Some(location_of(src, value))
}

/// Locate the `index`-th item (0-based) of the block or flow sequence under
/// the top-level `key`.
pub(crate) fn locate_item(src: &str, key: &str, index: usize) -> Option<Location> {
    let start = find_key(src, 0, key)?;
    let after = start + src[start..].find(':')? + 1;
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
                        return Some(location_of(src, open + i + 1));
                    }
                }
                ']' | '}' => depth -= 1,
                ',' if depth == 1 => {
                    item += 1;
                    if item == index {
                        let skip =
                            src[open + i + 1..].len() - src[open + i + 1..].trim_start().len();
                        return Some(location_of(src, open + i + 1 + skip));
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
    for line in rest.split_inclusive('\n') {
        let t = line.trim_start();
        if t.starts_with("- ") || t == "-\n" || t == "-" {
            if item == index {
                let col = offset + (line.len() - t.len()) + 2;
                return Some(location_of(src, col.min(src.len())));
            }
            item += 1;
        } else if !t.is_empty() && !t.starts_with('#') && line.len() == t.len() {
            break; // next top-level key
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
