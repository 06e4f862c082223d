//! The embedded engine: a Tantivy index in `<data dir>/search/`, behaving on our data as users
//! expect from Meilisearch.
//!
//! - Every query word must match (Meilisearch's default); if nothing matches, trailing words are
//!   dropped one by one, as Meilisearch's `last` matching strategy does.
//! - Typos: one edit from 5 characters, two from 9 (transpositions count as one); the last word
//!   also matches as a prefix, for search-as-you-type.
//! - Chinese is segmented with jieba for relevance, and also indexed as character 1- and 2-grams,
//!   so any two characters of a name find it whatever the segmentation.
//! - Ranking is BM25 with field weights: names above places and service lines, above
//!   descriptions; exact words above typo and prefix matches.
//! - Facets and filters use one hierarchical facet field (`/district/NANCHANG`); filter values
//!   become terms, never query syntax.
//!
//! One `IndexWriter` for the process, explicit commits, one reader reloaded after each commit,
//! a fresh searcher per request.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery,
};
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, NgramTokenizer, SimpleTokenizer, TextAnalyzer,
};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, Term};
use tantivy_jieba::JiebaTokenizer;

use super::{
    DocKey, Highlight, SearchDocument, SearchEngine, SearchError, SearchHit, SearchRequest,
    SearchResponse, SearchSort, synonyms,
};
use crate::domain::SearchType;

/// Bump when the schema below changes: an index of another version is rebuilt.
const SCHEMA_VERSION: &str = "1";

/// Text fields: name, tokenizer, weight.
const TEXT_FIELDS: [(&str, &str, f32); 12] = [
    ("name_en", "en", 8.0),
    ("name_zh", "jieba", 8.0),
    ("name_ngram", "ngram", 5.0),
    ("places", "en", 3.0),
    ("places_zh", "jieba", 3.0),
    ("places_ngram", "ngram", 2.0),
    ("lines", "en", 3.0),
    ("lines_zh", "jieba", 3.0),
    ("other", "en", 2.0),
    ("other_zh", "jieba", 2.0),
    ("description_en", "en", 1.0),
    ("description_zh", "jieba", 1.0),
];

/// Longest word matched with typos or as a prefix.
const MAX_FUZZY_CHARS: usize = 32;

/// Words of a query that count (Meilisearch's limit too).
const MAX_WORDS: usize = 10;

/// Fields shown as highlights, in order.
const HIGHLIGHTED: [&str; 4] = ["name_en", "name_zh", "description_en", "description_zh"];

struct Fields {
    key: Field,
    facets: Field,
    headcount: Field,
    closes_at: Field,
    name_sort: Field,
    text: Vec<(Field, &'static str, f32)>,
}

/// The engine. Tantivy's work is synchronous and can take tens of milliseconds (a commit), so
/// every call runs on the blocking thread pool, never on the async runtime's workers.
pub struct EmbeddedEngine {
    inner: Arc<Inner>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    writer: Arc<Mutex<IndexWriter>>,
    fields: Arc<Fields>,
}

fn engine_error(e: impl std::fmt::Display) -> SearchError {
    SearchError::Engine(e.to_string())
}

fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("key", STRING | STORED);
    builder.add_facet_field("facets", FacetOptions::default());
    builder.add_u64_field("headcount", INDEXED | FAST);
    builder.add_i64_field("closes_at", INDEXED | FAST);
    builder.add_text_field("name_sort", STRING | FAST);
    for (name, tokenizer, _) in TEXT_FIELDS {
        let indexing = TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions);
        let mut options = TextOptions::default().set_indexing_options(indexing);
        if HIGHLIGHTED.contains(&name) {
            options = options.set_stored();
        }
        builder.add_text_field(name, options);
    }
    builder.build()
}

fn register_tokenizers(index: &Index) -> Result<(), SearchError> {
    let tokenizers = index.tokenizers();
    tokenizers.register(
        "en",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .build(),
    );
    tokenizers.register(
        "jieba",
        TextAnalyzer::builder(JiebaTokenizer::new())
            .filter(LowerCaser)
            .build(),
    );
    let ngram = NgramTokenizer::new(1, 2, false).map_err(engine_error)?;
    tokenizers.register(
        "ngram",
        TextAnalyzer::builder(ngram).filter(LowerCaser).build(),
    );
    Ok(())
}

