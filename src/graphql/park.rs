//! Service-outsourcing parks in the API.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};

use super::company::Company;
use super::ids::{self, Kind};
use super::loaders::{CompaniesInPark, FocusOf, TotalsOf};
use super::reference::District;
use super::{List, connection, list, loaders, state, wants_total};
use crate::domain::{DistrictCode, ParkLevel, ServiceLine};
use crate::entities::park;
use crate::error::AppError;
use crate::services::company::CompanyOrder;
use crate::services::park::{self as parks, ORDER_TAG, ParkFilter as Filter};

pub struct Park(pub park::Model);

impl Park {
    /// The columns of `park` each field below reads, for statements that read no more than the
    /// query selects; `None` for a field not named here, which needs the whole row. A field
    /// that starts reading another column must say so here.
    pub(crate) fn reads(field: &str) -> Option<&'static [park::Column]> {
        use park::Column as C;
        Some(match field {
            // The id is always read; these read by it.
            "__typename" | "id" | "focusIndustries" | "companies" | "totals" => &[],
            "name" => &[C::NameEn],
            "nameZh" => &[C::NameZh],
            "level" => &[C::Level],
            "district" => &[C::DistrictId],
            "description" => &[C::Description],
            "preferentialPolicies" => &[C::PreferentialPolicies],
            "website" => &[C::Website],
            "establishedYear" => &[C::EstablishedYear],
            _ => return None,
        })
    }
}

/// Totals over the companies a park holds today.
#[derive(SimpleObject)]
pub struct ParkTotals {
    /// Companies in the park.
    companies: i64,
    /// Sum of the companies' current headcounts.
    employees: i64,
    /// Of which leading companies.
    leading_companies: i64,
}

