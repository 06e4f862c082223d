//! `ganbridge check-config`: validates the configuration and reaches each service it names,
//! saying for each what is wrong, before a deployment finds out.

use std::net::SocketAddr;

use migration::MigratorTrait;
use sea_orm::ConnectionTrait;

use crate::config::{Settings, Store};

/// One check's outcome.
pub struct Check {
    pub name: &'static str,
    pub ok: bool,
    pub message: String,
}

fn check(name: &'static str, result: Result<String, String>) -> Check {
    match result {
        Ok(message) => Check {
            name,
            ok: true,
            message,
        },
        Err(message) => Check {
            name,
            ok: false,
            message,
        },
    }
}

fn writable(dir: &std::path::Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let probe = dir.join(".ganbridge-check");
    std::fs::write(&probe, b"ok").map_err(|e| format!("cannot write in {}: {e}", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

pub async fn run(settings: &Settings) -> Vec<Check> {
    let mut checks = Vec::new();
    checks.push(check(
        "listen",
        settings
            .listen
            .parse::<SocketAddr>()
            .map(|a| format!("{a}"))
            .map_err(|_| {
                format!(
                    "'{}' is not an address and port, e.g. 0.0.0.0:8080",
                    settings.listen
                )
            }),
    ));
    let mut limits = Vec::new();
    if settings.db_max_connections == 0 {
        limits.push("db_max_connections must be at least 1".to_owned());
    }
    if settings.max_query_cost == 0 || settings.max_query_bytes == 0 || settings.max_body_bytes == 0
    {
        limits
            .push("max_query_cost, max_query_bytes and max_body_bytes must be above 0".to_owned());
    }
    if settings.max_body_bytes < settings.max_query_bytes {
        limits.push(
            "max_body_bytes is below max_query_bytes: no query that long could arrive".to_owned(),
        );
    }
    if settings.quota_anonymous <= 0 || settings.quota_key <= 0 || settings.quota_partner <= 0 {
        limits.push("every quota must be above 0".to_owned());
    }
    for origin in settings
        .cors_allowed_origins
        .split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
    {
        if !(origin.starts_with("https://") || origin.starts_with("http://")) {
            limits.push(format!("CORS origin '{origin}' is not http(s)://host"));
        }
    }
    checks.push(check(
        "limits",
        if limits.is_empty() {
            Ok(format!(
                "query cost ≤ {}, quotas {} / {} / {} points per {} s",
                settings.max_query_cost,
                settings.quota_anonymous,
                settings.quota_key,
                settings.quota_partner,
                settings.quota_window_secs
            ))
        } else {
            Err(limits.join("; "))
        },
    ));

    let database = async {
        let store = settings.store();
        let (db, _) = crate::db::connect(settings)
            .await
            .map_err(|e| format!("{e:#}"))?;
        db.execute_unprepared("SELECT 1")
            .await
            .map_err(|e| format!("connected, but a query failed: {e}"))?;
        let pending = migration::Migrator::get_pending_migrations(&db)
            .await
            .map(|p| p.len())
            .unwrap_or(usize::MAX);
        let what = match store {
            Store::Postgres => "PostgreSQL reachable".to_owned(),
            Store::Sqlite(path) => format!("SQLite at {}", path.display()),
        };
        let _ = db.close().await;
        Ok(match pending {
            0 => format!("{what}, schema up to date"),
            usize::MAX => format!("{what}, no schema yet (the first start creates it)"),
            n => format!("{what}, {n} migrations to apply at the next start"),
        })
    };
    checks.push(check("database", database.await));

    if matches!(settings.store(), Store::Sqlite(_)) || settings.meili_url.is_none() {
        checks.push(check(
            "data directory",
            writable(&settings.data_dir)
                .map(|()| format!("{} is writable", settings.data_dir.display())),
        ));
    }

    let search = async {
        match &settings.meili_url {
            None => Ok("the embedded engine, in the data directory".to_owned()),
            Some(url) => {
                if settings.meili_master_key.is_none() {
                    return Err(format!(
                        "Meilisearch at {url} is configured without MEILI_MASTER_KEY"
                    ));
                }
                let engine = crate::search::open(settings).map_err(|e| format!("{e}"))?;
                engine
                    .health()
                    .await
                    .map(|()| format!("Meilisearch at {url} answers"))
                    .map_err(|e| format!("Meilisearch at {url} does not answer: {e}"))
            }
        }
    };
    checks.push(check("search", search.await));
    checks
}
