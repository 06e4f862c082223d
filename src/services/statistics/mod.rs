//! The industry's yearly statistics, read from the rollups the writes keep ([`super::rollup`]), and the
//! targets the Department follows them against ([`targets`]).
//!
//! For a year Y, in a scope (the province, a district, a park, a service-line family):
//! - *companies* are the companies of the scope that recorded figures for Y (a company counts in
//!   the district and park it belongs to now, and in each family it has a line of);
//! - *employees*, *contract amount*, *executed amount* and their *offshore* parts are the sums
//!   of those figures;
//! - *new certificates* are the verified international certificates with an issue date in Y,
//!   whatever became of them later;
//! - *tenders* (province only): tenders published in Y and awarded in Y, and bids submitted in Y
//!   and not withdrawn, in Jiangxi time.
//!
//! Growth is the change over Y-1 in percent, rounded half-up to two decimals; it is absent when
//! Y-1 has no figures to compare with, and (but for new certificates) when no company of the
//! scope has recorded figures for Y yet. Reading a year costs one indexed range read of its rows
//! and the previous year's, however many companies there are.

pub mod targets;

use std::collections::{BTreeMap, HashMap};

use rust_decimal::{Decimal, RoundingStrategy};
use sea_orm::DatabaseConnection;

use crate::domain::ServiceLineFamily;
use crate::error::{AppError, AppResult};

use super::rollup::{self, Family, Rollups, Scope, Totals};

/// The longest series one request may ask for, in years.
pub const MAX_SERIES_YEARS: i64 = 50;

/// A year's figures, for the province or one scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Figures {
    pub companies: i64,
    pub employees: i64,
    pub contract_amount_usd_cents: i64,
    pub contract_offshore_usd_cents: i64,
    pub executed_amount_usd_cents: i64,
    pub executed_offshore_usd_cents: i64,
    pub new_certificates: i64,
}

impl From<Totals> for Figures {
    fn from(t: Totals) -> Self {
        Figures {
            companies: t.companies,
            employees: t.employees,
            contract_amount_usd_cents: t.contract_usd_cents,
            contract_offshore_usd_cents: t.contract_offshore_usd_cents,
            executed_amount_usd_cents: t.executed_usd_cents,
            executed_offshore_usd_cents: t.executed_offshore_usd_cents,
            new_certificates: t.new_certificates,
        }
    }
}

/// `part` as a percentage of `whole`, rounded half-up to two decimals; absent when `whole` is 0.
pub fn share(part: i64, whole: i64) -> Option<Decimal> {
    if whole == 0 {
        return None;
    }
    let share = Decimal::from(part) * Decimal::ONE_HUNDRED / Decimal::from(whole);
    Some(share.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
}

/// Growth over the previous year, in percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Growth {
    pub companies: Option<Decimal>,
    pub employees: Option<Decimal>,
    pub contract_amount: Option<Decimal>,
    pub executed_amount: Option<Decimal>,
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
        // A year no company of the scope has recorded figures for (yet) is not a fall to zero.
        let reported = current.companies > 0;
        let recorded = |current: i64, previous: i64| {
            if reported {
                percent_change(current, previous)
            } else {
                None
            }
        };
        Growth {
            companies: recorded(current.companies, previous.companies),
            employees: recorded(current.employees, previous.employees),
            contract_amount: recorded(
                current.contract_amount_usd_cents,
                previous.contract_amount_usd_cents,
            ),
            executed_amount: recorded(
                current.executed_amount_usd_cents,
                previous.executed_amount_usd_cents,
            ),
            new_certificates: percent_change(current.new_certificates, previous.new_certificates),
        }
    }
}

/// A scope's figures for the year, and for the year before (for growth and targets).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct YearStatistics {
    pub figures: Figures,
    pub previous: Figures,
}

impl YearStatistics {
    /// Absent when the previous year has no figures at all.
    pub fn growth(&self) -> Option<Growth> {
        (self.previous != Figures::default())
            .then(|| Growth::between(&self.figures, &self.previous))
    }
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

#[derive(Debug, Clone)]
pub struct Statistics {
    pub year: i32,
    pub province: YearStatistics,
    /// The year's demand, province-wide.
    pub tenders: TenderFigures,
    /// Per district id, for every district with figures in either year.
    pub districts: HashMap<i64, YearStatistics>,
    /// Per park id, for every park with figures in either year, in id order.
    pub parks: BTreeMap<i64, YearStatistics>,
    /// Per family: always all three.
    pub families: Vec<(ServiceLineFamily, YearStatistics)>,
}

fn statistics_of(year: i32, rollups: &Rollups) -> Statistics {
    let get = |y: i32, scope: Scope| rollups.get(&(y, scope)).copied().unwrap_or_default();
    let both = |scope: Scope| YearStatistics {
        figures: get(year, scope).into(),
        previous: get(year.saturating_sub(1), scope).into(),
    };
    let mut districts = HashMap::new();
    let mut parks = BTreeMap::new();
    for &(y, scope) in rollups.keys() {
        if y != year && y != year.saturating_sub(1) {
            continue;
        }
        match scope {
            Scope::District(id) => {
                districts.entry(id).or_insert_with(|| both(scope));
            }
            Scope::Park(id) => {
                parks.entry(id).or_insert_with(|| both(scope));
            }
            Scope::Province | Scope::Family(_) => {}
        }
    }
    let province = get(year, Scope::Province);
    Statistics {
        year,
        province: both(Scope::Province),
        tenders: TenderFigures {
            published: province.tenders_published,
            awarded: province.tenders_awarded,
            bids: province.bids,
        },
        districts,
        parks,
        families: Family::ALL
            .into_iter()
            .map(|f| (f, both(Scope::Family(Family(f)))))
            .collect(),
    }
}

/// The statistics of `year`, for the province and per district, park and family. A year
/// without records has zero figures.
pub async fn for_year(db: &DatabaseConnection, year: i32) -> AppResult<Statistics> {
    let rollups = rollup::read(db, Some((year.saturating_sub(1), year))).await?;
    Ok(statistics_of(year, &rollups))
}

/// The statistics of each year from `from` to `to`, both included, in one read.
pub async fn series(db: &DatabaseConnection, from: i32, to: i32) -> AppResult<Vec<Statistics>> {
    if to < from {
        return Err(AppError::bad_field(
            "to",
            format!("`to` ({to}) must not come before `from` ({from})"),
        ));
    }
    let years = i64::from(to) - i64::from(from) + 1;
    if years > MAX_SERIES_YEARS {
        return Err(AppError::bad_field(
            "to",
            format!(
                "a series spans at most {MAX_SERIES_YEARS} years; {from} to {to} is {years} years"
            ),
        ));
    }
    let rollups = rollup::read(db, Some((from.saturating_sub(1), to))).await?;
    Ok((from..=to).map(|y| statistics_of(y, &rollups)).collect())
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

    #[test]
    fn shares_are_percentages_of_the_whole() {
        assert_eq!(share(1, 3).map(|d| d.to_string()), Some("33.33".into()));
        assert_eq!(share(2, 3).map(|d| d.to_string()), Some("66.67".into()));
        assert_eq!(share(0, 0), None);
    }
}
