//! The PostgreSQL store: the same records as the SQLite store, for
//! deployments where several hub processes share one database.
//!
//! Writers lock the single `clock` row for their transaction, so versions
//! become visible in `seq` order and `date_added` only grows: a `next`
//! cursor issued by any process never skips or repeats an object.
//!
//! Audit appends hold a transaction-scoped advisory lock from reading the
//! last entry to commit, so the hash chain never forks either; triggers
//! make the `audit` table append-only.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use kyoyu_store::logic::{
    ChainEnd, INTERN_LIST, Insert, StoredObject, change_statements, interned, pending_refs,
    plan_add, repair_version, resolve_refs, seal_after,
};
use kyoyu_store::{
    Added, ApiRoot, AuditDraft, AuditEntry, Change, Collection, DirectoryRows, Micros, NewVersion,
    Page, Query, RecordFilter, RecordVersion, Result, SessionRecord, Status, Store, StoreError,
    StoredVersion, StreamEvent, Submission, TokenRecord, UserRecord, VersionSelect, decode_list,
    encode_list, parties_column, parties_of, recipients_column, tlp_code, tlp_from_code,
};

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Transaction};

/// The triggers that keep the audit trail append-only (first made by
/// migration 0002).
const AUDIT_GUARDS: &str = "
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$;
CREATE OR REPLACE TRIGGER audit_no_update_or_delete BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
";

const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../migrations/0001_initial.sql")),
    (2, include_str!("../migrations/0002_trust.sql")),
    (3, include_str!("../migrations/0003_submissions.sql")),
    (4, include_str!("../migrations/0004_contributions.sql")),
    (
        5,
        include_str!("../migrations/0005_submission_revisions.sql"),
    ),
    (6, include_str!("../migrations/0006_retired_orgs.sql")),
    (7, include_str!("../migrations/0007_recipient_lists.sql")),
    (
        8,
        include_str!("../migrations/0008_retire_deleted_orgs.sql"),
    ),
    (9, include_str!("../migrations/0009_canonical_ids.sql")),
    (10, include_str!("../migrations/0010_users_sessions.sql")),
    (11, include_str!("../migrations/0011_search.sql")),
    (12, include_str!("../migrations/0012_records.sql")),
];

/// The schema version whose migration also runs [`repair_versions`].
const REPAIR_VERSION: i32 = 9;

/// `url` without its query parameter `name`, and that parameter's value
/// (tokio-postgres does not know `sslrootcert`, which libpq URLs carry).
fn take_param(url: &str, name: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_owned(), None);
    };
    let mut value = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.split_once('=') {
            Some((k, v)) if k == name => {
                value = Some(v.to_owned());
                false
            }
            _ => true,
        })
        .collect();
    let url = if rest.is_empty() {
        base.to_owned()
    } else {
        format!("{base}?{}", rest.join("&"))
    };
    (url, value)
}

/// A rustls connector trusting the system's roots and, when given, the CA
/// certificates in `root_file` (PEM).
fn tls_connector(root_file: Option<&str>) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        // A system certificate rustls cannot use is skipped, not fatal.
        let _ = roots.add(cert);
    }
    if let Some(path) = root_file {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| StoreError(format!("sslrootcert={path}: {e}")))?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| StoreError(format!("sslrootcert={path}: {e}")))?;
        if certs.is_empty() {
            return Err(StoreError(format!(
                "sslrootcert={path} holds no PEM certificate"
            )));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| StoreError(format!("sslrootcert={path}: {e}")))?;
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(err)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// One column of a row, or an error (never a panic) when the database
/// holds something else than the schema says.
fn cell<'a, T: tokio_postgres::types::FromSql<'a>>(
    r: &'a tokio_postgres::Row,
    i: usize,
) -> Result<T> {
    r.try_get(i).map_err(err)
}

/// Recomputes the first/last flags of one object (`$1` collection, `$2` id)
/// after its versions changed.
const REFRESH_FLAGS: &str = "UPDATE objects SET
    is_first = (version_key = (SELECT min(version_key) FROM objects o WHERE o.collection = $1 AND o.id = $2)),
    is_last  = (version_key = (SELECT max(version_key) FROM objects o WHERE o.collection = $1 AND o.id = $2))
 WHERE collection = $1 AND id = $2";

/// Schema version 9: rewrites the versions stored with non-canonical
/// identifiers (see `kyoyu_store::logic::repair_version`); the regular
/// expression only narrows the scan, the decision is the shared one.
async fn repair_versions(tx: &Transaction<'_>) -> Result<()> {
    let rows = tx
        .query(
            "SELECT seq, collection, id, version_key, json, tlp FROM objects
             WHERE json ~ '--[0-9a-fA-F-]{0,35}[A-F]'",
            &[],
        )
        .await
        .map_err(err)?;
    let mut chains = std::collections::BTreeSet::new();
    for r in &rows {
        let (seq, collection, old_id, version_key): (i64, String, String, i64) =
            (cell(r, 0)?, cell(r, 1)?, cell(r, 2)?, cell(r, 3)?);
        let Some(fix) = repair_version(&old_id, cell(r, 4)?, cell(r, 5)?) else {
            continue;
        };
        tx.execute(
            "UPDATE objects SET json = $2, tlp = $3 WHERE seq = $1",
            &[&seq, &fix.json, &fix.tlp],
        )
        .await
        .map_err(err)?;
        // A version already stored under the canonical spelling keeps its
        // row; this one keeps its old id (and its tightened level).
        tx.execute(
            "UPDATE objects SET id = $3 WHERE seq = $1 AND NOT EXISTS
                (SELECT 1 FROM objects o WHERE o.collection = $2 AND o.id = $3 AND o.version_key = $4)",
            &[&seq, &collection, &fix.id, &version_key],
        )
        .await
        .map_err(err)?;
        chains.insert((collection.clone(), old_id));
        chains.insert((collection, fix.id));
    }
    for (collection, id) in chains {
        tx.execute(REFRESH_FLAGS, &[&collection, &id])
            .await
            .map_err(err)?;
    }
    Ok(())
}

