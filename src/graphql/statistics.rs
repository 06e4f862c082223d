//! The industry's yearly statistics in the API: a year's figures for the province and by
//! district, park and service-line family, series of years for charts, and the targets the
//! Department follows them against. Every figure is read from the rollups the writes keep, so a
//! year costs the same at a thousand companies as at a hundred thousand.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use rust_decimal::Decimal;

use super::ids::{self, Kind};
use super::park::Park;
use super::reference::District;
use super::state;
use crate::domain::{DistrictCode, ServiceLineFamily};
use crate::entities::park;
use crate::services::park as parks;
use crate::services::statistics::targets::{self, Target, TargetFigure};
use crate::services::statistics::{
    self as stats, Figures as DomainFigures, Growth as DomainGrowth, YearStatistics,
};

fn usd(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// A year's figures in one scope: the province, a district, a park or a service-line family.
/// A company counts in the district and park it is registered in now and in each family it
/// has a line of; the same company's figures therefore appear in one district, at most one
/// park, and one to three families.
#[derive(SimpleObject)]
pub struct Figures {
    /// Companies that recorded figures for the year: every company of the scope with a yearly
    /// figures record (kept by the Department of Commerce) for that year, whatever its size.
    companies: i64,
    /// Employees of those companies, as recorded for the year.
    employees: i64,
    /// Service-outsourcing contracts those companies signed in the year, in US dollars.
    contract_amount_usd: Decimal,
    /// The part of `contractAmountUsd` signed with clients abroad (offshore), in US dollars.
    contract_offshore_usd: Decimal,
    /// Contract value those companies executed (delivered) in the year, in US dollars.
    executed_amount_usd: Decimal,
    /// The part of `executedAmountUsd` executed for clients abroad, in US dollars.
    executed_offshore_usd: Decimal,
    /// `contractOffshoreUsd` as a share of `contractAmountUsd`, in percent rounded half-up to
    /// two decimals; absent when nothing was contracted.
    contract_offshore_share: Option<Decimal>,
    /// `executedOffshoreUsd` as a share of `executedAmountUsd`, in percent rounded half-up to
    /// two decimals; absent when nothing was executed.
    executed_offshore_share: Option<Decimal>,
    /// Verified international certificates (CMMI, ISO 9001, ISO/IEC 27001, ...) of the scope's
    /// companies issued in the year: the certificate's issue date decides its year, not the
    /// date it was submitted or verified; a certificate not yet verified, or rejected, does not
    /// count, and a later suspension or withdrawal does not take it out of its year.
    new_certificates: i64,
}

impl From<DomainFigures> for Figures {
    fn from(f: DomainFigures) -> Self {
        Figures {
            companies: f.companies,
            employees: f.employees,
            contract_amount_usd: usd(f.contract_amount_usd_cents),
            contract_offshore_usd: usd(f.contract_offshore_usd_cents),
            executed_amount_usd: usd(f.executed_amount_usd_cents),
            executed_offshore_usd: usd(f.executed_offshore_usd_cents),
            contract_offshore_share: stats::share(
                f.contract_offshore_usd_cents,
                f.contract_amount_usd_cents,
            ),
            executed_offshore_share: stats::share(
                f.executed_offshore_usd_cents,
                f.executed_amount_usd_cents,
            ),
            new_certificates: f.new_certificates,
        }
    }
}

/// Change over the previous year, in percent, rounded half-up to two decimals. A figure is
/// absent when the previous year's is zero; all but `newCertificates` are absent too while no
/// company of the scope has recorded figures for the year (a year not yet reported is not a
/// fall to zero).
#[derive(SimpleObject)]
pub struct Growth {
    /// Change in the number of companies that recorded figures.
    companies: Option<Decimal>,
    /// Change in employees.
    employees: Option<Decimal>,
    /// Change in the contract amount.
    contract_amount: Option<Decimal>,
    /// Change in the executed amount.
    executed_amount: Option<Decimal>,
    /// Change in new international certificates.
    new_certificates: Option<Decimal>,
}

impl From<DomainGrowth> for Growth {
    fn from(g: DomainGrowth) -> Self {
        Growth {
            companies: g.companies,
            employees: g.employees,
            contract_amount: g.contract_amount,
            executed_amount: g.executed_amount,
            new_certificates: g.new_certificates,
        }
    }
}

/// The figures a target can be set for.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum StatisticsFigure {
    /// Companies that recorded figures for the year.
    Companies,
    /// Their employees.
    Employees,
}