impl Inner {
    /// Opens the index in `dir`, creating it (or recreating it, when its schema version is not
    /// this code's) as needed.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        let version_file = dir.join("ganbridge-schema-version");
        let current = std::fs::read_to_string(&version_file).ok();
        if current.as_deref() != Some(SCHEMA_VERSION) && dir.exists() {
            tracing::warn!(dir = %dir.display(), "search index of another version; rebuilding it");
            std::fs::remove_dir_all(dir).map_err(engine_error)?;
        }
        std::fs::create_dir_all(dir).map_err(engine_error)?;
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(engine_error)?;
        let index = Index::open_or_create(directory, schema()).map_err(engine_error)?;
        std::fs::write(&version_file, SCHEMA_VERSION).map_err(engine_error)?;
        Self::from_index(index)
    }

    /// An index in memory, for tests that need no files.
    pub fn in_memory() -> Result<Self, SearchError> {
        Self::from_index(Index::create_in_ram(schema()))
    }

    fn from_index(index: Index) -> Result<Self, SearchError> {
        register_tokenizers(&index)?;
        let schema = index.schema();
        let field = |name: &str| schema.get_field(name).map_err(engine_error);
        let fields = Fields {
            key: field("key")?,
            facets: field("facets")?,
            headcount: field("headcount")?,
            closes_at: field("closes_at")?,
            name_sort: field("name_sort")?,
            text: TEXT_FIELDS
                .iter()
                .map(|&(name, tokenizer, weight)| Ok((field(name)?, tokenizer, weight)))
                .collect::<Result<_, SearchError>>()?,
        };
        let writer: IndexWriter = index.writer(50_000_000).map_err(engine_error)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(engine_error)?;
        Ok(Self {
            index,
            reader,
            writer: Arc::new(Mutex::new(writer)),
            fields: Arc::new(fields),
        })
    }

    fn to_tantivy(&self, d: &SearchDocument) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, &d.key);
        let mut facet =
            |path: String| doc.add_facet(f.facets, tantivy::schema::Facet::from(path.as_str()));
        facet(format!("/type/{}", d.kind));
        if let Some(v) = &d.district {
            facet(format!("/district/{v}"));
        }
        if let Some(v) = &d.park {
            facet(format!("/park/{v}"));
        }
        for v in &d.service_lines {
            facet(format!("/service_lines/{v}"));
        }
        for v in &d.certifications {
            facet(format!("/certifications/{v}"));
        }
        if let Some(v) = &d.employee_band {
            facet(format!("/employee_band/{v}"));
        }
        if let Some(v) = &d.tender_status {
            facet(format!("/tender_status/{v}"));
        }
        if d.leading {
            facet("/leading/true".to_owned());
        }
        if let Some(h) = d.headcount {
            doc.add_u64(f.headcount, u64::try_from(h).unwrap_or(0));
        }
        if let Some(c) = d.closes_at {
            doc.add_i64(f.closes_at, c);
        }
        doc.add_text(f.name_sort, &d.name_sort);
        let (en, zh): (Vec<&String>, Vec<&String>) = d
            .district_names
            .iter()
            .chain(&d.park_names)
            .partition(|s| !has_cjk(s));
        let (lines_en, lines_zh): (Vec<&String>, Vec<&String>) =
            d.service_line_names.iter().partition(|s| !has_cjk(s));
        let (buyer_en, buyer_zh): (Vec<&String>, Vec<&String>) =
            d.buyer.iter().partition(|s| !has_cjk(s));
        let join = |v: Vec<&String>| {
            v.into_iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(" ; ")
        };
        let certifications = d.certifications.join(" ").replace('_', " ");
        let value = match (&d.value_currency, &d.value_amount) {
            (Some(currency), Some(amount)) => format!(" ; {currency} {amount}"),
            _ => String::new(),
        };
        let texts: [(usize, String); 12] = [
            (0, d.name_en.clone()),
            (1, d.name_zh.clone()),
            (2, d.name_zh.clone()),
            (3, join(en)),
            (4, join(zh.clone())),
            (5, join(zh)),
            (6, join(lines_en)),
            (7, join(lines_zh)),
            (8, format!("{} ; {certifications}{value}", join(buyer_en))),
            (9, join(buyer_zh)),
            (10, d.description_en.clone()),
            (11, d.description_zh.clone()),
        ];
        for (i, text) in texts {
            if !text.is_empty() {
                doc.add_text(f.text[i].0, text);
            }
        }
        doc
    }

    fn commit(&self, writer: &mut IndexWriter) -> Result<(), SearchError> {
        writer.commit().map_err(engine_error)?;
        self.reader.reload().map_err(engine_error)
    }

    fn writer(&self) -> Result<std::sync::MutexGuard<'_, IndexWriter>, SearchError> {
        self.writer
            .lock()
            .map_err(|_| SearchError::Engine("the index writer was poisoned by a panic".into()))
    }
}

