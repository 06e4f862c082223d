//! Synonyms the field uses, shared by both engines: each group's members mean the same.

use crate::domain::{DistrictCode, ServiceLineFamily};

/// Groups of equivalent words and phrases (lower case).
pub fn groups() -> Vec<Vec<String>> {
    let mut groups: Vec<Vec<String>> = ServiceLineFamily::ALL
        .into_iter()
        .map(|family| family.names().iter().map(|n| n.to_lowercase()).collect())
        .collect();
    groups.push(vec!["服务外包".into(), "service outsourcing".into()]);
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
