//! Companies: lookup, filtered and ordered listing, and what hangs off a company (service
//! lines, yearly figures).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use super::page::{Keyset, Page, PageRequest, SortKey, first_per_group, paginate};
use crate::domain::{CertificationStandard, CertificationStatus, ServiceLine, VerificationStatus};
use crate::entities::{certification, company, company_figures, company_service_line};
use crate::error::AppResult;

/// What a company list can be narrowed by; every set field must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct CompanyFilter {
    pub district_id: Option<i64>,
    pub park_id: Option<i64>,
    /// The company offers at least one of these lines.
    pub service_lines: Option<Vec<ServiceLine>>,
    /// The company holds a verified certificate of this standard that is in force today.
    pub certification: Option<CertificationStandard>,
    pub min_employees: Option<i32>,
    pub leading: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CompanySort {
    #[default]
    Name,
    Headcount,
    FoundedYear,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CompanyOrder {
    pub sort: CompanySort,
    pub descending: bool,
}

impl CompanyOrder {
    fn tag(&self) -> String {
        let dir = if self.descending { "desc" } else { "asc" };
        match self.sort {
            CompanySort::Name => format!("company.name.{dir}"),
            CompanySort::Headcount => format!("company.headcount.{dir}"),
            CompanySort::FoundedYear => format!("company.founded.{dir}"),
        }
    }

    fn column(&self) -> company::Column {
        match self.sort {
            CompanySort::Name => company::Column::NameEn,
            CompanySort::Headcount => company::Column::Headcount,
            CompanySort::FoundedYear => company::Column::FoundedYear,
        }
    }

    fn position(&self, c: &company::Model) -> Keyset {
        let key = match self.sort {
            CompanySort::Name => SortKey::Text(c.name_en.clone()),
            CompanySort::Headcount => SortKey::Int(c.headcount.into()),
            CompanySort::FoundedYear => SortKey::Int(c.founded_year.into()),
        };
        Keyset {
            order: self.tag(),
            key: Some(key),
            id: c.id,
        }
    }

    /// Whether a position was taken in this ordering (and carries a key of the right kind).
    pub fn accepts(&self, position: &Keyset) -> bool {
        let key_fits = matches!(
            (self.sort, &position.key),
            (CompanySort::Name, Some(SortKey::Text(_)))
                | (
                    CompanySort::Headcount | CompanySort::FoundedYear,
                    Some(SortKey::Int(_))
                )
        );
        position.order == self.tag() && key_fits
    }
}

/// Certificates that count as held today: verified, recorded active, not past expiry.
pub fn in_force(today: NaiveDate) -> Condition {
    Condition::all()
        .add(certification::Column::Verification.eq(VerificationStatus::Verified))
        .add(certification::Column::Status.eq(CertificationStatus::Active))
        .add(certification::Column::ExpiryDate.gte(today))
}

fn filtered(filter: &CompanyFilter, today: NaiveDate) -> Select<company::Entity> {
    let mut select = company::Entity::find();
    if let Some(district) = filter.district_id {
        select = select.filter(company::Column::DistrictId.eq(district));
    }
    if let Some(park) = filter.park_id {
        select = select.filter(company::Column::ParkId.eq(park));
    }
    if let Some(min) = filter.min_employees {
        select = select.filter(company::Column::Headcount.gte(min));
    }
    if let Some(leading) = filter.leading {
        select = select.filter(company::Column::Leading.eq(leading));
    }
    if let Some(lines) = &filter.service_lines {
        let offering = company_service_line::Entity::find()
            .select_only()
            .column(company_service_line::Column::CompanyId)
            .filter(company_service_line::Column::ServiceLine.is_in(lines.iter().copied()))
            .into_query();
        select = select.filter(company::Column::Id.in_subquery(offering));
    }
    if let Some(standard) = filter.certification {
        let holding = certification::Entity::find()
            .select_only()
            .column(certification::Column::CompanyId)
            .filter(certification::Column::Standard.eq(standard))
            .filter(in_force(today))
            .into_query();
        select = select.filter(company::Column::Id.in_subquery(holding));
    }
    select
}

pub async fn list(
    db: &DatabaseConnection,
    filter: &CompanyFilter,
    order: CompanyOrder,
    page: &PageRequest,
    today: NaiveDate,
) -> AppResult<Page<company::Model>> {
    let direction = if order.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let rows = paginate(
        filtered(filter, today),
        Some(order.column()),
        company::Column::Id,
        direction,
        page,
    )
    .all(db)
    .await?;
    Ok(Page::from_rows(rows, page.first, |c| order.position(c)))
}

pub async fn count(
    db: &DatabaseConnection,
    filter: &CompanyFilter,
    today: NaiveDate,
) -> AppResult<u64> {
    Ok(filtered(filter, today).count(db).await?)
}

pub async fn by_id(db: &DatabaseConnection, id: i64) -> AppResult<Option<company::Model>> {
    Ok(company::Entity::find_by_id(id).one(db).await?)
}

pub async fn by_ids(
    db: &DatabaseConnection,
    ids: &[i64],
) -> AppResult<HashMap<i64, company::Model>> {
    let rows = company::Entity::find()
        .filter(company::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|c| (c.id, c)).collect())
}

