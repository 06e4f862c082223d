//! The statistics rollups: each year's totals per scope (the province, each district, each park,
//! each service-line family), kept in `statistics_rollup` by the writes that change them.
//!
//! What a record adds to the totals is decided in one place, [`attribute`] and
//! [`attribute_tender`]: a company's figures for a year count once in every scope the company
//! belongs to, and so do its verified certificates in the year of issue; a tender counts in the
//! year it was published and, once complete, in the year it was awarded; a bid that was not
//! withdrawn counts in the year it was submitted. Both the incremental path and the full
//! recomputation go through those two functions.
//!
//! A write tracks the companies and tenders it is about to change ([`Tracker`], held by the
//! write's [`Tx`](crate::services::write::Tx)): tracking locks the row (on PostgreSQL) and reads
//! what the record contributes now; at commit the tracker reads it again and adds the difference
//! to the rollups in one upsert (`ON CONFLICT DO UPDATE SET x = x + excluded.x`), in the same
//! transaction. The row lock makes every writer of one company or tender take turns, so its
//! before and after are consistent; the upsert is atomic per row, so concurrent writers of
//! different records never lose an increment; and the rows are upserted in key order, so two
//! writers never wait on each other in a circle.
//!
//! [`track`] holds the incremental path, [`rebuild`] the full recomputation, its check and its
//! rebuild; this module the shapes both share and the read of the kept totals.

mod rebuild;
mod track;

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::{BidStatus, CHINA_STANDARD_TIME, ServiceLineFamily, TenderStatus};
use crate::entities::{company_figures, statistics_rollup};
use crate::error::{AppError, AppResult};

pub use rebuild::{
    Difference, differences, ensure, rebuild, rebuild_all, rebuilt_at, recompute, verify,
};
pub use track::{Subject, Tracker};

/// Where a total is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    Province,
    District(i64),
    Park(i64),
    Family(Family),
}

/// A service-line family, ordered as stored (1 ITO, 2 BPO, 3 KPO).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Family(pub ServiceLineFamily);

impl Family {
    pub const ALL: [ServiceLineFamily; 3] = [
        ServiceLineFamily::Ito,
        ServiceLineFamily::Bpo,
        ServiceLineFamily::Kpo,
    ];

    fn member(self) -> i64 {
        match self.0 {
            ServiceLineFamily::Ito => 1,
            ServiceLineFamily::Bpo => 2,
            ServiceLineFamily::Kpo => 3,
        }
    }

    fn from_member(member: i64) -> Option<Family> {
        Family::ALL
            .into_iter()
            .map(Family)
            .find(|f| f.member() == member)
    }
}

impl PartialOrd for Family {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Family {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.member().cmp(&other.member())
    }
}

impl Scope {
    /// The stored scope name and member.
    pub fn column(self) -> (&'static str, i64) {
        match self {
            Scope::Province => ("province", 0),
            Scope::District(id) => ("district", id),
            Scope::Park(id) => ("park", id),
            Scope::Family(f) => ("family", f.member()),
        }
    }

    pub fn from_column(scope: &str, member: i64) -> Option<Scope> {
        match scope {
            "province" => Some(Scope::Province),
            "district" => Some(Scope::District(member)),
            "park" => Some(Scope::Park(member)),
            "family" => Family::from_member(member).map(Scope::Family),
            _ => None,
        }
    }
}

/// A year's totals in one scope.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Companies that reported figures for the year.
    pub companies: i64,
    pub employees: i64,
    pub contract_usd_cents: i64,
    pub contract_offshore_usd_cents: i64,
    pub executed_usd_cents: i64,
    pub executed_offshore_usd_cents: i64,
    /// Verified international certificates issued in the year.
    pub new_certificates: i64,
    /// Kept in the province's scope only, as are the two below.
    pub tenders_published: i64,
    pub tenders_awarded: i64,
    pub bids: i64,
}

