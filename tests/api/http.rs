use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn operational_endpoints_answer() {
    let app = spawn_app(false).await;
    assert_eq!(app.get("/healthz").await.status(), 200);

    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "ok");

    let graphiql = app.get("/graphql").await;
    assert_eq!(graphiql.status(), 200);
    assert!(graphiql.text().await.unwrap().contains("graphiql"));

    app.data("query Districts { districts { code } }", json!({}))
        .await;
    app.error("query Broken { nope }", json!({})).await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for line in [
        r#"ganbridge_graphql_requests_total{operation="Districts",outcome="ok"} 1"#,
        r#"ganbridge_graphql_requests_total{operation="Broken",outcome="BAD_USER_INPUT"} 1"#,
        r#"ganbridge_graphql_request_duration_seconds_count{operation="Districts"} 1"#,
        r#"ganbridge_search_outbox{measure="depth"}"#,
        r#"ganbridge_db_pool_connections{state="idle"}"#,
        "ganbridge_rate_limited_total 0",
    ] {
        assert!(metrics.contains(line), "no '{line}' in:\n{metrics}");
    }
    let count: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("ganbridge_db_statements_total "))
        .and_then(|v| v.parse().ok())
        .expect("the statement counter");
    assert!(count > 0);
}

#[tokio::test]
async fn malformed_requests_are_refused_without_a_crash() {
    let app = spawn_app(false).await;
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);

    let (code, _) = app
        .error("{ companies(first: 5) { nodes { nope } } }", json!({}))
        .await;
    assert_ne!(code, "INTERNAL");
    // The server still answers.
    assert_eq!(app.get("/healthz").await.status(), 200);
}
