//! The REST administration API (`/api/…`, JSON): organizations,
//! communities, memberships, supplier circles, tokens, the audit trail, and
//! a cross-collection object lookup. Described by `/api/openapi.json`.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kyoyu_core::admin::TokenSpec;
use kyoyu_core::{Backend, Caller, DEFAULT_ROOT, Error, ErrorKind};
use kyoyu_http::{Answer, Auth, Failure, HubState, body, json as ok_json};
use kyoyu_trust::policy::{may_manage_community, may_see_identifying};
use kyoyu_trust::{Community, CommunityKind, Distribution, MemberRole, Org, Role};
use kyoyu_wire::admin::{
    TOKEN_SHAPE, TokenInfo, TokenRequest, USER_SHAPE, USER_STATE_SHAPE, UserRequest,
    UserStateRequest,
};
use serde::Deserialize;
use serde_json::{Value, json};

fn not_found(why: String) -> Failure {
    Failure(Error::not_found(why))
}

pub(crate) async fn openapi(others: &'static [&'static [crate::Route]]) -> Response {
    ok_json(StatusCode::OK, &crate::openapi::document(others))
}

pub(crate) async fn identity<S: Backend>(Auth(_): Auth, State(hub): HubState<S>) -> Answer {
    let identity = hub.identity().await?;
    let mut r = (StatusCode::OK, identity).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(kyoyu_wire::STIX_MEDIA_TYPE),
    );
    Ok(r)
}

/// The caller, and its standing in every community it can use.
pub(crate) async fn whoami(Auth(who): Auth) -> Response {
    let dir = who.directory();
    let communities: Vec<Value> = dir
        .communities()
        .filter_map(|c| {
            let v = who.view(&c.id);
            (v.can_read() || v.can_write()).then(|| {
                json!({
                    "id": c.id,
                    "standing": dir.membership(&c.id, &who.principal.org).map(MemberRole::name),
                    "can_read": v.can_read(),
                    "can_write": v.can_write(),
                })
            })
        })
        .collect();
    ok_json(
        StatusCode::OK,
        &json!({
            "token": who.token_id,
            "org": who.principal.org,
            "role": who.principal.role.name(),
            "read_only": who.principal.read_only,
            "communities": communities,
        }),
    )
}

pub(crate) async fn sectors<S: Backend>(Auth(_): Auth, State(hub): HubState<S>) -> Response {
    ok_json(StatusCode::OK, &json!({ "sectors": hub.seeds().sectors }))
}

/// An organization as `who` may see it: identifying data (domains, ranges,
/// aliases, staff, contacts) only for hub admins and the organization itself.
fn org_json(who: &Caller, o: &Org) -> Value {
    if may_see_identifying(&who.principal, &o.id) {
        return json!(o);
    }
    json!({
        "id": o.id, "kind": o.kind, "name": o.name, "name_ja": o.name_ja,
        "sectors": o.sectors, "country": o.country,
    })
}

pub(crate) async fn list_orgs(Auth(who): Auth) -> Response {
    let orgs: Vec<Value> = who.directory().orgs().map(|o| org_json(&who, o)).collect();
    ok_json(StatusCode::OK, &json!({ "orgs": orgs }))
}

pub(crate) async fn get_org(Auth(who): Auth, Path(id): Path<String>) -> Answer {
    let o = who
        .directory()
        .org(&id)
        .ok_or_else(|| not_found(format!("there is no organization '{id}'")))?;
    let mut v = org_json(&who, o);
    if let Some(map) = v.as_object_mut() {
        let member_of: Vec<Value> = who
            .directory()
            .memberships_of(&id)
            .filter(|(c, _)| sees_community(&who, c))
            .map(|(c, r)| json!({"community": c, "standing": r.name()}))
            .collect();
        map.insert("communities".into(), json!(member_of));
    }
    Ok(ok_json(StatusCode::OK, &v))
}

const ORG_SHAPE: &str = r#"{"id", "kind", "name", "name_ja"?, "sectors"?: [..], "country"?, "contacts"?: [{"name","email","phone"}], "domains"?: [..], "ip_ranges"?: [..], "aliases"?: [..], "asns"?: [..], "staff"?: [..]}"#;

