use chrono::{DateTime, Utc};
use serde_json::json;

use crate::helpers::spawn_app;

const TENDERS: &str = "query($filter: TenderFilter, $order: TenderOrder) {
  tenders(first: 100, filter: $filter, orderBy: $order) { totalCount nodes {
    id ocid title titleZh status closesAt value { amount currency } serviceLines
    buyer { id name kind freeTradeZoneArea { name } }
    eligibility { certifications minEmployees } tenderPeriod { startDate endDate }
  } } }";

fn instant(v: &serde_json::Value) -> DateTime<Utc> {
    v.as_str().unwrap().parse().expect("an RFC 3339 instant")
}

#[tokio::test]
async fn open_tenders_by_closing_date_from_their_buyers() {
    let app = spawn_app(true).await;
    let all = app.data(TENDERS, json!({})).await;
    assert!(
        all["tenders"]["totalCount"].as_i64().unwrap() >= 24,
        "a few dozen tenders"
    );

    let active = app
        .data(
            TENDERS,
            json!({ "filter": { "status": "ACTIVE", "closingAfter": Utc::now() } }),
        )
        .await;
    let nodes = active["tenders"]["nodes"].as_array().unwrap();
    assert!(!nodes.is_empty(), "the demo has open tenders");
    let closing: Vec<DateTime<Utc>> = nodes.iter().map(|t| instant(&t["closesAt"])).collect();
    assert!(
        closing.windows(2).all(|w| w[0] <= w[1]),
        "sorted by closing date"
    );
    for tender in nodes {
        assert_eq!(tender["status"], "ACTIVE");
        assert!(instant(&tender["closesAt"]) > Utc::now());
        assert!(
            instant(&tender["tenderPeriod"]["startDate"])
                <= instant(&tender["tenderPeriod"]["endDate"])
        );
        assert!(tender["buyer"]["name"].as_str().is_some());
        assert!(!tender["serviceLines"].as_array().unwrap().is_empty());
    }
    let ftz = nodes
        .iter()
        .filter(|t| t["buyer"]["kind"] == "FTZ_ENTERPRISE")
        .count();
    assert!(ftz > 0, "some buyers are Shanghai FTZ firms");

    // Every buyer's tenders are the tenders filtered by that buyer.
    let buyer = nodes[0]["buyer"]["id"].clone();
    let by_buyer = app
        .data(TENDERS, json!({ "filter": { "counterpartId": buyer } }))
        .await;
    let nested = app
        .data(
            "query($id: ID!) { counterpart(id: $id) { tenders(first: 100) { totalCount } } }",
            json!({ "id": buyer }),
        )
        .await;
    assert_eq!(
        by_buyer["tenders"]["totalCount"],
        nested["counterpart"]["tenders"]["totalCount"]
    );

    let lines = app
        .data(
            TENDERS,
            json!({ "filter": { "serviceLine": "CALL_CENTRE" } }),
        )
        .await;
    for tender in lines["tenders"]["nodes"].as_array().unwrap() {
        assert!(
            tender["serviceLines"]
                .as_array()
                .unwrap()
                .contains(&json!("CALL_CENTRE"))
        );
    }
}

#[tokio::test]
async fn certificates_filtered_by_status_follow_their_dates() {
    let app = spawn_app(true).await;
    let query = "query($status: CertificationStatus) { certifications(first: 100, filter: { status: $status }) {
        totalCount nodes { status expiryDate issueDate company { id } } } }";
    let today = Utc::now().date_naive().to_string();
    let expired = app.data(query, json!({ "status": "EXPIRED" })).await;
    let active = app.data(query, json!({ "status": "ACTIVE" })).await;
    let all = app.data(query, json!({})).await;
    assert!(expired["certifications"]["totalCount"].as_i64().unwrap() > 0);
    assert!(active["certifications"]["totalCount"].as_i64().unwrap() > 0);
    for c in expired["certifications"]["nodes"].as_array().unwrap() {
        assert_eq!(c["status"], "EXPIRED");
        assert!(c["expiryDate"].as_str().unwrap() < today.as_str());
    }
    for c in active["certifications"]["nodes"].as_array().unwrap() {
        assert_eq!(c["status"], "ACTIVE");
        assert!(c["expiryDate"].as_str().unwrap() >= today.as_str());
    }
    let statuses = ["ACTIVE", "SUSPENDED", "WITHDRAWN", "EXPIRED"];
    let mut sum = 0;
    for status in statuses {
        sum += app.data(query, json!({ "status": status })).await["certifications"]["totalCount"]
            .as_i64()
            .unwrap();
    }
    assert_eq!(
        sum,
        all["certifications"]["totalCount"].as_i64().unwrap(),
        "every certificate has exactly one status"
    );
}

#[tokio::test]
async fn tenders_page_by_closing_date_in_either_direction() {
    let app = spawn_app(true).await;
    let query = "query($after: String, $order: TenderOrder) { tenders(first: 5, after: $after, orderBy: $order) {
        totalCount nodes { id closesAt } pageInfo { hasNextPage endCursor } } }";
    for direction in ["ASC", "DESC"] {
        let order = json!({ "field": "CLOSING_DATE", "direction": direction });
        let (mut seen, mut closing, mut after) = (Vec::new(), Vec::new(), serde_json::Value::Null);
        let total = loop {
            let page = app
                .data(query, json!({ "after": after, "order": order }))
                .await["tenders"]
                .clone();
            for t in page["nodes"].as_array().unwrap() {
                seen.push(t["id"].as_str().unwrap().to_owned());
                closing.push(instant(&t["closesAt"]));
            }
            if page["pageInfo"]["hasNextPage"] == false {
                break page["totalCount"].as_u64().unwrap() as usize;
            }
            after = page["pageInfo"]["endCursor"].clone();
        };
        assert_eq!(seen.len(), total);
        assert_eq!(
            seen.iter().collect::<std::collections::HashSet<_>>().len(),
            total,
            "no repeats"
        );
        let ordered = closing.windows(2).all(|w| {
            if direction == "ASC" {
                w[0] <= w[1]
            } else {
                w[0] >= w[1]
            }
        });
        assert!(ordered, "{direction}: {closing:?}");
    }
}

#[tokio::test]
async fn counterparts_list_their_tenders_in_few_statements() {
    let app = spawn_app(true).await;
    let query = "{ counterparts(first: 50) { totalCount nodes { name tenders(first: 3) { totalCount nodes { title } } } } }";
    let before = app.statements.get();
    let data = app.data(query, json!({})).await;
    let cost = app.statements.get() - before;
    eprintln!(
        "statements on {}: buyers with their first tenders {cost}",
        app.store
    );
    let counterparts = data["counterparts"]["nodes"].as_array().unwrap();
    assert!(counterparts.len() >= 10);
    let listed: i64 = counterparts
        .iter()
        .map(|c| c["tenders"]["totalCount"].as_i64().unwrap())
        .sum();
    let all = app.data("{ tenders { totalCount } }", json!({})).await;
    assert_eq!(listed, all["tenders"]["totalCount"].as_i64().unwrap());
    for c in counterparts {
        assert!(c["tenders"]["nodes"].as_array().unwrap().len() <= 3);
    }
    // Counterparts, their count, their tenders' first pages, the tenders' counts: 4, with room for a
    // split batch; one query per counterpart would be over 20.
    assert!(cost <= 6, "{cost} statements");
}
