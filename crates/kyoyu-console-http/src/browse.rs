//! Reading: the dashboard, browsing, one object, its STIX download, and
//! search. Every object comes from the core's reader (policy and read
//! audit); nothing here decides who sees what.

use crate::visit::{Visit, query_value, refusal};
use axum::extract::Path;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use kyoyu_console::{
    DashboardPage, IntelligencePage, ObjectDetailPage, ObjectRow, ObjectTable, Relation,
    SearchPage, SearchProblem, Section, Sightings, SubmissionRow, SubmissionState, Tlp, TlpCount,
    TypeCount, paths, render_dashboard, render_intelligence, render_object, render_search,
};
use kyoyu_console::{Lang, Refusal};
use kyoyu_core::reader::{Endpoint, Selection, all_versions};
use kyoyu_core::{Backend, Collection, Error, ErrorKind, Micros, StoredVersion};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// One object as the core handed it out: where, at which TLP (as the
/// community counts it), which version.
pub(crate) type Found = (Collection, &'static str, StoredVersion);

/// How many new objects the dashboard counts at most (it says "N+").
const DASHBOARD_COUNT: usize = 1000;
/// Rows of a list page.
const PAGE_ROWS: usize = 50;

/// The badge level of a TLP name.
pub(crate) fn tlp(name: &str) -> Option<Tlp> {
    Some(match name {
        "clear" | "white" => Tlp::Clear,
        "green" => Tlp::Green,
        "amber" => Tlp::Amber,
        "amber+strict" => Tlp::AmberStrict,
        "red" => Tlp::Red,
        _ => return None,
    })
}

/// A time from micros since the epoch.
pub(crate) fn when(m: Micros) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(m).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// What a list shows as an object's name: its name, else an observable's
/// value, else its id.
pub(crate) fn title_of(o: &Value) -> String {
    for key in ["name", "value", "display_name", "path", "number"] {
        if let Some(t) = o.get(key).and_then(Value::as_str)
            && !t.trim().is_empty()
        {
            return t.to_owned();
        }
    }
    if let Some(h) = o.get("hashes").and_then(Value::as_object)
        && let Some(first) = h.values().find_map(Value::as_str)
    {
        return first.to_owned();
    }
    if let (Some(r), Some(s), Some(t)) = (
        o.get("relationship_type").and_then(Value::as_str),
        o.get("source_ref").and_then(Value::as_str),
        o.get("target_ref").and_then(Value::as_str),
    ) {
        return format!("{s} {r} {t}");
    }
    o.get("id").and_then(Value::as_str).unwrap_or("").to_owned()
}

/// A string member of a JSON answer ("" when absent).
pub(crate) fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_default()
}

/// The link to an object's page.
pub(crate) fn object_href(id: &str) -> String {
    format!("{}/{}", paths::INTELLIGENCE, crate::visit::encode(id))
}

/// A row of an object table.
pub(crate) fn row(f: &Found) -> ObjectRow {
    let (_, level, v) = f;
    let o: Value = serde_json::from_str(&v.json).unwrap_or(Value::Null);
    let modified = o
        .get("modified")
        .and_then(Value::as_str)
        .and_then(|m| m.parse::<jiff::Timestamp>().ok())
        .unwrap_or_else(|| when(v.date_added));
    ObjectRow {
        id: v.id.clone(),
        name: title_of(&o),
        stix_type: v.object_type.clone(),
        tlp: tlp(level),
        modified,
        href: object_href(&v.id),
    }
}

/// An object table.
pub(crate) fn table(
    id: &str,
    caption: String,
    found: &[Found],
    next: Option<String>,
) -> ObjectTable {
    ObjectTable {
        id: id.to_owned(),
        caption,
        rows: found.iter().map(row).collect(),
        next_href: next,
    }
}

/// The receipts this browser keeps: (receipt, when it was sent, micros).
pub(crate) fn receipts_of<S>(v: &Visit<S>) -> Vec<(String, Micros)>
where
    S: Backend,
{
    v.cookie(crate::visit::RECEIPTS_COOKIE)
        .unwrap_or_default()
        .split('.')
        .filter_map(|entry| {
            let (r, at) = entry.split_once('~')?;
            Some((r.to_owned(), at.parse().ok()?))
        })
        .filter(|(r, _)| kyoyu_conceal::receipt::looks_like_receipt(r))
        .collect()
}

