//! The authorization matrix: every mutation and every confidential field, against every role
//! (anonymous, partner, company A, company B, counterpart X, counterpart Y, admin). Each
//! attempt runs on a fresh target; an allowed one must succeed and be audited, a refused one
//! must answer its exact code and leave the audit log (written in the same transaction as
//! every change) as it was.

use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Value, json};

use crate::world::{
    CREATE_COMPANY, SUBMIT_CERTIFICATION, VERIFY, Who, World, certification_input, company_input,
};
use Who::*;

static NEXT: AtomicU32 = AtomicU32::new(100);

fn fresh() -> u32 {
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[derive(Debug, Clone, Copy)]
enum Case {
    CreateApiKey,
    RevokeApiKey,
    CreateCompany,
    UpdateCompanyProfile,
    RecordCompanyFigures,
    SubmitCertification,
    VerifyCertification,
    RejectCertification,
    SuspendCertification,
    CreatePark,
    UpdatePark,
    CreateCounterpart,
    UpdateCounterpartProfile,
    CreateTender,
    UpdateTender,
    PublishTender,
    CancelTender,
    CloseTender,
    SubmitBid,
    WithdrawBid,
    CreateAlliance,
    AcceptAllianceInvitation,
}

impl Case {
    const ALL: [Case; 22] = [
        Case::CreateApiKey,
        Case::RevokeApiKey,
        Case::CreateCompany,
        Case::UpdateCompanyProfile,
        Case::RecordCompanyFigures,
        Case::SubmitCertification,
        Case::VerifyCertification,
        Case::RejectCertification,
        Case::SuspendCertification,
        Case::CreatePark,
        Case::UpdatePark,
        Case::CreateCounterpart,
        Case::UpdateCounterpartProfile,
        Case::CreateTender,
        Case::UpdateTender,
        Case::PublishTender,
        Case::CancelTender,
        Case::CloseTender,
        Case::SubmitBid,
        Case::WithdrawBid,
        Case::CreateAlliance,
        Case::AcceptAllianceInvitation,
    ];

    /// Who may, and what the others get when it is not the usual (`UNAUTHENTICATED` for the
    /// anonymous, `FORBIDDEN` for the rest).
    fn expected(self, who: Who) -> Option<&'static str> {
        use Case::*;
        let allowed: &[Who] = match self {
            CreateApiKey | RevokeApiKey | CreateCompany | RecordCompanyFigures
            | VerifyCertification | RejectCertification | SuspendCertification | CreatePark
            | UpdatePark | CreateCounterpart => &[Admin],
            UpdateCompanyProfile | WithdrawBid => &[CompanyA],
            SubmitCertification | SubmitBid | CreateAlliance => &[CompanyA, CompanyB],
            AcceptAllianceInvitation => &[CompanyB],
            UpdateCounterpartProfile | CreateTender => &[CounterpartX, CounterpartY],
            UpdateTender | PublishTender | CancelTender | CloseTender => &[CounterpartX],
        };
        match (self, who) {
            _ if allowed.contains(&who) => None,
            (_, Anonymous) => Some("UNAUTHENTICATED"),
            // The lead accepted by proposing the alliance.
            (AcceptAllianceInvitation, CompanyA) => Some("CONFLICT"),
            _ => Some("FORBIDDEN"),
        }
    }

    /// A fresh target for one attempt, and the operation.
    async fn prepare(self, w: &World) -> (&'static str, Value) {
        use Case::*;
        match self {
            CreateApiKey => (
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id role } } }",
                json!({ "input": { "name": "Partner site", "role": "PARTNER" } }),
            ),
            RevokeApiKey => {
                let created = w
                    .ok(
                        Admin,
                        "mutation { createApiKey(input: { name: \"to revoke\", role: PARTNER }) { apiKey { id } } }",
                        json!({}),
                    )
                    .await;
                (
                    "mutation($id: ID!) { revokeApiKey(id: $id) { id revokedAt } }",
                    json!({ "id": created["createApiKey"]["apiKey"]["id"] }),
                )
            }
            CreateCompany => (
                CREATE_COMPANY,
                json!({ "input": company_input(fresh(), "New Co", "YICHUN", &["DATA_ANALYTICS"], 40) }),
            ),
            UpdateCompanyProfile => (
                "mutation($input: UpdateCompanyProfileInput!) { updateCompanyProfile(input: $input) { id headcount } }",
                json!({ "input": { "id": w.a, "headcount": 310, "website": "https://a.example" } }),
            ),
            RecordCompanyFigures => (
                "mutation($input: RecordCompanyFiguresInput!) { recordCompanyFigures(input: $input) { id } }",
                json!({ "input": {
                    "companyId": w.a, "year": 2025, "employees": 300,
                    "contractAmount": { "amount": "1000000.00", "currency": "USD" },
                    "contractOffshore": { "amount": "600000.00", "currency": "USD" },
                    "executedAmount": { "amount": "900000.00", "currency": "USD" },
                    "executedOffshore": { "amount": "500000.00", "currency": "USD" },
                } }),
            ),
            SubmitCertification => (
                SUBMIT_CERTIFICATION,
                json!({ "input": certification_input("ISO_9001", &format!("Q-{}", fresh())) }),
            ),
            VerifyCertification | RejectCertification | SuspendCertification => {
                let submitted = w
                    .ok(
                        CompanyA,
                        SUBMIT_CERTIFICATION,
                        json!({ "input": certification_input("ISO_9001", &format!("Q-{}", fresh())) }),
                    )
                    .await;
                let id = submitted["submitCertification"]["id"].clone();
                match self {
                    VerifyCertification => (VERIFY, json!({ "id": id })),
                    RejectCertification => (
                        "mutation($id: ID!) { rejectCertification(id: $id, reason: \"Not in the register\") { id verification { status reason } } }",
                        json!({ "id": id }),
                    ),
                    _ => {
                        w.ok(Admin, VERIFY, json!({ "id": id })).await;
                        (
                            "mutation($id: ID!) { suspendCertification(id: $id, reason: \"Suspended by the body\") { id status } }",
                            json!({ "id": id }),
                        )
                    }
                }
            }
            CreatePark => (
                "mutation($input: ParkInput!) { createPark(input: $input) { id } }",
                json!({ "input": park_input() }),
            ),
            UpdatePark => {
                let park = w
                    .ok(
                        Admin,
                        "mutation($input: ParkInput!) { createPark(input: $input) { id } }",
                        json!({ "input": park_input() }),
                    )
                    .await;
                (
                    "mutation($id: ID!, $input: ParkInput!) { updatePark(id: $id, input: $input) { id description } }",
                    json!({ "id": park["createPark"]["id"], "input": { "description": "Renewed." } }),
                )
            }
            CreateCounterpart => (
                "mutation($input: CounterpartInput!) { createCounterpart(input: $input) { id } }",
                json!({ "input": { "name": "Z Corp", "nameZh": "Z公司", "kind": "DOMESTIC_ENTERPRISE", "city": "Hangzhou" } }),
            ),
            UpdateCounterpartProfile => (
                "mutation($input: CounterpartInput!) { updateCounterpartProfile(input: $input) { id description } }",
                json!({ "input": { "description": "We buy services." } }),
            ),
            CreateTender => {
                let closes = (chrono::Utc::now() + chrono::Duration::days(20)).to_rfc3339();
                (
                    crate::world::CREATE_TENDER,
                    json!({ "input": {
                        "title": "Data entry", "titleZh": "数据录入", "description": "Enter data.",
                        "serviceLines": ["DATA_PROCESSING"], "closesAt": closes,
                    } }),
                )
            }
            UpdateTender => {
                let tender = w.tender(CounterpartX, true, json!({})).await;
                (
                    "mutation($input: UpdateTenderInput!) { updateTender(input: $input) { id amendments { changedFields } } }",
                    json!({ "input": { "id": tender, "title": "Mobile banking app, phase 1", "rationale": "Scope split" } }),
                )
            }
            PublishTender => {
                let tender = w.tender(CounterpartX, false, json!({})).await;
                (crate::world::PUBLISH_TENDER, json!({ "id": tender }))
            }
            CancelTender => {
                let tender = w.tender(CounterpartX, true, json!({})).await;
                (
                    "mutation($id: ID!) { cancelTender(id: $id) { id status } }",
                    json!({ "id": tender }),
                )
            }
            CloseTender => {
                let tender = w.tender(CounterpartX, true, json!({})).await;
                (
                    "mutation($input: CloseTenderInput!) { closeTender(input: $input) { id status } }",
                    json!({ "input": { "tenderId": tender } }),
                )
            }
            SubmitBid => {
                let tender = w.tender(CounterpartX, true, json!({})).await;
                (
                    crate::world::SUBMIT_BID,
                    json!({ "input": {
                        "tenderId": tender,
                        "amount": { "amount": "990000", "currency": "CNY" },
                        "proposal": "Our proposal.",
                    } }),
                )
            }
            WithdrawBid => {
                let tender = w.tender(CounterpartX, true, json!({})).await;
                let bid = w.bid(&w.key_a, &tender, None).await;
                (
                    "mutation($id: ID!) { withdrawBid(id: $id) { id status } }",
                    json!({ "id": bid }),
                )
            }
            CreateAlliance => (
                CREATE_ALLIANCE,
                json!({ "input": {
                    "name": "Gan Software Alliance", "nameZh": "赣软联盟",
                    "members": [ { "companyId": w.a, "share": "60" }, { "companyId": w.b, "share": "40" } ],
                } }),
            ),
            AcceptAllianceInvitation => {
                let alliance = w
                    .ok(
                        CompanyA,
                        CREATE_ALLIANCE,
                        json!({ "input": {
                            "name": "Gan Software Alliance", "nameZh": "赣软联盟",
                            "members": [ { "companyId": w.a, "share": "60" }, { "companyId": w.b, "share": "40" } ],
                        } }),
                    )
                    .await;
                (
                    "mutation($id: ID!) { acceptAllianceInvitation(id: $id) { id members { accepted } } }",
                    json!({ "id": alliance["createAlliance"]["id"] }),
                )
            }
        }
    }
}

