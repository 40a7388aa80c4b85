//! Writes of STIX content: envelopes posted to a collection (validated,
//! marked, stored with their audit entry in one transaction), TAXII status
//! resources, and deletion.

use crate::catalog::{must_read, must_write};
use crate::reader::{access_of, all_versions, version_key, version_text};
use crate::time::{micros, now_micros};
use crate::{Caller, Error, Hub, is_submit};
use kyoyu_store::{Added, NewVersion, Status, StatusDetail, Store, VersionSelect};
use kyoyu_trust::policy::{
    MAX_RECIPIENTS, RECIPIENTS_PROPERTY, SUPPLIERS, SUPPLIERS_PROPERTY, distinct, marking_in,
    marking_of, may_see_status,
};
use kyoyu_validate::{Options, validate_object};
use kyoyu_wire::submission::Submitted;
use serde_json::{Value, json, value::RawValue};
use std::sync::atomic::{AtomicU64, Ordering};

/// Objects ingested and refused since start (for `/metrics`).
#[derive(Debug, Default)]
pub struct IngestCounts {
    stored: AtomicU64,
    refused: AtomicU64,
}

impl IngestCounts {
    fn record(&self, stored: u64, refused: u64) {
        self.stored.fetch_add(stored, Ordering::Relaxed);
        self.refused.fetch_add(refused, Ordering::Relaxed);
    }

    /// (stored, refused).
    pub fn get(&self) -> (u64, u64) {
        (
            self.stored.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
        )
    }
}

/// A TAXII envelope as posted.
#[derive(Debug, serde::Deserialize)]
pub struct Envelope<'a> {
    /// The objects, kept as sent (stored byte for byte).
    #[serde(borrow)]
    pub objects: Option<Vec<&'a RawValue>>,
    /// Recipient organizations for every object that names none itself.
    #[serde(default, rename = "x_kyoyu_recipients")]
    pub recipients: Vec<String>,
    /// Let AMBER objects that do not say otherwise reach the recipients'
    /// suppliers (`x_kyoyu_suppliers`; by default they do not).
    #[serde(default, rename = "x_kyoyu_suppliers")]
    pub suppliers: bool,
    /// Concealed submissions: the TLP level to release at.
    #[serde(default, rename = "x_kyoyu_tlp")]
    pub tlp: Option<String>,
    /// Concealed submissions: waive batching.
    #[serde(default, rename = "x_kyoyu_urgent")]
    pub urgent: bool,
}

/// What a post did.
#[derive(Debug, Clone, PartialEq)]
pub enum Posted {
    /// Stored in the collection; the status is kept for its owner.
    Stored(Status),
    /// Taken as a concealed submission; the status is not kept (it would
    /// tie the token to the submission) and the receipt is in `submitted`.
    Concealed(Status, Submitted),
}

