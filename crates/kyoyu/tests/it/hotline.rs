//! The hotline over real HTTP on both stores: a call raised by an operator
//! reaches the duty officers' live streams (Server-Sent Events) at once and
//! nobody else's; an unacknowledged call escalates through the duty roster
//! when its clock runs out; an acknowledged one stops; a subscriber that
//! reconnects with `Last-Event-ID` gets what it missed.

use crate::testkit::{TestHub, on_both_stores};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A live-stream subscriber over a plain socket (HTTP/1.0, so the stream
/// is the body as sent, without chunking).
pub(crate) struct Subscriber {
    reader: BufReader<TcpStream>,
}

impl Subscriber {
    pub(crate) fn open(base: &str, token: &str, last_event: Option<i64>) -> Subscriber {
        Subscriber::open_at(base, "/api/hotline/stream", token, last_event)
    }

    /// A subscriber of the stream at `path`.
    pub(crate) fn open_at(
        base: &str,
        path: &str,
        token: &str,
        last_event: Option<i64>,
    ) -> Subscriber {
        let addr = base.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).unwrap();
        let resume = last_event.map_or_else(String::new, |n| format!("Last-Event-ID: {n}\r\n"));
        write!(
            stream,
            "GET {path} HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n{resume}\r\n"
        )
        .unwrap();
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.contains(" 200 "), "{status}");
        let mut content_type = String::new();
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if line.to_ascii_lowercase().starts_with("content-type:") {
                content_type = line.clone();
            }
            if line.trim().is_empty() {
                break;
            }
        }
        assert!(content_type.contains("text/event-stream"), "{content_type}");
        Subscriber { reader }
    }

    /// The next event (its id and data), or `None` if none comes within
    /// `wait`.
    pub(crate) fn next(&mut self, wait: Duration) -> Option<(i64, Value)> {
        let deadline = Instant::now() + wait;
        let (mut id, mut data) = (None, String::new());
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            self.reader
                .get_ref()
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .unwrap();
            let mut line = String::new();
            match self.reader.read_line(&mut line) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(_) => return None,
            }
            let line = line.trim_end_matches(['\r', '\n']);
            if let Some(v) = line.strip_prefix("id:") {
                id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("data:") {
                data.push_str(v.trim_start());
            } else if line.is_empty() && !data.is_empty() {
                let value = serde_json::from_str(&data).unwrap();
                return Some((id.expect("an event id"), value));
            }
        }
    }
}

struct World {
    operator: String,
    other: String,
    officer: String,
}

fn world(hub: &TestHub) -> World {
    hub.org("tokai-power", "operator", &["electricity"]);
    hub.org("kansai-gas", "operator", &["gas"]);
    hub.org("nisc", "national-centre", &[]);
    for login in ["o.first", "o.second"] {
        let a = hub.rest(
            "POST",
            "/api/users",
            None,
            &json!({"login": login, "org": "nisc", "role": "national-centre-officer", "email": format!("{login}@nisc.example.jp")}),
        );
        assert_eq!(a.status, 201, "{}", a.body);
    }
    World {
        operator: hub.token_for("tokai-power", "member", false),
        other: hub.token_for("kansai-gas", "member", false),
        officer: hub.token_for("nisc", "national-centre-officer", false),
    }
}