/// A service-outsourcing park or demonstration city.
#[Object]
impl Park {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Park, self.0.id)
    }

    /// English name.
    async fn name(&self) -> &str {
        &self.0.name_en
    }

    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }

    /// National demonstration city, provincial demonstration park, or other.
    async fn level(&self) -> ParkLevel {
        self.0.level
    }

    /// The district the park is in.
    async fn district(&self, ctx: &Context<'_>) -> Result<District> {
        District::by_id(ctx, self.0.district_id)
    }

    /// English description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Preferential policies offered to companies settling in the park.
    async fn preferential_policies(&self) -> &str {
        &self.0.preferential_policies
    }

    /// The service lines the park concentrates on.
    async fn focus_industries(&self, ctx: &Context<'_>) -> Result<Vec<ServiceLine>> {
        Ok(loaders(ctx)?
            .load_one(FocusOf(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// Website address.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// Year the park was established.
    async fn established_year(&self) -> Option<i32> {
        self.0.established_year
    }

    /// The companies in the park, by English name.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<List<Company>> {
        let order = CompanyOrder::default();
        let page = ids::page_request(first, after, |p| order.accepts(p))?;
        let after_given = page.after.is_some();
        let loaders = loaders(ctx)?;
        // Both loads start in the same tick, so the totals batch with the park's `totals` field.
        let (found, totals) = tokio::join!(
            loaders.load_one(CompaniesInPark {
                park: self.0.id,
                page
            }),
            async {
                if wants_total(ctx) {
                    loaders.load_one(TotalsOf(self.0.id)).await
                } else {
                    Ok(None)
                }
            }
        );
        let found = found?.unwrap_or_else(crate::services::page::Page::empty);
        let total = totals?.unwrap_or_default().companies as u64;
        Ok(list(found, after_given, total, Company::new))
    }

    /// Totals over the companies in the park today.
    async fn totals(&self, ctx: &Context<'_>) -> Result<ParkTotals> {
        let totals = loaders(ctx)?
            .load_one(TotalsOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(ParkTotals {
            companies: totals.companies,
            employees: totals.employees,
            leading_companies: totals.leading_companies,
        })
    }
}

/// Narrows a list of parks; every field given must hold.
#[derive(InputObject, Default)]
pub struct ParkFilter {
    /// In this district.
    district: Option<DistrictCode>,
    /// Of this level.
    level: Option<ParkLevel>,
}

#[derive(Default)]
pub struct ParkQuery;

#[Object]
impl ParkQuery {
    /// Parks, in the order they were recorded.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(max_age = 60)
    )]
    async fn parks(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only the parks that meet every condition given (default: all).")]
        filter: Option<ParkFilter>,
    ) -> Result<List<Park>> {
        let page = ids::page_request(first, after, |p| p.is_by_id(ORDER_TAG))?;
        let filter = filter.unwrap_or_default();
        let api = state(ctx);
        let filter = Filter {
            district_id: filter
                .district
                .and_then(|code| api.reference.district_by_code(code))
                .map(|d| d.id),
            level: filter.level,
        };
        let found = parks::list(&api.db, &filter, &page).await?;
        Ok(connection(ctx, &page, found, parks::count(&api.db, &filter), Park).await?)
    }

    /// One park by ID.
    #[graphql(cache_control(max_age = 60))]
    async fn park(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The park's global ID.")] id: ID,
    ) -> Result<Park> {
        let number = ids::decode(&id, Kind::Park, "id")?;
        parks::by_ids(&state(ctx).db, &[number])
            .await?
            .remove(&number)
            .map(Park)
            .ok_or_else(|| AppError::not_found_id("park", id.as_str()).into())
    }
}

/// A park's fields. On `createPark`, `name`, `nameZh`, `level`, `district` and `description`
/// are required; on `updatePark`, absent fields stay as they are and `null` clears `website`
/// and `establishedYear`.
#[derive(InputObject)]
pub struct ParkInput {
    /// English name, up to 300 characters.
    name: Option<String>,
    /// Chinese name, up to 200 characters.
    name_zh: Option<String>,
    /// National demonstration city, provincial demonstration park, or other.
    level: Option<ParkLevel>,
    /// The district the park is in; a park with companies cannot move to another.
    district: Option<DistrictCode>,
    /// English description, up to 10,000 characters.
    description: Option<String>,
    /// Preferential policies offered to companies settling in the park, up to 10,000
    /// characters; blank for none.
    preferential_policies: Option<String>,
    /// Website address, `http://` or `https://`.
    website: async_graphql::MaybeUndefined<String>,
    /// Year the park was established, from 1980 to this year.
    established_year: async_graphql::MaybeUndefined<i32>,
    /// The service lines the park concentrates on, replacing the present ones; may be empty.
    focus_industries: Option<Vec<ServiceLine>>,
}

impl ParkInput {
    fn fields(self, ctx: &Context<'_>) -> Result<parks::ParkFields, AppError> {
        let district_id = self
            .district
            .map(|code| super::district_id(ctx, code))
            .transpose()?;
        Ok(parks::ParkFields {
            name_en: self.name,
            name_zh: self.name_zh,
            level: self.level,
            district_id,
            description: self.description,
            preferential_policies: self.preferential_policies,
            website: super::maybe(self.website),
            established_year: super::maybe(self.established_year),
            focus_industries: self.focus_industries,
        })
    }
}

#[derive(Default)]
pub struct ParkMutation;

#[Object]
impl ParkMutation {
    /// The Department of Commerce records a park.
    async fn create_park(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The park to record.")] input: ParkInput,
    ) -> Result<Park> {
        let w = super::writer(ctx);
        w.require_admin()?;
        let fields = input.fields(ctx)?;
        Ok(Park(parks::create(&w, fields).await?))
    }

    /// The Department of Commerce updates a park.
    async fn update_park(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The park's global ID.")] id: ID,
        #[graphql(desc = "The changes to the park.")] input: ParkInput,
    ) -> Result<Park> {
        let w = super::writer(ctx);
        w.require_admin()?;
        let number = ids::decode(&id, Kind::Park, "id")?;
        let fields = input.fields(ctx)?;
        Ok(Park(parks::update(&w, number, fields).await?))
    }
}
