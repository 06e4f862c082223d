//! What a request's query is, settled before the schema sees it, for every transport alike.
//!
//! - **Persisted queries** (Apollo's automatic persisted queries): a client sends a query's
//!   SHA-256 once with its text, then the hash alone (over GET, a URL a cache can keep).
//! - **Parsed queries, kept by their text.** A partner site sends the same few queries over and
//!   over with other variables, and parsing one costs more than copying its parsed form: the
//!   executor is handed the copy and skips the parser. What a query means still depends on its
//!   variables (`@skip`, `@include`, page sizes): those are applied to each copy as before, and
//!   validation and the cost check run on every request.
//!
//! Both are done here rather than as schema extensions: async-graphql runs every field of a
//! query through the chain of the schema's extensions, so each extension costs every field.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt};
use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, OperationType,
};
use async_graphql::{Data, Executor, Request, Response, ServerError};
use lru::LruCache;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::AppSchema;
use super::error::{request_error, safety_net};
use crate::error::AppError;

/// How many parsed queries are kept; the least recently used goes first.
const KEPT: NonZeroUsize = NonZeroUsize::new(1_024).expect("not zero");
/// How many persisted queries are kept, by hash; a client whose hash was dropped is told
/// `PersistedQueryNotFound` and sends the text again.
const PERSISTED: NonZeroUsize = NonZeroUsize::new(4_096).expect("not zero");

pub struct Documents {
    /// The longest query text accepted, in bytes, however it arrives: sent, or found by its
    /// persisted hash.
    max_query_bytes: usize,
    parsed: Mutex<LruCache<String, ExecutableDocument>>,
    persisted: Mutex<LruCache<String, String>>,
}

/// The `persistedQuery` request extension.
#[derive(Deserialize)]
struct PersistedQuery {
    version: i32,
    #[serde(rename = "sha256Hash")]
    sha256_hash: String,
}

impl Documents {
    pub fn new(max_query_bytes: usize) -> Self {
        Documents {
            max_query_bytes,
            parsed: Mutex::new(LruCache::new(KEPT)),
            persisted: Mutex::new(LruCache::new(PERSISTED)),
        }
    }

    /// Settles `request`'s query: the text of its persisted query if it sent a hash alone, then
    /// its parsed document: a copy of the one kept for its text, or parsed now and kept. A text
    /// sent with its hash is kept under the hash once it parses. A query that does not parse
    /// is left to the executor, which refuses it as it always has; one over the size limit is
    /// refused here, and nothing of it is kept.
    pub fn prepare(&self, request: &mut Request) -> Result<(), ServerError> {
        let register = match request.extensions.remove("persistedQuery") {
            Some(value) => self.persisted_query(request, value)?,
            None => None,
        };
        if request.query.len() > self.max_query_bytes {
            return Err(request_error(too_long(self.max_query_bytes)));
        }
        let kept = self
            .parsed
            .lock()
            .ok()
            .and_then(|mut kept| kept.get(request.query.as_str()).cloned());
        if let Some(document) = kept {
            request.set_parsed_query(document);
        } else {
            let Ok(document) = request.parsed_query() else {
                return Ok(());
            };
            let document = document.clone();
            if let Ok(mut kept) = self.parsed.lock() {
                kept.put(request.query.clone(), document);
            }
        }
        if let Some(hash) = register
            && let Ok(mut kept) = self.persisted.lock()
        {
            kept.put(hash, request.query.clone());
        }
        Ok(())
    }

