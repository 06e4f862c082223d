//! The statistics rollups stay equal to the records: random sequences of every write that
//! changes them, through the API, compared after each sequence with a recomputation written
//! here from the records themselves (and with the server's own `verify`); concurrent writers
//! that never lose an increment; and a database from before the rollups, built at start.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, FixedOffset};
use ganbridge::domain::{BidStatus, ServiceLine, TenderStatus, VerificationStatus, global_id};
use ganbridge::entities::{
    bid, certification, company, company_figures, company_service_line, district, tender,
};
use ganbridge::services::rollup;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde_json::{Value, json};

use crate::world::{CREATE_COMPANY, SUBMIT_CERTIFICATION, VERIFY, Who, World, company_input};

/// Every figure of one year in one scope, as the API answers it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Row {
    companies: i64,
    employees: i64,
    contract_cents: i64,
    contract_offshore_cents: i64,
    executed_cents: i64,
    executed_offshore_cents: i64,
    new_certificates: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Tenders {
    published: i64,
    awarded: i64,
    bids: i64,
}

/// (year, scope) -> figures, scope being "province", "district:CODE", "park:ID" or
/// "family:ITO"; zero rows left out.
type Expected = BTreeMap<(i32, String), Row>;

const FROM: i32 = 2019;
const TO: i32 = 2026;

const SERIES: &str = "query($from: Int!, $to: Int!) { statisticsSeries(from: $from, to: $to) {
    year ...F tenders { published awarded bids }
    districts { district { code } ...F }
    parks { park { id } ...F }
    serviceLineFamilies { family ...F }
} }
fragment F on Statistics { companies }";

/// The same fields on every scope's type (the fragment above cannot span the types).
fn series_query() -> String {
    let fields = "companies employees contractAmountUsd contractOffshoreUsd executedAmountUsd \
                  executedOffshoreUsd newCertificates";
    SERIES
        .replace("fragment F on Statistics { companies }", "")
        .replace("...F", fields)
}

fn cents(v: &Value) -> i64 {
    let s = v.as_str().expect("a decimal string");
    let d: rust_decimal::Decimal = s.parse().expect("a decimal");
    (d * rust_decimal::Decimal::ONE_HUNDRED)
        .trunc()
        .try_into()
        .expect("cents")
}

fn row_of(v: &Value) -> Row {
    Row {
        companies: v["companies"].as_i64().unwrap(),
        employees: v["employees"].as_i64().unwrap(),
        contract_cents: cents(&v["contractAmountUsd"]),
        contract_offshore_cents: cents(&v["contractOffshoreUsd"]),
        executed_cents: cents(&v["executedAmountUsd"]),
        executed_offshore_cents: cents(&v["executedOffshoreUsd"]),
        new_certificates: v["newCertificates"].as_i64().unwrap(),
    }
}

/// What the API says, as (scope figures, tender figures per year).
async fn answered(world: &World) -> (Expected, BTreeMap<i32, Tenders>) {
    let data = world
        .ok(
            Who::Anonymous,
            &series_query(),
            json!({ "from": FROM, "to": TO }),
        )
        .await;
    let mut figures = Expected::new();
    let mut tenders = BTreeMap::new();
    let mut put = |year: i32, scope: String, row: Row| {
        if row != Row::default() {
            figures.insert((year, scope), row);
        }
    };
    for y in data["statisticsSeries"].as_array().unwrap() {
        let year = y["year"].as_i64().unwrap() as i32;
        put(year, "province".into(), row_of(y));
        for d in y["districts"].as_array().unwrap() {
            let code = d["district"]["code"].as_str().unwrap();
            put(year, format!("district:{code}"), row_of(d));
        }
        for p in y["parks"].as_array().unwrap() {
            let id = global_id::decode(p["park"]["id"].as_str().unwrap())
                .unwrap()
                .1;
            put(year, format!("park:{id}"), row_of(p));
        }
        for f in y["serviceLineFamilies"].as_array().unwrap() {
            let family = f["family"].as_str().unwrap();
            put(year, format!("family:{family}"), row_of(f));
        }
        let t = &y["tenders"];
        let t = Tenders {
            published: t["published"].as_i64().unwrap(),
            awarded: t["awarded"].as_i64().unwrap(),
            bids: t["bids"].as_i64().unwrap(),
        };
        if t != Tenders::default() {
            tenders.insert(year, t);
        }
    }
    (figures, tenders)
}