impl Totals {
    fn zip(self, other: Totals, op: impl Fn(i64, i64) -> i64) -> Totals {
        Totals {
            companies: op(self.companies, other.companies),
            employees: op(self.employees, other.employees),
            contract_usd_cents: op(self.contract_usd_cents, other.contract_usd_cents),
            contract_offshore_usd_cents: op(
                self.contract_offshore_usd_cents,
                other.contract_offshore_usd_cents,
            ),
            executed_usd_cents: op(self.executed_usd_cents, other.executed_usd_cents),
            executed_offshore_usd_cents: op(
                self.executed_offshore_usd_cents,
                other.executed_offshore_usd_cents,
            ),
            new_certificates: op(self.new_certificates, other.new_certificates),
            tenders_published: op(self.tenders_published, other.tenders_published),
            tenders_awarded: op(self.tenders_awarded, other.tenders_awarded),
            bids: op(self.bids, other.bids),
        }
    }

    pub fn plus(self, other: Totals) -> Totals {
        self.zip(other, i64::saturating_add)
    }

    pub fn minus(self, other: Totals) -> Totals {
        self.zip(other, i64::saturating_sub)
    }

    pub fn is_zero(&self) -> bool {
        *self == Totals::default()
    }

    fn from_row(row: &statistics_rollup::Model) -> Totals {
        Totals {
            companies: row.companies,
            employees: row.employees,
            contract_usd_cents: row.contract_usd_cents,
            contract_offshore_usd_cents: row.contract_offshore_usd_cents,
            executed_usd_cents: row.executed_usd_cents,
            executed_offshore_usd_cents: row.executed_offshore_usd_cents,
            new_certificates: row.new_certificates,
            tenders_published: row.tenders_published,
            tenders_awarded: row.tenders_awarded,
            bids: row.bids,
        }
    }

    fn row(self, year: i32, scope: Scope) -> statistics_rollup::ActiveModel {
        let (name, member) = scope.column();
        statistics_rollup::ActiveModel {
            year: Set(year),
            scope: Set(name.to_owned()),
            member: Set(member),
            companies: Set(self.companies),
            employees: Set(self.employees),
            contract_usd_cents: Set(self.contract_usd_cents),
            contract_offshore_usd_cents: Set(self.contract_offshore_usd_cents),
            executed_usd_cents: Set(self.executed_usd_cents),
            executed_offshore_usd_cents: Set(self.executed_offshore_usd_cents),
            new_certificates: Set(self.new_certificates),
            tenders_published: Set(self.tenders_published),
            tenders_awarded: Set(self.tenders_awarded),
            bids: Set(self.bids),
        }
    }
}

/// Totals by year and scope, in key order.
pub type Rollups = BTreeMap<(i32, Scope), Totals>;

fn add(rollups: &mut Rollups, key: (i32, Scope), totals: Totals) {
    let entry = rollups.entry(key).or_default();
    *entry = entry.plus(totals);
}

/// Where a company counts: the province, its district, its park, the families of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub district: i64,
    pub park: Option<i64>,
    pub line_mask: i64,
}

impl Place {
    fn scopes(&self) -> Vec<Scope> {
        let mut scopes = vec![Scope::Province, Scope::District(self.district)];
        scopes.extend(self.park.map(Scope::Park));
        scopes.extend(
            Family::ALL
                .into_iter()
                .filter(|&f| self.line_mask & super::lines::family_mask(f) != 0)
                .map(|f| Scope::Family(Family(f))),
        );
        scopes
    }
}

/// One year's figures of a company, as they count.
fn figures_totals(f: &company_figures::Model) -> Totals {
    Totals {
        companies: 1,
        employees: i64::from(f.employees),
        contract_usd_cents: f.contract_amount_usd_cents,
        contract_offshore_usd_cents: f.contract_offshore_usd_cents,
        executed_usd_cents: f.executed_amount_usd_cents,
        executed_offshore_usd_cents: f.executed_offshore_usd_cents,
        ..Totals::default()
    }
}

/// What a company adds: each year's figures, and each verified certificate in its year of issue,
/// in every scope of its place.
pub fn attribute(
    place: &Place,
    figures: &[company_figures::Model],
    certificates_issued: &[NaiveDate],
    out: &mut Rollups,
) {
    let scopes = place.scopes();
    for f in figures {
        let totals = figures_totals(f);
        for &scope in &scopes {
            add(out, (f.year, scope), totals);
        }
    }
    let one = Totals {
        new_certificates: 1,
        ..Totals::default()
    };
    for issued in certificates_issued {
        for &scope in &scopes {
            add(out, (issued.year(), scope), one);
        }
    }
}

