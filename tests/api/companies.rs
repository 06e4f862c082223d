use std::collections::HashSet;

use serde_json::{Value, json};

use crate::helpers::spawn_app;

const PAGE: &str = "query($first: Int, $after: String, $filter: CompanyFilter, $order: CompanyOrder) {
  companies(first: $first, after: $after, filter: $filter, orderBy: $order) {
    totalCount
    edges { cursor node { id name nameZh headcount leading district { code } park { id } serviceLines
      certifications { standard status expiryDate } } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }";

fn ids(list: &Value) -> Vec<String> {
    list["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_follow_each_other_without_gaps_or_repeats() {
    let app = spawn_app(true).await;
    let first = app.data(PAGE, json!({ "first": 40 })).await["companies"].clone();
    assert_eq!(first["totalCount"], 1056);
    assert_eq!(first["pageInfo"]["hasNextPage"], true);
    assert_eq!(first["pageInfo"]["hasPreviousPage"], false);
    let end = first["pageInfo"]["endCursor"].clone();
    assert_eq!(first["edges"][39]["cursor"], end);

    let second = app.data(PAGE, json!({ "first": 40, "after": end })).await["companies"].clone();
    assert_eq!(second["pageInfo"]["hasPreviousPage"], true);
    let (a, b) = (ids(&first), ids(&second));
    assert_eq!(a.len(), 40);
    assert_eq!(b.len(), 40);
    assert!(
        a.iter()
            .collect::<HashSet<_>>()
            .is_disjoint(&b.iter().collect())
    );

    // One page of 80 is the two pages of 40 together, in order.
    let both = app.data(PAGE, json!({ "first": 80 })).await["companies"].clone();
    assert_eq!(ids(&both), [a, b].concat());

    // Names ascend across the page boundary.
    let names: Vec<String> = both["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect();
    assert!(names.windows(2).all(|w| w[0] <= w[1]), "{names:?}");
}

#[tokio::test]
async fn walking_every_page_visits_every_company_once() {
    let app = spawn_app(true).await;
    let mut seen = HashSet::new();
    let mut after = Value::Null;
    let order = json!({ "field": "HEADCOUNT", "direction": "DESC" });
    let mut last_headcount = i64::MAX;
    loop {
        let page = app
            .data(
                PAGE,
                json!({ "first": 100, "after": after, "order": order }),
            )
            .await["companies"]
            .clone();
        for edge in page["edges"].as_array().unwrap() {
            assert!(seen.insert(edge["node"]["id"].as_str().unwrap().to_owned()));
            let headcount = edge["node"]["headcount"].as_i64().unwrap();
            assert!(headcount <= last_headcount);
            last_headcount = headcount;
        }
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(seen.len(), 1056);
}

#[tokio::test]
async fn filters_narrow_the_list_to_what_they_say() {
    let app = spawn_app(true).await;

    let leading = app
        .data(PAGE, json!({ "first": 100, "filter": { "leading": true } }))
        .await["companies"]
        .clone();
    assert_eq!(leading["totalCount"], 5);
    let names: Vec<&str> = leading["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    for expected in [
        "Tellhow",
        "Thinvent",
        "PioneerChina",
        "Tenone",
        "K.T Cartoon",
    ] {
        assert!(
            names.iter().any(|n| n.contains(expected)),
            "{expected} missing from {names:?}"
        );
    }

    let filter = json!({ "district": "JIUJIANG", "serviceLine": "SOFTWARE_DEVELOPMENT", "minEmployees": 50 });
    let narrowed = app
        .data(PAGE, json!({ "first": 100, "filter": filter }))
        .await["companies"]
        .clone();
    let total = narrowed["totalCount"].as_i64().unwrap();
    assert!(total > 0 && total < 126, "{total}");
    for edge in narrowed["edges"].as_array().unwrap() {
        let node = &edge["node"];
        assert_eq!(node["district"]["code"], "JIUJIANG");
        assert!(node["headcount"].as_i64().unwrap() >= 50);
        assert!(
            node["serviceLines"]
                .as_array()
                .unwrap()
                .contains(&json!("SOFTWARE_DEVELOPMENT"))
        );
    }

    let certified = app
        .data(
            PAGE,
            json!({ "first": 100, "filter": { "certification": "CMMI_DEV" } }),
        )
        .await["companies"]
        .clone();
    assert!(certified["totalCount"].as_i64().unwrap() > 0);
    for edge in certified["edges"].as_array().unwrap() {
        let certs = edge["node"]["certifications"].as_array().unwrap();
        assert!(
            certs
                .iter()
                .any(|c| c["standard"] == "CMMI_DEV" && c["status"] == "ACTIVE"),
            "{} has no CMMI-DEV in force: {certs:?}",
            edge["node"]["name"]
        );
    }

    let family = app.data(PAGE, json!({ "first": 5, "filter": { "serviceLineFamily": "KPO", "serviceLine": "CALL_CENTRE" } })).await;
    assert_eq!(
        family["companies"]["totalCount"], 0,
        "a line outside the family matches nothing"
    );
}

#[tokio::test]
async fn bad_paging_and_ids_are_bad_user_input() {
    let app = spawn_app(false).await;
    for (variables, needle) in [
        (json!({ "first": 101 }), "first"),
        (json!({ "first": -1 }), "first"),
        (json!({ "after": "not-a-cursor" }), "cursor"),
        (json!({ "filter": { "parkId": "bm9wZQ" } }), "ID"),
        (json!({ "filter": { "minEmployees": -3 } }), "minEmployees"),
    ] {
        let (code, message) = app.error(PAGE, variables.clone()).await;
        assert_eq!(code, "BAD_USER_INPUT", "{variables}");
        assert!(
            message.contains(needle),
            "{message} should mention {needle}"
        );
    }
}

#[tokio::test]
async fn a_cursor_from_another_ordering_is_refused() {
    let app = spawn_app(true).await;
    let page = app.data(PAGE, json!({ "first": 3 })).await;
    let cursor = page["companies"]["pageInfo"]["endCursor"].clone();
    let (code, _) = app
        .error(
            PAGE,
            json!({ "first": 3, "after": cursor, "order": { "field": "HEADCOUNT" } }),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_tampered_cursor_is_bad_input_on_every_store() {
    let app = spawn_app(true).await;
    use base64::Engine;
    let encode = |json: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json);
    for (order, cursor) in [
        // A number where the name ordering keeps text.
        (
            json!(null),
            encode(r#"{"order":"company.name.asc","key":{"Int":1},"id":3}"#),
        ),
        // No key at all on a sorted ordering.
        (
            json!(null),
            encode(r#"{"order":"company.name.asc","key":null,"id":3}"#),
        ),
        // Text where the headcount ordering keeps numbers.
        (
            json!({ "field": "HEADCOUNT" }),
            encode(r#"{"order":"company.headcount.asc","key":{"Text":"x"},"id":3}"#),
        ),
    ] {
        let (code, message) = app
            .error(PAGE, json!({ "first": 3, "after": cursor, "order": order }))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{message}");
    }
}

#[tokio::test]
async fn filtering_by_an_unknown_park_is_not_found() {
    let app = spawn_app(true).await;
    let (code, message) = app
        .error(
            PAGE,
            json!({ "filter": { "parkId": base64_id("Park:999") } }),
        )
        .await;
    assert_eq!(code, "NOT_FOUND", "{message}");
}

#[tokio::test]
async fn one_company_by_id_unknown_and_misdirected_ids() {
    let app = spawn_app(true).await;
    let page = app
        .data(PAGE, json!({ "first": 1, "filter": { "leading": true } }))
        .await;
    let id = page["companies"]["nodes"][0]["id"].clone();
    let query = "query($id: ID!) { company(id: $id) { id name uscc figures { year employees contractAmountUsd } latestFigures { year } } }";
    let company = app.data(query, json!({ "id": id })).await["company"].clone();
    assert_eq!(company["id"], id);
    assert_eq!(company["uscc"].as_str().unwrap().len(), 18);
    assert_eq!(company["latestFigures"]["year"], 2014);
    assert_eq!(company["figures"].as_array().unwrap().len(), 2);

    // A well-formed ID of a company that does not exist.
    let missing = base64_id("Company:999999");
    assert_eq!(
        app.error(query, json!({ "id": missing })).await.0,
        "NOT_FOUND"
    );
    // An ID of another type.
    assert_eq!(
        app.error(query, json!({ "id": base64_id("Park:1") }))
            .await
            .0,
        "BAD_USER_INPUT"
    );
    // Not an ID at all.
    assert_eq!(
        app.error(query, json!({ "id": "%%%" })).await.0,
        "BAD_USER_INPUT"
    );
}

pub fn base64_id(raw: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Every company's lines, as `company_service_line` records them and as the mask on its row
/// holds them (which the service-line filter reads).
async fn lines_on_record(db: &sea_orm::DatabaseConnection) -> Vec<(i64, i64, i64)> {
    use ganbridge::entities::{company, company_service_line};
    use ganbridge::services::company::line_mask;
    use sea_orm::EntityTrait;
    let mut recorded: std::collections::HashMap<i64, Vec<_>> = Default::default();
    for row in company_service_line::Entity::find().all(db).await.unwrap() {
        recorded
            .entry(row.company_id)
            .or_default()
            .push(row.service_line);
    }
    company::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|c| {
            let lines = recorded.remove(&c.id).unwrap_or_default();
            (c.id, line_mask(lines), c.service_line_mask)
        })
        .collect()
}

#[tokio::test]
async fn the_service_line_filter_follows_the_lines_on_record_through_a_change() {
    let app = spawn_app(true).await;
    let companies = lines_on_record(&app.db).await;
    assert!(companies.len() > 1_000);
    for (id, recorded, mask) in &companies {
        assert_eq!(recorded, mask, "company {id} after the demo load");
    }
    const COUNT: &str = "query($line: ServiceLine!) {
        companies(filter: { serviceLine: $line }) { totalCount } }";
    let count = |data: Value| data["companies"]["totalCount"].as_i64().unwrap();
    let line_of_bit = |bit: u32| {
        migration::SERVICE_LINE_BITS
            .iter()
            .find(|(_, b)| *b == bit)
            .map(|(name, _)| name.to_uppercase())
            .unwrap()
    };
    let medical = line_of_bit(14);

    // A company that offers no medical research takes it up and drops its other lines.
    let (id, recorded, _) = companies
        .iter()
        .find(|(_, recorded, _)| *recorded & (1 << 14) == 0)
        .copied()
        .unwrap();
    let dropped = line_of_bit(recorded.trailing_zeros());
    let before = (
        count(app.data(COUNT, json!({ "line": medical })).await),
        count(app.data(COUNT, json!({ "line": dropped })).await),
    );
    let key = app
        .key(ganbridge::domain::Role::Company, Some(id), None)
        .await;
    app.data_as(
        &key,
        "mutation($input: UpdateCompanyProfileInput!) { updateCompanyProfile(input: $input) { id } }",
        json!({ "input": { "id": base64_id(&format!("Company:{id}")), "serviceLines": [medical] } }),
    )
    .await;
    let after = lines_on_record(&app.db).await;
    let changed = after.iter().find(|(c, _, _)| *c == id).unwrap();
    assert_eq!(changed.1, 1 << 14);
    assert_eq!(changed.1, changed.2, "the mask follows the change");
    assert_eq!(
        count(app.data(COUNT, json!({ "line": medical })).await),
        before.0 + 1
    );
    assert_eq!(
        count(app.data(COUNT, json!({ "line": dropped })).await),
        before.1 - 1
    );
}

/// A database that had companies before the mask existed gets each company's mask from the
/// lines on record when it migrates.
#[tokio::test]
async fn migrating_a_database_with_companies_fills_in_their_line_masks() {
    use ganbridge::domain::ServiceLine;
    use ganbridge::services::company::line_mask;
    use migration::{Migrator, MigratorTrait};
    use sea_orm::{ActiveEnum, ConnectionTrait};

    let (db, _dir) = crate::helpers::empty_database().await;
    // Every migration before the one that adds the mask.
    let before_the_mask = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261127_000009_company_service_line_mask")
        .expect("the mask's migration") as u32;
    Migrator::up(&db, Some(before_the_mask)).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO district (id, code, name_en, name_zh) VALUES (1, 'nanchang', 'Nanchang', '南昌')",
    )
    .await
    .unwrap();
    let companies = [
        vec![ServiceLine::CallCentre, ServiceLine::SoftwareDevelopment],
        vec![],
        vec![ServiceLine::MedicalAndPharmaResearch],
        ServiceLine::ALL.to_vec(),
    ];
    for (id, lines) in companies.iter().enumerate() {
        db.execute_unprepared(&format!(
            "INSERT INTO company (id, uscc, name_zh, name_en, district_id, headcount, founded_year,
               description, description_zh, \"leading\", created_at, updated_at)
             VALUES ({id}, '9136010000000000{id:02}', 'z', 'e', 1, 10, 2000, 'd', 'd', false,
               '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00')"
        ))
        .await
        .unwrap();
        for line in lines {
            db.execute_unprepared(&format!(
                "INSERT INTO company_service_line (company_id, service_line) VALUES ({id}, '{}')",
                line.to_value()
            ))
            .await
            .unwrap();
        }
    }
    Migrator::up(&db, None).await.unwrap();
    for (id, lines) in companies.iter().enumerate() {
        let row = db
            .query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                format!("SELECT service_line_mask FROM company WHERE id = {id}"),
            ))
            .await
            .unwrap()
            .unwrap();
        let mask: i64 = row.try_get("", "service_line_mask").unwrap();
        assert_eq!(
            mask,
            line_mask(lines.iter().copied()),
            "company {id}: {lines:?}"
        );
    }
}
