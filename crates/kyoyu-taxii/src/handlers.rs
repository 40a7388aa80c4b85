//! The TAXII 2.1 endpoints (spec sections 4 and 5) and the operations ones.

use crate::auth::Auth;
use crate::error::{ErrorKind, TAXII_MEDIA_TYPE, TaxiiError};
use crate::query::{self, Accepts, Filters, format_micros, micros};
use crate::{Caller, Hub};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kyoyu_store::{
    Added, Collection, NewVersion, Query, Status, StatusDetail, Store, StoredVersion, VersionSelect,
};
use kyoyu_trust::policy::{Access, RECIPIENTS_PROPERTY, View, marking_of, may_see_status};
use kyoyu_validate::{Options, validate_object};
use serde_json::{Value, json, value::RawValue};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

type HubState<S> = State<Arc<Hub<S>>>;
type Answer = Result<Response, TaxiiError>;

const STIX_MEDIA_TYPE: &str = "application/stix+json;version=2.1";

fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// A TAXII JSON answer.
fn taxii(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    r
}

/// The router of the whole hub.
pub fn router<S: Store>(hub: Arc<Hub<S>>) -> Router {
    let limit = hub.config.max_content_length;
    let taxii_routes = Router::new()
        .route("/taxii2/", get(discovery))
        .route("/{root}/", get(api_root))
        .route("/{root}/status/{status}/", get(status))
        .route("/{root}/collections/", get(collections))
        .route("/{root}/collections/{collection}/", get(collection))
        .route("/{root}/collections/{collection}/manifest/", get(manifest))
        .route(
            "/{root}/collections/{collection}/objects/",
            get(get_objects).post(add_objects),
        )
        .route(
            "/{root}/collections/{collection}/objects/{object}/",
            get(get_object).delete(delete_object),
        )
        .route(
            "/{root}/collections/{collection}/objects/{object}/versions/",
            get(versions),
        )
        .layer(middleware::from_fn(negotiate));
    Router::new()
        .merge(taxii_routes)
        .merge(crate::rest::routes())
        .merge(crate::submit::routes())
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(metrics))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit.saturating_add(1)))
        .layer(middleware::from_fn(refuse_control_characters))
        .layer(middleware::from_fn_with_state(hub.clone(), observe))
        .with_state(hub)
}

/// Adds the trailing slash TAXII URLs end with, so `/taxii2` and `/taxii2/` both work.
pub fn with_trailing_slash(mut req: Request) -> Request {
    let path = req.uri().path();
    let taxii = !(path.starts_with("/api/") || matches!(path, "/healthz" | "/readyz" | "/metrics"));
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

async fn observe<S: Store>(State(hub): HubState<S>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16();
    hub.metrics
        .record_request(status, started.elapsed().as_secs_f64());
    tracing::debug!(%method, %path, status, micros = started.elapsed().as_micros() as u64, "request");
    response
}

/// 400 for control characters (a NUL, say) in the path or query: no id,
/// filter or name has them, and some databases refuse them outright.
async fn refuse_control_characters(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let raw = format!("{}?{}", uri.path(), uri.query().unwrap_or_default());
    let decoded = percent_encoding::percent_decode_str(&raw).decode_utf8_lossy();
    if decoded.chars().any(char::is_control) {
        return TaxiiError::new(
            ErrorKind::BadRequest,
            "the URL holds control characters; ids, filters and names never do",
        )
        .into_response();
    }
    next.run(req).await
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
            return TaxiiError::new(
                ErrorKind::NotAcceptable,
                format!("this hub answers in {TAXII_MEDIA_TYPE}; put it in the Accept header"),
            )
            .into_response();
        }
    }
    next.run(req).await
}

