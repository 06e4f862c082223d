//! The production shape under test: three `ganbridge serve` behind HAProxy with
//! `deploy/haproxy.cfg` (the compose file's own), over a PostgreSQL cluster and a Meilisearch
//! of their own, all started by `deploy/local/topology.sh` on 127.0.0.1. Through the balancer:
//! the write side end to end, subscriptions across servers, quotas across servers; then under
//! load: a rolling restart, a server killed, PostgreSQL restarted and Meilisearch stopped.
//!
//! It runs in the PostgreSQL pass (`DATABASE_URL=postgres://…`, the production store) and needs
//! Meilisearch (`MEILI_BIN`, on `PATH`, or `../shared/bin/meilisearch`) and HAProxy (installed
//! by the script when missing and run as root); without them it says SKIPPED.

mod cluster;
mod load;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use cluster::Cluster;
use load::{CREATE_TENDER, Load, Outcome, Plan, send, tally, tender_input};

fn on_postgres() -> bool {
    std::env::var("DATABASE_URL").is_ok_and(|u| u.starts_with("postgres"))
}

/// Budget of the partner key in the quota scenario.
const PARTNER_BUDGET: i64 = 3_000;

struct World {
    cluster: Cluster,
    client: reqwest::Client,
    db: DatabaseConnection,
    admin: String,
    partner: String,
    counterpart: String,
    companies: Vec<(String, String)>,
}

impl World {
    async fn gql(&self, url: &str, key: Option<&str>, query: &str, variables: Value) -> Value {
        let mut request = self
            .client
            .post(format!("{url}/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let (result, body) = send(request).await;
        assert_eq!(result, "ok", "{query}: {body}");
        body["data"].clone()
    }

    async fn through(&self, key: Option<&str>, query: &str, variables: Value) -> Value {
        self.gql(&self.cluster.balancer(), key, query, variables)
            .await
    }

    async fn create_key(
        &self,
        role: &str,
        company: Option<&str>,
        counterpart: Option<&str>,
    ) -> String {
        let data = self
            .through(
                Some(&self.admin),
                "mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }",
                json!({ "input": { "name": format!("topology {role}"), "role": role,
                    "companyId": company, "counterpartId": counterpart } }),
            )
            .await;
        data["createApiKey"]["secret"].as_str().unwrap().to_owned()
    }

    /// Tenders of a phase in the database: title and how many rows carry it.
    async fn tenders(&self, prefix: &str) -> HashMap<String, i64> {
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT title_en AS title, count(*) AS n FROM tender WHERE title_en LIKE $1 GROUP BY title_en",
                [format!("{prefix} %").into()],
            ))
            .await
            .expect("reading tenders");
        rows.iter()
            .map(|r| {
                (
                    r.try_get::<String>("", "title").unwrap(),
                    r.try_get::<i64>("", "n").unwrap(),
                )
            })
            .collect()
    }

    /// Every acknowledged write is in the database once, whole, and nothing else is.
    async fn exactly_once(&self, prefix: &str, writes: &[load::Write]) {
        let stored = self.tenders(prefix).await;
        let acknowledged: HashSet<&str> = writes.iter().map(|w| w.title.as_str()).collect();
        assert_eq!(
            acknowledged.len(),
            writes.len(),
            "a logical write was acknowledged twice"
        );
        for title in &acknowledged {
            assert_eq!(
                stored.get(*title).copied(),
                Some(1),
                "acknowledged write {title} is stored {:?} times",
                stored.get(*title)
            );
        }
        let unacknowledged: Vec<&String> = stored
            .keys()
            .filter(|t| !acknowledged.contains(t.as_str()))
            .collect();
        assert!(
            unacknowledged.is_empty(),
            "tenders written that no client saw acknowledged: {unacknowledged:?}"
        );
        // Nothing half-written: every tender carries its service lines and its audit row.
        let partial = self
            .db
            .query_one_raw(Statement::from_sql_and_values(
                sea_orm::DbBackend::Postgres,
                "SELECT count(*) AS n FROM tender t WHERE t.title_en LIKE $1 AND NOT EXISTS \
                 (SELECT 1 FROM tender_service_line s WHERE s.tender_id = t.id)",
                [format!("{prefix} %").into()],
            ))
            .await
            .expect("counting partial tenders")
            .expect("a row");
        assert_eq!(partial.try_get::<i64>("", "n").unwrap(), 0);
    }

