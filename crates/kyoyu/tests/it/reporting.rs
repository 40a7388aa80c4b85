//! Incident reporting end to end over HTTP, on both stores: an operator
//! files, its competent ministry acknowledges, asks for more and forwards,
//! the national centre receives it (without attribution: the filer
//! withheld); updates and the final report; overdue detection; nobody else
//! sees anything; every version kept; bad input answered with the field.

use crate::testkit::{TestHub, on_both_stores};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// RFC 3339 UTC `hours` from now (negative: in the past).
fn hours_from_now(hours: i64) -> String {
    seconds_from_now(hours * 3600)
}

/// An instant `offset` seconds from now, RFC 3339 UTC.
fn seconds_from_now(offset: i64) -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let t = i64::try_from(secs).unwrap() + offset;
    // Days from the epoch to a civil date (Howard Hinnant's algorithm).
    let (days, rem) = (t.div_euclid(86_400), t.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Facts of a serious malicious outage in electric power, `aware` as given.
fn facts(aware: &str) -> Value {
    json!({
        "regime": "jp-ci",
        "sector": "electricity",
        "aware_at": aware,
        "malicious": true,
        "significant": true,
        "outage_minutes": 240,
        "customers_affected": 120_000
    })
}

struct World<'h> {
    hub: &'h TestHub,
    operator: String,
    other_operator: String,
    meti: String,
    mlit: String,
    centre: String,
}

fn world(hub: &TestHub) -> World<'_> {
    hub.org("tokai-power", "operator", &["electricity"]);
    // Gas is METI's too: another operator under the same ministry.
    hub.org("kansai-gas", "operator", &["gas"]);
    hub.org("nisc", "national-centre", &[]);
    World {
        hub,
        operator: hub.token_for("tokai-power", "member", false),
        other_operator: hub.token_for("kansai-gas", "member", false),
        meti: hub.token_for("meti", "ministry-liaison", false),
        mlit: hub.token_for("mlit", "ministry-liaison", false),
        centre: hub.token_for("nisc", "national-centre-officer", false),
    }
}

