//! Tenders (demand postings): reading them, and the buyer's changes to them (posting,
//! amending, publishing, cancelling, closing with or without an award). A tender in planning
//! is public, as an OCDS planning notice is: announced, not yet open for answers. The buyers
//! live in `counterpart`; bids are confidential and live in `bid`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Order};
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
};

use super::joined::{Projected, Projection, select_projected};
use super::page::{Keyset, Page, PageRequest, SortKey, first_per_group, paginate};
use crate::domain::{CertificationStandard, ServiceLine, TenderStatus};
use crate::entities::{
    counterpart, tender, tender_amendment, tender_required_certification, tender_service_line,
};
use crate::error::AppResult;

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct TenderFilter {
    pub status: Option<TenderStatus>,
    /// The tender asks for at least one of these lines.
    pub service_lines: Option<Vec<ServiceLine>>,
    pub counterpart_id: Option<i64>,
    /// The tender period ends at or after this instant.
    pub closing_after: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TenderSort {
    #[default]
    ClosingDate,
    Posted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct TenderOrder {
    pub sort: TenderSort,
    pub descending: bool,
}

impl TenderOrder {
    fn tag(&self) -> String {
        let dir = if self.descending { "desc" } else { "asc" };
        match self.sort {
            TenderSort::ClosingDate => format!("tender.closing.{dir}"),
            TenderSort::Posted => format!("tender.posted.{dir}"),
        }
    }

    /// Whether a position was taken in this ordering (and carries a key of the right kind).
    pub fn accepts(&self, position: &Keyset) -> bool {
        let key_fits = matches!(
            (self.sort, &position.key),
            (TenderSort::ClosingDate, Some(SortKey::Time(_))) | (TenderSort::Posted, None)
        );
        position.order == self.tag() && key_fits
    }

    pub fn position(&self, t: &tender::Model) -> Keyset {
        let key = match self.sort {
            TenderSort::ClosingDate => Some(SortKey::Time(t.tender_period_end)),
            TenderSort::Posted => None,
        };
        Keyset {
            order: self.tag(),
            key,
            id: t.id,
        }
    }
}

fn filtered(filter: &TenderFilter) -> Select<tender::Entity> {
    let mut select = tender::Entity::find();
    if let Some(status) = filter.status {
        // Written into the statement, not bound: PostgreSQL plans each statement once for all
        // its parameters (see `db.rs`), and only a plan that knows the status may use the
        // index of open tenders.
        select = select.filter(Expr::col((tender::Entity, tender::Column::Status)).eq(
            Expr::Constant(sea_orm::ActiveEnum::to_value(&status).into()),
        ));
    }
    if let Some(counterpart) = filter.counterpart_id {
        select = select.filter(tender::Column::CounterpartId.eq(counterpart));
    }
    if let Some(after) = filter.closing_after {
        select = select.filter(tender::Column::TenderPeriodEnd.gte(after));
    }
    if let Some(lines) = &filter.service_lines {
        let asking = tender_service_line::Entity::find()
            .select_only()
            .column(tender_service_line::Column::TenderId)
            .filter(tender_service_line::Column::ServiceLine.is_in(lines.iter().copied()))
            .into_query();
        select = select.filter(tender::Column::Id.in_subquery(asking));
    }
    select
}

/// The statement for one page of `filter`'s tenders in `order`.
fn one_page(
    filter: &TenderFilter,
    order: TenderOrder,
    page: &PageRequest,
) -> Select<tender::Entity> {
    let direction = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let sort = match order.sort {
        TenderSort::ClosingDate => Some(tender::Column::TenderPeriodEnd),
        TenderSort::Posted => None,
    };
    paginate(filtered(filter), sort, tender::Column::Id, direction, page)
}

/// One page of `filter`'s tenders in `order`, reading only the columns `tenders` names (and
/// those the page itself needs: the id and the sort key), and, if `buyers` names columns, each
/// tender's buyer joined in the same statement (a tender has exactly one). Columns not read
/// hold a [`Blank`](super::joined::Blank); the buyers come back by id.
pub async fn list_projected(
    db: &DatabaseConnection,
    filter: &TenderFilter,
    order: TenderOrder,
    page: &PageRequest,
    tenders: Projection<tender::Entity>,
    buyers: Option<Projection<counterpart::Entity>>,
) -> AppResult<(Page<tender::Model>, HashMap<i64, counterpart::Model>)> {
    use sea_orm::sea_query::JoinType;
    use sea_orm::{ConnectionTrait, QueryTrait};

    let mut columns = tenders.and(&[tender::Column::Id]);
    if order.sort == TenderSort::ClosingDate {
        columns = columns.and(&[tender::Column::TenderPeriodEnd]);
    }
    let buyers = buyers.map(|b| {
        columns = columns.and(&[tender::Column::CounterpartId]);
        b.and(&[counterpart::Column::Id])
    });
    let mut query = one_page(filter, order, page).into_query();
    query.clear_selects();
    select_projected(&mut query, tender::Entity, columns);
    if let Some(buyers) = buyers {
        select_projected(&mut query, counterpart::Entity, buyers);
        query.join(
            JoinType::InnerJoin,
            counterpart::Entity,
            Expr::col((counterpart::Entity, counterpart::Column::Id))
                .equals((tender::Entity, tender::Column::CounterpartId)),
        );
    }
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    let width = columns.columns().count();
    let mut found = Vec::with_capacity(rows.len());
    let mut buyers_read: HashMap<i64, counterpart::Model> = HashMap::new();
    for row in &rows {
        found.push(tender::Model::read_projected(row, 0, columns)?);
        // A page's tenders come from a few buyers: each is read from its first row only. The
        // buyer's id is its first column.
        if let Some(buyers) = buyers {
            let buyer_id: i64 = row.try_get_by_index(width)?;
            if let std::collections::hash_map::Entry::Vacant(slot) = buyers_read.entry(buyer_id) {
                slot.insert(counterpart::Model::read_projected(row, width, buyers)?);
            }
        }
    }
    Ok((
        Page::from_rows(found, page.first, |t| order.position(t)),
        buyers_read,
    ))
}

pub async fn count(db: &DatabaseConnection, filter: &TenderFilter) -> AppResult<u64> {
    Ok(filtered(filter).count(db).await?)
}

/// The first page of tenders of each of several counterparts, in one statement.
pub async fn first_of_counterparts(
    db: &DatabaseConnection,
    counterpart_ids: &[i64],
    order: TenderOrder,
    page: &PageRequest,
) -> AppResult<HashMap<i64, Page<tender::Model>>> {
    let direction = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let sort = match order.sort {
        TenderSort::ClosingDate => Some(tender::Column::TenderPeriodEnd),
        TenderSort::Posted => None,
    };
    Ok(first_per_group(
        db,
        tender::Entity::find(),
        tender::Column::CounterpartId,
        counterpart_ids,
        sort,
        tender::Column::Id,
        direction,
        page,
        |t| Some(t.counterpart_id),
        |t| order.position(t),
    )
    .await?)
}

/// How many tenders each counterpart has posted.
pub async fn count_by_counterparts(
    db: &DatabaseConnection,
    counterpart_ids: &[i64],
) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = tender::Entity::find()
        .select_only()
        .column(tender::Column::CounterpartId)
        .column_as(tender::Column::Id.count(), "tenders")
        .filter(tender::Column::CounterpartId.is_in(counterpart_ids.iter().copied()))
        .group_by(tender::Column::CounterpartId)
        .into_tuple()
        .all(db)
        .await?;
    let mut map: HashMap<i64, i64> = counterpart_ids.iter().map(|&id| (id, 0)).collect();
    map.extend(rows);
    Ok(map)
}

pub async fn by_ids(
    db: &DatabaseConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, tender::Model>> {
    crate::services::rows::by_ids::<tender::Entity, _>(db, tender::Column::Id, ids, |t| t.id).await
}

pub async fn by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<tender::Model>> {
    Ok(tender::Entity::find_by_id(id).one(db).await?)
}

pub async fn service_lines(
    db: &DatabaseConnection,
    tender_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<ServiceLine>>> {
    let rows = tender_service_line::Entity::find()
        .filter(tender_service_line::Column::TenderId.is_in(tender_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(crate::services::rows::grouped_sorted(
        tender_ids,
        rows,
        |row| (row.tender_id, row.service_line),
    ))
}

pub async fn required_certifications(
    db: &DatabaseConnection,
    tender_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<CertificationStandard>>> {
    let rows = tender_required_certification::Entity::find()
        .filter(tender_required_certification::Column::TenderId.is_in(tender_ids.iter().copied()))
        .all(db)
        .await?;
    Ok(crate::services::rows::grouped_sorted(
        tender_ids,
        rows,
        |row| (row.tender_id, row.standard),
    ))
}

/// The amendments of each tender, oldest first.
pub async fn amendments(
    db: &sea_orm::DatabaseConnection,
    tender_ids: &[i64],
) -> AppResult<std::collections::HashMap<i64, Vec<tender_amendment::Model>>> {
    let rows = tender_amendment::Entity::find()
        .filter(tender_amendment::Column::TenderId.is_in(tender_ids.iter().copied()))
        .order_by_asc(tender_amendment::Column::Id)
        .all(db)
        .await?;
    let mut map: std::collections::HashMap<i64, Vec<tender_amendment::Model>> =
        tender_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.tender_id).or_default().push(row);
    }
    Ok(map)
}

mod changes;

pub use changes::*;