impl From<StatisticsFigure> for TargetFigure {
    fn from(f: StatisticsFigure) -> Self {
        match f {
            StatisticsFigure::Companies => TargetFigure::Companies,
            StatisticsFigure::Employees => TargetFigure::Employees,
        }
    }
}

impl From<TargetFigure> for StatisticsFigure {
    fn from(f: TargetFigure) -> Self {
        match f {
            TargetFigure::Companies => StatisticsFigure::Companies,
            TargetFigure::Employees => StatisticsFigure::Employees,
        }
    }
}

/// A target the Department of Commerce set for a figure, province-wide or for one district:
/// a level to exceed and a yearly growth to reach. It holds from its year until a target for
/// the same figure and scope set for a later year replaces it.
#[derive(SimpleObject)]
pub struct StatisticsTarget {
    /// The target's global ID.
    id: ID,
    /// The figure the target is for.
    figure: StatisticsFigure,
    /// The district it is set for; absent for the province's own.
    district: Option<District>,
    /// The year it is set for: it holds from then on.
    year: i32,
    /// The level the figure is to exceed (the Opinions: more than 3,000 companies, more than
    /// 300,000 employees).
    level: i64,
    /// The growth to reach each year, in percent (the Opinions: 25 for companies, 20 for
    /// employees).
    annual_growth_percent: Decimal,
}

impl StatisticsTarget {
    fn new(ctx: &Context<'_>, t: &Target) -> Result<Self> {
        Ok(StatisticsTarget {
            id: ids::encode(Kind::StatisticsTarget, t.id),
            figure: t.figure.into(),
            district: t.district_id.map(|d| District::by_id(ctx, d)).transpose()?,
            year: t.year,
            level: t.level,
            annual_growth_percent: t.growth_percent,
        })
    }
}

/// Where a year stands against the target in force for it.
#[derive(SimpleObject)]
pub struct TargetProgress {
    /// The target in force: for its figure and scope, the one set for the latest year not
    /// after this one.
    target: StatisticsTarget,
    /// The figure.
    figure: StatisticsFigure,
    /// The year.
    year: i32,
    /// The figure in the year.
    actual: i64,
    /// The target's level.
    level: i64,
    /// What is still missing: the level less the actual figure (zero or less once exceeded).
    gap: i64,
    /// The actual figure is more than the level.
    reached: bool,
    /// The year's growth over the previous year, in percent rounded half-up to two decimals;
    /// absent when the previous year's figure is zero, or while no company of the scope has
    /// recorded figures for the year.
    growth_percent: Option<Decimal>,
    /// The yearly growth the target asks for, in percent.
    required_growth_percent: Decimal,
    /// The year's growth reached the target's rate; absent with `growthPercent`.
    growth_met: Option<bool>,
}

fn progress(
    ctx: &Context<'_>,
    targets: &[Target],
    district: Option<i64>,
    year: i32,
    s: &YearStatistics,
) -> Result<Vec<TargetProgress>> {
    targets::progress(targets, district, year, &s.figures, &s.previous)
        .into_iter()
        .map(|p| {
            Ok(TargetProgress {
                target: StatisticsTarget::new(ctx, &p.target)?,
                figure: p.target.figure.into(),
                year: p.year,
                actual: p.actual,
                level: p.target.level,
                gap: p.gap,
                reached: p.reached,
                growth_percent: p.growth_percent,
                required_growth_percent: p.target.growth_percent,
                growth_met: p.growth_met,
            })
        })
        .collect()
}

/// One district's figures for the year.
#[derive(SimpleObject)]
pub struct DistrictStatistics {
    /// The district.
    district: District,
    #[graphql(flatten)]
    figures: Figures,
    /// Change over the previous year; absent when the district had no figures then.
    growth: Option<Growth>,
    /// The district's own targets in force for the year (none unless one was set for it).
    targets: Vec<TargetProgress>,
}

