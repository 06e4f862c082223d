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
async fn a_year_without_records_is_an_empty_figure_set_and_a_bad_range_is_refused() {
    let app = spawn_app(true).await;
    for year in [-5, 1900, 2012, 2100, i32::MAX, i32::MIN] {
        let data = app.data(QUERY, json!({ "year": year })).await;
        let s = &data["statistics"];
        assert_eq!(s["year"], year);
        assert_eq!(s["companies"], 0, "{year}: {s}");
        assert_eq!(s["contractAmountUsd"], "0.00");
        assert!(s["growth"].is_null(), "{year}: {s}");
        assert_eq!(s["districts"].as_array().unwrap().len(), 11);
    }
    let series =
        "query($from: Int!, $to: Int!) { statisticsSeries(from: $from, to: $to) { year } }";
    for (from, to, says) in [
        (2014, 2013, "must not come before"),
        (1990, 2040, "at most 50 years"),
        (i32::MIN, i32::MAX, "at most 50 years"),
    ] {
        let body = app.graphql(series, json!({ "from": from, "to": to })).await;
        let error = &body["errors"][0];
        assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{body}");
        assert_eq!(error["extensions"]["field"], "to", "{body}");
        assert!(error["message"].as_str().unwrap().contains(says), "{body}");
    }
    let fifty = app.data(series, json!({ "from": 1990, "to": 2039 })).await;
    assert_eq!(fifty["statisticsSeries"].as_array().unwrap().len(), 50);
}

#[tokio::test]
async fn a_year_is_one_read_of_the_rollups_whatever_it_selects() {
    let app = spawn_app(true).await;
    let whole = "query($year: Int!) { statistics(year: $year) {
        year companies employees contractAmountUsd executedAmountUsd contractOffshoreShare
        newCertificates growth { companies newCertificates } tenders { published awarded bids }
        districts { district { code } companies growth { companies } }
        serviceLineFamilies { family companies }
    } }";
    let before = app.statements.get();
    app.data(whole, json!({ "year": 2014 })).await;
    assert_eq!(
        app.statements.get() - before,
        1,
        "the rollups of 2013 and 2014, once"
    );
    // The targets and the parks' records are one read each, only when asked.
    let before = app.statements.get();
    app.data(
        "{ statistics(year: 2016) { targets { actual } districts { targets { actual } } parks { park { name } companies } } }",
        json!({}),
    )
    .await;
    assert_eq!(app.statements.get() - before, 3);
    // A series of 10 years is one read too.
    let before = app.statements.get();
    let series = app
        .data(
            "{ statisticsSeries(from: 2010, to: 2019) { year companies districts { companies } } }",
            json!({}),
        )
        .await;
    assert_eq!(app.statements.get() - before, 1);
    let years = series["statisticsSeries"].as_array().unwrap();
    assert_eq!(years.len(), 10);
    assert_eq!(years[4]["year"], 2014);
    assert_eq!(years[4]["companies"], 1056);
    assert_eq!(years[3]["companies"], 893);
}

