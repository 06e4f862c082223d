//! `Idempotency-Key` on mutations: a retry replays the first answer and writes nothing, the
//! key is per API key, a different request with the same key is refused, attempts racing on
//! one key write once, and a key whose first attempt died is taken over, or refused as
//! applied when its write had committed.

use std::time::Duration;

use chrono::Utc;
use ganbridge::domain::Role;
use ganbridge::entities::{counterpart, idempotency_key};
use ganbridge::services::idempotency::{
    self, Answer, Claimed, Ending, Finished, IdempotencyKey, Policy, Refusal,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const CREATE: &str =
    "mutation($input: CounterpartInput!) { createCounterpart(input: $input) { id name } }";

/// The variables of a new counterpart called `name`.
fn input(name: &str) -> Value {
    json!({ "input": { "name": name, "nameZh": "幂等买方", "kind": "DOMESTIC_ENTERPRISE",
                       "city": "Hangzhou" } })
}

/// A request body for `CREATE` with `variables`.
fn body(variables: &Value) -> String {
    json!({ "query": CREATE, "variables": variables }).to_string()
}

/// An answer as the client sees it.
#[derive(Debug, Clone)]
struct Reply {
    status: u16,
    replayed: bool,
    text: String,
    json: Value,
}

/// POSTs `body` to `/graphql` with an API key and an `Idempotency-Key`, each when given.
async fn post(
    app: &TestApp,
    api_key: Option<&str>,
    idempotency_key: Option<&str>,
    body: &str,
) -> Reply {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(key) = api_key {
        request = request.bearer_auth(key);
    }
    if let Some(key) = idempotency_key {
        request = request.header("Idempotency-Key", key);
    }
    let response = request.send().await.expect("sending the request");
    let status = response.status().as_u16();
    let replayed = match response.headers().get("idempotent-replayed") {
        None => false,
        Some(value) => {
            assert_eq!(value, "true");
            true
        }
    };
    let text = response.text().await.expect("a body");
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        replayed,
        text,
        json,
    }
}

async fn counterparts(app: &TestApp) -> u64 {
    counterpart::Entity::find().count(&app.db).await.unwrap()
}

