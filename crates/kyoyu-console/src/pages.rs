//! The render functions: a view-model in, a complete HTML document (or a fragment) out.
//!
//! Each page is an askama template under `templates/` extending `base.html`, the layout every
//! page shares. A template reads messages as `l.t("key")`; everything else it shows comes from
//! the view-model and is escaped by askama.

use crate::assets;
use crate::i18n::{LANG_QUERY, LANGS, Lang, t, tf};
use crate::model::{
    AccountPage, AdminPage, AdminTab, AuditRow, CATEGORIES, Chrome, DashboardPage, Doubt,
    ErrorPage, IntelligencePage, NAMED_STIX_TYPES, ObjectDetailPage, ObjectTable, PasswordPage,
    PasswordProblem, ReceiptsPage, Relation, ReviewItem, ReviewNotice, ReviewPage, ReviewQueuePage,
    SearchPage, SearchProblem, Section, SignInPage, SubmitPage, Submitted, Tlp, TokenRow,
    TotpEnrolPage,
};
use crate::paths::{self, local_or_root};
use crate::qr::{escape, qr_svg};
use crate::time::{When, Zone};
use askama::Template;
use std::fmt;

/// A page could not be rendered (a template failed to write; answer 500).
#[derive(Debug)]
pub struct RenderError(askama::Error);

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "rendering a console page failed: {}", self.0)
    }
}

impl std::error::Error for RenderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

impl From<askama::Error> for RenderError {
    fn from(error: askama::Error) -> RenderError {
        RenderError(error)
    }
}

/// The sign-in page.
pub fn render_sign_in(page: &SignInPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let view = SignInView {
        l,
        layout: Layout::new(&page.chrome, t(l, "sign_in.title")),
        page,
    };
    Ok(view.render()?)
}

/// The TOTP enrolment page, with the QR code of `otpauth_uri` drawn inline.
pub fn render_totp_enrol(page: &TotpEnrolPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let view = TotpView {
        l,
        layout: Layout::new(&page.chrome, t(l, "totp.title")),
        qr: qr_svg(&page.otpauth_uri, t(l, "totp.qr_title")),
        secret_groups: group_by_four(&page.secret_base32),
        page,
    };
    Ok(view.render()?)
}

/// The search page.
pub fn render_search(page: &SearchPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "search.title"));
    let table = match &page.results {
        Some(t) => Some(TableView::new(l, &layout.zone, t).render()?),
        None => None,
    };
    let found = page.results.as_ref().map_or(String::new(), |t| {
        let count = t.rows.len().to_string();
        if t.next_href.is_some() {
            tf(l, "search.found_more", &[("count", &count)])
        } else {
            tf(l, "search.found", &[("count", &count)])
        }
    });
    let problem = page.problem.as_ref().map(|p| match p {
        SearchProblem::NothingEntered => t(l, "search.nothing_entered").to_string(),
        SearchProblem::Refused(why) => why.clone(),
    });
    let view = SearchView {
        l,
        layout,
        page,
        table,
        found,
        problem,
    };
    Ok(view.render()?)
}

/// The browsing page.
pub fn render_intelligence(page: &IntelligencePage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "intelligence.title"));
    let table = TableView::new(l, &layout.zone, &page.table).render()?;
    let types = NAMED_STIX_TYPES
        .iter()
        .map(|ty| ((*ty).to_string(), type_name(l, ty)))
        .collect();
    let tlps = Tlp::ALL
        .into_iter()
        .map(|tl| (tlp_value(tl), tl.label(), page.tlp == Some(tl)))
        .collect();
    let count = page.table.rows.len().to_string();
    let count_text = if page.table.next_href.is_some() {
        tf(l, "intelligence.count_more", &[("count", &count)])
    } else {
        tf(l, "intelligence.count", &[("count", &count)])
    };
    let view = IntelligenceView {
        l,
        layout,
        page,
        table,
        types,
        tlps,
        count_text,
    };
    Ok(view.render()?)
}

/// The value a TLP filter sends (`amber+strict`).
pub fn tlp_value(tlp: Tlp) -> &'static str {
    match tlp {
        Tlp::Clear => "clear",
        Tlp::Green => "green",
        Tlp::Amber => "amber",
        Tlp::AmberStrict => "amber+strict",
        Tlp::Red => "red",
    }
}

