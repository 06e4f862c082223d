//! Parsed queries, kept by their text. A partner site sends the same few queries over and over
//! with other variables, and parsing one costs more than copying its parsed form: the executor
//! is handed the copy and skips the parser. What a query means still depends on its variables
//! (`@skip`, `@include`, page sizes): those are applied to each copy as before, and validation
//! and the cost check run on every request.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::parser::types::ExecutableDocument;
use lru::LruCache;

/// How many parsed queries are kept; the least recently used goes first.
const KEPT: NonZeroUsize = NonZeroUsize::new(1_024).expect("not zero");

pub struct Documents(Mutex<LruCache<String, ExecutableDocument>>);

impl Default for Documents {
    fn default() -> Self {
        Documents(Mutex::new(LruCache::new(KEPT)))
    }
}

impl Documents {
    /// Gives `request` its parsed document: a copy of the one kept for its text, or parsed now
    /// and kept. A query that does not parse is left to the executor, which refuses it as it
    /// always has.
    pub fn prepare(&self, request: &mut async_graphql::Request) {
        if request.query.is_empty() {
            // A persisted query's hash alone: its text arrives later in the pipeline.
            return;
        }
        let kept = self
            .0
            .lock()
            .ok()
            .and_then(|mut kept| kept.get(request.query.as_str()).cloned());
        if let Some(document) = kept {
            request.set_parsed_query(document);
            return;
        }
        let Ok(document) = request.parsed_query() else {
            return;
        };
        let document = document.clone();
        if let Ok(mut kept) = self.0.lock() {
            kept.put(request.query.clone(), document);
        }
    }
}
