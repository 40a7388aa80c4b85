//! Sharing: the submit form (concealed or under the organization's name),
//! with the preview of exactly what others will receive.

use crate::browse::{receipts_of, state};
use crate::visit::{RECEIPTS_COOKIE, Visit, form_pairs, refusal, set_cookie};
use axum::extract::{FromRequest, Multipart, Path, Request};
use axum::http::{StatusCode, header};
use axum::response::Response;
use kyoyu_console::{
    Doubt, Preview, ReceiptStatus, ReceiptsPage, ReviewItem, ReviewNotice, ReviewPage,
    ReviewQueuePage, Section, SubmissionRow, SubmitForm, SubmitPage, Submitted, paths,
    render_receipts, render_review, render_review_queue, render_submit,
};
use kyoyu_console::{Lang, Refusal};
use kyoyu_core::{Backend, Error, ErrorKind};
use kyoyu_wire::submission::{IncidentForm, SubmitRequest};
use serde_json::Value;
use std::collections::HashMap;

/// Receipts this browser keeps at most (the oldest go first).
const KEPT_RECEIPTS: usize = 40;

/// The communities the person may share with: (id, name).
/// Keeps a receipt with its sender (this browser, in a cookie), never with
/// the hub: the newest `KEPT_RECEIPTS`.
pub(crate) fn keep_receipt<S: Backend>(
    v: &Visit<S>,
    headers: &mut axum::http::HeaderMap,
    receipt: String,
) {
    let mut kept = receipts_of(v);
    kept.push((receipt, kyoyu_core::time::now_micros()));
    let start = kept.len().saturating_sub(KEPT_RECEIPTS);
    let value = kept
        .iter()
        .skip(start)
        .map(|(r, at)| format!("{r}~{at}"))
        .collect::<Vec<_>>()
        .join(".");
    set_cookie(
        headers,
        RECEIPTS_COOKIE,
        &value,
        paths::ROOT,
        Some(400 * 24 * 3600),
    );
}

pub(crate) fn writable<S: Backend>(
    v: &Visit<S>,
    s: &kyoyu_core::users::Session,
) -> Vec<(String, String)> {
    v.hub
        .catalog()
        .collections
        .iter()
        .filter(|c| s.caller.view_of(c).can_write())
        .filter_map(|c| {
            let id = c.alias.clone()?;
            let name = s.caller.directory().community(&id).map_or_else(
                || c.title.clone(),
                |m| crate::browse::community_name(v.lang, m),
            );
            Some((id, name))
        })
        .collect()
}

/// The submit page.
fn page<S: Backend>(
    v: &Visit<S>,
    s: &kyoyu_core::users::Session,
    status: StatusCode,
    form: SubmitForm,
    problem: Option<String>,
    preview: Option<Preview>,
    submitted: Option<Submitted>,
) -> Response {
    let p = SubmitPage {
        chrome: v.chrome(Some(Section::Submit)),
        communities: writable(v, s),
        form,
        csrf_token: s.record.csrf.clone(),
        problem,
        preview,
        submitted,
    };
    v.page_with(status, render_submit(&p))
}

/// GET `/console/submit`.
pub(crate) async fn form<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let form = SubmitForm {
        conceal: true,
        category: "other".into(),
        ..SubmitForm::default()
    };
    page(&v, s, StatusCode::OK, form, None, None, None)
}