/// One object's page, with its relationships drawn.
pub fn render_object(page: &ObjectDetailPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, &page.name);
    let relations = page
        .relations
        .iter()
        .map(|r| RelationView {
            kind: &r.kind,
            direction: if r.outgoing {
                t(l, "object.outgoing")
            } else {
                t(l, "object.incoming")
            },
            other_name: &r.other_name,
            other_type: type_name(l, &r.other_type),
            other_href: local_or_root(&r.other_href),
            href: local_or_root(&r.href),
        })
        .collect();
    let versions = page
        .versions
        .iter()
        .map(|(v, added, href)| {
            (
                time_text(&layout.zone, v),
                layout.zone.when(*added),
                local_or_root(href).to_string(),
            )
        })
        .collect();
    let sightings = &page.sightings;
    let sighting_count = tf(
        l,
        "object.sighting_count",
        &[("count", &sightings.count.to_string())],
    );
    let view = ObjectView {
        l,
        sighting_count,
        first_seen: sightings.first_seen.map(|w| layout.zone.when(w)),
        download: local_or_root(&page.download_href),
        last_seen: sightings.last_seen.map(|w| layout.zone.when(w)),
        type_name: type_name(l, &page.stix_type),
        created: page.created.map(|w| layout.zone.when(w)),
        modified: page.modified.map(|w| layout.zone.when(w)),
        added: layout.zone.when(page.added),
        graph: relation_graph(&page.name, &page.relations, t(l, "object.graph_title")),
        relations,
        versions,
        layout,
        page,
    };
    Ok(view.render()?)
}

/// At most this many characters of a name in the picture.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The object and its related objects as an SVG picture: the object in
/// the middle, the others around it, each line labelled with the
/// relationship (an arrow toward the target). Every text is escaped; the
/// look comes from `console.css` (no inline style).
pub fn relation_graph(name: &str, relations: &[Relation], title: &str) -> String {
    const MAX: usize = 24;
    let shown = relations
        .get(..relations.len().min(MAX))
        .unwrap_or_default();
    // Many neighbours: smaller circles, shorter labels, a wider circle of them (each gets
    // about its diameter and a gap of the circumference), labels on alternate lines staggered.
    let crowded = shown.len() > 12;
    let (node, name_max, kind_max) = if crowded {
        (16.0, 14, 14)
    } else {
        (24.0, 28, 24)
    };
    let radius = (shown.len() as f64 * (2.0 * node + 34.0) / std::f64::consts::TAU).max(210.0);
    let size = 2.0 * (radius + 70.0);
    let centre = size / 2.0;
    let mut svg = format!(
        "<svg class=\"relation-graph\" role=\"img\" viewBox=\"0 0 {size:.0} {size:.0}\" xmlns=\"http://www.w3.org/2000/svg\"><title>{}</title>\
<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"graph-arrow\"/></marker></defs>",
        escape(title)
    );
    let n = shown.len().max(1) as f64;
    for (i, r) in shown.iter().enumerate() {
        let angle = std::f64::consts::TAU * (i as f64) / n - std::f64::consts::FRAC_PI_2;
        let (x, y) = (centre + radius * angle.cos(), centre + radius * angle.sin());
        // The line stops short of both circles so the arrow shows.
        let (dx, dy) = (x - centre, y - centre);
        let len = (dx * dx + dy * dy).sqrt().max(1.0);
        let (ux, uy) = (dx / len, dy / len);
        let (near, far) = (34.0, node + 2.0);
        let (x1, y1, x2, y2) = if r.outgoing {
            (
                centre + ux * near,
                centre + uy * near,
                x - ux * far,
                y - uy * far,
            )
        } else {
            (
                x - ux * far,
                y - uy * far,
                centre + ux * near,
                centre + uy * near,
            )
        };
        svg.push_str(&format!(
            "<line class=\"graph-edge\" x1=\"{x1:.1}\" y1=\"{y1:.1}\" x2=\"{x2:.1}\" y2=\"{y2:.1}\" marker-end=\"url(#arrow)\"/>"
        ));
        // The label sits nearer the neighbour than the centre, where the lines are apart.
        let along = if crowded && i % 2 == 1 { 0.78 } else { 0.6 };
        let (mx, my) = (centre + dx * along, centre + dy * along);
        svg.push_str(&format!(
            "<text class=\"graph-edge-label\" x=\"{mx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            my - 4.0,
            escape(&short(&r.kind, kind_max))
        ));
        // No links inside the picture (an image holds nothing to focus):
        // the table beside it links every object.
        svg.push_str(&format!(
            "<circle class=\"graph-node\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{node}\"/><text class=\"graph-label\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            y + node + 16.0,
            escape(&short(&r.other_name, name_max))
        ));
    }
    svg.push_str(&format!(
        "<circle class=\"graph-centre\" cx=\"{centre:.1}\" cy=\"{centre:.1}\" r=\"32\"/><text class=\"graph-label graph-centre-label\" x=\"{centre:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></svg>",
        centre + 50.0,
        escape(&short(name, 32))
    ));
    svg
}

