//! The search index is kept by a background job, not by ingest: a version
//! is stored at TAXII speed and becomes searchable a moment later (within
//! [`QUIET`] when the hub is not loading in bulk). During a bulk load the
//! job waits for a quiet moment, so the load runs as fast as without an
//! index, then catches up; it never falls more than [`MAX_LAG`] behind
//! before indexing a batch each [`QUIET`] anyway.
//!
//! The position indexed so far is a setting in the store, so any node
//! continues where another stopped; indexing a version twice replaces its
//! entry (harmless).

use crate::Hub;
use crate::error::Error;
use crate::time::now_micros;
use kyoyu_store::Store;
use serde_json::Value;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Ingest this recent means a load is running.
pub(crate) const QUIET: Duration = Duration::from_millis(250);
/// How far behind indexing may fall while a load runs.
pub(crate) const MAX_LAG: Duration = Duration::from_secs(5);
/// Versions indexed per batch.
const BATCH: usize = 1000;
/// Setting: the last `seq` whose version is indexed.
pub(crate) const INDEXED_UPTO: &str = "search-backfill-done";

/// What ingest tells the job.
#[derive(Debug, Default)]
pub(crate) struct Indexing {
    /// Woken when versions are stored.
    pub(crate) kick: Arc<tokio::sync::Notify>,
    /// When versions were last stored (micros).
    last_stored: AtomicI64,
}

impl Indexing {
    /// Versions were stored just now.
    pub(crate) fn stored(&self) {
        self.last_stored.store(now_micros(), Ordering::Relaxed);
        self.kick.notify_one();
    }

    /// Whether versions were stored within [`QUIET`].
    pub(crate) fn busy(&self) -> bool {
        let quiet = i64::try_from(QUIET.as_micros()).unwrap_or(i64::MAX);
        now_micros() - self.last_stored.load(Ordering::Relaxed) < quiet
    }
}

impl<S: Store> Hub<S> {
    /// Indexes the next batch of stored versions not yet in the search
    /// index; returns whether more remain. Not a read for anyone: nothing
    /// leaves the hub, so nothing is audited.
    pub(crate) async fn index_pending(&self) -> Result<bool, Error> {
        let done = self
            .store
            .setting(INDEXED_UPTO)
            .await?
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0);
        let rows = self.store.versions_after(done, BATCH).await?;
        let Some(last) = rows.last().map(|r| r.0) else {
            return Ok(false);
        };
        let more = rows.len() == BATCH;
        let entries = rows
            .into_iter()
            .map(|(seq, json)| {
                let v: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
                (
                    seq,
                    crate::search::text_of(&v),
                    crate::search::values_of(&v),
                )
            })
            .collect();
        self.store.put_index(entries).await?;
        self.store
            .put_setting(INDEXED_UPTO, &last.to_string())
            .await?;
        Ok(more)
    }
}
