//! Incident reporting: an operator files an incident with its facts; the
//! reportability engine (`kyoyu-report`) says whether it must be reported,
//! to whom, by when and in which stages; the report goes to the competent
//! ministry of the sector, which acknowledges, asks for more, and forwards
//! it to the national centre with or without attribution; the national
//! centre sends recommendations (勧告) back to ministries.
//!
//! An incident is a workflow record (`kyoyu_store::RecordVersion`): every
//! change is a new version, none is ever changed, so nothing filed is lost
//! or silently edited. Who sees what is one policy function
//! (`kyoyu_trust::policy::incident_sight`); a national-centre officer who
//! received an incident without attribution reads it with the filer
//! withheld and the texts scrubbed of the filer's names by the concealment
//! scrubber.

use crate::time::{format_micros, now_micros};
use crate::{Caller, Error, ErrorKind, Hub};
use kyoyu_conceal::scrub::{Field, Profile};
use kyoyu_store::{Micros, RecordFilter, RecordVersion, Store};
use kyoyu_trust::policy::{IncidentSight, incident_sight, may_manage_reminder_webhook};
use kyoyu_trust::{OrgKind, Role};
use kyoyu_wire::reporting::{
    Event, FileRequest, Forwarded, Incident, RecommendRequest, Report, ReportRequest, StageStatus,
};
use serde_json::{Value, json};

/// The record kind of incidents.
pub const INCIDENT: &str = "incident";
/// The record kind of published cases of the casebook.
pub const CASE: &str = "case";
/// The record kind of the national centre's recommendations.
pub const RECOMMENDATION: &str = "recommendation";
/// The live stream of reporting events (ids only: readers fetch what they
/// may see).
pub const REPORTING_TOPIC: &str = "reporting";
/// The record kind of deadline reminders (one per incident, stage and
/// lead: written once, so each is sent once, on every node).
pub const REMINDER: &str = "reminder";
/// The live stream of reminders (`{"what": "due-soon" | "overdue", "reminder"}`).
pub const REMINDER_TOPIC: &str = "reminders";
/// How long after a deadline an overdue notice is still sent (a hub that
/// was stopped longer does not send stale notices; the lists show them).
const OVERDUE_NOTICE_WINDOW: Micros = 24 * 3600 * 1_000_000;
/// The setting that holds an organization's reminder webhook (+ org id).
const WEBHOOK_SETTING: &str = "reminder-webhook:";
/// The most incidents one reminder pass reads.
const REMINDER_SCAN: usize = 20_000;
/// The stage of a report outside the decision's stages.
pub const UPDATE_STAGE: &str = "update";
/// The longest title and report text, in characters.
const MAX_TEXT: usize = 20_000;
/// The most incidents one list returns.
const MAX_LIST: usize = 1_000;

fn said(
    kind: ErrorKind,
    key: &'static str,
    args: &[(&'static str, &dyn std::fmt::Display)],
) -> Error {
    Error::said(kind, key, args)
}

/// The due instants of a decision's stages, RFC 3339 → micros.
fn due_micros(due: &str) -> Option<Micros> {
    kyoyu_stix::Timestamp::parse(due)
        .ok()
        .map(|t| crate::time::micros(&t))
}

/// The stages of a decision as statuses (none fulfilled yet).
fn stages_of(decision: &Value) -> Vec<StageStatus> {
    decision
        .get("stages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| {
            Some(StageStatus {
                stage: s.get("stage")?.as_str()?.to_owned(),
                due: s.get("due").and_then(Value::as_str).map(str::to_owned),
                report: None,
                late: false,
            })
        })
        .collect()
}

/// The stage a first report fulfils: the first one to the competent
/// ministry (a hotline stage is met by a hotline call), else the first.
fn first_stage(decision: &Value) -> String {
    let stages = decision.get("stages").and_then(Value::as_array);
    let to_ministry = stages.and_then(|list| {
        list.iter().find(|s| {
            s.get("recipient")
                .and_then(Value::as_str)
                .is_some_and(|r| r.starts_with("ministry:"))
        })
    });
    to_ministry
        .or_else(|| stages.and_then(|l| l.first()))
        .and_then(|s| s.get("stage"))
        .and_then(Value::as_str)
        .unwrap_or(UPDATE_STAGE)
        .to_owned()
}

/// The earliest deadline of a stage not yet reported.
fn next_due(i: &Incident) -> Option<Micros> {
    i.stages
        .iter()
        .filter(|s| s.report.is_none())
        .filter_map(|s| s.due.as_deref().and_then(due_micros))
        .min()
}

/// Whether every stage with a deadline is reported and every report
/// acknowledged.
fn complete(i: &Incident) -> bool {
    !i.stages.is_empty()
        && i.stages.iter().all(|s| s.report.is_some())
        && i.reports.iter().all(|r| r.acknowledged.is_some())
}

/// Whether an incident is past a deadline at `now`.
pub fn overdue(i: &Incident, now: Micros) -> bool {
    next_due(i).is_some_and(|d| d < now)
}

/// A reminder due for an incident: the stage, its deadline, and how long
/// before it the reminder is (0: the deadline has passed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueReminder {
    /// The stage not yet reported.
    pub stage: String,
    /// Its deadline.
    pub due: Micros,
    /// The lead in seconds (0 for the overdue notice).
    pub lead_secs: u64,
}

