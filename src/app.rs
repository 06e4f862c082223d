//! Building the application: database, migrations, reference data, the optional demo load, the
//! schema, and a bound listener. Tests build it exactly as `ganbridge serve` does, on port 0.

use std::net::SocketAddr;

use anyhow::Context;
use poem::listener::{Acceptor, Listener, TcpAcceptor, TcpListener};
use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::db::{self, StatementCounter};
use crate::graphql::{self, ApiState};
use crate::http;
use crate::services::{demo, reference};

pub struct Application {
    acceptor: TcpAcceptor,
    address: SocketAddr,
    state: ApiState,
    statements: StatementCounter,
}

impl Application {
    pub async fn build(settings: &Settings) -> anyhow::Result<Self> {
        let (db, statements) = db::connect(settings).await?;
        db::migrate(&db).await?;
        reference::ensure(&db)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))
            .context("writing reference data")?;
        if settings.demo {
            match demo::load(&db, crate::domain::today()).await {
                Ok(demo::DemoOutcome::Loaded {
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
                Ok(demo::DemoOutcome::AlreadyPopulated { .. }) => {}
                Err(e) => return Err(anyhow::anyhow!("{e:?}")).context("loading the demo dataset"),
            }
        }
        let reference = reference::load(&db)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let acceptor = TcpListener::bind(settings.listen.clone())
            .into_acceptor()
            .await
            .with_context(|| format!("binding {}", settings.listen))?;
        let address = acceptor
            .local_addr()
            .first()
            .and_then(|a| a.as_socket_addr().copied())
            .context("reading the bound address")?;
        Ok(Self {
            acceptor,
            address,
            state: ApiState { db, reference },
            statements,
        })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.state.db
    }

    /// Statements executed so far: what tests count to prove batching.
    pub fn statements(&self) -> StatementCounter {
        self.statements.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests finish (up to 10 s).
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let schema = graphql::schema(self.state.clone());
        let routes = http::routes(schema, self.state, self.statements);
        poem::Server::new_with_acceptor(self.acceptor)
            .run_with_graceful_shutdown(routes, shutdown, Some(std::time::Duration::from_secs(10)))
            .await
            .context("serving HTTP")
    }
}
