//! The `kyoyu` command, run as a real process.

use crate::support::kyoyu;

#[test]
fn validate_exit_codes() {
    let good =
        std::fs::read_to_string(crate::support::root().join("tests/corpus/base-objects.json"))
            .unwrap();
    let out = kyoyu(&["validate", "-"], &good);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = kyoyu(
        &["validate", "-"],
        r#"{"type": "indicator", "id": "indicator--nope"}"#,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("FAIL"));
    let out = kyoyu(&["validate", "-"], "{not json");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not valid JSON"));
    let out = kyoyu(&["validate", "/nonexistent/file.json"], "");
    assert_eq!(out.status.code(), Some(2));
    let out = kyoyu(&["validate"], "");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn validate_json_prints_one_result_per_object() {
    let bundle = r#"{"type": "bundle", "id": "bundle--6c1d5f3e-7d0b-4b1e-9d3b-2b8f2c0a9e11", "objects": [
        {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.3"},
        {"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z",
         "pattern": "[ipv4-addr:value = '198.51.100.3'", "pattern_type": "stix", "valid_from": "2016-01-01T00:00:00Z"}]}"#;
    let out = kyoyu(&["validate", "--json", "-"], bundle);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "bundle + 2 objects");
    assert_eq!(lines[1]["valid"], true);
    assert_eq!(lines[2]["valid"], false);
    let finding = &lines[2]["findings"][0];
    assert_eq!(finding["code"], "pattern");
    assert_eq!(finding["path"], "$.objects[1].pattern");
    assert!(finding["message"].as_str().unwrap().contains("column"));
}

#[test]
fn strict_promotes_warnings() {
    let obj = r#"{"type": "indicator", "spec_version": "2.1", "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
         "created": "2016-04-06T20:03:48.000Z", "modified": "2016-04-06T20:03:48.000Z", "name": "n", "description": "d",
         "indicator_types": ["made-up"],
         "pattern": "[ipv4-addr:value = '198.51.100.3']", "pattern_type": "stix", "valid_from": "2016-01-01T00:00:00Z"}"#;
    assert_eq!(kyoyu(&["validate", "-"], obj).status.code(), Some(0));
    assert_eq!(
        kyoyu(&["validate", "--strict", "-"], obj).status.code(),
        Some(1)
    );
}

#[test]
fn pattern_commands() {
    let out = kyoyu(
        &["pattern", "check", "[ipv4-addr:value = '198.51.100.3']"],
        "",
    );
    assert_eq!(out.status.code(), Some(0));
    let out = kyoyu(
        &["pattern", "check", "[ipv4-addr:value = '198.51.100.3'"],
        "",
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("column 34"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let observed = r#"{"type": "bundle", "id": "bundle--6c1d5f3e-7d0b-4b1e-9d3b-2b8f2c0a9e11", "objects": [
        {"type": "observed-data", "spec_version": "2.1", "id": "observed-data--b67d30ff-02ac-498a-92f9-32f845f448cf",
         "created": "2016-04-06T19:58:16.000Z", "modified": "2016-04-06T19:58:16.000Z",
         "first_observed": "2015-12-21T19:00:00Z", "last_observed": "2015-12-21T19:00:00Z", "number_observed": 1,
         "object_refs": ["ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"]},
        {"type": "ipv4-addr", "spec_version": "2.1", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd", "value": "198.51.100.3"}]}"#;
    let out = kyoyu(
        &[
            "pattern",
            "match",
            "[ipv4-addr:value ISSUBSET '198.51.100.0/24']",
            "-",
        ],
        observed,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("observed-data--b67d30ff"));
    let out = kyoyu(
        &["pattern", "match", "[ipv4-addr:value = '10.0.0.1']", "-"],
        observed,
    );
    assert_eq!(out.status.code(), Some(1));
    let out = kyoyu(&["pattern", "match", "[ipv4-addr:value = ", "-"], observed);
    assert_eq!(out.status.code(), Some(2));
}

/// A taken port is found before anything is created: no data folder, no
/// database, no admin token printed for a hub that never serves.
#[test]
fn a_taken_port_creates_nothing() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(&data)
        .env("KYOYU_LOG", "warn")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot listen on"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!data.exists(), "nothing is created");
}

/// Runs `kyoyu` with a standard output nobody reads (`| head -c 10` after
/// head has gone).
fn with_closed_stdout(
    hub: &crate::testkit::TestHub,
    args: &[&str],
    input: &str,
) -> std::process::Output {
    use std::io::Write;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(args)
        .env("KYOYU_URL", &hub.base)
        .env("KYOYU_TOKEN", &hub.admin)
        .stdin(std::process::Stdio::piped())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_is_no_panic() {
    let hub = crate::testkit::TestHub::start(crate::testkit::Backend::Sqlite);
    hub.org("example-power", "operator", &["electricity"]);
    let reporter = hub.token_for("example-power", "member", false);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let indicator = crate::testkit::indicator(1, "2025-01-01T00:00:00.000Z");
    std::fs::write(
        &report,
        serde_json::json!({"objects": [indicator]}).to_string(),
    )
    .unwrap();
    let o = crate::admin::cli(
        &hub,
        &reporter,
        &[
            "submit",
            report.to_str().unwrap(),
            "--conceal",
            "--to",
            "sector-electricity",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", crate::admin::stderr(&o));
    let answer: serde_json::Value = serde_json::from_str(&crate::admin::stdout(&o)).unwrap();
    let receipt = answer["receipt"].as_str().unwrap();
    let good =
        std::fs::read_to_string(crate::support::root().join("tests/corpus/base-objects.json"))
            .unwrap();
    let commands: &[(&[&str], &str)] = &[
        (&["org", "sectors"], ""),
        (&["org", "show", "meti"], ""),
        (&["org", "list"], ""),
        (&["token", "list"], ""),
        (&["community", "list"], ""),
        (&["audit", "list"], ""),
        (&["receipt", "status", receipt], ""),
        (&["validate", "-"], &good),
        (
            &["pattern", "check", "[ipv4-addr:value = '198.51.100.1']"],
            "",
        ),
    ];
    for (args, input) in commands {
        let o = with_closed_stdout(&hub, args, input);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(141), "{args:?}: {err}");
    }
}

/// Escrow exists so that no single person can reveal a source.
#[test]
fn escrow_needs_two_officers_at_least() {
    let dir = tempfile::tempdir().unwrap();
    let init = |threshold: &str, shares: &str, out: &std::path::Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
            .args([
                "escrow",
                "init",
                "--threshold",
                threshold,
                "--shares",
                shares,
                "--out",
            ])
            .arg(out)
            .output()
            .unwrap()
    };
    for (threshold, shares, says) in [
        ("1", "1", "--threshold must be at least 2"),
        ("1", "5", "--threshold must be at least 2"),
        ("0", "3", "--threshold must be at least 2"),
        ("3", "2", "--shares must be at least --threshold"),
    ] {
        let out = dir.path().join(format!("{threshold}-{shares}"));
        let o = init(threshold, shares, &out);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{threshold} of {shares}: {err}");
        assert!(err.contains(says), "{threshold} of {shares}: {err}");
        assert!(
            !out.exists(),
            "no shares written for {threshold} of {shares}"
        );
    }
    let out = dir.path().join("2-2");
    let o = init("2", "2", &out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("wrote 2 shares to"), "{err}");
    assert!(out.join("share-1.txt").exists() && out.join("share-2.txt").exists());
}
