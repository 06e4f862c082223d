//! The sync worker: moves the outbox into the search engine.
//!
//! Each round takes the oldest outbox rows, reads the *current* documents of the objects they
//! name, applies them (or deletes those that are gone), and only then deletes the rows, in one
//! database transaction. Applying current state makes replays harmless; deleting rows after the
//! engine has committed means a crash or an engine outage loses nothing — the rows wait, with
//! retries backing off, until the engine is back. On PostgreSQL an advisory lock lets one
//! server drain at a time, which keeps each document's updates in order across servers.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseBackend, DatabaseConnection, Statement, TransactionTrait};
use tokio::sync::{Notify, watch};

use super::{DocKey, SearchEngine};
use crate::error::AppError;
use crate::services::reference::Reference;
use crate::services::search as index;

/// Rows applied per round.
pub const BATCH: u64 = 500;
const IDLE_POLL: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
const ADVISORY_LOCK: i64 = 0x6761_6e62_7365_6172; // "ganbsear"

/// What readiness checks see of the worker.
#[derive(Debug, Default)]
pub struct SyncHealth {
    pub last_error: Mutex<Option<String>>,
}

#[derive(Clone)]
pub struct SyncWorker {
    pub db: DatabaseConnection,
    pub reference: Arc<Reference>,
    pub engine: Arc<dyn SearchEngine>,
    /// Woken by writers after they commit, so changes reach the index without waiting a poll.
    pub wake: Arc<Notify>,
    pub health: Arc<SyncHealth>,
}

impl SyncWorker {
    /// Applies one batch; returns how many outbox rows it consumed (0 when idle, or when
    /// another server holds the drain lock).
    pub async fn drain_once(&self) -> Result<usize, AppError> {
        let txn = self.db.begin().await?;
        if txn.get_database_backend() == DatabaseBackend::Postgres {
            let row = txn
                .query_one_raw(Statement::from_sql_and_values(
                    DatabaseBackend::Postgres,
                    "SELECT pg_try_advisory_xact_lock($1) AS locked",
                    [ADVISORY_LOCK.into()],
                ))
                .await?;
            let locked: bool = row
                .map(|r| r.try_get("", "locked"))
                .transpose()?
                .unwrap_or(false);
            if !locked {
                txn.rollback().await?;
                return Ok(0);
            }
        }
        let rows = index::pending(&txn, BATCH).await?;
        if rows.is_empty() {
            txn.commit().await?;
            return Ok(0);
        }
        let mut keys: Vec<DocKey> = rows
            .iter()
            .map(|r| DocKey::new(r.document_type, r.document_id))
            .collect();
        keys.sort();
        keys.dedup();
        let (documents, gone) = index::documents(&self.db, &self.reference, &keys).await?;
        let unavailable = |e: super::SearchError| AppError::SearchUnavailable(e.to_string());
        self.engine.upsert(documents).await.map_err(unavailable)?;
        self.engine.delete(gone).await.map_err(unavailable)?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        index::acknowledge(&txn, &ids).await?;
        txn.commit().await?;
        Ok(rows.len())
    }

    /// Drains until told to stop, stopping only between batches.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(250);
        let mut prepared = false;
        loop {
            if *shutdown.borrow() {
                return;
            }
            if !prepared {
                match self.engine.prepare().await {
                    Ok(()) => prepared = true,
                    Err(e) => {
                        self.record(Some(format!("preparing the index: {e}")));
                        tracing::warn!(error = %e, engine = self.engine.name(), "search engine not ready; retrying");
                        wait(&mut shutdown, &self.wake, backoff, false).await;
                        backoff = (backoff * 2).min(MAX_BACKOFF);
                        continue;
                    }
                }
            }
            match self.drain_once().await {
                Ok(n) if n > 0 => {
                    self.record(None);
                    backoff = Duration::from_millis(250);
                }
                Ok(_) => {
                    self.record(None);
                    wait(&mut shutdown, &self.wake, IDLE_POLL, true).await;
                }
                Err(e) => {
                    let message = match &e {
                        AppError::SearchUnavailable(m) => m.clone(),
                        other => format!("{other:?}"),
                    };
                    tracing::warn!(error = %message, retry_in_ms = backoff.as_millis() as u64, "search sync failed; will retry");
                    self.record(Some(message));
                    wait(&mut shutdown, &self.wake, backoff, false).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    fn record(&self, error: Option<String>) {
        if let Ok(mut last) = self.health.last_error.lock() {
            *last = error;
        }
    }
}

/// Sleeps for `delay`, or until woken (when `wakeable`), or until shutdown.
async fn wait(
    shutdown: &mut watch::Receiver<bool>,
    wake: &Notify,
    delay: Duration,
    wakeable: bool,
) {
    tokio::select! {
        _ = tokio::time::sleep(delay) => {}
        _ = wake.notified(), if wakeable => {}
        _ = shutdown.changed() => {}
    }
}

/// Rebuilds the whole index from the database; searches keep answering meanwhile.
pub async fn reindex(
    db: &DatabaseConnection,
    reference: &Reference,
    engine: &dyn SearchEngine,
) -> Result<usize, AppError> {
    engine
        .prepare()
        .await
        .map_err(|e| AppError::SearchUnavailable(e.to_string()))?;
    let keys = index::all_keys(db).await?;
    let mut documents = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(2_000) {
        let (found, _) = index::documents(db, reference, chunk).await?;
        documents.extend(found);
    }
    let count = documents.len();
    engine
        .replace_all(documents)
        .await
        .map_err(|e| AppError::SearchUnavailable(e.to_string()))?;
    Ok(count)
}
