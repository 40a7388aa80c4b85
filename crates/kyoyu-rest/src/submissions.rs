//! The concealed-submission endpoints: submit, review, receipts,
//! statistics and sealed provenance. Each handler reads the body and calls
//! the core service of the same name.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use kyoyu_core::Backend;
use kyoyu_http::{Answer, Auth, HubState, body, json as ok_json};
use kyoyu_wire::submission::{
    APPROVE_SHAPE, ApproveRequest, EDIT_SHAPE, EditRequest, RECEIPT_SHAPE, REJECT_SHAPE,
    ReceiptRequest, RejectRequest, SUBMIT_SHAPE, SubmitRequest, UPDATE_SHAPE, UpdateRequest,
};
use serde::Deserialize;
use serde_json::json;

pub(crate) async fn submit<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: SubmitRequest = body(&bytes, SUBMIT_SHAPE)?;
    if req.preview {
        return Ok(ok_json(StatusCode::OK, &hub.preview(&who, req).await?));
    }
    let out = hub.submit(&who, req).await?;
    Ok(ok_json(StatusCode::ACCEPTED, &json!(out)))
}

#[derive(Deserialize)]
pub(crate) struct ReviewQuery {
    community: Option<String>,
}

pub(crate) async fn reviews<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Query(q): Query<ReviewQuery>,
) -> Answer {
    let list = hub.reviews(&who, q.community.as_deref()).await?;
    Ok(ok_json(StatusCode::OK, &list))
}

pub(crate) async fn approve<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: ApproveRequest = if bytes.iter().all(u8::is_ascii_whitespace) {
        ApproveRequest::default()
    } else {
        body(&bytes, APPROVE_SHAPE)?
    };
    Ok(ok_json(
        StatusCode::OK,
        &hub.approve(&who, &id, &req.keep, req.rev).await?,
    ))
}

pub(crate) async fn edit<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: EditRequest = body(&bytes, EDIT_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &hub.edit(&who, &id, req.objects).await?,
    ))
}

pub(crate) async fn reject<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
    bytes: Bytes,
) -> Answer {
    let req: RejectRequest = body(&bytes, REJECT_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &hub.reject(&who, &id, req.reason).await?,
    ))
}

pub(crate) async fn receipt_status<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: ReceiptRequest = body(&bytes, RECEIPT_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &hub.receipt_status(&who, &req.receipt).await?,
    ))
}

pub(crate) async fn receipt_withdraw<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: ReceiptRequest = body(&bytes, RECEIPT_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &hub.withdraw(&who, &req.receipt).await?,
    ))
}

pub(crate) async fn receipt_update<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: UpdateRequest = body(&bytes, UPDATE_SHAPE)?;
    let out = hub.update(&who, &req.receipt, req.objects).await?;
    Ok(ok_json(StatusCode::ACCEPTED, &out))
}

#[derive(Deserialize)]
pub(crate) struct StatsQuery {
    by: Option<String>,
}

pub(crate) async fn stats<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Query(q): Query<StatsQuery>,
) -> Answer {
    Ok(ok_json(StatusCode::OK, &hub.stats(&who, q.by).await?))
}

pub(crate) async fn sealed<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    Ok(ok_json(StatusCode::OK, &hub.sealed(&who, &id).await?))
}
