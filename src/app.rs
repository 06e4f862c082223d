//! Building the application: database, migrations, reference data, the optional demo load, the
//! search engine and its sync worker, the schema, and a bound listener. Tests build it exactly
//! as `ganbridge serve` does, on port 0.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use sea_orm::DatabaseConnection;
use secrecy::ExposeSecret;
use tokio::sync::{Notify, watch};

use crate::config::Settings;
use crate::db::{self, StatementCounter};
use crate::domain::OcidPrefix;
use crate::events::{self, EventBus};
use crate::graphql::documents::Documents;
use crate::graphql::{self, ApiState, RequestLimits};
use crate::http;
use crate::search::{self, SearchEngine};
use crate::seed;
use crate::services::quota::QuotaStore;
use crate::services::reference;
use crate::services::sync::{SyncHealth, SyncWorker};

pub struct Application {
    acceptor: TcpAcceptor,
    address: SocketAddr,
    state: ApiState,
    statements: StatementCounter,
    worker: SyncWorker,
    listen_url: Option<String>,
    /// Tells websocket connections that the server is shutting down.
    closing: watch::Sender<bool>,
    /// How long the server keeps answering, draining, after the shutdown signal.
    drain: std::time::Duration,
    open_data: Arc<crate::ocds::OpenData>,
}

/// Where the index stands before the server listens. On the embedded engine an empty index over
/// a small database (the demo's) is built now, so the first request finds everything; on
/// Meilisearch, or over a larger database, the sync worker builds it while `/readyz` and
/// `search` say so. An unreachable Meilisearch leaves the state unknown for the worker to settle.
async fn index_before_listening(
    settings: &Settings,
    db: &DatabaseConnection,
    reference: &crate::services::reference::Reference,
    engine: &dyn SearchEngine,
    health: &SyncHealth,
) -> anyhow::Result<()> {
    if settings.meili_url.is_none() {
        crate::services::sync::fill_if_incomplete(
            db,
            reference,
            engine,
            health,
            Some(settings.index_before_listening),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("building the search index")?;
        return Ok(());
    }
    // Only a look: whether the index lacks objects, with a bound on how long Meilisearch may take.
    let looked = tokio::time::timeout(
        std::time::Duration::from_secs(3),
        crate::services::sync::fill_if_incomplete(db, reference, engine, health, Some(0)),
    )
    .await;
    match looked {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            tracing::warn!(error = ?e, "the search engine did not answer at start; the sync worker will retry")
        }
        Err(_) => tracing::warn!(
            "the search engine did not answer within 3 s at start; the sync worker will retry"
        ),
    }
    Ok(())
}

/// The ocid prefix the settings give, checked.
pub fn ocid_prefix(settings: &Settings) -> anyhow::Result<OcidPrefix> {
    OcidPrefix::parse(settings.ocid_prefix.trim())
        .map_err(|e| anyhow::anyhow!(e))
        .context("GANBRIDGE_OCID_PREFIX")
}

