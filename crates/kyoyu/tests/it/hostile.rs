//! Hostile clients (issue 10): what a client that never finishes, or
//! sends too much, may hold. Every test here is bounded: a few dozen
//! sockets on loopback, timeouts of a second, and it stops by itself.

use crate::testkit::{Answer, Backend, TestHub};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn addr(hub: &TestHub) -> SocketAddr {
    hub.base
        .trim_start_matches("http://")
        .parse()
        .expect("hub address")
}

/// A connection from `from` (any 127.x.y.z address: Linux routes them all to loopback).
fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let local: SocketAddr = format!("{from}:0").parse().unwrap();
    socket.bind(&local.into()).unwrap();
    socket.connect(&to.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads until the server closes; what it sent, and how long that took.
fn until_closed(s: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

fn healthz_from(from: &str, to: SocketAddr) -> String {
    let mut s = connect_from(from, to);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .unwrap();
    until_closed(&mut s).0
}

#[test]
fn stalled_connections_are_capped_per_address_and_closed_after_the_header_timeout() {
    let hub = TestHub::start_with(
        Backend::Sqlite,
        &[
            "--header-timeout",
            "1",
            "--max-connections-per-address",
            "20",
        ],
    );
    let to = addr(&hub);
    // 40 connections from one address that never finish their request head.
    let mut held: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = connect_from("127.0.0.3", to);
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
                .unwrap();
            s
        })
        .collect();
    // Another client is served meanwhile.
    assert!(healthz_from("127.0.0.4", to).starts_with("HTTP/1.1 200"));
    // The 21st to 40th were closed at once; the first 20 after the header timeout.
    let mut quick = 0;
    let mut timed_out = 0;
    for s in &mut held {
        let (_, took) = until_closed(s);
        if took < Duration::from_millis(700) {
            quick += 1;
        } else {
            assert!(took < Duration::from_secs(4), "closed after {took:?}");
            timed_out += 1;
        }
    }
    assert!(
        quick >= 20,
        "{quick} closed at once, {timed_out} after the timeout"
    );
    assert!(
        timed_out <= 20 && timed_out > 0,
        "{timed_out} held until the timeout"
    );
    // Once they are gone the address is served again.
    assert!(healthz_from("127.0.0.3", to).starts_with("HTTP/1.1 200"));
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let hub = TestHub::start_with(Backend::Sqlite, &["--header-timeout", "1"]);
    let mut s = connect_from("127.0.0.1", addr(&hub));
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .unwrap();
    let (answer, took) = until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(4),
        "closed after {took:?}"
    );
}

#[test]
fn a_stalled_body_times_out_and_gives_its_turn_back() {
    let hub = TestHub::start_with(
        Backend::Sqlite,
        &["--body-timeout", "1", "--bodies-in-flight", "1"],
    );
    let to = addr(&hub);
    let path = hub.objects_path();
    let mut stalled = connect_from("127.0.0.1", to);
    write!(
        stalled,
        "POST {path} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\nContent-Type: application/taxii+json;version=2.1\r\nContent-Length: 1000\r\n\r\n{{\"objects\": [",
        hub.admin
    )
    .unwrap();
    // The one body turn is taken; a second POST waits for it, then is served.
    let started = Instant::now();
    let other = hub.post_objects(&[], None);
    assert_eq!(other.status, 202, "{}", other.body);
    assert!(started.elapsed() < Duration::from_secs(5));
    let (answer, _) = until_closed(&mut stalled);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("\"request-timeout\"") || answer.contains("did not arrive"),
        "{answer}"
    );
}

#[test]
fn bodies_over_the_limit_get_a_json_413_on_every_endpoint() {
    let hub = TestHub::start_with(Backend::Sqlite, &["--max-content-length", "1000"]);
    let big = serde_json::json!({"objects": [], "pad": "x".repeat(5000)});
    for path in [
        hub.objects_path(),
        "/api/submissions".to_owned(),
        "/api/orgs".to_owned(),
    ] {
        let r = hub.request(
            "POST",
            &path,
            Some(&hub.admin),
            &[("Content-Type", "application/json")],
            Some(&big.to_string()),
        );
        assert_eq!(r.status, 413, "{path}: {}", r.body);
        let body = r.json();
        assert!(
            body["description"]
                .as_str()
                .unwrap_or_default()
                .contains("1000 bytes"),
            "{path}: {body}"
        );
    }
}

