//! `kyoyu validate`.

use crate::{EXIT_USAGE, parse_json, read_input};
use kyoyu_validate::{Options, validate_document};

#[derive(Debug, clap::Args)]
pub(crate) struct Args {
    /// Treat SHOULD warnings as errors, as `stix2_validator --strict` does.
    #[arg(long)]
    strict: bool,
    /// Print one JSON result per object (JSON Lines) instead of a report.
    #[arg(long)]
    json: bool,
    /// Files to validate; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
}

pub(crate) fn run(args: &Args) -> u8 {
    let options = Options {
        strict: args.strict,
        ..Options::default()
    };
    let mut unreadable = false;
    let mut invalid = false;
    for file in &args.files {
        let value = match read_input(file).and_then(|text| parse_json(file, &text)) {
            Ok(v) => v,
            Err(message) => {
                eprintln!("kyoyu: {message}");
                unreadable = true;
                continue;
            }
        };
        let reports = validate_document(&value, &options);
        if reports.iter().any(|r| !r.valid) {
            invalid = true;
        }
        if args.json {
            for report in &reports {
                let mut line = serde_json::to_value(report).unwrap_or_default();
                if let Some(map) = line.as_object_mut() {
                    map.insert("file".into(), file.clone().into());
                }
                out!("{line}");
            }
        } else {
            print_human(file, &reports);
        }
    }
    if unreadable {
        EXIT_USAGE
    } else {
        u8::from(invalid)
    }
}

fn print_human(file: &str, reports: &[kyoyu_validate::Report]) {
    let bad = reports.iter().filter(|r| !r.valid).count();
    out!(
        "{file}: {} object(s), {} valid, {bad} invalid",
        reports.len(),
        reports.len() - bad
    );
    for report in reports {
        let name = report
            .id
            .as_deref()
            .or(report.object_type.as_deref())
            .unwrap_or("(object)");
        let mark = if report.valid { "ok  " } else { "FAIL" };
        out!("  {mark} {name} ({})", report.path);
        for finding in &report.findings {
            out!("       {finding}");
        }
    }
}
