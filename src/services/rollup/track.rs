//! The incremental path: a write tracks the records it changes, and its commit adds the
//! difference they make to the kept totals.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect};

use super::{Place, Rollups, attribute, attribute_tender};
use crate::domain::{BidStatus, TenderStatus, VerificationStatus};
use crate::entities::{bid, certification, company, company_figures, statistics_rollup, tender};
use crate::error::AppResult;

/// A record whose contribution a write may change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Subject {
    Company(i64),
    Tender(i64),
}

/// What one company contributes now (nothing when it does not exist).
async fn company_contribution<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    out: &mut Rollups,
) -> AppResult<()> {
    let place: Option<(i64, Option<i64>, i64)> = company::Entity::find_by_id(id)
        .select_only()
        .columns([
            company::Column::DistrictId,
            company::Column::ParkId,
            company::Column::ServiceLineMask,
        ])
        .into_tuple()
        .one(conn)
        .await?;
    let Some((district, park, line_mask)) = place else {
        return Ok(());
    };
    let figures = company_figures::Entity::find()
        .filter(company_figures::Column::CompanyId.eq(id))
        .all(conn)
        .await?;
    let issued: Vec<NaiveDate> = certification::Entity::find()
        .select_only()
        .column(certification::Column::IssueDate)
        .filter(certification::Column::CompanyId.eq(id))
        .filter(certification::Column::Verification.eq(VerificationStatus::Verified))
        .into_tuple()
        .all(conn)
        .await?;
    let place = Place {
        district,
        park,
        line_mask,
    };
    attribute(&place, &figures, &issued, out);
    Ok(())
}

/// What one tender contributes now (nothing when it does not exist).
async fn tender_contribution<C: ConnectionTrait>(
    conn: &C,
    id: i64,
    out: &mut Rollups,
) -> AppResult<()> {
    let row: Option<(Option<DateTime<Utc>>, TenderStatus, DateTime<Utc>)> =
        tender::Entity::find_by_id(id)
            .select_only()
            .columns([
                tender::Column::PublishedAt,
                tender::Column::Status,
                tender::Column::UpdatedAt,
            ])
            .into_tuple()
            .one(conn)
            .await?;
    let Some((published_at, status, updated_at)) = row else {
        return Ok(());
    };
    let bids: Vec<(DateTime<Utc>, BidStatus)> = bid::Entity::find()
        .select_only()
        .columns([bid::Column::SubmittedAt, bid::Column::Status])
        .filter(bid::Column::TenderId.eq(id))
        .into_tuple()
        .all(conn)
        .await?;
    attribute_tender(published_at, status, updated_at, &bids, out);
    Ok(())
}

async fn contribution<C: ConnectionTrait>(
    conn: &C,
    subject: Subject,
    out: &mut Rollups,
) -> AppResult<()> {
    match subject {
        Subject::Company(id) => company_contribution(conn, id, out).await,
        Subject::Tender(id) => tender_contribution(conn, id, out).await,
    }
}

async fn lock<C: ConnectionTrait>(conn: &C, subject: Subject) -> AppResult<()> {
    if conn.get_database_backend() != DbBackend::Postgres {
        // SQLite: the write transaction is the only writer (IMMEDIATE).
        return Ok(());
    }
    match subject {
        Subject::Company(id) => {
            company::Entity::find_by_id(id)
                .select_only()
                .column(company::Column::Id)
                .lock_exclusive()
                .into_tuple::<i64>()
                .one(conn)
                .await?;
        }
        Subject::Tender(id) => {
            tender::Entity::find_by_id(id)
                .select_only()
                .column(tender::Column::Id)
                .lock_exclusive()
                .into_tuple::<i64>()
                .one(conn)
                .await?;
        }
    }
    Ok(())
}

/// The records a write is changing, and what they contributed before it.
#[derive(Debug, Default)]
pub struct Tracker {
    subjects: BTreeSet<Subject>,
    before: Rollups,
}

impl Tracker {
    /// Locks the record and notes what it contributes now, before the write changes it.
    pub async fn track<C: ConnectionTrait>(&mut self, conn: &C, subject: Subject) -> AppResult<()> {
        if self.subjects.insert(subject) {
            lock(conn, subject).await?;
            contribution(conn, subject, &mut self.before).await?;
        }
        Ok(())
    }

    /// A record this write creates: it contributed nothing before.
    pub fn track_new(&mut self, subject: Subject) {
        self.subjects.insert(subject);
    }

    /// Adds what the tracked records now contribute, less what they did, to the rollups.
    pub async fn settle<C: ConnectionTrait>(self, conn: &C) -> AppResult<()> {
        if self.subjects.is_empty() {
            return Ok(());
        }
        let mut after = Rollups::new();
        for &subject in &self.subjects {
            contribution(conn, subject, &mut after).await?;
        }
        let mut delta = after;
        for (key, before) in self.before {
            let entry = delta.entry(key).or_default();
            *entry = entry.minus(before);
        }
        delta.retain(|_, t| !t.is_zero());
        increment(conn, &delta).await
    }
}

/// Adds `delta` to the kept totals, one upsert for all the rows, in key order.
async fn increment<C: ConnectionTrait>(conn: &C, delta: &Rollups) -> AppResult<()> {
    if delta.is_empty() {
        return Ok(());
    }
    use statistics_rollup::Column as C;
    let sum = |column: C| {
        (
            column,
            Expr::col((statistics_rollup::Entity, column)).add(Expr::col((
                sea_orm::sea_query::Alias::new("excluded"),
                column,
            ))),
        )
    };
    let on_conflict = OnConflict::columns([C::Year, C::Scope, C::Member])
        .values([
            sum(C::Companies),
            sum(C::Employees),
            sum(C::ContractUsdCents),
            sum(C::ContractOffshoreUsdCents),
            sum(C::ExecutedUsdCents),
            sum(C::ExecutedOffshoreUsdCents),
            sum(C::NewCertificates),
            sum(C::TendersPublished),
            sum(C::TendersAwarded),
            sum(C::Bids),
        ])
        .to_owned();
    statistics_rollup::Entity::insert_many(
        delta
            .iter()
            .map(|(&(year, scope), totals)| totals.row(year, scope)),
    )
    .on_conflict(on_conflict)
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
