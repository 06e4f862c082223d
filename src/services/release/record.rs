//! Writing releases: each in the transaction of its change, after the change, under the lock
//! of the one clock row; and, for tenders posted before releases were kept, one release each
//! from their state.
//!
//! The clock row is locked as the last step before the commit, and the lock is held until the
//! commit: the write that takes `seq` n commits before any write can take n + 1, so the order
//! of `seq` is the order of commits, and each instant is taken no earlier than the last (one
//! microsecond later if the clock has not moved). On SQLite a write transaction holds the
//! whole database anyway (`BEGIN IMMEDIATE`); on PostgreSQL the row is taken `FOR UPDATE`.

use chrono::{DateTime, Datelike, Duration, SubsecRound, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::snapshot::{self, amendment};
use super::{Change, Snapshot};
use crate::domain::TenderStatus;
use crate::entities::{tender, tender_amendment, tender_release, tender_release_clock};
use crate::error::{AppError, AppResult};

/// The releases a write will record at its commit.
#[derive(Debug, Default)]
pub struct Pending(Vec<(i64, Change)>);

/// The clock, locked until the transaction ends.
async fn lock_clock<C: ConnectionTrait>(conn: &C) -> AppResult<tender_release_clock::Model> {
    let mut select = tender_release_clock::Entity::find_by_id(1);
    if conn.get_database_backend() == DbBackend::Postgres {
        select = select.lock_exclusive();
    }
    select
        .one(conn)
        .await?
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("the release clock row is missing")))
}

/// Hands out `seq` numbers and instants under the clock's lock.
struct Clock {
    seq: i64,
    at: Option<DateTime<Utc>>,
}

impl Clock {
    /// The next release's `seq` and instant: `wanted`, or just after the last if that is later.
    fn next(&mut self, wanted: DateTime<Utc>) -> (i64, DateTime<Utc>) {
        let wanted = wanted.trunc_subsecs(6);
        let at = match self.at {
            Some(last) if wanted <= last => last + Duration::microseconds(1),
            _ => wanted,
        };
        self.seq += 1;
        self.at = Some(at);
        (self.seq, at)
    }

    async fn save<C: ConnectionTrait>(&self, conn: &C) -> AppResult<()> {
        tender_release_clock::Entity::update_many()
            .col_expr(
                tender_release_clock::Column::LastSeq,
                sea_orm::sea_query::Expr::value(self.seq),
            )
            .col_expr(
                tender_release_clock::Column::LastReleasedAt,
                sea_orm::sea_query::Expr::value(self.at),
            )
            .filter(tender_release_clock::Column::Id.eq(1))
            .exec(conn)
            .await?;
        Ok(())
    }
}

fn row(
    seq: i64,
    tender_id: i64,
    number: i32,
    change: Change,
    at: DateTime<Utc>,
    snapshot: &Snapshot,
) -> AppResult<tender_release::ActiveModel> {
    Ok(tender_release::ActiveModel {
        seq: Set(seq),
        tender_id: Set(tender_id),
        number: Set(number),
        change: Set(change.as_str().to_owned()),
        released_at: Set(at),
        year: Set(at.year()),
        snapshot: Set(serde_json::to_string(snapshot).map_err(AppError::internal)?),
    })
}

impl Pending {
    /// Notes that the write changes this tender in this way.
    pub fn add(&mut self, tender_id: i64, change: Change) {
        self.0.push((tender_id, change));
    }

    /// Writes the noted releases, in the write's transaction, as its last step before the
    /// commit.
    pub async fn settle<C: ConnectionTrait>(self, conn: &C) -> AppResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let mut rows = Vec::with_capacity(self.0.len());
        for (tender_id, change) in self.0 {
            let previous = tender_release::Entity::find()
                .filter(tender_release::Column::TenderId.eq(tender_id))
                .order_by_desc(tender_release::Column::Number)
                .one(conn)
                .await?;
            let (number, before) = match previous {
                Some(p) => {
                    let before: Snapshot =
                        serde_json::from_str(&p.snapshot).map_err(AppError::internal)?;
                    (p.number + 1, Some(before))
                }
                None => (1, None),
            };
            let mut amendments = before
                .as_ref()
                .map(|b| b.amendments.clone())
                .unwrap_or_default();
            if change == Change::Amended {
                // The amendment this write made: the tender's newest, the tender being locked.
                let made = tender_amendment::Entity::find()
                    .filter(tender_amendment::Column::TenderId.eq(tender_id))
                    .order_by_desc(tender_amendment::Column::Id)
                    .one(conn)
                    .await?
                    .ok_or_else(|| {
                        AppError::internal(anyhow::anyhow!(
                            "tender {tender_id} was amended without an amendment"
                        ))
                    })?;
                amendments.push(amendment(made, Some(number - 1), Some(number))?);
            }
            let mut snapshot = snapshot::now(conn, &[tender_id])
                .await?
                .remove(&tender_id)
                .ok_or_else(|| {
                    AppError::internal(anyhow::anyhow!("tender {tender_id} is missing"))
                })?;
            snapshot.amendments = amendments;
            if let Some(before) = &before {
                snapshot.withdrawn = snapshot.taken_away_since(before);
            }
            rows.push((tender_id, number, change, snapshot));
        }
        let locked = lock_clock(conn).await?;
        let mut clock = Clock {
            seq: locked.last_seq,
            at: locked.last_released_at,
        };
        let now = Utc::now();
        let mut models = Vec::with_capacity(rows.len());
        for (tender_id, number, change, snapshot) in &rows {
            let (seq, at) = clock.next(now);
            models.push(row(seq, *tender_id, *number, *change, at, snapshot)?);
        }
        tender_release::Entity::insert_many(models)
            .exec_without_returning(conn)
            .await?;
        clock.save(conn).await
    }
}

