//! The hub's background jobs: the audit writer, the directory refresh
//! (changes made through another process sharing the database) and the
//! release of due batches of concealed submissions.

use crate::Hub;
use crate::time::now_micros;
use kyoyu_store::{AuditDraft, Store};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

/// A queued audit entry and, for a read, who waits for it to be durable.
pub(crate) type Queued = (AuditDraft, Option<tokio::sync::oneshot::Sender<()>>);

/// The most entries one commit takes.
const AUDIT_BATCH: usize = 1000;

/// How often a process re-reads the members, so that changes made through
/// another process sharing the database take effect.
const DIRECTORY_REFRESH: Duration = Duration::from_secs(2);

/// Starts every job; each stops when the hub is dropped.
pub(crate) fn start<S: Store>(
    hub: &Arc<Hub<S>>,
    audit: tokio::sync::mpsc::Receiver<Queued>,
    pending: Arc<AtomicU64>,
) {
    tokio::spawn(audit_sink(hub.store.clone(), audit, pending));
    tokio::spawn(refresh_directory(Arc::downgrade(hub)));
    tokio::spawn(release_batches(Arc::downgrade(hub)));
    tokio::spawn(index_search(Arc::downgrade(hub)));
    tokio::spawn(crate::hotline::pump(
        Arc::downgrade(hub),
        &[
            crate::hotline::HOTLINE,
            crate::reporting::REPORTING_TOPIC,
            crate::reporting::REMINDER_TOPIC,
        ],
    ));
    tokio::spawn(escalate_hotlines(Arc::downgrade(hub)));
    tokio::spawn(send_reminders(Arc::downgrade(hub)));
}

/// Sends the reporting reminders that came due, every five seconds.
async fn send_reminders<S: Store>(hub: Weak<Hub<S>>) {
    loop {
        tokio::time::sleep(Duration::from_secs(5)).await;
        let Some(hub) = hub.upgrade() else { return };
        if let Err(e) = hub.remind_due().await {
            tracing::warn!(error = %e.description, "cannot send reporting reminders");
        }
    }
}

/// Escalates hotline calls whose acknowledgement clock ran out, every
/// second.
async fn escalate_hotlines<S: Store>(hub: Weak<Hub<S>>) {
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(hub) = hub.upgrade() else { return };
        if let Err(e) = hub.escalate_due().await {
            tracing::warn!(error = %e.description, "cannot escalate hotline calls");
        }
    }
}

/// Appends queued audit entries, in batches of whatever is waiting (group
/// commit: entries that arrive while one commit runs go in the next), then
/// tells each waiting reader that its entry is durable.
async fn audit_sink<S: Store>(
    store: S,
    mut rx: tokio::sync::mpsc::Receiver<Queued>,
    pending: Arc<AtomicU64>,
) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while batch.len() < AUDIT_BATCH {
            match rx.try_recv() {
                Ok(q) => batch.push(q),
                Err(_) => break,
            }
        }
        let (drafts, waiters): (Vec<AuditDraft>, Vec<_>) = batch.into_iter().unzip();
        // Never dropped: retried until the store takes them (their readers
        // wait meanwhile, and shutdown waits for the queue).
        let mut tries: u64 = 0;
        while let Err(e) = store.append_audit(drafts.clone(), now_micros()).await {
            tries += 1;
            tracing::error!(error = %e, tries, entries = drafts.len(), "cannot append to the audit trail; retrying");
            tokio::time::sleep(Duration::from_millis((200 * tries).min(5_000))).await;
        }
        pending.fetch_sub(drafts.len() as u64, Ordering::AcqRel);
        for w in waiters.into_iter().flatten() {
            let _ = w.send(());
        }
    }
}

/// Releases due batches of concealed submissions, every second; finishes
/// interrupted withdrawals at start and every minute; removes idle console
/// sessions every minute.
async fn release_batches<S: Store>(hub: Weak<Hub<S>>) {
    for tick in 0u64.. {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let Some(hub) = hub.upgrade() else { return };
        if let Err(e) = hub.release_due().await {
            tracing::warn!(error = %e.description, "cannot release concealed submissions");
        }
        if tick % 60 == 0
            && let Err(e) = hub.finish_withdrawals().await
        {
            tracing::warn!(error = %e.description, "cannot finish withdrawals");
        }
        // Idle console sessions are refused when used; this removes them.
        if tick % 60 == 30
            && let Err(e) = hub.purge_idle_sessions().await
        {
            tracing::warn!(error = %e.description, "cannot remove idle sessions");
        }
    }
}

/// Keeps the search index up with the stored versions (see
/// `indexing.rs`): woken by ingest, it waits while a load runs (up to
/// `MAX_LAG`, then a batch per `QUIET`), and otherwise indexes batch after
/// batch until none is left.
async fn index_search<S: Store>(hub: Weak<Hub<S>>) {
    use crate::indexing::{MAX_LAG, QUIET};
    let mut behind_since: Option<std::time::Instant> = None;
    loop {
        let Some(h) = hub.upgrade() else { return };
        let busy = h.indexing.busy();
        if busy && behind_since.is_some_and(|t| t.elapsed() < MAX_LAG) {
            drop(h);
            tokio::time::sleep(QUIET).await;
            continue;
        }
        match h.index_pending().await {
            Ok(true) => {
                behind_since.get_or_insert_with(std::time::Instant::now);
                drop(h);
                if busy {
                    tokio::time::sleep(QUIET).await;
                } else {
                    tokio::task::yield_now().await;
                }
            }
            Ok(false) => {
                let kick = h.indexing.kick.clone();
                drop(h);
                let _ = tokio::time::timeout(Duration::from_secs(5), kick.notified()).await;
                // Caught up until now: any lag counts from here.
                behind_since = Some(std::time::Instant::now());
            }
            Err(e) => {
                tracing::warn!(error = %e.description, "cannot index stored versions for search; retrying in a minute");
                drop(h);
                tokio::time::sleep(Duration::from_secs(60)).await;
            }
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
