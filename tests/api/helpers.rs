//! Spawning the real application for a test: a real port (0, so tests run in parallel), a fresh
//! database of its own — a SQLite file in a temporary directory, or, when `DATABASE_URL` names a
//! PostgreSQL server, a new database created on it for this test alone.

use std::sync::{Arc, Once};

use ganbridge::app::Application;
use ganbridge::config::Settings;
use ganbridge::db::StatementCounter;
use ganbridge::domain::{Actor, Role};
use ganbridge::services::access::{self, NewKey};
use ganbridge::services::write::Writer;
use sea_orm::ConnectionTrait;
use secrecy::SecretString;
use serde_json::{Value, json};

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    pub statements: StatementCounter,
    /// Which store this test runs on, for messages.
    pub store: &'static str,
    pub db: sea_orm::DatabaseConnection,
    /// The settings it runs with, to start another server on the same data.
    pub settings: Settings,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    data_dir: Arc<tempfile::TempDir>,
}

static BANNER: Once = Once::new();

pub fn postgres_admin_url() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres"))
}

/// Creates an empty PostgreSQL database and returns its URL.
pub async fn fresh_postgres(admin_url: &str) -> String {
    let name = format!("ganbridge_test_{}", uuid::Uuid::new_v4().simple());
    let admin = sea_orm::Database::connect(admin_url)
        .await
        .expect("connecting to DATABASE_URL");
    admin
        .execute_unprepared(&format!(r#"CREATE DATABASE "{name}""#))
        .await
        .expect("creating a test database");
    let _ = admin.close().await;
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("DATABASE_URL names a database");
    format!("{base}/{name}")
}

/// An empty database of the store the tests run on, with nothing applied: a SQLite file in the
/// returned directory, or a new PostgreSQL database.
pub async fn empty_database() -> (sea_orm::DatabaseConnection, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("creating a temporary directory");
    let url = match postgres_admin_url() {
        Some(admin) => fresh_postgres(&admin).await,
        None => format!(
            "sqlite://{}?mode=rwc",
            dir.path().join("empty.db").display()
        ),
    };
    let db = sea_orm::Database::connect(&url)
        .await
        .expect("connecting to an empty database");
    (db, dir)
}

/// Starts the application; with `demo`, on the demo dataset.
pub async fn spawn_app(demo: bool) -> TestApp {
    spawn_app_with(demo, |_| {}).await
}

/// Starts the application on the database at `database_url`, which it owns for the test.
pub async fn spawn_app_at(
    demo: bool,
    database_url: &str,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    let data_dir = Arc::new(tempfile::tempdir().expect("creating a temporary directory"));
    let mut settings = Settings {
        listen: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        demo,
        db_max_connections: 5,
        database_url: Some(SecretString::from(database_url.to_owned())),
        drain_secs: 0,
        ..Settings::default()
    };
    configure(&mut settings);
    let store = if database_url.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    start(settings, store, data_dir).await
}

/// Starts the application with adjusted settings.
pub async fn spawn_app_with(demo: bool, configure: impl FnOnce(&mut Settings)) -> TestApp {
    let data_dir = Arc::new(tempfile::tempdir().expect("creating a temporary directory"));
    let mut settings = Settings {
        listen: "127.0.0.1:0".into(),
        data_dir: data_dir.path().to_path_buf(),
        demo,
        db_max_connections: 5,
        drain_secs: 0,
        ..Settings::default()
    };
    let store = match postgres_admin_url() {
        Some(admin) => {
            settings.database_url = Some(SecretString::from(fresh_postgres(&admin).await));
            "postgres"
        }
        None => "sqlite",
    };
    configure(&mut settings);
    BANNER.call_once(|| {
        eprintln!("integration tests run on {store}");
        // TEST_LOG=1 shows the server's logs, internal errors included.
        if std::env::var_os("TEST_LOG").is_some() {
            ganbridge::telemetry::init(ganbridge::config::LogFormat::Pretty);
        }
    });
    start(settings, store, data_dir).await
}

async fn start(
    settings: Settings,
    store: &'static str,
    data_dir: Arc<tempfile::TempDir>,
) -> TestApp {
    let app = Application::build(&settings)
        .await
        .expect("building the application");
    let address = format!("http://{}", app.address());
    let statements = app.statements();
    let db = app.db().clone();
    let (shutdown, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
    }));
    TestApp {
        address,
        client: reqwest::Client::new(),
        statements,
        store,
        db,
        settings,
        shutdown: Some(shutdown),
        server: Some(server),
        data_dir,
    }
}

