//! Two to four companies side by side: lines, certificates, size and latest figures.

use askama::Template;
use serde::Deserialize;
use serde_json::{Value, json};

use super::company::{Certificate, Figures, Link, certificate_label};
use super::format::{integer, whole};
use super::{Chrome, LineInfo, Named, Rendered, line_name};

/// The most companies compared at once.
pub const MOST: usize = 4;

/// The ids asked for (`?id=…&id=…`), in order, without repeats; `Err` names what is wrong.
pub fn ids(query: &str) -> Result<Vec<String>, &'static str> {
    let mut ids: Vec<String> = Vec::new();
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if key == "id" {
            let value = value.trim().to_owned();
            if value.is_empty() || value.len() > 64 {
                return Err("id");
            }
            if !ids.contains(&value) {
                ids.push(value);
            }
        }
    }
    if ids.len() > MOST {
        return Err("id");
    }
    Ok(ids)
}

/// The document's variables for two to four ids.
pub fn variables(ids: &[String]) -> Value {
    let at = |i: usize| ids.get(i).unwrap_or(&ids[0]).clone();
    json!({
        "a": at(0), "b": at(1), "c": at(2), "d": at(3),
        "withC": ids.len() > 2, "withD": ids.len() > 3,
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Compared {
    id: String,
    name: String,
    name_zh: String,
    headcount: i64,
    founded_year: i32,
    leading: bool,
    service_lines: Vec<String>,
    district: Named,
    park: Option<Named>,
    certifications: Vec<Certificate>,
    latest_figures: Option<Figures>,
}

pub struct Column {
    pub link: Link,
    pub other: String,
    pub district: String,
    pub park: String,
    pub headcount: String,
    pub founded: i32,
    pub leading: String,
    pub lines: Vec<String>,
    pub certificates: Vec<String>,
    pub figures_year: String,
    pub contract: String,
    pub executed: String,
}

#[derive(Template)]
#[template(path = "web/compare.html")]
pub struct ComparePage {
    pub chrome: Chrome,
    pub columns: Vec<Column>,
}

/// The page with nothing to compare yet: how to choose.
pub fn empty(chrome: Chrome) -> super::Result<Rendered> {
    let title = chrome.t.compare_title;
    super::render(&ComparePage {
        chrome: chrome.titled(title),
        columns: Vec::new(),
    })
}

pub fn page(chrome: Chrome, mut data: Value) -> super::Result<Rendered> {
    let lang = chrome.lang;
    let t = lang.words();
    let lines: Vec<LineInfo> = serde_json::from_value(data["serviceLines"].take())?;
    let mut columns = Vec::new();
    for key in ["a", "b", "c", "d"] {
        let value = data[key].take();
        if value.is_null() {
            continue;
        }
        let c: Compared = serde_json::from_value(value)?;
        let href = format!("/companies/{}", c.id);
        if columns.iter().any(|col: &Column| col.link.href == href) {
            continue;
        }
        let names = Named {
            id: None,
            name: c.name,
            name_zh: c.name_zh,
        };
        let (main, other) = names.both(lang);
        columns.push(Column {
            link: Link { href, text: main },
            other,
            district: c.district.one(lang),
            park: c.park.map(|p| p.one(lang)).unwrap_or_else(|| "–".into()),
            headcount: integer(c.headcount),
            founded: c.founded_year,
            leading: if c.leading { t.yes } else { t.no }.to_owned(),
            lines: c
                .service_lines
                .iter()
                .map(|l| line_name(&lines, lang, l))
                .collect(),
            certificates: c.certifications.iter().map(certificate_label).collect(),
            figures_year: c
                .latest_figures
                .as_ref()
                .map(|f| f.year.to_string())
                .unwrap_or_else(|| "–".into()),
            contract: c
                .latest_figures
                .as_ref()
                .map(|f| whole(&f.contract_amount_usd))
                .unwrap_or_else(|| "–".into()),
            executed: c
                .latest_figures
                .as_ref()
                .map(|f| whole(&f.executed_amount_usd))
                .unwrap_or_else(|| "–".into()),
        });
    }
    let title = columns
        .iter()
        .map(|c| c.link.text.clone())
        .collect::<Vec<_>>()
        .join(" · ");
    super::render(&ComparePage {
        chrome: chrome.titled(format!("{} – {title}", t.compare_title)),
        columns,
    })
}
