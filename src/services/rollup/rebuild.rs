//! The full recomputation from the records: the rebuild of the kept totals, their building at
//! the first start over records from before them, and the check that they agree.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use futures_util::TryStreamExt;
use sea_orm::{
    AccessMode, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    IsolationLevel, QueryFilter, QuerySelect, Statement, StreamTrait, TransactionTrait,
};

use super::{Place, Rollups, Scope, Totals, add, attribute_tender, figures_totals, read};
use crate::domain::{BidStatus, TenderStatus, VerificationStatus};
use crate::entities::{bid, certification, company, company_figures, statistics_rollup, tender};
use crate::error::AppResult;
use crate::services::transaction::write_options;

/// Every year's totals, recomputed from the records.
pub async fn recompute<C: ConnectionTrait + StreamTrait>(conn: &C) -> AppResult<Rollups> {
    let mut places: HashMap<i64, Place> = HashMap::new();
    {
        let mut rows = company::Entity::find()
            .select_only()
            .columns([
                company::Column::Id,
                company::Column::DistrictId,
                company::Column::ParkId,
                company::Column::ServiceLineMask,
            ])
            .into_tuple::<(i64, i64, Option<i64>, i64)>()
            .stream(conn)
            .await?;
        while let Some((id, district, park, line_mask)) = rows.try_next().await? {
            places.insert(
                id,
                Place {
                    district,
                    park,
                    line_mask,
                },
            );
        }
    }
    // The scopes of each company, worked out once rather than once per row.
    let scopes: HashMap<i64, Vec<Scope>> = places.iter().map(|(&id, p)| (id, p.scopes())).collect();
    let mut out = Rollups::new();
    {
        let mut rows = company_figures::Entity::find().stream(conn).await?;
        while let Some(f) = rows.try_next().await? {
            let totals = figures_totals(&f);
            for &scope in scopes.get(&f.company_id).into_iter().flatten() {
                add(&mut out, (f.year, scope), totals);
            }
        }
    }
    {
        let mut rows = certification::Entity::find()
            .select_only()
            .columns([
                certification::Column::CompanyId,
                certification::Column::IssueDate,
            ])
            .filter(certification::Column::Verification.eq(VerificationStatus::Verified))
            .into_tuple::<(i64, NaiveDate)>()
            .stream(conn)
            .await?;
        let one = Totals {
            new_certificates: 1,
            ..Totals::default()
        };
        while let Some((company, issued)) = rows.try_next().await? {
            for &scope in scopes.get(&company).into_iter().flatten() {
                add(&mut out, (issued.year(), scope), one);
            }
        }
    }
    let mut bids: HashMap<i64, Vec<(DateTime<Utc>, BidStatus)>> = HashMap::new();
    {
        let mut rows = bid::Entity::find()
            .select_only()
            .columns([
                bid::Column::TenderId,
                bid::Column::SubmittedAt,
                bid::Column::Status,
            ])
            .into_tuple::<(i64, DateTime<Utc>, BidStatus)>()
            .stream(conn)
            .await?;
        while let Some((tender, at, status)) = rows.try_next().await? {
            bids.entry(tender).or_default().push((at, status));
        }
    }
    {
        let mut rows = tender::Entity::find()
            .select_only()
            .columns([
                tender::Column::Id,
                tender::Column::PublishedAt,
                tender::Column::Status,
                tender::Column::UpdatedAt,
            ])
            .into_tuple::<(i64, Option<DateTime<Utc>>, TenderStatus, DateTime<Utc>)>()
            .stream(conn)
            .await?;
        while let Some((id, published, status, updated)) = rows.try_next().await? {
            let of_tender = bids.get(&id).map(Vec::as_slice).unwrap_or_default();
            attribute_tender(published, status, updated, of_tender, &mut out);
        }
    }
    out.retain(|_, t| !t.is_zero());
    Ok(out)
}

/// Locks the rollups against writers until the transaction ends (PostgreSQL; plain reads go on).
async fn lock_rollups<C: ConnectionTrait>(conn: &C) -> AppResult<()> {
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_unprepared("LOCK TABLE statistics_rollup IN EXCLUSIVE MODE")
            .await?;
    }
    Ok(())
}

