//! The demo's companies: the leading companies of the record and the generated ones, with
//! employees and contracts allocated so that each year's totals are the published ones.

use std::collections::{HashMap, HashSet};

use rand::Rng;
use rand::seq::IndexedRandom;
use rand_chacha::ChaCha8Rng;

use super::names::{BRANDS, QUALIFIERS, line_names, trade};
use super::plan::{CompanyPlan, allocate};
use super::record::{DISTRICT_WEIGHTS, LEADING, PARKS, PUBLISHED};
use crate::domain::{DistrictCode, ServiceLine, ServiceLineFamily, Uscc};

/// A generated company's service lines: one to three of a family (ITO most often, then BPO,
/// then KPO), sometimes one more of any family, in order.
pub(super) fn draw_lines(rng: &mut ChaCha8Rng) -> Vec<ServiceLine> {
    let family = match rng.random_range(0..100) {
        0..55 => ServiceLineFamily::Ito,
        55..80 => ServiceLineFamily::Bpo,
        _ => ServiceLineFamily::Kpo,
    };
    let family_lines = family.lines();
    let mut lines: Vec<ServiceLine> = Vec::new();
    for _ in 0..rng.random_range(1..=3) {
        if let Some(&l) = family_lines.choose(rng)
            && !lines.contains(&l)
        {
            lines.push(l);
        }
    }
    if rng.random_range(0..100) < 15 {
        let extra = ServiceLine::ALL[rng.random_range(0..ServiceLine::ALL.len())];
        if !lines.contains(&extra) {
            lines.push(extra);
        }
    }
    lines.sort();
    lines
}

