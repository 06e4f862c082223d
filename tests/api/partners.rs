//! What partner sites need of HTTP: cacheable GET queries, persisted queries, compression,
//! CORS for the configured origins, and request ids.

use serde_json::{Value, json};

use crate::helpers::{persisted, spawn_app, spawn_app_with};
use ganbridge::domain::Role;

#[tokio::test]
async fn queries_over_get_are_cacheable_for_anonymous_callers_and_mutations_are_refused() {
    let app = spawn_app(true).await;
    let get = |query: &str, key: Option<String>| {
        let mut request = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&[("query", query)]);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        request.send()
    };
    let response = get(
        "{ districts { code } statistics(year: 2014) { companies } }",
        None,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 200);
    // The shortest hint among the fields asked for: statistics, 300 s.
    assert_eq!(response.headers()["cache-control"], "max-age=300");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["data"]["statistics"]["companies"], 1056);

    let response = get("{ companies(first: 1) { nodes { name } } }", None)
        .await
        .unwrap();
    assert_eq!(response.headers()["cache-control"], "max-age=60");

    // What a key reads is its own.
    let key = app.key(Role::Partner, None, None).await;
    let response = get("{ districts { code } }", Some(key)).await.unwrap();
    assert_eq!(response.headers()["cache-control"], "private, no-store");

    let response = get(
        "mutation { createApiKey(input: { name: \"x\", role: PARTNER }) { secret } }",
        None,
    )
    .await
    .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );

    // Without a query, GET is GraphiQL.
    let page = app.get("/graphql").await.text().await.unwrap();
    assert!(page.contains("graphiql"));
}

#[tokio::test]
async fn a_persisted_query_is_sent_by_its_hash_once_registered() {
    let app = spawn_app(false).await;
    let query = "{ districts { code } }";
    let extensions = persisted(query);
    let by_hash = || async { json_of(app.get_with_extensions(&extensions).await).await };
    let unknown = by_hash().await;
    assert_eq!(
        unknown["errors"][0]["message"], "PersistedQueryNotFound",
        "{unknown}"
    );
    let registered = app.post_with_extensions(query, &extensions).await;
    assert_eq!(
        registered["data"]["districts"].as_array().unwrap().len(),
        11
    );
    let known = by_hash().await;
    assert_eq!(known["data"], registered["data"], "{known}");

    // A text sent with another text's hash is refused, and not kept under that hash.
    let other = "{ parks(first: 1) { nodes { name } } }";
    let forged = app.post_with_extensions(other, &extensions).await;
    assert_eq!(
        forged["errors"][0]["message"], "provided sha does not match query",
        "{forged}"
    );
    assert_eq!(forged["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let still = by_hash().await;
    assert_eq!(still["data"], registered["data"], "{still}");
    let never = json_of(app.get_with_extensions(&persisted(other)).await).await;
    assert_eq!(never["errors"][0]["message"], "PersistedQueryNotFound");

    // A text that does not parse is refused and not kept under its hash.
    let broken = "{ districts { code ";
    let refused = app.post_with_extensions(broken, &persisted(broken)).await;
    assert_eq!(refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let gone = json_of(app.get_with_extensions(&persisted(broken)).await).await;
    assert_eq!(
        gone["errors"][0]["message"], "PersistedQueryNotFound",
        "{gone}"
    );

    // A mutation registered by POST is still refused by GET when sent by its hash alone.
    let mutation = "mutation { createApiKey(input: { name: \"x\", role: PARTNER }) { secret } }";
    let posted = app
        .post_with_extensions(mutation, &persisted(mutation))
        .await;
    assert_eq!(
        posted["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{posted}"
    );
    let response = app.get_with_extensions(&persisted(mutation)).await;
    assert_eq!(response.status(), 405);
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

#[tokio::test]
async fn answers_are_compressed_cors_follows_the_allow_list_and_requests_carry_an_id() {
    let app = spawn_app_with(false, |s| {
        s.cors_allowed_origins = "https://park.example, https://portal.example".into();
    })
    .await;
    let big = "{ districts { code name nameZh } freeTradeZoneAreas { name } serviceLines { line name nameZh family } }";
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header("accept-encoding", "gzip")
        .header("x-request-id", "partner-trace-42")
        .json(&json!({ "query": big }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert_eq!(response.headers()["x-request-id"], "partner-trace-42");
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 24, "{id}");

    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let allowed = preflight("https://park.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://park.example"
    );
    let other = preflight("https://elsewhere.example").await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    // A POST from another origin is refused; the site's own pages (GraphiQL, the explorer)
    // send their origin too, and are answered whatever the list says.
    let post_from = |origin: String| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("origin", origin)
            .json(&json!({ "query": "{ statistics(year: 2014) { companies } }" }))
            .send()
    };
    let foreign = post_from("https://elsewhere.example".into()).await.unwrap();
    assert_eq!(foreign.status(), 403);
    let own = post_from(app.address.clone()).await.unwrap();
    assert_eq!(own.status(), 200);
    let own = json_of(own).await;
    assert!(
        own["errors"].is_null() && own["data"]["statistics"].is_object(),
        "{own}"
    );
    // A cache keeps the answers of each origin apart.
    let answer = app
        .client
        .get(format!(
            "{}/graphql?query={{districts{{code}}}}",
            app.address
        ))
        .header("origin", "https://park.example")
        .send()
        .await
        .unwrap();
    assert!(
        answer
            .headers()
            .get_all("vary")
            .iter()
            .any(|v| v.to_str().unwrap().contains("Origin")),
        "{:?}",
        answer.headers()
    );
}

#[tokio::test]
async fn graphql_over_http_media_type_and_status_codes() {
    let app = spawn_app(false).await;
    let post = |query: &'static str, accept: &'static str| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header("accept", accept)
            .json(&json!({ "query": query }))
            .send()
    };
    let gqlr = "application/graphql-response+json";
    let ok = post("{ districts { code } }", gqlr).await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], gqlr);

    // A request that cannot run at all is 400 under the new media type...
    for broken in ["{ districts { code }", "{ districts { nope } }"] {
        let response = post(broken, gqlr).await.unwrap();
        assert_eq!(response.status(), 400, "{broken}");
        assert_eq!(response.headers()["content-type"], gqlr);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
        // ...with no `data` entry at all: the request did not run.
        assert!(body.get("data").is_none(), "{body}");
    }
    // ...and 200 for a client that asks for plain JSON, with `"data": null` as before.
    let legacy = post("{ districts { code }", "application/json")
        .await
        .unwrap();
    assert_eq!(legacy.status(), 200);
    assert!(
        legacy.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let legacy: Value = legacy.json().await.unwrap();
    assert!(legacy.get("data").is_some_and(Value::is_null), "{legacy}");
    // A field that fails while others answer is still 200: the data is there.
    let partial = post(
        "{ districts { code } tender(id: \"VGVuZGVyOjk5OTk\") { id } }",
        gqlr,
    )
    .await
    .unwrap();
    assert_eq!(partial.status(), 200);
}
