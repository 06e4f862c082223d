//! The plan: everything decided in memory first, deterministically (one fixed seed), then
//! written. The exact allocation here is what makes the generated figures add up to the
//! published ones.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::domain::{
    CertificationStandard, CertificationStatus, DistrictCode, ServiceLine, TenderStatus,
};

pub(super) const SEED: u64 = 0x6761_6e62_7269_6467; // "ganbridg"

pub(super) struct CompanyPlan {
    pub(super) uscc: String,
    pub(super) name_en: String,
    pub(super) name_zh: String,
    pub(super) district: DistrictCode,
    pub(super) park: Option<usize>,
    pub(super) lines: Vec<ServiceLine>,
    pub(super) founded: i32,
    pub(super) leading: bool,
    pub(super) description: String,
    pub(super) description_zh: String,
    pub(super) website: Option<String>,
    /// (year, employees, contract USD)
    pub(super) figures: Vec<(i32, i64, i64)>,
    pub(super) offshore_share: u32,
}

pub(super) struct CertPlan {
    pub(super) company: usize,
    pub(super) standard: CertificationStandard,
    pub(super) level: Option<i16>,
    pub(super) issue: NaiveDate,
    pub(super) expiry: NaiveDate,
    pub(super) status: CertificationStatus,
    pub(super) number: String,
    pub(super) body: &'static str,
    pub(super) accreditation: Option<&'static str>,
    pub(super) source: &'static str,
}

pub(super) struct TenderPlan {
    pub(super) template: usize,
    pub(super) counterpart: usize,
    pub(super) status: TenderStatus,
    pub(super) start: DateTime<Utc>,
    pub(super) end: DateTime<Utc>,
    pub(super) value: Option<(i64, &'static str)>,
    pub(super) required: Vec<CertificationStandard>,
    pub(super) min_employees: Option<i32>,
}

/// English name, Chinese name, members (company index, share in basis points), lead first.
pub(super) type AlliancePlan = (String, String, Vec<(usize, i32)>);

pub(super) struct Plan {
    pub(super) companies: Vec<CompanyPlan>,
    pub(super) certifications: Vec<CertPlan>,
    pub(super) tenders: Vec<TenderPlan>,
    pub(super) alliances: Vec<AlliancePlan>,
}

/// Splits `total` in proportion to integer weights, exactly: floors first, then the largest
/// remainders get one more (ties to the earlier index).
pub fn allocate(total: i64, weights: &[u64]) -> Vec<i64> {
    let sum: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    if sum == 0 || total <= 0 {
        return vec![0; weights.len()];
    }
    let total = total as u128;
    let mut shares: Vec<i64> = weights
        .iter()
        .map(|&w| (total * u128::from(w) / sum) as i64)
        .collect();
    let mut remainders: Vec<(u128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, &w)| (total * u128::from(w) % sum, i))
        .collect();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let short = total as i64 - shares.iter().sum::<i64>();
    for &(_, i) in remainders.iter().take(short as usize) {
        shares[i] += 1;
    }
    shares
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

pub(super) fn add_years(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() + years)
        .unwrap_or_else(|| d + Duration::days(365 * i64::from(years)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::domain::Uscc;
    use crate::seed::record::PUBLISHED;

    #[test]
    fn allocation_is_exact_and_proportional() {
        let shares = allocate(100, &[1, 1, 1]);
        assert_eq!(shares, vec![34, 33, 33]);
        assert_eq!(
            allocate(1_417_000_000, &[3, 5, 7, 11]).iter().sum::<i64>(),
            1_417_000_000
        );
    }

    #[test]
    fn the_plan_reproduces_the_published_figures() {
        let plan = Plan::generate(date(2026, 11, 26));
        for (year, companies, employees, usd, certificates) in PUBLISHED {
            let reporting: Vec<_> = plan
                .companies
                .iter()
                .filter_map(|c| c.figures.iter().find(|f| f.0 == year))
                .collect();
            assert_eq!(reporting.len(), companies);
            assert_eq!(reporting.iter().map(|f| f.1).sum::<i64>(), employees);
            assert_eq!(reporting.iter().map(|f| f.2).sum::<i64>(), usd);
            assert_eq!(
                plan.certifications
                    .iter()
                    .filter(|c| c.issue.year() == year)
                    .count(),
                certificates
            );
        }
        let codes: HashSet<_> = plan.companies.iter().map(|c| c.uscc.clone()).collect();
        assert_eq!(codes.len(), plan.companies.len());
        assert!(codes.iter().all(|c| Uscc::parse(c).is_ok()));
    }
}
