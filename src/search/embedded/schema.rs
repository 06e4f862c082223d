//! The index's schema: its fields (keys, one hierarchical facet field, the fast fields sorts
//! and ranges use, the weighted text fields), the tokenizers those text fields name, and how a
//! [`SearchDocument`] is laid onto them.

use tantivy::Index;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TantivyDocument, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, NgramTokenizer, SimpleTokenizer, TextAnalyzer,
};
use tantivy_jieba::JiebaTokenizer;

use super::engine_error;
use super::highlight::HIGHLIGHTED;
use super::words::has_cjk;
use crate::search::{SearchDocument, SearchError, normalize};

/// Bump when the schema below changes: an index of another version is rebuilt.
pub(super) const SCHEMA_VERSION: &str = "2";

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

/// The schema's fields, looked up once.
pub(super) struct Fields {
    pub(super) key: Field,
    pub(super) facets: Field,
    pub(super) headcount: Field,
    pub(super) closes_at: Field,
    pub(super) name_sort: Field,
    /// Whole identifiers, as [`normalize::identifier_key`] folds them.
    pub(super) identifiers: Field,
    /// [`TEXT_FIELDS`], in order: field, tokenizer, weight.
    pub(super) text: Vec<(Field, &'static str, f32)>,
}

pub(super) fn schema() -> Schema {
    let mut builder = Schema::builder();
    builder.add_text_field("key", STRING | STORED);
    builder.add_facet_field("facets", FacetOptions::default());
    builder.add_u64_field("headcount", INDEXED | FAST);
    builder.add_i64_field("closes_at", INDEXED | FAST);
    builder.add_text_field("name_sort", STRING | FAST);
    builder.add_text_field("identifiers", STRING);
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

pub(super) fn register_tokenizers(index: &Index) -> Result<(), SearchError> {
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

impl Fields {
    pub(super) fn new(schema: &Schema) -> Result<Self, SearchError> {
        let field = |name: &str| schema.get_field(name).map_err(engine_error);
        Ok(Self {
            key: field("key")?,
            facets: field("facets")?,
            headcount: field("headcount")?,
            closes_at: field("closes_at")?,
            name_sort: field("name_sort")?,
            identifiers: field("identifiers")?,
            text: TEXT_FIELDS
                .iter()
                .map(|&(name, tokenizer, weight)| Ok((field(name)?, tokenizer, weight)))
                .collect::<Result<_, SearchError>>()?,
        })
    }

    /// The index's document for `d`.
    pub(super) fn document(&self, d: &SearchDocument) -> TantivyDocument {
        let f = self;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.key, &d.key);
        let mut facet = |path: String| doc.add_facet(f.facets, Facet::from(path.as_str()));
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
        for identifier in &d.identifiers {
            doc.add_text(f.identifiers, identifier);
        }
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
        // The normalised forms of the words (normalize.rs), as further values of the fields
        // their words come from: the first value, the text as written, is what highlights show.
        let (names_en, names_zh): (Vec<String>, Vec<String>) = normalize::name_aliases(d)
            .into_iter()
            .partition(|s| !has_cjk(s));
        let (texts_en, texts_zh): (Vec<String>, Vec<String>) = normalize::text_aliases(d)
            .into_iter()
            .partition(|s| !has_cjk(s));
        let mut also = |i: usize, values: &[String]| {
            if !values.is_empty() {
                doc.add_text(f.text[i].0, values.join(" ; "));
            }
        };
        also(0, &names_en);
        also(1, &names_zh);
        also(2, &names_zh);
        also(8, &normalize::certification_aliases(d));
        also(10, &texts_en);
        also(11, &texts_zh);
        doc
    }
}
