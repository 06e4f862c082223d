//! HTTP routes: the GraphQL endpoint (POST for queries, GET for GraphiQL), its websocket, and
//! the operational endpoints `/healthz`, `/readyz` and `/metrics`.

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::http::GraphiQLSource;
use async_graphql_poem::{GraphQLProtocol, GraphQLRequest, GraphQLResponse, GraphQLWebSocket};
use poem::http::StatusCode;
use poem::middleware::Tracing;
use poem::web::websocket::WebSocket;
use poem::web::{Data, Html, Json};
use poem::{EndpointExt, IntoEndpoint, IntoResponse, Response, Route, get, handler};
use serde_json::json;

use crate::db::StatementCounter;
use crate::graphql::{ApiState, AppSchema, loaders};

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

#[handler]
async fn graphql(
    schema: Data<&AppSchema>,
    state: Data<&ApiState>,
    request: GraphQLRequest,
) -> GraphQLResponse {
    // Loaders live for one request: batching within it, no caching across callers.
    let request = request.0.data(loaders::loaders(state.db.clone()));
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
    response.into()
}

/// Operations over `graphql-transport-ws` (and the older `graphql-ws`), with the same
/// DataLoaders as HTTP, one set per connection.
#[handler]
async fn graphql_ws(
    schema: Data<&AppSchema>,
    state: Data<&ApiState>,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> impl IntoResponse {
    let schema = schema.clone();
    let db = state.db.clone();
    websocket
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |stream| {
            let mut data = async_graphql::Data::default();
            data.insert(loaders::loaders(db));
            GraphQLWebSocket::new(stream, schema, protocol)
                .with_data(data)
                .serve()
        })
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
