//! The search page (`/`): one box for companies, tenders and parks, facet filters with their
//! counts, sort and paging.

use askama::Template;
use serde_json::{Value, json};

mod answer;

use answer::{Data, HighlightData, HitEdge};

use super::{Chrome, Lang, LineInfo, Named, Rendered, encode, line_name, snippet};

/// The longest search the API takes, in characters.
pub const MAX_QUERY_CHARS: usize = 500;

const TYPES: [&str; 3] = ["COMPANY", "TENDER", "PARK"];
const SORTS: [&str; 4] = ["RELEVANCE", "NAME", "EMPLOYEES_DESC", "CLOSING_DATE"];
const BANDS: [&str; 4] = ["UNDER_50", "FROM_50_TO_199", "FROM_200_TO_999", "FROM_1000"];
const STATUSES: [&str; 5] = [
    "PLANNING",
    "ACTIVE",
    "CANCELLED",
    "UNSUCCESSFUL",
    "COMPLETE",
];

/// What the search form asks for.
#[derive(Debug, Default, Clone)]
pub struct Params {
    pub q: String,
    pub types: Vec<String>,
    pub districts: Vec<String>,
    pub parks: Vec<String>,
    pub lines: Vec<String>,
    pub certifications: Vec<String>,
    pub bands: Vec<String>,
    pub statuses: Vec<String>,
    pub sort: String,
    pub after: Option<String>,
}

/// A parameter that is not one the page takes, by its name.
#[derive(Debug)]
pub struct BadParameter(pub &'static str);

fn enumerated(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 40
        && value
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

impl Params {
    /// Reads the page's query string; unknown keys are ignored, known ones must be valid.
    pub fn parse(query: &str) -> Result<Params, BadParameter> {
        let mut params = Params {
            sort: "RELEVANCE".into(),
            ..Params::default()
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            let value = value.trim().to_owned();
            match key.as_ref() {
                "q" => params.q = value,
                "type" if TYPES.contains(&value.as_str()) => params.types.push(value),
                "type" => return Err(BadParameter("type")),
                "sort" if SORTS.contains(&value.as_str()) => params.sort = value,
                "sort" => return Err(BadParameter("sort")),
                "band" if BANDS.contains(&value.as_str()) => params.bands.push(value),
                "band" => return Err(BadParameter("band")),
                "status" if STATUSES.contains(&value.as_str()) => params.statuses.push(value),
                "status" => return Err(BadParameter("status")),
                "district" if enumerated(&value) => params.districts.push(value),
                "district" => return Err(BadParameter("district")),
                "line" if enumerated(&value) => params.lines.push(value),
                "line" => return Err(BadParameter("line")),
                "cert" if enumerated(&value) => params.certifications.push(value),
                "cert" => return Err(BadParameter("cert")),
                "park" if !value.is_empty() && value.len() <= 64 => params.parks.push(value),
                "park" => return Err(BadParameter("park")),
                "after" if !value.is_empty() && value.len() <= 200 => params.after = Some(value),
                "after" => return Err(BadParameter("after")),
                _ => {}
            }
        }
        Ok(params)
    }

    pub fn too_long(&self) -> bool {
        self.q.chars().count() > MAX_QUERY_CHARS
    }

    /// The document's variables.
    pub fn variables(&self) -> Value {
        let list = |v: &Vec<String>| (!v.is_empty()).then(|| json!(v));
        let mut filter = serde_json::Map::new();
        for (name, values) in [
            ("districts", &self.districts),
            ("parks", &self.parks),
            ("serviceLines", &self.lines),
            ("certifications", &self.certifications),
            ("employeeBands", &self.bands),
            ("tenderStatus", &self.statuses),
        ] {
            if let Some(values) = list(values) {
                filter.insert(name.into(), values);
            }
        }
        json!({
            "query": self.q,
            "types": list(&self.types),
            "filter": (!filter.is_empty()).then_some(Value::Object(filter)),
            "sort": self.sort,
            "after": self.after,
        })
    }

    /// The page's address with these parameters (without `after` unless given).
    fn href(&self, after: Option<&str>) -> String {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        if !self.q.is_empty() {
            pairs.append_pair("q", &self.q);
        }
        for (key, values) in [
            ("type", &self.types),
            ("district", &self.districts),
            ("park", &self.parks),
            ("line", &self.lines),
            ("cert", &self.certifications),
            ("band", &self.bands),
            ("status", &self.statuses),
        ] {
            for value in values {
                pairs.append_pair(key, value);
            }
        }
        if self.sort != "RELEVANCE" {
            pairs.append_pair("sort", &self.sort);
        }
        if let Some(after) = after {
            pairs.append_pair("after", after);
        }
        let query = pairs.finish();
        if query.is_empty() {
            "/".to_owned()
        } else {
            format!("/?{query}")
        }
    }
}

/// One facet's checkboxes.
pub struct FacetBox {
    pub title: &'static str,
    pub param: &'static str,
    pub options: Vec<FacetOption>,
}

pub struct FacetOption {
    pub id: String,
    pub value: String,
    pub label: String,
    pub count: String,
    pub checked: bool,
}

pub struct Hit {
    pub kind: &'static str,
    pub href: String,
    pub name: String,
    /// Safe HTML: the name, with `<em>` around what matched the words searched for.
    pub name_html: String,
    pub other_name: String,
    /// Safe HTML, as `name_html`.
    pub other_name_html: String,
    pub other_code: &'static str,
    /// Safe HTML: escaped text with `<em>` around the matches.
    pub snippets: Vec<String>,
    pub details: Vec<String>,
    pub compare_id: Option<String>,
}

pub struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "web/search.html")]
pub struct SearchPage {
    pub chrome: Chrome,
    pub q: String,
    pub notice: String,
    pub results_line: String,
    pub facets: Vec<FacetBox>,
    pub sorts: Vec<SortOption>,
    pub hits: Vec<Hit>,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
    pub clear_href: String,
}

