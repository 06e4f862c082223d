//! Subscriptions over `graphql-transport-ws`, with a real websocket client: published tenders
//! reach subscribers whose filter they match, a buyer hears of bids on its tender, and on
//! PostgreSQL events written through one server reach subscribers of another.

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::helpers::TestApp;
use crate::world::{CREATE_TENDER, PUBLISH_TENDER, Who, World};

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects, sends `connection_init` (with the key, if any) and answers the first reply.
async fn connect(app: &TestApp, key: Option<&str>) -> (Socket, Value) {
    let url = format!("{}/graphql/ws", app.address.replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connecting");
    let payload = match key {
        Some(key) => json!({ "Authorization": format!("Bearer {key}") }),
        None => json!({}),
    };
    socket
        .send(Message::text(
            json!({ "type": "connection_init", "payload": payload }).to_string(),
        ))
        .await
        .unwrap();
    let reply = read(&mut socket).await;
    (socket, reply)
}

async fn subscribe(socket: &mut Socket, id: &str, query: &str, variables: Value) {
    socket
        .send(Message::text(
            json!({ "id": id, "type": "subscribe", "payload": { "query": query, "variables": variables } })
                .to_string(),
        ))
        .await
        .unwrap();
    // The server subscribes to its event bus as it reads the message; give it that moment
    // (and, on PostgreSQL, its listener the moment to LISTEN) before writing.
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
}

/// The next message, or `Value::Null` at a close frame; panics after 10 s.
async fn read(socket: &mut Socket) -> Value {
    let next = async {
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => return serde_json::from_str(&text).expect("JSON"),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                Some(Ok(Message::Close(frame))) => {
                    return json!({ "type": "close", "code": frame.map(|f| u16::from(f.code)) });
                }
                other => panic!("unexpected {other:?}"),
            }
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(10), next)
        .await
        .expect("a message within 10 s")
}

const TENDER_PUBLISHED: &str = "subscription($filter: TenderPublishedFilter) { tenderPublished(filter: $filter) { id title serviceLines } }";

