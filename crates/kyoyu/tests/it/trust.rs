//! The trust model over HTTP: who sees what on every read path, on both stores.

use crate::testkit::{Backend, TAXII, TestHub, on_both_stores};
use serde_json::{Value, json};
use std::collections::BTreeSet;

const TLP_CLEAR: &str = "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487";
const TLP_GREEN: &str = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb";
const TLP_AMBER: &str = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421";
const TLP_AMBER_STRICT: &str = "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003";
const TLP_RED: &str = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1";
/// TLP 1.0 AMBER, which counts as TLP 2.0 AMBER.
const TLP1_AMBER: &str = "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82";
/// A marking the hub does not know: the community default applies.
const UNKNOWN_MARKING: &str = "marking-definition--1d7c2b8e-0000-4000-8000-00000000abcd";

/// An indicator with a readable name, markings and recipients.
fn note(n: u32, name: &str, markings: &[&str], recipients: Option<&[&str]>) -> Value {
    let mut o = json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{n:08x}-1111-4000-8000-000000000000"),
        "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
        "name": name, "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z",
        "pattern": format!("[ipv4-addr:value = '203.0.113.{}']", n % 250),
    });
    if !markings.is_empty() {
        o["object_marking_refs"] = json!(markings);
    }
    if let Some(r) = recipients {
        o["x_kyoyu_recipients"] = json!(r);
    }
    o
}

/// GREEN as a whole, but its description is marked RED: withheld whole
/// from everyone who may not read RED (no one here but the author).
fn granular(n: u32) -> Value {
    let mut o = note(n, "granular-red", &[TLP_GREEN], None);
    o["description"] = json!("victim detail");
    o["granular_markings"] = json!([{"marking_ref": TLP_RED, "selectors": ["description"]}]);
    o
}

fn to_suppliers(mut o: Value) -> Value {
    o["x_kyoyu_suppliers"] = json!(true);
    o
}

fn post(hub: &TestHub, community: &str, token: &str, objects: &[Value]) {
    let col = hub.collection_of(community);
    let body = json!({ "objects": objects }).to_string();
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(token),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&body),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.json()["failure_count"], 0, "{}", a.body);
}

