//! The write side end to end: a counterpart posts demand, companies and an alliance answer,
//! the counterpart awards, and search and statistics follow.

use serde_json::{Value, json};

use crate::authorization::CREATE_ALLIANCE;
use crate::world::{PUBLISH_TENDER, SUBMIT_BID, Who, World};
use Who::*;

fn codes(body: &Value) -> (Option<&str>, Value) {
    (
        body["errors"][0]["extensions"]["code"].as_str(),
        body["errors"][0]["extensions"]["criteria"].clone(),
    )
}

#[tokio::test]
async fn a_counterpart_posts_companies_and_an_alliance_bid_and_the_counterpart_awards() {
    let w = World::new().await;
    let app = &w.app;

    // X posts a tender needing CMMI-DEV and 200 employees; it starts as X's draft.
    let tender = w
        .tender(
            CounterpartX,
            false,
            json!({ "certifications": ["CMMI_DEV"], "minEmployees": 200 }),
        )
        .await;
    let status = w
        .ok(
            CounterpartX,
            "query($id: ID!) { tender(id: $id) { status ocid } }",
            json!({ "id": tender }),
        )
        .await;
    assert_eq!(status["tender"]["status"], "PLANNING");
    assert!(
        status["tender"]["ocid"]
            .as_str()
            .unwrap()
            .starts_with("ocds-gnbrdg-")
    );
    let published = w
        .ok(CounterpartX, PUBLISH_TENDER, json!({ "id": tender }))
        .await;
    assert_eq!(published["publishTender"]["status"], "ACTIVE");

    // Who qualifies, seen from both sides.
    let eligible = w
        .ok(
            Anonymous,
            "query($id: ID!) { tender(id: $id) { eligibleCompanies(first: 10) { totalCount nodes { id } } } }",
            json!({ "id": tender }),
        )
        .await;
    assert_eq!(eligible["tender"]["eligibleCompanies"]["totalCount"], 1);
    assert_eq!(
        eligible["tender"]["eligibleCompanies"]["nodes"][0]["id"],
        w.a.as_str()
    );
    let matching = "query($id: ID!) { company(id: $id) { matchingTenders { nodes { id } } } }";
    let for_a = w.ok(Anonymous, matching, json!({ "id": w.a })).await;
    assert_eq!(
        for_a["company"]["matchingTenders"]["nodes"][0]["id"],
        tender.as_str()
    );
    let for_b = w.ok(Anonymous, matching, json!({ "id": w.b })).await;
    assert_eq!(for_b["company"]["matchingTenders"]["nodes"], json!([]));

    // B alone is refused, and told why.
    let bid = |alliance: Option<&str>| {
        json!({ "input": {
            "tenderId": tender,
            "amount": { "amount": "1180000.00", "currency": "CNY" },
            "proposal": "Proposal.",
            "allianceId": alliance,
        } })
    };
    let (_, refused) = app.graphql_as(Some(&w.key_b), SUBMIT_BID, bid(None)).await;
    assert_eq!(
        codes(&refused),
        (Some("CONFLICT"), json!(["CERTIFICATIONS", "MIN_EMPLOYEES"])),
        "{refused}"
    );
    // A bids, once.
    let a_bid = w.bid(&w.key_a, &tender, None).await;
    let (_, twice) = app.graphql_as(Some(&w.key_a), SUBMIT_BID, bid(None)).await;
    assert_eq!(codes(&twice).0, Some("CONFLICT"), "{twice}");
    // A bid in another currency than the tender's names the field.
    let (_, usd) = app
        .graphql_as(
            Some(&w.key_c),
            SUBMIT_BID,
            json!({ "input": { "tenderId": tender, "amount": { "amount": "1", "currency": "USD" }, "proposal": "P" } }),
        )
        .await;
    assert_eq!(
        usd["errors"][0]["extensions"]["field"], "amount.currency",
        "{usd}"
    );

    // C and B form an alliance: C holds CMMI-DEV, together they employ 220.
    let (_, created) = app
        .graphql_as(
            Some(&w.key_c),
            CREATE_ALLIANCE,
            json!({ "input": {
                "name": "Gan-Jiu Alliance", "nameZh": "赣九联盟",
                "members": [ { "companyId": w.c, "share": "70" }, { "companyId": w.b, "share": "30" } ],
            } }),
        )
        .await;
    let alliance = created["data"]["createAlliance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, early) = app
        .graphql_as(Some(&w.key_c), SUBMIT_BID, bid(Some(&alliance)))
        .await;
    assert_eq!(
        codes(&early).0,
        Some("CONFLICT"),
        "before B accepts: {early}"
    );
    let (_, not_lead) = app
        .graphql_as(Some(&w.key_b), SUBMIT_BID, bid(Some(&alliance)))
        .await;
    assert_eq!(codes(&not_lead).0, Some("FORBIDDEN"), "{not_lead}");
    let (_, accepted) = app
        .graphql_as(
            Some(&w.key_b),
            "mutation($id: ID!) { acceptAllianceInvitation(id: $id) { members { accepted } } }",
            json!({ "id": alliance }),
        )
        .await;
    assert_eq!(
        accepted["data"]["acceptAllianceInvitation"]["members"],
        json!([{ "accepted": true }, { "accepted": true }])
    );
    let alliance_bid = w.bid(&w.key_c, &tender, Some(&alliance)).await;

    // X amends the closing time; the amendment is kept.
    let later = (chrono::Utc::now() + chrono::Duration::days(40)).to_rfc3339();
    let amended = w
        .ok(
            CounterpartX,
            "mutation($input: UpdateTenderInput!) { updateTender(input: $input) { amendments { changedFields rationale } } }",
            json!({ "input": { "id": tender, "closesAt": later, "rationale": "More time for alliances" } }),
        )
        .await;
    assert_eq!(
        amended["updateTender"]["amendments"],
        json!([{ "changedFields": ["closesAt"], "rationale": "More time for alliances" }])
    );

    // The buyer sees both bids; B sees its alliance's.
    let bids =
        "query($id: ID!) { tender(id: $id) { bids { nodes { id status alliance { id } } } } }";
    let seen = w.ok(CounterpartX, bids, json!({ "id": tender })).await;
    assert_eq!(seen["tender"]["bids"]["nodes"].as_array().unwrap().len(), 2);
    let seen = w.ok(CompanyB, bids, json!({ "id": tender })).await;
    assert_eq!(
        seen["tender"]["bids"]["nodes"][0]["id"],
        alliance_bid.as_str()
    );

    // X awards the alliance.
    let closed = w
        .ok(
            CounterpartX,
            "mutation($input: CloseTenderInput!) { closeTender(input: $input) { status } }",
            json!({ "input": { "tenderId": tender, "awardedBidId": alliance_bid } }),
        )
        .await;
    assert_eq!(closed["closeTender"]["status"], "COMPLETE");
    let seen = w.ok(Admin, bids, json!({ "id": tender })).await;
    let statuses: Vec<(String, String)> = seen["tender"]["bids"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["id"].as_str().unwrap().to_owned(),
                b["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        statuses,
        [
            (a_bid, "NOT_AWARDED".to_owned()),
            (alliance_bid, "AWARDED".to_owned())
        ]
    );
    let (_, late) = app.graphql_as(Some(&w.key_b), SUBMIT_BID, bid(None)).await;
    assert_eq!(codes(&late).0, Some("CONFLICT"));

    // Search follows through the outbox.
    let search = "{ search(query: \"mobile banking\", types: [TENDER], facets: [TENDER_STATUS]) { totalHits facetDistribution { facet values { value count } } } }";
    let mut last = Value::Null;
    for _ in 0..50 {
        // The first writes may find the worker building the index from them: it says so,
        // and a client retries (as the error asks).
        let (_, body) = w.app.graphql_as(None, search, json!({})).await;
        if body["errors"][0]["extensions"]["reason"] == "INDEX_BUILDING" {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            continue;
        }
        last = w.ok(Anonymous, search, json!({})).await;
        let complete = last["search"]["facetDistribution"][0]["values"]
            .as_array()
            .is_some_and(|v| {
                v.iter()
                    .any(|v| v["value"] == "COMPLETE" && v["count"] == 1)
            });
        if complete {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(last["search"]["totalHits"], 1, "{last}");
    assert_eq!(
        last["search"]["facetDistribution"][0]["values"],
        json!([{ "value": "COMPLETE", "count": 1 }]),
        "{last}"
    );

    // A tender cancelled while still planned was never published.
    let withdrawn = w.tender(CounterpartX, false, json!({})).await;
    w.ok(
        CounterpartX,
        "mutation($id: ID!) { cancelTender(id: $id) { status } }",
        json!({ "id": withdrawn }),
    )
    .await;

    // Statistics follow: this year's tenders, and the certificates verified in the world.
    let year = chrono::Datelike::year(&chrono::Utc::now());
    let stats = w
        .ok(
            Anonymous,
            "query($year: Int!) { statistics(year: $year) { tenders { published awarded } } }",
            json!({ "year": year }),
        )
        .await;
    assert_eq!(
        stats["statistics"]["tenders"],
        json!({ "published": 1, "awarded": 1 }),
        "{stats}"
    );
    let stats = w
        .ok(
            Anonymous,
            "{ statistics(year: 2025) { newCertificates } }",
            json!({}),
        )
        .await;
    assert_eq!(stats["statistics"]["newCertificates"], 3);
}

#[tokio::test]
async fn bad_input_names_the_field_and_writes_nothing() {
    let w = World::new().await;
    let before = w.audited().await;
    let closes = (chrono::Utc::now() + chrono::Duration::days(5)).to_rfc3339();
    let past = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let base = json!({
        "title": "T", "titleZh": "T", "description": "D",
        "serviceLines": ["SOFTWARE_DEVELOPMENT"], "closesAt": closes,
    });
    let with = |key: &str, value: Value| {
        let mut input = base.clone();
        input[key] = value;
        json!({ "input": input })
    };
    for (variables, field) in [
        (with("title", json!("  ")), "title"),
        (with("closesAt", json!(past)), "closesAt"),
        (with("serviceLines", json!([])), "serviceLines"),
        (
            with("value", json!({ "amount": "10.001", "currency": "CNY" })),
            "value.amount",
        ),
        (
            with("value", json!({ "amount": "10", "currency": "XYZ" })),
            "value.currency",
        ),
        (
            with("eligibility", json!({ "minEmployees": 0 })),
            "eligibility.minEmployees",
        ),
    ] {
        let (_, body) = w
            .app
            .graphql_as(Some(&w.key_x), crate::world::CREATE_TENDER, variables)
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{body}"
        );
        assert_eq!(body["errors"][0]["extensions"]["field"], field, "{body}");
    }
    let (_, body) = w
        .app
        .graphql_as(
            Some(&w.admin),
            crate::world::CREATE_COMPANY,
            json!({ "input": crate::world::company_input(1, "Twin of A", "NANCHANG", &["SOFTWARE_DEVELOPMENT"], 10) }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "same USCC: {body}"
    );
    let mut input =
        crate::world::company_input(900, "Bad", "NANCHANG", &["SOFTWARE_DEVELOPMENT"], 10);
    input["uscc"] = json!("91360100MA00000000");
    let (_, body) = w
        .app
        .graphql_as(
            Some(&w.admin),
            crate::world::CREATE_COMPANY,
            json!({ "input": input }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "uscc", "{body}");
    let (_, body) = w
        .app
        .graphql_as(
            Some(&w.key_a),
            CREATE_ALLIANCE,
            json!({ "input": { "name": "N", "nameZh": "N", "members": [
                { "companyId": w.a, "share": "60" }, { "companyId": w.b, "share": "30" } ] } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "members.share",
        "{body}"
    );
    assert_eq!(w.audited().await, before, "a refused change was written");
}

#[tokio::test]
async fn a_tenders_terms_hold_once_it_has_bids_and_amendments_change_only_what_they_name() {
    let w = World::new().await;
    let tender = w
        .tender(
            CounterpartX,
            true,
            json!({ "certifications": ["CMMI_DEV"], "minEmployees": 50 }),
        )
        .await;
    let update = "mutation($input: UpdateTenderInput!) { updateTender(input: $input) { eligibility { certifications minEmployees } amendments { changedFields } } }";
    // Changing the certifications leaves the minimum headcount as it was.
    let changed = w
        .ok(
            CounterpartX,
            update,
            json!({ "input": { "id": tender, "eligibility": { "certifications": ["CMMI_DEV", "ISO_IEC_27001"] } } }),
        )
        .await;
    assert_eq!(
        changed["updateTender"]["eligibility"],
        json!({ "certifications": ["CMMI_DEV", "ISO_IEC_27001"], "minEmployees": 50 })
    );
    assert_eq!(
        changed["updateTender"]["amendments"],
        json!([{ "changedFields": ["eligibility.certifications"] }])
    );
    w.bid(&w.key_a, &tender, None).await;
    // With a bid in, the terms it was made against stay; the title may still change.
    for input in [
        json!({ "id": tender, "eligibility": { "minEmployees": 10 } }),
        json!({ "id": tender, "value": null }),
        json!({ "id": tender, "serviceLines": ["DATA_PROCESSING"] }),
    ] {
        let code = w
            .code(CounterpartX, update, json!({ "input": input }))
            .await;
        assert_eq!(code.as_deref(), Some("CONFLICT"), "{input}");
    }
    w.ok(
        CounterpartX,
        update,
        json!({ "input": { "id": tender, "title": "Mobile banking app, revised" } }),
    )
    .await;
}

#[tokio::test]
async fn amounts_too_large_for_any_currency_are_bad_input_not_a_crash() {
    let w = World::new().await;
    let tender = w.tender(CounterpartX, true, json!({})).await;
    let huge = "79228162514264337593543950335";
    let (status, body) = w
        .app
        .graphql_as(
            Some(&w.key_a),
            SUBMIT_BID,
            json!({ "input": { "tenderId": tender, "amount": { "amount": huge, "currency": "CNY" }, "proposal": "P" } }),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "amount.amount",
        "{body}"
    );
    let (_, body) = w
        .app
        .graphql_as(
            Some(&w.key_a),
            CREATE_ALLIANCE,
            json!({ "input": { "name": "N", "nameZh": "N", "members": [
                { "companyId": w.a, "share": huge }, { "companyId": w.b, "share": "1" } ] } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "members[0].share",
        "{body}"
    );
}
