//! The embedded store: one SQLite file in WAL mode.
//!
//! One writer connection (SQLite has one writer at a time anyway) and a
//! small pool of readers, each used on tokio's blocking pool. Every
//! `add_versions` call is one transaction, committed with
//! `synchronous = FULL`, so an acknowledged object survives a crash.

use kyoyu_store::logic::{
    ChainEnd, INTERN_LIST, StoredObject, change_statements, interned, pending_refs, plan_add,
    repair_version, resolve_refs, seal_after,
};
use kyoyu_store::{
    Added, ApiRoot, AuditDraft, AuditEntry, Change, Collection, DirectoryRows, Micros, NewVersion,
    Page, Query, RecordFilter, RecordVersion, Result, SessionRecord, Status, Store, StoreError,
    StoredVersion, StreamEvent, Submission, TokenRecord, UserRecord, VersionSelect, decode_list,
    encode_list, parties_column, parties_of, recipients_column, tlp_code, tlp_from_code,
};
use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params, params_from_iter, types::Value as SqlValue};
use std::path::Path;
use std::sync::{Arc, Mutex};

const MIGRATIONS: &[(i64, &str)] = &[
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
const REPAIR_VERSION: i64 = 9;

/// Readers kept open; WAL lets them run beside the writer.
const READERS: usize = 4;

fn now_micros() -> Micros {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

/// The SQLite store. Cheap to clone.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: std::sync::atomic::AtomicUsize,
    /// Turns at the connections, taken before a blocking thread is used:
    /// requests wait here, as tasks, not as blocked threads (hundreds of
    /// concurrent writers would otherwise each hold a thread and its stack).
    write_turn: Arc<tokio::sync::Semaphore>,
    read_turns: Arc<tokio::sync::Semaphore>,
}

/// The database holds TLP:RED content: it is created readable and writable
/// by its owner only (mode 0600), and an existing one (with its `-wal` and
/// `-shm` files) is made so. SQLite gives the `-wal` and `-shm` files it
/// creates the main file's mode.
fn owner_only(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(|e| err(format!("{}: cannot create: {e}", path.display())))?;
        }
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            let file = std::path::PathBuf::from(name);
            if file.exists() {
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| err(format!("{}: cannot make it private: {e}", file.display())))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn open_connection(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(err)?;
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA secure_delete = ON;
         PRAGMA busy_timeout = 10000;
         PRAGMA cache_size = -32768;",
    )
    .map_err(err)?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let current: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    for (version, sql) in MIGRATIONS {
        if *version > current {
            let tx = conn.transaction().map_err(err)?;
            tx.execute_batch(sql).map_err(err)?;
            if *version == REPAIR_VERSION {
                repair_versions(&tx)?;
            }
            tx.execute_batch(&format!("PRAGMA user_version = {version}"))
                .map_err(err)?;
            tx.commit().map_err(err)?;
        }
    }
    // The audit trail's guards, re-made at every start: one dropped by hand
    // (or by a restore) does not stay dropped.
    conn.execute_batch(AUDIT_GUARDS).map_err(err)?;
    Ok(())
}

/// Schema version 9: rewrites the versions stored with non-canonical
/// identifiers (see `kyoyu_store::logic::repair_version`). The candidates
/// are read first, then changed, so the scan never sees its own writes.
fn repair_versions(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    let mut repairs = Vec::new();
    {
        let mut st = tx
            .prepare("SELECT seq, collection, id, version_key, json, tlp FROM objects")
            .map_err(err)?;
        let mut rows = st.query([]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            let json: String = r.get(4).map_err(err)?;
            if !kyoyu_store::logic::may_hold_uncanonical_id(&json) {
                continue;
            }
            let id: String = r.get(2).map_err(err)?;
            if let Some(fix) = repair_version(&id, &json, r.get(5).map_err(err)?) {
                let row: (i64, String, i64) = (
                    r.get(0).map_err(err)?,
                    r.get(1).map_err(err)?,
                    r.get(3).map_err(err)?,
                );
                repairs.push((row, id, fix));
            }
        }
    }
    let mut chains = std::collections::BTreeSet::new();
    for ((seq, collection, version_key), old_id, fix) in repairs {
        tx.execute(
            "UPDATE objects SET json = ?2, tlp = ?3 WHERE seq = ?1",
            params![seq, fix.json, fix.tlp],
        )
        .map_err(err)?;
        // A version already stored under the canonical spelling keeps its
        // row; this one keeps its old id (and its tightened level).
        tx.execute(
            "UPDATE objects SET id = ?3 WHERE seq = ?1 AND NOT EXISTS
                (SELECT 1 FROM objects o WHERE o.collection = ?2 AND o.id = ?3 AND o.version_key = ?4)",
            params![seq, collection, fix.id, version_key],
        )
        .map_err(err)?;
        chains.insert((collection.clone(), old_id));
        chains.insert((collection, fix.id));
    }
    for (collection, id) in chains {
        refresh_flags(tx, &collection, &id)?;
    }
    Ok(())
}

/// The triggers that keep the audit trail append-only (first made by
/// migration 0002).
const AUDIT_GUARDS: &str = "
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
";

