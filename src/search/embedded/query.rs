//! Building the Tantivy query for a request: every word must match some text field (exactly,
//! with typos, or as a prefix when last; a synonym counts as the word), and each filter becomes
//! facet terms or a range, never query syntax.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};

use super::Inner;
use super::words::{Word, typos_allowed, words};
use crate::domain::SearchType;
use crate::domain::enum_code as code;
use crate::search::{SearchRequest, synonyms};

/// Longest word matched with typos or as a prefix.
const MAX_FUZZY_CHARS: usize = 32;

impl Inner {
    /// The whole query: the request's filters, and its words (all documents when none).
    pub(super) fn query(&self, request: &SearchRequest, words: &[Word]) -> BooleanQuery {
        let mut clauses = self.filter_clauses(request);
        if words.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        } else {
            clauses.push((Occur::Must, self.text_query(words)));
        }
        BooleanQuery::new(clauses)
    }

    fn analyze(&self, tokenizer: &str, text: &str) -> Vec<String> {
        let Some(mut analyzer) = self.index.tokenizers().get(tokenizer) else {
            return Vec::new();
        };
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while stream.advance() {
            tokens.push(stream.token().text.clone());
        }
        tokens
    }

    /// The query for one word: it must appear in some field, exactly (best), with typos, or as
    /// a prefix when it is the last word.
    fn word_query(&self, word: &Word, last: bool) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for &(field, tokenizer, weight) in &self.fields.text {
            match (word, tokenizer) {
                (Word::Latin(w), "en") => {
                    for token in self.analyze("en", w) {
                        let term = Term::from_field_text(field, &token);
                        let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                        clauses.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(exact), weight * 2.0)),
                        ));
                        // Typo and prefix automata grow with the word; a word longer than any
                        // name is matched exactly only.
                        let long = token.chars().count() > MAX_FUZZY_CHARS;
                        let typos = if long { 0 } else { typos_allowed(&token) };
                        if typos > 0 {
                            let fuzzy = FuzzyTermQuery::new(term.clone(), typos, true);
                            clauses.push((
                                Occur::Should,
                                Box::new(BoostQuery::new(Box::new(fuzzy), weight * 0.5)),
                            ));
                        }
                        if last && !long {
                            let prefix = FuzzyTermQuery::new_prefix(term, 0, true);
                            clauses.push((
                                Occur::Should,
                                Box::new(BoostQuery::new(Box::new(prefix), weight * 0.5)),
                            ));
                        }
                    }
                }
                (Word::Chinese(w), "jieba") => {
                    let tokens = self.analyze("jieba", w);
                    if let Some(q) = all_terms(field, &tokens) {
                        clauses.push((Occur::Should, Box::new(BoostQuery::new(q, weight * 2.0))));
                    }
                }
                (Word::Chinese(w), "ngram") => {
                    let chars: Vec<char> = w.chars().collect();
                    let grams: Vec<String> = if chars.len() == 1 {
                        vec![w.clone()]
                    } else {
                        chars.windows(2).map(|p| p.iter().collect()).collect()
                    };
                    if let Some(q) = all_terms(field, &grams) {
                        clauses.push((Occur::Should, Box::new(BoostQuery::new(q, weight))));
                    }
                }
                _ => {}
            }
        }
        Box::new(BooleanQuery::new(clauses))
    }

    /// All words must match; a word's or a phrase's synonyms count as it (a phrase of up to
    /// [`synonyms::longest_phrase`] Latin words, or a member found inside a run of Chinese).
    fn text_query(&self, words: &[Word]) -> Box<dyn Query> {
        let words = split_at_members(words);
        let longest = synonyms::longest_phrase();
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut i = 0;
        while i < words.len() {
            // The longest phrase starting here that is a synonym; a single word otherwise.
            let (n, alternatives) = (1..=longest.min(words.len() - i))
                .rev()
                .find_map(|n| {
                    let phrase = phrase(&words[i..i + n])?;
                    let alternatives = synonyms::alternatives(&phrase);
                    (!alternatives.is_empty()).then_some((n, alternatives))
                })
                .unwrap_or((1, &[]));
            let last = i + n == words.len();
            let own: Vec<(Occur, Box<dyn Query>)> = words[i..i + n]
                .iter()
                .enumerate()
                .map(|(k, w)| (Occur::Must, self.word_query(w, last && k + 1 == n)))
                .collect();
            let mut either: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, Box::new(BooleanQuery::new(own)))];
            for synonym in alternatives {
                let all: Vec<(Occur, Box<dyn Query>)> = self::words(synonym)
                    .iter()
                    .map(|w| (Occur::Must, self.word_query(w, false)))
                    .collect();
                either.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(BooleanQuery::new(all)), 0.8)),
                ));
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(either))));
            i += n;
        }
        Box::new(BooleanQuery::new(must))
    }

    fn filter_clauses(&self, request: &SearchRequest) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &request.filter;
        let facets = self.fields.facets;
        let any_of = |root: &str, values: Vec<String>| -> Option<Box<dyn Query>> {
            if values.is_empty() {
                return None;
            }
            let clauses = values
                .into_iter()
                .map(|v| {
                    let term =
                        Term::from_facet(facets, &Facet::from(format!("/{root}/{v}").as_str()));
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            Some(Box::new(BooleanQuery::new(clauses)))
        };
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut push = |q: Option<Box<dyn Query>>| {
            if let Some(q) = q {
                out.push((Occur::Must, q));
            }
        };
        push(any_of(
            "type",
            f.types.iter().map(|t| t.code().to_owned()).collect(),
        ));
        push(any_of(
            "district",
            f.districts.iter().map(|d| code(*d)).collect(),
        ));
        push(any_of("park", f.parks.clone()));
        push(any_of(
            "service_lines",
            f.service_lines.iter().map(|l| code(*l)).collect(),
        ));
        push(any_of(
            "certifications",
            f.certifications.iter().map(|c| code(*c)).collect(),
        ));
        push(any_of(
            "employee_band",
            f.employee_bands
                .iter()
                .map(|b| b.code().to_owned())
                .collect(),
        ));
        push(any_of(
            "tender_status",
            f.tender_status.iter().map(|s| code(*s)).collect(),
        ));
        // Leading or not is a property of companies only.
        if f.leading.is_some() {
            push(any_of("type", vec![SearchType::Company.code().to_owned()]));
        }
        if let Some(true) = f.leading {
            push(any_of("leading", vec!["true".into()]));
        }
        if let Some(identifier) = &f.identifier {
            let term = Term::from_field_text(self.fields.identifiers, identifier);
            push(Some(Box::new(TermQuery::new(
                term,
                IndexRecordOption::Basic,
            ))));
        }
        if let Some(min) = f.min_employees {
            let lower =
                Term::from_field_u64(self.fields.headcount, u64::try_from(min).unwrap_or(0));
            push(Some(Box::new(RangeQuery::new(
                Bound::Included(lower),
                Bound::Unbounded,
            ))));
        }
        if let Some(false) = f.leading {
            let term = Term::from_facet(facets, &Facet::from("/leading/true"));
            out.push((
                Occur::MustNot,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
            out.push((Occur::Must, Box::new(AllQuery)));
        }
        out
    }
}

fn all_terms(field: Field, tokens: &[String]) -> Option<Box<dyn Query>> {
    if tokens.is_empty() {
        return None;
    }
    let clauses = tokens
        .iter()
        .map(|t| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, t),
                IndexRecordOption::WithFreqs,
            ));
            (Occur::Must, q)
        })
        .collect();
    Some(Box::new(BooleanQuery::new(clauses)))
}

