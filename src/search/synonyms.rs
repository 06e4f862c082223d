//! Synonyms the field uses, shared by both engines from one list: each group's members mean
//! the same, in Chinese and English. Members are kept normalised ([`normalize::query`]), as
//! queries are, so `Call Center` and `e-commerce` match their groups as typed.
//!
//! Both engines apply them the same way, on the documents' side: a document carries, beside
//! its texts, the other members of every group its texts contain ([`members_in`],
//! `normalize::text_aliases`), so a query by any member finds it, with no expansion of the
//! query (which multiplied the cost of a query by its alternatives) and no engine-specific
//! synonym rules (Meilisearch's did not match phrases of four words, nor Chinese to English).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::normalize;
use crate::domain::{DistrictCode, ServiceLineFamily};

/// The field's own pairs, beside the service-line families and districts.
const FIELD: &[&[&str]] = &[
    &["服务外包", "service outsourcing"],
    &["外包", "outsourcing"],
    &[
        "移动应用",
        "手机应用",
        "mobile app",
        "mobile apps",
        "app development",
    ],
    &[
        "呼叫中心",
        "客服中心",
        "call centre",
        "call center",
        "contact centre",
        "contact center",
    ],
    &["人力资源", "hr", "human resources"],
    &[
        "数据标注",
        "data labelling",
        "data labeling",
        "data annotation",
    ],
    &["软件开发", "软体开发", "software development"],
    &["软件测试", "software testing"],
    &["动漫", "animation", "cartoon"],
    &["电子商务", "e-commerce"],
    &["物流", "logistics"],
    &["云计算", "cloud computing"],
    &["大数据", "big data"],
    &["人工智能", "artificial intelligence"],
    &["工业设计", "industrial design"],
    &["金融服务", "financial services"],
    &["财务外包", "finance and accounting outsourcing"],
];

/// Every group, normalised: the families (ITO, 信息技术外包, ...), the field's pairs, and each
/// district's English and Chinese names.
pub fn groups() -> &'static [Vec<String>] {
    static GROUPS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    GROUPS.get_or_init(|| {
        let mut groups: Vec<Vec<String>> = ServiceLineFamily::ALL
            .into_iter()
            .map(|family| family.names().iter().map(|n| normalize::query(n)).collect())
            .collect();
        groups.extend(
            FIELD
                .iter()
                .map(|g| g.iter().map(|m| normalize::query(m)).collect()),
        );
        for code in DistrictCode::ALL {
            let (en, zh, _) = code.names();
            groups.push(vec![normalize::query(en), normalize::query(zh)]);
        }
        groups
    })
}

fn index() -> &'static HashMap<String, Vec<String>> {
    static INDEX: OnceLock<HashMap<String, Vec<String>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<String, Vec<String>> = HashMap::new();
        for group in groups() {
            for member in group {
                let others = index.entry(member.clone()).or_default();
                for other in group {
                    if other != member && !others.contains(other) {
                        others.push(other.clone());
                    }
                }
            }
        }
        index
    })
}

/// The alternatives of a normalised word or phrase, itself excluded.
pub fn alternatives(phrase: &str) -> &'static [String] {
    index().get(phrase).map(Vec::as_slice).unwrap_or(&[])
}

/// The synonym members a normalised text contains (a Latin member as whole words, a Chinese
/// one anywhere), found in one pass.
pub fn members_in(text: &str) -> Vec<&'static str> {
    static FINDER: OnceLock<Option<(aho_corasick::AhoCorasick, Vec<String>)>> = OnceLock::new();
    let Some((finder, members)) = FINDER
        .get_or_init(|| {
            let members: Vec<String> = index().keys().cloned().collect();
            aho_corasick::AhoCorasick::new(&members)
                .ok()
                .map(|finder| (finder, members))
        })
        .as_ref()
    else {
        return Vec::new();
    };
    let word = |c: char| c.is_alphanumeric() && !normalize::is_cjk(c);
    let mut found: Vec<&'static str> = Vec::new();
    for m in finder.find_overlapping_iter(text) {
        let member = members[m.pattern().as_usize()].as_str();
        let whole = !member.is_ascii()
            || (text[..m.start()]
                .chars()
                .next_back()
                .is_none_or(|c| !word(c))
                && text[m.end()..].chars().next().is_none_or(|c| !word(c)));
        if whole && !found.contains(&member) {
            found.push(member);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_are_symmetric_and_normalised() {
        assert!(alternatives("call centre").contains(&"呼叫中心".to_owned()));
        assert!(alternatives("呼叫中心").contains(&"call center".to_owned()));
        assert!(alternatives("ecommerce").contains(&"电子商务".to_owned()));
        assert!(alternatives("hr").contains(&"人力资源".to_owned()));
        assert!(alternatives("unknown words").is_empty());
        assert_eq!(
            members_in("nanchang call centre"),
            vec!["nanchang", "call centre"]
        );
        assert_eq!(members_in("hrm tools"), Vec::<&str>::new());
        assert!(members_in("南昌呼叫中心").contains(&"呼叫中心"));
    }
}
