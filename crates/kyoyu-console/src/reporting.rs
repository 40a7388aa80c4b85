//! The incident-reporting and hotline pages: the reportability questions
//! as a guided form with the decision and the rules that fired; the
//! incidents a person deals with (their own, a ministry's inbox, the
//! national centre's) with stages, deadlines and overdue marks; one
//! incident with the actions its reader may take; the hotline (raise a
//! call; the officers' queue that updates live).

use crate::i18n::{Lang, t};
use crate::model::Chrome;
use crate::pages::{Layout, RenderError};
use crate::time::When;
use askama::Template;
use jiff::Timestamp;

/// The regimes the guided form offers (their ids).
pub const REGIMES: [&str; 3] = ["jp-ci", "nis2", "circia"];
/// The states of an incident, for their names.
pub const INCIDENT_STATES: [&str; 5] =
    ["draft", "filed", "acknowledged", "more-requested", "closed"];
/// The states of a hotline call.
pub const HOTLINE_STATES: [&str; 3] = ["open", "acknowledged", "closed"];
/// What can happen to an incident or a call (timeline entries).
pub const TIMELINE_EVENTS: [&str; 9] = [
    "drafted",
    "filed",
    "reported",
    "acknowledged",
    "more-requested",
    "forwarded",
    "closed",
    "raised",
    "escalated",
];

/// The catalogue key of an incident state (unknown states show as themselves).
fn state_key(state: &str) -> String {
    format!("incident_state.{state}")
}

/// One incident in a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentRow {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// The filer's name (empty when withheld from the reader).
    pub filer: String,
    /// The regime.
    pub regime: String,
    /// Its state.
    pub state: String,
    /// The next stage due and when, if any.
    pub next: Option<(String, Option<Timestamp>)>,
    /// Past a deadline.
    pub overdue: bool,
}

impl IncidentRow {
    /// When its next stage is due, as shown in `zone`.
    pub(crate) fn next_due(&self, zone: &crate::time::Zone) -> Option<When> {
        self.next
            .as_ref()
            .and_then(|(_, d)| *d)
            .map(|d| zone.when(d))
    }
}

/// A recommendation (勧告) shown in the list page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecommendationRow {
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// When it was sent.
    pub at: Option<Timestamp>,
}

/// The incidents page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentsPage {
    /// The layout.
    pub chrome: Chrome,
    /// The incidents, newest first.
    pub rows: Vec<IncidentRow>,
    /// Only those past a deadline are listed.
    pub overdue_only: bool,
    /// The person may file (an operator's people).
    pub may_file: bool,
    /// Recommendations sent to or by the person's organization.
    pub recommendations: Vec<RecommendationRow>,
}

/// The answers of the guided form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactsForm {
    /// `jp-ci`, `nis2` or `circia`.
    pub regime: String,
    /// The sector id.
    pub sector: String,
    /// When the organization became aware (`YYYY-MM-DDTHH:MM`, the person's time zone).
    pub aware_at: String,
    /// Caused on purpose by someone.
    pub malicious: bool,
    /// `""` (let the rules decide), `yes` or `no`.
    pub significant: String,
    /// Service outage in minutes.
    pub outage_minutes: String,
    /// Customers or users affected.
    pub customers_affected: String,
    /// Personal records leaked.
    pub records_leaked: String,
    /// People's safety affected.
    pub safety_impact: bool,
    /// What kind of incident (one of `kyoyu_report::CATEGORIES`, or empty).
    pub category: String,
    /// When it happened, if known (`YYYY-MM-DDTHH:MM`).
    pub occurred_at: String,
    /// The leaked personal data includes special-care data.
    pub sensitive_data: bool,
    /// The leaked data could be misused for financial damage.
    pub financial_damage_risk: bool,
    /// An accident the sector's law requires to be reported.
    pub statutory_accident: bool,
    /// Effects in other countries.
    pub cross_border: bool,
    /// A ransom was paid, when (`YYYY-MM-DDTHH:MM`).
    pub ransom_paid_at: String,
    /// Title of the incident (for filing).
    pub title: String,
    /// The first report (for filing).
    pub text: String,
    /// Observables of the first report, one per line.
    pub indicators: String,
}

/// The decision shown under the guided form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionView {
    /// Must it be reported.
    pub reportable: bool,
    /// To whom (names).
    pub recipients: Vec<String>,
    /// The rules that fired, in the reader's language.
    pub rules: Vec<String>,
    /// The stages and their deadlines.
    pub stages: Vec<(String, Option<Timestamp>)>,
}

