//! Stories every storage backend must pass. Each backend's tests call
//! them with fresh stores (`kyoyu-store-sqlite/tests/conformance.rs`,
//! `kyoyu-store-postgres/tests/postgres.rs`), so the two backends are held
//! to one behaviour, not to two sets of tests. A story panics on the first
//! difference, saying what was expected.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use kyoyu_store::{
    AuditDraft, Change, Micros, RecordFilter, RecordVersion, SessionRecord, Store, Submission,
    TokenRecord, UserRecord,
};
use kyoyu_trust::audit::{GENESIS, verify};
use kyoyu_trust::{Org, OrgKind};
use serde_json::json;

/// A submission as the hub would store it.
pub fn submission(id: &str, state: &str, receipt_hash: &str) -> Submission {
    Submission {
        id: id.into(),
        community: "national".into(),
        state: state.into(),
        rev: 0,
        tlp: Some("amber".into()),
        urgent: false,
        received: Some(1_700_000_000_000_000),
        released: None,
        objects: vec![json!({ "type": "indicator", "id": format!("indicator--{id}") })],
        doubts: vec![json!({ "path": "description", "why": "a name" })],
        redactions: json!({ "email": 1 }),
        receipt_hash: receipt_hash.into(),
        id_map: vec![("indicator--orig".into(), format!("indicator--{id}"))],
        sealed: None,
        sealed_mac: None,
        sealed_tags: Some("sealed-tags".into()),
        sealed_sender: Some("sealed-sender".into()),
        counted: false,
        note: None,
        attributed: Vec::new(),
        released_ids: Vec::new(),
    }
}

fn draft(action: &str, target: &str) -> AuditDraft {
    AuditDraft {
        actor_org: String::new(),
        actor_token: String::new(),
        action: action.into(),
        target: target.into(),
        detail: json!({}),
    }
}

/// `s` moved to `state` at the next revision.
fn moved(s: &Submission, state: &str) -> Submission {
    Submission {
        state: state.into(),
        rev: s.rev + 1,
        ..s.clone()
    }
}

/// Submissions: insert, read by id and receipt, list by state in arrival
/// order, and transitions that are compare-and-set on (state, revision),
/// carrying their counts and audit entry in the same transaction. `other`
/// is a second handle on the same database (another process).
pub async fn submissions<S: Store>(store: S, other: S) {
    let (a, b) = (
        submission("sub-b", "review", "rh-b"),
        submission("sub-a", "held", "rh-a"),
    );
    store.insert_submission(a.clone()).await.unwrap();
    store.insert_submission(b.clone()).await.unwrap();
    assert_eq!(store.submission("sub-b").await.unwrap(), Some(a.clone()));
    assert_eq!(
        store.submission_by_receipt("rh-a").await.unwrap(),
        Some(b.clone())
    );
    assert_eq!(store.submission("nope").await.unwrap(), None);
    assert_eq!(store.submission_by_receipt("nope").await.unwrap(), None);
    // Insert never replaces, and receipt hashes are unique.
    assert!(store.insert_submission(a.clone()).await.is_err());
    assert!(
        store
            .insert_submission(submission("sub-c", "review", "rh-a"))
            .await
            .is_err()
    );
    // Listed oldest first (not by id), all or by state.
    assert_eq!(
        store.submissions(None).await.unwrap(),
        vec![a.clone(), b.clone()]
    );
    assert_eq!(
        store.submissions(Some("review")).await.unwrap(),
        vec![a.clone()]
    );
    assert!(
        store
            .submissions(Some("released"))
            .await
            .unwrap()
            .is_empty()
    );

    // A transition applies once: from the state and revision it read.
    let approved = moved(&a, "held");
    let audit_before = store.audit_entries(0, 10_000).await.unwrap().len();
    assert!(
        store
            .transition_submission(
                approved.clone(),
                ("review", 0),
                vec![("c|week:1".into(), "t1".into(), 1)],
                Some(draft("submission.approve", "sub-b")),
                1,
            )
            .await
            .unwrap()
    );
    assert_eq!(
        store.submission("sub-b").await.unwrap(),
        Some(approved.clone())
    );
    // The same (state, revision) again, or a stale revision: nothing.
    for from in [("review", 0), ("held", 0)] {
        assert!(
            !store
                .transition_submission(
                    moved(&approved, "rejected"),
                    from,
                    vec![("c|week:1".into(), "t1".into(), 5)],
                    Some(draft("submission.reject", "sub-b")),
                    2,
                )
                .await
                .unwrap(),
            "from {from:?}"
        );
    }
    assert!(
        !store
            .transition_submission(moved(&a, "held"), ("review", 0), Vec::new(), None, 2)
            .await
            .unwrap()
    );
    // Exactly one audit entry and one count came with it.
    let entries = store.audit_entries(0, 10_000).await.unwrap();
    assert_eq!(entries.len(), audit_before + 1);
    verify(&entries, (0, GENESIS.into())).unwrap();
    assert_eq!(
        store.contributions().await.unwrap(),
        vec![("c|week:1".to_owned(), "t1".to_owned(), 1)]
    );
    // Counts that reach zero go.
    assert!(
        store
            .transition_submission(
                moved(&approved, "releasing"),
                ("held", 1),
                vec![("c|week:1".into(), "t1".into(), -1)],
                None,
                3,
            )
            .await
            .unwrap()
    );
    assert!(store.contributions().await.unwrap().is_empty());
    // The state column follows the document.
    assert_eq!(
        store
            .submissions(Some("releasing"))
            .await
            .unwrap()
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        vec!["sub-b"]
    );

    // Two processes moving the same submissions at once: each moves once,
    // and each move's audit entry is written once.
    let entries_before = store.audit_entries(0, 100_000).await.unwrap().len();
    for i in 0..20 {
        let id = format!("race-{i}");
        let s = submission(&id, "held", &format!("rh-race-{i}"));
        store.insert_submission(s.clone()).await.unwrap();
        let moves: Vec<_> = [store.clone(), other.clone()]
            .into_iter()
            .enumerate()
            .map(|(n, st)| {
                let next = moved(&s, if n == 0 { "releasing" } else { "withdrawn" });
                let id = id.clone();
                tokio::spawn(async move {
                    st.transition_submission(
                        next,
                        ("held", 0),
                        vec![(format!("c|{id}"), "t".into(), 1)],
                        Some(draft("submission.move", &id)),
                        4,
                    )
                    .await
                    .unwrap()
                })
            })
            .collect();
        let mut won = 0;
        for m in moves {
            if m.await.unwrap() {
                won += 1;
            }
        }
        assert_eq!(won, 1, "{id} moved {won} times");
        let now = other.submission(&id).await.unwrap().unwrap();
        assert_eq!(now.rev, 1);
        assert!(now.state == "releasing" || now.state == "withdrawn");
    }
    let entries = store.audit_entries(0, 100_000).await.unwrap();
    assert_eq!(entries.len(), entries_before + 20);
    verify(&entries, (0, GENESIS.into())).unwrap();
    let counts = store.contributions().await.unwrap();
    assert_eq!(counts.len(), 20);
    assert!(counts.iter().all(|(_, _, n)| *n == 1), "{counts:?}");
}

