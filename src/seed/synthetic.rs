//! Synthetic datasets at scale, for benchmarks: N companies spread over the districts and parks
//! as the demo's are, with one to three service lines, one to six certificates, figures for the
//! five years before today, N/10 tenders from the demo's buyers, and N/100 alliances. The same
//! N always gives the same data. Nothing here pretends to match a published figure.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::certificates::{issuer, pick_standard};
use super::companies::draw_lines;
use super::names::{BRANDS, QUALIFIERS, line_names, trade};
use super::plan::{AlliancePlan, CertPlan, CompanyPlan, Plan, SEED, add_years, allocate, date};
use super::record::{DISTRICT_WEIGHTS, PARKS};
use super::tenders::generate_tenders;
use crate::domain::{CertificationStandard, CertificationStatus, Uscc};

/// Companies a synthetic dataset may hold, exclusive: the unified social credit codes are built
/// from a six-digit serial.
pub(super) const MAX_COMPANIES: usize = 1_000_000;

/// How many certificates a company holds: one to six, fewer more often.
const HOLDINGS: [u64; 6] = [35, 25, 18, 11, 7, 4];

pub(super) fn plan(n: usize, today: NaiveDate) -> Plan {
    let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ n as u64);
    let companies = companies(&mut rng, n, today);
    let certifications = certifications(&mut rng, &companies, today);
    let tenders = generate_tenders(&mut rng, today, (n / 10).max(1));
    let alliances = alliances(&mut rng, &companies, n / 100);
    Plan {
        companies,
        certifications,
        tenders,
        alliances,
    }
}

fn companies(rng: &mut ChaCha8Rng, n: usize, today: NaiveDate) -> Vec<CompanyPlan> {
    let district_weights: Vec<u64> = DISTRICT_WEIGHTS.iter().map(|&(_, w)| w).collect();
    let per_district = allocate(n as i64, &district_weights);
    let last_year = today.year() - 1;
    let mut used_names = HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    for (&(district, _), &count) in DISTRICT_WEIGHTS.iter().zip(&per_district) {
        let parks: Vec<usize> = PARKS
            .iter()
            .enumerate()
            .filter(|(_, p)| p.district == district)
            .map(|(i, _)| i)
            .collect();
        let (city_en, city_zh, division) = district.names();
        for _ in 0..count {
            let serial = out.len() + 1;
            let lines = draw_lines(rng);
            let (trade_en, trade_zh) = trade(lines[0]);
            // A few draws for a fresh name, then a branch number keeps it unique.
            let mut name = None;
            for attempt in 0..8 {
                let (brand_en, brand_zh) = BRANDS[rng.random_range(0..BRANDS.len())];
                let (word_en, word_zh) = QUALIFIERS[rng.random_range(0..QUALIFIERS.len())];
                let (suffix_en, suffix_zh) = if attempt < 7 {
                    (String::new(), String::new())
                } else {
                    (format!(" No. {serial}"), format!("{serial}号"))
                };
                let candidate = (
                    format!("{city_en} {brand_en} {word_en} {trade_en}{suffix_en} Co., Ltd."),
                    format!("{city_zh}{brand_zh}{word_zh}{trade_zh}{suffix_zh}有限公司"),
                );
                if used_names.insert(candidate.0.clone()) {
                    name = Some(candidate);
                    break;
                }
            }
            let Some((name_en, name_zh)) = name else {
                continue;
            };
            let organisation = format!("{:02}{:06}", rng.random_range(10..99), serial);
            let uscc = Uscc::assemble("91", division, &organisation)
                .map(|u| u.to_string())
                .unwrap_or_default();
            let founded = rng.random_range(1998..=last_year);
            // Heavy-tailed headcount: most firms are small, a few employ thousands.
            let u: f64 = rng.random();
            let mut employees = 8 + (u.powi(4) * 2_500.0) as i64;
            let productivity = rng.random_range(60..=140);
            let mut figures = Vec::new();
            for year in (last_year - 4..=last_year).rev() {
                if year < founded {
                    break;
                }
                figures.push((year, employees, employees * productivity * 300));
                employees = (employees * rng.random_range(85..=100) / 100).max(5);
            }
            figures.reverse();
            let (lines_en, lines_zh) = line_names(&lines);
            out.push(CompanyPlan {
                uscc,
                name_en,
                name_zh,
                district,
                park: (!parks.is_empty() && rng.random_range(0..100) < 55)
                    .then(|| parks.choose(rng).copied())
                    .flatten(),
                lines,
                founded,
                leading: rng.random_range(0..1_000) < 5,
                description: format!(
                    "A fictional company of a Ganbridge synthetic dataset, based in {city_en}, offering {lines_en}."
                ),
                description_zh: format!(
                    "Ganbridge合成数据中的虚构企业，位于{city_zh}，业务涵盖{lines_zh}。"
                ),
                website: (rng.random_range(0..100) < 40)
                    .then(|| format!("https://company-{serial:06}.example")),
                figures,
                offshore_share: rng.random_range(15..80),
            });
        }
    }
    out
}