/// Text with the concealment's placeholders marked: every `[word]` token (`[redacted]`,
/// `[organization]`, `[address]`…) and the placeholder host `redacted.invalid`. Escaped first,
/// then the markers added, so nothing in `text` becomes markup.
pub fn mark_redactions(text: &str) -> String {
    mark_placeholders(&escape(text))
}

/// The placeholder host the concealment writes for a redacted host name.
const PLACEHOLDER_HOST: &str = "redacted.invalid";

/// The longest `[word]` taken for a placeholder.
const PLACEHOLDER_MAX: usize = 40;

/// Marks the placeholders in already escaped text. A placeholder is `[`, a letter, then letters,
/// digits, `-`, `_` or `+`, then `]`: `[0]` (an index), `[ ]`, `[a:b]` (a STIX pattern) and
/// `[]` are not. The markers hold no `[`, so marking is one pass and never nests.
fn mark_placeholders(escaped: &str) -> String {
    let mut out = String::with_capacity(escaped.len() + 32);
    let mut rest = escaped;
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix(PLACEHOLDER_HOST) {
            out.push_str("<mark class=\"redaction\">");
            out.push_str(PLACEHOLDER_HOST);
            out.push_str("</mark>");
            rest = after;
            continue;
        }
        if let Some(len) = placeholder_len(rest) {
            let (token, after) = rest.split_at(len);
            out.push_str("<mark class=\"redaction\">");
            out.push_str(token);
            out.push_str("</mark>");
            rest = after;
            continue;
        }
        let mut chars = rest.chars();
        if let Some(c) = chars.next() {
            out.push(c);
        }
        rest = chars.as_str();
    }
    out
}

/// The length in bytes of the `[word]` placeholder `text` starts with, if it starts with one.
fn placeholder_len(text: &str) -> Option<usize> {
    let inner = text.strip_prefix('[')?;
    let mut chars = inner.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_alphabetic() {
        return None;
    }
    for (at, c) in chars.take(PLACEHOLDER_MAX) {
        if c == ']' {
            return Some(at + 2);
        }
        if !(c.is_alphanumeric() || matches!(c, '-' | '_' | '+')) {
            return None;
        }
    }
    None
}