/// One park's figures for the year.
#[derive(SimpleObject)]
pub struct ParkStatistics {
    /// The park.
    park: Park,
    #[graphql(flatten)]
    figures: Figures,
    /// Change over the previous year; absent when the park had no figures then.
    growth: Option<Growth>,
}

/// One service-line family's figures for the year.
#[derive(SimpleObject)]
pub struct ServiceLineFamilyStatistics {
    /// The family (ITO, BPO or KPO).
    family: ServiceLineFamily,
    #[graphql(flatten)]
    figures: Figures,
    /// Change over the previous year; absent when the family had no figures then.
    growth: Option<Growth>,
}

/// Demand posted through the platform in a year (Jiangxi time), and its answers.
#[derive(SimpleObject)]
pub struct TenderStatistics {
    /// Tenders opened for answers in the year (by their publication date).
    published: i64,
    /// Tenders awarded in the year (by the date of the award).
    awarded: i64,
    /// Bids submitted in the year and not withdrawn.
    bids: i64,
}

/// What the resolvers of one request share: the targets and the parks, read once.
#[derive(Default)]
struct Shared {
    targets: Vec<Target>,
    parks: HashMap<i64, park::Model>,
}

/// The province's service-outsourcing figures for one year, read from the rollups kept by
/// every write.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Statistics {
    /// The year the figures are for.
    year: i32,
    #[graphql(flatten)]
    figures: Figures,
    /// Change over the previous year; absent when there are no figures for it.
    growth: Option<Growth>,
    /// Demand posted through the platform in the year, and its answers.
    tenders: TenderStatistics,
    #[graphql(skip)]
    inner: stats::Statistics,
    #[graphql(skip)]
    shared: Arc<Shared>,
}

impl Statistics {
    fn new(inner: stats::Statistics, shared: Arc<Shared>) -> Self {
        Statistics {
            year: inner.year,
            figures: inner.province.figures.into(),
            growth: inner.province.growth().map(Growth::from),
            tenders: TenderStatistics {
                published: inner.tenders.published,
                awarded: inner.tenders.awarded,
                bids: inner.tenders.bids,
            },
            inner,
            shared,
        }
    }
}

#[ComplexObject]
impl Statistics {
    /// The same figures for each of the 11 districts, with the district's targets.
    async fn districts(&self, ctx: &Context<'_>) -> Result<Vec<DistrictStatistics>> {
        state(ctx)
            .reference
            .districts
            .iter()
            .map(|d| {
                let year = self.inner.districts.get(&d.id).copied().unwrap_or_default();
                Ok(DistrictStatistics {
                    district: District(d.clone()),
                    figures: year.figures.into(),
                    growth: year.growth().map(Growth::from),
                    targets: progress(ctx, &self.shared.targets, Some(d.id), self.year, &year)?,
                })
            })
            .collect()
    }

    /// The same figures for each park with figures in the year or the year before, in the
    /// order the parks were registered.
    async fn parks(&self) -> Vec<ParkStatistics> {
        self.inner
            .parks
            .iter()
            .filter_map(|(id, year)| {
                Some(ParkStatistics {
                    park: Park(self.shared.parks.get(id)?.clone()),
                    figures: year.figures.into(),
                    growth: year.growth().map(Growth::from),
                })
            })
            .collect()
    }

    /// The same figures for each service-line family (ITO, BPO, KPO). A company with lines in
    /// two families counts in both, so the families add up to more than the province.
    async fn service_line_families(&self) -> Vec<ServiceLineFamilyStatistics> {
        self.inner
            .families
            .iter()
            .map(|(family, year)| ServiceLineFamilyStatistics {
                family: *family,
                figures: year.figures.into(),
                growth: year.growth().map(Growth::from),
            })
            .collect()
    }

    /// The province's targets in force for the year, with where the year stands against each.
    async fn targets(&self, ctx: &Context<'_>) -> Result<Vec<TargetProgress>> {
        progress(
            ctx,
            &self.shared.targets,
            None,
            self.year,
            &self.inner.province,
        )
    }
}

