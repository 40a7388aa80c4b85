//! The incident-reporting and hotline pages: the guided reportability form,
//! the incidents list (the filer's, the ministry's inbox, the national
//! centre's), one incident with its actions, and the hotline with its live
//! queue (Server-Sent Events over the session). Each calls the core service
//! of the same name; who sees and does what is decided there.

// `Value[key]` answers Null for a missing key or a non-object: it cannot panic.
#![allow(clippy::indexing_slicing)]

use crate::visit::Visit;
use axum::Form;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use kyoyu_console::reporting::{
    AssessPage, DecisionView, FactsForm, HotlinePage, HotlineRow, IncidentPage, IncidentRole,
    IncidentRow, IncidentsPage, RecommendationRow, ReportView, StageView, TimelineEntry,
    render_assess, render_hotline, render_incident, render_incidents,
};
use kyoyu_console::{Lang, Section};
use kyoyu_core::users::Session;
use kyoyu_core::{Backend, Error};
use kyoyu_trust::OrgKind;
use kyoyu_trust::policy::IncidentSight;
use kyoyu_wire::reporting::{FileRequest, Incident, RaiseRequest, ReportRequest};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::time::Duration;

/// An instant the hub wrote (RFC 3339).
fn instant(text: &str) -> Option<jiff::Timestamp> {
    text.parse().ok()
}

/// `YYYY-MM-DDTHH:MM` in `zone` as RFC 3339 with the zone's offset.
fn local_to_rfc3339(local: &str, zone: &str) -> Option<String> {
    let dt: jiff::civil::DateTime = local.trim().parse().ok()?;
    let tz = jiff::tz::TimeZone::get(zone).ok()?;
    let zoned = dt.to_zoned(tz).ok()?;
    Some(zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string())
}

/// Now in `zone`, as a `datetime-local` value.
fn local_now(zone: &str) -> String {
    let tz = jiff::tz::TimeZone::get(zone).unwrap_or(jiff::tz::TimeZone::UTC);
    jiff::Timestamp::now()
        .to_zoned(tz)
        .strftime("%Y-%m-%dT%H:%M")
        .to_string()
}

impl<S: Backend> Visit<S> {
    fn zone_of(s: &Session) -> String {
        s.user
            .time_zone
            .clone()
            .unwrap_or_else(|| kyoyu_console::time::DEFAULT_TIME_ZONE.to_owned())
    }
}

/// A stage's name in the page's language, from the decision (its id when
/// the decision does not name it, as for `update`).
fn stage_name(lang: Lang, decision: &Value, id: &str) -> String {
    let key = if lang == Lang::Ja {
        "name_ja"
    } else {
        "name_en"
    };
    decision
        .get("stages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|s| s.get("stage").and_then(Value::as_str) == Some(id))
        .and_then(|s| s.get(key))
        .and_then(Value::as_str)
        .map_or_else(|| id.to_owned(), str::to_owned)
}

/// The decision as the page shows it: rules in the page's language.
fn decision_view<S: Backend>(v: &Visit<S>, d: &Value) -> DecisionView {
    let lang = if v.lang == Lang::Ja { "ja" } else { "en" };
    let text = |item: &Value| -> String {
        item.get(lang)
            .or_else(|| item.get("text").and_then(|t| t.get(lang)))
            .or_else(|| item.get("name").and_then(|t| t.get(lang)))
            .or_else(|| item.get(format!("name_{lang}").as_str()))
            .or_else(|| item.get(format!("text_{lang}").as_str()))
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| item.get("id").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| item.to_string())
    };
    let list = |key: &str| {
        d.get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    DecisionView {
        reportable: d
            .get("reportable")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        recipients: list("recipients").iter().map(text).collect(),
        rules: list("fired_rules").iter().map(text).collect(),
        stages: list("stages")
            .iter()
            .filter_map(|s| {
                let name = stage_name(v.lang, d, s.get("stage")?.as_str()?);
                // Whether the deadline is the law's, a guideline's or the hub's own.
                let kind = s
                    .get("deadline_kind")
                    .and_then(Value::as_str)
                    .map(|k| kyoyu_console::t(v.lang, &format!("reporting.kind_{k}")).to_owned());
                Some((
                    kind.map_or_else(|| name.clone(), |k| format!("{name} ({k})")),
                    s.get("due").and_then(Value::as_str).and_then(instant),
                ))
            })
            .collect(),
    }
}

/// GET `/console/incidents`.
pub(crate) async fn incidents<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = crate::browse::query(&v);
    let overdue_only =
        crate::visit::query_value(&q, "overdue").is_some_and(|o| !o.is_empty() && o != "0");
    let list = match v.hub.incidents(&s.caller, overdue_only).await {
        Ok(l) => l,
        Err(e) => return v.error(&e),
    };
    let now = kyoyu_core::time::now_micros();
    let rows = list.iter().map(|i| incident_row(&v, i, now)).collect();
    let recommendations = v
        .hub
        .recommendations(&s.caller)
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| RecommendationRow {
            title: r["title"].as_str().unwrap_or_default().to_owned(),
            text: r["text"].as_str().unwrap_or_default().to_owned(),
            at: r["at"].as_str().and_then(instant),
        })
        .collect();
    let page = IncidentsPage {
        chrome: v.chrome(Some(Section::Incidents)),
        rows,
        overdue_only,
        may_file: may_file(s),
        recommendations,
    };
    v.page(render_incidents(&page))
}

