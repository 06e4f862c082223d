//! The statistics page: the province's figures by year with their growth, one year by
//! district, as charts and tables, and each table as a CSV file.

use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::format::{integer, percent, usd, whole};
use super::{Chrome, Lang, Named, Rendered};

/// The first year with records (the baseline of the published 2014 figures).
pub const FIRST_YEAR: i32 = 2013;

/// The document's variables: every year from the first to `to`.
pub fn variables(to: i32) -> Value {
    json!({ "from": FIRST_YEAR, "to": to.max(FIRST_YEAR) })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Data {
    statistics_series: Vec<Year>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Year {
    year: i32,
    companies: i64,
    employees: i64,
    contract_amount_usd: String,
    executed_amount_usd: String,
    new_certificates: i64,
    growth: Option<Growth>,
    districts: Vec<District>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Growth {
    companies: Option<String>,
    employees: Option<String>,
    contract_amount: Option<String>,
    new_certificates: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct District {
    district: Named,
    companies: i64,
    employees: i64,
    contract_amount_usd: String,
    executed_amount_usd: String,
    new_certificates: i64,
}

pub struct YearRow {
    pub year: i32,
    pub companies: String,
    pub companies_growth: String,
    pub employees: String,
    pub employees_growth: String,
    pub contract: String,
    pub contract_words: String,
    pub contract_growth: String,
    pub executed: String,
    pub certificates: String,
    pub certificates_growth: String,
}

pub struct DistrictRow {
    pub name: String,
    pub companies: String,
    pub employees: String,
    pub contract: String,
    pub executed: String,
    pub certificates: String,
}

pub struct YearOption {
    pub year: i32,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "web/statistics.html")]
pub struct StatisticsPage {
    pub chrome: Chrome,
    pub year: i32,
    pub districts_title: String,
    pub years: Vec<YearRow>,
    pub options: Vec<YearOption>,
    pub districts: Vec<DistrictRow>,
    pub chart_companies: Option<String>,
    pub chart_employees: Option<String>,
    pub chart_contracts: Option<String>,
    pub chart_districts: Option<String>,
    pub districts_csv: String,
}

/// The years with records, oldest first.
fn recorded(data: Value) -> super::Result<Vec<Year>> {
    let data: Data = serde_json::from_value(data)?;
    Ok(data
        .statistics_series
        .into_iter()
        .filter(|y| y.companies > 0)
        .collect())
}

/// The year whose districts are shown: the one asked for when it has records, else the
/// latest that has.
fn chosen(years: &[Year], asked: Option<i32>) -> Option<&Year> {
    asked
        .and_then(|a| years.iter().find(|y| y.year == a))
        .or_else(|| years.last())
}

/// Whether a year asked for has records (else the page says it is not one it can show).
pub fn has_year(data: &Value, year: i32) -> bool {
    data.get("statisticsSeries")
        .and_then(Value::as_array)
        .is_some_and(|years| {
            years.iter().any(|y| {
                y.get("year").and_then(Value::as_i64) == Some(i64::from(year))
                    && y.get("companies").and_then(Value::as_i64).unwrap_or(0) > 0
            })
        })
}

pub fn page(chrome: Chrome, data: Value, asked: Option<i32>) -> super::Result<Rendered> {
    let lang = chrome.lang;
    let t = lang.words();
    let years = recorded(data)?;
    let shown = chosen(&years, asked);
    let year = shown.map(|y| y.year).unwrap_or(FIRST_YEAR);
    let mut districts: Vec<&District> = shown
        .map(|y| y.districts.iter().collect())
        .unwrap_or_default();
    districts.sort_by_key(|d| std::cmp::Reverse(d.companies));
    let points =
        |f: &dyn Fn(&Year) -> f64| years.iter().map(|y| (y.year, f(y))).collect::<Vec<_>>();
    let page = StatisticsPage {
        year,
        districts_title: lang.districts_of(year),
        chart_companies: super::charts::years(t.chart_companies, &points(&|y| y.companies as f64)),
        chart_employees: super::charts::years(t.chart_employees, &points(&|y| y.employees as f64)),
        chart_contracts: super::charts::years(
            t.chart_contracts,
            &points(&|y| y.contract_amount_usd.parse::<f64>().unwrap_or(0.0) / 1e6),
        ),
        chart_districts: super::charts::bars(
            &format!("{} ({year})", t.chart_districts),
            &districts
                .iter()
                .map(|d| (d.district.one(lang), d.companies as f64))
                .collect::<Vec<_>>(),
        ),
        years: years
            .iter()
            .rev()
            .map(|y| {
                let g = y.growth.as_ref();
                YearRow {
                    year: y.year,
                    companies: integer(y.companies),
                    companies_growth: percent(g.and_then(|g| g.companies.as_deref())),
                    employees: integer(y.employees),
                    employees_growth: percent(g.and_then(|g| g.employees.as_deref())),
                    contract: whole(&y.contract_amount_usd),
                    contract_words: usd(lang, &y.contract_amount_usd),
                    contract_growth: percent(g.and_then(|g| g.contract_amount.as_deref())),
                    executed: whole(&y.executed_amount_usd),
                    certificates: integer(y.new_certificates),
                    certificates_growth: percent(g.and_then(|g| g.new_certificates.as_deref())),
                }
            })
            .collect(),
        options: years
            .iter()
            .rev()
            .map(|y| YearOption {
                year: y.year,
                selected: y.year == year,
            })
            .collect(),
        districts: districts
            .iter()
            .map(|d| DistrictRow {
                name: d.district.one(lang),
                companies: integer(d.companies),
                employees: integer(d.employees),
                contract: whole(&d.contract_amount_usd),
                executed: whole(&d.executed_amount_usd),
                certificates: integer(d.new_certificates),
            })
            .collect(),
        districts_csv: format!("/statistics/districts.csv?year={year}"),
        chrome: chrome.titled(t.statistics_title),
    };
    super::render(&page)
}

/// A CSV field, quoted when it must be (RFC 4180).
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

/// The rows as CSV in UTF-8, after a byte order mark: spreadsheet programs (Excel among them)
/// read a file without one in the system's legacy code page, which garbles the Chinese headers.
fn csv(rows: Vec<Vec<String>>) -> String {
    let mut out = String::from('\u{feff}');
    for row in rows {
        let line: Vec<String> = row.iter().map(|v| field(v)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

fn plain(amount: &str) -> String {
    amount.to_owned()
}

/// The by-year table as CSV: plain numbers (no grouping), growth in percent.
pub fn years_csv(lang: Lang, data: Value) -> super::Result<String> {
    let t = lang.words();
    let years = recorded(data)?;
    let mut rows = vec![vec![
        t.year.to_owned(),
        t.companies_label.to_owned(),
        format!("{} (%)", t.growth),
        t.employees_label.to_owned(),
        format!("{} (%)", t.growth),
        t.contract_amount.to_owned(),
        format!("{} (%)", t.growth),
        t.executed_amount.to_owned(),
        t.new_certificates.to_owned(),
        format!("{} (%)", t.growth),
    ]];
    for y in &years {
        let g = y.growth.as_ref();
        let rate = |r: Option<&Option<String>>| r.and_then(|r| r.clone()).unwrap_or_default();
        rows.push(vec![
            y.year.to_string(),
            y.companies.to_string(),
            rate(g.map(|g| &g.companies)),
            y.employees.to_string(),
            rate(g.map(|g| &g.employees)),
            plain(&y.contract_amount_usd),
            rate(g.map(|g| &g.contract_amount)),
            plain(&y.executed_amount_usd),
            y.new_certificates.to_string(),
            rate(g.map(|g| &g.new_certificates)),
        ]);
    }
    Ok(csv(rows))
}

/// One year's district table as CSV, or `None` when the year has no records.
pub fn districts_csv(lang: Lang, data: Value, year: i32) -> super::Result<Option<String>> {
    let t = lang.words();
    let years = recorded(data)?;
    let Some(shown) = years.iter().find(|y| y.year == year) else {
        return Ok(None);
    };
    let mut rows = vec![vec![
        t.year.to_owned(),
        t.district.to_owned(),
        t.companies_label.to_owned(),
        t.employees_label.to_owned(),
        t.contract_amount.to_owned(),
        t.executed_amount.to_owned(),
        t.new_certificates.to_owned(),
    ]];
    for d in &shown.districts {
        rows.push(vec![
            year.to_string(),
            d.district.one(lang),
            d.companies.to_string(),
            d.employees.to_string(),
            plain(&d.contract_amount_usd),
            plain(&d.executed_amount_usd),
            d.new_certificates.to_string(),
        ]);
    }
    Ok(Some(csv(rows)))
}
