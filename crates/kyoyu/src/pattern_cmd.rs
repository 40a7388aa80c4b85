//! `kyoyu pattern check` and `kyoyu pattern match`.

use crate::{EXIT_USAGE, parse_json, read_input};
use kyoyu_pattern::{Pattern, PatternError};

#[derive(Debug, clap::Subcommand)]
pub(crate) enum Command {
    /// Check a pattern's syntax and rules. Exit 0 valid, 1 invalid.
    Check {
        /// The STIX pattern, e.g. "[ipv4-addr:value = '198.51.100.1']".
        pattern: String,
        /// Print the result, and the values tested for equality, as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Match a pattern against observed-data and SCOs (a bundle, array, envelope or object).
    /// Exit 0 match, 1 no match, 2 invalid pattern or unreadable file.
    Match {
        /// The STIX pattern.
        pattern: String,
        /// File with the observations; `-` reads standard input.
        file: String,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

pub(crate) fn run(cmd: &Command) -> u8 {
    match cmd {
        Command::Check { pattern, json } => check(pattern, *json),
        Command::Match {
            pattern,
            file,
            json,
        } => match_file(pattern, file, *json),
    }
}

fn show_error(pattern: &str, e: &PatternError) -> String {
    let col = e.column(pattern);
    format!(
        "{}\n  {pattern}\n  {}^",
        e.describe(pattern),
        " ".repeat(col.saturating_sub(1))
    )
}

fn check(pattern: &str, json: bool) -> u8 {
    let result = kyoyu_pattern::parse(pattern);
    if json {
        let out = match &result {
            Ok(p) => serde_json::json!({
                "valid": true,
                "equalities": kyoyu_pattern::equalities(p).iter().map(|e| serde_json::json!({
                    "type": e.object_type, "path": e.path, "value": e.value.to_string(),
                })).collect::<Vec<_>>(),
            }),
            Err(e) => serde_json::json!({
                "valid": false, "column": e.column(pattern), "error": e.message,
            }),
        };
        out!("{out}");
    } else {
        match &result {
            Ok(_) => out!("valid"),
            Err(e) => out!("invalid {}", show_error(pattern, e)),
        }
    }
    u8::from(result.is_err())
}

fn match_file(pattern: &str, file: &str, json: bool) -> u8 {
    let compiled: Pattern = match kyoyu_pattern::parse(pattern) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("kyoyu: invalid pattern {}", show_error(pattern, &e));
            return EXIT_USAGE;
        }
    };
    let value = match read_input(file).and_then(|text| parse_json(file, &text)) {
        Ok(v) => v,
        Err(message) => {
            eprintln!("kyoyu: {message}");
            return EXIT_USAGE;
        }
    };
    let result = kyoyu_pattern::Observations::from_document(&value)
        .and_then(|observations| kyoyu_pattern::matches(&compiled, &observations));
    match result {
        Ok(found) => {
            if json {
                out!(
                    "{}",
                    serde_json::json!({ "matched": found.is_some(), "observed_data": found.clone().unwrap_or_default() })
                );
            } else if let Some(ids) = &found {
                out!("match: {}", ids.join(", "));
            } else {
                out!("no match");
            }
            u8::from(found.is_none())
        }
        Err(e) => {
            eprintln!("kyoyu: cannot match: {e}");
            EXIT_USAGE
        }
    }
}
