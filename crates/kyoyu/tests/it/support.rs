//! Shared helpers: paths, the oracle's Python, running the real `kyoyu` binary.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

/// The workspace root.
pub(crate) fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root")
}

/// The Python that has the OASIS tools installed (see `scripts/test`).
pub(crate) fn oracle_python() -> PathBuf {
    let path = std::env::var_os("KYOYU_ORACLE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(".venv/bin/python"));
    assert!(
        path.exists(),
        "the oracle Python {} is missing: run `scripts/test`, which installs the OASIS tools \
         into .venv (or set KYOYU_ORACLE_PYTHON)",
        path.display()
    );
    path
}

/// Runs `tests/oracle/oracle.py SUBCOMMAND` over JSON Lines cases; returns one result per case.
pub(crate) fn run_oracle(subcommand: &str, cases: &[Value]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("cases.jsonl");
    let mut f = std::fs::File::create(&input).expect("create cases");
    for case in cases {
        writeln!(f, "{case}").expect("write case");
    }
    drop(f);
    let out = Command::new(oracle_python())
        .arg(root().join("tests/oracle/oracle.py"))
        .arg(subcommand)
        .arg(&input)
        .stderr(Stdio::inherit())
        .output()
        .expect("run oracle.py");
    assert!(out.status.success(), "oracle.py {subcommand} failed");
    let results: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("oracle output is JSON"))
        .collect();
    assert_eq!(
        results.len(),
        cases.len(),
        "oracle.py answered a different number of cases"
    );
    results
}

/// Harvests the OASIS tools' own test inputs (patterns.jsonl, matches.jsonl).
pub(crate) fn oasis_cases() -> (Vec<Value>, Vec<Value>) {
    let dir = tempfile::tempdir().expect("tempdir");
    let status = Command::new(oracle_python())
        .arg(root().join("tests/oracle/oracle.py"))
        .arg("oasis-cases")
        .arg(dir.path())
        .stderr(Stdio::null())
        .status()
        .expect("run oracle.py oasis-cases");
    assert!(status.success(), "oracle.py oasis-cases failed");
    let read = |name: &str| -> Vec<Value> {
        std::fs::read_to_string(dir.path().join(name))
            .expect("read harvested cases")
            .lines()
            .map(|l| serde_json::from_str(l).expect("harvested case is JSON"))
            .collect()
    };
    (read("patterns.jsonl"), read("matches.jsonl"))
}

/// Runs the real `kyoyu` binary with `args`, feeding `stdin`.
pub(crate) fn kyoyu(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kyoyu");
    // The command may exit without reading its input (e.g. `pattern check`): a broken pipe is fine.
    let _ = child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin.as_bytes());
    child.wait_with_output().expect("kyoyu output")
}
