//! Source-concealed sharing over HTTP and the CLI: leaks, intelligence,
//! release batches, receipts, review, statistics, database theft and
//! m-of-n reveal, on both stores.

use crate::admin::{Db, cli, stderr, stdout};
use crate::testkit::{Backend, TAXII, TestHub, on_both_stores};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::time::{Duration, Instant};

/// The reporter's identifying data, as registered.
const ORG_ARGS: [&str; 20] = [
    "org",
    "create",
    "example-power",
    "--kind",
    "operator",
    "--sector",
    "electricity",
    "--name",
    "Example Power Co., Ltd.",
    "--name-ja",
    "例示電力株式会社",
    "--domain",
    "example-power.co.jp",
    "--ip-range",
    "192.0.2.0/24",
    "--alias",
    "ExPower",
    "--staff",
    "Taro Yamada",
    "--asn",
];

/// What must never come out of a concealed submission.
const LEAKS: [&str; 9] = [
    "example-power",
    "Example Power",
    "例示電力",
    "ExPower",
    "192.0.2.",
    "Taro Yamada",
    "tyamada",
    "64500",
    "03-5555-0101",
];

const ATTACKER_IP: &str = "203.0.113.66";
const MALWARE_SHA256: &str = "aec070645fe53ee3b3763059376134f058cc337247c978add178b6ccdfb0019f";

/// A report full of the reporter's details, with real intelligence in it.
fn report(n: u32) -> Value {
    let seed = " — seen at Example Power Co., Ltd. (例示電力, ExPower, AS64500) by Taro Yamada \
        <t.yamada@example-power.co.jp>, 03-5555-0101, on 192.0.2.44 (vpn.example-power.co.jp), \
        dropped in C:\\Users\\tyamada\\AppData\\x.exe";
    let id = |t: &str, k: u32| format!("{t}--{n:08x}-{k:04x}-4000-8000-000000000000");
    json!({"type": "bundle", "id": format!("bundle--{n:08x}-0000-4000-8000-000000000000"), "objects": [
        {"type": "identity", "spec_version": "2.1", "id": id("identity", 1), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "name": "Example Power Co., Ltd.", "identity_class": "organization",
         "contact_information": "soc@example-power.co.jp"},
        {"type": "malware", "spec_version": "2.1", "id": id("malware", 2), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "created_by_ref": id("identity", 1), "name": "GridWiper",
         "is_family": false, "description": format!("Wiper{seed}"), "x_examplepower_case": "INC-4711"},
        {"type": "indicator", "spec_version": "2.1", "id": id("indicator", 3), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "created_by_ref": id("identity", 1), "name": "GridWiper C2",
         "description": format!("C2 beacon{seed}"), "indicator_types": ["malicious-activity"], "pattern_type": "stix",
         "pattern": format!("[ipv4-addr:value = '{ATTACKER_IP}'] OR [file:hashes.'SHA-256' = '{MALWARE_SHA256}']"),
         "valid_from": "2025-06-01T09:13:27Z",
         "external_references": [{"source_name": "ticket", "url": "https://jira.example-power.co.jp/INC-4711"}]},
        {"type": "indicator", "spec_version": "2.1", "id": id("indicator", 4), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "name": "Lateral movement to our VPN", "pattern_type": "stix",
         "pattern": "[domain-name:value = 'vpn.example-power.co.jp'] AND [ipv4-addr:value = '192.0.2.44']",
         "valid_from": "2025-06-01T09:13:27Z"},
        {"type": "relationship", "spec_version": "2.1", "id": id("relationship", 5), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "relationship_type": "indicates",
         "source_ref": id("indicator", 3), "target_ref": id("malware", 2)},
        {"type": "relationship", "spec_version": "2.1", "id": id("relationship", 6), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "relationship_type": "targets",
         "source_ref": id("malware", 2), "target_ref": id("identity", 1)},
        {"type": "ipv4-addr", "spec_version": "2.1", "id": id("ipv4-addr", 7), "value": "192.0.2.44"},
        {"type": "ipv4-addr", "spec_version": "2.1", "id": id("ipv4-addr", 8), "value": ATTACKER_IP},
    ]})
}

/// Another operator's report: [`report`] without Example Power's details
/// (which would be a third party's name to it and go to review).
fn plain(n: u32) -> Value {
    let mut r = report(n);
    r["objects"][1]["description"] = json!("Wiper seen again");
    r["objects"][2]["description"] = json!("Same C2");
    r
}

