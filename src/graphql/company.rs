//! Companies in the API.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};

use super::figures::CompanyFigures;
use super::ids::{self, Kind};
use super::loaders::{
    AlliancesOf, CertificationsOf, FiguresOf, LatestFiguresOf, ParkById, ServiceLinesOf,
};
use super::order::OrderDirection;
use super::reference::District;
use super::{
    List, actor, connection, list, loaders, projection, selected_nodes, selected_within, state,
    today,
};
use crate::domain::{
    CertificationStandard, CertificationStatus, DistrictCode, ServiceLine, ServiceLineFamily,
};
use crate::entities::{certification, company};
use crate::error::AppError;
use crate::graphql::alliance::Alliance;
use crate::graphql::certification::Certification;
use crate::graphql::park::Park;
use crate::graphql::tender::Tender;
use crate::services::certification::Visibility;
use crate::services::company::{
    self as companies, CompanyFilter as Filter, CompanyOrder as Order, CompanySort, ReadAlong,
};
use crate::services::joined::Projection;

/// A company, and what was read along with it, with only the columns the query selects: it
/// goes to this company's fields and nowhere else (never to a loader's cache, which any field
/// of the request could read whole).
pub struct Company(pub company::Model, ReadAlong);

impl Company {
    pub fn new(model: company::Model) -> Self {
        Self(model, ReadAlong::default())
    }

    /// The columns of `company` each field below reads, for statements (lists, `company(id:)`)
    /// that read no more than the query selects; `None` for a field not named here, which
    /// needs the whole row. A field that starts reading another column must say so here.
    pub(crate) fn reads(field: &str) -> Option<&'static [company::Column]> {
        use company::Column as C;
        Some(match field {
            // The id is always read; these read by it.
            "__typename"
            | "id"
            | "serviceLines"
            | "serviceLineFamilies"
            | "certifications"
            | "figures"
            | "latestFigures"
            | "alliances" => &[],
            "uscc" => &[C::Uscc],
            "name" => &[C::NameEn],
            "nameZh" => &[C::NameZh],
            "district" => &[C::DistrictId],
            "park" => &[C::ParkId],
            "headcount" => &[C::Headcount],
            "foundedYear" => &[C::FoundedYear],
            "leading" => &[C::Leading],
            "description" => &[C::Description],
            "descriptionZh" => &[C::DescriptionZh],
            "website" => &[C::Website],
            "contactEmail" => &[C::ContactEmail],
            "contactPhone" => &[C::ContactPhone],
            _ => return None,
        })
    }
}