/// The year of a moment in Jiangxi.
pub fn year_in_jiangxi(at: DateTime<Utc>) -> i32 {
    at.with_timezone(&CHINA_STANDARD_TIME).year()
}

/// What a tender adds, province-wide: itself in the year it was published, and in the year it
/// was awarded once complete (its last change: an awarded tender changes no more); each bid not
/// withdrawn in the year it was submitted.
pub fn attribute_tender(
    published_at: Option<DateTime<Utc>>,
    status: TenderStatus,
    updated_at: DateTime<Utc>,
    bids: &[(DateTime<Utc>, BidStatus)],
    out: &mut Rollups,
) {
    if let Some(at) = published_at {
        let one = Totals {
            tenders_published: 1,
            ..Totals::default()
        };
        add(out, (year_in_jiangxi(at), Scope::Province), one);
    }
    if status == TenderStatus::Complete {
        let one = Totals {
            tenders_awarded: 1,
            ..Totals::default()
        };
        add(out, (year_in_jiangxi(updated_at), Scope::Province), one);
    }
    let one = Totals {
        bids: 1,
        ..Totals::default()
    };
    for (submitted, status) in bids {
        if *status != BidStatus::Withdrawn {
            add(out, (year_in_jiangxi(*submitted), Scope::Province), one);
        }
    }
}

/// The kept totals of the years `from..=to` (every year when absent).
pub async fn read<C: ConnectionTrait>(conn: &C, years: Option<(i32, i32)>) -> AppResult<Rollups> {
    let mut select = statistics_rollup::Entity::find();
    if let Some((from, to)) = years {
        select = select.filter(statistics_rollup::Column::Year.between(from, to));
    }
    let rows = select.all(conn).await?;
    let mut out = Rollups::new();
    for row in rows {
        let scope = Scope::from_column(&row.scope, row.member).ok_or_else(|| {
            AppError::internal(anyhow::anyhow!(
                "statistics rollup with an unknown scope {:?} {}",
                row.scope,
                row.member
            ))
        })?;
        let totals = Totals::from_row(&row);
        if !totals.is_zero() {
            out.insert((row.year, scope), totals);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ServiceLine;

    #[test]
    fn a_company_counts_once_in_each_of_its_scopes() {
        let place = Place {
            district: 7,
            park: Some(3),
            line_mask: crate::services::lines::line_mask([
                ServiceLine::SoftwareDevelopment,
                ServiceLine::SoftwareTesting,
                ServiceLine::DataAnalytics,
            ]),
        };
        let figures = company_figures::Model {
            company_id: 1,
            year: 2014,
            contract_amount_usd_cents: 100,
            contract_offshore_usd_cents: 40,
            executed_amount_usd_cents: 90,
            executed_offshore_usd_cents: 30,
            employees: 12,
        };
        let issued = [NaiveDate::from_ymd_opt(2013, 5, 1).expect("a date")];
        let mut out = Rollups::new();
        attribute(&place, &[figures], &issued, &mut out);
        let scopes = [
            Scope::Province,
            Scope::District(7),
            Scope::Park(3),
            Scope::Family(Family(ServiceLineFamily::Ito)),
            Scope::Family(Family(ServiceLineFamily::Kpo)),
        ];
        for scope in scopes {
            assert_eq!(out[&(2014, scope)].companies, 1, "{scope:?}");
            assert_eq!(out[&(2014, scope)].employees, 12);
            assert_eq!(out[&(2013, scope)].new_certificates, 1);
        }
        assert_eq!(out.len(), 10, "two lines of one family count once: {out:?}");
    }

    #[test]
    fn a_tender_counts_in_jiangxi_years() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().expect("a time");
        let mut out = Rollups::new();
        // 16:30 UTC on New Year's Eve is already the new year in Jiangxi.
        attribute_tender(
            Some(at("2024-12-31T16:30:00Z")),
            TenderStatus::Complete,
            at("2025-03-01T00:00:00Z"),
            &[
                (at("2025-01-02T00:00:00Z"), BidStatus::Awarded),
                (at("2025-01-03T00:00:00Z"), BidStatus::Withdrawn),
            ],
            &mut out,
        );
        let y2025 = out[&(2025, Scope::Province)];
        assert_eq!(
            (y2025.tenders_published, y2025.tenders_awarded, y2025.bids),
            (1, 1, 1)
        );
        assert_eq!(out.len(), 1);
    }
}
