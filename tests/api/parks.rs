use std::collections::HashSet;

use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_ten_provincial_demonstration_parks_sit_in_four_districts() {
    let app = spawn_app(true).await;
    let query = "query($filter: ParkFilter) { parks(first: 50, filter: $filter) { totalCount nodes { id name level district { code } } } }";
    let provincial = app
        .data(
            query,
            json!({ "filter": { "level": "PROVINCIAL_DEMONSTRATION_PARK" } }),
        )
        .await;
    assert_eq!(provincial["parks"]["totalCount"], 10);
    let districts: HashSet<String> = provincial["parks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["district"]["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        districts,
        HashSet::from(["NANCHANG", "JIUJIANG", "GANZHOU", "JIAN"].map(String::from))
    );

    let nanchang = app
        .data(query, json!({ "filter": { "district": "NANCHANG" } }))
        .await;
    let names: Vec<&str> = nanchang["parks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"Nanchang National Service Outsourcing Demonstration City"),
        "{names:?}"
    );
    assert!(
        names.contains(&"81 Building Group Service Outsourcing Park"),
        "{names:?}"
    );
}

#[tokio::test]
async fn a_park_pages_through_its_companies_and_totals_them() {
    let app = spawn_app(true).await;
    let list = app
        .data("{ parks(first: 1) { nodes { id } } }", json!({}))
        .await;
    let id = list["parks"]["nodes"][0]["id"].clone();
    let query = "query($id: ID!, $after: String) { park(id: $id) { name totals { companies employees leadingCompanies }
        companies(first: 7, after: $after) { totalCount nodes { id headcount park { id } } pageInfo { hasNextPage endCursor } } } }";
    let mut after = serde_json::Value::Null;
    let mut seen = HashSet::new();
    let mut employees = 0;
    let mut totals;
    loop {
        let park = app.data(query, json!({ "id": id, "after": after })).await["park"].clone();
        totals = park["totals"].clone();
        for company in park["companies"]["nodes"].as_array().unwrap() {
            assert_eq!(company["park"]["id"], id);
            assert!(seen.insert(company["id"].as_str().unwrap().to_owned()));
            employees += company["headcount"].as_i64().unwrap();
        }
        if park["companies"]["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = park["companies"]["pageInfo"]["endCursor"].clone();
    }
    assert!(seen.len() > 7, "the first park should need several pages");
    assert_eq!(totals["companies"], seen.len());
    assert_eq!(totals["employees"], employees);
    assert!(totals["leadingCompanies"].as_i64().unwrap() >= 1);

    let (code, _) = app
        .error(
            query,
            json!({ "id": crate::companies::base64_id("Park:4242") }),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
}
