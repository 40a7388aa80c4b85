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
        let addr = base.trim_start_matches("http://").trim_end_matches('/');
        let mut stream = TcpStream::connect(addr).unwrap();
        let resume = last_event.map_or_else(String::new, |n| format!("Last-Event-ID: {n}\r\n"));
        write!(
            stream,
            "GET /api/hotline/stream HTTP/1.0\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n{resume}\r\n"
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

        // The audit trail has the whole story.
        let audit = hub.get("/api/audit?limit=1000", None).json();
        let actions: Vec<&str> = audit["entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["target"] == id.as_str())
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