/// Text with the doubts' passages (`<mark class="doubt">`) and the placeholders
/// (`<mark class="redaction">`, as [`mark_redactions`]) marked, over the escaped text (a passage
/// inside an inserted tag is never matched).
pub fn mark_doubts(text: &str, doubts: &[Doubt]) -> String {
    let escaped = escape(text);
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    for d in doubts {
        let needle = escape(&d.text);
        if needle.is_empty() {
            continue;
        }
        let mut from = 0;
        while let Some(at) = escaped.get(from..).and_then(|rest| rest.find(&needle)) {
            ranges.push((from + at, from + at + needle.len()));
            from += at + needle.len();
        }
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(escaped.len());
    let mut last = 0;
    for (start, end) in ranges {
        if start < last {
            continue;
        }
        out.push_str(escaped.get(last..start).unwrap_or_default());
        out.push_str("<mark class=\"doubt\">");
        out.push_str(escaped.get(start..end).unwrap_or_default());
        out.push_str("</mark>");
        last = end;
    }
    out.push_str(escaped.get(last..).unwrap_or_default());
    mark_placeholders(&out)
}

/// The review queue.
pub fn render_review_queue(page: &ReviewQueuePage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let notice = page.notice.as_ref().map(|n| match n {
        ReviewNotice::Approved(id) => tf(l, "review.approved", &[("id", id)]),
        ReviewNotice::Rejected(id) => tf(l, "review.rejected", &[("id", id)]),
        ReviewNotice::Edited(id) => tf(l, "review.edited", &[("id", id)]),
    });
    let items = page
        .items
        .iter()
        .map(|item| (item, local_or_root(&item.href)))
        .collect();
    let view = ReviewQueueView {
        l,
        layout: Layout::new(&page.chrome, t(l, "review.title")),
        page,
        notice,
        items,
    };
    Ok(view.render()?)
}

/// One submission under review.
pub fn render_review(page: &ReviewPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let view = ReviewView {
        l,
        layout: Layout::new(&page.chrome, t(l, "review.one_title")),
        objects: page
            .objects
            .iter()
            .map(|o| mark_doubts(o, &page.doubts))
            .collect(),
        action: format!("{}/{}", paths::REVIEW, escape_path(&page.id)),
        // The objects as one JSON list, to redact by hand (escaped by the template).
        edit_text: format!("[\n{}\n]", page.objects.join(",\n")),
        page,
    };
    Ok(view.render()?)
}

/// A path segment: letters, digits and `-` kept (submission ids are UUIDs).
fn escape_path(segment: &str) -> String {
    segment
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// The receipts page.
pub fn render_receipts(page: &ReceiptsPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "receipts.title"));
    let kept = page
        .kept
        .iter()
        .map(|s| SubmissionView::new(l, &layout.zone, s))
        .collect();
    let released = page
        .status
        .as_ref()
        .and_then(|st| st.released)
        .map(|w| layout.zone.when(w));
    let objects = page
        .status
        .as_ref()
        .map(|st| {
            st.objects
                .iter()
                .map(|(id, href)| (id.as_str(), local_or_root(href)))
                .collect()
        })
        .unwrap_or_default();
    let view = ReceiptsView {
        l,
        layout,
        page,
        kept,
        released,
        objects,
    };
    Ok(view.render()?)
}

/// The account page.
pub fn render_account(page: &AccountPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "account.title"));
    let tokens = page
        .tokens
        .iter()
        .map(|tk| TokenView::new(&layout.zone, tk))
        .collect();
    let view = AccountView {
        l,
        layout,
        page,
        tokens,
    };
    Ok(view.render()?)
}

/// An API token with its times for people.
struct TokenView<'a> {
    token: &'a TokenRow,
    created: String,
    expires: Option<String>,
}

impl<'a> TokenView<'a> {
    fn new(zone: &Zone, token: &'a TokenRow) -> TokenView<'a> {
        TokenView {
            token,
            created: time_text(zone, &token.created),
            expires: token.expires.as_deref().map(|e| time_text(zone, e)),
        }
    }
}

/// An RFC 3339 time in the person's zone; any other text as it is.
fn time_text(zone: &Zone, text: &str) -> String {
    text.parse::<jiff::Timestamp>()
        .map_or_else(|_| text.to_string(), |at| zone.when(at).shown)
}

/// The administration page.
pub fn render_admin(page: &AdminPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "admin.title"));
    let tabs = page
        .tabs
        .iter()
        .map(|tab| {
            (
                format!("{}?tab={}", paths::ADMIN, tab.code()),
                t(l, tab.key()),
                *tab == page.tab,
            )
        })
        .collect();
    let audit = page
        .audit
        .iter()
        .map(|a| (a, layout.zone.when(a.at)))
        .collect();
    let (intact_text, broken_text) = match &page.audit_check {
        Some(c) => (
            tf(
                l,
                "admin.audit_intact",
                &[
                    ("entries", &c.entries.to_string()),
                    ("withheld", &c.withheld.to_string()),
                    ("head", &c.head),
                ],
            ),
            c.broken
                .as_ref()
                .map(|(seq, _)| tf(l, "admin.audit_broken_at", &[("seq", &seq.to_string())]))
                .unwrap_or_default(),
        ),
        None => (String::new(), String::new()),
    };
    let tokens = page
        .tokens
        .iter()
        .map(|tk| TokenView::new(&layout.zone, tk))
        .collect();
    let secret = page.temporary_password.as_ref().map(|(login, password)| {
        (
            tf(l, "admin.temporary_password", &[("login", login)]),
            password.as_str(),
        )
    });
    let members_heading = page
        .members
        .as_ref()
        .map(|m| tf(l, "admin.members_of", &[("name", &m.name)]))
        .unwrap_or_default();
    let suppliers_heading = page
        .suppliers
        .as_ref()
        .map(|m| tf(l, "admin.suppliers_of", &[("name", &m.name)]))
        .unwrap_or_default();
    let view = AdminView {
        l,
        layout,
        page,
        tabs,
        audit,
        intact_text,
        broken_text,
        secret,
        tokens,
        members_heading,
        suppliers_heading,
    };
    Ok(view.render()?)
}