async fn not_found() -> Response {
    TaxiiError::new(
        ErrorKind::NotFound,
        "no such endpoint: TAXII URLs start at /taxii2/",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    let (_, code, _) = ErrorKind::BadRequest.row();
    let body = json!({
        "title": "Method not allowed",
        "description": "this endpoint does not support that HTTP method (see TAXII 2.1 section 5)",
        "error_code": code,
        "http_status": "405",
    });
    taxii(StatusCode::METHOD_NOT_ALLOWED, body.to_string())
}

fn public_base(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    format!("http://{host}")
}

async fn discovery<S: Store>(Auth(_): Auth, State(hub): HubState<S>, headers: HeaderMap) -> Answer {
    let base = public_base(&headers);
    let roots: Vec<String> = hub
        .catalog()
        .roots
        .iter()
        .map(|r| format!("{base}/{}/", r.path))
        .collect();
    let mut body = json!({
        "title": hub.config.title,
        "description": hub.config.description,
        "contact": hub.config.contact,
        "api_roots": roots,
    });
    if let (Some(first), Some(map)) = (roots.first(), body.as_object_mut()) {
        map.insert("default".into(), json!(first));
    }
    Ok(taxii(StatusCode::OK, body.to_string()))
}

async fn find_root<S: Store>(hub: &Hub<S>, root: &str) -> Result<kyoyu_store::ApiRoot, TaxiiError> {
    hub.catalog()
        .roots
        .iter()
        .find(|r| r.path == root)
        .cloned()
        .ok_or_else(|| {
            TaxiiError::new(
                ErrorKind::NotFound,
                format!("there is no API root '{root}'; see /taxii2/"),
            )
        })
}

async fn api_root<S: Store>(
    Auth(_): Auth,
    State(hub): HubState<S>,
    Path(root): Path<String>,
) -> Answer {
    let r = find_root(&hub, &root).await?;
    let body = json!({
        "title": r.title,
        "description": r.description,
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": hub.config.max_content_length,
    });
    Ok(taxii(StatusCode::OK, body.to_string()))
}

/// Whether a collection only receives concealed submissions.
fn is_submit(c: &Collection) -> bool {
    c.alias
        .as_deref()
        .is_some_and(|a| a.starts_with(crate::submit::SUBMIT_PREFIX))
}

/// A community's write-only collection for concealed submissions (not
/// stored: it exists for every community's collection).
fn submit_collection(c: &Collection) -> Collection {
    let community = c.alias.clone().unwrap_or_default();
    Collection {
        id: format!("{}{community}", crate::submit::SUBMIT_PREFIX),
        api_root: c.api_root.clone(),
        title: format!("Concealed submissions to {}", c.title),
        description: Some(format!(
            "Objects posted here are released to '{community}' without naming your organization (see docs/concealment.md); the status carries your receipt as x_kyoyu_receipt"
        )),
        alias: Some(format!("{}{community}", crate::submit::SUBMIT_PREFIX)),
    }
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

async fn collections<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(root): Path<String>,
) -> Answer {
    find_root(&hub, &root).await?;
    let catalog = hub.catalog();
    let mut visible: Vec<Value> = Vec::new();
    let mut submit: Vec<Value> = Vec::new();
    for c in catalog.collections.iter().filter(|c| c.api_root == root) {
        let view = who.view_of(c);
        if view.can_read() || view.can_write() {
            visible.push(collection_json(c, &view));
        }
        if view.can_write() {
            submit.push(collection_json(&submit_collection(c), &view));
        }
    }
    visible.extend(submit);
    let body = if visible.is_empty() {
        json!({})
    } else {
        json!({ "collections": visible })
    };
    Ok(taxii(StatusCode::OK, body.to_string()))
}

/// The collection and the caller's view of it, if it exists and the caller
/// may see it (else 404: existence is not revealed).
async fn visible_collection<S: Store>(
    hub: &Hub<S>,
    who: &Caller,
    root: &str,
    id: &str,
) -> Result<(Collection, View), TaxiiError> {
    find_root(hub, root).await?;
    let wanted = id.strip_prefix(crate::submit::SUBMIT_PREFIX);
    hub.catalog()
        .collections
        .iter()
        .find(|c| c.api_root == root && (c.id == id || c.alias.as_deref() == Some(id)))
        .cloned()
        .or_else(|| {
            let community = wanted?;
            hub.catalog()
                .collections
                .iter()
                .find(|c| {
                    c.api_root == root
                        && (c.alias.as_deref() == Some(community) || c.id == community)
                })
                .map(submit_collection)
        })
        .map(|c| {
            let view = who.view_of(&c);
            (c, view)
        })
        .filter(|(_, v)| v.can_read() || v.can_write())
        .ok_or_else(|| {
            TaxiiError::new(
                ErrorKind::NotFound,
                format!("there is no collection '{id}' in '{root}' that this token may use"),
            )
        })
}

async fn collection<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
) -> Answer {
    let (c, view) = visible_collection(&hub, &who, &root, &id).await?;
    Ok(taxii(
        StatusCode::OK,
        collection_json(&c, &view).to_string(),
    ))
}

