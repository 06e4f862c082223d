//! HTTP routes: the GraphQL endpoint (POST for queries, GET for GraphiQL), its websocket, and
//! the operational endpoints `/healthz`, `/readyz` and `/metrics`.

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use poem::http::{HeaderMap, HeaderValue, StatusCode, header};
use poem::middleware::Tracing;
use poem::web::websocket::WebSocket;
use poem::web::{Data, Html, Json};
use poem::{EndpointExt, IntoEndpoint, IntoResponse, Response, Route, get, handler};
use serde_json::json;

use crate::db::StatementCounter;
use crate::domain::Actor;
use crate::error::AppError;
use crate::graphql::{ApiState, AppSchema, loaders};
use crate::services::access;

#[handler]
fn graphiql() -> Html<String> {
    Html(
        GraphiQLSource::build()
            .endpoint("/graphql")
            .subscription_endpoint("/graphql/ws")
            .title("Ganbridge")
            .finish(),
    )
}

/// Why a presented key was not accepted.
enum KeyRejected {
    /// Unknown, revoked or malformed: the caller is not told which.
    Invalid,
    /// The key could not be checked (the database is down).
    Unavailable(AppError),
}

/// The caller behind an `Authorization: Bearer <key>` value; no value is an anonymous reader.
async fn authenticate(state: &ApiState, authorization: Option<&str>) -> Result<Actor, KeyRejected> {
    let Some(value) = authorization else {
        return Ok(Actor::Anonymous);
    };
    let Some(key) = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
    else {
        return Err(KeyRejected::Invalid);
    };
    match access::authenticate(&state.db, key.trim()).await {
        Ok(actor) => Ok(actor),
        Err(AppError::Unauthenticated) => Err(KeyRejected::Invalid),
        Err(other) => Err(KeyRejected::Unavailable(other)),
    }
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

#[handler]
async fn graphql(
    schema: Data<&AppSchema>,
    state: Data<&ApiState>,
    headers: &HeaderMap,
    request: GraphQLRequest,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("?"));
    let actor = match authenticate(&state, authorization).await {
        Ok(actor) => actor,
        Err(KeyRejected::Invalid) => {
            return request_error(StatusCode::UNAUTHORIZED, AppError::Unauthenticated);
        }
        Err(KeyRejected::Unavailable(error)) => {
            return request_error(StatusCode::SERVICE_UNAVAILABLE, error);
        }
    };
    // Loaders live for one request: batching within it, no caching across callers.
    let request = request
        .0
        .data(actor)
        .data(loaders::loaders(state.db.clone(), actor));
    let mut response = schema.execute(request).await;
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
    GraphQLResponse::from(response).into_response()
}

/// Operations over `graphql-transport-ws` (and the older `graphql-ws`), with the same
/// DataLoaders as HTTP, one set per connection. The key comes in the upgrade request's
/// `Authorization` header or, since browsers cannot set headers on a websocket, in the
/// `connection_init` payload as `{"Authorization": "Bearer <key>"}`; a rejected key closes
/// the connection.
#[handler]
async fn graphql_ws(
    schema: Data<&AppSchema>,
    state: Data<&ApiState>,
    headers: &HeaderMap,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> Response {
    let schema = schema.clone();
    let state = state.clone();
    let authorization = headers
        .get(header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or("?").to_owned());
    let upgrade_actor = match authenticate(&state, authorization.as_deref()).await {
        Ok(actor) => actor,
        Err(KeyRejected::Invalid) => {
            return request_error(StatusCode::UNAUTHORIZED, AppError::Unauthenticated);
        }
        Err(KeyRejected::Unavailable(error)) => {
            return request_error(StatusCode::SERVICE_UNAVAILABLE, error);
        }
    };
    websocket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            GraphQLWebSocket::new(stream, schema, protocol)
                .on_connection_init(move |payload: serde_json::Value| async move {
                    let given = payload
                        .get("Authorization")
                        .or_else(|| payload.get("authorization"))
                        .and_then(|v| v.as_str());
                    let actor = match given {
                        None => upgrade_actor,
                        Some(value) => match authenticate(&state, Some(value)).await {
                            Ok(actor) => actor,
                            Err(KeyRejected::Invalid) => {
                                return Err(AppError::Unauthenticated.into());
                            }
                            Err(KeyRejected::Unavailable(error)) => return Err(error.into()),
                        },
                    };
                    let mut data = async_graphql::Data::default();
                    data.insert(actor);
                    data.insert(loaders::loaders(state.db.clone(), actor));
                    Ok(data)
                })
                .serve()
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

/// Prometheus text exposition.
#[handler]
fn metrics(statements: Data<&StatementCounter>) -> Response {
    let body = format!(
        "# HELP ganbridge_db_statements_total SQL statements executed since start.\n\
         # TYPE ganbridge_db_statements_total counter\n\
         ganbridge_db_statements_total {}\n",
        statements.get()
    );
    body.with_content_type("text/plain; version=0.0.4")
        .into_response()
}

pub fn routes(
    schema: AppSchema,
    state: ApiState,
    statements: StatementCounter,
) -> impl IntoEndpoint {
    Route::new()
        .at("/graphql", get(graphiql).post(graphql))
        .at("/graphql/ws", get(graphql_ws))
        .at("/healthz", get(healthz))
        .at("/readyz", get(readyz))
        .at("/metrics", get(metrics))
        .data(schema)
        .data(state)
        .data(statements)
        .with(Tracing)
}
