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
use kyoyu_trust::policy::{IncidentSight, incident_sight};
use kyoyu_trust::{OrgKind, Role};
use kyoyu_wire::reporting::{
    Event, FileRequest, Forwarded, Incident, RecommendRequest, Report, ReportRequest, StageStatus,
};
use serde_json::{Value, json};

/// The record kind of incidents.
pub const INCIDENT: &str = "incident";
/// The record kind of the national centre's recommendations.
pub const RECOMMENDATION: &str = "recommendation";
/// The live stream of reporting events (ids only: readers fetch what they
/// may see).
pub const REPORTING_TOPIC: &str = "reporting";
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
    pub fn casebook(
        &self,
        q: &kyoyu_report::casebook::Search,
    ) -> (
        Vec<&'static kyoyu_report::casebook::Case>,
        &'static [kyoyu_report::casebook::Practice],
    ) {
        (
            kyoyu_report::casebook::search(kyoyu_report::casebook::cases(), q),
            kyoyu_report::casebook::practices(),
        )
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
            add_report(&mut incident, &stage, req.text.trim(), now);
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
        add_report(&mut incident, &req.stage, req.text.trim(), now);
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
fn add_report(i: &mut Incident, stage: &str, text: &str, now: Micros) {
    let number = i.reports.len() + 1;
    i.reports.push(Report {
        number,
        stage: stage.to_owned(),
        text: text.to_owned(),
        filed: format_micros(now),
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