fn family_name(line: ServiceLine) -> &'static str {
    match line.family() {
        ganbridge::domain::ServiceLineFamily::Ito => "ITO",
        ganbridge::domain::ServiceLineFamily::Bpo => "BPO",
        ganbridge::domain::ServiceLineFamily::Kpo => "KPO",
    }
}

/// The figures recomputed here from every record, by the definitions of the SDL: a company
/// counts where it is (district, park, the families of its lines as listed, not its mask);
/// verified certificates by year of issue; tenders and bids by Jiangxi dates.
async fn recomputed<C: ConnectionTrait>(db: &C) -> (Expected, BTreeMap<i32, Tenders>) {
    let districts: HashMap<i64, String> = district::Entity::find()
        .all(db)
        .await
        .unwrap()
        .into_iter()
        .map(|d| (d.id, format!("{:?}", d.code).to_uppercase()))
        .collect();
    let mut lines: HashMap<i64, Vec<ServiceLine>> = HashMap::new();
    for l in company_service_line::Entity::find().all(db).await.unwrap() {
        lines.entry(l.company_id).or_default().push(l.service_line);
    }
    let mut scopes: HashMap<i64, Vec<String>> = HashMap::new();
    for c in company::Entity::find().all(db).await.unwrap() {
        let mut s = vec![
            "province".to_owned(),
            format!("district:{}", districts[&c.district_id]),
        ];
        if let Some(p) = c.park_id {
            s.push(format!("park:{p}"));
        }
        let mut families: Vec<&str> = lines
            .get(&c.id)
            .into_iter()
            .flatten()
            .map(|&l| family_name(l))
            .collect();
        families.sort();
        families.dedup();
        s.extend(families.into_iter().map(|f| format!("family:{f}")));
        scopes.insert(c.id, s);
    }
    let mut figures = Expected::new();
    for f in company_figures::Entity::find().all(db).await.unwrap() {
        for scope in &scopes[&f.company_id] {
            let row = figures.entry((f.year, scope.clone())).or_default();
            row.companies += 1;
            row.employees += i64::from(f.employees);
            row.contract_cents += f.contract_amount_usd_cents;
            row.contract_offshore_cents += f.contract_offshore_usd_cents;
            row.executed_cents += f.executed_amount_usd_cents;
            row.executed_offshore_cents += f.executed_offshore_usd_cents;
        }
    }
    for c in certification::Entity::find().all(db).await.unwrap() {
        if c.verification != VerificationStatus::Verified {
            continue;
        }
        for scope in &scopes[&c.company_id] {
            figures
                .entry((c.issue_date.year(), scope.clone()))
                .or_default()
                .new_certificates += 1;
        }
    }
    figures.retain(|(y, _), r| (FROM..=TO).contains(y) && *r != Row::default());
    let jiangxi = FixedOffset::east_opt(8 * 3600).unwrap();
    let year = |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&jiangxi).year();
    let mut tenders: BTreeMap<i32, Tenders> = BTreeMap::new();
    for t in tender::Entity::find().all(db).await.unwrap() {
        if let Some(p) = t.published_at {
            tenders.entry(year(p)).or_default().published += 1;
        }
        if t.status == TenderStatus::Complete {
            tenders.entry(year(t.updated_at)).or_default().awarded += 1;
        }
    }
    for b in bid::Entity::find().all(db).await.unwrap() {
        if b.status != BidStatus::Withdrawn {
            tenders.entry(year(b.submitted_at)).or_default().bids += 1;
        }
    }
    tenders.retain(|y, _| (FROM..=TO).contains(y));
    (figures, tenders)
}