/// An incident as a row of a list: its next stage due, in the page's language.
pub(crate) fn incident_row<S: Backend>(v: &Visit<S>, i: &Incident, now: i64) -> IncidentRow {
    // The next stage not yet reported with the earliest deadline.
    let next = i
        .stages
        .iter()
        .filter(|s| s.report.is_none())
        .min_by_key(|s| {
            s.due
                .as_deref()
                .and_then(instant)
                .map_or(i128::MAX, |t| t.as_nanosecond())
        })
        .map(|s| {
            (
                stage_name(v.lang, &i.decision, &s.stage),
                s.due.as_deref().and_then(instant),
            )
        });
    IncidentRow {
        id: i.id.clone(),
        title: i.title.clone(),
        filer: if i.org.is_empty() {
            String::new()
        } else {
            v.org_name(&i.org)
        },
        regime: i.regime.clone(),
        state: i.state.clone(),
        next,
        overdue: kyoyu_core::reporting::overdue(i, now),
    }
}

/// The non-empty lines of a text area.
pub(crate) fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn may_file(s: &Session) -> bool {
    let p = &s.caller.principal;
    !p.read_only
        && s.caller
            .directory()
            .org(&p.org)
            .is_some_and(|o| o.kind == OrgKind::Operator)
}

/// The guided form with `form`'s answers (and the decision, if any).
fn assess_page<S: Backend>(
    v: &Visit<S>,
    s: &Session,
    status: StatusCode,
    form: FactsForm,
    decision: Option<DecisionView>,
    problem: Option<String>,
) -> Response {
    let dir = s.caller.directory();
    let sectors = dir
        .org(&s.caller.principal.org)
        .map(|o| o.sectors.clone())
        .unwrap_or_default()
        .into_iter()
        .map(|id| {
            let name = v.sector_name(&id);
            (id, name)
        })
        .collect();
    let page = AssessPage {
        chrome: v.chrome(Some(Section::Incidents)),
        csrf_token: s.record.csrf.clone(),
        sectors,
        categories: kyoyu_report::CATEGORIES
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        form,
        decision,
        problem,
    };
    v.page_with(status, render_assess(&page))
}

/// GET `/console/incidents/new`.
pub(crate) async fn new_incident<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if !may_file(s) {
        return v.error(&Error::said(
            kyoyu_core::ErrorKind::Forbidden,
            "report.operators_file",
            &[],
        ));
    }
    let form = FactsForm {
        regime: "jp-ci".into(),
        aware_at: local_now(&Visit::<S>::zone_of(s)),
        ..FactsForm::default()
    };
    assess_page(&v, s, StatusCode::OK, form, None, None)
}

