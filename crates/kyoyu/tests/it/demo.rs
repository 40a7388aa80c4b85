//! `kyoyu serve --demo`: a living, clearly marked demonstration world,
//! seeded once into its own folder, never over a real hub.

use crate::console::Person;
use crate::testkit::{TestHub, eventually, on_both_stores};
use serde_json::Value;
use std::collections::BTreeSet;

/// The people of the demo: (login, role, password).
fn people(hub: &TestHub) -> Vec<(String, String, String)> {
    let table =
        std::fs::read_to_string(hub.dir.path().join("demo-users.txt")).expect("demo-users.txt");
    table
        .lines()
        .skip(2)
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            let (login, _org, role, password) = (w.next()?, w.next()?, w.next()?, w.next()?);
            Some((login.to_owned(), role.to_owned(), password.to_owned()))
        })
        .collect()
}

/// Every object of a community's collection, as the hub admin reads it.
fn objects(hub: &TestHub, community: &str) -> Vec<Value> {
    let a = hub.get(&format!("/hub/collections/{community}/objects/"), None);
    assert_eq!(a.status, 200, "{}", a.body);
    a.json()["objects"].as_array().cloned().unwrap_or_default()
}

const COMMUNITIES: [&str; 7] = [
    "sector-electricity",
    "sector-gas",
    "sector-finance",
    "sector-railways",
    "sector-water",
    "suppliers-minato-power",
    "national",
];

/// How many objects the hub admin reads in the demo's communities.
fn count(hub: &TestHub) -> usize {
    COMMUNITIES.iter().map(|c| objects(hub, c).len()).sum()
}

