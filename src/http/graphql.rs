//! The GraphQL endpoint over HTTP: `POST /graphql` for any operation, `GET /graphql` for
//! queries a cache may keep (or GraphiQL, without a query).
//!
//! A request goes through the same steps however it arrives: its key becomes the actor, its
//! query is bounded before anything runs, its cost is charged to the caller's quota, the whole
//! runs under the request timeout, and the answer is counted and given the headers its
//! outcome calls for (cache, media type, status). A mutation POSTed with an `Idempotency-Key`
//! is claimed first and its answer kept, so a retry is replayed rather than run
//! ([`super::idempotency`]).

use std::sync::Arc;
use std::time::Instant;

use async_graphql::Executor;
use async_graphql::parser::types::OperationType;
use async_graphql_poem::GraphQLResponse;
use poem::http::{HeaderValue, StatusCode, header};
use poem::web::{Data, Json};
use poem::{Body, IntoResponse, Request, Response, handler};
use serde_json::json;

use super::auth::{authenticate, authorization, client_address, meter};
use super::body::Unread;
use super::idempotency::{self, Begun};
use crate::domain::Actor;
use crate::error::AppError;
use crate::graphql::documents::{Prepared, too_long};
use crate::graphql::error::{outcome, request_error};
use crate::graphql::limits::{Meter, OperationName, RateLimit, ReadOnly, RequestedOperation};
use crate::graphql::{ApiState, loaders};

/// The GraphQL-over-HTTP response media type.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// GraphiQL, from this origin alone: its bundles are embedded under `/assets/vendor/`.
fn graphiql(req: &Request) -> Response {
    let page = crate::web::GraphiqlPage::new(super::page::lang_of(req));
    match crate::web::render(&page) {
        Ok(page) => super::page::html(StatusCode::OK, page.0, "public, max-age=3600"),
        Err(error) => {
            tracing::error!(error = %error, "GraphiQL's page could not be rendered");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Internal(std::sync::Arc::new(error)),
            )
        }
    }
}

/// A whole-request GraphQL error with its HTTP status, for failures before the operation runs.
pub(super) fn refusal(status: StatusCode, error: AppError) -> Response {
    let body = json!({ "errors": [request_error(error)] });
    let mut response = Json(body).with_status(status).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The answer to a request whose key was refused: 401, or 503 when it could not be checked.
pub(super) fn key_refused(error: AppError) -> Response {
    let status = match error {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    refusal(status, error)
}

/// Whether a POST body's media type is one GraphQL over HTTP defines. Anything else, a missing
/// type included, is refused: a browser sends `text/plain` and form bodies across origins
/// without a CORS preflight, so accepting them would let any page write with a visitor's
/// credentials.
fn accepted_body_type(content_type: Option<&str>) -> bool {
    let Some(content_type) = content_type else {
        return false;
    };
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    matches!(essence.as_str(), "application/json" | "application/graphql")
}

/// `POST /graphql`: any operation, as JSON (or a bare query as `application/graphql`).
#[handler]
pub(super) async fn graphql_post(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
    body: Body,
) -> Response {
    let limits = &state.limits;
    let bytes = match super::body::read_limited(body, limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(Unread::TooLarge) => {
            return refusal(
                StatusCode::PAYLOAD_TOO_LARGE,
                AppError::bad_input(format!(
                    "the request body is larger than {} bytes",
                    limits.max_body_bytes
                )),
            );
        }
        Err(Unread::Broken) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                AppError::bad_input("the request body could not be read"),
            );
        }
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if !accepted_body_type(content_type.as_deref()) {
        return refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::bad_input(
                "send the request as application/json (or application/graphql for a bare query)",
            ),
        );
    }
    let request = match async_graphql::http::receive_body(
        content_type,
        async_graphql::futures_util::io::Cursor::new(bytes),
        async_graphql::http::MultipartOptions::default(),
    )
    .await
    {
        Ok(request) => request,
        Err(error) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                AppError::bad_input(format!("not a GraphQL request: {error}")),
            );
        }
    };
    execute(&schema, &state, req, request, false).await
}

