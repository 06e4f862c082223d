//! HTTP routes: the GraphQL endpoint ([`graphql`]: POST for queries, GET for cacheable queries
//! and GraphiQL), its websocket ([`websocket`]), and the operational endpoints ([`ops`]:
//! `/healthz`, `/readyz`, `/metrics`), the open data ([`ocds`]: `/ocds/...`), the public
//! explorer's pages ([`web`]: `/`, `/companies/...`, `/statistics`, ...) and their embedded
//! assets ([`assets`]: `/assets/...`); [`auth`] turns a request's key into the caller, and
//! [`idempotency`] keeps the answers of mutations sent with an `Idempotency-Key`. Every
//! request gets an id and passes compression, CORS and tracing here.

mod assets;
mod auth;
mod body;
mod graphql;
mod idempotency;
mod ocds;
mod ops;
mod page;
mod web;
mod websocket;

use poem::http::{HeaderValue, Method};
use poem::middleware::{Compression, Cors, Tracing};
use poem::{Endpoint, EndpointExt, IntoEndpoint, Request, Route, get};
use tracing::Instrument;

use crate::db::StatementCounter;
use crate::graphql::documents::Prepared;
use crate::graphql::{ApiState, AppSchema};

/// A request's id: the caller's `X-Request-Id` when it is a short token, else a new one. It is
/// on every log line of the request and comes back in the response's `X-Request-Id`.
fn request_id(req: &Request) -> String {
    req.headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            !v.is_empty()
                && v.len() <= 64
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .map(str::to_owned)
        .unwrap_or_else(|| {
            let mut bytes = [0u8; 12];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            crate::domain::hex(&bytes)
        })
}

/// A path parameter as the router decoded it; empty when it is not UTF-8 (`%FF`), which the
/// handler refuses as any other bad value, rather than with the router's plain-text 400. (Under
/// the nested routes such an address fails before any handler, and `web::not_found` answers
/// it; this is for the routes outside them, the bulk files.)
fn path_param<'a>(req: &'a Request, name: &str) -> &'a str {
    req.raw_path_param(name).unwrap_or_default()
}

/// Whether a request comes from a page of this very site: its `Origin` names the host it was
/// sent to. Browsers send `Origin` on their own site's POSTs and websocket handshakes too
/// (GraphiQL's, the explorer's); the allow-list is for other sites, so such a request is passed
/// on without it, as a request from no other origin.
fn same_origin(req: &Request) -> bool {
    let headers = req.headers();
    // The host it was sent to: `Host` in HTTP/1.1, the address's authority in HTTP/2.
    let host = headers
        .get(poem::http::header::HOST)
        .and_then(|v| v.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()));
    let (Some(origin), Some(host)) = (
        headers
            .get(poem::http::header::ORIGIN)
            .and_then(|v| v.to_str().ok()),
        host,
    ) else {
        return false;
    };
    origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .is_some_and(|authority| authority.eq_ignore_ascii_case(host))
}

/// Browsers may call the API from the configured origins only.
fn cors(allowed: &str) -> Option<Cors> {
    let origins: Vec<&str> = allowed
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .collect();
    (!origins.is_empty()).then(|| {
        Cors::new()
            .allow_origins(origins)
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([
                "authorization",
                "content-type",
                "x-request-id",
                "idempotency-key",
            ])
            .expose_headers(["x-request-id", "retry-after", "idempotent-replayed"])
            .max_age(3600)
    })
}

pub fn routes(
    schema: AppSchema,
    state: ApiState,
    statements: StatementCounter,
    open_data: std::sync::Arc<crate::ocds::OpenData>,
) -> impl IntoEndpoint {
    let cors = cors(&state.limits.cors_allowed_origins);
    let varies_by_origin = cors.is_some();
    let draining = state.draining.clone();
    // Answers are compressed for the clients that accept it, except the bulk files, which are
    // gzip files already.
    let compressed = Route::new()
        .at(
            "/graphql",
            get(graphql::graphql_get).post(graphql::graphql_post),
        )
        .at("/graphql/ws", get(websocket::graphql_ws))
        .at("/healthz", get(ops::healthz))
        .at("/readyz", get(ops::readyz))
        .at("/readyz/traffic", get(ops::traffic))
        .at("/metrics", get(ops::metrics))
        .at("/ocds/releases", get(ocds::releases))
        .at("/ocds/releases/:ocid", get(ocds::tender_releases))
        .at("/ocds/records", get(ocds::records))
        .at("/ocds/records/:ocid", get(ocds::tender_record))
        .at("/ocds/bulk", get(ocds::bulk_index))
        .at("/suggest", get(web::suggest))
        .at("/companies/:id", get(web::company))
        .at("/tenders/:id", get(web::tender))
        .at("/parks/:id", get(web::park))
        .at("/statistics", get(web::statistics::statistics))
        .at("/statistics/:table", get(web::statistics::csv_table))
        .at("/", get(web::search))
        .at("/compare", get(web::compare))
        .at("/lang/:lang", get(web::switch_lang))
        .nest("/assets", assets::endpoint())
        .around(page::remember_query_lang)
        .with(Compression::new());
    Route::new()
        .at("/ocds/bulk/:kind/:file", get(ocds::bulk_file))
        .nest("/", compressed)
        .data(open_data)
        .data(Prepared::new(schema, state.documents.clone()))
        .data(state)
        .data(statements)
        .around(web::not_found)
        .with_if(cors.is_some(), cors.unwrap_or_default())
        .around(|endpoint, mut req| async move {
            if same_origin(&req) {
                req.headers_mut().remove(poem::http::header::ORIGIN);
            }
            endpoint.call(req).await
        })
        .with(Tracing)
        .around(move |endpoint, req| {
            let draining = draining.clone();
            async move {
                let id = request_id(&req);
                let span = tracing::info_span!("request", request_id = %id);
                let started = std::time::Instant::now();
                let mut response = endpoint.get_response(req).instrument(span).await;
                if let Ok(value) = HeaderValue::from_str(&id) {
                    response.headers_mut().insert("x-request-id", value);
                }
                // The server's own time to the answer's head (a streamed body goes on after
                // it), for browsers' developer tools and the benchmarks: `app;dur=` in ms.
                let took = started.elapsed().as_secs_f64() * 1000.0;
                if let Ok(value) = HeaderValue::from_str(&format!("app;dur={took:.2}")) {
                    response.headers_mut().insert("server-timing", value);
                }
                // Answers are compressed for the clients that accept it: a shared cache keeps
                // the compressed and the plain answer apart.
                response.headers_mut().append(
                    poem::http::header::VARY,
                    HeaderValue::from_static("Accept-Encoding"),
                );
                // Which origin may read an answer depends on the request's `Origin`: a shared
                // cache must keep the answers of each origin apart.
                if varies_by_origin {
                    response
                        .headers_mut()
                        .append(poem::http::header::VARY, HeaderValue::from_static("Origin"));
                }
                // While draining, no connection is kept for another request: a client or
                // balancer reconnects, to another server once this one is out of rotation.
                if draining.load(std::sync::atomic::Ordering::SeqCst)
                    && response.status() != poem::http::StatusCode::SWITCHING_PROTOCOLS
                {
                    response.headers_mut().insert(
                        poem::http::header::CONNECTION,
                        HeaderValue::from_static("close"),
                    );
                }
                Ok(response)
            }
        })
}
