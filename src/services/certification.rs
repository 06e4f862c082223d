//! Certificates held by companies. The public sees verified records only; a record's status
//! `EXPIRED` is derived from its expiry date at read time, never stored.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::Order;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, Select,
};

use super::page::{Keyset, Page, PageRequest, paginate};
use crate::domain::{CertificationStandard, CertificationStatus, VerificationStatus};
use crate::entities::certification;
use crate::error::AppResult;

pub const ORDER_TAG: &str = "certification.id";

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CertificationFilter {
    pub standard: Option<CertificationStandard>,
    /// The effective status, as a reader sees it today.
    pub status: Option<CertificationStatus>,
    pub company_id: Option<i64>,
}

/// The condition for "effective status is `status` on `today`".
pub fn with_status(status: CertificationStatus, today: NaiveDate) -> Condition {
    use certification::Column as C;
    match status {
        CertificationStatus::Withdrawn => {
            Condition::all().add(C::Status.eq(CertificationStatus::Withdrawn))
        }
        CertificationStatus::Expired => Condition::all()
            .add(C::Status.ne(CertificationStatus::Withdrawn))
            .add(C::ExpiryDate.lt(today)),
        recorded => Condition::all()
            .add(C::Status.eq(recorded))
            .add(C::ExpiryDate.gte(today)),
    }
}

fn public() -> Select<certification::Entity> {
    certification::Entity::find()
        .filter(certification::Column::Verification.eq(VerificationStatus::Verified))
}

fn filtered(filter: &CertificationFilter, today: NaiveDate) -> Select<certification::Entity> {
    let mut select = public();
    if let Some(standard) = filter.standard {
        select = select.filter(certification::Column::Standard.eq(standard));
    }
    if let Some(status) = filter.status {
        select = select.filter(with_status(status, today));
    }
    if let Some(company) = filter.company_id {
        select = select.filter(certification::Column::CompanyId.eq(company));
    }
    select
}

pub async fn list(
    db: &DatabaseConnection,
    filter: &CertificationFilter,
    page: &PageRequest,
    today: NaiveDate,
) -> AppResult<Page<certification::Model>> {
    let rows = paginate(
        filtered(filter, today),
        None::<certification::Column>,
        certification::Column::Id,
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

pub async fn count(
    db: &DatabaseConnection,
    filter: &CertificationFilter,
    today: NaiveDate,
) -> AppResult<u64> {
    Ok(filtered(filter, today).count(db).await?)
}

pub async fn by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<certification::Model>> {
    Ok(public()
        .filter(certification::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The public certificates of each company, most recently issued first.
pub async fn by_companies(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<certification::Model>>> {
    let rows = public()
        .filter(certification::Column::CompanyId.is_in(company_ids.iter().copied()))
        .order_by_desc(certification::Column::IssueDate)
        .order_by_desc(certification::Column::Id)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<certification::Model>> =
        company_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.company_id).or_default().push(row);
    }
    Ok(map)
}
