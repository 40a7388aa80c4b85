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

on_both_stores!(the_demo_world_is_alive_and_marked, |backend| {
    let mut hub = TestHub::start_with(backend, &["--demo"]);
    let table = people(&hub);
    assert_eq!(table.len(), 8, "{table:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(hub.dir.path().join("demo-users.txt"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the passwords are the owner's only");
    }
    // Intelligence at every TLP level, in several communities.
    let mut markings = BTreeSet::new();
    let mut count = 0;
    for community in [
        "sector-electricity",
        "sector-gas",
        "sector-finance",
        "national",
        "sector-railways",
    ] {
        for o in objects(&hub, community) {
            count += 1;
            for m in o["object_marking_refs"].as_array().into_iter().flatten() {
                markings.insert(m.as_str().unwrap_or_default().to_owned());
            }
        }
    }
    assert!(count >= 20, "{count} objects");
    assert_eq!(markings.len(), 5, "every TLP level: {markings:?}");
    // Concealed submissions at each stage.
    let reviews = hub.get("/api/reviews", None).json();
    assert_eq!(
        reviews["reviews"].as_array().map(Vec::len),
        Some(1),
        "{reviews}"
    );
    let released = objects(&hub, "national");
    assert!(
        released.iter().any(|o| o["name"]
            .as_str()
            .unwrap_or_default()
            .contains("DDoS の予告")),
        "the urgent submission was released"
    );
    let gas = serde_json::to_string(&objects(&hub, "sector-gas")).unwrap();
    assert!(
        !gas.contains("198.51.100.61"),
        "the held one waits for its batch"
    );
    assert!(!gas.contains("198.51.100.62"), "the withdrawn one is gone");

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
    assert!(p.get("/console").body.contains("KuroLock"));

    // A restart changes nothing: no second world, the same people.
    let orgs = hub.get("/api/orgs", None).json()["orgs"]
        .as_array()
        .map(Vec::len);
    hub.terminate();
    hub.restart();
    assert_eq!(people(&hub), table);
    assert_eq!(
        hub.get("/api/orgs", None).json()["orgs"]
            .as_array()
            .map(Vec::len),
        orgs
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