impl World<'_> {
    fn call(&self, method: &str, path: &str, token: &str, body: &Value) -> crate::testkit::Answer {
        self.hub.rest(method, path, Some(token), body)
    }

    fn ids(&self, token: &str, query: &str) -> Vec<String> {
        let a = self.hub.get(&format!("/api/incidents{query}"), Some(token));
        assert_eq!(a.status, 200, "{}", a.body);
        a.json()["incidents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

on_both_stores!(
    an_incident_goes_from_operator_to_ministry_to_centre,
    |backend| {
        let hub = TestHub::start(backend);
        let w = world(&hub);

        // The decision first: must it be reported, to whom, by when.
        let aware = hours_from_now(-1);
        let a = w.call("POST", "/api/reports/assess", &w.operator, &facts(&aware));
        assert_eq!(a.status, 200, "{}", a.body);
        let decision = a.json();
        assert_eq!(decision["reportable"], true, "{decision}");
        let stages = decision["stages"].as_array().unwrap().clone();
        assert!(!stages.is_empty(), "{decision}");
        for s in &stages {
            assert!(s["stage"].is_string() && s["due"].is_string(), "{s}");
        }
        assert!(
            decision["recipients"].to_string().contains("meti"),
            "the competent ministry of electricity: {decision}"
        );

        // Filed with its first report: routed to METI, nobody else.
        let a = w.call(
            "POST",
            "/api/incidents",
            &w.operator,
            &json!({
                "facts": facts(&aware),
                "title": "tokai-power: suspicious traffic at the Nagoya substation",
                "text": "tokai-power's SCADA gateway talked to 203.0.113.99 for 20 minutes."
            }),
        );
        assert_eq!(a.status, 201, "{}", a.body);
        let filed = a.json();
        let id = filed["id"].as_str().unwrap().to_owned();
        assert_eq!(filed["state"], "filed");
        assert_eq!(filed["ministry"], "meti");
        assert_eq!(filed["org"], "tokai-power");
        assert_eq!(filed["reports"].as_array().unwrap().len(), 1);
        // The first report meets the first stage to the ministry (the hotline
        // stage is for a hotline call).
        let initial = filed["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["report"] == 1)
            .expect("a stage met by report 1");
        assert_eq!(initial["stage"], "initial", "{filed}");
        let path = format!("/api/incidents/{id}");
        for token in [&w.other_operator, &w.mlit, &w.centre, "admin-placeholder"] {
            if token == "admin-placeholder" {
                // The hub admin runs the hub, not its reports.
                let a = hub.get(&path, None);
                assert_eq!(a.status, 404, "hub admin: {}", a.body);
                continue;
            }
            assert_eq!(hub.get(&path, Some(token)).status, 404);
            assert!(!w.ids(token, "").contains(&id));
        }
        assert_eq!(w.ids(&w.operator, ""), std::slice::from_ref(&id));
        assert_eq!(w.ids(&w.meti, ""), std::slice::from_ref(&id));

        // Only the ministry answers; it acknowledges, then asks for more.
        for (token, what) in [
            (&w.operator, "acknowledge"),
            (&w.other_operator, "acknowledge"),
            (&w.mlit, "forward"),
        ] {
            let a = w.call("POST", &format!("{path}/{what}"), token, &json!({}));
            assert!(
                matches!(a.status, 403 | 404),
                "{what}: {} {}",
                a.status,
                a.body
            );
        }
        let a = w.call("POST", &format!("{path}/acknowledge"), &w.meti, &json!({}));
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(a.json()["reports"][0]["acknowledged"].is_string());
        let a = w.call("POST", &format!("{path}/acknowledge"), &w.meti, &json!({}));
        assert_eq!(a.status, 409, "nothing left to acknowledge: {}", a.body);
        let a = w.call(
            "POST",
            &format!("{path}/ask"),
            &w.meti,
            &json!({"text": "Which firmware version runs on the gateway?"}),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["state"], "more-requested");

        // The operator updates; a stage the decision does not have is refused.
        let a = w.call(
            "POST",
            &format!("{path}/reports"),
            &w.operator,
            &json!({"stage": "no-such-stage", "text": "x"}),
        );
        assert_eq!(a.status, 422, "{}", a.body);
        assert!(a.body.contains("no-such-stage"), "{}", a.body);
        let a = w.call(
            "POST",
            &format!("{path}/reports"),
            &w.operator,
            &json!({"stage": "update", "text": "Firmware 4.2.1 at tokai-power; patched since."}),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["state"], "filed");
        assert_eq!(a.json()["reports"].as_array().unwrap().len(), 2);

        // Forwarded without attribution: the centre sees it, not who filed it.
        let a = w.call(
            "POST",
            &format!("{path}/forward"),
            &w.meti,
            &json!({"attributed": false}),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        let seen = hub.get(&path, Some(&w.centre));
        assert_eq!(seen.status, 200, "{}", seen.body);
        let seen = seen.json();
        assert_eq!(seen["org"], "", "{seen}");
        assert!(
            !seen.to_string().to_lowercase().contains("tokai"),
            "the filer is withheld everywhere: {seen}"
        );
        assert!(
            seen["reports"][0]["text"]
                .as_str()
                .unwrap()
                .contains("203.0.113.99")
        );
        assert_eq!(w.ids(&w.centre, ""), std::slice::from_ref(&id));
        // Still nobody else.
        for token in [&w.other_operator, &w.mlit] {
            assert_eq!(hub.get(&path, Some(token)).status, 404);
        }
        let a = w.call(
            "POST",
            &format!("{path}/forward"),
            &w.meti,
            &json!({"attributed": true}),
        );
        assert_eq!(a.status, 409, "{}", a.body);

        // Every stage still open, then every report acknowledged: closed.
        let open: Vec<Value> = hub.get(&path, Some(&w.operator)).json()["stages"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["report"].is_null())
            .cloned()
            .collect();
        assert!(!open.is_empty());
        for s in &open {
            let a = w.call(
                "POST",
                &format!("{path}/reports"),
                &w.operator,
                &json!({"stage": s["stage"], "text": format!("report for {}", s["stage"])}),
            );
            assert_eq!(a.status, 200, "{}", a.body);
        }
        let a = w.call("POST", &format!("{path}/acknowledge"), &w.meti, &json!({}));
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["state"], "closed", "{}", a.body);

        // Every version kept, and no filed report ever changed.
        let v = hub.get(&format!("{path}/versions"), Some(&w.operator));
        assert_eq!(v.status, 200, "{}", v.body);
        let versions = v.json()["versions"].as_array().unwrap().clone();
        assert!(versions.len() >= 6, "{}", versions.len());
        let first_text = versions[0]["reports"][0]["text"].clone();
        for (n, version) in versions.iter().enumerate() {
            assert_eq!(version["rev"], n + 1);
            assert_eq!(version["reports"][0]["text"], first_text);
        }
        // The centre's history begins where it was forwarded.
        let v = hub.get(&format!("{path}/versions"), Some(&w.centre)).json();
        let centre_versions = v["versions"].as_array().unwrap();
        assert!(centre_versions.len() < versions.len());
        assert!(centre_versions.iter().all(|x| x["org"] == ""));

        // The audit trail names who did each step.
        let audit = hub.get("/api/audit?limit=1000", None).json();
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["target"] == id.as_str())
            .filter_map(|e| e["action"].as_str())
            .collect();
        for want in [
            "incident.file",
            "incident.acknowledge",
            "incident.ask",
            "incident.report",
            "incident.forward",
        ] {
            assert!(actions.contains(&want), "{want}: {actions:?}");
        }
        // Reads by anyone but the filer are in the trail too: the ministry
        // and the national centre each read it; the filer's own reads are not
        // recorded.
        let readers: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "incidents.read")
            .filter(|e| {
                // The detail is kept as the JSON text that was hashed.
                let detail: Value =
                    serde_json::from_str(e["detail"].as_str().unwrap_or("null")).unwrap();
                detail["ids"]
                    .as_str()
                    .unwrap_or_default()
                    .split(' ')
                    .any(|x| x == id)
            })
            .filter_map(|e| e["actor_org"].as_str())
            .collect();
        for org in ["meti", "nisc"] {
            assert!(readers.contains(&org), "{org}: {readers:?}");
        }
        assert!(!readers.contains(&"tokai-power"), "{readers:?}");

        // The national centre reads the trail too, but cannot trace the
        // unattributed incident back to its filer there: the workflow
        // entries of other organizations come without actor, target or detail.
        let seen = hub.get("/api/audit?limit=1000", Some(&w.centre)).json();
        let entries = seen["entries"].as_array().unwrap();
        assert!(entries.iter().any(|e| e["action"] == "incident.file"));
        for e in entries {
            let text = e.to_string();
            assert!(
                !(text.contains("tokai-power") && text.contains(&id)),
                "the centre links the filer to {id}: {e}"
            );
            if e["action"].as_str().unwrap().starts_with("incident") && e["actor_org"] != "nisc" {
                assert_eq!(e["actor_org"], "", "{e}");
                assert_eq!(e["target"], "", "{e}");
            }
        }
    }
);

on_both_stores!(deadlines_overdue_and_recommendations, |backend| {
    let hub = TestHub::start(backend);
    let w = world(&hub);
    // Aware ten days ago and never reported past the first stage: overdue.
    let file = |aware: &str, title: &str, draft: bool| {
        let a = w.call(
            "POST",
            "/api/incidents",
            &w.operator,
            &json!({"facts": facts(aware), "title": title, "text": "first report", "draft": draft}),
        );
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["id"].as_str().unwrap().to_owned()
    };
    let late = file(&hours_from_now(-24 * 40), "forty days ago", false);
    let fresh = file(&hours_from_now(0), "just now", false);
    let draft = file(&hours_from_now(-24 * 40), "an old draft", true);
    let overdue = w.ids(&w.operator, "?overdue=true");
    assert!(overdue.contains(&late), "{overdue:?}");
    assert!(
        overdue.contains(&draft),
        "a draft past its deadline is overdue: {overdue:?}"
    );
    assert!(!overdue.contains(&fresh), "{overdue:?}");
    // The ministry sees the late one, never the draft.
    let ministry = w.ids(&w.meti, "?overdue=true");
    assert!(
        ministry.contains(&late) && !ministry.contains(&draft),
        "{ministry:?}"
    );
    assert!(!w.ids(&w.meti, "").contains(&draft));
    // A draft is filed by its first report.
    let a = w.call(
        "POST",
        &format!("/api/incidents/{draft}/reports"),
        &w.operator,
        &json!({"stage": "update", "text": "filed at last"}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(w.ids(&w.meti, "").contains(&draft));
    let filed = a.json();
    assert!(
        filed["timeline"].to_string().contains("\"filed\""),
        "{filed}"
    );

    // The national centre recommends to METI; MLIT does not see it.
    let a = w.call(
        "POST",
        "/api/recommendations",
        &w.centre,
        &json!({"to": ["meti"], "title": "Patch SCADA gateways", "text": "Apply firmware 4.2.2.", "incident": late}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let list = |token: &str| {
        hub.get("/api/recommendations", Some(token)).json()["recommendations"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(list(&w.meti), 1);
    assert_eq!(list(&w.centre), 1);
    assert_eq!(list(&w.mlit), 0);
    assert_eq!(list(&w.operator), 0);
    for (token, body) in [
        (&w.meti, json!({"to": ["meti"], "title": "t", "text": "x"})),
        (
            &w.centre,
            json!({"to": ["tokai-power"], "title": "t", "text": "x"}),
        ),
        (&w.centre, json!({"to": [], "title": "t", "text": "x"})),
    ] {
        let a = w.call("POST", "/api/recommendations", token, &body);
        assert!(
            matches!(a.status, 403 | 422),
            "{body}: {} {}",
            a.status,
            a.body
        );
    }
});

on_both_stores!(the_casebook_is_searched, |backend| {
    let hub = TestHub::start(backend);
    let w = world(&hub);
    let all = hub.get("/api/casebook", Some(&w.operator)).json();
    assert!(all["cases"].as_array().unwrap().len() >= 20);
    assert!(all["practices"].as_array().unwrap().len() >= 3);
    let circia = hub.get("/api/casebook?regime=circia", Some(&w.meti)).json();
    let cases = circia["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 3, "{circia}");
    // Each case's facts give the recorded decision, over HTTP too.
    for c in cases {
        assert_eq!(c["fictional"], true);
        let d = w.call("POST", "/api/reports/assess", &w.operator, &c["facts"]);
        assert_eq!(d.status, 200, "{}", d.body);
        assert_eq!(d.json()["reportable"], c["reportable"], "{c}");
    }
    let found = hub
        .get(
            "/api/casebook?q=%E8%BA%AB%E4%BB%A3%E9%87%91&severity=3",
            Some(&w.operator),
        )
        .json();
    assert_eq!(found["cases"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(hub.get("/api/casebook", Some("")).status, 401);
});

on_both_stores!(bad_reports_are_refused_naming_the_field, |backend| {
    let hub = TestHub::start(backend);
    let w = world(&hub);
    let aware = hours_from_now(-1);
    for (body, field) in [
        (
            json!({"regime": "jp-ci", "sector": "steel", "aware_at": aware}),
            "sector",
        ),
        (
            json!({"regime": "jp-ci", "sector": "electricity"}),
            "aware_at",
        ),
        (
            json!({"regime": "jp-ci", "sector": "electricity", "aware_at": "yesterday"}),
            "aware_at",
        ),
        (
            json!({"regime": "gdpr", "sector": "electricity", "aware_at": aware}),
            "regime",
        ),
        (
            json!({"regime": "jp-ci", "sector": "electricity", "aware_at": aware, "colour": "red"}),
            "colour",
        ),
    ] {
        let a = w.call("POST", "/api/reports/assess", &w.operator, &body);
        assert_eq!(a.status, 422, "{body}: {}", a.body);
        assert!(a.body.contains(field), "{field}: {}", a.body);
        let a = w.call(
            "POST",
            "/api/incidents",
            &w.operator,
            &json!({"facts": body, "title": "t", "text": "x"}),
        );
        assert_eq!(a.status, 422, "{}", a.body);
    }
    // Not JSON, or another shape: 400 saying the shape.
    let a = hub.request(
        "POST",
        "/api/incidents",
        Some(&w.operator),
        &[("Content-Type", "application/json")],
        Some("{not json"),
    );
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body.contains("facts"), "{}", a.body);
    // A sector not the operator's own; no title; a ministry filing.
    let other_sector = json!({"regime": "jp-ci", "sector": "gas", "aware_at": aware});
    let a = w.call(
        "POST",
        "/api/incidents",
        &w.operator,
        &json!({"facts": other_sector, "title": "t", "text": "x"}),
    );
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("facts.sector"), "{}", a.body);
    let a = w.call(
        "POST",
        "/api/incidents",
        &w.operator,
        &json!({"facts": facts(&aware), "title": " ", "text": "x"}),
    );
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(a.body.contains("title"), "{}", a.body);
    let a = w.call(
        "POST",
        "/api/incidents",
        &w.meti,
        &json!({"facts": facts(&aware), "title": "t", "text": "x"}),
    );
    assert_eq!(a.status, 403, "{}", a.body);
    // Nothing half-written: the operator has no incident.
    assert!(w.ids(&w.operator, "").is_empty());
});

/// `kyoyu` with `args` and the environment of a running hub.
fn kyoyu(hub: &TestHub, token: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(args)
        .env("KYOYU_URL", &hub.base)
        .env("KYOYU_TOKEN", token)
        .output()
        .unwrap()
}

/// The CLI: `report assess` offline (the decision as JSON; bad facts exit 2
/// naming the field), then file → ack → forward against a running hub.
#[test]
fn the_report_commands() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("facts.json");
    std::fs::write(&path, facts("2026-03-27T10:00:00+09:00").to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["report", "assess", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let decision: Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["reportable", "recipients", "fired_rules", "stages"] {
        assert!(decision.get(key).is_some(), "{key}: {decision}");
    }
    for s in decision["stages"].as_array().unwrap() {
        let due = s["due"].as_str().unwrap();
        assert!(due.ends_with('Z') && due > "2026-03-27T01:00:00Z", "{s}");
    }
    std::fs::write(&path, r#"{"regime": "jp-ci", "sector": "electricity"}"#).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["report", "assess", path.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("aware_at"));

    let hub = TestHub::start(crate::testkit::Backend::Sqlite);
    let w = world(&hub);
    std::fs::write(&path, facts(&hours_from_now(-1)).to_string()).unwrap();
    let out = kyoyu(
        &hub,
        &w.operator,
        &[
            "report",
            "file",
            "--facts",
            path.to_str().unwrap(),
            "--title",
            "gateway",
            "--text",
            "first",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let id = serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = kyoyu(&hub, &w.meti, &["report", "list"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(&id));
    let out = kyoyu(&hub, &w.meti, &["report", "ack", &id]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kyoyu(&hub, &w.meti, &["report", "forward", &id, "--attributed"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = kyoyu(&hub, &w.centre, &["report", "show", &id]);
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(shown["org"], "tokai-power", "attributed: {shown}");
    // Another ministry is told there is no such incident.
    let out = kyoyu(&hub, &w.mlit, &["report", "show", &id]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no incident"));
}

/// In Chromium, three people in three browsers: an operator files through
/// the guided form; the ministry's liaison acknowledges and forwards it
/// without naming the operator; the operator raises a hotline call, which
/// shows in the national-centre officer's open queue within 2 s without a
/// reload. axe-core on every page; screenshots in both languages.
#[test]
fn chromium_report_ministry_and_hotline() {
    use crate::browser::Browser;
    use crate::console::{browser_sign_in, inspect, user};
    let hub = TestHub::start(crate::testkit::Backend::Sqlite);
    hub.org("tokai-power", "operator", &["electricity"]);
    hub.org("nisc", "national-centre", &[]);
    let operator_pw = user(&hub, "k.sato", "tokai-power", "member");
    let liaison_pw = user(&hub, "m.kato", "meti", "ministry-liaison");
    let officer_pw = user(&hub, "o.ito", "nisc", "national-centre-officer");

    // The operator, in Japanese: the questions, the decision, the filing.
    let op = Browser::start("ja");
    browser_sign_in(&op, &hub, "k.sato", &operator_pw, false);
    op.open(&format!("{}/console/incidents/new", hub.base));
    inspect(&op, "incident-new", "ja");
    op.click("#malicious");
    op.run(
        "document.getElementById('significant').value = 'yes';",
        json!([]),
    );
    op.fill("#outage_minutes", "240");
    op.fill("#customers_affected", "120000");
    op.click("button[value=assess]");
    // The decision on the next page (waited for: the click returns before it loads).
    let decision = op.text_with("#decision", "報告が必要です");
    assert!(decision.contains("報告が必要です"), "{decision}");
    inspect(&op, "incident-decision", "ja");
    op.fill("#title", "tokai-power 変電所の制御端末から不審な通信");
    op.fill(
        "#text",
        "tokai-power の SCADA ゲートウェイが 203.0.113.99 と20分間通信。",
    );
    op.click("button[value=file]");
    let url = op.url();
    assert!(url.contains("/console/incidents/incident-"), "{url}");
    let text = op.text_with("main", "届出済み");
    assert!(text.contains("届出済み"), "{text}");
    inspect(&op, "incident", "ja");
    // Stages are named in the page's language; a further report for the
    // first one offered (its id goes with the form).
    assert!(
        op.text("main").contains("所管省庁への第一報"),
        "{}",
        op.text("main")
    );
    op.fill("#report-text", "ゲートウェイのファームウェアを更新した。");
    op.click("button[value=report]");
    let text = op.text_with("main", "#2");
    assert!(text.contains("#2"), "{text}");
    op.open(&format!("{}/console/incidents?lang=en", hub.base));
    inspect(&op, "incidents", "en");
    // The casebook, searched in Japanese, in both languages.
    op.open(&format!(
        "{}/console/casebook?q=%E8%BA%AB%E4%BB%A3%E9%87%91&lang=ja",
        hub.base
    ));
    let text = op.text("main");
    assert!(
        text.contains("【架空の事例】") && text.contains("2 件"),
        "{text}"
    );
    inspect(&op, "casebook", "ja");
    op.open(&format!(
        "{}/console/casebook?regime=nis2&lang=en",
        hub.base
    ));
    assert!(op.text("main").contains("[Fictional example]"));
    inspect(&op, "casebook", "en");

    // The ministry, in English: acknowledge, then forward without attribution.
    let ministry = Browser::start("en");
    browser_sign_in(&ministry, &hub, "m.kato", &liaison_pw, true);
    ministry.open(&format!("{}/console/incidents", hub.base));
    assert!(
        ministry.text("main").contains("substation") || ministry.text("main").contains("変電所")
    );
    inspect(&ministry, "incidents-ministry", "en");
    ministry.click("main table a");
    ministry.click("button[value=acknowledge]");
    let text = ministry.text_with("main", "Acknowledged");
    assert!(text.contains("Acknowledged"), "{text}");
    ministry.click("button[value=forward]");
    let text = ministry.text_with("main", "Forwarded without naming the reporter");
    assert!(
        text.contains("Forwarded without naming the reporter"),
        "{text}"
    );
    inspect(&ministry, "incident-ministry", "en");
    ministry.open(&format!(
        "{}/console/incidents/{}?lang=ja",
        hub.base,
        url.rsplit('/').next().unwrap()
    ));
    inspect(&ministry, "incident-ministry", "ja");

    // The national centre, in Japanese: the hotline queue, live.
    let centre = Browser::start("ja");
    browser_sign_in(&centre, &hub, "o.ito", &officer_pw, true);
    centre.open(&format!("{}/console/incidents", hub.base));
    let text = centre.text("main");
    assert!(
        text.contains("非開示") && !text.to_lowercase().contains("tokai"),
        "{text}"
    );
    centre.open(&format!("{}/console/hotline", hub.base));
    assert!(centre.has("#hotline-queue[data-live]"));
    inspect(&centre, "hotline-queue", "ja");
    // Mark the page: a reload would lose the mark.
    centre.run("window.kyoyuMark = 'same page';", json!([]));

    op.open(&format!("{}/console/hotline?lang=ja", hub.base));
    inspect(&op, "hotline", "ja");
    op.fill("#hotline-title", "変電所の遮断器が遠隔で開放された");
    op.fill("#hotline-text", "名古屋第3変電所。連絡先 052-000-0000。");
    let raised = Instant::now();
    op.click("main form button.danger");
    let text = op.text_with("main", "国の中核機関に連絡が届きました");
    assert!(text.contains("国の中核機関に連絡が届きました"), "{text}");
    let mut seen = false;
    while raised.elapsed() < Duration::from_secs(2) {
        // Read in one step: the live script may swap the element meanwhile.
        let queue = centre.run(
            "return document.getElementById('hotline-queue').textContent;",
            json!([]),
        );
        if queue
            .as_str()
            .is_some_and(|q| q.contains("遮断器が遠隔で開放"))
        {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(
        seen,
        "the call did not show in the officer's queue within 2 s"
    );
    assert_eq!(
        centre.run("return window.kyoyuMark;", json!([])),
        json!("same page")
    );
    inspect(&centre, "hotline-live", "ja");
    centre.click("#hotline-queue button.primary");
    // The page reloads after the post and the live script may swap the
    // queue too: read it in one step until it settles.
    crate::testkit::eventually("the call shown as acknowledged", || {
        centre
            .run(
                "const q = document.getElementById('hotline-queue'); return q ? q.textContent : '';",
                json!([]),
            )
            .as_str()
            .is_some_and(|q| q.contains("受領済み"))
    });
    centre.open(&format!("{}/console/hotline?lang=en", hub.base));
    inspect(&centre, "hotline-queue", "en");
}

/// A hub's own regime files: a good one adds a regime the engine answers
/// for; a malformed one stops the start, naming the file and its line.
#[test]
fn extra_regimes_load_at_start_or_stop_it() {
    let regimes = tempfile::tempdir().unwrap();
    let strict = include_str!("../../../kyoyu-report/regimes/nis2.toml")
        .replace("id = \"nis2\"", "id = \"nis2-strict\"")
        .replace("hours = 24", "hours = 12");
    std::fs::write(regimes.path().join("nis2-strict.toml"), &strict).unwrap();
    let hub = TestHub::start_with(
        crate::testkit::Backend::Sqlite,
        &["--regimes", regimes.path().to_str().unwrap()],
    );
    hub.org("tokai-power", "operator", &["electricity"]);
    let token = hub.token_for("tokai-power", "member", false);
    let a = hub.rest(
        "POST",
        "/api/reports/assess",
        Some(&token),
        &json!({"regime": "nis2-strict", "sector": "electricity", "aware_at": "2026-06-01T00:00:00Z", "significant": true}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.json()["stages"][0]["due"], "2026-06-01T12:00:00Z");
    // A syntax error on line 3: the hub does not start.
    let broken = tempfile::tempdir().unwrap();
    std::fs::write(
        broken.path().join("bad.toml"),
        "id = \"bad\"\nname_en = \"x\"\nname_ja = = \"y\"\n",
    )
    .unwrap();
    let data = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data.path())
        .arg("--regimes")
        .arg(broken.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml line 3"), "{err}");
}

on_both_stores!(deadlines_are_reminded_before_and_when_overdue, |backend| {
    use crate::hotline::{SmtpServer, Subscriber};
    let smtp = SmtpServer::start();
    let hub = TestHub::start_with(
        backend,
        &[
            "--remind-before",
            "24h,2h",
            "--smtp",
            &smtp.address,
            "--mail-from",
            "reminders@kyoyu.example",
            // The chat tools below listen on loopback.
            "--allow-private-webhooks",
        ],
    );
    let w = world(&hub);
    for (login, org, role) in [
        ("r.mori", "tokai-power", "member"),
        ("g.ito", "kansai-gas", "member"),
        ("m.abe", "meti", "ministry-liaison"),
    ] {
        let a = hub.rest(
                "POST",
                "/api/users",
                None,
                &json!({"login": login, "org": org, "role": role, "email": format!("{login}@{org}.example.jp")}),
            );
        assert_eq!(a.status, 201, "{}", a.body);
    }
    // The operator's admin posts its reminders to its chat tool; the
    // other operator to its own. Nobody else may set or change them.
    let (hook, deliveries) = crate::hotline::webhook_receiver();
    let (their_hook, their_deliveries) = crate::hotline::webhook_receiver();
    let admin = hub.token_for("tokai-power", "community-admin", false);
    let their_admin = hub.token_for("kansai-gas", "community-admin", false);
    let secret = "tokai-power-chat-secret-0001";
    let put = |org: &str, token: &str, body: Value| {
        w.call("PUT", &format!("/api/orgs/{org}/webhook"), token, &body)
    };
    let a = put(
        "tokai-power",
        &admin,
        json!({"url": hook, "secret": secret}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let a = put(
        "kansai-gas",
        &their_admin,
        json!({"url": their_hook, "secret": "kansai-gas-chat-secret-01"}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    for token in [hub.admin.as_str(), &w.operator, &their_admin, &w.meti] {
        let a = put(
            "tokai-power",
            token,
            json!({"url": "https://elsewhere.example/hook", "secret": "0123456789abcdef"}),
        );
        assert_eq!(a.status, 403, "{}", a.body);
    }
    for (body, field) in [
        (
            json!({"url": "ftp://chat.example", "secret": "0123456789abcdef"}),
            "url",
        ),
        (
            json!({"url": "https://chat.example/hook", "secret": "short"}),
            "secret",
        ),
    ] {
        let a = put("tokai-power", &admin, body);
        assert_eq!(a.status, 422, "{}", a.body);
        assert!(a.body.contains(field), "{}", a.body);
    }
    let shown = w.call(
        "GET",
        "/api/orgs/tokai-power/webhook",
        &w.operator,
        &json!(null),
    );
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(shown.json()["url"], hook.as_str());
    assert!(!shown.body.contains(secret), "the secret is never shown");
    let a = w.call(
        "GET",
        "/api/orgs/tokai-power/webhook",
        &hub.admin,
        &json!(null),
    );
    assert_eq!(a.status, 403, "{}", a.body);

    let mut mine = Subscriber::open_at(&hub.base, "/api/reminders/stream", &w.operator, None);
    let mut theirs =
        Subscriber::open_at(&hub.base, "/api/reminders/stream", &w.other_operator, None);

    // A draft whose first report to the ministry is due 24 h after
    // awareness: aware 22 h ago less 15 s, so "2 h before" comes 15 s
    // from now; the hotline stage (1 h) is long past: overdue at once.
    let a = w.call(
            "POST",
            "/api/incidents",
            &w.operator,
            &json!({"facts": {"regime": "jp-ci", "sector": "electricity", "malicious": true, "significant": true,
                              "aware_at": seconds_from_now(-22 * 3600 + 15)},
                    "title": "Gateway firmware", "draft": true}),
        );
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let initial_due = a.json()["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "initial")
        .map(|s| s["due"].as_str().unwrap().to_owned())
        .expect("an initial stage");

    let mut got = Vec::new();
    while got.len() < 2 {
        let (_, e) = mine
            .next(Duration::from_secs(40))
            .unwrap_or_else(|| panic!("reminders so far: {got:?}"));
        got.push(e);
    }
    let kinds: BTreeSet<(String, String, u64)> = got
        .iter()
        .map(|e| {
            assert_eq!(e["reminder"]["incident"], id.as_str(), "{e}");
            (
                e["what"].as_str().unwrap().to_owned(),
                e["reminder"]["stage"].as_str().unwrap().to_owned(),
                e["reminder"]["lead_seconds"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            ("overdue".to_owned(), "hotline".to_owned(), 0),
            ("due-soon".to_owned(), "initial".to_owned(), 7200),
        ])
    );
    let soon = got.iter().find(|e| e["what"] == "due-soon").unwrap();
    assert_eq!(soon["reminder"]["due"], initial_due.as_str());
    // The 24-hour lead had passed before the incident was recorded:
    // never sent. Another operator hears nothing.
    assert!(theirs.next(Duration::from_secs(1)).is_none());

    // Each once, though the job runs every 5 s; listed for the filer only.
    std::thread::sleep(Duration::from_secs(7));
    let list = |token: &str| {
        let a = hub.get("/api/reminders", Some(token));
        assert_eq!(a.status, 200, "{}", a.body);
        a.json()["reminders"].as_array().unwrap().len()
    };
    assert_eq!(list(&w.operator), 2);
    assert_eq!(list(&w.other_operator), 0);
    assert_eq!(list(&w.meti), 0);

    // Mail to the filer's people only.
    crate::testkit::eventually("two reminder mails", || smtp.mails().len() >= 2);
    std::thread::sleep(Duration::from_millis(500));
    let mails = smtp.mails();
    assert_eq!(mails.len(), 2, "{mails:?}");
    assert!(
        mails
            .iter()
            .all(|(to, _)| to.contains("r.mori@tokai-power")),
        "{mails:?}"
    );
    assert!(
        mails
            .iter()
            .any(|(_, s)| s.starts_with("Reminder:") && s.contains("Gateway firmware")),
        "{mails:?}"
    );
    assert!(
        mails.iter().any(|(_, s)| s.starts_with("Overdue:")),
        "{mails:?}"
    );

    // The webhook: both reminders, signed with the organization's secret
    // (the first delivery failed and was tried again); nothing to the
    // other operator's.
    crate::testkit::eventually("the reminders posted", || {
        deliveries.lock().unwrap().len() >= 3
    });
    for (head, body) in deliveries.lock().unwrap().iter() {
        assert_eq!(
            crate::hotline::header(head, "X-Kyoyu-Signature"),
            Some(crate::hotline::signed(secret, body).as_str())
        );
        assert_eq!(
            crate::hotline::header(head, "X-Kyoyu-Event"),
            Some("reminder")
        );
        let v: Value = serde_json::from_str(body).unwrap();
        assert_eq!(v["reminder"]["org"], "tokai-power", "{v}");
        assert!(
            v["text"].as_str().unwrap().contains("Gateway firmware"),
            "{v}"
        );
    }
    assert!(their_deliveries.lock().unwrap().is_empty());

    // The dashboard shows the deadline to the filer's people, marked
    // overdue (the hotline stage), and to nobody else.
    let (p, _) = crate::console::member(&hub, "k.sato", "tokai-power", "en");
    let page = p.get("/console");
    assert!(page.body.contains("Reporting deadlines"), "{}", page.body);
    assert!(page.body.contains("Gateway firmware"), "{}", page.body);
    assert!(page.body.contains("overdue-mark"), "{}", page.body);
    let (q, _) = crate::console::member(&hub, "g.ito2", "kansai-gas", "en");
    assert!(!q.get("/console").body.contains("Gateway firmware"));
});

on_both_stores!(
    an_incident_as_stix_shared_onward_and_published_as_a_case,
    |backend| {
        let hub = TestHub::start(backend);
        let w = world(&hub);
        // Without --allow-private-webhooks an organization's webhook may not
        // point into the hub's own network, however the address is written.
        let admin = hub.token_for("tokai-power", "community-admin", false);
        for url in [
            "http://127.0.0.1:9/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost:8080/hook",
            "http://[::1]/hook",
            "http://10.0.0.7/hook",
            "http://[::ffff:192.168.0.1]/hook",
        ] {
            let a = w.call(
                "PUT",
                "/api/orgs/tokai-power/webhook",
                &admin,
                &json!({"url": url, "secret": "0123456789abcdef"}),
            );
            assert_eq!(a.status, 422, "{url}: {}", a.body);
            assert!(a.body.contains("public internet"), "{}", a.body);
        }
        let a = w.call(
            "PUT",
            "/api/orgs/tokai-power/webhook",
            &admin,
            &json!({"url": "https://chat.example/hook", "secret": "0123456789abcdef"}),
        );
        assert_eq!(a.status, 200, "{}", a.body);

        let hash = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
        let observables = json!([
            "198.51.100.23",
            "Evil-Update.example",
            "https://evil-update.example/a.bin",
            hash
        ]);

        // Observables that are none of the known shapes are refused, naming
        // the value; a draft has no report to list them on.
        let a = w.call(
            "POST",
            "/api/incidents",
            &w.operator,
            &json!({"facts": facts(&hours_from_now(-1)), "title": "t", "text": "x", "indicators": ["not an observable"]}),
        );
        assert_eq!(a.status, 422, "{}", a.body);
        assert!(a.body.contains("not an observable"), "{}", a.body);
        let a = w.call(
            "POST",
            "/api/incidents",
            &w.operator,
            &json!({"facts": facts(&hours_from_now(-1)), "title": "t", "draft": true, "indicators": ["198.51.100.1"]}),
        );
        assert_eq!(a.status, 422, "{}", a.body);

        let a = w.call(
            "POST",
            "/api/incidents",
            &w.operator,
            &json!({"facts": facts(&hours_from_now(-2)), "title": "Loader on the tokai-power historian",
                    "text": "tokai-power found a loader beaconing to evil-update.example from the historian.",
                    "indicators": observables}),
        );
        assert_eq!(a.status, 201, "{}", a.body);
        let id = a.json()["id"].as_str().unwrap().to_owned();
        let path = format!("/api/incidents/{id}");

        // The export, as the filer reads it: valid STIX 2.1 by kyoyu's
        // validator and by the OASIS validator.
        let stix = |token: &str| hub.get(&format!("{path}/stix"), Some(token));
        let a = stix(&w.operator);
        assert_eq!(a.status, 200, "{}", a.body);
        let bundle = a.json();
        let objects = bundle["objects"].as_array().unwrap();
        let count = |ty: &str| objects.iter().filter(|o| o["type"] == ty).count();
        assert_eq!(count("identity"), 1);
        assert_eq!(count("incident"), 1);
        assert_eq!(count("report"), 1);
        assert_eq!(count("indicator"), 4);
        assert_eq!(count("relationship"), 4);
        assert_eq!(count("observed-data"), 1);
        let identity = objects.iter().find(|o| o["type"] == "identity").unwrap();
        assert_eq!(identity["name"], "tokai-power");
        let report = objects.iter().find(|o| o["type"] == "report").unwrap();
        assert_eq!(
            report["object_refs"].as_array().unwrap().len(),
            objects.len() - 1,
            "the report gathers every other object"
        );
        let ours = kyoyu_validate::validate_document(&bundle, &kyoyu_validate::Options::default());
        assert!(ours.iter().all(|r| r.valid), "{ours:?}");
        let oasis = crate::support::run_oracle("validate", &[json!({"object": bundle})]);
        assert_eq!(oasis[0]["default"], true, "{}", oasis[0]);
        // The same objects on a second export.
        let again = stix(&w.operator).json();
        let ids = |b: &Value| -> BTreeSet<String> {
            b["objects"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned())
                .collect()
        };
        assert_eq!(ids(&bundle), ids(&again));

        // Read like the incident: the ministry yes, others not at all; the
        // national centre, forwarded without attribution, without the filer.
        assert_eq!(stix(&w.meti).status, 200);
        for token in [&w.other_operator, &w.mlit, &w.centre] {
            assert_eq!(stix(token).status, 404, "before forwarding");
        }
        assert_eq!(
            hub.get(&format!("{path}/stix"), None).status,
            404,
            "the hub admin"
        );
        let a = w.call(
            "POST",
            &format!("{path}/forward"),
            &w.meti,
            &json!({"attributed": false}),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        let a = stix(&w.centre);
        assert_eq!(a.status, 200, "{}", a.body);
        assert!(!a.body.contains("tokai-power"), "{}", a.body);
        assert!(!a.body.contains("\"identity\""), "{}", a.body);

        // Shared onward as an anonymised case through the concealment
        // pipeline: the preview shows no identity, no tie to the original.
        let share =
            |token: &str, body: Value| w.call("POST", &format!("{path}/share"), token, &body);
        let a = share(
            &w.operator,
            json!({"community": "sector-electricity", "preview": true}),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        let preview = a.body.clone();
        assert!(!preview.contains("tokai-power"), "{preview}");
        assert!(!preview.contains(&id), "{preview}");
        assert!(preview.contains("198.51.100.23"), "{preview}");
        assert!(!preview.contains("\"identity_class\""), "{preview}");
        for (token, want) in [(&w.meti, 403), (&w.other_operator, 404)] {
            let a = share(token, json!({"community": "sector-electricity"}));
            assert_eq!(a.status, want, "{}", a.body);
        }
        let a = share(&w.operator, json!({"community": "no-such-community"}));
        assert_eq!(a.status, 404, "{}", a.body);
        let a = share(&w.operator, json!({"community": "sector-electricity"}));
        assert_eq!(a.status, 202, "{}", a.body);
        assert!(
            a.json()["receipt"].as_str().is_some_and(|r| !r.is_empty()),
            "{}",
            a.body
        );
        // Nothing on the incident tells its readers it was shared.
        let seen = w.call("GET", &path, &w.meti, &json!(null)).body;
        assert!(!seen.contains("share"), "{seen}");

        // The national centre publishes it in the casebook, after
        // concealment; anyone signed in finds it.
        let case = json!({
            "incident": id,
            "title_ja": "制御系ヒストリアンへのローダー設置（tokai-power）",
            "title_en": "A loader on a control-system historian at tokai-power",
            "summary_ja": "tokai-power の履歴サーバからの不審な通信で発見された。",
            "summary_en": "tokai-power found it from the historian's beaconing.",
            "category": "malware", "severity": 1,
            "facts": facts("2026-05-11T09:00:00+09:00"),
        });
        let a = w.call("POST", "/api/casebook", &w.operator, &case);
        assert_eq!(a.status, 403, "{}", a.body);
        let mut bad = case.clone();
        bad["severity"] = json!(7);
        let a = w.call("POST", "/api/casebook", &w.centre, &bad);
        assert_eq!(a.status, 422, "{}", a.body);
        assert!(a.body.contains("severity"), "{}", a.body);
        let a = w.call("POST", "/api/casebook", &w.centre, &case);
        assert_eq!(a.status, 201, "{}", a.body);
        let published = a.json();
        assert_eq!(published["fictional"], false);
        assert!(!a.body.contains("tokai-power"), "scrubbed: {}", a.body);
        assert!(
            published["recipients"]
                .as_array()
                .unwrap()
                .contains(&json!("ministry:meti")),
            "{published}"
        );
        let found = hub
            .get("/api/casebook?q=historian", Some(&w.other_operator))
            .json();
        let titles: Vec<&str> = found["cases"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|c| c["title_en"].as_str())
            .collect();
        assert!(
            titles
                .iter()
                .any(|t| t.contains("control-system historian")),
            "{titles:?}"
        );
    }
);

/// In the console: the filer downloads the incident as STIX and shares it
/// as an anonymised case (the receipt kept in the browser); another
/// operator's person can do neither.
#[test]
fn the_console_exports_and_shares_an_incident() {
    let hub = TestHub::start(crate::testkit::Backend::Sqlite);
    let w = world(&hub);
    let (filer, _) = crate::console::member(&hub, "k.sato", "tokai-power", "en");
    let (other, _) = crate::console::member(&hub, "g.ito", "kansai-gas", "en");
    let a = w.call(
        "POST",
        "/api/incidents",
        &w.operator,
        &json!({"facts": facts(&hours_from_now(-1)), "title": "Historian loader",
                "text": "A loader beaconed to evil-update.example.", "indicators": ["evil-update.example"]}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let page = filer.get(&format!("/console/incidents/{id}"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body
            .contains("Share with others as an anonymised case")
    );
    assert!(page.body.contains(&format!("/console/incidents/{id}/stix")));
    assert!(
        page.body.contains("evil-update.example"),
        "the observables are shown"
    );

    let stix = filer.get(&format!("/console/incidents/{id}/stix"));
    assert_eq!(stix.status, 200, "{}", stix.body);
    assert!(
        stix.header("content-disposition")
            .is_some_and(|d| d.contains("attachment"))
    );
    let bundle: Value = serde_json::from_str(&stix.body).unwrap();
    assert_eq!(bundle["type"], "bundle");
    assert_eq!(
        other.get(&format!("/console/incidents/{id}/stix")).status,
        404
    );

    let csrf = crate::console::csrf_of(&page.body);
    let a = filer.post(
        &format!("/console/incidents/{id}"),
        &[
            ("csrf", &csrf),
            ("action", "share"),
            ("community", "sector-electricity"),
            ("tlp", "amber"),
        ],
    );
    assert_eq!(a.status, 303, "{}", a.body);
    assert_eq!(a.header("location"), Some("/console/receipts"));
    assert!(
        filer
            .cookie("kyoyu_receipts")
            .is_some_and(|c| !c.is_empty())
    );
    let receipts = filer.get("/console/receipts");
    assert!(
        receipts.body.contains("sector-electricity") || receipts.body.contains("Electricity"),
        "{}",
        receipts.body
    );

    // Another operator cannot share it (it does not exist for them).
    let their_csrf = crate::console::csrf_of(&other.get("/console/submit").body);
    let a = other.post(
        &format!("/console/incidents/{id}"),
        &[
            ("csrf", &their_csrf),
            ("action", "share"),
            ("community", "sector-gas"),
        ],
    );
    assert_eq!(a.status, 404, "{}", a.body);
}
