//! Hostile clients (issue 10): what a client that never finishes, or
//! sends too much, may hold. Every test here is bounded: a few dozen
//! sockets on loopback, timeouts of a second, and it stops by itself.

use crate::testkit::{Backend, TestHub};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn addr(hub: &TestHub) -> SocketAddr {
    hub.base
        .trim_start_matches("http://")
        .parse()
        .expect("hub address")
}

/// A connection from `from` (any 127.x.y.z address: Linux routes them all to loopback).
fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).unwrap();
    let local: SocketAddr = format!("{from}:0").parse().unwrap();
    socket.bind(&local.into()).unwrap();
    socket.connect(&to.into()).unwrap();
    let stream: TcpStream = socket.into();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

/// Reads until the server closes; what it sent, and how long that took.
fn until_closed(s: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
        }
    }
    (
        String::from_utf8_lossy(&out).into_owned(),
        started.elapsed(),
    )
}

fn healthz_from(from: &str, to: SocketAddr) -> String {
    let mut s = connect_from(from, to);
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\nConnection: close\r\n\r\n")
        .unwrap();
    until_closed(&mut s).0
}

#[test]
fn stalled_connections_are_capped_per_address_and_closed_after_the_header_timeout() {
    let hub = TestHub::start_with(
        Backend::Sqlite,
        &[
            "--header-timeout",
            "1",
            "--max-connections-per-address",
            "20",
        ],
    );
    let to = addr(&hub);
    // 40 connections from one address that never finish their request head.
    let mut held: Vec<TcpStream> = (0..40)
        .map(|_| {
            let mut s = connect_from("127.0.0.3", to);
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n")
                .unwrap();
            s
        })
        .collect();
    // Another client is served meanwhile.
    assert!(healthz_from("127.0.0.4", to).starts_with("HTTP/1.1 200"));
    // The 21st to 40th were closed at once; the first 20 after the header timeout.
    let mut quick = 0;
    let mut timed_out = 0;
    for s in &mut held {
        let (_, took) = until_closed(s);
        if took < Duration::from_millis(700) {
            quick += 1;
        } else {
            assert!(took < Duration::from_secs(4), "closed after {took:?}");
            timed_out += 1;
        }
    }
    assert!(
        quick >= 20,
        "{quick} closed at once, {timed_out} after the timeout"
    );
    assert!(
        timed_out <= 20 && timed_out > 0,
        "{timed_out} held until the timeout"
    );
    // Once they are gone the address is served again.
    assert!(healthz_from("127.0.0.3", to).starts_with("HTTP/1.1 200"));
}

#[test]
fn an_idle_keep_alive_connection_is_closed() {
    let hub = TestHub::start_with(Backend::Sqlite, &["--header-timeout", "1"]);
    let mut s = connect_from("127.0.0.1", addr(&hub));
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: hub\r\n\r\n")
        .unwrap();
    let (answer, took) = until_closed(&mut s);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        took >= Duration::from_millis(800) && took < Duration::from_secs(4),
        "closed after {took:?}"
    );
}

#[test]
fn a_stalled_body_times_out_and_gives_its_turn_back() {
    let hub = TestHub::start_with(
        Backend::Sqlite,
        &["--body-timeout", "1", "--bodies-in-flight", "1"],
    );
    let to = addr(&hub);
    let path = hub.objects_path();
    let mut stalled = connect_from("127.0.0.1", to);
    write!(
        stalled,
        "POST {path} HTTP/1.1\r\nHost: hub\r\nAuthorization: Bearer {}\r\nContent-Type: application/taxii+json;version=2.1\r\nContent-Length: 1000\r\n\r\n{{\"objects\": [",
        hub.admin
    )
    .unwrap();
    // The one body turn is taken; a second POST waits for it, then is served.
    let started = Instant::now();
    let other = hub.post_objects(&[], None);
    assert_eq!(other.status, 202, "{}", other.body);
    assert!(started.elapsed() < Duration::from_secs(5));
    let (answer, _) = until_closed(&mut stalled);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("\"request-timeout\"") || answer.contains("did not arrive"),
        "{answer}"
    );
}

#[test]
fn bodies_over_the_limit_get_a_json_413_on_every_endpoint() {
    let hub = TestHub::start_with(Backend::Sqlite, &["--max-content-length", "1000"]);
    let big = serde_json::json!({"objects": [], "pad": "x".repeat(5000)});
    for path in [
        hub.objects_path(),
        "/api/submissions".to_owned(),
        "/api/orgs".to_owned(),
    ] {
        let r = hub.request(
            "POST",
            &path,
            Some(&hub.admin),
            &[("Content-Type", "application/json")],
            Some(&big.to_string()),
        );
        assert_eq!(r.status, 413, "{path}: {}", r.body);
        let body = r.json();
        assert!(
            body["description"]
                .as_str()
                .unwrap_or_default()
                .contains("1000 bytes"),
            "{path}: {body}"
        );
    }
}
