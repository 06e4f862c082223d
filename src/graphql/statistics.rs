//! The industry's yearly statistics in the API.

use async_graphql::{Context, Object, Result, SimpleObject};
use rust_decimal::Decimal;

use super::reference::District;
use super::state;
use crate::services::statistics::{self as stats, Figures, Growth as DomainGrowth};

/// Change over the previous year, in percent, rounded to two decimals. A figure is absent when
/// the previous year's is zero.
#[derive(SimpleObject)]
pub struct Growth {
    /// Change in the number of reporting companies.
    companies: Option<Decimal>,
    /// Change in employees.
    employees: Option<Decimal>,
    /// Change in the contract amount.
    contract_amount: Option<Decimal>,
    /// Change in new international certificates.
    new_certificates: Option<Decimal>,
}

impl From<DomainGrowth> for Growth {
    fn from(g: DomainGrowth) -> Self {
        Growth {
            companies: g.companies,
            employees: g.employees,
            contract_amount: g.contract_amount,
            new_certificates: g.new_certificates,
        }
    }
}

/// One district's figures for the year.
#[derive(SimpleObject)]
pub struct DistrictStatistics {
    /// The district.
    district: District,
    /// Companies that reported figures for the year.
    companies: i64,
    /// Employees of those companies at the end of the year.
    employees: i64,
    /// Contracts signed in the year, in US dollars.
    contract_amount_usd: Decimal,
    /// International certificates issued in the year.
    new_certificates: i64,
    /// Change over the previous year; absent when the district had no figures then.
    growth: Option<Growth>,
}

pub struct Statistics(stats::Statistics);

fn usd(cents: i64) -> Decimal {
    Decimal::new(cents, 2)
}

/// The province's service-outsourcing figures for one year, computed from the records.
#[Object]
impl Statistics {
    /// The year the figures are for.
    async fn year(&self) -> i32 {
        self.0.province.year
    }

    /// Companies that reported figures for the year.
    async fn companies(&self) -> i64 {
        self.0.province.figures.companies
    }

    /// Employees of those companies at the end of the year.
    async fn employees(&self) -> i64 {
        self.0.province.figures.employees
    }

    /// Contracts signed in the year, in US dollars.
    async fn contract_amount_usd(&self) -> Decimal {
        usd(self.0.province.figures.contract_amount_usd_cents)
    }

    /// International certificates issued in the year.
    async fn new_certificates(&self) -> i64 {
        self.0.province.figures.new_certificates
    }

    /// Change over the previous year; absent when there are no figures for it.
    async fn growth(&self) -> Option<Growth> {
        self.0.province.growth.map(Growth::from)
    }

    /// Demand posted through the platform in the year, and its answers.
    async fn tenders(&self) -> TenderStatistics {
        TenderStatistics {
            published: self.0.tenders.published,
            awarded: self.0.tenders.awarded,
            bids: self.0.tenders.bids,
        }
    }

    /// The same figures for each of the 11 districts.
    async fn districts(&self, ctx: &Context<'_>) -> Vec<DistrictStatistics> {
        state(ctx)
            .reference
            .districts
            .iter()
            .map(|d| {
                let year = self.0.districts.get(&d.id);
                let figures = year.map(|y| y.figures).unwrap_or_default();
                let Figures {
                    companies,
                    employees,
                    contract_amount_usd_cents,
                    new_certificates,
                } = figures;
                DistrictStatistics {
                    district: District(d.clone()),
                    companies,
                    employees,
                    contract_amount_usd: usd(contract_amount_usd_cents),
                    new_certificates,
                    growth: year.and_then(|y| y.growth).map(Growth::from),
                }
            })
            .collect()
    }
}

#[derive(Default)]
pub struct StatisticsQuery;

#[Object]
impl StatisticsQuery {
    /// The industry's figures for a year, province-wide and by district, with growth over the
    /// previous year.
    #[graphql(cache_control(max_age = 300))]
    async fn statistics(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The calendar year, e.g. 2024; a year without records has zero figures.")]
        year: i32,
    ) -> Result<Statistics> {
        // Only what the query selects is computed: each part is a scan of its own.
        let here = ctx.look_ahead();
        let districts = here.field("districts");
        let asks = |name: &str| here.field(name).exists() || districts.field(name).exists();
        let parts = stats::Parts {
            certificates: asks("newCertificates"),
            growth: asks("growth"),
            tenders: here.field("tenders").exists(),
        };
        Ok(Statistics(
            stats::for_year(&state(ctx).db, year, parts).await?,
        ))
    }
}

/// Demand posted through the platform in a year (Jiangxi time), and its answers.
#[derive(async_graphql::SimpleObject)]
pub struct TenderStatistics {
    /// Tenders opened for answers in the year.
    published: i64,
    /// Tenders awarded in the year.
    awarded: i64,
    /// Bids submitted in the year and not withdrawn.
    bids: i64,
}