async fn keys_kept(app: &TestApp) -> u64 {
    idempotency_key::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

/// An admin key and its id.
async fn admin(app: &TestApp) -> (String, i64) {
    let secret = app.key(Role::Admin, None, None).await;
    let id = ganbridge::services::access::authenticate(&app.db, &secret)
        .await
        .unwrap_or_else(|_| panic!("the new key authenticates"))
        .key_id()
        .expect("a key's id");
    (secret, id)
}

fn code(reply: &Reply) -> &str {
    reply.json["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<no code>")
}

#[tokio::test]
async fn a_retry_replays_the_first_answer_and_writes_nothing() {
    let app = spawn_app(false).await;
    let (admin, _) = admin(&app).await;
    let before = counterparts(&app).await;
    let variables = input("Retried Buyer");

    let first = post(&app, Some(&admin), Some("order-1"), &body(&variables)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert!(!first.replayed, "the first answer is no replay");
    assert!(first.json["data"]["createCounterpart"]["id"].is_string());
    assert_eq!(counterparts(&app).await, before + 1);

    let again = post(&app, Some(&admin), Some("order-1"), &body(&variables)).await;
    assert!(again.replayed, "{}", again.text);
    assert_eq!(again.status, first.status);
    assert_eq!(again.text, first.text, "the same answer, byte for byte");

    // The same request with its variables' keys in another order is the same request.
    let reordered = format!(
        r#"{{"variables":{{"input":{{"city":"Hangzhou","kind":"DOMESTIC_ENTERPRISE","nameZh":"幂等买方","name":"Retried Buyer"}}}},"query":{}}}"#,
        Value::String(CREATE.to_owned())
    );
    let third = post(&app, Some(&admin), Some("order-1"), &reordered).await;
    assert!(third.replayed, "{}", third.text);
    assert_eq!(third.text, first.text);
    assert_eq!(counterparts(&app).await, before + 1, "written once");

    // A query with the header runs as any query does.
    let query = json!({ "query": "{ counterparts { totalCount } }" }).to_string();
    for _ in 0..2 {
        let read = post(&app, Some(&admin), Some("order-1"), &query).await;
        assert_eq!(read.status, 200, "{}", read.text);
        assert!(!read.replayed);
        assert_eq!(
            read.json["data"]["counterparts"]["totalCount"],
            json!(before + 1)
        );
    }
    // Without the header, the same mutation writes again.
    let unkeyed = post(&app, Some(&admin), None, &body(&variables)).await;
    assert!(!unkeyed.replayed);
    assert_eq!(counterparts(&app).await, before + 2);
}

#[tokio::test]
async fn a_failed_mutation_that_wrote_nothing_is_its_keys_answer_too() {
    let app = spawn_app(false).await;
    let (admin, _) = admin(&app).await;
    let before = counterparts(&app).await;
    let bad = body(&input(""));
    let first = post(&app, Some(&admin), Some("bad-name"), &bad).await;
    assert_eq!(code(&first), "BAD_USER_INPUT", "{}", first.text);
    let again = post(&app, Some(&admin), Some("bad-name"), &bad).await;
    assert!(again.replayed, "{}", again.text);
    assert_eq!((again.status, again.text), (first.status, first.text));
    assert_eq!(counterparts(&app).await, before);
}

#[tokio::test]
async fn the_same_key_with_a_different_request_is_refused_with_422() {
    let app = spawn_app(false).await;
    let (admin, _) = admin(&app).await;
    let first = post(
        &app,
        Some(&admin),
        Some("k-422"),
        &body(&input("First Buyer")),
    )
    .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let before = counterparts(&app).await;

    let other = post(
        &app,
        Some(&admin),
        Some("k-422"),
        &body(&input("Other Buyer")),
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.text);
    assert!(!other.replayed);
    assert_eq!(code(&other), "CONFLICT", "{}", other.text);
    let message = other.json["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("Idempotency-Key") && message.contains("different request"),
        "{message}"
    );
    assert_eq!(
        counterparts(&app).await,
        before,
        "the other request wrote nothing"
    );
}

#[tokio::test]
async fn two_api_keys_use_the_same_key_value_independently() {
    let app = spawn_app(false).await;
    let (one, _) = admin(&app).await;
    let (two, _) = admin(&app).await;
    let before = counterparts(&app).await;
    let a = post(&app, Some(&one), Some("shared"), &body(&input("Buyer One"))).await;
    let b = post(&app, Some(&two), Some("shared"), &body(&input("Buyer Two"))).await;
    for reply in [&a, &b] {
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert!(!reply.replayed, "{}", reply.text);
    }
    assert_ne!(
        a.json["data"]["createCounterpart"]["id"],
        b.json["data"]["createCounterpart"]["id"]
    );
    assert_eq!(counterparts(&app).await, before + 2);
    // Each key's retry replays its own answer.
    let a2 = post(&app, Some(&one), Some("shared"), &body(&input("Buyer One"))).await;
    let b2 = post(&app, Some(&two), Some("shared"), &body(&input("Buyer Two"))).await;
    assert!(a2.replayed && b2.replayed);
    assert_eq!((a2.text, b2.text), (a.text, b.text));
    assert_eq!(counterparts(&app).await, before + 2);
}

#[tokio::test]
async fn concurrent_attempts_with_one_key_write_once_and_answer_alike() {
    let app = spawn_app(false).await;
    let (admin, _) = admin(&app).await;
    let before = counterparts(&app).await;
    let request = body(&input("Raced Buyer"));
    let attempts = (0..8).map(|_| post(&app, Some(&admin), Some("raced"), &request));
    let replies = futures_util::future::join_all(attempts).await;

    assert_eq!(counterparts(&app).await, before + 1, "on {}", app.store);
    let first: Vec<&Reply> = replies.iter().filter(|r| !r.replayed).collect();
    assert_eq!(first.len(), 1, "one attempt ran: {replies:#?}");
    let first = first[0];
    assert_eq!(first.status, 200, "{}", first.text);
    for reply in &replies {
        assert_eq!(reply.status, first.status, "{}", reply.text);
        assert_eq!(reply.text, first.text);
    }
}

#[tokio::test]
async fn attempts_through_two_servers_write_once() {
    // Two servers on one database, as behind a balancer: PostgreSQL's, or one SQLite file.
    let app = spawn_app_with(false, |s| {
        if s.database_url.is_none() {
            let file = s.data_dir.join("shared.db");
            s.database_url = Some(format!("sqlite://{}?mode=rwc", file.display()).into());
        }
    })
    .await;
    let second = app.sibling().await;
    let (admin, _) = admin(&app).await;
    let before = counterparts(&app).await;
    let request = body(&input("Balanced Buyer"));
    let attempts = (0..8).map(|i| {
        let server = if i % 2 == 0 { &app } else { &second };
        post(server, Some(&admin), Some("balanced"), &request)
    });
    let replies = futures_util::future::join_all(attempts).await;
    assert_eq!(counterparts(&app).await, before + 1, "on {}", app.store);
    assert_eq!(
        replies.iter().filter(|r| !r.replayed).count(),
        1,
        "{replies:#?}"
    );
    for reply in &replies {
        assert_eq!(reply.status, 200, "{}", reply.text);
        assert_eq!(reply.text, replies[0].text);
    }
}

#[tokio::test]
async fn an_invalid_key_is_refused_with_400_and_writes_nothing() {
    let app = spawn_app(false).await;
    let (admin, _) = admin(&app).await;
    let before = counterparts(&app).await;
    let request = body(&input("Invalid Key Buyer"));
    let long = "k".repeat(256);
    for value in ["", "with space", long.as_str(), "tab\there"] {
        let reply = post(&app, Some(&admin), Some(value), &request).await;
        assert_eq!(reply.status, 400, "{value:?}: {}", reply.text);
        assert_eq!(code(&reply), "BAD_USER_INPUT", "{}", reply.text);
        assert_eq!(
            reply.json["errors"][0]["extensions"]["field"], "Idempotency-Key",
            "{}",
            reply.text
        );
        let message = reply.json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("Idempotency-Key"), "{message}");
    }
    // Bytes beyond ASCII, and the header twice.
    let refused = [
        app.client
            .post(format!("{}/graphql", app.address))
            .header("content-type", "application/json")
            .bearer_auth(&admin)
            .header(
                "Idempotency-Key",
                reqwest::header::HeaderValue::from_bytes("ключ".as_bytes()).unwrap(),
            )
            .body(request.clone()),
        app.client
            .post(format!("{}/graphql", app.address))
            .header("content-type", "application/json")
            .bearer_auth(&admin)
            .header("Idempotency-Key", "one")
            .header("Idempotency-Key", "two")
            .body(request.clone()),
    ];
    for attempt in refused {
        let response = attempt.send().await.unwrap();
        assert_eq!(response.status(), 400);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    }
    assert_eq!(counterparts(&app).await, before);
    assert_eq!(keys_kept(&app).await, 0);

    // The longest key, and every visible character, are keys.
    let longest = "k".repeat(255);
    let visible: String = ('!'..='~').collect();
    for (i, value) in [longest, visible].iter().enumerate() {
        let name = format!("Key Length Buyer {i}");
        let reply = post(&app, Some(&admin), Some(value), &body(&input(&name))).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    assert_eq!(counterparts(&app).await, before + 2);
}

#[tokio::test]
async fn without_an_api_key_the_header_changes_nothing() {
    let app = spawn_app(false).await;
    let reply = post(
        &app,
        None,
        Some("anonymous"),
        &body(&input("Anonymous Buyer")),
    )
    .await;
    assert_eq!(code(&reply), "UNAUTHENTICATED", "{}", reply.text);
    assert_eq!(keys_kept(&app).await, 0);
}

#[tokio::test]
async fn a_rate_limited_attempt_releases_its_key() {
    // Every keyed request costs more than the key's budget: refused before anything runs.
    let app = spawn_app_with(false, |s| s.quota_key = 1).await;
    let (admin, _) = admin(&app).await;
    let request = body(&input("Limited Buyer"));
    for _ in 0..2 {
        let reply = post(&app, Some(&admin), Some("limited"), &request).await;
        assert_eq!(reply.status, 429, "{}", reply.text);
        assert_eq!(code(&reply), "RATE_LIMITED");
        assert!(!reply.replayed, "a failure of the moment is not replayed");
        assert_eq!(keys_kept(&app).await, 0, "the claim is released");
    }
    assert_eq!(counterparts(&app).await, 0);
}

fn policy() -> Policy {
    Policy {
        lease: Duration::from_secs(20),
        retention: Duration::from_secs(86_400),
        wait: Duration::from_secs(1),
    }
}

#[tokio::test]
async fn a_transient_failure_releases_a_claim_that_never_committed() {
    let app = spawn_app(false).await;
    let (_, api_key_id) = admin(&app).await;
    let key = IdempotencyKey::parse(b"transient").unwrap();
    let answer = Answer {
        status: 200,
        content_type: Some("application/json".into()),
        body: r#"{"data":{"done":true}}"#.into(),
    };
    let claim = |fingerprint: &'static str| {
        let (db, key) = (app.db.clone(), key.clone());
        async move {
            idempotency::claim(&db, api_key_id, &key, fingerprint, &policy())
                .await
                .unwrap_or_else(|_| panic!("claiming"))
        }
    };
    let Claimed::Run(first) = claim("f1").await else {
        panic!("a new key is claimed")
    };
    let finished = idempotency::finish(&app.db, &first, Ending::Transient(Some(&answer)))
        .await
        .unwrap_or_else(|_| panic!("finishing"));
    assert_eq!(finished, Finished::Released);
    assert_eq!(keys_kept(&app).await, 0);

    // Released, the key runs again, even for another request.
    let Claimed::Run(second) = claim("f2").await else {
        panic!("a released key is claimed again")
    };
    // This time the write commits (in the mutation's transaction), then the attempt fails for
    // a reason of the moment without an answer that says what was done: the key is not
    // released, and retries are told the mutation was applied.
    let events = ganbridge::events::EventBus::new(false);
    let wake = tokio::sync::Notify::new();
    let writer = ganbridge::services::write::Writer {
        db: &app.db,
        actor: ganbridge::domain::Actor::CLI_ADMIN,
        events: &events,
        search_wake: &wake,
        claim: Some(&second),
        ocid_prefix: &ganbridge::domain::OcidPrefix::default(),
    };
    let tx = writer.begin().await.unwrap_or_else(|_| panic!("beginning"));
    tx.commit().await.unwrap_or_else(|_| panic!("committing"));
    let row = idempotency_key::Entity::find_by_id((api_key_id, "transient".to_owned()))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the claim's row");
    assert_eq!(row.state, idempotency_key::State::Committed);
    let finished = idempotency::finish(&app.db, &second, Ending::Transient(None))
        .await
        .unwrap_or_else(|_| panic!("finishing"));
    assert_eq!(finished, Finished::AnswerLost);
    match claim("f2").await {
        Claimed::Refused(Refusal::AnswerLost) => {}
        other => panic!("expected ANSWER_LOST, got {other:?}"),
    }

    // A committed attempt whose failing answer reports what was done keeps that answer.
    let other = IdempotencyKey::parse(b"partial").unwrap();
    let Claimed::Run(third) = idempotency::claim(&app.db, api_key_id, &other, "f3", &policy())
        .await
        .unwrap_or_else(|_| panic!("claiming"))
    else {
        panic!("a new key is claimed")
    };
    let writer = ganbridge::services::write::Writer {
        claim: Some(&third),
        ..writer
    };
    let tx = writer.begin().await.unwrap_or_else(|_| panic!("beginning"));
    tx.commit().await.unwrap_or_else(|_| panic!("committing"));
    let finished = idempotency::finish(&app.db, &third, Ending::Transient(Some(&answer)))
        .await
        .unwrap_or_else(|_| panic!("finishing"));
    assert_eq!(finished, Finished::Stored);
    match idempotency::claim(&app.db, api_key_id, &other, "f3", &policy()).await {
        Ok(Claimed::Replay(replayed)) => assert_eq!(replayed, answer),
        other => panic!("expected a replay, got {other:?}"),
    }
}

/// Writes the row of a first attempt that stopped at `state`, its lease over a minute ago.
async fn stopped_attempt(
    app: &TestApp,
    api_key_id: i64,
    key: &str,
    variables: &Value,
    state: idempotency_key::State,
    lease_expires_at: chrono::DateTime<Utc>,
) {
    idempotency_key::ActiveModel {
        api_key_id: Set(api_key_id),
        key: Set(key.to_owned()),
        fingerprint: Set(idempotency::fingerprint(CREATE, None, variables)),
        state: Set(state),
        attempt: Set("0123456789abcdef0123456789abcdef".to_owned()),
        created_at: Set(Utc::now() - chrono::Duration::minutes(2)),
        lease_expires_at: Set(lease_expires_at),
        status: Set(None),
        content_type: Set(None),
        body: Set(None),
    }
    .insert(&app.db)
    .await
    .expect("writing the first attempt's row");
}

#[tokio::test]
async fn an_expired_claim_that_never_committed_is_taken_over() {
    let app = spawn_app(false).await;
    let (admin, api_key_id) = admin(&app).await;
    let variables = input("Taken Over Buyer");
    let lapsed = Utc::now() - chrono::Duration::minutes(1);
    stopped_attempt(
        &app,
        api_key_id,
        "died-early",
        &variables,
        idempotency_key::State::Running,
        lapsed,
    )
    .await;
    let before = counterparts(&app).await;

    let reply = post(&app, Some(&admin), Some("died-early"), &body(&variables)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert!(!reply.replayed, "the mutation ran");
    assert!(reply.json["data"]["createCounterpart"]["id"].is_string());
    assert_eq!(counterparts(&app).await, before + 1);

    let again = post(&app, Some(&admin), Some("died-early"), &body(&variables)).await;
    assert!(again.replayed, "{}", again.text);
    assert_eq!(again.text, reply.text);
    assert_eq!(counterparts(&app).await, before + 1);
}

#[tokio::test]
async fn an_expired_claim_whose_write_committed_answers_409_answer_lost() {
    let app = spawn_app(false).await;
    let (admin, api_key_id) = admin(&app).await;
    let variables = input("Lost Answer Buyer");
    let lapsed = Utc::now() - chrono::Duration::minutes(1);
    stopped_attempt(
        &app,
        api_key_id,
        "died-late",
        &variables,
        idempotency_key::State::Committed,
        lapsed,
    )
    .await;
    let before = counterparts(&app).await;
    for _ in 0..2 {
        let reply = post(&app, Some(&admin), Some("died-late"), &body(&variables)).await;
        assert_eq!(reply.status, 409, "{}", reply.text);
        assert_eq!(code(&reply), "CONFLICT");
        assert_eq!(
            reply.json["errors"][0]["extensions"]["reason"], "ANSWER_LOST",
            "{}",
            reply.text
        );
        let message = reply.json["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("was applied"), "{message}");
    }
    assert_eq!(counterparts(&app).await, before, "never run again");
}

#[tokio::test]
async fn a_retry_while_the_first_attempt_runs_waits_then_answers_409() {
    let app = spawn_app_with(false, |s| s.request_timeout_secs = 1).await;
    let (admin, api_key_id) = admin(&app).await;
    let variables = input("Slow Buyer");
    let running = Utc::now() + chrono::Duration::minutes(1);
    stopped_attempt(
        &app,
        api_key_id,
        "still-running",
        &variables,
        idempotency_key::State::Running,
        running,
    )
    .await;
    let started = std::time::Instant::now();
    let reply = post(&app, Some(&admin), Some("still-running"), &body(&variables)).await;
    let waited = started.elapsed();
    assert_eq!(reply.status, 409, "{}", reply.text);
    assert_eq!(code(&reply), "CONFLICT");
    assert!(reply.json["errors"][0]["extensions"]["reason"].is_null());
    let message = reply.json["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("still being processed"), "{message}");
    assert!(
        waited >= Duration::from_millis(800),
        "it waited: {waited:?}"
    );
    assert!(waited < Duration::from_secs(5), "{waited:?}");
    assert_eq!(counterparts(&app).await, 0);
}

#[tokio::test]
async fn keys_are_forgotten_after_their_retention() {
    let app = spawn_app(false).await;
    let (admin, api_key_id) = admin(&app).await;
    let variables = input("Yesterday's Buyer");
    let first = post(&app, Some(&admin), Some("yesterday"), &body(&variables)).await;
    assert_eq!(first.status, 200, "{}", first.text);
    // A day and a minute later, the key is free again: the same request runs once more, and
    // another one may use the key.
    let mut row: idempotency_key::ActiveModel =
        idempotency_key::Entity::find_by_id((api_key_id, "yesterday".to_owned()))
            .one(&app.db)
            .await
            .unwrap()
            .expect("the key's row")
            .into();
    row.created_at = Set(Utc::now() - chrono::Duration::hours(24) - chrono::Duration::minutes(1));
    row.update(&app.db).await.unwrap();
    let before = counterparts(&app).await;
    let other = post(
        &app,
        Some(&admin),
        Some("yesterday"),
        &body(&input("Today's Buyer")),
    )
    .await;
    assert_eq!(other.status, 200, "{}", other.text);
    assert!(!other.replayed);
    assert_eq!(counterparts(&app).await, before + 1);
    assert_eq!(keys_kept(&app).await, 1, "the expired row is gone");
}