/// The facts of the guided form's answers (the numbers as numbers; the
/// local times with the person's offset). A number that is not one is
/// passed on as written, so the engine names the field.
fn facts_of(f: &FactsForm, zone: &str) -> Value {
    let mut m = Map::new();
    m.insert("regime".into(), json!(f.regime));
    m.insert("sector".into(), json!(f.sector));
    let time = |t: &str| local_to_rfc3339(t, zone).map_or_else(|| json!(t), |s| json!(s));
    if !f.aware_at.trim().is_empty() {
        m.insert("aware_at".into(), time(&f.aware_at));
    }
    m.insert("malicious".into(), json!(f.malicious));
    match f.significant.as_str() {
        "yes" => {
            m.insert("significant".into(), json!(true));
        }
        "no" => {
            m.insert("significant".into(), json!(false));
        }
        _ => {}
    }
    for (key, value) in [
        ("outage_minutes", &f.outage_minutes),
        ("customers_affected", &f.customers_affected),
        ("records_leaked", &f.records_leaked),
    ] {
        let value = value.trim();
        if !value.is_empty() {
            m.insert(
                key.into(),
                value
                    .parse::<u64>()
                    .map_or_else(|_| json!(value), |n| json!(n)),
            );
        }
    }
    for (key, on) in [
        ("safety_impact", f.safety_impact),
        ("sensitive_data", f.sensitive_data),
        ("financial_damage_risk", f.financial_damage_risk),
        ("statutory_accident", f.statutory_accident),
    ] {
        if on {
            m.insert(key.into(), json!(true));
        }
    }
    if !f.category.trim().is_empty() {
        m.insert("category".into(), json!(f.category.trim()));
    }
    if !f.occurred_at.trim().is_empty() {
        m.insert("occurred_at".into(), time(&f.occurred_at));
    }
    if f.cross_border {
        m.insert("cross_border".into(), json!(true));
    }
    if !f.ransom_paid_at.trim().is_empty() {
        m.insert("ransom_paid_at".into(), time(&f.ransom_paid_at));
    }
    Value::Object(m)
}

/// POST `/console/incidents/assess`: `action=assess` shows the decision;
/// `file` or `draft` files it.
pub(crate) async fn assess<S: Backend>(
    v: Visit<S>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if let Err(r) = v.check_form(s, &get("csrf")) {
        return r;
    }
    let form = FactsForm {
        regime: get("regime"),
        sector: get("sector"),
        aware_at: get("aware_at"),
        malicious: f.contains_key("malicious"),
        significant: get("significant"),
        outage_minutes: get("outage_minutes"),
        customers_affected: get("customers_affected"),
        records_leaked: get("records_leaked"),
        safety_impact: f.contains_key("safety_impact"),
        category: get("category"),
        occurred_at: get("occurred_at"),
        sensitive_data: f.contains_key("sensitive_data"),
        financial_damage_risk: f.contains_key("financial_damage_risk"),
        statutory_accident: f.contains_key("statutory_accident"),
        cross_border: f.contains_key("cross_border"),
        ransom_paid_at: get("ransom_paid_at"),
        title: get("title"),
        text: get("text"),
        indicators: get("indicators"),
    };
    let facts = facts_of(&form, &Visit::<S>::zone_of(s));
    let decision = match v.hub.assess(&facts) {
        Ok(d) => d,
        Err(e) => {
            let status = crate::visit::status_of(&e);
            return assess_page(&v, s, status, form, None, Some(v.explain(&e)));
        }
    };
    let action = get("action");
    if action == "file" || action == "draft" {
        let req = FileRequest {
            facts,
            title: form.title.clone(),
            text: form.text.clone(),
            draft: action == "draft",
            indicators: lines(&form.indicators),
        };
        return match v.hub.file_incident(&s.caller, req).await {
            Ok(i) => v.redirect(&format!("/console/incidents/{}", i.id)),
            Err(e) => {
                let status = crate::visit::status_of(&e);
                let shown = decision_view(&v, &decision);
                assess_page(&v, s, status, form, Some(shown), Some(v.explain(&e)))
            }
        };
    }
    let shown = decision_view(&v, &decision);
    assess_page(&v, s, StatusCode::OK, form, Some(shown), None)
}