/// The fields of the submit form, from `multipart/form-data` (the page's
/// form, with its file) or `application/x-www-form-urlencoded`.
async fn fields<S: Backend>(
    lang: Lang,
    req: Request,
    hub: &std::sync::Arc<kyoyu_core::Hub<S>>,
) -> Result<HashMap<String, String>, Error> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("multipart/form-data"));
    let mut out = HashMap::new();
    if multipart {
        let mut m = Multipart::from_request(req, hub).await.map_err(|e| {
            refusal(
                lang,
                ErrorKind::BadRequest,
                Refusal::FormUnreadable(e.to_string()),
            )
        })?;
        while let Some(field) = m.next_field().await.map_err(|e| {
            refusal(
                lang,
                ErrorKind::BadRequest,
                Refusal::FormUnreadable(e.to_string()),
            )
        })? {
            let name = field.name().unwrap_or_default().to_owned();
            let text = field.text().await.map_err(|e| {
                refusal(
                    lang,
                    ErrorKind::BadRequest,
                    Refusal::FieldUnreadable(name.clone(), e.to_string()),
                )
            })?;
            // A file field left empty arrives as an empty part.
            if !(name == "file" && text.is_empty()) {
                out.insert(name, text);
            }
        }
    } else {
        let axum::Form(map) = axum::Form::<HashMap<String, String>>::from_request(req, hub)
            .await
            .map_err(|e| {
                refusal(
                    lang,
                    ErrorKind::BadRequest,
                    Refusal::FormUnreadable(e.to_string()),
                )
            })?;
        out = map;
    }
    Ok(out)
}

/// STIX content as sent: a bundle, a list, or one object.
fn stix_objects(lang: Lang, text: &str) -> Result<Vec<Value>, Error> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        refusal(
            lang,
            ErrorKind::BadRequest,
            Refusal::StixNotJson(e.to_string()),
        )
    })?;
    Ok(match v {
        Value::Array(items) => items,
        Value::Object(ref m) if m.get("type").and_then(Value::as_str) == Some("bundle") => m
            .get("objects")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default(),
        other @ Value::Object(_) => vec![other],
        _ => {
            return Err(refusal(lang, ErrorKind::BadRequest, Refusal::StixShape));
        }
    })
}

/// POST `/console/submit`: `action=preview` shows what would be released;
/// `action=submit` shares it (concealed, with a receipt kept in this
/// browser; or under the organization's name).
pub(crate) async fn submit<S: Backend>(v: Visit<S>, req: Request) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let f = match fields(v.lang, req, &v.hub).await {
        Ok(f) => f,
        Err(e) => return v.error(&e),
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if let Err(r) = v.check_form(s, &get("csrf")) {
        return r;
    }
    let stix = f.get("file").cloned().unwrap_or_else(|| get("stix"));
    let form = SubmitForm {
        community: get("community"),
        tlp: get("tlp"),
        conceal: f.contains_key("conceal"),
        title: get("title"),
        description: get("description"),
        category: get("category"),
        indicators: get("indicators"),
        stix: get("stix"),
    };
    let refuse = |status: StatusCode, e: &Error| {
        page(&v, s, status, form.clone(), Some(v.explain(e)), None, None)
    };
    let objects = if stix.trim().is_empty() {
        Vec::new()
    } else {
        match stix_objects(v.lang, &stix) {
            Ok(o) => o,
            Err(e) => return refuse(StatusCode::BAD_REQUEST, &e),
        }
    };
    let incident = objects.is_empty().then(|| IncidentForm {
        title: form.title.trim().to_owned(),
        description: form.description.trim().to_owned(),
        category: Some(form.category.clone()).filter(|c| !c.is_empty()),
        indicators: crate::reporting::lines(&form.indicators),
    });
    let tlp = Some(form.tlp.clone()).filter(|t| !t.is_empty());
    if !form.conceal {
        if get("action") == "preview" {
            let e = refusal(v.lang, ErrorKind::BadRequest, Refusal::PreviewNeedsConceal);
            return refuse(StatusCode::BAD_REQUEST, &e);
        }
        return match v
            .hub
            .share_attributed(&s.caller, &form.community, objects, incident, tlp)
            .await
        {
            Ok((stored, refused)) => page(
                &v,
                s,
                StatusCode::OK,
                SubmitForm {
                    conceal: false,
                    community: form.community.clone(),
                    ..SubmitForm::default()
                },
                None,
                None,
                Some(Submitted::Attributed { stored, refused }),
            ),
            Err(e) => refuse(crate::visit::status_of(&e), &e),
        };
    }
    let req = SubmitRequest {
        community: form.community.clone(),
        objects,
        form: incident,
        tlp,
        ..SubmitRequest::default()
    };
    if get("action") == "preview" {
        return match v.hub.preview(&s.caller, req).await {
            Ok(p) => page(
                &v,
                s,
                StatusCode::OK,
                form,
                None,
                Some(preview_of(v.lang, &p)),
                None,
            ),
            Err(e) => refuse(crate::visit::status_of(&e), &e),
        };
    }
    match v.hub.submit(&s.caller, req).await {
        Ok(done) => {
            let mut r = page(
                &v,
                s,
                StatusCode::OK,
                SubmitForm {
                    conceal: true,
                    community: form.community.clone(),
                    category: "other".into(),
                    ..SubmitForm::default()
                },
                None,
                None,
                Some(Submitted::Concealed {
                    receipt: done.receipt.clone(),
                    state: state(&done.state),
                    doubts: done.doubts as u64,
                }),
            );
            keep_receipt(&v, r.headers_mut(), done.receipt);
            r
        }
        Err(e) => refuse(crate::visit::status_of(&e), &e),
    }
}

