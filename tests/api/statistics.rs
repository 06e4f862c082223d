use serde_json::{Value, json};

use crate::helpers::spawn_app;

const QUERY: &str = "query($year: Int!) { statistics(year: $year) {
    year companies employees contractAmountUsd newCertificates
    growth { companies employees contractAmount newCertificates }
    districts { district { code } companies employees contractAmountUsd newCertificates growth { companies } }
} }";

fn number(v: &Value) -> f64 {
    v.as_str()
        .map(|s| s.parse().expect("a decimal"))
        .or_else(|| v.as_f64())
        .expect("a number")
}

#[tokio::test]
async fn statistics_2014_match_the_published_figures() {
    let app = spawn_app(true).await;
    let data = app.data(QUERY, json!({ "year": 2014 })).await;
    let s = &data["statistics"];
    assert_eq!(s["companies"], 1056);
    assert_eq!(s["employees"], 116_000);
    assert_eq!(s["contractAmountUsd"], "1417000000.00");
    assert_eq!(s["newCertificates"], 179);
    assert_eq!(s["growth"]["companies"], "18.25");
    assert_eq!(s["growth"]["employees"], "7.31");
    assert_eq!(s["growth"]["contractAmount"], "2.45");
    assert_eq!(s["growth"]["newCertificates"], "188.71");

    // The districts add up to the province.
    let districts = s["districts"].as_array().expect("districts");
    assert_eq!(districts.len(), 11);
    let sum = |field: &str| districts.iter().map(|d| number(&d[field])).sum::<f64>();
    assert_eq!(sum("companies"), 1056.0);
    assert_eq!(sum("employees"), 116_000.0);
    assert_eq!(sum("contractAmountUsd"), 1_417_000_000.0);
    assert_eq!(sum("newCertificates"), 179.0);
}

#[tokio::test]
async fn statistics_2013_are_the_baseline_and_have_no_growth() {
    let app = spawn_app(true).await;
    let data = app.data(QUERY, json!({ "year": 2013 })).await;
    let s = &data["statistics"];
    assert_eq!(s["companies"], 893);
    assert_eq!(s["employees"], 108_098);
    assert_eq!(s["contractAmountUsd"], "1383113714.00");
    assert_eq!(s["newCertificates"], 62);
    assert!(
        s["growth"].is_null(),
        "2012 has no figures to grow from: {s}"
    );
}

#[tokio::test]
async fn an_absurd_year_is_bad_input() {
    let app = spawn_app(false).await;
    let (code, message) = app.error(QUERY, json!({ "year": -5 })).await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("-5"), "{message}");
}

#[tokio::test]
async fn only_the_parts_a_query_selects_are_computed_and_they_equal_the_whole() {
    let app = spawn_app(true).await;
    let whole = app.data(QUERY, json!({ "year": 2014 })).await;
    let narrow = "query($year: Int!) { statistics(year: $year) {
        companies employees contractAmountUsd districts { district { code } companies employees }
    } }";
    let before = app.statements.get();
    let part = app.data(narrow, json!({ "year": 2014 })).await;
    // One scan of the year's figures: no certificates, no previous year, no tenders.
    assert_eq!(app.statements.get() - before, 1);
    let (w, p) = (&whole["statistics"], &part["statistics"]);
    for field in ["companies", "employees", "contractAmountUsd"] {
        assert_eq!(w[field], p[field], "{field}");
    }
    for (wd, pd) in w["districts"]
        .as_array()
        .unwrap()
        .iter()
        .zip(p["districts"].as_array().unwrap())
    {
        assert_eq!(wd["district"], pd["district"]);
        assert_eq!(wd["companies"], pd["companies"]);
        assert_eq!(wd["employees"], pd["employees"]);
    }

    // Growth alone brings back what it compares, and the same figures as the whole query.
    let growth = app
        .data(
            "{ statistics(year: 2014) { growth { companies newCertificates } } }",
            json!({}),
        )
        .await;
    assert_eq!(growth["statistics"]["growth"]["companies"], "18.25");
    assert_eq!(growth["statistics"]["growth"]["newCertificates"], "188.71");
    let tenders = app
        .data(
            "{ statistics(year: 2014) { tenders { published } } }",
            json!({}),
        )
        .await;
    assert!(tenders["statistics"]["tenders"]["published"].is_i64());
}
