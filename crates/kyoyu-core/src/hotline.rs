//! The hotline: an urgent report straight to the national centre. Duty
//! officers receive it at once on a live stream; an acknowledgement clock
//! (15 minutes unless configured) escalates an unacknowledged call to the
//! next officer of the duty roster, again and again; the whole timeline is
//! kept (every change is a new version of the record).
//!
//! The live stream: every change appends a numbered event in the same
//! transaction as the record; a pump (one per process) reads new events —
//! at once when this process wrote one, within a quarter second when
//! another did — and broadcasts them to the process's subscribers, each of
//! which passes on only what its reader may see. A subscriber that
//! reconnects names the last event it saw and is sent what it missed from
//! the store first.

use crate::reporting::check_text;
use crate::time::{format_micros, now_micros};
use crate::{Caller, Error, ErrorKind, Hub};
use kyoyu_store::{Micros, RecordFilter, RecordVersion, Store, StreamEvent};
use kyoyu_trust::{OrgKind, Principal, Role};
use kyoyu_wire::reporting::{Event, Hotline, RaiseRequest, Roster};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

/// The record kind and stream topic of hotline calls.
pub const HOTLINE: &str = "hotline";
/// The setting that holds the duty roster.
const ROSTER: &str = "duty-roster";
/// The most calls one list returns.
const MAX_LIST: usize = 1_000;
/// How many events a subscriber may fall behind before it re-reads the
/// store.
pub(crate) const STREAM_BUFFER: usize = 4_096;
/// How often the pump looks for events written by other processes.
const PUMP_INTERVAL: Duration = Duration::from_millis(250);