#[tokio::test]
async fn breakdowns_by_park_and_family_follow_the_definitions() {
    let app = spawn_app(true).await;
    let data = app
        .data(
            "{ statistics(year: 2014) {
                companies employees contractAmountUsd contractOffshoreUsd contractOffshoreShare
                executedAmountUsd executedOffshoreUsd executedOffshoreShare
                parks { park { id name district { code } } companies employees newCertificates }
                districts { district { code } companies executedAmountUsd }
                serviceLineFamilies { family companies employees contractAmountUsd growth { companies } }
            } }",
            json!({}),
        )
        .await;
    let s = &data["statistics"];
    // Offshore parts are parts: no larger than the whole, and the share says how much.
    let contract = number(&s["contractAmountUsd"]);
    let offshore = number(&s["contractOffshoreUsd"]);
    assert!(offshore > 0.0 && offshore <= contract, "{s}");
    let share = number(&s["contractOffshoreShare"]);
    assert!((share - offshore * 100.0 / contract).abs() < 0.01, "{s}");
    assert!(number(&s["executedOffshoreUsd"]) <= number(&s["executedAmountUsd"]));
    let decimal = |v: &Value| -> rust_decimal::Decimal { v.as_str().unwrap().parse().unwrap() };
    let districts: rust_decimal::Decimal = s["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| decimal(&d["executedAmountUsd"]))
        .sum();
    assert_eq!(districts, decimal(&s["executedAmountUsd"]));
    // The parks hold some of the companies, in the four districts that have parks.
    let parks = s["parks"].as_array().unwrap();
    assert!(!parks.is_empty());
    let in_parks: i64 = parks.iter().map(|p| p["companies"].as_i64().unwrap()).sum();
    assert!(in_parks > 0 && in_parks < 1056, "{in_parks}");
    for p in parks {
        let code = p["park"]["district"]["code"].as_str().unwrap();
        assert!(
            ["NANCHANG", "JIUJIANG", "GANZHOU", "JIAN"].contains(&code),
            "{p}"
        );
    }
    // Each company counts in each family it has a line of: at least once in all.
    let families = s["serviceLineFamilies"].as_array().unwrap();
    let names: Vec<&str> = families
        .iter()
        .map(|f| f["family"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ITO", "BPO", "KPO"]);
    let in_families: i64 = families
        .iter()
        .map(|f| f["companies"].as_i64().unwrap())
        .sum();
    assert!(in_families >= 1056, "{in_families}");
    for f in families {
        assert!(f["companies"].as_i64().unwrap() <= 1056);
        assert!(f["growth"]["companies"].is_string(), "{f}");
    }
}

const TARGETS: &str = "query($year: Int!) { statistics(year: $year) {
    companies employees
    targets { figure year actual level gap reached growthPercent requiredGrowthPercent growthMet
              target { id year district { code } } }
    districts { district { code } companies targets { figure actual level gap reached growthMet } }
} }";

const SET_TARGET: &str = "mutation($input: SetStatisticsTargetInput!) {
    setStatisticsTarget(input: $input) { id figure year level annualGrowthPercent district { code } } }";

