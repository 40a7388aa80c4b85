//! The application core of the hub.
//!
//! [`Hub`] holds the store, the keys, the directory snapshot and the
//! background jobs; [`Caller`] is who makes a request. The services are
//! methods on the hub, each taking the caller: ingest ([`ingest`]),
//! administration ([`admin`]), concealed submissions and their statistics
//! ([`submissions`]), and [`reader::Reader`], the one way to stored object
//! versions (query → policy → read audit).
//!
//! Architecture Invariant: the store is private to this crate, and inside
//! it object versions are read only in `reader.rs`. Transports (TAXII,
//! REST, later the console and federation) reach stored objects only
//! through the services, so no new endpoint can read around the policy
//! or the read audit. This crate has no HTTP types.

pub mod admin;
mod auth;
mod catalog;
pub mod error;
pub mod guard;
pub mod hotline;
pub mod incident_stix;
mod indexing;
pub mod ingest;
mod jobs;
pub mod keys;
pub mod messages;
pub mod reader;
pub mod reporting;
pub mod search;
pub mod submissions;
pub mod time;
pub mod totp;
pub mod users;

pub use catalog::{Catalog, SUBMIT_PREFIX, community_of, is_submit};
pub use error::{Error, ErrorKind};
pub use ingest::IngestCounts;
/// The bound every storage backend meets (the binary picks one); the
/// store itself stays inside the hub.
pub use kyoyu_store::Store as Backend;
pub use kyoyu_store::{
    ApiRoot, Collection, Micros, Status, StatusDetail, StoredVersion, VersionSelect,
};
pub use kyoyu_trust::View;
pub use submissions::ConcealConfig;

use keys::Key;
use kyoyu_store::{AuditDraft, Change, Store, StoreError, TokenRecord};
use kyoyu_trust::seeds::Seeds;
use kyoyu_trust::{Directory, Principal, Role};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use time::now_micros;

/// Hub settings.
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Discovery title.
    pub title: String,
    /// Discovery description.
    pub description: String,
    /// Contact shown in discovery.
    pub contact: String,
    /// Largest request body accepted, in bytes (TAXII `max_content_length`).
    pub max_content_length: usize,
    /// Page size when the client gives no `limit`.
    pub default_page: usize,
    /// Largest page served, whatever `limit` says.
    pub max_page: usize,
    /// Per-token rate limits and failed-login backoff.
    pub limits: guard::Limits,
    /// Sectors, ministries and standing communities (the shipped data files unless given).
    pub seeds: Option<Seeds>,
    /// Source-concealed sharing: one switch per stage.
    pub conceal: ConcealConfig,
    /// Reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Vec<kyoyu_trust::net::Cidr>,
    /// How many request bodies (POST, PUT) are read and handled at once;
    /// more wait, unread, in their connections (0: no bound). Bounds the
    /// memory hundreds of concurrent writers take.
    pub bodies_in_flight: usize,
    /// The hub runs the demonstration world (`kyoyu serve --demo`): the
    /// console marks every page as a demo.
    pub demo: bool,
    /// How long a hotline call waits for an acknowledgement before it
    /// escalates to the next officer on duty.
    pub hotline_ack: std::time::Duration,
    /// The reporting regimes (the shipped ones unless given: `--regimes`).
    pub regimes: Option<kyoyu_report::Profiles>,
    /// Organizations' webhooks may point at private, loopback and
    /// link-local addresses (a hub on a private network); off by default,
    /// so the hub cannot be made to post into its own network.
    pub private_webhooks: bool,
    /// How long before a reporting deadline the filer is reminded (each
    /// lead once per stage; an overdue notice follows a missed deadline).
    pub remind_before: Vec<std::time::Duration>,
}

impl Default for HubConfig {
    fn default() -> Self {
        Self {
            title: "kyoyu".into(),
            description: "Critical-infrastructure threat-sharing hub".into(),
            contact: "hub operator".into(),
            max_content_length: 100 * 1024 * 1024,
            default_page: 1000,
            max_page: 10_000,
            limits: guard::Limits::default(),
            seeds: None,
            conceal: ConcealConfig::default(),
            trusted_proxies: Vec::new(),
            bodies_in_flight: 8,
            demo: false,
            hotline_ack: std::time::Duration::from_secs(15 * 60),
            regimes: None,
            private_webhooks: false,
            remind_before: vec![
                std::time::Duration::from_secs(24 * 3600),
                std::time::Duration::from_secs(2 * 3600),
            ],
        }
    }
}