/// Where the public reaches this deployment: the setting, or `http://` and the bound address
/// (`localhost` for an address bound on every interface, which no client can reach as such).
fn public_url(settings: &Settings, address: SocketAddr) -> anyhow::Result<String> {
    let Some(url) = settings.public_url.as_deref().map(str::trim) else {
        if address.ip().is_unspecified() {
            tracing::warn!(
                "GANBRIDGE_PUBLIC_URL is not set: the open data links to http://localhost:{}",
                address.port()
            );
            return Ok(format!("http://localhost:{}", address.port()));
        }
        return Ok(format!("http://{address}"));
    };
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or_default();
    if rest.is_empty() || rest.starts_with('/') || url.contains(char::is_whitespace) {
        anyhow::bail!(
            "GANBRIDGE_PUBLIC_URL: '{url}' is not an absolute http(s) URL (e.g. https://data.example.gov.cn)"
        );
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// What the migrations' tables hold that is derived from the records, written once for a
/// database from before them: the statistics rollups, and one release for each tender posted
/// before releases were kept (from its state then). The migrations cannot write these (they
/// know nothing of the mapping), so every start does, and so does `ganbridge migrate`; a
/// database that has them is left as it is.
pub async fn derive_missing(db: &DatabaseConnection) -> anyhow::Result<()> {
    if let Some(rows) = crate::services::rollup::ensure(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("building the statistics rollups")?
    {
        tracing::info!(rows, "statistics rollups built from the records");
    }
    let written = crate::services::release::ensure(db)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))
        .context("writing the releases of earlier tenders")?;
    if written > 0 {
        tracing::info!(tenders = written, "releases written for earlier tenders");
    }
    Ok(())
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let ocid_prefix = ocid_prefix(settings)?;
        let (db, statements) = db::connect_requests(settings).await?;
        db::migrate(&db).await?;
        reference::ensure(&db)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .context("writing reference data")?;
        if settings.demo {
            match seed::load(&db, crate::domain::today(), &ocid_prefix).await {
                Ok(seed::DemoOutcome::Loaded {
                    companies,
                    certifications,
                    tenders,
                }) => {
                    tracing::info!(
                        companies,
                        certifications,
                        tenders,
                        "loaded the demo dataset into the empty database"
                    )
                }
                Ok(seed::DemoOutcome::AlreadyPopulated { .. }) => {}
                Err(e) => return Err(anyhow::anyhow!("{e:?}")).context("loading the demo dataset"),
            }
        }
        derive_missing(&db).await?;
        let reference = reference::load(&db)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let engine = search::open(settings).context("opening the search engine")?;
        let health = Arc::new(SyncHealth::default());
        index_before_listening(settings, &db, &reference, engine.as_ref(), &health).await?;
        let acceptor = TcpListener::bind(settings.listen.clone())
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("reading the bound address")?;
        let public_url = public_url(settings, address)?;
        // The sync worker has a small pool of its own: it never takes a connection a request
        // is waiting for, and its statements are counted apart.
        let mut worker_settings = settings.clone();
        worker_settings.db_max_connections = 2;
        let (worker_db, _) = db::connect(&worker_settings).await?;
        let worker = SyncWorker {
            db: worker_db,
            reference: reference.clone(),
            engine: engine.clone(),
            wake: Arc::new(Notify::new()),
            health,
        };
        // On PostgreSQL, events travel through LISTEN/NOTIFY on a connection of their own.
        let listen_url = match settings.store() {
            crate::config::Store::Postgres => {
                Some(settings.database_url().expose_secret().to_owned())
            }
            _ => None,
        };
        // Quotas are shared through the database on PostgreSQL, kept in memory on SQLite. On
        // PostgreSQL they have a small pool of their own: charging a quota never waits behind
        // requests for a connection, and its statements are not counted as theirs.
        let quota = match settings.store() {
            crate::config::Store::Postgres => {
                QuotaStore::database(db::connect_quota(settings).await?)
            }
            _ => QuotaStore::memory(),
        };
        let (closing, shutdown) = watch::channel(false);
        let metrics = crate::metrics::Metrics::new();
        metrics.adopt(Box::new(statements.histogram()));
        let state = ApiState {
            shutdown,
            draining: Arc::new(std::sync::atomic::AtomicBool::new(false)),
            events: EventBus::new(listen_url.is_some()),
            quota: Arc::new(quota),
            metrics,
            limits: RequestLimits::from_settings(settings),
            documents: Arc::new(Documents::new(settings.max_query_bytes)),
            db,
            reference,
            search: engine,
            search_wake: worker.wake.clone(),
            sync_health: worker.health.clone(),
            outbox_lag_threshold: std::time::Duration::from_secs(
                settings.outbox_lag_threshold_secs,
            ),
            public_url: public_url.clone().into(),
            ocid_prefix: Arc::new(ocid_prefix),
        };
        let open_data = Arc::new(crate::ocds::OpenData {
            publication: crate::ocds::Publication {
                base: public_url.into(),
            },
            bulk: crate::ocds::bulk::Bulk::new(settings.data_dir.join("ocds-bulk")),
        });
        Ok(Self {
            acceptor,
            address,
            state,
            statements,
            worker,
            listen_url,
            closing,
            drain: std::time::Duration::from_secs(settings.drain_secs),
            open_data,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    pub fn search(&self) -> Arc<dyn SearchEngine> {
        self.state.search.clone()
    }

    /// Statements executed so far: what tests count to prove batching.
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }

    /// The HTTP endpoint over this application's state, with no listener and no background
    /// work: what [`Self::run_until`] serves, and a way to drive requests in-process.
    pub fn endpoint(&self) -> poem::endpoint::BoxEndpoint<'static> {
        use poem::{EndpointExt, IntoEndpoint};
        let schema = graphql::schema(self.state.clone());
        http::routes(
            schema,
            self.state.clone(),
            self.statements.clone(),
            self.open_data.clone(),
        )
        .into_endpoint()
        .map_to_response()
        .boxed()
    }

    /// Serves until `shutdown` completes; then drains: for the drain period (`drain_secs`) it
    /// goes on answering while `/readyz` and `/readyz/traffic` answer 503 and every answer
    /// closes its connection, so that a balancer stops sending it requests before it stops
    /// listening. Then it closes websocket connections with a close frame (1001, going away),
    /// lets in-flight requests finish (up to 10 s) and stops the search sync worker at a batch
    /// boundary.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let routes = self.endpoint();
        let (stop_worker, stopped) = watch::channel(false);
        let worker = self.worker.clone();
        let sync = tokio::spawn(worker.run(stopped.clone()));
        let listener = self
            .listen_url
            .map(|url| tokio::spawn(events::listen(url, self.state.events.clone(), stopped)));
        let closing = self.closing;
        let draining = self.state.draining.clone();
        let drain = self.drain;
        let shutdown = async move {
            shutdown.await;
            draining.store(true, std::sync::atomic::Ordering::SeqCst);
            if !drain.is_zero() {
                tracing::info!(
                    seconds = drain.as_secs_f64(),
                    "draining: still answering while /readyz says so, then stopping"
                );
                tokio::time::sleep(drain).await;
            }
            // Websocket clients get a close frame now; HTTP requests in flight finish.
            let _ = closing.send(true);
        };
        let served = poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(routes, shutdown, Some(std::time::Duration::from_secs(10)))
            .await
            .context("serving HTTP");
        let _ = stop_worker.send(true);
        let _ = sync.await;
        if let Some(listener) = listener {
            let _ = listener.await;
        }
        served
    }
}
