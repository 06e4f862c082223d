//! `/graphql/ws`: operations over `graphql-transport-ws` (and the older `graphql-ws`), with the
//! same DataLoaders as HTTP, one set per connection. The key comes in the upgrade request's
//! `Authorization` header or, since browsers cannot set headers on a websocket, in the
//! `connection_init` payload as `{"Authorization": "Bearer <key>"}`; a rejected key closes
//! the connection. Each operation is charged to the caller's quota as over HTTP, and its
//! answers pass the same error safety net (the schema runs through `Prepared`).

use std::sync::Arc;

use async_graphql::futures_util::{SinkExt, StreamExt};
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_poem::{GraphQLProtocol, GraphQLWebSocket};
use poem::web::Data;
use poem::web::websocket::{CloseCode, Message, WebSocket};
use poem::{IntoResponse, Request, Response, handler};

use super::auth::{authenticate, authorization, client_address, meter};
use super::graphql::key_refused;
use crate::graphql::documents::Prepared;
use crate::graphql::{ApiState, loaders};

#[handler]
pub(super) async fn graphql_ws(
    schema: Data<&Prepared>,
    state: Data<&ApiState>,
    req: &Request,
    protocol: GraphQLProtocol,
    websocket: WebSocket,
) -> Response {
    let schema = schema.clone();
    let state = state.clone();
    let address = client_address(req, state.limits.trust_forwarded_for);
    let upgrade_actor = match authenticate(&state, authorization(req)).await {
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
