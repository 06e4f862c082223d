//! The explorer's two languages: which one a visitor reads, and every label in both.
//!
//! The labels are one struct with a field per label and a value of it per language, rather
//! than message files looked up by key at run time: with two languages and a few hundred
//! labels, a label missing in one language is then a build error, and the templates name the
//! labels as fields the compiler checks. The few labels that take a number are methods.

mod en;
mod zh;

pub use en::EN;
pub use zh::ZH;

/// A language the explorer speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Zh,
}

impl Lang {
    /// The language a request asks for: `?lang=` first, then the `lang` cookie the switch
    /// sets, then the browser's `Accept-Language` (the first of `zh` or `en` in its order of
    /// preference), else English.
    pub fn negotiate(
        query: Option<&str>,
        cookie: Option<&str>,
        accept_language: Option<&str>,
    ) -> Lang {
        if let Some(lang) = query
            .and_then(Lang::parse)
            .or_else(|| cookie.and_then(Lang::parse))
        {
            return lang;
        }
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.unwrap_or_default().split(',') {
            let mut pieces = part.split(';');
            let tag = pieces
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            // `q=0` says the language is not wanted.
            if quality <= 0.0 {
                continue;
            }
            let lang = if tag == "zh" || tag.starts_with("zh-") {
                Lang::Zh
            } else if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else {
                continue;
            };
            if best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang).unwrap_or(Lang::En)
    }

    pub fn parse(value: &str) -> Option<Lang> {
        match value.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// The BCP 47 tag of the page (`lang` attribute).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh-CN",
        }
    }

    /// The value of `?lang=` and of the cookie.
    pub fn key(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Zh,
            Lang::Zh => Lang::En,
        }
    }

    pub fn words(self) -> &'static Words {
        match self {
            Lang::En => &EN,
            Lang::Zh => &ZH,
        }
    }

    /// Of an English and a Chinese text, the one in this language (the other when it is
    /// empty).
    pub fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Lang::En if !en.is_empty() => en,
            Lang::Zh if !zh.is_empty() => zh,
            Lang::En => zh,
            Lang::Zh => en,
        }
    }

    pub fn results(self, n: i64) -> String {
        let count = super::format::integer(n);
        match (self, n) {
            (Lang::En, 1) => "1 result".to_owned(),
            (Lang::En, _) => format!("{count} results"),
            (Lang::Zh, _) => format!("共 {count} 条结果"),
        }
    }

    pub fn employees(self, n: i64) -> String {
        let count = super::format::integer(n);
        match self {
            Lang::En => format!("{count} employees"),
            Lang::Zh => format!("{count} 名员工"),
        }
    }

    pub fn at_least_employees(self, n: i64) -> String {
        let count = super::format::integer(n);
        match self {
            Lang::En => format!("at least {count} employees"),
            Lang::Zh => format!("员工不少于 {count} 人"),
        }
    }

    pub fn districts_of(self, year: i32) -> String {
        match self {
            Lang::En => format!("By district, {year}"),
            Lang::Zh => format!("{year} 年分设区市"),
        }
    }

    /// What a page says of an address that cannot be read.
    pub fn bad_address(self) -> String {
        match self {
            Lang::En => "This address is not valid.".to_owned(),
            Lang::Zh => "该地址无效。".to_owned(),
        }
    }

    pub fn bad_parameter(self, parameter: &str) -> String {
        match self {
            Lang::En => format!("The parameter “{parameter}” is not valid."),
            Lang::Zh => format!("参数“{parameter}”无效。"),
        }
    }
}

/// Every label of the explorer, in one language.
pub struct Words {
    pub site: &'static str,
    pub tagline: &'static str,
    pub skip: &'static str,
    pub nav: &'static str,
    pub nav_search: &'static str,
    pub nav_statistics: &'static str,
    pub nav_compare: &'static str,
    pub nav_api: &'static str,
    pub nav_open_data: &'static str,
    pub switch_label: &'static str,
    pub footer: &'static str,

    pub search_label: &'static str,
    pub search_placeholder: &'static str,
    pub search_button: &'static str,
    pub filters: &'static str,
    pub apply_filters: &'static str,
    pub clear_filters: &'static str,
    pub facet_type: &'static str,
    pub facet_district: &'static str,
    pub facet_park: &'static str,
    pub facet_service_line: &'static str,
    pub facet_certification: &'static str,
    pub facet_employee_band: &'static str,
    pub facet_tender_status: &'static str,
    pub sort: &'static str,
    pub sort_relevance: &'static str,
    pub sort_name: &'static str,
    pub sort_employees: &'static str,
    pub sort_closing: &'static str,
    pub type_company: &'static str,
    pub type_tender: &'static str,
    pub type_park: &'static str,
    pub next_page: &'static str,
    pub first_page: &'static str,
    pub nothing_found: &'static str,
    pub query_too_long: &'static str,
    pub compare_selected: &'static str,
    pub compare_pick: &'static str,
    pub leading: &'static str,
    pub closes: &'static str,
    pub results_heading: &'static str,

