//! Administration over the CLI and REST: the command contract, the audit
//! trail's tamper evidence on both stores, tokens (expiry, revocation,
//! allow-lists), abuse limits, the OpenAPI document.

use crate::testkit::{Backend, TAXII, TestHub, on_both_stores};
use serde_json::{Value, json};
use std::process::{Command, Output};

/// Runs the real `kyoyu` against a hub with a token.
pub(crate) fn cli(hub: &TestHub, token: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(args)
        .env("KYOYU_URL", &hub.base)
        .env("KYOYU_TOKEN", token)
        .output()
        .expect("run kyoyu")
}

pub(crate) fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub(crate) fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn cli_contract() {
    let hub = TestHub::start(Backend::Sqlite);
    let admin = hub.admin.clone();
    let ok = |args: &[&str]| {
        let o = cli(&hub, &admin, args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        o
    };
    ok(&[
        "org",
        "create",
        "tepco-like",
        "--kind",
        "operator",
        "--sector",
        "electricity",
        "--name",
        "Example Power Co., Ltd.",
        "--name-ja",
        "例示電力株式会社",
        "--country",
        "JP",
        "--domain",
        "example-power.co.jp",
        "--ip-range",
        "192.0.2.0/24",
        "--alias",
        "ExPower",
    ]);
    ok(&[
        "org",
        "create",
        "it-outsourcer",
        "--kind",
        "supplier",
        "--name",
        "Outsourcer K.K.",
    ]);
    ok(&["org", "create", "nisc", "--kind", "national-centre"]);
    ok(&[
        "community",
        "create",
        "iot-drones",
        "--kind",
        "iot",
        "--name",
        "Drones",
        "--default-tlp",
        "amber",
    ]);
    ok(&[
        "member",
        "add",
        "iot-drones",
        "tepco-like",
        "--role",
        "community-admin",
    ]);
    ok(&["supplier", "add", "tepco-like", "it-outsourcer"]);
    // The token command prints only the token.
    let o = ok(&[
        "token",
        "create",
        "--org",
        "tepco-like",
        "--role",
        "community-admin",
        "--name",
        "soc",
        "--expires",
        "30d",
    ]);
    let token = stdout(&o).trim().to_owned();
    assert!(
        token.starts_with("kyoyu_") && !token.contains(char::is_whitespace),
        "{token}"
    );
    // The organization's community admin manages its own circle and community.
    let o = cli(&hub, &token, &["member", "add", "iot-drones", "nisc"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // JSON where data is printed.
    let o = ok(&["org", "show", "tepco-like", "--json"]);
    let shown: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(shown["domains"], json!(["example-power.co.jp"]));
    let standings: Vec<(String, String)> = shown["communities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["community"].as_str().unwrap().into(),
                c["standing"].as_str().unwrap().into(),
            )
        })
        .collect();
    for want in [
        ("sector-electricity", "member"),
        ("national", "member"),
        ("suppliers-tepco-like", "community-admin"),
        ("iot-drones", "community-admin"),
    ] {
        assert!(
            standings.contains(&(want.0.into(), want.1.into())),
            "{standings:?}"
        );
    }
    // Identifying data stays editable.
    ok(&[
        "org",
        "update",
        "tepco-like",
        "--domain",
        "example-power.co.jp",
        "--domain",
        "expower.jp",
    ]);
    let o = ok(&["org", "show", "tepco-like", "--json"]);
    let shown: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        shown["domains"],
        json!(["example-power.co.jp", "expower.jp"])
    );
    assert_eq!(
        shown["ip_ranges"],
        json!(["192.0.2.0/24"]),
        "lists not given are kept"
    );
    let o = ok(&["community", "show", "suppliers-tepco-like", "--json"]);
    let circle: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(
        circle["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["org"] == "it-outsourcer")
    );
    let o = ok(&["org", "list", "--json"]);
    assert!(stdout(&o).contains("\"ministry\""), "ministries are seeded");
    let o = ok(&["token", "list", "--json"]);
    assert!(stdout(&o).contains("\"soc\""));
    assert!(!stdout(&o).contains(&token), "listings never show secrets");

    // Failures: non-zero, with the hub's reason.
    let o = cli(
        &hub,
        &admin,
        &[
            "org",
            "create",
            "Bad Id",
            "--kind",
            "operator",
            "--sector",
            "electricity",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("2-64 characters"), "{}", stderr(&o));
    let o = cli(
        &hub,
        &admin,
        &[
            "org", "create", "x-op", "--kind", "operator", "--sector", "steel",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("unknown sector 'steel'"),
        "{}",
        stderr(&o)
    );
    let o = cli(
        &hub,
        &admin,
        &[
            "org",
            "create",
            "tepco-like",
            "--kind",
            "operator",
            "--sector",
            "electricity",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    let o = cli(
        &hub,
        &admin,
        &[
            "token",
            "create",
            "--org",
            "tepco-like",
            "--role",
            "hub-admin",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("only for organizations of kind 'hub'"),
        "{}",
        stderr(&o)
    );
    let o = cli(
        &hub,
        &admin,
        &[
            "token",
            "create",
            "--org",
            "tepco-like",
            "--expires",
            "soon",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    let o = cli(
        &hub,
        &token,
        &["org", "create", "y-op", "--kind", "supplier"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("403"), "{}", stderr(&o));
    let o = Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["org", "list", "--url", "http://127.0.0.1:9", "--token", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot reach"));

    // Revocation takes effect at once.
    let o = ok(&["token", "list", "--json"]);
    let list: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let id = list["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "soc")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(hub.get("/taxii2/", Some(&token)).status, 200);
    ok(&["token", "revoke", &id]);
    assert_eq!(hub.get("/taxii2/", Some(&token)).status, 401);

    let o = ok(&["audit", "verify"]);
    assert!(stdout(&o).starts_with("intact: "), "{}", stdout(&o));
}

/// Runs SQL on the hub's own database, behind its back.
pub(crate) struct Db {
    sqlite: Option<std::path::PathBuf>,
    postgres: Option<String>,
}

impl Db {
    pub(crate) fn of(hub: &TestHub) -> Self {
        let postgres = hub
            .extra
            .iter()
            .position(|a| a == "--database-url")
            .map(|i| hub.extra[i + 1].clone());
        Self {
            sqlite: postgres
                .is_none()
                .then(|| hub.dir.path().join("kyoyu.sqlite3")),
            postgres,
        }
    }

    pub(crate) fn is_sqlite(&self) -> bool {
        self.sqlite.is_some()
    }

    pub(crate) fn exec(&self, sql: &str) -> Result<(), String> {
        if let Some(path) = &self.sqlite {
            let c = rusqlite::Connection::open(path).map_err(|e| e.to_string())?;
            c.busy_timeout(std::time::Duration::from_secs(10)).unwrap();
            return c.execute_batch(sql).map_err(|e| e.to_string());
        }
        let url = self.postgres.as_ref().unwrap();
        let o = Command::new("psql")
            .args([url.as_str(), "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .unwrap();
        if o.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&o.stderr).into_owned())
        }
    }

    /// Every row of every table, as text (what a thief of the database gets).
    pub(crate) fn dump(&self) -> Vec<String> {
        if let Some(path) = &self.sqlite {
            let c = rusqlite::Connection::open(path).unwrap();
            let tables: Vec<String> = c
                .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            let mut rows = Vec::new();
            for t in tables {
                let mut st = c.prepare(&format!("SELECT * FROM \"{t}\"")).unwrap();
                let n = st.column_count();
                let mut q = st.query([]).unwrap();
                while let Some(r) = q.next().unwrap() {
                    let cells: Vec<String> = (0..n)
                        .map(|i| match r.get_ref(i).unwrap() {
                            rusqlite::types::ValueRef::Null => String::new(),
                            rusqlite::types::ValueRef::Integer(v) => v.to_string(),
                            rusqlite::types::ValueRef::Real(v) => v.to_string(),
                            rusqlite::types::ValueRef::Text(v)
                            | rusqlite::types::ValueRef::Blob(v) => {
                                String::from_utf8_lossy(v).into_owned()
                            }
                        })
                        .collect();
                    rows.push(format!("{t}: {}", cells.join(" | ")));
                }
            }
            return rows;
        }
        let url = self.postgres.as_ref().unwrap();
        let tables = Command::new("psql")
            .args([
                url.as_str(),
                "-At",
                "-c",
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
            ])
            .output()
            .unwrap();
        let mut rows = Vec::new();
        for t in String::from_utf8_lossy(&tables.stdout).lines() {
            let o = Command::new("psql")
                .args([
                    url.as_str(),
                    "-At",
                    "-c",
                    &format!("SELECT x::text FROM \"{t}\" x"),
                ])
                .output()
                .unwrap();
            rows.extend(
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .map(|l| format!("{t}: {l}")),
            );
        }
        rows
    }

    /// One audit row's columns after `seq`, as SQL literals.
    fn row(&self, seq: i64) -> Vec<String> {
        let sql = format!(
            "SELECT at, actor_org, actor_token, action, target, detail, prev, hash FROM audit WHERE seq = {seq}"
        );
        let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
        if let Some(path) = &self.sqlite {
            let c = rusqlite::Connection::open(path).unwrap();
            return c
                .query_row(&sql, [], |r| {
                    let at: i64 = r.get(0)?;
                    let mut out = vec![at.to_string()];
                    for i in 1..8 {
                        out.push(quote(&r.get::<_, String>(i)?));
                    }
                    Ok(out)
                })
                .unwrap();
        }
        let o = Command::new("psql")
            .args([
                self.postgres.as_ref().unwrap().as_str(),
                "-At",
                "-F",
                "\u{1f}",
                "-c",
                &sql,
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        let fields: Vec<&str> = text.trim_end_matches('\n').split('\u{1f}').collect();
        assert_eq!(fields.len(), 8, "{text}");
        let mut out = vec![fields[0].to_owned()];
        out.extend(fields[1..].iter().map(|f| quote(f)));
        out
    }

    fn put_row(&self, seq: i64, row: &[String]) {
        self.exec(&format!(
            "DELETE FROM audit WHERE seq = {seq}; INSERT INTO audit (seq, at, actor_org, actor_token, action, target, detail, prev, hash) VALUES ({seq}, {})",
            row.join(", ")
        ))
        .unwrap();
    }
}

fn verify(hub: &TestHub, extra: &[&str]) -> (i32, String) {
    let mut args = vec!["audit", "verify"];
    args.extend_from_slice(extra);
    let o = cli(hub, &hub.admin, &args);
    (
        o.status.code().unwrap_or(-1),
        format!("{}{}", stdout(&o), stderr(&o)),
    )
}

fn audit_tampering(backend: Backend) {
    let hub = TestHub::start(backend);
    hub.org("elec-a", "operator", &["electricity"]);
    let token = hub.token_for("elec-a", "member", false);
    let amber = json!({
        "type": "indicator", "spec_version": "2.1", "id": "indicator--0b1e8c55-2b4d-4f58-9a3e-000000000001",
        "created": "2025-01-01T00:00:00.000Z", "modified": "2025-01-01T00:00:00.000Z",
        "pattern_type": "stix", "valid_from": "2025-01-01T00:00:00Z", "pattern": "[ipv4-addr:value = '203.0.113.5']",
        "object_marking_refs": ["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],
    });
    let col = hub.collection_of("sector-electricity");
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&token),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&json!({"objects": [amber]}).to_string()),
    );
    assert_eq!(a.status, 202, "{}", a.body);
    assert_eq!(
        hub.get(&format!("/hub/collections/{col}/objects/"), Some(&token))
            .status,
        200
    );
    hub.org("elec-b", "operator", &["electricity"]);
    // Wait until the queued read entry is written.
    let mut entries = Vec::new();
    for _ in 0..50 {
        entries = hub.get("/api/audit", None).json()["entries"]
            .as_array()
            .unwrap()
            .clone();
        if entries.iter().any(|e| e["action"] == "objects.read") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for want in [
        "hub.seed",
        "token.create",
        "org.create",
        "objects.add",
        "objects.read",
    ] {
        assert!(actions.contains(&want), "{want} missing from {actions:?}");
    }
    assert!(entries.len() >= 6);
    let (code, out) = verify(&hub, &[]);
    assert_eq!(code, 0, "{out}");
    let head = out.split("head ").nth(1).unwrap().trim().to_owned();

    let db = Db::of(&hub);
    // Append-only: the database itself refuses changes.
    let e = db
        .exec("UPDATE audit SET target = 'x' WHERE seq = 2")
        .unwrap_err();
    assert!(e.contains("append-only"), "{e}");
    assert!(
        db.exec("DELETE FROM audit WHERE seq = 2")
            .unwrap_err()
            .contains("append-only")
    );
    // Someone with the database can lift that; the chain still tells.
    if db.sqlite.is_some() {
        db.exec("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete")
            .unwrap();
    } else {
        db.exec("ALTER TABLE audit DISABLE TRIGGER USER").unwrap();
    }

    // Edit.
    let original = db.row(3);
    db.exec("UPDATE audit SET target = 'someone-else' WHERE seq = 3")
        .unwrap();
    let (code, out) = verify(&hub, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("entry 3"), "{out}");
    db.put_row(3, &original);
    assert_eq!(verify(&hub, &[]).0, 0);

    // Removal.
    let original = db.row(4);
    db.exec("DELETE FROM audit WHERE seq = 4").unwrap();
    let (code, out) = verify(&hub, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("entry 4"), "{out}");
    db.put_row(4, &original);
    assert_eq!(verify(&hub, &[]).0, 0);

    // Reordering: two entries swap places.
    let (r2, r5) = (db.row(2), db.row(5));
    db.put_row(2, &r5);
    db.put_row(5, &r2);
    let (code, out) = verify(&hub, &[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("entry 2"), "{out}");
    db.put_row(2, &r2);
    db.put_row(5, &r5);
    assert_eq!(verify(&hub, &["--expect-head", &head]).0, 0);

    // Cutting the tail leaves a shorter chain that is intact in itself:
    // only a head recorded earlier shows that entries are gone.
    let head_seq: i64 = head.split(':').next().unwrap().parse().unwrap();
    db.exec(&format!("DELETE FROM audit WHERE seq >= {head_seq}"))
        .unwrap();
    assert_eq!(verify(&hub, &[]).0, 0);
    let (code, out) = verify(&hub, &["--expect-head", &head]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("removed from the end"), "{out}");
}

on_both_stores!(audit_trail_shows_tampering, audit_tampering);

#[test]
fn token_expiry_allow_list_and_read_only() {
    let hub = TestHub::start(Backend::Sqlite);
    hub.org("elec-a", "operator", &["electricity"]);
    let issue = |body: Value| {
        let a = hub.rest("POST", "/api/tokens", None, &body);
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["token"].as_str().unwrap().to_owned()
    };
    let short = issue(json!({"org": "elec-a", "expires_in": 1}));
    assert_eq!(hub.get("/taxii2/", Some(&short)).status, 200);
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let a = hub.get("/taxii2/", Some(&short));
    assert_eq!(a.status, 401);
    assert!(
        a.json()["description"]
            .as_str()
            .unwrap()
            .contains("expired")
    );

    let elsewhere = issue(json!({"org": "elec-a", "ip_allow": ["10.0.0.0/8"]}));
    let a = hub.get("/taxii2/", Some(&elsewhere));
    assert_eq!(a.status, 403);
    assert!(
        a.json()["description"]
            .as_str()
            .unwrap()
            .contains("allow-list")
    );
    let here = issue(json!({"org": "elec-a", "ip_allow": ["127.0.0.0/8", "::1/128"]}));
    assert_eq!(hub.get("/taxii2/", Some(&here)).status, 200);

    // A bad allow-list entry or role is a 400 that says what to fix.
    let a = hub.rest(
        "POST",
        "/api/tokens",
        None,
        &json!({"org": "elec-a", "ip_allow": ["10.0.0.0/99"]}),
    );
    assert_eq!(a.status, 400);
    assert!(a.json()["description"].as_str().unwrap().contains("prefix"));
    let a = hub.rest(
        "POST",
        "/api/tokens",
        None,
        &json!({"org": "elec-a", "role": "boss"}),
    );
    assert_eq!(a.status, 400);
    let a = hub.rest(
        "POST",
        "/api/tokens",
        None,
        &json!({"org": "elec-a", "colour": "red"}),
    );
    assert_eq!(a.status, 400);
    assert!(a.json()["description"].as_str().unwrap().contains("colour"));

    // A read-only token issues only read-only tokens.
    let community_admin =
        issue(json!({"org": "elec-a", "role": "community-admin", "read_only": true}));
    let a = hub.rest(
        "POST",
        "/api/tokens",
        Some(&community_admin),
        &json!({"role": "member"}),
    );
    assert_eq!(a.status, 403, "{}", a.body);

    // An analyst reads and never writes, even on a token not marked read-only.
    let analyst = issue(json!({"org": "elec-a", "role": "analyst", "read_only": false}));
    let listed = hub
        .rest("GET", "/api/tokens", Some(&analyst), &json!({}))
        .json();
    assert_eq!(listed["tokens"][0]["read_only"], true, "{listed}");
    let col = hub.collection_of("sector-electricity");
    let body =
        json!({"objects": [crate::testkit::indicator(1, "2025-01-01T00:00:00.000Z")]}).to_string();
    let a = hub.request(
        "POST",
        &format!("/hub/collections/{col}/objects/"),
        Some(&analyst),
        &[("Content-Type", TAXII), ("Accept", TAXII)],
        Some(&body),
    );
    assert_eq!(a.status, 403, "{}", a.body);
    let a = hub.get(&format!("/hub/collections/{col}/objects/"), Some(&analyst));
    assert_eq!(a.status, 200, "{}", a.body);
}

#[test]
fn rate_limit_and_login_backoff() {
    let hub = TestHub::start_with(Backend::Sqlite, &["--rate-limit", "2"]);
    // Burst of 10, then 2 per second: the 30th quick request is refused.
    let mut limited = None;
    for _ in 0..30 {
        let a = hub.get("/taxii2/", None);
        if a.status == 429 {
            limited = Some(a);
            break;
        }
        assert_eq!(a.status, 200);
    }
    let a = limited.expect("no 429 after 30 quick requests at 2/s");
    assert!(a.header("retry-after").is_some());
    assert!(a.json()["description"].as_str().unwrap().contains("rate"));

    // Failed logins from one address: after five, the address waits.
    let other = TestHub::start(Backend::Sqlite);
    for _ in 0..5 {
        assert_eq!(other.get("/taxii2/", Some("kyoyu_wrong")).status, 401);
    }
    let a = other.get("/taxii2/", Some("kyoyu_wrong"));
    assert_eq!(a.status, 401);
    let a = other.get("/taxii2/", Some("kyoyu_wrong"));
    assert_eq!(a.status, 429, "the next failure waits: {}", a.body);
    let wait: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!(wait >= 1);
    // A valid token from the same address (one company proxy, one broken
    // script) is never refused for the others' failures.
    assert_eq!(other.get("/taxii2/", Some(&other.admin)).status, 200);
    other.org("elec-a", "operator", &["electricity"]);
    let colleague = other.token_for("elec-a", "member", false);
    assert_eq!(other.get("/taxii2/", Some(&colleague)).status, 200);
    // ... nor does it wipe the address's record: a guesser who holds one
    // valid token cannot reset its own backoff.
    let a = other.get("/taxii2/", Some("kyoyu_wrong"));
    assert_eq!(a.status, 429, "the next failure still waits: {}", a.body);
    std::thread::sleep(std::time::Duration::from_secs(wait + 1));
    assert_eq!(other.get("/taxii2/", Some("kyoyu_wrong")).status, 401);
}

#[test]
fn client_addresses_behind_a_trusted_proxy() {
    let behind = TestHub::start_with(Backend::Sqlite, &["--trusted-proxy", "127.0.0.1/32"]);
    let direct = TestHub::start(Backend::Sqlite);
    for hub in [&behind, &direct] {
        hub.org("op-a", "operator", &["electricity"]);
    }
    let allow = |hub: &TestHub| {
        let body =
            serde_json::json!({"org": "op-a", "role": "member", "ip_allow": ["198.51.100.7/32"]});
        let a = hub.rest("POST", "/api/tokens", None, &body);
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["token"].as_str().unwrap().to_owned()
    };
    let get = |hub: &TestHub, token: &str, xff: Option<&str>| {
        let mut headers = vec![("Accept", TAXII)];
        if let Some(x) = xff {
            headers.push(("X-Forwarded-For", x));
        }
        hub.request("GET", "/taxii2/", Some(token), &headers, None)
            .status
    };
    // Behind the proxy, the allow-list sees the forwarded client.
    let t = allow(&behind);
    assert_eq!(get(&behind, &t, Some("198.51.100.7")), 200);
    assert_eq!(get(&behind, &t, Some("198.51.100.7, 127.0.0.1")), 200);
    assert_eq!(get(&behind, &t, Some("203.0.113.1")), 403);
    assert_eq!(
        get(&behind, &t, None),
        403,
        "the proxy itself is not the client"
    );
    // A client that writes the header itself, to a hub with no trusted proxy, is ignored.
    let t = allow(&direct);
    assert_eq!(get(&direct, &t, Some("198.51.100.7")), 403);
    // Failed logins count per forwarded client: one client's guesses do not
    // lock out everyone behind the proxy.
    for _ in 0..6 {
        assert_eq!(get(&behind, "kyoyu_wrong", Some("203.0.113.66")), 401);
    }
    assert_eq!(get(&behind, "kyoyu_wrong", Some("203.0.113.66")), 429);
    assert_eq!(get(&behind, "kyoyu_wrong", Some("203.0.113.67")), 401);
}

#[test]
fn tokens_never_reach_the_log() {
    let hub = TestHub::start_logged(Backend::Sqlite, "trace");
    hub.org("elec-a", "operator", &["electricity"]);
    let secret = hub.token_for("elec-a", "member", false);
    assert_eq!(hub.get("/taxii2/", Some(&secret)).status, 200);
    assert_eq!(
        hub.get("/taxii2/", Some("kyoyu_not-a-real-token")).status,
        401
    );
    let log = hub.log();
    assert!(log.contains("request"), "the log is being written: {log}");
    for s in [
        secret.as_str(),
        hub.admin.as_str(),
        "kyoyu_not-a-real-token",
    ] {
        assert!(!log.contains(s), "a token secret reached the log");
    }
    // Written to a file, the log is plain text: no terminal colour codes.
    assert!(log.contains("status=200"), "{log}");
    assert!(!log.contains('\x1b'), "colour codes in a log file: {log:?}");
}

#[test]
fn openapi_document_describes_live_routes() {
    let hub = TestHub::start(Backend::Sqlite);
    let a = hub.request("GET", "/api/openapi.json", Some(""), &[], None);
    assert_eq!(a.status, 200);
    let doc = a.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    // Every area of the hub is described, not only the directory.
    for path in [
        "/api/submissions",
        "/api/submissions/stats",
        "/api/submissions/{id}/sealed",
        "/api/reviews",
        "/api/receipts/status",
        "/api/openapi.json",
        "/taxii2/",
        "/{root}/collections/{collection}/objects/",
        "/healthz",
        "/readyz",
        "/metrics",
    ] {
        assert!(paths.contains_key(path), "{path} is not documented");
    }
    let mut documented = std::collections::BTreeSet::new();
    for (path, ops) in paths {
        for method in ops.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
            let concrete = path
                .replace("{id}", "nosuch")
                .replace("{supplier}", "nosuch")
                .replace("{org}", "nosuch")
                .replace("{root}", "hub")
                .replace("{collection}", "nosuch")
                .replace("{status}", "nosuch")
                .replace(
                    "{object}",
                    "indicator--00000000-0000-4000-8000-000000000000",
                );
            // A live stream opened with a token never ends: asked without
            // one, it answers 401, which shows it is served.
            let token = path.ends_with("/stream").then_some("");
            let a = hub.request(
                &method.to_uppercase(),
                &concrete,
                token,
                &[("Content-Type", "application/json")],
                Some("{}"),
            );
            assert!(
                a.status != 405 && !a.body.contains("no such endpoint"),
                "{method} {path} is documented but not served: {} {}",
                a.status,
                a.body
            );
            assert!(a.status < 500, "{method} {path}: {}", a.status);
        }
    }
    // The other way round: every route the hub's routers are built with is
    // in the document. The routers are built only from these tables
    // (architecture.rs keeps route literals out of the sources), and the
    // tables are read here from the sources of each transport.
    let root = crate::support::root();
    let mut served = std::collections::BTreeSet::new();
    for file in [
        "crates/kyoyu-rest/src/openapi.rs",
        "crates/kyoyu-taxii/src/handlers.rs",
        "crates/kyoyu-server/src/lib.rs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let words: Vec<&str> = text.split('"').collect();
        for pair in words.windows(3) {
            let (method, path) = (pair[0], pair[2]);
            if ["get", "post", "put", "delete"].contains(&method) && path.starts_with('/') {
                served.insert((method.to_uppercase(), path.to_owned()));
            }
        }
    }
    served.insert(("GET".into(), "/api/openapi.json".into()));
    let undocumented: Vec<_> = served.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "served but not documented: {undocumented:?}"
    );
    assert!(served.len() >= 40, "{served:?}");
    // The OpenAPI validator (Python, installed by scripts/test) accepts it.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::write(&file, a.body).unwrap();
    let o = Command::new(crate::support::oracle_python())
        .args(["-m", "openapi_spec_validator"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
}

on_both_stores!(the_hub_cannot_lock_itself_out, |backend| {
    let hub = TestHub::start(backend);
    let tokens = hub.get("/api/tokens", None).json();
    let admin_id = tokens["tokens"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "hub-admin")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The only admin token cannot be revoked, by REST or the CLI.
    let a = hub.rest(
        "DELETE",
        &format!("/api/tokens/{admin_id}"),
        None,
        &json!({}),
    );
    assert_eq!(a.status, 409, "{}", a.body);
    assert!(a.body.contains("create another first"), "{}", a.body);
    let o = cli(&hub, &hub.admin, &["token", "revoke", &admin_id]);
    assert_ne!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("last valid hub-admin token"),
        "{}",
        stderr(&o)
    );
    assert_eq!(hub.get("/taxii2/", None).status, 200);
    // A read-only or expired hub-admin token does not count as another.
    let body = json!({"org": "hub", "role": "hub-admin", "read_only": true, "name": "ro"});
    assert_eq!(hub.rest("POST", "/api/tokens", None, &body).status, 201);
    let a = hub.rest(
        "DELETE",
        &format!("/api/tokens/{admin_id}"),
        None,
        &json!({}),
    );
    assert_eq!(a.status, 409, "{}", a.body);

    // The hub organization and the ministries stay.
    let a = hub.rest("DELETE", "/api/orgs/hub", None, &json!({}));
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body.contains("hub organization"), "{}", a.body);
    let a = hub.rest("DELETE", "/api/orgs/meti", None, &json!({}));
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body.contains("is a ministry"), "{}", a.body);
    assert_eq!(hub.get("/api/orgs/meti", None).status, 200);

    // Offline recovery issues a working admin token, recorded in the trail.
    let mut args = vec![
        "admin".to_owned(),
        "recover".to_owned(),
        "--data".to_owned(),
        hub.dir.path().display().to_string(),
    ];
    args.extend(hub.extra.iter().cloned());
    let o = Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(&args)
        .env_remove("KYOYU_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let recovered = stdout(&o).lines().last().unwrap().trim().to_owned();
    assert_eq!(hub.get("/api/whoami", Some(&recovered)).status, 200);
    let entries = hub.get("/api/audit?limit=10000", None).json();
    let entry = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["actor_token"] == "recover")
        .expect("an audit entry for the recovered token")
        .clone();
    assert_eq!(entry["action"], "token.create");
    assert!(stdout(&o).contains(entry["target"].as_str().unwrap()));
    // With a second admin token, the first may go.
    let a = hub.rest(
        "DELETE",
        &format!("/api/tokens/{admin_id}"),
        Some(&recovered),
        &json!({}),
    );
    assert!(a.status < 300, "{}", a.body);

    // A folder without a hub is refused, not turned into a new database.
    let empty = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["admin", "recover", "--data"])
        .arg(empty.path())
        .env_remove("KYOYU_DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("holds no hub"), "{}", stderr(&o));
    assert!(!empty.path().join("kyoyu.sqlite3").exists());
});

/// The data folder holds TLP:RED content: owner-only, whatever the umask,
/// and an existing folder made so at the next start.
#[cfg(unix)]
#[test]
fn the_data_folder_is_private() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let check = |data: &std::path::Path| {
        assert_eq!(mode(data), 0o700, "the data folder");
        for name in [
            "kyoyu.sqlite3",
            "kyoyu.sqlite3-wal",
            "kyoyu.sqlite3-shm",
            "admin-token",
            "tag-key",
        ] {
            let f = data.join(name);
            assert!(f.exists(), "{name} exists");
            assert_eq!(mode(&f), 0o600, "{name}");
        }
    };
    let (mut child, _) = crate::testkit::spawn(&data, &[], None);
    check(&data);
    let _ = child.kill();
    let _ = child.wait();
    // A folder made by hand, or by an older kyoyu, with open modes.
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    for name in ["kyoyu.sqlite3", "kyoyu.sqlite3-wal", "kyoyu.sqlite3-shm"] {
        let f = data.join(name);
        if f.exists() {
            std::fs::set_permissions(&f, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
    }
    let (mut child, _) = crate::testkit::spawn(&data, &[], None);
    check(&data);
    let _ = child.kill();
    let _ = child.wait();
}

/// Values that used to be taken without complaint are refused, each with a
/// message naming the field.
#[test]
fn refusals_name_the_field() {
    let tmp = tempfile::tempdir().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--log-format",
            "yaml",
            "--data",
        ])
        .arg(tmp.path().join("data"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--log-format must be text or json"),
        "{}",
        stderr(&o)
    );

    let hub = TestHub::start(Backend::Sqlite);
    let org = |extra: Value| {
        let mut body =
            json!({"id": "x-op", "kind": "operator", "name": "X", "sectors": ["electricity"]});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        hub.rest("POST", "/api/orgs", None, &body)
    };
    let refused = |a: crate::testkit::Answer, status: u16, says: &str| {
        assert_eq!(a.status, status, "{}", a.body);
        let why = a.json()["description"].as_str().unwrap().to_owned();
        assert!(why.contains(says), "{why}");
    };
    refused(
        org(json!({"name": "n".repeat(100_000)})),
        400,
        "name is 100000 characters long",
    );
    refused(
        org(json!({"contacts": [{"name": "SOC", "email": "notanemail"}]})),
        400,
        "contact email 'notanemail' is not an e-mail address",
    );
    refused(
        org(json!({"host_patterns": [".*"]})),
        400,
        "host pattern '.*' matches the empty string",
    );
    refused(
        org(json!({"host_patterns": ["\\w+"]})),
        400,
        "host pattern '\\w+' matches any word",
    );
    refused(
        org(json!({"host_patterns": ["a)|(b"]})),
        400,
        "not a regular expression",
    );
    // The CLI says the same.
    let o = cli(
        &hub,
        &hub.admin,
        &[
            "org",
            "create",
            "y-op",
            "--kind",
            "operator",
            "--sector",
            "electricity",
            "--contact-email",
            "notanemail",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("contact email"), "{}", stderr(&o));
    // Sensible values still go in.
    let a = org(
        json!({"contacts": [{"email": "soc@x-op.example.jp"}], "host_patterns": ["ep-[a-z]+-\\d{2}"]}),
    );
    assert_eq!(a.status, 201, "{}", a.body);

    // One national centre.
    hub.org("nisc", "national-centre", &[]);
    let a = hub.rest(
        "POST",
        "/api/orgs",
        None,
        &json!({"id": "nisc-2", "kind": "national-centre", "name": "Another"}),
    );
    refused(
        a,
        409,
        "there is one national centre, and 'nisc' is already registered",
    );

    // A submission's category is one of the known ones.
    let member = hub.token_for("x-op", "member", false);
    let a = hub.rest(
        "POST",
        "/api/submissions",
        Some(&member),
        &json!({"community": "sector-electricity",
                "form": {"title": "t", "description": "d", "category": "weather", "indicators": ["203.0.113.9"]}}),
    );
    refused(
        a,
        400,
        "category 'weather' is unknown; the categories are: ransomware",
    );
}

/// Error messages read as sentences, name things one way, and carry the
/// right code.
#[test]
fn messages_read_well() {
    let hub = TestHub::start(Backend::Sqlite);
    hub.org("elec-a", "operator", &["electricity"]);
    hub.org("elec-b", "operator", &["electricity"]);
    let description = |a: &crate::testkit::Answer| {
        a.json()["description"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let col = hub.collection_of("sector-electricity");

    // Identifier and timestamp reasons follow a colon, not "it".
    let mut bad = crate::testkit::indicator(1, "2025-01-01T00:00:00.000Z");
    bad["id"] = json!("indicator--nope");
    let a = hub.post_objects(&[bad], None);
    assert!(
        a.body
            .contains("is not an identifier: the part after '--' must be a UUID"),
        "{}",
        a.body
    );
    let a = hub.get(
        &format!("/hub/collections/{col}/objects/?added_after=2024-13-01T00:00:00Z"),
        None,
    );
    assert_eq!(a.status, 400);
    let why = description(&a);
    assert!(
        why.contains("is not a timestamp: month must be 01 to 12"),
        "{why}"
    );
    let a = hub.get(
        &format!("/hub/collections/{col}/objects/?added_after=yesterday"),
        None,
    );
    let why = description(&a);
    assert_eq!(why.matches("for example").count(), 1, "{why}");
    assert!(
        why.contains("is not a timestamp: it must look like"),
        "{why}"
    );

    // Kinds with their articles.
    let a = hub.request("PUT", "/api/orgs/elec-a/suppliers/elec-b", None, &[], None);
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(
        description(&a).contains("'elec-b' is of kind operator, not a supplier"),
        "{}",
        a.body
    );

    // 405 is method-not-allowed, whatever the path.
    for (method, path) in [
        ("DELETE", "/taxii2/"),
        ("PUT", "/api/whoami"),
        ("POST", &format!("/hub/collections/{col}/manifest/")),
    ] {
        let a = hub.request(
            method,
            path,
            None,
            &[("Content-Type", "application/json")],
            Some("{}"),
        );
        assert_eq!(a.status, 405, "{method} {path}");
        assert_eq!(
            a.json()["error_code"],
            "method-not-allowed",
            "{method} {path}"
        );
    }

    // A collection is named the same way whether the URL used its id or alias.
    let reader = hub.token_for("elec-a", "member", true);
    for name in [col.as_str(), "sector-electricity"] {
        let a = hub.post_objects_to(name, &reader);
        assert_eq!(a.status, 403, "{}", a.body);
        let why = description(&a);
        assert!(
            why.contains(&format!("collection 'sector-electricity' ({col})")),
            "{why}"
        );
    }

    // The submission state as a phrase.
    let member = hub.token_for("elec-a", "member", false);
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    std::fs::write(
        &report,
        json!({"objects": [crate::testkit::indicator(2, "2025-01-01T00:00:00.000Z")]}).to_string(),
    )
    .unwrap();
    let o = cli(
        &hub,
        &member,
        &[
            "submit",
            report.to_str().unwrap(),
            "--conceal",
            "--to",
            "sector-electricity",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let said = stderr(&o);
    assert!(
        [
            "is waiting for review",
            "is held for its release batch",
            "is released"
        ]
        .iter()
        .any(|p| said.contains(p)),
        "{said}"
    );
}

/// Two admins revoking each other's token at once cannot both succeed:
/// one valid hub-admin token always remains.
#[test]
fn racing_revocations_leave_an_admin() {
    let hub = TestHub::start(Backend::Sqlite);
    let list = |hub: &TestHub, token: &str| -> Vec<(String, bool)> {
        hub.get("/api/tokens", Some(token)).json()["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["role"] == "hub-admin" && t["read_only"] == false)
            .map(|t| (t["id"].as_str().unwrap().to_owned(), t["revoked"] == true))
            .collect()
    };
    let mut keeper = hub.admin.clone();
    for round in 0..16 {
        // Two fresh admin tokens; every other admin token is revoked first.
        let issue = || {
            let body = json!({"org": "hub", "role": "hub-admin", "name": "racer"});
            let r = hub.rest("POST", "/api/tokens", Some(&keeper), &body);
            assert_eq!(r.status, 201, "{}", r.body);
            r.json()["token"].as_str().unwrap().to_owned()
        };
        let (a, b) = (issue(), issue());
        for (id, revoked) in list(&hub, &a) {
            let mine = hub.get("/api/whoami", Some(&a)).json()["token"] == id.as_str()
                || hub.get("/api/whoami", Some(&b)).json()["token"] == id.as_str();
            if !revoked && !mine {
                let r = hub.rest("DELETE", &format!("/api/tokens/{id}"), Some(&a), &json!({}));
                assert!(r.status < 300, "{}", r.body);
            }
        }
        let id_of = |t: &str| {
            hub.get("/api/whoami", Some(t)).json()["token"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let (ida, idb) = (id_of(&a), id_of(&b));
        let results: Vec<u16> = std::thread::scope(|s| {
            let one = s.spawn(|| {
                hub.rest(
                    "DELETE",
                    &format!("/api/tokens/{idb}"),
                    Some(&a),
                    &json!({}),
                )
                .status
            });
            let two = s.spawn(|| {
                hub.rest(
                    "DELETE",
                    &format!("/api/tokens/{ida}"),
                    Some(&b),
                    &json!({}),
                )
                .status
            });
            vec![one.join().unwrap(), two.join().unwrap()]
        });
        let alive: Vec<&String> = [&a, &b]
            .into_iter()
            .filter(|t| hub.get("/api/whoami", Some(t)).status == 200)
            .collect();
        assert!(
            !alive.is_empty(),
            "round {round}: both revoked ({results:?}); the hub is locked out"
        );
        assert_eq!(
            alive.len(),
            1,
            "round {round}: one of the two revocations succeeds ({results:?})"
        );
        keeper = alive[0].clone();
    }
    assert_eq!(hub.get("/taxii2/", Some(&keeper)).status, 200);
}

// Console users over the CLI: created with a temporary password shown once,
// listed without secrets, managed only by who may issue the organization's
// tokens, disabled and reset; each change audited with the acting credential.
on_both_stores!(console_users_are_managed, |backend| {
    let hub = TestHub::start(backend);
    hub.org("tokai-power", "operator", &["electricity"]);
    hub.org("kansai-gas", "operator", &["gas"]);
    let admin = hub.admin.clone();
    let o = cli(
        &hub,
        &admin,
        &[
            "user",
            "create",
            "k.sato",
            "--org",
            "tokai-power",
            "--role",
            "community-admin",
            "--name",
            "佐藤 健",
            "--email",
            "k.sato@tokai-power.example.jp",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let password = stdout(&o).trim().to_owned();
    assert_eq!(password.len(), 20, "{password}");
    // A login taken, a bad login, an unknown role: refused, saying why.
    for (args, says) in [
        (
            vec!["user", "create", "k.sato", "--org", "tokai-power"],
            "exists already",
        ),
        (
            vec!["user", "create", "K Sato", "--org", "tokai-power"],
            "must be 2-64 characters",
        ),
        (
            vec!["user", "create", "x.y", "--role", "boss"],
            "unknown role",
        ),
    ] {
        let o = cli(&hub, &admin, &args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        assert!(stderr(&o).contains(says), "{args:?}: {}", stderr(&o));
    }
    // The organization's community admin (a token) manages its members
    // only, and never another organization's users.
    let ca = hub.token_for("tokai-power", "community-admin", false);
    let o = cli(&hub, &ca, &["user", "create", "m.ito", "--name", "伊藤"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = cli(
        &hub,
        &ca,
        &["user", "create", "boss", "--role", "hub-admin"],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("may not create"), "{}", stderr(&o));
    let o = cli(&hub, &ca, &["user", "create", "x", "--org", "kansai-gas"]);
    assert_eq!(o.status.code(), Some(1));
    let o = cli(
        &hub,
        &admin,
        &["user", "create", "g.kato", "--org", "kansai-gas"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = cli(&hub, &ca, &["user", "list", "--json"]);
    let listed: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let logins: Vec<&str> = listed["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["m.ito"], "only the users it may manage");
    let o = cli(&hub, &admin, &["user", "list"]);
    let text = stdout(&o);
    assert!(
        text.contains("k.sato") && text.contains("2fa-pending") && text.contains("new-password"),
        "{text}"
    );
    assert!(!text.contains("argon2") && !text.contains(&password));
    let member = hub.token_for("kansai-gas", "member", false);
    let o = cli(&hub, &member, &["user", "disable", "k.sato"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no user 'k.sato'"), "{}", stderr(&o));
    // Disable, enable, reset (a new password each time).
    for args in [["user", "disable", "k.sato"], ["user", "enable", "k.sato"]] {
        let o = cli(&hub, &admin, &args);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    let o = cli(&hub, &admin, &["user", "reset", "k.sato"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let again = stdout(&o).trim().to_owned();
    assert_eq!(again.len(), 20);
    assert_ne!(again, password);
    let audit = hub.get("/api/audit?limit=10000", Some(&admin)).json();
    let actions: Vec<&str> = audit["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .filter(|a| a.starts_with("user."))
        .collect();
    assert_eq!(
        actions,
        [
            "user.create",
            "user.create",
            "user.create",
            "user.disable",
            "user.enable",
            "user.reset"
        ]
    );
    assert!(
        !audit.to_string().contains(&again),
        "no password in the trail"
    );
});