fn incident_page<S: Backend>(
    v: &Visit<S>,
    s: &Session,
    i: &Incident,
    status: StatusCode,
    problem: Option<String>,
) -> Response {
    let p = &s.caller.principal;
    let sight = kyoyu_trust::policy::incident_sight(
        p,
        &i.org,
        i.ministry.as_deref(),
        i.state != "draft",
        i.forwarded.as_ref().map(|f| f.attributed),
    );
    let role = match sight {
        Some(IncidentSight::Filer) | None => IncidentRole::Filer,
        Some(IncidentSight::Ministry) => IncidentRole::Ministry,
        Some(IncidentSight::Centre { .. }) => IncidentRole::Centre,
    };
    let now = kyoyu_core::time::now_micros();
    let now_ts = crate::browse::when(now);
    let name = |org: &str| {
        if org.is_empty() {
            String::new()
        } else {
            v.org_name(org)
        }
    };
    let page = IncidentPage {
        chrome: v.chrome(Some(Section::Incidents)),
        csrf_token: s.record.csrf.clone(),
        role,
        id: i.id.clone(),
        title: i.title.clone(),
        filer: name(&i.org),
        sector: v.sector_name(&i.sector),
        regime: i.regime.clone(),
        state: i.state.clone(),
        ministry: i.ministry.as_deref().map(name).unwrap_or_default(),
        forwarded: i.forwarded.as_ref().map(|f| f.attributed),
        decision: decision_view(v, &i.decision),
        stages: i
            .stages
            .iter()
            .map(|st| {
                let due = st.due.as_deref().and_then(instant);
                StageView {
                    id: st.stage.clone(),
                    stage: stage_name(v.lang, &i.decision, &st.stage),
                    due,
                    report: st.report,
                    late: st.late,
                    overdue: st.report.is_none() && due.is_some_and(|d| d < now_ts),
                }
            })
            .collect(),
        reports: i
            .reports
            .iter()
            .map(|r| ReportView {
                number: r.number,
                stage: stage_name(v.lang, &i.decision, &r.stage),
                text: r.text.clone(),
                filed: instant(&r.filed),
                acknowledged: r.acknowledged.as_deref().and_then(instant),
                indicators: r.indicators.clone(),
            })
            .collect(),
        timeline: i
            .timeline
            .iter()
            .map(|e| TimelineEntry {
                at: instant(&e.at),
                what: e.what.clone(),
                by: name(&e.by),
                note: e.note.clone(),
            })
            .collect(),
        rev: i.rev,
        problem,
        share_to: if role == IncidentRole::Filer
            && i.state != "draft"
            && !s.caller.principal.read_only
        {
            crate::share::writable(v, s)
        } else {
            Vec::new()
        },
    };
    v.page_with(status, render_incident(&page))
}

/// GET `/console/incidents/{id}`.
pub(crate) async fn incident<S: Backend>(v: Visit<S>, Path(id): Path<String>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    match v.hub.incident(&s.caller, &id).await {
        Ok(i) => incident_page(&v, s, &i, StatusCode::OK, None),
        Err(e) => v.error(&e),
    }
}

/// GET `/console/incidents/{id}/stix`: the incident as a STIX 2.1 bundle,
/// as the person may see it, to save.
pub(crate) async fn incident_stix<S: Backend>(v: Visit<S>, Path(id): Path<String>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    match v.hub.incident_stix(&s.caller, &id).await {
        Ok(bundle) => {
            let body = serde_json::to_string_pretty(&bundle).unwrap_or_default();
            let mut r = (StatusCode::OK, body).into_response();
            let h = r.headers_mut();
            h.insert(
                axum::http::header::CONTENT_TYPE,
                axum::http::HeaderValue::from_static("application/stix+json;version=2.1"),
            );
            if let Ok(d) = axum::http::HeaderValue::from_str(&format!(
                "attachment; filename=\"{id}.stix.json\""
            )) {
                h.insert(axum::http::header::CONTENT_DISPOSITION, d);
            }
            r
        }
        Err(e) => v.error(&e),
    }
}

