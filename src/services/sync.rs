//! The sync worker: moves the outbox into the search engine.
//!
//! Each round takes the oldest outbox rows, reads the *current* documents of the objects they
//! name, applies them (or deletes those that are gone), and only then deletes the rows, in one
//! database transaction. Applying current state makes replays harmless; deleting rows after the
//! engine has committed means a crash or an engine outage loses nothing — the rows wait, with
//! retries backing off, until the engine is back. On PostgreSQL an advisory lock lets one
//! server drain at a time, which keeps each document's updates in order across servers.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
/// The PostgreSQL advisory lock one server at a time holds to apply the outbox or rebuild the index.
pub const DRAIN_LOCK: i64 = 0x6761_6e62_7365_6172; // "ganbsear"
/// How often an idle worker checks that the index has not lost objects under it (a wiped or
/// replaced Meilisearch).
const EMPTINESS_CHECK: Duration = Duration::from_secs(1);

/// Where the search index stands against the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IndexState {
    /// Not checked yet (the engine has not answered since the start).
    #[default]
    Unknown,
    /// Empty while the database has objects, and being filled: searches would miss them.
    Building,
    /// Holds the database's objects (changes since then wait in the outbox).
    Ready,
}

impl IndexState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Building => "building",
            Self::Ready => "ready",
        }
    }

    fn from_u8(value: u8) -> Self {
        match value {
            1 => Self::Building,
            2 => Self::Ready,
            _ => Self::Unknown,
        }
    }

    fn to_u8(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Building => 1,
            Self::Ready => 2,
        }
    }
}

/// What readiness checks see of the worker: whether its last round failed, as a short code
/// and a fixed sentence. The error itself, which may carry driver and engine internals, goes
/// to the log only.
#[derive(Debug, Default)]
pub struct SyncHealth {
    pub last_error: Mutex<Option<SyncFailure>>,
    index: AtomicU8,
}

impl SyncHealth {
    /// Where the index stands, as last seen by this server.
    pub fn index(&self) -> IndexState {
        IndexState::from_u8(self.index.load(Ordering::Acquire))
    }