/// The words as one phrase: Latin words joined by spaces, or one Chinese word; `None` for a
/// mix.
fn phrase(words: &[Word]) -> Option<String> {
    match words {
        [Word::Chinese(w)] => Some(w.clone()),
        _ => {
            let latin: Option<Vec<&str>> = words
                .iter()
                .map(|w| match w {
                    Word::Latin(l) => Some(l.as_str()),
                    Word::Chinese(_) => None,
                })
                .collect();
            latin.map(|l| l.join(" "))
        }
    }
}

/// Runs of Chinese split around the synonym members they contain (南昌呼叫中心 is 南昌 and
/// 呼叫中心), longest member first; other words as they are.
fn split_at_members(words: &[Word]) -> Vec<Word> {
    let mut out = Vec::with_capacity(words.len());
    for word in words {
        match word {
            Word::Chinese(run) => split_run(run, &mut out),
            other => out.push(other.clone()),
        }
    }
    out
}

fn split_run(run: &str, out: &mut Vec<Word>) {
    if run.is_empty() {
        return;
    }
    let found = synonyms::chinese_members()
        .iter()
        .filter(|m| m.as_str() != run)
        .find_map(|m| run.find(m.as_str()).map(|at| (at, m.len())));
    match found {
        Some((at, len)) if synonyms::alternatives(run).is_empty() => {
            split_run(&run[..at], out);
            out.push(Word::Chinese(run[at..at + len].to_owned()));
            split_run(&run[at + len..], out);
        }
        _ => out.push(Word::Chinese(run.to_owned())),
    }
}