fn certifications(
    rng: &mut ChaCha8Rng,
    companies: &[CompanyPlan],
    today: NaiveDate,
) -> Vec<CertPlan> {
    let mut certs = Vec::with_capacity(companies.len() * 2);
    for (company, c) in companies.iter().enumerate() {
        let mut roll = rng.random_range(0..HOLDINGS.iter().sum::<u64>());
        let mut holdings = 1;
        for (k, &w) in HOLDINGS.iter().enumerate() {
            if roll < w {
                holdings = k + 1;
                break;
            }
            roll -= w;
        }
        let mut standards: Vec<CertificationStandard> = Vec::with_capacity(holdings);
        while standards.len() < holdings {
            let s = pick_standard(rng);
            if !standards.contains(&s) {
                standards.push(s);
            }
        }
        for standard in standards {
            // Most are in force today; some lapsed a few years ago.
            let days_ago = if rng.random_range(0..100) < 85 {
                rng.random_range(10..1_060)
            } else {
                rng.random_range(1_100..2_000)
            };
            let issue = (today - Duration::days(days_ago))
                .max(date(c.founded, 1, 1))
                .min(today);
            let expiry = add_years(issue, 3) - Duration::days(1);
            let (body, accreditation, source) = issuer(standard, rng);
            let level = standard
                .has_maturity_level()
                .then(|| rng.random_range(2..=5));
            let status = match rng.random_range(0..100) {
                0..2 => CertificationStatus::Suspended,
                2..4 => CertificationStatus::Withdrawn,
                _ => CertificationStatus::Active,
            };
            certs.push(CertPlan {
                company,
                standard,
                level,
                issue,
                expiry,
                status,
                number: format!(
                    "{}-{}-S{:07}",
                    standard.label().replace([' ', '/'], ""),
                    issue.year(),
                    certs.len() + 1
                ),
                body,
                accreditation,
                source,
            });
        }
    }
    certs
}

fn alliances(rng: &mut ChaCha8Rng, companies: &[CompanyPlan], count: usize) -> Vec<AlliancePlan> {
    let mut out = Vec::with_capacity(count);
    for i in 0..count {
        let size = rng.random_range(2..=4);
        let mut members: Vec<usize> = Vec::with_capacity(size);
        while members.len() < size {
            let m = rng.random_range(0..companies.len());
            if !members.contains(&m) {
                members.push(m);
            }
        }
        let weights: Vec<u64> = (0..size).map(|_| rng.random_range(1..=5)).collect();
        let shares = allocate(10_000, &weights);
        let lead = &companies[members[0]];
        let (trade_en, trade_zh) = trade(lead.lines[0]);
        let (city_en, city_zh, _) = lead.district.names();
        out.push((
            format!("{city_en} {trade_en} Alliance No. {}", i + 1),
            format!("{city_zh}{trade_zh}联盟{}号", i + 1),
            members
                .into_iter()
                .zip(shares)
                .map(|(m, s)| (m, s as i32))
                .collect(),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::plan;
    use crate::domain::Uscc;
    use crate::seed::plan::{Plan, date};

    #[test]
    fn the_same_size_gives_the_same_data_with_the_promised_spread() {
        let today = date(2026, 11, 27);
        let a = plan(2_000, today);
        let b = plan(2_000, today);
        assert_eq!(a.companies.len(), 2_000);
        assert_eq!(a.tenders.len(), 200);
        assert_eq!(a.alliances.len(), 20);
        let names = |p: &Plan| {
            p.companies
                .iter()
                .map(|c| c.name_en.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(&a), names(&b));
        assert_eq!(a.certifications.len(), b.certifications.len());

        let unique: HashSet<_> = a.companies.iter().map(|c| &c.uscc).collect();
        assert_eq!(unique.len(), 2_000);
        assert!(a.companies.iter().all(|c| Uscc::parse(&c.uscc).is_ok()));
        let unique: HashSet<_> = a.companies.iter().map(|c| &c.name_en).collect();
        assert_eq!(unique.len(), 2_000);

        let mut held = vec![0usize; a.companies.len()];
        for c in &a.certifications {
            held[c.company] += 1;
            assert!(c.issue <= today);
        }
        assert!(held.iter().all(|&h| (1..=6).contains(&h)), "{held:?}");
        assert!(held.contains(&6));
        assert!(a.companies.iter().all(
            |c| c.figures.len() <= 5 && c.figures.iter().all(|f| (2021..=2025).contains(&f.0))
        ));
        assert!(a.companies.iter().filter(|c| c.figures.len() == 5).count() > 1_000);
        for (_, _, members) in &a.alliances {
            assert_eq!(members.iter().map(|m| m.1).sum::<i32>(), 10_000);
        }
    }
}
