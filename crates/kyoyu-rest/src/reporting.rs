//! The incident-reporting endpoints: assess facts, file incidents and their
//! reports, the ministry's answers, the national centre's recommendations.
//! Each handler reads the body and calls the core service of the same name.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kyoyu_core::Backend;
use kyoyu_http::{Answer, Auth, HubState, body, json as ok_json};
use kyoyu_wire::reporting::{
    FILE_SHAPE, FileRequest, PUBLISH_CASE_SHAPE, PublishCaseRequest, RECOMMEND_SHAPE, REPLY_SHAPE,
    REPORT_SHAPE, RecommendRequest, ReplyRequest, ReportRequest, SHARE_SHAPE, ShareRequest,
    WEBHOOK_SHAPE, WebhookRequest,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The shape of the facts, for error messages.
const FACTS_SHAPE: &str = r#"{"regime": "jp-ci" | "nis2" | "circia", "sector", "aware_at": RFC 3339, …} (see docs/reporting.md)"#;

pub(crate) async fn assess<S: Backend>(
    Auth(_who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let facts: Value = body(&bytes, FACTS_SHAPE)?;
    Ok(ok_json(StatusCode::OK, &hub.assess(&facts)?))
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    overdue: bool,
}

pub(crate) async fn list<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Query(q): Query<ListQuery>,
) -> Answer {
    let list = hub.incidents(&who, q.overdue).await?;
    Ok(ok_json(StatusCode::OK, &json!({ "incidents": list })))
}

pub(crate) async fn file<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: FileRequest = body(&bytes, FILE_SHAPE)?;
    Ok(ok_json(
        StatusCode::CREATED,
        &json!(hub.file_incident(&who, req).await?),
    ))
}

pub(crate) async fn show<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.incident(&who, &id).await?),
    ))
}

pub(crate) async fn versions<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    let list = hub.incident_history(&who, &id).await?;
    Ok(ok_json(StatusCode::OK, &json!({ "versions": list })))
}

pub(crate) async fn report<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: ReportRequest = body(&bytes, REPORT_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.report_incident(&who, &id, req).await?),
    ))
}

/// An optional reply body (empty is `{}`).
fn reply(bytes: &Bytes) -> Result<ReplyRequest, kyoyu_http::Failure> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        Ok(ReplyRequest::default())
    } else {
        body(bytes, REPLY_SHAPE)
    }
}

pub(crate) async fn acknowledge<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    reply(&bytes)?;
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.acknowledge_incident(&who, &id).await?),
    ))
}

pub(crate) async fn ask<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req = reply(&bytes)?;
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.ask_about_incident(&who, &id, &req.text).await?),
    ))
}

pub(crate) async fn forward<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req = reply(&bytes)?;
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.forward_incident(&who, &id, req.attributed).await?),
    ))
}

pub(crate) async fn stix<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &hub.incident_stix(&who, &id).await?,
    ))
}

pub(crate) async fn share<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: ShareRequest = body(&bytes, SHARE_SHAPE)?;
    let status = if req.preview {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok(ok_json(status, &hub.share_incident(&who, &id, req).await?))
}

pub(crate) async fn publish_case<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: PublishCaseRequest = body(&bytes, PUBLISH_CASE_SHAPE)?;
    let case = hub.publish_case(&who, req).await?;
    let mut v = json!(case);
    if let Some(m) = v.as_object_mut() {
        m.insert("facts".into(), case.facts_json());
    }
    Ok(ok_json(StatusCode::CREATED, &v))
}

pub(crate) async fn recommendations<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
) -> Answer {
    let list = hub.recommendations(&who).await?;
    Ok(ok_json(StatusCode::OK, &json!({ "recommendations": list })))
}

pub(crate) async fn reminders<S: Backend>(Auth(who): Auth, State(hub): HubState<S>) -> Answer {
    let list = hub.reminders(&who).await?;
    Ok(ok_json(StatusCode::OK, &json!({ "reminders": list })))
}

pub(crate) async fn webhook<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(org): Path<String>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &hub.reminder_webhook(&who, &org).await?,
    ))
}

pub(crate) async fn set_webhook<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(org): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: WebhookRequest = body(&bytes, WEBHOOK_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &hub.set_reminder_webhook(&who, &org, Some(req)).await?,
    ))
}

pub(crate) async fn delete_webhook<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(org): Path<String>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &hub.set_reminder_webhook(&who, &org, None).await?,
    ))
}

pub(crate) async fn recommend<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: RecommendRequest = body(&bytes, RECOMMEND_SHAPE)?;
    Ok(ok_json(
        StatusCode::CREATED,
        &hub.recommend(&who, req).await?,
    ))
}

#[derive(Deserialize)]
pub(crate) struct CasebookQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sector: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    regime: String,
    severity: Option<u8>,
}

pub(crate) async fn casebook<S: Backend>(
    Auth(_who): Auth,
    State(hub): HubState<S>,
    Query(q): Query<CasebookQuery>,
) -> Answer {
    let search = kyoyu_report::casebook::Search {
        text: q.q,
        sector: q.sector,
        category: q.category,
        regime: q.regime,
        severity: q.severity,
    };
    let (cases, practices) = hub.casebook(&search).await?;
    let cases: Vec<Value> = cases
        .iter()
        .map(|c| {
            let mut v = json!(c);
            if let Some(m) = v.as_object_mut() {
                m.insert("facts".into(), c.facts_json());
            }
            v
        })
        .collect();
    Ok(ok_json(
        StatusCode::OK,
        &json!({"cases": cases, "practices": practices}),
    ))
}
