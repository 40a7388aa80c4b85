//! Replays the fuzz corpora (`fuzz/corpus/*`) through the same entry points
//! as the fuzz targets, so every input that once mattered stays covered.

use crate::support::root;
use kyoyu_pattern::{Limits, Observations, matches, parse, parse_grammar};
use kyoyu_validate::{Options, validate_document};

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = root().join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("read corpus file"),
            )
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} is empty", dir.display());
    files
}

#[test]
fn validate_json_corpus() {
    let mut parsed = 0;
    for (name, data) in corpus("validate_json") {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&data) else {
            continue;
        };
        parsed += 1;
        for strict in [false, true] {
            for report in validate_document(
                &value,
                &Options {
                    strict,
                    ..Options::default()
                },
            ) {
                assert!(
                    report.valid
                        == report
                            .findings
                            .iter()
                            .all(|f| f.severity != kyoyu_validate::Severity::Error),
                    "{name}"
                );
                assert!(
                    report
                        .findings
                        .iter()
                        .all(|f| !f.message.is_empty() && f.path.starts_with('$')),
                    "{name}"
                );
            }
        }
    }
    assert!(parsed > 50, "only {parsed} corpus files are JSON");
}

#[test]
fn pattern_corpus() {
    for (name, data) in corpus("pattern") {
        let text = String::from_utf8_lossy(&data);
        if let Err(e) = parse(&text) {
            assert!(
                e.offset <= text.len(),
                "{name}: offset {} past the end",
                e.offset
            );
            assert!(!e.message.is_empty(), "{name}");
        }
        if let Ok(pattern) = parse_grammar(&text, Limits::default()) {
            let printed = pattern.to_string();
            let again = parse_grammar(&printed, Limits::default());
            assert!(
                again.is_ok(),
                "{name}: printed form {printed} does not parse"
            );
            let _ = matches(&pattern, &Observations::default());
        }
    }
}
