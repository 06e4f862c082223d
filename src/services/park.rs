//! Service-outsourcing parks.

use std::collections::HashMap;

use sea_orm::sea_query::Order;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select,
};

use super::page::{Keyset, Page, PageRequest, paginate};
use crate::domain::{ParkLevel, ServiceLine};
use crate::entities::{park, park_focus_industry};
use crate::error::AppResult;

pub const ORDER_TAG: &str = "park.id";

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ParkFilter {
    pub district_id: Option<i64>,
    pub level: Option<ParkLevel>,
}

fn filtered(filter: &ParkFilter) -> Select<park::Entity> {
    let mut select = park::Entity::find();
    if let Some(district) = filter.district_id {
        select = select.filter(park::Column::DistrictId.eq(district));
    }
    if let Some(level) = filter.level {
        select = select.filter(park::Column::Level.eq(level));
    }
    select
}

pub async fn list(
    db: &DatabaseConnection,
    filter: &ParkFilter,
    page: &PageRequest,
) -> AppResult<Page<park::Model>> {
    let rows = paginate(
        filtered(filter),
        None::<park::Column>,
        park::Column::Id,
        Order::Asc,
        page,
    )
    .all(db)
    .await?;
    Ok(Page::from_rows(rows, page.first, |p| Keyset {
        order: ORDER_TAG.into(),
        key: None,
        id: p.id,
    }))
}

pub async fn count(db: &DatabaseConnection, filter: &ParkFilter) -> AppResult<u64> {
    Ok(filtered(filter).count(db).await?)
}

pub async fn by_ids(db: &DatabaseConnection, ids: &[i64]) -> AppResult<HashMap<i64, park::Model>> {
    let rows = park::Entity::find()
        .filter(park::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|p| (p.id, p)).collect())
}

pub async fn focus_industries(
    db: &DatabaseConnection,
    park_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<ServiceLine>>> {
    let rows = park_focus_industry::Entity::find()
        .filter(park_focus_industry::Column::ParkId.is_in(park_ids.iter().copied()))
        .order_by_asc(park_focus_industry::Column::ServiceLine)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<ServiceLine>> =
        park_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.park_id).or_default().push(row.service_line);
    }
    for lines in map.values_mut() {
        lines.sort();
    }
    Ok(map)
}