/// One write of those the statistics follow.
#[derive(Debug, Clone)]
enum Op {
    RecordFigures {
        company: usize,
        year: i32,
        employees: i32,
        contract: i64,
        offshore_percent: i64,
    },
    Move {
        company: usize,
        district: usize,
        park: bool,
    },
    Lines {
        company: usize,
        lines: usize,
    },
    Certificate {
        company: usize,
        year: i32,
        decision: usize,
    },
    Suspend {
        certificate: usize,
    },
    Tender {
        buyer: bool,
    },
    Bid {
        company: usize,
        tender: usize,
    },
    Withdraw {
        bid: usize,
    },
    Close {
        tender: usize,
        award: bool,
    },
    Cancel {
        tender: usize,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0..3usize, 2019..=2025i32, 0..400i32, 0..5_000_000i64, 0..=100i64).prop_map(
            |(company, year, employees, contract, offshore_percent)| Op::RecordFigures {
                company, year, employees, contract, offshore_percent
            }
        ),
        1 => (0..3usize, 0..3usize, any::<bool>())
            .prop_map(|(company, district, park)| Op::Move { company, district, park }),
        1 => (0..3usize, 0..4usize).prop_map(|(company, lines)| Op::Lines { company, lines }),
        1 => (0..3usize, 2019..=2025i32, 0..3usize)
            .prop_map(|(company, year, decision)| Op::Certificate { company, year, decision }),
        1 => (0..8usize).prop_map(|certificate| Op::Suspend { certificate }),
        1 => any::<bool>().prop_map(|buyer| Op::Tender { buyer }),
        2 => (0..3usize, 0..8usize).prop_map(|(company, tender)| Op::Bid { company, tender }),
        1 => (0..8usize).prop_map(|bid| Op::Withdraw { bid }),
        1 => (0..8usize, any::<bool>()).prop_map(|(tender, award)| Op::Close { tender, award }),
        1 => (0..8usize).prop_map(|tender| Op::Cancel { tender }),
    ]
}

const DISTRICTS: [&str; 3] = ["NANCHANG", "GANZHOU", "JIUJIANG"];
const LINE_SETS: [&[&str]; 4] = [
    &["SOFTWARE_DEVELOPMENT"],
    &["SOFTWARE_DEVELOPMENT", "DATA_PROCESSING"],
    &["SOFTWARE_DEVELOPMENT", "CALL_CENTRE", "DATA_ANALYTICS"],
    &["SOFTWARE_DEVELOPMENT", "SOFTWARE_TESTING"],
];

/// The world, its parks (one per district above) and what the sequence made so far.
struct Run {
    world: World,
    parks: Vec<String>,
    certificates: Vec<String>,
    tenders: Vec<(Who, String)>,
    bids: Vec<(String, String)>,
}

impl Run {
    async fn new() -> Run {
        let world = World::new().await;
        let mut parks = Vec::new();
        for (n, district) in DISTRICTS.iter().enumerate() {
            let data = world
                .ok(
                    Who::Admin,
                    "mutation($input: ParkInput!) { createPark(input: $input) { id } }",
                    json!({ "input": {
                        "name": format!("Park {n}"), "nameZh": format!("园区{n}"),
                        "level": "PROVINCIAL_DEMONSTRATION_PARK", "district": district,
                        "description": "A park." } }),
                )
                .await;
            parks.push(data["createPark"]["id"].as_str().unwrap().to_owned());
        }
        Run {
            world,
            parks,
            certificates: Vec::new(),
            tenders: Vec::new(),
            bids: Vec::new(),
        }
    }

    fn company(&self, n: usize) -> (&str, &str) {
        let w = &self.world;
        [(&w.a, &w.key_a), (&w.b, &w.key_b), (&w.c, &w.key_c)]
            .map(|(id, key)| (id.as_str(), key.as_str()))[n]
    }