on_both_stores!(
    a_hotline_call_reaches_the_officers_and_escalates,
    |backend| {
        let hub = TestHub::start_with(backend, &["--hotline-ack-seconds", "2"]);
        let w = world(&hub);
        let a = hub.rest(
            "PUT",
            "/api/hotline/roster",
            Some(&w.officer),
            &json!({"officers": ["o.first", "o.second"]}),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        for bad in [
            json!({"officers": ["nobody"]}),
            json!({"officers": "o.first"}),
        ] {
            let a = hub.rest("PUT", "/api/hotline/roster", Some(&w.officer), &bad);
            assert!(matches!(a.status, 400 | 422), "{bad}: {}", a.body);
        }
        let a = hub.rest(
            "PUT",
            "/api/hotline/roster",
            Some(&w.operator),
            &json!({"officers": []}),
        );
        assert_eq!(a.status, 403, "{}", a.body);

        let mut officer = Subscriber::open(&hub.base, &w.officer, None);
        let mut raiser = Subscriber::open(&hub.base, &w.operator, None);
        let mut other = Subscriber::open(&hub.base, &w.other, None);

        let raised_at = Instant::now();
        let a = hub.rest(
        "POST",
        "/api/hotline",
        Some(&w.operator),
        &json!({"title": "Substation control lost", "text": "Breakers at Nagoya-3 opened by an unknown operator console."}),
    );
        assert_eq!(a.status, 201, "{}", a.body);
        let call = a.json();
        let id = call["id"].as_str().unwrap().to_owned();
        assert_eq!(call["state"], "open");
        assert_eq!(call["assigned"], "o.first");

        // On the officer's stream at once (well under the 2 s the issue asks).
        let (first_seq, event) = officer
            .next(Duration::from_secs(2))
            .expect("the officer hears it");
        assert!(raised_at.elapsed() < Duration::from_secs(2));
        assert_eq!(event["what"], "raised");
        assert_eq!(event["hotline"]["id"], id.as_str());
        let (_, own) = raiser
            .next(Duration::from_secs(2))
            .expect("the raiser sees its own call");
        assert_eq!(own["hotline"]["id"], id.as_str());
        assert!(
            other.next(Duration::from_millis(1500)).is_none(),
            "another operator hears nothing"
        );
        assert_eq!(
            hub.get(&format!("/api/hotline/{id}"), Some(&w.other))
                .status,
            404
        );
        assert_eq!(
            hub.get("/api/hotline", Some(&w.other)).json()["calls"],
            json!([])
        );

        // Unacknowledged: escalated to the next officer, then round again.
        let (_, e) = officer.next(Duration::from_secs(5)).expect("escalated");
        assert_eq!(e["what"], "escalated");
        assert_eq!(e["hotline"]["assigned"], "o.second");
        assert_eq!(e["hotline"]["level"], 1);
        let (_, e) = officer
            .next(Duration::from_secs(5))
            .expect("escalated again");
        assert_eq!(e["hotline"]["assigned"], "o.first");
        assert_eq!(e["hotline"]["level"], 2);

        // Only an officer acknowledges; then the clock stops.
        let a = hub.rest(
            "POST",
            &format!("/api/hotline/{id}/acknowledge"),
            Some(&w.operator),
            &json!({}),
        );
        assert_eq!(a.status, 403, "{}", a.body);
        let a = hub.rest(
            "POST",
            &format!("/api/hotline/{id}/acknowledge"),
            Some(&w.officer),
            &json!({}),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        assert_eq!(a.json()["state"], "acknowledged");
        let (_, e) = officer.next(Duration::from_secs(2)).expect("acknowledged");
        assert_eq!(e["what"], "acknowledged");
        let rev = e["hotline"]["rev"].clone();
        assert!(
            officer.next(Duration::from_secs(3)).is_none(),
            "no escalation after the acknowledgement"
        );
        let now = hub
            .get(&format!("/api/hotline/{id}"), Some(&w.officer))
            .json();
        assert_eq!(now["rev"], rev);
        let whats: Vec<&str> = now["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|e| e["what"].as_str())
            .collect();
        assert_eq!(whats, ["raised", "escalated", "escalated", "acknowledged"]);
        let a = hub.rest(
            "POST",
            &format!("/api/hotline/{id}/acknowledge"),
            Some(&w.officer),
            &json!({}),
        );
        assert_eq!(a.status, 409, "{}", a.body);

        // Reconnecting after the first event: what was missed comes first.
        let mut again = Subscriber::open(&hub.base, &w.officer, Some(first_seq));
        let mut missed = Vec::new();
        while let Some((_, e)) = again.next(Duration::from_secs(1)) {
            missed.push(e["what"].as_str().unwrap().to_owned());
        }
        assert_eq!(missed, ["escalated", "escalated", "acknowledged"]);

        // An officer's read of the call, and every subscription, is in the
        // trail; the caller's own read is not.
        let a = hub.rest(
            "GET",
            &format!("/api/hotline/{id}"),
            Some(&w.officer),
            &json!(null),
        );
        assert_eq!(a.status, 200, "{}", a.body);
        let a = hub.rest(
            "GET",
            &format!("/api/hotline/{id}"),
            Some(&w.operator),
            &json!(null),
        );
        assert_eq!(a.status, 200, "{}", a.body);

        // The audit trail has the whole story.
        let audit = hub.get("/api/audit?limit=1000", None).json();
        let entries = audit["entries"].as_array().unwrap();
        let read_by: Vec<&str> = entries
            .iter()
            .filter(|e| e["action"] == "hotline.read" && e["target"] == id.as_str())
            .filter_map(|e| e["actor_org"].as_str())
            .collect();
        assert!(
            !read_by.is_empty() && read_by.iter().all(|o| *o == "nisc"),
            "{read_by:?}"
        );
        let watchers: Vec<&str> = entries
            .iter()
            .filter(|e| e["action"] == "hotline.watch")
            .filter_map(|e| e["actor_org"].as_str())
            .collect();
        for org in ["nisc", "tokai-power", "kansai-gas"] {
            assert!(watchers.contains(&org), "{org}: {watchers:?}");
        }
        let actions: Vec<&str> = entries
            .iter()
            .filter(|e| e["target"] == id.as_str() && e["action"] != "hotline.read")
            .filter_map(|e| e["action"].as_str())
            .collect();
        assert_eq!(
            actions,
            [
                "hotline.raise",
                "hotline.escalate",
                "hotline.escalate",
                "hotline.acknowledge"
            ]
        );
    }
);

on_both_stores!(bad_hotline_calls_are_refused, |backend| {
    let hub = TestHub::start(backend);
    let w = world(&hub);
    for (body, field) in [
        (json!({"title": " ", "text": "x"}), "title"),
        (json!({"title": "t", "text": ""}), "text"),
    ] {
        let a = hub.rest("POST", "/api/hotline", Some(&w.operator), &body);
        assert_eq!(a.status, 422, "{}", a.body);
        assert!(a.body.contains(field), "{}", a.body);
    }
    let a = hub.rest(
        "POST",
        "/api/hotline",
        Some(&w.operator),
        &json!({"title": "t"}),
    );
    assert_eq!(a.status, 400, "{}", a.body);
    assert!(a.body.contains("text"), "{}", a.body);
    let a = hub.rest(
        "POST",
        "/api/hotline",
        Some(&w.officer),
        &json!({"title": "t", "text": "x"}),
    );
    assert_eq!(a.status, 403, "{}", a.body);
    // No token: refused (an empty token sends no Authorization header).
    let a = hub.get("/api/hotline/stream", Some(""));
    assert_eq!(a.status, 401, "{}", a.body);
    assert_eq!(
        hub.get("/api/hotline", Some(&w.operator)).json()["calls"],
        json!([])
    );
});

/// A webhook receiver on loopback: answers 503 to the first request (so
/// the hub must retry), 200 after; keeps (headers, body) of each request.
/// What the receiver kept: (request head, body) of each request.
type Kept = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

pub(crate) fn webhook_receiver() -> (String, Kept) {
    use std::io::Read;
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = seen.clone();
    std::thread::spawn(move || {
        for (n, stream) in listener.incoming().enumerate() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = String::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                head.push_str(&line);
            }
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length:")
                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                })
                .unwrap_or(0);
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            keep.lock()
                .unwrap()
                .push((head, String::from_utf8(body).unwrap()));
            let status = if n == 0 {
                "503 Service Unavailable"
            } else {
                "200 OK"
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    (url, seen)
}

/// The value of header `name` in a request head.
pub(crate) fn header<'a>(head: &'a str, name: &str) -> Option<&'a str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// Hotline events reach the duty channel's webhook (signed, retried after
/// a failure, in order) and the right people by e-mail through a real SMTP
/// server on loopback (aiosmtpd): officers hear of a call and of its
/// escalation, the caller's people of its acknowledgement; another
/// operator hears nothing.
/// A real SMTP server on loopback (Python's aiosmtpd, installed by
/// scripts/test) keeping every message in a maildir; stopped when dropped.
pub(crate) struct SmtpServer {
    child: std::process::Child,
    /// `127.0.0.1:port`, for `--smtp`.
    pub(crate) address: String,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    pub(crate) fn start() -> SmtpServer {
        let python = std::env::var("KYOYU_ORACLE_PYTHON")
            .expect("KYOYU_ORACLE_PYTHON: run scripts/test, which installs aiosmtpd in .venv");
        let maildir = tempfile::tempdir().unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = std::process::Command::new(python)
            .args([
                "-m",
                "aiosmtpd",
                "-n",
                "-l",
                &format!("127.0.0.1:{port}"),
                "-c",
                "aiosmtpd.handlers.Mailbox",
            ])
            .arg(maildir.path().join("box"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("aiosmtpd");
        crate::testkit::eventually("the SMTP server", || {
            TcpStream::connect(("127.0.0.1", port)).is_ok()
        });
        SmtpServer {
            child,
            address: format!("127.0.0.1:{port}"),
            maildir,
        }
    }

    /// Every message received so far: (recipients, subject).
    pub(crate) fn mails(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for sub in ["new", "cur"] {
            for entry in std::fs::read_dir(self.maildir.path().join("box").join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                // Headers folded over lines are unfolded first.
                let text = std::fs::read_to_string(entry.path())
                    .unwrap_or_default()
                    .replace("\r\n", "\n")
                    .replace("\n ", " ")
                    .replace("\n\t", " ");
                let to = header(&text, "X-RcptTo").unwrap_or_default().to_owned();
                let subject = header(&text, "Subject").unwrap_or_default().to_owned();
                out.push((to, subject));
            }
        }
        out
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn webhook_and_mail() {
    let smtp = SmtpServer::start();
    let maildir = tempfile::tempdir().unwrap();
    let (hook, deliveries) = webhook_receiver();
    let secret_file = maildir.path().join("secret");
    std::fs::write(&secret_file, "s3cret-shared-with-the-chat-tool\n").unwrap();
    let hub = TestHub::start_with(
        crate::testkit::Backend::Sqlite,
        &[
            "--hotline-ack-seconds",
            "2",
            "--hotline-webhook",
            &hook,
            "--hotline-webhook-secret-file",
            secret_file.to_str().unwrap(),
            "--smtp",
            &smtp.address,
            "--mail-from",
            "hotline@kyoyu.example",
        ],
    );
    let w = world(&hub);
    for (login, org) in [("k.sato", "tokai-power"), ("g.ito", "kansai-gas")] {
        let a = hub.rest("POST", "/api/users", None, &json!({"login": login, "org": org, "role": "member", "email": format!("{login}@{org}.example.jp")}));
        assert_eq!(a.status, 201, "{}", a.body);
    }
    let a = hub.rest(
        "PUT",
        "/api/hotline/roster",
        Some(&w.officer),
        &json!({"officers": ["o.first", "o.second"]}),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    let a = hub.rest(
        "POST",
        "/api/hotline",
        Some(&w.operator),
        &json!({"title": "Breakers opened remotely", "text": "Nagoya-3."}),
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.json()["id"].as_str().unwrap().to_owned();
    let mut officer = Subscriber::open(&hub.base, &w.officer, None);
    let (_, e) = officer.next(Duration::from_secs(6)).expect("escalated");
    assert_eq!(e["what"], "escalated");
    let a = hub.rest(
        "POST",
        &format!("/api/hotline/{id}/acknowledge"),
        Some(&w.officer),
        &json!({}),
    );
    assert_eq!(a.status, 200, "{}", a.body);

    // The webhook: every event, in order, signed; the first retried.
    crate::testkit::eventually("three webhook deliveries", || {
        deliveries.lock().unwrap().len() >= 4
    });
    let got = deliveries.lock().unwrap().clone();
    let first = header(&got[0].0, "X-Kyoyu-Delivery").unwrap().to_owned();
    assert_eq!(
        header(&got[1].0, "X-Kyoyu-Delivery"),
        Some(first.as_str()),
        "the failed delivery is sent again"
    );
    assert_eq!(got[0].1, got[1].1);
    let mut whats = Vec::new();
    for (head, body) in &got[1..] {
        assert_eq!(
            header(head, "X-Kyoyu-Signature"),
            Some(signed("s3cret-shared-with-the-chat-tool", body).as_str())
        );
        let v: Value = serde_json::from_str(body).unwrap();
        assert!(
            v["text"]
                .as_str()
                .unwrap()
                .contains("Breakers opened remotely"),
            "{v}"
        );
        whats.push(v["event"].as_str().unwrap().to_owned());
    }
    assert_eq!(&whats[..3], ["raised", "escalated", "acknowledged"]);

    // The mail: who got what.
    let mail = || smtp.mails();
    crate::testkit::eventually("the acknowledgement mail", || {
        mail()
            .iter()
            .any(|(to, s)| to.contains("k.sato@") && s.contains("acknowledged"))
    });
    let mails = mail();
    let to = |who: &str, what: &str| {
        mails
            .iter()
            .any(|(t, s)| t.contains(who) && s.contains(what))
    };
    assert!(to("o.first@", "raised"), "{mails:?}");
    assert!(to("o.second@", "raised"), "{mails:?}");
    assert!(to("o.second@", "escalated to o.second"), "{mails:?}");
    assert!(!to("o.first@", "escalated to o.second"), "{mails:?}");
    assert!(
        !to("k.sato@", "raised") && !to("k.sato@", "escalated"),
        "{mails:?}"
    );
    assert!(
        mails.iter().all(|(t, _)| !t.contains("kansai-gas")),
        "another operator is told nothing: {mails:?}"
    );
}

/// `kyoyu` with `args` against a running hub, as the holder of `token`.
fn kyoyu(hub: &TestHub, token: &str, args: &[&str]) -> std::process::Command {
    let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kyoyu"));
    c.args(args)
        .env("KYOYU_URL", &hub.base)
        .env("KYOYU_TOKEN", token);
    c
}

/// The CLI: an officer's `hotline watch` prints the call an operator raises
/// with `hotline raise`, then its acknowledgement by `hotline ack`; another
/// operator's watch prints nothing of it; `watch --after` replays what was
/// missed; a bad token ends the watch with the hub's reason.
#[test]
fn the_hotline_commands() {
    let hub = TestHub::start(crate::testkit::Backend::Sqlite);
    let w = world(&hub);
    let mut watcher = kyoyu(&hub, &w.officer, &["hotline", "watch", "--count", "2"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut other = kyoyu(&hub, &w.other, &["hotline", "watch"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The watchers connect before the call is raised.
    std::thread::sleep(Duration::from_millis(800));
    let out = kyoyu(
        &hub,
        &w.operator,
        &[
            "hotline",
            "raise",
            "--title",
            "Turbine trip",
            "--text",
            "Unit 2 tripped twice in ten minutes.",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let call: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = call["id"].as_str().unwrap().to_owned();
    let out = kyoyu(&hub, &w.operator, &["hotline", "ack", &id])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "only an officer acknowledges");
    assert!(!String::from_utf8_lossy(&out.stderr).is_empty());
    let out = kyoyu(&hub, &w.officer, &["hotline", "ack", &id])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let lines: Vec<Value> = BufReader::new(watcher.stdout.take().unwrap())
        .lines()
        .map(|l| serde_json::from_str(&l.unwrap()).unwrap())
        .collect();
    assert!(watcher.wait().unwrap().success());
    let what: Vec<&str> = lines.iter().map(|l| l["what"].as_str().unwrap()).collect();
    assert_eq!(what, ["raised", "acknowledged"], "{lines:?}");
    assert!(lines.iter().all(|l| l["hotline"]["id"] == id.as_str()));
    let first = lines[0]["id"].as_i64().unwrap();

    // Another operator's watch heard nothing of it.
    std::thread::sleep(Duration::from_millis(500));
    other.kill().unwrap();
    let _ = other.wait();
    let mut heard = String::new();
    std::io::Read::read_to_string(&mut other.stdout.take().unwrap(), &mut heard).unwrap();
    assert!(!heard.contains(&id), "{heard}");

    // Resuming before the call replays both events.
    let out = kyoyu(
        &hub,
        &w.officer,
        &[
            "hotline",
            "watch",
            "--after",
            &(first - 1).to_string(),
            "--count",
            "2",
        ],
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);

    let out = kyoyu(&hub, &w.officer, &["hotline", "list", "--json"])
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(list["calls"][0]["state"], "acknowledged", "{list}");
    let out = kyoyu(&hub, "not-a-token", &["hotline", "watch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("401")
            || String::from_utf8_lossy(&out.stderr).contains("token")
    );
}

/// The load check, on loopback and in the test command: 1,000
/// national-centre officers and 50 operators of another organization on
/// the live stream; five calls raised one after another each reach every
/// officer — p99 from the raise under 1 s — and none reaches the others.
/// `bench/hotline_load.py` does the subscribing and the sums; the same
/// script run by `bench/hotline.sh` on a release build gives the figures
/// in bench/README.md.
#[test]
fn a_thousand_subscribers_hear_every_call() {
    let hub = TestHub::start_with(
        crate::testkit::Backend::Sqlite,
        &["--rate-limit", "0", "--max-connections-per-address", "1300"],
    );
    hub.org("load-power", "operator", &["electricity"]);
    hub.org("load-gas", "operator", &["gas"]);
    hub.org("load-centre", "national-centre", &[]);
    let python = std::env::var("KYOYU_ORACLE_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python)
        .arg(crate::support::root().join("bench/hotline_load.py"))
        .args([
            hub.base.as_str(),
            &hub.token_for("load-power", "member", false),
            &hub.token_for("load-centre", "national-centre-officer", false),
            &hub.token_for("load-gas", "member", false),
            "1000",
            "5",
        ])
        .output()
        .expect("python");
    let report = String::from_utf8_lossy(&out.stdout);
    eprintln!("{report}");
    assert!(
        report.contains("deliveries 5000 of 5000 (outsiders received 0)"),
        "{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "p99 over 1 s or a delivery missing: {report}"
    );
}

/// The signature header's value a webhook receiver checks: HMAC-SHA256 of
/// `body` under `secret`.
pub(crate) fn signed(secret: &str, body: &str) -> String {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}