/// Shared state of a running hub.
#[derive(Debug)]
pub struct Hub<S> {
    /// Private: reads of object versions go through `reader.rs`, which
    /// applies the policy and the read audit.
    store: S,
    config: HubConfig,
    token_key: Key,
    cursor_key: Key,
    ingest: IngestCounts,
    /// Wakes the search indexer; tells it whether a load is running.
    indexing: indexing::Indexing,
    seeds: Seeds,
    directory: RwLock<Arc<Directory>>,
    catalog: RwLock<Arc<Catalog>>,
    audit: tokio::sync::mpsc::Sender<jobs::Queued>,
    /// Audit entries queued and not yet appended.
    audit_pending: Arc<AtomicU64>,
    guard: guard::Guard,
    /// (collection, organization) → share of rows its last page hid (a hint only).
    hidden: std::sync::Mutex<std::collections::HashMap<(String, String), f64>>,
    /// Held while a revocation checks and revokes, so two admins revoking
    /// each other's token at once cannot leave no hub-admin token.
    revocations: tokio::sync::Mutex<()>,
    /// The live streams' broadcast (see `hotline.rs`).
    streams: hotline::Streams,
}

/// The authenticated caller of one request: its token and principal, and
/// the directory snapshot every decision of the request is made against.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Token id (never the secret).
    pub token_id: String,
    /// Organization and role.
    pub principal: Principal,
    /// The presented token's expiry (micros) and allow-list: the widest a
    /// token it issues may be.
    pub(crate) limits: (Option<i64>, Vec<String>),
    directory: Arc<Directory>,
}

impl Caller {
    /// The caller's view of a community.
    pub fn view(&self, community: &str) -> View {
        View::of(&self.directory, &self.principal, community)
    }

    /// The caller's view of a collection (through the community that owns
    /// it; a `submit-` collection belongs to its community too).
    pub fn view_of(&self, c: &Collection) -> View {
        self.view(community_of(c))
    }

    /// The directory snapshot of this request.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// An audit draft of something this caller did.
    pub(crate) fn audit(
        &self,
        action: &str,
        target: &str,
        detail: serde_json::Value,
    ) -> AuditDraft {
        AuditDraft {
            actor_org: self.principal.org.clone(),
            actor_token: self.token_id.clone(),
            action: action.to_owned(),
            target: target.to_owned(),
            detail,
        }
    }
}

/// Settings keys in the store.
const TOKEN_KEY: &str = "token-key";
const CURSOR_KEY: &str = "cursor-key";
/// The hub's own STIX identity (JSON), created once; concealed and
/// re-published content is attributed to it.
const HUB_IDENTITY: &str = "hub-identity";
/// A value that tells whether a process has the database's local key.
const LOCAL_KEY_CHECK: &str = "local-key-check";

/// The API root every community's collection lives in.
pub const DEFAULT_ROOT: &str = "hub";
/// The organization of the hub itself (its admins' tokens act for it).
pub const HUB_ORG: &str = "hub";

