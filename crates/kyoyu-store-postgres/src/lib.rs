//! The PostgreSQL store: the same records as the SQLite store, for
//! deployments where several hub processes share one database.
//!
//! Writers lock the single `clock` row for their transaction, so versions
//! become visible in `seq` order and `date_added` only grows: a `next`
//! cursor issued by any process never skips or repeats an object.

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use kyoyu_store::{
    Added, ApiRoot, Collection, Micros, NewVersion, Page, Query, Result, Status, Store, StoreError,
    StoredVersion, TokenRecord, VersionSelect,
};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio_postgres::NoTls;
use tokio_postgres::types::ToSql;

const MIGRATIONS: &[(i32, &str)] = &[(1, include_str!("../migrations/0001_initial.sql"))];

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
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
        let config: tokio_postgres::Config = url.parse().map_err(err)?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager).max_size(16).build().map_err(err)?;
        let store = Self {
            pool,
            unanalyzed: Arc::default(),
            analyzed_rows: Arc::default(),
        };
        store.migrate().await?;
        Ok(store)
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
            .and_then(|r| r.get::<_, Option<i32>>(0))
            .unwrap_or(0);
        for (version, sql) in MIGRATIONS {
            if *version > current {
                tx.batch_execute(sql).await.map_err(err)?;
                tx.execute(
                    "INSERT INTO schema_version (version) VALUES ($1)",
                    &[version],
                )
                .await
                .map_err(err)?;
            }
        }
        tx.commit().await.map_err(err)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object> {
        self.pool.get().await.map_err(err)
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
                    u64::try_from(row.get::<_, i64>(0)).unwrap_or(0),
                    Ordering::Relaxed,
                );
            }
        });
    }
}

/// What is stored of one id: min and max version, and every version key
/// (stored, then also those accepted from the batch being added).
type Stored = (Option<i64>, Option<i64>, HashSet<i64>);