/// The state of a submission by its name.
pub(crate) fn state(name: &str) -> SubmissionState {
    match name {
        "review" => SubmissionState::Review,
        "held" | "approved" => SubmissionState::Held,
        "releasing" => SubmissionState::Releasing,
        "released" => SubmissionState::Released,
        "rejected" => SubmissionState::Rejected,
        _ => SubmissionState::Withdrawn,
    }
}

/// GET `/console`.
pub(crate) async fn dashboard<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let who = &s.caller;
    let since = s.record.previous_visit;
    let found = match v
        .hub
        .recent_everywhere(who, since, Vec::new(), DASHBOARD_COUNT)
        .await
    {
        Ok(f) => f,
        Err(e) => return v.error(&e),
    };
    let mut by_tlp: BTreeMap<Tlp, u64> = BTreeMap::new();
    let mut by_type: BTreeMap<String, u64> = BTreeMap::new();
    for (_, level, ver) in &found {
        if let Some(t) = tlp(level) {
            *by_tlp.entry(t).or_default() += 1;
        }
        *by_type.entry(ver.object_type.clone()).or_default() += 1;
    }
    let mut new_by_type: Vec<TypeCount> = by_type
        .into_iter()
        .map(|(stix_type, count)| TypeCount { stix_type, count })
        .collect();
    new_by_type.sort_by(|a, b| b.count.cmp(&a.count).then(a.stix_type.cmp(&b.stix_type)));
    let chrome = v.chrome(Some(Section::Dashboard));
    let review_queue = if chrome.may.review {
        match v.hub.reviews(who, None).await {
            Ok(r) => Some(
                r.get("reviews")
                    .and_then(Value::as_array)
                    .map_or(0, |a| a.len() as u64),
            ),
            Err(e) => return v.error(&e),
        }
    } else {
        None
    };
    let mut submissions = Vec::new();
    for (receipt, at) in receipts_of(&v).into_iter().rev().take(20) {
        if let Ok(status) = v.hub.receipt_status(who, &receipt).await {
            submissions.push(SubmissionRow {
                summary: text(&status, "community").to_owned(),
                receipt,
                submitted: when(at),
                state: state(text(&status, "state")),
                href: Some(paths::RECEIPTS.to_owned()),
            });
        }
    }
    // The organization's reporting deadlines within a day, or past.
    let now = kyoyu_core::time::now_micros();
    let deadlines = match v
        .hub
        .deadlines(who, std::time::Duration::from_secs(24 * 3600))
        .await
    {
        Ok(list) => list
            .iter()
            .map(|i| crate::reporting::incident_row(&v, i, now))
            .collect(),
        Err(e) => return v.error(&e),
    };
    let l = v.lang;
    let recent: Vec<Found> = found.into_iter().take(10).collect();
    let page = DashboardPage {
        chrome,
        since: since.map(when),
        new_by_tlp: Tlp::ALL
            .into_iter()
            .map(|t| TlpCount {
                tlp: Some(t),
                count: by_tlp.get(&t).copied().unwrap_or(0),
            })
            .collect(),
        new_by_type,
        submissions,
        review_queue,
        recent: table(
            "recent",
            kyoyu_console::t(l, "dashboard.recent_heading").to_owned(),
            &recent,
            Some(paths::INTELLIGENCE.to_owned()),
        ),
        deadlines,
    };
    v.page(render_dashboard(&page))
}

/// The query of a request, as (name, value) pairs.
pub(crate) fn query<S>(v: &Visit<S>) -> String {
    v.path.split_once('?').map_or("", |(_, q)| q).to_owned()
}