impl SqliteStore {
    async fn submission_where(
        &self,
        column: &'static str,
        value: &str,
    ) -> Result<Option<Submission>> {
        let value = value.to_owned();
        self.read(move |c| {
            let doc: Option<String> = c
                .query_row(
                    &format!("SELECT doc FROM submissions WHERE {column} = ?1"),
                    [value],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            doc.map(|d| serde_json::from_str(&d).map_err(err))
                .transpose()
        })
        .await
    }

    /// Opens (creating and migrating if needed) the database file.
    pub fn open(path: &Path) -> Result<Self> {
        owner_only(path)?;
        let mut writer = open_connection(path)?;
        migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| open_connection(path).map(Mutex::new))
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            inner: Arc::new(Inner {
                writer: Mutex::new(writer),
                readers,
                next_reader: std::sync::atomic::AtomicUsize::new(0),
                write_turn: Arc::new(tokio::sync::Semaphore::new(1)),
                read_turns: Arc::new(tokio::sync::Semaphore::new(READERS)),
            }),
        })
    }

    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        let turn = inner
            .write_turn
            .clone()
            .acquire_owned()
            .await
            .map_err(err)?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let mut conn = inner
                .writer
                .lock()
                .map_err(|_| StoreError("writer lock poisoned".into()))?;
            f(&mut conn)
        })
        .await
        .map_err(err)?
    }

    /// The JSON document `sql` selects by one key, read back as a record.
    async fn doc<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        sql: &'static str,
        key: &str,
    ) -> Result<Option<T>> {
        let key = key.to_owned();
        self.read(move |c| {
            let doc: Option<String> = c
                .query_row(sql, [key], |r| r.get(0))
                .optional()
                .map_err(err)?;
            doc.map(|d| serde_json::from_str(&d).map_err(err))
                .transpose()
        })
        .await
    }

    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let inner = self.inner.clone();
        let turn = inner
            .read_turns
            .clone()
            .acquire_owned()
            .await
            .map_err(err)?;
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            // A free connection if there is one (the turns guarantee one is
            // free or about to be), starting from the next in turn.
            let start = inner
                .next_reader
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let n = inner.readers.len().max(1);
            let free = (0..n).find_map(|i| inner.readers.get((start + i) % n)?.try_lock().ok());
            let conn = match free {
                Some(c) => c,
                None => inner
                    .readers
                    .get(start % n)
                    .ok_or_else(|| StoreError("no reader".into()))?
                    .lock()
                    .map_err(|_| StoreError("reader lock poisoned".into()))?,
            };
            f(&conn)
        })
        .await
        .map_err(err)?
    }
}

/// Appends `AND <column> IN (?, ?, …)` for a non-empty list.
/// Lists longer than this go to SQLite as one JSON array parameter: a
/// statement takes at most 32,766 parameters.
const INLINE_LIST: usize = 100;

fn push_in(sql: &mut String, args: &mut Vec<SqlValue>, column: &str, values: &[String]) {
    if values.is_empty() {
        return;
    }
    sql.push_str(" AND ");
    sql.push_str(column);
    if values.len() > INLINE_LIST {
        sql.push_str(" IN (SELECT value FROM json_each(?))");
        args.push(SqlValue::Text(encode_list(values)));
        return;
    }
    sql.push_str(" IN (");
    for (i, v) in values.iter().enumerate() {
        sql.push_str(if i == 0 { "?" } else { ", ?" });
        args.push(SqlValue::Text(v.clone()));
    }
    sql.push(')');
}

/// The SQL condition for a version selection (empty when all versions are wanted).
fn version_condition(sql: &mut String, args: &mut Vec<SqlValue>, v: &VersionSelect) {
    let Some(f) = v.filter() else { return };
    let mut parts = Vec::new();
    if f.last {
        parts.push("is_last = 1".to_owned());
    }
    if f.first {
        parts.push("is_first = 1".to_owned());
    }
    if f.at.len() > INLINE_LIST {
        parts.push("version_key IN (SELECT value FROM json_each(?))".to_owned());
        args.push(SqlValue::Text(
            serde_json::to_string(f.at).unwrap_or_else(|_| "[]".into()),
        ));
    } else if !f.at.is_empty() {
        let marks = vec!["?"; f.at.len()].join(", ");
        parts.push(format!("version_key IN ({marks})"));
        args.extend(f.at.iter().map(|m| SqlValue::Integer(*m)));
    }
    sql.push_str(" AND (");
    sql.push_str(&parts.join(" OR "));
    sql.push(')');
}

/// Recomputes the first/last flags of one object after a deletion.
fn refresh_flags(tx: &rusqlite::Transaction<'_>, collection: &str, id: &str) -> Result<()> {
    tx.execute(
        "UPDATE objects SET
            is_first = (version_key = (SELECT MIN(version_key) FROM objects o WHERE o.collection = ?1 AND o.id = ?2)),
            is_last  = (version_key = (SELECT MAX(version_key) FROM objects o WHERE o.collection = ?1 AND o.id = ?2))
         WHERE collection = ?1 AND id = ?2",
        params![collection, id],
    )
    .map_err(err)?;
    Ok(())
}

