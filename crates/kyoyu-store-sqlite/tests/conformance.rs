//! The store conformance suite (`kyoyu-store-conformance`) on SQLite: the
//! same stories the PostgreSQL store passes in `kyoyu-store-postgres/tests`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use kyoyu_store_sqlite::SqliteStore;

/// A fresh store in a temporary folder, and a second handle on the same
/// file (another process would open it the same way).
fn fresh() -> (tempfile::TempDir, SqliteStore, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kyoyu.sqlite3");
    let a = SqliteStore::open(&path).unwrap();
    let b = SqliteStore::open(&path).unwrap();
    (dir, a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions() {
    let (_dir, a, b) = fresh();
    kyoyu_store_conformance::submissions(a, b).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_are_insert_only() {
    let (_dir, a, _) = fresh();
    kyoyu_store_conformance::tokens_are_insert_only(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_lists() {
    let (_dir, a, _) = fresh();
    kyoyu_store_conformance::long_lists(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_versions_and_audit() {
    let (_dir, a, _) = fresh();
    kyoyu_store_conformance::members_versions_and_audit(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_times_never_go_backwards() {
    let (_dir, a, _) = fresh();
    kyoyu_store_conformance::audit_times_never_go_backwards(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_and_sessions() {
    let (_dir, a, _) = fresh();
    kyoyu_store_conformance::users_and_sessions(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search() {
    let (_dir, a, _) = fresh();
    kyoyu_store_conformance::search(a).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn records_and_streams() {
    let (_dir, a, _) = fresh();
    kyoyu_store_conformance::records_and_streams(a).await;
}
