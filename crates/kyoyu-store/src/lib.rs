//! The storage seam of the hub.
//!
//! [`Store`] is the one trait every backend implements (SQLite in
//! `kyoyu-store-sqlite`, PostgreSQL later in its own crate); the TAXII layer
//! is generic over it. The store keeps what it is given and answers
//! queries: it has no rules about content. Validation, access policy and
//! TAXII semantics live above it.
//!
//! Architecture Invariant: only store crates contain SQL.

use std::fmt;
use std::future::Future;

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
    /// TAXII alias (later: the community id).
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
    /// Whether it administers the hub.
    pub admin: bool,
    /// Collections it may read (`*` for all).
    pub read: Vec<String>,
    /// Collections it may write (`*` for all).
    pub write: Vec<String>,
    /// Expiry (micros), if any.
    pub expires: Option<Micros>,
    /// Revoked tokens are refused.
    pub revoked: bool,
}

/// How a token's collection lists are kept in one text column (a JSON
/// array), the same in every backend.
pub fn encode_list(list: &[String]) -> String {
    serde_json::to_string(list).unwrap_or_else(|_| "[]".into())
}

/// Reads back what [`encode_list`] wrote (an unreadable value grants nothing).
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
    /// Creates or updates a collection.
    fn put_collection(&self, collection: Collection) -> impl Future<Output = Result<()>> + Send;
    /// Adds versions to a collection in one durable transaction; one outcome per input, in order.
    /// `now` is the time of the request; `date_added` values are made strictly increasing.
    fn add_versions(
        &self,
        collection: &str,
        versions: Vec<NewVersion>,
        now: Micros,
    ) -> impl Future<Output = Result<Vec<Added>>> + Send;
    /// Runs a query.
    fn query(&self, query: Query) -> impl Future<Output = Result<Page>> + Send;
    /// Deletes versions of an object selected by `versions`; returns how many.
    fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionSelect,
        spec_versions: Vec<String>,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Saves a status resource.
    fn put_status(&self, status: Status) -> impl Future<Output = Result<()>> + Send;
    /// Reads a status resource.
    fn status(
        &self,
        api_root: &str,
        id: &str,
    ) -> impl Future<Output = Result<Option<Status>>> + Send;
    /// Saves a token.
    fn put_token(&self, token: TokenRecord) -> impl Future<Output = Result<()>> + Send;
    /// Finds a token by the hash of its secret.
    fn token_by_hash(&self, hash: &str)
    -> impl Future<Output = Result<Option<TokenRecord>>> + Send;
    /// Reads a hub setting.
    fn setting(&self, key: &str) -> impl Future<Output = Result<Option<String>>> + Send;
    /// Writes a hub setting if it is not set yet; returns the value in force.
    fn init_setting(&self, key: &str, value: &str) -> impl Future<Output = Result<String>> + Send;
    /// Number of stored object versions (for metrics).
    fn count_versions(&self) -> impl Future<Output = Result<u64>> + Send;
}
