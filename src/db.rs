//! Opening the database: the pool, the engine-specific tuning, the migrations, and a counter of
//! executed statements (exported in `/metrics`, and how tests prove that DataLoaders batch).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection};
use secrecy::ExposeSecret;

use crate::config::{Settings, Store};

/// Statements executed through the pool since start, and how long they took.
#[derive(Debug, Clone)]
pub struct StatementCounter {
    count: Arc<AtomicU64>,
    seconds: prometheus::HistogramVec,
}

impl Default for StatementCounter {
    fn default() -> Self {
        let seconds = prometheus::HistogramVec::new(
            prometheus::HistogramOpts::new(
                "db_statement_duration_seconds",
                "SQL statement latency in the request pool, by outcome (ok or failed).",
            )
            .buckets(crate::metrics::BUCKETS.to_vec()),
            &["outcome"],
        )
        .expect("static metric definition");
        StatementCounter {
            count: Arc::default(),
            seconds,
        }
    }
}

impl StatementCounter {
    pub fn get(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    /// The latency histogram, for the metrics registry.
    pub fn histogram(&self) -> prometheus::HistogramVec {
        self.seconds.clone()
    }
}

pub async fn connect(
    settings: &Settings,
) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    open(settings, options(settings)).await
}

/// The pool that serves requests. On PostgreSQL its statements are planned once per
/// connection, not at each execution: for the short reads that make up most requests,
/// planning was over a third of the database's work (a company page prepared and executed:
/// 1.06 ms of database CPU planned afresh, 0.665 ms with the plan kept; `EXPLAIN ANALYZE`
/// 0.39 ms planning, 0.78 ms executing), and a custom plan chose nothing a generic one does
/// not for parameters like these. What a good plan depends on (the tender status an index is partial to) is written
/// into the statement instead. Bulk work (loading, reindexing, the search worker) keeps
/// PostgreSQL's default planning: there a generic plan, made before freshly loaded tables had
/// statistics, checked each row against a whole batch of 2,000 keys (rebuilding the index of
/// 100,000 companies took 328 s instead of 8 s).
///
/// No statement of a request starts parallel workers: with requests arriving together they
/// took CPU from the other requests and gained nothing (a year's statistics by district:
/// 128 ms of database CPU each with two workers, 88 ms without; 45% more answers per second
/// at 32 concurrent callers).
pub async fn connect_requests(
    settings: &Settings,
) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    let mut options = options(settings);
    options.map_sqlx_postgres_opts(|o| {
        o.options([
            ("plan_cache_mode", "force_generic_plan"),
            ("max_parallel_workers_per_gather", "0"),
        ])
    });
    open(settings, options).await
}

async fn open(
    settings: &Settings,
    options: ConnectOptions,
) -> anyhow::Result<(DatabaseConnection, StatementCounter)> {
    let store = settings.store();
    if let Store::Sqlite(path) = &store
        && let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("creating the data directory {}", dir.display()))?;
    }
    let mut db = Database::connect(options)
        .await
        .with_context(|| match &store {
            Store::Sqlite(path) => format!("opening the SQLite database at {}", path.display()),
            Store::Postgres => "connecting to PostgreSQL (DATABASE_URL)".to_owned(),
        })?;
    let counter = StatementCounter::default();
    let count = counter.count.clone();
    let seconds = counter.seconds.clone();
    let slow = Duration::from_millis(settings.slow_query_ms);
    db.set_metric_callback(move |info| {
        count.fetch_add(1, Ordering::Relaxed);
        seconds
            .with_label_values(&[if info.failed { "failed" } else { "ok" }])
            .observe(info.elapsed.as_secs_f64());
        // The SQL text only: the values may be anyone's data.
        if info.elapsed >= slow {
            tracing::warn!(
                elapsed_ms = info.elapsed.as_millis() as u64,
                failed = info.failed,
                parameters = info.statement.values.as_ref().map_or(0, |v| v.0.len()),
                sql = %readable(&info.statement.sql),
                "slow statement"
            );
        }
    });
    Ok((db, counter))
}

/// The longest SQL text a log line carries; a bulk insert's placeholder list is cut.
const LOGGED_SQL_CHARS: usize = 400;

/// `sql` as a log line shows it: whole when short, else its first [`LOGGED_SQL_CHARS`]
/// characters and how many were left out.
fn readable(sql: &str) -> std::borrow::Cow<'_, str> {
    match sql.char_indices().nth(LOGGED_SQL_CHARS) {
        None => std::borrow::Cow::Borrowed(sql),
        Some((cut, _)) => std::borrow::Cow::Owned(format!(
            "{} … ({} more characters)",
            &sql[..cut],
            sql[cut..].chars().count()
        )),
    }
}

/// How long a pooled connection may sit idle before it is pinged on its way out of the pool.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(1);

/// The pool's options for `settings`: size, time-outs, and SQLite's tuning.
fn options(settings: &Settings) -> ConnectOptions {
    let mut options = ConnectOptions::new(settings.database_url().expose_secret().to_owned());
    options
        .max_connections(settings.db_max_connections)
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        // A connection is pinged before it is handed out only when it has been idle a while:
        // one that answered within the last second is alive, and pinging it would cost every
        // statement a second round trip to the database. (The pool also pings each connection
        // as it is returned, and drops the ones that fail.)
        .test_before_acquire_if_idle_for(IDLE_BEFORE_PING)
        .sqlx_logging(false)
        // WAL lets readers proceed while a write commits; the busy timeout queues writers
        // instead of failing them.
        .map_sqlx_sqlite_opts(|o| {
            o.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(5))
                .foreign_keys(true)
        });
    options
}

/// A pool of two for the quota counters on PostgreSQL. Their commits do not wait for the disk
/// (`synchronous_commit = off`): a crash may forget the last moments of charges, which costs
/// nothing, while waiting for each flush would queue every request of a caller behind the one
/// counter row it updates.
pub async fn connect_quota(settings: &Settings) -> anyhow::Result<DatabaseConnection> {
    let mut options = options(settings);
    options
        .max_connections(2)
        .map_sqlx_postgres_opts(|o| o.options([("synchronous_commit", "off")]));
    Database::connect(options)
        .await
        .context("connecting to PostgreSQL for quotas (DATABASE_URL)")
}

pub async fn migrate(db: &DatabaseConnection) -> anyhow::Result<()> {
    Migrator::up(db, None)
        .await
        .context("applying database migrations")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_sql_is_cut_to_a_readable_length_and_says_how_much_was_left_out() {
        let short = "SELECT 1";
        assert_eq!(readable(short), short);
        let values: Vec<String> = (1..=800).map(|n| format!("(${n})")).collect();
        let long = format!("INSERT INTO t (a) VALUES {}", values.join(", "));
        let shown = readable(&long);
        assert!(
            shown.starts_with("INSERT INTO t (a) VALUES ($1), ($2)"),
            "{shown}"
        );
        let left_out = long.chars().count() - LOGGED_SQL_CHARS;
        assert!(
            shown.ends_with(&format!("… ({left_out} more characters)")),
            "{shown}"
        );
        assert!(shown.chars().count() < LOGGED_SQL_CHARS + 40);
        // A cut never falls inside a character.
        let chinese = "南".repeat(LOGGED_SQL_CHARS + 5);
        assert!(readable(&chinese).ends_with("… (5 more characters)"));
    }
}
