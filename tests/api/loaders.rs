//! Nested fields are batched: the number of SQL statements a page costs does not grow with the
//! page size.

use ganbridge::domain::Role;
use serde_json::{Value, json};

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

/// The statements `query` costs: the fewest of three runs, since a background task (the search
/// outbox) may run one of its own meanwhile.
async fn fewest_statements(app: &TestApp, query: &str, variables: Value) -> u64 {
    let mut fewest = u64::MAX;
    for _ in 0..3 {
        let before = app.statements.get();
        app.data(query, variables.clone()).await;
        fewest = fewest.min(app.statements.get() - before);
    }
    fewest
}

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

const ONE_COMPANY: &str = "query($id: ID!) { company(id: $id) {
    name park { name level } certifications { standard certificateNumber status expiryDate }
    latestFigures { year employees contractAmountUsd }
} }";

const ONE_NODE: &str = "query($id: ID!) { node(id: $id) { ... on Company {
    name park { name level } certifications { standard certificateNumber status expiryDate }
    latestFigures { year employees contractAmountUsd }
} } }";

#[tokio::test]
async fn one_company_with_its_park_certificates_and_latest_figures_is_one_statement() {
    let app = spawn_app(true).await;
    let all = app
        .data("{ companies(first: 100) { nodes { id } } }", json!({}))
        .await;
    let ids: Vec<String> = all["companies"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(ids.len() >= 50);
    // Read in one statement, each company is what the loaders assemble field by field, with
    // or without a park, certificates or figures.
    let (mut parkless, mut uncertified, mut with_all) = (0, 0, 0);
    for id in &ids {
        let joined = app.data(ONE_COMPANY, json!({ "id": id })).await;
        let loaded = app.data(ONE_NODE, json!({ "id": id })).await;
        assert_eq!(joined["company"], loaded["node"], "company {id}");
        let c = &joined["company"];
        let certified = !c["certifications"].as_array().unwrap().is_empty();
        parkless += usize::from(c["park"].is_null());
        uncertified += usize::from(!certified);
        with_all += usize::from(!c["park"].is_null() && certified && !c["latestFigures"].is_null());
    }
    assert!(parkless > 0 && uncertified > 0 && with_all > 0);
    let fewest = fewest_statements(&app, ONE_COMPANY, json!({ "id": ids[0] })).await;
    eprintln!(
        "statements on {}: one company with its park, certificates and figures {fewest}",
        app.store
    );
    assert_eq!(fewest, 1);
}

#[tokio::test]
async fn within_a_mutation_a_field_read_after_a_write_sees_it() {
    use ganbridge::domain::Role;
    let app = spawn_app(true).await;
    let admin = app.key(Role::Admin, None, None).await;
    let parks = app
        .data(
            "{ parks(first: 20) { nodes { id district { code } } } }",
            json!({}),
        )
        .await;
    let park = parks["parks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["district"]["code"] == "NANCHANG")
        .and_then(|p| p["id"].as_str())
        .expect("a park in Nanchang")
        .to_owned();
    let company = |n: u32, name: &str| {
        let mut input = crate::world::company_input(n, name, "NANCHANG", &["CALL_CENTRE"], 20);
        input["parkId"] = json!(park);
        input
    };
    // The park is read through a new company, renamed, then read again, in one request.
    let data = app
        .data_as(
            &admin,
            "mutation($park: ID!, $a: CreateCompanyInput!, $b: CreateCompanyInput!) {
                first: createCompany(input: $a) { park { name } }
                rename: updatePark(id: $park, input: { name: \"Renamed Park\" }) { name }
                second: createCompany(input: $b) { park { name } }
            }",
            json!({ "park": park, "a": company(901, "Reader One"), "b": company(902, "Reader Two") }),
        )
        .await;
    assert_ne!(data["first"]["park"]["name"], "Renamed Park");
    assert_eq!(data["rename"]["name"], "Renamed Park");
    assert_eq!(data["second"]["park"]["name"], "Renamed Park", "{data}");
}

#[tokio::test]
async fn a_page_of_tenders_with_their_buyers_is_one_statement() {
    let app = spawn_app(true).await;
    const PAGE: &str = "{ tenders(first: 50) { nodes { id title buyer { name city kind } } } }";
    let data = app.data(PAGE, json!({})).await;
    let tenders = data["tenders"]["nodes"].as_array().unwrap();
    assert!(tenders.len() >= 20);
    // Each buyer read with the page is the one the loaders read for the tender alone.
    for t in tenders {
        let alone = app
            .data(
                "query($id: ID!) { node(id: $id) { ... on Tender { buyer { name city kind } } } }",
                json!({ "id": t["id"] }),
            )
            .await;
        assert_eq!(t["buyer"], alone["node"]["buyer"], "tender {}", t["title"]);
    }
    assert_eq!(app.data(PAGE, json!({})).await, data);
    let fewest = fewest_statements(&app, PAGE, json!({})).await;
    eprintln!(
        "statements on {}: 50 tenders with their buyers {fewest}",
        app.store
    );
    assert_eq!(fewest, 1);
}

#[tokio::test]
async fn a_page_of_companies_with_their_certificates_is_one_statement_and_pages_alike() {
    let app = spawn_app(true).await;
    const WITH: &str = "query($after: String, $order: CompanyOrder, $filter: CompanyFilter) {
        companies(first: 7, after: $after, orderBy: $order, filter: $filter) {
            nodes { id certifications { standard certificateNumber status } }
            pageInfo { endCursor hasNextPage } } }";
    const WITHOUT: &str = "query($after: String, $order: CompanyOrder, $filter: CompanyFilter) {
        companies(first: 7, after: $after, orderBy: $order, filter: $filter) {
            nodes { id } pageInfo { endCursor hasNextPage } } }";
    let orders = [
        json!(null),
        json!({ "field": "HEADCOUNT", "direction": "DESC" }),
        json!({ "field": "FOUNDED_YEAR", "direction": "ASC" }),
    ];
    let filters = [json!(null), json!({ "district": "NANCHANG" })];
    let mut seen = 0;
    for order in &orders {
        for filter in &filters {
            let mut after = Value::Null;
            for _ in 0..3 {
                let vars = json!({ "after": after, "order": order, "filter": filter });
                let with = app.data(WITH, vars.clone()).await;
                let without = app.data(WITHOUT, vars).await;
                let ids = |d: &Value| -> Vec<Value> {
                    d["companies"]["nodes"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|c| c["id"].clone())
                        .collect()
                };
                assert_eq!(ids(&with), ids(&without), "{order} {filter}");
                assert_eq!(
                    with["companies"]["pageInfo"],
                    without["companies"]["pageInfo"]
                );
                for c in with["companies"]["nodes"].as_array().unwrap() {
                    let alone = app
                        .data(
                            "query($id: ID!) { node(id: $id) { ... on Company { certifications { standard certificateNumber status } } } }",
                            json!({ "id": c["id"] }),
                        )
                        .await;
                    assert_eq!(c["certifications"], alone["node"]["certifications"]);
                    seen += usize::from(!c["certifications"].as_array().unwrap().is_empty());
                }
                after = with["companies"]["pageInfo"]["endCursor"].clone();
            }
        }
    }
    assert!(seen > 10);
    let fewest = fewest_statements(&app, WITH, json!({})).await;
    eprintln!(
        "statements on {}: 7 companies with their certificates {fewest}",
        app.store
    );
    assert_eq!(fewest, 1);
}

/// The selection of one field of `type_name`: the field itself if it is a leaf; otherwise the
/// leaf fields of what it answers (or `__typename` where it has none). `None` for a field with
/// a required argument.
fn selection_of(field: &Value, types: &Value) -> Option<String> {
    let required = field["args"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["type"]["kind"] == "NON_NULL" && a["defaultValue"].is_null());
    if required {
        return None;
    }
    let name = field["name"].as_str().unwrap();
    let mut of = &field["type"];
    while !of["ofType"].is_null() {
        of = &of["ofType"];
    }
    if matches!(of["kind"].as_str(), Some("SCALAR" | "ENUM")) {
        return Some(name.to_owned());
    }
    let target = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == of["name"])
        .unwrap();
    let leaves: Vec<&str> = target["fields"]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .filter(|f| f["args"].as_array().unwrap().is_empty())
                .filter(|f| {
                    let mut t = &f["type"];
                    while !t["ofType"].is_null() {
                        t = &t["ofType"];
                    }
                    matches!(t["kind"].as_str(), Some("SCALAR" | "ENUM"))
                })
                .map(|f| f["name"].as_str().unwrap())
                .collect()
        })
        .unwrap_or_default();
    let inner = if leaves.is_empty() {
        "__typename".to_owned()
    } else {
        leaves.join(" ")
    };
    Some(format!("{name} {{ {inner} }}"))
}

