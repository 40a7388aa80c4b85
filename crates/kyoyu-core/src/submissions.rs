//! Source-concealed submissions: the hub side of `kyoyu-conceal`.
//!
//! A member submits STIX content (or a short incident form) for a
//! community; the hub conceals it, keeps it for review or for the next
//! release batch, and publishes it in the community's collection as the
//! hub's (or a CEPTOAR's) content. What the hub stores names nobody: the
//! provenance is sealed to an escrow key, the receipt is a keyed hash, the
//! audit entries of the submission have no actor. See docs/concealment.md.

use crate::error::Said;
use crate::ingest::new_version;
use crate::keys::LocalKey;
use crate::reader::all_versions;
use crate::time::{format_micros, now_micros};
use crate::{Caller, Error, ErrorKind, HUB_ORG, Hub};
use hmac::{Hmac, Mac};
use kyoyu_conceal::release::Batching;
use kyoyu_conceal::scrub::Profile;
use kyoyu_conceal::seal::EscrowPublic;
use kyoyu_conceal::workflow::{self, Refusal, State, Transition};
use kyoyu_conceal::{Stages, conceal};
use kyoyu_stix::tlp::Tlp;
use kyoyu_store::{AuditDraft, Collection, Status, StatusDetail, Store, Submission};
use kyoyu_trust::policy::{Access, may_fetch_sealed, may_review};
use kyoyu_trust::{MemberRole, OrgKind};
use kyoyu_wire::submission::{IncidentForm, SubmitRequest, Submitted};
use serde_json::value::RawValue;
use serde_json::{Value, json};
use sha2::Sha256;
use std::collections::BTreeMap;

/// The `[conceal]` settings: one switch per stage.
#[derive(Debug, Clone)]
pub struct ConcealConfig {
    /// Stages 1–3 and the timestamp granularity.
    pub stages: Stages,
    /// Stage 5: doubtful submissions wait for a reviewer.
    pub review: bool,
    /// Stage 4: release in batches (`None`: at once).
    pub batching: Option<Batching>,
    /// Stage 6: the escrow key provenance is sealed to (`None`: not kept at all).
    pub escrow: Option<EscrowPublic>,
    /// Stage 9: the least number of distinct contributors behind a published count.
    pub k: usize,
    /// Stage 3: released content is the community CEPTOAR's where it has one.
    pub ceptoar_creator: bool,
    /// The key kept outside the database (the data folder, the same on
    /// every node): contributor tags, seals on held submissions, the MAC on
    /// sealed provenance.
    pub local_key: LocalKey,
}

impl Default for ConcealConfig {
    fn default() -> Self {
        let mut key = vec![0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut key);
        let local_key = LocalKey::new(&key);
        zeroize::Zeroize::zeroize(&mut key);
        Self {
            stages: Stages::default(),
            review: true,
            batching: Some(Batching::default()),
            escrow: None,
            k: 3,
            ceptoar_creator: false,
            local_key,
        }
    }
}

fn keyed_hex(key: &[u8], data: &str) -> String {
    match <Hmac<Sha256> as Mac>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data.as_bytes());
            mac.finalize()
                .into_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect()
        }
        Err(_) => String::new(),
    }
}

/// The categories statistics are kept by (anything else counts as `other`).
/// The setting that holds the contribution counts statistics are served from.
const PUBLISHED_STATISTICS: &str = "published-statistics";

/// The categories of the incident form.
pub const CATEGORIES: [&str; 10] = [
    "ransomware",
    "phishing",
    "ddos",
    "intrusion",
    "malware",
    "data-leak",
    "supply-chain",
    "vulnerability",
    "fraud",
    "other",
];

/// 409 while a submission is being released.
fn busy() -> Error {
    Error::said(ErrorKind::Conflict, "submission.busy", &[])
}

fn bad(key: &'static str, args: &[(&'static str, &dyn std::fmt::Display)]) -> Error {
    Error::said(ErrorKind::BadRequest, key, args)
}

/// A refusal from the concealment's review rules (their own wording names
/// ids and JSON paths, quoted as the detail).
fn refused_edit(detail: String) -> Error {
    Error::said(
        ErrorKind::Unprocessable,
        "review.edit_refused",
        &[("detail", &detail)],
    )
}

/// An audit draft with no actor: concealed work must not name who asked.
pub(crate) fn anonymous(action: &str, target: &str, detail: Value) -> AuditDraft {
    AuditDraft {
        actor_org: String::new(),
        actor_token: String::new(),
        action: action.to_owned(),
        target: target.to_owned(),
        detail,
    }
}

/// The STIX pattern for an observed value, guessed from its shape.
pub(crate) fn pattern_for(value: &str) -> Option<String> {
    let v = value.trim();
    let quoted = v.replace('\\', "\\\\").replace('\'', "\\'");
    let p = if v.parse::<std::net::Ipv4Addr>().is_ok() {
        format!("[ipv4-addr:value = '{quoted}']")
    } else if v.parse::<std::net::Ipv6Addr>().is_ok() {
        format!("[ipv6-addr:value = '{quoted}']")
    } else if v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()) {
        format!("[file:hashes.'SHA-256' = '{}']", v.to_ascii_lowercase())
    } else if v.contains("://") {
        format!("[url:value = '{quoted}']")
    } else if v.contains('@') {
        format!("[email-addr:value = '{quoted}']")
    } else if v.contains('.') && !v.contains(char::is_whitespace) {
        format!("[domain-name:value = '{quoted}']")
    } else {
        return None;
    };
    Some(p)
}

/// The form as STIX: an incident, an indicator per value, and the links.
fn form_to_stix(form: &IncidentForm) -> Result<Vec<Value>, Error> {
    if let Some(c) = form.category.as_deref().filter(|c| !CATEGORIES.contains(c)) {
        return Err(bad(
            "submit.category",
            &[("category", &c), ("known", &CATEGORIES.join(", "))],
        ));
    }
    if form.title.trim().is_empty() {
        return Err(bad("submit.title", &[]));
    }
    let now = kyoyu_stix::Timestamp::from_unix(now_micros() / 1_000_000, 0, 3).to_string();
    let incident = format!("incident--{}", uuid::Uuid::new_v4());
    let mut out = vec![json!({
        "type": "incident", "spec_version": "2.1", "id": incident, "created": now, "modified": now,
        "name": form.title, "description": form.description,
    })];
    for value in &form.indicators {
        let pattern =
            pattern_for(value).ok_or_else(|| bad("submit.indicator", &[("value", value)]))?;
        let id = format!("indicator--{}", uuid::Uuid::new_v4());
        out.push(json!({
            "type": "indicator", "spec_version": "2.1", "id": id, "created": now, "modified": now,
            "name": format!("Observed in: {}", form.title), "pattern_type": "stix",
            "pattern": pattern, "valid_from": now, "indicator_types": ["malicious-activity"],
        }));
        out.push(json!({
            "type": "relationship", "spec_version": "2.1", "id": format!("relationship--{}", uuid::Uuid::new_v4()),
            "created": now, "modified": now, "relationship_type": "indicates",
            "source_ref": id, "target_ref": incident,
        }));
    }
    Ok(out)
}

