//! HTTP routes: the GraphQL endpoint (POST for queries, GET for GraphiQL), its websocket, and
//! the operational endpoints `/healthz`, `/readyz` and `/metrics`.

use async_graphql::futures_util::{SinkExt, StreamExt};
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLProtocol, GraphQLResponse, GraphQLWebSocket};
use poem::Endpoint;
use poem::error::ReadBodyError;
use poem::http::Method;
use poem::http::{HeaderValue, StatusCode, header};
use poem::middleware::{Compression, Cors, Tracing};
use poem::web::websocket::{CloseCode, Message, WebSocket};
use poem::web::{Data, Html, Json};
use poem::{Body, EndpointExt, IntoEndpoint, IntoResponse, Request, Response, Route, get, handler};
use serde_json::json;
use std::sync::Arc;
use tracing::Instrument;

use crate::db::StatementCounter;
use crate::domain::Actor;
use crate::error::AppError;
use crate::graphql::documents::Prepared;
use crate::graphql::limits::{Meter, OperationName, ReadOnly, RequestedOperation};
use crate::graphql::{ApiState, AppSchema, loaders};
use crate::services::access;
use async_graphql::Executor;

fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Ganbridge")
            .finish(),
    )
}

/// The caller behind an `Authorization: Bearer <key>` value; no value is an anonymous reader.
/// An unknown, revoked or malformed key is `UNAUTHENTICATED`, without saying which; a key that
/// could not be checked (the database is down) is that error.
async fn authenticate(state: &ApiState, authorization: Option<&str>) -> Result<Actor, AppError> {
    let Some(value) = authorization else {
        return Ok(Actor::Anonymous);
    };
    let key = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or(AppError::Unauthenticated)?;
    access::authenticate(&state.db, key.trim()).await
}

/// The answer to a request whose key was refused: 401, or 503 when it could not be checked.
fn key_refused(error: AppError) -> Response {
    let status = match error {
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        _ => StatusCode::SERVICE_UNAVAILABLE,
    };
    request_error(status, error)
}

/// A whole-request GraphQL error, for failures before the operation runs.
fn request_error(status: StatusCode, error: AppError) -> Response {
    let error: async_graphql::Error = error.into();
    let body =
        json!({ "errors": [ { "message": error.message, "extensions": error.extensions } ] });
    let mut response = Json(body).with_status(status).into_response();
    if status == StatusCode::UNAUTHORIZED {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    }
    response
}