pub(crate) async fn create_org<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    hub.may_manage_orgs(&who)?;
    let org: Org = body(&bytes, ORG_SHAPE)?;
    let org = hub.create_org(&who, org).await?;
    Ok(ok_json(StatusCode::CREATED, &json!(org)))
}

pub(crate) async fn update_org<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    hub.may_manage_orgs(&who)?;
    let org: Org = body(&bytes, ORG_SHAPE)?;
    if org.id != id {
        return Err(Failure::new(
            ErrorKind::BadRequest,
            format!("the body's id '{}' differs from the URL's '{id}'", org.id),
        ));
    }
    let org = hub.update_org(&who, org).await?;
    Ok(ok_json(StatusCode::OK, &json!(org)))
}

pub(crate) async fn delete_org<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    hub.delete_org(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn list_suppliers<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    let circle = hub.circle_of(&id)?;
    let view = who.view(&circle);
    if !view.can_read() {
        return Err(not_found(format!(
            "this token may not see the suppliers of '{id}'"
        )));
    }
    let suppliers: Vec<&str> = who
        .directory()
        .members(&circle)
        .map(|(o, _)| o)
        .filter(|o| *o != id)
        .collect();
    Ok(ok_json(
        StatusCode::OK,
        &json!({ "operator": id, "community": circle, "suppliers": suppliers }),
    ))
}

pub(crate) async fn add_supplier<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((id, supplier)): Path<(String, String)>,
) -> Answer {
    let circle = hub.circle_of(&id)?;
    if supplier == id {
        return Err(Failure::new(
            ErrorKind::BadRequest,
            "an operator cannot be its own supplier",
        ));
    }
    hub.set_member(&who, &circle, &supplier, MemberRole::Member)
        .await?;
    Ok(ok_json(
        StatusCode::OK,
        &json!({ "operator": id, "supplier": supplier, "community": circle }),
    ))
}

