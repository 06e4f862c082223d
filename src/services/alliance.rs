//! Alliances: companies that answer tenders together, with a lead and each member's share.

use std::collections::HashMap;

use sea_orm::sea_query::Order;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

use super::page::{Keyset, Page, PageRequest, paginate};
use crate::entities::{alliance, alliance_member};
use crate::error::AppResult;

pub const ORDER_TAG: &str = "alliance.id";

pub async fn list(db: &DatabaseConnection, page: &PageRequest) -> AppResult<Page<alliance::Model>> {
    let rows = paginate(
        alliance::Entity::find(),
        None::<alliance::Column>,
        alliance::Column::Id,
        Order::Asc,
        page,
    )
    .all(db)
    .await?;
    Ok(Page::from_rows(rows, page.first, |a| Keyset {
        order: ORDER_TAG.into(),
        key: None,
        id: a.id,
    }))
}

pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(alliance::Entity::find().count(db).await?)
}

pub async fn by_ids(
    db: &DatabaseConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, alliance::Model>> {
    let rows = alliance::Entity::find()
        .filter(alliance::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|a| (a.id, a)).collect())
}

/// Members of each alliance, largest share first.
pub async fn members(
    db: &DatabaseConnection,
    alliance_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<alliance_member::Model>>> {
    let rows = alliance_member::Entity::find()
        .filter(alliance_member::Column::AllianceId.is_in(alliance_ids.iter().copied()))
        .order_by_desc(alliance_member::Column::ShareBasisPoints)
        .order_by_asc(alliance_member::Column::CompanyId)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<alliance_member::Model>> =
        alliance_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.alliance_id).or_default().push(row);
    }
    Ok(map)
}

/// The alliances each company belongs to (as lead or member).
pub async fn of_companies(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<i64>>> {
    let rows = alliance_member::Entity::find()
        .filter(alliance_member::Column::CompanyId.is_in(company_ids.iter().copied()))
        .order_by_asc(alliance_member::Column::AllianceId)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<i64>> = company_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.company_id).or_default().push(row.alliance_id);
    }
    Ok(map)
}
