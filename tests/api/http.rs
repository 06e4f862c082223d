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
        r#"ganbridge_db_statement_duration_seconds_bucket{outcome="ok",le="+Inf"}"#,
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
async fn bad_requests_get_their_status_and_a_graphql_error_never_a_crash() {
    let app = spawn_app(false).await;
    let json = "application/json";
    let districts = r#"{"query":"{ districts { code } }"}"#.as_bytes().to_vec();
    let nested = format!(
        "{{ districts {{ {} code {} }} }}",
        "... on District { ".repeat(40),
        "}".repeat(40)
    );
    let huge_variable = serde_json::to_vec(&json!({
        "query": "query($q: String!) { search(query: $q) { nodes { __typename } } }",
        "variables": { "q": "x".repeat(2 * 1024 * 1024) },
    }))
    .unwrap();
    let cases: Vec<(&str, Option<&str>, Vec<u8>, u16)> = vec![
        ("malformed JSON", Some(json), b"{ not json".to_vec(), 400),
        ("an empty body", Some(json), Vec::new(), 400),
        ("no content type", None, districts.clone(), 415),
        ("text/plain", Some("text/plain"), districts.clone(), 415),
        (
            "a form",
            Some("application/x-www-form-urlencoded"),
            districts.clone(),
            415,
        ),
        (
            "invalid UTF-8",
            Some(json),
            b"{\"query\":\"{ districts { code \xff\xfe } }\"}".to_vec(),
            400,
        ),
        ("a query that is not a string", Some(json), br#"{"query":42}"#.to_vec(), 400),
        (
            "variables that are not an object",
            Some(json),
            br#"{"query":"{ districts { code } }","variables":[1,2]}"#.to_vec(),
            400,
        ),
        (
            "an unknown operation name",
            Some(json),
            br#"{"query":"query A { districts { code } }","operationName":"B"}"#.to_vec(),
            200,
        ),
        (
            "cyclic fragments",
            Some(json),
            serde_json::to_vec(&json!({ "query":
                "{ districts { ...F } } fragment F on District { code ...G } fragment G on District { ...F }"
            }))
            .unwrap(),
            200,
        ),
        (
            "deep nesting",
            Some(json),
            serde_json::to_vec(&json!({ "query": nested })).unwrap(),
            200,
        ),
        (
            "a required variable not given",
            Some(json),
            br#"{"query":"query($q: String!) { search(query: $q) { totalHits } }","variarles":{"q":"x"}}"#.to_vec(),
            200,
        ),
        (
            "a required variable not given, in an operation with a name",
            Some(json),
            br#"{"query":"query Find($q: String!) { search(query: $q) { totalHits } }"}"#.to_vec(),
            200,
        ),
        (
            "a required variable given as null, in the named operation",
            Some(json),
            br#"{"query":"query A { districts { code } } query B($d: DistrictCode!) { companies(filter: { district: $d }) { totalCount } }","operationName":"B","variables":{"d":null}}"#.to_vec(),
            200,
        ),
        ("an oversized variable", Some(json), huge_variable, 413),
    ];
    for (what, content_type, body, status) in cases {
        let mut request = app
            .client
            .post(format!("{}/graphql", app.address))
            .body(body);
        if let Some(content_type) = content_type {
            request = request.header("content-type", content_type);
        }
        let response = request.send().await.expect("sending");
        assert_eq!(response.status().as_u16(), status, "{what}");
        let body: serde_json::Value = response.json().await.expect("a JSON body");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{what}: {body}"
        );
        assert!(body["data"].is_null(), "{what}: {body}");
    }

    let (code, _) = app
        .error("{ companies(first: 5) { nodes { nope } } }", json!({}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    // The server still answers, and a well-formed request still succeeds.
    assert_eq!(app.get("/healthz").await.status(), 200);
    app.data("{ districts { code } }", json!({})).await;
}

#[tokio::test]
async fn a_query_sent_again_with_other_variables_answers_for_those_variables() {
    let app = crate::helpers::spawn_app(true).await;
    // The second time, the query's parsed form is a kept copy; the variables are this request's.
    let query = "query($code: Boolean!, $first: Int, $skipNames: Boolean!) {
        districts { code @include(if: $code) name @skip(if: $skipNames) }
        companies(first: $first) { nodes { name } } }";
    let mut answers = Vec::new();
    for (code, first, skip) in [(true, 3, false), (false, 5, true), (true, 3, false)] {
        let data = app
            .data(
                query,
                serde_json::json!({ "code": code, "first": first, "skipNames": skip }),
            )
            .await;
        let district = &data["districts"][0];
        assert_eq!(district.get("code").is_some(), code, "{data}");
        assert_eq!(district.get("name").is_some(), !skip, "{data}");
        assert_eq!(
            data["companies"]["nodes"].as_array().unwrap().len(),
            first as usize
        );
        answers.push(data);
    }
    assert_eq!(answers[0], answers[2]);
    // A query that does not parse is refused each time, not kept.
    for _ in 0..2 {
        let (_, body) = app
            .graphql_as(None, "{ districts { code ", serde_json::json!({}))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
    }
}