/// The caller's collection for a read endpoint: 404 if it may not use the
/// collection at all, 403 if it may only write it.
async fn readable_collection<S: Store>(
    hub: &Hub<S>,
    who: &Caller,
    root: &str,
    id: &str,
) -> Result<(Collection, View), TaxiiError> {
    let (c, view) = visible_collection(hub, who, root, id).await?;
    must_read(&view, &c)?;
    Ok((c, view))
}

fn must_read(view: &View, c: &Collection) -> Result<(), TaxiiError> {
    if is_submit(c) {
        return Err(TaxiiError::new(
            ErrorKind::Forbidden,
            format!(
                "collection '{}' only receives concealed submissions; read the community's own collection '{}'",
                c.id,
                crate::community_of(c)
            ),
        ));
    }
    if view.can_read() {
        Ok(())
    } else {
        Err(TaxiiError::new(
            ErrorKind::Forbidden,
            format!("this token may not read collection '{}'", c.id),
        ))
    }
}

fn must_write(view: &View, c: &Collection) -> Result<(), TaxiiError> {
    if view.can_write() {
        Ok(())
    } else {
        Err(TaxiiError::new(
            ErrorKind::Forbidden,
            format!(
                "this token may not write to collection '{}' (read-only token, or its organization is not a member of community '{}')",
                c.id,
                c.alias.as_deref().unwrap_or_default()
            ),
        ))
    }
}

/// A page of what the caller may see.
pub(crate) struct Visible {
    /// The versions, in `seq` order.
    pub(crate) items: Vec<StoredVersion>,
    /// Whether more may follow.
    pub(crate) more: bool,
    /// Where the next page starts (the last position examined).
    pub(crate) resume: Option<i64>,
}

/// Rows examined for one page at most, so a reader who may see little of a
/// large collection gets short pages (with `more` and `next`) rather than
/// one slow request.
const SCAN_LIMIT: usize = 20_000;

/// The policy's facts about a stored version.
pub(crate) fn access_of(v: &StoredVersion) -> Access<'_> {
    Access {
        tlp: v.tlp,
        recipients: &v.recipients,
        author: &v.author,
    }
}

/// Runs a filtered, paged query and keeps what the policy lets the caller
/// see; `default_versions` applies when no match[version] is given.
async fn page<S: Store>(
    hub: &Hub<S>,
    c: &Collection,
    view: &View,
    filters: Filters,
    object: Option<String>,
    default_versions: VersionSelect,
    with_json: bool,
) -> Result<Visible, TaxiiError> {
    let mut after_seq = filters
        .next
        .as_deref()
        .map(|n| hub.position(&c.id, n))
        .transpose()?;
    let mut ids = filters.ids;
    if let Some(o) = object {
        ids = vec![o];
    }
    let limit = filters
        .limit
        .unwrap_or(hub.config.default_page)
        .min(hub.config.max_page)
        .max(1);
    let mut query = Query {
        collection: c.id.clone(),
        added_after: filters.added_after,
        after_seq,
        ids,
        types: filters.types,
        versions: filters.versions.unwrap_or(default_versions),
        spec_versions: filters.spec_versions,
        limit,
        with_json,
    };
    // How much of this collection this organization's pages hid last time:
    // the first query over-fetches by that share, so a page needs one query.
    let memory = (c.id.clone(), view.org().to_owned());
    let remembered = hub.hidden_share(&memory);
    let mut items = Vec::new();
    let mut scanned = 0usize;
    let done = |items: Vec<StoredVersion>, more: bool, resume: Option<i64>, scanned: usize| {
        let hidden = scanned.saturating_sub(items.len());
        hub.remember_hidden_share(memory.clone(), hidden, scanned);
        Ok(Visible {
            items,
            more,
            resume,
        })
    };
    loop {
        query.after_seq = after_seq;
        // Ask for what is missing, plus what the share hidden so far (or
        // last time) says will be hidden.
        let missing = limit - items.len();
        query.limit = if scanned == 0 {
            if remembered > 0.0 {
                // Enough rows that, at the remembered share, one query fills the page.
                (limit as f64 / (1.0 - remembered)).ceil() as usize + 16
            } else {
                limit
            }
        } else {
            let hidden = scanned - items.len();
            (missing + missing * hidden / items.len().max(1) + 16).min(limit.max(missing) * 4)
        };
        let got = hub.store.query(query.clone()).await?;
        let fetched = got.items.len();
        for (i, v) in got.items.into_iter().enumerate() {
            scanned += 1;
            after_seq = Some(v.seq);
            if view.may_read(&access_of(&v)) {
                items.push(v);
                if items.len() == limit {
                    let rest = i + 1 < fetched;
                    return done(items, rest || got.more, after_seq, scanned);
                }
            }
        }
        if !got.more {
            return done(items, false, after_seq, scanned);
        }
        if scanned >= SCAN_LIMIT {
            return done(items, true, after_seq, scanned);
        }
    }
}

