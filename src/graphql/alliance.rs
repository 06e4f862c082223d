//! Alliances of companies in the API.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::company::Company;
use super::ids::{self, Kind};
use super::loaders::{CompanyById, MembersOf};
use super::{List, connection, loaders, state};
use crate::entities::{alliance, alliance_member};
use crate::error::AppError;
use crate::services::alliance::{self as alliances, ORDER_TAG};

pub struct Alliance(pub alliance::Model);

/// Companies that answer tenders together (the province's Enterprise Alliance): a lead and
/// members, each with a share of the work.
#[Object]
impl Alliance {
    /// Opaque global ID.
    pub async fn id(&self) -> ID {
        ids::encode(Kind::Alliance, self.0.id)
    }

    /// English name.
    async fn name(&self) -> &str {
        &self.0.name_en
    }

    /// Chinese name.
    async fn name_zh(&self) -> &str {
        &self.0.name_zh
    }

    /// The company that leads the alliance and submits its bids.
    async fn lead(&self, ctx: &Context<'_>) -> Result<Company> {
        company(ctx, self.0.lead_company_id).await
    }

    /// All members, the lead included, largest share first.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<AllianceMember>> {
        Ok(loaders(ctx)?
            .load_one(MembersOf(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(AllianceMember)
            .collect())
    }

    /// When the alliance was formed.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

async fn company(ctx: &Context<'_>, id: i64) -> Result<Company> {
    loaders(ctx)?
        .load_one(CompanyById(id))
        .await?
        .map(Company::new)
        .ok_or_else(|| AppError::internal(anyhow::anyhow!("company {id} missing")).into())
}

pub struct AllianceMember(alliance_member::Model);

/// A company's place in an alliance.
#[Object]
impl AllianceMember {
    /// The member company.
    async fn company(&self, ctx: &Context<'_>) -> Result<Company> {
        company(ctx, self.0.company_id).await
    }

    /// Share of the alliance's work, in percent.
    async fn share(&self) -> Decimal {
        Decimal::new(i64::from(self.0.share_basis_points), 2)
    }

    /// Whether the company has accepted its invitation.
    async fn accepted(&self) -> bool {
        self.0.accepted_at.is_some()
    }

    /// When the company accepted; absent while the invitation is pending.
    async fn accepted_at(&self) -> Option<DateTime<Utc>> {
        self.0.accepted_at
    }
}

#[derive(Default)]
pub struct AllianceQuery;

#[Object]
impl AllianceQuery {
    /// Alliances, in the order they were formed.
    #[graphql(
        complexity = "crate::graphql::limits::page_cost(first, child_complexity)",
        cache_control(max_age = 60)
    )]
    async fn alliances(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size, 0 to 100 (default 20).")] first: Option<i32>,
        #[graphql(desc = "The `endCursor` of the previous page.")] after: Option<String>,
    ) -> Result<List<Alliance>> {
        let page = ids::page_request(first, after, |p| p.is_by_id(ORDER_TAG))?;
        let db = &state(ctx).db;
        let found = alliances::list(db, &page).await?;
        Ok(connection(ctx, &page, found, alliances::count(db), Alliance).await?)
    }

    /// One alliance by ID.
    #[graphql(cache_control(max_age = 60))]
    async fn alliance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The alliance's global ID.")] id: ID,
    ) -> Result<Alliance> {
        let number = ids::decode(&id, Kind::Alliance, "id")?;
        alliances::by_ids(&state(ctx).db, &[number])
            .await?
            .remove(&number)
            .map(Alliance)
            .ok_or_else(|| AppError::not_found_id("alliance", id.as_str()).into())
    }
}

/// A member of a proposed alliance and its share of the work.
#[derive(InputObject)]
pub struct AllianceMemberInput {
    /// The member company's global ID.
    company_id: ID,
    /// Share of the work in percent, up to two decimals ("40", "33.33"); shares sum to 100.
    share: Decimal,
}

/// A proposed alliance. The proposing company leads it and must be among the members.
#[derive(InputObject)]
pub struct CreateAllianceInput {
    /// English name.
    name: String,
    /// Chinese name.
    name_zh: String,
    /// Every member with its share, the proposing company included: at least two companies,
    /// each once.
    members: Vec<AllianceMemberInput>,
}

#[derive(Default)]
pub struct AllianceMutation;

#[Object]
impl AllianceMutation {
    /// A company proposes an alliance that it leads. The other members must accept
    /// (`acceptAllianceInvitation`) before the alliance can bid.
    async fn create_alliance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The alliance proposed and its members.")] input: CreateAllianceInput,
    ) -> Result<Alliance> {
        let w = super::writer(ctx);
        w.require_company()?;
        let mut members = Vec::with_capacity(input.members.len());
        for (i, m) in input.members.iter().enumerate() {
            let company = ids::decode(
                &m.company_id,
                Kind::Company,
                &format!("members[{i}].companyId"),
            )?;
            let points = m.share.checked_mul(Decimal::from(100)).ok_or_else(|| {
                AppError::bad_field(format!("members[{i}].share"), "share out of range")
            })?;
            if points.fract() != Decimal::ZERO {
                return Err(AppError::bad_field(
                    format!("members[{i}].share"),
                    "a share has at most two decimals",
                )
                .into());
            }
            let points = points.to_i32().ok_or_else(|| {
                AppError::bad_field(format!("members[{i}].share"), "share out of range")
            })?;
            members.push((company, points));
        }
        let new = alliances::NewAlliance {
            name_en: input.name,
            name_zh: input.name_zh,
            members,
        };
        Ok(Alliance(alliances::create(&w, new).await?))
    }

    /// A member company accepts its invitation to an alliance.
    async fn accept_alliance_invitation(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The alliance's global ID.")] id: ID,
    ) -> Result<Alliance> {
        let w = super::writer(ctx);
        w.require_company()?;
        let number = ids::decode(&id, Kind::Alliance, "id")?;
        Ok(Alliance(alliances::accept(&w, number).await?))
    }
}