    pub uscc: &'static str,
    pub district: &'static str,
    pub park: &'static str,
    pub service_lines: &'static str,
    pub headcount: &'static str,
    pub founded: &'static str,
    pub website: &'static str,
    pub contact: &'static str,
    pub description: &'static str,
    pub certificates: &'static str,
    pub no_certificates: &'static str,
    pub standard: &'static str,
    pub certificate_number: &'static str,
    pub certification_body: &'static str,
    pub issued: &'static str,
    pub expires: &'static str,
    pub figures: &'static str,
    pub no_figures: &'static str,
    pub year: &'static str,
    pub contract_amount: &'static str,
    pub contract_offshore: &'static str,
    pub executed_amount: &'static str,
    pub executed_offshore: &'static str,
    pub employees_label: &'static str,
    pub alliances: &'static str,
    pub no_alliances: &'static str,
    pub lead: &'static str,
    pub members: &'static str,
    pub matching_tenders: &'static str,
    pub no_matching_tenders: &'static str,

    pub buyer: &'static str,
    /// The label of a tender's Open Contracting ID, linked to its OCDS record.
    pub ocid: &'static str,
    pub ftz_area: &'static str,
    pub value: &'static str,
    pub undisclosed: &'static str,
    pub tender_period: &'static str,
    pub status: &'static str,
    pub eligibility: &'static str,
    pub required_certificates: &'static str,
    pub no_requirement: &'static str,
    pub amendments: &'static str,
    pub no_amendments: &'static str,
    pub changed_fields: &'static str,
    pub rationale: &'static str,
    pub date: &'static str,
    pub qualifying: &'static str,
    pub none_qualify: &'static str,
    pub open_data_record: &'static str,
    pub status_planning: &'static str,
    pub status_active: &'static str,
    pub status_cancelled: &'static str,
    pub status_unsuccessful: &'static str,
    pub status_complete: &'static str,

    pub level: &'static str,
    pub level_national: &'static str,
    pub level_provincial: &'static str,
    pub level_other: &'static str,
    pub established: &'static str,
    pub focus_industries: &'static str,
    pub policies: &'static str,
    pub totals: &'static str,
    pub companies_label: &'static str,
    pub leading_companies: &'static str,
    pub park_companies: &'static str,
    pub more_companies: &'static str,

    pub statistics_title: &'static str,
    pub statistics_intro: &'static str,
    pub by_year: &'static str,
    pub new_certificates: &'static str,
    pub growth: &'static str,
    pub download_csv: &'static str,
    pub show_year: &'static str,
    pub show: &'static str,
    pub chart_companies: &'static str,
    pub chart_employees: &'static str,
    pub chart_contracts: &'static str,
    pub chart_districts: &'static str,
    pub usd_millions: &'static str,

    pub compare_title: &'static str,
    pub compare_intro: &'static str,
    pub latest_figures: &'static str,
    pub yes: &'static str,
    pub no: &'static str,

    pub error_not_found: &'static str,
    pub error_not_found_text: &'static str,
    pub error_bad_request: &'static str,
    pub error_rate_limited: &'static str,
    pub error_rate_limited_text: &'static str,
    pub error_unavailable: &'static str,
    pub error_unavailable_text: &'static str,
    pub error_internal: &'static str,
    pub error_internal_text: &'static str,
    pub back_home: &'static str,

    pub graphiql_title: &'static str,
    pub graphiql_noscript: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_wins_then_the_cookie_then_the_browser() {
        assert_eq!(
            Lang::negotiate(Some("zh"), Some("en"), Some("en")),
            Lang::Zh
        );
        assert_eq!(Lang::negotiate(None, Some("zh"), Some("en")), Lang::Zh);
        assert_eq!(
            Lang::negotiate(Some("xx"), None, Some("fr, zh-CN;q=0.8, en;q=0.5")),
            Lang::Zh
        );
        assert_eq!(
            Lang::negotiate(None, None, Some("en-GB,zh;q=0.9")),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, None, Some("de")), Lang::En);
        assert_eq!(
            Lang::negotiate(None, None, Some("zh;q=0, en;q=0.1")),
            Lang::En
        );
        assert_eq!(Lang::negotiate(None, None, None), Lang::En);
    }
}
