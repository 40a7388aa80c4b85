//! A real hub on a free port: the `kyoyu serve` process, killed on drop.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Which store a test hub runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh database on the test PostgreSQL server that `scripts/test` starts.
fn fresh_postgres_database() -> String {
    let server = std::env::var("KYOYU_TEST_POSTGRES").unwrap_or_else(|_| {
        panic!("KYOYU_TEST_POSTGRES is not set: run `scripts/test`, which starts a PostgreSQL server for the tests")
    });
    let name = format!("kyoyu_{}", uuid::Uuid::new_v4().simple());
    let status = Command::new("psql")
        .arg(format!("{server}/postgres"))
        .args(["-q", "-c", &format!("CREATE DATABASE {name}")])
        .status()
        .expect("run psql");
    assert!(status.success(), "cannot create database {name}");
    format!("{server}/{name}")
}

pub(crate) struct TestHub {
    child: Child,
    pub(crate) base: String,
    pub(crate) admin: String,
    pub(crate) collection: String,
    pub(crate) dir: tempfile::TempDir,
    pub(crate) extra: Vec<String>,
    log_level: Option<String>,
}

/// An HTTP answer: status, headers we look at, body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) content_type: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Answer {
    pub(crate) fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub(crate) const TAXII: &str = "application/taxii+json;version=2.1";

/// Starts `kyoyu serve`; with a log level, its log goes to `DIR/serve.log`.
pub(crate) fn spawn(dir: &std::path::Path, extra: &[String], log: Option<&str>) -> (Child, String) {
    let stderr = match log {
        Some(_) => Stdio::from(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(dir.join("serve.log"))
                .expect("log file"),
        ),
        None => Stdio::inherit(),
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_kyoyu"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(dir)
        .args(extra)
        .env("KYOYU_LOG", log.unwrap_or("warn"))
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .expect("start kyoyu serve");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines
            .next()
            .expect("kyoyu serve exited before serving")
            .expect("read stdout");
        if let Some(rest) = line.strip_prefix("kyoyu: serving TAXII 2.1 at ") {
            let url = rest.split_whitespace().next().expect("url");
            break url.trim_end_matches("/taxii2/").to_owned();
        }
    };
    // Keep draining stdout so the child never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

impl TestHub {
    pub(crate) fn start(backend: Backend) -> Self {
        Self::start_with(backend, &[])
    }

    pub(crate) fn start_with(backend: Backend, extra: &[&str]) -> Self {
        Self::start_full(backend, extra, None)
    }

    /// A hub whose log, at `level`, is kept for [`TestHub::log`].
    pub(crate) fn start_logged(backend: Backend, level: &str) -> Self {
        Self::start_full(backend, &[], Some(level))
    }

    /// What the hub has logged (hubs from [`TestHub::start_logged`]).
    pub(crate) fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("serve.log")).unwrap_or_default()
    }

    pub(crate) fn start_full(backend: Backend, extra: &[&str], log: Option<&str>) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        if backend == Backend::Postgres {
            extra.push("--database-url".into());
            extra.push(fresh_postgres_database());
        }
        let (child, base) = spawn(dir.path(), &extra, log);
        let admin = std::fs::read_to_string(dir.path().join("admin-token"))
            .expect("admin token")
            .trim()
            .to_owned();
        let mut hub = Self {
            child,
            base,
            admin,
            collection: String::new(),
            dir,
            extra,
            log_level: log.map(str::to_owned),
        };
        let cols = hub.get("/hub/collections/", None).json();
        hub.collection = cols["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .find(|c| c["alias"] == "national")
            .and_then(|c| c["id"].as_str())
            .expect("the national community's collection")
            .to_owned();
        hub
    }

    /// A second `kyoyu serve` process on the same database (same data directory
    /// for SQLite, same URL for PostgreSQL), as in a multi-node deployment.
    pub(crate) fn second_process(&self) -> TestHub {
        let (child, base) = spawn(self.dir.path(), &self.extra, None);
        TestHub {
            child,
            base,
            admin: self.admin.clone(),
            collection: self.collection.clone(),
            dir: tempfile::tempdir().expect("tempdir"),
            extra: self.extra.clone(),
            log_level: None,
        }
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Sends SIGTERM and waits for the process to exit; returns its exit code.
    pub(crate) fn terminate(&mut self) -> Option<i32> {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        self.child.wait().ok().and_then(|s| s.code())
    }

    /// Starts the hub again on the same data after it stopped.
    pub(crate) fn restart(&mut self) {
        let (child, base) = spawn(self.dir.path(), &self.extra, self.log_level.as_deref());
        self.child = child;
        self.base = base;
    }

    /// Kills the process with SIGKILL and starts it again on the same data.
    pub(crate) fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, base) = spawn(self.dir.path(), &self.extra, self.log_level.as_deref());
        self.child = child;
        self.base = base;
    }

    pub(crate) fn objects_path(&self) -> String {
        format!("/hub/collections/{}/objects/", self.collection)
    }

    pub(crate) fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        let url = format!("{}{path}", self.base);
        let token = token.unwrap_or(&self.admin);
        let auth = format!("Bearer {token}");
        let result = match (method, body) {
            ("GET", _) => {
                let mut r = agent.get(&url);
                if !token.is_empty() {
                    r = r.header("Authorization", &auth);
                }
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call()
            }
            ("DELETE", _) => {
                let mut r = agent.delete(&url).header("Authorization", &auth);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call()
            }
            ("PUT", body) => {
                let mut r = agent.put(&url).header("Authorization", &auth);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.send(body.unwrap_or_default())
            }
            (_, body) => {
                let mut r = agent.post(&url).header("Authorization", &auth);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.send(body.unwrap_or_default())
            }
        };
        let mut response = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    v.to_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response
            .body_mut()
            .with_config()
            .limit(1 << 30)
            .read_to_string()
            .unwrap_or_default();
        Answer {
            status,
            content_type,
            headers,
            body,
        }
    }

    pub(crate) fn get(&self, path: &str, token: Option<&str>) -> Answer {
        self.request("GET", path, token, &[("Accept", TAXII)], None)
    }

    pub(crate) fn post_objects(&self, objects: &[Value], token: Option<&str>) -> Answer {
        let body = serde_json::json!({ "objects": objects }).to_string();
        self.request(
            "POST",
            &self.objects_path(),
            token,
            &[("Content-Type", TAXII), ("Accept", TAXII)],
            Some(&body),
        )
    }

    /// Posts one indicator to a collection named by id or alias.
    pub(crate) fn post_objects_to(&self, collection: &str, token: &str) -> Answer {
        let body = serde_json::json!({ "objects": [indicator(9, "2025-01-01T00:00:00.000Z")] });
        self.request(
            "POST",
            &format!("/hub/collections/{collection}/objects/"),
            Some(token),
            &[("Content-Type", TAXII), ("Accept", TAXII)],
            Some(&body.to_string()),
        )
    }

    /// Registers an organization through the REST API (as the hub admin).
    pub(crate) fn org(&self, id: &str, kind: &str, sectors: &[&str]) {
        let body = serde_json::json!({ "id": id, "kind": kind, "name": id, "sectors": sectors });
        let a = self.rest("POST", "/api/orgs", None, &body);
        assert_eq!(a.status, 201, "{}", a.body);
    }

    /// Issues a token for an organization through the REST API (as the hub admin).
    pub(crate) fn token_for(&self, org: &str, role: &str, read_only: bool) -> String {
        let body =
            serde_json::json!({ "org": org, "role": role, "read_only": read_only, "name": "test" });
        let a = self.rest("POST", "/api/tokens", None, &body);
        assert_eq!(a.status, 201, "{}", a.body);
        a.json()["token"].as_str().expect("token").to_owned()
    }

    /// A JSON call to the REST API.
    pub(crate) fn rest(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> Answer {
        self.request(
            method,
            path,
            token,
            &[("Content-Type", "application/json")],
            Some(&body.to_string()),
        )
    }

    /// The collection id of a community.
    pub(crate) fn collection_of(&self, community: &str) -> String {
        let cols = self.get("/hub/collections/", None).json();
        cols["collections"]
            .as_array()
            .expect("collections")
            .iter()
            .find(|c| c["alias"] == community)
            .and_then(|c| c["id"].as_str())
            .unwrap_or_else(|| panic!("no collection for community {community}"))
            .to_owned()
    }
}

