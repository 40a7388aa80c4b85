//! Every route of the hub, with a token of every role and standing: no
//! answer carries anything outside what the policy lets that caller see.
//!
//! The world holds canaries: objects whose names and ids say what they
//! are, organizations whose identifying data (domain, staff) is unique to
//! them, and a concealed submission waiting for review. The routes come
//! from the hub's own tables (the REST routes from `/api/openapi.json`,
//! which is generated from the table the router is built from; the TAXII
//! routes of the spec), each path parameter filled with every id of the
//! world. Reads run with every token; writes run with read-only tokens
//! and with bodies that cannot be applied, so the world stays as it is
//! (checked at the end). Expected visibility is written out here, by hand,
//! from README's "Who sees what" table and docs/reporting.md ("nobody else
//! sees your incident"), not taken from the policy module. The reporting
//! workflow adds its canaries: an incident elec-a filed and METI forwarded
//! without attribution, a draft, a hotline call, and a recommendation.

use crate::testkit::{Backend, TAXII, TestHub, on_both_stores};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
const AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
const RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
const CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";

/// The organizations: id, kind, sectors.
const ORGS: [(&str, &str, &[&str]); 7] = [
    ("elec-a", "operator", &["electricity"]),
    ("elec-b", "operator", &["electricity"]),
    ("gas-a", "operator", &["gas"]),
    ("ceptoar-elec", "ceptoar", &["electricity"]),
    ("nisc", "national-centre", &[]),
    ("vendor-x", "supplier", &[]),
    ("vendor-y", "supplier", &[]),
];

/// The canary objects elec-a posts to sector-electricity: (name, markings, recipients).
const OBJECTS: [(&str, &[&str], &[&str]); 7] = [
    ("clear", &[CLEAR], &[]),
    ("green", &[GREEN], &[]),
    ("amber", &[AMBER], &[]),
    ("amberstrict", &[AMBER_STRICT], &[]),
    ("unmarked", &[], &[]),
    ("redmeti", &[RED], &["meti"]),
    ("amberelecb", &[AMBER], &["elec-b"]),
];

fn object(n: usize, name: &str, markings: &[&str], recipients: &[&str]) -> Value {
    let mut o = json!({
        "type": "indicator", "spec_version": "2.1",
        "id": object_id(n),
        "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
        "name": format!("canary-object-{name}"), "pattern_type": "stix",
        "valid_from": "2025-01-01T00:00:00Z",
        "pattern": format!("[ipv4-addr:value = '198.51.100.{n}']"),
    });
    if !markings.is_empty() {
        o["object_marking_refs"] = json!(markings);
    }
    if !recipients.is_empty() {
        o["x_kyoyu_recipients"] = json!(recipients);
    }
    o
}

fn object_id(n: usize) -> String {
    format!("indicator--{n:08x}-7777-4000-8000-000000000000")
}

/// Who may read which canary object (README, "Who sees what"; the sector
/// community's default is AMBER, so unmarked counts as AMBER).
fn may_read(org: &str, name: &str) -> bool {
    let member_view = ["clear", "green", "amber", "amberstrict", "unmarked"];
    match org {
        "hub" | "elec-a" => true,
        "elec-b" => member_view.contains(&name) || name == "amberelecb",
        "ceptoar-elec" => member_view.contains(&name),
        // A supplier of elec-b: GREEN and CLEAR, AMBER with an open list or naming its client.
        "vendor-x" => ["clear", "green", "amber", "unmarked", "amberelecb"].contains(&name),
        // Observers: GREEN and CLEAR; RED only where named.
        "meti" => ["clear", "green", "redmeti"].contains(&name),
        "nisc" => ["clear", "green"].contains(&name),
        _ => false,
    }
}

/// The principals: organization, role (one of each role, every standing).
const PRINCIPALS: [(&str, &str); 9] = [
    ("elec-a", "member"),                // member, author
    ("elec-b", "analyst"),               // member, named recipient
    ("ceptoar-elec", "community-admin"), // community admin
    ("vendor-x", "member"),              // supplier of a member
    ("meti", "ministry-liaison"),        // observer, named on RED
    ("nisc", "national-centre-officer"), // observer, reads the audit trail
    ("gas-a", "member"),                 // outsider
    ("vendor-y", "member"),              // supplier of an outsider
    ("hub", "hub-admin"),                // sees everything
];

/// A string that must not reach `org`, and why.
struct Canary {
    text: String,
    what: String,
    may_see: Box<dyn Fn(&str) -> bool>,
}