/// Appends audit entries inside a write transaction (the one writer
/// connection serializes appends, so the chain has no forks).
fn append_audit_tx(
    tx: &rusqlite::Transaction<'_>,
    drafts: &[AuditDraft],
    now: Micros,
) -> Result<()> {
    let last: Option<ChainEnd> = tx
        .query_row(
            "SELECT seq, hash, at FROM audit ORDER BY seq DESC LIMIT 1",
            [],
            |r| {
                Ok(ChainEnd {
                    seq: r.get(0)?,
                    hash: r.get(1)?,
                    at: r.get(2)?,
                })
            },
        )
        .optional()
        .map_err(err)?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO audit (seq, at, actor_org, actor_token, action, target, detail, prev, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(err)?;
    for e in seal_after(last, drafts, now) {
        insert
            .execute(params![
                e.seq,
                e.at,
                e.actor_org,
                e.actor_token,
                e.action,
                e.target,
                e.detail,
                e.prev,
                e.hash
            ])
            .map_err(err)?;
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(err)
}

fn add_token_tx(tx: &rusqlite::Transaction<'_>, t: &TokenRecord) -> Result<()> {
    tx.execute(
        "INSERT INTO tokens (id, hash, name, org, role, read_only, ip_allow, expires, revoked, created)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![t.id, t.hash, t.name, t.org, t.role, t.read_only, encode_list(&t.ip_allow), t.expires, t.revoked, t.created],
    )
    .map_err(err)?;
    Ok(())
}

fn apply_tx(tx: &rusqlite::Transaction<'_>, change: &Change) -> Result<()> {
    if let Change::AddToken(t) = change {
        return add_token_tx(tx, t);
    }
    for s in change_statements(change).map_err(err)? {
        tx.execute(s.sql, rusqlite::params_from_iter(s.params))
            .map_err(err)?;
    }
    Ok(())
}

/// Indexes one stored version for search (its text and observable values).
fn index_tx(tx: &rusqlite::Transaction<'_>, seq: i64, text: &str, values: &[String]) -> Result<()> {
    tx.prepare_cached("INSERT INTO object_search (rowid, body) VALUES (?1, ?2)")
        .and_then(|mut st| st.execute(params![seq, text]))
        .map_err(err)?;
    let mut st = tx
        .prepare_cached("INSERT INTO object_values (value, seq) VALUES (?1, ?2)")
        .map_err(err)?;
    for v in values {
        st.execute(params![v, seq]).map_err(err)?;
    }
    Ok(())
}

/// An FTS5 string literal: the text as one phrase, quotes doubled.
fn fts_phrase(text: &str) -> String {
    format!("\"{}\"", text.replace('"', "\"\""))
}

/// A LIKE pattern that finds `text` anywhere, its wildcards escaped.
pub(crate) fn like_anywhere(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

fn token_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TokenRecord> {
    Ok(TokenRecord {
        id: r.get(0)?,
        hash: r.get(1)?,
        name: r.get(2)?,
        org: r.get(3)?,
        role: r.get(4)?,
        read_only: r.get(5)?,
        ip_allow: decode_list(&r.get::<_, String>(6)?),
        expires: r.get(7)?,
        revoked: r.get(8)?,
        created: r.get(9)?,
    })
}

const TOKEN_COLUMNS: &str =
    "id, hash, name, org, role, read_only, ip_allow, expires, revoked, created";

impl Store for SqliteStore {
    async fn api_roots(&self) -> Result<Vec<ApiRoot>> {
        self.read(|c| {
            let mut st = c
                .prepare_cached("SELECT path, title, description FROM api_roots ORDER BY path")
                .map_err(err)?;
            let rows = st
                .query_map([], |r| {
                    Ok(ApiRoot {
                        path: r.get(0)?,
                        title: r.get(1)?,
                        description: r.get(2)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<std::result::Result<Vec<_>, _>>()
                .map_err(err)
        })
        .await
    }

    async fn put_api_root(&self, root: ApiRoot) -> Result<()> {
        self.write(move |c| {
            c.execute(
                "INSERT INTO api_roots (path, title, description) VALUES (?1, ?2, ?3)
                 ON CONFLICT (path) DO UPDATE SET title = excluded.title, description = excluded.description",
                params![root.path, root.title, root.description],
            )
            .map_err(err)?;
            Ok(())
        })
        .await
    }

    async fn collections(&self, api_root: &str) -> Result<Vec<Collection>> {
        let api_root = api_root.to_owned();
        self.read(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT id, api_root, title, description, alias FROM collections WHERE api_root = ?1 ORDER BY title, id",
                )
                .map_err(err)?;
            let rows = st
                .query_map([api_root], |r| {
                    Ok(Collection {
                        id: r.get(0)?,
                        api_root: r.get(1)?,
                        title: r.get(2)?,
                        description: r.get(3)?,
                        alias: r.get(4)?,
                    })
                })
                .map_err(err)?;
            rows.collect::<std::result::Result<Vec<_>, _>>().map_err(err)
        })
        .await
    }

    async fn add_versions(
        &self,
        collection: &str,
        versions: Vec<NewVersion>,
        now: Micros,
        author: &str,
        audit: AuditDraft,
    ) -> Result<Vec<Added>> {
        let collection = collection.to_owned();
        let author = author.to_owned();
        self.write(move |c| {
            let tx = c.transaction().map_err(err)?;
            let plan = {
                let last_added: i64 = tx
                    .query_row("SELECT last_added FROM clock WHERE one = 1", [], |r| r.get(0))
                    .map_err(err)?;
                let ids: Vec<String> = versions.iter().map(|v| v.id.clone()).collect();
                let mut stored: HashMap<String, StoredObject> = HashMap::new();
                let mut st = tx
                    .prepare_cached(
                        "SELECT id, version_key, author <> ?3 AND author <> ''
                         FROM objects INDEXED BY objects_by_id
                         WHERE collection = ?1 AND id IN (SELECT value FROM json_each(?2))",
                    )
                    .map_err(err)?;
                let rows = st
                    .query_map(params![collection, encode_list(&ids), author], |r| {
                        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, bool>(2)?))
                    })
                    .map_err(err)?;
                for row in rows {
                    let (id, key, foreign) = row.map_err(err)?;
                    let o = stored.entry(id).or_default();
                    o.keys.insert(key);
                    o.foreign |= foreign;
                }
                plan_add(versions, stored, last_added, now)
            };
            if !plan.inserts.is_empty() {
                for (flag, ids) in [("is_first", &plan.clear_first), ("is_last", &plan.clear_last)] {
                    let mut clear = tx
                        .prepare_cached(&format!(
                            "UPDATE objects SET {flag} = 0 WHERE collection = ?1 AND id = ?2 AND {flag} = 1"
                        ))
                        .map_err(err)?;
                    for id in ids {
                        clear.execute(params![collection, id]).map_err(err)?;
                    }
                }
                let (recipients, lists) = interned(&plan.inserts);
                for (r, list) in &lists {
                    tx.execute(INTERN_LIST, params![r, list]).map_err(err)?;
                }
                let mut insert = tx
                    .prepare_cached(
                        "INSERT INTO objects
                         (collection, id, version, version_key, spec_version, type, date_added, is_first, is_last, json,
                          author, tlp, recipients)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                    )
                    .map_err(err)?;
                for (i, r) in plan.inserts.iter().zip(&recipients) {
                    let v = &i.version;
                    insert
                        .execute(params![
                            collection,
                            v.id,
                            v.version,
                            v.version_key,
                            v.spec_version,
                            v.object_type,
                            i.date_added,
                            i.is_first,
                            i.is_last,
                            v.json,
                            author,
                            tlp_code(v.tlp),
                            r
                        ])
                        .map_err(err)?;
                    // The hub indexes in the background and sends no text.
                    if !(v.search.is_empty() && v.values.is_empty()) {
                        index_tx(&tx, tx.last_insert_rowid(), &v.search, &v.values)?;
                    }
                }
            }
            tx.execute("UPDATE clock SET last_added = ?1 WHERE one = 1", [plan.clock])
                .map_err(err)?;
            append_audit_tx(&tx, std::slice::from_ref(&audit), now)?;
            tx.commit().map_err(err)?;
            Ok(plan.outcomes)
        })
        .await
    }

    async fn query(&self, q: Query) -> Result<Page> {
        self.read(move |c| {
            let cols = if q.with_json {
                "seq, date_added, id, version, spec_version, type, json, tlp, recipients, author"
            } else {
                "seq, date_added, id, version, spec_version, type, '', tlp, recipients, author"
            };
            // With ids, go straight to them; otherwise let SQLite pick (it
            // walks seq order).
            let index = if q.ids.is_empty() {
                ""
            } else {
                " INDEXED BY objects_by_id"
            };
            let mut sql = format!("SELECT {cols} FROM objects{index} WHERE collection = ?");
            let mut args = vec![SqlValue::Text(q.collection.clone())];
            if let Some(seq) = q.after_seq {
                let op = if q.newest_first { "<" } else { ">" };
                sql.push_str(&format!(" AND seq {op} ?"));
                args.push(SqlValue::Integer(seq));
            }
            if let Some(t) = q.added_after {
                sql.push_str(" AND date_added > ?");
                args.push(SqlValue::Integer(t));
            }
            push_in(&mut sql, &mut args, "id", &q.ids);
            if !q.seqs.is_empty() {
                sql.push_str(" AND seq IN (SELECT value FROM json_each(?))");
                args.push(SqlValue::Text(
                    serde_json::to_string(&q.seqs).unwrap_or_else(|_| "[]".into()),
                ));
            }
            push_in(&mut sql, &mut args, "type", &q.types);
            push_in(&mut sql, &mut args, "spec_version", &q.spec_versions);
            version_condition(&mut sql, &mut args, &q.versions);
            let order = if q.newest_first { "DESC" } else { "ASC" };
            sql.push_str(&format!(" ORDER BY seq {order} LIMIT ?"));
            args.push(SqlValue::Integer(
                i64::try_from(q.limit).unwrap_or(i64::MAX).saturating_add(1),
            ));
            let mut st = c.prepare_cached(&sql).map_err(err)?;
            let rows = st
                .query_map(params_from_iter(args), |r| {
                    Ok(StoredVersion {
                        seq: r.get(0)?,
                        date_added: r.get(1)?,
                        id: r.get(2)?,
                        version: r.get(3)?,
                        spec_version: r.get(4)?,
                        object_type: r.get(5)?,
                        json: r.get(6)?,
                        tlp: tlp_from_code(r.get(7)?),
                        recipients: r
                            .get::<_, Option<String>>(8)?
                            .map(|t| recipients_column(&t))
                            .unwrap_or_default(),
                        author: r.get(9)?,
                    })
                })
                .map_err(err)?;
            let mut items = rows
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(err)?;
            let more = items.len() > q.limit;
            items.truncate(q.limit);
            let refs = pending_refs(&items);
            if !refs.is_empty() {
                let marks = vec!["?"; refs.len()].join(", ");
                let mut st = c
                    .prepare_cached(&format!(
                        "SELECT ref, list FROM recipient_lists WHERE ref IN ({marks})"
                    ))
                    .map_err(err)?;
                let lists = st
                    .query_map(params_from_iter(refs), |r| Ok((r.get(0)?, r.get(1)?)))
                    .map_err(err)?
                    .collect::<std::result::Result<HashMap<String, String>, _>>()
                    .map_err(err)?;
                resolve_refs(&mut items, &lists);
            }
            Ok(Page { items, more })
        })
        .await
    }

    async fn delete_object(
        &self,
        collection: &str,
        id: &str,
        versions: VersionSelect,
        spec_versions: Vec<String>,
        audit: AuditDraft,
    ) -> Result<u64> {
        let (collection, id) = (collection.to_owned(), id.to_owned());
        self.write(move |c| {
            let tx = c.transaction().map_err(err)?;
            let mut sql = "DELETE FROM objects WHERE collection = ? AND id = ?".to_owned();
            let mut args = vec![
                SqlValue::Text(collection.clone()),
                SqlValue::Text(id.clone()),
            ];
            push_in(&mut sql, &mut args, "spec_version", &spec_versions);
            let all = VersionSelect {
                all: true,
                ..VersionSelect::default()
            };
            let selection = if versions == VersionSelect::default() {
                all
            } else {
                versions
            };
            version_condition(&mut sql, &mut args, &selection);
            let n = tx.execute(&sql, params_from_iter(args)).map_err(err)?;
            refresh_flags(&tx, &collection, &id)?;
            if n > 0 {
                append_audit_tx(&tx, std::slice::from_ref(&audit), now_micros())?;
            }
            tx.commit().map_err(err)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn put_status(&self, status: Status) -> Result<()> {
        let body = serde_json::to_string(&status).map_err(err)?;
        self.write(move |c| {
            c.execute(
                "INSERT INTO statuses (id, api_root, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (id) DO UPDATE SET body = excluded.body",
                params![status.id, status.api_root, body],
            )
            .map_err(err)?;
            Ok(())
        })
        .await
    }

    async fn status(&self, api_root: &str, id: &str) -> Result<Option<Status>> {
        let (api_root, id) = (api_root.to_owned(), id.to_owned());
        self.read(move |c| {
            let body: Option<String> = c
                .query_row(
                    "SELECT body FROM statuses WHERE id = ?1 AND api_root = ?2",
                    params![id, api_root],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            body.map(|b| serde_json::from_str(&b).map_err(err))
                .transpose()
        })
        .await
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<TokenRecord>> {
        let hash = hash.to_owned();
        self.read(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM tokens WHERE hash = ?1"
                ))
                .map_err(err)?;
            st.query_row([hash], token_row).optional().map_err(err)
        })
        .await
    }

    async fn tokens(&self) -> Result<Vec<TokenRecord>> {
        self.read(|c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY created, id"
                ))
                .map_err(err)?;
            let rows = st.query_map([], token_row).map_err(err)?;
            rows.collect::<std::result::Result<Vec<_>, _>>()
                .map_err(err)
        })
        .await
    }

    async fn directory(&self) -> Result<DirectoryRows> {
        self.read(|c| {
            let docs = |sql: &str| -> Result<Vec<String>> {
                let mut st = c.prepare_cached(sql).map_err(err)?;
                let rows = st.query_map([], |r| r.get(0)).map_err(err)?;
                rows.collect::<std::result::Result<Vec<String>, _>>()
                    .map_err(err)
            };
            let orgs = docs("SELECT doc FROM orgs ORDER BY id")?
                .iter()
                .map(|d| serde_json::from_str(d).map_err(err))
                .collect::<Result<Vec<_>>>()?;
            let communities = docs("SELECT doc FROM communities ORDER BY id")?
                .iter()
                .map(|d| serde_json::from_str(d).map_err(err))
                .collect::<Result<Vec<_>>>()?;
            let mut st = c
                .prepare_cached(
                    "SELECT community, org, role FROM memberships ORDER BY community, org",
                )
                .map_err(err)?;
            let rows = st
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                    ))
                })
                .map_err(err)?;
            let mut memberships = Vec::new();
            for row in rows {
                let (community, org, role) = row.map_err(err)?;
                memberships.extend(kyoyu_store::membership(community, org, &role));
            }
            Ok(DirectoryRows {
                orgs,
                communities,
                memberships,
            })
        })
        .await
    }

    async fn apply(&self, changes: Vec<Change>, audit: AuditDraft, now: Micros) -> Result<()> {
        self.write(move |c| {
            let tx = c.transaction().map_err(err)?;
            for change in &changes {
                apply_tx(&tx, change)?;
            }
            append_audit_tx(&tx, std::slice::from_ref(&audit), now)?;
            tx.commit().map_err(err)
        })
        .await
    }

    async fn append_audit(&self, drafts: Vec<AuditDraft>, now: Micros) -> Result<()> {
        self.write(move |c| {
            let tx = c.transaction().map_err(err)?;
            append_audit_tx(&tx, &drafts, now)?;
            tx.commit().map_err(err)
        })
        .await
    }

    async fn org_retired(&self, id: &str) -> Result<bool> {
        let id = id.to_owned();
        self.read(move |c| {
            c.query_row(
                "SELECT EXISTS (SELECT 1 FROM retired_orgs WHERE id = ?1)",
                [id],
                |r| r.get::<_, bool>(0),
            )
            .map_err(err)
        })
        .await
    }

    async fn forget_old_versions(&self) -> Result<()> {
        // With secure_delete, freed pages are zeroed in the main file; the
        // checkpoint copies the log into it and TRUNCATE empties the log file.
        self.write(|c| {
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .map_err(err)
        })
        .await
    }

    async fn insert_submission(&self, sub: Submission) -> Result<()> {
        let doc = to_json(&sub)?;
        self.write(move |c| {
            c.execute(
                "INSERT INTO submissions (id, state, community, receipt_hash, doc, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![sub.id, sub.state, sub.community, sub.receipt_hash, doc, sub.rev],
            )
            .map_err(err)?;
            Ok(())
        })
        .await
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
        let (from_state, from_rev) = (from.0.to_owned(), from.1);
        self.write(move |c| {
            let tx = c.transaction().map_err(err)?;
            let n = tx
                .execute(
                    "UPDATE submissions SET state = ?2, community = ?3, receipt_hash = ?4, doc = ?5, rev = ?6
                     WHERE id = ?1 AND state = ?7 AND rev = ?8",
                    params![
                        sub.id,
                        sub.state,
                        sub.community,
                        sub.receipt_hash,
                        doc,
                        sub.rev,
                        from_state,
                        from_rev
                    ],
                )
                .map_err(err)?;
            if n == 0 {
                return Ok(false);
            }
            for (bucket, tag, delta) in &contributions {
                tx.execute(
                    "INSERT INTO contributions (bucket, tag, count) VALUES (?1, ?2, ?3)
                     ON CONFLICT (bucket, tag) DO UPDATE SET count = count + excluded.count",
                    params![bucket, tag, delta],
                )
                .map_err(err)?;
            }
            tx.execute("DELETE FROM contributions WHERE count <= 0", [])
                .map_err(err)?;
            if let Some(a) = audit {
                append_audit_tx(&tx, &[a], now)?;
            }
            tx.commit().map_err(err)?;
            Ok(true)
        })
        .await
    }

    async fn submission(&self, id: &str) -> Result<Option<Submission>> {
        self.submission_where("id", id).await
    }

    async fn submission_by_receipt(&self, receipt_hash: &str) -> Result<Option<Submission>> {
        self.submission_where("receipt_hash", receipt_hash).await
    }

    async fn submissions(&self, state: Option<&str>) -> Result<Vec<Submission>> {
        let state = state.map(str::to_owned);
        self.read(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT doc FROM submissions WHERE ?1 IS NULL OR state = ?1 ORDER BY rowid",
                )
                .map_err(err)?;
            let rows = st
                .query_map([state], |r| r.get::<_, String>(0))
                .map_err(err)?;
            rows.map(|d| {
                d.map_err(err)
                    .and_then(|d| serde_json::from_str(&d).map_err(err))
            })
            .collect()
        })
        .await
    }

    async fn contributions(&self) -> Result<Vec<(String, String, i64)>> {
        self.read(|c| {
            let mut st = c
                .prepare_cached("SELECT bucket, tag, count FROM contributions ORDER BY bucket, tag")
                .map_err(err)?;
            let rows = st
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .map_err(err)?;
            rows.collect::<std::result::Result<Vec<_>, _>>()
                .map_err(err)
        })
        .await
    }

    async fn audit_head(&self) -> Result<i64> {
        self.read(|c| {
            c.query_row("SELECT COALESCE(MAX(seq), 0) FROM audit", [], |r| r.get(0))
                .map_err(err)
        })
        .await
    }

    async fn audit_entries(&self, after: i64, limit: usize) -> Result<Vec<AuditEntry>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT seq, at, actor_org, actor_token, action, target, detail, prev, hash
                     FROM audit WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(err)?;
            let rows = st
                .query_map(params![after, limit], |r| {
                    Ok(AuditEntry {
                        seq: r.get(0)?,
                        at: r.get(1)?,
                        actor_org: r.get(2)?,
                        actor_token: r.get(3)?,
                        action: r.get(4)?,
                        target: r.get(5)?,
                        detail: r.get(6)?,
                        prev: r.get(7)?,
                        hash: r.get(8)?,
                        withheld: false,
                    })
                })
                .map_err(err)?;
            rows.collect::<std::result::Result<Vec<_>, _>>()
                .map_err(err)
        })
        .await
    }

    async fn setting(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_owned();
        self.read(move |c| {
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()
            .map_err(err)
        })
        .await
    }

    async fn put_setting(&self, key: &str, value: &str) -> Result<()> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.write(move |c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map(|_| ())
            .map_err(err)
        })
        .await
    }

    async fn init_setting(&self, key: &str, value: &str) -> Result<String> {
        let (key, value) = (key.to_owned(), value.to_owned());
        self.write(move |c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
                params![key, value],
            )
            .map_err(err)?;
            c.query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .map_err(err)
        })
        .await
    }

    async fn count_versions(&self) -> Result<u64> {
        self.read(|c| {
            let n: i64 = c
                .query_row("SELECT COUNT(*) FROM objects", [], |r| r.get(0))
                .map_err(err)?;
            Ok(u64::try_from(n).unwrap_or(0))
        })
        .await
    }

    async fn users(&self) -> Result<Vec<UserRecord>> {
        self.read(|c| {
            let mut st = c
                .prepare_cached("SELECT doc FROM users ORDER BY login")
                .map_err(err)?;
            let rows = st.query_map([], |r| r.get::<_, String>(0)).map_err(err)?;
            rows.map(|d| serde_json::from_str(&d.map_err(err)?).map_err(err))
                .collect()
        })
        .await
    }

    async fn user(&self, login: &str) -> Result<Option<UserRecord>> {
        self.doc("SELECT doc FROM users WHERE login = ?1", login)
            .await
    }

    async fn put_session(&self, s: SessionRecord) -> Result<()> {
        let doc = to_json(&s)?;
        self.write(move |c| {
            c.execute(
                "INSERT INTO sessions (hash, login, last_seen, doc) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (hash) DO UPDATE SET last_seen = excluded.last_seen, doc = excluded.doc",
                params![s.hash, s.login, s.last_seen, doc],
            )
            .map(|_| ())
            .map_err(err)
        })
        .await
    }

    async fn session(&self, hash: &str) -> Result<Option<SessionRecord>> {
        self.doc("SELECT doc FROM sessions WHERE hash = ?1", hash)
            .await
    }

    async fn end_session(&self, hash: &str) -> Result<()> {
        let hash = hash.to_owned();
        self.write(move |c| {
            c.execute("DELETE FROM sessions WHERE hash = ?1", [hash])
                .map(|_| ())
                .map_err(err)
        })
        .await
    }

    async fn search_candidates(
        &self,
        text: Option<String>,
        value: Option<String>,
        before: Option<i64>,
        limit: usize,
    ) -> Result<Vec<i64>> {
        self.read(move |c| {
            let before = before.unwrap_or(i64::MAX);
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            // Walk the index newest first and stop at `limit`: a common
            // word costs no more than a rare one.
            let (sql, args): (String, Vec<SqlValue>) = match (text.as_deref(), value) {
                (Some(t), value) => {
                    let (test, arg) = if t.chars().count() >= 3 {
                        ("object_search MATCH ?", fts_phrase(t))
                    } else {
                        ("body LIKE ? ESCAPE '\\'", like_anywhere(t))
                    };
                    let mut args = vec![SqlValue::Text(arg), SqlValue::Integer(before)];
                    let also = match value {
                        Some(v) => {
                            args.push(SqlValue::Text(v));
                            " AND rowid IN (SELECT seq FROM object_values WHERE value = ?)"
                        }
                        None => "",
                    };
                    args.push(SqlValue::Integer(limit));
                    (
                        format!(
                            "SELECT rowid FROM object_search WHERE {test} AND rowid < ?{also} ORDER BY rowid DESC LIMIT ?"
                        ),
                        args,
                    )
                }
                (None, Some(v)) => (
                    "SELECT seq FROM object_values WHERE value = ? AND seq < ? ORDER BY seq DESC LIMIT ?"
                        .to_owned(),
                    vec![SqlValue::Text(v), SqlValue::Integer(before), SqlValue::Integer(limit)],
                ),
                (None, None) => return Ok(Vec::new()),
            };
            let mut st = c.prepare_cached(&sql).map_err(err)?;
            let rows = st
                .query_map(params_from_iter(args), |r| r.get::<_, i64>(0))
                .map_err(err)?;
            rows.collect::<std::result::Result<Vec<_>, _>>().map_err(err)
        })
        .await
    }

    async fn versions_after(&self, after_seq: i64, limit: usize) -> Result<Vec<(i64, String)>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT seq, json FROM objects WHERE seq > ?1 ORDER BY seq LIMIT ?2",
                )
                .map_err(err)?;
            let rows = st
                .query_map(params![after_seq, limit], |r| Ok((r.get(0)?, r.get(1)?)))
                .map_err(err)?;
            rows.collect::<std::result::Result<Vec<_>, _>>()
                .map_err(err)
        })
        .await
    }

    async fn add_record(
        &self,
        v: RecordVersion,
        audit: Vec<AuditDraft>,
        events: Vec<(String, String)>,
        now: Micros,
    ) -> Result<bool> {
        let parties = parties_column(&v.parties);
        self.write(move |c| {
            let tx = c.transaction().map_err(err)?;
            let head: Option<i64> = tx
                .query_row(
                    "SELECT rev FROM record_heads WHERE kind = ?1 AND id = ?2",
                    params![v.kind, v.id],
                    |r| r.get(0),
                )
                .optional()
                .map_err(err)?;
            if head.unwrap_or(0) + 1 != v.rev {
                return Ok(false);
            }
            tx.execute(
                "INSERT INTO record_versions (kind, id, rev, org, parties, state, due, body, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    v.kind, v.id, v.rev, v.org, parties, v.state, v.due, v.body, v.at
                ],
            )
            .map_err(err)?;
            tx.execute(
                "INSERT INTO record_heads (kind, id, rev, org, parties, state, due, at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (kind, id) DO UPDATE SET rev = excluded.rev, org = excluded.org,
                   parties = excluded.parties, state = excluded.state, due = excluded.due,
                   at = excluded.at",
                params![v.kind, v.id, v.rev, v.org, parties, v.state, v.due, v.at],
            )
            .map_err(err)?;
            for (topic, body) in &events {
                tx.execute(
                    "INSERT INTO stream_events (topic, at, body) VALUES (?1, ?2, ?3)",
                    params![topic, now, body],
                )
                .map_err(err)?;
            }
            append_audit_tx(&tx, &audit, now)?;
            tx.commit().map_err(err)?;
            Ok(true)
        })
        .await
    }

    async fn record(&self, kind: &str, id: &str) -> Result<Option<RecordVersion>> {
        let (kind, id) = (kind.to_owned(), id.to_owned());
        self.read(move |c| {
            c.query_row(
                &format!(
                    "SELECT {RECORD_COLUMNS} FROM record_versions v
                     JOIN record_heads h ON h.kind = v.kind AND h.id = v.id AND h.rev = v.rev
                     WHERE v.kind = ?1 AND v.id = ?2"
                ),
                params![kind, id],
                record_row,
            )
            .optional()
            .map_err(err)
        })
        .await
    }

    async fn record_history(&self, kind: &str, id: &str) -> Result<Vec<RecordVersion>> {
        let (kind, id) = (kind.to_owned(), id.to_owned());
        self.read(move |c| {
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {RECORD_COLUMNS} FROM record_versions v
                     WHERE v.kind = ?1 AND v.id = ?2 ORDER BY v.rev"
                ))
                .map_err(err)?;
            let rows = st.query_map(params![kind, id], record_row).map_err(err)?;
            rows.map(|r| r.map_err(err)).collect()
        })
        .await
    }

    async fn records(&self, f: RecordFilter) -> Result<Vec<RecordVersion>> {
        self.read(move |c| {
            let states = encode_list(&f.states);
            let mut st = c
                .prepare_cached(&format!(
                    "SELECT {RECORD_COLUMNS} FROM record_heads h
                     JOIN record_versions v ON v.kind = h.kind AND v.id = h.id AND v.rev = h.rev
                     WHERE h.kind = ?1
                       AND (?2 IS NULL OR h.org = ?2 OR h.parties LIKE '%,' || ?2 || ',%')
                       AND (?3 = '[]' OR h.state IN (SELECT value FROM json_each(?3)))
                       AND (?4 IS NULL OR (h.due IS NOT NULL AND h.due < ?4))
                     ORDER BY h.at DESC, h.id LIMIT ?5"
                ))
                .map_err(err)?;
            let limit = i64::try_from(f.limit).unwrap_or(i64::MAX);
            let rows = st
                .query_map(
                    params![f.kind, f.involving, states, f.due_before, limit],
                    record_row,
                )
                .map_err(err)?;
            rows.map(|r| r.map_err(err)).collect()
        })
        .await
    }

    async fn stream_head(&self, topic: &str) -> Result<i64> {
        let topic = topic.to_owned();
        self.read(move |c| {
            c.query_row(
                "SELECT COALESCE(MAX(seq), 0) FROM stream_events WHERE topic = ?1",
                [topic],
                |r| r.get(0),
            )
            .map_err(err)
        })
        .await
    }

    async fn events_after(
        &self,
        topic: &str,
        after: i64,
        limit: usize,
    ) -> Result<Vec<StreamEvent>> {
        let topic = topic.to_owned();
        self.read(move |c| {
            let mut st = c
                .prepare_cached(
                    "SELECT seq, topic, at, body FROM stream_events
                     WHERE topic = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
                )
                .map_err(err)?;
            let limit = i64::try_from(limit).unwrap_or(i64::MAX);
            let rows = st
                .query_map(params![topic, after, limit], |r| {
                    Ok(StreamEvent {
                        seq: r.get(0)?,
                        topic: r.get(1)?,
                        at: r.get(2)?,
                        body: r.get(3)?,
                    })
                })
                .map_err(err)?;
            rows.map(|r| r.map_err(err)).collect()
        })
        .await
    }

    async fn put_index(&self, entries: Vec<(i64, String, Vec<String>)>) -> Result<()> {
        self.write(move |c| {
            let tx = c.transaction().map_err(err)?;
            for (seq, text, values) in &entries {
                // Again is harmless: an earlier index of the row is replaced.
                tx.execute("DELETE FROM object_search WHERE rowid = ?1", [seq])
                    .map_err(err)?;
                tx.execute("DELETE FROM object_values WHERE seq = ?1", [seq])
                    .map_err(err)?;
                // A version deleted since it was read is not indexed (its
                // text would stay behind with nothing to remove it).
                let stored: bool = tx
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM objects WHERE seq = ?1)")
                    .and_then(|mut st| st.query_row([seq], |r| r.get(0)))
                    .map_err(err)?;
                if stored {
                    index_tx(&tx, *seq, text, values)?;
                }
            }
            tx.commit().map_err(err)
        })
        .await
    }

    async fn purge_sessions(&self, before: Micros) -> Result<u64> {
        self.write(move |c| {
            c.execute("DELETE FROM sessions WHERE last_seen < ?1", [before])
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(err)
        })
        .await
    }
}

/// The columns a record version is read from (`v`: record_versions).
const RECORD_COLUMNS: &str = "v.kind, v.id, v.rev, v.org, v.parties, v.state, v.due, v.body, v.at";

fn record_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RecordVersion> {
    Ok(RecordVersion {
        kind: r.get(0)?,
        id: r.get(1)?,
        rev: r.get(2)?,
        org: r.get(3)?,
        parties: parties_of(&r.get::<_, String>(4)?),
        state: r.get(5)?,
        due: r.get(6)?,
        body: r.get(7)?,
        at: r.get(8)?,
    })
}
