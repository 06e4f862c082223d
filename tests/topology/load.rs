//! Load through the balancer: readers and writers, every request's outcome kept with when it
//! was sent and answered, every acknowledged write kept, all bounded in count and in time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

/// No request loop runs longer than this, whatever happens to the test.
const LONGEST: Duration = Duration::from_secs(120);
/// Nor sends more requests than this.
const MOST: usize = 20_000;

#[derive(Debug, Clone)]
pub struct Outcome {
    pub kind: &'static str,
    pub sent: Instant,
    pub answered: Instant,
    /// `ok`, or `<HTTP status> <GraphQL code>`, or `transport: …` when no answer came.
    pub result: String,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.result == "ok"
    }
}

/// A logical write: one tender, whatever number of attempts it took.
#[derive(Debug, Clone)]
pub struct Write {
    pub title: String,
}

/// What one request came to.
pub async fn send(request: reqwest::RequestBuilder) -> (String, Value) {
    let response = match request.timeout(Duration::from_secs(20)).send().await {
        Ok(response) => response,
        Err(error) => return (format!("transport: {error}"), Value::Null),
    };
    let status = response.status().as_u16();
    let body: Value = match response.json().await {
        Ok(body) => body,
        Err(error) => return (format!("{status} not JSON: {error}"), Value::Null),
    };
    match body["errors"][0]["extensions"]["code"].as_str() {
        None if status == 200 && body["errors"].is_null() => ("ok".into(), body),
        code => (format!("{status} {}", code.unwrap_or("no code")), body),
    }
}

pub struct Load {
    running: Arc<AtomicBool>,
    tasks: Vec<JoinHandle<()>>,
    pub outcomes: Arc<Mutex<Vec<Outcome>>>,
    pub writes: Arc<Mutex<Vec<Write>>>,
}

pub struct Plan {
    pub balancer: String,
    pub readers: usize,
    pub writers: usize,
    /// The counterpart key writers post tenders with.
    pub writer_key: String,
    /// Title prefix of this phase's tenders.
    pub phase: String,
    /// Whether a writer retries a failed attempt with the same Idempotency-Key.
    pub retry: bool,
    /// Whether readers also search (not while the search engine is away).
    pub search: bool,
}

const READ: &str =
    "{ statistics(year: 2014) { companies employees } parks(first: 3) { totalCount } }";
const SEARCH: &str = "query($q: String!) { search(query: $q, first: 3) { totalHits } }";
pub const CREATE_TENDER: &str =
    "mutation($input: CreateTenderInput!) { createTender(input: $input) { id title } }";

pub fn tender_input(title: &str) -> Value {
    let closes = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    json!({ "input": {
        "title": title,
        "titleZh": format!("{title}（测试）"),
        "description": "Load through the balancer.",
        "serviceLines": ["SOFTWARE_DEVELOPMENT"],
        "value": { "amount": "250000.00", "currency": "CNY" },
        "closesAt": closes,
    } })
}

impl Load {
    pub fn start(plan: Plan) -> Load {
        let running = Arc::new(AtomicBool::new(true));
        let outcomes = Arc::new(Mutex::new(Vec::new()));
        let writes = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(8)
            .build()
            .expect("an HTTP client");
        let started = Instant::now();
        let mut tasks = Vec::new();
        for reader in 0..plan.readers {
            let (running, outcomes, client) = (running.clone(), outcomes.clone(), client.clone());
            let url = format!("{}/graphql", plan.balancer);
            let search = plan.search;
            tasks.push(tokio::spawn(async move {
                let mut n = 0usize;
                while running.load(Ordering::Relaxed) && n < MOST && started.elapsed() < LONGEST {
                    let sent = Instant::now();
                    let (kind, request) = match (n + reader) % 3 {
                        0 => ("read GET", client.get(&url).query(&[("query", READ)])),
                        1 if search => (
                            "search",
                            client.post(&url).json(
                                &json!({ "query": SEARCH, "variables": { "q": "software" } }),
                            ),
                        ),
                        _ => (
                            "read POST",
                            client.post(&url).json(&json!({ "query": READ })),
                        ),
                    };
                    let (result, _) = send(request).await;
                    outcomes.lock().await.push(Outcome {
                        kind,
                        sent,
                        answered: Instant::now(),
                        result,
                    });
                    n += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            }));
        }
        for writer in 0..plan.writers {
            let (running, outcomes, writes, client) = (
                running.clone(),
                outcomes.clone(),
                writes.clone(),
                client.clone(),
            );
            let url = format!("{}/graphql", plan.balancer);
            let key = plan.writer_key.clone();
            let phase = plan.phase.clone();
            let retry = plan.retry;
            tasks.push(tokio::spawn(async move {
                let mut n = 0usize;
                while running.load(Ordering::Relaxed) && n < MOST && started.elapsed() < LONGEST {
                    let title = format!("{phase} w{writer}-{n}");
                    let idempotency_key = format!("{phase}-{writer}-{n}-{}", std::process::id());
                    let body = json!({ "query": CREATE_TENDER, "variables": tender_input(&title) });
                    // One logical write: a first attempt, and with `retry` as many more as it
                    // takes (bounded), each with the same key.
                    for attempt in 0..40 {
                        let sent = Instant::now();
                        let (result, answer) = send(
                            client
                                .post(&url)
                                .bearer_auth(&key)
                                .header("Idempotency-Key", &idempotency_key)
                                .json(&body),
                        )
                        .await;
                        let ok = result == "ok";
                        let lost = answer["errors"][0]["extensions"]["reason"] == "ANSWER_LOST";
                        outcomes.lock().await.push(Outcome {
                            kind: if attempt == 0 { "write" } else { "write retry" },
                            sent,
                            answered: Instant::now(),
                            result,
                        });
                        // Acknowledged: answered, or refused because the first attempt wrote it
                        // and its answer was lost.
                        if ok || lost {
                            writes.lock().await.push(Write {
                                title: title.clone(),
                            });
                            break;
                        }
                        if !retry || started.elapsed() > LONGEST {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    n += 1;
                    tokio::time::sleep(Duration::from_millis(25)).await;
                }
            }));
        }
        Load {
            running,
            tasks,
            outcomes,
            writes,
        }
    }

    /// Stops the load and waits for its last requests.
    pub async fn stop(self) -> (Vec<Outcome>, Vec<Write>) {
        self.running.store(false, Ordering::Relaxed);
        for task in self.tasks {
            task.await.expect("a load task");
        }
        let outcomes = self.outcomes.lock().await.clone();
        let writes = self.writes.lock().await.clone();
        (outcomes, writes)
    }
}

/// Outcomes counted by kind and result, for a failure's message and the run's report.
pub fn tally(outcomes: &[Outcome]) -> std::collections::BTreeMap<(String, String), usize> {
    let mut tally = std::collections::BTreeMap::new();
    for o in outcomes {
        let result = if o.result.starts_with("transport") {
            "transport".to_owned()
        } else {
            o.result.clone()
        };
        *tally.entry((o.kind.to_owned(), result)).or_default() += 1;
    }
    tally
}