/// `GET /graphql`: a query in the URL (`?query=...&variables=...`, or a persisted query's hash
/// in `extensions`), cacheable; without one, GraphiQL.
#[handler]
pub(super) async fn graphql_get(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
) -> Response {
    let query_string = req.uri().query().unwrap_or_default();
    if !query_string.contains("query=") && !query_string.contains("extensions=") {
        return graphiql(req);
    }
    let request = match async_graphql::http::parse_query_string(query_string) {
        Ok(request) => request,
        Err(error) => {
            return refusal(
                StatusCode::BAD_REQUEST,
                AppError::bad_input(format!("not a GraphQL request: {error}")),
            );
        }
    };
    execute(&schema, &state, req, request.data(ReadOnly), true).await
}

/// One GraphQL request over HTTP, in its steps.
async fn execute(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    mut request: async_graphql::Request,
    via_get: bool,
) -> Response {
    let limits = &state.limits;
    let actor = match authenticate(state, authorization(req)).await {
        Ok(actor) => actor,
        Err(error) => return key_refused(error),
    };
    if request.query.len() > limits.max_query_bytes {
        return refusal(StatusCode::BAD_REQUEST, too_long(limits.max_query_bytes));
    }
    // Only a POST may write, so only a POST's `Idempotency-Key` is read. It scopes a key
    // holder's mutations; a query (or an anonymous caller, who cannot write) runs as if the
    // header were not there.
    let key = match via_get {
        true => None,
        false => match idempotency::key(req) {
            Ok(key) => key,
            Err(error) => return refusal(StatusCode::BAD_REQUEST, error),
        },
    };
    let claim = match (key, actor.key_id()) {
        (Some(key), Some(api_key_id))
            if schema.settle(&mut request) == Some(OperationType::Mutation) =>
        {
            match idempotency::begin(state, api_key_id, &key, &request).await {
                Begun::Run(claim) => Some(claim),
                Begun::Replayed(response) => return response,
                Begun::Refused(status, error) => return refusal(status, error),
            }
        }
        _ => None,
    };
    let Some(claim) = claim else {
        return run(schema, state, req, actor, request, via_get).await;
    };
    let response = run(
        schema,
        state,
        req,
        actor,
        request.data(claim.clone()),
        via_get,
    )
    .await;
    idempotency::finish(state, &claim, response)
        .await
        .unwrap_or_else(|error| refusal(StatusCode::INTERNAL_SERVER_ERROR, error))
}

/// The operation run: bounded in time, counted, charged, and answered.
async fn run(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    actor: Actor,
    request: async_graphql::Request,
    via_get: bool,
) -> Response {
    match operate(schema, state, req, actor, request).await {
        Ok(ran) => answer(req, actor, ran.response, via_get, ran.rate_limit),
        Err(error) => refusal(StatusCode::SERVICE_UNAVAILABLE, error),
    }
}

/// An operation's outcome, before it becomes an HTTP answer.
pub(super) struct Ran {
    pub response: async_graphql::Response,
    /// What the caller was charged, and whether it went over its quota.
    pub rate_limit: Option<RateLimit>,
}

impl Ran {
    /// The `Cache-Control` the same query sent anonymously by GET would be answered with.
    pub fn public_cache_control(&self) -> String {
        cache_control(&self.response, Actor::Anonymous)
    }

    /// Seconds until the quota's window resets, when the caller went over it.
    pub fn retry_after(&self) -> Option<i64> {
        self.rate_limit
            .filter(|o| o.exceeded)
            .map(|o| (o.reset_at - chrono::Utc::now()).num_seconds().max(1))
    }
}

/// A read-only query run in-process as an anonymous caller at the request's client address,
/// exactly as a GET from that address would run: the explorer's pages are made this way, so
/// their cost limits, visibility and quotas are the public API's.
pub(super) async fn run_public(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    request: async_graphql::Request,
) -> Result<Ran, AppError> {
    operate(schema, state, req, Actor::Anonymous, request.data(ReadOnly)).await
}

/// Runs an operation for `actor`: bounded in time, counted and charged.
async fn operate(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    actor: Actor,
    request: async_graphql::Request,
) -> Result<Ran, AppError> {
    let limits = &state.limits;
    let started = Instant::now();
    let given_name = request.operation_name.clone();
    let parsed_name = Arc::new(OperationName::default());
    let meter = meter(
        state,
        actor,
        &client_address(req, limits.trust_forwarded_for),
    );
    // Loaders live for one request: batching within it, no caching across callers.
    let request = request
        .data(actor)
        .data(loaders::loaders(state.db.clone(), actor))
        .data(meter.clone())
        .data(parsed_name.clone())
        .data(RequestedOperation(given_name.clone()));
    let Ok(mut response) = tokio::time::timeout(limits.timeout, schema.execute(request)).await
    else {
        tracing::warn!(timeout_secs = limits.timeout.as_secs(), "request timed out");
        return Err(AppError::ServiceUnavailable(format!(
            "the request took longer than {} s",
            limits.timeout.as_secs()
        )));
    };
    let name = given_name.or_else(|| parsed_name.0.lock().ok().and_then(|n| n.clone()));
    count(state, name.as_deref(), &response, started);
    let rate_limit = charged(state, &meter, &mut response);
    Ok(Ran {
        response,
        rate_limit,
    })
}