/// The guided form (new incident).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssessPage {
    /// The layout.
    pub chrome: Chrome,
    /// The CSRF token.
    pub csrf_token: String,
    /// The sectors the person's organization is in: (id, name).
    pub sectors: Vec<(String, String)>,
    /// Every incident category id.
    pub categories: Vec<String>,
    /// The answers so far.
    pub form: FactsForm,
    /// The decision for them, once asked.
    pub decision: Option<DecisionView>,
    /// Why the answers could not be assessed or filed.
    pub problem: Option<String>,
}

/// One report on an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportView {
    /// Number.
    pub number: usize,
    /// Stage.
    pub stage: String,
    /// Text.
    pub text: String,
    /// Filed.
    pub filed: Option<Timestamp>,
    /// Acknowledged.
    pub acknowledged: Option<Timestamp>,
    /// Observables it lists.
    pub indicators: Vec<String>,
}

/// A stage of an incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageView {
    /// Its id (what a further report names).
    pub id: String,
    /// Its name in the page's language.
    pub stage: String,
    /// Due.
    pub due: Option<Timestamp>,
    /// The report that fulfilled it.
    pub report: Option<usize>,
    /// That report was late.
    pub late: bool,
    /// Not reported and past due.
    pub overdue: bool,
}

/// A timeline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// When.
    pub at: Option<Timestamp>,
    /// What (a `TIMELINE_EVENTS` id).
    pub what: String,
    /// Who (organization name; empty when withheld).
    pub by: String,
    /// A note.
    pub note: String,
}

/// How the reader stands towards an incident: what the page offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IncidentRole {
    /// Of the filing organization: further reports.
    Filer,
    /// The competent ministry: acknowledge, ask, forward.
    Ministry,
    /// The national centre: reads.
    Centre,
}

/// One incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentPage {
    /// The layout.
    pub chrome: Chrome,
    /// The CSRF token.
    pub csrf_token: String,
    /// The reader's standing.
    pub role: IncidentRole,
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Filer (empty when withheld).
    pub filer: String,
    /// Sector name.
    pub sector: String,
    /// Regime id.
    pub regime: String,
    /// State.
    pub state: String,
    /// The competent ministry's name.
    pub ministry: String,
    /// Forwarded to the national centre: attributed or not.
    pub forwarded: Option<bool>,
    /// The decision.
    pub decision: DecisionView,
    /// Stages.
    pub stages: Vec<StageView>,
    /// Reports.
    pub reports: Vec<ReportView>,
    /// Timeline.
    pub timeline: Vec<TimelineEntry>,
    /// The revision read.
    pub rev: i64,
    /// Why the last action failed.
    pub problem: Option<String>,
    /// The communities the filer may share it with as an anonymised case
    /// (id, name); empty for other readers and for drafts.
    pub share_to: Vec<(String, String)>,
}

/// A hotline call in the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlineRow {
    /// Id.
    pub id: String,
    /// Who raised it (name).
    pub caller: String,
    /// Title.
    pub title: String,
    /// Text.
    pub text: String,
    /// State.
    pub state: String,
    /// Raised.
    pub raised: Option<Timestamp>,
    /// The officer on duty it is with.
    pub assigned: String,
    /// Escalations so far.
    pub level: u32,
    /// When it escalates.
    pub ack_due: Option<Timestamp>,
}

/// The hotline page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotlinePage {
    /// The layout.
    pub chrome: Chrome,
    /// The CSRF token.
    pub csrf_token: String,
    /// The person may raise a call.
    pub may_raise: bool,
    /// The person is a duty officer (acknowledges; the queue is live).
    pub officer: bool,
    /// The calls, newest first.
    pub calls: Vec<HotlineRow>,
    /// A call was just raised (its id).
    pub raised: Option<String>,
    /// Why the last action failed.
    pub problem: Option<String>,
}

struct StageLine {
    id: String,
    stage: String,
    due: Option<When>,
    report: Option<usize>,
    late: bool,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "incidents.html")]
struct IncidentsView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a IncidentsPage,
    rows: Vec<(&'a IncidentRow, String, Option<When>)>,
    recommendations: Vec<(&'a RecommendationRow, Option<When>)>,
}

/// The incidents page.
pub fn render_incidents(page: &IncidentsPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "reporting.title"));
    let rows = page
        .rows
        .iter()
        .map(|r| (r, state_key(&r.state), r.next_due(&layout.zone)))
        .collect();
    let recommendations = page
        .recommendations
        .iter()
        .map(|r| (r, r.at.map(|a| layout.zone.when(a))))
        .collect();
    let view = IncidentsView {
        l,
        layout,
        page,
        rows,
        recommendations,
    };
    Ok(view.render()?)
}