fn names_of(objects: &Value) -> BTreeSet<String> {
    objects["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|o| o["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// What one reader gets from every read path of one community's collection,
/// as the set of object names; `None` when the collection is hidden (404).
/// The paths must agree with each other, or the test fails here.
fn seen(
    hub: &TestHub,
    community: &str,
    token: &str,
    all: &[(String, String)],
) -> Option<BTreeSet<String>> {
    let col = hub.collection_of(community);
    let base = format!("/hub/collections/{col}");
    // Objects, in pages of 2 to exercise paging over hidden objects.
    let mut from_objects = BTreeSet::new();
    let mut path = format!("{base}/objects/?limit=2");
    let mut pages = 0;
    loop {
        let a = hub.get(&path, Some(token));
        if a.status == 404 {
            // Hidden: every path must say so.
            assert_eq!(
                hub.get(&format!("{base}/manifest/"), Some(token)).status,
                404
            );
            assert_eq!(hub.get(&format!("{base}/"), Some(token)).status, 404);
            for (id, _) in all {
                assert_eq!(
                    hub.get(&format!("{base}/objects/{id}/"), Some(token))
                        .status,
                    404
                );
            }
            return None;
        }
        assert_eq!(a.status, 200, "{}", a.body);
        let page = a.json();
        from_objects.extend(names_of(&page));
        pages += 1;
        assert!(pages < 50, "paging does not end");
        match page["next"].as_str() {
            Some(next) if page["more"] == true => {
                path = format!("{base}/objects/?limit=2&next={next}");
            }
            _ => break,
        }
    }
    let by_id: std::collections::BTreeMap<&str, &str> = all
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    // Manifest.
    let manifest = hub.get(&format!("{base}/manifest/"), Some(token)).json();
    let from_manifest: BTreeSet<String> = manifest["objects"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| by_id[r["id"].as_str().unwrap()].to_owned())
        .collect();
    assert_eq!(from_manifest, from_objects, "manifest and objects disagree");
    // One object, its versions, and the REST lookup.
    let mut from_single = BTreeSet::new();
    for (id, name) in all {
        let one = hub.get(&format!("{base}/objects/{id}/"), Some(token));
        let versions = hub.get(&format!("{base}/objects/{id}/versions/"), Some(token));
        let rest = hub.request("GET", &format!("/api/objects/{id}"), Some(token), &[], None);
        let in_rest = rest.status == 200
            && rest.json()["found"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f["collection"] == col.as_str());
        match one.status {
            200 => {
                assert_eq!(names_of(&one.json()), BTreeSet::from([name.clone()]));
                assert_eq!(versions.status, 200, "versions of a visible object");
                assert!(in_rest, "REST misses {name}");
                from_single.insert(name.clone());
            }
            404 => {
                assert_eq!(versions.status, 404, "versions of a hidden object");
                assert!(!in_rest, "REST leaks {name}");
            }
            s => panic!("GET object answered {s}"),
        }
    }
    assert_eq!(
        from_single, from_objects,
        "object endpoint and list disagree"
    );
    Some(from_objects)
}

/// A reader (organization, role) and what it should see in the sector and the national collection.
type Case<'a> = (
    &'a str,
    &'a str,
    Option<BTreeSet<String>>,
    Option<BTreeSet<String>>,
);

fn set(names: &[&str]) -> Option<BTreeSet<String>> {
    Some(names.iter().map(|s| (*s).to_owned()).collect())
}

fn who_sees_what(backend: Backend) {
    let hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    hub.org("elec-b", "operator", &["electricity"]);
    hub.org("gas-a", "operator", &["gas"]);
    hub.org("ceptoar-elec", "ceptoar", &["electricity"]);
    hub.org("nisc", "national-centre", &[]);
    hub.org("vendor-x", "supplier", &[]);
    hub.org("vendor-y", "supplier", &[]);
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
    let electricity = [
        note(1, "clear", &[TLP_CLEAR], None),
        note(2, "green", &[TLP_GREEN], None),
        note(3, "amber", &[TLP_AMBER], None),
        note(4, "amber-strict", &[TLP_AMBER_STRICT], None),
        note(5, "unmarked", &[], None),
        note(6, "unknown-marking", &[UNKNOWN_MARKING], None),
        note(7, "tlp1-amber", &[TLP1_AMBER], None),
        note(8, "red-for-meti", &[TLP_RED], Some(&["meti"])),
        note(9, "amber-for-elec-b", &[TLP_AMBER], Some(&["elec-b"])),
        note(
            10,
            "strict-for-elec-b",
            &[TLP_AMBER_STRICT],
            Some(&["elec-b"]),
        ),
        granular(13),
        to_suppliers(note(14, "amber-to-suppliers", &[TLP_AMBER], None)),
        to_suppliers(note(
            15,
            "amber-for-elec-b-and-suppliers",
            &[TLP_AMBER],
            Some(&["elec-b"]),
        )),
        to_suppliers(note(16, "strict-to-suppliers", &[TLP_AMBER_STRICT], None)),
    ];
    post(&hub, "sector-electricity", &author, &electricity);
    // The opt-in for a whole envelope; an object may still say no.
    let col = hub.collection_of("sector-electricity");
    let mut says_no = note(18, "envelope-says-no", &[TLP_AMBER], None);
    says_no["x_kyoyu_suppliers"] = json!(false);
    let enveloped = [
        note(17, "envelope-to-suppliers", &[TLP_AMBER], None),
        says_no,
    ];
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&author),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&json!({"objects": enveloped, "x_kyoyu_suppliers": true}).to_string()),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(a.json()["success_count"], 2, "{}", a.body);
    // The marker is not an organization to name.
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&author),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&json!({"objects": [note(19, "x", &[TLP_AMBER], Some(&["+suppliers"]))]}).to_string()),
    );
    assert!(a.body.contains("x_kyoyu_suppliers: true"), "{}", a.body);
    let electricity: Vec<Value> = electricity.into_iter().chain(enveloped).collect();
    let national = [
        note(11, "national-clear", &[TLP_CLEAR], None),
        note(12, "national-green", &[TLP_GREEN], None),
    ];
    post(&hub, "national", &author, &national);
    let all_elec: Vec<(String, String)> = electricity
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let all_nat: Vec<(String, String)> = national
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_owned(),
                o["name"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let every = [
        "clear",
        "green",
        "amber",
        "amber-strict",
        "unmarked",
        "unknown-marking",
        "tlp1-amber",
        "red-for-meti",
        "amber-for-elec-b",
        "strict-for-elec-b",
        "granular-red",
        "amber-to-suppliers",
        "amber-for-elec-b-and-suppliers",
        "strict-to-suppliers",
        "envelope-to-suppliers",
        "envelope-says-no",
    ];
    // The sector community's default is AMBER: unmarked and unknown count as AMBER.
    let amber_default = ["unmarked", "unknown-marking", "tlp1-amber"];
    let member_view: Vec<&str> = [
        "clear",
        "green",
        "amber",
        "amber-strict",
        "amber-to-suppliers",
        "strict-to-suppliers",
        "envelope-to-suppliers",
        "envelope-says-no",
    ]
    .into_iter()
    .chain(amber_default)
    .collect();
    let cases: Vec<Case<'_>> = vec![
        (
            "elec-a",
            "member",
            set(&every),
            set(&["national-clear", "national-green"]),
        ),
        (
            "elec-b",
            "analyst",
            set(&[
                member_view.as_slice(),
                &[
                    "amber-for-elec-b",
                    "strict-for-elec-b",
                    "amber-for-elec-b-and-suppliers",
                ],
            ]
            .concat()),
            set(&["national-clear", "national-green"]),
        ),
        (
            "ceptoar-elec",
            "community-admin",
            set(&member_view),
            set(&["national-clear", "national-green"]),
        ),
        (
            "vendor-x",
            "member",
            // A supplier of a member reads AMBER only where the author let
            // it reach suppliers (TLP 2.0: AMBER is for the recipients and
            // their clients); never AMBER+STRICT.
            set(&[
                "clear",
                "green",
                "amber-to-suppliers",
                "amber-for-elec-b-and-suppliers",
                "envelope-to-suppliers",
            ]),
            // Suppliers of members read the community's GREEN and CLEAR.
            set(&["national-clear", "national-green"]),
        ),
        (
            "meti",
            "ministry-liaison",
            set(&["clear", "green", "red-for-meti"]),
            set(&["national-clear", "national-green"]),
        ),
        (
            "nisc",
            "national-centre-officer",
            set(&["clear", "green"]),
            set(&["national-clear", "national-green"]),
        ),
        (
            "gas-a",
            "member",
            None,
            set(&["national-clear", "national-green"]),
        ),
        (
            "vendor-y",
            "member",
            None,
            set(&["national-clear", "national-green"]),
        ),
    ];
    for (org, role, elec, nat) in cases {
        let token = hub.token_for(org, role, true);
        assert_eq!(
            seen(&hub, "sector-electricity", &token, &all_elec),
            elec,
            "{org} in sector-electricity"
        );
        assert_eq!(
            seen(&hub, "national", &token, &all_nat),
            nat,
            "{org} in national"
        );
    }
    // Hub admins see everything.
    assert_eq!(
        seen(&hub, "sector-electricity", &hub.admin, &all_elec),
        set(&every)
    );

    // Reads of AMBER and above are in the audit trail, with the reader and the objects.
    let meti = hub.token_for("meti", "ministry-liaison", true);
    let col = hub.collection_of("sector-electricity");
    let red_id = &all_elec[7].0;
    assert_eq!(
        hub.get(
            &format!("/hub/collections/{col}/objects/{red_id}/"),
            Some(&meti)
        )
        .status,
        200
    );
    let mut found = false;
    for _ in 0..50 {
        let entries = hub.get("/api/audit?limit=10000", None).json();
        found = entries["entries"].as_array().unwrap().iter().any(|e| {
            e["action"] == "objects.read"
                && e["actor_org"] == "meti"
                && e["detail"].as_str().unwrap().contains(red_id.as_str())
        });
        if found {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(found, "the RED read is not in the audit trail");

    // Statuses belong to the organization that posted.
    let a = hub.post_objects(&[note(20, "x", &[TLP_GREEN], None)], Some(&author));
    let status = a.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        hub.get(&format!("/hub/status/{status}/"), Some(&author))
            .status,
        200
    );
    assert_eq!(
        hub.get(&format!("/hub/status/{status}/"), Some(&meti))
            .status,
        404
    );

    // Only the contributor (or a community admin) deletes.
    let elec_b = hub.token_for("elec-b", "member", false);
    let clear_id = &all_elec[0].0;
    let a = hub.request(
        "DELETE",
        &format!("/hub/collections/{col}/objects/{clear_id}/"),
        Some(&elec_b),
        &[("Accept", TAXII)],
        None,
    );
    assert_eq!(a.status, 403, "{}", a.body);
    let writer = hub.token_for("elec-a", "member", false);
    let a = hub.request(
        "DELETE",
        &format!("/hub/collections/{col}/objects/{clear_id}/"),
        Some(&writer),
        &[("Accept", TAXII)],
        None,
    );
    assert_eq!(a.status, 200, "{}", a.body);

    // Naming a recipient the hub does not know is refused, saying why.
    let col_nat = hub.collection_of("national");
    let body =
        json!({"objects": [note(30, "typo", &[TLP_RED], Some(&["no-such-org"]))]}).to_string();
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col_nat}/objects/"),
        Some(&writer),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&body),
    );
    let status = a.json();
    assert_eq!(status["failure_count"], 1);
    assert!(
        status["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-org")
    );
}

