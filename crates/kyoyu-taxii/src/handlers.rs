//! The TAXII 2.1 endpoints (spec sections 4 and 5).

use crate::query::{self, Accepts};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use kyoyu_core::View;
use kyoyu_core::ingest::{Envelope, Posted};
use kyoyu_core::reader::{Endpoint, Visible, version_text};
use kyoyu_core::time::format_micros;
use kyoyu_core::{Backend, Collection, Error, ErrorKind, Hub, Status, is_submit};
use kyoyu_http::{Answer, Auth, Failure, HubState, with_type};
use kyoyu_wire::{STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE};
use serde_json::{Value, json};
use std::sync::Arc;

/// A TAXII JSON answer.
fn taxii(status: StatusCode, body: String) -> Response {
    with_type(status, body, TAXII_MEDIA_TYPE)
}

/// Every TAXII route: method, path, summary. The router is built from this
/// table, and the hub's OpenAPI document lists it.
pub const ROUTES: &[(&str, &str, &str)] = &[
    ("get", "/taxii2/", "TAXII 2.1 discovery"),
    ("get", "/{root}/", "An API root"),
    (
        "get",
        "/{root}/status/{status}/",
        "The status of an add-objects request (its owner only)",
    ),
    (
        "get",
        "/{root}/collections/",
        "The collections this token may use",
    ),
    (
        "get",
        "/{root}/collections/{collection}/",
        "One collection (by id or alias)",
    ),
    (
        "get",
        "/{root}/collections/{collection}/manifest/",
        "The manifest of the objects this token may read",
    ),
    (
        "get",
        "/{root}/collections/{collection}/objects/",
        "The objects this token may read",
    ),
    (
        "post",
        "/{root}/collections/{collection}/objects/",
        "Add objects (an envelope); answers a status",
    ),
    (
        "get",
        "/{root}/collections/{collection}/objects/{object}/",
        "One object's versions this token may read",
    ),
    (
        "delete",
        "/{root}/collections/{collection}/objects/{object}/",
        "Delete the versions of an object this token may delete",
    ),
    (
        "get",
        "/{root}/collections/{collection}/objects/{object}/versions/",
        "The version list of an object",
    ),
];

/// The TAXII routes (state: the hub), from [`ROUTES`].
pub fn routes<S: Backend>() -> Router<Arc<Hub<S>>> {
    let mut router = Router::new();
    for (method, path, _) in ROUTES {
        if let Some(h) = handler::<S>(method, path) {
            router = router.route(path, h);
        }
    }
    router.layer(middleware::from_fn(negotiate))
}

/// The handler of one route of [`ROUTES`] (a path with two methods is
/// one route: both are given when the path is first met).
fn handler<S: Backend>(method: &str, path: &str) -> Option<MethodRouter<Arc<Hub<S>>>> {
    Some(match (method, path) {
        ("get", "/taxii2/") => get(discovery::<S>),
        ("get", "/{root}/") => get(api_root::<S>),
        ("get", "/{root}/status/{status}/") => get(status::<S>),
        ("get", "/{root}/collections/") => get(collections::<S>),
        ("get", "/{root}/collections/{collection}/") => get(collection::<S>),
        ("get", "/{root}/collections/{collection}/manifest/") => get(manifest::<S>),
        ("get", "/{root}/collections/{collection}/objects/") => {
            get(get_objects::<S>).post(add_objects::<S>)
        }
        ("get", "/{root}/collections/{collection}/objects/{object}/") => {
            get(get_object::<S>).delete(delete_object::<S>)
        }
        ("get", "/{root}/collections/{collection}/objects/{object}/versions/") => {
            get(versions::<S>)
        }
        _ => return None,
    })
}

/// Adds the trailing slash TAXII URLs end with, so `/taxii2` and `/taxii2/` both work.
pub fn with_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    let taxii = !(path.starts_with("/api/")
        || path == "/console"
        || path.starts_with("/console/")
        || matches!(
            path,
            "/" | "/healthz" | "/readyz" | "/metrics" | "/favicon.ico"
        ));
    if taxii && !path.ends_with('/') {
        let fixed = match req.uri().query() {
            Some(q) => format!("{path}/?{q}"),
            None => format!("{path}/"),
        };
        if let Ok(uri) = fixed.parse() {
            *req.uri_mut() = uri;
        }
    }
    req
}