/// One object of an envelope: validated, its version fields and markings
/// read, its recipients checked against the known organizations.
fn admit(
    raw: &RawValue,
    recipients: &[String],
    suppliers: bool,
    dir: &kyoyu_trust::Directory,
) -> Result<NewVersion, StatusDetail> {
    let mut value: Value = serde_json::from_str(raw.get()).map_err(|e| StatusDetail {
        id: String::new(),
        version: None,
        message: Some(format!("not JSON: {e}")),
    })?;
    // One spelling per identifier, so the policy, the stores and every
    // consumer read `…--E828B379-…` as the `…--e828b379-…` it is.
    let rewritten = kyoyu_stix::id::canonicalize_ids(&mut value);
    let id = value
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let report = validate_object(&value, &Options::default());
    if !report.valid {
        let first = report
            .errors()
            .next()
            .map(ToString::to_string)
            .unwrap_or_default();
        let more = report.errors().count().saturating_sub(1);
        let message = if more > 0 {
            format!("{first} (and {more} more)")
        } else {
            first
        };
        let version = value
            .get("modified")
            .or_else(|| value.get("created"))
            .and_then(Value::as_str)
            .map(str::to_owned);
        return Err(StatusDetail {
            id,
            version,
            message: Some(message),
        });
    }
    if let Some(r) = value.get(RECIPIENTS_PROPERTY)
        && !r.as_array().is_some_and(|a| a.iter().all(Value::is_string))
    {
        return Err(StatusDetail {
            id,
            version: None,
            message: Some(format!(
                "{RECIPIENTS_PROPERTY} must be a list of organization ids, e.g. [\"example-power\"]"
            )),
        });
    }
    if value
        .get(SUPPLIERS_PROPERTY)
        .is_some_and(|v| !v.is_boolean())
    {
        return Err(StatusDetail {
            id,
            version: None,
            message: Some(format!(
                "{SUPPLIERS_PROPERTY} must be true (AMBER also reaches the recipients' suppliers) or false"
            )),
        });
    }
    let json = if rewritten {
        serde_json::to_string(&value).unwrap_or_else(|_| raw.get().to_owned())
    } else {
        raw.get().to_owned()
    };
    let written_marker = recipients.iter().any(|r| r == SUPPLIERS)
        || value
            .get(RECIPIENTS_PROPERTY)
            .and_then(Value::as_array)
            .is_some_and(|a| a.iter().any(|r| r.as_str() == Some(SUPPLIERS)));
    if written_marker {
        return Err(StatusDetail {
            id,
            version: None,
            message: Some(format!(
                "{RECIPIENTS_PROPERTY} names '{SUPPLIERS}', which is not an organization; to let AMBER reach the recipients' suppliers, set {SUPPLIERS_PROPERTY}: true"
            )),
        });
    }
    let mut version = new_version(&value, json, &[]);
    (version.tlp, version.recipients) = marking_in(&value, recipients, suppliers);
    let named = version.recipients.iter().filter(|r| *r != SUPPLIERS);
    let count = named.clone().count();
    if count > MAX_RECIPIENTS {
        return Err(StatusDetail {
            id,
            version: None,
            message: Some(format!(
                "{RECIPIENTS_PROPERTY} names {count} organizations; at most {MAX_RECIPIENTS}: share with a community instead"
            )),
        });
    }
    if let Some(unknown) = named.clone().find(|r| dir.org(r).is_none()) {
        return Err(StatusDetail {
            id,
            version: (!version.version.is_empty()).then(|| version.version.clone()),
            message: Some(format!(
                "{RECIPIENTS_PROPERTY} names '{unknown}', which is not an organization of this hub; use organization ids (GET /api/orgs)"
            )),
        });
    }
    Ok(version)
}

/// The stored form of a valid object: its version fields and what the
/// policy needs (strictest TLP, recipients: its own, else `recipients`).
pub(crate) fn new_version(value: &Value, json: String, recipients: &[String]) -> NewVersion {
    let text = |k: &str| value.get(k).and_then(Value::as_str);
    let version = text("modified")
        .or_else(|| text("created"))
        .unwrap_or_default()
        .to_owned();
    let version_key = kyoyu_stix::Timestamp::parse(&version)
        .map(|t| micros(&t))
        .unwrap_or(0);
    let (tlp, recipients) = marking_of(value, recipients);
    NewVersion {
        object_type: text("type").unwrap_or_default().to_owned(),
        spec_version: text("spec_version").unwrap_or("2.1").to_owned(),
        id: text("id").unwrap_or_default().to_owned(),
        version,
        version_key,
        json,
        tlp,
        recipients,
        // Indexed for search by the background job (`indexing.rs`).
        search: String::new(),
        values: Vec::new(),
    }
}

impl<S: Store> Hub<S> {
    /// Adds an envelope's objects to a collection (or, for a `submit-`
    /// collection, takes them as a concealed submission).
    pub async fn post(
        &self,
        who: &Caller,
        root: &str,
        collection: &str,
        envelope: Envelope<'_>,
    ) -> Result<Posted, Error> {
        let (c, view) = self.collection_for(who, root, collection)?;
        must_write(&view, &c)?;
        let objects = envelope.objects.ok_or_else(|| {
            Error::unprocessable("the envelope has no 'objects' list: send {\"objects\": [...]}")
        })?;
        if is_submit(&c) {
            let (status, submitted) = self
                .submit_envelope(who, &c, &objects, envelope.tlp, envelope.urgent)
                .await?;
            return Ok(Posted::Concealed(status, submitted));
        }
        // Named once for the envelope, checked once: a list of repeats must
        // not multiply into every object's row.
        let recipients = distinct(envelope.recipients.iter().map(String::as_str));
        if recipients.len() > MAX_RECIPIENTS {
            return Err(Error::unprocessable(format!(
                "the envelope's {RECIPIENTS_PROPERTY} names {} organizations; at most {MAX_RECIPIENTS}: share with a community instead",
                recipients.len()
            )));
        }
        let request_timestamp = now_micros();
        let mut admitted = Vec::with_capacity(objects.len());
        let mut failures = Vec::new();
        let dir = who.directory();
        for raw in &objects {
            match admit(raw, &recipients, envelope.suppliers, dir) {
                Ok(v) => admitted.push(v),
                Err(f) => failures.push(f),
            }
        }
        let details: Vec<StatusDetail> = admitted
            .iter()
            .map(|v| StatusDetail {
                id: v.id.clone(),
                version: (!v.version.is_empty()).then(|| v.version.clone()),
                message: None,
            })
            .collect();
        let status_id = uuid::Uuid::new_v4().to_string();
        let audit = who.audit(
            "objects.add",
            &c.id,
            json!({
                "collection": c.alias,
                "status": status_id,
                "objects": details.iter().map(|d| json!([d.id, d.version])).collect::<Vec<_>>(),
                "refused": failures.len(),
            }),
        );
        let outcomes = self
            .store
            .add_versions(
                &c.id,
                admitted,
                request_timestamp,
                &who.principal.org,
                audit,
            )
            .await?;
        let stored = outcomes.iter().filter(|o| **o == Added::New).count() as u64;
        // A member may not supersede another organization's report (or the hub's release).
        let mut successes = Vec::with_capacity(details.len());
        for (d, outcome) in details.into_iter().zip(&outcomes) {
            if *outcome == Added::Foreign {
                failures.push(StatusDetail {
                    message: Some(
                        "this id is not yours to add versions to: post your own object under a new id, or a sighting, note or opinion that refers to it".into(),
                    ),
                    ..d
                });
            } else {
                successes.push(d);
            }
        }
        self.ingest.record(stored, failures.len() as u64);
        self.indexing.stored();
        let status = Status {
            id: status_id,
            api_root: root.to_owned(),
            status: "complete".into(),
            request_timestamp,
            total_count: objects.len() as u64,
            successes,
            failures,
            pendings: Vec::new(),
            owner: who.principal.org.clone(),
        };
        self.store.put_status(status.clone()).await?;
        Ok(Posted::Stored(status))
    }