pub(super) fn generate_companies(rng: &mut ChaCha8Rng) -> Vec<CompanyPlan> {
    let [(y13, n13, e13, usd13, _), (y14, n14, e14, usd14, _)] = PUBLISHED;
    let mut companies = Vec::with_capacity(n14);
    let mut serial = 0u32;
    let mut uscc = |rng: &mut ChaCha8Rng, district: DistrictCode| -> String {
        serial += 1;
        let (_, _, division) = district.names();
        let organisation = format!("{:02}{:06}", rng.random_range(10..99), serial);
        Uscc::assemble("91", division, &organisation)
            .map(|u| u.to_string())
            .unwrap_or_default()
    };

    for &(en, zh, lines, founded, _, _, park) in LEADING {
        companies.push(CompanyPlan {
            uscc: uscc(rng, DistrictCode::Nanchang),
            name_en: en.into(),
            name_zh: zh.into(),
            district: DistrictCode::Nanchang,
            park,
            lines: lines.to_vec(),
            founded,
            leading: true,
            description: format!(
                "One of the leading service-outsourcing companies the province names, offering {}. Figures and codes in this demo are illustrative.",
                lines.iter().map(|l| l.name_en()).collect::<Vec<_>>().join(", ")
            ),
            description_zh: format!(
                "全省重点服务外包企业之一，业务涵盖{}。本演示数据中的数字与代码仅作示例。",
                lines.iter().map(|l| l.name_zh()).collect::<Vec<_>>().join("、")
            ),
            // The real companies' own sites and contacts are theirs to publish.
            website: None,
            figures: Vec::new(),
            offshore_share: 45,
        });
    }

    let district_weights: Vec<u64> = DISTRICT_WEIGHTS.iter().map(|&(_, w)| w).collect();
    let generated = n14 - LEADING.len();
    let per_district = allocate(generated as i64, &district_weights);
    let mut used_names = HashSet::new();
    for (&(district, _), &count) in DISTRICT_WEIGHTS.iter().zip(&per_district) {
        let parks: Vec<usize> = PARKS
            .iter()
            .enumerate()
            .filter(|(_, p)| p.district == district)
            .map(|(i, _)| i)
            .collect();
        for _ in 0..count {
            let lines = draw_lines(rng);
            let (trade_en, trade_zh) = trade(lines[0]);
            let (city_en, city_zh, _) = district.names();
            let mut attempt = 0u32;
            let (name_en, name_zh) = loop {
                attempt += 1;
                let (brand_en, brand_zh) = BRANDS[rng.random_range(0..BRANDS.len())];
                let (word_en, word_zh) = QUALIFIERS[rng.random_range(0..QUALIFIERS.len())];
                // Past a few hundred collisions, a branch number keeps names unique.
                let branch = if attempt > 500 {
                    format!(" No. {attempt}")
                } else {
                    String::new()
                };
                let candidate = (
                    format!("{city_en} {brand_en} {word_en} {trade_en}{branch} Co., Ltd."),
                    format!(
                        "{city_zh}{brand_zh}{word_zh}{trade_zh}{}有限公司",
                        branch.trim_start()
                    ),
                );
                if used_names.insert(candidate.0.clone()) {
                    break candidate;
                }
            };
            let park = if !parks.is_empty() && rng.random_range(0..100) < 55 {
                parks.choose(rng).copied()
            } else {
                None
            };
            let (lines_en, lines_zh) = line_names(&lines);
            companies.push(CompanyPlan {
                uscc: uscc(rng, district),
                name_en,
                name_zh,
                district,
                park,
                lines,
                founded: 0,
                leading: false,
                description: format!(
                    "A fictional company of the Ganbridge demo dataset, based in {city_en}, offering {lines_en}."
                ),
                description_zh: format!("Ganbridge演示数据中的虚构企业，位于{city_zh}，业务涵盖{lines_zh}。"),
                website: None,
                figures: Vec::new(),
                offshore_share: rng.random_range(15..80),
            });
        }
    }

    // Which generated companies are new in 2014: the 163 of them that did not report for 2013.
    let newcomers = n14 - n13;
    let mut order: Vec<usize> = (LEADING.len()..companies.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, rng.random_range(0..=i));
    }
    let new_in_2014: HashSet<usize> = order[..newcomers].iter().copied().collect();
    for (i, c) in companies.iter_mut().enumerate().skip(LEADING.len()) {
        c.founded = if new_in_2014.contains(&i) {
            y14
        } else {
            rng.random_range(1998..=2012)
        };
        if c.founded < 2012 && rng.random_range(0..100) < 40 {
            // The reserved `.example` domain (RFC 2606): fictional firms get addresses that
            // can never reach a real one.
            c.website = Some(format!("https://company-{i:04}.example"));
        }
    }

    // Employees in 2014: the leading companies' own, the rest allocated by a heavy-tailed weight
    // over a floor of 8, young companies smaller.
    let leading_2014: i64 = LEADING.iter().map(|l| l.5).sum();
    let floor = 8i64;
    let weights_2014: Vec<u64> = companies[LEADING.len()..]
        .iter()
        .map(|c| {
            let u: f64 = rng.random();
            if c.founded == y14 {
                1 + (u * 30.0) as u64
            } else {
                5 + (u.powi(4) * 900.0) as u64
            }
        })
        .collect();
    let spare = e14 - leading_2014 - floor * generated as i64;
    let employees_2014: Vec<i64> = allocate(spare, &weights_2014)
        .into_iter()
        .map(|e| e + floor)
        .collect();

    // 2013: the continuing companies a little smaller, scaled to the published total exactly.
    let leading_2013: i64 = LEADING.iter().map(|l| l.4).sum();
    let continuing: Vec<usize> = (LEADING.len()..companies.len())
        .filter(|i| !new_in_2014.contains(i))
        .collect();
    let weights_2013: Vec<u64> = continuing
        .iter()
        .map(|&i| (employees_2014[i - LEADING.len()] as u64) * rng.random_range(85..=105))
        .collect();
    let employees_2013 = allocate(e13 - leading_2013, &weights_2013);

    let mut staff: HashMap<(usize, i32), i64> = HashMap::new();
    for (i, l) in LEADING.iter().enumerate() {
        staff.insert((i, y13), l.4);
        staff.insert((i, y14), l.5);
    }
    for (k, &e) in employees_2014.iter().enumerate() {
        staff.insert((LEADING.len() + k, y14), e);
    }
    for (k, &i) in continuing.iter().enumerate() {
        staff.insert((i, y13), employees_2013[k]);
    }

    // Contracts: employees times a productivity that differs by company, scaled exactly.
    let productivity: Vec<u64> = (0..companies.len())
        .map(|_| rng.random_range(60..=140))
        .collect();
    for (year, total) in [(y13, usd13), (y14, usd14)] {
        let reporting: Vec<usize> = (0..companies.len())
            .filter(|&i| staff.contains_key(&(i, year)))
            .collect();
        let weights: Vec<u64> = reporting
            .iter()
            .map(|&i| staff[&(i, year)] as u64 * productivity[i])
            .collect();
        let amounts = allocate(total, &weights);
        for (&i, &usd) in reporting.iter().zip(&amounts) {
            companies[i].figures.push((year, staff[&(i, year)], usd));
        }
    }
    debug_assert_eq!(
        companies
            .iter()
            .filter(|c| c.figures.iter().any(|f| f.0 == y13))
            .count(),
        n13
    );
    companies
}
