//! The storage seam of the hub.
//!
//! [`Store`] is the one trait every backend implements (SQLite in
//! `kyoyu-store-sqlite`, PostgreSQL later in its own crate); the TAXII layer
//! is generic over it. The store keeps what it is given and answers
//! queries: it has no rules about content. Validation, access policy and
//! TAXII semantics live above it.
//!
//! Architecture Invariant: only store crates contain SQL.

pub mod logic;

use std::fmt;
use std::future::Future;

use kyoyu_stix::tlp::Tlp;
pub use kyoyu_trust::audit::{Draft as AuditDraft, Entry as AuditEntry};
use kyoyu_trust::{Community, Membership, Org};

/// Microseconds since the Unix epoch: the resolution of `date_added`.
pub type Micros = i64;

/// A collection as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collection {
    /// The TAXII collection id (a UUID string).
    pub id: String,
    /// The API root it belongs to (its path segment).
    pub api_root: String,
    /// Human title.
    pub title: String,
    /// Optional description.
    pub description: Option<String>,
    /// TAXII alias: the id of the community that owns the collection.
    pub alias: Option<String>,
}

/// An API root as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoot {
    /// Path segment, e.g. `hub`.
    pub path: String,
    /// Human title.
    pub title: String,
    /// Optional description.
    pub description: Option<String>,
}

/// One object version to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVersion {
    /// STIX id.
    pub id: String,
    /// STIX type.
    pub object_type: String,
    /// The version: `modified`, else `created`, else empty (SCOs), as written.
    pub version: String,
    /// The version as microseconds, for ordering (`None` for unversioned objects).
    pub version_key: Micros,
    /// `spec_version`.
    pub spec_version: String,
    /// The object's JSON, exactly as received.
    pub json: String,
    /// Its strictest known TLP level (the policy's input).
    pub tlp: Option<Tlp>,
    /// Recipient organizations named on it or its envelope.
    pub recipients: Vec<String>,
    /// Its folded text, for full-text search (the core computes it).
    pub search: String,
    /// Its folded observable values, for exact lookup.
    pub values: Vec<String>,
}

/// A stored object version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    /// Position in the collection: strictly increasing with `date_added`.
    pub seq: i64,
    /// When the hub added it.
    pub date_added: Micros,
    /// STIX id.
    pub id: String,
    /// The version string, as written.
    pub version: String,
    /// `spec_version`.
    pub spec_version: String,
    /// STIX type.
    pub object_type: String,
    /// The object's JSON, exactly as received (empty when not asked for).
    pub json: String,
    /// Its strictest known TLP level.
    pub tlp: Option<Tlp>,
    /// Named recipient organizations.
    pub recipients: Vec<String>,
    /// The organization that contributed it.
    pub author: String,
}

/// Which versions of each object a query selects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VersionSelect {
    /// The newest version of each object.
    pub last: bool,
    /// The oldest version of each object.
    pub first: bool,
    /// Every version.
    pub all: bool,
    /// These exact versions (as micros).
    pub at: Vec<Micros>,
}

/// The alternatives a [`VersionSelect`] filters on, decided once for both
/// backends: a version passes when any of them holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VersionFilter<'a> {
    /// The newest version (also the default when nothing else is asked).
    pub last: bool,
    /// The oldest version.
    pub first: bool,
    /// These exact versions (empty: none).
    pub at: &'a [Micros],
}

impl VersionSelect {
    /// What to filter on, or `None` when every version is selected.
    pub fn filter(&self) -> Option<VersionFilter<'_>> {
        if self.all {
            return None;
        }
        Some(VersionFilter {
            last: self.last || (!self.first && self.at.is_empty()),
            first: self.first,
            at: &self.at,
        })
    }
}