/// Drops the operations a failed write left queued, so a later commit cannot publish half of it.
fn rollback_on_error(
    writer: &mut IndexWriter,
    result: Result<(), SearchError>,
) -> Result<(), SearchError> {
    if result.is_err()
        && let Err(e) = writer.rollback()
    {
        tracing::error!(error = %e, "rolling back the search index writer failed");
    }
    result
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2A6DF)
}

/// A query broken into words: runs of Chinese characters, and other words.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Word {
    Latin(String),
    Chinese(String),
}

fn words(query: &str) -> Vec<Word> {
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
fn typos_allowed(word: &str) -> u8 {
    match word.chars().count() {
        0..5 => 0,
        5..9 => 1,
        _ => 2,
    }
}

impl Inner {
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

    /// All words must match; a word's synonyms count as the word.
    fn text_query(&self, words: &[Word]) -> Box<dyn Query> {
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let last = i + 1 == words.len();
            let text = match word {
                Word::Latin(w) | Word::Chinese(w) => w,
            };
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> =
                vec![(Occur::Should, self.word_query(word, last))];
            for synonym in synonyms::alternatives(text) {
                let synonym_words = self::words(&synonym);
                let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for w in &synonym_words {
                    all.push((Occur::Must, self.word_query(w, false)));
                }
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(BooleanQuery::new(all)), 0.8)),
                ));
            }
            must.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
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
                    let term = Term::from_facet(
                        facets,
                        &tantivy::schema::Facet::from(format!("/{root}/{v}").as_str()),
                    );
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
        if let Some(min) = f.min_employees {
            let lower =
                Term::from_field_u64(self.fields.headcount, u64::try_from(min).unwrap_or(0));
            push(Some(Box::new(RangeQuery::new(
                Bound::Included(lower),
                Bound::Unbounded,
            ))));
        }
        if let Some(false) = f.leading {
            let term = Term::from_facet(facets, &tantivy::schema::Facet::from("/leading/true"));
            out.push((
                Occur::MustNot,
                Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
            ));
            out.push((Occur::Must, Box::new(AllQuery)));
        }
        out
    }

    fn run(
        &self,
        searcher: &Searcher,
        request: &SearchRequest,
        words: &[Word],
    ) -> Result<SearchResponse, SearchError> {
        let mut clauses = self.filter_clauses(request);
        if words.is_empty() {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        } else {
            clauses.push((Occur::Must, self.text_query(words)));
        }
        let query = BooleanQuery::new(clauses);
        let mut facet_collector = FacetCollector::for_field("facets");
        facet_collector.add_facet("/type");
        for facet in &request.facets {
            facet_collector.add_facet(format!("/{}", facet.attribute()).as_str());
        }
        let top = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let (addresses, total, facet_counts) = match request.sort {
            SearchSort::Relevance => {
                let (hits, total, facets) = searcher
                    .search(&query, &(top.order_by_score(), Count, facet_collector))
                    .map_err(engine_error)?;
                (
                    hits.into_iter()
                        .map(|(_, a)| a)
                        .collect::<Vec<DocAddress>>(),
                    total,
                    facets,
                )
            }
            SearchSort::Name => {
                let (hits, total, facets) = searcher
                    .search(
                        &query,
                        &(
                            top.order_by_string_fast_field("name_sort", Order::Asc),
                            Count,
                            facet_collector,
                        ),
                    )
                    .map_err(engine_error)?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
            SearchSort::EmployeesDesc => {
                let (hits, total, facets) = searcher
                    .search(
                        &query,
                        &(
                            top.order_by_fast_field::<u64>("headcount", Order::Desc),
                            Count,
                            facet_collector,
                        ),
                    )
                    .map_err(engine_error)?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
            SearchSort::ClosingDate => {
                let (hits, total, facets) = searcher
                    .search(
                        &query,
                        &(
                            top.order_by_fast_field::<i64>("closes_at", Order::Asc),
                            Count,
                            facet_collector,
                        ),
                    )
                    .map_err(engine_error)?;
                (hits.into_iter().map(|(_, a)| a).collect(), total, facets)
            }
        };
        let addresses = if request.limit == 0 {
            Vec::new()
        } else {
            addresses
        };
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses {
            let doc: TantivyDocument = searcher.doc(address).map_err(engine_error)?;
            let Some(key) = doc
                .get_first(self.fields.key)
                .and_then(|v| v.as_str())
                .and_then(DocKey::parse)
            else {
                continue;
            };
            let mut highlights = Vec::new();
            for name in HIGHLIGHTED {
                let Some(&(field, _, _)) = self
                    .fields
                    .text
                    .iter()
                    .find(|(f, _, _)| self.index.schema().get_field_name(*f) == name)
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
            hits.push(SearchHit { key, highlights });
        }
        let count = |root: &str| -> Vec<(String, usize)> {
            let values: Vec<(String, usize)> = facet_counts
                .get(root)
                .map(|(facet, n)| {
                    let value = facet
                        .to_path()
                        .last()
                        .map(|s| s.to_string())
                        .unwrap_or_default();
                    (value, n as usize)
                })
                .collect();
            super::ranked(values)
        };
        let type_counts = super::type_counts(count("/type"));
        let facets = request
            .facets
            .iter()
            .map(|f| (*f, count(&format!("/{}", f.attribute()))))
            .collect();
        Ok(SearchResponse {
            hits,
            total_hits: total,
            facets,
            type_counts,
        })
    }
}

use crate::domain::enum_code as code;

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
        out.push_str(&text[at..s]);
        out.push_str("<em>");
        out.push_str(&text[s..e]);
        out.push_str("</em>");
        at = e;
    }
    out.push_str(&text[at..to]);
    if to < text.len() {
        out.push('…');
    }
    Some(out)
}