/// A service-outsourcing company registered in Jiangxi.
#[Object]
impl Company {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Company, self.0.id)
    }

    /// Unified social credit code (GB 32100-2015), 18 characters.
    async fn uscc(&self) -> &str {
        &self.0.uscc
    }

    /// English name.
    async fn name(&self) -> &str {
        &self.0.name_en
    }

    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }

    /// The district (prefecture-level city) the company is registered in.
    async fn district(&self, ctx: &Context<'_>) -> Result<District> {
        District::by_id(ctx, self.0.district_id)
    }

    /// The park the company sits in, if any.
    async fn park(&self, ctx: &Context<'_>) -> Result<Option<Park>> {
        if let Some(read_along) = &self.1.park {
            return Ok(read_along.clone().map(Park));
        }
        let Some(park) = self.0.park_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)?.load_one(ParkById(park)).await?.map(Park))
    }

    /// Lines of service offered.
    async fn service_lines(&self, ctx: &Context<'_>) -> Result<Vec<ServiceLine>> {
        Ok(loaders(ctx)?
            .load_one(ServiceLinesOf(self.0.id))
            .await?
            .unwrap_or_default())
    }

    /// Families (ITO, BPO, KPO) of the lines offered.
    async fn service_line_families(&self, ctx: &Context<'_>) -> Result<Vec<ServiceLineFamily>> {
        let lines = loaders(ctx)?
            .load_one(ServiceLinesOf(self.0.id))
            .await?
            .unwrap_or_default();
        let mut families: Vec<ServiceLineFamily> = Vec::new();
        for family in lines.into_iter().map(ServiceLine::family) {
            if !families.contains(&family) {
                families.push(family);
            }
        }
        Ok(families)
    }

    /// Current number of employees.
    async fn headcount(&self) -> i32 {
        self.0.headcount
    }

    /// Year the company was founded.
    async fn founded_year(&self) -> i32 {
        self.0.founded_year
    }

    /// One of the leading companies the province names.
    async fn leading(&self) -> bool {
        self.0.leading
    }

    /// English description.
    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Chinese description.
    async fn description_zh(&self) -> &str {
        &self.0.description_zh
    }

    /// Website address.
    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    /// Public contact e-mail address.
    async fn contact_email(&self) -> Option<&str> {
        self.0.contact_email.as_deref()
    }

    /// Public contact telephone number.
    async fn contact_phone(&self) -> Option<&str> {
        self.0.contact_phone.as_deref()
    }

    /// International certificates, most recently issued first; `status` narrows them to one
    /// status as of today. The public sees verified records; the company itself and the
    /// Department of Commerce also see its unverified and rejected ones.
    async fn certifications(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only certificates with this status as of today (default: all).")]
        status: Option<CertificationStatus>,
    ) -> Result<Vec<Certification>> {
        let all = match &self.1.certifications {
            Some(read_along) => read_along.clone(),
            None => loaders(ctx)?
                .load_one(CertificationsOf(self.0.id))
                .await?
                .unwrap_or_default(),
        };
        let today = today();
        Ok(all
            .into_iter()
            .map(Certification)
            .filter(|c| status.is_none_or(|s| c.effective_status(today) == s))
            .collect())
    }

    /// Yearly figures, oldest year first.
    async fn figures(&self, ctx: &Context<'_>) -> Result<Vec<CompanyFigures>> {
        let figures = loaders(ctx)?
            .load_one(FiguresOf(self.0.id))
            .await?
            .unwrap_or_default();
        Ok(figures.into_iter().map(CompanyFigures::from).collect())
    }

    /// The figures of the most recent year reported.
    async fn latest_figures(&self, ctx: &Context<'_>) -> Result<Option<CompanyFigures>> {
        if let Some(read_along) = &self.1.latest_figures {
            return Ok(read_along.clone().map(CompanyFigures::from));
        }
        Ok(loaders(ctx)?
            .load_one(LatestFiguresOf(self.0.id))
            .await?
            .map(CompanyFigures::from))
    }

    /// The open tenders this company qualifies for on its own (certificates in force of every
    /// required standard, the minimum headcount, every service line asked for), closing soonest
    /// first.
    #[graphql(complexity = "crate::graphql::limits::page_cost(first, child_complexity)")]
    async fn matching_tenders(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<List<Tender>> {
        let order = crate::services::tender::TenderOrder::default();
        let page = ids::page_request(first, after, |p| order.accepts(p))?;
        let (found, total) =
            crate::services::bid::matching_tenders(&state(ctx).db, &self.0, &page, today()).await?;
        Ok(list(found, page.after.is_some(), total, Tender::new))
    }

    /// Alliances the company leads or belongs to.
    async fn alliances(&self, ctx: &Context<'_>) -> Result<Vec<Alliance>> {
        let ids = loaders(ctx)?
            .load_one(AlliancesOf(self.0.id))
            .await?
            .unwrap_or_default();
        let found = loaders(ctx)?
            .load_many(ids.iter().map(|&id| super::loaders::AllianceById(id)))
            .await?;
        Ok(ids
            .iter()
            .filter_map(|&id| {
                found
                    .get(&super::loaders::AllianceById(id))
                    .cloned()
                    .map(Alliance)
            })
            .collect())
    }
}

/// Narrows a list of companies; every field given must hold.
#[derive(InputObject, Default)]
pub struct CompanyFilter {
    /// Registered in this district.
    district: Option<DistrictCode>,
    /// Sits in this park.
    park_id: Option<ID>,
    /// Offers this line of service.
    service_line: Option<ServiceLine>,
    /// Offers at least one line of this family.
    service_line_family: Option<ServiceLineFamily>,
    /// Holds a verified certificate of this standard that is in force today.
    certification: Option<CertificationStandard>,
    /// At least this many employees now.
    min_employees: Option<i32>,
    /// Only leading companies (true) or only the others (false).
    leading: Option<bool>,
}

impl CompanyFilter {
    async fn resolve(self, ctx: &Context<'_>) -> Result<Filter, AppError> {
        let district_id = self
            .district
            .map(|code| super::district_id(ctx, code))
            .transpose()?;
        let park_id = match &self.park_id {
            Some(id) => {
                Some(super::existing(ctx, id, Kind::Park, "filter.parkId", ParkById).await?)
            }
            None => None,
        };
        if let Some(min) = self.min_employees
            && min < 0
        {
            return Err(AppError::bad_field(
                "filter.minEmployees",
                "minEmployees must not be negative",
            ));
        }
        let service_lines = match (self.service_line, self.service_line_family) {
            (None, None) => None,
            (Some(line), None) => Some(vec![line]),
            (None, Some(family)) => Some(family.lines()),
            (Some(line), Some(family)) => Some(if line.family() == family {
                vec![line]
            } else {
                vec![]
            }),
        };
        Ok(Filter {
            district_id,
            park_id,
            service_lines,
            certification: self.certification,
            min_employees: self.min_employees,
            leading: self.leading,
        })
    }
}