/// A query over one collection's object versions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// Collection id.
    pub collection: String,
    /// Only versions added strictly after this time.
    pub added_after: Option<Micros>,
    /// Resume after this position (from a `next` cursor).
    pub after_seq: Option<i64>,
    /// Only these STIX ids (empty: any).
    pub ids: Vec<String>,
    /// Only these types (empty: any).
    pub types: Vec<String>,
    /// Which versions.
    pub versions: VersionSelect,
    /// Only these spec versions (empty: any).
    pub spec_versions: Vec<String>,
    /// At most this many results.
    pub limit: usize,
    /// Whether to return the JSON (objects) or not (manifest, versions).
    pub with_json: bool,
    /// Newest first (`seq` descending); `after_seq` then resumes below
    /// the position given, so cursors keep working in either order.
    pub newest_first: bool,
    /// Only these positions (empty: any): the candidates of a search.
    pub seqs: Vec<i64>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Page {
    /// The versions, in `seq` order.
    pub items: Vec<StoredVersion>,
    /// Whether more match after the last one.
    pub more: bool,
}

/// The outcome of adding one version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Added {
    /// Stored now.
    New,
    /// The same id and version was already there (idempotent success).
    Duplicate,
    /// Refused: another organization contributed this (versioned) object; only
    /// its contributor adds versions of it.
    Foreign,
}

/// A status resource (TAXII 2.1 section 4.3).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Status {
    /// Status id (UUID string).
    pub id: String,
    /// API root path it belongs to.
    pub api_root: String,
    /// `complete` or `pending`.
    pub status: String,
    /// When the request was received (micros).
    pub request_timestamp: Micros,
    /// Objects in the request.
    pub total_count: u64,
    /// Stored (or already present).
    pub successes: Vec<StatusDetail>,
    /// Refused, with the reason.
    pub failures: Vec<StatusDetail>,
    /// Not yet processed.
    pub pendings: Vec<StatusDetail>,
    /// The organization whose request it reports (only it may read it).
    #[serde(default)]
    pub owner: String,
}

/// One object in a status resource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatusDetail {
    /// STIX id.
    pub id: String,
    /// The version, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Why it failed, or notes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// A stored API token (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    /// Public token id (a prefix shown in listings).
    pub id: String,
    /// Keyed hash of the secret.
    pub hash: String,
    /// Label.
    pub name: String,
    /// The organization it acts for.
    pub org: String,
    /// Its role (a `kyoyu_trust::Role` wire name).
    pub role: String,
    /// Read-only tokens never write.
    pub read_only: bool,
    /// Addresses it may be used from (CIDR; empty: anywhere).
    pub ip_allow: Vec<String>,
    /// Expiry (micros), if any.
    pub expires: Option<Micros>,
    /// Revoked tokens are refused.
    pub revoked: bool,
    /// When it was created (micros).
    pub created: Micros,
}

/// The members as stored: what `kyoyu_trust::Directory::new` takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DirectoryRows {
    /// Organizations.
    pub orgs: Vec<Org>,
    /// Communities.
    pub communities: Vec<Community>,
    /// Memberships.
    pub memberships: Vec<Membership>,
}

/// One change to the members or tokens; [`Store::apply`] runs a list of
/// them and their audit entry in one transaction.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Creates or replaces an organization.
    PutOrg(Org),
    /// Removes an organization and its memberships, and revokes its tokens.
    DeleteOrg(String),
    /// Creates or replaces a community, creating its collection if missing.
    PutCommunity(Community, Collection),
    /// Adds a membership or changes its standing.
    SetMember(Membership),
    /// Removes a membership.
    RemoveMember {
        /// Community id.
        community: String,
        /// Organization id.
        org: String,
    },
    /// Adds a token; an id or hash already present is an error, never a
    /// silent relabelling of another token.
    AddToken(TokenRecord),
    /// Revokes a token by id; revocation is immediate (tokens are looked up on every request).
    RevokeToken(String),
    /// Adds a console user; a login already present is an error.
    AddUser(UserRecord),
    /// Replaces an existing user's record (password, second factor,
    /// disabled, preferences).
    PutUser(UserRecord),
    /// Ends every session of a user (sign-out everywhere, disable, reset).
    EndSessions(String),
}