#[tokio::test]
async fn the_opinions_targets_are_data_kept_by_the_department() {
    use ganbridge::domain::Role;
    let app = spawn_app(true).await;
    let targets = app
        .data(
            "{ statisticsTargets { figure year level annualGrowthPercent district { code } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        targets["statisticsTargets"],
        json!([
            { "figure": "COMPANIES", "year": 2015, "level": 3000, "annualGrowthPercent": "25.00", "district": null },
            { "figure": "EMPLOYEES", "year": 2015, "level": 300000, "annualGrowthPercent": "20.00", "district": null },
        ])
    );
    // Before the year they are set for, no target is in force.
    let y2014 = app.data(TARGETS, json!({ "year": 2014 })).await;
    assert_eq!(y2014["statistics"]["targets"], json!([]));
    // 2015 holds no figures yet (the record stops at 2014): the targets are in force, the gap
    // is the whole level, and there is no growth to judge rather than a fall of 100%.
    let y2015 = app.data(TARGETS, json!({ "year": 2015 })).await;
    let companies = &y2015["statistics"]["targets"][0];
    assert_eq!(companies["figure"], "COMPANIES");
    assert_eq!(
        (companies["actual"].as_i64(), companies["gap"].as_i64()),
        (Some(0), Some(3000))
    );
    assert!(companies["growthPercent"].is_null(), "{companies}");
    assert!(companies["growthMet"].is_null(), "{companies}");
    let growth = app
        .data(
            "{ statistics(year: 2015) { growth { companies employees newCertificates } } }",
            json!({}),
        )
        .await;
    let growth = &growth["statistics"]["growth"];
    assert!(
        growth["companies"].is_null() && growth["employees"].is_null(),
        "{growth}"
    );
    assert!(
        growth["newCertificates"].is_string(),
        "certificates are still issued: {growth}"
    );

    // A district's target, and the year's figures against it.
    let admin = app.key(Role::Admin, None, None).await;
    let set = app
        .data_as(
            &admin,
            SET_TARGET,
            json!({ "input": { "figure": "COMPANIES", "district": "NANCHANG", "year": 2014,
                               "level": 100, "annualGrowthPercent": "10" } }),
        )
        .await;
    assert_eq!(set["setStatisticsTarget"]["district"]["code"], "NANCHANG");
    let y2014 = app.data(TARGETS, json!({ "year": 2014 })).await;
    let nanchang = y2014["statistics"]["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["district"]["code"] == "NANCHANG")
        .unwrap()
        .clone();
    let actual = nanchang["companies"].as_i64().unwrap();
    let progress = &nanchang["targets"][0];
    assert_eq!(progress["figure"], "COMPANIES");
    assert_eq!(progress["actual"], actual);
    assert_eq!(progress["level"], 100);
    assert_eq!(progress["gap"], 100 - actual);
    assert_eq!(progress["reached"], actual > 100);
    assert!(
        progress["growthMet"].is_boolean(),
        "2013 has figures: {progress}"
    );
    let others: usize = y2014["statistics"]["districts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["targets"].as_array().unwrap().len())
        .sum();
    assert_eq!(others, 1, "only Nanchang has a target of its own");

    // Setting it again for the same year replaces it.
    app.data_as(
        &admin,
        SET_TARGET,
        json!({ "input": { "figure": "COMPANIES", "district": "NANCHANG", "year": 2014,
                           "level": 5000, "annualGrowthPercent": "12.5" } }),
    )
    .await;
    let all = app
        .data(
            "{ statisticsTargets { level annualGrowthPercent } }",
            json!({}),
        )
        .await;
    assert_eq!(all["statisticsTargets"].as_array().unwrap().len(), 3);
    assert!(
        all["statisticsTargets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["level"] == 5000 && t["annualGrowthPercent"] == "12.50")
    );

    // Bad figures and rates, and a caller who is not the Department.
    for (input, field) in [
        (
            json!({ "figure": "COMPANIES", "year": 2016, "level": -1, "annualGrowthPercent": "25" }),
            "level",
        ),
        (
            json!({ "figure": "COMPANIES", "year": 2016, "level": 3000, "annualGrowthPercent": "-0.5" }),
            "annualGrowthPercent",
        ),
        (
            json!({ "figure": "EMPLOYEES", "year": 1800, "level": 3000, "annualGrowthPercent": "5" }),
            "year",
        ),
    ] {
        let (_, body) = app
            .graphql_as(Some(&admin), SET_TARGET, json!({ "input": input }))
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let partner = app.key(Role::Partner, None, None).await;
    let input = json!({ "input": { "figure": "COMPANIES", "year": 2016, "level": 1, "annualGrowthPercent": "1" } });
    let (_, body) = app
        .graphql_as(Some(&partner), SET_TARGET, input.clone())
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{body}"
    );
    let (_, body) = app.graphql_as(None, SET_TARGET, input).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );

    // Audited, and removable.
    let log = app
        .data_as(
            &admin,
            "{ auditLog(first: 5) { nodes { action } } }",
            json!({}),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "setStatisticsTarget")
            .count(),
        2,
        "{actions:?}"
    );
    let id = set["setStatisticsTarget"]["id"].clone();
    let removed = app
        .data_as(
            &admin,
            "mutation($id: ID!) { removeStatisticsTarget(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(removed["removeStatisticsTarget"], id);
    let (_, body) = app
        .graphql_as(
            Some(&admin),
            "mutation($id: ID!) { removeStatisticsTarget(id: $id) }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );
}