    /// Applies the `persistedQuery` extension: fills in the text of a hash sent alone, or checks
    /// a text sent with its hash and answers the hash to keep it under.
    fn persisted_query(
        &self,
        request: &mut Request,
        value: async_graphql::Value,
    ) -> Result<Option<String>, ServerError> {
        let persisted = PersistedQuery::deserialize(value.into_json().unwrap_or_default())
            .map_err(|_| {
                refused("Invalid \"PersistedQuery\" extension configuration.".to_owned())
            })?;
        if persisted.version != 1 {
            return Err(refused(format!(
                "Only the \"PersistedQuery\" extension of version \"1\" is supported, and the current version is \"{}\".",
                persisted.version
            )));
        }
        if request.query.is_empty() {
            let known = self
                .persisted
                .lock()
                .ok()
                .and_then(|mut kept| kept.get(&persisted.sha256_hash).cloned());
            // The message is the protocol's: clients send the text again when they see it.
            request.query = known.ok_or_else(|| refused("PersistedQueryNotFound".to_owned()))?;
            return Ok(None);
        }
        let hash = format!("{:x}", Sha256::digest(request.query.as_bytes()));
        if persisted.sha256_hash != hash {
            return Err(refused("provided sha does not match query".to_owned()));
        }
        Ok(Some(hash))
    }
}

/// A persisted-query extension that cannot be honoured, in the protocol's words.
fn refused(message: String) -> ServerError {
    request_error(AppError::bad_field("extensions.persistedQuery", message))
}

/// A query text over the size limit, however it arrived.
pub(crate) fn too_long(max_query_bytes: usize) -> AppError {
    AppError::bad_field(
        "query",
        format!("the query is longer than {max_query_bytes} bytes"),
    )
}

/// The operation of `document` a request runs: the one it names, or the document's only one.
/// None when the executor will refuse the request for want of one.
pub(crate) fn chosen<'a>(
    document: &'a ExecutableDocument,
    requested: Option<&str>,
) -> Option<&'a Positioned<OperationDefinition>> {
    match (&document.operations, requested) {
        (DocumentOperations::Single(op), None) => Some(op),
        (DocumentOperations::Single(_), Some(_)) => None,
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        // A named operation alone in its document is run without being asked for by name.
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// What [`Prepared::settle`] leaves in a request's data: its query is settled, or could not be
/// (the error to answer).
struct Settled(Option<ServerError>);

/// The schema as every transport runs it: each request's query settled by [`Documents`] first,
/// and every answer passed through the error policy's [`safety_net`].
#[derive(Clone)]
pub struct Prepared {
    schema: AppSchema,
    documents: Arc<Documents>,
}

impl Prepared {
    pub fn new(schema: AppSchema, documents: Arc<Documents>) -> Self {
        Prepared { schema, documents }
    }

    /// Settles `request`'s query ahead of its execution, for a look at it first (its text once
    /// a persisted query's hash is resolved), and answers the type of the operation it will
    /// run: none when it will not run at all (it does not parse, or names no operation of its
    /// document). The execution takes the query as settled, and answers the error of one that
    /// could not be.
    pub fn settle(&self, request: &mut Request) -> Option<OperationType> {
        let settled = self.documents.prepare(request);
        let operation = match settled {
            Ok(()) => {
                let requested = request.operation_name.clone();
                request
                    .parsed_query()
                    .ok()
                    .and_then(|document| chosen(document, requested.as_deref()))
                    .map(|operation| operation.node.ty)
            }
            Err(_) => None,
        };
        request.data.insert(Settled(settled.err()));
        operation
    }
}

impl Executor for Prepared {
    async fn execute(&self, mut request: Request) -> Response {
        let settled = request
            .data
            .get(&std::any::TypeId::of::<Settled>())
            .and_then(|settled| settled.downcast_ref::<Settled>())
            .map(|settled| settled.0.clone());
        let prepared = match settled {
            Some(None) => Ok(()),
            Some(Some(error)) => Err(error),
            None => self.documents.prepare(&mut request),
        };
        let mut response = match prepared {
            Ok(()) => self.schema.execute(request).await,
            Err(error) => Response::from_errors(vec![error]),
        };
        safety_net(&mut response);
        response
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let responses = match self.documents.prepare(&mut request) {
            Ok(()) => self
                .schema
                .execute_stream_with_session_data(request, session_data.unwrap_or_default()),
            Err(error) => stream::once(async move { Response::from_errors(vec![error]) }).boxed(),
        };
        responses
            .map(|mut response| {
                safety_net(&mut response);
                response
            })
            .boxed()
    }
}
