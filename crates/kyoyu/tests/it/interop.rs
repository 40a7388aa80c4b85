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