/// The core's preview as the page shows it.
fn preview_of(lang: Lang, p: &Value) -> Preview {
    let objects = p
        .get("objects")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|o| serde_json::to_string_pretty(o).unwrap_or_default())
                .collect()
        })
        .unwrap_or_default();
    let doubts = p
        .get("doubts")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .enumerate()
                .map(|(i, d)| Doubt {
                    number: i + 1,
                    object: crate::browse::text(d, "object").to_owned(),
                    path: crate::browse::text(d, "path").to_owned(),
                    why: kyoyu_console::doubt_reason(
                        lang,
                        crate::browse::text(d, "kind"),
                        crate::browse::text(d, "text"),
                    )
                    .unwrap_or_else(|| crate::browse::text(d, "why").to_owned()),
                    text: crate::browse::text(d, "text").to_owned(),
                })
                .collect()
        })
        .unwrap_or_default();
    let redactions = p
        .get("redactions")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, n)| (k.clone(), n.as_u64().unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default();
    Preview {
        objects,
        doubts,
        redactions,
        dropped: p.get("dropped").and_then(Value::as_u64).unwrap_or(0),
    }
}

/// The review queue page.
async fn queue_page<S: Backend>(
    v: &Visit<S>,
    s: &kyoyu_core::users::Session,
    notice: Option<ReviewNotice>,
) -> Response {
    let list = match v.hub.reviews(&s.caller, None).await {
        Ok(l) => l,
        Err(e) => return v.error(&e),
    };
    let items = list
        .get("reviews")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|r| {
                    let id = crate::browse::text(r, "submission").to_owned();
                    let community = crate::browse::text(r, "community");
                    ReviewItem {
                        href: format!("{}/{}", paths::REVIEW, crate::visit::encode(&id)),
                        id,
                        community: s.caller.directory().community(community).map_or_else(
                            || community.to_owned(),
                            |c| crate::browse::community_name(v.lang, c),
                        ),
                        objects: r
                            .get("objects")
                            .and_then(Value::as_array)
                            .map_or(0, |o| o.len() as u64),
                        doubts: r
                            .get("doubts")
                            .and_then(Value::as_array)
                            .map_or(0, |d| d.len() as u64),
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let page = ReviewQueuePage {
        chrome: v.chrome(Some(Section::Review)),
        items,
        notice,
    };
    v.page(render_review_queue(&page))
}

/// GET `/console/review`.
pub(crate) async fn queue<S: Backend>(v: Visit<S>) -> Response {
    match v.signed_in() {
        Ok(s) => queue_page(&v, s, None).await,
        Err(r) => r,
    }
}

/// One submission waiting for review, as the reviewer may see it (404 for
/// one this reviewer may not review: whether it exists is not said).
async fn review_page<S: Backend>(
    v: &Visit<S>,
    s: &kyoyu_core::users::Session,
    id: &str,
    status: StatusCode,
    problem: Option<String>,
) -> Response {
    let list = match v.hub.reviews(&s.caller, None).await {
        Ok(l) => l,
        Err(e) => return v.error(&e),
    };
    let found = list
        .get("reviews")
        .and_then(Value::as_array)
        .and_then(|a| {
            a.iter()
                .find(|r| crate::browse::text(r, "submission") == id)
        })
        .cloned();
    let Some(r) = found else {
        return v.error(&refusal(
            v.lang,
            ErrorKind::NotFound,
            Refusal::NoReview(id.to_owned()),
        ));
    };
    let community = crate::browse::text(&r, "community");
    let p = preview_of(
        v.lang,
        &serde_json::json!({"objects": r.get("objects"), "doubts": r.get("doubts")}),
    );
    let page = ReviewPage {
        chrome: v.chrome(Some(Section::Review)),
        id: id.to_owned(),
        community: s.caller.directory().community(community).map_or_else(
            || community.to_owned(),
            |c| crate::browse::community_name(v.lang, c),
        ),
        rev: r.get("rev").and_then(Value::as_i64).unwrap_or(0),
        objects: p.objects,
        doubts: p.doubts,
        csrf_token: s.record.csrf.clone(),
        problem,
    };
    v.page_with(status, render_review(&page))
}

/// GET `/console/review/{id}`.
pub(crate) async fn review<S: Backend>(v: Visit<S>, Path(id): Path<String>) -> Response {
    match v.signed_in() {
        Ok(s) => review_page(&v, s, &id, StatusCode::OK, None).await,
        Err(r) => r,
    }
}

/// POST `/console/review/{id}`: `action=approve` with the doubts to keep
/// (`keep`, repeated) and the version read (`rev`), or `action=reject`
/// with a reason.
pub(crate) async fn decide<S: Backend>(
    v: Visit<S>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    // A form with repeated fields (`keep=1&keep=3`).
    let pairs = form_pairs(&String::from_utf8_lossy(&body));
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, val)| val.clone())
            .unwrap_or_default()
    };
    if let Err(r) = v.check_form(s, &one("csrf")) {
        return r;
    }
    let rev = one("rev").parse::<i64>().ok();
    let done = match one("action").as_str() {
        "approve" => {
            let keep: Vec<usize> = pairs
                .iter()
                .filter(|(n, _)| n == "keep")
                .filter_map(|(_, val)| val.parse().ok())
                .collect();
            v.hub
                .approve(&s.caller, &id, &keep, rev)
                .await
                .map(|_| ReviewNotice::Approved(id.clone()))
        }
        "reject" => v
            .hub
            .reject(&s.caller, &id, one("reason").trim().to_owned())
            .await
            .map(|_| ReviewNotice::Rejected(id.clone())),
        "edit" => match serde_json::from_str::<Vec<Value>>(&one("objects")) {
            Ok(objects) => v
                .hub
                .edit(&s.caller, &id, objects)
                .await
                .map(|_| ReviewNotice::Edited(id.clone())),
            Err(e) => Err(refusal(
                v.lang,
                ErrorKind::BadRequest,
                Refusal::EditNotJson(e.to_string()),
            )),
        },
        other => Err(refusal(
            v.lang,
            ErrorKind::BadRequest,
            Refusal::NotADecision(other.to_owned()),
        )),
    };
    match done {
        Ok(notice) => queue_page(&v, s, Some(notice)).await,
        Err(e) if e.kind == kyoyu_core::ErrorKind::NotFound => v.error(&e),
        Err(e) => {
            let status = crate::visit::status_of(&e);
            review_page(&v, s, &id, status, Some(v.explain(&e))).await
        }
    }
}