impl<S: Store> Hub<S> {
    /// Opens the hub over a store. On first start it creates the keys, the
    /// hub's identity and API root, the hub organization, the ministries and
    /// the standing communities of the data files (each with its
    /// collection); later starts add whatever the data files gained. Keys
    /// live in the database, so every process serving it signs and checks
    /// the same way. Starts the background jobs ([`jobs`]).
    pub async fn open(store: S, config: HubConfig) -> Result<Arc<Self>, Error> {
        let seeds = match &config.seeds {
            Some(s) => s.clone(),
            None => Seeds::builtin().map_err(StoreError)?,
        };
        let token_key =
            Key::from_text(&store.init_setting(TOKEN_KEY, &Key::generate_text()).await?);
        let cursor_key = Key::from_text(
            &store
                .init_setting(CURSOR_KEY, &Key::generate_text())
                .await?,
        );
        let now = kyoyu_stix::Timestamp::from_unix(now_micros() / 1_000_000, 0, 3);
        let identity = serde_json::json!({
            "type": "identity",
            "spec_version": "2.1",
            "id": format!("identity--{}", uuid::Uuid::new_v4()),
            "created": now.to_string(),
            "modified": now.to_string(),
            "name": config.title,
            "identity_class": "organization",
            "description": config.description,
        });
        store
            .init_setting(HUB_IDENTITY, &identity.to_string())
            .await?;
        // Every process on one database must hold the same local key (tags
        // counted with two keys would count one organization twice).
        let check = config.conceal.local_key.check_value();
        if store.init_setting(LOCAL_KEY_CHECK, check).await? != check {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "this database was set up with another local key (`--local-key-file`, by default the `tag-key` file of the data folder): give this node the first node's key file; every node of one database needs the same key",
            ));
        }
        catalog::seed(&store, &seeds, &config.title).await?;
        let (audit, receiver) = tokio::sync::mpsc::channel(10_000);
        let audit_pending = Arc::new(AtomicU64::new(0));
        let hub = Arc::new(Self {
            store,
            guard: guard::Guard::new(config.limits),
            config,
            token_key,
            cursor_key,
            ingest: IngestCounts::default(),
            indexing: indexing::Indexing::default(),
            seeds,
            directory: RwLock::default(),
            catalog: RwLock::default(),
            audit,
            audit_pending: audit_pending.clone(),
            hidden: std::sync::Mutex::default(),
            revocations: tokio::sync::Mutex::new(()),
            streams: hotline::Streams::new(),
        });
        hub.reload_directory().await?;
        // A database from before statistics were published per batch.
        hub.publish_statistics_if_missing().await?;
        jobs::start(&hub, receiver, audit_pending);
        Ok(hub)
    }

    /// The settings in force.
    pub fn config(&self) -> &HubConfig {
        &self.config
    }

    /// The data files in force.
    pub fn seeds(&self) -> &Seeds {
        &self.seeds
    }

    /// Counts of ingested and refused objects since start.
    pub fn ingest_counts(&self) -> &IngestCounts {
        &self.ingest
    }

    /// The current directory snapshot.
    pub(crate) fn directory(&self) -> Arc<Directory> {
        self.directory
            .read()
            .map(|d| Arc::clone(&d))
            .unwrap_or_default()
    }

    /// The current API roots and collections.
    pub fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .map(|c| Arc::clone(&c))
            .unwrap_or_default()
    }

    /// The hub's STIX identity object, as stored.
    pub async fn identity(&self) -> Result<String, Error> {
        Ok(self
            .store
            .setting(HUB_IDENTITY)
            .await?
            .unwrap_or_else(|| "{}".into()))
    }

    /// Whether the storage answers (for readiness probes).
    pub async fn ready(&self) -> bool {
        self.store.api_roots().await.is_ok()
    }

    /// How many object versions are stored, for those allowed to know the
    /// hub's size (hub admins, read-only ones too); `None` for everyone else.
    pub async fn stored_versions(&self, who: &Caller) -> Result<Option<u64>, Error> {
        if !kyoyu_trust::policy::may_see_metrics(&who.principal) {
            return Ok(None);
        }
        Ok(Some(self.store.count_versions().await?))
    }

    /// Re-reads the members, API roots and collections from the store.
    pub async fn reload_directory(&self) -> Result<(), Error> {
        let rows = self.store.directory().await?;
        let fresh = Arc::new(Directory::new(
            rows.orgs,
            rows.communities,
            rows.memberships,
        ));
        let mut collections = Vec::new();
        let roots = self.store.api_roots().await?;
        for r in &roots {
            collections.extend(self.store.collections(&r.path).await?);
        }
        if let Ok(mut d) = self.directory.write() {
            *d = fresh;
        }
        if let Ok(mut c) = self.catalog.write() {
            *c = Arc::new(Catalog { roots, collections });
        }
        Ok(())
    }

    /// Creates the first hub-admin token (at first start); returns the
    /// secret, which is shown once and never stored.
    pub async fn bootstrap_admin_token(&self) -> Result<String, Error> {
        let (secret, record) =
            self.new_token(HUB_ORG, Role::HubAdmin, "admin", false, Vec::new(), None);
        let audit = AuditDraft {
            actor_org: HUB_ORG.into(),
            actor_token: "bootstrap".into(),
            action: "token.create".into(),
            target: record.id.clone(),
            detail: serde_json::json!({"org": HUB_ORG, "role": "hub-admin", "name": "admin"}),
        };
        self.store
            .apply(vec![Change::AddToken(record)], audit, now_micros())
            .await?;
        Ok(secret)
    }

    /// A fresh secret and the record that stores its keyed hash.
    fn new_token(
        &self,
        org: &str,
        role: Role,
        name: &str,
        read_only: bool,
        ip_allow: Vec<String>,
        expires: Option<i64>,
    ) -> (String, TokenRecord) {
        mint_token(
            &self.token_key,
            org,
            role,
            name,
            read_only,
            ip_allow,
            expires,
        )
    }

    /// Appends a read's audit entry before the answer leaves: the entry
    /// joins whatever is queued and the writer commits them together (group
    /// commit), so many readers share one durable write and none is
    /// answered before its read is on record. If the trail cannot take it,
    /// the read is refused (503), never answered unrecorded.
    pub(crate) async fn audit_now(&self, draft: AuditDraft) -> Result<(), Error> {
        let (done, written) = tokio::sync::oneshot::channel();
        self.audit_pending.fetch_add(1, Ordering::AcqRel);
        if self.audit.send((draft, Some(done))).await.is_err() {
            self.audit_pending.fetch_sub(1, Ordering::AcqRel);
            tracing::error!("the audit writer has stopped; a read was refused");
            return Err(Error::said(ErrorKind::Unavailable, "audit.busy", &[]));
        }
        // Not forever: while the database is unreachable the read is refused.
        // (The entry stays queued and is written later: a refused read is
        // recorded, never an answered one unrecorded.)
        match tokio::time::timeout(std::time::Duration::from_secs(30), written).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(Error::said(ErrorKind::Unavailable, "audit.busy", &[])),
        }
    }

    /// Waits until every queued audit entry is appended: called on
    /// shutdown, after the last request has finished. It does not give up:
    /// an entry is never dropped (while the store is unreachable it says so
    /// every few seconds).
    pub async fn flush_audit(&self) {
        let started = std::time::Instant::now();
        let mut said = 0;
        while self.audit_pending.load(Ordering::Acquire) > 0 {
            let waited = started.elapsed().as_secs() / 5;
            if waited > said {
                said = waited;
                tracing::warn!(
                    pending = self.audit_pending.load(Ordering::Acquire),
                    "waiting for the audit trail to take the queued entries before stopping"
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

/// A fresh secret and the record that stores its keyed hash.
fn mint_token(
    key: &Key,
    org: &str,
    role: Role,
    name: &str,
    read_only: bool,
    ip_allow: Vec<String>,
    expires: Option<i64>,
) -> (String, TokenRecord) {
    let secret = keys::new_token_secret();
    // The public id tells nothing about the secret.
    let id = keys::new_token_id();
    let record = TokenRecord {
        id,
        hash: key.hash_hex(&secret),
        name: name.to_owned(),
        org: org.to_owned(),
        role: role.name().to_owned(),
        read_only,
        ip_allow,
        expires,
        revoked: false,
        created: now_micros(),
    };
    (secret, record)
}

/// Issues a new hub-admin token directly on a hub's store, for an operator
/// who has lost every admin token (`kyoyu admin recover`): holding the
/// database is the authority. The token and its audit entry are written in
/// one transaction; returns the secret (shown once, never stored) and the
/// token's public id.
pub async fn recover_admin_token<S: Store>(store: &S) -> Result<(String, String), Error> {
    let Some(key) = store.setting(TOKEN_KEY).await? else {
        return Err(Error::bad(
            "this database holds no hub yet (no token key): start it once with `kyoyu serve`, which creates the first admin token",
        ));
    };
    let key = Key::from_text(&key);
    let (secret, record) = mint_token(
        &key,
        HUB_ORG,
        Role::HubAdmin,
        "recovered admin",
        false,
        Vec::new(),
        None,
    );
    let id = record.id.clone();
    let audit = AuditDraft {
        actor_org: HUB_ORG.into(),
        actor_token: "recover".into(),
        action: "token.create".into(),
        target: id.clone(),
        detail: serde_json::json!({
            "org": HUB_ORG, "role": "hub-admin", "name": "recovered admin",
            "how": "kyoyu admin recover, run offline on the data folder",
        }),
    };
    store
        .apply(vec![Change::AddToken(record)], audit, now_micros())
        .await?;
    Ok((secret, id))
}
