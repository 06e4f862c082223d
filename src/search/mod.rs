//! Full-text discovery: one contract, two engines.
//!
//! [`SearchEngine`] is what the rest of the application knows of search. [`meili`] implements it
//! on Meilisearch (production, selected by `MEILI_URL`); [`embedded`] on Tantivy in
//! `<data dir>/search/` (the default, nothing to install). Both hold one index of
//! [`SearchDocument`]s of every [`SearchType`], so one query ranks companies, tenders and parks
//! together and per-type counts are a facet like any other.
//!
//! The index follows the database through a transactional outbox (`services::outbox`): a write
//! enqueues the keys it touched in its own transaction; the sync worker (`services::sync`)
//! applies them to the engine from the current database state, so replaying is harmless and
//! nothing committed is lost while the engine is down. This module knows documents, never the
//! database: the services sit above it.

pub mod embedded;
pub mod meili;
pub mod normalize;
pub mod synonyms;

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::domain::{
    CertificationStandard, DistrictCode, EmployeeBand, SearchType, ServiceLine, TenderStatus,
};

/// Which object a document stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocKey {
    pub kind: SearchType,
    pub id: i64,
}

impl DocKey {
    pub fn new(kind: SearchType, id: i64) -> Self {
        Self { kind, id }
    }

    /// The engine's primary key, e.g. `company-12`.
    pub fn as_string(&self) -> String {
        format!("{}-{}", self.kind.code().to_ascii_lowercase(), self.id)
    }

    pub fn parse(key: &str) -> Option<Self> {
        let (kind, id) = key.split_once('-')?;
        let kind = SearchType::ALL
            .into_iter()
            .find(|t| t.code().eq_ignore_ascii_case(kind))?;
        Some(Self {
            kind,
            id: id.parse().ok()?,
        })
    }
}

/// What the index holds for one company, tender or park. Enumerated values are stored as the
/// GraphQL enum names, which are also what facets report and filters accept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    /// `company-12`: the engine's primary key.
    pub key: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub id: i64,
    pub name_en: String,
    pub name_zh: String,
    pub description_en: String,
    pub description_zh: String,
    /// District code (`NANCHANG`) and its names in both languages.
    pub district: Option<String>,
    pub district_names: Vec<String>,
    /// Park global ID and its names.
    pub park: Option<String>,
    pub park_names: Vec<String>,
    pub service_lines: Vec<String>,
    /// Names of the lines and their families, both languages (ITO, 软件开发, ...).
    pub service_line_names: Vec<String>,
    /// Standards of certificates in force.
    pub certifications: Vec<String>,
    pub headcount: Option<i64>,
    pub employee_band: Option<String>,
    pub leading: bool,
    pub tender_status: Option<String>,
    /// Closing instant, seconds since the epoch.
    pub closes_at: Option<i64>,
    /// The buyer's names, for tenders.
    pub buyer: Vec<String>,
    /// A tender's disclosed value: the amount as a decimal string, and its ISO 4217 currency.
    pub value_amount: Option<String>,
    pub value_currency: Option<String>,
    /// Lower-cased English name, for sorting.
    pub name_sort: String,
    /// What identifies the object whole, as [`normalize::identifier_key`] folds it: a
    /// company's unified social credit code and its certificates' numbers, a tender's ocid.
    #[serde(default)]
    pub identifiers: Vec<String>,
}

impl SearchDocument {
    pub fn doc_key(&self) -> Option<DocKey> {
        DocKey::parse(&self.key)
    }
}

/// Narrows a search; within a field any value may match, across fields all must.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchFilter {
    pub types: Vec<SearchType>,
    pub districts: Vec<DistrictCode>,
    /// Park global IDs.
    pub parks: Vec<String>,
    pub service_lines: Vec<ServiceLine>,
    pub certifications: Vec<CertificationStandard>,
    pub employee_bands: Vec<EmployeeBand>,
    pub min_employees: Option<i64>,
    pub leading: Option<bool>,
    pub tender_status: Vec<TenderStatus>,
    /// Only the documents carrying this identifier ([`normalize::identifier_key`]'s form).
    pub identifier: Option<String>,
}