/// POST `/console/incidents/{id}`: `action=report|acknowledge|ask|forward|share`.
pub(crate) async fn act_on_incident<S: Backend>(
    v: Visit<S>,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if let Err(r) = v.check_form(s, &get("csrf")) {
        return r;
    }
    let who = &s.caller;
    let done = match get("action").as_str() {
        "report" => {
            let req = ReportRequest {
                stage: get("stage"),
                text: get("text"),
                rev: get("rev").parse().ok(),
                indicators: lines(&get("indicators")),
            };
            v.hub.report_incident(who, &id, req).await
        }
        "acknowledge" => v.hub.acknowledge_incident(who, &id).await,
        "ask" => v.hub.ask_about_incident(who, &id, &get("text")).await,
        "forward" => {
            v.hub
                .forward_incident(who, &id, f.contains_key("attributed"))
                .await
        }
        "share" => {
            let req = kyoyu_wire::reporting::ShareRequest {
                community: get("community"),
                tlp: Some(get("tlp")).filter(|t| !t.is_empty()),
                preview: false,
            };
            match v.hub.share_incident(who, &id, req).await {
                Ok(done) => {
                    // To the receipts page, the receipt kept in this browser.
                    let mut r = v.redirect(kyoyu_console::paths::RECEIPTS);
                    let receipt = done
                        .get("receipt")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned();
                    crate::share::keep_receipt(&v, r.headers_mut(), receipt);
                    return r;
                }
                Err(e) => Err(e),
            }
        }
        other => Err(crate::visit::refusal(
            v.lang,
            kyoyu_core::ErrorKind::BadRequest,
            kyoyu_console::Refusal::NotADecision(other.to_owned()),
        )),
    };
    match done {
        Ok(_) => v.redirect(&format!("/console/incidents/{id}")),
        Err(e) => {
            let status = crate::visit::status_of(&e);
            match v.hub.incident(who, &id).await {
                Ok(i) => incident_page(&v, s, &i, status, Some(v.explain(&e))),
                Err(_) => v.error(&e),
            }
        }
    }
}

fn officer(s: &Session) -> bool {
    s.caller.principal.role == kyoyu_trust::Role::NationalCentreOfficer
}

fn may_raise(s: &Session) -> bool {
    let p = &s.caller.principal;
    !p.read_only
        && s.caller
            .directory()
            .org(&p.org)
            .is_some_and(|o| !matches!(o.kind, OrgKind::NationalCentre | OrgKind::Hub))
}

async fn hotline_page<S: Backend>(
    v: &Visit<S>,
    s: &Session,
    status: StatusCode,
    raised: Option<String>,
    problem: Option<String>,
) -> Response {
    let calls = match v.hub.hotlines(&s.caller, false).await {
        Ok(c) => c,
        Err(e) => return v.error(&e),
    };
    let calls = calls
        .iter()
        .map(|c| HotlineRow {
            id: c.id.clone(),
            caller: v.org_name(&c.org),
            title: c.title.clone(),
            text: c.text.clone(),
            state: c.state.clone(),
            raised: instant(&c.raised),
            assigned: c.assigned.clone().unwrap_or_default(),
            level: c.level,
            ack_due: c.ack_due.as_deref().and_then(instant),
        })
        .collect();
    let page = HotlinePage {
        chrome: v.chrome(Some(Section::Hotline)),
        csrf_token: s.record.csrf.clone(),
        may_raise: may_raise(s),
        officer: officer(s),
        calls,
        raised,
        problem,
    };
    v.page_with(status, render_hotline(&page))
}

/// GET `/console/hotline`.
pub(crate) async fn hotline<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = crate::browse::query(&v);
    let raised = crate::visit::query_value(&q, "raised").filter(|r| r.starts_with("hotline-"));
    hotline_page(&v, s, StatusCode::OK, raised, None).await
}

/// POST `/console/hotline`: raise a call.
pub(crate) async fn raise<S: Backend>(
    v: Visit<S>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if let Err(r) = v.check_form(s, &get("csrf")) {
        return r;
    }
    let req = RaiseRequest {
        title: get("title"),
        text: get("text"),
        incident: None,
    };
    match v.hub.raise_hotline(&s.caller, req).await {
        Ok(call) => v.redirect(&format!("/console/hotline?raised={}", call.id)),
        Err(e) => {
            let status = crate::visit::status_of(&e);
            hotline_page(&v, s, status, None, Some(v.explain(&e))).await
        }
    }
}

