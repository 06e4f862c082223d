//! The industry's yearly statistics, computed from the records, never stored.
//!
//! For a year Y:
//! - *companies* are the companies that reported figures for Y;
//! - *employees* and *contract amount* are the sums of those figures;
//! - *new certificates* are the verified international certificates issued in Y.
//!
//! Growth is the change over Y-1 in percent, rounded half-up to two decimals; it is absent when
//! Y-1 has no figures to compare with.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Func, Query};
use sea_orm::{ConnectionTrait, DatabaseConnection, Iden};

use crate::domain::VerificationStatus;
use crate::entities::{certification, company, company_figures};
use crate::error::{AppError, AppResult};

/// The four headline figures of one year, for the province or one district.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub companies: i64,
    pub employees: i64,
    pub contract_amount_usd_cents: i64,
    pub new_certificates: i64,
}

impl Figures {
    fn add(&mut self, other: &Figures) {
        self.companies += other.companies;
        self.employees += other.employees;
        self.contract_amount_usd_cents += other.contract_amount_usd_cents;
        self.new_certificates += other.new_certificates;
    }
}

/// Growth over the previous year, in percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Growth {
    pub companies: Option<Decimal>,
    pub employees: Option<Decimal>,
    pub contract_amount: Option<Decimal>,
    pub new_certificates: Option<Decimal>,
}

/// Percentage change from `previous` to `current`, rounded half-up to two decimals.
pub fn percent_change(current: i64, previous: i64) -> Option<Decimal> {
    if previous == 0 {
        return None;
    }
    let change = (Decimal::from(current) - Decimal::from(previous)) * Decimal::ONE_HUNDRED
        / Decimal::from(previous);
    Some(change.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

impl Growth {
    fn between(current: &Figures, previous: &Figures) -> Self {
        Growth {
            companies: percent_change(current.companies, previous.companies),
            employees: percent_change(current.employees, previous.employees),
            contract_amount: percent_change(
                current.contract_amount_usd_cents,
                previous.contract_amount_usd_cents,
            ),
            new_certificates: percent_change(current.new_certificates, previous.new_certificates),
        }
    }
}

#[derive(Debug, Clone)]
pub struct YearStatistics {
    pub year: i32,
    pub figures: Figures,
    /// Absent when the previous year has no figures at all.
    pub growth: Option<Growth>,
}

#[derive(Debug, Clone)]
pub struct Statistics {
    pub province: YearStatistics,
    /// The year's demand, province-wide.
    pub tenders: TenderFigures,
    /// Per district id, for every district that has figures in either year.
    pub districts: HashMap<i64, YearStatistics>,
}

type Key = (i32, i64); // (year, district id)

/// The parts of a year's statistics a caller asked for: the others are not computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    /// Certificates issued (in the year, and the year before when `growth` is asked).
    pub certificates: bool,
    /// The previous year's figures, for growth.
    pub growth: bool,
    /// The year's tenders and bids.
    pub tenders: bool,
}

async fn figures_by_district(
    db: &DatabaseConnection,
    year: i32,
    with_previous: bool,
) -> AppResult<HashMap<Key, Figures>> {
    let years = if with_previous {
        vec![year - 1, year]
    } else {
        vec![year]
    };
    let f = company_figures::Entity;
    let c = company::Entity;
    let query = Query::select()
        .column((f, company_figures::Column::Year))
        .column((c, company::Column::DistrictId))
        .expr_as(
            Expr::col((f, company_figures::Column::CompanyId)).count(),
            Alias::new("companies"),
        )
        .expr_as(
            Func::cast_as(
                Func::sum(Expr::col((f, company_figures::Column::Employees))),
                Alias::new("BIGINT"),
            ),
            Alias::new("employees"),
        )
        .expr_as(
            Func::cast_as(
                Func::sum(Expr::col((
                    f,
                    company_figures::Column::ContractAmountUsdCents,
                ))),
                Alias::new("BIGINT"),
            ),
            Alias::new("contract"),
        )
        .from(f)
        .inner_join(
            c,
            Expr::col((c, company::Column::Id)).equals((f, company_figures::Column::CompanyId)),
        )
        .and_where(Expr::col((f, company_figures::Column::Year)).is_in(years))
        .group_by_col((f, company_figures::Column::Year))
        .group_by_col((c, company::Column::DistrictId))
        .to_owned();
    let rows = db.query_all(&query).await?;
    let mut map = HashMap::new();
    for row in rows {
        let year: i32 = row.try_get("", &company_figures::Column::Year.to_string())?;
        let district: i64 = row.try_get("", &company::Column::DistrictId.to_string())?;
        let figures = Figures {
            companies: row.try_get("", "companies")?,
            employees: row.try_get::<Option<i64>>("", "employees")?.unwrap_or(0),
            contract_amount_usd_cents: row.try_get::<Option<i64>>("", "contract")?.unwrap_or(0),
            new_certificates: 0,
        };
        map.insert((year, district), figures);
    }
    Ok(map)
}

async fn certificates_by_district(
    db: &DatabaseConnection,
    year: i32,
) -> AppResult<HashMap<Key, i64>> {
    let date = |y: i32| {
        NaiveDate::from_ymd_opt(y, 1, 1)
            .ok_or_else(|| AppError::bad_field("year", "year out of range"))
    };
    let (start_previous, start, end) = (date(year - 1)?, date(year)?, date(year + 1)?);
    let cert = certification::Entity;
    let c = company::Entity;
    let issued = Expr::col((cert, certification::Column::IssueDate));
    // The year of issue, without engine-specific date functions: dates compare as dates on both.
    let issue_year = Expr::case(issued.clone().gte(start), year).finally(year - 1);
    let query = Query::select()
        .expr_as(issue_year, Alias::new("issue_year"))
        .column((c, company::Column::DistrictId))
        .expr_as(
            Expr::col((cert, certification::Column::Id)).count(),
            Alias::new("certificates"),
        )
        .from(cert)
        .inner_join(
            c,
            Expr::col((c, company::Column::Id)).equals((cert, certification::Column::CompanyId)),
        )
        .and_where(
            Expr::col((cert, certification::Column::Verification)).eq(VerificationStatus::Verified),
        )
        .and_where(issued.clone().gte(start_previous))
        .and_where(issued.lt(end))
        .group_by_col(Alias::new("issue_year"))
        .group_by_col((c, company::Column::DistrictId))
        .to_owned();
    let rows = db.query_all(&query).await?;
    let mut map = HashMap::new();
    for row in rows {
        let issue_year: i32 = row.try_get("", "issue_year")?;
        let district: i64 = row.try_get("", &company::Column::DistrictId.to_string())?;
        map.insert((issue_year, district), row.try_get("", "certificates")?);
    }
    Ok(map)
}

/// Demand posted and answered in a year (in Jiangxi time).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TenderFigures {
    /// Tenders opened for answers in the year.
    pub published: i64,
    /// Tenders awarded in the year.
    pub awarded: i64,
    /// Bids submitted in the year and not withdrawn.
    pub bids: i64,
}

