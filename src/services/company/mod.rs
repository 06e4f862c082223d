//! Companies: lookup, filtered and ordered listing, and their service lines. One company read
//! with its park, certificates and figures in one statement, the yearly figures, and the
//! changes to companies each have a file of their own beside this one.

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Order, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use super::joined::{Projected, Projection, select_projected};
use super::page::{Keyset, Page, PageRequest, SortKey, first_per_group, paginate};
use crate::domain::{CertificationStandard, CertificationStatus, ServiceLine, VerificationStatus};
use crate::entities::{certification, company, company_service_line};
use crate::error::AppResult;
use crate::services::certification::{self as certification_service, Visibility};

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

pub use super::lines::line_mask;

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
        // Checked on the company's own row as the list walks it (see `line_mask`).
        select = select.filter(
            Expr::col((company::Entity, company::Column::ServiceLineMask))
                .bit_and(line_mask(lines.iter().copied()))
                .ne(0),
        );
    }
    if let Some(standard) = filter.certification {
        select = select.filter(company::Column::Id.in_subquery(holding(standard, today)));
    }
    select
}

/// The ids of the companies holding a certificate of `standard` in force on `today`.
pub fn holding(standard: CertificationStandard, today: NaiveDate) -> SelectStatement {
    certification::Entity::find()
        .select_only()
        .column(certification::Column::CompanyId)
        .filter(certification::Column::Standard.eq(standard))
        .filter(in_force(today))
        .into_query()
}

fn direction(order: CompanyOrder) -> Order {
    if order.descending {
        Order::Desc
    } else {
        Order::Asc
    }
}

/// The statement for one page of `filter`'s companies in `order`.
fn one_page(
    filter: &CompanyFilter,
    order: CompanyOrder,
    page: &PageRequest,
    today: NaiveDate,
) -> Select<company::Entity> {
    paginate(
        filtered(filter, today),
        Some(order.column()),
        company::Column::Id,
        direction(order),
        page,
    )
}

/// What a page of companies reads: the columns of each company, and each company's
/// certificates (as far as `visibility` lets the reader see them) with their columns.
#[derive(Debug, Clone, Copy)]
pub struct PageRead {
    pub companies: Projection<company::Entity>,
    pub certifications: Option<(Visibility, Projection<certification::Entity>)>,
}

/// One page of `filter`'s companies in `order`, reading only the columns `read` names (and
/// those the page itself needs: the id and the sort key), and with the certificates `read`
/// asks for in the same statement: the page is a subquery (its companies' ids found first,
/// then their rows), and the certificates are joined to it one row each. Columns not read hold
/// a [`Blank`](super::joined::Blank).
pub async fn list_projected(
    db: &DatabaseConnection,
    filter: &CompanyFilter,
    order: CompanyOrder,
    page: &PageRequest,
    today: NaiveDate,
    read: PageRead,
) -> AppResult<(
    Page<company::Model>,
    HashMap<i64, Vec<certification::Model>>,
)> {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::Query;

    let columns = read.companies.and(&[company::Column::Id, order.column()]);
    // The page's companies are found first by the filter and the order alone, over the fewest
    // columns (an index that holds them answers without reading a company's row: see
    // migration 10), then read by id.
    let mut keys = one_page(filter, order, page, today).into_query();
    keys.clear_selects();
    keys.column((company::Entity, company::Column::Id));
    let mut inner = Query::select();
    for column in columns.columns() {
        inner.column((company::Entity, column));
    }
    inner
        .from(company::Entity)
        .and_where(Expr::col((company::Entity, company::Column::Id)).in_subquery(keys));
    let paged = Alias::new("page");
    let mut query = Query::select();
    select_projected(&mut query, paged.clone(), columns);
    query.from_subquery(inner, paged.clone());
    query
        .order_by((paged.clone(), order.column()), direction(order))
        .order_by((paged.clone(), company::Column::Id), direction(order));
    let certificate_columns = read.certifications.map(|(visibility, projection)| {
        let projection = projection.and(&[certification::Column::Id]);
        certification_service::join_visible(
            &mut query,
            (paged.clone(), company::Column::Id),
            visibility,
            projection,
        );
        projection
    });
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    let width = columns.columns().count();
    let mut companies: Vec<company::Model> = Vec::new();
    let mut held: HashMap<i64, Vec<certification::Model>> = HashMap::new();
    for row in &rows {
        // The id is the first column read: the entity's first.
        let id: i64 = row.try_get_by_index(0)?;
        if companies.last().is_none_or(|c| c.id != id) {
            companies.push(company::Model::read_projected(row, 0, columns)?);
            if certificate_columns.is_some() {
                held.insert(id, Vec::new());
            }
        }
        if let Some(projection) = certificate_columns
            && row.try_get_by_index::<Option<i64>>(width)?.is_some()
        {
            let certificate = certification::Model::read_projected(row, width, projection)?;
            held.entry(id).or_default().push(certificate);
        }
    }
    Ok((
        Page::from_rows(companies, page.first, |c| order.position(c)),
        held,
    ))
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
    crate::services::rows::by_ids::<company::Entity, _>(db, company::Column::Id, ids, |c| c.id)
        .await
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
    Ok(crate::services::rows::grouped_sorted(
        company_ids,
        rows,
        |row| (row.company_id, row.service_line),
    ))
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

mod changes;
mod figures;
mod read_along;

pub use changes::*;
pub use figures::{ParkTotals, figures, latest_figures, park_totals};
pub use read_along::{Along, ReadAlong, by_id_along};