/// One object's versions; 404 when the collection holds none the caller may see.
async fn object_page<S: Store>(
    hub: &Hub<S>,
    c: &Collection,
    view: &View,
    filters: Filters,
    object: &str,
    default_versions: VersionSelect,
    with_json: bool,
) -> Result<Visible, TaxiiError> {
    let found = page(
        hub,
        c,
        view,
        filters,
        Some(object.to_owned()),
        default_versions,
        with_json,
    )
    .await?;
    if found.items.is_empty() && !found.more {
        return Err(TaxiiError::new(
            ErrorKind::NotFound,
            format!(
                "collection '{}' holds no object '{object}' matching the filters that this token may see",
                c.id
            ),
        ));
    }
    Ok(found)
}

/// Records, in the audit trail, the marked objects a caller was given.
async fn audit_reads<S: Store>(
    hub: &Hub<S>,
    who: &Caller,
    view: &View,
    c: &Collection,
    endpoint: &str,
    items: &[StoredVersion],
) {
    // One string per object, `id@version`: the entry stays small, and
    // building it costs the request little.
    let mut read = String::new();
    let mut count = 0usize;
    for v in items.iter().filter(|v| view.read_is_audited(v.tlp)) {
        if count > 0 {
            read.push(' ');
        }
        read.push_str(&v.id);
        read.push('@');
        if v.version.is_empty() {
            read.push_str(&format_micros(v.date_added));
        } else {
            read.push_str(&v.version);
        }
        count += 1;
    }
    if count > 0 {
        let detail = json!({
            "endpoint": endpoint, "collection": c.alias, "count": count, "objects": read,
        });
        hub.audit_later(who.audit("objects.read", &c.id, detail))
            .await;
    }
}

/// The version a record shows: its `modified`/`created`, or when it was added (unversioned SCOs).
fn version_text(v: &kyoyu_store::StoredVersion) -> String {
    if v.version.is_empty() {
        format_micros(v.date_added)
    } else {
        v.version.clone()
    }
}

fn last_version() -> VersionSelect {
    VersionSelect {
        last: true,
        ..VersionSelect::default()
    }
}

fn all_versions() -> VersionSelect {
    VersionSelect {
        all: true,
        ..VersionSelect::default()
    }
}

/// `more`, `next` and the X-TAXII-Date-Added headers of a page.
fn paged(
    hub: &Hub<impl Store>,
    c: &Collection,
    page: &Visible,
    list_key: &str,
    list: String,
) -> Response {
    let mut body = String::with_capacity(list.len() + 128);
    body.push_str(&format!("{{\"more\":{}", page.more));
    if page.more
        && let Some(resume) = page.resume
    {
        body.push_str(&format!(",\"next\":{}", json!(hub.cursor(&c.id, resume))));
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

async fn manifest<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let (c, view) = readable_collection(&hub, &who, &root, &id).await?;
    let filters = query::parse(raw.as_deref(), LIST_FILTERS)?;
    let page = page(&hub, &c, &view, filters, None, last_version(), false).await?;
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
    Ok(paged(
        &hub,
        &c,
        &page,
        "objects",
        Value::Array(records).to_string(),
    ))
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

async fn get_objects<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let (c, view) = readable_collection(&hub, &who, &root, &id).await?;
    let filters = query::parse(raw.as_deref(), LIST_FILTERS)?;
    let page = page(&hub, &c, &view, filters, None, last_version(), true).await?;
    Ok(objects_answer(&hub, &who, &view, &c, "objects", &page).await)
}

/// An envelope of objects, after recording the marked ones in the audit trail.
async fn objects_answer<S: Store>(
    hub: &Hub<S>,
    who: &Caller,
    view: &View,
    c: &Collection,
    endpoint: &str,
    page: &Visible,
) -> Response {
    audit_reads(hub, who, view, c, endpoint, &page.items).await;
    paged(hub, c, page, "objects", objects_array(page))
}

async fn get_object<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id, object)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let (c, view) = readable_collection(&hub, &who, &root, &id).await?;
    let filters = query::parse(raw.as_deref(), OBJECT_FILTERS)?;
    let page = object_page(&hub, &c, &view, filters, &object, last_version(), true).await?;
    Ok(objects_answer(&hub, &who, &view, &c, "object", &page).await)
}

