//! Operations over the websocket, as a `graphql-transport-ws` client sends them.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::{TestApp, persisted, spawn_app, spawn_app_with};

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

#[tokio::test]
async fn a_persisted_query_registered_over_http_is_sent_over_the_websocket_by_its_hash() {
    let app = spawn_app(true).await;
    let query = "{ districts { code } }";
    let extensions = persisted(query);
    let mut socket = connected(&app).await;
    let by_hash = |id: &str| {
        json!({ "id": id, "type": "subscribe",
                "payload": { "query": "", "extensions": extensions } })
        .to_string()
    };

    socket.send(Message::text(by_hash("1"))).await.unwrap();
    let unknown = read(&mut socket).await;
    assert_eq!(
        unknown["payload"]["errors"][0]["message"], "PersistedQueryNotFound",
        "{unknown}"
    );
    assert_eq!(read(&mut socket).await["type"], "complete");

    let registered = app.post_with_extensions(query, &extensions).await["data"].clone();
    socket.send(Message::text(by_hash("2"))).await.unwrap();
    let known = read(&mut socket).await;
    assert_eq!(known["type"], "next", "{known}");
    assert_eq!(known["payload"]["data"], registered, "{known}");
    assert_eq!(
        known["payload"]["data"]["districts"]
            .as_array()
            .unwrap()
            .len(),
        11
    );
    assert_eq!(read(&mut socket).await["type"], "complete");
}

#[tokio::test]
async fn a_long_query_over_the_websocket_is_refused_and_not_kept_for_its_hash() {
    let app = spawn_app_with(false, |s| s.max_query_bytes = 2_000).await;
    let long = format!("{{ districts {{ code }} }} # {}", "y".repeat(3_000));
    let extensions = persisted(&long);
    let mut socket = connected(&app).await;
    let subscribe = json!({ "id": "1", "type": "subscribe",
                            "payload": { "query": long, "extensions": extensions } });
    socket
        .send(Message::text(subscribe.to_string()))
        .await
        .unwrap();
    let refused = read(&mut socket).await;
    let error = &refused["payload"]["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{refused}");
    assert_eq!(error["extensions"]["field"], "query", "{refused}");
    assert!(refused["payload"]["data"].is_null(), "{refused}");
    assert_eq!(read(&mut socket).await["type"], "complete");

    // Nothing of it was kept: its hash alone finds nothing.
    let by_hash: Value = app
        .get_with_extensions(&extensions)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        by_hash["errors"][0]["message"], "PersistedQueryNotFound",
        "{by_hash}"
    );
}

/// A `graphql-transport-ws` connection to `app`, initialised and acknowledged.
async fn connected(
    app: &TestApp,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let url = format!("{}/graphql/ws", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connecting");
    socket
        .send(Message::text(
            json!({ "type": "connection_init" }).to_string(),
        ))
        .await
        .unwrap();
    assert_eq!(read(&mut socket).await["type"], "connection_ack");
    socket
}

#[tokio::test]
async fn operations_over_the_websocket_are_charged_to_the_callers_quota() {
    // `{ districts { code } }` costs 2 points: two fit in a budget of 5, a third does not.
    let app = spawn_app_with(false, |s| {
        s.quota_anonymous = 5;
        s.quota_window_secs = crate::limits::COUNTED_WINDOW;
    })
    .await;
    let mut socket = connected(&app).await;
    let mut answers = Vec::new();
    for id in ["1", "2", "3"] {
        let subscribe = json!({ "id": id, "type": "subscribe",
                                "payload": { "query": "{ districts { code } }" } });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .unwrap();
        let answer = read(&mut socket).await;
        if answer["type"] == "next" {
            assert_eq!(read(&mut socket).await["type"], "complete");
        }
        answers.push(answer);
    }
    assert!(
        answers[0]["payload"]["data"]["districts"].is_array(),
        "{answers:?}"
    );
    assert!(
        answers[1]["payload"]["data"]["districts"].is_array(),
        "{answers:?}"
    );
    let refused = &answers[2]["payload"];
    let error = if refused.is_array() {
        &refused[0]
    } else {
        &refused["errors"][0]
    };
    assert_eq!(error["extensions"]["code"], "RATE_LIMITED", "{answers:?}");

    // The same caller over HTTP finds its budget spent too.
    let (status, body) = app
        .graphql_as(None, "{ districts { code } }", json!({}))
        .await;
    assert_eq!(status, 429, "{body}");
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

/// The first error of an answer to a `subscribe`, whichever message carries it (`error`, whose
/// payload is the list, or `next`).
fn first_error(answer: &Value) -> &Value {
    let payload = &answer["payload"];
    if payload.is_array() {
        &payload[0]
    } else {
        &payload["errors"][0]
    }
}

#[tokio::test]
async fn every_error_over_the_websocket_carries_a_code_as_over_http() {
    let app = spawn_app(false).await;
    let mut socket = connected(&app).await;
    let query = "{ districts { code } }";
    let mut wrong_hash = persisted(query);
    wrong_hash["persistedQuery"]["sha256Hash"] = json!("0".repeat(64));
    let cases = [
        // A persisted query's hash that was never registered.
        json!({ "query": "", "extensions": persisted(query) }),
        // A text sent with a hash that is not its own.
        json!({ "query": query, "extensions": wrong_hash }),
        // A persisted-query extension of another version.
        json!({ "query": query, "extensions": { "persistedQuery": { "version": 2, "sha256Hash": "x" } } }),
        // A query that does not validate, and one that does not parse.
        json!({ "query": "{ districts { nope } }" }),
        json!({ "query": "{ districts { code }" }),
    ];
    for (n, payload) in cases.iter().enumerate() {
        let id = (n + 1).to_string();
        let subscribe = json!({ "id": id, "type": "subscribe", "payload": payload });
        socket
            .send(Message::text(subscribe.to_string()))
            .await
            .unwrap();
        let answer = read(&mut socket).await;
        let error = first_error(&answer);
        assert_eq!(
            error["extensions"]["code"], "BAD_USER_INPUT",
            "{payload} -> {answer}"
        );
        assert!(error["message"].is_string(), "{answer}");
        if answer["type"] == "next" {
            assert_eq!(read(&mut socket).await["type"], "complete");
        }
    }
}