/// The receipts page.
async fn receipts_page<S: Backend>(
    v: &Visit<S>,
    s: &kyoyu_core::users::Session,
    status_code: StatusCode,
    status: Option<ReceiptStatus>,
    problem: Option<String>,
    withdrawn: bool,
) -> Response {
    let mut kept = Vec::new();
    for (receipt, at) in receipts_of(v).into_iter().rev() {
        let (community, st) = match v.hub.receipt_status(&s.caller, &receipt).await {
            Ok(st) => (
                crate::browse::text(&st, "community").to_owned(),
                state(crate::browse::text(&st, "state")),
            ),
            // Gone (withdrawn and purged, or from another hub).
            Err(_) => continue,
        };
        kept.push(SubmissionRow {
            receipt,
            summary: community,
            submitted: crate::browse::when(at),
            state: st,
            href: None,
        });
    }
    let page = ReceiptsPage {
        chrome: v.chrome(Some(Section::Receipts)),
        kept,
        status,
        csrf_token: s.record.csrf.clone(),
        problem,
        withdrawn,
    };
    v.page_with(status_code, render_receipts(&page))
}

/// GET `/console/receipts`.
pub(crate) async fn receipts<S: Backend>(v: Visit<S>) -> Response {
    match v.signed_in() {
        Ok(s) => receipts_page(&v, s, StatusCode::OK, None, None, false).await,
        Err(r) => r,
    }
}