on_both_stores!(who_sees_what_on_every_read_path, who_sees_what);

/// A random community: standings of five organizations (org 0 is a
/// supplier of some of the others), a default level, and objects with
/// random markings, recipients and authors.
#[derive(Debug, Clone)]
struct World {
    standing: Vec<Option<&'static str>>,
    clients: Vec<usize>,
    default_tlp: &'static str,
    /// (level, recipients, author pick, the author lets AMBER reach suppliers).
    objects: Vec<(Option<&'static str>, Vec<usize>, usize, bool)>,
}

const ORGS: usize = 5;

fn world() -> impl proptest::strategy::Strategy<Value = World> {
    use proptest::prelude::*;
    let standing = proptest::option::of(prop_oneof![
        Just("observer"),
        Just("member"),
        Just("community-admin")
    ]);
    let tlp = proptest::option::of(prop_oneof![
        Just("clear"),
        Just("green"),
        Just("amber"),
        Just("amber+strict"),
        Just("red"),
        Just("unknown")
    ]);
    (
        proptest::collection::vec(standing, ORGS),
        proptest::sample::subsequence(vec![1usize, 2, 3], 0..=2),
        prop_oneof![
            Just("green"),
            Just("amber"),
            Just("amber+strict"),
            Just("red")
        ],
        proptest::collection::vec(
            (
                tlp,
                proptest::sample::subsequence((0..ORGS).collect::<Vec<_>>(), 0..=2),
                0..ORGS,
                proptest::bool::ANY,
            ),
            1..7,
        ),
    )
        .prop_map(|(standing, clients, default_tlp, objects)| World {
            standing,
            clients,
            default_tlp,
            objects,
        })
}

fn marking(level: &str) -> &'static str {
    match level {
        "clear" => TLP_CLEAR,
        "green" => TLP_GREEN,
        "amber" => TLP_AMBER,
        "amber+strict" => TLP_AMBER_STRICT,
        "red" => TLP_RED,
        _ => UNKNOWN_MARKING,
    }
}