/// The levels a concealed share may carry (never RED: a concealed source
/// cannot name its recipients).
pub(crate) const SHAREABLE_TLPS: [Tlp; 4] = [Tlp::Clear, Tlp::Green, Tlp::Amber, Tlp::AmberStrict];

/// The submit page.
pub fn render_submit(page: &SubmitPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let tlps = SHAREABLE_TLPS
        .into_iter()
        .map(|tl| (tlp_value(tl), tl.label()))
        .collect();
    let categories = CATEGORIES
        .iter()
        .map(|c| (*c, t(l, &format!("category.{c}")).to_string()))
        .collect();
    let objects = page
        .preview
        .as_ref()
        .map(|p| p.objects.iter().map(|o| mark_redactions(o)).collect())
        .unwrap_or_default();
    let (doubts_text, stored_text) = match &page.submitted {
        Some(Submitted::Concealed { doubts, .. }) => (
            tf(
                l,
                "submit.doubts_waiting",
                &[("count", &doubts.to_string())],
            ),
            String::new(),
        ),
        Some(Submitted::Attributed { stored, .. }) => (
            String::new(),
            tf(l, "submit.stored", &[("count", &stored.to_string())]),
        ),
        None => (String::new(), String::new()),
    };
    let redactions = page
        .preview
        .as_ref()
        .map(|p| {
            p.redactions
                .iter()
                .map(|(kind, count)| (redaction_name(l, kind), *count))
                .collect()
        })
        .unwrap_or_default();
    let dropped_text = page
        .preview
        .as_ref()
        .filter(|p| p.dropped > 0)
        .map(|p| tf(l, "submit.dropped", &[("count", &p.dropped.to_string())]));
    let view = SubmitView {
        l,
        layout: Layout::new(&page.chrome, t(l, "submit.title")),
        page,
        tlps,
        categories,
        objects,
        redactions,
        dropped_text,
        doubts_text,
        stored_text,
    };
    Ok(view.render()?)
}

/// The change-password page.
pub fn render_password(page: &PasswordPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let problem = page.problem.as_ref().map(|p| match p {
        PasswordProblem::Mismatch => t(l, "password.mismatch").to_string(),
        PasswordProblem::Refused(why) => why.clone(),
    });
    let view = PasswordView {
        l,
        layout: Layout::new(&page.chrome, t(l, "password.title")),
        page,
        problem,
    };
    Ok(view.render()?)
}

/// The dashboard.
pub fn render_dashboard(page: &DashboardPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "dashboard.title"));
    let since_text = match page.since {
        Some(since) => tf(
            l,
            "dashboard.new_since",
            &[("time", &layout.zone.when(since).shown)],
        ),
        None => t(l, "dashboard.new_first").to_string(),
    };
    let tlp_total: u64 = page.new_by_tlp.iter().map(|c| c.count).sum();
    let type_total: u64 = page.new_by_type.iter().map(|c| c.count).sum();
    let types = page
        .new_by_type
        .iter()
        .map(|c| TypeCountView {
            name: type_name(l, &c.stix_type),
            count: c.count,
        })
        .collect();
    let submissions = page
        .submissions
        .iter()
        .map(|s| SubmissionView::new(l, &layout.zone, s))
        .collect();
    let review_text = page.review_queue.map(|count| {
        tf(
            l,
            "dashboard.review_waiting",
            &[("count", &count.to_string())],
        )
    });
    let deadlines = page
        .deadlines
        .iter()
        .map(|r| (r, r.next_due(&layout.zone)))
        .collect();
    let view = DashboardView {
        l,
        deadlines,
        recent: TableView::new(l, &layout.zone, &page.recent),
        since_text,
        tlp_total,
        type_total,
        types,
        submissions,
        review_text,
        review_href: page.chrome.may.review.then_some(paths::REVIEW),
        layout,
        page,
    };
    Ok(view.render()?)
}

