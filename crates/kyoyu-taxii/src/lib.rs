//! The HTTP transport of the hub: TAXII 2.1 (spec: oasis-tcs/cti-taxii2)
//! and the REST administration API.
//!
//! Axum handlers turn requests into [`kyoyu_store::Store`] calls and ask
//! [`kyoyu_trust::policy`] what each caller may see and do. This crate
//! owns the wire formats, content negotiation, authentication, abuse
//! limits, signed `next` cursors and the error table ([`error`]). It holds
//! no SQL, no access rules of its own and no per-process paging state: any
//! number of hub processes can serve the same database.

mod admin;
mod auth;
pub mod error;
pub mod guard;
mod handlers;
pub mod keys;
mod metrics;
mod openapi;
pub mod query;
mod rest;
mod submit;

use error::{ErrorKind, TaxiiError};
use keys::Key;
use kyoyu_store::{ApiRoot, AuditDraft, Change, Collection, Store, StoreError, TokenRecord};
use kyoyu_trust::seeds::Seeds;
use kyoyu_trust::{Directory, Membership, Org, OrgKind, Principal, Role, View};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock, Weak};
use std::time::Duration;

pub use handlers::{router, with_trailing_slash};
pub use metrics::Metrics;
pub use submit::ConcealConfig;

/// Hub settings the transport needs.
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
        }
    }
}

/// Shared state of a running hub.
#[derive(Debug)]
pub struct Hub<S> {
    /// Storage.
    pub store: S,
    /// Settings.
    pub config: HubConfig,
    token_key: Key,
    cursor_key: Key,
    /// Counters for `/metrics`.
    pub metrics: Metrics,
    seeds: Seeds,
    directory: RwLock<Arc<Directory>>,
    catalog: RwLock<Arc<Catalog>>,
    audit: tokio::sync::mpsc::Sender<AuditDraft>,
    /// Audit entries queued and not yet appended.
    audit_pending: Arc<AtomicU64>,
    guard: guard::Guard,
    /// (collection, organization) → share of rows its last page hid (a hint only).
    hidden: std::sync::Mutex<std::collections::HashMap<(String, String), f64>>,
}

/// The authenticated caller of one request: its token and principal, and
/// the directory snapshot every decision of the request is made against.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Token id (never the secret).
    pub token_id: String,
    /// Organization and role.
    pub principal: Principal,
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

    /// An audit draft of something this caller did.
    pub fn audit(&self, action: &str, target: &str, detail: serde_json::Value) -> AuditDraft {
        AuditDraft {
            actor_org: self.principal.org.clone(),
            actor_token: self.token_id.clone(),
            action: action.to_owned(),
            target: target.to_owned(),
            detail,
        }
    }
}

/// The API roots and collections, kept in memory: every TAXII request
/// needs them, and they change only with communities.
#[derive(Debug, Default)]
pub(crate) struct Catalog {
    pub(crate) roots: Vec<ApiRoot>,
    pub(crate) collections: Vec<Collection>,
}

/// Settings keys in the store.
const TOKEN_KEY: &str = "token-key";
const CURSOR_KEY: &str = "cursor-key";
/// The hub's own STIX identity (JSON), created once; later issues attribute
/// concealed and re-published content to it.
pub const HUB_IDENTITY: &str = "hub-identity";

/// The API root every community's collection lives in.
pub const DEFAULT_ROOT: &str = "hub";
/// The organization of the hub itself (its admins' tokens act for it).
pub const HUB_ORG: &str = "hub";

/// How long queued audit entries wait for company before being written.
const AUDIT_WINDOW: Duration = Duration::from_millis(50);

/// How often a process re-reads the members, so that changes made through
/// another process sharing the database take effect.
const DIRECTORY_REFRESH: Duration = Duration::from_secs(2);

fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// The community a collection belongs to.
pub(crate) fn community_of(c: &Collection) -> &str {
    let alias = c.alias.as_deref().unwrap_or_default();
    alias.strip_prefix(submit::SUBMIT_PREFIX).unwrap_or(alias)
}

/// The collection of a community (its alias is the community id).
pub(crate) fn community_collection(id: String, c: &kyoyu_trust::Community) -> Collection {
    Collection {
        id,
        api_root: DEFAULT_ROOT.into(),
        title: c.name.clone(),
        description: Some(match &c.name_ja {
            Some(ja) => format!("{ja} — community '{}'", c.id),
            None => format!("Community '{}'", c.id),
        }),
        alias: Some(c.id.clone()),
    }
}