#[derive(Template)]
#[template(path = "incident_new.html")]
struct AssessView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a AssessPage,
    regimes: [&'static str; 3],
    stages: Vec<(String, Option<When>)>,
}

/// The guided form and its decision.
pub fn render_assess(page: &AssessPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "reporting.new_title"));
    let stages = page
        .decision
        .as_ref()
        .map(|d| {
            d.stages
                .iter()
                .map(|(s, due)| (s.clone(), due.map(|d| layout.zone.when(d))))
                .collect()
        })
        .unwrap_or_default();
    let view = AssessView {
        l,
        layout,
        page,
        regimes: REGIMES,
        stages,
    };
    Ok(view.render()?)
}

#[derive(Template)]
#[template(path = "incident.html")]
struct IncidentView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a IncidentPage,
    state: String,
    regime: String,
    stages: Vec<StageLine>,
    reports: Vec<(&'a ReportView, Option<When>, Option<When>)>,
    timeline: Vec<(&'a TimelineEntry, Option<When>, String)>,
    may_report: bool,
    may_answer: bool,
    tlps: Vec<(&'static str, &'static str)>,
}

/// One incident.
pub fn render_incident(page: &IncidentPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, &page.title);
    let when = |t: &Option<Timestamp>| t.map(|t| layout.zone.when(t));
    let stages = page
        .stages
        .iter()
        .map(|s| StageLine {
            id: s.id.clone(),
            stage: s.stage.clone(),
            due: when(&s.due),
            report: s.report,
            late: s.late,
            overdue: s.overdue,
        })
        .collect();
    let reports = page
        .reports
        .iter()
        .map(|r| (r, when(&r.filed), when(&r.acknowledged)))
        .collect();
    let timeline = page
        .timeline
        .iter()
        .map(|e| (e, when(&e.at), format!("timeline.{}", e.what)))
        .collect();
    let view = IncidentView {
        l,
        state: state_key(&page.state),
        regime: format!("regime.{}", page.regime),
        may_report: page.role == IncidentRole::Filer && page.state != "closed",
        may_answer: page.role == IncidentRole::Ministry,
        tlps: crate::pages::SHAREABLE_TLPS
            .into_iter()
            .map(|tl| (crate::pages::tlp_value(tl), tl.label()))
            .collect(),
        layout,
        page,
        stages,
        reports,
        timeline,
    };
    Ok(view.render()?)
}

#[derive(Template)]
#[template(path = "hotline.html")]
struct HotlineView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a HotlinePage,
    calls: Vec<(&'a HotlineRow, String, Option<When>, Option<When>)>,
}

/// The hotline page.
pub fn render_hotline(page: &HotlinePage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "hotline.title"));
    let calls = page
        .calls
        .iter()
        .map(|c| {
            (
                c,
                format!("hotline_state.{}", c.state),
                c.raised.map(|t| layout.zone.when(t)),
                c.ack_due.map(|t| layout.zone.when(t)),
            )
        })
        .collect();
    let view = HotlineView {
        l,
        layout,
        page,
        calls,
    };
    Ok(view.render()?)
}

/// One worked example, in the page's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseView {
    /// Title (marked as fictional).
    pub title: String,
    /// What happened.
    pub summary: String,
    /// Why the decision is what it is.
    pub why: String,
    /// Sector name.
    pub sector: String,
    /// Category id.
    pub category: String,
    /// Regime id.
    pub regime: String,
    /// Severity level.
    pub severity: u8,
    /// Must it be reported.
    pub reportable: bool,
    /// To whom (names).
    pub recipients: Vec<String>,
    /// Which stages.
    pub stages: Vec<String>,
}

/// The casebook page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CasebookPage {
    /// The layout.
    pub chrome: Chrome,
    /// The words searched for.
    pub q: String,
    /// The sector chosen (`""`: any).
    pub sector: String,
    /// The category chosen.
    pub category: String,
    /// The regime chosen.
    pub regime: String,
    /// Every sector: (id, name).
    pub sectors: Vec<(String, String)>,
    /// Every category id.
    pub categories: Vec<String>,
    /// The examples that match.
    pub cases: Vec<CaseView>,
    /// Good-practice examples: (title, summary).
    pub practices: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "casebook.html")]
struct CasebookView<'a> {
    l: Lang,
    layout: Layout<'a>,
    page: &'a CasebookPage,
    regimes: [&'static str; 3],
}

/// The casebook.
pub fn render_casebook(page: &CasebookPage) -> Result<String, RenderError> {
    let l = page.chrome.lang;
    let layout = Layout::new(&page.chrome, t(l, "casebook.title"));
    let view = CasebookView {
        l,
        layout,
        page,
        regimes: REGIMES,
    };
    Ok(view.render()?)
}