/// Tokens are added, never replaced: a second token with an id (or a
/// secret hash) already present is refused, and the first stays as it was.
pub async fn tokens_are_insert_only<S: Store>(store: S) {
    let org = Org {
        sectors: vec!["electricity".into()],
        ..Org::new("acme", OrgKind::Operator, "Acme", "JP")
    };
    let token = |id: &str, hash: &str, name: &str| TokenRecord {
        id: id.into(),
        hash: hash.into(),
        name: name.into(),
        org: "acme".into(),
        role: "member".into(),
        read_only: false,
        ip_allow: Vec::new(),
        expires: None,
        revoked: false,
        created: 1,
    };
    store
        .apply(
            vec![
                Change::PutOrg(org),
                Change::AddToken(token("t1", "h1", "first")),
            ],
            draft("token.create", "t1"),
            1,
        )
        .await
        .unwrap();
    for clash in [
        token("t1", "h2", "relabel"),
        token("t2", "h1", "same secret"),
    ] {
        assert!(
            store
                .apply(
                    vec![Change::AddToken(clash.clone())],
                    draft("token.create", &clash.id),
                    2,
                )
                .await
                .is_err(),
            "{} was accepted",
            clash.name
        );
    }
    let tokens = store.tokens().await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].name, "first");
    assert_eq!(store.token_by_hash("h1").await.unwrap().unwrap().id, "t1");
}

