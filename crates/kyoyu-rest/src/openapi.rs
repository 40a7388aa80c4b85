//! The OpenAPI 3.1 description of the REST API, served at `/api/openapi.json`.
//! One table of operations; a test checks that each answers on a live hub.

use serde_json::{Map, Value, json};

/// Method, path, summary, request schema (if any), success status and schema.
type Operation = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    Option<&'static str>,
);

/// Where the document is served.
pub(crate) const DOCUMENT_PATH: &str = "/api/openapi.json";

/// Every REST operation.
pub(crate) const OPERATIONS: &[Operation] = &[
    (
        "get",
        DOCUMENT_PATH,
        "This document: every path the hub serves (no token)",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/whoami",
        "The calling token: organization, role and communities",
        None,
        "200",
        Some("WhoAmI"),
    ),
    (
        "get",
        "/api/identity",
        "The hub's STIX identity object",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/sectors",
        "The critical-infrastructure sectors and their ministries",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/orgs",
        "List organizations (identifying data only for hub admins and the organization itself)",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/orgs",
        "Register an organization (hub admins); it joins its sectors' and the standing communities",
        Some("Org"),
        "201",
        Some("Org"),
    ),
    (
        "get",
        "/api/orgs/{id}",
        "One organization and its communities",
        None,
        "200",
        Some("Org"),
    ),
    (
        "put",
        "/api/orgs/{id}",
        "Replace an organization's record (hub admins)",
        Some("Org"),
        "200",
        Some("Org"),
    ),
    (
        "delete",
        "/api/orgs/{id}",
        "Remove an organization; its memberships go and its tokens are revoked",
        None,
        "204",
        None,
    ),
    (
        "get",
        "/api/orgs/{id}/suppliers",
        "An operator's supplier circle",
        None,
        "200",
        None,
    ),
    (
        "put",
        "/api/orgs/{id}/suppliers/{supplier}",
        "Add a supplier to an operator's circle",
        None,
        "200",
        None,
    ),
    (
        "delete",
        "/api/orgs/{id}/suppliers/{supplier}",
        "Remove a supplier from an operator's circle",
        None,
        "204",
        None,
    ),
    (
        "get",
        "/api/communities",
        "List communities with the caller's rights",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/communities",
        "Create a community and its collection (hub admins)",
        Some("NewCommunity"),
        "201",
        Some("Community"),
    ),
    (
        "get",
        "/api/communities/{id}",
        "One community and, for those who may use it, its members",
        None,
        "200",
        Some("Community"),
    ),
    (
        "put",
        "/api/communities/{id}/members/{org}",
        "Add a member or change its standing (community admins)",
        Some("MemberRequest"),
        "200",
        None,
    ),
    (
        "put",
        "/api/communities/{id}/review",
        "Whether submissions without doubts go without a reviewer (community admins)",
        Some("ReviewRule"),
        "200",
        None,
    ),
    (
        "delete",
        "/api/communities/{id}/members/{org}",
        "Remove a member (community admins)",
        None,
        "204",
        None,
    ),
    (
        "get",
        "/api/tokens",
        "List tokens (hub admins: all; others: their organization's)",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/tokens",
        "Issue a token; the secret is in the answer and nowhere else",
        Some("TokenRequest"),
        "201",
        Some("Token"),
    ),
    (
        "delete",
        "/api/tokens/{id}",
        "Revoke a token, at once",
        None,
        "204",
        None,
    ),
    (
        "get",
        "/api/users",
        "List the console users the caller may manage (never passwords or second-factor secrets)",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/users",
        "Create a console user; the temporary password is in the answer and nowhere else",
        Some("UserRequest"),
        "201",
        None,
    ),
    (
        "put",
        "/api/users/{login}/state",
        "Disable a user (ending its sessions) or enable it again",
        Some("UserStateRequest"),
        "200",
        None,
    ),
    (
        "post",
        "/api/users/{login}/reset",
        "Reset a user: a new temporary password, the second factor removed, every session ended",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/audit",
        "Audit entries in order (hub admins, national-centre officers)",
        None,
        "200",
        Some("AuditPage"),
    ),
    (
        "get",
        "/api/objects/{id}",
        "The newest version of an object in every collection where the caller may see it",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/search",
        "Search what the caller may read: q (text in any script, width or case) and/or value (an observable: address, domain, URL, hash); newest first",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/submissions",
        "Submit content (or an incident form) for concealed sharing; answers with the receipt",
        Some("SubmitRequest"),
        "202",
        Some("Submitted"),
    ),
    (
        "get",
        "/api/submissions/stats",
        "Counts of released concealed submissions by sector, week or category, each from at least k organizations",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/submissions/{id}/sealed",
        "The sealed provenance of a submission, for revealing its source with escrow shares (audited)",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/reviews",
        "Concealed submissions waiting for review that this token may review",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/reviews/{id}/approve",
        "Approve a submission for release; doubts not kept are withheld",
        Some("ApproveRequest"),
        "200",
        None,
    ),
    (
        "post",
        "/api/reviews/{id}/edit",
        "Replace a submission's content with an edited version (scrubbed again) and hold it for release",
        Some("EditRequest"),
        "200",
        None,
    ),
    (
        "post",
        "/api/reviews/{id}/reject",
        "Reject a submission; its content is erased",
        Some("RejectRequest"),
        "200",
        None,
    ),
    (
        "post",
        "/api/receipts/status",
        "A submission's state, released ids, and the sightings and feedback on them, by receipt",
        Some("ReceiptRequest"),
        "200",
        None,
    ),
    (
        "post",
        "/api/receipts/withdraw",
        "Withdraw a submission by receipt: its released objects leave the collection",
        Some("ReceiptRequest"),
        "200",
        None,
    ),
    (
        "post",
        "/api/receipts/update",
        "Send a new version of a submission by receipt",
        Some("UpdateRequest"),
        "202",
        None,
    ),
];