pub const CREATE_ALLIANCE: &str = "mutation($input: CreateAllianceInput!) { createAlliance(input: $input) { id members { company { id } share accepted } } }";

fn park_input() -> Value {
    json!({
        "name": "Yichun Service Outsourcing Park",
        "nameZh": "宜春服务外包园",
        "level": "PROVINCIAL_DEMONSTRATION_PARK",
        "district": "YICHUN",
        "description": "A provincial park.",
        "focusIndustries": ["DATA_PROCESSING"],
    })
}

#[tokio::test]
async fn every_mutation_against_every_role() {
    let w = World::new().await;
    let mut failures = Vec::new();
    for case in Case::ALL {
        for who in Who::ALL {
            let (query, variables) = case.prepare(&w).await;
            let before = w.audited().await;
            let (status, body) = w.app.graphql_as(w.key(who), query, variables).await;
            let after = w.audited().await;
            let code = body["errors"][0]["extensions"]["code"].as_str();
            match case.expected(who) {
                None => {
                    if body.get("errors").is_some() || after <= before {
                        failures.push(format!("{case:?} as {who:?}: expected success, got {body}"));
                    }
                }
                Some(expected) => {
                    if code != Some(expected) || status != 200 {
                        failures.push(format!(
                            "{case:?} as {who:?}: expected {expected}, got HTTP {status} {body}"
                        ));
                    }
                    if after != before {
                        failures.push(format!("{case:?} as {who:?}: refused, yet audited"));
                    }
                    if !body["data"].is_null() {
                        failures.push(format!("{case:?} as {who:?}: refused, yet data {body}"));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "on {}:\n{}",
        w.app.store,
        failures.join("\n")
    );
}

#[tokio::test]
async fn a_tenders_bids_are_read_by_its_buyer_its_bidders_and_the_admin_only() {
    let w = World::new().await;
    let tender = w.tender(CounterpartX, true, json!({})).await;
    w.bid(&w.key_a, &tender, None).await;
    // Company B bids too: A must still see only its own bid, and not B's amount.
    w.bid(&w.key_b, &tender, None).await;
    let query = "query($id: ID!) { tender(id: $id) { bids { totalCount nodes { bidder { id } amount { amount } } } } }";
    let vars = json!({ "id": tender });
    for (who, expected) in [
        (Anonymous, Err("FORBIDDEN")),
        (Partner, Err("FORBIDDEN")),
        (CompanyA, Ok(1)),
        (CompanyB, Ok(1)),
        (CounterpartX, Ok(2)),
        (CounterpartY, Err("FORBIDDEN")),
        (Admin, Ok(2)),
    ] {
        let (_, body) = w.app.graphql_as(w.key(who), query, vars.clone()).await;
        match expected {
            Ok(count) => {
                assert!(body.get("errors").is_none(), "{who:?}: {body}");
                assert_eq!(
                    body["data"]["tender"]["bids"]["totalCount"], count,
                    "{who:?}"
                );
                let bidders: Vec<&str> = body["data"]["tender"]["bids"]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n["bidder"]["id"].as_str().unwrap())
                    .collect();
                match who {
                    CompanyA => assert_eq!(bidders, [w.a.as_str()]),
                    CompanyB => assert_eq!(bidders, [w.b.as_str()]),
                    _ => assert_eq!(bidders.len(), 2),
                }
            }
            Err(code) => {
                assert_eq!(
                    body["errors"][0]["extensions"]["code"], code,
                    "{who:?}: {body}"
                );
                assert_eq!(body["errors"][0]["path"], json!(["tender", "bids"]));
                // The rest of the tender still answers.
                assert!(body["data"]["tender"].is_object(), "{who:?}: {body}");
            }
        }
    }
    // Company C has no bid there: it is no bidder.
    let (_, body) = w.app.graphql_as(Some(&w.key_c), query, vars).await;
    assert_eq!(body["errors"][0]["extensions"]["code"], "FORBIDDEN");
}

#[tokio::test]
async fn unverified_certificates_are_seen_by_their_company_and_the_admin_only() {
    let w = World::new().await;
    let submitted = w
        .ok(
            CompanyA,
            SUBMIT_CERTIFICATION,
            json!({ "input": certification_input("PCI_DSS", "A-PCI-1") }),
        )
        .await;
    let cert = submitted["submitCertification"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        submitted["submitCertification"]["verification"]["status"],
        "UNVERIFIED"
    );
    let company = "query($id: ID!) { company(id: $id) { certifications { id } } }";
    let certificate = "query($id: ID!) { certification(id: $id) { id } }";
    for who in Who::ALL {
        let sees_cert = matches!(who, CompanyA | Admin);
        let listed = w.ok(who, company, json!({ "id": w.a })).await["company"]["certifications"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == cert.as_str());
        assert_eq!(listed, sees_cert, "{who:?} listing A's certificates");
        let code = w.code(who, certificate, json!({ "id": cert })).await;
        assert_eq!(
            code.is_none(),
            sees_cert,
            "{who:?} reading the certificate: {code:?}"
        );
        if !sees_cert {
            assert_eq!(code.as_deref(), Some("NOT_FOUND"));
        }
    }
}

#[tokio::test]
async fn keys_and_the_audit_log_are_for_the_admin() {
    let w = World::new().await;
    for query in ["{ apiKeys { totalCount } }", "{ auditLog { totalCount } }"] {
        for who in Who::ALL {
            let code = w.code(who, query, json!({})).await;
            let expected = match who {
                Admin => None,
                Anonymous => Some("UNAUTHENTICATED"),
                _ => Some("FORBIDDEN"),
            };
            assert_eq!(code.as_deref(), expected, "{who:?} on {query}");
        }
    }
    // A key acts for what it is bound to.
    for (who, role, company, counterpart) in [
        (Anonymous, json!(null), json!(null), json!(null)),
        (CompanyA, json!("COMPANY"), json!(w.a), json!(null)),
        (CounterpartX, json!("COUNTERPART"), json!(null), json!(w.x)),
        (CounterpartY, json!("COUNTERPART"), json!(null), json!(w.y)),
    ] {
        let viewer = w
            .ok(
                who,
                "{ viewer { role companyId counterpartId } }",
                json!({}),
            )
            .await;
        assert_eq!(
            viewer["viewer"],
            json!({ "role": role, "companyId": company, "counterpartId": counterpart })
        );
    }
    // The audit log says who did what to which objects.
    let log = w
        .ok(
            Admin,
            "query($id: ID!) { auditLog(first: 10, filter: { objectId: $id }) { nodes { action role keyId objectIds } } }",
            json!({ "id": w.a }),
        )
        .await;
    let actions: Vec<&str> = log["auditLog"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    // Newest first: two verifications, two submissions, the registration.
    assert_eq!(
        actions,
        [
            "verifyCertification",
            "submitCertification",
            "verifyCertification",
            "submitCertification",
            "createCompany"
        ]
    );
    let submission = &log["auditLog"]["nodes"][1];
    assert_eq!(submission["role"], "COMPANY");
    assert!(submission["keyId"].is_string());
}

#[tokio::test]
async fn unknown_and_revoked_keys_are_refused_alike() {
    let w = World::new().await;
    let created = w
        .ok(
            Admin,
            "mutation { createApiKey(input: { name: \"Jiujiang city portal\", role: PARTNER }) { secret apiKey { id prefix } } }",
            json!({}),
        )
        .await;
    let secret = created["createApiKey"]["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        secret.starts_with("gbk_") && secret.len() >= 4 + 32,
        "{secret}"
    );
    let (status, body) = w
        .app
        .graphql_as(Some(&secret), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(
        (status, &body["data"]["viewer"]["role"]),
        (200, &json!("PARTNER"))
    );
    w.ok(
        Admin,
        "mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }",
        json!({ "id": created["createApiKey"]["apiKey"]["id"] }),
    )
    .await;
    let (revoked_status, revoked) = w
        .app
        .graphql_as(Some(&secret), "{ viewer { role } }", json!({}))
        .await;
    let unknown_key = format!("gbk_{}", "0".repeat(40));
    let (unknown_status, unknown) = w
        .app
        .graphql_as(Some(&unknown_key), "{ viewer { role } }", json!({}))
        .await;
    assert_eq!(revoked_status, 401);
    assert_eq!(unknown_status, 401);
    assert_eq!(
        revoked["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );
    assert_eq!(revoked, unknown, "revoked and unknown keys must look alike");
}
