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
    (
        "post",
        "/api/reports/assess",
        "Whether an incident must be reported, to whom, by when and in which stages, with the rules that fired (facts as in docs/reporting.md; nothing is stored)",
        Some("Facts"),
        "200",
        Some("Decision"),
    ),
    (
        "get",
        "/api/incidents",
        "The incidents the caller may see (its own, routed to its ministry, forwarded to the national centre), newest first; overdue=true keeps those past a deadline",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/incidents",
        "File an incident with its facts and first report (or keep it as a draft); it is assessed and routed to the sector's competent ministry",
        Some("FileRequest"),
        "201",
        Some("Incident"),
    ),
    (
        "get",
        "/api/incidents/{id}",
        "An incident as the caller may see it (without attribution, the filer is withheld and the texts scrubbed)",
        None,
        "200",
        Some("Incident"),
    ),
    (
        "get",
        "/api/incidents/{id}/versions",
        "Every version of an incident, oldest first: nothing filed is ever changed",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/incidents/{id}/reports",
        "File a further report for one of the incident's stages, or an update (the filer)",
        Some("ReportRequest"),
        "200",
        Some("Incident"),
    ),
    (
        "post",
        "/api/incidents/{id}/acknowledge",
        "Acknowledge the reports not yet acknowledged (the competent ministry)",
        None,
        "200",
        Some("Incident"),
    ),
    (
        "post",
        "/api/incidents/{id}/ask",
        "Ask the filer for more (the competent ministry)",
        Some("ReplyRequest"),
        "200",
        Some("Incident"),
    ),
    (
        "post",
        "/api/incidents/{id}/forward",
        "Forward the incident to the national centre, with or without attribution (the competent ministry)",
        Some("ReplyRequest"),
        "200",
        Some("Incident"),
    ),
    (
        "get",
        "/api/incidents/{id}/stix",
        "The incident as STIX 2.1 (a bundle: incident, report, the filer's identity when the caller may know it, indicators and observed data), read like the incident itself",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/incidents/{id}/share",
        "Share a filed incident onward as an anonymised case (the filer): its STIX export without identity, ids or times of the original, through the concealment pipeline; answers the receipt (or, with preview, what would be released)",
        Some("ShareRequest"),
        "202",
        None,
    ),
    (
        "post",
        "/api/casebook",
        "Add a published case to the casebook after concealment (national-centre officers): texts scrubbed of every organization's names, the decision worked by the engine from the facts",
        Some("PublishCaseRequest"),
        "201",
        None,
    ),
    (
        "get",
        "/api/recommendations",
        "Recommendations (勧告) the caller's organization sent or received",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/recommendations",
        "Send a recommendation (勧告) to ministries (national-centre officers)",
        Some("RecommendRequest"),
        "201",
        None,
    ),
    (
        "get",
        "/api/casebook",
        "The casebook (報告事例集): fictional worked examples with the reporting decision and why, in Japanese and English; q (words), sector, category, regime, severity filter; and good-practice examples",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/reminders",
        "Deadline reminders sent to the caller's organization (a stage due soon, or overdue), newest first",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/orgs/{org}/webhook",
        "Where the organization's deadline reminders are posted (its people; never the secret)",
        None,
        "200",
        None,
    ),
    (
        "put",
        "/api/orgs/{org}/webhook",
        "Post the organization's deadline reminders to a chat tool: JSON signed with the shared secret (X-Kyoyu-Signature), retried with backoff (the organization's admins only, not the hub's administrators)",
        Some("WebhookRequest"),
        "200",
        None,
    ),
    (
        "delete",
        "/api/orgs/{org}/webhook",
        "Stop posting the organization's reminders to a webhook (its admins)",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/reminders/stream",
        "Live stream of the caller's organization's deadline reminders (text/event-stream; resume with Last-Event-ID or after=)",
        None,
        "200",
        None,
    ),
    (
        "post",
        "/api/hotline",
        "Raise an urgent call straight to the national centre: on duty officers' streams at once, escalated through the duty roster unless acknowledged in time",
        Some("RaiseRequest"),
        "201",
        Some("Hotline"),
    ),
    (
        "get",
        "/api/hotline",
        "Hotline calls the caller may see (its own; every call for national-centre officers), newest first; open=true keeps the unacknowledged",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/hotline/stream",
        "Live stream of hotline calls the caller may see (text/event-stream; resume with Last-Event-ID or after=)",
        None,
        "200",
        None,
    ),
    (
        "get",
        "/api/hotline/roster",
        "The duty roster (national-centre officers)",
        None,
        "200",
        Some("Roster"),
    ),
    (
        "put",
        "/api/hotline/roster",
        "Set the duty roster: officers' logins, first on duty first (national-centre officers)",
        Some("Roster"),
        "200",
        Some("Roster"),
    ),
    (
        "get",
        "/api/hotline/{id}",
        "One hotline call with its timeline",
        None,
        "200",
        Some("Hotline"),
    ),
    (
        "post",
        "/api/hotline/{id}/acknowledge",
        "Acknowledge a call: its clock stops (national-centre officers)",
        None,
        "200",
        Some("Hotline"),
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
    if path == "/api/casebook" {
        for name in ["q", "sector", "category", "regime"] {
            out.push(json!({"name": name, "in": "query", "schema": {"type": "string"}}));
        }
        out.push(json!({"name": "severity", "in": "query", "schema": {"type": "integer", "minimum": 0, "maximum": 4}}));
    }
    if path == "/api/hotline" {
        out.push(json!({"name": "open", "in": "query", "schema": {"type": "boolean"}}));
    }
    if path == "/api/hotline/stream" || path == "/api/reminders/stream" {
        out.push(json!({"name": "after", "in": "query", "schema": {"type": "integer"}, "description": "resume after this event (or send Last-Event-ID)"}));
    }
    if path == "/api/incidents" {
        out.push(json!({"name": "overdue", "in": "query", "schema": {"type": "boolean"}}));
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
    let mut all = base_schemas();
    if let (Some(all), Value::Object(more)) = (all.as_object_mut(), reporting_schemas()) {
        all.extend(more);
    }
    all
}

fn base_schemas() -> Value {
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

/// The incident-reporting bodies (a second `json!`: one would nest too deep).
fn reporting_schemas() -> Value {
    json!({
        "RaiseRequest": {"type": "object", "required": ["title", "text"], "additionalProperties": false, "properties": {
            "title": {"type": "string"}, "text": {"type": "string"}, "incident": {"type": "string"}}},
        "Roster": {"type": "object", "required": ["officers"], "additionalProperties": false, "properties": {
            "officers": list("string")}},
        "Hotline": {"type": "object", "required": ["id", "org", "title", "text", "state", "raised", "level", "timeline", "rev"], "properties": {
            "id": {"type": "string"}, "org": {"type": "string"}, "title": {"type": "string"}, "text": {"type": "string"},
            "incident": {"type": "string"}, "state": {"enum": ["open", "acknowledged", "closed"]}, "raised": {"type": "string"},
            "assigned": {"type": "string"}, "level": {"type": "integer"}, "ack_due": {"type": "string"},
            "acknowledged": {"type": "array"}, "timeline": {"type": "array"}, "rev": {"type": "integer"}}},
        "Facts": {"type": "object", "required": ["regime", "sector", "aware_at"], "description": "see docs/reporting.md", "properties": {
            "regime": {"enum": ["jp-ci", "nis2", "circia"]}, "sector": {"type": "string"},
            "aware_at": {"type": "string", "format": "date-time"}, "significant": {"type": "boolean"},
            "malicious": {"type": "boolean"}, "ransom_paid_at": {"type": "string", "format": "date-time"}}},
        "Decision": {"type": "object", "required": ["reportable", "recipients", "fired_rules", "stages"], "properties": {
            "reportable": {"type": "boolean"}, "recipients": {"type": "array"}, "fired_rules": {"type": "array"},
            "stages": {"type": "array", "items": {"type": "object", "required": ["stage", "due"], "properties": {
                "stage": {"type": "string"}, "due": {"type": "string", "format": "date-time"}}}}}},
        "FileRequest": {"type": "object", "required": ["facts", "title"], "additionalProperties": false, "properties": {
            "facts": schema_ref("Facts"), "title": {"type": "string"}, "text": {"type": "string"}, "draft": {"type": "boolean"},
            "indicators": {"type": "array", "items": {"type": "string"}, "description": "observables: addresses, domains, URLs, e-mail addresses, SHA-256 hashes"}}},
        "ReportRequest": {"type": "object", "required": ["stage", "text"], "additionalProperties": false, "properties": {
            "stage": {"type": "string"}, "text": {"type": "string"}, "rev": {"type": "integer"},
            "indicators": {"type": "array", "items": {"type": "string"}}}},
        "WebhookRequest": {"type": "object", "required": ["url", "secret"], "additionalProperties": false, "properties": {
            "url": {"type": "string", "format": "uri"}, "secret": {"type": "string", "minLength": 16, "maxLength": 256}}},
        "ShareRequest": {"type": "object", "required": ["community"], "additionalProperties": false, "properties": {
            "community": {"type": "string"}, "tlp": {"enum": ["clear", "green", "amber", "amber+strict"]}, "preview": {"type": "boolean"}}},
        "PublishCaseRequest": {"type": "object", "required": ["title_ja", "title_en", "summary_ja", "summary_en", "category", "severity", "facts"], "additionalProperties": false, "properties": {
            "incident": {"type": "string"}, "title_ja": {"type": "string"}, "title_en": {"type": "string"},
            "summary_ja": {"type": "string"}, "summary_en": {"type": "string"}, "why_ja": {"type": "string"}, "why_en": {"type": "string"},
            "category": {"type": "string"}, "severity": {"type": "integer", "minimum": 0, "maximum": 4}, "facts": schema_ref("Facts")}},
        "ReplyRequest": {"type": "object", "additionalProperties": false, "properties": {
            "text": {"type": "string"}, "attributed": {"type": "boolean"}}},
        "RecommendRequest": {"type": "object", "required": ["to", "title", "text"], "additionalProperties": false, "properties": {
            "to": list("string"), "title": {"type": "string"}, "text": {"type": "string"}, "incident": {"type": "string"}}},
        "Incident": {"type": "object", "required": ["id", "org", "sector", "regime", "state", "stages", "reports", "timeline", "rev"], "properties": {
            "id": {"type": "string"}, "org": {"type": "string", "description": "empty when withheld from the reader"},
            "sector": {"type": "string"}, "regime": {"type": "string"}, "title": {"type": "string"},
            "state": {"enum": ["draft", "filed", "acknowledged", "more-requested", "closed"]},
            "facts": {"type": "object"}, "decision": schema_ref("Decision"), "ministry": {"type": "string"},
            "stages": {"type": "array"}, "reports": {"type": "array"}, "forwarded": {"type": "object"},
            "timeline": {"type": "array"}, "rev": {"type": "integer"}}}
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