fn parameters(path: &str) -> Vec<Value> {
    let mut out: Vec<Value> = path
        .split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect();
    if path == "/api/submissions/stats" {
        out.push(json!({"name": "by", "in": "query", "schema": {"enum": ["sector", "week", "category"]}}));
    }
    if path == "/api/reviews" {
        out.push(json!({"name": "community", "in": "query", "schema": {"type": "string"}}));
    }
    if path == "/api/audit" {
        out.push(json!({"name": "after", "in": "query", "schema": {"type": "integer"}, "description": "entries after this number"}));
        out.push(json!({"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 10000}}));
    }
    out
}

fn schema_ref(name: &str) -> Value {
    json!({ "$ref": format!("#/components/schemas/{name}") })
}

fn list(item: &str) -> Value {
    json!({"type": "array", "items": {"type": item}})
}

fn schemas() -> Value {
    let tlp = json!({"type": "string", "enum": ["green", "amber", "amber+strict", "red"]});
    json!({
        "Error": {"type": "object", "required": ["title", "error_code", "http_status"], "properties": {
            "title": {"type": "string"}, "description": {"type": "string"},
            "error_code": {"type": "string"}, "http_status": {"type": "string"}}},
        "Org": {"type": "object", "required": ["id", "kind", "name"], "additionalProperties": false, "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{1,63}$"},
            "kind": {"type": "string", "enum": ["operator", "ceptoar", "ceptoar-council", "ministry", "national-centre", "supplier", "research", "overseas-partner", "hub"]},
            "name": {"type": "string"}, "name_ja": {"type": "string"},
            "sectors": list("string"), "country": {"type": "string", "pattern": "^[A-Z]{2}$"},
            "contacts": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "email": {"type": "string"}, "phone": {"type": "string"}}}},
            "domains": list("string"), "ip_ranges": list("string"), "aliases": list("string"),
            "asns": list("integer"), "staff": list("string")}},
        "Community": {"type": "object", "required": ["id", "kind", "name", "default_tlp", "distribution"], "properties": {
            "id": {"type": "string"}, "kind": {"type": "string"}, "name": {"type": "string"},
            "name_ja": {"type": "string"}, "sector": {"type": "string"}, "owner": {"type": "string"},
            "default_tlp": tlp, "distribution": {"type": "string", "enum": ["organization", "community", "connected", "all"]},
            "connected": list("string"), "collection": {"type": "string"},
            "can_read": {"type": "boolean"}, "can_write": {"type": "boolean"}}},
        "NewCommunity": {"type": "object", "required": ["id", "kind"], "additionalProperties": false, "properties": {
            "id": {"type": "string"}, "kind": {"type": "string", "enum": ["iot", "national", "ceptoar-council", "overseas", "custom"]},
            "name": {"type": "string"}, "name_ja": {"type": "string"}, "default_tlp": tlp,
            "distribution": {"type": "string", "enum": ["organization", "community", "connected", "all"]},
            "connected": list("string")}},
        "ReviewRule": {"type": "object", "additionalProperties": false, "required": ["release_without_review"], "properties": {
            "release_without_review": {"type": "boolean"}}},
        "ApproveRequest": {"type": "object", "additionalProperties": false, "properties": {
            "keep": {"type": "array", "items": {"type": "integer", "minimum": 1}},
            "rev": {"type": "integer", "minimum": 0}}},
        "MemberRequest": {"type": "object", "additionalProperties": false, "properties": {
            "role": {"type": "string", "enum": ["member", "community-admin", "observer"]}}},
        "UserRequest": {"type": "object", "required": ["login"], "additionalProperties": false, "properties": {
            "login": {"type": "string", "pattern": "^[a-z0-9][a-z0-9._-]{1,63}$"}, "org": {"type": "string"},
            "role": {"type": "string", "enum": ["member", "analyst", "community-admin", "ministry-liaison", "national-centre-officer", "hub-admin"]},
            "name": {"type": "string"}, "email": {"type": "string"}}},
        "UserStateRequest": {"type": "object", "required": ["disabled"], "additionalProperties": false, "properties": {
            "disabled": {"type": "boolean"}}},
        "TokenRequest": {"type": "object", "additionalProperties": false, "properties": {
            "org": {"type": "string"},
            "role": {"type": "string", "enum": ["member", "analyst", "community-admin", "ministry-liaison", "national-centre-officer", "hub-admin"]},
            "name": {"type": "string"}, "read_only": {"type": "boolean"},
            "ip_allow": list("string"), "expires_in": {"type": "integer", "minimum": 1}}},
        "Token": {"type": "object", "properties": {
            "id": {"type": "string"}, "token": {"type": "string", "description": "the secret, shown once"},
            "name": {"type": "string"}, "org": {"type": "string"}, "role": {"type": "string"},
            "read_only": {"type": "boolean"}, "ip_allow": list("string"),
            "expires": {"type": ["string", "null"]}, "created": {"type": "string"}, "revoked": {"type": "boolean"}}},
        "SubmitRequest": {"type": "object", "required": ["community"], "additionalProperties": false, "properties": {
            "community": {"type": "string"},
            "objects": {"type": "array", "items": {"type": "object"}},
            "form": {"type": "object", "required": ["title"], "properties": {
                "title": {"type": "string"}, "description": {"type": "string"}, "category": {"type": "string"},
                "indicators": list("string")}},
            "tlp": {"type": "string", "enum": ["clear", "green", "amber", "amber+strict"]},
            "urgent": {"type": "boolean"}, "attribute_to": list("string")}},
        "Submitted": {"type": "object", "properties": {
            "receipt": {"type": "string"}, "submission": {"type": "string"},
            "state": {"type": "string", "enum": ["review", "held", "released"]},
            "redactions": {"type": "object"}, "doubts": {"type": "integer"}, "dropped": {"type": "integer"}}},
        "ReceiptRequest": {"type": "object", "required": ["receipt"], "additionalProperties": false, "properties": {
            "receipt": {"type": "string"}}},
        "UpdateRequest": {"type": "object", "required": ["receipt", "objects"], "additionalProperties": false, "properties": {
            "receipt": {"type": "string"}, "objects": {"type": "array", "items": {"type": "object"}}}},
        "EditRequest": {"type": "object", "required": ["objects"], "additionalProperties": false, "properties": {
            "objects": {"type": "array", "items": {"type": "object"}}}},
        "RejectRequest": {"type": "object", "required": ["reason"], "additionalProperties": false, "properties": {
            "reason": {"type": "string"}}},
        "WhoAmI": {"type": "object", "properties": {
            "token": {"type": "string"}, "org": {"type": "string"}, "role": {"type": "string"},
            "read_only": {"type": "boolean"}, "communities": {"type": "array", "items": {"type": "object"}}}},
        "AuditPage": {"type": "object", "properties": {
            "more": {"type": "boolean"},
            "entries": {"type": "array", "items": {"type": "object", "properties": {
                "seq": {"type": "integer"}, "at": {"type": "integer"}, "actor_org": {"type": "string"},
                "actor_token": {"type": "string"}, "action": {"type": "string"}, "target": {"type": "string"},
                "detail": {"type": "string"}, "prev": {"type": "string"}, "hash": {"type": "string"}}}}}}
    })
}