impl Drop for TestHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A valid indicator with a given id (UUIDv4 text) and modified time.
pub(crate) fn indicator(n: usize, modified: &str) -> Value {
    serde_json::json!({
        "type": "indicator", "spec_version": "2.1",
        "id": format!("indicator--{:08x}-0000-4000-8000-{:012x}", n, n),
        "created": "2024-01-01T00:00:00.000Z", "modified": modified,
        "name": format!("indicator {n}"), "description": "test",
        "indicator_types": ["malicious-activity"], "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z",
        "pattern": format!("[ipv4-addr:value = '198.51.100.{}']", n % 250)
    })
}

/// Runs a test body on every backend: `on_both_stores!(name, |backend| { … })`.
macro_rules! on_both_stores {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn sqlite() {
                ($body)(crate::testkit::Backend::Sqlite)
            }
            #[test]
            fn postgres() {
                ($body)(crate::testkit::Backend::Postgres)
            }
        }
    };
}
pub(crate) use on_both_stores;

/// Waits until `ready` holds (up to 10 s), for what the hub does in the
/// background (the search index follows ingest within a moment); fails
/// saying `what` did not happen.
pub(crate) fn eventually(what: &str, mut ready: impl FnMut() -> bool) {
    let started = std::time::Instant::now();
    while !ready() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "{what} did not happen within 10 s"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}