/// A `YYYY-MM-DD` date (midnight in the person's zone, Asia/Tokyo by
/// default) as micros.
fn day_start(lang: Lang, text: &str) -> Result<Option<Micros>, Error> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let date: jiff::civil::Date = text.trim().parse().map_err(|_| {
        refusal(
            lang,
            ErrorKind::BadRequest,
            Refusal::NotADate(text.to_owned()),
        )
    })?;
    let zoned = date
        .to_zoned(jiff::tz::TimeZone::get("Asia/Tokyo").unwrap_or(jiff::tz::TimeZone::UTC))
        .map_err(|_| {
            refusal(
                lang,
                ErrorKind::BadRequest,
                Refusal::NotADate(text.to_owned()),
            )
        })?;
    Ok(Some(zoned.timestamp().as_microsecond()))
}

/// GET `/console/intelligence?community=&type=&tlp=&since=&next=`.
pub(crate) async fn intelligence<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = query(&v);
    let types: Vec<String> = query_value(&q, "type")
        .filter(|t| !t.is_empty())
        .into_iter()
        .collect();
    let level = query_value(&q, "tlp").and_then(|t| tlp(&t));
    let since = match day_start(v.lang, &query_value(&q, "since").unwrap_or_default()) {
        Ok(s) => s,
        Err(e) => return v.error(&e),
    };
    let community = query_value(&q, "community").filter(|c| !c.is_empty());
    let (mut found, next) = match &community {
        None => match v
            .hub
            .recent_everywhere(&s.caller, since, types, PAGE_ROWS)
            .await
        {
            Ok(f) => (f, None),
            Err(e) => return v.error(&e),
        },
        Some(c) => {
            let reader = match v.hub.reader(&s.caller, kyoyu_core::DEFAULT_ROOT, c) {
                Ok(r) => r,
                Err(e) => return v.error(&e),
            };
            let sel = Selection {
                added_after: since,
                limit: Some(PAGE_ROWS),
                next: query_value(&q, "next"),
                types,
                newest_first: true,
                ..Selection::default()
            };
            match reader.list(sel, Endpoint::Objects).await {
                Ok(page) => {
                    let col = reader.collection().clone();
                    let view = reader.view();
                    let found = page
                        .items
                        .into_iter()
                        .map(|ver| (col.clone(), view.effective(ver.tlp).name(), ver))
                        .collect();
                    let next = page.next.map(|n| {
                        let mut p = v
                            .path
                            .split('&')
                            .filter(|p| !p.starts_with("next="))
                            .collect::<Vec<_>>()
                            .join("&");
                        p.push_str(if p.contains('?') { "&" } else { "?" });
                        format!("{p}next={}", crate::visit::encode(&n))
                    });
                    (found, next)
                }
                Err(e) => return v.error(&e),
            }
        }
    };
    if let Some(level) = level {
        found.retain(|f| tlp(f.1) == Some(level));
    }
    let l = v.lang;
    let communities = v
        .hub
        .catalog()
        .collections
        .iter()
        .filter(|c| s.caller.view_of(c).can_read())
        .filter_map(|c| {
            let id = c.alias.clone()?;
            let name = s
                .caller
                .directory()
                .community(&id)
                .map_or_else(|| c.title.clone(), |m| community_name(l, m));
            Some((id, name))
        })
        .collect();
    let page = IntelligencePage {
        chrome: v.chrome(Some(Section::Intelligence)),
        communities,
        community: community.unwrap_or_default(),
        stix_type: query_value(&q, "type").unwrap_or_default(),
        tlp: level,
        since: query_value(&q, "since").unwrap_or_default(),
        table: table(
            "objects",
            kyoyu_console::t(l, "intelligence.title").to_owned(),
            &found,
            next,
        ),
    };
    v.page(render_intelligence(&page))
}

/// A community's name in the page's language.
pub(crate) fn community_name(l: kyoyu_console::Lang, c: &kyoyu_trust::Community) -> String {
    match (l, &c.name_ja) {
        (kyoyu_console::Lang::Ja, Some(ja)) if !ja.is_empty() => ja.clone(),
        _ => c.name.clone(),
    }
}

/// The newest version of an object the person may read, where.
async fn find<S: Backend>(v: &Visit<S>, id: &str) -> Result<Found, Response> {
    let s = v.signed_in()?;
    let found = v
        .hub
        .find_everywhere(&s.caller, id)
        .await
        .map_err(|e| v.error(&e))?;
    found.into_iter().next().ok_or_else(|| {
        v.error(&refusal(
            v.lang,
            ErrorKind::NotFound,
            Refusal::NoObject(id.to_owned()),
        ))
    })
}

