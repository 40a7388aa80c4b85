//! The hotline endpoints: raise a call, list and acknowledge calls, the
//! duty roster, and the live stream (Server-Sent Events, resumable with
//! `Last-Event-ID`), which carries only the calls its reader may see.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use kyoyu_core::Backend;
use kyoyu_http::{Answer, Auth, HubState, body, json as ok_json};
use kyoyu_wire::reporting::{RAISE_SHAPE, ROSTER_SHAPE, RaiseRequest, Roster};
use serde::Deserialize;
use serde_json::json;
use std::time::Duration;

pub(crate) async fn raise<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: RaiseRequest = body(&bytes, RAISE_SHAPE)?;
    Ok(ok_json(
        StatusCode::CREATED,
        &json!(hub.raise_hotline(&who, req).await?),
    ))
}

#[derive(Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    open: bool,
}

pub(crate) async fn list<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Query(q): Query<ListQuery>,
) -> Answer {
    let calls = hub.hotlines(&who, q.open).await?;
    Ok(ok_json(StatusCode::OK, &json!({ "calls": calls })))
}

pub(crate) async fn show<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.hotline(&who, &id).await?),
    ))
}

pub(crate) async fn acknowledge<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    Path(id): Path<String>,
) -> Answer {
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.acknowledge_hotline(&who, &id).await?),
    ))
}

pub(crate) async fn roster<S: Backend>(Auth(who): Auth, State(hub): HubState<S>) -> Answer {
    Ok(ok_json(StatusCode::OK, &json!(hub.roster(&who).await?)))
}

pub(crate) async fn set_roster<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    bytes: Bytes,
) -> Answer {
    let req: Roster = body(&bytes, ROSTER_SHAPE)?;
    Ok(ok_json(
        StatusCode::OK,
        &json!(hub.set_roster(&who, req).await?),
    ))
}

#[derive(Deserialize)]
pub(crate) struct StreamQuery {
    /// Resume after this event (for clients that cannot set the header).
    after: Option<i64>,
}

/// GET `/api/hotline/stream`: `event: hotline`, `id:` the event's number,
/// `data:` `{"what", "hotline"}`; a comment every 15 s keeps proxies from
/// closing it.
pub(crate) async fn stream<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Response, kyoyu_http::Failure> {
    let feed = hub.hotline_feed(&who, resume_after(&headers, &q)).await?;
    Ok(sse(hub, feed, "hotline"))
}

/// GET `/api/reminders/stream`: the reporting reminders of the caller's
/// organization (`event: reminder`, `data:` `{"what", "reminder"}`), like
/// the hotline's stream.
pub(crate) async fn reminder_stream<S: Backend>(
    Auth(who): Auth,
    State(hub): HubState<S>,
    headers: HeaderMap,
    Query(q): Query<StreamQuery>,
) -> Result<Response, kyoyu_http::Failure> {
    let feed = hub
        .reminder_feed_for(&who, resume_after(&headers, &q))
        .await?;
    Ok(sse(hub, feed, "reminder"))
}

/// Where a stream resumes: `Last-Event-ID`, or `after=` for clients that
/// cannot set the header.
fn resume_after(headers: &HeaderMap, q: &StreamQuery) -> Option<i64> {
    headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok())
        .or(q.after)
}

/// A feed as Server-Sent Events named `name`, each with its number as `id`;
/// a comment every 15 s keeps proxies from closing it.
fn sse<S: Backend>(
    hub: std::sync::Arc<kyoyu_core::Hub<S>>,
    feed: kyoyu_core::hotline::HotlineFeed,
    name: &'static str,
) -> Response {
    let events = futures_util::stream::unfold((feed, hub), move |(mut feed, hub)| async move {
        let (seq, body) = feed.next(&hub).await?;
        let event = Event::default()
            .id(seq.to_string())
            .event(name)
            .json_data(&body)
            .unwrap_or_else(|_| Event::default().comment("unreadable event"));
        Some((Ok::<_, std::convert::Infallible>(event), (feed, hub)))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}
