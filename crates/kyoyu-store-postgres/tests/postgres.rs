//! The PostgreSQL store against a real server: the one `scripts/postgres`
//! starts (`KYOYU_TEST_POSTGRES`, as `scripts/test` sets it). Each test
//! makes its own database; without the variable the tests fail.

// Test code fails by panicking; the library lints against it do not apply here.
#![allow(
    clippy::disallowed_methods,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kyoyu_stix::tlp::Tlp;
use kyoyu_store::{ApiRoot, AuditDraft, Change, Collection, NewVersion, Query, Store, TokenRecord};
use kyoyu_store_postgres::PostgresStore;
use kyoyu_trust::audit::{GENESIS, verify};
use kyoyu_trust::{Community, MemberRole, Membership, Org};
use serde_json::json;
use tokio_postgres::{Client, NoTls};

/// A raw connection to `url`.
async fn raw(url: &str) -> Client {
    let (client, conn) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|e| panic!("connect to {url}: {e}"));
    tokio::spawn(conn);
    client
}

/// A fresh database on the test server. Without one the test fails: the
/// store is tested against a real server or not at all.
async fn fresh_database() -> Option<String> {
    let Ok(server) = std::env::var("KYOYU_TEST_POSTGRES") else {
        panic!(
            "KYOYU_TEST_POSTGRES is not set: run `scripts/test`, or start a server with `eval \"$(scripts/postgres)\"`"
        );
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!("kyoyu_store_{}_{nanos}", std::process::id());
    raw(&format!("{server}/postgres"))
        .await
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    Some(format!("{server}/{name}"))
}

fn draft(action: &str, target: &str, n: usize) -> AuditDraft {
    AuditDraft {
        actor_org: "acme".into(),
        actor_token: "tok1".into(),
        action: action.into(),
        target: target.into(),
        detail: json!({ "n": n }),
    }
}

fn org(id: &str) -> Org {
    serde_json::from_value(json!({ "id": id, "kind": "operator", "name": id.to_uppercase() }))
        .unwrap()
}

fn community(id: &str) -> Community {
    serde_json::from_value(json!({
        "id": id,
        "kind": "national",
        "name": "National",
        "default_tlp": "amber",
        "distribution": "community",
    }))
    .unwrap()
}

fn collection(id: &str, alias: &str) -> Collection {
    Collection {
        id: id.into(),
        api_root: "hub".into(),
        title: format!("{alias} collection"),
        description: None,
        alias: Some(alias.into()),
    }
}

fn token(id: &str, hash: &str, org: &str) -> TokenRecord {
    TokenRecord {
        id: id.into(),
        hash: hash.into(),
        name: format!("{id} token"),
        org: org.into(),
        role: "analyst".into(),
        read_only: true,
        ip_allow: vec!["10.0.0.0/8".into(), "192.0.2.1/32".into()],
        expires: Some(1_900_000_000_000_000),
        revoked: false,
        created: 1_700_000_000_000_000,
    }
}

fn version(id: &str, key: i64, tlp: Option<Tlp>, recipients: &[&str]) -> NewVersion {
    NewVersion {
        id: id.into(),
        object_type: "indicator".into(),
        version: format!("v{key}"),
        version_key: key,
        spec_version: "2.1".into(),
        json: format!(r#"{{"id":"{id}","k":{key}}}"#),
        tlp,
        recipients: recipients.iter().map(|r| (*r).to_owned()).collect(),
        search: String::new(),
        values: Vec::new(),
    }
}

async fn expect_refused(client: &Client, sql: &str) {
    let e = client
        .batch_execute(sql)
        .await
        .expect_err(&format!("{sql} should fail"));
    let db = e.as_db_error().map(|d| d.message().to_owned());
    assert_eq!(
        db.as_deref(),
        Some("the audit trail is append-only"),
        "{sql}: {e:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrades_a_version_1_database() {
    let Some(url) = fresh_database().await else {
        return;
    };
    // A database as schema version 1 left it, with an admin token, a plain
    // token and the first collection.
    let c = raw(&url).await;
    c.batch_execute(include_str!("../migrations/0001_initial.sql"))
        .await
        .unwrap();
    c.batch_execute(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version (version) VALUES (1);
         INSERT INTO api_roots (path, title) VALUES ('hub', 'Hub');
         INSERT INTO collections (id, api_root, title, alias) VALUES ('c1', 'hub', 'Default', 'default');
         INSERT INTO tokens (id, hash, name, admin, read, write, expires, revoked)
             VALUES ('adm', 'h-adm', 'admin', true, '[]', '[]', NULL, false),
                    ('usr', 'h-usr', 'user', false, '[\"c1\"]', '[]', 42, true);
         INSERT INTO objects (collection, id, version, version_key, spec_version, type, date_added, is_first, is_last, json)
             VALUES ('c1', 'indicator--1', 'v1', 1, '2.1', 'indicator', 10, true, true, '{}');",
    )
    .await
    .unwrap();

    let store = PostgresStore::connect(&url).await.unwrap();
    let tokens = store.tokens().await.unwrap();
    assert_eq!(tokens.len(), 2);
    let adm = store.token_by_hash("h-adm").await.unwrap().unwrap();
    assert_eq!(
        (
            adm.org.as_str(),
            adm.role.as_str(),
            adm.read_only,
            adm.ip_allow.len(),
            adm.created
        ),
        ("hub", "hub-admin", false, 0, 0)
    );
    let usr = store.token_by_hash("h-usr").await.unwrap().unwrap();
    assert_eq!(
        (usr.role.as_str(), usr.expires, usr.revoked),
        ("member", Some(42), true)
    );
    let cols = store.collections("hub").await.unwrap();
    assert_eq!(cols[0].alias.as_deref(), Some("national"));
    // Versions stored before the upgrade have no author, marking or recipients.
    let page = store
        .query(Query {
            collection: "c1".into(),
            limit: 10,
            with_json: true,
            ..Query::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].author, "");
    assert_eq!(page.items[0].tlp, None);
    assert!(page.items[0].recipients.is_empty());

    // Connecting again migrates nothing.
    drop(PostgresStore::connect(&url).await.unwrap());
    let versions: Vec<i32> = c
        .query("SELECT version FROM schema_version ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trust_model_versions_and_audit() {
    let Some(url) = fresh_database().await else {
        return;
    };
    // Migrations apply once, then again as a no-op.
    drop(PostgresStore::connect(&url).await.unwrap());
    let store = PostgresStore::connect(&url).await.unwrap();
    let c = raw(&url).await;
    let versions: Vec<i32> = c
        .query("SELECT version FROM schema_version ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    store
        .put_api_root(ApiRoot {
            path: "hub".into(),
            title: "Hub".into(),
            description: None,
        })
        .await
        .unwrap();

    // One batch of member changes, audited once.
    store
        .apply(
            vec![
                Change::PutOrg(org("acme")),
                Change::PutOrg(org("beta")),
                Change::PutCommunity(community("national"), collection("c-nat", "national")),
                Change::SetMember(Membership {
                    community: "national".into(),
                    org: "acme".into(),
                    role: MemberRole::Member,
                }),
                Change::SetMember(Membership {
                    community: "national".into(),
                    org: "beta".into(),
                    role: MemberRole::Observer,
                }),
                Change::AddToken(token("tok1", "hash1", "acme")),
                Change::AddToken(token("tok2", "hash2", "beta")),
            ],
            draft("org.create", "acme", 0),
            1_000,
        )
        .await
        .unwrap();
    // Roles change in place; an unknown stored role reads as observer.
    store
        .apply(
            vec![Change::SetMember(Membership {
                community: "national".into(),
                org: "acme".into(),
                role: MemberRole::CommunityAdmin,
            })],
            draft("community.member", "national", 1),
            1_001,
        )
        .await
        .unwrap();
    let dir = store.directory().await.unwrap();
    assert_eq!(dir.orgs, vec![org("acme"), org("beta")]);
    assert_eq!(dir.communities, vec![community("national")]);
    assert_eq!(
        dir.memberships,
        vec![
            Membership {
                community: "national".into(),
                org: "acme".into(),
                role: MemberRole::CommunityAdmin,
            },
            Membership {
                community: "national".into(),
                org: "beta".into(),
                role: MemberRole::Observer,
            },
        ]
    );
    assert_eq!(
        store.collections("hub").await.unwrap(),
        vec![collection("c-nat", "national")]
    );
    assert_eq!(
        store.tokens().await.unwrap(),
        vec![
            token("tok1", "hash1", "acme"),
            token("tok2", "hash2", "beta")
        ]
    );

    // A token is never replaced (the conformance suite has the details).
    let mut renamed = token("tok1", "other-hash", "acme");
    renamed.name = "renamed".into();
    assert!(
        store
            .apply(
                vec![Change::AddToken(renamed)],
                draft("token.update", "tok1", 2),
                1_002,
            )
            .await
            .is_err()
    );
    let t1 = store.token_by_hash("hash1").await.unwrap().unwrap();
    assert_ne!(t1.name, "renamed");
    assert!(store.token_by_hash("other-hash").await.unwrap().is_none());

    // What the conformance story checks on both stores is not repeated
    // here; this is how PostgreSQL keeps it.
    store
        .add_versions(
            "c-nat",
            vec![
                version(
                    "indicator--a",
                    1,
                    Some(Tlp::AmberStrict),
                    &["beta", "gamma"],
                ),
                version("indicator--a", 2, Some(Tlp::Red), &[]),
                version("indicator--b", 1, None, &["beta"]),
                version("indicator--a", 1, Some(Tlp::Clear), &[]),
            ],
            2_000,
            "acme",
            draft("objects.add", "c-nat", 3),
        )
        .await
        .unwrap();
    let stored_recipients: Option<String> = c
        .query_one(
            "SELECT recipients FROM objects WHERE id = 'indicator--a' AND version_key = 2",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(stored_recipients, None, "no recipients are stored as NULL");

    // Memberships and tokens go (the conformance story checks the details).
    store
        .apply(
            vec![Change::DeleteOrg("beta".into())],
            draft("org.delete", "beta", 6),
            3_000,
        )
        .await
        .unwrap();
    store
        .apply(
            vec![
                Change::RemoveMember {
                    community: "national".into(),
                    org: "acme".into(),
                },
                Change::RevokeToken("tok1".into()),
            ],
            draft("token.revoke", "tok1", 7),
            3_001,
        )
        .await
        .unwrap();
    assert!(store.directory().await.unwrap().memberships.is_empty());
    assert!(store.token_by_hash("hash1").await.unwrap().unwrap().revoked);
    c.batch_execute(
        "INSERT INTO memberships (community, org, role) VALUES ('national', 'acme', 'no-such-role')",
    )
    .await
    .unwrap();
    // A standing this hub does not know gives no standing at all (fails closed).
    assert!(store.directory().await.unwrap().memberships.is_empty());

    // Two hub processes appending at once never fork the chain.
    let before = store.audit_entries(0, 10_000).await.unwrap().len();
    let other = PostgresStore::connect(&url).await.unwrap();
    let writers: Vec<_> = [store.clone(), other]
        .into_iter()
        .enumerate()
        .map(|(w, s)| {
            tokio::spawn(async move {
                for i in 0..20 {
                    let drafts = (0..=i % 3)
                        .map(|k| draft("objects.read", &format!("w{w}"), i * 10 + k))
                        .collect();
                    s.append_audit(drafts, 4_000 + i64::try_from(i).unwrap())
                        .await
                        .unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    let entries = store.audit_entries(0, 10_000).await.unwrap();
    assert!(entries.len() >= before + 40, "{} entries", entries.len());
    let head = verify(&entries, (0, GENESIS.into())).unwrap();
    assert_eq!(head.0, i64::try_from(entries.len()).unwrap());
    // Paging continues the chain.
    let first = store.audit_entries(0, 5).await.unwrap();
    let rest = store.audit_entries(5, 10_000).await.unwrap();
    let mid = verify(&first, (0, GENESIS.into())).unwrap();
    assert_eq!(verify(&rest, mid).unwrap(), head);

    // The trail is append-only, whatever the statement.
    expect_refused(&c, "UPDATE audit SET action = 'x'").await;
    expect_refused(&c, "DELETE FROM audit").await;
    expect_refused(&c, "TRUNCATE audit").await;
    assert_eq!(store.audit_entries(0, 10_000).await.unwrap(), entries);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submissions_after_an_upgrade_from_version_2() {
    let Some(url) = fresh_database().await else {
        return;
    };
    // A database as schema version 2 left it.
    let c = raw(&url).await;
    c.batch_execute(include_str!("../migrations/0001_initial.sql"))
        .await
        .unwrap();
    c.batch_execute(include_str!("../migrations/0002_trust.sql"))
        .await
        .unwrap();
    c.batch_execute(
        "CREATE TABLE schema_version (version INTEGER NOT NULL);
         INSERT INTO schema_version (version) VALUES (1), (2);",
    )
    .await
    .unwrap();
    let store = PostgresStore::connect(&url).await.unwrap();
    let versions: Vec<i32> = c
        .query("SELECT version FROM schema_version ORDER BY version", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    let other = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::submissions(store, other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_tokens_are_insert_only() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::tokens_are_insert_only(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_users_and_sessions() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::users_and_sessions(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_search() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::search(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_long_lists() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::long_lists(store).await;
}

/// TLS to the server when the URL asks for it: encrypted with the test CA,
/// refused (with a reason) when the certificate cannot be verified.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_when_asked_and_verified() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let ca = std::env::var("KYOYU_TEST_POSTGRES_CA")
        .expect("KYOYU_TEST_POSTGRES_CA is not set: scripts/postgres prints it");
    let plain = PostgresStore::connect(&url).await.unwrap();
    assert!(!plain.encrypted().await.unwrap());
    let tls = PostgresStore::connect(&format!("{url}?sslmode=require&sslrootcert={ca}"))
        .await
        .unwrap();
    assert!(tls.encrypted().await.unwrap());
    // The store works the same over TLS.
    kyoyu_store_conformance::tokens_are_insert_only(tls).await;
    // Without the CA the server's certificate is not trusted: refused.
    let e = PostgresStore::connect(&format!("{url}?sslmode=require"))
        .await
        .expect_err("an unverified server certificate must be refused");
    assert!(e.to_string().to_lowercase().contains("certificate"), "{e}");
    // A CA file that is not there says so.
    let e = PostgresStore::connect(&format!(
        "{url}?sslmode=require&sslrootcert=/nonexistent.pem"
    ))
    .await
    .expect_err("a missing CA file is an error");
    assert!(e.to_string().contains("/nonexistent.pem"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_members_versions_and_audit() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::members_versions_and_audit(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_audit_times_never_go_backwards() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::audit_times_never_go_backwards(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conformance_records_and_streams() {
    let Some(url) = fresh_database().await else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    kyoyu_store_conformance::records_and_streams(store).await;
}