/// GET `/console/intelligence/{id}`: the newest version the person may
/// read (or `?version=`), its properties, the relationships and sightings
/// that name it which the person may read, and its versions.
pub(crate) async fn object<S: Backend>(v: Visit<S>, Path(id): Path<String>) -> Response {
    let (c, level, newest) = match find(&v, &id).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let Ok(s) = v.signed_in() else {
        return v.redirect(paths::SIGN_IN);
    };
    let who = &s.caller;
    let versions = match v.hub.reader(who, &c.api_root, &c.id) {
        Ok(reader) => {
            let sel = Selection {
                versions: Some(all_versions()),
                ..Selection::default()
            };
            match reader.object(sel, &id, Endpoint::Object).await {
                Ok(p) => p.items,
                Err(e) => return v.error(&e),
            }
        }
        Err(e) => return v.error(&e),
    };
    let wanted = query_value(&query(&v), "version");
    let shown = wanted
        .as_deref()
        .and_then(|w| versions.iter().find(|ver| ver.version == w))
        .cloned()
        .unwrap_or(newest);
    let o: Value = serde_json::from_str(&shown.json).unwrap_or(Value::Null);
    // What refers to it: relationships and sightings the person may read.
    let referring = match v.hub.search_everywhere(who, None, Some(&id), 100).await {
        Ok(f) => f,
        Err(e) => return v.error(&e),
    };
    let mut relations = Vec::new();
    let mut sightings = Sightings::default();
    for (_, _, r) in &referring {
        let rel: Value = serde_json::from_str(&r.json).unwrap_or(Value::Null);
        if r.object_type == "sighting" && text(&rel, "sighting_of_ref") == id {
            sightings.count += rel.get("count").and_then(Value::as_u64).unwrap_or(1);
            let at = |k: &str| text(&rel, k).parse::<jiff::Timestamp>().ok();
            if let Some(f) = at("first_seen") {
                sightings.first_seen = Some(sightings.first_seen.map_or(f, |x| x.min(f)));
            }
            if let Some(l) = at("last_seen") {
                sightings.last_seen = Some(sightings.last_seen.map_or(l, |x| x.max(l)));
            }
            for place in rel
                .get("where_sighted_refs")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .take(10)
            {
                // Only places the person may read are named.
                if let Ok(found) = v.hub.find_everywhere(who, place).await
                    && let Some((_, _, pv)) = found.into_iter().next()
                {
                    let pj: Value = serde_json::from_str(&pv.json).unwrap_or(Value::Null);
                    let name = title_of(&pj);
                    if !sightings.places.contains(&name) {
                        sightings.places.push(name);
                    }
                }
            }
        }
        let (kind, other, outgoing) = match r.object_type.as_str() {
            "relationship" => {
                let (src, dst) = (text(&rel, "source_ref"), text(&rel, "target_ref"));
                if src == id {
                    (
                        text(&rel, "relationship_type").to_owned(),
                        dst.to_owned(),
                        true,
                    )
                } else if dst == id {
                    (
                        text(&rel, "relationship_type").to_owned(),
                        src.to_owned(),
                        false,
                    )
                } else {
                    continue;
                }
            }
            "sighting" if text(&rel, "sighting_of_ref") == id => {
                ("sighting-of".to_owned(), r.id.clone(), false)
            }
            _ => continue,
        };
        let other_found = if other == r.id {
            None
        } else {
            v.hub
                .find_everywhere(who, &other)
                .await
                .ok()
                .and_then(|f| f.into_iter().next())
        };
        let (other_name, other_type) = match &other_found {
            Some((_, _, ov)) => {
                let ov_json: Value = serde_json::from_str(&ov.json).unwrap_or(Value::Null);
                (title_of(&ov_json), ov.object_type.clone())
            }
            None if other == r.id => (title_of(&rel), r.object_type.clone()),
            // The other end is not readable: its id only.
            None => (
                other.clone(),
                other.split("--").next().unwrap_or_default().to_owned(),
            ),
        };
        relations.push(Relation {
            kind,
            outgoing,
            other_name,
            other_type,
            other_href: object_href(&other),
            href: object_href(&r.id),
        });
    }
    let stamp = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .and_then(|t| t.parse::<jiff::Timestamp>().ok())
    };
    let properties = o
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, val)| {
                    let shown = match val {
                        Value::String(t) => t.clone(),
                        other => serde_json::to_string_pretty(other).unwrap_or_default(),
                    };
                    (k.clone(), shown)
                })
                .collect()
        })
        .unwrap_or_default();
    let community = s
        .caller
        .directory()
        .community(kyoyu_core::community_of(&c))
        .map_or_else(|| c.title.clone(), |m| community_name(v.lang, m));
    let page = ObjectDetailPage {
        chrome: v.chrome(Some(Section::Intelligence)),
        name: title_of(&o),
        id: id.clone(),
        stix_type: shown.object_type.clone(),
        tlp: tlp(level),
        community,
        created: stamp("created"),
        modified: stamp("modified"),
        added: when(shown.date_added),
        revoked: o.get("revoked").and_then(Value::as_bool).unwrap_or(false),
        properties,
        relations,
        sightings,
        versions: versions
            .iter()
            .rev()
            .map(|ver| {
                (
                    kyoyu_core::reader::version_text(ver),
                    when(ver.date_added),
                    format!(
                        "{}?version={}",
                        object_href(&id),
                        crate::visit::encode(&ver.version)
                    ),
                )
            })
            .collect(),
        download_href: format!("{}/stix", object_href(&id)),
    };
    v.page(render_object(&page))
}

