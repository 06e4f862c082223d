//! The explorer over HTTP: its pages in both languages, their cache and security headers, the
//! documents they run, their CSV files, and the pages for bad input.

use chrono::Datelike;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};
use ganbridge::web::documents;

async fn page(app: &TestApp, path: &str, lang: &str) -> (u16, reqwest::header::HeaderMap, String) {
    page_with_cookie(app, path, lang, None).await
}

/// A page as a browser asks for it, in `lang` and with `cookie` if any.
async fn page_with_cookie(
    app: &TestApp,
    path: &str,
    lang: &str,
    cookie: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut request = app
        .client
        .get(format!("{}{path}", app.address))
        .header("accept-language", lang)
        .header("accept", "text/html");
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("sending the request");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    (status, headers, response.text().await.expect("a body"))
}

/// The ids of one company, tender and park of the demo dataset (the first Tellhow finds).
async fn ids(app: &TestApp) -> (String, String, String) {
    let data = app
        .data(
            "{ search(query: \"泰豪\", types: [COMPANY], first: 1) { edges { node { ... on Company { id } } } }
               tenders(first: 1) { edges { node { id } } }
               parks(first: 1) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = |v: &Value| v.as_str().expect("an id").to_owned();
    (
        id(&data["search"]["edges"][0]["node"]["id"]),
        id(&data["tenders"]["edges"][0]["node"]["id"]),
        id(&data["parks"]["edges"][0]["node"]["id"]),
    )
}

#[tokio::test]
async fn every_document_of_the_explorer_runs_against_the_schema() {
    let app = spawn_app(true).await;
    let (company, tender, park) = ids(&app).await;
    for (name, document) in documents::ALL {
        let variables = match name {
            "search" => json!({ "query": "", "sort": "RELEVANCE" }),
            "suggest" => json!({ "query": "tai" }),
            "company" => json!({ "id": company }),
            "tender" => json!({ "id": tender }),
            "park" => json!({ "id": park }),
            "statistics" => json!({ "from": 2013, "to": 2026 }),
            "compare" => json!({ "a": company, "b": company, "c": company, "d": company,
                                 "withC": true, "withD": true }),
            "graphiql" => json!({}),
            other => panic!("no variables for the {other} document"),
        };
        let body = app.graphql(document, variables).await;
        assert!(
            body.get("errors").is_none(),
            "the {name} document: {body:#}"
        );
        assert!(body["data"].is_object(), "the {name} document answers data");
    }
    // GraphiQL's first query shows the published figures.
    let start = app.graphql(documents::GRAPHIQL_DEFAULT, json!({})).await;
    assert_eq!(start["data"]["statistics"]["companies"], 1056, "{start:#}");
    assert!(start["data"]["search"]["totalHits"].as_i64().unwrap() > 0);
}

/// The `Cache-Control` an anonymous partner gets for `document` sent as a GET query.
async fn api_cache_control(app: &TestApp, document: &str, variables: &Value) -> String {
    let api = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", document), ("variables", &variables.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 200);
    api.headers()["cache-control"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn pages_speak_the_visitors_language_and_carry_the_apis_cache_and_a_strict_policy() {
    let app = spawn_app(true).await;
    let (company, tender, park) = ids(&app).await;
    let (status, headers, english) = page(&app, "/?q=%E6%B3%B0%E8%B1%AA", "en-GB,en;q=0.9").await;
    assert_eq!(status, 200);
    assert!(english.contains("<html lang=\"en\">"));
    assert!(english.contains("Search companies, tenders and parks"));
    assert!(english.contains("Tellhow"), "泰豪 finds Tellhow");
    // The words searched for are emphasised in the names, in either language.
    assert!(english.contains("<em>泰豪</em>"), "{english}");
    let (_, _, chinese) = page(&app, "/?q=%E6%B3%B0%E8%B1%AA", "zh-CN,zh;q=0.9").await;
    assert!(chinese.contains("<html lang=\"zh-CN\">"));
    assert!(chinese.contains("搜索企业、需求和园区"));
    // The same document sent as a GET query by an anonymous partner gets the same header.
    let variables = ganbridge::web::search::Params::parse("q=%E6%B3%B0%E8%B1%AA")
        .unwrap()
        .variables();
    let api = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[
            ("query", documents::SEARCH),
            ("variables", &variables.to_string()),
        ])
        .send()
        .await
        .unwrap();
    let api_cache = api.headers()["cache-control"].to_str().unwrap().to_owned();
    assert!(api_cache.contains("max-age"), "{api_cache}");
    assert_eq!(headers["cache-control"].to_str().unwrap(), api_cache);
    assert_eq!(headers["vary"], "Accept-Language, Cookie");
    // The server says how long it took, for developer tools and the benchmark.
    let timing = headers["server-timing"].to_str().unwrap();
    let took: f64 = timing
        .strip_prefix("app;dur=")
        .and_then(|ms| ms.parse().ok())
        .unwrap_or_else(|| panic!("{timing}"));
    assert!(took > 0.0, "{timing}");
    let policy = headers["content-security-policy"].to_str().unwrap();
    let scripts = policy
        .split(';')
        .find(|d| d.trim().starts_with("script-src"))
        .expect("a script-src");
    assert_eq!(scripts.trim(), "script-src 'self'", "{policy}");
    // A cookie set by the switch wins over the browser's languages; ?lang= over both.
    let switched = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!("{}/lang/zh?back=%2Fstatistics", app.address))
        .send()
        .await
        .unwrap();
    assert_eq!(switched.status(), 303);
    assert_eq!(switched.headers()["location"], "/statistics");
    let cookie = switched.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.starts_with("lang=zh;"), "{cookie}");
    let (_, _, statistics) = page_with_cookie(&app, "/statistics", "en", Some("lang=zh")).await;
    assert!(statistics.contains("产业统计") && statistics.contains("1,056"));
    let (_, headers, english) = page(&app, "/statistics?lang=en", "zh").await;
    assert!(english.contains("The industry in figures"));
    // The address's language is kept in the cookie, so that the page's links, which do not
    // carry it, stay in it; a visitor whose cookie says so already is not sent it again.
    let kept = headers
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(kept.starts_with("lang=en;"), "{kept:?}");
    // It is this visitor's answer: no shared cache may keep it, cookie and all.
    let cache = headers["cache-control"].to_str().unwrap();
    assert!(
        cache.contains("private") && !cache.contains("public"),
        "{cache}"
    );
    let (_, again, _) = page_with_cookie(&app, "/statistics?lang=en", "zh", Some("lang=en")).await;
    assert!(!again.contains_key("set-cookie"));
    let (_, headers, _) = page(&app, "/statistics", "zh").await;
    assert!(
        !headers.contains_key("set-cookie"),
        "only an address's language is kept"
    );
    // Every page of a record answers, in both languages.
    for path in [
        format!("/companies/{company}"),
        format!("/tenders/{tender}"),
        format!("/parks/{park}"),
        format!("/compare?id={company}&id={}", ids_of_two(&app).await),
        "/compare".to_owned(),
        "/graphql".to_owned(),
    ] {
        for lang in ["en", "zh"] {
            let (status, headers, body) = page(&app, &path, lang).await;
            assert_eq!(status, 200, "{path} in {lang}: {body}");
            assert!(headers.contains_key("content-security-policy"), "{path}");
            assert!(!body.contains("<script>"), "no inline script on {path}");
        }
    }
    // Each record's page and the statistics carry what their document gets as a GET query.
    let year = chrono::Utc::now().year();
    for (path, document, variables) in [
        (
            format!("/companies/{company}"),
            documents::COMPANY,
            json!({ "id": company }),
        ),
        (
            format!("/tenders/{tender}"),
            documents::TENDER,
            json!({ "id": tender }),
        ),
        (
            format!("/parks/{park}"),
            documents::PARK,
            json!({ "id": park, "after": null }),
        ),
        (
            "/statistics".to_owned(),
            documents::STATISTICS,
            ganbridge::web::statistics::variables(year),
        ),
    ] {
        let (_, headers, _) = page(&app, &path, "en").await;
        let expected = api_cache_control(&app, document, &variables).await;
        assert!(expected.contains("max-age"), "{path}: {expected}");
        assert_eq!(headers["cache-control"], expected.as_str(), "{path}");
    }
    let (_, _, company_page) = page(&app, &format!("/companies/{company}"), "zh").await;
    assert!(company_page.contains("泰豪科技股份有限公司"));
    assert!(
        company_page.contains("<svg role=\"img\""),
        "its figures as a chart"
    );
}