impl<S: Store> Hub<S> {
    /// Opens the hub over a store. On first start it creates the keys, the
    /// hub's identity and API root, the hub organization, the ministries and
    /// the standing communities of the data files (each with its
    /// collection); later starts add whatever the data files gained. Keys
    /// live in the database, so every process serving it signs and checks
    /// the same way.
    pub async fn open(store: S, config: HubConfig) -> Result<Arc<Self>, StoreError> {
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
        if !store
            .api_roots()
            .await?
            .iter()
            .any(|r| r.path == DEFAULT_ROOT)
        {
            store
                .put_api_root(ApiRoot {
                    path: DEFAULT_ROOT.into(),
                    title: "kyoyu hub".into(),
                    description: Some("One collection per community".into()),
                })
                .await?;
        }
        seed(&store, &seeds, &config.title).await?;
        let (audit, receiver) = tokio::sync::mpsc::channel(10_000);
        let audit_pending = Arc::new(AtomicU64::new(0));
        let hub = Arc::new(Self {
            store,
            guard: guard::Guard::new(config.limits),
            config,
            token_key,
            cursor_key,
            metrics: Metrics::default(),
            seeds,
            directory: RwLock::default(),
            catalog: RwLock::default(),
            audit,
            audit_pending: audit_pending.clone(),
            hidden: std::sync::Mutex::default(),
        });
        hub.reload_directory().await?;
        tokio::spawn(audit_sink(hub.store.clone(), receiver, audit_pending));
        tokio::spawn(refresh_directory(Arc::downgrade(&hub)));
        tokio::spawn(release_batches(Arc::downgrade(&hub)));
        Ok(hub)
    }

    /// The data files in force.
    pub fn seeds(&self) -> &Seeds {
        &self.seeds
    }

    /// The current directory snapshot.
    pub fn directory(&self) -> Arc<Directory> {
        self.directory
            .read()
            .map(|d| Arc::clone(&d))
            .unwrap_or_default()
    }

    /// The current API roots and collections.
    pub(crate) fn catalog(&self) -> Arc<Catalog> {
        self.catalog
            .read()
            .map(|c| Arc::clone(&c))
            .unwrap_or_default()
    }