pub(crate) async fn remove_supplier<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((id, supplier)): Path<(String, String)>,
) -> Answer {
    let circle = hub.circle_of(&id)?;
    hub.remove_member(&who, &circle, &supplier).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn community_json(who: &Caller, c: &Community) -> Value {
    let v = who.view(&c.id);
    let mut out = json!(c);
    if let Some(map) = out.as_object_mut() {
        map.insert(
            "collection".into(),
            json!(format!("/{DEFAULT_ROOT}/collections/{}/", c.id)),
        );
        map.insert(
            "members".into(),
            json!(who.directory().members(&c.id).count()),
        );
        map.insert("can_read".into(), json!(v.can_read()));
        map.insert("can_write".into(), json!(v.can_write()));
    }
    out
}

/// Whether the caller may know a community exists: those who may use or
/// manage it (hub admins: all). Everyone else gets a 404, as over TAXII.
fn sees_community(who: &Caller, id: &str) -> bool {
    let v = who.view(id);
    v.can_read() || v.can_write() || may_manage_community(who.directory(), &who.principal, id)
}

pub(crate) async fn list_communities(Auth(who): Auth) -> Response {
    let list: Vec<Value> = who
        .directory()
        .communities()
        .filter(|c| sees_community(&who, &c.id))
        .map(|c| community_json(&who, c))
        .collect();
    ok_json(StatusCode::OK, &json!({ "communities": list }))
}

pub(crate) async fn get_community(Auth(who): Auth, Path(id): Path<String>) -> Answer {
    let c = who
        .directory()
        .community(&id)
        .filter(|_| sees_community(&who, &id))
        .ok_or_else(|| {
            not_found(format!(
                "there is no community '{id}' that this token may see"
            ))
        })?;
    let mut out = community_json(&who, c);
    // Who belongs is shown to those who may use the community.
    let view = who.view(&id);
    if (view.can_read() || may_manage_community(who.directory(), &who.principal, &id))
        && let Some(map) = out.as_object_mut()
    {
        let members: Vec<Value> = who
            .directory()
            .members(&id)
            .map(|(o, r)| json!({"org": o, "standing": r.name()}))
            .collect();
        map.insert("members".into(), json!(members));
    }
    Ok(ok_json(StatusCode::OK, &out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewCommunity {
    id: String,
    kind: CommunityKind,
    name: Option<String>,
    name_ja: Option<String>,
    default_tlp: Option<String>,
    distribution: Option<Distribution>,
    #[serde(default)]
    connected: Vec<String>,
    #[serde(default)]
    release_without_review: bool,
}

pub(crate) async fn create_community<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: NewCommunity = body(
        &bytes,
        r#"{"id", "kind": "iot|national|ceptoar-council|overseas|custom", "name"?, "name_ja"?, "default_tlp"?: "green|amber|amber+strict|red", "distribution"?: "organization|community|connected|all", "connected"?: [community ids], "release_without_review"?: false}"#,
    )?;
    let default_tlp = match req.default_tlp.as_deref() {
        None => kyoyu_stix::tlp::Tlp::Amber,
        Some(t) => kyoyu_stix::tlp::Tlp::parse(t).ok_or_else(|| {
            Failure::new(
                ErrorKind::BadRequest,
                format!(
                    "default_tlp '{t}' is not a TLP level: use green, amber, amber+strict or red"
                ),
            )
        })?,
    };
    let community = Community {
        name: req.name.unwrap_or_else(|| req.id.clone()),
        id: req.id,
        kind: req.kind,
        name_ja: req.name_ja,
        sector: None,
        owner: None,
        default_tlp,
        distribution: req.distribution.unwrap_or(Distribution::Community),
        connected: req.connected,
        release_without_review: req.release_without_review,
    };
    let c = hub.create_community(&who, community).await?;
    Ok(ok_json(StatusCode::CREATED, &community_json(&who, &c)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReviewRule {
    release_without_review: bool,
}

pub(crate) async fn set_review_rule<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: ReviewRule = body(&bytes, r#"{"release_without_review": true|false}"#)?;
    let c = hub
        .set_release_without_review(&who, &id, req.release_without_review)
        .await?;
    Ok(ok_json(StatusCode::OK, &community_json(&who, &c)))
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct MemberRequest {
    role: Option<String>,
}

pub(crate) async fn set_member<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((id, org)): Path<(String, String)>,
    bytes: Bytes,
) -> Answer {
    let req: MemberRequest = if bytes.is_empty() {
        MemberRequest::default()
    } else {
        body(&bytes, r#"{"role": "member|community-admin|observer"}"#)?
    };
    let role = match req.role.as_deref() {
        None => MemberRole::Member,
        Some(r) => MemberRole::parse(r).ok_or_else(|| {
            Failure::new(
                ErrorKind::BadRequest,
                format!("role '{r}' is not a standing: use member, community-admin or observer"),
            )
        })?,
    };
    hub.set_member(&who, &id, &org, role).await?;
    Ok(ok_json(
        StatusCode::OK,
        &json!({ "community": id, "org": org, "standing": role.name() }),
    ))
}

pub(crate) async fn remove_member<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path((id, org)): Path<(String, String)>,
) -> Answer {
    hub.remove_member(&who, &id, &org).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(crate) async fn list_tokens<S: Backend>(Auth(who): Auth, State(hub): HubState<S>) -> Answer {
    let list = hub.list_tokens(&who).await?;
    Ok(ok_json(StatusCode::OK, &json!({ "tokens": list })))
}

/// `POST /api/tokens`: issues a token and returns its secret once.
pub(crate) async fn create_token<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: TokenRequest = body(&bytes, TOKEN_SHAPE)?;
    let role = match req.role.as_deref() {
        None => Role::Member,
        Some(r) => Role::parse(r).ok_or_else(|| {
            Failure::new(
                ErrorKind::BadRequest,
                format!(
                    "role '{r}' is not a role: use member, analyst, community-admin, ministry-liaison, national-centre-officer or hub-admin"
                ),
            )
        })?,
    };
    let spec = TokenSpec {
        org: req.org.unwrap_or_else(|| who.principal.org.clone()),
        role,
        name: req.name.unwrap_or_else(|| "token".into()),
        read_only: req.read_only,
        ip_allow: req.ip_allow,
        expires_in: req.expires_in,
    };
    let (secret, record): (String, TokenInfo) = hub.issue_token(&who, spec).await?;
    let mut out = json!(record);
    if let Some(map) = out.as_object_mut() {
        map.insert("token".into(), json!(secret));
    }
    Ok(ok_json(StatusCode::CREATED, &out))
}

pub(crate) async fn revoke_token<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    hub.revoke_token(&who, &id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub(crate) struct UsersQuery {
    org: Option<String>,
}

/// `GET /api/users[?org=ID]`.
pub(crate) async fn list_users<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Query(q): Query<UsersQuery>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &hub.users(&who, q.org.as_deref()).await?,
    ))
}

/// `POST /api/users`: creates a user; its temporary password is in the answer once.
pub(crate) async fn create_user<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: UserRequest = body(&bytes, USER_SHAPE)?;
    Ok(ok_json(
        StatusCode::CREATED,
        &hub.create_user(&who, req).await?,
    ))
}

/// `PUT /api/users/{login}/state`.
pub(crate) async fn set_user_state<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(login): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: UserStateRequest = body(&bytes, USER_STATE_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &hub.set_user_disabled(&who, &login, req.disabled).await?,
    ))
}

/// `POST /api/users/{login}/reset`.
pub(crate) async fn reset_user<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(login): Path<String>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &hub.reset_user(&who, &login).await?,
    ))
}