/// POST `/console/hotline/{id}/acknowledge`.
pub(crate) async fn acknowledge<S: Backend>(
    v: Visit<S>,
    Path(id): Path<String>,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Err(r) = v.check_form(s, f.get("csrf").map_or("", String::as_str)) {
        return r;
    }
    match v.hub.acknowledge_hotline(&s.caller, &id).await {
        Ok(_) => v.redirect("/console/hotline"),
        Err(e) => {
            let status = crate::visit::status_of(&e);
            hotline_page(&v, s, status, None, Some(v.explain(&e))).await
        }
    }
}

/// GET `/console/hotline/stream`: the live stream for the queue, over the
/// session (the page's script reloads the queue on each event).
pub(crate) async fn stream<S: Backend>(v: Visit<S>, headers: HeaderMap) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let after = headers
        .get("last-event-id")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.trim().parse::<i64>().ok());
    let feed = match v.hub.hotline_feed(&s.caller, after).await {
        Ok(f) => f,
        Err(e) => return v.error(&e),
    };
    let hub = v.hub.clone();
    let events = futures_util::stream::unfold((feed, hub), |(mut feed, hub)| async move {
        let (seq, body) = feed.next(&hub).await?;
        // The page fetches what it may see; the event says only which call.
        let data = json!({"what": body["what"], "id": body["hotline"]["id"]});
        let event = Event::default()
            .id(seq.to_string())
            .event("hotline")
            .data(data.to_string());
        Some((Ok::<_, std::convert::Infallible>(event), (feed, hub)))
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
        .into_response()
}

/// GET `/console/casebook`: the worked examples, searched and filtered.
pub(crate) async fn casebook<S: Backend>(v: Visit<S>) -> Response {
    if let Err(r) = v.signed_in() {
        return r;
    }
    let q = crate::browse::query(&v);
    let get = |k: &str| crate::visit::query_value(&q, k).unwrap_or_default();
    let search = kyoyu_report::casebook::Search {
        text: get("q"),
        sector: get("sector"),
        category: get("category"),
        regime: get("regime"),
        severity: get("severity").parse().ok(),
    };
    let ja = v.lang == Lang::Ja;
    let pick = |ja_text: &str, en_text: &str| if ja { ja_text } else { en_text }.to_owned();
    let recipient_name = |id: &str| match id.strip_prefix("ministry:") {
        Some(m) => v.org_name(m),
        None => id.to_owned(),
    };
    let (cases, practices) = match v.hub.casebook(&search).await {
        Ok(found) => found,
        Err(e) => return v.error(&e),
    };
    let page = kyoyu_console::reporting::CasebookPage {
        chrome: v.chrome(Some(Section::Incidents)),
        sectors: v
            .hub
            .seeds()
            .sectors
            .iter()
            .map(|s| (s.id.clone(), v.sector_name(&s.id)))
            .collect(),
        categories: kyoyu_report::CATEGORIES
            .iter()
            .map(|c| (*c).to_owned())
            .collect(),
        cases: cases
            .iter()
            .map(|c| kyoyu_console::reporting::CaseView {
                title: pick(&c.title_ja, &c.title_en),
                summary: pick(&c.summary_ja, &c.summary_en),
                why: pick(&c.why_ja, &c.why_en),
                sector: v.sector_name(&c.sector),
                category: c.category.clone(),
                regime: c.regime.clone(),
                severity: c.severity,
                reportable: c.reportable,
                recipients: c.recipients.iter().map(|r| recipient_name(r)).collect(),
                stages: c.stages.clone(),
            })
            .collect(),
        practices: practices
            .iter()
            .map(|p| {
                (
                    pick(&p.title_ja, &p.title_en),
                    pick(&p.summary_ja, &p.summary_en),
                )
            })
            .collect(),
        q: search.text,
        sector: search.sector,
        category: search.category,
        regime: search.regime,
    };
    v.page(kyoyu_console::reporting::render_casebook(&page))
}