/// What companies can be ordered by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum CompanyOrderField {
    /// English name.
    #[default]
    Name,
    /// Current number of employees.
    Headcount,
    /// Year founded.
    FoundedYear,
}

/// How to order companies; each part left out takes its default.
#[derive(InputObject)]
pub struct CompanyOrder {
    #[graphql(default)]
    /// What to order by.
    field: CompanyOrderField,
    #[graphql(default)]
    /// Ascending or descending.
    direction: OrderDirection,
}

impl From<Option<CompanyOrder>> for Order {
    fn from(order: Option<CompanyOrder>) -> Self {
        let Some(order) = order else {
            return Order::default();
        };
        Order {
            sort: match order.field {
                CompanyOrderField::Name => CompanySort::Name,
                CompanyOrderField::Headcount => CompanySort::Headcount,
                CompanyOrderField::FoundedYear => CompanySort::FoundedYear,
            },
            descending: order.direction == OrderDirection::Desc,
        }
    }
}

#[derive(Default)]
pub struct CompanyQuery;

#[Object]
impl CompanyQuery {
    /// Companies, filtered and ordered (by English name unless told otherwise).
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(max_age = 60)
    )]
    async fn companies(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
        #[graphql(desc = "Only the companies that meet every condition given (default: all).")]
        filter: Option<CompanyFilter>,
        #[graphql(desc = "The order of the list (default: by English name, ascending).")]
        order_by: Option<CompanyOrder>,
    ) -> Result<List<Company>> {
        let order = Order::from(order_by);
        let page = ids::page_request(first, after, |p| order.accepts(p))?;
        let filter = filter.unwrap_or_default().resolve(ctx).await?;
        let db = &state(ctx).db;
        let today = today();
        // The page reads the columns its selected fields read, and the certificates, if
        // selected, in the same statement.
        let nodes = selected_nodes(ctx);
        let certificates = selected_within(&nodes, "certifications");
        let read = companies::PageRead {
            companies: projection(nodes.iter().copied(), Company::reads),
            certifications: certificates_read(ctx, &certificates),
        };
        let (found, mut held) =
            companies::list_projected(db, &filter, order, &page, today, read).await?;
        Ok(connection(
            ctx,
            &page,
            found,
            companies::count(db, &filter, today),
            |c| {
                let certifications = held.remove(&c.id);
                Company(
                    c,
                    ReadAlong {
                        certifications,
                        ..ReadAlong::default()
                    },
                )
            },
        )
        .await?)
    }

    /// One company by ID.
    #[graphql(cache_control(max_age = 60))]
    async fn company(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The company's global ID.")] id: ID,
    ) -> Result<Company> {
        let number = ids::decode(&id, Kind::Company, "id")?;
        let not_found = || AppError::not_found_id("company", id.as_str());
        // The company's statement reads the columns its selected fields read, and its park,
        // certificates and latest figures if selected, with theirs.
        let me = [ctx.field()];
        let parks = selected_within(&me, "park");
        let certificates = selected_within(&me, "certifications");
        let figures = selected_within(&me, "latestFigures");
        let along = companies::Along {
            company: projection(me.iter().copied(), Company::reads),
            park: (!parks.is_empty()).then(|| projection(parks, Park::reads)),
            certifications: certificates_read(ctx, &certificates),
            latest_figures: (!figures.is_empty())
                .then(|| projection(figures, CompanyFigures::reads)),
        };
        let (company, read_along) = companies::by_id_along(&state(ctx).db, number, along)
            .await?
            .ok_or_else(not_found)?;
        Ok(Company(company, read_along))
    }
}

/// What a statement reads of the certificates selected as `certificates`: `None` if none is.
fn certificates_read(
    ctx: &Context<'_>,
    certificates: &[async_graphql::SelectionField<'_>],
) -> Option<(Visibility, Projection<certification::Entity>)> {
    if certificates.is_empty() {
        return None;
    }
    let mut columns = projection(certificates.iter().copied(), Certification::reads);
    // `certifications(status:)` narrows by the status as of today.
    if certificates
        .iter()
        .any(|f| f.arguments().map_or(true, |a| !a.is_empty()))
    {
        columns = columns.and(Certification::STATUS);
    }
    Some((Visibility::for_actor(&actor(ctx)), columns))
}