/// 406 unless the client accepts TAXII 2.1 JSON (TAXII 2.1 section 1.6.8).
async fn negotiate(req: Request, next: Next) -> Response {
    if let Some(accept) = req.headers().get(header::ACCEPT) {
        let accept = accept.to_str().unwrap_or_default().to_ascii_lowercase();
        let ok = accept.split(',').any(|part| {
            let mut params = part.split(';').map(str::trim);
            let media = params.next().unwrap_or_default();
            let version = params
                .find_map(|p| p.strip_prefix("version="))
                .map(|v| v.trim_matches('"'));
            matches!(media, "*/*" | "application/*")
                || (media == "application/taxii+json" && version.is_none_or(|v| v == "2.1"))
        });
        if !ok {
            return Failure::new(
                ErrorKind::NotAcceptable,
                format!("this hub answers in {TAXII_MEDIA_TYPE}; put it in the Accept header"),
            )
            .into_response();
        }
    }
    next.run(req).await
}

fn public_base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

async fn discovery<S: Backend>(
    Auth(_): Auth,
    State(hub): HubState<S>,
    headers: HeaderMap,
) -> Answer {
    let base = public_base(&headers);
    let roots: Vec<String> = hub
        .catalog()
        .roots
        .iter()
        .map(|r| format!("{base}/{}/", r.path))
        .collect();
    let cfg = hub.config();
    let mut body = json!({
        "title": cfg.title,
        "description": cfg.description,
        "contact": cfg.contact,
        "api_roots": roots,
    });
    if let (Some(first), Some(map)) = (roots.first(), body.as_object_mut()) {
        map.insert("default".into(), json!(first));
    }
    Ok(taxii(StatusCode::OK, body.to_string()))
}

async fn api_root<S: Backend>(
    Auth(_): Auth,
    State(hub): HubState<S>,
    Path(root): Path<String>,
) -> Answer {
    let r = hub.root(&root)?;
    let body = json!({
        "title": r.title,
        "description": r.description,
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": hub.config().max_content_length,
    });
    Ok(taxii(StatusCode::OK, body.to_string()))
}

fn collection_json(c: &Collection, view: &View) -> Value {
    let mut body = json!({
        "id": c.id,
        "title": c.title,
        "can_read": view.can_read() && !is_submit(c),
        "can_write": view.can_write(),
        "media_types": [STIX_MEDIA_TYPE],
    });
    if let Some(map) = body.as_object_mut() {
        if let Some(d) = &c.description {
            map.insert("description".into(), json!(d));
        }
        if let Some(a) = &c.alias {
            map.insert("alias".into(), json!(a));
        }
    }
    body
}

async fn collections<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(root): Path<String>,
) -> Answer {
    let visible: Vec<Value> = hub
        .collections_for(&who, &root)?
        .iter()
        .map(|(c, v)| collection_json(c, v))
        .collect();
    let body = if visible.is_empty() {
        json!({})
    } else {
        json!({ "collections": visible })
    };
    Ok(taxii(StatusCode::OK, body.to_string()))
}

async fn collection<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
) -> Answer {
    let (c, view) = hub.collection_for(&who, &root, &id)?;
    Ok(taxii(
        StatusCode::OK,
        collection_json(&c, &view).to_string(),
    ))
}

/// `more`, `next` and the X-TAXII-Date-Added headers of a page.
fn paged(page: &Visible, list_key: &str, list: String) -> Response {
    let mut body = String::with_capacity(list.len() + 128);
    body.push_str(&format!("{{\"more\":{}", page.more));
    if let Some(next) = &page.next {
        body.push_str(&format!(",\"next\":{}", json!(next)));
    }
    if !page.items.is_empty() {
        // Pieces, not format!: the list can be megabytes, copied once.
        body.push_str(",\"");
        body.push_str(list_key);
        body.push_str("\":");
        body.push_str(&list);
    }
    body.push('}');
    let mut r = taxii(StatusCode::OK, body);
    if let (Some(first), Some(last)) = (page.items.first(), page.items.last()) {
        for (name, v) in [
            ("x-taxii-date-added-first", first.date_added),
            ("x-taxii-date-added-last", last.date_added),
        ] {
            if let Ok(value) = HeaderValue::from_str(&format_micros(v)) {
                r.headers_mut().insert(name, value);
            }
        }
    }
    r
}

const LIST_FILTERS: Accepts = Accepts {
    types: true,
    ids: true,
    version: true,
};
const OBJECT_FILTERS: Accepts = Accepts {
    types: false,
    ids: false,
    version: true,
};

/// The manifest records of a page.
fn manifest_list(page: &Visible) -> String {
    let records: Vec<Value> = page
        .items
        .iter()
        .map(|v| {
            json!({
                "id": v.id,
                "date_added": format_micros(v.date_added),
                "version": version_text(v),
                "media_type": STIX_MEDIA_TYPE,
            })
        })
        .collect();
    Value::Array(records).to_string()
}

async fn manifest<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let reader = hub.reader(&who, &root, &id)?;
    let filters = query::parse(raw.as_deref(), LIST_FILTERS)?;
    let page = reader.list(filters, Endpoint::Manifest).await?;
    Ok(paged(&page, "objects", manifest_list(&page)))
}