async fn versions<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id, object)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    let (c, view) = readable_collection(&hub, &who, &root, &id).await?;
    let filters = query::parse(
        raw.as_deref(),
        Accepts {
            types: false,
            ids: false,
            version: false,
        },
    )?;
    let page = object_page(&hub, &c, &view, filters, &object, all_versions(), false).await?;
    let list: Vec<String> = page.items.iter().map(version_text).collect();
    Ok(paged(&hub, &c, &page, "versions", json!(list).to_string()))
}

async fn delete_object<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id, object)): Path<(String, String, String)>,
    RawQuery(raw): RawQuery,
) -> Answer {
    // TAXII 2.1 section 5.7: deleting needs both can_read and can_write.
    let (c, view) = visible_collection(&hub, &who, &root, &id).await?;
    must_read(&view, &c)?;
    must_write(&view, &c)?;
    let filters = query::parse(raw.as_deref(), OBJECT_FILTERS)?;
    // The same selection for the check and the delete (an empty one means all in both).
    let versions = filters
        .versions
        .clone()
        .filter(|v| *v != VersionSelect::default())
        .unwrap_or_else(all_versions);
    // What would go: every selected version must be the caller's to delete.
    let selected = hub
        .store
        .query(Query {
            collection: c.id.clone(),
            ids: vec![object.clone()],
            versions: versions.clone(),
            spec_versions: filters.spec_versions.clone(),
            limit: usize::MAX / 2,
            ..Query::default()
        })
        .await?;
    let visible: Vec<&StoredVersion> = selected
        .items
        .iter()
        .filter(|v| view.may_read(&access_of(v)))
        .collect();
    if visible.is_empty() {
        return Err(TaxiiError::new(
            ErrorKind::NotFound,
            format!(
                "collection '{}' holds no object '{object}' that this token may see",
                c.id
            ),
        ));
    }
    if visible.len() < selected.items.len() || !visible.iter().all(|v| view.may_delete(&v.author)) {
        return Err(TaxiiError::new(
            ErrorKind::Forbidden,
            "only the organization that contributed an object, the community's admins and hub admins may delete it",
        ));
    }
    let gone: Vec<String> = visible.iter().map(|v| version_text(v)).collect();
    let audit = who.audit(
        "objects.delete",
        &c.id,
        json!({ "collection": c.alias, "object": object, "versions": gone }),
    );
    let n = hub
        .store
        .delete_object(&c.id, &object, versions, filters.spec_versions, audit)
        .await?;
    if n == 0 {
        return Err(TaxiiError::new(
            ErrorKind::NotFound,
            format!("collection '{}' holds no object '{object}'", c.id),
        ));
    }
    Ok(StatusCode::OK.into_response())
}

async fn status<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, status_id)): Path<(String, String)>,
) -> Answer {
    find_root(&hub, &root).await?;
    let s = hub
        .store
        .status(&root, &status_id)
        .await?
        .filter(|s| may_see_status(&who.principal, &s.owner))
        .ok_or_else(|| {
            TaxiiError::new(
                ErrorKind::NotFound,
                format!("there is no status '{status_id}' in '{root}' for this organization"),
            )
        })?;
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

#[derive(serde::Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    objects: Option<Vec<&'a RawValue>>,
    /// Recipient organizations for every object that names none itself.
    #[serde(default, rename = "x_kyoyu_recipients")]
    recipients: Vec<String>,
    /// Concealed submissions: the TLP level to release at.
    #[serde(default, rename = "x_kyoyu_tlp")]
    tlp: Option<String>,
    /// Concealed submissions: waive batching.
    #[serde(default, rename = "x_kyoyu_urgent")]
    urgent: bool,
}