/// Validates every object; the first problems, said plainly, else nothing.
/// Incoming objects with every identifier in canonical (lower-case) form,
/// then validated: see [`check_objects`].
fn admit_objects(objects: &mut [Value]) -> Result<(), Error> {
    for o in objects.iter_mut() {
        kyoyu_stix::id::canonicalize_ids(o);
    }
    check_objects(objects)
}

fn check_objects(objects: &[Value]) -> Result<(), Error> {
    let mut problems = Vec::new();
    for o in objects {
        let report = kyoyu_validate::validate_object(o, &kyoyu_validate::Options::default());
        if let Some(first) = report.errors().next() {
            problems.push(format!(
                "{}: {first}",
                o.get("id").and_then(Value::as_str).unwrap_or("(no id)")
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(bad(
            "submit.invalid_stix",
            &[
                ("count", &problems.len()),
                (
                    "detail",
                    &problems.into_iter().take(5).collect::<Vec<_>>().join("; "),
                ),
            ],
        ))
    }
}

impl<S: Store> Hub<S> {
    /// The STIX identity released content is attributed to in `community`.
    async fn creator(&self, community: &str) -> Result<String, Error> {
        if self.config.conceal.ceptoar_creator {
            let dir = self.directory();
            let ceptoar = dir.members(community).find(|(o, r)| {
                *r == MemberRole::CommunityAdmin
                    && dir.org(o).is_some_and(|o| o.kind == OrgKind::Ceptoar)
            });
            if let Some((org, _)) = ceptoar {
                return Ok(org_identity(org));
            }
        }
        let identity = self
            .store
            .setting(crate::HUB_IDENTITY)
            .await?
            .unwrap_or_default();
        Ok(serde_json::from_str::<Value>(&identity)
            .ok()
            .and_then(|v| v.get("id").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default())
    }

    /// What a submission would release: checked, concealed, marked and
    /// validated, nothing kept. Shared by [`Self::submit`] and [`Self::preview`].
    async fn prepare(
        &self,
        who: &Caller,
        req: &SubmitRequest,
    ) -> Result<
        (
            kyoyu_trust::Org,
            Option<Tlp>,
            Vec<Value>,
            kyoyu_conceal::Concealed,
        ),
        Error,
    > {
        let cfg = &self.config.conceal;
        if self.collection_of(&req.community).is_none() {
            return Err(Error::said(
                ErrorKind::NotFound,
                "community.unknown",
                &[("community", &req.community)],
            ));
        }
        let view = who.view(&req.community);
        if !view.can_write() {
            return Err(Error::said(
                ErrorKind::Forbidden,
                "submit.may_not",
                &[("community", &req.community)],
            ));
        }
        let dir = self.directory();
        let org = dir
            .org(&who.principal.org)
            .cloned()
            .ok_or_else(|| Error::said(ErrorKind::Forbidden, "submit.org_unregistered", &[]))?;
        let tlp = match req.tlp.as_deref() {
            None => None,
            Some(t) => match Tlp::parse(t) {
                Some(Tlp::Red) | None => {
                    return Err(bad("submit.tlp_concealed", &[("tlp", &t)]));
                }
                Some(l) => Some(l),
            },
        };
        for r in &req.attribute_to {
            if dir.org(r).is_none() {
                return Err(bad("submit.attribute_to", &[("org", r)]));
            }
        }
        let objects = match (&req.form, req.objects.is_empty()) {
            (Some(form), true) => form_to_stix(form)?,
            (None, false) => req.objects.clone(),
            (Some(_), false) => return Err(bad("submit.both", &[])),
            (None, true) => {
                return Err(bad("submit.nothing", &[]));
            }
        };
        let mut objects = objects;
        admit_objects(&mut objects)?;
        let creator = self.creator(&req.community).await?;
        let profile = self.profile(&org, &req.community, &objects).await?;
        let mut concealed = conceal(&objects, &profile, &creator, &cfg.stages);
        if let Some(level) = tlp {
            for o in &mut concealed.objects {
                if o.get("type").and_then(Value::as_str) != Some("marking-definition")
                    && let Some(m) = o.as_object_mut()
                {
                    m.insert("object_marking_refs".into(), json!([level.marking_id()]));
                }
            }
        }
        check_objects(&concealed.objects).map_err(|e| {
            let mut said = vec![Said::new("submit.invalid_after_concealment", &[])];
            said.extend(e.said);
            Error::said_all(ErrorKind::Unprocessable, said)
        })?;
        if concealed.objects.is_empty() {
            return Err(Error::said(
                ErrorKind::Unprocessable,
                "submit.nothing_left",
                &[],
            ));
        }
        Ok((org, tlp, objects, concealed))
    }

    /// Shares under the caller's organization's name (the console's submit
    /// form with "conceal my organization" unticked): STIX objects, or the
    /// incident form made into them, marked at `tlp` when given, posted to
    /// the community's collection as any TAXII client would. Returns how
    /// many were stored and why others were refused.
    pub async fn share_attributed(
        &self,
        who: &Caller,
        community: &str,
        objects: Vec<Value>,
        form: Option<IncidentForm>,
        tlp: Option<String>,
    ) -> Result<(u64, Vec<String>), Error> {
        let mut objects = match form {
            Some(f) if objects.is_empty() => form_to_stix(&f)?,
            _ => objects,
        };
        if objects.is_empty() {
            return Err(bad("submit.nothing", &[]));
        }
        if let Some(name) = tlp.as_deref() {
            let level = Tlp::parse(name).ok_or_else(|| bad("submit.tlp", &[("tlp", &name)]))?;
            for o in &mut objects {
                if o.get("type").and_then(Value::as_str) != Some("marking-definition")
                    && let Some(m) = o.as_object_mut()
                {
                    m.insert("object_marking_refs".into(), json!([level.marking_id()]));
                }
            }
        }
        let texts: Vec<Box<serde_json::value::RawValue>> = objects
            .iter()
            .map(|o| serde_json::value::RawValue::from_string(o.to_string()))
            .collect::<Result<_, _>>()
            .map_err(|e| Error::internal(format!("an object could not be written: {e}")))?;
        let envelope = crate::ingest::Envelope {
            objects: Some(texts.iter().map(AsRef::as_ref).collect()),
            recipients: Vec::new(),
            suppliers: false,
            tlp: None,
            urgent: false,
        };
        match self
            .post(who, crate::DEFAULT_ROOT, community, envelope)
            .await?
        {
            crate::ingest::Posted::Stored(status) => Ok((
                status.successes.len() as u64,
                status
                    .failures
                    .iter()
                    .map(|f| format!("{}: {}", f.id, f.message.clone().unwrap_or_default()))
                    .collect(),
            )),
            crate::ingest::Posted::Concealed(..) => Err(bad("submit.concealed_only", &[])),
        }
    }

    /// What would be released, without submitting: the objects as another
    /// member would read them if the reviewer keeps no doubt, the doubts,
    /// and the redactions. Nothing is stored and nothing is audited.
    pub async fn preview(&self, who: &Caller, req: SubmitRequest) -> Result<Value, Error> {
        let (_, _, _, concealed) = self.prepare(who, &req).await?;
        let mut objects = concealed.objects.clone();
        kyoyu_conceal::review::withhold_doubts(&mut objects, &concealed.doubts, &[])
            .map_err(refused_edit)?;
        Ok(json!({
            "objects": objects,
            "doubts": concealed.doubts,
            "redactions": concealed.redactions,
            "dropped": concealed.dropped,
        }))
    }

    /// Receives a concealed submission; answers with the receipt.
    pub async fn submit(&self, who: &Caller, req: SubmitRequest) -> Result<Submitted, Error> {
        let cfg = &self.config.conceal;
        let (org, tlp, objects, mut concealed) = self.prepare(who, &req).await?;
        let receipt = kyoyu_conceal::receipt::new_receipt();
        let now = now_micros();
        let id = uuid::Uuid::new_v4().to_string();
        let sealed = cfg.escrow.and_then(|pk| {
            let provenance = json!({"org": org.id, "submission": id, "received": now});
            kyoyu_conceal::seal::seal(pk, &id, provenance.to_string().as_bytes())
        });
        let sealed_mac = sealed.as_ref().map(|b| cfg.local_key.mac(&[&id, b]));
        let category = req
            .form
            .as_ref()
            .and_then(|f| f.category.clone())
            .or_else(|| {
                concealed.objects.iter().find_map(|o| {
                    let t = o.get("type").and_then(Value::as_str)?;
                    matches!(
                        t,
                        "incident" | "malware" | "attack-pattern" | "campaign" | "indicator"
                    )
                    .then(|| t.to_owned())
                })
            })
            .unwrap_or_else(|| "other".into());
        let category = if CATEGORIES.contains(&category.as_str()) {
            category
        } else {
            "other".to_owned()
        };
        let doubts: Vec<Value> = concealed.doubts.iter().map(|d| json!(d)).collect();
        // Statistics buckets, each with the organization's tag for that
        // statistic (the same across its submissions and the statistic's
        // values, so figures count organizations); sealed on the row.
        let sector = org.sectors.first().map_or("none", String::as_str);
        let tags: Vec<(String, String)> = [
            ("sector", sector.to_owned()),
            ("week", iso_week(now)),
            ("category", category),
        ]
        .into_iter()
        .map(|(stat, value)| {
            (
                format!("{}|{stat}:{value}", req.community),
                cfg.local_key.tag(&org.id, stat),
            )
        })
        .collect();
        let state = if self.needs_review(&req.community, !doubts.is_empty()) {
            State::Review
        } else {
            State::Held
        };
        // No reviewer will see it (review switched off): every doubt is
        // withheld, exactly as the preview showed.
        let doubts = if state == State::Held && !concealed.doubts.is_empty() {
            kyoyu_conceal::review::withhold_doubts(&mut concealed.objects, &concealed.doubts, &[])
                .map_err(refused_edit)?;
            Vec::new()
        } else {
            doubts
        };
        let sub = Submission {
            id: id.clone(),
            community: req.community.clone(),
            state: state.name().into(),
            rev: 0,
            tlp: tlp.map(|t| t.name().to_owned()),
            urgent: req.urgent,
            received: Some(now),
            released: None,
            objects: concealed.objects,
            doubts,
            redactions: json!(concealed.redactions),
            receipt_hash: self.token_key.hash_hex(&receipt),
            id_map: concealed
                .id_map
                .iter()
                .map(|(orig, new)| (keyed_hex(receipt.as_bytes(), orig), new.clone()))
                .collect(),
            sealed,
            sealed_mac,
            sealed_tags: cfg.local_key.seal(json!(tags).to_string().as_bytes(), &id),
            sealed_sender: cfg.local_key.seal(org.id.as_bytes(), &id),
            counted: false,
            note: None,
            attributed: if req.attribute_to.is_empty() {
                Vec::new()
            } else {
                objects
                    .iter()
                    .filter_map(|o| o.get("id").and_then(Value::as_str).map(str::to_owned))
                    .chain(std::iter::once(org_identity(&org.id)))
                    .collect()
            },
            released_ids: Vec::new(),
        };
        // No audit entry now: its time would sit beside the sender's other
        // audited activity. The release batch records the submission.
        // The attributed copy first: if it fails, nothing was kept and no
        // receipt is lost.
        if !req.attribute_to.is_empty() {
            self.attributed_copy(who, &req.community, &objects, &req.attribute_to)
                .await?;
        }
        self.store.insert_submission(sub.clone()).await?;
        if state == State::Held
            && (req.urgent || cfg.batching.is_none())
            && let Err(e) = self.release(&req.community, vec![sub.clone()]).await
        {
            // Kept and held: the release job tries again; the sender keeps its receipt.
            tracing::warn!(error = %e.description, "an urgent release waits for the release job");
        }
        let state = self
            .store
            .submission(&id)
            .await?
            .map_or(sub.state, |s| s.state);
        Ok(Submitted {
            receipt,
            submission: id,
            state,
            redactions: json!(concealed.redactions),
            doubts: sub.doubts.len(),
            dropped: concealed.dropped,
        })
    }

    /// With the submitter's consent, the original goes to named recipients
    /// only (TLP:RED to them), attributed, like any other content it posts.
    async fn attributed_copy(
        &self,
        who: &Caller,
        community: &str,
        objects: &[Value],
        to: &[String],
    ) -> Result<(), Error> {
        let Some(col) = self.collection_of(community) else {
            return Err(bad("community.no_collection", &[("community", &community)]));
        };
        // Attributed means named: the sender's identity goes with the copy,
        // and each domain object says it created it.
        let sender = who.principal.org.clone();
        let identity_id = org_identity(&sender);
        let name = who
            .directory()
            .org(&sender)
            .map_or_else(|| sender.clone(), |o| o.name.clone());
        let now =
            kyoyu_stix::Timestamp::from_unix(now_micros().div_euclid(1_000_000), 0, 3).to_string();
        let identity = json!({
            "type": "identity", "spec_version": "2.1", "id": identity_id,
            "created": now, "modified": now, "name": name, "identity_class": "organization",
        });
        let versions: Vec<_> = std::iter::once(&identity)
            .chain(objects.iter().filter(|o| {
                o.get("type").and_then(Value::as_str) != Some("identity")
                    || o.get("id").and_then(Value::as_str) != Some(identity_id.as_str())
            }))
            .map(|o| {
                let mut o = o.clone();
                let ty = o
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let is_sco = kyoyu_stix::id::id_contributing_properties(&ty).is_some();
                if let Some(m) = o.as_object_mut() {
                    m.insert("object_marking_refs".into(), json!([Tlp::Red.marking_id()]));
                    m.insert(kyoyu_trust::policy::RECIPIENTS_PROPERTY.into(), json!(to));
                    if !is_sco && ty != "marking-definition" && ty != "identity" {
                        m.insert("created_by_ref".into(), json!(identity_id));
                    }
                }
                let text = o.to_string();
                new_version(&o, text, &[])
            })
            .collect();
        let audit = who.audit(
            "submission.attributed-copy",
            &col.id,
            json!({"recipients": to, "objects": versions.len()}),
        );
        self.store
            .add_versions(&col.id, versions, now_micros(), &who.principal.org, audit)
            .await?;
        self.indexing.stored();
        Ok(())
    }

    /// Publishes a batch of held submissions for one community, shuffled,
    /// as the hub's content. Safe to repeat: each submission is claimed
    /// first (held → releasing, compare-and-set), re-adding the same
    /// versions changes nothing, and the publish transition (releasing →
    /// released) counts it in the statistics once.
    pub(crate) async fn release(
        &self,
        community: &str,
        batch: Vec<Submission>,
    ) -> Result<(), Error> {
        let Some(col) = self.collection_of(community) else {
            return Ok(());
        };
        let mut claimed = Vec::new();
        for s in batch {
            // The stored document, not the listed one: an update may have come in between.
            let Some(fresh) = self.store.submission(&s.id).await? else {
                continue;
            };
            let fresh = match State::parse(&fresh.state) {
                Some(State::Releasing) => fresh,
                Some(State::Held) => {
                    match self
                        .transition(&fresh, Transition::Claim, fresh.clone(), Vec::new(), None)
                        .await
                    {
                        Ok(claimed) => claimed,
                        // Someone else acted on it first: it is theirs now.
                        Err(e) if e.kind == ErrorKind::Conflict => continue,
                        Err(e) => return Err(e),
                    }
                }
                _ => continue,
            };
            let mut out = fresh.clone();
            apply_tlp(&mut out);
            claimed.push((fresh, out));
        }
        if claimed.is_empty() {
            return Ok(());
        }
        let mut versions: Vec<_> = claimed
            .iter()
            .flat_map(|(_, s)| s.objects.iter())
            .map(|o| new_version(o, o.to_string(), &[]))
            .collect();
        kyoyu_conceal::release::shuffle(&mut versions);
        let now = now_micros();
        let audit = AuditDraft {
            actor_org: HUB_ORG.into(),
            actor_token: "release".into(),
            action: "submissions.release".into(),
            target: col.id.clone(),
            detail: json!({
                "community": community,
                "submissions": claimed.iter().map(|(s, _)| s.id.as_str()).collect::<Vec<_>>(),
                "objects": versions.len(),
            }),
        };
        self.store
            .add_versions(&col.id, versions, now, HUB_ORG, audit)
            .await?;
        self.indexing.stored();
        for (read, mut s) in claimed {
            let counts = if s.counted {
                Vec::new()
            } else {
                self.opened_tags(&s, 1)
            };
            s.counted = true;
            s.released = Some(now);
            s.received = None;
            // Every id ever released, so a withdrawal after updates takes all of them back.
            remember_released(&mut s);
            if let Err(e) = self
                .transition(&read, Transition::Publish, s, counts, None)
                .await
            {
                tracing::warn!(error = %e.description, "a released submission could not be marked released; the release job retries");
            }
        }
        // The rows no longer say when the reports arrived; neither may the log.
        if let Err(e) = self.store.forget_old_versions().await {
            tracing::warn!(error = %e, "the database's old row versions could not be erased after a release");
        }
        // Without batching every release is its own batch.
        if self.config.conceal.batching.is_none() {
            self.publish_statistics().await?;
        }
        Ok(())
    }

    /// The submission's contributor tags with `delta` each (none when its
    /// seal does not open: logged, never guessed).
    fn opened_tags(&self, s: &Submission, delta: i64) -> Vec<(String, String, i64)> {
        let opened = s
            .sealed_tags
            .as_deref()
            .and_then(|t| self.config.conceal.local_key.open(t, &s.id))
            .and_then(|b| serde_json::from_slice::<Vec<(String, String)>>(&b).ok());
        match opened {
            Some(tags) => tags.into_iter().map(|(b, t)| (b, t, delta)).collect(),
            None => {
                tracing::error!(submission = %s.id, "the contributor tags of a submission do not open with this hub's local key; it is not counted");
                Vec::new()
            }
        }
    }

    /// The sending organization of a submission, from its seal.
    fn sender_of(&self, s: &Submission) -> Option<String> {
        let bytes = self
            .config
            .conceal
            .local_key
            .open(s.sealed_sender.as_deref()?, &s.id)?;
        String::from_utf8(bytes).ok()
    }

    /// Applies a workflow transition to `read` (the submission as read):
    /// the state machine says where it goes; `new` is written with that
    /// state and the next revision, its contribution counts and audit
    /// entry, in one transaction, only if nobody changed it meanwhile.
    async fn transition(
        &self,
        read: &Submission,
        t: Transition,
        mut new: Submission,
        contributions: Vec<(String, String, i64)>,
        audit: Option<AuditDraft>,
    ) -> Result<Submission, Error> {
        let from = State::parse(&read.state).ok_or_else(|| {
            Error::said(
                ErrorKind::Conflict,
                "submission.unknown_state",
                &[("id", &read.id), ("state", &read.state)],
            )
        })?;
        let to = workflow::next(from, t).map_err(|r| match r {
            Refusal::Busy => busy(),
            Refusal::NotNow => Error::said(
                ErrorKind::Conflict,
                "submission.not_now",
                &[("state", &from.name()), ("action", &done_word(t))],
            ),
        })?;
        to.name().clone_into(&mut new.state);
        new.rev = read.rev + 1;
        let applied = self
            .store
            .transition_submission(
                new.clone(),
                (&read.state, read.rev),
                contributions,
                audit,
                now_micros(),
            )
            .await?;
        if applied {
            Ok(new)
        } else {
            Err(Error::said(
                ErrorKind::Conflict,
                "submission.changed_meanwhile",
                &[],
            ))
        }
    }

    /// Deletes what interrupted withdrawals left (called at start and once a
    /// minute: withdrawn submissions only accumulate, so they are not read
    /// every second).
    pub(crate) async fn finish_withdrawals(&self) -> Result<(), Error> {
        for s in self
            .store
            .submissions(Some(State::Withdrawn.name()))
            .await?
        {
            if !s.released_ids.is_empty() || !s.attributed.is_empty() {
                self.take_back(s).await?;
            }
        }
        Ok(())
    }

    /// Releases whatever batches are due (called every second) and finishes
    /// interrupted releases.
    pub(crate) async fn release_due(&self) -> Result<(), Error> {
        let now = now_micros();
        let mut by_community: BTreeMap<String, Vec<Submission>> = BTreeMap::new();
        for s in self.store.submissions(Some(State::Held.name())).await? {
            by_community.entry(s.community.clone()).or_default().push(s);
        }
        // Interrupted releases finish (adding again is harmless).
        for s in self
            .store
            .submissions(Some(State::Releasing.name()))
            .await?
        {
            let community = s.community.clone();
            self.release(&community, vec![s]).await?;
        }
        for (community, held) in by_community {
            // Urgent ones go alone: they must not pull others out of their batch.
            let (urgent, waiting): (Vec<_>, Vec<_>) = held.into_iter().partition(|s| s.urgent);
            let since: Vec<i64> = waiting.iter().filter_map(|s| s.received).collect();
            // The oldest waiting report's keyed hash: the same at every check.
            let oldest = waiting
                .iter()
                .filter_map(|s| s.received.map(|r| (r, s.id.as_str())))
                .min();
            let random = oldest.map_or(0, |(_, id)| {
                let mac = self.config.conceal.local_key.mac(&["release-jitter", id]);
                u64::from_str_radix(mac.get(..15).unwrap_or("0"), 16).unwrap_or(0)
            });
            for u in urgent {
                self.release(&community, vec![u]).await?;
            }
            // Distinct senders among the waiting: one week tag per organization.
            let senders = waiting
                .iter()
                .flat_map(|s| self.opened_tags(s, 1))
                .filter(|(b, _, _)| b.contains("|week:"))
                .map(|(_, t, _)| t)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            let due = match self.config.conceal.batching {
                Some(b) => b.due(&since, senders, now, b.jitter(random)),
                None => true,
            };
            if due && !waiting.is_empty() {
                self.release(&community, waiting).await?;
                self.publish_statistics().await?;
            }
        }
        Ok(())
    }

    /// What identifies `org` in a submission to `community`: its recorded
    /// data, and which of the outside objects the submission refers to it
    /// published there under its own name (references to them would point back).
    async fn profile(
        &self,
        org: &kyoyu_trust::Org,
        community: &str,
        objects: &[Value],
    ) -> Result<Profile, Error> {
        let external = kyoyu_conceal::identity::external_refs(objects);
        let mut own = Vec::new();
        if let Some(col) = self.collection_of(community) {
            let rows = self
                .rows_for_check(&col.id, external, all_versions(), Vec::new())
                .await?;
            own.extend(
                rows.into_iter()
                    .filter(|v| v.author == org.id)
                    .map(|v| v.id),
            );
        }
        Ok(Profile::of(org).with_own_objects(own))
    }

    async fn by_receipt(&self, receipt: &str) -> Result<Submission, Error> {
        let not_found = || Error::said(ErrorKind::NotFound, "receipt.unknown", &[]);
        if !kyoyu_conceal::receipt::looks_like_receipt(receipt) {
            return Err(not_found());
        }
        self.store
            .submission_by_receipt(&self.token_key.hash_hex(receipt))
            .await?
            .ok_or_else(not_found)
    }
}

/// Marks every object with the TLP level the sender asked for (at release,
/// so updates and reviewers' edits keep it).
fn apply_tlp(s: &mut Submission) {
    let Some(level) = s.tlp.as_deref().and_then(Tlp::parse) else {
        return;
    };
    for o in &mut s.objects {
        // A reviewer may have marked an object stricter than the sender
        // asked (it could not be redacted): the stricter level stays.
        let own = kyoyu_trust::policy::marking_of(o, &[]).0;
        let level = own.map_or(level, |t| t.max(level));
        if o.get("type").and_then(Value::as_str) != Some("marking-definition")
            && let Some(m) = o.as_object_mut()
        {
            m.insert("object_marking_refs".into(), json!([level.marking_id()]));
            m.remove(kyoyu_trust::policy::RECIPIENTS_PROPERTY);
        }
    }
}

/// The deterministic STIX identity id of an organization.
pub(crate) fn org_identity(org: &str) -> String {
    let ns = uuid::Uuid::from_u128(0x6b79_6f79_7500_4000_8000_6f72_6700_0000);
    format!("identity--{}", uuid::Uuid::new_v5(&ns, org.as_bytes()))
}

/// The TLP a held submission will be released at, as the policy reads it.
fn release_level(s: &Submission) -> Option<Tlp> {
    s.tlp.as_deref().and_then(Tlp::parse)
}

impl<S: Store> Hub<S> {
    /// A concealed submission posted over TAXII (to a `submit-` collection):
    /// the status is `pending` until the release and lists the ids the
    /// objects will have.
    pub(crate) async fn submit_envelope(
        &self,
        who: &Caller,
        c: &Collection,
        objects: &[&RawValue],
        tlp: Option<String>,
        urgent: bool,
    ) -> Result<(Status, Submitted), Error> {
        let parsed = objects
            .iter()
            .map(|r| serde_json::from_str::<Value>(r.get()))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad("submit.not_json", &[("detail", &e)]))?;
        let request_timestamp = now_micros();
        let req = SubmitRequest {
            community: crate::community_of(c).to_owned(),
            objects: parsed,
            tlp,
            urgent,
            ..Default::default()
        };
        let out = self.submit(who, req).await?;
        let released = out.state == State::Released.name();
        let details: Vec<StatusDetail> = self
            .store
            .submission(&out.submission)
            .await?
            .map(|s| s.objects)
            .unwrap_or_default()
            .iter()
            .map(|o| StatusDetail {
                id: o
                    .get("id")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                version: o.get("modified").and_then(Value::as_str).map(str::to_owned),
                message: None,
            })
            .collect();
        // Counts are of what will be published: concealment drops the reporter's identities.
        let status = Status {
            id: out.submission.clone(),
            api_root: c.api_root.clone(),
            status: if released { "complete" } else { "pending" }.into(),
            request_timestamp,
            total_count: details.len() as u64,
            successes: if released {
                details.clone()
            } else {
                Vec::new()
            },
            failures: Vec::new(),
            pendings: if released { Vec::new() } else { details },
            owner: String::new(),
        };
        Ok((status, out))
    }

    /// Whether the caller may review this submission and see its content:
    /// [`may_review`] for the community, and [`kyoyu_trust::View::may_read`]
    /// at the level it will be released at (as the hub's content, to the
    /// whole community).
    /// Whether a submission waits for a reviewer: with review on, every
    /// one does, unless its community lets those without doubts go.
    fn needs_review(&self, community: &str, doubtful: bool) -> bool {
        self.config.conceal.review
            && (doubtful
                || !self
                    .directory()
                    .community(community)
                    .is_some_and(|c| c.release_without_review))
    }

    fn may_see_review(&self, who: &Caller, s: &Submission) -> bool {
        may_review(who.directory(), &who.principal, &s.community)
            && who.view(&s.community).may_read(&Access {
                tlp: release_level(s),
                recipients: &[],
                author: HUB_ORG,
            })
    }

    /// The submissions waiting for review that the caller may review.
    pub async fn reviews(&self, who: &Caller, community: Option<&str>) -> Result<Value, Error> {
        let list: Vec<Value> = self
            .store
            .submissions(Some(State::Review.name()))
            .await?
            .into_iter()
            .filter(|s| community.is_none_or(|c| c == s.community))
            .filter(|s| self.may_see_review(who, s))
            .map(|s| json!({"submission": s.id, "rev": s.rev, "community": s.community, "doubts": s.doubts, "objects": s.objects}))
            .collect();
        Ok(json!({ "reviews": list }))
    }

    /// A submission waiting for review that the caller may review (404 for
    /// one it may not: whether it exists is not said).
    async fn reviewable(&self, who: &Caller, id: &str) -> Result<Submission, Error> {
        if who.principal.read_only {
            return Err(Error::said(ErrorKind::Forbidden, "review.read_only", &[]));
        }
        self.store
            .submission(id)
            .await?
            .filter(|s| s.state == State::Review.name() && self.may_see_review(who, s))
            .ok_or_else(|| Error::said(ErrorKind::NotFound, "review.unknown", &[("id", &id)]))
    }

    /// A reviewer lets a submission go to the next batch (or at once when
    /// urgent). Every doubt not in `keep` (numbers as listed, from 1) is
    /// withheld: its text becomes `[redacted]`. The numbers name the doubts
    /// of version `rev`, which keeping any requires (a submission edited
    /// since it was read is refused, not approved with other doubts kept).
    pub async fn approve(
        &self,
        who: &Caller,
        id: &str,
        keep: &[usize],
        rev: Option<i64>,
    ) -> Result<Value, Error> {
        let read = self.reviewable(who, id).await?;
        match rev {
            None if !keep.is_empty() => {
                return Err(Error::said(
                    ErrorKind::Unprocessable,
                    "review.keep_needs_rev",
                    &[("rev", &read.rev)],
                ));
            }
            Some(r) if r != read.rev => {
                return Err(Error::said(
                    ErrorKind::Conflict,
                    "review.stale",
                    &[("id", &id), ("read", &r), ("rev", &read.rev)],
                ));
            }
            _ => {}
        }
        let mut s = read.clone();
        // A stored doubt that cannot be read cannot be withheld: refuse
        // rather than release it.
        let doubts: Vec<kyoyu_conceal::Doubt> = s
            .doubts
            .iter()
            .map(|d| serde_json::from_value(d.clone()))
            .collect::<Result<_, _>>()
            .map_err(|e| {
                Error::said(
                    ErrorKind::Unprocessable,
                    "review.doubt_unreadable",
                    &[("id", &id), ("detail", &e)],
                )
            })?;
        let withheld = kyoyu_conceal::review::withhold_doubts(&mut s.objects, &doubts, keep)
            .map_err(|e| {
                Error::said(
                    ErrorKind::BadRequest,
                    "review.keep_refused",
                    &[("detail", &e)],
                )
            })?;
        check_objects(&s.objects).map_err(|e| {
            let mut said = vec![Said::new("review.withheld_invalid", &[])];
            said.extend(e.said);
            Error::said_all(ErrorKind::Unprocessable, said)
        })?;
        s.doubts.clear();
        let audit = who.audit(
            "submission.approve",
            id,
            json!({"community": s.community, "kept": keep, "rev": read.rev, "withheld": withheld}),
        );
        let s = self
            .transition(&read, Transition::Approve, s, Vec::new(), Some(audit))
            .await?;
        if s.urgent || self.config.conceal.batching.is_none() {
            let community = s.community.clone();
            self.release(&community, vec![s]).await?;
        }
        Ok(json!({"submission": id, "state": "approved"}))
    }

    /// A reviewer's edited version replaces the submission's objects: it
    /// may only redact the held version (`kyoyu_conceal::review`); it is
    /// scrubbed again by the generic detectors (the reviewer does not know
    /// the source), validated, and held for release.
    pub async fn edit(&self, who: &Caller, id: &str, objects: Vec<Value>) -> Result<Value, Error> {
        let read = self.reviewable(who, id).await?;
        let mut objects = objects;
        admit_objects(&mut objects)?;
        // Redactions only: never a lower marking, other recipients, or an
        // object that is not this submission's.
        let unmarked = release_level(&read)
            .or_else(|| {
                who.directory()
                    .community(&read.community)
                    .map(|c| c.default_tlp)
            })
            .unwrap_or(Tlp::Red);
        kyoyu_conceal::review::check_edit(&read.objects, &objects, unmarked)
            .map_err(refused_edit)?;
        let stages = Stages {
            identity: false,
            ..self.config.conceal.stages
        };
        let creator = self.creator(&read.community).await?;
        let mut again = conceal(&objects, &Profile::default(), &creator, &stages);
        for o in &mut again.objects {
            if let Some(m) = o.as_object_mut() {
                // Who sees it is the sender's TLP, not a reviewer's list.
                m.remove(kyoyu_trust::policy::RECIPIENTS_PROPERTY);
            }
        }
        // Doubts the detectors still find in the edited version are
        // withheld (to keep one, approve with `keep` instead of editing).
        kyoyu_conceal::review::withhold_doubts(&mut again.objects, &again.doubts, &[])
            .map_err(refused_edit)?;
        check_objects(&again.objects)?;
        let mut s = read.clone();
        s.objects = again.objects;
        s.doubts.clear();
        let audit = who.audit(
            "submission.edit",
            id,
            json!({"community": s.community, "objects": s.objects.len()}),
        );
        let s = self
            .transition(&read, Transition::Edit, s, Vec::new(), Some(audit))
            .await?;
        Ok(json!({"submission": id, "state": s.state}))
    }

    /// A reviewer refuses a submission; its content is erased.
    pub async fn reject(&self, who: &Caller, id: &str, reason: String) -> Result<Value, Error> {
        let read = self.reviewable(who, id).await?;
        let mut s = read.clone();
        s.note = Some(reason.clone());
        s.objects.clear();
        s.id_map.clear();
        let audit = who.audit(
            "submission.reject",
            id,
            json!({"community": s.community, "reason": reason}),
        );
        let s = self
            .transition(&read, Transition::Reject, s, Vec::new(), Some(audit))
            .await?;
        Ok(json!({"submission": id, "state": s.state}))
    }

    /// What a receipt holder may see: the state, the released ids, and the
    /// sightings and feedback (notes, opinions) on them it may read.
    pub async fn receipt_status(&self, who: &Caller, receipt: &str) -> Result<Value, Error> {
        let s = self.by_receipt(receipt).await?;
        let released: Vec<String> = s
            .objects
            .iter()
            .filter_map(|o| o.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let (mut sightings, mut feedback) = (Vec::new(), Vec::new());
        if s.state == State::Released.name()
            && let Some(col) = self.collection_of(&s.community)
        {
            (sightings, feedback) = self.feedback_on(who, &col, &released).await?;
        }
        Ok(json!({
            "submission": s.id, "community": s.community, "state": s.state,
            "released": s.released.map(format_micros),
            "objects": released, "doubts": s.doubts.len(), "note": s.note,
            "sightings": sightings, "feedback": feedback,
        }))
    }

    /// Withdraws a submission: released objects leave the collection (TAXII
    /// DELETE semantics), and it no longer counts in statistics. The
    /// withdrawal is one transition (compare-and-set, with its audit entry
    /// and the sender's counts); the deletions follow, and the release job
    /// finishes them if the hub stops in between.
    pub async fn withdraw(&self, who: &Caller, receipt: &str) -> Result<Value, Error> {
        let read = self.by_receipt(receipt).await?;
        if who.principal.read_only {
            return Err(Error::said(ErrorKind::Forbidden, "receipt.read_only", &[]));
        }
        if read.state == State::Withdrawn.name() {
            return Ok(json!({"submission": read.id, "state": "withdrawn"}));
        }
        let mut s = read.clone();
        // Every id released for it (across updates); the attributed copy's
        // ids stay in `attributed`. Both lists are what is left to delete.
        if read.state == State::Released.name() {
            remember_released(&mut s);
        }
        // Out of the statistics: the sender's counts, if they were counted.
        let less = if read.counted {
            self.opened_tags(&read, -1)
        } else {
            Vec::new()
        };
        s.counted = false;
        s.objects.clear();
        s.doubts.clear();
        s.id_map.clear();
        let audit = anonymous(
            "submission.withdrawn",
            &s.id,
            json!({"community": s.community}),
        );
        let s = self
            .transition(&read, Transition::Withdraw, s, less, Some(audit))
            .await?;
        let id = s.id.clone();
        self.take_back(s).await?;
        Ok(json!({"submission": id, "state": "withdrawn"}))
    }

    /// Deletes what a withdrawn submission left in its collection: the ids
    /// it released (except observables other released submissions share:
    /// the same attacker address) if the hub wrote them, and the attributed
    /// copy if its sender wrote it; then clears the lists.
    async fn take_back(&self, s: Submission) -> Result<(), Error> {
        let shared: std::collections::HashSet<String> = self
            .store
            .submissions(Some(State::Released.name()))
            .await?
            .iter()
            .filter(|other| other.id != s.id && other.community == s.community)
            .flat_map(|other| other.objects.iter())
            .filter_map(|o| o.get("id").and_then(Value::as_str).map(str::to_owned))
            .collect();
        let sender = self.sender_of(&s);
        let mut candidates: Vec<(String, Option<String>)> = s
            .released_ids
            .iter()
            .filter(|id| !shared.contains(*id))
            .map(|id| (id.clone(), Some(HUB_ORG.to_owned())))
            .collect();
        candidates.extend(s.attributed.iter().map(|id| (id.clone(), sender.clone())));
        if let Some(col) = self.collection_of(&s.community) {
            for (id, owner) in candidates {
                let Some(owner) = owner else { continue };
                let rows = self
                    .rows_for_check(&col.id, vec![id.clone()], all_versions(), Vec::new())
                    .await?;
                if rows.is_empty() || rows.iter().any(|v| v.author != owner) {
                    continue;
                }
                let audit = anonymous(
                    "submission.withdraw",
                    &col.id,
                    json!({"submission": s.id, "object": id}),
                );
                self.store
                    .delete_object(&col.id, &id, all_versions(), Vec::new(), audit)
                    .await?;
            }
        }
        // Done: nothing left to take back (a housekeeping write, not a transition).
        let mut done = s.clone();
        done.released_ids.clear();
        done.attributed.clear();
        done.rev = s.rev + 1;
        self.store
            .transition_submission(done, (&s.state, s.rev), Vec::new(), None, now_micros())
            .await?;
        Ok(())
    }

    /// A new version of a submission, through its receipt: concealed again
    /// with the sender's data; objects it sent before keep their released
    /// ids (new versions of them), new ones get fresh ids; then it is held
    /// for the next batch like any submission.
    pub async fn update(
        &self,
        who: &Caller,
        receipt: &str,
        objects: Vec<Value>,
    ) -> Result<Value, Error> {
        let read = self.by_receipt(receipt).await?;
        if who.principal.read_only {
            return Err(Error::said(ErrorKind::Forbidden, "receipt.read_only", &[]));
        }
        if matches!(
            State::parse(&read.state),
            Some(State::Withdrawn | State::Rejected)
        ) {
            return Err(Error::said(
                ErrorKind::Conflict,
                "receipt.ended",
                &[("state", &read.state)],
            ));
        }
        let mut s = read.clone();
        let mut objects = objects;
        admit_objects(&mut objects)?;
        let org = who
            .directory()
            .org(&who.principal.org)
            .cloned()
            .ok_or_else(|| Error::said(ErrorKind::Forbidden, "submit.org_unregistered", &[]))?;
        let cfg = &self.config.conceal;
        let creator = self.creator(&s.community).await?;
        let profile = self.profile(&org, &s.community, &objects).await?;
        let mut fresh = conceal(&objects, &profile, &creator, &cfg.stages);
        // Fresh id → the id released before for the same original.
        let before: BTreeMap<&str, &str> = s
            .id_map
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let renames: std::collections::HashMap<String, String> = fresh
            .id_map
            .iter()
            .filter_map(|(orig, new)| {
                before
                    .get(keyed_hex(receipt.as_bytes(), orig).as_str())
                    .map(|old| (new.clone(), (*old).to_owned()))
            })
            .collect();
        let previous: BTreeMap<String, Value> = s
            .objects
            .iter()
            .filter_map(|o| Some((o.get("id")?.as_str()?.to_owned(), o.clone())))
            .collect();
        let step = cfg.stages.granularity_seconds.max(1);
        for o in &mut fresh.objects {
            rename_refs(o, &renames);
            let Some(id) = o.get("id").and_then(Value::as_str).map(str::to_owned) else {
                continue;
            };
            let (Some(old), Some(m)) = (previous.get(&id), o.as_object_mut()) else {
                continue;
            };
            // A new version: the first one's `created`, a `modified` after the last one's.
            if let (Some(created), Some(last)) = (
                old.get("created"),
                old.get("modified").and_then(Value::as_str),
            ) {
                m.insert("created".into(), created.clone());
                let last = kyoyu_stix::Timestamp::parse(last)
                    .map(|t| t.unix_seconds())
                    .unwrap_or(0);
                let now = now_micros() / 1_000_000;
                let next = (now - now.rem_euclid(step)).max(last + step);
                m.insert(
                    "modified".into(),
                    json!(kyoyu_stix::Timestamp::from_unix(next, 0, 3).to_string()),
                );
            }
        }
        check_objects(&fresh.objects)?;
        s.objects = fresh.objects;
        s.id_map = fresh
            .id_map
            .iter()
            .map(|(orig, new)| {
                (
                    keyed_hex(receipt.as_bytes(), orig),
                    renames.get(new).unwrap_or(new).clone(),
                )
            })
            .collect();
        s.doubts = fresh.doubts.iter().map(|d| json!(d)).collect();
        s.received = Some(now_micros());
        let doubtful = self.needs_review(&s.community, !s.doubts.is_empty());
        let s = self
            .transition(&read, Transition::Update { doubtful }, s, Vec::new(), None)
            .await?;
        // Like a new submission: the release batch records it.
        Ok(
            json!({"submission": s.id, "state": s.state, "kept_ids": renames.len(), "objects": s.objects.len()}),
        )
    }

    /// Counts of released concealed submissions by sector, week or
    /// category, each backed by at least k distinct organizations.
    pub async fn stats(&self, who: &Caller, by: Option<String>) -> Result<Value, Error> {
        let by = by.unwrap_or_else(|| "sector".into());
        if !matches!(by.as_str(), "sector" | "week" | "category") {
            return Err(bad("stats.by", &[("by", &by)]));
        }
        // Per community, each value's cell with its distinct contributors
        // (one tag per organization and statistic). A cell backed by fewer
        // than k organizations merges into the community's `other`, which
        // is itself withheld below k. A figure is the sum of the cells shown
        // in the communities the caller may read: two callers' figures, or a
        // figure before and after a community joins the sum, differ by whole
        // cells of at least k organizations.
        // The counts as of the last release batch, not the live ones: a
        // report released alone (urgent) would otherwise move a figure by
        // one the moment it appears, and say which cell it fell in.
        let rows = self.published_contributions().await?;
        let prefix = format!("{by}:");
        let contributions = rows.iter().filter_map(|(bucket, tag, count)| {
            let (community, rest) = bucket.split_once('|')?;
            Some(kyoyu_conceal::kanon::Contribution {
                community,
                value: rest.strip_prefix(&prefix)?,
                tag,
                count: usize::try_from(*count).unwrap_or(0),
            })
        });
        let k = self.config.conceal.k;
        let figures = kyoyu_conceal::kanon::figures(contributions, |c| who.view(c).can_read(), k);
        Ok(json!({"by": by, "k": k, "figures": figures}))
    }

    /// The contribution counts statistics are computed from: the snapshot
    /// taken at the last release batch ([`Hub::publish_statistics`]).
    async fn published_contributions(&self) -> Result<Vec<(String, String, i64)>, Error> {
        let Some(text) = self.store.setting(PUBLISHED_STATISTICS).await? else {
            return Ok(Vec::new());
        };
        serde_json::from_str(&text).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("the published statistics cannot be read: {e}"),
            )
        })
    }

    /// Takes the snapshot statistics are served from: at each release
    /// batch (and at start when there is none), never for a report released
    /// alone, so figures move only when a batch of reports does.
    pub(crate) async fn publish_statistics_if_missing(&self) -> Result<(), Error> {
        if self.store.setting(PUBLISHED_STATISTICS).await?.is_none() {
            self.publish_statistics().await?;
        }
        Ok(())
    }

    /// See [`Hub::published_contributions`].
    pub(crate) async fn publish_statistics(&self) -> Result<(), Error> {
        let rows = self.store.contributions().await?;
        let text = serde_json::to_string(&rows)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("statistics: {e}")))?;
        self.store.put_setting(PUBLISHED_STATISTICS, &text).await?;
        Ok(())
    }

    /// The sealed provenance, for officers revealing a source with their
    /// escrow shares; every such read is audited.
    pub async fn sealed(&self, who: &Caller, id: &str) -> Result<Value, Error> {
        if !may_fetch_sealed(&who.principal) {
            return Err(Error::said(ErrorKind::Forbidden, "sealed.who", &[]));
        }
        let s =
            self.store.submission(id).await?.ok_or_else(|| {
                Error::said(ErrorKind::NotFound, "sealed.unknown", &[("id", &id)])
            })?;
        let sealed = s
            .sealed
            .clone()
            .ok_or_else(|| Error::said(ErrorKind::NotFound, "sealed.none", &[("id", &id)]))?;
        // Only what this hub sealed: anyone who can write the database can
        // encrypt to the escrow key, but not MAC with the local key.
        let want = self.config.conceal.local_key.mac(&[id, &sealed]);
        let genuine = s.sealed_mac.as_deref().is_some_and(|m| {
            m.len() == want.len()
                && m.bytes()
                    .zip(want.bytes())
                    .fold(0u8, |a, (x, y)| a | (x ^ y))
                    == 0
        });
        if !genuine {
            self.store
                .append_audit(
                    vec![who.audit("provenance.refused", id, json!({"community": s.community, "why": "the sealed provenance does not carry this hub's MAC"}))],
                    now_micros(),
                )
                .await?;
            tracing::error!(submission = %id, "sealed provenance without this hub's MAC: written outside the hub");
            return Err(Error::said(
                ErrorKind::Conflict,
                "sealed.foreign",
                &[("id", &id)],
            ));
        }
        self.store
            .append_audit(
                vec![who.audit("provenance.reveal", id, json!({"community": s.community}))],
                now_micros(),
            )
            .await?;
        Ok(json!({"submission": id, "sealed": sealed}))
    }
}

