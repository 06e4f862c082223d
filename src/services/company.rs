//! Companies: lookup, filtered and ordered listing, and what hangs off a company (service
//! lines, yearly figures).

use std::collections::HashMap;

use chrono::NaiveDate;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Order, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait, Select,
};

use super::joined::{Projected, Projection, select_projected};
use super::page::{Keyset, Page, PageRequest, SortKey, first_per_group, paginate};
use crate::domain::{CertificationStandard, CertificationStatus, ServiceLine, VerificationStatus};
use crate::entities::{certification, company, company_figures, company_service_line, park};
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

/// The lines, one bit each, as `company.service_line_mask` holds them: the bits are the
/// storage's (`migration::SERVICE_LINE_BITS`).
pub fn line_mask(lines: impl IntoIterator<Item = ServiceLine>) -> i64 {
    use sea_orm::ActiveEnum;
    lines.into_iter().fold(0, |mask, line| {
        let stored = line.to_value();
        migration::SERVICE_LINE_BITS
            .iter()
            .find(|(name, _)| *name == stored)
            .map_or(mask, |(_, bit)| mask | (1 << bit))
    })
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
        // Checked on the company's own row as the list walks it (see `line_mask`).
        select = select.filter(
            Expr::col((company::Entity, company::Column::ServiceLineMask))
                .bit_and(line_mask(lines.iter().copied()))
                .ne(0),
        );
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

/// What to read of one company, and in the same statement of its park, its certificates and
/// its latest figures (each a round trip saved): of each, only the columns a [`Projection`]
/// names.
#[derive(Debug, Clone, Copy)]
pub struct Along {
    pub company: Projection<company::Entity>,
    pub park: Option<Projection<park::Entity>>,
    /// Its certificates, as far as the reader may see them.
    pub certifications: Option<(Visibility, Projection<certification::Entity>)>,
    pub latest_figures: Option<Projection<company_figures::Entity>>,
}

/// What a statement read along with a company, with only the columns its projections name
/// (the rest hold a [`Blank`](super::joined::Blank)); `None` where it was not asked for.
#[derive(Debug, Clone, Default)]
pub struct ReadAlong {
    pub park: Option<Option<park::Model>>,
    pub certifications: Option<Vec<certification::Model>>,
    pub latest_figures: Option<Option<company_figures::Model>>,
}

/// One company and, in the same statement, its park, its certificates and its latest figures
/// as `along` asks: the park and the figures are joined one to one, the certificates one row
/// each (a company holds a handful). Each table's columns follow the last one's, in its
/// entity's order, starting with its key, which a left join that found nothing leaves null.
pub async fn by_id_along(
    db: &DatabaseConnection,
    id: i64,
    along: Along,
) -> AppResult<Option<(company::Model, ReadAlong)>> {
    use sea_orm::ConnectionTrait;
    use sea_orm::sea_query::{JoinType, Query};

    let mut query = Query::select();
    query
        .from(company::Entity)
        .and_where(Expr::col((company::Entity, company::Column::Id)).eq(id));
    let mut columns = along.company.and(&[company::Column::Id]);
    if along.park.is_some() {
        columns = columns.and(&[company::Column::ParkId]);
    }
    select_projected(&mut query, company::Entity, columns);
    let mut width = columns.columns().count();
    let mut place = |count: usize| {
        let start = width;
        width += count;
        start
    };
    let park = along.park.map(|projection| {
        let projection = projection.and(&[park::Column::Id]);
        select_projected(&mut query, park::Entity, projection);
        query.join(
            JoinType::LeftJoin,
            park::Entity,
            Expr::col((park::Entity, park::Column::Id))
                .equals((company::Entity, company::Column::ParkId)),
        );
        (place(projection.columns().count()), projection)
    });
    let figures = along.latest_figures.map(|projection| {
        let projection = projection.and(&[company_figures::Column::CompanyId]);
        select_projected(&mut query, company_figures::Entity, projection);
        let latest_year = latest_year_of((company::Entity, company::Column::Id));
        query.join(
            JoinType::LeftJoin,
            company_figures::Entity,
            Condition::all()
                .add(
                    Expr::col((company_figures::Entity, company_figures::Column::CompanyId))
                        .equals((company::Entity, company::Column::Id)),
                )
                .add(
                    Expr::col((company_figures::Entity, company_figures::Column::Year)).eq(
                        Expr::SubQuery(
                            None,
                            Box::new(sea_orm::sea_query::SubQueryStatement::SelectStatement(
                                latest_year,
                            )),
                        ),
                    ),
                ),
        );
        (place(projection.columns().count()), projection)
    });
    let certificates = along.certifications.map(|(visibility, projection)| {
        let projection = projection.and(&[certification::Column::Id]);
        certification_service::join_visible(
            &mut query,
            (company::Entity, company::Column::Id),
            visibility,
            projection,
        );
        (place(projection.columns().count()), projection)
    });
    let rows = db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let company = company::Model::read_projected(first, 0, columns)?;
    let read_along = ReadAlong {
        park: park
            .map(|(start, projection)| joined_at(first, start, projection))
            .transpose()?,
        latest_figures: figures
            .map(|(start, projection)| joined_at(first, start, projection))
            .transpose()?,
        certifications: certificates
            .map(|(start, projection)| {
                rows.iter()
                    .filter_map(|row| joined_at(row, start, projection).transpose())
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?,
    };
    Ok(Some((company, read_along)))
}

/// The model a left join read at `start`, or `None` where it found nothing (its key, the
/// first column read, is null).
fn joined_at<M: Projected>(
    row: &sea_orm::QueryResult,
    start: usize,
    projection: Projection<M::Entity>,
) -> Result<Option<M>, sea_orm::DbErr> {
    if row.try_get_by_index::<Option<i64>>(start)?.is_none() {
        return Ok(None);
    }
    M::read_projected(row, start, projection).map(Some)
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

/// The most recent year the company whose id is in `company` reported figures for.
fn latest_year_of(company: impl sea_orm::sea_query::IntoColumnRef) -> SelectStatement {
    let latest = Alias::new("latest");
    sea_orm::sea_query::Query::select()
        .expr(Expr::col((latest.clone(), company_figures::Column::Year)).max())
        .from_as(company_figures::Entity, latest.clone())
        .and_where(Expr::col((latest, company_figures::Column::CompanyId)).equals(company))
        .to_owned()
}

/// Each company's figures of the most recent year it reported (absent if it reported none).
pub async fn latest_figures(
    db: &DatabaseConnection,
    company_ids: &[i64],
) -> AppResult<HashMap<i64, company_figures::Model>> {
    let latest_year = latest_year_of((company_figures::Entity, company_figures::Column::CompanyId));
    let rows = company_figures::Entity::find()
        .filter(company_figures::Column::CompanyId.is_in(company_ids.iter().copied()))
        .filter(company_figures::Column::Year.in_subquery(latest_year))
        .all(db)
        .await?;
    Ok(rows.into_iter().map(|f| (f.company_id, f)).collect())
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

pub use changes::*;

mod changes {
    //! The changes to companies: the Department of Commerce registers a company and records its
    //! yearly figures; a company keeps its own profile.

    use chrono::Utc;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

    use crate::domain::global_id::Kind;
    use crate::domain::{Currency, Money, SearchType, ServiceLine, Uscc};
    use crate::entities::{company, company_figures, company_service_line, park};
    use crate::error::{AppError, AppResult};
    use crate::services::input::{email, headcount, lines, phone, text_field, website};
    use crate::services::write::{Tx, Writer};

    /// A company as the Department of Commerce registers it.
    #[derive(Debug, Clone)]
    pub struct NewCompany {
        pub uscc: String,
        pub name_zh: String,
        pub name_en: String,
        pub district_id: i64,
        pub park_id: Option<i64>,
        pub headcount: i32,
        pub founded_year: i32,
        pub description: String,
        pub description_zh: String,
        pub service_lines: Vec<ServiceLine>,
        pub website: Option<String>,
        pub contact_email: Option<String>,
        pub contact_phone: Option<String>,
        pub leading: bool,
    }

    /// What a company may change in its own profile; absent fields stay as they are.
    #[derive(Debug, Clone, Default)]
    pub struct ProfileChanges {
        pub description: Option<String>,
        pub description_zh: Option<String>,
        pub headcount: Option<i32>,
        pub service_lines: Option<Vec<ServiceLine>>,
        /// `Some(None)` clears the field.
        pub website: Option<Option<String>>,
        pub contact_email: Option<Option<String>>,
        pub contact_phone: Option<Option<String>>,
    }

    async fn replace_lines(tx: &Tx<'_>, company: i64, lines: &[ServiceLine]) -> AppResult<()> {
        company_service_line::Entity::delete_many()
            .filter(company_service_line::Column::CompanyId.eq(company))
            .exec(&tx.txn)
            .await?;
        company_service_line::Entity::insert_many(lines.iter().map(|&line| {
            company_service_line::ActiveModel {
                company_id: Set(company),
                service_line: Set(line),
            }
        }))
        .exec_without_returning(&tx.txn)
        .await?;
        company::Entity::update_many()
            .col_expr(
                company::Column::ServiceLineMask,
                sea_orm::sea_query::Expr::value(super::line_mask(lines.iter().copied())),
            )
            .filter(company::Column::Id.eq(company))
            .exec(&tx.txn)
            .await?;
        Ok(())
    }

    pub async fn create(w: &Writer<'_>, new: NewCompany) -> AppResult<company::Model> {
        w.require_admin()?;
        let uscc =
            Uscc::parse(&new.uscc).map_err(|e| AppError::bad_field("uscc", e.to_string()))?;
        let name_zh = text_field("nameZh", &new.name_zh, 200)?;
        let name_en = text_field("name", &new.name_en, 300)?;
        let headcount = headcount(new.headcount)?;
        let this_year = chrono::Datelike::year(&crate::domain::today());
        if !(1949..=this_year).contains(&new.founded_year) {
            return Err(AppError::bad_field(
                "foundedYear",
                format!("the founding year must be between 1949 and {this_year}"),
            ));
        }
        let description = text_field("description", &new.description, 10_000)?;
        let description_zh = text_field("descriptionZh", &new.description_zh, 10_000)?;
        let lines = lines(&new.service_lines, "serviceLines")?;
        let website = website(new.website.as_deref())?;
        let contact_email = email(new.contact_email.as_deref())?;
        let contact_phone = phone(new.contact_phone.as_deref())?;
        let mut tx = w.begin().await?;
        if company::Entity::find()
            .filter(company::Column::Uscc.eq(uscc.as_str()))
            .one(&tx.txn)
            .await?
            .is_some()
        {
            return Err(AppError::Conflict(format!(
                "a company with the unified social credit code {} is already registered",
                uscc.as_str()
            )));
        }
        if let Some(park_id) = new.park_id {
            let park = park::Entity::find_by_id(park_id)
                .one(&tx.txn)
                .await?
                .ok_or_else(|| AppError::not_found(Kind::Park, park_id))?;
            if park.district_id != new.district_id {
                return Err(AppError::bad_field(
                    "parkId",
                    "the park lies in another district than the company",
                ));
            }
        }
        let now = Utc::now();
        let record = company::ActiveModel {
            uscc: Set(uscc.as_str().to_owned()),
            name_zh: Set(name_zh),
            name_en: Set(name_en),
            district_id: Set(new.district_id),
            park_id: Set(new.park_id),
            headcount: Set(headcount),
            founded_year: Set(new.founded_year),
            description: Set(description),
            description_zh: Set(description_zh),
            website: Set(website),
            contact_email: Set(contact_email),
            contact_phone: Set(contact_phone),
            leading: Set(new.leading),
            service_line_mask: Set(super::line_mask(lines.iter().copied())),
            created_at: Set(now),
            updated_at: Set(now),
            ..Default::default()
        }
        .insert(&tx.txn)
        .await
        .map_err(|e| match e.sql_err() {
            // Another registration of the same code won the race past the check above.
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => AppError::Conflict(format!(
                "a company with the unified social credit code {} is already registered",
                uscc.as_str()
            )),
            _ => e.into(),
        })?;
        replace_lines(&tx, record.id, &lines).await?;
        tx.index(SearchType::Company, &[record.id]).await?;
        if let Some(park) = record.park_id {
            tx.index(SearchType::Park, &[park]).await?;
        }
        tx.audit("createCompany", &[(Kind::Company, record.id)])
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A company changes its own profile.
    pub async fn update_profile(
        w: &Writer<'_>,
        company_id: i64,
        changes: ProfileChanges,
    ) -> AppResult<company::Model> {
        let own = w.require_company()?;
        let mut tx = w.begin().await?;
        // Locked: two changes of the lines take turns, so the lines on record and the mask
        // written with them stay one set.
        let record = tx
            .locked(company::Entity::find_by_id(company_id))
            .one(&tx.txn)
            .await?
            .ok_or_else(|| AppError::not_found(Kind::Company, company_id))?;
        if own != company_id {
            return Err(AppError::Forbidden(
                "a company may change its own profile only".into(),
            ));
        }
        let mut active: company::ActiveModel = record.into();
        if let Some(d) = &changes.description {
            active.description = Set(text_field("description", d, 10_000)?);
        }
        if let Some(d) = &changes.description_zh {
            active.description_zh = Set(text_field("descriptionZh", d, 10_000)?);
        }
        if let Some(h) = changes.headcount {
            active.headcount = Set(headcount(h)?);
        }
        if let Some(v) = &changes.website {
            active.website = Set(website(v.as_deref())?);
        }
        if let Some(v) = &changes.contact_email {
            active.contact_email = Set(email(v.as_deref())?);
        }
        if let Some(v) = &changes.contact_phone {
            active.contact_phone = Set(phone(v.as_deref())?);
        }
        if let Some(l) = &changes.service_lines {
            let l = lines(l, "serviceLines")?;
            replace_lines(&tx, company_id, &l).await?;
        }
        active.updated_at = Set(Utc::now());
        let record = active.update(&tx.txn).await?;
        tx.index(SearchType::Company, &[company_id]).await?;
        if let Some(park) = record.park_id {
            tx.index(SearchType::Park, &[park]).await?;
        }
        tx.audit("updateCompanyProfile", &[(Kind::Company, company_id)])
            .await?;
        tx.commit().await?;
        Ok(record)
    }

    /// A company's figures for one year, in US dollars.
    #[derive(Debug, Clone)]
    pub struct YearFigures {
        pub contract_amount: Money,
        pub contract_offshore: Money,
        pub executed_amount: Money,
        pub executed_offshore: Money,
        pub employees: i32,
    }

    fn usd_cents(field: &str, money: &Money) -> AppResult<i64> {
        if money.currency != Currency::USD {
            return Err(AppError::bad_field(
                field,
                "the province's figures are kept in USD",
            ));
        }
        money
            .to_minor()
            .map_err(|e| AppError::bad_field(field, e.to_string()))
    }

    /// The Department of Commerce records (or corrects) a company's figures for a year.
    pub async fn record_figures(
        w: &Writer<'_>,
        company_id: i64,
        year: i32,
        figures: YearFigures,
    ) -> AppResult<company_figures::Model> {
        w.require_admin()?;
        let this_year = chrono::Datelike::year(&crate::domain::today());
        if !(2000..=this_year).contains(&year) {
            return Err(AppError::bad_field(
                "year",
                format!("the year must be between 2000 and {this_year}"),
            ));
        }
        let contract = usd_cents("contractAmount", &figures.contract_amount)?;
        let contract_offshore = usd_cents("contractOffshore", &figures.contract_offshore)?;
        let executed = usd_cents("executedAmount", &figures.executed_amount)?;
        let executed_offshore = usd_cents("executedOffshore", &figures.executed_offshore)?;
        if contract_offshore > contract {
            return Err(AppError::bad_field(
                "contractOffshore",
                "the offshore part cannot exceed the whole contract amount",
            ));
        }
        if executed_offshore > executed {
            return Err(AppError::bad_field(
                "executedOffshore",
                "the offshore part cannot exceed the whole executed amount",
            ));
        }
        if !(0..=1_000_000).contains(&figures.employees) {
            return Err(AppError::bad_field(
                "employees",
                "employees must be between 0 and 1,000,000",
            ));
        }
        let mut tx = w.begin().await?;
        if company::Entity::find_by_id(company_id)
            .one(&tx.txn)
            .await?
            .is_none()
        {
            return Err(AppError::not_found(Kind::Company, company_id));
        }
        let existing = company_figures::Entity::find_by_id((company_id, year))
            .one(&tx.txn)
            .await?;
        let is_new = existing.is_none();
        let mut active: company_figures::ActiveModel = match existing {
            Some(row) => row.into(),
            None => company_figures::ActiveModel {
                company_id: Set(company_id),
                year: Set(year),
                ..Default::default()
            },
        };
        active.contract_amount_usd_cents = Set(contract);
        active.contract_offshore_usd_cents = Set(contract_offshore);
        active.executed_amount_usd_cents = Set(executed);
        active.executed_offshore_usd_cents = Set(executed_offshore);
        active.employees = Set(figures.employees);
        let row = if is_new {
            active.insert(&tx.txn).await?
        } else {
            active.update(&tx.txn).await?
        };
        tx.index(SearchType::Company, &[company_id]).await?;
        tx.audit("recordCompanyFigures", &[(Kind::Company, company_id)])
            .await?;
        tx.commit().await?;
        Ok(row)
    }
}

#[cfg(test)]
mod line_mask_tests {
    use super::*;

    /// Every variant, not only those `ServiceLine::ALL` lists: a line without a bit would
    /// filter to nothing.
    #[test]
    fn every_line_has_a_bit_of_its_own() {
        use sea_orm::Iterable;
        let lines: Vec<ServiceLine> = ServiceLine::iter().collect();
        for &line in &lines {
            assert_eq!(line_mask([line]).count_ones(), 1, "{line:?}");
        }
        assert_eq!(
            line_mask(lines.iter().copied()).count_ones() as usize,
            lines.len()
        );
    }
}