/// The published electricity figure, as another member reads it.
fn sector_count(s: &Scene) -> Option<u64> {
    let a = s
        .hub
        .get("/api/submissions/stats?by=sector", Some(&s.reader))
        .json();
    a["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "electricity")
        .and_then(|f| f["count"].as_u64())
}

/// A hub with an escrow key (3 of 5 shares in `shares/`), short release
/// windows, and the organizations of the scenario.
struct Scene {
    hub: TestHub,
    shares: tempfile::TempDir,
    /// The escrow public key (what anyone may encrypt provenance to).
    public: String,
    reporter: String,
    reader: String,
    ceptoar: String,
    officer: String,
}

fn scene(backend: Backend, window: &str, k: &str) -> Scene {
    let shares = tempfile::tempdir().unwrap();
    let init = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args([
            "escrow",
            "init",
            "--threshold",
            "3",
            "--shares",
            "5",
            "--out",
        ])
        .arg(shares.path())
        .output()
        .unwrap();
    assert!(init.status.success(), "{}", stderr(&init));
    let public = stdout(&init).trim().to_owned();
    assert!(public.starts_with("kyoyu-escrow-public:"));
    let hub = TestHub::start_full(
        backend,
        &[
            "--escrow-key",
            &public,
            "--release-window",
            window,
            "--release-k",
            k,
        ],
        Some("debug"),
    );
    let mut org = ORG_ARGS.to_vec();
    org.push("64500");
    let o = cli(&hub, &hub.admin, &org);
    assert!(o.status.success(), "{}", stderr(&o));
    hub.org("elec-b", "operator", &["electricity"]);
    hub.org("elec-c", "operator", &["electricity"]);
    hub.org("ceptoar-elec", "ceptoar", &["electricity"]);
    hub.org("nisc", "national-centre", &[]);
    // Most stories here are about release, not review: submissions without
    // doubts go without a reviewer (safe_by_default tests the default).
    let o = cli(
        &hub,
        &hub.admin,
        &[
            "community",
            "review",
            "sector-electricity",
            "--release-without-review",
            "true",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    Scene {
        reporter: hub.token_for("example-power", "member", false),
        reader: hub.token_for("elec-b", "member", false),
        ceptoar: hub.token_for("ceptoar-elec", "community-admin", false),
        officer: hub.token_for("nisc", "national-centre-officer", false),
        hub,
        shares,
        public,
    }
}

fn submit(s: &Scene, token: &str, body: &Value, extra: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    std::fs::write(&file, body.to_string()).unwrap();
    let mut args = vec![
        "submit",
        file.to_str().unwrap(),
        "--conceal",
        "--to",
        "sector-electricity",
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = cli(&s.hub, token, &args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let answer: Value = serde_json::from_str(&stdout(&o)).unwrap();
    (
        answer["receipt"].as_str().unwrap().to_owned(),
        answer["submission"].as_str().unwrap().to_owned(),
    )
}

fn collection_objects(s: &Scene, token: &str) -> Vec<Value> {
    let col = s.hub.collection_of("sector-electricity");
    let a = s.hub.get(
        &format!("/hub/collections/{col}/objects/?limit=10000"),
        Some(token),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    a.json()["objects"].as_array().cloned().unwrap_or_default()
}

/// Waits until `count` objects are in the community's collection.
fn wait_for(s: &Scene, count: usize) -> Vec<Value> {
    let started = Instant::now();
    loop {
        let objects = collection_objects(s, &s.reader);
        if objects.len() >= count || started.elapsed() > Duration::from_secs(15) {
            return objects;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn concealed_end_to_end(backend: Backend) {
    let s = scene(backend, "2", "50");
    let db = Db::of(&s.hub);
    let before: BTreeSet<String> = db.dump().into_iter().collect();
    let (receipt, submission) = submit(&s, &s.reporter, &report(1), &["--tlp", "amber"]);
    let (_, second) = submit(&s, &s.reporter, &report(2), &["--tlp", "amber"]);

    // Held: nothing is out before the batch.
    assert!(
        collection_objects(&s, &s.reader).is_empty(),
        "released before its batch"
    );
    // Two submissions of 6 released objects each; the two address observables
    // have deterministic ids, so the second submission's are the same objects.
    let released = wait_for(&s, 10);
    assert_eq!(
        released.len(),
        10,
        "two submissions of 6 released objects each"
    );

    // Nothing of the reporter, no original ids, the hub as creator, coarse times.
    let text = serde_json::to_string(&released).unwrap();
    for leak in LEAKS {
        assert!(!text.contains(leak), "'{leak}' leaked");
    }
    for n in [1, 2] {
        assert!(
            !text.contains(&format!("{n:08x}-")),
            "an original id of submission {n} survives"
        );
    }
    let hub_identity = s.hub.get("/api/identity", None).json()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for o in &released {
        if o.get("created").is_some() {
            assert_eq!(o["created_by_ref"], hub_identity.as_str());
            assert!(o["created"].as_str().unwrap().ends_with(":00:00.000Z"));
            assert_eq!(
                o["object_marking_refs"],
                json!(["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"])
            );
        }
        assert_ne!(o["type"], "identity");
        let report = kyoyu_validate::validate_object(o, &kyoyu_validate::Options::default());
        assert!(report.valid, "{o}");
    }
    // Intelligence survives unchanged; the two reports share no SDO id.
    assert!(text.contains(ATTACKER_IP) && text.contains(MALWARE_SHA256));
    let ids: Vec<&str> = released
        .iter()
        .filter(|o| o.get("created").is_some())
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), ids.iter().collect::<BTreeSet<_>>().len());

    // One batch: both submissions' objects were added in one transaction.
    let col = s.hub.collection_of("sector-electricity");
    let manifest = s
        .hub
        .get(
            &format!("/hub/collections/{col}/manifest/"),
            Some(&s.reader),
        )
        .json();
    let added: BTreeSet<String> = manifest["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["date_added"].as_str().unwrap()[..19].to_owned())
        .collect();
    assert!(
        added.len() <= 2,
        "released in one batch, not as each arrived: {added:?}"
    );

    // The receipt: status, sightings of released objects, withdraw.
    let mine = cli(&s.hub, &s.reporter, &["receipt", "status", &receipt]);
    let mine: Value = serde_json::from_str(&stdout(&mine)).unwrap();
    let indicator = released
        .iter()
        .find(|o| {
            o["type"] == "indicator"
                && o["pattern"].as_str().unwrap().contains(ATTACKER_IP)
                && mine["objects"].as_array().unwrap().contains(&o["id"])
        })
        .unwrap();
    let sighting = json!({"type": "sighting", "spec_version": "2.1", "id": "sighting--5e0b7e5a-1111-4222-8333-444455556666",
        "created": "2025-07-01T00:00:00.000Z", "modified": "2025-07-01T00:00:00.000Z",
        "sighting_of_ref": indicator["id"], "count": 3,
        "object_marking_refs": ["marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"]});
    let a = s.hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&s.reader),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&json!({"objects": [sighting]}).to_string()),
    );
    assert_eq!(a.status, 202);
    let o = cli(&s.hub, &s.reporter, &["receipt", "status", &receipt]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let status: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(status["state"], "released");
    assert_eq!(status["objects"].as_array().unwrap().len(), 6);
    assert_eq!(status["sightings"][0]["count"], 3, "{status}");

    // Database theft: nothing stored since the submissions names the reporter.
    let token_id = s.hub.get("/api/whoami", Some(&s.reporter)).json()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let after: Vec<String> = db.dump();
    let new_rows: Vec<&String> = after.iter().filter(|r| !before.contains(*r)).collect();
    assert!(new_rows.len() > 10, "the dump sees the new rows");
    for row in &new_rows {
        for leak in LEAKS.iter().copied().chain([token_id.as_str()]) {
            assert!(
                !row.contains(leak),
                "the database names the reporter ('{leak}'): {row}"
            );
        }
    }
    let log = s.hub.log();
    let named: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("example-power"))
        .collect();
    assert!(named.is_empty(), "the log names the reporter: {named:?}");

    // With 3 of 5 shares the source is revealed, and the reveal is audited; with 2 it is not.
    let share = |i: u8| s.shares.path().join(format!("share-{i}.txt"));
    let two = cli(
        &s.hub,
        &s.officer,
        &[
            "provenance",
            "reveal",
            &second,
            "--share",
            share(1).to_str().unwrap(),
            "--share",
            share(4).to_str().unwrap(),
        ],
    );
    assert_eq!(two.status.code(), Some(1));
    assert!(stderr(&two).contains("needs 3"), "{}", stderr(&two));
    let three = cli(
        &s.hub,
        &s.officer,
        &[
            "provenance",
            "reveal",
            &second,
            "--share",
            share(1).to_str().unwrap(),
            "--share",
            share(3).to_str().unwrap(),
            "--share",
            share(5).to_str().unwrap(),
        ],
    );
    assert_eq!(three.status.code(), Some(0), "{}", stderr(&three));
    let revealed: Value = serde_json::from_str(&stdout(&three)).unwrap();
    assert_eq!(revealed["org"], "example-power");
    assert_eq!(revealed["submission"], second.as_str());
    // The arrival time reads as RFC 3339, not raw microseconds.
    let received = revealed["received"].as_str().expect("received as text");
    assert!(kyoyu_stix::Timestamp::parse(received).is_ok(), "{received}");
    let audit = s.hub.get("/api/audit?limit=10000", None).json();
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "provenance.reveal"
                && e["target"] == second.as_str()
                && e["actor_org"] == "nisc")
    );
    // Someone who can write the database but does not hold the hub's local
    // key replaces the sealed blob with one naming another organization,
    // properly encrypted to the escrow key: reveal refuses it.
    let forged = kyoyu_conceal::seal::seal(
        kyoyu_conceal::seal::EscrowPublic::from_text(&s.public).unwrap(),
        &second,
        json!({"org": "elec-b", "submission": second, "received": 0})
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    let sql = if db.is_sqlite() {
        format!(
            "UPDATE submissions SET doc = json_set(doc, '$.sealed', '{forged}') WHERE id = '{second}'"
        )
    } else {
        format!(
            "UPDATE submissions SET doc = jsonb_set(doc::jsonb, '{{sealed}}', to_jsonb('{forged}'::text))::text WHERE id = '{second}'"
        )
    };
    db.exec(&sql).unwrap();
    let refused = cli(
        &s.hub,
        &s.officer,
        &[
            "provenance",
            "reveal",
            &second,
            "--share",
            share(1).to_str().unwrap(),
            "--share",
            share(3).to_str().unwrap(),
            "--share",
            share(5).to_str().unwrap(),
        ],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("not sealed by this hub"),
        "{}",
        stderr(&refused)
    );
    assert!(!stdout(&refused).contains("elec-b"));

    // Members cannot fetch sealed provenance.
    assert_eq!(
        s.hub
            .get(
                &format!("/api/submissions/{submission}/sealed"),
                Some(&s.reader)
            )
            .status,
        403
    );

    // Withdrawal removes the released objects from the collection.
    let o = cli(&s.hub, &s.reporter, &["receipt", "withdraw", &receipt]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let left = collection_objects(&s, &s.reader);
    let withdrawn: BTreeSet<&str> = status["objects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    // The observables the other submission shares stay; the rest goes.
    let kept: Vec<&Value> = left
        .iter()
        .filter(|o| withdrawn.contains(o["id"].as_str().unwrap()))
        .collect();
    assert_eq!(kept.len(), 2);
    assert!(kept.iter().all(|o| o["type"] == "ipv4-addr"));
    assert_eq!(
        left.len(),
        10 - 4 + 1,
        "the other submission and the sighting remain"
    );
    let a = s.hub.get(
        &format!(
            "/hub/collections/{col}/objects/{}/",
            indicator["id"].as_str().unwrap()
        ),
        Some(&s.reader),
    );
    assert_eq!(a.status, 404);
}

on_both_stores!(concealed_sharing_end_to_end, concealed_end_to_end);

fn review_urgency_attribution_and_statistics_on(backend: Backend) {
    let s = scene(backend, "3600", "50");
    // A company name the detectors cannot place: a reviewer decides.
    let mut doubtful = report(3);
    doubtful["objects"][1]["description"] =
        json!("Also hit: the contractor Acme Systems Co., Ltd.");
    let (receipt, submission) = submit(&s, &s.reporter, &doubtful, &["--urgent"]);
    let o = cli(&s.hub, &s.ceptoar, &["review", "list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let item = &list["reviews"][0];
    assert_eq!(item["submission"], submission.as_str());
    assert!(
        item["doubts"][0]["why"]
            .as_str()
            .unwrap()
            .contains("Acme Systems")
    );
    assert!(
        !item.to_string().contains("Example Power"),
        "reviewers see the scrubbed version only"
    );
    // Members are not reviewers.
    let o = cli(&s.hub, &s.reader, &["review", "approve", &submission]);
    assert_eq!(o.status.code(), Some(1));
    assert!(collection_objects(&s, &s.reader).is_empty());
    let o = cli(&s.hub, &s.ceptoar, &["review", "approve", &submission]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Urgent: released at approval, without waiting for the hour-long window.
    let released = wait_for(&s, 6);
    assert_eq!(released.len(), 6);
    // The doubt was not kept: it is withheld.
    let text = serde_json::to_string(&released).unwrap();
    assert!(
        !text.contains("Acme") && text.contains("the contractor [redacted]"),
        "{text}"
    );
    let o = cli(&s.hub, &s.reporter, &["receipt", "status", &receipt]);
    assert!(stdout(&o).contains("\"released\""));

    // Rejection.
    let mut doubtful = report(4);
    doubtful["objects"][1]["description"] = json!("Reported with Beta Grid Corporation");
    let (receipt, submission) = submit(&s, &s.reporter, &doubtful, &[]);
    // A national-centre officer is an observer of the sector: the content
    // is AMBER (the community's default), which observers do not read, so
    // the officer neither sees nor decides it (as if it did not exist).
    let o = cli(&s.hub, &s.officer, &["review", "list", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stdout(&o).contains(&submission), "{}", stdout(&o));
    let o = cli(
        &s.hub,
        &s.officer,
        &["review", "reject", &submission, "--reason", "x"],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("(404)"), "{}", stderr(&o));
    let o = cli(
        &s.hub,
        &s.ceptoar,
        &[
            "review",
            "reject",
            &submission,
            "--reason",
            "names a partner",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = cli(&s.hub, &s.reporter, &["receipt", "status", &receipt]);
    let status: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (status["state"].as_str(), status["note"].as_str()),
        (Some("rejected"), Some("names a partner"))
    );

    // Consent to attribution: the CEPTOAR gets the original, named; others do not.
    let (attributed, _) = submit(
        &s,
        &s.reporter,
        &report(5),
        &["--urgent", "--attribute-to", "ceptoar-elec"],
    );
    let ceptoar_objects = collection_objects(&s, &s.ceptoar);
    let ceptoar_view = serde_json::to_string(&ceptoar_objects).unwrap();
    assert!(
        ceptoar_view.contains("Example Power"),
        "the attributed original reaches its named recipient"
    );
    // Named: the sender's identity comes with it, and the objects say so.
    let sender = ceptoar_objects
        .iter()
        .find(|o| {
            o["type"] == "identity"
                && o["name"]
                    .as_str()
                    .is_some_and(|n| n.contains("Example Power"))
        })
        .unwrap_or_else(|| panic!("no sender identity in {ceptoar_view}"));
    assert!(
        ceptoar_objects
            .iter()
            .any(|o| o["type"] == "malware" && o["created_by_ref"] == sender["id"]),
        "{ceptoar_view}"
    );
    let reader_view = serde_json::to_string(&collection_objects(&s, &s.reader)).unwrap();
    assert!(!reader_view.contains("Example Power"), "and nobody else");
    // Withdrawing takes the attributed copy back too.
    let o = cli(&s.hub, &s.reporter, &["receipt", "withdraw", &attributed]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let ceptoar_view = serde_json::to_string(&collection_objects(&s, &s.ceptoar)).unwrap();
    assert!(!ceptoar_view.contains("Example Power"));

    // Statistics: electricity counts once three organizations contribute.
    assert_eq!(sector_count(&s), None, "one organization: suppressed");
    let elec_c = s.hub.token_for("elec-c", "member", false);
    // Other operators' reports.
    submit(&s, &s.reader, &plain(6), &["--urgent"]);
    assert_eq!(
        sector_count(&s),
        None,
        "two organizations: still suppressed"
    );
    submit(&s, &elec_c, &plain(7), &["--urgent"]);
    // Three organizations now, but reports released alone (urgent) do not
    // move the published figures: they wait for the next batch (issue 10).
    // `statistics_move_only_with_a_batch` shows the figure appear.
    assert_eq!(sector_count(&s), None, "urgent releases publish no figure");
    let a = s
        .hub
        .get("/api/submissions/stats?by=planet", Some(&s.reader));
    assert_eq!(a.status, 400);
}

on_both_stores!(
    review_urgency_attribution_and_statistics,
    review_urgency_attribution_and_statistics_on
);

fn taxii_submission_collection_and_bad_input_on(backend: Backend) {
    let s = scene(backend, "3600", "50");
    let cols = s.hub.get("/hub/collections/", Some(&s.reporter)).json();
    let submit_col = cols["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["alias"] == "submit-sector-electricity")
        .expect("a write-only submission collection per community")
        .clone();
    // TAXII 2.1 collection ids are UUIDs; the alias keeps the name. The id
    // is the same after a restart and on every node (it is not stored).
    let submit_id = submit_col["id"].as_str().unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&submit_id).is_ok(), "{submit_id}");
    let by_id = s
        .hub
        .get(&format!("/hub/collections/{submit_id}/"), Some(&s.reporter));
    assert_eq!(by_id.status, 200, "{}", by_id.body);
    assert_eq!(by_id.json()["alias"], "submit-sector-electricity");
    let second = s.hub.second_process();
    let again = second.get("/hub/collections/", Some(&s.reporter)).json();
    assert!(
        again["collections"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == submit_id.as_str()),
        "{again}"
    );
    assert_eq!(
        (
            submit_col["can_read"].as_bool(),
            submit_col["can_write"].as_bool()
        ),
        (Some(false), Some(true))
    );
    let envelope =
        json!({"objects": report(8)["objects"], "x_kyoyu_tlp": "green", "x_kyoyu_urgent": true});
    let a = s.hub.request(
        "POST",
        "/hub/collections/submit-sector-electricity/objects/",
        Some(&s.reporter),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&envelope.to_string()),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    let status = a.json();
    assert!(
        status["x_kyoyu_receipt"]
            .as_str()
            .unwrap()
            .starts_with("kyoyu_receipt_")
    );
    assert_eq!(status["status"], "complete");
    assert_eq!(status["success_count"], 6);
    assert!(
        !a.body.contains("00000008-"),
        "the status shows released ids only"
    );
    let a = s.hub.get(
        "/hub/collections/submit-sector-electricity/objects/",
        Some(&s.reporter),
    );
    assert_eq!(a.status, 403);
    assert!(
        a.json()["description"]
            .as_str()
            .unwrap()
            .contains("only receives")
    );
    assert_eq!(wait_for(&s, 6).len(), 6);

    // Bad input: a clear 4xx, nothing kept.
    let bad = |body: Value, want: u16, says: &str| {
        let a = s
            .hub
            .rest("POST", "/api/submissions", Some(&s.reporter), &body);
        assert_eq!(a.status, want, "{}", a.body);
        assert!(
            a.json()["description"].as_str().unwrap().contains(says),
            "{}",
            a.body
        );
    };
    bad(
        json!({"community": "sector-electricity", "objects": [{"type": "indicator"}]}),
        400,
        "not valid STIX",
    );
    bad(
        json!({"community": "sector-electricity", "objects": report(9)["objects"], "tlp": "red"}),
        400,
        "cannot be used",
    );
    bad(
        json!({"community": "sector-gas", "objects": report(9)["objects"]}),
        403,
        "may not submit",
    );
    bad(
        json!({"community": "sector-electricity"}),
        400,
        "nothing to submit",
    );
    bad(
        json!({"community": "sector-electricity", "form": {"title": "x", "indicators": ["not a thing"]}}),
        400,
        "not an address",
    );
    // The incident form works.
    let a = s.hub.rest(
        "POST",
        "/api/submissions",
        Some(&s.reporter),
        &json!({"community": "sector-electricity", "urgent": true,
                "form": {"title": "Ransomware at a substation", "description": "Encrypted HMI hosts", "category": "ransomware",
                         "indicators": [ATTACKER_IP, "evil-update.example.net", MALWARE_SHA256]}}),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(wait_for(&s, 6 + 7).len(), 13);
    let o = cli(
        &s.hub,
        &s.reporter,
        &["receipt", "status", "kyoyu_receipt_nonsense"],
    );
    assert_eq!(o.status.code(), Some(1));
}

on_both_stores!(
    taxii_submission_collection_and_bad_input,
    taxii_submission_collection_and_bad_input_on
);

fn receipt_updates_and_reviewer_edits_on(backend: Backend) {
    let s = scene(backend, "1", "50");
    let (receipt, _) = submit(&s, &s.reporter, &report(10), &[]);
    let first = wait_for(&s, 6);
    assert_eq!(first.len(), 6);
    let malware = first
        .iter()
        .find(|o| o["type"] == "malware")
        .unwrap()
        .clone();
    // The update changes the malware's description and adds a course of action.
    let mut update = report(10);
    update["objects"][1]["description"] = json!("GridWiper, second stage confirmed");
    update["objects"].as_array_mut().unwrap().push(json!({
        "type": "course-of-action", "spec_version": "2.1", "id": "course-of-action--0000000a-0009-4000-8000-000000000000",
        "created": "2025-06-02T00:00:00.000Z", "modified": "2025-06-02T00:00:00.000Z", "name": "Block the C2"}));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("update.json");
    std::fs::write(&file, update.to_string()).unwrap();
    let o = cli(
        &s.hub,
        &s.reporter,
        &["receipt", "update", &receipt, file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let after = wait_for(&s, 7);
    assert_eq!(
        after.len(),
        7,
        "one object more; the rest are new versions of the same ones"
    );
    let again = after.iter().find(|o| o["type"] == "malware").unwrap();
    assert_eq!(again["id"], malware["id"], "the released id is kept");
    assert_eq!(again["description"], "GridWiper, second stage confirmed");
    assert!(again["modified"].as_str().unwrap() > malware["modified"].as_str().unwrap());
    let col = s.hub.collection_of("sector-electricity");
    let versions = s.hub.get(
        &format!(
            "/hub/collections/{col}/objects/{}/versions/",
            malware["id"].as_str().unwrap()
        ),
        Some(&s.reader),
    );
    assert_eq!(versions.json()["versions"].as_array().unwrap().len(), 2);
    assert!(
        !serde_json::to_string(&after)
            .unwrap()
            .contains("Example Power")
    );

    // A reviewer edits a doubtful submission instead of rejecting it.
    let mut doubtful = report(11);
    doubtful["objects"][1]["description"] = json!("Also hit: Acme Systems Co., Ltd.");
    let (_, submission) = submit(&s, &s.reporter, &doubtful, &[]);
    let o = cli(&s.hub, &s.ceptoar, &["review", "list", "--json"]);
    let list: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let mut objects = list["reviews"][0]["objects"].as_array().unwrap().clone();
    for o in &mut objects {
        if o["type"] == "malware" {
            // Reviewers redact; they do not rewrite (issue 10).
            o["description"] = json!("Also hit: [redacted]");
        }
    }
    let file = dir.path().join("edited.json");
    std::fs::write(&file, json!(objects).to_string()).unwrap();
    let o = cli(
        &s.hub,
        &s.ceptoar,
        &["review", "edit", &submission, file.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let released = wait_for(&s, 11);
    let text = serde_json::to_string(&released).unwrap();
    assert!(text.contains("Also hit: [redacted]") && !text.contains("Acme"));
}

on_both_stores!(
    receipt_updates_and_reviewer_edits,
    receipt_updates_and_reviewer_edits_on
);

/// A concealed report may refer to what is already on the hub, but not to
/// what its sender published there under its own name.
fn references_to_the_senders_own_objects_go_on(backend: Backend) {
    let s = scene(backend, "3600", "50");
    let col = s.hub.collection_of("sector-electricity");
    let indicator = |n: u32, name: &str| {
        json!({"type": "indicator", "spec_version": "2.1", "id": format!("indicator--{n:08x}-7777-4000-8000-000000000000"),
               "created": "2025-06-01T00:00:00.000Z", "modified": "2025-06-01T00:00:00.000Z", "name": name,
               "pattern_type": "stix", "pattern": "[ipv4-addr:value = '203.0.113.77']", "valid_from": "2025-06-01T00:00:00Z"})
    };
    let post = |token: &str, o: &Value| {
        let a = s.hub.request(
            "POST",
            &format!("/hub/collections/{col}/objects/"),
            Some(token),
            &[("Content-Type", TAXII), ("Accept", TAXII)],
            Some(&json!({"objects": [o]}).to_string()),
        );
        assert_eq!(a.json()["success_count"], 1, "{}", a.body);
    };
    let mine = indicator(1, "posted openly by the reporter");
    let theirs = indicator(2, "posted by another member");
    post(&s.reporter, &mine);
    post(&s.reader, &theirs);
    let report = json!({"objects": [
        {"type": "sighting", "spec_version": "2.1", "id": "sighting--00000001-8888-4000-8000-000000000000",
         "created": "2025-06-02T00:00:00.000Z", "modified": "2025-06-02T00:00:00.000Z", "sighting_of_ref": mine["id"]},
        {"type": "note", "spec_version": "2.1", "id": "note--00000002-8888-4000-8000-000000000000",
         "created": "2025-06-02T00:00:00.000Z", "modified": "2025-06-02T00:00:00.000Z", "content": "seen here too",
         "object_refs": [mine["id"], theirs["id"]]}
    ]});
    submit(&s, &s.reporter, &report, &["--urgent"]);
    let released: Vec<Value> = wait_for(&s, 3)
        .into_iter()
        .filter(|o| o["type"] == "note" || o["type"] == "sighting")
        .collect();
    assert_eq!(
        released.len(),
        1,
        "the sighting of the sender's own indicator goes: {released:?}"
    );
    assert_eq!(released[0]["object_refs"], json!([theirs["id"]]));
}

on_both_stores!(
    references_to_the_senders_own_objects_go,
    references_to_the_senders_own_objects_go_on
);

/// k counts senders: one member's reports do not make a batch on their own.
fn a_batch_needs_k_senders_on(backend: Backend) {
    let s = scene(backend, "3600", "2");
    submit(&s, &s.reporter, &plain(20), &[]);
    submit(&s, &s.reporter, &plain(21), &[]);
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        collection_objects(&s, &s.reader).is_empty(),
        "two reports from one sender stay held"
    );
    submit(&s, &s.reader, &plain(22), &[]);
    // 3 x 4 SDOs, and the observables: the attacker's address once, the
    // reporter's redacted address once, the address the second sender does not own.
    assert_eq!(
        wait_for(&s, 15).len(),
        15,
        "a second sender completes the batch: all three go"
    );
}

on_both_stores!(a_batch_needs_k_senders, a_batch_needs_k_senders_on);

/// Approve, edit, reject, withdraw and update, sent at once at one
/// submission, round after round (urgent ones also race their release):
/// every answer is a success or a 404/409 that says what happened, the
/// successful transitions are exactly the audited ones, the end state is
/// one the state machine allows after them, and the statistics count each
/// released, not withdrawn submission once.
fn workflow_races(backend: Backend) {
    let s = scene(backend, "1", "50");
    let db = Db::of(&s.hub);
    let doubtful = |n: u32| {
        let mut r = report(n);
        r["objects"][1]["description"] = json!("Also hit: the contractor Acme Systems Co., Ltd.");
        r
    };
    let rounds = 12u32;
    let mut audited_successes = 0usize;
    let mut ids = Vec::new();
    let mut receipts = Vec::new();
    for round in 0..rounds {
        let urgent = round % 2 == 0;
        let extra: &[&str] = if urgent { &["--urgent"] } else { &[] };
        let (receipt, submission) = submit(&s, &s.reporter, &doubtful(100 + round), extra);
        ids.push(submission.clone());
        receipts.push(receipt.clone());
        let list = s.hub.get("/api/reviews", Some(&s.ceptoar)).json();
        let objects = list["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["submission"] == submission.as_str())
            .map(|r| r["objects"].clone())
            .expect("the submission waits for review");
        let update = doubtful(100 + round)["objects"].clone();
        let calls: Vec<(&str, String, String, Value)> = vec![
            (
                "approve",
                format!("/api/reviews/{submission}/approve"),
                s.ceptoar.clone(),
                json!({}),
            ),
            (
                "edit",
                format!("/api/reviews/{submission}/edit"),
                s.ceptoar.clone(),
                json!({"objects": objects}),
            ),
            (
                "reject",
                format!("/api/reviews/{submission}/reject"),
                s.ceptoar.clone(),
                json!({"reason": "race"}),
            ),
            (
                "withdraw",
                "/api/receipts/withdraw".into(),
                s.reporter.clone(),
                json!({"receipt": receipt}),
            ),
            (
                "update",
                "/api/receipts/update".into(),
                s.reporter.clone(),
                json!({"receipt": receipt, "objects": update}),
            ),
        ];
        let answers: Vec<(&str, u16, String)> = std::thread::scope(|scope| {
            let handles: Vec<_> = calls
                .iter()
                .map(|(name, path, token, body)| {
                    let hub = &s.hub;
                    scope.spawn(move || {
                        let a = hub.rest("POST", path, Some(token), body);
                        (*name, a.status, a.body)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let ok = |name: &str| answers.iter().any(|(n, st, _)| *n == name && *st < 300);
        for (name, status, body) in &answers {
            assert!(
                [200, 202, 404, 409].contains(status),
                "round {round}: {name} answered {status}: {body}"
            );
        }
        audited_successes += answers
            .iter()
            .filter(|(n, st, _)| *st < 300 && ["approve", "edit", "reject", "withdraw"].contains(n))
            .count();
        // Let the release job act on what is held, then read the end state.
        std::thread::sleep(Duration::from_millis(1500));
        let status = s
            .hub
            .rest(
                "POST",
                "/api/receipts/status",
                Some(&s.reporter),
                &json!({"receipt": receipt}),
            )
            .json();
        let end = status["state"].as_str().unwrap().to_owned();
        let allowed: &[&str] = if ok("withdraw") {
            &["withdrawn"]
        } else if ok("reject") && !ok("update") {
            &["rejected"]
        } else {
            &["review", "held", "releasing", "released", "rejected"]
        };
        assert!(
            allowed.contains(&end.as_str()),
            "round {round}: ended {end} after {answers:?}"
        );
    }
    // Once every held submission is out, each released and not withdrawn
    // one counts once.
    let started = Instant::now();
    let expected_counted = loop {
        let states: Vec<Value> = receipts
            .iter()
            .map(|r| {
                s.hub
                    .rest(
                        "POST",
                        "/api/receipts/status",
                        Some(&s.reporter),
                        &json!({"receipt": r}),
                    )
                    .json()
            })
            .collect();
        let waiting = states
            .iter()
            .any(|st| st["state"] == "held" || st["state"] == "releasing");
        if !waiting || started.elapsed() > Duration::from_secs(20) {
            assert!(!waiting, "submissions still held after 20 s");
            break states
                .iter()
                .filter(|st| st["state"] != "withdrawn" && !st["released"].is_null())
                .count();
        }
        std::thread::sleep(Duration::from_millis(300));
    };
    // One audit entry per successful reviewer or withdrawal transition.
    let entries = s.hub.get("/api/audit?limit=10000", None).json();
    let audited = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            [
                "submission.approve",
                "submission.edit",
                "submission.reject",
                "submission.withdrawn",
            ]
            .contains(&e["action"].as_str().unwrap())
                && ids.iter().any(|id| e["target"] == id.as_str())
        })
        .count();
    assert_eq!(audited, audited_successes);
    let o = cli(&s.hub, &s.hub.admin, &["audit", "verify"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // Each counted submission adds one to its week bucket, once.
    let counted: i64 = db
        .dump()
        .iter()
        .filter_map(|row| row.strip_prefix("contributions: "))
        .filter(|row| row.contains("|week:"))
        .map(|row| {
            let cells: Vec<&str> = row
                .split(['|', ',', '(', ')', ' '])
                .filter(|c| !c.is_empty())
                .collect();
            cells.last().unwrap().parse::<i64>().unwrap()
        })
        .sum();
    assert_eq!(counted, expected_counted as i64, "contributions counted");
}

on_both_stores!(workflow_transitions_race_safely, workflow_races);

/// A reviewer may only redact (issue 10): an edit that lowers the marking,
/// names recipients, takes another organization's id or rewrites text is
/// refused with 422 and leaves the held version as it was; a redaction is
/// taken.
fn reviewers_only_redact_on(backend: Backend) {
    let s = scene(backend, "1", "50");
    let mut r = report(300);
    r["objects"][1]["description"] = json!("Also hit: the contractor Acme Systems Co., Ltd.");
    let (_, submission) = submit(&s, &s.reporter, &r, &["--tlp", "amber"]);
    let held = || -> Vec<Value> {
        let list = s.hub.get("/api/reviews", Some(&s.ceptoar)).json();
        list["reviews"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["submission"] == submission.as_str())
            .map(|r| r["objects"].as_array().cloned().unwrap())
            .expect("the submission waits for review")
    };
    let before = held();
    let edit = |objects: &[Value]| {
        s.hub.rest(
            "POST",
            &format!("/api/reviews/{submission}/edit"),
            Some(&s.ceptoar),
            &json!({ "objects": objects }),
        )
    };
    let with_text = |i: usize, key: &str, value: Value| {
        let mut o = before.clone();
        o[i][key] = value;
        o
    };
    let malware = before
        .iter()
        .position(|o| o["type"] == "malware")
        .expect("the malware object");
    let described = before[malware]["description"].as_str().unwrap().to_owned();
    let other_org_id = "malware--0f9a4d8e-1111-4222-8333-444455556666";
    let refused = [
        with_text(
            malware,
            "object_marking_refs",
            json!(["marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"]),
        ),
        with_text(malware, "x_kyoyu_recipients", json!(["elec-b"])),
        with_text(malware, "id", json!(other_org_id)),
        with_text(malware, "description", json!("Harmless; ignore it.")),
    ];
    for objects in &refused {
        let a = edit(objects);
        assert_eq!(a.status, 422, "{}", a.body);
        assert!(a.body.contains("may only redact"), "{}", a.body);
    }
    assert_eq!(held(), before, "refused edits leave the held version");
    // Cutting text out where it says [redacted] is a redaction.
    let cut = match described.split_once(' ') {
        Some((first, _)) => format!("{first} [redacted]"),
        None => "[redacted]".to_owned(),
    };
    // ...and so is a stricter marking for what cannot be redacted: it
    // survives the release, which marks the rest at the sender's AMBER.
    let mut redacted = with_text(malware, "description", json!(cut));
    redacted[malware]["object_marking_refs"] =
        json!(["marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"]);
    let a = edit(&redacted);
    assert_eq!(a.status, 200, "{}", a.body);
    let released = wait_for(&s, before.len() - 1);
    assert!(!released.is_empty(), "the edited report is released");
    assert!(
        released.iter().all(|o| o["type"] != "malware"),
        "the object the reviewer marked RED reaches no other member: {released:?}"
    );
}

on_both_stores!(reviewers_only_redact, reviewers_only_redact_on);

/// After a release, no file of the data folder still holds a released
/// submission's arrival time: the write-ahead log is emptied and deleted
/// content is zeroed (issue 10, finding 3; SQLite, whose files are the folder).
#[test]
fn a_copied_data_folder_holds_no_arrival_time_after_release() {
    let s = scene(Backend::Sqlite, "1", "50");
    let held = |dir: &std::path::Path| -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if !path
                .file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("kyoyu.sqlite3")
            {
                continue;
            }
            let bytes = std::fs::read(&path).unwrap();
            let needle = b"\"received\":1";
            if bytes.windows(needle.len()).any(|w| w == needle) {
                found.push(path.display().to_string());
            }
        }
        found
    };
    submit(&s, &s.reporter, &report(400), &["--urgent"]);
    let released = wait_for(&s, 1);
    assert!(!released.is_empty(), "the urgent report was released");
    // The release job erases after marking the batch released.
    std::thread::sleep(Duration::from_millis(1500));
    let dir = s.hub.dir.path();
    assert_eq!(
        held(dir),
        Vec::<String>::new(),
        "files still holding an arrival time"
    );
}

/// A receipt's status shows feedback on the report's own released objects
/// only, never on observables another report shares, and the read is on
/// the audit trail (issue 10, finding 7).
fn receipt_feedback_is_the_reports_own_on(backend: Backend) {
    let s = scene(backend, "1", "50");
    let col = s.hub.collection_of("sector-electricity");
    // Another member's AMBER note about the attacker's address, posted first.
    let ip_id = {
        // The deterministic id of the attacker's address, as a first report releases it.
        submit(&s, &s.reader, &plain(500), &["--urgent"]);
        wait_for(&s, 1)
            .iter()
            .find(|o| o["type"] == "ipv4-addr" && o["value"] == ATTACKER_IP)
            .and_then(|o| o["id"].as_str())
            .expect("the attacker's address is released")
            .to_owned()
    };
    let note = |n: u32, about: &str, text: &str| {
        json!({"type": "note", "spec_version": "2.1", "id": format!("note--{n:08x}-9999-4000-8000-000000000000"),
               "created": "2025-07-01T00:00:00.000Z", "modified": "2025-07-01T00:00:00.000Z",
               "content": text, "object_refs": [about],
               "object_marking_refs": ["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]})
    };
    let post = |o: &Value| {
        let a = s.hub.request(
            "POST",
            &format!("/hub/collections/{col}/objects/"),
            Some(&s.reader),
            &[("Content-Type", TAXII), ("Accept", TAXII)],
            Some(&json!({"objects": [o]}).to_string()),
        );
        assert_eq!(a.json()["success_count"], 1, "{}", a.body);
    };
    post(&note(1, &ip_id, "seen this address elsewhere"));
    // The reporter's own report with the same address.
    let (receipt, _) = submit(&s, &s.reporter, &report(501), &["--urgent"]);
    let status = |s: &Scene| {
        s.hub
            .rest(
                "POST",
                "/api/receipts/status",
                Some(&s.reporter),
                &json!({"receipt": receipt}),
            )
            .json()
    };
    let started = Instant::now();
    let mine = loop {
        let st = status(&s);
        if st["state"] == "released" || started.elapsed() > Duration::from_secs(15) {
            break st;
        }
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(mine["state"], "released", "{mine}");
    assert_eq!(
        mine["feedback"],
        json!([]),
        "feedback on a shared observable: {mine}"
    );
    // Feedback on the report's own indicator is shown, and its read audited.
    let own = mine["objects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .find(|id| id.starts_with("indicator--"))
        .expect("an indicator of the report")
        .to_owned();
    post(&note(2, &own, "we saw it too"));
    let mine = status(&s);
    let texts: Vec<&str> = mine["feedback"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["content"].as_str())
        .collect();
    assert_eq!(texts, ["we saw it too"], "{mine}");
    let audit = s.hub.get("/api/audit?limit=10000", None).json();
    assert!(
        audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "objects.read"
                && e["actor_org"] == ""
                && e["actor_token"] == ""
                && e["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("receipt-status"))),
        "the status read is audited, with no actor (it would name the sender)"
    );
}

on_both_stores!(
    receipt_feedback_is_the_reports_own,
    receipt_feedback_is_the_reports_own_on
);

/// Figures move only when a batch is released, not when a report goes out
/// alone: watching them around an urgent report says nothing about it
/// (issue 10, finding 6).
fn statistics_move_only_with_a_batch_on(backend: Backend) {
    let s = scene(backend, "1", "50");
    let elec_c = s.hub.token_for("elec-c", "member", false);
    submit(&s, &s.reporter, &report(600), &["--urgent"]);
    submit(&s, &s.reader, &plain(601), &["--urgent"]);
    submit(&s, &elec_c, &plain(602), &["--urgent"]);
    assert!(!wait_for(&s, 3).is_empty());
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(
        sector_count(&s),
        None,
        "three urgent releases: no figure yet"
    );
    // A report that waits for its batch: when the batch goes, the figures
    // catch up with everything released so far.
    submit(&s, &s.reporter, &report(603), &[]);
    let started = Instant::now();
    while sector_count(&s).is_none() && started.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(200));
    }
    assert_eq!(sector_count(&s), Some(4), "the batch publishes all four");
}

on_both_stores!(
    statistics_move_only_with_a_batch,
    statistics_move_only_with_a_batch_on
);

/// Objects compared without ids and references (a preview's ids are its
/// own; the release gives fresh ones).
fn without_ids(objects: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = objects
        .iter()
        .map(|o| {
            let mut o = o.clone();
            if let Some(m) = o.as_object_mut() {
                m.retain(|k, _| k != "id" && !k.ends_with("_ref") && !k.ends_with("_refs"));
            }
            o.to_string()
        })
        .collect();
    out.sort();
    out
}

/// Safe by default (issue 11): every concealed submission waits for a
/// reviewer, with or without doubts, unless its community lets those
/// without doubts go; a doubt is withheld unless the reviewer keeps it; the
/// preview shows exactly what another member finally reads.
fn safe_by_default_on(backend: Backend) {
    let s = scene(backend, "3600", "50");
    // Only its admins (or the hub's) decide the community's rule.
    let review_rule = |token: &str, on: &str| {
        cli(
            &s.hub,
            token,
            &[
                "community",
                "review",
                "sector-electricity",
                "--release-without-review",
                on,
            ],
        )
    };
    assert_eq!(review_rule(&s.reader, "false").status.code(), Some(1));
    let o = review_rule(&s.ceptoar, "false");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // No doubt found, urgent: it still waits for a reviewer.
    let (_, clean) = submit(&s, &s.reporter, &plain(11), &["--urgent"]);
    let o = cli(&s.hub, &s.ceptoar, &["review", "list", "--json"]);
    assert!(stdout(&o).contains(&clean), "{}", stdout(&o));
    assert!(collection_objects(&s, &s.reader).is_empty());

    // The preview: what would be released, the doubt, nothing stored.
    let mut doubtful = report(12);
    doubtful["objects"][1]["description"] =
        json!("Also hit: the contractor Acme Systems Co., Ltd.");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.json");
    std::fs::write(&file, doubtful.to_string()).unwrap();
    let o = cli(
        &s.hub,
        &s.reporter,
        &[
            "submit",
            file.to_str().unwrap(),
            "--conceal",
            "--to",
            "sector-electricity",
            "--preview",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let preview: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        preview["doubts"].as_array().map(Vec::len),
        Some(1),
        "{preview}"
    );
    assert!(
        preview["redactions"]["name"].as_u64() > Some(0),
        "{preview}"
    );
    let shown = preview["objects"].as_array().unwrap().clone();
    assert!(!serde_json::to_string(&shown).unwrap().contains("Acme"));
    let o = cli(&s.hub, &s.ceptoar, &["review", "list", "--json"]);
    let list: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        list["reviews"].as_array().map(Vec::len),
        Some(1),
        "nothing stored"
    );

    // Submitted, approved without keeping the doubt: another member reads
    // exactly the preview (ids aside).
    let (_, submission) = submit(&s, &s.reporter, &doubtful, &["--urgent"]);
    let o = cli(&s.hub, &s.ceptoar, &["review", "approve", &submission]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = wait_for(&s, shown.len());
    assert_eq!(without_ids(&read), without_ids(&shown));

    // A kept doubt is released as written; a doubt number that does not
    // exist is refused with the count.
    let mut kept = report(13);
    kept["objects"][1]["description"] = json!("Also hit: the vendor Gamma Works Co., Ltd.");
    let (_, submission) = submit(&s, &s.reporter, &kept, &["--urgent"]);
    let o = cli(&s.hub, &s.ceptoar, &["review", "list", "--json"]);
    let list: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let rev = list["reviews"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["submission"] == submission.as_str())
        .unwrap()["rev"]
        .to_string();
    // Keeping without the version read is a usage error.
    let o = cli(
        &s.hub,
        &s.ceptoar,
        &["review", "approve", &submission, "--keep", "1"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--rev"), "{}", stderr(&o));
    let o = cli(
        &s.hub,
        &s.ceptoar,
        &[
            "review",
            "approve",
            &submission,
            "--keep",
            "2",
            "--rev",
            &rev,
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("there is no doubt 2"), "{}", stderr(&o));
    // Numbers name the doubts of the version read: another version is
    // refused, and keeping without saying which version is too (REST).
    let o = cli(
        &s.hub,
        &s.ceptoar,
        &[
            "review",
            "approve",
            &submission,
            "--keep",
            "1",
            "--rev",
            "7",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("changed since version 7"),
        "{}",
        stderr(&o)
    );
    let a = s.hub.rest(
        "POST",
        &format!("/api/reviews/{submission}/approve"),
        Some(&s.ceptoar),
        &json!({"keep": [1]}),
    );
    assert_eq!(a.status, 422, "{}", a.body);
    assert!(
        a.json()["description"]
            .as_str()
            .is_some_and(|d| d.contains("\"rev\"")),
        "{}",
        a.body
    );
    let o = cli(
        &s.hub,
        &s.ceptoar,
        &[
            "review",
            "approve",
            &submission,
            "--keep",
            "1",
            "--rev",
            &rev,
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let read = wait_for(&s, 2 * shown.len());
    assert!(
        serde_json::to_string(&read)
            .unwrap()
            .contains("Gamma Works Co., Ltd.")
    );
}

crate::testkit::on_both_stores!(safe_by_default, safe_by_default_on);

/// The ways issue 11 found people and tools writing the reporter's
/// details, sent over HTTP as one report: after review (no doubt kept) and
/// release, another member reads none of them, and the attacker's data
/// arrives unchanged.
fn the_ways_people_write_it_do_not_leak_on(backend: Backend) {
    let s = scene(backend, "3600", "50");
    let id = |t: &str, k: u32| format!("{t}--0000f00d-{k:04x}-4000-8000-000000000000");
    let prose = "EXAMPLE POWER CO., LTD. and Example-Power (ExamplePower, example_power, \
        例示電力(株), ㈱例示電力): YAMADA Taro, Yamada-san; \
        hxxps://vpn.example-power[.]co[.]jp, ｖｐｎ．ｅｘａｍｐｌｅ－ｐｏｗｅｒ．ｃｏ．ｊｐ, \
        https://sso.example/?u=t.yamada%40example-power.co.jp, 198.051.100.007 is not ours but \
        192.000.002.010, 3221226058, 0xC000020A and ::ffff:192.0.2.10 are; AS 64500; \
        ExPowerAgent; AS-EXAMPLEPOWER; EXPOWER\\tyamada; ０３－５５５５－０１０１";
    let objects = json!([
        {"type": "malware", "spec_version": "2.1", "id": id("malware", 1), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "name": "GridWiper", "is_family": false,
         "description": format!("Wiper. {prose}")},
        {"type": "indicator", "spec_version": "2.1", "id": id("indicator", 2), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "name": "Phish to our staff", "pattern_type": "stix",
         "pattern": format!("[email-addr:value MATCHES '^.*@example-power\\\\.co\\\\.jp$'] OR [ipv4-addr:value = '{ATTACKER_IP}']"),
         "valid_from": "2025-06-01T09:13:27Z"},
        {"type": "location", "spec_version": "2.1", "id": id("location", 3), "created": "2025-06-01T09:13:27.123Z",
         "modified": "2025-06-01T09:13:27.123Z", "name": "Example Power Kawasaki substation",
         "latitude": 35.5308, "longitude": 139.7029, "street_address": "1-2-3 Example-cho",
         "country": "JP", "region": "eastern-asia"},
        {"type": "user-account", "spec_version": "2.1", "id": id("user-account", 4),
         "user_id": "tyamada", "account_login": "EXPOWER\\tyamada", "display_name": "YAMADA Taro",
         "account_type": "windows-domain"},
        {"type": "email-message", "spec_version": "2.1", "id": id("email-message", 5), "is_multipart": false,
         "subject": "invoice", "additional_header_fields": {"X-ExPower-Scanned": ["yes"]}},
        {"type": "process", "spec_version": "2.1", "id": id("process", 6), "pid": 4242,
         "environment_variables": {"EXPOWER_HOME": "C:\\ep", "PATH": "C:\\Windows"}},
        {"type": "autonomous-system", "spec_version": "2.1", "id": id("autonomous-system", 7), "number": 64500},
        {"type": "malware-analysis", "spec_version": "2.1", "id": id("malware-analysis", 8),
         "created": "2025-06-01T09:13:27.123Z", "modified": "2025-06-01T09:13:27.123Z", "product": "sandbox",
         "result": "malicious", "analysis_started": "2025-06-01T09:47:11.123Z", "submitted": "2025-06-01T09:46:00Z",

         "x_note": format!("original {} quoted", id("malware", 1))},
    ]);
    let (_, submission) = submit(
        &s,
        &s.reporter,
        &json!({ "objects": objects }),
        &["--urgent"],
    );
    let o = cli(&s.hub, &s.ceptoar, &["review", "approve", &submission]);
    assert!(
        o.status.code() == Some(0) || stderr(&o).contains("no submission"),
        "{}",
        stderr(&o)
    );
    let read = wait_for(&s, 8);
    let text = serde_json::to_string(&read).unwrap();
    for leak in LEAKS.iter().chain(&[
        "EXAMPLE",
        "ExamplePower",
        "example_power",
        "YAMADA",
        "Yamada",
        "example-power[.]",
        "ｅｘａｍｐｌｅ",
        "%40example",
        "192.000.002.010",
        "3221226058",
        "0xC000020A",
        "192.0.2.10",
        "EXPOWER",
        "ExPower",
        "35.5308",
        "139.7029",
        "Example-cho",
        "Kawasaki",
        "５５５５",
        "0000f00d",
        "09:47",
        "09:46",
    ]) {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
    for kept in [
        ATTACKER_IP,
        "198.051.100.007",
        "\"country\":\"JP\"",
        "GridWiper",
    ] {
        assert!(text.contains(kept), "{kept} lost: {text}");
    }
    assert!(
        !read
            .iter()
            .any(|o| o["type"] == "autonomous-system" && o["number"] == 64500),
        "{text}"
    );
}

crate::testkit::on_both_stores!(
    the_ways_people_write_it_do_not_leak,
    the_ways_people_write_it_do_not_leak_on
);
