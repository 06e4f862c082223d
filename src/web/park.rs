//! A park's page: what it is, its policies, its totals and its companies.

use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::company::Link;
use super::search::lang_separator;
use super::{Chrome, LineInfo, Named, Rendered, line_name, safe_link};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    park: Park,
    service_lines: Vec<LineInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Park {
    id: String,
    name: String,
    name_zh: String,
    level: String,
    description: String,
    preferential_policies: String,
    focus_industries: Vec<String>,
    website: Option<String>,
    established_year: Option<i32>,
    district: Named,
    totals: Totals,
    companies: Companies,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Totals {
    companies: i64,
    employees: i64,
    leading_companies: i64,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Companies {
    page_info: PageInfo,
    edges: Vec<Edge>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PageInfo {
    has_next_page: bool,
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Edge {
    node: Company,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Company {
    id: String,
    name: String,
    name_zh: String,
    headcount: i64,
    leading: bool,
    service_lines: Vec<String>,
}

pub struct CompanyRow {
    pub link: Link,
    pub other: String,
    pub employees: String,
    pub lines: String,
    pub leading: bool,
}

#[derive(Template)]
#[template(path = "web/park.html")]
pub struct ParkPage {
    pub chrome: Chrome,
    pub name: String,
    pub other_name: String,
    pub level: String,
    pub district: String,
    pub established: Option<i32>,
    pub website: Option<String>,
    pub focus: String,
    pub description: String,
    pub policies: String,
    pub companies_total: String,
    pub employees_total: String,
    pub leading_total: String,
    pub companies: Vec<CompanyRow>,
    pub more_href: Option<String>,
}

pub fn page(chrome: Chrome, data: Value) -> super::Result<Rendered> {
    let lang = chrome.lang;
    let t = lang.words();
    let data: Data = serde_json::from_value(data)?;
    let park = data.park;
    let names = Named {
        id: None,
        name: park.name.clone(),
        name_zh: park.name_zh.clone(),
    };
    let (name, other_name) = names.both(lang);
    let lines = |list: &[String]| {
        list.iter()
            .map(|l| line_name(&data.service_lines, lang, l))
            .collect::<Vec<_>>()
            .join(lang_separator(lang))
    };
    let page = ParkPage {
        level: super::level_name(t, &park.level),
        district: park.district.one(lang),
        established: park.established_year,
        website: park.website.as_deref().and_then(safe_link),
        focus: lines(&park.focus_industries),
        description: park.description.clone(),
        policies: park.preferential_policies.clone(),
        companies_total: super::format::integer(park.totals.companies),
        employees_total: super::format::integer(park.totals.employees),
        leading_total: super::format::integer(park.totals.leading_companies),
        companies: park
            .companies
            .edges
            .iter()
            .map(|e| {
                let c = &e.node;
                let names = Named {
                    id: None,
                    name: c.name.clone(),
                    name_zh: c.name_zh.clone(),
                };
                let (main, other) = names.both(lang);
                CompanyRow {
                    link: Link {
                        href: format!("/companies/{}", c.id),
                        text: main,
                    },
                    other,
                    employees: super::format::integer(c.headcount),
                    lines: lines(&c.service_lines),
                    leading: c.leading,
                }
            })
            .collect(),
        more_href: park
            .companies
            .page_info
            .has_next_page
            .then(|| {
                park.companies
                    .page_info
                    .end_cursor
                    .as_deref()
                    .map(|c| format!("/parks/{}?after={}", park.id, super::encode(c)))
            })
            .flatten(),
        name: name.clone(),
        other_name,
        chrome: chrome.titled(name),
    };
    super::render(&page)
}
