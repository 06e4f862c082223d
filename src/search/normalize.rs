//! What both engines do to text before comparing it, so that people find what they type:
//!
//! - **One Chinese**: traditional characters become simplified, by OpenCC's own dictionaries
//!   (`t2s`: characters and phrases; regional vocabulary such as Taiwan's 軟體 for 软件 is left
//!   to the synonyms, since converting it would also rewrite mainland words: `tw2sp` turns
//!   呼叫中心 into 调用中心);
//! - **One width, one case**: full-width Latin letters and digits become half-width (Unicode
//!   NFKC), and case folds;
//! - **Punctuation inside a word joins it**: `K.T`, `Ji'an`, `Ji’an` and `Sci-Tech` are also the
//!   words `kt`, `jian` and `scitech`.
//!
//! A query is normalised whole ([`query`]). A document keeps its texts as written (they are
//! what highlights show) and gains aliases: the normalised forms of its words that differ from
//! what the engines' own tokenizers make of them ([`name_aliases`], [`text_aliases`]). Both
//! engines index the aliases beside the texts, so the same query finds the same documents.
//!
//! Identifiers ([`identifier`]) are compared whole, after folding: a pasted unified social
//! credit code, certificate number or ocid finds its record first.

use std::sync::OnceLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use unicode_normalization::UnicodeNormalization;

use super::{SearchDocument, synonyms};

/// Characters that, between two letters or digits, join them into one word.
const JOINERS: [char; 9] = ['.', '\'', '’', '‘', '-', '‐', '‑', '·', '&'];

fn converter() -> Option<&'static OpenCC> {
    static CONVERTER: OnceLock<Option<OpenCC>> = OnceLock::new();
    CONVERTER
        .get_or_init(|| match OpenCC::from_config(BuiltinConfig::T2s) {
            Ok(converter) => Some(converter),
            Err(error) => {
                tracing::error!(%error, "the traditional-to-simplified dictionary did not load; Chinese is compared as written");
                None
            }
        })
        .as_ref()
}

pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// Simplified Chinese, half-width, lower case; control characters become spaces. Nothing else
/// changes: punctuation stays where it was.
pub fn fold(text: &str) -> String {
    let nfkc: String = text
        .nfkc()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let simplified = match converter() {
        Some(converter) if nfkc.chars().any(is_cjk) => converter.convert(&nfkc),
        _ => nfkc,
    };
    simplified.to_lowercase()
}

/// Removes the [`JOINERS`] that stand between two letters or digits (not Chinese ones).
pub fn join_words(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let word = |c: Option<&char>| c.is_some_and(|c| c.is_alphanumeric() && !is_cjk(*c));
    let mut out = String::with_capacity(text.len());
    for (i, c) in chars.iter().enumerate() {
        if JOINERS.contains(c) && i > 0 && word(chars.get(i - 1)) && word(chars.get(i + 1)) {
            continue;
        }
        out.push(*c);
    }
    out
}

/// Words a query may carry that say nothing of what is sought ("software companies in
/// Jiujiang" seeks software and Jiujiang): dropped from a query that has other words.
const STOP_WORDS: [&str; 12] = [
    "companies",
    "company",
    "firms",
    "firm",
    "enterprises",
    "enterprise",
    "in",
    "of",
    "the",
    "for",
    "located",
    "based",
];

/// A query as both engines search it: folded, words joined, words that say nothing dropped.
pub fn query(text: &str) -> String {
    let joined = join_words(&fold(text));
    let meaningful: Vec<&str> = joined
        .split_whitespace()
        .filter(|w| !STOP_WORDS.contains(w))
        .collect();
    if meaningful.is_empty() {
        joined.trim().to_owned()
    } else {
        meaningful.join(" ")
    }
}

/// The forms of `text` an engine's tokenizer would not make by itself: each word the joiners
/// hold together, folded (`k.t` gives `kt`), and, when folding changes the text (traditional
/// characters, full-width letters), the folded text whole.
fn aliases_of(text: &str, out: &mut Vec<String>) {
    if text.is_empty() {
        return;
    }
    let folded = fold(text);
    let mut push = |alias: String| {
        if !alias.is_empty() && !out.contains(&alias) {
            out.push(alias);
        }
    };
    for token in folded.split(|c: char| !(c.is_alphanumeric() || JOINERS.contains(&c))) {
        let joined = join_words(token);
        let joined = joined.trim_matches(|c| JOINERS.contains(&c));
        if joined.chars().count() < token.trim_matches(|c| JOINERS.contains(&c)).chars().count() {
            push(joined.to_owned());
        }
    }
    if folded != text.to_lowercase() {
        push(join_words(&folded));
    }
    // The field's synonyms of what the text says, so that every engine finds it by any of
    // them, whatever its own query-time synonyms can do.
    for member in synonyms::members_in(&join_words(&folded)) {
        for alternative in synonyms::alternatives(member) {
            push(alternative.clone());
        }
    }
}

