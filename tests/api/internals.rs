//! Nothing internal leaves the process: an engine that fails with a message of its own has that
//! message logged, and no HTTP answer (`/readyz`, `/metrics`, GraphQL) carries it.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::helpers::{free_port, wait_until_up};

/// What the failing engine says: a text no answer may repeat.
const SECRET: &str = "engine-internal-7f3a9c: disk /var/lib/meili/data.ms corrupt at page 4711";

/// A server on a real port that answers every request as a broken Meilisearch would: 500,
/// with an error body in Meilisearch's shape carrying [`SECRET`].
async fn broken_engine() -> String {
    use poem::{EndpointExt, IntoResponse, Route, handler, http::StatusCode};
    #[handler]
    fn fail() -> poem::Response {
        poem::web::Json(json!({
            "message": SECRET,
            "code": "internal",
            "type": "internal",
            "link": "https://docs.meilisearch.com/errors#internal"
        }))
        .with_status(StatusCode::INTERNAL_SERVER_ERROR)
        .into_response()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let app = Route::new().at("/*path", fail).at("/", fail).boxed();
    tokio::spawn(async move {
        let _ = poem::Server::new_with_acceptor(
            poem::listener::TcpAcceptor::from_tokio(listener).unwrap(),
        )
        .run(app)
        .await;
    });
    format!("http://{address}")
}

fn serve(data_dir: &Path, engine: &str, log: &Path, port: u16) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_ganbridge"))
        .arg("serve")
        .env("GANBRIDGE_DATA_DIR", data_dir)
        .env("GANBRIDGE_DEMO", "true")
        .env("GANBRIDGE_LISTEN", format!("127.0.0.1:{port}"))
        .env("GANBRIDGE_LOG_FORMAT", "json")
        .env("MEILI_URL", engine)
        .env("MEILI_MASTER_KEY", "a-master-key-for-this-test-only")
        .env_remove("DATABASE_URL")
        .env_remove("GANBRIDGE_CONFIG")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(log).unwrap())
        .stderr(std::fs::File::create(log.with_extension("err")).unwrap())
        .spawn()
        .expect("starting ganbridge serve")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_failing_with_internal_detail_is_logged_and_never_answered() {
    let engine = broken_engine().await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("server.log");
    let port = free_port();
    let mut child = serve(dir.path(), &engine, &log, port);
    let address = format!("http://127.0.0.1:{port}");
    wait_until_up(&address, Duration::from_secs(90)).await;
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(90);
    let logged = || {
        format!(
            "{}{}",
            std::fs::read_to_string(&log).unwrap_or_default(),
            std::fs::read_to_string(log.with_extension("err")).unwrap_or_default()
        )
    };
    // The sync worker has tried the engine (and failed) once its failure is on record.
    let mut ready = Value::Null;
    while Instant::now() < deadline {
        let response = client
            .get(format!("{address}/readyz"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 503);
        ready = response.json().await.unwrap();
        if !ready["search"]["lastSyncError"].is_null() && logged().contains(SECRET) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let failure = &ready["search"]["lastSyncError"];
    assert_eq!(failure["code"], "SEARCH_UNAVAILABLE", "{ready}");
    assert!(failure["message"].is_string(), "{ready}");

    let mut answers = vec![ready.to_string()];
    answers.push(
        client
            .get(format!("{address}/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let search = client
        .post(format!("{address}/graphql"))
        .json(&json!({ "query": "{ search(query: \"Tellhow\") { totalHits } }" }))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let body: Value = serde_json::from_str(&search).unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "SEARCH_UNAVAILABLE",
        "{body}"
    );
    answers.push(search);
    let _ = child.kill();
    let _ = child.wait();

    let logged = logged();
    assert!(
        logged.contains(SECRET),
        "the log should carry the engine's error:\n{logged}"
    );
    for answer in &answers {
        assert!(
            !answer.contains("7f3a9c"),
            "an answer carries the engine's error: {answer}"
        );
        assert!(!answer.contains("/var/lib/meili"), "{answer}");
    }
}