    /// A status resource, for the organization whose request it reports
    /// (404 for everyone else: its existence is not revealed).
    pub async fn status(&self, who: &Caller, root: &str, id: &str) -> Result<Status, Error> {
        self.root(root)?;
        self.store
            .status(root, id)
            .await?
            .filter(|s| may_see_status(&who.principal, &s.owner))
            .ok_or_else(|| {
                Error::not_found(format!(
                    "there is no status '{id}' in '{root}' for this organization"
                ))
            })
    }

    /// Deletes the versions of an object that `versions` selects (all when
    /// absent) and the caller may see (TAXII 2.1 section 5.7: it needs both
    /// can_read and can_write). Versions the caller may not see are neither
    /// deleted nor mentioned: the answer is the same whether they exist.
    pub async fn delete_object(
        &self,
        who: &Caller,
        root: &str,
        collection: &str,
        object: &str,
        versions: Option<VersionSelect>,
        spec_versions: Vec<String>,
    ) -> Result<(), Error> {
        let (c, view) = self.collection_for(who, root, collection)?;
        must_read(&view, &c)?;
        must_write(&view, &c)?;
        // The same selection for the check and the delete (an empty one means all in both).
        let versions = versions
            .filter(|v| *v != VersionSelect::default())
            .unwrap_or_else(all_versions);
        let selected = self
            .rows_for_check(
                &c.id,
                vec![object.to_owned()],
                versions.clone(),
                spec_versions.clone(),
            )
            .await?;
        let total = selected.len();
        let visible: Vec<_> = selected
            .into_iter()
            .filter(|v| view.may_read(&access_of(v)))
            .collect();
        if visible.is_empty() {
            return Err(Error::not_found(format!(
                "collection {} holds no object '{object}' that this token may see",
                crate::catalog::collection_name(&c)
            )));
        }
        if !visible.iter().all(|v| view.may_delete(&v.author)) {
            return Err(Error::forbidden(
                "only the organization that contributed an object, the community's admins and hub admins may delete it",
            ));
        }
        // Hidden versions stay: delete exactly the visible ones.
        let versions = if visible.len() == total {
            versions
        } else {
            let at: Option<Vec<_>> = visible.iter().map(version_key).collect();
            match at {
                Some(at) => VersionSelect {
                    at,
                    ..VersionSelect::default()
                },
                None => {
                    return Err(Error::forbidden(
                        "only the organization that contributed an object, the community's admins and hub admins may delete it",
                    ));
                }
            }
        };
        let gone: Vec<String> = visible.iter().map(version_text).collect();
        let audit = who.audit(
            "objects.delete",
            &c.id,
            json!({ "collection": c.alias, "object": object, "versions": gone }),
        );
        let n = self
            .store
            .delete_object(&c.id, object, versions, spec_versions, audit)
            .await?;
        if n == 0 {
            return Err(Error::not_found(format!(
                "collection {} holds no object '{object}' that this token may see",
                crate::catalog::collection_name(&c)
            )));
        }
        Ok(())
    }
}