/// Queries with very long lists (`match[id]` with 40,000 ids, as many
/// versions) answer like short ones: no backend limit on parameters shows.
pub async fn long_lists<S: Store>(store: S) {
    use kyoyu_store::{NewVersion, Query, VersionSelect};
    let version = |i: usize| NewVersion {
        id: format!("indicator--{i:08x}-0000-4000-8000-000000000000"),
        object_type: "indicator".into(),
        version: format!("2025-01-01T00:00:{:02}.000Z", i % 60),
        version_key: 1_735_689_600_000_000 + (i % 60) as i64 * 1_000_000,
        spec_version: "2.1".into(),
        json: format!(r#"{{"n":{i}}}"#),
        tlp: None,
        recipients: Vec::new(),
        search: String::new(),
        values: Vec::new(),
    };
    store
        .add_versions(
            "c-long",
            (0..300).map(version).collect(),
            1,
            "acme",
            draft("objects.add", "c-long"),
        )
        .await
        .unwrap();
    let mut ids: Vec<String> = (0..40_000)
        .map(|i| format!("indicator--{i:08x}-0000-4000-8000-000000000000"))
        .collect();
    ids.reverse();
    let page = store
        .query(Query {
            collection: "c-long".into(),
            ids: ids.clone(),
            versions: VersionSelect {
                all: true,
                ..VersionSelect::default()
            },
            limit: 10_000,
            ..Query::default()
        })
        .await
        .unwrap();
    assert_eq!(page.items.len(), 300);
    let at: Vec<i64> = (0..40_000)
        .map(|i| 1_735_689_600_000_000 + i64::from(i % 120) * 1_000_000 + i64::from(i / 120))
        .collect();
    let page = store
        .query(Query {
            collection: "c-long".into(),
            ids,
            versions: VersionSelect {
                at,
                ..VersionSelect::default()
            },
            limit: 10_000,
            ..Query::default()
        })
        .await
        .unwrap();
    assert_eq!(
        page.items.len(),
        300,
        "every version is among the listed times"
    );
}

/// A collection's object version as a test writes it: version `key` of
/// `id`, as micros and as text.
fn version(
    id: &str,
    key: i64,
    tlp: Option<kyoyu_stix::tlp::Tlp>,
    recipients: &[&str],
) -> kyoyu_store::NewVersion {
    kyoyu_store::NewVersion {
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

/// Members, object versions and the audit trail: one batch of member
/// changes is one audit entry; standings change in place; versions keep
/// their author, marking and recipients; a duplicate is a success that
/// changes nothing; only the contributor adds versions of its object; a
/// delete that matches nothing writes no entry; deleting an organization
/// drops its memberships and revokes its tokens; the chain verifies.
pub async fn members_versions_and_audit<S: Store>(store: S) {
    use kyoyu_stix::tlp::Tlp;
    use kyoyu_store::{Added, ApiRoot, Collection, Query, VersionSelect};
    use kyoyu_trust::{Community, CommunityKind, Distribution, MemberRole, Membership};
    let org = |id: &str| Org::new(id, OrgKind::Operator, id, "JP");
    let community = Community {
        id: "national".into(),
        kind: CommunityKind::National,
        name: "National".into(),
        name_ja: None,
        sector: None,
        owner: None,
        default_tlp: Tlp::Green,
        distribution: Distribution::Community,
        connected: Vec::new(),
        release_without_review: false,
    };
    let collection = Collection {
        id: "c-nat".into(),
        api_root: "hub".into(),
        title: "National".into(),
        description: None,
        alias: Some("national".into()),
    };
    let token = |id: &str, hash: &str, org: &str| TokenRecord {
        id: id.into(),
        hash: hash.into(),
        name: "t".into(),
        org: org.into(),
        role: "member".into(),
        read_only: false,
        ip_allow: Vec::new(),
        expires: None,
        revoked: false,
        created: 1,
    };
    let member = |org: &str, role| Membership {
        community: "national".into(),
        org: org.into(),
        role,
    };
    store
        .put_api_root(ApiRoot {
            path: "hub".into(),
            title: "Hub".into(),
            description: None,
        })
        .await
        .unwrap();
    store
        .apply(
            vec![
                Change::PutOrg(org("acme")),
                Change::PutOrg(org("beta")),
                Change::PutCommunity(community.clone(), collection.clone()),
                Change::SetMember(member("acme", MemberRole::Member)),
                Change::SetMember(member("beta", MemberRole::Observer)),
                Change::AddToken(token("tok1", "hash1", "acme")),
                Change::AddToken(token("tok2", "hash2", "beta")),
            ],
            draft("org.create", "acme"),
            1_000,
        )
        .await
        .unwrap();
    store
        .apply(
            vec![Change::SetMember(member(
                "acme",
                MemberRole::CommunityAdmin,
            ))],
            draft("community.member", "national"),
            1_001,
        )
        .await
        .unwrap();
    let dir = store.directory().await.unwrap();
    assert_eq!(dir.orgs, vec![org("acme"), org("beta")]);
    assert_eq!(dir.communities, vec![community]);
    assert_eq!(
        dir.memberships,
        vec![
            member("acme", MemberRole::CommunityAdmin),
            member("beta", MemberRole::Observer)
        ]
    );
    assert_eq!(store.collections("hub").await.unwrap(), vec![collection]);
    assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), 2);

    // Versions keep author, marking and recipients; a duplicate changes nothing.
    let added = store
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
            draft("objects.add", "c-nat"),
        )
        .await
        .unwrap();
    assert_eq!(
        added,
        [Added::New, Added::New, Added::New, Added::Duplicate]
    );
    // Another organization may not add a version of acme's object.
    let foreign = store
        .add_versions(
            "c-nat",
            vec![version("indicator--a", 3, None, &[])],
            2_001,
            "beta",
            draft("objects.add", "c-nat"),
        )
        .await
        .unwrap();
    assert_eq!(foreign, [Added::Foreign]);
    let all = VersionSelect {
        all: true,
        ..VersionSelect::default()
    };
    let page = store
        .query(Query {
            collection: "c-nat".into(),
            versions: all.clone(),
            limit: 10,
            ..Query::default()
        })
        .await
        .unwrap();
    let got: Vec<_> = page
        .items
        .iter()
        .map(|v| {
            (
                v.id.as_str(),
                v.version.as_str(),
                v.tlp,
                v.recipients.clone(),
                v.author.as_str(),
                v.json.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "indicator--a",
                "v1",
                Some(Tlp::AmberStrict),
                vec!["beta".to_owned(), "gamma".to_owned()],
                "acme",
                ""
            ),
            ("indicator--a", "v2", Some(Tlp::Red), vec![], "acme", ""),
            (
                "indicator--b",
                "v1",
                None,
                vec!["beta".to_owned()],
                "acme",
                ""
            ),
        ]
    );
    // first / last.
    let pick = |first: bool| VersionSelect {
        first,
        last: !first,
        ..VersionSelect::default()
    };
    for (first, want) in [(true, "v1"), (false, "v2")] {
        let p = store
            .query(Query {
                collection: "c-nat".into(),
                ids: vec!["indicator--a".into()],
                versions: pick(first),
                limit: 10,
                with_json: true,
                ..Query::default()
            })
            .await
            .unwrap();
        assert_eq!(p.items.len(), 1);
        assert_eq!(p.items[0].version, want);
        assert!(p.items[0].json.contains("indicator--a"));
    }

    // A delete that matches nothing writes no entry; one that does, one.
    let before = store.audit_entries(0, 1_000).await.unwrap().len();
    let none = VersionSelect {
        at: vec![99],
        ..VersionSelect::default()
    };
    let n = store
        .delete_object(
            "c-nat",
            "indicator--b",
            none,
            vec![],
            draft("objects.delete", "x"),
        )
        .await
        .unwrap();
    assert_eq!(n, 0);
    assert_eq!(store.audit_entries(0, 1_000).await.unwrap().len(), before);
    let n = store
        .delete_object(
            "c-nat",
            "indicator--b",
            all,
            vec![],
            draft("objects.delete", "b"),
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        store.audit_entries(0, 1_000).await.unwrap().len(),
        before + 1
    );

    // Deleting an organization drops its memberships and revokes its tokens.
    store
        .apply(
            vec![Change::DeleteOrg("beta".into())],
            draft("org.delete", "beta"),
            3_000,
        )
        .await
        .unwrap();
    let dir = store.directory().await.unwrap();
    assert_eq!(dir.orgs, vec![org("acme")]);
    assert_eq!(dir.memberships.len(), 1);
    assert!(store.token_by_hash("hash2").await.unwrap().unwrap().revoked);
    assert!(!store.token_by_hash("hash1").await.unwrap().unwrap().revoked);
    let entries = store.audit_entries(0, 1_000).await.unwrap();
    verify(&entries, (0, GENESIS.into())).unwrap();
}

