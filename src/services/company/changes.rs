//! The changes to companies: the Department of Commerce registers a company and records its
//! yearly figures; a company keeps its own profile.

use chrono::Utc;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};

use crate::domain::global_id::Kind;
use crate::domain::{Currency, Money, SearchType, ServiceLine, Uscc};
use crate::entities::{company, company_figures, company_service_line, park};
use crate::error::{AppError, AppResult};
use crate::services::input::{email, headcount, lines, phone, text_field, website};
use crate::services::rollup::Subject;
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
    let uscc = Uscc::parse(&new.uscc).map_err(|e| AppError::bad_field("uscc", e.to_string()))?;
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
    tx.track_new(Subject::Company(record.id));
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
        // The lines decide the families the company's figures count in.
        tx.track(Subject::Company(company_id)).await?;
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
    tx.track(Subject::Company(company_id)).await?;
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

/// The Department of Commerce moves a company to another district, or into, out of or between
/// parks (a park lies in one district: the company's).
pub async fn relocate(
    w: &Writer<'_>,
    company_id: i64,
    district_id: i64,
    park_id: Option<i64>,
) -> AppResult<company::Model> {
    w.require_admin()?;
    let mut tx = w.begin().await?;
    let record = tx
        .locked(company::Entity::find_by_id(company_id))
        .one(&tx.txn)
        .await?
        .ok_or_else(|| AppError::not_found(Kind::Company, company_id))?;
    if crate::entities::district::Entity::find_by_id(district_id)
        .one(&tx.txn)
        .await?
        .is_none()
    {
        return Err(AppError::not_found(Kind::District, district_id));
    }
    if let Some(park_id) = park_id {
        let park = park::Entity::find_by_id(park_id)
            .one(&tx.txn)
            .await?
            .ok_or_else(|| AppError::not_found(Kind::Park, park_id))?;
        if park.district_id != district_id {
            return Err(AppError::bad_field(
                "parkId",
                "the park lies in another district than the one given",
            ));
        }
    }
    // Its figures and certificates move with it, from the old district and park to the new.
    tx.track(Subject::Company(company_id)).await?;
    let parks: Vec<i64> = record.park_id.into_iter().chain(park_id).collect();
    let mut active: company::ActiveModel = record.into();
    active.district_id = Set(district_id);
    active.park_id = Set(park_id);
    active.updated_at = Set(Utc::now());
    let record = active.update(&tx.txn).await?;
    tx.index(SearchType::Company, &[company_id]).await?;
    tx.index(SearchType::Park, &parks).await?;
    tx.audit("moveCompany", &[(Kind::Company, company_id)])
        .await?;
    tx.commit().await?;
    Ok(record)
}
