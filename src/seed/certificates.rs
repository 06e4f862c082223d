//! The demo's certificates: which standards are common, who issues and accredits them, and the
//! renewal chains whose 2013 and 2014 issues are the published counts.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::plan::{CertPlan, CompanyPlan, add_years, date};
use super::record::{LEADING, PUBLISHED};
use crate::domain::{CertificationStandard, CertificationStatus};

/// How common each standard is among the province's certificates, in percent.
const STANDARD_WEIGHTS: [(CertificationStandard, u32); 11] = [
    (CertificationStandard::Iso9001, 30),
    (CertificationStandard::CmmiDev, 18),
    (CertificationStandard::IsoIec27001, 15),
    (CertificationStandard::IsoIec20000_1, 8),
    (CertificationStandard::Iso14001, 7),
    (CertificationStandard::CmmiSvc, 5),
    (CertificationStandard::Iso45001, 5),
    (CertificationStandard::PciDss, 3),
    (CertificationStandard::EscmSp, 3),
    (CertificationStandard::Copc, 3),
    (CertificationStandard::Soc2, 3),
];

/// A standard drawn by [`STANDARD_WEIGHTS`].
pub(super) fn pick_standard(rng: &mut ChaCha8Rng) -> CertificationStandard {
    let mut roll = rng.random_range(0..100u32);
    for &(s, w) in &STANDARD_WEIGHTS {
        if roll < w {
            return s;
        }
        roll -= w;
    }
    CertificationStandard::Iso9001
}

/// Who issues a certificate of `standard`, who accredits that issuer, and where the record can
/// be checked.
pub(super) fn issuer(
    standard: CertificationStandard,
    rng: &mut ChaCha8Rng,
) -> (&'static str, Option<&'static str>, &'static str) {
    use CertificationStandard::*;
    match standard {
        CmmiDev | CmmiSvc => (
            "CMMI Institute Certified Lead Appraiser",
            Some("CMMI Institute"),
            "CMMI Institute Published Appraisal Results",
        ),
        PciDss => (
            "Qualified Security Assessor",
            Some("PCI Security Standards Council"),
            "PCI SSC listing",
        ),
        EscmSp => (
            "ITSqc Authorized Lead Evaluator",
            Some("ITSqc"),
            "ITSqc certified organisations",
        ),
        Copc => ("COPC Inc.", None, "COPC certified organisations"),
        Soc2 => (
            "Independent CPA firm",
            Some("AICPA"),
            "SOC 2 Type II report on file",
        ),
        _ => (
            *[
                "China Quality Certification Centre",
                "SGS-CSTC Standards Technical Services",
                "Bureau Veritas Certification (Beijing)",
                "TÜV Rheinland (China)",
                "DNV Business Assurance (China)",
                "BSI Management Systems (Beijing)",
            ]
            .choose(rng)
            .unwrap_or(&"China Quality Certification Centre"),
            Some("CNAS"),
            "IAF CertSearch",
        ),
    }
}

pub(super) fn generate_certifications(
    rng: &mut ChaCha8Rng,
    companies: &[CompanyPlan],
    today: NaiveDate,
) -> Vec<CertPlan> {
    use CertificationStandard::*;
    let [(y13, _, _, _, c13), (y14, _, _, _, c14)] = PUBLISHED;
    // Chains are drawn to a far horizon, independent of the day of loading, so the draws (and
    // the 2013/2014 figures) never change; certificates not yet issued today are dropped below.
    let horizon = date(2100, 12, 31);
    // Chains by first year: the record's 62 and 179, then newcomers every year after.
    let mut chain_starts: Vec<i32> = Vec::new();
    chain_starts.extend(std::iter::repeat_n(y13, c13));
    chain_starts.extend(std::iter::repeat_n(y14, c14));
    for year in 2015..=2025 {
        chain_starts.extend(std::iter::repeat_n(year, rng.random_range(20..45)));
    }
    // Leading companies hold their flagship certificates from the first years.
    let mut held: HashSet<(usize, CertificationStandard)> = HashSet::new();
    let mut certs = Vec::new();
    let mut number = 0u32;
    for (chain, &start) in chain_starts.iter().enumerate() {
        let (company, standard) = if chain < LEADING.len() * 2 {
            let company = chain / 2;
            let standard = if chain % 2 == 0 { CmmiDev } else { Iso9001 };
            (company, standard)
        } else {
            loop {
                let company = if rng.random_range(0..100) < 12 {
                    rng.random_range(0..LEADING.len())
                } else {
                    rng.random_range(0..companies.len())
                };
                let standard = pick_standard(rng);
                if companies[company].founded <= start && held.insert((company, standard)) {
                    break (company, standard);
                }
            }
        };
        held.insert((company, standard));
        let level = standard.has_maturity_level().then(|| {
            if companies[company].leading {
                rng.random_range(3..=5)
            } else {
                *[2i16, 3, 3, 3, 3, 4].choose(rng).unwrap_or(&3)
            }
        });
        let (body, accreditation, source) = issuer(standard, rng);
        let mut issue = date(start, rng.random_range(1..=12), rng.random_range(1..=28));
        loop {
            number += 1;
            let expiry = add_years(issue, 3) - Duration::days(1);
            let renewed = rng.random_range(0..100) < 78;
            let next_issue = expiry - Duration::days(rng.random_range(0..40));
            let last = !renewed || next_issue > horizon;
            let status = if last {
                match rng.random_range(0..100) {
                    0..3 => CertificationStatus::Suspended,
                    3..5 => CertificationStatus::Withdrawn,
                    _ => CertificationStatus::Active,
                }
            } else {
                CertificationStatus::Active
            };
            certs.push(CertPlan {
                company,
                standard,
                level,
                issue,
                expiry,
                status,
                number: format!(
                    "{}-{}-{:06}",
                    standard.label().replace([' ', '/'], ""),
                    issue.year(),
                    number
                ),
                body,
                accreditation,
                source,
            });
            if last {
                break;
            }
            issue = next_issue;
        }
    }
    certs.retain(|c| c.issue <= today);
    certs
}
