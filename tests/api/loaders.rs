//! Nested fields are batched: the number of SQL statements a page costs does not grow with the
//! page size.

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

// The largest companies first: they lead the alliances, so every nested kind is exercised.
const COMPANIES: &str = "query($first: Int) { companies(first: $first, orderBy: { field: HEADCOUNT, direction: DESC }) { nodes {
    name district { name } park { name level } serviceLines
    certifications { standard status } figures { year employees } latestFigures { year }
    alliances { name members { share company { name } } }
} } }";

const PARKS: &str = "query { parks(first: 20) { nodes {
    name focusIndustries totals { companies employees }
    companies(first: 10) { totalCount nodes { name certifications { standard } } }
} } }";

async fn statements_for(app: &TestApp, query: &str, first: i64) -> u64 {
    let before = app.statements.get();
    let data = app.data(query, json!({ "first": first })).await;
    let cost = app.statements.get() - before;
    let nodes = data["companies"]["nodes"].as_array().expect("companies");
    assert_eq!(nodes.len() as i64, first);
    // Every kind of nested field is actually loaded on this page.
    assert!(nodes.iter().any(|c| !c["park"].is_null()));
    assert!(
        nodes
            .iter()
            .any(|c| c["alliances"].as_array().is_some_and(|a| !a.is_empty()))
    );
    assert!(nodes.iter().any(|c| {
        c["certifications"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    }));
    cost
}

#[tokio::test]
async fn a_page_of_100_companies_with_nested_fields_costs_a_bounded_number_of_statements() {
    let app = spawn_app(true).await;
    let small = statements_for(&app, COMPANIES, 10).await;
    // A loader's batch window is short (1 ms): on a machine busy with the rest of the suite, a
    // kind may split into two batches. The fewest over three runs is what batching achieves.
    let mut large = u64::MAX;
    for _ in 0..3 {
        large = large.min(statements_for(&app, COMPANIES, 100).await);
    }
    eprintln!(
        "statements on {}: 10 companies {small}, 100 companies {large}",
        app.store
    );
    // One list query, then at most one statement per kind of nested field: park, service lines,
    // certifications, figures, alliance memberships, alliances, alliance members, member
    // companies — 9, with room for a split or three; one query per company would cost hundreds.
    assert!(large <= 12, "a page of 100 cost {large} statements");
    assert!(
        small <= large,
        "10 companies cost {small} statements, 100 cost {large}"
    );
}

#[tokio::test]
async fn parks_with_their_companies_cost_a_bounded_number_of_statements() {
    let app = spawn_app(true).await;
    let before = app.statements.get();
    let data = app.data(PARKS, json!({})).await;
    let cost = app.statements.get() - before;
    eprintln!(
        "statements on {}: 11 parks with their companies {cost}",
        app.store
    );
    let parks = data["parks"]["nodes"].as_array().unwrap();
    assert_eq!(parks.len(), 11);
    // Parks, focus industries, totals, the companies of every park at once, their certificates:
    // 5, with the same allowance for a split batch; one query per park would cost over 40.
    assert!(
        cost <= 7,
        "11 parks with their companies cost {cost} statements"
    );
    let with_companies = parks
        .iter()
        .filter(|p| !p["companies"]["nodes"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(with_companies, 11, "every park of the demo holds companies");
}
