//! Any bytes sent to `/graphql`, as a JSON body on POST or as the query string on GET, through
//! the whole HTTP path (body limits, request parsing, authentication, query limits and cost,
//! execution on a real SQLite database holding the demo dataset): the answer is never a 500 and
//! always a GraphQL JSON body.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use poem::http::Method;
use poem::{Endpoint, Request};

struct Harness {
    runtime: tokio::runtime::Runtime,
    endpoint: poem::endpoint::BoxEndpoint<'static>,
    _data: tempfile::TempDir,
}

fn harness() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let data = tempfile::tempdir().expect("a data directory");
        let settings = ganbridge::config::Settings {
            listen: "127.0.0.1:0".into(),
            data_dir: data.path().to_path_buf(),
            demo: true,
            // The fuzzer is one caller sending millions of requests.
            quota_anonymous: i64::MAX / 4,
            ..Default::default()
        };
        let app = runtime
            .block_on(ganbridge::app::Application::build(&settings))
            .expect("building the application");
        Harness {
            endpoint: app.endpoint(),
            runtime,
            _data: data,
        }
    })
}

fuzz_target!(|input: (bool, &[u8])| {
    let (post, bytes) = input;
    let h = harness();
    let request = if post {
        Request::builder()
            .method(Method::POST)
            .uri_str("/graphql")
            .content_type("application/json")
            .body(bytes.to_vec())
    } else {
        let Ok(query) = std::str::from_utf8(bytes) else {
            return;
        };
        let Ok(uri) = format!("/graphql?{query}").parse::<poem::http::Uri>() else {
            return;
        };
        Request::builder().method(Method::GET).uri(uri).finish()
    };
    h.runtime.block_on(async {
        let response = h.endpoint.get_response(request).await;
        let status = response.status();
        assert!(!status.is_server_error() || status == 503, "status {status}");
        let is_graphiql = response
            .content_type()
            .is_some_and(|t| t.starts_with("text/html"));
        let body = response.into_body().into_vec().await.expect("a body");
        if !is_graphiql && status != 405 {
            let json: serde_json::Value =
                serde_json::from_slice(&body).expect("a JSON body");
            assert!(
                json.get("data").is_some() || json.get("errors").is_some(),
                "neither data nor errors: {json}"
            );
            if let Some(errors) = json.get("errors").and_then(|e| e.as_array()) {
                for error in errors {
                    assert_ne!(error["extensions"]["code"], "INTERNAL", "{json}");
                }
            }
        }
    });
});