/// A person who signs in to the console. Looked up by `login`; the rest is
/// kept as one JSON document.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UserRecord {
    /// Sign-in name, unique on the hub.
    pub login: String,
    /// The organization the person belongs to.
    pub org: String,
    /// Role (a `kyoyu_trust::Role` wire name).
    pub role: String,
    /// Display name.
    pub name: String,
    /// E-mail address (for notifications).
    #[serde(default)]
    pub email: String,
    /// The password as an argon2id PHC string (never the password).
    pub password_hash: String,
    /// The TOTP secret, sealed under the hub's local key (not in the
    /// database in the clear), once enrolled.
    #[serde(default)]
    pub totp_sealed: Option<String>,
    /// The last TOTP time step accepted (a code is good once).
    #[serde(default)]
    pub totp_last_step: i64,
    /// Disabled users cannot sign in; their sessions end.
    #[serde(default)]
    pub disabled: bool,
    /// Set by an administrator's reset: the next sign-in must choose a new password.
    #[serde(default)]
    pub must_change_password: bool,
    /// When it was created (micros).
    pub created: Micros,
    /// Preferred language (`ja`, `en`), if chosen.
    #[serde(default)]
    pub language: Option<String>,
    /// IANA time zone for dates, if chosen (the hub's default otherwise).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// The previous sign-in (micros): "new since my last visit".
    #[serde(default)]
    pub last_visit: Option<Micros>,
}

/// One version of a workflow record: an incident with its reports, a
/// hotline call. Versions are only ever added (revision 1, 2, …), never
/// changed or deleted, so nothing filed is lost or silently edited; the
/// newest version is the record as it stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RecordVersion {
    /// What it is (`incident`, `hotline`).
    pub kind: String,
    /// Its id, unique within the kind.
    pub id: String,
    /// 1 for the first version, one more for each after it.
    pub rev: i64,
    /// The organization it belongs to (the one that filed it).
    pub org: String,
    /// The other organizations it concerns (a ministry, the national
    /// centre): the inboxes it appears in.
    pub parties: Vec<String>,
    /// Where it stands (`draft`, `filed`, `open`, `acknowledged` …).
    pub state: String,
    /// Its next deadline (micros), if any: for reminders and overdue lists.
    pub due: Option<Micros>,
    /// The record itself (JSON text).
    pub body: String,
    /// When this version was written (micros).
    pub at: Micros,
}

/// Which records to list: the newest version of each that matches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecordFilter {
    /// The kind.
    pub kind: String,
    /// Only records of this organization or concerning it (as a party).
    pub involving: Option<String>,
    /// Only in one of these states (empty: any).
    pub states: Vec<String>,
    /// Only those with a deadline before this instant (micros).
    pub due_before: Option<Micros>,
    /// At most this many, newest first.
    pub limit: usize,
}

/// An entry of a live stream (a hotline raised, acknowledged, escalated):
/// numbered in order across the hub so a subscriber that reconnects resumes
/// after the last one it saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamEvent {
    /// Its position (the SSE event id).
    pub seq: i64,
    /// The stream (`hotline`).
    pub topic: String,
    /// When it was written (micros).
    pub at: Micros,
    /// What happened (JSON text).
    pub body: String,
}

/// A console session. The cookie holds a random secret; the store keeps
/// only its keyed hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SessionRecord {
    /// Keyed hash of the cookie's secret.
    pub hash: String,
    /// Whose.
    pub login: String,
    /// When it began (micros): the absolute expiry counts from here.
    pub created: Micros,
    /// When it was last used (micros): the idle expiry counts from here.
    pub last_seen: Micros,
    /// The anti-forgery token every form of this session carries.
    pub csrf: String,
    /// `signed-in`, or `enrol` while a person who must have a second factor
    /// sets one up (only the enrolment pages answer), or `change-password`
    /// after an administrator's reset.
    pub stage: String,
    /// A second-factor secret being set up, sealed, until its first code
    /// confirms it.
    #[serde(default)]
    pub pending_totp: Option<String>,
    /// The person's visit before this session (micros): what the
    /// dashboard counts new intelligence from.
    #[serde(default)]
    pub previous_visit: Option<Micros>,
}