async fn ids_of_two(app: &TestApp) -> String {
    let data = app
        .data(
            "{ search(query: \"Thinvent\", types: [COMPANY], first: 1) { edges { node { ... on Company { id } } } } }",
            json!({}),
        )
        .await;
    data["search"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn statistics_tables_download_as_csv() {
    let app = spawn_app(true).await;
    let years = app.get("/statistics/years.csv").await;
    assert_eq!(years.status(), 200);
    assert_eq!(years.headers()["content-type"], "text/csv; charset=utf-8");
    assert!(
        years.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    let bytes = years.bytes().await.unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a byte order mark, for spreadsheets to read it as UTF-8"
    );
    let body = String::from_utf8(bytes.to_vec()).unwrap();
    let row = body
        .lines()
        .find(|l| l.starts_with("2014,"))
        .expect("a row for 2014");
    assert_eq!(
        row,
        "2014,1056,18.25,116000,7.31,1417000000.00,2.45,1275300000.00,179,188.71"
    );
    let districts = app
        .get("/statistics/districts.csv?year=2014")
        .await
        .text()
        .await
        .unwrap();
    let total: i64 = districts
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(2).unwrap().parse::<i64>().unwrap())
        .sum();
    assert_eq!(total, 1056, "the districts add up to the province");
    assert_eq!(districts.lines().count(), 12, "a header and 11 districts");
    assert_eq!(
        app.get("/statistics/districts.csv?year=1990")
            .await
            .status(),
        404
    );
    assert_eq!(app.get("/statistics/districts.csv").await.status(), 400);
}

#[tokio::test]
async fn bad_input_gets_a_page_saying_what_in_the_visitors_language() {
    let app = spawn_app(true).await;
    let unknown = "Q29tcGFueTo5OTk5OTk"; // Company:999999
    let (status, headers, body) = page(&app, &format!("/companies/{unknown}"), "zh").await;
    assert_eq!(status, 404);
    assert!(body.contains("未找到"), "{body}");
    assert_eq!(headers["cache-control"], "no-store");
    let (status, _, body) = page(&app, &format!("/tenders/{unknown}"), "en").await;
    assert_eq!(status, 400, "a company's id is not a tender's: {body}");
    let (status, _, body) = page(&app, &format!("/tenders/{unknown}"), "zh").await;
    assert_eq!(status, 400);
    assert!(
        body.contains("参数“id”无效"),
        "in the visitor's words: {body}"
    );
    // An address that is not UTF-8 gets the same page, not the router's plain text.
    for path in ["/companies/%FF", "/tenders/%C3%28", "/parks/%FF"] {
        let (status, headers, body) = page(&app, path, "zh").await;
        assert_eq!(status, 400, "{path}");
        assert!(body.contains("该地址无效"), "{path}: {body}");
        assert!(headers.contains_key("content-security-policy"), "{path}");
    }
    let releases = app.get("/ocds/releases/%FF").await;
    assert_eq!(releases.status(), 400);
    let error: Value = releases.json().await.unwrap();
    assert_eq!(error["error"]["code"], "BAD_USER_INPUT", "{error}");
    let bulk = app.get("/ocds/bulk/releases/%FF.json.gz").await;
    assert_eq!(bulk.status(), 404);
    assert!(
        bulk.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let (status, _, body) = page(&app, "/?sort=LOUDEST", "en").await;
    assert_eq!(status, 400);
    assert!(body.contains("“sort”"), "{body}");
    let (status, _, body) = page(&app, "/statistics?year=next", "zh").await;
    assert_eq!(status, 400);
    assert!(body.contains("参数“year”无效"), "{body}");
    let (status, _, _) = page(&app, "/statistics?year=1990", "en").await;
    assert_eq!(status, 404);
    let (status, _, body) = page(&app, "/companies/<script>", "en").await;
    assert_eq!(status, 400);
    assert!(!body.contains("<script>"));
    let long = "泰".repeat(501);
    let (status, _, body) = page(&app, &format!("/?q={long}"), "en").await;
    assert_eq!(status, 400);
    assert!(body.contains("longer than 500 characters"), "{body}");
    let (status, _, body) = page(&app, "/no/such/page", "zh").await;
    assert_eq!(status, 404);
    assert!(body.contains("未找到"));
    let (status, _, _) = page(&app, "/compare?id=a&id=b&id=c&id=d&id=e", "en").await;
    assert_eq!(status, 400);
    let (status, _, _) = page(&app, "/lang/fr", "en").await;
    assert_eq!(status, 400);
    // The switch goes back to this site only.
    let away = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "{}/lang/en?back=%2F%2Fevil.example%2F",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(away.headers()["location"], "/");
    let tabbed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(format!(
            "{}/lang/en?back=%2F%09%2Fevil.example",
            app.address
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(
        tabbed.headers()["location"],
        "/",
        "a tab makes no other origin"
    );
}

#[tokio::test]
async fn graphiql_and_the_explorer_are_served_from_this_origin_alone() {
    let app = spawn_app(false).await;
    let (status, _, graphiql) = page(&app, "/graphql", "en").await;
    assert_eq!(status, 200);
    for asset in [
        "/assets/vendor/react/react.production.min.js",
        "/assets/vendor/react-dom/react-dom.production.min.js",
        "/assets/vendor/graphiql/graphiql.min.js",
        "/assets/vendor/graphiql/graphiql.min.css",
        "/assets/web/graphiql.js",
    ] {
        assert!(graphiql.contains(asset), "GraphiQL loads {asset}");
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
        let etag = response.headers()["etag"].to_str().unwrap().to_owned();
        let again = app
            .client
            .get(format!("{}{asset}", app.address))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{asset} again");
    }
    assert!(!graphiql.contains("https://") && !graphiql.contains("http://"));
    assert!(
        graphiql.contains("statistics(year: 2014)"),
        "a useful default query"
    );
    assert_eq!(app.get("/assets/vendor.sh").await.status(), 404);
    assert_eq!(app.get("/assets/nothing.js").await.status(), 404);
}

#[tokio::test]
async fn search_snippets_are_escaped_with_only_their_emphasis() {
    let app = spawn_app(true).await;
    let (company, _, _) = ids(&app).await;
    let (_, number) = ganbridge::domain::global_id::decode(&company).unwrap();
    let key = app
        .key(ganbridge::domain::Role::Company, Some(number), None)
        .await;
    let written = "Quokkaflux <script>window.pwned=1</script> \"><img src=x onerror=alert(1)> & co";
    app.data_as(
        &key,
        "mutation($input: UpdateCompanyProfileInput!) { updateCompanyProfile(input: $input) { id } }",
        json!({ "input": { "id": company, "description": written } }),
    )
    .await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let snippet = loop {
        let data = app
            .data(
                "{ search(query: \"Quokkaflux\") { edges { highlights { field snippet } } } }",
                json!({}),
            )
            .await;
        if let Some(s) = data["search"]["edges"][0]["highlights"]
            .as_array()
            .and_then(|h| h.iter().find(|h| h["field"] == "description_en"))
        {
            break s["snippet"].as_str().unwrap().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the change was not indexed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(snippet.starts_with("<em>Quokkaflux</em>"), "{snippet}");
    assert!(
        snippet.contains("&lt;script&gt;") && snippet.contains("&amp; co"),
        "{snippet}"
    );
    assert!(
        !snippet.contains("<script") && !snippet.contains("<img"),
        "{snippet}"
    );
    let (_, _, body) = page(&app, "/?q=Quokkaflux", "en").await;
    assert!(body.contains("<em>Quokkaflux</em>"));
    assert!(!body.contains("<script>window") && !body.contains("<img src=x"));
    let (_, _, body) = page(&app, &format!("/companies/{company}"), "en").await;
    assert!(
        body.contains("&#60;script&#62;window.pwned=1&#60;/script&#62;"),
        "{body}"
    );
    assert!(!body.contains("<img src=x"));
}