fn sorts(lang: Lang, selected: &str) -> Vec<SortOption> {
    let t = lang.words();
    [
        ("RELEVANCE", t.sort_relevance),
        ("NAME", t.sort_name),
        ("EMPLOYEES_DESC", t.sort_employees),
        ("CLOSING_DATE", t.sort_closing),
    ]
    .into_iter()
    .map(|(value, label)| SortOption {
        value,
        label,
        selected: value == selected,
    })
    .collect()
}

/// The page for a search the API would refuse as too long: the form, and why nothing ran.
pub fn too_long(chrome: Chrome, params: &Params) -> super::Result<Rendered> {
    let lang = chrome.lang;
    super::render(&SearchPage {
        q: params.q.clone(),
        notice: lang.words().query_too_long.to_owned(),
        results_line: String::new(),
        facets: Vec::new(),
        sorts: sorts(lang, &params.sort),
        hits: Vec::new(),
        next_href: None,
        first_href: None,
        clear_href: "/".into(),
        chrome: chrome.titled(lang.words().nav_search),
    })
}

/// The page for the document's answer.
pub fn page(chrome: Chrome, params: &Params, data: Value) -> super::Result<Rendered> {
    let lang = chrome.lang;
    let t = lang.words();
    let data: Data = serde_json::from_value(data)?;
    let district_name = |code: &str| {
        data.districts
            .iter()
            .find(|d| d.code == code)
            .map(|d| lang.pick(&d.name, &d.name_zh).to_owned())
            .unwrap_or_else(|| code.to_owned())
    };
    let park_name = |id: &str| {
        data.parks
            .edges
            .iter()
            .find(|e| e.node.id.as_deref() == Some(id))
            .map(|e| e.node.one(lang))
            .unwrap_or_else(|| id.to_owned())
    };
    let type_label = |kind: &str| match kind {
        "COMPANY" => t.type_company,
        "TENDER" => t.type_tender,
        _ => t.type_park,
    };
    let mut facets = Vec::new();
    let counted: Vec<(String, i64)> = data
        .search
        .type_counts
        .iter()
        .map(|c| (c.kind.clone(), c.count))
        .collect();
    facets.push(facet_box(
        t.facet_type,
        "type",
        &counted,
        &params.types,
        |v| type_label(v).to_owned(),
    ));
    for (facet, title, param, selected) in [
        ("DISTRICT", t.facet_district, "district", &params.districts),
        ("PARK", t.facet_park, "park", &params.parks),
        ("SERVICE_LINE", t.facet_service_line, "line", &params.lines),
        (
            "CERTIFICATION",
            t.facet_certification,
            "cert",
            &params.certifications,
        ),
        (
            "EMPLOYEE_BAND",
            t.facet_employee_band,
            "band",
            &params.bands,
        ),
        (
            "TENDER_STATUS",
            t.facet_tender_status,
            "status",
            &params.statuses,
        ),
    ] {
        let values: Vec<(String, i64)> = data
            .search
            .facet_distribution
            .iter()
            .find(|f| f.facet == facet)
            .map(|f| {
                f.values
                    .iter()
                    .map(|v| (v.value.clone(), v.count))
                    .collect()
            })
            .unwrap_or_default();
        let label = |v: &str| match facet {
            "DISTRICT" => district_name(v),
            "PARK" => park_name(v),
            "SERVICE_LINE" => line_name(&data.service_lines, lang, v),
            "CERTIFICATION" => super::standard_name(v),
            "EMPLOYEE_BAND" => super::band_name(lang, v),
            _ => super::status_name(t, v),
        };
        let facet = facet_box(title, param, &values, selected, label);
        if !facet.options.is_empty() {
            facets.push(facet);
        }
    }
    let hits = data
        .search
        .edges
        .into_iter()
        .map(|edge| hit(lang, &data.service_lines, edge))
        .collect();
    let next_href = data
        .search
        .page_info
        .has_next_page
        .then(|| {
            data.search
                .page_info
                .end_cursor
                .as_deref()
                .map(|c| params.href(Some(c)))
        })
        .flatten();
    super::render(&SearchPage {
        q: params.q.clone(),
        notice: String::new(),
        results_line: if data.search.total_hits == 0 {
            t.nothing_found.to_owned()
        } else {
            lang.results(data.search.total_hits)
        },
        facets,
        sorts: sorts(lang, &params.sort),
        hits,
        next_href,
        first_href: params.after.is_some().then(|| params.href(None)),
        clear_href: if params.q.is_empty() {
            "/".into()
        } else {
            format!("/?q={}", encode(&params.q))
        },
        chrome: chrome.titled(if params.q.is_empty() {
            t.nav_search.to_owned()
        } else {
            format!("{} – {}", params.q, t.nav_search)
        }),
    })
}