/// A concealed submission as stored. Nothing in it names the submitting
/// organization: the provenance is sealed to the escrow key (or absent),
/// the receipt is kept as a keyed hash, and `contributor` is a keyed tag
/// whose key is not in the database (it lets statistics count distinct
/// contributors without knowing them).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Submission {
    /// Random id, shown to reviewers.
    pub id: String,
    /// The community it is for.
    pub community: String,
    /// `review`, `held`, `releasing`, `released`, `rejected` or `withdrawn`.
    pub state: String,
    /// The requested TLP level (`clear` … `amber+strict`), if any.
    pub tlp: Option<String>,
    /// Released at once, without batching.
    pub urgent: bool,
    /// When it arrived (micros); cleared once released.
    pub received: Option<Micros>,
    /// When it was released (micros, the batch's time).
    pub released: Option<Micros>,
    /// The concealed objects to release.
    pub objects: Vec<serde_json::Value>,
    /// What a reviewer must decide on.
    pub doubts: Vec<serde_json::Value>,
    /// How many of each redaction were made.
    pub redactions: serde_json::Value,
    /// Keyed hash of the receipt.
    pub receipt_hash: String,
    /// Original id → released id, each original keyed with the receipt
    /// (opaque without it).
    pub id_map: Vec<(String, String)>,
    /// The provenance sealed to the escrow key, if one is configured.
    pub sealed: Option<String>,
    /// Revision: every transition adds one (compare-and-set with the state).
    #[serde(default)]
    pub rev: i64,
    /// The contributor tags this submission counts with, `(bucket, tag)`,
    /// encrypted under a key kept outside the database with a fresh nonce:
    /// two submissions of one organization look unrelated in a copy of
    /// the database. Counted at release, taken back at withdrawal.
    #[serde(default)]
    pub sealed_tags: Option<String>,
    /// The sending organization, encrypted the same way: withdrawal acts on
    /// the sender's records (its attributed copy, its counts), whoever
    /// presents the receipt.
    #[serde(default)]
    pub sealed_sender: Option<String>,
    /// A MAC over the submission id and `sealed`, with a key kept outside
    /// the database: a sealed blob written by someone who can only write
    /// the database is refused at reveal.
    #[serde(default)]
    pub sealed_mac: Option<String>,
    /// Whether its release has been counted in the statistics (once, at
    /// its first release; updates do not count again).
    #[serde(default)]
    pub counted: bool,
    /// Why a reviewer rejected it.
    pub note: Option<String>,
    /// Ids of the attributed copy sent to named recipients with the
    /// sender's consent (withdrawn with the submission).
    #[serde(default)]
    pub attributed: Vec<String>,
    /// Every id released for it so far (across updates); after a
    /// withdrawal, those still to be deleted.
    #[serde(default)]
    pub released_ids: Vec<String>,
}

/// How a TLP level is kept in an integer column, the same in every backend.
pub fn tlp_code(t: Option<Tlp>) -> Option<i16> {
    t.map(|t| match t {
        Tlp::Clear => 0,
        Tlp::Green => 1,
        Tlp::Amber => 2,
        Tlp::AmberStrict => 3,
        Tlp::Red => 4,
    })
}

/// Reads back what [`tlp_code`] wrote (an unknown code is the strictest level).
pub fn tlp_from_code(c: Option<i16>) -> Option<Tlp> {
    c.map(|c| match c {
        0 => Tlp::Clear,
        1 => Tlp::Green,
        2 => Tlp::Amber,
        3 => Tlp::AmberStrict,
        _ => Tlp::Red,
    })
}

/// A stored membership, if its standing is one this hub knows. An unknown
/// standing (written by a newer version, or by hand) gives no membership
/// at all: it fails closed, never as some other standing.
pub fn membership(community: String, org: String, role: &str) -> Option<Membership> {
    Some(Membership {
        community,
        org,
        role: kyoyu_trust::MemberRole::parse(role)?,
    })
}

/// How lists (recipients, allow-lists) are kept in one text column (a JSON
/// array), the same in every backend.
pub fn encode_list(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// Reads an object row's recipients column: a list reference stays as
/// `["@ref"]` for [`logic::resolve_refs`], a list written in place (rows
/// from before lists were interned) is decoded.
pub fn recipients_column(text: &str) -> Vec<String> {
    if text.starts_with('@') {
        vec![text.to_owned()]
    } else {
        decode_list(text)
    }
}

/// A record's parties as stored: `,a,b,` (ids hold no commas), so one party
/// is found with `LIKE '%,id,%'`.
pub fn parties_column(parties: &[String]) -> String {
    format!(",{},", parties.join(","))
}

/// Reads back what [`parties_column`] wrote.
pub fn parties_of(text: &str) -> Vec<String> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Reads back what [`encode_list`] wrote (an unreadable value is empty).
pub fn decode_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Why a store operation failed. Only I/O and corruption: the store has no
/// rules about content, so there is nothing for a client to fix here.
#[derive(Debug)]
pub struct StoreError(pub String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "storage error: {}", self.0)
    }
}