pub async fn service_lines(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<ServiceLine>>> {
    let rows = company_service_line::Entity::find()
        .filter(company_service_line::Column::CompanyId.is_in(company_ids.iter().copied()))
        .order_by_asc(company_service_line::Column::ServiceLine)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<ServiceLine>> =
        company_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.company_id)
            .or_default()
            .push(row.service_line);
    }
    for lines in map.values_mut() {
        lines.sort();
    }
    Ok(map)
}

/// Yearly figures per company, oldest year first.
pub async fn figures(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<company_figures::Model>>> {
    let rows = company_figures::Entity::find()
        .filter(company_figures::Column::CompanyId.is_in(company_ids.iter().copied()))
        .order_by_asc(company_figures::Column::Year)
        .all(db)
        .await?;
    let mut map: HashMap<i64, Vec<company_figures::Model>> =
        company_ids.iter().map(|&id| (id, Vec::new())).collect();
    for row in rows {
        map.entry(row.company_id).or_default().push(row);
    }
    Ok(map)
}

/// The first page of companies in each of several parks, ordered by name, in one statement.
pub async fn first_in_parks(
    db: &DatabaseConnection,
    park_ids: &[i64],
    page: &PageRequest,
) -> AppResult<HashMap<i64, Page<company::Model>>> {
    let order = CompanyOrder::default();
    Ok(first_per_group(
        db,
        company::Entity::find(),
        company::Column::ParkId,
        park_ids,
        Some(company::Column::NameEn),
        company::Column::Id,
        Order::Asc,
        page,
        |c| c.park_id,
        |c| order.position(c),
    )
    .await?)
}

/// Per-park totals over the companies in it today.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ParkTotals {
    pub companies: i64,
    pub employees: i64,
    pub leading_companies: i64,
}

pub async fn park_totals(
    db: &DatabaseConnection,
    park_ids: &[i64],
) -> AppResult<HashMap<i64, ParkTotals>> {
    // (park, companies, employees, leading companies)
    type Row = (Option<i64>, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> = company::Entity::find()
        .select_only()
        .column(company::Column::ParkId)
        .column_as(Expr::col(company::Column::Id).count(), "companies")
        .column_as(
            Expr::from(Func::cast_as(
                Func::sum(Expr::col(company::Column::Headcount)),
                Alias::new("BIGINT"),
            )),
            "employees",
        )
        .column_as(
            Expr::from(Func::cast_as(
                Func::sum(Expr::case(Expr::col(company::Column::Leading).eq(true), 1).finally(0)),
                Alias::new("BIGINT"),
            )),
            "leading_companies",
        )
        .filter(company::Column::ParkId.is_in(park_ids.iter().copied()))
        .group_by(company::Column::ParkId)
        .into_tuple()
        .all(db)
        .await?;
    let mut map: HashMap<i64, ParkTotals> = park_ids
        .iter()
        .map(|&id| (id, ParkTotals::default()))
        .collect();
    for (park, companies, employees, leading) in rows {
        if let Some(park) = park {
            map.insert(
                park,
                ParkTotals {
                    companies,
                    employees: employees.unwrap_or(0),
                    leading_companies: leading.unwrap_or(0),
                },
            );
        }
    }
    Ok(map)
}