/// The GraphQL-over-HTTP response media type.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The client's address: the connection's peer, or with `trust_forwarded_for` the first
/// address of `X-Forwarded-For` (which only a trusted proxy may write).
fn client_address(req: &Request, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(first) = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return first.to_owned();
    }
    req.remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
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
async fn graphql_post(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
    body: Body,
) -> Response {
    let limits = &state.limits;
    let bytes = match body.into_bytes_limit(limits.max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(ReadBodyError::PayloadTooLarge) => {
            return request_error(
                StatusCode::PAYLOAD_TOO_LARGE,
                AppError::bad_input(format!(
                    "the request body is larger than {} bytes",
                    limits.max_body_bytes
                )),
            );
        }
        Err(_) => {
            return request_error(
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
        return request_error(
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
            return request_error(
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
async fn graphql_get(schema: Data<&Prepared>, state: Data<&ApiState>, req: &Request) -> Response {
    let query_string = req.uri().query().unwrap_or_default();
    if !query_string.contains("query=") && !query_string.contains("extensions=") {
        return graphiql().into_response();
    }
    let request = match async_graphql::http::parse_query_string(query_string) {
        Ok(request) => request,
        Err(error) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                AppError::bad_input(format!("not a GraphQL request: {error}")),
            );
        }
    };
    execute(&schema, &state, req, request.data(ReadOnly), true).await
}

/// What the caller's operations are charged to: its key's budget, or without a key its
/// address's.
fn meter(state: &ApiState, actor: Actor, address: &str) -> Arc<Meter> {
    let limits = &state.limits;
    let subject = match actor.key_id() {
        Some(id) => format!("key:{id}"),
        None => format!("ip:{address}"),
    };
    Arc::new(Meter::new(
        state.quota.clone(),
        subject,
        limits.budget(&actor),
        limits.quota_window_secs,
    ))
}

/// One GraphQL request over HTTP: the key becomes the actor; the query and its cost are
/// bounded before anything runs; the cost is charged to the caller's quota; the whole runs
/// under the request timeout.
async fn execute(
    schema: &Prepared,
    state: &ApiState,
    req: &Request,
    request: async_graphql::Request,
    via_get: bool,
) -> Response {
    let limits = &state.limits;
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("?"));
    let actor = match authenticate(state, authorization).await {
        Ok(actor) => actor,
        Err(error) => return key_refused(error),
    };
    if request.query.len() > limits.max_query_bytes {
        return request_error(
            StatusCode::BAD_REQUEST,
            crate::graphql::documents::too_long(limits.max_query_bytes),
        );
    }
    let started = std::time::Instant::now();
    let given_name = request.operation_name.clone();
    let requested = RequestedOperation(given_name.clone());
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
        .data(requested);
    let mut response = match tokio::time::timeout(limits.timeout, schema.execute(request)).await {
        Ok(response) => response,
        Err(_) => {
            tracing::warn!(timeout_secs = limits.timeout.as_secs(), "request timed out");
            return request_error(
                StatusCode::SERVICE_UNAVAILABLE,
                AppError::ServiceUnavailable(format!(
                    "the request took longer than {} s",
                    limits.timeout.as_secs()
                )),
            );
        }
    };
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_some() {
            continue;
        }
        // Our resolvers' errors carry their code (see `error.rs`). An error without one and
        // without a path comes from parsing or validating the request: the caller's to fix.
        // One with a path escaped the error policy: ours.
        if error.path.is_empty() {
            extensions.set("code", "BAD_USER_INPUT");
        } else {
            tracing::error!(message = %error.message, path = ?error.path, "resolver error without a code");
            extensions.set("code", "INTERNAL");
            error.message = "internal error".to_owned();
        }
    }
    let name = given_name.or_else(|| parsed_name.0.lock().ok().and_then(|n| n.clone()));
    let operation = state.metrics.operation_label(name.as_deref());
    let result = match response.errors.first() {
        None => "ok".to_owned(),
        Some(e) => e
            .extensions
            .as_ref()
            .and_then(|x| x.get("code"))
            .and_then(|c| match c {
                async_graphql::Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .unwrap_or_else(|| "error".to_owned()),
    };
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
    let refused_over_get = via_get
        && response.errors.iter().any(|e| {
            e.extensions
                .as_ref()
                .is_some_and(|x| x.get("method").is_some())
        });
    // Public data may be cached by anyone for anonymous callers; what a key reads is its own.
    let cache_control = if !response.errors.is_empty() {
        "no-store".to_owned()
    } else if actor.role().is_some() {
        "private, no-store".to_owned()
    } else {
        response
            .cache_control
            .value()
            .unwrap_or_else(|| "no-cache".to_owned())
    };
    // GraphQL over HTTP: a client that accepts `application/graphql-response+json` gets that
    // media type, and a request that could not run at all (it did not parse or validate, so
    // there is no data) gets 400 instead of 200.
    let graphql_response_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains(GRAPHQL_RESPONSE_JSON));
    let did_not_run = response.data == async_graphql::Value::Null
        && response.errors.iter().any(|e| e.path.is_empty());
    let mut http = GraphQLResponse::from(response).into_response();
    if graphql_response_json {
        http.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(GRAPHQL_RESPONSE_JSON),
        );
        if did_not_run && http.status() == StatusCode::OK {
            http.set_status(StatusCode::BAD_REQUEST);
        }
    }
    if let Ok(value) = HeaderValue::from_str(&cache_control) {
        http.headers_mut().insert(header::CACHE_CONTROL, value);
    }
    if refused_over_get {
        http.set_status(StatusCode::METHOD_NOT_ALLOWED);
        http.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
    }
    if let Some(outcome) = outcome.filter(|o| o.exceeded) {
        http.set_status(StatusCode::TOO_MANY_REQUESTS);
        let retry = (outcome.reset_at - chrono::Utc::now()).num_seconds().max(1);
        if let Ok(value) = HeaderValue::from_str(&retry.to_string()) {
            http.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    http
}

/// Operations over `graphql-transport-ws` (and the older `graphql-ws`), with the same
/// DataLoaders as HTTP, one set per connection. The key comes in the upgrade request's
/// `Authorization` header or, since browsers cannot set headers on a websocket, in the
/// `connection_init` payload as `{"Authorization": "Bearer <key>"}`; a rejected key closes
/// the connection. Each operation is charged to the caller's quota as over HTTP.
#[handler]
async fn graphql_ws(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> Response {
    let schema = schema.clone();
    let state = state.clone();
    let headers = req.headers();
    let address = client_address(req, state.limits.trust_forwarded_for);
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("?").to_owned());
    let upgrade_actor = match authenticate(&state, authorization.as_deref()).await {
        Ok(actor) => actor,
        Err(error) => return key_refused(error),
    };
    websocket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let mut shutdown = state.shutdown.clone();
            let (sink, stream) = socket.split();
            let sink = Arc::new(tokio::sync::Mutex::new(sink));
            // The connection's input ends when the server shuts down; the protocol then ends
            // and the client is told why in a close frame (1001, going away).
            let stream = stream.take_until(async move {
                let _ = shutdown.wait_for(|closing| *closing).await;
            });
            let writer = async_graphql::futures_util::sink::unfold(
                sink.clone(),
                |sink, message| async move {
                    sink.lock().await.send(message).await?;
                    Ok::<_, std::io::Error>(sink)
                },
            );
            let closing = state.shutdown.clone();
            GraphQLWebSocket::new_with_pair(writer, stream, schema, protocol)
                .on_connection_init(move |payload: serde_json::Value| async move {
                    let given = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str());
                    let actor = match given {
                        None => upgrade_actor,
                        Some(value) => authenticate(&state, Some(value)).await?,
                    };
                    let mut data = async_graphql::Data::default();
                    data.insert(actor);
                    data.insert(loaders::uncached_loaders(state.db.clone(), actor));
                    data.insert(meter(&state, actor, &address));
                    Ok(data)
                })
                .serve()
                .await;
            if *closing.borrow() {
                let mut sink = sink.lock().await;
                let _ = sink
                    .send(Message::close_with(
                        CloseCode::Away,
                        "the server is shutting down",
                    ))
                    .await;
                let _ = sink.close().await;
            }
        })
        .into_response()
}

/// The process is up.
#[handler]
fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: its database answers, its search engine answers, and the search
/// index is not further behind the database than the threshold allows.
#[handler]
async fn readyz(state: Data<&ApiState>) -> Response {
    let database = state.db.ping().await;
    if let Err(error) = &database {
        tracing::warn!(%error, "readiness check: database unreachable");
    }
    let search = state.search.health().await;
    if let Err(error) = &search {
        tracing::warn!(%error, "readiness check: search engine unreachable");
    }
    let outbox = match &database {
        Ok(()) => crate::services::search::status(&state.db).await.ok(),
        Err(_) => None,
    };
    let age = outbox
        .and_then(|o| o.oldest)
        .map(|oldest| (chrono::Utc::now() - oldest).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    let threshold = state.outbox_lag_threshold.as_secs_f64();
    let lagging = age > threshold;
    let last_sync_error = state
        .sync_health
        .last_error
        .lock()
        .ok()
        .and_then(|e| e.clone());
    let ready = database.is_ok() && search.is_ok() && outbox.is_some() && !lagging;
    let body = json!({
        "ready": ready,
        "database": if database.is_ok() { "ok" } else { "unreachable" },
        "search": {
            "engine": state.search.name(),
            "status": if search.is_ok() { "ok" } else { "unreachable" },
            "lastSyncError": last_sync_error,
        },
        "outbox": {
            "depth": outbox.map(|o| o.depth),
            "oldestAgeSeconds": age,
            "thresholdSeconds": threshold,
            "lagging": lagging,
        },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Json(body).with_status(status).into_response()
}

/// Prometheus text exposition; the gauges are read at scrape time.
#[handler]
async fn metrics(state: Data<&ApiState>, statements: Data<&StatementCounter>) -> Response {
    let m = &state.metrics;
    let (size, idle) = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    m.db_connections
        .with_label_values(&["idle"])
        .set(i64::from(idle));
    m.db_connections
        .with_label_values(&["in_use"])
        .set(i64::from(size.saturating_sub(idle)));
    m.sync_statements(statements.get());
    if let Ok(outbox) = crate::services::search::status(&state.db).await {
        m.outbox
            .with_label_values(&["depth"])
            .set(i64::try_from(outbox.depth).unwrap_or(i64::MAX));
        let age = outbox
            .oldest
            .map(|t| (chrono::Utc::now() - t).num_seconds().max(0))
            .unwrap_or(0);
        m.outbox.with_label_values(&["age_seconds"]).set(age);
    }
    m.render()
        .with_content_type("text/plain; version=0.0.4")
        .into_response()
}

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
            .allow_headers(["authorization", "content-type", "x-request-id"])
            .expose_headers(["x-request-id", "retry-after"])
            .max_age(3600)
    })
}

pub fn routes(
    schema: AppSchema,
    state: ApiState,
    statements: StatementCounter,
) -> impl IntoEndpoint {
    let cors = cors(&state.limits.cors_allowed_origins);
    Route::new()
        .at("/graphql", get(graphql_get).post(graphql_post))
        .at("/graphql/ws", get(graphql_ws))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics))
        .data(Prepared::new(schema, state.documents.clone()))
        .data(state)
        .data(statements)
        .with(Compression::new())
        .with_if(cors.is_some(), cors.unwrap_or_default())
        .with(Tracing)
        .around(|endpoint, req| async move {
            let id = request_id(&req);
            let span = tracing::info_span!("request", request_id = %id);
            let mut response = endpoint.get_response(req).instrument(span).await;
            if let Ok(value) = HeaderValue::from_str(&id) {
                response.headers_mut().insert("x-request-id", value);
            }
            Ok(response)
        })
}
