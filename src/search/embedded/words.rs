//! A query's text as the engine sees it: words (runs of Chinese characters, and other words),
//! what counts as Chinese, and how many typos a word may carry.

pub(super) fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

/// What counts as a Chinese character: one definition for normalisation and the engine.
pub(super) use crate::search::normalize::is_cjk;

/// A query broken into words: runs of Chinese characters, and other words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Word {
    Latin(String),
    Chinese(String),
}

pub(super) fn words(query: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut latin = String::new();
    let mut chinese = String::new();
    let flush = |latin: &mut String, chinese: &mut String, out: &mut Vec<Word>| {
        if !latin.is_empty() {
            out.push(Word::Latin(std::mem::take(latin).to_lowercase()));
        }
        if !chinese.is_empty() {
            out.push(Word::Chinese(std::mem::take(chinese)));
        }
    };
    for c in query.chars() {
        if is_cjk(c) {
            if !latin.is_empty() {
                flush(&mut latin, &mut String::new(), &mut out);
            }
            chinese.push(c);
        } else if c.is_alphanumeric() {
            if !chinese.is_empty() {
                flush(&mut String::new(), &mut chinese, &mut out);
            }
            latin.push(c);
        } else {
            flush(&mut latin, &mut chinese, &mut out);
        }
    }
    flush(&mut latin, &mut chinese, &mut out);
    out
}

/// Edits a word of this length may contain and still match (Meilisearch's defaults).
pub(super) fn typos_allowed(word: &str) -> u8 {
    match word.chars().count() {
        0..5 => 0,
        5..9 => 1,
        _ => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_split_into_latin_and_chinese_words() {
        assert_eq!(
            words("Tellhow 南昌软件, ITO"),
            vec![
                Word::Latin("tellhow".into()),
                Word::Chinese("南昌软件".into()),
                Word::Latin("ito".into())
            ]
        );
        assert_eq!(words("  "), vec![]);
    }
}
