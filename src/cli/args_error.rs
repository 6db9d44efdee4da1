//! One line for a bad command line, in the user's terms: what is missing
//! or wrong, and what would be right (clap's own message spreads that over
//! several lines of usage).

use chronus_sequencer::song::suggest::distance;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The values of `kind` in `e`'s context, as text.
fn values(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect(),
        Some(ContextValue::Number(n)) => vec![n.to_string()],
        _ => Vec::new(),
    }
}

/// `--output <OUTPUT>` as the help shows it: `-o OUT.wav` for render's.
fn shown(arg: &str) -> String {
    match arg.split_whitespace().next() {
        Some("--output") => "-o OUT.wav".to_string(),
        _ => arg.replace(['<', '>'], ""),
    }
}

/// The command `word` was most likely meant to be (at most two edits
/// away, or what it begins).
fn closest<'a>(word: &str, commands: &[&'a str]) -> Option<&'a str> {
    commands
        .iter()
        .map(|c| {
            (
                !(word.len() > 1 && c.starts_with(word)),
                distance(word, c),
                *c,
            )
        })
        .filter(|(other, d, _)| !other || *d <= 2)
        .min()
        .map(|(_, _, c)| c)
}

/// The one-line message (without `error: `) for `e`; `commands` are the
/// subcommands' names.
pub fn one_line(e: &clap::Error, commands: &[&str]) -> String {
    let arg = values(e, ContextKind::InvalidArg);
    let arg = arg.first().map_or("", String::as_str);
    let suggested = values(e, ContextKind::SuggestedArg);
    match e.kind() {
        ErrorKind::MissingRequiredArgument => {
            let missing: Vec<String> = values(e, ContextKind::InvalidArg)
                .iter()
                .map(|a| shown(a))
                .collect();
            let verb = if missing.len() == 1 { "is" } else { "are" };
            format!("{} {verb} required", missing.join(" and "))
        }
        ErrorKind::UnknownArgument => match suggested.first() {
            Some(s) => format!("there is no option {arg}: did you mean {s}?"),
            None => format!("there is no option {arg} here"),
        },
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => {
            let value = values(e, ContextKind::InvalidValue);
            let value = value.first().map_or("", String::as_str);
            let name = arg.split_whitespace().next().unwrap_or(arg);
            let valid = values(e, ContextKind::ValidValue);
            if value.is_empty() {
                let what = if name == "--output" {
                    shown(arg)
                } else {
                    name.to_string()
                };
                format!("{what} needs a value")
            } else if !valid.is_empty() {
                format!("{name} {value}: expected one of {}", valid.join(", "))
            } else if std::error::Error::source(e)
                .is_some_and(|s| s.is::<std::num::ParseIntError>())
            {
                format!("{name} {value}: expected a whole number")
            } else {
                // clap's reason, after its quoting ("5 is not in 8000..=384000").
                let text = e.to_string();
                let first = text.lines().next().unwrap_or("");
                let reason = first.rsplit("': ").next().unwrap_or(first).trim_end();
                format!("{name} {value}: {reason}")
            }
        }
        ErrorKind::InvalidSubcommand => {
            let name = values(e, ContextKind::InvalidSubcommand);
            let name = name.first().map_or("", String::as_str);
            match closest(name, commands) {
                Some(s) => format!("there is no command {name}: did you mean {s}?"),
                None => format!("there is no command {name}"),
            }
        }
        _ => {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or("bad arguments");
            first.trim_start_matches("error: ").trim_end().to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mistyped_command_finds_the_nearest() {
        let commands = ["render", "play", "check", "live", "send", "listen"];
        assert_eq!(closest("rendr", &commands), Some("render"));
        assert_eq!(closest("lve", &commands), Some("live"));
        assert_eq!(closest("lis", &commands), Some("listen"));
        assert_eq!(closest("xyzzy", &commands), None);
    }
}
