//! Black-box TAXII 2.1 tests against a real `kyoyu serve` over HTTP:
//! the status-code rows and the filter rules of the spec.

use crate::testkit::{Backend, TAXII, TestHub, indicator, on_both_stores};
use serde_json::Value;
use std::collections::BTreeSet;

/// Posts indicators 0..n in envelopes of `per_envelope`.
fn seed(hub: &TestHub, n: usize, per_envelope: usize) {
    for chunk in (0..n).collect::<Vec<_>>().chunks(per_envelope) {
        let batch: Vec<Value> = chunk
            .iter()
            .map(|n| indicator(*n, "2024-01-01T00:00:00.000Z"))
            .collect();
        assert_eq!(hub.post_objects(&batch, None).status, 202);
    }
}

fn ids(v: &Value) -> Vec<String> {
    v["objects"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|o| o["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

on_both_stores!(
    discovery_root_and_collections,
    discovery_root_and_collections_on
);

fn discovery_root_and_collections_on(backend: Backend) {
    let hub = TestHub::start(backend);
    let d = hub.get("/taxii2/", None);
    assert_eq!(d.status, 200);
    assert_eq!(d.content_type, TAXII);
    let d = d.json();
    assert!(d["api_roots"][0].as_str().unwrap().ends_with("/hub/"));
    assert_eq!(
        hub.get("/taxii2", None).status,
        200,
        "the trailing slash is optional"
    );
    let root = hub.get("/hub/", None).json();
    assert_eq!(root["versions"][0], TAXII);
    assert!(root["max_content_length"].as_u64().unwrap() > 0);
    let c = hub
        .get(&format!("/hub/collections/{}/", hub.collection), None)
        .json();
    assert_eq!(c["can_read"], true);
    assert_eq!(c["can_write"], true);
    assert_eq!(c["media_types"][0], "application/stix+json;version=2.1");
    assert_eq!(hub.get("/nope/", None).status, 404);
    assert_eq!(
        hub.get(
            "/hub/collections/00000000-0000-4000-8000-000000000000/",
            None
        )
        .status,
        404
    );
}

on_both_stores!(
    authentication_and_permissions,
    authentication_and_permissions_on
);

fn authentication_and_permissions_on(backend: Backend) {
    let hub = TestHub::start(backend);
    let objects = hub.objects_path();
    for (token, want) in [(Some(""), 401), (Some("kyoyu_not-a-real-token"), 401)] {
        let a = hub.get(&objects, token);
        assert_eq!(a.status, want);
        assert_eq!(a.json()["http_status"], want.to_string());
        assert!(a.json()["description"].as_str().unwrap().contains("token"));
    }
    // HTTP Basic with the token as password, any user name (taxii2-client, MISP, OpenCTI).
    let basic = base64_basic("anyone", &hub.admin);
    let a = hub.request(
        "GET",
        "/taxii2/",
        Some(""),
        &[("Authorization", &basic), ("Accept", TAXII)],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.body);

    // Rights come from the organization's communities and the token's flags.
    hub.org("op-a", "operator", &["electricity"]);
    hub.org("vendor-x", "supplier", &[]);
    let reader = hub.token_for("op-a", "member", true);
    let writer = hub.token_for("op-a", "member", false);
    let nobody = hub.token_for("vendor-x", "member", false);
    assert_eq!(hub.get(&objects, Some(&reader)).status, 200);
    let refused = hub.post_objects(&[indicator(1, "2024-01-01T00:00:00.000Z")], Some(&reader));
    assert_eq!(refused.status, 403);
    assert!(
        refused.json()["description"]
            .as_str()
            .unwrap()
            .contains("read-only")
    );
    assert_eq!(
        hub.post_objects(&[indicator(1, "2024-01-01T00:00:00.000Z")], Some(&writer))
            .status,
        202
    );
    let c = hub
        .get(
            &format!("/hub/collections/{}/", hub.collection),
            Some(&reader),
        )
        .json();
    assert_eq!(
        (c["can_read"].clone(), c["can_write"].clone()),
        (Value::Bool(true), Value::Bool(false))
    );
    // A collection the caller may not use at all is not revealed.
    assert_eq!(hub.get(&objects, Some(&nobody)).status, 404);
    assert_eq!(
        hub.get("/hub/collections/", Some(&nobody)).json(),
        serde_json::json!({})
    );
    // Members do not issue tokens for other organizations.
    let a = hub.rest(
        "POST",
        "/api/tokens",
        Some(&writer),
        &serde_json::json!({"org": "vendor-x", "role": "member"}),
    );
    assert_eq!(a.status, 403, "{}", a.body);
}

fn base64_basic(user: &str, password: &str) -> String {
    let raw = format!("{user}:{password}");
    let table = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in raw.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(table[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    format!("Basic {out}")
}

on_both_stores!(
    content_negotiation_and_limits,
    content_negotiation_and_limits_on
);

fn content_negotiation_and_limits_on(backend: Backend) {
    let hub = TestHub::start_with(backend, &["--max-content-length", "20000"]);
    let objects = hub.objects_path();
    let a = hub.request(
        "GET",
        &objects,
        None,
        &[("Accept", "application/xml")],
        None,
    );
    assert_eq!(a.status, 406);
    assert_eq!(a.content_type, TAXII);
    assert_eq!(
        hub.request("GET", &objects, None, &[("Accept", "*/*")], None)
            .status,
        200
    );
    assert_eq!(
        hub.request(
            "GET",
            &objects,
            None,
            &[("Accept", "application/taxii+json;version=2.0")],
            None
        )
        .status,
        406
    );
    let body =
        serde_json::json!({"objects": [indicator(1, "2024-01-01T00:00:00.000Z")]}).to_string();
    let a = hub.request(
        "POST",
        &objects,
        None,
        &[("Content-Type", "application/json")],
        Some(&body),
    );
    assert_eq!(a.status, 415);
    let big: Vec<Value> = (0..100)
        .map(|n| indicator(n, "2024-01-01T00:00:00.000Z"))
        .collect();
    let a = hub.post_objects(&big, None);
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(a.json()["description"].as_str().unwrap().contains("20000"));
    let a = hub.request(
        "POST",
        &objects,
        None,
        &[("Content-Type", TAXII)],
        Some("{not json"),
    );
    assert_eq!(a.status, 400);
    let a = hub.request(
        "POST",
        &objects,
        None,
        &[("Content-Type", TAXII)],
        Some("{\"more\": false}"),
    );
    assert_eq!(a.status, 422);
    for bad in [
        "limit=0",
        "limit=-1",
        "added_after=yesterday",
        "match[version]=newest",
        "next=forged",
        "match[colour]=red",
    ] {
        let a = hub.get(&format!("{objects}?{bad}"), None);
        assert_eq!(a.status, 400, "{bad}: {}", a.body);
        assert!(!a.json()["description"].as_str().unwrap().is_empty());
    }
    let a = hub.request("DELETE", "/taxii2/", None, &[], None);
    assert_eq!(a.status, 405);
}

on_both_stores!(
    ingest_status_and_idempotency,
    ingest_status_and_idempotency_on
);

fn ingest_status_and_idempotency_on(backend: Backend) {
    let hub = TestHub::start(backend);
    let mut bad = indicator(99, "2024-01-01T00:00:00.000Z");
    bad.as_object_mut().unwrap().remove("pattern");
    let a = hub.post_objects(&[indicator(1, "2024-01-01T00:00:00.000Z"), bad], None);
    assert_eq!(a.status, 202);
    let s = a.json();
    assert_eq!(
        (
            s["status"].as_str(),
            s["total_count"].as_u64(),
            s["success_count"].as_u64(),
            s["failure_count"].as_u64()
        ),
        (Some("complete"), Some(2), Some(1), Some(1))
    );
    assert!(
        s["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("pattern")
    );
    let again = hub.get(&format!("/hub/status/{}/", s["id"].as_str().unwrap()), None);
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["success_count"], 1);
    // The same id and version twice: a success, stored once.
    let a = hub
        .post_objects(&[indicator(1, "2024-01-01T00:00:00.000Z")], None)
        .json();
    assert_eq!(a["success_count"], 1);
    let all = hub
        .get(&format!("{}?match[version]=all", hub.objects_path()), None)
        .json();
    assert_eq!(ids(&all).len(), 1);
    assert_eq!(
        hub.get("/hub/status/00000000-0000-4000-8000-000000000000/", None)
            .status,
        404
    );
}

on_both_stores!(versions_filters_and_delete, versions_filters_and_delete_on);

fn versions_filters_and_delete_on(backend: Backend) {
    let hub = TestHub::start(backend);
    let versions = [
        "2024-01-01T00:00:00.000Z",
        "2024-02-01T00:00:00.000Z",
        "2024-03-01T00:00:00.000Z",
    ];
    for v in versions {
        assert_eq!(
            hub.post_objects(&[indicator(7, v), indicator(8, v)], None)
                .status,
            202
        );
    }
    let id = indicator(7, versions[0])["id"].as_str().unwrap().to_owned();
    let objects = hub.objects_path();
    let one = |q: &str| hub.get(&format!("{objects}{id}/?{q}"), None).json();
    assert_eq!(
        one("")["objects"].as_array().unwrap().len(),
        1,
        "default: last version"
    );
    assert_eq!(one("")["objects"][0]["modified"], versions[2]);
    assert_eq!(
        one("match[version]=first")["objects"][0]["modified"],
        versions[0]
    );
    assert_eq!(
        one("match[version]=all")["objects"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        one("match[version]=first,last")["objects"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        one(&format!("match[version]={}", versions[1]))["objects"][0]["modified"],
        versions[1]
    );
    let v = hub.get(&format!("{objects}{id}/versions/"), None).json();
    assert_eq!(v["versions"], serde_json::json!(versions));
    assert_eq!(
        ids(&hub
            .get(
                &format!("{objects}?match[id]={id}&match[version]=all"),
                None
            )
            .json())
        .len(),
        3
    );
    assert_eq!(
        ids(&hub
            .get(&format!("{objects}?match[type]=malware"), None)
            .json())
        .len(),
        0
    );
    assert_eq!(
        ids(&hub
            .get(&format!("{objects}?match[type]=indicator"), None)
            .json())
        .len(),
        2
    );
    assert_eq!(
        ids(&hub
            .get(&format!("{objects}?match[spec_version]=2.1"), None)
            .json())
        .len(),
        2
    );
    let m = hub
        .get(
            &format!("/hub/collections/{}/manifest/", hub.collection),
            None,
        )
        .json();
    assert_eq!(m["objects"].as_array().unwrap().len(), 2);
    assert!(
        m["objects"][0]["date_added"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    // Delete one version, then the rest.
    let a = hub.request(
        "DELETE",
        &format!("{objects}{id}/?match[version]={}", versions[2]),
        None,
        &[],
        None,
    );
    assert_eq!(a.status, 200);
    assert_eq!(
        one("")["objects"][0]["modified"],
        versions[1],
        "the last version is now the second"
    );
    assert_eq!(
        hub.request("DELETE", &format!("{objects}{id}/"), None, &[], None)
            .status,
        200
    );
    assert_eq!(hub.get(&format!("{objects}{id}/"), None).status, 404);
    assert_eq!(
        hub.get(&format!("{objects}{id}/versions/"), None).status,
        404
    );
    assert_eq!(
        hub.request("DELETE", &format!("{objects}{id}/"), None, &[], None)
            .status,
        404
    );
}

on_both_stores!(
    pagination_is_complete_and_added_after_is_strict,
    pagination_is_complete_and_added_after_is_strict_on
);

fn pagination_is_complete_and_added_after_is_strict_on(backend: Backend) {
    let hub = TestHub::start(backend);
    seed(&hub, 250, 50);
    let objects = hub.objects_path();
    let mut seen = BTreeSet::new();
    let mut next: Option<String> = None;
    let mut pages = 0;
    let mut last_added: Option<String> = None;
    loop {
        let q = match &next {
            Some(n) => format!("{objects}?limit=7&next={n}"),
            None => format!("{objects}?limit=7"),
        };
        let a = hub.get(&q, None);
        assert_eq!(a.status, 200, "{}", a.body);
        let first = a.header("x-taxii-date-added-first").map(str::to_owned);
        last_added = a
            .header("x-taxii-date-added-last")
            .map(str::to_owned)
            .or(last_added);
        let body = a.json();
        for id in ids(&body) {
            assert!(seen.insert(id.clone()), "{id} repeated");
        }
        assert!(first.is_some());
        pages += 1;
        if body["more"] == true {
            next = Some(
                body["next"]
                    .as_str()
                    .expect("next is present whenever more is true")
                    .to_owned(),
            );
        } else {
            assert!(body.get("next").is_none());
            break;
        }
    }
    assert_eq!(seen.len(), 250);
    assert_eq!(pages, 36);
    // added_after is strict: nothing is added after the last date_added.
    let after = last_added.unwrap();
    let a = hub
        .get(&format!("{objects}?added_after={after}"), None)
        .json();
    assert_eq!(ids(&a).len(), 0, "added_after must be strict");
    assert_eq!(a["more"], false);
    // A cursor survives a restart (it is signed with a key kept in the database).
    let mut hub = hub;
    let first_page = hub.get(&format!("{objects}?limit=100"), None).json();
    let cursor = first_page["next"].as_str().unwrap().to_owned();
    hub.kill_and_restart();
    let rest = hub
        .get(&format!("{objects}?limit=1000&next={cursor}"), None)
        .json();
    assert_eq!(ids(&rest).len(), 150);
}

on_both_stores!(
    acknowledged_objects_survive_kill_9,
    acknowledged_objects_survive_kill_9_on
);

fn acknowledged_objects_survive_kill_9_on(backend: Backend) {
    let mut hub = TestHub::start(backend);
    let batch: Vec<Value> = (0..500)
        .map(|n| indicator(n, "2024-01-01T00:00:00.000Z"))
        .collect();
    let a = hub.post_objects(&batch, None);
    assert_eq!(a.status, 202);
    assert_eq!(a.json()["success_count"], 500);
    hub.kill_and_restart();
    let all = hub
        .get(&format!("{}?limit=10000", hub.objects_path()), None)
        .json();
    assert_eq!(ids(&all).len(), 500);
}

on_both_stores!(
    paging_while_others_write_skips_and_repeats_nothing,
    paging_while_others_write_skips_and_repeats_nothing_on
);

fn paging_while_others_write_skips_and_repeats_nothing_on(backend: Backend) {
    let hub = TestHub::start(backend);
    seed(&hub, 300, 100);
    let objects = hub.objects_path();
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            for round in 0..20 {
                let batch: Vec<Value> = (0..25)
                    .map(|i| indicator(1000 + round * 25 + i, "2024-01-01T00:00:00.000Z"))
                    .collect();
                assert_eq!(hub.post_objects(&batch, None).status, 202);
            }
        });
        let mut seen = BTreeSet::new();
        let mut next: Option<String> = None;
        loop {
            let q = next.as_ref().map_or(format!("{objects}?limit=13"), |n| {
                format!("{objects}?limit=13&next={n}")
            });
            let body = hub.get(&q, None).json();
            for id in ids(&body) {
                assert!(
                    seen.insert(id.clone()),
                    "{id} repeated while another client wrote"
                );
            }
            match body["next"].as_str() {
                Some(n) if body["more"] == true => next = Some(n.to_owned()),
                _ => break,
            }
        }
        writer.join().unwrap();
        // Every object present before paging began was returned.
        for n in 0..300 {
            let id = indicator(n, "2024-01-01T00:00:00.000Z")["id"]
                .as_str()
                .unwrap()
                .to_owned();
            assert!(seen.contains(&id), "{id} skipped");
        }
    });
}

on_both_stores!(operations_endpoints, operations_endpoints_on);

fn operations_endpoints_on(backend: Backend) {
    let hub = TestHub::start(backend);
    assert_eq!(hub.get("/healthz", Some("")).status, 200);
    assert_eq!(hub.get("/readyz", Some("")).status, 200);
    hub.post_objects(&[indicator(1, "2024-01-01T00:00:00.000Z")], None);
    // Hub-wide figures are for hub-admin tokens only.
    assert_eq!(hub.get("/metrics", Some("")).status, 401);
    hub.org("op-a", "operator", &["electricity"]);
    let member = hub.token_for("op-a", "member", true);
    let m = hub.get("/metrics", Some(&member));
    assert_eq!(m.status, 403, "{}", m.body);
    assert!(!m.body.contains("kyoyu_stored_versions"));
    let scraper = hub.token_for("hub", "hub-admin", true);
    let m = hub.get("/metrics", Some(&scraper));
    assert_eq!(m.status, 200);
    assert!(
        m.body.contains("kyoyu_objects_ingested_total 1"),
        "{}",
        m.body
    );
    assert!(m.body.contains("kyoyu_stored_versions 1"));
    assert!(m.body.contains("kyoyu_http_request_seconds_bucket"));
    // taxii2-client's token helper sends `Authorization: Token <key>`.
    let token = format!("Token {}", hub.admin);
    assert_eq!(
        hub.request(
            "GET",
            "/taxii2/",
            Some(""),
            &[("Authorization", &token)],
            None
        )
        .status,
        200
    );
}

on_both_stores!(
    bootstrap_creates_identity_and_keys,
    bootstrap_creates_identity_and_keys_on
);

fn bootstrap_creates_identity_and_keys_on(backend: Backend) {
    let hub = TestHub::start(backend);
    // The admin token file is readable by its owner only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hub.dir.path().join("admin-token"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // The hub's STIX identity is valid STIX 2.1 and stable across restarts.
    let identity = hub.get("/api/identity", None);
    assert_eq!(identity.status, 200, "{}", identity.body);
    let report =
        kyoyu_validate::validate_object(&identity.json(), &kyoyu_validate::Options::default());
    assert!(report.valid, "{:?}", report.findings);
    let mut hub = hub;
    let before = identity.json()["id"].clone();
    hub.kill_and_restart();
    assert_eq!(hub.get("/api/identity", None).json()["id"], before);
}

on_both_stores!(
    cursors_work_across_processes,
    cursors_work_across_processes_on
);

fn cursors_work_across_processes_on(backend: Backend) {
    let first = TestHub::start(backend);
    let batch: Vec<Value> = (0..50)
        .map(|n| indicator(n, "2024-01-01T00:00:00.000Z"))
        .collect();
    assert_eq!(first.post_objects(&batch, None).status, 202);
    let second = first.second_process();
    let objects = first.objects_path();
    let page = first.get(&format!("{objects}?limit=20"), None).json();
    let next = page["next"].as_str().unwrap();
    // The cursor the first process issued is honoured by the second.
    let rest = second.get(&format!("{objects}?limit=100&next={next}"), None);
    assert_eq!(rest.status, 200, "{}", rest.body);
    let mut all: BTreeSet<String> = ids(&page).into_iter().collect();
    for id in ids(&rest.json()) {
        assert!(all.insert(id.clone()), "{id} repeated across processes");
    }
    assert_eq!(all.len(), 50);
}

#[test]
fn graceful_shutdown_finishes_in_flight_ingest() {
    use std::io::{Read, Write};
    let mut hub = TestHub::start(Backend::Sqlite);
    let batch: Vec<Value> = (0..2000)
        .map(|n| indicator(n, "2024-01-01T00:00:00.000Z"))
        .collect();
    let body = serde_json::json!({ "objects": batch }).to_string();
    // Send the headers with `Expect: 100-continue`; the hub answers 100 once
    // the handler starts reading the body, so the request is surely in flight…
    let mut conn = std::net::TcpStream::connect(hub.base.trim_start_matches("http://")).unwrap();
    write!(
        conn,
        "POST {} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\nContent-Type: {TAXII}\r\nAccept: {TAXII}\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
        hub.objects_path(),
        hub.admin,
        body.len()
    )
    .unwrap();
    let mut interim = Vec::new();
    let mut byte = [0u8; 1];
    while !interim.ends_with(b"\r\n\r\n") {
        conn.read_exact(&mut byte).unwrap();
        interim.push(byte[0]);
    }
    assert!(
        interim.starts_with(b"HTTP/1.1 100"),
        "{}",
        String::from_utf8_lossy(&interim)
    );
    // …then ask the hub to stop, and only then send the body.
    let pid = hub.pid().to_string();
    std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(200));
    conn.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(
        answer.starts_with("HTTP/1.1 202"),
        "the in-flight ingest must finish: {answer}"
    );
    assert_eq!(hub.terminate(), Some(0), "a SIGTERM-ed hub exits cleanly");
    hub.restart();
    let all = hub
        .get(&format!("{}?limit=10000", hub.objects_path()), None)
        .json();
    assert_eq!(ids(&all).len(), 2000);
}

#[test]
fn token_create_command() {
    let hub = TestHub::start(Backend::Sqlite);
    hub.org("elec-a", "operator", &["electricity"]);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args([
            "token",
            "create",
            "--url",
            &hub.base,
            "--org",
            "elec-a",
            "--role",
            "member",
            "--name",
            "siem",
            "--read-only",
        ])
        .env("KYOYU_TOKEN", &hub.admin)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        token.starts_with("kyoyu_"),
        "only the token is printed: {token}"
    );
    assert_eq!(hub.get(&hub.objects_path(), Some(&token)).status, 200);
    assert_eq!(
        hub.post_objects(&[indicator(1, "2024-01-01T00:00:00.000Z")], Some(&token))
            .status,
        403
    );
    // A member token cannot create tokens; the command says why and fails.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["token", "create", "--url", &hub.base, "--token", &token])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("403"));
}
