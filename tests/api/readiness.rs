//! Honest readiness: while the search index is filled from empty, `/readyz` answers 503 and
//! `search` answers `SEARCH_UNAVAILABLE` with the reason `INDEX_BUILDING`, on both engines;
//! once ready, what exists is found.

use std::time::{Duration, Instant};

use ganbridge::config::Settings;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, fresh_postgres, loud_skip, postgres_admin_url, spawn_app, spawn_app_at, spawn_app_with,
};

const FIND: &str = "{ search(query: \"Tellhow\", types: [COMPANY], first: 1) { totalHits } }";

/// A Meilisearch to use: address, key, and an index of the test's own.
type Meili = Option<(String, Option<String>, String)>;

/// The engines to try: the embedded one, and Meilisearch where one runs (its own index).
fn engines() -> Vec<(&'static str, Meili)> {
    let mut out = vec![("embedded", None)];
    match std::env::var("MEILI_URL") {
        Ok(url) => out.push((
            "meilisearch",
            Some((
                url,
                std::env::var("MEILI_MASTER_KEY").ok(),
                format!("ganbridge_test_{}", uuid::Uuid::new_v4().simple()),
            )),
        )),
        Err(_) => loud_skip("readiness on Meilisearch", "MEILI_URL is not set"),
    }
    out
}

fn configure(meili: &Meili, s: &mut Settings) {
    // Nothing is built before listening: the index is filled while the server answers.
    s.index_before_listening = 0;
    if let Some((url, key, index)) = meili {
        s.meili_url = Some(url.clone());
        s.meili_master_key = key.clone().map(secrecy::SecretString::from);
        s.meili_index = index.clone();
    }
}

async fn drop_index(meili: &Meili) {
    if let Some((url, key, index)) = meili {
        let _ = ganbridge::search::meili::MeiliEngine::new(url, key.as_deref(), index)
            .unwrap()
            .drop_index()
            .await;
    }
}

/// What the server says now: readiness (status, body) and the search's answer.
async fn look(app: &TestApp) -> (u16, Value, Value) {
    let ready = app.get("/readyz").await;
    let status = ready.status().as_u16();
    let ready: Value = ready.json().await.unwrap();
    let search = app.graphql(FIND, json!({})).await;
    (status, ready, search)
}

/// Whether both answers say the index is building.
fn building(status: u16, ready: &Value, search: &Value) -> bool {
    status == 503
        && ready["ready"] == false
        && ready["search"]["index"] == "building"
        && search["data"].is_null()
        && search["errors"][0]["extensions"]["code"] == "SEARCH_UNAVAILABLE"
        && search["errors"][0]["extensions"]["reason"] == "INDEX_BUILDING"
}

/// Polls until the server is ready, checking that every answer on the way is honest: search
/// either says the index is building or finds what exists (never an empty list), and
/// readiness says ready only once the index is.
async fn until_ready(app: &TestApp, engine: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (status, ready, search) = look(app).await;
        if search["data"].is_null() {
            assert_eq!(
                search["errors"][0]["extensions"]["reason"], "INDEX_BUILDING",
                "{engine}: {search}"
            );
        } else {
            assert!(
                search["data"]["search"]["totalHits"].as_i64().unwrap_or(0) >= 1,
                "{engine}: an answer that misses what exists: {search} {ready}"
            );
        }
        if status == 200 {
            assert_eq!(ready["search"]["index"], "ready", "{engine}: {ready}");
            // Ready is for good: the next search finds.
            let again = app.graphql(FIND, json!({})).await;
            assert_eq!(again["data"]["search"]["totalHits"], 1, "{engine}: {again}");
            return;
        }
        assert!(
            ready["search"]["index"] == "building" || ready["search"]["index"] == "unknown",
            "{engine}: {ready}"
        );
        assert!(
            Instant::now() < deadline,
            "{engine}: never ready: {ready} {search}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn while_the_index_is_filled_from_empty_readiness_and_search_say_so() {
    for (engine, meili) in engines() {
        match postgres_admin_url() {
            Some(admin) => {
                // Another server rebuilding holds the drain lock: this one waits, building,
                // for as long as the lock is held, whatever the engine's speed.
                let url = fresh_postgres(&admin).await;
                let holder = sea_orm::Database::connect(&url).await.unwrap();
                holder
                    .execute_unprepared(&format!(
                        "SELECT pg_advisory_lock({})",
                        ganbridge::services::sync::DRAIN_LOCK
                    ))
                    .await
                    .unwrap();
                let app = spawn_app_at(true, &url, |s| configure(&meili, s)).await;
                let started = Instant::now();
                while started.elapsed() < Duration::from_secs(2) {
                    let (status, ready, search) = look(&app).await;
                    assert!(
                        building(status, &ready, &search)
                            || (status == 503 && ready["search"]["index"] == "unknown"),
                        "{engine}: {status} {ready} {search}"
                    );
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                let (status, ready, search) = look(&app).await;
                assert!(
                    building(status, &ready, &search),
                    "{engine}: {status} {ready} {search}"
                );
                holder
                    .execute_unprepared(&format!(
                        "SELECT pg_advisory_unlock({})",
                        ganbridge::services::sync::DRAIN_LOCK
                    ))
                    .await
                    .unwrap();
                until_ready(&app, engine).await;
                app.stop().await;
            }
            None => {
                let app = spawn_app_with(true, |s| configure(&meili, s)).await;
                until_ready(&app, engine).await;
                app.stop().await;
            }
        }
        drop_index(&meili).await;
    }
}

#[tokio::test]
async fn the_first_start_on_the_embedded_engine_builds_the_demo_index_before_listening() {
    let app = spawn_app(true).await;
    // The very first requests: no waiting.
    let (status, ready, search) = look(&app).await;
    assert_eq!(status, 200, "{ready}");
    assert_eq!(ready["search"]["index"], "ready", "{ready}");
    assert_eq!(
        ready["outbox"]["depth"], 0,
        "the build covered the outbox: {ready}"
    );
    assert_eq!(search["data"]["search"]["totalHits"], 1, "{search}");
    app.stop().await;
}

#[tokio::test]
async fn a_wiped_meilisearch_is_rebuilt_and_never_answers_an_empty_list_meanwhile() {
    let Ok(url) = std::env::var("MEILI_URL") else {
        loud_skip(
            "a wiped Meilisearch under a running server",
            "MEILI_URL is not set",
        );
        return;
    };
    let key = std::env::var("MEILI_MASTER_KEY").ok();
    let index = format!("ganbridge_test_{}", uuid::Uuid::new_v4().simple());
    let meili = Some((url.clone(), key.clone(), index.clone()));
    let app = spawn_app_with(true, |s| configure(&meili, s)).await;
    until_ready(&app, "meilisearch").await;
    // The index is deleted under the running server, as a wiped Meilisearch would be.
    ganbridge::search::meili::MeiliEngine::new(&url, key.as_deref(), &index)
        .unwrap()
        .drop_index()
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut refused = 0;
    loop {
        let search = app.graphql(FIND, json!({})).await;
        match search["data"]["search"]["totalHits"].as_i64() {
            Some(0) => panic!("an empty answer while the index was being rebuilt: {search}"),
            Some(_) if refused > 0 => break,
            Some(_) => {}
            None => {
                assert_eq!(
                    search["errors"][0]["extensions"]["code"], "SEARCH_UNAVAILABLE",
                    "{search}"
                );
                refused += 1;
            }
        }
        assert!(Instant::now() < deadline, "never rebuilt: {search}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    until_ready(&app, "meilisearch").await;
    app.stop().await;
    drop_index(&meili).await;
}