/// A page that says what went wrong.
pub fn render_error(page: &ErrorPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let title = t(l, status_key(page.status));
    let heading = tf(
        l,
        "error.heading",
        &[("status", &page.status.to_string()), ("title", title)],
    );
    let view = ErrorView {
        l,
        layout: Layout::new(&page.chrome, title),
        heading,
        back: local_or_root(&page.back_href),
        page,
    };
    Ok(view.render()?)
}

/// The object table alone: the fragment a partial update replaces (see
/// [`paths::PARTIAL_HEADER`]).
pub fn render_object_table(
    lang: Lang,
    time_zone: Option<&str>,
    table: &ObjectTable,
) -> Result<String, RenderError> {
    let zone = Zone::named(time_zone);
    Ok(TableView::new(lang, &zone, table).render()?)
}

/// The catalogue key of the title of an HTTP status (the rows of `kyoyu_wire::ErrorKind`).
pub fn status_key(status: u16) -> &'static str {
    match status {
        400 => "error.status_400",
        401 => "error.status_401",
        403 => "error.status_403",
        404 => "error.status_404",
        405 => "error.status_405",
        406 => "error.status_406",
        409 => "error.status_409",
        413 => "error.status_413",
        415 => "error.status_415",
        422 => "error.status_422",
        429 => "error.status_429",
        500 => "error.status_500",
        503 => "error.status_503",
        _ => "error.status_other",
    }
}

/// The statuses with a title of their own.
pub const KNOWN_STATUSES: [u16; 13] = [
    400, 401, 403, 404, 405, 406, 409, 413, 415, 422, 429, 500, 503,
];

/// The kinds of doubt the catalogues word (the concealment's `DoubtKind` names).
pub const DOUBT_KINDS: [&str; 3] = ["default-machine-name", "email-in-text", "company-name"];

/// Why a reviewer is asked about `text`, in `lang`, for a doubt of `kind`
/// (`None` for a kind the catalogues do not word: show the stored reason).
pub fn doubt_reason(lang: Lang, kind: &str, text: &str) -> Option<String> {
    DOUBT_KINDS
        .contains(&kind)
        .then(|| crate::i18n::tf(lang, &format!("doubt.{kind}"), &[("text", text)]))
}

/// The kinds of redaction the catalogues name (the concealment's kinds; others are shown as
/// their code).
pub const NAMED_REDACTIONS: [&str; 11] = [
    "name",
    "host",
    "email",
    "own-address",
    "private-address",
    "internal-host",
    "user-folder",
    "phone",
    "asn",
    "logon-domain",
    "original-id",
];

/// The name of a kind of redaction in `lang` (the kind itself when the catalogue does not name
/// it).
pub fn redaction_name(lang: Lang, kind: &str) -> String {
    if NAMED_REDACTIONS.contains(&kind) {
        t(lang, &format!("redaction.{kind}")).to_string()
    } else {
        kind.to_string()
    }
}

/// The name of a STIX type in `lang` (the type itself for types the catalogue does not name).
pub fn type_name(lang: Lang, stix_type: &str) -> String {
    if NAMED_STIX_TYPES.contains(&stix_type) {
        t(lang, &format!("stix.{stix_type}")).to_string()
    } else {
        stix_type.to_string()
    }
}

