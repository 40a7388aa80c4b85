//! Oracle tests: kyoyu's verdicts against the OASIS reference tools
//! (stix2-validator default and --strict, stix2-patterns, stix2-matcher) on
//! the same cases. Every disagreement must be listed, with the spec section
//! that justifies it, in `tests/oracle/deviations.json` (a rule names the
//! suite, a fragment of the case ids it covers and the verdicts on each
//! side); the agreement table
//! is written to `docs/oracle-agreement.md` (`KYOYU_BLESS=1` rewrites it,
//! otherwise the test checks it is current).

use crate::corpus::{self, Case};
use crate::support::{oasis_cases, root, run_oracle};
use kyoyu_validate::{Options, validate_document};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::fmt::Write;

/// One suite's tally.
#[derive(Default)]
struct Tally {
    cases: usize,
    agree: usize,
    /// Case id → (our verdict, oracle verdict).
    disagree: BTreeMap<String, (String, String)>,
    /// Oracle crashed (Python exception) on these; they are not counted as verdicts.
    oracle_errors: usize,
}

impl Tally {
    fn record(&mut self, id: &str, ours: &str, theirs: &str) {
        self.cases += 1;
        if ours == theirs {
            self.agree += 1;
        } else {
            self.disagree
                .insert(id.to_owned(), (ours.to_owned(), theirs.to_owned()));
        }
    }
}

fn deviations() -> Vec<Value> {
    let text = std::fs::read_to_string(root().join("tests/oracle/deviations.json"))
        .expect("read deviations.json");
    serde_json::from_str(&text).expect("deviations.json is JSON")
}

/// The deviation rule that explains a disagreement, if any.
fn explain<'d>(
    rules: &'d [Value],
    suite: &str,
    id: &str,
    ours: &str,
    theirs: &str,
) -> Option<(usize, &'d Value)> {
    rules.iter().enumerate().find(|(_, r)| {
        r["suite"]
            .as_str()
            .is_some_and(|s| s == suite || (s == "validate" && suite.starts_with("validate")))
            && r["cases"].as_str().is_some_and(|c| id.contains(c))
            && r["kyoyu"].as_str() == Some(ours)
            && r["oracle"].as_str() == Some(theirs)
    })
}

fn verdict(valid: bool) -> &'static str {
    if valid { "valid" } else { "invalid" }
}

fn validator_suites(cases: &[Case]) -> (Tally, Tally) {
    let input: Vec<Value> = cases
        .iter()
        .map(|c| json!({"id": c.id, "object": c.doc}))
        .collect();
    let oracle = run_oracle("validate", &input);
    if let Some(dir) = std::env::var_os("KYOYU_ORACLE_DUMP") {
        // For comparing other implementations on the same cases (bench/rstix-eval).
        let lines: Vec<String> = cases
            .iter()
            .zip(&oracle)
            .map(|(c, o)| {
                json!({"id": c.id, "doc": c.doc, "default": o["default"], "strict": o["strict"]})
                    .to_string()
            })
            .collect();
        std::fs::write(
            std::path::Path::new(&dir).join("validate.jsonl"),
            lines.join("\n") + "\n",
        )
        .expect("dump cases");
    }
    let mut default = Tally::default();
    let mut strict = Tally::default();
    for (case, theirs) in cases.iter().zip(&oracle) {
        for (tally, strict_mode, key) in [
            (&mut default, false, "default"),
            (&mut strict, true, "strict"),
        ] {
            let reports = validate_document(
                &case.doc,
                &Options {
                    strict: strict_mode,
                    ..Options::default()
                },
            );
            let ours = reports.iter().all(|r| r.valid);
            let their = theirs[key].as_bool().unwrap_or(false);
            tally.record(&case.id, verdict(ours), verdict(their));
        }
    }
    (default, strict)
}

