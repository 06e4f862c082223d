//! The public explorer: server-rendered pages for people, in Chinese and English.
//!
//! Each page is one GraphQL document ([`documents`]) that the HTTP layer runs in-process as an
//! anonymous caller, so a page sees exactly what a partner site sees and costs what the same
//! GET query costs; this module turns the document's answer into HTML through compile-time
//! templates (`templates/web/`), with the labels of the visitor's language ([`lang`]), the
//! figures formatted for it ([`format`]) and the charts drawn as SVG ([`charts`]). It knows
//! nothing of the database: what a page shows is what the public API answers.
//!
//! Everything a user wrote (names, descriptions, websites) reaches a page through the
//! templates' escaping; search snippets keep Ganbridge's own `<em>` and nothing else
//! ([`snippet`]), and a website is a link only when it is `http` or `https`.

pub mod charts;
pub mod company;
pub mod compare;
pub mod documents;
pub mod errors;
pub mod format;
pub mod lang;
pub mod park;
pub mod search;
pub mod statistics;
pub mod tender;

use serde::Deserialize;

pub use lang::{Lang, Words};

/// What every page shows around its content: the language, the navigation and the switch.
pub struct Chrome {
    pub lang: Lang,
    pub t: &'static Words,
    pub lang_code: &'static str,
    pub other_code: &'static str,
    /// The page's title, in the page's language.
    pub title: String,
    /// `search`, `statistics`, `compare` or empty: the navigation's current entry.
    pub section: &'static str,
    /// Where the language switch goes: the same page in the other language.
    pub switch_href: String,
}

impl Chrome {
    /// `path_and_query` is the page's own address, which the switch returns to.
    pub fn new(lang: Lang, section: &'static str, path_and_query: &str) -> Chrome {
        Chrome {
            lang,
            t: lang.words(),
            lang_code: lang.code(),
            other_code: lang.other().code(),
            title: String::new(),
            section,
            switch_href: format!(
                "/lang/{}?back={}",
                lang.other().key(),
                encode(path_and_query)
            ),
        }
    }

    pub fn titled(mut self, title: impl Into<String>) -> Chrome {
        self.title = title.into();
        self
    }
}

/// A URL query component.
pub fn encode(value: &str) -> String {
    form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// A name in both languages, as the API gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Named {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub name_zh: String,
}

impl Named {
    /// The name in `lang`, and the other language's when it differs (shown beside it).
    pub fn both(&self, lang: Lang) -> (String, String) {
        let main = lang.pick(&self.name, &self.name_zh).to_owned();
        let other = lang.other().pick(&self.name, &self.name_zh).to_owned();
        let other = if other == main { String::new() } else { other };
        (main, other)
    }

    pub fn one(&self, lang: Lang) -> String {
        lang.pick(&self.name, &self.name_zh).to_owned()
    }
}

/// A service line's names, from the API's `serviceLines`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LineInfo {
    pub line: String,
    pub name: String,
    pub name_zh: String,
}

/// The name of a service line (`SOFTWARE_TESTING`) in `lang`.
pub fn line_name(lines: &[LineInfo], lang: Lang, line: &str) -> String {
    lines
        .iter()
        .find(|l| l.line == line)
        .map(|l| lang.pick(&l.name, &l.name_zh).to_owned())
        .unwrap_or_else(|| line.to_owned())
}

/// The usual name of a certificate's standard (`ISO_IEC_27001` is `ISO/IEC 27001`).
pub fn standard_name(standard: &str) -> String {
    match standard {
        "CMMI_DEV" => "CMMI-DEV".into(),
        "CMMI_SVC" => "CMMI-SVC".into(),
        "ISO_9001" => "ISO 9001".into(),
        "ISO_IEC_27001" => "ISO/IEC 27001".into(),
        "ISO_IEC_20000_1" => "ISO/IEC 20000-1".into(),
        "ISO_14001" => "ISO 14001".into(),
        "ISO_45001" => "ISO 45001".into(),
        "PCI_DSS" => "PCI DSS".into(),
        "ESCM_SP" => "eSCM-SP".into(),
        "COPC" => "COPC".into(),
        other => other.replace('_', " "),
    }
}