const RED_UPPER: &str = "marking-definition--E828B379-4E03-4974-9AC4-E53A884C97C1";

fn ioc(id: &str, name: &str, modified: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "indicator", "spec_version": "2.1", "id": id,
        "created": "2025-01-01T00:00:00.000Z", "modified": modified,
        "name": name, "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
        "pattern": "[ipv4-addr:value = '203.0.113.77']",
    })
}

/// A TAXII envelope posted to the electricity sector's collection.
fn post_envelope(hub: &TestHub, token: &str, envelope: &serde_json::Value) -> Answer {
    let col = hub.collection_of("sector-electricity");
    hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(token),
        &[
            ("Content-Type", crate::testkit::TAXII),
            ("Accept", crate::testkit::TAXII),
        ],
        Some(&envelope.to_string()),
    )
}

/// Posts `objects` and expects them taken (202); the status.
fn post_to(hub: &TestHub, token: &str, objects: &serde_json::Value) -> serde_json::Value {
    let a = post_envelope(hub, token, &serde_json::json!({ "objects": objects }));
    assert_eq!(a.status, 202, "{}", a.body);
    a.json()
}

fn names_seen(hub: &TestHub, token: &str) -> Vec<(String, String)> {
    let col = hub.collection_of("sector-electricity");
    let a = hub.get(&format!("/hub/collections/{col}/objects/"), Some(token));
    assert_eq!(a.status, 200, "{}", a.body);
    a.json()["objects"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap_or_default().to_owned(),
                o["id"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// TLP:RED written with an upper-case UUID is TLP:RED, and an upper-case
/// spelling of another organization's id is that id (issue 10, finding 4).
fn identifiers_in_other_cases_on(backend: Backend) {
    let hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    hub.org("elec-b", "operator", &["electricity"]);
    let a = hub.token_for("elec-a", "member", false);
    let b = hub.token_for("elec-b", "member", false);
    let mut red = ioc(
        "indicator--6F2C7B0A-1D2E-4F3A-8B4C-5D6E7F809A1B",
        "red",
        "2025-01-01T00:00:00.000Z",
    );
    red["object_marking_refs"] = serde_json::json!([RED_UPPER]);
    let shared = ioc(
        "indicator--1a2b3c4d-0000-4000-8000-00000000abcd",
        "shared",
        "2025-01-01T00:00:00.000Z",
    );
    let status = post_to(&hub, &a, &serde_json::json!([red, shared]));
    assert_eq!(status["success_count"], 2, "{status}");
    // The author reads its object back under the canonical id and marking.
    let own = names_seen(&hub, &a);
    assert!(
        own.contains(&(
            "red".into(),
            "indicator--6f2c7b0a-1d2e-4f3a-8b4c-5d6e7f809a1b".into()
        )),
        "{own:?}"
    );
    let col = hub.collection_of("sector-electricity");
    let back = hub
        .get(
            &format!(
                "/hub/collections/{col}/objects/indicator--6f2c7b0a-1d2e-4f3a-8b4c-5d6e7f809a1b/"
            ),
            Some(&a),
        )
        .json();
    assert_eq!(
        back["objects"][0]["object_marking_refs"][0],
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
    );
    // Another member does not read the RED one, in any spelling.
    let theirs = names_seen(&hub, &b);
    assert_eq!(
        theirs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["shared"]
    );
    for id in [
        "indicator--6f2c7b0a-1d2e-4f3a-8b4c-5d6e7f809a1b",
        "indicator--6F2C7B0A-1D2E-4F3A-8B4C-5D6E7F809A1B",
    ] {
        assert_eq!(
            hub.get(&format!("/hub/collections/{col}/objects/{id}/"), Some(&b))
                .status,
            404
        );
    }
    // A newer version of a's object under an upper-case spelling is a's id: refused.
    let takeover = ioc(
        "indicator--1A2B3C4D-0000-4000-8000-00000000ABCD",
        "takeover",
        "2025-06-01T00:00:00.000Z",
    );
    let status = post_to(&hub, &b, &serde_json::json!([takeover]));
    assert_eq!(status["failure_count"], 1, "{status}");
    assert!(
        status["failures"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("not yours"),
        "{status}"
    );
    assert!(names_seen(&hub, &a).iter().all(|(n, _)| n != "takeover"));
}

crate::testkit::on_both_stores!(identifiers_in_other_cases, identifiers_in_other_cases_on);

/// Recipients are named once however often they are repeated, refused
/// beyond the bound, and refused when not a list (issue 10, findings 5 and 14).
fn recipients_are_bounded_and_checked_on(backend: Backend) {
    let hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    hub.org("elec-b", "operator", &["electricity"]);
    let a = hub.token_for("elec-a", "member", false);
    let col = hub.collection_of("sector-electricity");
    let post = |body: serde_json::Value| post_envelope(&hub, &a, &body);
    let mut red = ioc(
        "indicator--2b3c4d5e-0000-4000-8000-000000000001",
        "for b",
        "2025-01-01T00:00:00.000Z",
    );
    red["object_marking_refs"] =
        serde_json::json!(["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]);
    // 20,000 repeats of one recipient: one recipient.
    let many = vec!["elec-b"; 20_000];
    let r = post(serde_json::json!({"objects": [red], "x_kyoyu_recipients": many}));
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.json()["success_count"], 1, "{}", r.body);
    let db_rows = hub.get(
        &format!("/hub/collections/{col}/objects/"),
        Some(&hub.token_for("elec-b", "member", false)),
    );
    assert!(db_rows.body.contains("for b"), "{}", db_rows.body);
    // More distinct recipients than the bound: refused whole, nothing stored.
    let distinct: Vec<String> = (0..300).map(|i| format!("org-{i}")).collect();
    let mut other = red.clone();
    other["id"] = serde_json::json!("indicator--2b3c4d5e-0000-4000-8000-000000000002");
    let r = post(serde_json::json!({"objects": [other], "x_kyoyu_recipients": distinct}));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("at most 256"), "{}", r.body);
    // A string where a list belongs is refused, not ignored.
    other["x_kyoyu_recipients"] = serde_json::json!("elec-b");
    let r = post(serde_json::json!({"objects": [other]}));
    let status = r.json();
    assert_eq!(status["failure_count"], 1, "{status}");
    assert!(
        status["failures"][0]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("must be a list"),
        "{status}"
    );
}

crate::testkit::on_both_stores!(
    recipients_are_bounded_and_checked,
    recipients_are_bounded_and_checked_on
);

/// A restricted token issues only tokens as restricted (issue 10, finding 9).
fn minted_tokens_are_never_wider_on(backend: Backend) {
    let hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    let issue = |token: Option<&str>, body: serde_json::Value| {
        hub.rest("POST", "/api/tokens", token, &body)
    };
    let admin = issue(
        None,
        serde_json::json!({"org": "elec-a", "role": "community-admin", "expires_in": 3600, "ip_allow": ["127.0.0.0/8"]}),
    );
    assert_eq!(admin.status, 201, "{}", admin.body);
    let admin_expires = admin.json()["expires"].clone();
    let admin = admin.json()["token"].as_str().unwrap().to_owned();
    // Nothing asked: the issuer's limits.
    let member = issue(
        Some(&admin),
        serde_json::json!({"org": "elec-a", "role": "member"}),
    );
    assert_eq!(member.status, 201, "{}", member.body);
    let info = &member.json();
    assert_eq!(
        info["ip_allow"],
        serde_json::json!(["127.0.0.0/8"]),
        "{info}"
    );
    assert!(info["expires"].is_string(), "{info}");
    assert!(
        info["expires"].as_str() <= admin_expires.as_str(),
        "{info} vs {admin_expires}"
    );
    // Wider than the issuer: refused, saying why.
    for wider in [
        serde_json::json!({"org": "elec-a", "role": "member", "expires_in": 30 * 86400}),
        serde_json::json!({"org": "elec-a", "role": "member", "ip_allow": ["0.0.0.0/0"]}),
    ] {
        let a = issue(Some(&admin), wider);
        assert!(
            a.status == 400 || a.status == 422,
            "{}: {}",
            a.status,
            a.body
        );
        assert!(
            a.body.contains("outlive") || a.body.contains("outside"),
            "{}",
            a.body
        );
    }
    // Narrower is fine.
    let a = issue(
        Some(&admin),
        serde_json::json!({"org": "elec-a", "role": "member", "expires_in": 60, "ip_allow": ["127.0.0.1"]}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
}

crate::testkit::on_both_stores!(
    minted_tokens_are_never_wider,
    minted_tokens_are_never_wider_on
);

/// Versions stored before identifiers were made canonical at ingest, with
/// an upper-case TLP:RED id the policy did not recognize (no level: read at
/// the community's AMBER default), are repaired by the upgrade to schema
/// version 9: the level is RED again, the ids are canonical, and an object
/// whose versions were stored under both spellings is one chain (issue 10,
/// finding 4).
fn old_rows_with_upper_case_markings_are_repaired_on(backend: Backend) {
    let mut hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    hub.org("elec-b", "operator", &["electricity"]);
    let a = hub.token_for("elec-a", "member", false);
    let b = hub.token_for("elec-b", "member", false);
    let upper = |id: &str| {
        let (ty, uuid) = id.rsplit_once("--").unwrap();
        format!("{ty}--{}", uuid.to_ascii_uppercase())
    };
    let red_id = "indicator--6f2c7b0a-1d2e-4f3a-8b4c-5d6e7f809a1b";
    let red_lower = RED_UPPER.to_ascii_lowercase();
    let mut red = ioc(red_id, "red", "2025-01-01T00:00:00.000Z");
    red["object_marking_refs"] = serde_json::json!([red_lower]);
    let chain_id = "indicator--1a2b3c4d-0000-4000-8000-00000000abcd";
    let first = ioc(chain_id, "first", "2025-01-01T00:00:00.000Z");
    let second = ioc(chain_id, "second", "2025-06-01T00:00:00.000Z");
    let status = post_to(&hub, &a, &serde_json::json!([red, first, second]));
    assert_eq!(status["success_count"], 3, "{status}");
    // Make the rows what an older hub wrote (the RED one unmarked in the
    // policy's eyes, the chain's first version under another spelling and
    // so an object of its own), and the schema version 8.
    let db = crate::admin::Db::of(&hub);
    let (red_up, chain_up) = (upper(red_id), upper(chain_id));
    // Back to schema 8: what later migrations added goes too.
    let back_to_8 = if db.is_sqlite() {
        "PRAGMA user_version = 8;
         DROP TABLE users; DROP TABLE sessions; DROP TRIGGER objects_unindex;
         DROP TABLE object_search; DROP TABLE object_values;
         DROP TABLE record_versions; DROP TABLE record_heads; DROP TABLE stream_events;
         DELETE FROM settings WHERE key LIKE 'search-backfill%';"
    } else {
        "DELETE FROM schema_version WHERE version >= 9;
         DROP TABLE users; DROP TABLE sessions; DROP TRIGGER objects_unindex ON objects;
         DROP FUNCTION objects_unindex(); DROP TABLE object_search; DROP TABLE object_values;
         DROP TABLE record_versions; DROP TABLE record_heads; DROP TABLE stream_events;
         DROP FUNCTION record_versions_kept();
         DELETE FROM settings WHERE key LIKE 'search-backfill%';"
    };
    db.exec(&format!(
        "UPDATE objects SET tlp = NULL, id = '{red_up}',
             json = replace(replace(json, '{red_lower}', '{RED_UPPER}'), '{red_id}', '{red_up}')
             WHERE id = '{red_id}';
         UPDATE objects SET id = '{chain_up}', is_last = true,
             json = replace(json, '{chain_id}', '{chain_up}')
             WHERE id = '{chain_id}' AND is_first;
         UPDATE objects SET is_first = true WHERE id = '{chain_id}';
         {back_to_8}"
    ))
    .expect("write the old rows");
    let seen = |hub: &TestHub, token: &str| -> Vec<String> {
        let mut names: Vec<String> = names_seen(hub, token).into_iter().map(|(n, _)| n).collect();
        names.sort();
        names
    };
    // The old rows leak: the other member reads the RED indicator.
    assert_eq!(seen(&hub, &b), ["first", "red", "second"]);
    hub.terminate();
    hub.restart();
    // After the upgrade: RED again, one chain, canonical ids everywhere.
    assert_eq!(seen(&hub, &b), ["second"]);
    assert_eq!(seen(&hub, &a), ["red", "second"]);
    let col = hub.collection_of("sector-electricity");
    let red_back = hub
        .get(
            &format!("/hub/collections/{col}/objects/{red_id}/"),
            Some(&a),
        )
        .json();
    assert_eq!(
        red_back["objects"][0]["object_marking_refs"][0],
        red_lower.as_str()
    );
    assert_eq!(red_back["objects"][0]["id"], red_id);
    let versions = hub
        .get(
            &format!("/hub/collections/{col}/objects/{chain_id}/versions/"),
            Some(&a),
        )
        .json();
    assert_eq!(
        versions["versions"],
        serde_json::json!(["2025-01-01T00:00:00.000Z", "2025-06-01T00:00:00.000Z"])
    );
    // (The audit trail keeps the read of the old rows, as it should.)
    let rows: Vec<String> = db
        .dump()
        .into_iter()
        .filter(|r| r.starts_with("objects:"))
        .collect();
    assert_eq!(rows.len(), 3, "{rows:?}");
    for gone in ["6F2C7B0A", "E828B379", "1A2B3C4D"] {
        assert!(rows.iter().all(|r| !r.contains(gone)), "{gone} in {rows:?}");
    }
}

crate::testkit::on_both_stores!(
    old_rows_with_upper_case_markings_are_repaired,
    old_rows_with_upper_case_markings_are_repaired_on
);

/// Authorization comes before the body is judged (issue 10, finding 14):
/// a member's malformed organization body gets 403, not a validation error.
#[test]
fn organization_writes_are_authorized_before_the_body_is_read() {
    let hub = TestHub::start(Backend::Sqlite);
    hub.org("elec-a", "operator", &["electricity"]);
    let member = hub.token_for("elec-a", "member", false);
    for (method, path) in [("POST", "/api/orgs"), ("PUT", "/api/orgs/elec-a")] {
        let a = hub.request(
            method,
            path,
            Some(&member),
            &[("Content-Type", "application/json")],
            Some("{not json"),
        );
        assert_eq!(a.status, 403, "{method} {path}: {}", a.body);
    }
    // The hub admin's malformed body is still a 400 that says what to fix.
    let a = hub.request(
        "POST",
        "/api/orgs",
        None,
        &[("Content-Type", "application/json")],
        Some("{not json"),
    );
    assert_eq!(a.status, 400, "{}", a.body);
}

/// The audit trail's append-only triggers come back at the next start when
/// someone drops them (issue 10, finding 14).
fn dropped_audit_guards_come_back_on(backend: Backend) {
    let mut hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    let db = crate::admin::Db::of(&hub);
    let drop = if db.is_sqlite() {
        "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
    } else {
        "DROP TRIGGER audit_no_update_or_delete ON audit; DROP TRIGGER audit_no_truncate ON audit;"
    };
    db.exec(drop).expect("drop the guards");
    hub.terminate();
    hub.restart();
    let tamper = db.exec("UPDATE audit SET detail = '{}' WHERE seq = 1");
    assert!(
        tamper.as_ref().is_err_and(|e| e.contains("append-only")),
        "{tamper:?}"
    );
    assert!(db.exec("DELETE FROM audit").is_err());
}

crate::testkit::on_both_stores!(
    dropped_audit_guards_come_back,
    dropped_audit_guards_come_back_on
);

/// A read of AMBER content is on the audit trail before its answer leaves:
/// killed with SIGKILL right after answering, the hub still has the entry
/// (issue 10, finding 11). Five reads, each followed at once by a kill.
fn reads_are_recorded_before_they_are_answered_on(backend: Backend) {
    let mut hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    let token = hub.token_for("elec-a", "member", false);
    let mut amber = ioc(
        "indicator--3c4d5e6f-0000-4000-8000-000000000001",
        "amber",
        "2025-01-01T00:00:00.000Z",
    );
    amber["object_marking_refs"] =
        serde_json::json!(["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]);
    post_to(&hub, &token, &serde_json::json!([amber]));
    let col = hub.collection_of("sector-electricity");
    let reads = |hub: &TestHub| -> usize {
        hub.get("/api/audit?limit=10000", None).json()["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "objects.read")
            .count()
    };
    let before = reads(&hub);
    for round in 0..5 {
        let a = hub.get(&format!("/hub/collections/{col}/objects/"), Some(&token));
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(a.body.contains("\"amber\""), "{}", a.body);
        hub.kill_and_restart();
        assert_eq!(
            reads(&hub),
            before + round + 1,
            "round {round}: the answered read is on record"
        );
    }
}

crate::testkit::on_both_stores!(
    reads_are_recorded_before_they_are_answered,
    reads_are_recorded_before_they_are_answered_on
);

/// A deleted organization's id is never given out again: a newcomer under
/// it would inherit the old one's TLP:RED deliveries and objects (issue 10,
/// finding 10).
fn deleted_organization_ids_are_not_reused_on(backend: Backend) {
    let hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    hub.org("elec-old", "operator", &["electricity"]);
    let a = hub.token_for("elec-a", "member", false);
    let mut red = ioc(
        "indicator--4d5e6f70-0000-4000-8000-000000000001",
        "for old",
        "2025-01-01T00:00:00.000Z",
    );
    red["object_marking_refs"] =
        serde_json::json!(["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]);
    red["x_kyoyu_recipients"] = serde_json::json!(["elec-old"]);
    post_to(&hub, &a, &serde_json::json!([red]));
    let gone = hub.request("DELETE", "/api/orgs/elec-old", None, &[], None);
    assert_eq!(gone.status, 204, "{}", gone.body);
    let again = hub.rest(
        "POST",
        "/api/orgs",
        None,
        &serde_json::json!({"id": "elec-old", "kind": "operator", "name": "Newcomer", "sectors": ["electricity"]}),
    );
    assert_eq!(again.status, 409, "{}", again.body);
    assert!(again.body.contains("never reused"), "{}", again.body);
    // Another id is fine, and sees nothing addressed to the old one.
    hub.org("elec-new", "operator", &["electricity"]);
    let new = hub.token_for("elec-new", "member", false);
    assert!(names_seen(&hub, &new).iter().all(|(n, _)| n != "for old"));
}

crate::testkit::on_both_stores!(
    deleted_organization_ids_are_not_reused,
    deleted_organization_ids_are_not_reused_on
);

/// `audit verify` tells "could not check" (3) from "tampered" (1), and a
/// hub that refuses the token is the former (issue 10, finding 8).
#[test]
fn audit_verify_says_when_it_could_not_check() {
    let hub = TestHub::start(Backend::Sqlite);
    let run = |url: &str, token: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
            .args(["audit", "verify"])
            .env("KYOYU_URL", url)
            .env("KYOYU_TOKEN", token)
            .output()
            .expect("run kyoyu")
    };
    let ok = run(&hub.base, &hub.admin);
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let refused = run(&hub.base, "kyoyu_wrong");
    assert_eq!(
        refused.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("could not be checked"));
    let unreachable = run("http://127.0.0.1:9", &hub.admin);
    assert_eq!(unreachable.status.code(), Some(3));
}

/// The local key can live outside the data folder, so a copy of the folder
/// alone cannot test contributor tags (issue 10, finding 3); a node started
/// with another key is refused.
#[test]
fn the_local_key_can_live_outside_the_data_folder() {
    let keys = tempfile::tempdir().unwrap();
    let key = keys.path().join("secrets").join("local-key");
    let key_arg = key.to_str().unwrap().to_owned();
    let mut hub = TestHub::start_with(Backend::Sqlite, &["--local-key-file", &key_arg]);
    assert!(key.exists(), "the key is made where it was asked for");
    assert!(
        !hub.dir.path().join("tag-key").exists(),
        "and not in the data folder"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    hub.terminate();
    let other = keys.path().join("other-key");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(hub.dir.path())
        .arg("--local-key-file")
        .arg(&other)
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("another local key"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    hub.restart();
}

/// An envelope's recipient list is stored once, however many objects it
/// covers (issue 10, finding 5): 300 objects for 40 recipients add one list.
#[test]
fn a_recipient_list_is_stored_once_per_envelope() {
    let hub = TestHub::start(Backend::Sqlite);
    hub.org("elec-a", "operator", &["electricity"]);
    let names: Vec<String> = (0..40).map(|i| format!("elec-r{i:02}")).collect();
    for n in &names {
        hub.org(n, "operator", &["electricity"]);
    }
    let a = hub.token_for("elec-a", "member", false);
    let objects: Vec<serde_json::Value> = (0..300)
        .map(|i| {
            let mut o = ioc(
                &format!("indicator--5e6f7080-0000-4000-8000-{i:012x}"),
                "listed",
                "2025-01-01T00:00:00.000Z",
            );
            o["object_marking_refs"] =
                serde_json::json!(["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]);
            o
        })
        .collect();
    let r = post_envelope(
        &hub,
        &a,
        &serde_json::json!({"objects": objects, "x_kyoyu_recipients": names}),
    );
    assert_eq!(r.json()["success_count"], 300, "{}", r.body);
    let db = rusqlite::Connection::open(hub.dir.path().join("kyoyu.sqlite3")).unwrap();
    let lists: i64 = db
        .query_row("SELECT COUNT(*) FROM recipient_lists", [], |r| r.get(0))
        .unwrap();
    assert_eq!(lists, 1);
    let longest: i64 = db
        .query_row(
            "SELECT MAX(LENGTH(recipients)) FROM objects WHERE recipients IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(
        longest <= 40,
        "rows hold a reference, not the list: {longest} bytes"
    );
    // The last recipient reads them all; a member not named reads none.
    let last = hub.token_for("elec-r39", "member", false);
    assert_eq!(names_seen(&hub, &last).len(), 300);
    hub.org("elec-z", "operator", &["electricity"]);
    let other = hub.token_for("elec-z", "member", false);
    assert!(names_seen(&hub, &other).is_empty());
}

/// A trail whose entries add up to more than the client's old 10 MB body
/// limit still lists and verifies: the hub cuts pages by size and the client
/// reads large answers (issue 10, finding 8). Large entries here are
/// organization records with many aliases (each `org.create` entry holds
/// the record; names are limited to 200 characters).
#[test]
fn a_large_audit_trail_lists_and_verifies() {
    let hub = TestHub::start(Backend::Sqlite);
    let aliases: Vec<String> = (0..500)
        .map(|i| format!("{i:03}{}", "N".repeat(197)))
        .collect();
    for i in 0..120 {
        let body = serde_json::json!({"id": format!("big-{i:03}"), "kind": "operator", "name": "Big", "aliases": aliases, "sectors": ["electricity"]});
        let a = hub.rest("POST", "/api/orgs", None, &body);
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
            .args(args)
            .env("KYOYU_URL", &hub.base)
            .env("KYOYU_TOKEN", &hub.admin)
            .output()
            .expect("run kyoyu")
    };
    let v = run(&["audit", "verify"]);
    assert_eq!(
        v.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&v.stderr)
    );
    let page = hub.get("/api/audit?limit=10000", None);
    assert_eq!(page.status, 200);
    assert!(
        page.body.len() < 10 * 1024 * 1024,
        "a page is cut by size: {} bytes",
        page.body.len()
    );
    let l = run(&["audit", "list", "--limit", "10000"]);
    assert_eq!(
        l.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&l.stderr)
    );
}

/// Clients without a token cannot hold the body turns by trickling bodies:
/// the token is checked before a body takes a turn (review of issue 10).
#[test]
fn bodies_without_a_token_take_no_turn() {
    let hub = TestHub::start_with(
        Backend::Sqlite,
        &["--bodies-in-flight", "1", "--body-timeout", "60"],
    );
    let to = addr(&hub);
    let path = hub.objects_path();
    let mut stalled: Vec<TcpStream> = (0..4)
        .map(|_| {
            let mut s = connect_from("127.0.0.5", to);
            write!(
                s,
                "POST {path} HTTP/1.1\r\nHost: hub\r\nContent-Type: application/taxii+json;version=2.1\r\nContent-Length: 100000\r\n\r\n{{\"objects\": ["
            )
            .unwrap();
            s
        })
        .collect();
    // A member's POST goes through at once, though the one turn would be held for 60 s.
    let started = Instant::now();
    let ok = hub.post_objects(&[], None);
    assert_eq!(ok.status, 202, "{}", ok.body);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // The tokenless ones were answered 401 without their bodies being read.
    for s in &mut stalled {
        let (answer, _) = until_closed(s);
        assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    }
}