fn pattern_suite() -> Tally {
    let (oasis_patterns, _) = oasis_cases();
    let mut cases: Vec<(String, String)> = oasis_patterns
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap_or_default().to_owned(),
                c["pattern"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (i, p) in corpus::BAD_PATTERNS.iter().enumerate() {
        cases.push((format!("kyoyu:bad-{i}"), (*p).to_owned()));
    }
    for (i, p) in corpus::GOOD_PATTERNS.iter().enumerate() {
        cases.push((format!("kyoyu:good-{i}"), (*p).to_owned()));
    }
    let input: Vec<Value> = cases
        .iter()
        .map(|(id, p)| json!({"id": id, "pattern": p}))
        .collect();
    let oracle = run_oracle("pattern", &input);
    if let Some(dir) = std::env::var_os("KYOYU_ORACLE_DUMP") {
        let lines: Vec<String> = cases
            .iter()
            .zip(&oracle)
            .map(|((id, p), o)| json!({"id": id, "pattern": p, "valid": o["valid"]}).to_string())
            .collect();
        std::fs::write(
            std::path::Path::new(&dir).join("patterns.jsonl"),
            lines.join("\n") + "\n",
        )
        .expect("dump cases");
    }
    let mut tally = Tally::default();
    for ((id, pattern), theirs) in cases.iter().zip(&oracle) {
        if theirs["errors"].as_array().is_some_and(|e| {
            e.iter().any(|m| {
                m.as_str()
                    .is_some_and(|m| m.contains("Error:") && !m.starts_with("FAIL"))
            })
        }) {
            tally.oracle_errors += 1;
            continue;
        }
        let ours = kyoyu_pattern::parse(pattern).is_ok();
        tally.record(
            id,
            verdict(ours),
            verdict(theirs["valid"].as_bool().unwrap_or(false)),
        );
    }
    tally
}

fn match_suite() -> Tally {
    let (_, oasis_matches) = oasis_cases();
    let mut tally = Tally::default();
    let cases: Vec<&Value> = oasis_matches
        .iter()
        .filter(|c| c.get("test_stix_version").is_none())
        .collect();
    let input: Vec<Value> = cases
        .iter()
        .map(|c| json!({"id": c["id"], "pattern": c["pattern"], "observations": c["observations"]}))
        .collect();
    let oracle = run_oracle("match", &input);
    for (case, theirs) in cases.iter().zip(&oracle) {
        let id = case["id"].as_str().unwrap_or_default();
        let pattern = case["pattern"].as_str().unwrap_or_default();
        let ours = match kyoyu_pattern::parse_grammar(pattern, kyoyu_pattern::Limits::default()) {
            Err(_) => "error".to_owned(),
            Ok(p) => match kyoyu_pattern::Observations::from_document(&case["observations"])
                .and_then(|obs| kyoyu_pattern::matches(&p, &obs))
            {
                Ok(Some(_)) => "match".to_owned(),
                Ok(None) => "no match".to_owned(),
                Err(_) => "error".to_owned(),
            },
        };
        let their = if theirs["error"].is_string() {
            "error"
        } else if theirs["matched"].as_bool().unwrap_or(false) {
            "match"
        } else {
            "no match"
        };
        tally.record(id, &ours, their);
    }
    tally
}

#[test]
fn kyoyu_agrees_with_the_oasis_tools() {
    let cases = corpus::object_cases();
    assert!(
        cases.len() >= 1000,
        "the object corpus has only {} cases",
        cases.len()
    );
    let (default, strict) = validator_suites(&cases);
    let patterns = pattern_suite();
    let matches = match_suite();
    let deviations = deviations();

    let mut table = String::from(
        "# Oracle agreement\n\n\
         Generated by `crates/kyoyu/tests/it/oracle.rs` (run by `scripts/test`; `KYOYU_BLESS=1` rewrites this file).\n\
         Oracles: stix2-validator 3.2.0, stix2-patterns 2.1.2, stix2-matcher 3.0.0 (`tests/oracle/requirements.txt`).\n\n\
         | suite | cases | agreements | justified deviations | unexplained |\n|---|---|---|---|---|\n",
    );
    let mut unexplained = Vec::new();
    let mut used = vec![0usize; deviations.len()];
    for (name, tally) in [
        ("validate (default)", &default),
        ("validate (--strict)", &strict),
        ("pattern validation", &patterns),
        ("pattern matching", &matches),
    ] {
        let suite = match name {
            "validate (default)" => "validate-default",
            "validate (--strict)" => "validate-strict",
            "pattern validation" => "pattern",
            _ => "match",
        };
        let mut justified = 0;
        for (id, (ours, theirs)) in &tally.disagree {
            match explain(&deviations, suite, id, ours, theirs) {
                Some((i, _)) => {
                    justified += 1;
                    if let Some(u) = used.get_mut(i) {
                        *u += 1;
                    }
                }
                None => unexplained.push(format!(
                    "{name}: {id}: kyoyu says {ours}, the oracle says {theirs}"
                )),
            }
        }
        let _ = writeln!(
            table,
            "| {name} | {} | {} | {justified} | {} |",
            tally.cases,
            tally.agree,
            tally.disagree.len() - justified
        );
    }
    let _ = writeln!(
        table,
        "\nPattern cases on which stix2-patterns itself crashes (not verdicts, not counted): {}.\n",
        patterns.oracle_errors
    );
    table.push_str(
        "## Justified deviations\n\nEach rule covers the disagreeing cases whose id contains its fragment.\n\n\
         | suite | cases | kyoyu | oracle | count | spec | why |\n|---|---|---|---|---|---|---|\n",
    );
    for (rule, count) in deviations.iter().zip(&used) {
        let _ = writeln!(
            table,
            "| {} | `{}` | {} | {} | {count} | {} | {} |",
            rule["suite"].as_str().unwrap_or(""),
            rule["cases"].as_str().unwrap_or(""),
            rule["kyoyu"].as_str().unwrap_or(""),
            rule["oracle"].as_str().unwrap_or(""),
            rule["spec"].as_str().unwrap_or(""),
            rule["why"].as_str().unwrap_or("")
        );
    }

    for (name, tally) in [
        ("default", &default),
        ("strict", &strict),
        ("pattern", &patterns),
        ("match", &matches),
    ] {
        eprintln!(
            "{name}: {} cases, {} agree, {} disagree",
            tally.cases,
            tally.agree,
            tally.disagree.len()
        );
    }
    let stale: Vec<&str> = deviations
        .iter()
        .zip(&used)
        .filter(|(_, n)| **n == 0)
        .filter_map(|(r, _)| r["cases"].as_str())
        .collect();
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements:\n{}",
        unexplained.len(),
        unexplained.join("\n")
    );
    assert!(
        stale.is_empty(),
        "deviations.json has rules that explain nothing any more: {stale:?}"
    );

    let doc = root().join("docs/oracle-agreement.md");
    if std::env::var_os("KYOYU_BLESS").is_some() {
        std::fs::write(&doc, &table).expect("write docs/oracle-agreement.md");
    } else {
        let committed = std::fs::read_to_string(&doc).unwrap_or_default();
        assert_eq!(
            committed, table,
            "docs/oracle-agreement.md is out of date: rerun with KYOYU_BLESS=1"
        );
    }
}