/// The advisory lock every audit append holds for the rest of its
/// transaction: the chain has one writer at a time across all processes.
const AUDIT_LOCK: i64 = 8471;

/// The error and its causes: tokio-postgres says only "db error" at the
/// top; the server's message is in the source.
fn err(e: impl std::error::Error) -> StoreError {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    StoreError(text)
}

fn now_micros() -> Micros {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// The PostgreSQL store. Cheap to clone.
#[derive(Clone)]
pub struct PostgresStore {
    pool: Pool,
    /// Versions added since the last `ANALYZE`: a bulk load must not leave
    /// the planner on empty-table statistics (sequential scans per envelope).
    unanalyzed: Arc<AtomicU64>,
    /// Rows at the last `ANALYZE`.
    analyzed_rows: Arc<AtomicU64>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore")
    }
}

impl PostgresStore {
    /// Connects (`postgres://user@host:port/db`) and applies the migrations.
    pub async fn connect(url: &str) -> Result<Self> {
        let (url, root_file) = take_param(url, "sslrootcert");
        let config: tokio_postgres::Config = url.parse().map_err(err)?;
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        // TLS when the URL asks for it (`sslmode=require`, or a CA file):
        // the server's certificate is always verified, against the system's
        // roots and the CA file given.
        let tls = config.get_ssl_mode() == tokio_postgres::config::SslMode::Require
            || root_file.is_some();
        let manager = if tls {
            Manager::from_config(config, tls_connector(root_file.as_deref())?, manager_config)
        } else {
            Manager::from_config(config, NoTls, manager_config)
        };
        let pool = Pool::builder(manager).max_size(16).build().map_err(err)?;
        let store = Self {
            pool,
            unanalyzed: Arc::default(),
            analyzed_rows: Arc::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Whether this store's connections to the server are encrypted.
    pub async fn encrypted(&self) -> Result<bool> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .map_err(err)?;
        Ok(match row {
            Some(r) => cell::<bool>(&r, 0)?,
            None => false,
        })
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.pool.get().await.map_err(err)?;
        let tx = client.transaction().await.map_err(err)?;
        // One migrator at a time across processes.
        tx.execute("SELECT pg_advisory_xact_lock(8470)", &[])
            .await
            .map_err(err)?;
        tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            .await
            .map_err(err)?;
        let current: i32 = tx
            .query_opt("SELECT max(version) FROM schema_version", &[])
            .await
            .map_err(err)?
            .map(|r| cell::<Option<i32>>(&r, 0))
            .transpose()?
            .flatten()
            .unwrap_or(0);
        for (version, sql) in MIGRATIONS {
            if *version > current {
                tx.batch_execute(sql).await.map_err(err)?;
                if *version == REPAIR_VERSION {
                    repair_versions(&tx).await?;
                }
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)",
                    &[version],
                )
                .await
                .map_err(err)?;
            }
        }
        // The audit trail's guards, re-made at every start: one dropped by
        // hand (or by a restore) does not stay dropped.
        tx.batch_execute(AUDIT_GUARDS).await.map_err(err)?;
        tx.commit().await.map_err(err)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(err)
    }

    /// The submission whose `column` (a fixed name, never input) is `value`.
    async fn submission_where(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<Submission>> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                &format!("SELECT doc FROM submissions WHERE {column} = $1"),
                &[&value],
            )
            .await
            .map_err(err)?;
        row.map(|r| serde_json::from_str(cell::<&str>(&r, 0)?).map_err(err))
            .transpose()
    }

    /// Refreshes planner statistics once a fifth of the table (at least 10,000 rows) is new.
    fn note_inserted(&self, n: u64) {
        let pending = self.unanalyzed.fetch_add(n, Ordering::Relaxed) + n;
        let threshold = (self.analyzed_rows.load(Ordering::Relaxed) / 5).max(10_000);
        if pending < threshold
            || self
                .unanalyzed
                .compare_exchange(pending, 0, Ordering::AcqRel, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            let Ok(c) = store.client().await else { return };
            if c.batch_execute("ANALYZE objects").await.is_ok()
                && let Ok(row) = c
                    .query_one(
                        "SELECT reltuples::bigint FROM pg_class WHERE relname = 'objects'",
                        &[],
                    )
                    .await
            {
                store.analyzed_rows.store(
                    cell::<i64>(&row, 0)
                        .ok()
                        .and_then(|n| u64::try_from(n).ok())
                        .unwrap_or(0),
                    Ordering::Relaxed,
                );
            }
        });
    }
}

