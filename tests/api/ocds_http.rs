//! The open-data endpoints over HTTP: what bad parameters, unknown ocids and a spent quota
//! get; the order of releases while tenders change at once; and the releases written once for
//! tenders posted before releases were kept.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};
use crate::world::{PUBLISH_TENDER, Who, World};

async fn body(app: &TestApp, path: &str) -> Value {
    app.get(path).await.json().await.expect("a JSON body")
}

async fn refused(app: &TestApp, path: &str, status: u16, parameter: Option<&str>) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status().as_u16(), status, "{path}");
    let body: Value = response.json().await.expect("a JSON error body");
    let code = match status {
        400 => "BAD_USER_INPUT",
        404 => "NOT_FOUND",
        _ => "RATE_LIMITED",
    };
    assert_eq!(body["error"]["code"], code, "{path}: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
    if let Some(parameter) = parameter {
        assert_eq!(body["error"]["parameter"], parameter, "{path}: {body}");
    }
    body
}

#[tokio::test]
async fn bad_parameters_unknown_ocids_and_empty_pages() {
    let app = spawn_app(true).await;
    let page: Value = body(&app, "/ocds/releases?limit=2").await;
    let next = page["links"]["next"].as_str().unwrap().to_owned();
    let cursor = next
        .split("cursor=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();
    let records: Value = body(&app, "/ocds/records?limit=1").await;
    let records_next = records["links"]["next"].as_str().unwrap().to_owned();
    let records_cursor = records_next
        .split("cursor=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap();

    for (path, parameter) in [
        ("/ocds/releases?limit=0".to_owned(), "limit"),
        ("/ocds/releases?limit=1001".to_owned(), "limit"),
        ("/ocds/releases?limit=ten".to_owned(), "limit"),
        ("/ocds/records?limit=-1".to_owned(), "limit"),
        ("/ocds/releases?cursor=not-a-cursor".to_owned(), "cursor"),
        ("/ocds/releases?cursor=%ZZ".to_owned(), "cursor"),
        // A cursor of the other list is foreign.
        (format!("/ocds/releases?cursor={records_cursor}"), "cursor"),
        (format!("/ocds/records?cursor={cursor}"), "cursor"),
        ("/ocds/releases?since=yesterday".to_owned(), "since"),
        (
            "/ocds/releases?since=2026-13-01T00:00:00Z".to_owned(),
            "since",
        ),
    ] {
        refused(&app, &path, 400, Some(parameter)).await;
    }
    for path in [
        "/ocds/releases/ocds-gnbrdg-999999",
        "/ocds/records/ocds-gnbrdg-999999",
        "/ocds/bulk/releases/1999.json.gz",
        "/ocds/bulk/records/2999.json.gz",
        "/ocds/bulk/tenders/2026.json.gz",
        "/ocds/bulk/releases/latest.json.gz",
    ] {
        refused(&app, path, 404, None).await;
    }

    // The next page goes on where the first stopped.
    let second: Value = app
        .client
        .get(&next)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_ne!(second["releases"][0]["id"], page["releases"][0]["id"]);
    assert_eq!(second["uri"], next.as_str());

    // Nothing since a date to come: 200 and an empty list.
    let response = app
        .get("/ocds/releases?since=2999-01-01T00:00:00%2B08:00")
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["cache-control"],
        "public, max-age=60",
        "cached as anonymous GET queries are"
    );
    let empty: Value = response.json().await.unwrap();
    assert_eq!(empty["releases"], json!([]));
    assert!(empty.get("links").is_none());
    assert_eq!(empty["version"], "1.1");

    // A bulk file unchanged is not sent again.
    let index: Value = body(&app, "/ocds/bulk").await;
    let url = index["releases"][0]["url"].as_str().unwrap();
    let first = app.client.get(url).send().await.unwrap();
    let etag = first.headers()["etag"].clone();
    let again = app
        .client
        .get(url)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn a_spent_quota_is_refused_with_retry_after() {
    let app = spawn_app_with(true, |s| s.quota_anonymous = 150).await;
    let ok = app.get("/ocds/releases?limit=100").await;
    assert_eq!(ok.status(), 200);
    let response = app.get("/ocds/releases?limit=100").await;
    assert_eq!(response.status(), 429);
    let retry: i64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "RATE_LIMITED");
    // A caller over its quota makes no bulk file.
    assert_eq!(
        app.get("/ocds/releases?limit=50").await.status(),
        200,
        "the rest"
    );
    use chrono::Datelike;
    let year = chrono::Utc::now().year();
    let file = app
        .get(&format!("/ocds/bulk/releases/{year}.json.gz"))
        .await;
    assert_eq!(file.status(), 429);
    assert!(!app.settings.data_dir.join("ocds-bulk").exists());
}

/// Every release, by following `links.next` from the start.
async fn read_all(app: &TestApp) -> Vec<Value> {
    let mut seen = Vec::new();
    let mut next = Some(format!("{}/ocds/releases?limit=1000", app.address));
    while let Some(url) = next.take() {
        let page: Value = app
            .client
            .get(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen.extend(page["releases"].as_array().cloned().unwrap_or_default());
        next = page["links"]["next"].as_str().map(str::to_owned);
    }
    seen
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reader_following_the_feed_while_tenders_change_misses_nothing() {
    let w = Arc::new(World::new().await);
    let before = read_all(&w.app).await.len();
    let writers: Vec<_> = (0..12)
        .map(|i| {
            let w = w.clone();
            tokio::spawn(async move {
                let buyer = if i % 2 == 0 {
                    Who::CounterpartX
                } else {
                    Who::CounterpartY
                };
                let id = w.tender(buyer, false, json!({})).await;
                w.ok(buyer, PUBLISH_TENDER, json!({ "id": id })).await;
                w.ok(
                    buyer,
                    "mutation($id: ID!) { cancelTender(id: $id) { id } }",
                    json!({ "id": id }),
                )
                .await;
            })
        })
        .collect();
    // A reader polls the feed with `since`, from the newest date it has seen, as it runs.
    let reader = {
        let w = w.clone();
        tokio::spawn(async move {
            let mut seen: Vec<Value> = Vec::new();
            let mut since: Option<String> = None;
            for _ in 0..400 {
                let path = match &since {
                    Some(s) => format!("/ocds/releases?limit=1000&since={}", s.replace('+', "%2B")),
                    None => "/ocds/releases?limit=1000".to_owned(),
                };
                let page: Value = body(&w.app, &path).await;
                for r in page["releases"].as_array().unwrap() {
                    if !seen
                        .iter()
                        .any(|s| s["id"] == r["id"] && s["ocid"] == r["ocid"])
                    {
                        seen.push(r.clone());
                    }
                }
                since = seen.last().map(|r| r["date"].as_str().unwrap().to_owned());
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                if seen.len() >= before + 36 {
                    break;
                }
            }
            seen
        })
    };
    for writer in writers {
        writer.await.unwrap();
    }
    let polled = reader.await.unwrap();
    let all = read_all(&w.app).await;
    assert_eq!(all.len(), before + 36, "three releases per tender");
    let key = |r: &Value| format!("{}/{}", r["ocid"], r["id"]);
    let polled: Vec<String> = polled.iter().map(key).collect();
    let all_keys: Vec<String> = all.iter().map(key).collect();
    assert_eq!(
        polled, all_keys,
        "the reader saw every release, in order, on {}",
        w.app.store
    );
    // Dates rise with the order, and each tender's releases are numbered 1, 2, 3.
    let dates: Vec<&str> = all.iter().map(|r| r["date"].as_str().unwrap()).collect();
    assert!(dates.windows(2).all(|d| d[0] < d[1]), "{dates:?}");
    for r in &all[before..] {
        let id = r["id"].as_str().unwrap();
        let expected = match r["tag"][0].as_str().unwrap() {
            "planning" => "1",
            "tender" => "2",
            _ => "3",
        };
        assert!(id.ends_with(&format!("-{expected}")), "{id} {}", r["tag"]);
    }
}

#[tokio::test]
async fn tenders_from_before_releases_get_one_each_at_start() {
    let app = spawn_app(true).await;
    let before: Value = body(&app, "/ocds/releases?limit=1000").await;
    let count = before["releases"].as_array().unwrap().len();
    assert_eq!(count, 36, "one release per demo tender");
    use sea_orm::ConnectionTrait;
    app.db
        .execute_unprepared("DELETE FROM tender_release")
        .await
        .unwrap();
    app.db
        .execute_unprepared("UPDATE tender_release_clock SET last_seq = 0, last_released_at = NULL")
        .await
        .unwrap();
    let app = app.restart_with(|_| {}).await;
    let after: Value = body(&app, "/ocds/releases?limit=1000").await;
    let ids = |v: &Value| -> Vec<Value> {
        v["releases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].clone())
            .collect()
    };
    assert_eq!(ids(&after), ids(&before), "the same releases again");
    // Each from its tender's state: a closed tender's is its close; a planned one's its posting.
    for r in after["releases"].as_array().unwrap() {
        let status = r["tender"]["status"].as_str().unwrap();
        let tag = r["tag"][0].as_str().unwrap();
        let expected = match status {
            "planning" => "planning",
            "active" => "tender",
            "cancelled" => "tenderCancellation",
            _ => "tenderUpdate",
        };
        assert_eq!(tag, expected, "{status}");
        let date: chrono::DateTime<chrono::Utc> = r["date"].as_str().unwrap().parse().unwrap();
        assert!(date <= chrono::Utc::now(), "never a date to come");
    }
}

#[tokio::test]
async fn the_public_address_and_the_ocid_prefix_are_settings() {
    let World { app, x, .. } = World::new().await;
    let app = app
        .restart_with(|s| {
            s.public_url = Some("https://data.example.gov.cn/".into());
            s.ocid_prefix = "ocds-a1b2c3".into();
        })
        .await;
    let key = app
        .key(
            ganbridge::domain::Role::Counterpart,
            None,
            Some(ganbridge::domain::global_id::decode(&x).unwrap().1),
        )
        .await;
    let closes = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let created = app
        .data_as(
            &key,
            "mutation($input: CreateTenderInput!) { createTender(input: $input) { ocid ocdsRecordUrl } }",
            json!({ "input": {
                "title": "Data entry", "titleZh": "数据录入", "description": "Customs forms.",
                "serviceLines": ["DATA_PROCESSING"], "closesAt": closes,
            } }),
        )
        .await;
    let ocid = created["createTender"]["ocid"].as_str().unwrap().to_owned();
    assert!(ocid.starts_with("ocds-a1b2c3-"), "{ocid}");
    assert_eq!(
        created["createTender"]["ocdsRecordUrl"],
        format!("https://data.example.gov.cn/ocds/records/{ocid}")
    );
    let package = body(&app, "/ocds/releases?limit=5").await;
    assert_eq!(
        package["uri"],
        "https://data.example.gov.cn/ocds/releases?limit=5"
    );

    // A prefix that is not one is refused at start, saying which setting.
    let mut settings = app.settings.clone();
    settings.ocid_prefix = "gnbrdg".into();
    let refused = ganbridge::app::Application::build(&settings).await;
    let message = format!("{:#}", refused.err().expect("a bad prefix is refused"));
    assert!(message.contains("GANBRIDGE_OCID_PREFIX"), "{message}");
}

/// An anonymous caller's remaining budget, read through the API (at the same address as the
/// open-data requests, so from the same bucket).
async fn remaining(app: &TestApp) -> i64 {
    let data = app.data("{ rateLimit { remaining } }", json!({})).await;
    data["rateLimit"]["remaining"].as_i64().expect("a budget")
}

#[tokio::test(flavor = "multi_thread")]
async fn the_bulk_index_is_charged_for_the_files_it_writes() {
    // A window of a day: the budget is not renewed between the readings.
    let w = World::with(|s| s.quota_window_secs = 86_400).await;
    // Over 100 releases and records this year, none of them in a file yet.
    for _ in 0..110 {
        w.tender(Who::CounterpartX, false, json!({})).await;
    }
    let start = remaining(&w.app).await;
    assert_eq!(w.app.get("/ocds/bulk").await.status(), 200);
    let after_writing = remaining(&w.app).await;
    assert_eq!(w.app.get("/ocds/bulk").await.status(), 200);
    let after_reading = remaining(&w.app).await;
    // Each step spends the same on `rateLimit`; the first index also paid for the files it
    // wrote: a point per 100 items of each (110 releases and 110 records here).
    let writing = start - after_writing;
    let reading = after_writing - after_reading;
    assert_eq!(
        writing - reading,
        2,
        "{start} {after_writing} {after_reading}"
    );
}
