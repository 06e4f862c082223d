//! A small world for the write side: three companies, two counterparts, and a key for every
//! role, all made through the API itself.
//!
//! - company A (Nanchang): software development and testing, 300 employees, CMMI-DEV level 3
//!   and ISO/IEC 27001 verified;
//! - company B (Ganzhou): software development and data processing, 120 employees, no
//!   certificate;
//! - company C (Jiujiang): software development and call centre, 100 employees, CMMI-DEV
//!   level 3 verified;
//! - counterpart X, an FTZ enterprise, and counterpart Y, a foreign enterprise.

use ganbridge::domain::global_id;
use ganbridge::domain::{Role, Uscc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

pub struct World {
    pub app: TestApp,
    pub admin: String,
    pub partner: String,
    /// Keys of companies A, B and C.
    pub key_a: String,
    pub key_b: String,
    pub key_c: String,
    /// Keys of counterparts X and Y.
    pub key_x: String,
    pub key_y: String,
    /// Global IDs.
    pub a: String,
    pub b: String,
    pub c: String,
    pub x: String,
    pub y: String,
}

/// The roles of the authorization matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Anonymous,
    Partner,
    CompanyA,
    CompanyB,
    CounterpartX,
    CounterpartY,
    Admin,
}

impl Who {
    pub const ALL: [Who; 7] = [
        Who::Anonymous,
        Who::Partner,
        Who::CompanyA,
        Who::CompanyB,
        Who::CounterpartX,
        Who::CounterpartY,
        Who::Admin,
    ];
}

fn number(id: &str) -> i64 {
    global_id::decode(id).expect("a global ID").1
}

/// A valid unified social credit code, different for each `n`.
pub fn uscc(n: u32) -> String {
    (0..)
        .find_map(|k| Uscc::assemble("91", "360100", &format!("MA{:06}", n * 97 + k)).ok())
        .expect("a valid code")
        .as_str()
        .to_owned()
}

pub const CREATE_COMPANY: &str =
    "mutation($input: CreateCompanyInput!) { createCompany(input: $input) { id name } }";

pub fn company_input(n: u32, name: &str, district: &str, lines: &[&str], headcount: i32) -> Value {
    json!({
        "uscc": uscc(n),
        "name": name,
        "nameZh": format!("{name}有限公司"),
        "district": district,
        "headcount": headcount,
        "foundedYear": 2010,
        "description": format!("{name}, a test company."),
        "descriptionZh": "测试企业",
        "serviceLines": lines,
    })
}

pub const SUBMIT_CERTIFICATION: &str = "mutation($input: SubmitCertificationInput!) { submitCertification(input: $input) { id verification { status } } }";

pub fn certification_input(standard: &str, number: &str) -> Value {
    let level = if standard.starts_with("CMMI") {
        json!(3)
    } else {
        Value::Null
    };
    json!({
        "standard": standard,
        "maturityLevel": level,
        "certificateNumber": number,
        "certificationBody": "Test Certification Body",
        "scope": "Software development services",
        "issueDate": "2025-01-15",
        "expiryDate": "2028-01-14",
    })
}

pub const VERIFY: &str = "mutation($id: ID!) { verifyCertification(id: $id, source: \"IAF CertSearch\") { id verification { status } } }";

impl World {
    pub async fn new() -> World {
        World::with(|_| {}).await
    }

    /// The world on a server with settings of its own.
    pub async fn with(configure: impl FnOnce(&mut ganbridge::config::Settings)) -> World {
        let app = spawn_app_with(false, configure).await;
        let admin = app.key(Role::Admin, None, None).await;
        let partner = app.key(Role::Partner, None, None).await;
        let mut companies = Vec::new();
        for (n, name, district, lines, headcount) in [
            (
                1,
                "Company A",
                "NANCHANG",
                vec!["SOFTWARE_DEVELOPMENT", "SOFTWARE_TESTING"],
                300,
            ),
            (
                2,
                "Company B",
                "GANZHOU",
                vec!["SOFTWARE_DEVELOPMENT", "DATA_PROCESSING"],
                120,
            ),
            (
                3,
                "Company C",
                "JIUJIANG",
                vec!["SOFTWARE_DEVELOPMENT", "CALL_CENTRE"],
                100,
            ),
        ] {
            let data = app
                .data_as(
                    &admin,
                    CREATE_COMPANY,
                    json!({ "input": company_input(n, name, district, &lines, headcount) }),
                )
                .await;
            companies.push(data["createCompany"]["id"].as_str().unwrap().to_owned());
        }
        let areas = app
            .data_as(&admin, "{ freeTradeZoneAreas { id } }", json!({}))
            .await;
        let area = areas["freeTradeZoneAreas"][0]["id"].clone();
        let mut counterparts = Vec::new();
        for input in [
            json!({ "name": "Counterpart X", "nameZh": "甲方X", "kind": "FTZ_ENTERPRISE",
                    "freeTradeZoneAreaId": area, "city": "Shanghai" }),
            json!({ "name": "Counterpart Y", "nameZh": "甲方Y", "kind": "FOREIGN_ENTERPRISE",
                    "city": "Singapore" }),
        ] {
            let data = app
                .data_as(
                    &admin,
                    "mutation($input: CounterpartInput!) { createCounterpart(input: $input) { id } }",
                    json!({ "input": input }),
                )
                .await;
            counterparts.push(data["createCounterpart"]["id"].as_str().unwrap().to_owned());
        }
        let [a, b, c] = [0, 1, 2].map(|i| companies[i].clone());
        let [x, y] = [0, 1].map(|i| counterparts[i].clone());
        let key_a = app.key(Role::Company, Some(number(&a)), None).await;
        let key_b = app.key(Role::Company, Some(number(&b)), None).await;
        let key_c = app.key(Role::Company, Some(number(&c)), None).await;
        let key_x = app.key(Role::Counterpart, None, Some(number(&x))).await;
        let key_y = app.key(Role::Counterpart, None, Some(number(&y))).await;
        let world = World {
            app,
            admin,
            partner,
            key_a,
            key_b,
            key_c,
            key_x,
            key_y,
            a,
            b,
            c,
            x,
            y,
        };
        for (key, standard, number) in [
            (&world.key_a, "CMMI_DEV", "A-CMMI-1"),
            (&world.key_a, "ISO_IEC_27001", "A-ISMS-1"),
            (&world.key_c, "CMMI_DEV", "C-CMMI-1"),
        ] {
            let id = world
                .app
                .data_as(
                    key,
                    SUBMIT_CERTIFICATION,
                    json!({ "input": certification_input(standard, number) }),
                )
                .await["submitCertification"]["id"]
                .clone();
            world
                .app
                .data_as(&world.admin, VERIFY, json!({ "id": id }))
                .await;
        }
        world
    }

