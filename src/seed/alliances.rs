//! The demo's alliances: small firms around a larger lead, by service line.

use super::plan::{AlliancePlan, CompanyPlan};
use crate::domain::ServiceLine;

pub(super) fn generate_alliances(companies: &[CompanyPlan]) -> Vec<AlliancePlan> {
    // Small firms around a larger lead, as the province's Enterprise Alliance intends.
    let by_line = |line: ServiceLine, skip: usize, take: usize| -> Vec<usize> {
        companies
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.leading && c.lines.contains(&line))
            .skip(skip)
            .take(take)
            .map(|(i, _)| i)
            .collect()
    };
    let mut alliances = Vec::new();
    let plans = [
        (
            "Nanchang Software Export Alliance",
            "南昌软件出口联盟",
            0usize,
            ServiceLine::SoftwareDevelopment,
            vec![5000, 3000, 2000],
        ),
        (
            "Jiangxi Contact Centre Alliance",
            "江西呼叫中心联盟",
            2,
            ServiceLine::CallCentre,
            vec![4000, 3500, 2500],
        ),
        (
            "Jiangxi Animation Co-production Alliance",
            "江西动漫联合制作联盟",
            4,
            ServiceLine::AnimationAndCreativeDesign,
            vec![6000, 4000],
        ),
        (
            "Poyang Data Services Alliance",
            "鄱阳数据服务联盟",
            usize::MAX,
            ServiceLine::DataProcessing,
            vec![4000, 3000, 2000, 1000],
        ),
    ];
    for (en, zh, lead, line, shares) in plans {
        let mut members = Vec::new();
        let others = by_line(line, 3, shares.len());
        let mut participants = Vec::new();
        if lead != usize::MAX {
            participants.push(lead);
        }
        participants.extend(others);
        for (company, share) in participants.into_iter().zip(shares) {
            members.push((company, share));
        }
        if members.len() >= 2 {
            alliances.push((en.to_owned(), zh.to_owned(), members));
        }
    }
    alliances
}