/// Reads what the selection asks for beyond the rollups: the targets and the parks' records.
async fn shared(ctx: &Context<'_>, years: &[stats::Statistics]) -> Result<Arc<Shared>> {
    let here = ctx.look_ahead();
    let db = &state(ctx).db;
    let mut shared = Shared::default();
    if here.field("targets").exists() || here.field("districts").field("targets").exists() {
        shared.targets = targets::list(db).await?;
    }
    if here.field("parks").exists() {
        let ids: BTreeSet<i64> = years.iter().flat_map(|s| s.parks.keys().copied()).collect();
        let ids: Vec<i64> = ids.into_iter().collect();
        if !ids.is_empty() {
            shared.parks = parks::by_ids(db, &ids).await?;
        }
    }
    Ok(Arc::new(shared))
}

#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// The industry's figures for a year: province-wide and by district, park and service-line
    /// family, with growth over the previous year and the targets in force. A year without
    /// records (before they start, or to come) has zero figures, not an error.
    #[graphql(cache_control(max_age = 300))]
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar year, e.g. 2024.")] year: i32,
    ) -> Result<Statistics> {
        let inner = stats::for_year(&state(ctx).db, year).await?;
        let shared = shared(ctx, std::slice::from_ref(&inner)).await?;
        Ok(Statistics::new(inner, shared))
    }

    /// The same figures for each year from `from` to `to` (both included, at most 50 years),
    /// oldest first, for charts; read in one go.
    #[graphql(cache_control(max_age = 300))]
    async fn statistics_series(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The first year.")] from: i32,
        #[graphql(desc = "The last year, not before `from` and at most 49 years after it.")]
        to: i32,
    ) -> Result<Vec<Statistics>> {
        let years = stats::series(&state(ctx).db, from, to).await?;
        let shared = shared(ctx, &years).await?;
        Ok(years
            .into_iter()
            .map(|s| Statistics::new(s, shared.clone()))
            .collect())
    }

    /// Every target the Department of Commerce has set, by figure, scope and year.
    #[graphql(cache_control(max_age = 300))]
    async fn statistics_targets(&self, ctx: &Context<'_>) -> Result<Vec<StatisticsTarget>> {
        targets::list(&state(ctx).db)
            .await?
            .iter()
            .map(|t| StatisticsTarget::new(ctx, t))
            .collect()
    }
}

/// A target to set.
#[derive(InputObject)]
pub struct SetStatisticsTargetInput {
    /// The figure.
    figure: StatisticsFigure,
    /// The district; absent (or null) for the province.
    district: Option<DistrictCode>,
    /// The year the target is set for, from 2000 to 50 years ahead; it holds from then on.
    year: i32,
    /// The level to exceed, zero or more.
    level: i64,
    /// The growth to reach each year, in percent (e.g. "25"), zero or more, two decimals at
    /// most.
    annual_growth_percent: Decimal,
}

#[derive(Default)]
pub struct StatisticsMutation;

#[Object]
impl StatisticsMutation {
    /// The Department of Commerce sets a target, or replaces the one set for the same figure,
    /// scope and year.
    async fn set_statistics_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The target.")] input: SetStatisticsTargetInput,
    ) -> Result<StatisticsTarget> {
        let w = super::writer(ctx);
        w.require_admin()?;
        let district_id = input
            .district
            .map(|d| super::district_id(ctx, d))
            .transpose()?;
        let target = targets::set(
            &w,
            targets::NewTarget {
                figure: input.figure.into(),
                district_id,
                year: input.year,
                level: input.level,
                growth_percent: input.annual_growth_percent,
            },
        )
        .await?;
        StatisticsTarget::new(ctx, &target)
    }

    /// The Department of Commerce removes a target; answers its ID.
    async fn remove_statistics_target(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The target's global ID.")] id: ID,
    ) -> Result<ID> {
        let w = super::writer(ctx);
        w.require_admin()?;
        let number = ids::decode(&id, Kind::StatisticsTarget, "id")?;
        targets::remove(&w, number).await?;
        Ok(id)
    }
}