    pub fn key(&self, who: Who) -> Option<&str> {
        match who {
            Who::Anonymous => None,
            Who::Partner => Some(&self.partner),
            Who::CompanyA => Some(&self.key_a),
            Who::CompanyB => Some(&self.key_b),
            Who::CounterpartX => Some(&self.key_x),
            Who::CounterpartY => Some(&self.key_y),
            Who::Admin => Some(&self.admin),
        }
    }

    /// Runs an operation as `who`; must succeed.
    pub async fn ok(&self, who: Who, query: &str, variables: Value) -> Value {
        let (_, body) = self.app.graphql_as(self.key(who), query, variables).await;
        assert!(
            body.get("errors").is_none(),
            "{who:?} expected success on {}: {body:#}",
            self.app.store
        );
        body["data"].clone()
    }

    /// Runs an operation as `who`; answers the first error's code, if any.
    pub async fn code(&self, who: Who, query: &str, variables: Value) -> Option<String> {
        let (_, body) = self.app.graphql_as(self.key(who), query, variables).await;
        body["errors"][0]["extensions"]["code"]
            .as_str()
            .map(str::to_owned)
    }

    /// A tender of counterpart X (or Y), asking for software development, posted and, with
    /// `publish`, opened for bids. Answers its ID.
    pub async fn tender(&self, buyer: Who, publish: bool, eligibility: Value) -> String {
        let closes = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
        let data = self
            .ok(
                buyer,
                CREATE_TENDER,
                json!({ "input": {
                    "title": "Mobile banking app development",
                    "titleZh": "手机银行应用开发",
                    "description": "Build and test a mobile banking app.",
                    "serviceLines": ["SOFTWARE_DEVELOPMENT"],
                    "value": { "amount": "1250000.00", "currency": "CNY" },
                    "closesAt": closes,
                    "eligibility": eligibility,
                } }),
            )
            .await;
        let id = data["createTender"]["id"].as_str().unwrap().to_owned();
        if publish {
            self.ok(buyer, PUBLISH_TENDER, json!({ "id": id })).await;
        }
        id
    }

    /// A bid by company A (or another company) on a tender; answers its ID.
    pub async fn bid(&self, bidder: &str, tender: &str, alliance: Option<&str>) -> String {
        let (_, body) = self
            .app
            .graphql_as(
                Some(bidder),
                SUBMIT_BID,
                json!({ "input": {
                    "tenderId": tender,
                    "amount": { "amount": "1100000.00", "currency": "CNY" },
                    "proposal": "We will build it in six months.",
                    "allianceId": alliance,
                } }),
            )
            .await;
        assert!(body.get("errors").is_none(), "bid refused: {body:#}");
        body["data"]["submitBid"]["id"].as_str().unwrap().to_owned()
    }

    /// How many changes the audit log holds.
    pub async fn audited(&self) -> i64 {
        self.ok(
            Who::Admin,
            "{ auditLog(first: 0) { totalCount } }",
            json!({}),
        )
        .await["auditLog"]["totalCount"]
            .as_i64()
            .unwrap()
    }
}

pub const CREATE_TENDER: &str =
    "mutation($input: CreateTenderInput!) { createTender(input: $input) { id status } }";
pub const PUBLISH_TENDER: &str = "mutation($id: ID!) { publishTender(id: $id) { id status } }";
pub const SUBMIT_BID: &str =
    "mutation($input: SubmitBidInput!) { submitBid(input: $input) { id status } }";