fn facet_box(
    title: &'static str,
    param: &'static str,
    counted: &[(String, i64)],
    selected: &[String],
    label: impl Fn(&str) -> String,
) -> FacetBox {
    let mut options: Vec<FacetOption> = counted
        .iter()
        .map(|(value, count)| FacetOption {
            id: format!("f-{param}-{}", encode(value).replace('%', "")),
            value: value.clone(),
            label: label(value),
            count: super::format::integer(*count),
            checked: selected.contains(value),
        })
        .collect();
    // A value ticked that no hit has any more stays on the list, ticked, to be unticked.
    for value in selected {
        if !options.iter().any(|o| &o.value == value) {
            options.push(FacetOption {
                id: format!("f-{param}-{}", encode(value).replace('%', "")),
                value: value.clone(),
                label: label(value),
                count: "0".into(),
                checked: true,
            });
        }
    }
    FacetBox {
        title,
        param,
        options,
    }
}

fn hit(lang: Lang, lines: &[LineInfo], edge: HitEdge) -> Hit {
    let t = lang.words();
    let node = edge.node;
    let snippets = edge
        .highlights
        .iter()
        .filter(|h| h.field.starts_with("description"))
        .filter(|h| match lang {
            Lang::Zh => h.field.ends_with("_zh"),
            Lang::En => h.field.ends_with("_en"),
        })
        .map(|h| snippet(&h.snippet))
        .collect();
    let (kind, href, en, zh, mut details, compare_id) = match node.typename.as_str() {
        "Company" => {
            let mut details = Vec::new();
            if let Some(d) = &node.district {
                details.push(d.one(lang));
            }
            if let Some(p) = &node.park {
                details.push(p.one(lang));
            }
            if let Some(h) = node.headcount {
                details.push(lang.employees(h));
            }
            if node.leading {
                details.push(t.leading.to_owned());
            }
            let lines: Vec<String> = node
                .service_lines
                .iter()
                .take(3)
                .map(|l| line_name(lines, lang, l))
                .collect();
            if !lines.is_empty() {
                details.push(lines.join(lang_separator(lang)));
            }
            (
                t.type_company,
                format!("/companies/{}", node.id),
                node.name,
                node.name_zh,
                details,
                Some(node.id),
            )
        }
        "Tender" => {
            let mut details = Vec::new();
            if let Some(s) = &node.status {
                details.push(super::status_name(t, s));
            }
            if let Some(b) = &node.buyer {
                details.push(b.one(lang));
            }
            if let Some(c) = &node.closes_at {
                details.push(format!("{} {}", t.closes, super::format::date(lang, c)));
            }
            (
                t.type_tender,
                format!("/tenders/{}", node.id),
                node.title,
                node.title_zh,
                details,
                None,
            )
        }
        _ => {
            let mut details = Vec::new();
            if let Some(l) = &node.level {
                details.push(super::level_name(t, l));
            }
            if let Some(d) = &node.district {
                details.push(d.one(lang));
            }
            (
                t.type_park,
                format!("/parks/{}", node.id),
                node.name,
                node.name_zh,
                details,
                None,
            )
        }
    };
    details.retain(|d| !d.is_empty());
    let names = Named {
        id: None,
        name: en,
        name_zh: zh,
    };
    let (name, other_name) = names.both(lang);
    Hit {
        kind,
        href,
        name_html: emphasised(&name, &edge.highlights),
        other_name_html: emphasised(&other_name, &edge.highlights),
        name,
        other_name,
        other_code: lang.other().code(),
        snippets,
        details,
        compare_id,
    }
}

/// A name as HTML, with the engine's emphasis when one of its name highlights is this very
/// name (in either language); escaped plainly otherwise.
fn emphasised(name: &str, highlights: &[HighlightData]) -> String {
    let plain = super::escape(name);
    highlights
        .iter()
        .filter(|h| h.field.starts_with("name"))
        .map(|h| snippet(&h.snippet))
        .find(|s| s.contains("<em>") && s.replace("<em>", "").replace("</em>", "") == plain)
        .unwrap_or(plain)
}

/// How a list reads in a line: `a, b` or `a、b`.
pub fn lang_separator(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    }
}