impl std::error::Error for StoreError {}

/// Shorthand.
pub type Result<T> = std::result::Result<T, StoreError>;

/// The storage every backend provides.
pub trait Store: Clone + Send + Sync + 'static {
    /// API roots.
    fn api_roots(&self) -> impl Future<Output = Result<Vec<ApiRoot>>> + Send;
    /// Creates an API root (idempotent).
    fn put_api_root(&self, root: ApiRoot) -> impl Future<Output = Result<()>> + Send;
    /// Collections of an API root.
    fn collections(&self, api_root: &str) -> impl Future<Output = Result<Vec<Collection>>> + Send;
    /// Adds versions to a collection, contributed by `author`, and the
    /// audit entry of the write, in one durable transaction; one outcome per
    /// input, in order. A new version of an object whose stored versions
    /// another author contributed is refused ([`Added::Foreign`]); objects
    /// without versions (observables) are anyone's. `now` is the time of the request; `date_added`
    /// values are made strictly increasing.
    fn add_versions(
        &self,
        collection: &str,
        versions: Vec<NewVersion>,
        now: Micros,
        author: &str,
        audit: AuditDraft,
    ) -> impl Future<Output = Result<Vec<Added>>> + Send;
    /// Runs a query.
    fn query(&self, query: Query) -> impl Future<Output = Result<Page>> + Send;
    /// Deletes versions of an object selected by `versions`, with the audit
    /// entry, in one transaction; returns how many (no entry when none).
    fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionSelect,
        spec_versions: Vec<String>,
        audit: AuditDraft,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Saves a status resource.
    fn put_status(&self, status: Status) -> impl Future<Output = Result<()>> + Send;
    /// Reads a status resource.
    fn status(
        &self,
        api_root: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Status>>> + Send;
    /// Every token (hashes included; callers never show them).
    fn tokens(&self) -> impl Future<Output = Result<Vec<TokenRecord>>> + Send;
    /// The members as stored.
    fn directory(&self) -> impl Future<Output = Result<DirectoryRows>> + Send;
    /// Applies changes and appends their audit entry, all in one transaction.
    fn apply(
        &self,
        changes: Vec<Change>,
        audit: AuditDraft,
        now: Micros,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Appends audit entries (reads of marked content), in one transaction.
    fn append_audit(
        &self,
        drafts: Vec<AuditDraft>,
        now: Micros,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores a new submission (its id is fresh; an existing id is an error).
    fn insert_submission(&self, s: Submission) -> impl Future<Output = Result<()>> + Send;
    /// One workflow transition: if the submission is still at `from`
    /// (state, revision), replaces it with `s` (its new state, revision
    /// `from.1 + 1`), applies the contribution-count changes and appends the
    /// audit entry, all in one transaction; returns whether it was still
    /// there. The compare-and-set keeps two requests (or two processes)
    /// from both acting on what they read.
    fn transition_submission(
        &self,
        s: Submission,
        from: (&str, i64),
        contributions: Vec<(String, String, i64)>,
        audit: Option<AuditDraft>,
        now: Micros,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Erases what the database keeps of rows' earlier contents beyond the
    /// rows themselves (SQLite's write-ahead log, PostgreSQL's dead row
    /// versions of submissions), so that a copy of the database taken after a
    /// release does not hold a released submission's earlier state (its
    /// arrival time). Called after each release batch.
    fn forget_old_versions(&self) -> impl Future<Output = Result<()>> + Send;
    /// Whether `id` belonged to an organization that was deleted (ids are
    /// never reused).
    fn org_retired(&self, id: &str) -> impl Future<Output = Result<bool>> + Send;
    /// One submission.
    fn submission(&self, id: &str) -> impl Future<Output = Result<Option<Submission>>> + Send;
    /// The submission a receipt hash belongs to.
    fn submission_by_receipt(
        &self,
        receipt_hash: &str,
    ) -> impl Future<Output = Result<Option<Submission>>> + Send;
    /// Submissions in a state (all states when `None`), oldest first.
    fn submissions(
        &self,
        state: Option<&str>,
    ) -> impl Future<Output = Result<Vec<Submission>>> + Send;
    /// Every (bucket, tag, count).
    fn contributions(&self) -> impl Future<Output = Result<Vec<(String, String, i64)>>> + Send;
    /// The position of the last audit entry (0 when there is none).
    fn audit_head(&self) -> impl Future<Output = Result<i64>> + Send;
    /// Audit entries after position `after`, oldest first, at most `limit`.
    fn audit_entries(
        &self,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<AuditEntry>>> + Send;
    /// Finds a token by the hash of its secret.
    fn token_by_hash(&self, hash: &str)
    -> impl Future<Output = Result<Option<TokenRecord>>> + Send;
    /// Reads a hub setting.
    fn setting(&self, key: &str) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Writes a hub setting, replacing any value.
    fn put_setting(&self, key: &str, value: &str) -> impl Future<Output = Result<()>> + Send;
    /// Writes a hub setting if it is not set yet; returns the value in force.
    fn init_setting(&self, key: &str, value: &str) -> impl Future<Output = Result<String>> + Send;
    /// Number of stored object versions (for metrics).
    fn count_versions(&self) -> impl Future<Output = Result<u64>> + Send;
    /// Every console user, by login.
    fn users(&self) -> impl Future<Output = Result<Vec<UserRecord>>> + Send;
    /// One console user.
    fn user(&self, login: &str) -> impl Future<Output = Result<Option<UserRecord>>> + Send;
    /// Stores a session, replacing one with the same hash (a touch).
    fn put_session(&self, s: SessionRecord) -> impl Future<Output = Result<()>> + Send;
    /// The session with this hash.
    fn session(&self, hash: &str) -> impl Future<Output = Result<Option<SessionRecord>>> + Send;
    /// Ends one session.
    fn end_session(&self, hash: &str) -> impl Future<Output = Result<()>> + Send;
    /// Removes sessions last used before `before`; returns how many.
    fn purge_sessions(&self, before: Micros) -> impl Future<Output = Result<u64>> + Send;
    /// The positions of the versions, in any collection, whose folded text
    /// contains `text` and/or that carry the value `value` (at least one is
    /// given), below `before` (all when `None`), newest first, at most
    /// `limit`: the candidates of a search, read from the index alone
    /// (nothing here reaches a caller; the reader then reads them through
    /// the policy).
    fn search_candidates(
        &self,
        text: Option<String>,
        value: Option<String>,
        before: Option<i64>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<i64>>> + Send;
    /// Stored versions after position `after_seq` in every collection,
    /// `(seq, json)`, in seq order: for indexing rows stored before the
    /// search index existed (nothing read here reaches a caller).
    fn versions_after(
        &self,
        after_seq: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<(i64, String)>>> + Send;
    /// Indexes stored versions for search: `(seq, folded text, values)`.
    fn put_index(
        &self,
        entries: Vec<(i64, String, Vec<String>)>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Adds a version of a record — the first (`rev` 1) or the one after the
    /// newest — with its audit entry and stream events, in one transaction.
    /// `false` (and nothing written) if another version took that place
    /// first: read the record again and decide anew.
    fn add_record(
        &self,
        version: RecordVersion,
        audit: Vec<AuditDraft>,
        events: Vec<(String, String)>,
        now: Micros,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// The newest version of a record.
    fn record(
        &self,
        kind: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<RecordVersion>>> + Send;
    /// Every version of a record, oldest first.
    fn record_history(
        &self,
        kind: &str,
        id: &str,
    ) -> impl Future<Output = Result<Vec<RecordVersion>>> + Send;
    /// The newest versions of the records that match, newest first.
    fn records(
        &self,
        filter: RecordFilter,
    ) -> impl Future<Output = Result<Vec<RecordVersion>>> + Send;
    /// The position of the newest stream event of `topic` (0 if none).
    fn stream_head(&self, topic: &str) -> impl Future<Output = Result<i64>> + Send;
    /// Stream events of `topic` after position `after`, in order.
    fn events_after(
        &self,
        topic: &str,
        after: i64,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<StreamEvent>>> + Send;
}