/// Aliases of a document's names: its own, its district's, park's and buyer's.
pub fn name_aliases(d: &SearchDocument) -> Vec<String> {
    let mut out = Vec::new();
    for text in [&d.name_en, &d.name_zh]
        .into_iter()
        .chain(&d.district_names)
        .chain(&d.park_names)
        .chain(&d.buyer)
    {
        aliases_of(text, &mut out);
    }
    out
}

/// Aliases of a document's other texts: descriptions and service lines.
pub fn text_aliases(d: &SearchDocument) -> Vec<String> {
    let mut out = Vec::new();
    for text in [&d.description_en, &d.description_zh]
        .into_iter()
        .chain(&d.service_line_names)
    {
        aliases_of(text, &mut out);
    }
    out
}

/// The standards of a document's certificates as people type them, run together:
/// `ISO_IEC_27001` is also `isoiec27001`, `iso27001` and `iec27001`; `CMMI_DEV` is `cmmidev`.
pub fn certification_aliases(d: &SearchDocument) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for code in &d.certifications {
        let parts: Vec<String> = code.split('_').map(str::to_lowercase).collect();
        let (numbers, names): (Vec<&String>, Vec<&String>) = parts
            .iter()
            .partition(|p| p.chars().all(|c| c.is_ascii_digit()));
        let mut forms = vec![parts.concat()];
        if let Some(number) = numbers.first() {
            forms.extend(names.iter().map(|name| format!("{name}{number}")));
        }
        for form in forms {
            if !out.contains(&form) {
                out.push(form);
            }
        }
    }
    out
}

/// An identifier as stored and compared: folded to half-width, upper case, trimmed.
pub fn identifier_key(value: &str) -> String {
    value.nfkc().collect::<String>().trim().to_uppercase()
}

/// The identifier a query may be (a unified social credit code, a certificate number, an
/// ocid): one token of 6 to 64 letters, digits and `-_./`, with at least one digit. Such a
/// query is first looked up whole; only when no record carries it is it searched as words.
pub fn identifier(query: &str) -> Option<String> {
    let key = identifier_key(query);
    let shaped = (6..=64).contains(&key.chars().count())
        && key.chars().any(|c| c.is_ascii_digit())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
    shaped.then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traditional_full_width_and_case_fold_to_one_form() {
        assert_eq!(fold("開天動漫"), "开天动漫");
        assert_eq!(fold("贛州"), "赣州");
        assert_eq!(fold("軟件開發"), "软件开发");
        assert_eq!(fold("軟體"), "软体");
        assert_eq!(fold("呼叫中心"), "呼叫中心");
        assert_eq!(fold("ＴＥＬＬＨＯＷ　１２３"), "tellhow 123");
        assert_eq!(fold("Tellhow"), "tellhow");
        assert_eq!(fold("南昌"), "南昌");
    }

    #[test]
    fn punctuation_inside_a_word_joins_it() {
        assert_eq!(query("K.T Cartoon"), "kt cartoon");
        assert_eq!(query("Ji'an Luling"), "jian luling");
        assert_eq!(query("Ji’an"), "jian");
        assert_eq!(query("Sci-Tech"), "scitech");
        assert_eq!(query("Co., Ltd."), "co., ltd.");
        assert_eq!(query(" - "), "-");
        assert_eq!(query("software companies in Jiujiang"), "software jiujiang");
        assert_eq!(query("the company"), "the company");
    }

    #[test]
    fn documents_gain_the_joined_and_folded_forms_of_their_words() {
        let mut out = Vec::new();
        aliases_of("Jiangxi K.T Cartoon Co., Ltd.", &mut out);
        assert_eq!(out, vec!["kt", "动漫", "animation"]);
        let mut out = Vec::new();
        aliases_of("Ji'an Luling Sci-Tech Park", &mut out);
        assert_eq!(out, vec!["jian", "scitech", "吉安"]);
        let mut out = Vec::new();
        aliases_of("開天動漫", &mut out);
        assert_eq!(out, vec!["开天动漫", "animation", "cartoon"]);
        let mut out = Vec::new();
        aliases_of("Tellhow Sci-tech", &mut out);
        assert_eq!(out, vec!["scitech".to_owned()]);
    }

    #[test]
    fn identifiers_are_single_tokens_with_digits() {
        assert_eq!(
            identifier("  9136010070000001x0 ").as_deref(),
            Some("9136010070000001X0")
        );
        assert_eq!(
            identifier("ocds-gnbrdg-000001").as_deref(),
            Some("OCDS-GNBRDG-000001")
        );
        assert_eq!(identifier("ISO 27001"), None);
        assert_eq!(identifier("Tellhow"), None);
        assert_eq!(identifier("CMMI5"), None);
    }
}
