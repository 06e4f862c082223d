//! The explorer's two languages: which one a visitor reads, and every label in both.
//!
//! The labels are one struct with a field per label and a value of it per language, rather
//! than message files looked up by key at run time: with two languages and a few hundred
//! labels, a label missing in one language is then a build error, and the templates name the
//! labels as fields the compiler checks. The few labels that take a number are methods.

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

pub static EN: Words = Words {
    site: "Ganbridge",
    tagline: "Jiangxi service outsourcing: companies, parks, tenders and figures",
    skip: "Skip to content",
    nav: "Main",
    nav_search: "Search",
    nav_statistics: "Statistics",
    nav_compare: "Compare",
    nav_api: "API (GraphiQL)",
    nav_open_data: "Open data (OCDS)",
    switch_label: "中文",
    footer: "The public record of Jiangxi's service-outsourcing industry, published with the provincial Department of Commerce. Every page is made from the public GraphQL API.",

    search_label: "Search companies, tenders and parks",
    search_placeholder: "泰豪, software testing, Nanchang…",
    search_button: "Search",
    filters: "Filters",
    apply_filters: "Apply filters",
    clear_filters: "Clear all",
    facet_type: "Type",
    facet_district: "District",
    facet_park: "Park",
    facet_service_line: "Service line",
    facet_certification: "Certification",
    facet_employee_band: "Employees",
    facet_tender_status: "Tender status",
    sort: "Sort by",
    sort_relevance: "Best match",
    sort_name: "Name",
    sort_employees: "Most employees",
    sort_closing: "Closing soonest",
    type_company: "Company",
    type_tender: "Tender",
    type_park: "Park",
    next_page: "Next page",
    first_page: "First page",
    nothing_found: "Nothing matches. Try fewer words or fewer filters.",
    query_too_long: "The search is longer than 500 characters: shorten it.",
    compare_selected: "Compare selected companies",
    compare_pick: "Compare",
    leading: "Leading company",
    closes: "Closes",
    results_heading: "Results",

    uscc: "Unified social credit code",
    district: "District",
    park: "Park",
    service_lines: "Service lines",
    headcount: "Employees",
    founded: "Founded",
    website: "Website",
    contact: "Contact",
    description: "About",
    certificates: "Certificates in force",
    no_certificates: "No certificate in force.",
    standard: "Standard",
    certificate_number: "Number",
    certification_body: "Certified by",
    issued: "Issued",
    expires: "Expires",
    figures: "Yearly figures",
    no_figures: "No yearly figures recorded.",
    year: "Year",
    contract_amount: "Contracts signed (USD)",
    contract_offshore: "of which offshore (USD)",
    executed_amount: "Executed (USD)",
    executed_offshore: "Executed offshore (USD)",
    employees_label: "Employees",
    alliances: "Alliances",
    no_alliances: "Not in any alliance.",
    lead: "lead",
    members: "Members",
    matching_tenders: "Open tenders it qualifies for",
    no_matching_tenders: "No open tender it qualifies for on its own.",

    buyer: "Buyer",
    ftz_area: "Free trade zone area",
    value: "Estimated value",
    undisclosed: "not disclosed",
    tender_period: "Tender period",
    status: "Status",
    eligibility: "Eligibility",
    required_certificates: "Certificates required",
    no_requirement: "none",
    amendments: "Amendments",
    no_amendments: "Not amended.",
    changed_fields: "Changed",
    rationale: "Reason",
    date: "Date",
    qualifying: "Companies that qualify",
    none_qualify: "No company qualifies on its own yet.",
    open_data_record: "Its OCDS record (open data, JSON)",
    status_planning: "Planned",
    status_active: "Open",
    status_cancelled: "Cancelled",
    status_unsuccessful: "Closed without award",
    status_complete: "Awarded",

    level: "Level",
    level_national: "National demonstration city",
    level_provincial: "Provincial demonstration park",
    level_other: "Other park",
    established: "Established",
    focus_industries: "Focus industries",
    policies: "Preferential policies",
    totals: "Totals today",
    companies_label: "Companies",
    leading_companies: "Leading companies",
    park_companies: "Companies in the park",
    more_companies: "More companies",

    statistics_title: "The industry in figures",
    statistics_intro: "Figures the companies record with the Department of Commerce, by year and by district. Amounts are in US dollars.",
    by_year: "Jiangxi by year",
    new_certificates: "New certificates",
    growth: "Growth",
    download_csv: "Download this table (CSV)",
    show_year: "Year shown by district",
    show: "Show",
    chart_companies: "Companies by year",
    chart_employees: "Employees by year",
    chart_contracts: "Contracts signed by year (USD million)",
    chart_districts: "Companies by district",
    usd_millions: "USD million",

    compare_title: "Compare companies",
    compare_intro: "Choose two to four companies on the search page, tick “Compare”, then “Compare selected companies”.",
    latest_figures: "Latest figures",
    yes: "yes",
    no: "no",

    error_not_found: "Not found",
    error_not_found_text: "There is no such page, company, tender or park. It may have been removed, or the address is mistyped.",
    error_bad_request: "This address cannot be read",
    error_rate_limited: "Too many requests",
    error_rate_limited_text: "This address has used its quota for now. Try again in a moment.",
    error_unavailable: "Not available right now",
    error_unavailable_text: "This part of Ganbridge is not available at the moment. Try again in a moment.",
    error_internal: "Something went wrong",
    error_internal_text: "The page could not be made. It has been logged; try again later.",
    back_home: "Back to the search",

    graphiql_title: "Ganbridge GraphQL API",
    graphiql_noscript: "GraphiQL needs JavaScript. The API answers GET and POST requests at /graphql without it.",
};

