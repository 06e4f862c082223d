//! Synonyms the field uses, shared by both engines: each group's members mean the same.

use crate::domain::DistrictCode;

/// Groups of equivalent words and phrases (lower case).
pub fn groups() -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = [
        &["ito", "information technology outsourcing", "信息技术外包"][..],
        &["bpo", "business process outsourcing", "业务流程外包"],
        &["kpo", "knowledge process outsourcing", "知识流程外包"],
        &["服务外包", "service outsourcing"],
    ]
    .iter()
    .map(|g| g.iter().map(|s| s.to_string()).collect())
    .collect();
    for code in DistrictCode::ALL {
        let (en, zh, _) = code.names();
        groups.push(vec![en.to_lowercase(), zh.to_owned()]);
    }
    groups
}

/// The alternatives of a word or phrase, itself excluded.
pub fn alternatives(phrase: &str) -> Vec<String> {
    let phrase = phrase.to_lowercase();
    groups()
        .into_iter()
        .filter(|g| g.contains(&phrase))
        .flat_map(|g| g.into_iter().filter(|m| *m != phrase).collect::<Vec<_>>())
        .collect()
}
