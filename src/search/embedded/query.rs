//! Building the Tantivy query for a request: every word must match some text field (exactly,
//! with typos, or as a prefix when last), and each filter becomes facet terms or a range, never
//! query syntax.

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{Facet, Field, IndexRecordOption};

use super::Inner;
use super::words::{Word, typos_allowed};
use crate::domain::SearchType;
use crate::domain::enum_code as code;
use crate::search::SearchRequest;

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

    /// All words must match. (Synonyms need no expansion here: documents carry the synonyms
    /// of what they say, `normalize::text_aliases`.)
    fn text_query(&self, words: &[Word]) -> Box<dyn Query> {
        let must: Vec<(Occur, Box<dyn Query>)> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (Occur::Must, self.word_query(w, i + 1 == words.len())))
            .collect();
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
