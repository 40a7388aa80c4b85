//! Random requests at the router: whatever arrives, the hub answers with a
//! TAXII error or a success, never a 5xx and never a panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use axum::body::Body;
use axum::http::Request;
use kyoyu_core::{Hub, HubConfig};
use kyoyu_server::app;
use kyoyu_store_sqlite::SqliteStore;
use proptest::prelude::*;
use std::sync::Arc;
use tower::ServiceExt;

struct Fixture {
    /// Keeps the runtime the hub was opened on alive.
    _rt: tokio::runtime::Runtime,
    hub: Arc<Hub<SqliteStore>>,
    admin: String,
    collection: String,
    _dir: tempfile::TempDir,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (hub, admin, collection) = rt.block_on(async {
        let store = SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap();
        let hub = Hub::open(
            store,
            HubConfig {
                max_content_length: 4096,
                ..HubConfig::default()
            },
        )
        .await
        .unwrap();
        let admin = hub.bootstrap_admin_token().await.unwrap();
        let collection = hub.catalog().collections[0].id.clone();
        (hub, admin, collection)
    });
    Fixture {
        _rt: rt,
        hub,
        admin,
        collection,
        _dir: dir,
    }
}

fn segment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("taxii2".to_owned()),
        Just("hub".to_owned()),
        Just("collections".to_owned()),
        Just("COLLECTION".to_owned()),
        Just("objects".to_owned()),
        Just("manifest".to_owned()),
        Just("versions".to_owned()),
        Just("status".to_owned()),
        Just("indicator--00000000-0000-4000-8000-000000000001".to_owned()),
        Just("api".to_owned()),
        Just("tokens".to_owned()),
        Just("orgs".to_owned()),
        Just("communities".to_owned()),
        Just("members".to_owned()),
        Just("audit".to_owned()),
        Just("national".to_owned()),
        Just("submissions".to_owned()),
        Just("reviews".to_owned()),
        Just("receipts".to_owned()),
        Just("submit-national".to_owned()),
        Just("stats".to_owned()),
        Just("%ZZ".to_owned()),
        Just("..".to_owned()),
        "[a-z0-9%-]{0,12}",
    ]
}

fn query() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        Just("limit"),
        Just("added_after"),
        Just("next"),
        Just("match[type]"),
        Just("match[id]"),
        Just("match[version]"),
        Just("match[spec_version]"),
        Just("match[x]"),
        Just("other"),
    ];
    let value = prop_oneof![
        Just("1".to_owned()),
        Just("-5".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("2024-01-01T00:00:00Z".to_owned()),
        Just("first,last,all".to_owned()),
        Just("2.1".to_owned()),
        Just("indicator".to_owned()),
        "[ -~]{0,16}",
    ];
    proptest::collection::vec((key, value), 0..4).prop_map(|kv| {
        kv.into_iter()
            .map(|(k, v)| format!("{k}={}", v.replace([' ', '#', '&'], "_")))
            .collect::<Vec<_>>()
            .join("&")
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        Just(b"{\"objects\": []}".to_vec()),
        Just(br#"{"objects": [{"type": "indicator", "id": "indicator--00000000-0000-4000-8000-000000000001"}]}"#.to_vec()),
        Just(br#"{"objects": [{"type": "identity", "spec_version": "2.1", "id": "identity--00000000-0000-4000-8000-000000000002", "created": "2024-01-01T00:00:00.000Z", "modified": "2024-01-01T00:00:00.000Z", "name": "x"}]}"#.to_vec()),
        Just(b"{\"objects\": 5}".to_vec()),
        Just(b"[]".to_vec()),
        Just(vec![b'x'; 5000]),
        proptest::collection::vec(any::<u8>(), 0..64),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn no_request_gets_a_5xx(
        method in prop_oneof![Just("GET"), Just("POST"), Just("DELETE"), Just("PUT"), Just("PATCH")],
        segments in proptest::collection::vec(segment(), 0..7),
        trailing in any::<bool>(),
        q in query(),
        auth in 0u8..5,
        accept in prop_oneof![Just(""), Just("application/taxii+json;version=2.1"), Just("*/*"), Just("text/html"), Just("application/taxii+json;version=\"2.1\"")],
        content_type in prop_oneof![Just(""), Just("application/taxii+json;version=2.1"), Just("application/json"), Just("application/taxii+json;version=9")],
        payload in body(),
    ) {
        let f = FIXTURE.with(|f| (f.hub.clone(), f.admin.clone(), f.collection.clone()));
        let (hub, admin, collection) = f;
        let mut path = String::from("/");
        path.push_str(&segments.iter().map(|s| if s == "COLLECTION" { collection.clone() } else { s.clone() }).collect::<Vec<_>>().join("/"));
        if trailing && !path.ends_with('/') {
            path.push('/');
        }
        if !q.is_empty() {
            path.push('?');
            path.push_str(&q);
        }
        let mut req = Request::builder().method(method).uri(&path);
        match auth {
            0 => {}
            1 => req = req.header("Authorization", format!("Bearer {admin}")),
            2 => req = req.header("Authorization", "Bearer kyoyu_forged"),
            3 => req = req.header("Authorization", "Basic !!!not-base64"),
            _ => req = req.header("Authorization", "Digest x"),
        }
        if !accept.is_empty() {
            req = req.header("Accept", accept);
        }
        if !content_type.is_empty() {
            req = req.header("Content-Type", content_type);
        }
        let Ok(req) = req.body(Body::from(payload)) else { return Ok(()) };
        let req = kyoyu_taxii::with_trailing_slash(req);
        let status = RT.with(|rt| rt.block_on(async { app(hub, &kyoyu_server::Limits::default()).oneshot(req).await.map(|r| r.status().as_u16()) }));
        let status = status.unwrap_or(599);
        prop_assert!(status < 500, "{method} {path} answered {status}");
    }
}

thread_local! {
    static FIXTURE: Fixture = fixture();
    static RT: tokio::runtime::Runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
}