/// The rules of the README's table, written out independently of the policy module.
fn expected(w: &World, reader: usize, object: usize, author: usize) -> bool {
    let (tlp, recipients, _, to_suppliers) = &w.objects[object];
    if reader == author {
        return true;
    }
    let recipient_member = |o: usize| matches!(w.standing[o], Some("member" | "community-admin"));
    let supplies_member = reader == 0 && w.clients.iter().any(|c| recipient_member(*c));
    if w.standing[reader].is_none() && !supplies_member {
        return false;
    }
    let named = recipients.contains(&reader);
    let client_named = reader == 0 && recipients.iter().any(|r| w.clients.contains(r));
    let level = match tlp {
        Some("unknown") | None => w.default_tlp,
        Some(l) => l,
    };
    match level {
        "clear" | "green" => true,
        // Suppliers only where the author opts in.
        "amber" if recipients.is_empty() => {
            recipient_member(reader) || (*to_suppliers && supplies_member)
        }
        "amber" => named || (*to_suppliers && client_named),
        "amber+strict" if recipients.is_empty() => recipient_member(reader),
        "amber+strict" => named,
        _ => named,
    }
}

/// Random worlds on a live hub: every reader sees, on every read path,
/// exactly what the rules allow.
fn random_worlds_leak_nothing_and_hide_nothing_on(backend: Backend) {
    use proptest::test_runner::{Config, TestRunner};
    let hub = TestHub::start(backend);
    let round = std::sync::atomic::AtomicUsize::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 12,
        max_shrink_iters: 20,
        ..Config::default()
    });
    let result = runner.run(&world(), |w| {
        let r = round.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let org = |i: usize| format!("w{r}-o{i}");
        let community = format!("w{r}-c");
        for i in 0..ORGS {
            hub.org(
                &org(i),
                if i == 0 { "supplier" } else { "operator" },
                if i == 0 { &[] } else { &["petroleum"] },
            );
        }
        let a = hub.rest(
            "POST",
            "/api/communities",
            None,
            &json!({"id": community, "kind": "custom", "default_tlp": w.default_tlp}),
        );
        assert_eq!(a.status, 201, "{}", a.body);
        for (i, s) in w.standing.iter().enumerate() {
            if let Some(role) = s {
                let a = hub.rest(
                    "PUT",
                    &format!("/api/communities/{community}/members/{}", org(i)),
                    None,
                    &json!({"role": role}),
                );
                assert_eq!(a.status, 200, "{}", a.body);
            }
        }
        for c in &w.clients {
            let a = hub.request(
                "PUT",
                &format!("/api/orgs/{}/suppliers/{}", org(*c), org(0)),
                None,
                &[],
                None,
            );
            assert_eq!(a.status, 200, "{}", a.body);
        }
        // Authors are organizations that may write; the hub admin when none may.
        let writers: Vec<usize> = (0..ORGS).filter(|i| w.standing[*i].is_some()).collect();
        let mut all = Vec::new();
        let mut authors = Vec::new();
        for (n, (tlp, recipients, pick, to_suppliers)) in w.objects.iter().enumerate() {
            let author = writers.get(pick % writers.len().max(1)).copied();
            let token = author.map_or_else(
                || hub.admin.clone(),
                |a| hub.token_for(&org(a), "member", false),
            );
            let names: Vec<String> = recipients.iter().map(|i| org(*i)).collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let marks: Vec<&str> = tlp.iter().map(|t| marking(t)).collect();
            let mut o = note(
                u32::try_from(r * 100 + n).unwrap(),
                &format!("n{n}"),
                &marks,
                (!refs.is_empty()).then_some(refs.as_slice()),
            );
            if *to_suppliers {
                o["x_kyoyu_suppliers"] = json!(true);
            }
            post(&hub, &community, &token, std::slice::from_ref(&o));
            all.push((o["id"].as_str().unwrap().to_owned(), format!("n{n}")));
            authors.push(author.unwrap_or(usize::MAX));
        }
        for reader in 0..ORGS {
            let token = hub.token_for(&org(reader), "member", true);
            let got = seen(&hub, &community, &token, &all).unwrap_or_default();
            let want: BTreeSet<String> = (0..w.objects.len())
                .filter(|n| expected(&w, reader, *n, authors[*n]))
                .map(|n| format!("n{n}"))
                .collect();
            proptest::prop_assert_eq!(got, want, "reader {} in {:?}", reader, w);
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

on_both_stores!(
    random_worlds_leak_nothing_and_hide_nothing,
    random_worlds_leak_nothing_and_hide_nothing_on
);

/// What a security review found, each closed.
fn reviewed_gaps_stay_closed_on(backend: Backend) {
    let hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    hub.org("elec-b", "operator", &["electricity"]);
    hub.org("gas-a", "operator", &["gas"]);
    hub.org("vendor-x", "supplier", &[]);
    let a = hub.token_for("elec-a", "member", false);
    let b = hub.token_for("elec-b", "member", false);
    let vendor = hub.token_for("vendor-x", "member", false);
    let red = note(40, "red-for-nobody", &[TLP_RED], None);
    post(&hub, "sector-electricity", &a, std::slice::from_ref(&red));
    let col = hub.collection_of("sector-electricity");
    let id = red["id"].as_str().unwrap();

    // Another member cannot supersede it with a newer version of its own...
    let mut newer = red.clone();
    newer["modified"] = json!("2025-06-01T00:00:00.000Z");
    newer["object_marking_refs"] = json!([TLP_CLEAR]);
    let body = json!({"objects": [newer]}).to_string();
    let s = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&b),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&body),
    );
    let status = s.json();
    assert_eq!(status["failure_count"], 1, "{status}");
    assert!(
        status["failures"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not yours")
    );
    // ...and an empty version filter is refused rather than read two ways.
    let d = hub.request(
        "DELETE",
        &format!("/hub/collections/{col}/objects/{id}/?match[version]="),
        Some(&b),
        &[("Accept", TAXII)],
        None,
    );
    assert_eq!(d.status, 400, "{}", d.body);
    assert_eq!(
        hub.get(&format!("/hub/collections/{col}/objects/{id}/"), Some(&a))
            .status,
        200,
        "still there"
    );

    // The REST directory hides what TAXII hides.
    let gas = hub.token_for("gas-a", "member", true);
    assert_eq!(
        hub.get("/api/communities/sector-electricity", Some(&gas))
            .status,
        404
    );
    let listed = hub.get("/api/communities", Some(&gas)).json();
    assert!(!listed.to_string().contains("sector-electricity"));
    let org = hub.get("/api/orgs/elec-a", Some(&gas)).json();
    assert!(!org.to_string().contains("sector-electricity"), "{org}");
    assert!(org.to_string().contains("national"));

    // A supplier circle takes suppliers, not other operators.
    let r = hub.request("PUT", "/api/orgs/elec-a/suppliers/gas-a", None, &[], None);
    assert_eq!(r.status, 400, "{}", r.body);
    assert_eq!(
        hub.request(
            "PUT",
            "/api/orgs/elec-a/suppliers/vendor-x",
            None,
            &[],
            None
        )
        .status,
        200
    );
    assert_eq!(
        hub.get(&format!("/hub/collections/{col}/objects/"), Some(&vendor))
            .status,
        200
    );

    // Control characters in the URL are a client error, on every store.
    let n = hub.get(
        &format!("/hub/collections/{col}/objects/indicator--%00/"),
        Some(&a),
    );
    assert_eq!(n.status, 400, "{}", n.body);

    // Community ids cannot shadow the submission collections.
    let c = hub.rest(
        "POST",
        "/api/communities",
        None,
        &json!({"id": "submit-sector-gas", "kind": "custom"}),
    );
    assert_eq!(c.status, 400, "{}", c.body);
}

on_both_stores!(reviewed_gaps_stay_closed, reviewed_gaps_stay_closed_on);