    /// Runs the write; a refusal (a closed tender, an ineligible bidder) is part of the game.
    async fn apply(&mut self, op: &Op) {
        let app = &self.world.app;
        let admin = Some(self.world.admin.as_str());
        match *op {
            Op::RecordFigures {
                company,
                year,
                employees,
                contract,
                offshore_percent,
            } => {
                let usd = |c: i64| json!({ "amount": format!("{}.{:02}", c / 100, c % 100), "currency": "USD" });
                let offshore = contract * offshore_percent / 100;
                let executed = contract * 9 / 10;
                app.graphql_as(
                    admin,
                    "mutation($input: RecordCompanyFiguresInput!) { recordCompanyFigures(input: $input) { id } }",
                    json!({ "input": {
                        "companyId": self.company(company).0, "year": year,
                        "contractAmount": usd(contract), "contractOffshore": usd(offshore),
                        "executedAmount": usd(executed), "executedOffshore": usd(executed * offshore_percent / 100),
                        "employees": employees } }),
                )
                .await;
            }
            Op::Move {
                company,
                district,
                park,
            } => {
                app.graphql_as(
                    admin,
                    "mutation($id: ID!, $d: DistrictCode!, $p: ID) { moveCompany(id: $id, district: $d, parkId: $p) { id } }",
                    json!({ "id": self.company(company).0, "d": DISTRICTS[district],
                            "p": park.then(|| self.parks[district].clone()) }),
                )
                .await;
            }
            Op::Lines { company, lines } => {
                let (id, key) = self.company(company);
                app.graphql_as(
                    Some(key),
                    "mutation($input: UpdateCompanyProfileInput!) { updateCompanyProfile(input: $input) { id } }",
                    json!({ "input": { "id": id, "serviceLines": LINE_SETS[lines] } }),
                )
                .await;
            }
            Op::Certificate {
                company,
                year,
                decision,
            } => {
                let key = self.company(company).1.to_owned();
                let number = format!("R-{}", self.certificates.len() + 100);
                let mut input = crate::world::certification_input("ISO_9001", &number);
                input["issueDate"] = json!(format!("{year}-03-01"));
                input["expiryDate"] = json!(format!("{}-03-01", year + 3));
                let (_, body) = app
                    .graphql_as(Some(&key), SUBMIT_CERTIFICATION, json!({ "input": input }))
                    .await;
                let Some(id) = body["data"]["submitCertification"]["id"].as_str() else {
                    return;
                };
                let id = id.to_owned();
                match decision {
                    0 => {
                        app.graphql_as(admin, VERIFY, json!({ "id": id })).await;
                    }
                    1 => {
                        app.graphql_as(
                            admin,
                            "mutation($id: ID!) { rejectCertification(id: $id, reason: \"No match\") { id } }",
                            json!({ "id": id }),
                        )
                        .await;
                    }
                    _ => {}
                }
                self.certificates.push(id);
            }
            Op::Suspend { certificate } => {
                if let Some(id) = self.certificates.get(certificate) {
                    app.graphql_as(
                        admin,
                        "mutation($id: ID!) { suspendCertification(id: $id) { id } }",
                        json!({ "id": id }),
                    )
                    .await;
                }
            }
            Op::Tender { buyer } => {
                let who = if buyer {
                    Who::CounterpartX
                } else {
                    Who::CounterpartY
                };
                let id = self.world.tender(who, true, json!({})).await;
                self.tenders.push((who, id));
            }
            Op::Bid { company, tender } => {
                if let Some((_, t)) = self.tenders.get(tender) {
                    let key = self.company(company).1;
                    let (_, body) = app
                        .graphql_as(
                            Some(key),
                            crate::world::SUBMIT_BID,
                            json!({ "input": {
                                "tenderId": t,
                                "amount": { "amount": "1000.00", "currency": "CNY" },
                                "proposal": "A proposal." } }),
                        )
                        .await;
                    if let Some(id) = body["data"]["submitBid"]["id"].as_str() {
                        self.bids.push((key.to_owned(), id.to_owned()));
                    }
                }
            }
            Op::Withdraw { bid } => {
                if let Some((key, id)) = self.bids.get(bid) {
                    app.graphql_as(
                        Some(key),
                        "mutation($id: ID!) { withdrawBid(id: $id) { id } }",
                        json!({ "id": id }),
                    )
                    .await;
                }
            }
            Op::Close { tender, award } => {
                if let Some((who, t)) = self.tenders.get(tender) {
                    let bid = if award {
                        let (_, body) = app
                            .graphql_as(
                                self.world.key(*who),
                                "query($id: ID!) { node(id: $id) { ... on Tender { bids(first: 5) { nodes { id status } } } } }",
                                json!({ "id": t }),
                            )
                            .await;
                        body["data"]["node"]["bids"]["nodes"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .find(|b| b["status"] == "SUBMITTED")
                            .map(|b| b["id"].clone())
                    } else {
                        None
                    };
                    app.graphql_as(
                        self.world.key(*who),
                        "mutation($input: CloseTenderInput!) { closeTender(input: $input) { id } }",
                        json!({ "input": { "tenderId": t, "awardedBidId": bid } }),
                    )
                    .await;
                }
            }
            Op::Cancel { tender } => {
                if let Some((who, t)) = self.tenders.get(tender) {
                    app.graphql_as(
                        self.world.key(*who),
                        "mutation($id: ID!) { cancelTender(id: $id) { id } }",
                        json!({ "id": t }),
                    )
                    .await;
                }
            }
        }
    }

    /// The API's figures equal the recomputation, and the server's own check finds nothing.
    async fn check(&self) -> Result<(), String> {
        let app = &self.world.app;
        let (got, got_tenders) = answered(&self.world).await;
        let (want, want_tenders) = recomputed(&app.db).await;
        if got != want {
            let diff: Vec<String> = want
                .keys()
                .chain(got.keys())
                .filter(|k| got.get(*k) != want.get(*k))
                .map(|k| format!("{k:?}: API {:?}, records {:?}", got.get(k), want.get(k)))
                .collect();
            return Err(format!("figures differ on {}: {diff:#?}", app.store));
        }
        if got_tenders != want_tenders {
            return Err(format!(
                "tenders differ on {}: API {got_tenders:?}, records {want_tenders:?}",
                app.store
            ));
        }
        let differences = rollup::verify(&app.db)
            .await
            .map_err(|e| format!("{e:?}"))?;
        if !differences.is_empty() {
            return Err(format!("verify found {differences:?}"));
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rollups_equal_the_records_after_any_sequence_of_writes() {
    let mut run = Run::new().await;
    // First one of each write, in an order that reaches every kind of figure: a company in a
    // park with figures and a verified certificate, a tender published, bid on twice, one bid
    // withdrawn and the other awarded, and a second tender cancelled.
    let figures = Op::RecordFigures {
        company: 0,
        year: 2024,
        employees: 120,
        contract: 250_000,
        offshore_percent: 40,
    };
    for op in [
        figures,
        Op::Move {
            company: 0,
            district: 0,
            park: true,
        },
        Op::Certificate {
            company: 0,
            year: 2024,
            decision: 0,
        },
        Op::Lines {
            company: 0,
            lines: 2,
        },
        Op::Tender { buyer: true },
        Op::Bid {
            company: 0,
            tender: 0,
        },
        Op::Bid {
            company: 2,
            tender: 0,
        },
        Op::Withdraw { bid: 1 },
        Op::Close {
            tender: 0,
            award: true,
        },
        Op::Tender { buyer: false },
        Op::Cancel { tender: 1 },
    ] {
        run.apply(&op).await;
        if let Err(e) = run.check().await {
            panic!("after {op:?}: {e}");
        }
    }
    let (figures, tenders) = answered(&run.world).await;
    assert!(
        figures.contains_key(&(
            2024,
            format!("park:{}", global_id::decode(&run.parks[0]).unwrap().1)
        )),
        "{figures:?}"
    );
    assert!(
        figures.contains_key(&(2024, "family:KPO".to_owned())),
        "{figures:?}"
    );
    assert!(
        figures[&(2024, "province".to_owned())].new_certificates > 0,
        "{figures:?}"
    );
    let now = tenders.values().next().cloned().unwrap_or_default();
    assert_eq!(
        now,
        Tenders {
            published: 2,
            awarded: 1,
            bids: 1
        },
        "{tenders:?}"
    );

    // Then random sequences of them, on top.
    let run = std::sync::Arc::new(tokio::sync::Mutex::new(run));
    let mut runner = TestRunner::new(Config {
        cases: 8,
        max_shrink_iters: 16,
        ..Config::default()
    });
    let handle = tokio::runtime::Handle::current();
    let result = runner.run(&prop::collection::vec(op(), 1..24), |ops| {
        let run = run.clone();
        tokio::task::block_in_place(|| {
            handle.block_on(async move {
                let mut run = run.lock().await;
                for op in &ops {
                    run.apply(op).await;
                }
                run.check().await.map_err(TestCaseError::fail)
            })
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[tokio::test]
async fn concurrent_writers_never_lose_an_increment() {
    let world = World::new().await;
    let app = &world.app;
    let admin = world.admin.as_str();
    // Twelve more companies, all in Nanchang: every write below meets on the same rows.
    let mut ids = Vec::new();
    for n in 0..12 {
        let data = app
            .data_as(
                admin,
                CREATE_COMPANY,
                json!({ "input": company_input(40 + n, &format!("Parallel {n}"), "NANCHANG", &["SOFTWARE_DEVELOPMENT"], 10) }),
            )
            .await;
        ids.push(data["createCompany"]["id"].as_str().unwrap().to_owned());
    }
    let record = "mutation($input: RecordCompanyFiguresInput!) { recordCompanyFigures(input: $input) { id } }";
    let usd = |dollars: i64| json!({ "amount": format!("{dollars}.00"), "currency": "USD" });
    // Each company's figures written three times at once (the last write of each wins), and
    // every company at once with the others.
    let mut writes = Vec::new();
    for (n, id) in ids.iter().enumerate() {
        for round in 0..3i64 {
            let employees = 100 + n as i64;
            let input = json!({ "input": {
                "companyId": id, "year": 2024,
                "contractAmount": usd(1_000 * (n as i64 + 1)), "contractOffshore": usd(0),
                "executedAmount": usd(round), "executedOffshore": usd(0),
                "employees": employees } });
            writes.push(async move {
                let (_, body) = app.graphql_as(Some(admin), record, input).await;
                assert!(body.get("errors").is_none(), "{body:#}");
            });
        }
    }
    futures_util::future::join_all(writes).await;
    let data = app
        .data(
            "{ statistics(year: 2024) { companies employees contractAmountUsd districts { district { code } companies } } }",
            json!({}),
        )
        .await;
    let s = &data["statistics"];
    assert_eq!(s["companies"], 12, "{s}");
    assert_eq!(s["employees"], (0..12).map(|n| 100 + n).sum::<i64>());
    assert_eq!(
        s["contractAmountUsd"],
        format!("{}.00", (1..=12).map(|n| 1_000 * n).sum::<i64>())
    );
    let nanchang = s["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["district"]["code"] == "NANCHANG")
        .unwrap();
    assert_eq!(nanchang["companies"], 12);
    // Moving them all at once to Ganzhou, while their figures are corrected.
    let (mut moves, mut corrections) = (Vec::new(), Vec::new());
    for id in &ids {
        moves.push(async move {
            let (_, body) = app
                .graphql_as(
                    Some(admin),
                    "mutation($id: ID!) { moveCompany(id: $id, district: GANZHOU) { id } }",
                    json!({ "id": id }),
                )
                .await;
            assert!(body.get("errors").is_none(), "{body:#}");
        });
        corrections.push(async move {
            let (_, body) = app
                .graphql_as(
                    Some(admin),
                    record,
                    json!({ "input": {
                        "companyId": id, "year": 2023,
                        "contractAmount": usd(5), "contractOffshore": usd(1),
                        "executedAmount": usd(5), "executedOffshore": usd(1),
                        "employees": 7 } }),
                )
                .await;
            assert!(body.get("errors").is_none(), "{body:#}");
        });
    }
    futures_util::future::join(
        futures_util::future::join_all(moves),
        futures_util::future::join_all(corrections),
    )
    .await;
    let differences = rollup::verify(&app.db).await.expect("verify");
    assert!(
        differences.is_empty(),
        "{} lost increments: {differences:#?}",
        app.store
    );
    let data = app
        .data(
            "{ statistics(year: 2023) { companies districts { district { code } companies } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["statistics"]["companies"], 12);
    let ganzhou = data["statistics"]["districts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["district"]["code"] == "GANZHOU")
        .unwrap()
        .clone();
    assert_eq!(ganzhou["companies"], 12, "{ganzhou}");
}

#[tokio::test]
async fn a_database_from_before_the_rollups_gets_them_at_start() {
    let app = crate::helpers::spawn_app(true).await;
    // As the migration leaves a database that already held records: no rollups, never built.
    let backend = app.db.get_database_backend();
    app.db
        .execute_unprepared("DELETE FROM statistics_rollup")
        .await
        .unwrap();
    app.db
        .execute_unprepared("UPDATE statistics_rollup_state SET rebuilt_at = NULL")
        .await
        .unwrap();
    assert!(
        !rollup::verify(&app.db).await.unwrap().is_empty(),
        "emptied rollups differ from the records on {backend:?}"
    );
    let app = app.restart_with(|_| {}).await;
    let data = app
        .data(
            "{ statistics(year: 2014) { companies newCertificates } }",
            json!({}),
        )
        .await;
    assert_eq!(data["statistics"]["companies"], 1056);
    assert_eq!(data["statistics"]["newCertificates"], 179);
    assert!(rollup::rebuilt_at(&app.db).await.unwrap().is_some());
    assert!(rollup::verify(&app.db).await.unwrap().is_empty());
}
