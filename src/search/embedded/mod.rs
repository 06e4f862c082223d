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
//!
//! This file holds the engine itself (opening the index, the writer and reader, writes, the
//! [`SearchEngine`] impl); `schema` has the fields, tokenizers and documents, `words` a query's
//! words, `query` the Tantivy query for a request, `run` the sort, hits and facet counts, and
//! `highlight` the snippets.

mod highlight;
mod query;
mod run;
mod schema;
mod words;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use tantivy::schema::TantivyDocument;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Term};

use self::schema::{Fields, SCHEMA_VERSION, register_tokenizers, schema};
use super::{DocKey, SearchDocument, SearchEngine, SearchError, SearchRequest, SearchResponse};

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
        let fields = Fields::new(&index.schema())?;
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
            .map(|d| (d.key.clone(), self.fields.document(d)))
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
            documents.iter().map(|d| self.fields.document(d)).collect();
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

    async fn run(&self, request: &SearchRequest) -> Result<SearchResponse, SearchError> {
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