fn said(
    kind: ErrorKind,
    key: &'static str,
    args: &[(&'static str, &dyn std::fmt::Display)],
) -> Error {
    Error::said(kind, key, args)
}

/// Whether `p` sees a call raised by `org`: the raising organization and
/// the national centre's officers.
pub fn may_see_hotline(p: &Principal, org: &str) -> bool {
    p.org == org || p.role == Role::NationalCentreOfficer
}

/// The process's side of the live streams: a broadcast of every event the
/// pump reads, and the bell that wakes the pump after a local write.
#[derive(Debug)]
pub(crate) struct Streams {
    pub(crate) tx: tokio::sync::broadcast::Sender<Arc<StreamEvent>>,
    pub(crate) wake: Arc<tokio::sync::Notify>,
}

impl Streams {
    pub(crate) fn new() -> Self {
        Self {
            tx: tokio::sync::broadcast::channel(STREAM_BUFFER).0,
            wake: Arc::new(tokio::sync::Notify::new()),
        }
    }
}

/// Reads new events of `topics` and broadcasts them, until the hub is gone.
pub(crate) async fn pump<S: Store>(hub: std::sync::Weak<Hub<S>>, topics: &[&str]) {
    let mut cursors = Vec::new();
    for t in topics {
        let head = loop {
            let Some(h) = hub.upgrade() else { return };
            match h.store.stream_head(t).await {
                Ok(head) => break head,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot read the live stream's head; retrying")
                }
            }
            drop(h);
            tokio::time::sleep(Duration::from_secs(1)).await;
        };
        cursors.push(((*t).to_owned(), head));
    }
    loop {
        let Some(h) = hub.upgrade() else { return };
        for (topic, last) in &mut cursors {
            loop {
                match h.store.events_after(topic, *last, 1_000).await {
                    Ok(events) => {
                        let full = events.len() == 1_000;
                        for e in events {
                            *last = e.seq;
                            // Nobody listening is fine.
                            let _ = h.streams.tx.send(Arc::new(e));
                        }
                        if !full {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot read the live stream");
                        break;
                    }
                }
            }
        }
        // Not holding the hub while waiting, so it can be dropped.
        let wake = h.streams.wake.clone();
        drop(h);
        let _ = tokio::time::timeout(PUMP_INTERVAL, wake.notified()).await;
    }
}

/// Who reads a live feed.
#[derive(Debug, Clone)]
enum Reader {
    /// A person, a token or a channel acting for one: only what that
    /// principal may see.
    Principal(Principal),
    /// The hub's own notifier, which picks each message's recipients by
    /// the same rules (`reminder_recipients`): every event of its topic.
    Notifier,
}

/// One subscriber of a live stream (the hotline's calls, or the reporting
/// reminders): what it missed first, then live events, each only if its
/// reader may see it.
#[derive(Debug)]
pub struct HotlineFeed {
    reader: Reader,
    topic: &'static str,
    rx: tokio::sync::broadcast::Receiver<Arc<StreamEvent>>,
    backlog: VecDeque<StreamEvent>,
    /// The last read of the store filled a page: more may follow it.
    more: bool,
    last: i64,
}

impl HotlineFeed {
    /// Reads the next page of events after the last one handed out.
    async fn refill<S: Store>(&mut self, hub: &Hub<S>) {
        match hub
            .store
            .events_after(self.topic, self.last, STREAM_BUFFER)
            .await
        {
            Ok(missed) => {
                self.more = missed.len() == STREAM_BUFFER;
                self.backlog.extend(missed);
            }
            Err(e) => {
                // Tried again at the next event.
                self.more = true;
                tracing::warn!(error = %e, "cannot read the live stream");
            }
        }
    }

    /// Whether the reader may see an event of this feed's topic.
    fn may_see(&self, body: &Value) -> bool {
        let Reader::Principal(p) = &self.reader else {
            return true;
        };
        let field = |outer: &str, inner: &str| {
            body.get(outer)
                .and_then(|h| h.get(inner))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        match self.topic {
            HOTLINE => may_see_hotline(p, &field("hotline", "org")),
            // A reminder is for the filer's organization alone.
            _ => {
                let org = field("reminder", "org");
                !org.is_empty() && p.org == org
            }
        }
    }

    /// The next event the reader may see: its number and its body (for
    /// the hotline `{"what", "hotline"}`, the call as it stood then; for
    /// reminders `{"what", "reminder"}`). `None` when the hub stops.
    pub async fn next<S: Store>(&mut self, hub: &Hub<S>) -> Option<(i64, Value)> {
        loop {
            if self.backlog.is_empty() && self.more {
                // What was missed ran over one page: the next page.
                self.refill(hub).await;
            }
            let e = match self.backlog.pop_front() {
                Some(e) => e,
                None => match self.rx.recv().await {
                    Ok(e) => (*e).clone(),
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {
                        // Fell behind the buffer: read what was missed.
                        self.refill(hub).await;
                        continue;
                    }
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
            };
            if e.topic != self.topic || e.seq <= self.last {
                continue;
            }
            self.last = e.seq;
            let Ok(body) = serde_json::from_str::<Value>(&e.body) else {
                continue;
            };
            if self.may_see(&body) {
                return Some((e.seq, body));
            }
        }
    }
}

impl<S: Store> Hub<S> {
    /// Raises a call to the national centre: on duty officers' streams at
    /// once; escalates unless acknowledged in time.
    pub async fn raise_hotline(&self, who: &Caller, req: RaiseRequest) -> Result<Hotline, Error> {
        let p = &who.principal;
        let dir = self.directory();
        let org = dir
            .org(&p.org)
            .ok_or_else(|| said(ErrorKind::Forbidden, "hotline.unregistered", &[]))?;
        if org.kind == OrgKind::NationalCentre || org.kind == OrgKind::Hub || p.read_only {
            return Err(said(ErrorKind::Forbidden, "hotline.who_raises", &[]));
        }
        check_text("title", &req.title, true)?;
        check_text("text", &req.text, true)?;
        if self.national_centre_org().is_none() {
            return Err(said(ErrorKind::Conflict, "report.no_centre", &[]));
        }
        let now = now_micros();
        let roster = self.roster_list().await?;
        let at = format_micros(now);
        let call = Hotline {
            id: format!("hotline-{}", uuid::Uuid::new_v4()),
            org: p.org.clone(),
            title: req.title.trim().to_owned(),
            text: req.text.trim().to_owned(),
            incident: req.incident,
            state: "open".into(),
            raised: at.clone(),
            assigned: roster.first().cloned(),
            level: 0,
            ack_due: Some(format_micros(now + self.ack_window())),
            acknowledged: None,
            timeline: vec![Event {
                at,
                what: "raised".into(),
                by: p.org.clone(),
                note: roster.first().cloned().unwrap_or_default(),
            }],
            rev: 0,
        };
        self.save_hotline(who, call, "raised", Some(now + self.ack_window()))
            .await
    }

    /// An officer acknowledges a call: its clock stops.
    pub async fn acknowledge_hotline(&self, who: &Caller, id: &str) -> Result<Hotline, Error> {
        let p = &who.principal;
        if p.role != Role::NationalCentreOfficer || p.read_only {
            return Err(said(ErrorKind::Forbidden, "hotline.officers_ack", &[]));
        }
        let mut call = self.hotline_for(who, id).await?;
        if call.state != "open" {
            return Err(said(
                ErrorKind::Conflict,
                "hotline.not_open",
                &[("state", &call.state)],
            ));
        }
        let at = format_micros(now_micros());
        call.state = "acknowledged".into();
        call.acknowledged = Some((who.token_id.clone(), at.clone()));
        call.ack_due = None;
        call.timeline.push(Event {
            at,
            what: "acknowledged".into(),
            by: p.org.clone(),
            note: who.token_id.clone(),
        });
        self.save_hotline(who, call, "acknowledged", None).await
    }

    /// One call, if the caller may see it.
    pub async fn hotline(&self, who: &Caller, id: &str) -> Result<Hotline, Error> {
        let call = self.hotline_for(who, id).await?;
        if call.org != who.principal.org {
            self.audit_record_reads(who, "hotline.read", "call", vec![call.id.clone()])
                .await?;
        }
        Ok(call)
    }

    /// The calls the caller may see, newest first; `open` keeps the
    /// unacknowledged ones.
    pub async fn hotlines(&self, who: &Caller, open: bool) -> Result<Vec<Hotline>, Error> {
        let p = &who.principal;
        let involving = (p.role != Role::NationalCentreOfficer).then(|| p.org.clone());
        let rows = self
            .store
            .records(RecordFilter {
                kind: HOTLINE.into(),
                involving,
                states: if open {
                    vec!["open".into()]
                } else {
                    Vec::new()
                },
                due_before: None,
                limit: MAX_LIST,
            })
            .await?;
        let mut out = Vec::new();
        let mut audited = Vec::new();
        for v in rows {
            let call = parse(&v)?;
            if may_see_hotline(p, &call.org) {
                if call.org != p.org {
                    audited.push(call.id.clone());
                }
                out.push(call);
            }
        }
        self.audit_record_reads(who, "hotline.read", "list", audited)
            .await?;
        Ok(out)
    }

    /// A subscription to the hotline stream, resuming after event `after`
    /// (the SSE `Last-Event-ID`) or from now.
    pub async fn hotline_feed(
        &self,
        who: &Caller,
        after: Option<i64>,
    ) -> Result<HotlineFeed, Error> {
        // Each subscription is recorded (not each event: the calls it
        // carries are audited when raised, escalated and acknowledged).
        self.audit_now(who.audit("hotline.watch", HOTLINE, json!({"after": after})))
            .await?;
        self.hotline_feed_as(who.principal.clone(), after).await
    }

    /// A subscription for a reader acting as `principal` (a person, a
    /// webhook, the mailer): it receives what that principal may see,
    /// nothing more.
    pub async fn hotline_feed_as(
        &self,
        principal: Principal,
        after: Option<i64>,
    ) -> Result<HotlineFeed, Error> {
        self.feed(Reader::Principal(principal), HOTLINE, after)
            .await
    }

    /// The reminders stream for the hub's notifier (mail): every reminder,
    /// each to be sent only to the people of the organization it is for
    /// (`reminder_recipients`). It resumes after the last event the
    /// channel `channel` recorded as done (`reminder_done`), so a restart
    /// loses none.
    pub async fn reminder_feed(&self, channel: &str) -> Result<HotlineFeed, Error> {
        let after = self.notified_after(channel).await?;
        self.feed(Reader::Notifier, crate::reporting::REMINDER_TOPIC, after)
            .await
    }

    /// The last event the notifier's channel `channel` recorded as done
    /// (`notified`), if any: where it resumes after a restart.
    pub async fn notified_after(&self, channel: &str) -> Result<Option<i64>, Error> {
        Ok(self
            .store
            .setting(&format!("notified:{channel}"))
            .await?
            .and_then(|s| s.parse().ok()))
    }

    /// Records that the notifier's channel `channel` is done with event `seq`.
    pub async fn notified(&self, channel: &str, seq: i64) -> Result<(), Error> {
        Ok(self
            .store
            .put_setting(&format!("notified:{channel}"), &seq.to_string())
            .await?)
    }

    /// A subscription to the reminders of the caller's organization
    /// (`/api/reminders/stream`), after event `after` or from now.
    pub async fn reminder_feed_for(
        &self,
        who: &Caller,
        after: Option<i64>,
    ) -> Result<HotlineFeed, Error> {
        self.feed(
            Reader::Principal(who.principal.clone()),
            crate::reporting::REMINDER_TOPIC,
            after,
        )
        .await
    }

    /// A subscription to `topic` for `reader`, after event `after` or from now.
    async fn feed(
        &self,
        reader: Reader,
        topic: &'static str,
        after: Option<i64>,
    ) -> Result<HotlineFeed, Error> {
        // Subscribe first, then read the backlog: nothing falls between.
        let rx = self.streams.tx.subscribe();
        let (backlog, last): (VecDeque<StreamEvent>, i64) = match after {
            Some(after) => (
                self.store
                    .events_after(topic, after, STREAM_BUFFER)
                    .await?
                    .into(),
                after,
            ),
            None => (VecDeque::new(), self.store.stream_head(topic).await?),
        };
        Ok(HotlineFeed {
            reader,
            topic,
            rx,
            more: backlog.len() == STREAM_BUFFER,
            backlog,
            last,
        })
    }

    /// The national centre's organization id, if one is registered.
    pub fn national_centre_org(&self) -> Option<String> {
        self.directory()
            .orgs()
            .find(|o| o.kind == OrgKind::NationalCentre)
            .map(|o| o.id.clone())
    }

    /// Who is mailed about a hotline event (`{"what", "hotline"}`): (login,
    /// address). A call raised goes to every officer; an escalated one to
    /// the officer it now sits with (every officer when there is no
    /// roster); an acknowledgement to the caller's people. Only enabled
    /// people with an address, and only those who may see the call.
    pub async fn hotline_recipients(&self, event: &Value) -> Result<Vec<(String, String)>, Error> {
        let call: Hotline =
            serde_json::from_value(event.get("hotline").cloned().unwrap_or_default())
                .map_err(|e| Error::internal(format!("a hotline event cannot be read: {e}")))?;
        let what = event
            .get("what")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let mut out = Vec::new();
        for u in self.store.users().await? {
            let Some(role) = Role::parse(&u.role) else {
                continue;
            };
            if u.disabled || u.email.is_empty() {
                continue;
            }
            let principal = Principal {
                org: u.org.clone(),
                role,
                read_only: false,
            };
            if !may_see_hotline(&principal, &call.org) {
                continue;
            }
            let officer = role == Role::NationalCentreOfficer;
            let told = match what {
                "raised" => officer,
                "escalated" => officer && call.assigned.as_ref().is_none_or(|a| *a == u.login),
                "acknowledged" => u.org == call.org,
                _ => false,
            };
            if told {
                out.push((u.login.clone(), u.email.clone()));
            }
        }
        Ok(out)
    }

    /// The duty roster.
    pub async fn roster(&self, who: &Caller) -> Result<Roster, Error> {
        if who.principal.role != Role::NationalCentreOfficer {
            return Err(said(ErrorKind::Forbidden, "hotline.roster_who", &[]));
        }
        Ok(Roster {
            officers: self.roster_list().await?,
        })
    }

    /// Sets the duty roster: national-centre officers' console logins.
    pub async fn set_roster(&self, who: &Caller, roster: Roster) -> Result<Roster, Error> {
        let p = &who.principal;
        if p.role != Role::NationalCentreOfficer || p.read_only {
            return Err(said(ErrorKind::Forbidden, "hotline.roster_who", &[]));
        }
        for login in &roster.officers {
            let ok = self
                .store
                .user(login)
                .await?
                .is_some_and(|u| u.role == Role::NationalCentreOfficer.name() && !u.disabled);
            if !ok {
                return Err(said(
                    ErrorKind::Unprocessable,
                    "hotline.roster_officer",
                    &[("login", login)],
                ));
            }
        }
        let text = serde_json::to_string(&roster.officers)
            .map_err(|e| Error::internal(format!("the roster cannot be written: {e}")))?;
        self.store.put_setting(ROSTER, &text).await?;
        self.store
            .append_audit(
                vec![who.audit(
                    "hotline.roster",
                    ROSTER,
                    json!({"officers": roster.officers}),
                )],
                now_micros(),
            )
            .await?;
        Ok(roster)
    }

    /// Escalates every open call whose acknowledgement clock ran out to the
    /// next officer of the roster, and starts its clock again (called every
    /// second by the jobs).
    pub(crate) async fn escalate_due(&self) -> Result<(), Error> {
        let now = now_micros();
        let due = self
            .store
            .records(RecordFilter {
                kind: HOTLINE.into(),
                involving: None,
                states: vec!["open".into()],
                due_before: Some(now),
                limit: MAX_LIST,
            })
            .await?;
        if due.is_empty() {
            return Ok(());
        }
        let roster = self.roster_list().await?;
        for v in due {
            let mut call = parse(&v)?;
            call.level += 1;
            call.assigned = (!roster.is_empty())
                .then(|| roster.get(call.level as usize % roster.len()).cloned())
                .flatten();
            let next = now + self.ack_window();
            call.ack_due = Some(format_micros(next));
            call.timeline.push(Event {
                at: format_micros(now),
                what: "escalated".into(),
                by: String::new(),
                note: call.assigned.clone().unwrap_or_default(),
            });
            let draft = crate::submissions::anonymous(
                "hotline.escalate",
                &call.id,
                json!({"level": call.level, "assigned": call.assigned}),
            );
            // A concurrent acknowledgement wins: nothing to escalate then.
            self.write_hotline(call, "escalated", Some(next), draft)
                .await?;
        }
        Ok(())
    }

    fn ack_window(&self) -> Micros {
        i64::try_from(self.config.hotline_ack.as_micros()).unwrap_or(i64::MAX)
    }

    async fn roster_list(&self) -> Result<Vec<String>, Error> {
        Ok(self
            .store
            .setting(ROSTER)
            .await?
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or_default())
    }

    async fn hotline_for(&self, who: &Caller, id: &str) -> Result<Hotline, Error> {
        let not_found = || said(ErrorKind::NotFound, "hotline.unknown", &[("id", &id)]);
        let v = self
            .store
            .record(HOTLINE, id)
            .await?
            .ok_or_else(not_found)?;
        let call = parse(&v)?;
        if may_see_hotline(&who.principal, &call.org) {
            Ok(call)
        } else {
            Err(not_found())
        }
    }

    async fn save_hotline(
        &self,
        who: &Caller,
        call: Hotline,
        what: &str,
        due: Option<Micros>,
    ) -> Result<Hotline, Error> {
        let draft = who.audit(
            &format!(
                "hotline.{}",
                if what == "raised" {
                    "raise"
                } else {
                    "acknowledge"
                }
            ),
            &call.id,
            json!({"level": call.level}),
        );
        match self.write_hotline(call, what, due, draft).await? {
            Some(call) => Ok(call),
            None => Err(said(ErrorKind::Conflict, "hotline.changed_meanwhile", &[])),
        }
    }

    /// Writes the next version and its stream event; `None` if another
    /// change came first.
    async fn write_hotline(
        &self,
        mut call: Hotline,
        what: &str,
        due: Option<Micros>,
        audit: kyoyu_store::AuditDraft,
    ) -> Result<Option<Hotline>, Error> {
        call.rev += 1;
        let now = now_micros();
        let centre: Vec<String> = self.national_centre_org().into_iter().collect();
        let body = serde_json::to_string(&call)
            .map_err(|e| Error::internal(format!("a hotline call cannot be written: {e}")))?;
        let event = json!({"what": what, "hotline": call}).to_string();
        let version = RecordVersion {
            kind: HOTLINE.into(),
            id: call.id.clone(),
            rev: call.rev,
            org: call.org.clone(),
            parties: centre,
            state: call.state.clone(),
            due,
            body,
            at: now,
        };
        let written = self
            .store
            .add_record(version, vec![audit], vec![(HOTLINE.into(), event)], now)
            .await?;
        if !written {
            return Ok(None);
        }
        self.streams.wake.notify_one();
        Ok(Some(call))
    }
}

fn parse(v: &RecordVersion) -> Result<Hotline, Error> {
    serde_json::from_str(&v.body)
        .map_err(|e| Error::internal(format!("hotline call {} cannot be read: {e}", v.id)))
}