fn canaries(submission_text: &str, workflow: &Workflow) -> Vec<Canary> {
    let mut out = Vec::new();
    for (n, (name, _, _)) in OBJECTS.iter().enumerate() {
        let name = (*name).to_owned();
        for text in [format!("canary-object-{name}"), object_id(n)] {
            let name = name.clone();
            out.push(Canary {
                what: format!("object {name}"),
                text,
                may_see: Box::new(move |org| may_read(org, &name)),
            });
        }
    }
    for (id, _, _) in ORGS {
        for text in [format!("{id}-canary.example"), format!("Staff Canary {id}")] {
            out.push(Canary {
                what: format!("identifying data of {id}"),
                text,
                may_see: Box::new(move |org| org == "hub" || org == id),
            });
        }
    }
    // The concealed submission waits for review: its reviewers (the
    // community's admins and hub admins; national-centre officers may
    // review but not read AMBER+STRICT as observers) see it, no one else.
    out.push(Canary {
        what: "submission under review".into(),
        text: submission_text.to_owned(),
        may_see: Box::new(|org| org == "hub" || org == "ceptoar-elec"),
    });
    // The reporting workflow (docs/reporting.md): an incident is seen by
    // its filer, its competent ministry once filed and the national centre
    // once forwarded; the hub's administrators see none of it.
    let incident = |org: &str| ["elec-a", "meti", "nisc"].contains(&org);
    for (text, what, may_see) in [
        (
            "canary-incident-title",
            "a forwarded incident",
            incident as fn(&str) -> bool,
        ),
        (
            "canary-incident-report",
            "a forwarded incident's report",
            incident,
        ),
        ("canary-draft-incident", "a draft incident", |org| {
            org == "elec-a"
        }),
        ("canary-hotline-call", "a hotline call", |org| {
            ["elec-a", "nisc"].contains(&org)
        }),
        ("canary-recommendation", "a recommendation", |org| {
            ["meti", "nisc"].contains(&org)
        }),
    ] {
        out.push(Canary {
            what: what.into(),
            text: text.into(),
            may_see: Box::new(may_see),
        });
    }
    // Ids: the hub admin reads the audit trail whole, where the ids stand
    // with who acted (never the content: the canaries above); every other
    // reader of the trail has other organizations' workflow entries withheld.
    for (id, may_see) in &workflow.ids {
        let may_see = may_see.clone();
        out.push(Canary {
            what: format!("the id of {id}"),
            text: id.clone(),
            may_see: Box::new(move |org| org == "hub" || may_see.contains(&org.to_owned())),
        });
    }
    // The filer's name is in its report; forwarded without attribution, the
    // national centre gets it scrubbed. Its ministry reads it as written.
    out.push(Canary {
        what: "the filer's person named in an unattributed report".into(),
        text: "Reporter Canary elec-a".into(),
        may_see: Box::new(|org| ["hub", "elec-a", "meti"].contains(&org)),
    });
    out
}

/// The reporting workflow's records: their ids and who may see each.
struct Workflow {
    ids: Vec<(String, Vec<String>)>,
    incidents: Vec<String>,
    calls: Vec<String>,
}