/// A facet the caller may ask counts for. Its values are the strings its filter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, async_graphql::Enum)]
pub enum SearchFacet {
    /// The district of companies and parks, as `District` codes (`NANCHANG`); the `districts`
    /// filter accepts them.
    District,
    /// The park of companies and parks (a park counts as its own), as park global IDs; the
    /// `parks` filter accepts them.
    Park,
    /// The service lines of companies, tenders and parks (a park's focus industries), as
    /// `ServiceLine` values; the `serviceLines` filter accepts them.
    ServiceLine,
    /// The standards of companies' certificates in force, as `CertificationStandard` values;
    /// the `certifications` filter accepts them.
    Certification,
    /// The headcount band of companies, as `EmployeeBand` values; the `employeeBands` filter
    /// accepts them.
    EmployeeBand,
    /// The status of tenders, as `TenderStatus` values; the `tenderStatus` filter accepts
    /// them.
    TenderStatus,
}

impl SearchFacet {
    pub const ALL: [SearchFacet; 6] = [
        SearchFacet::District,
        SearchFacet::Park,
        SearchFacet::ServiceLine,
        SearchFacet::Certification,
        SearchFacet::EmployeeBand,
        SearchFacet::TenderStatus,
    ];

    /// The document attribute the facet counts.
    pub fn attribute(self) -> &'static str {
        match self {
            Self::District => "district",
            Self::Park => "park",
            Self::ServiceLine => "service_lines",
            Self::Certification => "certifications",
            Self::EmployeeBand => "employee_band",
            Self::TenderStatus => "tender_status",
        }
    }
}

impl SearchFacet {
    /// Whether `filter` narrows by this facet's values.
    pub fn filtered_by(self, filter: &SearchFilter) -> bool {
        match self {
            Self::District => !filter.districts.is_empty(),
            Self::Park => !filter.parks.is_empty(),
            Self::ServiceLine => !filter.service_lines.is_empty(),
            Self::Certification => !filter.certifications.is_empty(),
            Self::EmployeeBand => !filter.employee_bands.is_empty(),
            Self::TenderStatus => !filter.tender_status.is_empty(),
        }
    }

    /// `filter` without this facet's condition.
    pub fn lifted(self, filter: &SearchFilter) -> SearchFilter {
        let mut filter = filter.clone();
        match self {
            Self::District => filter.districts.clear(),
            Self::Park => filter.parks.clear(),
            Self::ServiceLine => filter.service_lines.clear(),
            Self::Certification => filter.certifications.clear(),
            Self::EmployeeBand => filter.employee_bands.clear(),
            Self::TenderStatus => filter.tender_status.clear(),
        }
        filter
    }
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, async_graphql::Enum)]
pub enum SearchSort {
    /// Best match first.
    #[default]
    Relevance,
    /// By English name.
    Name,
    /// Largest headcount first.
    EmployeesDesc,
    /// Soonest closing tender first.
    ClosingDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchRequest {
    pub query: String,
    pub filter: SearchFilter,
    pub facets: Vec<SearchFacet>,
    pub sort: SearchSort,
    pub offset: usize,
    pub limit: usize,
}

impl SearchRequest {
    /// The requested facets the filter narrows by: each is counted disjunctively, over the
    /// hits of the request with that facet's own condition lifted (the other conditions kept),
    /// so that its distribution shows what choosing another of its values would give.
    pub fn disjunctive_facets(&self) -> Vec<SearchFacet> {
        self.facets
            .iter()
            .copied()
            .filter(|f| f.filtered_by(&self.filter))
            .collect()
    }
}

/// A matched field, with the matched words wrapped in `<em>` and `</em>`. The text around them
/// is HTML-escaped: names and descriptions are written by users, and a page that shows the
/// snippet as HTML must get no markup but Ganbridge's own `<em>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    pub field: String,
    pub snippet: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub key: DocKey,
    pub highlights: Vec<Highlight>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct SearchResponse {
    pub hits: Vec<SearchHit>,
    pub total_hits: usize,
    /// Per requested facet, its values with counts, most frequent first; a facet the filter
    /// narrows by is counted with its own condition lifted
    /// ([`SearchRequest::disjunctive_facets`]).
    pub facets: Vec<(SearchFacet, Vec<(String, usize)>)>,
    pub type_counts: Vec<(SearchType, usize)>,
}

/// Facet values by descending count, then by value; values counted zero are dropped.
pub(crate) fn ranked(mut values: Vec<(String, usize)>) -> Vec<(String, usize)> {
    values.retain(|(_, n)| *n > 0);
    values.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    values
}

/// Per-type counts, from the values of the `type` facet.
pub(crate) fn type_counts(values: Vec<(String, usize)>) -> Vec<(SearchType, usize)> {
    values
        .into_iter()
        .filter_map(|(v, n)| {
            SearchType::ALL
                .into_iter()
                .find(|t| t.code() == v)
                .map(|t| (t, n))
        })
        .collect()
}

/// Deepest hit a search pages to: search is for finding, lists are for walking.
pub const MAX_HITS: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The engine cannot be reached or refuses to work; retrying later may succeed.
    #[error("search engine unavailable: {0}")]
    Unavailable(String),
    /// The engine answered, but not as expected.
    #[error("search engine error: {0}")]
    Engine(String),
}

