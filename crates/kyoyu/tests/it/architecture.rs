//! The layout keeps the rules: read from `cargo metadata` and the sources,
//! not from anyone's promise.
//! - No transport reaches a store crate except through the core.
//! - The core has no HTTP types; the wire types have no HTTP library.
//! - Inside the core, object versions are queried only in `reader.rs`
//!   (the Reader applies the policy and the read audit).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const STORES: [&str; 3] = ["kyoyu-store", "kyoyu-store-sqlite", "kyoyu-store-postgres"];
const TRANSPORTS: [&str; 8] = [
    "kyoyu-taxii",
    "kyoyu-rest",
    "kyoyu-console-http",
    "kyoyu-console",
    "kyoyu-http",
    "kyoyu-server",
    "kyoyu-wire",
    "kyoyu-client",
];

/// What `cargo metadata` says of this workspace (offline: nothing is fetched).
fn metadata(extra: &[&str]) -> Value {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("cargo metadata JSON")
}

/// Workspace crate → its normal (not dev, not build) dependencies.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let meta = metadata(&["--no-deps"]);
    let mut g = BTreeMap::new();
    for p in meta["packages"].as_array().expect("packages") {
        let deps = p["dependencies"]
            .as_array()
            .expect("dependencies")
            .iter()
            .filter(|d| d["kind"].is_null())
            .map(|d| d["name"].as_str().expect("name").to_owned())
            .collect();
        g.insert(p["name"].as_str().expect("name").to_owned(), deps);
    }
    g
}

/// Everything `from` reaches without passing through `avoid`.
fn reachable(g: &BTreeMap<String, BTreeSet<String>>, from: &str, avoid: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![from.to_owned()];
    while let Some(n) = todo.pop() {
        for d in g.get(&n).into_iter().flatten() {
            if d != avoid && seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    seen
}

#[test]
fn transports_reach_the_store_only_through_the_core() {
    let g = graph();
    for t in TRANSPORTS {
        assert!(g.contains_key(t), "crate {t} is missing from the workspace");
        let around = reachable(&g, t, "kyoyu-core");
        for s in STORES {
            assert!(
                !around.contains(s),
                "{t} reaches {s} without going through kyoyu-core"
            );
        }
    }
    // The check itself can fail: the core does reach the store.
    assert!(reachable(&g, "kyoyu-core", "").contains("kyoyu-store"));
}

#[test]
fn the_core_and_the_wire_types_have_no_http() {
    let g = graph();
    for c in ["kyoyu-core", "kyoyu-wire", "kyoyu-trust", "kyoyu-conceal"] {
        let deps = &g[c];
        for http in ["axum", "http", "hyper", "tower", "ureq", "reqwest"] {
            assert!(!deps.contains(http), "{c} depends on {http}");
        }
    }
    assert!(
        g["kyoyu-http"].contains("axum"),
        "the check reads real dependencies"
    );
}

/// `store.query(`, `.query(Query`… in one file, with spacing as rustfmt leaves it.
fn queries_store(text: &str) -> bool {
    let flat: String = text.split_whitespace().collect();
    flat.contains(".store.query(") || flat.contains("store.query(")
}

#[test]
fn only_the_reader_queries_object_versions() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../kyoyu-core/src");
    let mut found = Vec::new();
    for entry in std::fs::read_dir(&src).expect("core sources") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        if queries_store(&text) {
            found.push(
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    assert_eq!(found, vec!["reader.rs".to_owned()]);
    assert!(!queries_store("let x = self.store.submissions(None);"));
    assert!(queries_store("self\n    .store\n    .query(Query {"));
}

/// Routes come only from the route tables the OpenAPI document is made
/// from (`kyoyu_rest` operations, `kyoyu_taxii::ROUTES`,
/// `kyoyu_server::OPERATIONS`): no `.route("/…", …)` with a path written
/// in place, which the document would not list.
#[test]
fn routes_come_only_from_the_documented_tables() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for krate in std::fs::read_dir(&crates).expect("crates") {
        let src = krate.expect("entry").path().join("src");
        let Ok(files) = std::fs::read_dir(&src) else {
            continue;
        };
        for file in files {
            let path = file.expect("entry").path();
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let flat: String = text.split_whitespace().collect();
            if flat.contains(".route(\"") || flat.contains(".route(r\"") {
                found.push(path.display().to_string());
            }
        }
    }
    assert!(found.is_empty(), "routes written in place: {found:?}");
}
