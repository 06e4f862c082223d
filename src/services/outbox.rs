//! The search outbox, the write path's half of keeping the index: a write records in its own
//! transaction which objects' documents must be refreshed; the sync worker
//! ([`super::sync`]) reads the pending rows, applies them and acknowledges them.

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use crate::domain::SearchType;
use crate::entities::{certification, search_outbox};
use crate::error::AppResult;
use crate::search::DocKey;

/// Records, in the caller's transaction, that these objects' documents must be refreshed.
pub async fn enqueue<C: ConnectionTrait>(conn: &C, keys: &[DocKey]) -> AppResult<()> {
    let now = Utc::now();
    for chunk in keys.chunks(1_000) {
        let rows = chunk.iter().map(|k| search_outbox::ActiveModel {
            document_type: Set(k.kind),
            document_id: Set(k.id),
            enqueued_at: Set(now),
            ..Default::default()
        });
        search_outbox::Entity::insert_many(rows)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Enqueues the companies holding a verified certificate whose last valid day fell in
/// `[since, until)`; returns how many.
pub async fn enqueue_expired_between(
    db: &DatabaseConnection,
    since: chrono::NaiveDate,
    until: chrono::NaiveDate,
) -> AppResult<usize> {
    let mut companies: Vec<i64> = certification::Entity::find()
        .select_only()
        .column(certification::Column::CompanyId)
        .filter(certification::Column::ExpiryDate.gte(since - chrono::Duration::days(1)))
        .filter(certification::Column::ExpiryDate.lt(until))
        .into_tuple()
        .all(db)
        .await?;
    companies.sort_unstable();
    companies.dedup();
    let keys: Vec<DocKey> = companies
        .iter()
        .map(|&id| DocKey::new(SearchType::Company, id))
        .collect();
    enqueue(db, &keys).await?;
    Ok(keys.len())
}

/// The oldest pending outbox rows, in order.
pub async fn pending<C: ConnectionTrait>(
    conn: &C,
    limit: u64,
) -> AppResult<Vec<search_outbox::Model>> {
    Ok(search_outbox::Entity::find()
        .order_by_asc(search_outbox::Column::Id)
        .limit(limit)
        .all(conn)
        .await?)
}

/// Removes applied outbox rows.
pub async fn acknowledge<C: ConnectionTrait>(conn: &C, ids: &[i64]) -> AppResult<()> {
    search_outbox::Entity::delete_many()
        .filter(search_outbox::Column::Id.is_in(ids.iter().copied()))
        .exec(conn)
        .await?;
    Ok(())
}

/// The outbox rows committed so far: what a rebuild that reads the database after this covers.
/// (Their ids, not the largest: on PostgreSQL a row with a smaller id may commit later.)
pub async fn committed_ids(db: &DatabaseConnection) -> AppResult<Vec<i64>> {
    Ok(search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::Id)
        .into_tuple::<i64>()
        .all(db)
        .await?)
}

/// Removes these outbox rows (after a full rebuild covered them), a bounded number per
/// statement.
pub async fn acknowledge_all(db: &DatabaseConnection, ids: &[i64]) -> AppResult<()> {
    for chunk in ids.chunks(10_000) {
        acknowledge(db, chunk).await?;
    }
    Ok(())
}

/// How far the index lags behind the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OutboxStatus {
    pub depth: u64,
    pub oldest: Option<DateTime<Utc>>,
}

pub async fn status(db: &DatabaseConnection) -> AppResult<OutboxStatus> {
    let depth = search_outbox::Entity::find().count(db).await?;
    let oldest = search_outbox::Entity::find()
        .select_only()
        .column(search_outbox::Column::EnqueuedAt)
        .order_by_asc(search_outbox::Column::Id)
        .into_tuple::<DateTime<Utc>>()
        .one(db)
        .await?;
    Ok(OutboxStatus { depth, oldest })
}