/// What a tender's one release from its present state records.
fn change_of(status: &str) -> Change {
    match status {
        s if s == sea_orm::ActiveEnum::to_value(&TenderStatus::Active) => Change::Published,
        s if s == sea_orm::ActiveEnum::to_value(&TenderStatus::Cancelled) => Change::Cancelled,
        s if s == sea_orm::ActiveEnum::to_value(&TenderStatus::Unsuccessful) => {
            Change::ClosedUnsuccessful
        }
        s if s == sea_orm::ActiveEnum::to_value(&TenderStatus::Complete) => Change::Awarded,
        _ => Change::Created,
    }
}

/// A tender's id, last update, publication, end of period and status.
type Dates = (
    i64,
    DateTime<Utc>,
    Option<DateTime<Utc>>,
    DateTime<Utc>,
    TenderStatus,
);

/// How many tenders are written at once.
const BATCH: usize = 500;

/// Writes one release, from its present state, for every tender that has none, in `conn`'s
/// transaction: dated by the tender's last change, in the order of those changes. Answers how
/// many it wrote.
pub async fn write_missing<C: ConnectionTrait>(conn: &C) -> AppResult<usize> {
    let locked = lock_clock(conn).await?;
    let missing: Vec<Dates> = tender::Entity::find()
        .select_only()
        .columns([
            tender::Column::Id,
            tender::Column::UpdatedAt,
            tender::Column::PublishedAt,
            tender::Column::TenderPeriodEnd,
            tender::Column::Status,
        ])
        .filter(
            tender::Column::Id.not_in_subquery(sea_orm::QueryTrait::into_query(
                tender_release::Entity::find()
                    .select_only()
                    .column(tender_release::Column::TenderId),
            )),
        )
        .into_tuple()
        .all(conn)
        .await?;
    // When the tender was last changed, as well as its record tells: its last update, its
    // publication, or for a closed tender the end of its period; never later than now.
    let now = Utc::now();
    let mut missing: Vec<(i64, DateTime<Utc>)> = missing
        .into_iter()
        .map(|(id, updated, published, end, status)| {
            let mut at = updated.max(published.unwrap_or(updated));
            if matches!(status, TenderStatus::Complete | TenderStatus::Unsuccessful) {
                at = at.max(end);
            }
            (id, at.min(now))
        })
        .collect();
    missing.sort_by_key(|&(id, at)| (at, id));
    let mut clock = Clock {
        seq: locked.last_seq,
        at: locked.last_released_at,
    };
    for batch in missing.chunks(BATCH) {
        let ids: Vec<i64> = batch.iter().map(|&(id, _)| id).collect();
        let mut snapshots = snapshot::now(conn, &ids).await?;
        let mut amendments = snapshot::earlier_amendments(conn, &ids).await?;
        let mut models = Vec::with_capacity(batch.len());
        for &(id, changed_at) in batch {
            let Some(mut snapshot) = snapshots.remove(&id) else {
                continue;
            };
            // Only what changed while it was open is an amendment; edits while planned are not.
            let published = snapshot.published_at;
            snapshot.amendments = amendments
                .remove(&id)
                .unwrap_or_default()
                .into_iter()
                .filter(|a| published.is_some_and(|p| a.date >= p))
                .collect();
            let (seq, at) = clock.next(changed_at);
            let change = change_of(&snapshot.status);
            models.push(row(seq, id, 1, change, at, &snapshot)?);
        }
        if !models.is_empty() {
            tender_release::Entity::insert_many(models)
                .exec_without_returning(conn)
                .await?;
        }
    }
    clock.save(conn).await?;
    Ok(missing.len())
}

/// At start: tenders posted before releases were kept get theirs, once. Several servers
/// starting together take turns on the clock's lock; the later ones find nothing to write.
pub async fn ensure(db: &DatabaseConnection) -> AppResult<usize> {
    let without: Option<i64> = tender::Entity::find()
        .select_only()
        .column(tender::Column::Id)
        .filter(
            tender::Column::Id.not_in_subquery(sea_orm::QueryTrait::into_query(
                tender_release::Entity::find()
                    .select_only()
                    .column(tender_release::Column::TenderId),
            )),
        )
        .into_tuple()
        .one(db)
        .await?;
    if without.is_none() {
        return Ok(0);
    }
    let txn = db
        .begin_with_options(crate::services::transaction::write_options())
        .await?;
    let written = write_missing(&txn).await?;
    txn.commit().await?;
    Ok(written)
}