/// `JBSWY3DPEHPK3PXP` → `JBSW Y3DP EHPK 3PXP`, easier to copy by hand.
fn group_by_four(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().filter(|c| !c.is_whitespace()).collect();
    chars
        .chunks(4)
        .map(|chunk| chunk.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The language switch link to `lang` from the page at `path`: the same page, other query
/// parameters kept, `lang` set.
pub fn switch_href(path: &str, lang: Lang) -> String {
    let path = local_or_root(path);
    let path = path.split_once('#').map_or(path, |(before, _)| before);
    let (base, query) = path.split_once('?').unwrap_or((path, ""));
    let mut params: Vec<&str> = query
        .split('&')
        .filter(|p| !p.is_empty() && p.split('=').next() != Some(LANG_QUERY))
        .collect();
    let own = format!("{LANG_QUERY}={}", lang.code());
    params.push(&own);
    format!("{base}?{}", params.join("&"))
}

/// A link of the main navigation.
pub(crate) struct NavLink {
    pub(crate) href: &'static str,
    pub(crate) label: &'static str,
    pub(crate) current: bool,
}

/// A link of the language switch.
pub(crate) struct SwitchLink {
    pub(crate) href: String,
    pub(crate) name: &'static str,
    pub(crate) code: &'static str,
    pub(crate) current: bool,
}

/// What `base.html` reads.
pub(crate) struct Layout<'a> {
    pub(crate) chrome: &'a Chrome,
    pub(crate) title: String,
    pub(crate) css: String,
    pub(crate) js: String,
    pub(crate) icon: String,
    pub(crate) nav: Vec<NavLink>,
    pub(crate) switch: Vec<SwitchLink>,
    pub(crate) signed_in: Option<String>,
    pub(crate) zone: Zone,
    pub(crate) zone_note: String,
    pub(crate) root: &'static str,
}

impl<'a> Layout<'a> {
    pub(crate) fn new(chrome: &'a Chrome, page_title: &str) -> Layout<'a> {
        let l = chrome.lang;
        let nav = if chrome.user.is_some() {
            Section::ALL
                .into_iter()
                .filter(|s| chrome.may.allows(*s))
                .map(|s| NavLink {
                    href: s.href(),
                    label: t(l, s.key()),
                    current: chrome.current == Some(s),
                })
                .collect()
        } else {
            Vec::new()
        };
        let switch = LANGS
            .into_iter()
            .map(|lang| SwitchLink {
                href: switch_href(&chrome.path, lang),
                name: lang.autonym(),
                code: lang.code(),
                current: lang == l,
            })
            .collect();
        let signed_in = chrome.user.as_ref().map(|u| {
            tf(
                l,
                "layout.signed_in_as",
                &[("name", &u.name), ("organization", &u.organization)],
            )
        });
        let zone = Zone::named(chrome.time_zone.as_deref());
        let zone_note = tf(l, "layout.time_zone_note", &[("zone", zone.name())]);
        Layout {
            chrome,
            title: tf(
                l,
                "layout.title",
                &[("page", page_title), ("hub", &chrome.hub_name)],
            ),
            css: assets::css().url(),
            js: assets::js().url(),
            icon: assets::favicon().url(),
            nav,
            switch,
            signed_in,
            zone,
            zone_note,
            root: paths::ROOT,
        }
    }
}

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a SignInPage,
}

#[derive(Template)]
#[template(path = "totp.html")]
struct TotpView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a TotpEnrolPage,
    qr: Option<String>,
    secret_groups: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a SearchPage,
    table: Option<String>,
    found: String,
    problem: Option<String>,
}

#[derive(Template)]
#[template(path = "intelligence.html")]
struct IntelligenceView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a IntelligencePage,
    table: String,
    types: Vec<(String, String)>,
    tlps: Vec<(&'static str, &'static str, bool)>,
    count_text: String,
}

struct RelationView<'a> {
    kind: &'a str,
    direction: &'static str,
    other_name: &'a str,
    other_type: String,
    other_href: &'a str,
    href: &'a str,
}

#[derive(Template)]
#[template(path = "object.html")]
struct ObjectView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a ObjectDetailPage,
    sighting_count: String,
    download: &'a str,
    first_seen: Option<When>,
    last_seen: Option<When>,
    type_name: String,
    created: Option<When>,
    modified: Option<When>,
    added: When,
    graph: String,
    relations: Vec<RelationView<'a>>,
    versions: Vec<(String, When, String)>,
}

#[derive(Template)]
#[template(path = "submit.html")]
struct SubmitView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a SubmitPage,
    tlps: Vec<(&'static str, &'static str)>,
    categories: Vec<(&'static str, String)>,
    objects: Vec<String>,
    redactions: Vec<(String, u64)>,
    dropped_text: Option<String>,
    doubts_text: String,
    stored_text: String,
}

#[derive(Template)]
#[template(path = "review_queue.html")]
struct ReviewQueueView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a ReviewQueuePage,
    notice: Option<String>,
    items: Vec<(&'a ReviewItem, &'a str)>,
}

