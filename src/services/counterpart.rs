//! Counterparts: the buyers who post tenders. Reading them, the Department of Commerce's
//! registration of one, and a counterpart's keeping of its own profile.

use std::collections::HashMap;

use chrono::Utc;
use sea_orm::sea_query::Order;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait,
    PaginatorTrait, QueryFilter,
};

use super::page::{Page, PageRequest};
use crate::domain::global_id::Kind;
use crate::domain::{CounterpartKind, SearchType, Uscc};
use crate::entities::{counterpart, tender};
use crate::error::{AppError, AppResult};
use crate::services::input::{optional_text, text_field, website};
use crate::services::write::Writer;

pub const ORDER_TAG: &str = "counterpart.id";

pub async fn list(
    db: &DatabaseConnection,
    page: &PageRequest,
) -> AppResult<Page<counterpart::Model>> {
    super::page::by_id(
        db,
        counterpart::Entity::find(),
        counterpart::Column::Id,
        Order::Asc,
        ORDER_TAG,
        page,
        |c| c.id,
    )
    .await
}

pub async fn count(db: &DatabaseConnection) -> AppResult<u64> {
    Ok(counterpart::Entity::find().count(db).await?)
}

pub async fn by_ids(
    db: &DatabaseConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, counterpart::Model>> {
    crate::services::rows::by_ids::<counterpart::Entity, _>(db, counterpart::Column::Id, ids, |c| {
        c.id
    })
    .await
}

/// A counterpart's fields; on update, absent fields stay as they are.
#[derive(Debug, Clone, Default)]
pub struct CounterpartFields {
    pub name_en: Option<String>,
    pub name_zh: Option<String>,
    pub kind: Option<CounterpartKind>,
    pub ftz_area_id: Option<i64>,
    pub city: Option<String>,
    pub uscc: Option<String>,
    pub description: Option<String>,
    pub website: Option<Option<String>>,
}

/// The Department of Commerce registers a counterpart.
pub async fn create_counterpart(
    w: &Writer<'_>,
    fields: CounterpartFields,
) -> AppResult<counterpart::Model> {
    w.require_admin()?;
    let name_en = text_field("name", fields.name_en.as_deref().unwrap_or(""), 300)?;
    let name_zh = text_field("nameZh", fields.name_zh.as_deref().unwrap_or(""), 200)?;
    let kind = fields
        .kind
        .ok_or_else(|| AppError::bad_field("kind", "kind is required"))?;
    let city = text_field("city", fields.city.as_deref().unwrap_or(""), 100)?;
    if (kind == CounterpartKind::FtzEnterprise) != fields.ftz_area_id.is_some() {
        return Err(AppError::bad_field(
            "freeTradeZoneAreaId",
            "an FTZ enterprise names its free trade zone area, and only an FTZ enterprise",
        ));
    }
    let uscc = match fields.uscc.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(code) => Some(
            Uscc::parse(code)
                .map_err(|e| AppError::bad_field("uscc", e.to_string()))?
                .as_str()
                .to_owned(),
        ),
    };
    let description =
        optional_text("description", fields.description.as_deref(), 10_000)?.unwrap_or_default();
    let site = website(fields.website.flatten().as_deref())?;
    let tx = w.begin().await?;
    if let Some(code) = &uscc
        && counterpart::Entity::find()
            .filter(counterpart::Column::Uscc.eq(code.as_str()))
            .one(&tx.txn)
            .await?
            .is_some()
    {
        return Err(AppError::Conflict(format!(
            "a counterpart with the unified social credit code {code} is already registered"
        )));
    }
    let record = counterpart::ActiveModel {
        name_en: Set(name_en),
        name_zh: Set(name_zh),
        kind: Set(kind),
        ftz_area_id: Set(fields.ftz_area_id),
        city: Set(city),
        uscc: Set(uscc),
        description: Set(description),
        website: Set(site),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&tx.txn)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(
            "a counterpart with this unified social credit code is already registered".into(),
        ),
        _ => e.into(),
    })?;
    tx.audit("createCounterpart", &[(Kind::Counterpart, record.id)])
        .await?;
    tx.commit().await?;
    Ok(record)
}

/// A counterpart keeps its own profile (names, city, description, website).
pub async fn update_counterpart_profile(
    w: &Writer<'_>,
    fields: CounterpartFields,
) -> AppResult<counterpart::Model> {
    let own = w.require_counterpart()?;
    let mut tx = w.begin().await?;
    let record = counterpart::Entity::find_by_id(own)
        .one(&tx.txn)
        .await?
        .ok_or_else(|| AppError::NotFound("the key's counterpart no longer exists".into()))?;
    let mut active: counterpart::ActiveModel = record.into();
    if let Some(v) = &fields.name_en {
        active.name_en = Set(text_field("name", v, 300)?);
    }
    if let Some(v) = &fields.name_zh {
        active.name_zh = Set(text_field("nameZh", v, 200)?);
    }
    if let Some(v) = &fields.city {
        active.city = Set(text_field("city", v, 100)?);
    }
    if let Some(v) = &fields.description {
        active.description =
            Set(optional_text("description", Some(v), 10_000)?.unwrap_or_default());
    }
    if let Some(v) = &fields.website {
        active.website = Set(website(v.as_deref())?);
    }
    let record = active.update(&tx.txn).await?;
    // Tender documents carry their buyer's name.
    let tenders: Vec<i64> = tender::Entity::find()
        .filter(tender::Column::CounterpartId.eq(own))
        .all(&tx.txn)
        .await?
        .into_iter()
        .map(|t| t.id)
        .collect();
    tx.index(SearchType::Tender, &tenders).await?;
    tx.audit("updateCounterpartProfile", &[(Kind::Counterpart, own)])
        .await?;
    tx.commit().await?;
    Ok(record)
}
