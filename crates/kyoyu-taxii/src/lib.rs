//! The TAXII 2.1 transport of the hub (spec: oasis-tcs/cti-taxii2).
//!
//! Axum handlers turn requests into [`kyoyu_store::Store`] calls. This
//! crate owns the TAXII wire format, content negotiation, authentication,
//! signed `next` cursors and the error table ([`error`]). It holds no SQL
//! and no per-process paging state: any number of hub processes can serve
//! the same database.

pub mod error;
mod handlers;
pub mod keys;
mod metrics;
pub mod query;

use error::{ErrorKind, TaxiiError};
use keys::Key;
use kyoyu_store::{ApiRoot, Collection, Store, TokenRecord};
use std::sync::Arc;

pub use handlers::{router, with_trailing_slash};
pub use metrics::Metrics;

/// Hub settings the TAXII layer needs.
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
}

/// What a caller may do, from its token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Token id (never the secret).
    pub token_id: String,
    admin: bool,
    read: Vec<String>,
    write: Vec<String>,
}

impl Caller {
    /// Whether it administers the hub.
    pub fn is_admin(&self) -> bool {
        self.admin
    }

    /// Whether it may read a collection.
    pub fn can_read(&self, collection: &str) -> bool {
        self.admin || self.read.iter().any(|c| c == "*" || c == collection)
    }

    /// Whether it may write a collection.
    pub fn can_write(&self, collection: &str) -> bool {
        self.admin || self.write.iter().any(|c| c == "*" || c == collection)
    }
}

/// Settings keys in the store.
const TOKEN_KEY: &str = "token-key";
const CURSOR_KEY: &str = "cursor-key";
/// The hub's own STIX identity (JSON), created once; later issues attribute
/// concealed and re-published content to it.
pub const HUB_IDENTITY: &str = "hub-identity";

/// The default API root and collection created on an empty hub.
pub const DEFAULT_ROOT: &str = "hub";

impl<S: Store> Hub<S> {
    /// Opens the hub over a store, creating keys, the default API root and
    /// collection on first start. Keys live in the database, so every
    /// process serving it signs and checks the same way.
    pub async fn open(store: S, config: HubConfig) -> Result<Arc<Self>, kyoyu_store::StoreError> {
        let token_key =
            Key::from_text(&store.init_setting(TOKEN_KEY, &Key::generate_text()).await?);
        let cursor_key = Key::from_text(
            &store
                .init_setting(CURSOR_KEY, &Key::generate_text())
                .await?,
        );
        let now = kyoyu_stix::Timestamp::from_unix(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(0)),
            0,
            3,
        );
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
        if store.api_roots().await?.is_empty() {
            store
                .put_api_root(ApiRoot {
                    path: DEFAULT_ROOT.into(),
                    title: "kyoyu hub".into(),
                    description: Some("The hub's API root".into()),
                })
                .await?;
            store
                .put_collection(Collection {
                    id: uuid::Uuid::new_v4().to_string(),
                    api_root: DEFAULT_ROOT.into(),
                    title: "Default".into(),
                    description: Some("The hub's default collection".into()),
                    alias: Some("default".into()),
                })
                .await?;
        }
        Ok(Arc::new(Self {
            store,
            config,
            token_key,
            cursor_key,
            metrics: Metrics::default(),
        }))
    }

    /// Creates a token; returns the secret, which is shown once and never stored.
    pub async fn create_token(
        &self,
        name: &str,
        admin: bool,
        read: Vec<String>,
        write: Vec<String>,
        expires: Option<i64>,
    ) -> Result<String, kyoyu_store::StoreError> {
        let secret = keys::new_token_secret();
        let id = secret.get(6..14).unwrap_or_default().to_owned();
        self.store
            .put_token(TokenRecord {
                id,
                hash: self.token_key.hash_hex(&secret),
                name: name.to_owned(),
                admin,
                read,
                write,
                expires,
                revoked: false,
            })
            .await?;
        Ok(secret)
    }

    /// Who presents this secret, if anyone (unknown, expired and revoked tokens: none).
    pub async fn authenticate(&self, secret: &str, now: i64) -> Result<Option<Caller>, TaxiiError> {
        let Some(t) = self
            .store
            .token_by_hash(&self.token_key.hash_hex(secret))
            .await?
        else {
            return Ok(None);
        };
        if t.revoked || t.expires.is_some_and(|e| e <= now) {
            return Ok(None);
        }
        Ok(Some(Caller {
            token_id: t.id,
            admin: t.admin,
            read: t.read,
            write: t.write,
        }))
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
