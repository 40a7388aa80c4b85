//! Bodies of the incident-reporting endpoints (`/api/reports/assess`,
//! `/api/incidents`, `/api/recommendations`): an incident as its reader may
//! see it, and what the filer, the ministry and the national centre send.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An incident and every report filed on it, as one reader may see it (an
/// unattributed view has `org` empty and the texts scrubbed of the filer).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    /// Its id (`incident-…`).
    pub id: String,
    /// The filing organization (empty when withheld from this reader).
    pub org: String,
    /// The sector it concerns.
    pub sector: String,
    /// The reporting regime (`jp-ci`, `nis2`, `circia`).
    pub regime: String,
    /// A short title.
    pub title: String,
    /// `draft`, `filed`, `acknowledged`, `more-requested` or `closed` (forwarding is `forwarded`).
    pub state: String,
    /// The facts as filed.
    pub facts: Value,
    /// The reportability decision for those facts (what the engine answered).
    pub decision: Value,
    /// The competent ministry's organization, if the regime routes there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ministry: Option<String>,
    /// Each required stage: when it is due and where it stands.
    pub stages: Vec<StageStatus>,
    /// Every report filed, in order (never changed once filed).
    pub reports: Vec<Report>,
    /// Whether and how the ministry passed it to the national centre.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forwarded: Option<Forwarded>,
    /// Everything that happened, in order.
    pub timeline: Vec<Event>,
    /// The record's revision (every change adds one; all are kept).
    pub rev: i64,
}

/// A required report stage and where it stands.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StageStatus {
    /// The stage id from the decision (`early-warning`, `notification`, `final` …).
    pub stage: String,
    /// When it is due (RFC 3339 UTC), if it has a deadline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<String>,
    /// The number of the report that fulfilled it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<usize>,
    /// Whether that report was late.
    #[serde(default)]
    pub late: bool,
}

/// One report as filed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Its number (from 1).
    pub number: usize,
    /// The stage it is for (`update` for one outside the required stages).
    pub stage: String,
    /// What the operator reports.
    pub text: String,
    /// When it was filed (RFC 3339 UTC).
    pub filed: String,
    /// Observables it reports (addresses, domains, URLs, e-mail addresses,
    /// SHA-256 hashes): indicators and observed data in the STIX export.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<String>,
    /// When the ministry acknowledged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<String>,
}

/// The ministry's passing on to the national centre.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Forwarded {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// Whether the national centre sees who filed it.
    pub attributed: bool,
}

/// Something that happened to an incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    /// When (RFC 3339 UTC).
    pub at: String,
    /// `drafted`, `filed`, `reported`, `acknowledged`, `more-requested`, `forwarded`, `closed`.
    pub what: String,
    /// The acting organization (empty when withheld from this reader).
    pub by: String,
    /// A note (the ministry's question, the stage reported …).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

/// What an operator files: the facts, a title and the first report's text
/// (or a draft, filed later).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRequest {
    /// The facts (see docs/reporting.md).
    pub facts: Value,
    /// A short title.
    pub title: String,
    /// The first report: what happened, what is affected, what is done.
    #[serde(default)]
    pub text: String,
    /// Keep it as a draft: nothing is sent to the ministry yet.
    #[serde(default)]
    pub draft: bool,
    /// Observables of the first report (see [`Report::indicators`]).
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// The shape of [`FileRequest`], for error messages.
pub const FILE_SHAPE: &str = r#"{"facts": {"regime", "sector", "aware_at", …}, "title", "text"?, "draft"?: true, "indicators"?: ["198.51.100.7", "evil.example", …]}"#;

/// A further report on an incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportRequest {
    /// The stage it fulfils (one of the decision's stages), or `update`.
    pub stage: String,
    /// The report.
    pub text: String,
    /// The revision read (`rev`): refused if the incident changed since.
    #[serde(default)]
    pub rev: Option<i64>,
    /// Observables it reports (see [`Report::indicators`]).
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// The shape of [`ReportRequest`].
pub const REPORT_SHAPE: &str = r#"{"stage", "text", "rev"?, "indicators"?: [observables]}"#;