/// The paths that answer without a token.
const OPEN: &[&str] = &[DOCUMENT_PATH, "/healthz", "/readyz"];

/// The whole document: the REST operations and `others` (TAXII, operations).
pub(crate) fn document(others: &[&[crate::Route]]) -> Value {
    let mut paths = Map::new();
    for (method, path, summary, request, status, response) in OPERATIONS {
        let mut op = json!({
            "summary": summary,
            "operationId": format!("{method}{}", path.replace(['/', '{', '}', '.'], "_")),
            "parameters": parameters(path),
            "responses": {
                "400": {"description": "Malformed request: the description says what to fix", "content": {"application/json": {"schema": schema_ref("Error")}}},
                "401": {"description": "No token, or an unknown, expired or revoked one"},
                "403": {"description": "The token may not do this"},
                "404": {"description": "No such resource, or not visible to this token"},
                "429": {"description": "Rate limit or failed-login backoff; see Retry-After"},
            },
        });
        if let Some(map) = op.as_object_mut() {
            if let Some(req) = request {
                map.insert(
                    "requestBody".into(),
                    json!({"required": true, "content": {"application/json": {"schema": schema_ref(req)}}}),
                );
            }
            let ok = match response {
                Some(r) => {
                    json!({"description": "Success", "content": {"application/json": {"schema": schema_ref(r)}}})
                }
                None => json!({"description": "Success"}),
            };
            if let Some(responses) = map.get_mut("responses").and_then(Value::as_object_mut) {
                responses.insert((*status).to_owned(), ok);
            }
        }
        if OPEN.contains(path)
            && let Some(map) = op.as_object_mut()
        {
            map.insert("security".into(), json!([]));
        }
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        if let Some(e) = entry.as_object_mut() {
            e.insert((*method).to_owned(), op);
        }
    }
    for (method, path, summary) in others.iter().flat_map(|t| t.iter()) {
        let taxii = !path.starts_with("/api/") && !OPEN.contains(path) && *path != "/metrics";
        let media = if taxii {
            kyoyu_wire::TAXII_MEDIA_TYPE
        } else {
            "text/plain"
        };
        let mut op = json!({
            "summary": summary,
            "operationId": format!("{method}{}", path.replace(['/', '{', '}', '.'], "_")),
            "parameters": parameters(path),
            "responses": {
                "200": {"description": "Success", "content": {media: {}}},
                "401": {"description": "No token, or an unknown, expired or revoked one"},
                "404": {"description": "No such resource, or not visible to this token"},
            },
        });
        if let Some(map) = op.as_object_mut() {
            if taxii {
                map.insert("tags".into(), json!(["TAXII 2.1"]));
            }
            if OPEN.contains(path) {
                map.insert("security".into(), json!([]));
            }
        }
        let entry = paths.entry((*path).to_owned()).or_insert_with(|| json!({}));
        if let Some(e) = entry.as_object_mut() {
            e.insert((*method).to_owned(), op);
        }
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "kyoyu REST API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Every path a kyoyu hub serves: the REST API (organizations, communities, memberships, supplier circles, tokens, the audit trail, concealed submissions, reviews, receipts, statistics, sealed provenance), the TAXII 2.1 endpoints (tagged TAXII 2.1; their bodies are described by the TAXII 2.1 specification) and the operations endpoints.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"basic": []}],
        "paths": paths,
        "components": {
            "schemas": schemas(),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "basic": {"type": "http", "scheme": "basic", "description": "any user name; the token as password"},
            },
        },
    })
}