pub static ZH: Words = Words {
    site: "赣桥",
    tagline: "江西服务外包：企业、园区、需求与统计",
    skip: "跳到正文",
    nav: "主导航",
    nav_search: "搜索",
    nav_statistics: "统计",
    nav_compare: "对比",
    nav_api: "接口 (GraphiQL)",
    nav_open_data: "开放数据 (OCDS)",
    switch_label: "English",
    footer: "江西省服务外包产业的公开记录，与江西省商务厅共同发布。每个页面都来自公开的 GraphQL 接口。",

    search_label: "搜索企业、需求和园区",
    search_placeholder: "泰豪、软件测试、南昌……",
    search_button: "搜索",
    filters: "筛选",
    apply_filters: "应用筛选",
    clear_filters: "全部清除",
    facet_type: "类型",
    facet_district: "设区市",
    facet_park: "园区",
    facet_service_line: "服务类别",
    facet_certification: "国际认证",
    facet_employee_band: "员工规模",
    facet_tender_status: "需求状态",
    sort: "排序",
    sort_relevance: "最相关",
    sort_name: "名称",
    sort_employees: "员工最多",
    sort_closing: "最先截止",
    type_company: "企业",
    type_tender: "需求",
    type_park: "园区",
    next_page: "下一页",
    first_page: "第一页",
    nothing_found: "没有找到结果。请减少关键词或筛选条件。",
    query_too_long: "搜索词超过 500 个字符，请缩短。",
    compare_selected: "对比所选企业",
    compare_pick: "对比",
    leading: "龙头企业",
    closes: "截止",
    results_heading: "结果",

    uscc: "统一社会信用代码",
    district: "设区市",
    park: "园区",
    service_lines: "服务类别",
    headcount: "员工人数",
    founded: "成立年份",
    website: "网站",
    contact: "联系方式",
    description: "简介",
    certificates: "有效国际认证",
    no_certificates: "暂无有效认证。",
    standard: "标准",
    certificate_number: "证书编号",
    certification_body: "认证机构",
    issued: "颁发日期",
    expires: "有效期至",
    figures: "年度数据",
    no_figures: "暂无年度数据。",
    year: "年份",
    contract_amount: "签约金额（美元）",
    contract_offshore: "其中离岸（美元）",
    executed_amount: "执行金额（美元）",
    executed_offshore: "离岸执行（美元）",
    employees_label: "从业人数",
    alliances: "联合体",
    no_alliances: "未加入联合体。",
    lead: "牵头",
    members: "成员",
    matching_tenders: "符合条件的开放需求",
    no_matching_tenders: "暂无可独立响应的开放需求。",

    buyer: "采购方",
    ftz_area: "自贸试验区片区",
    value: "预算金额",
    undisclosed: "未公开",
    tender_period: "响应期",
    status: "状态",
    eligibility: "资格要求",
    required_certificates: "要求认证",
    no_requirement: "无",
    amendments: "变更记录",
    no_amendments: "未变更。",
    changed_fields: "变更内容",
    rationale: "原因",
    date: "日期",
    qualifying: "符合条件的企业",
    none_qualify: "暂无可独立响应的企业。",
    open_data_record: "OCDS 记录（开放数据，JSON）",
    status_planning: "计划中",
    status_active: "进行中",
    status_cancelled: "已取消",
    status_unsuccessful: "未成交",
    status_complete: "已授标",

    level: "级别",
    level_national: "国家服务外包示范城市",
    level_provincial: "省级服务外包示范园区",
    level_other: "其他园区",
    established: "设立年份",
    focus_industries: "主导产业",
    policies: "优惠政策",
    totals: "当前合计",
    companies_label: "企业数",
    leading_companies: "龙头企业",
    park_companies: "园区企业",
    more_companies: "更多企业",

    statistics_title: "产业统计",
    statistics_intro: "企业向商务厅报送的数据，按年份和设区市汇总。金额单位为美元。",
    by_year: "江西逐年数据",
    new_certificates: "新增国际认证",
    growth: "同比增长",
    download_csv: "下载本表 (CSV)",
    show_year: "分设区市的年份",
    show: "显示",
    chart_companies: "企业数（逐年）",
    chart_employees: "从业人数（逐年）",
    chart_contracts: "签约金额（逐年，百万美元）",
    chart_districts: "各设区市企业数",
    usd_millions: "百万美元",

    compare_title: "企业对比",
    compare_intro: "在搜索页勾选二至四家企业的“对比”，再点“对比所选企业”。",
    latest_figures: "最新年度数据",
    yes: "是",
    no: "否",

    error_not_found: "未找到",
    error_not_found_text: "没有这个页面、企业、需求或园区。它可能已被删除，或地址有误。",
    error_bad_request: "无法识别这个地址",
    error_rate_limited: "请求过多",
    error_rate_limited_text: "此地址的访问额度暂时用完，请稍后再试。",
    error_unavailable: "暂时无法使用",
    error_unavailable_text: "赣桥的这一部分暂时无法使用，请稍后再试。",
    error_internal: "出错了",
    error_internal_text: "页面未能生成，已记录在案，请稍后再试。",
    back_home: "返回搜索",

    graphiql_title: "赣桥 GraphQL 接口",
    graphiql_noscript: "GraphiQL 需要 JavaScript。无需它，接口也在 /graphql 接受 GET 和 POST 请求。",
};

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