#[derive(Deserialize)]
pub(crate) struct AuditQuery {
    after: Option<i64>,
    limit: Option<usize>,
}

/// `GET /api/audit?after=N&limit=M`: entries in order, for `kyoyu audit verify`.
pub(crate) async fn audit<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    q: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Answer {
    let Query(q) = q.map_err(|e| {
        Failure::new(
            ErrorKind::BadRequest,
            format!("use ?after=<entry number>&limit=<count>: {e}"),
        )
    })?;
    let limit = q.limit.unwrap_or(1000).clamp(1, 10_000);
    let (entries, more) = hub.audit_entries(&who, q.after.unwrap_or(0), limit).await?;
    Ok(ok_json(
        StatusCode::OK,
        &json!({ "entries": entries, "more": more }),
    ))
}

/// `GET /api/objects/{id}`: the newest version of an object in every
/// collection where the caller may see it.
/// Versions found across collections, as answered: where, at which TLP, what.
fn found_json(
    found: Vec<(
        kyoyu_core::Collection,
        &'static str,
        kyoyu_core::StoredVersion,
    )>,
) -> Vec<Value> {
    found
        .into_iter()
        .map(|(c, tlp, v)| {
            let object: Value = serde_json::from_str(&v.json).unwrap_or(Value::Null);
            json!({"community": c.alias, "collection": c.id, "tlp": tlp, "object": object})
        })
        .collect()
}

#[derive(Deserialize)]
pub(crate) struct SearchQuery {
    q: Option<String>,
    value: Option<String>,
    limit: Option<usize>,
}

/// `GET /api/search?q=WORDS&value=OBSERVABLE&limit=N`: the newest versions
/// the caller may read whose text contains `q` (any script, any width or
/// case) and/or that carry the observable `value`, newest first.
pub(crate) async fn search<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Query(q): Query<SearchQuery>,
) -> Answer {
    let found = found_json(
        hub.search_everywhere(
            &who,
            q.q.as_deref(),
            q.value.as_deref(),
            q.limit.unwrap_or(100),
        )
        .await?,
    );
    Ok(ok_json(StatusCode::OK, &json!({ "found": found })))
}

pub(crate) async fn object_everywhere<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    if kyoyu_stix::id::split(&id).is_err() {
        return Err(Failure::new(
            ErrorKind::BadRequest,
            format!("'{id}' is not a STIX identifier (type--UUID)"),
        ));
    }
    let found = found_json(hub.find_everywhere(&who, &id).await?);
    if found.is_empty() {
        return Err(not_found(format!(
            "no collection this token may read holds '{id}'"
        )));
    }
    Ok(ok_json(StatusCode::OK, &json!({ "found": found })))
}