/// Every type of the schema, by introspection, with its fields and their arguments and types.
async fn introspected(app: &TestApp) -> Value {
    let schema = app
        .data(
            "{ __schema { types { name kind fields { name args { name defaultValue type { kind } }
               type { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }",
            json!({}),
        )
        .await;
    schema["__schema"]["types"].clone()
}

/// Each field of the type `name` that can be selected without arguments, as a selection.
fn fields_of(types: &Value, name: &str) -> Vec<String> {
    let t = types
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == name)
        .unwrap();
    t["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| selection_of(f, types))
        .collect()
}

/// A list reads only the columns of the fields its query selects. For every field of the types
/// lists read that way (companies and their certificates, tenders and their buyers), found by
/// introspection so that a field added later is covered too, a page selecting that field alone
/// answers what the same object read whole, alone, answers.
#[tokio::test]
async fn a_page_that_reads_only_the_selected_columns_answers_every_field_as_the_whole_row_does() {
    let app = spawn_app(true).await;
    let admin = app.key(Role::Admin, None, None).await;
    let types = introspected(&app).await;
    let fields_of = |name: &str| fields_of(&types, name);
    // (the type, the page with `{}` where the field goes, how to reach the same object alone)
    let cases = [
        (
            "Company",
            "companies(first: 25, orderBy: { field: HEADCOUNT, direction: DESC }) { nodes { key: id {} } }",
            "... on Company { {} }",
        ),
        (
            "Certification",
            "companies(first: 25, orderBy: { field: HEADCOUNT, direction: DESC }) { nodes { key: id certifications { {} } } }",
            "... on Company { certifications { {} } }",
        ),
        (
            "Tender",
            "tenders(first: 25, filter: { status: ACTIVE }) { nodes { key: id {} } }",
            "... on Tender { {} }",
        ),
        (
            "Counterpart",
            "tenders(first: 25, orderBy: { field: POSTED, direction: DESC }) { nodes { key: id buyer { {} } } }",
            "... on Tender { buyer { {} } }",
        ),
    ];
    let mut compared = 0;
    for (type_name, page, alone) in cases {
        let fields = fields_of(type_name);
        assert!(fields.len() >= 8, "{type_name}: {fields:?}");
        for field in fields {
            let page_query = format!("{{ {} }}", page.replace("{}", &field));
            let data = app.data_as(&admin, &page_query, json!({})).await;
            let nodes = data.as_object().unwrap().values().next().unwrap()["nodes"]
                .as_array()
                .unwrap()
                .clone();
            assert!(nodes.len() >= 10, "{page_query}");
            let aliases: Vec<String> = nodes
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    format!(
                        "n{i}: node(id: {}) {{ {} }}",
                        n["key"],
                        alone.replace("{}", &field)
                    )
                })
                .collect();
            let whole = app
                .data_as(&admin, &format!("{{ {} }}", aliases.join(" ")), json!({}))
                .await;
            for (i, node) in nodes.iter().enumerate() {
                let mut node = node.clone();
                node.as_object_mut().unwrap().remove("key");
                assert_eq!(
                    Value::Object(node.as_object().unwrap().clone()),
                    whole[format!("n{i}")],
                    "{type_name}.{field} differs when the page reads it"
                );
            }
            compared += 1;
        }
    }
    // Narrowed by status (which reads the status and expiry date whatever is selected), on the
    // second page, through `edges`.
    for status in ["ACTIVE", "EXPIRED", "SUSPENDED"] {
        let page = |after: &Value| {
            format!(
                "{{ companies(first: 25, after: {after}, orderBy: {{ field: HEADCOUNT, direction: DESC }}) {{
                   edges {{ node {{ key: id certifications(status: {status}) {{ standard }} }} }}
                   pageInfo {{ endCursor }} }} }}"
            )
        };
        let first = app.data_as(&admin, &page(&Value::Null), json!({})).await;
        let after = &first["companies"]["pageInfo"]["endCursor"];
        let second = app.data_as(&admin, &page(after), json!({})).await;
        for edge in second["companies"]["edges"].as_array().unwrap() {
            let alone = app
                .data_as(
                    &admin,
                    &format!(
                        "{{ node(id: {}) {{ ... on Company {{ certifications(status: {status}) {{ standard }} }} }} }}",
                        edge["node"]["key"]
                    ),
                    json!({}),
                )
                .await;
            assert_eq!(
                edge["node"]["certifications"], alone["node"]["certifications"],
                "certifications(status: {status}) on the second page"
            );
        }
        compared += 1;
    }
    eprintln!("fields compared on {}: {compared}", app.store);
}

