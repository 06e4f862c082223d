//! What `/metrics` exposes, in the Prometheus text format: requests by operation and outcome
//! with their latency, quota refusals, search latency, the database pool, statements run and
//! their latency, and
//! the search outbox's depth and age (read at scrape time).

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

/// The process's metrics.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Operation names seen so far: the label set stays bounded whatever callers send.
    operations: std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
    pub requests: IntCounterVec,
    pub request_seconds: HistogramVec,
    pub rate_limited: IntCounter,
    pub search_seconds: HistogramVec,
    pub db_connections: IntGaugeVec,
    pub outbox: IntGaugeVec,
    /// Statements run by the request pool; synced from the connection's counter at scrape.
    pub statements: IntCounter,
    scrape: std::sync::Arc<std::sync::Mutex<()>>,
}

pub(crate) const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

impl Metrics {
    pub fn new() -> Self {
        let registry = Registry::new_custom(Some("ganbridge".into()), None).unwrap_or_default();
        let requests = IntCounterVec::new(
            Opts::new(
                "graphql_requests_total",
                "GraphQL requests by operation name and outcome (ok, error, or the error code).",
            ),
            &["operation", "outcome"],
        )
        .expect("static metric definition");
        let request_seconds = HistogramVec::new(
            HistogramOpts::new(
                "graphql_request_duration_seconds",
                "GraphQL request latency.",
            )
            .buckets(BUCKETS.to_vec()),
            &["operation"],
        )
        .expect("static metric definition");
        let rate_limited = IntCounter::new(
            "rate_limited_total",
            "Requests refused because the caller's quota was spent.",
        )
        .expect("static metric definition");
        let search_seconds = HistogramVec::new(
            HistogramOpts::new("search_duration_seconds", "Search engine query latency.")
                .buckets(BUCKETS.to_vec()),
            &["engine"],
        )
        .expect("static metric definition");
        let db_connections = IntGaugeVec::new(
            Opts::new("db_pool_connections", "Database pool connections by state."),
            &["state"],
        )
        .expect("static metric definition");
        let outbox = IntGaugeVec::new(
            Opts::new(
                "search_outbox",
                "Search changes not yet applied: `depth` rows, the oldest `age_seconds` old.",
            ),
            &["measure"],
        )
        .expect("static metric definition");
        let statements = IntCounter::new(
            "db_statements_total",
            "SQL statements executed since start by the request pool.",
        )
        .expect("static metric definition");
        for collector in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(request_seconds.clone()),
            Box::new(rate_limited.clone()),
            Box::new(search_seconds.clone()),
            Box::new(db_connections.clone()),
            Box::new(outbox.clone()),
            Box::new(statements.clone()),
        ] {
            // Names are static and distinct: registering cannot collide.
            let _ = registry.register(collector);
        }
        Metrics {
            registry,
            operations: Default::default(),
            requests,
            request_seconds,
            rate_limited,
            search_seconds,
            db_connections,
            outbox,
            statements,
            scrape: Default::default(),
        }
    }

    /// Adds a collector made elsewhere (the database pool's statement latency).
    pub fn adopt(&self, collector: Box<dyn prometheus::core::Collector>) {
        if let Err(error) = self.registry.register(collector) {
            tracing::error!(%error, "registering a metric");
        }
    }

    /// Brings the statement counter up to `total`, once per scrape even when scrapes race.
    pub fn sync_statements(&self, total: u64) {
        if let Ok(_guard) = self.scrape.lock() {
            let seen = self.statements.get();
            if total > seen {
                self.statements.inc_by(total - seen);
            }
        }
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut buffer = Vec::new();
        if let Err(error) = TextEncoder::new().encode(&self.registry.gather(), &mut buffer) {
            tracing::error!(%error, "encoding metrics");
        }
        String::from_utf8(buffer).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// At most this many distinct operation labels; later names count as `other`.
const MAX_OPERATIONS: usize = 200;

impl Metrics {
    /// An operation name fit for a label: its name when short and plain and among the first
    /// [`MAX_OPERATIONS`] seen, else `other`; none is `anonymous`. Callers choose names, so
    /// they must not grow the label set without bound.
    pub fn operation_label(&self, name: Option<&str>) -> String {
        match name {
            None | Some("") => "anonymous".to_owned(),
            Some(n)
                if n.len() <= 48 && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') =>
            {
                let Ok(mut seen) = self.operations.lock() else {
                    return "other".to_owned();
                };
                if seen.contains(n) || seen.len() < MAX_OPERATIONS {
                    seen.insert(n.to_owned());
                    n.to_owned()
                } else {
                    "other".to_owned()
                }
            }
            Some(_) => "other".to_owned(),
        }
    }
}
