//! Highlighting: the query's words marked with `<em>` in a hit's names and descriptions, the
//! descriptions cut to a window around the first match.

use tantivy::TantivyDocument;
use tantivy::schema::{Schema, Value};

use super::schema::Fields;
use super::words::{Word, is_cjk, typos_allowed};
use crate::search::{Highlight, escape_html};

/// Fields shown as highlights, in order (and so the text fields that are stored).
pub(super) const HIGHLIGHTED: [&str; 4] =
    ["name_en", "name_zh", "description_en", "description_zh"];

/// A hit's highlights: each of [`HIGHLIGHTED`] whose stored text matches the query's words.
pub(super) fn highlights(
    doc: &TantivyDocument,
    fields: &Fields,
    schema: &Schema,
    words: &[Word],
) -> Vec<Highlight> {
    let mut highlights = Vec::new();
    for name in HIGHLIGHTED {
        let Some(&(field, _, _)) = fields
            .text
            .iter()
            .find(|(f, _, _)| schema.get_field_name(*f) == name)
        else {
            continue;
        };
        if let Some(text) = doc.get_first(field).and_then(|v| v.as_str())
            && let Some(snippet) = highlight(text, words, name.starts_with("description"))
        {
            highlights.push(Highlight {
                field: name.to_owned(),
                snippet,
            });
        }
    }
    highlights
}

/// Wraps the words of `text` that match the query in `<em>`; descriptions are cut to a window
/// around the first match. `None` when nothing matches.
fn highlight(text: &str, words: &[Word], window: bool) -> Option<String> {
    if words.is_empty() {
        return None;
    }
    let mut marks: Vec<(usize, usize)> = Vec::new();
    // Latin words: compare each word of the text, folded, with each query word.
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if c.is_alphanumeric() && !is_cjk(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            let candidate = text[s..i].to_lowercase();
            let matched = words.iter().enumerate().any(|(n, w)| match w {
                Word::Latin(q) => {
                    let last = n + 1 == words.len();
                    candidate == *q
                        || (last && candidate.starts_with(q.as_str()))
                        || (typos_allowed(q) > 0
                            && strsim::osa_distance(&candidate, q) <= usize::from(typos_allowed(q)))
                }
                Word::Chinese(_) => false,
            });
            if matched {
                marks.push((s, i));
            }
        }
    }
    for w in words {
        if let Word::Chinese(q) = w {
            for (s, _) in text.match_indices(q.as_str()) {
                marks.push((s, s + q.len()));
            }
        }
    }
    if marks.is_empty() {
        return None;
    }
    marks.sort();
    let (from, to) = if window {
        let first = marks[0].0;
        let from = text[..first]
            .char_indices()
            .rev()
            .nth(60)
            .map(|(i, _)| i)
            .unwrap_or(0);
        let to = text[first..]
            .char_indices()
            .nth(120)
            .map(|(i, _)| first + i)
            .unwrap_or(text.len());
        (from, to)
    } else {
        (0, text.len())
    };
    let mut out = String::new();
    if from > 0 {
        out.push('…');
    }
    let mut at = from;
    for (s, e) in marks {
        if s < at || e > to {
            continue;
        }
        out.push_str(&escape_html(&text[at..s]));
        out.push_str("<em>");
        out.push_str(&escape_html(&text[s..e]));
        out.push_str("</em>");
        at = e;
    }
    out.push_str(&escape_html(&text[at..to]));
    if to < text.len() {
        out.push('…');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::embedded::words::words;

    #[test]
    fn highlights_mark_exact_typo_prefix_and_chinese_matches() {
        let q = words("telhow 南昌");
        assert_eq!(
            highlight("Tellhow Sci-Tech", &q, false).unwrap(),
            "<em>Tellhow</em> Sci-Tech"
        );
        assert_eq!(
            highlight("南昌泰豪", &words("南昌"), false).unwrap(),
            "<em>南昌</em>泰豪"
        );
        assert_eq!(
            highlight("Thinvent Digital", &words("thin"), false).unwrap(),
            "<em>Thinvent</em> Digital"
        );
        assert!(highlight("Nothing here", &words("tellhow"), false).is_none());
        assert_eq!(
            highlight("<i> Tellhow & \"Co\"", &words("tellhow"), false).unwrap(),
            "&lt;i&gt; <em>Tellhow</em> &amp; &quot;Co&quot;"
        );
    }
}