/// Adds the ids of a submission's current objects to those it ever released.
fn remember_released(s: &mut Submission) {
    for o in &s.objects {
        if let Some(id) = o.get("id").and_then(Value::as_str)
            && !s.released_ids.iter().any(|r| r == id)
        {
            s.released_ids.push(id.to_owned());
        }
    }
}

/// How a transition reads in "it cannot be … now".
fn done_word(t: Transition) -> &'static str {
    match t {
        Transition::Approve => "approved",
        Transition::Edit => "edited",
        Transition::Reject => "rejected",
        Transition::Update { .. } => "updated",
        Transition::Withdraw => "withdrawn",
        Transition::Claim => "claimed for release",
        Transition::Publish => "published",
    }
}

/// Renames ids and every reference to them.
fn rename_refs(v: &mut Value, renames: &std::collections::HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(new) = renames.get(s.as_str()) {
                s.clone_from(new);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rename_refs(i, renames)),
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "id"
                    || k.ends_with("_ref")
                    || k.ends_with("_refs")
                    || child.is_object()
                    || child.is_array()
                {
                    rename_refs(child, renames);
                }
            }
        }
        _ => {}
    }
}

/// The ISO week of a time, as `2026-W48`.
fn iso_week(micros: i64) -> String {
    let days = micros.div_euclid(86_400_000_000);
    // 1970-01-01 was a Thursday; ISO weeks are those of their Thursday.
    let thursday = days - (days + 3).rem_euclid(7) + 3;
    let t = kyoyu_stix::Timestamp::from_unix(thursday * 86_400, 0, 0).to_string();
    let year: i64 = t.get(..4).and_then(|y| y.parse().ok()).unwrap_or(1970);
    let jan1 = kyoyu_stix::Timestamp::parse(&format!("{year}-01-01T00:00:00Z"))
        .map(|t| t.unix_seconds() / 86_400)
        .unwrap_or(0);
    format!("{year}-W{:02}", (thursday - jan1) / 7 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weeks() {
        // 2026-11-25 is a Wednesday of ISO week 48; 2021-01-01 belongs to 2020-W53.
        let t = |s: &str| kyoyu_stix::Timestamp::parse(s).unwrap().unix_seconds() * 1_000_000;
        assert_eq!(iso_week(t("2026-11-25T12:00:00Z")), "2026-W48");
        assert_eq!(iso_week(t("2021-01-01T00:00:00Z")), "2020-W53");
        assert_eq!(iso_week(t("2024-12-30T00:00:00Z")), "2025-W01");
    }

    #[test]
    fn form_patterns() {
        assert_eq!(
            pattern_for("203.0.113.5").unwrap(),
            "[ipv4-addr:value = '203.0.113.5']"
        );
        assert_eq!(
            pattern_for("evil.example").unwrap(),
            "[domain-name:value = 'evil.example']"
        );
        assert!(pattern_for("hello world").is_none());
    }
}