async fn tender_figures(db: &DatabaseConnection, year: i32) -> AppResult<TenderFigures> {
    use crate::domain::{BidStatus, CHINA_STANDARD_TIME, TenderStatus};
    use crate::entities::{bid, tender};
    use chrono::TimeZone;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let start_of = |y: i32| {
        CHINA_STANDARD_TIME
            .with_ymd_and_hms(y, 1, 1, 0, 0, 0)
            .single()
            .map(|t| t.with_timezone(&chrono::Utc))
            .ok_or_else(|| AppError::bad_field("year", format!("year {y} is out of range")))
    };
    let (from, to) = (start_of(year)?, start_of(year + 1)?);
    let published = tender::Entity::find()
        .filter(tender::Column::PublishedAt.gte(from))
        .filter(tender::Column::PublishedAt.lt(to))
        .count(db)
        .await?;
    // A tender changes no more once awarded: its last change is its award.
    let awarded = tender::Entity::find()
        .filter(tender::Column::Status.eq(TenderStatus::Complete))
        .filter(tender::Column::UpdatedAt.gte(from))
        .filter(tender::Column::UpdatedAt.lt(to))
        .count(db)
        .await?;
    let bids = bid::Entity::find()
        .filter(bid::Column::Status.ne(BidStatus::Withdrawn))
        .filter(bid::Column::SubmittedAt.gte(from))
        .filter(bid::Column::SubmittedAt.lt(to))
        .count(db)
        .await?;
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(TenderFigures {
        published: count(published),
        awarded: count(awarded),
        bids: count(bids),
    })
}

/// The statistics of `year`, for the province and per district: the `parts` asked for, the
/// rest left at zero (growth absent, tenders zero).
pub async fn for_year(db: &DatabaseConnection, year: i32, parts: Parts) -> AppResult<Statistics> {
    if !(1949..=9998).contains(&year) {
        return Err(AppError::bad_field(
            "year",
            format!("year {year} is out of range"),
        ));
    }
    // Growth compares every figure, certificates included: asking for it needs them all.
    let certificates = parts.certificates || parts.growth;
    let mut by_key = figures_by_district(db, year, parts.growth).await?;
    if certificates {
        for (key, count) in certificates_by_district(db, year).await? {
            if parts.growth || key.0 == year {
                by_key.entry(key).or_default().new_certificates = count;
            }
        }
    }
    let mut province = (Figures::default(), Figures::default());
    let mut districts: HashMap<i64, (Figures, Figures)> = HashMap::new();
    for ((y, district), figures) in &by_key {
        let entry = districts.entry(*district).or_default();
        if *y == year {
            province.0.add(figures);
            entry.0.add(figures);
        } else {
            province.1.add(figures);
            entry.1.add(figures);
        }
    }
    let stats = |current: Figures, previous: Figures| YearStatistics {
        year,
        figures: current,
        growth: (parts.growth && previous != Figures::default())
            .then(|| Growth::between(&current, &previous)),
    };
    Ok(Statistics {
        tenders: if parts.tenders {
            tender_figures(db, year).await?
        } else {
            TenderFigures::default()
        },
        province: stats(province.0, province.1),
        districts: districts
            .into_iter()
            .map(|(d, (cur, prev))| (d, stats(cur, prev)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_growth_rates_follow_from_the_published_figures() {
        let pct = |c, p| percent_change(c, p).unwrap().to_string();
        assert_eq!(pct(1_056, 893), "18.25");
        assert_eq!(pct(116_000, 108_098), "7.31");
        assert_eq!(pct(141_700_000_000, 138_311_371_400), "2.45");
        assert_eq!(pct(179, 62), "188.71");
        assert_eq!(percent_change(5, 0), None);
    }
}
