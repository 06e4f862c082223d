//! Settings: defaults, then an optional TOML file, then environment variables.
//!
//! The file is `ganbridge.toml` in the working directory, or the path in `GANBRIDGE_CONFIG`.
//! Every setting can be given as `GANBRIDGE_<NAME>` (e.g. `GANBRIDGE_LISTEN`); the database URL
//! also as the conventional `DATABASE_URL`, Meilisearch's as `MEILI_URL` and `MEILI_MASTER_KEY`. The defaults run the embedded mode: SQLite under
//! `./data`, nothing to install.

use std::path::PathBuf;

use figment::Figment;
use figment::providers::{Env, Format, Toml};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address the HTTP server binds, e.g. `127.0.0.1:8080` (port 0 picks a free port).
    pub listen: String,
    /// Where the embedded database (and later the embedded search index) live.
    pub data_dir: PathBuf,
    /// A `postgres://` URL selects PostgreSQL; unset means SQLite at `<data_dir>/ganbridge.db`.
    pub database_url: Option<SecretString>,
    /// Load the demo dataset when the database holds no companies yet.
    pub demo: bool,
    /// Largest number of pooled database connections.
    pub db_max_connections: u32,
    /// `pretty` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Meilisearch's address; unset means the embedded engine in `<data_dir>/search/`.
    pub meili_url: Option<String>,
    pub meili_master_key: Option<SecretString>,
    /// The Meilisearch index Ganbridge owns.
    pub meili_index: String,
    /// `/readyz` fails when the oldest unapplied search change is older than this.
    pub outbox_lag_threshold_secs: u64,
    /// An empty embedded index over a database of at most this many objects (companies,
    /// tenders, parks) is built before the server listens; a larger one is built by the sync
    /// worker while the server answers, saying so.
    pub index_before_listening: u64,
    /// The most a query may cost (a connection costs its page size times what it selects).
    pub max_query_cost: usize,
    /// The longest query text, in bytes.
    pub max_query_bytes: usize,
    /// The largest request body, in bytes.
    pub max_body_bytes: usize,
    /// A request still running after this many seconds is answered 503.
    pub request_timeout_secs: u64,
    /// After SIGTERM (or Ctrl-C) the server keeps answering for this many seconds while
    /// `/readyz` and `/readyz/traffic` say it is draining, so that a balancer's health check
    /// takes it out of rotation before it stops listening; then requests in flight finish.
    pub drain_secs: u64,
    /// The length of a quota window.
    pub quota_window_secs: u64,
    /// Points per window for an anonymous caller (per client address).
    pub quota_anonymous: i64,
    /// Points per window for an admin, company or counterpart key.
    pub quota_key: i64,
    /// Points per window for a partner key.
    pub quota_partner: i64,
    /// Take the client address from `X-Forwarded-For` (set only behind a proxy that writes it).
    pub trust_forwarded_for: bool,
    /// Statements slower than this many milliseconds are logged (their SQL, not their values).
    pub slow_query_ms: u64,
    /// Origins whose pages may call the API from a browser, comma-separated
    /// (`https://park.example,https://portal.example`); empty: none.
    pub cors_allowed_origins: String,
    /// How long a mutation's `Idempotency-Key` is remembered (and its answer replayed).
    pub idempotency_retention_secs: u64,
    /// The address the public reaches this deployment at (`https://data.example.gov.cn`),
    /// for the absolute links of the open data; unset: `http://` and the listen address.
    pub public_url: Option<String>,
    /// The prefix of the ocids given to new tenders: `ocds-` and six letters or digits,
    /// registered with the Open Contracting Partnership.
    pub ocid_prefix: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Pretty,
    Json,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            demo: true,
            db_max_connections: 10,
            log_format: LogFormat::Pretty,
            meili_url: None,
            meili_master_key: None,
            meili_index: "ganbridge".into(),
            outbox_lag_threshold_secs: 60,
            index_before_listening: 5_000,
            max_query_cost: 25_000,
            max_query_bytes: 100_000,
            max_body_bytes: 1_000_000,
            request_timeout_secs: 15,
            drain_secs: 5,
            quota_window_secs: 60,
            quota_anonymous: 50_000,
            quota_key: 200_000,
            quota_partner: 1_000_000,
            trust_forwarded_for: false,
            cors_allowed_origins: String::new(),
            slow_query_ms: 500,
            idempotency_retention_secs: 86_400,
            public_url: None,
            ocid_prefix: "ocds-gnbrdg".into(),
        }
    }
}

/// Which database a setting selects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Store {
    Sqlite(PathBuf),
    Postgres,
}

impl Settings {
    pub fn load() -> Result<Self, Box<figment::Error>> {
        let file = std::env::var("GANBRIDGE_CONFIG").unwrap_or_else(|_| "ganbridge.toml".into());
        Figment::new()
            .merge(Toml::file(file))
            .merge(Env::prefixed("GANBRIDGE_").ignore(&["CONFIG"]))
            .merge(Env::raw().only(&["DATABASE_URL", "MEILI_URL", "MEILI_MASTER_KEY"]))
            .extract()
            .map_err(Box::new)
    }

    pub fn store(&self) -> Store {
        match &self.database_url {
            Some(url) if url.expose_secret().starts_with("postgres") => Store::Postgres,
            Some(url) => Store::Sqlite(PathBuf::from(
                url.expose_secret()
                    .trim_start_matches("sqlite://")
                    .split('?')
                    .next()
                    .unwrap_or_default(),
            )),
            None => Store::Sqlite(self.data_dir.join("ganbridge.db")),
        }
    }

    /// The URL to connect to. It may carry a password: never log it.
    pub fn database_url(&self) -> SecretString {
        match (&self.database_url, self.store()) {
            (Some(url), Store::Postgres) => url.clone(),
            (_, Store::Sqlite(path)) => {
                SecretString::from(format!("sqlite://{}?mode=rwc", path.display()))
            }
            (None, Store::Postgres) => SecretString::from(String::new()),
        }
    }
}