/// A concealed submission over TAXII: the status is `pending` until the
/// release, lists the ids the objects will have, and carries the receipt
/// (`x_kyoyu_receipt`). It is not stored: a stored status would tie the
/// submitter's token to the submission.
async fn submit_envelope<S: Store>(
    hub: &Hub<S>,
    who: &Caller,
    c: &Collection,
    objects: &[&RawValue],
    tlp: &Option<String>,
    urgent: bool,
) -> Answer {
    let parsed = objects
        .iter()
        .map(|r| serde_json::from_str::<Value>(r.get()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            TaxiiError::new(ErrorKind::BadRequest, format!("an object is not JSON: {e}"))
        })?;
    let request_timestamp = now_micros();
    let req = crate::submit::SubmitRequest {
        community: crate::community_of(c).to_owned(),
        objects: parsed,
        tlp: tlp.clone(),
        urgent,
        ..Default::default()
    };
    let out = hub.submit(who, req).await?;
    let submission = out.submission.clone();
    let released = out.state == "released";
    let details: Vec<StatusDetail> = hub
        .store
        .submission(&submission)
        .await?
        .map(|s| s.objects)
        .unwrap_or_default()
        .iter()
        .map(|o| StatusDetail {
            id: o
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            version: o.get("modified").and_then(Value::as_str).map(str::to_owned),
            message: None,
        })
        .collect();
    // Counts are of what will be published: concealment drops the reporter's identities.
    let status = Status {
        id: submission,
        api_root: c.api_root.clone(),
        status: if released { "complete" } else { "pending" }.into(),
        request_timestamp,
        total_count: details.len() as u64,
        successes: if released {
            details.clone()
        } else {
            Vec::new()
        },
        failures: Vec::new(),
        pendings: if released { Vec::new() } else { details },
        owner: String::new(),
    };
    let mut body = status_json(&status);
    if let Some(m) = body.as_object_mut() {
        m.insert("x_kyoyu_receipt".into(), json!(out.receipt));
        m.insert("x_kyoyu_state".into(), json!(out.state));
        m.insert("x_kyoyu_dropped".into(), json!(out.dropped));
    }
    Ok(taxii(StatusCode::ACCEPTED, body.to_string()))
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

/// One object of an envelope: validated, its version fields and markings
/// read, its recipients checked against the known organizations.
fn admit(
    raw: &RawValue,
    recipients: &[String],
    dir: &kyoyu_trust::Directory,
) -> Result<NewVersion, StatusDetail> {
    let value: Value = serde_json::from_str(raw.get()).map_err(|e| StatusDetail {
        id: String::new(),
        version: None,
        message: Some(format!("not JSON: {e}")),
    })?;
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let report = validate_object(&value, &Options::default());
    if !report.valid {
        let first = report
            .errors()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default();
        let more = report.errors().count().saturating_sub(1);
        let message = if more > 0 {
            format!("{first} (and {more} more)")
        } else {
            first
        };
        let version = value
            .get("modified")
            .or_else(|| value.get("created"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Err(StatusDetail {
            id,
            version,
            message: Some(message),
        });
    }
    let version = new_version(&value, raw.get().to_owned(), recipients);
    if let Some(unknown) = version.recipients.iter().find(|r| dir.org(r).is_none()) {
        return Err(StatusDetail {
            id,
            version: (!version.version.is_empty()).then(|| version.version.clone()),
            message: Some(format!(
                "{RECIPIENTS_PROPERTY} names '{unknown}', which is not an organization of this hub; use organization ids (GET /api/orgs)"
            )),
        });
    }
    Ok(version)
}

/// The stored form of a valid object: its version fields and what the
/// policy needs (strictest TLP, recipients: its own, else `recipients`).
pub(crate) fn new_version(value: &Value, json: String, recipients: &[String]) -> NewVersion {
    let text = |k: &str| value.get(k).and_then(Value::as_str);
    let version = text("modified")
        .or_else(|| text("created"))
        .unwrap_or_default()
        .to_owned();
    let version_key = kyoyu_stix::Timestamp::parse(&version)
        .map(|t| micros(&t))
        .unwrap_or(0);
    let (tlp, recipients) = marking_of(value, recipients);
    NewVersion {
        object_type: text("type").unwrap_or_default().to_owned(),
        spec_version: text("spec_version").unwrap_or("2.1").to_owned(),
        id: text("id").unwrap_or_default().to_owned(),
        version,
        version_key,
        json,
        tlp,
        recipients,
    }
}

async fn add_objects<S: Store>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((root, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Answer {
    let (c, view) = visible_collection(&hub, &who, &root, &id).await?;
    must_write(&view, &c)?;
    if !media_type_is_taxii(&headers) {
        return Err(TaxiiError::new(
            ErrorKind::UnsupportedMediaType,
            format!("send the envelope with Content-Type: {TAXII_MEDIA_TYPE}"),
        ));
    }
    let body = body.map_err(|e| {
        TaxiiError::new(
            ErrorKind::TooLarge,
            format!(
                "the body could not be read ({e}); this API root accepts at most {} bytes",
                hub.config.max_content_length
            ),
        )
    })?;
    if body.len() > hub.config.max_content_length {
        return Err(TaxiiError::new(
            ErrorKind::TooLarge,
            format!(
                "the envelope is {} bytes; split it into envelopes of at most {} bytes",
                body.len(),
                hub.config.max_content_length
            ),
        ));
    }
    let envelope: Envelope<'_> = serde_json::from_slice(&body).map_err(|e| {
        TaxiiError::new(
            ErrorKind::BadRequest,
            format!("the body is not a JSON envelope: {e}"),
        )
    })?;
    let objects = envelope.objects.ok_or_else(|| {
        TaxiiError::new(
            ErrorKind::Unprocessable,
            "the envelope has no 'objects' list: send {\"objects\": [...]}",
        )
    })?;
    if is_submit(&c) {
        return submit_envelope(&hub, &who, &c, &objects, &envelope.tlp, envelope.urgent).await;
    }
    let request_timestamp = now_micros();
    let mut admitted = Vec::with_capacity(objects.len());
    let mut failures = Vec::new();
    let dir = hub.directory();
    for raw in &objects {
        match admit(raw, &envelope.recipients, &dir) {
            Ok(v) => admitted.push(v),
            Err(f) => failures.push(f),
        }
    }
    let details: Vec<StatusDetail> = admitted
        .iter()
        .map(|v| StatusDetail {
            id: v.id.clone(),
            version: (!v.version.is_empty()).then(|| v.version.clone()),
            message: None,
        })
        .collect();
    let status_id = uuid::Uuid::new_v4().to_string();
    let audit = who.audit(
        "objects.add",
        &c.id,
        json!({
            "collection": c.alias,
            "status": status_id,
            "objects": details.iter().map(|d| json!([d.id, d.version])).collect::<Vec<_>>(),
            "refused": failures.len(),
        }),
    );
    let outcomes = hub
        .store
        .add_versions(
            &c.id,
            admitted,
            request_timestamp,
            &who.principal.org,
            audit,
        )
        .await?;
    let stored = outcomes.iter().filter(|o| **o == Added::New).count() as u64;
    // A member may not supersede another organization's report (or the hub's release).
    let mut successes = Vec::with_capacity(details.len());
    for (d, outcome) in details.into_iter().zip(&outcomes) {
        if *outcome == Added::Foreign {
            failures.push(StatusDetail {
                message: Some(
                    "another organization contributed this object: post your own (a new id), or a sighting, note or opinion that refers to it".into(),
                ),
                ..d
            });
        } else {
            successes.push(d);
        }
    }
    let details = successes;
    hub.metrics.record_ingest(stored, failures.len() as u64);
    let status = Status {
        id: status_id,
        api_root: root,
        status: "complete".into(),
        request_timestamp,
        total_count: objects.len() as u64,
        successes: details,
        failures,
        pendings: Vec::new(),
        owner: who.principal.org.clone(),
    };
    hub.store.put_status(status.clone()).await?;
    Ok(taxii(
        StatusCode::ACCEPTED,
        status_json(&status).to_string(),
    ))
}

async fn ready<S: Store>(State(hub): HubState<S>) -> Response {
    match hub.store.api_roots().await {
        Ok(_) => (StatusCode::OK, "ready").into_response(),
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "storage unavailable").into_response(),
    }
}

async fn metrics<S: Store>(State(hub): HubState<S>) -> Response {
    let stored = hub.store.count_versions().await.unwrap_or(0);
    let mut r = hub.metrics.render(stored).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4"),
    );
    r
}
