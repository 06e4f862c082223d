//! The operational endpoints: `/healthz` (the process is up), `/readyz` (it can serve),
//! `/readyz/traffic` (a balancer should send it requests) and `/metrics` (Prometheus text). They are public: what they say is codes and counts, never an
//! internal error's text, which goes to the log.

use std::sync::atomic::Ordering;

use poem::http::StatusCode;
use poem::web::{Data, Json};
use poem::{IntoResponse, Response, handler};
use serde_json::json;

use crate::db::StatementCounter;
use crate::graphql::ApiState;

/// The process is up.
#[handler]
pub(super) fn healthz() -> &'static str {
    "ok"
}

/// The process can serve: its database answers, its search engine answers, the search index
/// holds the database's objects (`search.index` is `building` while it is filled from empty,
/// `unknown` until the engine has answered once), and it is not further behind the database
/// than the threshold allows; and it is not draining (shutting down).
#[handler]
pub(super) async fn readyz(state: Data<&ApiState>) -> Response {
    let database = state.db.ping().await;
    if let Err(error) = &database {
        tracing::warn!(%error, "readiness check: database unreachable");
    }
    let search = state.search.health().await;
    if let Err(error) = &search {
        tracing::warn!(%error, "readiness check: search engine unreachable");
    }
    let outbox = match &database {
        Ok(()) => crate::services::outbox::status(&state.db).await.ok(),
        Err(_) => None,
    };
    let age = outbox
        .and_then(|o| o.oldest)
        .map(|oldest| (chrono::Utc::now() - oldest).num_milliseconds().max(0) as f64 / 1000.0)
        .unwrap_or(0.0);
    let threshold = state.outbox_lag_threshold.as_secs_f64();
    let lagging = age > threshold;
    let last_sync_error = state.sync_health.last_error.lock().ok().and_then(|e| *e);
    let index = state.sync_health.index();
    let draining = state.draining.load(Ordering::SeqCst);
    let ready = !draining
        && database.is_ok()
        && search.is_ok()
        && index == crate::services::sync::IndexState::Ready
        && outbox.is_some()
        && !lagging;
    let body = json!({
        "ready": ready,
        "draining": draining,
        "database": if database.is_ok() { "ok" } else { "unreachable" },
        "search": {
            "engine": state.search.name(),
            "status": if search.is_ok() { "ok" } else { "unreachable" },
            "index": index.as_str(),
            "lastSyncError": last_sync_error,
        },
        "outbox": {
            "depth": outbox.map(|o| o.depth),
            "oldestAgeSeconds": age,
            "thresholdSeconds": threshold,
            "lagging": lagging,
        },
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Json(body).with_status(status).into_response()
}

/// Whether a balancer should send this server requests: 503 while it drains (after its
/// shutdown signal) or while it fills an index of its own (the embedded engine's) from empty,
/// 200 otherwise. Unlike `/readyz` it does not follow what every server shares (the database,
/// the search service and its index): when one of them is down or being filled it is so for
/// all servers alike, and taking them all out of rotation would only turn their precise errors
/// (`SERVICE_UNAVAILABLE`, `SEARCH_UNAVAILABLE`, answered while everything else still works)
/// into the balancer's own.
#[handler]
pub(super) fn traffic(state: Data<&ApiState>) -> Response {
    let draining = state.draining.load(Ordering::SeqCst);
    let index = state.sync_health.index();
    let filling_own_index =
        index == crate::services::sync::IndexState::Building && !state.search.shared();
    let traffic = !draining && !filling_own_index;
    let body = json!({
        "traffic": traffic,
        "draining": draining,
        "index": index.as_str(),
    });
    let status = if traffic {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    Json(body).with_status(status).into_response()
}

/// Prometheus text exposition; the gauges are read at scrape time.
#[handler]
pub(super) async fn metrics(
    state: Data<&ApiState>,
    statements: Data<&StatementCounter>,
) -> Response {
    let m = &state.metrics;
    let (size, idle) = match state.db.get_database_backend() {
        sea_orm::DbBackend::Postgres => {
            let pool = state.db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => {
            let pool = state.db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
    };
    let idle = u32::try_from(idle).unwrap_or(u32::MAX);
    m.db_connections
        .with_label_values(&["idle"])
        .set(i64::from(idle));
    m.db_connections
        .with_label_values(&["in_use"])
        .set(i64::from(size.saturating_sub(idle)));
    m.sync_statements(statements.get());
    if let Ok(outbox) = crate::services::outbox::status(&state.db).await {
        m.outbox
            .with_label_values(&["depth"])
            .set(i64::try_from(outbox.depth).unwrap_or(i64::MAX));
        let age = outbox
            .oldest
            .map(|t| (chrono::Utc::now() - t).num_seconds().max(0))
            .unwrap_or(0);
        m.outbox.with_label_values(&["age_seconds"]).set(age);
    }
    m.render()
        .with_content_type("text/plain; version=0.0.4")
        .into_response()
}