/// Replaces the kept totals with a full recomputation, inside the caller's transaction, and
/// notes when. Writers wait meanwhile; a writer that tracked its records before waits at its
/// increment and then adds its own change on top. Answers the number of rows kept.
pub async fn rebuild<C: ConnectionTrait + StreamTrait>(conn: &C) -> AppResult<usize> {
    lock_rollups(conn).await?;
    let all = recompute(conn).await?;
    statistics_rollup::Entity::delete_many().exec(conn).await?;
    let rows: Vec<_> = all.iter().map(|(&(y, s), t)| t.row(y, s)).collect();
    // 13 values a row: well under both stores' limits on bound values per statement.
    for chunk in rows.chunks(1_000) {
        statistics_rollup::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    mark_rebuilt(conn).await?;
    Ok(all.len())
}

async fn mark_rebuilt<C: ConnectionTrait>(conn: &C) -> AppResult<()> {
    let backend = conn.get_database_backend();
    conn.execute_raw(Statement::from_sql_and_values(
        backend,
        match backend {
            DbBackend::Postgres => {
                "UPDATE statistics_rollup_state SET rebuilt_at = $1 WHERE id = 1"
            }
            _ => "UPDATE statistics_rollup_state SET rebuilt_at = ? WHERE id = 1",
        },
        [Utc::now().into()],
    ))
    .await?;
    Ok(())
}

/// When the rollups were last rebuilt from the records; `None` when never (a database from
/// before the rollups, whose records they do not yet hold).
pub async fn rebuilt_at<C: ConnectionTrait>(conn: &C) -> AppResult<Option<DateTime<Utc>>> {
    let row = conn
        .query_one_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT rebuilt_at FROM statistics_rollup_state WHERE id = 1",
        ))
        .await?;
    Ok(match row {
        Some(row) => row.try_get::<Option<DateTime<Utc>>>("", "rebuilt_at")?,
        None => None,
    })
}

/// Rebuilds the rollups from the records in one transaction (`ganbridge statistics rebuild`);
/// answers the number of rows kept.
pub async fn rebuild_all(db: &DatabaseConnection) -> AppResult<usize> {
    let txn = db.begin_with_options(write_options()).await?;
    let rows = rebuild(&txn).await?;
    txn.commit().await?;
    Ok(rows)
}

/// Builds the rollups once if they never were: a database from before them holds records
/// they do not count yet. Several servers starting at once build them once: the others wait
/// for the lock, then find them built. Answers the rows kept when it built them.
pub async fn ensure(db: &DatabaseConnection) -> AppResult<Option<usize>> {
    if rebuilt_at(db).await?.is_some() {
        return Ok(None);
    }
    let txn = db.begin_with_options(write_options()).await?;
    lock_rollups(&txn).await?;
    if rebuilt_at(&txn).await?.is_some() {
        txn.rollback().await?;
        return Ok(None);
    }
    let rows = rebuild(&txn).await?;
    txn.commit().await?;
    Ok(Some(rows))
}

/// The differences between the kept totals and the records, read from one snapshot
/// (`ganbridge statistics verify`); none when they agree.
pub async fn verify(db: &DatabaseConnection) -> AppResult<Vec<Difference>> {
    let txn = if db.get_database_backend() == DbBackend::Postgres {
        db.begin_with_config(
            Some(IsolationLevel::RepeatableRead),
            Some(AccessMode::ReadOnly),
        )
        .await?
    } else {
        db.begin().await?
    };
    let found = differences(&txn).await?;
    txn.commit().await?;
    Ok(found)
}

/// One difference between the kept totals and the records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub year: i32,
    pub scope: Scope,
    pub kept: Totals,
    pub recomputed: Totals,
}

/// Compares the kept totals with a recomputation from the same snapshot of the records.
pub async fn differences<C: ConnectionTrait + StreamTrait>(conn: &C) -> AppResult<Vec<Difference>> {
    let kept = read(conn, None).await?;
    let recomputed = recompute(conn).await?;
    let keys: BTreeSet<(i32, Scope)> = kept.keys().chain(recomputed.keys()).copied().collect();
    Ok(keys
        .into_iter()
        .filter_map(|key| {
            let k = kept.get(&key).copied().unwrap_or_default();
            let r = recomputed.get(&key).copied().unwrap_or_default();
            (k != r).then_some(Difference {
                year: key.0,
                scope: key.1,
                kept: k,
                recomputed: r,
            })
        })
        .collect())
}
