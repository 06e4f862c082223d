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

/// The process can serve: its database answers.
#[handler]
async fn readyz(state: Data<&ApiState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(json!({ "ready": true, "database": "ok" })).into_response(),
        Err(error) => {
            tracing::warn!(%error, "readiness check: database unreachable");
            Json(json!({ "ready": false, "database": "unreachable" }))
                .with_status(StatusCode::SERVICE_UNAVAILABLE)
                .into_response()
        }
    }
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
