//! Bodies of the concealed-submission endpoints (`/api/submissions`,
//! `/api/reviews`, `/api/receipts`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What a submitter sends.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// The community it is for.
    pub community: String,
    /// STIX objects (or a bundle's `objects`).
    #[serde(default)]
    pub objects: Vec<Value>,
    /// Or a short incident form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub form: Option<IncidentForm>,
    /// `clear`, `green`, `amber` or `amber+strict`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tlp: Option<String>,
    /// Waive batching (an urgent warning).
    #[serde(default)]
    pub urgent: bool,
    /// With consent: these organizations also receive the attributed original.
    #[serde(default)]
    pub attribute_to: Vec<String>,
    /// Only show what would be released; submit nothing.
    #[serde(default)]
    pub preview: bool,
}

/// A reviewer's approval: the doubts to keep (numbers as listed, from 1);
/// every other doubt is withheld.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// Doubts to release as written.
    #[serde(default)]
    pub keep: Vec<usize>,
    /// The version the reviewer read (`rev` in the review list): numbers
    /// name doubts of one version, so keeping any needs it.
    #[serde(default)]
    pub rev: Option<i64>,
}

/// The shape of [`ApproveRequest`], for error messages.
pub const APPROVE_SHAPE: &str = r#"{"keep"?: [numbers of the doubts to keep, from 1], "rev"?: the version read (required with keep)}"#;

/// The shape of [`SubmitRequest`], for error messages.
pub const SUBMIT_SHAPE: &str = r#"{"community", "objects": [STIX objects] | "form": {"title", "description", "category", "indicators": [values]}, "tlp"?, "urgent"?, "attribute_to"?: [org ids], "preview"?: true}"#;

/// The short incident form.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentForm {
    /// What happened, in a line.
    pub title: String,
    /// More words.
    #[serde(default)]
    pub description: String,
    /// e.g. ransomware, phishing, ddos, intrusion, malware, other.
    #[serde(default)]
    pub category: Option<String>,
    /// Observed values: IPv4/IPv6 addresses, domains, URLs, e-mail addresses, SHA-256 hashes.
    #[serde(default)]
    pub indicators: Vec<String>,
}

/// What the submitter gets back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Submitted {
    /// The capability to follow, update or withdraw the submission.
    pub receipt: String,
    /// Its id (what reviewers see).
    pub submission: String,
    /// `review`, `held` or `released`.
    pub state: String,
    /// How many of each redaction were made.
    pub redactions: Value,
    /// How many doubts wait for a reviewer.
    pub doubts: usize,
    /// Objects dropped whole (identities, markings).
    pub dropped: usize,
}

/// A receipt presented to read or withdraw a submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReceiptRequest {
    /// The receipt given at submission.
    pub receipt: String,
}

/// The shape of [`ReceiptRequest`].
pub const RECEIPT_SHAPE: &str = r#"{"receipt": "kyoyu_receipt_…"}"#;

/// A new version of a submission, through its receipt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    /// The receipt given at submission.
    pub receipt: String,
    /// The new content.
    pub objects: Vec<Value>,
}

/// The shape of [`UpdateRequest`].
pub const UPDATE_SHAPE: &str = r#"{"receipt": "kyoyu_receipt_…", "objects": [STIX objects]}"#;

/// A reviewer's edited content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    /// The edited STIX objects.
    pub objects: Vec<Value>,
}

/// The shape of [`EditRequest`].
pub const EDIT_SHAPE: &str = r#"{"objects": [the edited STIX objects]}"#;

/// A reviewer's refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Why.
    pub reason: String,
}

/// The shape of [`RejectRequest`].
pub const REJECT_SHAPE: &str = r#"{"reason": "why"}"#;