/// The reminders an incident calls for at `now` (pure): for each stage not
/// yet reported that has a deadline, the latest lead whose moment has come
/// (`due - lead <= now < due`) — only leads that fall after the incident
/// was recorded (`since`), so a 24-hour stage filed at hour 20 is not
/// reminded "24 hours before" — and, once the deadline has passed (within a
/// day), the overdue notice. Closed incidents call for none.
pub fn reminders_due(
    i: &Incident,
    leads: &[std::time::Duration],
    since: Micros,
    now: Micros,
) -> Vec<DueReminder> {
    if i.state == "closed" {
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in i.stages.iter().filter(|s| s.report.is_none()) {
        let Some(due) = s.due.as_deref().and_then(due_micros) else {
            continue;
        };
        if now >= due {
            if now - due <= OVERDUE_NOTICE_WINDOW {
                out.push(DueReminder {
                    stage: s.stage.clone(),
                    due,
                    lead_secs: 0,
                });
            }
            continue;
        }
        // The shortest lead whose moment has come: one reminder per stage
        // at a time, the most urgent.
        let lead = leads
            .iter()
            .filter(|l| {
                let at = due.saturating_sub(i64::try_from(l.as_micros()).unwrap_or(i64::MAX));
                at <= now && at >= since
            })
            .min();
        if let Some(l) = lead {
            out.push(DueReminder {
                stage: s.stage.clone(),
                due,
                lead_secs: l.as_secs(),
            });
        }
    }
    out
}

impl<S: Store> Hub<S> {
    /// The reportability decision for `facts` (see docs/reporting.md): a
    /// pure answer, nothing stored. Facts that cannot be assessed are a 422
    /// naming the field.
    pub fn assess(&self, facts: &Value) -> Result<Value, Error> {
        let regimes = self
            .config
            .regimes
            .as_ref()
            .unwrap_or_else(|| kyoyu_report::Profiles::shipped());
        kyoyu_report::assess_json_with(&facts.to_string(), regimes, self.seeds())
            .map_err(|e| said(ErrorKind::Unprocessable, "report.facts", &[("detail", &e)]))
    }

    /// The casebook's worked examples that match `q` and the good-practice
    /// examples (fictional samples; any signed-in caller may read them).
    pub async fn casebook(
        &self,
        q: &kyoyu_report::casebook::Search,
    ) -> Result<
        (
            Vec<kyoyu_report::casebook::Case>,
            &'static [kyoyu_report::casebook::Practice],
        ),
        Error,
    > {
        // The shipped samples, then the cases the national centre published.
        let mut all = kyoyu_report::casebook::cases().to_vec();
        let published = self
            .store
            .records(RecordFilter {
                kind: CASE.into(),
                involving: None,
                states: Vec::new(),
                due_before: None,
                limit: MAX_LIST,
            })
            .await?;
        for v in published {
            all.push(
                serde_json::from_str(&v.body)
                    .map_err(|e| Error::internal(format!("case {} cannot be read: {e}", v.id)))?,
            );
        }
        Ok((
            kyoyu_report::casebook::search(&all, q)
                .into_iter()
                .cloned()
                .collect(),
            kyoyu_report::casebook::practices(),
        ))
    }

    /// The national centre adds a published case to the casebook, after
    /// concealment: every text scrubbed of every organization's names,
    /// domains, addresses and people (the scrubber of concealed
    /// submissions), the decision worked by the engine from the facts.
    pub async fn publish_case(
        &self,
        who: &Caller,
        req: kyoyu_wire::reporting::PublishCaseRequest,
    ) -> Result<kyoyu_report::casebook::Case, Error> {
        let p = &who.principal;
        if p.role != Role::NationalCentreOfficer || p.read_only {
            return Err(said(ErrorKind::Forbidden, "report.case_who", &[]));
        }
        if let Some(id) = &req.incident {
            // It must be one the officer may read (forwarded to the centre).
            self.incident_for(who, id).await?;
        }
        for (field, text) in [
            ("title_ja", &req.title_ja),
            ("title_en", &req.title_en),
            ("summary_ja", &req.summary_ja),
            ("summary_en", &req.summary_en),
        ] {
            check_text(field, text, true)?;
        }
        check_text("why_ja", &req.why_ja, false)?;
        check_text("why_en", &req.why_en, false)?;
        let field = |field: &str, why: String| {
            said(
                ErrorKind::Unprocessable,
                "report.case_field",
                &[("field", &field), ("why", &why)],
            )
        };
        if !kyoyu_report::CATEGORIES.contains(&req.category.as_str()) {
            return Err(field(
                "category",
                format!("give one of {}", kyoyu_report::CATEGORIES.join(", ")),
            ));
        }
        if req.severity > 4 {
            return Err(field(
                "severity",
                "the outage severity scale runs from 0 to 4".into(),
            ));
        }
        let decision = self.assess(&req.facts)?;
        let facts: toml::Table =
            serde_json::from_value(req.facts.clone()).map_err(|e| field("facts", e.to_string()))?;
        let ids = |key: &str, id: &str| -> Vec<String> {
            decision
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|v| v.get(id).and_then(Value::as_str).map(str::to_owned))
                .collect()
        };
        let why = |lang: &str, given: &str| {
            if given.trim().is_empty() {
                ids("fired_rules", lang).join(" ")
            } else {
                given.trim().to_owned()
            }
        };
        // Concealment: the scrubber of every organization that could be a
        // case's subject (not the authorities, whose names explain the route).
        let profiles: Vec<Profile> = self
            .directory()
            .orgs()
            .filter(|o| {
                !matches!(
                    o.kind,
                    OrgKind::Ministry | OrgKind::NationalCentre | OrgKind::Hub
                )
            })
            .map(Profile::of)
            .collect();
        let scrub = |t: String| {
            profiles
                .iter()
                .fold(t, |t, p| p.scrub(&t, Field::Text).text)
        };
        let case = kyoyu_report::casebook::Case {
            id: format!("case-{}", uuid::Uuid::new_v4()),
            fictional: false,
            sector: req
                .facts
                .get("sector")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            category: req.category.clone(),
            severity: req.severity,
            regime: req
                .facts
                .get("regime")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            title_ja: scrub(req.title_ja.trim().to_owned()),
            title_en: scrub(req.title_en.trim().to_owned()),
            summary_ja: scrub(req.summary_ja.trim().to_owned()),
            summary_en: scrub(req.summary_en.trim().to_owned()),
            reportable: decision
                .get("reportable")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            recipients: ids("recipients", "id"),
            stages: ids("stages", "stage"),
            why_ja: scrub(why("ja", &req.why_ja)),
            why_en: scrub(why("en", &req.why_en)),
            facts,
        };
        let now = now_micros();
        let version = RecordVersion {
            kind: CASE.into(),
            id: case.id.clone(),
            rev: 1,
            org: p.org.clone(),
            parties: Vec::new(),
            state: "published".into(),
            due: None,
            body: serde_json::to_string(&case)
                .map_err(|e| Error::internal(format!("a case cannot be written: {e}")))?,
            at: now,
        };
        let audit = who.audit(
            "casebook.publish",
            &case.id,
            json!({"sector": case.sector, "category": case.category}),
        );
        self.store
            .add_record(version, vec![audit], Vec::new(), now)
            .await?;
        Ok(case)
    }

    /// Files an incident (or keeps it as a draft): its facts are assessed,
    /// the first report goes to the competent ministry of its sector.
    pub async fn file_incident(&self, who: &Caller, req: FileRequest) -> Result<Incident, Error> {
        let p = &who.principal;
        let dir = self.directory();
        let org = dir
            .org(&p.org)
            .filter(|o| o.kind == OrgKind::Operator)
            .ok_or_else(|| said(ErrorKind::Forbidden, "report.operators_file", &[]))?;
        if p.read_only {
            return Err(said(ErrorKind::Forbidden, "report.read_only", &[]));
        }
        check_text("title", &req.title, true)?;
        check_text("text", &req.text, !req.draft)?;
        let indicators = check_indicators(&req.indicators)?;
        if req.draft && !indicators.is_empty() {
            return Err(said(
                ErrorKind::Unprocessable,
                "report.draft_indicators",
                &[],
            ));
        }
        let decision = self.assess(&req.facts)?;
        let sector = req
            .facts
            .get("sector")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if !org.sectors.contains(&sector) {
            return Err(said(
                ErrorKind::Unprocessable,
                "report.sector_not_yours",
                &[("sector", &sector), ("sectors", &org.sectors.join(", "))],
            ));
        }
        let regime = req
            .facts
            .get("regime")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        // Japan's plan routes every report to the sector's competent
        // ministry; the other regimes' recipients are outside this hub
        // (a CSIRT, CISA): the hub keeps the deadlines and the reports.
        let ministry = (regime == "jp-ci")
            .then(|| self.seeds().sector(&sector).map(|s| s.ministry.clone()))
            .flatten()
            .filter(|m| dir.org(m).is_some());
        let now = now_micros();
        let at = format_micros(now);
        let mut incident = Incident {
            id: format!("incident-{}", uuid::Uuid::new_v4()),
            org: p.org.clone(),
            sector,
            regime,
            title: req.title.trim().to_owned(),
            state: "draft".into(),
            facts: req.facts,
            stages: stages_of(&decision),
            decision,
            ministry,
            reports: Vec::new(),
            forwarded: None,
            timeline: vec![Event {
                at: at.clone(),
                what: "drafted".into(),
                by: p.org.clone(),
                note: String::new(),
            }],
            rev: 0,
        };
        if !req.draft {
            let stage = first_stage(&incident.decision);
            add_report(&mut incident, &stage, req.text.trim(), indicators, now);
            incident.state = "filed".into();
            incident.timeline.push(Event {
                at,
                what: "filed".into(),
                by: p.org.clone(),
                note: stage,
            });
        }
        let action = if req.draft {
            "incident.draft"
        } else {
            "incident.file"
        };
        self.save_incident(who, incident, action).await
    }

    /// A further report on an incident (or the first, for a draft): for one
    /// of its stages, or an update.
    pub async fn report_incident(
        &self,
        who: &Caller,
        id: &str,
        req: ReportRequest,
    ) -> Result<Incident, Error> {
        let (mut incident, sight) = self.incident_for(who, id).await?;
        if sight != IncidentSight::Filer || who.principal.read_only {
            return Err(said(ErrorKind::Forbidden, "report.filer_reports", &[]));
        }
        check_rev(&incident, req.rev)?;
        check_text("text", &req.text, true)?;
        let indicators = check_indicators(&req.indicators)?;
        let known =
            req.stage == UPDATE_STAGE || incident.stages.iter().any(|s| s.stage == req.stage);
        if !known {
            let stages: Vec<&str> = incident.stages.iter().map(|s| s.stage.as_str()).collect();
            return Err(said(
                ErrorKind::Unprocessable,
                "report.stage_unknown",
                &[("stage", &req.stage), ("stages", &stages.join(", "))],
            ));
        }
        if incident.state == "closed" {
            return Err(said(ErrorKind::Conflict, "report.closed", &[]));
        }
        let now = now_micros();
        let first = incident.state == "draft";
        add_report(&mut incident, &req.stage, req.text.trim(), indicators, now);
        incident.state = "filed".into();
        incident.timeline.push(Event {
            at: format_micros(now),
            what: if first { "filed" } else { "reported" }.into(),
            by: incident.org.clone(),
            note: req.stage.clone(),
        });
        self.save_incident(who, incident, "incident.report").await
    }

    /// The ministry acknowledges every report not yet acknowledged.
    pub async fn acknowledge_incident(&self, who: &Caller, id: &str) -> Result<Incident, Error> {
        let (mut incident, sight) = self.incident_for(who, id).await?;
        ministry_only(who, sight)?;
        let at = format_micros(now_micros());
        let mut any = false;
        for r in &mut incident.reports {
            if r.acknowledged.is_none() {
                r.acknowledged = Some(at.clone());
                any = true;
            }
        }
        if !any {
            return Err(said(ErrorKind::Conflict, "report.nothing_to_ack", &[]));
        }
        incident.state = if complete(&incident) {
            "closed"
        } else {
            "acknowledged"
        }
        .into();
        incident.timeline.push(Event {
            at,
            what: "acknowledged".into(),
            by: who.principal.org.clone(),
            note: String::new(),
        });
        self.save_incident(who, incident, "incident.acknowledge")
            .await
    }

    /// The ministry asks the operator for more.
    pub async fn ask_about_incident(
        &self,
        who: &Caller,
        id: &str,
        text: &str,
    ) -> Result<Incident, Error> {
        let (mut incident, sight) = self.incident_for(who, id).await?;
        ministry_only(who, sight)?;
        check_text("text", text, true)?;
        incident.state = "more-requested".into();
        incident.timeline.push(Event {
            at: format_micros(now_micros()),
            what: "more-requested".into(),
            by: who.principal.org.clone(),
            note: text.trim().to_owned(),
        });
        self.save_incident(who, incident, "incident.ask").await
    }

    /// The ministry passes the incident to the national centre, naming the
    /// filer or not.
    pub async fn forward_incident(
        &self,
        who: &Caller,
        id: &str,
        attributed: bool,
    ) -> Result<Incident, Error> {
        let (mut incident, sight) = self.incident_for(who, id).await?;
        ministry_only(who, sight)?;
        if incident.forwarded.is_some() {
            return Err(said(ErrorKind::Conflict, "report.forwarded_already", &[]));
        }
        if self.national_centre_org().is_none() {
            return Err(said(ErrorKind::Conflict, "report.no_centre", &[]));
        }
        let at = format_micros(now_micros());
        incident.forwarded = Some(Forwarded {
            at: at.clone(),
            attributed,
        });
        incident.timeline.push(Event {
            at,
            what: "forwarded".into(),
            by: who.principal.org.clone(),
            note: if attributed {
                "attributed"
            } else {
                "unattributed"
            }
            .into(),
        });
        self.save_incident(who, incident, "incident.forward").await
    }

    /// One incident as the caller may see it.
    pub async fn incident(&self, who: &Caller, id: &str) -> Result<Incident, Error> {
        let (incident, sight) = self.incident_for(who, id).await?;
        if sight != IncidentSight::Filer {
            self.audit_record_reads(who, "incidents.read", "incident", vec![incident.id.clone()])
                .await?;
        }
        Ok(self.view(incident, sight))
    }

    /// Every version of an incident, oldest first, as the caller may see
    /// each (nothing filed is ever changed: the history shows it).
    pub async fn incident_history(&self, who: &Caller, id: &str) -> Result<Vec<Incident>, Error> {
        let (_, sight) = self.incident_for(who, id).await?;
        if sight != IncidentSight::Filer {
            self.audit_record_reads(who, "incidents.read", "versions", vec![id.to_owned()])
                .await?;
        }
        let mut out = Vec::new();
        for v in self.store.record_history(INCIDENT, id).await? {
            let i = parse(&v)?;
            // An older version the caller could not see then (a draft, not
            // yet forwarded) stays hidden now.
            if sight_of(who, &i).is_some() {
                out.push(self.view(i, sight));
            }
        }
        Ok(out)
    }

    /// The incidents the caller sees, newest first; `overdue` keeps those
    /// past a deadline.
    pub async fn incidents(
        &self,
        who: &Caller,
        overdue_only: bool,
    ) -> Result<Vec<Incident>, Error> {
        // The filer owns its incidents; the ministry and, once forwarded,
        // the national centre are parties.
        let involving = Some(who.principal.org.clone());
        let now = now_micros();
        let rows = self
            .store
            .records(RecordFilter {
                kind: INCIDENT.into(),
                involving,
                states: Vec::new(),
                due_before: overdue_only.then_some(now),
                limit: MAX_LIST,
            })
            .await?;
        let mut out = Vec::new();
        let mut audited = Vec::new();
        for v in rows {
            let i = parse(&v)?;
            if let Some(sight) = sight_of(who, &i)
                && (!overdue_only || overdue(&i, now))
            {
                if sight != IncidentSight::Filer {
                    audited.push(i.id.clone());
                }
                out.push(self.view(i, sight));
            }
        }
        self.audit_record_reads(who, "incidents.read", "list", audited)
            .await?;
        Ok(out)
    }

    /// The national centre recommends (勧告) to ministries.
    pub async fn recommend(&self, who: &Caller, req: RecommendRequest) -> Result<Value, Error> {
        let p = &who.principal;
        if p.role != Role::NationalCentreOfficer || p.read_only {
            return Err(said(ErrorKind::Forbidden, "report.centre_recommends", &[]));
        }
        check_text("title", &req.title, true)?;
        check_text("text", &req.text, true)?;
        let dir = self.directory();
        if req.to.is_empty() {
            return Err(said(ErrorKind::Unprocessable, "report.recommend_to", &[]));
        }
        for m in &req.to {
            if dir.org(m).is_none_or(|o| o.kind != OrgKind::Ministry) {
                return Err(said(
                    ErrorKind::Unprocessable,
                    "report.not_ministry",
                    &[("org", m)],
                ));
            }
        }
        let now = now_micros();
        let id = format!("recommendation-{}", uuid::Uuid::new_v4());
        let body = json!({
            "id": id, "title": req.title.trim(), "text": req.text.trim(),
            "to": req.to, "incident": req.incident, "at": format_micros(now),
        });
        let version = RecordVersion {
            kind: RECOMMENDATION.into(),
            id: id.clone(),
            rev: 1,
            org: p.org.clone(),
            parties: req.to.clone(),
            state: "sent".into(),
            due: None,
            body: body.to_string(),
            at: now,
        };
        let audit = who.audit("recommendation.send", &id, json!({"to": req.to}));
        let event = json!({"kind": RECOMMENDATION, "id": id, "what": "sent"}).to_string();
        self.store
            .add_record(
                version,
                vec![audit],
                vec![(REPORTING_TOPIC.into(), event)],
                now,
            )
            .await?;
        Ok(body)
    }

    /// The recommendations the caller's organization sent or received.
    pub async fn recommendations(&self, who: &Caller) -> Result<Vec<Value>, Error> {
        let rows = self
            .store
            .records(RecordFilter {
                kind: RECOMMENDATION.into(),
                involving: Some(who.principal.org.clone()),
                states: Vec::new(),
                due_before: None,
                limit: MAX_LIST,
            })
            .await?;
        let received = rows
            .iter()
            .filter(|v| v.org != who.principal.org)
            .map(|v| v.id.clone())
            .collect();
        self.audit_record_reads(who, "recommendations.read", "list", received)
            .await?;
        rows.iter()
            .map(|v| {
                serde_json::from_str(&v.body)
                    .map_err(|e| Error::internal(format!("a recommendation cannot be read: {e}")))
            })
            .collect()
    }

    /// Records in the audit trail that a caller read workflow records of
    /// another organization (incidents, hotline calls, recommendations):
    /// one entry per answer naming them, like marked object reads. Nothing
    /// is answered unless the entry is written.
    pub(crate) async fn audit_record_reads(
        &self,
        who: &Caller,
        action: &str,
        endpoint: &str,
        ids: Vec<String>,
    ) -> Result<(), Error> {
        let Some(first) = ids.first().cloned() else {
            return Ok(());
        };
        let detail = json!({"endpoint": endpoint, "count": ids.len(), "ids": ids.join(" ")});
        self.audit_now(who.audit(action, &first, detail)).await
    }

    /// The incident as STIX 2.1 (a bundle: incident, report, the filer's
    /// identity when the caller may know it, indicators and observed data),
    /// read like `incident`: the same policy, view and read audit.
    pub async fn incident_stix(&self, who: &Caller, id: &str) -> Result<Value, Error> {
        let i = self.incident(who, id).await?;
        let filer = (!i.org.is_empty()).then(|| crate::incident_stix::Filer {
            name: self
                .directory()
                .org(&i.org)
                .map_or_else(|| i.org.clone(), |o| o.name.clone()),
            org: i.org.clone(),
        });
        Ok(crate::incident_stix::bundle(
            &i,
            &crate::incident_stix::Form::Attributed(filer),
        ))
    }

    /// Shares a filed incident onward as an anonymised case: its STIX
    /// export without identity, ids, deadlines or times of the original,
    /// submitted through the concealment pipeline (scrubbed, reviewed when
    /// in doubt, released as the hub) to `community`; the filer holds the
    /// receipt. Nothing is recorded on the incident, so its readers (the
    /// ministry, the national centre) cannot tie the case to it there.
    pub async fn share_incident(
        &self,
        who: &Caller,
        id: &str,
        req: kyoyu_wire::reporting::ShareRequest,
    ) -> Result<Value, Error> {
        let (i, sight) = self.incident_for(who, id).await?;
        if sight != IncidentSight::Filer || who.principal.read_only {
            return Err(said(ErrorKind::Forbidden, "report.share_filer", &[]));
        }
        if i.state == "draft" {
            return Err(said(ErrorKind::Conflict, "report.share_draft", &[]));
        }
        let now = kyoyu_stix::Timestamp::from_unix(now_micros() / 1_000_000, 0, 3).to_string();
        let objects =
            crate::incident_stix::objects(&i, &crate::incident_stix::Form::Anonymous { now });
        let submit = kyoyu_wire::submission::SubmitRequest {
            community: req.community,
            objects,
            form: None,
            tlp: req.tlp,
            urgent: false,
            attribute_to: Vec::new(),
            preview: req.preview,
        };
        if submit.preview {
            return self.preview(who, submit).await;
        }
        let submitted = self.submit(who, submit).await?;
        serde_json::to_value(submitted)
            .map_err(|e| Error::internal(format!("a receipt cannot be written: {e}")))
    }

    /// Sends the reminders that have come due (a job, every few seconds):
    /// for each incident with a deadline within the longest lead, or past
    /// one, each reminder `reminders_due` calls for that was not sent yet
    /// — written as a record, once on any node, with its stream event and
    /// audit entry; the notifier mails it to the filer's people and posts
    /// it to the filer's webhook.
    pub(crate) async fn remind_due(&self) -> Result<(), Error> {
        let now = now_micros();
        let leads = &self.config.remind_before;
        let longest = leads
            .iter()
            .map(|l| i64::try_from(l.as_micros()).unwrap_or(i64::MAX))
            .max()
            .unwrap_or(0);
        let rows = self
            .store
            .records(RecordFilter {
                kind: INCIDENT.into(),
                involving: None,
                states: Vec::new(),
                due_before: Some(now.saturating_add(longest)),
                limit: REMINDER_SCAN,
            })
            .await?;
        if rows.len() == REMINDER_SCAN {
            tracing::warn!(
                incidents = REMINDER_SCAN,
                "more incidents have deadlines near or past than one reminder pass reads; the newest are reminded first"
            );
        }
        for v in rows {
            let i = parse(&v)?;
            // Most incidents past a deadline long ago call for nothing:
            // their first version is read only when something may be due.
            if reminders_due(&i, leads, Micros::MIN, now).is_empty() {
                continue;
            }
            let since = self
                .store
                .record_history(INCIDENT, &i.id)
                .await?
                .first()
                .map_or(v.at, |first| first.at);
            for r in reminders_due(&i, leads, since, now) {
                let id = format!("{REMINDER}-{}-{}-{}", i.id, r.stage, r.lead_secs);
                if self.store.record(REMINDER, &id).await?.is_some() {
                    continue;
                }
                let what = if r.lead_secs == 0 {
                    "overdue"
                } else {
                    "due-soon"
                };
                // The deadline as the decision wrote it.
                let due_text = i
                    .stages
                    .iter()
                    .find(|s| s.stage == r.stage)
                    .and_then(|s| s.due.clone())
                    .unwrap_or_else(|| format_micros(r.due));
                let reminder = json!({
                    "id": id, "org": i.org, "incident": i.id, "title": i.title,
                    "regime": i.regime, "stage": r.stage, "due": due_text,
                    "lead_seconds": r.lead_secs, "what": what, "at": format_micros(now),
                });
                let body = reminder.to_string();
                let version = RecordVersion {
                    kind: REMINDER.into(),
                    id: id.clone(),
                    rev: 1,
                    org: i.org.clone(),
                    parties: Vec::new(),
                    state: what.into(),
                    due: None,
                    body,
                    at: now,
                };
                let audit = crate::submissions::anonymous(
                    "incident.remind",
                    &i.id,
                    json!({"stage": r.stage, "lead_seconds": r.lead_secs}),
                );
                let event = json!({"what": what, "reminder": reminder}).to_string();
                // Another node may have sent it meanwhile: then this one is not.
                self.store
                    .add_record(
                        version,
                        vec![audit],
                        vec![(REMINDER_TOPIC.into(), event)],
                        now,
                    )
                    .await?;
                self.streams.wake.notify_one();
            }
        }
        Ok(())
    }

    /// The incidents the caller's organization filed that have a stage due
    /// within `within` or past due, soonest first (the dashboard's
    /// deadlines; the filer's own, so no read to audit).
    pub async fn deadlines(
        &self,
        who: &Caller,
        within: std::time::Duration,
    ) -> Result<Vec<Incident>, Error> {
        let org = &who.principal.org;
        let horizon =
            now_micros().saturating_add(i64::try_from(within.as_micros()).unwrap_or(i64::MAX));
        let rows = self
            .store
            .records(RecordFilter {
                kind: INCIDENT.into(),
                involving: Some(org.clone()),
                states: Vec::new(),
                due_before: Some(horizon),
                limit: MAX_LIST,
            })
            .await?;
        let mut out: Vec<Incident> = rows
            .iter()
            .filter(|v| &v.org == org)
            .map(parse)
            .collect::<Result<_, _>>()?;
        out.retain(|i| i.state != "closed");
        out.sort_by_key(next_due);
        Ok(out)
    }

    /// Where `org`'s reminders are posted (`{"url"}`, never the secret).
    pub async fn reminder_webhook(&self, who: &Caller, org: &str) -> Result<Value, Error> {
        // Its own people may see where it goes (those who may set it are among them).
        if who.principal.org != org {
            return Err(said(ErrorKind::Forbidden, "report.webhook_who", &[]));
        }
        let url = self
            .stored_webhook(org)
            .await?
            .and_then(|w| w.get("url").and_then(Value::as_str).map(str::to_owned));
        Ok(json!({ "org": org, "url": url }))
    }

    /// Sets (or with `None` removes) where `org`'s reminders are posted; the
    /// secret is kept sealed under the hub's local key.
    pub async fn set_reminder_webhook(
        &self,
        who: &Caller,
        org: &str,
        req: Option<kyoyu_wire::reporting::WebhookRequest>,
    ) -> Result<Value, Error> {
        if !may_manage_reminder_webhook(&who.principal, org) {
            return Err(said(ErrorKind::Forbidden, "report.webhook_who", &[]));
        }
        let key = format!("{WEBHOOK_SETTING}{org}");
        let stored = match &req {
            None => String::new(),
            Some(w) => {
                let url = w.url.trim();
                let Some((host, _)) = kyoyu_trust::net::url_host(url) else {
                    return Err(said(
                        ErrorKind::Unprocessable,
                        "report.webhook_url",
                        &[("url", &url)],
                    ));
                };
                if !self.webhook_host_allowed(&host) {
                    return Err(said(
                        ErrorKind::Unprocessable,
                        "report.webhook_private",
                        &[("url", &url)],
                    ));
                }
                let n = w.secret.chars().count();
                if !(16..=256).contains(&n) {
                    return Err(said(
                        ErrorKind::Unprocessable,
                        "report.webhook_secret",
                        &[("count", &n)],
                    ));
                }
                let sealed = self
                    .config
                    .conceal
                    .local_key
                    .seal(w.secret.as_bytes(), &key)
                    .ok_or_else(|| Error::internal("a webhook secret could not be sealed"))?;
                json!({"url": url, "secret": sealed}).to_string()
            }
        };
        self.store.put_setting(&key, &stored).await?;
        let url = req.as_ref().map(|w| w.url.trim().to_owned());
        self.audit_now(who.audit("org.webhook", org, json!({ "url": url })))
            .await?;
        Ok(json!({ "org": org, "url": url }))
    }

    /// Where to post `org`'s reminders and the secret to sign them with,
    /// for the hub's notifier.
    pub async fn reminder_webhook_target(
        &self,
        org: &str,
    ) -> Result<Option<(String, String)>, Error> {
        let Some(w) = self.stored_webhook(org).await? else {
            return Ok(None);
        };
        let key = format!("{WEBHOOK_SETTING}{org}");
        let url = w.get("url").and_then(Value::as_str).unwrap_or_default();
        let secret = w
            .get("secret")
            .and_then(Value::as_str)
            .and_then(|s| self.config.conceal.local_key.open(s, &key))
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| {
                Error::internal("a webhook secret cannot be opened with this node's local key")
            })?;
        Ok(Some((url.to_owned(), secret)))
    }

    /// Whether an organization's webhook may be posted to `host` (a name,
    /// or an address literal): public addresses, unless the hub allows
    /// private ones (`--allow-private-webhooks`). Names are checked again
    /// by the notifier after they are resolved.
    pub fn webhook_host_allowed(&self, host: &str) -> bool {
        if self.config.private_webhooks {
            return true;
        }
        if host == "localhost" || host.ends_with(".localhost") {
            return false;
        }
        // A name is checked by the notifier once resolved.
        host.parse::<std::net::IpAddr>()
            .map_or(true, kyoyu_trust::net::is_public)
    }

    /// Whether the hub lets organizations' webhooks reach private addresses.
    pub fn private_webhooks(&self) -> bool {
        self.config.private_webhooks
    }

    async fn stored_webhook(&self, org: &str) -> Result<Option<Value>, Error> {
        Ok(self
            .store
            .setting(&format!("{WEBHOOK_SETTING}{org}"))
            .await?
            .filter(|t| !t.is_empty())
            .and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// The reminders sent to the caller's organization, newest first.
    pub async fn reminders(&self, who: &Caller) -> Result<Vec<Value>, Error> {
        let rows = self
            .store
            .records(RecordFilter {
                kind: REMINDER.into(),
                involving: Some(who.principal.org.clone()),
                states: Vec::new(),
                due_before: None,
                limit: MAX_LIST,
            })
            .await?;
        rows.iter()
            // A reminder is for its organization alone.
            .filter(|v| v.org == who.principal.org)
            .map(|v| {
                serde_json::from_str(&v.body)
                    .map_err(|e| Error::internal(format!("a reminder cannot be read: {e}")))
            })
            .collect()
    }

    /// Who is mailed a reminder (`{"what", "reminder"}`): (login, address)
    /// of the enabled people of the organization it is for, with an address
    /// and a role that files or reads its incidents.
    pub async fn reminder_recipients(&self, event: &Value) -> Result<Vec<(String, String)>, Error> {
        let org = event
            .get("reminder")
            .and_then(|r| r.get("org"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        if org.is_empty() {
            return Ok(Vec::new());
        }
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.org == org && !u.disabled && !u.email.is_empty())
            .map(|u| (u.login, u.email))
            .collect())
    }

    /// The newest version of an incident and how the caller sees it; one the
    /// caller may not see is not found (its existence is not revealed).
    async fn incident_for(
        &self,
        who: &Caller,
        id: &str,
    ) -> Result<(Incident, IncidentSight), Error> {
        let not_found = || said(ErrorKind::NotFound, "report.unknown", &[("id", &id)]);
        let v = self
            .store
            .record(INCIDENT, id)
            .await?
            .ok_or_else(not_found)?;
        let i = parse(&v)?;
        let sight = sight_of(who, &i).ok_or_else(not_found)?;
        Ok((i, sight))
    }

    /// Writes the next version of an incident, audited, with a stream
    /// event; a concurrent change wins and this one is refused.
    async fn save_incident(
        &self,
        who: &Caller,
        mut incident: Incident,
        action: &str,
    ) -> Result<Incident, Error> {
        incident.rev += 1;
        // Late is judged once, when the stage is reported.
        let now = now_micros();
        let mut parties: Vec<String> = Vec::new();
        if incident.state != "draft"
            && let Some(m) = &incident.ministry
        {
            parties.push(m.clone());
        }
        if incident.forwarded.is_some()
            && let Some(c) = self.national_centre_org()
        {
            parties.push(c);
        }
        let version = RecordVersion {
            kind: INCIDENT.into(),
            id: incident.id.clone(),
            rev: incident.rev,
            org: incident.org.clone(),
            parties,
            state: incident.state.clone(),
            due: next_due(&incident),
            body: serde_json::to_string(&incident)
                .map_err(|e| Error::internal(format!("an incident cannot be written: {e}")))?,
            at: now,
        };
        // The audit names the incident and what happened, not its content.
        let audit = who.audit(
            action,
            &incident.id,
            json!({"state": incident.state, "rev": incident.rev, "sector": incident.sector}),
        );
        let event =
            json!({"kind": INCIDENT, "id": incident.id, "rev": incident.rev, "what": action})
                .to_string();
        let written = self
            .store
            .add_record(
                version,
                vec![audit],
                vec![(REPORTING_TOPIC.into(), event)],
                now,
            )
            .await?;
        if !written {
            return Err(said(ErrorKind::Conflict, "report.changed_meanwhile", &[]));
        }
        self.streams.wake.notify_one();
        let sight = sight_of(who, &incident).unwrap_or(IncidentSight::Filer);
        Ok(self.view(incident, sight))
    }

    /// The incident as `sight` may read it: an unattributed forward has the
    /// filer withheld and its names scrubbed from every text.
    fn view(&self, mut i: Incident, sight: IncidentSight) -> Incident {
        if sight != (IncidentSight::Centre { attributed: false }) {
            return i;
        }
        let profile = self.directory().org(&i.org).map(Profile::of);
        let scrub = |t: &str| {
            profile
                .as_ref()
                .map_or_else(|| t.to_owned(), |p| p.scrub(t, Field::Text).text)
        };
        let filer = std::mem::take(&mut i.org);
        i.title = scrub(&i.title);
        for r in &mut i.reports {
            r.text = scrub(&r.text);
            // An observable that names the filer (its own address range,
            // domain) is withheld, not shown scrubbed.
            r.indicators.retain(|v| scrub(v) == *v);
        }
        for e in &mut i.timeline {
            if e.by == filer {
                e.by.clear();
            }
            e.note = scrub(&e.note);
        }
        i
    }
}

fn sight_of(who: &Caller, i: &Incident) -> Option<IncidentSight> {
    incident_sight(
        &who.principal,
        &i.org,
        i.ministry.as_deref(),
        i.state != "draft",
        i.forwarded.as_ref().map(|f| f.attributed),
    )
}

fn parse(v: &RecordVersion) -> Result<Incident, Error> {
    serde_json::from_str(&v.body)
        .map_err(|e| Error::internal(format!("incident {} cannot be read: {e}", v.id)))
}

fn ministry_only(who: &Caller, sight: IncidentSight) -> Result<(), Error> {
    if sight == IncidentSight::Ministry && !who.principal.read_only {
        Ok(())
    } else {
        Err(said(ErrorKind::Forbidden, "report.ministry_answers", &[]))
    }
}

fn check_rev(i: &Incident, rev: Option<i64>) -> Result<(), Error> {
    match rev {
        Some(r) if r != i.rev => Err(said(
            ErrorKind::Conflict,
            "report.stale",
            &[("read", &r), ("rev", &i.rev)],
        )),
        _ => Ok(()),
    }
}

/// A title or text: present when `required`, and not too long.
pub(crate) fn check_text(field: &str, text: &str, required: bool) -> Result<(), Error> {
    if required && text.trim().is_empty() {
        return Err(said(
            ErrorKind::Unprocessable,
            "report.text_missing",
            &[("field", &field)],
        ));
    }
    let n = text.chars().count();
    if n > MAX_TEXT {
        return Err(said(
            ErrorKind::Unprocessable,
            "report.text_long",
            &[("field", &field), ("length", &n), ("max", &MAX_TEXT)],
        ));
    }
    Ok(())
}

/// Adds report number n+1 for `stage`, fulfilling the stage (late if past
/// its deadline).
/// The most observables one report lists.
const MAX_INDICATORS: usize = 1_000;

/// The observables of a report, trimmed and without repeats; one that is
/// no address, domain, URL, e-mail address or hash is refused, naming it.
fn check_indicators(values: &[String]) -> Result<Vec<String>, Error> {
    if values.len() > MAX_INDICATORS {
        return Err(said(
            ErrorKind::Unprocessable,
            "report.indicators_many",
            &[("count", &values.len()), ("max", &MAX_INDICATORS)],
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.trim();
        if crate::submissions::pattern_for(v).is_none() {
            return Err(said(
                ErrorKind::Unprocessable,
                "submit.indicator",
                &[("value", &v)],
            ));
        }
        if !out.iter().any(|o| o == v) {
            out.push(v.to_owned());
        }
    }
    Ok(out)
}

fn add_report(i: &mut Incident, stage: &str, text: &str, indicators: Vec<String>, now: Micros) {
    let number = i.reports.len() + 1;
    i.reports.push(Report {
        number,
        stage: stage.to_owned(),
        text: text.to_owned(),
        filed: format_micros(now),
        indicators,
        acknowledged: None,
    });
    if let Some(s) = i
        .stages
        .iter_mut()
        .find(|s| s.stage == stage && s.report.is_none())
    {
        s.report = Some(number);
        s.late = s
            .due
            .as_deref()
            .and_then(due_micros)
            .is_some_and(|d| d < now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const H: Micros = 3600 * 1_000_000;

    fn incident(stages: &[(&str, Option<Micros>, bool)]) -> Incident {
        Incident {
            state: "filed".into(),
            stages: stages
                .iter()
                .map(|(stage, due, reported)| StageStatus {
                    stage: (*stage).into(),
                    due: due.map(format_micros),
                    report: reported.then_some(1),
                    late: false,
                })
                .collect(),
            ..Incident::default()
        }
    }

    fn leads() -> Vec<Duration> {
        vec![
            Duration::from_secs(24 * 3600),
            Duration::from_secs(2 * 3600),
        ]
    }

    fn due(i: &Incident, since: Micros, now: Micros) -> Vec<(String, u64)> {
        reminders_due(i, &leads(), since, now)
            .into_iter()
            .map(|r| (r.stage, r.lead_secs))
            .collect()
    }

    #[test]
    fn the_most_urgent_lead_that_has_come_is_due() {
        // A stage due at hour 100, the incident recorded at hour 0.
        let i = incident(&[("final", Some(100 * H), false)]);
        assert!(due(&i, 0, 75 * H).is_empty(), "more than 24 h before");
        assert_eq!(due(&i, 0, 76 * H), [("final".to_owned(), 86_400)]);
        assert_eq!(due(&i, 0, 98 * H), [("final".to_owned(), 7_200)]);
        assert_eq!(
            due(&i, 0, 100 * H),
            [("final".to_owned(), 0)],
            "due now: overdue"
        );
        assert_eq!(due(&i, 0, 123 * H), [("final".to_owned(), 0)]);
        assert!(
            due(&i, 0, 125 * H).is_empty(),
            "a day after: no stale notice"
        );
    }

    #[test]
    fn leads_before_the_incident_was_recorded_are_skipped() {
        // A 24-hour stage filed at hour 20: no "24 hours before" reminder,
        // the 2-hour one still comes.
        let i = incident(&[("first", Some(24 * H), false)]);
        assert!(due(&i, 20 * H, 21 * H).is_empty());
        assert_eq!(due(&i, 20 * H, 22 * H), [("first".to_owned(), 7_200)]);
        // Filed after the 2-hour mark too: only the overdue notice.
        assert!(due(&i, 23 * H, 23 * H + 1).is_empty());
        assert_eq!(due(&i, 23 * H, 24 * H + 1), [("first".to_owned(), 0)]);
    }

    #[test]
    fn reported_stages_closed_incidents_and_open_ended_stages_call_for_nothing() {
        let i = incident(&[
            ("first", Some(10 * H), true),
            ("intermediate", None, false),
            ("final", Some(11 * H), false),
        ]);
        assert_eq!(due(&i, 0, 10 * H), [("final".to_owned(), 7_200)]);
        let mut closed = i.clone();
        closed.state = "closed".into();
        assert!(due(&closed, 0, 12 * H).is_empty());
    }
}
