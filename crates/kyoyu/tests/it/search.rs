//! Search over HTTP on both stores: text in any script, width or case, and
//! exact observable values, across the caller's communities only; versions
//! are found once the background indexer has followed ingest, also those
//! stored before the index existed.

use crate::admin::Db;
use crate::testkit::{TAXII, TestHub, eventually, on_both_stores};
use serde_json::{Value, json};

fn report(n: u32, name: &str, ip: &str) -> Value {
    json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--5ea7c400-{n:04x}-4000-8000-000000000000"),
        "created": "2026-11-01T00:00:00.000Z", "modified": "2026-11-01T00:00:00.000Z",
        "name": name, "indicator_types": ["malicious-activity"],
        "pattern_type": "stix", "valid_from": "2026-11-01T00:00:00Z",
        "pattern": format!("[ipv4-addr:value = '{ip}']"),
        "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"]
    })
}

fn post(hub: &TestHub, community: &str, token: &str, objects: &[Value]) {
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{}/objects/", hub.collection_of(community)),
        Some(token),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&json!({ "objects": objects }).to_string()),
    );
    assert_eq!(a.status, 202, "{}", a.body);
}

fn names(hub: &TestHub, token: &str, query: &str) -> Vec<String> {
    let a = hub.get(&format!("/api/search?{query}"), Some(token));
    assert_eq!(a.status, 200, "{query}: {}", a.body);
    a.json()["found"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["object"]["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn enc(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

on_both_stores!(search_finds_what_the_reader_may_read, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    hub.org("kansai-gas", "operator", &["gas"]);
    let power = hub.token_for("tokai-power", "member", false);
    let gas = hub.token_for("kansai-gas", "member", false);
    post(
        &hub,
        "sector-electricity",
        &power,
        &[
            report(1, "ランサムウェアによる被害（変電所）", "203.0.113.7"),
            report(
                2,
                "Phishing wave against ELECTRIC utilities",
                "198.51.100.20",
            ),
        ],
    );
    post(
        &hub,
        "sector-gas",
        &gas,
        &[report(3, "ガス制御系への不正アクセス", "203.0.113.7")],
    );
    // The index follows ingest within a moment (the last one posted is
    // indexed last).
    eventually("indexing", || {
        !names(&hub, &gas, "value=203.0.113.7").is_empty()
    });

    // Japanese, half-width katakana, full-width and other case find the same.
    for q in [
        "ランサムウェア",
        "ﾗﾝｻﾑｳｪｱ",
        "変電所",
        "被害",
        "ＰＨＩＳＨＩＮＧ",
        "electric util",
    ] {
        let found = names(&hub, &power, &format!("q={}", enc(q)));
        assert_eq!(found.len(), 1, "{q}: {found:?}");
    }
    // An observable value across the reader's communities only: the gas
    // operator's indicator with the same address is not the power member's.
    let found = names(&hub, &power, "value=203.0.113.7");
    assert_eq!(found, ["ランサムウェアによる被害（変電所）"]);
    let found = names(&hub, &gas, "value=203.0.113.7");
    assert_eq!(found, ["ガス制御系への不正アクセス"]);
    assert!(names(&hub, &gas, &format!("q={}", enc("ランサム"))).is_empty());
    // Both filters at once; nothing asked is a 400 that says what to give.
    assert!(names(&hub, &power, "q=phishing&value=203.0.113.7").is_empty());
    let a = hub.get("/api/search", Some(&power));
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.json()["description"].as_str().unwrap().contains("q ("));
    // Wildcards are characters.
    assert!(names(&hub, &power, "q=%25").is_empty());
});

// Versions stored before search existed are indexed when the hub starts.
on_both_stores!(rows_stored_before_the_index_are_found, |backend| {
    let mut hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    let power = hub.token_for("tokai-power", "member", false);
    post(
        &hub,
        "sector-electricity",
        &power,
        &[report(7, "古い報告 legacy report", "192.0.2.99")],
    );
    eventually("indexing", || !names(&hub, &power, "q=legacy").is_empty());
    // As a hub stopped before the index existed left them: no index rows,
    // nothing indexed yet.
    hub.terminate();
    let db = Db::of(&hub);
    db.exec(
        "DELETE FROM object_search; DELETE FROM object_values;
         DELETE FROM settings WHERE key = 'search-backfill-done';",
    )
    .unwrap();
    hub.restart();
    let mut found = Vec::new();
    eventually("indexing after the restart", || {
        found = names(&hub, &power, "value=192.0.2.99");
        !found.is_empty()
    });
    assert_eq!(found, ["古い報告 legacy report"]);
    assert_eq!(
        names(&hub, &power, &format!("q={}", enc("古い報告"))).len(),
        1
    );
});
