//! Service-outsourcing parks.

use std::collections::HashMap;

use sea_orm::sea_query::Order;
use sea_orm::{
    ColumnTrait, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Select,
};

use super::page::{Page, PageRequest};
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
    super::page::by_id(
        db,
        filtered(filter),
        park::Column::Id,
        Order::Asc,
        ORDER_TAG,
        page,
        |p| p.id,
    )
    .await
}

pub async fn count(db: &DatabaseConnection, filter: &ParkFilter) -> AppResult<u64> {
    Ok(filtered(filter).count(db).await?)
}

pub async fn by_ids(db: &DatabaseConnection, ids: &[i64]) -> AppResult<HashMap<i64, park::Model>> {
    super::rows::by_ids::<park::Entity, _>(db, park::Column::Id, ids, |p| p.id).await
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
    Ok(super::rows::grouped_sorted(park_ids, rows, |row| {
        (row.park_id, row.service_line)
    }))
}

pub use changes::*;

mod changes {
    //! The Department of Commerce keeps the parks.

    use chrono::Utc;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

    use crate::domain::global_id::Kind;
    use crate::domain::{ParkLevel, SearchType, ServiceLine};
    use crate::entities::{company, park, park_focus_industry};
    use crate::error::{AppError, AppResult};
    use crate::services::input::{optional_text, text_field, website};
    use crate::services::write::{Tx, Writer};

    /// A park's fields; on update, absent fields stay as they are.
    #[derive(Debug, Clone, Default)]
    pub struct ParkFields {
        pub name_en: Option<String>,
        pub name_zh: Option<String>,
        pub level: Option<ParkLevel>,
        pub district_id: Option<i64>,
        pub description: Option<String>,
        pub preferential_policies: Option<String>,
        pub website: Option<Option<String>>,
        pub established_year: Option<Option<i32>>,
        pub focus_industries: Option<Vec<ServiceLine>>,
    }

    fn year(value: Option<i32>) -> AppResult<Option<i32>> {
        let this_year = chrono::Datelike::year(&crate::domain::today());
        match value {
            Some(y) if !(1980..=this_year).contains(&y) => Err(AppError::bad_field(
                "establishedYear",
                format!("the year must be between 1980 and {this_year}"),
            )),
            other => Ok(other),
        }
    }

    async fn replace_focus(tx: &Tx<'_>, park_id: i64, lines: &[ServiceLine]) -> AppResult<()> {
        park_focus_industry::Entity::delete_many()
            .filter(park_focus_industry::Column::ParkId.eq(park_id))
            .exec(&tx.txn)
            .await?;
        let mut lines = lines.to_vec();
        lines.sort();
        lines.dedup();
        if !lines.is_empty() {
            park_focus_industry::Entity::insert_many(lines.into_iter().map(|line| {
                park_focus_industry::ActiveModel {
                    park_id: Set(park_id),
                    service_line: Set(line),
                }
            }))
            .exec_without_returning(&tx.txn)
            .await?;
        }
        Ok(())
    }

    pub async fn create(w: &Writer<'_>, fields: ParkFields) -> AppResult<park::Model> {
        w.require_admin()?;
        let missing = |field: &str| AppError::bad_field(field, format!("{field} is required"));
        let name_en = text_field("name", fields.name_en.as_deref().unwrap_or(""), 300)?;
        let name_zh = text_field("nameZh", fields.name_zh.as_deref().unwrap_or(""), 200)?;
        let level = fields.level.ok_or_else(|| missing("level"))?;
        let district_id = fields.district_id.ok_or_else(|| missing("district"))?;
        let description = text_field(
            "description",
            fields.description.as_deref().unwrap_or(""),
            10_000,
        )?;
        let policies = optional_text(
            "preferentialPolicies",
            fields.preferential_policies.as_deref(),
            10_000,
        )?
        .unwrap_or_default();
        let site = website(fields.website.flatten().as_deref())?;
        let established = year(fields.established_year.flatten())?;
        let mut tx = w.begin().await?;
        let record = park::ActiveModel {
            name_en: Set(name_en),
            name_zh: Set(name_zh),
            level: Set(level),
            district_id: Set(district_id),
            description: Set(description),
            preferential_policies: Set(policies),
            website: Set(site),
            established_year: Set(established),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await?;
        replace_focus(&tx, record.id, &fields.focus_industries.unwrap_or_default()).await?;
        tx.index(SearchType::Park, &[record.id]).await?;
        tx.audit("createPark", &[(Kind::Park, record.id)]).await?;
        tx.commit().await?;
        Ok(record)
    }

    pub async fn update(w: &Writer<'_>, id: i64, fields: ParkFields) -> AppResult<park::Model> {
        w.require_admin()?;
        let mut tx = w.begin().await?;
        let record = park::Entity::find_by_id(id)
            .one(&tx.txn)
            .await?
            .ok_or_else(|| AppError::not_found(Kind::Park, id))?;
        let moved = fields.district_id.is_some_and(|d| d != record.district_id);
        let mut active: park::ActiveModel = record.into();
        if let Some(v) = &fields.name_en {
            active.name_en = Set(text_field("name", v, 300)?);
        }
        if let Some(v) = &fields.name_zh {
            active.name_zh = Set(text_field("nameZh", v, 200)?);
        }
        if let Some(v) = fields.level {
            active.level = Set(v);
        }
        if let Some(v) = fields.district_id {
            active.district_id = Set(v);
        }
        if let Some(v) = &fields.description {
            active.description = Set(text_field("description", v, 10_000)?);
        }
        if let Some(v) = &fields.preferential_policies {
            active.preferential_policies =
                Set(optional_text("preferentialPolicies", Some(v), 10_000)?.unwrap_or_default());
        }
        if let Some(v) = &fields.website {
            active.website = Set(website(v.as_deref())?);
        }
        if let Some(v) = fields.established_year {
            active.established_year = Set(year(v)?);
        }
        if moved {
            let tenants = company::Entity::find()
                .filter(company::Column::ParkId.eq(id))
                .one(&tx.txn)
                .await?;
            if tenants.is_some() {
                return Err(AppError::Conflict(
                    "a park with companies cannot move to another district".into(),
                ));
            }
        }
        let record = active.update(&tx.txn).await?;
        if let Some(lines) = &fields.focus_industries {
            replace_focus(&tx, id, lines).await?;
        }
        tx.index(SearchType::Park, &[id]).await?;
        // Company documents carry their park's name.
        let tenants: Vec<i64> = company::Entity::find()
            .filter(company::Column::ParkId.eq(id))
            .all(&tx.txn)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        tx.index(SearchType::Company, &tenants).await?;
        tx.audit("updatePark", &[(Kind::Park, id)]).await?;
        tx.commit().await?;
        Ok(record)
    }
}