/// Builds `WHERE` clauses with numbered parameters.
/// A LIKE pattern that finds `text` anywhere, its wildcards escaped.
fn like_anywhere(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

struct Sql {
    text: String,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Sql {
    fn new(text: &str) -> Self {
        Self {
            text: text.to_owned(),
            params: Vec::new(),
        }
    }

    fn param(&mut self, value: impl ToSql + Sync + Send + 'static) -> String {
        self.params.push(Box::new(value));
        format!("${}", self.params.len())
    }

    fn any(&mut self, column: &str, values: &[String]) {
        if !values.is_empty() {
            let p = self.param(values.to_vec());
            self.text.push_str(&format!(" AND {column} = ANY({p})"));
        }
    }

    fn versions(&mut self, v: &VersionSelect) {
        let Some(f) = v.filter() else { return };
        let mut parts = Vec::new();
        if f.last {
            parts.push("is_last".to_owned());
        }
        if f.first {
            parts.push("is_first".to_owned());
        }
        if !f.at.is_empty() {
            let p = self.param(f.at.to_vec());
            parts.push(format!("version_key = ANY({p})"));
        }
        self.text
            .push_str(&format!(" AND ({})", parts.join(" OR ")));
    }

    fn refs(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// Appends audit entries inside a write transaction. The advisory lock,
/// taken before the last entry is read and held until commit, serializes
/// appends across every hub process on the database, so the chain has no
/// forks. Callers take it last, after their other locks.
async fn append_audit_tx(tx: &Transaction<'_>, drafts: &[AuditDraft], now: Micros) -> Result<()> {
    if drafts.is_empty() {
        return Ok(());
    }
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK])
        .await
        .map_err(err)?;
    let last = tx
        .query_opt(
            "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
            &[],
        )
        .await
        .map_err(err)?
        .map(|r| -> Result<ChainEnd> {
            Ok(ChainEnd {
                seq: cell(&r, 0)?,
                hash: cell(&r, 1)?,
                at: cell(&r, 2)?,
            })
        })
        .transpose()?;
    let entries = seal_after(last, drafts, now);
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    let ats: Vec<i64> = entries.iter().map(|e| e.at).collect();
    let column = |f: fn(&AuditEntry) -> &str| -> Vec<&str> { entries.iter().map(f).collect() };
    tx.execute(
        "INSERT INTO audit (seq, at, actor_org, actor_token, action, target, detail, prev, hash)
         SELECT * FROM UNNEST($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[],
                              $6::text[], $7::text[], $8::text[], $9::text[])",
        &[
            &seqs,
            &ats,
            &column(|e| &e.actor_org),
            &column(|e| &e.actor_token),
            &column(|e| &e.action),
            &column(|e| &e.target),
            &column(|e| &e.detail),
            &column(|e| &e.prev),
            &column(|e| &e.hash),
        ],
    )
    .await
    .map_err(err)?;
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(err)
}

const TOKEN_COLUMNS: &str =
    "id, hash, name, org, role, read_only, ip_allow, expires, revoked, created";

fn token_row(r: &tokio_postgres::Row) -> Result<TokenRecord> {
    Ok(TokenRecord {
        id: cell(r, 0)?,
        hash: cell(r, 1)?,
        name: cell(r, 2)?,
        org: cell(r, 3)?,
        role: cell(r, 4)?,
        read_only: cell(r, 5)?,
        ip_allow: decode_list(cell(r, 6)?),
        expires: cell(r, 7)?,
        revoked: cell(r, 8)?,
        created: cell(r, 9)?,
    })
}

/// Saves a token; its hash never changes once stored.
async fn add_token_tx(tx: &Transaction<'_>, t: &TokenRecord) -> Result<()> {
    tx.execute(
        "INSERT INTO tokens (id, hash, name, org, role, read_only, ip_allow, expires, revoked, created)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        &[
            &t.id,
            &t.hash,
            &t.name,
            &t.org,
            &t.role,
            &t.read_only,
            &encode_list(&t.ip_allow),
            &t.expires,
            &t.revoked,
            &t.created,
        ],
    )
    .await
    .map_err(err)?;
    Ok(())
}

async fn apply_tx(tx: &Transaction<'_>, change: &Change) -> Result<()> {
    if let Change::AddToken(t) = change {
        return add_token_tx(tx, t).await;
    }
    for s in change_statements(change).map_err(err)? {
        let params: Vec<&(dyn ToSql + Sync)> =
            s.params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        tx.execute(s.sql, &params).await.map_err(err)?;
    }
    Ok(())
}

impl Store for PostgresStore {
    async fn api_roots(&self) -> Result<Vec<ApiRoot>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT path, title, description FROM api_roots ORDER BY path",
                &[],
            )
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| -> Result<ApiRoot> {
                Ok(ApiRoot {
                    path: cell(r, 0)?,
                    title: cell(r, 1)?,
                    description: cell(r, 2)?,
                })
            })
            .collect::<Result<Vec<_>>>()
    }

    async fn put_api_root(&self, root: ApiRoot) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO api_roots (path, title, description) VALUES ($1, $2, $3)
             ON CONFLICT (path) DO UPDATE SET title = excluded.title, description = excluded.description",
            &[&root.path, &root.title, &root.description],
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn collections(&self, api_root: &str) -> Result<Vec<Collection>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT id, api_root, title, description, alias FROM collections WHERE api_root = $1 ORDER BY title, id",
                &[&api_root],
            )
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| -> Result<Collection> {
                Ok(Collection {
                    id: cell(r, 0)?,
                    api_root: cell(r, 1)?,
                    title: cell(r, 2)?,
                    description: cell(r, 3)?,
                    alias: cell(r, 4)?,
                })
            })
            .collect::<Result<Vec<_>>>()
    }

    async fn add_versions(
        &self,
        collection: &str,
        versions: Vec<NewVersion>,
        now: Micros,
        author: &str,
        audit: AuditDraft,
    ) -> Result<Vec<Added>> {
        // A whole envelope in a few round trips: read what is stored for its
        // ids, decide in memory, clear superseded flags, insert with UNNEST.
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        let last_added: i64 = cell(
            &tx.query_one("SELECT last_added FROM clock WHERE one = 1 FOR UPDATE", &[])
                .await
                .map_err(err)?,
            0,
        )?;
        let ids: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
        let rows = tx
            .query(
                "SELECT id, array_agg(version_key), bool_or(author <> $3 AND author <> '')
                 FROM objects WHERE collection = $1 AND id = ANY($2) GROUP BY id",
                &[&collection, &ids, &author],
            )
            .await
            .map_err(err)?;
        let mut stored: HashMap<String, StoredObject> = HashMap::new();
        for r in &rows {
            let keys: Vec<i64> = cell(r, 1)?;
            stored.insert(
                cell(r, 0)?,
                StoredObject {
                    keys: keys.into_iter().collect(),
                    foreign: cell::<Option<bool>>(r, 2)?.unwrap_or(false),
                },
            );
        }
        let plan = plan_add(versions, stored, last_added, now);
        for (flag, ids) in [
            ("is_last", &plan.clear_last),
            ("is_first", &plan.clear_first),
        ] {
            if !ids.is_empty() {
                tx.execute(
                    &format!(
                        "UPDATE objects SET {flag} = false WHERE collection = $1 AND {flag} AND id = ANY($2)"
                    ),
                    &[&collection, ids],
                )
                .await
                .map_err(err)?;
            }
        }
        let column = |f: fn(&Insert) -> &str| -> Vec<&str> { plan.inserts.iter().map(f).collect() };
        let ids = column(|i| &i.version.id);
        let versions_text = column(|i| &i.version.version);
        let specs = column(|i| &i.version.spec_version);
        let types = column(|i| &i.version.object_type);
        let jsons = column(|i| &i.version.json);
        let keys: Vec<i64> = plan.inserts.iter().map(|i| i.version.version_key).collect();
        let added: Vec<i64> = plan.inserts.iter().map(|i| i.date_added).collect();
        let firsts: Vec<bool> = plan.inserts.iter().map(|i| i.is_first).collect();
        let lasts: Vec<bool> = plan.inserts.iter().map(|i| i.is_last).collect();
        let tlps: Vec<Option<i16>> = plan
            .inserts
            .iter()
            .map(|i| tlp_code(i.version.tlp))
            .collect();
        let (recipients, lists) = interned(&plan.inserts);
        for (r, list) in &lists {
            tx.execute(INTERN_LIST, &[r, list]).await.map_err(err)?;
        }
        if !plan.inserts.is_empty() {
            let inserted = tx.query(
                "INSERT INTO objects (collection, id, version, version_key, spec_version, type, date_added, is_first, is_last, json,
                                      author, tlp, recipients)
                 SELECT $1, t.id, t.version, t.version_key, t.spec_version, t.type, t.date_added, t.is_first, t.is_last, t.json,
                        $11, t.tlp, t.recipients
                 FROM UNNEST($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[],
                             $8::bool[], $9::bool[], $10::text[], $12::smallint[], $13::text[])
                      WITH ORDINALITY AS t(id, version, version_key, spec_version, type, date_added, is_first, is_last, json,
                                           tlp, recipients, n)
                 ORDER BY t.n
                 RETURNING seq, id, version_key",
                &[&collection, &ids, &versions_text, &keys, &specs, &types, &added, &firsts, &lasts, &jsons,
                  &author, &tlps, &recipients],
            )
            .await
            .map_err(err)?;
            // The search index of each inserted version, found by (id, version).
            let by_version: HashMap<(&str, i64), &NewVersion> = plan
                .inserts
                .iter()
                .map(|i| ((i.version.id.as_str(), i.version.version_key), &i.version))
                .collect();
            let (mut seqs, mut bodies, mut value_seqs, mut values) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for r in &inserted {
                let seq: i64 = cell(r, 0)?;
                let key = (cell::<&str>(r, 1)?, cell::<i64>(r, 2)?);
                // The hub indexes in the background and sends no text.
                if let Some(v) = by_version.get(&key)
                    && !(v.search.is_empty() && v.values.is_empty())
                {
                    seqs.push(seq);
                    bodies.push(v.search.as_str());
                    for value in &v.values {
                        value_seqs.push(seq);
                        values.push(value.as_str());
                    }
                }
            }
            tx.execute(
                "INSERT INTO object_search (seq, body) SELECT * FROM UNNEST($1::bigint[], $2::text[])",
                &[&seqs, &bodies],
            )
            .await
            .map_err(err)?;
            if !values.is_empty() {
                tx.execute(
                    "INSERT INTO object_values (seq, value) SELECT * FROM UNNEST($1::bigint[], $2::text[])",
                    &[&value_seqs, &values],
                )
                .await
                .map_err(err)?;
            }
        }
        tx.execute(
            "UPDATE clock SET last_added = $1 WHERE one = 1",
            &[&plan.clock],
        )
        .await
        .map_err(err)?;
        append_audit_tx(&tx, std::slice::from_ref(&audit), now).await?;
        tx.commit().await.map_err(err)?;
        self.note_inserted(plan.inserts.len() as u64);
        Ok(plan.outcomes)
    }

    async fn query(&self, q: Query) -> Result<Page> {
        let cols = if q.with_json {
            "seq, date_added, id, version, spec_version, type, json, tlp, recipients, author"
        } else {
            "seq, date_added, id, version, spec_version, type, '', tlp, recipients, author"
        };
        let mut sql = Sql::new(&format!("SELECT {cols} FROM objects WHERE collection = $1"));
        sql.params.push(Box::new(q.collection.clone()));
        if let Some(seq) = q.after_seq {
            let p = sql.param(seq);
            let op = if q.newest_first { "<" } else { ">" };
            sql.text.push_str(&format!(" AND seq {op} {p}"));
        }
        if let Some(t) = q.added_after {
            let p = sql.param(t);
            sql.text.push_str(&format!(" AND date_added > {p}"));
        }
        sql.any("id", &q.ids);
        if !q.seqs.is_empty() {
            let p = sql.param(q.seqs.clone());
            sql.text.push_str(&format!(" AND seq = ANY({p})"));
        }
        sql.any("type", &q.types);
        sql.any("spec_version", &q.spec_versions);
        sql.versions(&q.versions);
        let limit = sql.param(i64::try_from(q.limit).unwrap_or(i64::MAX).saturating_add(1));
        let order = if q.newest_first { "seq DESC" } else { "seq" };
        sql.text
            .push_str(&format!(" ORDER BY {order} LIMIT {limit}"));
        let c = self.client().await?;
        let rows = c.query(&sql.text, &sql.refs()).await.map_err(err)?;
        let mut items: Vec<StoredVersion> = rows
            .iter()
            .map(|r| -> Result<StoredVersion> {
                Ok(StoredVersion {
                    seq: cell(r, 0)?,
                    date_added: cell(r, 1)?,
                    id: cell(r, 2)?,
                    version: cell(r, 3)?,
                    spec_version: cell(r, 4)?,
                    object_type: cell(r, 5)?,
                    json: cell(r, 6)?,
                    tlp: tlp_from_code(cell(r, 7)?),
                    recipients: cell::<Option<&str>>(r, 8)?
                        .map(recipients_column)
                        .unwrap_or_default(),
                    author: cell(r, 9)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let more = items.len() > q.limit;
        items.truncate(q.limit);
        let refs = pending_refs(&items);
        if !refs.is_empty() {
            let rows = c
                .query(
                    "SELECT ref, list FROM recipient_lists WHERE ref = ANY($1)",
                    &[&refs],
                )
                .await
                .map_err(err)?;
            let lists = rows
                .iter()
                .map(|r| Ok((cell::<String>(r, 0)?, cell::<String>(r, 1)?)))
                .collect::<Result<HashMap<String, String>>>()?;
            resolve_refs(&mut items, &lists);
        }
        Ok(Page { items, more })
    }

    async fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionSelect,
        spec_versions: Vec<String>,
        audit: AuditDraft,
    ) -> Result<u64> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        let mut sql = Sql::new("DELETE FROM objects WHERE collection = $1 AND id = $2");
        sql.params.push(Box::new(collection.to_owned()));
        sql.params.push(Box::new(id.to_owned()));
        sql.any("spec_version", &spec_versions);
        let selection = if versions == VersionSelect::default() {
            VersionSelect {
                all: true,
                ..VersionSelect::default()
            }
        } else {
            versions
        };
        sql.versions(&selection);
        let n = tx.execute(&sql.text, &sql.refs()).await.map_err(err)?;
        tx.execute(REFRESH_FLAGS, &[&collection, &id])
            .await
            .map_err(err)?;
        if n > 0 {
            append_audit_tx(&tx, std::slice::from_ref(&audit), now_micros()).await?;
        }
        tx.commit().await.map_err(err)?;
        Ok(n)
    }

    async fn put_status(&self, status: Status) -> Result<()> {
        let body = serde_json::to_string(&status).map_err(err)?;
        let c = self.client().await?;
        c.execute(
            "INSERT INTO statuses (id, api_root, body) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET body = excluded.body",
            &[&status.id, &status.api_root, &body],
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn status(&self, api_root: &str, id: &str) -> Result<Option<Status>> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                "SELECT body FROM statuses WHERE id = $1 AND api_root = $2",
                &[&id, &api_root],
            )
            .await
            .map_err(err)?;
        row.map(|r| serde_json::from_str(cell::<&str>(&r, 0)?).map_err(err))
            .transpose()
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRecord>> {
        let c = self.client().await?;
        let row = c
            .query_opt(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens WHERE hash = $1"),
                &[&hash],
            )
            .await
            .map_err(err)?;
        row.as_ref().map(token_row).transpose()
    }

    async fn tokens(&self) -> Result<Vec<TokenRecord>> {
        let c = self.client().await?;
        let rows = c
            .query(
                &format!("SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created, id"),
                &[],
            )
            .await
            .map_err(err)?;
        rows.iter().map(token_row).collect()
    }

    async fn directory(&self) -> Result<DirectoryRows> {
        let c = self.client().await?;
        let orgs = c
            .query("SELECT doc FROM orgs ORDER BY id", &[])
            .await
            .map_err(err)?
            .iter()
            .map(|r| serde_json::from_str(cell::<&str>(r, 0)?).map_err(err))
            .collect::<Result<Vec<_>>>()?;
        let communities = c
            .query("SELECT doc FROM communities ORDER BY id", &[])
            .await
            .map_err(err)?
            .iter()
            .map(|r| serde_json::from_str(cell::<&str>(r, 0)?).map_err(err))
            .collect::<Result<Vec<_>>>()?;
        let memberships = c
            .query(
                "SELECT community, org, role FROM memberships ORDER BY community, org",
                &[],
            )
            .await
            .map_err(err)?
            .iter()
            .map(|r| -> Result<_> {
                Ok(kyoyu_store::membership(
                    cell(r, 0)?,
                    cell(r, 1)?,
                    cell::<&str>(r, 2)?,
                ))
            })
            .collect::<Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect();
        Ok(DirectoryRows {
            orgs,
            communities,
            memberships,
        })
    }

    async fn apply(&self, changes: Vec<Change>, audit: AuditDraft, now: Micros) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        for change in &changes {
            apply_tx(&tx, change).await?;
        }
        append_audit_tx(&tx, std::slice::from_ref(&audit), now).await?;
        tx.commit().await.map_err(err)
    }

    async fn append_audit(&self, drafts: Vec<AuditDraft>, now: Micros) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        append_audit_tx(&tx, &drafts, now).await?;
        tx.commit().await.map_err(err)
    }

    async fn org_retired(&self, id: &str) -> Result<bool> {
        let c = self.client().await?;
        let row = c
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM retired_orgs WHERE id = $1)",
                &[&id],
            )
            .await
            .map_err(err)?;
        cell::<bool>(&row, 0)
    }

    async fn forget_old_versions(&self) -> Result<()> {
        // Dead row versions keep a submission's earlier contents until vacuumed.
        let c = self.client().await?;
        c.batch_execute("VACUUM submissions").await.map_err(err)?;
        Ok(())
    }

    async fn insert_submission(&self, sub: Submission) -> Result<()> {
        let doc = to_json(&sub)?;
        let c = self.client().await?;
        c.execute(
            "INSERT INTO submissions (id, state, community, receipt_hash, doc, rev) VALUES ($1, $2, $3, $4, $5, $6)",
            &[&sub.id, &sub.state, &sub.community, &sub.receipt_hash, &doc, &sub.rev],
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn transition_submission(
        &self,
        sub: Submission,
        from: (&str, i64),
        contributions: Vec<(String, String, i64)>,
        audit: Option<AuditDraft>,
        now: Micros,
    ) -> Result<bool> {
        let doc = to_json(&sub)?;
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        // The row lock makes a concurrent transition wait for this one to
        // commit; it then re-checks state and revision and changes nothing.
        let n = tx
            .execute(
                "UPDATE submissions SET state = $2, community = $3, receipt_hash = $4, doc = $5, rev = $6
                 WHERE id = $1 AND state = $7 AND rev = $8",
                &[
                    &sub.id,
                    &sub.state,
                    &sub.community,
                    &sub.receipt_hash,
                    &doc,
                    &sub.rev,
                    &from.0,
                    &from.1,
                ],
            )
            .await
            .map_err(err)?;
        if n == 0 {
            return Ok(false);
        }
        for (bucket, tag, delta) in &contributions {
            tx.execute(
                "INSERT INTO contributions (bucket, tag, count) VALUES ($1, $2, $3)
                 ON CONFLICT (bucket, tag) DO UPDATE SET count = contributions.count + EXCLUDED.count",
                &[bucket, tag, delta],
            )
            .await
            .map_err(err)?;
        }
        tx.execute("DELETE FROM contributions WHERE count <= 0", &[])
            .await
            .map_err(err)?;
        if let Some(a) = audit {
            append_audit_tx(&tx, &[a], now).await?;
        }
        tx.commit().await.map_err(err)?;
        Ok(true)
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>> {
        self.submission_where("id", id).await
    }

    async fn submission_by_receipt(&self, receipt_hash: &str) -> Result<Option<Submission>> {
        self.submission_where("receipt_hash", receipt_hash).await
    }

    async fn submissions(&self, state: Option<&str>) -> Result<Vec<Submission>> {
        let c = self.client().await?;
        c.query(
            "SELECT doc FROM submissions WHERE $1::text IS NULL OR state = $1 ORDER BY created",
            &[&state],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| serde_json::from_str(cell::<&str>(r, 0)?).map_err(err))
        .collect()
    }

    async fn contributions(&self) -> Result<Vec<(String, String, i64)>> {
        let c = self.client().await?;
        c.query(
            "SELECT bucket, tag, count FROM contributions ORDER BY bucket, tag",
            &[],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| Ok((cell(r, 0)?, cell(r, 1)?, cell(r, 2)?)))
        .collect::<Result<Vec<_>>>()
    }

    async fn audit_head(&self) -> Result<i64> {
        let c = self.client().await?;
        let row = c
            .query_one("SELECT COALESCE(MAX(seq), 0)::bigint FROM audit", &[])
            .await
            .map_err(err)?;
        cell(&row, 0)
    }

    async fn audit_entries(&self, after: i64, limit: usize) -> Result<Vec<AuditEntry>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT seq, at, actor_org, actor_token, action, target, detail, prev, hash
                 FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after, &limit],
            )
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| -> Result<AuditEntry> {
                Ok(AuditEntry {
                    seq: cell(r, 0)?,
                    at: cell(r, 1)?,
                    actor_org: cell(r, 2)?,
                    actor_token: cell(r, 3)?,
                    action: cell(r, 4)?,
                    target: cell(r, 5)?,
                    detail: cell(r, 6)?,
                    prev: cell(r, 7)?,
                    hash: cell(r, 8)?,
                    withheld: false,
                })
            })
            .collect::<Result<Vec<_>>>()
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let c = self.client().await?;
        c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
            .await
            .map_err(err)?
            .map(|r| cell(&r, 0))
            .transpose()
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[&key, &value],
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn init_setting(&self, key: &str, value: &str) -> Result<String> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &value],
        )
        .await
        .map_err(err)?;
        cell(
            &c.query_one("SELECT value FROM settings WHERE key = $1", &[&key])
                .await
                .map_err(err)?,
            0,
        )
    }

    async fn count_versions(&self) -> Result<u64> {
        let c = self.client().await?;
        let n: i64 = cell(
            &c.query_one("SELECT count(*) FROM objects", &[])
                .await
                .map_err(err)?,
            0,
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn users(&self) -> Result<Vec<UserRecord>> {
        let c = self.client().await?;
        let rows = c
            .query("SELECT doc FROM users ORDER BY login", &[])
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| serde_json::from_str(cell::<&str>(r, 0)?).map_err(err))
            .collect()
    }

    async fn user(&self, login: &str) -> Result<Option<UserRecord>> {
        let c = self.client().await?;
        let row = c
            .query_opt("SELECT doc FROM users WHERE login = $1", &[&login])
            .await
            .map_err(err)?;
        row.map(|r| serde_json::from_str(cell::<&str>(&r, 0)?).map_err(err))
            .transpose()
    }

    async fn put_session(&self, s: SessionRecord) -> Result<()> {
        let doc = to_json(&s)?;
        let c = self.client().await?;
        c.execute(
            "INSERT INTO sessions (hash, login, last_seen, doc) VALUES ($1, $2, $3, $4)
             ON CONFLICT (hash) DO UPDATE SET last_seen = excluded.last_seen, doc = excluded.doc",
            &[&s.hash, &s.login, &s.last_seen, &doc],
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn session(&self, hash: &str) -> Result<Option<SessionRecord>> {
        let c = self.client().await?;
        let row = c
            .query_opt("SELECT doc FROM sessions WHERE hash = $1", &[&hash])
            .await
            .map_err(err)?;
        row.map(|r| serde_json::from_str(cell::<&str>(&r, 0)?).map_err(err))
            .transpose()
    }

    async fn end_session(&self, hash: &str) -> Result<()> {
        let c = self.client().await?;
        c.execute("DELETE FROM sessions WHERE hash = $1", &[&hash])
            .await
            .map_err(err)?;
        Ok(())
    }

    async fn search_candidates(
        &self,
        text: Option<String>,
        value: Option<String>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<i64>> {
        let before = before.unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let c = self.client().await?;
        let rows = match (text, value) {
            (Some(t), value) => {
                let pattern = like_anywhere(&t);
                c.query(
                    "SELECT seq FROM object_search WHERE body LIKE $1 ESCAPE '\\' AND seq < $2
                     AND ($3::text IS NULL OR seq IN (SELECT seq FROM object_values WHERE value = $3))
                     ORDER BY seq DESC LIMIT $4",
                    &[&pattern, &before, &value, &limit],
                )
                .await
            }
            (None, Some(v)) => {
                c.query(
                    "SELECT seq FROM object_values WHERE value = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
                    &[&v, &before, &limit],
                )
                .await
            }
            (None, None) => return Ok(Vec::new()),
        }
        .map_err(err)?;
        rows.iter().map(|r| cell::<i64>(r, 0)).collect()
    }

    async fn versions_after(&self, after_seq: i64, limit: usize) -> Result<Vec<(i64, String)>> {
        let c = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = c
            .query(
                "SELECT seq, json FROM objects WHERE seq > $1 ORDER BY seq LIMIT $2",
                &[&after_seq, &limit],
            )
            .await
            .map_err(err)?;
        rows.iter()
            .map(|r| Ok((cell(r, 0)?, cell(r, 1)?)))
            .collect()
    }

    async fn add_record(
        &self,
        v: RecordVersion,
        audit: Vec<AuditDraft>,
        events: Vec<(String, String)>,
        now: Micros,
    ) -> Result<bool> {
        let parties = parties_column(&v.parties);
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        // The head row is locked (or, for a first version, the insert
        // conflicts), so two writers of the same revision cannot both win.
        let head = tx
            .query_opt(
                "SELECT rev FROM record_heads WHERE kind = $1 AND id = $2 FOR UPDATE",
                &[&v.kind, &v.id],
            )
            .await
            .map_err(err)?
            .map(|r| cell::<i64>(&r, 0))
            .transpose()?;
        if head.unwrap_or(0) + 1 != v.rev {
            return Ok(false);
        }
        let inserted = tx
            .execute(
                "INSERT INTO record_versions (kind, id, rev, org, parties, state, due, body, at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING",
                &[
                    &v.kind, &v.id, &v.rev, &v.org, &parties, &v.state, &v.due, &v.body, &v.at,
                ],
            )
            .await
            .map_err(err)?;
        if inserted == 0 {
            return Ok(false);
        }
        tx.execute(
            "INSERT INTO record_heads (kind, id, rev, org, parties, state, due, at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (kind, id) DO UPDATE SET rev = EXCLUDED.rev, org = EXCLUDED.org,
               parties = EXCLUDED.parties, state = EXCLUDED.state, due = EXCLUDED.due,
               at = EXCLUDED.at",
            &[
                &v.kind, &v.id, &v.rev, &v.org, &parties, &v.state, &v.due, &v.at,
            ],
        )
        .await
        .map_err(err)?;
        if !events.is_empty() {
            // Numbers are handed out in commit order, so a subscriber that
            // read up to n never misses an event numbered below n later.
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&STREAM_LOCK])
                .await
                .map_err(err)?;
            for (topic, body) in &events {
                tx.execute(
                    "INSERT INTO stream_events (topic, at, body) VALUES ($1, $2, $3)",
                    &[topic, &now, body],
                )
                .await
                .map_err(err)?;
            }
        }
        append_audit_tx(&tx, &audit, now).await?;
        tx.commit().await.map_err(err)?;
        Ok(true)
    }

    async fn record(&self, kind: &str, id: &str) -> Result<Option<RecordVersion>> {
        let c = self.client().await?;
        c.query_opt(
            &format!(
                "SELECT {RECORD_COLUMNS} FROM record_versions v
                 JOIN record_heads h ON h.kind = v.kind AND h.id = v.id AND h.rev = v.rev
                 WHERE v.kind = $1 AND v.id = $2"
            ),
            &[&kind, &id],
        )
        .await
        .map_err(err)?
        .map(|r| record_row(&r))
        .transpose()
    }

    async fn record_history(&self, kind: &str, id: &str) -> Result<Vec<RecordVersion>> {
        let c = self.client().await?;
        c.query(
            &format!(
                "SELECT {RECORD_COLUMNS} FROM record_versions v
                 WHERE v.kind = $1 AND v.id = $2 ORDER BY v.rev"
            ),
            &[&kind, &id],
        )
        .await
        .map_err(err)?
        .iter()
        .map(record_row)
        .collect()
    }

    async fn records(&self, f: RecordFilter) -> Result<Vec<RecordVersion>> {
        let c = self.client().await?;
        let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
        c.query(
            &format!(
                "SELECT {RECORD_COLUMNS} FROM record_heads h
                 JOIN record_versions v ON v.kind = h.kind AND v.id = h.id AND v.rev = h.rev
                 WHERE h.kind = $1
                   AND ($2::text IS NULL OR h.org = $2 OR h.parties LIKE '%,' || $2 || ',%')
                   AND (cardinality($3::text[]) = 0 OR h.state = ANY($3))
                   AND ($4::bigint IS NULL OR (h.due IS NOT NULL AND h.due < $4))
                 ORDER BY h.at DESC, h.id LIMIT $5"
            ),
            &[&f.kind, &f.involving, &f.states, &f.due_before, &limit],
        )
        .await
        .map_err(err)?
        .iter()
        .map(record_row)
        .collect()
    }

    async fn stream_head(&self, topic: &str) -> Result<i64> {
        let c = self.client().await?;
        let r = c
            .query_one(
                "SELECT COALESCE(MAX(seq), 0)::bigint FROM stream_events WHERE topic = $1",
                &[&topic],
            )
            .await
            .map_err(err)?;
        cell(&r, 0)
    }

    async fn events_after(
        &self,
        topic: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<StreamEvent>> {
        let c = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        c.query(
            "SELECT seq, topic, at, body FROM stream_events
             WHERE topic = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            &[&topic, &after, &limit],
        )
        .await
        .map_err(err)?
        .iter()
        .map(|r| {
            Ok(StreamEvent {
                seq: cell(r, 0)?,
                topic: cell(r, 1)?,
                at: cell(r, 2)?,
                body: cell(r, 3)?,
            })
        })
        .collect()
    }

    async fn put_index(&self, entries: Vec<(i64, String, Vec<String>)>) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        let seqs: Vec<i64> = entries.iter().map(|e| e.0).collect();
        // The versions still stored, held until commit: a deletion waits
        // and its trigger then removes what this adds (no orphan text).
        let kept: std::collections::HashSet<i64> = tx
            .query(
                "SELECT seq FROM objects WHERE seq = ANY($1) FOR SHARE",
                &[&seqs],
            )
            .await
            .map_err(err)?
            .iter()
            .map(|r| cell::<i64>(r, 0))
            .collect::<Result<_>>()?;
        // Again is harmless: an earlier index of the row is replaced.
        for table in ["object_search", "object_values"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE seq = ANY($1)"),
                &[&seqs],
            )
            .await
            .map_err(err)?;
        }
        let (mut s_seqs, mut bodies, mut v_seqs, mut values) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (seq, text, vals) in entries.iter().filter(|e| kept.contains(&e.0)) {
            s_seqs.push(*seq);
            bodies.push(text.as_str());
            for v in vals {
                v_seqs.push(*seq);
                values.push(v.as_str());
            }
        }
        tx.execute(
            "INSERT INTO object_search (seq, body) SELECT * FROM UNNEST($1::bigint[], $2::text[])
             ON CONFLICT (seq) DO UPDATE SET body = EXCLUDED.body",
            &[&s_seqs, &bodies],
        )
        .await
        .map_err(err)?;
        tx.execute(
            "INSERT INTO object_values (value, seq) SELECT * FROM UNNEST($1::text[], $2::bigint[])",
            &[&values, &v_seqs],
        )
        .await
        .map_err(err)?;
        tx.commit().await.map_err(err)
    }

    async fn purge_sessions(&self, before: Micros) -> Result<u64> {
        let c = self.client().await?;
        c.execute("DELETE FROM sessions WHERE last_seen < $1", &[&before])
            .await
            .map_err(err)
    }
}

/// The advisory lock stream appends hold, so event numbers follow commit
/// order.
const STREAM_LOCK: i64 = 8472;

/// The columns a record version is read from (`v`: record_versions).
const RECORD_COLUMNS: &str = "v.kind, v.id, v.rev, v.org, v.parties, v.state, v.due, v.body, v.at";

fn record_row(r: &tokio_postgres::Row) -> Result<RecordVersion> {
    Ok(RecordVersion {
        kind: cell(r, 0)?,
        id: cell(r, 1)?,
        rev: cell(r, 2)?,
        org: cell(r, 3)?,
        parties: parties_of(cell::<&str>(r, 4)?),
        state: cell(r, 5)?,
        due: cell(r, 6)?,
        body: cell(r, 7)?,
        at: cell(r, 8)?,
    })
}