/// The stored JSON of a page's objects, as a JSON array, without re-encoding them.
fn objects_array(page: &Visible) -> String {
    let mut out =
        String::with_capacity(page.items.iter().map(|v| v.json.len() + 1).sum::<usize>() + 2);
    out.push('[');
    for (i, v) in page.items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&v.json);
    }
    out.push(']');
    out
}

async fn get_objects<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let reader = hub.reader(&who, &root, &id)?;
    let filters = query::parse(raw.as_deref(), LIST_FILTERS)?;
    let page = reader.list(filters, Endpoint::Objects).await?;
    Ok(paged(&page, "objects", objects_array(&page)))
}

async fn get_object<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id, object)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let reader = hub.reader(&who, &root, &id)?;
    let filters = query::parse(raw.as_deref(), OBJECT_FILTERS)?;
    let page = reader.object(filters, &object, Endpoint::Object).await?;
    Ok(paged(&page, "objects", objects_array(&page)))
}

async fn versions<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id, object)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let reader = hub.reader(&who, &root, &id)?;
    let filters = query::parse(
        raw.as_deref(),
        Accepts {
            types: false,
            ids: false,
            version: false,
        },
    )?;
    let page = reader.object(filters, &object, Endpoint::Versions).await?;
    let list: Vec<String> = page.items.iter().map(version_text).collect();
    Ok(paged(&page, "versions", json!(list).to_string()))
}

async fn delete_object<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id, object)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let filters = query::parse(raw.as_deref(), OBJECT_FILTERS)?;
    hub.delete_object(
        &who,
        &root,
        &id,
        &object,
        filters.versions,
        filters.spec_versions,
    )
    .await?;
    Ok(StatusCode::OK.into_response())
}

async fn status<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, status_id)): Path<(String, String)>,
) -> Answer {
    let s = hub.status(&who, &root, &status_id).await?;
    Ok(taxii(StatusCode::OK, status_json(&s).to_string()))
}

fn status_json(s: &Status) -> Value {
    let mut body = json!({
        "id": s.id,
        "status": s.status,
        "request_timestamp": format_micros(s.request_timestamp),
        "total_count": s.total_count,
        "success_count": s.successes.len(),
        "failure_count": s.failures.len(),
        "pending_count": s.pendings.len(),
    });
    if let Some(map) = body.as_object_mut() {
        for (key, list) in [
            ("successes", &s.successes),
            ("failures", &s.failures),
            ("pendings", &s.pendings),
        ] {
            if !list.is_empty() {
                map.insert(key.into(), json!(list));
            }
        }
    }
    body
}

fn media_type_is_taxii(headers: &HeaderMap) -> bool {
    let Some(ct) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let ct = ct.to_ascii_lowercase();
    let mut parts = ct.split(';').map(str::trim);
    let media = parts.next().unwrap_or_default();
    let version = parts
        .find_map(|p| p.strip_prefix("version="))
        .map(|v| v.trim_matches('"'));
    media == "application/taxii+json" && version.is_none_or(|v| v == "2.1")
}

async fn add_objects<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Answer {
    // Who may write is the core's to say, before the body is looked at.
    hub.writable_collection(&who, &root, &id)?;
    if !media_type_is_taxii(&headers) {
        return Err(Failure::new(
            ErrorKind::UnsupportedMediaType,
            format!("send the envelope with Content-Type: {TAXII_MEDIA_TYPE}"),
        ));
    }
    let max = hub.config().max_content_length;
    let body = body.map_err(|e| {
        Failure::new(
            ErrorKind::TooLarge,
            format!("the body could not be read ({e}); this API root accepts at most {max} bytes"),
        )
    })?;
    if body.len() > max {
        return Err(Failure::new(
            ErrorKind::TooLarge,
            format!(
                "the envelope is {} bytes; split it into envelopes of at most {max} bytes",
                body.len()
            ),
        ));
    }
    let envelope: Envelope<'_> = serde_json::from_slice(&body)
        .map_err(|e| Error::bad(format!("the body is not a JSON envelope: {e}")))?;
    match hub.post(&who, &root, &id, envelope).await? {
        Posted::Stored(status) => Ok(taxii(
            StatusCode::ACCEPTED,
            status_json(&status).to_string(),
        )),
        Posted::Concealed(status, out) => {
            let mut body = status_json(&status);
            if let Some(m) = body.as_object_mut() {
                m.insert("x_kyoyu_receipt".into(), json!(out.receipt));
                m.insert("x_kyoyu_state".into(), json!(out.state));
                m.insert("x_kyoyu_dropped".into(), json!(out.dropped));
            }
            Ok(taxii(StatusCode::ACCEPTED, body.to_string()))
        }
    }
}