#[derive(Template)]
#[template(path = "review.html")]
struct ReviewView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a ReviewPage,
    objects: Vec<String>,
    action: String,
    edit_text: String,
}

#[derive(Template)]
#[template(path = "receipts.html")]
struct ReceiptsView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a ReceiptsPage,
    kept: Vec<SubmissionView<'a>>,
    released: Option<When>,
    objects: Vec<(&'a str, &'a str)>,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a AccountPage,
    tokens: Vec<TokenView<'a>>,
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a AdminPage,
    tabs: Vec<(String, &'static str, bool)>,
    audit: Vec<(&'a AuditRow, When)>,
    intact_text: String,
    broken_text: String,
    secret: Option<(String, &'a str)>,
    tokens: Vec<TokenView<'a>>,
    members_heading: String,
    suppliers_heading: String,
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a PasswordPage,
    problem: Option<String>,
}

struct TypeCountView {
    name: String,
    count: u64,
}

struct SubmissionView<'a> {
    receipt: &'a str,
    summary: &'a str,
    when: When,
    state_label: &'static str,
    state_class: &'static str,
    href: Option<&'a str>,
}

impl<'a> SubmissionView<'a> {
    fn new(l: Lang, zone: &Zone, s: &'a crate::model::SubmissionRow) -> SubmissionView<'a> {
        SubmissionView {
            receipt: &s.receipt,
            summary: &s.summary,
            when: zone.when(s.submitted),
            state_label: t(l, s.state.key()),
            state_class: s.state.class(),
            href: s.href.as_deref().map(local_or_root),
        }
    }
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a DashboardPage,
    since_text: String,
    tlp_total: u64,
    type_total: u64,
    types: Vec<TypeCountView>,
    submissions: Vec<SubmissionView<'a>>,
    review_text: Option<String>,
    review_href: Option<&'static str>,
    recent: TableView<'a>,
    deadlines: Vec<(&'a crate::reporting::IncidentRow, Option<When>)>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a ErrorPage,
    heading: String,
    back: &'a str,
}

struct RowView<'a> {
    href: &'a str,
    name: &'a str,
    id: &'a str,
    type_name: String,
    tlp: Option<Tlp>,
    when: When,
}

#[derive(Template)]
#[template(path = "object_table.html")]
struct TableView<'a> {
    l: Lang,
    table: &'a ObjectTable,
    rows: Vec<RowView<'a>>,
    region_label: String,
    next: Option<&'a str>,
}

impl<'a> TableView<'a> {
    fn new(l: Lang, zone: &Zone, table: &'a ObjectTable) -> TableView<'a> {
        let rows = table
            .rows
            .iter()
            .map(|row| RowView {
                href: local_or_root(&row.href),
                name: if row.name.trim().is_empty() {
                    &row.id
                } else {
                    &row.name
                },
                id: &row.id,
                type_name: type_name(l, &row.stix_type),
                tlp: row.tlp,
                when: zone.when(row.modified),
            })
            .collect();
        TableView {
            l,
            table,
            rows,
            region_label: tf(l, "table.region", &[("caption", &table.caption)]),
            next: table.next_href.as_deref().map(local_or_root),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switch_links_keep_the_page() {
        assert_eq!(switch_href("/console", Lang::En), "/console?lang=en");
        assert_eq!(
            switch_href("/console/search?q=emotet&lang=ja&page=2", Lang::En),
            "/console/search?q=emotet&page=2&lang=en"
        );
        assert_eq!(
            switch_href("/console/x?#frag", Lang::Ja),
            "/console/x?lang=ja"
        );
        assert_eq!(
            switch_href("https://evil.example/", Lang::Ja),
            "/console?lang=ja"
        );
        assert_eq!(switch_href("//evil.example/", Lang::En), "/console?lang=en");
    }

    #[test]
    fn secrets_in_groups_of_four() {
        assert_eq!(group_by_four("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(group_by_four("ABCDE"), "ABCD E");
        assert_eq!(group_by_four(""), "");
    }

    #[test]
    fn type_names() {
        assert_eq!(type_name(Lang::Ja, "malware"), "マルウェア");
        assert_eq!(type_name(Lang::En, "malware"), "Malware");
        assert_eq!(type_name(Lang::En, "x-acme-widget"), "x-acme-widget");
    }
}
