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

use sea_orm::{
    ConnectionTrait, DatabaseBackend, DatabaseConnection, DatabaseTransaction, Statement,
    TransactionTrait,
};
use tokio::sync::{Notify, watch};

use super::outbox;
use super::reference::Reference;
use super::search as index;
use crate::error::{AppError, code};
use crate::search::{DocKey, SearchEngine};

/// Rows applied per round.
pub const BATCH: u64 = 500;
const IDLE_POLL: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);
const ADVISORY_LOCK: i64 = 0x6761_6e62_7365_6172; // "ganbsear"

/// What readiness checks see of the worker: whether its last round failed, as a short code
/// and a fixed sentence. The error itself, which may carry driver and engine internals, goes
/// to the log only.
#[derive(Debug, Default)]
pub struct SyncHealth {
    pub last_error: Mutex<Option<SyncFailure>>,
}

/// A failed round of the worker, as `/readyz` tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SyncFailure {
    pub code: &'static str,
    pub message: &'static str,
}

impl SyncFailure {
    /// The engine could not be prepared (created, given its settings).
    pub const PREPARING: SyncFailure = SyncFailure {
        code: code::SEARCH_UNAVAILABLE,
        message: "the search index could not be prepared; retrying",
    };
    /// The engine refused or could not take the latest changes.
    pub const ENGINE: SyncFailure = SyncFailure {
        code: code::SEARCH_UNAVAILABLE,
        message: "the search engine did not take the latest changes; they wait in the outbox",
    };
    /// Reading the changes or acknowledging them failed on our side.
    pub const INTERNAL: SyncFailure = SyncFailure {
        code: code::INTERNAL,
        message: "the latest changes could not be brought to the search index; retrying",
    };
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
    ///
    /// No transaction spans the round: rows are read, applied, then deleted by id in one short
    /// statement. That is safe because documents are rebuilt from current state, and it keeps
    /// SQLite writers and this worker from blocking each other. On PostgreSQL a transaction is
    /// held only to own the advisory lock for the round.
    pub async fn drain_once(&self) -> Result<usize, AppError> {
        let lock = match self.db.get_database_backend() {
            DatabaseBackend::Postgres => match try_drain_lock(&self.db).await? {
                Some(txn) => Some(txn),
                None => return Ok(0),
            },
            _ => None,
        };
        let rows = outbox::pending(&self.db, BATCH).await?;
        if rows.is_empty() {
            if let Some(txn) = lock {
                txn.commit().await?;
            }
            return Ok(0);
        }
        let mut keys: Vec<DocKey> = rows
            .iter()
            .map(|r| DocKey::new(r.document_type, r.document_id))
            .collect();
        keys.sort();
        keys.dedup();
        let (documents, gone) = index::documents(&self.db, &self.reference, &keys).await?;
        self.engine.upsert(documents).await?;
        self.engine.delete(gone).await?;
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        outbox::acknowledge(&self.db, &ids).await?;
        if let Some(txn) = lock {
            txn.commit().await?;
        }
        Ok(rows.len())
    }

    /// Enqueues, once a day, the companies whose certificates reached their expiry date since
    /// the last sweep: "in force" is a matter of the date, and no write marks its passing.
    async fn sweep_expiries(&self, last: &mut Option<chrono::NaiveDate>) {
        let today = crate::domain::today();
        if *last == Some(today) {
            return;
        }
        let since = last.unwrap_or(today - chrono::Duration::days(2));
        match outbox::enqueue_expired_between(&self.db, since, today).await {
            Ok(n) => {
                if n > 0 {
                    tracing::info!(
                        companies = n,
                        "certificates expired; refreshing their companies' search documents"
                    );
                }
                *last = Some(today);
            }
            Err(e) => {
                tracing::warn!(error = ?e, "could not sweep certificate expiries; will retry")
            }
        }
    }

    /// Drains until told to stop, stopping only between batches.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut backoff = Duration::from_millis(250);
        let mut prepared = false;
        let mut swept = None;
        loop {
            if *shutdown.borrow() {
                return;
            }
            self.sweep_expiries(&mut swept).await;
            if !prepared {
                match self.engine.prepare().await {
                    Ok(()) => {
                        prepared = true;
                        self.fill_if_empty().await;
                    }
                    Err(e) => {
                        self.record(Some(SyncFailure::PREPARING));
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
                    let failure = match &e {
                        AppError::SearchUnavailable(_) => {
                            // An engine that was away may come back empty: settings again.
                            prepared = false;
                            SyncFailure::ENGINE
                        }
                        _ => SyncFailure::INTERNAL,
                    };
                    tracing::warn!(error = ?e, engine = self.engine.name(), retry_in_ms = backoff.as_millis() as u64, "search sync failed; will retry");
                    self.record(Some(failure));
                    wait(&mut shutdown, &self.wake, backoff, false).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
        }
    }

    /// An empty index over a database that has objects (a new data directory, a new or wiped
    /// Meilisearch, a database from before search) is rebuilt, then the outbox rows the
    /// rebuild covered are dropped.
    async fn fill_if_empty(&self) {
        if !matches!(self.engine.count().await, Ok(0)) {
            return;
        }
        let Ok(keys) = index::all_keys(&self.db).await else {
            return;
        };
        if keys.is_empty() {
            return;
        }
        // Outbox rows committed before the rebuild reads the database are covered by it.
        let covered = outbox::last_outbox_id(&self.db).await.ok().flatten();
        match reindex(&self.db, &self.reference, self.engine.as_ref()).await {
            Ok(n) => {
                tracing::info!(
                    documents = n,
                    engine = self.engine.name(),
                    "built the empty search index"
                );
                if let Some(last) = covered
                    && let Err(e) = outbox::acknowledge_through(&self.db, last).await
                {
                    tracing::warn!(error = ?e, "could not clear the outbox rows the rebuild covered; they will be replayed");
                }
            }
            Err(e) => {
                tracing::warn!(error = ?e, "could not build the search index now; the outbox will fill it")
            }
        }
    }

    fn record(&self, error: Option<SyncFailure>) {
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

/// On PostgreSQL, a transaction owning the drain lock, or `None` if another holds it.
async fn try_drain_lock(db: &DatabaseConnection) -> Result<Option<DatabaseTransaction>, AppError> {
    let txn = db.begin().await?;
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
    if locked {
        Ok(Some(txn))
    } else {
        txn.rollback().await?;
        Ok(None)
    }
}

/// Rebuilds the whole index from the database; searches keep answering meanwhile.
///
/// On PostgreSQL it holds the drain lock throughout, so no server applies a newer change that
/// the rebuilt snapshot would then overwrite; changes made meanwhile wait in the outbox and
/// are applied after the swap.
pub async fn reindex(
    db: &DatabaseConnection,
    reference: &Reference,
    engine: &dyn SearchEngine,
) -> Result<usize, AppError> {
    let lock = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [ADVISORY_LOCK.into()],
            ))
            .await?;
            Some(txn)
        }
        _ => None,
    };
    engine.prepare().await?;
    let keys = index::all_keys(db).await?;
    let mut documents = Vec::with_capacity(keys.len());
    for chunk in keys.chunks(2_000) {
        let (found, _) = index::documents(db, reference, chunk).await?;
        documents.extend(found);
    }
    let count = documents.len();
    engine.replace_all(documents).await?;
    if let Some(txn) = lock {
        txn.commit().await?;
    }
    Ok(count)
}
