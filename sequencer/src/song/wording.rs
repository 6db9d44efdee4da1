//! serde's and libyaml's messages in a song's terms: no Rust type names,
//! and a hint for the usual YAML slips (tabs, a line indented too far).

/// What serde calls a kind of value, as a musician reads it.
fn found(kind: &str) -> String {
    let kind = kind.trim();
    if let Some(s) = kind.strip_prefix("string ") {
        return format!("the text {s}");
    }
    for prefix in ["integer ", "floating point "] {
        if let Some(n) = kind.strip_prefix(prefix) {
            return format!("the number {}", n.trim_matches('`'));
        }
    }
    if let Some(b) = kind.strip_prefix("boolean ") {
        return b.trim_matches('`').to_string();
    }
    match kind {
        "map" => "a mapping (key: value lines)".to_string(),
        "sequence" => "a list".to_string(),
        "unit value" => "nothing (an empty value)".to_string(),
        other => other.to_string(),
    }
}

/// What serde expected, in song terms.
fn expected(what: &str) -> String {
    let what = what.trim();
    match what {
        "f64" | "f32" => "a number".to_string(),
        "u8" | "u16" | "u32" | "u64" | "usize" | "i8" | "i16" | "i32" | "i64" | "isize" => {
            "a whole number".to_string()
        }
        "a string" => "text".to_string(),
        "a sequence" => "a list (one `- item` per line)".to_string(),
        "a boolean" => "true or false".to_string(),
        "a map" => "a mapping (key: value lines)".to_string(),
        w if w.starts_with("struct ") => "a mapping (key: value lines)".to_string(),
        w => w.to_string(),
    }
}

/// Rewrite one serde or libyaml message.
pub(crate) fn in_song_terms(message: &str) -> String {
    let mut out = message.to_string();
    // The message may start with a key path (`tempo: invalid type: ...`).
    for head in ["invalid type: ", "invalid value: "] {
        if let Some(i) = out.find(head) {
            let (path, rest) = (&out[..i], &out[i + head.len()..]);
            if let Some((what, exp)) = rest.split_once(", expected ") {
                out = format!("{path}expected {} but found {}", expected(exp), found(what));
            }
        }
    }
    out = out.replace("unknown variant ", "unknown choice ");
    if let Some(i) = out.find("duplicate entry with key \"") {
        let rest = &out[i + "duplicate entry with key \"".len()..];
        if let Some((key, tail)) = rest.split_once('"') {
            out = format!(
                "{}the key `{key}` appears twice{tail}: each key may appear once",
                &out[..i]
            );
        }
    }
    if out.contains("tab character") {
        out.push_str(": indent with spaces, not tabs");
    } else if out.contains("mapping values are not allowed")
        || out.contains("did not find expected key")
        || out.contains("did not find expected '-'")
    {
        out.push_str(": check the indentation (the keys of one mapping line up, with spaces)");
    }
    out
}

/// A hint when an unknown choice is two words: YAML joins a line indented
/// deeper than the one before it onto that line's value.
pub(crate) fn joined_lines_hint(value: &str) -> &'static str {
    if value.trim().contains(' ') {
        " (two words: is the next line indented deeper than this one? YAML then joins it onto this value)"
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_rust_type_names() {
        assert_eq!(
            in_song_terms("invalid type: string \"high\", expected f64"),
            "expected a number but found the text \"high\""
        );
        assert_eq!(
            in_song_terms("invalid type: map, expected a sequence"),
            "expected a list (one `- item` per line) but found a mapping (key: value lines)"
        );
        assert_eq!(
            in_song_terms("invalid type: floating point `1.5`, expected u64"),
            "expected a whole number but found the number 1.5"
        );
        assert_eq!(
            in_song_terms("unknown variant `sawtooth`, expected one of `sine`, `saw`"),
            "unknown choice `sawtooth`, expected one of `sine`, `saw`"
        );
        assert!(
            in_song_terms("found a tab character that violates indentation").ends_with("not tabs")
        );
        assert_eq!(
            in_song_terms("tempo: invalid type: string \"fast\", expected f64"),
            "tempo: expected a number but found the text \"fast\""
        );
    }
}
