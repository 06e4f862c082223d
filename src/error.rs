//! The one error policy of the request path.
//!
//! Services return [`AppError`]. A user error carries a stable code (`extensions.code`) and a
//! message written for the caller; anything else is [`AppError::Internal`], which is logged with
//! its full chain and answered as `INTERNAL` without detail, so no SQL or internals reach a
//! client. `anyhow` stays off the request path except inside `Internal`.
//!
//! `AppError` deliberately does not implement `Display`: async-graphql converts every `Display`
//! type into an error with no extensions, which would silently drop the code. The conversion
//! in `graphql::error` is the only way out; this module knows nothing of GraphQL.

use std::sync::Arc;

/// The values of `extensions.code`: stable, documented in the README, the only codes sent.
pub mod code {
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    pub const UNAUTHENTICATED: &str = "UNAUTHENTICATED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const CONFLICT: &str = "CONFLICT";
    pub const RATE_LIMITED: &str = "RATE_LIMITED";
    pub const SEARCH_UNAVAILABLE: &str = "SEARCH_UNAVAILABLE";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
    pub const INTERNAL: &str = "INTERNAL";
}

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
    NotEligible(Vec<crate::domain::eligibility::Shortfall>),
    /// A mutation retried with its `Idempotency-Key` was applied by the first attempt, whose
    /// answer was lost (code `CONFLICT`, reason `ANSWER_LOST`): it will not be applied again.
    AnswerLost,
    /// A backing service is unreachable; retrying later may succeed.
    ServiceUnavailable(String),
    /// The search engine is unreachable or failing; the rest of the API still answers.
    SearchUnavailable(String),
    /// The search index is being filled from empty: a search now would miss what exists
    /// (code `SEARCH_UNAVAILABLE`, reason `INDEX_BUILDING`).
    IndexBuilding,
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
        Self::not_found_id(
            &kind.name().to_lowercase(),
            &crate::domain::global_id::encode(kind, id),
        )
    }

    /// `NOT_FOUND` for the `what` (`company`, `object`, ...) whose global ID the caller gave.
    pub fn not_found_id(what: &str, id: &str) -> Self {
        Self::NotFound(format!("no {what} has the ID '{id}'"))
    }

    pub fn internal(error: impl Into<anyhow::Error>) -> Self {
        Self::Internal(Arc::new(error.into()))
    }

    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } | Self::TooCostly { .. } => code::BAD_USER_INPUT,
            Self::RateLimited { .. } => code::RATE_LIMITED,
            Self::NotFound(_) => code::NOT_FOUND,
            Self::Unauthenticated => code::UNAUTHENTICATED,
            Self::Forbidden(_) => code::FORBIDDEN,
            Self::Conflict(_) | Self::NotEligible(_) | Self::AnswerLost => code::CONFLICT,
            Self::ServiceUnavailable(_) => code::SERVICE_UNAVAILABLE,
            Self::SearchUnavailable(_) | Self::IndexBuilding => code::SEARCH_UNAVAILABLE,
            Self::Internal(_) => code::INTERNAL,
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