/// Builds `WHERE` clauses with numbered parameters.
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
        if v.all {
            return;
        }
        let mut parts = Vec::new();
        if v.last || (!v.first && v.at.is_empty()) {
            parts.push("is_last".to_owned());
        }
        if v.first {
            parts.push("is_first".to_owned());
        }
        if !v.at.is_empty() {
            let p = self.param(v.at.clone());
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
        Ok(rows
            .iter()
            .map(|r| ApiRoot {
                path: r.get(0),
                title: r.get(1),
                description: r.get(2),
            })
            .collect())
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
        Ok(rows
            .iter()
            .map(|r| Collection {
                id: r.get(0),
                api_root: r.get(1),
                title: r.get(2),
                description: r.get(3),
                alias: r.get(4),
            })
            .collect())
    }

    async fn put_collection(&self, col: Collection) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO collections (id, api_root, title, description, alias) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description, alias = excluded.alias",
            &[&col.id, &col.api_root, &col.title, &col.description, &col.alias],
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn add_versions(
        &self,
        collection: &str,
        versions: Vec<NewVersion>,
        now: Micros,
    ) -> Result<Vec<Added>> {
        // A whole envelope in a few round trips: read what is stored for its
        // ids, decide in memory, clear superseded flags, insert with UNNEST.
        let mut c = self.client().await?;
        let tx = c.transaction().await.map_err(err)?;
        let last_added: i64 = tx
            .query_one("SELECT last_added FROM clock WHERE one = 1 FOR UPDATE", &[])
            .await
            .map_err(err)?
            .get(0);
        let ids: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
        let rows = tx
            .query(
                "SELECT id, min(version_key), max(version_key), array_agg(version_key)
                 FROM objects WHERE collection = $1 AND id = ANY($2) GROUP BY id",
                &[&collection, &ids],
            )
            .await
            .map_err(err)?;
        // id -> (stored min, stored max, every key: stored and accepted in this batch)
        let mut known: HashMap<String, Stored> = rows
            .iter()
            .map(|r| {
                let keys: Vec<i64> = r.get(3);
                (
                    r.get::<_, String>(0),
                    (Some(r.get(1)), Some(r.get(2)), keys.into_iter().collect()),
                )
            })
            .collect();
        let mut out = Vec::with_capacity(versions.len());
        let mut accepted = Vec::with_capacity(versions.len());
        for v in versions {
            let entry = known
                .entry(v.id.clone())
                .or_insert((None, None, HashSet::new()));
            if !entry.2.insert(v.version_key) {
                out.push(Added::Duplicate);
                continue;
            }
            out.push(Added::New);
            accepted.push(v);
        }
        // Final first/last per id, over stored and new versions together.
        let mut bounds: HashMap<&str, (i64, i64)> = HashMap::new();
        for v in &accepted {
            let b = bounds
                .entry(v.id.as_str())
                .or_insert((v.version_key, v.version_key));
            b.0 = b.0.min(v.version_key);
            b.1 = b.1.max(v.version_key);
        }
        let mut clear_last = Vec::new();
        let mut clear_first = Vec::new();
        for (id, b) in &mut bounds {
            if let Some((Some(min), Some(max), _)) = known.get(*id) {
                if b.1 > *max {
                    clear_last.push((*id).to_owned());
                }
                if b.0 < *min {
                    clear_first.push((*id).to_owned());
                }
                b.0 = b.0.min(*min);
                b.1 = b.1.max(*max);
            }
        }
        if !clear_last.is_empty() {
            tx.execute(
                "UPDATE objects SET is_last = false WHERE collection = $1 AND is_last AND id = ANY($2)",
                &[&collection, &clear_last],
            )
            .await
            .map_err(err)?;
        }
        if !clear_first.is_empty() {
            tx.execute(
                "UPDATE objects SET is_first = false WHERE collection = $1 AND is_first AND id = ANY($2)",
                &[&collection, &clear_first],
            )
            .await
            .map_err(err)?;
        }
        let mut clock = last_added.max(now - 1);
        let mut ids = Vec::with_capacity(accepted.len());
        let mut versions_text = Vec::with_capacity(accepted.len());
        let mut keys = Vec::with_capacity(accepted.len());
        let mut specs = Vec::with_capacity(accepted.len());
        let mut types = Vec::with_capacity(accepted.len());
        let mut added = Vec::with_capacity(accepted.len());
        let mut firsts = Vec::with_capacity(accepted.len());
        let mut lasts = Vec::with_capacity(accepted.len());
        let mut jsons = Vec::with_capacity(accepted.len());
        for v in &accepted {
            let (min, max) = bounds
                .get(v.id.as_str())
                .copied()
                .unwrap_or((v.version_key, v.version_key));
            clock = clock.max(now).max(clock + 1);
            ids.push(v.id.as_str());
            versions_text.push(v.version.as_str());
            keys.push(v.version_key);
            specs.push(v.spec_version.as_str());
            types.push(v.object_type.as_str());
            added.push(clock);
            firsts.push(v.version_key == min);
            lasts.push(v.version_key == max);
            jsons.push(v.json.as_str());
        }
        if !accepted.is_empty() {
            tx.execute(
                "INSERT INTO objects (collection, id, version, version_key, spec_version, type, date_added, is_first, is_last, json)
                 SELECT $1, t.id, t.version, t.version_key, t.spec_version, t.type, t.date_added, t.is_first, t.is_last, t.json
                 FROM UNNEST($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::bigint[],
                             $8::bool[], $9::bool[], $10::text[])
                      WITH ORDINALITY AS t(id, version, version_key, spec_version, type, date_added, is_first, is_last, json, n)
                 ORDER BY t.n",
                &[&collection, &ids, &versions_text, &keys, &specs, &types, &added, &firsts, &lasts, &jsons],
            )
            .await
            .map_err(err)?;
        }
        tx.execute("UPDATE clock SET last_added = $1 WHERE one = 1", &[&clock])
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)?;
        self.note_inserted(accepted.len() as u64);
        Ok(out)
    }

    async fn query(&self, q: Query) -> Result<Page> {
        let cols = if q.with_json {
            "seq, date_added, id, version, spec_version, type, json"
        } else {
            "seq, date_added, id, version, spec_version, type, ''"
        };
        let mut sql = Sql::new(&format!("SELECT {cols} FROM objects WHERE collection = $1"));
        sql.params.push(Box::new(q.collection.clone()));
        if let Some(seq) = q.after_seq {
            let p = sql.param(seq);
            sql.text.push_str(&format!(" AND seq > {p}"));
        }
        if let Some(t) = q.added_after {
            let p = sql.param(t);
            sql.text.push_str(&format!(" AND date_added > {p}"));
        }
        sql.any("id", &q.ids);
        sql.any("type", &q.types);
        sql.any("spec_version", &q.spec_versions);
        sql.versions(&q.versions);
        let limit = sql.param(i64::try_from(q.limit).unwrap_or(i64::MAX).saturating_add(1));
        sql.text.push_str(&format!(" ORDER BY seq LIMIT {limit}"));
        let c = self.client().await?;
        let rows = c.query(&sql.text, &sql.refs()).await.map_err(err)?;
        let mut items: Vec<StoredVersion> = rows
            .iter()
            .map(|r| StoredVersion {
                seq: r.get(0),
                date_added: r.get(1),
                id: r.get(2),
                version: r.get(3),
                spec_version: r.get(4),
                object_type: r.get(5),
                json: r.get(6),
            })
            .collect();
        let more = items.len() > q.limit;
        items.truncate(q.limit);
        Ok(Page { items, more })
    }

    async fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionSelect,
        spec_versions: Vec<String>,
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
        tx.execute(
            "UPDATE objects SET
                is_first = (version_key = (SELECT min(version_key) FROM objects o WHERE o.collection = $1 AND o.id = $2)),
                is_last  = (version_key = (SELECT max(version_key) FROM objects o WHERE o.collection = $1 AND o.id = $2))
             WHERE collection = $1 AND id = $2",
            &[&collection, &id],
        )
        .await
        .map_err(err)?;
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
        row.map(|r| serde_json::from_str(r.get::<_, &str>(0)).map_err(err))
            .transpose()
    }

    async fn put_token(&self, t: TokenRecord) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO tokens (id, hash, name, admin, read, write, expires, revoked)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, admin = excluded.admin, read = excluded.read,
                write = excluded.write, expires = excluded.expires, revoked = excluded.revoked",
            &[&t.id, &t.hash, &t.name, &t.admin, &kyoyu_store::encode_list(&t.read), &kyoyu_store::encode_list(&t.write), &t.expires, &t.revoked],
        )
        .await
        .map_err(err)?;
        Ok(())
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRecord>> {
        let c = self.client().await?;
        let row = c
            .query_opt("SELECT id, hash, name, admin, read, write, expires, revoked FROM tokens WHERE hash = $1", &[&hash])
            .await
            .map_err(err)?;
        Ok(row.map(|r| TokenRecord {
            id: r.get(0),
            hash: r.get(1),
            name: r.get(2),
            admin: r.get(3),
            read: kyoyu_store::decode_list(r.get(4)),
            write: kyoyu_store::decode_list(r.get(5)),
            expires: r.get(6),
            revoked: r.get(7),
        }))
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let c = self.client().await?;
        Ok(
            c.query_opt("SELECT value FROM settings WHERE key = $1", &[&key])
                .await
                .map_err(err)?
                .map(|r| r.get(0)),
        )
    }

    async fn init_setting(&self, key: &str, value: &str) -> Result<String> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
            &[&key, &value],
        )
        .await
        .map_err(err)?;
        Ok(
            c.query_one("SELECT value FROM settings WHERE key = $1", &[&key])
                .await
                .map_err(err)?
                .get(0),
        )
    }

    async fn count_versions(&self) -> Result<u64> {
        let c = self.client().await?;
        let n: i64 = c
            .query_one("SELECT count(*) FROM objects", &[])
            .await
            .map_err(err)?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}