/// A search that failed is `SEARCH_UNAVAILABLE` to the caller; what the engine said goes to
/// the log only.
impl From<SearchError> for crate::error::AppError {
    fn from(error: SearchError) -> Self {
        crate::error::AppError::SearchUnavailable(error.to_string())
    }
}

/// One search contract; every engine passes the same contract tests.
#[async_trait]
pub trait SearchEngine: Send + Sync {
    /// A short name for logs and metrics.
    fn name(&self) -> &'static str;

    /// Whether every server reads the same index (a search service) rather than one of its
    /// own: then an index being filled is so for all of them alike.
    fn shared(&self) -> bool {
        false
    }

    /// Creates the index if needed and applies the settings this code expects.
    async fn prepare(&self) -> Result<(), SearchError>;

    /// Adds or replaces documents by key.
    async fn upsert(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError>;

    /// Removes documents by key; absent keys are ignored.
    async fn delete(&self, keys: Vec<DocKey>) -> Result<(), SearchError>;

    /// Replaces the whole index with these documents; searches keep answering from the old
    /// contents until the new ones are complete.
    async fn replace_all(&self, documents: Vec<SearchDocument>) -> Result<(), SearchError>;

    /// Runs a request as given: its query already normalised ([`normalize::query`]). Callers
    /// use [`SearchEngine::search`].
    async fn run(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError>;

    /// Searches as people expect on every engine alike: a query that is an identifier
    /// ([`normalize::identifier`]) finds the records carrying it, and only them, when there
    /// are any; otherwise the query is normalised and searched as words.
    async fn search(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
        if let Some(identifier) = normalize::identifier(&request.query) {
            let mut exact = request.clone();
            exact.query = String::new();
            exact.filter.identifier = Some(identifier);
            let found = self.run(&exact).await?;
            if found.total_hits > 0 {
                return Ok(found);
            }
        }
        let mut words = request.clone();
        words.query = normalize::query(&request.query);
        self.run(&words).await
    }

    /// How many documents the index holds.
    async fn count(&self) -> Result<u64, SearchError>;

    /// Whether the engine answers.
    async fn health(&self) -> Result<(), SearchError>;
}

/// The engine the settings select: Meilisearch when `MEILI_URL` is set, else the embedded one.
pub fn open(settings: &crate::config::Settings) -> Result<Arc<dyn SearchEngine>, SearchError> {
    use secrecy::ExposeSecret;
    match &settings.meili_url {
        Some(url) => {
            let key = settings
                .meili_master_key
                .as_ref()
                .map(|k| k.expose_secret().to_owned());
            Ok(Arc::new(meili::MeiliEngine::new(
                url,
                key.as_deref(),
                &settings.meili_index,
            )?))
        }
        None => Ok(Arc::new(embedded::EmbeddedEngine::open(
            &embedded::EmbeddedEngine::default_dir(&settings.data_dir),
        )?)),
    }
}

pub use crate::domain::escape_html;

/// Marks an engine puts around matched words in place of tags, so that the text can be
/// escaped first and the marks then become `<em>` and `</em>` ([`snippet_of_marked`]).
pub(crate) const MARK_START: &str = "\u{E000}";
pub(crate) const MARK_END: &str = "\u{E001}";

/// A snippet for a text whose matches are marked with [`MARK_START`] and [`MARK_END`]:
/// escaped, with the marks as `<em>` and `</em>`.
pub(crate) fn snippet_of_marked(text: &str) -> String {
    escape_html(text)
        .replace(MARK_START, "<em>")
        .replace(MARK_END, "</em>")
}
