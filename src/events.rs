//! Events that subscriptions deliver: a tender was published, a bid was received.
//!
//! A write stages its events inside its transaction and they go out only when it commits. On
//! PostgreSQL they travel through `NOTIFY` (sent at commit, to every server process listening,
//! this one included), so servers behind one load balancer all deliver them; on SQLite, which
//! serves one process, an in-process channel carries them after the commit.

use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};

use crate::error::AppResult;

/// The PostgreSQL channel the servers listen on.
pub const CHANNEL: &str = "ganbridge_events";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Event {
    TenderPublished { tender_id: i64 },
    BidReceived { tender_id: i64, bid_id: i64 },
}

#[derive(Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
    via_postgres: bool,
}

impl EventBus {
    /// A bus; `via_postgres` when the store is PostgreSQL and [`listen`] feeds it.
    pub fn new(via_postgres: bool) -> Self {
        let (sender, _) = broadcast::channel(1024);
        Self {
            sender,
            via_postgres,
        }
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// Stages an event in the writer's transaction: on PostgreSQL it is a `NOTIFY`, which the
    /// database delivers at commit and drops on rollback.
    pub(crate) async fn stage(&self, txn: &DatabaseTransaction, event: &Event) -> AppResult<()> {
        if self.via_postgres {
            let payload = serde_json::to_string(event).map_err(crate::error::AppError::internal)?;
            txn.execute_raw(Statement::from_sql_and_values(
                DbBackend::Postgres,
                "SELECT pg_notify($1, $2)",
                [CHANNEL.into(), payload.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// Delivers a committed transaction's events in this process (SQLite only: on PostgreSQL
    /// they come back through the listener).
    pub(crate) fn committed(&self, events: Vec<Event>) {
        if !self.via_postgres {
            for event in events {
                // No subscriber is not an error.
                let _ = self.sender.send(event);
            }
        }
    }

    fn deliver(&self, event: Event) {
        let _ = self.sender.send(event);
    }
}

/// Listens on PostgreSQL for the events of every server process and delivers them here, until
/// `shutdown`. A lost connection is re-established; events sent while it was down are lost to
/// live subscribers (a subscription is a live feed, not a log).
pub async fn listen(database_url: String, bus: EventBus, mut shutdown: watch::Receiver<bool>) {
    use sea_orm::sqlx::postgres::PgListener;
    let mut delay = std::time::Duration::from_millis(250);
    loop {
        let mut listener = match PgListener::connect(&database_url).await {
            Ok(listener) => listener,
            Err(error) => {
                tracing::warn!(%error, "event listener: cannot connect; retrying");
                tokio::select! {
                    _ = tokio::time::sleep(delay) => {}
                    _ = shutdown.changed() => return,
                }
                delay = (delay * 2).min(std::time::Duration::from_secs(30));
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "event listener: LISTEN failed; retrying");
            tokio::select! {
                _ = tokio::time::sleep(delay) => {}
                _ = shutdown.changed() => return,
            }
            continue;
        }
        delay = std::time::Duration::from_millis(250);
        loop {
            tokio::select! {
                received = listener.try_recv() => match received {
                    Ok(Some(notification)) => {
                        match serde_json::from_str::<Event>(notification.payload()) {
                            Ok(event) => bus.deliver(event),
                            Err(error) => tracing::warn!(%error, "event listener: unreadable event"),
                        }
                    }
                    // The connection was lost; `try_recv` reconnects on the next call.
                    Ok(None) => tracing::warn!("event listener: connection lost; reconnecting"),
                    Err(error) => {
                        tracing::warn!(%error, "event listener failed; reconnecting");
                        break;
                    }
                },
                _ = shutdown.changed() => return,
            }
        }
    }
}