fn names(objects: &[Value]) -> String {
    objects
        .iter()
        .filter_map(|o| o["name"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

on_both_stores!(the_demo_world_is_alive_and_marked, |backend| {
    let mut hub = TestHub::start_with(backend, &["--demo"]);
    let table = people(&hub);
    assert_eq!(table.len(), 10, "{table:?}");
    let roles: BTreeSet<&str> = table.iter().map(|(_, r, _)| r.as_str()).collect();
    for role in [
        "hub-admin",
        "member",
        "analyst",
        "community-admin",
        "ministry-liaison",
        "national-centre-officer",
    ] {
        assert!(roles.contains(role), "{role}: {roles:?}");
    }
    assert!(table.iter().all(|(_, _, p)| p.len() >= 16));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hub.dir.path().join("demo-users.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the passwords are the owner's only");
    }
    // The people need not change their printed passwords.
    let users = hub.get("/api/users", None).json();
    let users = users["users"].as_array().expect("users");
    assert_eq!(users.len(), 10);
    assert!(
        users.iter().all(|u| u["must_change_password"] == false),
        "{users:?}"
    );
    // Organizations in several sectors, a CEPTOAR, the centre, a supplier
    // in its circles.
    let orgs = hub.get("/api/orgs", None).json()["orgs"]
        .as_array()
        .cloned()
        .unwrap();
    let kinds: BTreeSet<&str> = orgs.iter().filter_map(|o| o["kind"].as_str()).collect();
    for kind in [
        "operator",
        "ceptoar",
        "national-centre",
        "supplier",
        "ministry",
    ] {
        assert!(kinds.contains(kind), "{kind}: {kinds:?}");
    }
    let suppliers = hub.get("/api/orgs/minato-power/suppliers", None);
    assert!(suppliers.body.contains("netguard"), "{}", suppliers.body);

    // Intelligence at every TLP level, in several communities.
    let mut markings = BTreeSet::new();
    let mut kinds = BTreeSet::new();
    for community in COMMUNITIES {
        let found = objects(&hub, community);
        assert!(!found.is_empty(), "{community}");
        for o in found {
            kinds.insert(o["type"].as_str().unwrap_or_default().to_owned());
            for m in o["object_marking_refs"].as_array().into_iter().flatten() {
                markings.insert(m.as_str().unwrap_or_default().to_owned());
            }
        }
    }
    let before = count(&hub);
    assert!(before >= 50, "{before} objects");
    assert_eq!(markings.len(), 5, "every TLP level: {markings:?}");
    for kind in [
        "indicator",
        "malware",
        "attack-pattern",
        "threat-actor",
        "campaign",
        "relationship",
        "sighting",
        "report",
        "vulnerability",
    ] {
        assert!(kinds.contains(kind), "{kind}: {kinds:?}");
    }
    // One object in three versions.
    let electricity = objects(&hub, "sector-electricity");
    let c2 = electricity
        .iter()
        .find(|o| o["name"].as_str().is_some_and(|n| n.contains("C2 server")))
        .expect("the C2 indicator");
    assert!(c2["pattern"].as_str().unwrap().contains("203.0.113.46"));
    let versions = hub.get(
        &format!(
            "/hub/collections/sector-electricity/objects/{}/versions/",
            c2["id"].as_str().unwrap()
        ),
        None,
    );
    assert_eq!(
        versions.json()["versions"].as_array().map(Vec::len),
        Some(3),
        "{}",
        versions.body
    );
    // Search in Japanese.
    eventually("indexing", || {
        hub.get(
            "/api/search?q=%E3%83%A9%E3%83%B3%E3%82%B5%E3%83%A0%E3%82%A6%E3%82%A7%E3%82%A2",
            None,
        )
        .body
        .contains("KuroLock")
    });

    // Concealed submissions at each stage.
    let reviews = hub.get("/api/reviews", None).json();
    assert_eq!(
        reviews["reviews"].as_array().map(Vec::len),
        Some(1),
        "one waits for review: {reviews}"
    );
    assert!(
        names(&objects(&hub, "national")).contains("DDoS の予告"),
        "the urgent submission was released"
    );
    let gas = serde_json::to_string(&objects(&hub, "sector-gas")).unwrap();
    assert!(
        !gas.contains("198.51.100.61"),
        "the held one waits for its batch"
    );
    assert!(!gas.contains("198.51.100.62"), "the withdrawn one is gone");
    let audit = hub.get("/api/audit?limit=10000", None).json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for (action, n) in [
        ("submission.approve", 2),
        ("submission.reject", 1),
        ("submission.withdrawn", 1),
    ] {
        assert_eq!(
            actions.iter().filter(|a| **a == action).count(),
            n,
            "{action}: {actions:?}"
        );
    }

    // A person of the demo signs in with the printed password; every page
    // says it is a demo.
    let (login, _, password) = table.iter().find(|(l, ..)| l == "sato").unwrap().clone();
    let p = Person::new(&hub, "ja");
    let a = p.sign_in(&login, &password, "");
    assert_eq!(a.header("location"), Some("/console"), "{}", a.body);
    eventually("indexing", || {
        p.get("/console/search?q=KuroLock").body.contains("C2")
    });
    for path in [
        "/console",
        "/console/intelligence",
        "/console/search?q=KuroLock",
        "/console/submit",
    ] {
        let page = p.get(path);
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("class=\"demo-banner\""), "{path}");
    }

    // A restart changes nothing: no second world, the same people.
    let orgs = orgs.len();
    hub.terminate();
    hub.restart();
    assert_eq!(people(&hub), table);
    assert_eq!(
        hub.get("/api/orgs", None).json()["orgs"]
            .as_array()
            .map(Vec::len),
        Some(orgs)
    );
    assert_eq!(count(&hub), before);
    assert_eq!(
        hub.get("/api/users", None).json()["users"]
            .as_array()
            .map(Vec::len),
        Some(10)
    );
    assert_eq!(
        hub.get("/api/reviews", None).json()["reviews"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
});

/// `--demo` never seeds a real hub's folder.
#[test]
fn the_demo_refuses_a_real_hubs_folder() {
    let hub = TestHub::start(crate::testkit::Backend::Sqlite);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(hub.dir.path())
        .output()
        .expect("run kyoyu");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a demo"), "{err}");
    assert!(!hub.dir.path().join("demo-world").exists());
}

/// `--demo` with a fresh folder never seeds a database that holds a real
/// hub, and keeps no admin token in it. (Without the hub's local key the
/// database does not even open.)
#[test]
fn the_demo_refuses_a_real_hubs_database() {
    let hub = TestHub::start(crate::testkit::Backend::Postgres);
    hub.org("tokai-power", "operator", &["electricity"]);
    let tokens = || hub.get("/api/tokens", None).body;
    let before = tokens();
    // A folder of the hub's own (with its local key, as a second node has):
    // the hub opens, and the demo sees it is not a demo's.
    let folder = tempfile::tempdir().expect("tempdir");
    std::fs::copy(
        hub.dir.path().join("tag-key"),
        folder.path().join("tag-key"),
    )
    .expect("the local key");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data"])
        .arg(folder.path())
        .args(&hub.extra)
        .output()
        .expect("run kyoyu");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a demo"), "{err}");
    assert!(!folder.path().join("admin-token").exists());
    assert!(!folder.path().join("demo-users.txt").exists());
    let orgs = hub.get("/api/orgs", None).body;
    assert!(!orgs.contains("minato-power"), "{orgs}");
    let after = hub.get("/api/tokens", None).json();
    let live = |v: &Value| {
        v["tokens"]
            .as_array()
            .map(|t| t.iter().filter(|t| t["revoked"] != true).count())
    };
    assert_eq!(
        live(&after),
        live(&serde_json::from_str(&before).unwrap()),
        "{after}"
    );
}
