//! Tenders (demand postings) and their buyers. Bids are confidential and are not read here.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Order;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait, Select,
};

use super::page::{Keyset, Page, PageRequest, SortKey, first_per_group, paginate};
use crate::domain::{CertificationStandard, ServiceLine, TenderStatus};
use crate::entities::{counterpart, tender, tender_required_certification, tender_service_line};
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

    fn position(&self, t: &tender::Model) -> Keyset {
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
        select = select.filter(tender::Column::Status.eq(status));
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

pub async fn list(
    db: &DatabaseConnection,
    filter: &TenderFilter,
    order: TenderOrder,
    page: &PageRequest,
) -> AppResult<Page<tender::Model>> {
    let direction = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let sort = match order.sort {
        TenderSort::ClosingDate => Some(tender::Column::TenderPeriodEnd),
        TenderSort::Posted => None,
    };
    let rows = paginate(filtered(filter), sort, tender::Column::Id, direction, page)
        .all(db)
        .await?;
    Ok(Page::from_rows(rows, page.first, |t| order.position(t)))
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
    let rows = tender::Entity::find()
        .filter(tender::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|t| (t.id, t)).collect())
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
    let mut map: HashMap<i64, Vec<ServiceLine>> =
        tender_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.tender_id).or_default().push(row.service_line);
    }
    for lines in map.values_mut() {
        lines.sort();
    }
    Ok(map)
}

pub async fn required_certifications(
    db: &DatabaseConnection,
    tender_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<CertificationStandard>>> {
    let rows = tender_required_certification::Entity::find()
        .filter(tender_required_certification::Column::TenderId.is_in(tender_ids.iter().copied()))
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<CertificationStandard>> =
        tender_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.tender_id).or_default().push(row.standard);
    }
    for standards in map.values_mut() {
        standards.sort();
    }
    Ok(map)
}

pub mod counterparts {
    //! Counterparts: the buyers who post tenders.

    use super::*;

    pub const ORDER_TAG: &str = "counterpart.id";

    pub async fn list(
        db: &DatabaseConnection,
        page: &PageRequest,
    ) -> AppResult<Page<counterpart::Model>> {
        let rows = paginate(
            counterpart::Entity::find(),
            None::<counterpart::Column>,
            counterpart::Column::Id,
            Order::Asc,
            page,
        )
        .all(db)
        .await?;
        Ok(Page::from_rows(rows, page.first, |c| Keyset {
            order: ORDER_TAG.into(),
            key: None,
            id: c.id,
        }))
    }

    pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
        Ok(counterpart::Entity::find().count(db).await?)
    }

    pub async fn by_ids(
        db: &DatabaseConnection,
        ids: &[i64],
    ) -> AppResult<HashMap<i64, counterpart::Model>> {
        let rows = counterpart::Entity::find()
            .filter(counterpart::Column::Id.is_in(ids.iter().copied()))
            .order_by_asc(counterpart::Column::Id)
            .all(db)
            .await?;
        Ok(rows.into_iter().map(|c| (c.id, c)).collect())
    }
}