    pub fn set_index(&self, state: IndexState) {
        self.index.store(state.to_u8(), Ordering::Release);
    }
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
        let mut checked = Instant::now();
        loop {
            if *shutdown.borrow() {
                return;
            }
            self.sweep_expiries(&mut swept).await;
            if !prepared {
                let ready = match self.engine.prepare().await {
                    Ok(()) => self.fill().await,
                    Err(e) => {
                        tracing::warn!(error = %e, engine = self.engine.name(), "search engine not ready; retrying");
                        false
                    }
                };
                if !ready {
                    self.record(Some(SyncFailure::PREPARING));
                    wait(&mut shutdown, &self.wake, backoff, false).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    continue;
                }
                prepared = true;
                checked = Instant::now();
            }
            match self.drain_once().await {
                Ok(n) if n > 0 => {
                    self.record(None);
                    backoff = Duration::from_millis(250);
                }
                Ok(_) => {
                    self.record(None);
                    if checked.elapsed() >= EMPTINESS_CHECK {
                        checked = Instant::now();
                        if self.emptied().await {
                            // Settings and contents again, from the database.
                            tracing::warn!(
                                engine = self.engine.name(),
                                "the search index lacks objects of the database; rebuilding it"
                            );
                            prepared = false;
                            self.health.set_index(IndexState::Building);
                            continue;
                        }
                    }
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

    /// Fills the index if it lacks objects (see [`fill_if_incomplete`]); whether it now holds
    /// the database's objects.
    async fn fill(&self) -> bool {
        match fill_if_incomplete(
            &self.db,
            &self.reference,
            self.engine.as_ref(),
            &self.health,
            None,
        )
        .await
        {
            Ok(_) => true,
            Err(e) => {
                tracing::warn!(error = ?e, engine = self.engine.name(), "could not build the search index now; retrying");
                false
            }
        }
    }

    /// Whether the index lacks objects of the database (a wiped Meilisearch), as
    /// [`incomplete`] tells.
    async fn emptied(&self) -> bool {
        matches!(incomplete(&self.db, self.engine.as_ref()).await, Ok(true))
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
            [DRAIN_LOCK.into()],
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

/// What [`fill_if_incomplete`] found and did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fill {
    /// The index already held the database's objects (or another server filled it meanwhile).
    Complete,
    /// The database holds nothing to index.
    NothingToIndex,
    /// The index lacked objects and is now built with this many documents.
    Built(usize),
    /// The index lacks objects and the database holds more than `at_most`: left to the sync
    /// worker.
    Deferred(u64),
}

/// Whether the index lacks objects the database has: it is empty while the database is not
/// (a new data directory, a new or wiped Meilisearch, a database just loaded whose changes wait
/// in the outbox), or it holds fewer documents than the database's objects less the changes
/// waiting in the outbox, each of which adds one at the most (a wiped Meilisearch that the
/// outbox began to fill again before anyone looked: its index is created anew by the first
/// change applied). The database is read before the engine: an object committed meanwhile only
/// makes the index look more complete.
async fn incomplete(db: &DatabaseConnection, engine: &dyn SearchEngine) -> Result<bool, AppError> {
    let objects = index::object_count(db).await?;
    if objects == 0 {
        return Ok(false);
    }
    let pending = outbox::status(db).await?.depth;
    let held = engine.count().await?;
    Ok(held == 0 || held + pending < objects)
}

/// An index that lacks objects of the database (see [`incomplete`]) is rebuilt, then the outbox
/// rows the rebuild covered are dropped. `health` says [`IndexState::Building`] from the moment
/// the index is found incomplete until it is full; with `at_most`, a database of more objects
/// is not built here but left, building, to the worker.
pub async fn fill_if_incomplete(
    db: &DatabaseConnection,
    reference: &Reference,
    engine: &dyn SearchEngine,
    health: &SyncHealth,
    at_most: Option<u64>,
) -> Result<Fill, AppError> {
    let objects = index::object_count(db).await?;
    if objects == 0 {
        health.set_index(IndexState::Ready);
        return Ok(Fill::NothingToIndex);
    }
    if !incomplete(db, engine).await? {
        health.set_index(IndexState::Ready);
        return Ok(Fill::Complete);
    }
    health.set_index(IndexState::Building);
    if let Some(limit) = at_most
        && objects > limit
    {
        return Ok(Fill::Deferred(objects));
    }
    // Outbox rows committed before the rebuild reads the database are covered by it.
    let covered = outbox::committed_ids(db).await?;
    let started = Instant::now();
    let Some(count) = rebuild(db, reference, engine, true).await? else {
        health.set_index(IndexState::Ready);
        return Ok(Fill::Complete);
    };
    tracing::info!(
        documents = count,
        engine = engine.name(),
        ms = started.elapsed().as_millis() as u64,
        "built the search index"
    );
    if let Err(e) = outbox::acknowledge_all(db, &covered).await {
        tracing::warn!(error = ?e, "could not clear the outbox rows the rebuild covered; they will be replayed");
    }
    health.set_index(IndexState::Ready);
    Ok(Fill::Built(count))
}

/// Rebuilds the whole index from the database; searches keep answering meanwhile.
///
/// On PostgreSQL it holds the drain lock throughout, so no server applies a newer change that
/// the rebuilt snapshot would then overwrite; changes made meanwhile wait in the outbox and
/// are applied after the swap.
///
/// The outbox rows committed before the rebuild read the database are covered by it and are
/// dropped afterwards, so no server replays what the rebuild already holds.
pub async fn reindex(
    db: &DatabaseConnection,
    reference: &Reference,
    engine: &dyn SearchEngine,
) -> Result<usize, AppError> {
    let covered = outbox::committed_ids(db).await?;
    let count = rebuild(db, reference, engine, false).await?.unwrap_or(0);
    outbox::acknowledge_all(db, &covered).await?;
    Ok(count)
}

/// The rebuild behind [`reindex`] and [`fill_if_incomplete`]; with `only_if_incomplete`,
/// nothing is done (and `None` returned) when the index holds the database's objects once the
/// lock is held: another server filled it meanwhile.
async fn rebuild(
    db: &DatabaseConnection,
    reference: &Reference,
    engine: &dyn SearchEngine,
    only_if_incomplete: bool,
) -> Result<Option<usize>, AppError> {
    let lock = match db.get_database_backend() {
        DatabaseBackend::Postgres => {
            let txn = db.begin().await?;
            txn.execute_raw(Statement::from_sql_and_values(
                DatabaseBackend::Postgres,
                "SELECT pg_advisory_xact_lock($1)",
                [DRAIN_LOCK.into()],
            ))
            .await?;
            Some(txn)
        }
        _ => None,
    };
    engine.prepare().await?;
    if only_if_incomplete && !incomplete(db, engine).await? {
        if let Some(txn) = lock {
            txn.commit().await?;
        }
        return Ok(None);
    }
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
    Ok(Some(count))
}
