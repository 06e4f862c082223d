//! A company's page: who it is, its certificates in force, its yearly figures, its alliances
//! and the open tenders it qualifies for.

use askama::Template;
use serde::Deserialize;
use serde_json::Value;

use super::format::{date, whole};
use super::search::lang_separator;
use super::{Chrome, LineInfo, Named, Rendered, line_name, safe_link, standard_name};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    company: Company,
    service_lines: Vec<LineInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Company {
    uscc: String,
    name: String,
    name_zh: String,
    headcount: i64,
    founded_year: i32,
    leading: bool,
    description: String,
    description_zh: String,
    website: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    service_lines: Vec<String>,
    district: Named,
    park: Option<Named>,
    certifications: Vec<Certificate>,
    figures: Vec<Figures>,
    alliances: Vec<Alliance>,
    matching_tenders: TenderConnection,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Certificate {
    pub standard: String,
    pub maturity_level: Option<i32>,
    #[serde(default)]
    pub certificate_number: String,
    #[serde(default)]
    pub certification_body: String,
    #[serde(default)]
    pub issue_date: String,
    pub expiry_date: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Figures {
    pub year: i32,
    pub employees: i64,
    pub contract_amount_usd: String,
    #[serde(default)]
    pub contract_offshore_usd: String,
    pub executed_amount_usd: String,
}

#[derive(Deserialize)]
struct Alliance {
    name: String,
    #[serde(rename = "nameZh")]
    name_zh: String,
    lead: Named,
    members: Vec<Member>,
}

#[derive(Deserialize)]
struct Member {
    company: Named,
}

#[derive(Deserialize)]
pub(super) struct TenderConnection {
    pub edges: Vec<TenderEdge>,
}

#[derive(Deserialize)]
pub(super) struct TenderEdge {
    pub node: TenderNode,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct TenderNode {
    pub id: String,
    pub title: String,
    pub title_zh: String,
    pub closes_at: String,
    pub buyer: Named,
    pub value: Option<Money>,
}

#[derive(Deserialize)]
pub(super) struct Money {
    pub amount: String,
    pub currency: String,
}

pub struct Link {
    pub href: String,
    pub text: String,
}

pub struct CertificateRow {
    pub standard: String,
    pub number: String,
    pub body: String,
    pub issued: String,
    pub expires: String,
}

pub struct FiguresRow {
    pub year: i32,
    pub employees: String,
    pub contract: String,
    pub contract_offshore: String,
    pub executed: String,
}

pub struct AllianceView {
    pub name: String,
    pub members: Vec<Link>,
    pub lead: String,
}

pub struct TenderRow {
    pub href: String,
    pub title: String,
    pub buyer: String,
    pub closes: String,
    pub value: String,
}

#[derive(Template)]
#[template(path = "web/company.html")]
pub struct CompanyPage {
    pub chrome: Chrome,
    pub name: String,
    pub other_name: String,
    pub uscc: String,
    pub district: String,
    pub park: Option<Link>,
    pub lines: String,
    pub headcount: String,
    pub founded: i32,
    pub leading: bool,
    pub description: String,
    pub website: Option<String>,
    pub website_text: Option<String>,
    pub contact: Vec<String>,
    pub certificates: Vec<CertificateRow>,
    pub figures: Vec<FiguresRow>,
    pub chart: Option<String>,
    pub alliances: Vec<AllianceView>,
    pub tenders: Vec<TenderRow>,
}

pub(super) fn certificate_label(c: &Certificate) -> String {
    match c.maturity_level {
        Some(level) => format!("{} ML{level}", standard_name(&c.standard)),
        None => standard_name(&c.standard),
    }
}

pub(super) fn tender_rows(lang: super::Lang, tenders: TenderConnection) -> Vec<TenderRow> {
    let t = lang.words();
    tenders
        .edges
        .into_iter()
        .map(|e| {
            let n = e.node;
            TenderRow {
                href: format!("/tenders/{}", n.id),
                title: lang.pick(&n.title, &n.title_zh).to_owned(),
                buyer: n.buyer.one(lang),
                closes: date(lang, &n.closes_at),
                value: n
                    .value
                    .map(|v| super::format::money(lang, &v.amount, &v.currency))
                    .unwrap_or_else(|| t.undisclosed.to_owned()),
            }
        })
        .collect()
}

pub fn page(chrome: Chrome, data: Value) -> super::Result<Rendered> {
    let lang = chrome.lang;
    let t = lang.words();
    let data: Data = serde_json::from_value(data)?;
    let c = data.company;
    let names = Named {
        id: None,
        name: c.name.clone(),
        name_zh: c.name_zh.clone(),
    };
    let (name, other_name) = names.both(lang);
    let chart = super::charts::years(
        t.chart_contracts,
        &c.figures
            .iter()
            .map(|f| {
                let amount: f64 = f.contract_amount_usd.parse().unwrap_or(0.0);
                (f.year, amount / 1e6)
            })
            .collect::<Vec<_>>(),
    )
    .filter(|_| c.figures.len() > 1);
    let figures = c
        .figures
        .iter()
        .rev()
        .map(|f| FiguresRow {
            year: f.year,
            employees: super::format::integer(f.employees),
            contract: whole(&f.contract_amount_usd),
            contract_offshore: whole(&f.contract_offshore_usd),
            executed: whole(&f.executed_amount_usd),
        })
        .collect();
    let page = CompanyPage {
        uscc: c.uscc,
        district: c.district.one(lang),
        park: c.park.as_ref().map(|p| Link {
            href: format!("/parks/{}", p.id.clone().unwrap_or_default()),
            text: p.one(lang),
        }),
        lines: c
            .service_lines
            .iter()
            .map(|l| line_name(&data.service_lines, lang, l))
            .collect::<Vec<_>>()
            .join(lang_separator(lang)),
        headcount: super::format::integer(c.headcount),
        founded: c.founded_year,
        leading: c.leading,
        description: lang.pick(&c.description, &c.description_zh).to_owned(),
        website: c.website.as_deref().and_then(safe_link),
        website_text: c.website.clone().filter(|w| !w.trim().is_empty()),
        contact: [c.contact_email.clone(), c.contact_phone.clone()]
            .into_iter()
            .flatten()
            .filter(|v| !v.trim().is_empty())
            .collect(),
        certificates: c
            .certifications
            .iter()
            .map(|cert| CertificateRow {
                standard: certificate_label(cert),
                number: cert.certificate_number.clone(),
                body: cert.certification_body.clone(),
                issued: date(lang, &cert.issue_date),
                expires: date(lang, &cert.expiry_date),
            })
            .collect(),
        figures,
        chart,
        alliances: c
            .alliances
            .iter()
            .map(|a| AllianceView {
                name: lang.pick(&a.name, &a.name_zh).to_owned(),
                lead: a.lead.one(lang),
                members: a
                    .members
                    .iter()
                    .map(|m| Link {
                        href: format!("/companies/{}", m.company.id.clone().unwrap_or_default()),
                        text: m.company.one(lang),
                    })
                    .collect(),
            })
            .filter(|a| !a.name.is_empty() || !a.members.is_empty())
            .collect(),
        tenders: tender_rows(lang, c.matching_tenders),
        name: name.clone(),
        other_name,
        chrome: chrome.titled(name),
    };
    super::render(&page)
}