fn workflow(hub: &TestHub) -> Workflow {
    let elec_a = hub.token_for("elec-a", "member", false);
    let meti = hub.token_for("meti", "ministry-liaison", false);
    let nisc = hub.token_for("nisc", "national-centre-officer", false);
    let facts = json!({
        "regime": "jp-ci", "sector": "electricity", "aware_at": "2026-01-05T09:00:00+09:00",
        "malicious": true, "significant": true,
    });
    let post = |token: &str, path: &str, body: Value| {
        let a = hub.rest("POST", path, Some(token), &body);
        assert!(a.status == 201 || a.status == 200, "{path}: {}", a.body);
        a.json()["id"].as_str().unwrap_or_default().to_owned()
    };
    let filed = post(
        &elec_a,
        "/api/incidents",
        json!({"facts": facts, "title": "canary-incident-title",
               "text": "canary-incident-report; call Reporter Canary elec-a at the plant"}),
    );
    post(
        &meti,
        &format!("/api/incidents/{filed}/forward"),
        json!({"attributed": false}),
    );
    let draft = post(
        &elec_a,
        "/api/incidents",
        json!({"facts": facts, "title": "canary-draft-incident", "draft": true}),
    );
    let call = post(
        &elec_a,
        "/api/hotline",
        json!({"title": "canary-hotline-call", "text": "turbine control lost"}),
    );
    let a = hub.rest(
        "POST",
        "/api/recommendations",
        Some(&nisc),
        &json!({"to": ["meti"], "title": "canary-recommendation", "text": "patch the gateways"}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let owned = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    Workflow {
        ids: vec![
            (filed.clone(), owned(&["elec-a", "meti", "nisc"])),
            (draft.clone(), owned(&["elec-a"])),
            (call.clone(), owned(&["elec-a", "nisc"])),
        ],
        incidents: vec![filed, draft],
        calls: vec![call],
    }
}

/// Path templates: the TAXII routes (spec section 5) and the REST routes
/// of the hub's OpenAPI document, with their methods.
fn routes(hub: &TestHub) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = [
        ("GET", "/taxii2/"),
        ("GET", "/{root}/"),
        ("GET", "/{root}/status/{status}/"),
        ("GET", "/{root}/collections/"),
        ("GET", "/{root}/collections/{collection}/"),
        ("GET", "/{root}/collections/{collection}/manifest/"),
        ("GET", "/{root}/collections/{collection}/objects/"),
        ("POST", "/{root}/collections/{collection}/objects/"),
        ("GET", "/{root}/collections/{collection}/objects/{object}/"),
        (
            "DELETE",
            "/{root}/collections/{collection}/objects/{object}/",
        ),
        (
            "GET",
            "/{root}/collections/{collection}/objects/{object}/versions/",
        ),
        ("GET", "/healthz"),
        ("GET", "/readyz"),
        ("GET", "/metrics"),
    ]
    .iter()
    .map(|(m, p)| ((*m).to_owned(), (*p).to_owned()))
    .collect();
    let doc = hub.get("/api/openapi.json", None).json();
    for (path, ops) in doc["paths"].as_object().expect("paths") {
        // A live stream never ends; who hears what on it is
        // `hotline::a_hotline_call_reaches_the_officers_and_escalates`.
        if path.ends_with("/stream") {
            continue;
        }
        for method in ops.as_object().expect("operations").keys() {
            out.push((method.to_ascii_uppercase(), path.clone()));
        }
    }
    assert!(out.len() > 40, "the route tables are short: {}", out.len());
    out
}

/// Every concrete path of a template, its parameters filled from `ids`.
fn fill(template: &str, ids: &Ids) -> Vec<String> {
    let mut paths = vec![String::new()];
    for seg in template.split('/').skip(1) {
        let choices: Vec<String> = match seg {
            "{root}" => vec!["hub".into()],
            "{status}" => ids.statuses.clone(),
            "{collection}" => ids.collections.clone(),
            "{object}" => ids.objects.clone(),
            "{supplier}" | "{org}" => ids.orgs.clone(),
            "{id}" if template.starts_with("/api/orgs") => ids.orgs.clone(),
            "{id}" if template.starts_with("/api/communities") => ids.communities.clone(),
            "{id}" if template.starts_with("/api/tokens") => vec!["nosuchtoken".into()],
            "{id}" if template.starts_with("/api/objects") => ids.objects.clone(),
            "{id}" if template.starts_with("/api/incidents") => ids.incidents.clone(),
            "{id}" if template.starts_with("/api/hotline") => ids.calls.clone(),
            "{id}" => ids.submissions.clone(),
            s => vec![s.to_owned()],
        };
        paths = paths
            .iter()
            .flat_map(|p| choices.iter().map(move |c| format!("{p}/{c}")))
            .collect();
    }
    if template.ends_with('/') {
        for p in &mut paths {
            p.push('/');
        }
    }
    paths
}

struct Ids {
    statuses: Vec<String>,
    collections: Vec<String>,
    objects: Vec<String>,
    orgs: Vec<String>,
    communities: Vec<String>,
    submissions: Vec<String>,
    incidents: Vec<String>,
    calls: Vec<String>,
}

fn every_route(backend: Backend) {
    let hub = TestHub::start(backend);
    for (id, kind, sectors) in ORGS {
        let body = json!({
            "id": id, "kind": kind, "name": id, "sectors": sectors,
            "domains": [format!("{id}-canary.example")],
            "staff": [format!("Staff Canary {id}"), format!("Reporter Canary {id}")],
        });
        let a = hub.rest("POST", "/api/orgs", None, &body);
        assert_eq!(a.status, 201, "{}", a.body);
    }
    for (op, sup) in [("elec-b", "vendor-x"), ("gas-a", "vendor-y")] {
        let a = hub.request(
            "PUT",
            &format!("/api/orgs/{op}/suppliers/{sup}"),
            None,
            &[],
            None,
        );
        assert_eq!(a.status, 200, "{}", a.body);
    }
    let author = hub.token_for("elec-a", "member", false);
    let col = hub.collection_of("sector-electricity");
    let objects: Vec<Value> = OBJECTS
        .iter()
        .enumerate()
        .map(|(n, (name, m, r))| object(n, name, m, r))
        .collect();
    let body = json!({ "objects": objects }).to_string();
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&author),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&body),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.json()["success_count"], OBJECTS.len(), "{}", a.body);
    let status = a.json()["id"].as_str().unwrap().to_owned();

    // A concealed submission at AMBER+STRICT that needs a reviewer (a
    // company name the detectors cannot place).
    let submission_text = "canary-submission-under-review";
    let sub = json!({
        "community": "sector-electricity", "tlp": "amber+strict",
        "objects": [{
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--5ab00000-7777-4000-8000-000000000000",
            "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
            "name": submission_text, "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
            "description": "the contractor Acme Systems Co., Ltd. was hit too",
            "pattern": "[ipv4-addr:value = '203.0.113.77']",
        }],
    });
    let a = hub.rest("POST", "/api/submissions", Some(&author), &sub);
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.json()["state"], "review", "{}", a.body);
    let submission = a.json()["submission"].as_str().unwrap().to_owned();

    let workflow = workflow(&hub);

    // Reads that leave marked entries in the audit trail.
    let meti_reader = hub.token_for("meti", "ministry-liaison", true);
    let red = object_id(5);
    let a = hub.get(
        &format!("/hub/collections/{col}/objects/{red}/"),
        Some(&meti_reader),
    );
    assert_eq!(a.status, 200, "{}", a.body);

    let ids = Ids {
        statuses: vec![status, "nosuchstatus".into()],
        collections: vec![
            col.clone(),
            "sector-electricity".into(),
            "submit-sector-electricity".into(),
            hub.collection_of("national"),
        ],
        objects: (0..OBJECTS.len())
            .map(object_id)
            .chain(["indicator--00000000-0000-4000-8000-000000000000".to_owned()])
            .collect(),
        orgs: ORGS
            .iter()
            .map(|o| o.0.to_owned())
            .chain(["meti".into()])
            .collect(),
        communities: vec![
            "sector-electricity".into(),
            "national".into(),
            "suppliers-elec-b".into(),
        ],
        submissions: vec![submission],
        incidents: workflow.incidents.clone(),
        calls: workflow.calls.clone(),
    };
    let canaries = canaries(submission_text, &workflow);
    // The check can fail: every canary is seen by someone entitled to it
    // (the hub admin's reads carry all but the reporting workflow's).
    let mut entitled_saw: BTreeSet<String> = BTreeSet::new();
    let routes = routes(&hub);
    let mut requests = 0usize;
    for (org, role) in PRINCIPALS {
        let (reader, writer) = if org == "hub" {
            (hub.token_for("hub", "hub-admin", true), hub.admin.clone())
        } else {
            (
                hub.token_for(org, role, true),
                hub.token_for(org, role, false),
            )
        };
        for (method, template) in &routes {
            for path in fill(template, &ids) {
                // Writes: read-only tokens only (the world must not change),
                // and for the writable token bodies that cannot apply.
                let tries: Vec<(&str, Option<&str>)> = if method == "GET" {
                    vec![(reader.as_str(), None), (writer.as_str(), None)]
                } else {
                    vec![(reader.as_str(), Some("{}"))]
                };
                for (token, body) in tries {
                    let ct = if path.starts_with("/api/") {
                        "application/json"
                    } else {
                        TAXII
                    };
                    let a = hub.request(
                        method,
                        &path,
                        Some(token),
                        &[("Accept", TAXII), ("Content-Type", ct)],
                        body,
                    );
                    requests += 1;
                    assert!(
                        a.status < 500,
                        "{org} {method} {path}: {} {}",
                        a.status,
                        a.body
                    );
                    if method != "GET" && token == reader && org != "hub" {
                        assert!(
                            a.status >= 400,
                            "{org} {method} {path} with a read-only token: {}",
                            a.status
                        );
                    }
                    // What the caller sent may come back in an error message.
                    let mut answer = a.body.clone();
                    for seg in path.split(['/', '?']).filter(|s| s.len() > 8) {
                        answer = answer.replace(seg, "(asked)");
                    }
                    for c in &canaries {
                        let present = answer.contains(&c.text);
                        if present && (c.may_see)(org) {
                            entitled_saw.insert(c.text.clone());
                        }
                        assert!(
                            !present || (c.may_see)(org),
                            "{org} ({role}) got {} from {method} {path}: {}",
                            c.what,
                            answer
                        );
                    }
                }
            }
        }
    }
    let all: BTreeSet<String> = canaries.iter().map(|c| c.text.clone()).collect();
    assert_eq!(entitled_saw, all, "the walk reached every canary");
    assert!(requests > 1000, "{requests} requests");
    // Nothing changed: every object is still there.
    let a = hub.get(&format!("/hub/collections/{col}/objects/"), None);
    assert_eq!(a.json()["objects"].as_array().unwrap().len(), OBJECTS.len());
}

on_both_stores!(every_route_with_every_role_leaks_nothing, every_route);