/// Audit entries never go back in time as their sequence numbers go up,
/// whatever the appending clock says (one stepped back, or another node's
/// clock behind).
pub async fn audit_times_never_go_backwards<S: Store>(store: S) {
    let draft = |n: usize| kyoyu_store::AuditDraft {
        actor_org: "hub".into(),
        actor_token: "t".into(),
        action: "test".into(),
        target: format!("entry-{n}"),
        detail: serde_json::json!({}),
    };
    store.append_audit(vec![draft(1)], 2_000_000).await.unwrap();
    store
        .append_audit(vec![draft(2), draft(3)], 1_000_000)
        .await
        .unwrap();
    store.append_audit(vec![draft(4)], 3_000_000).await.unwrap();
    let entries = store.audit_entries(0, 100).await.unwrap();
    let ats: Vec<i64> = entries.iter().map(|e| e.at).collect();
    assert_eq!(ats, [2_000_000, 2_000_000, 2_000_000, 3_000_000]);
    kyoyu_trust::audit::verify(&entries, (0, kyoyu_trust::audit::GENESIS.into())).unwrap();
    assert_eq!(
        store.audit_head().await.unwrap(),
        entries.last().map_or(0, |e| e.seq),
        "the head is the last entry"
    );
}

/// A console user as a test makes one.
pub fn user(login: &str, org: &str) -> UserRecord {
    UserRecord {
        login: login.into(),
        org: org.into(),
        role: "member".into(),
        name: format!("Person {login}"),
        email: format!("{login}@example.jp"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        totp_sealed: None,
        totp_last_step: 0,
        disabled: false,
        must_change_password: false,
        created: 1,
        language: None,
        time_zone: None,
        last_visit: None,
    }
}

fn session(hash: &str, login: &str, last_seen: Micros) -> SessionRecord {
    SessionRecord {
        hash: hash.into(),
        login: login.into(),
        created: 1,
        last_seen,
        csrf: format!("csrf-{hash}"),
        stage: "signed-in".into(),
        pending_totp: None,
        previous_visit: Some(last_seen - 1),
    }
}

/// Users are added once (a login already present is refused and the first
/// stays), replaced by `PutUser`; sessions are stored, touched, ended one
/// by one, ended all together for a user, purged when idle, and go with
/// their organization.
pub async fn users_and_sessions<S: Store>(store: S) {
    let org = |id: &str| Org {
        sectors: vec!["electricity".into()],
        ..Org::new(id, OrgKind::Operator, id, "JP")
    };
    store
        .apply(
            vec![
                Change::PutOrg(org("acme")),
                Change::PutOrg(org("beta")),
                Change::AddUser(user("hanako", "acme")),
                Change::AddUser(user("taro", "acme")),
                Change::AddUser(user("jiro", "beta")),
            ],
            draft("user.create", "hanako"),
            1,
        )
        .await
        .unwrap();
    let clash = UserRecord {
        org: "beta".into(),
        ..user("hanako", "beta")
    };
    assert!(
        store
            .apply(
                vec![Change::AddUser(clash)],
                draft("user.create", "hanako"),
                2
            )
            .await
            .is_err(),
        "a second user with the same login was accepted"
    );
    assert_eq!(store.user("hanako").await.unwrap().unwrap().org, "acme");
    assert_eq!(store.user("nobody").await.unwrap(), None);
    let logins: Vec<String> = store
        .users()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.login)
        .collect();
    assert_eq!(logins, ["hanako", "jiro", "taro"]);
    let changed = UserRecord {
        disabled: true,
        name: "花子".into(),
        ..user("hanako", "acme")
    };
    store
        .apply(
            vec![Change::PutUser(changed.clone())],
            draft("user.disable", "hanako"),
            3,
        )
        .await
        .unwrap();
    assert_eq!(store.user("hanako").await.unwrap(), Some(changed));

    for (hash, login) in [
        ("s1", "hanako"),
        ("s2", "hanako"),
        ("s3", "taro"),
        ("s4", "jiro"),
    ] {
        store.put_session(session(hash, login, 10)).await.unwrap();
    }
    store.put_session(session("s3", "taro", 50)).await.unwrap();
    assert_eq!(store.session("s3").await.unwrap().unwrap().last_seen, 50);
    store.end_session("s2").await.unwrap();
    assert_eq!(store.session("s2").await.unwrap(), None);
    store
        .apply(
            vec![Change::EndSessions("hanako".into())],
            draft("user.sign-out-everywhere", "hanako"),
            4,
        )
        .await
        .unwrap();
    assert_eq!(store.session("s1").await.unwrap(), None);
    assert!(
        store.session("s3").await.unwrap().is_some(),
        "another user's session ended"
    );
    assert_eq!(store.purge_sessions(20).await.unwrap(), 1, "s4 was idle");
    assert!(store.session("s3").await.unwrap().is_some());
    store.put_session(session("s5", "jiro", 60)).await.unwrap();
    store
        .apply(
            vec![Change::DeleteOrg("beta".into())],
            draft("org.delete", "beta"),
            5,
        )
        .await
        .unwrap();
    assert_eq!(store.user("jiro").await.unwrap(), None);
    assert_eq!(store.session("s5").await.unwrap(), None);
    assert!(store.user("taro").await.unwrap().is_some());
}