/// Public data may be cached by anyone for anonymous callers; what a key reads is its own.
fn cache_control(response: &async_graphql::Response, actor: Actor) -> String {
    if !response.errors.is_empty() {
        "no-store".to_owned()
    } else if actor.role().is_some() {
        "private, no-store".to_owned()
    } else {
        response
            .cache_control
            .value()
            .unwrap_or_else(|| "no-cache".to_owned())
    }
}

/// Counts the request in the metrics, by operation and outcome.
fn count(
    state: &ApiState,
    name: Option<&str>,
    response: &async_graphql::Response,
    started: Instant,
) {
    let operation = state.metrics.operation_label(name);
    let result = outcome(response);
    state
        .metrics
        .requests
        .with_label_values(&[operation.as_str(), result.as_str()])
        .inc();
    state
        .metrics
        .request_seconds
        .with_label_values(&[operation.as_str()])
        .observe(started.elapsed().as_secs_f64());
}

/// What the request was charged, told in the answer's `extensions.rateLimit`.
fn charged(
    state: &ApiState,
    meter: &Meter,
    response: &mut async_graphql::Response,
) -> Option<RateLimit> {
    let outcome = meter.outcome();
    if outcome.is_some_and(|o| o.exceeded) {
        state.metrics.rate_limited.inc();
    }
    if let Some(outcome) = outcome
        && let Ok(value) = serde_json::to_value(outcome)
    {
        response.extensions.insert(
            "rateLimit".to_owned(),
            async_graphql::Value::from_json(value).unwrap_or_default(),
        );
    }
    outcome
}

/// Whether any of the errors is one of a request that did not parse or validate: no data.
fn did_not_run(response: &async_graphql::Response) -> bool {
    response.data == async_graphql::Value::Null && response.errors.iter().any(|e| e.path.is_empty())
}

/// The HTTP answer: the media type the client accepts, the status and the cache headers the
/// outcome calls for.
fn answer(
    req: &Request,
    actor: Actor,
    response: async_graphql::Response,
    via_get: bool,
    rate_limit: Option<RateLimit>,
) -> Response {
    let refused_over_get = via_get
        && response.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .is_some_and(|x| x.get("method").is_some())
        });
    let cache_control = cache_control(&response, actor);
    // GraphQL over HTTP: a client that accepts `application/graphql-response+json` gets that
    // media type, and a request that could not run at all (it did not parse or validate)
    // gets 400 and no `data` entry, instead of 200 and `"data": null`.
    let graphql_response_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(GRAPHQL_RESPONSE_JSON));
    let mut http = if graphql_response_json && did_not_run(&response) {
        let body = json!({ "errors": response.errors, "extensions": response.extensions });
        let mut http = Json(without_empty_extensions(body))
            .with_status(StatusCode::BAD_REQUEST)
            .into_response();
        http.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(GRAPHQL_RESPONSE_JSON),
        );
        http
    } else {
        let mut http = GraphQLResponse::from(response).into_response();
        if graphql_response_json {
            http.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(GRAPHQL_RESPONSE_JSON),
            );
        }
        http
    };
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        http.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    if refused_over_get {
        http.set_status(StatusCode::METHOD_NOT_ALLOWED);
        http.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    if let Some(outcome) = rate_limit.filter(|o| o.exceeded) {
        http.set_status(StatusCode::TOO_MANY_REQUESTS);
        let retry = (outcome.reset_at - chrono::Utc::now()).num_seconds().max(1);
        if let Ok(value) = HeaderValue::from_str(&retry.to_string()) {
            http.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    http
}

/// A body without an empty `extensions` entry, as async-graphql leaves it out.
fn without_empty_extensions(mut body: serde_json::Value) -> serde_json::Value {
    if let Some(object) = body.as_object_mut()
        && object
            .get("extensions")
            .is_some_and(|e| e.as_object().is_some_and(|o| o.is_empty()))
    {
        object.remove("extensions");
    }
    body
}