/// A tender status (`ACTIVE`) in words.
pub fn status_name(t: &Words, status: &str) -> String {
    match status {
        "PLANNING" => t.status_planning,
        "ACTIVE" => t.status_active,
        "CANCELLED" => t.status_cancelled,
        "UNSUCCESSFUL" => t.status_unsuccessful,
        "COMPLETE" => t.status_complete,
        other => other,
    }
    .to_owned()
}

/// A park level in words.
pub fn level_name(t: &Words, level: &str) -> String {
    match level {
        "NATIONAL_DEMONSTRATION_CITY" => t.level_national,
        "PROVINCIAL_DEMONSTRATION_PARK" => t.level_provincial,
        _ => t.level_other,
    }
    .to_owned()
}

/// An employee band in words.
pub fn band_name(lang: Lang, band: &str) -> String {
    match (lang, band) {
        (Lang::En, "UNDER_50") => "Fewer than 50",
        (Lang::En, "FROM_50_TO_199") => "50–199",
        (Lang::En, "FROM_200_TO_999") => "200–999",
        (Lang::En, "FROM_1000") => "1,000 or more",
        (Lang::Zh, "UNDER_50") => "50 人以下",
        (Lang::Zh, "FROM_50_TO_199") => "50–199 人",
        (Lang::Zh, "FROM_200_TO_999") => "200–999 人",
        (Lang::Zh, "FROM_1000") => "1000 人及以上",
        (_, other) => other,
    }
    .to_owned()
}

/// A website as a link target, only when it is a web address: anything else (`javascript:`,
/// `data:`) is shown as text, never as a link.
pub fn safe_link(website: &str) -> Option<String> {
    let lower = website.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        .then(|| website.trim().to_owned())
}

/// A search snippet made safe to show as HTML: the engines escape the text and add `<em>`
/// around matches; anything else that looks like markup is escaped again here, so a page
/// shows at most Ganbridge's own `<em>`, whatever an engine returns.
pub fn snippet(text: &str) -> String {
    const KEPT: [&str; 7] = ["<em>", "</em>", "&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(kept) = KEPT.iter().find(|k| rest.starts_with(**k)) {
            out.push_str(kept);
            rest = &rest[kept.len()..];
            continue;
        }
        escape_char(&mut out, c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Text as HTML, every markup character escaped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    text.chars().for_each(|c| escape_char(&mut out, c));
    out
}

fn escape_char(out: &mut String, c: char) {
    match c {
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '&' => out.push_str("&amp;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c => out.push(c),
    }
}

/// GraphiQL, served from this origin with its pinned bundles.
#[derive(askama::Template)]
#[template(path = "web/graphiql.html")]
pub struct GraphiqlPage {
    pub lang_code: &'static str,
    pub t: &'static Words,
    pub default_query: &'static str,
}

impl GraphiqlPage {
    pub fn new(lang: Lang) -> GraphiqlPage {
        GraphiqlPage {
            lang_code: lang.code(),
            t: lang.words(),
            default_query: documents::GRAPHIQL_DEFAULT,
        }
    }
}

/// A page made: its HTML.
pub struct Rendered(pub String);

/// A page that could not be made from an answer that should have made it.
pub type Result<T> = std::result::Result<T, anyhow::Error>;

/// Renders a template, with what failed said for the log.
pub fn render(template: &impl askama::Template) -> Result<Rendered> {
    Ok(Rendered(template.render()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_keep_only_their_emphasis() {
        assert_eq!(snippet("<em>泰豪</em> &amp; co"), "<em>泰豪</em> &amp; co");
        assert_eq!(
            snippet("<script>x</script><em onclick=1>"),
            "&lt;script&gt;x&lt;/script&gt;&lt;em onclick=1&gt;"
        );
        assert_eq!(snippet("a & b \"c\""), "a &amp; b &quot;c&quot;");
    }

    #[test]
    fn only_web_addresses_are_links() {
        assert_eq!(
            safe_link(" https://a.example "),
            Some("https://a.example".into())
        );
        assert_eq!(safe_link("javascript:alert(1)"), None);
        assert_eq!(safe_link("JavaScript:alert(1)"), None);
        assert_eq!(safe_link("data:text/html,x"), None);
    }
}
