//! "Did you mean …?" for misspelt names.

/// ` (did you mean `x`?)` for the closest of `known` to `name`, or a list of
/// what is known when nothing is close.
pub fn did_you_mean(name: &str, known: &[&str]) -> String {
    let best = known
        .iter()
        .map(|k| (distance(name, k), *k))
        .min_by_key(|(d, _)| *d);
    match best {
        Some((d, k)) if d <= 2.max(name.len() / 3) => format!(" (did you mean `{k}`?)"),
        _ if known.is_empty() => String::new(),
        _ => format!(" (expected one of: {})", known.join(", ")),
    }
}

/// Levenshtein distance: the edits (insertions, deletions, substitutions)
/// from `a` to `b`.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            did_you_mean("kik", &["kick", "bass"]),
            " (did you mean `kick`?)"
        );
        assert_eq!(
            did_you_mean("zzzzzz", &["kick", "bass"]),
            " (expected one of: kick, bass)"
        );
    }
}