/// Search: versions are found by a substring of their folded text (three
/// characters and more through the index, shorter ones too; LIKE wildcards
/// in the query are plain characters) and by an exact observable value, in
/// their collection only; deleting a version removes it from the index;
/// versions stored without an index row are indexed later by `put_index`.
pub async fn search<S: Store>(store: S) {
    use kyoyu_store::{NewVersion, Query, VersionSelect};
    let version = |i: usize, text: &str, values: &[&str]| NewVersion {
        id: format!("report--{i:08x}-0000-4000-8000-000000000000"),
        object_type: "report".into(),
        version: "2026-01-01T00:00:00.000Z".into(),
        version_key: 1_767_225_600_000_000,
        spec_version: "2.1".into(),
        json: format!(r#"{{"n":{i}}}"#),
        tlp: None,
        recipients: Vec::new(),
        search: text.into(),
        values: values.iter().map(|v| (*v).to_owned()).collect(),
    };
    store
        .add_versions(
            "c-search",
            vec![
                version(
                    1,
                    "ランサムウェア 被害 電力\nphishing 50%_off",
                    &["203.0.113.7"],
                ),
                version(
                    2,
                    "ddos against gas\n電力",
                    &["evil.example.net", "203.0.113.7"],
                ),
                version(3, "nothing to see", &[]),
            ],
            1,
            "acme",
            draft("objects.add", "c-search"),
        )
        .await
        .unwrap();
    store
        .add_versions(
            "c-other",
            vec![version(4, "電力 in another collection", &["203.0.113.7"])],
            2,
            "acme",
            draft("objects.add", "c-other"),
        )
        .await
        .unwrap();
    let find = |text: Option<&str>, value: Option<&str>| {
        let store = store.clone();
        let (text, value) = (text.map(str::to_owned), value.map(str::to_owned));
        async move {
            // The index's candidates in every collection, then the rows of
            // `c-search` among them (as the hub's reader does).
            let seqs = store
                .search_candidates(text, value, None, 100)
                .await
                .unwrap();
            if seqs.is_empty() {
                return Vec::new();
            }
            let page = store
                .query(Query {
                    collection: "c-search".into(),
                    versions: VersionSelect::default(),
                    limit: 100,
                    with_json: true,
                    seqs,
                    ..Query::default()
                })
                .await
                .unwrap();
            page.items
                .iter()
                .map(|v| v.json.clone())
                .collect::<Vec<_>>()
        }
    };
    let n = |items: Vec<String>| -> Vec<String> { items };
    assert_eq!(n(find(Some("ランサムウェア"), None).await), [r#"{"n":1}"#]);
    assert_eq!(
        n(find(Some("電力"), None).await),
        [r#"{"n":1}"#, r#"{"n":2}"#],
        "two characters"
    );
    assert_eq!(n(find(Some("phish"), None).await), [r#"{"n":1}"#]);
    assert_eq!(n(find(Some("50%_"), None).await), [r#"{"n":1}"#]);
    assert!(
        find(Some("5_%"), None).await.is_empty(),
        "wildcards are characters"
    );
    assert!(find(Some("\"quoted\" text"), None).await.is_empty());
    assert_eq!(
        n(find(None, Some("203.0.113.7")).await),
        [r#"{"n":1}"#, r#"{"n":2}"#]
    );
    assert_eq!(
        n(find(Some("ddos"), Some("203.0.113.7")).await),
        [r#"{"n":2}"#]
    );
    assert!(
        find(None, Some("203.0.113")).await.is_empty(),
        "values are exact"
    );
    // Newest first, and a cursor resumes below the position given.
    let newest = |after_seq: Option<i64>| {
        let store = store.clone();
        async move {
            let page = store
                .query(Query {
                    collection: "c-search".into(),
                    versions: VersionSelect::default(),
                    limit: 2,
                    with_json: true,
                    newest_first: true,
                    after_seq,
                    ..Query::default()
                })
                .await
                .unwrap();
            (page.items, page.more)
        }
    };
    let (first, more) = newest(None).await;
    let jsons: Vec<&str> = first.iter().map(|v| v.json.as_str()).collect();
    assert_eq!(jsons, [r#"{"n":3}"#, r#"{"n":2}"#]);
    assert!(more);
    let (rest, more) = newest(Some(first[1].seq)).await;
    let jsons: Vec<&str> = rest.iter().map(|v| v.json.as_str()).collect();
    assert_eq!(jsons, [r#"{"n":1}"#]);
    assert!(!more);
    // Another collection, for candidates across collections.
    store
        .add_versions(
            "c-search-2",
            vec![
                version(5, "kyoyu alpha 電力", &[]),
                version(6, "kyoyu beta 電力", &[]),
                version(7, "other", &[]),
            ],
            3,
            "acme",
            draft("objects.add", "c-search-2"),
        )
        .await
        .unwrap();
    // Deleting a version takes it out of the index.
    store
        .delete_object(
            "c-search",
            "report--00000002-0000-4000-8000-000000000000",
            VersionSelect::default(),
            Vec::new(),
            draft("objects.delete", "c-search"),
        )
        .await
        .unwrap();
    assert_eq!(n(find(None, Some("203.0.113.7")).await), [r#"{"n":1}"#]);
    // Indexed later (rows stored before the index existed).
    let rows = store.versions_after(0, 10).await.unwrap();
    assert_eq!(rows.len(), 6);
    let third = rows.iter().find(|(_, j)| j == r#"{"n":3}"#).unwrap().0;
    store
        .put_index(vec![(
            third,
            "reindexed text".into(),
            vec!["x.example".into()],
        )])
        .await
        .unwrap();
    assert_eq!(n(find(Some("reindexed"), None).await), [r#"{"n":3}"#]);
    assert!(
        find(Some("nothing to see"), None).await.is_empty(),
        "replaced"
    );
    assert_eq!(n(find(None, Some("x.example")).await), [r#"{"n":3}"#]);
    // Candidates from the index alone, in every collection, newest first.
    let all = store.versions_after(0, 100).await.unwrap();
    let seq_of = |n: u32| {
        all.iter()
            .find(|(_, j)| *j == format!(r#"{{"n":{n}}}"#))
            .map(|(s, _)| *s)
            .unwrap()
    };
    let candidates =
        |text: Option<&str>, value: Option<&str>, before: Option<i64>, limit: usize| {
            let store = store.clone();
            let (text, value) = (text.map(str::to_owned), value.map(str::to_owned));
            async move {
                store
                    .search_candidates(text, value, before, limit)
                    .await
                    .unwrap()
            }
        };
    assert_eq!(
        candidates(Some("kyoyu"), None, None, 10).await,
        [seq_of(6), seq_of(5)]
    );
    assert_eq!(candidates(Some("kyoyu"), None, None, 1).await, [seq_of(6)]);
    assert_eq!(
        candidates(Some("kyoyu"), None, Some(seq_of(6)), 10).await,
        [seq_of(5)]
    );
    assert_eq!(
        candidates(Some("電力"), None, None, 10).await,
        [seq_of(6), seq_of(5), seq_of(4), seq_of(1)],
        "two characters, across collections"
    );
    assert_eq!(
        candidates(Some("電力"), Some("203.0.113.7"), None, 10).await,
        [seq_of(4), seq_of(1)]
    );
    assert_eq!(
        candidates(None, Some("x.example"), None, 10).await,
        [seq_of(3)]
    );
    assert!(candidates(None, None, None, 10).await.is_empty());
    // A query limited to candidate positions.
    let page = store
        .query(Query {
            collection: "c-search-2".into(),
            versions: VersionSelect::default(),
            limit: 10,
            with_json: true,
            seqs: vec![seq_of(5), seq_of(1)],
            ..Query::default()
        })
        .await
        .unwrap();
    let got: Vec<&str> = page.items.iter().map(|v| v.json.as_str()).collect();
    assert_eq!(got, [r#"{"n":5}"#], "only its own collection's");
}

/// A version of a test record.
fn record(id: &str, rev: i64, state: &str, due: Option<Micros>) -> RecordVersion {
    RecordVersion {
        kind: "incident".into(),
        id: id.into(),
        rev,
        org: "acme".into(),
        parties: vec!["meti".into(), "centre".into()],
        state: state.into(),
        due,
        body: json!({"rev": rev, "text": "変電所の監視端末"}).to_string(),
        at: 1_000 + rev,
    }
}

/// Workflow records: versions only added, in order, one writer per
/// revision; lists of the newest versions by party, state and deadline; the
/// live stream numbered in order per topic.
pub async fn records_and_streams<S: Store + Clone + 'static>(store: S) {
    let head = store.audit_head().await.unwrap();
    let hotline = |n: i64| ("hotline".to_owned(), json!({ "n": n }).to_string());
    assert!(
        store
            .add_record(
                record("inc-1", 1, "draft", None),
                vec![draft("incident.draft", "inc-1")],
                vec![hotline(1)],
                10,
            )
            .await
            .unwrap()
    );
    // The first version again, or a revision that skips one: refused,
    // nothing written.
    assert!(
        !store
            .add_record(
                record("inc-1", 1, "filed", None),
                vec![],
                vec![hotline(99)],
                11
            )
            .await
            .unwrap()
    );
    assert!(
        !store
            .add_record(record("inc-1", 3, "filed", None), vec![], vec![], 11)
            .await
            .unwrap()
    );
    assert!(
        store
            .add_record(
                record("inc-1", 2, "filed", Some(5_000)),
                vec![draft("incident.file", "inc-1")],
                vec![hotline(2), ("other".into(), "{}".into())],
                12,
            )
            .await
            .unwrap()
    );
    assert_eq!(store.audit_head().await.unwrap(), head + 2);
    let now = store.record("incident", "inc-1").await.unwrap().unwrap();
    assert_eq!(now, record("inc-1", 2, "filed", Some(5_000)));
    assert!(store.record("incident", "inc-2").await.unwrap().is_none());
    assert!(store.record("hotline", "inc-1").await.unwrap().is_none());
    let history = store.record_history("incident", "inc-1").await.unwrap();
    assert_eq!(
        history
            .iter()
            .map(|v| (v.rev, v.state.as_str()))
            .collect::<Vec<_>>(),
        [(1, "draft"), (2, "filed")]
    );
    assert_eq!(history[0].body, record("inc-1", 1, "draft", None).body);

    // A second record, for the lists.
    assert!(
        store
            .add_record(
                RecordVersion {
                    org: "beta".into(),
                    parties: vec!["mlit".into()],
                    at: 2_000,
                    ..record("inc-2", 1, "filed", Some(9_000))
                },
                vec![],
                vec![],
                13,
            )
            .await
            .unwrap()
    );
    let ids = |list: Vec<RecordVersion>| list.into_iter().map(|v| v.id).collect::<Vec<_>>();
    let all = |f: RecordFilter| RecordFilter {
        kind: "incident".into(),
        limit: 100,
        ..f
    };
    assert_eq!(
        ids(store.records(all(RecordFilter::default())).await.unwrap()),
        ["inc-2", "inc-1"]
    );
    for (party, expected) in [
        ("acme", vec!["inc-1"]),
        ("meti", vec!["inc-1"]),
        ("centre", vec!["inc-1"]),
        ("mlit", vec!["inc-2"]),
        ("beta", vec!["inc-2"]),
        // A party is matched whole, never by a part of its id.
        ("met", vec![]),
        ("cent", vec![]),
        ("", vec![]),
    ] {
        let f = all(RecordFilter {
            involving: Some(party.into()),
            ..RecordFilter::default()
        });
        assert_eq!(ids(store.records(f).await.unwrap()), expected, "{party}");
    }
    let by_state = |states: &[&str]| {
        all(RecordFilter {
            states: states.iter().map(|s| (*s).to_owned()).collect(),
            ..RecordFilter::default()
        })
    };
    assert_eq!(
        ids(store.records(by_state(&["draft"])).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(store.records(by_state(&["filed", "closed"])).await.unwrap()),
        ["inc-2", "inc-1"]
    );
    let due = |before: Micros| {
        all(RecordFilter {
            due_before: Some(before),
            ..RecordFilter::default()
        })
    };
    assert_eq!(
        ids(store.records(due(5_000)).await.unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(ids(store.records(due(5_001)).await.unwrap()), ["inc-1"]);
    assert_eq!(
        ids(store.records(due(i64::MAX)).await.unwrap()),
        ["inc-2", "inc-1"]
    );
    let one = RecordFilter {
        kind: "incident".into(),
        limit: 1,
        ..RecordFilter::default()
    };
    assert_eq!(ids(store.records(one).await.unwrap()), ["inc-2"]);

    // The stream: numbered in order, per topic; the refused write added none.
    let seen = store.events_after("hotline", 0, 100).await.unwrap();
    assert_eq!(
        seen.iter().map(|e| e.body.as_str()).collect::<Vec<_>>(),
        [r#"{"n":1}"#, r#"{"n":2}"#]
    );
    assert!(seen[0].seq < seen[1].seq);
    assert_eq!((seen[0].at, seen[1].at), (10, 12));
    assert_eq!(store.stream_head("hotline").await.unwrap(), seen[1].seq);
    assert_eq!(store.stream_head("nothing-here").await.unwrap(), 0);
    assert!(
        store
            .events_after("hotline", seen[1].seq, 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .events_after("hotline", seen[0].seq, 100)
            .await
            .unwrap(),
        seen[1..]
    );
    assert_eq!(
        store.events_after("hotline", 0, 1).await.unwrap(),
        seen[..1]
    );
    assert_eq!(store.events_after("other", 0, 100).await.unwrap().len(), 1);

    // Writers racing for the same next revision: exactly one wins.
    let mut tasks = Vec::new();
    for n in 0..8 {
        let s = store.clone();
        tasks.push(tokio::spawn(async move {
            s.add_record(
                record("inc-1", 3, &format!("writer-{n}"), None),
                vec![],
                vec![hotline(100 + n)],
                20,
            )
            .await
            .unwrap()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1);
    assert_eq!(
        store
            .record_history("incident", "inc-1")
            .await
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        store
            .events_after("hotline", seen[1].seq, 100)
            .await
            .unwrap()
            .len(),
        1
    );
}