/// GET `/console/intelligence/{id}/stix`: the newest version the person
/// may read, as a bundle, to save.
pub(crate) async fn object_stix<S: Backend>(v: Visit<S>, Path(id): Path<String>) -> Response {
    let (_, _, newest) = match find(&v, &id).await {
        Ok(f) => f,
        Err(r) => return r,
    };
    let object: Value = serde_json::from_str(&newest.json).unwrap_or(Value::Null);
    let bundle = json!({
        "type": "bundle",
        "id": format!("bundle--{}", uuid::Uuid::new_v4()),
        "objects": [object],
    });
    let mut r = serde_json::to_string_pretty(&bundle)
        .unwrap_or_default()
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/stix+json;version=2.1"),
    );
    let file: String = id
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if let Ok(d) = HeaderValue::from_str(&format!("attachment; filename=\"{file}.json\"")) {
        h.insert(header::CONTENT_DISPOSITION, d);
    }
    r
}

/// GET `/console/search?q=&value=`.
pub(crate) async fn search<S: Backend>(v: Visit<S>) -> Response {
    let s = match v.signed_in() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let q = query(&v);
    let text = query_value(&q, "q").filter(|t| !t.trim().is_empty());
    let value = query_value(&q, "value").filter(|t| !t.trim().is_empty());
    // The form sent with both fields empty is a problem; the page opened
    // from the navigation (no fields at all) is not.
    let sent = query_value(&q, "q").is_some() || query_value(&q, "value").is_some();
    let mut problem = None;
    let found = if text.is_none() && value.is_none() {
        if sent {
            problem = Some(SearchProblem::NothingEntered);
        }
        Vec::new()
    } else {
        match v
            .hub
            .search_everywhere(&s.caller, text.as_deref(), value.as_deref(), 100)
            .await
        {
            Ok(f) => f,
            Err(e) if e.kind == kyoyu_core::ErrorKind::BadRequest => {
                problem = Some(SearchProblem::Refused(v.explain(&e)));
                Vec::new()
            }
            Err(e) => return v.error(&e),
        }
    };
    let l = v.lang;
    let asked = text.is_some() || value.is_some();
    let status = if problem.is_some() {
        axum::http::StatusCode::BAD_REQUEST
    } else {
        axum::http::StatusCode::OK
    };
    let page = SearchPage {
        chrome: v.chrome(Some(Section::Search)),
        q: text.unwrap_or_default(),
        value: value.unwrap_or_default(),
        problem,
        results: asked.then(|| {
            table(
                "results",
                kyoyu_console::t(l, "search.title").to_owned(),
                &found,
                None,
            )
        }),
    };
    v.page_with(status, render_search(&page))
}