/// POST `/console/receipts`: `action=status` looks a receipt up;
/// `action=withdraw` (with `confirm`) withdraws its submission.
pub(crate) async fn receipt_action<S: Backend>(v: Visit<S>, body: axum::body::Bytes) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let pairs = form_pairs(&String::from_utf8_lossy(&body));
    let one = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, val)| val.trim().to_owned())
            .unwrap_or_default()
    };
    if let Err(r) = v.check_form(s, &one("csrf")) {
        return r;
    }
    let receipt = one("receipt");
    let fail = |e: Error| {
        let code = crate::visit::status_of(&e);
        (code, v.explain(&e))
    };
    let mut withdrawn = false;
    if one("action") == "withdraw" {
        if one("confirm").is_empty() {
            let (code, why) = fail(refusal(
                v.lang,
                ErrorKind::BadRequest,
                Refusal::ConfirmWithdrawal,
            ));
            return receipts_page(&v, s, code, None, Some(why), false).await;
        }
        if let Err(e) = v.hub.withdraw(&s.caller, &receipt).await {
            let (code, why) = fail(e);
            return receipts_page(&v, s, code, None, Some(why), false).await;
        }
        withdrawn = true;
    }
    match v.hub.receipt_status(&s.caller, &receipt).await {
        Ok(st) => {
            let community = crate::browse::text(&st, "community");
            let list = |k: &str| {
                st.get(k)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            };
            let status = ReceiptStatus {
                receipt: receipt.clone(),
                community: s.caller.directory().community(community).map_or_else(
                    || community.to_owned(),
                    |c| crate::browse::community_name(v.lang, c),
                ),
                state: state(crate::browse::text(&st, "state")),
                released: st
                    .get("released")
                    .and_then(Value::as_str)
                    .and_then(|t| t.parse::<jiff::Timestamp>().ok()),
                objects: list("objects")
                    .iter()
                    .filter_map(Value::as_str)
                    .map(|id| (id.to_owned(), crate::browse::object_href(id)))
                    .collect(),
                note: st.get("note").and_then(Value::as_str).map(str::to_owned),
                sightings: list("sightings").len() as u64,
                feedback: list("feedback")
                    .iter()
                    .map(|f| {
                        let kind = crate::browse::text(f, "type");
                        let words = ["content", "explanation", "opinion"]
                            .iter()
                            .map(|k| crate::browse::text(f, k))
                            .filter(|t| !t.is_empty())
                            .collect::<Vec<_>>()
                            .join(" — ");
                        format!("{kind}: {words}")
                    })
                    .collect(),
            };
            receipts_page(&v, s, StatusCode::OK, Some(status), None, withdrawn).await
        }
        Err(e) => {
            let (code, why) = fail(e);
            receipts_page(&v, s, code, None, Some(why), withdrawn).await
        }
    }
}