    /// Waits until the search outbox is empty, as server `n` reports it.
    async fn outbox_drained(&self, n: u8, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let body: Value = match self
                .client
                .get(format!("{}/readyz", self.cluster.server(n)))
                .send()
                .await
            {
                Ok(r) => r.json().await.unwrap_or(Value::Null),
                Err(_) => Value::Null,
            };
            if body["outbox"]["depth"] == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the outbox did not drain within {within:?}: {body}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

const TENDER_PUBLISHED: &str = "subscription { tenderPublished { id title } }";

/// A `tenderPublished` subscription through the balancer, acknowledged and listening.
async fn subscribe(balancer: &str) -> Result<Socket, String> {
    let url = format!("{}/graphql/ws", balancer.replacen("http", "ws", 1));
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().expect("a header value"),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| e.to_string())?;
    let send = |v: Value| Message::text(v.to_string());
    socket
        .send(send(json!({ "type": "connection_init", "payload": {} })))
        .await
        .map_err(|e| e.to_string())?;
    match tokio::time::timeout(Duration::from_secs(5), socket.next()).await {
        Ok(Some(Ok(Message::Text(text)))) if text.contains("connection_ack") => {}
        other => return Err(format!("no connection_ack: {other:?}")),
    }
    socket
        .send(send(
            json!({ "id": "1", "type": "subscribe", "payload": { "query": TENDER_PUBLISHED } }),
        ))
        .await
        .map_err(|e| e.to_string())?;
    // The server subscribes to its event bus as it reads the message, and its listener has to
    // LISTEN on PostgreSQL: give it that moment before anything is written.
    tokio::time::sleep(Duration::from_millis(700)).await;
    Ok(socket)
}

/// A subscriber that reconnects (through the balancer) whenever its connection is lost, and
/// keeps the titles of the tenders it heard of.
struct Subscriber {
    heard: Arc<Mutex<Vec<String>>>,
    reconnects: Arc<std::sync::atomic::AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Subscriber {
    async fn start(balancer: String) -> Subscriber {
        let heard = Arc::new(Mutex::new(Vec::new()));
        let reconnects = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let mut socket = subscribe(&balancer).await.expect("subscribing");
        let (h, r) = (heard.clone(), reconnects.clone());
        let task = tokio::spawn(async move {
            let started = Instant::now();
            while started.elapsed() < Duration::from_secs(180) {
                match socket.next().await {
                    Some(Ok(Message::Text(text))) => {
                        let v: Value = serde_json::from_str(&text).unwrap_or_default();
                        if let Some(title) =
                            v["payload"]["data"]["tenderPublished"]["title"].as_str()
                        {
                            h.lock().await.push(title.to_owned());
                        }
                    }
                    Some(Ok(_)) => {}
                    // Closed or broken: connect again through the balancer, bounded.
                    _ => {
                        r.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        let mut again = None;
                        for _ in 0..50 {
                            if let Ok(s) = subscribe(&balancer).await {
                                again = Some(s);
                                break;
                            }
                            tokio::time::sleep(Duration::from_millis(200)).await;
                        }
                        match again {
                            Some(s) => socket = s,
                            None => return,
                        }
                    }
                }
            }
        });
        Subscriber {
            heard,
            reconnects,
            task,
        }
    }

    async fn heard(&self, title: &str, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if self.heard.lock().await.iter().any(|t| t == title) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_production_topology_serves_through_restarts_kills_and_outages() {
    use std::io::Write;
    if !on_postgres() {
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED: the production topology runs in the PostgreSQL pass (DATABASE_URL=postgres://…) ***\n"
        );
        return;
    }
    if cluster::meilisearch().is_none() {
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED: the production topology needs Meilisearch (MEILI_BIN, PATH or ../shared/bin) ***\n"
        );
        return;
    }
    let budget = PARTNER_BUDGET.to_string();
    let started = Instant::now();
    let cluster = Cluster::up(
        3,
        &[
            // Load from one address must not run into the anonymous or key quotas; the
            // partner key's small budget is what the quota scenario spends.
            ("GANBRIDGE_QUOTA_ANONYMOUS", "100000000"),
            ("GANBRIDGE_QUOTA_KEY", "100000000"),
            ("GANBRIDGE_QUOTA_PARTNER", &budget),
        ],
    );
    eprintln!("topology up in {:?}", started.elapsed());
    let db = Database::connect(cluster.database_url())
        .await
        .expect("connecting to the topology's database");
    let admin = cluster
        .cli(&[
            "keys",
            "create",
            "--role",
            "admin",
            "--name",
            "topology admin",
        ])
        .lines()
        .last()
        .expect("the key")
        .trim()
        .to_owned();
    let mut world = World {
        cluster,
        client: reqwest::Client::new(),
        db,
        admin,
        partner: String::new(),
        counterpart: String::new(),
        companies: Vec::new(),
    };
    end_to_end(&mut world).await;
    balancer_edges(&world).await;
    quotas(&world).await;
    rolling_restart(&world).await;
    server_killed(&world).await;
    postgres_restarted(&world).await;
    meilisearch_stopped(&world).await;
    meilisearch_wiped(&world).await;
    eprintln!("topology scenarios done in {:?}", started.elapsed());
}

/// Keys, a counterpart posting and publishing, two companies and an alliance bidding, the buyer
/// awarding: all through the balancer; subscribers on whichever server hear of writes made
/// through every server, and each server finds the tender within 2 s.
async fn end_to_end(w: &mut World) {
    let found = w
        .through(
            None,
            "{ counterparts(first: 1) { nodes { id } } companies(first: 3, filter: { serviceLine: SOFTWARE_DEVELOPMENT }) { nodes { id name } } }",
            json!({}),
        )
        .await;
    let counterpart = found["counterparts"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.counterpart = w.create_key("COUNTERPART", None, Some(&counterpart)).await;
    w.partner = w.create_key("PARTNER", None, None).await;
    for company in found["companies"]["nodes"].as_array().unwrap() {
        let id = company["id"].as_str().unwrap().to_owned();
        let key = w.create_key("COMPANY", Some(&id), None).await;
        w.companies.push((id, key));
    }
    assert_eq!(w.companies.len(), 3, "{found}");

    // Three subscribers, opened in a row: round robin puts one on each server.
    let balancer = w.cluster.balancer();
    let mut subscribers = Vec::new();
    for _ in 0..3 {
        subscribers.push(Subscriber::start(balancer.clone()).await);
    }

    // One tender published through each server, straight past the balancer.
    let mut tenders = Vec::new();
    for n in 1..=3u8 {
        let title = format!("e2e zircon{n} telemetry platform");
        let url = w.cluster.server(n);
        let created = w
            .gql(
                &url,
                Some(&w.counterpart),
                CREATE_TENDER,
                tender_input(&title),
            )
            .await;
        let id = created["createTender"]["id"].as_str().unwrap().to_owned();
        w.gql(
            &url,
            Some(&w.counterpart),
            "mutation($id: ID!) { publishTender(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
        let published = Instant::now();
        tenders.push((n, id, title, published));
    }
    for (n, _, title, published) in &tenders {
        for s in &subscribers {
            assert!(
                s.heard(title, Duration::from_secs(5)).await,
                "a subscriber did not hear of the tender published through server {n}"
            );
        }
        // Searchable on every server within 2 s of its publication.
        for m in 1..=3u8 {
            let word = format!("zircon{n}");
            loop {
                let data = w
                    .gql(
                        &w.cluster.server(m),
                        None,
                        "query($q: String!) { search(query: $q, types: [TENDER]) { totalHits } }",
                        json!({ "q": word }),
                    )
                    .await;
                if data["search"]["totalHits"] == 1 {
                    break;
                }
                assert!(
                    published.elapsed() < Duration::from_secs(2),
                    "server {m} did not find the tender published through server {n} within 2 s"
                );
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    drop(subscribers);

    // Company 1 bids alone; companies 2 and 3 as an alliance led by 2; the buyer awards it.
    let tender = &tenders[0].1;
    let bid = |alliance: Option<&str>| {
        json!({ "input": { "tenderId": tender, "amount": { "amount": "240000.00", "currency": "CNY" },
            "proposal": "Delivered in four months.", "allianceId": alliance } })
    };
    const SUBMIT_BID: &str =
        "mutation($input: SubmitBidInput!) { submitBid(input: $input) { id status } }";
    w.through(Some(&w.companies[0].1), SUBMIT_BID, bid(None))
        .await;
    let alliance = w
        .through(
            Some(&w.companies[1].1),
            "mutation($input: CreateAllianceInput!) { createAlliance(input: $input) { id } }",
            json!({ "input": { "name": "Topology Alliance", "nameZh": "拓扑联盟", "members": [
                { "companyId": w.companies[1].0, "share": "60" },
                { "companyId": w.companies[2].0, "share": "40" } ] } }),
        )
        .await["createAlliance"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    w.through(
        Some(&w.companies[2].1),
        "mutation($id: ID!) { acceptAllianceInvitation(id: $id) { id } }",
        json!({ "id": alliance }),
    )
    .await;
    let alliance_bid = w
        .through(Some(&w.companies[1].1), SUBMIT_BID, bid(Some(&alliance)))
        .await["submitBid"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let closed = w
        .through(
            Some(&w.counterpart),
            "mutation($input: CloseTenderInput!) { closeTender(input: $input) { status } }",
            json!({ "input": { "tenderId": tender, "awardedBidId": alliance_bid } }),
        )
        .await;
    assert_eq!(closed["closeTender"]["status"], "COMPLETE");
    eprintln!("end to end through the balancer: ok");
}

/// What the balancer passes and refuses: request ids both ways, and too large a body refused
/// through it with the very status and GraphQL error a server gives, heard by a client that is
/// still sending it.
async fn balancer_edges(w: &World) {
    let balancer = w.cluster.balancer();
    let answer = w
        .client
        .post(format!("{balancer}/graphql"))
        .header("X-Request-Id", "topology-request-42")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("an answer");
    assert_eq!(answer.headers()["x-request-id"], "topology-request-42");
    let answer = w
        .client
        .post(format!("{balancer}/graphql"))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("an answer");
    let made = answer.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        made.len() >= 16,
        "the balancer made no request id: {made:?}"
    );

    let large = format!(
        "{{\"query\": \"{{ __typename }}\", \"variables\": {{\"pad\": \"{}\"}}}}",
        "x".repeat(1_200_000)
    );
    let refused = |url: String, chunked: bool| {
        let large = large.clone();
        let client = w.client.clone();
        async move {
            let body = if chunked {
                let chunks: Vec<Result<Vec<u8>, std::io::Error>> = large
                    .into_bytes()
                    .chunks(64 * 1024)
                    .map(|c| Ok(c.to_vec()))
                    .collect();
                reqwest::Body::wrap_stream(futures_util::stream::iter(chunks))
            } else {
                reqwest::Body::from(large)
            };
            let answer = client
                .post(format!("{url}/graphql"))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("an answer");
            let status = answer.status().as_u16();
            let body: Value = answer.json().await.expect("a JSON body");
            (status, body)
        }
    };
    let at_server = refused(w.cluster.server(1), false).await;
    let at_balancer = refused(balancer.clone(), false).await;
    let chunked = refused(balancer.clone(), true).await;
    assert_eq!(at_server.0, 413, "{at_server:?}");
    assert_eq!(
        at_server.1["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{at_server:?}"
    );
    assert_eq!(
        at_balancer, at_server,
        "the balancer refuses otherwise than the server"
    );
    assert_eq!(chunked, at_server, "a chunked body is refused otherwise");
    // X-Forwarded-For: the servers take the client's address from it (they are behind the
    // balancer), and the balancer overwrites whatever a client sent. An anonymous caller's quota
    // follows that address: a fresh one has spent nothing yet, the balancer's has.
    let anonymous = |url: String, forwarded: Option<&'static str>| {
        let client = w.client.clone();
        async move {
            let mut request = client
                .post(format!("{url}/graphql"))
                .json(&json!({ "query": "{ parks(first: 1) { totalCount } }" }));
            if let Some(address) = forwarded {
                request = request.header("X-Forwarded-For", address);
            }
            let (result, body) = send(request).await;
            assert_eq!(result, "ok", "{body}");
            let limit = &body["extensions"]["rateLimit"];
            (
                limit["limit"].as_i64().unwrap() - limit["cost"].as_i64().unwrap(),
                limit["remaining"].as_i64().unwrap(),
                limit["resetAt"].as_str().unwrap().to_owned(),
            )
        }
    };
    let (fresh, remaining, _) = anonymous(w.cluster.server(1), Some("198.51.100.8")).await;
    assert_eq!(
        remaining, fresh,
        "the server does not take the forwarded address"
    );
    let mut checked = false;
    for _ in 0..3 {
        let (_, _, window) = anonymous(balancer.clone(), None).await;
        let (fresh, remaining, forged_window) =
            anonymous(balancer.clone(), Some("198.51.100.7")).await;
        if window != forged_window {
            continue; // a quota window ended between the two: try again
        }
        assert!(
            remaining < fresh,
            "a client's X-Forwarded-For reached the server through the balancer"
        );
        checked = true;
        break;
    }
    assert!(checked, "no two requests fell in one quota window");
    eprintln!(
        "balancer: request ids passed and made; bodies over 1,000,000 bytes refused alike; X-Forwarded-For overwritten"
    );
}

/// Requests a server has counted, from its metrics.
async fn served(w: &World, n: u8) -> f64 {
    let text = w
        .client
        .get(format!("{}/metrics", w.cluster.server(n)))
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("metrics text");
    text.lines()
        .filter(|l| l.starts_with("ganbridge_graphql_requests_total{"))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// A caller's budget holds whichever server answers: what every server granted together never
/// exceeds it.
async fn quotas(w: &World) {
    let url = format!("{}/graphql", w.cluster.balancer());
    let (mut granted, mut refused, mut after_refusal_ok) = (0i64, 0usize, 0usize);
    for _ in 0..2_000 {
        let (result, body) =
            send(w.client.post(&url).bearer_auth(&w.partner).json(
                &json!({ "query": "{ parks(first: 10) { totalCount nodes { id name } } }" }),
            ))
            .await;
        if result == "ok" {
            granted += body["extensions"]["rateLimit"]["cost"]
                .as_i64()
                .expect("a cost");
            if refused > 0 {
                after_refusal_ok += 1;
            }
        } else {
            assert!(result.ends_with("RATE_LIMITED"), "{result}: {body}");
            refused += 1;
            if refused == 30 {
                break;
            }
        }
    }
    eprintln!(
        "quotas: {granted} of {PARTNER_BUDGET} points granted across servers, then {refused} refusals ({after_refusal_ok} granted after the first)"
    );
    assert!(refused > 0, "the budget was never reached");
    assert!(
        granted <= PARTNER_BUDGET,
        "granted {granted} points of {PARTNER_BUDGET}"
    );
    assert!(
        granted >= PARTNER_BUDGET / 2,
        "only {granted} points were granted"
    );
}

fn plan(w: &World, phase: &str, retry: bool, search: bool) -> Plan {
    Plan {
        balancer: w.cluster.balancer(),
        readers: 4,
        writers: 2,
        writer_key: w.counterpart.clone(),
        phase: phase.to_owned(),
        retry,
        search,
    }
}

fn report(
    name: &str,
    outcomes: &[Outcome],
    writes: &[load::Write],
) -> BTreeMap<(String, String), usize> {
    let tally = tally(outcomes);
    eprintln!(
        "{name}: {} requests, {} acknowledged writes; {tally:?}",
        outcomes.len(),
        writes.len()
    );
    tally
}

/// Each server in turn gets SIGTERM, drains and is started again, under load: no request
/// fails, no write is lost or made twice.
async fn rolling_restart(w: &World) {
    let load = Load::start(plan(w, "rolling", false, true));
    tokio::time::sleep(Duration::from_secs(2)).await;
    for n in 1..=3u8 {
        let stopping = Instant::now();
        if n == 1 {
            // A draining server gets no traffic once the balancer's checks have seen it: it
            // still listens (5 s), but serves nothing new.
            w.cluster.signal(1, "TERM");
            tokio::time::sleep(Duration::from_secs(3)).await;
            let before = served(w, 1).await;
            tokio::time::sleep(Duration::from_millis(1500)).await;
            let after = served(w, 1).await;
            assert_eq!(before, after, "a draining server was sent requests");
            eprintln!(
                "rolling restart: server 1 draining, out of rotation within 3 s ({after} requests served)"
            );
        }
        w.cluster.run(&["server", "stop", &n.to_string()]);
        let stopped = stopping.elapsed();
        w.cluster.run(&["server", "start", &n.to_string()]);
        eprintln!(
            "rolling restart: server {n} drained and stopped in {stopped:?}, back after {:?}",
            stopping.elapsed()
        );
        // Back in rotation after two good health checks.
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (outcomes, writes) = load.stop().await;
    let tally = report("rolling restart", &outcomes, &writes);
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.ok()).collect();
    assert!(
        failed.is_empty(),
        "requests failed during the rolling restart: {tally:?}\n{failed:?}"
    );
    assert!(writes.len() > 20, "too few writes to tell: {tally:?}");
    w.exactly_once("rolling", &writes).await;
}

/// One server SIGKILLed under load: only requests in flight on it fail, retried writes end
/// exactly once, the survivors drain the outbox, and its websocket clients reconnect.
async fn server_killed(w: &World) {
    // Six subscribers in a row before the load: two on each server.
    let mut subscribers = Vec::new();
    for _ in 0..6 {
        subscribers.push(Subscriber::start(w.cluster.balancer()).await);
    }
    let load = Load::start(plan(w, "killed", true, true));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let before_kill = Instant::now();
    w.cluster.run(&["server", "kill", "2"]);
    let killed = Instant::now();
    tokio::time::sleep(Duration::from_secs(4)).await;
    let (outcomes, writes) = load.stop().await;
    report("server killed", &outcomes, &writes);
    // A retry of a write that was in flight on the killed server finds its claim still leased
    // (for the request timeout and a margin): it is told so (409 CONFLICT) until the lease ends
    // and the retry runs it, or answers that its first attempt wrote it.
    let told_to_wait = |o: &Outcome| o.kind == "write retry" && o.result == "409 CONFLICT";
    let waiting = outcomes.iter().filter(|o| told_to_wait(o)).count();
    let failed: Vec<&Outcome> = outcomes
        .iter()
        .filter(|o| !o.ok() && !told_to_wait(o))
        .collect();
    for f in &failed {
        assert!(
            f.sent < killed && f.answered >= before_kill,
            "a request failed that was not in flight when the server was killed: {f:?}"
        );
    }
    eprintln!("server killed: {waiting} retries were told their first attempt was still leased");
    eprintln!(
        "server killed: {} requests failed, all sent before the kill and answered after it: {:?}",
        failed.len(),
        failed
            .iter()
            .map(|f| (f.kind, f.result.as_str()))
            .collect::<Vec<_>>()
    );
    w.exactly_once("killed", &writes).await;
    w.outbox_drained(1, Duration::from_secs(15)).await;

    // Every subscriber, those of the killed server reconnected, hears of the next tender.
    let title = "after the kill quasar tender";
    let created = w
        .through(Some(&w.counterpart), CREATE_TENDER, tender_input(title))
        .await;
    w.through(
        Some(&w.counterpart),
        "mutation($id: ID!) { publishTender(id: $id) { status } }",
        json!({ "id": created["createTender"]["id"] }),
    )
    .await;
    let mut reconnected = 0;
    for s in &subscribers {
        assert!(
            s.heard(title, Duration::from_secs(10)).await,
            "a subscriber did not hear of the tender published after the kill"
        );
        reconnected += s.reconnects.load(std::sync::atomic::Ordering::SeqCst);
    }
    eprintln!("server killed: {reconnected} of 6 subscribers reconnected through the balancer");
    assert!(reconnected >= 1, "no subscriber was on the killed server");
    drop(subscribers);
    w.cluster.run(&["server", "start", "2"]);
    tokio::time::sleep(Duration::from_secs(3)).await;
}

/// PostgreSQL restarted under the cluster: requests in flight or sent during the outage fail
/// cleanly with `SERVICE_UNAVAILABLE`, every server recovers without a restart, and none fails
/// after.
async fn postgres_restarted(w: &World) {
    let load = Load::start(plan(w, "postgres", false, false));
    tokio::time::sleep(Duration::from_secs(2)).await;
    let stopping = Instant::now();
    w.cluster.run(&["postgres", "stop"]);
    tokio::time::sleep(Duration::from_secs(3)).await;
    w.cluster.run(&["postgres", "start"]);
    let back = Instant::now();
    for n in 1..=3u8 {
        let url = format!("{}/graphql", w.cluster.server(n));
        loop {
            let (result, _) = send(
                w.client
                    .post(&url)
                    .json(&json!({ "query": "{ statistics(year: 2014) { companies } }" })),
            )
            .await;
            if result == "ok" {
                break;
            }
            assert!(
                back.elapsed() < Duration::from_secs(30),
                "server {n} did not recover: {result}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    let recovered = Instant::now();
    eprintln!(
        "PostgreSQL restart: every server answered again {:?} after PostgreSQL did",
        back.elapsed()
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (outcomes, writes) = load.stop().await;
    report("PostgreSQL restart", &outcomes, &writes);
    for o in &outcomes {
        // A request still in flight when PostgreSQL stopped has its statement ended under it,
        // like one sent during the outage: it may fail, cleanly. One answered before the stop,
        // or sent once every server answered again, may not.
        if o.answered < stopping || o.sent > recovered {
            assert!(
                o.ok(),
                "a request failed outside the outage ({}): {o:?}\n{}",
                if o.sent > recovered {
                    format!(
                        "sent {:?} after every server answered again",
                        o.sent - recovered
                    )
                } else {
                    format!(
                        "answered {:?} before PostgreSQL stopped",
                        stopping - o.answered
                    )
                },
                w.cluster.server_lines("ERROR")
            );
        } else if !o.ok() {
            assert!(
                o.result.ends_with("SERVICE_UNAVAILABLE"),
                "a request failed other than cleanly during the outage: {o:?}"
            );
        }
    }
    assert!(
        outcomes.iter().any(|o| !o.ok()),
        "no request failed while PostgreSQL was down"
    );
    w.exactly_once("postgres", &writes).await;
}

/// Every request answered but searches, which may say the engine or its index is away.
fn only_search_failed(outcomes: &[Outcome]) {
    for o in outcomes {
        if o.kind == "search" {
            assert!(
                o.ok() || o.result.ends_with("SEARCH_UNAVAILABLE"),
                "a search failed other than SEARCH_UNAVAILABLE: {o:?}"
            );
        } else {
            assert!(o.ok(), "a request that needs no search failed: {o:?}");
        }
    }
}

/// Meilisearch stopped for 10 s under writes: everything but search answers on every server;
/// afterwards the index holds exactly the database's objects, each in its last version.
async fn meilisearch_stopped(w: &World) {
    let load = Load::start(plan(w, "meili", false, true));
    // Who holds the outbox's lock, sampled until the index has converged: never two servers.
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let holders = {
        let (db, sampling) = (w.db.clone(), sampling.clone());
        let lock = ganbridge::services::sync::DRAIN_LOCK;
        let (classid, objid) = ((lock >> 32) as u32 as i64, lock as u32 as i64);
        tokio::spawn(async move {
            let (mut most, mut pids) = (0i64, HashSet::new());
            while sampling.load(std::sync::atomic::Ordering::Relaxed) {
                let rows = db
                    .query_all_raw(Statement::from_sql_and_values(
                        sea_orm::DbBackend::Postgres,
                        "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted \
                         AND classid::bigint = $1 AND objid::bigint = $2",
                        [classid.into(), objid.into()],
                    ))
                    .await
                    .unwrap_or_default();
                most = most.max(rows.len() as i64);
                pids.extend(rows.iter().filter_map(|r| r.try_get::<i32>("", "pid").ok()));
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            (most, pids.len())
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    w.cluster.run(&["meilisearch", "stop"]);
    // Every server answers what does not need search, straight past the balancer too.
    for n in 1..=3u8 {
        w.gql(
            &w.cluster.server(n),
            None,
            "{ statistics(year: 2014) { companies } }",
            json!({}),
        )
        .await;
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    w.cluster.run(&["meilisearch", "start"]);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (outcomes, writes) = load.stop().await;
    let tally = report("Meilisearch stopped", &outcomes, &writes);
    only_search_failed(&outcomes);
    assert!(
        tally
            .keys()
            .any(|(k, r)| k == "search" && r.ends_with("SEARCH_UNAVAILABLE")),
        "no search noticed the engine was away: {tally:?}"
    );
    w.exactly_once("meili", &writes).await;
    for n in 1..=3u8 {
        w.outbox_drained(n, Duration::from_secs(30)).await;
    }
    sampling.store(false, std::sync::atomic::Ordering::Relaxed);
    let (most, sessions) = holders.await.expect("the lock sampler");
    eprintln!(
        "Meilisearch stopped: the outbox's lock held by at most {most} server at a time ({sessions} sessions over the phase)"
    );
    assert!(most <= 1, "{most} servers drained the outbox at once");

    let documents = index_converged(w).await;
    eprintln!(
        "Meilisearch stopped: the index converged, {documents} documents equal to the database's"
    );
}

/// The index holds the database's objects, each as the database has it now: the same keys,
/// and every field of each document equal. Answers how many.
async fn index_converged(w: &World) -> usize {
    let reference = ganbridge::services::reference::load(&w.db)
        .await
        .expect("reference data");
    let keys = ganbridge::services::search::all_keys(&w.db)
        .await
        .expect("keys");
    let (expected, _) = ganbridge::services::search::documents(&w.db, &reference, &keys)
        .await
        .expect("documents");
    let indexed: Value = w
        .client
        .get(format!(
            "{}/indexes/ganbridge/documents?limit=100000",
            w.cluster.var("MEILI_URL")
        ))
        .bearer_auth(w.cluster.var("MEILI_MASTER_KEY"))
        .send()
        .await
        .expect("listing Meilisearch's documents")
        .json()
        .await
        .expect("JSON");
    let indexed: HashMap<String, Value> = indexed["results"]
        .as_array()
        .expect("documents")
        .iter()
        .map(|d| (d["key"].as_str().unwrap_or_default().to_owned(), d.clone()))
        .collect();
    let wanted: HashSet<&str> = expected.iter().map(|d| d.key.as_str()).collect();
    let held: HashSet<&str> = indexed.keys().map(String::as_str).collect();
    assert_eq!(
        wanted.len(),
        held.len(),
        "the index holds other objects than the database: missing {:?}, extra {:?}",
        wanted.difference(&held).take(10).collect::<Vec<_>>(),
        held.difference(&wanted).take(10).collect::<Vec<_>>()
    );
    assert_eq!(wanted, held);
    for document in &expected {
        let want = serde_json::to_value(document).expect("a document as JSON");
        let got = &indexed[&document.key];
        for (field, value) in want.as_object().expect("an object") {
            assert_eq!(
                &got[field], value,
                "{}: the index's {field} is not the database's",
                document.key
            );
        }
    }
    expected.len()
}

/// Meilisearch's index deleted under load (a wiped or replaced engine): every server stays in
/// rotation and answers all but search, one of them fills the index again, and it converges.
async fn meilisearch_wiped(w: &World) {
    let load = Load::start(plan(w, "wiped", false, true));
    tokio::time::sleep(Duration::from_secs(1)).await;
    let deleted = w
        .client
        .delete(format!("{}/indexes/ganbridge", w.cluster.var("MEILI_URL")))
        .bearer_auth(w.cluster.var("MEILI_MASTER_KEY"))
        .send()
        .await
        .expect("deleting the index");
    assert!(deleted.status().is_success(), "{deleted:?}");
    // Until the index is whole again (bounded), then a little more.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let ready: Value = w
            .client
            .get(format!("{}/readyz", w.cluster.server(1)))
            .send()
            .await
            .expect("readiness")
            .json()
            .await
            .unwrap_or_default();
        let traffic = w
            .client
            .get(format!("{}/readyz/traffic", w.cluster.server(1)))
            .send()
            .await
            .expect("traffic")
            .status();
        assert_eq!(
            traffic, 200,
            "a shared index being filled took a server out of rotation"
        );
        if ready["ready"] == true && Instant::now() > deadline - Duration::from_secs(55) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the index was not filled again: {ready}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (outcomes, writes) = load.stop().await;
    report("Meilisearch's index deleted", &outcomes, &writes);
    only_search_failed(&outcomes);
    w.exactly_once("wiped", &writes).await;
    w.outbox_drained(1, Duration::from_secs(30)).await;
    let documents = index_converged(w).await;
    eprintln!(
        "Meilisearch's index deleted: filled again, {documents} documents equal to the database's"
    );
}