/// A published case the national centre adds to the casebook (報告事例集),
/// after concealment: every text is scrubbed of every organization's names,
/// and the decision is the engine's for the facts given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishCaseRequest {
    /// The incident it is drawn from, if any (one the officer may read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// Title, Japanese.
    pub title_ja: String,
    /// Title, English.
    pub title_en: String,
    /// What happened, Japanese.
    pub summary_ja: String,
    /// What happened, English.
    pub summary_en: String,
    /// Why it was (not) reportable, Japanese (the rules that fired otherwise).
    #[serde(default)]
    pub why_ja: String,
    /// Why, English.
    #[serde(default)]
    pub why_en: String,
    /// The category (`unauthorized-access`, `ransomware` …).
    pub category: String,
    /// The outage severity level, 0–4.
    pub severity: u8,
    /// The facts the decision is worked from (see docs/reporting.md).
    pub facts: Value,
}

/// The shape of [`PublishCaseRequest`].
pub const PUBLISH_CASE_SHAPE: &str = r#"{"incident"?, "title_ja", "title_en", "summary_ja", "summary_en", "why_ja"?, "why_en"?, "category", "severity": 0-4, "facts": {…}}"#;

/// Where an organization's deadline reminders are posted (its chat tool):
/// JSON, signed with the shared secret like the hotline's webhook.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookRequest {
    /// `https://…` (or `http://` on a private network).
    pub url: String,
    /// The shared secret the signature is made with (16 to 256 characters).
    pub secret: String,
}

/// The shape of [`WebhookRequest`].
pub const WEBHOOK_SHAPE: &str =
    r#"{"url": "https://chat.example/hook", "secret": "16 to 256 characters"}"#;

/// Sharing an incident onward as an anonymised case, through the
/// concealment pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareRequest {
    /// The community it is for.
    pub community: String,
    /// `clear`, `green`, `amber` or `amber+strict` (the community's default otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlp: Option<String>,
    /// Only show what would be released; share nothing.
    #[serde(default)]
    pub preview: bool,
}

/// The shape of [`ShareRequest`].
pub const SHARE_SHAPE: &str = r#"{"community", "tlp"?, "preview"?: bool}"#;

/// The ministry's answer: acknowledge, ask for more, or forward.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyRequest {
    /// What to ask the operator (for `ask`).
    #[serde(default)]
    pub text: String,
    /// For `forward`: whether the national centre may see who filed it.
    #[serde(default)]
    pub attributed: bool,
}

/// The shape of [`ReplyRequest`].
pub const REPLY_SHAPE: &str = r#"{"text"?, "attributed"?: bool}"#;

/// A recommendation (勧告) from the national centre to ministries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecommendRequest {
    /// The ministries' organization ids.
    pub to: Vec<String>,
    /// A title.
    pub title: String,
    /// The recommendation.
    pub text: String,
    /// The incident it follows from, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
}

/// The shape of [`RecommendRequest`].
pub const RECOMMEND_SHAPE: &str = r#"{"to": [ministry org ids], "title", "text", "incident"?}"#;

/// An urgent report straight to the national centre, with its timeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hotline {
    /// Its id (`hotline-…`).
    pub id: String,
    /// The organization that raised it.
    pub org: String,
    /// A short title.
    pub title: String,
    /// What is happening.
    pub text: String,
    /// The incident it concerns, if filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
    /// `open`, `acknowledged` or `closed`.
    pub state: String,
    /// When it was raised (RFC 3339 UTC).
    pub raised: String,
    /// The officer on duty it is with (a console login), if a roster is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned: Option<String>,
    /// How many times it escalated to the next officer.
    pub level: u32,
    /// When it escalates unless acknowledged (RFC 3339 UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ack_due: Option<String>,
    /// Who acknowledged it (token or `user:login`) and when.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged: Option<(String, String)>,
    /// Everything that happened, in order.
    pub timeline: Vec<Event>,
    /// The record's revision.
    pub rev: i64,
}

/// What a caller raises on the hotline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RaiseRequest {
    /// A short title.
    pub title: String,
    /// What is happening, what is affected, how to reach the caller.
    pub text: String,
    /// The incident it concerns, if filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub incident: Option<String>,
}

/// The shape of [`RaiseRequest`].
pub const RAISE_SHAPE: &str = r#"{"title", "text", "incident"?}"#;

/// The duty roster: the national-centre officers (console logins) in the
/// order an unacknowledged hotline escalates through them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Roster {
    /// Officers' logins, first on duty first.
    pub officers: Vec<String>,
}

/// The shape of [`Roster`].
pub const ROSTER_SHAPE: &str =
    r#"{"officers": [logins of national-centre officers, first on duty first]}"#;