    /// Re-reads the members, API roots and collections from the store.
    pub async fn reload_directory(&self) -> Result<(), StoreError> {
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
    pub async fn bootstrap_admin_token(&self) -> Result<String, StoreError> {
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
            .apply(vec![Change::PutToken(record)], audit, now_micros())
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
        let secret = keys::new_token_secret();
        let id = secret.get(6..14).unwrap_or_default().to_owned();
        let record = TokenRecord {
            id,
            hash: self.token_key.hash_hex(&secret),
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

    /// Queues an audit entry (reads); a background task appends queued
    /// entries in batches, so reads never wait for a disk flush.
    pub(crate) async fn audit_later(&self, draft: AuditDraft) {
        self.audit_pending.fetch_add(1, Ordering::AcqRel);
        if self.audit.send(draft).await.is_err() {
            self.audit_pending.fetch_sub(1, Ordering::AcqRel);
            tracing::error!("the audit writer has stopped; an entry was not recorded");
        }
    }

    /// Waits (up to ten seconds) until every queued audit entry is appended:
    /// called on shutdown, after the last request has finished.
    pub async fn flush_audit(&self) {
        for _ in 0..1000 {
            if self.audit_pending.load(Ordering::Acquire) == 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        tracing::error!("audit entries still queued at shutdown");
    }

    /// The share of rows a reader's last page of a collection hid (0 when unknown).
    pub(crate) fn hidden_share(&self, key: &(String, String)) -> f64 {
        self.hidden
            .lock()
            .ok()
            .and_then(|m| m.get(key).copied())
            .unwrap_or(0.0)
    }

    /// Remembers how much a page hid, for the next page's first query.
    pub(crate) fn remember_hidden_share(
        &self,
        key: (String, String),
        hidden: usize,
        scanned: usize,
    ) {
        if scanned < 100 {
            return;
        }
        if let Ok(mut m) = self.hidden.lock() {
            if m.len() > 100_000 {
                m.clear();
            }
            // Capped: a reader who sees little is served by the later queries anyway.
            m.insert(key, (hidden as f64 / scanned as f64).min(0.5));
        }
    }

    /// Signs a position in a collection.
    fn cursor(&self, collection: &str, seq: i64) -> String {
        self.cursor_key.sign(&format!("{collection}:{seq}"))
    }

    /// Reads a `next` cursor back, checking its signature and collection.
    fn position(&self, collection: &str, next: &str) -> Result<i64, TaxiiError> {
        let refuse = || {
            TaxiiError::new(
                ErrorKind::BadRequest,
                "next is not a cursor this hub issued for this collection: send back the `next` value of the previous page unchanged",
            )
        };
        let payload = self.cursor_key.verify(next).ok_or_else(refuse)?;
        let (col, seq) = payload.rsplit_once(':').ok_or_else(refuse)?;
        if col != collection {
            return Err(refuse());
        }
        seq.parse().map_err(|_| refuse())
    }
}

/// Creates what the data files describe and the store lacks, in one audited transaction.
async fn seed<S: Store>(store: &S, seeds: &Seeds, title: &str) -> Result<(), StoreError> {
    let rows = store.directory().await?;
    let collections = store.collections(DEFAULT_ROOT).await?;
    let mut changes = Vec::new();
    let mut created = Vec::new();
    if !rows.orgs.iter().any(|o| o.id == HUB_ORG) {
        changes.push(Change::PutOrg(Org {
            id: HUB_ORG.into(),
            kind: OrgKind::Hub,
            name: title.to_owned(),
            name_ja: None,
            sectors: Vec::new(),
            country: "JP".into(),
            contacts: Vec::new(),
            domains: Vec::new(),
            ip_ranges: Vec::new(),
            aliases: Vec::new(),
            asns: Vec::new(),
            staff: Vec::new(),
            host_patterns: Vec::new(),
        }));
        created.push(HUB_ORG.to_owned());
    }
    for (c, _) in &seeds.communities {
        if rows.communities.iter().any(|have| have.id == c.id) {
            continue;
        }
        let id = collections
            .iter()
            .find(|col| col.alias.as_deref() == Some(c.id.as_str()))
            .map_or_else(|| uuid::Uuid::new_v4().to_string(), |col| col.id.clone());
        changes.push(Change::PutCommunity(c.clone(), community_collection(id, c)));
        created.push(c.id.clone());
    }
    for m in &seeds.ministries {
        if rows.orgs.iter().any(|o| o.id == m.id) {
            continue;
        }
        changes.push(Change::PutOrg(m.clone()));
        for (community, role) in seeds.auto_memberships(m) {
            changes.push(Change::SetMember(Membership {
                community,
                org: m.id.clone(),
                role,
            }));
        }
        created.push(m.id.clone());
    }
    if changes.is_empty() {
        return Ok(());
    }
    let audit = AuditDraft {
        actor_org: HUB_ORG.into(),
        actor_token: "seed".into(),
        action: "hub.seed".into(),
        target: HUB_ORG.into(),
        detail: serde_json::json!({ "created": created }),
    };
    store.apply(changes, audit, now_micros()).await
}

/// Appends queued audit entries, in batches of whatever is waiting.
async fn audit_sink<S: Store>(
    store: S,
    mut rx: tokio::sync::mpsc::Receiver<AuditDraft>,
    pending: Arc<AtomicU64>,
) {
    while let Some(first) = rx.recv().await {
        // Gather what arrives within a short window: one durable commit for
        // many reads instead of a disk flush per page served.
        let mut batch = vec![first];
        let window = tokio::time::sleep(AUDIT_WINDOW);
        tokio::pin!(window);
        while batch.len() < 1000 {
            tokio::select! {
                more = rx.recv() => match more {
                    Some(d) => batch.push(d),
                    None => break,
                },
                () = &mut window => break,
            }
        }
        let mut tries = 0;
        while let Err(e) = store.append_audit(batch.clone(), now_micros()).await {
            tries += 1;
            tracing::error!(error = %e, tries, "cannot append to the audit trail; retrying");
            tokio::time::sleep(Duration::from_millis(200 * tries)).await;
            if tries >= 20 {
                tracing::error!(entries = batch.len(), "audit entries lost after 20 tries");
                break;
            }
        }
        pending.fetch_sub(batch.len() as u64, Ordering::AcqRel);
    }
}

/// Releases due batches of concealed submissions, every second.
async fn release_batches<S: Store>(hub: Weak<Hub<S>>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(hub) = hub.upgrade() else { return };
        if let Err(e) = hub.release_due().await {
            tracing::warn!(error = %e.description, "cannot release concealed submissions");
        }
    }
}

/// Re-reads the members every few seconds while the hub lives.
async fn refresh_directory<S: Store>(hub: Weak<Hub<S>>) {
    loop {
        tokio::time::sleep(DIRECTORY_REFRESH).await;
        let Some(hub) = hub.upgrade() else { return };
        if let Err(e) = hub.reload_directory().await {
            tracing::warn!(error = %e, "cannot re-read the members");
        }
    }
}
