//! Operations over the websocket, as a `graphql-transport-ws` client sends them.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_query_over_graphql_transport_ws_uses_the_same_loaders_as_http() {
    let app = spawn_app(true).await;
    let url = format!("{}/graphql/ws", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, response) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connecting");
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );

    socket
        .send(Message::text(
            json!({ "type": "connection_init" }).to_string(),
        ))
        .await
        .unwrap();
    let ack = read(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack");

    let query = "{ companies(first: 3, filter: { leading: true }) { nodes { name park { name } certifications { standard } } } }";
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": query } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let answer = read(&mut socket).await;
    assert_eq!(answer["type"], "next", "{answer}");
    assert!(answer["payload"]["errors"].is_null(), "{answer}");
    let nodes = answer["payload"]["data"]["companies"]["nodes"]
        .as_array()
        .unwrap();
    assert_eq!(nodes.len(), 3);
    assert!(nodes.iter().all(|c| !c["park"].is_null()), "{answer}");
    assert_eq!(read(&mut socket).await["type"], "complete");
}

async fn read<S>(socket: &mut S) -> Value
where
    S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
{
    loop {
        match socket.next().await.expect("a message").expect("a frame") {
            Message::Text(text) => return serde_json::from_str(&text).expect("JSON"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected frame {other:?}"),
        }
    }
}