impl EmbeddedEngine {
    /// Opens the index in `dir`, creating it (or recreating it, when its schema version is not
    /// this code's) as needed.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        Ok(Self {
            inner: Arc::new(Inner::open(dir)?),
        })
    }

    /// An index in memory, for tests that need no files.
    pub fn in_memory() -> Result<Self, SearchError> {
        Ok(Self {
            inner: Arc::new(Inner::in_memory()?),
        })
    }

    pub fn default_dir(data_dir: &Path) -> PathBuf {
        data_dir.join("search")
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Inner) -> Result<T, SearchError> + Send + 'static,
    ) -> Result<T, SearchError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || work(&inner))
            .await
            .map_err(|e| SearchError::Engine(format!("search task failed: {e}")))?
    }
}

impl Inner {
    fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError> {
        if documents.is_empty() {
            return Ok(());
        }
        let converted: Vec<(String, TantivyDocument)> = documents
            .iter()
            .map(|d| (d.key.clone(), self.to_tantivy(d)))
            .collect();
        let mut writer = self.writer()?;
        let result = (|| {
            for (key, doc) in converted {
                writer.delete_term(Term::from_field_text(self.fields.key, &key));
                writer.add_document(doc).map_err(engine_error)?;
            }
            self.commit(&mut writer)
        })();
        rollback_on_error(&mut writer, result)
    }

    fn delete(&self, keys: Vec<DocKey>) -> Result<(), SearchError> {
        if keys.is_empty() {
            return Ok(());
        }
        let mut writer = self.writer()?;
        for key in keys {
            writer.delete_term(Term::from_field_text(self.fields.key, &key.as_string()));
        }
        let result = self.commit(&mut writer);
        rollback_on_error(&mut writer, result)
    }

    fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError> {
        let converted: Vec<TantivyDocument> =
            documents.iter().map(|d| self.to_tantivy(d)).collect();
        let mut writer = self.writer()?;
        let result = (|| {
            writer.delete_all_documents().map_err(engine_error)?;
            for doc in converted {
                writer.add_document(doc).map_err(engine_error)?;
            }
            // Readers see the old contents until this commit, then all of the new.
            self.commit(&mut writer)
        })();
        rollback_on_error(&mut writer, result)
    }

    fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let searcher = self.reader.searcher();
        let mut words = words(&request.query);
        // Like Meilisearch, only the first ten words of a query count.
        words.truncate(MAX_WORDS);
        loop {
            let response = self.run(&searcher, request, &words)?;
            if response.total_hits > 0 || words.len() <= 1 {
                return Ok(response);
            }
            words.pop();
        }
    }
}

#[async_trait]
impl SearchEngine for EmbeddedEngine {
    fn name(&self) -> &'static str {
        "embedded"
    }

    async fn prepare(&self) -> Result<(), SearchError> {
        Ok(())
    }

    async fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError> {
        self.blocking(move |inner| inner.upsert(documents)).await
    }

    async fn delete(&self, keys: Vec<DocKey>) -> Result<(), SearchError> {
        self.blocking(move |inner| inner.delete(keys)).await
    }

    async fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError> {
        self.blocking(move |inner| inner.replace_all(documents))
            .await
    }

    async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        let request = request.clone();
        self.blocking(move |inner| inner.search(&request)).await
    }

    async fn count(&self) -> Result<u64, SearchError> {
        Ok(self.inner.reader.searcher().num_docs())
    }

    async fn health(&self) -> Result<(), SearchError> {
        Ok(())
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
    }
}
