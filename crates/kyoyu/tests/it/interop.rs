//! Interop: the official Python clients (`taxii2-client`, `stix2`) against a
//! live hub over HTTP, on both stores (`tests/interop/taxii_interop.py`).

use crate::support::{oracle_python, root};
use crate::testkit::{Backend, TestHub, on_both_stores};

on_both_stores!(python_clients, python_clients_on);

fn python_clients_on(backend: Backend) {
    let hub = TestHub::start(backend);
    let out = std::process::Command::new(oracle_python())
        .arg(root().join("tests/interop/taxii_interop.py"))
        .args([
            "--url",
            &format!("{}/taxii2/", hub.base),
            "--token",
            &hub.admin,
        ])
        .output()
        .expect("run taxii_interop.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "taxii_interop.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.contains(" 0 failed, 0 skipped"), "{summary}");
}

/// The README's taxii2-client example, run as written against a live hub.
#[test]
fn readme_taxii_example_runs() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = readme
        .split("### TAXII clients")
        .nth(1)
        .expect("README has a TAXII clients section");
    let code = section
        .split("```python\n")
        .nth(1)
        .and_then(|s| s.split("```").next())
        .expect("a python example in the TAXII clients section");
    let hub = TestHub::start(Backend::Sqlite);
    let col = hub.collection_of("sector-electricity");
    let author = {
        hub.org("elec-a", "operator", &["electricity"]);
        hub.token_for("elec-a", "member", false)
    };
    let body =
        serde_json::json!({"objects": [crate::testkit::indicator(1, "2025-01-01T00:00:00.000Z")]});
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&author),
        &[
            ("Content-Type", crate::testkit::TAXII),
            ("Accept", crate::testkit::TAXII),
        ],
        Some(&body.to_string()),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("example.py");
    std::fs::write(&script, code).unwrap();
    let out = std::process::Command::new(oracle_python())
        .arg(&script)
        .env("KYOYU_URL", &hub.base)
        .env("KYOYU_TOKEN", &author)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the README example failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some(format!("{}/hub/collections/{col}/", hub.base).as_str())
    );
    assert!(stdout.contains("indicator indicator--"), "{stdout}");
}
