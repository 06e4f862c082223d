//! The changes to companies in the API: the Department of Commerce registers companies and
//! records their yearly figures; a company keeps its own profile.

use async_graphql::{Context, ID, InputObject, Object, Result};

use super::company::Company;
use super::ids::{self, Kind};
use super::money::MoneyInput;
use super::state;
use crate::domain::{DistrictCode, ServiceLine};
use crate::error::AppError;
use crate::services::company as companies;

/// A company as the Department of Commerce registers it.
#[derive(InputObject)]
pub struct CreateCompanyInput {
    /// Unified social credit code (GB 32100-2015), checked.
    uscc: String,
    /// English name.
    name: String,
    /// Chinese name.
    name_zh: String,
    /// The district (prefecture-level city) the company is registered in.
    district: DistrictCode,
    /// The park it sits in, which must lie in its district.
    park_id: Option<ID>,
    /// Current number of employees, 1 to 1,000,000.
    headcount: i32,
    /// Year the company was founded, from 1949 to this year.
    founded_year: i32,
    /// English description, up to 10,000 characters.
    description: String,
    /// Chinese description, up to 10,000 characters.
    description_zh: String,
    /// Lines of service offered; at least one.
    service_lines: Vec<ServiceLine>,
    /// Website address, `http://` or `https://`; null or blank for none.
    website: Option<String>,
    /// Public contact e-mail address; null or blank for none.
    contact_email: Option<String>,
    /// Public contact telephone number (digits, spaces and `+ - ( )`); null or blank for
    /// none.
    contact_phone: Option<String>,
    /// One of the leading companies the province names (default false).
    #[graphql(default)]
    leading: bool,
}

/// What a company may change in its own profile; absent fields stay as they are, and `null`
/// clears `website`, `contactEmail` and `contactPhone`.
#[derive(InputObject)]
pub struct UpdateCompanyProfileInput {
    /// The company; a company key may change its own only.
    id: ID,
    /// New English description, up to 10,000 characters.
    description: Option<String>,
    /// New Chinese description, up to 10,000 characters.
    description_zh: Option<String>,
    /// Current number of employees, 1 to 1,000,000.
    headcount: Option<i32>,
    /// The lines of service offered, replacing the present ones; at least one.
    service_lines: Option<Vec<ServiceLine>>,
    /// Website address, `http://` or `https://`; `null` clears it.
    website: async_graphql::MaybeUndefined<String>,
    /// Public contact e-mail address; `null` clears it.
    contact_email: async_graphql::MaybeUndefined<String>,
    /// Public contact telephone number (digits, spaces and `+ - ( )`); `null` clears it.
    contact_phone: async_graphql::MaybeUndefined<String>,
}

/// A company's figures for one year, in USD.
#[derive(InputObject)]
pub struct RecordCompanyFiguresInput {
    /// The company's global ID.
    company_id: ID,
    /// The reporting year, from 2000 to this year; figures already recorded for it are
    /// replaced.
    year: i32,
    /// Value of contracts signed in the year, in USD.
    contract_amount: MoneyInput,
    /// Of which international (offshore) contracts, in USD; at most `contractAmount`.
    contract_offshore: MoneyInput,
    /// Value of contracts executed in the year, in USD.
    executed_amount: MoneyInput,
    /// Of which international (offshore) contracts, in USD; at most `executedAmount`.
    executed_offshore: MoneyInput,
    /// Employees at the end of the year, 0 to 1,000,000.
    employees: i32,
}

#[derive(Default)]
pub struct CompanyMutation;

#[Object]
impl CompanyMutation {
    /// The Department of Commerce registers a company.
    async fn create_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company to register.")] input: CreateCompanyInput,
    ) -> Result<Company> {
        let w = super::writer(ctx);
        w.require_admin()?;
        let district_id = super::district_id(ctx, input.district)?;
        let park_id = match &input.park_id {
            Some(id) => Some(ids::decode(id, Kind::Park, "parkId")?),
            None => None,
        };
        let new = companies::NewCompany {
            uscc: input.uscc,
            name_zh: input.name_zh,
            name_en: input.name,
            district_id,
            park_id,
            headcount: input.headcount,
            founded_year: input.founded_year,
            description: input.description,
            description_zh: input.description_zh,
            service_lines: input.service_lines,
            website: input.website,
            contact_email: input.contact_email,
            contact_phone: input.contact_phone,
            leading: input.leading,
        };
        Ok(Company::new(companies::create(&w, new).await?))
    }

    /// A company keeps its own profile.
    async fn update_company_profile(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company and the changes to its profile.")]
        input: UpdateCompanyProfileInput,
    ) -> Result<Company> {
        let w = super::writer(ctx);
        w.require_company()?;
        let id = ids::decode(&input.id, Kind::Company, "id")?;
        let changes = companies::ProfileChanges {
            description: input.description,
            description_zh: input.description_zh,
            headcount: input.headcount,
            service_lines: input.service_lines,
            website: super::maybe(input.website),
            contact_email: super::maybe(input.contact_email),
            contact_phone: super::maybe(input.contact_phone),
        };
        Ok(Company::new(
            companies::update_profile(&w, id, changes).await?,
        ))
    }

    /// The Department of Commerce moves a company to another district, or into, out of or
    /// between parks; its figures and certificates count in the new district and park from
    /// then on, for every year (statistics follow where a company is, not where it was).
    async fn move_company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's global ID.")] id: ID,
        #[graphql(desc = "The district it moves to (it may stay in its own).")]
        district: DistrictCode,
        #[graphql(desc = "The park it moves to, in that district; null for none.")] park_id: Option<
            ID,
        >,
    ) -> Result<Company> {
        let w = super::writer(ctx);
        w.require_admin()?;
        let id = ids::decode(&id, Kind::Company, "id")?;
        let district_id = super::district_id(ctx, district)?;
        let park_id = match &park_id {
            Some(p) => Some(ids::decode(p, Kind::Park, "parkId")?),
            None => None,
        };
        Ok(Company::new(
            companies::relocate(&w, id, district_id, park_id).await?,
        ))
    }

    /// The Department of Commerce records (or corrects) a company's figures for a year; the
    /// province's statistics follow.
    async fn record_company_figures(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company, the year and its figures.")]
        input: RecordCompanyFiguresInput,
    ) -> Result<Company> {
        let w = super::writer(ctx);
        w.require_admin()?;
        let id = ids::decode(&input.company_id, Kind::Company, "companyId")?;
        let figures = companies::YearFigures {
            contract_amount: input.contract_amount.parse("contractAmount")?,
            contract_offshore: input.contract_offshore.parse("contractOffshore")?,
            executed_amount: input.executed_amount.parse("executedAmount")?,
            executed_offshore: input.executed_offshore.parse("executedOffshore")?,
            employees: input.employees,
        };
        companies::record_figures(&w, id, input.year, figures).await?;
        let company = companies::by_id(&state(ctx).db, id)
            .await?
            .ok_or_else(|| AppError::not_found_id("company", input.company_id.as_str()))?;
        Ok(Company::new(company))
    }
}
