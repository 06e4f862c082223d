//! A tender's page: its buyer, value, period, status, eligibility, amendments, and the
//! companies that qualify for it.

use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::company::Link;
use super::format::{date, money};
use super::search::lang_separator;
use super::{Chrome, LineInfo, Named, Rendered, line_name, standard_name};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    tender: Tender,
    service_lines: Vec<LineInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Tender {
    ocid: String,
    ocds_record_url: String,
    title: String,
    title_zh: String,
    description: String,
    description_zh: String,
    status: String,
    service_lines: Vec<String>,
    buyer: Buyer,
    value: Option<super::company::Money>,
    tender_period: Period,
    eligibility: Eligibility,
    amendments: Vec<Amendment>,
    eligible_companies: Companies,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Buyer {
    name: String,
    name_zh: String,
    city: String,
    free_trade_zone_area: Option<Named>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Period {
    start_date: String,
    end_date: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Eligibility {
    certifications: Vec<String>,
    min_employees: Option<i64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Amendment {
    date: String,
    changed_fields: Vec<String>,
    rationale: Option<String>,
}

#[derive(Deserialize)]
struct Companies {
    edges: Vec<CompanyEdge>,
}

#[derive(Deserialize)]
struct CompanyEdge {
    node: CompanyNode,
}

#[derive(Deserialize)]
struct CompanyNode {
    id: String,
    name: String,
    #[serde(rename = "nameZh")]
    name_zh: String,
    headcount: i64,
    district: Named,
}

pub struct AmendmentRow {
    pub date: String,
    pub fields: String,
    pub rationale: String,
}

pub struct CompanyRow {
    pub link: Link,
    pub district: String,
    pub employees: String,
}

#[derive(Template)]
#[template(path = "web/tender.html")]
pub struct TenderPage {
    pub chrome: Chrome,
    pub title: String,
    pub other_title: String,
    pub ocid: String,
    pub record_url: String,
    pub status: String,
    pub buyer: String,
    pub buyer_other: String,
    pub city: String,
    pub ftz_area: Option<String>,
    pub value: String,
    pub period: String,
    pub lines: String,
    pub certificates: String,
    pub min_employees: Option<String>,
    pub description: String,
    pub amendments: Vec<AmendmentRow>,
    pub companies: Vec<CompanyRow>,
}

pub fn page(chrome: Chrome, data: Value) -> super::Result<Rendered> {
    let lang = chrome.lang;
    let t = lang.words();
    let data: Data = serde_json::from_value(data)?;
    let tender = data.tender;
    let titles = Named {
        id: None,
        name: tender.title.clone(),
        name_zh: tender.title_zh.clone(),
    };
    let (title, other_title) = titles.both(lang);
    let buyer = Named {
        id: None,
        name: tender.buyer.name.clone(),
        name_zh: tender.buyer.name_zh.clone(),
    };
    let (buyer, buyer_other) = buyer.both(lang);
    let certificates: Vec<String> = tender
        .eligibility
        .certifications
        .iter()
        .map(|c| standard_name(c))
        .collect();
    let page = TenderPage {
        ocid: tender.ocid,
        record_url: tender.ocds_record_url,
        status: super::status_name(t, &tender.status),
        buyer,
        buyer_other,
        city: tender.buyer.city,
        ftz_area: tender.buyer.free_trade_zone_area.map(|a| a.one(lang)),
        value: tender
            .value
            .map(|v| money(lang, &v.amount, &v.currency))
            .unwrap_or_else(|| t.undisclosed.to_owned()),
        period: format!(
            "{} – {}",
            date(lang, &tender.tender_period.start_date),
            date(lang, &tender.tender_period.end_date)
        ),
        lines: tender
            .service_lines
            .iter()
            .map(|l| line_name(&data.service_lines, lang, l))
            .collect::<Vec<_>>()
            .join(lang_separator(lang)),
        certificates: if certificates.is_empty() {
            t.no_requirement.to_owned()
        } else {
            certificates.join(lang_separator(lang))
        },
        min_employees: tender
            .eligibility
            .min_employees
            .map(|n| lang.at_least_employees(n)),
        description: lang
            .pick(&tender.description, &tender.description_zh)
            .to_owned(),
        amendments: tender
            .amendments
            .iter()
            .map(|a| AmendmentRow {
                date: date(lang, &a.date),
                fields: a.changed_fields.join(", "),
                rationale: a.rationale.clone().unwrap_or_default(),
            })
            .collect(),
        companies: tender
            .eligible_companies
            .edges
            .into_iter()
            .map(|e| {
                let n = e.node;
                let names = Named {
                    id: None,
                    name: n.name,
                    name_zh: n.name_zh,
                };
                CompanyRow {
                    link: Link {
                        href: format!("/companies/{}", n.id),
                        text: names.one(lang),
                    },
                    district: n.district.one(lang),
                    employees: super::format::integer(n.headcount),
                }
            })
            .collect(),
        title: title.clone(),
        other_title,
        chrome: chrome.titled(title),
    };
    super::render(&page)
}