async fn post(w: &World, app: &TestApp, lines: &[&str]) -> String {
    let closes = (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339();
    let (_, created) = app
        .graphql_as(
            Some(&w.key_x),
            CREATE_TENDER,
            json!({ "input": { "title": format!("Tender for {lines:?}"), "titleZh": "招标",
                    "description": "D", "serviceLines": lines, "closesAt": closes } }),
        )
        .await;
    let id = created["data"]["createTender"]["id"]
        .as_str()
        .expect("created")
        .to_owned();
    let (_, published) = app
        .graphql_as(Some(&w.key_x), PUBLISH_TENDER, json!({ "id": id }))
        .await;
    assert!(published.get("errors").is_none(), "{published}");
    id
}

#[tokio::test]
async fn published_tenders_reach_subscribers_whose_filter_they_match() {
    let w = World::new().await;
    let (mut socket, ack) = connect(&w.app, None).await;
    assert_eq!(ack["type"], "connection_ack");
    subscribe(
        &mut socket,
        "t",
        TENDER_PUBLISHED,
        json!({ "filter": { "serviceLines": ["SOFTWARE_DEVELOPMENT"], "districts": ["NANCHANG"] } }),
    )
    .await;
    // Neither a tender still in planning, nor one for other lines, reaches this subscriber.
    w.tender(Who::CounterpartX, false, json!({})).await;
    post(&w, &w.app, &["CALL_CENTRE"]).await;
    let wanted = post(&w, &w.app, &["SOFTWARE_DEVELOPMENT"]).await;
    let event = read(&mut socket).await;
    assert_eq!(event["type"], "next", "{event}");
    assert_eq!(event["id"], "t");
    assert_eq!(
        event["payload"]["data"]["tenderPublished"]["id"],
        wanted.as_str(),
        "{event}"
    );
}

#[tokio::test]
async fn a_buyer_hears_of_bids_on_its_tender_and_no_one_else_may_listen() {
    let w = World::new().await;
    let tender = w.tender(Who::CounterpartX, true, json!({})).await;
    let bid_received = "subscription($id: ID!) { bidReceived(tenderId: $id) { id bidder { id } amount { amount currency } } }";

    let (mut stranger, _) = connect(&w.app, Some(&w.key_b)).await;
    subscribe(&mut stranger, "s", bid_received, json!({ "id": tender })).await;
    let refused = read(&mut stranger).await;
    assert_eq!(
        refused["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{refused}"
    );
    assert_eq!(read(&mut stranger).await["type"], "complete");

    let (mut buyer, ack) = connect(&w.app, Some(&w.key_x)).await;
    assert_eq!(ack["type"], "connection_ack");
    subscribe(&mut buyer, "b", bid_received, json!({ "id": tender })).await;
    let bid = w.bid(&w.key_a, &tender, None).await;
    let event = read(&mut buyer).await;
    assert_eq!(
        event["payload"]["data"]["bidReceived"]["id"],
        bid.as_str(),
        "{event}"
    );
    assert_eq!(
        event["payload"]["data"]["bidReceived"]["bidder"]["id"],
        w.a.as_str()
    );
    assert_eq!(
        event["payload"]["data"]["bidReceived"]["amount"],
        json!({ "amount": "1100000.00", "currency": "CNY" })
    );

    // A key that is not valid closes the connection at its start.
    let (_, refused) = connect(&w.app, Some("gbk_not-a-key")).await;
    assert_eq!(refused["type"], "close", "{refused}");
}

#[tokio::test]
async fn events_written_through_one_server_reach_subscribers_of_another_on_postgres() {
    let w = World::new().await;
    if w.app.store != "postgres" {
        crate::helpers::loud_skip(
            "LISTEN/NOTIFY fan-out",
            "it needs PostgreSQL (DATABASE_URL=postgres://...); .ci/run runs it there",
        );
        return;
    }
    let second = w.app.sibling().await;
    let (mut socket, ack) = connect(&second, None).await;
    assert_eq!(ack["type"], "connection_ack");
    subscribe(&mut socket, "t", TENDER_PUBLISHED, json!({})).await;
    let posted = post(&w, &w.app, &["DATA_PROCESSING"]).await;
    let event = read(&mut socket).await;
    assert_eq!(
        event["payload"]["data"]["tenderPublished"]["id"],
        posted.as_str(),
        "{event}"
    );
    // And the other way round.
    let (mut first, _) = connect(&w.app, None).await;
    subscribe(&mut first, "u", TENDER_PUBLISHED, json!({})).await;
    let posted = post(&w, &second, &["CALL_CENTRE"]).await;
    let event = read(&mut first).await;
    assert_eq!(
        event["payload"]["data"]["tenderPublished"]["id"],
        posted.as_str(),
        "{event}"
    );
}

#[tokio::test]
async fn a_key_revoked_while_its_websocket_is_open_writes_nothing_more() {
    let w = World::new().await;
    let created = w
        .ok(
            Who::Admin,
            "mutation($c: ID!) { createApiKey(input: { name: \"X integration\", role: COUNTERPART, counterpartId: $c }) { secret apiKey { id } } }",
            json!({ "c": w.x }),
        )
        .await;
    let key = created["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut socket, ack) = connect(&w.app, Some(&key)).await;
    assert_eq!(ack["type"], "connection_ack");
    w.ok(
        Who::Admin,
        "mutation($id: ID!) { revokeApiKey(id: $id) { id } }",
        json!({ "id": created["createApiKey"]["apiKey"]["id"] }),
    )
    .await;
    let before = w.audited().await;
    let closes = (chrono::Utc::now() + chrono::Duration::days(10)).to_rfc3339();
    socket
        .send(Message::text(
            json!({ "id": "m", "type": "subscribe", "payload": {
                "query": CREATE_TENDER,
                "variables": { "input": { "title": "T", "titleZh": "T", "description": "D",
                    "serviceLines": ["CALL_CENTRE"], "closesAt": closes } } } })
            .to_string(),
        ))
        .await
        .unwrap();
    let answer = read(&mut socket).await;
    assert_eq!(
        answer["payload"]["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{answer}"
    );
    assert_eq!(w.audited().await, before);
}

#[tokio::test]
async fn a_shutdown_closes_websockets_with_a_close_frame() {
    let app = crate::helpers::spawn_app(false).await;
    let (mut socket, ack) = connect(&app, None).await;
    assert_eq!(ack["type"], "connection_ack");
    subscribe(&mut socket, "t", TENDER_PUBLISHED, json!({})).await;
    let stopping = tokio::spawn(app.stop());
    let closed = read(&mut socket).await;
    assert_eq!(closed, json!({ "type": "close", "code": 1001 }));
    stopping.await.expect("the server stopped");
}