/// `company(id:)` reads only the columns of the fields its query selects, and its park,
/// certificates and latest figures in the same statement, with only theirs. For every field of
/// those types, found by introspection, a company read by id selecting that field alone
/// answers what the same company read whole (through `node`, by the loaders) answers: for
/// companies with and without a park, certificates and figures.
#[tokio::test]
async fn a_company_read_by_id_answers_every_field_as_the_whole_row_does() {
    let app = spawn_app(true).await;
    let admin = app.key(Role::Admin, None, None).await;
    let types = introspected(&app).await;
    // A company with no park, no certificate and no figures, beside the demo's largest.
    let bare = app
        .data_as(
            &admin,
            crate::world::CREATE_COMPANY,
            json!({ "input": crate::world::company_input(903, "Bare Company", "JIUJIANG", &["CALL_CENTRE"], 12) }),
        )
        .await["createCompany"]["id"]
        .clone();
    let page = app
        .data_as(
            &admin,
            "{ companies(first: 20, orderBy: { field: HEADCOUNT, direction: DESC }) { nodes { id } } }",
            json!({}),
        )
        .await;
    let mut ids: Vec<Value> = page["companies"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].clone())
        .collect();
    ids.push(bare);
    // (the type, where its field goes under a company)
    let cases = [
        ("Company", "{}"),
        ("Park", "park { {} }"),
        ("Certification", "certifications { {} }"),
        ("CompanyFigures", "latestFigures { {} }"),
    ];
    let mut compared = 0;
    let mut seen_absent = (false, false, false);
    for (type_name, under) in cases {
        let fields = fields_of(&types, type_name);
        assert!(fields.len() >= 6, "{type_name}: {fields:?}");
        for field in fields {
            let selection = under.replace("{}", &field);
            let by_id: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| format!("n{i}: company(id: {id}) {{ {selection} }}"))
                .collect();
            let whole: Vec<String> = ids
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    format!("n{i}: node(id: {id}) {{ ... on Company {{ {selection} }} }}")
                })
                .collect();
            let read = app
                .data_as(&admin, &format!("{{ {} }}", by_id.join(" ")), json!({}))
                .await;
            let expected = app
                .data_as(&admin, &format!("{{ {} }}", whole.join(" ")), json!({}))
                .await;
            assert_eq!(
                read, expected,
                "{type_name}.{field} differs when read by id"
            );
            for i in 0..ids.len() {
                let company = &read[format!("n{i}")];
                seen_absent.0 |= company.get("park") == Some(&Value::Null);
                seen_absent.1 |= company.get("latestFigures") == Some(&Value::Null);
                seen_absent.2 |= company.get("certifications") == Some(&json!([]));
            }
            compared += 1;
        }
    }
    assert_eq!(
        seen_absent,
        (true, true, true),
        "a company without a park, figures or certificates was compared"
    );
    // Narrowed by status, and two selections of one field merged.
    for status in ["ACTIVE", "EXPIRED", "SUSPENDED"] {
        let selection = format!(
            "certifications(status: {status}) {{ standard }} park {{ name }} p: park {{ level }}"
        );
        for id in &ids {
            let read = app
                .data_as(
                    &admin,
                    &format!("{{ company(id: {id}) {{ {selection} }} }}"),
                    json!({}),
                )
                .await;
            let expected = app
                .data_as(
                    &admin,
                    &format!(
                        "{{ company: node(id: {id}) {{ ... on Company {{ {selection} }} }} }}"
                    ),
                    json!({}),
                )
                .await;
            assert_eq!(read, expected, "{selection}");
        }
        compared += 1;
    }
    eprintln!("fields compared on {}: {compared}", app.store);
}
