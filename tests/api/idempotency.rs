//! `Idempotency-Key` on mutations: what becomes of a claim on a key when its attempt fails
//! for a reason of the moment, before or after its write committed.

use std::time::Duration;

use ganbridge::domain::Role;
use ganbridge::entities::idempotency_key;
use ganbridge::services::idempotency::{
    self, Answer, Claimed, Ending, Finished, IdempotencyKey, Policy, Refusal,
};
use sea_orm::{EntityTrait, PaginatorTrait};

use crate::helpers::{TestApp, spawn_app};

async fn keys_kept(app: &TestApp) -> u64 {
    idempotency_key::Entity::find()
        .count(&app.db)
        .await
        .unwrap()
}

/// An admin key's id.
async fn admin(app: &TestApp) -> (String, i64) {
    let secret = app.key(Role::Admin, None, None).await;
    let id = ganbridge::services::access::authenticate(&app.db, &secret)
        .await
        .unwrap_or_else(|_| panic!("the new key authenticates"))
        .key_id()
        .expect("a key's id");
    (secret, id)
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