impl TestApp {
    /// Stops this server (in-flight requests finish, the sync worker stops between batches)
    /// and starts another on the same database and data directory, with adjusted settings.
    pub async fn restart_with(mut self, configure: impl FnOnce(&mut Settings)) -> TestApp {
        self.shut_down().await;
        let _ = self.db.clone().close().await;
        let mut settings = self.settings.clone();
        settings.demo = false;
        configure(&mut settings);
        start(settings, self.store, self.data_dir.clone()).await
    }

    /// Shuts this server down as `ganbridge serve` does on a signal, and waits until it has.
    pub async fn stop(mut self) {
        self.shut_down().await;
    }

    async fn shut_down(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(server) = self.server.take() {
            server
                .await
                .expect("the server task")
                .expect("a clean shutdown");
        }
    }

    /// Starts a second server on the same database (with a data directory of its own), as a
    /// second process behind a load balancer would run.
    pub async fn sibling(&self) -> TestApp {
        let data_dir = Arc::new(tempfile::tempdir().expect("creating a temporary directory"));
        let mut settings = self.settings.clone();
        settings.demo = false;
        settings.data_dir = data_dir.path().to_path_buf();
        start(settings, self.store, data_dir).await
    }

    /// Runs a GraphQL operation over HTTP and returns the whole response body.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("sending the request");
        response.json().await.expect("a JSON body")
    }

    /// Runs an operation that must succeed and returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = self.graphql(query, variables).await;
        assert!(
            body.get("errors").is_none(),
            "unexpected errors on {}: {body:#}",
            self.store
        );
        body["data"].clone()
    }

    /// Runs an operation that must fail and returns its first error's code and message.
    pub async fn error(&self, query: &str, variables: Value) -> (String, String) {
        let body = self.graphql(query, variables).await;
        let error = &body["errors"][0];
        assert!(!error.is_null(), "expected an error, got {body:#}");
        (
            error["extensions"]["code"]
                .as_str()
                .unwrap_or("<no code>")
                .to_owned(),
            error["message"].as_str().unwrap_or_default().to_owned(),
        )
    }

    /// Runs a GraphQL operation with an API key (`None`: anonymously); answers the HTTP status
    /// and the whole body.
    pub async fn graphql_as(
        &self,
        key: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut request = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.expect("sending the request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    /// Runs an operation with a key that must succeed, and returns its `data`.
    pub async fn data_as(&self, key: &str, query: &str, variables: Value) -> Value {
        let (_, body) = self.graphql_as(Some(key), query, variables).await;
        assert!(
            body.get("errors").is_none(),
            "unexpected errors on {}: {body:#}",
            self.store
        );
        body["data"].clone()
    }

    /// Creates an API key directly, as `ganbridge keys create` does; answers the key.
    pub async fn key(&self, role: Role, company: Option<i64>, counterpart: Option<i64>) -> String {
        let events = ganbridge::events::EventBus::new(false);
        let wake = tokio::sync::Notify::new();
        let writer = Writer {
            db: &self.db,
            actor: Actor::CLI_ADMIN,
            events: &events,
            search_wake: &wake,
            claim: None,
            ocid_prefix: &ganbridge::domain::OcidPrefix::default(),
        };
        access::create(
            &writer,
            NewKey {
                name: format!("{role:?} test key"),
                role,
                company_id: company,
                counterpart_id: counterpart,
            },
        )
        .await
        .expect("creating a key")
        .secret
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("sending the request")
    }
}

/// The `persistedQuery` request extension naming `query` by its SHA-256.
pub fn persisted(query: &str) -> Value {
    use sha2::Digest;
    let hash: String = sha2::Sha256::digest(query.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

impl TestApp {
    /// POSTs `query` with the request extensions `extensions`; answers the whole body.
    pub async fn post_with_extensions(&self, query: &str, extensions: &Value) -> Value {
        self.client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "extensions": extensions }))
            .send()
            .await
            .expect("sending the request")
            .json()
            .await
            .expect("a JSON body")
    }

    /// GETs `/graphql` with the request extensions `extensions` alone (a persisted query's
    /// hash, say).
    pub async fn get_with_extensions(&self, extensions: &Value) -> reqwest::Response {
        self.client
            .get(format!("{}/graphql", self.address))
            .query(&[("extensions", extensions.to_string())])
            .send()
            .await
            .expect("sending the request")
    }
}

/// Says, past the test harness's output capture so that it shows in every run, that a test
/// did not run here and why.
pub fn loud_skip(what: &str, why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "\n*** SKIPPED: {what} — {why} ***\n");
}

/// A port nothing listens on now (it was free a moment ago).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// Waits until a server started as a process of its own answers `/healthz` at `address`.
pub async fn wait_until_up(address: &str, within: std::time::Duration) {
    let client = reqwest::Client::new();
    let deadline = std::time::Instant::now() + within;
    while client
        .get(format!("{address}/healthz"))
        .send()
        .await
        .is_err()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "ganbridge serve never answered at {address}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
