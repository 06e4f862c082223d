//! The one error policy of the request path.
//!
//! Services return [`AppError`]. A user error carries a stable code (`extensions.code`) and a
//! message written for the caller; anything else is [`AppError::Internal`], which is logged with
//! its full chain and answered as `INTERNAL` without detail, so no SQL or internals reach a
//! client. `anyhow` stays off the request path except inside `Internal`.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql converts every `Display`
//! type into an error with no extensions, which would silently drop the code. The conversion
//! below is the only way out.

use std::sync::Arc;

use async_graphql::ErrorExtensions;

#[derive(Debug, Clone)]
pub enum AppError {
    /// The input is malformed or out of range; `field` names it when known.
    BadUserInput {
        message: String,
        field: Option<String>,
    },
    /// The object does not exist (or is not visible to the caller).
    NotFound(String),
    Unauthenticated,
    Forbidden(String),
    /// The object's state does not allow the change.
    Conflict(String),
    /// The bidder does not meet the tender's criteria: which ones, and why (code `CONFLICT`).
    NotEligible(Vec<crate::services::bid::Shortfall>),
    /// A backing service is unreachable; retrying later may succeed.
    ServiceUnavailable(String),
    /// The search engine is unreachable or failing; the rest of the API still answers.
    SearchUnavailable(String),
    /// The query costs more than any query may.
    TooCostly {
        cost: usize,
        limit: usize,
    },
    /// The caller's quota for this window is spent.
    RateLimited {
        cost: i64,
        remaining: i64,
        retry_after_secs: i64,
    },
    Internal(Arc<anyhow::Error>),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn bad_input(message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: None,
        }
    }

    pub fn bad_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            message: message.into(),
            field: Some(field.into()),
        }
    }

    /// `NOT_FOUND` for the object of `kind` numbered `id`, named by its global ID: the caller
    /// never sees the numbers behind IDs.
    pub fn not_found(kind: crate::domain::global_id::Kind, id: i64) -> Self {
        Self::NotFound(format!(
            "no {} has the ID '{}'",
            kind.name().to_lowercase(),
            crate::domain::global_id::encode(kind, id)
        ))
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(error.into()))
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } | Self::TooCostly { .. } => "BAD_USER_INPUT",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::Conflict(_) | Self::NotEligible(_) => "CONFLICT",
            Self::ServiceUnavailable(_) => "SERVICE_UNAVAILABLE",
            Self::SearchUnavailable(_) => "SEARCH_UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
        }
    }
}

/// Whether a database error means the database is gone for now rather than that the statement
/// was wrong: no connection to be had, the connection lost under a statement, or the server
/// shutting down (SQLSTATE class 57, operator intervention, and 08, connection exception).
fn database_unavailable(error: &sea_orm::DbErr) -> bool {
    use sea_orm::{DbErr, RuntimeErr};
    match error {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            match e.as_ref() {
                sea_orm::sqlx::Error::Io(_)
                | sea_orm::sqlx::Error::PoolTimedOut
                | sea_orm::sqlx::Error::PoolClosed
                | sea_orm::sqlx::Error::WorkerCrashed => true,
                sea_orm::sqlx::Error::Database(db) => db
                    .code()
                    .is_some_and(|code| code.starts_with("57") || code.starts_with("08")),
                _ => false,
            }
        }
        _ => false,
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(error: sea_orm::DbErr) -> Self {
        if database_unavailable(&error) {
            // The database is down, restarting or saturated: the caller may retry.
            tracing::error!(error = %error, "database unavailable");
            Self::ServiceUnavailable("the database is unavailable; retry later".into())
        } else {
            Self::internal(error)
        }
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(error: AppError) -> Self {
        let code = error.code();
        let criteria: Vec<&'static str> = match &error {
            AppError::NotEligible(failed) => failed.iter().map(|f| f.criterion).collect(),
            _ => Vec::new(),
        };
        let numbers: Vec<(&'static str, i64)> = match &error {
            AppError::TooCostly { cost, limit } => vec![
                ("cost", i64::try_from(*cost).unwrap_or(i64::MAX)),
                ("limit", i64::try_from(*limit).unwrap_or(i64::MAX)),
            ],
            AppError::RateLimited {
                cost,
                remaining,
                retry_after_secs,
            } => vec![
                ("cost", *cost),
                ("remaining", *remaining),
                ("retryAfter", *retry_after_secs),
            ],
            _ => Vec::new(),
        };
        let (message, field) = match error {
            AppError::TooCostly { cost, limit } => (
                format!(
                    "the query costs {cost} points, over the limit of {limit}: ask for smaller pages or fewer fields"
                ),
                None,
            ),
            AppError::RateLimited {
                cost,
                remaining,
                retry_after_secs,
            } => (
                format!(
                    "the query costs {cost} points and {remaining} are left in this window; retry in {retry_after_secs} s"
                ),
                None,
            ),
            AppError::NotEligible(failed) => (
                format!(
                    "not eligible for this tender: {}",
                    failed
                        .iter()
                        .map(|f| f.message.as_str())
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
                None,
            ),
            AppError::BadUserInput { message, field } => (message, field),
            AppError::NotFound(message)
            | AppError::Forbidden(message)
            | AppError::Conflict(message)
            | AppError::ServiceUnavailable(message) => (message, None),
            AppError::Unauthenticated => ("a valid API key is required".to_owned(), None),
            AppError::SearchUnavailable(detail) => {
                tracing::error!(error = %detail, "search unavailable");
                ("search is unavailable; retry later".to_owned(), None)
            }
            AppError::Internal(inner) => {
                tracing::error!(error = ?inner, "internal error");
                ("internal error".to_owned(), None)
            }
        };
        async_graphql::Error::new(message).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
            if !criteria.is_empty() {
                ext.set("criteria", criteria.clone());
            }
            for (name, value) in &numbers {
                ext.set(*name, *value);
            }
        })
    }
}
